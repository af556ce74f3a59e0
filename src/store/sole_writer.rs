//! One serving process per SQLite file. Two instances on one file each took the other's
//! relays for people's messages and jammed the bridge; SQLite cannot tell them apart (both
//! may write), so `magnet run` holds an exclusive lock on a file beside the database for as
//! long as it serves, and a second one is refused at once. The operating system drops the
//! lock when the process ends, however it ends, so a crash never leaves a stale lock.
//! (On PostgreSQL the instance lease does this job, and a second instance stands by.)

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{Result, StoreError};

/// The lock, held until dropped.
#[derive(Debug)]
pub struct SoleWriter {
    _file: File,
    pub path: PathBuf,
}

/// Takes the lock for the SQLite database at `url` (`sqlite://PATH`), or says who holds it.
/// `None` for a database that is not a SQLite file (PostgreSQL, `:memory:`).
pub fn claim(url: &str) -> Result<Option<SoleWriter>> {
    let Some(path) = url.strip_prefix("sqlite:") else {
        return Ok(None);
    };
    let path = path.trim_start_matches("//");
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    if path.is_empty() || path == ":memory:" {
        return Ok(None);
    }
    let lock_path = PathBuf::from(format!("{path}.lock"));
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|error| StoreError::Connect(format!("cannot create the folder {}: {error}", parent.display())))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|error| StoreError::Connect(format!("cannot open {}: {error}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = match holder.trim() {
                "" => String::new(),
                pid => format!(" (process {pid})"),
            };
            return Err(StoreError::Connect(format!(
                "another magnet process{holder} is serving the SQLite database {path}; \
                 stop it first (one process per SQLite file; for several instances use PostgreSQL)"
            )));
        }
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(StoreError::Connect(format!(
                "cannot lock {}: {error}",
                lock_path.display()
            )));
        }
    }
    // Who holds it, for the message a second process shows.
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "{}", std::process::id());
    let _ = file.flush();
    Ok(Some(SoleWriter {
        _file: file,
        path: lock_path,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_on_one_file_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/magnet.db?mode=rwc", dir.path().display());
        let first = claim(&url).unwrap().expect("a SQLite file is locked");
        let refused = claim(&url).unwrap_err().to_string();
        assert!(refused.contains("another magnet process"), "{refused}");
        assert!(refused.contains(&std::process::id().to_string()), "{refused}");
        drop(first);
        assert!(claim(&url).unwrap().is_some(), "free again once the holder is gone");
        assert!(claim("postgres://db.example/magnet").unwrap().is_none());
        assert!(claim("sqlite::memory:").unwrap().is_none());
    }
}
