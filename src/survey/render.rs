//! What a survey says in a room, made when its delivery is sent, in the room's language
//! and on its pillar's clock: the survey's own message (with menus and buttons on Discord,
//! the command to type on Matrix), a question's poll, the reminder before the deadline,
//! a poll's end, the results and the notice of a cancellation. Text people wrote (the
//! title, questions and choices) is shown as written, escaped.

use chrono_tz::Tz;
use magnet_chat::{Button, ButtonStyle, Control, Menu, MenuOption, OutboundAction, Platform, PollStart};

use super::plan::{self, OWN_MESSAGE};
use super::results::{self, Tally};
use super::spec::{Kind, RATING_MAX};
use crate::command::invocation;
use crate::i18n::{self, Lang};
use crate::schedule::render::{body, escape, lang_of_pillar, when_text, zone_of_pillar};
use crate::store::{QuestionRow, RoomRow, Store, StoreError, SurveyRow, SurveyState};
use crate::t;

/// The width of a result's bar, in cells.
const BAR_WIDTH: usize = 10;

/// The id a survey control carries: `survey:<survey>:<question position>`.
pub fn control_id(survey: i64, position: i64) -> String {
    format!("survey:{survey}:{position}")
}

/// Reads a survey control's id back: (survey, question position).
pub fn parse_control_id(id: &str) -> Option<(i64, i64)> {
    let (survey, position) = id.strip_prefix("survey:")?.split_once(':')?;
    Some((survey.parse().ok()?, position.parse().ok()?))
}

/// The survey, its questions, and the room's clock and language, if the survey exists and
/// the room is one of its pillars' (a room moved to another pillar since gets nothing).
async fn context(
    store: &Store,
    survey: i64,
    room: &RoomRow,
) -> Result<Option<(SurveyRow, Vec<QuestionRow>, Tz, Lang)>, StoreError> {
    let Some(row) = store.survey(survey).await? else {
        return Ok(None);
    };
    let Some(pillar) = room
        .pillar_id
        .as_deref()
        .filter(|p| row.pillars.iter().any(|own| own == p))
    else {
        return Ok(None);
    };
    let pillars = store.pillars().await?;
    let zone = zone_of_pillar(&pillars, pillar);
    let lang = lang_of_pillar(&pillars, pillar);
    let questions = store.survey_questions(survey).await?;
    Ok(Some((row, questions, zone, lang)))
}

/// A survey's own message or one of its polls; nothing once it is no longer open.
pub async fn post(store: &Store, survey: i64, part: i64, room: &RoomRow) -> Result<Option<OutboundAction>, StoreError> {
    let Some((row, questions, zone, lang)) = context(store, survey, room).await? else {
        return Ok(None);
    };
    if row.state != SurveyState::Open {
        return Ok(None);
    }
    let open_for = row.closes_at - row.opens_at;
    if part != OWN_MESSAGE {
        let Some(question) = questions.iter().find(|q| q.position == part) else {
            return Ok(None);
        };
        let poll = PollStart {
            question: question.question.prompt.clone(),
            answers: question
                .question
                .options
                .iter()
                .enumerate()
                .map(|(n, option)| ((n + 1).to_string(), option.clone()))
                .collect(),
            max_selections: question.question.max_choices as u32,
            disclosed: true,
            closes_at_ms: Some(row.closes_at),
        };
        let fallback = poll_fallback(&row, question, lang);
        return Ok(Some(OutboundAction::StartPoll {
            poll,
            fallback_text: Some(fallback),
        }));
    }
    let polls = plan::parts(&questions, row.anonymous, room.platform, open_for);
    let mut lines = vec![
        t!(lang, "survey-header", id = row.id, title = escape(&row.title)),
        t!(lang, "survey-closes", when = when_text(row.closes_at, zone, lang)),
    ];
    if row.anonymous {
        lines.push(t!(lang, "survey-anonymous-note"));
    }
    let mut controls = Vec::new();
    let mut to_type = false;
    for question in &questions {
        let is_poll = polls.contains(&question.position);
        lines.push(question_line(question, is_poll, lang));
        if is_poll {
            continue;
        }
        match room.platform {
            Platform::Discord => controls.push(control(row.id, question, lang)),
            Platform::Matrix => {
                to_type = true;
                if question.question.kind.has_options() {
                    for (n, option) in question.question.options.iter().enumerate() {
                        lines.push(t!(lang, "survey-option", number = n + 1, option = escape(option)));
                    }
                }
            }
        }
    }
    if polls.len() > 1 {
        lines.push(t!(lang, "survey-how-polls"));
    }
    if to_type {
        let command = format!("{} {} {} 1 …", invocation(false), answer_word(lang), row.id);
        lines.push(t!(lang, "survey-how-matrix", command = command));
    }
    if !controls.is_empty() {
        lines.push(t!(lang, "survey-how-discord"));
    }
    let text = lines.join("\n");
    Ok(Some(if controls.is_empty() {
        OutboundAction::Send {
            body: body(room.platform, text),
            persona: None,
        }
    } else {
        OutboundAction::SendControls {
            body: body(room.platform, text),
            controls,
        }
    }))
}

/// `answer` in the language's command words.
fn answer_word(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "answer",
        Lang::Tr => "yanıt",
    }
}

fn question_line(question: &QuestionRow, is_poll: bool, lang: Lang) -> String {
    let kind = if is_poll {
        t!(lang, "survey-kind-poll")
    } else {
        match question.question.kind {
            Kind::Multiple => t!(lang, "survey-kind-multiple", max = question.question.max_choices),
            Kind::Rating => t!(lang, "survey-kind-rating"),
            Kind::Text => t!(lang, "survey-kind-text"),
            Kind::Choice => String::new(),
        }
    };
    t!(
        lang,
        "survey-question",
        number = question.position,
        prompt = escape(&question.question.prompt),
        kind = kind
    )
}

/// A Discord control for a question: a menu of its choices or of ratings, or a button
/// that asks for text.
fn control(survey: i64, question: &QuestionRow, lang: Lang) -> Control {
    let id = control_id(survey, question.position);
    let number = question.position;
    match question.question.kind {
        Kind::Choice | Kind::Multiple => Control::Menu(Menu {
            id,
            placeholder: t!(lang, "survey-menu-placeholder", number = number),
            options: question
                .question
                .options
                .iter()
                .enumerate()
                .map(|(n, option)| MenuOption {
                    value: n.to_string(),
                    label: option.clone(),
                })
                .collect(),
            min: 1,
            max: question.question.max_choices as u8,
        }),
        Kind::Rating => Control::Menu(Menu {
            id,
            placeholder: t!(lang, "survey-menu-placeholder", number = number),
            options: (1..=RATING_MAX)
                .map(|n| MenuOption {
                    value: n.to_string(),
                    label: t!(lang, "survey-rating-option", n = n),
                })
                .collect(),
            min: 1,
            max: 1,
        }),
        Kind::Text => Control::Button(Button {
            id,
            label: t!(lang, "survey-text-button", number = number),
            style: ButtonStyle::Primary,
            asks_text: true,
        }),
    }
}

/// What a client without polls shows for a poll: the question and its numbered choices.
fn poll_fallback(row: &SurveyRow, question: &QuestionRow, lang: Lang) -> String {
    let mut lines = vec![t!(
        lang,
        "survey-question",
        number = question.position,
        prompt = question.question.prompt.as_str(),
        kind = format!(" (#{})", row.id)
    )];
    for (n, option) in question.question.options.iter().enumerate() {
        lines.push(t!(lang, "survey-option", number = n + 1, option = option.as_str()));
    }
    lines.join("\n")
}

/// The reminder before the deadline, with the number of people who answered so far.
pub async fn nudge(store: &Store, survey: i64, room: &RoomRow) -> Result<Option<OutboundAction>, StoreError> {
    let Some((row, _, zone, lang)) = context(store, survey, room).await? else {
        return Ok(None);
    };
    if row.state != SurveyState::Open {
        return Ok(None);
    }
    let count: i64 = store.respondents(survey).await?.iter().map(|(_, n)| n).sum();
    let text = t!(
        lang,
        "survey-nudge",
        id = row.id,
        title = escape(&row.title),
        when = when_text(row.closes_at, zone, lang),
        count = count
    );
    Ok(Some(OutboundAction::Send {
        body: body(room.platform, text),
        persona: None,
    }))
}

/// Ends a question's poll in the room, if it was posted.
pub async fn poll_end(
    store: &Store,
    survey: i64,
    part: i64,
    room: &RoomRow,
) -> Result<Option<OutboundAction>, StoreError> {
    let Some((_, _, _, lang)) = context(store, survey, room).await? else {
        return Ok(None);
    };
    let posts = store.survey_posts(survey, room.id).await?;
    let Some(target) = posts.iter().find(|p| p.part == part).and_then(|p| p.remote_id.clone()) else {
        return Ok(None);
    };
    Ok(Some(OutboundAction::EndPoll {
        target,
        results_text: t!(lang, "survey-poll-ended"),
    }))
}

/// The notice that a survey was cancelled.
pub async fn cancelled(store: &Store, survey: i64, room: &RoomRow) -> Result<Option<OutboundAction>, StoreError> {
    let Some((row, _, _, lang)) = context(store, survey, room).await? else {
        return Ok(None);
    };
    let text = t!(lang, "survey-cancelled-notice", id = row.id, title = escape(&row.title));
    Ok(Some(OutboundAction::Send {
        body: body(room.platform, text),
        persona: None,
    }))
}

/// The results of a closed survey, for a room of it.
pub async fn results(store: &Store, survey: i64, room: &RoomRow) -> Result<Option<OutboundAction>, StoreError> {
    let Some((row, questions, _, lang)) = context(store, survey, room).await? else {
        return Ok(None);
    };
    if row.state != SurveyState::Closed {
        return Ok(None);
    }
    let text = results_text(store, &row, &questions, lang, false).await?;
    Ok(Some(OutboundAction::Send {
        body: body(room.platform, text),
        persona: None,
    }))
}

/// A survey's results as text: each question's counts with bars, and the response rate
/// per pillar. With `with_texts` (the secretariat asking), the written answers too.
pub async fn results_text(
    store: &Store,
    row: &SurveyRow,
    questions: &[QuestionRow],
    lang: Lang,
    with_texts: bool,
) -> Result<String, StoreError> {
    let respondents = store.respondents(row.id).await?;
    let total: i64 = respondents.iter().map(|(_, n)| n).sum();
    let mut lines = vec![
        t!(lang, "survey-results-title", id = row.id, title = escape(&row.title)),
        t!(lang, "survey-results-respondents", count = total),
    ];
    if let Some(min) = row.hidden_below {
        lines.push(t!(lang, "survey-results-hidden", min = min, count = total));
        return Ok(lines.join("\n"));
    }
    for question in questions {
        let answers: Vec<_> = store
            .question_answers(question.id)
            .await?
            .into_iter()
            .map(|(_, answer)| answer)
            .collect();
        let tally = results::tally(&question.question, &answers);
        lines.push(String::new());
        lines.push(question_line(question, false, lang));
        lines.extend(tally_lines(question, &tally, lang, row.id, with_texts));
    }
    let reach = store.survey_reach(row.id).await?;
    let names = store.pillars().await?;
    if !row.pillars.is_empty() {
        lines.push(String::new());
    }
    for pillar in &row.pillars {
        let name = names
            .iter()
            .find(|p| &p.id == pillar)
            .map_or(pillar.as_str(), |p| p.name.as_str());
        let answered: i64 = respondents
            .iter()
            .filter(|(p, _)| p.as_deref() == Some(pillar.as_str()))
            .map(|(_, n)| n)
            .sum();
        let members: i64 = reach.iter().filter(|(p, _, _)| p == pillar).map(|(_, _, n)| n).sum();
        lines.push(if members > 0 {
            t!(
                lang,
                "survey-results-rate",
                pillar = name,
                respondents = answered,
                members = members,
                percent = results::percent(answered as f64 / members as f64)
            )
        } else {
            t!(
                lang,
                "survey-results-rate-unknown",
                pillar = name,
                respondents = answered
            )
        });
    }
    Ok(lines.join("\n"))
}

fn tally_lines(question: &QuestionRow, tally: &Tally, lang: Lang, survey: i64, with_texts: bool) -> Vec<String> {
    let line = |count: usize, label: String| {
        let share = tally.share(count);
        t!(
            lang,
            "survey-results-line",
            bar = results::bar(share, BAR_WIDTH),
            percent = results::percent(share),
            count = count,
            label = label
        )
    };
    match question.question.kind {
        Kind::Choice | Kind::Multiple => question
            .question
            .options
            .iter()
            .zip(&tally.counts)
            .map(|(option, &count)| line(count, escape(option)))
            .collect(),
        Kind::Rating => {
            let mut lines: Vec<String> = tally
                .counts
                .iter()
                .enumerate()
                .rev()
                .map(|(n, &count)| line(count, "★".repeat(n + 1)))
                .collect();
            if let Some(mean) = tally.mean {
                lines.push(t!(
                    lang,
                    "survey-results-mean",
                    mean = i18n::format::decimal(mean, 1, lang)
                ));
            }
            lines
        }
        Kind::Text if with_texts => tally.texts.iter().map(|text| format!("> {}", escape(text))).collect(),
        Kind::Text => vec![t!(
            lang,
            "survey-results-texts",
            count = tally.respondents,
            command = format!("{} survey results {survey}", invocation(false))
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_read_back() {
        assert_eq!(parse_control_id(&control_id(12, 3)), Some((12, 3)));
        assert_eq!(parse_control_id("rsvp:1:yes"), None);
        assert_eq!(parse_control_id("survey:x:1"), None);
    }
}
