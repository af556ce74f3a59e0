//! Discord messages (as the REST API returns them) into the port's neutral events.

use magnet_chat::{Attachment, EventKind, InboundEvent, MessageBody, MessageKind, Platform, Sender};
use serde_json::Value;

/// Who the adapter is, to recognise its own messages and its own webhooks' relays.
pub struct Own<'a> {
    pub bot_user: u64,
    pub webhooks: &'a [u64],
    pub application: u64,
}

impl Own<'_> {
    /// Whether a message is the bot's: its own, or a relay through one of its webhooks,
    /// known by the hook's id or (a hook this process did not make: an earlier run's,
    /// another instance's) by the application that owns it.
    pub fn wrote(&self, author: u64, webhook: Option<u64>, application: Option<u64>) -> bool {
        author == self.bot_user
            || webhook.is_some_and(|hook| self.webhooks.contains(&hook) || application == Some(self.application))
    }
}

/// Converts one message from a channel listing, or says why it is skipped.
pub fn message(raw: &Value, own: &Own<'_>) -> Result<InboundEvent, String> {
    let id = raw["id"].as_str().ok_or("a message without an id")?;
    let channel = raw["channel_id"].as_str().ok_or("a message without a channel")?;
    let author = &raw["author"];
    let author_id: u64 = author["id"]
        .as_str()
        .and_then(|a| a.parse().ok())
        .ok_or("a message without an author")?;
    let webhook = raw["webhook_id"].as_str().and_then(|w| w.parse::<u64>().ok());
    let application = raw["application_id"].as_str().and_then(|a| a.parse::<u64>().ok());
    if own.wrote(author_id, webhook, application) {
        return Err(format!("{id}: our own message or relay"));
    }
    // Only default (0) and reply (19) messages carry what people wrote; joins, pins and
    // the like are not bridged.
    let kind = raw["type"].as_u64().unwrap_or(0);
    if kind != 0 && kind != 19 {
        return Err(format!("{id}: a system message of type {kind}"));
    }
    let attachments = raw["attachments"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|a| {
                    Some(Attachment {
                        name: a["filename"].as_str()?.to_string(),
                        mime_type: a["content_type"].as_str().map(str::to_string),
                        size: a["size"].as_u64(),
                        url: a["url"].as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let body = MessageBody {
        kind: MessageKind::Text,
        text: raw["content"].as_str().unwrap_or_default().to_string(),
        html: None,
        reply_to: raw["message_reference"]["message_id"].as_str().map(str::to_string),
        attachments,
        mentions: mentioned(raw),
        // Discord sets it only when the author may ping everyone.
        pings_room: raw["mention_everyone"].as_bool().unwrap_or(false),
    };
    Ok(InboundEvent {
        platform: Platform::Discord,
        room: channel.to_string(),
        event_id: id.to_string(),
        sender: sender(author, &raw["member"]),
        timestamp_ms: timestamp_ms(raw["timestamp"].as_str()),
        kind: EventKind::Message(body),
    })
}

/// The users a message mentions, with the names Discord sent along (in a guild each comes
/// with the partial member, so a nickname too): the core shows them by name where `<@id>`
/// means nothing.
fn mentioned(raw: &Value) -> Vec<(String, String)> {
    raw["mentions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|user| {
            let id = user["id"].as_str()?.to_string();
            let name = display_name(
                user["member"]["nick"].as_str(),
                user["global_name"].as_str(),
                user["username"].as_str(),
                &id,
            );
            Some((id, name))
        })
        .collect()
}

/// A person's name as the guild shows it: nickname, else global name, else username, else
/// (nothing else known) the user id. Many accounts never set a global name, and a nickname
/// is per guild: leaving out any step shows people as a number. Blank counts as unset.
pub fn display_name(nick: Option<&str>, global_name: Option<&str>, username: Option<&str>, id: &str) -> String {
    [nick, global_name, username]
        .into_iter()
        .flatten()
        .find(|name| !name.trim().is_empty())
        .unwrap_or(id)
        .to_string()
}

/// The author as shown in the guild: see [`display_name`].
pub fn sender(author: &Value, member: &Value) -> Sender {
    let id = author["id"].as_str().unwrap_or_default().to_string();
    let display_name = display_name(
        member["nick"].as_str(),
        author["global_name"].as_str(),
        author["username"].as_str(),
        &id,
    );
    let avatar_url = author["avatar"]
        .as_str()
        .map(|hash| format!("https://cdn.discordapp.com/avatars/{id}/{hash}.png"));
    Sender {
        id,
        display_name,
        avatar_url,
        locale: None,
    }
}

/// An ISO 8601 timestamp in Unix milliseconds (0 if missing or unreadable).
pub fn timestamp_ms(text: Option<&str>) -> i64 {
    text.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(0, |t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWN: Own<'static> = Own {
        bot_user: 1,
        webhooks: &[2],
        application: 1,
    };

    #[test]
    fn a_reply_with_a_file_from_a_member_with_a_nickname() {
        let raw = json!({"id": "10", "channel_id": "5", "type": 19, "content": "see attached",
            "timestamp": "2026-11-26T18:00:00.250000+00:00",
            "author": {"id": "7", "username": "ayse", "global_name": "Ayşe", "avatar": null},
            "member": {"nick": "Ayşe (Ministry)"},
            "message_reference": {"message_id": "9"},
            "attachments": [{"filename": "a.pdf", "size": 3, "url": "http://x/a.pdf", "content_type": "application/pdf"}]});
        let event = message(&raw, &OWN).unwrap();
        assert_eq!(event.sender.display_name, "Ayşe (Ministry)");
        assert_eq!(event.timestamp_ms, 1_795_716_000_250);
        let EventKind::Message(body) = event.kind else { panic!() };
        assert_eq!(body.reply_to.as_deref(), Some("9"));
        assert_eq!(body.attachments[0].name, "a.pdf");
    }

    #[test]
    fn a_name_is_the_nickname_else_the_global_name_else_the_username_else_the_id() {
        assert_eq!(
            display_name(Some("Ayşe (Ministry)"), Some("Ayşe"), Some("ayse"), "7"),
            "Ayşe (Ministry)"
        );
        assert_eq!(display_name(None, Some("Ayşe"), Some("ayse"), "7"), "Ayşe");
        // No nickname and no global name: the username, not the number.
        assert_eq!(display_name(None, None, Some("bora"), "8"), "bora");
        assert_eq!(display_name(Some(""), Some(" "), Some("bora"), "8"), "bora");
        assert_eq!(display_name(None, None, None, "8"), "8");
        let raw = json!({"id": "10", "channel_id": "5", "type": 0, "content": "hi <@7>",
            "author": {"id": "8", "username": "bora", "global_name": null},
            "member": {"nick": null},
            "mentions": [{"id": "7", "username": "ayse", "global_name": null, "member": {"nick": "Ayşe (Ministry)"}}]});
        let event = message(&raw, &OWN).unwrap();
        assert_eq!(event.sender.display_name, "bora");
        let EventKind::Message(body) = event.kind else { panic!() };
        assert_eq!(body.mentions, vec![("7".to_string(), "Ayşe (Ministry)".to_string())]);
    }

    #[test]
    fn own_messages_relays_and_system_messages_are_skipped() {
        let ours = json!({"id": "10", "channel_id": "5", "author": {"id": "1", "username": "magnet"}});
        assert!(message(&ours, &OWN).unwrap_err().contains("our own"));
        let relay = json!({"id": "11", "channel_id": "5", "webhook_id": "2", "author": {"id": "2", "username": "Ayşe [Matrix]"}});
        assert!(message(&relay, &OWN).unwrap_err().contains("our own"));
        // A hook this process did not make, but of our application (an earlier run's).
        let earlier = json!({"id": "13", "channel_id": "5", "webhook_id": "99", "application_id": "1",
            "author": {"id": "99", "username": "Ayşe [Matrix]"}});
        assert!(message(&earlier, &OWN).unwrap_err().contains("our own"));
        // Another integration's webhook is someone talking.
        let theirs = json!({"id": "14", "channel_id": "5", "webhook_id": "98", "application_id": "5",
            "author": {"id": "98", "username": "GitHub"}, "content": "PR merged"});
        assert!(message(&theirs, &OWN).is_ok());
        let pin = json!({"id": "12", "channel_id": "5", "type": 6, "author": {"id": "7", "username": "ayse"}});
        assert!(message(&pin, &OWN).unwrap_err().contains("system"));
        assert!(message(&json!(null), &OWN).is_err());
    }
}
