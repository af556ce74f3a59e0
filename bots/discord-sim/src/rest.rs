//! The REST API under `/api/v10`, answering as Discord does: its JSON shapes, its error
//! codes, its rate-limit headers and 429s, `allowed_mentions`, and `nonce` with
//! `enforce_nonce`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::model::{Attachment, Author, Guild, Message, Webhook, message_json};
use crate::state::{INTENT_MESSAGE_CONTENT, LoggedRequest, SimState, World};

/// Gateway intents for the dispatches the REST API causes.
pub const INTENT_GUILD_MESSAGES: u64 = 1 << 9;
pub const INTENT_GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
pub const INTENT_GUILD_MESSAGE_POLLS: u64 = 1 << 24;

pub(crate) type Shared = State<Arc<SimState>>;

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/gateway", get(gateway))
        .route("/gateway/bot", get(gateway_bot))
        .route("/users/@me", get(current_user))
        .route("/oauth2/applications/@me", get(current_application))
        .route("/applications/@me", get(current_application))
        .route("/channels/{channel}", get(get_channel))
        .route("/channels/{channel}/messages", get(list_messages).post(create_message))
        .route(
            "/channels/{channel}/messages/{message}",
            get(get_message).patch(edit_message).delete(delete_message),
        )
        .route("/channels/{channel}/messages/bulk-delete", post(bulk_delete))
        .route(
            "/channels/{channel}/messages/{message}/reactions/{emoji}/@me",
            put(add_reaction).delete(remove_reaction),
        )
        .route("/channels/{channel}/webhooks", get(list_webhooks).post(create_webhook))
        .route("/webhooks/{webhook}", get(get_webhook).delete(delete_webhook))
        .route("/webhooks/{webhook}/{token}", post(execute_webhook))
        .route(
            "/webhooks/{webhook}/{token}/messages/{message}",
            get(get_webhook_message)
                .patch(edit_webhook_message)
                .delete(delete_webhook_message),
        )
        .route("/channels/{channel}/polls/{message}/expire", post(expire_poll))
        .route("/channels/{channel}/polls/{message}/answers/{answer}", get(poll_voters))
        .route("/guilds/{guild}", get(get_guild))
        .route("/guilds/{guild}/members/{user}", get(get_member))
        .route("/guilds/{guild}/roles", get(get_roles))
}

/// A Discord error answer.
pub struct ApiError {
    pub(crate) status: StatusCode,
    // Boxed: errors travel through every handler's Result and should stay small.
    body: Box<Value>,
    headers: Box<HeaderMap>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: u64, message: &str) -> ApiError {
        ApiError {
            status,
            body: Box::new(json!({"code": code, "message": message})),
            headers: Box::default(),
        }
    }
    fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized")
    }
    fn unknown_channel() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, 10003, "Unknown Channel")
    }
    pub(crate) fn unknown_message() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, 10008, "Unknown Message")
    }
    pub(crate) fn unknown_webhook() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, 10015, "Unknown Webhook")
    }
    pub(crate) fn invalid_form(field: &str, code: &str, message: &str) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: Box::new(json!({"code": 50035, "message": "Invalid Form Body",
                "errors": {field: {"_errors": [{"code": code, "message": message}]}}})),
            headers: Box::default(),
        }
    }
    fn rate_limited(retry_after: Duration, global: bool) -> ApiError {
        let seconds = (retry_after.as_secs_f64() * 1000.0).ceil() / 1000.0;
        let mut headers = HeaderMap::new();
        headers.insert("Retry-After", HeaderValue::from(seconds.ceil().max(1.0) as u64));
        headers.insert(
            "X-RateLimit-Scope",
            HeaderValue::from_static(if global { "global" } else { "user" }),
        );
        if global {
            headers.insert("X-RateLimit-Global", HeaderValue::from_static("true"));
        } else {
            headers.insert("X-RateLimit-Limit", HeaderValue::from(1));
            headers.insert("X-RateLimit-Remaining", HeaderValue::from(0));
            headers.insert("X-RateLimit-Reset-After", header_secs(retry_after));
            headers.insert("X-RateLimit-Reset", header_reset(retry_after));
        }
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: Box::new(json!({"message": "You are being rate limited.", "retry_after": seconds, "global": global})),
            headers: Box::new(headers),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(*self.body)).into_response();
        response.headers_mut().extend(*self.headers);
        response
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

fn header_secs(duration: Duration) -> HeaderValue {
    HeaderValue::from_str(&format!("{:.3}", duration.as_secs_f64())).expect("a number is a valid header")
}

fn header_reset(after: Duration) -> HeaderValue {
    let reset = chrono::Utc::now().timestamp_millis() as f64 / 1000.0 + after.as_secs_f64();
    HeaderValue::from_str(&format!("{reset:.3}")).expect("a number is a valid header")
}

/// Checks the bot token, the global limit, and injected faults; logs the request.
pub(crate) fn admit(
    state: &SimState,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    needs_auth: bool,
) -> Result<(), ApiError> {
    if let Some(status) = scripted_fault(state, path) {
        log(state, method, path, status.as_u16());
        return Err(if status == StatusCode::TOO_MANY_REQUESTS {
            ApiError::rate_limited(Duration::from_millis(100), false)
        } else {
            ApiError::new(status, 0, "injected failure")
        });
    }
    if needs_auth {
        let expected = format!("Bot {}", state.config.bot_token);
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
            log(state, method, path, 401);
            return Err(ApiError::unauthorized());
        }
    }
    let global = state.limits.lock().unwrap_or_else(|p| p.into_inner()).global_per_second;
    if let Err(retry_after) = state.take("global", global, Duration::from_secs(1)) {
        log(state, method, path, 429);
        return Err(ApiError::rate_limited(retry_after, true));
    }
    Ok(())
}

fn scripted_fault(state: &SimState, path: &str) -> Option<StatusCode> {
    let mut faults = state.faults.lock().unwrap_or_else(|p| p.into_inner());
    let position = faults
        .scripted
        .iter()
        .position(|(fragment, _, left)| *left > 0 && path.contains(fragment.as_str()))?;
    let (_, status, left) = &mut faults.scripted[position];
    *left -= 1;
    StatusCode::from_u16(*status).ok()
}

pub(crate) fn log(state: &SimState, method: &Method, path: &str, status: u16) {
    state.log.lock().unwrap_or_else(|p| p.into_inner()).push(LoggedRequest {
        method: method.to_string(),
        path: path.to_string(),
        status,
        at: Instant::now(),
    });
}

/// Takes a request from a route's bucket and adds Discord's rate-limit headers.
fn limited(
    state: &SimState,
    method: &Method,
    path: &str,
    bucket: &str,
    limit: u32,
    window: Duration,
    mut response: Response,
) -> ApiResult {
    match state.take(bucket, limit, window) {
        Ok((remaining, reset_after)) => {
            rate_headers(&mut response, bucket, limit, remaining, reset_after);
            log(state, method, path, response.status().as_u16());
            Ok(response)
        }
        Err(retry_after) => {
            log(state, method, path, 429);
            Err(ApiError::rate_limited(retry_after, false))
        }
    }
}

/// Discord's rate-limit headers for a request that took from a bucket.
fn rate_headers(response: &mut Response, bucket: &str, limit: u32, remaining: u32, reset_after: Duration) {
    let headers = response.headers_mut();
    headers.insert("X-RateLimit-Limit", HeaderValue::from(limit));
    headers.insert("X-RateLimit-Remaining", HeaderValue::from(remaining));
    headers.insert("X-RateLimit-Reset-After", header_secs(reset_after));
    headers.insert("X-RateLimit-Reset", header_reset(reset_after));
    headers.insert(
        "X-RateLimit-Bucket",
        HeaderValue::from_str(&format!("{:x}", crate::model::fnv64(bucket))).expect("hex"),
    );
}

pub(crate) fn ok_logged(state: &SimState, method: &Method, path: &str, response: Response) -> ApiResult {
    log(state, method, path, response.status().as_u16());
    Ok(response)
}

pub(crate) fn parse_id(text: &str) -> Option<u64> {
    text.parse().ok()
}

// ---- gateway discovery, identity -----------------------------------------------------------

async fn gateway(State(state): Shared, method: Method) -> ApiResult {
    let url = crate::gateway::gateway_url(&state.base_url());
    ok_logged(&state, &method, "/gateway", Json(json!({"url": url})).into_response())
}

async fn gateway_bot(State(state): Shared, headers: HeaderMap, method: Method) -> ApiResult {
    admit(&state, &headers, &method, "/gateway/bot", true)?;
    let url = crate::gateway::gateway_url(&state.base_url());
    let body = json!({"url": url, "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}});
    ok_logged(&state, &method, "/gateway/bot", Json(body).into_response())
}

async fn current_user(State(state): Shared, headers: HeaderMap, method: Method) -> ApiResult {
    admit(&state, &headers, &method, "/users/@me", true)?;
    let user = state.world().users[&state.bot_user_id].to_json();
    ok_logged(&state, &method, "/users/@me", Json(user).into_response())
}

async fn current_application(State(state): Shared, headers: HeaderMap, method: Method) -> ApiResult {
    admit(&state, &headers, &method, "/applications/@me", true)?;
    let bot = state.world().users[&state.bot_user_id].to_json();
    let body = json!({
        "id": state.application_id.to_string(),
        "name": state.config.bot_name,
        "icon": null,
        "description": "",
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "0000",
        "flags": 0,
        "bot": bot,
        "owner": bot,
        "team": null,
        "summary": "",
        "rpc_origins": [],
    });
    ok_logged(&state, &method, "/applications/@me", Json(body).into_response())
}

// ---- channels and messages --------------------------------------------------------------------

async fn get_channel(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(channel): Path<String>,
) -> ApiResult {
    let path = format!("/channels/{channel}");
    admit(&state, &headers, &method, &path, true)?;
    let world = state.world();
    let channel = parse_id(&channel)
        .and_then(|id| world.channels.get(&id))
        .ok_or_else(ApiError::unknown_channel)?;
    let body = channel.to_json();
    drop(world);
    ok_logged(&state, &method, &path, Json(body).into_response())
}

#[derive(serde::Deserialize)]
struct ListQuery {
    limit: Option<usize>,
    before: Option<String>,
    after: Option<String>,
    around: Option<String>,
}

async fn list_messages(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(channel): Path<String>,
    Query(query): Query<ListQuery>,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages");
    admit(&state, &headers, &method, &path, true)?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        log(&state, &method, &path, 400);
        return Err(ApiError::invalid_form(
            "limit",
            "NUMBER_TYPE_MAX",
            "int value should be less than or equal to 100.",
        ));
    }
    let world = state.world();
    let channel_id = known_channel(&world, &channel)?;
    let empty = Default::default();
    let messages = world.messages.get(&channel_id).unwrap_or(&empty);
    let id = |text: &Option<String>| text.as_deref().and_then(parse_id);
    let mut chosen: Vec<&Message> = if let Some(after) = id(&query.after) {
        messages.range(after + 1..).take(limit).map(|(_, m)| m).collect()
    } else if let Some(before) = id(&query.before) {
        messages.range(..before).rev().take(limit).map(|(_, m)| m).collect()
    } else if let Some(around) = id(&query.around) {
        let mut near: Vec<&Message> = messages
            .range(..=around)
            .rev()
            .take(limit.div_ceil(2))
            .map(|(_, m)| m)
            .collect();
        near.extend(messages.range(around + 1..).take(limit / 2).map(|(_, m)| m));
        near
    } else {
        messages.values().rev().take(limit).collect()
    };
    // Discord answers newest first, whatever the query.
    chosen.sort_by_key(|m| std::cmp::Reverse(m.id));
    let body: Vec<Value> = chosen.iter().map(|m| render(&state, &world, m)).collect();
    drop(world);
    ok_logged(&state, &method, &path, Json(body).into_response())
}

async fn get_message(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((channel, message)): Path<(String, String)>,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages/{message}");
    admit(&state, &headers, &method, &path, true)?;
    let world = state.world();
    let found = find_message(&world, &channel, &message)?;
    let body = render(&state, &world, found);
    drop(world);
    ok_logged(&state, &method, &path, Json(body).into_response())
}

/// A channel id that names a channel, or Discord's "Unknown Channel".
fn known_channel(world: &World, text: &str) -> Result<u64, ApiError> {
    parse_id(text)
        .filter(|id| world.channels.contains_key(id))
        .ok_or_else(ApiError::unknown_channel)
}

/// The guild a guild id names, or Discord's "Unknown Guild".
fn known_guild<'w>(world: &'w World, text: &str) -> Result<&'w Guild, ApiError> {
    parse_id(text)
        .and_then(|id| world.guilds.iter().find(|g| g.id == id))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, 10004, "Unknown Guild"))
}

pub(crate) fn find_message<'w>(world: &'w World, channel: &str, message: &str) -> Result<&'w Message, ApiError> {
    let channel_id = known_channel(world, channel)?;
    let message_id = parse_id(message).ok_or_else(ApiError::unknown_message)?;
    world
        .messages
        .get(&channel_id)
        .and_then(|messages| messages.get(&message_id))
        .ok_or_else(ApiError::unknown_message)
}

/// A message as the bot sees it.
pub fn render(state: &SimState, world: &World, message: &Message) -> Value {
    let referenced = message.reply_to.and_then(|id| {
        world
            .messages
            .get(&message.channel_id)
            .and_then(|m| m.get(&id))
            .map(|original| message_json(original, &world.users, &state.base_url(), state.bot_user_id, true, None))
    });
    let mut json = message_json(
        message,
        &world.users,
        &state.base_url(),
        state.bot_user_id,
        true,
        referenced,
    );
    // Interaction responses come from the application's own webhook, as on Discord.
    if let Some(origin) = &message.interaction {
        json["webhook_id"] = json!(state.application_id.to_string());
        json["application_id"] = json!(state.application_id.to_string());
        if origin.kind == 2 {
            json["type"] = json!(20);
        }
        let mut metadata = json!({
            "id": origin.id.to_string(),
            "type": origin.kind,
            "user": world.users.get(&origin.user).map(crate::model::User::to_json),
            // Guild-installed ("0"), in this guild.
            "authorizing_integration_owners": {"0": message.guild_id.to_string()},
        });
        if let Some(interacted) = origin.interacted {
            metadata["interacted_message_id"] = json!(interacted.to_string());
        }
        json["interaction_metadata"] = metadata;
    }
    json
}

/// A message create or webhook execute body, from JSON or multipart.
pub struct Submission {
    pub body: Value,
    pub files: Vec<(String, Option<String>, Vec<u8>)>,
}

pub(crate) async fn read_submission(request: Request, state: &Arc<SimState>) -> Result<Submission, ApiError> {
    let is_multipart = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body"))?;
        let mut body = json!({});
        let mut files = Vec::new();
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().unwrap_or_default().to_string();
            let filename = field.file_name().map(str::to_string);
            let content_type = field.content_type().map(str::to_string);
            let data = field.bytes().await.unwrap_or_default().to_vec();
            if name == "payload_json" {
                body = serde_json::from_slice(&data).map_err(|_| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        50109,
                        "The request body contains invalid JSON.",
                    )
                })?;
            } else if name.starts_with("files[") || name.starts_with("file") {
                files.push((filename.unwrap_or(name), content_type, data));
            }
        }
        Ok(Submission { body, files })
    } else {
        let bytes = Bytes::from_request(request, state).await.unwrap_or_default();
        let body = if bytes.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(&bytes).map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    50109,
                    "The request body contains invalid JSON.",
                )
            })?
        };
        Ok(Submission {
            body,
            files: Vec::new(),
        })
    }
}

/// Checks a message body as Discord does; returns the content.
pub(crate) fn validate(body: &Value, files: usize) -> Result<String, ApiError> {
    let content = body["content"].as_str().unwrap_or_default().to_string();
    if content.chars().count() > 2000 {
        return Err(ApiError::invalid_form(
            "content",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 2000 or fewer in length.",
        ));
    }
    let has_embeds = body["embeds"].as_array().is_some_and(|e| !e.is_empty());
    let has_poll = body["poll"].is_object();
    let has_stickers = body["sticker_ids"].as_array().is_some_and(|s| !s.is_empty());
    let has_components = body["components"].as_array().is_some_and(|c| !c.is_empty());
    crate::components::check_message_components(&body["components"])
        .map_err(|bad| ApiError::invalid_form(&bad.field, bad.code, &bad.message))?;
    if content.trim().is_empty() && !has_embeds && files == 0 && !has_poll && !has_stickers && !has_components {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            50006,
            "Cannot send an empty message",
        ));
    }
    if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
        let valid = match nonce {
            Value::String(text) => text.len() <= 25,
            Value::Number(number) => number.is_i64() || number.is_u64(),
            _ => false,
        };
        if !valid {
            return Err(ApiError::invalid_form(
                "nonce",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            ));
        }
    }
    Ok(content)
}

/// Who a message pings, after `allowed_mentions`. Without `allowed_mentions` Discord
/// parses everything in the content.
fn resolve_mentions(world: &World, guild: u64, content: &str, allowed: &Value) -> (Vec<u64>, Vec<u64>, bool) {
    let parse: Vec<&str> = match allowed.get("parse") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ if allowed.is_object() => Vec::new(),
        _ => vec!["users", "roles", "everyone"],
    };
    let listed = |key: &str| -> Vec<u64> {
        allowed[key]
            .as_array()
            .map(|ids| ids.iter().filter_map(|v| v.as_str().and_then(parse_id)).collect())
            .unwrap_or_default()
    };
    let (allowed_users, allowed_roles) = (listed("users"), listed("roles"));
    let mut users = Vec::new();
    let mut roles = Vec::new();
    for token in content.split('<').skip(1) {
        let Some(inner) = token.split('>').next() else { continue };
        if let Some(role) = inner.strip_prefix("@&").and_then(parse_id) {
            let known = world
                .guilds
                .iter()
                .any(|g| g.id == guild && g.roles.iter().any(|r| r.id == role));
            if known && (parse.contains(&"roles") || allowed_roles.contains(&role)) && !roles.contains(&role) {
                roles.push(role);
            }
        } else if let Some(user) = inner
            .strip_prefix("@!")
            .or_else(|| inner.strip_prefix('@'))
            .and_then(parse_id)
            && world.users.contains_key(&user)
            && (parse.contains(&"users") || allowed_users.contains(&user))
            && !users.contains(&user)
        {
            users.push(user);
        }
    }
    let everyone = parse.contains(&"everyone") && (content.contains("@everyone") || content.contains("@here"));
    (users, roles, everyone)
}

async fn create_message(
    State(state): Shared,
    method: Method,
    Path(channel): Path<String>,
    request: Request,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages");
    admit(&state, request.headers(), &method, &path, true)?;
    let submission = read_submission(request, &state)
        .await
        .inspect_err(|_| log(&state, &method, &path, 400))?;
    let channel_id = known_channel(&state.world(), &channel).inspect_err(|_| log(&state, &method, &path, 404))?;
    let content =
        validate(&submission.body, submission.files.len()).inspect_err(|_| log(&state, &method, &path, 400))?;
    let (limit, window) = state.limits.lock().unwrap_or_else(|p| p.into_inner()).channel_messages;
    let (remaining, reset_after) = match state.take(&format!("messages:{channel_id}"), limit, window) {
        Ok(taken) => taken,
        Err(retry_after) => {
            log(&state, &method, &path, 429);
            return Err(ApiError::rate_limited(retry_after, false));
        }
    };
    let author = Author::User(state.bot_user_id);
    let message = store_message(&state, channel_id, author, state.bot_user_id, content, &submission)?;
    let mut response = Json(message).into_response();
    rate_headers(&mut response, "messages", limit, remaining, reset_after);
    ok_logged(&state, &method, &path, response)
}

/// Creates a message (or finds the one an enforced nonce already made), dispatches it, and
/// returns its JSON.
pub fn store_message(
    state: &Arc<SimState>,
    channel_id: u64,
    author: Author,
    author_key: u64,
    content: String,
    submission: &Submission,
) -> Result<Value, ApiError> {
    let body = &submission.body;
    let nonce = nonce_of(body);
    let enforce = body["enforce_nonce"].as_bool().unwrap_or(false);
    let mut world = state.world();
    if enforce && let Some(nonce) = &nonce {
        let key = (channel_id, author_key, nonce.clone());
        if let Some((existing, at)) = world.nonces.get(&key)
            && at.elapsed() < Duration::from_secs(5 * 60)
            && let Some(found) = world.messages.get(&channel_id).and_then(|m| m.get(existing))
        {
            return Ok(render(state, &world, found));
        }
    }
    let message = build_message(&mut world, channel_id, author, content, submission)?;
    if let Some(nonce) = nonce {
        world
            .nonces
            .insert((channel_id, author_key, nonce), (message.id, Instant::now()));
    }
    Ok(publish(state, world, message))
}

fn nonce_of(body: &Value) -> Option<String> {
    match &body["nonce"] {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A new message from a create or execute body, checked against the world (the message it
/// replies to must exist) but not stored yet.
pub fn build_message(
    world: &mut World,
    channel_id: u64,
    author: Author,
    content: String,
    submission: &Submission,
) -> Result<Message, ApiError> {
    let body = &submission.body;
    let nonce = nonce_of(body);
    let guild_id = world.channels[&channel_id].guild_id;
    let (mentions, mention_roles, mention_everyone) =
        resolve_mentions(world, guild_id, &content, &body["allowed_mentions"]);
    let reply_to = body["message_reference"]["message_id"].as_str().and_then(parse_id);
    if let Some(reply_to) = reply_to
        && !world
            .messages
            .get(&channel_id)
            .is_some_and(|m| m.contains_key(&reply_to))
    {
        return Err(ApiError::invalid_form(
            "message_reference",
            "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
            "Unknown message",
        ));
    }
    let id = world.ids.next();
    let attachments = submission
        .files
        .iter()
        .map(|(name, content_type, data)| Attachment {
            id: world.ids.next(),
            filename: name.rsplit(['/', '\\']).next().unwrap_or(name).to_string(),
            content_type: content_type.clone(),
            data: data.clone(),
        })
        .collect();
    let poll = body["poll"].as_object().map(|poll| crate::model::Poll {
        question: poll
            .get("question")
            .and_then(|q| q["text"].as_str())
            .unwrap_or_default()
            .to_string(),
        answers: poll
            .get("answers")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| x["poll_media"]["text"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default(),
        allow_multiselect: poll.get("allow_multiselect").and_then(Value::as_bool).unwrap_or(false),
        expiry: chrono::Utc::now()
            .checked_add_signed(chrono::Duration::hours(
                poll.get("duration").and_then(Value::as_i64).unwrap_or(24),
            ))
            .unwrap_or_default()
            .to_rfc3339(),
        finalized: false,
        votes: Default::default(),
    });
    let message = Message {
        id,
        channel_id,
        guild_id,
        author,
        content,
        edited_timestamp: None,
        attachments,
        embeds: body["embeds"].as_array().cloned().unwrap_or_default(),
        components: body["components"].as_array().cloned().unwrap_or_default(),
        mentions,
        mention_roles,
        mention_everyone,
        nonce: nonce.clone(),
        reply_to,
        reactions: Vec::new(),
        poll,
        // Of the flags a sender may set, Discord keeps SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS.
        flags: body["flags"].as_u64().unwrap_or(0) & (4 | 4096),
        interaction: None,
    };
    Ok(message)
}

/// Stores a message in its channel, dispatches MESSAGE_CREATE, and returns its JSON.
pub fn publish(state: &SimState, mut world: std::sync::MutexGuard<'_, World>, message: Message) -> Value {
    let (channel_id, id) = (message.channel_id, message.id);
    world.messages.entry(channel_id).or_default().insert(id, message);
    let stored = &world.messages[&channel_id][&id];
    let json = render(state, &world, stored);
    let bot = state.bot_user_id;
    let own = matches!(stored.author, Author::User(author) if author == bot);
    let pinged = stored.mentions.contains(&bot);
    drop(world);
    dispatch_message(state, "MESSAGE_CREATE", &json, own || pinged);
    json
}

/// Sends a message dispatch; sessions without the message content intent see empty
/// content unless the message is the bot's own or pings it.
pub fn dispatch_message(state: &SimState, event: &str, json: &Value, always_content: bool) {
    state.dispatch(event, INTENT_GUILD_MESSAGES, |intents| {
        if always_content || intents & INTENT_MESSAGE_CONTENT != 0 {
            json.clone()
        } else {
            let mut hidden = json.clone();
            hidden["content"] = json!("");
            hidden["embeds"] = json!([]);
            hidden["attachments"] = json!([]);
            hidden["components"] = json!([]);
            hidden
        }
    });
}

async fn edit_message(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((channel, message)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages/{message}");
    admit(&state, &headers, &method, &path, true)?;
    let body: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
    let json = apply_edit(
        &state,
        &channel,
        &message,
        &body,
        |m| matches!(m.author, Author::User(a) if a == state.bot_user_id),
    )
    .inspect_err(|e| log(&state, &method, &path, e.status.as_u16()))?;
    ok_logged(&state, &method, &path, Json(json).into_response())
}

pub fn apply_edit(
    state: &SimState,
    channel: &str,
    message: &str,
    body: &Value,
    may_edit: impl Fn(&Message) -> bool,
) -> Result<Value, ApiError> {
    if let Some(content) = body["content"].as_str()
        && content.chars().count() > 2000
    {
        return Err(ApiError::invalid_form(
            "content",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 2000 or fewer in length.",
        ));
    }
    crate::components::check_message_components(&body["components"])
        .map_err(|bad| ApiError::invalid_form(&bad.field, bad.code, &bad.message))?;
    let mut world = state.world();
    let found = find_message(&world, channel, message)?;
    if !may_edit(found) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            50005,
            "Cannot edit a message authored by another user",
        ));
    }
    let (channel_id, message_id, guild_id) = (found.channel_id, found.id, found.guild_id);
    let allowed = body["allowed_mentions"].clone();
    let content = body["content"].as_str().map(str::to_string);
    let mentions = content
        .as_ref()
        .map(|c| resolve_mentions(&world, guild_id, c, &allowed));
    let edited = world
        .messages
        .get_mut(&channel_id)
        .and_then(|m| m.get_mut(&message_id))
        .expect("found above");
    if let Some(content) = content {
        edited.content = content;
    }
    if let Some((users, roles, everyone)) = mentions {
        edited.mentions = users;
        edited.mention_roles = roles;
        edited.mention_everyone = everyone;
    }
    if let Some(embeds) = body["embeds"].as_array() {
        edited.embeds = embeds.clone();
    }
    if let Some(components) = body["components"].as_array() {
        edited.components = components.clone();
    }
    edited.edited_timestamp = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false));
    let json = render(state, &world, &world.messages[&channel_id][&message_id]);
    drop(world);
    dispatch_message(state, "MESSAGE_UPDATE", &json, false);
    Ok(json)
}

async fn delete_message(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((channel, message)): Path<(String, String)>,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages/{message}");
    admit(&state, &headers, &method, &path, true)?;
    remove_message(&state, &channel, &message).inspect_err(|e| log(&state, &method, &path, e.status.as_u16()))?;
    ok_logged(&state, &method, &path, StatusCode::NO_CONTENT.into_response())
}

pub fn remove_message(state: &SimState, channel: &str, message: &str) -> Result<(), ApiError> {
    let mut world = state.world();
    let found = find_message(&world, channel, message)?;
    let (channel_id, message_id, guild_id) = (found.channel_id, found.id, found.guild_id);
    world.messages.get_mut(&channel_id).map(|m| m.remove(&message_id));
    drop(world);
    state.dispatch("MESSAGE_DELETE", INTENT_GUILD_MESSAGES, |_| {
        json!({"id": message_id.to_string(), "channel_id": channel_id.to_string(), "guild_id": guild_id.to_string()})
    });
    Ok(())
}

async fn bulk_delete(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(channel): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages/bulk-delete");
    admit(&state, &headers, &method, &path, true)?;
    let ids: Vec<u64> = body["messages"]
        .as_array()
        .map(|ids| ids.iter().filter_map(|v| v.as_str().and_then(parse_id)).collect())
        .unwrap_or_default();
    if !(2..=100).contains(&ids.len()) {
        log(&state, &method, &path, 400);
        return Err(ApiError::invalid_form(
            "messages",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 2 and 100 in length.",
        ));
    }
    let mut world = state.world();
    let channel_id = known_channel(&world, &channel)?;
    let guild_id = world.channels[&channel_id].guild_id;
    let removed: Vec<String> = ids
        .iter()
        .filter(|id| world.messages.get_mut(&channel_id).and_then(|m| m.remove(id)).is_some())
        .map(u64::to_string)
        .collect();
    drop(world);
    state.dispatch(
        "MESSAGE_DELETE_BULK",
        INTENT_GUILD_MESSAGES,
        |_| json!({"ids": removed, "channel_id": channel_id.to_string(), "guild_id": guild_id.to_string()}),
    );
    ok_logged(&state, &method, &path, StatusCode::NO_CONTENT.into_response())
}

// ---- reactions -----------------------------------------------------------------------------------

async fn add_reaction(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((channel, message, emoji)): Path<(String, String, String)>,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages/{message}/reactions/{emoji}/@me");
    admit(&state, &headers, &method, &path, true)?;
    react(&state, &channel, &message, state.bot_user_id, &emoji, true)
        .inspect_err(|e| log(&state, &method, &path, e.status.as_u16()))?;
    limited(
        &state,
        &method,
        &path,
        "reactions",
        1,
        Duration::from_millis(250),
        StatusCode::NO_CONTENT.into_response(),
    )
}

async fn remove_reaction(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((channel, message, emoji)): Path<(String, String, String)>,
) -> ApiResult {
    let path = format!("/channels/{channel}/messages/{message}/reactions/{emoji}/@me");
    admit(&state, &headers, &method, &path, true)?;
    react(&state, &channel, &message, state.bot_user_id, &emoji, false)
        .inspect_err(|e| log(&state, &method, &path, e.status.as_u16()))?;
    ok_logged(&state, &method, &path, StatusCode::NO_CONTENT.into_response())
}

/// Adds or removes a user's reaction and dispatches the change (if there was one).
pub fn react(
    state: &SimState,
    channel: &str,
    message: &str,
    user: u64,
    emoji: &str,
    add: bool,
) -> Result<(), ApiError> {
    let emoji = percent_decode(emoji);
    if emoji.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, 10014, "Unknown Emoji"));
    }
    let mut world = state.world();
    let found = find_message(&world, channel, message)?;
    let (channel_id, message_id, guild_id) = (found.channel_id, found.id, found.guild_id);
    let author_id = match found.author {
        Author::User(id) => id,
        Author::Webhook { webhook_id, .. } => webhook_id,
    };
    let target = world
        .messages
        .get_mut(&channel_id)
        .and_then(|m| m.get_mut(&message_id))
        .expect("found above");
    let changed = if add {
        match target.reactions.iter_mut().find(|(e, _)| *e == emoji) {
            Some((_, who)) if who.contains(&user) => false,
            Some((_, who)) => {
                who.push(user);
                true
            }
            None => {
                target.reactions.push((emoji.clone(), vec![user]));
                true
            }
        }
    } else {
        match target.reactions.iter_mut().find(|(e, _)| *e == emoji) {
            Some((_, who)) if who.contains(&user) => {
                who.retain(|u| *u != user);
                true
            }
            _ => false,
        }
    };
    // Discord sends the reacting member along with an added reaction in a guild.
    let member = world
        .guilds
        .iter()
        .find(|g| g.id == guild_id)
        .and_then(|g| member_json(&world, g, user));
    drop(world);
    if changed {
        let event = if add {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        state.dispatch(event, INTENT_GUILD_MESSAGE_REACTIONS, |_| {
            let mut d = json!({
                "user_id": user.to_string(),
                "channel_id": channel_id.to_string(),
                "message_id": message_id.to_string(),
                "guild_id": guild_id.to_string(),
                "emoji": crate::model::emoji_json(&emoji),
                "burst": false,
                "type": 0,
            });
            if add {
                d["message_author_id"] = json!(author_id.to_string());
                if let Some(member) = &member {
                    d["member"] = member.clone();
                }
            }
            d
        });
    }
    Ok(())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---- polls ------------------------------------------------------------------------------------

/// Adds or withdraws a vote and dispatches the change (if there was one).
pub fn vote(state: &SimState, channel: u64, message: u64, user: u64, answer: u32, add: bool) -> Result<(), ApiError> {
    let mut world = state.world();
    let found = world
        .messages
        .get_mut(&channel)
        .and_then(|m| m.get_mut(&message))
        .ok_or_else(ApiError::unknown_message)?;
    let guild = found.guild_id;
    let poll = found
        .poll
        .as_mut()
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, 0, "not a poll"))?;
    if poll.finalized || answer == 0 || answer as usize > poll.answers.len() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            0,
            "the poll is closed or has no such answer",
        ));
    }
    if add && !poll.allow_multiselect {
        // One answer only: a new vote replaces the old one, as in Discord's client.
        let others: Vec<u32> = poll
            .votes
            .iter()
            .filter(|(a, v)| **a != answer && v.contains(&user))
            .map(|(a, _)| *a)
            .collect();
        drop(world);
        for other in others {
            vote(state, channel, message, user, other, false)?;
        }
        world = state.world();
    }
    let poll = world
        .messages
        .get_mut(&channel)
        .and_then(|m| m.get_mut(&message))
        .and_then(|m| m.poll.as_mut())
        .expect("checked above");
    let voters = poll.votes.entry(answer).or_default();
    let changed = if add {
        !voters.contains(&user) && {
            voters.push(user);
            true
        }
    } else {
        let before = voters.len();
        voters.retain(|v| *v != user);
        voters.len() != before
    };
    drop(world);
    if changed {
        let event = if add {
            "MESSAGE_POLL_VOTE_ADD"
        } else {
            "MESSAGE_POLL_VOTE_REMOVE"
        };
        state.dispatch(event, INTENT_GUILD_MESSAGE_POLLS, |_| {
            json!({"user_id": user.to_string(), "channel_id": channel.to_string(), "message_id": message.to_string(),
                   "guild_id": guild.to_string(), "answer_id": answer})
        });
    }
    Ok(())
}

#[derive(serde::Deserialize)]
pub struct VotersQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// The users who chose an answer, by id, `after` one and up to `limit` (1-100, default 25).
async fn poll_voters(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((channel, message, answer)): Path<(String, String, String)>,
    Query(query): Query<VotersQuery>,
) -> ApiResult {
    let path = format!("/channels/{channel}/polls/{message}/answers/{answer}");
    admit(&state, &headers, &method, &path, true)?;
    let limit = query.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        log(&state, &method, &path, 400);
        return Err(ApiError::invalid_form(
            "limit",
            "NUMBER_TYPE_MAX",
            "int value should be between 1 and 100.",
        ));
    }
    let after = query.after.as_deref().and_then(parse_id).unwrap_or(0);
    let world = state.world();
    let found = find_message(&world, &channel, &message).inspect_err(|_| log(&state, &method, &path, 404))?;
    let Some(poll) = &found.poll else {
        log(&state, &method, &path, 400);
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            520001,
            "This message does not have a poll",
        ));
    };
    let answer: u32 = answer.parse().unwrap_or(0);
    if answer == 0 || answer as usize > poll.answers.len() {
        log(&state, &method, &path, 404);
        return Err(ApiError::new(StatusCode::NOT_FOUND, 10018, "Unknown poll answer"));
    }
    let mut voters: Vec<u64> = poll.votes.get(&answer).cloned().unwrap_or_default();
    voters.sort_unstable();
    let users: Vec<Value> = voters
        .into_iter()
        .filter(|id| *id > after)
        .take(limit)
        .filter_map(|id| world.users.get(&id).map(crate::model::User::to_json))
        .collect();
    drop(world);
    ok_logged(&state, &method, &path, Json(json!({"users": users})).into_response())
}

async fn expire_poll(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((channel, message)): Path<(String, String)>,
) -> ApiResult {
    let path = format!("/channels/{channel}/polls/{message}/expire");
    admit(&state, &headers, &method, &path, true)?;
    let mut world = state.world();
    let found = find_message(&world, &channel, &message)?;
    if !matches!(found.author, Author::User(a) if a == state.bot_user_id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            50005,
            "Cannot expire a poll authored by another user",
        ));
    }
    let (channel_id, message_id) = (found.channel_id, found.id);
    let stored = world
        .messages
        .get_mut(&channel_id)
        .and_then(|m| m.get_mut(&message_id))
        .expect("found above");
    let Some(poll) = stored.poll.as_mut() else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            520001,
            "This message does not have a poll",
        ));
    };
    if poll.finalized {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            520002,
            "This poll has already expired",
        ));
    }
    poll.finalized = true;
    poll.expiry = chrono::Utc::now().to_rfc3339();
    let json = render(&state, &world, &world.messages[&channel_id][&message_id]);
    drop(world);
    dispatch_message(&state, "MESSAGE_UPDATE", &json, true);
    ok_logged(&state, &method, &path, Json(json).into_response())
}

// ---- webhooks ------------------------------------------------------------------------------------

async fn create_webhook(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(channel): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult {
    let path = format!("/channels/{channel}/webhooks");
    admit(&state, &headers, &method, &path, true)?;
    let name = body["name"].as_str().unwrap_or_default().to_string();
    if name.is_empty()
        || name.chars().count() > 80
        || name.to_lowercase().contains("clyde")
        || name.to_lowercase().contains("discord")
    {
        log(&state, &method, &path, 400);
        return Err(ApiError::invalid_form(
            "name",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 80 in length, without 'clyde' or 'discord'.",
        ));
    }
    let mut world = state.world();
    let channel_id = known_channel(&world, &channel)?;
    let limit = state
        .limits
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .webhooks_per_channel;
    if world.webhooks.values().filter(|w| w.channel_id == channel_id).count() >= limit {
        drop(world);
        log(&state, &method, &path, 400);
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            30007,
            &format!("Maximum number of webhooks reached ({limit})"),
        ));
    }
    let id = world.ids.next();
    let webhook = Webhook {
        id,
        token: format!("whtoken{}", world.ids.next()),
        channel_id,
        guild_id: world.channels[&channel_id].guild_id,
        name,
        creator: state.bot_user_id,
        application_id: Some(state.application_id),
    };
    let json = webhook.to_json(&world.users[&state.bot_user_id], true);
    world.webhooks.insert(id, webhook);
    drop(world);
    ok_logged(&state, &method, &path, Json(json).into_response())
}

async fn list_webhooks(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(channel): Path<String>,
) -> ApiResult {
    let path = format!("/channels/{channel}/webhooks");
    admit(&state, &headers, &method, &path, true)?;
    let world = state.world();
    let channel_id = known_channel(&world, &channel)?;
    let hooks: Vec<Value> = world
        .webhooks
        .values()
        .filter(|w| w.channel_id == channel_id)
        .map(|w| w.to_json(&world.users[&w.creator], true))
        .collect();
    drop(world);
    ok_logged(&state, &method, &path, Json(hooks).into_response())
}

async fn get_webhook(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(webhook): Path<String>,
) -> ApiResult {
    let path = format!("/webhooks/{webhook}");
    admit(&state, &headers, &method, &path, true)?;
    let world = state.world();
    let hook = parse_id(&webhook)
        .and_then(|id| world.webhooks.get(&id))
        .ok_or_else(ApiError::unknown_webhook)?;
    let json = hook.to_json(&world.users[&hook.creator], true);
    drop(world);
    ok_logged(&state, &method, &path, Json(json).into_response())
}

async fn delete_webhook(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(webhook): Path<String>,
) -> ApiResult {
    let path = format!("/webhooks/{webhook}");
    admit(&state, &headers, &method, &path, true)?;
    let removed = parse_id(&webhook).and_then(|id| state.world().webhooks.remove(&id));
    if removed.is_none() {
        log(&state, &method, &path, 404);
        return Err(ApiError::unknown_webhook());
    }
    ok_logged(&state, &method, &path, StatusCode::NO_CONTENT.into_response())
}

fn webhook_for(state: &SimState, webhook: &str, token: &str) -> Result<Webhook, ApiError> {
    let world = state.world();
    parse_id(webhook)
        .and_then(|id| world.webhooks.get(&id))
        .filter(|hook| hook.token == token)
        .cloned()
        .ok_or_else(ApiError::unknown_webhook)
}

#[derive(serde::Deserialize)]
struct ExecuteQuery {
    wait: Option<bool>,
}

async fn execute_webhook(
    State(state): Shared,
    method: Method,
    Path((webhook, token)): Path<(String, String)>,
    Query(query): Query<ExecuteQuery>,
    request: Request,
) -> ApiResult {
    if crate::interactions::is_application(&state, &webhook) {
        admit(&state, request.headers(), &method, "/webhooks/<application>", false)?;
        return crate::interactions::followup(state, method, token, request).await;
    }
    let path = format!("/webhooks/{webhook}/{token}");
    admit(
        &state,
        request.headers(),
        &method,
        &format!("/webhooks/{webhook}"),
        false,
    )?;
    let hook = webhook_for(&state, &webhook, &token).inspect_err(|_| log(&state, &method, &path, 404))?;
    let submission = read_submission(request, &state)
        .await
        .inspect_err(|_| log(&state, &method, &path, 400))?;
    let content =
        validate(&submission.body, submission.files.len()).inspect_err(|_| log(&state, &method, &path, 400))?;
    let username = submission.body["username"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| hook.name.clone());
    if username.chars().count() > 80
        || username.to_lowercase().contains("clyde")
        || username.to_lowercase().contains("discord")
    {
        log(&state, &method, &path, 400);
        return Err(ApiError::invalid_form(
            "username",
            "USERNAME_INVALID",
            "Username cannot contain \"clyde\" or \"discord\", and must be 80 or fewer in length.",
        ));
    }
    if let Some(avatar) = submission.body["avatar_url"].as_str()
        && !(avatar.starts_with("https://") || avatar.starts_with("http://"))
    {
        log(&state, &method, &path, 400);
        return Err(ApiError::invalid_form(
            "avatar_url",
            "URL_TYPE_INVALID_URL",
            "Not a well formed URL.",
        ));
    }
    let (limit, window) = state
        .limits
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .webhook_executions;
    let (remaining, reset_after) = match state.take(&format!("webhook:{}", hook.id), limit, window) {
        Ok(taken) => taken,
        Err(retry_after) => {
            log(&state, &method, &path, 429);
            return Err(ApiError::rate_limited(retry_after, false));
        }
    };
    let author = Author::Webhook {
        webhook_id: hook.id,
        username,
        avatar_url: submission.body["avatar_url"].as_str().map(str::to_string),
        application_id: hook.application_id,
    };
    let json = store_message(&state, hook.channel_id, author, hook.id, content, &submission)?;
    let mut response = if query.wait.unwrap_or(false) {
        Json(json).into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    };
    rate_headers(&mut response, "webhook", limit, remaining, reset_after);
    ok_logged(&state, &method, &path, response)
}

async fn get_webhook_message(
    State(state): Shared,
    method: Method,
    Path((webhook, token, message)): Path<(String, String, String)>,
) -> ApiResult {
    if crate::interactions::is_application(&state, &webhook) {
        return crate::interactions::response_message(&state, &method, &token, &message, None);
    }
    let path = format!("/webhooks/{webhook}/{token}/messages/{message}");
    let hook = webhook_for(&state, &webhook, &token).inspect_err(|_| log(&state, &method, &path, 404))?;
    let world = state.world();
    let found = find_message(&world, &hook.channel_id.to_string(), &message)?;
    if found.webhook_id() != Some(hook.id) {
        return Err(ApiError::unknown_message());
    }
    let json = render(&state, &world, found);
    drop(world);
    ok_logged(&state, &method, &path, Json(json).into_response())
}

async fn edit_webhook_message(
    State(state): Shared,
    method: Method,
    Path((webhook, token, message)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    let body: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
    if crate::interactions::is_application(&state, &webhook) {
        return crate::interactions::response_message(&state, &method, &token, &message, Some(&body));
    }
    let path = format!("/webhooks/{webhook}/{token}/messages/{message}");
    let hook = webhook_for(&state, &webhook, &token).inspect_err(|_| log(&state, &method, &path, 404))?;
    let json = apply_edit(&state, &hook.channel_id.to_string(), &message, &body, |m| {
        m.webhook_id() == Some(hook.id)
    })
    .inspect_err(|e| log(&state, &method, &path, e.status.as_u16()))?;
    ok_logged(&state, &method, &path, Json(json).into_response())
}

async fn delete_webhook_message(
    State(state): Shared,
    method: Method,
    Path((webhook, token, message)): Path<(String, String, String)>,
) -> ApiResult {
    if crate::interactions::is_application(&state, &webhook) {
        return crate::interactions::response_message(&state, &method, &token, &message, None);
    }
    let path = format!("/webhooks/{webhook}/{token}/messages/{message}");
    let hook = webhook_for(&state, &webhook, &token).inspect_err(|_| log(&state, &method, &path, 404))?;
    {
        let world = state.world();
        let found = find_message(&world, &hook.channel_id.to_string(), &message)?;
        if found.webhook_id() != Some(hook.id) {
            return Err(ApiError::unknown_message());
        }
    }
    remove_message(&state, &hook.channel_id.to_string(), &message)?;
    ok_logged(&state, &method, &path, StatusCode::NO_CONTENT.into_response())
}

// ---- guilds and application commands ------------------------------------------------------------

pub fn member_json(world: &World, guild: &Guild, user: u64) -> Option<Value> {
    let member = guild.members.get(&user)?;
    Some(json!({
        "user": world.users.get(&user)?.to_json(),
        "nick": member.nick,
        "avatar": null,
        "roles": member.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": member.joined_at,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
    }))
}

/// The GUILD_CREATE payload for a guild: everything serenity requires, arrays never null.
pub fn guild_create_json(world: &World, guild: &Guild) -> Value {
    let channels: Vec<Value> = guild
        .channels
        .iter()
        .filter_map(|id| world.channels.get(id))
        .map(|c| c.to_json())
        .collect();
    let members: Vec<Value> = guild
        .members
        .keys()
        .filter_map(|user| member_json(world, guild, *user))
        .collect();
    json!({
        "id": guild.id.to_string(),
        "name": guild.name,
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": guild.owner_id.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": guild.roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_members": 500000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "joined_at": crate::model::snowflake_time(guild.id),
        "large": false,
        "unavailable": false,
        "member_count": members.len(),
        "voice_states": [],
        "members": members,
        "channels": channels,
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    })
}

async fn get_member(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path((guild, user)): Path<(String, String)>,
) -> ApiResult {
    let path = format!("/guilds/{guild}/members/{user}");
    admit(&state, &headers, &method, &path, true)?;
    let world = state.world();
    let guild = known_guild(&world, &guild)?;
    let member = parse_id(&user)
        .and_then(|user| member_json(&world, guild, user))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, 10007, "Unknown Member"))?;
    drop(world);
    ok_logged(&state, &method, &path, Json(member).into_response())
}

/// `GET /guilds/{guild}`: the guild, with its approximate member count when asked for
/// with `with_counts=true` (as Discord does; without it the counts are absent).
async fn get_guild(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    Path(guild): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> ApiResult {
    let path = format!("/guilds/{guild}");
    admit(&state, &headers, &method, &path, true)?;
    let world = state.world();
    let guild = known_guild(&world, &guild)?;
    let mut json = json!({
        "id": guild.id.to_string(),
        "name": guild.name,
        "owner_id": guild.owner_id.to_string(),
        "roles": guild.roles.iter().map(|r| r.to_json()).collect::<Vec<Value>>(),
    });
    if query
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair == "with_counts=true")
    {
        json["approximate_member_count"] = json!(guild.members.len());
        json["approximate_presence_count"] = json!(guild.members.len());
    }
    drop(world);
    ok_logged(&state, &method, &path, Json(json).into_response())
}

async fn get_roles(State(state): Shared, headers: HeaderMap, method: Method, Path(guild): Path<String>) -> ApiResult {
    let path = format!("/guilds/{guild}/roles");
    admit(&state, &headers, &method, &path, true)?;
    let world = state.world();
    let guild = known_guild(&world, &guild)?;
    let roles: Vec<Value> = guild.roles.iter().map(|r| r.to_json()).collect();
    drop(world);
    ok_logged(&state, &method, &path, Json(roles).into_response())
}
