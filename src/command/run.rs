//! Running a command: who may (the secretariat, from the config: Matrix users or power
//! level, Discord roles), and what the answer says.

use std::collections::HashMap;
use std::fmt::Write;

use magnet_chat::Platform;

use super::{ActionCommand, Command, MeetingCommand, SummaryCommand, SurveyCommand, help_hint, help_lines};
use crate::bridge::Platforms;
use crate::config::Secretariat;
use crate::i18n::Lang;
use crate::schedule::meetings::{self, AddRequest, Asker, Stop};
use crate::store::{RoomRow, Store};
use crate::summary::commands::{self as summary_commands, SummarySettings};
use crate::survey::commands::{self as surveys, Given, StartRequest, SurveySettings, Voter};
use crate::t;

/// What running a command needs.
pub struct CommandContext<'a> {
    pub store: &'a Store,
    pub platforms: &'a Platforms,
    pub secretariat: &'a Secretariat,
    /// Each pillar's default reminder offsets, in seconds.
    pub reminder_defaults: &'a HashMap<String, Vec<i64>>,
    pub surveys: &'a SurveySettings,
    pub summaries: &'a SummarySettings,
    pub reports: &'a crate::config::Reports,
}

/// Who ran a command, and where.
pub struct Invoker<'a> {
    pub platform: Platform,
    pub room: &'a str,
    pub user: &'a str,
    pub name: &'a str,
    /// The command's event id.
    pub event: &'a str,
    /// Through a Discord slash command (help then shows slash commands).
    pub slash: bool,
    /// Only the asker sees the answer: a slash command, or a direct room with the bot.
    pub private: bool,
    /// In a direct room, the pillars whose rooms the asker is in, where already looked up.
    pub member_of: Option<&'a [String]>,
    /// The language of the answer: the room's.
    pub lang: Lang,
}

/// A command's answer to show the invoker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// The command was refused (or failed): nothing it asked for happened. A quiet
    /// command (a vote, a reaction) is answered only then.
    pub refused: bool,
}

impl Reply {
    fn done(text: String) -> Reply {
        Reply { text, refused: false }
    }

    fn refused(text: String) -> Reply {
        Reply { text, refused: true }
    }

    /// A step's outcome: done, or stopped with an answer.
    fn of(outcome: Result<String, Stop>) -> Result<Reply, String> {
        match outcome {
            Ok(answer) => Ok(Reply::done(answer)),
            Err(Stop::Answer(answer)) => Ok(Reply::refused(answer)),
            Err(Stop::Failed(error)) => Err(error),
        }
    }
}

/// Runs a command and returns the answer to show the invoker. Errors that are not the
/// invoker's fault are logged with a reference the answer gives.
pub async fn execute(command: &Command, context: &CommandContext<'_>, invoker: &Invoker<'_>) -> Reply {
    let lang = invoker.lang;
    let secretariat = match is_secretariat(context, invoker).await {
        Ok(answer) => answer,
        Err(error) => return Reply::refused(internal_error(&error, lang)),
    };
    if command.needs_secretariat() && !secretariat {
        return Reply::refused(t!(
            lang,
            "only-secretariat",
            command = command.name(),
            hint = help_hint(invoker.slash, lang)
        ));
    }
    let answer = match command {
        Command::Help => Ok(Reply::done(help(secretariat, invoker.slash, lang))),
        Command::Status { pillar } => status(context, pillar.as_deref(), secretariat, lang)
            .await
            .map(Reply::done),
        Command::DeadLetters { pillar } => dead_letters(context, pillar.as_deref(), invoker.slash, lang)
            .await
            .map(Reply::done),
        Command::Retry { which, pillar } => retry(context, which, pillar.as_deref(), lang).await.map(Reply::done),
        Command::Resume { pillar } => resume(context, pillar.as_deref(), lang).await.map(Reply::done),
        Command::Meeting(_) | Command::Rsvp { .. } | Command::RsvpButton { .. } => {
            meeting(command, context, invoker, secretariat).await
        }
        Command::Survey(_) | Command::Answer { .. } | Command::SurveyControl { .. } => {
            survey(command, context, invoker, secretariat).await
        }
        Command::Summary(_) | Command::Action(_) | Command::Search { .. } => {
            summaries(command, context, invoker, secretariat).await
        }
        Command::Report { pillar, from, to } => report(context, invoker, secretariat, (pillar, from, to)).await,
        Command::Link { code } => link(context, invoker, code.as_deref()).await.map(Reply::done),
        Command::Unlink => unlink(context, invoker).await.map(Reply::done),
    };
    answer.unwrap_or_else(|error| Reply::refused(internal_error(&error, lang)))
}

async fn meeting(
    command: &Command,
    context: &CommandContext<'_>,
    invoker: &Invoker<'_>,
    secretariat: bool,
) -> Result<Reply, String> {
    let store = context.store;
    let place = Place::of(context, invoker).await?;
    let asker = place.asker(invoker, secretariat);
    let now = chrono::Utc::now();
    let outcome = match command {
        Command::Meeting(meeting) => match meeting.as_ref() {
            MeetingCommand::List { pillar } => meetings::list(store, &asker, pillar.as_deref(), now).await,
            MeetingCommand::Show { meeting } => meetings::show(store, &asker, *meeting, now).await,
            MeetingCommand::Add {
                pillar,
                title,
                start,
                zone,
                duration,
                agenda,
                place,
                every,
                until,
                reminders,
                survey,
            } => {
                let request = AddRequest {
                    pillar,
                    title,
                    start,
                    zone: zone.as_deref(),
                    duration: duration.as_deref(),
                    agenda: agenda.as_deref(),
                    place: place.as_deref(),
                    every: every.as_deref(),
                    until: until.as_deref(),
                    reminders: reminders.as_deref(),
                    default_offsets: context.reminder_defaults.get(pillar).map_or(&[], Vec::as_slice),
                };
                // A mistake in the survey's span is told before anything is added.
                let survey = survey.as_deref().map(feedback_span);
                match survey.map(|span| surveys::open_after_meeting(span, asker.lang)) {
                    Some(Err(stop)) => Err(stop),
                    _ => match meetings::add(store, &asker, &request, now).await {
                        Ok((id, added)) => match survey {
                            None => Ok(added),
                            Some(span) => attach_feedback(context, &asker, id, span, now)
                                .await
                                .map(|attached| format!("{added}\n{attached}")),
                        },
                        Err(stop) => Err(stop),
                    },
                }
            }
            MeetingCommand::Cancel { meeting, on } => {
                meetings::cancel(store, &asker, *meeting, on.as_deref(), now).await
            }
            MeetingCommand::Move {
                meeting,
                start,
                on,
                zone,
            } => meetings::reschedule(store, &asker, *meeting, start, on.as_deref(), zone.as_deref(), now).await,
            MeetingCommand::Reminders { meeting, offsets } => {
                meetings::set_reminders(store, &asker, *meeting, offsets, now).await
            }
        },
        Command::Rsvp { meeting, answer, on } => {
            meetings::rsvp(store, &asker, *meeting, *answer, on.as_deref(), now).await
        }
        Command::RsvpButton { occurrence, answer } => {
            meetings::rsvp_button(store, &asker, *occurrence, *answer, now).await
        }
        _ => return Err(format!("`{}` is not a meeting command", command.name())),
    };
    let reply = Reply::of(outcome)?;
    if command.needs_secretariat() {
        wake_everything(context).await?;
    }
    Ok(reply)
}

async fn survey(
    command: &Command,
    context: &CommandContext<'_>,
    invoker: &Invoker<'_>,
    secretariat: bool,
) -> Result<Reply, String> {
    let store = context.store;
    let place = Place::of(context, invoker).await?;
    let asker = place.asker(invoker, secretariat);
    let voter = Voter {
        platform: invoker.platform,
        user_id: invoker.user,
        pillars: place.voting_pillars(),
        lang: invoker.lang,
    };
    let now = chrono::Utc::now();
    let settings = context.surveys;
    let outcome = match command {
        Command::Survey(survey) => match survey.as_ref() {
            SurveyCommand::Start {
                pillars,
                question,
                choices,
                closes,
                title,
                anonymous,
                nudge,
                multiple,
                rating,
                text,
                body,
            } => {
                let request = StartRequest {
                    pillars,
                    question: question.as_deref(),
                    choices,
                    closes,
                    title: title.as_deref(),
                    anonymous: *anonymous,
                    nudge: nudge.as_deref(),
                    multiple: *multiple,
                    rating: *rating,
                    text: *text,
                    body: body.as_deref(),
                };
                surveys::start(store, &asker, &request, settings, now).await
            }
            SurveyCommand::Attach {
                meeting,
                closes_after,
                title,
                anonymous,
                nudge,
                body,
            } => {
                let request = surveys::AttachRequest {
                    meeting: *meeting,
                    closes_after: closes_after.as_deref(),
                    title: title.as_deref(),
                    anonymous: *anonymous,
                    nudge: nudge.as_deref(),
                    body: body.as_deref(),
                };
                surveys::attach(store, &asker, &request, settings, now).await
            }
            SurveyCommand::List => surveys::list(store, &asker, now).await,
            SurveyCommand::Show { survey } => surveys::show(store, &asker, *survey).await,
            SurveyCommand::Results { survey } => surveys::results(store, &asker, *survey, settings).await,
            SurveyCommand::Close { survey } => {
                surveys::close(store, context.platforms, &asker, *survey, settings, now).await
            }
            SurveyCommand::Cancel { survey } => surveys::cancel(store, &asker, *survey, now).await,
        },
        Command::Answer {
            survey,
            question,
            answer,
        } => {
            let typed = answer.join(" ");
            surveys::answer(store, &voter, *survey, *question, Given::Typed(&typed), settings, now).await
        }
        Command::SurveyControl {
            survey,
            question,
            values,
            written,
            by_poll,
        } => {
            let chosen = || values.iter().filter_map(|v| v.parse().ok()).collect();
            let given = if *written {
                Given::Typed(values.first().map(String::as_str).unwrap_or_default())
            } else if values.is_empty() {
                Given::Withdrawn
            } else if *by_poll {
                Given::Voted(chosen())
            } else {
                Given::Picked(chosen())
            };
            surveys::answer(store, &voter, *survey, *question, given, settings, now).await
        }
        _ => return Err(format!("`{}` is not a survey command", command.name())),
    };
    let reply = Reply::of(outcome)?;
    if command.needs_secretariat() {
        wake_everything(context).await?;
    }
    Ok(reply)
}

/// The span `--survey` gives: none for the default (the flag alone, or yes from a slash
/// command's field).
fn feedback_span(typed: &str) -> Option<&str> {
    let typed = typed.trim();
    let default = typed.is_empty() || ["yes", "true", "evet"].contains(&typed.to_lowercase().as_str());
    (!default).then_some(typed)
}

/// `meeting add --survey`: the standard feedback survey after each of its meetings, open
/// for the span given (`yes` or nothing: the default).
async fn attach_feedback(
    context: &CommandContext<'_>,
    asker: &Asker<'_>,
    meeting: i64,
    open_for: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, Stop> {
    let request = surveys::AttachRequest {
        meeting,
        closes_after: open_for,
        title: None,
        anonymous: false,
        nudge: None,
        body: None,
    };
    surveys::attach(context.store, asker, &request, context.surveys, now).await
}

/// Where a command was given: the room, and in a direct room the pillars whose rooms the
/// person is in (what they may see and answer for there).
struct Place {
    room: Option<RoomRow>,
    member_of: Vec<String>,
}

impl Place {
    async fn of(context: &CommandContext<'_>, invoker: &Invoker<'_>) -> Result<Place, String> {
        let room = context
            .store
            .room(invoker.platform, invoker.room)
            .await
            .map_err(|e| e.to_string())?;
        let member_of = match (&room, invoker.member_of) {
            (Some(room), Some(known)) if room.direct_with.is_some() => known.to_vec(),
            (Some(room), None) if room.direct_with.is_some() => {
                member_pillars(context.store, context.platforms, invoker.platform, invoker.user).await?
            }
            _ => Vec::new(),
        };
        Ok(Place { room, member_of })
    }

    fn room_pillar(&self) -> Option<&str> {
        self.room.as_ref().and_then(|r| r.pillar_id.as_deref())
    }

    fn is_direct(&self) -> bool {
        self.room.as_ref().is_some_and(|r| r.direct_with.is_some())
    }

    fn asker<'a>(&'a self, invoker: &'a Invoker<'a>, secretariat: bool) -> Asker<'a> {
        Asker {
            platform: invoker.platform.as_str(),
            user_id: invoker.user,
            name: invoker.name,
            room_pillar: self.room_pillar(),
            member_of: &self.member_of,
            secretariat,
            source: format!("{}:{}:{}", invoker.platform, invoker.room, invoker.event),
            private: invoker.private,
            lang: invoker.lang,
        }
    }

    /// The pillars an answer given here counts for; `None`: any (the secretariat's rooms).
    fn voting_pillars(&self) -> Option<&[String]> {
        match (&self.room, self.is_direct()) {
            (_, true) => Some(&self.member_of),
            (Some(room), false) => room.pillar_id.as_ref().map(std::slice::from_ref),
            (None, false) => Some(&[]),
        }
    }
}

/// The active pillars with a room on `platform` that `user` is in, by id.
pub async fn member_pillars(
    store: &Store,
    platforms: &Platforms,
    platform: Platform,
    user: &str,
) -> Result<Vec<String>, String> {
    let Some(adapter) = platforms.get(platform) else {
        return Ok(Vec::new());
    };
    let mut pillars = Vec::new();
    for pillar in store.pillars().await.map_err(|e| e.to_string())? {
        if !pillar.active {
            continue;
        }
        let rooms = store.pillar_rooms(&pillar.id).await.map_err(|e| e.to_string())?;
        for room in rooms.iter().filter(|r| r.platform == platform) {
            match adapter.member(&room.remote_id, user).await {
                Ok(Some(_)) => {
                    pillars.push(pillar.id.clone());
                    break;
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(room = %room.remote_id, %error, "cannot tell whether someone is in a pillar's room")
                }
            }
        }
    }
    Ok(pillars)
}

async fn summaries(
    command: &Command,
    context: &CommandContext<'_>,
    invoker: &Invoker<'_>,
    secretariat: bool,
) -> Result<Reply, String> {
    let store = context.store;
    let place = Place::of(context, invoker).await?;
    let asker = place.asker(invoker, secretariat);
    let settings = context.summaries;
    let now = chrono::Utc::now();
    // A summary's text, from the lines under the command or a form's fields.
    let whole = |body: &Option<String>, decisions: &Option<String>, actions: &Option<String>| {
        crate::summary::body::from_fields(
            body.as_deref().unwrap_or_default(),
            decisions.as_deref().unwrap_or_default(),
            actions.as_deref().unwrap_or_default(),
        )
    };
    let outcome = match command {
        Command::Summary(summary) => match summary.as_ref() {
            SummaryCommand::Add {
                pillar,
                meeting,
                on,
                body,
                decisions,
                actions,
            } => {
                let text = whole(body, decisions, actions);
                let request = summary_commands::AddRequest {
                    pillar,
                    meeting: *meeting,
                    on: on.as_deref(),
                    body: &text,
                };
                summary_commands::add(store, context.platforms, &asker, &request, settings, now).await
            }
            SummaryCommand::List { pillar } => summary_commands::list(store, &asker, pillar.as_deref(), settings).await,
            SummaryCommand::Show { summary } => summary_commands::show(store, &asker, *summary, settings).await,
            SummaryCommand::Edit {
                summary,
                body,
                decisions,
                actions,
            } => {
                let text = whole(body, decisions, actions);
                summary_commands::edit(store, context.platforms, &asker, *summary, &text, settings, now).await
            }
            SummaryCommand::Withdraw { summary } => summary_commands::withdraw(store, &asker, *summary, now).await,
            SummaryCommand::Approve { summary } => summary_commands::approve(store, &asker, *summary, now).await,
        },
        Command::Action(action) => match action.as_ref() {
            ActionCommand::List { pillar, overdue } => {
                summary_commands::actions(store, &asker, pillar.as_deref(), *overdue, now).await
            }
            ActionCommand::Done { action } => summary_commands::close_action(store, &asker, *action, true, now).await,
            ActionCommand::Drop { action } => summary_commands::close_action(store, &asker, *action, false, now).await,
        },
        Command::Search { words } => summary_commands::search(store, &asker, words).await,
        _ => return Err(format!("`{}` is not a summary command", command.name())),
    };
    let reply = Reply::of(outcome)?;
    if matches!(command, Command::Summary(_)) {
        wake_everything(context).await?;
    }
    Ok(reply)
}

async fn report(
    context: &CommandContext<'_>,
    invoker: &Invoker<'_>,
    secretariat: bool,
    (pillar, from, to): (&Option<String>, &Option<String>, &Option<String>),
) -> Result<Reply, String> {
    let place = Place::of(context, invoker).await?;
    let asker = place.asker(invoker, secretariat);
    let outcome = crate::report::run::on_demand(
        context.store,
        context.reports,
        &asker,
        place.room.as_ref(),
        (pillar.as_deref(), from.as_deref(), to.as_deref()),
        chrono::Utc::now(),
    )
    .await;
    let reply = Reply::of(outcome)?;
    if !reply.refused {
        wake_everything(context).await?;
    }
    Ok(reply)
}

/// How long a code to link accounts holds.
const LINK_CODE_MINUTES: i64 = 15;

/// `link`: without a code, one to give on the other platform, only where nobody else sees
/// it (a Discord slash command's private answer): whoever gives a code is linked with the
/// account that asked for it. With a code, the link.
async fn link(context: &CommandContext<'_>, invoker: &Invoker<'_>, code: Option<&str>) -> Result<String, String> {
    let lang = invoker.lang;
    let store = context.store;
    let now = crate::store::now_ms();
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        if !invoker.private {
            return Ok(t!(lang, "link-ask-privately"));
        }
        let code = link_code();
        store
            .issue_link_code(invoker.platform, invoker.user, &code, now + LINK_CODE_MINUTES * 60_000)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(t!(lang, "link-code", code = code.as_str(), minutes = LINK_CODE_MINUTES));
    };
    let redeemed = store
        .redeem_link_code(&code.to_uppercase(), invoker.platform, invoker.user, now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(match redeemed {
        crate::store::Redeemed::Linked { platform, user_id } => {
            t!(lang, "link-done", platform = platform.name(), user = user_id.as_str())
        }
        crate::store::Redeemed::Unknown => t!(lang, "link-unknown"),
        crate::store::Redeemed::Expired => t!(lang, "link-expired"),
        crate::store::Redeemed::SamePlatform => t!(lang, "link-same-platform"),
    })
}

/// Eight letters and digits that cannot be taken for one another (no 0/O, 1/I/L).
fn link_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    (0..8)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn unlink(context: &CommandContext<'_>, invoker: &Invoker<'_>) -> Result<String, String> {
    let lang = invoker.lang;
    let was = context
        .store
        .unlink(invoker.platform, invoker.user)
        .await
        .map_err(|e| e.to_string())?;
    Ok(if was {
        t!(lang, "unlink-done")
    } else {
        t!(lang, "unlink-none")
    })
}

/// After a secretariat's change (which may have queued notices and moved due times): every
/// room's worker and the scheduler look for work.
async fn wake_everything(context: &CommandContext<'_>) -> Result<(), String> {
    for platform in [Platform::Matrix, Platform::Discord] {
        for room in context.store.active_rooms(platform).await.map_err(|e| e.to_string())? {
            context.platforms.wake(room.id);
        }
    }
    context.platforms.wake_scheduler();
    Ok(())
}

fn internal_error(error: &str, lang: Lang) -> String {
    let reference = crate::store::now_ms() % 1_000_000;
    tracing::error!(reference, error, "a command failed");
    t!(lang, "internal-error", reference = reference.to_string())
}

async fn is_secretariat(context: &CommandContext<'_>, invoker: &Invoker<'_>) -> Result<bool, String> {
    let config = context.secretariat;
    let Some(adapter) = context.platforms.get(invoker.platform) else {
        return Ok(false);
    };
    match invoker.platform {
        Platform::Matrix => {
            if config.matrix_users.iter().any(|u| u == invoker.user) {
                return Ok(true);
            }
            let Some(min) = config.matrix_min_power_level else {
                return Ok(false);
            };
            for room in &config.matrix_rooms {
                let member = adapter.member(room, invoker.user).await.map_err(|e| e.to_string())?;
                if member.and_then(|m| m.power_level).is_some_and(|level| level >= min) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Platform::Discord => {
            if config.discord_roles.is_empty() {
                return Ok(false);
            }
            let member = adapter
                .member(invoker.room, invoker.user)
                .await
                .map_err(|e| e.to_string())?;
            Ok(member.is_some_and(|m| {
                m.roles
                    .iter()
                    .any(|role| config.discord_roles.iter().any(|r| r.to_string() == *role))
            }))
        }
    }
}

fn help(secretariat: bool, slash: bool, lang: Lang) -> String {
    let mut text = t!(lang, "help-title");
    text.push('\n');
    for line in help_lines(secretariat, slash, lang) {
        let _ = writeln!(text, "• {line}");
    }
    text.push_str(&t!(lang, "help-aliases"));
    text
}

async fn status(
    context: &CommandContext<'_>,
    pillar: Option<&str>,
    secretariat: bool,
    lang: Lang,
) -> Result<String, String> {
    let store = context.store;
    let pillars = store.pillars().await.map_err(|e| e.to_string())?;
    let counts = store.delivery_counts_by_pillar().await.map_err(|e| e.to_string())?;
    let chosen: Vec<_> = pillars
        .iter()
        .filter(|p| p.active && pillar.is_none_or(|wanted| p.id == wanted))
        .collect();
    if chosen.is_empty() {
        let known: Vec<&str> = pillars.iter().map(|p| p.id.as_str()).collect();
        return Ok(t!(
            lang,
            "no-such-pillar-known",
            pillar = pillar.unwrap_or_default(),
            known = known.join(", ")
        ));
    }
    let mut text = t!(lang, "status-title");
    text.push('\n');
    for p in chosen {
        let rooms = store.pillar_rooms(&p.id).await.map_err(|e| e.to_string())?;
        let on = |platform| rooms.iter().filter(|r| r.platform == platform).count();
        let count = |state: &str| {
            counts
                .iter()
                .filter(|(id, s, _)| id.as_deref() == Some(p.id.as_str()) && s == state)
                .map(|(_, _, n)| n)
                .sum::<i64>()
        };
        let line = t!(
            lang,
            "status-pillar",
            name = p.name.as_str(),
            id = p.id.as_str(),
            matrix = on(Platform::Matrix),
            discord = on(Platform::Discord),
            delivered = count("delivered"),
            waiting = count("pending") + count("sending"),
            failed = count("dead")
        );
        let _ = writeln!(text, "{line}");
    }
    // Which room is paused and why (the platform's own words) is for the secretariat; the
    // others learn that their pillar's messages wait, and that the secretariat knows.
    for paused in store.paused_rooms().await.map_err(|e| e.to_string())? {
        let pillar_id = paused.pillar_id.as_deref();
        if pillar.is_some_and(|wanted| Some(wanted) != pillar_id) {
            continue;
        }
        let resume = pillar_id.map_or("resume".to_string(), |p| format!("resume {p}"));
        let (platform, room, reason) = (
            platform_name(&paused.platform),
            paused.remote_room.as_str(),
            paused.reason.as_str(),
        );
        let line = match (secretariat, pillar_id) {
            (true, Some(pillar)) => t!(
                lang,
                "status-paused",
                platform = platform,
                room = room,
                pillar = pillar,
                reason = reason,
                command = resume
            ),
            (true, None) => t!(
                lang,
                "status-paused-secretariat-room",
                platform = platform,
                room = room,
                reason = reason,
                command = resume
            ),
            (false, Some(pillar)) => t!(lang, "status-paused-for-members", platform = platform, pillar = pillar),
            (false, None) => t!(lang, "status-paused-for-members-secretariat", platform = platform),
        };
        let _ = writeln!(text, "{line}");
    }
    Ok(text.trim_end().to_string())
}

/// A platform as stored (`matrix`), as people write it (`Matrix`).
fn platform_name(stored: &str) -> &str {
    match magnet_chat::Platform::parse(stored) {
        Some(platform) => platform.name(),
        None => stored,
    }
}

async fn dead_letters(
    context: &CommandContext<'_>,
    pillar: Option<&str>,
    slash: bool,
    lang: Lang,
) -> Result<String, String> {
    let letters = context.store.dead_letters(pillar).await.map_err(|e| e.to_string())?;
    if letters.is_empty() {
        return Ok(t!(lang, "dead-letters-none"));
    }
    let mut text = t!(lang, "dead-letters-title", count = letters.len());
    text.push('\n');
    for letter in letters.iter().take(20) {
        let line = t!(
            lang,
            "dead-letter",
            id = letter.id,
            action = t!(lang, "delivery-action", action = letter.action.as_str()),
            platform = platform_name(&letter.platform),
            room = letter.remote_room.as_str(),
            pillar = letter
                .pillar_id
                .clone()
                .unwrap_or_else(|| t!(lang, "dead-letter-no-pillar")),
            attempts = letter.attempts,
            error = letter
                .last_error
                .clone()
                .unwrap_or_else(|| t!(lang, "dead-letter-no-error"))
        );
        let _ = writeln!(text, "{line}");
    }
    if letters.len() > 20 {
        let _ = writeln!(text, "{}", t!(lang, "dead-letters-more", count = letters.len() - 20));
    }
    text.push_str(&t!(lang, "dead-letters-how", invoke = super::invocation(slash)));
    Ok(text)
}

async fn retry(context: &CommandContext<'_>, which: &str, pillar: Option<&str>, lang: Lang) -> Result<String, String> {
    let store = context.store;
    if ["all", "tümü", "tumu", "hepsi"]
        .iter()
        .any(|all| which.to_lowercase() == *all)
    {
        if let Some(answer) = unknown_pillar(store, pillar, lang).await? {
            return Ok(answer);
        }
        let ids = store.retry_all_dead(pillar).await.map_err(|e| e.to_string())?;
        let rooms: std::collections::BTreeSet<i64> = ids.iter().map(|(_, room)| *room).collect();
        for room in rooms {
            context.platforms.wake(room);
        }
        return Ok(match (ids.len(), pillar) {
            (0, _) => t!(lang, "retry-none"),
            (n, Some(pillar)) => t!(lang, "retry-all-pillar", count = n, pillar = pillar),
            (n, None) => t!(lang, "retry-all", count = n),
        });
    }
    if let Some(extra) = pillar {
        return Ok(t!(lang, "retry-pillar-only-with-all", extra = extra));
    }
    let ids = match delivery_numbers(which, lang) {
        Ok(ids) => ids,
        Err(why) => return Ok(why),
    };
    let mut queued = Vec::new();
    let mut not_failed = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        match store.delivery(id).await.map_err(|e| e.to_string())? {
            None => unknown.push(id),
            Some(found) => {
                if store.retry_dead(id).await.map_err(|e| e.to_string())? {
                    context.platforms.wake(found.room_id);
                    queued.push(id);
                } else {
                    not_failed.push((id, state_word(&format!("{:?}", found.state).to_lowercase(), lang)));
                }
            }
        }
    }
    let mut parts = Vec::new();
    match queued.as_slice() {
        [] => {}
        [one] => parts.push(t!(lang, "retry-queued-one", id = *one)),
        many => parts.push(t!(
            lang,
            "retry-queued-many",
            count = many.len(),
            numbers = numbers(many, lang)
        )),
    }
    match not_failed.as_slice() {
        [] => {}
        [(one, state)] => parts.push(t!(lang, "retry-not-failed-one", id = *one, state = state.as_str())),
        many => {
            let ids: Vec<i64> = many.iter().map(|(id, _)| *id).collect();
            parts.push(t!(
                lang,
                "retry-not-failed-many",
                count = ids.len(),
                numbers = numbers(&ids, lang)
            ));
        }
    }
    match unknown.as_slice() {
        [] => {}
        [one] => parts.push(t!(lang, "retry-unknown-one", id = *one)),
        many => parts.push(t!(lang, "retry-unknown-many", numbers = numbers(many, lang))),
    }
    Ok(parts.join(" "))
}

/// Reads `12`, `12-40` or `3,5,7-9` (at most 1,000 numbers).
fn delivery_numbers(which: &str, lang: Lang) -> Result<Vec<i64>, String> {
    let wrong = || t!(lang, "retry-not-a-number", which = which);
    let mut ids = Vec::new();
    for part in which.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (from, to) = match part.split_once('-') {
            Some((from, to)) => (from.trim(), to.trim()),
            None => (part, part),
        };
        let (Ok(from), Ok(to)) = (
            from.trim_start_matches('#').parse::<i64>(),
            to.trim_start_matches('#').parse::<i64>(),
        ) else {
            return Err(wrong());
        };
        if from < 1 || to < from {
            return Err(wrong());
        }
        if to - from >= 1_000 || ids.len() as i64 + (to - from) >= 1_000 {
            return Err(t!(lang, "retry-too-many", which = which, limit = 1_000));
        }
        ids.extend(from..=to);
    }
    if ids.is_empty() {
        return Err(wrong());
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Delivery numbers for an answer: `#3, #5, #7` (the first twenty).
fn numbers(ids: &[i64], lang: Lang) -> String {
    let mut text: Vec<String> = ids.iter().take(20).map(|id| format!("#{id}")).collect();
    if ids.len() > 20 {
        text.push(t!(lang, "numbers-more", count = ids.len() - 20));
    }
    text.join(", ")
}

/// A delivery's state as the answer names it.
fn state_word(state: &str, lang: Lang) -> String {
    match state {
        "pending" => t!(lang, "delivery-state-pending"),
        "sending" => t!(lang, "delivery-state-sending"),
        "delivered" => t!(lang, "delivery-state-delivered"),
        "dead" => t!(lang, "delivery-state-dead"),
        other => other.to_string(),
    }
}

/// The answer to a pillar named that does not exist; `None` if it does (or none was named).
async fn unknown_pillar(store: &Store, pillar: Option<&str>, lang: Lang) -> Result<Option<String>, String> {
    let Some(wanted) = pillar else { return Ok(None) };
    let pillars = store.pillars().await.map_err(|e| e.to_string())?;
    Ok((!pillars.iter().any(|p| p.id == wanted)).then(|| t!(lang, "no-such-pillar", pillar = wanted)))
}

async fn resume(context: &CommandContext<'_>, pillar: Option<&str>, lang: Lang) -> Result<String, String> {
    let store = context.store;
    if let Some(answer) = unknown_pillar(store, pillar, lang).await? {
        return Ok(answer);
    }
    let rooms = store.resume_rooms(pillar).await.map_err(|e| e.to_string())?;
    for room in &rooms {
        context.platforms.wake(*room);
    }
    Ok(match (rooms.len(), pillar) {
        (0, Some(pillar)) => t!(lang, "resume-none-pillar", pillar = pillar),
        (0, None) => t!(lang, "resume-none"),
        (n, _) => t!(lang, "resume-done", count = n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery_numbers_en(which: &str) -> Result<Vec<i64>, String> {
        delivery_numbers(which, Lang::En)
    }

    #[test]
    fn deliveries_are_named_one_by_one_by_range_or_by_list() {
        assert_eq!(delivery_numbers_en("12"), Ok(vec![12]));
        assert_eq!(delivery_numbers_en("#12"), Ok(vec![12]));
        assert_eq!(delivery_numbers_en("12-15"), Ok(vec![12, 13, 14, 15]));
        assert_eq!(delivery_numbers_en("9,3,5-6,5"), Ok(vec![3, 5, 6, 9]));
        for wrong in ["twelve", "", "5-3", "0", "-4", "3,,x", "1-2-3"] {
            let answer = delivery_numbers_en(wrong).unwrap_err();
            assert!(answer.contains("12-40"), "{wrong}: {answer}");
        }
        assert!(delivery_numbers_en("1-5000").unwrap_err().contains("retry all"));
        assert!(delivery_numbers_en("1-600,700-1400").unwrap_err().contains("retry all"));
        // In Turkish, with the number as Turkish writes it.
        let turkish = delivery_numbers("1-5000", Lang::Tr).unwrap_err();
        assert!(turkish.contains("1.000 iletimden fazla"), "{turkish}");
    }
}
