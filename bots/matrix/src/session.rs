//! Logging in once and keeping the same device for the bot's whole life: the session is
//! saved next to matrix-sdk's store after the first login and restored on every start
//! after that (a new device per start would lose encryption keys and transaction ids).

use std::path::{Path, PathBuf};

use matrix_sdk::Client;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::ruma::api::error::ErrorKind;

use crate::{Credential, MatrixError, MatrixSettings};

const SESSION_FILE: &str = "session.json";

/// Restores the saved session, or logs in and saves it.
pub async fn authenticate(client: &Client, settings: &MatrixSettings) -> Result<(), MatrixError> {
    let path = session_path(&settings.store_dir);
    if let Some(session) = load(&path)? {
        if session.meta.user_id.as_str() != settings.user_id {
            return Err(MatrixError::Config(format!(
                "the saved session in {} belongs to {}, not the configured {}; use another store_dir",
                path.display(),
                session.meta.user_id,
                settings.user_id
            )));
        }
        client.restore_session(session).await.map_err(MatrixError::from_sdk)?;
        tracing::info!(user = %settings.user_id, "matrix: restored the saved session");
        return Ok(());
    }
    let session = match &settings.credential {
        Credential::Password(password) => {
            client
                .matrix_auth()
                .login_username(&settings.user_id, password)
                .initial_device_display_name(&settings.device_name)
                .send()
                .await
                .map_err(|error| match error.client_api_error_kind() {
                    Some(ErrorKind::Forbidden) => {
                        MatrixError::Auth(format!("the homeserver refused the password for {}", settings.user_id))
                    }
                    _ => MatrixError::from_sdk(error),
                })?;
            client
                .matrix_auth()
                .session()
                .ok_or_else(|| MatrixError::Auth("login returned no session".into()))?
        }
        Credential::AccessToken(token) => {
            let session = session_for_token(settings, token).await?;
            client
                .restore_session(session.clone())
                .await
                .map_err(MatrixError::from_sdk)?;
            session
        }
    };
    save(&path, &session)?;
    tracing::info!(user = %settings.user_id, device = %session.meta.device_id, "matrix: logged in as a new device; session saved");
    Ok(())
}

fn session_path(store_dir: &Path) -> PathBuf {
    store_dir.join(SESSION_FILE)
}

fn load(path: &Path) -> Result<Option<MatrixSession>, MatrixError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|error| {
            MatrixError::Config(format!("the saved session {} is unreadable: {error}", path.display()))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(MatrixError::Config(format!("cannot read {}: {error}", path.display()))),
    }
}

/// Writes the session atomically and readable by the owner only: it holds the access token.
fn save(path: &Path, session: &MatrixSession) -> Result<(), MatrixError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io =
        |error: std::io::Error| MatrixError::Config(format!("cannot save the session to {}: {error}", path.display()));
    let temporary = path.with_extension("json.tmp");
    let json = serde_json::to_vec(session).expect("a session serialises");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(io)?;
    file.write_all(&json).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

/// An access token alone does not say which device it belongs to: ask the homeserver.
async fn session_for_token(settings: &MatrixSettings, token: &str) -> Result<MatrixSession, MatrixError> {
    let url = format!(
        "{}/_matrix/client/v3/account/whoami",
        settings.homeserver.trim_end_matches('/')
    );
    let response = matrix_sdk::reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|error| MatrixError::Unreachable(format!("{}: {error}", settings.homeserver)))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.as_u16() == 401 {
        return Err(MatrixError::Auth(
            "the homeserver does not accept the configured access token".into(),
        ));
    }
    if !status.is_success() {
        return Err(MatrixError::Unreachable(format!("whoami answered {status}")));
    }
    let whoami: serde_json::Value =
        serde_json::from_str(&body).map_err(|error| MatrixError::Unreachable(format!("whoami: {error}")))?;
    let user_id = whoami["user_id"].as_str().unwrap_or_default();
    if user_id != settings.user_id {
        return Err(MatrixError::Config(format!(
            "the access token belongs to {user_id}, not the configured {}",
            settings.user_id
        )));
    }
    let device_id = whoami["device_id"]
        .as_str()
        .ok_or_else(|| MatrixError::Auth("the access token has no device; use a password login instead".into()))?;
    let session = serde_json::json!({"user_id": user_id, "device_id": device_id, "access_token": token});
    serde_json::from_value(session).map_err(|error| MatrixError::Config(format!("cannot build a session: {error}")))
}
