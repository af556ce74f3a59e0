//! Reports against a seeded database, on SQLite and on PostgreSQL: the figures are the ones
//! a hand count of the seed gives, table by table; the CSV files parse with a standard CSV
//! reader; the chat text fits a chat message; the HTML holds its charts.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use magnet::config::{self, ReportFormat};
use magnet::i18n::Lang;
use magnet::report::{figures, period::Period, render, run};
use magnet::store::Store;
use sqlx::any::AnyPoolOptions;

const CONFIG: &str = r##"
[matrix]
homeserver = "https://matrix.example.org"
user_id = "@magnet:example.org"
password_file = "{secret}"
[discord]
token_file = "{secret}"
application_id = "1093848219043012608"
[secretariat]
matrix_rooms = ["!sec:example.org"]
[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "UTC"
matrix_rooms = ["!auth:example.org"]
discord_channels = ["1093848219043012610"]
[[pillars]]
id = "civil-society"
name = "Civil society"
timezone = "UTC"
matrix_rooms = ["!civil:example.org"]
discord_channels = ["1093848219043012611"]
"##;

fn ms(text: &str) -> i64 {
    DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
}

/// The seed: what November 2026 brought, and a little from before and after it.
const SEED: &[&str] = &[
    // Meetings: #1 of the authorities, #2 of civil society.
    "INSERT INTO meetings (id, pillar_id, title, starts_at, duration_minutes, timezone, reminder_offsets, state, created_by, created_at, updated_at)
     VALUES (1, 'authorities', 'Weekly sync', {2026-11-03T10:00:00Z}, 60, 'UTC', '3600', 'scheduled', 'seed', 0, 0)",
    "INSERT INTO meetings (id, pillar_id, title, starts_at, duration_minutes, timezone, reminder_offsets, state, created_by, created_at, updated_at)
     VALUES (2, 'civil-society', 'Monthly', {2026-10-30T10:00:00Z}, 60, 'UTC', '3600', 'scheduled', 'seed', 0, 0)",
    "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, state) VALUES (1, 1, {2026-11-03T10:00:00Z}, 'held')",
    "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, state) VALUES (2, 1, {2026-11-10T10:00:00Z}, 'cancelled')",
    "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, state) VALUES (4, 1, {2026-11-18T10:00:00Z}, 'held')",
    "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, state, moved_to) VALUES (3, 1, {2026-11-17T10:00:00Z}, 'moved', 4)",
    "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, state) VALUES (5, 1, {2026-12-01T10:00:00Z}, 'scheduled')",
    "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, state) VALUES (6, 2, {2026-10-30T10:00:00Z}, 'held')",
    "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at) VALUES (1, 'matrix', '@a:x', 'A', 'yes', 0)",
    "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at) VALUES (1, 'discord', '11', 'B', 'yes', 0)",
    "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at) VALUES (1, 'discord', '12', 'C', 'maybe', 0)",
    "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at) VALUES (1, 'matrix', '@d:x', 'D', 'no', 0)",
    "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at) VALUES (3, 'matrix', '@a:x', 'A', 'yes', 0)",
    "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at) VALUES (4, 'matrix', '@a:x', 'A', 'yes', 0)",
    "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at) VALUES (6, 'matrix', '@e:x', 'E', 'yes', 0)",
    "INSERT INTO attendance (occurrence_id, platform, user_id, display_name, recorded_at) VALUES (1, 'matrix', '@a:x', 'A', 0)",
    "INSERT INTO attendance (occurrence_id, platform, user_id, display_name, recorded_at) VALUES (1, 'discord', '11', 'B', 0)",
    "INSERT INTO attendance (occurrence_id, platform, user_id, display_name, recorded_at) VALUES (4, 'matrix', '@a:x', 'A', 0)",
    // Reminders of the authorities' sessions: 3 on time, 1 late, 1 missed in November.
    "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state, sent_at, late) VALUES (1, {room:!auth:example.org}, 3600, {2026-11-03T09:00:00Z}, 'sent', 0, 0)",
    "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state, sent_at, late) VALUES (1, {room:1093848219043012610}, 3600, {2026-11-03T09:00:00Z}, 'sent', 0, 0)",
    "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state, sent_at, late) VALUES (4, {room:!auth:example.org}, 3600, {2026-11-18T09:00:00Z}, 'sent', 0, 0)",
    "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state, sent_at, late) VALUES (4, {room:1093848219043012610}, 3600, {2026-11-18T09:00:00Z}, 'sent', 0, 1)",
    "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state, late) VALUES (1, {room:!auth:example.org}, 86400, {2026-11-02T10:00:00Z}, 'missed', 0)",
    "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state, sent_at, late) VALUES (6, {room:!civil:example.org}, 3600, {2026-10-30T09:00:00Z}, 'sent', 0, 0)",
    // Messages: the authorities 5 on Matrix from 2 people, 3 on Discord from 3; one in October.
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:!auth:example.org}, {2026-11-02T08:00:00Z}, '@a:x')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:!auth:example.org}, {2026-11-02T09:00:00Z}, '@a:x')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:!auth:example.org}, {2026-11-05T09:00:00Z}, '@d:x')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:!auth:example.org}, {2026-11-05T10:00:00Z}, '@a:x')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:!auth:example.org}, {2026-11-30T23:59:00Z}, '@d:x')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:1093848219043012610}, {2026-11-05T11:00:00Z}, '11')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:1093848219043012610}, {2026-11-06T11:00:00Z}, '12')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:1093848219043012610}, {2026-11-06T12:00:00Z}, '13')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('authorities', {room:!auth:example.org}, {2026-10-31T23:59:00Z}, '@z:x')",
    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ('civil-society', {room:!civil:example.org}, {2026-11-07T10:00:00Z}, '@e:x')",
    // Deliveries to the authorities' rooms: 4 at once, 1 after 3 tries, 1 dead after 10.
    "INSERT INTO deliveries (room_id, seq, action, state, attempts, not_before, created_at, updated_at) VALUES ({room:!auth:example.org}, 1, 'send', 'delivered', 1, 0, {2026-11-02T08:00:00Z}, 0)",
    "INSERT INTO deliveries (room_id, seq, action, state, attempts, not_before, created_at, updated_at) VALUES ({room:!auth:example.org}, 2, 'send', 'delivered', 1, 0, {2026-11-02T08:00:00Z}, 0)",
    "INSERT INTO deliveries (room_id, seq, action, state, attempts, not_before, created_at, updated_at) VALUES ({room:!auth:example.org}, 3, 'send', 'delivered', 3, 0, {2026-11-05T08:00:00Z}, 0)",
    "INSERT INTO deliveries (room_id, seq, action, state, attempts, not_before, created_at, updated_at) VALUES ({room:1093848219043012610}, 1, 'send', 'delivered', 1, 0, {2026-11-05T08:00:00Z}, 0)",
    "INSERT INTO deliveries (room_id, seq, action, state, attempts, not_before, created_at, updated_at) VALUES ({room:1093848219043012610}, 2, 'send', 'delivered', 1, 0, {2026-11-06T08:00:00Z}, 0)",
    "INSERT INTO deliveries (room_id, seq, action, state, attempts, not_before, created_at, updated_at) VALUES ({room:1093848219043012610}, 3, 'send', 'dead', 10, 0, {2026-11-06T08:00:00Z}, 0)",
    // A survey of the authorities closed on 20 November: A twice, B once; 15 members.
    "INSERT INTO surveys (id, title, state, created_by, created_at, opens_at, closes_at, closed_at) VALUES (1, 'Venue?', 'closed', 'seed', 0, {2026-11-10T00:00:00Z}, {2026-11-20T00:00:00Z}, {2026-11-20T00:00:00Z})",
    "INSERT INTO survey_pillars (survey_id, pillar_id) VALUES (1, 'authorities')",
    "INSERT INTO survey_questions (id, survey_id, position, kind, prompt, options) VALUES (1, 1, 1, 'choice', 'Where?', '[\"Ankara\",\"Online\"]')",
    "INSERT INTO survey_answers (question_id, voter, platform, user_id, pillar_id, answer, answered_at) VALUES (1, 'matrix:@a:x', 'matrix', '@a:x', 'authorities', '{\"choices\":[0]}', 0)",
    "INSERT INTO survey_answers (question_id, voter, platform, user_id, pillar_id, answer, answered_at) VALUES (1, 'discord:11', 'discord', '11', 'authorities', '{\"choices\":[0]}', 0)",
    "INSERT INTO survey_answers (question_id, voter, platform, user_id, pillar_id, answer, answered_at) VALUES (1, 'discord:12', 'discord', '12', 'authorities', '{\"choices\":[1]}', 0)",
    "INSERT INTO survey_reach (survey_id, pillar_id, platform, members) VALUES (1, 'authorities', 'matrix', 10)",
    "INSERT INTO survey_reach (survey_id, pillar_id, platform, members) VALUES (1, 'authorities', 'discord', 5)",
    "INSERT INTO surveys (id, title, state, created_by, created_at, opens_at, closes_at, closed_at) VALUES (2, 'Old', 'closed', 'seed', 0, {2026-10-01T00:00:00Z}, {2026-10-15T00:00:00Z}, {2026-10-15T00:00:00Z})",
    "INSERT INTO survey_pillars (survey_id, pillar_id) VALUES (2, 'authorities')",
    // Summaries: one published in November (2 decisions, 2 actions), one in October, a draft.
    "INSERT INTO summaries (id, pillar_id, state, text, created_by, created_at, updated_at, published_at, source_event) VALUES (1, 'authorities', 'published', 'November.', 'seed', {2026-11-05T12:00:00Z}, 0, {2026-11-05T12:00:00Z}, 's1')",
    "INSERT INTO summaries (id, pillar_id, state, text, created_by, created_at, updated_at, published_at, source_event) VALUES (2, 'authorities', 'published', 'October.', 'seed', {2026-10-01T12:00:00Z}, 0, {2026-10-01T12:00:00Z}, 's2')",
    "INSERT INTO summaries (id, pillar_id, state, text, created_by, created_at, updated_at, source_event) VALUES (3, 'authorities', 'draft', 'Draft.', 'seed', {2026-11-06T12:00:00Z}, 0, 's3')",
    "INSERT INTO decisions (summary_id, position, text) VALUES (1, 0, 'Meet in Ankara')",
    "INSERT INTO decisions (summary_id, position, text) VALUES (1, 1, 'Publish the housing report')",
    "INSERT INTO decisions (summary_id, position, text) VALUES (3, 0, 'A draft decision')",
    "INSERT INTO action_items (summary_id, position, description, owner_name, due_date, state, created_at, closed_at) VALUES (1, 0, 'Book the hall', 'Deniz', '2026-11-25', 'open', {2026-11-05T12:00:00Z}, NULL)",
    "INSERT INTO action_items (summary_id, position, description, owner_name, due_date, state, created_at, closed_at) VALUES (1, 1, 'Send the agenda', 'Selin', '2026-11-20', 'done', {2026-11-05T12:00:00Z}, {2026-11-20T09:00:00Z})",
    "INSERT INTO action_items (summary_id, position, description, owner_name, due_date, state, created_at, closed_at) VALUES (2, 0, 'Draft the report', 'Ayşe', '2026-12-10', 'open', {2026-10-01T12:00:00Z}, NULL)",
    "INSERT INTO action_items (summary_id, position, description, owner_name, due_date, state, created_at, closed_at) VALUES (2, 1, 'Call the ministry', 'Bora', '2026-10-20', 'done', {2026-10-01T12:00:00Z}, {2026-11-01T09:00:00Z})",
    "INSERT INTO action_items (summary_id, position, description, owner_name, due_date, state, created_at, closed_at) VALUES (2, 2, 'Closed after the period', 'Bora', '2026-11-15', 'done', {2026-10-01T12:00:00Z}, {2026-12-02T09:00:00Z})",
];

async fn seeded(url: &str) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "x").unwrap();
    let config = config::parse(
        Path::new("test.toml"),
        &CONFIG.replace("{secret}", &secret.display().to_string()),
    )
    .unwrap();
    let store = Store::connect(url, None, 2).await.unwrap();
    store.migrate().await.unwrap();
    store.sync_config(&config).await.unwrap();
    let pool = AnyPoolOptions::new().max_connections(1).connect(url).await.unwrap();
    for statement in SEED {
        let mut sql = statement.to_string();
        // `{2026-11-03T10:00:00Z}` is a time, `{room:ID}` a room's row; other braces are JSON.
        let token = |sql: &str| {
            sql.match_indices('{')
                .map(|(at, _)| at)
                .find(|at| sql[at + 1..].starts_with("room:") || sql[at + 1..].starts_with("20"))
        };
        while let Some(start) = token(&sql) {
            let end = start + sql[start..].find('}').unwrap();
            let token = &sql[start + 1..end];
            let value = match token.strip_prefix("room:") {
                Some(remote) => {
                    let platform = if remote.starts_with('!') {
                        magnet_chat::Platform::Matrix
                    } else {
                        magnet_chat::Platform::Discord
                    };
                    store.room(platform, remote).await.unwrap().unwrap().id
                }
                None => ms(token),
            };
            sql.replace_range(start..=end, &value.to_string());
        }
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    pool.close().await;
    (store, dir)
}

fn november() -> Period {
    Period {
        from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        zone: chrono_tz::UTC,
    }
}

async fn figures_match_a_hand_count(url: String) {
    let (store, dir) = seeded(&url).await;
    let period = november();
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-05T08:00:00Z").unwrap().into();
    let report = figures::gather(&store, &period, None, Lang::En, now).await.unwrap();
    assert_eq!(report.pillars.len(), 2);
    let auth = &report.pillars[0];
    assert_eq!(auth.id, "authorities");
    // Sessions: held 3 Nov and 18 Nov; 10 Nov cancelled; 17 Nov moved (to the 18th).
    assert_eq!((auth.held, auth.cancelled, auth.moved), (2, 1, 1));
    assert_eq!(auth.sessions.len(), 4, "1 December is after the period");
    // Answers of the sessions not moved or cancelled: 3 Nov (2 yes, 1 maybe, 1 no), 18 Nov (1 yes).
    assert_eq!(
        (auth.rsvp_yes, auth.rsvp_maybe, auth.rsvp_no, auth.attended),
        (3, 1, 1, 3)
    );
    assert_eq!(
        (auth.reminders_sent, auth.reminders_late, auth.reminders_missed),
        (3, 1, 1)
    );
    // Messages: 5 on Matrix (2 people), 3 on Discord (3 people); October's left out.
    assert_eq!((auth.messages, auth.participants), (8, 5));
    let matrix = auth.platforms.iter().find(|l| l.platform == "Matrix").unwrap();
    let discord = auth.platforms.iter().find(|l| l.platform == "Discord").unwrap();
    assert_eq!((matrix.messages, matrix.participants), (5, 2));
    assert_eq!((discord.messages, discord.participants), (3, 3));
    assert_eq!(auth.daily.len(), 30);
    assert_eq!(
        (auth.daily[1], auth.daily[4], auth.daily[5], auth.daily[29]),
        (2, 3, 2, 1)
    );
    assert_eq!(auth.daily.iter().sum::<i64>(), 8);
    // Deliveries: 6, one dead, two took more than one try (the dead one too).
    assert_eq!(
        (auth.deliveries, auth.deliveries_failed, auth.deliveries_retried),
        (6, 1, 2)
    );
    // Summaries published in November: one, with two decisions; the draft is not counted.
    assert_eq!(auth.summaries.len(), 1);
    assert_eq!(auth.decisions, 2);
    // Actions: opened in November 2; done in November 2 (one from October); open at the end
    // 3 (one closed only in December); overdue 2 (due 25 Nov and 15 Nov).
    assert_eq!((auth.actions_opened, auth.actions_done, auth.actions_open), (2, 2, 3));
    let overdue: Vec<i64> = auth.overdue.iter().map(|a| a.id).collect();
    assert_eq!(overdue.len(), 2, "{:?}", auth.overdue);
    // Civil society: its meeting was in October; one message from one person.
    let civil = &report.pillars[1];
    assert_eq!((civil.held, civil.messages, civil.participants), (0, 1, 1));
    // The survey closed in November, 3 of 15 members answered (20 %); October's left out.
    assert_eq!(report.surveys.len(), 1);
    let survey = &report.surveys[0];
    assert_eq!((survey.id, survey.respondents), (1, 3));
    assert_eq!(survey.pillars[0].answered, 3);
    assert_eq!(survey.pillars[0].members, Some(15));
    assert_eq!(survey.pillars[0].rate, Some(20));
    let counts: Vec<(String, usize, i64)> = survey.questions[0]
        .options
        .iter()
        .map(|o| (o.label.clone(), o.count, o.percent))
        .collect();
    assert_eq!(counts, vec![("Ankara".into(), 2, 67), ("Online".into(), 1, 33)]);

    // One pillar only.
    let one = figures::gather(&store, &period, Some("civil-society"), Lang::En, now)
        .await
        .unwrap();
    assert_eq!(one.pillars.len(), 1);
    assert!(one.surveys.is_empty());

    // The files: CSV a reader parses with the same figures, chat text short enough.
    let out = dir.path().join("reports");
    let made = run::make(
        &store,
        &period,
        None,
        &[ReportFormat::Markdown, ReportFormat::Html, ReportFormat::Csv],
        &run::folder(&out, &period, None),
        Lang::En,
        now,
    )
    .await
    .unwrap();
    let mut reader = csv::Reader::from_path(made.dir.join("pillars.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let field = |row: &csv::StringRecord, name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(field(&rows[0], "pillar"), "authorities");
    assert_eq!(field(&rows[0], "held"), "2");
    assert_eq!(field(&rows[0], "messages"), "8");
    assert_eq!(field(&rows[0], "participants"), "5");
    assert_eq!(field(&rows[0], "actions_overdue"), "2");
    let mut results = csv::Reader::from_path(made.dir.join("survey_results.csv")).unwrap();
    assert_eq!(results.records().count(), 2);
    let mut daily = csv::Reader::from_path(made.dir.join("daily_messages.csv")).unwrap();
    assert_eq!(daily.records().count(), 60, "30 days for each of 2 pillars");
    assert!(made.chat.chars().count() <= 2000, "{}", made.chat);
    assert!(made.chat.contains("Migration authorities"), "{}", made.chat);
    let markdown = std::fs::read_to_string(made.dir.join("report.md")).unwrap();
    assert!(
        markdown.contains("Meetings: 2 held, 1 cancelled, 1 moved."),
        "{markdown}"
    );
    assert!(markdown.contains("Meet in Ankara"), "{markdown}");
    assert!(!markdown.contains("A draft decision"), "{markdown}");
    assert!(markdown.contains("Ankara: 2 (67 %)"), "{markdown}");
    let html = std::fs::read_to_string(made.dir.join("report.html")).unwrap();
    assert!(
        html.matches("<svg").count() >= 3,
        "activity, attendance, the survey's question"
    );
    assert!(
        !html.contains("src=") && !html.contains("<link") && !html.contains("url("),
        "self-contained: nothing fetched from elsewhere"
    );
    // The same report in Turkish has every word.
    let turkish = figures::gather(&store, &period, None, Lang::Tr, now).await.unwrap();
    let text = render::markdown(&turkish).unwrap();
    assert!(text.contains("Toplantılar: 2 yapıldı"), "{text}");
    let html = render::html(&turkish, &period).unwrap();
    assert!(html.contains("lang=\"tr\""));
    assert!(render::chat(&turkish).unwrap().contains("toplantı yapıldı"));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_match_a_hand_count_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    figures_match_a_hand_count(format!("sqlite://{}", dir.path().join("magnet.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_match_a_hand_count_on_postgresql() {
    figures_match_a_hand_count(magnet_testkit::postgres::fresh_database().await).await;
}

/// The HTML opens in headless Chromium without a console error, and its screenshot shows
/// the charts (the only coloured things on the page).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_opens_in_chromium_with_its_charts_drawn() {
    let chromium = magnet_testkit::env::chromium();
    let dir = tempfile::tempdir().unwrap();
    let (store, _seed) = seeded(&format!("sqlite://{}", dir.path().join("magnet.db").display())).await;
    let period = november();
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-05T08:00:00Z").unwrap().into();
    let made = run::make(
        &store,
        &period,
        None,
        &[ReportFormat::Html],
        &dir.path().join("out"),
        Lang::En,
        now,
    )
    .await
    .unwrap();
    store.close().await;
    let page = made.dir.join("report.html");
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let output = tokio::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
            "--window-size=1200,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .await
        .expect("Chromium runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Failed to load"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let channels = frame.color_type.samples();
    assert!(channels >= 3, "{:?}", frame.color_type);
    let coloured = pixels[..frame.buffer_size()]
        .chunks(channels)
        .filter(|p| {
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            (r - g).abs() + (g - b).abs() + (r - b).abs() > 90
        })
        .count();
    assert!(
        coloured > 2_000,
        "the charts should be drawn: {coloured} coloured pixels in {}x{}",
        frame.width,
        frame.height
    );
}
