//! `magnet run`: open and migrate the store, bring the stored pillars in line with the
//! config, serve `/healthz`, start the configured chat adapters, and stop cleanly on
//! SIGINT or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use magnet_chat::{EventSink, UnreadableEvents};
use magnet_discord::{DiscordAdapter, DiscordError, DiscordSettings};
use magnet_matrix::{Credential, MatrixAdapter, MatrixError, MatrixSettings};
use tokio::sync::watch;

use crate::bridge::{Bridge, DeliveryPolicy, StoreSink};
use crate::config::{Config, DiscordConfig, MatrixConfig, MatrixCredential, SecretSource};
use crate::http;
use crate::schedule::Scheduler;
use crate::store::Store;

/// Runs until a stop signal arrives.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // Before anything is written: a second process on one SQLite file is refused here.
    let sole_writer = crate::store::sole_writer::claim(&config.database.url).context("starting the store")?;
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
    let calendar_secret = match &config.http.calendar_secret {
        Some(source) => Some(
            source
                .read()
                .map_err(|error| anyhow::anyhow!("reading the calendar secret: {error}"))?,
        ),
        None => None,
    };
    // Counted by the adapters, shown by `/metrics`.
    let unreadable = UnreadableEvents::default();
    let http_task = tokio::spawn(http::serve(
        listener,
        store.clone(),
        calendar_secret,
        unreadable.clone(),
        http_stop,
    ));

    // Of several instances on one PostgreSQL database, one serves; the others wait here.
    let lease = if store.backend() == crate::store::Backend::Postgres {
        tracing::info!("waiting for the instance lease (another instance may be serving)");
        let mut delay = Duration::from_secs(1);
        loop {
            tokio::select! {
                lease = store.lead() => match lease {
                    Ok(lease) => break lease,
                    // The database went away while we waited: wait for it, then again for
                    // the lease, rather than leave no instance serving.
                    Err(error) => tracing::warn!(%error, ?delay, "cannot wait for the instance lease; trying again"),
                },
                stopped = wait_for_stop_signal() => {
                    stopped?;
                    tracing::info!("stop signal received while standing by");
                    let _ = stop_tx.send(true);
                    let _ = http_task.await;
                    store.close().await;
                    return Ok(());
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    } else {
        None
    };
    if lease.is_some() {
        tracing::info!("holding the instance lease: serving");
    }

    let policy = DeliveryPolicy {
        max_attempts: i64::from(config.bridge.max_attempts),
        pause_after_refusals: config.bridge.pause_after_refusals as usize,
        matrix_notices: config.bridge.matrix_notices,
        secretariat_lang: config.secretariat.lang(),
        ..DeliveryPolicy::default()
    };
    let bridge = Bridge::new(store.clone(), policy, stop_rx.clone());
    let sink: Arc<dyn EventSink> = Arc::new(StoreSink::new(store.clone(), bridge.platforms().clone(), &config));
    let scheduler = Scheduler::new(
        store.clone(),
        bridge.platforms().clone(),
        config.schedule.lateness,
        format!("{}:{}", hostname(), std::process::id()),
    )
    .with_surveys(crate::survey::commands::SurveySettings::from_config(&config.surveys))
    .with_reports(config.reports.clone(), config.secretariat.lang());
    let scheduler_task = tokio::spawn(scheduler.run(stop_rx.clone()));
    let matrix_task = config.matrix.as_ref().map(|matrix| {
        let settings = matrix_settings(&config, matrix);
        tokio::spawn(run_matrix(settings, sink.clone(), bridge.clone(), stop_rx.clone()))
    });
    let discord_task = config.discord.as_ref().map(|discord| {
        let settings = discord_settings(&config, discord, unreadable.clone());
        tokio::spawn(run_discord(settings, sink.clone(), bridge.clone(), stop_rx.clone()))
    });
    if config.matrix.is_none() && config.discord.is_none() {
        tracing::info!("no chat platform configured; serving the health endpoint only");
    }
    tracing::info!("magnet running; stop with SIGINT or SIGTERM");

    let mut lease = lease;
    let lost = async {
        match lease.as_mut() {
            Some(lease) => lease.lost().await,
            None => std::future::pending().await,
        }
    };
    let outcome = tokio::select! {
        stopped = wait_for_stop_signal() => {
            stopped?;
            tracing::info!("stop signal received; shutting down");
            Ok(())
        }
        why = lost => {
            tracing::error!(why, "lost the instance lease; stopping so that another instance serves");
            Err(anyhow::anyhow!("lost the instance lease: {why}"))
        }
    };
    let _ = stop_tx.send(true);
    let _ = stop_rx.changed().await;
    for task in [matrix_task, discord_task].into_iter().flatten() {
        let _ = task.await;
    }
    let _ = scheduler_task.await;
    http_task
        .await
        .context("the HTTP task panicked")?
        .context("serving HTTP")?;
    drop(lease);
    store.close().await;
    drop(sole_writer);
    outcome?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// This machine's name, for the claims a scheduler records.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|_| "magnet".into())
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
    let rooms = config.matrix_rooms().cloned().collect();
    Ok(MatrixSettings {
        homeserver: matrix.homeserver.to_string(),
        user_id: matrix.user_id.clone(),
        credential,
        store_dir: matrix.store_dir.clone(),
        device_name: matrix.device_name.clone(),
        rooms,
    })
}

/// Starts a platform's adapter, retrying with backoff while the failure is transient (the
/// server is unreachable); a refused login is reported once and the platform stays off
/// while the rest of the bot keeps running. `None` if it never started or a stop came first.
async fn start_with_retry<A, E, Fut>(
    platform: &str,
    stop: &mut watch::Receiver<bool>,
    start: impl Fn() -> Fut,
    is_transient: impl Fn(&E) -> bool,
) -> Option<A>
where
    E: std::fmt::Display,
    Fut: Future<Output = Result<A, E>>,
{
    let mut delay = Duration::from_secs(1);
    loop {
        tokio::select! {
            started = start() => match started {
                Ok(adapter) => return Some(adapter),
                Err(error) if is_transient(&error) => {
                    tracing::warn!(%error, ?delay, "{platform}: cannot start yet; retrying");
                }
                Err(error) => {
                    tracing::error!(%error, "{platform}: not served");
                    return None;
                }
            },
            _ = stop.wait_for(|stop| *stop) => return None,
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|stop| *stop) => return None,
        }
        delay = (delay * 2).min(Duration::from_secs(60));
    }
}

/// Runs the Matrix side until the stop signal.
async fn run_matrix(
    settings: Result<MatrixSettings, String>,
    sink: Arc<dyn EventSink>,
    bridge: Bridge,
    mut stop: watch::Receiver<bool>,
) {
    let settings = match settings {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!(%error, "matrix: cannot read the credential; Matrix is not served");
            return;
        }
    };
    let start = || MatrixAdapter::start(settings.clone(), sink.clone());
    let Some(adapter) = start_with_retry("matrix", &mut stop, start, MatrixError::is_transient).await else {
        return;
    };
    let adapter = Arc::new(adapter);
    bridge.serve(adapter.clone(), &mut stop).await;
    adapter.shutdown();
    tracing::info!("matrix: stopped");
}

/// The Discord side's settings: the bot, and every Discord channel the config names.
fn discord_settings(
    config: &Config,
    discord: &DiscordConfig,
    unreadable: UnreadableEvents,
) -> Result<DiscordSettings, String> {
    let token = discord.token.read()?;
    let channels = config.discord_channels().collect();
    Ok(DiscordSettings {
        token: token.expose().to_string(),
        application_id: discord.application_id,
        api_base: discord.api_base.as_str().trim_end_matches('/').to_string(),
        channels,
        unreadable,
        listing_interval: magnet_discord::LISTING_INTERVAL,
        phrases: crate::i18n::phrasebook(config.secretariat.lang()),
    })
}

/// Runs the Discord side until the stop signal.
async fn run_discord(
    settings: Result<DiscordSettings, String>,
    sink: Arc<dyn EventSink>,
    bridge: Bridge,
    mut stop: watch::Receiver<bool>,
) {
    let settings = match settings {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!(%error, "discord: cannot read the token; Discord is not served");
            return;
        }
    };
    let start = || DiscordAdapter::start(settings.clone(), sink.clone());
    let Some(adapter) = start_with_retry("discord", &mut stop, start, DiscordError::is_transient).await else {
        return;
    };
    let adapter = Arc::new(adapter);
    bridge.serve(adapter.clone(), &mut stop).await;
    adapter.shutdown().await;
    tracing::info!("discord: stopped");
}
