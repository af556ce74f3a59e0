//! Meeting summaries, their decisions and action items, their earlier versions, and the
//! words `search` finds them by. Each change is one transaction with the notices it
//! queues, keyed by the command that made it, so a command seen twice changes nothing twice.

use magnet_chat::Platform;
use sqlx::Row;

use super::bridge::queue_notices;
use super::{NewDelivery, Result, Store, StoreError};
use crate::summary::body::{Action, Owner, Summary};

/// A summary's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryState {
    Draft,
    Published,
    Withdrawn,
}

impl SummaryState {
    pub fn as_str(self) -> &'static str {
        match self {
            SummaryState::Draft => "draft",
            SummaryState::Published => "published",
            SummaryState::Withdrawn => "withdrawn",
        }
    }

    fn parse(text: &str) -> Result<SummaryState> {
        match text {
            "draft" => Ok(SummaryState::Draft),
            "published" => Ok(SummaryState::Published),
            "withdrawn" => Ok(SummaryState::Withdrawn),
            other => Err(StoreError::Invalid(format!("unknown summary state `{other}`"))),
        }
    }
}

/// A summary to record.
pub struct NewSummary<'a> {
    pub pillar_id: &'a str,
    pub occurrence_id: Option<i64>,
    pub draft: bool,
    pub summary: &'a Summary,
    /// When each action's owner is reminded (epoch ms), in the order of the actions.
    pub remind_at: Vec<Option<i64>>,
    pub created_by: &'a str,
    pub source_event: &'a str,
}

/// A summary's new version, as an edit gives it.
pub struct Revision<'a> {
    pub summary: &'a Summary,
    /// When each action's owner is reminded, in the order of the actions.
    pub remind_at: &'a [Option<i64>],
    pub by: &'a str,
    /// The command that made it.
    pub source_event: &'a str,
}

/// A summary as stored, with its decisions and actions.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub id: i64,
    pub pillar_id: String,
    pub occurrence_id: Option<i64>,
    pub state: SummaryState,
    pub version: i64,
    pub text: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub decisions: Vec<String>,
    pub actions: Vec<ActionRow>,
}

/// An action item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRow {
    pub id: i64,
    pub summary_id: i64,
    pub pillar_id: String,
    pub description: String,
    pub owner_name: String,
    /// The owner's account, where the summary named one.
    pub owner: Option<(Platform, String)>,
    pub due_date: String,
    pub state: String,
}

/// What became of a change to a summary or an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Done,
    /// The same command was seen before: nothing changed again.
    Before,
    /// Not in a state that allows it (the summary withdrawn, the action closed already).
    NotNow,
    /// Someone else changed it at the same moment: nothing changed; try again.
    Raced,
    Unknown,
}

/// A place where the searched words were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub summary_id: i64,
    pub pillar_id: String,
    pub kind: String,
    pub body: String,
    pub created_at: i64,
}

const SUMMARY_COLUMNS: &str = "id, pillar_id, occurrence_id, state, version, text, created_by, created_at, updated_at";

impl Store {
    /// Records a summary (draft or published) with its decisions and actions, and queues
    /// `notices(id)`; `(id, new)`: the same command seen again records nothing.
    pub async fn add_summary(
        &self,
        new: &NewSummary<'_>,
        now: i64,
        notices: impl FnOnce(i64) -> Vec<NewDelivery>,
    ) -> Result<(i64, bool)> {
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO summaries (pillar_id, occurrence_id, state, version, text, created_by, created_at, updated_at,
                                    published_at, published_by, source_event)
             VALUES ($1, $2, $3, 1, $4, $5, $6, $6, $7, $8, $9)
             ON CONFLICT (source_event) DO NOTHING RETURNING id",
        )
        .bind(new.pillar_id)
        .bind(new.occurrence_id)
        .bind(if new.draft { "draft" } else { "published" })
        .bind(&new.summary.text)
        .bind(new.created_by)
        .bind(now)
        .bind((!new.draft).then_some(now))
        .bind((!new.draft).then_some(new.created_by))
        .bind(new.source_event)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            tx.rollback().await?;
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM summaries WHERE source_event = $1")
                .bind(new.source_event)
                .fetch_one(self.pool())
                .await?;
            return Ok((id, false));
        };
        let id: i64 = row.try_get("id")?;
        write_items(&mut tx, id, new.summary, &new.remind_at, now).await?;
        if !new.draft {
            index_for_search(&mut tx, id).await?;
        }
        queue_notices(&mut tx, &notices(id), now).await?;
        tx.commit().await?;
        Ok((id, true))
    }

    /// A summary with its decisions and actions.
    pub async fn summary(&self, id: i64) -> Result<Option<SummaryRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM summaries WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut summary = summary_from_row(&row)?;
        self.fill_items(&mut summary).await?;
        Ok(Some(summary))
    }

    /// Reads a summary's decisions and actions into it.
    async fn fill_items(&self, summary: &mut SummaryRow) -> Result<()> {
        let decisions: Vec<(String,)> =
            sqlx::query_as("SELECT text FROM decisions WHERE summary_id = $1 ORDER BY position")
                .bind(summary.id)
                .fetch_all(self.pool())
                .await?;
        summary.decisions = decisions.into_iter().map(|(text,)| text).collect();
        summary.actions = self.actions_where("a.summary_id = $1", summary.id).await?;
        Ok(())
    }

    /// The newest summaries of the pillars given (all when `None`) that `keep` keeps, with
    /// their decisions and actions.
    pub async fn summaries(
        &self,
        pillars: Option<&[String]>,
        keep: impl Fn(&SummaryRow) -> bool,
        limit: i64,
    ) -> Result<Vec<SummaryRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM summaries ORDER BY created_at DESC, id DESC"
        )))
        .fetch_all(self.pool())
        .await?;
        let mut found = Vec::new();
        for row in &rows {
            let summary = summary_from_row(row)?;
            if pillars.is_none_or(|p| p.contains(&summary.pillar_id)) && keep(&summary) {
                found.push(summary);
            }
            if found.len() as i64 >= limit {
                break;
            }
        }
        for summary in &mut found {
            self.fill_items(summary).await?;
        }
        Ok(found)
    }

    /// Replaces a summary's text, decisions and actions with `summary`, keeping the
    /// version it replaces. Actions unchanged (same what, owner and due date) keep their
    /// state; those left out are dropped.
    pub async fn edit_summary(
        &self,
        id: i64,
        edit: &Revision<'_>,
        now: i64,
        notices: impl FnOnce(i64) -> Vec<NewDelivery>,
    ) -> Result<Changed> {
        let &Revision {
            summary,
            remind_at,
            by,
            source_event,
        } = edit;
        let mut tx = self.pool().begin().await?;
        let Some((state, version)) = state_of(&mut tx, id).await? else {
            return Ok(Changed::Unknown);
        };
        if state == SummaryState::Withdrawn {
            return Ok(Changed::NotNow);
        }
        if !keep_version(&mut tx, id, version, by, source_event, now).await? {
            tx.rollback().await?;
            return self.replay_or_race(source_event).await;
        }
        // Only the version and state read above: another change between them makes this one
        // stop (on PostgreSQL the kept version's key already keeps two edits apart).
        let updated = sqlx::query(
            "UPDATE summaries SET text = $1, version = version + 1, updated_at = $2
              WHERE id = $3 AND version = $4 AND state = $5",
        )
        .bind(&summary.text)
        .bind(now)
        .bind(id)
        .bind(version)
        .bind(state.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(Changed::Raced);
        }
        sqlx::query("DELETE FROM decisions WHERE summary_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // The actions that stay keep their rows (and state); the others are dropped.
        let kept: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, description, owner_name, due_date FROM action_items WHERE summary_id = $1 AND state <> 'dropped'",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut new_actions = Vec::new();
        let mut new_reminders = Vec::new();
        let mut staying = Vec::new();
        for (n, action) in summary.actions.iter().enumerate() {
            let due = action.due.format("%Y-%m-%d").to_string();
            match kept.iter().find(|(row, what, owner, date)| {
                !staying.contains(row) && *what == action.what && owner == action.owner_name() && *date == due
            }) {
                Some((row, ..)) => {
                    staying.push(*row);
                    sqlx::query("UPDATE action_items SET position = $1 WHERE id = $2")
                        .bind(n as i64)
                        .bind(*row)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    new_actions.push((n, action.clone()));
                    new_reminders.push(remind_at.get(n).copied().flatten());
                }
            }
        }
        for (row, ..) in kept.iter().filter(|(row, ..)| !staying.contains(row)) {
            sqlx::query("UPDATE action_items SET state = 'dropped', closed_at = $1, closed_by = $2 WHERE id = $3 AND state = 'open'")
                .bind(now)
                .bind(by)
                .bind(*row)
                .execute(&mut *tx)
                .await?;
        }
        for (n, text) in summary.decisions.iter().enumerate() {
            insert_decision(&mut tx, id, n, text).await?;
        }
        for ((n, action), remind) in new_actions.iter().zip(new_reminders) {
            insert_action(&mut tx, id, *n, action, remind, now).await?;
        }
        if state == SummaryState::Published {
            index_for_search(&mut tx, id).await?;
        }
        queue_notices(&mut tx, &notices(id), now).await?;
        tx.commit().await?;
        Ok(Changed::Done)
    }

    /// Withdraws a summary: it stays, marked, and out of search; its open actions are not
    /// reminded any more.
    pub async fn withdraw_summary(
        &self,
        id: i64,
        by: &str,
        source_event: &str,
        now: i64,
        notices: impl FnOnce(i64) -> Vec<NewDelivery>,
    ) -> Result<Changed> {
        let mut tx = self.pool().begin().await?;
        let Some((state, version)) = state_of(&mut tx, id).await? else {
            return Ok(Changed::Unknown);
        };
        if state == SummaryState::Withdrawn {
            return Ok(Changed::NotNow);
        }
        if !keep_version(&mut tx, id, version, by, source_event, now).await? {
            tx.rollback().await?;
            return self.replay_or_race(source_event).await;
        }
        let updated = sqlx::query(
            "UPDATE summaries SET state = 'withdrawn', withdrawn_at = $1, withdrawn_by = $2, updated_at = $1
              WHERE id = $3 AND version = $4 AND state = $5",
        )
        .bind(now)
        .bind(by)
        .bind(id)
        .bind(version)
        .bind(state.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(Changed::Raced);
        }
        sqlx::query("DELETE FROM summary_search WHERE summary_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Only a published summary's rooms knew of it.
        if state == SummaryState::Published {
            queue_notices(&mut tx, &notices(id), now).await?;
        }
        tx.commit().await?;
        Ok(Changed::Done)
    }

    /// Publishes a draft (one of the secretariat approved it) and queues
    /// `notices(id, version)`.
    pub async fn publish_summary(
        &self,
        id: i64,
        by: &str,
        now: i64,
        notices: impl FnOnce(i64, i64) -> Vec<NewDelivery>,
    ) -> Result<Changed> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE summaries SET state = 'published', published_at = $1, published_by = $2, updated_at = $1
             WHERE id = $3 AND state = 'draft' RETURNING version",
        )
        .bind(now)
        .bind(by)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(done) = done else {
            tx.rollback().await?;
            return Ok(match self.summary(id).await? {
                None => Changed::Unknown,
                Some(summary) if summary.state == SummaryState::Published => Changed::Before,
                Some(_) => Changed::NotNow,
            });
        };
        // The version published, as it is now (an edit may have come since it was read).
        let version: i64 = done.try_get("version")?;
        index_for_search(&mut tx, id).await?;
        queue_notices(&mut tx, &notices(id, version), now).await?;
        tx.commit().await?;
        Ok(Changed::Done)
    }

    /// The last session of a pillar (or of one of its meetings) that has begun and was
    /// not cancelled or moved away: what a summary is about by default.
    pub async fn last_held_session(&self, pillar_id: &str, meeting: Option<i64>, now: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT o.id FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id
              WHERE m.pillar_id = $1 AND ($2 < 0 OR m.id = $2) AND o.starts_at <= $3
                AND o.state IN ('held', 'scheduled')
              ORDER BY o.starts_at DESC LIMIT 1",
        )
        .bind(pillar_id)
        .bind(meeting.unwrap_or(-1))
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Why a version could not be kept: the same command seen before, or another change
    /// to the summary at the same moment.
    async fn replay_or_race(&self, source_event: &str) -> Result<Changed> {
        let seen: Option<(i64,)> = sqlx::query_as("SELECT summary_id FROM summary_versions WHERE source_event = $1")
            .bind(source_event)
            .fetch_optional(self.pool())
            .await?;
        Ok(if seen.is_some() {
            Changed::Before
        } else {
            Changed::Raced
        })
    }

    /// An action item.
    pub async fn action(&self, id: i64) -> Result<Option<ActionRow>> {
        Ok(self.actions_where("a.id = $1", id).await?.into_iter().next())
    }

    /// Marks an open action done or dropped.
    pub async fn close_action(&self, id: i64, done: bool, by: &str, now: i64) -> Result<Changed> {
        let closed = sqlx::query(
            "UPDATE action_items SET state = $1, closed_at = $2, closed_by = $3
              WHERE id = $4 AND state = 'open'
                AND summary_id IN (SELECT id FROM summaries WHERE state = 'published')",
        )
        .bind(if done { "done" } else { "dropped" })
        .bind(now)
        .bind(by)
        .bind(id)
        .execute(self.pool())
        .await?;
        if closed.rows_affected() == 1 {
            return Ok(Changed::Done);
        }
        Ok(match self.action(id).await? {
            None => Changed::Unknown,
            Some(action) if action.state == if done { "done" } else { "dropped" } => Changed::Before,
            Some(_) => Changed::NotNow,
        })
    }

    /// The open actions of published summaries, by due date; with `overdue_on`
    /// (YYYY-MM-DD), only those due before that day.
    pub async fn open_actions(&self, overdue_on: Option<&str>) -> Result<Vec<ActionRow>> {
        // Every date is before the end of the calendar.
        let before = overdue_on.unwrap_or("9999-12-31~");
        let rows = sqlx::query(
            "SELECT a.id, a.summary_id, s.pillar_id, a.description, a.owner_name, a.owner_platform, a.owner_user,
                    a.due_date, a.state
               FROM action_items a JOIN summaries s ON s.id = a.summary_id
              WHERE a.state = 'open' AND s.state = 'published' AND a.due_date < $1
              ORDER BY a.due_date, a.id",
        )
        .bind(before)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(action_from_row).collect()
    }

    /// Claims the action reminders that are due (each once, whoever else tries) and queues
    /// `plan(action, its pillar's rooms)` for each in the same transaction; the rooms to wake.
    pub async fn claim_due_action_reminders(
        &self,
        now: i64,
        plan: impl Fn(&ActionRow, &[i64]) -> Vec<NewDelivery>,
    ) -> Result<Vec<i64>> {
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT a.id FROM action_items a JOIN summaries s ON s.id = a.summary_id
              WHERE a.reminded_at IS NULL AND a.state = 'open' AND a.remind_at <= $1 AND s.state = 'published'
              ORDER BY a.remind_at LIMIT 200",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let mut woken = Vec::new();
        for (id,) in due {
            let Some(action) = self.action(id).await? else { continue };
            let mut tx = self.pool().begin().await?;
            let taken = sqlx::query("UPDATE action_items SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if taken.rows_affected() != 1 {
                tx.rollback().await?;
                continue;
            }
            let rooms: Vec<(i64,)> =
                sqlx::query_as("SELECT id FROM rooms WHERE pillar_id = $1 AND active = 1 ORDER BY platform DESC, id")
                    .bind(&action.pillar_id)
                    .fetch_all(&mut *tx)
                    .await?;
            let rooms: Vec<i64> = rooms.into_iter().map(|(id,)| id).collect();
            let notices = plan(&action, &rooms);
            woken.extend(notices.iter().map(|n| n.room_id));
            queue_notices(&mut tx, &notices, now).await?;
            tx.commit().await?;
        }
        woken.sort_unstable();
        woken.dedup();
        Ok(woken)
    }

    /// The next time an action's owner is to be reminded.
    pub async fn next_action_reminder(&self) -> Result<Option<i64>> {
        let (next,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(a.remind_at) FROM action_items a JOIN summaries s ON s.id = a.summary_id
              WHERE a.reminded_at IS NULL AND a.state = 'open' AND s.state = 'published'",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(next)
    }

    /// The published summaries' texts, decisions and actions with all of `words`, newest
    /// first (SQLite FTS5; PostgreSQL full-text search).
    pub async fn search_summaries(&self, words: &[String], pillars: &[String], limit: i64) -> Result<Vec<Found>> {
        if words.is_empty() || pillars.is_empty() {
            return Ok(Vec::new());
        }
        // Only the pillars asked for: `$3, $4, …`.
        let within = (0..pillars.len())
            .map(|n| format!("${}", n + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let (sql, query) = match self.backend() {
            super::Backend::Sqlite => (
                "SELECT f.summary_id, s.pillar_id, f.kind, f.body, s.created_at FROM summary_search f
                   JOIN summaries s ON s.id = f.summary_id
                  WHERE summary_search MATCH $1 AND s.pillar_id IN ({within})
                  ORDER BY s.created_at DESC, f.summary_id DESC, f.rowid LIMIT $2",
                // Each word quoted: what people type is words, never FTS syntax.
                words
                    .iter()
                    .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            super::Backend::Postgres => (
                "SELECT f.summary_id, s.pillar_id, f.kind, f.body, s.created_at FROM summary_search f
                   JOIN summaries s ON s.id = f.summary_id
                  WHERE f.words @@ plainto_tsquery('simple', $1) AND s.pillar_id IN ({within})
                  ORDER BY s.created_at DESC, f.summary_id DESC LIMIT $2",
                words.join(" "),
            ),
        };
        let sql = sql.replace("{within}", &within);
        let mut select = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(query).bind(limit);
        for pillar in pillars {
            select = select.bind(pillar);
        }
        let rows = select.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(Found {
                    summary_id: row.try_get("summary_id")?,
                    pillar_id: row.try_get("pillar_id")?,
                    kind: row.try_get("kind")?,
                    body: row.try_get("body")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn actions_where(&self, condition: &str, value: i64) -> Result<Vec<ActionRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.id, a.summary_id, s.pillar_id, a.description, a.owner_name, a.owner_platform, a.owner_user,
                    a.due_date, a.state
               FROM action_items a JOIN summaries s ON s.id = a.summary_id
              WHERE {condition} ORDER BY a.position, a.id"
        )))
        .bind(value)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(action_from_row).collect()
    }
}

async fn state_of(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> Result<Option<(SummaryState, i64)>> {
    let row: Option<(String, i64)> = sqlx::query_as("SELECT state, version FROM summaries WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(state, version)| Ok((SummaryState::parse(&state)?, version)))
        .transpose()
}

/// Keeps the current version of a summary before it changes; false if `source_event`
/// replaced a version already (the command was seen before).
async fn keep_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    version: i64,
    by: &str,
    source_event: &str,
    now: i64,
) -> Result<bool> {
    let (text,): (String,) = sqlx::query_as("SELECT text FROM summaries WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let decisions: Vec<(String,)> =
        sqlx::query_as("SELECT text FROM decisions WHERE summary_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let actions: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT description, owner_name, due_date FROM action_items WHERE summary_id = $1 AND state <> 'dropped' ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let decisions: Vec<String> = decisions.into_iter().map(|(d,)| d).collect();
    let actions: Vec<serde_json::Value> = actions
        .into_iter()
        .map(|(what, owner, due)| serde_json::json!({"what": what, "owner": owner, "due": due}))
        .collect();
    let kept = sqlx::query(
        "INSERT INTO summary_versions (summary_id, version, text, decisions, actions, replaced_by, replaced_at, source_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(version)
    .bind(text)
    .bind(serde_json::to_string(&decisions).expect("strings are JSON"))
    .bind(serde_json::Value::Array(actions).to_string())
    .bind(by)
    .bind(now)
    .bind(source_event)
    .execute(&mut **tx)
    .await?;
    Ok(kept.rows_affected() == 1)
}

async fn write_items(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    summary: &Summary,
    remind_at: &[Option<i64>],
    now: i64,
) -> Result<()> {
    for (n, text) in summary.decisions.iter().enumerate() {
        insert_decision(tx, id, n, text).await?;
    }
    for (n, action) in summary.actions.iter().enumerate() {
        insert_action(tx, id, n, action, remind_at.get(n).copied().flatten(), now).await?;
    }
    Ok(())
}

async fn insert_decision(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64, n: usize, text: &str) -> Result<()> {
    sqlx::query("INSERT INTO decisions (summary_id, position, text) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(n as i64)
        .bind(text)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_action(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    n: usize,
    action: &Action,
    remind_at: Option<i64>,
    now: i64,
) -> Result<()> {
    let (platform, user) = match &action.owner {
        Owner::Matrix(user) => (Some("matrix"), Some(user.as_str())),
        Owner::Discord(user) => (Some("discord"), Some(user.as_str())),
        Owner::Named(_) => (None, None),
    };
    sqlx::query(
        "INSERT INTO action_items (summary_id, position, description, owner_name, owner_platform, owner_user, due_date,
                                   state, created_at, remind_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9)",
    )
    .bind(id)
    .bind(n as i64)
    .bind(&action.what)
    .bind(action.owner_name())
    .bind(platform)
    .bind(user)
    .bind(action.due.format("%Y-%m-%d").to_string())
    .bind(now)
    .bind(remind_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Makes the search rows of a summary match its current version.
async fn index_for_search(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM summary_search WHERE summary_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let mut rows: Vec<(String, String)> = Vec::new();
    let (text,): (String,) = sqlx::query_as("SELECT text FROM summaries WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    if !text.is_empty() {
        rows.push(("summary".into(), text));
    }
    let decisions: Vec<(String,)> =
        sqlx::query_as("SELECT text FROM decisions WHERE summary_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    rows.extend(decisions.into_iter().map(|(d,)| ("decision".to_string(), d)));
    let actions: Vec<(String, String)> = sqlx::query_as(
        "SELECT description, owner_name FROM action_items WHERE summary_id = $1 AND state <> 'dropped' ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    rows.extend(
        actions
            .into_iter()
            .map(|(what, owner)| ("action".to_string(), format!("{what} @{owner}"))),
    );
    for (kind, body) in rows {
        sqlx::query("INSERT INTO summary_search (body, summary_id, kind) VALUES ($1, $2, $3)")
            .bind(body)
            .bind(id)
            .bind(kind)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<SummaryRow> {
    Ok(SummaryRow {
        id: row.try_get("id")?,
        pillar_id: row.try_get("pillar_id")?,
        occurrence_id: row.try_get("occurrence_id")?,
        state: SummaryState::parse(&row.try_get::<String, _>("state")?)?,
        version: row.try_get("version")?,
        text: row.try_get("text")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        decisions: Vec::new(),
        actions: Vec::new(),
    })
}

fn action_from_row(row: &sqlx::any::AnyRow) -> Result<ActionRow> {
    let platform: Option<String> = row.try_get("owner_platform")?;
    let user: Option<String> = row.try_get("owner_user")?;
    Ok(ActionRow {
        id: row.try_get("id")?,
        summary_id: row.try_get("summary_id")?,
        pillar_id: row.try_get("pillar_id")?,
        description: row.try_get("description")?,
        owner_name: row.try_get("owner_name")?,
        owner: platform.as_deref().and_then(Platform::parse).zip(user),
        due_date: row.try_get("due_date")?,
        state: row.try_get("state")?,
    })
}
