//! Outbound actions as Matrix events, each sent with a transaction id derived from the
//! core's delivery key, so a send repeated after a crash returns the first event instead
//! of posting a second one (Synapse keeps transaction ids per device for about a day).

use magnet_chat::{ChatError, Delivered, MessageBody, MessageKind, OutboundAction, PollStart};
use matrix_sdk::Room;
use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::config::RequestConfig;
use matrix_sdk::ruma::events::room::message::TextMessageEventContent;
use matrix_sdk::ruma::{EventId, OwnedTransactionId, TransactionId};
use serde_json::{Value, json};

use crate::error::{classify_http, classify_send};

/// Carries out one action in a joined room.
pub async fn perform(room: &Room, idempotency_key: &str, action: &OutboundAction) -> Result<Delivered, ChatError> {
    let txn = transaction_id(idempotency_key);
    let (event_type, content) = match action {
        // Matrix has no buttons: the core writes the text way to answer into the body.
        OutboundAction::Send { body, .. } | OutboundAction::SendControls { body, .. } => {
            ("m.room.message", message_content(body))
        }
        OutboundAction::Respond { .. } => {
            return Err(ChatError::Permanent(
                "Matrix reports no interactions to respond to; answer in the room instead".into(),
            ));
        }
        OutboundAction::Edit { target, body } => {
            let target = parse_event_id(target)?;
            let new_content = message_content(body);
            let mut content = new_content.clone();
            content["body"] = json!(format!("* {}", body.text));
            if let Some(html) = &body.html {
                content["formatted_body"] = json!(format!("* {html}"));
            }
            content["m.new_content"] = new_content;
            content["m.relates_to"] = json!({"rel_type": "m.replace", "event_id": target.as_str()});
            ("m.room.message", content)
        }
        OutboundAction::React { target, key } => {
            let target = parse_event_id(target)?;
            (
                "m.reaction",
                json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": target.as_str(), "key": key}}),
            )
        }
        OutboundAction::SendFile { file, caption, .. } => {
            let mime = file
                .mime_type
                .as_deref()
                .and_then(|m| m.parse::<mime::Mime>().ok())
                .unwrap_or(mime::APPLICATION_OCTET_STREAM);
            let config = AttachmentConfig::new()
                .txn_id(txn)
                .caption(
                    caption
                        .as_ref()
                        .map(|text| TextMessageEventContent::plain(text.clone())),
                )
                // As for messages: a file name must not ping the room by keyword.
                .mentions(Some(matrix_sdk::ruma::events::Mentions::new()));
            // send_attachment uploads (encrypted in an encrypted room) and posts in one go.
            let sent = room
                .send_attachment(file.name.clone(), &mime, file.data.clone(), config)
                .await
                .map_err(|error| classify_send(&error))?;
            return Ok(Delivered {
                remote_id: sent.event_id.to_string(),
            });
        }
        OutboundAction::StartPoll { poll, fallback_text } => {
            let delivered = send_raw(room, &txn, "org.matrix.msc3381.poll.start", poll_start_content(poll)).await?;
            if let Some(text) = fallback_text {
                // Clients without poll support show nothing for the poll event itself.
                let fallback = json!({"msgtype": "m.notice", "body": text,
                    "m.relates_to": {"rel_type": "m.reference", "event_id": delivered.remote_id}});
                let fallback_txn = transaction_id(&format!("{idempotency_key}.fallback"));
                send_raw(room, &fallback_txn, "m.room.message", fallback).await?;
            }
            return Ok(delivered);
        }
        OutboundAction::EndPoll { target, results_text } => {
            let target = parse_event_id(target)?;
            let content = json!({
                "m.relates_to": {"rel_type": "m.reference", "event_id": target.as_str()},
                "org.matrix.msc3381.poll.end": {},
                "org.matrix.msc1767.text": results_text,
                "body": results_text,
            });
            ("org.matrix.msc3381.poll.end", content)
        }
        OutboundAction::Unreact { reaction, .. } => {
            let Some(reaction) = reaction else {
                return Err(ChatError::Permanent("no reaction event to take back".into()));
            };
            let reaction = parse_event_id(reaction)?;
            let response = room.redact(&reaction, None, Some(txn)).await.map_err(classify_http)?;
            return Ok(Delivered {
                remote_id: response.event_id.to_string(),
            });
        }
        OutboundAction::Delete { target } => {
            let target = parse_event_id(target)?;
            let response = room.redact(&target, None, Some(txn)).await.map_err(classify_http)?;
            return Ok(Delivered {
                remote_id: response.event_id.to_string(),
            });
        }
    };
    send_raw(room, &txn, event_type, content).await
}

async fn send_raw(room: &Room, txn: &TransactionId, event_type: &str, content: Value) -> Result<Delivered, ChatError> {
    // The delivery worker owns retries and backoff; the SDK must report, not retry.
    let once = RequestConfig::new().disable_retry();
    let sent = room
        .send_raw(event_type, content)
        .with_transaction_id(txn)
        .with_request_config(once)
        .await
        .map_err(|error| classify_send(&error))?;
    Ok(Delivered {
        remote_id: sent.response.event_id.to_string(),
    })
}

/// An MSC3381 poll start, sent as the unstable event type clients show today, with the
/// stable `m.poll` content beside the unstable one (for clients that read the stable
/// form), and the MSC1767 text fallback inside it.
fn poll_start_content(poll: &PollStart) -> Value {
    let answers: Vec<Value> = poll
        .answers
        .iter()
        .map(|(id, text)| json!({"id": id, "org.matrix.msc1767.text": text}))
        .collect();
    let listed: Vec<String> = poll
        .answers
        .iter()
        .enumerate()
        .map(|(n, (_, text))| format!("{}. {text}", n + 1))
        .collect();
    let kind = if poll.disclosed {
        "org.matrix.msc3381.poll.disclosed"
    } else {
        "org.matrix.msc3381.poll.undisclosed"
    };
    let stable_answers: Vec<Value> = poll
        .answers
        .iter()
        .map(|(id, text)| json!({"m.id": id, "m.text": [{"body": text}]}))
        .collect();
    let fallback = format!("{}\n{}", poll.question, listed.join("\n"));
    json!({
        "org.matrix.msc3381.poll.start": {
            "question": {"org.matrix.msc1767.text": poll.question},
            "kind": kind,
            "max_selections": poll.max_selections.max(1),
            "answers": answers,
        },
        "m.poll": {
            "question": {"m.text": [{"body": poll.question}]},
            "kind": if poll.disclosed { "m.disclosed" } else { "m.undisclosed" },
            "max_selections": poll.max_selections.max(1),
            "answers": stable_answers,
        },
        "org.matrix.msc1767.text": fallback,
        "m.text": [{"body": fallback}],
    })
}

/// `m.room.message` content for a neutral body: plain and, when given, HTML.
pub fn message_content(body: &MessageBody) -> Value {
    let msgtype = match body.kind {
        MessageKind::Text => "m.text",
        MessageKind::Notice => "m.notice",
        MessageKind::Emote => "m.emote",
    };
    // An empty m.mentions says the bot means to ping nobody: clients then skip the
    // keyword rules that would make a relayed "@room" ping the whole room.
    // Otherwise it names who it means to ping: the room, and the people the core lists.
    let mut mentions = json!({});
    if body.pings_room {
        mentions["room"] = json!(true);
    }
    if !body.mentions.is_empty() {
        mentions["user_ids"] = json!(body.mentions.iter().map(|(id, _)| id).collect::<Vec<_>>());
    }
    let mut content = json!({"msgtype": msgtype, "body": body.text, "m.mentions": mentions});
    if let Some(html) = &body.html {
        content["format"] = json!("org.matrix.custom.html");
        content["formatted_body"] = json!(html);
    }
    if let Some(reply_to) = &body.reply_to {
        content["m.relates_to"] = json!({"m.in_reply_to": {"event_id": reply_to}});
    }
    content
}

/// Transaction ids may hold any characters, but path-safe ones keep logs readable.
fn transaction_id(key: &str) -> OwnedTransactionId {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    <&TransactionId>::from(format!("magnet.{safe}").as_str()).to_owned()
}

fn parse_event_id(id: &str) -> Result<matrix_sdk::ruma::OwnedEventId, ChatError> {
    EventId::parse(id).map_err(|error| ChatError::Permanent(format!("`{id}` is not a Matrix event id: {error}")))
}
