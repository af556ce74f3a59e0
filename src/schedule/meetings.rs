//! What the meeting commands do: add, list, show, cancel, move, set reminders, RSVP. Each
//! returns the answer for the person who asked; a mistake in what they typed ends it with
//! [`Stop::Answer`] (what was wrong), a failure of the bot with [`Stop::Failed`] for the
//! caller to log.
//!
//! Who sees what: the secretariat sees and changes every pillar's meetings; anyone else
//! sees, and answers for, the meetings of the pillar whose room they ask in, so nothing of
//! one pillar shows in another's rooms.

use std::fmt::Write;

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use super::plan::stretch;
use super::recurrence::{Recurrence, to_utc};
use super::render::{self, counts_text, details, escape, notices, notices_for, when_text};
use super::when::{parse_date, parse_duration, parse_offsets, parse_start, parse_zone};
use crate::command::Answer;
use crate::i18n::{self, Lang};
use crate::store::{MeetingRow, Moved, NewMeeting, OccurrenceRow, PillarRow, Store, StoreError, Stretch};
use crate::t;

/// Who asks, as the meeting commands need to know them.
pub struct Asker<'a> {
    pub platform: &'a str,
    pub user_id: &'a str,
    pub name: &'a str,
    /// The pillar of the room they asked in.
    pub room_pillar: Option<&'a str>,
    /// In a direct room with the bot: the pillars whose rooms they are in (what they may
    /// see there). Empty elsewhere.
    pub member_of: &'a [String],
    /// The command's event (platform:room:event id): the same command seen again after a
    /// crash changes nothing twice.
    pub source: String,
    /// The answer is seen by the asker only (a Discord slash command or button).
    pub private: bool,
    /// The language of the answer: the room's.
    pub lang: Lang,
    pub secretariat: bool,
}

impl Asker<'_> {
    pub fn may_see(&self, pillar: &str) -> bool {
        self.secretariat || self.room_pillar == Some(pillar) || self.member_of.iter().any(|p| p == pillar)
    }

    /// The pillar a command about "my pillar" means: the room's, or in a direct room the
    /// one pillar the person is in.
    pub fn own_pillar(&self) -> Option<&str> {
        match (self.room_pillar, self.member_of) {
            (Some(pillar), _) => Some(pillar),
            (None, [only]) => Some(only.as_str()),
            _ => None,
        }
    }

    /// Whether an answer about `pillar` may be given here: privately anywhere; in public
    /// (a text command's answer, seen by the whole room) only in that pillar's rooms or in
    /// a room of no pillar (the secretariat's), so one pillar's meetings never show in
    /// another's rooms, even when the secretariat asks.
    fn may_answer_about(&self, pillar: &str) -> Result<(), String> {
        match self.room_pillar {
            Some(here) if here != pillar && !self.private => {
                Err(t!(self.lang, "meeting-other-pillar-in-public", pillar = pillar))
            }
            _ => Ok(()),
        }
    }

    /// How the asker calls the bot: the slash command where the answer is private (on
    /// Discord, beside the slash command box), the text prefix otherwise.
    fn invoke(&self) -> String {
        crate::command::invocation(self.private)
    }
}

/// What a new meeting is to be, as typed.
pub struct AddRequest<'a> {
    pub pillar: &'a str,
    pub title: &'a str,
    pub start: &'a str,
    pub zone: Option<&'a str>,
    pub duration: Option<&'a str>,
    pub agenda: Option<&'a str>,
    pub place: Option<&'a str>,
    pub every: Option<&'a str>,
    pub until: Option<&'a str>,
    pub reminders: Option<&'a str>,
    /// The pillar's default reminder offsets (seconds), from the config.
    pub default_offsets: &'a [i64],
}

/// How a meeting command ends when it does not do what was asked.
#[derive(Debug)]
pub enum Stop {
    /// With this answer to the asker: what they typed was wrong, or is not theirs to do.
    Answer(String),
    /// The bot failed (the store); the caller logs it and answers with a reference.
    Failed(String),
}

impl From<StoreError> for Stop {
    fn from(error: StoreError) -> Self {
        Stop::Failed(error.to_string())
    }
}

type Step<T> = Result<T, Stop>;

/// Ends the command with this answer.
fn refuse<T>(message: String) -> Step<T> {
    Err(Stop::Answer(message))
}

async fn pillar(store: &Store, id: &str, lang: Lang) -> Step<PillarRow> {
    let pillars = store.pillars().await?;
    if let Some(found) = pillars.iter().find(|p| p.id == id && p.active) {
        return Ok(found.clone());
    }
    let known: Vec<&str> = pillars.iter().filter(|p| p.active).map(|p| p.id.as_str()).collect();
    refuse(t!(lang, "no-such-pillar-known", pillar = id, known = known.join(", ")))
}

/// A meeting the asker may see and be answered about here.
async fn visible_meeting(store: &Store, asker: &Asker<'_>, id: i64) -> Step<MeetingRow> {
    match store.meeting(id).await? {
        Some(meeting) if asker.may_see(&meeting.pillar_id) => {
            asker.may_answer_about(&meeting.pillar_id).map_err(Stop::Answer)?;
            Ok(meeting)
        }
        _ => refuse(t!(asker.lang, "meeting-not-here", id = id, invoke = asker.invoke())),
    }
}

/// When an occurrence of a meeting ends (epoch ms).
fn ends_at(meeting: &MeetingRow, occurrence: &OccurrenceRow) -> i64 {
    occurrence.starts_at + meeting.duration_minutes * 60_000
}

fn zone_of(meeting: &MeetingRow) -> Tz {
    meeting.timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// Which occurrence a command means without `--on`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// The next one not yet over (answering, showing).
    NotOver,
    /// The next one not yet begun (moving, cancelling).
    NotBegun,
}

/// The furthest ahead a date may be named: a series is written out on demand that far.
const FURTHEST_DAYS: i64 = 400;

/// The occurrence a command means: the one on `on` (a date on the pillar's clock, the one
/// dates are shown on), or the next one.
async fn occurrence_meant(
    store: &Store,
    lang: Lang,
    meeting: &MeetingRow,
    on: Option<&str>,
    next: Next,
    now: DateTime<Utc>,
) -> Step<OccurrenceRow> {
    let zone = render::pillar_zone(store, &meeting.pillar_id).await?;
    let date = on.map(|on| parse_date(on, lang)).transpose().map_err(Stop::Answer)?;
    if let Some(date) = date {
        let start = to_utc(date.and_time(NaiveTime::MIN), zone);
        if start > now + chrono::Duration::days(FURTHEST_DAYS) {
            return refuse(t!(
                lang,
                "meeting-date-too-far",
                date = date.to_string(),
                days = FURTHEST_DAYS
            ));
        }
        // A date further ahead than the series is written yet: write it out that far.
        write_through(store, meeting, start + chrono::Duration::days(2), now).await?;
    }
    let occurrences = store.occurrences(meeting.id).await?;
    let open = occurrences.into_iter().filter(|o| o.state == "scheduled");
    let now_ms = now.timestamp_millis();
    let found = match date {
        Some(date) => open.into_iter().find(|o| {
            ends_at(meeting, o) > now_ms
                && DateTime::<Utc>::from_timestamp_millis(o.starts_at)
                    .is_some_and(|at| at.with_timezone(&zone).date_naive() == date)
        }),
        None => open.into_iter().find(|o| match next {
            Next::NotOver => ends_at(meeting, o) > now_ms,
            Next::NotBegun => o.starts_at > now_ms,
        }),
    };
    found.ok_or_else(|| {
        Stop::Answer(match on {
            Some(date) => t!(lang, "meeting-none-on-date", id = meeting.id, date = date),
            None => t!(lang, "meeting-none-to-come", id = meeting.id),
        })
    })
}

/// Writes a series' occurrences out through `end` (the scheduler writes them only a few
/// weeks ahead), with reminders from `now` on.
async fn write_through(store: &Store, meeting: &MeetingRow, end: DateTime<Utc>, now: DateTime<Utc>) -> Step<()> {
    let (Some(rule), false) = (meeting.recurrence.as_deref(), meeting.cancelled) else {
        return Ok(());
    };
    let Ok(rule) = Recurrence::new(rule, zone_of(meeting)) else {
        return Ok(());
    };
    let until = meeting.until_at.and_then(DateTime::<Utc>::from_timestamp_millis);
    let mut current = meeting.clone();
    while let Some(from) = current
        .unwritten_from
        .filter(|from| *from <= end.timestamp_millis())
        .and_then(DateTime::<Utc>::from_timestamp_millis)
    {
        let next = stretch(&rule, from, until, end - super::plan::LEAD);
        store.extend_series(&current, &next, now.timestamp_millis()).await?;
        match store.meeting(meeting.id).await? {
            Some(reloaded) if reloaded.unwritten_from != current.unwritten_from => current = reloaded,
            _ => break,
        }
    }
    Ok(())
}

/// `meeting list`.
pub async fn list(store: &Store, asker: &Asker<'_>, pillar_id: Option<&str>, now: DateTime<Utc>) -> Step<String> {
    let wanted = match (pillar_id, asker.own_pillar()) {
        (Some(id), _) => Some(id),
        (None, Some(room)) if !asker.secretariat => Some(room),
        (None, room) => room,
    };
    let lang = asker.lang;
    if let Some(id) = wanted {
        pillar(store, id, lang).await?;
        if !asker.may_see(id) {
            return refuse(t!(
                lang,
                "meeting-list-other-pillar",
                pillar = asker.room_pillar.unwrap_or_default()
            ));
        }
        asker.may_answer_about(id).map_err(Stop::Answer)?;
    } else if !asker.secretariat {
        return refuse(t!(lang, "meeting-list-where", invoke = asker.invoke()));
    }
    let upcoming = store
        .upcoming(wanted, now.timestamp_millis() - 6 * 3_600_000, 20)
        .await?;
    let upcoming: Vec<_> = upcoming
        .into_iter()
        .filter(|(m, o)| ends_at(m, o) > now.timestamp_millis())
        .collect();
    if upcoming.is_empty() {
        return Ok(match wanted {
            Some(id) => t!(lang, "meeting-list-none-pillar", pillar = id),
            None => t!(lang, "meeting-list-none"),
        });
    }
    let mut text = t!(lang, "meeting-list-title");
    text.push('\n');
    let pillars = store.pillars().await?;
    for (meeting, occurrence) in &upcoming {
        let zone = render::zone_of_pillar(&pillars, &meeting.pillar_id);
        let counts = store.rsvp_counts(occurrence.id).await?;
        let line = t!(
            lang,
            "meeting-list-line",
            id = meeting.id,
            title = escape(&meeting.title),
            pillar = meeting.pillar_id.as_str(),
            when = when_text(occurrence.starts_at, zone, lang),
            counts = counts_text(counts, lang)
        );
        let _ = writeln!(text, "{line}");
    }
    text.push_str(&t!(lang, "meeting-list-how", invoke = asker.invoke()));
    Ok(text)
}

/// `meeting show`.
pub async fn show(store: &Store, asker: &Asker<'_>, id: i64, now: DateTime<Utc>) -> Step<String> {
    let meeting = visible_meeting(store, asker, id).await?;
    let lang = asker.lang;
    let zone = render::pillar_zone(store, &meeting.pillar_id).await?;
    let mut text = t!(
        lang,
        "meeting-show-title",
        id = meeting.id,
        title = escape(&meeting.title),
        pillar = meeting.pillar_id.as_str()
    );
    if meeting.cancelled {
        let _ = write!(text, " {}", t!(lang, "meeting-show-cancelled"));
    }
    if let Some(rule) = &meeting.recurrence {
        let line = t!(
            lang,
            "meeting-show-repeats",
            rule = rule.as_str(),
            zone = meeting.timezone.as_str()
        );
        let _ = write!(text, "\n{line}");
    }
    let reminders = t!(
        lang,
        "meeting-show-reminders",
        offsets = i18n::format::spans(&meeting.reminder_offsets, lang)
    );
    let _ = write!(text, "\n{reminders}");
    match occurrence_meant(store, lang, &meeting, None, Next::NotOver, now).await {
        Ok(next) => {
            let _ = write!(text, "\n{}", details(&meeting, next.starts_at, zone, lang));
            let answers = store.rsvps(next.id).await?;
            let counts = store.rsvp_counts(next.id).await?;
            let _ = write!(
                text,
                "\n{}",
                t!(lang, "meeting-show-rsvp", counts = counts_text(counts, lang))
            );
            for (name, platform, answer) in answers.iter().take(30) {
                let line = t!(
                    lang,
                    "meeting-show-answer",
                    answer = render::answer_word(answer, lang),
                    name = escape(name),
                    platform = platform.as_str()
                );
                let _ = write!(text, "\n  {line}");
            }
        }
        Err(Stop::Answer(_)) => {
            let _ = write!(text, "\n{}", t!(lang, "meeting-show-nothing-to-come"));
        }
        Err(failed) => return Err(failed),
    }
    Ok(text)
}

/// `meeting add`.
/// `meeting add`: the meeting's number, and the answer.
pub async fn add(
    store: &Store,
    asker: &Asker<'_>,
    request: &AddRequest<'_>,
    now: DateTime<Utc>,
) -> Step<(i64, String)> {
    let answers = asker.lang;
    let pillar = pillar(store, request.pillar, answers).await?;
    asker.may_answer_about(&pillar.id).map_err(Stop::Answer)?;
    let title = request.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return refuse(t!(answers, "meeting-title-length"));
    }
    if request.agenda.is_some_and(|a| a.chars().count() > 1000)
        || request.place.is_some_and(|p| p.chars().count() > 500)
    {
        return refuse(t!(answers, "meeting-agenda-length"));
    }
    let zone = match request.zone {
        Some(text) => parse_zone(text, answers).map_err(Stop::Answer)?,
        None => pillar.timezone.parse().unwrap_or(chrono_tz::UTC),
    };
    let start = parse_start(request.start, zone, answers).map_err(Stop::Answer)?;
    if start <= now {
        return refuse(t!(
            answers,
            "meeting-start-past",
            when = when_text(start.timestamp_millis(), zone, answers)
        ));
    }
    let duration = request
        .duration
        .map(|text| parse_duration(text, answers))
        .transpose()
        .map_err(Stop::Answer)?
        .unwrap_or(60);
    let offsets = match request.reminders {
        Some(text) => parse_offsets(text, answers).map_err(Stop::Answer)?,
        None => request.default_offsets.to_vec(),
    };
    let until = match request
        .until
        .map(|text| parse_date(text, answers))
        .transpose()
        .map_err(Stop::Answer)?
    {
        Some(date) => {
            let end_of_day = to_utc(
                date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()),
                zone,
            );
            if end_of_day < start {
                return refuse(t!(answers, "meeting-series-ends-before", date = date.to_string()));
            }
            Some(end_of_day)
        }
        None => None,
    };
    if until.is_some() && request.every.is_none() {
        return refuse(t!(answers, "meeting-until-without-every"));
    }
    let plan = match request.every {
        Some(rule) => {
            let recurrence = Recurrence::new(rule, zone)
                .map_err(|message| Stop::Answer(t!(answers, "meeting-rule-unusable", rule = rule, reason = message)))?;
            let plan = stretch(&recurrence, start, until, now);
            if plan.starts.is_empty() {
                return refuse(t!(answers, "meeting-rule-no-time", rule = rule));
            }
            plan
        }
        None => Stretch {
            starts: vec![start.timestamp_millis()],
            unwritten_from: None,
        },
    };
    let first = plan.starts[0];
    let meeting = NewMeeting {
        pillar_id: pillar.id.clone(),
        title: title.to_string(),
        starts_at: first,
        duration_minutes: duration,
        timezone: zone.name().to_string(),
        recurrence: request.every.map(|r| r.trim().to_string()),
        until_at: until.map(|u| u.timestamp_millis()),
        agenda: request.agenda.map(str::to_string),
        location: request.place.map(str::to_string),
        reminder_offsets: offsets.clone(),
        created_by: format!("{}:{}", asker.platform, asker.user_id),
        source_event: Some(asker.source.clone()),
    };
    let pillar_zone: Tz = pillar.timezone.parse().unwrap_or(chrono_tz::UTC);
    let rooms = store.pillar_rooms(&pillar.id).await?;
    // The announcement names the meeting's number, so it is written with the meeting, in
    // its transaction: a meeting is never added without its rooms being told.
    let lang = pillar.lang();
    let announce = |id: i64| {
        let mut text = t!(lang, "notice-meeting-added", id = id, title = escape(title));
        if let Some(rule) = request.every {
            text.push(' ');
            text.push_str(&t!(
                lang,
                "notice-meeting-repeats",
                rule = rule.trim(),
                zone = zone.name()
            ));
        }
        let stored = meeting.stored(id);
        let _ = write!(text, "\n{}", details(&stored, first, pillar_zone, lang));
        text.push('\n');
        text.push_str(&t!(
            lang,
            "notice-meeting-reminders",
            offsets = i18n::format::spans(&offsets, lang),
            command = render::rsvp_words(id, lang)
        ));
        notices_for(&rooms, &text)
    };
    let (id, new) = store
        .add_meeting(&meeting, &plan, now.timestamp_millis(), announce)
        .await?;
    if !new {
        return Ok((id, t!(answers, "meeting-added-before", id = id)));
    }
    Ok((
        id,
        t!(
            answers,
            "meeting-added",
            id = id,
            pillar = pillar.name.as_str(),
            title = escape(title),
            when = when_text(first, pillar_zone, answers),
            offsets = i18n::format::spans(&offsets, answers)
        ),
    ))
}

/// `meeting cancel`.
pub async fn cancel(store: &Store, asker: &Asker<'_>, id: i64, on: Option<&str>, now: DateTime<Utc>) -> Step<String> {
    let answers = asker.lang;
    let meeting = visible_meeting(store, asker, id).await?;
    if meeting.cancelled {
        return Ok(t!(answers, "meeting-already-cancelled", id = id));
    }
    let (zone, lang) = render::pillar_clock(store, &meeting.pillar_id).await?;
    if on.is_some() && meeting.recurrence.is_none() {
        return Ok(t!(answers, "meeting-on-for-single", id = id, invoke = asker.invoke()));
    }
    let (occurrence, notice) = if let Some(date) = on {
        let occurrence = occurrence_meant(store, answers, &meeting, Some(date), Next::NotBegun, now).await?;
        let notice = t!(
            lang,
            "notice-occurrence-cancelled-series-goes-on",
            title = escape(&meeting.title),
            when = when_text(occurrence.starts_at, zone, lang)
        );
        (Some(occurrence.id), notice)
    } else {
        if meeting.recurrence.is_none() {
            occurrence_meant(store, answers, &meeting, None, Next::NotBegun, now)
                .await
                .map_err(|stop| match stop {
                    Stop::Answer(_) => Stop::Answer(t!(answers, "meeting-cancel-too-late", id = id)),
                    failed => failed,
                })?;
        }
        let notice = match meeting.recurrence {
            Some(_) => t!(lang, "notice-series-cancelled", title = escape(&meeting.title)),
            None => t!(
                lang,
                "notice-meeting-cancelled",
                title = escape(&meeting.title),
                when = when_text(meeting.starts_at, zone, lang)
            ),
        };
        (None, notice)
    };
    let notices = notices(store, &meeting.pillar_id, &notice).await?;
    let cancelled = store
        .cancel_meeting(meeting.id, occurrence, now.timestamp_millis(), &notices)
        .await?;
    if cancelled == 0 && meeting.recurrence.is_none() {
        return Ok(t!(answers, "meeting-cancel-nothing-left", id = id));
    }
    Ok(t!(answers, "meeting-cancelled", count = cancelled, id = id))
}

/// `meeting move`.
pub async fn reschedule(
    store: &Store,
    asker: &Asker<'_>,
    id: i64,
    start: &str,
    on: Option<&str>,
    zone: Option<&str>,
    now: DateTime<Utc>,
) -> Step<String> {
    let answers = asker.lang;
    let meeting = visible_meeting(store, asker, id).await?;
    if meeting.cancelled {
        return refuse(t!(answers, "meeting-move-cancelled", id = id));
    }
    let zone = match zone {
        Some(text) => parse_zone(text, answers).map_err(Stop::Answer)?,
        None => zone_of(&meeting),
    };
    let new_start = parse_start(start, zone, answers).map_err(Stop::Answer)?;
    if new_start <= now {
        return refuse(t!(
            answers,
            "meeting-start-past",
            when = when_text(new_start.timestamp_millis(), zone, answers)
        ));
    }
    let occurrence = occurrence_meant(store, answers, &meeting, on, Next::NotBegun, now).await?;
    let (shown, lang) = render::pillar_clock(store, &meeting.pillar_id).await?;
    if occurrence.starts_at == new_start.timestamp_millis() {
        return refuse(t!(
            answers,
            "meeting-move-same-time",
            id = id,
            when = when_text(occurrence.starts_at, shown, answers)
        ));
    }
    let notice = t!(
        lang,
        "notice-meeting-moved",
        title = escape(&meeting.title),
        old = when_text(occurrence.starts_at, shown, lang),
        new = when_text(new_start.timestamp_millis(), shown, lang)
    );
    let notices = notices(store, &meeting.pillar_id, &notice).await?;
    let moved = store
        .move_occurrence(
            &meeting,
            occurrence.id,
            new_start.timestamp_millis(),
            now.timestamp_millis(),
            &notices,
        )
        .await?;
    Ok(match moved {
        Moved::To(_) => t!(
            answers,
            "meeting-moved",
            id = id,
            when = when_text(new_start.timestamp_millis(), shown, answers)
        ),
        Moved::Taken => t!(answers, "meeting-move-taken", id = id),
        Moved::NotScheduled => t!(answers, "meeting-move-changed", id = id, invoke = asker.invoke()),
    })
}

/// `meeting reminders`.
pub async fn set_reminders(
    store: &Store,
    asker: &Asker<'_>,
    id: i64,
    offsets: &str,
    now: DateTime<Utc>,
) -> Step<String> {
    let meeting = visible_meeting(store, asker, id).await?;
    let offsets = parse_offsets(offsets, asker.lang).map_err(Stop::Answer)?;
    store
        .set_reminder_offsets(&meeting, &offsets, now.timestamp_millis())
        .await?;
    Ok(t!(
        asker.lang,
        "meeting-reminders-set",
        id = id,
        offsets = i18n::format::spans(&offsets, asker.lang)
    ))
}

/// `rsvp`, typed.
pub async fn rsvp(
    store: &Store,
    asker: &Asker<'_>,
    id: i64,
    answer: Answer,
    on: Option<&str>,
    now: DateTime<Utc>,
) -> Step<String> {
    let meeting = visible_meeting(store, asker, id).await?;
    if meeting.cancelled {
        return refuse(t!(asker.lang, "meeting-is-cancelled", id = id));
    }
    let occurrence = occurrence_meant(store, asker.lang, &meeting, on, Next::NotOver, now).await?;
    record(store, asker, &meeting, &occurrence, answer, now).await
}

/// `rsvp`, by a reminder's button (or a reaction to it).
pub async fn rsvp_button(
    store: &Store,
    asker: &Asker<'_>,
    occurrence_id: i64,
    answer: Answer,
    now: DateTime<Utc>,
) -> Step<String> {
    let Some(mut occurrence) = store.occurrence(occurrence_id).await? else {
        return refuse(t!(asker.lang, "meeting-gone"));
    };
    // A button under a reminder sent before the meeting moved answers for where it went.
    for _ in 0..20 {
        let Some(to) = occurrence.moved_to.filter(|_| occurrence.state == "moved") else {
            break;
        };
        match store.occurrence(to).await? {
            Some(next) => occurrence = next,
            None => break,
        }
    }
    let meeting = visible_meeting(store, asker, occurrence.meeting_id).await?;
    if occurrence.state != "scheduled" {
        let state = match occurrence.state.as_str() {
            "cancelled" => t!(asker.lang, "occurrence-state-cancelled"),
            "moved" => t!(asker.lang, "occurrence-state-moved"),
            "held" => t!(asker.lang, "occurrence-state-held"),
            other => other.to_string(),
        };
        return refuse(t!(
            asker.lang,
            "meeting-occurrence-state",
            state = state,
            invoke = asker.invoke(),
            id = meeting.id
        ));
    }
    record(store, asker, &meeting, &occurrence, answer, now).await
}

async fn record(
    store: &Store,
    asker: &Asker<'_>,
    meeting: &MeetingRow,
    occurrence: &OccurrenceRow,
    answer: Answer,
    now: DateTime<Utc>,
) -> Step<String> {
    if ends_at(meeting, occurrence) <= now.timestamp_millis() {
        return refuse(t!(asker.lang, "meeting-over"));
    }
    store
        .record_rsvp(
            occurrence.id,
            asker.platform,
            asker.user_id,
            asker.name,
            answer.as_str(),
            now.timestamp_millis(),
        )
        .await?;
    let counts = store.rsvp_counts(occurrence.id).await?;
    let zone = render::pillar_zone(store, &meeting.pillar_id).await?;
    let lang = asker.lang;
    Ok(t!(
        lang,
        "rsvp-noted",
        answer = render::answer_word(answer.as_str(), lang),
        title = escape(&meeting.title),
        when = when_text(occurrence.starts_at, zone, lang),
        counts = counts_text(counts, lang)
    ))
}

/// The offsets a pillar's meetings get by default, from `[[pillars]] reminder_offsets`.
pub fn default_offsets(offsets: &[std::time::Duration]) -> Vec<i64> {
    let mut seconds: Vec<i64> = offsets.iter().map(|d| d.as_secs() as i64).filter(|s| *s > 0).collect();
    seconds.sort_unstable_by(|a, b| b.cmp(a));
    seconds.dedup();
    seconds
}
