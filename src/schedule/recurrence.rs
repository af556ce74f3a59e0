//! When a recurring meeting happens: a cron rule read on the wall clock of the meeting's
//! IANA time zone, so a 10:00 meeting stays at 10:00 local time across DST changes, turned
//! into UTC instants for storage.
//!
//! Two wall-clock times need a rule of their own (the RFC 5545 choices, which calendar
//! clients follow):
//! - in the spring-forward gap a time does not exist: it moves forward by the gap's length
//!   (02:30 on the night clocks jump from 02:00 to 03:00 becomes 03:30);
//! - in the autumn repeated hour a time exists twice: the first is taken, once.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// A cron rule in a time zone.
#[derive(Debug, Clone)]
pub struct Recurrence {
    schedule: cron::Schedule,
    zone: Tz,
}

impl Recurrence {
    /// Reads a cron rule (5 fields: minute hour day-of-month month day-of-week) for a zone.
    /// A rule that never fires (the 30th of February) is an error, said plainly.
    pub fn new(rule: &str, zone: Tz) -> Result<Recurrence, String> {
        let schedule = crate::config::parse_cron(rule)?;
        Ok(Recurrence { schedule, zone })
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The occurrences strictly after `after`, in order, as UTC instants.
    pub fn after(&self, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        // The rule runs on a floating wall clock (no zone); starting a few hours early
        // covers a repeated hour, whose local times map back to an earlier instant.
        let start = after.with_timezone(&self.zone).naive_local() - Duration::hours(3);
        let mut last = None;
        self.schedule
            .after(&start.and_utc())
            .map(move |floating| to_utc(floating.naive_utc(), self.zone))
            .filter(move |at| *at > after)
            // A time moved out of the gap can land on one the rule also names.
            .filter(move |at| {
                let fresh = last != Some(*at);
                last = Some(*at);
                fresh
            })
    }
}

/// A wall-clock time in a zone as a UTC instant, with the gap and repeated-hour rules above.
pub fn to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Read with the offset in force before the gap: that instant is the wall-clock
            // time moved forward by the gap's length.
            let before = zone.offset_from_utc_datetime(&(local - Duration::days(1))).fix();
            (local - Duration::seconds(i64::from(before.local_minus_utc()))).and_utc()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn local(date: (i32, u32, u32), time: (u32, u32)) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(date.0, date.1, date.2)
            .unwrap()
            .and_hms_opt(time.0, time.1, 0)
            .unwrap()
    }

    #[test]
    fn a_berlin_meeting_stays_at_ten_across_both_dst_changes() {
        // Tuesdays at 10:00. Clocks go forward on 29 March 2026 and back on 25 October.
        let weekly = Recurrence::new("0 10 * * TUE", chrono_tz::Europe::Berlin).unwrap();
        let march: Vec<_> = weekly.after(utc("2026-03-20T00:00:00Z")).take(2).collect();
        assert_eq!(march, [utc("2026-03-24T09:00:00Z"), utc("2026-03-31T08:00:00Z")]);
        let october: Vec<_> = weekly.after(utc("2026-10-20T00:00:00Z")).take(2).collect();
        assert_eq!(october, [utc("2026-10-20T08:00:00Z"), utc("2026-10-27T09:00:00Z")]);
        for at in march.iter().chain(&october) {
            assert_eq!(
                at.with_timezone(&chrono_tz::Europe::Berlin).format("%H:%M").to_string(),
                "10:00"
            );
        }
    }

    #[test]
    fn an_istanbul_meeting_has_no_dst_to_cross() {
        let weekly = Recurrence::new("0 10 * * TUE", chrono_tz::Europe::Istanbul).unwrap();
        let times: Vec<_> = weekly.after(utc("2026-03-20T00:00:00Z")).take(2).collect();
        assert_eq!(times, [utc("2026-03-24T07:00:00Z"), utc("2026-03-31T07:00:00Z")]);
        let times: Vec<_> = weekly.after(utc("2026-10-20T00:00:00Z")).take(2).collect();
        assert_eq!(times, [utc("2026-10-20T07:00:00Z"), utc("2026-10-27T07:00:00Z")]);
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_by_the_gap() {
        let berlin = chrono_tz::Europe::Berlin;
        // 02:30 does not exist on 29 March 2026 in Berlin: it is 03:30 CEST, 01:30 UTC.
        assert_eq!(
            to_utc(local((2026, 3, 29), (2, 30)), berlin),
            utc("2026-03-29T01:30:00Z")
        );
        let daily = Recurrence::new("30 2 * * *", berlin).unwrap();
        let times: Vec<_> = daily.after(utc("2026-03-27T12:00:00Z")).take(3).collect();
        assert_eq!(
            times,
            [
                utc("2026-03-28T01:30:00Z"),
                utc("2026-03-29T01:30:00Z"),
                utc("2026-03-30T00:30:00Z")
            ]
        );
    }

    #[test]
    fn a_time_in_the_repeated_autumn_hour_happens_once_the_first_time() {
        let berlin = chrono_tz::Europe::Berlin;
        // 02:30 happens twice on 25 October 2026: first at 00:30 UTC (CEST), then 01:30 UTC.
        assert_eq!(
            to_utc(local((2026, 10, 25), (2, 30)), berlin),
            utc("2026-10-25T00:30:00Z")
        );
        let daily = Recurrence::new("30 2 * * *", berlin).unwrap();
        let times: Vec<_> = daily.after(utc("2026-10-24T12:00:00Z")).take(2).collect();
        assert_eq!(times, [utc("2026-10-25T00:30:00Z"), utc("2026-10-26T01:30:00Z")]);
        // Every quarter hour through the night: the repeated hour's times come once.
        let quarterly = Recurrence::new("*/15 * * * *", berlin).unwrap();
        let night: Vec<_> = quarterly
            .after(utc("2026-10-24T23:50:00Z"))
            .take_while(|at| *at < utc("2026-10-25T02:10:00Z"))
            .collect();
        let mut sorted = night.clone();
        sorted.dedup();
        assert_eq!(night, sorted, "no time twice");
        assert!(night.windows(2).all(|w| w[0] < w[1]), "in order: {night:?}");
    }

    #[test]
    fn impossible_rules_are_refused_plainly() {
        let error = Recurrence::new("0 10 30 2 *", chrono_tz::Europe::Berlin).unwrap_err();
        assert!(error.contains("never fires"), "{error}");
        let error = Recurrence::new("0 25 * * *", chrono_tz::Europe::Berlin).unwrap_err();
        assert!(error.contains("invalid cron rule"), "{error}");
        assert!(Recurrence::new("every tuesday", chrono_tz::Europe::Berlin).is_err());
    }
}
