//! A Matrix message (plain `body`, optional HTML `formatted_body`) as Discord markdown:
//! formatting kept where Discord has it, everything a Matrix user typed shown literally,
//! and no way for it to ping or mention on Discord.

use super::escape::{DiscordEscaper, escape_discord};
use super::matrix_handlers::{MARKUP_CLOSE, MARKUP_OPEN, discord_converter, unescape_commonmark};
use super::reply::strip_plain_reply_fallback;

/// A Matrix message (plain body and optional HTML formatted_body) as Discord markdown.
///
/// Reply fallbacks are dropped first (`<mx-reply>` in HTML; with `is_reply`, the leading
/// quote and blank line of the plain body). Without HTML, the plain body is escaped whole.
pub fn matrix_to_discord(plain: &str, html: Option<&str>, is_reply: bool) -> String {
    if let Some(html) = html {
        let converted = html_to_discord(html);
        if !converted.trim().is_empty() {
            return converted;
        }
    }
    let body = if is_reply {
        strip_plain_reply_fallback(plain)
    } else {
        plain
    };
    escape_discord(body)
}

fn html_to_discord(html: &str) -> String {
    // NUL never survives HTML parsing into text; dropping it here keeps our markers ours.
    let html = html.replace('\0', "");
    let Ok(marked) = discord_converter().convert(&html) else {
        return String::new();
    };
    let mut escaper = DiscordEscaper::default();
    for (is_markup, run) in markup_runs(&marked) {
        if is_markup {
            escaper.push_markup(&run);
        } else {
            escaper.push_text(&unescape_commonmark(&run));
        }
    }
    escaper.finish().trim().to_string()
}

/// Cuts htmd's output into text runs and markup runs (markers may nest: a quote marker on
/// a line of code is markup inside markup).
pub(super) fn markup_runs(marked: &str) -> Vec<(bool, String)> {
    let mut runs: Vec<(bool, String)> = Vec::new();
    let mut depth = 0usize;
    let mut rest = marked;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(MARKUP_OPEN) {
            depth += 1;
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix(MARKUP_CLOSE) {
            depth = depth.saturating_sub(1);
            rest = after;
            continue;
        }
        let first_len = rest.chars().next().map_or(1, char::len_utf8);
        let next = rest[first_len..].find('\0').map_or(rest.len(), |at| at + first_len);
        let chunk = rest[..next].replace('\0', "");
        match runs.last_mut() {
            Some((is_markup, run)) if *is_markup == (depth > 0) => run.push_str(&chunk),
            _ => runs.push((depth > 0, chunk)),
        }
        rest = &rest[next..];
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::matrix_to_discord;

    fn html(html: &str) -> String {
        matrix_to_discord("fallback", Some(html), false)
    }

    #[test]
    fn inline_formatting() {
        assert_eq!(html("<strong>b</strong> <b>b</b>"), "**b** **b**");
        assert_eq!(html("<em>i</em> <i>i</i>"), "*i* *i*");
        assert_eq!(html("<u>u</u>"), "__u__");
        assert_eq!(html("<del>d</del> <s>s</s> <strike>x</strike>"), "~~d~~ ~~s~~ ~~x~~");
        assert_eq!(html("<span data-mx-spoiler>secret</span>"), "||secret||");
        assert_eq!(html("<span data-mx-spoiler=\"reason\">secret</span>"), "||secret||");
        assert_eq!(html("<b>bold <i>both</i></b>"), "**bold *both***");
        assert_eq!(html("<b><b>once</b></b>"), "**once**");
        assert_eq!(html("<b>a </b>b"), "**a** b");
    }

    #[test]
    fn inline_code() {
        assert_eq!(html("<code>let *x* = 1;</code>"), "`let *x* = 1;`");
        assert_eq!(html("<code>a`b</code>"), "`` a`b ``");
        assert_eq!(html("<code>&lt;@123&gt;</code>"), "`<@123>`");
    }

    #[test]
    fn code_blocks_with_language() {
        assert_eq!(
            html("<pre><code class=\"language-rust\">fn main() {\n    *x*\n}\n</code></pre>"),
            "```rust\nfn main() {\n    *x*\n}\n```"
        );
        assert_eq!(html("<pre><code>plain</code></pre>"), "```\nplain\n```");
    }

    #[test]
    fn code_blocks_cannot_be_closed_from_inside() {
        assert_eq!(
            html("<pre><code>a\n```\n@everyone</code></pre>"),
            "```\na\n``\u{200B}`\n@\u{200B}everyone\n```"
        );
    }

    #[test]
    fn quotes_lists_and_headings() {
        assert_eq!(html("<blockquote><p>a</p><p>b</p></blockquote>"), "> a\n> \n> b");
        assert_eq!(
            html("<blockquote>outer<blockquote>inner</blockquote></blockquote>"),
            "> outer\n> \n> inner"
        );
        assert_eq!(html("<ul><li>a</li><li>b</li></ul>"), "- a\n- b");
        assert_eq!(html("<ol start=\"3\"><li>c</li><li>d</li></ol>"), "3. c\n4. d");
        assert_eq!(html("<ul><li>a<ul><li>b</li></ul></li></ul>"), "- a\n  - b");
        assert_eq!(html("<h1>One</h1><h3>Three</h3>"), "# One\n\n### Three");
        assert_eq!(html("<h4>Four</h4>"), "**Four**");
    }

    #[test]
    fn links_and_pills() {
        assert_eq!(html("<a href=\"https://e.org/x\">site</a>"), "[site](https://e.org/x)");
        assert_eq!(
            html("<a href=\"https://e.org/a_b\">https://e.org/a_b</a>"),
            "https://e.org/a_b"
        );
        assert_eq!(
            html("<a href=\"https://e.org/(x)\">t</a>"),
            "[t](https://e.org/%28x%29)"
        );
        assert_eq!(html("<a href=\"mailto:a@e.org\">a@e.org</a>"), "a@e.org");
        assert_eq!(html("<a href=\"javascript:alert(1)\">click</a>"), "click");
        assert_eq!(
            html("<a href=\"https://matrix.to/#/@alice:e.org\">Alice</a>: hi"),
            "@Alice: hi"
        );
        assert_eq!(
            html("<a href=\"https://matrix.to/#/%40bob%3Ae.org\"></a>"),
            "@bob:e.org"
        );
        assert_eq!(
            html("<a href=\"https://matrix.to/#/#room:e.org\">#room:e.org</a>"),
            "#room:e.org"
        );
        assert_eq!(html("<a href=\"matrix:u/carol:e.org\">Carol</a>"), "@Carol");
    }

    #[test]
    fn a_link_whose_text_is_another_address_shows_its_real_target() {
        assert_eq!(
            html("<a href=\"https://evil.example/login\">https://safe.example</a>"),
            "https://safe.example (https://evil.example/login)"
        );
        assert_eq!(
            html("Log in at <a href=\"https://evil.example/login\"><b>www.safe.example</b></a> today"),
            "Log in at **www.safe.example** (https://evil.example/login) today"
        );
        assert_eq!(
            html("<a href=\"https://evil.example/(x)\">see safe.example</a>"),
            "see safe.example (https://evil.example/%28x%29)"
        );
        assert_eq!(
            html("<a href=\"https://safe.example@evil.example/\">https://safe.example</a>"),
            "https://safe.example (https://safe.example@evil.example/)"
        );
        assert_eq!(
            html("<a href=\"mailto:thief@evil.example\">help@bank.example</a>"),
            "help@bank.example (thief@evil.example)"
        );
        // The same address, written a little differently, stays a link as before.
        assert_eq!(
            html("<a href=\"https://safe.example/\">safe.example</a>"),
            "[safe.example](https://safe.example/)"
        );
        assert_eq!(
            html("<a href=\"https://e.org/agenda\">the agenda</a>"),
            "[the agenda](https://e.org/agenda)"
        );
    }

    #[test]
    fn breaks_paragraphs_images_and_unknown_tags() {
        assert_eq!(html("a<br>b"), "a\nb");
        assert_eq!(html("<p>a</p><p>b</p>"), "a\n\nb");
        assert_eq!(html("<img src=\"mxc://x/y\" alt=\"a cat\">"), "a cat");
        assert_eq!(html("<img src=\"mxc://x/y\">"), "\\[image\\]");
        assert_eq!(html("<font color=\"red\">red</font> <marquee>x</marquee>"), "red x");
        assert_eq!(html("a<hr>b"), "a\n\n---\n\nb");
    }

    #[test]
    fn text_is_escaped_for_discord() {
        assert_eq!(
            html("<p>*not bold* _x_ &lt;@123&gt; # no</p>"),
            r"\*not bold\* \_x\_ \<@123> # no"
        );
        assert_eq!(html("<p># not a heading</p>"), r"\# not a heading");
        assert_eq!(html("<p>a\\b</p>"), r"a\\b");
        assert_eq!(html("@everyone <b>@here</b>"), "@\u{200B}everyone **@\u{200B}here**");
    }

    #[test]
    fn reply_fallbacks_are_removed() {
        let html = "<mx-reply><blockquote><a href=\"https://matrix.to/#/!r:e.org/$e\">In reply to</a> \
                    <a href=\"https://matrix.to/#/@a:e.org\">@a:e.org</a><br>original</blockquote></mx-reply>answer";
        assert_eq!(
            matrix_to_discord("> <@a:e.org> original\n\nanswer", Some(html), true),
            "answer"
        );
        assert_eq!(
            matrix_to_discord("> <@a:e.org> original\n\nanswer", None, true),
            "answer"
        );
        assert_eq!(
            matrix_to_discord("> quote\n\nanswer", None, false),
            "\\> quote\n\nanswer"
        );
    }

    #[test]
    fn plain_bodies_are_escaped_whole() {
        assert_eq!(matrix_to_discord("**hi** <@1>", None, false), r"\*\*hi\*\* \<@1>");
        assert_eq!(matrix_to_discord("", None, false), "");
    }

    #[test]
    fn empty_html_falls_back_to_the_plain_body() {
        assert_eq!(matrix_to_discord("hello *", Some(""), false), r"hello \*");
    }
}
