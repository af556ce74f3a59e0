//! Outbound actions: what the core asks an adapter to do in one room.

use serde::{Deserialize, Serialize};

use crate::MessageBody;

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
