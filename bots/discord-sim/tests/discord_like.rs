//! The simulator behaves like Discord where we rely on it: serenity (not only our adapter)
//! connects, reads READY and GUILD_CREATE, receives messages and sends them; bad requests
//! are refused with Discord's statuses and error codes; rate limits answer 429.

use std::time::Duration;

use magnet_discord_sim::{DiscordSim, Limits, SimConfig};
use serde_json::{Value, json};
use serenity::all::{ChannelId, Context, CreateMessage, EventHandler, GatewayIntents, Message, Ready};
use serenity::http::HttpBuilder;
use tokio::sync::mpsc;

/// serenity's HTTP client pointed at the simulator. Its rate limiter builds requests without
/// the proxy (serenity 0.12.5, http/ratelimiting.rs), so it must be off for the proxy to
/// apply; the simulator still enforces Discord's limits.
fn serenity_http(sim: &DiscordSim) -> serenity::http::Http {
    HttpBuilder::new(sim.bot_token())
        .proxy(sim.base_url())
        .ratelimiter_disabled(true)
        .build()
}

struct Recorder(mpsc::UnboundedSender<String>);

#[serenity::async_trait]
impl EventHandler for Recorder {
    async fn ready(&self, _: Context, ready: Ready) {
        let _ = self
            .0
            .send(format!("ready {} guilds={}", ready.user.name, ready.guilds.len()));
    }
    async fn cache_ready(&self, _: Context, guilds: Vec<serenity::all::GuildId>) {
        let _ = self.0.send(format!("cache_ready {}", guilds.len()));
    }
    async fn message(&self, _: Context, message: Message) {
        let _ = self
            .0
            .send(format!("message {}: {}", message.author.name, message.content));
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>, prefix: &str) -> String {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("an event in time")
            .expect("open");
        if event.starts_with(prefix) {
            return event;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_connects_reads_ready_receives_and_sends() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", Some("Ayşe"));

    let http = serenity_http(&sim);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let mut client = serenity::all::ClientBuilder::new_with_http(http, intents)
        .event_handler(Recorder(tx))
        .await
        .unwrap();
    let shards = client.shard_manager.clone();
    let running = tokio::spawn(async move { client.start().await });

    assert_eq!(next(&mut rx, "ready").await, "ready magnet guilds=1");
    assert_eq!(next(&mut rx, "cache_ready").await, "cache_ready 1");
    sim.post(channel, ayse, "merhaba");
    assert_eq!(next(&mut rx, "message").await, "message ayse: merhaba");

    let http = serenity_http(&sim);
    let sent = ChannelId::new(channel)
        .send_message(&http, CreateMessage::new().content("hello from serenity"))
        .await
        .unwrap();
    let seen = sim.messages(channel);
    assert_eq!(seen.last().unwrap().content, "hello from serenity");
    assert_eq!(seen.last().unwrap().id, sent.id.get());
    // The bot's own message comes back over the gateway too, as on Discord.
    assert_eq!(next(&mut rx, "message").await, "message magnet: hello from serenity");

    shards.shutdown_all().await;
    let _ = running.await;
}

async fn call(sim: &DiscordSim, method: &str, path: &str, body: Option<Value>, token: Option<&str>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client.request(method.parse().unwrap(), format!("{}/api/v10{path}", sim.base_url()));
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bot {token}"));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn bad_requests_are_refused_as_discord_refuses_them() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "general");
    let token = Some(sim.bot_token());
    let messages = format!("/channels/{channel}/messages");

    let (status, body) = call(
        &sim,
        "POST",
        &messages,
        Some(json!({"content": "x".repeat(2001)})),
        token,
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(50035)));
    assert!(body["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH");
    let (status, body) = call(
        &sim,
        "POST",
        &messages,
        Some(json!({"content": "x".repeat(2000)})),
        token,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = call(&sim, "POST", &messages, Some(json!({"content": ""})), token).await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(50006)));
    let (status, body) = call(
        &sim,
        "POST",
        "/channels/1234567890123456789/messages",
        Some(json!({"content": "hi"})),
        token,
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(10003)));
    let (status, _) = call(&sim, "POST", &messages, Some(json!({"content": "hi"})), None).await;
    assert_eq!(status, 401);
    let (status, _) = call(&sim, "POST", &messages, Some(json!({"content": "hi"})), Some("wrong")).await;
    assert_eq!(status, 401);

    for n in 0..15 {
        let (status, _) = call(
            &sim,
            "POST",
            &format!("/channels/{channel}/webhooks"),
            Some(json!({"name": format!("hook {n}")})),
            token,
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, body) = call(
        &sim,
        "POST",
        &format!("/channels/{channel}/webhooks"),
        Some(json!({"name": "one too many"})),
        token,
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(30007)));

    // A webhook avatar must be a web URL Discord can fetch.
    let other = sim.create_channel(guild, "other");
    let (_, hook) = call(
        &sim,
        "POST",
        &format!("/channels/{other}/webhooks"),
        Some(json!({"name": "relay"})),
        token,
    )
    .await;
    let execute = format!(
        "/webhooks/{}/{}?wait=true",
        hook["id"].as_str().unwrap(),
        hook["token"].as_str().unwrap()
    );
    let (status, body) = call(
        &sim,
        "POST",
        &execute,
        Some(json!({"content": "hi", "avatar_url": "mxc://example.org/abc"})),
        None,
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(50035)));
    let (status, _) = call(
        &sim,
        "POST",
        &execute,
        Some(json!({"content": "hi", "avatar_url": "https://cdn.example.org/a.png"})),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn nonces_are_enforced_and_mentions_follow_allowed_mentions() {
    let limits = Limits {
        channel_messages: (100, Duration::from_secs(1)),
        ..Limits::default()
    };
    let sim = DiscordSim::start(SimConfig {
        limits,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "general");
    let ayse = sim.create_user(guild, "ayse", None);
    let role = sim.create_role(guild, "secretariat");
    let token = Some(sim.bot_token());
    let messages = format!("/channels/{channel}/messages");

    let body = json!({"content": "once", "nonce": "d-42", "enforce_nonce": true});
    let (_, first) = call(&sim, "POST", &messages, Some(body.clone()), token).await;
    let (_, second) = call(&sim, "POST", &messages, Some(body), token).await;
    assert_eq!(first["id"], second["id"], "the same nonce returns the first message");
    let (_, third) = call(
        &sim,
        "POST",
        &messages,
        Some(json!({"content": "once", "nonce": "d-42"})),
        token,
    )
    .await;
    assert_ne!(
        first["id"], third["id"],
        "without enforce_nonce a nonce does not deduplicate"
    );

    let content = format!("@everyone <@{ayse}> <@&{role}>");
    let (_, none) = call(
        &sim,
        "POST",
        &messages,
        Some(json!({"content": content, "allowed_mentions": {"parse": []}})),
        token,
    )
    .await;
    assert_eq!(
        (
            none["mention_everyone"].as_bool(),
            none["mentions"].as_array().unwrap().len()
        ),
        (Some(false), 0)
    );
    assert!(none["mention_roles"].as_array().unwrap().is_empty());
    let (_, users) = call(
        &sim,
        "POST",
        &messages,
        Some(json!({"content": content, "allowed_mentions": {"users": [ayse.to_string()]}})),
        token,
    )
    .await;
    assert_eq!(users["mentions"][0]["id"], ayse.to_string());
    assert_eq!(users["mention_everyone"], false);
    let (_, all) = call(&sim, "POST", &messages, Some(json!({"content": content})), token).await;
    assert_eq!(
        (all["mention_everyone"].as_bool(), all["mention_roles"][0].as_str()),
        (Some(true), Some(role.to_string().as_str()))
    );
}

#[tokio::test]
async fn a_burst_beyond_the_channel_limit_is_answered_429_with_retry_after() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "general");
    let token = Some(sim.bot_token());
    let messages = format!("/channels/{channel}/messages");
    let mut statuses = Vec::new();
    for n in 0..6 {
        statuses.push(
            call(
                &sim,
                "POST",
                &messages,
                Some(json!({"content": format!("m{n}")})),
                token,
            )
            .await,
        );
    }
    assert!(statuses[..5].iter().all(|(status, _)| *status == 200));
    let (status, body) = &statuses[5];
    assert_eq!(*status, 429);
    let retry_after = body["retry_after"].as_f64().unwrap();
    assert!(retry_after > 0.0 && retry_after <= 5.0, "{body}");
    assert_eq!(body["global"], false);

    sim.set_limits(Limits {
        channel_messages: (1000, Duration::from_secs(1)),
        ..Limits::default()
    });
    let (status, _) = call(
        &sim,
        "POST",
        &messages,
        Some(json!({"content": "after raising the limit"})),
        token,
    )
    .await;
    assert_eq!(status, 200);
    sim.fail_next("/messages", 503, 1);
    let (status, _) = call(
        &sim,
        "POST",
        &messages,
        Some(json!({"content": "during an outage"})),
        token,
    )
    .await;
    assert_eq!(status, 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_privileged_intent_closes_the_gateway_with_4014() {
    let config = SimConfig {
        enabled_privileged_intents: 0,
        ..SimConfig::default()
    };
    let sim = DiscordSim::start(config).await.unwrap();
    sim.create_guild("MAGNET");
    let http = serenity_http(&sim);
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let (tx, _rx) = mpsc::unbounded_channel();
    let mut client = serenity::all::ClientBuilder::new_with_http(http, intents)
        .event_handler(Recorder(tx))
        .await
        .unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(20), client.start())
        .await
        .expect("serenity gives up");
    let error = outcome.expect_err("a disallowed intent is an error").to_string();
    assert!(error.to_lowercase().contains("intent"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_gateway_is_resumed_and_what_was_missed_is_replayed_once() {
    let config = SimConfig {
        heartbeat_interval: Duration::from_millis(300),
        ..SimConfig::default()
    };
    let sim = DiscordSim::start(config).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", None);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let mut client = serenity::all::ClientBuilder::new_with_http(serenity_http(&sim), intents)
        .event_handler(Recorder(tx))
        .await
        .unwrap();
    let shards = client.shard_manager.clone();
    let running = tokio::spawn(async move { client.start().await });
    next(&mut rx, "cache_ready").await;

    sim.drop_gateway();
    for n in 0..5 {
        sim.post(channel, ayse, &format!("while dropped {n}"));
    }
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(next(&mut rx, "message").await);
    }
    // serenity runs each event handler in its own task, so arrival order is not kept here.
    seen.sort();
    let expected: Vec<String> = (0..5).map(|n| format!("message ayse: while dropped {n}")).collect();
    // A new IDENTIFY would start a new session without them: they came by RESUME.
    assert_eq!(seen, expected, "every missed message is replayed once");
    assert_eq!(sim.connected_sessions(), 1);

    sim.request_reconnect();
    sim.post(channel, ayse, "after op 7");
    assert_eq!(next(&mut rx, "message").await, "message ayse: after op 7");
    shards.shutdown_all().await;
    let _ = running.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_gateway_is_found_out_by_its_heartbeats_and_a_new_session_begins() {
    let heartbeat = Duration::from_secs(1);
    let config = SimConfig {
        heartbeat_interval: heartbeat,
        ..SimConfig::default()
    };
    let sim = DiscordSim::start(config).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", None);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let mut client = serenity::all::ClientBuilder::new_with_http(serenity_http(&sim), intents)
        .event_handler(Recorder(tx))
        .await
        .unwrap();
    let shards = client.shard_manager.clone();
    let running = tokio::spawn(async move { client.start().await });
    next(&mut rx, "cache_ready").await;

    let silenced = std::time::Instant::now();
    sim.silence_gateway();
    sim.post(channel, ayse, "while silent");
    // Nothing tells serenity but a heartbeat left unacknowledged when the next falls due;
    // then it restarts the shard (waiting up to 5 s for the old runner) and identifies anew.
    let ready = next(&mut rx, "").await;
    let took = silenced.elapsed();
    eprintln!("found out and identified anew {took:?} after the silence");
    assert!(ready.starts_with("ready "), "{ready}: a new session, nothing replayed");
    assert!(
        took >= heartbeat,
        "found out after {took:?}, before any heartbeat went unanswered"
    );
    assert!(
        took <= 2 * (heartbeat + Duration::from_millis(500)) + Duration::from_secs(10),
        "found out only after {took:?}"
    );
    assert!(sim.wait_for_sessions(1, Duration::from_secs(5)).await);
    sim.post(channel, ayse, "after the silence");
    assert_eq!(next(&mut rx, "message").await, "message ayse: after the silence");
    shards.shutdown_all().await;
    let _ = running.await;
}

#[tokio::test]
async fn the_http_control_api_builds_the_world_and_acts_as_people() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let client = reqwest::Client::new();
    let control = |path: &str| format!("{}/control{path}", sim.base_url());
    let post = async |path: &str, body: Value| -> Value {
        let response = client.post(control(path)).json(&body).send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap_or(Value::Null)
    };
    let guild = post("/guilds", json!({"name": "MAGNET"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let channel = post("/channels", json!({"guild": guild, "name": "civil-society"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = post("/users", json!({"guild": guild, "username": "ayse"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let message = post("/post", json!({"channel": channel, "user": user, "content": "merhaba"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        "/react",
        json!({"channel": channel, "message": message, "user": user, "emoji": "👍"}),
    )
    .await;
    post(
        "/edit",
        json!({"channel": channel, "message": message, "content": "merhaba!"}),
    )
    .await;
    // A payload as it is (no gateway is connected here: it only has to be accepted).
    post(
        "/dispatch-raw",
        json!({"event": "MESSAGE_REACTION_ADD", "payload": {"user_id": user}}),
    )
    .await;

    let seen: Value = client
        .get(control(&format!("/messages/{channel}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen[0]["content"], "merhaba!");
    assert_eq!(seen[0]["author"], "ayse");
    assert_eq!(seen[0]["edited"], true);
    assert_eq!(seen[0]["reactions"][0]["count"], 1);
    let app = sim.application_id();
    let (status, _) = call(
        &sim,
        "PUT",
        &format!("/applications/{app}/commands"),
        Some(json!([{"name": "magnet", "description": "MAGNET", "options": [
            {"name": "help", "description": "What you may run", "type": 1}]}])),
        Some(sim.bot_token()),
    )
    .await;
    assert_eq!(status, 200);
    let run = post(
        "/command",
        json!({"channel": channel, "user": user, "path": ["magnet", "help"]}),
    )
    .await["interaction"]
        .as_str()
        .unwrap()
        .to_string();
    let view: Value = client
        .get(control(&format!("/interactions/{run}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["response"], Value::Null, "nobody answered yet");
    let refused = client
        .post(control("/command"))
        .json(&json!({"channel": channel, "user": user, "path": ["magnet", "nope"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused = client
        .post(control("/click"))
        .json(&json!({"channel": channel, "message": message, "user": user, "custom_id": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422, "the message has no such button");
    let bad = client
        .post(control("/post"))
        .json(&json!({"channel": "x", "user": "y", "content": "z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn poll_voters_are_listed_per_answer_in_pages() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "general");
    let people: Vec<u64> = (0..3).map(|n| sim.create_user(guild, &format!("p{n}"), None)).collect();
    let token = Some(sim.bot_token());
    let (status, poll) = call(
        &sim,
        "POST",
        &format!("/channels/{channel}/messages"),
        Some(
            json!({"poll": {"question": {"text": "Day?"}, "answers": [{"poll_media": {"text": "Tue"}},
            {"poll_media": {"text": "Thu"}}], "duration": 1, "allow_multiselect": true}}),
        ),
        token,
    )
    .await;
    assert_eq!(status, 200, "{poll}");
    let message: u64 = poll["id"].as_str().unwrap().parse().unwrap();
    for person in &people {
        sim.vote(channel, message, *person, 1, true);
    }
    sim.vote(channel, message, people[0], 2, true);
    let answers = format!("/channels/{channel}/polls/{message}/answers");
    let ids = |body: &Value| -> Vec<u64> {
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    let (status, first) = call(&sim, "GET", &format!("{answers}/1?limit=2"), None, token).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&first), people[..2]);
    let (_, rest) = call(&sim, "GET", &format!("{answers}/1?after={}", people[1]), None, token).await;
    assert_eq!(ids(&rest), people[2..]);
    let (_, second) = call(&sim, "GET", &format!("{answers}/2"), None, token).await;
    assert_eq!(ids(&second), people[..1]);
    let (status, body) = call(&sim, "GET", &format!("{answers}/3"), None, token).await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(10018)));
    let (status, _) = call(&sim, "GET", &format!("{answers}/1?limit=101"), None, token).await;
    assert_eq!(status, 400);
}
