//! What the survey commands do: start, list, show, results, close, cancel, and answering
//! (typed, or with a menu, a button's form or a poll). Each returns the answer for the
//! person who asked; a mistake in what they typed ends it with [`Stop::Answer`], nothing
//! recorded.
//!
//! Who sees what: the secretariat starts, closes, cancels and reads results of any survey;
//! anyone else sees and answers the surveys of the pillar whose room they are in.

use std::fmt::Write;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hmac::{Hmac, Mac};
use magnet_chat::Platform;
use sha2::Sha256;

use super::body::{self, BodyMistake};
use super::plan;
use super::render::{self as survey_render};
use super::spec::{self, Answer, AnswerMistake, Kind, MAX_OPTION, MAX_PROMPT, MAX_TEXT_ANSWER, Question, SpecMistake};
use crate::bridge::{Payload, Platforms};
use crate::i18n::{self, Lang};
use crate::schedule::meetings::{Asker, Stop};
use crate::schedule::render::{escape, when_text, zone_of_pillar};
use crate::schedule::when::parse_start;
use crate::store::{
    Answered, NewSurvey, NewTemplate, PillarRow, QuestionRow, Respondent, Store, SurveyRow, SurveyState, account_key,
};
use crate::t;

type Step<T> = Result<T, Stop>;

/// The furthest a deadline may be.
pub const MAX_OPEN_DAYS: i64 = 90;

/// What the survey commands need from the config.
#[derive(Clone)]
pub struct SurveySettings {
    /// Results of an anonymous survey are shown from this many answers.
    pub anonymous_min: i64,
    /// The key of the voters' hashes in anonymous surveys; none: anonymous surveys are
    /// refused.
    pub voter_key: Option<Arc<Vec<u8>>>,
}

impl std::fmt::Debug for SurveySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SurveySettings")
            .field("anonymous_min", &self.anonymous_min)
            .field("voter_key", &self.voter_key.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Default for SurveySettings {
    fn default() -> Self {
        SurveySettings::from_config(&crate::config::SurveysConfig::default())
    }
}

impl SurveySettings {
    /// From `[surveys]`; a key that cannot be read now (it could when the config was
    /// checked) leaves anonymous surveys refused, with an error in the log.
    pub fn from_config(config: &crate::config::SurveysConfig) -> SurveySettings {
        let voter_key = config.voter_key.as_ref().and_then(|source| match source.read() {
            Ok(secret) => Some(Arc::new(secret.expose().as_bytes().to_vec())),
            Err(error) => {
                tracing::error!(%error, "surveys: the voters' key cannot be read; anonymous surveys are refused");
                None
            }
        });
        SurveySettings {
            anonymous_min: config.anonymous_min,
            voter_key,
        }
    }

    /// An account's keyed hash for one question: the same account gives the same hash for
    /// the question, and nothing in the database turns it back into the account.
    pub fn voter_hash(&self, question_id: i64, account: &str) -> Option<String> {
        let key = self.voter_key.as_ref()?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(b"magnet anonymous voter\0");
        mac.update(question_id.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(account.as_bytes());
        Some(mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect())
    }
}

fn refuse<T>(message: String) -> Step<T> {
    Err(Stop::Answer(message))
}

/// A survey as typed with `survey start`.
pub struct StartRequest<'a> {
    pub pillars: &'a str,
    pub question: Option<&'a str>,
    pub choices: &'a [String],
    pub closes: &'a str,
    pub title: Option<&'a str>,
    pub anonymous: bool,
    pub nudge: Option<&'a str>,
    pub multiple: Option<usize>,
    pub rating: bool,
    pub text: bool,
    pub body: Option<&'a str>,
}

/// `survey start`.
pub async fn start(
    store: &Store,
    asker: &Asker<'_>,
    request: &StartRequest<'_>,
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Step<String> {
    let lang = asker.lang;
    let all = store.pillars().await?;
    let pillars = chosen_pillars(&all, request.pillars, lang)?;
    let questions = questions(request, lang)?;
    let zone = zone_of_pillar(&all, &pillars[0]);
    let closes = deadline(request.closes, zone, now, lang)?;
    let nudge_at = match request.nudge {
        None => None,
        Some(text) => {
            let before = span(text).ok_or_else(|| Stop::Answer(t!(lang, "when-bad-duration", text = text.trim())))?;
            let at = closes - before;
            if at <= now {
                return refuse(t!(
                    lang,
                    "survey-nudge-too-late",
                    span = i18n::format::span(before.num_seconds(), lang)
                ));
            }
            Some(at.timestamp_millis())
        }
    };
    if request.anonymous && settings.voter_key.is_none() {
        return refuse(t!(lang, "survey-anonymous-needs-key"));
    }
    let title = request
        .title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&questions[0].prompt)
        .chars()
        .take(MAX_PROMPT)
        .collect::<String>();
    let survey = NewSurvey {
        title,
        anonymous: request.anonymous,
        pillars: pillars.clone(),
        questions,
        created_by: format!("{}:{}", asker.platform, asker.user_id),
        closes_at: closes.timestamp_millis(),
        nudge_at,
        source_event: Some(asker.source.clone()),
        template: None,
    };
    let open_for = survey.closes_at - now.timestamp_millis();
    let anonymous = survey.anonymous;
    let (id, new, rooms) = store
        .start_survey(&survey, now.timestamp_millis(), |id, questions, rooms| {
            plan::posts(id, questions, anonymous, open_for, rooms)
        })
        .await?;
    if !new {
        return Ok(t!(lang, "survey-started-before", id = id));
    }
    let names: Vec<&str> = pillars
        .iter()
        .filter_map(|id| all.iter().find(|p| &p.id == id).map(|p| p.name.as_str()))
        .collect();
    Ok(t!(
        lang,
        "survey-started",
        id = id,
        rooms = rooms.len(),
        pillars = names.join(", "),
        when = when_text(survey.closes_at, zone, lang)
    ))
}

/// A survey attached to a meeting, as typed with `survey attach`.
pub struct AttachRequest<'a> {
    pub meeting: i64,
    pub closes_after: Option<&'a str>,
    pub title: Option<&'a str>,
    pub anonymous: bool,
    pub nudge: Option<&'a str>,
    pub body: Option<&'a str>,
}

/// How long a meeting's survey stays open when `--closes-after` is not given.
const DEFAULT_OPEN_FOR_HOURS: i64 = 48;

/// How long a meeting's survey stays open: the span typed (at most
/// [`MAX_OPEN_DAYS`]), or the default.
pub fn open_after_meeting(typed: Option<&str>, lang: Lang) -> Step<Duration> {
    match typed {
        None => Ok(Duration::hours(DEFAULT_OPEN_FOR_HOURS)),
        Some(text) => span(text)
            .filter(|d| *d <= Duration::days(MAX_OPEN_DAYS))
            .ok_or_else(|| Stop::Answer(t!(lang, "when-bad-duration", text = text.trim()))),
    }
}

/// `survey attach`: the questions under the command, or the standard feedback (a rating of
/// the meeting and what to change), in the meeting pillar's language.
pub async fn attach(
    store: &Store,
    asker: &Asker<'_>,
    request: &AttachRequest<'_>,
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Step<String> {
    let lang = asker.lang;
    let Some(meeting) = store.meeting(request.meeting).await? else {
        return refuse(t!(lang, "survey-no-meeting", id = request.meeting));
    };
    let pillars = store.pillars().await?;
    let pillar_lang = crate::schedule::render::lang_of_pillar(&pillars, &meeting.pillar_id);
    let questions = match request.body.filter(|b| !b.trim().is_empty()) {
        Some(text) => {
            let mut read = body::read(text).map_err(|m| Stop::Answer(body_mistake(&m, lang)))?;
            body::settle_maximums(&mut read);
            read
        }
        None => vec![
            Question {
                kind: Kind::Rating,
                prompt: t!(pillar_lang, "survey-feedback-rating"),
                options: Vec::new(),
                max_choices: 1,
            },
            Question {
                kind: Kind::Text,
                prompt: t!(pillar_lang, "survey-feedback-change"),
                options: Vec::new(),
                max_choices: 1,
            },
        ],
    };
    let questions = spec::checked_questions(questions).map_err(|m| Stop::Answer(spec_mistake(&m, lang)))?;
    let open_for = open_after_meeting(request.closes_after, lang)?;
    let nudge_before = match request.nudge {
        None => None,
        Some(text) => {
            let before = span(text).ok_or_else(|| Stop::Answer(t!(lang, "when-bad-duration", text = text.trim())))?;
            if before >= open_for {
                return refuse(t!(
                    lang,
                    "survey-nudge-too-late",
                    span = i18n::format::span(before.num_seconds(), lang)
                ));
            }
            Some(before.num_milliseconds())
        }
    };
    if request.anonymous && settings.voter_key.is_none() {
        return refuse(t!(lang, "survey-anonymous-needs-key"));
    }
    let title = request
        .title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| t!(pillar_lang, "survey-feedback-title", meeting = meeting.title.as_str()))
        .chars()
        .take(MAX_PROMPT)
        .collect::<String>();
    let template = NewTemplate {
        meeting_id: meeting.id,
        title,
        questions,
        anonymous: request.anonymous,
        open_for_ms: open_for.num_milliseconds(),
        nudge_before_ms: nudge_before,
        created_by: format!("{}:{}", asker.platform, asker.user_id),
        source_event: Some(asker.source.clone()),
    };
    store.attach_survey(&template, now.timestamp_millis()).await?;
    Ok(t!(
        lang,
        "survey-attached",
        meeting = meeting.id,
        title = escape(&meeting.title),
        span = i18n::format::span(open_for.num_seconds(), lang)
    ))
}

/// The pillars named (`authorities,academia`, or `all`), each one that exists.
fn chosen_pillars(all: &[PillarRow], named: &str, lang: Lang) -> Step<Vec<String>> {
    let active: Vec<&PillarRow> = all.iter().filter(|p| p.active).collect();
    let named = named.trim();
    if ["all", "tümü", "tumu", "hepsi"].contains(&named.to_lowercase().as_str()) {
        return Ok(active.iter().map(|p| p.id.clone()).collect());
    }
    let mut chosen: Vec<String> = Vec::new();
    for id in named.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        if !active.iter().any(|p| p.id == id) {
            let known: Vec<&str> = active.iter().map(|p| p.id.as_str()).collect();
            return refuse(t!(lang, "survey-unknown-pillar", pillar = id, known = known.join(", ")));
        }
        if !chosen.iter().any(|c| c == id) {
            chosen.push(id.to_string());
        }
    }
    if chosen.is_empty() {
        let known: Vec<&str> = active.iter().map(|p| p.id.as_str()).collect();
        return refuse(t!(
            lang,
            "survey-unknown-pillar",
            pillar = named,
            known = known.join(", ")
        ));
    }
    Ok(chosen)
}

/// The questions: under the command, or the one given as its arguments.
fn questions(request: &StartRequest<'_>, lang: Lang) -> Step<Vec<Question>> {
    let written = match request.body.filter(|b| !b.trim().is_empty()) {
        Some(text) => {
            let mut read = body::read(text).map_err(|m| Stop::Answer(body_mistake(&m, lang)))?;
            body::settle_maximums(&mut read);
            read
        }
        None => match request.question.map(str::trim).filter(|q| !q.is_empty()) {
            None => Vec::new(),
            Some(prompt) => {
                let kind = if request.rating {
                    Kind::Rating
                } else if request.text {
                    Kind::Text
                } else if request.multiple.is_some() {
                    Kind::Multiple
                } else if request.choices.iter().all(|c| c.trim().is_empty()) {
                    Kind::Text
                } else {
                    Kind::Choice
                };
                // Choices given in one value (a Discord slash command's) are split at `|`.
                let options = request
                    .choices
                    .iter()
                    .flat_map(|choice| choice.split('|'))
                    .map(str::trim)
                    .filter(|choice| !choice.is_empty())
                    .map(str::to_string)
                    .collect();
                vec![Question {
                    kind,
                    prompt: prompt.to_string(),
                    options,
                    max_choices: request.multiple.unwrap_or(1),
                }]
            }
        },
    };
    spec::checked_questions(written).map_err(|m| Stop::Answer(spec_mistake(&m, lang)))
}

/// A deadline as typed: a span from now (`3d`, `36h`) or a date and time on the pillar's
/// clock; after now and at most [`MAX_OPEN_DAYS`] away.
fn deadline(text: &str, zone: Tz, now: DateTime<Utc>, lang: Lang) -> Step<DateTime<Utc>> {
    let at = match span(text) {
        Some(span) => now + span,
        None => parse_start(text, zone, lang).map_err(Stop::Answer)?,
    };
    if at <= now {
        return refuse(t!(
            lang,
            "survey-deadline-past",
            when = when_text(at.timestamp_millis(), zone, lang)
        ));
    }
    if at > now + Duration::days(MAX_OPEN_DAYS) {
        return refuse(t!(lang, "survey-deadline-too-far", days = MAX_OPEN_DAYS));
    }
    Ok(at)
}

fn span(text: &str) -> Option<Duration> {
    let parsed = humantime::parse_duration(text.trim()).ok()?;
    Duration::from_std(parsed).ok().filter(|d| *d > Duration::zero())
}

/// `survey list`: the open surveys and those closed in the last 30 days, that the asker may
/// see.
pub async fn list(store: &Store, asker: &Asker<'_>, now: DateTime<Utc>) -> Step<String> {
    let lang = asker.lang;
    let since = (now - Duration::days(30)).timestamp_millis();
    let surveys = store.recent_surveys(since, 50).await?;
    let pillars = store.pillars().await?;
    let mut text = String::new();
    for survey in surveys.iter().filter(|s| may_see(asker, s)) {
        let zone = zone_of_pillar(&pillars, &survey.pillars[0]);
        let count: i64 = store.respondents(survey.id).await?.iter().map(|(_, n)| n).sum();
        let state = state_word(survey.state);
        let _ = writeln!(
            text,
            "{}",
            t!(
                lang,
                "survey-list-line",
                id = survey.id,
                title = escape(&survey.title),
                state = t!(lang, "survey-state", state = state),
                when = when_text(survey.closes_at, zone, lang),
                count = count
            )
        );
    }
    if text.is_empty() {
        return Ok(t!(lang, "survey-list-none"));
    }
    Ok(format!("{}\n{}", t!(lang, "survey-list-title"), text.trim_end()))
}

fn state_word(state: SurveyState) -> &'static str {
    match state {
        SurveyState::Open => "open",
        SurveyState::Closed => "closed",
        SurveyState::Cancelled => "cancelled",
    }
}

fn may_see(asker: &Asker<'_>, survey: &SurveyRow) -> bool {
    survey.pillars.iter().any(|own| asker.may_see(own))
}

async fn visible_survey(store: &Store, asker: &Asker<'_>, id: i64) -> Step<SurveyRow> {
    match store.survey(id).await? {
        Some(survey) if may_see(asker, &survey) => Ok(survey),
        _ => refuse(t!(asker.lang, "survey-unknown", id = id)),
    }
}

/// `survey show`: the questions, the deadline, the count of answers so far.
pub async fn show(store: &Store, asker: &Asker<'_>, id: i64) -> Step<String> {
    let lang = asker.lang;
    let survey = visible_survey(store, asker, id).await?;
    let questions = store.survey_questions(id).await?;
    let pillars = store.pillars().await?;
    let pillar = asker
        .own_pillar()
        .filter(|p| survey.pillars.iter().any(|own| own == p))
        .unwrap_or(&survey.pillars[0]);
    let zone = zone_of_pillar(&pillars, pillar);
    let count: i64 = store.respondents(id).await?.iter().map(|(_, n)| n).sum();
    let mut lines = vec![
        t!(lang, "survey-header", id = id, title = escape(&survey.title)),
        t!(
            lang,
            "survey-show-state",
            state = t!(lang, "survey-state", state = state_word(survey.state)),
            when = when_text(survey.closes_at, zone, lang),
            count = count
        ),
    ];
    if survey.anonymous {
        lines.push(t!(lang, "survey-anonymous-note"));
    }
    for question in &questions {
        lines.push(t!(
            lang,
            "survey-question",
            number = question.position,
            prompt = escape(&question.question.prompt),
            kind = String::new()
        ));
        for (n, option) in question.question.options.iter().enumerate() {
            lines.push(t!(lang, "survey-option", number = n + 1, option = escape(option)));
        }
    }
    Ok(lines.join("\n"))
}

/// `survey results`: the results so far (or final), written answers included; an anonymous
/// survey's only from its threshold.
pub async fn results(store: &Store, asker: &Asker<'_>, id: i64, settings: &SurveySettings) -> Step<String> {
    let lang = asker.lang;
    let mut survey = visible_survey(store, asker, id).await?;
    let questions = store.survey_questions(id).await?;
    if survey.anonymous && survey.hidden_below.is_none() {
        let count: i64 = store.respondents(id).await?.iter().map(|(_, n)| n).sum();
        if count < settings.anonymous_min {
            survey.hidden_below = Some(settings.anonymous_min);
        }
    }
    Ok(survey_render::results_text(store, &survey, &questions, lang, true).await?)
}

/// Closes a survey now and queues its results and its polls' ends in every room of it,
/// once: `by` closes it (`deadline`, or who asked). `None` if it was not open.
pub async fn close_now(
    store: &Store,
    platforms: &Platforms,
    survey: &SurveyRow,
    by: &str,
    settings: &SurveySettings,
    now: i64,
) -> Result<Option<Vec<i64>>, crate::store::StoreError> {
    reconcile_polls(store, platforms, survey, now).await?;
    // The members of each pillar's rooms as the platforms count them now.
    let mut reach: Vec<(String, Platform, i64)> = Vec::new();
    for pillar in &survey.pillars {
        for room in store.pillar_rooms(pillar).await? {
            let Some(adapter) = platforms.get(room.platform) else {
                continue;
            };
            match adapter.member_count(&room.remote_id).await {
                Ok(Some(count)) => match reach.iter_mut().find(|(p, pl, _)| p == pillar && *pl == room.platform) {
                    Some(entry) => entry.2 += count as i64,
                    None => reach.push((pillar.clone(), room.platform, count as i64)),
                },
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(survey = survey.id, room = %room.remote_id, %error, "could not count a room's members for a survey's response rate");
                }
            }
        }
    }
    let hidden_below = if survey.anonymous {
        let count: i64 = store.respondents(survey.id).await?.iter().map(|(_, n)| n).sum();
        (count < settings.anonymous_min).then_some(settings.anonymous_min)
    } else {
        None
    };
    let id = survey.id;
    store
        .close_survey(id, by, now, &reach, hidden_below, |posts, rooms| {
            plan::ending(id, posts, rooms, &Payload::SurveyResults { survey: id })
        })
        .await
}

/// How long past its deadline a survey's close waits for a platform that holds some of
/// its polls to be up (its votes are read at the close); after that it closes without them.
pub const CLOSE_WAITS_FOR_POLLS_MS: i64 = 10 * 60_000;

/// Whether the polls of a survey can all be read now: every platform with one of its polls
/// is up. A close at the deadline waits for that (up to [`CLOSE_WAITS_FOR_POLLS_MS`]), so
/// votes cast while the bot was away are counted.
pub async fn polls_readable(
    store: &Store,
    platforms: &Platforms,
    survey: &SurveyRow,
) -> Result<bool, crate::store::StoreError> {
    if survey.anonymous {
        return Ok(true);
    }
    for pillar in &survey.pillars {
        for room in store.pillar_rooms(pillar).await? {
            if platforms.get(room.platform).is_some() {
                continue;
            }
            let posts = store.survey_posts(survey.id, room.id).await?;
            if posts.iter().any(|p| p.question_id.is_some() && p.remote_id.is_some()) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Brings the answers given on platforms that keep their polls' voters (Discord) in line
/// with those lists before a close: a vote given or taken back while the bot was away
/// reached no gateway of its, and is counted (or not) as the poll shows it. Recorded as
/// of the deadline at the latest; a platform that cannot be asked now is logged and left.
async fn reconcile_polls(
    store: &Store,
    platforms: &Platforms,
    survey: &SurveyRow,
    now: i64,
) -> Result<(), crate::store::StoreError> {
    if survey.anonymous {
        return Ok(());
    }
    let at = now.min(survey.closes_at - 1);
    for question in store.survey_questions(survey.id).await? {
        for platform in [Platform::Matrix, Platform::Discord] {
            let Some(adapter) = platforms.get(platform) else {
                continue;
            };
            // Every poll of the question on the platform, in every room of the survey: one
            // answer per person across all of them.
            let mut chosen: std::collections::BTreeMap<String, (String, Vec<usize>)> = Default::default();
            let mut listed_all = true;
            let mut any = false;
            for pillar in &survey.pillars {
                for room in store
                    .pillar_rooms(pillar)
                    .await?
                    .iter()
                    .filter(|r| r.platform == platform)
                {
                    let posts = store.survey_posts(survey.id, room.id).await?;
                    let Some(remote) = posts
                        .iter()
                        .find(|p| p.question_id == Some(question.id))
                        .and_then(|p| p.remote_id.clone())
                    else {
                        continue;
                    };
                    let ids: Vec<String> = (1..=question.question.options.len()).map(|n| n.to_string()).collect();
                    let lists = match adapter.poll_voters(&room.remote_id, &remote, &ids, at).await {
                        Ok(Some(lists)) => lists,
                        Ok(None) => continue,
                        Err(error) => {
                            tracing::warn!(survey = survey.id, room = %room.remote_id, %error, "could not read a poll's voters before the close; counting the votes seen");
                            listed_all = false;
                            continue;
                        }
                    };
                    any = true;
                    for (answer, voters) in &lists {
                        let Some(index) = answer.parse::<usize>().ok().and_then(|n| n.checked_sub(1)) else {
                            continue;
                        };
                        for voter in voters {
                            let entry = chosen
                                .entry(voter.clone())
                                .or_insert_with(|| (pillar.clone(), Vec::new()));
                            if !entry.1.contains(&index) {
                                entry.1.push(index);
                            }
                        }
                    }
                }
            }
            if !any {
                continue;
            }
            let counted = store.answers_from(question.id, platform).await?;
            for (user, (pillar, indexes)) in &chosen {
                let Ok(answer) = question.question.choices(indexes.clone()) else {
                    continue;
                };
                if counted.iter().any(|(u, a)| u == user && *a == answer) {
                    continue;
                }
                // Someone whose linked account on the other platform answered since: that
                // later answer stands (a voter list does not say when a vote was cast).
                if store
                    .answered_on(question.id, platform, user)
                    .await?
                    .is_some_and(|on| on != platform)
                {
                    continue;
                }
                tracing::info!(
                    survey = survey.id,
                    "a poll vote not seen before is counted from the poll's voters"
                );
                store
                    .record_answer(
                        question.id,
                        &poll_voter(platform, user, Some(pillar)),
                        Some(&answer),
                        at,
                    )
                    .await?;
            }
            if !listed_all {
                continue;
            }
            for (user, _) in counted.iter().filter(|(u, _)| !chosen.contains_key(u)) {
                tracing::info!(survey = survey.id, "a poll vote taken back unseen is withdrawn");
                store
                    .record_answer(question.id, &poll_voter(platform, user, None), None, at)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Someone as a poll's own record of votes shows them.
fn poll_voter<'a>(platform: Platform, user_id: &'a str, pillar_id: Option<&'a str>) -> Respondent<'a> {
    Respondent {
        platform,
        user_id,
        pillar_id,
        by_poll: true,
    }
}

/// `survey close`.
pub async fn close(
    store: &Store,
    platforms: &Platforms,
    asker: &Asker<'_>,
    id: i64,
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Step<String> {
    let lang = asker.lang;
    let survey = visible_survey(store, asker, id).await?;
    if survey.state != SurveyState::Open {
        return refuse(not_open(&survey, lang));
    }
    let by = format!("{}:{}", asker.platform, asker.user_id);
    match close_now(store, platforms, &survey, &by, settings, now.timestamp_millis()).await? {
        Some(_) => Ok(t!(lang, "survey-closed-now", id = id)),
        None => refuse(not_open(&store.survey(id).await?.unwrap_or(survey), lang)),
    }
}

fn not_open(survey: &SurveyRow, lang: Lang) -> String {
    t!(
        lang,
        "survey-not-open",
        id = survey.id,
        state = t!(lang, "survey-state", state = state_word(survey.state))
    )
}

/// `survey cancel`.
pub async fn cancel(store: &Store, asker: &Asker<'_>, id: i64, now: DateTime<Utc>) -> Step<String> {
    let lang = asker.lang;
    let survey = visible_survey(store, asker, id).await?;
    if survey.state != SurveyState::Open {
        return refuse(not_open(&survey, lang));
    }
    let by = format!("{}:{}", asker.platform, asker.user_id);
    let cancelled = store
        .cancel_survey(id, &by, now.timestamp_millis(), |posts, rooms| {
            plan::ending(id, posts, rooms, &Payload::SurveyCancelled { survey: id })
        })
        .await?;
    match cancelled {
        Some(_) => Ok(t!(lang, "survey-cancelled-now", id = id)),
        None => refuse(not_open(&store.survey(id).await?.unwrap_or(survey), lang)),
    }
}

/// Who answers, and from where.
pub struct Voter<'a> {
    pub platform: Platform,
    pub user_id: &'a str,
    /// The pillars they answer for: the room's; in a direct room, those whose rooms they
    /// are in. `None` in the secretariat's rooms (any survey, counted for no pillar).
    pub pillars: Option<&'a [String]>,
    pub lang: Lang,
}

/// How an answer is given.
pub enum Given<'a> {
    /// Typed: a choice's number or words, a rating, a text.
    Typed(&'a str),
    /// Picked on a platform's control: choices (0-based) or a rating.
    Picked(Vec<usize>),
    /// Chosen in one of the survey's native polls (0-based).
    Voted(Vec<usize>),
    /// Taken back (a vote withdrawn on a poll).
    Withdrawn,
}

/// Records an answer to question `position` of a survey and says what became of it.
pub async fn answer(
    store: &Store,
    voter: &Voter<'_>,
    survey_id: i64,
    position: i64,
    given: Given<'_>,
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Step<String> {
    let lang = voter.lang;
    let Some(survey) = store.survey(survey_id).await? else {
        return refuse(t!(lang, "survey-unknown", id = survey_id));
    };
    // The answer counts for the first of the survey's pillars the person answers for.
    let pillar = match voter.pillars {
        None => None,
        Some(theirs) => match survey.pillars.iter().find(|own| theirs.contains(own)) {
            Some(pillar) => Some(pillar.as_str()),
            None => return refuse(t!(lang, "survey-unknown", id = survey_id)),
        },
    };
    let questions = store.survey_questions(survey_id).await?;
    let Some(question) = questions.iter().find(|q| q.position == position) else {
        return refuse(t!(
            lang,
            "survey-no-such-question",
            id = survey_id,
            number = position,
            count = questions.len()
        ));
    };
    if survey.state != SurveyState::Open || now.timestamp_millis() >= survey.closes_at {
        return refuse(t!(lang, "survey-answer-closed", id = survey_id));
    }
    let by_poll = matches!(given, Given::Voted(_) | Given::Withdrawn);
    let read = match given {
        Given::Typed(text) => Some(question.question.read_answer(text)),
        Given::Picked(chosen) | Given::Voted(chosen) => Some(match question.question.kind {
            Kind::Rating => match chosen.as_slice() {
                [n] if (1..=spec::RATING_MAX as usize).contains(n) => Ok(Answer::Rating(*n as u8)),
                _ => Err(AnswerMistake::NotARating {
                    typed: format!("{chosen:?}"),
                }),
            },
            _ => question.question.choices(chosen),
        }),
        Given::Withdrawn => None,
    };
    let answer = match read {
        Some(Ok(answer)) => Some(answer),
        Some(Err(mistake)) => return refuse(answer_mistake(&mistake, lang)),
        None => None,
    };
    let outcome = if survey.anonymous {
        let Some(answer) = &answer else {
            // A vote taken back on an anonymous survey: there are no polls to take it
            // back from, and an anonymous answer stays.
            return refuse(t!(lang, "survey-answer-already", id = survey_id, number = position));
        };
        // Each account has its hash; an account linked with it answered for it too.
        let Some(hash) = settings.voter_hash(question.id, &account_key(voter.platform, voter.user_id)) else {
            return refuse(t!(lang, "survey-anonymous-needs-key"));
        };
        let linked: Vec<String> = store
            .linked_accounts(voter.platform, voter.user_id)
            .await?
            .iter()
            .filter_map(|(platform, user)| settings.voter_hash(question.id, &account_key(*platform, user)))
            .collect();
        store
            .record_anonymous_answer(question.id, &hash, &linked, pillar, answer, now.timestamp_millis())
            .await?
    } else {
        store
            .record_answer(
                question.id,
                &Respondent {
                    platform: voter.platform,
                    user_id: voter.user_id,
                    pillar_id: pillar,
                    by_poll,
                },
                answer.as_ref(),
                now.timestamp_millis(),
            )
            .await?
    };
    Ok(match outcome {
        Answered::New if survey.anonymous => t!(lang, "survey-answer-anonymous", id = survey_id, number = position),
        Answered::New => t!(lang, "survey-answer-new", id = survey_id, number = position),
        Answered::Replaced => t!(lang, "survey-answer-replaced", id = survey_id, number = position),
        Answered::Withdrawn => t!(lang, "survey-answer-withdrawn", id = survey_id, number = position),
        Answered::Closed => return refuse(t!(lang, "survey-answer-closed", id = survey_id)),
        Answered::AlreadyAnswered => {
            return refuse(t!(lang, "survey-answer-already", id = survey_id, number = position));
        }
    })
}

/// The question a poll is, from its post.
pub async fn poll_question(
    store: &Store,
    room_id: i64,
    poll: &str,
) -> Result<Option<(i64, QuestionRow)>, crate::store::StoreError> {
    let Some(post) = store.survey_post_at(room_id, poll).await? else {
        return Ok(None);
    };
    let Some(question_id) = post.question_id else {
        return Ok(None);
    };
    let questions = store.survey_questions(post.survey_id).await?;
    Ok(questions
        .into_iter()
        .find(|q| q.id == question_id)
        .map(|q| (post.survey_id, q)))
}

fn spec_mistake(mistake: &SpecMistake, lang: Lang) -> String {
    match mistake {
        SpecMistake::NoQuestion => t!(lang, "survey-no-question"),
        SpecMistake::TooManyQuestions { count } => t!(lang, "survey-too-many-questions", count = *count),
        SpecMistake::EmptyPrompt { question } => t!(lang, "survey-empty-prompt", number = *question),
        SpecMistake::PromptTooLong { question } => {
            t!(lang, "survey-prompt-too-long", number = *question, max = MAX_PROMPT)
        }
        SpecMistake::TooFewOptions { question, count } => {
            t!(lang, "survey-too-few-options", number = *question, count = *count)
        }
        SpecMistake::TooManyOptions { question, count } => {
            t!(lang, "survey-too-many-options", number = *question, count = *count)
        }
        SpecMistake::EmptyOption { question } => t!(lang, "survey-empty-option", number = *question),
        SpecMistake::OptionTooLong { question, option } => t!(
            lang,
            "survey-option-too-long",
            number = *question,
            option = escape(option),
            max = MAX_OPTION
        ),
        SpecMistake::SameOptionTwice { question, option } => {
            t!(lang, "survey-same-option", number = *question, option = escape(option))
        }
        SpecMistake::MaxOutOfRange { question, max, options } => t!(
            lang,
            "survey-max-out-of-range",
            number = *question,
            max = *max,
            count = *options
        ),
        SpecMistake::OptionsNotTaken { question, .. } => t!(lang, "survey-options-not-taken", number = *question),
    }
}

fn body_mistake(mistake: &BodyMistake, lang: Lang) -> String {
    match mistake {
        BodyMistake::ChoiceWithoutQuestion { line } => t!(lang, "survey-body-choice-first", line = *line),
        BodyMistake::Unreadable { line, text } => {
            t!(lang, "survey-body-unreadable", line = *line, text = escape(text))
        }
        BodyMistake::UnknownKind { line, kind } => {
            t!(lang, "survey-body-unknown-kind", line = *line, kind = escape(kind))
        }
    }
}

fn answer_mistake(mistake: &AnswerMistake, lang: Lang) -> String {
    match mistake {
        AnswerMistake::Empty => t!(lang, "survey-answer-empty"),
        AnswerMistake::NotAChoice { typed, options } => {
            t!(
                lang,
                "survey-answer-not-a-choice",
                typed = escape(typed),
                count = *options
            )
        }
        AnswerMistake::TooManyChoices { max } => t!(lang, "survey-answer-too-many", max = *max),
        AnswerMistake::NotARating { typed } => t!(lang, "survey-answer-not-a-rating", typed = escape(typed)),
        AnswerMistake::TextTooLong { length } => {
            t!(lang, "survey-answer-too-long", length = *length, max = MAX_TEXT_ANSWER)
        }
    }
}
