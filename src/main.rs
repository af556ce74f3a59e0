//! The `magnet` command line: a thin layer over the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};
use magnet::config::{self, Config};
use magnet::i18n::{self, Lang};
use magnet::store::Store;
use magnet::t;

// What the program, its commands and options are for is in the catalogues (`cli-*`), so
// that `--help` is in the user's language: see `localized`.
#[derive(Parser)]
#[command(name = "magnet", version)]
struct Cli {
    #[arg(long, global = true, env = "MAGNET_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run,
    CheckConfig {
        path: Option<PathBuf>,
    },
    Migrate,
    #[command(subcommand)]
    Survey(SurveyCli),
    Report {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        pillar: Option<String>,
        #[arg(long, value_delimiter = ',')]
        format: Vec<String>,
        #[arg(long)]
        output: Option<PathBuf>,
    },
    Calendar {
        pillar: String,
        #[arg(long)]
        output: Option<PathBuf>,
        #[arg(long)]
        link: bool,
    },
}

#[derive(Subcommand)]
enum SurveyCli {
    Export {
        id: i64,
        #[arg(long, value_enum, default_value = "csv")]
        format: magnet::survey::export::Format,
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    init_logging();
    let lang = Lang::from_environment();
    let cli = match parse_arguments(lang) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("magnet: {}", t!(lang, "cli-no-runtime", error = error.to_string()));
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::CheckConfig { path } => return check_config(path.or(cli.config).as_deref(), lang),
        Command::Run => {
            load_config(cli.config.as_deref(), lang).and_then(|config| runtime.block_on(magnet::runtime::run(config)))
        }
        Command::Migrate => {
            load_config(cli.config.as_deref(), lang).and_then(|config| runtime.block_on(migrate(config, lang)))
        }
        Command::Survey(SurveyCli::Export { id, format, output }) => load_config(cli.config.as_deref(), lang)
            .and_then(|config| runtime.block_on(export_survey(config, id, format, output.as_deref(), lang))),
        Command::Report {
            from,
            to,
            pillar,
            format,
            output,
        } => load_config(cli.config.as_deref(), lang).and_then(|config| {
            let request = ReportRequest {
                from: from.as_deref(),
                to: to.as_deref(),
                pillar: pillar.as_deref(),
                formats: &format,
                output: output.as_deref(),
            };
            runtime.block_on(report(config, &request, lang))
        }),
        Command::Calendar { pillar, output, link } => load_config(cli.config.as_deref(), lang).and_then(|config| {
            if link {
                calendar_link(&config, &pillar, lang)
            } else {
                runtime.block_on(calendar(config, &pillar, output.as_deref(), lang))
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("magnet: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The arguments; `--help` and mistakes are shown in the user's language.
fn parse_arguments(lang: Lang) -> Result<Cli, ExitCode> {
    let error = match localized(Cli::command(), lang)
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => return Ok(cli),
        Err(error) => error,
    };
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
        }
        _ => eprintln!(
            "magnet: {}\n{}",
            mistake(&error, lang),
            t!(lang, "cli-help-hint", help = "magnet --help")
        ),
    }
    Err(ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)))
}

/// The command line with its texts from the catalogue: about, each command's and option's
/// help, the headings and the help and version flags.
fn localized(command: clap::Command, lang: Lang) -> clap::Command {
    described(command, &[], lang)
        .about(t!(lang, "cli-about"))
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .global(true)
                .action(ArgAction::Help)
                .help(t!(lang, "cli-flag-help"))
                .help_heading(t!(lang, "cli-heading-options")),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(t!(lang, "cli-flag-version"))
                .help_heading(t!(lang, "cli-heading-options")),
        )
}

/// A command and its sub-commands with their texts: `cli-cmd-<path>` says what a command
/// does, `cli-arg-<path>-<id>` what an argument is (`cli-arg-<id>` at the top).
fn described(command: clap::Command, parents: &[String], lang: Lang) -> clap::Command {
    let template = format!(
        "{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        t!(lang, "cli-heading-usage")
    );
    let options = t!(lang, "cli-heading-options");
    let arguments = t!(lang, "cli-heading-arguments");
    let path = parents.join("-");
    let mut command = command
        .help_template(template)
        .subcommand_help_heading(t!(lang, "cli-heading-commands"))
        .mut_args(|arg| {
            let key = match path.as_str() {
                "" => format!("cli-arg-{}", arg.get_id()),
                path => format!("cli-arg-{path}-{}", arg.get_id()),
            };
            let heading = if arg.is_positional() { &arguments } else { &options };
            arg.help(i18n::text(lang, &key, None)).help_heading(heading.clone())
        });
    if !parents.is_empty() {
        command = command.about(i18n::text(lang, &format!("cli-cmd-{path}"), None));
    }
    command.mut_subcommands(|sub| {
        let mut below = parents.to_vec();
        below.push(sub.get_name().to_string());
        described(sub, &below, lang)
    })
}

/// What is wrong with the command line, in the catalogue's words where there are some.
fn mistake(error: &clap::Error, lang: Lang) -> String {
    let context = |kind: ContextKind| match error.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        Some(ContextValue::Strings(values)) => values.join(", "),
        _ => String::new(),
    };
    match error.kind() {
        ErrorKind::InvalidSubcommand => {
            let mut text = t!(
                lang,
                "usage-unknown-command",
                word = context(ContextKind::InvalidSubcommand)
            );
            let suggested = context(ContextKind::SuggestedSubcommand);
            if !suggested.is_empty() {
                text.push(' ');
                text.push_str(&t!(lang, "usage-did-you-mean", suggestion = suggested));
            }
            text
        }
        ErrorKind::UnknownArgument => t!(lang, "usage-unknown-option", option = context(ContextKind::InvalidArg)),
        ErrorKind::MissingRequiredArgument => {
            t!(lang, "usage-missing", arguments = context(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => t!(
            lang,
            "usage-bad-value",
            value = context(ContextKind::InvalidValue),
            argument = context(ContextKind::InvalidArg)
        ),
        // Anything else in clap's own (English) words, without its usage and help lines.
        _ => error.kind().as_str().unwrap_or("invalid arguments").to_string(),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // The SDKs log every request and sync at info; ours is what an operator reads.
        .unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(
                "warn,matrix_sdk::http_client=off,matrix_sdk_crypto=error,magnet=info,magnet_matrix=info,magnet_discord=info",
            )
        });
    // Colours only on a terminal: log files and test harnesses read plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();
}

fn load_config(path: Option<&Path>, lang: Lang) -> anyhow::Result<Config> {
    match path {
        Some(path) => Ok(config::load_in(path, lang)?),
        None if Path::new(config::DEFAULT_PATH).exists() => Ok(config::load_in(Path::new(config::DEFAULT_PATH), lang)?),
        None => {
            tracing::info!("no {} found; using the embedded default config", config::DEFAULT_PATH);
            Ok(config::embedded_default())
        }
    }
}

fn check_config(path: Option<&Path>, lang: Lang) -> ExitCode {
    match load_config(path, lang) {
        Ok(config) => {
            print!("{}", config.describe(lang));
            println!("{}", t!(lang, "cli-config-ok"));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprint!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: Config, lang: Lang) -> anyhow::Result<()> {
    // Not under a serving process: it is the one that migrates its database.
    let _sole_writer = magnet::store::sole_writer::claim(&config.database.url)?;
    let store = Store::open(&config.database).await?;
    store.migrate().await?;
    let applied = store.applied_migrations().await?;
    println!(
        "{}",
        t!(
            lang,
            "cli-migrated",
            count = applied.len() as i64,
            version = applied.last().copied().unwrap_or(0)
        )
    );
    store.close().await;
    Ok(())
}

fn no_such_pillar(config: &Config, pillar: &str, lang: Lang) -> anyhow::Error {
    let known: Vec<&str> = config.pillars.iter().map(|p| p.id.as_str()).collect();
    anyhow::anyhow!(t!(lang, "cli-no-pillar", pillar = pillar, known = known.join(", ")))
}

fn calendar_link(config: &Config, pillar: &str, lang: Lang) -> anyhow::Result<()> {
    if !config.pillars.iter().any(|p| p.id == pillar) {
        return Err(no_such_pillar(config, pillar, lang));
    }
    let Some(source) = &config.http.calendar_secret else {
        anyhow::bail!(t!(lang, "cli-calendar-needs-secret"));
    };
    let secret = source
        .read()
        .map_err(|e| anyhow::anyhow!(t!(lang, "cli-calendar-secret-unreadable", error = e.to_string())))?;
    println!(
        "http://{}{}",
        config.http.listen,
        magnet::schedule::calendar::feed_path(secret.expose(), pillar)
    );
    Ok(())
}

/// `magnet survey export`: read beside a serving process, or alone.
async fn export_survey(
    config: Config,
    id: i64,
    format: magnet::survey::export::Format,
    output: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<()> {
    let store = Store::open(&config.database).await?;
    let exported = magnet::survey::export::export(&store, id, format, config.surveys.anonymous_min).await;
    store.close().await;
    let Some(text) = exported? else {
        anyhow::bail!(t!(lang, "cli-no-survey", id = id));
    };
    write_out(&text, output, lang)
}

/// `magnet report`, as typed.
struct ReportRequest<'a> {
    from: Option<&'a str>,
    to: Option<&'a str>,
    pillar: Option<&'a str>,
    formats: &'a [String],
    output: Option<&'a Path>,
}

/// `magnet report`: the report of a period written to a folder (the config's
/// `[reports] output_dir` unless `--output`), and recorded when no bot is serving the
/// SQLite database.
async fn report(config: Config, request: &ReportRequest<'_>, lang: Lang) -> anyhow::Result<()> {
    use magnet::config::ReportFormat;
    use magnet::report::{period::Period, run};
    let now = chrono::Utc::now();
    let period = Period::typed(request.from, request.to, now, config.reports.timezone)
        .map_err(|m| anyhow::anyhow!(run::period_mistake(&m, lang)))?;
    let formats = if request.formats.is_empty() {
        config.reports.formats.clone()
    } else {
        let mut formats = Vec::new();
        for name in request.formats {
            let format = match name.trim() {
                "markdown" | "md" => ReportFormat::Markdown,
                "html" => ReportFormat::Html,
                "csv" => ReportFormat::Csv,
                other => anyhow::bail!(t!(lang, "report-unknown-format", format = other)),
            };
            formats.push(format);
        }
        formats
    };
    let sole_writer = magnet::store::sole_writer::claim(&config.database.url).ok();
    let store = Store::open(&config.database).await?;
    let serving = store.backend() == magnet::store::Backend::Sqlite && sole_writer.is_none();
    if !serving {
        store.migrate().await?;
        store.sync_config(&config).await?;
    }
    if let Some(pillar) = request.pillar
        && !store.pillars().await?.iter().any(|p| p.id == pillar)
    {
        store.close().await;
        anyhow::bail!(t!(lang, "no-such-pillar", pillar = pillar));
    }
    let root = request.output.unwrap_or(&config.reports.output_dir);
    let dir = run::folder(root, &period, request.pillar);
    let made = run::make(&store, &period, request.pillar, &formats, &dir, lang, now).await;
    let made = match made {
        Ok(made) => made,
        Err(run::Failure::Write { dir, reason }) => {
            store.close().await;
            anyhow::bail!(t!(
                lang,
                "report-unwritable",
                dir = dir.display().to_string(),
                reason = reason
            ));
        }
        Err(error) => {
            store.close().await;
            return Err(error.into());
        }
    };
    if !serving {
        store
            .record_report(
                period.span(),
                &made.dir.display().to_string(),
                None,
                now.timestamp_millis(),
                |_| Vec::new(),
            )
            .await?;
    }
    store.close().await;
    let files: Vec<String> = made
        .files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    println!(
        "{}",
        t!(
            lang,
            "report-written",
            from = period.from.to_string(),
            to = period.to.to_string(),
            dir = made.dir.display().to_string(),
            files = files.join(", ")
        )
    );
    Ok(())
}

/// Writes to the file given, or to standard output.
fn write_out(text: &str, output: Option<&Path>, lang: Lang) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            anyhow::anyhow!(t!(
                lang,
                "cli-cannot-write",
                path = path.display().to_string(),
                error = e.to_string()
            ))
        }),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

async fn calendar(config: Config, pillar: &str, output: Option<&Path>, lang: Lang) -> anyhow::Result<()> {
    // Beside a serving process (which migrated and recorded the config itself) the feed is
    // only read; alone, the database is brought up to date first.
    let sole_writer = magnet::store::sole_writer::claim(&config.database.url).ok();
    let store = Store::open(&config.database).await?;
    let serving = store.backend() == magnet::store::Backend::Sqlite && sole_writer.is_none();
    if !serving {
        store.migrate().await?;
        store.sync_config(&config).await?;
    }
    let feed = magnet::schedule::calendar::feed(&store, pillar, chrono::Utc::now()).await?;
    store.close().await;
    let Some(feed) = feed else {
        return Err(no_such_pillar(&config, pillar, lang));
    };
    write_out(&feed, output, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and option has its help text in every language.
    #[test]
    fn the_command_line_is_described_in_every_language() {
        fn keys_of(command: &clap::Command, path: &[&str], keys: &mut Vec<String>) {
            let joined = path.join("-");
            if !path.is_empty() {
                keys.push(format!("cli-cmd-{joined}"));
            }
            for arg in command.get_arguments() {
                keys.push(match path {
                    [] => format!("cli-arg-{}", arg.get_id()),
                    _ => format!("cli-arg-{joined}-{}", arg.get_id()),
                });
            }
            for sub in command.get_subcommands() {
                let mut below = path.to_vec();
                below.push(sub.get_name());
                keys_of(sub, &below, keys);
            }
        }
        let mut keys = Vec::new();
        keys_of(&Cli::command(), &[], &mut keys);
        assert!(keys.contains(&"cli-arg-survey-export-format".to_string()));
        for lang in Lang::ALL {
            for key in &keys {
                assert!(i18n::has_message(lang, key), "{key} in {lang:?}");
            }
        }
    }

    #[test]
    fn help_and_mistakes_are_in_the_chosen_language() {
        let help = localized(Cli::command(), Lang::Tr).render_long_help().to_string();
        assert!(help.contains("Kullanım: magnet"), "{help}");
        assert!(help.contains("Komutlar"), "{help}");
        assert!(help.contains("Veritabanı geçişlerini uygular"), "{help}");
        let error = localized(Cli::command(), Lang::Tr)
            .try_get_matches_from(["magnet", "migrat"])
            .err()
            .unwrap();
        assert_eq!(
            mistake(&error, Lang::Tr),
            "`migrat` burada bir komut değil. `migrate` mı demek istediniz?"
        );
        let calendar = localized(Cli::command(), Lang::Tr)
            .find_subcommand("calendar")
            .unwrap()
            .clone()
            .render_long_help()
            .to_string();
        assert!(calendar.contains("Standart çıktı yerine bu dosyaya yaz."), "{calendar}");
    }
}
