//! The `magnet` binary with a Discord channel (on the simulator), killed with SIGKILL twice
//! in the middle of a burst of 300 messages: each is committed exactly once, in order.
//! Messages posted while it is stopped arrive after it starts again. And a gateway event
//! the bot cannot read is not lost silently: it is logged and counted in `/metrics`.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{committed, kill_points, wait_for_committed};
use magnet_chat::Platform;
use magnet_discord_sim::{DiscordSim, SimConfig};
use magnet_testkit::MagnetProcess;

const BIN: &str = env!("CARGO_BIN_EXE_magnet");
const START: Duration = Duration::from_secs(60);

fn write_config(dir: &Path, sim: &DiscordSim, channel: u64) -> PathBuf {
    let token = dir.join("discord-token");
    std::fs::write(&token, sim.bot_token()).unwrap();
    let config = dir.join("magnet.toml");
    let text = format!(
        r#"
[database]
url = "sqlite://{db}"
[http]
listen = "127.0.0.1:0"
[discord]
token_file = "{token}"
application_id = "{app}"
api_base = "{api}"
[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "Europe/Istanbul"
discord_channels = ["{channel}"]
"#,
        db = dir.join("magnet.db").display(),
        token = token.display(),
        app = sim.application_id(),
        api = sim.api_base(),
    );
    std::fs::write(&config, text).unwrap();
    config
}

fn start(config: &Path, dir: &Path) -> MagnetProcess {
    let process = MagnetProcess::start(Path::new(BIN), config, dir, &[]).unwrap();
    process.wait_for_log("discord: ready", START).unwrap();
    process
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_mid_burst_loses_and_doubles_nothing() {
    let seed = common::seed();
    let (first_kill, second_kill) = kill_points(seed);
    eprintln!("kill schedule seed {seed} (MAGNET_TEST_SEED): SIGKILL after {first_kill} and {second_kill} committed");

    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", Some("Ayşe"));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sim, channel);
    let room = channel.to_string();

    let mut process = start(&config, dir.path());
    let store = common::open_sqlite(&dir.path().join("magnet.db")).await;
    let mut sent = Vec::new();
    let mut kills = vec![first_kill, second_kill];
    for n in 0..300 {
        sent.push(sim.post(channel, ayse, &format!("burst {n}")).to_string());
        if kills.first() == Some(&n) {
            kills.remove(0);
            // Kill once the bot is partway through what was sent so far.
            let seen = wait_for_committed(&store, Platform::Discord, &room, n / 2, START).await;
            assert!(seen.len() >= n / 2, "only {} committed before the kill", seen.len());
            process.kill().unwrap();
            eprintln!(
                "killed with {} of {} committed",
                committed(&store, Platform::Discord, &room).await.len(),
                n + 1
            );
            process = start(&config, dir.path());
        }
    }
    let got = wait_for_committed(&store, Platform::Discord, &room, 300, Duration::from_secs(90)).await;
    assert_eq!(got.len(), 300, "seed {seed}: {} of 300 committed", got.len());
    assert_eq!(got, sent, "seed {seed}: every message once, in the order sent");

    let status = process.stop(Duration::from_secs(30)).unwrap();
    assert!(status.success());
    let mut missed = Vec::new();
    for n in 0..50 {
        missed.push(sim.post(channel, ayse, &format!("while down {n}")).to_string());
    }
    let process = start(&config, dir.path());
    let got = wait_for_committed(&store, Platform::Discord, &room, 350, START).await;
    assert_eq!(got.len(), 350);
    assert_eq!(&got[300..], &missed[..]);
    process.stop(Duration::from_secs(30)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_event_the_bot_cannot_read_is_logged_at_warn_and_counted_in_metrics() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", Some("Ayşe"));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sim, channel);
    let process = start(&config, dir.path());
    assert!(sim.wait_for_sessions(1, START).await, "the gateway connects");
    let message = sim.post(channel, ayse, "react to me");

    // A reaction without `burst`, which serenity 0.12.5 insists on: unreadable for its models.
    sim.dispatch_raw(
        "MESSAGE_REACTION_ADD",
        serde_json::json!({"user_id": ayse.to_string(), "channel_id": channel.to_string(),
            "message_id": message.to_string(), "guild_id": guild.to_string(),
            "emoji": {"id": null, "name": "👍"}, "type": 0}),
    );
    let line = process.wait_for_log("could not read a gateway event", START).unwrap();
    assert!(line.contains("WARN") && line.contains("MESSAGE_REACTION_ADD"), "{line}");
    let addr = process.http_addr(START).unwrap();
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("magnet_unreadable_events_total{platform=\"discord\",event=\"MESSAGE_REACTION_ADD\"} 1\n"),
        "{metrics}"
    );
    process.stop(Duration::from_secs(30)).unwrap();
}
