//! Where an inbound event goes: one delivery per other active room of the same pillar,
//! never another pillar's. Edits, deletions and reactions go only where the message they
//! concern was bridged (found through the id map); events about messages from before the
//! bridge, and echoes of the bot's own deletions, go nowhere.

use magnet_chat::{EventKind, InboundEvent, MessageBody, PollStart};

use super::payload::{Author, Payload};
use crate::store::{NewDelivery, ReactionChange, RoomRow, Store};

/// The deliveries an event causes, whether it starts a bridged message, and the reaction
/// it makes or takes back in its own room (recorded with the event).
#[derive(Debug, Default)]
pub struct Route {
    pub starts_message: bool,
    pub deliveries: Vec<NewDelivery>,
    pub reaction: Option<ReactionChange>,
}

/// `ping_room`: the message pings its room and that may cross (checked by the caller).
pub async fn plan(
    store: &Store,
    source: &RoomRow,
    event: &InboundEvent,
    ping_room: bool,
) -> crate::store::Result<Route> {
    let Some(pillar) = &source.pillar_id else {
        // A secretariat room outside every pillar: nothing is bridged from it.
        return Ok(Route::default());
    };
    let targets: Vec<RoomRow> = store
        .pillar_rooms(pillar)
        .await?
        .into_iter()
        .filter(|room| room.id != source.id)
        .collect();
    let author = Author {
        platform: event.platform,
        id: event.sender.id.clone(),
        name: event.sender.display_name.clone(),
        avatar_url: event.sender.avatar_url.clone(),
    };
    // The bridged message an event is about, if it was bridged.
    let about = |remote: String| async move { store.message_for_remote(source.id, &remote).await };
    let mut reaction = None;
    let (starts_message, message_id, payload) = match &event.kind {
        EventKind::Message(body) => {
            if body.text.trim().is_empty() && body.attachments.is_empty() {
                return Ok(Route::default());
            }
            let reply_to = match &body.reply_to {
                Some(remote) => about(remote.clone()).await?,
                None => None,
            };
            let body = MessageBody {
                reply_to: None,
                pings_room: false,
                ..body.clone()
            };
            (
                true,
                None,
                Payload::Relay {
                    author,
                    body,
                    reply_to,
                    ping_room,
                },
            )
        }
        EventKind::PollStart(poll) => {
            let body = MessageBody {
                text: poll_as_text(poll),
                ..Default::default()
            };
            (
                true,
                None,
                Payload::Relay {
                    author,
                    body,
                    reply_to: None,
                    ping_room: false,
                },
            )
        }
        EventKind::Edit { target, body } => {
            let Some(message) = about(target.clone()).await? else {
                return Ok(Route::default());
            };
            let body = MessageBody {
                reply_to: None,
                ..body.clone()
            };
            (false, Some(message), Payload::Edit { author, body })
        }
        EventKind::Delete { target } => {
            // A deleted message first: the bot's reaction on it may be recorded with a
            // remote id of its own, but a message is never a reaction.
            if let Some(message) = about(target.clone()).await? {
                if store.deletion_planned(message).await? {
                    return Ok(Route::default());
                }
                (false, Some(message), Payload::Delete)
            } else if let Some((message, _, key)) = store.reaction_for_remote(source.id, target).await? {
                // A redacted Matrix reaction is a reaction taken back (once).
                if !store.has_reaction(message, source.id, &author.key(), &key).await? {
                    return Ok(Route::default());
                }
                reaction = Some(ReactionChange::Forget {
                    message_id: message,
                    room_id: source.id,
                    sender: author.key(),
                    key: key.clone(),
                });
                (false, Some(message), Payload::Unreact { author, key })
            } else {
                return Ok(Route::default());
            }
        }
        EventKind::ReactionAdded { target, key } => {
            let Some(message) = about(target.clone()).await? else {
                return Ok(Route::default());
            };
            // Remembered where it was made (with the event), so taking it back finds it.
            // Already there: a replay (Discord reactions have no ids), nothing new.
            if store.has_reaction(message, source.id, &author.key(), key).await? {
                return Ok(Route::default());
            }
            reaction = Some(ReactionChange::Record {
                message_id: message,
                room_id: source.id,
                sender: author.key(),
                key: key.clone(),
                remote_id: event.event_id.clone(),
                by_bot: false,
            });
            let key = key.clone();
            (false, Some(message), Payload::React { author, key })
        }
        EventKind::ReactionRemoved { target, key } => {
            let Some(message) = about(target.clone()).await? else {
                return Ok(Route::default());
            };
            if !store.has_reaction(message, source.id, &author.key(), key).await? {
                // Not there: taken back before (a replay), or never seen.
                return Ok(Route::default());
            }
            reaction = Some(ReactionChange::Forget {
                message_id: message,
                room_id: source.id,
                sender: author.key(),
                key: key.clone(),
            });
            let key = key.clone();
            (false, Some(message), Payload::Unreact { author, key })
        }
        _ => return Ok(Route::default()),
    };
    let deliveries = targets
        .iter()
        .map(|room| NewDelivery {
            room_id: room.id,
            action: payload.action().to_string(),
            message_id,
            payload: payload.to_json(),
        })
        .collect();
    Ok(Route {
        starts_message,
        deliveries,
        reaction,
    })
}

/// A poll from a platform the other side cannot vote on natively (yet): its question and
/// answers as text.
fn poll_as_text(poll: &PollStart) -> String {
    let mut text = format!("📊 {}", poll.question);
    for (n, (_, answer)) in poll.answers.iter().enumerate() {
        text.push_str(&format!("\n{}. {answer}", n + 1));
    }
    text
}
