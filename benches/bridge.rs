//! The bridge's speed and size, with the release `magnet` binary between the test Synapse
//! and the Discord simulator, four pillars (8 bridged rooms):
//!
//! - relay latency by server timestamps, Discord to Matrix (Discord message time to the
//!   relayed event's `origin_server_ts`) and Matrix to Discord (`origin_server_ts` to the
//!   relay's snowflake time), one message at a time, next to a direct send to the same
//!   server measured the same way;
//! - REST requests to Discord per bridged message, each way, from the simulator's counts
//!   before and after each direction's one-at-a-time run;
//! - sustained throughput per direction: a burst, first send to last relay;
//! - the bot's resident memory while bridging 8 rooms.
//!
//! Run with `scripts/bench --bench bridge` (`MAGNET_BENCH_SAMPLES`, default 200;
//! `MAGNET_BENCH_DISCORD_LATENCY_MS`, default 0, the simulator's latency on every REST
//! answer and gateway frame, as the wire to the real Discord costs 50-100 ms).

#[path = "support/measure.rs"]
mod measure;
#[path = "../tests/common/network.rs"]
#[allow(dead_code)]
mod network;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use measure::{env_number, percentile, rss_kb, unlimited_sim};

use magnet_discord_sim::{DiscordSim, SimConfig};
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

/// The simulator's REST counts once they have stopped moving (for half a second, or 10 s
/// at most): what the bot does just after the last relay belongs to the run before.
async fn settled_counts(sim: &DiscordSim) -> BTreeMap<String, u64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut counts = sim.rest_counts();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = sim.rest_counts();
        if now == counts || Instant::now() > deadline {
            return now;
        }
        counts = now;
    }
}

/// REST requests per bridged message between two counts, in all and per route.
fn rest_per_message(name: &str, before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>, messages: usize) {
    let per = |count: u64| count as f64 / messages as f64;
    let routes: Vec<(&String, u64)> = after
        .iter()
        .map(|(route, n)| (route, n - before.get(route).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let total = routes.iter().map(|(_, n)| n).sum();
    println!("{name:<44} {:>5.2} per message  ({total} for {messages})", per(total));
    for (route, n) in routes {
        println!("    {route:<40} {:>5.2}", per(n));
    }
}

#[tokio::main]
async fn main() {
    let samples = env_number("MAGNET_BENCH_SAMPLES", 200);
    let latency = Duration::from_millis(env_number("MAGNET_BENCH_DISCORD_LATENCY_MS", 0) as u64);
    let config = SimConfig {
        latency,
        ..unlimited_sim()
    };
    let net = Network::with_pillars(Synapse::from_env(), config, 2).await;
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

    // Discord to Matrix, one at a time; nothing else is sent meanwhile, so that the REST
    // requests counted are this direction's.
    let d2m_before = settled_counts(sim).await;
    let mut d2m = Vec::new();
    // The observer syncs incrementally from here: a full sync of the growing room for each
    // sample would load the homeserver inside the measured window.
    let mut since = net.ayse.sync_position(&room).await.unwrap();
    for i in 0..samples {
        let text = format!("d2m-{i}");
        let id = sim.post(channel, net.bora, &text);
        let event = net
            .ayse
            .wait_for_message_since(&room, &mut since, Duration::from_secs(30), |e: &Value| {
                e["sender"] == bot.as_str() && e["content"]["body"].as_str().is_some_and(|b| b.ends_with(&text))
            })
            .await
            .unwrap();
        d2m.push(event["origin_server_ts"].as_i64().unwrap() - snowflake_ms(id));
    }
    let d2m_after = settled_counts(sim).await;

    // The same server, sent to directly by a client: send start to origin_server_ts.
    let mut direct_matrix = Vec::new();
    for i in 0..samples {
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

    // Matrix to Discord, one at a time, counted the same way.
    let m2d_before = settled_counts(sim).await;
    let mut m2d = Vec::new();
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
    }
    let m2d_after = settled_counts(sim).await;

    // The simulator, posted to directly: call start to the message's snowflake time (in a
    // channel the bot does not bridge, so that no relays pile up before the bursts).
    let unbridged = sim.create_channel(net.guild, "unbridged");
    let mut direct_discord = Vec::new();
    for _ in 0..samples {
        let start = now_ms();
        let direct = sim.post(unbridged, net.bora, "direct");
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

    println!(
        "\nbridge bench: 8 bridged rooms (4 pillars), Synapse and the Discord simulator on loopback, \
         simulated Discord latency {} ms",
        latency.as_millis()
    );
    let p99 = |samples: &[i64]| {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        percentile(&sorted, 0.99)
    };
    let (d2m_p99, direct_p99) = (p99(&d2m), p99(&direct_matrix));
    summary("Discord -> Matrix, bridge (server timestamps)", d2m);
    summary("  direct send to Synapse (client -> ts)", direct_matrix);
    let target = latency.as_millis() as i64 + direct_p99 + 5;
    println!(
        "  target: p99 <= latency + the direct send's p99 + 5 ms = {target} ms: {}",
        if d2m_p99 <= target { "met" } else { "NOT met" }
    );
    summary("Matrix -> Discord, bridge (server timestamps)", m2d);
    summary("  direct send to the simulator (client -> ts)", direct_discord);
    rest_per_message("REST requests, Discord -> Matrix", &d2m_before, &d2m_after, samples);
    rest_per_message("REST requests, Matrix -> Discord", &m2d_before, &m2d_after, samples);
    println!("throughput Matrix -> Discord: {m2d_rate:.0} msg/s (the sending client managed {send_rate:.0} msg/s)");
    println!("throughput Discord -> Matrix: {d2m_rate:.0} msg/s ({burst} messages)");
    println!(
        "magnet RSS after the run: {:.1} MB (peak {:.1} MB)",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    process.stop(Duration::from_secs(30)).unwrap();
}
