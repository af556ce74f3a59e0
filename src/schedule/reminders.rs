//! When a meeting's reminders fall due, and what happens to one the bot could not send in
//! time (it was down): the lateness policy. Pure functions; the claim loop and the store
//! build on them.

use chrono::{DateTime, Duration, Utc};

/// One reminder of one occurrence: how long before the start, and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub offset: Duration,
    pub at: DateTime<Utc>,
}

/// The reminders of an occurrence starting at `starts`, earliest first, one per distinct
/// offset (a zero or negative offset is not a reminder).
pub fn reminders_for(starts: DateTime<Utc>, offsets: &[Duration]) -> Vec<Due> {
    let mut offsets: Vec<Duration> = offsets.iter().copied().filter(|o| *o > Duration::zero()).collect();
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    offsets.dedup();
    offsets
        .into_iter()
        .map(|offset| Due {
            offset,
            at: starts - offset,
        })
        .collect()
}

/// How late a reminder may still go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatenessPolicy {
    /// Within this of its due time a reminder counts as on time.
    pub grace: Duration,
    /// Later than this it is recorded as missed instead of sent (and listed in the report);
    /// in between it is sent, marked as late.
    pub limit: Duration,
}

impl Default for LatenessPolicy {
    fn default() -> Self {
        LatenessPolicy {
            grace: Duration::seconds(60),
            limit: Duration::hours(2),
        }
    }
}

/// What to do with a reminder at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not due yet.
    Wait,
    /// Send it; `late` says it is past its time (the message says so).
    Send { late: bool },
    /// Too late, or the meeting has begun: record it as missed, do not send.
    Missed,
}

impl LatenessPolicy {
    pub fn verdict(&self, due: &Due, starts: DateTime<Utc>, now: DateTime<Utc>) -> Verdict {
        if now < due.at {
            return Verdict::Wait;
        }
        // A reminder once the meeting has started reminds nobody of anything.
        if now >= starts {
            return Verdict::Missed;
        }
        let behind = now - due.at;
        if behind <= self.grace {
            Verdict::Send { late: false }
        } else if behind <= self.limit {
            Verdict::Send { late: true }
        } else {
            Verdict::Missed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn reminders_come_earliest_first_once_per_offset() {
        let starts = utc("2026-12-01T10:00:00Z");
        let due = reminders_for(
            starts,
            &[
                Duration::hours(1),
                Duration::hours(24),
                Duration::hours(1),
                Duration::zero(),
            ],
        );
        assert_eq!(
            due,
            [
                Due {
                    offset: Duration::hours(24),
                    at: utc("2026-11-30T10:00:00Z")
                },
                Due {
                    offset: Duration::hours(1),
                    at: utc("2026-12-01T09:00:00Z")
                },
            ]
        );
    }

    #[test]
    fn the_lateness_policy_sends_on_time_late_or_not_at_all() {
        let policy = LatenessPolicy::default();
        let starts = utc("2026-12-01T10:00:00Z");
        let day_before = reminders_for(starts, &[Duration::hours(24)])[0];
        let at = |text| policy.verdict(&day_before, starts, utc(text));
        assert_eq!(at("2026-11-30T09:59:59Z"), Verdict::Wait);
        assert_eq!(at("2026-11-30T10:00:30Z"), Verdict::Send { late: false });
        assert_eq!(at("2026-11-30T11:30:00Z"), Verdict::Send { late: true });
        assert_eq!(at("2026-11-30T12:00:01Z"), Verdict::Missed, "over the limit");
        let hour_before = reminders_for(starts, &[Duration::hours(1)])[0];
        assert_eq!(
            policy.verdict(&hour_before, starts, utc("2026-12-01T09:45:00Z")),
            Verdict::Send { late: true }
        );
        assert_eq!(
            policy.verdict(&hour_before, starts, utc("2026-12-01T10:00:00Z")),
            Verdict::Missed,
            "the meeting has begun"
        );
    }
}
