//! A Synapse of a test's own, for tests that stop and restart the homeserver (the shared
//! one from `scripts/test` must stay up for every other test). Set up the way
//! `scripts/servers.sh` sets up the shared one: loopback, client API, no rate limits.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::synapse::Synapse;

/// A running private homeserver; stopped when dropped.
pub struct SynapseServer {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
    secret: String,
}

fn config_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/synapse-test-config.py")
}

impl SynapseServer {
    /// Generates a config in a fresh directory and starts Synapse on a free port.
    pub async fn start() -> Result<SynapseServer> {
        let python = crate::env::python();
        let dir = tempfile::tempdir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let config = dir.path().join("homeserver.yaml");
        let generated = Command::new(&python)
            .args([
                "-m",
                "synapse.app.homeserver",
                "--server-name",
                "localhost",
                "--config-path",
            ])
            .arg(&config)
            .arg("--data-directory")
            .arg(dir.path())
            .args(["--generate-config", "--report-stats=no"])
            .output()?;
        if !generated.status.success() {
            bail!(
                "synapse --generate-config: {}",
                String::from_utf8_lossy(&generated.stderr)
            );
        }
        let patched = Command::new(&python)
            .arg(config_script())
            .arg(&config)
            .arg(port.to_string())
            .output()?;
        if !patched.status.success() {
            bail!("synapse-test-config.py: {}", String::from_utf8_lossy(&patched.stderr));
        }
        let text = std::fs::read_to_string(&config)?;
        let secret = text
            .lines()
            .find_map(|line| line.strip_prefix("registration_shared_secret:"))
            .map(|value| value.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
            .context("no registration_shared_secret in the generated config")?;
        let mut server = SynapseServer {
            dir,
            port,
            child: None,
            secret,
        };
        server.spawn().await?;
        Ok(server)
    }

    /// A client of this homeserver.
    pub fn client(&self) -> Synapse {
        Synapse::new(&self.url(), &self.secret)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops it (SIGTERM, then SIGKILL after 10 s) and starts it again on the same port
    /// with the same data; returns once it answers.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop();
        self.spawn().await
    }

    /// Stops it (a homeserver that is down: connections refused) until [`SynapseServer::up`].
    pub fn down(&mut self) {
        self.stop();
    }

    /// Starts it again after [`SynapseServer::down`], on the same port with the same data;
    /// returns once it answers.
    pub async fn up(&mut self) -> Result<()> {
        self.spawn().await
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            unsafe {
                libc::kill(child.id() as i32, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    async fn spawn(&mut self) -> Result<()> {
        let child = Command::new(crate::env::python())
            .args(["-m", "synapse.app.homeserver", "-c", "homeserver.yaml"])
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let versions = format!("{}/_matrix/client/versions", self.url());
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                bail!(
                    "Synapse exited during start ({status}); see {}",
                    self.dir.path().display()
                );
            }
            if http.get(&versions).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("Synapse did not answer within 90 s")
    }
}

impl Drop for SynapseServer {
    fn drop(&mut self) {
        self.stop();
    }
}
