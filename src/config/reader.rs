//! Reading a TOML document key by key while keeping every key's line, so that every
//! mistake in a config file can be reported at once with file, line and key.
//!
//! serde stops at the first error and forgets where values came from; an operator fixing
//! a config file wants the whole list. So the file is parsed into toml's spanned tree and
//! read here with small typed accessors that record problems instead of returning early.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::i18n::Lang;
use crate::t;

/// One mistake in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// Dotted key path, e.g. `pillars[2].timezone`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.key,
            self.message
        )
    }
}

/// All the mistakes found in a config file, in line order, and the language their
/// messages are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub issues: Vec<ConfigIssue>,
    pub lang: Lang,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", t!(self.lang, "config-problems", count = self.issues.len()))?;
        for issue in &self.issues {
            writeln!(f, "  {issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// The text of a config file and the problems found in it so far, in the language the
/// reader reports them in.
pub struct Document {
    file: PathBuf,
    line_starts: Vec<usize>,
    issues: Vec<ConfigIssue>,
    lang: Lang,
}

impl Document {
    pub fn new(file: &Path, text: &str, lang: Lang) -> Document {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Document {
            file: file.to_path_buf(),
            line_starts,
            issues: Vec::new(),
            lang,
        }
    }

    /// The language the problems are reported in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The 1-based line holding byte offset `at`.
    pub fn line_of(&self, at: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= at).max(1)
    }

    pub fn report(&mut self, span: &Range<usize>, key: &str, message: impl Into<String>) {
        let line = self.line_of(span.start);
        self.issues.push(ConfigIssue {
            file: self.file.clone(),
            line,
            key: key.to_string(),
            message: message.into(),
        });
    }

    pub fn has_issues(&self) -> bool {
        !self.issues.is_empty()
    }

    pub fn into_result<T>(mut self, value: T) -> Result<T, ConfigErrors> {
        if self.issues.is_empty() {
            return Ok(value);
        }
        self.issues.sort_by(|a, b| (a.line, &a.key).cmp(&(b.line, &b.key)));
        self.issues.dedup();
        Err(ConfigErrors {
            issues: self.issues,
            lang: self.lang,
        })
    }
}

/// A value found under a key, with where it was.
pub struct Found<'a, 'i> {
    pub key: String,
    pub span: Range<usize>,
    pub value: &'a DeValue<'i>,
}

/// Reads the keys of one table; unknown keys are reported when it is finished.
pub struct TableReader<'a, 'i> {
    path: String,
    span: Range<usize>,
    table: &'a DeTable<'i>,
    known: BTreeSet<&'static str>,
}

impl<'a, 'i> TableReader<'a, 'i> {
    pub fn new(path: impl Into<String>, span: Range<usize>, table: &'a DeTable<'i>) -> Self {
        TableReader {
            path: path.into(),
            span,
            table,
            known: BTreeSet::new(),
        }
    }

    /// The dotted path of a key in this table.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Where this table starts; used for missing keys.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Looks a key up and marks it as known.
    pub fn get(&mut self, key: &'static str) -> Option<Found<'a, 'i>> {
        self.known.insert(key);
        let (_, value) = self.table.get_key_value(key)?;
        Some(Found {
            key: self.key_path(key),
            span: value.span(),
            value: value.get_ref(),
        })
    }

    /// Marks a key as known without reading it (read elsewhere).
    pub fn allow(&mut self, key: &'static str) {
        self.known.insert(key);
    }

    /// A string value, or a type error. Placeholders from the example are refused.
    pub fn string(&mut self, doc: &mut Document, key: &'static str) -> Option<Spanned<String>> {
        let found = self.get(key)?;
        as_string(doc, &found)
    }

    /// A string value that must be present.
    pub fn required_string(
        &mut self,
        doc: &mut Document,
        key: &'static str,
        expected: &str,
    ) -> Option<Spanned<String>> {
        let value = self.string(doc, key);
        if value.is_none() && !self.table.contains_key(key) {
            let message = t!(doc.lang(), "config-missing", expected = expected);
            doc.report(&self.span, &self.key_path(key), message);
        }
        value
    }

    pub fn boolean(&mut self, doc: &mut Document, key: &'static str) -> Option<Spanned<bool>> {
        let found = self.get(key)?;
        match found.value.as_bool() {
            Some(value) => Some(Spanned::new(found.span.clone(), value)),
            None => {
                wrong_type(doc, &found, t!(doc.lang(), "config-expected-bool"));
                None
            }
        }
    }

    pub fn integer(&mut self, doc: &mut Document, key: &'static str) -> Option<Spanned<i64>> {
        let found = self.get(key)?;
        as_integer(doc, &found)
    }

    /// An array of strings; each bad element is reported on its own.
    pub fn string_list(&mut self, doc: &mut Document, key: &'static str) -> Vec<Spanned<String>> {
        let Some(found) = self.get(key) else {
            return Vec::new();
        };
        let Some(items) = found.value.as_array() else {
            wrong_type(doc, &found, t!(doc.lang(), "config-expected-string-list"));
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let element = Found {
                    key: format!("{}[{index}]", found.key),
                    span: item.span(),
                    value: item.get_ref(),
                };
                as_string(doc, &element)
            })
            .collect()
    }

    /// An array of strings or integers (Discord snowflakes are written either way).
    pub fn id_list(&mut self, doc: &mut Document, key: &'static str) -> Vec<Spanned<String>> {
        let Some(found) = self.get(key) else {
            return Vec::new();
        };
        let Some(items) = found.value.as_array() else {
            wrong_type(doc, &found, t!(doc.lang(), "config-expected-id-list"));
            return Vec::new();
        };
        let mut ids = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let element = Found {
                key: format!("{}[{index}]", found.key),
                span: item.span(),
                value: item.get_ref(),
            };
            if let Some(number) = item.get_ref().as_integer() {
                ids.push(Spanned::new(item.span(), number.as_str().replace('_', "")));
            } else if let Some(text) = as_string(doc, &element) {
                ids.push(text);
            }
        }
        ids
    }

    /// A sub-table, or `None` if absent (a non-table is reported).
    pub fn table(&mut self, doc: &mut Document, key: &'static str) -> Option<TableReader<'a, 'i>> {
        let found = self.get(key)?;
        match found.value.as_table() {
            Some(table) => Some(TableReader::new(found.key, found.span, table)),
            None => {
                wrong_type(doc, &found, t!(doc.lang(), "config-expected-table"));
                None
            }
        }
    }

    /// An array of tables (`[[key]]`).
    pub fn table_list(&mut self, doc: &mut Document, key: &'static str) -> Vec<TableReader<'a, 'i>> {
        let Some(found) = self.get(key) else {
            return Vec::new();
        };
        let Some(items) = found.value.as_array() else {
            wrong_type(doc, &found, t!(doc.lang(), "config-expected-table-list"));
            return Vec::new();
        };
        let mut tables = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let path = format!("{}[{index}]", found.key);
            match item.get_ref().as_table() {
                Some(table) => tables.push(TableReader::new(path, item.span(), table)),
                None => {
                    let lang = doc.lang();
                    let message = t!(
                        lang,
                        "config-wrong-type",
                        expected = t!(lang, "config-expected-table"),
                        found = t!(lang, "config-type", kind = item.get_ref().type_str()),
                    );
                    doc.report(&item.span(), &path, message);
                }
            }
        }
        tables
    }

    /// Reports every key in this table that nobody asked for, with a suggestion.
    pub fn finish(self, doc: &mut Document) {
        for (key, value) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(name) {
                continue;
            }
            let suggestion = self
                .known
                .iter()
                .map(|known| (strsim::jaro_winkler(name, known), *known))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, known)| known);
            let allowed = self.known.iter().copied().collect::<Vec<&str>>().join(", ");
            let message = match suggestion {
                Some(suggestion) => t!(
                    doc.lang(),
                    "config-unknown-key-suggestion",
                    suggestion = suggestion,
                    allowed = allowed,
                ),
                None => t!(doc.lang(), "config-unknown-key", allowed = allowed),
            };
            doc.report(
                &(key.span().start.min(value.span().start)..value.span().end),
                &self.key_path(name),
                message,
            );
        }
    }
}

fn as_string(doc: &mut Document, found: &Found<'_, '_>) -> Option<Spanned<String>> {
    let Some(text) = found.value.as_str() else {
        wrong_type(doc, found, t!(doc.lang(), "config-expected-string"));
        return None;
    };
    if is_placeholder(text) {
        let message = t!(doc.lang(), "config-placeholder", text = text);
        doc.report(&found.span, &found.key, message);
        return None;
    }
    Some(Spanned::new(found.span.clone(), text.to_string()))
}

fn as_integer(doc: &mut Document, found: &Found<'_, '_>) -> Option<Spanned<i64>> {
    let parsed = found
        .value
        .as_integer()
        .and_then(|number| i64::from_str_radix(&number.as_str().replace('_', ""), number.radix()).ok());
    match parsed {
        Some(number) => Some(Spanned::new(found.span.clone(), number)),
        None => {
            wrong_type(doc, found, t!(doc.lang(), "config-expected-integer"));
            None
        }
    }
}

/// The example config marks what an operator must fill in as `<like this>`.
pub fn is_placeholder(text: &str) -> bool {
    let trimmed = text.trim();
    trimmed.len() > 2 && trimmed.starts_with('<') && trimmed.ends_with('>')
}

/// `expected` is a `config-expected-*` phrase in the document's language.
fn wrong_type(doc: &mut Document, found: &Found<'_, '_>, expected: String) {
    let lang = doc.lang();
    let message = t!(
        lang,
        "config-wrong-type",
        expected = expected,
        found = t!(lang, "config-type", kind = found.value.type_str()),
    );
    doc.report(&found.span, &found.key, message);
}
