//! The simulator tells the truth about cost: with a latency set, every REST answer and every
//! gateway frame is that late (REST calls each on their own, gateway frames in order), and
//! the REST requests are counted per route, for tests, benches and `GET /metrics`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use magnet_discord_sim::{DiscordSim, SimConfig};
use serde_json::{Value, json};
use serenity::all::{Context, EventHandler, GatewayIntents, Message, Ready, ResumedEvent};
use serenity::http::HttpBuilder;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const LATENCY: Duration = Duration::from_millis(80);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_answers_are_late_by_the_latency_each_on_its_own() {
    let sim = DiscordSim::start(SimConfig {
        latency: LATENCY,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let token = sim.bot_token().to_string();

    let started = Instant::now();
    let (status, _) = call(
        &sim,
        "GET",
        &format!("/channels/{channel}/messages"),
        None,
        Some(&token),
    )
    .await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= LATENCY, "answered in {:?}", started.elapsed());

    // Refusals are on the same wire.
    let started = Instant::now();
    let (status, _) = call(&sim, "GET", "/users/@me", None, Some("wrong")).await;
    assert_eq!(status, 401);
    assert!(started.elapsed() >= LATENCY, "refused in {:?}", started.elapsed());

    // Eight at once are each late by the latency, not by eight latencies.
    let started = Instant::now();
    let calls = (0..8).map(|n| {
        let (sim, token) = (&sim, &token);
        async move {
            let body = json!({"content": format!("at once {n}")});
            call(
                sim,
                "POST",
                &format!("/channels/{channel}/messages"),
                Some(body),
                Some(token),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    let took = started.elapsed();
    assert!(
        answers.iter().all(|(status, _)| *status == 200 || *status == 429),
        "{answers:?}"
    );
    assert!(took >= LATENCY, "eight calls in {took:?}");
    assert!(took < 4 * LATENCY, "eight calls in {took:?}: held one after another");

    // The control route sets it; the control API itself is not on Discord's wire.
    let client = reqwest::Client::new();
    let started = Instant::now();
    let response = client
        .post(format!("{}/control/latency", sim.base_url()))
        .json(&json!({"ms": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(
        started.elapsed() < LATENCY,
        "the control call took {:?}",
        started.elapsed()
    );
    assert_eq!(sim.latency(), Duration::ZERO);
    let response = client
        .post(format!("{}/control/latency", sim.base_url()))
        .json(&json!({"ms": 120}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(sim.latency(), Duration::from_millis(120));
    let started = Instant::now();
    call(&sim, "GET", "/users/@me", None, Some(&token)).await;
    assert!(
        started.elapsed() >= Duration::from_millis(120),
        "answered in {:?}",
        started.elapsed()
    );
}

/// A raw gateway client: it sees the frames in the order they came off the wire (serenity
/// hands each event to its own task).
struct RawGateway {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl RawGateway {
    async fn connect(sim: &DiscordSim) -> RawGateway {
        let url = format!("{}/gateway", sim.base_url().replacen("http://", "ws://", 1));
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        RawGateway { socket }
    }

    async fn send(&mut self, payload: Value) {
        self.socket.send(WsMessage::text(payload.to_string())).await.unwrap();
    }

    /// The next frame, and when it arrived.
    async fn next(&mut self) -> (Value, Instant) {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a frame in time")
                .expect("open")
                .unwrap();
            if let WsMessage::Text(text) = frame {
                return (serde_json::from_str(text.as_str()).unwrap(), Instant::now());
            }
        }
    }

    /// The next dispatch of this type.
    async fn next_dispatch(&mut self, event: &str) -> (Value, Instant) {
        loop {
            let (payload, at) = self.next().await;
            if payload["t"] == event {
                return (payload, at);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_frames_are_late_by_the_latency_and_in_order() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", None);
    sim.set_latency(LATENCY);

    let connecting = Instant::now();
    let mut gateway = RawGateway::connect(&sim).await;
    let (hello, at) = gateway.next().await;
    assert_eq!(hello["op"], 10);
    assert!(at - connecting >= LATENCY, "HELLO after {:?}", at - connecting);
    // GUILDS, GUILD_MESSAGES, MESSAGE_CONTENT.
    let intents = 1 | (1 << 9) | (1 << 15);
    gateway
        .send(json!({"op": 2, "d": {"token": sim.bot_token(), "intents": intents, "properties": {}}}))
        .await;
    gateway.next_dispatch("GUILD_CREATE").await;

    // A heartbeat's ACK comes a round trip later.
    let beat = Instant::now();
    gateway.send(json!({"op": 1, "d": 2})).await;
    let (ack, at) = gateway.next().await;
    assert_eq!(ack["op"], 11);
    assert!(at - beat >= LATENCY, "ACK after {:?}", at - beat);

    // A burst: each message late by the latency, all in the order posted, and not spaced
    // out by it.
    let mut posted = Vec::new();
    for n in 0..20 {
        let id = sim.post(channel, ayse, &format!("burst {n}"));
        posted.push((id, Instant::now()));
    }
    let mut last_seq = None;
    let mut last_at = None;
    for (n, (id, posted_at)) in posted.iter().enumerate() {
        let (dispatch, at) = gateway.next_dispatch("MESSAGE_CREATE").await;
        assert_eq!(dispatch["d"]["id"], id.to_string(), "message {n} in order");
        assert_eq!(dispatch["d"]["content"], format!("burst {n}"));
        let seq = dispatch["s"].as_u64().unwrap();
        if let Some(last) = last_seq {
            assert_eq!(seq, last + 1, "numbered without a gap");
        }
        last_seq = Some(seq);
        assert!(at - *posted_at >= LATENCY, "message {n} after {:?}", at - *posted_at);
        last_at = Some(at);
    }
    let burst = last_at.unwrap() - posted[0].1;
    assert!(
        burst < 20 * LATENCY / 2,
        "the burst took {burst:?}: spaced out by the latency"
    );

    // Back to none: what comes next is not held.
    sim.set_latency(Duration::ZERO);
    let posted_at = Instant::now();
    sim.post(channel, ayse, "quick");
    let (dispatch, at) = gateway.next_dispatch("MESSAGE_CREATE").await;
    assert_eq!(dispatch["d"]["content"], "quick");
    assert!(at - posted_at < LATENCY, "after {:?}", at - posted_at);
}

struct Recorder(mpsc::UnboundedSender<String>);

#[serenity::async_trait]
impl EventHandler for Recorder {
    async fn ready(&self, _: Context, _: Ready) {
        let _ = self.0.send("ready".into());
    }
    async fn resume(&self, _: Context, _: ResumedEvent) {
        let _ = self.0.send("resumed".into());
    }
    async fn message(&self, _: Context, message: Message) {
        let _ = self.0.send(format!("message {}", message.content));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_keeps_one_session_through_heartbeats_with_100_ms_of_latency() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    // serenity looks at its heartbeat only when a frame comes or every 500 ms, and sends the
    // first an interval after READY: long enough an interval that this is not what is tested.
    let heartbeat = Duration::from_millis(1500);
    let sim = DiscordSim::start(SimConfig {
        heartbeat_interval: heartbeat,
        latency: Duration::from_millis(100),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", None);
    // serenity's rate limiter builds requests without the proxy (see discord_like.rs).
    let http = HttpBuilder::new(sim.bot_token())
        .proxy(sim.base_url())
        .ratelimiter_disabled(true)
        .build();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let mut client = serenity::all::ClientBuilder::new_with_http(http, intents)
        .event_handler(Recorder(tx))
        .await
        .unwrap();
    let shards = client.shard_manager.clone();
    let running = tokio::spawn(async move { client.start().await });
    let first = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.unwrap();
    assert_eq!(first.as_deref(), Some("ready"));

    // Five heartbeat intervals, each ACK a round trip late: none is taken for a dead
    // connection (that would show as a RESUME or a new READY).
    tokio::time::sleep(5 * heartbeat).await;
    sim.post(channel, ayse, "still here");
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the message in time")
            .unwrap();
        let done = event == "message still here";
        seen.push(event);
        if done {
            break;
        }
    }
    assert_eq!(seen, ["message still here"], "nothing but the message");
    assert_eq!(sim.connected_sessions(), 1);
    shards.shutdown_all().await;
    let _ = running.await;
}

#[tokio::test]
async fn rest_requests_are_counted_per_route() {
    let sim = DiscordSim::start(SimConfig::default()).await.unwrap();
    let guild = sim.create_guild("MAGNET");
    let channel = sim.create_channel(guild, "authorities");
    let ayse = sim.create_user(guild, "ayse", None);
    let token = Some(sim.bot_token());
    // What people do through the simulator's hands is not a request to Discord.
    let posted = sim.post(channel, ayse, "merhaba");

    let messages = format!("/channels/{channel}/messages");
    for query in ["", "?limit=10", &format!("?after={posted}")] {
        let (status, _) = call(&sim, "GET", &format!("{messages}{query}"), None, token).await;
        assert_eq!(status, 200);
    }
    call(&sim, "POST", &messages, Some(json!({"content": "one"})), token).await;
    call(&sim, "POST", &messages, Some(json!({"content": ""})), token).await;
    call(&sim, "GET", &format!("{messages}/{posted}"), None, token).await;
    // Refused, or not served at all: asked all the same.
    call(&sim, "GET", "/users/@me", None, Some("wrong")).await;
    let (status, _) = call(
        &sim,
        "GET",
        &format!("/channels/{channel}/threads/{posted}/members"),
        None,
        token,
    )
    .await;
    assert_eq!(status, 404);
    reqwest::get(format!("{}/control/messages/{channel}", sim.base_url()))
        .await
        .unwrap();

    let expected: BTreeMap<String, u64> = [
        ("GET /channels/{channel}/messages", 3),
        ("POST /channels/{channel}/messages", 2),
        ("GET /channels/{channel}/messages/{message}", 1),
        ("GET /users/@me", 1),
        ("GET /channels/{id}/threads/{id}/members", 1),
    ]
    .into_iter()
    .map(|(route, count)| (route.to_string(), count))
    .collect();
    assert_eq!(sim.rest_counts(), expected);

    let metrics = reqwest::get(format!("{}/metrics", sim.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("discord_sim_rest_requests_total{method=\"GET\",route=\"/channels/{channel}/messages\"} 3\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("discord_sim_rest_requests_total{method=\"POST\",route=\"/channels/{channel}/messages\"} 2\n"),
        "{metrics}"
    );
    assert!(metrics.contains("discord_sim_latency_seconds 0\n"), "{metrics}");
    // Scraping is not a request to Discord either.
    assert_eq!(sim.rest_counts(), expected);
}
