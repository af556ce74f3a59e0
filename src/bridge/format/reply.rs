//! Matrix reply fallbacks: older clients put a quote of the replied-to message at the top
//! of a reply. The bridge carries replies as replies, so the quote would only repeat.

/// The plain body of a reply without its fallback: the leading `>` lines and the blank
/// line after them. A body that is all quote (no blank line after) is the message itself.
pub(super) fn strip_plain_reply_fallback(body: &str) -> &str {
    let mut rest = body;
    let mut quoted_lines = 0;
    while rest.starts_with('>') {
        let Some(newline) = rest.find('\n') else {
            return body;
        };
        rest = &rest[newline + 1..];
        quoted_lines += 1;
    }
    if quoted_lines == 0 {
        return body;
    }
    match rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n')) {
        Some(message) => message,
        None => body,
    }
}

#[cfg(test)]
mod tests {
    use super::strip_plain_reply_fallback;

    #[test]
    fn the_quote_and_blank_line_are_removed() {
        let body = "> <@alice:example.org> original\n> second line\n\nmy answer\n> not fallback";
        assert_eq!(strip_plain_reply_fallback(body), "my answer\n> not fallback");
    }

    #[test]
    fn a_quote_without_a_blank_line_is_the_message() {
        assert_eq!(strip_plain_reply_fallback("> just a quote"), "> just a quote");
        assert_eq!(strip_plain_reply_fallback("> a\nb"), "> a\nb");
    }

    #[test]
    fn bodies_without_a_quote_are_unchanged() {
        assert_eq!(strip_plain_reply_fallback("hello\n\n> later"), "hello\n\n> later");
        assert_eq!(strip_plain_reply_fallback(""), "");
    }
}
