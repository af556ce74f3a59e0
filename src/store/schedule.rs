//! Meetings, their occurrences and reminders, RSVPs and attendance.
//!
//! A reminder follows the design's exactly-once shape: a row per (occurrence, room,
//! offset) with a unique key; the scheduler claims due rows (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite has one writer) and, in the same transaction, turns each into a
//! delivery in its room's queue, which the bridge's worker sends with an idempotency key;
//! the delivery marked delivered marks the reminder sent (see `mark_delivered`). A crash
//! between any two steps leaves a row that the next run picks up where it stopped.
//!
//! Times are UTC epoch milliseconds; offsets are seconds.

use sqlx::Row;

use super::bridge::insert_delivery;
use super::{Backend, NewDelivery, Result, Store, StoreError};

/// A meeting: one-off, or a series by a cron rule in its time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub pillar_id: String,
    pub title: String,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub until_at: Option<i64>,
    pub agenda: Option<String>,
    pub location: Option<String>,
    /// Seconds before each occurrence.
    pub reminder_offsets: Vec<i64>,
    pub cancelled: bool,
    pub created_by: String,
    pub unwritten_from: Option<i64>,
}

/// A meeting to add (its id and state come from the store).
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub pillar_id: String,
    pub title: String,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub until_at: Option<i64>,
    pub agenda: Option<String>,
    pub location: Option<String>,
    pub reminder_offsets: Vec<i64>,
    pub created_by: String,
    /// The command that adds it (platform:room:event id); the same command again adds nothing.
    pub source_event: Option<String>,
}

/// One time a meeting happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceRow {
    pub id: i64,
    pub meeting_id: i64,
    pub starts_at: i64,
    /// `scheduled`, `cancelled`, `moved` or `held`.
    pub state: String,
    /// Where a moved occurrence went.
    pub moved_to: Option<i64>,
}

/// The next stretch of a meeting's occurrences to write, and the first start after it
/// (`None`: the series ends with this stretch).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stretch {
    pub starts: Vec<i64>,
    pub unwritten_from: Option<i64>,
}

/// A reminder whose time has come, as the claim sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub id: i64,
    pub room_id: i64,
    pub due_at: i64,
    pub starts_at: i64,
}

/// What the claim does with a due reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Not yet: leave it pending.
    Wait,
    /// Queue this delivery payload; `late` marks it as sent late.
    Send { payload: String, late: bool },
    /// Record it as missed.
    Missed,
}

/// A reminder with what its message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRow {
    pub id: i64,
    pub room_id: i64,
    pub offset_seconds: i64,
    pub due_at: i64,
    pub state: String,
    pub late: bool,
    pub occurrence: OccurrenceRow,
}

/// What one claim of due reminders did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Due rows looked at (fewer than the limit: none left).
    pub rows: usize,
    /// Queued as deliveries.
    pub queued: usize,
    /// Recorded as missed.
    pub missed: usize,
    /// The rooms that got a delivery, each once.
    pub rooms: Vec<i64>,
}

/// What moving an occurrence did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// Moved; the new occurrence's id.
    To(i64),
    /// The meeting already has an occurrence at the new time.
    Taken,
    /// The occurrence is no longer scheduled (moved, cancelled or held meanwhile).
    NotScheduled,
}

/// RSVP counts of an occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RsvpCounts {
    pub yes: i64,
    pub no: i64,
    pub maybe: i64,
}

impl NewMeeting {
    /// The meeting as it reads back once stored with this id.
    pub fn stored(&self, id: i64) -> MeetingRow {
        MeetingRow {
            id,
            pillar_id: self.pillar_id.clone(),
            title: self.title.clone(),
            starts_at: self.starts_at,
            duration_minutes: self.duration_minutes,
            timezone: self.timezone.clone(),
            recurrence: self.recurrence.clone(),
            until_at: self.until_at,
            agenda: self.agenda.clone(),
            location: self.location.clone(),
            reminder_offsets: self.reminder_offsets.clone(),
            cancelled: false,
            created_by: self.created_by.clone(),
            unwritten_from: None,
        }
    }
}

const MEETING_COLUMNS: &str = "id, pillar_id, title, starts_at, duration_minutes, timezone, recurrence, until_at, \
     agenda, location, reminder_offsets, state, created_by, unwritten_from";

impl Store {
    /// Adds a meeting with its first stretch of occurrences and their reminders (only those
    /// due after `now`: a reminder whose time passed before the meeting existed is not one).
    /// `announce` gives the notices to queue with it, knowing its id. Returns the id and
    /// whether it is new (`false`: its command was seen before and added it then).
    pub async fn add_meeting(
        &self,
        meeting: &NewMeeting,
        stretch: &Stretch,
        now: i64,
        announce: impl FnOnce(i64) -> Vec<NewDelivery>,
    ) -> Result<(i64, bool)> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO meetings (pillar_id, title, starts_at, duration_minutes, timezone, recurrence, until_at,
                                   agenda, location, reminder_offsets, state, created_by, created_at, updated_at,
                                   unwritten_from, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled', $11, $12, $12, $13, $14)
             ON CONFLICT (source_event) DO NOTHING RETURNING id",
        )
        .bind(&meeting.pillar_id)
        .bind(&meeting.title)
        .bind(meeting.starts_at)
        .bind(meeting.duration_minutes)
        .bind(&meeting.timezone)
        .bind(&meeting.recurrence)
        .bind(meeting.until_at)
        .bind(&meeting.agenda)
        .bind(&meeting.location)
        .bind(offsets_text(&meeting.reminder_offsets))
        .bind(&meeting.created_by)
        .bind(now)
        .bind(stretch.unwritten_from)
        .bind(&meeting.source_event)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM meetings WHERE source_event = $1")
                .bind(&meeting.source_event)
                .fetch_one(self.pool())
                .await?;
            return Ok((id, false));
        };
        let id: i64 = row.try_get("id")?;
        for start in &stretch.starts {
            write_occurrence(&mut tx, id, &meeting.pillar_id, *start, &meeting.reminder_offsets, now).await?;
        }
        super::bridge::queue_notices(&mut tx, &announce(id), now).await?;
        tx.commit().await?;
        Ok((id, true))
    }

    pub async fn meeting(&self, id: i64) -> Result<Option<MeetingRow>> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(meeting_from_row).transpose()
    }

    /// Every meeting of a pillar (or all), newest first: for the calendar feed.
    pub async fn meetings(&self, pillar_id: Option<&str>) -> Result<Vec<MeetingRow>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE ($1 IS NULL OR pillar_id = $1) ORDER BY starts_at DESC, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(pillar_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(meeting_from_row).collect()
    }

    /// Occurrences still to come (scheduled, starting at or after `from`), soonest first,
    /// with their meetings.
    pub async fn upcoming(
        &self,
        pillar_id: Option<&str>,
        from: i64,
        limit: i64,
    ) -> Result<Vec<(MeetingRow, OccurrenceRow)>> {
        self.occurrences_from(pillar_id, from, limit, true).await
    }

    /// Occurrences starting at or after `from` in any state (cancelled and moved ones too:
    /// a calendar feed tells subscribers about them), soonest first, with their meetings.
    pub async fn occurrences_from(
        &self,
        pillar_id: Option<&str>,
        from: i64,
        limit: i64,
        only_scheduled: bool,
    ) -> Result<Vec<(MeetingRow, OccurrenceRow)>> {
        let columns: String = MEETING_COLUMNS
            .split(", ")
            .map(|c| format!("m.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, o.id AS o_id, o.starts_at AS o_starts_at, o.state AS o_state, o.moved_to AS o_moved_to
             FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id
             WHERE ($4 = 0 OR o.state = 'scheduled') AND o.starts_at >= $1 AND ($2 IS NULL OR m.pillar_id = $2)
             ORDER BY o.starts_at, o.id LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(pillar_id)
            .bind(limit)
            .bind(i64::from(only_scheduled))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let meeting = meeting_from_row(row)?;
                let occurrence = OccurrenceRow {
                    id: row.try_get("o_id")?,
                    meeting_id: meeting.id,
                    starts_at: row.try_get("o_starts_at")?,
                    state: row.try_get("o_state")?,
                    moved_to: row.try_get("o_moved_to")?,
                };
                Ok((meeting, occurrence))
            })
            .collect()
    }

    /// A meeting's occurrences written so far, in time order.
    pub async fn occurrences(&self, meeting_id: i64) -> Result<Vec<OccurrenceRow>> {
        let rows = sqlx::query(
            "SELECT id, meeting_id, starts_at, state, moved_to FROM meeting_occurrences WHERE meeting_id = $1 ORDER BY starts_at, id",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(occurrence_from_row).collect()
    }

    pub async fn occurrence(&self, id: i64) -> Result<Option<OccurrenceRow>> {
        let row =
            sqlx::query("SELECT id, meeting_id, starts_at, state, moved_to FROM meeting_occurrences WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(occurrence_from_row).transpose()
    }

    /// Cancels occurrences (one, or every one still to come and the series itself): their
    /// reminders not yet sent are dropped, queued ones taken out of the queue, and the
    /// notices are queued, in one transaction. Returns how many occurrences were cancelled.
    pub async fn cancel_meeting(
        &self,
        meeting_id: i64,
        occurrence_id: Option<i64>,
        now: i64,
        notices: &[NewDelivery],
    ) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        if occurrence_id.is_none() {
            // The meeting row first: its lock orders this against a series being extended.
            sqlx::query(
                "UPDATE meetings SET state = 'cancelled', unwritten_from = NULL, updated_at = $2 WHERE id = $1",
            )
            .bind(meeting_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let cancelled = sqlx::query(
            "UPDATE meeting_occurrences SET state = 'cancelled'
             WHERE meeting_id = $1 AND state = 'scheduled' AND ($2 IS NULL OR id = $2) AND ($2 IS NOT NULL OR starts_at >= $3)
             RETURNING id",
        )
        .bind(meeting_id)
        .bind(occurrence_id)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for row in &cancelled {
            drop_reminders(&mut tx, row.try_get("id")?).await?;
        }
        if cancelled.is_empty() && occurrence_id.is_some() {
            // Nothing changed: no notice either (a command seen again lands here).
            tx.rollback().await?;
            return Ok(0);
        }
        if !cancelled.is_empty() {
            super::bridge::queue_notices(&mut tx, notices, now).await?;
        }
        tx.commit().await?;
        Ok(cancelled.len() as u64)
    }

    /// Moves one occurrence: the old one is marked moved (its reminders dropped), a new one
    /// written at `new_start` with reminders due after `now` (and the RSVPs), and the
    /// notices queued, in one transaction.
    pub async fn move_occurrence(
        &self,
        meeting: &MeetingRow,
        occurrence_id: i64,
        new_start: i64,
        now: i64,
        notices: &[NewDelivery],
    ) -> Result<Moved> {
        let mut tx = self.pool().begin().await?;
        // The meeting row first, as cancel and `meeting reminders` do: its lock orders them,
        // and the offsets are read as they are now.
        let locked = sqlx::query(
            "UPDATE meetings SET updated_at = $2 WHERE id = $1 AND state = 'scheduled' RETURNING reminder_offsets",
        )
        .bind(meeting.id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(locked) = locked else {
            tx.rollback().await?;
            return Ok(Moved::NotScheduled);
        };
        let offsets = parse_offsets(&locked.try_get::<String, _>("reminder_offsets")?)?;
        let moved = sqlx::query(
            "UPDATE meeting_occurrences SET state = 'moved' WHERE id = $1 AND meeting_id = $2 AND state = 'scheduled'",
        )
        .bind(occurrence_id)
        .bind(meeting.id)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(Moved::NotScheduled);
        }
        drop_reminders(&mut tx, occurrence_id).await?;
        let Some(new_id) = write_occurrence(&mut tx, meeting.id, &meeting.pillar_id, new_start, &offsets, now).await?
        else {
            tx.rollback().await?;
            return Ok(Moved::Taken);
        };
        sqlx::query("UPDATE meeting_occurrences SET moved_to = $2 WHERE id = $1")
            .bind(occurrence_id)
            .bind(new_id)
            .execute(&mut *tx)
            .await?;
        // RSVPs follow the meeting to its new time (an occurrence brought back there drops
        // the answers it had before it was cancelled or moved away).
        sqlx::query("DELETE FROM rsvps WHERE occurrence_id = $1")
            .bind(new_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE rsvps SET occurrence_id = $2 WHERE occurrence_id = $1")
            .bind(occurrence_id)
            .bind(new_id)
            .execute(&mut *tx)
            .await?;
        if meeting.recurrence.is_none() {
            sqlx::query("UPDATE meetings SET starts_at = $2, updated_at = $3 WHERE id = $1")
                .bind(meeting.id)
                .bind(new_start)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        super::bridge::queue_notices(&mut tx, notices, now).await?;
        tx.commit().await?;
        Ok(Moved::To(new_id))
    }

    /// Sets a meeting's reminder offsets: the reminders of its occurrences to come that
    /// were not sent are replaced by the new ones (those still due after `now`).
    pub async fn set_reminder_offsets(&self, meeting: &MeetingRow, offsets: &[i64], now: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE meetings SET reminder_offsets = $2, updated_at = $3 WHERE id = $1")
            .bind(meeting.id)
            .bind(offsets_text(offsets))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let open = sqlx::query(
            "SELECT id, starts_at FROM meeting_occurrences WHERE meeting_id = $1 AND state = 'scheduled' AND starts_at > $2",
        )
        .bind(meeting.id)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for row in &open {
            let occurrence: i64 = row.try_get("id")?;
            let starts_at: i64 = row.try_get("starts_at")?;
            // Overdue ones stay: the scheduler sends or records them by the lateness policy.
            sqlx::query("DELETE FROM reminders WHERE occurrence_id = $1 AND state = 'pending' AND due_at > $2")
                .bind(occurrence)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            write_reminders(&mut tx, occurrence, &meeting.pillar_id, starts_at, offsets, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a person's answer (one per person per occurrence; a new one replaces it).
    pub async fn record_rsvp(
        &self,
        occurrence_id: i64,
        platform: &str,
        user_id: &str,
        display_name: &str,
        answer: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        // A person's linked accounts answer once: this answer replaces the others'.
        sqlx::query(
            "DELETE FROM rsvps WHERE occurrence_id = $1 AND NOT (platform = $2 AND user_id = $3) AND EXISTS
               (SELECT 1 FROM linked_accounts a JOIN linked_accounts me ON me.person = a.person
                WHERE me.platform = $2 AND me.user_id = $3 AND a.platform = rsvps.platform AND a.user_id = rsvps.user_id)",
        )
        .bind(occurrence_id)
        .bind(platform)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO rsvps (occurrence_id, platform, user_id, display_name, answer, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (occurrence_id, platform, user_id) DO UPDATE SET answer = excluded.answer,
                 display_name = excluded.display_name, updated_at = excluded.updated_at",
        )
        .bind(occurrence_id)
        .bind(platform)
        .bind(user_id)
        .bind(display_name)
        .bind(answer)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn rsvp_counts(&self, occurrence_id: i64) -> Result<RsvpCounts> {
        let rows = sqlx::query("SELECT answer, COUNT(*) AS n FROM rsvps WHERE occurrence_id = $1 GROUP BY answer")
            .bind(occurrence_id)
            .fetch_all(self.pool())
            .await?;
        let mut counts = RsvpCounts::default();
        for row in &rows {
            let n: i64 = row.try_get("n")?;
            match row.try_get::<String, _>("answer")?.as_str() {
                "yes" => counts.yes = n,
                "no" => counts.no = n,
                _ => counts.maybe = n,
            }
        }
        Ok(counts)
    }

    /// Who answered what, for `meeting show`: (name, platform, answer), by answer then name.
    pub async fn rsvps(&self, occurrence_id: i64) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT display_name, platform, answer FROM rsvps WHERE occurrence_id = $1 ORDER BY answer DESC, display_name",
        )
        .bind(occurrence_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("display_name")?, r.try_get("platform")?, r.try_get("answer")?)))
            .collect()
    }

    /// Attendance of an occurrence (the people who had answered yes when it was held).
    pub async fn attendance(&self, occurrence_id: i64) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT display_name FROM attendance WHERE occurrence_id = $1 ORDER BY display_name")
            .bind(occurrence_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("display_name")?)).collect()
    }

    /// A reminder and its occurrence, for rendering its message.
    pub async fn reminder(&self, id: i64) -> Result<Option<ReminderRow>> {
        let row = sqlx::query(
            "SELECT r.id, r.room_id, r.offset_seconds, r.due_at, r.state, r.late,
                    o.id AS o_id, o.meeting_id, o.starts_at, o.state AS o_state, o.moved_to
             FROM reminders r JOIN meeting_occurrences o ON o.id = r.occurrence_id WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(ReminderRow {
                id: row.try_get("id")?,
                room_id: row.try_get("room_id")?,
                offset_seconds: row.try_get("offset_seconds")?,
                due_at: row.try_get("due_at")?,
                state: row.try_get("state")?,
                late: row.try_get::<i64, _>("late")? != 0,
                occurrence: OccurrenceRow {
                    id: row.try_get("o_id")?,
                    meeting_id: row.try_get("meeting_id")?,
                    starts_at: row.try_get("starts_at")?,
                    state: row.try_get("o_state")?,
                    moved_to: row.try_get("moved_to")?,
                },
            })
        })
        .transpose()
    }

    /// A claimed reminder found stale when its turn came (the meeting began, was cancelled
    /// or moved): recorded as missed, not sent.
    pub async fn mark_reminder_missed(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE reminders SET state = 'missed' WHERE id = $1 AND state = 'claimed'")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The occurrence a reminder message in a room is about (a reaction to it is an answer).
    pub async fn reminded_occurrence(&self, room_id: i64, remote_id: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT occurrence_id FROM reminders WHERE room_id = $1 AND remote_id = $2 LIMIT 1")
                .bind(room_id)
                .bind(remote_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Reminder counts by state, for status, metrics and tests.
    pub async fn reminder_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM reminders GROUP BY state ORDER BY state")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("state")?, r.try_get("n")?)))
            .collect()
    }

    /// Series with starts not yet written before `horizon`.
    pub async fn series_to_extend(&self, horizon: i64, limit: i64) -> Result<Vec<MeetingRow>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE state = 'scheduled' AND unwritten_from <= $1
             ORDER BY unwritten_from LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(horizon)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(meeting_from_row).collect()
    }

    /// Writes a series' next stretch, if no one did yet (another instance may have).
    /// Reminders are written from `due_since` (when the stretch should have been written),
    /// so ones that fell due while the bot was down meet the lateness policy, not oblivion.
    pub async fn extend_series(&self, meeting: &MeetingRow, stretch: &Stretch, due_since: i64) -> Result<bool> {
        let Some(was_due) = meeting.unwritten_from else {
            return Ok(false);
        };
        let mut tx = self.pool().begin().await?;
        let taken = sqlx::query(
            "UPDATE meetings SET unwritten_from = $3 WHERE id = $1 AND unwritten_from = $2 AND state = 'scheduled'
             RETURNING reminder_offsets",
        )
        .bind(meeting.id)
        .bind(was_due)
        .bind(stretch.unwritten_from)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(taken) = taken else {
            tx.rollback().await?;
            return Ok(false);
        };
        // The offsets as they are now, read under the row's lock.
        let offsets = parse_offsets(&taken.try_get::<String, _>("reminder_offsets")?)?;
        for start in &stretch.starts {
            write_occurrence(&mut tx, meeting.id, &meeting.pillar_id, *start, &offsets, due_since).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Claims the reminders due by `now` (up to `limit`), decides each one's fate, and
    /// queues the sends, in one transaction.
    pub async fn claim_due_reminders(
        &self,
        now: i64,
        limit: i64,
        instance: &str,
        decide: impl Fn(&DueReminder) -> Fate,
    ) -> Result<Claimed> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE OF r SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT r.id, r.room_id, r.due_at, o.starts_at FROM reminders r
             JOIN meeting_occurrences o ON o.id = r.occurrence_id
             WHERE r.state = 'pending' AND r.due_at <= $1 ORDER BY r.due_at, r.id LIMIT $2{lock}"
        );
        let mut tx = self.pool().begin().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut claimed = Claimed {
            rows: rows.len(),
            ..Claimed::default()
        };
        for row in &rows {
            let due = DueReminder {
                id: row.try_get("id")?,
                room_id: row.try_get("room_id")?,
                due_at: row.try_get("due_at")?,
                starts_at: row.try_get("starts_at")?,
            };
            match decide(&due) {
                Fate::Wait => {}
                Fate::Send { payload, late } => {
                    // Claim first: a row someone else claimed meanwhile is left to them.
                    let taken = sqlx::query(
                        "UPDATE reminders SET state = 'claimed', claimed_by = $2, claimed_at = $3, late = $4
                         WHERE id = $1 AND state = 'pending'",
                    )
                    .bind(due.id)
                    .bind(instance)
                    .bind(now)
                    .bind(i64::from(late))
                    .execute(&mut *tx)
                    .await?;
                    if taken.rows_affected() != 1 {
                        continue;
                    }
                    let delivery = insert_delivery(&mut tx, due.room_id, None, None, "send", &payload, now).await?;
                    sqlx::query("UPDATE reminders SET delivery_id = $2 WHERE id = $1")
                        .bind(due.id)
                        .bind(delivery)
                        .execute(&mut *tx)
                        .await?;
                    claimed.queued += 1;
                    claimed.rooms.push(due.room_id);
                }
                Fate::Missed => {
                    let taken = sqlx::query(
                        "UPDATE reminders SET state = 'missed', claimed_by = $2, claimed_at = $3
                         WHERE id = $1 AND state = 'pending'",
                    )
                    .bind(due.id)
                    .bind(instance)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    claimed.missed += taken.rows_affected() as usize;
                }
            }
        }
        tx.commit().await?;
        claimed.rooms.sort_unstable();
        claimed.rooms.dedup();
        Ok(claimed)
    }

    /// Marks occurrences that have ended by `now` as held, keeping as attendance the people
    /// who had answered yes. Returns how many were closed.
    pub async fn close_ended_occurrences(&self, now: i64) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let ended = sqlx::query(
            "SELECT o.id FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id
             WHERE o.state = 'scheduled' AND o.starts_at + m.duration_minutes * 60000 <= $1",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for row in &ended {
            let id: i64 = row.try_get("id")?;
            let held =
                sqlx::query("UPDATE meeting_occurrences SET state = 'held' WHERE id = $1 AND state = 'scheduled'")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            if held.rows_affected() == 1 {
                sqlx::query(
                    "INSERT INTO attendance (occurrence_id, platform, user_id, display_name, recorded_at)
                     SELECT occurrence_id, platform, user_id, display_name, $2 FROM rsvps
                     WHERE occurrence_id = $1 AND answer = 'yes'
                     ON CONFLICT (occurrence_id, platform, user_id) DO NOTHING",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(ended.len() as u64)
    }

    /// The next time the scheduler has work: a reminder due, a series to extend (`lead`
    /// ms before its next unwritten start), or an occurrence ending.
    pub async fn next_schedule_time(&self, lead: i64) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT (SELECT MIN(due_at) FROM reminders WHERE state = 'pending') AS reminder,
                    (SELECT MIN(unwritten_from) - $1 FROM meetings WHERE state = 'scheduled') AS extend,
                    (SELECT MIN(o.starts_at + m.duration_minutes * 60000) FROM meeting_occurrences o
                        JOIN meetings m ON m.id = o.meeting_id WHERE o.state = 'scheduled') AS ends",
        )
        .bind(lead)
        .fetch_one(self.pool())
        .await?;
        let times: [Option<i64>; 3] = [row.try_get("reminder")?, row.try_get("extend")?, row.try_get("ends")?];
        Ok(times.into_iter().flatten().min())
    }
}

/// Writes an occurrence and its reminders (those due after `not_before`), one per active
/// room of the pillar and offset; a moved or cancelled one at that time is brought back.
/// `None` if the meeting already has a scheduled or held one at that time.
async fn write_occurrence(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    meeting_id: i64,
    pillar_id: &str,
    starts_at: i64,
    offsets: &[i64],
    not_before: i64,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO meeting_occurrences (meeting_id, starts_at, state) VALUES ($1, $2, 'scheduled')
         ON CONFLICT (meeting_id, starts_at) DO UPDATE SET state = 'scheduled', moved_to = NULL
             WHERE meeting_occurrences.state IN ('moved', 'cancelled')
         RETURNING id",
    )
    .bind(meeting_id)
    .bind(starts_at)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    write_reminders(tx, id, pillar_id, starts_at, offsets, not_before).await?;
    Ok(Some(id))
}

async fn write_reminders(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    occurrence_id: i64,
    pillar_id: &str,
    starts_at: i64,
    offsets: &[i64],
    not_before: i64,
) -> Result<()> {
    for offset in offsets {
        let due = starts_at - offset * 1000;
        if *offset <= 0 || due < not_before {
            continue;
        }
        sqlx::query(
            "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state)
             SELECT $1, id, $2, $3, 'pending' FROM rooms WHERE pillar_id = $4 AND active = 1
             ON CONFLICT (occurrence_id, room_id, offset_seconds) DO UPDATE SET state = 'pending',
                 due_at = excluded.due_at, delivery_id = NULL, late = 0, claimed_by = NULL, claimed_at = NULL
                 WHERE reminders.state = 'cancelled'",
        )
        .bind(occurrence_id)
        .bind(offset)
        .bind(due)
        .bind(pillar_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A room that joined a pillar: the reminders of the pillar's scheduled occurrences still
/// due after `now`, as if it had been there when they were written.
pub(super) async fn remind_new_room(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    room_id: i64,
    pillar_id: &str,
    now: i64,
) -> Result<()> {
    let meetings: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, reminder_offsets FROM meetings WHERE pillar_id = $1 AND state = 'scheduled'")
            .bind(pillar_id)
            .fetch_all(&mut **tx)
            .await?;
    for (meeting, offsets) in meetings {
        for offset in parse_offsets(&offsets)? {
            sqlx::query(
                "INSERT INTO reminders (occurrence_id, room_id, offset_seconds, due_at, state)
                 SELECT id, $2, $3, starts_at - $3 * 1000, 'pending' FROM meeting_occurrences
                 WHERE meeting_id = $1 AND state = 'scheduled' AND starts_at - $3 * 1000 > $4
                 ON CONFLICT (occurrence_id, room_id, offset_seconds) DO NOTHING",
            )
            .bind(meeting)
            .bind(room_id)
            .bind(offset)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// An occurrence's reminders that have not gone out are not to: pending ones are cancelled;
/// claimed ones are taken out of their queue unless their send has begun (then they go out
/// and are recorded as sent).
async fn drop_reminders(tx: &mut sqlx::Transaction<'_, sqlx::Any>, occurrence_id: i64) -> Result<()> {
    let queued = sqlx::query("SELECT id, delivery_id FROM reminders WHERE occurrence_id = $1 AND state = 'claimed'")
        .bind(occurrence_id)
        .fetch_all(&mut **tx)
        .await?;
    for row in &queued {
        let reminder: i64 = row.try_get("id")?;
        let Some(delivery) = row.try_get::<Option<i64>, _>("delivery_id")? else {
            continue;
        };
        sqlx::query("UPDATE reminders SET state = 'cancelled', delivery_id = NULL WHERE id = $1")
            .bind(reminder)
            .execute(&mut **tx)
            .await?;
        // Deleting takes the delivery's row lock, so a worker marking it "sending" at the
        // same moment is either before (nothing deleted: it goes out) or after (nothing left
        // to send).
        let deleted = sqlx::query("DELETE FROM deliveries WHERE id = $1 AND state = 'pending'")
            .bind(delivery)
            .execute(&mut **tx)
            .await?;
        if deleted.rows_affected() == 0 {
            sqlx::query("UPDATE reminders SET state = 'claimed', delivery_id = $2 WHERE id = $1")
                .bind(reminder)
                .bind(delivery)
                .execute(&mut **tx)
                .await?;
        }
    }
    sqlx::query("UPDATE reminders SET state = 'cancelled' WHERE occurrence_id = $1 AND state = 'pending'")
        .bind(occurrence_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn offsets_text(offsets: &[i64]) -> String {
    offsets.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn parse_offsets(offsets: &str) -> Result<Vec<i64>> {
    offsets
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| StoreError::Invalid(format!("bad reminder offsets `{offsets}`")))
        })
        .collect()
}

fn meeting_from_row(row: &sqlx::any::AnyRow) -> Result<MeetingRow> {
    let reminder_offsets = parse_offsets(&row.try_get::<String, _>("reminder_offsets")?)?;
    Ok(MeetingRow {
        id: row.try_get("id")?,
        pillar_id: row.try_get("pillar_id")?,
        title: row.try_get("title")?,
        starts_at: row.try_get("starts_at")?,
        duration_minutes: row.try_get("duration_minutes")?,
        timezone: row.try_get("timezone")?,
        recurrence: row.try_get("recurrence")?,
        until_at: row.try_get("until_at")?,
        agenda: row.try_get("agenda")?,
        location: row.try_get("location")?,
        reminder_offsets,
        cancelled: row.try_get::<String, _>("state")? == "cancelled",
        created_by: row.try_get("created_by")?,
        unwritten_from: row.try_get("unwritten_from")?,
    })
}

fn occurrence_from_row(row: &sqlx::any::AnyRow) -> Result<OccurrenceRow> {
    Ok(OccurrenceRow {
        id: row.try_get("id")?,
        meeting_id: row.try_get("meeting_id")?,
        starts_at: row.try_get("starts_at")?,
        state: row.try_get("state")?,
        moved_to: row.try_get("moved_to")?,
    })
}
