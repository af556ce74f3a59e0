//! A survey with many voters, on SQLite and on PostgreSQL: `MAGNET_BENCH_ANSWERS` (default
//! 100,000) people each answer a single-choice question once, through the store the bot
//! records answers with (each answer its own transaction, checked against the deadline and
//! linked accounts, as a vote from either platform is):
//!
//! - answer commit latency, p50 / p99 / max;
//! - time to tally (every answer read and counted, as the results are) and to close (the
//!   state changed and the results and polls' ends queued for every room, in one
//!   transaction);
//! - this process's peak resident memory.
//!
//! Run with `scripts/bench --bench surveys` (PostgreSQL comes from the test servers; without
//! them only SQLite is measured).

#[path = "support/measure.rs"]
#[allow(dead_code)]
mod measure;

use std::time::Instant;

use magnet::bridge::Payload;
use magnet::store::{NewSurvey, Respondent, Store};
use magnet::survey::plan;
use magnet::survey::results;
use magnet::survey::spec::{Answer, Kind, Question};
use magnet_chat::Platform;
use measure::{env_number, percentile, rss_kb};

const CONFIG: &str = r#"
[matrix]
homeserver = "http://127.0.0.1:1"
user_id = "@magnet:bench"
access_token_env = "MAGNET_BENCH_UNUSED"
[discord]
token_env = "MAGNET_BENCH_UNUSED"
application_id = "100000000000000009"
[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "Europe/Istanbul"
matrix_rooms = ["!a:bench"]
discord_channels = ["100000000000000001"]
[[pillars]]
id = "civil-society"
name = "Civil society"
timezone = "Europe/Istanbul"
matrix_rooms = ["!b:bench"]
discord_channels = ["100000000000000002"]
"#;

#[tokio::main]
async fn main() {
    let answers = env_number("MAGNET_BENCH_ANSWERS", 100_000);
    // The config names a secret it never reads here.
    unsafe { std::env::set_var("MAGNET_BENCH_UNUSED", "unused") };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    run("SQLite", &sqlite, answers).await;
    if std::env::var("MAGNET_TEST_PG_URL").is_ok() {
        let url = magnet_testkit::postgres::fresh_database().await;
        run("PostgreSQL", &url, answers).await;
    } else {
        println!("PostgreSQL: not measured (no test servers; run through scripts/bench)");
    }
}

async fn run(backend: &str, url: &str, count: usize) {
    let store = Store::connect(url, None, 4).await.unwrap();
    store.migrate().await.unwrap();
    let config = magnet::config::parse(std::path::Path::new("bench.toml"), CONFIG).unwrap();
    store.sync_config(&config).await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let survey = NewSurvey {
        title: "Venue".into(),
        anonymous: false,
        pillars: vec!["authorities".into(), "civil-society".into()],
        questions: vec![Question {
            kind: Kind::Choice,
            prompt: "Where shall we meet?".into(),
            options: vec!["Ankara".into(), "İstanbul".into(), "Online".into()],
            max_choices: 1,
        }],
        created_by: "bench".into(),
        closes_at: now + 3_600_000,
        nudge_at: None,
        source_event: None,
        template: None,
    };
    let (id, _, _) = store
        .start_survey(&survey, now, |id, questions, rooms| {
            plan::posts(id, questions, false, 3_600_000, rooms)
        })
        .await
        .unwrap();
    let question = store.survey_questions(id).await.unwrap().remove(0);

    let mut latencies_us = Vec::with_capacity(count);
    let started = Instant::now();
    for n in 0..count {
        let (platform, user) = if n % 2 == 0 {
            (Platform::Discord, (100_000_000_000_000_000u64 + n as u64).to_string())
        } else {
            (Platform::Matrix, format!("@voter{n}:bench"))
        };
        let pillar = if n % 3 == 0 { "civil-society" } else { "authorities" };
        let answer = Answer::Choices(vec![n % 3]);
        let at = Instant::now();
        store
            .record_answer(
                question.id,
                &Respondent {
                    platform,
                    user_id: &user,
                    pillar_id: Some(pillar),
                    by_poll: true,
                },
                Some(&answer),
                now + 1,
            )
            .await
            .unwrap();
        latencies_us.push(at.elapsed().as_micros() as i64);
    }
    let answering = started.elapsed();
    latencies_us.sort_unstable();

    let at = Instant::now();
    let given: Vec<Answer> = store
        .question_answers(question.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, answer)| answer)
        .collect();
    let tally = results::tally(&question.question, &given);
    let tallied = at.elapsed();
    assert_eq!(tally.respondents, count);

    let at = Instant::now();
    let closed = store
        .close_survey(id, "deadline", now + 3_600_000, &[], None, |posts, rooms| {
            plan::ending(id, posts, rooms, &Payload::SurveyResults { survey: id })
        })
        .await
        .unwrap();
    let closing = at.elapsed();
    assert!(closed.is_some());
    let respondents: i64 = store.respondents(id).await.unwrap().iter().map(|(_, n)| n).sum();
    assert_eq!(respondents, count as i64);

    println!(
        "{backend}: {count} answers in {:.1} s ({:.0}/s); commit p50 {} µs, p99 {} µs, max {} µs; tally {} ms; close {} ms; peak RSS {} MB",
        answering.as_secs_f64(),
        count as f64 / answering.as_secs_f64(),
        percentile(&latencies_us, 0.50),
        percentile(&latencies_us, 0.99),
        latencies_us.last().copied().unwrap_or(0),
        tallied.as_millis(),
        closing.as_millis(),
        rss_kb(std::process::id(), "VmHWM:") / 1024,
    );
    store.close().await;
}
