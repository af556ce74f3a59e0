//! The few words an adapter says before the core hears of what happened: the label of a
//! form's text field Discord must be shown within its deadline, the answer to a command in
//! a channel no pillar bridges. The core writes them from its catalogues; an adapter picks
//! them by the language of the person's client.

use std::collections::BTreeMap;

/// One language's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterWords {
    /// The text field of a form a button opens ("Your answer").
    pub answer_field: String,
    /// The private answer to a command or a click where the bot bridges nothing.
    pub not_bridged: String,
    /// The private answer to a form sent after the bot forgot it (it restarted): run the
    /// command again.
    pub form_expired: String,
}

/// The words in every language the bot has, and the ones to use when a client's language
/// is not among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrasebook {
    fallback: AdapterWords,
    by_language: BTreeMap<String, AdapterWords>,
}

impl Phrasebook {
    pub fn new(fallback: AdapterWords) -> Self {
        Phrasebook {
            fallback,
            by_language: BTreeMap::new(),
        }
    }

    /// Adds a language by its primary tag (`tr`).
    pub fn with(mut self, language: &str, words: AdapterWords) -> Self {
        self.by_language.insert(language.to_ascii_lowercase(), words);
        self
    }

    /// The words for a client locale such as `tr` or `en-US`: its language's, else the
    /// fallback.
    pub fn for_locale(&self, locale: Option<&str>) -> &AdapterWords {
        locale
            .and_then(|locale| locale.split(['-', '_']).next())
            .and_then(|language| self.by_language.get(&language.to_ascii_lowercase()))
            .unwrap_or(&self.fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(field: &str) -> AdapterWords {
        AdapterWords {
            answer_field: field.into(),
            not_bridged: String::new(),
            form_expired: String::new(),
        }
    }

    #[test]
    fn a_client_locale_finds_its_language_or_the_fallback() {
        let book = Phrasebook::new(words("Your answer")).with("tr", words("Yanıtınız"));
        assert_eq!(book.for_locale(Some("tr")).answer_field, "Yanıtınız");
        assert_eq!(book.for_locale(Some("TR")).answer_field, "Yanıtınız");
        assert_eq!(book.for_locale(Some("en-US")).answer_field, "Your answer");
        assert_eq!(book.for_locale(Some("pt-BR")).answer_field, "Your answer");
        assert_eq!(book.for_locale(None).answer_field, "Your answer");
    }
}
