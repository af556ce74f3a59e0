//! Surveys: one question or a few, put to one pillar, several or all, on both platforms at
//! once, answered where people are, counted once per person, closed once, with one merged
//! result.
//! - [`spec`]: what a survey and an answer are, and the checks on both;
//! - [`body`]: reading the questions as people type them;
//! - [`results`]: counting the answers into one result;
//! - [`plan`]: what is posted where: native polls, or the survey's own message;
//! - [`render`]: what the posts, the reminder, the results and the notices say;
//! - [`commands`]: what the survey commands and answers do;
//! - [`export`]: a survey as CSV or JSON for the secretariat's files.

pub mod body;
pub mod commands;
pub mod export;
pub mod plan;
pub mod render;
pub mod results;
pub mod spec;
