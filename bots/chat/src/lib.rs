//! The platform-neutral chat port.
//!
//! The core of magnet talks to Matrix and Discord only through what is defined here: an
//! adapter hands the core [`InboundEvent`]s through an [`EventSink`] and waits for the core
//! to commit each one before it counts the event as seen; the core hands an adapter
//! [`Outbound`] actions, each with an idempotency key, through [`ChatAdapter::deliver`].
//! Remote ids (Matrix room and event ids, Discord snowflakes) stay opaque strings here.
//!
//! This crate exists apart from the core so that the adapters can depend on it without
//! depending on the core (which depends on the adapters to wire them in).

mod counters;
mod event;
pub mod fake;
mod interaction;
mod outbound;
mod words;

pub use counters::UnreadableEvents;
pub use event::{Attachment, EventKind, InboundEvent, Membership, MessageBody, MessageKind, PollStart, Sender};
pub use interaction::{
    Button, ButtonStyle, CommandForm, CommandOption, CommandSpec, Control, FormField, FormText, Localized, Menu,
    MenuOption,
};
pub use outbound::{Delivered, FileUpload, Outbound, OutboundAction, Persona};
pub use words::{AdapterWords, Phrasebook};

use std::fmt;
use std::time::Duration;

/// Which chat network a room, user or event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Matrix,
    Discord,
}

impl Platform {
    /// The name stored in the database and shown to operators.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Matrix => "matrix",
            Platform::Discord => "discord",
        }
    }

    /// The platform's name as people write it: `Matrix`, `Discord`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Matrix => "Matrix",
            Platform::Discord => "Discord",
        }
    }

    /// Parses the stored name back.
    pub fn parse(name: &str) -> Option<Platform> {
        match name {
            "matrix" => Some(Platform::Matrix),
            "discord" => Some(Platform::Discord),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an adapter could not carry out an outbound action. The kind decides what the
/// delivery worker does next: wait and retry in place, or give up on this delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// The platform asked us to slow down; retry the same action after the delay.
    #[error("rate limited, retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    /// A network error or a 5xx: worth retrying with backoff.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The platform refused the action for good (unknown room, forbidden, too large).
    #[error("refused: {0}")]
    Permanent(String),
}

/// Why the core did not commit an inbound event. The adapter must not count the event as
/// seen; it will see it again on catch-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the core could not commit the event: {0}")]
pub struct SinkError(pub String);

/// What the core did with an inbound event it was handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// Recorded now, with whatever deliveries it causes.
    Recorded,
    /// Already recorded before (a replay after a crash or a reconnect); nothing changed.
    Duplicate,
    /// Not for the core (an unconfigured room, the bot's own echo); nothing recorded.
    Ignored,
}

/// The last event the core committed in a room: where an adapter resumes reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePoint {
    pub event_id: String,
    pub timestamp_ms: i64,
}

/// The core's side of the port: adapters call it for every event they receive, in order
/// per room, and count an event as seen only after `commit` returns `Ok`.
#[async_trait::async_trait]
pub trait EventSink: Send + Sync {
    /// Records an event (and whatever it causes) durably. Calling it twice for the same
    /// event is harmless: the second call answers [`Commit::Duplicate`].
    async fn commit(&self, event: InboundEvent) -> Result<Commit, SinkError>;

    /// Where reading resumes in a room after a restart or a lost connection; `None` when
    /// nothing was ever committed there.
    async fn resume_point(&self, platform: Platform, room: &str) -> Result<Option<ResumePoint>, SinkError>;

    /// Records where reading starts in a room the core has no position for yet (a room
    /// newly added to the config): history before it is not bridged, and what comes after
    /// it is not lost if the process stops before the first new event.
    async fn mark_start(&self, platform: Platform, room: &str, start: ResumePoint) -> Result<(), SinkError>;

    /// A person opened a direct room with the bot (on Matrix: invited it to a direct chat)
    /// and the adapter found them in one of the bot's rooms. `Ok(true)`: the core takes it,
    /// and the adapter reads it like any room from then on; `Ok(false)`: the core has no
    /// use for it (the adapter leaves it). The default takes none.
    async fn open_direct(&self, _platform: Platform, _room: &str, _user: &str) -> Result<bool, SinkError> {
        Ok(false)
    }

    /// The direct rooms the core keeps on a platform, as `(room, person)`: the adapter
    /// reads them again after a restart.
    async fn direct_rooms(&self, _platform: Platform) -> Result<Vec<(String, String)>, SinkError> {
        Ok(Vec::new())
    }

    /// The person left their direct room with the bot: nothing more goes there.
    async fn close_direct(&self, _platform: Platform, _room: &str) -> Result<(), SinkError> {
        Ok(())
    }
}

/// The adapter's side of the port, implemented once per platform.
#[async_trait::async_trait]
pub trait ChatAdapter: Send + Sync {
    /// The platform this adapter speaks to.
    fn platform(&self) -> Platform;

    /// Carries out one action. The adapter uses `outbound.idempotency_key` so that the same
    /// action given twice (after a crash between send and record) reaches the room once.
    async fn deliver(&self, outbound: &Outbound) -> Result<Delivered, ChatError>;

    /// What an earlier attempt at this action may have left in the room (the process
    /// stopped between sending and recording, or a send timed out after the platform took
    /// it): the room's copies that look like it and are no older than `since_ms` (epoch ms,
    /// when the action was first tried), oldest first. The core takes the first one that no
    /// recorded delivery claims, and sends again only when there is none.
    ///
    /// Platforms whose idempotency key already covers the action (a Matrix transaction id
    /// from the same device) have nothing to look for: the default finds nothing.
    async fn earlier_copies(&self, _outbound: &Outbound, _since_ms: i64) -> Result<Vec<Delivered>, ChatError> {
        Ok(Vec::new())
    }

    /// A room member as the platform knows them now: name, avatar, and the standing that
    /// permission checks use. `None` if they are not in the room.
    async fn member(&self, room: &str, user_id: &str) -> Result<Option<Member>, ChatError>;

    /// How many people are in the room besides the bot, as the platform counts them (the
    /// denominator of a survey's response rate). `None` where the platform does not say.
    async fn member_count(&self, _room: &str) -> Result<Option<u64>, ChatError> {
        Ok(None)
    }

    /// Who chose each answer of a poll the bot started, by their last vote until
    /// `until_ms` (epoch ms): `(answer id, user ids)` for each of `answers`. Read from the
    /// platform's own record (Discord's voter lists; the responses Matrix relates to the
    /// poll), so votes given or taken back while the bot was away count as cast. `None`
    /// where the platform keeps no such record.
    async fn poll_voters(
        &self,
        _room: &str,
        _poll: &str,
        _answers: &[String],
        _until_ms: i64,
    ) -> Result<Option<Vec<(String, Vec<String>)>>, ChatError> {
        Ok(None)
    }

    /// The bytes of an attachment this adapter reported (its `Attachment::url`).
    async fn fetch_media(&self, url: &str) -> Result<Vec<u8>, ChatError>;

    /// Registers the bot's commands where the platform has native ones (Discord slash
    /// commands), replacing what was registered before. Elsewhere commands are typed as
    /// text and there is nothing to do.
    async fn register_commands(&self, _commands: &[CommandSpec]) -> Result<(), ChatError> {
        Ok(())
    }
}

/// A room member, for attribution and permission checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Member {
    pub user_id: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    /// Matrix power level in the room (`i64::MAX` for a room creator in room version 12).
    pub power_level: Option<i64>,
    /// Discord role ids in the guild.
    pub roles: Vec<String>,
}
