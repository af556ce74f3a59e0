//! The period a report covers: whole days on the report's clock, from the first to the
//! last (inclusive). The last month by default; the period before a scheduled run's time
//! for a scheduled report.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::store::Span;

/// The longest period a report may cover.
pub const MAX_YEARS: i32 = 5;

/// Days `from..=to` on `zone`'s clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub zone: Tz,
}

/// What is wrong with the dates given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mistake {
    BadDate(String),
    FromAfterTo { from: NaiveDate, to: NaiveDate },
    TooLong,
}

impl Period {
    /// The calendar month before the one `now` is in.
    pub fn last_month(now: DateTime<Utc>, zone: Tz) -> Period {
        let today = now.with_timezone(&zone).date_naive();
        let first_of_this = today.with_day(1).expect("every month has a first day");
        let from = first_of_this - Months::new(1);
        let to = first_of_this - Days::new(1);
        Period { from, to, zone }
    }

    /// The period typed (`--from`, `--to`, as YYYY-MM-DD); either alone: from it to today,
    /// or from the start of its month; neither: the last month.
    pub fn typed(from: Option<&str>, to: Option<&str>, now: DateTime<Utc>, zone: Tz) -> Result<Period, Mistake> {
        let date = |text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Mistake::BadDate(text.trim().to_string()))
        };
        let today = now.with_timezone(&zone).date_naive();
        let (from, to) = match (from.map(date).transpose()?, to.map(date).transpose()?) {
            (None, None) => return Ok(Period::last_month(now, zone)),
            (Some(from), None) => (from, today),
            (None, Some(to)) => (to.with_day(1).expect("a first day"), to),
            (Some(from), Some(to)) => (from, to),
        };
        if from > to {
            return Err(Mistake::FromAfterTo { from, to });
        }
        if from
            .checked_add_months(Months::new(12 * MAX_YEARS as u32))
            .is_none_or(|limit| to >= limit)
        {
            return Err(Mistake::TooLong);
        }
        Ok(Period { from, to, zone })
    }

    /// The period of the scheduled report due by `now`: from the run before the latest
    /// run time to the day before the latest. `None` if the schedule has not run twice.
    pub fn scheduled(schedule: &cron::Schedule, zone: Tz, now: DateTime<Utc>) -> Option<(Period, DateTime<Utc>)> {
        let local_now = now.with_timezone(&zone);
        let mut earlier = schedule.after(&local_now).rev();
        let latest = earlier.next()?;
        let before = earlier.next()?;
        let from = before.date_naive();
        let to = latest.date_naive().pred_opt()?;
        (from <= to).then_some((Period { from, to, zone }, latest.with_timezone(&Utc)))
    }

    /// The period as stored: `[first day 00:00, day after the last 00:00)` on its clock.
    pub fn span(&self) -> Span {
        Span {
            from: midnight(self.from, self.zone),
            to: midnight(self.to + Days::new(1), self.zone),
        }
    }

    /// When each day after the first begins (epoch ms, on its clock).
    pub fn day_starts(&self) -> Vec<i64> {
        (1..self.days())
            .map(|n| midnight(self.from + Days::new(n as u64), self.zone))
            .collect()
    }

    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// `2026-11-01_2026-11-30`: for file and folder names.
    pub fn slug(&self) -> String {
        format!("{}_{}", self.from.format("%Y-%m-%d"), self.to.format("%Y-%m-%d"))
    }
}

/// The first instant of a day on a clock (the gap's end where midnight does not exist).
fn midnight(day: NaiveDate, zone: Tz) -> i64 {
    let start = day.and_hms_opt(0, 0, 0).expect("midnight");
    zone.from_local_datetime(&start)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(start + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|at| at.timestamp_millis())
        .unwrap_or_else(|| start.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_is_the_last_calendar_month_on_the_reports_clock() {
        let zone = chrono_tz::Europe::Istanbul;
        // 1 March 01:00 in Istanbul is still February in UTC.
        let period = Period::last_month(at("2026-02-28T22:30:00Z"), zone);
        assert_eq!((period.from, period.to), (day("2026-02-01"), day("2026-02-28")));
        assert_eq!(period.days(), 28);
        let span = period.span();
        assert_eq!(span.from, at("2026-01-31T21:00:00Z").timestamp_millis());
        assert_eq!(span.to, at("2026-02-28T21:00:00Z").timestamp_millis());
    }

    #[test]
    fn days_follow_the_clock_across_a_change() {
        let zone = chrono_tz::Europe::Berlin;
        let period = Period::typed(Some("2026-10-01"), Some("2026-10-31"), at("2026-11-05T00:00:00Z"), zone).unwrap();
        let starts = period.day_starts();
        assert_eq!(starts.len(), 30);
        // 25 October is 25 hours long in Berlin.
        assert_eq!(starts[23], at("2026-10-24T22:00:00Z").timestamp_millis());
        assert_eq!(starts[24], at("2026-10-25T23:00:00Z").timestamp_millis());
        assert_eq!(period.span().to, at("2026-10-31T23:00:00Z").timestamp_millis());
    }

    #[test]
    fn typed_periods_are_checked() {
        let zone = chrono_tz::UTC;
        let now = at("2026-12-01T10:00:00Z");
        assert_eq!(
            Period::typed(Some("2026-11-30"), Some("2026-11-01"), now, zone),
            Err(Mistake::FromAfterTo {
                from: day("2026-11-30"),
                to: day("2026-11-01")
            })
        );
        assert_eq!(
            Period::typed(Some("2026-02-30"), None, now, zone),
            Err(Mistake::BadDate("2026-02-30".into()))
        );
        assert_eq!(
            Period::typed(Some("2020-01-01"), Some("2025-01-01"), now, zone),
            Err(Mistake::TooLong)
        );
        assert!(Period::typed(Some("2020-01-02"), Some("2025-01-01"), now, zone).is_ok());
        let only_to = Period::typed(None, Some("2026-10-15"), now, zone).unwrap();
        assert_eq!((only_to.from, only_to.to), (day("2026-10-01"), day("2026-10-15")));
    }

    #[test]
    fn a_scheduled_report_covers_the_time_since_the_run_before() {
        let schedule = cron::Schedule::from_str("0 0 8 1 * *").unwrap();
        let zone = chrono_tz::Europe::Istanbul;
        let (period, due) = Period::scheduled(&schedule, zone, at("2026-12-15T12:00:00Z")).unwrap();
        assert_eq!((period.from, period.to), (day("2026-11-01"), day("2026-11-30")));
        assert_eq!(due, at("2026-12-01T05:00:00Z"));
    }
}
