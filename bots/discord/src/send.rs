//! Outbound actions as Discord requests. Relays go through the channel's webhook under the
//! original author's name and avatar; the bot's own messages carry a nonce that Discord
//! enforces, so a send repeated within minutes returns the first message. Every message
//! states `allowed_mentions`: nothing pings unless the core listed it.

use magnet_chat::{ChatError, Delivered, FileUpload, MessageBody, Outbound, OutboundAction, Persona};
use reqwest::Method;
use serde_json::{Value, json};

use crate::rest::{FilePart, Rest, error_code};
use crate::{DiscordAdapter, RELAY_HOOK_NAME, RelayHook};

/// Discord's codes for a webhook and a message that no longer exist.
const UNKNOWN_WEBHOOK: u64 = 10015;
const UNKNOWN_MESSAGE: u64 = 10008;

/// The channel's relay webhook, if there is one, and the ids of every webhook of our
/// application there (whatever its name: any relay through them is ours, never a person's).
pub async fn find_relay_hook(
    rest: &Rest,
    channel: u64,
    application: u64,
) -> Result<(Option<RelayHook>, Vec<u64>), ChatError> {
    let hooks = rest
        .json(Method::GET, &format!("/channels/{channel}/webhooks"), "webhooks", None)
        .await?;
    let application = application.to_string();
    let mine: Vec<&Value> = hooks
        .as_array()
        .into_iter()
        .flatten()
        .filter(|hook| hook["application_id"].as_str() == Some(application.as_str()))
        .collect();
    let ids = mine
        .iter()
        .filter_map(|hook| hook["id"].as_str()?.parse().ok())
        .collect();
    let relay = mine.iter().find_map(|hook| {
        let id = hook["id"].as_str()?.parse().ok()?;
        let token = hook["token"].as_str()?.to_string();
        (hook["name"] == RELAY_HOOK_NAME).then_some(RelayHook { id, token })
    });
    Ok((relay, ids))
}

pub async fn create_relay_hook(rest: &Rest, channel: u64) -> Result<RelayHook, ChatError> {
    let hook = rest
        .json(
            Method::POST,
            &format!("/channels/{channel}/webhooks"),
            "webhooks",
            Some(&json!({"name": RELAY_HOOK_NAME})),
        )
        .await?;
    let id = hook["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| ChatError::Permanent("a webhook without an id".into()))?;
    let token = hook["token"]
        .as_str()
        .ok_or_else(|| ChatError::Permanent("a webhook without a token".into()))?
        .to_string();
    tracing::info!(channel, webhook = id, "discord: created the relay webhook");
    Ok(RelayHook { id, token })
}

pub async fn perform(adapter: &DiscordAdapter, channel: u64, outbound: &Outbound) -> Result<Delivered, ChatError> {
    let rest = &adapter.rest;
    let messages = format!("/channels/{channel}/messages");
    let bucket = format!("messages:{channel}");
    let posted = match &outbound.action {
        OutboundAction::Send {
            body,
            persona: Some(persona),
        } => {
            let content = relay_content(adapter, channel, body).await?;
            let payload = json!({"content": content, "allowed_mentions": allowed_mentions(body)});
            relay(adapter, channel, persona, payload, &[]).await?
        }
        OutboundAction::Send { body, persona: None } => {
            let mut payload = bot_message(&outbound.idempotency_key, &body.text);
            // The bot pings only whom the core names (an action's owner), never a role.
            if !body.mentions.is_empty() {
                payload["allowed_mentions"] = allowed_mentions(body);
            }
            if let Some(reply_to) = &body.reply_to {
                payload["message_reference"] = json!({"message_id": reply_to, "fail_if_not_exists": false});
            }
            rest.json(Method::POST, &messages, &bucket, Some(&payload)).await?
        }
        OutboundAction::SendFile { file, caption, persona } => {
            let content = json!({"content": caption.clone().unwrap_or_default()});
            let parts = [file_part(file)];
            match persona {
                Some(persona) => relay(adapter, channel, persona, content, &parts).await?,
                None => {
                    let payload = bot_message(&outbound.idempotency_key, caption.as_deref().unwrap_or_default());
                    rest.multipart(Method::POST, &messages, &bucket, &payload, &parts)
                        .await?
                }
            }
        }
        OutboundAction::Edit { target, body } => {
            let current = rest
                .json(
                    Method::GET,
                    &format!("{messages}/{target}"),
                    &format!("read:{channel}"),
                    None,
                )
                .await?;
            let payload = json!({"content": body.text, "allowed_mentions": {"parse": []}});
            let hook = adapter.hooks.lock().await.get(&channel).cloned();
            match hook.filter(|hook| current["webhook_id"].as_str() == Some(hook.id.to_string().as_str())) {
                Some(hook) => {
                    let path = format!("/webhooks/{}/{}/messages/{target}", hook.id, hook.token);
                    rest.json(Method::PATCH, &path, &format!("webhook:{}", hook.id), Some(&payload))
                        .await?
                }
                None => {
                    rest.json(
                        Method::PATCH,
                        &format!("{messages}/{target}"),
                        &format!("edit:{channel}"),
                        Some(&payload),
                    )
                    .await?
                }
            }
        }
        OutboundAction::Delete { target } => {
            match rest
                .json(
                    Method::DELETE,
                    &format!("{messages}/{target}"),
                    &format!("delete:{channel}"),
                    None,
                )
                .await
            {
                Ok(_) => {}
                // Gone already (deleted by hand, or by an attempt cut short): done.
                Err(error) if error_code(&error) == Some(UNKNOWN_MESSAGE) => {}
                Err(error) => return Err(error),
            }
            json!({"id": target})
        }
        OutboundAction::React { target, key } => {
            let path = format!("{messages}/{target}/reactions/{}/@me", encode_emoji(key));
            rest.json(Method::PUT, &path, &format!("reactions:{channel}"), None)
                .await?;
            // A reaction has no id of its own on Discord. It is not the message: a record
            // under the message's id would take the message's deletion for the reaction's.
            json!({"id": reaction_id(target, key)})
        }
        OutboundAction::Unreact { target, key, .. } => {
            let path = format!("{messages}/{target}/reactions/{}/@me", encode_emoji(key));
            match rest
                .json(Method::DELETE, &path, &format!("reactions:{channel}"), None)
                .await
            {
                Ok(_) => {}
                // Gone with its message: nothing left to take back.
                Err(error) if error_code(&error) == Some(UNKNOWN_MESSAGE) => {}
                Err(error) => return Err(error),
            }
            json!({"id": reaction_id(target, key)})
        }
        OutboundAction::StartPoll { poll, .. } => {
            let mut payload = bot_message(&outbound.idempotency_key, "");
            let answers: Vec<Value> = poll
                .answers
                .iter()
                .map(|(_, text)| json!({"poll_media": {"text": text}}))
                .collect();
            payload["poll"] = json!({
                "question": {"text": poll.question},
                "answers": answers,
                "duration": poll_hours(poll.closes_at_ms),
                "allow_multiselect": poll.max_selections > 1,
                "layout_type": 1,
            });
            rest.json(Method::POST, &messages, &bucket, Some(&payload)).await?
        }
        OutboundAction::SendControls { body, controls } => {
            let mut payload = bot_message(&outbound.idempotency_key, &body.text);
            payload["components"] = crate::interact::components(controls)?;
            rest.json(Method::POST, &messages, &bucket, Some(&payload)).await?
        }
        OutboundAction::Respond {
            interaction,
            body,
            private,
        } => {
            return crate::interact::respond(rest, adapter.own.application, interaction, body, *private).await;
        }
        OutboundAction::EndPoll { target, .. } => {
            let path = format!("/channels/{channel}/polls/{target}/expire");
            rest.json(Method::POST, &path, &format!("polls:{channel}"), None)
                .await?
        }
    };
    let remote_id = posted["id"]
        .as_str()
        .ok_or_else(|| ChatError::Transient("Discord answered without a message id".into()))?;
    Ok(Delivered {
        remote_id: remote_id.to_string(),
    })
}

/// How far apart Discord's clock (in a snowflake) and ours may be: a copy made by an
/// attempt is looked for from this long before the attempt. A wide margin costs little:
/// copies that recorded deliveries claim are skipped whatever their age.
const CLOCK_SKEW_MS: i64 = 10_000;
/// Pages of 100 messages read back from the newest when looking for an attempt's copy.
const EARLIER_COPY_PAGES: usize = 10;
/// Discord's epoch (2015-01-01) in Unix milliseconds: snowflakes count from it.
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// The smallest snowflake of a moment (epoch ms).
fn snowflake_at(ms: i64) -> u64 {
    ((ms - DISCORD_EPOCH_MS).max(0) as u64) << 22
}

/// What an earlier attempt at `outbound` would have left: the channel's messages since
/// `since_ms` (less the clock skew allowance) that are ours and say what it says, oldest
/// first. Webhooks take no nonce, so a relay is recognised by our webhook (or application),
/// its name and its text; a bot message, whose nonce Discord honours only for minutes, by
/// its author and text; a file by its size (Discord rewrites file names). The core skips
/// those already recorded for other deliveries, which is what tells this "+1" from the one
/// before it.
pub async fn earlier_copies(
    adapter: &DiscordAdapter,
    channel: u64,
    outbound: &Outbound,
    since_ms: i64,
) -> Result<Vec<Delivered>, ChatError> {
    let looks_like: Box<dyn Fn(&Value) -> bool + Send> = match &outbound.action {
        OutboundAction::Send {
            body,
            persona: Some(persona),
        } => {
            let name = webhook_username(&persona.display_name);
            let text = body.text.trim().to_string();
            // A reply's quote line is made from the message replied to as it is at send
            // time (it may have been edited or deleted since): only what follows it counts.
            let reply = body.reply_to.is_some();
            Box::new(move |m: &Value| {
                let content = m["content"].as_str().unwrap_or_default().trim();
                m["author"]["username"] == name.as_str()
                    && (content == text
                        || reply
                            && content.split_once('\n').is_some_and(|(quote, rest)| {
                                quote.starts_with("> ") && quote.contains('↪') && rest.trim() == text
                            }))
            })
        }
        OutboundAction::SendFile {
            file,
            caption,
            persona: Some(persona),
        } => {
            let text = caption.clone().unwrap_or_default().trim().to_string();
            let name = webhook_username(&persona.display_name);
            let size = file.data.len() as u64;
            Box::new(move |m: &Value| {
                m["author"]["username"] == name.as_str()
                    && m["content"].as_str().unwrap_or_default().trim() == text
                    && m["attachments"][0]["size"].as_u64() == Some(size)
            })
        }
        OutboundAction::Send { body, persona: None } | OutboundAction::SendControls { body, .. } => {
            let text = body.text.trim().to_string();
            Box::new(move |m: &Value| m["content"].as_str().unwrap_or_default().trim() == text)
        }
        OutboundAction::SendFile {
            file,
            caption,
            persona: None,
        } => {
            let text = caption.clone().unwrap_or_default().trim().to_string();
            let size = file.data.len() as u64;
            Box::new(move |m: &Value| {
                m["content"].as_str().unwrap_or_default().trim() == text
                    && m["attachments"][0]["size"].as_u64() == Some(size)
            })
        }
        OutboundAction::StartPoll { poll, .. } => {
            let question = poll.question.clone();
            Box::new(move |m: &Value| m["poll"]["question"]["text"] == question.as_str())
        }
        // Edits, deletions, reactions, answers and poll ends come out the same when done twice.
        _ => return Ok(Vec::new()),
    };
    let relayed = matches!(
        outbound.action,
        OutboundAction::Send { persona: Some(_), .. } | OutboundAction::SendFile { persona: Some(_), .. }
    );
    let hooks = adapter.own.webhooks.read().unwrap_or_else(|p| p.into_inner()).clone();
    let application = adapter.own.application.to_string();
    let bot = adapter.own.bot_user.to_string();
    let ours = |m: &Value| {
        if relayed {
            m["webhook_id"]
                .as_str()
                .and_then(|w| w.parse::<u64>().ok())
                .is_some_and(|w| hooks.contains(&w) || m["application_id"] == application.as_str())
        } else {
            m["author"]["id"] == bot.as_str() && m["webhook_id"].is_null()
        }
    };
    // Back from the newest message to the first try, a page at a time: any copy an attempt
    // left lies in between, and the latest tries' copies are found first however long ago
    // the first try was.
    let oldest = snowflake_at(since_ms - CLOCK_SKEW_MS);
    let mut before: Option<u64> = None;
    let mut found: Vec<(u64, String)> = Vec::new();
    for _ in 0..EARLIER_COPY_PAGES {
        let path = match before {
            Some(before) => format!("/channels/{channel}/messages?before={before}&limit=100"),
            None => format!("/channels/{channel}/messages?limit=100"),
        };
        let page = adapter
            .rest
            .json(Method::GET, &path, &format!("read:{channel}"), None)
            .await?;
        let page = page.as_array().cloned().unwrap_or_default();
        let mut reached_the_try = page.len() < 100;
        for m in &page {
            let Some(id) = m["id"].as_str().and_then(|id| id.parse::<u64>().ok()) else {
                continue;
            };
            before = Some(before.map_or(id, |b| b.min(id)));
            if id < oldest {
                reached_the_try = true;
                continue;
            }
            if ours(m) && looks_like(m) {
                found.push((id, id.to_string()));
            }
        }
        if reached_the_try {
            break;
        }
    }
    found.sort_unstable();
    Ok(found
        .into_iter()
        .map(|(_, remote_id)| Delivered { remote_id })
        .collect())
}

/// What a relay says: webhooks cannot reply, so a reply starts with a one-line quote of
/// the message it answers, its author's name linking to it.
pub async fn relay_content(adapter: &DiscordAdapter, channel: u64, body: &MessageBody) -> Result<String, ChatError> {
    let Some(reply_to) = &body.reply_to else {
        return Ok(body.text.clone());
    };
    let original = adapter
        .rest
        .json(
            Method::GET,
            &format!("/channels/{channel}/messages/{reply_to}"),
            &format!("read:{channel}"),
            None,
        )
        .await;
    let original = match original {
        Ok(original) => original,
        // The message replied to is gone: the reply stands on its own.
        Err(error) if error_code(&error) == Some(UNKNOWN_MESSAGE) => return Ok(body.text.clone()),
        Err(error) => return Err(error),
    };
    let author = original["author"]["global_name"]
        .as_str()
        .or_else(|| original["author"]["username"].as_str())
        .map(|name| name.replace(['*', '_', '`', '|', '~', '[', ']'], ""))
        .unwrap_or_default();
    let first_line = original["content"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default();
    // A quote of plain words: markup cut off mid-way would spill into the reply.
    let mut excerpt: String = first_line
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '~' | '`' | '|' | '>' | '<' | '[' | ']'))
        .take(80)
        .collect();
    if first_line.chars().count() > 80 {
        excerpt.push('…');
    }
    let guild = adapter.guilds.get(&channel).copied().unwrap_or_default();
    // The author's name is the link to the message, as Discord's own reply line is: no word
    // of the bot's that would need the room's language.
    let link = format!("https://discord.com/channels/{guild}/{channel}/{reply_to}");
    let quoted = match author.trim() {
        "" => format!("[↪](<{link}>)"),
        name => format!("↪ [**{name}**](<{link}>)"),
    };
    Ok(format!("> {quoted} {excerpt}\n{}", body.text))
}

/// Who a relay may ping: the people the core lists (the same people the original
/// mentioned, on the same platform) and the whole channel only when the core says so.
fn allowed_mentions(body: &MessageBody) -> Value {
    let parse: Vec<&str> = if body.pings_room { vec!["everyone"] } else { Vec::new() };
    // Discord takes at most 100 ids.
    let users: Vec<&str> = body.mentions.iter().take(100).map(|(id, _)| id.as_str()).collect();
    json!({"parse": parse, "users": users})
}

/// A message from the bot itself: a nonce Discord enforces, and no pings.
fn bot_message(key: &str, content: &str) -> Value {
    json!({
        "content": content,
        "nonce": nonce(key),
        "enforce_nonce": true,
        "allowed_mentions": {"parse": []},
    })
}

/// A relay through the channel's webhook, re-created once if someone deleted it.
async fn relay(
    adapter: &DiscordAdapter,
    channel: u64,
    persona: &Persona,
    mut payload: Value,
    files: &[FilePart],
) -> Result<Value, ChatError> {
    payload["username"] = json!(webhook_username(&persona.display_name));
    if let Some(avatar) = &persona.avatar_url {
        payload["avatar_url"] = json!(avatar);
    }
    if payload.get("allowed_mentions").is_none() {
        payload["allowed_mentions"] = json!({"parse": []});
    }
    let mut recreated = false;
    loop {
        let hook = adapter.relay_hook(channel, recreated).await?;
        let path = format!("/webhooks/{}/{}?wait=true", hook.id, hook.token);
        let bucket = format!("webhook:{}", hook.id);
        let result = if files.is_empty() {
            adapter.rest.json(Method::POST, &path, &bucket, Some(&payload)).await
        } else {
            adapter
                .rest
                .multipart(Method::POST, &path, &bucket, &payload, files)
                .await
        };
        match result {
            Err(error) if !recreated && error_code(&error) == Some(UNKNOWN_WEBHOOK) => {
                tracing::warn!(channel, "discord: the relay webhook was deleted; creating it again");
                recreated = true;
            }
            other => return other,
        }
    }
}

/// A poll's duration as Discord takes it: whole hours from now, 1 to 768 (32 days); the
/// bot ends it at the deadline itself, so the hour rounds up. 24 when no end is given.
fn poll_hours(closes_at_ms: Option<i64>) -> i64 {
    const HOUR_MS: i64 = 3_600_000;
    match closes_at_ms {
        Some(at) => {
            let left = at - chrono::Utc::now().timestamp_millis();
            ((left + HOUR_MS - 1) / HOUR_MS).clamp(1, 768)
        }
        None => 24,
    }
}

/// Discord refuses webhook names that are empty, over 80 characters, or contain "discord"
/// or "clyde".
fn webhook_username(name: &str) -> String {
    let cleaned = name.replace(['\n', '\r'], " ");
    let cleaned = replace_case_insensitive(
        &replace_case_insensitive(&cleaned, "discord", "d1scord"),
        "clyde",
        "c1yde",
    );
    let trimmed: String = cleaned.trim().chars().take(80).collect();
    // The core's personas always carry a platform tag; a blank name from elsewhere still
    // needs one character, and a sign needs no translation.
    if trimmed.is_empty() { "…".into() } else { trimmed }
}

fn replace_case_insensitive(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return text.replace(needle, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(needle) {
        out.push_str(&text[rest..at]);
        out.push_str(with);
        rest = at + needle.len();
    }
    out.push_str(&text[rest..]);
    out
}

fn file_part(file: &FileUpload) -> FilePart {
    // A name with path separators would be a path on someone's disk.
    let name = file.name.rsplit(['/', '\\']).next().unwrap_or("file").to_string();
    FilePart {
        name: if name.is_empty() { "file".into() } else { name },
        mime_type: file.mime_type.clone(),
        data: file.data.clone(),
    }
}

/// How the bot's reaction on a Discord message is recorded: never the bare message id.
fn reaction_id(target: &str, key: &str) -> String {
    format!("reaction:{target}:{key}")
}

/// A nonce of at most 25 characters, the same for the same delivery key.
pub(crate) fn nonce(key: &str) -> String {
    let hash = key
        .bytes()
        .fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    format!("m{hash:016x}")
}

/// Emoji in a reaction path: percent-encoded unicode, or `name:id` for custom emoji.
fn encode_emoji(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_names_are_made_acceptable() {
        assert_eq!(webhook_username("Ayşe [Matrix]"), "Ayşe [Matrix]");
        assert_eq!(webhook_username("Discord Fan"), "d1scord Fan");
        assert_eq!(webhook_username("  "), "…");
        assert_eq!(webhook_username(&"x".repeat(100)).chars().count(), 80);
    }

    #[test]
    fn nonces_are_short_and_stable() {
        assert_eq!(nonce("delivery-1"), nonce("delivery-1"));
        assert_ne!(nonce("delivery-1"), nonce("delivery-2"));
        assert!(nonce("a much longer delivery key than twenty-five characters").len() <= 25);
    }

    #[test]
    fn emoji_are_encoded_for_the_path() {
        assert_eq!(encode_emoji("👍"), "%F0%9F%91%8D");
        assert_eq!(encode_emoji("party:123"), "party:123");
    }
}
