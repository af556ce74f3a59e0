//! A summary as typed: free text, with `Decision:` lines and `Action: <what> @owner due
//! YYYY-MM-DD` lines read as such (Turkish `Karar:` and `Eylem: <ne> @sorumlu son
//! YYYY-AA-GG` too). A mistake names the line it is on.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest summary text, decision or action kept.
pub const MAX_TEXT: usize = 4000;
pub const MAX_ITEM: usize = 500;
/// At most this many decisions and this many actions in one summary.
pub const MAX_ITEMS: usize = 50;

/// A summary read from its body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub text: String,
    pub decisions: Vec<String>,
    pub actions: Vec<Action>,
}

/// An action item as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub what: String,
    pub owner: Owner,
    pub due: NaiveDate,
    /// The line of the body it was on (1 up), to name in a mistake.
    #[serde(skip)]
    pub line: usize,
    /// The owner's name as their platform shows it, where it was looked up.
    #[serde(skip)]
    pub owner_shown: Option<String>,
}

impl Action {
    /// How the owner is shown: the name looked up, or as written.
    pub fn owner_name(&self) -> &str {
        self.owner_shown.as_deref().unwrap_or(self.owner.name())
    }
}

/// Who owns an action: an account where the text names one, or just a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Owner {
    /// A Matrix user id (`@deniz:example.org`).
    Matrix(String),
    /// A Discord user, as a mention (`<@123>`) gives it.
    Discord(String),
    /// A name (`@Deniz`): shown, but nobody to ping.
    Named(String),
}

impl Owner {
    /// How the owner is written in lists.
    pub fn name(&self) -> &str {
        match self {
            Owner::Matrix(id) | Owner::Discord(id) | Owner::Named(id) => id,
        }
    }
}

/// What is wrong with a body, and on which line (1 up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mistake {
    Empty,
    TextTooLong { chars: usize },
    ItemTooLong { line: usize, chars: usize },
    TooMany { what: &'static str },
    EmptyDecision { line: usize },
    NoOwner { line: usize },
    NoDue { line: usize },
    BadDate { line: usize, typed: String },
    NothingToDo { line: usize },
}

const DECISION: &[&str] = &["decision:", "karar:"];
const ACTION: &[&str] = &["action:", "eylem:"];
const DUE: &[&str] = &["due", "son", "bitiş", "bitis"];

/// Reads a summary's body. Lines that are neither a decision nor an action are its text.
pub fn read(body: &str) -> Result<Summary, Mistake> {
    let mut summary = Summary::default();
    let mut text = Vec::new();
    for (index, line) in body.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if let Some(rest) = after_label(trimmed, DECISION) {
            let decision = rest.trim();
            if decision.is_empty() {
                return Err(Mistake::EmptyDecision { line: number });
            }
            check_item(decision, number)?;
            summary.decisions.push(decision.to_string());
        } else if let Some(rest) = after_label(trimmed, ACTION) {
            summary.actions.push(action(rest.trim(), number)?);
        } else {
            text.push(line.trim_end());
        }
    }
    summary.text = text.join("\n").trim().to_string();
    if summary.text.is_empty() && summary.decisions.is_empty() && summary.actions.is_empty() {
        return Err(Mistake::Empty);
    }
    let chars = summary.text.chars().count();
    if chars > MAX_TEXT {
        return Err(Mistake::TextTooLong { chars });
    }
    if summary.decisions.len() > MAX_ITEMS {
        return Err(Mistake::TooMany { what: "decisions" });
    }
    if summary.actions.len() > MAX_ITEMS {
        return Err(Mistake::TooMany { what: "actions" });
    }
    Ok(summary)
}

/// The body of a summary given in separate fields (a Discord form): the text, one
/// decision per line, one action per line; the labels may be left out there.
pub fn from_fields(text: &str, decisions: &str, actions: &str) -> String {
    let mut body = text.trim_end().to_string();
    let labelled = |line: &str, labels: &[&str], label: &str| {
        let line = line.trim();
        if after_label(line, labels).is_some() {
            line.to_string()
        } else {
            format!("{label} {line}")
        }
    };
    for line in decisions.lines().filter(|l| !l.trim().is_empty()) {
        body.push('\n');
        body.push_str(&labelled(line, DECISION, "Decision:"));
    }
    for line in actions.lines().filter(|l| !l.trim().is_empty()) {
        body.push('\n');
        body.push_str(&labelled(line, ACTION, "Action:"));
    }
    body
}

fn after_label<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    labels.iter().find_map(|label| {
        let head = line.get(..label.len())?;
        head.eq_ignore_ascii_case(label).then(|| &line[label.len()..])
    })
}

fn check_item(item: &str, line: usize) -> Result<(), Mistake> {
    let chars = item.chars().count();
    if chars > MAX_ITEM {
        return Err(Mistake::ItemTooLong { line, chars });
    }
    Ok(())
}

/// `<what> @owner due YYYY-MM-DD`: the owner is the first word that names someone.
fn action(rest: &str, line: usize) -> Result<Action, Mistake> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let Some(at) = words.iter().position(|w| w.starts_with('@') || w.starts_with("<@")) else {
        return Err(Mistake::NoOwner { line });
    };
    let owner = owner(words[at]).ok_or(Mistake::NoOwner { line })?;
    let what = words[..at].join(" ");
    if what.is_empty() {
        return Err(Mistake::NothingToDo { line });
    }
    check_item(&what, line)?;
    let after = &words[at + 1..];
    let date = match after {
        [due, date, ..] if DUE.iter().any(|d| due.eq_ignore_ascii_case(d)) => date,
        [date] => date,
        _ => return Err(Mistake::NoDue { line }),
    };
    let due = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| Mistake::BadDate {
        line,
        typed: date.to_string(),
    })?;
    Ok(Action {
        what,
        owner,
        due,
        line,
        owner_shown: None,
    })
}

fn owner(word: &str) -> Option<Owner> {
    if let Some(id) = word.strip_prefix("<@").and_then(|w| w.strip_suffix('>')) {
        let id = id.trim_start_matches('!');
        return (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| Owner::Discord(id.to_string()));
    }
    let word = word.trim_end_matches([',', '.', ';']);
    if word.len() < 2 {
        return None;
    }
    if crate::config::is_matrix_user_id(word) {
        return Some(Owner::Matrix(word.to_string()));
    }
    Some(Owner::Named(word[1..].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn text_decisions_and_actions_are_read_apart() {
        let summary = read(
            "We looked at the venues.\nDecision: Meet in Ankara.\n\naction: Book the room @deniz:example.org due 2026-12-20\nKarar: Raporu yayınla.\nEylem: Taslak yaz <@42> son 2027-01-05\nEylem: Ara @Selin 2027-01-06\nMore text.",
        )
        .unwrap();
        assert_eq!(summary.text, "We looked at the venues.\n\nMore text.");
        assert_eq!(summary.decisions, vec!["Meet in Ankara.", "Raporu yayınla."]);
        assert_eq!(
            summary.actions,
            vec![
                Action {
                    what: "Book the room".into(),
                    owner: Owner::Matrix("@deniz:example.org".into()),
                    due: date("2026-12-20"),
                    line: 4,
                    owner_shown: None,
                },
                Action {
                    what: "Taslak yaz".into(),
                    owner: Owner::Discord("42".into()),
                    due: date("2027-01-05"),
                    line: 6,
                    owner_shown: None,
                },
                Action {
                    what: "Ara".into(),
                    owner: Owner::Named("Selin".into()),
                    due: date("2027-01-06"),
                    line: 7,
                    owner_shown: None,
                },
            ]
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        assert_eq!(read("  \n "), Err(Mistake::Empty));
        assert_eq!(
            read("x\nAction: Book the room due 2026-12-20"),
            Err(Mistake::NoOwner { line: 2 })
        );
        assert_eq!(read("Action: Book the room @deniz"), Err(Mistake::NoDue { line: 1 }));
        assert_eq!(
            read("Action: Book @deniz due 2026-02-30"),
            Err(Mistake::BadDate {
                line: 1,
                typed: "2026-02-30".into()
            })
        );
        assert_eq!(
            read("Action: @deniz due 2026-02-03"),
            Err(Mistake::NothingToDo { line: 1 })
        );
        assert_eq!(read("Decision:   "), Err(Mistake::EmptyDecision { line: 1 }));
        assert!(matches!(
            read(&"x".repeat(MAX_TEXT + 1)),
            Err(Mistake::TextTooLong { .. })
        ));
    }

    #[test]
    fn form_fields_become_one_body() {
        let body = from_fields(
            "Text.",
            "Meet in Ankara\nDecision: Publish",
            "Book @deniz due 2026-12-20",
        );
        let summary = read(&body).unwrap();
        assert_eq!(summary.text, "Text.");
        assert_eq!(summary.decisions, vec!["Meet in Ankara", "Publish"]);
        assert_eq!(summary.actions.len(), 1);
    }
}
