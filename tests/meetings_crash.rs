//! Reminders exactly once with the real binary killed: aborted at each step of a
//! reminder's life (claimed and queued; sent, not yet marked; marked), down across a
//! reminder's time (the lateness policy), and two instances on one PostgreSQL database
//! with the serving one killed halfway through 200 reminders.

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use common::network::{BIN, Network, WAIT, eventually};
use magnet::store::{NewMeeting, Store, Stretch};
use magnet_discord_sim::SimConfig;
use magnet_testkit::MagnetProcess;

/// A start `seconds` from now on the Istanbul wall clock (the authorities' zone).
fn istanbul_in(seconds: i64) -> String {
    (Utc::now() + Duration::seconds(seconds))
        .with_timezone(&chrono_tz::Europe::Istanbul)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Reminders in the authorities' and the extra pillars' Discord channels and Matrix rooms,
/// per title (the text between the first `**` pair).
async fn reminders_by_title(net: &Network) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let title = |text: &str| text.split("**").nth(1).unwrap_or_default().to_string();
    let rooms = [(net.authorities_room.clone(), net.authorities_channel)]
        .into_iter()
        .chain(net.extra.iter().cloned());
    let mut discord = BTreeMap::new();
    let mut matrix = BTreeMap::new();
    for (room, channel) in rooms {
        for message in net.sim.messages(channel) {
            if !message.webhook && message.content.starts_with("⏰") {
                *discord.entry(title(&message.content)).or_default() += 1;
            }
        }
        for event in net.ayse.all_events(&room).await.unwrap() {
            let body = event["content"]["body"].as_str().unwrap_or_default();
            if event["sender"] == net.bot_user_id.as_str() && body.starts_with("⏰") {
                *matrix.entry(title(body)).or_default() += 1;
            }
        }
    }
    (discord, matrix)
}

async fn sent_reminders(store: &Store) -> i64 {
    store
        .reminder_counts()
        .await
        .unwrap()
        .iter()
        .filter(|(state, _)| state == "sent" || state == "late")
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_cut_short_at_any_step_arrives_once_in_each_room() {
    let net = Network::new(SimConfig::default()).await;
    let store = net.store().await;
    for (n, point) in ["reminder-claimed", "reminder-sent", "reminder-marked"]
        .iter()
        .enumerate()
    {
        let mut bot = MagnetProcess::start(
            std::path::Path::new(BIN),
            &net.config,
            net.dir.path(),
            &[(magnet::fault::VARIABLE, point)],
        )
        .unwrap();
        bot.wait_for_log("bridge: delivering to discord", WAIT).unwrap();
        bot.wait_for_log("bridge: delivering to matrix", WAIT).unwrap();
        // The reminder falls due 8 seconds after the meeting is added.
        let title = format!("Crash {point}");
        net.ayse
            .send_text(
                &net.authorities_room,
                &format!(
                    "!magnet meeting add authorities \"{title}\" \"{}\" --reminders 60s",
                    istanbul_in(68)
                ),
            )
            .await
            .unwrap();
        let status = bot.wait(WAIT).expect("the bot aborts at the fault point");
        assert!(!status.success(), "{point}: {status:?}");
        assert!(
            bot.log_lines()
                .iter()
                .any(|l| l.contains(&format!("fault point `{point}` reached"))),
            "{point}: aborted where asked"
        );

        let bot = net.start();
        let expected = 2 * (n as i64 + 1);
        eventually(&format!("{point}: the reminder sent in both rooms"), || async {
            (sent_reminders(&store).await == expected).then_some(())
        })
        .await;
        let (discord, matrix) = reminders_by_title(&net).await;
        assert_eq!(discord.get(&title), Some(&1), "{point}: Discord {discord:?}");
        assert_eq!(matrix.get(&title), Some(&1), "{point}: Matrix {matrix:?}");
        bot.stop(WAIT).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_due_while_the_bot_is_down_follow_the_lateness_policy() {
    let net = Network::new(SimConfig::default()).await;
    net.append_config("[schedule]\ngrace = \"2s\"\nlate_limit = \"12s\"\n");
    let store = net.store().await;
    let bot = net.start();
    let room = net.authorities_room.clone();
    // "Early" is due 5 s from now, "Later" 20 s from now; the bot is down for 26 s:
    // Early is 21 s late (over the limit: missed), Later 6 s (sent, marked late).
    let down_at = Utc::now();
    for (title, due_in) in [("Early", 5), ("Later", 20)] {
        net.ayse
            .send_text(
                &room,
                &format!(
                    "!magnet meeting add authorities {title} \"{}\" --reminders 60s",
                    istanbul_in(60 + due_in)
                ),
            )
            .await
            .unwrap();
    }
    eventually("both meetings added", || async {
        (store.meetings(Some("authorities")).await.unwrap().len() == 2).then_some(())
    })
    .await;
    bot.kill().unwrap();
    // Time passes with the bot down; nothing here waits for the bot.
    let back = down_at + Duration::seconds(26);
    tokio::time::sleep((back - Utc::now()).to_std().unwrap_or_default()).await;

    let bot = net.start();
    eventually("the late reminder sent and the missed one recorded", || async {
        let counts = store.reminder_counts().await.unwrap();
        (counts == [("late".to_string(), 2), ("missed".to_string(), 2)]).then_some(())
    })
    .await;
    let (discord, matrix) = reminders_by_title(&net).await;
    assert_eq!(discord.get("Later"), Some(&1), "{discord:?}");
    assert_eq!(matrix.get("Later"), Some(&1), "{matrix:?}");
    assert_eq!(discord.get("Early"), None, "missed reminders are not sent");
    assert_eq!(matrix.get("Early"), None);
    let late = net
        .sim
        .messages(net.authorities_channel)
        .into_iter()
        .find(|m| m.content.starts_with("⏰ **Later**"))
        .unwrap();
    assert!(late.content.contains("this reminder is late"), "{}", late.content);
    assert!(bot.log_lines().iter().any(|l| l.contains("recorded as missed")));
    bot.stop(WAIT).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgresql_send_each_of_200_reminders_once_when_the_serving_one_dies() {
    let url = magnet_testkit::postgres::fresh_database().await;
    // Five pillars of one Matrix room and one Discord channel each: Discord lets a bot post
    // 5 messages per 5 s in a channel, so 20 reminders per channel take 20 s.
    let net = Network::on_postgres_with_pillars(SimConfig::default(), url.clone(), 4).await;
    // The rooms as the bot records them, then 100 meetings (20 per pillar) reminding both
    // rooms of their pillar a minute before, due over 20 seconds from 15 seconds on.
    let store = Store::connect(&url, None, 2).await.unwrap();
    store.migrate().await.unwrap();
    store
        .sync_config(&magnet::config::load(&net.config).unwrap())
        .await
        .unwrap();
    let now = Utc::now();
    for n in 0..100i64 {
        let start = now + Duration::seconds(75) + Duration::milliseconds(200 * n);
        let pillar = match n % 5 {
            0 => "authorities".to_string(),
            k => format!("pillar-{}", k - 1),
        };
        let meeting = NewMeeting {
            pillar_id: pillar,
            title: format!("Sync {n:03}"),
            starts_at: start.timestamp_millis(),
            duration_minutes: 30,
            timezone: "Europe/Istanbul".into(),
            recurrence: None,
            until_at: None,
            agenda: None,
            location: None,
            reminder_offsets: vec![60],
            created_by: "test".into(),
            source_event: None,
        };
        let plan = Stretch {
            starts: vec![start.timestamp_millis()],
            unwritten_from: None,
        };
        store
            .add_meeting(&meeting, &plan, now.timestamp_millis(), |_| Vec::new())
            .await
            .unwrap();
    }

    let first = net.start();
    first.wait_for_log("holding the instance lease", WAIT).unwrap();
    let second = MagnetProcess::start(std::path::Path::new(BIN), &net.config, net.dir.path(), &[]).unwrap();
    second.wait_for_log("waiting for the instance lease", WAIT).unwrap();
    eventually("a third of the reminders on Discord", || async {
        let (discord, _) = reminders_by_title(&net).await;
        (discord.len() >= 33).then_some(())
    })
    .await;
    first.kill().unwrap();
    let (seen, _) = reminders_by_title(&net).await;
    assert!(seen.len() < 100, "the serving instance died halfway, not after the end");
    second.wait_for_log("holding the instance lease", WAIT).unwrap();
    eventually("all 200 reminders sent", || async {
        (sent_reminders(&store).await == 200).then_some(())
    })
    .await;
    let (discord, matrix) = reminders_by_title(&net).await;
    for n in 0..100 {
        let title = format!("Sync {n:03}");
        assert_eq!(discord.get(&title), Some(&1), "{title} on Discord");
        assert_eq!(matrix.get(&title), Some(&1), "{title} on Matrix");
    }
    assert_eq!(discord.len(), 100);
    assert_eq!(matrix.len(), 100);
    second.stop(WAIT).unwrap();
}
