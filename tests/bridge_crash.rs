//! The bridge under load, killed: 1,000 messages each way in two pillars at once, the
//! `magnet` binary killed with SIGKILL at three seeded moments and restarted. Every message
//! arrives exactly once in the other room of its pillar, in the order sent, and nowhere
//! else; edits and deletions made after the restarts follow their messages.

mod common;

use std::time::Duration;

use common::network::{Network, eventually, relays};
use magnet_discord_sim::{Limits, SimConfig};
use serde_json::Value;

/// Messages per direction per pillar (`MAGNET_BRIDGE_BURST` to try a smaller run by hand).
fn burst() -> usize {
    std::env::var("MAGNET_BRIDGE_BURST")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

/// Three kill points among `total` sends, from a small deterministic generator.
fn kill_points(seed: u64, total: usize) -> Vec<usize> {
    let mut x = seed | 1;
    let mut points: Vec<usize> = (0..3)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            total / 10 + (x as usize) % (total * 8 / 10)
        })
        .collect();
    points.sort_unstable();
    points.dedup();
    points
}

/// The bot's message bodies in a Matrix room, oldest first.
async fn bodies_on_matrix(net: &Network, room: &str) -> Vec<String> {
    net.ayse
        .all_events(room)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e["sender"] == net.bot_user_id.as_str() && e["type"] == "m.room.message")
        .filter(|e| e["content"]["m.relates_to"]["rel_type"] != "m.replace")
        .filter_map(|e| e["content"]["body"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_messages_each_way_in_two_pillars_survive_three_sigkills() {
    let seed = common::seed();
    let n = burst();
    let kills = kill_points(seed, 2 * n);
    eprintln!(
        "kill schedule seed {seed} (MAGNET_TEST_SEED): SIGKILL after send number {kills:?} of {}",
        2 * n
    );
    // Rate limiting has its own tests; here Discord's limits are out of the way.
    let limits = Limits {
        channel_messages: (1_000_000, Duration::from_secs(1)),
        webhook_executions: (1_000_000, Duration::from_secs(1)),
        global_per_second: 1_000_000,
        ..Limits::default()
    };
    let net = Network::new(SimConfig {
        limits,
        ..SimConfig::default()
    })
    .await;
    let rooms = [net.authorities_room.clone(), net.civil_room.clone()];
    let channels = [net.authorities_channel, net.civil_channel];
    let mut process = net.start();

    // Both pillars at once: each step sends one message each way in each pillar.
    let mut sent_from_discord: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    for i in 0..n {
        for p in 0..2 {
            net.ayse.send_text(&rooms[p], &format!("m{p}-{i}")).await.unwrap();
            sent_from_discord[p].push(net.sim.post(channels[p], net.bora, &format!("d{p}-{i}")));
        }
        for step in [2 * i, 2 * i + 1] {
            if kills.contains(&step) {
                process.kill().unwrap();
                eprintln!("killed after send {step}");
                process = net.start();
            }
        }
    }

    for p in 0..2 {
        let want: Vec<String> = (0..n).map(|i| format!("m{p}-{i}")).collect();
        let got = eventually(&format!("{n} relays in Discord channel {p}"), || async {
            let got: Vec<String> = relays(&net.sim, channels[p]).into_iter().map(|m| m.content).collect();
            (got.len() >= n).then_some(got)
        })
        .await;
        assert_eq!(
            got, want,
            "seed {seed}: Discord channel {p} has every Matrix message once, in order"
        );

        let want: Vec<String> = (0..n).map(|i| format!("**Bora [Discord]**: d{p}-{i}")).collect();
        let got = eventually(&format!("{n} relays in Matrix room {p}"), || async {
            let got = bodies_on_matrix(&net, &rooms[p]).await;
            (got.len() >= n).then_some(got)
        })
        .await;
        assert_eq!(
            got, want,
            "seed {seed}: Matrix room {p} has every Discord message once, in order"
        );
    }

    // Edits and deletions after the restarts find their copies (the id map is durable).
    let p = 0;
    net.sim.edit(channels[p], sent_from_discord[p][3], "d0-3 (edited)");
    net.sim.delete(channels[p], sent_from_discord[p][4]);
    eventually("the edit on Matrix", || async {
        let events = net.ayse.all_events(&rooms[p]).await.unwrap();
        events
            .iter()
            .any(|e: &Value| e["content"]["m.new_content"]["body"] == "**Bora [Discord]**: d0-3 (edited)")
            .then_some(())
    })
    .await;
    eventually("the deletion on Matrix", || async {
        (!bodies_on_matrix(&net, &rooms[p])
            .await
            .contains(&"**Bora [Discord]**: d0-4".to_string()))
        .then_some(())
    })
    .await;
    process.stop(Duration::from_secs(30)).unwrap();
}
