//! Crash points for tests: with `MAGNET_FAULT_ABORT_AT=<name>` in its environment the
//! process aborts (no clean-up, like a SIGKILL) the first time it reaches the point of that
//! name. The crash tests use it to stop the bot at an exact step of a reminder's life,
//! which a timed kill cannot hit reliably. Without the variable a point costs one load.

use std::sync::OnceLock;

/// The environment variable naming the point to abort at.
pub const VARIABLE: &str = "MAGNET_FAULT_ABORT_AT";

/// Aborts the process here if the environment names this point.
pub fn point(name: &str) {
    static CHOSEN: OnceLock<Option<String>> = OnceLock::new();
    let chosen = CHOSEN.get_or_init(|| std::env::var(VARIABLE).ok().filter(|v| !v.is_empty()));
    if chosen.as_deref() == Some(name) {
        eprintln!("magnet: fault point `{name}` reached; aborting as {VARIABLE} asks");
        std::process::abort();
    }
}
