//! Where Discord's block syntax differs from CommonMark, rewritten line by line so that
//! pulldown-cmark reads a message the way a Discord client shows it:
//!
//! - `>>> ` quotes everything after it, and a `> ` quote ends at the end of its line
//!   (CommonMark would carry on into the next line); `>text` without the space and nested
//!   quotes are plain text on Discord.
//! - Code fences may close at the end of a content line (```` code``` ````) or sit on one
//!   line (```` ```code``` ````); a fence that never closes is shown as typed.
//! - Only `#` to `###` followed by text are headings; `-# ` is subtext, shown plain here.
//! - CommonMark-only blocks (indented code, setext headings, thematic breaks, link
//!   reference definitions, `1)` lists) do not exist on Discord and are escaped.

use std::borrow::Cow;

const FENCE: &str = "```";

/// The message rewritten into CommonMark with Discord's block structure.
pub(super) fn normalise_blocks(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut writer = BlockWriter {
        out: Vec::with_capacity(lines.len()),
        quote_rest: false,
        fence: None,
        previous_quoted: false,
        previous_blank: true,
    };
    for (index, line) in lines.iter().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        writer.line(line, &lines[index + 1..]);
    }
    writer.out.join("\n")
}

struct BlockWriter {
    out: Vec<String>,
    /// After `>>> `, every remaining line is quoted.
    quote_rest: bool,
    /// Inside a code fence; `Some(true)` when the fence is inside a quote.
    fence: Option<bool>,
    previous_quoted: bool,
    previous_blank: bool,
}

impl BlockWriter {
    fn line(&mut self, line: &str, following: &[&str]) {
        if let Some(quoted) = self.fence {
            let content = if quoted && !self.quote_rest {
                line.strip_prefix("> ").unwrap_or(line)
            } else {
                line
            };
            self.fence_line(content, quoted, following);
            return;
        }
        let (quoted, content) = self.split_quote(line);
        let blank = content.trim().is_empty();
        if !quoted && self.previous_quoted && !blank {
            // Without a blank line CommonMark would continue the quote ("lazy continuation").
            self.out.push(String::new());
        }
        self.block_line(content, quoted, following);
        self.previous_quoted = quoted;
        self.previous_blank = blank;
    }

    fn split_quote<'l>(&mut self, line: &'l str) -> (bool, &'l str) {
        if self.quote_rest {
            return (true, line);
        }
        if line == ">>>" || line.starts_with(">>> ") {
            self.quote_rest = true;
            return (true, line.get(4..).unwrap_or(""));
        }
        match line.strip_prefix("> ") {
            Some(content) => (true, content),
            None => (false, line),
        }
    }

    fn fence_line(&mut self, content: &str, quoted: bool, following: &[&str]) {
        let Some(at) = content.find(FENCE) else {
            self.emit(content, quoted);
            return;
        };
        let (before, after) = (&content[..at], &content[at + FENCE.len()..]);
        if !before.trim().is_empty() {
            self.emit(before, quoted);
        }
        self.emit(FENCE, quoted);
        self.fence = None;
        if !after.trim().is_empty() {
            self.block_line(after.trim_start(), quoted, following);
        }
    }

    fn block_line(&mut self, content: &str, quoted: bool, following: &[&str]) {
        let body = content.trim_start_matches([' ', '\t']);
        let indent = &content[..content.len() - body.len()];
        let indent_width: usize = indent.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();

        if indent_width <= 3 && body.starts_with(FENCE) {
            self.fence_opening(indent, &body[FENCE.len()..], quoted, following);
            return;
        }
        // Four spaces after a blank line make an indented code block in CommonMark only.
        let indent = if indent_width >= 4 && self.previous_blank {
            ""
        } else {
            indent
        };
        let body = discord_line(body);
        self.emit(&format!("{indent}{body}"), quoted);
    }

    fn fence_opening(&mut self, indent: &str, rest: &str, quoted: bool, following: &[&str]) {
        if let Some(close) = rest.find(FENCE) {
            self.emit(FENCE, quoted);
            self.emit(&rest[..close], quoted);
            self.emit(FENCE, quoted);
            let after = &rest[close + FENCE.len()..];
            if !after.trim().is_empty() {
                self.block_line(after.trim_start(), quoted, following);
            }
            return;
        }
        if !following.iter().any(|line| line.contains(FENCE)) {
            let escaped = format!("{indent}\\`\\`\\`{}", discord_line(rest));
            self.emit(&escaped, quoted);
            return;
        }
        self.fence = Some(quoted);
        let info = rest.trim_end();
        if is_language(info) {
            self.emit(&format!("{FENCE}{info}"), quoted);
        } else {
            // Discord shows a first line that is not a language name as code.
            self.emit(FENCE, quoted);
            self.emit(rest, quoted);
        }
    }

    fn emit(&mut self, content: &str, quoted: bool) {
        let line = match (quoted, content.is_empty()) {
            (false, _) => content.to_string(),
            (true, true) => ">".to_string(),
            (true, false) => format!("> {content}"),
        };
        self.out.push(line);
    }
}

/// Whether a fence's info string is a language name Discord highlights with.
pub(super) fn is_language(info: &str) -> bool {
    info.len() <= 32 && info.chars().all(|c| c.is_ascii_alphanumeric() || "_+-.#".contains(c))
}

/// One line's content (after its indentation and quote marker) as CommonMark.
fn discord_line(body: &str) -> Cow<'_, str> {
    if let Some(subtext) = body.strip_prefix("-# ") {
        return escape_block_start(subtext.trim_start());
    }
    if body.starts_with('#') {
        let after = body.trim_start_matches('#');
        let level = body.len() - after.len();
        let heading = level <= 3 && after.starts_with(' ') && !after.trim().is_empty();
        return if heading {
            Cow::Borrowed(body)
        } else {
            Cow::Owned(format!("\\{body}"))
        };
    }
    escape_block_start(body)
}

/// Escapes the start of a line that CommonMark would read as a block Discord does not have.
fn escape_block_start(body: &str) -> Cow<'_, str> {
    let Some(first) = body.chars().next() else {
        return Cow::Borrowed(body);
    };
    let only_marks = || body.trim_end().chars().all(|c| c == first || c == ' ' || c == '\t');
    let escape_first = match first {
        '>' | '#' => true,
        '-' | '*' | '_' | '=' | '+' => only_marks(),
        '[' => body.contains("]:"),
        _ => false,
    };
    if escape_first {
        return Cow::Owned(format!("\\{body}"));
    }
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && body[digits..].starts_with(')') {
        return Cow::Owned(format!("{}\\{}", &body[..digits], &body[digits..]));
    }
    Cow::Borrowed(body)
}

#[cfg(test)]
mod tests {
    use super::normalise_blocks;

    #[test]
    fn single_line_quotes_end_at_their_line() {
        assert_eq!(normalise_blocks("> quoted\nnot quoted"), "> quoted\n\nnot quoted");
        assert_eq!(normalise_blocks("> one\n> two"), "> one\n> two");
    }

    #[test]
    fn triple_quote_quotes_the_rest() {
        assert_eq!(normalise_blocks(">>> all\nof\n\nthis"), "> all\n> of\n>\n> this");
    }

    #[test]
    fn quote_markers_without_space_and_nested_quotes_are_text() {
        assert_eq!(normalise_blocks(">no space"), "\\>no space");
        assert_eq!(normalise_blocks("> > nested"), "> \\> nested");
    }

    #[test]
    fn fences_closing_on_a_content_line_or_on_one_line() {
        assert_eq!(normalise_blocks("```rust\nfn x() {}```"), "```rust\nfn x() {}\n```");
        assert_eq!(normalise_blocks("```code``` after"), "```\ncode\n```\nafter");
        assert_eq!(normalise_blocks("```not a lang\nx\n```"), "```\nnot a lang\nx\n```");
    }

    #[test]
    fn code_keeps_its_lines_untouched() {
        assert_eq!(
            normalise_blocks("```\n# x\n> y\n    z\n```"),
            "```\n# x\n> y\n    z\n```"
        );
    }

    #[test]
    fn an_unclosed_fence_is_literal() {
        assert_eq!(normalise_blocks("```rust\nfn x"), "\\`\\`\\`rust\nfn x");
    }

    #[test]
    fn headings_up_to_three_levels_and_subtext() {
        assert_eq!(normalise_blocks("# one\n### three"), "# one\n### three");
        assert_eq!(normalise_blocks("#### four"), "\\#### four");
        assert_eq!(normalise_blocks("#tag"), "\\#tag");
        assert_eq!(normalise_blocks("-# small print"), "small print");
    }

    #[test]
    fn commonmark_only_blocks_are_escaped() {
        assert_eq!(normalise_blocks("title\n---"), "title\n\\---");
        assert_eq!(normalise_blocks("***"), "\\***");
        assert_eq!(normalise_blocks("[a]: https://x.org"), "\\[a]: https://x.org");
        assert_eq!(normalise_blocks("1) first"), "1\\) first");
        assert_eq!(normalise_blocks("\n    indented"), "\nindented");
    }

    #[test]
    fn lists_stay_lists() {
        assert_eq!(normalise_blocks("- a\n  - b\n1. c"), "- a\n  - b\n1. c");
    }
}
