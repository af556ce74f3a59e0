//! A survey for the secretariat's files (`magnet survey export`): as CSV, one row per
//! answer for a spreadsheet, or as JSON with the survey, its questions and their results,
//! the answers and the response rate. An anonymous survey's answers carry no voter and no
//! time, as the database keeps them.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::results;
use super::spec::{Answer, Question};
use crate::store::{ExportedAnswer, QuestionRow, Store, StoreError, SurveyRow, SurveyState};

/// The formats a survey is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// The survey in `format`, or `None` if there is no such survey. An anonymous survey with
/// fewer answers than `anonymous_min` exports none (a few answers could tell their people).
pub async fn export(store: &Store, id: i64, format: Format, anonymous_min: i64) -> Result<Option<String>, StoreError> {
    let Some(mut survey) = store.survey(id).await? else {
        return Ok(None);
    };
    let questions = store.survey_questions(id).await?;
    if survey.anonymous && survey.hidden_below.is_none() {
        let count: i64 = store.respondents(id).await?.iter().map(|(_, n)| n).sum();
        if count < anonymous_min {
            survey.hidden_below = Some(anonymous_min);
        }
    }
    let answers = match survey.hidden_below {
        Some(_) => Vec::new(),
        None => store.exported_answers(id).await?,
    };
    Ok(Some(match format {
        Format::Csv => csv(&survey, &questions, &answers).map_err(|e| StoreError::Invalid(e.to_string()))?,
        Format::Json => json(store, &survey, &questions, &answers).await?.to_string(),
    }))
}

fn csv(survey: &SurveyRow, questions: &[QuestionRow], answers: &[ExportedAnswer]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "survey",
        "question",
        "kind",
        "question_text",
        "pillar",
        "platform",
        "user",
        "answer",
        "answered_at",
    ])?;
    for answer in answers {
        let Some(question) = questions.iter().find(|q| q.position == answer.position) else {
            continue;
        };
        writer.write_record([
            survey.id.to_string(),
            answer.position.to_string(),
            question.question.kind.as_str().to_string(),
            question.question.prompt.clone(),
            answer.pillar_id.clone().unwrap_or_default(),
            answer.platform.clone().unwrap_or_default(),
            answer.user_id.clone().unwrap_or_default(),
            answer_text(&question.question, &answer.answer),
            answer.answered_at.map(timestamp).unwrap_or_default(),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

async fn json(
    store: &Store,
    survey: &SurveyRow,
    questions: &[QuestionRow],
    answers: &[ExportedAnswer],
) -> Result<Value, StoreError> {
    let mut listed = Vec::new();
    for question in questions {
        let given: Vec<Answer> = answers
            .iter()
            .filter(|a| a.position == question.position)
            .map(|a| a.answer.clone())
            .collect();
        let tally = results::tally(&question.question, &given);
        listed.push(json!({
            "position": question.position,
            "kind": question.question.kind.as_str(),
            "prompt": question.question.prompt,
            "options": question.question.options,
            "max_choices": question.question.max_choices,
            "results": {
                "respondents": tally.respondents,
                "counts": tally.counts,
                "mean": tally.mean,
            },
        }));
    }
    let respondents = store.respondents(survey.id).await?;
    let reach = store.survey_reach(survey.id).await?;
    let response: Vec<Value> = survey
        .pillars
        .iter()
        .map(|pillar| {
            let answered: i64 = respondents
                .iter()
                .filter(|(p, _)| p.as_deref() == Some(pillar.as_str()))
                .map(|(_, n)| n)
                .sum();
            let members: Vec<Value> = reach
                .iter()
                .filter(|(p, _, _)| p == pillar)
                .map(|(_, platform, n)| json!({"platform": platform, "members": n}))
                .collect();
            json!({"pillar": pillar, "respondents": answered, "members": members})
        })
        .collect();
    let answers: Vec<Value> = answers
        .iter()
        .filter_map(|a| {
            let question = questions.iter().find(|q| q.position == a.position)?;
            Some(json!({
                "question": a.position,
                "pillar": a.pillar_id,
                "platform": a.platform,
                "user": a.user_id,
                "answer": answer_text(&question.question, &a.answer),
                "answered_at": a.answered_at.map(timestamp),
            }))
        })
        .collect();
    Ok(json!({
        "survey": {
            "id": survey.id,
            "title": survey.title,
            "anonymous": survey.anonymous,
            "state": match survey.state {
                SurveyState::Open => "open",
                SurveyState::Closed => "closed",
                SurveyState::Cancelled => "cancelled",
            },
            "pillars": survey.pillars,
            "created_by": survey.created_by,
            "opens_at": timestamp(survey.opens_at),
            "closes_at": timestamp(survey.closes_at),
            "closed_at": survey.closed_at.map(timestamp),
            "results_hidden_below": survey.hidden_below,
        },
        "questions": listed,
        "answers": answers,
        "response": response,
    }))
}

/// An answer as a person reads it: the choices' words, a rating, a text.
fn answer_text(question: &Question, answer: &Answer) -> String {
    match answer {
        Answer::Choices(chosen) => chosen
            .iter()
            .filter_map(|n| question.options.get(*n).cloned())
            .collect::<Vec<_>>()
            .join("; "),
        Answer::Rating(n) => n.to_string(),
        Answer::Text(text) => text.clone(),
    }
}

fn timestamp(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}
