//! The interactive side of the port: controls the bot puts under a message (buttons, menus,
//! buttons that ask for a line of text), and the commands it registers with a platform that
//! has them (Discord slash commands).
//!
//! What people do with them comes back as [`crate::EventKind::Command`],
//! [`crate::EventKind::ControlUsed`] and [`crate::EventKind::FormSubmitted`], each with an
//! opaque interaction handle the core answers through [`crate::OutboundAction::Respond`].
//! Platforms without such controls (Matrix) show the message's text only; the core writes
//! a text fallback (a command to type) into it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One control under a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Control {
    Button(Button),
    Menu(Menu),
}

/// A button. `id` comes back in [`crate::EventKind::ControlUsed`] when someone clicks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub id: String,
    pub label: String,
    pub style: ButtonStyle,
    /// Clicking asks for free text first (Discord opens a form titled with the label); the
    /// answer comes back as [`crate::EventKind::FormSubmitted`] with `form` = `id`.
    pub asks_text: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ButtonStyle {
    #[default]
    Primary,
    Secondary,
    Success,
    Danger,
}

/// A drop-down menu: the chosen values come back in [`crate::EventKind::ControlUsed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menu {
    pub id: String,
    pub placeholder: String,
    pub options: Vec<MenuOption>,
    /// How many options one person picks at least and at most.
    pub min: u8,
    pub max: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuOption {
    pub value: String,
    pub label: String,
}

/// A command the bot offers on platforms with native commands: `/name sub option:value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandSpec {
    pub name: String,
    pub description: String,
    pub options: Vec<CommandOption>,
    /// Sub-commands (which may have their own); a command has options or sub-commands.
    pub subcommands: Vec<CommandSpec>,
    /// The name and description shown to people whose client is in another language, by
    /// locale (`tr`). What the platform sends back keeps the default names.
    #[serde(default)]
    pub localized: BTreeMap<String, Localized>,
}

/// A text option of a command; with `choices`, only those values are offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOption {
    pub name: String,
    pub description: String,
    pub required: bool,
    pub choices: Vec<String>,
    /// As [`CommandSpec::localized`].
    #[serde(default)]
    pub localized: BTreeMap<String, Localized>,
    /// How each choice reads in another language, by locale: one name per choice, in order.
    #[serde(default)]
    pub localized_choices: BTreeMap<String, Vec<String>>,
}

/// A command's or option's name and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub name: String,
    pub description: String,
}
