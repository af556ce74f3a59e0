//! Making a report: its files in a folder of its own, and for the scheduled report, once
//! per period (claimed in `report_runs`, whichever instance gets there first, again after
//! a failure or a death mid-run), finished together with its posts to the secretariat's
//! rooms in one transaction.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::figures;
use super::period::Period;
use super::render;
use crate::config::{ReportFormat, Reports};
use crate::i18n::Lang;
use crate::store::{NewDelivery, RoomRow, Store, StoreError};

/// A run that started this long ago and never finished belongs to a process that died.
const STALE_MS: i64 = 10 * 60_000;
/// The short text posted with the report, kept beside its files.
pub const CHAT_FILE: &str = "chat.md";

/// What went wrong making a report.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the report to {dir}: {reason}")]
    Write { dir: PathBuf, reason: String },
}

/// A report made: where, which files, and its short chat text.
#[derive(Debug, Clone)]
pub struct Made {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub chat: String,
}

/// The folder of a period's report (and one pillar's) under `root`.
pub fn folder(root: &Path, period: &Period, pillar: Option<&str>) -> PathBuf {
    match pillar {
        Some(pillar) => root.join(format!("{}_{pillar}", period.slug())),
        None => root.join(period.slug()),
    }
}

/// Gathers and writes a report: the formats asked for, and the chat text beside them.
pub async fn make(
    store: &Store,
    period: &Period,
    pillar: Option<&str>,
    formats: &[ReportFormat],
    dir: &Path,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Made, Failure> {
    let report = figures::gather(store, period, pillar, lang, now).await?;
    let unwritable = |reason: String| Failure::Write {
        dir: dir.to_path_buf(),
        reason,
    };
    let mut files = render::write(&report, period, formats, dir).map_err(unwritable)?;
    let chat = render::chat(&report).map_err(|e| unwritable(e.to_string()))?;
    std::fs::write(dir.join(CHAT_FILE), &chat).map_err(|e| unwritable(e.to_string()))?;
    files.sort();
    Ok(Made {
        dir: dir.to_path_buf(),
        files,
        chat,
    })
}

/// The scheduled report due by `now`, if it was not made yet: claimed, made, and finished
/// with `posts(run, secretariat rooms)` queued. A run that failed is tried again only with
/// `retry_failed` (the first round after a start). The run's id when this call made it.
pub async fn scheduled(
    store: &Store,
    config: &Reports,
    lang: Lang,
    instance: &str,
    retry_failed: bool,
    now: DateTime<Utc>,
    posts: impl Fn(i64, &[RoomRow]) -> Vec<NewDelivery>,
) -> Result<Option<i64>, StoreError> {
    let Some((period, due)) = Period::scheduled(&config.schedule, config.timezone, now) else {
        return Ok(None);
    };
    if due.timestamp_millis() < store.reports_since().await? {
        return Ok(None);
    }
    let now_ms = now.timestamp_millis();
    let Some(run) = store
        .claim_scheduled_report(period.span(), instance, retry_failed, now_ms, now_ms - STALE_MS)
        .await?
    else {
        return Ok(None);
    };
    crate::fault::point("report-claimed");
    let dir = folder(&config.output_dir, &period, None);
    match make(store, &period, None, &config.formats, &dir, lang, now).await {
        Ok(made) => {
            let rooms = store.secretariat_rooms().await?;
            let finished = store
                .finish_report(
                    run,
                    instance,
                    &made.dir.display().to_string(),
                    now_ms,
                    &posts(run, &rooms),
                )
                .await?;
            tracing::info!(run, period = %period.slug(), dir = %made.dir.display(), finished, "scheduled report made");
            Ok(finished.then_some(run))
        }
        Err(Failure::Store(error)) => {
            store.fail_report(run, instance, &error.to_string(), now_ms).await?;
            Err(error)
        }
        Err(failure) => {
            tracing::error!(run, period = %period.slug(), %failure, "the scheduled report failed; it is tried again at the next start");
            store.fail_report(run, instance, &failure.to_string(), now_ms).await?;
            Ok(None)
        }
    }
}

/// When the schedule runs next after `now`.
pub fn next_time(config: &Reports, now: DateTime<Utc>) -> Option<i64> {
    config
        .schedule
        .after(&now.with_timezone(&config.timezone))
        .next()
        .map(|at| at.timestamp_millis())
}

/// `report [pillar] [--from] [--to]` in chat (secretariat): the report made and recorded;
/// in a room (not privately) it is posted there too, its HTML attached. In a pillar's room
/// only that pillar's report is made, so no pillar's figures reach another's room.
pub async fn on_demand(
    store: &Store,
    config: &Reports,
    asker: &crate::schedule::meetings::Asker<'_>,
    room: Option<&RoomRow>,
    request: (Option<&str>, Option<&str>, Option<&str>),
    now: DateTime<Utc>,
) -> Result<String, crate::schedule::meetings::Stop> {
    use crate::schedule::meetings::Stop;
    use crate::t;
    let (pillar, from, to) = request;
    let lang = asker.lang;
    let pillars = store.pillars().await?;
    let pillar = match (asker.room_pillar, pillar) {
        (Some(here), Some(asked)) if here != asked => {
            return Err(Stop::Answer(t!(lang, "report-other-pillar", pillar = here)));
        }
        (Some(here), _) => Some(here),
        (None, Some(asked)) => {
            if !pillars.iter().any(|p| p.id == asked) {
                let known: Vec<&str> = pillars.iter().filter(|p| p.active).map(|p| p.id.as_str()).collect();
                return Err(Stop::Answer(t!(
                    lang,
                    "no-such-pillar-known",
                    pillar = asked,
                    known = known.join(", ")
                )));
            }
            Some(asked)
        }
        (None, None) => None,
    };
    let period = Period::typed(from, to, now, config.timezone).map_err(|m| Stop::Answer(period_mistake(&m, lang)))?;
    // A folder of its own (a queued post reads its files when it is sent): the period and
    // when it was made.
    let dir =
        folder(&config.output_dir, &period, pillar).with_extension(format!("made-{}", now.format("%Y%m%d-%H%M%S-%3f")));
    let made = match make(store, &period, pillar, &config.formats, &dir, lang, now).await {
        Ok(made) => made,
        Err(Failure::Store(error)) => return Err(error.into()),
        Err(failure @ Failure::Write { .. }) => {
            tracing::warn!(%failure, "a report asked for in chat could not be written");
            return Err(Stop::Answer(t!(
                lang,
                "report-unwritable",
                dir = dir.display().to_string(),
                reason = match &failure {
                    Failure::Write { reason, .. } => reason.clone(),
                    Failure::Store(_) => String::new(),
                }
            )));
        }
    };
    let post_here = room.filter(|_| !asker.private);
    let run = store
        .record_report(
            period.span(),
            &made.dir.display().to_string(),
            Some(&asker.source),
            now.timestamp_millis(),
            |run| {
                post_here
                    .map(|room| {
                        let payload = crate::bridge::Payload::Report { run };
                        NewDelivery {
                            room_id: room.id,
                            action: payload.action().to_string(),
                            message_id: None,
                            payload: payload.to_json(),
                        }
                    })
                    .into_iter()
                    .collect()
            },
        )
        .await?;
    tracing::info!(run, dir = %made.dir.display(), "report made on demand");
    let (from, to) = (period.from.to_string(), period.to.to_string());
    Ok(if post_here.is_some() {
        t!(lang, "report-made-here", from = from.as_str(), to = to.as_str())
    } else {
        made.chat
    })
}

/// A mistake in the period typed, in `lang`.
pub fn period_mistake(mistake: &super::period::Mistake, lang: Lang) -> String {
    use super::period::{MAX_YEARS, Mistake};
    use crate::t;
    match mistake {
        Mistake::BadDate(typed) => t!(lang, "report-bad-date", typed = typed.as_str()),
        Mistake::FromAfterTo { from, to } => t!(
            lang,
            "report-from-after-to",
            from = from.to_string(),
            to = to.to_string()
        ),
        Mistake::TooLong => t!(lang, "report-too-long", years = MAX_YEARS),
    }
}
