//! Surveys end to end, through the real binary, Synapse and the Discord simulator: a poll
//! put to a pillar on both platforms, answered from both, gives one merged tally; a changed
//! vote replaces the earlier one; the close posts the results once in every room and ends
//! the polls; a vote after the close is not counted; mistakes get clear answers.

mod common;

use common::network::{Network, WAIT, eventually};
use magnet_discord_sim::SimConfig;
use serde_json::{Value, json};

/// Sends a text command in a Matrix room as Ayşe (of the secretariat) and returns the bot's
/// answer to it.
async fn ask_matrix(net: &Network, room: &str, text: &str) -> String {
    let asked = net.ayse.send_text(room, text).await.unwrap();
    let answer = eventually(&format!("an answer to `{text}`"), || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == asked.as_str())
    })
    .await;
    answer["content"]["body"].as_str().unwrap().to_string()
}

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

    let started = ask_matrix(
        &net,
        &room,
        "!magnet survey start authorities \"Where shall we meet in January?\" Ankara Online --closes 2h",
    )
    .await;
    assert!(started.contains("Survey #1 is posted to 2 rooms"), "{started}");

    // Each platform's own poll, after the survey's message; nothing in the other pillar.
    let poll_message = eventually("the poll on Discord", || async {
        net.sim
            .messages(channel)
            .into_iter()
            .find(|m| m.poll_question.as_deref() == Some("Where shall we meet in January?"))
    })
    .await;
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
    let shown = eventually("both answers counted", || async {
        let shown = ask_matrix(&net, &room, "!magnet survey show 1").await;
        shown.contains("2 answers so far").then_some(shown)
    })
    .await;
    assert!(shown.contains("open"), "{shown}");

    // Closed by the secretariat: the results once in each room, the polls ended.
    let closed = ask_matrix(&net, &room, "!magnet survey close 1").await;
    assert!(closed.contains("Survey #1 is closed"), "{closed}");
    let on_discord = eventually("the results on Discord", || async {
        let found: Vec<_> = net
            .sim
            .messages(channel)
            .into_iter()
            .filter(|m| m.author_id == net.sim.bot_user_id() && m.content.contains("Results of survey #1"))
            .collect();
        (!found.is_empty()).then_some(found)
    })
    .await;
    let results = &on_discord[0].content;
    assert!(results.contains("2 people answered."), "{results}");
    assert!(results.contains("50 % (1) Ankara"), "{results}");
    assert!(results.contains("50 % (1) Online"), "{results}");
    assert!(results.contains("Migration authorities: 2 of"), "{results}");
    let on_matrix = eventually("the results on Matrix", || async {
        let found: Vec<String> = net
            .bot_bodies(&room)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|b| b.contains("Results of survey #1"))
            .collect();
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert!(on_matrix[0].contains("50 % (1) Online"), "{}", on_matrix[0]);
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
    let again = ask_matrix(&net, &room, "!magnet survey results 1").await;
    assert!(again.contains("50 % (1) Ankara"), "{again}");
    assert!(again.contains("2 people answered."), "{again}");
    let closed_again = ask_matrix(&net, &room, "!magnet survey close 1").await;
    assert!(closed_again.contains("Survey #1 is closed already"), "{closed_again}");

    // Once each, in each room, however the close was asked for.
    let store = net.store().await;
    assert_eq!(
        store.table_row_count("survey_reach").await.unwrap(),
        2,
        "one count per platform"
    );
    let _ = WAIT;
    let results_on_discord = net
        .sim
        .messages(channel)
        .into_iter()
        .filter(|m| m.author_id == net.sim.bot_user_id() && m.content.contains("Results of survey #1"))
        .count();
    assert_eq!(results_on_discord, 1);
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
    ] {
        let answer = ask_matrix(&net, &room, typed).await;
        assert!(answer.contains(expected), "{typed}: {answer}");
    }
    let store = net.store().await;
    assert_eq!(store.table_row_count("surveys").await.unwrap(), 0, "nothing recorded");

    // A rating of 6 and a text too long, on a survey that exists.
    let started = ask_matrix(
        &net,
        &room,
        "!magnet survey start authorities --closes 1h\nQ (rating): How useful was it?\nQ (text): Anything to add?",
    )
    .await;
    assert!(started.contains("Survey #1 is posted"), "{started}");
    let six = ask_matrix(&net, &room, "!magnet answer 1 1 6").await;
    assert!(six.contains("`6` is not a rating"), "{six}");
    let long = ask_matrix(&net, &room, &format!("!magnet answer 1 2 {}", "x".repeat(501))).await;
    assert!(long.contains("501 characters; at most 500"), "{long}");
    let missing = ask_matrix(&net, &room, "!magnet answer 1 3 yes").await;
    assert!(missing.contains("has no question 3"), "{missing}");
    let four = ask_matrix(&net, &room, "!magnet answer 1 1 4").await;
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
