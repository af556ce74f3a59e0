//! An in-memory adapter for unit tests of the core.
//!
//! It behaves like a well-mannered homeserver: an action repeated with the same idempotency
//! key returns the first result instead of acting twice, and it can be told to fail the
//! next deliveries the way a real platform fails (rate limit, 5xx, refusal).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::{
    ChatAdapter, ChatError, Commit, Delivered, EventSink, InboundEvent, Member, Outbound, Platform, SinkError,
};

/// A fake platform: records what it was asked to do and forwards injected events.
#[derive(Clone)]
pub struct FakeAdapter {
    platform: Platform,
    state: Arc<Mutex<FakeState>>,
}

#[derive(Default)]
struct FakeState {
    members: HashMap<(String, String), Member>,
    media: HashMap<String, Vec<u8>>,
    performed: Vec<Outbound>,
    by_key: HashMap<String, Delivered>,
    failures: VecDeque<ChatError>,
    next_id: u64,
}

impl FakeAdapter {
    pub fn new(platform: Platform) -> FakeAdapter {
        FakeAdapter {
            platform,
            state: Arc::new(Mutex::new(FakeState::default())),
        }
    }

    /// Makes the next delivery attempts fail with these errors, in order.
    pub fn fail_next(&self, errors: impl IntoIterator<Item = ChatError>) {
        self.lock().failures.extend(errors);
    }

    /// Puts a member in a room, as the platform would report them.
    pub fn set_member(&self, room: &str, member: Member) {
        self.lock()
            .members
            .insert((room.to_string(), member.user_id.clone()), member);
    }

    /// Makes an attachment URL fetchable.
    pub fn set_media(&self, url: &str, data: Vec<u8>) {
        self.lock().media.insert(url.to_string(), data);
    }

    /// Every action carried out, once each, in the order they happened.
    pub fn performed(&self) -> Vec<Outbound> {
        self.lock().performed.clone()
    }

    /// Hands an event to the core as the real adapter would, waiting for the commit.
    pub async fn inject(&self, sink: &dyn EventSink, event: InboundEvent) -> Result<Commit, SinkError> {
        assert_eq!(
            event.platform, self.platform,
            "event injected into the wrong fake platform"
        );
        sink.commit(event).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        // A test that panicked while holding the lock has failed already; keep its data.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait::async_trait]
impl ChatAdapter for FakeAdapter {
    fn platform(&self) -> Platform {
        self.platform
    }

    async fn deliver(&self, outbound: &Outbound) -> Result<Delivered, ChatError> {
        let mut state = self.lock();
        if let Some(error) = state.failures.pop_front() {
            return Err(error);
        }
        if let Some(done) = state.by_key.get(&outbound.idempotency_key) {
            return Ok(done.clone());
        }
        state.next_id += 1;
        let delivered = Delivered {
            remote_id: format!("{}-fake-{}", self.platform, state.next_id),
        };
        state.by_key.insert(outbound.idempotency_key.clone(), delivered.clone());
        state.performed.push(outbound.clone());
        Ok(delivered)
    }

    async fn member(&self, room: &str, user_id: &str) -> Result<Option<Member>, ChatError> {
        Ok(self
            .lock()
            .members
            .get(&(room.to_string(), user_id.to_string()))
            .cloned())
    }

    async fn fetch_media(&self, url: &str) -> Result<Vec<u8>, ChatError> {
        self.lock()
            .media
            .get(url)
            .cloned()
            .ok_or_else(|| ChatError::Permanent(format!("no media at {url}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MessageBody, OutboundAction};
    use std::time::Duration;

    fn send(key: &str, text: &str) -> Outbound {
        Outbound {
            idempotency_key: key.into(),
            room: "room".into(),
            action: OutboundAction::Send {
                body: MessageBody {
                    text: text.into(),
                    ..MessageBody::default()
                },
                persona: None,
            },
        }
    }

    #[tokio::test]
    async fn a_repeated_key_acts_once_and_returns_the_first_id() {
        let fake = FakeAdapter::new(Platform::Matrix);
        let first = fake.deliver(&send("k1", "hello")).await.unwrap();
        let again = fake.deliver(&send("k1", "hello")).await.unwrap();
        let other = fake.deliver(&send("k2", "world")).await.unwrap();
        assert_eq!(first, again);
        assert_ne!(first, other);
        assert_eq!(fake.performed().len(), 2);
    }

    #[tokio::test]
    async fn injected_failures_come_first_and_do_not_act() {
        let fake = FakeAdapter::new(Platform::Discord);
        let limit = ChatError::RateLimited {
            retry_after: Duration::from_millis(250),
        };
        fake.fail_next([limit.clone()]);
        assert_eq!(fake.deliver(&send("k", "x")).await, Err(limit));
        assert!(fake.performed().is_empty());
        assert!(fake.deliver(&send("k", "x")).await.is_ok());
        assert_eq!(fake.performed().len(), 1);
    }
}
