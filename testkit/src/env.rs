//! The addresses of the test servers, as exported by `scripts/test`.

/// Reads a variable that `scripts/test` exports, or fails the test with instructions.
pub fn required(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "{name} is not set: this test needs the real servers that scripts/test starts; run `scripts/test` (it passes extra arguments to cargo test)"
        ),
    }
}

/// The PostgreSQL superuser URL of the throwaway cluster.
pub fn postgres_admin_url() -> String {
    required("MAGNET_TEST_PG_URL")
}

/// The Synapse client API base URL.
pub fn synapse_url() -> String {
    required("MAGNET_TEST_SYNAPSE_URL")
}

/// Synapse's registration shared secret, for creating users.
pub fn synapse_shared_secret() -> String {
    required("MAGNET_TEST_SYNAPSE_SECRET")
}

/// The Python of the test venv (with matrix-nio), for third-party client scripts.
pub fn python() -> String {
    required("MAGNET_TEST_PYTHON")
}

/// Headless Chromium, for the report's HTML (`scripts/test` installs it where it can).
pub fn chromium() -> String {
    match std::env::var("MAGNET_TEST_CHROMIUM") {
        Ok(path) if !path.is_empty() => path,
        _ => panic!(
            "MAGNET_TEST_CHROMIUM is not set: this test opens the report's HTML in headless Chromium; scripts/test installs the 'chromium' package when it runs as root with apt-get, and said why it could not otherwise. Install chromium and run scripts/test again."
        ),
    }
}
