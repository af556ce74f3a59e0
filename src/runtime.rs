//! `magnet run`: open and migrate the store, bring the stored pillars in line with the
//! config, serve `/healthz`, start the configured chat adapters, and stop cleanly on
//! SIGINT or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use magnet_chat::EventSink;
use magnet_matrix::{Credential, MatrixAdapter, MatrixSettings};
use tokio::sync::watch;

use crate::bridge::StoreSink;
use crate::config::{Config, MatrixConfig, MatrixCredential, SecretSource};
use crate::http;
use crate::store::Store;

/// Runs until a stop signal arrives.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = Store::open(&config.database).await.context("starting the store")?;
    store.migrate().await.context("migrating the database")?;
    store
        .sync_config(&config)
        .await
        .context("recording the configured pillars")?;
    tracing::info!(pillars = config.pillars.len(), backend = ?store.backend(), "store ready");

    let (listener, bound) = http::bind(config.http.listen)
        .await
        .with_context(|| format!("binding the HTTP listener on {}", config.http.listen))?;
    tracing::info!(addr = %bound, "http listener bound");

    let (stop_tx, mut stop_rx) = watch::channel(false);
    let http_stop = {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let http_task = tokio::spawn(http::serve(listener, store.clone(), http_stop));

    let sink: Arc<dyn EventSink> = Arc::new(StoreSink::new(store.clone()));
    let matrix_task = config.matrix.as_ref().map(|matrix| {
        let settings = matrix_settings(&config, matrix);
        tokio::spawn(run_matrix(settings, sink.clone(), stop_rx.clone()))
    });
    if config.discord.is_some() {
        tracing::warn!("a Discord bot is configured but this build has no Discord adapter yet");
    }
    if config.matrix.is_none() && config.discord.is_none() {
        tracing::info!("no chat platform configured; serving the health endpoint only");
    }
    tracing::info!("magnet running; stop with SIGINT or SIGTERM");

    wait_for_stop_signal().await?;
    tracing::info!("stop signal received; shutting down");
    let _ = stop_tx.send(true);
    let _ = stop_rx.changed().await;
    if let Some(task) = matrix_task {
        let _ = task.await;
    }
    http_task
        .await
        .context("the HTTP task panicked")?
        .context("serving HTTP")?;
    store.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

/// The Matrix side's settings: the account, and every Matrix room the config names.
fn matrix_settings(config: &Config, matrix: &MatrixConfig) -> Result<MatrixSettings, String> {
    let read = |source: &SecretSource| source.read().map(|secret| secret.expose().to_string());
    let credential = match &matrix.credential {
        MatrixCredential::Password(source) => Credential::Password(read(source)?),
        MatrixCredential::AccessToken(source) => Credential::AccessToken(read(source)?),
    };
    let rooms = config
        .pillars
        .iter()
        .flat_map(|pillar| pillar.matrix_rooms.iter())
        .chain(config.secretariat.matrix_rooms.iter())
        .cloned()
        .collect();
    Ok(MatrixSettings {
        homeserver: matrix.homeserver.to_string(),
        user_id: matrix.user_id.clone(),
        credential,
        store_dir: matrix.store_dir.clone(),
        device_name: matrix.device_name.clone(),
        rooms,
    })
}

/// Runs the Matrix side until the stop signal: an unreachable homeserver is retried with
/// backoff; a refused login is reported once and the rest of the bot keeps running.
async fn run_matrix(
    settings: Result<MatrixSettings, String>,
    sink: Arc<dyn EventSink>,
    mut stop: watch::Receiver<bool>,
) {
    let settings = match settings {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!(%error, "matrix: cannot read the credential; Matrix is not served");
            return;
        }
    };
    let mut delay = Duration::from_secs(1);
    let adapter = loop {
        tokio::select! {
            started = MatrixAdapter::start(settings.clone(), sink.clone()) => match started {
                Ok(adapter) => break adapter,
                Err(error) if error.is_transient() => {
                    tracing::warn!(%error, ?delay, "matrix: cannot start yet; retrying");
                }
                Err(error) => {
                    tracing::error!(%error, "matrix: not served");
                    return;
                }
            },
            _ = stop.wait_for(|stop| *stop) => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
        delay = (delay * 2).min(Duration::from_secs(60));
    };
    let _ = stop.wait_for(|stop| *stop).await;
    adapter.shutdown();
    tracing::info!("matrix: stopped");
}
