//! Meetings and reminders:
//! - [`recurrence`]: when a meeting's occurrences fall, on the wall clock of its time zone;
//! - [`plan`]: how far ahead a series is written out;
//! - [`reminders`]: when reminders are due, and the lateness policy for late ones;
//! - [`scheduler`]: the claim loop that turns due reminders into deliveries, once;
//! - [`meetings`]: what the meeting commands do;
//! - [`render`]: what reminders and notices say;
//! - [`calendar`]: the iCalendar feed of a pillar;
//! - [`when`]: reading the times, zones and durations people type.

pub mod calendar;
pub mod meetings;
pub mod plan;
pub mod recurrence;
pub mod reminders;
pub mod render;
pub mod scheduler;
pub mod when;

pub use scheduler::{Round, Scheduler};
