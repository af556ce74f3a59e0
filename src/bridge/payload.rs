//! What a pending delivery keeps until it is sent: the relay in neutral form (who wrote
//! it, on which platform, what they wrote), not yet rendered for the target. Rendering at
//! send time keeps the stored payload small and makes a resend produce the same text, which
//! is what lets a redelivery find the earlier attempt.
//!
//! Targets of edits, deletions, reactions and replies are bridged message ids (the id map),
//! resolved to the copy in the target room when the delivery is sent.

use magnet_chat::{MessageBody, OutboundAction, Platform};
use serde::{Deserialize, Serialize};

/// The person a relay speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub platform: Platform,
    pub id: String,
    pub name: String,
    pub avatar_url: Option<String>,
}

/// One delivery's work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Payload {
    /// A message relayed from another room of the pillar. Its files are fetched from
    /// `source_room`'s platform when sent.
    Relay {
        author: Author,
        body: MessageBody,
        /// The bridged message it replies to.
        reply_to: Option<i64>,
        /// Ping the target room (the sender pinged theirs, with the right, and the pillar
        /// allows it).
        #[serde(default)]
        ping_room: bool,
    },
    /// The relayed copy follows an edit (the delivery's message is the one edited).
    Edit { author: Author, body: MessageBody },
    /// The relayed copy is deleted.
    Delete,
    /// A reaction to the relayed copy.
    React { author: Author, key: String },
    /// The author took their reaction back.
    Unreact { author: Author, key: String },
    /// Something the bot says itself (a command's answer), as it is to be sent.
    Direct(OutboundAction),
    /// A meeting reminder, rendered when sent (RSVP counts as they are then).
    Reminder { reminder: i64 },
    /// A survey's own message (`part` 0) or a question's poll, rendered when sent in the
    /// room's language.
    SurveyPost { survey: i64, part: i64 },
    /// The reminder before a survey's deadline, with the count of answers then.
    SurveyNudge { survey: i64 },
    /// The end of a survey's poll in the room (`part` is the poll's), once it closed.
    SurveyPollEnd { survey: i64, part: i64 },
    /// The results of a closed survey, as counted when sent.
    SurveyResults { survey: i64 },
    /// A survey was cancelled.
    SurveyCancelled { survey: i64 },
    /// A published summary (the version it was queued for), in one of its pillar's rooms.
    Summary { summary: i64, version: i64 },
    /// A rapporteur's draft, in one of the secretariat's rooms.
    SummaryDraft { summary: i64 },
    /// That a summary was withdrawn.
    SummaryWithdrawn { summary: i64 },
    /// An action's reminder to its owner, in one of its pillar's rooms.
    ActionReminder { action: i64 },
    /// A report: its short text, then its HTML file (read from where the run wrote them).
    Report { run: i64 },
}

impl Author {
    /// Who reacted, as the reactions table keeps it.
    pub fn key(&self) -> String {
        format!("{}:{}", self.platform, self.id)
    }
}

impl Payload {
    /// The `action` column of the delivery.
    pub fn action(&self) -> &'static str {
        match self {
            Payload::Relay { .. }
            | Payload::Direct(_)
            | Payload::Reminder { .. }
            | Payload::SurveyPost { .. }
            | Payload::SurveyNudge { .. }
            | Payload::SurveyPollEnd { .. }
            | Payload::SurveyResults { .. }
            | Payload::SurveyCancelled { .. }
            | Payload::Summary { .. }
            | Payload::SummaryDraft { .. }
            | Payload::SummaryWithdrawn { .. }
            | Payload::ActionReminder { .. }
            | Payload::Report { .. } => "send",
            Payload::Edit { .. } => "edit",
            Payload::Delete => "delete",
            Payload::React { .. } => "react",
            Payload::Unreact { .. } => "unreact",
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("payloads serialize")
    }

    /// This payload as a new delivery to each of `rooms` (not about a bridged message).
    pub fn to_rooms(&self, rooms: impl IntoIterator<Item = i64>) -> Vec<crate::store::NewDelivery> {
        rooms
            .into_iter()
            .map(|room_id| crate::store::NewDelivery {
                room_id,
                action: self.action().to_string(),
                message_id: None,
                payload: self.to_json(),
            })
            .collect()
    }

    pub fn from_json(text: &str) -> Result<Payload, String> {
        serde_json::from_str(text).map_err(|error| format!("unreadable delivery payload: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_survive_the_database() {
        let author = Author {
            platform: Platform::Discord,
            id: "42".into(),
            name: "Ayşe".into(),
            avatar_url: None,
        };
        let relay = Payload::Relay {
            author: author.clone(),
            body: MessageBody {
                text: "merhaba **dünya**".into(),
                ..Default::default()
            },
            reply_to: Some(7),
            ping_room: false,
        };
        for payload in [
            relay,
            Payload::Delete,
            Payload::React {
                author,
                key: "👍".into(),
            },
        ] {
            assert_eq!(Payload::from_json(&payload.to_json()).unwrap(), payload);
        }
        assert!(Payload::from_json("{").is_err());
    }
}
