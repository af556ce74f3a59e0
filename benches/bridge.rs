//! The bridge's speed and size, with the release `magnet` binary between the test Synapse
//! and the Discord simulator, four pillars (8 bridged rooms):
//!
//! - relay latency by server timestamps, Discord to Matrix (Discord message time to the
//!   relayed event's `origin_server_ts`) and Matrix to Discord (`origin_server_ts` to the
//!   relay's snowflake time), one message at a time, next to a direct send to the same
//!   server measured the same way;
//! - sustained throughput per direction: a burst, first send to last relay;
//! - the bot's resident memory while bridging 8 rooms.
//!
//! Run with `scripts/bench --bench bridge` (`MAGNET_BENCH_SAMPLES`, default 200).

#[path = "support/measure.rs"]
mod measure;
#[path = "../tests/common/network.rs"]
#[allow(dead_code)]
mod network;

use std::time::{Duration, Instant};

use measure::{env_number, percentile, rss_kb, unlimited_sim};

use magnet_testkit::Synapse;
use network::{Network, eventually, relays};
use serde_json::Value;

const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

fn snowflake_ms(id: u64) -> i64 {
    (id >> 22) as i64 + DISCORD_EPOCH_MS
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn summary(name: &str, mut samples: Vec<i64>) {
    samples.sort_unstable();
    println!(
        "{name:<44} p50 {:>4} ms  p90 {:>4} ms  p99 {:>4} ms  (n={})",
        percentile(&samples, 0.5),
        percentile(&samples, 0.9),
        percentile(&samples, 0.99),
        samples.len()
    );
}

#[tokio::main]
async fn main() {
    let samples = env_number("MAGNET_BENCH_SAMPLES", 200);
    let net = Network::with_pillars(Synapse::from_env(), unlimited_sim(), 2).await;
    let process = net.start();
    let (sim, room, channel) = (&net.sim, net.authorities_room.clone(), net.authorities_channel);
    let bot = net.bot_user_id.clone();

    // Warm up both directions.
    for i in 0..10 {
        net.ayse.send_text(&room, &format!("warm-m-{i}")).await.unwrap();
        sim.post(channel, net.bora, &format!("warm-d-{i}"));
    }
    eventually("the warm-up", || async {
        (relays(sim, channel).len() >= 10).then_some(())
    })
    .await;

    // Discord to Matrix, one at a time.
    let mut d2m = Vec::new();
    let mut direct_matrix = Vec::new();
    for i in 0..samples {
        let text = format!("d2m-{i}");
        let id = sim.post(channel, net.bora, &text);
        let event = net
            .ayse
            .wait_for_message(&room, Duration::from_secs(30), |e: &Value| {
                e["sender"] == bot.as_str() && e["content"]["body"].as_str().is_some_and(|b| b.ends_with(&text))
            })
            .await
            .unwrap();
        d2m.push(event["origin_server_ts"].as_i64().unwrap() - snowflake_ms(id));
        // The same server, sent to directly by a client: send start to origin_server_ts.
        let start = now_ms();
        let direct = net.ayse.send_text(&room, &format!("direct-{i}")).await.unwrap();
        let _ = direct;
        let events = net.ayse.recent_events(&room, 5).await.unwrap();
        if let Some(sent) = events
            .iter()
            .rev()
            .find(|e| e["content"]["body"] == format!("direct-{i}").as_str())
        {
            direct_matrix.push(sent["origin_server_ts"].as_i64().unwrap() - start);
        }
    }
    // The direct sends above were relayed to Discord too; let them land first.
    let relayed_so_far = 10 + samples;
    eventually("the direct sends relayed", || async {
        (relays(sim, channel).len() >= relayed_so_far).then_some(())
    })
    .await;

    // Matrix to Discord, one at a time.
    let mut m2d = Vec::new();
    let mut direct_discord = Vec::new();
    for i in 0..samples {
        let text = format!("m2d-{i}");
        net.ayse.send_text(&room, &text).await.unwrap();
        let relay = eventually("a relay", || async {
            relays(sim, channel).into_iter().rev().find(|m| m.content == text)
        })
        .await;
        let events = net.ayse.recent_events(&room, 5).await.unwrap();
        let sent = events
            .iter()
            .rev()
            .find(|e| e["content"]["body"] == text.as_str())
            .unwrap();
        m2d.push(snowflake_ms(relay.id) - sent["origin_server_ts"].as_i64().unwrap());
        let start = now_ms();
        let direct = sim.post(net.civil_channel, net.bora, "direct");
        direct_discord.push(snowflake_ms(direct) - start);
    }

    // Throughput: a burst each way in one pillar.
    let burst = samples * 2;
    let before = relays(sim, channel).len();
    let started = Instant::now();
    for i in 0..burst {
        net.ayse.send_text(&room, &format!("burst-m-{i}")).await.unwrap();
    }
    let send_time = started.elapsed();
    eventually("the Matrix burst on Discord", || async {
        (relays(sim, channel).len() >= before + burst).then_some(())
    })
    .await;
    let m2d_rate = burst as f64 / started.elapsed().as_secs_f64();
    let send_rate = burst as f64 / send_time.as_secs_f64();

    let started = Instant::now();
    for i in 0..burst {
        sim.post(channel, net.bora, &format!("burst-d-{i}"));
    }
    let last = format!("burst-d-{}", burst - 1);
    net.ayse
        .wait_for_message(&room, Duration::from_secs(300), |e: &Value| {
            e["content"]["body"].as_str().is_some_and(|b| b.ends_with(&last))
        })
        .await
        .unwrap();
    let d2m_rate = burst as f64 / started.elapsed().as_secs_f64();

    let pid = process.pid();
    let rss = rss_kb(pid, "VmRSS:");
    let peak = rss_kb(pid, "VmHWM:");

    println!("\nbridge bench: 8 bridged rooms (4 pillars), Synapse and the Discord simulator on loopback");
    summary("Discord -> Matrix, bridge (server timestamps)", d2m);
    summary("  direct send to Synapse (client -> ts)", direct_matrix);
    summary("Matrix -> Discord, bridge (server timestamps)", m2d);
    summary("  direct send to the simulator (client -> ts)", direct_discord);
    println!("throughput Matrix -> Discord: {m2d_rate:.0} msg/s (the sending client managed {send_rate:.0} msg/s)");
    println!("throughput Discord -> Matrix: {d2m_rate:.0} msg/s ({burst} messages)");
    println!(
        "magnet RSS after the run: {:.1} MB (peak {:.1} MB)",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    process.stop(Duration::from_secs(30)).unwrap();
}
