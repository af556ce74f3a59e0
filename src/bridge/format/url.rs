//! Where a bare web address starts and ends in text, the way Discord's client finds them.
//! Both directions need it: Discord → Matrix turns them into links, and Matrix → Discord
//! must not put escaping backslashes inside them (they would become part of the link).

/// The length in bytes of the http(s) address at the start of `text`, if there is one.
///
/// Like Discord, the address runs to the next whitespace or `<` and leaves out closing
/// punctuation (a sentence's full stop, a closing quote), keeping a `)` that closes a `(`
/// of the address itself, as in Wikipedia links.
pub(super) fn bare_url_len(text: &str) -> Option<usize> {
    let after_scheme = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"))?;
    let scheme_len = text.len() - after_scheme.len();
    let mut end = after_scheme
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(after_scheme.len());
    while let Some(last) = after_scheme[..end].chars().next_back() {
        let body = &after_scheme[..end];
        let leave_out = match last {
            '.' | ',' | ':' | ';' | '"' | '\'' | ']' | '!' | '?' => true,
            ')' => body.matches('(').count() < body.matches(')').count(),
            _ => false,
        };
        if !leave_out {
            break;
        }
        end -= last.len_utf8();
    }
    (end > 0).then_some(scheme_len + end)
}

/// Whether a link target is one we let through: the web and e-mail, nothing that runs code.
pub(super) fn is_safe_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Decodes `%xx` escapes, as in the targets of matrix.to links; anything malformed stays.
pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Makes an address safe inside a markdown link's `(…)`: characters that would end the
/// target early are percent-encoded.
pub(super) fn encode_link_target(url: &str) -> String {
    let mut encoded = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            '(' => encoded.push_str("%28"),
            ')' => encoded.push_str("%29"),
            '<' => encoded.push_str("%3C"),
            '>' => encoded.push_str("%3E"),
            c if c.is_whitespace() => encoded.push_str("%20"),
            c => encoded.push(c),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_in(text: &str) -> Option<&str> {
        bare_url_len(text).map(|len| &text[..len])
    }

    #[test]
    fn a_url_ends_at_whitespace_or_angle_bracket() {
        assert_eq!(url_in("https://example.org/a_b c"), Some("https://example.org/a_b"));
        assert_eq!(url_in("http://example.org<@1>"), Some("http://example.org"));
    }

    #[test]
    fn closing_punctuation_is_not_part_of_the_url() {
        assert_eq!(url_in("https://example.org/x."), Some("https://example.org/x"));
        assert_eq!(url_in("https://example.org/x)."), Some("https://example.org/x"));
        assert_eq!(
            url_in("https://en.wikipedia.org/wiki/Rust_(language)"),
            Some("https://en.wikipedia.org/wiki/Rust_(language)")
        );
    }

    #[test]
    fn a_scheme_alone_is_not_a_url() {
        assert_eq!(url_in("https:// x"), None);
        assert_eq!(url_in("ftp://example.org"), None);
        assert_eq!(url_in("see https://example.org"), None);
    }

    #[test]
    fn only_web_and_mail_links_are_safe() {
        assert!(is_safe_link("https://example.org"));
        assert!(is_safe_link("HTTP://example.org"));
        assert!(is_safe_link("mailto:a@example.org"));
        assert!(!is_safe_link("javascript:alert(1)"));
        assert!(!is_safe_link("data:text/html,x"));
        assert!(!is_safe_link("/relative"));
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("%40alice%3Aexample.org"), "@alice:example.org");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn link_targets_cannot_close_the_parenthesis() {
        assert_eq!(encode_link_target("https://x.org/a (b)"), "https://x.org/a%20%28b%29");
    }
}
