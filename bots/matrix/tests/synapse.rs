//! The Matrix adapter against the real Synapse started by `scripts/test`: a second user
//! acts, the adapter hands the core neutral events; the adapter acts, the user sees it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use magnet_chat::{
    ChatAdapter, EventKind, EventSink, FileUpload, InboundEvent, MessageBody, MessageKind, Outbound, OutboundAction,
    Platform, PollStart,
};
use magnet_matrix::{Credential, MatrixAdapter, MatrixError, MatrixSettings};
use magnet_testkit::{MatrixUser, RecordingSink, Synapse};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

struct Setup {
    synapse: Synapse,
    bot: MatrixUser,
    alice: MatrixUser,
    room: String,
    store: tempfile::TempDir,
}

async fn setup() -> Setup {
    let synapse = Synapse::from_env();
    let bot = synapse.register_user("bot").await.unwrap();
    let alice = synapse.register_user("alice").await.unwrap();
    alice.set_display_name("Ayşe Yılmaz").await.unwrap();
    let room = alice.create_room("pillar room", &[&bot.user_id]).await.unwrap();
    Setup {
        synapse,
        bot,
        alice,
        room,
        store: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    fn settings(&self, rooms: &[&str]) -> MatrixSettings {
        MatrixSettings {
            homeserver: self.synapse.url.clone(),
            user_id: self.bot.user_id.clone(),
            credential: Credential::Password(self.bot.password.clone()),
            store_dir: self.store.path().join("matrix"),
            device_name: "magnet test".into(),
            rooms: rooms.iter().map(|r| r.to_string()).collect(),
        }
    }

    async fn start(&self, sink: &Arc<RecordingSink>) -> MatrixAdapter {
        MatrixAdapter::start(self.settings(&[&self.room]), sink.clone())
            .await
            .unwrap()
    }
}

fn saved_device(store: &Path) -> String {
    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("matrix/session.json")).unwrap()).unwrap();
    session["device_id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbound_kinds_arrive_as_neutral_events_in_order() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    let room = &s.room;
    let a = &s.alice;

    let text = a.send_text(room, "hello pillar").await.unwrap();
    a.send_event(
        room,
        "m.room.message",
        json!({"msgtype": "m.notice", "body": "a notice"}),
    )
    .await
    .unwrap();
    a.send_event(
        room,
        "m.room.message",
        json!({"msgtype": "m.emote", "body": "waves", "format": "org.matrix.custom.html", "formatted_body": "<em>waves</em>"}),
    )
    .await
    .unwrap();
    a.send_event(
        room,
        "m.room.message",
        json!({"msgtype": "m.text", "body": "a reply", "m.relates_to": {"m.in_reply_to": {"event_id": text}}}),
    )
    .await
    .unwrap();
    a.send_event(
        room,
        "m.room.message",
        json!({"msgtype": "m.text", "body": "* hello, pillar", "m.new_content": {"msgtype": "m.text", "body": "hello, pillar"},
               "m.relates_to": {"rel_type": "m.replace", "event_id": text}}),
    )
    .await
    .unwrap();
    let reaction = a
        .send_event(
            room,
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": text, "key": "👍"}}),
        )
        .await
        .unwrap();
    // A reaction redacted before the adapter reads it comes back without its content (and
    // rightly crosses as nothing); wait so this test sees the add and then the removal.
    sink.wait_for_count(6, WAIT).await;
    a.redact(room, &reaction).await.unwrap();
    let poll = a
        .send_event(
            room,
            "org.matrix.msc3381.poll.start",
            json!({"org.matrix.msc3381.poll.start": {"question": {"org.matrix.msc1767.text": "Next venue?"},
                   "kind": "org.matrix.msc3381.poll.disclosed", "max_selections": 1,
                   "answers": [{"id": "ank", "org.matrix.msc1767.text": "Ankara"}, {"id": "onl", "org.matrix.msc1767.text": "Online"}]},
                   "org.matrix.msc1767.text": "Next venue? Ankara / Online"}),
        )
        .await
        .unwrap();
    a.send_event(
        room,
        "org.matrix.msc3381.poll.response",
        json!({"m.relates_to": {"rel_type": "m.reference", "event_id": poll}, "org.matrix.msc3381.poll.response": {"answers": ["onl"]}}),
    )
    .await
    .unwrap();
    a.send_event(room, "com.example.unknown", json!({"anything": true}))
        .await
        .unwrap();
    a.send_text(room, "last").await.unwrap();

    let events = sink.wait_for_count(10, WAIT).await;
    assert!(
        events
            .iter()
            .all(|e| e.sender.id == a.user_id && e.room == *room && e.platform == Platform::Matrix)
    );
    assert_eq!(events[0].sender.display_name, "Ayşe Yılmaz");
    let EventKind::Message(first) = &events[0].kind else {
        panic!("{:?}", events[0])
    };
    assert_eq!((first.text.as_str(), first.kind), ("hello pillar", MessageKind::Text));
    assert_eq!(events[0].event_id, text);
    let EventKind::Message(notice) = &events[1].kind else {
        panic!()
    };
    assert_eq!(notice.kind, MessageKind::Notice);
    let EventKind::Message(emote) = &events[2].kind else {
        panic!()
    };
    assert_eq!(
        (emote.kind, emote.html.as_deref()),
        (MessageKind::Emote, Some("<em>waves</em>"))
    );
    let EventKind::Message(reply) = &events[3].kind else {
        panic!()
    };
    assert_eq!(reply.reply_to.as_deref(), Some(text.as_str()));
    assert_eq!(
        events[4].kind,
        EventKind::Edit {
            target: text.clone(),
            body: MessageBody {
                text: "hello, pillar".into(),
                ..Default::default()
            }
        }
    );
    assert_eq!(
        events[5].kind,
        EventKind::ReactionAdded {
            target: text.clone(),
            key: "👍".into()
        }
    );
    assert_eq!(events[6].kind, EventKind::Delete { target: reaction });
    let EventKind::PollStart(start) = &events[7].kind else {
        panic!("{:?}", events[7])
    };
    assert_eq!(start.question, "Next venue?");
    assert_eq!(
        events[8].kind,
        EventKind::PollResponse {
            poll: poll.clone(),
            answers: vec!["onl".into()]
        }
    );
    // The unknown event type was skipped, not handed on.
    let EventKind::Message(last) = &events[9].kind else {
        panic!("{:?}", events[9])
    };
    assert_eq!(last.text, "last");
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_actions_reach_the_room_once_each() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    let room = &s.room;
    let send = |key: &str, action: OutboundAction| Outbound {
        idempotency_key: key.into(),
        room: room.clone(),
        action,
    };

    let body = MessageBody {
        text: "Ayşe: **hi**".into(),
        html: Some("<b>Ayşe</b>: <strong>hi</strong>".into()),
        ..Default::default()
    };
    let sent = adapter
        .deliver(&send(
            "d1",
            OutboundAction::Send {
                body: body.clone(),
                persona: None,
            },
        ))
        .await
        .unwrap();
    let again = adapter
        .deliver(&send("d1", OutboundAction::Send { body, persona: None }))
        .await
        .unwrap();
    assert_eq!(sent, again, "a repeated delivery key returns the first event");
    let notice = MessageBody {
        kind: MessageKind::Notice,
        text: "reminder".into(),
        reply_to: Some(sent.remote_id.clone()),
        ..Default::default()
    };
    adapter
        .deliver(&send(
            "d2",
            OutboundAction::Send {
                body: notice,
                persona: None,
            },
        ))
        .await
        .unwrap();
    let edited = MessageBody {
        text: "Ayşe: hi there".into(),
        ..Default::default()
    };
    adapter
        .deliver(&send(
            "d3",
            OutboundAction::Edit {
                target: sent.remote_id.clone(),
                body: edited,
            },
        ))
        .await
        .unwrap();
    adapter
        .deliver(&send(
            "d4",
            OutboundAction::React {
                target: sent.remote_id.clone(),
                key: "🎉".into(),
            },
        ))
        .await
        .unwrap();
    let doomed = adapter
        .deliver(&send(
            "d5",
            OutboundAction::Send {
                body: MessageBody {
                    text: "oops".into(),
                    ..Default::default()
                },
                persona: None,
            },
        ))
        .await
        .unwrap();
    adapter
        .deliver(&send(
            "d6",
            OutboundAction::Delete {
                target: doomed.remote_id.clone(),
            },
        ))
        .await
        .unwrap();

    let events = s.alice.recent_events(room, 50).await.unwrap();
    let from_bot: Vec<_> = events
        .iter()
        .filter(|e| e["sender"] == s.bot.user_id.as_str())
        .collect();
    let messages: Vec<_> = from_bot.iter().filter(|e| e["type"] == "m.room.message").collect();
    assert_eq!(
        messages.len(),
        4,
        "send, notice, edit, and the deleted one: {messages:#?}"
    );
    assert_eq!(messages[0]["event_id"], sent.remote_id.as_str());
    assert_eq!(
        messages[0]["content"]["formatted_body"],
        "<b>Ayşe</b>: <strong>hi</strong>"
    );
    assert_eq!(messages[1]["content"]["msgtype"], "m.notice");
    assert_eq!(
        messages[1]["content"]["m.relates_to"]["m.in_reply_to"]["event_id"],
        sent.remote_id.as_str()
    );
    assert_eq!(messages[2]["content"]["m.new_content"]["body"], "Ayşe: hi there");
    assert_eq!(messages[2]["content"]["m.relates_to"]["rel_type"], "m.replace");
    assert!(
        messages[3]["content"].as_object().is_none_or(|c| c.is_empty()),
        "the deleted message is redacted"
    );
    let reaction = from_bot
        .iter()
        .find(|e| e["type"] == "m.reaction")
        .expect("the reaction");
    assert_eq!(reaction["content"]["m.relates_to"]["key"], "🎉");

    // Nothing the bot sent came back to the core as an inbound event.
    assert!(sink.events().is_empty());

    let unknown = Outbound {
        idempotency_key: "d7".into(),
        room: "!nowhere:localhost".into(),
        action: OutboundAction::Delete { target: "$x".into() },
    };
    assert!(matches!(
        adapter.deliver(&unknown).await,
        Err(magnet_chat::ChatError::Permanent(_))
    ));
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_downtime_everything_missed_arrives_once_in_order_on_the_same_device() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    s.alice.send_text(&s.room, "before").await.unwrap();
    sink.wait_for_count(1, WAIT).await;
    let device = saved_device(s.store.path());
    adapter.shutdown();
    drop(adapter);

    // More than the default sync timeline limit of 10, and more than one page.
    let mut sent = Vec::new();
    for n in 0..130 {
        sent.push(s.alice.send_text(&s.room, &format!("missed {n}")).await.unwrap());
    }
    let adapter = s.start(&sink).await;
    let events = sink.wait_for_count(131, WAIT).await;
    let ids: Vec<&str> = events[1..].iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, sent.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        saved_device(s.store.path()),
        device,
        "the restart restored the same device"
    );
    s.alice.send_text(&s.room, "after").await.unwrap();
    let events = sink.wait_for_count(132, WAIT).await;
    assert_eq!(events.len(), 132);
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_clear_error() {
    let s = setup().await;
    let mut settings = s.settings(&[&s.room]);
    settings.credential = Credential::Password("not the password".into());
    let sink: Arc<dyn EventSink> = Arc::new(RecordingSink::default());
    match MatrixAdapter::start(settings, sink).await {
        Err(MatrixError::Auth(message)) => assert!(message.contains("refused the password"), "{message}"),
        Err(other) => panic!("expected a login error, got {other}"),
        Ok(_) => panic!("a wrong password was accepted"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_homeserver_is_a_transient_error() {
    let s = setup().await;
    let mut settings = s.settings(&[&s.room]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    settings.homeserver = format!("http://127.0.0.1:{port}");
    let sink: Arc<dyn EventSink> = Arc::new(RecordingSink::default());
    match MatrixAdapter::start(settings, sink).await {
        Err(error) => assert!(error.is_transient(), "{error}"),
        Ok(_) => panic!("started without a homeserver"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_known_with_names_and_power_levels() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    let alice = adapter
        .member(&s.room, &s.alice.user_id)
        .await
        .unwrap()
        .expect("alice is a member");
    assert_eq!(alice.display_name.as_deref(), Some("Ayşe Yılmaz"));
    // The room's creator: 100 in older room versions, above every level in version 12.
    assert!(alice.power_level.unwrap() >= 100, "{alice:?}");
    let bot = adapter
        .member(&s.room, &s.bot.user_id)
        .await
        .unwrap()
        .expect("the bot is a member");
    assert_eq!(bot.power_level, Some(0));
    let stranger = s.synapse.register_user("stranger").await.unwrap();
    assert_eq!(adapter.member(&s.room, &stranger.user_id).await.unwrap(), None);
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_cross_both_ways_with_their_bytes() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    let pdf: Vec<u8> = (0..50_000u32).map(|n| (n % 251) as u8).collect();
    let mxc = s
        .alice
        .upload_media("minutes.pdf", "application/pdf", pdf.clone())
        .await
        .unwrap();
    s.alice
        .send_event(
            &s.room,
            "m.room.message",
            json!({"msgtype": "m.file", "body": "minutes.pdf", "url": mxc, "info": {"mimetype": "application/pdf", "size": pdf.len()}}),
        )
        .await
        .unwrap();
    let events = sink.wait_for_count(1, WAIT).await;
    let EventKind::Message(body) = &events[0].kind else {
        panic!("{:?}", events[0])
    };
    let attachment = &body.attachments[0];
    assert_eq!(
        (attachment.name.as_str(), attachment.size),
        ("minutes.pdf", Some(pdf.len() as u64))
    );
    assert_eq!(adapter.fetch_media(&attachment.url).await.unwrap(), pdf);

    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4];
    let upload = FileUpload {
        name: "chart.png".into(),
        mime_type: Some("image/png".into()),
        data: png.clone(),
    };
    let outbound = Outbound {
        idempotency_key: "f1".into(),
        room: s.room.clone(),
        action: OutboundAction::SendFile {
            file: upload,
            caption: Some("Attendance chart".into()),
            persona: None,
        },
    };
    let sent = adapter.deliver(&outbound).await.unwrap();
    let events = s.alice.recent_events(&s.room, 20).await.unwrap();
    let event = events
        .iter()
        .find(|e| e["event_id"] == sent.remote_id.as_str())
        .expect("the file event");
    assert_eq!(event["content"]["msgtype"], "m.image");
    assert_eq!(event["content"]["filename"], "chart.png");
    assert_eq!(event["content"]["body"], "Attendance chart");
    let url = event["content"]["url"].as_str().unwrap();
    assert_eq!(s.alice.download_media(url).await.unwrap(), png);
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_are_started_with_a_fallback_and_ended() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    let poll = PollStart {
        question: "Next meeting venue?".into(),
        answers: vec![("ank".into(), "Ankara".into()), ("onl".into(), "Online".into())],
        max_selections: 1,
        disclosed: true,
        closes_at_ms: None,
    };
    let start = Outbound {
        idempotency_key: "p1".into(),
        room: s.room.clone(),
        action: OutboundAction::StartPoll {
            poll,
            fallback_text: Some("Poll: Next meeting venue? 1. Ankara 2. Online".into()),
        },
    };
    let started = adapter.deliver(&start).await.unwrap();
    s.alice
        .send_event(
            &s.room,
            "org.matrix.msc3381.poll.response",
            json!({"m.relates_to": {"rel_type": "m.reference", "event_id": started.remote_id}, "org.matrix.msc3381.poll.response": {"answers": ["onl"]}}),
        )
        .await
        .unwrap();
    let events = sink.wait_for_count(1, WAIT).await;
    assert_eq!(
        events[0].kind,
        EventKind::PollResponse {
            poll: started.remote_id.clone(),
            answers: vec!["onl".into()]
        }
    );
    let end = Outbound {
        idempotency_key: "p2".into(),
        room: s.room.clone(),
        action: OutboundAction::EndPoll {
            target: started.remote_id.clone(),
            results_text: "Online wins, 1 vote".into(),
        },
    };
    adapter.deliver(&end).await.unwrap();

    let events = s.alice.recent_events(&s.room, 20).await.unwrap();
    let poll_event = events
        .iter()
        .find(|e| e["event_id"] == started.remote_id.as_str())
        .unwrap();
    assert_eq!(poll_event["type"], "org.matrix.msc3381.poll.start");
    assert_eq!(
        poll_event["content"]["org.matrix.msc3381.poll.start"]["answers"][1]["org.matrix.msc1767.text"],
        "Online"
    );
    assert!(
        events
            .iter()
            .any(|e| e["content"]["msgtype"] == "m.notice"
                && e["content"]["body"].as_str().unwrap().contains("1. Ankara"))
    );
    let ended = events
        .iter()
        .find(|e| e["type"] == "org.matrix.msc3381.poll.end")
        .expect("the poll end");
    assert_eq!(ended["content"]["m.relates_to"]["event_id"], started.remote_id.as_str());
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_from_the_network_is_skipped_or_passed_on_sanely() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    let room = &s.room;
    // Synapse checks the body and msgtype of a message, so the malformed events that can
    // reach us are the ones whose other parts are wrong.
    s.alice
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.file", "body": "no url.pdf"}),
        )
        .await
        .unwrap();
    s.alice
        .send_event(
            room,
            "org.matrix.msc3381.poll.start",
            json!({"org.matrix.msc3381.poll.start": {"answers": "nope"}}),
        )
        .await
        .unwrap();
    s.alice
        .send_event(room, "m.reaction", json!({"m.relates_to": "not an object"}))
        .await
        .unwrap();
    let nested = format!(
        "{}<script>alert(1)</script>{}",
        "<div>".repeat(5_000),
        "</div>".repeat(5_000)
    );
    s.alice
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.text", "body": "deep", "format": "org.matrix.custom.html", "formatted_body": nested}),
        )
        .await
        .unwrap();
    let big = "ş".repeat(30_000);
    s.alice.send_text(room, &big).await.unwrap();
    s.alice.send_text(room, "still alive").await.unwrap();

    let events = sink.wait_for_count(3, WAIT).await;
    let texts: Vec<String> = events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Message(body) => body.text.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(texts, ["deep".to_string(), big, "still alive".to_string()]);
    let EventKind::Message(deep) = &events[0].kind else {
        unreachable!()
    };
    assert_eq!(
        deep.html.as_deref(),
        Some(nested.as_str()),
        "HTML is passed on for the core to sanitise"
    );
    adapter.shutdown();
}

/// Runs the matrix-nio client script with the test venv's Python; returns its JSON output.
fn nio(args: &[&str]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nio_client.py");
    let output = std::process::Command::new(magnet_testkit::env::python())
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "nio script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("nio printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_we_did_not_write_interoperates() {
    let s = setup().await;
    let carol = s.synapse.register_user("carol").await.unwrap();
    s.alice.invite(&s.room, &carol.user_id).await.unwrap();
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    let poll = PollStart {
        question: "Which day?".into(),
        answers: vec![("a".into(), "Tuesday".into()), ("b".into(), "Thursday".into())],
        max_selections: 1,
        disclosed: true,
        closes_at_ms: None,
    };
    let started = adapter
        .deliver(&Outbound {
            idempotency_key: "n1".into(),
            room: s.room.clone(),
            action: OutboundAction::StartPoll {
                poll,
                fallback_text: None,
            },
        })
        .await
        .unwrap();

    let hs = s.synapse.url.clone();
    let (user, password, room, poll_id) = (
        carol.user_id.clone(),
        carol.password.clone(),
        s.room.clone(),
        started.remote_id.clone(),
    );
    let sent = tokio::task::spawn_blocking(move || nio(&["send", &hs, &user, &password, &room, &poll_id]))
        .await
        .unwrap();

    // carol's join, then her four events.
    let events: Vec<InboundEvent> = sink
        .wait_for_count(5, WAIT)
        .await
        .into_iter()
        .filter(|e| e.sender.id == carol.user_id)
        .collect();
    let kinds: Vec<&EventKind> = events
        .iter()
        .map(|e| &e.kind)
        .filter(|k| !matches!(k, EventKind::Membership { .. }))
        .collect();
    let text = sent["text"].as_str().unwrap();
    let EventKind::Message(first) = kinds[0] else {
        panic!("{kinds:?}")
    };
    assert_eq!(first.text, "hello from nio");
    let EventKind::Message(reply) = kinds[1] else {
        panic!("{kinds:?}")
    };
    assert_eq!(reply.reply_to.as_deref(), Some(text));
    assert_eq!(
        kinds[2],
        &EventKind::ReactionAdded {
            target: text.into(),
            key: "👍".into()
        }
    );
    assert_eq!(
        kinds[3],
        &EventKind::PollResponse {
            poll: started.remote_id.clone(),
            answers: vec!["b".into()]
        }
    );

    let body = MessageBody {
        text: "relayed to nio".into(),
        html: Some("<b>relayed</b> to nio".into()),
        ..Default::default()
    };
    adapter
        .deliver(&Outbound {
            idempotency_key: "n2".into(),
            room: s.room.clone(),
            action: OutboundAction::Send { body, persona: None },
        })
        .await
        .unwrap();
    let hs = s.synapse.url.clone();
    let (user, password, room) = (carol.user_id.clone(), carol.password.clone(), s.room.clone());
    let seen = tokio::task::spawn_blocking(move || nio(&["read", &hs, &user, &password, &room]))
        .await
        .unwrap();
    let relayed = seen
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["sender"] == s.bot.user_id.as_str() && e["content"]["body"] == "relayed to nio")
        .expect("nio reads the adapter's message");
    assert_eq!(relayed["content"]["formatted_body"], "<b>relayed</b> to nio");
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_invites_to_configured_rooms_are_accepted_and_a_late_invite_is_served() {
    let s = setup().await;
    // A configured room the bot is not invited to yet, and a room nobody configured.
    let later = s.alice.create_room("invited later", &[]).await.unwrap();
    let sink = Arc::new(RecordingSink::default());
    let adapter = MatrixAdapter::start(s.settings(&[&s.room, &later]), sink.clone())
        .await
        .unwrap();
    assert!(
        adapter
            .room(&later)
            .is_none_or(|room| room.state() != matrix_sdk::RoomState::Joined)
    );

    let stranger_room = s.alice.create_room("not configured", &[&s.bot.user_id]).await.unwrap();
    s.alice.invite(&later, &s.bot.user_id).await.unwrap();
    let deadline = Instant::now() + WAIT;
    while adapter
        .room(&later)
        .is_none_or(|room| room.state() != matrix_sdk::RoomState::Joined)
    {
        assert!(
            Instant::now() < deadline,
            "the late invite to a configured room was not accepted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s.alice.send_text(&later, "now you are here").await.unwrap();
    let events = sink.wait_for_count(1, WAIT).await;
    assert_eq!(events[0].room, later);

    let membership = |events: &[serde_json::Value]| {
        events
            .iter()
            .filter(|e| e["type"] == "m.room.member" && e["state_key"] == s.bot.user_id.as_str())
            .map(|e| e["content"]["membership"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + WAIT;
    loop {
        let seen = membership(&s.alice.recent_events(&stranger_room, 20).await.unwrap());
        if seen.last().map(String::as_str) == Some("leave") {
            assert_eq!(seen, ["invite", "leave"], "the invite was declined, never joined");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the invite to an unconfigured room was not declined: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    adapter.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_session_is_a_clear_error() {
    let s = setup().await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = s.start(&sink).await;
    adapter.shutdown();
    drop(adapter);
    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.store.path().join("matrix/session.json")).unwrap()).unwrap();
    let token = session["access_token"].as_str().unwrap();
    let logout = reqwest::Client::new()
        .post(format!("{}/_matrix/client/v3/logout", s.synapse.url))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_success());
    let sink: Arc<dyn EventSink> = Arc::new(RecordingSink::default());
    match MatrixAdapter::start(s.settings(&[&s.room]), sink).await {
        Err(MatrixError::Auth(message)) => assert!(
            message.contains("no longer accepts the saved access token"),
            "{message}"
        ),
        Err(other) => panic!("expected a login error, got {other}"),
        Ok(_) => panic!("a revoked session was accepted"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_configured_by_alias_is_joined_and_read_under_that_name() {
    let s = setup().await;
    let (room_id, alias) = s
        .alice
        .create_room_with_alias(&format!("civil{}", std::process::id()))
        .await
        .unwrap();
    let sink = Arc::new(RecordingSink::default());
    let adapter = MatrixAdapter::start(s.settings(&[&alias]), sink.clone()).await.unwrap();
    assert!(
        adapter
            .room(&alias)
            .is_some_and(|room| room.state() == matrix_sdk::RoomState::Joined)
    );
    s.alice.send_text(&room_id, "by alias").await.unwrap();
    let events = sink.wait_for_count(1, WAIT).await;
    assert_eq!(events[0].room, alias, "the core knows the room by its configured name");
    let sent = adapter
        .deliver(&Outbound {
            idempotency_key: "a1".into(),
            room: alias.clone(),
            action: OutboundAction::Send {
                body: MessageBody {
                    text: "reply by alias".into(),
                    ..Default::default()
                },
                persona: None,
            },
        })
        .await
        .unwrap();
    assert!(sent.remote_id.starts_with('$'));
    adapter.shutdown();
}
