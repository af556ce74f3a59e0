//! What a Discord user typed, as the `body` and `formatted_body` of a Matrix message.
//!
//! The HTML path: tokens (mentions, emoji, timestamps, addresses, stray `<`) are hidden
//! behind placeholders, Discord's block syntax is rewritten into CommonMark, pulldown-cmark
//! parses, and the events are adjusted for Discord's inline dialect (`__` is underline,
//! a single `~` is text, `||` marks spoilers, line breaks are kept) before rendering and
//! sanitising.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use super::discord_blocks::normalise_blocks;
use super::discord_tokens::{DiscordMention, Token, display, tokenize};
use super::placeholders::{Placeholders, Segment};
use super::sanitize::sanitise_matrix_html;
use super::url::{addresses_in, is_safe_link, same_address};

const SPOILER_OPEN: &str = "<span data-mx-spoiler>";
const SPOILER_CLOSE: &str = "</span>";

/// Discord markdown (what a Discord user typed) to Matrix HTML (org.matrix.custom.html),
/// sanitised. Raw HTML in the message shows as text.
pub fn discord_to_matrix_html(markdown: &str, names: &dyn Fn(DiscordMention<'_>) -> Option<String>) -> String {
    let (text, placeholders) = Placeholders::encode(tokenize(markdown));
    let text = normalise_blocks(&text);
    // Subscript is on only so that a single `~` is not strikethrough; it is shown as text.
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SUBSCRIPT;
    let parsed = Parser::new_ext(&text, options).into_offset_iter();
    let events = adjust_structure(parsed.map(|(event, range)| (event, &text[range])), &placeholders);
    let events = mark_spoilers(merge_text(events));
    let events = unmask_misleading_links(expand_placeholders(events, &placeholders, names));
    let mut html = String::new();
    html::push_html(&mut html, events.into_iter());
    sanitise_matrix_html(&html)
}

/// The plain-text body for Matrix of the same Discord message: mentions, emoji and
/// timestamps resolved as in the HTML, markdown kept as typed, except a masked link whose
/// text reads as another address: as in the HTML, its text is followed by the real target.
pub fn discord_to_matrix_plain(markdown: &str, names: &dyn Fn(DiscordMention<'_>) -> Option<String>) -> String {
    let (text, placeholders) = Placeholders::encode(tokenize(markdown));
    let plain = |run: &str| -> String {
        placeholders
            .segments(run)
            .into_iter()
            .map(|segment| match segment {
                Segment::Text(text) => text.into(),
                Segment::Token(source, Token::Url(_) | Token::Literal(_)) => source.into(),
                Segment::Token(source, token) => display(source, token, names),
            })
            .collect()
    };
    let mut out = String::new();
    let mut done = 0;
    for link in misleading_links(&text, &placeholders, names) {
        out.push_str(&plain(&text[done..link.whole.start]));
        if link.image {
            out.push('!');
        }
        let shown = plain(&text[link.text]);
        let space = if shown.ends_with(char::is_whitespace) { "" } else { " " };
        out.push_str(&format!("{shown}{space}({})", shown_target(&link.target)));
        done = link.whole.end;
    }
    out.push_str(&plain(&text[done..]));
    out
}

/// Whether a link's visible text reads as an address other than its target: then it
/// must not hide the target (`[https://safe.example](https://evil.example/login)`).
fn is_misleading(visible: &str, target: &str) -> bool {
    addresses_in(visible).any(|address| !same_address(address, target))
}

/// A link's target as shown in text: an e-mail address without its `mailto:`.
fn shown_target(target: &str) -> &str {
    target
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .map_or(target, |_| &target[7..])
}

/// A masked link in a message with placeholders, by byte ranges.
struct MisleadingLink {
    /// `[text](target)`, or `![text](target)`.
    whole: std::ops::Range<usize>,
    /// What is between the brackets.
    text: std::ops::Range<usize>,
    image: bool,
    target: String,
}

/// The outermost `[text](target)` links to the web or e-mail in `text` (with
/// placeholders) whose text reads as an address other than their target, in order.
///
/// The message is read as typed, without the rewriting of Discord's block syntax that
/// the HTML gets: where the two readings differ (a fence closed mid-line, four spaces of
/// indent), a link may be left as typed here, which shows its target all the same.
fn misleading_links(
    text: &str,
    placeholders: &Placeholders<'_>,
    names: &dyn Fn(DiscordMention<'_>) -> Option<String>,
) -> Vec<MisleadingLink> {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SUBSCRIPT;
    let mut found = Vec::new();
    // The outermost link being read, if it may mislead, with its visible text so far; and
    // how deep in links and images the reading is.
    let mut open: Option<(MisleadingLink, String)> = None;
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(
                Tag::Link {
                    link_type, dest_url, ..
                }
                | Tag::Image {
                    link_type, dest_url, ..
                },
            ) => {
                depth += 1;
                if let Some((link, _)) = open.as_mut() {
                    // An image in the text of a link: part of the text.
                    link.text = link.text.start.min(range.start)..link.text.end.max(range.end);
                    continue;
                }
                let target = placeholders.restore(&dest_url);
                if depth == 1 && link_type == LinkType::Inline && is_safe_link(&target) {
                    let link = MisleadingLink {
                        // Empty until the text is seen.
                        text: range.end..range.start,
                        image: text[range.clone()].starts_with('!'),
                        whole: range,
                        target: target.trim().to_string(),
                    };
                    open = Some((link, String::new()));
                }
                continue;
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some((link, visible)) = open.take()
                    && link.text.start < link.text.end
                    && is_misleading(&visible, &link.target)
                {
                    found.push(link);
                }
                continue;
            }
            _ => {}
        }
        let Some((link, visible)) = open.as_mut() else {
            continue;
        };
        link.text = link.text.start.min(range.start)..link.text.end.max(range.end);
        if let Event::Text(run) | Event::Code(run) = &event {
            for segment in placeholders.segments(run) {
                match segment {
                    Segment::Text(plain) => visible.push_str(plain),
                    Segment::Token(source, token) => visible.push_str(&display(source, token, names)),
                }
            }
        }
    }
    found
}

/// Maps CommonMark's reading onto Discord's: `__x__` underlines, `~x~` is text, links go
/// only to the web or e-mail, code gets its placeholders back as typed, and nothing the
/// user typed becomes raw HTML.
fn adjust_structure<'e>(
    parsed: impl Iterator<Item = (Event<'e>, &'e str)>,
    placeholders: &Placeholders<'_>,
) -> Vec<Event<'e>> {
    let mut events = Vec::new();
    let mut strong_is_underline = Vec::new();
    // Per open link: `None` if it is kept, or the text that ends a link shown as typed.
    let mut link_ends: Vec<Option<String>> = Vec::new();
    let mut in_code_block = false;
    for (event, source) in parsed {
        let adjusted = match event {
            Event::Start(Tag::Strong) => {
                let underline = source.starts_with("__");
                strong_is_underline.push(underline);
                if underline {
                    Event::InlineHtml("<u>".into())
                } else {
                    event
                }
            }
            Event::End(TagEnd::Strong) => match strong_is_underline.pop() {
                Some(true) => Event::InlineHtml("</u>".into()),
                _ => event,
            },
            Event::Start(Tag::Subscript) | Event::End(TagEnd::Subscript) => Event::Text("~".into()),
            Event::Start(Tag::Link { dest_url, .. }) => link_start(&dest_url, placeholders, &mut link_ends),
            // Discord shows `![alt](url)` as a `!` and a link, not as an image.
            Event::Start(Tag::Image { dest_url, .. }) => {
                events.push(Event::Text("!".into()));
                link_start(&dest_url, placeholders, &mut link_ends)
            }
            Event::End(TagEnd::Link | TagEnd::Image) => match link_ends.pop().flatten() {
                Some(unlinked) => Event::Text(unlinked.into()),
                None => Event::End(TagEnd::Link),
            },
            Event::Start(Tag::CodeBlock(_)) => {
                in_code_block = true;
                event
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                event
            }
            Event::Text(text) if in_code_block => Event::Text(placeholders.restore(&text).into()),
            Event::Code(code) => Event::Code(placeholders.restore(&code).into()),
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(placeholders.restore(&raw).into()),
            Event::SoftBreak => Event::HardBreak,
            other => other,
        };
        events.push(adjusted);
    }
    events
}

/// The start of a link to `dest` (placeholders put back) if it is safe to link to, else
/// the text the link was typed as, as Discord shows such links (`[x](javascript:…)`).
fn link_start<'e>(dest: &str, placeholders: &Placeholders<'_>, ends: &mut Vec<Option<String>>) -> Event<'e> {
    let dest = placeholders.restore(dest);
    if !is_safe_link(&dest) {
        ends.push(Some(format!("]({dest})")));
        return Event::Text("[".into());
    }
    ends.push(None);
    Event::Start(Tag::Link {
        link_type: LinkType::Inline,
        dest_url: dest.into(),
        title: CowStr::Borrowed(""),
        id: CowStr::Borrowed(""),
    })
}

/// A link whose text reads as an address other than its target loses its mask: the text
/// stays, unlinked, and the real target follows in brackets, linked to itself. (Discord
/// shows the typed text too, but asks before it opens a masked link, naming where it
/// goes; a Matrix client may just go.)
fn unmask_misleading_links(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    // Where each open link starts in `out`, innermost last.
    let mut open = Vec::new();
    for event in events {
        match event {
            Event::Start(Tag::Link { .. }) => {
                open.push(out.len());
                out.push(event);
            }
            Event::End(TagEnd::Link) => {
                let Some(start) = open.pop() else {
                    out.push(event);
                    continue;
                };
                let Event::Start(Tag::Link { dest_url, .. }) = &out[start] else {
                    out.push(event);
                    continue;
                };
                let target = dest_url.to_string();
                let visible: String = out[start + 1..]
                    .iter()
                    .filter_map(|event| match event {
                        Event::Text(text) | Event::Code(text) => Some(text.as_ref()),
                        _ => None,
                    })
                    .collect();
                if !is_misleading(&visible, &target) {
                    out.push(event);
                    continue;
                }
                let start_event = out.remove(start);
                // The links still open enclose this one: their starts did not move.
                let space = if visible.ends_with(char::is_whitespace) {
                    ""
                } else {
                    " "
                };
                out.push(Event::Text(format!("{space}(").into()));
                out.push(start_event);
                out.push(Event::Text(shown_target(&target).to_string().into()));
                out.push(event);
                out.push(Event::Text(")".into()));
            }
            other => out.push(other),
        }
    }
    out
}

/// Joins adjacent text events (pulldown-cmark splits text at escapes and entities), so a
/// `||` split over two events is still seen.
fn merge_text(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut merged: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for event in events {
        if let (Some(Event::Text(previous)), Event::Text(text)) = (merged.last_mut(), &event) {
            *previous = format!("{previous}{text}").into();
            continue;
        }
        merged.push(event);
    }
    merged
}

/// Whether an event belongs to the inline content of a paragraph, heading or list item.
fn is_inline(event: &Event<'_>) -> bool {
    match event {
        Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak | Event::InlineHtml(_) => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Subscript
        ),
        Event::End(tag) => matches!(
            tag,
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Subscript
        ),
        _ => false,
    }
}

/// Turns `||` pairs within each run of inline content into spoiler spans; an unpaired
/// `||` stays text, as on Discord. Code is left alone. Mis-nesting with other formatting
/// (`**a||b**c||`) is repaired by the sanitiser's HTML parser.
fn mark_spoilers(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut in_code_block = false;
    let mut run = Vec::new();
    for event in events {
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            _ => {}
        }
        if is_inline(&event) && !in_code_block {
            run.push(event);
        } else {
            spoil_run(std::mem::take(&mut run), &mut out);
            out.push(event);
        }
    }
    spoil_run(run, &mut out);
    out
}

fn spoil_run<'e>(run: Vec<Event<'e>>, out: &mut Vec<Event<'e>>) {
    let markers: usize = run
        .iter()
        .map(|event| match event {
            Event::Text(text) => text.matches("||").count(),
            _ => 0,
        })
        .sum();
    let paired = markers - markers % 2;
    let mut seen = 0;
    for event in run {
        let Event::Text(text) = &event else {
            out.push(event);
            continue;
        };
        if !text.contains("||") {
            out.push(event);
            continue;
        }
        for (index, part) in text.split("||").enumerate() {
            if index > 0 {
                out.push(match seen {
                    n if n >= paired => Event::Text("||".into()),
                    n if n % 2 == 0 => Event::InlineHtml(SPOILER_OPEN.into()),
                    _ => Event::InlineHtml(SPOILER_CLOSE.into()),
                });
                seen += 1;
            }
            if !part.is_empty() {
                out.push(Event::Text(part.to_string().into()));
            }
        }
    }
}

/// Replaces placeholders in text with what the tokens read as on Matrix; addresses become
/// links unless they are already inside one.
fn expand_placeholders<'e>(
    events: Vec<Event<'e>>,
    placeholders: &Placeholders<'_>,
    names: &dyn Fn(DiscordMention<'_>) -> Option<String>,
) -> Vec<Event<'e>> {
    let mut out = Vec::with_capacity(events.len());
    let mut link_depth = 0usize;
    let mut in_code_block = false;
    for event in events {
        match &event {
            Event::Start(Tag::Link { .. }) => link_depth += 1,
            Event::End(TagEnd::Link) => link_depth = link_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            _ => {}
        }
        let Event::Text(text) = &event else {
            out.push(event);
            continue;
        };
        if in_code_block {
            out.push(event);
            continue;
        }
        for segment in placeholders.segments(text) {
            match segment {
                Segment::Text(plain) => out.push(Event::Text(plain.to_string().into())),
                Segment::Token(_, Token::Url(url)) if link_depth == 0 => {
                    out.push(Event::Start(Tag::Link {
                        link_type: LinkType::Autolink,
                        dest_url: url.to_string().into(),
                        title: CowStr::Borrowed(""),
                        id: CowStr::Borrowed(""),
                    }));
                    out.push(Event::Text(url.to_string().into()));
                    out.push(Event::End(TagEnd::Link));
                }
                Segment::Token(source, token) => {
                    out.push(Event::Text(display(source, token, names).into_owned().into()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(mention: DiscordMention<'_>) -> Option<String> {
        match mention {
            DiscordMention::User("1") => Some("Alice".to_string()),
            DiscordMention::Role("2") => Some("Moderators".to_string()),
            DiscordMention::Channel("3") => Some("general".to_string()),
            _ => None,
        }
    }

    fn html(markdown: &str) -> String {
        discord_to_matrix_html(markdown, &names)
    }

    fn plain(markdown: &str) -> String {
        discord_to_matrix_plain(markdown, &names)
    }

    #[test]
    fn emphasis_of_every_kind() {
        assert_eq!(html("**bold**"), "<strong>bold</strong>");
        assert_eq!(html("*italic* and _italic_"), "<em>italic</em> and <em>italic</em>");
        assert_eq!(html("__underline__"), "<u>underline</u>");
        assert_eq!(html("~~strike~~"), "<del>strike</del>");
        assert_eq!(html("***both***"), "<em><strong>both</strong></em>");
        assert_eq!(html("___under italic___"), "<em><u>under italic</u></em>");
    }

    #[test]
    fn a_single_tilde_is_text() {
        assert_eq!(html("~about~ 5"), "~about~ 5");
    }

    #[test]
    fn spoilers() {
        assert_eq!(html("a ||secret|| b"), "a <span data-mx-spoiler=\"\">secret</span> b");
        assert_eq!(
            html("||**bold** secret||"),
            "<span data-mx-spoiler=\"\"><strong>bold</strong> secret</span>"
        );
        assert_eq!(html("||one|| ||"), "<span data-mx-spoiler=\"\">one</span> ||");
        assert_eq!(html(r"\|\|not\|\|"), "||not||");
        assert_eq!(html("`||code||`"), "<code>||code||</code>");
    }

    #[test]
    fn inline_and_fenced_code() {
        assert_eq!(html("use `let x = 1;`"), "use <code>let x = 1;</code>");
        assert_eq!(
            html("```rust\nfn main() {}\n```"),
            "<pre><code class=\"language-rust\">fn main() {}\n</code></pre>"
        );
        assert_eq!(
            html("```\n<b>&amp;</b>\n```"),
            "<pre><code>&lt;b&gt;&amp;amp;&lt;/b&gt;\n</code></pre>"
        );
        assert_eq!(html("```one line```"), "<pre><code>one line\n</code></pre>");
    }

    #[test]
    fn quotes_single_line_and_multi_line() {
        assert_eq!(
            html("> quoted\nafter"),
            "<blockquote><p>quoted</p></blockquote><p>after</p>"
        );
        assert_eq!(
            html(">>> all\nof this"),
            "<blockquote><p>all<br>of this</p></blockquote>"
        );
    }

    #[test]
    fn headings_and_subtext() {
        assert_eq!(
            html("# One\n## Two\n### Three"),
            "<h1>One</h1><h2>Two</h2><h3>Three</h3>"
        );
        assert_eq!(html("#### Four"), "#### Four");
        assert_eq!(html("-# the small print"), "the small print");
    }

    #[test]
    fn lists() {
        assert_eq!(html("- a\n- b"), "<ul><li>a</li><li>b</li></ul>");
        assert_eq!(html("1. a\n2. b"), "<ol><li>a</li><li>b</li></ol>");
        assert_eq!(html("3. c"), "<ol start=\"3\"><li>c</li></ol>");
    }

    #[test]
    fn links_masked_and_bare() {
        assert_eq!(
            html("[the site](https://example.org/a_b)"),
            "<a href=\"https://example.org/a_b\">the site</a>"
        );
        assert_eq!(
            html("see https://example.org/a_b_c."),
            "see <a href=\"https://example.org/a_b_c\">https://example.org/a_b_c</a>."
        );
        assert_eq!(
            html("<https://example.org>"),
            "<a href=\"https://example.org\">https://example.org</a>"
        );
        assert_eq!(html("[x](javascript:alert(1))"), "[x](javascript:alert(1))");
    }

    #[test]
    fn a_link_whose_text_is_another_address_shows_its_target() {
        assert_eq!(
            html("[https://safe.example](https://evil.example/login)"),
            "https://safe.example (<a href=\"https://evil.example/login\">https://evil.example/login</a>)"
        );
        assert_eq!(
            plain("[https://safe.example](https://evil.example/login) now"),
            "https://safe.example (https://evil.example/login) now"
        );
        assert_eq!(
            html("go: [**www.safe.example**](https://evil.example)!"),
            "go: <strong>www.safe.example</strong> (<a href=\"https://evil.example\">https://evil.example</a>)!"
        );
        assert_eq!(
            plain("go: [**www.safe.example**](https://evil.example)!"),
            "go: **www.safe.example** (https://evil.example)!"
        );
        assert_eq!(
            html("[help@bank.example](mailto:thief@evil.example)"),
            "help@bank.example (<a href=\"mailto:thief@evil.example\">thief@evil.example</a>)"
        );
        assert_eq!(
            plain("[help@bank.example](mailto:thief@evil.example)"),
            "help@bank.example (thief@evil.example)"
        );
        assert_eq!(
            plain("![safe.example ](https://evil.example)"),
            "!safe.example (https://evil.example)"
        );
        assert_eq!(
            plain("[a](https://a.example) [safe.example/x](https://evil.example) [b](https://b.example)"),
            "[a](https://a.example) safe.example/x (https://evil.example) [b](https://b.example)"
        );
    }

    #[test]
    fn a_link_whose_text_is_its_own_address_or_no_address_stays_masked() {
        assert_eq!(
            html("[https://safe.example/](https://safe.example)"),
            "<a href=\"https://safe.example\">https://safe.example/</a>"
        );
        assert_eq!(
            plain("[https://safe.example/](https://safe.example)"),
            "[https://safe.example/](https://safe.example)"
        );
        assert_eq!(
            html("[version 1.5 notes](https://evil.example)"),
            "<a href=\"https://evil.example\">version 1.5 notes</a>"
        );
        let code = "[the agenda](https://e.org)\n```\n[safe.example](https://evil.example)\n```";
        assert_eq!(plain(code), code);
        assert_eq!(
            html(code),
            "<p><a href=\"https://e.org\">the agenda</a></p><pre><code>[safe.example](https://evil.example)\n</code></pre>"
        );
    }

    #[test]
    fn line_breaks_are_kept() {
        assert_eq!(html("one\ntwo"), "one<br>two");
        assert_eq!(html("one\n\ntwo"), "<p>one</p><p>two</p>");
    }

    #[test]
    fn mentions_emoji_and_timestamps() {
        assert_eq!(
            html("hi <@1> <@!1> <@9> <@&2> <#3>"),
            "hi @Alice @Alice @unknown-user @Moderators #general"
        );
        assert_eq!(html("<:blob:12> <a:dance:34>"), ":blob: :dance:");
        assert_eq!(
            html("<t:1700000000> <t:1700000000:R>"),
            "2023-11-14 22:13 UTC 2023-11-14 22:13 UTC"
        );
        assert_eq!(html("**<@1>**"), "<strong>@Alice</strong>");
        assert_eq!(html("`<@1>`"), "<code>&lt;@1&gt;</code>");
    }

    #[test]
    fn names_are_escaped_in_html() {
        let evil = |_: DiscordMention<'_>| Some("<b>x</b>".to_string());
        assert_eq!(discord_to_matrix_html("<@1>", &evil), "@&lt;b&gt;x&lt;/b&gt;");
    }

    #[test]
    fn raw_html_is_text() {
        assert_eq!(
            html("<script>alert(1)</script> <b>hi</b>"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;hi&lt;/b&gt;"
        );
        assert_eq!(html("&amp; &lt;"), "&amp;amp; &amp;lt;");
    }

    #[test]
    fn empty_input_gives_empty_output() {
        assert_eq!(html(""), "");
        assert_eq!(plain(""), "");
    }

    #[test]
    fn plain_body_resolves_tokens_and_keeps_markdown() {
        assert_eq!(
            plain("**hi** <@1> in <#3> at <t:1700000000:f> <:blob:1> \\<@1> <https://e.org>"),
            "**hi** @Alice in #general at 2023-11-14 22:13 UTC :blob: \\<@1> <https://e.org>"
        );
    }
}
