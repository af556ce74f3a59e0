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

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

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

impl OwnIds {
    /// `f` with who we are now.
    pub fn view<R>(&self, f: impl FnOnce(&Own<'_>) -> R) -> R {
        let webhooks = self.webhooks.read().unwrap_or_else(|p| p.into_inner());
        f(&Own {
            bot_user: self.bot_user,
            webhooks: &webhooks,
            application: self.application,
        })
    }
}

pub struct ChannelReader {
    pub channel: u64,
    pub rest: Arc<Rest>,
    pub sink: Arc<dyn EventSink>,
    pub own: Arc<OwnIds>,
    /// How often the channel is listed anyway: when it is quiet, and while messages are
    /// being taken from the gateway (see [`Position`]).
    pub listing_interval: Duration,
}

/// Where a reader is in its channel.
struct Position {
    /// The newest message passed (committed, or not bridged).
    after: u64,
    /// Every message up to here was seen in a listing, or passed before one.
    listed: u64,
    /// Messages passed from the gateway since `listed`: a listing from `listed` skips these
    /// and commits, late, any other it finds below `after`. Discord does not promise every
    /// dispatch, and one it never numbered leaves no gap; this is how such a message is
    /// found however busy the channel.
    from_gateway: BTreeSet<u64>,
    /// When the channel was last listed.
    listed_at: Instant,
}

/// The default of [`ChannelReader::listing_interval`].
pub const LISTING_INTERVAL: Duration = Duration::from_secs(60);

impl Position {
    fn new(after: u64) -> Position {
        Position {
            after,
            listed: after,
            from_gateway: BTreeSet::new(),
            listed_at: Instant::now(),
        }
    }
}

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
        let after = match after {
            Some(after) => after,
            None => loop {
                if let Some(after) = self.prepare().await {
                    break after;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            },
        };
        let mut at = Position::new(after);
        // Whether a listing is due before the next message can be taken from the gateway.
        let mut read_due = true;
        loop {
            if read_due {
                self.catch_up(&mut at).await;
                read_due = false;
            }
            let wait = self.listing_interval.saturating_sub(at.listed_at.elapsed());
            let first = match tokio::time::timeout(wait, nudges.recv()).await {
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
                    Nudge::Message(raw) if !read_due => self.take_from_gateway(&raw, &mut at).await,
                    Nudge::Message(_) => {}
                    Nudge::Event(event) => {
                        // Whatever came before it is committed first.
                        if read_due {
                            self.catch_up(&mut at).await;
                            read_due = false;
                        }
                        self.commit(*event).await;
                    }
                }
            }
            read_due |= at.listed_at.elapsed() >= self.listing_interval;
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

    /// Lists the channel from `listed`, oldest first, a page at a time: commits what is
    /// new, and what the gateway never delivered.
    async fn catch_up(&self, at: &mut Position) {
        let mut from = at.listed;
        loop {
            let path = format!("/channels/{}/messages?after={from}&limit=100", self.channel);
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
            messages.sort_by_key(|m| message_id(m).unwrap_or(0));
            for raw in &messages {
                let Some(id) = message_id(raw) else {
                    tracing::warn!(
                        channel = self.channel,
                        "discord: a listed message without an id; skipped"
                    );
                    continue;
                };
                from = from.max(id);
                if id > at.after {
                    self.pass(raw, id, at).await;
                } else if !at.from_gateway.contains(&id) {
                    tracing::warn!(
                        channel = self.channel,
                        message = id,
                        "discord: a message the gateway never delivered, found by listing the channel; committed late"
                    );
                    self.pass(raw, id, at).await;
                }
            }
            if !full {
                break;
            }
        }
        at.listed = at.after;
        at.from_gateway.clear();
        at.listed_at = Instant::now();
    }

    /// A message from its MESSAGE_CREATE, every dispatch before it received.
    async fn take_from_gateway(&self, raw: &serde_json::Value, at: &mut Position) {
        let Some(id) = message_id(raw) else {
            tracing::warn!(
                channel = self.channel,
                "discord: a MESSAGE_CREATE without an id; skipped"
            );
            return;
        };
        if id > at.after {
            self.pass(raw, id, at).await;
            at.from_gateway.insert(id);
        }
    }

    /// Commits a message (as the REST API or the gateway gives it) unless it is not
    /// bridged (the bot's own, its relays, system messages), and moves past it.
    async fn pass(&self, raw: &serde_json::Value, id: u64, at: &mut Position) {
        let converted = { self.own.view(|own| convert::message(raw, own)) };
        match converted {
            Ok(event) => self.commit(event).await,
            Err(reason) => tracing::debug!(channel = self.channel, %reason, "discord: skipped"),
        }
        at.after = at.after.max(id);
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

fn message_id(raw: &serde_json::Value) -> Option<u64> {
    raw["id"].as_str().and_then(|id| id.parse().ok())
}
