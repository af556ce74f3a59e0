//! The claim loop: writes series ahead, turns due reminders into deliveries (claimed,
//! queued and marked in one transaction; the room's worker sends them with an idempotency
//! key), applies the lateness policy to the ones the bot could not send in time, and marks
//! ended occurrences as held. Between rounds it sleeps until the next due time or until a
//! command rings its bell; it never polls.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::watch;

use super::plan::{LEAD, stretch};
use super::recurrence::Recurrence;
use super::reminders::{Due, LatenessPolicy, Verdict};
use crate::bridge::{Payload, Platforms};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::config::Reports;
use crate::i18n::Lang;
use crate::store::{Fate, NewSurvey, PlannedPost, Store};
use crate::survey::commands::{CLOSE_WAITS_FOR_POLLS_MS, SurveySettings, close_now, polls_readable};

/// Reminders claimed per transaction: keeps each transaction short when many fall due
/// at once (the bot was down), and the rest follow at once.
const CLAIM_BATCH: i64 = 200;
const EXTEND_BATCH: i64 = 50;

/// The scheduler of one bot process.
#[derive(Clone)]
pub struct Scheduler {
    store: Store,
    platforms: Platforms,
    lateness: LatenessPolicy,
    /// Who claims, as recorded on each claimed reminder.
    instance: String,
    surveys: SurveySettings,
    /// The scheduled report, and the language it is written in (the secretariat's).
    reports: Option<(Reports, Lang)>,
    /// Whether a failed report was tried again since this process started (once only:
    /// what failed would fail the same way every round).
    reports_retried: Arc<AtomicBool>,
}

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub extended: usize,
    pub queued: usize,
    pub missed: usize,
    pub held: u64,
    /// Meetings' surveys opened, surveys closed at their deadline, and reminders before a
    /// deadline queued.
    pub surveys_opened: usize,
    pub surveys_closed: usize,
    pub nudges: usize,
    /// Rooms an action's reminder was queued for.
    pub action_reminders: usize,
    /// The scheduled report this round made.
    pub report: Option<i64>,
    /// Surveys due to close that wait for a platform to be up (to read their polls).
    pub closes_waiting: usize,
    /// When there is work next (epoch ms).
    pub next: Option<i64>,
}

/// How often a close waiting for a platform looks again (the platform's return rings the
/// scheduler too).
const CLOSE_RECHECK_MS: i64 = 2_000;

impl Scheduler {
    pub fn new(store: Store, platforms: Platforms, lateness: LatenessPolicy, instance: String) -> Scheduler {
        Scheduler {
            store,
            platforms,
            lateness,
            instance,
            surveys: SurveySettings::default(),
            reports: None,
            reports_retried: Arc::default(),
        }
    }

    /// Making the scheduled report too, in `lang`.
    pub fn with_reports(mut self, reports: Reports, lang: Lang) -> Scheduler {
        self.reports = Some((reports, lang));
        self
    }

    /// With the config's survey settings (the anonymous threshold the closes apply).
    pub fn with_surveys(mut self, surveys: SurveySettings) -> Scheduler {
        self.surveys = surveys;
        self
    }

    /// Does everything due by `now`. Tests call it with the time they choose.
    pub async fn round(&self, now: DateTime<Utc>) -> crate::store::Result<Round> {
        let mut round = Round::default();
        let now_ms = now.timestamp_millis();
        loop {
            let series = self
                .store
                .series_to_extend((now + LEAD).timestamp_millis(), EXTEND_BATCH)
                .await?;
            for meeting in &series {
                let Some(from) = meeting.unwritten_from.and_then(DateTime::<Utc>::from_timestamp_millis) else {
                    continue;
                };
                let zone = meeting.timezone.parse().unwrap_or(chrono_tz::UTC);
                let rule = meeting.recurrence.as_deref().map(|rule| Recurrence::new(rule, zone));
                let Some(Ok(rule)) = rule else {
                    tracing::error!(meeting = meeting.id, "a series without a readable rule; not extended");
                    continue;
                };
                let until = meeting.until_at.and_then(DateTime::<Utc>::from_timestamp_millis);
                let next = stretch(&rule, from, until, now);
                let due_since = (from - LEAD).timestamp_millis();
                if self.store.extend_series(meeting, &next, due_since).await? {
                    round.extended += next.starts.len();
                }
            }
            if (series.len() as i64) < EXTEND_BATCH {
                break;
            }
        }
        loop {
            let claimed = self
                .store
                .claim_due_reminders(now_ms, CLAIM_BATCH, &self.instance, |due| {
                    let starts = DateTime::<Utc>::from_timestamp_millis(due.starts_at).unwrap_or_default();
                    let at = DateTime::<Utc>::from_timestamp_millis(due.due_at).unwrap_or_default();
                    let due_info = Due {
                        offset: starts - at,
                        at,
                    };
                    match self.lateness.verdict(&due_info, starts, now) {
                        Verdict::Send { late } => Fate::Send {
                            payload: Payload::Reminder { reminder: due.id }.to_json(),
                            late,
                        },
                        Verdict::Wait => Fate::Wait,
                        Verdict::Missed => Fate::Missed,
                    }
                })
                .await?;
            if claimed.queued > 0 {
                crate::fault::point("reminder-claimed");
            }
            for room in &claimed.rooms {
                self.platforms.wake(*room);
            }
            round.queued += claimed.queued;
            round.missed += claimed.missed;
            if (claimed.rows as i64) < CLAIM_BATCH {
                break;
            }
        }
        if round.missed > 0 {
            tracing::warn!(
                missed = round.missed,
                "reminders fell due too long ago (the bot was down); recorded as missed"
            );
        }
        round.held = self.store.close_ended_occurrences(now_ms).await?;
        self.surveys_round(now_ms, &mut round).await?;
        if let Some((reports, lang)) = &self.reports {
            let retry_failed = !self.reports_retried.swap(true, Ordering::Relaxed);
            round.report = crate::report::run::scheduled(
                &self.store,
                reports,
                *lang,
                &self.instance,
                retry_failed,
                now,
                |run, rooms| Payload::Report { run }.to_rooms(rooms.iter().map(|room| room.id)),
            )
            .await?;
            if round.report.is_some() {
                for room in self.store.secretariat_rooms().await? {
                    self.platforms.wake(room.id);
                }
            }
        }
        let next = [
            self.store.next_schedule_time(LEAD.num_milliseconds()).await?,
            self.store.next_survey_time().await?,
            self.store.next_action_reminder().await?,
            self.reports
                .as_ref()
                .and_then(|(reports, _)| crate::report::run::next_time(reports, now)),
        ];
        round.next = next.into_iter().flatten().min();
        if round.closes_waiting > 0 {
            let recheck = now_ms + CLOSE_RECHECK_MS;
            round.next = Some(match round.next {
                Some(next) if next > now_ms => next.min(recheck),
                _ => recheck,
            });
        }
        Ok(round)
    }

    /// Closes the surveys whose deadline came (each once, whoever else tries) and queues
    /// the reminders before a deadline that are due.
    async fn surveys_round(&self, now_ms: i64, round: &mut Round) -> crate::store::Result<()> {
        // A meeting's survey opens when each of its occurrences has ended (once: the
        // survey's template and occurrence are unique together).
        for due in self.store.templates_due(now_ms).await? {
            let closes_at = due.ended_at + due.template.open_for_ms;
            let survey = NewSurvey {
                title: due.template.title.clone(),
                anonymous: due.template.anonymous,
                pillars: vec![due.pillar_id.clone()],
                questions: due.template.questions.clone(),
                created_by: due.template.created_by.clone(),
                closes_at,
                nudge_at: due
                    .template
                    .nudge_before_ms
                    .map(|before| closes_at - before)
                    .filter(|at| *at > now_ms),
                source_event: None,
                template: Some((due.template_id, due.occurrence_id)),
            };
            let anonymous = survey.anonymous;
            let open_for = closes_at - now_ms;
            let (_, new, rooms) = self
                .store
                .start_survey(&survey, now_ms, |id, questions, rooms| {
                    crate::survey::plan::posts(id, questions, anonymous, open_for, rooms)
                })
                .await?;
            if new {
                round.surveys_opened += 1;
                for room in rooms {
                    self.platforms.wake(room);
                }
            }
        }
        loop {
            let due = self.store.surveys_due_to_close(now_ms, CLAIM_BATCH).await?;
            for id in &due {
                let Some(survey) = self.store.survey(*id).await? else {
                    continue;
                };
                if !polls_readable(&self.store, &self.platforms, &survey).await? {
                    if now_ms < survey.closes_at + CLOSE_WAITS_FOR_POLLS_MS {
                        tracing::info!(
                            survey = survey.id,
                            "a survey's close waits for a platform with its polls to be up"
                        );
                        round.closes_waiting += 1;
                        continue;
                    }
                    tracing::warn!(
                        survey = survey.id,
                        "a platform with some of a survey's polls stayed down; closing without reading those polls"
                    );
                }
                let closed =
                    close_now(&self.store, &self.platforms, &survey, "deadline", &self.surveys, now_ms).await?;
                if let Some(rooms) = closed {
                    crate::fault::point("survey-closed");
                    round.surveys_closed += 1;
                    for room in rooms {
                        self.platforms.wake(room);
                    }
                }
            }
            if (due.len() as i64) < CLAIM_BATCH || round.closes_waiting > 0 {
                break;
            }
        }
        let woken = self
            .store
            .claim_due_nudges(now_ms, |survey, rooms| {
                rooms
                    .iter()
                    .map(|room| PlannedPost {
                        room_id: room.id,
                        part: 0,
                        payload: Payload::SurveyNudge { survey }.to_json(),
                    })
                    .collect()
            })
            .await?;
        round.nudges += woken.len();
        for room in woken {
            self.platforms.wake(room);
        }
        let reminded = self
            .store
            .claim_due_action_reminders(now_ms, |action, rooms| {
                Payload::ActionReminder { action: action.id }.to_rooms(rooms.iter().copied())
            })
            .await?;
        round.action_reminders += reminded.len();
        for room in reminded {
            self.platforms.wake(room);
        }
        Ok(())
    }

    /// Runs rounds until `stop` is set: each round, then sleep until the next due time or
    /// the bell (a command changed a meeting).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let bell = self.platforms.scheduler_bell();
        let mut busy_rounds = 0;
        let mut first = true;
        loop {
            if *stop.borrow() {
                return;
            }
            let now = Utc::now();
            let wait = match self.round(now).await {
                Ok(round) => {
                    if std::mem::take(&mut first) {
                        tracing::info!(
                            took_ms = (Utc::now() - now).num_milliseconds(),
                            next = ?round.next.and_then(DateTime::<Utc>::from_timestamp_millis),
                            "scheduler ready"
                        );
                    }
                    if round.queued
                        + round.missed
                        + round.extended
                        + round.surveys_opened
                        + round.surveys_closed
                        + round.nudges
                        + round.action_reminders
                        + usize::from(round.report.is_some())
                        > 0
                    {
                        tracing::info!(
                            queued = round.queued,
                            missed = round.missed,
                            written = round.extended,
                            surveys_opened = round.surveys_opened,
                            surveys_closed = round.surveys_closed,
                            nudges = round.nudges,
                            action_reminders = round.action_reminders,
                            report = ?round.report,
                            "scheduler round"
                        );
                    }
                    match round.next {
                        Some(next) => Duration::milliseconds(next - Utc::now().timestamp_millis()),
                        None => Duration::hours(1),
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "scheduler: the store failed; trying again shortly");
                    Duration::seconds(5)
                }
            };
            // Work left at once is normal after a batch; if it stays "due now", something
            // cannot be done (say a clock far off): do not spin.
            busy_rounds = if wait <= Duration::zero() { busy_rounds + 1 } else { 0 };
            let wait = if busy_rounds > 3 {
                tracing::warn!("scheduler: work stays due after several rounds; pausing a second");
                StdDuration::from_secs(1)
            } else {
                wait.to_std().unwrap_or_default().min(StdDuration::from_secs(3600))
            };
            tokio::select! {
                _ = bell.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    }
}
