//! The scheduler with a full calendar: 100,000 future occurrences (100 meetings of 1,000
//! starts, 25 a pillar; four pillars of a Matrix room and a Discord channel each, so
//! 200,000 pending reminders) in the bot's SQLite database, and the release `magnet`
//! binary between the test Synapse and the Discord simulator:
//!
//! - time to start: from spawning the bot to its "scheduler ready" log line (and the
//!   `took_ms` of the first round, as the line reports it);
//! - lateness of due reminders, the send excluded: `MAGNET_BENCH_DUE` (default 200) more
//!   meetings whose reminders fall due over 20 seconds; claim time minus due time;
//! - the bot's resident memory once those are claimed;
//! - CPU while idle: 20 seconds in which nothing is due, in CPU seconds and % of one core.
//!
//! Run with `scripts/bench --bench schedule`.

#[path = "support/measure.rs"]
mod measure;
#[path = "../tests/common/network.rs"]
#[allow(dead_code)]
mod network;

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use measure::{env_number, percentile, rss_kb, unlimited_sim};

use chrono::Utc;
use magnet::store::{NewMeeting, Store, Stretch};
use magnet_testkit::{MagnetProcess, Synapse};
use network::Network;
use sqlx::AnyPool;

const PILLARS: [&str; 4] = ["authorities", "civil-society", "pillar-0", "pillar-1"];
const FUTURE_MEETINGS: usize = 100;
const STARTS_PER_MEETING: i64 = 1_000;
/// Every reminder is an hour before its meeting.
const OFFSET_S: i64 = 3_600;
/// The due-soon reminders fall due over this span, from 15 s after the big insertion.
const DUE_SPREAD_MS: i64 = 20_000;
const DUE_LEAD_MS: i64 = 15_000;
/// USER_HZ: the unit of utime and stime in /proc/<pid>/stat on Linux.
const TICKS_PER_SECOND: f64 = 100.0;
const IDLE_WINDOW: Duration = Duration::from_secs(20);

fn meeting(pillar: &str, title: String, first_start: i64) -> NewMeeting {
    NewMeeting {
        pillar_id: pillar.to_string(),
        title,
        starts_at: first_start,
        duration_minutes: 30,
        timezone: "UTC".into(),
        recurrence: None,
        until_at: None,
        agenda: None,
        location: None,
        reminder_offsets: vec![OFFSET_S],
        created_by: "bench".into(),
        source_event: None,
    }
}

/// Adds a meeting with all its starts written at once: no series left to extend, so the
/// scheduler's work is the occurrences and reminders themselves.
async fn add(store: &Store, meeting: &NewMeeting, starts: Vec<i64>) {
    let stretch = Stretch {
        starts,
        unwritten_from: None,
    };
    store
        .add_meeting(meeting, &stretch, Utc::now().timestamp_millis(), |_| Vec::new())
        .await
        .unwrap();
}

/// 100 meetings of 1,000 starts every 10 minutes from 2 days on: nothing of theirs falls
/// due during the run (the first reminder is 47 hours away).
async fn insert_future(store: &Store) -> Duration {
    let started = Instant::now();
    let from = Utc::now().timestamp_millis() + 2 * 86_400_000;
    for n in 0..FUTURE_MEETINGS {
        let starts = (0..STARTS_PER_MEETING).map(|k| from + k * 600_000).collect();
        let pillar = PILLARS[n % PILLARS.len()];
        add(store, &meeting(pillar, format!("Future {n:03}"), from), starts).await;
    }
    started.elapsed()
}

/// `count` one-off meetings, spread over the pillars, whose reminders fall due one after
/// another over `DUE_SPREAD_MS` from `first_due` (epoch ms). Returns how many reminder
/// rows that makes (one per room of the pillar).
async fn insert_due_soon(store: &Store, count: usize, first_due: i64, rooms: &[i64]) -> i64 {
    let mut reminders = 0;
    for n in 0..count {
        let due_at = first_due + n as i64 * DUE_SPREAD_MS / count as i64;
        let start = due_at + OFFSET_S * 1000;
        let pillar = n % PILLARS.len();
        let due_soon = meeting(PILLARS[pillar], format!("Due {n:03}"), start);
        add(store, &due_soon, vec![start]).await;
        reminders += rooms[pillar];
    }
    reminders
}

/// Reminders in the given states, by the store's own counts.
async fn in_states(store: &Store, states: &[&str]) -> i64 {
    let counts = store.reminder_counts().await.unwrap();
    counts
        .iter()
        .filter(|(state, _)| states.contains(&state.as_str()))
        .map(|(_, n)| n)
        .sum()
}

/// Pending reminders due by `by`. Polled while the bot works, so it must be cheap: it reads
/// the partial index on pending reminders, where grouping all 200,000 rows by state (as
/// `reminder_counts` does) would take CPU from the bot being measured.
async fn pending_due_by(db: &AnyPool, by: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM reminders WHERE state = 'pending' AND due_at <= $1")
        .bind(by)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Claim time minus due time of every reminder claimed so far (only the due-soon ones are).
async fn lateness_ms(db: &AnyPool) -> Vec<i64> {
    sqlx::query_scalar("SELECT claimed_at - due_at FROM reminders WHERE claimed_at IS NOT NULL")
        .fetch_all(db)
        .await
        .unwrap()
}

/// Re-checks `check` every 200 ms until it holds; false if `limit` passes first.
async fn poll<F, Fut>(limit: Duration, check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn took_ms(log_line: &str) -> Option<i64> {
    log_line
        .split_whitespace()
        .find_map(|word| word.strip_prefix("took_ms="))
        .and_then(|ms| ms.parse().ok())
}

fn summary(name: &str, mut samples: Vec<i64>) {
    samples.sort_unstable();
    let Some(&max) = samples.last() else {
        println!("{name:<44} no samples");
        return;
    };
    println!(
        "{name:<44} p50 {:>5} ms  p90 {:>5} ms  p99 {:>5} ms  max {max:>5} ms  (n={})",
        percentile(&samples, 0.5),
        percentile(&samples, 0.9),
        percentile(&samples, 0.99),
        samples.len()
    );
}

/// utime + stime in clock ticks: fields 14 and 15 of /proc/<pid>/stat, counted after the
/// `)` that closes the command name (a name may hold spaces or parentheses).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    // The first field after the name is field 3, so fields 14 and 15 are the 12th and 13th.
    after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|ticks| ticks.parse::<u64>().ok())
        .sum()
}

#[tokio::main]
async fn main() {
    let due = env_number("MAGNET_BENCH_DUE", 200);
    // Discord's per-channel limits would stretch the sends over a minute; lateness is
    // measured at the claim, and the idle window should be idle, so lift them.
    let sim = unlimited_sim();
    let net = Network::with_pillars(Synapse::from_env(), sim, 2).await;

    // The rooms as the bot records them, so that reminders are written for each.
    let store = Store::connect(&net.database_url, None, 1).await.unwrap();
    store.migrate().await.unwrap();
    store
        .sync_config(&magnet::config::load(&net.config).unwrap())
        .await
        .unwrap();
    let mut rooms = Vec::new();
    for pillar in PILLARS {
        rooms.push(store.pillar_rooms(pillar).await.unwrap().len() as i64);
    }
    let insert_time = insert_future(&store).await;
    let first_due = Utc::now().timestamp_millis() + DUE_LEAD_MS;
    let last_due = first_due + DUE_SPREAD_MS;
    let expected = insert_due_soon(&store, due, first_due, &rooms).await;
    let pending = in_states(&store, &["pending"]).await;

    let spawned = Instant::now();
    let spawned_at = Utc::now().timestamp_millis();
    let bot = MagnetProcess::start(Path::new(network::BIN), &net.config, net.dir.path(), &[]).unwrap();
    let ready = bot.wait_for_log("scheduler ready", Duration::from_secs(120)).unwrap();
    let start_time = spawned.elapsed();
    let pid = bot.pid();

    // The bench's own queries go through a pool of their own: the store's pool is not public.
    sqlx::any::install_default_drivers();
    let db = AnyPool::connect(&net.database_url).await.unwrap();
    let db = &db;
    let claimed = poll(Duration::from_secs(120), move || async move {
        pending_due_by(db, last_due).await == 0
    })
    .await;
    assert!(claimed, "the due reminders were still pending after 120 s");
    let left = in_states(&store, &["claimed", "sent", "late", "missed"]).await;
    assert_eq!(left, expected, "reminders that left pending, against those due");
    let missed = in_states(&store, &["missed"]).await;
    let lateness = lateness_ms(db).await;
    let (rss, peak) = (rss_kb(pid, "VmRSS:"), rss_kb(pid, "VmHWM:"));

    // Idle means the sends are done too, not only the claims; the simulator's rate limits
    // may keep them going longer, so give them a while and say how it ended.
    let store_ref = &store;
    let drained = poll(Duration::from_secs(30), move || async move {
        in_states(store_ref, &["claimed"]).await == 0
    })
    .await;
    let before = cpu_ticks(pid);
    // A measuring window, not a wait for a result: nothing is due in it.
    tokio::time::sleep(IDLE_WINDOW).await;
    let idle_cpu = cpu_ticks(pid).saturating_sub(before) as f64 / TICKS_PER_SECOND;

    bot.stop(Duration::from_secs(30)).unwrap();
    db.close().await;
    store.close().await;

    println!("\nschedule bench: 100,000 future occurrences, 4 pillars of 2 rooms, SQLite");
    let insert_s = insert_time.as_secs_f64();
    println!("{:<44} {insert_s:.1} s", "inserting them through the store");
    println!("{:<44} {pending}", "reminders pending when the bot starts");
    println!(
        "{:<44} {:.2} s (first round took {} ms; first reminder due {:.1} s after spawning)",
        "time to start (spawn to \"scheduler ready\")",
        start_time.as_secs_f64(),
        took_ms(&ready).map_or("?".into(), |ms| ms.to_string()),
        (first_due - spawned_at) as f64 / 1000.0
    );
    summary(&format!("lateness, claim - due ({due} meetings)"), lateness);
    println!("{:<44} {missed}", "  of which recorded as missed");
    println!(
        "{:<44} {:.1} MB (peak {:.1} MB)",
        "magnet RSS once they were claimed",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    println!(
        "{:<44} {idle_cpu:.2} CPU s = {:.2}% of one core (sends drained before: {})",
        format!("CPU while idle ({} s, nothing due)", IDLE_WINDOW.as_secs()),
        idle_cpu / IDLE_WINDOW.as_secs_f64() * 100.0,
        if drained { "yes" } else { "no" }
    );
}
