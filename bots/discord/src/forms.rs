//! Commands that open a form at once (Discord's modal): a form must be the first answer to
//! the interaction, within its 3 seconds, so the adapter shows it itself, remembers what
//! the command said, and hands the core the command with the form's fields as options
//! once it is sent. What is remembered is lost with the process: a form sent after a
//! restart is answered with a word to run the command again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use magnet_chat::{CommandForm, CommandSpec};
use serde_json::{Value, json};

/// The custom id of a command's form starts with this.
pub const PREFIX: &str = "cmdform:";
/// How long an open form is remembered: Discord's interaction tokens last 15 minutes.
const KEPT: Duration = Duration::from_secs(15 * 60);

/// The forms of the registered commands, and the forms open now.
#[derive(Default)]
pub struct CommandForms {
    by_path: RwLock<HashMap<String, CommandForm>>,
    open: Mutex<HashMap<String, Opened>>,
    next: AtomicU64,
}

struct Opened {
    path: Vec<String>,
    options: Vec<(String, String)>,
    at: Instant,
}

impl CommandForms {
    /// Learns which commands open a form.
    pub fn register(&self, specs: &[CommandSpec]) {
        fn walk(spec: &CommandSpec, path: &mut Vec<String>, found: &mut HashMap<String, CommandForm>) {
            path.push(spec.name.clone());
            if let Some(form) = &spec.form {
                found.insert(path.join(" "), form.clone());
            }
            for sub in &spec.subcommands {
                walk(sub, path, found);
            }
            path.pop();
        }
        let mut found = HashMap::new();
        for spec in specs {
            walk(spec, &mut Vec::new(), &mut found);
        }
        *self.by_path.write().unwrap_or_else(|p| p.into_inner()) = found;
    }

    /// The form a command run with these options opens, remembered under a new custom id,
    /// as Discord's modal response in the language of `locale`.
    pub fn open(&self, path: &[String], options: &[(String, String)], locale: Option<&str>) -> Option<Value> {
        let form = self
            .by_path
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&path.join(" "))
            .cloned()?;
        if form.unless.as_ref().is_some_and(|unless| {
            options
                .iter()
                .any(|(name, value)| name == unless && !value.trim().is_empty())
        }) {
            return None;
        }
        let id = format!("{PREFIX}{}", self.next.fetch_add(1, Ordering::Relaxed));
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|_, opened| opened.at.elapsed() < KEPT);
        open.insert(
            id.clone(),
            Opened {
                path: path.to_vec(),
                options: options.to_vec(),
                at: Instant::now(),
            },
        );
        let (title, fields) = form.in_locale(locale);
        let rows: Vec<Value> = fields
            .iter()
            .map(|field| {
                let mut input = json!({
                    "type": 4,
                    "custom_id": field.id,
                    "label": short(&field.label, 45),
                    "style": if field.paragraph { 2 } else { 1 },
                    "required": field.required,
                    "max_length": field.max_length,
                });
                if let Some(placeholder) = &field.placeholder {
                    input["placeholder"] = json!(short(placeholder, 100));
                }
                json!({"type": 1, "components": [input]})
            })
            .collect();
        Some(json!({"type": 9, "data": {"custom_id": id, "title": short(&title, 45), "components": rows}}))
    }

    /// The command a sent form completes: its path, and its options with the fields.
    pub fn take(&self, custom_id: &str, fields: &[(String, String)]) -> Option<Completed> {
        let opened = self
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(custom_id)
            .filter(|opened| opened.at.elapsed() < KEPT)?;
        let mut options = opened.options;
        options.extend(fields.iter().cloned());
        Some(Completed {
            path: opened.path,
            options,
        })
    }
}

/// A command completed by its form.
#[derive(Debug, PartialEq, Eq)]
pub struct Completed {
    pub path: Vec<String>,
    /// The command's options, then the form's fields.
    pub options: Vec<(String, String)>,
}

fn short(text: &str, most: usize) -> String {
    text.chars().take(most).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use magnet_chat::{FormField, FormText};

    fn specs() -> Vec<CommandSpec> {
        let start = CommandSpec {
            name: "start".into(),
            description: "Start".into(),
            options: Vec::new(),
            subcommands: Vec::new(),
            localized: Default::default(),
            form: Some(CommandForm {
                unless: Some("question".into()),
                title: "New survey".into(),
                fields: vec![FormField {
                    id: "body".into(),
                    label: "Questions".into(),
                    placeholder: None,
                    paragraph: true,
                    required: true,
                    max_length: 4000,
                }],
                localized: [(
                    "tr".to_string(),
                    FormText {
                        title: "Yeni anket".into(),
                        fields: vec![("Sorular".into(), None)],
                    },
                )]
                .into(),
            }),
        };
        vec![CommandSpec {
            name: "magnet".into(),
            description: "MAGNET".into(),
            options: Vec::new(),
            subcommands: vec![CommandSpec {
                name: "survey".into(),
                description: "Surveys".into(),
                options: Vec::new(),
                subcommands: vec![start],
                localized: Default::default(),
                form: None,
            }],
            localized: Default::default(),
            form: None,
        }]
    }

    #[test]
    fn a_form_opens_in_the_clients_language_and_gives_back_the_command() {
        let forms = CommandForms::default();
        forms.register(&specs());
        let path: Vec<String> = ["magnet", "survey", "start"].map(String::from).to_vec();
        let options = vec![("pillars".to_string(), "all".to_string())];
        let modal = forms.open(&path, &options, Some("tr")).expect("a form");
        assert_eq!(modal["data"]["title"], "Yeni anket");
        assert_eq!(modal["data"]["components"][0]["components"][0]["label"], "Sorular");
        let id = modal["data"]["custom_id"].as_str().unwrap().to_string();
        let body = vec![("body".to_string(), "Q: Where?".to_string())];
        let completed = forms.take(&id, &body).expect("the command");
        assert_eq!(completed.path, path);
        assert_eq!(completed.options, [options[0].clone(), body[0].clone()]);
        assert!(forms.take(&id, &body).is_none(), "a form completes one command");
    }

    #[test]
    fn the_one_line_form_of_the_command_opens_none() {
        let forms = CommandForms::default();
        forms.register(&specs());
        let path: Vec<String> = ["magnet", "survey", "start"].map(String::from).to_vec();
        let options = vec![("question".to_string(), "Where?".to_string())];
        assert!(forms.open(&path, &options, None).is_none());
        let other: Vec<String> = ["magnet", "survey"].map(String::from).to_vec();
        assert!(forms.open(&other, &[], None).is_none());
    }
}
