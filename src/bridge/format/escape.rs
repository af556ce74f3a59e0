//! Making text inert: plain text shown literally on Discord (markdown, mentions, emoji and
//! timestamps escaped, `@everyone`/`@here` unable to ping), and `@room` unable to ping a
//! Matrix room.

/// Joins `@` to `everyone`/`here` invisibly so Discord does not see the ping (U+200B).
const DISCORD_PING_BREAK: char = '\u{200B}';
/// Joins `@` to `room` invisibly so Matrix push rules do not match (U+2060, word joiner).
const MATRIX_PING_BREAK: char = '\u{2060}';

/// Escapes plain text for Discord (what [`matrix_to_discord`](super::matrix_to_discord)
/// does to text).
pub fn escape_discord(text: &str) -> String {
    let mut escaper = DiscordEscaper::default();
    escaper.push_text(text);
    escaper.finish()
}

/// Neutralises Matrix room-wide pings in text relayed into Matrix: "@room" gets a word
/// joiner (U+2060) after the "@".
pub fn defuse_matrix_room_ping(text: &str) -> String {
    break_pings(text, &["room"], MATRIX_PING_BREAK)
}

/// Inserts `joiner` after the `@` of every `@word` (any case) in `text`.
fn break_pings(text: &str, words: &[&str], joiner: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let pings = words.iter().any(|word| {
            rest.get(..word.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(word))
        });
        if pings {
            out.push(joiner);
        }
    }
    out.push_str(rest);
    out
}

/// Builds Discord markdown from text to escape and markup to keep, knowing where lines
/// start (where `#`, `>`, `-` and `1.` mean something).
#[derive(Debug)]
pub(super) struct DiscordEscaper {
    out: String,
    /// Nothing but whitespace or block markup (`> `, `- `) since the line began.
    at_line_start: bool,
    /// The output ends in a bare address, which would swallow an escaping backslash.
    after_url: bool,
}

impl Default for DiscordEscaper {
    fn default() -> Self {
        DiscordEscaper {
            out: String::new(),
            at_line_start: true,
            after_url: false,
        }
    }
}

impl DiscordEscaper {
    /// Appends text that must show literally.
    pub(super) fn push_text(&mut self, text: &str) {
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            // Addresses stay as typed: a backslash inside one would become part of the link.
            if let Some(len) = super::url::bare_url_len(rest) {
                self.out.push_str(&rest[..len]);
                self.at_line_start = false;
                self.after_url = true;
                i += len;
                continue;
            }
            let c = rest.chars().next().unwrap_or_default();
            let after_url = std::mem::take(&mut self.after_url);
            let next = rest[c.len_utf8()..].chars().next();
            match c {
                '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' => {
                    self.out.push('\\');
                    self.out.push(c);
                }
                // `\<` shows a literal `<`; right after an address the backslash would be
                // swallowed by the link, so an invisible space breaks the mention instead.
                '<' if after_url => {
                    self.out.push('<');
                    self.out.push(DISCORD_PING_BREAK);
                }
                '<' => self.out.push_str("\\<"),
                '>' if self.at_line_start => self.out.push_str("\\>"),
                '#' if self.at_line_start && starts_heading(rest) => self.out.push_str("\\#"),
                '-' if self.at_line_start && next.is_none_or(|n| n.is_whitespace() || n == '#') => {
                    self.out.push_str("\\-")
                }
                '+' if self.at_line_start && next.is_none_or(char::is_whitespace) => self.out.push_str("\\+"),
                '0'..='9' if self.at_line_start => {
                    let digits = rest.len() - rest.trim_start_matches(|d: char| d.is_ascii_digit()).len();
                    self.out.push_str(&rest[..digits]);
                    i += digits;
                    let after = &rest[digits..];
                    if after.starts_with(['.', ')']) && after[1..].chars().next().is_none_or(char::is_whitespace) {
                        self.out.push('\\');
                    }
                    self.at_line_start = false;
                    continue;
                }
                c => self.out.push(c),
            }
            if c == '\n' {
                self.at_line_start = true;
            } else if !c.is_whitespace() {
                self.at_line_start = false;
            }
            i += c.len_utf8();
        }
    }

    /// Appends markup that must stay as it is (markers, code, link targets).
    pub(super) fn push_markup(&mut self, markup: &str) {
        if markup.is_empty() {
            return;
        }
        self.out.push_str(markup);
        let last_line = markup.rsplit('\n').next().unwrap_or(markup);
        let block_prefix = last_line.chars().all(|c| " >-*_~|#.".contains(c) || c.is_ascii_digit());
        if markup.contains('\n') {
            self.at_line_start = block_prefix;
        } else {
            self.at_line_start &= block_prefix;
        }
        let last_word = last_line.rsplit(char::is_whitespace).next().unwrap_or_default();
        self.after_url = last_word.contains("://");
    }

    /// The markdown, with `@everyone` and `@here` unable to ping anywhere in it, code included.
    pub(super) fn finish(self) -> String {
        break_pings(&self.out, &["everyone", "here"], DISCORD_PING_BREAK)
    }
}

/// Whether `#`s at the start of `text` followed by whitespace make a Discord heading.
fn starts_heading(text: &str) -> bool {
    let after = text.trim_start_matches('#');
    after.is_empty() || after.starts_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_characters_are_escaped() {
        assert_eq!(
            escape_discord("*a* _b_ ~~c~~ `d` ||e|| \\"),
            r"\*a\* \_b\_ \~\~c\~\~ \`d\` \|\|e\|\| \\"
        );
        assert_eq!(escape_discord("[x](https://e.org)"), r"\[x\](https://e.org)");
    }

    #[test]
    fn line_start_markup_is_escaped_only_at_line_start() {
        assert_eq!(
            escape_discord("# title\n> quote\n- item\n1. first\n-# sub"),
            "\\# title\n\\> quote\n\\- item\n1\\. first\n\\-# sub"
        );
        assert_eq!(escape_discord("a # b > c - d 1. e"), "a # b > c - d 1. e");
        assert_eq!(escape_discord("#hashtag\n2023 was good"), "#hashtag\n2023 was good");
        assert_eq!(escape_discord("  # indented"), "  \\# indented");
    }

    #[test]
    fn discord_mentions_emoji_and_timestamps_do_not_parse() {
        assert_eq!(
            escape_discord("<@123> <#1> <t:1:R> <:x:1> <@&2>"),
            r"\<@123> \<#1> \<t:1:R> \<:x:1> \<@&2>"
        );
    }

    #[test]
    fn everyone_and_here_cannot_ping() {
        assert_eq!(
            escape_discord("@everyone @here @Everyone"),
            "@\u{200B}everyone @\u{200B}here @\u{200B}Everyone"
        );
        assert_eq!(
            escape_discord("mail me@hereford.example"),
            "mail me@\u{200B}hereford.example"
        );
    }

    #[test]
    fn urls_are_left_intact() {
        assert_eq!(
            escape_discord("see https://e.org/a_b*c, ok"),
            "see https://e.org/a_b*c, ok"
        );
        assert_eq!(escape_discord("https://e.org/x<@1>"), "https://e.org/x<\u{200B}@1>");
    }

    #[test]
    fn plain_words_are_untouched() {
        assert_eq!(
            escape_discord("hello, world! (ok) a+b=c 3 - 2"),
            "hello, world! (ok) a+b=c 3 - 2"
        );
        assert_eq!(escape_discord(""), "");
    }

    #[test]
    fn room_pings_are_defused_for_matrix() {
        assert_eq!(
            defuse_matrix_room_ping("hey @room and @ROOM"),
            "hey @\u{2060}room and @\u{2060}ROOM"
        );
        assert_eq!(defuse_matrix_room_ping("@alice @ro"), "@alice @ro");
    }

    #[test]
    fn markup_keeps_line_start_for_block_prefixes() {
        let mut escaper = DiscordEscaper::default();
        escaper.push_markup("> ");
        escaper.push_text("# not a heading");
        escaper.push_markup("\n**");
        escaper.push_text("# fine");
        assert_eq!(escaper.finish(), "> \\# not a heading\n**\\# fine");
    }
}
