//! The Matrix side of magnet: the port of `magnet-chat` implemented with matrix-sdk.
//!
//! [`MatrixAdapter::start`] logs in (once per device, see [`session`]), joins the
//! configured rooms, starts one [`reader`] per room that hands every event to the core in
//! order, and a sync loop that wakes the readers. [`ChatAdapter::deliver`] sends with
//! transaction ids ([`send`]). The core sees only neutral events ([`convert`]).

mod convert;
mod error;
mod poll_votes;
mod reader;
mod send;
mod session;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use magnet_chat::{ChatAdapter, ChatError, Delivered, EventSink, Member, Outbound, Platform};
use matrix_sdk::config::{RequestConfig, SyncSettings};
use matrix_sdk::media::{MediaFormat, MediaRequestParameters};
use matrix_sdk::ruma::api::client::filter::FilterDefinition;
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent;
use matrix_sdk::ruma::events::room::power_levels::UserPowerLevel;
use matrix_sdk::ruma::events::room::{EncryptedFile, MediaSource};
use matrix_sdk::ruma::{OwnedMxcUri, OwnedUserId, UserId};
use matrix_sdk::ruma::{OwnedRoomId, OwnedRoomOrAliasId, RoomAliasId, RoomId, uint};
use matrix_sdk::{Client, Room, RoomState};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use convert::{Converted, MemberLookup, convert};
pub use error::MatrixError;

use reader::{Backoff, RoomReader, SyncBatch};

/// What the Matrix side needs to run.
#[derive(Clone)]
pub struct MatrixSettings {
    pub homeserver: String,
    pub user_id: String,
    pub credential: Credential,
    /// matrix-sdk's store and the saved session.
    pub store_dir: PathBuf,
    pub device_name: String,
    /// The rooms to serve, as the config names them (ids or aliases).
    pub rooms: Vec<String>,
}

/// How to log in the first time.
#[derive(Clone)]
pub enum Credential {
    Password(String),
    AccessToken(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Password(_) => f.write_str("Password(***)"),
            Credential::AccessToken(_) => f.write_str("AccessToken(***)"),
        }
    }
}

/// A running Matrix connection.
pub struct MatrixAdapter {
    shared: Arc<Shared>,
    sync_task: JoinHandle<()>,
}

/// What the sync loop, the invite handler and the readers share.
struct Shared {
    client: Client,
    sink: Arc<dyn EventSink>,
    own_user: String,
    /// Every configured room that could be resolved, joined or not, with its config key.
    configured: HashMap<OwnedRoomId, String>,
    /// Direct rooms people opened with the bot, with the person; their key is the room id.
    direct: Mutex<HashMap<OwnedRoomId, OwnedUserId>>,
    /// Rooms being read: their wake-up and their reader task.
    served: Mutex<HashMap<OwnedRoomId, ServedRoom>>,
}

/// A room being read: where its sync batches go, and the reader's task.
struct ServedRoom {
    batches: mpsc::UnboundedSender<SyncBatch>,
    task: Option<JoinHandle<()>>,
}

impl Shared {
    /// Starts reading a joined configured room, once; returns when its reader knows where
    /// to start.
    async fn serve(self: &Arc<Self>, room_id: &OwnedRoomId) {
        let Some(key) = self.key_of(room_id) else {
            return;
        };
        let Some(room) = self.client.get_room(room_id) else {
            return;
        };
        // Batches are forwarded (and buffered) from before the reader finds its start, so no
        // sync between the two is missed.
        let (sender, receiver) = mpsc::unbounded_channel();
        {
            let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
            if served.contains_key(room_id) {
                return;
            }
            served.insert(
                room_id.clone(),
                ServedRoom {
                    batches: sender,
                    task: None,
                },
            );
        }
        let reader = RoomReader {
            room,
            waiting_for_keys: None,
            key,
            sink: self.sink.clone(),
            own_user: self.own_user.clone(),
        };
        let token = reader.prepare().await;
        let task = tokio::spawn(reader.run(token, receiver));
        if let Some(served) = self.served.lock().unwrap_or_else(|p| p.into_inner()).get_mut(room_id) {
            served.task = Some(task);
        }
    }

    /// Hands one sync's timeline to the room's reader.
    fn forward(&self, room_id: &RoomId, batch: SyncBatch) {
        if let Some(served) = self.served.lock().unwrap_or_else(|p| p.into_inner()).get(room_id) {
            let _ = served.batches.send(batch);
        }
    }

    /// The key the core knows a served room by: its config key, or its id for a direct room.
    fn key_of(&self, room_id: &OwnedRoomId) -> Option<String> {
        match self.configured.get(room_id) {
            Some(key) => Some(key.clone()),
            None => self
                .direct
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(room_id)
                .then(|| room_id.to_string()),
        }
    }

    fn room_for_key(&self, key: &str) -> Option<Room> {
        if let Some((room_id, _)) = self.configured.iter().find(|(_, k)| k.as_str() == key) {
            return self.client.get_room(room_id);
        }
        let room_id = RoomId::parse(key).ok()?;
        if !self
            .direct
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&room_id)
        {
            return None;
        }
        self.client.get_room(&room_id)
    }

    /// Whether someone shares a joined configured room with the bot: who may open a direct
    /// room with it.
    async fn in_served_room(&self, user: &UserId) -> bool {
        for room_id in self.configured.keys() {
            let Some(room) = self.client.get_room(room_id) else {
                continue;
            };
            if room.state() != RoomState::Joined {
                continue;
            }
            if let Ok(Some(member)) = room.get_member(user).await
                && *member.membership() == MembershipState::Join
            {
                return true;
            }
        }
        false
    }

    /// Serves the direct rooms the core kept, and tells it of those the person left.
    async fn resume_direct_rooms(self: &Arc<Self>) {
        let kept = match self.sink.direct_rooms(Platform::Matrix).await {
            Ok(kept) => kept,
            Err(error) => {
                tracing::warn!(%error, "matrix: cannot list the direct rooms; they are served once reopened");
                return;
            }
        };
        for (room, user) in kept {
            let (Ok(room_id), Ok(user)) = (RoomId::parse(&room), UserId::parse(&user)) else {
                tracing::warn!(%room, "matrix: a stored direct room with an unreadable id; skipped");
                continue;
            };
            let joined = self
                .client
                .get_room(&room_id)
                .is_some_and(|room| room.state() == RoomState::Joined);
            if joined {
                self.direct
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(room_id.clone(), user);
                self.serve(&room_id).await;
            } else if let Err(error) = self.sink.close_direct(Platform::Matrix, room_id.as_str()).await {
                tracing::warn!(room = %room_id, %error, "matrix: cannot mark a direct room left");
            }
        }
    }

    /// Answers an invite: a configured room is joined and read; a direct chat from someone
    /// in one of the bot's rooms is joined and read if the core takes it; any other is
    /// declined.
    async fn consider_invite(self: &Arc<Self>, room: Room) {
        let room_id = room.room_id().to_owned();
        if self.configured.contains_key(&room_id) {
            match room.join().await {
                Ok(()) => {
                    tracing::info!(room = %room_id, "matrix: accepted an invite to a configured room");
                    self.serve(&room_id).await;
                }
                Err(error) => tracing::warn!(room = %room_id, %error, "matrix: cannot accept an invite"),
            }
            return;
        }
        let inviter = match room.invite_details().await {
            Ok(invite) => invite.inviter_id,
            Err(error) => {
                tracing::warn!(room = %room_id, %error, "matrix: cannot read an invite; declining it");
                let _ = room.leave().await;
                return;
            }
        };
        let direct = room.is_direct().await.unwrap_or(false);
        if !direct || !self.in_served_room(&inviter).await {
            tracing::info!(room = %room_id, %inviter, direct, "matrix: declining an invite to a room that is not configured");
            let _ = room.leave().await;
            return;
        }
        if let Err(error) = room.join().await {
            tracing::warn!(room = %room_id, %error, "matrix: cannot accept a direct chat");
            return;
        }
        // A direct chat is the person and the bot: what is answered there is private.
        let members = room.joined_members_count() + room.invited_members_count();
        if members > 2 {
            tracing::info!(room = %room_id, members, "matrix: a 'direct' chat with more people than the bot and its maker; leaving it");
            let _ = room.leave().await;
            return;
        }
        match self
            .sink
            .open_direct(Platform::Matrix, room_id.as_str(), inviter.as_str())
            .await
        {
            Ok(true) => {
                tracing::info!(room = %room_id, "matrix: accepted a direct chat");
                self.direct
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(room_id.clone(), inviter);
                self.serve(&room_id).await;
            }
            Ok(false) => {
                tracing::info!(room = %room_id, "matrix: the core has no use for a direct chat; leaving it");
                let _ = room.leave().await;
            }
            // Left, so that the person can invite the bot again once the core is back.
            Err(error) => {
                tracing::warn!(room = %room_id, %error, "matrix: cannot record a direct chat; leaving it");
                let _ = room.leave().await;
            }
        }
    }
}

impl MatrixAdapter {
    /// Logs in, joins the configured rooms and starts reading them. Returns once every
    /// reader is running; events flow to `sink` from then on.
    pub async fn start(settings: MatrixSettings, sink: Arc<dyn EventSink>) -> Result<MatrixAdapter, MatrixError> {
        std::fs::create_dir_all(&settings.store_dir)
            .map_err(|error| MatrixError::Config(format!("cannot create {}: {error}", settings.store_dir.display())))?;
        let client = Client::builder()
            .homeserver_url(&settings.homeserver)
            .sqlite_store(settings.store_dir.join("sdk"), None)
            .request_config(RequestConfig::new().timeout(Duration::from_secs(30)).retry_limit(3))
            .build()
            .await
            .map_err(|error| MatrixError::Config(format!("cannot set up the Matrix client: {error}")))?;
        session::authenticate(&client, &settings).await?;

        // One sync before any handler: it uploads our keys and learns the rooms, and the
        // history it brings is not taken as new events.
        let sync_settings = SyncSettings::default()
            .filter(sync_filter().into())
            .timeout(Duration::from_secs(30));
        client
            .sync_once(sync_settings.clone().timeout(Duration::ZERO))
            .await
            .map_err(MatrixError::from_sdk)?;

        let configured = resolve_configured(&client, &settings.rooms).await;
        let shared = Arc::new(Shared {
            client: client.clone(),
            sink,
            own_user: settings.user_id.clone(),
            configured,
            direct: Mutex::new(HashMap::new()),
            served: Mutex::new(HashMap::new()),
        });
        for (room_id, key) in &shared.configured {
            match join(&client, room_id).await {
                Ok(()) => shared.serve(room_id).await,
                Err(error) => {
                    tracing::error!(room = %key, %error, "matrix: cannot join a configured room; it is served once the bot is invited")
                }
            }
        }
        shared.resume_direct_rooms().await;
        answer_invites(&shared);
        let sync_task = tokio::spawn(sync_loop(shared.clone(), sync_settings));
        let served = shared.served.lock().unwrap_or_else(|p| p.into_inner()).len();
        tracing::info!(rooms = served, configured = settings.rooms.len(), "matrix: ready");
        Ok(MatrixAdapter { shared, sync_task })
    }

    /// Stops syncing and reading. Events not yet committed are read again next start.
    pub fn shutdown(&self) {
        self.sync_task.abort();
        for served in self.shared.served.lock().unwrap_or_else(|p| p.into_inner()).values() {
            if let Some(task) = &served.task {
                task.abort();
            }
        }
    }

    /// The joined room for a configured key.
    pub fn room(&self, key: &str) -> Option<Room> {
        self.shared.room_for_key(key)
    }
}

impl Drop for MatrixAdapter {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[async_trait::async_trait]
impl ChatAdapter for MatrixAdapter {
    fn platform(&self) -> Platform {
        Platform::Matrix
    }

    async fn deliver(&self, outbound: &Outbound) -> Result<Delivered, ChatError> {
        let room = self
            .room(&outbound.room)
            .ok_or_else(|| ChatError::Permanent(format!("the bot is not in Matrix room {}", outbound.room)))?;
        if room.state() != RoomState::Joined {
            return Err(ChatError::Permanent(format!(
                "the bot is not joined to {}",
                outbound.room
            )));
        }
        send::perform(&room, &outbound.idempotency_key, &outbound.action).await
    }

    async fn member(&self, room: &str, user_id: &str) -> Result<Option<Member>, ChatError> {
        let room = self
            .room(room)
            .ok_or_else(|| ChatError::Permanent(format!("the bot is not in Matrix room {room}")))?;
        let user = UserId::parse(user_id).map_err(|e| ChatError::Permanent(format!("`{user_id}`: {e}")))?;
        let member = room
            .get_member(&user)
            .await
            .map_err(|error| error::classify_send(&error))?;
        Ok(member
            .filter(|m| *m.membership() == MembershipState::Join)
            .map(|m| Member {
                user_id: user_id.to_string(),
                display_name: m.display_name().map(str::to_string),
                avatar_url: m.avatar_url().map(|url| url.to_string()),
                power_level: Some(match m.power_level() {
                    UserPowerLevel::Int(level) => i64::from(level),
                    _ => i64::MAX,
                }),
                roles: Vec::new(),
            }))
    }

    /// The room's joined members (from the homeserver's room summary), less the bot.
    async fn member_count(&self, room: &str) -> Result<Option<u64>, ChatError> {
        let room = self
            .room(room)
            .ok_or_else(|| ChatError::Permanent(format!("the bot is not in Matrix room {room}")))?;
        Ok(Some(room.joined_members_count().saturating_sub(1)))
    }

    /// The votes the room holds for the poll (see [`poll_votes`]).
    async fn poll_voters(
        &self,
        room: &str,
        poll: &str,
        answers: &[String],
        until_ms: i64,
    ) -> Result<Option<Vec<(String, Vec<String>)>>, ChatError> {
        let room = self
            .room(room)
            .ok_or_else(|| ChatError::Permanent(format!("the bot is not in Matrix room {room}")))?;
        poll_votes::voters(&room, poll, answers, until_ms, &self.shared.own_user)
            .await
            .map(Some)
    }

    async fn fetch_media(&self, url: &str) -> Result<Vec<u8>, ChatError> {
        // Encrypted media travels as the JSON of its `file` object (see convert).
        let source = if url.starts_with('{') {
            let file: EncryptedFile =
                serde_json::from_str(url).map_err(|e| ChatError::Permanent(format!("bad encrypted file info: {e}")))?;
            MediaSource::Encrypted(Box::new(file))
        } else {
            MediaSource::Plain(OwnedMxcUri::from(url))
        };
        let request = MediaRequestParameters {
            source,
            format: MediaFormat::File,
        };
        self.shared
            .client
            .media()
            .get_media_content(&request, false)
            .await
            .map_err(|error| error::classify_send(&error))
    }
}

/// Sync wakes the readers; it is never the source of events itself.
fn sync_filter() -> FilterDefinition {
    let mut filter = FilterDefinition::default();
    filter.room.timeline.limit = Some(uint!(20));
    filter
}

async fn sync_loop(shared: Arc<Shared>, settings: SyncSettings) {
    let mut backoff = Backoff::default();
    loop {
        match shared.client.sync_once(settings.clone()).await {
            Ok(response) => {
                backoff.reset();
                for (room_id, update) in response.rooms.joined {
                    if !update.timeline.events.is_empty() || update.timeline.limited {
                        let batch = SyncBatch {
                            events: update.timeline.events,
                            limited: update.timeline.limited,
                            next_batch: response.next_batch.clone(),
                        };
                        shared.forward(&room_id, batch);
                    }
                }
            }
            Err(error) => {
                let error = MatrixError::from_sdk(error);
                if matches!(error, MatrixError::Auth(_)) {
                    tracing::error!(%error, "matrix: stopped; the bot needs a new login");
                    return;
                }
                let delay = backoff.next();
                tracing::warn!(%error, ?delay, "matrix: sync failed; retrying");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Resolves the configured keys (ids or aliases) to room ids; one that cannot be resolved
/// is reported and left out, the others still work.
async fn resolve_configured(client: &Client, keys: &[String]) -> HashMap<OwnedRoomId, String> {
    let mut resolved = HashMap::new();
    for key in keys {
        let room_id = if key.starts_with('#') {
            match RoomAliasId::parse(key) {
                Ok(alias) => client
                    .resolve_room_alias(&alias)
                    .await
                    .map(|r| r.room_id)
                    .map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            }
        } else {
            RoomId::parse(key).map_err(|e| e.to_string())
        };
        match room_id {
            Ok(room_id) => {
                resolved.insert(room_id, key.clone());
            }
            Err(error) => {
                tracing::error!(room = %key, %error, "matrix: cannot resolve a configured room; it is not served")
            }
        }
    }
    resolved
}

async fn join(client: &Client, room_id: &OwnedRoomId) -> Result<(), String> {
    if client
        .get_room(room_id)
        .is_some_and(|room| room.state() == RoomState::Joined)
    {
        return Ok(());
    }
    let target: OwnedRoomOrAliasId = room_id.clone().into();
    client
        .join_room_by_id_or_alias(&target, &[])
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(room = %room_id, "matrix: joined");
    Ok(())
}

/// Answers invites as they come, and those that came while the bot was away.
fn answer_invites(shared: &Arc<Shared>) {
    for room in shared.client.invited_rooms() {
        let shared = shared.clone();
        tokio::spawn(async move { shared.consider_invite(room).await });
    }
    let shared = Arc::downgrade(shared);
    shared
        .upgrade()
        .expect("called while the adapter exists")
        .client
        .add_event_handler(move |event: StrippedRoomMemberEvent, room: Room, client: Client| {
            let shared = shared.clone();
            async move {
                if Some(event.state_key.as_ref()) != client.user_id() || room.state() != RoomState::Invited {
                    return;
                }
                // Joining from inside a handler would hold up the sync that delivered it.
                tokio::spawn(async move {
                    if let Some(shared) = shared.upgrade() {
                        shared.consider_invite(room).await;
                    }
                });
            }
        });
}
