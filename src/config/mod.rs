//! The configuration: one TOML file plus secrets from the environment or files.
//!
//! [`load`] reads and validates a file and returns either a fully resolved [`Config`] or
//! every mistake at once, each with file, line, key and what was expected ([`load_in`]
//! says them in a language of the bot's). Nothing else in magnet reads the file or the
//! environment for settings.

mod ids;
mod reader;
mod secret;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono_tz::Tz;
use toml::Spanned;
use toml::de::DeTable;

pub use reader::{ConfigErrors, ConfigIssue};
pub use secret::{Secret, SecretSource};

use crate::i18n::Lang;
use crate::t;
use reader::{Document, TableReader};

/// Where the config is looked for when neither `--config` nor `MAGNET_CONFIG` is given.
pub const DEFAULT_PATH: &str = "config/magnet.toml";

/// The config used when the default file does not exist: SQLite in `data/`, two demo
/// pillars, no chat platforms.
pub const EMBEDDED_DEFAULT: &str = include_str!("../../config/default.toml");

/// Everything magnet was configured with, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from (`<embedded default>` when none).
    pub source: PathBuf,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub matrix: Option<MatrixConfig>,
    pub discord: Option<DiscordConfig>,
    pub secretariat: Secretariat,
    pub pillars: Vec<Pillar>,
    pub reports: Reports,
    pub bridge: BridgeConfig,
    pub schedule: ScheduleConfig,
    pub surveys: SurveysConfig,
    pub actions: ActionsConfig,
}

/// Action items (`[actions]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionsConfig {
    /// How long before its due date (at 09:00 on the pillar's clock) an action's owner is
    /// reminded.
    pub remind_before: Duration,
}

impl Default for ActionsConfig {
    fn default() -> Self {
        ActionsConfig {
            remind_before: Duration::from_secs(24 * 3600),
        }
    }
}

/// Surveys (`[surveys]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveysConfig {
    /// An anonymous survey's results are shown only once this many people answered.
    pub anonymous_min: i64,
    /// The key of the voters' hashes in anonymous surveys (`voter_key_env` or
    /// `voter_key_file`): kept out of the database, so that the database alone cannot tell
    /// who answered. Without it anonymous surveys are refused.
    pub voter_key: Option<SecretSource>,
}

impl Default for SurveysConfig {
    fn default() -> Self {
        SurveysConfig {
            anonymous_min: 5,
            voter_key: None,
        }
    }
}

/// How the scheduler treats reminders it could not send on time (`[schedule]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScheduleConfig {
    pub lateness: crate::schedule::reminders::LatenessPolicy,
}

/// How the bridge delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeConfig {
    /// Failed tries of one delivery, while its platform takes other rooms' deliveries,
    /// before it is dead-lettered (rate limits and outages do not count).
    pub max_attempts: u32,
    /// Refusals in a row, for the same reason, after which a room's deliveries pause until
    /// the secretariat resumes them.
    pub pause_after_refusals: u32,
    /// Relays into Matrix rooms go out as notices (shown quieter, never answered by bots).
    pub matrix_notices: bool,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            max_attempts: 10,
            pause_after_refusals: 5,
            matrix_notices: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`; never holds a password.
    pub url: String,
    /// The PostgreSQL password, when the server wants one.
    pub password: Option<SecretSource>,
    pub max_connections: u32,
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Where `/healthz` and `/metrics` are served; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The secret the calendar feeds' links are derived from (`calendar_secret_env` or
    /// `calendar_secret_file`); without it the feeds are not served over HTTP.
    pub calendar_secret: Option<SecretSource>,
}

#[derive(Debug, Clone)]
pub struct MatrixConfig {
    pub homeserver: url::Url,
    pub user_id: String,
    pub credential: MatrixCredential,
    /// matrix-sdk's own store (keys, sync token cache) and the saved session.
    pub store_dir: PathBuf,
    pub device_name: String,
}

/// How the Matrix account logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatrixCredential {
    /// Log in with a password the first time; the session is saved and reused afterwards.
    Password(SecretSource),
    /// Use an existing access token.
    AccessToken(SecretSource),
}

#[derive(Debug, Clone)]
pub struct DiscordConfig {
    pub token: SecretSource,
    pub application_id: u64,
    /// `https://discord.com/api` in production, the simulator's address in tests.
    pub api_base: url::Url,
}

/// Who may run commands that change things, and where the secretariat works.
#[derive(Debug, Clone, Default)]
pub struct Secretariat {
    pub matrix_users: Vec<String>,
    /// Members of the secretariat's Matrix rooms with at least this power level count too.
    pub matrix_min_power_level: Option<i64>,
    pub matrix_rooms: Vec<String>,
    pub discord_roles: Vec<u64>,
    pub discord_channels: Vec<u64>,
    /// The language of the bot's messages in the secretariat's rooms (`en` by default).
    pub language: String,
}

impl Secretariat {
    /// [`Secretariat::language`] as the bot speaks it.
    pub fn lang(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::from_tag(&self.language).unwrap_or_default()
    }
}

/// A sectoral group with its own rooms.
#[derive(Debug, Clone)]
pub struct Pillar {
    pub id: String,
    pub name: String,
    pub language: String,
    pub timezone: Tz,
    pub matrix_rooms: Vec<String>,
    pub discord_channels: Vec<u64>,
    pub reminder_offsets: Vec<Duration>,
    /// Whether a room-wide ping (@everyone, @here, @room) crosses to the pillar's other
    /// rooms when its sender had the right to ping their own room.
    pub allow_room_pings: bool,
    /// Who may post the pillar's summaries as drafts for the secretariat to approve
    /// (`rapporteurs = { matrix = [...], discord = [...] }`).
    pub rapporteurs_matrix: Vec<String>,
    pub rapporteurs_discord: Vec<u64>,
}

impl Pillar {
    /// [`Pillar::language`] as the bot speaks it.
    pub fn lang(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::from_tag(&self.language).unwrap_or_default()
    }
}

/// Whether `text` is a Matrix user id (`@local:server`).
pub fn is_matrix_user_id(text: &str) -> bool {
    ids::matrix_user_id(text, crate::i18n::Lang::En).is_ok()
}

#[derive(Debug, Clone)]
pub struct Reports {
    /// The cron rule as written (5 fields, or 6-7 with seconds).
    pub schedule_rule: String,
    pub schedule: cron::Schedule,
    pub timezone: Tz,
    pub output_dir: PathBuf,
    pub formats: Vec<ReportFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
    Csv,
}

impl ReportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "markdown",
            ReportFormat::Html => "html",
            ReportFormat::Csv => "csv",
        }
    }
}

/// Reads and validates the config file at `path`; mistakes are said in English.
pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
    load_in(path, Lang::En)
}

/// Reads and validates the config file at `path`; mistakes are said in `lang` (for the
/// command line, the language of the environment).
pub fn load_in(path: &Path, lang: Lang) -> Result<Config, ConfigErrors> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_in(path, &text, lang),
        Err(error) => Err(ConfigErrors {
            issues: vec![ConfigIssue {
                file: path.to_path_buf(),
                line: 0,
                key: "(file)".into(),
                message: t!(lang, "config-cannot-read", error = error.to_string()),
            }],
            lang,
        }),
    }
}

/// Validates config text; `path` is used in messages only, which are in English.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigErrors> {
    parse_in(path, text, Lang::En)
}

/// Validates config text; `path` is used in messages only, which are in `lang`.
pub fn parse_in(path: &Path, text: &str, lang: Lang) -> Result<Config, ConfigErrors> {
    let mut doc = Document::new(path, text, lang);
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            let message = t!(lang, "config-not-toml", error = error.message().trim());
            doc.report(&span, "(syntax)", message);
            return doc.into_result(None).map(|_: Option<()>| unreachable!());
        }
    };
    let mut top = TableReader::new("", root.span(), root.get_ref());
    let database = read_database(&mut doc, &mut top);
    let http = read_http(&mut doc, &mut top);
    let matrix = top.table(&mut doc, "matrix").and_then(|t| read_matrix(&mut doc, t));
    let discord = top.table(&mut doc, "discord").and_then(|t| read_discord(&mut doc, t));
    let secretariat = read_secretariat(&mut doc, &mut top);
    let pillars = read_pillars(&mut doc, &mut top);
    let reports = read_reports(&mut doc, &mut top);
    let bridge = read_bridge(&mut doc, &mut top);
    let schedule = read_schedule(&mut doc, &mut top);
    let surveys = read_surveys(&mut doc, &mut top);
    let actions = read_actions(&mut doc, &mut top);
    top.finish(&mut doc);
    let sections = (
        root.get_ref().contains_key("matrix"),
        root.get_ref().contains_key("discord"),
    );
    check_platforms_configured(&mut doc, sections, &secretariat, &pillars);

    let config = match (database, http, reports, surveys) {
        (Some(database), Some(http), Some(reports), Some(surveys)) if !doc.has_issues() => Some(Config {
            source: path.to_path_buf(),
            database,
            http,
            matrix,
            discord,
            secretariat,
            pillars,
            reports,
            bridge,
            schedule,
            surveys,
            actions,
        }),
        _ => None,
    };
    doc.into_result(config)
        .map(|config| config.expect("a config without issues is complete"))
}

/// The embedded default config, for a first run without a config file.
pub fn embedded_default() -> Config {
    parse(Path::new("<embedded default>"), EMBEDDED_DEFAULT).expect("the embedded default config is valid")
}

fn read_database(doc: &mut Document, top: &mut TableReader) -> Option<DatabaseConfig> {
    let default_url = "sqlite://data/magnet.db".to_string();
    let Some(mut table) = top.table(doc, "database") else {
        return Some(DatabaseConfig {
            url: default_url,
            password: None,
            max_connections: 8,
        });
    };
    table.allow("url");
    let url = match table.get("url") {
        Some(_) => table.string(doc, "url").map(|url| {
            let span = url.span();
            (url.into_inner(), span)
        }),
        None => Some((default_url, table.span())),
    };
    let lang = doc.lang();
    let password = read_secret_source(doc, &mut table, "password", t!(lang, "config-secret-database-password"));
    let max_connections = table
        .integer(doc, "max_connections")
        .map(|n| {
            let span = n.span();
            let n = n.into_inner();
            if (1..=1000).contains(&n) {
                n as u32
            } else {
                doc.report(
                    &span,
                    "database.max_connections",
                    t!(lang, "config-max-connections-range", found = n.to_string()),
                );
                8
            }
        })
        .unwrap_or(8);
    table.finish(doc);
    let (url, span) = url?;
    if let Err(message) = check_database_url(&url, lang) {
        doc.report(&span, "database.url", message);
        return None;
    }
    Some(DatabaseConfig {
        url,
        password: password.flatten(),
        max_connections,
    })
}

fn check_database_url(url: &str, lang: Lang) -> Result<(), String> {
    let expected = t!(lang, "config-database-url-expected");
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(t!(lang, "config-database-url-found", expected = expected, url = url));
    };
    match scheme {
        "sqlite" => {
            let path = rest.trim_start_matches("//");
            if path.is_empty() {
                return Err(t!(lang, "config-database-url-no-file", expected = expected));
            }
            Ok(())
        }
        "postgres" | "postgresql" => {
            let parsed = url::Url::parse(url).map_err(|error| {
                t!(
                    lang,
                    "config-database-url-invalid",
                    expected = expected.as_str(),
                    error = error.to_string(),
                )
            })?;
            if parsed.password().is_some() {
                return Err(t!(lang, "config-database-url-password"));
            }
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(t!(lang, "config-database-url-no-host", expected = expected));
            }
            Ok(())
        }
        other => Err(t!(lang, "config-database-scheme", scheme = other, expected = expected)),
    }
}

fn read_bridge(doc: &mut Document, top: &mut TableReader) -> BridgeConfig {
    let mut config = BridgeConfig::default();
    let Some(mut table) = top.table(doc, "bridge") else {
        return config;
    };
    let lang = doc.lang();
    if let Some(n) = table.integer(doc, "max_attempts") {
        match u32::try_from(*n.get_ref()) {
            Ok(attempts @ 1..=100) => config.max_attempts = attempts,
            _ => doc.report(
                &n.span(),
                "bridge.max_attempts",
                t!(lang, "config-max-attempts-range", found = n.get_ref().to_string()),
            ),
        }
    }
    if let Some(n) = table.integer(doc, "pause_after_refusals") {
        match u32::try_from(*n.get_ref()) {
            Ok(refusals @ 2..=1000) => config.pause_after_refusals = refusals,
            _ => doc.report(
                &n.span(),
                "bridge.pause_after_refusals",
                t!(
                    lang,
                    "config-pause-after-refusals-range",
                    found = n.get_ref().to_string()
                ),
            ),
        }
    }
    if let Some(notices) = table.boolean(doc, "matrix_notices") {
        config.matrix_notices = *notices.get_ref();
    }
    table.finish(doc);
    config
}

fn read_schedule(doc: &mut Document, top: &mut TableReader) -> ScheduleConfig {
    let mut config = ScheduleConfig::default();
    let Some(mut table) = top.table(doc, "schedule") else {
        return config;
    };
    let mut span = |doc: &mut Document, key: &'static str, full: &str| {
        let text = table.string(doc, key)?;
        match humantime::parse_duration(text.get_ref()) {
            Ok(duration) if duration <= Duration::from_secs(7 * 24 * 3600) => chrono::Duration::from_std(duration).ok(),
            _ => {
                let message = t!(doc.lang(), "config-schedule-duration", found = text.get_ref());
                doc.report(&text.span(), full, message);
                None
            }
        }
    };
    if let Some(grace) = span(doc, "grace", "schedule.grace") {
        config.lateness.grace = grace;
    }
    if let Some(limit) = span(doc, "late_limit", "schedule.late_limit") {
        config.lateness.limit = limit;
    }
    table.finish(doc);
    config
}

fn read_surveys(doc: &mut Document, top: &mut TableReader) -> Option<SurveysConfig> {
    let mut config = SurveysConfig::default();
    let Some(mut table) = top.table(doc, "surveys") else {
        return Some(config);
    };
    let lang = doc.lang();
    if let Some(n) = table.integer(doc, "anonymous_min") {
        match *n.get_ref() {
            min @ 1..=1000 => config.anonymous_min = min,
            _ => doc.report(
                &n.span(),
                "surveys.anonymous_min",
                t!(lang, "config-anonymous-min-range", found = n.get_ref().to_string()),
            ),
        }
    }
    let what = t!(lang, "config-secret-voter-key");
    config.voter_key = read_secret_source(doc, &mut table, "voter_key", what)?;
    table.finish(doc);
    Some(config)
}

fn read_actions(doc: &mut Document, top: &mut TableReader) -> ActionsConfig {
    let mut config = ActionsConfig::default();
    let Some(mut table) = top.table(doc, "actions") else {
        return config;
    };
    if let Some(before) = table.string(doc, "remind_before") {
        match humantime::parse_duration(before.get_ref()) {
            Ok(span) if span <= Duration::from_secs(30 * 24 * 3600) => config.remind_before = span,
            _ => doc.report(
                &before.span(),
                "actions.remind_before",
                t!(doc.lang(), "config-action-remind-before", found = before.get_ref()),
            ),
        }
    }
    table.finish(doc);
    config
}

fn read_http(doc: &mut Document, top: &mut TableReader) -> Option<HttpConfig> {
    let default = HttpConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        calendar_secret: None,
    };
    let Some(mut table) = top.table(doc, "http") else {
        return Some(default);
    };
    let listen = table.string(doc, "listen");
    let what = t!(doc.lang(), "config-secret-calendar");
    let calendar_secret = read_secret_source(doc, &mut table, "calendar_secret", what)?;
    table.finish(doc);
    let Some(listen) = listen else {
        return Some(HttpConfig {
            calendar_secret,
            ..default
        });
    };
    match listen.get_ref().parse::<SocketAddr>() {
        Ok(addr) => Some(HttpConfig {
            listen: addr,
            calendar_secret,
        }),
        Err(_) => {
            let message = t!(doc.lang(), "config-listen", found = listen.get_ref());
            doc.report(&listen.span(), "http.listen", message);
            None
        }
    }
}

/// Reads `<name>_env` / `<name>_file`, refusing `<name>` itself. Returns `None` on error,
/// `Some(None)` when neither is given. `what` names the secret (a `config-secret-*`
/// message in the document's language).
fn read_secret_source(
    doc: &mut Document,
    table: &mut TableReader,
    name: &'static str,
    what: String,
) -> Option<Option<SecretSource>> {
    let lang = doc.lang();
    let (env_key, file_key) = secret_keys(name);
    if let Some(found) = table.get(name) {
        // An `_env` or `_file` key beside it is not a second mistake: one report is enough.
        table.allow(env_key);
        table.allow(file_key);
        doc.report(
            &found.span,
            &found.key,
            t!(
                lang,
                "config-secret-inline",
                what = what,
                env = env_key,
                file = file_key
            ),
        );
        return None;
    }
    let env = table.string(doc, env_key);
    let file = table.string(doc, file_key);
    let source = match (env, file) {
        (Some(_), Some(file)) => {
            doc.report(
                &file.span(),
                &table.key_path(file_key),
                t!(lang, "config-secret-both", env = env_key, file = file_key),
            );
            return None;
        }
        (Some(env), None) => (
            SecretSource::Env(env.get_ref().clone()),
            env.span(),
            table.key_path(env_key),
        ),
        (None, Some(file)) => (
            SecretSource::File(PathBuf::from(file.get_ref())),
            file.span(),
            table.key_path(file_key),
        ),
        (None, None) => return Some(None),
    };
    if let Err(reason) = source.0.read_in(lang) {
        doc.report(
            &source.1,
            &source.2,
            t!(lang, "config-secret-unavailable", what = what, reason = reason),
        );
        return None;
    }
    Some(Some(source.0))
}

fn secret_keys(name: &'static str) -> (&'static str, &'static str) {
    match name {
        "password" => ("password_env", "password_file"),
        "access_token" => ("access_token_env", "access_token_file"),
        "token" => ("token_env", "token_file"),
        "calendar_secret" => ("calendar_secret_env", "calendar_secret_file"),
        "voter_key" => ("voter_key_env", "voter_key_file"),
        _ => unreachable!("unknown secret name {name}"),
    }
}

fn read_matrix(doc: &mut Document, mut table: TableReader) -> Option<MatrixConfig> {
    let lang = doc.lang();
    let homeserver = table.required_string(doc, "homeserver", &t!(lang, "config-expected-homeserver"));
    let user_id = table.required_string(doc, "user_id", &t!(lang, "config-expected-matrix-user"));
    let password = read_secret_source(doc, &mut table, "password", t!(lang, "config-secret-matrix-password"));
    let token = read_secret_source(doc, &mut table, "access_token", t!(lang, "config-secret-matrix-token"));
    let store_dir = table.string(doc, "store_dir");
    let device_name = table.string(doc, "device_name");
    let span = table.span();
    table.finish(doc);

    let homeserver = homeserver.and_then(|url| parse_http_url(doc, &url, "matrix.homeserver"));
    if let Some(user) = &user_id
        && let Err(message) = ids::matrix_user_id(user.get_ref(), lang)
    {
        doc.report(&user.span(), "matrix.user_id", message);
    }
    let credential = match (password?, token?) {
        (Some(password), None) => MatrixCredential::Password(password),
        (None, Some(token)) => MatrixCredential::AccessToken(token),
        (Some(_), Some(_)) => {
            doc.report(&span, "matrix", t!(lang, "config-matrix-credential-both"));
            return None;
        }
        (None, None) => {
            doc.report(
                &span,
                "matrix.password_env",
                t!(lang, "config-matrix-credential-missing"),
            );
            return None;
        }
    };
    Some(MatrixConfig {
        homeserver: homeserver?,
        user_id: user_id?.into_inner(),
        credential,
        store_dir: store_dir.map_or_else(|| PathBuf::from("data/matrix"), |dir| PathBuf::from(dir.into_inner())),
        device_name: device_name.map_or_else(|| "magnet".to_string(), Spanned::into_inner),
    })
}

fn read_discord(doc: &mut Document, mut table: TableReader) -> Option<DiscordConfig> {
    let lang = doc.lang();
    let token = read_secret_source(doc, &mut table, "token", t!(lang, "config-secret-discord-token"));
    let application_id = table.id_list_single(doc, "application_id");
    let api_base = table.string(doc, "api_base");
    let span = table.span();
    table.finish(doc);

    let token = match token? {
        Some(token) => token,
        None => {
            doc.report(&span, "discord.token_env", t!(lang, "config-discord-token-missing"));
            return None;
        }
    };
    let application_id = match application_id {
        Some(id) => match ids::discord_snowflake(id.get_ref(), lang) {
            Ok(id) => Some(id),
            Err(message) => {
                doc.report(&id.span(), "discord.application_id", message);
                None
            }
        },
        None => {
            let expected = t!(lang, "config-expected-application-id");
            doc.report(
                &span,
                "discord.application_id",
                t!(lang, "config-missing", expected = expected),
            );
            None
        }
    };
    let api_base = match api_base {
        Some(url) => parse_http_url(doc, &url, "discord.api_base"),
        None => Some(url::Url::parse("https://discord.com/api").expect("a valid URL")),
    };
    Some(DiscordConfig {
        token,
        application_id: application_id?,
        api_base: api_base?,
    })
}

impl TableReader<'_, '_> {
    /// One id written as a string or an integer.
    fn id_list_single(&mut self, doc: &mut Document, key: &'static str) -> Option<Spanned<String>> {
        let found = self.get(key)?;
        if let Some(number) = found.value.as_integer() {
            return Some(Spanned::new(found.span, number.as_str().replace('_', "")));
        }
        self.string(doc, key)
    }
}

fn parse_http_url(doc: &mut Document, text: &Spanned<String>, key: &str) -> Option<url::Url> {
    match url::Url::parse(text.get_ref()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Some(url),
        _ => {
            let message = t!(doc.lang(), "config-http-url", found = text.get_ref());
            doc.report(&text.span(), key, message);
            None
        }
    }
}

fn read_secretariat(doc: &mut Document, top: &mut TableReader) -> Secretariat {
    let Some(mut table) = top.table(doc, "secretariat") else {
        return Secretariat::default();
    };
    let matrix_users = table.string_list(doc, "matrix_users");
    let power = table.integer(doc, "matrix_min_power_level");
    let matrix_rooms = table.string_list(doc, "matrix_rooms");
    let discord_roles = table.id_list(doc, "discord_roles");
    let discord_channels = table.id_list(doc, "discord_channels");
    let language = table.string(doc, "language");
    table.finish(doc);

    let lang = doc.lang();
    let mut secretariat = Secretariat {
        language: language_checked(doc, language, "secretariat.language"),
        ..Secretariat::default()
    };
    for user in matrix_users {
        match ids::matrix_user_id(user.get_ref(), lang) {
            Ok(()) => secretariat.matrix_users.push(user.into_inner()),
            Err(message) => doc.report(&user.span(), "secretariat.matrix_users", message),
        }
    }
    if let Some(power) = power {
        if (0..=100).contains(power.get_ref()) {
            secretariat.matrix_min_power_level = Some(power.into_inner());
        } else {
            doc.report(
                &power.span(),
                "secretariat.matrix_min_power_level",
                t!(lang, "config-power-level"),
            );
        }
    }
    secretariat.matrix_rooms = matrix_rooms_checked(doc, matrix_rooms, "secretariat.matrix_rooms");
    secretariat.discord_roles = snowflakes_checked(doc, discord_roles, "secretariat.discord_roles");
    secretariat.discord_channels = snowflakes_checked(doc, discord_channels, "secretariat.discord_channels");
    secretariat
}

/// A language the bot has messages in (`en` when none is given).
fn language_checked(doc: &mut Document, language: Option<Spanned<String>>, key: &str) -> String {
    let Some(language) = language else {
        return "en".to_string();
    };
    let lang = doc.lang();
    if let Err(message) = ids::language_tag(language.get_ref(), lang) {
        doc.report(&language.span(), key, message);
    } else if Lang::from_tag(language.get_ref()).is_none() {
        doc.report(
            &language.span(),
            key,
            t!(
                lang,
                "config-language-unknown",
                tag = language.get_ref(),
                known = Lang::known_tags(),
            ),
        );
    }
    language.into_inner()
}

fn matrix_rooms_checked(doc: &mut Document, rooms: Vec<Spanned<String>>, key: &str) -> Vec<String> {
    let mut valid = Vec::new();
    for room in rooms {
        match ids::matrix_room(room.get_ref(), doc.lang()) {
            Ok(()) => valid.push(room.into_inner()),
            Err(message) => doc.report(&room.span(), key, message),
        }
    }
    valid
}

fn snowflakes_checked(doc: &mut Document, ids_found: Vec<Spanned<String>>, key: &str) -> Vec<u64> {
    let mut valid = Vec::new();
    for id in ids_found {
        match ids::discord_snowflake(id.get_ref(), doc.lang()) {
            Ok(id) => valid.push(id),
            Err(message) => doc.report(&id.span(), key, message),
        }
    }
    valid
}

fn read_pillars(doc: &mut Document, top: &mut TableReader) -> Vec<Pillar> {
    let lang = doc.lang();
    let tables = top.table_list(doc, "pillars");
    let mut pillars: Vec<Pillar> = Vec::new();
    // Where each room was first claimed, to name both places when one is listed twice.
    let mut claimed: Vec<(String, String, usize)> = Vec::new();
    for (index, mut table) in tables.into_iter().enumerate() {
        let prefix = format!("pillars[{index}]");
        let id = table.required_string(doc, "id", &t!(lang, "config-expected-pillar-id"));
        let name = table.required_string(doc, "name", &t!(lang, "config-expected-pillar-name"));
        let language = table.string(doc, "language");
        let timezone = table.required_string(doc, "timezone", &t!(lang, "config-expected-timezone"));
        table.allow("matrix_rooms");
        table.allow("discord_channels");
        let matrix_rooms = table.string_list(doc, "matrix_rooms");
        let discord_channels = table.id_list(doc, "discord_channels");
        let offsets = table.string_list(doc, "reminder_offsets");
        let allow_room_pings = table
            .boolean(doc, "allow_room_pings")
            .is_some_and(|allowed| *allowed.get_ref());
        let (rapporteurs_matrix, rapporteurs_discord) = match table.table(doc, "rapporteurs") {
            Some(mut people) => {
                let matrix = people.string_list(doc, "matrix");
                let discord = people.id_list(doc, "discord");
                people.finish(doc);
                (matrix, discord)
            }
            None => (Vec::new(), Vec::new()),
        };
        table.finish(doc);

        if let Some(id) = &id {
            if let Err(message) = ids::pillar_id(id.get_ref(), lang) {
                doc.report(&id.span(), &format!("{prefix}.id"), message);
            } else if pillars.iter().any(|p| &p.id == id.get_ref()) {
                doc.report(
                    &id.span(),
                    &format!("{prefix}.id"),
                    t!(lang, "config-pillar-twice", id = id.get_ref()),
                );
            }
        }
        let language = language_checked(doc, language, &format!("{prefix}.language"));
        let timezone = timezone.and_then(|tz| parse_timezone(doc, &tz, &format!("{prefix}.timezone")));
        let reminder_offsets = parse_offsets(doc, offsets, &format!("{prefix}.reminder_offsets"));

        for room in matrix_rooms.iter().chain(discord_channels.iter()) {
            let line = doc.line_of(room.span().start);
            if let Some((_, other_pillar, other_line)) = claimed.iter().find(|(seen, _, _)| seen == room.get_ref()) {
                doc.report(
                    &room.span(),
                    &prefix,
                    t!(
                        lang,
                        "config-room-twice",
                        room = room.get_ref(),
                        pillar = other_pillar.as_str(),
                        line = other_line.to_string(),
                    ),
                );
            } else {
                let owner = id.as_ref().map_or_else(|| prefix.clone(), |id| id.get_ref().clone());
                claimed.push((room.get_ref().clone(), owner, line));
            }
        }
        let matrix_rooms = matrix_rooms_checked(doc, matrix_rooms, &format!("{prefix}.matrix_rooms"));
        let discord_channels = snowflakes_checked(doc, discord_channels, &format!("{prefix}.discord_channels"));
        let mut matrix_rapporteurs = Vec::new();
        for user in rapporteurs_matrix {
            match ids::matrix_user_id(user.get_ref(), lang) {
                Ok(()) => matrix_rapporteurs.push(user.into_inner()),
                Err(message) => doc.report(&user.span(), &format!("{prefix}.rapporteurs.matrix"), message),
            }
        }
        let discord_rapporteurs =
            snowflakes_checked(doc, rapporteurs_discord, &format!("{prefix}.rapporteurs.discord"));

        if let (Some(id), Some(name), Some(timezone)) = (id, name, timezone) {
            pillars.push(Pillar {
                id: id.into_inner(),
                name: name.into_inner(),
                language,
                timezone,
                matrix_rooms,
                discord_channels,
                reminder_offsets,
                allow_room_pings,
                rapporteurs_matrix: matrix_rapporteurs,
                rapporteurs_discord: discord_rapporteurs,
            });
        }
    }
    pillars
}

fn parse_timezone(doc: &mut Document, text: &Spanned<String>, key: &str) -> Option<Tz> {
    match Tz::from_str(text.get_ref()) {
        Ok(tz) => Some(tz),
        Err(_) => {
            let message = t!(doc.lang(), "config-timezone", zone = text.get_ref());
            doc.report(&text.span(), key, message);
            None
        }
    }
}

fn parse_offsets(doc: &mut Document, offsets: Vec<Spanned<String>>, key: &str) -> Vec<Duration> {
    if offsets.is_empty() {
        return vec![Duration::from_secs(24 * 3600), Duration::from_secs(3600)];
    }
    let lang = doc.lang();
    let mut parsed = Vec::new();
    for offset in offsets {
        match humantime::parse_duration(offset.get_ref()) {
            Ok(duration)
                if duration >= Duration::from_secs(60)
                    && duration.as_secs() <= crate::schedule::when::MAX_OFFSET_SECONDS as u64 =>
            {
                parsed.push(duration)
            }
            _ => doc.report(
                &offset.span(),
                key,
                t!(lang, "config-reminder-offset", found = offset.get_ref()),
            ),
        }
    }
    parsed.sort_by(|a, b| b.cmp(a));
    parsed.dedup();
    parsed
}

fn read_reports(doc: &mut Document, top: &mut TableReader) -> Option<Reports> {
    let lang = doc.lang();
    let mut table = top.table(doc, "reports");
    let (schedule, timezone, output_dir, formats) = match table.as_mut() {
        Some(table) => (
            table.string(doc, "schedule"),
            table.string(doc, "timezone"),
            table.string(doc, "output_dir"),
            table.string_list(doc, "formats"),
        ),
        None => (None, None, None, Vec::new()),
    };
    if let Some(table) = table {
        table.finish(doc);
    }
    let schedule_rule = schedule
        .as_ref()
        .map_or("0 8 1 * *", |s| s.get_ref().as_str())
        .to_string();
    let parsed = match parse_cron_in(&schedule_rule, lang) {
        Ok(schedule) => Some(schedule),
        Err(message) => {
            let span = schedule.as_ref().map_or(0..0, Spanned::span);
            doc.report(&span, "reports.schedule", message);
            None
        }
    };
    let timezone = match &timezone {
        Some(tz) => parse_timezone(doc, tz, "reports.timezone"),
        None => Some(Tz::UTC),
    };
    let mut report_formats = Vec::new();
    for format in &formats {
        match format.get_ref().as_str() {
            "markdown" => report_formats.push(ReportFormat::Markdown),
            "html" => report_formats.push(ReportFormat::Html),
            "csv" => report_formats.push(ReportFormat::Csv),
            other => doc.report(
                &format.span(),
                "reports.formats",
                t!(lang, "config-report-format", format = other),
            ),
        }
    }
    if formats.is_empty() {
        report_formats = vec![ReportFormat::Markdown, ReportFormat::Html, ReportFormat::Csv];
    }
    Some(Reports {
        schedule_rule,
        schedule: parsed?,
        timezone: timezone?,
        output_dir: output_dir.map_or_else(|| PathBuf::from("data/reports"), |dir| PathBuf::from(dir.into_inner())),
        formats: report_formats,
    })
}

/// Parses a cron rule. Five fields (minute hour day month weekday) as operators write them,
/// or six/seven with seconds (and year) as the `cron` crate reads them. What is wrong is
/// said in English.
pub fn parse_cron(rule: &str) -> Result<cron::Schedule, String> {
    parse_cron_in(rule, Lang::En)
}

/// [`parse_cron`], saying what is wrong in `lang` (the cron crate's own reason stays in
/// English).
pub fn parse_cron_in(rule: &str, lang: Lang) -> Result<cron::Schedule, String> {
    let fields = rule.split_whitespace().count();
    let full = match fields {
        5 => format!("0 {rule}"),
        6 | 7 => rule.to_string(),
        _ => return Err(t!(lang, "config-cron-fields", fields = fields, rule = rule)),
    };
    let schedule = cron::Schedule::from_str(&full)
        .map_err(|error| t!(lang, "config-cron-invalid", rule = rule, error = error.to_string()))?;
    if schedule.upcoming(chrono::Utc).next().is_none() {
        return Err(t!(lang, "config-cron-never", rule = rule));
    }
    Ok(schedule)
}

/// A pillar naming Matrix rooms needs a Matrix account to reach them, and so on.
fn check_platforms_configured(
    doc: &mut Document,
    (has_matrix, has_discord): (bool, bool),
    secretariat: &Secretariat,
    pillars: &[Pillar],
) {
    let uses_matrix = pillars.iter().any(|p| !p.matrix_rooms.is_empty()) || !secretariat.matrix_rooms.is_empty();
    let uses_discord =
        pillars.iter().any(|p| !p.discord_channels.is_empty()) || !secretariat.discord_channels.is_empty();
    let lang = doc.lang();
    if uses_matrix && !has_matrix {
        doc.report(&(0..0), "matrix", t!(lang, "config-matrix-missing"));
    }
    if uses_discord && !has_discord {
        doc.report(&(0..0), "discord", t!(lang, "config-discord-missing"));
    }
}

impl Config {
    /// Every Matrix room the bot serves: the pillars' and the secretariat's.
    pub fn matrix_rooms(&self) -> impl Iterator<Item = &String> {
        self.pillars
            .iter()
            .flat_map(|pillar| pillar.matrix_rooms.iter())
            .chain(self.secretariat.matrix_rooms.iter())
    }

    /// Every Discord channel the bot serves: the pillars' and the secretariat's.
    pub fn discord_channels(&self) -> impl Iterator<Item = u64> + '_ {
        self.pillars
            .iter()
            .flat_map(|pillar| pillar.discord_channels.iter())
            .chain(self.secretariat.discord_channels.iter())
            .copied()
    }

    /// A human-readable account of what was resolved, for `magnet check-config`, in `lang`.
    /// Secrets are described by where they come from, never shown.
    pub fn describe(&self, lang: Lang) -> String {
        use std::fmt::Write;
        let none = || t!(lang, "config-describe-none");
        let list = |items: Vec<String>| if items.is_empty() { none() } else { items.join(", ") };
        let strings = |items: &[String]| list(items.to_vec());
        let ids = |items: &[u64]| list(items.iter().map(ToString::to_string).collect());
        let mut out = String::new();
        let mut line = |indent: &str, text: String| {
            let _ = writeln!(out, "{indent}{text}");
        };
        line(
            "",
            t!(lang, "config-describe-source", path = self.source.display().to_string()),
        );
        line(
            "",
            t!(lang, "config-describe-database", url = self.database.url.as_str()),
        );
        if let Some(password) = &self.database.password {
            line(
                "  ",
                t!(lang, "config-describe-password", source = password.describe(lang)),
            );
        }
        line(
            "",
            t!(lang, "config-describe-http", address = self.http.listen.to_string()),
        );
        match &self.matrix {
            Some(m) => {
                let credential = match &m.credential {
                    MatrixCredential::Password(source) => {
                        t!(lang, "config-describe-password", source = source.describe(lang))
                    }
                    MatrixCredential::AccessToken(source) => {
                        t!(lang, "config-describe-access-token", source = source.describe(lang))
                    }
                };
                line(
                    "",
                    t!(
                        lang,
                        "config-describe-matrix",
                        user = m.user_id.as_str(),
                        homeserver = m.homeserver.to_string(),
                        credential = credential,
                        store = m.store_dir.display().to_string(),
                    ),
                );
            }
            None => line("", t!(lang, "config-describe-matrix-none")),
        }
        match &self.discord {
            // Ids are passed as text: a number would be grouped (1,093,848...).
            Some(d) => line(
                "",
                t!(
                    lang,
                    "config-describe-discord",
                    application = d.application_id.to_string(),
                    api = d.api_base.to_string(),
                    source = d.token.describe(lang),
                ),
            ),
            None => line("", t!(lang, "config-describe-discord-none")),
        }
        let s = &self.secretariat;
        line("", t!(lang, "config-describe-secretariat"));
        line(
            "  ",
            t!(lang, "config-describe-matrix-users", list = strings(&s.matrix_users)),
        );
        if let Some(level) = s.matrix_min_power_level {
            line("  ", t!(lang, "config-describe-power-level", level = level));
        }
        line(
            "  ",
            t!(lang, "config-describe-discord-roles", list = ids(&s.discord_roles)),
        );
        line(
            "  ",
            t!(
                lang,
                "config-describe-rooms",
                matrix = strings(&s.matrix_rooms),
                discord = ids(&s.discord_channels),
            ),
        );
        line("", t!(lang, "config-describe-pillars", count = self.pillars.len()));
        for p in &self.pillars {
            let offsets: Vec<i64> = p.reminder_offsets.iter().map(|d| d.as_secs() as i64).collect();
            line(
                "  ",
                t!(
                    lang,
                    "config-describe-pillar",
                    id = p.id.as_str(),
                    name = p.name.as_str(),
                    language = p.language.as_str(),
                    zone = p.timezone.name(),
                    offsets = crate::i18n::format::spans(&offsets, lang),
                ),
            );
            line(
                "    ",
                t!(lang, "config-describe-pillar-matrix", list = strings(&p.matrix_rooms)),
            );
            line(
                "    ",
                t!(lang, "config-describe-pillar-discord", list = ids(&p.discord_channels)),
            );
        }
        // No reports are made yet: a schedule here would promise them.
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_default_is_valid() {
        let config = embedded_default();
        assert!(config.database.url.starts_with("sqlite://"));
        assert!(config.matrix.is_none() && config.discord.is_none());
        assert!(!config.pillars.is_empty());
    }

    #[test]
    fn five_field_cron_rules_are_accepted_and_nonsense_is_not() {
        assert!(parse_cron("0 8 1 * *").is_ok());
        assert!(parse_cron("0 0 8 1 * *").is_ok());
        assert!(parse_cron("61 8 1 * *").is_err());
        assert!(parse_cron("every monday").is_err());
    }

    const WITH_MISTAKES: &str = r#"
[http]
listen = "localhost"

[[pillars]]
id = "civil-society"
name = "Civil society"
timezon = "Europe/Istanbul"

[[pillars]]
id = "authorities"
name = "Authorities"
timezone = "Mars/Olympus"
reminder_offsets = 24
"#;

    #[test]
    fn mistakes_are_said_in_turkish_with_the_same_file_line_and_key() {
        let path = Path::new("magnet.toml");
        let english = parse(path, WITH_MISTAKES).unwrap_err();
        let turkish = parse_in(path, WITH_MISTAKES, Lang::Tr).unwrap_err();
        assert_eq!(english.lang, Lang::En);
        assert_eq!(turkish.lang, Lang::Tr);
        let place = |errors: &ConfigErrors| -> Vec<(PathBuf, usize, String)> {
            errors
                .issues
                .iter()
                .map(|issue| (issue.file.clone(), issue.line, issue.key.clone()))
                .collect()
        };
        assert_eq!(place(&english), place(&turkish));
        let said = |errors: &ConfigErrors, key: &str| -> String {
            let issue = errors.issues.iter().find(|issue| issue.key == key);
            issue.unwrap_or_else(|| panic!("no {key} in {errors}")).message.clone()
        };
        assert_eq!(
            said(&turkish, "http.listen"),
            "beklenen: `127.0.0.1:8080` gibi bir adres ve bağlantı noktası; bulunan: `localhost`"
        );
        assert!(said(&english, "http.listen").starts_with("expected an address and port"));
        assert!(
            said(&turkish, "pillars[0].timezon").starts_with("bilinmeyen anahtar; `timezone` mı demek istediniz?"),
            "{turkish}"
        );
        assert!(said(&english, "pillars[0].timezon").contains("did you mean `timezone`?"));
        assert!(said(&turkish, "pillars[0].timezone").starts_with("eksik; beklenen: "));
        assert!(said(&turkish, "pillars[1].timezone").starts_with("bilinmeyen saat dilimi `Mars/Olympus`"));
        assert_eq!(
            said(&turkish, "pillars[1].reminder_offsets"),
            "beklenen: metinlerden oluşan bir dizi; bulunan: tam sayı"
        );
        assert_eq!(
            said(&english, "pillars[1].reminder_offsets"),
            "expected an array of strings, found integer"
        );

        let header = |errors: &ConfigErrors| errors.to_string().lines().next().unwrap().to_string();
        assert_eq!(header(&english), "5 problems in the configuration:");
        assert_eq!(header(&turkish), "Yapılandırmada 5 sorun var:");
        let one = parse(path, "[http]\nlisten = 1\n").unwrap_err();
        assert_eq!(header(&one), "1 problem in the configuration:");
        // The issue lines keep their `FILE:LINE: KEY: ` form in both.
        assert!(
            turkish
                .to_string()
                .contains("\n  magnet.toml:3: http.listen: beklenen: ")
        );
    }

    #[test]
    fn a_file_that_cannot_be_read_is_said_in_the_language() {
        let missing = Path::new("/nonexistent/magnet.toml");
        let turkish = load_in(missing, Lang::Tr).unwrap_err();
        assert_eq!(turkish.issues[0].key, "(file)");
        assert!(
            turkish.issues[0]
                .message
                .starts_with("yapılandırma dosyası okunamıyor: ")
        );
        assert!(
            load(missing).unwrap_err().issues[0]
                .message
                .starts_with("cannot read the config file: ")
        );
    }

    #[test]
    fn check_config_describes_in_the_language() {
        let mut config = embedded_default();
        config.database.password = Some(SecretSource::File(PathBuf::from("/run/secrets/db")));
        config.secretariat.discord_roles = vec![1093848219043012609];
        let english = config.describe(Lang::En);
        assert!(english.contains("config: <embedded default>\n"), "{english}");
        assert!(
            english.contains("\n  password from file /run/secrets/db\n"),
            "{english}"
        );
        assert!(english.contains("\nmatrix: not configured\n"), "{english}");
        assert!(
            english.contains("\n  discord roles: 1093848219043012609\n"),
            "{english}"
        );
        assert!(english.contains("\n  matrix users: none\n"), "{english}");
        assert!(english.contains(", reminders 24h, 1h\n"), "{english}");
        let turkish = config.describe(Lang::Tr);
        for line in [
            "yapılandırma: <embedded default>\n",
            "veritabanı: sqlite://data/magnet.db\n",
            "\n  parolanın kaynağı: /run/secrets/db dosyası\n",
            "\nhttp: 127.0.0.1:8080 adresini dinliyor\n",
            "\nmatrix: yapılandırılmamış\n",
            "\nsekretarya:\n",
            "\n  matrix kullanıcıları: yok\n",
            "\n  discord rolleri: 1093848219043012609\n",
            "\nçalışma grupları: 2\n",
            ", hatırlatmalar: 24 sa, 1 sa\n",
        ] {
            assert!(turkish.contains(line), "{line:?} not in:\n{turkish}");
        }
        assert_eq!(english.lines().count(), turkish.lines().count());
    }

    #[test]
    fn a_database_url_with_a_password_is_refused() {
        let error = check_database_url("postgres://magnet:hunter2@db.example.org/magnet", Lang::En).unwrap_err();
        assert!(error.contains("password_env"), "{error}");
        assert!(!error.contains("hunter2"));
        assert!(
            check_database_url("mysql://db/magnet", Lang::En)
                .unwrap_err()
                .contains("unsupported")
        );
    }
}
