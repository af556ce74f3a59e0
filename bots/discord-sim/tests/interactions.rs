//! Interactions in the simulator as Discord runs them: serenity registers a slash command,
//! reads the INTERACTION_CREATEs that people's commands, clicks, menu choices and form
//! submissions cause, and answers them with its own builders; answers Discord refuses
//! (too late, twice, a malformed form or component) are refused the same way.

use std::time::Duration;

use magnet_discord_sim::{DiscordSim, SimConfig};
use serde_json::{Value, json};
use serenity::all::{
    ButtonStyle, ChannelId, Command, CommandDataOptionValue, CommandOptionType, ComponentInteractionDataKind, Context,
    CreateActionRow, CreateButton, CreateCommand, CreateCommandOption, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage, CreateModal, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, EditInteractionResponse, EventHandler, GatewayIntents,
    InputTextStyle, Interaction, Ready,
};
use serenity::http::HttpBuilder;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(20);

fn serenity_http(sim: &DiscordSim) -> serenity::http::Http {
    HttpBuilder::new(sim.bot_token())
        .proxy(sim.base_url())
        .ratelimiter_disabled(true)
        .application_id(sim.application_id().into())
        .build()
}

/// A bot written with serenity alone: it answers each kind of interaction the way the
/// serenity documentation shows, and reports what it read.
struct Bot(mpsc::UnboundedSender<String>);

#[serenity::async_trait]
impl EventHandler for Bot {
    async fn ready(&self, _: Context, _: Ready) {
        let _ = self.0.send("ready".into());
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(command) => {
                let sub = &command.data.options[0];
                let CommandDataOptionValue::SubCommand(options) = &sub.value else {
                    panic!("{sub:?}")
                };
                let title = options
                    .iter()
                    .find(|o| o.name == "title")
                    .and_then(|o| o.value.as_str())
                    .unwrap_or_default()
                    .to_string();
                let who = command.member.as_ref().map(|m| m.user.name.clone()).unwrap_or_default();
                let _ = self.0.send(format!(
                    "command {} {} title={title} by {who}",
                    command.data.name, sub.name
                ));
                command.defer(&ctx.http).await.unwrap();
                command
                    .edit_response(
                        &ctx.http,
                        EditInteractionResponse::new().content(format!("Added {title}")),
                    )
                    .await
                    .unwrap();
                command
                    .create_followup(
                        &ctx.http,
                        CreateInteractionResponseFollowup::new()
                            .content("only you see this")
                            .ephemeral(true),
                    )
                    .await
                    .unwrap();
            }
            Interaction::Component(component) => {
                let values = match &component.data.kind {
                    ComponentInteractionDataKind::StringSelect { values } => values.join(","),
                    _ => String::new(),
                };
                let _ = self.0.send(format!(
                    "component {} on {} values={values}",
                    component.data.custom_id, component.message.id
                ));
                if component.data.custom_id == "why" {
                    let modal = CreateModal::new("why-form", "Why not?").components(vec![CreateActionRow::InputText(
                        CreateInputText::new(InputTextStyle::Paragraph, "Your reason", "reason"),
                    )]);
                    component
                        .create_response(&ctx.http, CreateInteractionResponse::Modal(modal))
                        .await
                        .unwrap();
                } else {
                    component
                        .create_response(
                            &ctx.http,
                            CreateInteractionResponse::Message(
                                CreateInteractionResponseMessage::new()
                                    .content(format!("You chose {}{values}", component.data.custom_id))
                                    .ephemeral(true),
                            ),
                        )
                        .await
                        .unwrap();
                }
            }
            Interaction::Modal(modal) => {
                let serenity::all::ActionRowComponent::InputText(input) = &modal.data.components[0].components[0]
                else {
                    panic!("{:?}", modal.data.components)
                };
                let _ = self.0.send(format!(
                    "form {} {}={}",
                    modal.data.custom_id,
                    input.custom_id,
                    input.value.clone().unwrap_or_default()
                ));
                modal
                    .create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
                    .await
                    .unwrap();
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>, prefix: &str) -> String {
    loop {
        let event = tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("an event in time")
            .expect("open");
        if event.starts_with(prefix) {
            return event;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_registers_a_command_and_answers_commands_clicks_menus_and_forms() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", Some("Ayşe"));
    let http = serenity_http(&sim);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut client = serenity::all::ClientBuilder::new_with_http(serenity_http(&sim), GatewayIntents::GUILDS)
        .event_handler(Bot(tx))
        .await
        .unwrap();
    let shards = client.shard_manager.clone();
    let running = tokio::spawn(async move { client.start().await });
    next(&mut rx, "ready").await;

    // Nobody can run a command the bot has not registered.
    assert!(sim.run_command(channel, ayse, &["magnet", "meeting"], &[]).is_err());
    let meeting = CreateCommandOption::new(CommandOptionType::SubCommand, "meeting", "Add a meeting").add_sub_option(
        CreateCommandOption::new(CommandOptionType::String, "title", "What it is about").required(true),
    );
    Command::set_global_commands(
        &http,
        vec![
            CreateCommand::new("magnet")
                .description("The MAGNET bot")
                .add_option(meeting),
        ],
    )
    .await
    .unwrap();
    assert!(
        sim.run_command(channel, ayse, &["magnet", "meeting"], &[]).is_err(),
        "a required option is missing"
    );
    assert!(
        sim.run_command(channel, ayse, &["magnet", "survey"], &[]).is_err(),
        "no such sub-command"
    );

    let run = sim
        .run_command(channel, ayse, &["magnet", "meeting"], &[("title", "Pillar sync")])
        .unwrap();
    assert_eq!(
        next(&mut rx, "command").await,
        "command magnet meeting title=Pillar sync by ayse"
    );
    let view = sim
        .wait_for_interaction(run, WAIT, |v| v.replies.len() == 2)
        .await
        .expect("the answer and the follow-up");
    assert_eq!(view.response, Some(5), "deferred first");
    assert_eq!(
        (
            view.replies[0].content.as_str(),
            view.replies[0].ephemeral,
            view.replies[0].loading
        ),
        ("Added Pillar sync", false, false)
    );
    assert_eq!(
        (view.replies[1].content.as_str(), view.replies[1].ephemeral),
        ("only you see this", true)
    );
    let channel_contents: Vec<String> = sim.messages(channel).into_iter().map(|m| m.content).collect();
    assert!(channel_contents.contains(&"Added Pillar sync".to_string()));
    assert!(
        !channel_contents.contains(&"only you see this".to_string()),
        "ephemeral answers stay out of the channel"
    );

    // Buttons and a menu under a bot message.
    let buttons = CreateActionRow::Buttons(vec![
        CreateButton::new("yes").label("Yes").style(ButtonStyle::Success),
        CreateButton::new("why")
            .label("No, because…")
            .style(ButtonStyle::Danger),
    ]);
    let menu = CreateActionRow::SelectMenu(
        CreateSelectMenu::new(
            "topics",
            CreateSelectMenuKind::String {
                options: vec![
                    CreateSelectMenuOption::new("Borders", "borders"),
                    CreateSelectMenuOption::new("Housing", "housing"),
                    CreateSelectMenuOption::new("Labour", "labour"),
                ],
            },
        )
        .min_values(1)
        .max_values(2),
    );
    let posted = ChannelId::new(channel)
        .send_message(
            &http,
            CreateMessage::new()
                .content("Will you attend?")
                .components(vec![buttons, menu]),
        )
        .await
        .unwrap()
        .id
        .get();

    let click = sim.click(channel, posted, ayse, "yes").unwrap();
    assert_eq!(
        next(&mut rx, "component").await,
        format!("component yes on {posted} values=")
    );
    let view = sim
        .wait_for_interaction(click, WAIT, |v| !v.replies.is_empty())
        .await
        .unwrap();
    assert_eq!(
        (view.replies[0].content.as_str(), view.replies[0].ephemeral),
        ("You chose yes", true)
    );

    assert!(
        sim.choose(channel, posted, ayse, "topics", &["borders", "housing", "labour"])
            .is_err()
    );
    assert!(sim.choose(channel, posted, ayse, "topics", &["weather"]).is_err());
    sim.choose(channel, posted, ayse, "topics", &["borders", "labour"])
        .unwrap();
    assert_eq!(
        next(&mut rx, "component").await,
        format!("component topics on {posted} values=borders,labour")
    );
    assert!(sim.click(channel, posted, ayse, "maybe").is_err(), "no such button");

    let why = sim.click(channel, posted, ayse, "why").unwrap();
    next(&mut rx, "component why").await;
    let view = sim
        .wait_for_interaction(why, WAIT, |v| v.modal.is_some())
        .await
        .unwrap();
    assert_eq!(view.modal.unwrap()["title"], "Why not?");
    assert!(
        sim.submit_form(why, ayse, &[("nickname", "x")]).is_err(),
        "no such field"
    );
    assert!(sim.submit_form(why, ayse, &[]).is_err(), "the field is required");
    let submitted = sim.submit_form(why, ayse, &[("reason", "travelling")]).unwrap();
    assert_eq!(next(&mut rx, "form").await, "form why-form reason=travelling");
    let view = sim
        .wait_for_interaction(submitted, WAIT, |v| v.response.is_some())
        .await
        .unwrap();
    assert_eq!(view.response, Some(6));

    shards.shutdown_all().await;
    let _ = running.await;
}

async fn call(sim: &DiscordSim, method: &str, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}/api/v10{path}", sim.base_url()))
        .header("Authorization", format!("Bot {}", sim.bot_token()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_discord_refuses_are_refused() {
    let config = SimConfig {
        interaction_ack_window: Duration::from_millis(300),
        ..SimConfig::default()
    };
    let sim = DiscordSim::start(config).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", None);
    let app = sim.application_id();
    let commands = format!("/applications/{app}/guilds/{guild}/commands");

    for bad in [
        json!([{"name": "Magnet", "description": "upper case is not allowed"}]),
        json!([{"name": "magnet", "description": ""}]),
        json!([{"name": "magnet", "description": "d", "options": [
            {"name": "when", "description": "d", "type": 3},
            {"name": "title", "description": "d", "type": 3, "required": true}]}]),
    ] {
        let (status, body) = call(&sim, "PUT", &commands, bad.clone()).await;
        assert_eq!((status, body["code"].as_u64()), (400, Some(50035)), "{bad} → {body}");
    }
    let (status, body) = call(
        &sim,
        "PUT",
        &commands,
        json!([{"name": "magnet", "description": "The MAGNET bot", "options": [
            {"name": "status", "description": "Bridge status", "type": 1, "options": []}]}]),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = call(
        &sim,
        "POST",
        &format!("/channels/{channel}/messages"),
        json!({"content": "six buttons", "components": [{"type": 1, "components":
            (0..6).map(|n| json!({"type": 2, "style": 1, "label": "b", "custom_id": n.to_string()})).collect::<Vec<_>>()}]}),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(50035)), "{body}");
    assert!(body["errors"]["components.0.components"].is_object(), "{body}");

    let run = sim.run_command(channel, ayse, &["magnet", "status"], &[]).unwrap();
    let token = sim.interaction_token(run).unwrap();
    let callback = format!("/interactions/{run}/{token}/callback");
    let followup = format!("/webhooks/{app}/{token}");
    let (status, body) = call(&sim, "POST", &followup, json!({"content": "too early"})).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (404, Some(10015)),
        "no follow-up before the answer"
    );
    let (status, _) = call(&sim, "POST", &callback, json!({"type": 6})).await;
    assert_eq!(status, 400, "a command has no message to update");
    let (status, _) = call(
        &sim,
        "POST",
        &callback,
        json!({"type": 9, "data": {"custom_id": "f", "title": "t".repeat(46), "components": [{"type": 1,
            "components": [{"type": 4, "custom_id": "a", "label": "A", "style": 1}]}]}}),
    )
    .await;
    assert_eq!(status, 400, "a form title over 45 characters");
    let (status, body) = call(
        &sim,
        "POST",
        &callback,
        json!({"type": 4, "data": {"content": "Bridge: ok"}}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = call(
        &sim,
        "POST",
        &callback,
        json!({"type": 4, "data": {"content": "again"}}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(40060)),
        "one answer per interaction"
    );
    let (status, body) = call(
        &sim,
        "PATCH",
        &format!("/webhooks/{app}/{token}/messages/@original"),
        json!({"content": "Bridge: ok, 4 rooms"}),
    )
    .await;
    assert_eq!(
        (status, body["content"].as_str()),
        (200, Some("Bridge: ok, 4 rooms")),
        "{body}"
    );
    let (status, body) = call(&sim, "POST", &followup, json!({"content": "and one more thing"})).await;
    assert_eq!(status, 200, "{body}");
    let seen = sim.interaction(run).unwrap();
    let contents: Vec<&str> = seen.replies.iter().map(|r| r.content.as_str()).collect();
    assert_eq!(contents, ["Bridge: ok, 4 rooms", "and one more thing"]);

    // An interaction not answered within the window is gone.
    let late = sim.run_command(channel, ayse, &["magnet", "status"], &[]).unwrap();
    let token = sim.interaction_token(late).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, body) = call(
        &sim,
        "POST",
        &format!("/interactions/{late}/{token}/callback"),
        json!({"type": 5}),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(10062)));
}
