//! People repeat themselves: "+1", "ok", "thanks" all day. Here one person on each side
//! says "+1" again and again while the bot dies at the worst moments: after a delivery is
//! marked sending but before it reaches Discord (so an earlier, identical "+1" is all the
//! channel shows), after a relay reached Discord but before it was recorded, and the same
//! towards Matrix. Every "+1" arrives exactly once each way, nothing is dead-lettered and
//! nothing waits, on SQLite and on PostgreSQL.

mod common;

use std::path::Path;
use std::time::Duration;

use common::network::{BIN, Network, WAIT, eventually, relays, unthrottled};
use magnet_testkit::MagnetProcess;

/// "+1"s per direction.
const N: usize = 80;
const FAULT: &str = "MAGNET_FAULT_ABORT_AT";

/// Starts the bot aborting at `point` and waits until it has (without waiting for it to
/// report ready: with work left from before it may reach the point first).
fn crash_at(net: &Network, point: &str) {
    let mut process = MagnetProcess::start(Path::new(BIN), &net.config, net.dir.path(), &[(FAULT, point)]).unwrap();
    let status = process.wait(WAIT).unwrap();
    assert!(!status.success(), "the bot aborted at {point}: {status:?}");
    let log = process.log_lines().join("\n");
    assert!(
        log.contains(&format!("fault point `{}`", point.split('@').next().unwrap())),
        "{log}"
    );
}

async fn plus_ones_through_crashes(net: Network) {
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    // 1. Marked sending, then dead before the 20th relay reached Discord: the channel's
    //    newest relay by the bot is the 19th "+1", by the same person, with the same text.
    let mut first = net.start_with(&[(FAULT, "delivery-sending:discord@20")]);
    for _ in 0..N {
        net.ayse.send_text(&room, "+1").await.unwrap();
        net.sim.post(channel, net.bora, "+1");
    }
    let status = first.wait(WAIT).unwrap();
    assert!(
        !status.success(),
        "the bot aborted at the first crash point: {status:?}"
    );
    // 2. Relayed to Discord, dead before it was recorded.
    crash_at(&net, "delivery-sent:discord@5");
    // 3. Relayed to Matrix, dead before it was recorded.
    crash_at(&net, "delivery-sent:matrix@5");
    let process = net.start();

    let on_discord = eventually(&format!("{N} relays on Discord"), || async {
        let got = relays(&net.sim, channel);
        (got.len() >= N).then_some(got)
    })
    .await;
    let on_matrix = eventually(&format!("{N} relays on Matrix"), || async {
        let got = net.bot_bodies(&room).await.unwrap();
        (got.len() >= N).then_some(got)
    })
    .await;
    // Everything is done: no delivery open, none given up on.
    let dead = eventually("every delivery done", || async {
        let store = net.store().await;
        let counts = store.delivery_counts().await.unwrap();
        store.close().await;
        let count = |state: &str| counts.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
        (count("pending") + count("sending") == 0).then_some(count("dead"))
    })
    .await;
    assert_eq!(dead, 0, "no delivery dead-lettered");
    // Once each: nothing more came while the queues emptied.
    let on_discord_after = relays(&net.sim, channel);
    assert_eq!(on_discord_after.len(), N, "each Matrix +1 once on Discord");
    assert!(
        on_discord
            .iter()
            .all(|m| m.content == "+1" && m.author_name == "Ayşe [Matrix]")
    );
    let on_matrix_after = net.bot_bodies(&room).await.unwrap();
    assert_eq!(on_matrix_after.len(), N, "each Discord +1 once on Matrix");
    assert!(on_matrix.iter().all(|b| b == "**Bora [Discord]**: +1"), "{on_matrix:?}");
    process.stop(Duration::from_secs(30)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_messages_cross_once_each_through_crashes_at_every_step() {
    plus_ones_through_crashes(Network::new(unthrottled()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_with_the_database_on_postgresql() {
    let url = magnet_testkit::postgres::fresh_database().await;
    plus_ones_through_crashes(Network::on_postgres(unthrottled(), url).await).await;
}
