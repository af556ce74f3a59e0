//! A pillar's meetings as an iCalendar (RFC 5545) feed, for people to subscribe to in
//! their own calendar: `magnet calendar <pillar>` writes it, and the HTTP listener serves
//! it at `/calendar/<pillar>/<token>.ics`, where the token is derived from the operator's
//! calendar secret (HMAC-SHA256), so only people given a pillar's link can read its
//! meetings; `magnet calendar <pillar> --link` prints that path.
//!
//! Each occurrence is its own event with a stable UID, in UTC (so no time zone tables are
//! needed; clients show it on their own clock). A cancelled occurrence stays in the feed as
//! `STATUS:CANCELLED`, so subscribed calendars drop it; a moved one is cancelled at its old
//! time and appears at its new one.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use sha2::Sha256;

use crate::i18n::Lang;
use crate::store::{MeetingRow, OccurrenceRow, Store, StoreError};
use crate::t;

/// How far back the feed goes: recent meetings stay visible for a while.
const PAST_DAYS: i64 = 90;
/// The most events in one feed.
const MAX_EVENTS: i64 = 5_000;

/// Bytes of the HMAC in a link: 128 bits.
const TOKEN_BYTES: usize = 16;

fn mac(secret: &str, pillar: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"magnet calendar feed\0");
    mac.update(pillar.as_bytes());
    mac
}

/// The path of a pillar's feed: `/calendar/<pillar>/<token>.ics`.
pub fn feed_path(secret: &str, pillar: &str) -> String {
    let bytes = mac(secret, pillar).finalize().into_bytes();
    let token: String = bytes[..TOKEN_BYTES].iter().map(|b| format!("{b:02x}")).collect();
    format!("/calendar/{pillar}/{token}.ics")
}

/// Whether a link's token is the pillar's (compared in constant time).
pub fn token_matches(secret: &str, pillar: &str, token: &str) -> bool {
    if token.len() != TOKEN_BYTES * 2 || !token.is_ascii() {
        return false;
    }
    let bytes: Option<Vec<u8>> = (0..TOKEN_BYTES)
        .map(|i| u8::from_str_radix(&token[2 * i..2 * i + 2], 16).ok())
        .collect();
    bytes.is_some_and(|bytes| mac(secret, pillar).verify_truncated_left(&bytes).is_ok())
}

/// The feed of a pillar, or `None` if there is no such pillar.
pub async fn feed(store: &Store, pillar_id: &str, now: DateTime<Utc>) -> Result<Option<String>, StoreError> {
    let pillars = store.pillars().await?;
    let Some(pillar) = pillars.iter().find(|p| p.id == pillar_id && p.active) else {
        return Ok(None);
    };
    let from = (now - Duration::days(PAST_DAYS)).timestamp_millis();
    let entries = store.occurrences_from(Some(pillar_id), from, MAX_EVENTS, false).await?;
    Ok(Some(ics(&pillar.name, pillar.lang(), &entries, now)))
}

/// The calendar text for these occurrences; the calendar's own name and description are in
/// the pillar's language (the meetings' titles and agendas are as people wrote them).
pub fn ics(name: &str, lang: Lang, entries: &[(MeetingRow, OccurrenceRow)], now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar
        .name(&t!(lang, "calendar-name", pillar = name))
        .description(&t!(lang, "calendar-description", pillar = name))
        .ttl(&chrono::Duration::hours(1));
    for (meeting, occurrence) in entries {
        let starts = DateTime::<Utc>::from_timestamp_millis(occurrence.starts_at).unwrap_or_default();
        let mut event = Event::new();
        event
            .uid(&format!("magnet-occurrence-{}@magnet", occurrence.id))
            .summary(&meeting.title)
            .starts(starts)
            .ends(starts + Duration::minutes(meeting.duration_minutes))
            .timestamp(now)
            .status(match occurrence.state.as_str() {
                "cancelled" | "moved" => EventStatus::Cancelled,
                _ => EventStatus::Confirmed,
            });
        if let Some(agenda) = &meeting.agenda {
            event.description(agenda);
        }
        if let Some(place) = &meeting.location {
            event.location(place);
            if place.starts_with("https://") || place.starts_with("http://") {
                event.url(place);
            }
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(title: &str) -> MeetingRow {
        MeetingRow {
            id: 3,
            pillar_id: "authorities".into(),
            title: title.into(),
            starts_at: 0,
            duration_minutes: 90,
            timezone: "Europe/Berlin".into(),
            recurrence: Some("0 10 * * TUE".into()),
            until_at: None,
            agenda: Some("Budget; next steps, and more".into()),
            location: Some("https://meet.example.org/magnet".into()),
            reminder_offsets: vec![3600],
            cancelled: false,
            created_by: "@sec:example.org".into(),
            unwritten_from: None,
        }
    }

    #[test]
    fn links_carry_a_token_only_the_secret_gives() {
        let path = feed_path("s3cret", "authorities");
        let token = path
            .strip_prefix("/calendar/authorities/")
            .and_then(|t| t.strip_suffix(".ics"))
            .unwrap();
        assert_eq!(token.len(), 32);
        assert!(token_matches("s3cret", "authorities", token));
        assert!(
            !token_matches("s3cret", "civil-society", token),
            "a pillar's token opens no other"
        );
        assert!(!token_matches("other", "authorities", token));
        assert!(!token_matches("s3cret", "authorities", &token[..31]));
        assert!(!token_matches("s3cret", "authorities", &"é".repeat(16)));
        assert_ne!(feed_path("s3cret", "civil-society"), path);
    }

    #[test]
    fn occurrences_become_events_in_utc_with_cancellations_kept() {
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().to_utc();
        let at = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .timestamp_millis();
        let entries = vec![
            (
                meeting("Weekly coordination"),
                OccurrenceRow {
                    id: 10,
                    meeting_id: 3,
                    starts_at: at,
                    state: "scheduled".into(),
                    moved_to: None,
                },
            ),
            (
                meeting("Weekly coordination"),
                OccurrenceRow {
                    id: 11,
                    meeting_id: 3,
                    starts_at: at + 7 * 86_400_000,
                    state: "cancelled".into(),
                    moved_to: None,
                },
            ),
        ];
        let text = ics("Authorities", Lang::En, &entries, now);
        // What a calendar client reads: parse it back.
        let parsed: Calendar = text.parse().expect("the feed parses as iCalendar");
        let events: Vec<&Event> = parsed.components.iter().filter_map(|c| c.as_event()).collect();
        assert_eq!(events.len(), 2, "{text}");
        assert_eq!(events[0].get_uid(), Some("magnet-occurrence-10@magnet"));
        assert_eq!(events[0].get_summary(), Some("Weekly coordination"));
        assert!(text.contains("DTSTART:20261201T090000Z"), "{text}");
        assert!(text.contains("DTEND:20261201T103000Z"), "{text}");
        assert_eq!(events[0].get_status(), Some(EventStatus::Confirmed));
        assert_eq!(events[1].get_status(), Some(EventStatus::Cancelled));
        assert_eq!(events[0].get_description(), Some("Budget; next steps, and more"));
        assert!(text.contains("X-WR-CALNAME:Authorities meetings"), "{text}");
        assert!(text.lines().all(|line| line.len() <= 75), "lines are folded");

        // A Turkish pillar's calendar is named in Turkish; what people wrote stays as it is.
        let text = ics("Yetkililer", Lang::Tr, &entries, now);
        assert!(text.contains("X-WR-CALNAME:Yetkililer toplantıları"), "{text}");
        assert!(text.contains("SUMMARY:Weekly coordination"), "{text}");
    }
}
