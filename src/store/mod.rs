//! The one storage API. Everything that must outlive the process (the message id map,
//! the delivery queue, inbound positions, meetings, reminders, surveys, summaries, report
//! runs) goes through [`Store`], on SQLite (the embedded default) or PostgreSQL (shared by
//! several instances). Both run the same SQL through sqlx's `Any` driver; only the
//! migrations differ, and they are versioned in step.

mod bridge;
mod direct_rooms;
mod links;
mod pillars;
mod reports;
mod schedule;
pub mod sole_writer;
mod summaries;
mod surveys;

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use bridge::{
    DeadLetter, Delivery, DeliveryState, InboundRecord, NewDelivery, PausedRoom, Position, ReactionChange, Recorded,
};
pub use links::Redeemed;
pub use pillars::{PillarRow, RoomRow};
pub use schedule::{
    Claimed, DueReminder, Fate, MeetingRow, Moved, NewMeeting, OccurrenceRow, ReminderRow, RsvpCounts, Stretch,
};

pub use reports::{
    ActionFigure, ActivityFigure, DeliveryFigure, ReportRun, SessionFigure, Span, SummaryFigure, SurveyFigure,
};
pub use summaries::{ActionRow, Changed, Found, NewSummary, Revision, SummaryRow, SummaryState};
pub use surveys::{
    Answered, DueTemplate, ExportedAnswer, NewSurvey, NewTemplate, PlannedPost, PostRow, QuestionRow, Respondent,
    SurveyRow, SurveyState, account_key,
};

use crate::config::{DatabaseConfig, Secret};

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Why a storage operation failed. The message never holds a password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    /// Whether waiting cannot cure it: the database refused the change for good (a unique,
    /// foreign key, not-null or check constraint, a value of the wrong type or too large).
    /// Anything else (a connection lost, a lock, a lease) may pass.
    pub fn is_permanent(&self) -> bool {
        let StoreError::Sql(sqlx::Error::Database(error)) = self else {
            return false;
        };
        use sqlx::error::ErrorKind::*;
        if matches!(
            error.kind(),
            UniqueViolation | ForeignKeyViolation | NotNullViolation | CheckViolation | ExclusionViolation
        ) {
            return true;
        }
        match error.code().as_deref() {
            // PostgreSQL SQLSTATE classes 22 (data exception: a value too long, a NUL byte)
            // and 23 (integrity constraint).
            Some(code) if code.len() == 5 => code.starts_with("22") || code.starts_with("23"),
            // SQLite (extended) result codes, never five digits: the primary code is the low
            // byte. 19
            // CONSTRAINT (STRICT types too), 18 TOOBIG, 20 MISMATCH.
            Some(code) => code.parse::<i64>().is_ok_and(|code| matches!(code & 0xff, 18..=20)),
            None => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// On PostgreSQL, once this process holds the instance lease: the backend pid of the
    /// lease's connection. Sends are fenced by it (see `mark_sending`).
    lease_pid: Arc<OnceLock<i32>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Opens the configured database (creating a SQLite file and its folder if missing).
    /// Does not migrate: call [`Store::migrate`].
    pub async fn open(config: &DatabaseConfig) -> Result<Store> {
        let password = match &config.password {
            Some(source) => Some(source.read().map_err(StoreError::Connect)?),
            None => None,
        };
        Store::connect(&config.url, password.as_ref(), config.max_connections).await
    }

    /// Opens a database by URL; `sqlite://PATH` or `postgres://...`.
    pub async fn connect(url: &str, password: Option<&Secret>, max_connections: u32) -> Result<Store> {
        install_default_drivers();
        if let Some(path) = url.strip_prefix("sqlite:") {
            Store::connect_sqlite(path.trim_start_matches("//")).await
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Store::connect_postgres(url, password, max_connections).await
        } else {
            Err(StoreError::Connect(format!(
                "unsupported database URL scheme in `{}`; expected sqlite:// or postgres://",
                url.split(':').next().unwrap_or_default()
            )))
        }
    }

    async fn connect_sqlite(path_and_query: &str) -> Result<Store> {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        if path != ":memory:"
            && let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|error| {
                StoreError::Connect(format!("cannot create the folder {}: {error}", parent.display()))
            })?;
        }
        let mut params: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("mode="))
            .collect();
        params.push("mode=rwc");
        let url = format!("sqlite://{path}?{}", params.join("&"));
        // One connection: SQLite has one writer anyway, and a single connection means a
        // transaction never meets SQLITE_BUSY halfway through.
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|error| StoreError::Connect(format!("SQLite database {path}: {error}")))?;
        Ok(Store {
            pool,
            backend: Backend::Sqlite,
            lease_pid: Arc::default(),
        })
    }

    async fn connect_postgres(url: &str, password: Option<&Secret>, max_connections: u32) -> Result<Store> {
        let mut parsed =
            url::Url::parse(url).map_err(|error| StoreError::Connect(format!("bad PostgreSQL URL: {error}")))?;
        let shown = parsed.clone();
        if let Some(password) = password {
            parsed
                .set_password(Some(password.expose()))
                .map_err(|()| StoreError::Connect("cannot set a password on this PostgreSQL URL".into()))?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect(parsed.as_str())
            .await
            .map_err(|error| {
                StoreError::Connect(format!(
                    "PostgreSQL at {}: {}",
                    redacted(&shown),
                    scrub(error, password)
                ))
            })?;
        Ok(Store {
            pool,
            backend: Backend::Postgres,
            lease_pid: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every migration not yet applied. Safe to run on every start and from several
    /// instances at once (sqlx takes a lock on PostgreSQL).
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// The versions of the migrations applied so far, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    /// Answers whether the database is reachable, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The number of rows in one of magnet's tables, for status output and tests.
    pub async fn table_row_count(&self, table: &str) -> Result<i64> {
        if !TABLES.contains(&table) {
            return Err(StoreError::Invalid(format!("`{table}` is not one of magnet's tables")));
        }
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&self.pool).await?;
        Ok(count)
    }

    /// On PostgreSQL, waits until this process holds the instance lease (an advisory lock
    /// on a connection of its own), so that of several instances on one database exactly one
    /// serves the platforms and runs the scheduler; the others wait here, without polling,
    /// and one takes over when the holder's connection ends (it stopped or died). On
    /// SQLite there is one process per file: `None`.
    pub async fn lead(&self) -> Result<Option<Lease>> {
        if self.backend == Backend::Sqlite {
            return Ok(None);
        }
        let mut connection = self.pool.acquire().await?.detach();
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(LEASE_KEY)
            .execute(&mut connection)
            .await?;
        let (pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
            .fetch_one(&mut connection)
            .await?;
        let _ = self.lease_pid.set(pid);
        Ok(Some(Lease { connection }))
    }

    /// The lease's backend pid, if this process holds (or held) the lease.
    pub(crate) fn lease_pid(&self) -> Option<i32> {
        self.lease_pid.get().copied()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// The advisory lock key of the instance lease ("MAGNET" in ASCII).
const LEASE_KEY: i64 = 0x4d41_474e_4554;

/// The instance lease, held while this value lives and its connection is up.
pub struct Lease {
    connection: sqlx::AnyConnection,
}

impl Lease {
    /// Resolves when the lease is lost (its connection broke or stopped answering): checks
    /// it every two seconds. Sends are fenced meanwhile (`mark_sending`), so a lease lost
    /// between two checks does not let two instances send the same delivery.
    pub async fn lost(&mut self) -> String {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let check = sqlx::query("SELECT 1").execute(&mut self.connection);
            match tokio::time::timeout(Duration::from_secs(5), check).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => return error.to_string(),
                Err(_) => return "the lease's connection stopped answering".into(),
            }
        }
    }
}

/// Every table of the schema.
pub const TABLES: &[&str] = &[
    "pillars",
    "rooms",
    "room_positions",
    "inbound_events",
    "bridged_messages",
    "message_copies",
    "bridged_reactions",
    "deliveries",
    "meetings",
    "meeting_occurrences",
    "reminders",
    "rsvps",
    "attendance",
    "linked_accounts",
    "link_codes",
    "survey_templates",
    "surveys",
    "survey_pillars",
    "survey_questions",
    "survey_posts",
    "survey_answers",
    "survey_anonymous_voters",
    "survey_anonymous_answers",
    "survey_reach",
    "summaries",
    "summary_versions",
    "decisions",
    "action_items",
    "summary_search",
    "report_runs",
    "reports_since",
];

/// Now, as stored: UTC epoch milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn redacted(url: &url::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    shown.to_string()
}

/// Driver errors can quote the connection string; make sure the password is not in it.
fn scrub(error: sqlx::Error, password: Option<&Secret>) -> String {
    let text = error.to_string();
    match password {
        Some(password) if !password.expose().is_empty() => text.replace(password.expose(), "***"),
        _ => text,
    }
}
