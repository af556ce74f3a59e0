//! One reader per room: reads the room's timeline forward from the last event the core
//! committed, hands each event to the core in order, and waits for the next sync to say
//! there is more.
//!
//! Reading with `/messages` from a stored position, rather than taking events from the
//! sync response, means a gap (a limited sync timeline, a restart, a crash between receive
//! and commit) can never drop events: whatever the sync said, the reader reads everything
//! after the last committed event.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use magnet_chat::{Commit, EventSink, Platform, ResumePoint};
use matrix_sdk::Room;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::{EventId, OwnedUserId, uint};
use tokio::sync::Notify;

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
    pub wake: Arc<Notify>,
    pub own_user: String,
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

    /// Reads until aborted, starting from `token` (or finding the start itself).
    pub async fn run(mut self, mut token: Option<String>) {
        let mut backoff = Backoff::default();
        loop {
            let result = match &token {
                None => self.starting_token().await,
                Some(from) => self
                    .read_from(from)
                    .await
                    .map(|next| next.or_else(|| Some(from.clone()))),
            };
            match result {
                Ok(Some(next)) => {
                    let advanced = token.as_deref() != Some(next.as_str());
                    token = Some(next);
                    backoff.reset();
                    if !advanced {
                        // Caught up (or waiting for keys): wait for the next sync to say
                        // there is more. Keys come by to-device messages, which do not wake
                        // the room, so a reader waiting for them looks again soon.
                        let wait = match &self.waiting_for_keys {
                            Some((_, since)) => KEY_RECHECK.max(since.elapsed() / 4).min(IDLE_CHECK),
                            None => IDLE_CHECK,
                        };
                        let _ = tokio::time::timeout(wait, self.wake.notified()).await;
                    }
                }
                Ok(None) => {
                    tokio::time::sleep(backoff.next()).await;
                }
                Err(error) => {
                    let delay = backoff.next();
                    tracing::warn!(room = %self.key, %error, ?delay, "matrix: reading the room failed; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
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
            let raw: serde_json::Value = match serde_json::from_str(event.raw().json().get()) {
                Ok(raw) => raw,
                Err(error) => {
                    tracing::warn!(room = %self.key, %error, "matrix: skipping an event that is not JSON");
                    continue;
                }
            };
            match convert(&raw, &self.key, &self.own_user, &members) {
                Converted::Event(neutral) => {
                    self.waiting_for_keys = None;
                    self.commit(*neutral).await
                }
                Converted::Skip(reason) if event.kind.is_utd() => {
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
                        // Stop here and read this page again once keys may have come; the
                        // events before it are committed already and come back as duplicates.
                        return Ok(Some(from.to_string()));
                    }
                    tracing::error!(room = %self.key, event = %event_id, %reason, patience = ?KEY_PATIENCE,
                        "matrix: the keys for an event never came; it is not bridged");
                    self.waiting_for_keys = None;
                }
                Converted::Skip(reason) => tracing::debug!(room = %self.key, %reason, "matrix: skipped"),
            }
        }
        Ok(page.end)
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
