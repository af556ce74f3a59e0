//! The scheduled report through the real binary: made once when its time comes, posted to
//! both of the secretariat's rooms (the short text, then the HTML file), also when the bot
//! is killed right after claiming the run, and with two instances on one PostgreSQL
//! database; and the `report` command's answers.

mod common;

use std::time::Duration;

use chrono::{Timelike, Utc};
use common::network::{BIN, Network, WAIT, eventually};
use magnet_discord_sim::SimConfig;

/// A daily schedule (with seconds) that next runs `after` from now, on UTC: its time.
fn soon(after: Duration) -> (String, chrono::DateTime<Utc>) {
    let at = Utc::now() + chrono::Duration::from_std(after).unwrap();
    (format!("{} {} {} * * *", at.second(), at.minute(), at.hour()), at)
}

fn reports_config(net: &Network, schedule: &str) {
    net.append_config(&format!(
        "[reports]\nschedule = \"{schedule}\"\ntimezone = \"UTC\"\noutput_dir = \"{}\"\nformats = [\"markdown\", \"html\", \"csv\"]\n",
        net.dir.path().join("reports").display()
    ));
}

/// The report's posts in the secretariat's rooms: `(texts on Discord, files on Discord,
/// texts on Matrix, files on Matrix)`.
async fn posted(net: &Network, room: &str, channel: u64) -> (usize, usize, usize, usize) {
    let discord = net.sim.messages(channel);
    let bot = net.sim.bot_user_id();
    let discord_texts = discord
        .iter()
        .filter(|m| m.author_id == bot && m.content.contains("MAGNET report"))
        .count();
    let discord_files = discord
        .iter()
        .filter(|m| m.author_id == bot && m.attachments.iter().any(|(name, _)| name.ends_with(".html")))
        .count();
    let events = net.ayse.all_events(room).await.unwrap_or_default();
    let from_bot = |e: &&serde_json::Value| e["sender"] == net.bot_user_id.as_str() && e["type"] == "m.room.message";
    let matrix_texts = events
        .iter()
        .filter(from_bot)
        .filter(|e| {
            e["content"]["body"]
                .as_str()
                .is_some_and(|b| b.contains("MAGNET report"))
        })
        .count();
    let matrix_files = events
        .iter()
        .filter(from_bot)
        .filter(|e| e["content"]["msgtype"] == "m.file")
        .count();
    (discord_texts, discord_files, matrix_texts, matrix_files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_report_is_posted_once_even_when_the_bot_dies_making_it() {
    let net = Network::new(SimConfig::default()).await;
    let (room, channel) = net.add_secretariat_rooms().await;
    let (schedule, at) = soon(Duration::from_secs(25));
    reports_config(&net, &schedule);

    // Killed right after it claims the run, when the time comes.
    let mut cut = magnet_testkit::MagnetProcess::start(
        std::path::Path::new(BIN),
        &net.config,
        net.dir.path(),
        &[(magnet::fault::VARIABLE, "report-claimed")],
    )
    .unwrap();
    let until_due = (at - Utc::now()).to_std().unwrap_or_default();
    let status = cut
        .wait(until_due + WAIT)
        .expect("the bot aborts once the run is claimed");
    assert!(!status.success(), "{status:?}");
    assert_eq!(posted(&net, &room, channel).await, (0, 0, 0, 0));

    // Back: the run left behind is taken over and finished, and posted once per room.
    let _bot = net.start();
    eventually("the report in both secretariat rooms", || async {
        (posted(&net, &room, channel).await == (1, 1, 1, 1)).then_some(())
    })
    .await;
    net.queue_empty().await;
    assert_eq!(posted(&net, &room, channel).await, (1, 1, 1, 1));
    let store = net.store().await;
    let runs = store.scheduled_reports().await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].state, "done");
    let dir = std::path::PathBuf::from(runs[0].output.clone().unwrap());
    for file in ["report.md", "report.html", "pillars.csv", "chat.md"] {
        assert!(dir.join(file).exists(), "{file} in {}", dir.display());
    }
    // The HTML posted is the file written.
    let html = std::fs::read(dir.join("report.html")).unwrap();
    let on_discord = net
        .sim
        .messages(channel)
        .into_iter()
        .find_map(|m| m.attachments.into_iter().find(|(name, _)| name.ends_with(".html")))
        .unwrap();
    assert_eq!(on_discord.1, html);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgresql_post_the_scheduled_report_once() {
    let net = Network::on_postgres(SimConfig::default(), magnet_testkit::postgres::fresh_database().await).await;
    let (room, channel) = net.add_secretariat_rooms().await;
    let (schedule, at) = soon(Duration::from_secs(30));
    reports_config(&net, &schedule);
    // The first serves and dies having claimed the run; the second, standing by, takes over.
    let mut first = net.start_with(&[(magnet::fault::VARIABLE, "report-claimed")]);
    let second =
        magnet_testkit::MagnetProcess::start(std::path::Path::new(BIN), &net.config, net.dir.path(), &[]).unwrap();
    second.wait_for_log("waiting for the instance lease", WAIT).unwrap();
    let until_due = (at - Utc::now()).to_std().unwrap_or_default();
    let status = first
        .wait(until_due + WAIT)
        .expect("the serving instance aborts at the run");
    assert!(!status.success(), "{status:?}");
    second.wait_for_log("holding the instance lease", WAIT).unwrap();
    eventually("the report in both secretariat rooms", || async {
        (posted(&net, &room, channel).await == (1, 1, 1, 1)).then_some(())
    })
    .await;
    net.queue_empty().await;
    assert_eq!(posted(&net, &room, channel).await, (1, 1, 1, 1));
    second.stop(WAIT).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_command_answers_and_refuses_plainly() {
    let net = Network::new(SimConfig::default()).await;
    let (room, _channel) = net.add_secretariat_rooms().await;
    net.append_config(&format!(
        "[reports]\noutput_dir = \"{}\"\n",
        net.dir.path().join("reports").display()
    ));
    let _bot = net.start();
    let ask = |text: &'static str, room: String| {
        let net = &net;
        async move {
            let asked = net.ayse.send_text(&room, text).await.unwrap();
            eventually(&format!("an answer to `{text}`"), || async {
                net.bot_events(&room)
                    .await
                    .into_iter()
                    .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == asked.as_str())
            })
            .await["content"]["body"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    for (typed, expected) in [
        (
            "!magnet report --from 2026-11-30 --to 2026-11-01",
            "starts (2026-11-30) after it ends",
        ),
        ("!magnet report --from 2020-01-01 --to 2026-11-01", "at most 5 years"),
        ("!magnet report --from 2026-02-30", "is not a date"),
        ("!magnet report nowhere", "There is no pillar `nowhere`"),
    ] {
        let answer = ask(typed, room.clone()).await;
        assert!(answer.contains(expected), "{typed}: {answer}");
    }
    // In a pillar's room, only that pillar's report.
    let other = ask("!magnet report civil-society", net.authorities_room.clone()).await;
    assert!(other.contains("only the report of authorities"), "{other}");
    let made = ask("!magnet report --from 2026-11-01 --to 2026-11-30", room.clone()).await;
    assert!(made.contains("is made"), "{made}");
    eventually("the report posted where it was asked", || async {
        net.bot_bodies(&room)
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|b| b.contains("MAGNET report 2026-11-01 to 2026-11-30"))
    })
    .await;
    // Not of the secretariat: refused, nothing made.
    let asked = net.sim.post(net.authorities_channel, net.bora, "!magnet report");
    let refused = eventually("the refusal", || async {
        net.sim
            .messages(net.authorities_channel)
            .into_iter()
            .find(|m| m.reply_to == Some(asked) && m.author_id == net.sim.bot_user_id())
    })
    .await;
    assert!(
        refused.content.contains("Only the secretariat may run `report`"),
        "{}",
        refused.content
    );
    let store = net.store().await;
    assert_eq!(store.table_row_count("report_runs").await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_scheduled_report_is_recorded_with_its_reason_and_made_at_the_next_start() {
    let net = Network::new(SimConfig::default()).await;
    let (room, channel) = net.add_secretariat_rooms().await;
    // A file where the reports' folder should be: nothing can be written under it.
    let blocked = net.dir.path().join("blocked");
    std::fs::write(&blocked, "a file").unwrap();
    let (schedule, _at) = soon(Duration::from_secs(20));
    net.append_config(&format!(
        "[reports]\nschedule = \"{schedule}\"\ntimezone = \"UTC\"\noutput_dir = \"{}\"\n",
        blocked.join("reports").display()
    ));
    let bot = net.start();
    let store = net.store().await;
    let failed = eventually("the run recorded as failed", || async {
        store
            .scheduled_reports()
            .await
            .unwrap()
            .into_iter()
            .find(|run| run.state == "failed")
    })
    .await;
    assert!(
        failed
            .output
            .as_deref()
            .is_some_and(|reason| reason.contains("cannot write the report")),
        "{failed:?}"
    );
    assert_eq!(posted(&net, &room, channel).await, (0, 0, 0, 0));
    bot.stop(WAIT).unwrap();

    // The folder can be written now: the next start makes it, once.
    std::fs::remove_file(&blocked).unwrap();
    let _bot = net.start();
    eventually("the report in both secretariat rooms", || async {
        (posted(&net, &room, channel).await == (1, 1, 1, 1)).then_some(())
    })
    .await;
    net.queue_empty().await;
    assert_eq!(posted(&net, &room, channel).await, (1, 1, 1, 1));
    let runs = store.scheduled_reports().await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].state, "done");
}
