//! The core's implementation of the port's [`EventSink`]: each inbound event is recorded
//! once, with the room's new position, in one transaction, before the adapter counts it as
//! seen.

use magnet_chat::{Commit, EventKind, EventSink, InboundEvent, Platform, ResumePoint, SinkError};

use crate::store::{InboundRecord, Recorded, Store};

/// Commits inbound events to the store.
#[derive(Clone)]
pub struct StoreSink {
    store: Store,
}

impl StoreSink {
    pub fn new(store: Store) -> StoreSink {
        StoreSink { store }
    }

    async fn room_id(&self, platform: Platform, room: &str) -> Result<Option<(i64, Option<String>)>, SinkError> {
        let row = self.store.room(platform, room).await.map_err(internal)?;
        Ok(row.filter(|row| row.active).map(|row| (row.id, row.pillar_id)))
    }
}

#[async_trait::async_trait]
impl EventSink for StoreSink {
    async fn commit(&self, event: InboundEvent) -> Result<Commit, SinkError> {
        let Some((room_id, pillar_id)) = self.room_id(event.platform, &event.room).await? else {
            tracing::debug!(platform = %event.platform, room = %event.room, "event from a room that is not configured; ignored");
            return Ok(Commit::Ignored);
        };
        let is_new_message = matches!(event.kind, EventKind::Message(_) | EventKind::PollStart(_));
        let starts_message_in = if is_new_message { pillar_id } else { None };
        let record = InboundRecord {
            room_id,
            remote_event_id: event.event_id.clone(),
            kind: event.kind.dedup_kind().to_string(),
            sender_id: event.sender.id.clone(),
            event_ts: event.timestamp_ms,
            starts_message_in,
            advances_position: is_new_message,
            deliveries: Vec::new(),
        };
        match self.store.record_inbound(&record).await.map_err(internal)? {
            Recorded::New { .. } => {
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
        let Some((room_id, _)) = self.room_id(platform, room).await? else {
            return Ok(None);
        };
        let position = self.store.position(room_id).await.map_err(internal)?;
        Ok(position.map(|p| ResumePoint {
            event_id: p.event_id,
            timestamp_ms: p.event_ts,
        }))
    }

    async fn mark_start(&self, platform: Platform, room: &str, start: ResumePoint) -> Result<(), SinkError> {
        let Some((room_id, _)) = self.room_id(platform, room).await? else {
            return Err(SinkError(format!("{platform} room {room} is not configured")));
        };
        self.store
            .set_position_if_absent(room_id, &start.event_id, start.timestamp_ms)
            .await
            .map_err(internal)
    }
}

fn internal(error: crate::store::StoreError) -> SinkError {
    tracing::error!(%error, "storing an inbound event failed");
    SinkError(error.to_string())
}
