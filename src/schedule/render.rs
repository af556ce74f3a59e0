//! What the bot says about meetings: reminders (with RSVP buttons on Discord and the
//! command to type on Matrix), and the notices when a meeting is added, cancelled or moved.
//! Times are shown in the pillar's zone and in UTC. Everything is in the pillar's language
//! ([`crate::i18n`]). Text is Discord markdown; Matrix gets the same as HTML.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use magnet_chat::{Button, ButtonStyle, Control, MessageBody, MessageKind, OutboundAction, Platform};

use crate::bridge::{Payload, format};
use crate::command::PREFIX;
use crate::i18n::{self, Lang};
use crate::store::{MeetingRow, NewDelivery, OccurrenceRow, PillarRow, RoomRow, RsvpCounts, Store, StoreError};
use crate::t;

/// The answers to a meeting, as the buttons and the command name them.
pub const ANSWERS: [&str; 3] = ["yes", "maybe", "no"];

/// Reactions to a reminder that answer it, first the one the reminder suggests.
pub const REACTIONS: [(&str, &str); 7] = [
    ("✅", "yes"),
    ("🤔", "maybe"),
    ("❌", "no"),
    ("👍", "yes"),
    ("✔️", "yes"),
    ("❓", "maybe"),
    ("👎", "no"),
];

/// The answer a reaction to a reminder gives, if it gives one.
pub fn answer_by_reaction(key: &str) -> Option<&'static str> {
    // Clients differ in whether they send the emoji variation selector.
    let key = key.trim_end_matches('\u{fe0f}');
    REACTIONS
        .iter()
        .find(|(emoji, _)| emoji.trim_end_matches('\u{fe0f}') == key)
        .map(|(_, answer)| *answer)
}

/// The id a reminder's RSVP button carries.
pub fn rsvp_control(occurrence: i64, answer: &str) -> String {
    format!("rsvp:{occurrence}:{answer}")
}

/// Reads an RSVP button's id back: (occurrence, answer).
pub fn parse_rsvp_control(id: &str) -> Option<(i64, &str)> {
    let rest = id.strip_prefix("rsvp:")?;
    let (occurrence, answer) = rest.split_once(':')?;
    ANSWERS
        .contains(&answer)
        .then_some(())
        .and(occurrence.parse().ok().map(|o| (o, answer)))
}

/// An instant on the pillar's clock and in UTC: `Tue 1 Dec 2026, 10:00 Europe/Berlin (09:00 UTC)`.
pub fn when_text(at_ms: i64, zone: Tz, lang: Lang) -> String {
    let at = DateTime::<Utc>::from_timestamp_millis(at_ms).unwrap_or_default();
    let local = at.with_timezone(&zone);
    let utc = if local.date_naive() != at.date_naive() {
        i18n::format::date_time_short(&at, lang)
    } else {
        i18n::format::time(&at, lang)
    };
    t!(
        lang,
        "when-with-utc",
        local = i18n::format::date_time(&local, lang),
        zone = zone.name(),
        utc = utc
    )
}

/// The zone a pillar's times are shown in (UTC if the stored name is unknown).
pub async fn pillar_zone(store: &Store, pillar_id: &str) -> Result<Tz, StoreError> {
    Ok(zone_of_pillar(&store.pillars().await?, pillar_id))
}

/// The zone and the language of a pillar's rooms.
pub async fn pillar_clock(store: &Store, pillar_id: &str) -> Result<(Tz, Lang), StoreError> {
    let pillars = store.pillars().await?;
    Ok((zone_of_pillar(&pillars, pillar_id), lang_of_pillar(&pillars, pillar_id)))
}

/// [`pillar_zone`] from pillars already read.
pub fn zone_of_pillar(pillars: &[PillarRow], pillar_id: &str) -> Tz {
    pillars
        .iter()
        .find(|p| p.id == pillar_id)
        .and_then(|p| p.timezone.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

/// The message of reminder `id` for a room on `platform`; `None` if it is not to be sent
/// after all: gone, cancelled, or stale (its meeting was cancelled or moved, or has begun,
/// while it waited in the queue, or the room left the pillar; then it is recorded as missed).
pub async fn reminder_action(
    store: &Store,
    id: i64,
    room: &RoomRow,
    now_ms: i64,
) -> Result<Option<OutboundAction>, StoreError> {
    let platform = room.platform;
    let Some(reminder) = store.reminder(id).await? else {
        return Ok(None);
    };
    if reminder.state != "claimed" {
        return Ok(None);
    }
    if reminder.occurrence.state != "scheduled" || now_ms >= reminder.occurrence.starts_at {
        store.mark_reminder_missed(id).await?;
        return Ok(None);
    }
    let Some(meeting) = store.meeting(reminder.occurrence.meeting_id).await? else {
        return Ok(None);
    };
    // The room may have left the pillar (the config changed) since the row was written:
    // one pillar's meeting is never announced in another's room.
    if !room.active || room.pillar_id.as_deref() != Some(meeting.pillar_id.as_str()) {
        store.mark_reminder_missed(id).await?;
        return Ok(None);
    }
    let pillars = store.pillars().await?;
    let zone = zone_of_pillar(&pillars, &meeting.pillar_id);
    let lang = lang_of_pillar(&pillars, &meeting.pillar_id);
    let counts = store.rsvp_counts(reminder.occurrence.id).await?;
    let starts = reminder.occurrence.starts_at;
    // On time it says what the offset was (the same text on a resend); late, what is left.
    let left = if reminder.late {
        let span = i18n::format::span(((starts - now_ms) / 1000).max(60), lang);
        t!(lang, "reminder-starts-in-late", span = span)
    } else {
        t!(
            lang,
            "reminder-starts-in",
            span = i18n::format::span(reminder.offset_seconds, lang)
        )
    };
    let mut text = t!(lang, "reminder-title", title = escape(&meeting.title), left = left);
    text.push('\n');
    text.push_str(&details(&meeting, starts, zone, lang));
    text.push('\n');
    text.push_str(&t!(lang, "reminder-rsvp-so-far", counts = counts_text(counts, lang)));
    if platform == Platform::Matrix {
        text.push('\n');
        text.push_str(&t!(
            lang,
            "reminder-answer-how",
            command = rsvp_command(&meeting, &reminder.occurrence, zone, lang),
            yes_emoji = REACTIONS[0].0,
            yes = answer_word("yes", lang),
            maybe_emoji = REACTIONS[1].0,
            maybe = answer_word("maybe", lang),
            no_emoji = REACTIONS[2].0,
            no = answer_word("no", lang)
        ));
    }
    let controls = ANSWERS
        .iter()
        .map(|answer| {
            Control::Button(Button {
                id: rsvp_control(reminder.occurrence.id, answer),
                label: button_label(answer, lang),
                style: match *answer {
                    "yes" => ButtonStyle::Success,
                    "no" => ButtonStyle::Danger,
                    _ => ButtonStyle::Secondary,
                },
                asks_text: false,
            })
        })
        .collect();
    Ok(Some(OutboundAction::SendControls {
        body: body(platform, text),
        controls,
    }))
}

/// How to answer by command: `!magnet rsvp 12 yes|maybe|no` (with the date for a series),
/// in the language's own command words (`!magnet katılım 12 evet|belki|hayır --tarih …`),
/// which the grammar takes as aliases.
pub fn rsvp_command(meeting: &MeetingRow, occurrence: &OccurrenceRow, zone: Tz, lang: Lang) -> String {
    let mut command = rsvp_words(meeting.id, lang);
    if meeting.recurrence.is_some() {
        let at = DateTime::<Utc>::from_timestamp_millis(occurrence.starts_at).unwrap_or_default();
        let on = match lang {
            Lang::En => "--on",
            Lang::Tr => "--tarih",
        };
        command.push_str(&format!(" {on} {}", at.with_timezone(&zone).format("%Y-%m-%d")));
    }
    command
}

/// `!magnet rsvp 12 yes|maybe|no` in the language's command words.
pub fn rsvp_words(meeting: i64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{PREFIX} rsvp {meeting} yes|maybe|no"),
        Lang::Tr => format!("{PREFIX} katılım {meeting} evet|belki|hayır"),
    }
}

/// The lines under a meeting's title: when, agenda, where.
pub fn details(meeting: &MeetingRow, starts: i64, zone: Tz, lang: Lang) -> String {
    let mut text = t!(
        lang,
        "meeting-when",
        when = when_text(starts, zone, lang),
        minutes = meeting.duration_minutes
    );
    if let Some(agenda) = &meeting.agenda {
        text.push('\n');
        text.push_str(&t!(lang, "meeting-agenda", agenda = escape(agenda)));
    }
    if let Some(place) = &meeting.location {
        text.push('\n');
        text.push_str(&t!(lang, "meeting-place", place = escape(place)));
    }
    text
}

pub fn counts_text(counts: RsvpCounts, lang: Lang) -> String {
    t!(
        lang,
        "rsvp-counts",
        yes = counts.yes,
        maybe = counts.maybe,
        no = counts.no
    )
}

/// An answer (`yes`, `maybe`, `no`) as the language says it; the stored word otherwise.
pub fn answer_word(answer: &str, lang: Lang) -> String {
    answer_text("answer", answer, lang)
}

fn button_label(answer: &str, lang: Lang) -> String {
    answer_text("button", answer, lang)
}

/// `answer-yes` / `button-yes`...: the catalogue has both forms of each of the three.
fn answer_text(form: &str, answer: &str, lang: Lang) -> String {
    match answer {
        "yes" | "maybe" | "no" => i18n::text(lang, &format!("{form}-{answer}"), None),
        other => other.to_string(),
    }
}

/// The language of a pillar's rooms, from pillars already read (English if unknown).
pub fn lang_of_pillar(pillars: &[PillarRow], pillar_id: &str) -> Lang {
    pillars
        .iter()
        .find(|p| p.id == pillar_id)
        .map(PillarRow::lang)
        .unwrap_or_default()
}

/// The same notice for every active room of a pillar, as deliveries to queue.
pub async fn notices(store: &Store, pillar_id: &str, text: &str) -> Result<Vec<NewDelivery>, StoreError> {
    let rooms = store.pillar_rooms(pillar_id).await?;
    Ok(notices_for(&rooms, text))
}

/// The same notice for each of these rooms.
pub fn notices_for(rooms: &[RoomRow], text: &str) -> Vec<NewDelivery> {
    rooms
        .iter()
        .map(|room| {
            let payload = Payload::Direct(OutboundAction::Send {
                body: body(room.platform, text.to_string()),
                persona: None,
            });
            NewDelivery {
                room_id: room.id,
                action: payload.action().to_string(),
                message_id: None,
                payload: payload.to_json(),
            }
        })
        .collect()
}

/// A bot message for a platform: markdown on Discord, a notice with HTML on Matrix.
pub fn body(platform: Platform, text: String) -> MessageBody {
    let html = match platform {
        Platform::Matrix => Some(format::discord_to_matrix_html(&text, &|_| None)),
        Platform::Discord => None,
    };
    MessageBody {
        kind: MessageKind::Notice,
        text,
        html,
        ..Default::default()
    }
}

/// Text people typed, shown inside our markdown without turning into markup or pings.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '\\' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace('@', "@\u{200b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_the_pillar_clock_and_utc() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            when_text(at, chrono_tz::Europe::Berlin, Lang::En),
            "Tue 1 Dec 2026, 10:00 Europe/Berlin (09:00 UTC)"
        );
        let late = DateTime::parse_from_rfc3339("2026-12-01T22:30:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            when_text(late, chrono_tz::Europe::Istanbul, Lang::En),
            "Wed 2 Dec 2026, 01:30 Europe/Istanbul (Tue 1 Dec 22:30 UTC)"
        );
        assert_eq!(
            when_text(late, chrono_tz::Europe::Istanbul, Lang::Tr),
            "2 Ara 2026 Çrş, 01:30 Europe/Istanbul (1 Ara Sal 22:30 UTC)"
        );
    }

    #[test]
    fn the_rsvp_command_shown_in_either_language_is_one_the_grammar_reads() {
        for lang in Lang::ALL {
            let shown = rsvp_words(12, lang);
            let first = shown.replace("|maybe|no", "").replace("|belki|hayır", "");
            let parsed = crate::command::parse_text(&format!("{first} --on 2026-12-08"));
            assert_eq!(
                parsed,
                crate::command::parse_text("!magnet rsvp 12 yes --on 2026-12-08"),
                "{shown}"
            );
        }
    }

    #[test]
    fn rsvp_buttons_carry_the_occurrence_and_the_answer() {
        assert_eq!(parse_rsvp_control(&rsvp_control(42, "maybe")), Some((42, "maybe")));
        assert_eq!(parse_rsvp_control("rsvp:42:perhaps"), None);
        assert_eq!(parse_rsvp_control("rsvp:x:yes"), None);
        assert_eq!(parse_rsvp_control("survey:1:2"), None);
    }

    #[test]
    fn reactions_answer_with_or_without_the_variation_selector() {
        assert_eq!(answer_by_reaction("✅"), Some("yes"));
        assert_eq!(answer_by_reaction("✔"), Some("yes"));
        assert_eq!(answer_by_reaction("✔\u{fe0f}"), Some("yes"));
        assert_eq!(answer_by_reaction("🤔"), Some("maybe"));
        assert_eq!(answer_by_reaction("❌"), Some("no"));
        assert_eq!(answer_by_reaction("🎉"), None);
    }

    #[test]
    fn titles_cannot_ping_or_format() {
        assert_eq!(
            escape("**@everyone** <@1>"),
            "\\*\\*@\u{200b}everyone\\*\\* \\<@\u{200b}1\\>"
        );
    }
}
