//! Meeting summaries, their decisions and action items, and `search`: the network's memory
//! of what was decided.
//!
//! - [`body`]: a summary as typed (text, `Decision:` and `Action:` lines).
//! - [`commands`]: `summary add|list|show|edit|withdraw|approve`, `action done|drop`,
//!   `actions`, `search`.
//! - [`render`]: what the rooms are shown, in their language.

pub mod body;
pub mod commands;
pub mod render;
