//! The Discord side of magnet: the port of `magnet-chat` implemented with serenity for the
//! gateway (connection, heartbeats, RESUME, reconnects) and a small REST client ([`rest`])
//! for everything the bot sends and reads.
//!
//! [`DiscordAdapter::start`] checks the token, finds (or creates) the relay webhook of each
//! configured channel, starts one [`reader`] per channel and the gateway. Messages reach
//! the core in order through the readers; relays go out through the channel's webhook
//! under the original author's name, bot messages with a nonce that Discord enforces.

mod convert;
mod interact;
mod reader;
mod rest;
mod send;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use magnet_chat::{
    ChatAdapter, ChatError, CommandSpec, Delivered, EventKind, EventSink, InboundEvent, Member, Outbound, Platform,
    Sender, UnreadableEvents,
};
use reqwest::Method;
use serenity::all::{
    ChannelId, Context, Event, EventHandler, GatewayIntents, GuildId, Interaction, Message, MessageId,
    MessagePollVoteAddEvent, MessagePollVoteRemoveEvent, MessageUpdateEvent, RawEventHandler, Reaction, ReactionType,
    Ready,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use rest::Rest;

use reader::{ChannelReader, Nudge, OwnIds};

/// What the Discord side needs to run.
#[derive(Clone)]
pub struct DiscordSettings {
    pub token: String,
    pub application_id: u64,
    /// `https://discord.com/api`, or the simulator's `http://127.0.0.1:PORT/api`.
    pub api_base: String,
    pub channels: Vec<u64>,
    /// Where gateway events serenity could not read are counted, for `/metrics`.
    pub unreadable: UnreadableEvents,
}

impl std::fmt::Debug for DiscordSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordSettings")
            .field("token", &"***")
            .field("application_id", &self.application_id)
            .field("api_base", &self.api_base)
            .field("channels", &self.channels)
            .field("unreadable", &self.unreadable)
            .finish()
    }
}

/// Why the Discord side could not start.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("discord login failed: {0}")]
    Auth(String),
    #[error("discord unreachable: {0}")]
    Unreachable(String),
    #[error("discord gateway: {0}")]
    Gateway(String),
}

impl DiscordError {
    pub fn is_transient(&self) -> bool {
        matches!(self, DiscordError::Unreachable(_))
    }
}

/// The relay webhook of a channel.
#[derive(Debug, Clone)]
pub struct RelayHook {
    pub id: u64,
    pub token: String,
}

/// A running Discord connection.
pub struct DiscordAdapter {
    rest: Arc<Rest>,
    own: Arc<OwnIds>,
    hooks: tokio::sync::Mutex<HashMap<u64, RelayHook>>,
    guilds: HashMap<u64, u64>,
    tasks: Vec<JoinHandle<()>>,
    shards: Arc<serenity::gateway::ShardManager>,
}

/// The name of the webhook the bot relays through in each channel.
pub const RELAY_HOOK_NAME: &str = "magnet relay";

impl DiscordAdapter {
    pub async fn start(settings: DiscordSettings, sink: Arc<dyn EventSink>) -> Result<DiscordAdapter, DiscordError> {
        let rest = Arc::new(Rest::new(&settings.api_base, &settings.token));
        let me = rest
            .json(Method::GET, "/users/@me", "me", None)
            .await
            .map_err(|error| match error {
                ChatError::Permanent(detail) if detail.starts_with("401") => {
                    DiscordError::Auth("Discord refused the bot token".into())
                }
                ChatError::Permanent(detail) => DiscordError::Auth(detail),
                other => DiscordError::Unreachable(other.to_string()),
            })?;
        let bot_user: u64 = me["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| DiscordError::Auth("no user id for the bot".into()))?;
        let own = Arc::new(OwnIds {
            bot_user,
            application: settings.application_id,
            webhooks: RwLock::new(Vec::new()),
        });

        let mut guilds = HashMap::new();
        let mut hooks = HashMap::new();
        for &channel in &settings.channels {
            match rest
                .json(Method::GET, &format!("/channels/{channel}"), "channels", None)
                .await
            {
                Ok(info) => {
                    if let Some(guild) = info["guild_id"].as_str().and_then(|g| g.parse().ok()) {
                        guilds.insert(channel, guild);
                    }
                }
                Err(error) => {
                    tracing::error!(channel, %error, "discord: cannot see a configured channel; it is not served");
                    continue;
                }
            }
            match send::find_relay_hook(&rest, channel, settings.application_id).await {
                Ok((relay, ours)) => {
                    own.webhooks.write().unwrap_or_else(|p| p.into_inner()).extend(ours);
                    if let Some(hook) = relay {
                        hooks.insert(channel, hook);
                    }
                }
                Err(error) => {
                    tracing::warn!(channel, %error, "discord: cannot list the channel's webhooks (Manage Webhooks missing?)")
                }
            }
        }

        let mut readers = HashMap::new();
        let mut tasks = Vec::new();
        for &channel in guilds.keys() {
            let (tx, rx) = mpsc::unbounded_channel();
            readers.insert(channel, tx);
            let reader = ChannelReader {
                channel,
                rest: rest.clone(),
                sink: sink.clone(),
                own: own.clone(),
            };
            let after = reader.prepare().await;
            tasks.push(tokio::spawn(reader.run(after, rx)));
        }

        let http = serenity_http(&settings);
        let intents = GatewayIntents::GUILDS
            | GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT
            | GatewayIntents::GUILD_MESSAGE_REACTIONS
            | GatewayIntents::GUILD_MEMBERS
            | GatewayIntents::GUILD_MESSAGE_POLLS;
        let unreadable = Unreadable {
            counts: settings.unreadable.clone(),
            readers: readers.clone(),
        };
        let handler = Gateway {
            readers,
            own: own.clone(),
            rest: rest.clone(),
            occurrences: Default::default(),
        };
        let shards = run_gateway(http, intents, handler, unreadable).await?;
        tracing::info!(channels = guilds.len(), "discord: ready");
        Ok(DiscordAdapter {
            rest,
            own,
            hooks: tokio::sync::Mutex::new(hooks),
            guilds,
            tasks,
            shards,
        })
    }

    /// Stops the gateway and the readers. Messages not yet committed are read next start.
    pub async fn shutdown(&self) {
        self.shards.shutdown_all().await;
        for task in &self.tasks {
            task.abort();
        }
    }

    /// The channel's relay webhook, created if it does not exist yet.
    async fn relay_hook(&self, channel: u64, recreate: bool) -> Result<RelayHook, ChatError> {
        let mut hooks = self.hooks.lock().await;
        if !recreate && let Some(hook) = hooks.get(&channel) {
            return Ok(hook.clone());
        }
        let hook = send::create_relay_hook(&self.rest, channel).await?;
        self.own
            .webhooks
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(hook.id);
        hooks.insert(channel, hook.clone());
        Ok(hook)
    }
}

/// Runs serenity's gateway on a thread of its own with a single-threaded runtime. serenity
/// hands each event to the handler in a task of its own; on a multi-threaded runtime those
/// tasks start in any order, and a reaction taken back a moment after it was added could
/// reach the core first. On one thread they start in the order they were spawned, and each
/// handler passes its event on before it first awaits, so the order holds.
async fn run_gateway(
    http: serenity::http::Http,
    intents: GatewayIntents,
    handler: Gateway,
    unreadable: Unreadable,
) -> Result<Arc<serenity::gateway::ShardManager>, DiscordError> {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("discord-gateway".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = started_tx.send(Err(error.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                let built = serenity::all::ClientBuilder::new_with_http(http, intents)
                    .event_handler(handler)
                    .raw_event_handler(unreadable)
                    .await;
                let mut client = match built {
                    Ok(client) => client,
                    Err(error) => {
                        let _ = started_tx.send(Err(error.to_string()));
                        return;
                    }
                };
                let _ = started_tx.send(Ok(client.shard_manager.clone()));
                if let Err(error) = client.start().await {
                    tracing::error!(%error, "discord: the gateway stopped; the bot needs a valid token and the privileged intents (message content, server members)");
                }
            });
        })
        .map_err(|error| DiscordError::Gateway(error.to_string()))?;
    started_rx
        .await
        .map_err(|_| DiscordError::Gateway("the gateway thread ended before it started".into()))?
        .map_err(DiscordError::Gateway)
}

/// serenity's HTTP client, used by the gateway for discovery only. Pointing it at a
/// simulator needs its rate limiter off: the limiter ignores the proxy (serenity 0.12.5).
fn serenity_http(settings: &DiscordSettings) -> serenity::http::Http {
    let base = settings
        .api_base
        .trim_end_matches('/')
        .trim_end_matches("/v10")
        .trim_end_matches("/api");
    let builder = serenity::http::HttpBuilder::new(&settings.token).application_id(settings.application_id.into());
    if base == "https://discord.com" {
        builder.build()
    } else {
        builder.proxy(base).ratelimiter_disabled(true).build()
    }
}

#[async_trait::async_trait]
impl ChatAdapter for DiscordAdapter {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    async fn deliver(&self, outbound: &Outbound) -> Result<Delivered, ChatError> {
        let channel: u64 = outbound
            .room
            .parse()
            .map_err(|_| ChatError::Permanent(format!("`{}` is not a Discord channel id", outbound.room)))?;
        if !self.guilds.contains_key(&channel) {
            return Err(ChatError::Permanent(format!(
                "the bot does not serve Discord channel {channel}"
            )));
        }
        send::perform(self, channel, outbound).await
    }

    async fn earlier_copies(&self, outbound: &Outbound, since_ms: i64) -> Result<Vec<Delivered>, ChatError> {
        let Ok(channel) = outbound.room.parse::<u64>() else {
            return Ok(Vec::new());
        };
        send::earlier_copies(self, channel, outbound, since_ms).await
    }

    async fn member(&self, room: &str, user_id: &str) -> Result<Option<Member>, ChatError> {
        let guild = room
            .parse::<u64>()
            .ok()
            .and_then(|channel| self.guilds.get(&channel))
            .ok_or_else(|| ChatError::Permanent(format!("the bot does not serve Discord channel {room}")))?;
        match self
            .rest
            .json(
                Method::GET,
                &format!("/guilds/{guild}/members/{user_id}"),
                "members",
                None,
            )
            .await
        {
            Ok(member) => Ok(Some(Member {
                user_id: user_id.to_string(),
                display_name: member["nick"]
                    .as_str()
                    .or_else(|| member["user"]["global_name"].as_str())
                    .or_else(|| member["user"]["username"].as_str())
                    .map(str::to_string),
                avatar_url: None,
                power_level: None,
                roles: member["roles"]
                    .as_array()
                    .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
            })),
            Err(error) if rest::error_code(&error) == Some(10007) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn fetch_media(&self, url: &str) -> Result<Vec<u8>, ChatError> {
        self.rest.download(url).await
    }

    /// Registers the commands in every guild the bot serves: guild commands show up at
    /// once, and only where the bot bridges something.
    async fn register_commands(&self, commands: &[CommandSpec]) -> Result<(), ChatError> {
        let body = interact::commands_json(commands);
        let mut guilds: Vec<u64> = self.guilds.values().copied().collect();
        guilds.sort_unstable();
        guilds.dedup();
        for guild in guilds {
            let path = format!("/applications/{}/guilds/{guild}/commands", self.own.application);
            self.rest.json(Method::PUT, &path, "commands", Some(&body)).await?;
        }
        Ok(())
    }
}

/// The gateway side: each event nudges the reader of its channel.
struct Gateway {
    readers: HashMap<u64, mpsc::UnboundedSender<Nudge>>,
    own: Arc<OwnIds>,
    rest: Arc<Rest>,
    occurrences: std::sync::atomic::AtomicU64,
}

impl Gateway {
    fn nudge(&self, channel: ChannelId, nudge: Nudge) {
        if let Some(reader) = self.readers.get(&channel.get()) {
            let _ = reader.send(nudge);
        }
    }

    fn event(&self, channel: ChannelId, event_id: String, sender: Sender, kind: EventKind) {
        let event = InboundEvent {
            platform: Platform::Discord,
            room: channel.get().to_string(),
            event_id,
            sender,
            timestamp_ms: now_ms(),
            kind,
        };
        self.nudge(channel, Nudge::Event(Box::new(event)));
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn reaction_key(reaction: &ReactionType) -> String {
    match reaction {
        ReactionType::Unicode(emoji) => emoji.clone(),
        ReactionType::Custom { id, name, .. } => format!("{}:{id}", name.clone().unwrap_or_default()),
        other => other.to_string(),
    }
}

fn unknown_sender(id: String) -> Sender {
    Sender {
        display_name: id.clone(),
        id,
        avatar_url: None,
    }
}

#[serenity::async_trait]
impl EventHandler for Gateway {
    async fn ready(&self, _: Context, ready: Ready) {
        tracing::info!(session = %ready.session_id, "discord: gateway session ready; catching up every channel");
        for reader in self.readers.values() {
            let _ = reader.send(Nudge::Read);
        }
    }

    async fn message(&self, _: Context, message: Message) {
        self.nudge(message.channel_id, Nudge::Read);
    }

    async fn message_update(&self, _: Context, _: Option<Message>, _: Option<Message>, update: MessageUpdateEvent) {
        let Some(content) = update.content else { return };
        let Some(author) = update.author else { return };
        // Ours: the bot's, or a relay through a webhook of ours, known by its id or (a hook
        // this process did not make: an earlier run's, another instance's) by its owner.
        let webhook = update.webhook_id.flatten();
        if author.id.get() == self.own.bot_user
            || webhook.is_some_and(|w| {
                self.own
                    .webhooks
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .contains(&w.get())
            })
            || (webhook.is_some() && update.application_id.flatten().map(|a| a.get()) == Some(self.own.application))
        {
            return;
        }
        let id = author.id.get().to_string();
        let nick = update.member.flatten().and_then(|m| m.nick);
        let sender = Sender {
            display_name: convert::display_name(
                nick.as_deref(),
                author.global_name.as_deref(),
                Some(&author.name),
                &id,
            ),
            id,
            avatar_url: author.avatar_url(),
        };
        let edited = update.edited_timestamp.map(|t| t.to_string()).unwrap_or_default();
        let body = magnet_chat::MessageBody {
            text: content,
            ..Default::default()
        };
        // An edit is identified by the message and when it was made: each edit is its own event.
        self.event(
            update.channel_id,
            format!("{}:{edited}", update.id),
            sender,
            EventKind::Edit {
                target: update.id.get().to_string(),
                body,
            },
        );
    }

    async fn message_delete(&self, _: Context, channel: ChannelId, message: MessageId, _: Option<GuildId>) {
        self.event(
            channel,
            message.get().to_string(),
            unknown_sender(String::new()),
            EventKind::Delete {
                target: message.get().to_string(),
            },
        );
    }

    async fn message_delete_bulk(&self, _: Context, channel: ChannelId, messages: Vec<MessageId>, _: Option<GuildId>) {
        for message in messages {
            self.event(
                channel,
                message.get().to_string(),
                unknown_sender(String::new()),
                EventKind::Delete {
                    target: message.get().to_string(),
                },
            );
        }
    }

    async fn poll_vote_add(&self, _: Context, vote: MessagePollVoteAddEvent) {
        self.vote(
            vote.channel_id,
            vote.message_id,
            vote.user_id,
            vote.answer_id.get(),
            true,
        );
    }

    async fn poll_vote_remove(&self, _: Context, vote: MessagePollVoteRemoveEvent) {
        self.vote(
            vote.channel_id,
            vote.message_id,
            vote.user_id,
            vote.answer_id.get(),
            false,
        );
    }

    async fn interaction_create(&self, _: Context, interaction: Interaction) {
        let Some(channel) = interact::channel_of(&interaction) else {
            return;
        };
        if !self.readers.contains_key(&channel) {
            // Not a bridged channel (commands are registered per guild): say so at once.
            let _ = interact::decline(&self.rest, &interaction).await;
            return;
        }
        match interact::acknowledge(&self.rest, &interaction).await {
            Ok(interact::Acknowledged::Event(understood)) => {
                let understood = *understood;
                let channel = ChannelId::new(understood.channel);
                self.event(channel, understood.event_id, understood.sender, understood.kind);
            }
            Ok(interact::Acknowledged::Handled) => {}
            Ok(interact::Acknowledged::Expired) => {
                tracing::warn!(interaction = %interaction.id(), "discord: an interaction expired before it was acknowledged; not acting on it");
            }
            Err(error) => {
                tracing::warn!(interaction = %interaction.id(), %error, "discord: could not acknowledge an interaction; not acting on it");
            }
        }
    }

    async fn reaction_add(&self, _: Context, reaction: Reaction) {
        self.reaction(reaction, true);
    }

    async fn reaction_remove(&self, _: Context, reaction: Reaction) {
        self.reaction(reaction, false);
    }
}

/// Sees every gateway event before serenity turns it into a handler call. A dispatch
/// serenity cannot read (a type it does not know, or a payload without a field it insists
/// on) becomes `Event::Unknown` and is dropped with only a DEBUG line; Discord does not send
/// it again. Here it is a WARN and a count in `/metrics`, so that a change in Discord's API
/// shows before people miss what it dropped.
struct Unreadable {
    counts: UnreadableEvents,
    /// A message event serenity could not read still says which channel changed: its reader
    /// lists the channel at once, so a new message is bridged all the same.
    readers: HashMap<u64, mpsc::UnboundedSender<Nudge>>,
}

#[serenity::async_trait]
impl RawEventHandler for Unreadable {
    async fn raw_event(&self, _: Context, event: Event) {
        let Event::Unknown(unknown) = event else { return };
        let channel = unknown.value["channel_id"].as_str().and_then(|c| c.parse::<u64>().ok());
        if let Some(reader) = channel.and_then(|c| self.readers.get(&c)) {
            let _ = reader.send(Nudge::Read);
        }
        self.counts.count(Platform::Discord, &unknown.kind);
        let total = self.counts.get(Platform::Discord, &unknown.kind);
        // The payload can hold people's messages: at DEBUG only.
        tracing::debug!(event = %unknown.kind, payload = %unknown.value, "discord: the unreadable gateway event");
        tracing::warn!(event = %unknown.kind, total, "discord: serenity could not read a gateway event; it was dropped (has Discord's API changed?)");
    }
}

impl Gateway {
    /// Reactions and votes carry no id of their own. Each sighting gets a new one (the time
    /// and a counter: two in the same millisecond stay two); a sighting replayed after a
    /// RESUME is then a second event, which the core reads as "still added" or "still
    /// removed" and does nothing with.
    fn occurrence(&self) -> String {
        let n = self.occurrences.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}.{n}", now_ms())
    }

    fn vote(&self, channel: ChannelId, message: MessageId, user: serenity::all::UserId, answer: u64, added: bool) {
        let poll = message.get().to_string();
        let event_id = format!("{poll}:{}:{answer}:{}", user.get(), self.occurrence());
        let kind = EventKind::PollVote {
            poll,
            answer: answer.to_string(),
            added,
        };
        self.event(channel, event_id, unknown_sender(user.get().to_string()), kind);
    }

    fn reaction(&self, reaction: Reaction, added: bool) {
        let Some(user) = reaction.user_id else { return };
        if user.get() == self.own.bot_user {
            return;
        }
        let key = reaction_key(&reaction.emoji);
        let target = reaction.message_id.get().to_string();
        let id = user.get().to_string();
        // Discord sends the member with an added reaction in a guild, not with a removed one.
        let member = reaction.member.as_ref();
        let name = convert::display_name(
            member.and_then(|m| m.nick.as_deref()),
            member.and_then(|m| m.user.global_name.as_deref()),
            member.map(|m| m.user.name.as_str()),
            &id,
        );
        let sender = Sender {
            id,
            display_name: name,
            avatar_url: None,
        };
        let event_id = format!("{target}:{}:{key}:{}", user.get(), self.occurrence());
        let kind = if added {
            EventKind::ReactionAdded { target, key }
        } else {
            EventKind::ReactionRemoved { target, key }
        };
        self.event(reaction.channel_id, event_id, sender, kind);
    }
}
