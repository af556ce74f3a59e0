//! Meetings and reminders (issue #6, in progress). So far the pure parts:
//! - [`recurrence`]: when a meeting's occurrences fall, on the wall clock of its time zone;
//! - [`reminders`]: when its reminders are due, and the lateness policy for late ones.

pub mod recurrence;
pub mod reminders;
