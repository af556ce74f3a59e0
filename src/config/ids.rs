//! The shapes of the ids a config file names: Matrix user and room ids, Discord
//! snowflakes, pillar ids and language tags. Each check returns what was expected, so the
//! config error can say it.

/// A Matrix user id: `@localpart:server.name`.
pub fn matrix_user_id(text: &str) -> Result<(), String> {
    let rest = text
        .strip_prefix('@')
        .ok_or("a Matrix user id starts with `@`, e.g. `@secretariat:example.org`")?;
    let (local, server) = split_server(rest).ok_or("a Matrix user id looks like `@name:server.name`")?;
    let local_ok = local
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._=-/+".contains(c));
    if !local_ok {
        return Err(format!(
            "`{local}` is not a valid Matrix user localpart (lowercase letters, digits and ._=-/+ only)"
        ));
    }
    server_name(server)
}

/// A Matrix room id (`!opaque:server`, or `!opaque` from room version 12 on) or alias
/// (`#name:server`).
pub fn matrix_room(text: &str) -> Result<(), String> {
    let expected = "a Matrix room id `!abc:server.name` (or `!abc` in room version 12) or alias `#name:server.name`";
    let rest = match text.chars().next() {
        Some('!') if !text.contains(':') => {
            let opaque = &text[1..];
            let valid = !opaque.is_empty()
                && opaque
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            return if valid {
                Ok(())
            } else {
                Err(format!("expected {expected}"))
            };
        }
        Some('!') | Some('#') => &text[1..],
        _ => return Err(format!("expected {expected}")),
    };
    let (local, server) = split_server(rest).ok_or_else(|| format!("expected {expected}"))?;
    if local.chars().any(|c| c.is_whitespace() || c == ':') {
        return Err(format!("expected {expected}; `{local}` contains whitespace or `:`"));
    }
    server_name(server)
}

/// A Discord snowflake: a positive 64-bit integer, written in decimal.
pub fn discord_snowflake(text: &str) -> Result<u64, String> {
    let expected = "a Discord id (a snowflake: 17 to 20 decimal digits, e.g. 1093848219043012608)";
    if !(17..=20).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("expected {expected}, found `{text}`"));
    }
    text.parse::<u64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| format!("expected {expected}, found `{text}`"))
}

/// A pillar id: short, lowercase, usable in commands and file names.
pub fn pillar_id(text: &str) -> Result<(), String> {
    let ok = !text.is_empty()
        && text.len() <= 32
        && text.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a pillar id of 1 to 32 lowercase letters, digits, `-` or `_` (e.g. `civil-society`), found `{text}`"
        ))
    }
}

/// A language tag such as `en`, `tr` or `pt-BR`.
pub fn language_tag(text: &str) -> Result<(), String> {
    let mut parts = text.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok = (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase());
    let rest_ok = parts.all(|part| (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "expected a language tag such as `en`, `tr` or `pt-BR`, found `{text}`"
        ))
    }
}

fn split_server(rest: &str) -> Option<(&str, &str)> {
    let (local, server) = rest.split_once(':')?;
    (!local.is_empty() && !server.is_empty()).then_some((local, server))
}

fn server_name(server: &str) -> Result<(), String> {
    let host = match server.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || server.starts_with('[') => {
            if port.parse::<u16>().is_err() {
                return Err(format!("`{server}` has an invalid port"));
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
        Err(format!("`{server}` is not a valid server name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_ids() {
        assert!(matrix_user_id("@bot:example.org").is_ok());
        assert!(matrix_user_id("@bot:localhost:8448").is_ok());
        assert!(matrix_user_id("bot:example.org").is_err());
        assert!(matrix_user_id("@Bot:example.org").is_err());
        assert!(matrix_user_id("@bot").is_err());
        assert!(matrix_room("!abcDEF:example.org").is_ok());
        assert!(matrix_room("#civil-society:example.org").is_ok());
        assert!(matrix_room("!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM").is_ok());
        assert!(matrix_room("#abc").is_err());
        assert!(matrix_room("!").is_err());
        assert!(matrix_room("!a b").is_err());
        assert!(matrix_room("abc:example.org").is_err());
        assert!(matrix_room("!a b:example.org").is_err());
        assert!(matrix_room("!abc:exa mple.org").is_err());
    }

    #[test]
    fn snowflakes() {
        assert_eq!(discord_snowflake("1093848219043012608"), Ok(1093848219043012608));
        assert!(discord_snowflake("12345").is_err());
        assert!(discord_snowflake("10938482190430126O8").is_err());
        assert!(discord_snowflake("99999999999999999999").is_err());
    }

    #[test]
    fn pillar_ids_and_languages() {
        assert!(pillar_id("civil-society").is_ok());
        assert!(pillar_id("Civil Society").is_err());
        assert!(pillar_id("").is_err());
        assert!(language_tag("en").is_ok());
        assert!(language_tag("pt-BR").is_ok());
        assert!(language_tag("english").is_err());
    }
}
