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
    /// A form shown at once when the command is run (for what does not fit a one-line
    /// option, such as a survey's questions); what is written there comes back as options.
    #[serde(default)]
    pub form: Option<CommandForm>,
}

/// The form a command opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandForm {
    /// An option that, given, makes the form unneeded (a one-question survey).
    pub unless: Option<String>,
    pub title: String,
    pub fields: Vec<FormField>,
    /// By locale: the title, then each field's label and placeholder, in order.
    #[serde(default)]
    pub localized: BTreeMap<String, FormText>,
}

/// A text field of a command's form; its value comes back as the option `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub id: String,
    pub label: String,
    pub placeholder: Option<String>,
    /// Several lines.
    pub paragraph: bool,
    pub required: bool,
    pub max_length: u16,
}

/// A form's words in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormText {
    pub title: String,
    /// Per field, in order: its label and placeholder.
    pub fields: Vec<(String, Option<String>)>,
}

impl CommandForm {
    /// The title and fields as a client in `locale` is shown them.
    pub fn in_locale(&self, locale: Option<&str>) -> (String, Vec<FormField>) {
        let language = locale.and_then(|l| l.split(['-', '_']).next()).unwrap_or_default();
        match self.localized.get(&language.to_ascii_lowercase()) {
            Some(text) => (
                text.title.clone(),
                self.fields
                    .iter()
                    .zip(&text.fields)
                    .map(|(field, (label, placeholder))| FormField {
                        label: label.clone(),
                        placeholder: placeholder.clone(),
                        ..field.clone()
                    })
                    .collect(),
            ),
            None => (self.title.clone(), self.fields.clone()),
        }
    }
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
