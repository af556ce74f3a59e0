//! The gateway connection. twilight-gateway keeps it (HELLO, IDENTIFY through Discord's
//! identify queue, heartbeats, RESUME with replay, op 7 and op 9, close codes, reconnects
//! with backoff); here its frames are read in one task, in the order they came, each
//! dispatch with its sequence number.
//!
//! The sequence numbers are what let a new message be committed straight from its
//! MESSAGE_CREATE, without reading the channel over REST: Discord numbers a session's
//! dispatches one by one, and a RESUME replays every dispatch after the last one the shard
//! saw. So while each dispatch is numbered one above the one before, nothing in between was
//! missed, and a MESSAGE_CREATE above its channel's committed position is the next message
//! there. Anything else sends every channel back to reading over REST from its committed
//! position: a new session (READY: whatever happened while there was none is unknown), or
//! a gap (a dispatch Discord did not deliver). Each reader takes the nudges in order, so
//! that listing happens before any message that came after the gap is looked at.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{CloseFrame, ConfigBuilder, Intents, Message, Shard, ShardId};

use crate::DiscordError;
use crate::events::EventRouter;
use crate::rest::Rest;

/// How long a shutdown waits for the close frame to go out.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The intents the bot identifies with: messages with their content, reactions, polls,
/// members (for names and roles) and guilds.
pub fn intents() -> Intents {
    Intents::GUILDS
        | Intents::GUILD_MESSAGES
        | Intents::MESSAGE_CONTENT
        | Intents::GUILD_MESSAGE_REACTIONS
        | Intents::GUILD_MEMBERS
        | Intents::GUILD_MESSAGE_POLLS
}

/// The running gateway: stopped by [`Gateway::shutdown`].
pub struct Gateway {
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Gateway {
    /// Connects (in the background: the shard identifies and reconnects on its own) and
    /// reads the gateway until shut down.
    pub async fn start(rest: &Rest, token: &str, router: EventRouter) -> Result<Gateway, DiscordError> {
        // Both of rustls's providers are linked in (through different crates); the
        // gateway's TLS needs one chosen. Whichever is installed first stays.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let found = rest
            .json(Method::GET, "/gateway/bot", "gateway", None)
            .await
            .map_err(|error| DiscordError::Unreachable(format!("cannot find the gateway: {error}")))?;
        let url = found["url"]
            .as_str()
            .ok_or_else(|| DiscordError::Gateway("GET /gateway/bot gave no url".into()))?
            .trim_end_matches('/')
            .to_string();
        let config = ConfigBuilder::new(token.to_string(), intents())
            // The URL Discord gave (the simulator's on loopback); RESUME goes to the
            // `resume_gateway_url` of READY, as Discord asks.
            .proxy_url(url)
            .queue(identify_queue(&found["session_start_limit"]))
            .build();
        let shard = Shard::with_config(ShardId::ONE, config);
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(read(shard, router, stop.clone()));
        Ok(Gateway { stop, task })
    }

    /// Closes the connection (the session ends, as when a bot logs out) and stops reading.
    pub async fn shutdown(&self) {
        self.stop.notify_one();
        let deadline = tokio::time::Instant::now() + CLOSE_TIMEOUT;
        while !self.task.is_finished() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.task.abort();
    }
}

/// Discord's identify limits as `GET /gateway/bot` reports them (the defaults where it
/// does not): IDENTIFYs are spaced as Discord requires.
fn identify_queue(limit: &Value) -> InMemoryQueue {
    let total = limit["total"].as_u64().and_then(|t| u32::try_from(t).ok());
    let remaining = limit["remaining"].as_u64().and_then(|r| u32::try_from(r).ok());
    let reset_after = limit["reset_after"].as_u64().map(Duration::from_millis);
    let concurrency = limit["max_concurrency"].as_u64().and_then(|c| u16::try_from(c).ok());
    match (total, remaining, reset_after, concurrency) {
        (Some(total), Some(remaining), Some(reset_after), Some(concurrency)) if remaining <= total => {
            InMemoryQueue::new(concurrency.max(1), remaining, reset_after, total)
        }
        _ => InMemoryQueue::default(),
    }
}

/// One frame as Discord sends it.
#[derive(Deserialize)]
struct Frame {
    op: u8,
    #[serde(default)]
    s: Option<u64>,
    #[serde(default)]
    t: Option<String>,
    #[serde(default)]
    d: Value,
}

const DISPATCH: u8 = 0;

async fn read(mut shard: Shard<InMemoryQueue>, router: EventRouter, stop: Arc<Notify>) {
    let mut sequence = Sequence::default();
    let mut stopping = false;
    loop {
        let item = tokio::select! {
            _ = stop.notified(), if !stopping => {
                stopping = true;
                shard.close(CloseFrame::NORMAL);
                continue;
            }
            item = shard.next() => item,
        };
        let text = match item {
            None => {
                tracing::error!(
                    "discord: the gateway closed for good; the bot needs a valid token and the privileged intents (message content, server members)"
                );
                return;
            }
            Some(Err(error)) => {
                tracing::warn!(%error, "discord: gateway connection trouble; reconnecting");
                continue;
            }
            Some(Ok(Message::Close(frame))) => {
                if stopping {
                    return;
                }
                let code = frame.as_ref().map(|f| f.code);
                tracing::info!(?code, "discord: the gateway connection closed; reconnecting");
                continue;
            }
            Some(Ok(Message::Text(text))) => text,
        };
        let frame = match serde_json::from_str::<Frame>(&text) {
            Ok(frame) => frame,
            Err(error) => {
                tracing::warn!(%error, "discord: a gateway frame that is not one; skipped");
                continue;
            }
        };
        if frame.op != DISPATCH {
            continue;
        }
        let (Some(seq), Some(event_type)) = (frame.s, frame.t) else {
            tracing::warn!("discord: a dispatch without a sequence number or type; skipped");
            continue;
        };
        let continuity = sequence.observe(seq, &event_type);
        match continuity {
            Continuity::NewSession => {
                tracing::info!("discord: gateway session ready; catching up every channel");
                router.read_every_channel();
            }
            Continuity::Gap { expected } => {
                tracing::warn!(
                    expected,
                    got = seq,
                    "discord: the gateway skipped dispatches; reading every channel for what they held"
                );
                router.read_every_channel();
            }
            Continuity::Continuous | Continuity::Replayed => {}
        }
        match event_type.as_str() {
            "READY" => {}
            "RESUMED" => tracing::info!("discord: gateway session resumed; what was missed was replayed"),
            // After a gap the channel is being read anyway; the message is in that listing.
            "MESSAGE_CREATE" => router.message_created(frame.d, continuity.nothing_missed()),
            other => router.dispatched(other, frame.d),
        }
    }
}

/// Where a dispatch stands in its session's numbering.
#[derive(Debug, PartialEq, Eq)]
enum Continuity {
    /// The next one: nothing missed.
    Continuous,
    /// One seen before (a RESUME may replay from a little earlier).
    Replayed,
    /// Numbered past the next one: `expected` and those after it never came.
    Gap { expected: u64 },
    /// READY: a new session, numbered afresh.
    NewSession,
}

impl Continuity {
    /// Whether a dispatch so placed may be taken as the next in its channel.
    fn nothing_missed(&self) -> bool {
        matches!(self, Continuity::Continuous | Continuity::Replayed)
    }
}

/// The gateway's sequence numbers as seen here.
#[derive(Debug, Default)]
struct Sequence {
    /// The number the next dispatch should carry; `None` before the first READY.
    next: Option<u64>,
}

impl Sequence {
    fn observe(&mut self, seq: u64, event_type: &str) -> Continuity {
        let continuity = if event_type == "READY" {
            self.next = Some(seq + 1);
            Continuity::NewSession
        } else {
            match self.next {
                // A dispatch before any READY (from a session this process did not make):
                // there is no telling what came before it.
                None => Continuity::Gap { expected: 1 },
                Some(next) if seq == next => Continuity::Continuous,
                Some(next) if seq < next => Continuity::Replayed,
                Some(next) => Continuity::Gap { expected: next },
            }
        };
        if continuity != Continuity::Replayed {
            self.next = Some(seq + 1);
        }
        continuity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_one_after_another_are_continuous() {
        let mut seq = Sequence::default();
        assert_eq!(seq.observe(1, "READY"), Continuity::NewSession);
        assert_eq!(seq.observe(2, "GUILD_CREATE"), Continuity::Continuous);
        let third = seq.observe(3, "MESSAGE_CREATE");
        assert_eq!(third, Continuity::Continuous);
        assert!(third.nothing_missed());
    }

    #[test]
    fn a_skipped_number_is_a_gap_and_the_numbering_goes_on_from_there() {
        let mut seq = Sequence::default();
        seq.observe(1, "READY");
        let gap = seq.observe(3, "MESSAGE_CREATE");
        assert_eq!(gap, Continuity::Gap { expected: 2 });
        assert!(!gap.nothing_missed());
        let next = seq.observe(4, "MESSAGE_CREATE");
        assert_eq!(next, Continuity::Continuous);
        assert!(next.nothing_missed());
    }

    #[test]
    fn a_replay_is_not_a_gap_and_does_not_move_the_numbering_back() {
        let mut seq = Sequence::default();
        seq.observe(1, "READY");
        seq.observe(2, "MESSAGE_CREATE");
        seq.observe(3, "MESSAGE_CREATE");
        assert_eq!(seq.observe(2, "MESSAGE_CREATE"), Continuity::Replayed);
        assert_eq!(seq.observe(4, "RESUMED"), Continuity::Continuous);
    }

    #[test]
    fn a_new_session_numbers_afresh() {
        let mut seq = Sequence::default();
        seq.observe(1, "READY");
        seq.observe(40, "MESSAGE_CREATE");
        assert_eq!(seq.observe(1, "READY"), Continuity::NewSession);
        assert_eq!(seq.observe(2, "MESSAGE_CREATE"), Continuity::Continuous);
    }

    #[test]
    fn nothing_is_continuous_before_the_first_ready() {
        let mut seq = Sequence::default();
        let first = seq.observe(5, "MESSAGE_CREATE");
        assert_eq!(first, Continuity::Gap { expected: 1 });
        assert!(!first.nothing_missed());
    }
}
