//! One reader per channel: hands every new message to the core once and in order.
//!
//! While the gateway delivers every dispatch (see [`crate::gateway`]), a new message comes
//! whole in its MESSAGE_CREATE and is committed from there when it is above the last one
//! committed: no REST call per message. Otherwise the reader lists the channel `after` the
//! last message it committed: at start, after a new gateway session or a gap in its
//! sequence, when an event could not be read, and on a quiet channel now and then in case
//! Discord lost something without a gap. Edits, deletions and reactions, which a listing
//! does not show, come from the gateway events themselves, and are committed after any
//! listing due before them, so that they never overtake the message they concern.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use magnet_chat::{Commit, EventSink, InboundEvent, Platform, ResumePoint};
use reqwest::Method;
use tokio::sync::mpsc;

use crate::convert::{self, Own};
use crate::rest::Rest;

/// What the gateway tells a reader.
pub enum Nudge {
    /// New messages may be there: read the channel.
    Read,
    /// A new message as the gateway sent it, with every dispatch before it received.
    Message(Box<serde_json::Value>),
    /// An event the listing cannot show (edit, deletion, reaction).
    Event(Box<InboundEvent>),
}

/// Who "we" are, shared by the readers and updated when webhooks are created.
pub struct OwnIds {
    pub bot_user: u64,
    pub application: u64,
    pub webhooks: RwLock<Vec<u64>>,
}

pub struct ChannelReader {
    pub channel: u64,
    pub rest: Arc<Rest>,
    pub sink: Arc<dyn EventSink>,
    pub own: Arc<OwnIds>,
}

/// How often a quiet channel is read anyway, in case a gateway event was lost.
const IDLE_CHECK: Duration = Duration::from_secs(60);

impl ChannelReader {
    /// Finds where to start reading: done before the adapter reports ready, so that in a
    /// channel read for the first time nothing posted after start is taken for history.
    pub async fn prepare(&self) -> Option<u64> {
        match self.starting_point().await {
            Ok(after) => Some(after),
            Err(error) => {
                tracing::warn!(channel = self.channel, %error, "discord: cannot find where to start reading yet; retrying");
                None
            }
        }
    }

    /// Reads until the adapter stops, from `after` (or finding the start itself).
    pub async fn run(self, after: Option<u64>, mut nudges: mpsc::UnboundedReceiver<Nudge>) {
        let mut after = match after {
            Some(after) => after,
            None => loop {
                if let Some(after) = self.prepare().await {
                    break after;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            },
        };
        // Whether a listing is due before the next message can be taken from the gateway.
        let mut read_due = true;
        loop {
            if read_due {
                self.catch_up(&mut after).await;
                read_due = false;
            }
            let first = match tokio::time::timeout(IDLE_CHECK, nudges.recv()).await {
                Ok(Some(nudge)) => nudge,
                Ok(None) => return,
                Err(_) => {
                    read_due = true;
                    continue;
                }
            };
            // A burst of nudges is taken in one go: one listing answers every Read in it.
            let mut pending = Some(first);
            while let Some(nudge) = pending.take().or_else(|| nudges.try_recv().ok()) {
                match nudge {
                    Nudge::Read => read_due = true,
                    // A listing due lists this message too: it was posted before its dispatch.
                    Nudge::Message(raw) if !read_due => self.take(&raw, &mut after).await,
                    Nudge::Message(_) => {}
                    Nudge::Event(event) => {
                        // Whatever came before it is committed first.
                        if read_due {
                            self.catch_up(&mut after).await;
                            read_due = false;
                        }
                        self.commit(*event).await;
                    }
                }
            }
        }
    }

    /// The last message committed here, or (first time in this channel) the newest one,
    /// recorded as the start so that history is not replayed and nothing new is lost.
    async fn starting_point(&self) -> Result<u64, String> {
        let resume = self
            .sink
            .resume_point(Platform::Discord, &self.channel.to_string())
            .await
            .map_err(|e| e.to_string())?;
        if let Some(id) = resume.and_then(|point| point.event_id.parse::<u64>().ok()) {
            tracing::info!(
                channel = self.channel,
                after = id,
                "discord: resuming after the last committed message"
            );
            return Ok(id);
        }
        let path = format!("/channels/{}/messages?limit=1", self.channel);
        let latest = self
            .rest
            .json(Method::GET, &path, &self.bucket(), None)
            .await
            .map_err(|e| e.to_string())?;
        let Some(newest) = latest.as_array().and_then(|m| m.first()) else {
            return Ok(0);
        };
        let id: u64 = newest["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .ok_or("a message without an id")?;
        let start = ResumePoint {
            event_id: id.to_string(),
            timestamp_ms: convert::timestamp_ms(newest["timestamp"].as_str()),
        };
        self.sink
            .mark_start(Platform::Discord, &self.channel.to_string(), start)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(
            channel = self.channel,
            from = id,
            "discord: first time in this channel; reading from now on"
        );
        Ok(id)
    }

    /// Commits every message after `after`, oldest first, a page at a time.
    async fn catch_up(&self, after: &mut u64) {
        loop {
            let path = format!("/channels/{}/messages?after={after}&limit=100", self.channel);
            let page = match self.rest.json(Method::GET, &path, &self.bucket(), None).await {
                Ok(page) => page,
                Err(error) => {
                    tracing::warn!(channel = self.channel, %error, "discord: reading the channel failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let mut messages = page.as_array().cloned().unwrap_or_default();
            let full = messages.len() == 100;
            messages.sort_by_key(|m| m["id"].as_str().and_then(|id| id.parse::<u64>().ok()).unwrap_or(0));
            for raw in &messages {
                self.take(raw, after).await;
            }
            if !full {
                return;
            }
        }
    }

    /// Commits a message (as the REST API or the gateway gives it) if it is above `after`,
    /// and moves `after` past it. Messages not bridged (the bot's own, its relays, system
    /// messages) move it too.
    async fn take(&self, raw: &serde_json::Value, after: &mut u64) {
        let Some(id) = raw["id"].as_str().and_then(|id| id.parse::<u64>().ok()) else {
            tracing::warn!(channel = self.channel, "discord: a message without an id; skipped");
            return;
        };
        if id <= *after {
            return;
        }
        let converted = {
            let webhooks = self.own.webhooks.read().unwrap_or_else(|p| p.into_inner());
            let own = Own {
                bot_user: self.own.bot_user,
                webhooks: &webhooks,
                application: self.own.application,
            };
            convert::message(raw, &own)
        };
        match converted {
            Ok(event) => self.commit(event).await,
            Err(reason) => tracing::debug!(channel = self.channel, %reason, "discord: skipped"),
        }
        *after = id;
    }

    /// Commits one event, retrying until the core takes it.
    async fn commit(&self, event: InboundEvent) {
        let mut delay = Duration::from_millis(200);
        loop {
            match self.sink.commit(event.clone()).await {
                Ok(Commit::Recorded | Commit::Duplicate | Commit::Ignored) => return,
                Err(error) => {
                    tracing::warn!(channel = self.channel, event = %event.event_id, %error, ?delay, "discord: the core did not commit; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    fn bucket(&self) -> String {
        format!("read:{}", self.channel)
    }
}
