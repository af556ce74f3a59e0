//! The simulator's shared state: the world, the gateway sessions that receive dispatches,
//! rate-limit buckets, injected faults, the simulated latency, and a log and per-route
//! counts of every request for tests to inspect.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc;

use crate::model::{Channel, Guild, Message, Snowflakes, User, Webhook};

/// Gateway intents Discord calls privileged.
pub const INTENT_GUILD_MEMBERS: u64 = 1 << 1;
pub const INTENT_GUILD_PRESENCES: u64 = 1 << 8;
pub const INTENT_MESSAGE_CONTENT: u64 = 1 << 15;

/// Limits the simulator enforces; the defaults are Discord's.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bot messages per channel: count per window (Discord: 5 per 5 s).
    pub channel_messages: (u32, Duration),
    /// Webhook executions per webhook (Discord: 5 per 2 s).
    pub webhook_executions: (u32, Duration),
    /// Requests per second across everything (Discord: 50).
    pub global_per_second: u32,
    pub webhooks_per_channel: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            channel_messages: (5, Duration::from_secs(5)),
            webhook_executions: (5, Duration::from_secs(2)),
            global_per_second: 50,
            webhooks_per_channel: 15,
        }
    }
}

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub bot_token: String,
    pub bot_name: String,
    /// Privileged intents enabled for the application (as in the developer portal).
    pub enabled_privileged_intents: u64,
    pub heartbeat_interval: Duration,
    pub limits: Limits,
    /// How long a bot has to answer an interaction (Discord: 3 s).
    pub interaction_ack_window: Duration,
    /// The time the wire to Discord costs (default none): every REST answer and every
    /// gateway frame is held this long before it leaves. [`crate::SimHandle::set_latency`]
    /// changes it while running.
    pub latency: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bot_token: "sim-bot-token".into(),
            bot_name: "magnet".into(),
            enabled_privileged_intents: INTENT_GUILD_MEMBERS | INTENT_MESSAGE_CONTENT,
            heartbeat_interval: Duration::from_millis(41_250),
            limits: Limits::default(),
            interaction_ack_window: Duration::from_secs(3),
            latency: Duration::ZERO,
        }
    }
}

/// Everything in the simulated Discord.
#[derive(Debug, Default)]
pub struct World {
    pub ids: Snowflakes,
    pub users: HashMap<u64, User>,
    pub guilds: Vec<Guild>,
    pub channels: HashMap<u64, Channel>,
    /// Messages per channel, by id (ids grow with time, so this is chronological).
    pub messages: HashMap<u64, std::collections::BTreeMap<u64, Message>>,
    pub webhooks: HashMap<u64, Webhook>,
    /// (channel, author, nonce) → (message id, when), for `enforce_nonce`.
    pub nonces: HashMap<(u64, u64, String), (u64, Instant)>,
    /// Registered commands by guild (`None`: global).
    pub commands: HashMap<Option<u64>, Vec<Value>>,
    pub interactions: HashMap<u64, crate::interactions::Interaction>,
}

/// A gateway session: what it was sent (for RESUME) and where to send more.
pub struct Session {
    pub intents: u64,
    pub seq: u64,
    pub backlog: VecDeque<(u64, Value)>,
    pub connection: Option<Connection>,
}

/// Where a gateway connection's frames are queued. Each is stamped with when it was
/// queued, so that the connection's writer can hold it for the simulated latency while
/// keeping the order.
#[derive(Debug, Clone)]
pub struct Connection(mpsc::UnboundedSender<(Instant, Outgoing)>);

/// The queue's far end, read by the connection's writer.
pub type Queued = mpsc::UnboundedReceiver<(Instant, Outgoing)>;

impl Connection {
    pub fn new() -> (Connection, Queued) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Connection(tx), rx)
    }

    /// Queues a frame now; an error if the connection's writer is gone.
    pub fn send(&self, out: Outgoing) -> Result<(), mpsc::error::SendError<(Instant, Outgoing)>> {
        self.0.send((Instant::now(), out))
    }

    pub fn same_channel(&self, other: &Connection) -> bool {
        self.0.same_channel(&other.0)
    }
}

/// What the gateway task of a connection is told to do.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A payload to send as a text frame.
    Payload(Value),
    /// Close with this code.
    Close(u16),
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Send nothing more, heartbeat ACKs included, but keep the connection open: a
    /// half-open connection, which a client finds out only by its heartbeats.
    Silence,
}

/// One request the simulator answered.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub at: Instant,
}

/// Faults a test asked for.
#[derive(Debug, Default)]
pub struct Faults {
    /// The next requests matching a path fragment are answered with this status.
    pub scripted: Vec<(String, u16, u32)>,
}

pub struct SimState {
    pub config: SimConfig,
    pub application_id: u64,
    pub bot_user_id: u64,
    pub base_url: Mutex<String>,
    pub world: Mutex<World>,
    pub sessions: Mutex<HashMap<String, Session>>,
    pub buckets: Mutex<HashMap<String, VecDeque<Instant>>>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub faults: Mutex<Faults>,
    pub limits: Mutex<Limits>,
    /// The simulated latency now (starts as [`SimConfig::latency`]).
    pub latency: Mutex<Duration>,
    /// REST requests received, by `METHOD /route/{template}` (see `wire.rs`).
    pub rest_counts: Mutex<BTreeMap<String, u64>>,
    /// How many of the next dispatches the gateway loses ([`crate::SimHandle::lose_dispatches`]).
    pub dispatches_to_lose: Mutex<u32>,
    /// How many of the next dispatches are never made ([`crate::SimHandle::vanish_dispatches`]).
    pub dispatches_to_vanish: Mutex<u32>,
    /// The language each user's Discord client is set to (`en-US` unless set).
    pub locales: Mutex<HashMap<u64, String>>,
}

impl SimState {
    pub fn new(config: SimConfig) -> SimState {
        let mut world = World::default();
        let application_id = world.ids.next();
        let bot_user_id = application_id;
        world.users.insert(
            bot_user_id,
            User {
                id: bot_user_id,
                username: config.bot_name.clone(),
                global_name: None,
                avatar: None,
                bot: true,
            },
        );
        SimState {
            limits: Mutex::new(config.limits.clone()),
            latency: Mutex::new(config.latency),
            config,
            application_id,
            bot_user_id,
            base_url: Mutex::new(String::new()),
            world: Mutex::new(world),
            sessions: Mutex::new(HashMap::new()),
            buckets: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Faults::default()),
            rest_counts: Mutex::new(BTreeMap::new()),
            dispatches_to_lose: Mutex::new(0),
            dispatches_to_vanish: Mutex::new(0),
            locales: Mutex::new(HashMap::new()),
        }
    }

    /// The simulated latency now.
    pub fn latency(&self) -> Duration {
        *self.latency.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn base_url(&self) -> String {
        self.base_url.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sends a dispatch to every session whose intents cover it, numbering it per session
    /// and keeping it for RESUME. `render` builds the payload for a session's intents.
    pub fn dispatch(&self, event: &str, intent: u64, render: impl Fn(u64) -> Value) {
        {
            let mut to_vanish = self.dispatches_to_vanish.lock().unwrap_or_else(|p| p.into_inner());
            if *to_vanish > 0 {
                *to_vanish -= 1;
                tracing::info!(event, "discord-sim: a dispatch never made, as asked");
                return;
            }
        }
        let lost = {
            let mut to_lose = self.dispatches_to_lose.lock().unwrap_or_else(|p| p.into_inner());
            let lost = *to_lose > 0;
            *to_lose = to_lose.saturating_sub(1);
            lost
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        for session in sessions.values_mut() {
            if intent != 0 && session.intents & intent == 0 {
                continue;
            }
            session.seq += 1;
            if lost {
                // Numbered, then neither sent nor kept: a RESUME cannot bring it back either.
                tracing::info!(event, seq = session.seq, "discord-sim: a dispatch lost, as asked");
                continue;
            }
            let payload = serde_json::json!({"op": 0, "t": event, "s": session.seq, "d": render(session.intents)});
            session.backlog.push_back((session.seq, payload.clone()));
            if session.backlog.len() > 50_000 {
                session.backlog.pop_front();
            }
            if let Some(connection) = &session.connection {
                let _ = connection.send(Outgoing::Payload(payload));
            }
        }
    }

    /// Takes one request from a rate-limit bucket: `Ok(remaining)` or `Err(retry_after)`.
    pub fn take(&self, bucket: &str, limit: u32, window: Duration) -> Result<(u32, Duration), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let times = buckets.entry(bucket.to_string()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
            times.pop_front();
        }
        if times.len() as u32 >= limit {
            let oldest = *times.front().expect("a full bucket has entries");
            return Err(window.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        let reset = times
            .front()
            .map_or(window, |oldest| window.saturating_sub(now.duration_since(*oldest)));
        Ok((limit - times.len() as u32, reset))
    }
}
