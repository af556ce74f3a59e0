//! A loopback Discord: the REST API v10 and the gateway, as serenity speaks to discord.com,
//! for magnet's tests and demo. It is a test peer, not the product: it covers what the
//! adapter and the tests use, follows Discord's documentation where it can, and rejects
//! what Discord would reject.
//!
//! [`DiscordSim::start`] serves it on 127.0.0.1; the methods on [`DiscordSim`] build the
//! world (guilds, channels, users, roles), act as people (post, edit, delete, react),
//! inject faults (dropped gateway, lost dispatches, 429s, 5xx), simulate the wire's latency, and inspect
//! what the bot did (messages, requests, REST requests per route, also on `GET /metrics`).

// serde_json's json! macro needs more than the default to write a whole GUILD_CREATE.
#![recursion_limit = "256"]

mod components;
mod control;
mod gateway;
mod interactions;
mod model;
mod rest;
mod state;
mod wire;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};

pub use interactions::{InteractionView, SeenReply};
pub use state::{INTENT_GUILD_MEMBERS, INTENT_MESSAGE_CONTENT, Limits, LoggedRequest, SimConfig};

use model::{Author, Channel, Guild, Member, Role, User};
use state::SimState;

/// A running simulator.
pub struct DiscordSim {
    handle: SimHandle,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

/// A message as a test sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenMessage {
    pub id: u64,
    /// The author's user id, or the webhook's id for webhook messages.
    pub author_id: u64,
    /// The name shown: the user's name, or the webhook message's chosen username.
    pub author_name: String,
    pub webhook: bool,
    pub content: String,
    pub reply_to: Option<u64>,
    pub attachments: Vec<(String, Vec<u8>)>,
    pub reactions: Vec<(String, Vec<u64>)>,
    pub mentions: Vec<u64>,
    pub mention_roles: Vec<u64>,
    pub mention_everyone: bool,
    pub edited: bool,
    pub poll_question: Option<String>,
    /// Votes per answer (1-based), and whether the poll has ended.
    pub poll_votes: Vec<(u32, Vec<u64>)>,
    pub poll_closed: bool,
    pub components: Vec<Value>,
}

impl DiscordSim {
    /// Serves a simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<DiscordSim> {
        DiscordSim::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves a simulator on the given address.
    pub async fn start_on(config: SimConfig, addr: SocketAddr) -> std::io::Result<DiscordSim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState::new(config));
        *state.base_url.lock().unwrap_or_else(|p| p.into_inner()) = format!("http://{addr}");
        let app = Router::new()
            .nest("/api/v10", rest::router().merge(interactions::router()))
            .route("/gateway", get(gateway::upgrade))
            // Clients append `/?v=10&encoding=json` to the URL they were given.
            .route("/gateway/", get(gateway::upgrade))
            .nest("/control", control::router())
            .route("/attachments/{channel}/{attachment}/{name}", get(attachment))
            .route("/metrics", get(wire::metrics))
            // Over everything, so that REST routes the simulator does not serve count too.
            .layer(axum::middleware::from_fn_with_state(state.clone(), wire::layer))
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(DiscordSim {
            handle: SimHandle { state },
            addr,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What to configure as the Discord API base (`http://127.0.0.1:PORT/api`).
    pub fn api_base(&self) -> String {
        format!("http://{}/api", self.addr)
    }
}

/// The simulator's controls: build the world, act as people, inject faults, inspect. A
/// [`DiscordSim`] derefs to one; the HTTP control API (`/control/...`) uses the same.
#[derive(Clone)]
pub struct SimHandle {
    state: Arc<SimState>,
}

impl std::ops::Deref for DiscordSim {
    type Target = SimHandle;
    fn deref(&self) -> &SimHandle {
        &self.handle
    }
}

impl SimHandle {
    pub fn bot_token(&self) -> &str {
        &self.state.config.bot_token
    }

    pub fn application_id(&self) -> u64 {
        self.state.application_id
    }

    pub fn bot_user_id(&self) -> u64 {
        self.state.bot_user_id
    }

    // ---- building the world ----

    /// A guild with an @everyone role; the bot is a member.
    pub fn create_guild(&self, name: &str) -> u64 {
        let mut world = self.state.world();
        let id = world.ids.next();
        let mut guild = Guild {
            id,
            name: name.into(),
            owner_id: self.state.bot_user_id,
            roles: vec![Role {
                id,
                name: "@everyone".into(),
                permissions: 0x0006_3584_0000,
                position: 0,
            }],
            members: Default::default(),
            channels: Vec::new(),
        };
        guild.members.insert(
            self.state.bot_user_id,
            Member {
                nick: None,
                roles: Vec::new(),
                joined_at: model::snowflake_time(id),
            },
        );
        world.guilds.push(guild);
        id
    }

    /// A text channel in a guild.
    pub fn create_channel(&self, guild: u64, name: &str) -> u64 {
        let mut world = self.state.world();
        let id = world.ids.next();
        let position = world.channels.len() as i64;
        world.channels.insert(
            id,
            Channel {
                id,
                guild_id: guild,
                name: name.into(),
                position,
            },
        );
        if let Some(g) = world.guilds.iter_mut().find(|g| g.id == guild) {
            g.channels.push(id);
        }
        id
    }

    /// A human user who is a member of the guild.
    pub fn create_user(&self, guild: u64, username: &str, global_name: Option<&str>) -> u64 {
        let mut world = self.state.world();
        let id = world.ids.next();
        world.users.insert(
            id,
            User {
                id,
                username: username.into(),
                global_name: global_name.map(str::to_string),
                avatar: None,
                bot: false,
            },
        );
        if let Some(g) = world.guilds.iter_mut().find(|g| g.id == guild) {
            g.members.insert(
                id,
                Member {
                    nick: None,
                    roles: Vec::new(),
                    joined_at: chrono::Utc::now().to_rfc3339(),
                },
            );
        }
        id
    }

    /// A role in a guild.
    pub fn create_role(&self, guild: u64, name: &str) -> u64 {
        let mut world = self.state.world();
        let id = world.ids.next();
        if let Some(g) = world.guilds.iter_mut().find(|g| g.id == guild) {
            let position = g.roles.len() as i64;
            g.roles.push(Role {
                id,
                name: name.into(),
                permissions: 0,
                position,
            });
        }
        id
    }

    /// Gives a member a role (dispatches GUILD_MEMBER_UPDATE).
    pub fn assign_role(&self, guild: u64, user: u64, role: u64) {
        let payload = {
            let mut world = self.state.world();
            let Some(g) = world.guilds.iter_mut().find(|g| g.id == guild) else {
                return;
            };
            if let Some(member) = g.members.get_mut(&user)
                && !member.roles.contains(&role)
            {
                member.roles.push(role);
            }
            let g = world.guilds.iter().find(|g| g.id == guild).expect("found above");
            let mut payload = rest::member_json(&world, g, user).unwrap_or(Value::Null);
            payload["guild_id"] = json!(guild.to_string());
            payload
        };
        self.state
            .dispatch("GUILD_MEMBER_UPDATE", INTENT_GUILD_MEMBERS, |_| payload.clone());
    }

    /// Sets what the simulator enforces from now on.
    pub fn set_limits(&self, limits: Limits) {
        *self.state.limits.lock().unwrap_or_else(|p| p.into_inner()) = limits;
    }

    /// Sets the time the wire to Discord costs from now on ([`SimConfig::latency`]): every
    /// REST answer is held that long (each request on its own), and every gateway frame
    /// leaves that long after it was queued, in order, what is already queued included.
    pub fn set_latency(&self, latency: Duration) {
        *self.state.latency.lock().unwrap_or_else(|p| p.into_inner()) = latency;
    }

    /// Sets the language a user's Discord client is set to (`tr`, `en-US`): the `locale`
    /// of their interactions from now on.
    pub fn set_locale(&self, user: u64, locale: &str) {
        self.state
            .locales
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(user, locale.to_string());
    }

    /// The simulated latency now.
    pub fn latency(&self) -> Duration {
        self.state.latency()
    }

    // ---- acting as people ----

    /// A user posts a message; returns its id.
    pub fn post(&self, channel: u64, user: u64, content: &str) -> u64 {
        self.post_with(channel, user, content, None, Vec::new())
    }

    /// A user posts a message, optionally replying and with files; returns its id.
    pub fn post_with(
        &self,
        channel: u64,
        user: u64,
        content: &str,
        reply_to: Option<u64>,
        files: Vec<(String, Vec<u8>)>,
    ) -> u64 {
        let mut body = json!({"content": content});
        if let Some(reply_to) = reply_to {
            body["message_reference"] = json!({"message_id": reply_to.to_string()});
        }
        let submission = rest::Submission {
            body,
            files: files.into_iter().map(|(name, data)| (name, None, data)).collect(),
        };
        let json = rest::store_message(
            &self.state,
            channel,
            Author::User(user),
            user,
            content.to_string(),
            &submission,
        )
        .unwrap_or_else(|_| panic!("posting in channel {channel} failed"));
        json["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("a message id")
    }

    /// A user edits their message.
    pub fn edit(&self, channel: u64, message: u64, content: &str) {
        let body = json!({"content": content});
        rest::apply_edit(&self.state, &channel.to_string(), &message.to_string(), &body, |_| true)
            .unwrap_or_else(|_| panic!("editing message {message} failed"));
    }

    /// A message is deleted.
    pub fn delete(&self, channel: u64, message: u64) {
        rest::remove_message(&self.state, &channel.to_string(), &message.to_string())
            .unwrap_or_else(|_| panic!("deleting message {message} failed"));
    }

    /// A user adds or removes a reaction.
    pub fn react(&self, channel: u64, message: u64, user: u64, emoji: &str, add: bool) {
        rest::react(
            &self.state,
            &channel.to_string(),
            &message.to_string(),
            user,
            emoji,
            add,
        )
        .unwrap_or_else(|_| panic!("reacting to message {message} failed"));
    }

    /// A user adds or withdraws a vote for an answer (1-based) of a poll.
    pub fn vote(&self, channel: u64, message: u64, user: u64, answer: u32, add: bool) {
        rest::vote(&self.state, channel, message, user, answer, add)
            .unwrap_or_else(|_| panic!("voting in poll {message} failed"));
    }

    /// A user runs a slash command the bot registered (in the channel's guild or globally):
    /// `path` is the command and its sub-commands, `options` the values typed in. Returns
    /// the interaction's id, or why Discord's client would not let the user run it.
    pub fn run_command(&self, channel: u64, user: u64, path: &[&str], options: &[(&str, &str)]) -> Result<u64, String> {
        interactions::run_command(&self.state, channel, user, path, options)
    }

    /// A user clicks a button under a message; returns the interaction's id.
    pub fn click(&self, channel: u64, message: u64, user: u64, custom_id: &str) -> Result<u64, String> {
        interactions::use_component(&self.state, channel, message, user, custom_id, &[])
    }

    /// A user chooses values from a menu under a message; returns the interaction's id.
    pub fn choose(
        &self,
        channel: u64,
        message: u64,
        user: u64,
        custom_id: &str,
        values: &[&str],
    ) -> Result<u64, String> {
        interactions::use_component(&self.state, channel, message, user, custom_id, values)
    }

    /// A user submits the form the bot answered the interaction `opened_by` with.
    pub fn submit_form(&self, opened_by: u64, user: u64, fields: &[(&str, &str)]) -> Result<u64, String> {
        interactions::submit_form(&self.state, opened_by, user, fields)
    }

    /// What the bot answered to an interaction, as the person who acted sees it.
    pub fn interaction(&self, id: u64) -> Option<InteractionView> {
        interactions::view(&self.state, id)
    }

    /// The interaction's token, as the bot reads it from INTERACTION_CREATE.
    pub fn interaction_token(&self, id: u64) -> Option<String> {
        interactions::token(&self.state, id)
    }

    /// Waits until `done` holds for the bot's answer to an interaction.
    pub async fn wait_for_interaction(
        &self,
        id: u64,
        timeout: Duration,
        done: impl Fn(&InteractionView) -> bool,
    ) -> Option<InteractionView> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(view) = self.interaction(id).filter(|v| done(v)) {
                return Some(view);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    // ---- faults ----

    /// Drops every gateway connection without a close frame, as a failing network does:
    /// the client sees its connection end at once, and can RESUME.
    pub fn drop_gateway(&self) {
        gateway::drop_connections(&self.state);
    }

    /// Makes every gateway connection go silent but stay open (a half-open connection):
    /// nothing more reaches the client, heartbeat ACKs included. A client finds out only
    /// when a heartbeat is still unacknowledged as the next one falls due: one to two
    /// heartbeat intervals ([`SimConfig::heartbeat_interval`]) after this.
    pub fn silence_gateway(&self) {
        gateway::silence_connections(&self.state);
    }

    /// Asks every connected client to reconnect (op 7).
    pub fn request_reconnect(&self) {
        gateway::request_reconnect(&self.state);
    }

    /// Invalidates every gateway session (op 9): clients must identify anew.
    pub fn invalidate_sessions(&self) {
        gateway::invalidate_sessions(&self.state);
    }

    /// Sends a dispatch of this type with this payload, as it is, to every connected
    /// gateway: what a Discord API change, or another Discord server, could send.
    pub fn dispatch_raw(&self, event_type: &str, payload: Value) {
        self.state.dispatch(event_type, 0, |_| payload.clone());
    }

    /// Loses the next `count` dispatches, whatever their type: each takes its sequence
    /// number, so a client sees the gap, but reaches no connection and no RESUME replays it.
    /// Discord does not promise every dispatch arrives; this is the case to recover from.
    pub fn lose_dispatches(&self, count: u32) {
        *self.state.dispatches_to_lose.lock().unwrap_or_else(|p| p.into_inner()) = count;
    }

    /// Never makes the next `count` dispatches: no sequence number is taken, so a client
    /// sees no gap. The messages themselves are there to be listed over REST.
    pub fn vanish_dispatches(&self, count: u32) {
        *self
            .state
            .dispatches_to_vanish
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = count;
    }

    /// Answers the next `count` requests whose path contains `fragment` with `status`.
    pub fn fail_next(&self, fragment: &str, status: u16, count: u32) {
        self.state
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .scripted
            .push((fragment.into(), status, count));
    }

    /// Forgets the failures [`DiscordSim::fail_next`] scripted and has not used up: the
    /// server answers normally again.
    pub fn clear_failures(&self) {
        self.state
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .scripted
            .clear();
    }

    // ---- inspecting ----

    /// The messages of a channel, oldest first.
    pub fn messages(&self, channel: u64) -> Vec<SeenMessage> {
        let world = self.state.world();
        let Some(messages) = world.messages.get(&channel) else {
            return Vec::new();
        };
        messages
            .values()
            .map(|m| {
                let (author_id, author_name, webhook) = match &m.author {
                    Author::User(id) => {
                        let user = world.users.get(id);
                        (
                            *id,
                            user.map(|u| u.global_name.clone().unwrap_or_else(|| u.username.clone()))
                                .unwrap_or_default(),
                            false,
                        )
                    }
                    Author::Webhook {
                        webhook_id, username, ..
                    } => (*webhook_id, username.clone(), true),
                };
                SeenMessage {
                    id: m.id,
                    author_id,
                    author_name,
                    webhook,
                    content: m.content.clone(),
                    reply_to: m.reply_to,
                    attachments: m
                        .attachments
                        .iter()
                        .map(|a| (a.filename.clone(), a.data.clone()))
                        .collect(),
                    reactions: m.reactions.iter().filter(|(_, who)| !who.is_empty()).cloned().collect(),
                    mentions: m.mentions.clone(),
                    mention_roles: m.mention_roles.clone(),
                    mention_everyone: m.mention_everyone,
                    edited: m.edited_timestamp.is_some(),
                    poll_question: m.poll.as_ref().map(|p| p.question.clone()),
                    poll_votes: m
                        .poll
                        .as_ref()
                        .map(|p| p.votes.iter().map(|(a, v)| (*a, v.clone())).collect())
                        .unwrap_or_default(),
                    poll_closed: m.poll.as_ref().is_some_and(|p| p.finalized),
                    components: m.components.clone(),
                }
            })
            .collect()
    }

    /// Every request answered so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The REST requests received so far, whatever their answer, by method and route
    /// template: `"GET /channels/{channel}/messages"` → 3. The template is the router's
    /// (`src/rest.rs`, `src/interactions.rs`), or the path with its ids as `{id}` for a route
    /// the simulator does not serve. `GET /metrics` serves the same counts.
    pub fn rest_counts(&self) -> BTreeMap<String, u64> {
        wire::rest_counts(&self.state)
    }

    /// The webhooks of a channel (id, name).
    pub fn webhooks(&self, channel: u64) -> Vec<(u64, String)> {
        self.state
            .world()
            .webhooks
            .values()
            .filter(|w| w.channel_id == channel)
            .map(|w| (w.id, w.name.clone()))
            .collect()
    }

    /// Deletes a webhook, as a guild admin might.
    pub fn delete_webhook(&self, webhook: u64) {
        self.state.world().webhooks.remove(&webhook);
    }

    /// How many gateway sessions are connected now.
    pub fn connected_sessions(&self) -> usize {
        self.state
            .sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|s| s.connection.is_some())
            .count()
    }

    /// Waits until `count` sessions are connected, or the timeout passes.
    pub async fn wait_for_sessions(&self, count: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.connected_sessions() < count {
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
}

impl Drop for DiscordSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn attachment(
    axum::extract::State(state): axum::extract::State<Arc<SimState>>,
    axum::extract::Path((channel, attachment, _name)): axum::extract::Path<(u64, u64, String)>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let world = state.world();
    let found = world
        .messages
        .get(&channel)
        .and_then(|messages| {
            messages
                .values()
                .flat_map(|m| m.attachments.iter())
                .find(|a| a.id == attachment)
        })
        .map(|a| a.data.clone());
    match found {
        Some(data) => data.into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}
