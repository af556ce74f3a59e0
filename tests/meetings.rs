//! Meetings end to end, through the real binary, Synapse and the Discord simulator: a
//! meeting added by a Discord slash command reminds the pillar's Matrix room and Discord
//! channel at each offset (and nothing in the other pillar), RSVPs come from a Discord
//! button and a Matrix command, the calendar feed shows the meeting; outsiders cannot
//! change meetings and mistakes get clear answers.

mod common;

use chrono::{Datelike, Duration, Utc};
use common::network::{CALENDAR_SECRET, Network, WAIT, eventually};
use magnet_discord_sim::SimConfig;

/// A start `seconds` from now on the Istanbul wall clock (the authorities' zone).
fn istanbul_in(seconds: i64) -> String {
    (Utc::now() + Duration::seconds(seconds))
        .with_timezone(&chrono_tz::Europe::Istanbul)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Runs a slash command on Discord and returns the private answer.
async fn ask_discord(net: &Network, user: u64, path: &[&str], options: &[(&str, &str)]) -> String {
    let sim = &net.sim;
    let id = eventually("the slash commands registered", || async {
        sim.run_command(net.authorities_channel, user, path, options).ok()
    })
    .await;
    let view = sim
        .wait_for_interaction(id, WAIT, |v| v.replies.iter().any(|r| !r.loading))
        .await
        .expect("an answer to the slash command");
    assert!(view.replies[0].ephemeral, "command answers are private");
    view.replies[0].content.clone()
}

/// The bot's own (non-relay) messages in a Discord channel that contain `needle`.
fn bot_messages(net: &Network, channel: u64, needle: &str) -> Vec<magnet_discord_sim::SeenMessage> {
    net.sim
        .messages(channel)
        .into_iter()
        .filter(|m| !m.webhook && m.author_id == net.sim.bot_user_id() && m.content.contains(needle))
        .collect()
}

async fn matrix_bodies(net: &Network, room: &str, needle: &str) -> Vec<String> {
    net.bot_events(room)
        .await
        .into_iter()
        .filter_map(|e| e["content"]["body"].as_str().map(str::to_string))
        .filter(|body| body.contains(needle))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_added_on_discord_reminds_both_platforms_and_collects_rsvps() {
    meeting_reminds_both_platforms(Network::new(SimConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_with_the_database_on_postgresql() {
    let url = magnet_testkit::postgres::fresh_database().await;
    meeting_reminds_both_platforms(Network::on_postgres(SimConfig::default(), url).await).await;
}

async fn meeting_reminds_both_platforms(net: Network) {
    let bot = net.start();

    // Bora is not in the secretariat.
    let refused = ask_discord(
        &net,
        net.bora,
        &["magnet", "meeting", "add"],
        &[
            ("pillar", "authorities"),
            ("title", "Sneaky"),
            ("start", "2030-01-01 10:00"),
        ],
    )
    .await;
    assert!(
        refused.contains("Only the secretariat may run `meeting add`"),
        "{refused}"
    );

    // Selin is: reminders 90 and 75 seconds before a start 100 seconds away.
    let added = ask_discord(
        &net,
        net.secretary,
        &["magnet", "meeting", "add"],
        &[
            ("pillar", "authorities"),
            ("title", "Pillar sync"),
            ("start", &istanbul_in(100)),
            ("reminders", "90s,75s"),
            ("agenda", "Budget review"),
            ("place", "https://meet.example.org/sync"),
        ],
    )
    .await;
    assert!(added.contains("Added meeting #1"), "{added}");
    assert!(added.contains("Europe/Istanbul") && added.contains("UTC"), "{added}");

    // Both rooms are told, then reminded at each offset.
    let (channel, room) = (net.authorities_channel, net.authorities_room.clone());
    eventually("the announcement on both platforms", || async {
        let discord = !bot_messages(&net, channel, "New meeting #1").is_empty();
        let matrix = !matrix_bodies(&net, &room, "New meeting #1").await.is_empty();
        (discord && matrix).then_some(())
    })
    .await;
    for offset in ["1m30s", "1m15s"] {
        let needle = format!("starts in {offset}");
        eventually(&format!("the {offset} reminder on both platforms"), || async {
            let discord = bot_messages(&net, channel, &needle).len();
            let matrix = matrix_bodies(&net, &room, &needle).await.len();
            (discord >= 1 && matrix >= 1).then_some(())
        })
        .await;
    }
    let reminder = &bot_messages(&net, channel, "starts in 1m30s")[0];
    assert!(reminder.content.contains("Pillar sync"), "{}", reminder.content);
    assert!(reminder.content.contains("Budget review"), "{}", reminder.content);
    assert!(
        reminder.content.contains("https://meet.example.org/sync"),
        "{}",
        reminder.content
    );
    assert!(
        reminder.content.contains("Europe/Istanbul") && reminder.content.contains("UTC"),
        "{}",
        reminder.content
    );
    let matrix_reminder = &matrix_bodies(&net, &room, "starts in 1m30s").await[0];
    assert!(
        matrix_reminder.contains("!magnet rsvp 1 yes|maybe|no"),
        "{matrix_reminder}"
    );
    assert!(
        matrix_reminder.contains("or react ✅ yes, 🤔 maybe, ❌ no"),
        "{matrix_reminder}"
    );

    // RSVP by button on Discord and by command on Matrix.
    let buttons: Vec<String> = reminder.components[0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(buttons, ["Yes", "Maybe", "No"]);
    let yes = reminder.components[0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let click = net.sim.click(channel, reminder.id, net.bora, &yes).unwrap();
    let view = net
        .sim
        .wait_for_interaction(click, WAIT, |v| v.replies.iter().any(|r| !r.loading && r.ephemeral))
        .await
        .expect("an answer to the click");
    let answer = view.replies.iter().find(|r| r.ephemeral).unwrap();
    assert!(answer.content.contains("Noted: **yes**"), "{}", answer.content);
    // On Matrix a reaction to the reminder answers too, quietly.
    let reminder_event = net
        .bot_events(&room)
        .await
        .into_iter()
        .find(|e| {
            e["content"]["body"]
                .as_str()
                .is_some_and(|b| b.contains("starts in 1m30s"))
        })
        .unwrap();
    let store = net.store().await;
    let occurrence = store.occurrences(1).await.unwrap()[0].id;
    net.ayse
        .send_event(
            &room,
            "m.reaction",
            serde_json::json!({"m.relates_to": {
                "rel_type": "m.annotation",
                "event_id": reminder_event["event_id"],
                "key": "✅",
            }}),
        )
        .await
        .unwrap();
    eventually("Ayşe's ✅ counted as yes", || async {
        let answers = store.rsvps(occurrence).await.unwrap();
        answers
            .iter()
            .any(|(name, platform, answer)| name == "Ayşe" && platform == "matrix" && answer == "yes")
            .then_some(())
    })
    .await;
    assert_eq!(store.rsvp_counts(occurrence).await.unwrap().yes, 2);
    let maybe = net.ask_matrix(&room, "!magnet rsvp 1 maybe").await;
    assert!(
        maybe.contains("Noted: maybe") || maybe.contains("Noted: **maybe**"),
        "{maybe}"
    );
    assert!(maybe.contains("1 yes · 1 maybe · 0 no"), "{maybe}");
    // Changing one's mind replaces the answer.
    let changed = net.ask_matrix(&room, "!magnet rsvp 1 no").await;
    assert!(changed.contains("1 yes · 0 maybe · 1 no"), "{changed}");
    let shown = net.ask_matrix(&room, "!magnet meeting show 1").await;
    assert!(shown.contains("Bora") && shown.contains("Ayşe"), "{shown}");

    // Exactly one reminder per offset per room, once the store says all four were sent.
    eventually("four reminders recorded as sent", || async {
        let counts = store.reminder_counts().await.unwrap();
        (counts == [("sent".to_string(), 4)]).then_some(())
    })
    .await;
    for offset in ["1m30s", "1m15s"] {
        let needle = format!("starts in {offset}");
        assert_eq!(bot_messages(&net, channel, &needle).len(), 1, "{offset} on Discord");
        assert_eq!(matrix_bodies(&net, &room, &needle).await.len(), 1, "{offset} on Matrix");
    }
    // Nothing of it in the other pillar's rooms.
    assert!(bot_messages(&net, net.civil_channel, "Pillar sync").is_empty());
    assert!(matrix_bodies(&net, &net.civil_room, "Pillar sync").await.is_empty());

    // The calendar feed has it.
    let addr = bot.http_addr(WAIT).unwrap();
    let path = magnet::schedule::calendar::feed_path(CALENDAR_SECRET, "authorities");
    let feed = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = feed.text().await.unwrap();
    assert!(text.contains("SUMMARY:Pillar sync"), "{text}");
    assert!(text.contains("STATUS:CONFIRMED"), "{text}");
    // Without the pillar's token, nothing: not another pillar's token, not a guess, not the
    // bare path.
    let civil = magnet::schedule::calendar::feed_path(CALENDAR_SECRET, "civil-society");
    let token = civil.rsplit('/').next().unwrap();
    for wrong in [
        format!("/calendar/authorities/{token}"),
        "/calendar/authorities/00000000000000000000000000000000.ics".to_string(),
        "/calendar/authorities.ics".to_string(),
        "/calendar/nowhere.ics".to_string(),
    ] {
        let answer = reqwest::get(format!("http://{addr}{wrong}")).await.unwrap();
        assert_eq!(answer.status(), 404, "{wrong}");
    }
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("magnet_reminders{state=\"sent\"} 4\n"), "{metrics}");
    bot.stop(WAIT).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_commands_answer_mistakes_and_keep_changes_to_the_secretariat() {
    let net = Network::new(SimConfig::default()).await;
    let bot = net.start();
    let room = net.authorities_room.clone();

    // Ayşe is in the secretariat (by Matrix user id). Each mistake gets its own answer.
    let cases = [
        (
            "!magnet meeting add nowhere Sync \"2030-01-01 10:00\"",
            "There is no pillar `nowhere`",
        ),
        (
            "!magnet meeting add authorities Sync \"2020-01-01 10:00\"",
            "is in the past",
        ),
        (
            "!magnet meeting add authorities Sync tomorrow",
            "is not a start time I can read",
        ),
        (
            "!magnet meeting add authorities Sync \"2030-01-01 10:00\" --every \"0 25 * * *\"",
            "cannot be used",
        ),
        (
            "!magnet meeting add authorities Sync \"2030-01-01 10:00\" --zone Mars/Base",
            "not a time zone I know",
        ),
        (
            "!magnet meeting add authorities Sync \"2030-01-01 10:00\" --reminders soon",
            "`soon` is not a reminder offset",
        ),
        (
            "!magnet meeting add authorities Sync \"2030-01-01 10:00\" --duration 3d",
            "from 1 minute to 24 hours",
        ),
        ("!magnet meeting add authorities", "Missing: <title>, <start>"),
        ("!magnet meeting show 99", "There is no meeting #99 here"),
        ("!magnet rsvp 99 yes", "There is no meeting #99 here"),
    ];
    for (command, expected) in cases {
        let answer = net.ask_matrix(&room, command).await;
        assert!(answer.contains(expected), "`{command}` answered: {answer}");
    }

    // A weekly series in the civil society pillar, starting on a Tuesday a month or so
    // from now. Not from the authorities' room, where everyone would see the answer.
    let mut first = (Utc::now() + Duration::days(30)).date_naive();
    while first.weekday() != chrono::Weekday::Tue {
        first = first.succ_opt().unwrap();
    }
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let long = |d: chrono::NaiveDate| d.format("%a %-d %b %Y").to_string();
    let add = format!(
        "!magnet meeting add civil-society \"Weekly civil\" \"{} 10:00\" --every \"0 10 * * TUE\"",
        day(first)
    );
    let elsewhere = net.ask_matrix(&room, &add).await;
    assert!(
        elsewhere.contains("everyone in this room would see the answer"),
        "{elsewhere}"
    );
    let room = net.civil_room.clone();
    let added = net.ask_matrix(&room, &add).await;
    assert!(added.contains("Added meeting #1"), "{added}");
    assert!(
        added.contains(&format!("{}, 10:00 Europe/Berlin", long(first))),
        "{added}"
    );

    // Bora may list and answer in his pillar's room, not change meetings nor see another
    // pillar's.
    let channel = net.authorities_channel;
    let listed = ask_discord(&net, net.bora, &["magnet", "meeting", "list"], &[]).await;
    assert!(listed.contains("No meetings to come for authorities"), "{listed}");
    let other = ask_discord(&net, net.bora, &["magnet", "meeting", "show"], &[("meeting", "1")]).await;
    assert!(other.contains("There is no meeting #1 here"), "{other}");
    for (path, options) in [
        (vec!["magnet", "meeting", "cancel"], vec![("meeting", "1")]),
        (
            vec!["magnet", "meeting", "move"],
            vec![("meeting", "1"), ("start", "2030-01-02 10:00")],
        ),
        (
            vec!["magnet", "meeting", "reminders"],
            vec![("meeting", "1"), ("offsets", "none")],
        ),
    ] {
        let answer = ask_discord(&net, net.bora, &path, &options).await;
        assert!(answer.contains("Only the secretariat may run"), "{path:?}: {answer}");
    }
    let _ = channel;
    // The authorities' room hears nothing of the civil society's meeting.
    assert!(
        matrix_bodies(&net, &net.authorities_room, "Weekly civil")
            .await
            .is_empty()
    );

    // The secretariat cancels one date of the series: the pillar's rooms are told.
    let second = first + chrono::Days::new(7);
    let cancelled = net
        .ask_matrix(&room, &format!("!magnet meeting cancel 1 --on {}", day(second)))
        .await;
    assert!(cancelled.contains("Cancelled: 1 meeting of #1"), "{cancelled}");
    let civil_room = net.civil_room.clone();
    eventually("the cancellation notice in the civil society room", || async {
        (!matrix_bodies(&net, &civil_room, "is cancelled. The series goes on")
            .await
            .is_empty())
        .then_some(())
    })
    .await;
    let wednesday = second + chrono::Days::new(1);
    let wrong_date = net
        .ask_matrix(&room, &format!("!magnet meeting cancel 1 --on {}", day(wednesday)))
        .await;
    assert!(
        wrong_date.contains(&format!("has no session on {}", day(wednesday))),
        "{wrong_date}"
    );
    let far = net.ask_matrix(&room, "!magnet rsvp 1 yes --on 2099-01-06").await;
    assert!(far.contains("too far ahead"), "{far}");
    let third = second + chrono::Days::new(7);
    let moved = net
        .ask_matrix(
            &room,
            &format!(
                "!magnet meeting move 1 \"{} 11:00\" --on {}",
                day(third + chrono::Days::new(1)),
                day(third)
            ),
        )
        .await;
    assert!(
        moved.contains(&format!(
            "Moved #1 to {}, 11:00 Europe/Berlin",
            long(third + chrono::Days::new(1))
        )),
        "{moved}"
    );
    bot.stop(WAIT).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turkish_pillar_hears_the_bot_in_turkish_and_a_private_answer_follows_the_askers_client() {
    let net = Network::new(SimConfig::default()).await;
    // The last pillar of the config is civil society's: it works in Turkish.
    net.append_config("language = \"tr\"\n");
    let _bot = net.start();

    let (channel, room) = (net.civil_channel, net.civil_room.clone());
    let added = ask_discord(
        &net,
        net.secretary,
        &["magnet", "meeting", "add"],
        &[
            ("pillar", "civil-society"),
            ("title", "Haftalık eşgüdüm"),
            ("start", &istanbul_in(100)),
            ("zone", "Europe/Istanbul"),
            ("reminders", "90s"),
            ("agenda", "Barınma"),
        ],
    )
    .await;
    // Selin's client is in English, as the simulator's users are unless set.
    assert!(added.contains("Added meeting #1"), "{added}");

    // The pillar's rooms are told in Turkish; what people wrote stays as they wrote it.
    let announcement = eventually("the Turkish announcement on both platforms", || async {
        let discord = bot_messages(&net, channel, "Yeni toplantı #1").into_iter().next()?;
        matrix_bodies(&net, &room, "Yeni toplantı #1").await.first()?;
        Some(discord.content)
    })
    .await;
    assert!(announcement.contains("**Haftalık eşgüdüm**"), "{announcement}");
    assert!(announcement.contains("**Gündem:** Barınma"), "{announcement}");
    assert!(
        announcement.contains("Hatırlatmalar: 1 dk 30 sn önce"),
        "{announcement}"
    );

    let reminder = eventually("the Turkish reminder on Discord", || async {
        bot_messages(&net, channel, "1 dk 30 sn sonra başlıyor")
            .into_iter()
            .next()
    })
    .await;
    assert!(
        reminder.content.contains("0 evet · 0 belki · 0 hayır"),
        "{}",
        reminder.content
    );
    let buttons: Vec<String> = reminder.components[0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(buttons, ["Evet", "Belki", "Hayır"]);
    let on_matrix = eventually("the Turkish reminder on Matrix", || async {
        matrix_bodies(&net, &room, "sonra başlıyor").await.into_iter().next()
    })
    .await;
    assert!(on_matrix.contains("✅ evet, 🤔 belki, ❌ hayır"), "{on_matrix}");
    assert!(
        on_matrix.contains("`!magnet katılım 1 evet|belki|hayır`"),
        "{on_matrix}"
    );

    // A command in the Turkish room is answered in Turkish, with Turkish names of days.
    let noted = net.ask_matrix(&room, "!magnet rsvp 1 yes").await;
    assert!(noted.starts_with("Kaydedildi:"), "{noted}");
    assert!(
        noted.contains("**evet**") && noted.contains("1 evet · 0 belki · 0 hayır"),
        "{noted}"
    );
    let month = [
        "Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara",
    ];
    assert!(month.iter().any(|m| noted.contains(m)), "{noted}");

    // In the English pillar's channel, Bora's client is set to Turkish: the answer only he
    // sees is in Turkish; the pillar's own messages stay English.
    net.sim.set_locale(net.bora, "tr");
    let listed = ask_discord(&net, net.bora, &["magnet", "meeting", "list"], &[]).await;
    assert_eq!(listed, "authorities için yaklaşan toplantı yok.");
    net.sim.set_locale(net.bora, "de");
    let listed = ask_discord(&net, net.bora, &["magnet", "meeting", "list"], &[]).await;
    assert_eq!(
        listed, "No meetings to come for authorities.",
        "no German: the room's language"
    );
}
