//! The pieces of a Discord message that are not markdown: mentions, custom emoji,
//! timestamps, web addresses, and the few characters CommonMark would read differently
//! from Discord. Both the HTML and the plain rendering find them here and show them the
//! same way.

use std::borrow::Cow;

use super::escape::defuse_matrix_room_ping;
use super::timestamp::format_timestamp;
use super::url::bare_url_len;

/// How Discord mentions in a message are shown on Matrix: the resolver gets the kind and
/// the id and returns a display name if it knows one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscordMention<'a> {
    User(&'a str),
    Role(&'a str),
    Channel(&'a str),
}

/// A non-markdown piece of a Discord message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Mention(DiscordMention<'a>),
    /// `</name:id>`: a clickable slash command.
    SlashCommand(&'a str),
    /// `<:name:id>` or `<a:name:id>`.
    Emoji(&'a str),
    Timestamp {
        seconds: i64,
        style: Option<char>,
    },
    /// A bare address, or one in `<…>` (Discord's way of asking for no preview).
    Url(&'a str),
    /// A character that must reach the output as itself and never as syntax: a `<` that
    /// CommonMark would take for HTML, a `&` it would take for an entity, a
    /// backslash-escaped `<` or `|` (pulldown-cmark knows no spoilers, so it would drop the
    /// backslash and we could not tell the `|` was escaped), and our own placeholder
    /// marker if a user typed it.
    Literal(char),
}

/// A run of the message: markdown text, or a token with the text it was written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece<'a> {
    Text(&'a str),
    Token { source: &'a str, token: Token<'a> },
}

/// The first character of our placeholders (see `placeholders`); typed by a user, it is
/// turned into a [`Token::Literal`] so no placeholder can be forged.
pub(super) const PLACEHOLDER_START: char = '\u{E000}';

/// Cuts a Discord message into markdown text and tokens.
pub(super) fn tokenize(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    // `[`s not closed yet: an address typed as a masked link's text ends at its `](`.
    let mut open_brackets = 0usize;
    while i < text.len() {
        let rest = &text[i..];
        let found = match rest.as_bytes()[0] {
            b'[' => {
                open_brackets += 1;
                None
            }
            b']' => {
                open_brackets = open_brackets.saturating_sub(1);
                None
            }
            b'<' => Some(angle_token(rest).unwrap_or((1, Token::Literal('<')))),
            b'\\' => match rest.as_bytes().get(1) {
                Some(b'<') => Some((2, Token::Literal('<'))),
                Some(b'|') => Some((2, Token::Literal('|'))),
                // The backslash escapes whatever follows; step over both so an escaped
                // backslash does not escape the next character.
                Some(next) if next.is_ascii_punctuation() => {
                    i += 2;
                    continue;
                }
                _ => None,
            },
            // CommonMark decodes entities like `&amp;`; Discord shows them as typed.
            b'&' if rest[1..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '#') => {
                Some((1, Token::Literal('&')))
            }
            b'h' => bare_url_len(rest).and_then(|len| {
                // Discord reads `[text](target)` before the addresses in it: in
                // `[https://a.example](https://b.example)` the first address is the text.
                let len = match rest[..len].find("](") {
                    Some(end) if open_brackets > 0 => bare_url_len(&rest[..end])?,
                    _ => len,
                };
                Some((len, Token::Url(&rest[..len])))
            }),
            _ if rest.starts_with(PLACEHOLDER_START) => {
                Some((PLACEHOLDER_START.len_utf8(), Token::Literal(PLACEHOLDER_START)))
            }
            _ => None,
        };
        match found {
            Some((len, token)) => {
                if text_start < i {
                    pieces.push(Piece::Text(&text[text_start..i]));
                }
                pieces.push(Piece::Token {
                    source: &rest[..len],
                    token,
                });
                i += len;
                text_start = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if text_start < text.len() {
        pieces.push(Piece::Text(&text[text_start..]));
    }
    pieces
}

/// A `<…>` construct at the start of `text`, with its length in bytes.
fn angle_token(text: &str) -> Option<(usize, Token<'_>)> {
    let end = text.find('>')?;
    let inner = &text[1..end];
    let token = if let Some(id) = inner.strip_prefix("@&") {
        Token::Mention(DiscordMention::Role(snowflake(id)?))
    } else if let Some(id) = inner.strip_prefix("@!").or_else(|| inner.strip_prefix('@')) {
        Token::Mention(DiscordMention::User(snowflake(id)?))
    } else if let Some(id) = inner.strip_prefix('#') {
        Token::Mention(DiscordMention::Channel(snowflake(id)?))
    } else if let Some(time) = inner.strip_prefix("t:") {
        timestamp(time)?
    } else if let Some(emoji) = inner.strip_prefix("a:").or_else(|| inner.strip_prefix(':')) {
        let (name, id) = emoji.split_once(':')?;
        snowflake(id)?;
        let valid_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        valid_name.then_some(Token::Emoji(name))?
    } else if let Some(command) = inner.strip_prefix('/') {
        let (name, id) = command.rsplit_once(':')?;
        snowflake(id)?;
        let valid_name = !name.is_empty() && !name.contains(['\n', '<', ':']);
        valid_name.then_some(Token::SlashCommand(name))?
    } else if bare_url_len(inner).is_some() && !inner.contains(|c: char| c.is_whitespace() || c == '<') {
        Token::Url(inner)
    } else {
        return None;
    };
    Some((end + 1, token))
}

fn snowflake(id: &str) -> Option<&str> {
    let valid = (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(id)
}

fn timestamp(spec: &str) -> Option<Token<'static>> {
    let (seconds, style) = match spec.split_once(':') {
        Some((seconds, style)) => {
            let mut chars = style.chars();
            let style = chars.next().filter(|c| "tTdDfFR".contains(*c))?;
            if chars.next().is_some() {
                return None;
            }
            (seconds, Some(style))
        }
        None => (spec, None),
    };
    let digits = seconds.strip_prefix('-').unwrap_or(seconds);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Token::Timestamp {
        seconds: seconds.parse().ok()?,
        style,
    })
}

/// How a token reads on Matrix. Names from the resolver cannot ping a whole Matrix room.
pub(super) fn display<'a>(
    source: &'a str,
    token: &Token<'a>,
    names: &dyn Fn(DiscordMention<'_>) -> Option<String>,
) -> Cow<'a, str> {
    match *token {
        Token::Mention(mention) => {
            let (sigil, unknown) = match mention {
                DiscordMention::User(_) => ('@', "unknown-user"),
                DiscordMention::Role(_) => ('@', "unknown-role"),
                DiscordMention::Channel(_) => ('#', "unknown-channel"),
            };
            let name = names(mention).unwrap_or_else(|| unknown.to_string());
            let name = name.strip_prefix(sigil).unwrap_or(&name);
            Cow::Owned(defuse_matrix_room_ping(&format!("{sigil}{name}")))
        }
        Token::SlashCommand(name) => Cow::Owned(format!("/{name}")),
        Token::Emoji(name) => Cow::Owned(format!(":{name}:")),
        Token::Timestamp { seconds, style } => {
            format_timestamp(seconds, style).map_or(Cow::Borrowed(source), Cow::Owned)
        }
        Token::Url(url) => Cow::Borrowed(url),
        Token::Literal(c) => Cow::Owned(c.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token<'_>> {
        tokenize(text)
            .into_iter()
            .filter_map(|piece| match piece {
                Piece::Token { token, .. } => Some(token),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn mentions_of_users_roles_and_channels() {
        assert_eq!(
            tokens("<@123> <@!45> <@&6> <#789>"),
            vec![
                Token::Mention(DiscordMention::User("123")),
                Token::Mention(DiscordMention::User("45")),
                Token::Mention(DiscordMention::Role("6")),
                Token::Mention(DiscordMention::Channel("789")),
            ]
        );
    }

    #[test]
    fn emoji_timestamps_and_commands() {
        assert_eq!(
            tokens("<:blob:1> <a:party_parrot:2> <t:1700000000> <t:1700000000:R> </poll start:9>"),
            vec![
                Token::Emoji("blob"),
                Token::Emoji("party_parrot"),
                Token::Timestamp {
                    seconds: 1_700_000_000,
                    style: None
                },
                Token::Timestamp {
                    seconds: 1_700_000_000,
                    style: Some('R')
                },
                Token::SlashCommand("poll start"),
            ]
        );
    }

    #[test]
    fn malformed_constructs_are_a_literal_angle_bracket() {
        assert_eq!(
            tokens("<@abc> <t:12:X> <:no id:1>"),
            vec![Token::Literal('<'), Token::Literal('<'), Token::Literal('<')]
        );
    }

    #[test]
    fn urls_bare_and_in_angle_brackets() {
        assert_eq!(
            tokens("see https://example.org/a_b. or <https://example.org/x>"),
            vec![
                Token::Url("https://example.org/a_b"),
                Token::Url("https://example.org/x")
            ]
        );
    }

    #[test]
    fn an_address_as_a_masked_links_text_ends_at_the_text() {
        assert_eq!(
            tokens("[https://safe.example](https://evil.example/login)"),
            vec![
                Token::Url("https://safe.example"),
                Token::Url("https://evil.example/login")
            ]
        );
        assert_eq!(
            tokens("[see https://a.example/x.](https://b.example)"),
            vec![Token::Url("https://a.example/x"), Token::Url("https://b.example")]
        );
        // Outside the text of a masked link, `](` does not end an address.
        assert_eq!(
            tokens("https://a.example/](x)"),
            vec![Token::Url("https://a.example/](x)")]
        );
    }

    #[test]
    fn escaped_angle_brackets_and_pipes_are_literals_but_other_escapes_are_text() {
        let pieces = tokenize(r"\<@1> \|\| \* \\|");
        assert_eq!(
            pieces,
            vec![
                Piece::Token {
                    source: r"\<",
                    token: Token::Literal('<')
                },
                Piece::Text("@1> "),
                Piece::Token {
                    source: r"\|",
                    token: Token::Literal('|')
                },
                Piece::Token {
                    source: r"\|",
                    token: Token::Literal('|')
                },
                Piece::Text(r" \* \\|"),
            ]
        );
    }

    #[test]
    fn display_uses_names_and_fallbacks() {
        let names = |mention: DiscordMention<'_>| match mention {
            DiscordMention::User("1") => Some("Alice".to_string()),
            DiscordMention::Channel("2") => Some("general".to_string()),
            DiscordMention::Role("3") => Some("@Mods".to_string()),
            _ => None,
        };
        let shown: Vec<String> = tokenize("<@1> <#2> <@&3> <@9> <@&9> <#9> <:x:1>")
            .iter()
            .filter_map(|piece| match piece {
                Piece::Token { source, token } => Some(display(source, token, &names).into_owned()),
                Piece::Text(_) => None,
            })
            .collect();
        assert_eq!(
            shown,
            [
                "@Alice",
                "#general",
                "@Mods",
                "@unknown-user",
                "@unknown-role",
                "#unknown-channel",
                ":x:"
            ]
        );
    }

    #[test]
    fn a_user_called_room_does_not_ping_the_matrix_room() {
        let names = |_: DiscordMention<'_>| Some("room".to_string());
        let pieces = tokenize("<@1>");
        let Piece::Token { source, token } = &pieces[0] else {
            panic!("not a token")
        };
        assert_eq!(display(source, token, &names), "@\u{2060}room");
    }
}
