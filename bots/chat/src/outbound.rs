//! Outbound actions: what the core asks an adapter to do in one room.

use serde::{Deserialize, Serialize};

use crate::{Control, MessageBody, PollStart};

/// One action in one room, with the key that makes a repeat of it harmless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outbound {
    /// Derived from the core's delivery id; the adapter turns it into a Matrix
    /// transaction id or a Discord nonce.
    pub idempotency_key: String,
    /// The platform's room or channel id.
    pub room: String,
    pub action: OutboundAction,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OutboundAction {
    /// Post a message, as the bot itself or on behalf of a bridged person.
    Send {
        body: MessageBody,
        persona: Option<Persona>,
    },
    /// Replace the text of a message this bot sent earlier.
    Edit { target: String, body: MessageBody },
    /// Remove a message this bot sent earlier.
    Delete { target: String },
    /// React to a message in the room.
    React { target: String, key: String },
    /// Takes back a reaction the bot made: `reaction` is its remote id where the platform
    /// needs one (Matrix redacts the reaction event; Discord removes the bot's emoji).
    Unreact {
        target: String,
        key: String,
        reaction: Option<String>,
    },
    /// Upload a file and post it, with an optional caption. The bytes are fetched from the
    /// source platform when the delivery is carried out, never stored.
    SendFile {
        file: FileUpload,
        caption: Option<String>,
        persona: Option<Persona>,
    },
    /// Start a native poll. `fallback_text` is also posted as plain text for clients that
    /// cannot show polls.
    StartPoll {
        poll: PollStart,
        fallback_text: Option<String>,
    },
    /// Close a poll this bot started, with the results as text.
    EndPoll { target: String, results_text: String },
    /// A bot message with controls under it (buttons, menus). Platforms without controls
    /// send the body alone.
    SendControls { body: MessageBody, controls: Vec<Control> },
    /// The answer to an interaction (a command, a click, a form): `private` answers are
    /// seen by the person who acted only. Only for platforms that report interactions.
    Respond {
        interaction: String,
        body: MessageBody,
        private: bool,
    },
}

/// A file to upload.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileUpload {
    pub name: String,
    pub mime_type: Option<String>,
    #[serde(skip)]
    pub data: Vec<u8>,
}

impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("name", &self.name)
            .field("mime_type", &self.mime_type)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// The person a relayed message is shown as coming from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Persona {
    pub display_name: String,
    pub avatar_url: Option<String>,
}

/// What the platform answered for a carried-out action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// The id of the created or changed event (Matrix event id, Discord message id).
    pub remote_id: String,
}
