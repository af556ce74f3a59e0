//! The Discord side of magnet: the port of `magnet-chat` implemented with twilight-gateway
//! for the gateway connection ([`gateway`]: heartbeats, RESUME, reconnects), serenity's
//! models to read events and interactions, and a small REST client ([`rest`]) for
//! everything the bot sends and reads.
//!
//! [`DiscordAdapter::start`] checks the token, finds (or creates) the relay webhook of each
//! configured channel, starts one [`reader`] per channel and the gateway. Messages reach
//! the core in order through the readers, straight from the gateway while it delivers
//! every dispatch, by reading the channel otherwise; relays go out through the channel's
//! webhook under the original author's name, bot messages with a nonce that Discord
//! enforces.

mod convert;
mod events;
mod forms;
mod gateway;
mod interact;
mod reader;
mod rest;
mod send;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use magnet_chat::{
    ChatAdapter, ChatError, CommandSpec, Delivered, EventSink, Member, Outbound, Phrasebook, Platform, UnreadableEvents,
};
use reqwest::Method;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use reader::LISTING_INTERVAL;
pub use rest::Rest;

use events::EventRouter;
use gateway::Gateway;
use reader::{ChannelReader, OwnIds};

/// What the Discord side needs to run.
#[derive(Clone)]
pub struct DiscordSettings {
    pub token: String,
    pub application_id: u64,
    /// `https://discord.com/api`, or the simulator's `http://127.0.0.1:PORT/api`.
    pub api_base: String,
    pub channels: Vec<u64>,
    /// Where gateway events that could not be read are counted, for `/metrics`.
    pub unreadable: UnreadableEvents,
    /// How often each channel is listed over REST anyway, in case Discord lost a message
    /// without a trace ([`LISTING_INTERVAL`] by default).
    pub listing_interval: std::time::Duration,
    /// The words the adapter says before the core hears of it, by the client's language.
    pub phrases: Phrasebook,
}

impl std::fmt::Debug for DiscordSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordSettings")
            .field("token", &"***")
            .field("application_id", &self.application_id)
            .field("api_base", &self.api_base)
            .field("channels", &self.channels)
            .field("unreadable", &self.unreadable)
            .field("listing_interval", &self.listing_interval)
            .field("phrases", &self.phrases)
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
    gateway: Gateway,
    forms: Arc<forms::CommandForms>,
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
                listing_interval: settings.listing_interval,
            };
            let after = reader.prepare().await;
            tasks.push(tokio::spawn(reader.run(after, rx)));
        }

        let forms = Arc::new(forms::CommandForms::default());
        let router = EventRouter {
            readers,
            own: own.clone(),
            rest: rest.clone(),
            unreadable: settings.unreadable.clone(),
            occurrences: Default::default(),
            phrases: Arc::new(settings.phrases.clone()),
            forms: forms.clone(),
        };
        let gateway = Gateway::start(&rest, &settings.token, router).await?;
        tracing::info!(channels = guilds.len(), "discord: ready");
        Ok(DiscordAdapter {
            rest,
            own,
            hooks: tokio::sync::Mutex::new(hooks),
            guilds,
            tasks,
            gateway,
            forms,
        })
    }

    /// Stops the gateway and the readers. Messages not yet committed are read next start.
    pub async fn shutdown(&self) {
        self.gateway.shutdown().await;
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

    /// Each answer's voters, a hundred at a time as Discord pages them.
    async fn poll_voters(
        &self,
        room: &str,
        poll: &str,
        answers: &[String],
        // Discord ends the poll itself at its deadline: its lists hold no later vote.
        _until_ms: i64,
    ) -> Result<Option<Vec<(String, Vec<String>)>>, ChatError> {
        const PAGE: usize = 100;
        let mut lists = Vec::new();
        for answer in answers {
            let mut voters: Vec<String> = Vec::new();
            loop {
                let after = voters.last().map(|id| format!("&after={id}")).unwrap_or_default();
                let path = format!("/channels/{room}/polls/{poll}/answers/{answer}?limit={PAGE}{after}");
                let page = self
                    .rest
                    .json(Method::GET, &path, &format!("polls:{room}"), None)
                    .await?;
                let users: Vec<String> = page["users"]
                    .as_array()
                    .map(|users| {
                        users
                            .iter()
                            .filter_map(|u| u["id"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let full = users.len() == PAGE;
                voters.extend(users);
                if !full {
                    break;
                }
            }
            lists.push((answer.clone(), voters));
        }
        Ok(Some(lists))
    }

    /// The guild's approximate member count (Discord counts no channel's members), less
    /// the bot; other bots count as members.
    async fn member_count(&self, room: &str) -> Result<Option<u64>, ChatError> {
        let guild = room
            .parse::<u64>()
            .ok()
            .and_then(|channel| self.guilds.get(&channel))
            .ok_or_else(|| ChatError::Permanent(format!("the bot does not serve Discord channel {room}")))?;
        let found = self
            .rest
            .json(Method::GET, &format!("/guilds/{guild}?with_counts=true"), "guild", None)
            .await?;
        match found["approximate_member_count"].as_u64() {
            Some(count) => Ok(Some(count.saturating_sub(1))),
            None => {
                tracing::warn!(guild, "discord: the guild came without approximate_member_count");
                Ok(None)
            }
        }
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
        self.forms.register(commands);
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
