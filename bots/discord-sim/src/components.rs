//! Message components (action rows, buttons, string selects) and modals, checked as Discord
//! checks them: the layout (at most 5 rows; a row holds up to 5 buttons or one select),
//! the lengths, and custom ids unique within a message.

use std::collections::HashSet;

use serde_json::Value;

/// A component that was rejected: the form path Discord would name, its code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

fn invalid(field: String, code: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        code,
        message: message.into(),
    }
}

fn check_length(value: &Value, field: String, min: usize, max: usize, required: bool) -> Result<(), Invalid> {
    match value {
        Value::Null if !required => Ok(()),
        Value::Null => Err(invalid(field, "BASE_TYPE_REQUIRED", "This field is required")),
        Value::String(text) => {
            let length = text.chars().count();
            if length < min || length > max {
                Err(invalid(
                    field,
                    "BASE_TYPE_BAD_LENGTH",
                    format!("Must be between {min} and {max} in length."),
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(invalid(
            field,
            "STRING_TYPE_CONVERT",
            "Could not interpret the value as string.",
        )),
    }
}

fn check_range(value: &Value, field: String, min: u64, max: u64) -> Result<Option<u64>, Invalid> {
    match value {
        Value::Null => Ok(None),
        Value::Number(number) => match number.as_u64() {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(invalid(
                field,
                "NUMBER_TYPE_MAX",
                format!("int value should be between {min} and {max}."),
            )),
        },
        _ => Err(invalid(field, "NUMBER_TYPE_COERCE", "Value is not int.")),
    }
}

/// Checks the `components` of a message body (absent or `[]` is fine).
pub fn check_message_components(components: &Value) -> Result<(), Invalid> {
    let rows = match components {
        Value::Null => return Ok(()),
        Value::Array(rows) => rows,
        _ => return Err(invalid("components".into(), "LIST_TYPE_CONVERT", "Must be an array.")),
    };
    if rows.len() > 5 {
        return Err(invalid(
            "components".into(),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 5 or fewer in length.",
        ));
    }
    let mut ids = HashSet::new();
    for (r, row) in rows.iter().enumerate() {
        let path = format!("components.{r}");
        if row["type"].as_u64() != Some(1) {
            return Err(invalid(
                format!("{path}.type"),
                "UNION_TYPE_CHOICES",
                "Value of field \"type\" must be one of (1,).",
            ));
        }
        let children = row["components"].as_array().cloned().unwrap_or_default();
        if children.is_empty() || children.len() > 5 {
            return Err(invalid(
                format!("{path}.components"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            ));
        }
        let selects = children.iter().filter(|c| c["type"].as_u64() == Some(3)).count();
        if selects > 0 && children.len() > 1 {
            return Err(invalid(
                format!("{path}.components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            ));
        }
        for (c, child) in children.iter().enumerate() {
            let path = format!("{path}.components.{c}");
            match child["type"].as_u64() {
                Some(2) => check_button(child, &path)?,
                Some(3) => check_select(child, &path)?,
                _ => {
                    return Err(invalid(
                        format!("{path}.type"),
                        "UNION_TYPE_CHOICES",
                        "Value of field \"type\" must be one of (2, 3, 5, 6, 7, 8).",
                    ));
                }
            }
            if let Some(id) = child["custom_id"].as_str()
                && !ids.insert(id.to_string())
            {
                return Err(invalid(
                    format!("{path}.custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                ));
            }
        }
    }
    Ok(())
}

fn check_button(button: &Value, path: &str) -> Result<(), Invalid> {
    let style = check_range(&button["style"], format!("{path}.style"), 1, 6)?
        .ok_or_else(|| invalid(format!("{path}.style"), "BASE_TYPE_REQUIRED", "This field is required"))?;
    match style {
        5 => {
            check_length(&button["url"], format!("{path}.url"), 1, 512, true)?;
            if !button["custom_id"].is_null() {
                return Err(invalid(
                    format!("{path}.custom_id"),
                    "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                    "A custom id cannot be specified for a link button",
                ));
            }
        }
        6 => check_length(&button["sku_id"], format!("{path}.sku_id"), 1, 20, true)?,
        _ => check_length(&button["custom_id"], format!("{path}.custom_id"), 1, 100, true)?,
    }
    check_length(&button["label"], format!("{path}.label"), 1, 80, false)?;
    if button["label"].is_null() && button["emoji"].is_null() && style != 6 {
        return Err(invalid(
            format!("{path}.label"),
            "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
            "A label or an emoji is required",
        ));
    }
    Ok(())
}

fn check_select(select: &Value, path: &str) -> Result<(), Invalid> {
    check_length(&select["custom_id"], format!("{path}.custom_id"), 1, 100, true)?;
    check_length(&select["placeholder"], format!("{path}.placeholder"), 0, 150, false)?;
    let options = select["options"].as_array().cloned().unwrap_or_default();
    if options.is_empty() || options.len() > 25 {
        return Err(invalid(
            format!("{path}.options"),
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 25 in length.",
        ));
    }
    let mut values = HashSet::new();
    for (o, option) in options.iter().enumerate() {
        let path = format!("{path}.options.{o}");
        check_length(&option["label"], format!("{path}.label"), 1, 100, true)?;
        check_length(&option["value"], format!("{path}.value"), 1, 100, true)?;
        check_length(&option["description"], format!("{path}.description"), 0, 100, false)?;
        if !values.insert(option["value"].as_str().unwrap_or_default()) {
            return Err(invalid(
                format!("{path}.value"),
                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                "Select component option values cannot be duplicated",
            ));
        }
    }
    let min = check_range(&select["min_values"], format!("{path}.min_values"), 0, 25)?.unwrap_or(1);
    let max = check_range(&select["max_values"], format!("{path}.max_values"), 1, 25)?.unwrap_or(1);
    if min > max || max as usize > options.len() {
        return Err(invalid(
            format!("{path}.max_values"),
            "SELECT_COMPONENT_MAX_VALUES_INVALID",
            "max_values must be at least min_values and at most the number of options",
        ));
    }
    Ok(())
}

/// Checks the `data` of a MODAL interaction response.
pub fn check_modal(data: &Value) -> Result<(), Invalid> {
    check_length(&data["custom_id"], "data.custom_id".into(), 1, 100, true)?;
    check_length(&data["title"], "data.title".into(), 1, 45, true)?;
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    if rows.is_empty() || rows.len() > 5 {
        return Err(invalid(
            "data.components".into(),
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 5 in length.",
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        let path = format!("data.components.{r}");
        let children = row["components"].as_array().cloned().unwrap_or_default();
        if row["type"].as_u64() != Some(1) || children.len() != 1 || children[0]["type"].as_u64() != Some(4) {
            return Err(invalid(
                path,
                "MODAL_ROW_INVALID",
                "A modal row holds exactly one text input",
            ));
        }
        let input = &children[0];
        let path = format!("{path}.components.0");
        check_length(&input["custom_id"], format!("{path}.custom_id"), 1, 100, true)?;
        check_length(&input["label"], format!("{path}.label"), 1, 45, true)?;
        check_range(&input["style"], format!("{path}.style"), 1, 2)?
            .ok_or_else(|| invalid(format!("{path}.style"), "BASE_TYPE_REQUIRED", "This field is required"))?;
        check_range(&input["min_length"], format!("{path}.min_length"), 0, 4000)?;
        check_range(&input["max_length"], format!("{path}.max_length"), 1, 4000)?;
        check_length(&input["value"], format!("{path}.value"), 0, 4000, false)?;
        check_length(&input["placeholder"], format!("{path}.placeholder"), 0, 100, false)?;
    }
    Ok(())
}

/// Finds a component by custom id in a message's rows.
pub fn find<'c>(components: &'c [Value], custom_id: &str) -> Option<&'c Value> {
    components
        .iter()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .find(|c| c["custom_id"].as_str() == Some(custom_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn button(id: &str) -> Value {
        json!({"type": 2, "style": 1, "label": "Yes", "custom_id": id})
    }

    #[test]
    fn rows_of_buttons_and_one_select_per_row_pass() {
        let select = json!({"type": 3, "custom_id": "pick", "options": [{"label": "A", "value": "a"},
            {"label": "B", "value": "b"}], "max_values": 2});
        let components = json!([{"type": 1, "components": [button("a"), button("b")]},
            {"type": 1, "components": [select]}]);
        assert_eq!(check_message_components(&components), Ok(()));
    }

    #[test]
    fn layouts_discord_refuses_are_refused() {
        let six = json!([{"type": 1, "components": [button("1"), button("2"), button("3"), button("4"),
            button("5"), button("6")]}]);
        assert_eq!(
            check_message_components(&six).unwrap_err().field,
            "components.0.components"
        );
        let doubled = json!([{"type": 1, "components": [button("x")]}, {"type": 1, "components": [button("x")]}]);
        assert_eq!(
            check_message_components(&doubled).unwrap_err().code,
            "COMPONENT_CUSTOM_ID_DUPLICATED"
        );
        let bare = json!([button("x")]);
        assert_eq!(check_message_components(&bare).unwrap_err().field, "components.0.type");
        let long = json!([{"type": 1, "components": [button(&"x".repeat(101))]}]);
        assert_eq!(
            check_message_components(&long).unwrap_err().field,
            "components.0.components.0.custom_id"
        );
        let select_and_button = json!([{"type": 1, "components": [button("a"),
            {"type": 3, "custom_id": "s", "options": [{"label": "A", "value": "a"}]}]}]);
        assert!(check_message_components(&select_and_button).is_err());
        let too_many_values = json!([{"type": 1, "components": [
            {"type": 3, "custom_id": "s", "options": [{"label": "A", "value": "a"}], "max_values": 2}]}]);
        assert!(check_message_components(&too_many_values).is_err());
    }

    #[test]
    fn modals_need_a_title_and_one_text_input_per_row() {
        let good = json!({"custom_id": "m", "title": "Your answer", "components": [{"type": 1, "components": [
            {"type": 4, "custom_id": "answer", "label": "Answer", "style": 2}]}]});
        assert_eq!(check_modal(&good), Ok(()));
        let mut long_title = good.clone();
        long_title["title"] = json!("t".repeat(46));
        assert_eq!(check_modal(&long_title).unwrap_err().field, "data.title");
        let mut no_inputs = good;
        no_inputs["components"] = json!([]);
        assert!(check_modal(&no_inputs).is_err());
    }
}
