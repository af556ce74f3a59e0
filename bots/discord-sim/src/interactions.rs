//! Application commands and interactions. The bot registers slash commands; people run
//! them, click buttons, choose from menus and submit forms (each an INTERACTION_CREATE sent
//! to the bot); the bot answers with one callback within 3 seconds, then edits its
//! original response and sends follow-ups through the interaction's webhook for 15 minutes.
//! Ephemeral answers are kept with the interaction: only the person who acted sees them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::components::{check_modal, find};
use crate::model::{Author, InteractionRef, Message};
use crate::rest::{
    self, ApiError, ApiResult, Shared, Submission, admit, build_message, log, ok_logged, parse_id, publish, render,
};
use crate::state::{SimState, World};

/// How long an interaction's token stays good for edits and follow-ups.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Interaction types.
const COMMAND: u8 = 2;
const COMPONENT: u8 = 3;
const MODAL_SUBMIT: u8 = 5;

/// Message flags.
const EPHEMERAL: u64 = 64;
const LOADING: u64 = 128;

/// One interaction and everything the bot answered to it.
#[derive(Debug)]
pub struct Interaction {
    pub id: u64,
    pub token: String,
    pub kind: u8,
    pub channel_id: u64,
    pub user: u64,
    /// The message a component (or the form it opened) sits on.
    pub message: Option<u64>,
    pub created: Instant,
    /// The callback type the bot answered with.
    pub response: Option<u8>,
    pub modal: Option<Value>,
    /// The response message (callback types 4 and 5).
    pub original: Option<u64>,
    pub followups: Vec<u64>,
    /// Answers only the person who acted sees, by id.
    pub ephemeral: BTreeMap<u64, Message>,
}

/// One answer as the person who acted sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenReply {
    pub id: u64,
    pub content: String,
    pub ephemeral: bool,
    /// Still "thinking": a deferred answer not filled in yet.
    pub loading: bool,
    pub components: Vec<Value>,
}

/// What became of an interaction, for tests.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionView {
    /// The callback type the bot answered with, if it did.
    pub response: Option<u8>,
    /// The form shown, if the answer was a modal.
    pub modal: Option<Value>,
    /// The response and follow-ups, in order; deleted ones are gone.
    pub replies: Vec<SeenReply>,
}

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/interactions/{id}/{token}/callback", post(callback))
        .route("/applications/{app}/commands", put(put_commands).get(get_commands))
        .route(
            "/applications/{app}/guilds/{guild}/commands",
            put(put_commands).get(get_commands),
        )
}

// ---- commands ------------------------------------------------------------------------------

/// The guild a command route names (`None` for global commands).
fn command_scope(uri: &Uri) -> Option<u64> {
    let mut parts = uri.path().split('/');
    parts.find(|p| *p == "guilds")?;
    parts.next().and_then(parse_id)
}

fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || (c.is_alphanumeric() && !c.is_uppercase()))
}

/// The locales Discord has (its "Locales" reference); localisations for others are refused.
const LOCALES: [&str; 34] = [
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko", "he",
    "ar",
];

/// Checks `name_localizations` / `description_localizations` (or a choice's names): known
/// locales only, each value as the default one must be.
fn check_localizations(
    value: &Value,
    path: &str,
    field: &str,
    valid: impl Fn(&str) -> bool,
    code: &str,
) -> Result<(), ApiError> {
    let Some(map) = value[field].as_object() else {
        return Ok(());
    };
    for (locale, text) in map {
        if !LOCALES.contains(&locale.as_str()) {
            return Err(ApiError::invalid_form(
                &format!("{path}{field}"),
                "LOCALE_INVALID",
                &format!("Invalid locale {locale}"),
            ));
        }
        if !text.as_str().is_some_and(&valid) {
            return Err(ApiError::invalid_form(
                &format!("{path}{field}.{locale}"),
                code,
                "Localization is invalid",
            ));
        }
    }
    Ok(())
}

fn valid_description(text: &str) -> bool {
    (1..=100).contains(&text.chars().count())
}

/// Checks a chat-input command (or one of its options) as Discord does.
fn check_command(command: &Value, path: &str) -> Result<(), ApiError> {
    check_localizations(
        command,
        path,
        "name_localizations",
        valid_name,
        "APPLICATION_COMMAND_INVALID_NAME",
    )?;
    check_localizations(
        command,
        path,
        "description_localizations",
        valid_description,
        "BASE_TYPE_BAD_LENGTH",
    )?;
    for (n, choice) in command["choices"].as_array().into_iter().flatten().enumerate() {
        check_localizations(
            choice,
            &format!("{path}choices.{n}."),
            "name_localizations",
            valid_description,
            "BASE_TYPE_BAD_LENGTH",
        )?;
    }
    let name = command["name"].as_str().unwrap_or_default();
    if !valid_name(name) {
        return Err(ApiError::invalid_form(
            &format!("{path}name"),
            "APPLICATION_COMMAND_INVALID_NAME",
            "Command name is invalid",
        ));
    }
    let description = command["description"].as_str().unwrap_or_default().chars().count();
    if !(1..=100).contains(&description) {
        return Err(ApiError::invalid_form(
            &format!("{path}description"),
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        ));
    }
    let options = command["options"].as_array().cloned().unwrap_or_default();
    if options.len() > 25 {
        return Err(ApiError::invalid_form(
            &format!("{path}options"),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.",
        ));
    }
    let mut seen_optional = false;
    for (n, option) in options.iter().enumerate() {
        let path = format!("{path}options.{n}.");
        check_command(option, &path)?;
        let kind = option["type"].as_u64().unwrap_or(0);
        if !(1..=11).contains(&kind) {
            return Err(ApiError::invalid_form(
                &format!("{path}type"),
                "BASE_TYPE_CHOICES",
                "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.",
            ));
        }
        let required = option["required"].as_bool().unwrap_or(false);
        if required && seen_optional {
            return Err(ApiError::invalid_form(
                &format!("{path}required"),
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            ));
        }
        seen_optional |= !required;
        if option["choices"].as_array().is_some_and(|c| c.len() > 25) {
            return Err(ApiError::invalid_form(
                &format!("{path}choices"),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            ));
        }
    }
    Ok(())
}

async fn put_commands(
    State(state): Shared,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    Json(body): Json<Value>,
) -> ApiResult {
    let path = uri.path().to_string();
    admit(&state, &headers, &method, &path, true)?;
    let commands = body.as_array().cloned().unwrap_or_default();
    for (n, command) in commands.iter().enumerate() {
        check_command(command, &format!("{n}.")).inspect_err(|_| log(&state, &method, &path, 400))?;
    }
    let mut world = state.world();
    let mut stored = Vec::new();
    for mut command in commands {
        command["id"] = json!(world.ids.next().to_string());
        command["application_id"] = json!(state.application_id.to_string());
        command["version"] = json!(world.ids.next().to_string());
        command["default_member_permissions"] = command
            .get("default_member_permissions")
            .cloned()
            .unwrap_or(Value::Null);
        command["type"] = command.get("type").cloned().unwrap_or(json!(1));
        if let Some(guild) = command_scope(&uri) {
            command["guild_id"] = json!(guild.to_string());
        }
        stored.push(command);
    }
    world.commands.insert(command_scope(&uri), stored.clone());
    drop(world);
    ok_logged(&state, &method, &path, Json(stored).into_response())
}

async fn get_commands(State(state): Shared, headers: HeaderMap, method: Method, uri: Uri) -> ApiResult {
    let path = uri.path().to_string();
    admit(&state, &headers, &method, &path, true)?;
    let commands = state
        .world()
        .commands
        .get(&command_scope(&uri))
        .cloned()
        .unwrap_or_default();
    ok_logged(&state, &method, &path, Json(commands).into_response())
}

// ---- people acting -------------------------------------------------------------------------

/// Creates an interaction and sends INTERACTION_CREATE to the bot (no intent is needed).
fn begin(
    state: &SimState,
    mut world: std::sync::MutexGuard<'_, World>,
    kind: u8,
    channel_id: u64,
    user: u64,
    message: Option<u64>,
    data: Value,
) -> Result<u64, String> {
    let channel = world.channels.get(&channel_id).ok_or("unknown channel")?;
    let guild_id = channel.guild_id;
    let guild = world
        .guilds
        .iter()
        .find(|g| g.id == guild_id)
        .ok_or("the channel has no guild")?;
    let mut member = rest::member_json(&world, guild, user).ok_or("the user is not a member of the guild")?;
    member["permissions"] = json!("2248473465835073");
    let message_json = match message {
        Some(id) => Some(render(
            state,
            &world,
            world
                .messages
                .get(&channel_id)
                .and_then(|m| m.get(&id))
                .ok_or("unknown message")?,
        )),
        None => None,
    };
    let id = world.ids.next();
    // Discord's tokens are long and unguessable; only their being unique matters here.
    let token = format!(
        "aW50ZXJhY3Rpb24{id:x}{:016x}",
        crate::model::fnv64(&format!("{id}:{user}"))
    );
    let mut payload = json!({
        "id": id.to_string(),
        "application_id": state.application_id.to_string(),
        "type": kind,
        "data": data,
        "guild_id": guild_id.to_string(),
        "channel_id": channel_id.to_string(),
        "member": member,
        "token": token,
        "version": 1,
        "app_permissions": "2248473465835073",
        "locale": state
            .locales
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&user)
            .cloned()
            .unwrap_or_else(|| "en-US".to_string()),
        "guild_locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "context": 0,
    });
    if let Some(message_json) = message_json {
        payload["message"] = message_json;
    }
    world.interactions.insert(
        id,
        Interaction {
            id,
            token,
            kind,
            channel_id,
            user,
            message,
            created: Instant::now(),
            response: None,
            modal: None,
            original: None,
            followups: Vec::new(),
            ephemeral: BTreeMap::new(),
        },
    );
    drop(world);
    state.dispatch("INTERACTION_CREATE", 0, |_| payload.clone());
    Ok(id)
}

/// A user runs a registered slash command: `path` is the command and its sub-commands,
/// `options` the values typed in, by option name.
pub fn run_command(
    state: &SimState,
    channel: u64,
    user: u64,
    path: &[&str],
    options: &[(&str, &str)],
) -> Result<u64, String> {
    let world = state.world();
    let guild = world.channels.get(&channel).ok_or("unknown channel")?.guild_id;
    let (name, subcommands) = path.split_first().ok_or("no command given")?;
    let registered = [Some(guild), None]
        .iter()
        .filter_map(|scope| world.commands.get(scope))
        .flatten()
        .find(|c| c["name"].as_str() == Some(name))
        .cloned()
        .ok_or_else(|| format!("/{name} is not a registered command here"))?;
    // Walk down the sub-commands, then check the options of the last one.
    let mut node = &registered;
    for sub in subcommands {
        node = node["options"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["name"].as_str() == Some(sub) && matches!(o["type"].as_u64(), Some(1 | 2)))
            .ok_or_else(|| format!("/{} has no sub-command {sub}", path.join(" ")))?;
    }
    let declared: Vec<&Value> = node["options"].as_array().into_iter().flatten().collect();
    if declared.iter().any(|o| matches!(o["type"].as_u64(), Some(1 | 2))) {
        return Err(format!("/{} needs a sub-command", path.join(" ")));
    }
    let mut given = Vec::new();
    for (option, value) in options {
        let spec = declared
            .iter()
            .find(|o| o["name"].as_str() == Some(option))
            .ok_or_else(|| format!("/{} has no option {option}", path.join(" ")))?;
        if let Some(choices) = spec["choices"].as_array().filter(|c| !c.is_empty())
            && !choices.iter().any(|c| c["value"].as_str() == Some(value))
        {
            return Err(format!("{value} is not one of the choices for {option}"));
        }
        given.push(json!({"name": option, "type": spec["type"], "value": value}));
    }
    for spec in &declared {
        let name = spec["name"].as_str().unwrap_or_default();
        if spec["required"].as_bool() == Some(true) && !options.iter().any(|(o, _)| *o == name) {
            return Err(format!("the option {name} is required"));
        }
    }
    // Nest the options inside their sub-commands, innermost first.
    let mut nested = given;
    for (depth, sub) in subcommands.iter().enumerate().rev() {
        let kind = if depth + 1 < subcommands.len() { 2 } else { 1 };
        nested = vec![json!({"name": sub, "type": kind, "options": nested})];
    }
    let data = json!({
        "id": registered["id"],
        "name": name,
        "type": 1,
        "options": nested,
        "guild_id": guild.to_string(),
    });
    begin(state, world, COMMAND, channel, user, None, data)
}

/// A user clicks a button (`values` empty) or chooses from a menu under a message.
pub fn use_component(
    state: &SimState,
    channel: u64,
    message: u64,
    user: u64,
    custom_id: &str,
    values: &[&str],
) -> Result<u64, String> {
    let world = state.world();
    let found = world
        .messages
        .get(&channel)
        .and_then(|m| m.get(&message))
        .ok_or("unknown message")?;
    let component = find(&found.components, custom_id)
        .ok_or_else(|| format!("message {message} has no component {custom_id}"))?
        .clone();
    if component["disabled"].as_bool() == Some(true) {
        return Err(format!("{custom_id} is disabled"));
    }
    let data = match component["type"].as_u64() {
        Some(2) if values.is_empty() => json!({"custom_id": custom_id, "component_type": 2}),
        Some(2) => return Err("a button takes no values".into()),
        Some(3) => {
            let offered: Vec<&str> = component["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o["value"].as_str())
                .collect();
            if let Some(bad) = values.iter().find(|v| !offered.contains(v)) {
                return Err(format!("{bad} is not an option of {custom_id}"));
            }
            let min = component["min_values"].as_u64().unwrap_or(1) as usize;
            let max = component["max_values"].as_u64().unwrap_or(1) as usize;
            if values.len() < min || values.len() > max {
                return Err(format!("{custom_id} takes {min} to {max} values"));
            }
            json!({"custom_id": custom_id, "component_type": 3, "values": values})
        }
        other => return Err(format!("component type {other:?} cannot be used")),
    };
    begin(state, world, COMPONENT, channel, user, Some(message), data)
}

/// A user fills in and submits the form (modal) the bot answered `opened_by` with.
pub fn submit_form(state: &SimState, opened_by: u64, user: u64, fields: &[(&str, &str)]) -> Result<u64, String> {
    let world = state.world();
    let opener = world.interactions.get(&opened_by).ok_or("unknown interaction")?;
    let modal = opener.modal.clone().ok_or("the bot did not answer with a form")?;
    if opener.user != user {
        return Err("the form was shown to someone else".into());
    }
    let (channel, message) = (opener.channel_id, opener.message);
    let inputs: Vec<Value> = modal["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["components"].get(0).cloned())
        .collect();
    if let Some((unknown, _)) = fields
        .iter()
        .find(|(id, _)| !inputs.iter().any(|i| i["custom_id"].as_str() == Some(id)))
    {
        return Err(format!("the form has no field {unknown}"));
    }
    let mut rows = Vec::new();
    for input in &inputs {
        let id = input["custom_id"].as_str().unwrap_or_default();
        let value = fields.iter().find(|(f, _)| *f == id).map_or("", |(_, v)| *v);
        let length = value.chars().count() as u64;
        if input["required"].as_bool().unwrap_or(true) && value.is_empty() {
            return Err(format!("{id} is required"));
        }
        let min = input["min_length"].as_u64().unwrap_or(0);
        let max = input["max_length"].as_u64().unwrap_or(4000);
        if !value.is_empty() && (length < min || length > max) {
            return Err(format!("{id} takes {min} to {max} characters"));
        }
        rows.push(json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]}));
    }
    let data = json!({"custom_id": modal["custom_id"], "components": rows});
    begin(state, world, MODAL_SUBMIT, channel, user, message, data)
}

/// The token a bot reads from INTERACTION_CREATE.
pub fn token(state: &SimState, id: u64) -> Option<String> {
    state.world().interactions.get(&id).map(|i| i.token.clone())
}

/// What the bot answered to an interaction.
pub fn view(state: &SimState, id: u64) -> Option<InteractionView> {
    let world = state.world();
    let interaction = world.interactions.get(&id)?;
    let replies = interaction
        .original
        .iter()
        .chain(&interaction.followups)
        .filter_map(|id| {
            let (message, ephemeral) = match interaction.ephemeral.get(id) {
                Some(message) => (message, true),
                None => (world.messages.get(&interaction.channel_id)?.get(id)?, false),
            };
            Some(SeenReply {
                id: *id,
                content: message.content.clone(),
                ephemeral,
                loading: message.flags & LOADING != 0,
                components: message.components.clone(),
            })
        })
        .collect();
    Some(InteractionView {
        response: interaction.response,
        modal: interaction.modal.clone(),
        replies,
    })
}

// ---- the bot answering ---------------------------------------------------------------------

fn unknown_interaction() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, 10062, "Unknown interaction")
}

fn callback_type_invalid() -> ApiError {
    ApiError::invalid_form(
        "type",
        "INTERACTION_RESPONSE_TYPE_INVALID",
        "This callback type is not valid for this interaction",
    )
}

/// A message the bot answers with: kept with the interaction if ephemeral, otherwise
/// posted in the channel. Returns its id.
fn answer_message(
    state: &SimState,
    mut world: std::sync::MutexGuard<'_, World>,
    interaction: u64,
    content: String,
    submission: &Submission,
    extra_flags: u64,
) -> Result<u64, ApiError> {
    let (channel, origin) = {
        let found = &world.interactions[&interaction];
        let origin = InteractionRef {
            id: interaction,
            kind: found.kind,
            user: found.user,
            interacted: found.message,
        };
        (found.channel_id, origin)
    };
    let mut message = build_message(
        &mut world,
        channel,
        Author::User(state.bot_user_id),
        content,
        submission,
    )?;
    let ephemeral = submission.body["flags"].as_u64().unwrap_or(0) & EPHEMERAL != 0;
    message.flags |= extra_flags | if ephemeral { EPHEMERAL } else { 0 };
    message.interaction = Some(origin);
    let id = message.id;
    if ephemeral {
        let found = world.interactions.get_mut(&interaction).expect("checked by the caller");
        found.ephemeral.insert(id, message);
    } else {
        publish(state, world, message);
    }
    Ok(id)
}

async fn callback(
    State(state): Shared,
    method: Method,
    Path((id, token)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    // The token stays out of the request log.
    let path = format!("/interactions/{id}/callback");
    admit(&state, &HeaderMap::new(), &method, &path, false)?;
    let answer = respond(&state, &id, &token, &body);
    log(
        &state,
        &method,
        &path,
        answer.as_ref().map_or_else(|e| e.status.as_u16(), |_| 204),
    );
    answer.map(|()| StatusCode::NO_CONTENT.into_response())
}

fn respond(state: &SimState, id: &str, token: &str, body: &[u8]) -> Result<(), ApiError> {
    let body: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            50109,
            "The request body contains invalid JSON.",
        )
    })?;
    let mut world = state.world();
    let interaction = parse_id(id)
        .and_then(|id| world.interactions.get_mut(&id))
        .filter(|i| i.token == token)
        .ok_or_else(unknown_interaction)?;
    if interaction.response.is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            40060,
            "Interaction has already been acknowledged.",
        ));
    }
    if interaction.created.elapsed() > state.config.interaction_ack_window {
        return Err(unknown_interaction());
    }
    let (id, kind, has_message) = (interaction.id, interaction.kind, interaction.message.is_some());
    let response = body["type"].as_u64().unwrap_or(0) as u8;
    let data = body["data"].clone();
    match response {
        4 => {
            let content = rest::validate(&data, 0)?;
            let submission = Submission {
                body: data,
                files: Vec::new(),
            };
            let message = answer_message(state, world, id, content, &submission, 0)?;
            let mut world = state.world();
            let interaction = world.interactions.get_mut(&id).expect("just answered");
            interaction.response = Some(4);
            interaction.original = Some(message);
        }
        5 => {
            let flags = data["flags"].as_u64().unwrap_or(0) & EPHEMERAL;
            let submission = Submission {
                body: json!({"flags": flags}),
                files: Vec::new(),
            };
            let message = answer_message(state, world, id, String::new(), &submission, LOADING)?;
            let mut world = state.world();
            let interaction = world.interactions.get_mut(&id).expect("just answered");
            interaction.response = Some(5);
            interaction.original = Some(message);
        }
        6 if has_message => interaction.response = Some(6),
        7 if has_message => {
            let (channel, message) = (interaction.channel_id, interaction.message.expect("checked"));
            interaction.response = Some(7);
            drop(world);
            if let Err(error) = rest::apply_edit(state, &channel.to_string(), &message.to_string(), &data, |_| true) {
                if let Some(interaction) = state.world().interactions.get_mut(&id) {
                    interaction.response = None;
                }
                return Err(error);
            }
        }
        9 if kind != MODAL_SUBMIT => {
            check_modal(&data).map_err(|bad| ApiError::invalid_form(&bad.field, bad.code, &bad.message))?;
            interaction.response = Some(9);
            interaction.modal = Some(data);
        }
        _ => return Err(callback_type_invalid()),
    }
    Ok(())
}

/// The interaction a webhook token belongs to, while the token is good.
fn by_token(world: &World, token: &str) -> Result<u64, ApiError> {
    let interaction = world
        .interactions
        .values()
        .find(|i| i.token == token)
        .ok_or_else(ApiError::unknown_webhook)?;
    if interaction.created.elapsed() > TOKEN_LIFETIME {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, 50027, "Invalid Webhook Token"));
    }
    if interaction.response.is_none() {
        // Nothing to follow up or edit until the interaction was acknowledged.
        return Err(ApiError::unknown_webhook());
    }
    Ok(interaction.id)
}

/// Whether a webhook id in a path is the application's (an interaction webhook).
pub fn is_application(state: &SimState, webhook: &str) -> bool {
    parse_id(webhook) == Some(state.application_id)
}

/// POST /webhooks/{application}/{token}: a follow-up message.
pub async fn followup(state: Arc<SimState>, method: Method, token: String, request: Request) -> ApiResult {
    let path = format!("/webhooks/{}/<interaction token>", state.application_id);
    let submission = rest::read_submission(request, &state)
        .await
        .inspect_err(|_| log(&state, &method, &path, 400))?;
    let content =
        rest::validate(&submission.body, submission.files.len()).inspect_err(|_| log(&state, &method, &path, 400))?;
    let world = state.world();
    let id = by_token(&world, &token).inspect_err(|e| log(&state, &method, &path, e.status.as_u16()))?;
    let message = answer_message(&state, world, id, content, &submission, 0)
        .inspect_err(|e| log(&state, &method, &path, e.status.as_u16()))?;
    let mut world = state.world();
    world
        .interactions
        .get_mut(&id)
        .expect("answered above")
        .followups
        .push(message);
    let interaction = &world.interactions[&id];
    let json = match interaction.ephemeral.get(&message) {
        Some(ephemeral) => render(&state, &world, ephemeral),
        None => render(&state, &world, &world.messages[&interaction.channel_id][&message]),
    };
    drop(world);
    ok_logged(&state, &method, &path, Json(json).into_response())
}

/// GET, PATCH or DELETE /webhooks/{application}/{token}/messages/{@original | id}.
pub fn response_message(
    state: &SimState,
    method: &Method,
    token: &str,
    message: &str,
    body: Option<&Value>,
) -> ApiResult {
    let path = format!(
        "/webhooks/{}/<interaction token>/messages/{message}",
        state.application_id
    );
    let answer = response_message_inner(state, method, token, message, body);
    log(
        state,
        method,
        &path,
        answer
            .as_ref()
            .map_or_else(|e| e.status.as_u16(), |r| r.status().as_u16()),
    );
    answer
}

fn response_message_inner(
    state: &SimState,
    method: &Method,
    token: &str,
    message: &str,
    body: Option<&Value>,
) -> ApiResult {
    let mut world = state.world();
    let id = by_token(&world, token)?;
    let interaction = world.interactions.get_mut(&id).expect("found by token");
    let target = if message == "@original" {
        match interaction.response {
            Some(4 | 5) => interaction.original,
            // A deferred or direct update answers on the component's own message.
            Some(6 | 7) => interaction.message,
            _ => None,
        }
    } else {
        parse_id(message).filter(|m| interaction.followups.contains(m))
    }
    .ok_or_else(ApiError::unknown_message)?;
    let channel = interaction.channel_id;
    if let Some(ephemeral) = interaction.ephemeral.get_mut(&target) {
        match *method {
            Method::DELETE => {
                interaction.ephemeral.remove(&target);
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            Method::PATCH => {
                let body = body.cloned().unwrap_or(json!({}));
                if let Some(content) = body["content"].as_str() {
                    rest::validate(&json!({"content": content, "components": body["components"]}), 0)?;
                    ephemeral.content = content.to_string();
                }
                if let Some(components) = body["components"].as_array() {
                    ephemeral.components = components.clone();
                }
                ephemeral.flags &= !LOADING;
            }
            _ => {}
        }
        let json = render(state, &world, &world.interactions[&id].ephemeral[&target]);
        return Ok(Json(json).into_response());
    }
    match *method {
        Method::DELETE => {
            drop(world);
            rest::remove_message(state, &channel.to_string(), &target.to_string())?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Method::PATCH => {
            drop(world);
            let body = body.cloned().unwrap_or(json!({}));
            let bot = state.bot_user_id;
            rest::apply_edit(
                state,
                &channel.to_string(),
                &target.to_string(),
                &body,
                |m| matches!(m.author, Author::User(a) if a == bot),
            )?;
            let mut world = state.world();
            let edited = world
                .messages
                .get_mut(&channel)
                .and_then(|m| m.get_mut(&target))
                .ok_or_else(ApiError::unknown_message)?;
            edited.flags &= !LOADING;
            let json = render(state, &world, &world.messages[&channel][&target]);
            Ok(Json(json).into_response())
        }
        _ => {
            let found = world
                .messages
                .get(&channel)
                .and_then(|m| m.get(&target))
                .ok_or_else(ApiError::unknown_message)?;
            Ok(Json(render(state, &world, found)).into_response())
        }
    }
}
