//! The `magnet` command line: a thin layer over the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use magnet::config::{self, Config};
use magnet::store::Store;

#[derive(Parser)]
#[command(
    name = "magnet",
    version,
    about = "Bridges, meetings, surveys, summaries and reports for a network on Matrix and Discord"
)]
struct Cli {
    /// The config file. Without it, config/magnet.toml is used if it exists, and the
    /// embedded defaults (SQLite in data/, no chat platforms) otherwise.
    #[arg(long, global = true, env = "MAGNET_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot: storage, migrations, the health endpoint and the configured platforms,
    /// until SIGINT or SIGTERM.
    Run,
    /// Validate a config file and print what it resolves to. Exit status 1 lists every
    /// mistake with file, line and key.
    CheckConfig {
        /// The file to check (overrides --config).
        path: Option<PathBuf>,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Write a pillar's meetings as an iCalendar feed (the same one the HTTP listener
    /// serves at /calendar/<pillar>.ics).
    Calendar {
        /// The pillar's id.
        pillar: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print the feed's secret path on the HTTP listener instead (to give to the
        /// pillar's members; needs [http] calendar_secret_env or calendar_secret_file).
        #[arg(long)]
        link: bool,
    },
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("magnet: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::CheckConfig { path } => return check_config(path.or(cli.config).as_deref()),
        Command::Run => {
            load_config(cli.config.as_deref()).and_then(|config| runtime.block_on(magnet::runtime::run(config)))
        }
        Command::Migrate => load_config(cli.config.as_deref()).and_then(|config| runtime.block_on(migrate(config))),
        Command::Calendar { pillar, output, link } => load_config(cli.config.as_deref()).and_then(|config| {
            if link {
                calendar_link(&config, &pillar)
            } else {
                runtime.block_on(calendar(config, &pillar, output.as_deref()))
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

fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(path) => Ok(config::load(path)?),
        None if Path::new(config::DEFAULT_PATH).exists() => Ok(config::load(Path::new(config::DEFAULT_PATH))?),
        None => {
            tracing::info!("no {} found; using the embedded default config", config::DEFAULT_PATH);
            Ok(config::embedded_default())
        }
    }
}

fn check_config(path: Option<&Path>) -> ExitCode {
    match load_config(path) {
        Ok(config) => {
            print!("{}", config.describe());
            println!("config OK");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprint!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    // Not under a serving process: it is the one that migrates its database.
    let _sole_writer = magnet::store::sole_writer::claim(&config.database.url)?;
    let store = Store::open(&config.database).await?;
    store.migrate().await?;
    let applied = store.applied_migrations().await?;
    println!(
        "database migrated: {} migration(s) applied, newest version {}",
        applied.len(),
        applied.last().copied().unwrap_or(0)
    );
    store.close().await;
    Ok(())
}

fn calendar_link(config: &Config, pillar: &str) -> anyhow::Result<()> {
    if !config.pillars.iter().any(|p| p.id == pillar) {
        let known: Vec<&str> = config.pillars.iter().map(|p| p.id.as_str()).collect();
        anyhow::bail!("there is no pillar `{pillar}`; pillars: {}", known.join(", "));
    }
    let Some(source) = &config.http.calendar_secret else {
        anyhow::bail!(
            "calendar feeds are served only with a secret: set [http] calendar_secret_env or calendar_secret_file"
        );
    };
    let secret = source
        .read()
        .map_err(|e| anyhow::anyhow!("reading the calendar secret: {e}"))?;
    println!(
        "http://{}{}",
        config.http.listen,
        magnet::schedule::calendar::feed_path(secret.expose(), pillar)
    );
    Ok(())
}

async fn calendar(config: Config, pillar: &str, output: Option<&Path>) -> anyhow::Result<()> {
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
        let known: Vec<&str> = config.pillars.iter().map(|p| p.id.as_str()).collect();
        anyhow::bail!("there is no pillar `{pillar}`; pillars: {}", known.join(", "));
    };
    match output {
        Some(path) => {
            std::fs::write(path, feed).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?
        }
        None => print!("{feed}"),
    }
    Ok(())
}
