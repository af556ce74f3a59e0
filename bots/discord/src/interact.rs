//! Slash commands, buttons, menus and forms: the port's interactive parts in Discord's terms.
//!
//! Discord gives a bot 3 seconds to acknowledge an interaction, and the core may take
//! longer, so the adapter acknowledges at once (a deferred answer) and hands the core the
//! interaction with a handle; the core's [`OutboundAction::Respond`] fills the deferred
//! answer in or follows it up, for up to 15 minutes. A button that asks for text is
//! answered with a form (a modal) straight away; the form's submission is what reaches the
//! core.
//!
//! [`OutboundAction::Respond`]: magnet_chat::OutboundAction::Respond

use magnet_chat::{
    Button, ButtonStyle, ChatError, CommandSpec, Control, Delivered, EventKind, MessageBody, Phrasebook, Sender,
};
use reqwest::Method;
use serde_json::{Value, json};
use serenity::all::{
    ActionRowComponent, ButtonKind, CommandDataOption, CommandDataOptionValue, CommandInteraction,
    ComponentInteraction, ComponentInteractionDataKind, Interaction, Member, ModalInteraction, User,
};

use crate::forms::{self, CommandForms};
use crate::rest::{Rest, error_code};

/// Custom ids of buttons that ask for text start with this; the rest is the control's id.
const FORM_PREFIX: &str = "form:";
/// The field of the form such a button opens.
const ANSWER_FIELD: &str = "answer";
/// Discord's codes for an interaction that expired, and one acknowledged before.
const UNKNOWN_INTERACTION: u64 = 10062;
const ALREADY_ACKNOWLEDGED: u64 = 40060;
const UNKNOWN_MESSAGE: u64 = 10008;
/// Message flag: seen by the person who acted only.
const EPHEMERAL: u64 = 64;

/// What an interaction means for the core.
pub struct Understood {
    pub channel: u64,
    pub event_id: String,
    pub sender: Sender,
    pub kind: EventKind,
}

/// How the adapter answered Discord's 3-second deadline, and what the core gets.
pub enum Acknowledged {
    /// Acknowledged (or acknowledged before: a replay); the core gets this event.
    Event(Box<Understood>),
    /// Answered in full here (a form was opened); nothing for the core.
    Handled,
    /// Too late: Discord showed the person a failure and they can try again; running the
    /// command now could do it twice.
    Expired,
}

/// The handle the core answers through: which kind of answer is pending, and the token.
fn handle(kind: &str, token: &str) -> String {
    format!("{kind}:{token}")
}

/// Who acted, with the language their Discord client is set to (`locale`, sent with every
/// interaction).
fn sender(member: Option<&Member>, user: &User, locale: &str) -> Sender {
    let id = user.id.get().to_string();
    let display_name = crate::convert::display_name(
        member.and_then(|m| m.nick.as_deref()),
        user.global_name.as_deref(),
        Some(&user.name),
        &id,
    );
    Sender {
        id,
        display_name,
        avatar_url: user.avatar_url(),
        locale: (!locale.is_empty()).then(|| locale.to_string()),
    }
}

/// Acknowledges an interaction within Discord's deadline and says what it means.
pub async fn acknowledge(
    rest: &Rest,
    interaction: &Interaction,
    phrases: &Phrasebook,
    forms: &CommandForms,
) -> Result<Acknowledged, ChatError> {
    // Deferred privately: most answers to commands (help, status, a mistake) are for the
    // person who asked; news for everyone goes out as ordinary messages.
    let deferred = json!({"type": 5, "data": {"flags": EPHEMERAL}});
    let (id, token, response, understood) = match interaction {
        Interaction::Command(command) => {
            let understood = command_event(command);
            let form = match &understood.kind {
                EventKind::Command { path, options, .. } => forms.open(path, options, Some(&command.locale)),
                _ => None,
            };
            match form {
                // The form first; the command reaches the core when it is sent.
                Some(form) => (command.id.get(), &command.token, form, None),
                None => (command.id.get(), &command.token, deferred, Some(understood)),
            }
        }
        Interaction::Modal(modal) if modal.data.custom_id.starts_with(forms::PREFIX) => {
            let mut understood = form_event(modal);
            let EventKind::FormSubmitted { fields, .. } = &understood.kind else {
                unreachable!("a form's event")
            };
            match forms.take(&modal.data.custom_id, fields) {
                Some(completed) => {
                    understood.kind = EventKind::Command {
                        path: completed.path,
                        options: completed.options,
                        interaction: handle("command", &modal.token),
                    };
                    (modal.id.get(), &modal.token, deferred, Some(understood))
                }
                None => {
                    let expired = json!({"type": 4, "data": {
                        "content": phrases.for_locale(Some(&modal.locale)).form_expired,
                        "flags": EPHEMERAL,
                        "allowed_mentions": {"parse": []},
                    }});
                    (modal.id.get(), &modal.token, expired, None)
                }
            }
        }
        Interaction::Component(component) => match component.data.custom_id.strip_prefix(FORM_PREFIX) {
            Some(form) => {
                let field = &phrases.for_locale(Some(&component.locale)).answer_field;
                let title = button_label(component).unwrap_or_else(|| field.clone());
                (
                    component.id.get(),
                    &component.token,
                    form_response(form, &title, field),
                    None,
                )
            }
            None => (
                component.id.get(),
                &component.token,
                json!({"type": 6}),
                Some(component_event(component)),
            ),
        },
        Interaction::Modal(modal) => (
            modal.id.get(),
            &modal.token,
            json!({"type": 6}),
            Some(form_event(modal)),
        ),
        _ => return Ok(Acknowledged::Handled),
    };
    let path = format!("/interactions/{id}/{token}/callback");
    match rest.json(Method::POST, &path, "interaction", Some(&response)).await {
        Ok(_) => {}
        Err(error) if error_code(&error) == Some(ALREADY_ACKNOWLEDGED) => {}
        Err(error) if error_code(&error) == Some(UNKNOWN_INTERACTION) => return Ok(Acknowledged::Expired),
        Err(error) => return Err(error),
    }
    Ok(understood.map_or(Acknowledged::Handled, |u| Acknowledged::Event(Box::new(u))))
}

fn command_event(command: &CommandInteraction) -> Understood {
    let mut path = vec![command.data.name.clone()];
    let mut options = Vec::new();
    flatten(&command.data.options, &mut path, &mut options);
    Understood {
        channel: command.channel_id.get(),
        event_id: command.id.get().to_string(),
        sender: sender(command.member.as_deref(), &command.user, &command.locale),
        kind: EventKind::Command {
            path,
            options,
            interaction: handle("command", &command.token),
        },
    }
}

/// Sub-commands go into the path, values into the options.
fn flatten(given: &[CommandDataOption], path: &mut Vec<String>, options: &mut Vec<(String, String)>) {
    for option in given {
        match &option.value {
            CommandDataOptionValue::SubCommand(inner) | CommandDataOptionValue::SubCommandGroup(inner) => {
                path.push(option.name.clone());
                flatten(inner, path, options);
            }
            value => {
                let text = match value {
                    CommandDataOptionValue::String(text) => text.clone(),
                    CommandDataOptionValue::Integer(n) => n.to_string(),
                    CommandDataOptionValue::Number(n) => n.to_string(),
                    CommandDataOptionValue::Boolean(b) => b.to_string(),
                    CommandDataOptionValue::User(id) => id.to_string(),
                    CommandDataOptionValue::Role(id) => id.to_string(),
                    CommandDataOptionValue::Channel(id) => id.to_string(),
                    CommandDataOptionValue::Mentionable(id) => id.to_string(),
                    CommandDataOptionValue::Attachment(id) => id.to_string(),
                    _ => String::new(),
                };
                options.push((option.name.clone(), text));
            }
        }
    }
}

fn component_event(component: &ComponentInteraction) -> Understood {
    let values = match &component.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => values.clone(),
        _ => Vec::new(),
    };
    Understood {
        channel: component.channel_id.get(),
        event_id: component.id.get().to_string(),
        sender: sender(component.member.as_ref(), &component.user, &component.locale),
        kind: EventKind::ControlUsed {
            message: component.message.id.get().to_string(),
            control: component.data.custom_id.clone(),
            values,
            interaction: handle("component", &component.token),
        },
    }
}

fn form_event(modal: &ModalInteraction) -> Understood {
    let fields = modal
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|component| match component {
            ActionRowComponent::InputText(input) => {
                Some((input.custom_id.clone(), input.value.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    Understood {
        channel: modal.channel_id.get(),
        event_id: modal.id.get().to_string(),
        sender: sender(modal.member.as_ref(), &modal.user, &modal.locale),
        kind: EventKind::FormSubmitted {
            message: modal.message.as_ref().map(|m| m.id.get().to_string()),
            form: modal.data.custom_id.clone(),
            fields,
            interaction: handle("component", &modal.token),
        },
    }
}

/// The label of the button that was clicked, to title the form it opens.
fn button_label(component: &ComponentInteraction) -> Option<String> {
    component
        .message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            ActionRowComponent::Button(button) => match &button.data {
                ButtonKind::NonLink { custom_id, .. } if *custom_id == component.data.custom_id => button.label.clone(),
                _ => None,
            },
            _ => None,
        })
}

fn form_response(form: &str, title: &str, field: &str) -> Value {
    let title: String = title.chars().take(45).collect();
    json!({"type": 9, "data": {
        "custom_id": form,
        "title": title,
        "components": [{"type": 1, "components": [{
            "type": 4, "custom_id": ANSWER_FIELD, "label": field, "style": 2,
            "required": true, "max_length": 1000,
        }]}],
    }})
}

/// The channel an interaction happened in.
pub fn channel_of(interaction: &Interaction) -> Option<u64> {
    match interaction {
        Interaction::Command(c) => Some(c.channel_id.get()),
        Interaction::Component(c) => Some(c.channel_id.get()),
        Interaction::Modal(m) => Some(m.channel_id.get()),
        _ => None,
    }
}

/// Answers an interaction in a channel the bot does not bridge.
pub async fn decline(rest: &Rest, interaction: &Interaction, phrases: &Phrasebook) -> Result<(), ChatError> {
    let (id, token, locale) = match interaction {
        Interaction::Command(c) => (c.id.get(), &c.token, &c.locale),
        Interaction::Component(c) => (c.id.get(), &c.token, &c.locale),
        Interaction::Modal(m) => (m.id.get(), &m.token, &m.locale),
        _ => return Ok(()),
    };
    let answer = json!({"type": 4, "data": {
        "content": phrases.for_locale(Some(locale)).not_bridged,
        "flags": EPHEMERAL,
        "allowed_mentions": {"parse": []},
    }});
    rest.json(
        Method::POST,
        &format!("/interactions/{id}/{token}/callback"),
        "interaction",
        Some(&answer),
    )
    .await
    .map(|_| ())
}

/// Answers an interaction the core was handed.
pub async fn respond(
    rest: &Rest,
    application: u64,
    interaction: &str,
    body: &MessageBody,
    private: bool,
) -> Result<Delivered, ChatError> {
    let (kind, token) = interaction
        .split_once(':')
        .ok_or_else(|| ChatError::Permanent(format!("`{interaction}` is not a Discord interaction handle")))?;
    let hook = format!("/webhooks/{application}/{token}");
    let bucket = format!("interaction:{}", crate::send::nonce(token));
    let payload = json!({"content": body.text, "allowed_mentions": {"parse": []}});
    let answered = match (kind, private) {
        // The deferred answer to a command is private; fill it in (an edit: safe to repeat).
        ("command", true) => {
            rest.json(
                Method::PATCH,
                &format!("{hook}/messages/@original"),
                &bucket,
                Some(&payload),
            )
            .await?
        }
        // A public answer cannot be made of a private one: send it apart, drop the placeholder.
        ("command", false) => {
            let sent = rest.json(Method::POST, &hook, &bucket, Some(&payload)).await?;
            match rest
                .json(Method::DELETE, &format!("{hook}/messages/@original"), &bucket, None)
                .await
            {
                Ok(_) => {}
                // Gone already: an earlier attempt got this far.
                Err(error) if error_code(&error) == Some(UNKNOWN_MESSAGE) => {}
                Err(error) => return Err(error),
            }
            sent
        }
        ("component", _) => {
            let mut payload = payload.clone();
            if private {
                payload["flags"] = json!(EPHEMERAL);
            }
            rest.json(Method::POST, &hook, &bucket, Some(&payload)).await?
        }
        _ => {
            return Err(ChatError::Permanent(format!(
                "`{kind}` is not a kind of Discord interaction"
            )));
        }
    };
    let id = answered["id"]
        .as_str()
        .ok_or_else(|| ChatError::Transient("Discord answered without a message id".into()))?;
    Ok(Delivered {
        remote_id: id.to_string(),
    })
}

/// The `components` of a message: buttons in rows of five, a menu on a row of its own.
pub fn components(controls: &[Control]) -> Result<Value, ChatError> {
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut buttons_row = false;
    for control in controls {
        let id = match control {
            Control::Button(Button { id, .. }) | Control::Menu(magnet_chat::Menu { id, .. }) => id,
        };
        if id.is_empty() || id.len() > 100 - FORM_PREFIX.len() || id.starts_with(FORM_PREFIX) {
            return Err(ChatError::Permanent(format!(
                "control id `{id}` must be 1 to 95 bytes and not start with `{FORM_PREFIX}`"
            )));
        }
        match control {
            Control::Button(button) => {
                let style = match button.style {
                    ButtonStyle::Primary => 1,
                    ButtonStyle::Secondary => 2,
                    ButtonStyle::Success => 3,
                    ButtonStyle::Danger => 4,
                };
                let custom_id = if button.asks_text {
                    format!("{FORM_PREFIX}{}", button.id)
                } else {
                    button.id.clone()
                };
                let label: String = button.label.chars().take(80).collect();
                let json = json!({"type": 2, "style": style, "label": label, "custom_id": custom_id});
                match rows.last_mut() {
                    Some(row) if buttons_row && row.len() < 5 => row.push(json),
                    _ => rows.push(vec![json]),
                }
                buttons_row = true;
            }
            Control::Menu(menu) => {
                if menu.options.is_empty() || menu.options.len() > 25 {
                    return Err(ChatError::Permanent(format!(
                        "menu `{}` needs 1 to 25 options on Discord",
                        menu.id
                    )));
                }
                let options: Vec<Value> = menu
                    .options
                    .iter()
                    .map(|o| json!({"label": o.label.chars().take(100).collect::<String>(), "value": o.value}))
                    .collect();
                let max = menu.max.clamp(1, menu.options.len() as u8);
                rows.push(vec![json!({
                    "type": 3,
                    "custom_id": menu.id,
                    "placeholder": menu.placeholder.chars().take(150).collect::<String>(),
                    "options": options,
                    "min_values": menu.min.min(max),
                    "max_values": max,
                })]);
                buttons_row = false;
            }
        }
    }
    if rows.len() > 5 {
        return Err(ChatError::Permanent(
            "Discord shows at most 5 rows of controls (25 buttons, or fewer with menus)".into(),
        ));
    }
    Ok(Value::Array(
        rows.into_iter()
            .map(|components| json!({"type": 1, "components": components}))
            .collect(),
    ))
}

/// The application commands for Discord: sub-commands become options of type 1 (or 2 when
/// they have their own), text options type 3, required ones first as Discord demands.
pub fn commands_json(specs: &[CommandSpec]) -> Value {
    Value::Array(specs.iter().map(|spec| command_json(spec, 0)).collect())
}

/// Discord's length limit for descriptions and choice names.
fn short(text: &str) -> String {
    text.chars().take(100).collect()
}

/// `name_localizations` and `description_localizations`, as Discord takes them.
fn localizations(localized: &std::collections::BTreeMap<String, magnet_chat::Localized>) -> (Value, Value) {
    let names: serde_json::Map<String, Value> = localized
        .iter()
        .map(|(locale, l)| (locale.clone(), json!(l.name)))
        .collect();
    let descriptions: serde_json::Map<String, Value> = localized
        .iter()
        .map(|(locale, l)| (locale.clone(), json!(short(&l.description))))
        .collect();
    (Value::Object(names), Value::Object(descriptions))
}

fn command_json(spec: &CommandSpec, depth: usize) -> Value {
    let options: Vec<Value> = if spec.subcommands.is_empty() {
        let mut options: Vec<_> = spec.options.iter().collect();
        options.sort_by_key(|o| !o.required);
        options
            .into_iter()
            .map(|o| {
                let choices: Vec<Value> = o
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(n, c)| {
                        let names: serde_json::Map<String, Value> = o
                            .localized_choices
                            .iter()
                            .filter_map(|(locale, names)| Some((locale.clone(), json!(short(names.get(n)?)))))
                            .collect();
                        json!({"name": c, "value": c, "name_localizations": names})
                    })
                    .collect();
                let (names, descriptions) = localizations(&o.localized);
                json!({"type": 3, "name": o.name, "description": short(&o.description),
                    "name_localizations": names, "description_localizations": descriptions,
                    "required": o.required, "choices": choices})
            })
            .collect()
    } else {
        spec.subcommands
            .iter()
            .map(|sub| command_json(sub, depth + 1))
            .collect()
    };
    let (names, descriptions) = localizations(&spec.localized);
    let mut json = json!({"name": spec.name, "description": short(&spec.description), "options": options,
        "name_localizations": names, "description_localizations": descriptions});
    if depth == 0 {
        json["type"] = json!(1);
    } else {
        json["type"] = json!(if spec.subcommands.is_empty() { 1 } else { 2 });
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use magnet_chat::{CommandOption, Menu, MenuOption};

    fn button(id: &str) -> Control {
        Control::Button(Button {
            id: id.into(),
            label: id.into(),
            style: ButtonStyle::Primary,
            asks_text: false,
        })
    }

    #[test]
    fn buttons_fill_rows_of_five_and_menus_take_a_row() {
        let mut controls: Vec<Control> = (0..7).map(|n| button(&n.to_string())).collect();
        controls.push(Control::Menu(Menu {
            id: "topics".into(),
            placeholder: "Pick".into(),
            options: vec![MenuOption {
                value: "a".into(),
                label: "A".into(),
            }],
            min: 1,
            max: 3,
        }));
        controls.push(button("last"));
        let rows = components(&controls).unwrap();
        let sizes: Vec<usize> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["components"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, [5, 2, 1, 1]);
        assert_eq!(
            rows[2]["components"][0]["max_values"], 1,
            "no more than there are options"
        );
        let too_many: Vec<Control> = (0..26).map(|n| button(&n.to_string())).collect();
        assert!(components(&too_many).is_err());
        assert!(components(&[button("form:x")]).is_err(), "the form prefix is reserved");
    }

    #[test]
    fn commands_nest_sub_commands_and_put_required_options_first() {
        let spec = CommandSpec {
            name: "magnet".into(),
            description: "MAGNET".into(),
            options: vec![],
            localized: Default::default(),
            form: None,
            subcommands: vec![CommandSpec {
                name: "meeting".into(),
                description: "Meetings".into(),
                options: vec![],
                localized: Default::default(),
                form: None,
                subcommands: vec![CommandSpec {
                    name: "add".into(),
                    description: "Add one".into(),
                    localized: Default::default(),
                    form: None,
                    subcommands: vec![],
                    options: vec![
                        CommandOption {
                            name: "zone".into(),
                            description: "Time zone".into(),
                            required: false,
                            choices: vec![],
                            localized: Default::default(),
                            localized_choices: Default::default(),
                        },
                        CommandOption {
                            name: "title".into(),
                            description: "Title".into(),
                            required: true,
                            choices: vec![],
                            localized: Default::default(),
                            localized_choices: Default::default(),
                        },
                    ],
                }],
            }],
        };
        let json = commands_json(&[spec]);
        let group = &json[0]["options"][0];
        assert_eq!(
            (group["name"].as_str(), group["type"].as_u64()),
            (Some("meeting"), Some(2))
        );
        let add = &group["options"][0];
        assert_eq!(add["type"], 1);
        assert_eq!(add["options"][0]["name"], "title");
    }
}
