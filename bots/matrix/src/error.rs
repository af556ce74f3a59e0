//! What can go wrong talking to the homeserver, sorted by what the bot should do about it.

use std::time::Duration;

use magnet_chat::ChatError;
use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};

/// Why the Matrix side could not start or keep going.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// Wrong password, revoked or unknown token: needs an operator.
    #[error("matrix login failed: {0}")]
    Auth(String),
    /// The homeserver could not be reached or answered 5xx: worth retrying.
    #[error("matrix homeserver unreachable: {0}")]
    Unreachable(String),
    /// The local setup is wrong (store directory, saved session).
    #[error("matrix setup: {0}")]
    Config(String),
    /// Anything else the SDK reported.
    #[error("matrix: {0}")]
    Other(String),
}

impl MatrixError {
    pub fn from_sdk(error: matrix_sdk::Error) -> MatrixError {
        if let Some(ErrorKind::UnknownToken(_)) = error.client_api_error_kind() {
            return MatrixError::Auth(
                "the homeserver no longer accepts the saved access token (revoked or logged out); remove the session.json in the store directory to log in again"
                    .into(),
            );
        }
        if is_network(&error)
            || error
                .as_client_api_error()
                .is_some_and(|e| e.status_code.is_server_error())
        {
            return MatrixError::Unreachable(error.to_string());
        }
        MatrixError::Other(error.to_string())
    }

    /// Whether trying again later may help.
    pub fn is_transient(&self) -> bool {
        matches!(self, MatrixError::Unreachable(_))
    }
}

fn is_network(error: &matrix_sdk::Error) -> bool {
    match error {
        matrix_sdk::Error::Http(http) => matches!(**http, matrix_sdk::HttpError::Reqwest(_)),
        matrix_sdk::Error::Timeout => true,
        _ => false,
    }
}

/// Sorts a failed send for the delivery worker: wait and retry, or give up.
pub fn classify_send(error: &matrix_sdk::Error) -> ChatError {
    if let Some(ErrorKind::LimitExceeded(data)) = error.client_api_error_kind() {
        let retry_after = match &data.retry_after {
            Some(RetryAfter::Delay(delay)) => *delay,
            _ => Duration::from_secs(1),
        };
        return ChatError::RateLimited { retry_after };
    }
    if is_network(error) {
        return ChatError::Transient(error.to_string());
    }
    match error.as_client_api_error().map(|e| e.status_code) {
        Some(status) if status.is_server_error() => ChatError::Transient(error.to_string()),
        _ => ChatError::Permanent(error.to_string()),
    }
}

/// The same for errors that come as plain HTTP errors (redactions).
pub fn classify_http(error: matrix_sdk::HttpError) -> ChatError {
    classify_send(&matrix_sdk::Error::Http(Box::new(error)))
}
