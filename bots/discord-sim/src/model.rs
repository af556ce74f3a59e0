//! The simulated Discord world: users, one or more guilds with roles, members and text
//! channels, messages with reactions, and webhooks; and how each is written as Discord's
//! JSON. Field names and types follow Discord's API v10 documentation; snowflakes are
//! strings, and arrays are never null (serenity drops objects that break either rule).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

/// Discord's epoch (2015-01-01) in Unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Hands out snowflakes that grow with time and never repeat.
#[derive(Debug, Default)]
pub struct Snowflakes {
    last: u64,
}

impl Snowflakes {
    pub fn next(&mut self) -> u64 {
        let now_ms = chrono::Utc::now().timestamp_millis() as u64;
        let candidate = (now_ms.saturating_sub(DISCORD_EPOCH_MS)) << 22;
        self.last = candidate.max(self.last + 1);
        self.last
    }
}

/// The creation time Discord encodes in a snowflake, as an ISO 8601 timestamp.
pub fn snowflake_time(id: u64) -> String {
    let ms = (id >> 22) + DISCORD_EPOCH_MS;
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub global_name: Option<String>,
    pub avatar: Option<String>,
    pub bot: bool,
}

impl User {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "bot": self.bot,
            "public_flags": 0,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    pub position: i64,
}

impl Role {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
            "hoist": false,
            "icon": null,
            "unicode_emoji": null,
            "position": self.position,
            "permissions": self.permissions.to_string(),
            "managed": false,
            "mentionable": true,
            "flags": 0,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    pub nick: Option<String>,
    pub roles: Vec<u64>,
    pub joined_at: String,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: u64,
    pub guild_id: u64,
    pub name: String,
    pub position: i64,
}

impl Channel {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "type": 0,
            "guild_id": self.guild_id.to_string(),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "topic": null,
            "nsfw": false,
            "last_message_id": null,
            "rate_limit_per_user": 0,
            "parent_id": null,
            "flags": 0,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Guild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub roles: Vec<Role>,
    pub members: BTreeMap<u64, Member>,
    pub channels: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: u64,
    pub token: String,
    pub channel_id: u64,
    pub guild_id: u64,
    pub name: String,
    /// The user (the bot) who created it.
    pub creator: u64,
    pub application_id: Option<u64>,
}

impl Webhook {
    pub fn to_json(&self, creator: &User, with_token: bool) -> Value {
        let mut value = json!({
            "id": self.id.to_string(),
            "type": 1,
            "guild_id": self.guild_id.to_string(),
            "channel_id": self.channel_id.to_string(),
            "name": self.name,
            "avatar": null,
            "application_id": self.application_id.map(|id| id.to_string()),
            "user": creator.to_json(),
        });
        if with_token {
            value["token"] = json!(self.token);
        }
        value
    }
}

/// Who wrote a message: a user, or a webhook posting under a chosen name.
#[derive(Debug, Clone)]
pub enum Author {
    User(u64),
    Webhook {
        webhook_id: u64,
        username: String,
        avatar_url: Option<String>,
        /// The application that owns the webhook, if one does: Discord then names it in
        /// the message's `application_id`.
        application_id: Option<u64>,
    },
}

#[derive(Debug, Clone)]
pub struct Poll {
    pub question: String,
    pub answers: Vec<String>,
    pub allow_multiselect: bool,
    pub expiry: String,
    pub finalized: bool,
    /// answer id (1-based) → voters.
    pub votes: BTreeMap<u32, Vec<u64>>,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub id: u64,
    pub channel_id: u64,
    pub guild_id: u64,
    pub author: Author,
    pub content: String,
    pub edited_timestamp: Option<String>,
    pub attachments: Vec<Attachment>,
    pub embeds: Vec<Value>,
    pub components: Vec<Value>,
    /// Users pinged, as Discord resolved them from the content and allowed_mentions.
    pub mentions: Vec<u64>,
    pub mention_roles: Vec<u64>,
    pub mention_everyone: bool,
    pub nonce: Option<String>,
    pub reply_to: Option<u64>,
    /// emoji → users who reacted, in order.
    pub reactions: Vec<(String, Vec<u64>)>,
    pub poll: Option<Poll>,
    pub flags: u64,
    /// Set on a response to an interaction.
    pub interaction: Option<InteractionRef>,
}

/// The interaction a message answers.
#[derive(Debug, Clone, Copy)]
pub struct InteractionRef {
    pub id: u64,
    /// The interaction type: 2 a slash command, 3 a component, 5 a form.
    pub kind: u8,
    pub user: u64,
    /// The message whose component was used.
    pub interacted: Option<u64>,
}

impl Message {
    pub fn webhook_id(&self) -> Option<u64> {
        match &self.author {
            Author::Webhook { webhook_id, .. } => Some(*webhook_id),
            Author::User(_) => None,
        }
    }
}

/// Renders a message as Discord's JSON. `users` resolves authors and mentions; `viewer`
/// decides `me` in reactions; `with_content` is false for a bot without the message
/// content intent, which sees empty content as Discord does.
pub fn message_json(
    message: &Message,
    users: &HashMap<u64, User>,
    base_url: &str,
    viewer: u64,
    with_content: bool,
    referenced: Option<Value>,
) -> Value {
    let author = match &message.author {
        Author::User(id) => users.get(id).map(User::to_json).unwrap_or(Value::Null),
        Author::Webhook {
            webhook_id,
            username,
            avatar_url,
            ..
        } => json!({
            "id": webhook_id.to_string(),
            "username": username,
            "discriminator": "0000",
            "global_name": null,
            // Discord gives a hash here; serenity accepts only 32 hex digits or null.
            "avatar": avatar_url.as_ref().map(|url| format!("{:032x}", fnv64(url))),
            "bot": true,
            "public_flags": 0,
        }),
    };
    let attachments: Vec<Value> = message
        .attachments
        .iter()
        .map(|a| {
            json!({
                "id": a.id.to_string(),
                "filename": a.filename,
                "size": a.data.len(),
                "url": format!("{base_url}/attachments/{}/{}/{}", message.channel_id, a.id, a.filename),
                "proxy_url": format!("{base_url}/attachments/{}/{}/{}", message.channel_id, a.id, a.filename),
                "content_type": a.content_type,
                "ephemeral": false,
            })
        })
        .collect();
    let mentions: Vec<Value> = message
        .mentions
        .iter()
        .filter_map(|id| users.get(id))
        .map(User::to_json)
        .collect();
    let reactions: Vec<Value> = message
        .reactions
        .iter()
        .filter(|(_, who)| !who.is_empty())
        .map(|(emoji, who)| {
            json!({
                "count": who.len(),
                "count_details": {"burst": 0, "normal": who.len()},
                "me": who.contains(&viewer),
                "me_burst": false,
                "burst_colors": [],
                "emoji": emoji_json(emoji),
            })
        })
        .collect();
    let (content, embeds, attachments, components) = if with_content {
        (
            message.content.clone(),
            message.embeds.clone(),
            attachments,
            message.components.clone(),
        )
    } else {
        (String::new(), Vec::new(), Vec::new(), Vec::new())
    };
    let mut value = json!({
        "id": message.id.to_string(),
        "channel_id": message.channel_id.to_string(),
        "guild_id": message.guild_id.to_string(),
        "author": author,
        "content": content,
        "timestamp": snowflake_time(message.id),
        "edited_timestamp": message.edited_timestamp,
        "tts": false,
        "mention_everyone": message.mention_everyone,
        "mentions": mentions,
        "mention_roles": message.mention_roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "attachments": attachments,
        "embeds": embeds,
        "reactions": reactions,
        "pinned": false,
        "type": if message.reply_to.is_some() { 19 } else { 0 },
        "flags": message.flags,
        "components": components,
    });
    if let Some(nonce) = &message.nonce {
        value["nonce"] = json!(nonce);
    }
    if let Author::Webhook {
        webhook_id,
        application_id,
        ..
    } = &message.author
    {
        value["webhook_id"] = json!(webhook_id.to_string());
        if let Some(application) = application_id {
            value["application_id"] = json!(application.to_string());
        }
    }
    if let Some(reply_to) = message.reply_to {
        value["message_reference"] = json!({
            "type": 0,
            "message_id": reply_to.to_string(),
            "channel_id": message.channel_id.to_string(),
            "guild_id": message.guild_id.to_string(),
        });
        value["referenced_message"] = referenced.unwrap_or(Value::Null);
    }
    if let Some(poll) = &message.poll {
        value["poll"] = poll_json(poll);
    }
    value
}

fn poll_json(poll: &Poll) -> Value {
    let answers: Vec<Value> = poll
        .answers
        .iter()
        .enumerate()
        .map(|(n, text)| json!({"answer_id": n + 1, "poll_media": {"text": text}}))
        .collect();
    let counts: Vec<Value> = poll
        .votes
        .iter()
        .map(|(answer, voters)| json!({"id": answer, "count": voters.len(), "me_voted": false}))
        .collect();
    json!({
        "question": {"text": poll.question},
        "answers": answers,
        "expiry": poll.expiry,
        "allow_multiselect": poll.allow_multiselect,
        "layout_type": 1,
        "results": {"is_finalized": poll.finalized, "answer_counts": counts},
    })
}

/// A unicode emoji, or a custom one written `name:id`.
pub fn emoji_json(emoji: &str) -> Value {
    match emoji.split_once(':') {
        Some((name, id)) if id.bytes().all(|b| b.is_ascii_digit()) => json!({"id": id, "name": name}),
        _ => json!({"id": null, "name": emoji}),
    }
}

/// A stable 64-bit hash (FNV-1a): rate-limit bucket names, and the avatar "hash" of
/// webhook messages.
pub fn fnv64(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}
