//! The Discord adapter against the Discord simulator: people act in the simulator, the
//! adapter hands the core neutral events; the adapter acts, people see it in the channel.

use std::sync::Arc;
use std::time::Duration;

use magnet_chat::{ChatAdapter, EventKind, FileUpload, MessageBody, Outbound, OutboundAction, Persona, PollStart};
use magnet_discord::{DiscordAdapter, DiscordSettings};
use magnet_discord_sim::{DiscordSim, Limits, SimConfig};
use magnet_testkit::RecordingSink;

const WAIT: Duration = Duration::from_secs(30);

struct World {
    sim: DiscordSim,
    guild: u64,
    channel: u64,
    ayse: u64,
}

async fn world(config: SimConfig) -> World {
    let sim = DiscordSim::start(config).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", Some("Ayşe"));
    World {
        sim,
        guild,
        channel,
        ayse,
    }
}

impl World {
    fn settings(&self) -> DiscordSettings {
        DiscordSettings {
            token: self.sim.bot_token().to_string(),
            application_id: self.sim.application_id(),
            api_base: self.sim.api_base(),
            channels: vec![self.channel],
        }
    }

    async fn start(&self, sink: &Arc<RecordingSink>) -> DiscordAdapter {
        let adapter = DiscordAdapter::start(self.settings(), sink.clone()).await.unwrap();
        assert!(self.sim.wait_for_sessions(1, WAIT).await, "the gateway connects");
        adapter
    }
}

fn send(channel: u64, key: &str, action: OutboundAction) -> Outbound {
    Outbound {
        idempotency_key: key.into(),
        room: channel.to_string(),
        action,
    }
}

fn text(text: &str) -> MessageBody {
    MessageBody {
        text: text.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbound_messages_edits_deletes_and_reactions_arrive_as_neutral_events() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;

    let first = w.sim.post(w.channel, w.ayse, "merhaba");
    let reply = w.sim.post_with(
        w.channel,
        w.ayse,
        "see the file",
        Some(first),
        vec![("minutes.pdf".into(), vec![1, 2, 3])],
    );
    // A message deleted before the adapter reads it is gone from the listing (and rightly
    // crosses as nothing but its deletion); let these two be read first.
    let read = sink.wait_for_count(2, WAIT).await;
    let EventKind::Message(body) = &read[1].kind else {
        panic!("{:?}", read[1])
    };
    assert_eq!(
        adapter.fetch_media(&body.attachments[0].url).await.unwrap(),
        vec![1, 2, 3]
    );
    w.sim.edit(w.channel, first, "merhaba, pillar");
    w.sim.react(w.channel, first, w.ayse, "👍", true);
    w.sim.react(w.channel, first, w.ayse, "👍", false);
    w.sim.delete(w.channel, reply);
    let events = sink.wait_for_count(6, WAIT).await;

    assert!(events.iter().all(|e| e.room == w.channel.to_string()));
    let EventKind::Message(body) = &events[0].kind else {
        panic!("{:?}", events[0])
    };
    assert_eq!(
        (body.text.as_str(), events[0].sender.display_name.as_str()),
        ("merhaba", "Ayşe")
    );
    assert_eq!(events[0].event_id, first.to_string());
    let EventKind::Message(body) = &events[1].kind else {
        panic!("{:?}", events[1])
    };
    assert_eq!(body.reply_to, Some(first.to_string()));
    assert_eq!(body.attachments[0].name, "minutes.pdf");
    let rest: Vec<&EventKind> = events[2..].iter().map(|e| &e.kind).collect();
    assert!(
        rest.contains(&&EventKind::Edit {
            target: first.to_string(),
            body: text("merhaba, pillar")
        }),
        "{rest:?}"
    );
    assert!(
        rest.contains(&&EventKind::ReactionAdded {
            target: first.to_string(),
            key: "👍".into()
        }),
        "{rest:?}"
    );
    assert!(
        rest.contains(&&EventKind::ReactionRemoved {
            target: first.to_string(),
            key: "👍".into()
        }),
        "{rest:?}"
    );
    assert!(
        rest.contains(&&EventKind::Delete {
            target: reply.to_string()
        }),
        "{rest:?}"
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_relays_bot_messages_edits_deletes_reactions_files_and_polls() {
    let w = world(SimConfig {
        limits: Limits {
            channel_messages: (100, Duration::from_secs(1)),
            ..Limits::default()
        },
        ..SimConfig::default()
    })
    .await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let c = w.channel;
    let persona = Persona {
        display_name: "Ahmet [Matrix]".into(),
        avatar_url: Some("https://example.org/a.png".into()),
    };

    let hostile = format!("@everyone look <@{}> <@&{}>", w.ayse, w.guild);
    let relayed = adapter
        .deliver(&send(
            c,
            "d1",
            OutboundAction::Send {
                body: text(&hostile),
                persona: Some(persona.clone()),
            },
        ))
        .await
        .unwrap();
    let bot = adapter
        .deliver(&send(
            c,
            "d2",
            OutboundAction::Send {
                body: text("reminder: meeting at 10:00"),
                persona: None,
            },
        ))
        .await
        .unwrap();
    let again = adapter
        .deliver(&send(
            c,
            "d2",
            OutboundAction::Send {
                body: text("reminder: meeting at 10:00"),
                persona: None,
            },
        ))
        .await
        .unwrap();
    assert_eq!(bot, again, "the enforced nonce returns the first message");
    adapter
        .deliver(&send(
            c,
            "d3",
            OutboundAction::Edit {
                target: relayed.remote_id.clone(),
                body: text("edited relay"),
            },
        ))
        .await
        .unwrap();
    adapter
        .deliver(&send(
            c,
            "d4",
            OutboundAction::Edit {
                target: bot.remote_id.clone(),
                body: text("edited reminder"),
            },
        ))
        .await
        .unwrap();
    adapter
        .deliver(&send(
            c,
            "d5",
            OutboundAction::React {
                target: relayed.remote_id.clone(),
                key: "🎉".into(),
            },
        ))
        .await
        .unwrap();
    let file = FileUpload {
        name: "../../etc/chart.png".into(),
        mime_type: Some("image/png".into()),
        data: vec![9, 8, 7],
    };
    adapter
        .deliver(&send(
            c,
            "d6",
            OutboundAction::SendFile {
                file,
                caption: Some("chart".into()),
                persona: Some(persona.clone()),
            },
        ))
        .await
        .unwrap();
    let poll = PollStart {
        question: "Venue?".into(),
        answers: vec![("a".into(), "Ankara".into()), ("b".into(), "Online".into())],
        max_selections: 1,
        disclosed: true,
    };
    adapter
        .deliver(&send(
            c,
            "d7",
            OutboundAction::StartPoll {
                poll,
                fallback_text: None,
            },
        ))
        .await
        .unwrap();
    let doomed = adapter
        .deliver(&send(
            c,
            "d8",
            OutboundAction::Send {
                body: text("oops"),
                persona: Some(persona.clone()),
            },
        ))
        .await
        .unwrap();
    adapter
        .deliver(&send(
            c,
            "d9",
            OutboundAction::Delete {
                target: doomed.remote_id.clone(),
            },
        ))
        .await
        .unwrap();

    let seen = w.sim.messages(c);
    assert_eq!(seen.len(), 4, "{seen:#?}");
    assert!(seen[0].webhook && seen[0].author_name == "Ahmet [Matrix]");
    assert_eq!(seen[0].content, "edited relay");
    assert!(
        !seen[0].mention_everyone && seen[0].mentions.is_empty() && seen[0].mention_roles.is_empty(),
        "nothing pings"
    );
    assert_eq!(seen[0].reactions, vec![("🎉".to_string(), vec![w.sim.bot_user_id()])]);
    assert!(!seen[1].webhook && seen[1].content == "edited reminder");
    assert_eq!(
        seen[2].attachments,
        vec![("chart.png".to_string(), vec![9, 8, 7])],
        "no path in the file name"
    );
    assert_eq!(seen[3].poll_question.as_deref(), Some("Venue?"));
    assert_eq!(w.sim.webhooks(c).len(), 1, "one relay webhook per channel");
    // The bot's own messages and relays did not come back as inbound events.
    assert!(sink.events().is_empty(), "{:?}", sink.events());

    // Deleted by an admin, the webhook is made again.
    let (hook, _) = w.sim.webhooks(c)[0].clone();
    w.sim.delete_webhook(hook);
    adapter
        .deliver(&send(
            c,
            "d10",
            OutboundAction::Send {
                body: text("after the webhook was deleted"),
                persona: Some(persona),
            },
        ))
        .await
        .unwrap();
    assert_eq!(
        w.sim.messages(c).last().unwrap().content,
        "after the webhook was deleted"
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_dropped_during_a_burst_loses_nothing_and_keeps_order() {
    let config = SimConfig {
        heartbeat_interval: Duration::from_millis(500),
        ..SimConfig::default()
    };
    let w = world(config).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let mut sent = Vec::new();
    for n in 0..300 {
        if n == 100 {
            w.sim.drop_gateway();
        }
        if n == 200 {
            w.sim.invalidate_sessions();
        }
        sent.push(w.sim.post(w.channel, w.ayse, &format!("burst {n}")).to_string());
    }
    let events = sink.wait_for_count(300, WAIT).await;
    let ids: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids, sent);
    adapter.shutdown().await;

    // Stopped, 50 more arrive after the next start, in order, and nothing twice.
    let mut missed = Vec::new();
    for n in 0..50 {
        missed.push(w.sim.post(w.channel, w.ayse, &format!("while down {n}")).to_string());
    }
    let adapter = w.start(&sink).await;
    let events = sink.wait_for_count(350, WAIT).await;
    assert_eq!(events.len(), 350);
    let ids: Vec<String> = events[300..].iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids, missed);
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_a_clear_error() {
    let w = world(SimConfig::default()).await;
    let mut settings = w.settings();
    settings.token = "not-the-token".into();
    let sink = Arc::new(RecordingSink::default());
    match DiscordAdapter::start(settings, sink).await {
        Err(error) => assert!(error.to_string().contains("refused the bot token"), "{error}"),
        Ok(_) => panic!("a wrong token was accepted"),
    }
}

/// Delivers as the core's delivery worker does: in order, waiting out a 429 in place.
async fn deliver_in_order(adapter: &DiscordAdapter, outbound: &Outbound) -> magnet_chat::Delivered {
    loop {
        match adapter.deliver(outbound).await {
            Ok(delivered) => return delivered,
            Err(magnet_chat::ChatError::RateLimited { retry_after }) => tokio::time::sleep(retry_after).await,
            Err(other) => panic!("delivery failed: {other}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_100_relays_under_discords_limits_is_paced_not_refused() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let persona = Persona {
        display_name: "Ahmet [Matrix]".into(),
        avatar_url: None,
    };
    let (limit, window) = Limits::default().webhook_executions;
    let started = std::time::Instant::now();
    for n in 0..100 {
        let action = OutboundAction::Send {
            body: text(&format!("relay {n}")),
            persona: Some(persona.clone()),
        };
        deliver_in_order(&adapter, &send(w.channel, &format!("b{n}"), action)).await;
    }
    let took = started.elapsed();
    let contents: Vec<String> = w.sim.messages(w.channel).into_iter().map(|m| m.content).collect();
    assert_eq!(
        contents,
        (0..100).map(|n| format!("relay {n}")).collect::<Vec<_>>(),
        "all delivered, in order, once"
    );
    let refused = w
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/webhooks/") && r.status == 429)
        .count();
    assert!(
        refused <= 1,
        "the limiter paces the burst; Discord refused {refused} requests"
    );
    // The limit allows `limit` per `window`: the burst needs at least this long, and a
    // limiter that waits well beyond it is wasting the channel's time.
    let least = window * (100 / limit - 1);
    assert!(
        took >= least && took <= least + least / 2,
        "took {took:?}, the limit permits {least:?}"
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_votes_arrive_one_answer_at_a_time_and_the_bot_ends_its_poll() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let poll = PollStart {
        question: "Day?".into(),
        answers: vec![("a".into(), "Tuesday".into()), ("b".into(), "Thursday".into())],
        max_selections: 1,
        disclosed: true,
    };
    let started = adapter
        .deliver(&send(
            w.channel,
            "p1",
            OutboundAction::StartPoll {
                poll,
                fallback_text: None,
            },
        ))
        .await
        .unwrap();
    let poll_id: u64 = started.remote_id.parse().unwrap();

    w.sim.vote(w.channel, poll_id, w.ayse, 2, true);
    // One answer only: choosing Tuesday withdraws Thursday, as Discord's client does.
    w.sim.vote(w.channel, poll_id, w.ayse, 1, true);
    let events = sink.wait_for_count(3, WAIT).await;
    let votes: Vec<&EventKind> = events.iter().map(|e| &e.kind).collect();
    let vote = |answer: &str, added| EventKind::PollVote {
        poll: started.remote_id.clone(),
        answer: answer.into(),
        added,
    };
    assert!(
        votes.contains(&&vote("2", true)) && votes.contains(&&vote("2", false)) && votes.contains(&&vote("1", true)),
        "{votes:?}"
    );
    assert!(events.iter().all(|e| e.sender.id == w.ayse.to_string()));

    adapter
        .deliver(&send(
            w.channel,
            "p2",
            OutboundAction::EndPoll {
                target: started.remote_id.clone(),
                results_text: String::new(),
            },
        ))
        .await
        .unwrap();
    let seen = w.sim.messages(w.channel);
    assert!(seen[0].poll_closed);
    assert_eq!(seen[0].poll_votes, vec![(1, vec![w.ayse]), (2, vec![])]);
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_may_have_been_sent_is_found_instead_of_sent_twice() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let persona = Persona {
        display_name: "Ahmet [Matrix]".into(),
        avatar_url: None,
    };
    let relay = |key: &str, words: &str| {
        send(
            w.channel,
            key,
            OutboundAction::Send {
                body: text(words),
                persona: Some(persona.clone()),
            },
        )
    };
    // The first attempt reached Discord, then the process died before recording it.
    let first = adapter.deliver(&relay("r1", "the minutes are up")).await.unwrap();
    let again = adapter.redeliver(&relay("r1", "the minutes are up")).await.unwrap();
    assert_eq!(first, again, "found, not sent again");
    assert_eq!(w.sim.messages(w.channel).len(), 1);
    // An attempt that never reached Discord is sent.
    let other = adapter.redeliver(&relay("r2", "a different message")).await.unwrap();
    assert_ne!(other, first);
    assert_eq!(w.sim.messages(w.channel).len(), 2);
    adapter.shutdown().await;
}
