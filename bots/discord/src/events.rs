//! What each gateway event means for the channel readers: a new message goes to its
//! channel's reader whole (committed from there when nothing can be missing before it,
//! see [`crate::gateway`]); edits, deletions, reactions, poll votes and interactions become
//! the port's events, handed to the reader of their channel so that they never overtake
//! the message they concern.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use magnet_chat::{EventKind, InboundEvent, Phrasebook, Platform, Sender, UnreadableEvents};
use serde::Deserialize;
use serde_json::Value;
use serenity::all::{ChannelId, Event, Interaction, MessageId, MessageUpdateEvent, Reaction, ReactionType, UserId};
use tokio::sync::mpsc;

use crate::convert;
use crate::interact;
use crate::reader::{Nudge, OwnIds};
use crate::rest::Rest;

/// Hands gateway events to the readers of the channels the bot serves.
pub struct EventRouter {
    pub readers: HashMap<u64, mpsc::UnboundedSender<Nudge>>,
    pub own: Arc<OwnIds>,
    pub rest: Arc<Rest>,
    /// Where events that cannot be read are counted, for `/metrics`.
    pub unreadable: UnreadableEvents,
    pub occurrences: AtomicU64,
    /// What the adapter says by itself, in the language of the person's client.
    pub phrases: Arc<Phrasebook>,
    /// The commands that open a form, and the forms open.
    pub forms: Arc<crate::forms::CommandForms>,
}

impl EventRouter {
    /// A new gateway session, or a gap in the sequence: what happened meanwhile is not
    /// known, so every channel is read from its committed position.
    pub fn read_every_channel(&self) {
        for reader in self.readers.values() {
            let _ = reader.send(Nudge::Read);
        }
    }

    /// A MESSAGE_CREATE: the message as the gateway sent it, and whether every dispatch
    /// before it arrived (then its reader may commit it without reading the channel).
    pub fn message_created(&self, message: Value, continuous: bool) {
        let Some(channel) = message["channel_id"].as_str().and_then(|c| c.parse::<u64>().ok()) else {
            self.unreadable("MESSAGE_CREATE", &message);
            return;
        };
        let Some(reader) = self.readers.get(&channel) else {
            return;
        };
        let nudge = if continuous {
            Nudge::Message(Box::new(message))
        } else {
            Nudge::Read
        };
        let _ = reader.send(nudge);
    }

    /// Any other dispatch, read with serenity's models.
    pub fn dispatched(&self, event_type: &str, data: Value) {
        let framed = serde_json::json!({"t": event_type, "d": data});
        let event = match Event::deserialize(&framed) {
            Ok(Event::Unknown(unknown)) => return self.unreadable(&unknown.kind, &unknown.value),
            Ok(event) => event,
            Err(_) => return self.unreadable(event_type, &framed["d"]),
        };
        match event {
            Event::MessageUpdate(update) => self.message_updated(update),
            Event::MessageDelete(deleted) => self.deleted(deleted.channel_id, deleted.message_id),
            Event::MessageDeleteBulk(deleted) => {
                for message in deleted.ids {
                    self.deleted(deleted.channel_id, message);
                }
            }
            Event::ReactionAdd(added) => self.reaction(added.reaction, true),
            Event::ReactionRemove(removed) => self.reaction(removed.reaction, false),
            Event::MessagePollVoteAdd(vote) => self.vote(
                vote.channel_id,
                vote.message_id,
                vote.user_id,
                vote.answer_id.get(),
                true,
            ),
            Event::MessagePollVoteRemove(vote) => self.vote(
                vote.channel_id,
                vote.message_id,
                vote.user_id,
                vote.answer_id.get(),
                false,
            ),
            Event::InteractionCreate(created) => self.interaction(created.interaction),
            _ => {}
        }
    }

    /// A dispatch serenity's models cannot read (a type they do not know, or a payload
    /// without a field they insist on): a WARN and a count in `/metrics`, so that a change
    /// in Discord's API shows before people miss what it dropped. One that names a channel
    /// makes that channel's reader list it at once, so a new message is bridged all the same.
    fn unreadable(&self, event_type: &str, payload: &Value) {
        let channel = payload["channel_id"].as_str().and_then(|c| c.parse::<u64>().ok());
        if let Some(reader) = channel.and_then(|c| self.readers.get(&c)) {
            let _ = reader.send(Nudge::Read);
        }
        self.unreadable.count(Platform::Discord, event_type);
        let total = self.unreadable.get(Platform::Discord, event_type);
        // The payload can hold people's messages: at DEBUG only.
        tracing::debug!(event = %event_type, %payload, "discord: the unreadable gateway event");
        tracing::warn!(event = %event_type, total, "discord: could not read a gateway event; it was dropped (has Discord's API changed?)");
    }

    fn event(&self, channel: ChannelId, event_id: String, sender: Sender, kind: EventKind) {
        let Some(reader) = self.readers.get(&channel.get()) else {
            return;
        };
        let event = InboundEvent {
            platform: Platform::Discord,
            room: channel.get().to_string(),
            event_id,
            sender,
            timestamp_ms: now_ms(),
            kind,
        };
        let _ = reader.send(Nudge::Event(Box::new(event)));
    }

    fn message_updated(&self, update: MessageUpdateEvent) {
        let Some(content) = update.content else { return };
        let Some(author) = update.author else { return };
        let webhook = update.webhook_id.flatten().map(|w| w.get());
        let application = update.application_id.flatten().map(|a| a.get());
        if self.own.view(|own| own.wrote(author.id.get(), webhook, application)) {
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
            locale: None,
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

    fn deleted(&self, channel: ChannelId, message: MessageId) {
        self.event(
            channel,
            message.get().to_string(),
            unknown_sender(String::new()),
            EventKind::Delete {
                target: message.get().to_string(),
            },
        );
    }

    /// Acknowledged within Discord's 3 seconds in a task of its own, so that the gateway is
    /// read on meanwhile; the core gets the interaction once it is acknowledged.
    fn interaction(&self, interaction: Interaction) {
        let Some(channel) = interact::channel_of(&interaction) else {
            return;
        };
        let rest = self.rest.clone();
        let phrases = self.phrases.clone();
        let forms = self.forms.clone();
        let Some(reader) = self.readers.get(&channel).cloned() else {
            // Not a bridged channel (commands are registered per guild): say so at once.
            tokio::spawn(async move {
                let _ = interact::decline(&rest, &interaction, &phrases).await;
            });
            return;
        };
        tokio::spawn(async move {
            match interact::acknowledge(&rest, &interaction, &phrases, &forms).await {
                Ok(interact::Acknowledged::Event(understood)) => {
                    let understood = *understood;
                    let event = InboundEvent {
                        platform: Platform::Discord,
                        room: understood.channel.to_string(),
                        event_id: understood.event_id,
                        sender: understood.sender,
                        timestamp_ms: now_ms(),
                        kind: understood.kind,
                    };
                    let _ = reader.send(Nudge::Event(Box::new(event)));
                }
                Ok(interact::Acknowledged::Handled) => {}
                Ok(interact::Acknowledged::Expired) => {
                    tracing::warn!(interaction = %interaction.id(), "discord: an interaction expired before it was acknowledged; not acting on it");
                }
                Err(error) => {
                    tracing::warn!(interaction = %interaction.id(), %error, "discord: could not acknowledge an interaction; not acting on it");
                }
            }
        });
    }

    /// Reactions and votes carry no id of their own. Each sighting gets a new one (the time
    /// and a counter: two in the same millisecond stay two); a sighting replayed after a
    /// RESUME is then a second event, which the core reads as "still added" or "still
    /// removed" and does nothing with.
    fn occurrence(&self) -> String {
        let n = self.occurrences.fetch_add(1, Ordering::Relaxed);
        format!("{}.{n}", now_ms())
    }

    fn vote(&self, channel: ChannelId, message: MessageId, user: UserId, answer: u64, added: bool) {
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
            locale: None,
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
        locale: None,
    }
}
