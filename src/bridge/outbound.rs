//! A delivery made ready for its target room: the relay rendered for the target platform
//! (attribution, formatting, length), targets of edits, deletions, reactions and replies
//! looked up in the id map, files fetched from the platform they came from.

use magnet_chat::{ChatError, FileUpload, MessageBody, MessageKind, Outbound, OutboundAction, Persona, Platform};

use super::Platforms;
use super::format;
use super::payload::{Author, Payload};
use crate::i18n::{self, Lang};
use crate::store::{Delivery, RoomRow, Store, StoreError};
use crate::survey::render as survey_render;
use crate::t;

/// Why a delivery cannot be sent now.
#[derive(Debug)]
pub enum Unsendable {
    /// Never: dead-letter it with this reason.
    Never(String),
    /// Not now, and not the delivery's fault (the platform a file comes from is down, the
    /// database hiccuped): wait, in order, without using up an attempt.
    Wait(String),
}

impl From<crate::store::StoreError> for Unsendable {
    fn from(error: crate::store::StoreError) -> Self {
        Unsendable::Wait(error.to_string())
    }
}

/// Longest message text per platform, in characters. Discord allows 2000; a relayed
/// reply gets a quote line of up to about 200 in front. Matrix events may hold 64 KiB of
/// JSON, which a plain and an HTML body of this length fit.
fn text_limit(platform: Platform) -> usize {
    match platform {
        Platform::Discord => 1800,
        Platform::Matrix => 16_000,
    }
}

/// Largest file brought over, in bytes: Discord's limit for servers without boosts, and
/// Synapse's default `max_upload_size`.
fn upload_limit(platform: Platform) -> u64 {
    match platform {
        Platform::Discord => 10 * 1024 * 1024,
        Platform::Matrix => 50 * 1024 * 1024,
    }
}

/// A delivery ready to go: its actions, in order (the first one's remote id stands for the
/// whole delivery: edits and deletions go to it; none means nothing needs sending), and
/// what to record once they are done.
#[derive(Debug)]
pub struct Built {
    pub actions: Vec<Outbound>,
    pub then: Option<Then>,
}

/// Bookkeeping after a delivery, for reactions.
#[derive(Debug)]
pub enum Then {
    /// The bot's reaction for `sender` is in the room: the one just made, or `existing`.
    RecordReaction {
        message: i64,
        sender: String,
        key: String,
        existing: Option<String>,
    },
    /// The bot no longer reacts for `sender`.
    ForgetReaction { message: i64, sender: String, key: String },
}

pub async fn build(
    store: &Store,
    platforms: &Platforms,
    delivery: &Delivery,
    room: &RoomRow,
    matrix_notices: bool,
    secretariat_lang: Lang,
) -> Result<Built, Unsendable> {
    let payload = delivery
        .payload
        .as_deref()
        .ok_or_else(|| Unsendable::Never("the delivery has no payload left".into()))
        .and_then(|text| Payload::from_json(text).map_err(Unsendable::Never))?;
    let outbound = |n: usize, action: OutboundAction| Outbound {
        idempotency_key: format!("d{}.{n}", delivery.id),
        room: room.remote_id.clone(),
        action,
    };
    let copy = || async {
        let message = delivery
            .message_id
            .ok_or_else(|| Unsendable::Never("the delivery names no message".into()))?;
        store
            .copy_in_room(message, room.id)
            .await?
            .ok_or_else(|| Unsendable::Never("the original never reached this room".into()))
    };
    let mut then = None;
    let actions = match payload {
        Payload::Relay {
            author,
            body,
            reply_to,
            ping_room,
        } => {
            let reply = match reply_to {
                Some(message) => store.copy_in_room(message, room.id).await?,
                None => None,
            };
            // Only a note about a file is in the bot's words.
            let lang = match body.attachments.is_empty() {
                true => secretariat_lang,
                false => room_lang(store, room, secretariat_lang).await?,
            };
            let mut actions = relay(platforms, room.platform, &author, &body, reply, matrix_notices, lang).await?;
            if ping_room && let Some(OutboundAction::Send { body, .. }) = actions.first_mut() {
                ping(room.platform, body);
            }
            actions
        }
        Payload::Edit { author, body } => {
            let target = copy().await?;
            let mut parts = render(room.platform, &author, &body, matrix_notices);
            vec![OutboundAction::Edit {
                target,
                body: parts.swap_remove(0),
            }]
        }
        Payload::Delete => vec![OutboundAction::Delete { target: copy().await? }],
        Payload::React { author, key } => {
            let message = delivery.message_id.unwrap_or_default();
            // The bot reacts once per key, however many people it reacts for.
            let existing = store
                .bot_reactions(message, room.id, &key)
                .await?
                .into_iter()
                .next()
                .map(|(_, remote)| remote);
            let actions = match existing {
                Some(_) => Vec::new(),
                None => vec![OutboundAction::React {
                    target: copy().await?,
                    key: key.clone(),
                }],
            };
            then = Some(Then::RecordReaction {
                message,
                sender: author.key(),
                key,
                existing,
            });
            actions
        }
        Payload::Unreact { author, key } => {
            let message = delivery.message_id.unwrap_or_default();
            let placed = store.bot_reactions(message, room.id, &key).await?;
            let sender = author.key();
            let mine = placed
                .iter()
                .find(|(who, _)| *who == sender)
                .map(|(_, remote)| remote.clone());
            let actions = match mine {
                // Taken back only when nobody else it stands for still reacts.
                Some(reaction) if placed.len() == 1 => vec![OutboundAction::Unreact {
                    target: copy().await?,
                    key: key.clone(),
                    reaction: Some(reaction),
                }],
                _ => Vec::new(),
            };
            then = Some(Then::ForgetReaction { message, sender, key });
            actions
        }
        Payload::Direct(action) => vec![action],
        // A reminder that is not to be sent after all is done with nothing sent.
        Payload::Reminder { reminder } => {
            crate::schedule::render::reminder_action(store, reminder, room, crate::store::now_ms())
                .await?
                .into_iter()
                .collect()
        }
        // A survey's message that no longer applies (it closed before the post went out,
        // the room left its pillars) is done with nothing sent.
        Payload::SurveyPost { survey, part } => survey_render::post(store, survey, part, room)
            .await?
            .into_iter()
            .collect(),
        Payload::SurveyNudge { survey } => survey_render::nudge(store, survey, room).await?.into_iter().collect(),
        Payload::SurveyPollEnd { survey, part } => survey_render::poll_end(store, survey, part, room)
            .await?
            .into_iter()
            .collect(),
        Payload::SurveyResults { survey } => survey_render::results(store, survey, room).await?.into_iter().collect(),
        Payload::SurveyCancelled { survey } => survey_render::cancelled(store, survey, room)
            .await?
            .into_iter()
            .collect(),
        // A summary withdrawn or edited again before its post went out is done with
        // nothing sent (the later state is posted instead).
        Payload::Summary { summary, version } => crate::summary::render::post(store, summary, version, room)
            .await?
            .into_iter()
            .collect(),
        Payload::SummaryDraft { summary } => crate::summary::render::draft(store, summary, room, secretariat_lang)
            .await?
            .into_iter()
            .collect(),
        Payload::SummaryWithdrawn { summary } => crate::summary::render::withdrawn(store, summary, room)
            .await?
            .into_iter()
            .collect(),
        Payload::ActionReminder { action } => crate::summary::render::action_reminder(store, action, room)
            .await?
            .into_iter()
            .collect(),
        Payload::Report { run } => report_post(store, run, room).await?,
    };
    Ok(Built {
        actions: actions.into_iter().enumerate().map(|(n, a)| outbound(n, a)).collect(),
        then,
    })
}

/// A relayed message: its text (in as many parts as the target needs), then its files.
async fn relay(
    platforms: &Platforms,
    target: Platform,
    author: &Author,
    body: &MessageBody,
    reply: Option<String>,
    matrix_notices: bool,
    lang: Lang,
) -> Result<Vec<OutboundAction>, Unsendable> {
    let persona = Some(persona(target, author));
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for attachment in &body.attachments {
        let limit = upload_limit(target);
        // A file over the target's limit becomes a link (where the source has public links)
        // with its name and size.
        let too_large = |size: u64| {
            let link = if attachment.url.starts_with("https://") || attachment.url.starts_with("http://") {
                format!(": {}", attachment.url)
            } else {
                String::new()
            };
            let note = t!(
                lang,
                "file-too-large",
                name = attachment.name.as_str(),
                size = i18n::format::size(size, lang)
            );
            format!("{note}{link}")
        };
        if let Some(size) = attachment.size.filter(|size| *size > limit) {
            notes.push(too_large(size));
            continue;
        }
        let source = platforms
            .get(author.platform)
            .ok_or_else(|| Unsendable::Wait(format!("{} is not connected to fetch a file", author.platform)))?;
        match source.fetch_media(&attachment.url).await {
            Ok(data) if data.len() as u64 > limit => notes.push(too_large(data.len() as u64)),
            Ok(data) => files.push(FileUpload {
                name: attachment.name.clone(),
                mime_type: attachment.mime_type.clone(),
                data,
            }),
            Err(ChatError::Permanent(why)) => {
                tracing::warn!(file = %attachment.name, why, "a file could not be fetched; sending a note instead");
                notes.push(t!(lang, "file-not-fetched", name = attachment.name.as_str()));
            }
            // Rate limited or down: the source's outage, waited out like the target's.
            Err(error) => return Err(Unsendable::Wait(format!("fetching {}: {error}", attachment.name))),
        }
    }
    let mut text_body = body.clone();
    for note in &notes {
        if !text_body.text.is_empty() {
            text_body.text.push('\n');
        }
        text_body.text.push_str(note);
        if let Some(html) = &mut text_body.html {
            html.push_str(&format!("<br>{}", escape_html(note)));
        }
    }
    if target == Platform::Matrix && text_body.text.trim().is_empty() && !files.is_empty() {
        // Matrix shows a file without its sender's name: say who sent it.
        text_body.text = files
            .iter()
            .map(|f| format!("📎 {}", f.name))
            .collect::<Vec<_>>()
            .join("\n");
        text_body.html = None;
    }
    let mut actions = Vec::new();
    if !text_body.text.trim().is_empty() || files.is_empty() {
        let mut parts = render(target, author, &text_body, matrix_notices);
        parts[0].reply_to = reply;
        actions.extend(parts.into_iter().map(|body| OutboundAction::Send {
            body,
            persona: persona.clone(),
        }));
    }
    actions.extend(files.into_iter().map(|file| OutboundAction::SendFile {
        file,
        caption: None,
        persona: persona.clone(),
    }));
    Ok(actions)
}

/// Makes a relay ping its room, with the target platform's word for it in front (the
/// sender's own word is defused in the text like any other).
fn ping(target: Platform, body: &mut MessageBody) {
    let word = match target {
        Platform::Discord => "@everyone",
        Platform::Matrix => "@room",
    };
    body.text = format!("{word} {}", body.text);
    if let Some(html) = &mut body.html {
        *html = format!("{word} {html}");
    }
    body.pings_room = true;
}

/// The longest name a relay shows, marker included: Discord's limit for a webhook's name,
/// and on Matrix about as much as fits a line before the text.
const DISCORD_NAME_LIMIT: usize = 80;
const MATRIX_NAME_LIMIT: usize = 64;

/// Who a relay speaks for, as the target shows it: the cleaned name with the platform the
/// person is on, so that no relay can pass for the bot, the secretariat or someone on the
/// reader's own platform.
fn shown_name(target: Platform, author: &Author) -> String {
    let limit = match target {
        Platform::Discord => DISCORD_NAME_LIMIT,
        Platform::Matrix => MATRIX_NAME_LIMIT,
    };
    // On Matrix the name opens the plain body in `**…**`: asterisks or backticks in it
    // would close the bold early and let the rest pass for the message.
    let name = match target {
        Platform::Matrix => author.name.replace(['*', '`'], ""),
        Platform::Discord => author.name.clone(),
    };
    format::marked_name(&name, platform_label(author.platform), limit)
}

/// The name a relay is shown under on the target platform.
fn persona(target: Platform, author: &Author) -> Persona {
    // Webhook messages show the name; on Matrix it starts the text.
    let display_name = shown_name(target, author);
    // Discord fetches a webhook avatar from a public http(s) URL; a Matrix avatar is an
    // mxc:// URI (and servers now serve media to logged-in clients only), so it is left out.
    let avatar_url = author
        .avatar_url
        .clone()
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"));
    Persona {
        display_name,
        avatar_url,
    }
}

fn platform_label(platform: Platform) -> &'static str {
    match platform {
        Platform::Matrix => "Matrix",
        Platform::Discord => "Discord",
    }
}

/// A message rendered for the target: attribution, the target's formatting, split to the
/// target's length. Always at least one part.
fn render(target: Platform, author: &Author, body: &MessageBody, matrix_notices: bool) -> Vec<MessageBody> {
    // Names for the users a Discord message mentions; roles and channels stay generic.
    let names = |mention: format::DiscordMention<'_>| match mention {
        format::DiscordMention::User(id) => body
            .mentions
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, name)| name.clone()),
        _ => None,
    };
    let is_reply = body.reply_to.is_some();
    let mut parts = match target {
        Platform::Discord => {
            let text = match author.platform {
                Platform::Matrix => format::matrix_to_discord(&body.text, body.html.as_deref(), is_reply),
                Platform::Discord => body.text.clone(),
            };
            let text = match body.kind {
                MessageKind::Emote => format!(
                    "_{} {text}_",
                    format::escape_discord(&format::clean_name(&author.name, DISCORD_NAME_LIMIT))
                ),
                _ => text,
            };
            format::split(&text, text_limit(target))
                .into_iter()
                .map(|text| MessageBody {
                    kind: MessageKind::Text,
                    text,
                    ..Default::default()
                })
                .collect()
        }
        Platform::Matrix => {
            let (plain, html) = match author.platform {
                Platform::Discord => (
                    format::discord_to_matrix_plain(&body.text, &names),
                    format::discord_to_matrix_html(&body.text, &names),
                ),
                Platform::Matrix => (
                    body.text.clone(),
                    body.html
                        .clone()
                        .unwrap_or_else(|| escape_html(&body.text).replace('\n', "<br>")),
                ),
            };
            let name = &shown_name(target, author);
            let (plain, html) = match body.kind {
                MessageKind::Emote => (
                    format!("* {name} {plain}"),
                    format!("* <strong>{}</strong> {html}", escape_html(name)),
                ),
                _ => (
                    format!("**{name}**: {plain}"),
                    format!("<strong>{}</strong>: {html}", escape_html(name)),
                ),
            };
            let kind = match body.kind {
                MessageKind::Notice => MessageKind::Notice,
                _ if matrix_notices => MessageKind::Notice,
                _ => MessageKind::Text,
            };
            let plain = format::defuse_matrix_room_ping(&plain);
            let html = format::defuse_matrix_room_ping(&html);
            let limit = text_limit(target);
            if plain.chars().count() <= limit && html.chars().count() <= limit * 2 {
                vec![MessageBody {
                    kind,
                    text: plain,
                    html: Some(html),
                    ..Default::default()
                }]
            } else {
                // Too long for one event: plain parts only, so no part cuts through markup.
                format::split(&plain, limit)
                    .into_iter()
                    .map(|text| MessageBody {
                        kind,
                        text,
                        ..Default::default()
                    })
                    .collect()
            }
        }
    };
    // Between rooms of the same platform a mention is of the same person, and the relay may
    // ping them too. Across platforms nobody is linked: a mention shows as a name only.
    if author.platform == target {
        parts[0].mentions = body.mentions.clone();
    }
    parts
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A report as posted: its short text, then its HTML file. Files that went missing since
/// the run are left out (logged); a run with no files posts nothing.
async fn report_post(store: &Store, run: i64, room: &RoomRow) -> Result<Vec<OutboundAction>, StoreError> {
    let Some(run) = store.report_run(run).await? else {
        return Ok(Vec::new());
    };
    let Some(dir) = run.output.filter(|_| run.state == "done").map(std::path::PathBuf::from) else {
        return Ok(Vec::new());
    };
    let mut actions = Vec::new();
    match std::fs::read_to_string(dir.join(crate::report::run::CHAT_FILE)) {
        Ok(text) => actions.push(OutboundAction::Send {
            body: crate::schedule::render::body(room.platform, text),
            persona: None,
        }),
        Err(error) => tracing::warn!(run = run.id, dir = %dir.display(), %error, "a report's text is gone; not posted"),
    }
    match std::fs::read(dir.join("report.html")) {
        Ok(data) => actions.push(OutboundAction::SendFile {
            file: magnet_chat::FileUpload {
                name: format!(
                    "magnet-report-{}.html",
                    dir.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                ),
                mime_type: Some("text/html".into()),
                data,
            },
            caption: None,
            persona: None,
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            tracing::warn!(run = run.id, dir = %dir.display(), %error, "a report's HTML cannot be read; not attached")
        }
    }
    Ok(actions)
}

/// The language of what the bot itself says in a room: its pillar's, or the secretariat's.
async fn room_lang(store: &Store, room: &RoomRow, secretariat_lang: Lang) -> Result<Lang, StoreError> {
    Ok(match &room.pillar_id {
        Some(pillar) => crate::schedule::render::lang_of_pillar(&store.pillars().await?, pillar),
        None => secretariat_lang,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(platform: Platform) -> Author {
        Author {
            platform,
            id: "u".into(),
            name: "Ayşe <b>".into(),
            avatar_url: None,
        }
    }

    fn text(text: &str) -> MessageBody {
        MessageBody {
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn relays_to_matrix_carry_the_name_in_bold_and_escaped() {
        let parts = render(Platform::Matrix, &author(Platform::Discord), &text("hi @room"), false);
        assert_eq!(parts.len(), 1);
        assert!(parts[0].text.starts_with("**Ayşe <b> [Discord]**: "), "{:?}", parts[0]);
        let html = parts[0].html.as_deref().unwrap();
        assert!(
            html.starts_with("<strong>Ayşe &lt;b&gt; [Discord]</strong>: "),
            "{html}"
        );
        assert!(!parts[0].text.contains("@room"), "no room ping: {:?}", parts[0].text);
        assert_eq!(parts[0].kind, MessageKind::Text);
        let notices = render(Platform::Matrix, &author(Platform::Discord), &text("hi"), true);
        assert_eq!(notices[0].kind, MessageKind::Notice, "where configured");
    }

    #[test]
    fn relays_to_discord_are_marked_and_split_to_fit_2000_with_a_reply_quote() {
        assert_eq!(
            persona(Platform::Discord, &author(Platform::Matrix)).display_name,
            "Ayşe <b> [Matrix]"
        );
        let long = "word ".repeat(900);
        let parts = render(Platform::Discord, &author(Platform::Matrix), &text(&long), false);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.text.chars().count() <= 1800));
    }

    #[test]
    fn discord_mentions_show_the_person_by_name_on_matrix() {
        let body = MessageBody {
            text: "thanks <@42>!".into(),
            mentions: vec![("42".into(), "Selin".into())],
            ..Default::default()
        };
        let parts = render(Platform::Matrix, &author(Platform::Discord), &body, false);
        assert!(parts[0].text.ends_with("thanks @Selin!"), "{:?}", parts[0].text);
        assert!(parts[0].html.as_deref().unwrap().contains("@Selin"));
    }

    #[test]
    fn mentions_ping_the_same_person_only_on_the_same_platform() {
        let body = MessageBody {
            text: "thanks <@42>".into(),
            mentions: vec![("42".into(), "Selin".into())],
            ..Default::default()
        };
        let same = render(Platform::Discord, &author(Platform::Discord), &body, false);
        assert_eq!(same[0].mentions, body.mentions);
        let across = render(Platform::Matrix, &author(Platform::Discord), &body, false);
        assert!(across[0].mentions.is_empty());
    }

    #[test]
    fn no_relay_passes_for_the_bot_the_secretariat_or_a_local_person() {
        let posing = |name: &str, platform| Author {
            platform,
            id: "u".into(),
            name: name.into(),
            avatar_url: None,
        };
        // A Discord member named like the secretariat shows on Matrix as a Discord member.
        let parts = render(
            Platform::Matrix,
            &posing("Selin (secretariat)", Platform::Discord),
            &text("the meeting is cancelled"),
            false,
        );
        assert!(
            parts[0].text.starts_with("**Selin (secretariat) [Discord]**: "),
            "{}",
            parts[0].text
        );
        let parts = render(
            Platform::Matrix,
            &posing("magnet", Platform::Discord),
            &text("hi"),
            false,
        );
        assert!(parts[0].text.starts_with("**magnet [Discord]**: "), "{}", parts[0].text);
        // Markup in a name cannot close the bold early and push the marker out of sight.
        let parts = render(
            Platform::Matrix,
            &posing("Selin**: meeting cancelled **x", Platform::Discord),
            &text("hi"),
            false,
        );
        assert!(
            parts[0]
                .text
                .starts_with("**Selin: meeting cancelled x [Discord]**: hi"),
            "{}",
            parts[0].text
        );
        // 80 zero-width spaces no longer push the marker out of Discord's 80 characters.
        let padded = format!("Selin{}", "\u{200B}".repeat(80));
        let shown = persona(Platform::Discord, &posing(&padded, Platform::Matrix)).display_name;
        assert_eq!(shown, "Selin [Matrix]");
        // A long name is shortened; the marker stays whole.
        let shown = persona(Platform::Discord, &posing(&"Ayşe ".repeat(40), Platform::Matrix)).display_name;
        assert!(shown.ends_with("… [Matrix]") && shown.chars().count() <= 80, "{shown}");
        // A right-to-left override cannot turn the marker around.
        let shown = persona(Platform::Discord, &posing("\u{202E}nileS", Platform::Matrix)).display_name;
        assert_eq!(shown, "nileS [Matrix]");
    }

    #[test]
    fn only_web_avatars_go_to_discord() {
        let mut from_matrix = author(Platform::Matrix);
        from_matrix.avatar_url = Some("mxc://example.org/abc".into());
        assert_eq!(persona(Platform::Discord, &from_matrix).avatar_url, None);
        from_matrix.avatar_url = Some("https://cdn.example.org/a.png".into());
        assert_eq!(
            persona(Platform::Discord, &from_matrix).avatar_url.as_deref(),
            Some("https://cdn.example.org/a.png")
        );
    }
}
