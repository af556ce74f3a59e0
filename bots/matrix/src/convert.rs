//! Matrix timeline events (as raw JSON, after decryption) into the port's neutral events.
//!
//! Working on the raw JSON rather than ruma's typed events keeps one malformed or unknown
//! event from failing a whole page of history: each event is converted or skipped on its
//! own, with the reason logged.

use magnet_chat::{
    Attachment, EventKind, InboundEvent, Membership, MessageBody, MessageKind, Platform, PollStart, Sender,
};
use serde_json::Value;

/// What became of one timeline event.
#[derive(Debug, PartialEq)]
pub enum Converted {
    Event(Box<InboundEvent>),
    /// Not something the core handles (state we do not track, an unknown type, our own
    /// echo), or malformed: the reason, for the debug log.
    Skip(String),
}

/// Looks up a room member's display name and avatar for attribution.
pub trait MemberLookup {
    fn display_name(&self, user_id: &str) -> Option<String>;
    fn avatar_url(&self, user_id: &str) -> Option<String>;
}

/// Converts one raw timeline event from `room` (the room key the core knows it by).
pub fn convert(raw: &Value, room: &str, own_user: &str, members: &dyn MemberLookup) -> Converted {
    let Some(event_type) = raw["type"].as_str() else {
        return Converted::Skip("an event without a type".into());
    };
    let Some(event_id) = raw["event_id"].as_str() else {
        return Converted::Skip(format!("a {event_type} event without an event_id"));
    };
    let Some(sender_id) = raw["sender"].as_str() else {
        return Converted::Skip(format!("{event_id}: no sender"));
    };
    if sender_id == own_user {
        return Converted::Skip(format!("{event_id}: our own event"));
    }
    let content = &raw["content"];
    let kind = match event_type {
        "m.room.message" => message(content),
        "m.reaction" => reaction(content),
        "m.room.redaction" => redaction(raw),
        "m.room.member" => membership(raw),
        "org.matrix.msc3381.poll.start" | "m.poll.start" => poll_start(content, event_type),
        "org.matrix.msc3381.poll.response" | "m.poll.response" => poll_response(content, event_type),
        "org.matrix.msc3381.poll.end" | "m.poll.end" => poll_end(content),
        "m.room.encrypted" => Err("an event we could not decrypt (no keys yet)".into()),
        other => Err(format!("type {other} is not handled")),
    };
    match kind {
        Ok(kind) => Converted::Event(Box::new(InboundEvent {
            platform: Platform::Matrix,
            room: room.to_string(),
            event_id: event_id.to_string(),
            sender: Sender {
                id: sender_id.to_string(),
                display_name: members
                    .display_name(sender_id)
                    .unwrap_or_else(|| localpart(sender_id).to_string()),
                avatar_url: members.avatar_url(sender_id),
                locale: None,
            },
            timestamp_ms: raw["origin_server_ts"].as_i64().unwrap_or_default(),
            kind,
        })),
        Err(reason) => Converted::Skip(format!("{event_id} ({event_type}): {reason}")),
    }
}

type KindResult = Result<EventKind, String>;

fn message(content: &Value) -> KindResult {
    let relates = &content["m.relates_to"];
    if relates["rel_type"] == "m.replace" {
        let target = relates["event_id"].as_str().ok_or("an edit without a target event")?;
        // The new content is in m.new_content; the outer body is a "* " fallback.
        let new_content = if content["m.new_content"].is_object() {
            &content["m.new_content"]
        } else {
            content
        };
        return Ok(EventKind::Edit {
            target: target.to_string(),
            body: body(new_content, false)?,
        });
    }
    let reply_to = relates["m.in_reply_to"]["event_id"].as_str().map(str::to_string);
    let mut body = body(content, reply_to.is_some())?;
    body.reply_to = reply_to;
    Ok(EventKind::Message(body))
}

/// `is_reply`: the body may start with a reply fallback, which is removed here so that the
/// relay and the command reader both see only what the person wrote.
fn body(content: &Value, is_reply: bool) -> Result<MessageBody, String> {
    let msgtype = content["msgtype"].as_str().ok_or("a message without a msgtype")?;
    let text = content["body"].as_str().ok_or("a message whose body is not text")?;
    let text = if is_reply { strip_reply_fallback(text) } else { text };
    let html = (content["format"] == "org.matrix.custom.html")
        .then(|| content["formatted_body"].as_str().map(str::to_string))
        .flatten();
    let kind = match msgtype {
        "m.notice" => MessageKind::Notice,
        "m.emote" => MessageKind::Emote,
        _ => MessageKind::Text,
    };
    let mut body = MessageBody {
        kind,
        text: text.to_string(),
        html,
        reply_to: None,
        attachments: Vec::new(),
        // The people the sender means to ping (intentional mentions), by user id.
        mentions: content["m.mentions"]["user_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|id| id.as_str().map(|id| (id.to_string(), id.to_string())))
            .collect(),
        // An intentional room mention, or (from clients that predate m.mentions) "@room" in
        // the text. Whether the sender may ping the room is for the core to check.
        pings_room: match content.get("m.mentions") {
            Some(mentions) => mentions["room"] == true,
            None => text.contains("@room"),
        },
    };
    if matches!(msgtype, "m.image" | "m.file" | "m.audio" | "m.video") {
        // Unencrypted media has `url`; encrypted media has `file`, whose keys are needed
        // to fetch it, so the whole `file` object (as JSON) is the opaque URL.
        let url = match (content["url"].as_str(), content["file"].is_object()) {
            (Some(url), _) => url.to_string(),
            (None, true) => content["file"].to_string(),
            (None, false) => return Err("a file message without a URL".into()),
        };
        let filename = content["filename"].as_str().unwrap_or(text);
        body.attachments.push(Attachment {
            name: filename.to_string(),
            mime_type: content["info"]["mimetype"].as_str().map(str::to_string),
            size: content["info"]["size"].as_u64(),
            url,
        });
        // With a separate filename, the body is a caption; otherwise it is just the name.
        if content["filename"].is_null() || filename == text {
            body.text = String::new();
            body.html = None;
        }
    }
    Ok(body)
}

/// The body of a reply without the "reply fallback" that clients before Matrix 1.13 put
/// at its top: the replied-to message quoted as `> <@sender:server> text` lines, then an
/// empty line. The bridge carries the reply as a reply, so the quote would only repeat it,
/// and a `!magnet` command after it must still be found at the start.
///
/// Only a quote that opens the way a fallback does (`> <@`, or `> * <@` for an emote) is
/// removed: newer clients send no fallback, and their reply may start with a quote of its
/// own. A body that is all quote, with no empty line after it, is kept whole.
fn strip_reply_fallback(body: &str) -> &str {
    if !body.starts_with("> <@") && !body.starts_with("> * <@") {
        return body;
    }
    let mut rest = body;
    while rest.starts_with('>') {
        let Some(newline) = rest.find('\n') else {
            return body;
        };
        rest = &rest[newline + 1..];
    }
    rest.strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .unwrap_or(body)
}

fn reaction(content: &Value) -> KindResult {
    let relates = &content["m.relates_to"];
    if relates["rel_type"] != "m.annotation" {
        return Err("a reaction without an annotation".into());
    }
    let target = relates["event_id"].as_str().ok_or("a reaction without a target")?;
    let key = relates["key"].as_str().ok_or("a reaction without a key")?;
    Ok(EventKind::ReactionAdded {
        target: target.to_string(),
        key: key.to_string(),
    })
}

fn redaction(raw: &Value) -> KindResult {
    // Room versions up to 10 put `redacts` at the top level, version 11 in the content.
    let target = raw["content"]["redacts"]
        .as_str()
        .or_else(|| raw["redacts"].as_str())
        .ok_or("a redaction without a target")?;
    Ok(EventKind::Delete {
        target: target.to_string(),
    })
}

fn membership(raw: &Value) -> KindResult {
    let user_id = raw["state_key"]
        .as_str()
        .ok_or("a membership event without a state_key")?;
    let membership = match raw["content"]["membership"].as_str() {
        Some("join") => Membership::Join,
        Some("leave") => Membership::Leave,
        Some("invite") => Membership::Invite,
        Some("ban") => Membership::Ban,
        Some("knock") => Membership::Knock,
        other => return Err(format!("unknown membership {other:?}")),
    };
    Ok(EventKind::Membership {
        user_id: user_id.to_string(),
        membership,
    })
}

/// Text of an MSC1767 extensible-event text block (`[{"body": ..}]` or `{"m.text": ..}`).
fn extensible_text(value: &Value) -> Option<String> {
    let block = if value.is_object() && value.get("m.text").is_some() {
        &value["m.text"]
    } else {
        value
    };
    match block {
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => items
            .iter()
            .find(|item| item["mimetype"].is_null() || item["mimetype"] == "text/plain")
            .and_then(|item| item["body"].as_str())
            .map(str::to_string),
        _ => None,
    }
}

fn poll_start(content: &Value, event_type: &str) -> KindResult {
    let poll = if event_type.starts_with("org.matrix") {
        &content["org.matrix.msc3381.poll.start"]
    } else {
        &content["m.poll"]
    };
    let question_block = if event_type.starts_with("org.matrix") {
        &poll["question"]["org.matrix.msc1767.text"]
    } else {
        &poll["question"]
    };
    let question = extensible_text(question_block)
        .or_else(|| extensible_text(&poll["question"]))
        .ok_or("a poll without a question")?;
    let answers = poll["answers"].as_array().ok_or("a poll without answers")?;
    let answers = answers
        .iter()
        .map(|answer| {
            let id = answer["id"].as_str().or_else(|| answer["m.id"].as_str())?;
            let text = extensible_text(&answer["org.matrix.msc1767.text"])
                .or_else(|| extensible_text(&answer["m.text"]))
                .or_else(|| extensible_text(answer))?;
            Some((id.to_string(), text))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or("a poll answer without an id or text")?;
    let max_selections = poll["max_selections"]
        .as_u64()
        .unwrap_or(1)
        .clamp(1, answers.len().max(1) as u64) as u32;
    let kind = poll["kind"].as_str().unwrap_or_default();
    Ok(EventKind::PollStart(PollStart {
        question,
        answers,
        max_selections,
        disclosed: !kind.ends_with("undisclosed"),
        closes_at_ms: None,
    }))
}

fn poll_response(content: &Value, event_type: &str) -> KindResult {
    let poll = content["m.relates_to"]["event_id"]
        .as_str()
        .ok_or("a poll response without its poll")?;
    let selections = if event_type.starts_with("org.matrix") {
        &content["org.matrix.msc3381.poll.response"]["answers"]
    } else {
        &content["m.selections"]
    };
    let answers = selections
        .as_array()
        .map(|items| items.iter().filter_map(|a| a.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    Ok(EventKind::PollResponse {
        poll: poll.to_string(),
        answers,
    })
}

fn poll_end(content: &Value) -> KindResult {
    let poll = content["m.relates_to"]["event_id"]
        .as_str()
        .ok_or("a poll end without its poll")?;
    Ok(EventKind::PollEnd { poll: poll.to_string() })
}

/// `@name:server` → `name`, for people whose display name we do not know.
fn localpart(user_id: &str) -> &str {
    user_id.trim_start_matches('@').split(':').next().unwrap_or(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct NoMembers;
    impl MemberLookup for NoMembers {
        fn display_name(&self, user_id: &str) -> Option<String> {
            (user_id == "@ayse:hs").then(|| "Ayşe".to_string())
        }
        fn avatar_url(&self, _: &str) -> Option<String> {
            None
        }
    }

    fn event(event_type: &str, content: Value) -> Value {
        json!({"type": event_type, "event_id": "$e", "sender": "@ayse:hs", "origin_server_ts": 42, "content": content})
    }

    fn kind(raw: Value) -> EventKind {
        match convert(&raw, "!r:hs", "@bot:hs", &NoMembers) {
            Converted::Event(event) => event.kind,
            Converted::Skip(reason) => panic!("skipped: {reason}"),
        }
    }

    fn skipped(raw: Value) -> String {
        match convert(&raw, "!r:hs", "@bot:hs", &NoMembers) {
            Converted::Skip(reason) => reason,
            Converted::Event(event) => panic!("converted: {event:?}"),
        }
    }

    #[test]
    fn text_with_html_and_a_reply() {
        let raw = event(
            "m.room.message",
            json!({"msgtype": "m.text", "body": "hi", "format": "org.matrix.custom.html", "formatted_body": "<b>hi</b>",
                   "m.relates_to": {"m.in_reply_to": {"event_id": "$orig"}}}),
        );
        let Converted::Event(event) = convert(&raw, "!r:hs", "@bot:hs", &NoMembers) else {
            panic!()
        };
        assert_eq!(event.sender.display_name, "Ayşe");
        assert_eq!(event.timestamp_ms, 42);
        let EventKind::Message(body) = event.kind else { panic!() };
        assert_eq!((body.text.as_str(), body.html.as_deref()), ("hi", Some("<b>hi</b>")));
        assert_eq!(body.reply_to.as_deref(), Some("$orig"));
    }

    fn reply(content: Value) -> MessageBody {
        let mut content = content;
        content["m.relates_to"] = json!({"m.in_reply_to": {"event_id": "$orig"}});
        let EventKind::Message(body) = kind(event("m.room.message", content)) else {
            panic!()
        };
        assert_eq!(body.reply_to.as_deref(), Some("$orig"));
        body
    }

    #[test]
    fn a_plain_reply_loses_its_quote_fallback() {
        let body = reply(json!({"msgtype": "m.text",
            "body": "> <@selin:hs> Shall we meet at ten?\n> @room bring the agenda\n\nYes, at ten.\n> a quote of mine"}));
        assert_eq!(body.text, "Yes, at ten.\n> a quote of mine");
        assert_eq!(body.html, None);
        assert!(!body.pings_room, "the @room was in the quoted message");
        // A command in a reply is the start of what the person wrote.
        let body = reply(json!({"msgtype": "m.text", "body": "> <@selin:hs> what can it do?\n\n!magnet help"}));
        assert_eq!(body.text, "!magnet help");
        let emote = reply(json!({"msgtype": "m.emote", "body": "> * <@selin:hs> waves\n\nwaves back"}));
        assert_eq!(emote.text, "waves back");
        // Newer clients send replies without a fallback; a quote of the person's own stays.
        let body = reply(json!({"msgtype": "m.text", "body": "> you said ten\n\nI meant eleven"}));
        assert_eq!(body.text, "> you said ten\n\nI meant eleven");
        // All quote and no answer: nothing to take away.
        let body = reply(json!({"msgtype": "m.text", "body": "> <@selin:hs> ten?\n> eleven?"}));
        assert_eq!(body.text, "> <@selin:hs> ten?\n> eleven?");
        // Not a reply: the body is what was typed, quote and all.
        let EventKind::Message(body) = kind(event(
            "m.room.message",
            json!({"msgtype": "m.text", "body": "> <@selin:hs> ten?\n\nquoted by hand"}),
        )) else {
            panic!()
        };
        assert_eq!(body.text, "> <@selin:hs> ten?\n\nquoted by hand");
    }

    #[test]
    fn a_reply_with_html_keeps_it_and_loses_the_plain_fallback() {
        let html = "<mx-reply><blockquote><a href=\"https://matrix.to/#/!r:hs/$orig\">In reply to</a> \
                    <a href=\"https://matrix.to/#/@selin:hs\">@selin:hs</a><br>ok?</blockquote></mx-reply><b>!magnet</b> help";
        let body = reply(json!({"msgtype": "m.text", "body": "> <@selin:hs> ok?\n\n!magnet help",
            "format": "org.matrix.custom.html", "formatted_body": html}));
        assert_eq!(body.text, "!magnet help");
        // The core drops <mx-reply> when it converts the HTML.
        assert_eq!(body.html.as_deref(), Some(html));
    }

    #[test]
    fn notice_emote_edit_redaction_reaction() {
        let EventKind::Message(body) = kind(event("m.room.message", json!({"msgtype": "m.emote", "body": "waves"})))
        else {
            panic!()
        };
        assert_eq!(body.kind, MessageKind::Emote);
        let edit = kind(event(
            "m.room.message",
            json!({"msgtype": "m.text", "body": "* fixed", "m.new_content": {"msgtype": "m.text", "body": "fixed"},
                   "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}}),
        ));
        let EventKind::Edit { target, body } = edit else {
            panic!()
        };
        assert_eq!((target.as_str(), body.text.as_str()), ("$orig", "fixed"));
        let mut redaction = event("m.room.redaction", json!({}));
        redaction["redacts"] = json!("$gone");
        assert_eq!(kind(redaction), EventKind::Delete { target: "$gone".into() });
        let reaction = kind(event(
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": "$m", "key": "👍"}}),
        ));
        assert_eq!(
            reaction,
            EventKind::ReactionAdded {
                target: "$m".into(),
                key: "👍".into()
            }
        );
    }

    #[test]
    fn a_file_becomes_an_attachment() {
        let EventKind::Message(body) = kind(event(
            "m.room.message",
            json!({"msgtype": "m.file", "body": "report.pdf", "url": "mxc://hs/abc", "info": {"mimetype": "application/pdf", "size": 1234}}),
        )) else {
            panic!()
        };
        assert_eq!(body.text, "");
        assert_eq!(body.attachments[0].name, "report.pdf");
        assert_eq!(body.attachments[0].size, Some(1234));
        assert_eq!(body.attachments[0].url, "mxc://hs/abc");
    }

    #[test]
    fn unstable_and_stable_polls() {
        let start = kind(event(
            "org.matrix.msc3381.poll.start",
            json!({"org.matrix.msc3381.poll.start": {
                "question": {"org.matrix.msc1767.text": "Lunch?"},
                "kind": "org.matrix.msc3381.poll.undisclosed", "max_selections": 1,
                "answers": [{"id": "a", "org.matrix.msc1767.text": "Yes"}, {"id": "b", "org.matrix.msc1767.text": "No"}]}}),
        ));
        let EventKind::PollStart(poll) = start else { panic!() };
        assert_eq!(poll.question, "Lunch?");
        assert_eq!(
            poll.answers,
            vec![("a".into(), "Yes".into()), ("b".into(), "No".into())]
        );
        assert!(!poll.disclosed);
        let response = kind(event(
            "org.matrix.msc3381.poll.response",
            json!({"m.relates_to": {"rel_type": "m.reference", "event_id": "$poll"}, "org.matrix.msc3381.poll.response": {"answers": ["a"]}}),
        ));
        assert_eq!(
            response,
            EventKind::PollResponse {
                poll: "$poll".into(),
                answers: vec!["a".into()]
            }
        );
        let stable = kind(event(
            "m.poll.start",
            json!({"m.poll": {"question": {"m.text": [{"body": "Venue?"}]}, "kind": "m.disclosed", "max_selections": 2,
                   "answers": [{"m.id": "x", "m.text": [{"body": "Ankara"}]}, {"m.id": "y", "m.text": [{"body": "Online"}]}]}}),
        ));
        let EventKind::PollStart(poll) = stable else { panic!() };
        assert_eq!(
            (poll.question.as_str(), poll.max_selections, poll.disclosed),
            ("Venue?", 2, true)
        );
        let response = kind(event(
            "m.poll.response",
            json!({"m.relates_to": {"event_id": "$p"}, "m.selections": ["x", "y"]}),
        ));
        assert_eq!(
            response,
            EventKind::PollResponse {
                poll: "$p".into(),
                answers: vec!["x".into(), "y".into()]
            }
        );
        assert_eq!(
            kind(event("m.poll.end", json!({"m.relates_to": {"event_id": "$p"}}))),
            EventKind::PollEnd { poll: "$p".into() }
        );
    }

    #[test]
    fn bad_input_is_skipped_with_a_reason_never_a_panic() {
        assert!(skipped(event("com.example.custom", json!({}))).contains("not handled"));
        assert!(
            skipped(event("m.room.message", json!({"msgtype": "m.text", "body": 12}))).contains("body is not text")
        );
        assert!(skipped(event("m.room.message", json!("not an object"))).contains("msgtype"));
        assert!(skipped(json!({"event_id": "$x"})).contains("without a type"));
        assert!(skipped(json!(null)).contains("without a type"));
        assert!(skipped(event("m.room.encrypted", json!({"algorithm": "m.megolm.v1.aes-sha2"}))).contains("decrypt"));
        let mut own = event("m.room.message", json!({"msgtype": "m.text", "body": "echo"}));
        own["sender"] = json!("@bot:hs");
        assert!(skipped(own).contains("our own"));
        // Enormous nesting and a script are passed on as text for the core to sanitise.
        let nested = format!(
            "{}<script>alert(1)</script>{}",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let EventKind::Message(body) = kind(event(
            "m.room.message",
            json!({"msgtype": "m.text", "body": "x".repeat(60_000), "format": "org.matrix.custom.html", "formatted_body": nested}),
        )) else {
            panic!()
        };
        assert_eq!(body.text.len(), 60_000);
    }
}
