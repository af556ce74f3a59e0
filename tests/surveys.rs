//! Surveys end to end, through the real binary, Synapse and the Discord simulator: a poll
//! put to a pillar on both platforms, answered from both, gives one merged tally; a changed
//! vote replaces the earlier one; the close posts the results once in every room and ends
//! the polls; a vote after the close is not counted; mistakes get clear answers.

mod common;

use common::network::{Network, WAIT, eventually, eventually_within};
use magnet_discord_sim::SimConfig;
use serde_json::{Value, json};

/// The bot's events of a type in a Matrix room, oldest first.
async fn bot_events_of_type(net: &Network, room: &str, event_type: &str) -> Vec<Value> {
    net.ayse
        .recent_events(room, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e["sender"] == net.bot_user_id.as_str() && e["type"] == event_type)
        .collect()
}

/// The bot's messages in a Matrix room that contain `needle`, oldest first.
async fn matrix_bodies_with(net: &Network, room: &str, needle: &str) -> Vec<String> {
    net.bot_bodies(room)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.contains(needle))
        .collect()
}

/// Waits for the bot's first message in a Matrix room that contains `needle`.
async fn first_on_matrix(net: &Network, room: &str, needle: &str) -> String {
    eventually(&format!("`{needle}` on Matrix"), || async {
        matrix_bodies_with(net, room, needle).await.into_iter().next()
    })
    .await
}

/// Waits for the bot's first message in a Discord channel that contains `needle`.
async fn first_on_discord(net: &Network, channel: u64, needle: &str) -> magnet_discord_sim::SeenMessage {
    eventually(&format!("`{needle}` on Discord"), || async {
        bot_messages(net, channel, needle).into_iter().next()
    })
    .await
}

/// The survey's poll on Discord, by its question.
async fn discord_poll(net: &Network, channel: u64, question: &str) -> magnet_discord_sim::SeenMessage {
    eventually("the poll on Discord", || async {
        net.sim
            .messages(channel)
            .into_iter()
            .find(|m| m.poll_question.as_deref() == Some(question))
    })
    .await
}

/// The bot's first poll in a Matrix room.
async fn matrix_poll(net: &Network, room: &str) -> Value {
    eventually("the poll on Matrix", || async {
        bot_events_of_type(net, room, "org.matrix.msc3381.poll.start")
            .await
            .into_iter()
            .next()
    })
    .await
}

/// Waits until `survey show 1` says `count` (votes are counted in the order they come).
async fn answers_so_far(net: &Network, room: &str, count: &str) -> String {
    eventually(&format!("`{count}`"), || async {
        let shown = net.ask_matrix(room, "!magnet survey show 1").await;
        shown.contains(count).then_some(shown)
    })
    .await
}

/// Starts "Venue?" (Ankara or Online) in the authorities' rooms, closing after `closes`;
/// Bora votes Ankara on Discord and Ayşe Online on Matrix. The Discord poll and the Matrix
/// poll's event id.
async fn venue_survey_voted(net: &Network, closes: &str) -> (magnet_discord_sim::SeenMessage, String) {
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    let started = net
        .ask_matrix(
            &room,
            &format!("!magnet survey start authorities \"Venue?\" Ankara Online --closes {closes}"),
        )
        .await;
    assert!(started.contains("Survey #1 is posted"), "{started}");
    let poll_message = discord_poll(net, channel, "Venue?").await;
    let poll_id = matrix_poll(net, &room).await["event_id"].as_str().unwrap().to_string();
    net.sim.vote(channel, poll_message.id, net.bora, 1, true);
    vote_on_matrix(net, &room, &poll_id, &["2"]).await;
    answers_so_far(net, &room, "2 answers so far").await;
    (poll_message, poll_id)
}

/// Ayşe's choice in a Matrix poll, as clients send it (MSC3381): the whole choice each time.
async fn vote_on_matrix(net: &Network, room: &str, poll: &str, answers: &[&str]) {
    net.ayse
        .send_event(
            room,
            "org.matrix.msc3381.poll.response",
            json!({
                "m.relates_to": {"rel_type": "m.reference", "event_id": poll},
                "org.matrix.msc3381.poll.response": {"answers": answers},
            }),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_answered_on_both_platforms_gives_one_tally() {
    poll_on_both_platforms(Network::new(SimConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_with_the_database_on_postgresql() {
    let url = magnet_testkit::postgres::fresh_database().await;
    poll_on_both_platforms(Network::on_postgres(SimConfig::default(), url).await).await;
}

async fn poll_on_both_platforms(net: Network) {
    let _bot = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);

    let started = net
        .ask_matrix(
            &room,
            "!magnet survey start authorities \"Where shall we meet in January?\" Ankara Online --closes 2h",
        )
        .await;
    assert!(started.contains("Survey #1 is posted to 2 rooms"), "{started}");

    // Each platform's own poll, after the survey's message; nothing in the other pillar.
    let poll_message = discord_poll(&net, channel, "Where shall we meet in January?").await;
    let poll_event = eventually("the poll on Matrix", || async {
        bot_events_of_type(&net, &room, "org.matrix.msc3381.poll.start")
            .await
            .into_iter()
            .next()
    })
    .await;
    let poll_id = poll_event["event_id"].as_str().unwrap().to_string();
    assert_eq!(
        poll_event["content"]["org.matrix.msc3381.poll.start"]["max_selections"],
        1
    );
    let intro = net.bot_bodies(&room).await.unwrap_or_default();
    assert!(
        intro
            .iter()
            .any(|b| b.contains("Survey #1: Where shall we meet in January?")),
        "{intro:?}"
    );
    assert!(
        net.sim
            .messages(net.civil_channel)
            .iter()
            .all(|m| m.poll_question.is_none()),
        "another pillar's channel gets nothing"
    );

    // Ayşe votes Ankara on Matrix, then changes to Online; Bora votes Ankara on Discord,
    // takes it back and votes it again, the way people click.
    vote_on_matrix(&net, &room, &poll_id, &["1"]).await;
    vote_on_matrix(&net, &room, &poll_id, &["2"]).await;
    net.sim.vote(channel, poll_message.id, net.bora, 1, true);
    net.sim.vote(channel, poll_message.id, net.bora, 1, false);
    net.sim.vote(channel, poll_message.id, net.bora, 1, true);
    let shown = answers_so_far(&net, &room, "2 answers so far").await;
    assert!(shown.contains("open"), "{shown}");

    // Closed by the secretariat: the results once in each room, the polls ended.
    let closed = net.ask_matrix(&room, "!magnet survey close 1").await;
    assert!(closed.contains("Survey #1 is closed"), "{closed}");
    let results = &first_on_discord(&net, channel, "Results of survey #1").await.content;
    assert!(results.contains("2 people answered."), "{results}");
    assert!(results.contains("50 % (1) Ankara"), "{results}");
    assert!(results.contains("50 % (1) Online"), "{results}");
    assert!(results.contains("Migration authorities: 2 of"), "{results}");
    let on_matrix = first_on_matrix(&net, &room, "Results of survey #1").await;
    assert!(on_matrix.contains("50 % (1) Online"), "{on_matrix}");
    eventually("the Discord poll ended", || async {
        net.sim
            .messages(channel)
            .into_iter()
            .find(|m| m.id == poll_message.id && m.poll_closed)
    })
    .await;
    eventually("the Matrix poll ended", || async {
        bot_events_of_type(&net, &room, "org.matrix.msc3381.poll.end")
            .await
            .into_iter()
            .find(|e| e["content"]["m.relates_to"]["event_id"] == poll_id.as_str())
    })
    .await;

    // A vote after the close is not counted: the results read the same.
    vote_on_matrix(&net, &room, &poll_id, &["1"]).await;
    let again = net.ask_matrix(&room, "!magnet survey results 1").await;
    assert!(again.contains("50 % (1) Ankara"), "{again}");
    assert!(again.contains("2 people answered."), "{again}");
    let closed_again = net.ask_matrix(&room, "!magnet survey close 1").await;
    assert!(closed_again.contains("Survey #1 is closed already"), "{closed_again}");

    // Once each, in each room, however the close was asked for.
    let store = net.store().await;
    assert_eq!(
        store.table_row_count("survey_reach").await.unwrap(),
        2,
        "one count per platform"
    );
    let _ = WAIT;
    assert_eq!(bot_messages(&net, channel, "Results of survey #1").len(), 1);

    // The secretariat's files: CSV a spreadsheet reads, JSON with the results.
    let export = |format: &str| {
        let output = std::process::Command::new(common::network::BIN)
            .args([
                "--config",
                net.config.to_str().unwrap(),
                "survey",
                "export",
                "1",
                "--format",
                format,
            ])
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let csv_text = export("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{csv_text}");
    let mut given: Vec<(String, String)> = rows.iter().map(|r| (r[5].to_string(), r[7].to_string())).collect();
    given.sort();
    assert_eq!(
        given,
        [
            ("discord".to_string(), "Ankara".to_string()),
            ("matrix".to_string(), "Online".to_string())
        ]
    );
    let exported: Value = serde_json::from_str(&export("json")).unwrap();
    assert_eq!(exported["questions"][0]["results"]["counts"], json!([1, 1]));
    assert_eq!(exported["survey"]["state"], "closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_surveys_and_answers_are_explained_and_change_nothing() {
    let net = Network::new(SimConfig::default()).await;
    let _bot = net.start();
    let room = net.authorities_room.clone();
    for (typed, expected) in [
        (
            "!magnet survey start nowhere \"Q?\" A B --closes 1h",
            "There is no pillar `nowhere`",
        ),
        ("!magnet survey start authorities \"Q?\" A --closes 1h", "one choice"),
        (
            "!magnet survey start authorities \"Q?\" A B C D E F G H I J K --closes 1h",
            "has 11 choices; at most 10",
        ),
        (
            "!magnet survey start authorities \"Q?\" A B --multiple 3 --closes 1h",
            "allows up to 3 choices but has 2",
        ),
        (
            "!magnet survey start authorities \"Q?\" A B --closes \"2020-01-01 10:00\"",
            "has passed already",
        ),
        (
            "!magnet survey start authorities \"Q?\" A B --closes 100d",
            "at most 90 days away",
        ),
        (
            "!magnet survey start authorities --closes 1h",
            "A survey needs a question",
        ),
        (
            "!magnet survey start authorities \"Q?\" A B --closes 1h --anonymous",
            "Anonymous surveys need a key",
        ),
        ("!magnet answer 7 1 Ankara", "There is no survey #7"),
        ("!magnet survey attach 9", "There is no meeting #9"),
    ] {
        let answer = net.ask_matrix(&room, typed).await;
        assert!(answer.contains(expected), "{typed}: {answer}");
    }
    let added = net
        .ask_matrix(
            &room,
            "!magnet meeting add authorities \"Sync\" \"2030-01-07 10:00\" --reminders none",
        )
        .await;
    assert!(added.contains("Added meeting #1"), "{added}");
    for (typed, expected) in [
        (
            "!magnet survey attach 1 --closes-after 1h --nudge 2h",
            "would come before the survey opens",
        ),
        ("!magnet survey attach 1 --closes-after 91d", "91d"),
        (
            "!magnet meeting add authorities \"Sync 2\" \"2030-01-08 10:00\" --survey 1x",
            "1x",
        ),
    ] {
        let answer = net.ask_matrix(&room, typed).await;
        assert!(answer.contains(expected), "{typed}: {answer}");
    }
    let store = net.store().await;
    assert_eq!(store.table_row_count("surveys").await.unwrap(), 0, "nothing recorded");
    assert_eq!(store.table_row_count("survey_templates").await.unwrap(), 0);
    assert_eq!(
        store.table_row_count("meetings").await.unwrap(),
        1,
        "no meeting with a bad --survey"
    );
    let attached = net.ask_matrix(&room, "!magnet survey attach 1 --closes-after 1d").await;
    assert!(attached.contains("attached to meeting #1"), "{attached}");
    assert_eq!(store.table_row_count("survey_templates").await.unwrap(), 1);

    // A rating of 6 and a text too long, on a survey that exists.
    let started = net
        .ask_matrix(
            &room,
            "!magnet survey start authorities --closes 1h\nQ (rating): How useful was it?\nQ (text): Anything to add?",
        )
        .await;
    assert!(started.contains("Survey #1 is posted"), "{started}");
    let six = net.ask_matrix(&room, "!magnet answer 1 1 6").await;
    assert!(six.contains("`6` is not a rating"), "{six}");
    let long = net
        .ask_matrix(&room, &format!("!magnet answer 1 2 {}", "x".repeat(501)))
        .await;
    assert!(long.contains("501 characters; at most 500"), "{long}");
    let missing = net.ask_matrix(&room, "!magnet answer 1 3 yes").await;
    assert!(missing.contains("has no question 3"), "{missing}");
    let four = net.ask_matrix(&room, "!magnet answer 1 1 4").await;
    assert!(four.contains("is counted"), "{four}");
    assert_eq!(store.table_row_count("survey_answers").await.unwrap(), 1);

    // Bora is not of the secretariat: he may not close it.
    let asked = net
        .sim
        .post(net.authorities_channel, net.bora, "!magnet survey close 1");
    let refused = eventually("the refusal", || async {
        net.sim
            .messages(net.authorities_channel)
            .into_iter()
            .find(|m| m.reply_to == Some(asked) && m.author_id == net.sim.bot_user_id())
    })
    .await;
    assert!(
        refused.content.contains("Only the secretariat may run `survey close`"),
        "{}",
        refused.content
    );
}

/// A menu under the survey's Discord message, used by `user`; the private answer.
async fn choose(net: &Network, message: u64, user: u64, control: &str, values: &[&str]) -> String {
    let id = net
        .sim
        .choose(net.authorities_channel, message, user, control, values)
        .unwrap();
    let view = net
        .sim
        .wait_for_interaction(id, WAIT, |v| v.replies.iter().any(|r| !r.loading))
        .await
        .expect("an answer to the choice");
    assert!(view.replies[0].ephemeral, "an answer is acknowledged privately");
    view.replies[0].content.clone()
}

/// The bot's own messages in a Discord channel that contain `needle`.
fn bot_messages(net: &Network, channel: u64, needle: &str) -> Vec<magnet_discord_sim::SeenMessage> {
    net.sim
        .messages(channel)
        .into_iter()
        .filter(|m| !m.webhook && m.author_id == net.sim.bot_user_id() && m.content.contains(needle))
        .collect()
}

const VOTER_KEY: &str = "the voters' key of the tests, kept out of the database";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_survey_keeps_no_link_to_its_voters_and_closes_at_its_deadline() {
    let net = Network::new(SimConfig::default()).await;
    let key = net.dir.path().join("voter-key");
    std::fs::write(&key, VOTER_KEY).unwrap();
    net.append_config(&format!(
        "[surveys]\nanonymous_min = 3\nvoter_key_file = \"{}\"\n",
        key.display()
    ));
    let _bot = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    let deadline = std::time::Duration::from_secs(25);
    let started = net.ask_matrix(&room,
        "!magnet survey start all --closes 25s --anonymous --nudge 12s --title \"January check\"\nQ: Which topic first?\n- Borders\n- Housing\nQ (rating): How useful was the last meeting?",
    )
    .await;
    assert!(started.contains("Survey #1 is posted to 4 rooms"), "{started}");

    // No poll anywhere (a poll's voters are public): menus on Discord, a command on Matrix.
    let survey = eventually("the survey on Discord", || async {
        bot_messages(&net, channel, "Survey #1: January check")
            .into_iter()
            .find(|m| !m.components.is_empty())
    })
    .await;
    assert!(net.sim.messages(channel).iter().all(|m| m.poll_question.is_none()));
    assert!(survey.content.contains("Anonymous"), "{}", survey.content);
    let on_matrix = first_on_matrix(&net, &net.civil_room, "Survey #1: January check").await;
    assert!(on_matrix.contains("!magnet answer 1"), "{on_matrix}");
    assert!(
        bot_events_of_type(&net, &room, "org.matrix.msc3381.poll.start")
            .await
            .is_empty(),
        "no poll on Matrix either"
    );

    // Bora answers both questions; his second answer to the first is refused, privately.
    let counted = choose(&net, survey.id, net.bora, "survey:1:1", &["1"]).await;
    assert!(counted.contains("counted anonymously"), "{counted}");
    let again = choose(&net, survey.id, net.bora, "survey:1:1", &["0"]).await;
    assert!(
        again.contains("answered question 1 of the anonymous survey #1 already"),
        "{again}"
    );
    let rated = choose(&net, survey.id, net.bora, "survey:1:2", &["4"]).await;
    assert!(rated.contains("counted anonymously"), "{rated}");
    let selin = choose(&net, survey.id, net.secretary, "survey:1:1", &["0"]).await;
    assert!(selin.contains("counted anonymously"), "{selin}");

    // What the database keeps cannot tell who answered what: the answers carry no voter
    // and no time, the voters are hashes keyed with a key the database does not hold.
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&net.database_url).await.unwrap();
    let answers = sqlx::query("SELECT * FROM survey_anonymous_answers")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(answers.len(), 3);
    use sqlx::{Column, Row};
    let columns: Vec<String> = answers[0].columns().iter().map(|c| c.name().to_string()).collect();
    assert_eq!(columns, ["id", "question_id", "pillar_id", "answer"]);
    let named: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM survey_answers")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(named.0, 0, "nothing of an anonymous survey is kept by name");
    let hashes: Vec<(String,)> = sqlx::query_as("SELECT voter_hash FROM survey_anonymous_voters")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(hashes.len(), 3);
    for (hash,) in &hashes {
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&net.bora.to_string()) && !hash.contains(&net.secretary.to_string()));
    }
    let dumped: Vec<(String,)> = sqlx::query_as("SELECT answer FROM survey_anonymous_answers")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(dumped.iter().all(|(a,)| !a.contains(&net.bora.to_string())));
    db.close().await;

    // The reminder before the deadline, in every room of the survey.
    eventually_within("the reminder before the deadline", deadline + WAIT, || async {
        let discord = bot_messages(&net, net.civil_channel, "⏰ Survey #1").len();
        let matrix = matrix_bodies_with(&net, &room, "⏰ Survey #1").await.len();
        (discord == 1 && matrix == 1).then_some(())
    })
    .await;

    // At the deadline it closes by itself; two people are fewer than the 3 it needs.
    let results = eventually_within("the results at the deadline", deadline + WAIT, || async {
        bot_messages(&net, channel, "Results of survey #1").into_iter().next()
    })
    .await;
    assert!(
        results
            .content
            .contains("results are shown once at least 3 people have answered; 2 did"),
        "{}",
        results.content
    );
    assert!(!results.content.contains("Housing"), "{}", results.content);
    first_on_matrix(&net, &net.civil_room, "Results of survey #1").await;
    let late = choose(&net, survey.id, net.secretary, "survey:1:2", &["5"]).await;
    assert!(late.contains("Survey #1 is closed"), "{late}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_survive_the_bot_killed_and_the_close_is_posted_once() {
    let net = Network::new(SimConfig::default()).await;
    let bot = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    let deadline = std::time::Duration::from_secs(40);
    let (poll_message, poll_id) = venue_survey_voted(&net, "40s").await;

    // Killed. While it is away both change their minds: Bora's change reaches no gateway
    // of the bot's; Ayşe's is in the room's timeline.
    bot.kill().unwrap();
    net.sim.vote(channel, poll_message.id, net.bora, 1, false);
    net.sim.vote(channel, poll_message.id, net.bora, 2, true);
    vote_on_matrix(&net, &room, &poll_id, &["1"]).await;

    // Back before the deadline, and killed again just after the close is claimed.
    let mut cut = magnet_testkit::MagnetProcess::start(
        std::path::Path::new(common::network::BIN),
        &net.config,
        net.dir.path(),
        &[(magnet::fault::VARIABLE, "survey-closed")],
    )
    .unwrap();
    let status = cut
        .wait(deadline + WAIT)
        .expect("the bot aborts once the close is claimed");
    assert!(!status.success(), "{status:?}");

    // Back again: the results once in each room, with both changes counted.
    let _bot = net.start();
    let results = first_on_discord(&net, channel, "Results of survey #1").await;
    assert!(results.content.contains("50 % (1) Ankara"), "{}", results.content);
    assert!(results.content.contains("50 % (1) Online"), "{}", results.content);
    first_on_matrix(&net, &room, "Results of survey #1").await;
    eventually("the Discord poll ended", || async {
        net.sim
            .messages(channel)
            .into_iter()
            .find(|m| m.id == poll_message.id && m.poll_closed)
    })
    .await;
    // Whatever is left in the queue is done: still one each.
    net.queue_empty().await;
    assert_eq!(bot_messages(&net, channel, "Results of survey #1").len(), 1);
    assert_eq!(matrix_bodies_with(&net, &room, "Results of survey #1").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgresql_close_a_survey_once_when_the_serving_one_dies_closing_it() {
    let url = magnet_testkit::postgres::fresh_database().await;
    let net = Network::on_postgres(SimConfig::default(), url).await;
    let bin = std::path::Path::new(common::network::BIN);
    let mut first = net.start_with(&[(magnet::fault::VARIABLE, "survey-closed")]);
    first.wait_for_log("holding the instance lease", WAIT).unwrap();
    let second = magnet_testkit::MagnetProcess::start(bin, &net.config, net.dir.path(), &[]).unwrap();
    second.wait_for_log("waiting for the instance lease", WAIT).unwrap();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    let deadline = std::time::Duration::from_secs(20);
    let started = net
        .ask_matrix(
            &room,
            "!magnet survey start authorities \"Venue?\" Ankara Online --closes 20s",
        )
        .await;
    assert!(started.contains("Survey #1 is posted"), "{started}");
    let poll_message = discord_poll(&net, channel, "Venue?").await;
    net.sim.vote(channel, poll_message.id, net.bora, 1, true);

    // The serving one dies having claimed the close; the other takes over and finishes it.
    let status = first
        .wait(deadline + WAIT)
        .expect("the serving instance aborts at the close");
    assert!(!status.success(), "{status:?}");
    second.wait_for_log("holding the instance lease", WAIT).unwrap();
    let results = first_on_discord(&net, channel, "Results of survey #1").await;
    assert!(results.content.contains("100 % (1) Ankara"), "{}", results.content);
    first_on_matrix(&net, &room, "Results of survey #1").await;
    net.queue_empty().await;
    assert_eq!(bot_messages(&net, channel, "Results of survey #1").len(), 1);
    assert_eq!(matrix_bodies_with(&net, &room, "Results of survey #1").await.len(), 1);
    second.stop(WAIT).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_linked_on_both_platforms_count_once() {
    let net = Network::new(SimConfig::default()).await;
    let _bot = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    // The same person votes on both platforms (as "bora" on Discord, Ayşe on Matrix).
    let (poll_message, _) = venue_survey_voted(&net, "1h").await;

    // A code is only given where nobody else sees it.
    let public = net.ask_matrix(&room, "!magnet link").await;
    assert!(public.contains("/magnet link"), "{public}");
    let id = eventually("the slash commands registered", || async {
        net.sim.run_command(channel, net.bora, &["magnet", "link"], &[]).ok()
    })
    .await;
    let view = net
        .sim
        .wait_for_interaction(id, WAIT, |v| v.replies.iter().any(|r| !r.loading))
        .await
        .unwrap();
    assert!(view.replies[0].ephemeral);
    let code: String = view.replies[0]
        .content
        .split('`')
        .nth(1)
        .expect("a code in backticks")
        .to_string();
    assert_eq!(code.len(), 8, "{}", view.replies[0].content);

    let linked = net
        .ask_matrix(&room, &format!("!magnet link {}", code.to_lowercase()))
        .await;
    assert!(linked.contains("Linked with your Discord account"), "{linked}");
    let again = net.ask_matrix(&room, &format!("!magnet link {code}")).await;
    assert!(again.contains("not known"), "a code is used once: {again}");

    // Counted once now, with the later answer (Online, on Matrix).
    let shown = net.ask_matrix(&room, "!magnet survey show 1").await;
    assert!(shown.contains("one answer so far"), "{shown}");
    let results = net.ask_matrix(&room, "!magnet survey results 1").await;
    assert!(results.contains("100 % (1) Online"), "{results}");
    assert!(results.contains("0 % (0) Ankara"), "{results}");

    // A new vote from either account replaces the person's answer.
    net.sim.vote(channel, poll_message.id, net.bora, 1, false);
    net.sim.vote(channel, poll_message.id, net.bora, 1, true);
    eventually("the Discord vote replaces the Matrix one", || async {
        let results = net.ask_matrix(&room, "!magnet survey results 1").await;
        results.contains("100 % (1) Ankara").then_some(())
    })
    .await;
    let unlinked = net.ask_matrix(&room, "!magnet unlink").await;
    assert!(unlinked.contains("no longer linked"), "{unlinked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_discord_a_survey_is_written_in_a_form() {
    let net = Network::new(SimConfig::default()).await;
    let _bot = net.start();
    let channel = net.authorities_channel;
    let (form, answer) = net
        .fill_form(
            channel,
            net.secretary,
            &["magnet", "survey", "start"],
            &[("pillars", "authorities"), ("closes", "2h"), ("title", "January")],
            &[(
                "body",
                "Q: Where shall we meet?\n- Ankara\n- Online\nQ (rating): How useful was the last meeting?",
            )],
        )
        .await;
    assert_eq!(form["title"], "New survey");
    assert!(answer.ephemeral);
    assert!(
        answer.content.contains("Survey #1 is posted to 2 rooms"),
        "{}",
        answer.content
    );
    let survey = eventually("the survey on Discord", || async {
        bot_messages(&net, channel, "Survey #1: January")
            .into_iter()
            .find(|m| !m.components.is_empty())
    })
    .await;
    assert!(
        survey.content.contains("How useful was the last meeting?"),
        "{}",
        survey.content
    );
    discord_poll(&net, channel, "Where shall we meet?").await;
    // The rating is answered with its menu, privately.
    let rated = choose(&net, survey.id, net.bora, "survey:1:2", &["5"]).await;
    assert!(rated.contains("is counted"), "{rated}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_attached_to_a_meeting_opens_when_it_ends_and_closes_on_time() {
    let net = Network::new(SimConfig::default()).await;
    let _bot = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    // A one-minute meeting starting in 5 seconds.
    let start = (chrono::Utc::now() + chrono::Duration::seconds(5))
        .with_timezone(&chrono_tz::Europe::Istanbul)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let added = net
        .ask_matrix(
            &room,
            &format!(
                "!magnet meeting add authorities \"Quick sync\" \"{start}\" --duration 1m --reminders none --survey 20s"
            ),
        )
        .await;
    assert!(added.contains("Added meeting #1"), "{added}");
    assert!(added.contains("attached to meeting #1"), "{added}");
    assert!(
        bot_messages(&net, channel, "Survey #1").is_empty(),
        "nothing before the meeting ends"
    );

    // When it ends, the standard feedback in both rooms.
    let meeting_and_survey = std::time::Duration::from_secs(65 + 20);
    let survey = eventually_within(
        "the feedback survey at the meeting's end",
        meeting_and_survey + WAIT,
        || async {
            bot_messages(&net, channel, "Survey #1: Feedback: Quick sync")
                .into_iter()
                .find(|m| !m.components.is_empty())
        },
    )
    .await;
    assert!(
        survey.content.contains("How useful was this meeting?"),
        "{}",
        survey.content
    );
    first_on_matrix(&net, &room, "Survey #1: Feedback: Quick sync").await;
    let rated = choose(&net, survey.id, net.bora, "survey:1:1", &["4"]).await;
    assert!(rated.contains("is counted"), "{rated}");

    // It closes 20 seconds after the end, by itself.
    let results = eventually_within("the results 20 s after the end", meeting_and_survey + WAIT, || async {
        bot_messages(&net, channel, "Results of survey #1").into_iter().next()
    })
    .await;
    assert!(results.content.contains("One person answered."), "{}", results.content);
    assert!(results.content.contains("Mean: 4.0 of 5."), "{}", results.content);
    let store = net.store().await;
    assert_eq!(
        store.table_row_count("surveys").await.unwrap(),
        1,
        "one survey for the one session"
    );
}

/// A new Matrix user in the authorities' room, and matrix-nio driving them.
async fn authorities_member(net: &Network, name: &str) -> (magnet_testkit::MatrixUser, magnet_testkit::NioUser) {
    let user = net.synapse.register_user(name).await.unwrap();
    net.ayse.invite(&net.authorities_room, &user.user_id).await.unwrap();
    user.join(&net.authorities_room).await.unwrap();
    let nio = magnet_testkit::NioUser::new(&user);
    (user, nio)
}

/// The bot's messages in a direct room, as its other member reads them.
async fn direct_bodies(user: &magnet_testkit::MatrixUser, room: &str, bot: &str) -> Vec<String> {
    user.recent_events(room, 100)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["sender"] == bot && e["type"] == "m.room.message")
        .filter_map(|e| e["content"]["body"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pillar_member_answers_privately_in_a_direct_room_with_the_bot() {
    let net = Network::new(SimConfig::default()).await;
    let key = net.dir.path().join("voter-key");
    std::fs::write(&key, VOTER_KEY).unwrap();
    net.append_config(&format!("[surveys]\nvoter_key_file = \"{}\"\n", key.display()));
    let _bot = net.start();
    let room = net.authorities_room.clone();
    let started = net
        .ask_matrix(
            &room,
            "!magnet survey start authorities \"How useful was the meeting?\" --rating --anonymous --closes 1h",
        )
        .await;
    assert!(started.contains("Survey #1 is posted"), "{started}");
    let civil = net
        .ask_matrix(
            &net.civil_room,
            "!magnet survey start civil-society \"Housing first?\" Yes No --closes 1h",
        )
        .await;
    assert!(civil.contains("Survey #2 is posted"), "{civil}");

    // Deniz, in the authorities' room, opens a direct chat with matrix-nio: the bot joins
    // it and answers there, with or without the prefix.
    let (deniz, nio) = authorities_member(&net, "deniz").await;
    let direct = nio.create_direct_room(&net.bot_user_id).await.unwrap();
    let help = nio.ask(&direct, "help", &net.bot_user_id, WAIT).await.unwrap();
    assert!(help.contains("answer"), "{help}");
    let answered = nio.ask(&direct, "answer 1 1 4", &net.bot_user_id, WAIT).await.unwrap();
    assert!(answered.contains("counted anonymously"), "{answered}");
    let again = nio
        .ask(&direct, "!magnet answer 1 1 5", &net.bot_user_id, WAIT)
        .await
        .unwrap();
    assert!(again.contains("cannot be changed"), "{again}");
    // A survey of a pillar whose rooms Deniz is not in does not exist for them.
    let other = nio
        .ask(&direct, "answer 2 1 Yes", &net.bot_user_id, WAIT)
        .await
        .unwrap();
    assert!(other.contains("There is no survey #2"), "{other}");
    let listed = nio.ask(&direct, "survey list", &net.bot_user_id, WAIT).await.unwrap();
    assert!(listed.contains("#1") && !listed.contains("#2"), "{listed}");
    // What is typed there is never bridged.
    for body in net.bot_bodies(&room).await.unwrap_or_default() {
        assert!(!body.contains("answer 1 1 4"), "{body}");
    }
    assert!(
        net.sim
            .messages(net.authorities_channel)
            .iter()
            .all(|m| !m.content.contains("answer 1 1 4"))
    );
    let store = net.store().await;
    let survey = store.survey(1).await.unwrap().unwrap();
    assert_eq!(
        store.respondents(survey.id).await.unwrap(),
        vec![(Some("authorities".to_string()), 1)]
    );

    // Someone in none of the bot's rooms is not let in: the bot declines the invite.
    let stranger = net.synapse.register_user("stranger").await.unwrap();
    let stranger_nio = magnet_testkit::NioUser::new(&stranger);
    let refused = stranger_nio.create_direct_room(&net.bot_user_id).await.unwrap();
    eventually("the bot declining a stranger's direct chat", || async {
        stranger
            .recent_events(&refused, 50)
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|e| {
                e["type"] == "m.room.member"
                    && e["state_key"] == net.bot_user_id.as_str()
                    && e["content"]["membership"] == "leave"
            })
    })
    .await;
    assert!(direct_bodies(&stranger, &refused, &net.bot_user_id).await.is_empty());
    drop(deniz);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matrix_vote_cast_while_the_bot_is_away_counts_and_a_late_one_is_refused_privately() {
    let net = Network::new(SimConfig::default()).await;
    let bot = net.start();
    let room = net.authorities_room.clone();
    let (deniz, nio) = authorities_member(&net, "deniz").await;
    let direct = nio.create_direct_room(&net.bot_user_id).await.unwrap();
    nio.ask(&direct, "help", &net.bot_user_id, WAIT).await.unwrap();

    let closes_in = std::time::Duration::from_secs(30);
    let started = net
        .ask_matrix(
            &room,
            "!magnet survey start authorities \"Venue?\" Ankara Online --closes 30s",
        )
        .await;
    assert!(started.contains("Survey #1 is posted"), "{started}");
    let store = net.store().await;
    let closes_at = store.survey(1).await.unwrap().unwrap().closes_at;
    let poll = matrix_poll(&net, &room).await["event_id"].as_str().unwrap().to_string();
    nio.vote(&room, &poll, &["1"]).await.unwrap();
    answers_so_far(&net, &room, "one answer so far").await;

    // The bot is away when Deniz changes their mind, and is back only after the deadline.
    bot.kill().unwrap();
    nio.vote(&room, &poll, &["2"]).await.unwrap();
    let past_deadline = closes_at - chrono::Utc::now().timestamp_millis() + 1_000;
    assert!(past_deadline < closes_in.as_millis() as i64 + 1_000);
    if past_deadline > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(past_deadline as u64)).await;
    }
    let _bot = net.start();
    let results = first_on_matrix(&net, &room, "Results of survey #1").await;
    assert!(results.contains("100 % (1) Online"), "{results}");

    // A vote after the close is not counted, and Deniz is told so in the direct room
    // (not in the pillar's room); the vote before the deadline got no such word.
    nio.vote(&room, &poll, &["1"]).await.unwrap();
    let word = eventually("the private word on a late vote", || async {
        direct_bodies(&deniz, &direct, &net.bot_user_id)
            .await
            .into_iter()
            .find(|b| b.contains("Survey #1 is closed"))
    })
    .await;
    assert!(word.contains("no longer counted"), "{word}");
    net.queue_empty().await;
    let words = direct_bodies(&deniz, &direct, &net.bot_user_id)
        .await
        .into_iter()
        .filter(|b| b.contains("is closed"))
        .count();
    assert_eq!(words, 1);
    for body in net.bot_bodies(&room).await.unwrap_or_default() {
        assert!(!body.contains("is closed"), "{body}");
    }
    let shown = net.ask_matrix(&room, "!magnet survey results 1").await;
    assert!(shown.contains("100 % (1) Online"), "{shown}");
}
