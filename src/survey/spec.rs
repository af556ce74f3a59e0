//! What a survey is as the secretariat sets it up (its questions, their kinds and choices),
//! and what one answer to a question is. Everything is checked here, before anything is
//! stored, so that a survey that could not be posted or answered on either platform is
//! refused where it was typed, with the reason.

use serde::{Deserialize, Serialize};

/// A survey has one question or a few.
pub const MAX_QUESTIONS: usize = 5;
/// Choices of a choice question: at least two, at most ten.
pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 10;
/// A question's text: Discord's limit for a poll's question.
pub const MAX_PROMPT: usize = 300;
/// A choice's text: Discord's limit for a poll answer (and a menu option's label is 100).
pub const MAX_OPTION: usize = 55;
/// A free-text answer.
pub const MAX_TEXT_ANSWER: usize = 500;
/// The scale of a rating question: 1 to this.
pub const RATING_MAX: u8 = 5;

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One of the choices.
    Choice,
    /// Up to `max_choices` of the choices.
    Multiple,
    /// 1 to [`RATING_MAX`].
    Rating,
    /// A short text of one's own.
    Text,
}

impl Kind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Choice => "choice",
            Kind::Multiple => "multiple",
            Kind::Rating => "rating",
            Kind::Text => "text",
        }
    }

    pub fn from_stored(text: &str) -> Option<Kind> {
        [Kind::Choice, Kind::Multiple, Kind::Rating, Kind::Text]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    pub fn has_options(self) -> bool {
        matches!(self, Kind::Choice | Kind::Multiple)
    }
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub kind: Kind,
    pub prompt: String,
    /// The choices (none for ratings and texts).
    #[serde(default)]
    pub options: Vec<String>,
    /// How many choices one person may pick: 1 but for [`Kind::Multiple`].
    #[serde(default = "one")]
    pub max_choices: usize,
}

fn one() -> usize {
    1
}

/// What is wrong with a survey's questions. `question` is 1-based, as people count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecMistake {
    NoQuestion,
    TooManyQuestions {
        count: usize,
    },
    EmptyPrompt {
        question: usize,
    },
    PromptTooLong {
        question: usize,
    },
    TooFewOptions {
        question: usize,
        count: usize,
    },
    TooManyOptions {
        question: usize,
        count: usize,
    },
    EmptyOption {
        question: usize,
    },
    OptionTooLong {
        question: usize,
        option: String,
    },
    SameOptionTwice {
        question: usize,
        option: String,
    },
    MaxOutOfRange {
        question: usize,
        max: usize,
        options: usize,
    },
    OptionsNotTaken {
        question: usize,
        kind: Kind,
    },
}

impl Question {
    /// A question as typed, checked; `number` is its place in the survey (1-based), for
    /// the mistakes. A multiple-choice question whose maximum is 1 is a choice question.
    pub fn checked(mut self, number: usize) -> Result<Question, SpecMistake> {
        self.prompt = self.prompt.trim().to_string();
        self.options = self.options.iter().map(|o| o.trim().to_string()).collect();
        if self.prompt.is_empty() {
            return Err(SpecMistake::EmptyPrompt { question: number });
        }
        if self.prompt.chars().count() > MAX_PROMPT {
            return Err(SpecMistake::PromptTooLong { question: number });
        }
        if !self.kind.has_options() {
            if !self.options.is_empty() {
                return Err(SpecMistake::OptionsNotTaken {
                    question: number,
                    kind: self.kind,
                });
            }
            self.max_choices = 1;
            return Ok(self);
        }
        let count = self.options.len();
        if count < MIN_OPTIONS {
            return Err(SpecMistake::TooFewOptions {
                question: number,
                count,
            });
        }
        if count > MAX_OPTIONS {
            return Err(SpecMistake::TooManyOptions {
                question: number,
                count,
            });
        }
        for (n, option) in self.options.iter().enumerate() {
            if option.is_empty() {
                return Err(SpecMistake::EmptyOption { question: number });
            }
            if option.chars().count() > MAX_OPTION {
                return Err(SpecMistake::OptionTooLong {
                    question: number,
                    option: option.clone(),
                });
            }
            if self.options[..n].iter().any(|earlier| same_words(earlier, option)) {
                return Err(SpecMistake::SameOptionTwice {
                    question: number,
                    option: option.clone(),
                });
            }
        }
        match self.kind {
            Kind::Multiple if self.max_choices == 0 || self.max_choices > count => Err(SpecMistake::MaxOutOfRange {
                question: number,
                max: self.max_choices,
                options: count,
            }),
            Kind::Multiple if self.max_choices == 1 => Ok(Question {
                kind: Kind::Choice,
                ..self
            }),
            Kind::Choice => Ok(Question { max_choices: 1, ..self }),
            _ => Ok(self),
        }
    }
}

/// A survey's questions, each checked, and their number.
pub fn checked_questions(questions: Vec<Question>) -> Result<Vec<Question>, SpecMistake> {
    if questions.is_empty() {
        return Err(SpecMistake::NoQuestion);
    }
    if questions.len() > MAX_QUESTIONS {
        return Err(SpecMistake::TooManyQuestions { count: questions.len() });
    }
    questions
        .into_iter()
        .enumerate()
        .map(|(n, question)| question.checked(n + 1))
        .collect()
}

/// Two choices that people would read as the same: case and surrounding spaces aside.
fn same_words(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// One person's answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// The chosen options, 0-based, in order, each once.
    Choices(Vec<usize>),
    Rating(u8),
    Text(String),
}

/// What is wrong with an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerMistake {
    Empty,
    /// Not one of the choices (by number or by its words).
    NotAChoice {
        typed: String,
        options: usize,
    },
    TooManyChoices {
        max: usize,
    },
    NotARating {
        typed: String,
    },
    TextTooLong {
        length: usize,
    },
}

impl Answer {
    /// As stored: JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an answer is plain data")
    }

    pub fn from_json(text: &str) -> Option<Answer> {
        serde_json::from_str(text).ok()
    }
}

impl Question {
    /// An answer as typed: a choice by its number or its words (several, for a multiple
    /// choice, separated by commas), a rating from 1 to 5, or a text.
    pub fn read_answer(&self, typed: &str) -> Result<Answer, AnswerMistake> {
        let typed = typed.trim();
        if typed.is_empty() {
            return Err(AnswerMistake::Empty);
        }
        match self.kind {
            Kind::Text => {
                let length = typed.chars().count();
                if length > MAX_TEXT_ANSWER {
                    return Err(AnswerMistake::TextTooLong { length });
                }
                Ok(Answer::Text(typed.to_string()))
            }
            Kind::Rating => {
                let rating = typed.trim_end_matches("/5").trim();
                match rating.parse::<u8>() {
                    Ok(n) if (1..=RATING_MAX).contains(&n) => Ok(Answer::Rating(n)),
                    _ => Err(AnswerMistake::NotARating {
                        typed: typed.to_string(),
                    }),
                }
            }
            Kind::Choice | Kind::Multiple => {
                // A whole choice first: its words may hold a comma.
                let parts: Vec<&str> = match self.choice_index(typed) {
                    Some(_) => vec![typed],
                    None => typed.split(',').map(str::trim).filter(|p| !p.is_empty()).collect(),
                };
                let mut chosen = Vec::new();
                for part in parts {
                    let index = self.choice_index(part).ok_or_else(|| AnswerMistake::NotAChoice {
                        typed: part.to_string(),
                        options: self.options.len(),
                    })?;
                    if !chosen.contains(&index) {
                        chosen.push(index);
                    }
                }
                self.choices(chosen)
            }
        }
    }

    /// Choices picked on a platform's own controls (a poll, a menu), 0-based.
    pub fn choices(&self, mut chosen: Vec<usize>) -> Result<Answer, AnswerMistake> {
        if let Some(&bad) = chosen.iter().find(|&&n| n >= self.options.len()) {
            return Err(AnswerMistake::NotAChoice {
                typed: (bad + 1).to_string(),
                options: self.options.len(),
            });
        }
        chosen.sort_unstable();
        chosen.dedup();
        if chosen.is_empty() {
            return Err(AnswerMistake::Empty);
        }
        if chosen.len() > self.max_choices {
            return Err(AnswerMistake::TooManyChoices { max: self.max_choices });
        }
        Ok(Answer::Choices(chosen))
    }

    fn choice_index(&self, typed: &str) -> Option<usize> {
        if let Ok(number) = typed.parse::<usize>() {
            return (1..=self.options.len()).contains(&number).then(|| number - 1);
        }
        self.options.iter().position(|option| same_words(option, typed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(options: &[&str]) -> Question {
        Question {
            kind: Kind::Choice,
            prompt: "Where shall we meet?".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            max_choices: 1,
        }
    }

    fn of_kind(kind: Kind) -> Question {
        Question {
            kind,
            prompt: "How was it?".into(),
            options: Vec::new(),
            max_choices: 1,
        }
    }

    #[test]
    fn a_choice_takes_two_to_ten_distinct_short_options() {
        assert!(choice(&["Ankara", "Online"]).checked(1).is_ok());
        assert_eq!(
            choice(&["Ankara"]).checked(1),
            Err(SpecMistake::TooFewOptions { question: 1, count: 1 })
        );
        assert_eq!(
            choice(&[]).checked(2),
            Err(SpecMistake::TooFewOptions { question: 2, count: 0 })
        );
        let eleven: Vec<String> = (1..=11).map(|n| format!("Option {n}")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(
            choice(&eleven).checked(1),
            Err(SpecMistake::TooManyOptions { question: 1, count: 11 })
        );
        assert_eq!(
            choice(&["Ankara", " ankara "]).checked(1),
            Err(SpecMistake::SameOptionTwice {
                question: 1,
                option: "ankara".into()
            })
        );
        let long = "x".repeat(MAX_OPTION + 1);
        assert!(matches!(
            choice(&["Ankara", &long]).checked(1),
            Err(SpecMistake::OptionTooLong { .. })
        ));
        assert_eq!(
            choice(&["Ankara", " "]).checked(1),
            Err(SpecMistake::EmptyOption { question: 1 })
        );
    }

    #[test]
    fn a_multiple_choice_has_a_maximum_within_its_options() {
        let mut question = choice(&["Borders", "Housing", "Health"]);
        question.kind = Kind::Multiple;
        question.max_choices = 4;
        assert_eq!(
            question.clone().checked(1),
            Err(SpecMistake::MaxOutOfRange {
                question: 1,
                max: 4,
                options: 3
            })
        );
        question.max_choices = 0;
        assert!(question.clone().checked(1).is_err());
        question.max_choices = 1;
        assert_eq!(question.clone().checked(1).unwrap().kind, Kind::Choice);
        question.max_choices = 2;
        assert_eq!(question.checked(1).unwrap().max_choices, 2);
    }

    #[test]
    fn prompts_are_needed_and_ratings_and_texts_take_no_options() {
        let mut question = of_kind(Kind::Rating);
        question.prompt = "  ".into();
        assert_eq!(question.checked(3), Err(SpecMistake::EmptyPrompt { question: 3 }));
        let mut question = of_kind(Kind::Text);
        question.prompt = "?".repeat(MAX_PROMPT + 1);
        assert_eq!(question.checked(1), Err(SpecMistake::PromptTooLong { question: 1 }));
        let mut question = of_kind(Kind::Rating);
        question.options = vec!["a".into(), "b".into()];
        assert_eq!(
            question.checked(1),
            Err(SpecMistake::OptionsNotTaken {
                question: 1,
                kind: Kind::Rating
            })
        );
        assert_eq!(checked_questions(Vec::new()), Err(SpecMistake::NoQuestion));
        assert_eq!(
            checked_questions(vec![of_kind(Kind::Text); 6]),
            Err(SpecMistake::TooManyQuestions { count: 6 })
        );
    }

    #[test]
    fn answers_are_read_by_number_or_words() {
        let question = choice(&["Ankara", "İstanbul", "Online, hybrid"]);
        assert_eq!(question.read_answer("2"), Ok(Answer::Choices(vec![1])));
        assert_eq!(question.read_answer(" ankara "), Ok(Answer::Choices(vec![0])));
        assert_eq!(question.read_answer("online, HYBRID"), Ok(Answer::Choices(vec![2])));
        assert_eq!(
            question.read_answer("4"),
            Err(AnswerMistake::NotAChoice {
                typed: "4".into(),
                options: 3
            })
        );
        assert_eq!(
            question.read_answer("1, 2"),
            Err(AnswerMistake::TooManyChoices { max: 1 })
        );
        let mut several = question.clone();
        several.kind = Kind::Multiple;
        several.max_choices = 2;
        assert_eq!(several.read_answer("2, 1, 2"), Ok(Answer::Choices(vec![0, 1])));
        assert_eq!(
            several.read_answer("1,2,3"),
            Err(AnswerMistake::TooManyChoices { max: 2 })
        );
        assert_eq!(question.read_answer(""), Err(AnswerMistake::Empty));
    }

    #[test]
    fn ratings_are_one_to_five_and_texts_at_most_500_characters() {
        let rating = of_kind(Kind::Rating);
        assert_eq!(rating.read_answer("4"), Ok(Answer::Rating(4)));
        assert_eq!(rating.read_answer("5/5"), Ok(Answer::Rating(5)));
        for wrong in ["6", "0", "-1", "four", "4.5"] {
            assert_eq!(
                rating.read_answer(wrong),
                Err(AnswerMistake::NotARating { typed: wrong.into() }),
                "{wrong}"
            );
        }
        let text = of_kind(Kind::Text);
        assert_eq!(
            text.read_answer("Şimdilik yok"),
            Ok(Answer::Text("Şimdilik yok".into()))
        );
        let at_limit = "ğ".repeat(MAX_TEXT_ANSWER);
        assert!(text.read_answer(&at_limit).is_ok(), "characters count, not bytes");
        assert_eq!(
            text.read_answer(&format!("{at_limit}x")),
            Err(AnswerMistake::TextTooLong { length: 501 })
        );
    }

    #[test]
    fn answers_are_stored_as_json_and_read_back() {
        for answer in [
            Answer::Choices(vec![0, 2]),
            Answer::Rating(3),
            Answer::Text("\"quoted\" ve Türkçe".into()),
        ] {
            assert_eq!(Answer::from_json(&answer.to_json()), Some(answer));
        }
    }
}
