//! Crash points for tests: with `MAGNET_FAULT_ABORT_AT=<name>` in its environment the
//! process aborts (no clean-up, like a SIGKILL) the first time it reaches the point of that
//! name; with `<name>@<n>`, the n-th time. The crash tests use it to stop the bot at an exact step of a reminder's life,
//! which a timed kill cannot hit reliably. Without the variable a point costs one load.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the point to abort at.
pub const VARIABLE: &str = "MAGNET_FAULT_ABORT_AT";

/// Aborts the process here if the environment names this point (and this is the n-th
/// time it is reached, when it says `@n`).
pub fn point(name: &str) {
    static CHOSEN: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static REACHED: AtomicU64 = AtomicU64::new(0);
    let chosen = CHOSEN.get_or_init(|| {
        let value = std::env::var(VARIABLE).ok().filter(|v| !v.is_empty())?;
        Some(match value.split_once('@') {
            Some((point, nth)) => (point.to_string(), nth.parse().unwrap_or(1)),
            None => (value, 1),
        })
    });
    let Some((chosen, nth)) = chosen else { return };
    if chosen == name && REACHED.fetch_add(1, Ordering::Relaxed) + 1 == *nth {
        eprintln!("magnet: fault point `{name}` reached (time {nth}); aborting as {VARIABLE} asks");
        std::process::abort();
    }
}
