//! The control API over HTTP (`/control/...`), for the demo and for tests in other
//! processes: the same controls as [`SimHandle`], as JSON requests.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::SimHandle;
use crate::state::SimState;

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/info", get(info))
        .route("/guilds", post(create_guild))
        .route("/channels", post(create_channel))
        .route("/users", post(create_user))
        .route("/post", post(post_message))
        .route("/edit", post(edit))
        .route("/delete", post(delete))
        .route("/react", post(react))
        .route("/vote", post(vote))
        .route("/command", post(command))
        .route("/click", post(click))
        .route("/submit-form", post(submit_form))
        .route("/interactions/{id}", get(interaction))
        .route("/drop-gateway", post(drop_gateway))
        .route("/silence-gateway", post(silence_gateway))
        .route("/reconnect", post(reconnect))
        .route("/invalidate-sessions", post(invalidate))
        .route("/fail", post(fail))
        .route("/dispatch-raw", post(dispatch_raw))
        .route("/latency", post(latency))
        .route("/lose-dispatches", post(lose_dispatches))
        .route("/vanish-dispatches", post(vanish_dispatches))
        .route("/messages/{channel}", get(messages))
}

fn handle(state: Arc<SimState>) -> SimHandle {
    SimHandle { state }
}

type Sim = State<Arc<SimState>>;

async fn info(State(state): Sim) -> Response {
    let sim = handle(state);
    Json(
        json!({"bot_token": sim.bot_token(), "application_id": sim.application_id().to_string(),
        "bot_user_id": sim.bot_user_id().to_string()}),
    )
    .into_response()
}

#[derive(Deserialize)]
struct NewGuild {
    name: String,
}

async fn create_guild(State(state): Sim, Json(body): Json<NewGuild>) -> Response {
    Json(json!({"id": handle(state).create_guild(&body.name).to_string()})).into_response()
}

#[derive(Deserialize)]
struct NewChannel {
    guild: String,
    name: String,
}

async fn create_channel(State(state): Sim, Json(body): Json<NewChannel>) -> Response {
    let Ok(guild) = body.guild.parse() else {
        return bad("guild");
    };
    Json(json!({"id": handle(state).create_channel(guild, &body.name).to_string()})).into_response()
}

#[derive(Deserialize)]
struct NewUser {
    guild: String,
    username: String,
    global_name: Option<String>,
}

async fn create_user(State(state): Sim, Json(body): Json<NewUser>) -> Response {
    let Ok(guild) = body.guild.parse() else {
        return bad("guild");
    };
    let id = handle(state).create_user(guild, &body.username, body.global_name.as_deref());
    Json(json!({"id": id.to_string()})).into_response()
}

#[derive(Deserialize)]
struct Post {
    channel: String,
    user: String,
    content: String,
    reply_to: Option<String>,
}

async fn post_message(State(state): Sim, Json(body): Json<Post>) -> Response {
    let (Ok(channel), Ok(user)) = (body.channel.parse(), body.user.parse()) else {
        return bad("channel or user");
    };
    let reply_to = body.reply_to.and_then(|r| r.parse().ok());
    let id = handle(state).post_with(channel, user, &body.content, reply_to, Vec::new());
    Json(json!({"id": id.to_string()})).into_response()
}

#[derive(Deserialize)]
struct Edit {
    channel: String,
    message: String,
    content: Option<String>,
}

async fn edit(State(state): Sim, Json(body): Json<Edit>) -> Response {
    let (Ok(channel), Ok(message)) = (body.channel.parse(), body.message.parse()) else {
        return bad("channel or message");
    };
    handle(state).edit(channel, message, body.content.as_deref().unwrap_or_default());
    StatusCode::NO_CONTENT.into_response()
}

async fn delete(State(state): Sim, Json(body): Json<Edit>) -> Response {
    let (Ok(channel), Ok(message)) = (body.channel.parse(), body.message.parse()) else {
        return bad("channel or message");
    };
    handle(state).delete(channel, message);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct React {
    channel: String,
    message: String,
    user: String,
    emoji: String,
    #[serde(default = "yes")]
    add: bool,
}

fn yes() -> bool {
    true
}

async fn react(State(state): Sim, Json(body): Json<React>) -> Response {
    let (Ok(channel), Ok(message), Ok(user)) = (body.channel.parse(), body.message.parse(), body.user.parse()) else {
        return bad("channel, message or user");
    };
    handle(state).react(channel, message, user, &body.emoji, body.add);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Vote {
    channel: String,
    message: String,
    user: String,
    answer: u32,
    #[serde(default = "yes")]
    add: bool,
}

async fn vote(State(state): Sim, Json(body): Json<Vote>) -> Response {
    let (Ok(channel), Ok(message), Ok(user)) = (body.channel.parse(), body.message.parse(), body.user.parse()) else {
        return bad("channel, message or user");
    };
    handle(state).vote(channel, message, user, body.answer, body.add);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Command {
    channel: String,
    user: String,
    /// The command and its sub-commands: `["magnet", "help"]`.
    path: Vec<String>,
    #[serde(default)]
    options: Vec<(String, String)>,
}

/// An interaction id, or Discord's client refusing what the user tried (422).
fn started(result: Result<u64, String>) -> Response {
    match result {
        Ok(id) => Json(json!({"interaction": id.to_string()})).into_response(),
        Err(why) => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"message": why}))).into_response(),
    }
}

async fn command(State(state): Sim, Json(body): Json<Command>) -> Response {
    let (Ok(channel), Ok(user)) = (body.channel.parse(), body.user.parse()) else {
        return bad("channel or user");
    };
    let path: Vec<&str> = body.path.iter().map(String::as_str).collect();
    let options: Vec<(&str, &str)> = body.options.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    started(handle(state).run_command(channel, user, &path, &options))
}

#[derive(Deserialize)]
struct Click {
    channel: String,
    message: String,
    user: String,
    custom_id: String,
    /// Menu values; none for a button.
    #[serde(default)]
    values: Vec<String>,
}

async fn click(State(state): Sim, Json(body): Json<Click>) -> Response {
    let (Ok(channel), Ok(message), Ok(user)) = (body.channel.parse(), body.message.parse(), body.user.parse()) else {
        return bad("channel, message or user");
    };
    let values: Vec<&str> = body.values.iter().map(String::as_str).collect();
    started(handle(state).choose(channel, message, user, &body.custom_id, &values))
}

#[derive(Deserialize)]
struct SubmitForm {
    /// The interaction the bot answered with the form.
    interaction: String,
    user: String,
    fields: Vec<(String, String)>,
}

async fn submit_form(State(state): Sim, Json(body): Json<SubmitForm>) -> Response {
    let (Ok(opened_by), Ok(user)) = (body.interaction.parse(), body.user.parse()) else {
        return bad("interaction or user");
    };
    let fields: Vec<(&str, &str)> = body.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    started(handle(state).submit_form(opened_by, user, &fields))
}

async fn interaction(State(state): Sim, Path(id): Path<u64>) -> Response {
    let Some(view) = handle(state).interaction(id) else {
        return (StatusCode::NOT_FOUND, Json(json!({"message": "unknown interaction"}))).into_response();
    };
    let replies: Vec<_> = view
        .replies
        .iter()
        .map(|r| json!({"id": r.id.to_string(), "content": r.content, "ephemeral": r.ephemeral, "loading": r.loading}))
        .collect();
    Json(json!({"response": view.response, "modal": view.modal, "replies": replies})).into_response()
}

async fn drop_gateway(State(state): Sim) -> StatusCode {
    handle(state).drop_gateway();
    StatusCode::NO_CONTENT
}

async fn silence_gateway(State(state): Sim) -> StatusCode {
    handle(state).silence_gateway();
    StatusCode::NO_CONTENT
}

async fn reconnect(State(state): Sim) -> StatusCode {
    handle(state).request_reconnect();
    StatusCode::NO_CONTENT
}

async fn invalidate(State(state): Sim) -> StatusCode {
    handle(state).invalidate_sessions();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Fail {
    path_contains: String,
    status: u16,
    count: u32,
}

async fn fail(State(state): Sim, Json(body): Json<Fail>) -> StatusCode {
    handle(state).fail_next(&body.path_contains, body.status, body.count);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct RawDispatch {
    /// The dispatch's `t`.
    event: String,
    /// Its `d`, sent as it is.
    payload: serde_json::Value,
}

async fn dispatch_raw(State(state): Sim, Json(body): Json<RawDispatch>) -> StatusCode {
    handle(state).dispatch_raw(&body.event, body.payload);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Latency {
    /// Milliseconds held on every REST answer and gateway frame; 0 for none.
    ms: u64,
}

async fn latency(State(state): Sim, Json(body): Json<Latency>) -> StatusCode {
    handle(state).set_latency(std::time::Duration::from_millis(body.ms));
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct LoseDispatches {
    /// How many of the next dispatches are lost.
    count: u32,
}

async fn lose_dispatches(State(state): Sim, Json(body): Json<LoseDispatches>) -> StatusCode {
    handle(state).lose_dispatches(body.count);
    StatusCode::NO_CONTENT
}

async fn vanish_dispatches(State(state): Sim, Json(body): Json<LoseDispatches>) -> StatusCode {
    handle(state).vanish_dispatches(body.count);
    StatusCode::NO_CONTENT
}

async fn messages(State(state): Sim, Path(channel): Path<u64>) -> Response {
    let seen: Vec<_> = handle(state)
        .messages(channel)
        .into_iter()
        .map(|m| {
            json!({"id": m.id.to_string(), "author": m.author_name, "webhook": m.webhook, "content": m.content,
                "reply_to": m.reply_to.map(|r| r.to_string()), "edited": m.edited,
                "reactions": m.reactions.iter().map(|(e, who)| json!({"emoji": e, "count": who.len()})).collect::<Vec<_>>(),
                "attachments": m.attachments.iter().map(|(name, data)| json!({"name": name, "size": data.len()})).collect::<Vec<_>>()})
        })
        .collect();
    Json(seen).into_response()
}

fn bad(what: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"message": format!("bad {what}")}))).into_response()
}
