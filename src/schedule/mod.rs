//! Meetings and reminders (issue #6, in progress). So far: [`recurrence`], when a meeting's
//! occurrences fall, evaluated on the wall clock of the meeting's time zone.

pub mod recurrence;
