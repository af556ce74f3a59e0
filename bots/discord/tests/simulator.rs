//! The Discord adapter against the Discord simulator: people act in the simulator, the
//! adapter hands the core neutral events; the adapter acts, people see it in the channel.

use std::sync::Arc;
use std::time::Duration;

use magnet_chat::{
    AdapterWords, Button, ButtonStyle, ChatAdapter, CommandOption, CommandSpec, Control, EventKind, FileUpload, Menu,
    MenuOption, MessageBody, Outbound, OutboundAction, Persona, Phrasebook, Platform, PollStart,
};
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
            unreadable: Default::default(),
            listing_interval: magnet_discord::LISTING_INTERVAL,
            phrases: Phrasebook::new(AdapterWords {
                answer_field: "Your answer".into(),
                not_bridged: "magnet does not bridge this channel".into(),
                form_expired: "run the command again".into(),
            })
            .with(
                "tr",
                AdapterWords {
                    answer_field: "Yanıtınız".into(),
                    not_bridged: "magnet bu kanalı köprülemiyor".into(),
                    form_expired: "komutu yeniden çalıştırın".into(),
                },
            ),
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
        closes_at_ms: None,
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
        closes_at_ms: None,
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
async fn a_relay_that_may_have_been_sent_is_found_and_an_earlier_identical_one_told_apart() {
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
    // People say the same thing again and again: an earlier "+1", relayed and recorded
    // before the attempt began, is there too.
    let since = now_ms();
    let earlier = adapter.deliver(&relay("r0", "+1")).await.unwrap();
    // The attempt reached Discord, then the process died before recording it.
    let first = adapter.deliver(&relay("r1", "+1")).await.unwrap();
    // Both are candidates, oldest first: the core skips the one its records claim.
    let both = adapter.earlier_copies(&relay("r1", "+1"), since).await.unwrap();
    assert_eq!(both, vec![earlier, first]);
    // Nothing made before the first try (less the clock-skew allowance) is a candidate.
    let later = adapter
        .earlier_copies(&relay("r1", "+1"), since + 60_000)
        .await
        .unwrap();
    assert!(later.is_empty(), "{later:?}");
    // Another text, or another name, is not it.
    assert!(
        adapter
            .earlier_copies(&relay("r2", "a different message"), since)
            .await
            .unwrap()
            .is_empty()
    );
    let other_person = send(
        w.channel,
        "r3",
        OutboundAction::Send {
            body: text("+1"),
            persona: Some(Persona {
                display_name: "Selin [Matrix]".into(),
                avatar_url: None,
            }),
        },
    );
    assert!(adapter.earlier_copies(&other_person, since).await.unwrap().is_empty());
    assert_eq!(w.sim.messages(w.channel).len(), 2, "looking sends nothing");
    adapter.shutdown().await;
}

fn option(name: &str, required: bool, choices: &[&str]) -> CommandOption {
    CommandOption {
        name: name.into(),
        description: format!("the {name}"),
        required,
        choices: choices.iter().map(|c| c.to_string()).collect(),
        localized: Default::default(),
        localized_choices: Default::default(),
    }
}

fn command(name: &str, options: Vec<CommandOption>, subcommands: Vec<CommandSpec>) -> CommandSpec {
    CommandSpec {
        name: name.into(),
        description: format!("{name} things"),
        options,
        subcommands,
        localized: Default::default(),
        form: None,
    }
}

/// The interaction handle of the last event, which must be of the given shape.
fn handle_of(event: &magnet_chat::InboundEvent) -> String {
    match &event.kind {
        EventKind::Command { interaction, .. }
        | EventKind::ControlUsed { interaction, .. }
        | EventKind::FormSubmitted { interaction, .. } => interaction.clone(),
        other => panic!("not an interaction: {other:?}"),
    }
}

fn respond(channel: u64, key: &str, interaction: &str, text_: &str, private: bool) -> Outbound {
    send(
        channel,
        key,
        OutboundAction::Respond {
            interaction: interaction.into(),
            body: text(text_),
            private,
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_clicks_menus_and_forms_reach_the_core_and_the_core_answers_them() {
    let w = world(SimConfig::default()).await;
    let elsewhere = w.sim.create_channel(w.guild, "off-topic");
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    adapter
        .register_commands(&[command(
            "magnet",
            vec![],
            vec![
                command("help", vec![], vec![]),
                command("rsvp", vec![option("answer", true, &["yes", "no", "maybe"])], vec![]),
            ],
        )])
        .await
        .unwrap();

    // A slash command: acknowledged at once, handed to the core, answered for everyone.
    let run = w
        .sim
        .run_command(w.channel, w.ayse, &["magnet", "rsvp"], &[("answer", "yes")])
        .unwrap();
    let events = sink.wait_for_count(1, WAIT).await;
    assert_eq!(events[0].event_id, run.to_string());
    assert_eq!(events[0].sender.display_name, "Ayşe");
    let EventKind::Command { path, options, .. } = &events[0].kind else {
        panic!("{:?}", events[0])
    };
    assert_eq!(path, &["magnet", "rsvp"]);
    assert_eq!(options, &[("answer".to_string(), "yes".to_string())]);
    let view = w.sim.interaction(run).unwrap();
    assert_eq!(view.response, Some(5), "deferred within 3 s");
    assert!(view.replies[0].ephemeral && view.replies[0].loading, "{view:?}");
    adapter
        .deliver(&respond(w.channel, "r1", &handle_of(&events[0]), "Ayşe: yes", false))
        .await
        .unwrap();
    let view = w.sim.interaction(run).unwrap();
    assert_eq!(view.replies.len(), 1);
    assert_eq!(
        (
            view.replies[0].content.as_str(),
            view.replies[0].ephemeral,
            view.replies[0].loading
        ),
        ("Ayşe: yes", false, false)
    );

    assert!(w.sim.messages(w.channel).iter().any(|m| m.content == "Ayşe: yes"));

    // A private answer to a command: only the person who asked sees it.
    let help = w.sim.run_command(w.channel, w.ayse, &["magnet", "help"], &[]).unwrap();
    let events = sink.wait_for_count(2, WAIT).await;
    adapter
        .deliver(&respond(
            w.channel,
            "r2",
            &handle_of(&events[1]),
            "You may run: help, rsvp",
            true,
        ))
        .await
        .unwrap();
    let view = w.sim.interaction(help).unwrap();
    assert_eq!(view.replies.len(), 1, "{view:?}");
    assert_eq!(
        (view.replies[0].content.as_str(), view.replies[0].ephemeral),
        ("You may run: help, rsvp", true)
    );
    assert!(
        !w.sim
            .messages(w.channel)
            .iter()
            .any(|m| m.content.contains("You may run")),
        "private answers stay out of the channel"
    );

    // Controls under a bot message: a button, a button that asks for text, a menu.
    let controls = vec![
        Control::Button(Button {
            id: "rsvp:yes".into(),
            label: "Yes".into(),
            style: ButtonStyle::Success,
            asks_text: false,
        }),
        Control::Button(Button {
            id: "why".into(),
            label: "Something to add?".into(),
            style: ButtonStyle::Secondary,
            asks_text: true,
        }),
        Control::Menu(Menu {
            id: "topics".into(),
            placeholder: "Topics".into(),
            options: ["borders", "housing"]
                .iter()
                .map(|t| MenuOption {
                    value: t.to_string(),
                    label: t.to_string(),
                })
                .collect(),
            min: 1,
            max: 2,
        }),
    ];
    let posted = adapter
        .deliver(&send(
            w.channel,
            "c1",
            OutboundAction::SendControls {
                body: text("Pillar meeting on Tuesday: will you attend?"),
                controls,
            },
        ))
        .await
        .unwrap();
    let message: u64 = posted.remote_id.parse().unwrap();
    let seen = w.sim.messages(w.channel);
    let shown = seen.iter().find(|m| m.id == message).unwrap();
    assert_eq!(shown.components.len(), 2, "buttons on one row, the menu on its own");

    let click = w.sim.click(w.channel, message, w.ayse, "rsvp:yes").unwrap();
    let events = sink.wait_for_count(3, WAIT).await;
    let EventKind::ControlUsed {
        message: on,
        control,
        values,
        ..
    } = &events[2].kind
    else {
        panic!("{:?}", events[2])
    };
    assert_eq!(
        (on.as_str(), control.as_str(), values.len()),
        (posted.remote_id.as_str(), "rsvp:yes", 0)
    );
    adapter
        .deliver(&respond(w.channel, "r3", &handle_of(&events[2]), "Noted: yes", true))
        .await
        .unwrap();
    let view = w.sim.interaction(click).unwrap();
    assert_eq!(
        (view.response, view.replies[0].content.as_str()),
        (Some(6), "Noted: yes")
    );
    assert!(view.replies[0].ephemeral);

    w.sim
        .choose(w.channel, message, w.ayse, "topics", &["housing", "borders"])
        .unwrap();
    let events = sink.wait_for_count(4, WAIT).await;
    assert!(matches!(&events[3].kind, EventKind::ControlUsed { values, .. } if values == &["housing", "borders"]));

    // The button that asks for text opens a form at once; what reaches the core is the answer.
    let opened = w.sim.click(w.channel, message, w.ayse, "form:why").unwrap();
    let view = w
        .sim
        .wait_for_interaction(opened, WAIT, |v| v.modal.is_some())
        .await
        .expect("a form");
    let form = view.modal.unwrap();
    assert_eq!(form["title"], "Something to add?");
    assert_eq!(form["components"][0]["components"][0]["label"], "Your answer");
    w.sim
        .submit_form(opened, w.ayse, &[("answer", "Please add the housing report")])
        .unwrap();
    let events = sink.wait_for_count(5, WAIT).await;
    let EventKind::FormSubmitted {
        message: on,
        form,
        fields,
        ..
    } = &events[4].kind
    else {
        panic!("{:?}", events[4])
    };
    assert_eq!(on.as_deref(), Some(posted.remote_id.as_str()));
    assert_eq!(form, "why");
    assert_eq!(
        fields,
        &[("answer".to_string(), "Please add the housing report".to_string())]
    );

    // A command in a channel the bot does not bridge is answered there and goes no further.
    let stray = w.sim.run_command(elsewhere, w.ayse, &["magnet", "help"], &[]).unwrap();
    let view = w
        .sim
        .wait_for_interaction(stray, WAIT, |v| !v.replies.is_empty())
        .await
        .unwrap();
    assert!(view.replies[0].content.contains("does not bridge"), "{view:?}");
    assert!(view.replies[0].ephemeral);
    // Said in the language of the person's Discord client, where the bot has it.
    w.sim.set_locale(w.ayse, "tr");
    let stray = w.sim.run_command(elsewhere, w.ayse, &["magnet", "help"], &[]).unwrap();
    let view = w
        .sim
        .wait_for_interaction(stray, WAIT, |v| !v.replies.is_empty())
        .await
        .unwrap();
    assert_eq!(view.replies[0].content, "magnet bu kanalı köprülemiyor");
    assert!(
        events
            .iter()
            .chain(&sink.events())
            .all(|e| e.room == w.channel.to_string())
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_roles_are_read_fresh_for_permission_checks() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let room = w.channel.to_string();
    let before = adapter.member(&room, &w.ayse.to_string()).await.unwrap().unwrap();
    assert_eq!(before.display_name.as_deref(), Some("Ayşe"));
    assert!(before.roles.is_empty());
    let secretariat = w.sim.create_role(w.guild, "secretariat");
    w.sim.assign_role(w.guild, w.ayse, secretariat);
    let after = adapter.member(&room, &w.ayse.to_string()).await.unwrap().unwrap();
    assert_eq!(after.roles, vec![secretariat.to_string()]);
    assert_eq!(adapter.member(&room, "1234567890").await.unwrap(), None, "not a member");
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_events_fired_back_to_back_reach_the_core_in_the_order_they_happened() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let message = w.sim.post(w.channel, w.ayse, "react to me");
    sink.wait_for_count(1, WAIT).await;
    // Someone hesitating over a reaction, faster than any person: on, off, on, off…
    for n in 0..100 {
        w.sim.react(w.channel, message, w.ayse, "👍", n % 2 == 0);
    }
    let events = sink.wait_for_count(101, WAIT).await;
    let added: Vec<bool> = events[1..]
        .iter()
        .map(|e| match &e.kind {
            EventKind::ReactionAdded { .. } => true,
            EventKind::ReactionRemoved { .. } => false,
            other => panic!("{other:?}"),
        })
        .collect();
    let expected: Vec<bool> = (0..100).map(|n| n % 2 == 0).collect();
    assert_eq!(
        added, expected,
        "the core sees the reactions in the order they happened"
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_pings_exactly_the_people_the_core_lists() {
    let w = world(SimConfig::default()).await;
    let bora = w.sim.create_user(w.guild, "bora", Some("Bora"));
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let persona = Persona {
        display_name: "Selin [Discord]".into(),
        avatar_url: None,
    };
    let relay = |key: &str, mentions: Vec<(String, String)>| {
        send(
            w.channel,
            key,
            OutboundAction::Send {
                body: MessageBody {
                    text: format!("thanks <@{}> and <@{bora}> @everyone", w.ayse),
                    mentions,
                    ..Default::default()
                },
                persona: Some(persona.clone()),
            },
        )
    };
    let listed = adapter
        .deliver(&relay("m1", vec![(w.ayse.to_string(), "Ayşe".into())]))
        .await
        .unwrap();
    let unlisted = adapter.deliver(&relay("m2", Vec::new())).await.unwrap();
    let seen = w.sim.messages(w.channel);
    let find = |id: &str| seen.iter().find(|m| m.id.to_string() == id).unwrap().clone();
    let listed = find(&listed.remote_id);
    assert_eq!(listed.mentions, vec![w.ayse], "only the listed person");
    assert!(!listed.mention_everyone);
    let unlisted = find(&unlisted.remote_id);
    assert!(unlisted.mentions.is_empty() && !unlisted.mention_everyone, "nobody");
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_event_serenity_cannot_read_is_counted_and_the_adapter_goes_on() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let settings = w.settings();
    let unreadable = settings.unreadable.clone();
    let adapter = DiscordAdapter::start(settings, sink.clone()).await.unwrap();
    assert!(w.sim.wait_for_sessions(1, WAIT).await, "the gateway connects");
    let message = w.sim.post(w.channel, w.ayse, "react to me");
    sink.wait_for_count(1, WAIT).await;

    // A reaction as another Discord server (or a changed Discord) might send it: without
    // `burst`, which serenity 0.12.5 insists on.
    w.sim.dispatch_raw(
        "MESSAGE_REACTION_ADD",
        serde_json::json!({"user_id": w.ayse.to_string(), "channel_id": w.channel.to_string(),
            "message_id": message.to_string(), "guild_id": w.guild.to_string(),
            "emoji": {"id": null, "name": "👍"}, "type": 0}),
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    while unreadable.get(Platform::Discord, "MESSAGE_REACTION_ADD") == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the unreadable reaction was not counted: {:?}",
            unreadable.snapshot()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The adapter goes on: the next message arrives, and nothing was made of the reaction.
    w.sim.post(w.channel, w.ayse, "still here");
    let events = sink.wait_for_count(2, WAIT).await;
    let EventKind::Message(body) = &events[1].kind else {
        panic!("{:?}", events[1])
    };
    assert_eq!(body.text, "still here");
    assert_eq!(sink.events().len(), 2, "{:?}", sink.events());
    assert_eq!(
        unreadable.snapshot(),
        vec![(Platform::Discord, "MESSAGE_REACTION_ADD".to_string(), 1)]
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_a_nickname_or_global_name_reacts_under_their_username() {
    let w = world(SimConfig::default()).await;
    let bora = w.sim.create_user(w.guild, "bora", None);
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let message = w.sim.post(w.channel, w.ayse, "who is coming?");
    sink.wait_for_count(1, WAIT).await;
    w.sim.react(w.channel, message, bora, "👍", true);
    w.sim.react(w.channel, message, w.ayse, "👍", true);
    let events = sink.wait_for_count(3, WAIT).await;
    let names: Vec<(String, String)> = events[1..]
        .iter()
        .map(|e| (e.sender.id.clone(), e.sender.display_name.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            (bora.to_string(), "bora".to_string()),
            (w.ayse.to_string(), "Ayşe".to_string())
        ]
    );
    adapter.shutdown().await;
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_through_another_webhook_of_ours_is_never_taken_for_a_person() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    // A webhook of our application this process did not make (an earlier run's, or a
    // second instance's started by mistake), and a relay through it.
    let http = reqwest::Client::new();
    let hook: serde_json::Value = http
        .post(format!("{}/v10/channels/{}/webhooks", w.sim.api_base(), w.channel))
        .header("Authorization", format!("Bot {}", w.sim.bot_token()))
        .json(&serde_json::json!({"name": "magnet relay (old)"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let executed = http
        .post(format!(
            "{}/v10/webhooks/{}/{}?wait=true",
            w.sim.api_base(),
            hook["id"].as_str().unwrap(),
            hook["token"].as_str().unwrap()
        ))
        .json(&serde_json::json!({"content": "relayed by an earlier run", "username": "Selin [Matrix]"}))
        .send()
        .await
        .unwrap();
    assert!(executed.status().is_success());
    // A person's message after it: only that reaches the core.
    w.sim.post(w.channel, w.ayse, "a person's message");
    let events = sink.wait_for_count(1, WAIT).await;
    let EventKind::Message(body) = &events[0].kind else {
        panic!("{:?}", events[0])
    };
    assert_eq!(body.text, "a person's message");
    assert_eq!(sink.events().len(), 1, "{:?}", sink.events());
    adapter.shutdown().await;
}

/// How many times the channel has been listed over REST so far.
fn channel_reads(sim: &DiscordSim) -> u64 {
    sim.rest_counts()
        .get("GET /channels/{channel}/messages")
        .copied()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_conversation_is_bridged_from_the_gateway_without_listing_the_channel() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let mut sent = vec![w.sim.post(w.channel, w.ayse, "first").to_string()];
    // Committed: the listings of the start and of the new session are behind us.
    sink.wait_for_count(1, WAIT).await;
    let reads = channel_reads(&w.sim);

    let bora = w.sim.create_user(w.guild, "bora", None);
    for n in 0..20 {
        let who = if n % 2 == 0 { w.ayse } else { bora };
        sent.push(w.sim.post(w.channel, who, &format!("+1 ({n})")).to_string());
        if n == 10 {
            // A relay of the bot's in the middle: its own MESSAGE_CREATE is not a reason
            // to list the channel either.
            let relay = Outbound {
                idempotency_key: "relay-1".into(),
                room: w.channel.to_string(),
                action: OutboundAction::Send {
                    persona: Some(Persona {
                        display_name: "Deniz [Matrix]".into(),
                        avatar_url: None,
                    }),
                    body: text("from the other side"),
                },
            };
            adapter.deliver(&relay).await.unwrap();
        }
    }
    let events = sink.wait_for_count(21, WAIT).await;
    let ids: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids, sent, "every message once, in order, the relay not among them");
    assert_eq!(
        channel_reads(&w.sim),
        reads,
        "messages were read over REST: {:?}",
        w.sim.rest_counts()
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_whose_dispatch_the_gateway_lost_is_still_bridged_in_order() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let adapter = w.start(&sink).await;
    let first = w.sim.post(w.channel, w.ayse, "first");
    sink.wait_for_count(1, WAIT).await;
    let reads = channel_reads(&w.sim);

    // Its MESSAGE_CREATE never arrives, not even on a RESUME.
    w.sim.lose_dispatches(1);
    let lost = w.sim.post(w.channel, w.ayse, "the lost one");
    // The next dispatch shows the gap: a reaction to the lost message, which must not
    // reach the core before the message it concerns.
    w.sim.react(w.channel, lost, w.ayse, "👍", true);
    let last = w.sim.post(w.channel, w.ayse, "after it");

    let events = sink.wait_for_count(4, WAIT).await;
    let messages: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Message(body) => Some(format!("{}: {}", e.event_id, body.text)),
            _ => None,
        })
        .collect();
    assert_eq!(
        messages,
        vec![
            format!("{first}: first"),
            format!("{lost}: the lost one"),
            format!("{last}: after it"),
        ]
    );
    let reaction = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::ReactionAdded { target, key } if *target == lost.to_string() && key == "👍"))
        .expect("the reaction arrives");
    assert!(reaction > 1, "the reaction overtook the message it is on: {events:?}");
    assert!(
        channel_reads(&w.sim) > reads,
        "the gap was not answered by listing the channel"
    );
    adapter.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_discord_never_dispatched_is_found_by_the_regular_listing_in_a_busy_channel() {
    let w = world(SimConfig::default()).await;
    let sink = Arc::new(RecordingSink::default());
    let mut settings = w.settings();
    // Short, so that the test does not wait a minute; the channel stays busy meanwhile, so
    // only the regular listing (not the quiet-channel one) can find the message.
    settings.listing_interval = Duration::from_secs(1);
    let adapter = DiscordAdapter::start(settings, sink.clone()).await.unwrap();
    assert!(w.sim.wait_for_sessions(1, WAIT).await, "the gateway connects");
    let first = w.sim.post(w.channel, w.ayse, "first").to_string();
    sink.wait_for_count(1, WAIT).await;

    // No sequence number is taken: nothing on the gateway shows that it is missing.
    w.sim.vanish_dispatches(1);
    let vanished = w.sim.post(w.channel, w.ayse, "never dispatched").to_string();
    let mut later = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !sink.events().iter().any(|e| e.event_id == vanished) {
        assert!(tokio::time::Instant::now() < deadline, "the message was never bridged");
        later.push(
            w.sim
                .post(w.channel, w.ayse, &format!("busy {}", later.len()))
                .to_string(),
        );
        sink.wait_for_count(2 + later.len(), WAIT).await;
    }
    let ids: Vec<String> = sink.events().iter().map(|e| e.event_id.clone()).collect();
    let mut expected = vec![first, vanished];
    expected.extend(later);
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| id.parse::<u64>().unwrap());
    assert_eq!(sorted, expected, "every message once: {ids:?}");
    adapter.shutdown().await;
}
