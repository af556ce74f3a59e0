//! Secrets (passwords, tokens, database passwords) come from the environment or from a
//! file outside the repository, never from the config file itself, and never reach a log.

use std::fmt;
use std::path::PathBuf;

/// Where a secret is read from, as the config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The name of an environment variable.
    Env(String),
    /// A path to a file holding the secret (surrounding whitespace is trimmed).
    File(PathBuf),
}

impl SecretSource {
    /// Reads the secret now.
    pub fn read(&self) -> Result<Secret, String> {
        match self {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(value) if !value.trim().is_empty() => Ok(Secret(value.trim().to_string())),
                Ok(_) => Err(format!("environment variable {name} is empty")),
                Err(_) => Err(format!("environment variable {name} is not set")),
            },
            SecretSource::File(path) => match std::fs::read_to_string(path) {
                Ok(value) if !value.trim().is_empty() => Ok(Secret(value.trim().to_string())),
                Ok(_) => Err(format!("secret file {} is empty", path.display())),
                Err(error) => Err(format!("cannot read secret file {}: {error}", path.display())),
            },
        }
    }
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(name) => write!(f, "environment variable {name}"),
            SecretSource::File(path) => write!(f, "file {}", path.display()),
        }
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
        assert!(SecretSource::File(path).read().unwrap_err().contains("empty"));
    }
}
