//! The bridge's durable state: inbound events seen once, the per-room position for
//! catch-up, the message id map, and the per-target delivery queue.
//!
//! The order of operations is the design's exactly-once protocol: an inbound event, the
//! deliveries it causes and the room's new position are one transaction
//! ([`Store::record_inbound`]); a delivery is marked sending before it is sent and
//! delivered (with its remote id, payload dropped) after, in one transaction.

use sqlx::Row;

use super::{Result, Store, StoreError, now_ms};

/// An inbound event to record, with the deliveries it causes.
#[derive(Debug, Clone)]
pub struct InboundRecord {
    /// The stored room it arrived in.
    pub room_id: i64,
    pub remote_event_id: String,
    /// The kind part of the unique key (see `EventKind::dedup_kind`).
    pub kind: String,
    pub sender_id: String,
    pub event_ts: i64,
    /// Set when the event is a new message: it starts an entry in the id map, in this pillar.
    pub starts_message_in: Option<String>,
    /// Whether the room's catch-up position moves to this event. Only new messages move
    /// it: Discord lists messages, not edits or reactions, so only a message id is a place
    /// to read on from.
    pub advances_position: bool,
    pub deliveries: Vec<NewDelivery>,
    /// A person's reaction made or taken back in the source room, kept with the event so a
    /// crash never leaves one without the other.
    pub reaction: Option<ReactionChange>,
}

/// A reaction to remember or forget in a room, in the transaction of the event or the
/// delivery that made or took it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReactionChange {
    /// Made: the person's own (`by_bot` false, in the room they made it) or the bot's for
    /// them. Already there: the event is a replay and changes nothing.
    Record {
        message_id: i64,
        room_id: i64,
        sender: String,
        key: String,
        remote_id: String,
        by_bot: bool,
    },
    /// Taken back. Not there: a replay; nothing changes.
    Forget {
        message_id: i64,
        room_id: i64,
        sender: String,
        key: String,
    },
}

/// One delivery to create.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub room_id: i64,
    /// `send`, `edit`, `delete`, `react` or `unreact`.
    pub action: String,
    /// The message it concerns; `None` means the message this inbound event starts.
    pub message_id: Option<i64>,
    pub payload: String,
}

/// What recording an inbound event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    New {
        inbound_id: i64,
        message_id: Option<i64>,
        delivery_ids: Vec<i64>,
    },
    /// Seen before: nothing changed.
    Duplicate,
}

/// Where catch-up resumes in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub event_id: String,
    pub event_ts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Sending,
    Delivered,
    Dead,
}

impl DeliveryState {
    fn parse(text: &str) -> Result<DeliveryState> {
        Ok(match text {
            "pending" => DeliveryState::Pending,
            "sending" => DeliveryState::Sending,
            "delivered" => DeliveryState::Delivered,
            "dead" => DeliveryState::Dead,
            other => {
                return Err(StoreError::Invalid(format!("unknown delivery state `{other}`")));
            }
        })
    }
}

/// A delivery waiting for its worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub room_id: i64,
    pub seq: i64,
    pub message_id: Option<i64>,
    pub action: String,
    pub payload: Option<String>,
    pub state: DeliveryState,
    pub attempts: i64,
    /// Not to be tried before this time (epoch ms): backoff and rate limits.
    pub not_before: i64,
    /// When it was first tried (epoch ms); `None` if never. A delivery tried before may
    /// have reached the room already (a crash, a timeout): it is looked for before a resend.
    pub first_tried_at: Option<i64>,
}

/// A room whose deliveries wait for the secretariat after a run of identical refusals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PausedRoom {
    pub room_id: i64,
    pub platform: String,
    pub remote_room: String,
    pub pillar_id: Option<String>,
    pub reason: String,
    /// Epoch ms.
    pub since: i64,
}

/// A delivery that was given up on, for the secretariat to see and retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: i64,
    pub room_id: i64,
    pub platform: String,
    pub remote_room: String,
    pub pillar_id: Option<String>,
    pub action: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

const DELIVERY_COLUMNS: &str =
    "id, room_id, seq, message_id, action, payload, state, attempts, not_before, first_tried_at";

impl Store {
    /// Records an inbound event, the deliveries it causes and the room's new position, all
    /// or nothing. A second call with the same room, event id and kind changes nothing.
    pub async fn record_inbound(&self, record: &InboundRecord) -> Result<Recorded> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO inbound_events (room_id, remote_event_id, kind, sender_id, event_ts, received_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (room_id, remote_event_id, kind) DO NOTHING RETURNING id",
        )
        .bind(record.room_id)
        .bind(&record.remote_event_id)
        .bind(&record.kind)
        .bind(&record.sender_id)
        .bind(record.event_ts)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(inserted) = inserted else {
            tx.rollback().await?;
            return Ok(Recorded::Duplicate);
        };
        let inbound_id: i64 = inserted.try_get("id")?;
        if let Some(change) = &record.reaction
            && !apply_reaction(&mut tx, change).await?
        {
            // The reaction was made (or taken back) already: a replay under another id.
            tx.rollback().await?;
            return Ok(Recorded::Duplicate);
        }

        let message_id = match &record.starts_message_in {
            Some(pillar_id) => {
                let row = sqlx::query(
                    "INSERT INTO bridged_messages (pillar_id, origin_room_id, created_at, sender_id) VALUES ($1, $2, $3, $4)
                     RETURNING id",
                )
                .bind(pillar_id)
                .bind(record.room_id)
                .bind(now)
                .bind(&record.sender_id)
                .fetch_one(&mut *tx)
                .await?;
                let id: i64 = row.try_get("id")?;
                sqlx::query("INSERT INTO message_copies (message_id, room_id, remote_id) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(record.room_id)
                    .bind(&record.remote_event_id)
                    .execute(&mut *tx)
                    .await?;
                Some(id)
            }
            None => None,
        };

        let mut delivery_ids = Vec::with_capacity(record.deliveries.len());
        for delivery in &record.deliveries {
            let id = insert_delivery(
                &mut tx,
                delivery.room_id,
                Some(inbound_id),
                delivery.message_id.or(message_id),
                &delivery.action,
                &delivery.payload,
                now,
            )
            .await?;
            delivery_ids.push(id);
        }

        if record.advances_position {
            advance_position(&mut tx, record.room_id, &record.remote_event_id, record.event_ts, now).await?;
        }
        tx.commit().await?;
        Ok(Recorded::New {
            inbound_id,
            message_id,
            delivery_ids,
        })
    }

    /// The inbound events recorded in a room, in the order they were committed, as
    /// (remote event id, kind).
    pub async fn inbound_events(&self, room_id: i64) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT remote_event_id, kind FROM inbound_events WHERE room_id = $1 ORDER BY id")
            .bind(room_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("remote_event_id")?, row.try_get("kind")?)))
            .collect()
    }

    /// How many deliveries are in each state, for metrics.
    pub async fn delivery_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state ORDER BY state")
                .fetch_all(self.pool())
                .await?;
        Ok(rows)
    }

    /// Whether an inbound event was recorded already.
    pub async fn inbound_seen(&self, room_id: i64, remote_event_id: &str, kind: &str) -> Result<bool> {
        let row =
            sqlx::query("SELECT id FROM inbound_events WHERE room_id = $1 AND remote_event_id = $2 AND kind = $3")
                .bind(room_id)
                .bind(remote_event_id)
                .bind(kind)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    /// Deliveries per pillar (of the target room) and state, for the status command.
    pub async fn delivery_counts_by_pillar(&self) -> Result<Vec<(Option<String>, String, i64)>> {
        let rows = sqlx::query(
            "SELECT r.pillar_id, d.state, COUNT(*) AS n FROM deliveries d JOIN rooms r ON r.id = d.room_id
             GROUP BY r.pillar_id, d.state",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("pillar_id")?, row.try_get("state")?, row.try_get("n")?)))
            .collect()
    }

    /// Whether the deletion of a bridged message is already on its way: a second report of
    /// it (the platform telling us about a copy we deleted ourselves) is not relayed again.
    pub async fn deletion_planned(&self, message_id: i64) -> Result<bool> {
        let row = sqlx::query("SELECT id FROM deliveries WHERE message_id = $1 AND action = 'delete' LIMIT 1")
            .bind(message_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Every open delivery's room, to start workers for rooms with work left from before.
    pub async fn rooms_with_open_deliveries(&self) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT DISTINCT room_id FROM deliveries WHERE state IN ('pending', 'sending')")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| row.try_get("room_id").map_err(Into::into))
            .collect()
    }

    /// Where catch-up resumes in a room: the newest event committed there.
    pub async fn position(&self, room_id: i64) -> Result<Option<Position>> {
        let row = sqlx::query("SELECT event_id, event_ts FROM room_positions WHERE room_id = $1")
            .bind(room_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(Position {
                event_id: row.try_get("event_id")?,
                event_ts: row.try_get("event_ts")?,
            })
        })
        .transpose()
    }

    /// Sets the room's position if it has none: the point a newly served room starts from.
    pub async fn set_position_if_absent(&self, room_id: i64, event_id: &str, event_ts: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO room_positions (room_id, event_id, event_ts, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (room_id) DO NOTHING",
        )
        .bind(room_id)
        .bind(event_id)
        .bind(event_ts)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The first open delivery for a room, in sequence order. Later deliveries wait behind
    /// it, so order per room holds even across retries. A paused room has none until it is
    /// resumed.
    pub async fn next_delivery(&self, room_id: i64) -> Result<Option<Delivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE room_id = $1 AND state IN ('pending', 'sending')
             AND NOT EXISTS (SELECT 1 FROM rooms WHERE id = $1 AND paused_at IS NOT NULL)
             ORDER BY seq LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(room_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(delivery_from_row).transpose()
    }

    /// A delivery by id, in whatever state.
    pub async fn delivery(&self, id: i64) -> Result<Option<Delivery>> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(delivery_from_row).transpose()
    }

    /// Marks a delivery as being sent, before the send; counts the attempt.
    ///
    /// On PostgreSQL with the instance lease, only while the lease's session still holds the
    /// lock: an instance whose lease was taken over finds out here, before it sends, not at
    /// its next lease check.
    pub async fn mark_sending(&self, id: i64) -> Result<()> {
        let fence = match self.lease_pid() {
            Some(_) => " AND EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = $3 AND granted)",
            None => "",
        };
        let sql = format!(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = $2,
                 first_tried_at = COALESCE(first_tried_at, $2)
             WHERE id = $1 AND state IN ('pending', 'sending'){fence}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(now_ms());
        if let Some(pid) = self.lease_pid() {
            query = query.bind(pid);
        }
        let done = query.execute(self.pool()).await?;
        if let (0, Some(pid)) = (done.rows_affected(), self.lease_pid()) {
            let (held,): (bool,) = sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = $1 AND granted)",
            )
            .bind(pid)
            .fetch_one(self.pool())
            .await?;
            if !held {
                return Err(StoreError::Invalid(
                    "this instance no longer holds the instance lease; not sending".into(),
                ));
            }
        }
        expect_one(done.rows_affected(), id, "mark as sending")
    }

    /// Records a successful send: the remote id, the copy in the id map, and the payload
    /// dropped, in one transaction.
    pub async fn mark_delivered(&self, id: i64, remote_id: &str) -> Result<()> {
        self.mark_delivered_with(id, remote_id, &[], None).await
    }

    /// [`Store::mark_delivered`], with what the parts after the first became (a delivery
    /// sent in several) and the bot's reaction placed or taken back by the delivery,
    /// remembered in the same transaction.
    pub async fn mark_delivered_with(
        &self,
        id: i64,
        remote_id: &str,
        more_parts: &[String],
        reaction: Option<&ReactionChange>,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "UPDATE deliveries SET state = 'delivered', remote_id = $2, payload = NULL, last_error = NULL, updated_at = $3
             WHERE id = $1 AND state IN ('pending', 'sending') RETURNING room_id, message_id, action",
        )
        .bind(id)
        .bind(remote_id)
        .bind(now_ms())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("delivery {id} is not open; cannot mark it delivered")))?;
        let action: String = row.try_get("action")?;
        let message_id: Option<i64> = row.try_get("message_id")?;
        let room_id: i64 = row.try_get("room_id")?;
        for (n, part) in more_parts.iter().enumerate() {
            sqlx::query("INSERT INTO delivery_parts (delivery_id, part, room_id, remote_id) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(n as i64 + 1)
                .bind(room_id)
                .bind(part)
                .execute(&mut *tx)
                .await?;
        }
        if let (Some(message_id), "send") = (message_id, action.as_str()) {
            sqlx::query(
                "INSERT INTO message_copies (message_id, room_id, remote_id) VALUES ($1, $2, $3)
                 ON CONFLICT (message_id, room_id) DO UPDATE SET remote_id = excluded.remote_id",
            )
            .bind(message_id)
            .bind(room_id)
            .bind(remote_id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(change) = reaction {
            apply_reaction(&mut tx, change).await?;
        }
        // A reminder is sent when its delivery is (see `store::schedule`).
        sqlx::query(
            "UPDATE reminders SET state = CASE WHEN late = 1 THEN 'late' ELSE 'sent' END, sent_at = $2, remote_id = $3
             WHERE delivery_id = $1 AND state = 'claimed'",
        )
        .bind(id)
        .bind(now_ms())
        .bind(remote_id)
        .execute(&mut *tx)
        .await?;
        // So is a survey's post: its remote id is where votes on its poll will point.
        sqlx::query("UPDATE survey_posts SET remote_id = $2 WHERE delivery_id = $1")
            .bind(id)
            .bind(remote_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a failed delivery back in line, not to be tried before `not_before` (epoch ms).
    pub async fn mark_retry(&self, id: i64, error: &str, not_before: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', last_error = $2, not_before = $3, updated_at = $4
             WHERE id = $1 AND state IN ('pending', 'sending')",
        )
        .bind(id)
        .bind(error)
        .bind(not_before)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        expect_one(done.rows_affected(), id, "retry")
    }

    /// Takes back the attempt counted for a try that a rate limit turned away.
    pub async fn forgive_attempt(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE deliveries SET attempts = attempts - 1 WHERE id = $1 AND attempts > 0")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Gives up on a delivery; the worker goes on with the next one.
    pub async fn mark_dead(&self, id: i64, error: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'dead', last_error = $2, updated_at = $3 WHERE id = $1 AND state IN ('pending', 'sending')",
        )
        .bind(id)
        .bind(error)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        expect_one(done.rows_affected(), id, "dead-letter")
    }

    /// Dead-lettered deliveries, newest first, optionally for one pillar.
    pub async fn dead_letters(&self, pillar_id: Option<&str>) -> Result<Vec<DeadLetter>> {
        let rows = sqlx::query(
            "SELECT d.id, d.room_id, r.platform, r.remote_id, r.pillar_id, d.action, d.attempts, d.last_error, d.updated_at
             FROM deliveries d JOIN rooms r ON r.id = d.room_id
             WHERE d.state = 'dead' AND ($1 IS NULL OR r.pillar_id = $1)
             ORDER BY d.updated_at DESC, d.id DESC",
        )
        .bind(pillar_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeadLetter {
                    id: row.try_get("id")?,
                    room_id: row.try_get("room_id")?,
                    platform: row.try_get("platform")?,
                    remote_room: row.try_get("remote_id")?,
                    pillar_id: row.try_get("pillar_id")?,
                    action: row.try_get("action")?,
                    attempts: row.try_get("attempts")?,
                    last_error: row.try_get("last_error")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Puts a dead letter back in its queue with a fresh attempt count. It keeps its sequence
    /// number; the worker picks it up first. Returns false if it was not dead.
    pub async fn retry_dead(&self, id: i64) -> Result<bool> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', attempts = 0, not_before = $2, updated_at = $2 WHERE id = $1 AND state = 'dead'",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether a remote message in a room is already accounted for: a bridged message or
    /// its copy, or what another delivery there recorded (any of its parts). A copy that an
    /// earlier attempt of `delivery_id` may have left is only taken for it if it is not.
    pub async fn remote_claimed(&self, room_id: i64, remote_id: &str, delivery_id: i64) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM message_copies WHERE room_id = $1 AND remote_id = $2
             UNION ALL SELECT 1 AS one FROM deliveries WHERE room_id = $1 AND remote_id = $2 AND id <> $3
             UNION ALL SELECT 1 AS one FROM delivery_parts WHERE room_id = $1 AND remote_id = $2 AND delivery_id <> $3
             LIMIT 1",
        )
        .bind(room_id)
        .bind(remote_id)
        .bind(delivery_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Dead-letters a delivery that can never be recorded (the store refuses it for good),
    /// keeping what was sent, if anything, so that it is claimed and shown.
    pub async fn set_aside_delivery(&self, id: i64, error: &str, remote_id: Option<&str>) -> Result<()> {
        sqlx::query(
            "UPDATE deliveries SET state = 'dead', last_error = $2, remote_id = COALESCE($3, remote_id), updated_at = $4
             WHERE id = $1 AND state IN ('pending', 'sending')",
        )
        .bind(id)
        .bind(error)
        .bind(remote_id)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records an inbound event the store could never record with its deliveries: as seen,
    /// with the reason, and the room's position moved past it, so that catch-up goes on.
    pub async fn set_aside_inbound(&self, record: &InboundRecord, reason: &str) -> Result<()> {
        match self.set_aside_inbound_once(record, reason).await {
            Err(error) if error.is_permanent() => {
                // The event's own row is what the store refuses: moving on past it is all
                // that is left (the caller logged it, and it is counted there).
                tracing::warn!(%error, event = %record.remote_event_id, "an event cannot even be set aside; moving past it");
                if record.advances_position {
                    let mut tx = self.pool().begin().await?;
                    advance_position(
                        &mut tx,
                        record.room_id,
                        &record.remote_event_id,
                        record.event_ts,
                        now_ms(),
                    )
                    .await?;
                    tx.commit().await?;
                }
                Ok(())
            }
            other => other,
        }
    }

    async fn set_aside_inbound_once(&self, record: &InboundRecord, reason: &str) -> Result<()> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO inbound_events (room_id, remote_event_id, kind, sender_id, event_ts, received_at, set_aside)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (room_id, remote_event_id, kind) DO NOTHING",
        )
        .bind(record.room_id)
        .bind(&record.remote_event_id)
        .bind(&record.kind)
        .bind(&record.sender_id)
        .bind(record.event_ts)
        .bind(now)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        if record.advances_position {
            advance_position(&mut tx, record.room_id, &record.remote_event_id, record.event_ts, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Inbound events set aside so far, for metrics.
    pub async fn set_aside_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) AS n FROM inbound_events WHERE set_aside IS NOT NULL")
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Pauses a room's deliveries after a run of identical refusals, in one transaction:
    /// the run's dead letters go back in line (resuming sends them first, in order) and the
    /// secretariat's notices are queued. False if the room was paused already (nothing done).
    pub async fn pause_room(&self, room_id: i64, reason: &str, run: &[i64], notices: &[NewDelivery]) -> Result<bool> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let done =
            sqlx::query("UPDATE rooms SET paused_reason = $2, paused_at = $3 WHERE id = $1 AND paused_at IS NULL")
                .bind(room_id)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for id in run {
            sqlx::query(
                "UPDATE deliveries SET state = 'pending', attempts = 0, not_before = $2, updated_at = $2
                 WHERE id = $1 AND room_id = $3 AND state = 'dead'",
            )
            .bind(id)
            .bind(now)
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        }
        for notice in notices {
            insert_delivery(
                &mut tx,
                notice.room_id,
                None,
                notice.message_id,
                &notice.action,
                &notice.payload,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Resumes the paused rooms of a pillar (or all); returns the rooms resumed.
    pub async fn resume_rooms(&self, pillar_id: Option<&str>) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "UPDATE rooms SET paused_reason = NULL, paused_at = NULL
             WHERE paused_at IS NOT NULL AND ($1 IS NULL OR pillar_id = $1) RETURNING id",
        )
        .bind(pillar_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| row.try_get("id").map_err(Into::into)).collect()
    }

    /// The paused rooms, oldest pause first: (room, reason, since).
    pub async fn paused_rooms(&self) -> Result<Vec<PausedRoom>> {
        let rows = sqlx::query(
            "SELECT id, platform, remote_id, pillar_id, paused_reason, paused_at FROM rooms
             WHERE paused_at IS NOT NULL ORDER BY paused_at, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PausedRoom {
                    room_id: row.try_get("id")?,
                    platform: row.try_get("platform")?,
                    remote_room: row.try_get("remote_id")?,
                    pillar_id: row.try_get("pillar_id")?,
                    reason: row.try_get::<Option<String>, _>("paused_reason")?.unwrap_or_default(),
                    since: row.try_get("paused_at")?,
                })
            })
            .collect()
    }

    /// Puts every dead letter (of one pillar, or all) back in its queue; returns them as
    /// (delivery, room), in delivery order.
    pub async fn retry_all_dead(&self, pillar_id: Option<&str>) -> Result<Vec<(i64, i64)>> {
        let now = now_ms();
        let rows = sqlx::query(
            "UPDATE deliveries SET state = 'pending', attempts = 0, not_before = $2, updated_at = $2
             WHERE state = 'dead' AND room_id IN (SELECT id FROM rooms WHERE $1 IS NULL OR pillar_id = $1)
             RETURNING id, room_id",
        )
        .bind(pillar_id)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let mut ids: Vec<(i64, i64)> = rows
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("room_id")?)))
            .collect::<Result<_>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Whether a person's reaction is remembered in a room.
    pub async fn has_reaction(&self, message_id: i64, room_id: i64, sender: &str, key: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM bridged_reactions WHERE message_id = $1 AND room_id = $2 AND sender = $3 AND key = $4",
        )
        .bind(message_id)
        .bind(room_id)
        .bind(sender)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// The reactions with this key the bot placed on a bridged message in a room, for whom:
    /// (sender, remote id).
    pub async fn bot_reactions(&self, message_id: i64, room_id: i64, key: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT sender, remote_id FROM bridged_reactions
             WHERE message_id = $1 AND room_id = $2 AND key = $3 AND by_bot = 1 ORDER BY sender",
        )
        .bind(message_id)
        .bind(room_id)
        .bind(key)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("sender")?, row.try_get("remote_id")?)))
            .collect()
    }

    /// The reaction a remote event id is in a room (a Matrix reaction being redacted):
    /// (bridged message, sender, key).
    pub async fn reaction_for_remote(&self, room_id: i64, remote_id: &str) -> Result<Option<(i64, String, String)>> {
        let row = sqlx::query(
            "SELECT message_id, sender, key FROM bridged_reactions WHERE room_id = $1 AND remote_id = $2 LIMIT 1",
        )
        .bind(room_id)
        .bind(remote_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| Ok((row.try_get("message_id")?, row.try_get("sender")?, row.try_get("key")?)))
            .transpose()
    }

    /// The bridged message a remote event belongs to, if any (original or copy).
    pub async fn message_for_remote(&self, room_id: i64, remote_id: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT message_id FROM message_copies WHERE room_id = $1 AND remote_id = $2")
            .bind(room_id)
            .bind(remote_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| row.try_get("message_id")).transpose().map_err(Into::into)
    }

    /// The remote id of a bridged message's copy in a room, once it is delivered.
    pub async fn copy_in_room(&self, message_id: i64, room_id: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT remote_id FROM message_copies WHERE message_id = $1 AND room_id = $2")
            .bind(message_id)
            .bind(room_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| row.try_get("remote_id")).transpose().map_err(Into::into)
    }
}

/// Moves a room's catch-up position forward to an event (never back), inside the caller's
/// transaction.
async fn advance_position(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    room_id: i64,
    event_id: &str,
    event_ts: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO room_positions (room_id, event_id, event_ts, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (room_id) DO UPDATE SET event_id = excluded.event_id, event_ts = excluded.event_ts,
             updated_at = excluded.updated_at
         WHERE excluded.event_ts >= room_positions.event_ts",
    )
    .bind(room_id)
    .bind(event_id)
    .bind(event_ts)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Remembers or forgets a reaction inside the caller's transaction; says whether it
/// changed anything.
async fn apply_reaction(tx: &mut sqlx::Transaction<'_, sqlx::Any>, change: &ReactionChange) -> Result<bool> {
    let done = match change {
        ReactionChange::Record {
            message_id,
            room_id,
            sender,
            key,
            remote_id,
            by_bot,
        } => {
            sqlx::query(
                "INSERT INTO bridged_reactions (message_id, room_id, sender, key, remote_id, by_bot)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (message_id, room_id, sender, key) DO NOTHING",
            )
            .bind(message_id)
            .bind(room_id)
            .bind(sender)
            .bind(key)
            .bind(remote_id)
            .bind(i64::from(*by_bot))
            .execute(&mut **tx)
            .await?
        }
        ReactionChange::Forget {
            message_id,
            room_id,
            sender,
            key,
        } => {
            sqlx::query(
                "DELETE FROM bridged_reactions WHERE message_id = $1 AND room_id = $2 AND sender = $3 AND key = $4",
            )
            .bind(message_id)
            .bind(room_id)
            .bind(sender)
            .bind(key)
            .execute(&mut **tx)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// Queues notices (deliveries caused by no inbound event), each at the end of its room's
/// line, inside the caller's transaction.
pub(super) async fn queue_notices(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    notices: &[NewDelivery],
    now: i64,
) -> Result<()> {
    for notice in notices {
        insert_delivery(
            tx,
            notice.room_id,
            None,
            notice.message_id,
            &notice.action,
            &notice.payload,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Queues a delivery at the end of its room's line, inside the caller's transaction.
pub(super) async fn insert_delivery(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    room_id: i64,
    inbound_id: Option<i64>,
    message_id: Option<i64>,
    action: &str,
    payload: &str,
    now: i64,
) -> Result<i64> {
    // Taking the next number from the room row serialises concurrent writers on
    // PostgreSQL, so sequence numbers never collide or go backwards.
    let seq: i64 = sqlx::query("UPDATE rooms SET next_seq = next_seq + 1 WHERE id = $1 RETURNING next_seq")
        .bind(room_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("delivery to unknown room {room_id}")))?
        .try_get("next_seq")?;
    let row = sqlx::query(
        "INSERT INTO deliveries (room_id, seq, inbound_event_id, message_id, action, payload, state, attempts,
                                 not_before, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $7) RETURNING id",
    )
    .bind(room_id)
    .bind(seq)
    .bind(inbound_id)
    .bind(message_id)
    .bind(action)
    .bind(payload)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

fn delivery_from_row(row: &sqlx::any::AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: row.try_get("id")?,
        room_id: row.try_get("room_id")?,
        seq: row.try_get("seq")?,
        message_id: row.try_get("message_id")?,
        action: row.try_get("action")?,
        payload: row.try_get("payload")?,
        state: DeliveryState::parse(&row.try_get::<String, _>("state")?)?,
        attempts: row.try_get("attempts")?,
        not_before: row.try_get("not_before")?,
        first_tried_at: row.try_get("first_tried_at")?,
    })
}

fn expect_one(affected: u64, id: i64, what: &str) -> Result<()> {
    if affected == 1 {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "delivery {id} is not open; cannot {what} it"
        )))
    }
}
