//! What is wrong with a command as typed, said in the reader's language: clap reads the
//! words, and its error (the kind and the context it names) is rendered here from the
//! catalogue, with the usage line of the command meant and a pointer to `help`. clap's own
//! texts are English only.

use clap::CommandFactory;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::{Line, help_hint};
use crate::i18n::{self, Lang};
use crate::t;

/// A command written wrong: what was wrong, and how the command meant is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    mistake: Mistake,
    /// The command meant, by its names (`["meeting", "add"]`); empty if none was recognised.
    path: Vec<String>,
    /// The words came from a Discord slash command: the usage and `help` are shown that way.
    slash: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mistake {
    UnclosedQuote,
    NotMagnet(String),
    UnknownCommand {
        word: String,
        suggested: Option<String>,
    },
    UnknownOption {
        option: String,
    },
    InvalidValue {
        value: String,
        argument: String,
        valid: Vec<String>,
    },
    BadValue {
        value: String,
        argument: String,
    },
    Missing {
        arguments: Vec<String>,
    },
    MissingCommand {
        commands: Vec<String>,
    },
    /// Any other mistake, in clap's (English) words.
    Other(String),
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for UsageError {}

impl UsageError {
    pub(super) fn unclosed_quote() -> UsageError {
        UsageError {
            mistake: Mistake::UnclosedQuote,
            path: Vec::new(),
            slash: false,
        }
    }

    pub(super) fn not_magnet(path: &[String]) -> UsageError {
        UsageError {
            mistake: Mistake::NotMagnet(path.join(" ")),
            path: Vec::new(),
            slash: true,
        }
    }

    /// What clap found wrong with `words`.
    pub(super) fn from_clap(error: &clap::Error, words: &[String], slash: bool) -> UsageError {
        let text = |kind| match error.get(kind) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(s)) => s.first().cloned(),
            Some(other) => Some(other.to_string()),
            None => None,
        };
        let list = |kind| match error.get(kind) {
            Some(ContextValue::Strings(s)) => s.clone(),
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(other) => vec![other.to_string()],
            None => Vec::new(),
        };
        let path = command_path(words);
        let mistake = match error.kind() {
            ErrorKind::InvalidSubcommand => Mistake::UnknownCommand {
                word: text(ContextKind::InvalidSubcommand).unwrap_or_default(),
                suggested: text(ContextKind::SuggestedSubcommand),
            },
            ErrorKind::UnknownArgument => Mistake::UnknownOption {
                option: text(ContextKind::InvalidArg).unwrap_or_default(),
            },
            ErrorKind::InvalidValue => Mistake::InvalidValue {
                value: text(ContextKind::InvalidValue).unwrap_or_default(),
                argument: text(ContextKind::InvalidArg).unwrap_or_default(),
                valid: list(ContextKind::ValidValue),
            },
            ErrorKind::ValueValidation => Mistake::BadValue {
                value: text(ContextKind::InvalidValue).unwrap_or_default(),
                argument: text(ContextKind::InvalidArg).unwrap_or_default(),
            },
            ErrorKind::MissingRequiredArgument => Mistake::Missing {
                arguments: list(ContextKind::InvalidArg),
            },
            ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                Mistake::MissingCommand {
                    commands: subcommands_of(&path),
                }
            }
            _ => {
                let rendered = error.render().to_string();
                let first = rendered.lines().next().unwrap_or_default();
                Mistake::Other(first.trim_start_matches("error: ").to_string())
            }
        };
        UsageError { mistake, path, slash }
    }

    /// The whole answer in `lang`: what was wrong, how the command is written, where help is.
    pub fn render(&self, lang: Lang) -> String {
        let mut lines = vec![self.mistake_text(lang)];
        if let Some(usage) = usage_line(&self.path, self.slash, lang) {
            lines.push(t!(lang, "usage-line", usage = usage));
        }
        lines.push(help_hint(self.slash, lang));
        lines.join("\n")
    }

    fn mistake_text(&self, lang: Lang) -> String {
        match &self.mistake {
            Mistake::UnclosedQuote => t!(lang, "usage-unclosed-quote"),
            Mistake::NotMagnet(path) => t!(lang, "usage-not-magnet", path = path.as_str()),
            Mistake::UnknownCommand { word, suggested } => {
                let mut text = t!(lang, "usage-unknown-command", word = word.as_str());
                if let Some(suggested) = suggested {
                    text.push(' ');
                    text.push_str(&t!(lang, "usage-did-you-mean", suggestion = suggested.as_str()));
                }
                text
            }
            Mistake::UnknownOption { option } => t!(lang, "usage-unknown-option", option = option.as_str()),
            Mistake::InvalidValue { value, argument, valid } => {
                let valid: Vec<String> = valid
                    .iter()
                    .map(|v| crate::schedule::render::answer_word(v, lang))
                    .collect();
                t!(
                    lang,
                    "usage-invalid-value",
                    value = value.as_str(),
                    argument = argument_name(argument, lang),
                    valid = valid.join(", ")
                )
            }
            Mistake::BadValue { value, argument } => t!(
                lang,
                "usage-bad-value",
                value = value.as_str(),
                argument = argument_name(argument, lang)
            ),
            Mistake::Missing { arguments } => {
                let names: Vec<String> = arguments.iter().map(|a| argument_name(a, lang)).collect();
                t!(lang, "usage-missing", arguments = names.join(", "))
            }
            Mistake::MissingCommand { commands } => {
                t!(lang, "usage-missing-command", commands = commands.join(", "))
            }
            Mistake::Other(text) => t!(lang, "usage-other", text = text.as_str()),
        }
    }
}

/// The command the words mean, by canonical names, as far as they name one (an alias
/// counts: `toplantı ekle` is `meeting add`).
fn command_path(words: &[String]) -> Vec<String> {
    let mut node = Line::command();
    let mut path = Vec::new();
    for word in words {
        let Some(found) = node.find_subcommand(word).cloned() else {
            break;
        };
        path.push(found.get_name().to_string());
        node = found;
    }
    path
}

fn find(path: &[String]) -> Option<clap::Command> {
    let mut node = Line::command();
    for name in path {
        node = node.find_subcommand(name)?.clone();
    }
    Some(node)
}

fn subcommands_of(path: &[String]) -> Vec<String> {
    find(path)
        .map(|node| {
            node.get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// An argument as clap names it (`<MEETING>`, `--on <ON>`) in `lang`: `<toplantı>`, `--on`.
fn argument_name(clap_name: &str, lang: Lang) -> String {
    if let Some(flag) = clap_name.strip_prefix("--") {
        return format!("--{}", flag.split([' ', '=']).next().unwrap_or_default());
    }
    let id = clap_name.trim_matches(['<', '>', '[', ']', '.']).to_lowercase();
    match i18n::has_message(lang, &format!("arg-{id}")) {
        true => format!("<{}>", i18n::text(lang, &format!("arg-{id}"), None)),
        false => clap_name.to_string(),
    }
}

/// `!magnet meeting cancel <meeting> [options]` for the command at `path`, in `lang`.
pub(super) fn usage_line(path: &[String], slash: bool, lang: Lang) -> Option<String> {
    // A hidden command (a button's) is not typed: no usage to show.
    let command = find(path).filter(|c| !path.is_empty() && !c.is_hide_set())?;
    let mut words = vec![format!("{} {}", super::invocation(slash), path.join(" "))];
    if command.get_subcommands().any(|s| !s.is_hide_set()) {
        words.push("…".into());
    }
    for argument in command.get_arguments().filter(|a| a.is_positional()) {
        let name = i18n::text(lang, &format!("arg-{}", argument.get_id().as_str()), None);
        words.push(if argument.is_required_set() {
            format!("<{name}>")
        } else {
            format!("[{name}]")
        });
    }
    if command.get_arguments().any(|a| !a.is_positional()) {
        words.push(format!("[{}]", t!(lang, "help-options")));
    }
    Some(words.join(" "))
}
