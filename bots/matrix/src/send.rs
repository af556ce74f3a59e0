//! Outbound actions as Matrix events, each sent with a transaction id derived from the
//! core's delivery key, so a send repeated after a crash returns the first event instead
//! of posting a second one (Synapse keeps transaction ids per device for about a day).

use magnet_chat::{ChatError, Delivered, MessageBody, MessageKind, OutboundAction};
use matrix_sdk::Room;
use matrix_sdk::config::RequestConfig;
use matrix_sdk::ruma::{EventId, OwnedTransactionId, TransactionId};
use serde_json::{Value, json};

use crate::error::{classify_http, classify_send};

/// Carries out one action in a joined room.
pub async fn perform(room: &Room, idempotency_key: &str, action: &OutboundAction) -> Result<Delivered, ChatError> {
    let txn = transaction_id(idempotency_key);
    // The delivery worker owns retries and backoff; the SDK must report, not retry.
    let once = RequestConfig::new().disable_retry();
    let (event_type, content) = match action {
        OutboundAction::Send { body, .. } => ("m.room.message", message_content(body)),
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
        OutboundAction::Delete { target } => {
            let target = parse_event_id(target)?;
            let response = room.redact(&target, None, Some(txn)).await.map_err(classify_http)?;
            return Ok(Delivered {
                remote_id: response.event_id.to_string(),
            });
        }
    };
    let sent = room
        .send_raw(event_type, content)
        .with_transaction_id(&txn)
        .with_request_config(once)
        .await
        .map_err(|error| classify_send(&error))?;
    Ok(Delivered {
        remote_id: sent.response.event_id.to_string(),
    })
}

/// `m.room.message` content for a neutral body: plain and, when given, HTML.
pub fn message_content(body: &MessageBody) -> Value {
    let msgtype = match body.kind {
        MessageKind::Text => "m.text",
        MessageKind::Notice => "m.notice",
        MessageKind::Emote => "m.emote",
    };
    let mut content = json!({"msgtype": msgtype, "body": body.text});
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
