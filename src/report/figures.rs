//! The figures of one report, gathered from the `report_*` views for a period (and one
//! pillar, or all), in the shape the templates and CSV files read.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::period::Period;
use crate::i18n::Lang;
use crate::store::{PillarRow, Store, StoreError};
use crate::survey::results;
use crate::survey::spec::{Answer, Kind};

/// Everything one report says.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub days: i64,
    /// When it was made, on the report's clock.
    pub made_at: String,
    pub zone: String,
    pub pillars: Vec<PillarReport>,
    pub surveys: Vec<SurveyReport>,
    #[serde(skip)]
    pub lang: Lang,
}

/// One pillar's part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct PillarReport {
    pub id: String,
    pub name: String,
    pub sessions: Vec<SessionLine>,
    pub held: i64,
    pub cancelled: i64,
    pub moved: i64,
    pub rsvp_yes: i64,
    pub rsvp_maybe: i64,
    pub rsvp_no: i64,
    pub attended: i64,
    pub reminders_sent: i64,
    pub reminders_late: i64,
    pub reminders_missed: i64,
    pub summaries: Vec<SummaryLine>,
    pub decisions: usize,
    pub actions_opened: i64,
    pub actions_done: i64,
    pub actions_open: i64,
    pub overdue: Vec<ActionLine>,
    pub messages: i64,
    pub participants: i64,
    pub platforms: Vec<PlatformLine>,
    /// Messages bridged on each day of the period.
    pub daily: Vec<i64>,
    pub deliveries: i64,
    pub deliveries_failed: i64,
    pub deliveries_retried: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionLine {
    pub meeting: i64,
    pub title: String,
    pub when: String,
    pub state: String,
    pub yes: i64,
    pub maybe: i64,
    pub no: i64,
    pub attended: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryLine {
    pub id: i64,
    pub date: String,
    pub decisions: Vec<String>,
    pub actions: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    pub id: i64,
    pub summary: i64,
    pub what: String,
    pub owner: String,
    pub due: String,
    pub state: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformLine {
    pub platform: String,
    pub messages: i64,
    pub participants: i64,
    pub deliveries: i64,
    pub failed: i64,
    pub retried: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyReport {
    pub id: i64,
    pub title: String,
    pub state: String,
    pub closes: String,
    pub anonymous: bool,
    pub respondents: i64,
    /// Results are hidden (an anonymous survey with fewer answers than it needs).
    pub hidden: bool,
    pub pillars: Vec<SurveyPillarLine>,
    pub questions: Vec<QuestionLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyPillarLine {
    pub name: String,
    pub answered: i64,
    pub members: Option<i64>,
    /// Answered over members, in whole percent.
    pub rate: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionLine {
    pub number: i64,
    pub prompt: String,
    pub kind: String,
    pub respondents: usize,
    pub options: Vec<OptionLine>,
    /// A rating's mean, one decimal.
    pub mean: Option<String>,
    /// How many written answers (their text is not in reports).
    pub texts: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionLine {
    pub label: String,
    pub count: usize,
    pub percent: i64,
}

/// Gathers the report of `period` for one pillar or all.
pub async fn gather(
    store: &Store,
    period: &Period,
    pillar: Option<&str>,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Report, StoreError> {
    let span = period.span();
    let zone = period.zone;
    let local_date = |at: i64| -> String {
        DateTime::<Utc>::from_timestamp_millis(at)
            .unwrap_or_default()
            .with_timezone(&zone)
            .format("%Y-%m-%d")
            .to_string()
    };
    let local_time = |at: i64| -> String {
        DateTime::<Utc>::from_timestamp_millis(at)
            .unwrap_or_default()
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let all: Vec<PillarRow> = store.pillars().await?;
    let chosen: Vec<&PillarRow> = all
        .iter()
        .filter(|p| pillar.map_or(p.active, |wanted| p.id == wanted))
        .collect();
    let mut pillars: BTreeMap<String, PillarReport> = chosen
        .iter()
        .map(|p| (p.id.clone(), empty_pillar(p, period.days())))
        .collect();

    for session in store.report_sessions(span).await? {
        let Some(report) = pillars.get_mut(&session.pillar_id) else {
            continue;
        };
        match session.state.as_str() {
            "held" => report.held += 1,
            "cancelled" => report.cancelled += 1,
            "moved" => report.moved += 1,
            _ => {}
        }
        if session.state != "moved" && session.state != "cancelled" {
            report.rsvp_yes += session.rsvp_yes;
            report.rsvp_maybe += session.rsvp_maybe;
            report.rsvp_no += session.rsvp_no;
            report.attended += session.attended;
        }
        report.sessions.push(SessionLine {
            meeting: session.meeting_id,
            title: session.title,
            when: local_time(session.starts_at),
            state: session.state,
            yes: session.rsvp_yes,
            maybe: session.rsvp_maybe,
            no: session.rsvp_no,
            attended: session.attended,
        });
    }
    for (pillar_id, state, count) in store.report_reminders(span).await? {
        let Some(report) = pillars.get_mut(&pillar_id) else {
            continue;
        };
        match state.as_str() {
            "sent" => report.reminders_sent += count,
            "late" => report.reminders_late += count,
            "missed" => report.reminders_missed += count,
            _ => {}
        }
    }
    for summary in store.report_summaries(span).await? {
        let Some(report) = pillars.get_mut(&summary.pillar_id) else {
            continue;
        };
        report.decisions += summary.decisions.len();
        report.summaries.push(SummaryLine {
            id: summary.summary_id,
            date: local_date(summary.published_at),
            decisions: summary.decisions,
            actions: summary.actions,
        });
    }
    let last_day = period.to.format("%Y-%m-%d").to_string();
    for action in store.report_actions(span).await? {
        let Some(report) = pillars.get_mut(&action.pillar_id) else {
            continue;
        };
        // Opened when its summary was published (a draft's actions are not yet anyone's).
        let opened = action.created_at.max(action.published_at.unwrap_or(action.created_at));
        if opened >= span.to {
            continue;
        }
        if opened >= span.from {
            report.actions_opened += 1;
        }
        let closed_in = action.closed_at.is_some_and(|at| at >= span.from && at < span.to);
        if action.state == "done" && closed_in {
            report.actions_done += 1;
        }
        // Closed after the period's end, it was still open at it.
        let open_at_end = action.state == "open" || action.closed_at.is_some_and(|at| at >= span.to);
        if open_at_end {
            report.actions_open += 1;
            if action.due_date <= last_day {
                report.overdue.push(ActionLine {
                    id: action.action_id,
                    summary: action.summary_id,
                    what: action.description,
                    owner: action.owner_name,
                    due: action.due_date,
                    state: action.state,
                });
            }
        }
    }
    for activity in store.report_activity(span).await? {
        let Some(report) = pillars.get_mut(&activity.pillar_id) else {
            continue;
        };
        report.messages += activity.messages;
        platform_line(report, &activity.platform).messages += activity.messages;
        platform_line(report, &activity.platform).participants += activity.participants;
    }
    for (pillar_id, participants) in store.report_participants(span).await? {
        if let Some(report) = pillars.get_mut(&pillar_id) {
            report.participants = participants;
        }
    }
    for (pillar_id, day, count) in store.report_daily_activity(span, &period.day_starts()).await? {
        let Some(report) = pillars.get_mut(&pillar_id) else {
            continue;
        };
        if let Some(slot) = usize::try_from(day).ok().and_then(|d| report.daily.get_mut(d)) {
            *slot += count;
        }
    }
    for delivery in store.report_deliveries(span).await? {
        let Some(report) = pillars.get_mut(&delivery.pillar_id) else {
            continue;
        };
        report.deliveries += delivery.deliveries;
        report.deliveries_failed += delivery.failed;
        report.deliveries_retried += delivery.retried;
        let line = platform_line(report, &delivery.platform);
        line.deliveries += delivery.deliveries;
        line.failed += delivery.failed;
        line.retried += delivery.retried;
    }

    let mut surveys = Vec::new();
    for survey in store.report_surveys(span).await? {
        if !survey.pillars.iter().any(|(p, _, _)| pillars.contains_key(p)) {
            continue;
        }
        let hidden = survey.hidden_below.is_some();
        let answers = if hidden {
            Vec::new()
        } else {
            store.report_survey_answers(survey.survey_id).await?
        };
        let mut questions = Vec::new();
        for question in store.survey_questions(survey.survey_id).await? {
            let given: Vec<Answer> = answers
                .iter()
                .filter(|(position, _)| *position == question.position)
                .filter_map(|(_, text)| Answer::from_json(text))
                .collect();
            let tally = results::tally(&question.question, &given);
            let labels: Vec<String> = match question.question.kind {
                Kind::Choice | Kind::Multiple => question.question.options.clone(),
                Kind::Rating => (1..=5).map(|n| n.to_string()).collect(),
                Kind::Text => Vec::new(),
            };
            questions.push(QuestionLine {
                number: question.position,
                prompt: question.question.prompt.clone(),
                kind: question.question.kind.as_str().to_string(),
                respondents: tally.respondents,
                options: labels
                    .into_iter()
                    .zip(tally.counts.iter())
                    .map(|(label, count)| OptionLine {
                        label,
                        count: *count,
                        percent: (tally.share(*count) * 100.0).round() as i64,
                    })
                    .collect(),
                mean: tally.mean.map(|m| format!("{m:.1}")),
                texts: tally.texts.len(),
            });
        }
        surveys.push(SurveyReport {
            id: survey.survey_id,
            title: survey.title,
            state: survey.state,
            closes: local_time(survey.closes_at),
            anonymous: survey.anonymous,
            respondents: survey.respondents,
            hidden,
            pillars: survey
                .pillars
                .iter()
                .filter(|(p, _, _)| pillars.contains_key(p))
                .map(|(p, answered, members)| SurveyPillarLine {
                    name: pillars.get(p).map_or_else(|| p.clone(), |r| r.name.clone()),
                    answered: *answered,
                    members: *members,
                    rate: members.filter(|m| *m > 0).map(|m| (answered * 100 + m / 2) / m),
                })
                .collect(),
            questions,
        });
    }

    Ok(Report {
        from: period.from.format("%Y-%m-%d").to_string(),
        to: period.to.format("%Y-%m-%d").to_string(),
        days: period.days(),
        made_at: now.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
        zone: zone.name().to_string(),
        pillars: pillars.into_values().collect(),
        surveys,
        lang,
    })
}

fn empty_pillar(pillar: &PillarRow, days: i64) -> PillarReport {
    PillarReport {
        id: pillar.id.clone(),
        name: pillar.name.clone(),
        sessions: Vec::new(),
        held: 0,
        cancelled: 0,
        moved: 0,
        rsvp_yes: 0,
        rsvp_maybe: 0,
        rsvp_no: 0,
        attended: 0,
        reminders_sent: 0,
        reminders_late: 0,
        reminders_missed: 0,
        summaries: Vec::new(),
        decisions: 0,
        actions_opened: 0,
        actions_done: 0,
        actions_open: 0,
        overdue: Vec::new(),
        messages: 0,
        participants: 0,
        platforms: Vec::new(),
        daily: vec![0; days.max(0) as usize],
        deliveries: 0,
        deliveries_failed: 0,
        deliveries_retried: 0,
    }
}

fn platform_line<'a>(report: &'a mut PillarReport, platform: &str) -> &'a mut PlatformLine {
    let name = match platform {
        "matrix" => "Matrix",
        "discord" => "Discord",
        other => other,
    };
    if let Some(index) = report.platforms.iter().position(|l| l.platform == name) {
        return &mut report.platforms[index];
    }
    report.platforms.push(PlatformLine {
        platform: name.to_string(),
        messages: 0,
        participants: 0,
        deliveries: 0,
        failed: 0,
        retried: 0,
    });
    report.platforms.last_mut().expect("just pushed")
}

/// The day `index` of a period (0: its first).
pub fn day_of(period: &Period, index: usize) -> NaiveDate {
    period.from + chrono::Days::new(index as u64)
}
