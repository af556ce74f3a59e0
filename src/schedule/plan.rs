//! Which occurrences of a meeting to write out now. A one-off meeting is one occurrence; a
//! series is written a stretch ahead at a time (up to [`LEAD`] past now, at least its next
//! occurrence, at most [`MAX_STRETCH`] at once), and the scheduler writes the next stretch
//! when the first unwritten start comes within [`LEAD`]. Because [`LEAD`] is longer than any
//! reminder offset, every reminder's row exists before it is due.

use chrono::{DateTime, Duration, Utc};

use super::recurrence::Recurrence;
use super::when::MAX_OFFSET_SECONDS;
use crate::store::Stretch;

/// How far ahead series are written: the longest reminder offset and a week more.
pub const LEAD: Duration = Duration::seconds(MAX_OFFSET_SECONDS + 7 * 24 * 3600);

/// Most occurrences written in one go (a rule firing every minute would otherwise write
/// thousands); the rest follow on the scheduler's next round.
pub const MAX_STRETCH: usize = 200;

/// The occurrences of a series from `from` (inclusive) to write by `now`, ending at
/// `until` (inclusive) if set.
pub fn stretch(rule: &Recurrence, from: DateTime<Utc>, until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Stretch {
    let horizon = now + LEAD;
    let mut times = rule
        .after(from - Duration::milliseconds(1))
        .take_while(|at| until.is_none_or(|until| *at <= until));
    let mut starts = Vec::new();
    let mut unwritten_from = None;
    for at in times.by_ref() {
        if !starts.is_empty() && (at > horizon || starts.len() >= MAX_STRETCH) {
            unwritten_from = Some(at.timestamp_millis());
            break;
        }
        starts.push(at.timestamp_millis());
    }
    Stretch { starts, unwritten_from }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_weekly_series_is_written_three_weeks_ahead_and_resumes_where_it_stopped() {
        let weekly = Recurrence::new("0 10 * * TUE", chrono_tz::Europe::Berlin).unwrap();
        let now = utc("2026-12-01T00:00:00Z");
        let first = stretch(&weekly, now, None, now);
        // 21 days of lead from 1 December 00:00: the 1st, 8th and 15th (the 22nd at 10:00
        // is past the 22nd at 00:00).
        assert_eq!(first.starts.len(), 3, "{first:?}");
        assert_eq!(first.starts[0], utc("2026-12-01T09:00:00Z").timestamp_millis());
        let next = first.unwritten_from.expect("a series without end goes on");
        assert_eq!(next, utc("2026-12-22T09:00:00Z").timestamp_millis());
        let later = DateTime::from_timestamp_millis(next).unwrap();
        let second = stretch(&weekly, later, None, later - LEAD);
        assert_eq!(
            second.starts,
            vec![next],
            "one more when the next comes within the lead"
        );
    }

    #[test]
    fn a_series_ends_at_its_until_and_always_writes_its_first_occurrence() {
        let weekly = Recurrence::new("0 10 * * TUE", chrono_tz::Europe::Istanbul).unwrap();
        let now = utc("2026-12-01T00:00:00Z");
        let short = stretch(&weekly, now, Some(utc("2026-12-08T07:00:00Z")), now);
        assert_eq!(short.starts.len(), 2);
        assert_eq!(short.unwritten_from, None);
        let far = stretch(&weekly, utc("2027-06-01T00:00:00Z"), None, now);
        assert_eq!(far.starts, vec![utc("2027-06-01T07:00:00Z").timestamp_millis()]);
        assert!(far.unwritten_from.is_some());
        let every_minute = Recurrence::new("* * * * *", chrono_tz::UTC).unwrap();
        let busy = stretch(&every_minute, now, None, now);
        assert_eq!(busy.starts.len(), MAX_STRETCH);
    }
}
