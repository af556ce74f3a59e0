//! Property tests: splitting keeps every part within the limit, loses nothing but
//! whitespace at the cuts and keeps code fences balanced; escaping leaves no markdown,
//! mention or ping that Discord would act on, and shows exactly the text it was given.

use proptest::prelude::*;

use super::escape_discord;
use super::split::{plan, split};

/// Checks that the parts' bodies are the text in order, with only whitespace between.
fn assert_rejoins(text: &str, limit: usize) {
    let mut position = 0;
    for part in plan(text, limit) {
        let offset = part.body.as_ptr() as usize - text.as_ptr() as usize;
        assert!(offset >= position, "parts out of order");
        assert!(
            text[position..offset].chars().all(char::is_whitespace),
            "non-whitespace dropped at a cut: {:?}",
            &text[position..offset]
        );
        position = offset + part.body.len();
    }
    assert!(text[position..].chars().all(char::is_whitespace));
}

fn fence_count(part: &str) -> usize {
    part.matches("```").count()
}

/// Text made of short words, line and paragraph breaks, and closed code blocks.
fn chat_text() -> impl Strategy<Value = String> {
    let word = "[a-zA-Z0-9éß,.!?*_]{1,10}";
    let code_block = ("(rust|py|)", prop::collection::vec("[a-z(){};=]{1,10}|    |\n", 1..20))
        .prop_map(|(language, lines)| format!("```{language}\n{}\n```", lines.join(" ")));
    let piece = prop_oneof![
        6 => word.prop_map(|w| format!("{w} ")),
        2 => Just("\n".to_string()),
        1 => Just("\n\n".to_string()),
        1 => code_block.prop_map(|block| format!("\n{block}\n")),
    ];
    prop::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
}

/// Undoes Discord's escaping: what a Discord reader sees, minus invisible ping breakers.
fn as_seen_on_discord(markdown: &str) -> String {
    let mut seen = String::new();
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(next)) if next.is_ascii_punctuation() => {
                seen.push(*next);
                chars.next();
            }
            ('\u{200B}', _) => {}
            (c, _) => seen.push(c),
        }
    }
    seen
}

/// Text full of what Discord would act on: markdown, mentions, pings.
fn hostile_text() -> impl Strategy<Value = String> {
    "(@everyone|@here|<@1>|<#2>|<t:3>|<:x:4>|[a-g ]|[*_~`|<>#@+.\\[\\]\\\\-]|[0-9]|\n)*"
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn split_parts_fit_and_rejoin_for_any_text(text in "\\PC{0,300}|[ a\n`]{0,300}", limit in 1usize..60) {
        for part in split(&text, limit) {
            prop_assert!(part.chars().count() <= limit, "{part:?} longer than {limit}");
        }
        assert_rejoins(&text, limit);
    }

    #[test]
    fn split_chat_text_keeps_fences_balanced_and_words_whole(text in chat_text(), limit in 40usize..200) {
        let parts = split(&text, limit);
        for part in &parts {
            prop_assert!(part.chars().count() <= limit, "{part:?} longer than {limit}");
            prop_assert_eq!(fence_count(part) % 2, 0, "unbalanced fences in {:?}", part);
        }
        assert_rejoins(&text, limit);
        let mut position = 0;
        for part in plan(&text, limit).iter().skip(1) {
            let offset = part.body.as_ptr() as usize - text.as_ptr() as usize;
            prop_assert!(offset > position && text[..offset].ends_with(char::is_whitespace), "a word was cut");
            position = offset;
        }
    }

    #[test]
    fn escaping_shows_the_text_exactly(text in hostile_text()) {
        let escaped = escape_discord(&text);
        prop_assert_eq!(as_seen_on_discord(&escaped), text);
    }

    #[test]
    fn escaping_leaves_nothing_for_discord_to_act_on(text in hostile_text()) {
        let escaped = escape_discord(&text);
        let lower = escaped.to_lowercase();
        prop_assert!(!lower.contains("@everyone") && !lower.contains("@here"));
        let chars: Vec<char> = escaped.chars().collect();
        let mut backslashes = 0;
        for (index, c) in chars.iter().enumerate() {
            let escaped_here = backslashes % 2 == 1;
            if "*_~`|[]<".contains(*c) {
                prop_assert!(escaped_here, "unescaped {c:?} at {index} in {escaped:?}");
            }
            let line_start = chars[..index].iter().rev().take_while(|c| **c != '\n').all(|c| c.is_whitespace());
            if line_start && "#>".contains(*c) {
                let heading = *c == '#' && chars[index..].iter().find(|c| **c != '#').is_none_or(|c| c.is_whitespace());
                prop_assert!(escaped_here || (*c == '#' && !heading), "unescaped {c:?} at line start in {escaped:?}");
            }
            backslashes = if *c == '\\' { backslashes + 1 } else { 0 };
        }
    }

    #[test]
    fn escaping_any_text_does_not_panic(text in "\\PC{0,200}") {
        let _ = escape_discord(&text);
    }
}
