//! Secrets (passwords, tokens, database passwords) come from the environment or from a
//! file outside the repository, never from the config file itself, and never reach a log.

use std::fmt;
use std::path::PathBuf;

use crate::i18n::Lang;
use crate::t;

/// Where a secret is read from, as the config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The name of an environment variable.
    Env(String),
    /// A path to a file holding the secret (surrounding whitespace is trimmed).
    File(PathBuf),
}

impl SecretSource {
    /// Reads the secret now; why it cannot be read is said in English.
    pub fn read(&self) -> Result<Secret, String> {
        self.read_in(Lang::En)
    }

    /// Reads the secret now; why it cannot be read is said in `lang`.
    pub fn read_in(&self, lang: Lang) -> Result<Secret, String> {
        match self {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(value) if !value.trim().is_empty() => Ok(Secret(value.trim().to_string())),
                Ok(_) => Err(t!(lang, "secret-env-empty", name = name.as_str())),
                Err(_) => Err(t!(lang, "secret-env-unset", name = name.as_str())),
            },
            SecretSource::File(path) => match std::fs::read_to_string(path) {
                Ok(value) if !value.trim().is_empty() => Ok(Secret(value.trim().to_string())),
                Ok(_) => Err(t!(lang, "secret-file-empty", path = path.display().to_string())),
                Err(error) => Err(t!(
                    lang,
                    "secret-file-unreadable",
                    path = path.display().to_string(),
                    error = error.to_string(),
                )),
            },
        }
    }

    /// Where the secret comes from, in `lang` (`Display` says it in English).
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            SecretSource::Env(name) => t!(lang, "secret-source-env", name = name.as_str()),
            SecretSource::File(path) => t!(lang, "secret-source-file", path = path.display().to_string()),
        }
    }
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

/// A secret value. Its `Debug` and `Display` never show it, so it cannot leak through a log
/// line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value itself, for the one place that hands it to a client library.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret("hunter2".into());
        assert!(!format!("{secret:?} {secret}").contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn a_file_secret_is_trimmed_and_an_empty_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  abc\n").unwrap();
        assert_eq!(SecretSource::File(path.clone()).read().unwrap().expose(), "abc");
        std::fs::write(&path, "\n").unwrap();
        assert!(SecretSource::File(path.clone()).read().unwrap_err().contains("empty"));
        assert!(SecretSource::File(path).read_in(Lang::Tr).unwrap_err().contains("boş"));
    }

    #[test]
    fn where_a_secret_comes_from_is_said_in_the_language() {
        let source = SecretSource::Env("MAGNET_TOKEN".into());
        assert_eq!(source.to_string(), "environment variable MAGNET_TOKEN");
        assert_eq!(source.describe(Lang::Tr), "MAGNET_TOKEN ortam değişkeni");
    }
}
