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
use super::when::{offsets_text, parse_date, parse_duration, parse_offsets, parse_start, parse_zone};
use crate::command::{Answer, PREFIX};
use crate::store::{MeetingRow, Moved, NewMeeting, OccurrenceRow, PillarRow, Store, StoreError, Stretch};

/// Who asks, as the meeting commands need to know them.
pub struct Asker<'a> {
    pub platform: &'a str,
    pub user_id: &'a str,
    pub name: &'a str,
    /// The pillar of the room they asked in.
    pub room_pillar: Option<&'a str>,
    /// The command's event (platform:room:event id): the same command seen again after a
    /// crash changes nothing twice.
    pub source: String,
    /// The answer is seen by the asker only (a Discord slash command or button).
    pub private: bool,
    pub secretariat: bool,
}

impl Asker<'_> {
    fn may_see(&self, pillar: &str) -> bool {
        self.secretariat || self.room_pillar == Some(pillar)
    }

    /// Whether an answer about `pillar` may be given here: privately anywhere; in public
    /// (a text command's answer, seen by the whole room) only in that pillar's rooms or in
    /// a room of no pillar (the secretariat's), so one pillar's meetings never show in
    /// another's rooms, even when the secretariat asks.
    fn may_answer_about(&self, pillar: &str) -> Result<(), String> {
        match self.room_pillar {
            Some(here) if here != pillar && !self.private => Err(format!(
                "That concerns the {pillar} pillar; everyone in this room would see the answer. Ask in one of its rooms or the secretariat's."
            )),
            _ => Ok(()),
        }
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

async fn pillar(store: &Store, id: &str) -> Step<PillarRow> {
    let pillars = store.pillars().await?;
    if let Some(found) = pillars.iter().find(|p| p.id == id && p.active) {
        return Ok(found.clone());
    }
    let known: Vec<&str> = pillars.iter().filter(|p| p.active).map(|p| p.id.as_str()).collect();
    refuse(format!("There is no pillar `{id}`. Pillars: {}.", known.join(", ")))
}

/// A meeting the asker may see and be answered about here.
async fn visible_meeting(store: &Store, asker: &Asker<'_>, id: i64) -> Step<MeetingRow> {
    match store.meeting(id).await? {
        Some(meeting) if asker.may_see(&meeting.pillar_id) => {
            asker.may_answer_about(&meeting.pillar_id).map_err(Stop::Answer)?;
            Ok(meeting)
        }
        _ => refuse(format!(
            "There is no meeting #{id} here. Send `{PREFIX} meeting list` to see this pillar's meetings."
        )),
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
    meeting: &MeetingRow,
    on: Option<&str>,
    next: Next,
    now: DateTime<Utc>,
) -> Step<OccurrenceRow> {
    let zone = render::pillar_zone(store, &meeting.pillar_id).await?;
    let date = on.map(parse_date).transpose().map_err(Stop::Answer)?;
    if let Some(date) = date {
        let start = to_utc(date.and_time(NaiveTime::MIN), zone);
        if start > now + chrono::Duration::days(FURTHEST_DAYS) {
            return refuse(format!(
                "{date} is too far ahead; name a date within {FURTHEST_DAYS} days."
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
            Some(date) => format!("Meeting #{} has no meeting on {date} still to come.", meeting.id),
            None => format!("Meeting #{} has no meeting still to come.", meeting.id),
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
    let wanted = match (pillar_id, asker.room_pillar) {
        (Some(id), _) => Some(id),
        (None, Some(room)) if !asker.secretariat => Some(room),
        (None, room) => room,
    };
    if let Some(id) = wanted {
        pillar(store, id).await?;
        if !asker.may_see(id) {
            return refuse(format!(
                "Only the secretariat may list another pillar's meetings; here you can see {}'s.",
                asker.room_pillar.unwrap_or("this pillar")
            ));
        }
        asker.may_answer_about(id).map_err(Stop::Answer)?;
    } else if !asker.secretariat {
        return refuse(format!(
            "Ask in a pillar's room, or name the pillar: `{PREFIX} meeting list <pillar>`."
        ));
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
            Some(id) => format!("No meetings to come for {id}."),
            None => "No meetings to come.".into(),
        });
    }
    let mut text = String::from("Meetings to come:\n");
    let pillars = store.pillars().await?;
    for (meeting, occurrence) in &upcoming {
        let zone = render::zone_of_pillar(&pillars, &meeting.pillar_id);
        let counts = store.rsvp_counts(occurrence.id).await?;
        let _ = writeln!(
            text,
            "• #{} **{}** ({}) — {}; {}",
            meeting.id,
            escape(&meeting.title),
            meeting.pillar_id,
            when_text(occurrence.starts_at, zone),
            counts_text(counts)
        );
    }
    let _ = write!(
        text,
        "Send `{PREFIX} meeting show <number>` for one, `{PREFIX} rsvp <number> yes` to answer."
    );
    Ok(text)
}

/// `meeting show`.
pub async fn show(store: &Store, asker: &Asker<'_>, id: i64, now: DateTime<Utc>) -> Step<String> {
    let meeting = visible_meeting(store, asker, id).await?;
    let zone = render::pillar_zone(store, &meeting.pillar_id).await?;
    let mut text = format!("#{} **{}** ({})", meeting.id, escape(&meeting.title), meeting.pillar_id);
    if meeting.cancelled {
        text.push_str(" — cancelled");
    }
    if let Some(rule) = &meeting.recurrence {
        let _ = write!(text, "\n**Repeats:** `{rule}` ({})", meeting.timezone);
    }
    let _ = write!(
        text,
        "\n**Reminders:** {} before",
        offsets_text(&meeting.reminder_offsets)
    );
    match occurrence_meant(store, &meeting, None, Next::NotOver, now).await {
        Ok(next) => {
            let _ = write!(text, "\n{}", details(&meeting, next.starts_at, zone));
            let answers = store.rsvps(next.id).await?;
            let counts = store.rsvp_counts(next.id).await?;
            let _ = write!(text, "\n**RSVP:** {}", counts_text(counts));
            for (name, platform, answer) in answers.iter().take(30) {
                let _ = write!(text, "\n  {answer}: {} ({platform})", escape(name));
            }
        }
        Err(Stop::Answer(_)) => text.push_str("\nNothing still to come."),
        Err(failed) => return Err(failed),
    }
    Ok(text)
}

/// `meeting add`.
pub async fn add(store: &Store, asker: &Asker<'_>, request: &AddRequest<'_>, now: DateTime<Utc>) -> Step<String> {
    let pillar = pillar(store, request.pillar).await?;
    asker.may_answer_about(&pillar.id).map_err(Stop::Answer)?;
    let title = request.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return refuse("A meeting's title has 1 to 200 characters.".into());
    }
    if request.agenda.is_some_and(|a| a.chars().count() > 1000)
        || request.place.is_some_and(|p| p.chars().count() > 500)
    {
        return refuse(
            "The agenda is at most 1000 characters and the place 500; put a link to a longer agenda.".into(),
        );
    }
    let zone = match request.zone {
        Some(text) => parse_zone(text).map_err(Stop::Answer)?,
        None => pillar.timezone.parse().unwrap_or(chrono_tz::UTC),
    };
    let start = parse_start(request.start, zone).map_err(Stop::Answer)?;
    if start <= now {
        return refuse(format!(
            "That start ({}) is in the past. Give a time still to come.",
            when_text(start.timestamp_millis(), zone)
        ));
    }
    let duration = request
        .duration
        .map(parse_duration)
        .transpose()
        .map_err(Stop::Answer)?
        .unwrap_or(60);
    let offsets = match request.reminders {
        Some(text) => parse_offsets(text).map_err(Stop::Answer)?,
        None => request.default_offsets.to_vec(),
    };
    let until = match request.until.map(parse_date).transpose().map_err(Stop::Answer)? {
        Some(date) => {
            let end_of_day = to_utc(
                date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()),
                zone,
            );
            if end_of_day < start {
                return refuse(format!("The series ends ({date}) before it starts."));
            }
            Some(end_of_day)
        }
        None => None,
    };
    if until.is_some() && request.every.is_none() {
        return refuse("--until goes with --every: only a series has a last date.".into());
    }
    let plan = match request.every {
        Some(rule) => {
            let recurrence = Recurrence::new(rule, zone).map_err(|message| {
                Stop::Answer(format!(
                    "The rule `{rule}` cannot be used: {message}. Write five fields: minute hour day-of-month month day-of-week, e.g. `0 10 * * TUE` for Tuesdays at 10:00."
                ))
            })?;
            let plan = stretch(&recurrence, start, until, now);
            if plan.starts.is_empty() {
                return refuse(format!(
                    "The rule `{rule}` names no time between the start and the last date."
                ));
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
    let announce = |id: i64| {
        let mut text = format!("📅 New meeting #{id}: **{}**", escape(title));
        if let Some(rule) = request.every {
            let _ = write!(text, " (repeats `{}` in {})", rule.trim(), zone.name());
        }
        let stored = meeting.stored(id);
        let _ = write!(text, "\n{}", details(&stored, first, pillar_zone));
        let _ = write!(
            text,
            "\nReminders: {} before. Answer with `{PREFIX} rsvp {id} yes|maybe|no`.",
            offsets_text(&offsets)
        );
        notices_for(&rooms, &text)
    };
    let (id, new) = store
        .add_meeting(&meeting, &plan, now.timestamp_millis(), announce)
        .await?;
    if !new {
        return Ok(format!("Meeting #{id} was added by this command already."));
    }
    Ok(format!(
        "Added meeting #{id} to {}: **{}**, first on {}. Reminders {} before. The pillar's rooms are told.",
        pillar.name,
        escape(title),
        when_text(first, pillar_zone),
        offsets_text(&offsets)
    ))
}

/// `meeting cancel`.
pub async fn cancel(store: &Store, asker: &Asker<'_>, id: i64, on: Option<&str>, now: DateTime<Utc>) -> Step<String> {
    let meeting = visible_meeting(store, asker, id).await?;
    if meeting.cancelled {
        return Ok(format!("Meeting #{id} is already cancelled."));
    }
    let zone = render::pillar_zone(store, &meeting.pillar_id).await?;
    if on.is_some() && meeting.recurrence.is_none() {
        return Ok(format!(
            "Meeting #{id} happens once; `--on` picks a date of a series. Send `{PREFIX} meeting cancel {id}` to cancel it."
        ));
    }
    let (occurrence, notice) = if let Some(date) = on {
        let occurrence = occurrence_meant(store, &meeting, Some(date), Next::NotBegun, now).await?;
        let notice = format!(
            "❌ **{}** on {} is cancelled. The series goes on.",
            escape(&meeting.title),
            when_text(occurrence.starts_at, zone)
        );
        (Some(occurrence.id), notice)
    } else {
        if meeting.recurrence.is_none() {
            occurrence_meant(store, &meeting, None, Next::NotBegun, now)
                .await
                .map_err(|stop| match stop {
                    Stop::Answer(_) => Stop::Answer(format!(
                        "Meeting #{id} has already begun or taken place; there is nothing to cancel."
                    )),
                    failed => failed,
                })?;
        }
        let notice = match meeting.recurrence {
            Some(_) => format!(
                "❌ The meeting series **{}** is cancelled: no more meetings.",
                escape(&meeting.title)
            ),
            None => format!(
                "❌ **{}** on {} is cancelled.",
                escape(&meeting.title),
                when_text(meeting.starts_at, zone)
            ),
        };
        (None, notice)
    };
    let notices = notices(store, &meeting.pillar_id, &notice).await?;
    let cancelled = store
        .cancel_meeting(meeting.id, occurrence, now.timestamp_millis(), &notices)
        .await?;
    if cancelled == 0 && meeting.recurrence.is_none() {
        return Ok(format!(
            "Meeting #{id} has already taken place; there was nothing left to cancel."
        ));
    }
    Ok(format!(
        "Cancelled: {cancelled} meeting(s) of #{id}; their reminders will not be sent. The pillar's rooms are told."
    ))
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
    let meeting = visible_meeting(store, asker, id).await?;
    if meeting.cancelled {
        return refuse(format!("Meeting #{id} is cancelled; add a new one instead."));
    }
    let zone = match zone {
        Some(text) => parse_zone(text).map_err(Stop::Answer)?,
        None => zone_of(&meeting),
    };
    let new_start = parse_start(start, zone).map_err(Stop::Answer)?;
    if new_start <= now {
        return refuse(format!(
            "That start ({}) is in the past. Give a time still to come.",
            when_text(new_start.timestamp_millis(), zone)
        ));
    }
    let occurrence = occurrence_meant(store, &meeting, on, Next::NotBegun, now).await?;
    let shown = render::pillar_zone(store, &meeting.pillar_id).await?;
    if occurrence.starts_at == new_start.timestamp_millis() {
        return refuse(format!(
            "Meeting #{id} is at {} already; nothing to move.",
            when_text(occurrence.starts_at, shown)
        ));
    }
    let notice = format!(
        "🔁 **{}** has moved: it was {}, it is now {}. Answers given stay.",
        escape(&meeting.title),
        when_text(occurrence.starts_at, shown),
        when_text(new_start.timestamp_millis(), shown)
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
        Moved::To(_) => format!(
            "Moved #{id} to {}. The old reminders will not be sent; new ones follow. The pillar's rooms are told.",
            when_text(new_start.timestamp_millis(), shown)
        ),
        Moved::Taken => format!("Meeting #{id} already has a meeting at that time."),
        Moved::NotScheduled => {
            format!("That meeting of #{id} was changed meanwhile; see `{PREFIX} meeting show {id}` and try again.")
        }
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
    let offsets = parse_offsets(offsets).map_err(Stop::Answer)?;
    store
        .set_reminder_offsets(&meeting, &offsets, now.timestamp_millis())
        .await?;
    Ok(format!(
        "Meeting #{id} now reminds {} before each meeting (reminders already sent stay sent).",
        offsets_text(&offsets)
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
        return refuse(format!("Meeting #{id} is cancelled."));
    }
    let occurrence = occurrence_meant(store, &meeting, on, Next::NotOver, now).await?;
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
        return refuse("That meeting no longer exists.".into());
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
        return refuse(format!(
            "That meeting is {}; see `{PREFIX} meeting show {}`.",
            occurrence.state, meeting.id
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
        return refuse("That meeting is over.".into());
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
    Ok(format!(
        "Noted: **{}** for {} on {}. So far: {}.",
        answer.as_str(),
        escape(&meeting.title),
        when_text(occurrence.starts_at, zone),
        counts_text(counts)
    ))
}

/// The offsets a pillar's meetings get by default, from `[[pillars]] reminder_offsets`.
pub fn default_offsets(offsets: &[std::time::Duration]) -> Vec<i64> {
    let mut seconds: Vec<i64> = offsets.iter().map(|d| d.as_secs() as i64).filter(|s| *s > 0).collect();
    seconds.sort_unstable_by(|a, b| b.cmp(a));
    seconds.dedup();
    seconds
}
