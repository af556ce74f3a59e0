//! magnet: one bot process for a multi-stakeholder network on Matrix and Discord.
//!
//! The map of the components (see `shared/DESIGN.md` for the whole target):
//! - [`bridge`]: what happens to an event seen in a pillar's room.
//! - [`command`]: the chat command language, on both platforms.
//! - [`config`]: the TOML file and secrets, validated with file, line and key.
//! - [`store`]: the one storage API, on SQLite (embedded) or PostgreSQL (shared).
//! - [`http`]: the health endpoint.
//! - [`i18n`]: every word the bot says, in English and Turkish.
//! - [`runtime`]: what `magnet run` starts and how it stops.
//! - [`schedule`]: meetings, recurrence across time zones and DST, reminders exactly once.
//! - [`survey`]: surveys on both platforms, one answer per person, one merged result.
//! - [`fault`]: crash points the crash tests abort at.
//!
//! The chat platforms are reached only through the port in the `magnet-chat` crate; the
//! core never imports matrix-sdk or serenity.

pub mod bridge;
pub mod command;
pub mod config;
pub mod fault;
pub mod http;
pub mod i18n;
pub mod report;
pub mod runtime;
pub mod schedule;
pub mod store;
pub mod summary;
pub mod survey;
