//! Message text across the bridge: Discord markdown to Matrix HTML and plain text, Matrix
//! HTML (or plain text) to Discord markdown, escaping, ping defusing and splitting long
//! messages to a platform's size limit.
//!
//! Everything here is a pure function of its input. The parsing is done by crates
//! (pulldown-cmark for Discord markdown, html5ever through htmd for Matrix HTML, ammonia
//! for sanitising); the small passes of our own cover where Discord's dialect differs from
//! CommonMark and where text has to be made inert for Discord.
//!
//! - [`discord_to_matrix_html`], [`discord_to_matrix_plain`]: what a Discord user typed, as
//!   a Matrix `formatted_body` and `body`.
//! - [`matrix_to_discord`]: a Matrix message as Discord markdown.
//! - [`escape_discord`]: plain text made to show literally on Discord.
//! - [`defuse_matrix_room_ping`]: `@room` made harmless in text going to Matrix.
//! - [`split`]: a long message cut into parts a platform accepts.
//! - [`clean_name`], [`marked_name`]: a person's name made safe to show, with its platform.

mod discord;
mod discord_blocks;
mod discord_tokens;
mod escape;
mod matrix;
mod matrix_handlers;
mod names;
mod placeholders;
mod reply;
mod sanitize;
mod split;
mod timestamp;
mod url;

#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod properties;

pub use discord::{discord_to_matrix_html, discord_to_matrix_plain};
pub use discord_tokens::DiscordMention;
pub use escape::{defuse_matrix_room_ping, escape_discord};
pub use matrix::matrix_to_discord;
pub use names::{clean_name, marked_name};
pub use split::split;
