//! The shapes of the ids a config file names: Matrix user and room ids, Discord
//! snowflakes, pillar ids and language tags. Each check returns what was expected, so the
//! config error can say it, in the language the config is read in.

use crate::i18n::Lang;
use crate::t;

/// A Matrix user id: `@localpart:server.name`.
pub fn matrix_user_id(text: &str, lang: Lang) -> Result<(), String> {
    let rest = text
        .strip_prefix('@')
        .ok_or_else(|| t!(lang, "config-matrix-user-at"))?;
    let (local, server) = split_server(rest).ok_or_else(|| t!(lang, "config-matrix-user-shape"))?;
    let local_ok = local
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._=-/+".contains(c));
    if !local_ok {
        return Err(t!(lang, "config-matrix-user-local", local = local));
    }
    server_name(server, lang)
}

/// A Matrix room id (`!opaque:server`, or `!opaque` from room version 12 on) or alias
/// (`#name:server`).
pub fn matrix_room(text: &str, lang: Lang) -> Result<(), String> {
    let expected = || t!(lang, "config-matrix-room");
    let rest = match text.chars().next() {
        Some('!') if !text.contains(':') => {
            let opaque = &text[1..];
            let valid = !opaque.is_empty()
                && opaque
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            return if valid { Ok(()) } else { Err(expected()) };
        }
        Some('!') | Some('#') => &text[1..],
        _ => return Err(expected()),
    };
    let (local, server) = split_server(rest).ok_or_else(expected)?;
    if local.chars().any(|c| c.is_whitespace() || c == ':') {
        return Err(t!(lang, "config-matrix-room-local", local = local));
    }
    server_name(server, lang)
}

/// A Discord snowflake: a positive 64-bit integer, written in decimal.
pub fn discord_snowflake(text: &str, lang: Lang) -> Result<u64, String> {
    let refused = || t!(lang, "config-snowflake", found = text);
    if !(17..=20).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused());
    }
    text.parse::<u64>().ok().filter(|&id| id > 0).ok_or_else(refused)
}

/// A pillar id: short, lowercase, usable in commands and file names.
pub fn pillar_id(text: &str, lang: Lang) -> Result<(), String> {
    let ok = !text.is_empty()
        && text.len() <= 32
        && text.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(t!(lang, "config-pillar-id", found = text))
    }
}

/// A language tag such as `en`, `tr` or `pt-BR`.
pub fn language_tag(text: &str, lang: Lang) -> Result<(), String> {
    let mut parts = text.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok = (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase());
    let rest_ok = parts.all(|part| (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(())
    } else {
        Err(t!(lang, "config-language-tag", found = text))
    }
}

fn split_server(rest: &str) -> Option<(&str, &str)> {
    let (local, server) = rest.split_once(':')?;
    (!local.is_empty() && !server.is_empty()).then_some((local, server))
}

fn server_name(server: &str, lang: Lang) -> Result<(), String> {
    let host = match server.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || server.starts_with('[') => {
            if port.parse::<u16>().is_err() {
                return Err(t!(lang, "config-server-port", server = server));
            }
            host
        }
        _ => server,
    };
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '[' || c == ']' || c == ':');
    if ok {
        Ok(())
    } else {
        Err(t!(lang, "config-server-name", server = server))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_ids() {
        assert!(matrix_user_id("@bot:example.org", Lang::En).is_ok());
        assert!(matrix_user_id("@bot:localhost:8448", Lang::En).is_ok());
        assert!(matrix_user_id("bot:example.org", Lang::En).is_err());
        assert!(matrix_user_id("@Bot:example.org", Lang::En).is_err());
        assert!(matrix_user_id("@bot", Lang::En).is_err());
        assert!(matrix_room("!abcDEF:example.org", Lang::En).is_ok());
        assert!(matrix_room("#civil-society:example.org", Lang::En).is_ok());
        assert!(matrix_room("!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM", Lang::En).is_ok());
        assert!(matrix_room("#abc", Lang::En).is_err());
        assert!(matrix_room("!", Lang::En).is_err());
        assert!(matrix_room("!a b", Lang::En).is_err());
        assert!(matrix_room("abc:example.org", Lang::En).is_err());
        assert!(matrix_room("!a b:example.org", Lang::En).is_err());
        assert!(matrix_room("!abc:exa mple.org", Lang::En).is_err());
    }

    #[test]
    fn snowflakes() {
        assert_eq!(
            discord_snowflake("1093848219043012608", Lang::En),
            Ok(1093848219043012608)
        );
        assert!(discord_snowflake("12345", Lang::En).is_err());
        assert!(discord_snowflake("10938482190430126O8", Lang::En).is_err());
        assert!(discord_snowflake("99999999999999999999", Lang::En).is_err());
    }

    #[test]
    fn pillar_ids_and_languages() {
        assert!(pillar_id("civil-society", Lang::En).is_ok());
        assert!(pillar_id("Civil Society", Lang::En).is_err());
        assert!(pillar_id("", Lang::En).is_err());
        assert!(language_tag("en", Lang::En).is_ok());
        assert!(language_tag("pt-BR", Lang::En).is_ok());
        assert!(language_tag("english", Lang::En).is_err());
    }

    #[test]
    fn what_was_expected_is_said_in_the_language() {
        assert!(
            discord_snowflake("12345", Lang::En)
                .unwrap_err()
                .starts_with("expected a Discord id")
        );
        let turkish = discord_snowflake("12345", Lang::Tr).unwrap_err();
        assert!(turkish.starts_with("beklenen: bir Discord kimliği"), "{turkish}");
        assert!(turkish.ends_with("bulunan: `12345`"), "{turkish}");
        assert!(
            matrix_room("abc:example.org", Lang::Tr)
                .unwrap_err()
                .contains("Matrix oda kimliği")
        );
    }
}
