//! A core stand-in for adapter tests: records what an adapter hands it, once per event id
//! and kind, and keeps positions as the real store does (message events only).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use magnet_chat::{Commit, EventKind, EventSink, InboundEvent, Platform, ResumePoint, SinkError};
use tokio::sync::Notify;

#[derive(Default)]
pub struct RecordingSink {
    events: Mutex<Vec<InboundEvent>>,
    positions: Mutex<HashMap<String, ResumePoint>>,
    changed: Notify,
}

#[async_trait::async_trait]
impl EventSink for RecordingSink {
    async fn commit(&self, event: InboundEvent) -> Result<Commit, SinkError> {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let key = (&event.event_id, event.kind.dedup_kind());
        if events.iter().any(|e| (&e.event_id, e.kind.dedup_kind()) == key) {
            return Ok(Commit::Duplicate);
        }
        if matches!(event.kind, EventKind::Message(_) | EventKind::PollStart(_)) {
            let point = ResumePoint {
                event_id: event.event_id.clone(),
                timestamp_ms: event.timestamp_ms,
            };
            self.positions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(event.room.clone(), point);
        }
        events.push(event);
        self.changed.notify_waiters();
        Ok(Commit::Recorded)
    }

    async fn resume_point(&self, _: Platform, room: &str) -> Result<Option<ResumePoint>, SinkError> {
        Ok(self
            .positions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(room)
            .cloned())
    }

    async fn mark_start(&self, _: Platform, room: &str, start: ResumePoint) -> Result<(), SinkError> {
        self.positions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(room.to_string())
            .or_insert(start);
        Ok(())
    }
}

impl RecordingSink {
    /// Every event committed so far, in commit order.
    pub fn events(&self) -> Vec<InboundEvent> {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits until at least `count` events were committed; returns them all. Panics with
    /// how many came if they did not within `timeout`.
    pub async fn wait_for_count(&self, count: usize, timeout: Duration) -> Vec<InboundEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            let events = self.events();
            if events.len() >= count {
                return events;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "only {} of {count} events arrived", events.len());
            let _ = tokio::time::timeout(left, notified).await;
        }
    }
}
