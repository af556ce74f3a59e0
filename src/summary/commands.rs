//! The summary, action and search commands: who may do what, and the answers. The notices
//! each change makes (a summary to its pillar's rooms, a draft to the secretariat's) are
//! queued in the change's own transaction.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use magnet_chat::Platform;

use super::body::{self, Mistake, Owner, Summary};
use super::render;
use crate::bridge::{Payload, Platforms};
use crate::i18n::Lang;
use crate::schedule::meetings::{Asker, Stop};
use crate::schedule::render::{escape, zone_of_pillar};
use crate::store::{Changed, NewDelivery, NewSummary, PillarRow, Revision, RoomRow, Store, SummaryRow, SummaryState};
use crate::t;

type Step<T> = Result<T, Stop>;

/// The local time of day an action's reminder comes, on its day.
const REMINDER_TIME: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).expect("a time of day");
/// How many summaries `summary list` shows.
const LIST_LENGTH: i64 = 15;
/// How many places `search` shows.
const SEARCH_LENGTH: i64 = 10;

/// What the summary commands need from the config.
#[derive(Debug, Clone, Default)]
pub struct SummarySettings {
    /// Each pillar's rapporteurs, as `(platform, user id)`.
    pub rapporteurs: HashMap<String, Vec<(Platform, String)>>,
    /// How long before its due date an action's owner is reminded.
    pub remind_before: Duration,
}

impl SummarySettings {
    pub fn from_config(config: &crate::config::Config) -> SummarySettings {
        SummarySettings {
            rapporteurs: config
                .pillars
                .iter()
                .map(|p| {
                    let people = p
                        .rapporteurs_matrix
                        .iter()
                        .map(|u| (Platform::Matrix, u.clone()))
                        .chain(p.rapporteurs_discord.iter().map(|u| (Platform::Discord, u.to_string())))
                        .collect();
                    (p.id.clone(), people)
                })
                .collect(),
            remind_before: Duration::from_std(config.actions.remind_before).unwrap_or(Duration::days(1)),
        }
    }

    fn is_rapporteur(&self, pillar: &str, asker: &Asker<'_>) -> bool {
        self.rapporteurs.get(pillar).is_some_and(|people| {
            people
                .iter()
                .any(|(p, u)| p.as_str() == asker.platform && u == asker.user_id)
        })
    }
}

fn refuse<T>(message: String) -> Step<T> {
    Err(Stop::Answer(message))
}

/// `summary add`, as typed.
pub struct AddRequest<'a> {
    pub pillar: &'a str,
    pub meeting: Option<i64>,
    pub on: Option<&'a str>,
    pub body: &'a str,
}

/// `summary add`: published at once from the secretariat, a draft from a rapporteur.
pub async fn add(
    store: &Store,
    platforms: &Platforms,
    asker: &Asker<'_>,
    request: &AddRequest<'_>,
    settings: &SummarySettings,
    now: DateTime<Utc>,
) -> Step<String> {
    let lang = asker.lang;
    let pillars = store.pillars().await?;
    let pillar = known_pillar(&pillars, request.pillar, lang)?;
    let rapporteur = settings.is_rapporteur(&pillar.id, asker);
    if !asker.secretariat && !rapporteur {
        return refuse(t!(lang, "summary-not-allowed", pillar = escape(&pillar.name)));
    }
    let zone = zone_of_pillar(&pillars, &pillar.id);
    let mut summary = read_body(request.body, zone, now, lang)?;
    name_owners(store, platforms, &pillar.id, &mut summary).await?;
    let occurrence = session(store, pillar, request.meeting, request.on, zone, now, lang).await?;
    let draft = !asker.secretariat;
    let by = format!("{}:{}", asker.platform, asker.user_id);
    let new = NewSummary {
        pillar_id: &pillar.id,
        occurrence_id: occurrence,
        draft,
        summary: &summary,
        remind_at: reminders(&summary, zone, settings),
        created_by: &by,
        source_event: &asker.source,
    };
    let pillar_rooms = store.pillar_rooms(&pillar.id).await?;
    let secretariat_rooms = store.secretariat_rooms().await?;
    let (id, new) = store
        .add_summary(&new, now.timestamp_millis(), |id| {
            if draft {
                notices(&secretariat_rooms, &Payload::SummaryDraft { summary: id })
            } else {
                notices(
                    &pillar_rooms,
                    &Payload::Summary {
                        summary: id,
                        version: 1,
                    },
                )
            }
        })
        .await?;
    let name = escape(&pillar.name);
    Ok(match (new, draft) {
        (false, _) => t!(lang, "summary-seen-before", id = id),
        (true, true) => t!(lang, "summary-drafted", id = id, pillar = name.as_str()),
        (true, false) => t!(lang, "summary-posted", id = id, pillar = name.as_str()),
    })
}

/// `summary edit`: a new version; the one it replaces is kept.
pub async fn edit(
    store: &Store,
    platforms: &Platforms,
    asker: &Asker<'_>,
    id: i64,
    text: &str,
    settings: &SummarySettings,
    now: DateTime<Utc>,
) -> Step<String> {
    let lang = asker.lang;
    let row = visible(store, asker, id, settings).await?;
    if row.state == SummaryState::Withdrawn {
        return refuse(t!(lang, "summary-is-withdrawn", id = id));
    }
    let rapporteur = settings.is_rapporteur(&row.pillar_id, asker);
    let may_edit = asker.secretariat || (rapporteur && row.state == SummaryState::Draft);
    if !may_edit {
        return refuse(t!(lang, "summary-edit-not-allowed", id = id));
    }
    let pillars = store.pillars().await?;
    let zone = zone_of_pillar(&pillars, &row.pillar_id);
    let mut summary = read_body(text, zone, now, lang)?;
    name_owners(store, platforms, &row.pillar_id, &mut summary).await?;
    let remind_at = reminders(&summary, zone, settings);
    let by = format!("{}:{}", asker.platform, asker.user_id);
    let rooms = if row.state == SummaryState::Draft {
        store.secretariat_rooms().await?
    } else {
        store.pillar_rooms(&row.pillar_id).await?
    };
    let version = row.version + 1;
    let revision = Revision {
        summary: &summary,
        remind_at: &remind_at,
        by: &by,
        source_event: &asker.source,
    };
    let changed = store
        .edit_summary(id, &revision, now.timestamp_millis(), |id| match row.state {
            SummaryState::Draft => notices(&rooms, &Payload::SummaryDraft { summary: id }),
            _ => notices(&rooms, &Payload::Summary { summary: id, version }),
        })
        .await?;
    match changed {
        Changed::Done | Changed::Before => Ok(t!(lang, "summary-edited", id = id, version = version)),
        Changed::NotNow => refuse(t!(lang, "summary-is-withdrawn", id = id)),
        Changed::Unknown => refuse(t!(lang, "summary-unknown", id = id)),
        Changed::Raced => refuse(t!(lang, "summary-changed-meanwhile", id = id)),
    }
}

/// `summary withdraw` (secretariat).
pub async fn withdraw(store: &Store, asker: &Asker<'_>, id: i64, now: DateTime<Utc>) -> Step<String> {
    let lang = asker.lang;
    let Some(row) = store.summary(id).await? else {
        return refuse(t!(lang, "summary-unknown", id = id));
    };
    let rooms = store.pillar_rooms(&row.pillar_id).await?;
    let by = format!("{}:{}", asker.platform, asker.user_id);
    let changed = store
        .withdraw_summary(id, &by, &asker.source, now.timestamp_millis(), |id| {
            notices(&rooms, &Payload::SummaryWithdrawn { summary: id })
        })
        .await?;
    match changed {
        Changed::Done | Changed::Before => Ok(t!(lang, "summary-withdrawn", id = id)),
        Changed::NotNow => refuse(t!(lang, "summary-is-withdrawn", id = id)),
        Changed::Unknown => refuse(t!(lang, "summary-unknown", id = id)),
        Changed::Raced => refuse(t!(lang, "summary-changed-meanwhile", id = id)),
    }
}

/// `summary approve` (secretariat): a draft is published to its pillar's rooms.
pub async fn approve(store: &Store, asker: &Asker<'_>, id: i64, now: DateTime<Utc>) -> Step<String> {
    let lang = asker.lang;
    let Some(row) = store.summary(id).await? else {
        return refuse(t!(lang, "summary-unknown", id = id));
    };
    let pillars = store.pillars().await?;
    let name = pillar_name(&pillars, &row.pillar_id);
    let rooms = store.pillar_rooms(&row.pillar_id).await?;
    let by = format!("{}:{}", asker.platform, asker.user_id);
    let changed = store
        .publish_summary(id, &by, now.timestamp_millis(), |id, version| {
            notices(&rooms, &Payload::Summary { summary: id, version })
        })
        .await?;
    match changed {
        Changed::Done => Ok(t!(lang, "summary-approved", id = id, pillar = name.as_str())),
        Changed::Before => Ok(t!(lang, "summary-approved-before", id = id)),
        Changed::NotNow => refuse(t!(lang, "summary-not-draft", id = id)),
        Changed::Unknown => refuse(t!(lang, "summary-unknown", id = id)),
        Changed::Raced => refuse(t!(lang, "summary-changed-meanwhile", id = id)),
    }
}

/// `summary list [pillar]`.
pub async fn list(store: &Store, asker: &Asker<'_>, pillar: Option<&str>, settings: &SummarySettings) -> Step<String> {
    let lang = asker.lang;
    let pillars = store.pillars().await?;
    if let Some(wanted) = pillar {
        known_pillar(&pillars, wanted, lang)?;
    }
    let visible: Vec<String> = pillars
        .iter()
        .filter(|p| shown_here(asker, &p.id) && pillar.is_none_or(|w| w == p.id))
        .map(|p| p.id.clone())
        .collect();
    let rows = store
        .summaries(Some(&visible), |r| may_read(asker, r, settings), LIST_LENGTH)
        .await?;
    if rows.is_empty() {
        return Ok(t!(lang, "summary-list-none"));
    }
    let mut lines = vec![t!(lang, "summary-list-title")];
    for row in &rows {
        let zone = zone_of_pillar(&pillars, &row.pillar_id);
        let start: String = row
            .text
            .lines()
            .next()
            .or(row.decisions.first().map(String::as_str))
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect();
        lines.push(t!(
            lang,
            "summary-list-line",
            id = row.id,
            pillar = pillar_name(&pillars, &row.pillar_id),
            date = local_date(row.created_at, zone),
            state = state_word(row.state, lang),
            start = escape(&start)
        ));
    }
    Ok(lines.join("\n"))
}

/// `summary show`.
pub async fn show(store: &Store, asker: &Asker<'_>, id: i64, settings: &SummarySettings) -> Step<String> {
    let row = visible(store, asker, id, settings).await?;
    let mut text = render::text(store, &row, asker.lang).await?;
    if row.state != SummaryState::Published {
        text.push_str(&format!("\n({})", state_word(row.state, asker.lang)));
    }
    Ok(text)
}

/// `action done` / `action drop`: by the owner (or an account linked with theirs) or the
/// secretariat.
pub async fn close_action(store: &Store, asker: &Asker<'_>, id: i64, done: bool, now: DateTime<Utc>) -> Step<String> {
    let lang = asker.lang;
    let action = match store.action(id).await? {
        Some(action) if asker.may_see(&action.pillar_id) || owns(store, asker, &action).await? => action,
        _ => return refuse(t!(lang, "action-unknown", id = id)),
    };
    if !asker.secretariat && !owns(store, asker, &action).await? {
        return refuse(t!(lang, "action-not-yours", id = id));
    }
    let by = format!("{}:{}", asker.platform, asker.user_id);
    match store.close_action(id, done, &by, now.timestamp_millis()).await? {
        Changed::Done | Changed::Before if done => Ok(t!(lang, "action-done", id = id)),
        Changed::Done | Changed::Before => Ok(t!(lang, "action-dropped", id = id)),
        Changed::NotNow => refuse(t!(lang, "action-closed-already", id = id)),
        Changed::Unknown | Changed::Raced => refuse(t!(lang, "action-unknown", id = id)),
    }
}

async fn owns(store: &Store, asker: &Asker<'_>, action: &crate::store::ActionRow) -> Step<bool> {
    let Some((platform, user)) = &action.owner else {
        return Ok(false);
    };
    if platform.as_str() == asker.platform && user == asker.user_id {
        return Ok(true);
    }
    let Some(own) = Platform::parse(asker.platform) else {
        return Ok(false);
    };
    Ok(store
        .linked_accounts(own, asker.user_id)
        .await?
        .iter()
        .any(|(p, u)| p == platform && u == user))
}

/// `action list [pillar] [--overdue]`.
pub async fn actions(
    store: &Store,
    asker: &Asker<'_>,
    pillar: Option<&str>,
    overdue: bool,
    now: DateTime<Utc>,
) -> Step<String> {
    let lang = asker.lang;
    let pillars = store.pillars().await?;
    if let Some(wanted) = pillar {
        known_pillar(&pillars, wanted, lang)?;
    }
    let mut lines = Vec::new();
    for action in store.open_actions(None).await? {
        if !shown_here(asker, &action.pillar_id) || pillar.is_some_and(|w| w != action.pillar_id) {
            continue;
        }
        let today = now
            .with_timezone(&zone_of_pillar(&pillars, &action.pillar_id))
            .date_naive();
        let late = action.due_date < today.format("%Y-%m-%d").to_string();
        if overdue && !late {
            continue;
        }
        lines.push(t!(
            lang,
            "actions-line",
            id = action.id,
            what = escape(&action.description),
            owner = escape(&action.owner_name),
            due = action.due_date.as_str(),
            pillar = pillar_name(&pillars, &action.pillar_id),
            summary = action.summary_id,
            late = if late { t!(lang, "actions-late") } else { String::new() }
        ));
    }
    if lines.is_empty() {
        return Ok(if overdue {
            t!(lang, "actions-overdue-none")
        } else {
            t!(lang, "actions-none")
        });
    }
    lines.insert(
        0,
        if overdue {
            t!(lang, "actions-overdue-title")
        } else {
            t!(lang, "actions-title")
        },
    );
    Ok(lines.join("\n"))
}

/// `search <words>`: in the pillars the asker may see, newest first.
pub async fn search(store: &Store, asker: &Asker<'_>, words: &[String]) -> Step<String> {
    let lang = asker.lang;
    let words: Vec<String> = words
        .iter()
        .flat_map(|w| w.split_whitespace())
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        return refuse(t!(
            lang,
            "search-empty",
            command = format!("{} search Ankara", crate::command::invocation(asker.private))
        ));
    }
    let typed = escape(&words.join(" "));
    let pillars = store.pillars().await?;
    let visible: Vec<String> = pillars
        .iter()
        .filter(|p| shown_here(asker, &p.id))
        .map(|p| p.id.clone())
        .collect();
    let found = store.search_summaries(&words, &visible, SEARCH_LENGTH).await?;
    let mut lines = Vec::new();
    for place in &found {
        let zone = zone_of_pillar(&pillars, &place.pillar_id);
        let excerpt: String = place.body.chars().take(160).collect();
        lines.push(t!(
            lang,
            "search-line",
            id = place.summary_id,
            pillar = pillar_name(&pillars, &place.pillar_id),
            date = local_date(place.created_at, zone),
            kind = crate::i18n::text(lang, &format!("search-kind-{}", place.kind), None),
            excerpt = escape(&excerpt)
        ));
    }
    if lines.is_empty() {
        return Ok(t!(lang, "search-none", words = typed.as_str()));
    }
    lines.insert(0, t!(lang, "search-title", words = typed.as_str()));
    Ok(lines.join("\n"))
}

/// A summary the asker may read: its pillar's, and a draft only for the secretariat and
/// the pillar's rapporteurs.
async fn visible(store: &Store, asker: &Asker<'_>, id: i64, settings: &SummarySettings) -> Step<SummaryRow> {
    match store.summary(id).await? {
        Some(row) if may_read(asker, &row, settings) => Ok(row),
        _ => refuse(t!(asker.lang, "summary-unknown", id = id)),
    }
}

fn may_read(asker: &Asker<'_>, row: &SummaryRow, settings: &SummarySettings) -> bool {
    let rapporteur = settings.is_rapporteur(&row.pillar_id, asker);
    // A draft is shown only where no pillar's members read along: privately, or in the
    // secretariat's rooms.
    let draft_here = asker.private || asker.room_pillar.is_none();
    (shown_here(asker, &row.pillar_id) || (rapporteur && draft_here))
        && (row.state != SummaryState::Draft || ((asker.secretariat || rapporteur) && draft_here))
}

/// Whether what concerns `pillar` may be answered here: the asker may see it, and a public
/// answer in a pillar's room speaks of that pillar only (even to the secretariat).
fn shown_here(asker: &Asker<'_>, pillar: &str) -> bool {
    asker.may_see(pillar) && (asker.private || asker.room_pillar.is_none_or(|here| here == pillar))
}

fn known_pillar<'a>(pillars: &'a [PillarRow], id: &str, lang: Lang) -> Step<&'a PillarRow> {
    if let Some(found) = pillars.iter().find(|p| p.id == id && p.active) {
        return Ok(found);
    }
    let known: Vec<&str> = pillars.iter().filter(|p| p.active).map(|p| p.id.as_str()).collect();
    refuse(t!(lang, "no-such-pillar-known", pillar = id, known = known.join(", ")))
}

fn pillar_name(pillars: &[PillarRow], id: &str) -> String {
    escape(pillars.iter().find(|p| p.id == id).map_or(id, |p| p.name.as_str()))
}

/// Looks up how each action's owner is shown on their platform (in the pillar's rooms
/// there), so that the other platform reads a name rather than an id.
async fn name_owners(store: &Store, platforms: &Platforms, pillar: &str, summary: &mut Summary) -> Step<()> {
    let rooms = store.pillar_rooms(pillar).await?;
    for action in &mut summary.actions {
        let (platform, user) = match &action.owner {
            Owner::Matrix(user) => (Platform::Matrix, user),
            Owner::Discord(user) => (Platform::Discord, user),
            Owner::Named(_) => continue,
        };
        let Some(adapter) = platforms.get(platform) else {
            continue;
        };
        for room in rooms.iter().filter(|r| r.platform == platform) {
            match adapter.member(&room.remote_id, user).await {
                Ok(Some(member)) => {
                    action.owner_shown = member.display_name;
                    break;
                }
                Ok(None) => {}
                Err(error) => tracing::warn!(room = %room.remote_id, %error, "cannot look up an action's owner"),
            }
        }
    }
    Ok(())
}

/// Reads a body and checks its due dates against today on the pillar's clock.
fn read_body(text: &str, zone: Tz, now: DateTime<Utc>, lang: Lang) -> Step<Summary> {
    let summary = body::read(text).map_err(|m| Stop::Answer(mistake(&m, lang)))?;
    let today = now.with_timezone(&zone).date_naive();
    if let Some(late) = summary.actions.iter().find(|a| a.due < today) {
        return refuse(t!(
            lang,
            "summary-due-past",
            line = late.line,
            date = late.due.format("%Y-%m-%d").to_string()
        ));
    }
    Ok(summary)
}

/// When each action's owner is reminded: the reminder time on the due date (on the
/// pillar's clock), less the configured span.
fn reminders(summary: &Summary, zone: Tz, settings: &SummarySettings) -> Vec<Option<i64>> {
    summary
        .actions
        .iter()
        .map(|action| {
            let due = zone
                .from_local_datetime(&action.due.and_time(REMINDER_TIME))
                .earliest()?
                .with_timezone(&Utc);
            Some((due - settings.remind_before).timestamp_millis())
        })
        .collect()
}

/// The session a summary is about: of the meeting given (on the date given, or its last
/// one held), or the pillar's last one held; none when the pillar has held none.
async fn session(
    store: &Store,
    pillar: &PillarRow,
    meeting: Option<i64>,
    on: Option<&str>,
    zone: Tz,
    now: DateTime<Utc>,
    lang: Lang,
) -> Step<Option<i64>> {
    let name = escape(&pillar.name);
    let Some(meeting) = meeting else {
        if on.is_some() {
            return refuse(t!(lang, "summary-none-held", pillar = name.as_str()));
        }
        return Ok(store
            .last_held_session(&pillar.id, None, now.timestamp_millis())
            .await?);
    };
    match store.meeting(meeting).await? {
        Some(found) if found.pillar_id == pillar.id => {}
        _ => return refuse(t!(lang, "summary-no-meeting", id = meeting, pillar = name.as_str())),
    }
    let Some(on) = on else {
        return Ok(store
            .last_held_session(&pillar.id, Some(meeting), now.timestamp_millis())
            .await?);
    };
    let date = NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d")
        .map_err(|_| Stop::Answer(t!(lang, "summary-bad-date", typed = on.trim())))?;
    let found = store.occurrences(meeting).await?.into_iter().find(|o| {
        DateTime::<Utc>::from_timestamp_millis(o.starts_at)
            .is_some_and(|at| at.with_timezone(&zone).date_naive() == date)
    });
    match found {
        Some(session) => Ok(Some(session.id)),
        None => refuse(t!(lang, "summary-no-session", id = meeting, date = on.trim())),
    }
}

/// A notice to each of `rooms`.
fn notices(rooms: &[RoomRow], payload: &Payload) -> Vec<NewDelivery> {
    payload.to_rooms(rooms.iter().map(|room| room.id))
}

fn local_date(at_ms: i64, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&zone)
        .format("%Y-%m-%d")
        .to_string()
}

fn state_word(state: SummaryState, lang: Lang) -> String {
    crate::i18n::text(lang, &format!("summary-state-{}", state.as_str()), None)
}

fn mistake(mistake: &Mistake, lang: Lang) -> String {
    match mistake {
        Mistake::Empty => t!(lang, "summary-empty"),
        Mistake::TextTooLong { chars } => t!(lang, "summary-text-too-long", chars = *chars, max = body::MAX_TEXT),
        Mistake::ItemTooLong { line, chars } => {
            t!(
                lang,
                "summary-item-too-long",
                line = *line,
                chars = *chars,
                max = body::MAX_ITEM
            )
        }
        Mistake::TooMany { what: "decisions" } => t!(lang, "summary-too-many-decisions", max = body::MAX_ITEMS),
        Mistake::TooMany { .. } => t!(lang, "summary-too-many-actions", max = body::MAX_ITEMS),
        Mistake::EmptyDecision { line } => t!(lang, "summary-empty-decision", line = *line),
        Mistake::NoOwner { line } => t!(lang, "summary-no-owner", line = *line),
        Mistake::NoDue { line } => t!(lang, "summary-no-due", line = *line),
        Mistake::BadDate { line, typed } => t!(lang, "summary-impossible-date", line = *line, typed = typed.as_str()),
        Mistake::NothingToDo { line } => t!(lang, "summary-nothing-to-do", line = *line),
    }
}
