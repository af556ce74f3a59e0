//! The chat command language: one grammar for both platforms. On Matrix (and as text on
//! Discord) people type `!magnet <command> [arguments]`; on Discord they also use the slash
//! command `/magnet <command>`, whose options map onto the same arguments. Both produce one
//! [`Command`]; a mistake produces a [`UsageError`] that says what was wrong and how the
//! command is written.
//!
//! The grammar is clap's, so the usage text, the suggestions for misspelt commands and the
//! Discord slash command definitions all come from the one declaration below.

mod run;
mod usage;

use clap::{CommandFactory, Parser, Subcommand};
use magnet_chat::{CommandForm, CommandOption, CommandSpec, FormField, FormText, Localized};

use crate::i18n::{self, Lang};
use crate::t;

pub use run::{CommandContext, Invoker, Reply, execute, member_pillars};
pub use usage::UsageError;

/// What a command line starts with on Matrix (and in Discord text).
pub const PREFIX: &str = "!magnet";
/// The Discord slash command all commands live under.
pub const SLASH_NAME: &str = "magnet";

/// How a command is started where it is typed: `/magnet` beside Discord's slash command box,
/// `!magnet` in a message.
pub fn invocation(slash: bool) -> String {
    if slash {
        format!("/{SLASH_NAME}")
    } else {
        PREFIX.to_string()
    }
}

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
    #[command(alias = "yardım", alias = "yardim")]
    Help,
    /// Show the bridge's state: rooms, pending and failed deliveries per pillar.
    #[command(alias = "durum")]
    Status {
        /// Only this pillar (its id, e.g. authorities).
        pillar: Option<String>,
    },
    /// List deliveries the bridge gave up on (secretariat).
    #[command(alias = "iletilemeyenler")]
    DeadLetters {
        /// Only this pillar.
        pillar: Option<String>,
    },
    /// Send failed deliveries again: 12, 12-40, 3,5,7-9, or all [pillar] (secretariat).
    #[command(alias = "yeniden-dene", alias = "tekrar")]
    Retry {
        /// Which: a number from dead-letters, a range, a list, or all.
        which: String,
        /// With all: only this pillar.
        pillar: Option<String>,
    },
    /// Resume deliveries paused after repeated refusals (secretariat).
    #[command(alias = "sürdür", alias = "surdur", alias = "devam")]
    Resume {
        /// Only this pillar's rooms (default: all paused rooms).
        pillar: Option<String>,
    },
    /// Meetings: list, show, add, cancel, move, set reminders.
    #[command(subcommand, alias = "toplantı", alias = "toplanti")]
    Meeting(Box<MeetingCommand>),
    /// Say whether you come to a meeting: yes, maybe or no.
    #[command(alias = "katılım", alias = "katilim")]
    Rsvp {
        /// The meeting's number.
        meeting: i64,
        /// Your answer.
        #[arg(value_enum)]
        answer: Answer,
        /// For a series: the date of the meeting you answer for (default: the next one).
        #[arg(long, alias = "tarih")]
        on: Option<String>,
    },
    /// An RSVP button under a reminder (not typed).
    #[command(hide = true)]
    RsvpButton { occurrence: i64, answer: Answer },
    /// Surveys: start, list, show, results, close, cancel.
    #[command(subcommand, alias = "anket")]
    Survey(Box<SurveyCommand>),
    /// Answer a survey's question: the survey's number, the question's, then your answer.
    #[command(alias = "yanıt", alias = "yanit", alias = "cevap")]
    Answer {
        /// The survey's number.
        survey: i64,
        /// The question's number in the survey.
        question: i64,
        /// A choice's number or words (several with commas), a rating from 1 to 5, or your text.
        #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
        answer: Vec<String>,
    },
    /// Meeting summaries: add, list, show, edit, withdraw, approve.
    #[command(subcommand, alias = "özet", alias = "ozet")]
    Summary(Box<SummaryCommand>),
    /// Action items from the summaries: list, done, drop.
    #[command(subcommand, alias = "eylem")]
    Action(Box<ActionCommand>),
    /// Find summaries, decisions and actions by words in them.
    #[command(alias = "ara")]
    Search {
        /// The words to look for.
        #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
        words: Vec<String>,
    },
    /// Make a report of a period: the last month, or --from and --to (secretariat).
    #[command(alias = "rapor")]
    Report {
        /// Only this pillar (in a pillar's room: that pillar).
        pillar: Option<String>,
        /// The first day, e.g. 2026-11-01.
        #[arg(long, alias = "başlangıç", alias = "baslangic")]
        from: Option<String>,
        /// The last day, e.g. 2026-11-30.
        #[arg(long, alias = "son")]
        to: Option<String>,
    },
    /// Link your Matrix and Discord accounts, to count once: ask for a code with /magnet link on Discord, then send !magnet link CODE on Matrix.
    #[command(alias = "bağla", alias = "bagla")]
    Link {
        /// The code you were given on the other platform.
        code: Option<String>,
    },
    /// Undo the link between your accounts.
    #[command(alias = "ayır", alias = "ayir")]
    Unlink,
    /// An answer given with a survey's menu or form (not typed): the values chosen, or
    /// the text written.
    #[command(hide = true)]
    SurveyControl {
        survey: i64,
        question: i64,
        values: Vec<String>,
        #[arg(long)]
        written: bool,
        /// A vote in one of the survey's native polls.
        #[arg(long)]
        by_poll: bool,
    },
}

/// The summary commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum SummaryCommand {
    /// Post a meeting summary, Decision: and Action: lines under it (secretariat, rapporteurs).
    #[command(alias = "ekle")]
    Add {
        /// The pillar's id, e.g. authorities.
        pillar: String,
        /// The meeting it sums up (default: the pillar's last one held).
        #[arg(long, alias = "toplantı", alias = "toplanti")]
        meeting: Option<i64>,
        /// For a series: the date of the session (default: its last one held).
        #[arg(long, alias = "tarih")]
        on: Option<String>,
        /// The text, with Decision: and Action: lines: what follows the command's first line.
        #[arg(long, hide = true)]
        body: Option<String>,
        /// One decision per line (Discord's form).
        #[arg(long, hide = true)]
        decisions: Option<String>,
        /// One action per line (Discord's form).
        #[arg(long, hide = true)]
        actions: Option<String>,
    },
    /// List the latest summaries.
    #[command(alias = "liste", alias = "listele")]
    List {
        /// Only this pillar.
        pillar: Option<String>,
    },
    /// Show a summary with its decisions and actions.
    #[command(alias = "göster", alias = "goster")]
    Show {
        /// The summary's number.
        summary: i64,
    },
    /// Replace a summary; the earlier version is kept (secretariat, rapporteurs).
    #[command(alias = "düzenle", alias = "duzenle")]
    Edit {
        /// The summary's number.
        summary: i64,
        /// The new text, with Decision: and Action: lines.
        #[arg(long, hide = true)]
        body: Option<String>,
        /// One decision per line (Discord's form).
        #[arg(long, hide = true)]
        decisions: Option<String>,
        /// One action per line (Discord's form).
        #[arg(long, hide = true)]
        actions: Option<String>,
    },
    /// Withdraw a summary; its versions are kept (secretariat).
    #[command(alias = "geri-çek", alias = "geri-cek")]
    Withdraw {
        /// The summary's number.
        summary: i64,
    },
    /// Approve a rapporteur's draft and post it to the pillar's rooms (secretariat).
    #[command(alias = "onayla")]
    Approve {
        /// The summary's number.
        summary: i64,
    },
}

/// The action item commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ActionCommand {
    /// List the open actions, or only the overdue ones.
    #[command(alias = "liste", alias = "listele")]
    List {
        /// Only this pillar.
        pillar: Option<String>,
        /// Only the actions past their due date.
        #[arg(long, alias = "gecikmiş", alias = "gecikmis")]
        overdue: bool,
    },
    /// Mark an action done (its owner or the secretariat).
    #[command(alias = "tamam", alias = "bitti")]
    Done {
        /// The action's number.
        action: i64,
    },
    /// Drop an action that is no longer to be done (its owner or the secretariat).
    #[command(alias = "bırak", alias = "birak")]
    Drop {
        /// The action's number.
        action: i64,
    },
}

/// The survey commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum SurveyCommand {
    /// Start a survey in pillars' rooms; the questions go on the lines under the command (secretariat).
    #[command(alias = "başlat", alias = "baslat")]
    Start {
        /// The pillars' ids, separated by commas, or all.
        pillars: String,
        /// A survey of one question: the question.
        question: Option<String>,
        /// Its choices.
        choices: Vec<String>,
        /// When it closes: a date and time in the pillar's zone, or a span from now (3d, 36h).
        #[arg(long, alias = "kapanış", alias = "kapanis")]
        closes: String,
        /// Its title (default: the first question).
        #[arg(long, alias = "başlık", alias = "baslik")]
        title: Option<String>,
        /// Nobody can see who answered what.
        #[arg(long, alias = "anonim")]
        anonymous: bool,
        /// One reminder this long before the deadline, e.g. 24h.
        #[arg(long, alias = "hatırlatma", alias = "hatirlatma")]
        nudge: Option<String>,
        /// The one question allows up to this many choices.
        #[arg(long, alias = "çoklu", alias = "coklu")]
        multiple: Option<usize>,
        /// The one question is a rating from 1 to 5.
        #[arg(long, alias = "puan")]
        rating: bool,
        /// The one question takes a short text.
        #[arg(long, alias = "metin")]
        text: bool,
        /// The questions, one per line: what follows the command's first line.
        #[arg(long, hide = true)]
        body: Option<String>,
    },
    /// Attach a survey to a meeting: it opens when each of its meetings ends (secretariat).
    #[command(alias = "iliştir", alias = "ilistir")]
    Attach {
        /// The meeting's number.
        meeting: i64,
        /// How long after each meeting it closes, e.g. 2d (default 2d).
        #[arg(long, alias = "kapanış-süresi", alias = "kapanis-suresi")]
        closes_after: Option<String>,
        /// Its title (default: feedback on the meeting).
        #[arg(long, alias = "başlık", alias = "baslik")]
        title: Option<String>,
        /// Nobody can see who answered what.
        #[arg(long, alias = "anonim")]
        anonymous: bool,
        /// One reminder this long before it closes, e.g. 12h.
        #[arg(long, alias = "hatırlatma", alias = "hatirlatma")]
        nudge: Option<String>,
        /// The questions, one per line (default: a rating of the meeting and what to change).
        #[arg(long, hide = true)]
        body: Option<String>,
    },
    /// List the open surveys and the ones closed lately.
    #[command(alias = "liste", alias = "listele")]
    List,
    /// Show a survey: its questions, deadline and answers so far.
    #[command(alias = "göster", alias = "goster")]
    Show {
        /// The survey's number.
        survey: i64,
    },
    /// A survey's results, written answers included (secretariat).
    #[command(alias = "sonuçlar", alias = "sonuclar")]
    Results {
        /// The survey's number.
        survey: i64,
    },
    /// Close a survey now and post its results (secretariat).
    #[command(alias = "kapat")]
    Close {
        /// The survey's number.
        survey: i64,
    },
    /// Cancel a survey: nothing of it is counted (secretariat).
    #[command(alias = "iptal")]
    Cancel {
        /// The survey's number.
        survey: i64,
    },
}

/// The meeting commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum MeetingCommand {
    /// List the meetings to come (this room's pillar, or the one named).
    #[command(alias = "liste", alias = "listele")]
    List {
        /// Only this pillar (the secretariat may name any).
        pillar: Option<String>,
    },
    /// Show a meeting: when, agenda, place, answers so far.
    #[command(alias = "göster", alias = "goster")]
    Show {
        /// The meeting's number.
        meeting: i64,
    },
    /// Add a meeting to a pillar (secretariat).
    #[command(alias = "ekle")]
    Add {
        /// The pillar's id, e.g. authorities.
        pillar: String,
        /// The title, in quotes if it has spaces.
        title: String,
        /// When it starts, e.g. "2026-12-01 10:00" in the pillar's time zone.
        start: String,
        /// The time zone of the start, e.g. Europe/Istanbul (default: the pillar's).
        #[arg(long, alias = "saat-dilimi")]
        zone: Option<String>,
        /// How long it lasts, e.g. 90m (default 60m).
        #[arg(long, alias = "süre", alias = "sure")]
        duration: Option<String>,
        /// The agenda: a link or a short text.
        #[arg(long, alias = "gündem", alias = "gundem")]
        agenda: Option<String>,
        /// Where: an online link or a place.
        #[arg(long, alias = "yer")]
        place: Option<String>,
        /// Repeat by a cron rule in the zone, e.g. "0 10 * * TUE" (Tuesdays 10:00).
        #[arg(long, alias = "her")]
        every: Option<String>,
        /// The last date of a series, e.g. 2027-06-30.
        #[arg(long, alias = "bitiş", alias = "bitis")]
        until: Option<String>,
        /// Reminders before each meeting, e.g. 24h,1h or none (default: the pillar's).
        #[arg(long, alias = "hatırlatmalar", alias = "hatirlatmalar")]
        reminders: Option<String>,
        /// A feedback survey after each meeting, open this long, e.g. 1d (alone: 2d).
        #[arg(long, alias = "anket", num_args = 0..=1, default_missing_value = "")]
        survey: Option<String>,
    },
    /// Cancel a meeting: the whole series, or one date of it (secretariat).
    #[command(alias = "iptal")]
    Cancel {
        /// The meeting's number.
        meeting: i64,
        /// Only the meeting on this date, e.g. 2026-12-08.
        #[arg(long, alias = "tarih")]
        on: Option<String>,
    },
    /// Move a meeting (for a series, the one on a date) to a new start (secretariat).
    #[command(alias = "taşı", alias = "tasi")]
    Move {
        /// The meeting's number.
        meeting: i64,
        /// The new start, e.g. "2026-12-02 11:00".
        start: String,
        /// For a series: the date of the meeting to move (default: the next one).
        #[arg(long, alias = "tarih")]
        on: Option<String>,
        /// The time zone of the new start (default: the meeting's).
        #[arg(long, alias = "saat-dilimi")]
        zone: Option<String>,
    },
    /// Set when a meeting's reminders come, e.g. 24h,1h or none (secretariat).
    #[command(alias = "hatırlatmalar", alias = "hatirlatmalar")]
    Reminders {
        /// The meeting's number.
        meeting: i64,
        /// Offsets before each meeting, e.g. 24h,1h or none.
        offsets: String,
    },
}

/// An answer to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Answer {
    #[value(alias = "evet")]
    Yes,
    #[value(alias = "belki")]
    Maybe,
    #[value(alias = "hayır", alias = "hayir")]
    No,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::Maybe => "maybe",
            Answer::No => "no",
        }
    }

    pub fn parse(text: &str) -> Option<Answer> {
        match text {
            "yes" => Some(Answer::Yes),
            "maybe" => Some(Answer::Maybe),
            "no" => Some(Answer::No),
            _ => None,
        }
    }
}

impl Command {
    /// Whether only the secretariat may run it: everything that changes something, and
    /// what shows another pillar's failures.
    pub fn needs_secretariat(&self) -> bool {
        match self {
            Command::DeadLetters { .. } | Command::Retry { .. } | Command::Resume { .. } | Command::Report { .. } => {
                true
            }
            Command::Meeting(meeting) => matches!(
                **meeting,
                MeetingCommand::Add { .. }
                    | MeetingCommand::Cancel { .. }
                    | MeetingCommand::Move { .. }
                    | MeetingCommand::Reminders { .. }
            ),
            Command::Survey(survey) => !matches!(**survey, SurveyCommand::List | SurveyCommand::Show { .. }),
            Command::Summary(summary) => matches!(
                **summary,
                SummaryCommand::Withdraw { .. } | SummaryCommand::Approve { .. }
            ),
            _ => false,
        }
    }

    /// The command's name as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Help => "help",
            Command::Status { .. } => "status",
            Command::DeadLetters { .. } => "dead-letters",
            Command::Retry { .. } => "retry",
            Command::Resume { .. } => "resume",
            Command::Meeting(meeting) => match **meeting {
                MeetingCommand::List { .. } => "meeting list",
                MeetingCommand::Show { .. } => "meeting show",
                MeetingCommand::Add { .. } => "meeting add",
                MeetingCommand::Cancel { .. } => "meeting cancel",
                MeetingCommand::Move { .. } => "meeting move",
                MeetingCommand::Reminders { .. } => "meeting reminders",
            },
            Command::Rsvp { .. } | Command::RsvpButton { .. } => "rsvp",
            Command::Survey(survey) => match **survey {
                SurveyCommand::Start { .. } => "survey start",
                SurveyCommand::Attach { .. } => "survey attach",
                SurveyCommand::List => "survey list",
                SurveyCommand::Show { .. } => "survey show",
                SurveyCommand::Results { .. } => "survey results",
                SurveyCommand::Close { .. } => "survey close",
                SurveyCommand::Cancel { .. } => "survey cancel",
            },
            Command::Answer { .. } | Command::SurveyControl { .. } => "answer",
            Command::Summary(summary) => match **summary {
                SummaryCommand::Add { .. } => "summary add",
                SummaryCommand::List { .. } => "summary list",
                SummaryCommand::Show { .. } => "summary show",
                SummaryCommand::Edit { .. } => "summary edit",
                SummaryCommand::Withdraw { .. } => "summary withdraw",
                SummaryCommand::Approve { .. } => "summary approve",
            },
            Command::Action(action) => match **action {
                ActionCommand::List { .. } => "action list",
                ActionCommand::Done { .. } => "action done",
                ActionCommand::Drop { .. } => "action drop",
            },
            Command::Search { .. } => "search",
            Command::Report { .. } => "report",
            Command::Link { .. } => "link",
            Command::Unlink => "unlink",
        }
    }
}

/// Reads a chat message as a command. `None` if it is not one (it does not start with
/// `!magnet`): then it is an ordinary message for the bridge.
///
/// The prefix is read in any case: `!MAGNET help` or a phone's `!Magnet help` is meant as
/// a command, and relaying it to the other side instead would only puzzle both rooms.
/// Reads a message in a direct room with the bot, where every message is a command and
/// the prefix may be left out.
pub fn parse_direct(text: &str) -> Result<Command, UsageError> {
    match parse_text(text) {
        Some(parsed) => parsed,
        None => parse_text(&format!("{PREFIX} {}", text.trim_start())).unwrap_or(Ok(Command::Help)),
    }
}

pub fn parse_text(text: &str) -> Option<Result<Command, UsageError>> {
    let (prefix, rest) = text.trim_start().split_at_checked(PREFIX.len())?;
    if !prefix.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        // `!magnetic` is a word, not a command.
        return None;
    }
    // The lines under the first are the body of a command that takes one (the questions
    // of `survey start`); for any other command they are more words.
    let (first, below) = rest.split_once('\n').unwrap_or((rest, ""));
    let Some(mut words) = shlex::split(first) else {
        return Some(Err(UsageError::unclosed_quote()));
    };
    if words.is_empty() && below.trim().is_empty() {
        return Some(Ok(Command::Help));
    }
    if !below.trim().is_empty() {
        if takes_body(&words) {
            words.push("--body".into());
            words.push(below.to_string());
        } else {
            let Some(more) = shlex::split(below) else {
                return Some(Err(UsageError::unclosed_quote()));
            };
            words.extend(more);
        }
    }
    Some(parse_words(words, false))
}

/// Whether the command the words name takes the lines under it as its body.
fn takes_body(words: &[String]) -> bool {
    let mut node = Line::command();
    for word in words {
        match node.find_subcommand(word) {
            Some(found) => node = found.clone(),
            None => break,
        }
    }
    node.get_arguments().any(|a| a.get_id() == "body")
}

/// Reads a Discord slash command: `path` is `["magnet", sub-command…]`, `options` the
/// values given by name. They become the same words a text command would have.
pub fn parse_slash(path: &[String], options: &[(String, String)]) -> Result<Command, UsageError> {
    let Some((root, subcommands)) = path.split_first().filter(|(root, _)| *root == SLASH_NAME) else {
        return Err(UsageError::not_magnet(path));
    };
    let _ = root;
    let mut words: Vec<String> = subcommands.to_vec();
    let mut node = Line::command();
    for sub in subcommands {
        match node.find_subcommand(sub) {
            Some(found) => node = found.clone(),
            None => return parse_words(words, true),
        }
    }
    // Flags first, then `--` and the positional values in declared order, so a value that
    // starts with a dash (a title, a negative number) is never read as a flag.
    let mut positional = Vec::new();
    for argument in node.get_arguments() {
        let id = argument.get_id().as_str();
        let Some((_, value)) = options.iter().find(|(name, _)| name == id) else {
            continue;
        };
        if argument.is_positional() {
            positional.push(value.clone());
        } else {
            let flag = format!("--{}", argument.get_long().unwrap_or(id));
            if !argument.get_action().takes_values() {
                // A switch: offered as yes or no.
                if ["yes", "true", "evet"].contains(&value.to_lowercase().as_str()) {
                    words.push(flag);
                }
            } else {
                words.push(flag);
                words.push(value.clone());
            }
        }
    }
    if !positional.is_empty() {
        words.push("--".into());
        words.extend(positional);
    }
    parse_words(words, true)
}

/// `slash`: the words came from a Discord slash command, and mistakes are explained in
/// its terms.
fn parse_words(words: Vec<String>, slash: bool) -> Result<Command, UsageError> {
    Line::try_parse_from(&words)
        .map(|line| line.command)
        .map_err(|error| UsageError::from_clap(&error, &words, slash))
}

/// The pointer to `help` that ends a refusal, in the form the person used: on Discord a
/// slash command's answer is seen beside the slash command box, where `!magnet help`
/// would be the wrong thing to type.
pub(crate) fn help_hint(slash: bool, lang: crate::i18n::Lang) -> String {
    crate::t!(lang, "help-hint", help = format!("{} help", invocation(slash)))
}

/// One line of help per command the invoker may run.
pub fn help_lines(secretariat: bool, slash: bool, lang: Lang) -> Vec<String> {
    let line = Line::command();
    let mut lines = Vec::new();
    for sub in visible(&line) {
        let children: Vec<&clap::Command> = visible(sub).collect();
        if children.is_empty() {
            lines.extend(help_line(&[sub], secretariat, slash, lang));
        } else {
            for child in children {
                lines.extend(help_line(&[sub, child], secretariat, slash, lang));
            }
        }
    }
    lines
}

fn visible(command: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    command.get_subcommands().filter(|sub| !sub.is_hide_set())
}

fn secretariat_only(command: &clap::Command) -> bool {
    command
        .get_about()
        .is_some_and(|a| a.to_string().contains("(secretariat)"))
}

/// What a command does, from the catalogue: `cmd-meeting-add`.
fn about(path: &[&str], lang: Lang) -> String {
    i18n::text(lang, &format!("cmd-{}", path.join("-")), None)
}

/// What an argument is, from the catalogue: `cmd-meeting-add-arg-title`.
fn argument_help(path: &[&str], argument: &str, lang: Lang) -> String {
    i18n::text(lang, &format!("cmd-{}-arg-{argument}", path.join("-")), None)
}

/// `!magnet meeting cancel <meeting> [options]` — what it does. The command words are the
/// English ones (they work everywhere); the rest is in `lang`.
fn help_line(path: &[&clap::Command], secretariat: bool, slash: bool, lang: Lang) -> Option<String> {
    let command = path.last()?;
    if secretariat_only(command) && !secretariat {
        return None;
    }
    let names: Vec<String> = path.iter().map(|c| c.get_name().to_string()).collect();
    let usage = usage::usage_line(&names, slash, lang)?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Some(format!("`{usage}` — {}", about(&names, lang)))
}

/// The languages slash commands are shown in besides English, with Discord's locale names.
const SLASH_LOCALES: [(Lang, &str); 1] = [(Lang::Tr, "tr")];

/// The slash commands to register on Discord, from the same declaration: English, with
/// each other language's names and descriptions as Discord's localisations.
pub fn slash_commands() -> Vec<CommandSpec> {
    let line = Line::command();
    let localized = SLASH_LOCALES
        .iter()
        .map(|(lang, locale)| {
            let text = Localized {
                name: SLASH_NAME.to_string(),
                description: t!(*lang, "cmd-root"),
            };
            (locale.to_string(), text)
        })
        .collect();
    vec![CommandSpec {
        name: SLASH_NAME.into(),
        description: t!(Lang::En, "cmd-root"),
        options: Vec::new(),
        subcommands: visible(&line).map(|sub| slash_spec(sub, &[])).collect(),
        localized,
        form: None,
    }]
}

/// A command that takes lines under it (`survey start`, `survey attach`) opens a form on
/// Discord for them, unless its one-line form was used (`question` given). Where there is
/// no one-line form the lines may be left out (a default stands for them).
fn body_form(command: &clap::Command, path: &[&str]) -> Option<CommandForm> {
    command.get_arguments().find(|a| a.get_id() == "body")?;
    let one_line = command.get_arguments().any(|a| a.get_id() == "question");
    // The hidden text arguments a form asks for, one field each: `body` first.
    let ids: Vec<&str> = ["body", "decisions", "actions"]
        .into_iter()
        .filter(|id| command.get_arguments().any(|a| a.get_id() == *id))
        .collect();
    let key = path.join("-");
    let title = |lang: Lang| i18n::text(lang, &format!("form-{key}-title"), None);
    let field = |lang: Lang, id: &str| {
        let label = i18n::text(lang, &format!("form-{key}-{id}"), None);
        let placeholder = i18n::text(lang, &format!("form-{key}-{id}-placeholder"), None);
        (label, Some(placeholder))
    };
    Some(CommandForm {
        unless: one_line.then(|| "question".into()),
        title: title(Lang::En),
        fields: ids
            .iter()
            .map(|id| {
                let (label, placeholder) = field(Lang::En, id);
                FormField {
                    id: id.to_string(),
                    label,
                    placeholder,
                    paragraph: true,
                    // The one field of a survey's questions is needed unless a question is given.
                    required: one_line,
                    max_length: 4000,
                }
            })
            .collect(),
        localized: SLASH_LOCALES
            .iter()
            .map(|(lang, locale)| {
                (
                    locale.to_string(),
                    FormText {
                        title: title(*lang),
                        fields: ids.iter().map(|id| field(*lang, id)).collect(),
                    },
                )
            })
            .collect(),
    })
}

fn slash_spec(command: &clap::Command, parents: &[&str]) -> CommandSpec {
    let short = |text: String| text.trim_end_matches('.').to_string();
    let mut path = parents.to_vec();
    path.push(command.get_name());
    let localized = |key: &str, describe: &dyn Fn(Lang) -> String| {
        SLASH_LOCALES
            .iter()
            .map(|(lang, locale)| {
                let text = Localized {
                    name: i18n::text(*lang, key, None),
                    description: short(describe(*lang)),
                };
                (locale.to_string(), text)
            })
            .collect()
    };
    CommandSpec {
        form: body_form(command, &path),
        name: command.get_name().to_string(),
        description: short(about(&path, Lang::En)),
        localized: localized(&format!("name-{}", command.get_name()), &|lang| about(&path, lang)),
        options: command
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .map(|a| {
                let id = a.get_id().as_str();
                let choices: Vec<String> = if a.get_action().takes_values() {
                    a.get_possible_values()
                        .iter()
                        .filter(|v| !v.is_hide_set())
                        .map(|v| v.get_name().to_string())
                        .collect()
                } else {
                    // A switch is offered as yes or no.
                    vec!["yes".to_string(), "no".to_string()]
                };
                CommandOption {
                    name: id.to_string(),
                    description: short(argument_help(&path, id, Lang::En)),
                    required: a.is_required_set(),
                    localized: localized(&format!("arg-{id}"), &|lang| argument_help(&path, id, lang)),
                    localized_choices: SLASH_LOCALES
                        .iter()
                        .filter(|_| !choices.is_empty())
                        .map(|(lang, locale)| {
                            let names = choices
                                .iter()
                                .map(|value| crate::schedule::render::answer_word(value, *lang))
                                .collect();
                            (locale.to_string(), names)
                        })
                        .collect(),
                    choices,
                }
            })
            .collect(),
        subcommands: visible(command).map(|sub| slash_spec(sub, &path)).collect(),
    }
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
        assert_eq!(parse_direct("help"), Ok(Command::Help));
        assert_eq!(parse_direct("  !magnet retry 12"), parse_direct("retry 12"));
        assert!(parse_direct("retry 12").is_ok());
        assert!(parse_direct("what is this").is_err());
        assert_eq!(parse_text("  !magnet"), Some(Ok(Command::Help)));
        assert_eq!(
            parse_text("!magnet status authorities"),
            Some(Ok(Command::Status {
                pillar: Some("authorities".into())
            }))
        );
        assert_eq!(
            parse_text("!magnet retry 12"),
            Some(Ok(Command::Retry {
                which: "12".into(),
                pillar: None
            }))
        );
        assert_eq!(
            parse_text("!magnet retry all authorities"),
            Some(Ok(Command::Retry {
                which: "all".into(),
                pillar: Some("authorities".into())
            }))
        );
        assert_eq!(parse_text("!magnet resume"), Some(Ok(Command::Resume { pillar: None })));
        assert_eq!(parse_text("hello !magnet help"), None, "only at the start");
        assert_eq!(parse_text("!magnetic personality"), None);
    }

    #[test]
    fn a_survey_takes_its_questions_from_the_lines_under_the_command() {
        let text = "!magnet survey start authorities,academia --closes 3d --anonymous\nQ: Where?\n- Ankara\n- Online";
        let Some(Ok(Command::Survey(survey))) = parse_text(text) else {
            panic!("{:?}", parse_text(text))
        };
        let SurveyCommand::Start {
            pillars,
            closes,
            anonymous,
            body,
            question,
            ..
        } = *survey
        else {
            panic!()
        };
        assert_eq!(
            (pillars.as_str(), closes.as_str(), anonymous, question),
            ("authorities,academia", "3d", true, None)
        );
        assert_eq!(body.as_deref(), Some("Q: Where?\n- Ankara\n- Online"));
        // Turkish words, one question as arguments.
        assert_eq!(
            parse_text("!magnet anket başlat tümü \"Nerede?\" Ankara Çevrimiçi --kapanış 2026-12-10"),
            parse_text("!magnet survey start tümü \"Nerede?\" Ankara Çevrimiçi --closes 2026-12-10")
        );
        // Lines under a command without a body are more words.
        assert_eq!(
            parse_text("!magnet meeting show\n4"),
            Some(Ok(Command::Meeting(Box::new(MeetingCommand::Show { meeting: 4 }))))
        );
    }

    #[test]
    fn answers_take_the_rest_of_the_line() {
        assert_eq!(
            parse_text("!magnet answer 3 2 Şimdilik yok, teşekkürler"),
            Some(Ok(Command::Answer {
                survey: 3,
                question: 2,
                answer: vec!["Şimdilik".into(), "yok,".into(), "teşekkürler".into()]
            }))
        );
        assert_eq!(parse_text("!magnet yanıt 3 1 -1"), parse_text("!magnet answer 3 1 -1"));
        assert!(matches!(parse_text("!magnet answer 3 1"), Some(Err(_))));
    }

    #[test]
    fn a_switch_on_a_slash_command_is_yes_or_no() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let options = |anonymous: &str| {
            vec![
                ("pillars".to_string(), "all".to_string()),
                ("question".to_string(), "Where?".to_string()),
                ("choices".to_string(), "Ankara | Online".to_string()),
                ("closes".to_string(), "3d".to_string()),
                ("anonymous".to_string(), anonymous.to_string()),
            ]
        };
        let anonymous = |command: Result<Command, UsageError>| match command {
            Ok(Command::Survey(survey)) => match *survey {
                SurveyCommand::Start { anonymous, choices, .. } => (anonymous, choices),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        let path = words(&["magnet", "survey", "start"]);
        assert_eq!(
            anonymous(parse_slash(&path, &options("yes"))),
            (true, vec!["Ankara | Online".to_string()])
        );
        assert!(!anonymous(parse_slash(&path, &options("no"))).0);
        let start = slash_commands()[0]
            .subcommands
            .iter()
            .find(|s| s.name == "survey")
            .and_then(|s| s.subcommands.iter().find(|s| s.name == "start"))
            .cloned()
            .unwrap();
        let switch = start.options.iter().find(|o| o.name == "anonymous").unwrap();
        assert_eq!(switch.choices, ["yes", "no"]);
        assert!(
            start.options.iter().all(|o| o.name != "body"),
            "a hidden argument is not offered"
        );
    }

    #[test]
    fn turkish_words_work_as_well_as_english_ones() {
        assert_eq!(parse_text("!magnet yardım"), Some(Ok(Command::Help)));
        assert_eq!(parse_text("!magnet durum"), parse_text("!magnet status"));
        assert_eq!(
            parse_text("!magnet katılım 3 evet --tarih 2026-12-08"),
            Some(Ok(Command::Rsvp {
                meeting: 3,
                answer: Answer::Yes,
                on: Some("2026-12-08".into())
            }))
        );
        assert_eq!(parse_text("!magnet katilim 3 hayir"), parse_text("!magnet rsvp 3 no"));
        assert_eq!(parse_text("!magnet toplantı liste"), parse_text("!magnet meeting list"));
        assert_eq!(
            parse_text("!magnet toplanti goster 4"),
            parse_text("!magnet meeting show 4")
        );
        assert_eq!(
            parse_text(
                "!magnet toplantı ekle authorities \"Haftalık\" \"2026-12-01 10:00\" --süre 90m --gündem Bütçe --yer Ankara --hatırlatmalar yok"
            ),
            parse_text(
                "!magnet meeting add authorities \"Haftalık\" \"2026-12-01 10:00\" --duration 90m --agenda Bütçe --place Ankara --reminders yok"
            ),
        );
        assert_eq!(
            parse_text("!magnet toplantı iptal 4 --tarih 2026-12-08"),
            parse_text("!magnet meeting cancel 4 --on 2026-12-08")
        );
        assert_eq!(parse_text("!magnet sürdür"), parse_text("!magnet resume"));
    }

    #[test]
    fn the_prefix_is_read_in_any_case() {
        assert_eq!(parse_text("!MAGNET help"), Some(Ok(Command::Help)));
        assert_eq!(parse_text(" !Magnet help"), Some(Ok(Command::Help)));
        assert_eq!(
            parse_text("!mAgNeT status authorities"),
            Some(Ok(Command::Status {
                pillar: Some("authorities".into())
            }))
        );
        assert_eq!(parse_text("!MAGNETIC personality"), None);
        // Shorter than the prefix, or cut inside a character: not a command, no panic.
        assert_eq!(parse_text("!MAG"), None);
        assert_eq!(parse_text("!magneş"), None);
    }

    #[test]
    fn slash_command_mistakes_point_at_the_slash_command() {
        let options = [
            ("meeting".to_string(), "x".to_string()),
            ("answer".into(), "yes".into()),
        ];
        let Err(error) = parse_slash(&words(&["magnet", "rsvp"]), &options) else {
            panic!()
        };
        let message = error.render(Lang::En);
        assert!(message.contains("Send `/magnet help`"), "{message}");
        assert!(message.contains("Usage: `/magnet rsvp"), "{message}");
        assert!(!message.contains("!magnet"), "{message}");
        let Some(Err(error)) = parse_text("!magnet rsvp x yes") else {
            panic!()
        };
        let message = error.render(Lang::En);
        assert!(message.contains("Send `!magnet help`"), "{message}");
    }

    #[tokio::test]
    async fn a_refusal_names_help_the_way_the_invoker_asked() {
        // Not the secretariat (no adapter to ask): refused before the store is used.
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("magnet.db").display());
        let store = crate::store::Store::connect(&url, None, 1).await.unwrap();
        let platforms = crate::bridge::Platforms::default();
        let secretariat = crate::config::Secretariat::default();
        let reminder_defaults = std::collections::HashMap::new();
        let surveys = crate::survey::commands::SurveySettings::default();
        let summaries = crate::summary::commands::SummarySettings::default();
        let reports = crate::config::embedded_default().reports;
        let context = CommandContext {
            store: &store,
            platforms: &platforms,
            secretariat: &secretariat,
            reminder_defaults: &reminder_defaults,
            surveys: &surveys,
            summaries: &summaries,
            reports: &reports,
        };
        let command = Command::DeadLetters { pillar: None };
        for (slash, hint) in [(true, "Send `/magnet help`"), (false, "Send `!magnet help`")] {
            let invoker = Invoker {
                platform: magnet_chat::Platform::Discord,
                room: "1",
                user: "2",
                name: "Someone",
                event: "3",
                slash,
                private: slash,
                member_of: None,
                lang: crate::i18n::Lang::En,
            };
            let answer = execute(&command, &context, &invoker).await.text;
            assert!(answer.starts_with("Only the secretariat"), "{answer}");
            assert!(answer.contains(hint), "{answer}");
        }
    }

    #[test]
    fn mistakes_say_what_was_wrong_and_how_it_is_written() {
        let Some(Err(error)) = parse_text("!magnet rsvp twelve yes") else {
            panic!()
        };
        let message = error.render(Lang::En);
        assert!(message.contains("twelve"), "{message}");
        assert!(message.contains("`twelve` is not a valid <meeting>"), "{message}");
        assert!(
            message.contains("Usage: `!magnet rsvp <meeting> <answer> [options]`"),
            "{message}"
        );
        assert!(message.contains("!magnet help"), "{message}");
        let Some(Err(error)) = parse_text("!magnet stauts") else {
            panic!()
        };
        let message = error.render(Lang::En);
        assert!(
            message.contains("stauts") && message.contains("status"),
            "a suggestion: {message}"
        );
        let Some(Err(error)) = parse_text("!magnet retry") else {
            panic!()
        };
        let message = error.render(Lang::En);
        assert!(message.contains("Missing: <which>"), "{message}");
        assert!(message.contains("Usage: `!magnet retry <which> [pillar]`"), "{message}");
        assert!(matches!(parse_text("!magnet status \"open"), Some(Err(_))));
        let Some(Err(error)) = parse_text("!magnet meeting") else {
            panic!()
        };
        let message = error.render(Lang::En);
        assert!(
            message.contains("list, show, add, cancel, move, reminders"),
            "{message}"
        );
    }

    #[test]
    fn mistakes_are_explained_in_the_readers_language() {
        let Some(Err(error)) = parse_text("!magnet katılım on belki") else {
            panic!()
        };
        assert_eq!(
            error.render(Lang::Tr),
            "`on` geçerli bir <toplantı> değil.\nKullanım: `!magnet rsvp <toplantı> <yanıt> [seçenekler]`\nÇalıştırabileceğiniz komutları görmek için `!magnet help` gönderin."
        );
        let Some(Err(error)) = parse_text("!magnet rsvp 4 perhaps") else {
            panic!()
        };
        let message = error.render(Lang::Tr);
        assert!(
            message.contains("`perhaps` geçerli bir <yanıt> değil; geçerli değerler: evet, belki, hayır"),
            "{message}"
        );
        let Some(Err(error)) = parse_text("!magnet toplantı ekle") else {
            panic!()
        };
        let message = error.render(Lang::Tr);
        assert!(
            message.starts_with("Eksik: <çalışma-grubu>, <başlık>, <başlangıç>"),
            "{message}"
        );
        let Some(Err(error)) = parse_text("!magnet \"açık") else {
            panic!()
        };
        assert!(error.render(Lang::Tr).starts_with("bir tırnak kapatılmamış"));
    }

    #[test]
    fn meeting_commands_read_the_same_as_text_and_as_slash_commands() {
        let text = parse_text(
            "!magnet meeting add authorities \"Pillar sync\" \"2026-12-01 10:00\" --every \"0 10 * * TUE\" --reminders 24h,1h",
        );
        let slash = parse_slash(
            &words(&["magnet", "meeting", "add"]),
            &[
                ("reminders".into(), "24h,1h".into()),
                ("title".into(), "Pillar sync".into()),
                ("pillar".into(), "authorities".into()),
                ("every".into(), "0 10 * * TUE".into()),
                ("start".into(), "2026-12-01 10:00".into()),
            ],
        );
        let expected = Command::Meeting(Box::new(MeetingCommand::Add {
            pillar: "authorities".into(),
            title: "Pillar sync".into(),
            start: "2026-12-01 10:00".into(),
            zone: None,
            duration: None,
            agenda: None,
            place: None,
            every: Some("0 10 * * TUE".into()),
            until: None,
            reminders: Some("24h,1h".into()),
            survey: None,
        }));
        assert_eq!(text, Some(Ok(expected.clone())));
        assert_eq!(slash, Ok(expected));
        assert_eq!(
            parse_slash(
                &words(&["magnet", "meeting", "add"]),
                &[
                    ("pillar".into(), "a".into()),
                    ("title".into(), "-dash first".into()),
                    ("start".into(), "2026-12-01 10:00".into())
                ]
            )
            .map(|c| matches!(c, Command::Meeting(m) if matches!(*m, MeetingCommand::Add { ref title, .. } if title == "-dash first"))),
            Ok(true),
            "a value starting with a dash is a value"
        );
        assert_eq!(
            parse_text("!magnet rsvp 4 maybe"),
            Some(Ok(Command::Rsvp {
                meeting: 4,
                answer: Answer::Maybe,
                on: None
            }))
        );
        let Some(Err(error)) = parse_text("!magnet rsvp 4 perhaps") else {
            panic!()
        };
        let message = error.render(Lang::En);
        assert!(message.contains("perhaps") && message.contains("yes"), "{message}");
        let specs = slash_commands();
        let meeting = specs[0].subcommands.iter().find(|s| s.name == "meeting").unwrap();
        let names: Vec<&str> = meeting.subcommands.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["list", "show", "add", "cancel", "move", "reminders"]);
        let rsvp = specs[0].subcommands.iter().find(|s| s.name == "rsvp").unwrap();
        assert_eq!(rsvp.options[1].choices, ["yes", "maybe", "no"]);
        for spec in meeting.subcommands.iter().chain([rsvp]) {
            let first_optional = spec
                .options
                .iter()
                .position(|o| !o.required)
                .unwrap_or(spec.options.len());
            assert!(
                spec.options[first_optional..].iter().all(|o| !o.required),
                "{}: required first",
                spec.name
            );
            assert!(spec.options.iter().all(|o| o.description.chars().count() <= 100));
        }
    }

    #[test]
    fn slash_commands_map_to_the_same_commands() {
        assert_eq!(parse_slash(&words(&["magnet", "help"]), &[]), Ok(Command::Help));
        assert_eq!(
            parse_slash(&words(&["magnet", "retry"]), &[("which".into(), "7-9".into())]),
            Ok(Command::Retry {
                which: "7-9".into(),
                pillar: None
            })
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
        assert_eq!(
            names,
            [
                "help",
                "status",
                "dead-letters",
                "retry",
                "resume",
                "meeting",
                "rsvp",
                "survey",
                "answer",
                "summary",
                "action",
                "search",
                "report",
                "link",
                "unlink"
            ]
        );
        let retry = &specs[0].subcommands[3];
        assert_eq!(
            (retry.options[0].name.as_str(), retry.options[0].required),
            ("which", true)
        );
        assert_eq!(
            (retry.options[1].name.as_str(), retry.options[1].required),
            ("pillar", false)
        );
    }

    #[test]
    fn help_lists_what_the_invoker_may_run() {
        let everyone = help_lines(false, false, Lang::En).join("\n");
        assert!(everyone.contains("`!magnet status [pillar]`"), "{everyone}");
        assert!(everyone.contains("`!magnet meeting list [pillar]`"), "{everyone}");
        assert!(
            everyone.contains("`!magnet rsvp <meeting> <answer> [options]`"),
            "{everyone}"
        );
        assert!(!everyone.contains("meeting add"), "{everyone}");
        assert!(!everyone.contains("rsvp-button"), "{everyone}");
        assert!(!everyone.contains("retry"), "{everyone}");
        let secretariat = help_lines(true, true, Lang::En).join("\n");
        assert!(
            secretariat.contains("`/magnet retry <which> [pillar]`"),
            "{secretariat}"
        );
        assert!(secretariat.contains("`/magnet resume [pillar]`"), "{secretariat}");
        assert!(
            secretariat.contains("`/magnet meeting add <pillar> <title> <start> [options]`"),
            "{secretariat}"
        );
        // In Turkish: the same command words, Turkish placeholders and descriptions.
        let turkish = help_lines(true, false, Lang::Tr).join("\n");
        assert!(
            turkish.contains("`!magnet meeting add <çalışma-grubu> <başlık> <başlangıç> [seçenekler]` — Bir çalışma grubuna toplantı ekler (sekretarya)."),
            "{turkish}"
        );
    }

    #[test]
    fn slash_commands_carry_turkish_names_that_are_also_typed_words() {
        fn check(spec: &CommandSpec, typed: &clap::Command) {
            let turkish = &spec.localized["tr"];
            assert!(!turkish.description.is_empty() && turkish.description.chars().count() <= 100);
            if spec.name != SLASH_NAME {
                // What Discord shows is what can be typed after `!magnet` too.
                let aliases: Vec<&str> = typed.get_all_aliases().collect();
                assert!(
                    aliases.contains(&turkish.name.as_str()),
                    "{} -> {}: {aliases:?}",
                    spec.name,
                    turkish.name
                );
            }
            for option in &spec.options {
                let turkish = &option.localized["tr"];
                assert!(
                    turkish
                        .name
                        .chars()
                        .all(|c| c == '-' || (c.is_alphanumeric() && !c.is_uppercase()))
                );
                assert!(!turkish.description.is_empty());
            }
            for sub in &spec.subcommands {
                check(sub, typed.find_subcommand(&sub.name).unwrap());
            }
        }
        let specs = slash_commands();
        check(&specs[0], &Line::command());
        let rsvp = specs[0].subcommands.iter().find(|s| s.name == "rsvp").unwrap();
        assert_eq!(rsvp.options[1].localized_choices["tr"], ["evet", "belki", "hayır"]);
    }

    proptest! {
        #[test]
        fn any_text_is_a_command_an_error_or_not_a_command(text in "\\PC{0,80}") {
            let _ = parse_text(&text);
            let _ = parse_text(&format!("!magnet {text}"));
        }

        #[test]
        fn retry_takes_any_word(n in any::<i64>()) {
            let which = n.to_string();
            prop_assert_eq!(
                parse_text(&format!("!magnet retry -- {n}")),
                Some(Ok(Command::Retry { which, pillar: None }))
            );
        }
    }
}
