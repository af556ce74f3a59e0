//! Reading a survey's questions as people type them under `!magnet survey start ...` (or in
//! the questions field of Discord's form), one line each:
//!
//! ```text
//! Q: Where shall we meet in January?
//! - Ankara
//! - Online
//! Q (up to 2): Which topics first?
//! - Borders
//! - Housing
//! - Health
//! Q (rating): How useful was the last meeting?
//! Q (text): Anything to add?
//! ```
//!
//! A question with choices under it is a single choice, `(up to N)` makes it a multiple
//! choice. The Turkish words work as well in any room (`S:`, `S (en çok 2):`, `S (puan):`,
//! `S (metin):`), and choices may start with `-`, `*` or `•`.

use super::spec::{Kind, Question};

/// A line that is neither a question nor a choice, 1-based among the lines of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyMistake {
    /// A choice before any question.
    ChoiceWithoutQuestion { line: usize },
    /// Not a question (`Q:`) or a choice (`- ...`).
    Unreadable { line: usize, text: String },
    /// `Q (...)` with words in the brackets that are not a kind.
    UnknownKind { line: usize, kind: String },
}

/// The questions, in order, as written (not yet checked: see [`super::spec::checked_questions`]).
pub fn read(body: &str) -> Result<Vec<Question>, BodyMistake> {
    let mut questions: Vec<Question> = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let number = n + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(choice) = ["-", "*", "•"].iter().find_map(|mark| line.strip_prefix(mark)) {
            let Some(question) = questions.last_mut() else {
                return Err(BodyMistake::ChoiceWithoutQuestion { line: number });
            };
            question.options.push(choice.trim().to_string());
            continue;
        }
        let Some((head, prompt)) = line.split_once(':').filter(|(head, _)| is_question_mark(head)) else {
            return Err(BodyMistake::Unreadable {
                line: number,
                text: line.to_string(),
            });
        };
        let (kind, max_choices) = match head.split_once('(') {
            None => (Kind::Choice, 1),
            Some((_, rest)) => {
                let inside = rest.trim_end().trim_end_matches(')').trim();
                read_kind(inside).ok_or_else(|| BodyMistake::UnknownKind {
                    line: number,
                    kind: inside.to_string(),
                })?
            }
        };
        questions.push(Question {
            kind,
            prompt: prompt.trim().to_string(),
            options: Vec::new(),
            max_choices,
        });
    }
    // A question written without choices or a kind is taken as one with text answers:
    // what else could be meant.
    for question in &mut questions {
        if question.kind == Kind::Choice && question.options.is_empty() {
            question.kind = Kind::Text;
        }
    }
    Ok(questions)
}

/// `Q`, `S`, `Q (rating)`, `S (en çok 2)`, in either case.
fn is_question_mark(head: &str) -> bool {
    let word = head.split('(').next().unwrap_or_default().trim().to_lowercase();
    ["q", "s", "question", "soru"].contains(&word.as_str())
}

/// The words in `Q (...)`: a kind, or a maximum of choices.
fn read_kind(inside: &str) -> Option<(Kind, usize)> {
    let words = inside.to_lowercase();
    match words.as_str() {
        "choice" | "seçim" | "secim" | "tek" => return Some((Kind::Choice, 1)),
        "rating" | "puan" | "1-5" => return Some((Kind::Rating, 1)),
        "text" | "metin" | "yazı" | "yazi" => return Some((Kind::Text, 1)),
        // As many as there are choices; the number is known once they are read.
        "multiple" | "several" | "çoklu" | "coklu" | "birden çok" | "birden cok" => {
            return Some((Kind::Multiple, usize::MAX));
        }
        _ => {}
    }
    let max = ["up to", "at most", "max", "en çok", "en cok", "en fazla"]
        .iter()
        .find_map(|lead| words.strip_prefix(lead))?;
    let max: usize = max.trim().parse().ok()?;
    Some((Kind::Multiple, max))
}

/// A multiple choice written without a number allows all its choices.
pub fn settle_maximums(questions: &mut [Question]) {
    for question in questions {
        if question.kind == Kind::Multiple && question.max_choices == usize::MAX {
            question.max_choices = question.options.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_of_every_kind_are_read_in_english_and_turkish() {
        let body = "Q: Where shall we meet in January?\n- Ankara\n-  Online\n\nQ (up to 2): Which topics first?\n* Borders\n* Housing\n• Health\nq (rating): How useful was it?\nS (metin): Eklemek istediğiniz?\nS (en çok 2): Hangi günler?\n- Pzt\n- Sal\n- Çar\nS (birden çok): Diller?\n- TR\n- EN";
        let mut questions = read(body).unwrap();
        settle_maximums(&mut questions);
        let seen: Vec<(Kind, &str, usize, usize)> = questions
            .iter()
            .map(|q| (q.kind, q.prompt.as_str(), q.options.len(), q.max_choices))
            .collect();
        assert_eq!(
            seen,
            vec![
                (Kind::Choice, "Where shall we meet in January?", 2, 1),
                (Kind::Multiple, "Which topics first?", 3, 2),
                (Kind::Rating, "How useful was it?", 0, 1),
                (Kind::Text, "Eklemek istediğiniz?", 0, 1),
                (Kind::Multiple, "Hangi günler?", 3, 2),
                (Kind::Multiple, "Diller?", 2, 2),
            ]
        );
        assert_eq!(questions[0].options, vec!["Ankara", "Online"]);
    }

    #[test]
    fn a_question_without_choices_takes_text() {
        let questions = read("Q: Anything to add?").unwrap();
        assert_eq!(questions[0].kind, Kind::Text);
    }

    #[test]
    fn lines_that_are_neither_say_which_line() {
        assert_eq!(
            read("- Ankara\nQ: Where?"),
            Err(BodyMistake::ChoiceWithoutQuestion { line: 1 })
        );
        assert_eq!(
            read("Q: Where?\n- Ankara\nOnline"),
            Err(BodyMistake::Unreadable {
                line: 3,
                text: "Online".into()
            })
        );
        assert_eq!(
            read("Q (sometimes): Where?"),
            Err(BodyMistake::UnknownKind {
                line: 1,
                kind: "sometimes".into()
            })
        );
        assert_eq!(
            read("Note: this is not a question"),
            Err(BodyMistake::Unreadable {
                line: 1,
                text: "Note: this is not a question".into()
            })
        );
    }
}
