//! The bridge end to end: the `magnet` binary between a real Synapse and the Discord
//! simulator, two pillars each with a Matrix room and a Discord channel. What people on one
//! side do is what people on the other side see, in their pillar and nowhere else.

mod common;

use std::time::Duration;

use common::network::{Network, WAIT, eventually, relays};
use magnet_discord_sim::SimConfig;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_replies_edits_deletions_reactions_and_files_cross_both_ways_within_the_pillar() {
    crossing(Network::new(SimConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_with_the_database_on_postgresql() {
    let url = magnet_testkit::postgres::fresh_database().await;
    crossing(Network::on_postgres(SimConfig::default(), url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_message_that_carries_a_bridged_reaction_is_deleted_on_the_other_side() {
    reacted_then_deleted(Network::new(SimConfig::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_reacted_message_with_the_database_on_postgresql() {
    let url = magnet_testkit::postgres::fresh_database().await;
    reacted_then_deleted(Network::on_postgres(SimConfig::default(), url).await).await;
}

/// Bora's message gets Ayşe's reaction (the bot's, on Discord), then Bora deletes it: the
/// copy on Matrix goes too. (The bot's reaction was once recorded under the message's own
/// id, and the deletion was taken for the reaction being taken back.)
async fn reacted_then_deleted(net: Network) {
    let process = net.start();
    let (sim, room, channel) = (&net.sim, net.authorities_room.as_str(), net.authorities_channel);
    let original = sim.post(channel, net.bora, "draft agenda, please react");
    let copy = eventually("Bora's message on Matrix", || async {
        net.bot_events(room).await.into_iter().find(|e| {
            e["content"]["body"]
                .as_str()
                .is_some_and(|b| b.ends_with("draft agenda, please react"))
        })
    })
    .await;
    let copy_id = copy["event_id"].as_str().unwrap().to_string();
    net.ayse
        .send_event(
            room,
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": copy_id, "key": "👀"}}),
        )
        .await
        .unwrap();
    let bot = sim.bot_user_id();
    eventually("Ayşe's reaction on Discord", || async {
        sim.messages(channel)
            .into_iter()
            .any(|m| m.id == original && m.reactions.iter().any(|(e, who)| e == "👀" && who.contains(&bot)))
            .then_some(())
    })
    .await;
    sim.delete(channel, original);
    eventually("the copy deleted on Matrix", || async {
        let events = net.ayse.all_events(room).await.unwrap();
        let copy = events.iter().find(|e| e["event_id"] == copy_id.as_str())?;
        copy["content"].as_object().is_none_or(|c| c.is_empty()).then_some(())
    })
    .await;
    process.stop(Duration::from_secs(30)).unwrap();
}

async fn crossing(net: Network) {
    let process = net.start();
    let (sim, room, channel) = (&net.sim, net.authorities_room.as_str(), net.authorities_channel);

    // Matrix to Discord, with the sender's name and a platform marker.
    let hello = net
        .ayse
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.text", "body": "Merhaba herkes", "format": "org.matrix.custom.html",
                "formatted_body": "Merhaba <strong>herkes</strong>"}),
        )
        .await
        .unwrap();
    let copy = eventually("Ayşe's message on Discord", || async {
        relays(sim, channel).into_iter().find(|m| m.content.contains("herkes"))
    })
    .await;
    assert_eq!(copy.author_name, "Ayşe [Matrix]");
    assert_eq!(copy.content, "Merhaba **herkes**");
    assert!(!copy.mention_everyone && copy.mentions.is_empty());

    // Discord to Matrix, the name in bold in both bodies.
    let from_bora = sim.post(channel, net.bora, "Hello from *Discord*");
    let relayed = eventually("Bora's message on Matrix", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.contains("Hello from")))
    })
    .await;
    assert_eq!(relayed["content"]["body"], "**Bora [Discord]**: Hello from *Discord*");
    let html = relayed["content"]["formatted_body"].as_str().unwrap();
    assert!(html.starts_with("<strong>Bora [Discord]</strong>: "), "{html}");
    assert!(html.contains("<em>Discord</em>"), "{html}");
    let relayed_id = relayed["event_id"].as_str().unwrap().to_string();

    // A Discord mention shows the person's name on Matrix, and pings nobody there.
    sim.post(channel, net.bora, &format!("thanks <@{}>", net.secretary));
    eventually("the mention on Matrix", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"] == "**Bora [Discord]**: thanks @Selin")
    })
    .await;

    // A Matrix pill shows the person's name on Discord.
    let pill = format!(
        "see <a href=\"https://matrix.to/#/{}\">Ayşe</a> about it",
        net.ayse.user_id
    );
    net.ayse
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.text", "body": "see Ayşe about it", "format": "org.matrix.custom.html",
                "formatted_body": pill}),
        )
        .await
        .unwrap();
    let named = eventually("the pill on Discord", || async {
        relays(sim, channel)
            .into_iter()
            .find(|m| m.content.contains("about it"))
    })
    .await;
    assert_eq!(named.content, "see @Ayşe about it");
    assert!(named.mentions.is_empty());

    // Replies stay replies on Matrix; on Discord they quote the original with a link.
    let bora_reply = sim.post_with(channel, net.bora, "Agreed", Some(copy.id), Vec::new());
    let reply_on_matrix = eventually("Bora's reply on Matrix", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.ends_with("Agreed")))
    })
    .await;
    assert_eq!(
        reply_on_matrix["content"]["m.relates_to"]["m.in_reply_to"]["event_id"],
        hello.as_str()
    );
    net.ayse
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.text", "body": "Thanks Bora", "m.relates_to": {"m.in_reply_to": {"event_id": relayed_id}}}),
        )
        .await
        .unwrap();
    let reply_on_discord = eventually("Ayşe's reply on Discord", || async {
        relays(sim, channel)
            .into_iter()
            .find(|m| m.content.contains("Thanks Bora"))
    })
    .await;
    assert!(
        reply_on_discord
            .content
            .starts_with("> ↪ [**Bora**](<https://discord.com/channels/")
            && reply_on_discord.content.contains(">) Hello from Discord\nThanks Bora"),
        "{}",
        reply_on_discord.content
    );
    assert!(
        reply_on_discord.content.contains(&format!("/{channel}/{from_bora}")),
        "the name links to the message: {}",
        reply_on_discord.content
    );

    // Edits follow the message.
    net.ayse
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.text", "body": "* Merhaba herkes!", "m.new_content": {"msgtype": "m.text", "body": "Merhaba herkes!"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": hello}}),
        )
        .await
        .unwrap();
    eventually("the edit on Discord", || async {
        sim.messages(channel)
            .into_iter()
            .find(|m| m.id == copy.id && m.content == "Merhaba herkes!" && m.edited)
    })
    .await;
    sim.edit(channel, bora_reply, "Agreed, with one change");
    eventually("Bora's edit on Matrix", || async {
        net.bot_events(room).await.into_iter().find(|e| {
            e["content"]["m.new_content"]["body"]
                .as_str()
                .is_some_and(|b| b.ends_with("Agreed, with one change"))
        })
    })
    .await;

    // Reactions cross both ways.
    sim.react(channel, copy.id, net.bora, "👍", true);
    let reaction = eventually("Bora's reaction on Matrix", || async {
        net.ayse
            .recent_events(room, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e["type"] == "m.reaction" && e["sender"] == net.bot_user_id.as_str())
    })
    .await;
    assert_eq!(reaction["content"]["m.relates_to"]["event_id"], hello.as_str());
    assert_eq!(reaction["content"]["m.relates_to"]["key"], "👍");
    let party = net
        .ayse
        .send_event(
            room,
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": relayed_id, "key": "🎉"}}),
        )
        .await
        .unwrap();
    let bot_reacted = |emoji: &'static str| {
        let bot = sim.bot_user_id();
        sim.messages(channel)
            .into_iter()
            .any(|m| m.id == from_bora && m.reactions.iter().any(|(e, who)| e == emoji && who.contains(&bot)))
    };
    eventually("Ayşe's reaction on Discord", || async {
        bot_reacted("🎉").then_some(())
    })
    .await;

    // Two people's same reaction is one reaction of the bot's, taken back with the last.
    // (Each step is let through before the next: Discord reports reactions over the gateway
    // only, and serenity hands events to the handler concurrently, so microseconds apart
    // their order is not kept.)
    let done = net.deliveries_done().await;
    sim.react(channel, copy.id, net.secretary, "👍", true);
    net.wait_for_deliveries(done + 1).await;
    sim.react(channel, copy.id, net.bora, "👍", false);
    net.wait_for_deliveries(done + 2).await;
    // The bot's reactions on Matrix: there it reacted 👍 only (🎉 went the other way).
    let bot_reactions = || async {
        net.ayse
            .recent_events(room, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e["type"] == "m.reaction" && e["sender"] == net.bot_user_id.as_str())
            .collect::<Vec<_>>()
    };
    sim.react(channel, copy.id, net.secretary, "👍", false);
    let reactions = eventually("the 👍 taken back on Matrix", || async {
        let reactions = bot_reactions().await;
        // A redacted reaction loses its content.
        let taken_back = !reactions.is_empty()
            && reactions
                .iter()
                .all(|e| e["content"].as_object().is_none_or(|c| c.is_empty()));
        taken_back.then_some(reactions)
    })
    .await;
    assert_eq!(reactions.len(), 1, "one 👍 from the bot for both, never a second");
    net.ayse.redact(room, &party).await.unwrap();
    eventually("Ayşe's 🎉 taken back on Discord", || async {
        (!bot_reacted("🎉")).then_some(())
    })
    .await;

    // A file over the other side's limit arrives as a line with its name and size (and a
    // link where the source has public links): Discord takes 10 MiB from a bot, Matrix
    // (Synapse's default) 50 MiB.
    let big = net
        .ayse
        .upload_media(
            "survey-export.bin",
            "application/octet-stream",
            vec![7; 11 * 1024 * 1024],
        )
        .await
        .unwrap();
    net.ayse
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.file", "body": "survey-export.bin", "url": big,
                "info": {"mimetype": "application/octet-stream", "size": 11 * 1024 * 1024}}),
        )
        .await
        .unwrap();
    let note = eventually("the large file's note on Discord", || async {
        relays(sim, channel)
            .into_iter()
            .find(|m| m.content.contains("survey-export.bin"))
    })
    .await;
    assert!(note.attachments.is_empty());
    assert!(
        note.content.contains("11.0 MB, too large to bring over"),
        "{}",
        note.content
    );
    sim.post_with(
        channel,
        net.bora,
        "",
        None,
        vec![("recording.mp4".into(), vec![1; 51 * 1024 * 1024])],
    );
    let note = eventually("the large file's note on Matrix", || async {
        net.bot_events(room).await.into_iter().find(|e| {
            e["content"]["body"]
                .as_str()
                .is_some_and(|b| b.contains("recording.mp4"))
        })
    })
    .await;
    let text = note["content"]["body"].as_str().unwrap();
    assert!(text.contains("51.0 MB, too large to bring over"), "{text}");
    assert!(text.contains("/attachments/"), "a link to it: {text}");

    // Files cross both ways with their bytes.
    sim.post_with(
        channel,
        net.bora,
        "",
        None,
        vec![("minutes.pdf".into(), b"%PDF-1.4 minutes".to_vec())],
    );
    let file_event = eventually("Bora's file on Matrix", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["msgtype"] == "m.file" && e["content"]["body"] == "minutes.pdf")
    })
    .await;
    let mxc = file_event["content"]["url"].as_str().unwrap();
    assert_eq!(net.ayse.download_media(mxc).await.unwrap(), b"%PDF-1.4 minutes");
    let uploaded = net
        .ayse
        .upload_media("agenda.txt", "text/plain", b"1. Opening".to_vec())
        .await
        .unwrap();
    net.ayse
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.file", "body": "agenda.txt", "url": uploaded, "info": {"mimetype": "text/plain", "size": 10}}),
        )
        .await
        .unwrap();
    let with_file = eventually("Ayşe's file on Discord", || async {
        relays(sim, channel).into_iter().find(|m| !m.attachments.is_empty())
    })
    .await;
    assert_eq!(
        with_file.attachments[0],
        ("agenda.txt".to_string(), b"1. Opening".to_vec())
    );

    // Deletions follow the message.
    sim.delete(channel, from_bora);
    eventually("Bora's deletion on Matrix", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["event_id"] == relayed_id.as_str() && e["content"].as_object().is_some_and(|c| c.is_empty()))
    })
    .await;
    net.ayse.redact(room, &hello).await.unwrap();
    eventually("Ayşe's deletion on Discord", || async {
        (!sim.messages(channel).iter().any(|m| m.id == copy.id)).then_some(())
    })
    .await;

    // Nothing reached the other pillar.
    assert!(
        sim.messages(net.civil_channel).is_empty(),
        "nothing leaks into civil society"
    );
    let leaked = net.bot_events(&net.civil_room).await;
    assert!(leaked.is_empty(), "nothing leaks into civil society: {leaked:?}");
    process.stop(Duration::from_secs(30)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_answered_where_they_were_asked_and_not_relayed() {
    let net = Network::new(SimConfig::default()).await;
    let process = net.start();
    let (sim, room, channel) = (&net.sim, net.authorities_room.as_str(), net.authorities_channel);

    // A Matrix text command: answered in the room, as a reply, not bridged.
    let asked = net.ayse.send_text(room, "!magnet help").await.unwrap();
    let answer = eventually("the answer to help", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == asked.as_str())
    })
    .await;
    assert_eq!(answer["content"]["msgtype"], "m.notice");
    let text = answer["content"]["body"].as_str().unwrap();
    assert!(
        text.contains("!magnet status") && text.contains("!magnet retry"),
        "Ayşe is secretariat: {text}"
    );

    // A mistake gets the usage, and nothing happens.
    let wrong = net.ayse.send_text(room, "!magnet retry").await.unwrap();
    let answer = eventually("the answer to a mistake", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == wrong.as_str())
    })
    .await;
    let text = answer["content"]["body"].as_str().unwrap();
    assert!(text.contains("Usage: `!magnet retry <which> [pillar]`"), "{text}");

    // A Discord slash command, answered to the one who asked.
    let status = eventually("the slash command registered", || async {
        sim.run_command(channel, net.bora, &["magnet", "status"], &[]).ok()
    })
    .await;
    let view = sim
        .wait_for_interaction(status, WAIT, |v| v.replies.iter().any(|r| !r.loading))
        .await
        .expect("an answer to /magnet status");
    assert!(view.replies[0].ephemeral);
    assert!(
        view.replies[0].content.contains("Migration authorities"),
        "{:?}",
        view.replies[0]
    );
    assert!(
        view.replies[0].content.contains("Civil society"),
        "{:?}",
        view.replies[0]
    );

    // Only the secretariat may retry: Bora may not, Selin (with the role) may.
    let denied = sim.post(channel, net.bora, "!magnet retry 1");
    let answered = eventually("the refusal", || async {
        sim.messages(channel)
            .into_iter()
            .find(|m| m.reply_to == Some(denied) && m.author_id == sim.bot_user_id())
    })
    .await;
    assert!(
        answered.content.contains("Only the secretariat"),
        "{}",
        answered.content
    );
    let allowed = sim.post(channel, net.secretary, "!magnet retry 999");
    let answered = eventually("the secretariat's answer", || async {
        sim.messages(channel)
            .into_iter()
            .find(|m| m.reply_to == Some(allowed) && m.author_id == sim.bot_user_id())
    })
    .await;
    assert!(answered.content.contains("no delivery #999"), "{}", answered.content);

    // None of it crossed to the other side. (The Discord channel's deliveries go in order,
    // so a relay of Ayşe's commands would have arrived before the answers above.)
    assert!(relays(sim, channel).is_empty(), "commands are not relayed to Discord");
    let relayed_to_matrix: Vec<Value> = net
        .bot_events(room)
        .await
        .into_iter()
        .filter(|e| e["content"]["msgtype"] != "m.notice")
        .collect();
    assert!(
        relayed_to_matrix.is_empty(),
        "commands are not relayed to Matrix: {relayed_to_matrix:?}"
    );
    process.stop(Duration::from_secs(30)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_pings_cross_only_where_the_pillar_allows_it_and_the_sender_may() {
    let net = Network::new(SimConfig::default()).await;
    let process = net.start();
    let sim = &net.sim;
    // Civil society allows room pings (see the config in common/network.rs); the
    // authorities pillar does not.
    let (room, channel) = (net.civil_room.as_str(), net.civil_channel);

    // Ayşe created the room: she may ping it, and the ping crosses.
    let everyone = json!({"msgtype": "m.text", "body": "@room meeting now", "m.mentions": {"room": true}});
    net.ayse.send_event(room, "m.room.message", everyone).await.unwrap();
    let relayed = eventually("Ayşe's room ping on Discord", || async {
        relays(sim, channel)
            .into_iter()
            .find(|m| m.content.contains("meeting now"))
    })
    .await;
    assert!(relayed.mention_everyone, "{relayed:?}");
    assert!(relayed.content.starts_with("@everyone "), "{}", relayed.content);

    // Jonas may not ping the room (power 0): his "@room" crosses as words only.
    let jonas = net.synapse.register_user("jonas").await.unwrap();
    net.ayse.invite(room, &jonas.user_id).await.unwrap();
    jonas.join(room).await.unwrap();
    let attempt = json!({"msgtype": "m.text", "body": "@room me too", "m.mentions": {"room": true}});
    jonas.send_event(room, "m.room.message", attempt).await.unwrap();
    let relayed = eventually("Jonas's message on Discord", || async {
        relays(sim, channel).into_iter().find(|m| m.content.contains("me too"))
    })
    .await;
    assert!(!relayed.mention_everyone, "{relayed:?}");

    // From Discord (where Discord let Bora's @everyone through) to Matrix.
    sim.post(channel, net.bora, "@everyone hello");
    let relayed = eventually("Bora's room ping on Matrix", || async {
        net.bot_events(room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.contains("hello")))
    })
    .await;
    assert_eq!(relayed["content"]["m.mentions"], json!({"room": true}));
    assert!(relayed["content"]["body"].as_str().unwrap().starts_with("@room "));

    // Where the pillar does not allow it, nothing pings.
    sim.post(net.authorities_channel, net.bora, "@everyone elsewhere");
    let relayed = eventually("Bora's message in the other pillar", || async {
        net.bot_events(&net.authorities_room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.contains("elsewhere")))
    })
    .await;
    assert_eq!(relayed["content"]["m.mentions"], json!({}));
    assert!(!relayed["content"]["body"].as_str().unwrap().contains("@room"));
    process.stop(Duration::from_secs(30)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_pings_the_same_person_in_another_channel_and_names_them_on_matrix() {
    let net = Network::with_twin_channel(SimConfig::default()).await;
    let process = net.start();
    let sim = &net.sim;
    let twin = net.civil_twin.unwrap();
    sim.post(
        net.civil_channel,
        net.bora,
        &format!("over to you <@{}>", net.secretary),
    );
    let relayed = eventually("the mention in the other channel", || async {
        relays(sim, twin)
            .into_iter()
            .find(|m| m.content.contains("over to you"))
    })
    .await;
    assert_eq!(relayed.mentions, vec![net.secretary], "Selin is pinged there too");
    assert!(!relayed.mention_everyone);
    let on_matrix = eventually("the mention on Matrix", || async {
        net.bot_events(&net.civil_room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.contains("over to you")))
    })
    .await;
    assert_eq!(on_matrix["content"]["body"], "**Bora [Discord]**: over to you @Selin");
    assert_eq!(
        on_matrix["content"]["m.mentions"],
        json!({}),
        "nobody on Matrix is Selin"
    );
    process.stop(Duration::from_secs(30)).unwrap();
}
