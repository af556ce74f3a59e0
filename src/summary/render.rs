//! What the rooms are shown of summaries and actions, rendered when each delivery is sent
//! (in the room's language and the pillar's clock), from what the store holds then.

use chrono_tz::Tz;
use magnet_chat::{MessageBody, OutboundAction, Platform};

use crate::bridge::format;
use crate::i18n::Lang;
use crate::schedule::render::{body, escape, lang_of_pillar, when_text, zone_of_pillar};
use crate::store::{ActionRow, RoomRow, Store, StoreError, SummaryRow, SummaryState};
use crate::t;

/// The pillar's name, clock and language.
struct Pillar {
    name: String,
    zone: Tz,
    lang: Lang,
}

async fn pillar(store: &Store, id: &str) -> Result<Pillar, StoreError> {
    let pillars = store.pillars().await?;
    Ok(Pillar {
        name: pillars
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_string(), |p| p.name.clone()),
        zone: zone_of_pillar(&pillars, id),
        lang: lang_of_pillar(&pillars, id),
    })
}

/// A published summary in one of its pillar's rooms (`edited`: a new version of it);
/// nothing once it is withdrawn or edited again (the later version is posted instead), or
/// in a room that is not the pillar's.
pub async fn post(
    store: &Store,
    summary: i64,
    version: i64,
    room: &RoomRow,
) -> Result<Option<OutboundAction>, StoreError> {
    let Some(row) = store.summary(summary).await? else {
        return Ok(None);
    };
    if row.state != SummaryState::Published
        || row.version != version
        || room.pillar_id.as_deref() != Some(row.pillar_id.as_str())
    {
        return Ok(None);
    }
    let pillar = pillar(store, &row.pillar_id).await?;
    let text = summary_text(store, &row, &pillar, pillar.lang).await?;
    Ok(Some(OutboundAction::Send {
        body: body(room.platform, text),
        persona: None,
    }))
}

/// A summary as `summary show` gives it, in `lang`.
pub async fn text(store: &Store, row: &SummaryRow, lang: Lang) -> Result<String, StoreError> {
    let pillar = pillar(store, &row.pillar_id).await?;
    summary_text(store, row, &pillar, lang).await
}

/// The whole summary as text: header, meeting, text, decisions, actions.
async fn summary_text(store: &Store, row: &SummaryRow, pillar: &Pillar, lang: Lang) -> Result<String, StoreError> {
    let name = escape(&pillar.name);
    let mut lines = vec![if row.version > 1 {
        t!(
            lang,
            "summary-header-edited",
            id = row.id,
            pillar = name.as_str(),
            version = row.version
        )
    } else {
        t!(lang, "summary-header", id = row.id, pillar = name.as_str())
    }];
    if let Some(occurrence) = row.occurrence_id
        && let Some(session) = store.occurrence(occurrence).await?
        && let Some(meeting) = store.meeting(session.meeting_id).await?
    {
        lines.push(t!(
            lang,
            "summary-meeting",
            meeting = meeting.id,
            title = escape(&meeting.title),
            when = when_text(session.starts_at, pillar.zone, lang)
        ));
    }
    if !row.text.is_empty() {
        lines.push(String::new());
        lines.push(escape(&row.text));
    }
    if !row.decisions.is_empty() {
        lines.push(String::new());
        lines.push(t!(lang, "summary-decisions"));
        lines.extend(row.decisions.iter().map(|d| format!("- {}", escape(d))));
    }
    let actions: Vec<&ActionRow> = row.actions.iter().filter(|a| a.state != "dropped").collect();
    if !actions.is_empty() {
        lines.push(String::new());
        lines.push(t!(lang, "summary-actions"));
        for action in &actions {
            let mut line = format!("- {}", action_line(action, lang));
            match action.state.as_str() {
                "done" => line.push_str(&t!(lang, "summary-action-done")),
                "dropped" => line.push_str(&t!(lang, "summary-action-dropped")),
                _ => {}
            }
            lines.push(line);
        }
        let invoke = crate::command::invocation(false);
        let example = actions[0].id;
        lines.push(t!(
            lang,
            "summary-how-actions",
            done = format!("{invoke} action done {example}"),
            drop = format!("{invoke} action drop {example}")
        ));
    }
    Ok(lines.join("\n"))
}

/// `#3 Book the room: Deniz, by 2026-12-20`. The owner is named, never pinged.
pub fn action_line(action: &ActionRow, lang: Lang) -> String {
    t!(
        lang,
        "summary-action",
        id = action.id,
        what = escape(&action.description),
        owner = escape(&action.owner_name),
        due = action.due_date.as_str()
    )
}

/// A rapporteur's draft, in the secretariat's rooms, with how to approve it.
pub async fn draft(
    store: &Store,
    summary: i64,
    room: &RoomRow,
    lang: Lang,
) -> Result<Option<OutboundAction>, StoreError> {
    let Some(row) = store.summary(summary).await? else {
        return Ok(None);
    };
    if row.state != SummaryState::Draft || !room.is_secretariat || room.pillar_id.is_some() {
        return Ok(None);
    }
    let pillar = pillar(store, &row.pillar_id).await?;
    let mut text = t!(
        lang,
        "summary-draft-header",
        id = row.id,
        pillar = escape(&pillar.name),
        author = escape(&row.created_by)
    );
    let whole = summary_text(store, &row, &pillar, lang).await?;
    // The draft's own header is left out: the line above says what it is.
    if let Some((_, rest)) = whole.split_once('\n') {
        text.push('\n');
        text.push_str(rest);
    }
    text.push('\n');
    let invoke = crate::command::invocation(false);
    text.push_str(&t!(
        lang,
        "summary-draft-approve",
        command = format!("{invoke} summary approve {}", row.id),
        edit = format!("{invoke} summary edit {}", row.id)
    ));
    Ok(Some(OutboundAction::Send {
        body: body(room.platform, text),
        persona: None,
    }))
}

/// That a summary was withdrawn, in its pillar's rooms.
pub async fn withdrawn(store: &Store, summary: i64, room: &RoomRow) -> Result<Option<OutboundAction>, StoreError> {
    let Some(row) = store.summary(summary).await? else {
        return Ok(None);
    };
    if row.state != SummaryState::Withdrawn || room.pillar_id.as_deref() != Some(row.pillar_id.as_str()) {
        return Ok(None);
    }
    let pillar = pillar(store, &row.pillar_id).await?;
    let text = t!(
        pillar.lang,
        "summary-withdrawn-notice",
        id = row.id,
        pillar = escape(&pillar.name)
    );
    Ok(Some(OutboundAction::Send {
        body: body(room.platform, text),
        persona: None,
    }))
}

/// An action's reminder in one of its pillar's rooms: the owner named, and pinged (only
/// them) where the room is on their platform. Nothing once the action is closed.
pub async fn action_reminder(store: &Store, action: i64, room: &RoomRow) -> Result<Option<OutboundAction>, StoreError> {
    let Some(action) = store.action(action).await? else {
        return Ok(None);
    };
    if action.state != "open" || room.pillar_id.as_deref() != Some(action.pillar_id.as_str()) {
        return Ok(None);
    }
    let pillar = pillar(store, &action.pillar_id).await?;
    let lang = pillar.lang;
    let command = format!("{} action done {}", crate::command::invocation(false), action.id);
    let text = |owner: &str| {
        t!(
            lang,
            "action-reminder",
            owner = owner,
            id = action.id,
            what = escape(&action.description),
            summary = action.summary_id,
            due = action.due_date.as_str(),
            command = command.as_str()
        )
    };
    let body = match &action.owner {
        Some((Platform::Discord, user)) if room.platform == Platform::Discord => MessageBody {
            mentions: vec![(user.clone(), action.owner_name.clone())],
            ..body(Platform::Discord, text(&format!("<@{user}>")))
        },
        Some((Platform::Matrix, user)) if room.platform == Platform::Matrix => {
            // The pill is the mention; the rest of the HTML is the text after the name.
            let rest = text("\u{1}");
            let (before, after) = rest.split_once('\u{1}').unwrap_or(("", rest.as_str()));
            let html = format!(
                "{}<a href=\"https://matrix.to/#/{user}\">{}</a>{}",
                format::discord_to_matrix_html(before, &|_| None)
                    .trim_end_matches("</p>")
                    .trim_start_matches("<p>"),
                html_escape(user),
                format::discord_to_matrix_html(after, &|_| None)
                    .trim_start_matches("<p>")
                    .trim_end_matches("</p>")
            );
            MessageBody {
                html: Some(html),
                mentions: vec![(user.clone(), action.owner_name.clone())],
                ..body(Platform::Matrix, text(user))
            }
        }
        _ => body(room.platform, text(&escape(&action.owner_name))),
    };
    Ok(Some(OutboundAction::Send { body, persona: None }))
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
