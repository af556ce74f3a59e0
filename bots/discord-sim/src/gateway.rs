//! The gateway: a websocket on the same port, speaking Discord's gateway v10 in JSON.
//! HELLO, IDENTIFY (token and intents checked), READY and GUILD_CREATE, heartbeats with
//! ACK, numbered dispatches, RESUME with replay, op 7 RECONNECT, op 9 INVALID_SESSION,
//! Discord's close codes, and closing on a client whose heartbeats stop. For faults: a
//! connection cut without a close frame, and one that goes silent while staying open.
//!
//! The simulated latency ([`crate::SimConfig::latency`]) holds every frame sent to the
//! client, HELLO, heartbeat ACKs and close frames included, as Discord's real latency
//! applies to everything on the wire: each frame leaves at the time it was queued plus the
//! latency, in the order queued, so a burst arrives late but not spaced out. A heartbeat
//! ACK comes a round trip after its heartbeat, which serenity expects only before the next
//! heartbeat falls due: a latency well under the heartbeat interval is harmless.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::state::{
    Connection, INTENT_GUILD_MEMBERS, INTENT_GUILD_PRESENCES, INTENT_MESSAGE_CONTENT, Outgoing, Session, SimState,
};

pub async fn upgrade(State(state): State<Arc<SimState>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| connection(state, socket))
}

async fn connection(state: Arc<SimState>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = Connection::new();
    let interval = state.config.heartbeat_interval;
    let hello = json!({"op": 10, "d": {"heartbeat_interval": interval.as_millis() as u64}, "s": null, "t": null});
    // Through the queue like every frame, so that it is late by the latency too.
    let _ = tx.send(Outgoing::Payload(hello));
    // The socket closes only when both halves are gone: a cut stops the reading half too.
    let cut = Arc::new(Notify::new());
    // A silent connection is never closed from here: not even a FIN would reach the client.
    let silent = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (state, cut, silent) = (state.clone(), cut.clone(), silent.clone());
        async move {
            while let Some((queued_at, out)) = rx.recv().await {
                // The latency as it is now, so that a change applies to what is in flight.
                let due = queued_at + state.latency();
                if due > Instant::now() {
                    tokio::time::sleep_until(due.into()).await;
                }
                let done = match out {
                    Outgoing::Payload(value) => sink.send(WsMessage::Text(value.to_string().into())).await.is_err(),
                    Outgoing::Close(code) => {
                        let frame = CloseFrame {
                            code,
                            reason: close_reason(code).into(),
                        };
                        let _ = sink.send(WsMessage::Close(Some(frame))).await;
                        true
                    }
                    Outgoing::Drop => {
                        cut.notify_one();
                        true
                    }
                    // The reading half carries on (heartbeats arrive and go unanswered).
                    Outgoing::Silence => {
                        silent.store(true, Ordering::Relaxed);
                        true
                    }
                };
                if done {
                    break;
                }
            }
        }
    });

    let mut session_id: Option<String> = None;
    loop {
        // A client that sends nothing for 1.5 heartbeat intervals is a zombie: close it. It
        // hears everything the latency late, so its heartbeats may be that late too.
        let patience = interval + interval / 2 + state.latency();
        let next = tokio::select! {
            _ = cut.notified() => break,
            next = tokio::time::timeout(patience, stream.next()) => next,
        };
        let frame = match next {
            Err(_) if silent.load(Ordering::Relaxed) => continue,
            Err(_) => {
                tracing::info!("discord-sim: no heartbeat; closing the zombie connection");
                let _ = tx.send(Outgoing::Close(4009));
                break;
            }
            Ok(None) | Ok(Some(Err(_))) => break,
            Ok(Some(Ok(frame))) => frame,
        };
        let text = match frame {
            WsMessage::Text(text) => text.to_string(),
            WsMessage::Binary(_) => {
                let _ = tx.send(Outgoing::Close(4002));
                break;
            }
            WsMessage::Close(_) => break,
            _ => continue,
        };
        let Ok(payload) = serde_json::from_str::<Value>(&text) else {
            let _ = tx.send(Outgoing::Close(4002));
            break;
        };
        match payload["op"].as_u64() {
            Some(1) => {
                let _ = tx.send(Outgoing::Payload(json!({"op": 11, "d": null, "s": null, "t": null})));
            }
            Some(2) if session_id.is_none() => match identify(&state, &payload["d"], &tx) {
                Ok(id) => session_id = Some(id),
                Err(code) => {
                    let _ = tx.send(Outgoing::Close(code));
                    break;
                }
            },
            Some(6) if session_id.is_none() => match resume(&state, &payload["d"], &tx) {
                Ok(id) => session_id = Some(id),
                Err(()) => {
                    let _ = tx.send(Outgoing::Payload(json!({"op": 9, "d": false, "s": null, "t": null})));
                }
            },
            Some(2) | Some(6) => {
                // Identifying twice on one connection.
                let _ = tx.send(Outgoing::Close(4005));
                break;
            }
            Some(_) if session_id.is_none() => {
                let _ = tx.send(Outgoing::Close(4003));
                break;
            }
            Some(3) | Some(4) | Some(8) => {}
            _ => {
                let _ = tx.send(Outgoing::Close(4001));
                break;
            }
        }
    }
    // The session survives the connection, for RESUME; it just stops receiving (unless it
    // was resumed on another connection meanwhile).
    if let Some(id) = session_id
        && let Some(session) = state.sessions.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&id)
        && session.connection.as_ref().is_some_and(|c| c.same_channel(&tx))
    {
        session.connection = None;
    }
    drop(tx);
    let _ = writer.await;
}

fn close_reason(code: u16) -> &'static str {
    match code {
        4000 => "Unknown error",
        4001 => "Unknown opcode",
        4002 => "Decode error",
        4003 => "Not authenticated",
        4004 => "Authentication failed",
        4005 => "Already authenticated",
        4007 => "Invalid seq",
        4009 => "Session timed out",
        4013 => "Invalid intent(s)",
        4014 => "Disallowed intent(s)",
        _ => "",
    }
}

fn identify(state: &Arc<SimState>, d: &Value, tx: &Connection) -> Result<String, u16> {
    let token = d["token"].as_str().unwrap_or_default();
    if token.trim_start_matches("Bot ") != state.config.bot_token {
        return Err(4004);
    }
    let Some(intents) = d["intents"].as_u64() else {
        return Err(4013);
    };
    let privileged = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT;
    if intents & privileged & !state.config.enabled_privileged_intents != 0 {
        return Err(4014);
    }
    let session_id = format!("sim-{}", state.world().ids.next());
    let base = state.base_url();
    let (ready, guilds) = {
        let world = state.world();
        let bot = world
            .users
            .get(&state.bot_user_id)
            .expect("the bot user exists")
            .to_json();
        let unavailable: Vec<Value> = world
            .guilds
            .iter()
            .map(|g| json!({"id": g.id.to_string(), "unavailable": true}))
            .collect();
        let ready = json!({
            "v": 10,
            "user": bot,
            "guilds": unavailable,
            "session_id": session_id,
            "resume_gateway_url": gateway_url(&base),
            "shard": [0, 1],
            "application": {"id": state.application_id.to_string(), "flags": 0},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
        });
        let guilds: Vec<Value> = world
            .guilds
            .iter()
            .map(|g| crate::rest::guild_create_json(&world, g))
            .collect();
        (ready, guilds)
    };
    let mut sessions = state.sessions.lock().unwrap_or_else(|p| p.into_inner());
    let mut session = Session {
        intents,
        seq: 0,
        backlog: Default::default(),
        connection: Some(tx.clone()),
    };
    let mut send = |t: &str, d: Value| {
        session.seq += 1;
        let payload = json!({"op": 0, "t": t, "s": session.seq, "d": d});
        session.backlog.push_back((session.seq, payload.clone()));
        let _ = tx.send(Outgoing::Payload(payload));
    };
    send("READY", ready);
    for guild in guilds {
        send("GUILD_CREATE", guild);
    }
    sessions.insert(session_id.clone(), session);
    Ok(session_id)
}

fn resume(state: &Arc<SimState>, d: &Value, tx: &Connection) -> Result<String, ()> {
    let token = d["token"].as_str().unwrap_or_default();
    if token.trim_start_matches("Bot ") != state.config.bot_token {
        return Err(());
    }
    let session_id = d["session_id"].as_str().ok_or(())?.to_string();
    let seq = d["seq"].as_u64().unwrap_or(0);
    let mut sessions = state.sessions.lock().unwrap_or_else(|p| p.into_inner());
    let session = sessions.get_mut(&session_id).ok_or(())?;
    if session.backlog.front().is_some_and(|(first, _)| *first > seq + 1) {
        // Too far behind: what it missed is no longer kept.
        sessions.remove(&session_id);
        return Err(());
    }
    for (s, payload) in &session.backlog {
        if *s > seq {
            let _ = tx.send(Outgoing::Payload(payload.clone()));
        }
    }
    session.seq += 1;
    let resumed = json!({"op": 0, "t": "RESUMED", "s": session.seq, "d": {}});
    session.backlog.push_back((session.seq, resumed.clone()));
    let _ = tx.send(Outgoing::Payload(resumed));
    session.connection = Some(tx.clone());
    Ok(session_id)
}

/// The gateway's URL for a simulator at `base` (`http://127.0.0.1:PORT`).
pub fn gateway_url(base: &str) -> String {
    format!("{}/gateway", base.replacen("http://", "ws://", 1))
}

/// Sends op 7 RECONNECT to every connected session.
pub fn request_reconnect(state: &SimState) {
    for session in state.sessions.lock().unwrap_or_else(|p| p.into_inner()).values() {
        if let Some(connection) = &session.connection {
            let _ = connection.send(Outgoing::Payload(json!({"op": 7, "d": null, "s": null, "t": null})));
        }
    }
}

/// Drops every gateway connection without a close frame (sessions stay resumable).
pub fn drop_connections(state: &SimState) {
    end_connections(state, Outgoing::Drop);
}

/// Silences every gateway connection, leaving it open (sessions stay resumable).
pub fn silence_connections(state: &SimState) {
    end_connections(state, Outgoing::Silence);
}

/// Detaches every connection from its session (what happens meanwhile is kept for RESUME)
/// and tells it `how` to end.
fn end_connections(state: &SimState, how: Outgoing) {
    for session in state.sessions.lock().unwrap_or_else(|p| p.into_inner()).values_mut() {
        if let Some(connection) = session.connection.take() {
            let _ = connection.send(how.clone());
        }
    }
}

/// Invalidates every session: connected clients get op 9 and must identify anew.
pub fn invalidate_sessions(state: &SimState) {
    let mut sessions = state.sessions.lock().unwrap_or_else(|p| p.into_inner());
    for session in sessions.values() {
        if let Some(connection) = &session.connection {
            let _ = connection.send(Outgoing::Payload(json!({"op": 9, "d": false, "s": null, "t": null})));
        }
    }
    sessions.clear();
}
