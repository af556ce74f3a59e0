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

/// The words of a link's visible text that read as an address: with a scheme
/// (`https://…`, `ftp://…`), starting with `www.`, or shaped like a domain (`safe.example`,
/// `bank.example/login`, `help@bank.example`). Such text says where the link goes, so it
/// must not hide a different target (see [`same_address`]).
pub(super) fn addresses_in(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .map(|word| word.trim_matches(|c: char| "()[]{}<>\"'.,;:!?".contains(c)))
        .filter(|word| looks_like_address(word))
}

fn looks_like_address(word: &str) -> bool {
    if word.contains("://") || word.get(..4).is_some_and(|start| start.eq_ignore_ascii_case("www.")) {
        return true;
    }
    // A host: what comes before the path, after any `user@`, without a port.
    let host = word.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let top = labels.last().copied().unwrap_or_default();
    // Letters in the last label keep version numbers and decimals (`1.5`) out.
    labels.len() >= 2
        && labels
            .iter()
            .all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && top.chars().count() >= 2
        && top.chars().all(char::is_alphabetic)
}

/// Whether an address shown as text is where `href` goes. The scheme and `mailto:` may be
/// left out of the text (`example.org` for `https://example.org/`), a trailing slash does not
/// count and the host may differ in case; anything else is another place.
pub(super) fn same_address(shown: &str, href: &str) -> bool {
    comparable_address(shown) == comparable_address(href)
}

fn comparable_address(address: &str) -> String {
    let address = address.trim();
    let rest = match address.find("://") {
        Some(at) => &address[at + 3..],
        None => address
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
            .map_or(address, |_| &address[7..]),
    };
    let rest = rest.trim_end_matches('/');
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    format!("{}{}", rest[..host_end].to_lowercase(), &rest[host_end..])
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
    fn text_that_reads_as_an_address_is_found() {
        fn found(text: &str) -> Vec<&str> {
            addresses_in(text).collect()
        }
        assert_eq!(found("https://safe.example"), ["https://safe.example"]);
        assert_eq!(found("see (www.safe.example)."), ["www.safe.example"]);
        assert_eq!(found("safe.example/login"), ["safe.example/login"]);
        assert_eq!(found("help@bank.example"), ["help@bank.example"]);
        assert_eq!(
            found("ftp://files.example and bank.example:8443"),
            ["ftp://files.example", "bank.example:8443"]
        );
        assert!(found("the agenda").is_empty());
        assert!(found("version 1.5, e.g. this").is_empty());
        assert!(found("a..b .example example.").is_empty());
    }

    #[test]
    fn an_address_is_the_same_without_scheme_slash_or_case() {
        assert!(same_address("https://safe.example", "https://safe.example/"));
        assert!(same_address("safe.example", "https://safe.example"));
        assert!(same_address("Safe.Example/Path", "http://safe.example/Path"));
        assert!(same_address("help@bank.example", "mailto:help@bank.example"));
        assert!(!same_address("https://safe.example", "https://evil.example/login"));
        assert!(!same_address("safe.example/path", "https://safe.example/Path"));
        assert!(!same_address(
            "https://safe.example",
            "https://safe.example@evil.example/"
        ));
        assert!(!same_address("help@bank.example", "mailto:thief@evil.example"));
    }

    #[test]
    fn link_targets_cannot_close_the_parenthesis() {
        assert_eq!(encode_link_target("https://x.org/a (b)"), "https://x.org/a%20%28b%29");
    }
}
