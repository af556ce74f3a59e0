//! A month's report over a year of data, on SQLite and on PostgreSQL: 4 pillars,
//! 1,000,000 bridged messages (and as many deliveries), 500 meetings with their answers,
//! attendance and reminders, 100 surveys with 50,000 answers, 500 summaries with 2,000
//! action items. Measured: the time to gather October's figures from the report views and
//! write the Markdown, HTML (with its charts) and CSV files, and the peak resident memory
//! of the process that does it (a fresh process, apart from the one that seeds).
//!
//! Run with `scripts/bench --bench reports` (PostgreSQL comes from the test servers; without
//! them only SQLite is measured). `MAGNET_BENCH_MESSAGES` changes the message count.

#[path = "support/measure.rs"]
#[allow(dead_code)]
mod measure;

use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use magnet::config::ReportFormat;
use magnet::i18n::Lang;
use magnet::report::{period::Period, run};
use magnet::store::Store;
use measure::{env_number, percentile, rss_kb};
use sqlx::any::AnyPoolOptions;

const CONFIG: &str = r#"
[matrix]
homeserver = "http://127.0.0.1:1"
user_id = "@magnet:bench"
access_token_env = "MAGNET_BENCH_UNUSED"
[discord]
token_env = "MAGNET_BENCH_UNUSED"
application_id = "100000000000000009"
[[pillars]]
id = "p0"
name = "Migration authorities"
timezone = "UTC"
matrix_rooms = ["!a:bench"]
discord_channels = ["100000000000000001"]
[[pillars]]
id = "p1"
name = "Civil society"
timezone = "UTC"
matrix_rooms = ["!b:bench"]
discord_channels = ["100000000000000002"]
[[pillars]]
id = "p2"
name = "International community"
timezone = "UTC"
matrix_rooms = ["!c:bench"]
discord_channels = ["100000000000000003"]
[[pillars]]
id = "p3"
name = "Private sector and academia"
timezone = "UTC"
matrix_rooms = ["!d:bench"]
discord_channels = ["100000000000000004"]
"#;

/// 2026 in epoch milliseconds.
const YEAR_START: i64 = 1_767_225_600_000;
const YEAR_MS: i64 = 365 * 86_400_000;
const RUNS: usize = 5;

#[tokio::main]
async fn main() {
    // The config names a secret it never reads here.
    unsafe { std::env::set_var("MAGNET_BENCH_UNUSED", "unused") };
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--measure") {
        let url = args.next().expect("a database URL");
        measure_report(&url).await;
        return;
    }
    let messages = env_number("MAGNET_BENCH_MESSAGES", 1_000_000) as i64;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    bench("SQLite", &sqlite, messages).await;
    if std::env::var("MAGNET_TEST_PG_URL").is_ok() {
        let url = magnet_testkit::postgres::fresh_database().await;
        bench("PostgreSQL", &url, messages).await;
    } else {
        println!("PostgreSQL: not measured (no test servers; run through scripts/bench)");
    }
}

async fn bench(backend: &str, url: &str, messages: i64) {
    let started = Instant::now();
    seed(url, messages).await;
    println!("{backend}: seeded a year in {:.1} s", started.elapsed().as_secs_f64());
    // Measured in a process of its own, so its memory is the report's alone.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--measure", url])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    print!("{backend}: {}", String::from_utf8_lossy(&output.stdout));
}

async fn measure_report(url: &str) {
    let store = Store::connect(url, None, 4).await.unwrap();
    let period = Period {
        from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        zone: chrono_tz::UTC,
    };
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-01T08:00:00Z").unwrap().into();
    let out = tempfile::tempdir().unwrap();
    let mut took = Vec::new();
    let mut made = None;
    for n in 0..RUNS {
        let at = Instant::now();
        let dir = out.path().join(n.to_string());
        made = Some(
            run::make(
                &store,
                &period,
                None,
                &[ReportFormat::Markdown, ReportFormat::Html, ReportFormat::Csv],
                &dir,
                Lang::En,
                now,
            )
            .await
            .unwrap(),
        );
        took.push(at.elapsed().as_millis() as i64);
    }
    let made = made.unwrap();
    let html = std::fs::metadata(made.dir.join("report.html")).unwrap().len();
    let figures = magnet::report::figures::gather(&store, &period, None, Lang::En, now)
        .await
        .unwrap();
    let messages: i64 = figures.pillars.iter().map(|p| p.messages).sum();
    took.sort_unstable();
    println!(
        "October's report ({messages} messages in it): median {} ms, max {} ms over {RUNS} runs; HTML {} KB; peak RSS {} MB",
        percentile(&took, 0.5),
        took[took.len() - 1],
        html / 1024,
        rss_kb(std::process::id(), "VmHWM:") / 1024,
    );
    store.close().await;
}

/// A year of a network's life, written with set-based SQL (each backend's way of counting).
async fn seed(url: &str, messages: i64) {
    let store = Store::connect(url, None, 2).await.unwrap();
    store.migrate().await.unwrap();
    let config = magnet::config::parse(std::path::Path::new("bench.toml"), CONFIG).unwrap();
    store.sync_config(&config).await.unwrap();
    let postgres = url.starts_with("postgres");
    store.close().await;
    let pool = AnyPoolOptions::new().max_connections(1).connect(url).await.unwrap();
    // `numbers(i)` from 0 to n - 1.
    let numbers = |n: i64| {
        if postgres {
            format!(
                "(SELECT g AS i FROM generate_series(CAST(0 AS BIGINT), {}) AS g) numbers",
                n - 1
            )
        } else {
            format!(
                "(WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < {}) SELECT i FROM c) numbers",
                n - 1
            )
        }
    };
    let step = YEAR_MS / messages;
    let statements = vec![
        "CREATE TABLE bench_rooms (k BIGINT PRIMARY KEY, room_id BIGINT NOT NULL, other BIGINT NOT NULL, pillar_id TEXT NOT NULL)"
            .to_string(),
        // Room k (0-7): pillar k/2, Matrix for even k; `other` is the pillar's other room.
        "INSERT INTO bench_rooms (k, room_id, other, pillar_id)
         SELECT ROW_NUMBER() OVER (ORDER BY pillar_id, platform DESC) - 1, r.id,
                (SELECT o.id FROM rooms o WHERE o.pillar_id = r.pillar_id AND o.id <> r.id), r.pillar_id
           FROM rooms r WHERE r.pillar_id IS NOT NULL"
            .to_string(),
        format!(
            "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id)
             SELECT b.pillar_id, b.room_id, {YEAR_START} + i * {step}, 'user' || CAST(i % 397 AS TEXT)
               FROM {} JOIN bench_rooms b ON b.k = i % 8",
            numbers(messages)
        ),
        format!(
            "INSERT INTO deliveries (room_id, seq, action, state, attempts, not_before, created_at, updated_at)
             SELECT b.other, i + 1, 'send', CASE WHEN i % 5000 = 0 THEN 'dead' ELSE 'delivered' END,
                    CASE WHEN i % 1000 = 0 THEN 3 ELSE 1 END, 0, {YEAR_START} + i * {step}, 0
               FROM {} JOIN bench_rooms b ON b.k = i % 8",
            numbers(messages)
        ),
        // 500 meetings, one session each, spread over the year.
        format!(
            "INSERT INTO meetings (id, pillar_id, title, starts_at, duration_minutes, timezone, reminder_offsets, state, created_by, created_at, updated_at)
             SELECT i + 1, 'p' || CAST(i % 4 AS TEXT), 'Meeting ' || CAST(i AS TEXT), {YEAR_START} + i * {day}, 60, 'UTC', '3600', 'scheduled', 'bench', 0, 0
               FROM {}",
            numbers(500),
            day = YEAR_MS / 500
        ),
        format!(
            "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, state)
             SELECT i + 1, i + 1, {YEAR_START} + i * {day}, CASE WHEN i % 10 = 0 THEN 'cancelled' ELSE 'held' END FROM {}",
            numbers(500),
            day = YEAR_MS / 500
        ),
        format!(
            "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at)
             SELECT i / 10 + 1, 'matrix', '@u' || CAST(i % 10 AS TEXT) || ':bench', 'U',
                    CASE WHEN i % 3 = 0 THEN 'no' WHEN i % 3 = 1 THEN 'maybe' ELSE 'yes' END, 0 FROM {}",
            numbers(5000)
        ),
        format!(
            "INSERT INTO attendance (occurrence_id, platform, user_id, display_name, recorded_at)
             SELECT i / 8 + 1, 'matrix', '@u' || CAST(i % 8 AS TEXT) || ':bench', 'U', 0 FROM {}",
            numbers(4000)
        ),
        format!(
            "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state, sent_at, late)
             SELECT i / 2 + 1, b.room_id, 3600 + i % 2, {YEAR_START} + (i / 2) * {day} - 3600000,
                    CASE WHEN i % 50 = 0 THEN 'missed' ELSE 'sent' END, 0, CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END
               FROM {} JOIN bench_rooms b ON b.k = (i / 2 % 4) * 2",
            numbers(1000),
            day = YEAR_MS / 500
        ),
        // 100 surveys of one question, 500 answers each.
        format!(
            "INSERT INTO surveys (id, title, state, created_by, created_at, opens_at, closes_at, closed_at)
             SELECT i + 1, 'Survey ' || CAST(i AS TEXT), 'closed', 'bench', 0, {YEAR_START} + i * {d}, {YEAR_START} + i * {d} + 604800000,
                    {YEAR_START} + i * {d} + 604800000 FROM {}",
            numbers(100),
            d = YEAR_MS / 100
        ),
        format!("INSERT INTO survey_pillars (survey_id, pillar_id) SELECT i + 1, 'p' || CAST(i % 4 AS TEXT) FROM {}", numbers(100)),
        format!(
            "INSERT INTO survey_questions (id, survey_id, position, kind, prompt, options)
             SELECT i + 1, i + 1, 1, 'choice', 'Which?', '[\"A\",\"B\",\"C\"]' FROM {}",
            numbers(100)
        ),
        format!(
            "INSERT INTO survey_answers (question_id, voter, platform, user_id, pillar_id, answer, answered_at)
             SELECT i / 500 + 1, 'matrix:v' || CAST(i AS TEXT), 'matrix', 'v' || CAST(i AS TEXT), 'p' || CAST(i / 500 % 4 AS TEXT),
                    '{{\"choices\":[' || CAST(i % 3 AS TEXT) || ']}}', 0 FROM {}",
            numbers(50_000)
        ),
        format!(
            "INSERT INTO survey_reach (survey_id, pillar_id, platform, members)
             SELECT i + 1, 'p' || CAST(i % 4 AS TEXT), 'matrix', 800 FROM {}",
            numbers(100)
        ),
        // 500 summaries, 2 decisions and 4 actions each.
        format!(
            "INSERT INTO summaries (id, pillar_id, state, text, created_by, created_at, updated_at, published_at, source_event)
             SELECT i + 1, 'p' || CAST(i % 4 AS TEXT), 'published', 'Summary text ' || CAST(i AS TEXT), 'bench',
                    {YEAR_START} + i * {d}, 0, {YEAR_START} + i * {d}, 'bench-' || CAST(i AS TEXT) FROM {}",
            numbers(500),
            d = YEAR_MS / 500
        ),
        format!(
            "INSERT INTO decisions (summary_id, position, text) SELECT i / 2 + 1, i % 2, 'Decision ' || CAST(i AS TEXT) FROM {}",
            numbers(1000)
        ),
        format!(
            "INSERT INTO action_items (summary_id, position, description, owner_name, due_date, state, created_at, closed_at)
             SELECT i / 4 + 1, i % 4, 'Action ' || CAST(i AS TEXT), 'Owner', '2026-' || CASE WHEN i % 12 < 9 THEN '0' ELSE '' END || CAST(i % 12 + 1 AS TEXT) || '-15',
                    CASE WHEN i % 3 = 0 THEN 'done' ELSE 'open' END, {YEAR_START} + (i / 4) * {d},
                    CASE WHEN i % 3 = 0 THEN {YEAR_START} + (i / 4) * {d} + 86400000 ELSE NULL END FROM {}",
            numbers(2000),
            d = YEAR_MS / 500
        ),
        "DROP TABLE bench_rooms".to_string(),
    ];
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    // Both keep statistics for their planners; a real database has them too.
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
}
