//! The catalogues are complete and agree, and the code asks for what they have.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use super::*;

/// Each language's messages and the variables each one uses.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let (_, files) = CATALOGUES.iter().find(|(l, _)| *l == lang).unwrap();
    let mut all = BTreeMap::new();
    for (name, source) in *files {
        let resource = FluentResource::try_new(source.to_string())
            .unwrap_or_else(|(_, errors)| panic!("{}/{name} does not parse: {errors:?}", lang.tag()));
        for entry in resource.entries() {
            if let ast::Entry::Junk { content } = entry {
                panic!("{}/{name}: unreadable: {content}", lang.tag());
            }
            if let ast::Entry::Message(message) = entry {
                let mut variables = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    pattern_variables(pattern, &mut variables);
                }
                let id = message.id.name.to_string();
                assert!(
                    all.insert(id.clone(), variables).is_none(),
                    "{}/{name}: `{id}` twice",
                    lang.tag()
                );
            }
        }
    }
    all
}

fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, out);
            }
            for argument in &arguments.named {
                inline_variables(&argument.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

#[test]
fn both_languages_have_the_same_messages_with_the_same_variables() {
    let english = messages(Lang::En);
    for lang in Lang::ALL {
        let other = messages(lang);
        let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: missing {missing:?}, not in English {extra:?}",
            lang.tag()
        );
        for (key, variables) in &english {
            assert_eq!(&other[key], variables, "{}: `{key}` uses other variables", lang.tag());
        }
    }
}

#[test]
fn every_message_renders_in_both_languages_with_sample_values() {
    for lang in Lang::ALL {
        for (key, variables) in messages(lang) {
            // Every variable as a number and then as a word: each must give a text
            // without a resolver error (a selector on a word falls to its default).
            for number in [true, false] {
                let mut args = Args::new();
                for variable in &variables {
                    if number {
                        args.set(variable.clone(), 1234);
                    } else {
                        args.set(variable.clone(), "sample");
                    }
                }
                let bundle = &bundles()[&lang];
                let pattern = bundle.get_message(&key).and_then(|m| m.value()).unwrap();
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{}: `{key}`: {errors:?}", lang.tag());
                assert!(
                    !text.contains('\u{2068}') && !text.contains('\u{2069}'),
                    "isolation marks in `{key}`"
                );
            }
        }
    }
}

/// The `t!(lang, "key", name = value, ...)` calls in the source: (file, key, names).
fn calls_in_source() -> Vec<(String, String, BTreeSet<String>)> {
    let mut calls = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                for (at, _) in source.match_indices("t!(") {
                    // `format!(` ends the same way.
                    if source[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        continue;
                    }
                    let Some(body) = balanced(&source[at + 3..]) else {
                        continue;
                    };
                    let mut parts = split_top_level(body).into_iter();
                    let _lang = parts.next();
                    let Some(key) = parts.next().map(str::trim) else {
                        continue;
                    };
                    let Some(key) = key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) else {
                        continue;
                    };
                    let names = parts
                        .filter_map(|part| part.split_once('=').map(|(name, _)| name.trim().to_string()))
                        .collect();
                    calls.push((path.display().to_string(), key.to_string(), names));
                }
            }
        }
    }
    calls
}

/// The text up to the `)` that closes an already opened `(`.
fn balanced(text: &str) -> Option<&str> {
    let mut depth = 1;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut in_string, mut escaped) = (0, 0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' | '[' | '{' | '<' if !in_string => depth += 1,
            ')' | ']' | '}' | '>' if !in_string => depth -= 1,
            ',' if !in_string && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() {
        parts.push(&text[start..]);
    }
    parts
}

#[test]
fn every_message_the_code_asks_for_exists_and_gets_every_variable_it_uses() {
    let english = messages(Lang::En);
    let calls = calls_in_source();
    assert!(calls.len() > 10, "the source scan found too few calls: {calls:?}");
    for (file, key, names) in calls {
        // The macro's own definition and this test's examples.
        if key == "key" {
            continue;
        }
        let Some(variables) = english.get(&key) else {
            panic!("{file}: no message `{key}`");
        };
        let missing: Vec<_> = variables.difference(&names).collect();
        assert!(missing.is_empty(), "{file}: `{key}` is not given {missing:?}");
    }
}

#[test]
fn numbers_take_the_languages_grouping_and_decimal_point() {
    assert_eq!(format::number(1000, Lang::En), "1,000");
    assert_eq!(format::number(1000, Lang::Tr), "1.000");
    assert_eq!(format::number(-1234567, Lang::Tr), "-1.234.567");
    assert_eq!(format::number(999, Lang::En), "999");
    assert_eq!(format::decimal(11.5, 1, Lang::En), "11.5");
    assert_eq!(format::decimal(11.5, 1, Lang::Tr), "11,5");
    assert_eq!(
        t!(Lang::Tr, "rsvp-counts", yes = 1500, maybe = 0, no = 2),
        "1.500 evet · 0 belki · 2 hayır"
    );
}

#[test]
fn dates_take_the_languages_names_and_order() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00+03:00").unwrap();
    assert_eq!(format::date_time(&at, Lang::En), "Tue 1 Dec 2026, 10:00");
    assert_eq!(format::date_time(&at, Lang::Tr), "1 Ara 2026 Sal, 10:00");
    assert_eq!(format::date_time_short(&at, Lang::Tr), "1 Ara Sal 10:00");
}

#[test]
fn sizes_read_as_the_language_writes_them() {
    assert_eq!(format::size(1, Lang::En), "1 byte");
    assert_eq!(format::size(12, Lang::En), "12 bytes");
    assert_eq!(format::size(12, Lang::Tr), "12 bayt");
    assert_eq!(format::size(3584, Lang::En), "3.5 KB");
    assert_eq!(format::size(3584, Lang::Tr), "3,5 KB");
    assert_eq!(format::size(11 * 1024 * 1024, Lang::En), "11.0 MB");
    assert_eq!(format::size(11 * 1024 * 1024, Lang::Tr), "11,0 MB");
}

#[test]
fn spans_read_as_the_language_writes_them() {
    assert_eq!(format::span(5400, Lang::En), "1h30m");
    assert_eq!(format::span(5400, Lang::Tr), "1 sa 30 dk");
    assert_eq!(format::span(86_400, Lang::Tr), "24 sa");
    assert_eq!(format::span(3 * 86_400, Lang::Tr), "3 gün");
    assert_eq!(format::span(90, Lang::Tr), "1 dk 30 sn");
    assert_eq!(format::span(0, Lang::En), "0m");
    // English as people type offsets.
    assert_eq!(
        format::spans(&[7 * 86_400, 86_400, 5_400, 900, 90], Lang::En),
        "7d, 24h, 1h30m, 15m, 1m30s"
    );
    assert_eq!(format::span(30, Lang::En), "30s");
    assert_eq!(format::spans(&[86_400, 3600], Lang::Tr), "24 sa, 1 sa");
    assert_eq!(format::spans(&[], Lang::Tr), "yok");
}

#[test]
fn tags_with_a_region_pick_the_language() {
    assert_eq!(Lang::from_tag("tr-TR"), Some(Lang::Tr));
    assert_eq!(Lang::from_tag("en-US"), Some(Lang::En));
    assert_eq!(Lang::from_tag("TR"), Some(Lang::Tr));
    assert_eq!(Lang::from_tag("de"), None);
}

#[test]
fn the_command_line_language_follows_the_posix_variables() {
    let from = |vars: &[(&str, &str)]| {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Lang::from_locale_variables(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    };
    assert_eq!(from(&[("LANG", "tr_TR.UTF-8")]), Lang::Tr);
    assert_eq!(from(&[("LANG", "tr_TR@euro")]), Lang::Tr);
    assert_eq!(
        from(&[("LANG", "en_GB.UTF-8"), ("LC_MESSAGES", "tr_TR.UTF-8")]),
        Lang::Tr
    );
    assert_eq!(
        from(&[("LANG", "tr_TR.UTF-8"), ("LC_ALL", "C")]),
        Lang::En,
        "LC_ALL overrides all"
    );
    assert_eq!(
        from(&[("LANG", "tr_TR.UTF-8"), ("LC_ALL", "")]),
        Lang::Tr,
        "an empty one is unset"
    );
    assert_eq!(from(&[("LANG", "de_DE.UTF-8")]), Lang::En);
    assert_eq!(from(&[]), Lang::En);
}
