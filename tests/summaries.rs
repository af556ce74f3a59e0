//! Summaries, decisions and action items end to end, through the real binary, Synapse and
//! the Discord simulator: posted by command on both platforms, a rapporteur's draft
//! approved by the secretariat, an action's owner reminded once (pinged, and only them),
//! search finding a decision, and mistakes answered with nothing recorded.

mod common;

use common::network::{Network, WAIT, eventually};
use magnet_discord_sim::SimConfig;

/// The bot's answer in a Discord channel to what `user` posted there.
async fn ask_discord(net: &Network, channel: u64, user: u64, text: &str) -> String {
    let asked = net.sim.post(channel, user, text);
    eventually(&format!("an answer to `{text}`"), || async {
        net.sim
            .messages(channel)
            .into_iter()
            .find(|m| m.reply_to == Some(asked) && m.author_id == net.sim.bot_user_id())
    })
    .await
    .content
}

fn bot_messages(net: &Network, channel: u64, needle: &str) -> Vec<magnet_discord_sim::SeenMessage> {
    net.sim
        .messages(channel)
        .into_iter()
        .filter(|m| m.author_id == net.sim.bot_user_id() && m.content.contains(needle))
        .collect()
}

async fn matrix_bodies_with(net: &Network, room: &str, needle: &str) -> Vec<String> {
    net.bot_bodies(room)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.contains(needle))
        .collect()
}

/// The network with a secretariat room on each platform, Bora as the authorities'
/// rapporteur on Discord, and reminders a month before the due date (so an action due
/// soon is reminded at once).
async fn network() -> (Network, String, u64) {
    let net = Network::new(SimConfig::default()).await;
    let (room, channel) = net.add_secretariat_rooms().await;
    let config = std::fs::read_to_string(&net.config).unwrap();
    let config = config.replacen(
        &format!("discord_channels = [\"{}\"]\n", net.authorities_channel),
        &format!(
            "discord_channels = [\"{}\"]\nrapporteurs = {{ discord = [\"{}\"] }}\n",
            net.authorities_channel, net.bora
        ),
        1,
    );
    std::fs::write(&net.config, config).unwrap();
    net.append_config("[actions]\nremind_before = \"30d\"\n");
    (net, room, channel)
}

fn today_in_istanbul() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Istanbul)
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summaries_drafts_actions_and_search_on_both_platforms() {
    let (net, secretariat_room, secretariat_channel) = network().await;
    let _bot = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    let due = today_in_istanbul();

    // The secretariat posts a summary on Matrix: it reaches the pillar's rooms.
    let posted = net.ask_matrix(&room,
        &format!(
            "!magnet summary add authorities\nWe went through the venues for January.\nDecision: Meet in Ankara on 12 January.\nAction: Book the hall <@{bora}> due {due}",
            bora = net.bora
        ),
    )
    .await;
    assert!(posted.contains("Summary #1 is posted"), "{posted}");
    let on_discord = eventually("the summary on Discord", || async {
        bot_messages(&net, channel, "**Summary #1:").into_iter().next()
    })
    .await;
    assert!(
        on_discord.content.contains("Meet in Ankara on 12 January."),
        "{}",
        on_discord.content
    );
    assert!(on_discord.content.contains("Book the hall"), "{}", on_discord.content);
    assert!(on_discord.mentions.is_empty(), "the summary pings nobody");
    eventually("the summary on Matrix", || async {
        matrix_bodies_with(&net, &room, "**Summary #1:")
            .await
            .into_iter()
            .next()
    })
    .await;

    // Its action is due soon: Bora is reminded once, pinged on Discord, named on Matrix.
    let reminder = eventually("the action's reminder on Discord", || async {
        bot_messages(&net, channel, "⏰").into_iter().next()
    })
    .await;
    assert_eq!(reminder.mentions, vec![net.bora], "only the owner is pinged");
    assert!(reminder.content.contains("action #1"), "{}", reminder.content);
    eventually("the action's reminder on Matrix", || async {
        matrix_bodies_with(&net, &room, "⏰").await.into_iter().next()
    })
    .await;

    // Bora, the rapporteur, posts a summary on Discord: a draft for the secretariat.
    let drafted = ask_discord(
        &net,
        channel,
        net.bora,
        "!magnet summary add authorities\nThe housing report was discussed.\nDecision: Publish the housing report in February.",
    )
    .await;
    assert!(drafted.contains("Summary #2 is a draft"), "{drafted}");
    let draft = eventually("the draft in the secretariat's channel", || async {
        bot_messages(&net, secretariat_channel, "Draft summary #2")
            .into_iter()
            .next()
    })
    .await;
    assert!(draft.content.contains("summary approve 2"), "{}", draft.content);
    eventually("the draft in the secretariat's Matrix room", || async {
        matrix_bodies_with(&net, &secretariat_room, "Draft summary #2")
            .await
            .into_iter()
            .next()
    })
    .await;
    assert!(
        bot_messages(&net, channel, "**Summary #2:").is_empty(),
        "not in the pillar before approval"
    );
    // Nobody else finds a draft, and the secretariat is not shown it in the pillar's room.
    let hidden = ask_discord(&net, channel, net.bora, "!magnet search housing").await;
    assert!(hidden.contains("Nothing found"), "{hidden}");
    let not_here = net.ask_matrix(&room, "!magnet summary show 2").await;
    assert!(not_here.contains("There is no summary #2"), "{not_here}");
    // One pillar's summary is not answered about in another pillar's room, even to the
    // secretariat.
    let elsewhere = net.ask_matrix(&net.civil_room, "!magnet summary show 1").await;
    assert!(elsewhere.contains("There is no summary #1"), "{elsewhere}");
    let elsewhere = net.ask_matrix(&net.civil_room, "!magnet search Ankara").await;
    assert!(elsewhere.contains("Nothing found"), "{elsewhere}");

    let approved = net.ask_matrix(&secretariat_room, "!magnet summary approve 2").await;
    assert!(approved.contains("approved"), "{approved}");
    eventually("the approved summary on Discord", || async {
        bot_messages(&net, channel, "**Summary #2:").into_iter().next()
    })
    .await;

    // Search finds the decision by a word in it; the owner marks the action done.
    let found = ask_discord(&net, channel, net.bora, "!magnet search housing").await;
    assert!(found.contains("Summary #2"), "{found}");
    assert!(found.contains("decision"), "{found}");
    let other = ask_discord(&net, channel, net.bora, "!magnet action done 1").await;
    assert!(other.contains("Action #1 is marked done"), "{other}");
    let open = net.ask_matrix(&room, "!magnet action list").await;
    assert!(open.contains("No open actions"), "{open}");

    // An edit keeps the earlier version; a withdrawal is told to the pillar's rooms.
    let edited = net.ask_matrix(&room,
        "!magnet summary edit 2\nThe housing report was discussed at length.\nDecision: Publish the housing report in March.",
    )
    .await;
    assert!(edited.contains("version 2"), "{edited}");
    let withdrawn = net.ask_matrix(&room, "!magnet summary withdraw 1").await;
    assert!(withdrawn.contains("withdrawn"), "{withdrawn}");
    eventually("the withdrawal on Discord", || async {
        bot_messages(&net, channel, "Summary #1 of Migration authorities is withdrawn")
            .into_iter()
            .next()
    })
    .await;

    net.queue_empty().await;
    assert_eq!(bot_messages(&net, channel, "⏰").len(), 1, "one reminder");
    assert_eq!(matrix_bodies_with(&net, &room, "⏰").await.len(), 1);
    let store = net.store().await;
    assert_eq!(store.table_row_count("summary_versions").await.unwrap(), 2);
    // Nothing of it ever reached the other pillar.
    assert!(bot_messages(&net, net.civil_channel, "Summary").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_summaries_are_explained_and_record_nothing() {
    let (net, _secretariat_room, _) = network().await;
    let _bot = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);
    for (typed, expected) in [
        ("!magnet summary add nowhere\nText.", "There is no pillar `nowhere`"),
        (
            "!magnet summary add authorities --meeting 9\nText.",
            "There is no meeting #9",
        ),
        ("!magnet summary add authorities", "The summary is empty"),
        (
            "!magnet summary add authorities\nAction: Book the hall due 2030-01-10",
            "Line 1: an action needs an owner",
        ),
        (
            "!magnet summary add authorities\nText.\nAction: Book @deniz due 2030-02-30",
            "Line 2: `2030-02-30` is not a date",
        ),
        (
            "!magnet summary add authorities\nAction: Book @deniz due 2020-01-01",
            "has passed already",
        ),
        (
            "!magnet summary add authorities\nAction: Book @deniz",
            "needs a due date",
        ),
        ("!magnet summary show 7", "There is no summary #7"),
        ("!magnet action done 7", "There is no action #7"),
    ] {
        let answer = net.ask_matrix(&room, typed).await;
        assert!(answer.contains(expected), "{typed}: {answer}");
    }
    // Neither of the secretariat nor a rapporteur: refused.
    let stranger = net.sim.create_user(net.guild, "eren", Some("Eren"));
    let refused = ask_discord(&net, channel, stranger, "!magnet summary add authorities\nText.").await;
    assert!(
        refused.contains("Only the secretariat and the rapporteurs"),
        "{refused}"
    );
    let refused = ask_discord(&net, channel, net.bora, "!magnet summary withdraw 1").await;
    assert!(
        refused.contains("Only the secretariat may run `summary withdraw`"),
        "{refused}"
    );
    let store = net.store().await;
    assert_eq!(store.table_row_count("summaries").await.unwrap(), 0, "nothing recorded");
    assert_eq!(store.table_row_count("action_items").await.unwrap(), 0);

    // A rapporteur cannot change a published summary.
    let posted = net.ask_matrix(&room, "!magnet summary add authorities\nText.").await;
    assert!(posted.contains("Summary #1 is posted"), "{posted}");
    let refused = ask_discord(&net, channel, net.bora, "!magnet summary edit 1\nOther text.").await;
    assert!(refused.contains("Only the secretariat, or a rapporteur"), "{refused}");
    assert_eq!(store.summary(1).await.unwrap().unwrap().version, 1);
    let _ = WAIT;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_discord_a_summary_is_written_in_a_form() {
    let (net, _, _) = network().await;
    let _bot = net.start();
    let channel = net.authorities_channel;
    let (form, answer) = net
        .fill_form(
            channel,
            net.secretary,
            &["magnet", "summary", "add"],
            &[("pillar", "authorities")],
            &[
                ("body", "The budget was agreed."),
                ("decisions", "Spend on interpreters first"),
                ("actions", "Ask for quotes @deniz:example.org due 2030-01-15"),
            ],
        )
        .await;
    assert_eq!(form["title"], "Meeting summary");
    assert!(answer.ephemeral);
    assert!(answer.content.contains("Summary #1 is posted"), "{}", answer.content);
    let posted = eventually("the summary on Discord", || async {
        bot_messages(&net, channel, "**Summary #1:").into_iter().next()
    })
    .await;
    assert!(
        posted.content.contains("Spend on interpreters first"),
        "{}",
        posted.content
    );
    assert!(posted.content.contains("Ask for quotes"), "{}", posted.content);
}
