//! `magnet run`: open and migrate the store, bring the stored pillars in line with the
//! config, serve `/healthz`, start the configured chat adapters, and stop cleanly on
//! SIGINT or SIGTERM.

use anyhow::Context;
use tokio::sync::watch;

use crate::config::Config;
use crate::http;
use crate::store::Store;

/// Runs until a stop signal arrives.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = Store::open(&config.database)
        .await
        .context("starting the store")?;
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

    match (&config.matrix, &config.discord) {
        (None, None) => {
            tracing::info!("no chat platform configured; serving the health endpoint only")
        }
        (matrix, discord) => tracing::warn!(
            matrix = matrix.is_some(),
            discord = discord.is_some(),
            "chat platforms are configured but this build has no adapters for them yet"
        ),
    }
    tracing::info!("magnet running; stop with SIGINT or SIGTERM");

    wait_for_stop_signal().await?;
    tracing::info!("stop signal received; shutting down");
    let _ = stop_tx.send(true);
    let _ = stop_rx.changed().await;
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
    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}
