//! The `magnet` binary as a child process: start it with a config, wait for what it logs,
//! stop it with SIGTERM or kill it with SIGKILL.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A running `magnet run`. Killed when dropped.
pub struct MagnetProcess {
    child: Child,
    log: Arc<(Mutex<Log>, Condvar)>,
}

#[derive(Default)]
struct Log {
    lines: Vec<String>,
    /// The process closed its stderr: it exited, and no more lines will come.
    closed: bool,
}

impl MagnetProcess {
    /// Starts `binary run --config CONFIG` in `workdir`, with extra environment variables.
    /// Logs go to this test's output too, and are kept for [`MagnetProcess::wait_for_log`].
    pub fn start(binary: &Path, config: &Path, workdir: &Path, env: &[(&str, &str)]) -> Result<MagnetProcess> {
        let mut command = Command::new(binary);
        command
            .arg("--config")
            .arg(config)
            .arg("run")
            .current_dir(workdir)
            .env_remove("RUST_LOG")
            .env_remove("MAGNET_CONFIG")
            // What it prints for people follows the locale; tests read English.
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .stdin(Stdio::null())
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped());
        // The bot's own default log filter, unless the test run asks for another.
        if let Ok(filter) = std::env::var("MAGNET_TEST_LOG") {
            command.env("RUST_LOG", filter);
        }
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new((Mutex::new(Log::default()), Condvar::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            let (log, changed) = &*sink;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[magnet] {line}");
                log.lock().unwrap_or_else(|p| p.into_inner()).lines.push(line);
                changed.notify_all();
            }
            log.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
            changed.notify_all();
        });
        Ok(MagnetProcess { child, log })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until a log line contains `needle`; returns that line.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let (log, changed) = &*self.log;
        let mut guard = log.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(line) = guard.lines.iter().find(|line| line.contains(needle)) {
                return Ok(line.clone());
            }
            if guard.closed {
                bail!("magnet exited without logging a line containing {needle:?}");
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!("magnet logged no line containing {needle:?} within {timeout:?}");
            }
            guard = changed.wait_timeout(guard, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// Every line logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.0.lock().unwrap_or_else(|p| p.into_inner()).lines.clone()
    }

    /// The address of the HTTP listener, once it is bound.
    pub fn http_addr(&self, timeout: Duration) -> Result<SocketAddr> {
        let line = self.wait_for_log("http listener bound", timeout)?;
        let addr = line
            .split_whitespace()
            .find_map(|word| word.strip_prefix("addr="))
            .with_context(|| format!("no addr= in {line:?}"))?;
        addr.parse().with_context(|| format!("bad address in {line:?}"))
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn stop(mut self, timeout: Duration) -> Result<ExitStatus> {
        signal(self.child.id(), libc::SIGTERM)?;
        self.wait(timeout)
    }

    /// Sends SIGKILL (a crash, as far as the process can tell) and reaps it.
    pub fn kill(mut self) -> Result<ExitStatus> {
        signal(self.child.id(), libc::SIGKILL)?;
        self.wait(Duration::from_secs(10))
    }

    /// Waits for the process to exit by itself.
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                bail!("magnet did not exit within {timeout:?}");
            }
            // Child processes have no async exit notification in std; poll briefly.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for MagnetProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn signal(pid: u32, signal: i32) -> Result<()> {
    // SAFETY: kill(2) with a pid we spawned and own; no memory is shared.
    let done = unsafe { libc::kill(pid as libc::pid_t, signal) };
    if done != 0 {
        bail!("kill({pid}, {signal}) failed: {}", std::io::Error::last_os_error());
    }
    Ok(())
}
