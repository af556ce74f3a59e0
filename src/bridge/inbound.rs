//! The core's implementation of the port's [`EventSink`]: each inbound event is recorded
//! once, together with the deliveries it causes and the room's new position, in one
//! transaction, before the adapter counts it as seen. Commands are answered instead of
//! relayed; their answer is a delivery of the same transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The power level Matrix clients and servers ask for an @room by default.
const ROOM_PING_POWER: i64 = 50;

use magnet_chat::{
    Commit, EventKind, EventSink, InboundEvent, Membership, MessageBody, MessageKind, OutboundAction, Platform,
    ResumePoint, SinkError,
};

use super::payload::Payload;
use super::{Platforms, format, route};
use crate::command::{self, CommandContext, Invoker, UsageError};
use crate::config::{Config, Secretariat};
use crate::i18n::Lang;
use crate::store::{InboundRecord, NewDelivery, Recorded, RoomRow, Store};
use crate::summary::commands::SummarySettings;
use crate::survey::commands::SurveySettings;

/// Commits inbound events to the store and rings the workers of the rooms they go to.
#[derive(Clone)]
pub struct StoreSink {
    store: Store,
    platforms: Platforms,
    secretariat: Arc<Secretariat>,
    /// The pillars whose config lets room-wide pings cross.
    room_pings: Arc<HashSet<String>>,
    /// Each pillar's default reminder offsets, in seconds.
    reminder_defaults: Arc<HashMap<String, Vec<i64>>>,
    /// Each pillar's language.
    languages: Arc<HashMap<String, Lang>>,
    surveys: Arc<SurveySettings>,
    summaries: Arc<SummarySettings>,
    reports: Arc<crate::config::Reports>,
}

impl StoreSink {
    pub fn new(store: Store, platforms: Platforms, config: &Config) -> StoreSink {
        StoreSink {
            store,
            platforms,
            secretariat: Arc::new(config.secretariat.clone()),
            room_pings: Arc::new(
                config
                    .pillars
                    .iter()
                    .filter(|p| p.allow_room_pings)
                    .map(|p| p.id.clone())
                    .collect(),
            ),
            reminder_defaults: Arc::new(
                config
                    .pillars
                    .iter()
                    .map(|p| {
                        let offsets = crate::schedule::meetings::default_offsets(&p.reminder_offsets);
                        (p.id.clone(), offsets)
                    })
                    .collect(),
            ),
            languages: Arc::new(config.pillars.iter().map(|p| (p.id.clone(), p.lang())).collect()),
            surveys: Arc::new(SurveySettings::from_config(&config.surveys)),
            summaries: Arc::new(SummarySettings::from_config(config)),
            reports: Arc::new(config.reports.clone()),
        }
    }

    /// The language the bot speaks in a room: its pillar's, or the secretariat's.
    fn room_lang(&self, room: &RoomRow) -> Lang {
        match &room.pillar_id {
            Some(pillar) => self.languages.get(pillar).copied().unwrap_or_default(),
            None => self.secretariat.lang(),
        }
    }

    /// The language to speak with someone in their direct room: that of the (first) of
    /// their pillars, or the secretariat's.
    fn person_lang(&self, pillars: &[String]) -> Lang {
        pillars
            .first()
            .and_then(|pillar| self.languages.get(pillar).copied())
            .unwrap_or_else(|| self.secretariat.lang())
    }

    /// Whether a message's room-wide ping may cross: the pillar allows it, and the sender
    /// had the right in their own room (Discord decided that already; on Matrix it takes
    /// the power level clients ask for an @room, 50 by default).
    async fn ping_crosses(&self, room: &RoomRow, event: &InboundEvent) -> bool {
        let EventKind::Message(body) = &event.kind else {
            return false;
        };
        if !body.pings_room || !room.pillar_id.as_ref().is_some_and(|p| self.room_pings.contains(p)) {
            return false;
        }
        match event.platform {
            Platform::Discord => true,
            Platform::Matrix => {
                let Some(adapter) = self.platforms.get(Platform::Matrix) else {
                    return false;
                };
                match adapter.member(&event.room, &event.sender.id).await {
                    Ok(Some(member)) => member.power_level.is_some_and(|level| level >= ROOM_PING_POWER),
                    _ => false,
                }
            }
        }
    }

    /// The answer a vote on one of a survey's polls gives: the whole choice on Matrix, one
    /// answer added or taken back on Discord (applied to the person's current answer).
    async fn poll_answer(&self, room: &RoomRow, event: &InboundEvent) -> Result<Option<command::Command>, SinkError> {
        let (poll, change) = match &event.kind {
            EventKind::PollResponse { poll, answers } => (poll, PollChange::Whole(answers)),
            EventKind::PollVote { poll, answer, added } => (poll, PollChange::One(answer, *added)),
            _ => return Ok(None),
        };
        let Some((survey, question)) = crate::survey::commands::poll_question(&self.store, room.id, poll)
            .await
            .map_err(internal)?
        else {
            // A vote can come in before the poll's delivery is marked made: then it waits
            // (the adapter offers it again) rather than be taken for someone else's poll.
            if self.store.survey_poll_unrecorded(room.id).await.map_err(internal)? {
                return Err(SinkError(format!(
                    "a vote on {poll} waits for a survey poll being posted"
                )));
            }
            return Ok(None);
        };
        // Poll answers are named by their number, 1 up.
        let index = |id: &String| id.parse::<usize>().ok().filter(|n| *n >= 1).map(|n| n - 1);
        let chosen: Vec<usize> = match change {
            PollChange::Whole(answers) => answers.iter().filter_map(index).collect(),
            PollChange::One(answer, added) => {
                let current = self
                    .store
                    .answer_of(question.id, event.platform, &event.sender.id)
                    .await
                    .map_err(internal)?;
                let mut chosen = match current {
                    Some(crate::survey::spec::Answer::Choices(chosen)) => chosen,
                    _ => Vec::new(),
                };
                if let Some(n) = index(answer) {
                    chosen.retain(|c| *c != n);
                    if added {
                        // On a single choice, the vote is the choice (whatever the person
                        // chose on the other platform before).
                        if question.question.max_choices <= 1 {
                            chosen.clear();
                        }
                        chosen.push(n);
                    }
                }
                chosen
            }
        };
        Ok(Some(command::Command::SurveyControl {
            survey,
            question: question.position,
            values: chosen.iter().map(usize::to_string).collect(),
            written: false,
            by_poll: true,
        }))
    }

    /// The RSVP a reaction gives, if it is one of the answer reactions on a reminder.
    async fn reaction_answer(
        &self,
        room: &RoomRow,
        event: &InboundEvent,
    ) -> Result<Option<command::Command>, SinkError> {
        let EventKind::ReactionAdded { target, key } = &event.kind else {
            return Ok(None);
        };
        let Some(answer) = crate::schedule::render::answer_by_reaction(key).and_then(command::Answer::parse) else {
            return Ok(None);
        };
        let occurrence = self
            .store
            .reminded_occurrence(room.id, target)
            .await
            .map_err(internal)?;
        Ok(occurrence.map(|occurrence| command::Command::RsvpButton { occurrence, answer }))
    }

    async fn active_room(&self, platform: Platform, room: &str) -> Result<Option<RoomRow>, SinkError> {
        let row = self.store.room(platform, room).await.map_err(internal)?;
        Ok(row.filter(|row| row.active))
    }

    /// A refusal of a quiet answer (a vote, a reaction), said where only the person sees
    /// it: their direct room with the bot, if they have one (Discord's polls and buttons
    /// refuse by themselves). A vote cast before its survey's deadline but read after it
    /// gets no word: the close counted it from the poll's own record.
    async fn private_word(
        &self,
        event: &InboundEvent,
        voted_in: Option<i64>,
        text: String,
    ) -> Result<Vec<NewDelivery>, SinkError> {
        if let Some(survey) = voted_in
            && let Some(survey) = self.store.survey(survey).await.map_err(internal)?
            && event.timestamp_ms < survey.closes_at
        {
            return Ok(Vec::new());
        }
        let Some(direct) = self
            .store
            .direct_room_of(event.platform, &event.sender.id)
            .await
            .map_err(internal)?
        else {
            tracing::info!(platform = %event.platform, event = %event.event_id, "a quiet answer was refused; the person has no direct room with the bot to be told in");
            return Ok(Vec::new());
        };
        let html = match event.platform {
            Platform::Matrix => Some(format::discord_to_matrix_html(&text, &|_| None)),
            Platform::Discord => None,
        };
        let word = Payload::Direct(OutboundAction::Send {
            body: MessageBody {
                kind: MessageKind::Notice,
                text,
                html,
                ..Default::default()
            },
            persona: None,
        });
        Ok(vec![NewDelivery {
            room_id: direct.id,
            action: word.action().to_string(),
            message_id: None,
            payload: word.to_json(),
        }])
    }

    /// The answer to a command, as a delivery back to where it was asked.
    async fn answer(
        &self,
        room: &RoomRow,
        event: &InboundEvent,
        parsed: Result<command::Command, UsageError>,
    ) -> (command::Reply, Payload) {
        let slash = matches!(
            event.kind,
            EventKind::Command { .. } | EventKind::ControlUsed { .. } | EventKind::FormSubmitted { .. }
        );
        // In a direct room: the pillars whose rooms the person is in (looked up once, for the
        // language here and what the command may see).
        let member_of = match room.direct_with {
            Some(_) => Some(
                command::member_pillars(&self.store, &self.platforms, event.platform, &event.sender.id)
                    .await
                    .unwrap_or_default(),
            ),
            None => None,
        };
        // An answer only the asker sees follows their client's language where the bot
        // speaks it; one the room sees is in the room's language.
        let answer_lang = match event
            .sender
            .locale
            .as_deref()
            .filter(|_| slash)
            .and_then(Lang::from_tag)
        {
            Some(lang) => lang,
            None if let Some(pillars) = &member_of => self.person_lang(pillars),
            None => self.room_lang(room),
        };
        let reply = match parsed {
            Ok(command) => {
                let context = CommandContext {
                    store: &self.store,
                    platforms: &self.platforms,
                    secretariat: &self.secretariat,
                    reminder_defaults: &self.reminder_defaults,
                    surveys: &self.surveys,
                    summaries: &self.summaries,
                    reports: &self.reports,
                };
                let invoker = Invoker {
                    platform: event.platform,
                    room: &event.room,
                    user: &event.sender.id,
                    name: &event.sender.display_name,
                    event: &event.event_id,
                    slash,
                    private: slash || room.direct_with.is_some(),
                    member_of: member_of.as_deref(),
                    lang: answer_lang,
                };
                command::execute(&command, &context, &invoker).await
            }
            Err(error) => command::Reply {
                text: error.render(answer_lang),
                refused: true,
            },
        };
        let text = reply.text.clone();
        let action = match &event.kind {
            EventKind::Command { interaction, .. }
            | EventKind::ControlUsed { interaction, .. }
            | EventKind::FormSubmitted { interaction, .. } => OutboundAction::Respond {
                interaction: interaction.clone(),
                body: MessageBody {
                    text,
                    ..Default::default()
                },
                private: true,
            },
            _ => {
                let html = match event.platform {
                    Platform::Matrix => Some(format::discord_to_matrix_html(&text, &|_| None)),
                    Platform::Discord => None,
                };
                OutboundAction::Send {
                    body: MessageBody {
                        kind: MessageKind::Notice,
                        text,
                        html,
                        reply_to: Some(event.event_id.clone()),
                        attachments: Vec::new(),
                        mentions: Vec::new(),
                        pings_room: false,
                    },
                    persona: None,
                }
            }
        };
        (reply, Payload::Direct(action))
    }
}

/// What a vote on a poll says.
enum PollChange<'a> {
    /// The whole choice (Matrix); empty withdraws.
    Whole(&'a [String]),
    /// One answer added or taken back (Discord).
    One(&'a String, bool),
}

/// The command an event carries, if it is one. In a direct room every message is one.
fn command_in(event: &InboundEvent, direct: bool) -> Option<Result<command::Command, UsageError>> {
    match &event.kind {
        EventKind::Message(body) if direct => Some(command::parse_direct(&body.text)),
        EventKind::Message(body) => command::parse_text(&body.text),
        EventKind::Command { path, options, .. } => Some(command::parse_slash(path, options)),
        EventKind::ControlUsed { control, values, .. } if control.starts_with("survey:") => {
            let (survey, question) = crate::survey::render::parse_control_id(control)?;
            Some(Ok(command::Command::SurveyControl {
                survey,
                question,
                values: values.clone(),
                written: false,
                by_poll: false,
            }))
        }
        EventKind::FormSubmitted { form, fields, .. } => {
            let (survey, question) = crate::survey::render::parse_control_id(form)?;
            Some(Ok(command::Command::SurveyControl {
                survey,
                question,
                values: fields.iter().map(|(_, text)| text.clone()).take(1).collect(),
                written: true,
                by_poll: false,
            }))
        }
        EventKind::ControlUsed { control, .. } => {
            let (occurrence, answer) = crate::schedule::render::parse_rsvp_control(control)?;
            Some(Ok(command::Command::RsvpButton {
                occurrence,
                answer: command::Answer::parse(answer)?,
            }))
        }
        _ => None,
    }
}

#[async_trait::async_trait]
impl EventSink for StoreSink {
    async fn commit(&self, event: InboundEvent) -> Result<Commit, SinkError> {
        let Some(room) = self.active_room(event.platform, &event.room).await? else {
            tracing::debug!(platform = %event.platform, room = %event.room, "event from a room that is not configured; ignored");
            return Ok(Commit::Ignored);
        };
        let direct = room.direct_with.is_some();
        if let Some(person) = room.direct_with.as_deref() {
            // A direct room stays one only while nobody else is in it: what is said there is
            // said privately. The person leaving, or anyone else joining, ends it. (The
            // bot's own membership events never come here: adapters skip its own events.)
            let ends = match &event.kind {
                EventKind::Membership { user_id, membership } if user_id == person => {
                    matches!(membership, Membership::Leave | Membership::Ban)
                }
                EventKind::Membership { membership, .. } => matches!(membership, Membership::Join | Membership::Knock),
                _ => false,
            };
            if ends {
                tracing::info!(platform = %event.platform, room = %event.room, "a direct room with the bot is one no longer; it is let go");
                self.store
                    .close_direct_room(event.platform, &event.room)
                    .await
                    .map_err(internal)?;
                return Ok(Commit::Ignored);
            }
            if event.sender.id != person {
                return Ok(Commit::Ignored);
            }
        }
        let kind = event.kind.dedup_kind();
        let is_new_message = matches!(event.kind, EventKind::Message(_) | EventKind::PollStart(_));
        // A reaction to a meeting reminder is an answer to it, given quietly: the reaction
        // is its own acknowledgement (a reply per reaction would be noise).
        let command = match command_in(&event, direct) {
            Some(parsed) => Some((parsed, false)),
            None => match self.reaction_answer(&room, &event).await? {
                Some(answer) => Some((Ok(answer), true)),
                // A vote is its own acknowledgement too, and the poll shows it.
                None => self.poll_answer(&room, &event).await?.map(|c| (Ok(c), true)),
            },
        };
        let (starts_message, deliveries, reaction) = match command {
            Some((parsed, quiet)) => {
                // A command seen before was answered before: do not run it again.
                if self
                    .store
                    .inbound_seen(room.id, &event.event_id, kind)
                    .await
                    .map_err(internal)?
                {
                    return Ok(Commit::Duplicate);
                }
                let voted_in = match &parsed {
                    Ok(command::Command::SurveyControl { survey, .. }) => Some(*survey),
                    _ => None,
                };
                let (reply, answer) = self.answer(&room, &event, parsed).await;
                let deliveries = if !quiet {
                    vec![NewDelivery {
                        room_id: room.id,
                        action: answer.action().to_string(),
                        message_id: None,
                        payload: answer.to_json(),
                    }]
                } else if reply.refused {
                    self.private_word(&event, voted_in, reply.text).await?
                } else {
                    Vec::new()
                };
                (false, deliveries, None)
            }
            // A direct room is never bridged: what is not a command there stays there.
            None if direct => return Ok(Commit::Ignored),
            None => {
                let ping = self.ping_crosses(&room, &event).await;
                let route = route::plan(&self.store, &room, &event, ping).await.map_err(internal)?;
                (route.starts_message, route.deliveries, route.reaction)
            }
        };
        let targets: Vec<i64> = deliveries.iter().map(|d| d.room_id).collect();
        let record = InboundRecord {
            room_id: room.id,
            remote_event_id: event.event_id.clone(),
            kind: kind.to_string(),
            sender_id: event.sender.id.clone(),
            event_ts: event.timestamp_ms,
            starts_message_in: if starts_message { room.pillar_id.clone() } else { None },
            advances_position: is_new_message,
            deliveries,
            reaction,
        };
        let recorded = match self.store.record_inbound(&record).await {
            Ok(recorded) => recorded,
            Err(error) if error.is_permanent() => {
                // Retrying would meet the same refusal for ever and stop the room: the event
                // is kept as seen (with the reason, counted in /metrics) and the room goes on.
                tracing::warn!(platform = %event.platform, room = %event.room, event = %event.event_id, %error, "an event the store can never record; set aside, not bridged");
                self.store
                    .set_aside_inbound(&record, &error.to_string())
                    .await
                    .map_err(internal)?;
                return Ok(Commit::Ignored);
            }
            Err(error) => return Err(internal(error)),
        };
        match recorded {
            Recorded::New { .. } => {
                for target in targets {
                    self.platforms.wake(target);
                }
                tracing::debug!(platform = %event.platform, room = %event.room, event = %event.event_id, "event committed");
                Ok(Commit::Recorded)
            }
            Recorded::Duplicate => {
                tracing::debug!(platform = %event.platform, room = %event.room, event = %event.event_id, "event seen before");
                Ok(Commit::Duplicate)
            }
        }
    }

    async fn resume_point(&self, platform: Platform, room: &str) -> Result<Option<ResumePoint>, SinkError> {
        let Some(room) = self.active_room(platform, room).await? else {
            return Ok(None);
        };
        let position = self.store.position(room.id).await.map_err(internal)?;
        Ok(position.map(|p| ResumePoint {
            event_id: p.event_id,
            timestamp_ms: p.event_ts,
        }))
    }

    async fn open_direct(&self, platform: Platform, room: &str, user: &str) -> Result<bool, SinkError> {
        let opened = self
            .store
            .open_direct_room(platform, room, user)
            .await
            .map_err(internal)?;
        if opened.is_some() {
            // Answers there are deliveries: the room needs its worker.
            self.platforms.room_added();
        }
        Ok(opened.is_some())
    }

    async fn close_direct(&self, platform: Platform, room: &str) -> Result<(), SinkError> {
        self.store.close_direct_room(platform, room).await.map_err(internal)
    }

    async fn direct_rooms(&self, platform: Platform) -> Result<Vec<(String, String)>, SinkError> {
        let rooms = self.store.direct_rooms(platform).await.map_err(internal)?;
        Ok(rooms
            .into_iter()
            .filter_map(|room| room.direct_with.map(|user| (room.remote_id, user)))
            .collect())
    }

    async fn mark_start(&self, platform: Platform, room: &str, start: ResumePoint) -> Result<(), SinkError> {
        let Some(room_row) = self.active_room(platform, room).await? else {
            return Err(SinkError(format!("{platform} room {room} is not configured")));
        };
        self.store
            .set_position_if_absent(room_row.id, &start.event_id, start.timestamp_ms)
            .await
            .map_err(internal)
    }
}

fn internal(error: crate::store::StoreError) -> SinkError {
    tracing::error!(%error, "storing an inbound event failed");
    SinkError(error.to_string())
}
