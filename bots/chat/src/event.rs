//! Inbound events: what an adapter saw in a room, in neutral form.

use serde::{Deserialize, Serialize};

use crate::Platform;

/// One thing that happened in a room, as an adapter hands it to the core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundEvent {
    pub platform: Platform,
    /// The platform's room or channel id.
    pub room: String,
    /// The platform's id for this event. Together with `platform`, `room` and the kind's
    /// [`EventKind::dedup_kind`] it identifies the event, so a second sight changes nothing.
    pub event_id: String,
    pub sender: Sender,
    /// Server timestamp, milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    pub kind: EventKind,
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// The platform's user id (Matrix user id, Discord user snowflake).
    pub id: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// The language the person's client is set to, where the platform says (a Discord
    /// interaction's `locale`, e.g. `tr`): answers only they see may follow it.
    #[serde(default)]
    pub locale: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    Message(MessageBody),
    Edit {
        target: String,
        body: MessageBody,
    },
    Delete {
        target: String,
    },
    ReactionAdded {
        target: String,
        key: String,
    },
    ReactionRemoved {
        target: String,
        key: String,
    },
    /// A poll was started (Matrix MSC3381 / `m.poll.start`, Discord native poll).
    PollStart(PollStart),
    /// Someone chose answers in a poll; an empty list withdraws their vote (Matrix sends
    /// the whole choice each time).
    PollResponse {
        poll: String,
        answers: Vec<String>,
    },
    /// Someone added or withdrew one answer (Discord sends one event per answer).
    PollVote {
        poll: String,
        answer: String,
        added: bool,
    },
    /// A poll was closed.
    PollEnd {
        poll: String,
    },
    /// A native command (a Discord slash command): `path` is the command and its
    /// sub-commands (`["magnet", "meeting", "add"]`), `options` the values given by name.
    /// `interaction` is the handle to answer with [`crate::OutboundAction::Respond`].
    Command {
        path: Vec<String>,
        options: Vec<(String, String)>,
        interaction: String,
    },
    /// Someone clicked a button or chose from a menu under one of the bot's messages.
    /// `values` are the menu values chosen (empty for a button).
    ControlUsed {
        message: String,
        control: String,
        values: Vec<String>,
        interaction: String,
    },
    /// Someone answered the text a button asked for ([`crate::Button::asks_text`]).
    FormSubmitted {
        message: Option<String>,
        form: String,
        fields: Vec<(String, String)>,
        interaction: String,
    },
    /// Someone joined, left, was invited to or banned from the room.
    Membership {
        user_id: String,
        membership: Membership,
    },
}

/// A poll as started on a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollStart {
    pub question: String,
    /// Answer ids (as the platform names them) with their texts.
    pub answers: Vec<(String, String)>,
    /// How many answers one person may choose.
    pub max_selections: u32,
    /// Whether results are shown before the poll ends.
    pub disclosed: bool,
    /// Outbound: when the poll is to end (epoch ms), for platforms whose polls have a
    /// duration (Discord); the bot ends it itself at the deadline too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at_ms: Option<i64>,
}

/// A room membership state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Membership {
    Join,
    Leave,
    Invite,
    Ban,
    Knock,
}

impl EventKind {
    /// The kind part of the event's unique key. Discord reuses a message's id for its
    /// edits and deletion, so the id alone does not tell two events apart.
    pub fn dedup_kind(&self) -> &'static str {
        match self {
            EventKind::Message(_) => "message",
            EventKind::Edit { .. } => "edit",
            EventKind::Delete { .. } => "delete",
            EventKind::ReactionAdded { .. } => "reaction",
            EventKind::ReactionRemoved { .. } => "unreaction",
            EventKind::PollStart(_) => "poll_start",
            EventKind::PollResponse { .. } => "poll_response",
            EventKind::PollVote { added: true, .. } => "poll_vote",
            EventKind::PollVote { added: false, .. } => "poll_unvote",
            EventKind::PollEnd { .. } => "poll_end",
            EventKind::Command { .. } => "command",
            EventKind::ControlUsed { .. } => "control",
            EventKind::FormSubmitted { .. } => "form",
            EventKind::Membership { .. } => "membership",
        }
    }
}

/// The body of a message, as both platforms can express it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MessageBody {
    pub kind: MessageKind,
    /// Plain text (Matrix `body`, Discord content).
    pub text: String,
    /// Formatted HTML where the source had it (Matrix `formatted_body`).
    pub html: Option<String>,
    /// The event this message replies to, as a remote id in the same room.
    pub reply_to: Option<String>,
    pub attachments: Vec<Attachment>,
    /// The people the text mentions, by the platform's id, with the name shown for them
    /// (Discord writes `<@id>` in the text; the core shows the name on the other side).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<(String, String)>,
    /// The message pings the whole room (Discord `@everyone`/`@here` that Discord let
    /// through; Matrix `@room`). Outbound: ping the room, which the core asks only when the
    /// sender had the right and the pillar allows it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pings_room: bool,
}

/// How a message is meant to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MessageKind {
    #[default]
    Text,
    Notice,
    Emote,
}

/// A file attached to a message. The core fetches the bytes through the adapter when it
/// needs them; here it is only described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
    /// Where the adapter can fetch it (mxc:// URI, Discord CDN URL).
    pub url: String,
}
