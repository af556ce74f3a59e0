//! A Matrix user driven through matrix-nio (a Python client, in the test venv): what the
//! end-to-end tests use where the human side should be another implementation than the
//! bot's (a direct chat opened with the bot, votes, questions answered there).

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::MatrixUser;

const SCRIPT: &str = include_str!("nio_client.py");

/// A Matrix account as matrix-nio logs it in (a new device per run of steps).
pub struct NioUser {
    pub user_id: String,
    password: String,
    homeserver: String,
}

impl NioUser {
    pub fn new(user: &MatrixUser) -> NioUser {
        NioUser {
            user_id: user.user_id.clone(),
            password: user.password.clone(),
            homeserver: user.homeserver.clone(),
        }
    }

    /// Runs steps in one client session; one result per step.
    pub async fn run(&self, steps: Vec<Value>) -> Result<Vec<Value>> {
        let request = json!({
            "homeserver": self.homeserver,
            "user_id": self.user_id,
            "password": self.password,
            "steps": steps,
        });
        let mut child = tokio::process::Command::new(crate::env::python())
            .arg("-c")
            .arg(SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting matrix-nio")?;
        let mut stdin = child.stdin.take().context("nio's stdin")?;
        stdin.write_all(request.to_string().as_bytes()).await?;
        drop(stdin);
        let output = child.wait_with_output().await?;
        let results: Vec<Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        if let Some(error) = results.iter().find_map(|r| r["error"].as_str()) {
            bail!("matrix-nio as {}: {error}", self.user_id);
        }
        if !output.status.success() {
            bail!(
                "matrix-nio as {} failed: {}",
                self.user_id,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(results)
    }

    /// Opens a direct chat with `with`; its room id.
    pub async fn create_direct_room(&self, with: &str) -> Result<String> {
        let results = self.run(vec![json!({"do": "create_dm", "with": with})]).await?;
        results[0]["room_id"].as_str().map(str::to_string).context("no room id")
    }

    /// Sends a text message; its event id.
    pub async fn send_text(&self, room: &str, text: &str) -> Result<String> {
        let content = json!({"msgtype": "m.text", "body": text});
        self.send(room, "m.room.message", content).await
    }

    /// Chooses `answers` in a poll, as MSC3381 clients do (the whole choice each time).
    pub async fn vote(&self, room: &str, poll: &str, answers: &[&str]) -> Result<String> {
        let content = json!({
            "m.relates_to": {"rel_type": "m.reference", "event_id": poll},
            "org.matrix.msc3381.poll.response": {"answers": answers},
        });
        self.send(room, "org.matrix.msc3381.poll.response", content).await
    }

    async fn send(&self, room: &str, event_type: &str, content: Value) -> Result<String> {
        let results = self
            .run(vec![
                json!({"do": "send", "room": room, "type": event_type, "content": content}),
            ])
            .await?;
        results[0]["event_id"]
            .as_str()
            .map(str::to_string)
            .context("no event id")
    }

    /// Sends `text` in `room` and waits (up to `timeout`) for `from`'s reply to it: its body.
    pub async fn ask(&self, room: &str, text: &str, from: &str, timeout: Duration) -> Result<String> {
        let event_id = self.send_text(room, text).await?;
        let results = self
            .run(vec![json!({
                "do": "wait_reply", "room": room, "sender": from, "event_id": event_id,
                "timeout": timeout.as_secs_f64(),
            })])
            .await?;
        results[0]["body"]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("no reply from {from} to `{text}`"))
    }
}
