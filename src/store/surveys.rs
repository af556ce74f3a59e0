//! Surveys as stored: a survey with its pillars and questions is written with its posts
//! (each a delivery, in the same transaction); answers are one per person per question,
//! replaced until close; the close is claimed once, by whoever changes the state first.
//!
//! A person is their linked accounts' shared key where they linked them (`link`), else
//! `platform:user`. Anonymous surveys keep apart a keyed hash of who answered (to refuse a
//! second answer) and the answers, which carry neither a voter nor a time.

use magnet_chat::Platform;
use sqlx::Row;

use super::bridge::insert_delivery;
use super::pillars::{RoomRow, room_from_row};
use super::{Result, Store, StoreError};
use crate::survey::spec::{Answer, Kind, Question};

/// Where a survey is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyState {
    Open,
    Closed,
    Cancelled,
}

impl SurveyState {
    fn parse(text: &str) -> Result<SurveyState> {
        match text {
            "open" => Ok(SurveyState::Open),
            "closed" => Ok(SurveyState::Closed),
            "cancelled" => Ok(SurveyState::Cancelled),
            other => Err(StoreError::Invalid(format!("unknown survey state `{other}`"))),
        }
    }
}

/// A survey to start.
#[derive(Debug, Clone)]
pub struct NewSurvey {
    pub title: String,
    pub anonymous: bool,
    /// Its pillars' ids.
    pub pillars: Vec<String>,
    /// Checked ([`crate::survey::spec::checked_questions`]).
    pub questions: Vec<Question>,
    /// `platform:user` of who started it.
    pub created_by: String,
    pub closes_at: i64,
    pub nudge_at: Option<i64>,
    /// The command that started it, so that the command seen again starts nothing.
    pub source_event: Option<String>,
    /// A meeting's survey: its template and the occurrence that ended.
    pub template: Option<(i64, i64)>,
}

/// A survey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    pub id: i64,
    pub title: String,
    pub anonymous: bool,
    pub state: SurveyState,
    pub created_by: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub nudge_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    /// Closed anonymous with fewer answers than this, too few to show.
    pub hidden_below: Option<i64>,
    pub occurrence_id: Option<i64>,
    /// Its pillars' ids, sorted.
    pub pillars: Vec<String>,
}

/// A question as stored; `position` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRow {
    pub id: i64,
    pub survey_id: i64,
    pub position: i64,
    pub question: Question,
}

/// One message to post for a survey in one room: `part` 0 is the survey's own message, a
/// question's position its native poll. The payload is the delivery's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPost {
    pub room_id: i64,
    pub part: i64,
    pub payload: String,
}

/// What became of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// The person's first answer to the question.
    New,
    /// It replaced their earlier one.
    Replaced,
    /// Withdrawn (a vote taken back on a poll).
    Withdrawn,
    /// The survey is closed or cancelled: not counted.
    Closed,
    /// An anonymous question already answered by this person: not counted again.
    AlreadyAnswered,
}

/// A survey to open when each occurrence of a meeting ends.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    pub meeting_id: i64,
    pub title: String,
    pub questions: Vec<Question>,
    pub anonymous: bool,
    /// How long after the occurrence's end it closes.
    pub open_for_ms: i64,
    pub nudge_before_ms: Option<i64>,
    pub created_by: String,
    /// The command that attached it (platform:room:event), if one did.
    pub source_event: Option<String>,
}

/// An occurrence that ended with a survey attached to its meeting and not opened yet.
#[derive(Debug, Clone)]
pub struct DueTemplate {
    pub template_id: i64,
    pub occurrence_id: i64,
    pub pillar_id: String,
    pub ended_at: i64,
    pub template: NewTemplate,
}

/// One answer as exported: who and when only where the survey is not anonymous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedAnswer {
    /// The question's place in the survey, 1 up.
    pub position: i64,
    pub pillar_id: Option<String>,
    pub platform: Option<String>,
    pub user_id: Option<String>,
    pub answer: Answer,
    pub answered_at: Option<i64>,
}

/// Who gives an answer that is not anonymous, and how.
#[derive(Debug, Clone, Copy)]
pub struct Respondent<'a> {
    pub platform: Platform,
    pub user_id: &'a str,
    /// The pillar the answer counts for (none from the secretariat's rooms).
    pub pillar_id: Option<&'a str>,
    /// A vote in one of the survey's native polls.
    pub by_poll: bool,
}

/// A post of a survey found by its remote id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRow {
    pub survey_id: i64,
    pub room_id: i64,
    pub part: i64,
    pub question_id: Option<i64>,
    pub remote_id: Option<String>,
}

const SURVEY_COLUMNS: &str = "id, title, anonymous, state, created_by, opens_at, closes_at, nudge_at, closed_at, closed_by, hidden_below, \
     occurrence_id";

impl Store {
    /// Starts a survey: the survey, its pillars and questions, and its posts in every
    /// active room of its pillars (`plan` says what to post in a room, knowing the
    /// survey's id and questions), in one transaction. Returns the id, whether it is new
    /// (`false`: its command or occurrence started it before) and the rooms to wake.
    pub async fn start_survey(
        &self,
        survey: &NewSurvey,
        now: i64,
        plan: impl FnOnce(i64, &[QuestionRow], &[RoomRow]) -> Vec<PlannedPost>,
    ) -> Result<(i64, bool, Vec<i64>)> {
        let mut tx = self.pool().begin().await?;
        let (template, occurrence) = survey.template.unzip();
        let row = sqlx::query(
            "INSERT INTO surveys (title, anonymous, state, created_by, created_at, opens_at, closes_at, nudge_at,
                                  template_id, occurrence_id, source_event)
             VALUES ($1, $2, 'open', $3, $4, $4, $5, $6, $7, $8, $9)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(&survey.title)
        .bind(i64::from(survey.anonymous))
        .bind(&survey.created_by)
        .bind(now)
        .bind(survey.closes_at)
        .bind(survey.nudge_at)
        .bind(template)
        .bind(occurrence)
        .bind(&survey.source_event)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            let (id,): (i64,) = sqlx::query_as(
                "SELECT id FROM surveys WHERE source_event = $1 OR (template_id = $2 AND occurrence_id = $3)",
            )
            .bind(&survey.source_event)
            .bind(template)
            .bind(occurrence)
            .fetch_one(self.pool())
            .await?;
            return Ok((id, false, Vec::new()));
        };
        let id: i64 = row.try_get("id")?;
        let mut rooms = Vec::new();
        for pillar in &survey.pillars {
            sqlx::query("INSERT INTO survey_pillars (survey_id, pillar_id) VALUES ($1, $2)")
                .bind(id)
                .bind(pillar)
                .execute(&mut *tx)
                .await?;
            let rows = sqlx::query(
                "SELECT id, platform, remote_id, pillar_id, is_secretariat, active, direct_with FROM rooms
                 WHERE pillar_id = $1 AND active = 1 ORDER BY platform DESC, id",
            )
            .bind(pillar)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                rooms.push(room_from_row(row)?);
            }
        }
        let mut questions = Vec::new();
        for (n, question) in survey.questions.iter().enumerate() {
            let position = n as i64 + 1;
            let row = sqlx::query(
                "INSERT INTO survey_questions (survey_id, position, kind, prompt, options, max_choices)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(id)
            .bind(position)
            .bind(question.kind.as_str())
            .bind(&question.prompt)
            .bind(serde_json::to_string(&question.options).expect("strings are JSON"))
            .bind(question.max_choices as i64)
            .fetch_one(&mut *tx)
            .await?;
            questions.push(QuestionRow {
                id: row.try_get("id")?,
                survey_id: id,
                position,
                question: question.clone(),
            });
        }
        let posts = plan(id, &questions, &rooms);
        let woken = queue_posts(&mut tx, id, &questions, &posts, now).await?;
        tx.commit().await?;
        Ok((id, true, woken))
    }

    /// Attaches a survey to a meeting: it opens when each occurrence ending from now on
    /// ends.
    pub async fn attach_survey(&self, template: &NewTemplate, now: i64) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO survey_templates (meeting_id, title, questions, anonymous, open_for_ms, nudge_before_ms,
                                           created_by, created_at, active, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)
             ON CONFLICT (source_event) DO NOTHING RETURNING id",
        )
        .bind(template.meeting_id)
        .bind(&template.title)
        .bind(serde_json::to_string(&template.questions).expect("questions are JSON"))
        .bind(i64::from(template.anonymous))
        .bind(template.open_for_ms)
        .bind(template.nudge_before_ms)
        .bind(&template.created_by)
        .bind(now)
        .bind(&template.source_event)
        .fetch_optional(self.pool())
        .await?;
        if let Some(row) = row {
            return Ok(row.try_get("id")?);
        }
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM survey_templates WHERE source_event = $1")
            .bind(&template.source_event)
            .fetch_one(self.pool())
            .await?;
        Ok(id)
    }

    /// Occurrences held, ended after their meeting's survey was attached, whose survey is
    /// not open yet and would still be open now.
    pub async fn templates_due(&self, now: i64) -> Result<Vec<DueTemplate>> {
        let rows = sqlx::query(
            "SELECT t.id AS template_id, o.id AS occurrence_id, m.pillar_id, o.starts_at + m.duration_minutes * 60000 AS ended_at,
                    t.meeting_id, t.title, t.questions, t.anonymous, t.open_for_ms, t.nudge_before_ms, t.created_by
               FROM survey_templates t
               JOIN meetings m ON m.id = t.meeting_id
               JOIN meeting_occurrences o ON o.meeting_id = m.id
              WHERE t.active = 1 AND o.state = 'held'
                AND o.starts_at + m.duration_minutes * 60000 >= t.created_at
                AND o.starts_at + m.duration_minutes * 60000 + t.open_for_ms > $1
                AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.template_id = t.id AND s.occurrence_id = o.id)
              ORDER BY ended_at, t.id",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let questions: String = row.try_get("questions")?;
                Ok(DueTemplate {
                    template_id: row.try_get("template_id")?,
                    occurrence_id: row.try_get("occurrence_id")?,
                    pillar_id: row.try_get("pillar_id")?,
                    ended_at: row.try_get("ended_at")?,
                    template: NewTemplate {
                        meeting_id: row.try_get("meeting_id")?,
                        title: row.try_get("title")?,
                        questions: serde_json::from_str(&questions)
                            .map_err(|e| StoreError::Invalid(format!("unreadable template questions: {e}")))?,
                        anonymous: row.try_get::<i64, _>("anonymous")? != 0,
                        open_for_ms: row.try_get("open_for_ms")?,
                        nudge_before_ms: row.try_get("nudge_before_ms")?,
                        created_by: row.try_get("created_by")?,
                        source_event: None,
                    },
                })
            })
            .collect()
    }

    pub async fn survey(&self, id: i64) -> Result<Option<SurveyRow>> {
        let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some(self.survey_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    /// Open surveys, and the ones closed or cancelled since `since` (epoch ms), newest first.
    pub async fn recent_surveys(&self, since: i64, limit: i64) -> Result<Vec<SurveyRow>> {
        let sql = format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys WHERE state = 'open' OR closed_at >= $1 ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(since)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut surveys = Vec::with_capacity(rows.len());
        for row in &rows {
            surveys.push(self.survey_from_row(row).await?);
        }
        Ok(surveys)
    }

    async fn survey_from_row(&self, row: &sqlx::any::AnyRow) -> Result<SurveyRow> {
        let id: i64 = row.try_get("id")?;
        let pillars: Vec<(String,)> =
            sqlx::query_as("SELECT pillar_id FROM survey_pillars WHERE survey_id = $1 ORDER BY pillar_id")
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        Ok(SurveyRow {
            id,
            title: row.try_get("title")?,
            anonymous: row.try_get::<i64, _>("anonymous")? != 0,
            state: SurveyState::parse(&row.try_get::<String, _>("state")?)?,
            created_by: row.try_get("created_by")?,
            opens_at: row.try_get("opens_at")?,
            closes_at: row.try_get("closes_at")?,
            nudge_at: row.try_get("nudge_at")?,
            closed_at: row.try_get("closed_at")?,
            closed_by: row.try_get("closed_by")?,
            hidden_below: row.try_get("hidden_below")?,
            occurrence_id: row.try_get("occurrence_id")?,
            pillars: pillars.into_iter().map(|(p,)| p).collect(),
        })
    }

    /// A survey's questions, in order.
    pub async fn survey_questions(&self, survey_id: i64) -> Result<Vec<QuestionRow>> {
        let rows = sqlx::query(
            "SELECT id, survey_id, position, kind, prompt, options, max_choices FROM survey_questions
             WHERE survey_id = $1 ORDER BY position",
        )
        .bind(survey_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(question_from_row).collect()
    }

    /// The survey post a remote message is, in a room.
    pub async fn survey_post_at(&self, room_id: i64, remote_id: &str) -> Result<Option<PostRow>> {
        let row = sqlx::query(
            "SELECT survey_id, room_id, part, question_id, remote_id FROM survey_posts
             WHERE room_id = $1 AND remote_id = $2 LIMIT 1",
        )
        .bind(room_id)
        .bind(remote_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(post_from_row).transpose()
    }

    /// Whether a survey poll of the room may be in the room already without its remote id
    /// recorded (its delivery is being made, or was tried): a vote on a poll not known yet
    /// may be for it.
    pub async fn survey_poll_unrecorded(&self, room_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM survey_posts p JOIN deliveries d ON d.id = p.delivery_id
             WHERE p.room_id = $1 AND p.part > 0 AND p.remote_id IS NULL
               AND (d.state = 'sending' OR (d.state = 'pending' AND d.first_tried_at IS NOT NULL))
             LIMIT 1",
        )
        .bind(room_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// A survey's posts in a room.
    pub async fn survey_posts(&self, survey_id: i64, room_id: i64) -> Result<Vec<PostRow>> {
        let rows = sqlx::query(
            "SELECT survey_id, room_id, part, question_id, remote_id FROM survey_posts
             WHERE survey_id = $1 AND room_id = $2 ORDER BY part",
        )
        .bind(survey_id)
        .bind(room_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(post_from_row).collect()
    }

    /// The key a person's answers are counted under: their linked accounts' shared key, or
    /// the account itself.
    pub async fn person(&self, platform: Platform, user_id: &str) -> Result<String> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT person FROM linked_accounts WHERE platform = $1 AND user_id = $2")
                .bind(platform.as_str())
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row
            .map(|(person,)| person)
            .unwrap_or_else(|| account_key(platform, user_id)))
    }

    /// Records a person's answer to a question of an open survey (not anonymous), replacing
    /// their earlier one; `None` withdraws it. Refused once the survey is closed, or its
    /// deadline has passed even if the close is not made yet.
    pub async fn record_answer(
        &self,
        question_id: i64,
        by: &Respondent<'_>,
        answer: Option<&Answer>,
        now: i64,
    ) -> Result<Answered> {
        let &Respondent {
            platform,
            user_id,
            pillar_id,
            by_poll,
        } = by;
        let mut tx = self.pool().begin().await?;
        if !open_for_answers(&mut tx, question_id, now).await? {
            return Ok(Answered::Closed);
        }
        let voter = person_in(&mut tx, platform, user_id).await?;
        let Some(answer) = answer else {
            // Nothing to withdraw changes nothing, and reads the same to the person.
            sqlx::query("DELETE FROM survey_answers WHERE question_id = $1 AND voter = $2")
                .bind(question_id)
                .bind(&voter)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Answered::Withdrawn);
        };
        let earlier: Option<(String,)> =
            sqlx::query_as("SELECT answer FROM survey_answers WHERE question_id = $1 AND voter = $2")
                .bind(question_id)
                .bind(&voter)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO survey_answers (question_id, voter, platform, user_id, pillar_id, answer, answered_at, by_poll)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (question_id, voter) DO UPDATE SET platform = excluded.platform, user_id = excluded.user_id,
                 pillar_id = excluded.pillar_id, answer = excluded.answer, answered_at = excluded.answered_at,
                 by_poll = excluded.by_poll",
        )
        .bind(question_id)
        .bind(&voter)
        .bind(platform.as_str())
        .bind(user_id)
        .bind(pillar_id)
        .bind(answer.to_json())
        .bind(now)
        .bind(i64::from(by_poll))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if earlier.is_some() {
            Answered::Replaced
        } else {
            Answered::New
        })
    }

    /// The accounts of a platform whose vote in the question's polls is counted now, with
    /// it (answers typed or picked elsewhere are not the polls' to take back).
    pub async fn answers_from(&self, question_id: i64, platform: Platform) -> Result<Vec<(String, Answer)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, answer FROM survey_answers WHERE question_id = $1 AND platform = $2 AND by_poll = 1
             ORDER BY user_id",
        )
        .bind(question_id)
        .bind(platform.as_str())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(user, text)| Answer::from_json(&text).map(|answer| (user, answer)))
            .collect())
    }

    /// The platform a person's current answer to a question came from (through any of
    /// their linked accounts), if they answered.
    pub async fn answered_on(&self, question_id: i64, platform: Platform, user_id: &str) -> Result<Option<Platform>> {
        let voter = self.person(platform, user_id).await?;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT platform FROM survey_answers WHERE question_id = $1 AND voter = $2")
                .bind(question_id)
                .bind(&voter)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.and_then(|(platform,)| Platform::parse(&platform)))
    }

    /// A person's current answer to a question (not anonymous).
    pub async fn answer_of(&self, question_id: i64, platform: Platform, user_id: &str) -> Result<Option<Answer>> {
        let voter = self.person(platform, user_id).await?;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT answer FROM survey_answers WHERE question_id = $1 AND voter = $2")
                .bind(question_id)
                .bind(&voter)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.and_then(|(text,)| Answer::from_json(&text)))
    }

    /// Records an answer to an anonymous question: the answering account's keyed hash, to
    /// refuse a second answer (from it, or from an account linked with it: `linked`), and
    /// the answer apart from it, in one transaction. An anonymous answer cannot be changed.
    pub async fn record_anonymous_answer(
        &self,
        question_id: i64,
        voter_hash: &str,
        linked: &[String],
        pillar_id: Option<&str>,
        answer: &Answer,
        now: i64,
    ) -> Result<Answered> {
        let mut tx = self.pool().begin().await?;
        if !open_for_answers(&mut tx, question_id, now).await? {
            return Ok(Answered::Closed);
        }
        for hash in linked {
            let found: Option<(i64,)> =
                sqlx::query_as("SELECT 1 FROM survey_anonymous_voters WHERE question_id = $1 AND voter_hash = $2")
                    .bind(question_id)
                    .bind(hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            if found.is_some() {
                return Ok(Answered::AlreadyAnswered);
            }
        }
        let first = sqlx::query(
            "INSERT INTO survey_anonymous_voters (question_id, voter_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(question_id)
        .bind(voter_hash)
        .execute(&mut *tx)
        .await?;
        if first.rows_affected() == 0 {
            return Ok(Answered::AlreadyAnswered);
        }
        sqlx::query("INSERT INTO survey_anonymous_answers (question_id, pillar_id, answer) VALUES ($1, $2, $3)")
            .bind(question_id)
            .bind(pillar_id)
            .bind(answer.to_json())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Answered::New)
    }

    /// Whether a voter's keyed hash has answered an anonymous question.
    pub async fn anonymous_answered(&self, question_id: i64, voter_hash: &str) -> Result<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM survey_anonymous_voters WHERE question_id = $1 AND voter_hash = $2")
                .bind(question_id)
                .bind(voter_hash)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    /// Every answer to a question, with the pillar it came from, anonymous or not.
    pub async fn question_answers(&self, question_id: i64) -> Result<Vec<(Option<String>, Answer)>> {
        let rows: Vec<(Option<String>, String)> = sqlx::query_as(
            "SELECT pillar_id, answer FROM survey_answers WHERE question_id = $1
             UNION ALL SELECT pillar_id, answer FROM survey_anonymous_answers WHERE question_id = $1",
        )
        .bind(question_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(pillar, text)| {
                Answer::from_json(&text)
                    .map(|answer| (pillar, answer))
                    .ok_or_else(|| StoreError::Invalid(format!("an unreadable answer `{text}`")))
            })
            .collect()
    }

    /// Every answer to a survey's questions, for its export: by name where it is not
    /// anonymous (account and time), with neither where it is. In question order.
    pub async fn exported_answers(&self, survey_id: i64) -> Result<Vec<ExportedAnswer>> {
        let rows = sqlx::query(
            "SELECT q.position, a.pillar_id, a.platform, a.user_id, a.answer, a.answered_at
               FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id WHERE q.survey_id = $1
             UNION ALL
             SELECT q.position, a.pillar_id, NULL, NULL, a.answer, NULL
               FROM survey_anonymous_answers a JOIN survey_questions q ON q.id = a.question_id WHERE q.survey_id = $1
             ORDER BY 1, 6, 4",
        )
        .bind(survey_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let text: String = row.try_get("answer")?;
                Ok(ExportedAnswer {
                    position: row.try_get("position")?,
                    pillar_id: row.try_get("pillar_id")?,
                    platform: row.try_get("platform")?,
                    user_id: row.try_get("user_id")?,
                    answer: Answer::from_json(&text)
                        .ok_or_else(|| StoreError::Invalid(format!("an unreadable answer `{text}`")))?,
                    answered_at: row.try_get("answered_at")?,
                })
            })
            .collect()
    }

    /// How many people answered a survey (any of its questions), per pillar answered from.
    /// For an anonymous survey, the answers to its busiest question (nobody is known to
    /// have answered two).
    pub async fn respondents(&self, survey_id: i64) -> Result<Vec<(Option<String>, i64)>> {
        let named: Vec<(Option<String>, i64)> = sqlx::query_as(
            "SELECT pillar_id, COUNT(DISTINCT voter) FROM survey_answers a
             JOIN survey_questions q ON q.id = a.question_id WHERE q.survey_id = $1 GROUP BY pillar_id",
        )
        .bind(survey_id)
        .fetch_all(self.pool())
        .await?;
        let anonymous: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT a.question_id, a.pillar_id, COUNT(*) FROM survey_anonymous_answers a
             JOIN survey_questions q ON q.id = a.question_id WHERE q.survey_id = $1
             GROUP BY a.question_id, a.pillar_id",
        )
        .bind(survey_id)
        .fetch_all(self.pool())
        .await?;
        if anonymous.is_empty() {
            return Ok(named);
        }
        let mut per_pillar: std::collections::BTreeMap<Option<String>, i64> = std::collections::BTreeMap::new();
        for (_, pillar, count) in anonymous {
            let best = per_pillar.entry(pillar).or_default();
            *best = (*best).max(count);
        }
        Ok(per_pillar.into_iter().collect())
    }

    /// Closes a survey now (its deadline, or the secretariat's command) and queues what
    /// the close posts (`plan`: the results, a poll's end), in one transaction, if it is
    /// still open: of two instances or two commands, one closes it. `reach` is how many
    /// members each pillar's rooms had, per platform, kept for the response rate;
    /// `hidden_below`, the least number of answers an anonymous survey shows results for,
    /// when it had fewer.
    #[allow(clippy::too_many_arguments)]
    pub async fn close_survey(
        &self,
        survey_id: i64,
        closed_by: &str,
        now: i64,
        reach: &[(String, Platform, i64)],
        hidden_below: Option<i64>,
        plan: impl FnOnce(&[PostRow], &[RoomRow]) -> Vec<PlannedPost>,
    ) -> Result<Option<Vec<i64>>> {
        let mut tx = self.pool().begin().await?;
        let closed = sqlx::query(
            "UPDATE surveys SET state = 'closed', closed_at = $2, closed_by = $3, nudge_at = NULL, hidden_below = $4
             WHERE id = $1 AND state = 'open'",
        )
        .bind(survey_id)
        .bind(now)
        .bind(closed_by)
        .bind(hidden_below)
        .execute(&mut *tx)
        .await?;
        if closed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        for (pillar, platform, members) in reach {
            sqlx::query(
                "INSERT INTO survey_reach (survey_id, pillar_id, platform, members) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(survey_id)
            .bind(pillar)
            .bind(platform.as_str())
            .bind(members)
            .execute(&mut *tx)
            .await?;
        }
        let woken = queue_ending(&mut tx, survey_id, now, plan).await?;
        tx.commit().await?;
        Ok(Some(woken))
    }

    /// Cancels an open survey: nothing more is counted, and nothing is posted for it but
    /// what `plan` says (a notice, a poll's end).
    pub async fn cancel_survey(
        &self,
        survey_id: i64,
        cancelled_by: &str,
        now: i64,
        plan: impl FnOnce(&[PostRow], &[RoomRow]) -> Vec<PlannedPost>,
    ) -> Result<Option<Vec<i64>>> {
        let mut tx = self.pool().begin().await?;
        let cancelled = sqlx::query(
            "UPDATE surveys SET state = 'cancelled', closed_at = $2, closed_by = $3, nudge_at = NULL
             WHERE id = $1 AND state = 'open'",
        )
        .bind(survey_id)
        .bind(now)
        .bind(cancelled_by)
        .execute(&mut *tx)
        .await?;
        if cancelled.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let woken = queue_ending(&mut tx, survey_id, now, plan).await?;
        tx.commit().await?;
        Ok(Some(woken))
    }

    /// Open surveys whose deadline has come by `now`.
    pub async fn surveys_due_to_close(&self, now: i64, limit: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM surveys WHERE state = 'open' AND closes_at <= $1 ORDER BY closes_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Claims the nudges due by `now` and queues them (`plan` per survey), each once.
    pub async fn claim_due_nudges(
        &self,
        now: i64,
        plan: impl Fn(i64, &[RoomRow]) -> Vec<PlannedPost>,
    ) -> Result<Vec<i64>> {
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM surveys WHERE state = 'open' AND nudge_at IS NOT NULL AND nudge_at <= $1 ORDER BY nudge_at",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let mut woken = Vec::new();
        for (id,) in due {
            let mut tx = self.pool().begin().await?;
            let taken = sqlx::query(
                "UPDATE surveys SET nudge_at = NULL WHERE id = $1 AND state = 'open' AND nudge_at IS NOT NULL",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() != 1 {
                tx.rollback().await?;
                continue;
            }
            let rooms = survey_rooms(&mut tx, id).await?;
            let planned = plan(id, &rooms);
            woken.extend(queue_posts(&mut tx, id, &[], &planned, now).await?);
            tx.commit().await?;
        }
        woken.sort_unstable();
        woken.dedup();
        Ok(woken)
    }

    /// The next time a survey needs the scheduler: a deadline or a nudge.
    pub async fn next_survey_time(&self) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT (SELECT MIN(closes_at) FROM surveys WHERE state = 'open') AS closes,
                    (SELECT MIN(nudge_at) FROM surveys WHERE state = 'open') AS nudge",
        )
        .fetch_one(self.pool())
        .await?;
        let times: [Option<i64>; 2] = [row.try_get("closes")?, row.try_get("nudge")?];
        Ok(times.into_iter().flatten().min())
    }

    /// How many members each pillar's rooms had per platform when the survey closed.
    pub async fn survey_reach(&self, survey_id: i64) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT pillar_id, platform, members FROM survey_reach WHERE survey_id = $1 ORDER BY pillar_id, platform",
        )
        .bind(survey_id)
        .fetch_all(self.pool())
        .await?)
    }
}

/// `platform:user`: an account's own key, and a person's until they link another.
pub fn account_key(platform: Platform, user_id: &str) -> String {
    format!("{}:{user_id}", platform.as_str())
}

async fn person_in(tx: &mut sqlx::Transaction<'_, sqlx::Any>, platform: Platform, user_id: &str) -> Result<String> {
    Ok(super::links::person_of(tx, platform, user_id)
        .await?
        .unwrap_or_else(|| account_key(platform, user_id)))
}

/// Whether a question's survey takes answers at `now`: open, and its deadline not passed.
async fn open_for_answers(tx: &mut sqlx::Transaction<'_, sqlx::Any>, question_id: i64, now: i64) -> Result<bool> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT s.state, s.closes_at FROM survey_questions q JOIN surveys s ON s.id = q.survey_id WHERE q.id = $1",
    )
    .bind(question_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(matches!(row, Some((state, closes_at)) if state == "open" && now < closes_at))
}

async fn survey_rooms(tx: &mut sqlx::Transaction<'_, sqlx::Any>, survey_id: i64) -> Result<Vec<RoomRow>> {
    let rows = sqlx::query(
        "SELECT r.id, r.platform, r.remote_id, r.pillar_id, r.is_secretariat, r.active, r.direct_with FROM rooms r
         JOIN survey_pillars p ON p.pillar_id = r.pillar_id
         WHERE p.survey_id = $1 AND r.active = 1 ORDER BY r.platform DESC, r.id",
    )
    .bind(survey_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(room_from_row).collect()
}

/// Queues what a survey's end posts in its rooms (`plan`, knowing its posts), in the
/// transaction that ended it.
async fn queue_ending(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    survey_id: i64,
    now: i64,
    plan: impl FnOnce(&[PostRow], &[RoomRow]) -> Vec<PlannedPost>,
) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT survey_id, room_id, part, question_id, remote_id FROM survey_posts WHERE survey_id = $1
         ORDER BY room_id, part",
    )
    .bind(survey_id)
    .fetch_all(&mut **tx)
    .await?;
    let posts: Vec<PostRow> = rows.iter().map(post_from_row).collect::<Result<_>>()?;
    let rooms = survey_rooms(tx, survey_id).await?;
    let planned = plan(&posts, &rooms);
    queue_posts(tx, survey_id, &[], &planned, now).await
}

/// Queues planned posts as deliveries; a post of the survey's own (`questions` given: it
/// is being started) is remembered in `survey_posts`, to find its remote id by later.
async fn queue_posts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    survey_id: i64,
    questions: &[QuestionRow],
    posts: &[PlannedPost],
    now: i64,
) -> Result<Vec<i64>> {
    let mut rooms = Vec::new();
    for post in posts {
        let delivery = insert_delivery(tx, post.room_id, None, None, "send", &post.payload, now).await?;
        if !questions.is_empty() {
            let question = questions.iter().find(|q| q.position == post.part).map(|q| q.id);
            sqlx::query(
                "INSERT INTO survey_posts (survey_id, room_id, part, question_id, delivery_id) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(survey_id)
            .bind(post.room_id)
            .bind(post.part)
            .bind(question)
            .bind(delivery)
            .execute(&mut **tx)
            .await?;
        }
        rooms.push(post.room_id);
    }
    rooms.sort_unstable();
    rooms.dedup();
    Ok(rooms)
}

fn question_from_row(row: &sqlx::any::AnyRow) -> Result<QuestionRow> {
    let kind: String = row.try_get("kind")?;
    let options: String = row.try_get("options")?;
    Ok(QuestionRow {
        id: row.try_get("id")?,
        survey_id: row.try_get("survey_id")?,
        position: row.try_get("position")?,
        question: Question {
            kind: Kind::from_stored(&kind)
                .ok_or_else(|| StoreError::Invalid(format!("unknown question kind `{kind}`")))?,
            prompt: row.try_get("prompt")?,
            options: serde_json::from_str(&options)
                .map_err(|e| StoreError::Invalid(format!("unreadable options `{options}`: {e}")))?,
            max_choices: row.try_get::<i64, _>("max_choices")?.max(1) as usize,
        },
    })
}

fn post_from_row(row: &sqlx::any::AnyRow) -> Result<PostRow> {
    Ok(PostRow {
        survey_id: row.try_get("survey_id")?,
        room_id: row.try_get("room_id")?,
        part: row.try_get("part")?,
        question_id: row.try_get("question_id")?,
        remote_id: row.try_get("remote_id")?,
    })
}
