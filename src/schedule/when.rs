//! Reading the times people type in meeting commands: a start (`2026-12-01 10:00` on the
//! wall clock of a zone, or an RFC 3339 instant), a date, a time zone, a duration, a list
//! of reminder offsets. Each mistake is answered with what was wrong and an example.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::recurrence::to_utc;
use crate::i18n::Lang;
use crate::t;

/// The longest a reminder may come before its meeting. Series are written out further
/// ahead than this (see `plan::LEAD`), so a reminder is never due before its row exists.
pub const MAX_OFFSET_SECONDS: i64 = 14 * 24 * 3600;

const START_FORMATS: [&str; 4] = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
];

/// A start time: a wall-clock time in `zone` (a time in a spring-forward gap moves forward
/// by the gap, like every calendar), or an instant with its offset.
pub fn parse_start(text: &str, zone: Tz, lang: Lang) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in START_FORMATS {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(to_utc(local, zone));
        }
    }
    Err(t!(lang, "when-bad-start", text = text))
}

/// A calendar date, `2026-12-01`.
pub fn parse_date(text: &str, lang: Lang) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| t!(lang, "when-bad-date", text = text.trim()))
}

/// An IANA time zone name.
pub fn parse_zone(text: &str, lang: Lang) -> Result<Tz, String> {
    text.trim()
        .parse::<Tz>()
        .map_err(|_| t!(lang, "when-bad-zone", text = text.trim()))
}

/// A meeting's length, `90m` or `1h30m`, in whole minutes (1 minute to 24 hours).
pub fn parse_duration(text: &str, lang: Lang) -> Result<i64, String> {
    let parsed =
        humantime::parse_duration(text.trim()).map_err(|_| t!(lang, "when-bad-duration", text = text.trim()))?;
    let minutes = (parsed.as_secs() / 60) as i64;
    if !(1..=24 * 60).contains(&minutes) || !parsed.as_secs().is_multiple_of(60) {
        return Err(t!(lang, "when-duration-range", text = text.trim()));
    }
    Ok(minutes)
}

/// Reminder offsets, `24h,1h` (or `none`, Turkish `yok`), as seconds, longest first, each from 1 minute to
/// 14 days before the meeting.
pub fn parse_offsets(text: &str, lang: Lang) -> Result<Vec<i64>, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") || text.to_lowercase() == "yok" {
        return Ok(Vec::new());
    }
    let mut offsets = Vec::new();
    for part in text.split(',').map(str::trim) {
        let parsed = humantime::parse_duration(part).map_err(|_| t!(lang, "when-bad-offset", text = part))?;
        let seconds = parsed.as_secs() as i64;
        if !(60..=MAX_OFFSET_SECONDS).contains(&seconds) {
            return Err(t!(lang, "when-offset-range", text = part));
        }
        offsets.push(seconds);
    }
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    offsets.dedup();
    Ok(offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_read_on_the_zone_clock_or_as_instants() {
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            parse_start("2026-12-01 10:00", berlin, Lang::En).unwrap().to_rfc3339(),
            "2026-12-01T09:00:00+00:00"
        );
        assert_eq!(
            parse_start("2026-07-01T10:00", berlin, Lang::En).unwrap().to_rfc3339(),
            "2026-07-01T08:00:00+00:00"
        );
        assert_eq!(
            parse_start("2026-12-01T10:00:00+03:00", berlin, Lang::En)
                .unwrap()
                .to_rfc3339(),
            "2026-12-01T07:00:00+00:00"
        );
        // In the spring gap: 02:30 is 03:30 CEST.
        assert_eq!(
            parse_start("2026-03-29 02:30", berlin, Lang::En).unwrap().to_rfc3339(),
            "2026-03-29T01:30:00+00:00"
        );
        let error = parse_start("next tuesday", berlin, Lang::En).unwrap_err();
        assert!(
            error.contains("next tuesday") && error.contains("2026-12-01 10:00"),
            "{error}"
        );
        assert!(parse_start("2026-02-30 10:00", berlin, Lang::En).is_err());
    }

    #[test]
    fn durations_offsets_and_zones() {
        assert_eq!(parse_duration("90m", Lang::En), Ok(90));
        assert_eq!(parse_duration("1h 30m", Lang::En), Ok(90));
        assert!(parse_duration("0m", Lang::En).is_err());
        assert!(parse_duration("3 days", Lang::En).is_err());
        assert!(parse_duration("90", Lang::En).is_err());
        assert_eq!(parse_offsets("1h,24h", Lang::En), Ok(vec![86_400, 3_600]));
        assert_eq!(parse_offsets("none", Lang::En), Ok(vec![]));
        assert!(
            parse_offsets("30s", Lang::En)
                .unwrap_err()
                .contains("1 minute to 14 days")
        );
        assert!(parse_offsets("20d", Lang::En).is_err());
        assert!(parse_offsets("soon", Lang::En).unwrap_err().contains("soon"));
        assert!(parse_zone("Europe/Istanbul", Lang::En).is_ok());
        assert!(
            parse_zone("Mars/Olympus", Lang::En)
                .unwrap_err()
                .contains("Mars/Olympus")
        );
        assert_eq!(parse_date("2026-10-25", Lang::En).unwrap().to_string(), "2026-10-25");
        assert!(parse_date("25/10/2026", Lang::En).is_err());
        let turkish = parse_date("25/10/2026", Lang::Tr).unwrap_err();
        assert!(turkish.contains("okuyabildiğim bir tarih değil"), "{turkish}");
    }
}
