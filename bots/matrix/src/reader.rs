//! One reader per room: hands every event of the room to the core, in order, once.
//!
//! At start the reader catches up with `/messages` from the last event the core committed
//! (the core's position is the truth; matrix-sdk's sync token is only a cache). Once caught
//! up it takes events straight from each sync, which saves a round trip per message. When a
//! sync says its timeline is `limited` (events were left out), or an event cannot be
//! decrypted yet, it goes back to reading with `/messages` from the last token it finished,
//! so a gap can never drop events; events seen twice are harmless, the core drops them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use magnet_chat::{Commit, EventSink, Platform, ResumePoint};
use matrix_sdk::Room;
use matrix_sdk::deserialized_responses::TimelineEvent;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::{EventId, OwnedUserId, uint};
use tokio::sync::mpsc;

use crate::convert::{Converted, MemberLookup, convert};

/// Events per `/messages` page.
const PAGE: u32 = 100;
/// A reader re-reads at least this often even without a sync wake-up (a safety net).
const IDLE_CHECK: Duration = Duration::from_secs(30);
/// How soon a reader stuck on an undecryptable event looks again at first (then less
/// often, as the wait grows).
const KEY_RECHECK: Duration = Duration::from_secs(1);
/// How long a reader waits for the keys of an undecryptable event before going past it.
const KEY_PATIENCE: Duration = Duration::from_secs(120);

pub struct RoomReader {
    pub room: Room,
    /// An event we could not decrypt yet and are waiting for keys for, since when.
    pub waiting_for_keys: Option<(String, Instant)>,
    /// The room as the config names it (id or alias): the key the core knows.
    pub key: String,
    pub sink: Arc<dyn EventSink>,
    pub own_user: String,
}

/// One sync's timeline for a room.
pub struct SyncBatch {
    pub events: Vec<TimelineEvent>,
    /// The server left events out between the previous sync and these.
    pub limited: bool,
    /// The sync's `next_batch`: `/messages` can read forward from it.
    pub next_batch: String,
}

/// What became of a sync batch.
enum BatchOutcome {
    Committed,
    /// An event could not be decrypted: read this stretch again with `/messages`.
    Undecryptable,
}

impl RoomReader {
    /// Finds where to start reading: done before the reader is announced as running, so
    /// that in a room read for the first time nothing sent after start is taken for history.
    pub async fn prepare(&self) -> Option<String> {
        match self.starting_token().await {
            Ok(token) => token,
            Err(error) => {
                tracing::warn!(room = %self.key, %error, "matrix: cannot find where to start reading yet; retrying");
                None
            }
        }
    }

    /// Reads until the adapter stops (the batch sender is dropped), starting from `token`
    /// (or finding the start itself).
    pub async fn run(mut self, mut token: Option<String>, mut batches: mpsc::UnboundedReceiver<SyncBatch>) {
        let mut backoff = Backoff::default();
        let mut caught_up = false;
        loop {
            let Some(from) = token.clone() else {
                match self.starting_token().await {
                    Ok(Some(start)) => token = Some(start),
                    Ok(None) => tokio::time::sleep(backoff.next()).await,
                    Err(error) => {
                        let delay = backoff.next();
                        tracing::warn!(room = %self.key, %error, ?delay, "matrix: cannot find where to start reading; retrying");
                        tokio::time::sleep(delay).await;
                    }
                }
                continue;
            };
            if !caught_up || self.waiting_for_keys.is_some() {
                match self.read_from(&from).await {
                    Ok(next) => {
                        backoff.reset();
                        let next = next.unwrap_or_else(|| from.clone());
                        if next != from {
                            token = Some(next);
                            continue;
                        }
                        if self.waiting_for_keys.is_none() {
                            caught_up = true;
                            continue;
                        }
                        // Waiting for room keys: they come by to-device messages, which do
                        // not show in the room, so look again soon (less often as it drags).
                        let since = self
                            .waiting_for_keys
                            .as_ref()
                            .map_or(Duration::ZERO, |(_, since)| since.elapsed());
                        let wait = KEY_RECHECK.max(since / 4).min(IDLE_CHECK);
                        // A sync batch meanwhile is only a wake-up: /messages reads it too.
                        if let Ok(None) = tokio::time::timeout(wait, batches.recv()).await {
                            return;
                        }
                    }
                    Err(error) => {
                        let delay = backoff.next();
                        tracing::warn!(room = %self.key, %error, ?delay, "matrix: reading the room failed; retrying");
                        tokio::time::sleep(delay).await;
                    }
                }
                continue;
            }
            match tokio::time::timeout(IDLE_CHECK, batches.recv()).await {
                Ok(None) => return,
                // Quiet for a while: read again with /messages, as a safety net.
                Err(_) => caught_up = false,
                Ok(Some(batch)) if batch.limited => caught_up = false,
                Ok(Some(batch)) => match self.commit_batch(&batch.events).await {
                    BatchOutcome::Committed => token = Some(batch.next_batch),
                    BatchOutcome::Undecryptable => caught_up = false,
                },
            }
        }
    }

    /// Commits the events of one sync in order; stops at one that cannot be decrypted.
    async fn commit_batch(&mut self, events: &[TimelineEvent]) -> BatchOutcome {
        let members = self.members_of(events.iter().filter_map(|event| event.sender())).await;
        for event in events {
            if event.kind.is_utd() {
                return BatchOutcome::Undecryptable;
            }
            self.commit_timeline_event(event, &members).await;
        }
        BatchOutcome::Committed
    }

    /// The pagination token just after the last committed event, or after the newest event
    /// for a room the core has never read.
    async fn starting_token(&self) -> Result<Option<String>, String> {
        let resume = self
            .sink
            .resume_point(Platform::Matrix, &self.key)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(point) = resume {
            let event_id =
                EventId::parse(&point.event_id).map_err(|e| format!("stored position {}: {e}", point.event_id))?;
            match self.room.event_with_context(&event_id, false, uint!(0), None).await {
                Ok(context) => {
                    tracing::info!(room = %self.key, after = %point.event_id, "matrix: resuming after the last committed event");
                    return Ok(context.next_batch_token);
                }
                Err(error) => {
                    // Without the event we cannot know where we were: say so loudly and
                    // start from now rather than replaying unknown history.
                    tracing::error!(room = %self.key, event = %point.event_id, %error,
                        "matrix: cannot find the last committed event; events since then may be missed");
                }
            }
        }
        let mut options = MessagesOptions::backward();
        options.limit = uint!(1);
        let latest = self.room.messages(options).await.map_err(|e| e.to_string())?;
        if let Some(event) = latest.chunk.first()
            && let Some(event_id) = event.event_id()
        {
            let timestamp_ms = event.timestamp().map(|ts| i64::from(ts.0)).unwrap_or_default();
            let start = ResumePoint {
                event_id: event_id.to_string(),
                timestamp_ms,
            };
            self.sink
                .mark_start(Platform::Matrix, &self.key, start)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(room = %self.key, from = %event_id, "matrix: first time in this room; reading from now on");
        }
        Ok(Some(latest.start))
    }

    /// Reads and commits one page forward from `from`; returns the token after it.
    async fn read_from(&mut self, from: &str) -> Result<Option<String>, String> {
        let mut options = MessagesOptions::forward().from(from);
        options.limit = PAGE.into();
        let page = self.room.messages(options).await.map_err(|e| e.to_string())?;
        if page.chunk.is_empty() {
            return Ok(page.end.filter(|end| end != from).or(Some(from.to_string())));
        }
        let members = self
            .members_of(page.chunk.iter().filter_map(|event| event.sender()))
            .await;
        for event in &page.chunk {
            if event.kind.is_utd() {
                let event_id = event.event_id().map(|id| id.to_string()).unwrap_or_default();
                let since = match &self.waiting_for_keys {
                    Some((waiting, since)) if *waiting == event_id => *since,
                    _ => {
                        tracing::warn!(room = %self.key, event = %event_id, "matrix: cannot decrypt an event yet; waiting for its keys");
                        self.waiting_for_keys = Some((event_id.clone(), Instant::now()));
                        Instant::now()
                    }
                };
                if since.elapsed() < KEY_PATIENCE {
                    // Stop here and read this page again once keys may have come; the events
                    // before it are committed already and come back as duplicates.
                    return Ok(Some(from.to_string()));
                }
                tracing::error!(room = %self.key, event = %event_id, patience = ?KEY_PATIENCE,
                    "matrix: the keys for an event never came; it is not bridged");
                self.waiting_for_keys = None;
                continue;
            }
            if self
                .waiting_for_keys
                .as_ref()
                .is_some_and(|(waiting, _)| event.event_id().is_some_and(|id| id == waiting.as_str()))
            {
                self.waiting_for_keys = None;
            }
            self.commit_timeline_event(event, &members).await;
        }
        Ok(page.end)
    }

    /// Converts one (decrypted or plain) event and commits it, or logs why it is skipped.
    async fn commit_timeline_event(&self, event: &TimelineEvent, members: &Members) {
        let raw: serde_json::Value = match serde_json::from_str(event.raw().json().get()) {
            Ok(raw) => raw,
            Err(error) => {
                tracing::warn!(room = %self.key, %error, "matrix: skipping an event that is not JSON");
                return;
            }
        };
        match convert(&raw, &self.key, &self.own_user, members) {
            Converted::Event(neutral) => self.commit(*neutral).await,
            Converted::Skip(reason) => tracing::debug!(room = %self.key, %reason, "matrix: skipped"),
        }
    }

    /// Commits one event, retrying until the core takes it: an event is never dropped
    /// because the database was briefly away.
    async fn commit(&self, event: magnet_chat::InboundEvent) {
        let mut backoff = Backoff::default();
        loop {
            match self.sink.commit(event.clone()).await {
                Ok(Commit::Recorded) => return,
                Ok(Commit::Duplicate) => {
                    tracing::debug!(room = %self.key, event = %event.event_id, "matrix: already committed");
                    return;
                }
                Ok(Commit::Ignored) => return,
                Err(error) => {
                    let delay = backoff.next();
                    tracing::warn!(room = %self.key, event = %event.event_id, %error, ?delay, "matrix: the core did not commit; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn members_of(&self, senders: impl Iterator<Item = OwnedUserId>) -> Members {
        let mut members = Members::default();
        for user in senders {
            if members.0.contains_key(user.as_str()) {
                continue;
            }
            let found = self.room.get_member_no_sync(&user).await.ok().flatten();
            let entry = found.map(|m| {
                (
                    m.display_name().map(str::to_string),
                    m.avatar_url().map(|u| u.to_string()),
                )
            });
            members.0.insert(user.to_string(), entry.unwrap_or((None, None)));
        }
        members
    }
}

/// Display names and avatars of the senders in one page.
#[derive(Default)]
struct Members(HashMap<String, (Option<String>, Option<String>)>);

impl MemberLookup for Members {
    fn display_name(&self, user_id: &str) -> Option<String> {
        self.0.get(user_id).and_then(|(name, _)| name.clone())
    }
    fn avatar_url(&self, user_id: &str) -> Option<String> {
        self.0.get(user_id).and_then(|(_, avatar)| avatar.clone())
    }
}

/// Exponential backoff from 200 ms to 30 s.
#[derive(Default)]
pub struct Backoff(u32);

impl Backoff {
    pub fn next(&mut self) -> Duration {
        let delay = Duration::from_millis(200u64 << self.0.min(8)).min(Duration::from_secs(30));
        self.0 += 1;
        delay
    }

    pub fn reset(&mut self) {
        self.0 = 0;
    }
}
