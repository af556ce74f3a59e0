//! What reports read (the `report_*` views of migration 8, over a period) and the record
//! of report runs: a scheduled report for a period is claimed once, whoever gets there
//! first, and finished together with its posts in one transaction.

use sqlx::Row;

use super::{NewDelivery, Result, Store};

/// A period of a report: `[from, to)`, epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: i64,
    pub to: i64,
}

/// A session of a meeting in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFigure {
    pub session_id: i64,
    pub meeting_id: i64,
    pub pillar_id: String,
    pub title: String,
    pub starts_at: i64,
    pub state: String,
    pub rsvp_yes: i64,
    pub rsvp_maybe: i64,
    pub rsvp_no: i64,
    pub attended: i64,
}

/// A survey that closed in the period or was open at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyFigure {
    pub survey_id: i64,
    pub title: String,
    pub state: String,
    pub anonymous: bool,
    pub closes_at: i64,
    pub respondents: i64,
    /// Results are hidden below this many answers (an anonymous survey with too few).
    pub hidden_below: Option<i64>,
    /// Per pillar: `(pillar, answered, members at the close)`.
    pub pillars: Vec<(String, i64, Option<i64>)>,
}

/// A summary published in the period, with its decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryFigure {
    pub summary_id: i64,
    pub pillar_id: String,
    pub published_at: i64,
    pub decisions: Vec<String>,
    pub actions: i64,
}

/// An action item as reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFigure {
    pub action_id: i64,
    pub summary_id: i64,
    pub pillar_id: String,
    pub description: String,
    pub owner_name: String,
    pub due_date: String,
    pub state: String,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    /// When its summary was published (an action counts as opened from then).
    pub published_at: Option<i64>,
}

/// Messages bridged from one pillar's rooms on one platform, and by how many people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFigure {
    pub pillar_id: String,
    pub platform: String,
    pub messages: i64,
    pub participants: i64,
}

/// Deliveries to one pillar's rooms on one platform: all, failed for good, tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFigure {
    pub pillar_id: String,
    pub platform: String,
    pub deliveries: i64,
    pub failed: i64,
    pub retried: i64,
}

/// A run of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRun {
    pub id: i64,
    pub kind: String,
    pub period_start: i64,
    pub period_end: i64,
    pub state: String,
    pub output: Option<String>,
}

impl Store {
    pub async fn report_sessions(&self, span: Span) -> Result<Vec<SessionFigure>> {
        let rows = sqlx::query(
            "SELECT session_id, meeting_id, pillar_id, title, starts_at, state, rsvp_yes, rsvp_maybe, rsvp_no, attended
               FROM report_sessions WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, session_id",
        )
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SessionFigure {
                    session_id: row.try_get("session_id")?,
                    meeting_id: row.try_get("meeting_id")?,
                    pillar_id: row.try_get("pillar_id")?,
                    title: row.try_get("title")?,
                    starts_at: row.try_get("starts_at")?,
                    state: row.try_get("state")?,
                    rsvp_yes: row.try_get("rsvp_yes")?,
                    rsvp_maybe: row.try_get("rsvp_maybe")?,
                    rsvp_no: row.try_get("rsvp_no")?,
                    attended: row.try_get("attended")?,
                })
            })
            .collect()
    }

    /// Reminders due in the period, counted per pillar and state (`sent`, `late`, `missed`,
    /// `pending`, `claimed`, `cancelled`).
    pub async fn report_reminders(&self, span: Span) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT pillar_id, state, COUNT(*) FROM report_reminders WHERE due_at >= $1 AND due_at < $2
              GROUP BY pillar_id, state ORDER BY pillar_id, state",
        )
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn report_surveys(&self, span: Span) -> Result<Vec<SurveyFigure>> {
        let rows = sqlx::query(
            "SELECT survey_id, title, state, anonymous, closes_at, respondents, hidden_below FROM report_surveys
              WHERE (state = 'closed' AND closed_at >= $1 AND closed_at < $2)
                 OR (state = 'open' AND opens_at < $2)
              ORDER BY closes_at, survey_id",
        )
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?;
        let mut surveys = Vec::new();
        for row in &rows {
            let survey_id: i64 = row.try_get("survey_id")?;
            let pillars: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
                "SELECT pillar_id, answered, members FROM report_survey_pillars WHERE survey_id = $1 ORDER BY pillar_id",
            )
            .bind(survey_id)
            .fetch_all(self.pool())
            .await?;
            surveys.push(SurveyFigure {
                survey_id,
                title: row.try_get("title")?,
                state: row.try_get("state")?,
                anonymous: row.try_get::<i64, _>("anonymous")? != 0,
                closes_at: row.try_get("closes_at")?,
                respondents: row.try_get("respondents")?,
                hidden_below: row.try_get("hidden_below")?,
                pillars,
            });
        }
        Ok(surveys)
    }

    /// The answers counted for a survey, as `(question position, answer JSON)`.
    pub async fn report_survey_answers(&self, survey_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT question, answer FROM report_survey_answers WHERE survey_id = $1 ORDER BY question")
                .bind(survey_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Summaries published in the period, with their decisions.
    pub async fn report_summaries(&self, span: Span) -> Result<Vec<SummaryFigure>> {
        let rows = sqlx::query(
            "SELECT summary_id, pillar_id, published_at, actions FROM report_summaries
              WHERE state = 'published' AND published_at >= $1 AND published_at < $2
              ORDER BY published_at, summary_id",
        )
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?;
        let mut summaries = Vec::new();
        for row in &rows {
            let summary_id: i64 = row.try_get("summary_id")?;
            let decisions: Vec<(String,)> =
                sqlx::query_as("SELECT text FROM report_decisions WHERE summary_id = $1 ORDER BY decision_id")
                    .bind(summary_id)
                    .fetch_all(self.pool())
                    .await?;
            summaries.push(SummaryFigure {
                summary_id,
                pillar_id: row.try_get("pillar_id")?,
                published_at: row.try_get("published_at")?,
                decisions: decisions.into_iter().map(|(d,)| d).collect(),
                actions: row.try_get("actions")?,
            });
        }
        Ok(summaries)
    }

    /// The actions of published summaries made before the period's end: what reports
    /// count as opened, done, open and overdue.
    pub async fn report_actions(&self, span: Span) -> Result<Vec<ActionFigure>> {
        let rows = sqlx::query(
            "SELECT action_id, summary_id, pillar_id, description, owner_name, due_date, state, created_at, closed_at,
                    published_at
               FROM report_actions WHERE created_at < $1 ORDER BY due_date, action_id",
        )
        .bind(span.to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ActionFigure {
                    action_id: row.try_get("action_id")?,
                    summary_id: row.try_get("summary_id")?,
                    pillar_id: row.try_get("pillar_id")?,
                    description: row.try_get("description")?,
                    owner_name: row.try_get("owner_name")?,
                    due_date: row.try_get("due_date")?,
                    state: row.try_get("state")?,
                    created_at: row.try_get("created_at")?,
                    closed_at: row.try_get("closed_at")?,
                    published_at: row.try_get("published_at")?,
                })
            })
            .collect()
    }

    /// Messages bridged in the period per pillar and platform, with their distinct writers.
    pub async fn report_activity(&self, span: Span) -> Result<Vec<ActivityFigure>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT pillar_id, platform, COUNT(*), COUNT(DISTINCT sender_id) FROM report_messages
              WHERE created_at >= $1 AND created_at < $2 GROUP BY pillar_id, platform ORDER BY pillar_id, platform",
        )
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(pillar_id, platform, messages, participants)| ActivityFigure {
                pillar_id,
                platform,
                messages,
                participants,
            })
            .collect())
    }

    /// Distinct writers per pillar over the whole period (a person active on both
    /// platforms counts on each).
    pub async fn report_participants(&self, span: Span) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT pillar_id, COUNT(DISTINCT platform || ':' || sender_id) FROM report_messages
              WHERE created_at >= $1 AND created_at < $2 GROUP BY pillar_id ORDER BY pillar_id",
        )
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?)
    }

    /// Messages bridged per pillar and day of the period (day 0 is the period's first);
    /// `day_starts` are when each day after the first begins (days are the report clock's,
    /// 23 or 25 hours long where it changes).
    pub async fn report_daily_activity(&self, span: Span, day_starts: &[i64]) -> Result<Vec<(String, i64, i64)>> {
        // A one-day period has one day: no boundaries to tell.
        let day = if day_starts.is_empty() {
            "0".to_string()
        } else {
            let mut day = String::from("CASE");
            for (n, start) in day_starts.iter().enumerate() {
                day.push_str(&format!(" WHEN created_at < {start} THEN {n}"));
            }
            day.push_str(&format!(" ELSE {} END", day_starts.len()));
            day
        };
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT pillar_id, {day} AS day, COUNT(*) FROM report_messages
              WHERE created_at >= $1 AND created_at < $2 GROUP BY pillar_id, day ORDER BY pillar_id, day"
        )))
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn report_deliveries(&self, span: Span) -> Result<Vec<DeliveryFigure>> {
        let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT pillar_id, platform, COUNT(*),
                    SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END),
                    SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END)
               FROM report_deliveries WHERE created_at >= $1 AND created_at < $2
              GROUP BY pillar_id, platform ORDER BY pillar_id, platform",
        )
        .bind(span.from)
        .bind(span.to)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(pillar_id, platform, deliveries, failed, retried)| DeliveryFigure {
                pillar_id,
                platform,
                deliveries,
                failed,
                retried,
            })
            .collect())
    }

    /// Claims the scheduled report of a period for `instance`: a new run, one left running
    /// by another process or before `stale_before` (its process died), or with
    /// `retry_failed` (once per start) one that failed. `None`: made already, being made, or
    /// failed and not to be tried again yet.
    pub async fn claim_scheduled_report(
        &self,
        span: Span,
        instance: &str,
        retry_failed: bool,
        now: i64,
        stale_before: i64,
    ) -> Result<Option<i64>> {
        let inserted = sqlx::query(
            "INSERT INTO report_runs (kind, period_start, period_end, state, started_at, claimed_by)
             VALUES ('scheduled', $1, $2, 'running', $3, $4)
             ON CONFLICT (period_start, period_end) WHERE kind = 'scheduled' DO NOTHING RETURNING id",
        )
        .bind(span.from)
        .bind(span.to)
        .bind(now)
        .bind(instance)
        .fetch_optional(self.pool())
        .await?;
        if let Some(row) = inserted {
            return Ok(Some(row.try_get("id")?));
        }
        // Left running by another process (which died: one instance serves at a time), or
        // by any after a long time.
        let retaken = sqlx::query(
            "UPDATE report_runs SET state = 'running', started_at = $3, finished_at = NULL, claimed_by = $4
              WHERE kind = 'scheduled' AND period_start = $1 AND period_end = $2
                AND ((state = 'failed' AND $6 = 1)
                     OR (state = 'running' AND (claimed_by IS NULL OR claimed_by <> $4 OR started_at < $5)))
             RETURNING id",
        )
        .bind(span.from)
        .bind(span.to)
        .bind(now)
        .bind(instance)
        .bind(stale_before)
        .bind(i64::from(retry_failed))
        .fetch_optional(self.pool())
        .await?;
        retaken.map(|row| Ok(row.try_get("id")?)).transpose()
    }

    /// When this database started to keep reports (epoch ms).
    pub async fn reports_since(&self) -> Result<i64> {
        let (at,): (i64,) = sqlx::query_as("SELECT at FROM reports_since WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(at)
    }

    /// Records a report made on demand (done, with where its files went) and queues
    /// `posts(run)`, in one transaction; once per `source_event` (the command).
    pub async fn record_report(
        &self,
        span: Span,
        output: &str,
        source_event: Option<&str>,
        now: i64,
        posts: impl FnOnce(i64) -> Vec<NewDelivery>,
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO report_runs (kind, period_start, period_end, state, started_at, finished_at, output, source_event)
             VALUES ('on_demand', $1, $2, 'done', $3, $3, $4, $5)
             ON CONFLICT (source_event) DO NOTHING RETURNING id",
        )
        .bind(span.from)
        .bind(span.to)
        .bind(now)
        .bind(output)
        .bind(source_event)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            // The command was seen before (a crash after this, before its answer): its run
            // and posts are there already.
            tx.rollback().await?;
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM report_runs WHERE source_event = $1")
                .bind(source_event)
                .fetch_one(self.pool())
                .await?;
            return Ok(id);
        };
        let id: i64 = row.try_get("id")?;
        super::bridge::queue_notices(&mut tx, &posts(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a run `instance` claimed done and queues its posts, in one transaction; false
    /// if the run was no longer its to finish (taken over, or finished by another).
    pub async fn finish_report(
        &self,
        id: i64,
        instance: &str,
        output: &str,
        now: i64,
        posts: &[NewDelivery],
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE report_runs SET state = 'done', finished_at = $1, output = $2
              WHERE id = $3 AND state = 'running' AND claimed_by = $4",
        )
        .bind(now)
        .bind(output)
        .bind(id)
        .bind(instance)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        super::bridge::queue_notices(&mut tx, posts, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks a run `instance` claimed failed, with why (unless it was taken over since):
    /// the next start tries it again.
    pub async fn fail_report(&self, id: i64, instance: &str, reason: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE report_runs SET state = 'failed', finished_at = $1, output = $2
              WHERE id = $3 AND state = 'running' AND claimed_by = $4",
        )
        .bind(now)
        .bind(reason)
        .bind(id)
        .bind(instance)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn report_run(&self, id: i64) -> Result<Option<ReportRun>> {
        let row =
            sqlx::query("SELECT id, kind, period_start, period_end, state, output FROM report_runs WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// The runs of the scheduled report, newest first.
    pub async fn scheduled_reports(&self) -> Result<Vec<ReportRun>> {
        let rows = sqlx::query(
            "SELECT id, kind, period_start, period_end, state, output FROM report_runs
              WHERE kind = 'scheduled' ORDER BY period_end DESC, id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run_from_row).collect()
    }
}

fn run_from_row(row: &sqlx::any::AnyRow) -> Result<ReportRun> {
    Ok(ReportRun {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        period_start: row.try_get("period_start")?,
        period_end: row.try_get("period_end")?,
        state: row.try_get("state")?,
        output: row.try_get("output")?,
    })
}
