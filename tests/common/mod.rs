//! Helpers shared by the end-to-end tests that run the `magnet` binary: reading what it
//! committed, and a replayable kill schedule.

#![allow(dead_code)]

pub mod network;

use std::time::{Duration, Instant};

use magnet::store::Store;
use magnet_chat::Platform;

/// The message events committed in a room so far, in commit order.
pub async fn committed(store: &Store, platform: Platform, room: &str) -> Vec<String> {
    let Some(row) = store.room(platform, room).await.unwrap() else {
        return Vec::new();
    };
    let events = store.inbound_events(row.id).await.unwrap();
    events
        .into_iter()
        .filter(|(_, kind)| kind == "message")
        .map(|(id, _)| id)
        .collect()
}

/// Waits (re-reading the database as the bot writes it) until `count` messages are there,
/// or `timeout` passes; returns what is there.
pub async fn wait_for_committed(
    store: &Store,
    platform: Platform,
    room: &str,
    count: usize,
    timeout: Duration,
) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let events = committed(store, platform, room).await;
        if events.len() >= count || Instant::now() > deadline {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The seed for a kill schedule: `MAGNET_TEST_SEED`, or the clock (printed by the caller).
pub fn seed() -> u64 {
    std::env::var("MAGNET_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        })
}

/// Two kill points in a burst of 300, from a small deterministic generator, so a failing
/// schedule can be replayed with the same seed.
pub fn kill_points(seed: u64) -> (usize, usize) {
    let mut x = seed | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (20 + (next() % 100) as usize, 150 + (next() % 100) as usize)
}

/// Opens the SQLite database a bot under test writes.
pub async fn open_sqlite(path: &std::path::Path) -> Store {
    Store::connect(&format!("sqlite://{}", path.display()), None, 1)
        .await
        .unwrap()
}
