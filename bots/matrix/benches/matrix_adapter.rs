//! Benchmarks of the Matrix adapter against the real Synapse that `scripts/bench` starts:
//! time from start to the first sync (first login, and a restored session), resident
//! memory of the process with the adapter idle in 8 rooms, and per-message receive
//! latency (homeserver timestamp to the core's commit).
//!
//! Run with `scripts/bench --bench matrix_adapter`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use magnet_chat::{Commit, EventSink, InboundEvent, Platform, ResumePoint, SinkError};
use magnet_matrix::{Credential, MatrixAdapter, MatrixSettings};
use magnet_testkit::Synapse;
use tokio::sync::mpsc;

/// Records when each event was committed, relative to its homeserver timestamp.
struct TimingSink {
    latencies: mpsc::UnboundedSender<(String, i64, Instant)>,
    positions: Mutex<HashMap<String, ResumePoint>>,
}

#[async_trait::async_trait]
impl EventSink for TimingSink {
    async fn commit(&self, event: InboundEvent) -> Result<Commit, SinkError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
        let _ = self
            .latencies
            .send((event.event_id.clone(), now - event.timestamp_ms, Instant::now()));
        let point = ResumePoint {
            event_id: event.event_id,
            timestamp_ms: event.timestamp_ms,
        };
        self.positions.lock().unwrap().insert(event.room, point);
        Ok(Commit::Recorded)
    }
    async fn resume_point(&self, _: Platform, room: &str) -> Result<Option<ResumePoint>, SinkError> {
        Ok(self.positions.lock().unwrap().get(room).cloned())
    }
    async fn mark_start(&self, _: Platform, room: &str, start: ResumePoint) -> Result<(), SinkError> {
        self.positions.lock().unwrap().entry(room.to_string()).or_insert(start);
        Ok(())
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    if std::env::var("MAGNET_TEST_SYNAPSE_URL").is_err() {
        eprintln!("matrix_adapter bench: needs the servers; run `scripts/bench --bench matrix_adapter`");
        return;
    }
    let synapse = Synapse::from_env();
    let bot = synapse.register_user("benchbot").await.unwrap();
    let alice = synapse.register_user("alice").await.unwrap();
    let mut rooms = Vec::new();
    for n in 0..8 {
        rooms.push(
            alice
                .create_room(&format!("bench room {n}"), &[&bot.user_id])
                .await
                .unwrap(),
        );
    }
    let store = tempfile::tempdir().unwrap();
    let settings = MatrixSettings {
        homeserver: synapse.url.clone(),
        user_id: bot.user_id.clone(),
        credential: Credential::Password(bot.password.clone()),
        store_dir: store.path().join("matrix"),
        device_name: "bench".into(),
        rooms: rooms.clone(),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sink = Arc::new(TimingSink {
        latencies: tx,
        positions: Mutex::new(HashMap::new()),
    });
    let rss_before = rss_kib();

    let started = Instant::now();
    let adapter = MatrixAdapter::start(settings.clone(), sink.clone()).await.unwrap();
    let first_start = started.elapsed();
    adapter.shutdown();
    drop(adapter);
    let started = Instant::now();
    let adapter = MatrixAdapter::start(settings, sink.clone()).await.unwrap();
    let restored_start = started.elapsed();

    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_idle = rss_kib();

    // One message at a time, so each is measured alone, not queued behind the others.
    let mut latencies = Vec::new();
    let mut after_send = Vec::new();
    for n in 0..200 {
        let room = &rooms[n % rooms.len()];
        let sent = alice.send_text(room, &format!("latency probe {n}")).await.unwrap();
        let returned = Instant::now();
        loop {
            let (event_id, latency, at) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .unwrap()
                .unwrap();
            if event_id == sent {
                latencies.push(latency);
                after_send.push(at.saturating_duration_since(returned).as_millis() as i64);
                break;
            }
        }
    }
    latencies.sort_unstable();
    after_send.sort_unstable();
    adapter.shutdown();

    println!("matrix adapter, Synapse on loopback, 8 rooms");
    println!(
        "  start to ready (first login, joins 8 rooms): {:>6} ms",
        first_start.as_millis()
    );
    println!(
        "  start to ready (restored session):           {:>6} ms",
        restored_start.as_millis()
    );
    println!(
        "  RSS of the bench process: {} KiB before, {} KiB with the adapter idle in 8 rooms",
        rss_before, rss_idle
    );
    println!(
        "  receive latency, homeserver timestamp to commit, {} messages: median {} ms, p90 {} ms, p99 {} ms, max {} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().unwrap()
    );
    println!(
        "  the same, from the sender's send returning to commit: median {} ms, p90 {} ms, p99 {} ms",
        percentile(&after_send, 0.5),
        percentile(&after_send, 0.9),
        percentile(&after_send, 0.99)
    );
}
