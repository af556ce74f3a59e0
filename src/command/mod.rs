//! The chat command language: one grammar for both platforms. On Matrix (and as text on
//! Discord) people type `!magnet <command> [arguments]`; on Discord they also use the slash
//! command `/magnet <command>`, whose options map onto the same arguments. Both produce one
//! [`Command`]; a mistake produces a [`UsageError`] that says what was wrong and how the
//! command is written.
//!
//! The grammar is clap's, so the usage text, the suggestions for misspelt commands and the
//! Discord slash command definitions all come from the one declaration below.

mod run;

use clap::{CommandFactory, Parser, Subcommand};
use magnet_chat::{CommandOption, CommandSpec};

pub use run::{CommandContext, Invoker, execute};

/// What a command line starts with on Matrix (and in Discord text).
pub const PREFIX: &str = "!magnet";
/// The Discord slash command all commands live under.
pub const SLASH_NAME: &str = "magnet";

#[derive(Debug, Parser)]
#[command(
    name = PREFIX,
    no_binary_name = true,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    disable_colored_help = true,
    help_template = "{usage}"
)]
struct Line {
    #[command(subcommand)]
    command: Command,
}

/// Everything the bot can be asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// List the commands you may run.
    Help,
    /// Show the bridge's state: rooms, pending and failed deliveries per pillar.
    Status {
        /// Only this pillar (its id, e.g. authorities).
        pillar: Option<String>,
    },
    /// List deliveries the bridge gave up on (secretariat).
    DeadLetters {
        /// Only this pillar.
        pillar: Option<String>,
    },
    /// Send a dead-lettered delivery again (secretariat).
    Retry {
        /// The delivery's number, from dead-letters.
        delivery: i64,
    },
}

impl Command {
    /// Whether only the secretariat may run it: everything that changes something, and
    /// what shows another pillar's failures.
    pub fn needs_secretariat(&self) -> bool {
        matches!(self, Command::DeadLetters { .. } | Command::Retry { .. })
    }

    /// The command's name as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Help => "help",
            Command::Status { .. } => "status",
            Command::DeadLetters { .. } => "dead-letters",
            Command::Retry { .. } => "retry",
        }
    }
}

/// A command written wrong: what was wrong, and how it is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Reads a chat message as a command. `None` if it is not one (it does not start with
/// `!magnet`): then it is an ordinary message for the bridge.
pub fn parse_text(text: &str) -> Option<Result<Command, UsageError>> {
    let rest = text.trim_start().strip_prefix(PREFIX)?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        // `!magnetic` is a word, not a command.
        return None;
    }
    let Some(words) = shlex::split(rest) else {
        return Some(Err(UsageError(
            "a quote is not closed. Put text with spaces in \"double quotes\".".into(),
        )));
    };
    if words.is_empty() {
        return Some(Ok(Command::Help));
    }
    Some(parse_words(words))
}

/// Reads a Discord slash command: `path` is `["magnet", sub-command…]`, `options` the
/// values given by name. They become the same words a text command would have.
pub fn parse_slash(path: &[String], options: &[(String, String)]) -> Result<Command, UsageError> {
    let Some((root, subcommands)) = path.split_first().filter(|(root, _)| *root == SLASH_NAME) else {
        return Err(UsageError(format!("/{} is not a magnet command", path.join(" "))));
    };
    let _ = root;
    let mut words: Vec<String> = subcommands.to_vec();
    let mut node = Line::command();
    for sub in subcommands {
        match node.find_subcommand(sub) {
            Some(found) => node = found.clone(),
            None => return parse_words(words),
        }
    }
    // Options in declared order: positional ones by position, others by flag.
    for argument in node.get_arguments() {
        let id = argument.get_id().as_str();
        let Some((_, value)) = options.iter().find(|(name, _)| name == id) else {
            continue;
        };
        if argument.is_positional() {
            words.push(value.clone());
        } else {
            words.push(format!("--{id}"));
            words.push(value.clone());
        }
    }
    parse_words(words)
}

fn parse_words(words: Vec<String>) -> Result<Command, UsageError> {
    let subcommand = words.first().cloned();
    Line::try_parse_from(words)
        .map(|line| line.command)
        .map_err(|error| UsageError(usage_message(&error, subcommand.as_deref())))
}

/// clap's message, reworded for chat: no terminal hints, the usage of the command meant
/// (clap leaves it out of some errors), and a pointer to `help`.
fn usage_message(error: &clap::Error, subcommand: Option<&str>) -> String {
    let rendered = error.render().to_string();
    let mut lines: Vec<&str> = rendered
        .lines()
        .filter(|line| !line.contains("--help") && !line.trim().is_empty())
        .collect();
    if let Some(first) = lines.first_mut() {
        *first = first.trim_start_matches("error: ");
    }
    let mut message = lines.join("\n");
    if !message.contains("Usage:") {
        let mut line = Line::command();
        line.build();
        if let Some(sub) = subcommand.and_then(|name| line.find_subcommand_mut(name)) {
            message.push_str(&format!("\n{}", sub.render_usage()));
        }
    }
    message.push_str(&format!("\nSend `{PREFIX} help` to see the commands you may run."));
    message
}

/// One line of help per command the invoker may run.
pub fn help_lines(secretariat: bool, slash: bool) -> Vec<String> {
    let line = Line::command();
    line.get_subcommands()
        .filter(|sub| secretariat || !sub.get_about().is_some_and(|a| a.to_string().contains("(secretariat)")))
        .map(|sub| {
            let arguments: Vec<String> = sub
                .get_arguments()
                .map(|a| {
                    let name = a.get_id().as_str().to_string();
                    if a.is_required_set() {
                        format!("<{name}>")
                    } else {
                        format!("[{name}]")
                    }
                })
                .collect();
            let head = if slash {
                format!("/{SLASH_NAME} {}", sub.get_name())
            } else {
                format!("{PREFIX} {}", sub.get_name())
            };
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            format!(
                "`{}` — {about}",
                [head].into_iter().chain(arguments).collect::<Vec<_>>().join(" ")
            )
        })
        .collect()
}

/// The slash commands to register on Discord, from the same declaration.
pub fn slash_commands() -> Vec<CommandSpec> {
    let line = Line::command();
    let subcommands = line
        .get_subcommands()
        .map(|sub| CommandSpec {
            name: sub.get_name().to_string(),
            description: sub
                .get_about()
                .map(|a| a.to_string().trim_end_matches('.').to_string())
                .unwrap_or_else(|| sub.get_name().to_string()),
            options: sub
                .get_arguments()
                .map(|a| CommandOption {
                    name: a.get_id().as_str().to_string(),
                    description: a
                        .get_help()
                        .map(|h| h.to_string().trim_end_matches('.').to_string())
                        .unwrap_or_else(|| a.get_id().to_string()),
                    required: a.is_required_set(),
                    choices: Vec::new(),
                })
                .collect(),
            subcommands: Vec::new(),
        })
        .collect();
    vec![CommandSpec {
        name: SLASH_NAME.into(),
        description: "The MAGNET bot".into(),
        options: Vec::new(),
        subcommands,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(path: &[&str]) -> Vec<String> {
        path.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn text_commands_parse() {
        assert_eq!(parse_text("!magnet help"), Some(Ok(Command::Help)));
        assert_eq!(parse_text("  !magnet"), Some(Ok(Command::Help)));
        assert_eq!(
            parse_text("!magnet status authorities"),
            Some(Ok(Command::Status {
                pillar: Some("authorities".into())
            }))
        );
        assert_eq!(
            parse_text("!magnet retry 12"),
            Some(Ok(Command::Retry { delivery: 12 }))
        );
        assert_eq!(parse_text("hello !magnet help"), None, "only at the start");
        assert_eq!(parse_text("!magnetic personality"), None);
    }

    #[test]
    fn mistakes_say_what_was_wrong_and_how_it_is_written() {
        let Some(Err(UsageError(message))) = parse_text("!magnet retry twelve") else {
            panic!()
        };
        assert!(message.contains("twelve"), "{message}");
        assert!(message.contains("Usage: !magnet retry <DELIVERY>"), "{message}");
        assert!(message.contains("!magnet help"), "{message}");
        let Some(Err(UsageError(message))) = parse_text("!magnet stauts") else {
            panic!()
        };
        assert!(
            message.contains("stauts") && message.contains("status"),
            "a suggestion: {message}"
        );
        let Some(Err(UsageError(message))) = parse_text("!magnet retry") else {
            panic!()
        };
        assert!(message.contains("<DELIVERY>"), "{message}");
        assert!(matches!(parse_text("!magnet status \"open"), Some(Err(_))));
    }

    #[test]
    fn slash_commands_map_to_the_same_commands() {
        assert_eq!(parse_slash(&words(&["magnet", "help"]), &[]), Ok(Command::Help));
        assert_eq!(
            parse_slash(&words(&["magnet", "retry"]), &[("delivery".into(), "7".into())]),
            Ok(Command::Retry { delivery: 7 })
        );
        assert_eq!(
            parse_slash(
                &words(&["magnet", "status"]),
                &[("pillar".into(), "civil-society".into())]
            ),
            Ok(Command::Status {
                pillar: Some("civil-society".into())
            })
        );
        assert!(parse_slash(&words(&["other", "help"]), &[]).is_err());
        let specs = slash_commands();
        let names: Vec<&str> = specs[0].subcommands.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["help", "status", "dead-letters", "retry"]);
        let retry = &specs[0].subcommands[3];
        assert_eq!(
            (retry.options[0].name.as_str(), retry.options[0].required),
            ("delivery", true)
        );
    }

    #[test]
    fn help_lists_what_the_invoker_may_run() {
        let everyone = help_lines(false, false).join("\n");
        assert!(everyone.contains("`!magnet status [pillar]`"), "{everyone}");
        assert!(!everyone.contains("retry"), "{everyone}");
        let secretariat = help_lines(true, true).join("\n");
        assert!(secretariat.contains("`/magnet retry <delivery>`"), "{secretariat}");
    }

    proptest! {
        #[test]
        fn any_text_is_a_command_an_error_or_not_a_command(text in "\\PC{0,80}") {
            let _ = parse_text(&text);
            let _ = parse_text(&format!("!magnet {text}"));
        }

        #[test]
        fn retry_takes_any_number(n in any::<i64>()) {
            prop_assert_eq!(parse_text(&format!("!magnet retry -- {n}")), Some(Ok(Command::Retry { delivery: n })));
        }
    }
}
