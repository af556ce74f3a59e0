//! Hostile input through every conversion: nothing panics, Matrix HTML carries no script,
//! event handler or dangerous link, Discord markdown cannot ping or mention, and the words
//! of the message survive.

use super::*;

const ZERO_WIDTH_SPACE: char = '\u{200B}';

fn hostile_corpus() -> Vec<String> {
    let mut corpus: Vec<String> = [
        "<@&123> role ping",
        "<@123> and <@!456> user pings",
        "@everyone look",
        "@here look",
        "@room look",
        "@EVERYONE and @Here shouting",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\" onclick=\"x()\">click</a>",
        "[click me](javascript:alert(1))",
        "[click me](  javascript:alert(1)  )",
        "![img](javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        "<t:1700000000:R> <t:99999999999999999999> <#1> <:x:1> <a:y:2>",
        "```\ncode ``` breaking out <@1> @everyone\n```",
        "```js\n```\n@everyone```",
        "`` ` `` `unclosed",
        "**",
        "** unbalanced __ and ~~ and || spoiler",
        "> > > nested quotes\n>>> triple",
        "zero\u{200B}width\u{200D}joiner \u{2060}word",
        "rtl \u{202E}evil\u{202C} override",
        "\\<@123> escaped \\\\<@456> double",
        "<<@123>> <@<@1>> <@1<@2>>",
        "&lt;@123&gt; &#60;@1&#62; &amp;",
        "<mx-reply>fake</mx-reply>after",
        "<span data-mx-spoiler onmouseover=alert(1)>s</span>",
        "<iframe src=https://evil.example></iframe>text",
        "<style>body{display:none}</style>visible",
        "# heading\n-# sub\n1. list\n- item\n---\n===",
        "|| || || ||",
        "\u{E000}0\u{E001} forged placeholder \u{E000}",
        "\0(**\0) forged markup \0)",
        "https://evil.example/@everyone <https://x.example/<@1>>",
        "<a href=\"https://evil.example/login\">https://safe.example</a>",
        "[https://safe.example](https://evil.example/login)",
        "[**www.safe.example**](https://evil.example/login) [https://a.example](https://a.example.evil.example)",
        "",
        " ",
        "\n\n\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    corpus.push(">".repeat(500) + " deep");
    corpus.push(format!("{}deep{}", "*".repeat(500), "*".repeat(500)));
    corpus.push("> ".repeat(500) + "deep");
    corpus.push("- ".repeat(500) + "deep");
    corpus.push(format!("{}deep{}", "<b>".repeat(500), "</b>".repeat(500)));
    corpus.push("<blockquote>".repeat(200) + "deep");
    corpus.push(format!("{}deep{}", "[".repeat(500), "](x)".repeat(500)));
    corpus.push("||".repeat(501) + "deep");
    corpus.push("word ".repeat(800));
    corpus
}

fn names(mention: DiscordMention<'_>) -> Option<String> {
    match mention {
        DiscordMention::User(_) => Some("everyone".to_string()),
        DiscordMention::Role(_) => Some("room".to_string()),
        DiscordMention::Channel(_) => Some("<script>".to_string()),
    }
}

/// The attributes of every tag in `html` (text is escaped by then, so `<` starts a tag).
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .map(|tag| tag.split('>').next().unwrap_or_default().to_lowercase())
        .collect()
}

fn assert_safe_matrix_html(html: &str, input: &str) {
    for tag in tags(html) {
        assert!(
            !tag.starts_with("script") && !tag.starts_with("img") && !tag.starts_with("iframe"),
            "{input:?} → {html:?}"
        );
        assert!(
            !tag.contains("javascript:") && !tag.contains("data:"),
            "{input:?} → {html:?}"
        );
        let attributes = tag.split_whitespace().skip(1);
        for attribute in attributes {
            assert!(!attribute.starts_with("on"), "{input:?} → {html:?}");
        }
    }
}

/// `markdown` without code spans and blocks, where Discord parses nothing.
fn outside_code(markdown: &str) -> String {
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(at) = rest.find('`') {
        let escaped = rest[..at].ends_with('\\') && !rest[..at].ends_with("\\\\");
        let run = rest[at..].len() - rest[at..].trim_start_matches('`').len();
        out.push_str(&rest[..at]);
        let after = &rest[at + run..];
        let delimiter = "`".repeat(run);
        match after.find(&delimiter) {
            Some(end) if !escaped => rest = &after[end + run..],
            _ => {
                out.push_str(&rest[at..at + run]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn assert_inert_discord(markdown: &str, input: &str) {
    let lower = markdown.to_lowercase();
    assert!(
        !lower.contains("@everyone") && !lower.contains("@here"),
        "{input:?} → {markdown:?}"
    );
    let text = outside_code(markdown);
    for (at, _) in text.match_indices('<') {
        let after = &text[at + 1..];
        let parses = after.starts_with(['@', '#', ':', '/']) || after.starts_with("t:") || after.starts_with("a:");
        let escaped = text[..at].ends_with('\\') || after.starts_with(ZERO_WIDTH_SPACE);
        assert!(!parses || escaped, "{input:?} → {markdown:?}");
    }
}

/// Words of at least three letters outside `<…>` (which may be markup or tokens).
fn visible_words(text: &str) -> Vec<String> {
    let mut outside = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            c if depth == 0 => outside.push(c),
            _ => outside.push(' '),
        }
    }
    outside
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 3)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_corpus_is_large_enough() {
    assert!(hostile_corpus().len() >= 30);
}

#[test]
fn discord_to_matrix_html_is_safe_and_keeps_the_words() {
    for input in hostile_corpus() {
        let html = discord_to_matrix_html(&input, &names);
        assert_safe_matrix_html(&html, &input);
        let plain = discord_to_matrix_plain(&input, &names);
        for word in visible_words(&input) {
            assert!(html.contains(&word), "{word:?} lost: {input:?} → {html:?}");
            assert!(plain.contains(&word), "{word:?} lost: {input:?} → {plain:?}");
        }
    }
}

#[test]
fn resolved_names_cannot_ping_a_matrix_room() {
    let html = discord_to_matrix_html("<@&1> <@1>", &names);
    assert_eq!(html, "@\u{2060}room @everyone");
    assert_eq!(discord_to_matrix_plain("<@&1>", &names), "@\u{2060}room");
    assert_eq!(discord_to_matrix_plain("<#1>", &names), "#<script>");
    assert_eq!(discord_to_matrix_html("<#1>", &names), "#&lt;script&gt;");
}

#[test]
fn room_pings_typed_on_discord_are_defused_when_asked() {
    for input in hostile_corpus() {
        let html = defuse_matrix_room_ping(&discord_to_matrix_html(&input, &names));
        let plain = defuse_matrix_room_ping(&discord_to_matrix_plain(&input, &names));
        assert!(
            !html.to_lowercase().contains("@room") && !plain.to_lowercase().contains("@room"),
            "{input:?}"
        );
    }
}

#[test]
fn matrix_plain_bodies_are_inert_on_discord_and_keep_the_words() {
    for input in hostile_corpus() {
        for is_reply in [false, true] {
            let markdown = matrix_to_discord(&input, None, is_reply);
            assert_inert_discord(&markdown, &input);
            if !is_reply {
                for word in visible_words(&input.replace(['<', '>'], " ")) {
                    assert!(markdown.contains(&word), "{word:?} lost: {input:?} → {markdown:?}");
                }
            }
        }
    }
}

#[test]
fn matrix_html_is_inert_on_discord() {
    for input in hostile_corpus() {
        let markdown = matrix_to_discord("plain", Some(&input), false);
        assert_inert_discord(&markdown, &input);
        let markdown = matrix_to_discord("plain", Some(&format!("<p>{input}</p><code>{input}</code>")), true);
        assert_inert_discord(&markdown, &input);
    }
}

#[test]
fn matrix_html_text_keeps_the_words() {
    let input = "<p>Meeting <b>moved</b> to <i>Tuesday</i>; agenda: <a href=\"https://e.org\">here</a>.</p>\
                 <ul><li>budget</li><li>reports</li></ul>";
    let markdown = matrix_to_discord("", Some(input), false);
    for word in ["Meeting", "moved", "Tuesday", "agenda", "budget", "reports"] {
        assert!(markdown.contains(word), "{word:?} lost: {markdown:?}");
    }
}

#[test]
fn a_link_cannot_pass_for_another_address_on_discord() {
    for text in [
        "https://safe.example",
        "www.safe.example",
        "safe.example",
        "SAFE.example/login",
    ] {
        let input = format!("<a href=\"https://evil.example/login\">{text}</a>");
        let markdown = matrix_to_discord("", Some(&input), false);
        // The real target shows as itself, not inside a masked link's `(…)`.
        assert!(
            markdown.contains("https://evil.example/login") && !markdown.contains("](https://evil.example"),
            "{input:?} → {markdown:?}"
        );
    }
}

#[test]
fn a_link_cannot_pass_for_another_address_on_matrix() {
    for text in [
        "https://safe.example",
        "www.safe.example",
        "safe.example",
        "SAFE.example/login",
        "**safe.example**",
        "see safe.example.",
    ] {
        let input = format!("[{text}](https://evil.example/login)");
        let html = discord_to_matrix_html(&input, &names);
        // The link goes where it says: the real target, shown as itself.
        assert!(
            html.contains("<a href=\"https://evil.example/login\">https://evil.example/login</a>")
                && html.matches("<a ").count() == 1,
            "{input:?} → {html:?}"
        );
        let plain = discord_to_matrix_plain(&input, &names);
        assert!(
            plain.ends_with(" (https://evil.example/login)") && !plain.contains("]("),
            "{input:?} → {plain:?}"
        );
    }
}

#[test]
fn escaped_text_is_inert() {
    for input in hostile_corpus() {
        assert_inert_discord(&escape_discord(&input), &input);
    }
}

#[test]
fn splitting_hostile_text_keeps_to_the_limit() {
    for input in hostile_corpus() {
        for limit in [1, 7, 50, 2000] {
            for part in split(&input, limit) {
                assert!(part.chars().count() <= limit, "{input:?} at {limit}: {part:?}");
            }
        }
    }
}

#[test]
fn a_long_message_is_split_into_few_full_parts() {
    let message = "word ".repeat(800);
    let parts = split(message.trim_end(), 2000);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].chars().count(), 1999);
    assert!(parts.iter().all(|part| !part.starts_with(' ') && !part.ends_with(' ')));
}
