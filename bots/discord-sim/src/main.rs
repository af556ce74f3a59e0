//! `magnet-discord-sim`: the Discord simulator as a process, for the demo and for trying
//! magnet by hand. Prints where it listens and the bot token; build the world and act as
//! people with the HTTP control API under `/control` (see `src/control.rs`).
//! `DISCORD_SIM_TOKEN` sets the bot token, `DISCORD_SIM_LATENCY_MS` the simulated latency.

use std::net::SocketAddr;

use magnet_discord_sim::{DiscordSim, SimConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .map_err(|e| anyhow::anyhow!("usage: magnet-discord-sim [127.0.0.1:PORT]: {e}"))?;
    let mut config = SimConfig::default();
    if let Ok(token) = std::env::var("DISCORD_SIM_TOKEN") {
        config.bot_token = token;
    }
    if let Ok(ms) = std::env::var("DISCORD_SIM_LATENCY_MS") {
        let ms: u64 = ms
            .parse()
            .map_err(|e| anyhow::anyhow!("DISCORD_SIM_LATENCY_MS={ms:?}: {e}"))?;
        config.latency = std::time::Duration::from_millis(ms);
    }
    let sim = DiscordSim::start_on(config, listen).await?;
    println!(
        "{}",
        serde_json::json!({"base_url": sim.base_url(), "api_base": sim.api_base(),
            "application_id": sim.application_id().to_string(), "bot_token": sim.bot_token()})
    );
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}
