//! Regular reports from the shared database: what a period brought per pillar (meetings,
//! answers and attendance, reminders, surveys, summaries and decisions, actions, bridge
//! activity and deliveries), as Markdown, one HTML file with charts, and CSV tables.
//!
//! - [`period`]: the days a report covers.
//! - [`figures`]: the figures, from the `report_*` views.
//! - [`render`]: Markdown, chat text, HTML (templates and charts); [`tables`]: CSV.
//! - [`run`]: a report made on demand, or on the schedule once per period.

pub mod figures;
pub mod period;
pub mod render;
pub mod run;
pub mod tables;
