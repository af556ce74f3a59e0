//! Hiding Discord tokens from the markdown parser. Each token becomes a placeholder made
//! of private-use characters, which CommonMark treats as ordinary letters: no mention,
//! timestamp or address can be mangled by emphasis rules, and no `<` can start raw HTML.
//! After parsing, placeholders in text are shown as the token reads on Matrix, and in code
//! they are put back as typed.

use super::discord_tokens::{PLACEHOLDER_START, Piece, Token};

const PLACEHOLDER_END: char = '\u{E001}';
/// Digits of a placeholder's index are `DIGIT_ZERO..=DIGIT_ZERO + 9`.
const DIGIT_ZERO: u32 = 0xE010;

/// The tokens of one message, by placeholder index.
pub(super) struct Placeholders<'a> {
    tokens: Vec<(&'a str, Token<'a>)>,
}

/// A run of text with placeholders: plain text, or a token with its source.
pub(super) enum Segment<'s, 'a> {
    Text(&'s str),
    Token(&'a str, &'s Token<'a>),
}

impl<'a> Placeholders<'a> {
    /// The message with every token replaced by its placeholder, and the tokens.
    pub(super) fn encode(pieces: Vec<Piece<'a>>) -> (String, Placeholders<'a>) {
        let mut text = String::new();
        let mut tokens = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Text(plain) => text.push_str(plain),
                Piece::Token { source, token } => {
                    text.push(PLACEHOLDER_START);
                    for digit in tokens.len().to_string().bytes() {
                        let digit = char::from_u32(DIGIT_ZERO + u32::from(digit - b'0')).unwrap_or(PLACEHOLDER_END);
                        text.push(digit);
                    }
                    text.push(PLACEHOLDER_END);
                    tokens.push((source, token));
                }
            }
        }
        (text, Placeholders { tokens })
    }

    /// Cuts `text` into plain runs and the tokens its placeholders stand for.
    pub(super) fn segments<'s>(&'s self, text: &'s str) -> Vec<Segment<'s, 'a>> {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(PLACEHOLDER_START) {
            let after = &rest[start + PLACEHOLDER_START.len_utf8()..];
            let Some((index, len)) = self.index_at(after) else {
                // Not one of ours (cannot happen: typed markers are tokens); keep it as text.
                let cut = start + PLACEHOLDER_START.len_utf8();
                segments.push(Segment::Text(&rest[..cut]));
                rest = &rest[cut..];
                continue;
            };
            if start > 0 {
                segments.push(Segment::Text(&rest[..start]));
            }
            let (source, token) = &self.tokens[index];
            segments.push(Segment::Token(source, token));
            rest = &after[len..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Text(rest));
        }
        segments
    }

    /// `text` with every placeholder put back as the user typed it.
    pub(super) fn restore(&self, text: &str) -> String {
        self.segments(text)
            .into_iter()
            .map(|segment| match segment {
                Segment::Text(plain) => plain,
                Segment::Token(source, _) => source,
            })
            .collect()
    }

    /// The index of the placeholder whose digits start `text`, and the bytes up to and
    /// including its end marker.
    fn index_at(&self, text: &str) -> Option<(usize, usize)> {
        let mut index = 0usize;
        for (at, c) in text.char_indices() {
            if c == PLACEHOLDER_END {
                return (at > 0 && index < self.tokens.len()).then_some((index, at + c.len_utf8()));
            }
            let digit = (c as u32).checked_sub(DIGIT_ZERO).filter(|d| *d < 10)?;
            index = index.checked_mul(10)?.checked_add(digit as usize)?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::discord_tokens::tokenize;
    use super::*;

    #[test]
    fn placeholders_round_trip_to_the_source() {
        let input = "hi <@1>, see https://example.org and \\| <b> \u{E000}";
        let (encoded, placeholders) = Placeholders::encode(tokenize(input));
        assert!(!encoded.contains('<'));
        assert!(!encoded.contains("https"));
        assert_eq!(placeholders.restore(&encoded), input);
    }

    #[test]
    fn many_placeholders_keep_their_indices() {
        let input = "<@1>".repeat(25);
        let (encoded, placeholders) = Placeholders::encode(tokenize(&input));
        assert_eq!(placeholders.segments(&encoded).len(), 25);
        assert_eq!(placeholders.restore(&encoded), input);
    }
}
