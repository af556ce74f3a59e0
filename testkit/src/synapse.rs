//! Users and rooms on the real Synapse, through its client-server API: enough to act as the
//! humans on the Matrix side of a test.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha1::Sha1;

/// The test homeserver.
#[derive(Clone)]
pub struct Synapse {
    pub url: String,
    shared_secret: String,
    http: reqwest::Client,
}

/// A logged-in Matrix user.
#[derive(Clone)]
pub struct MatrixUser {
    pub user_id: String,
    pub password: String,
    pub access_token: String,
    pub homeserver: String,
    http: reqwest::Client,
}

impl Synapse {
    /// The homeserver started by `scripts/test`.
    pub fn from_env() -> Synapse {
        Synapse::new(&crate::env::synapse_url(), &crate::env::synapse_shared_secret())
    }

    /// A homeserver at `url` that registers users with this shared secret.
    pub fn new(url: &str, shared_secret: &str) -> Synapse {
        Synapse {
            url: url.to_string(),
            shared_secret: shared_secret.to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
        }
    }

    /// Registers a new user whose name starts with `prefix` (a random suffix keeps tests
    /// apart) through the shared-secret admin API, and logs them in.
    pub async fn register_user(&self, prefix: &str) -> Result<MatrixUser> {
        let username = format!("{prefix}{}", rand::random::<u32>());
        let password = format!("pw-{}", rand::random::<u64>());
        let endpoint = format!("{}/_synapse/admin/v1/register", self.url);
        let nonce: Value = self
            .http
            .get(&endpoint)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let nonce = nonce["nonce"].as_str().context("no nonce from Synapse")?.to_string();
        let mut mac = Hmac::<Sha1>::new_from_slice(self.shared_secret.as_bytes()).expect("any key length");
        mac.update(format!("{nonce}\0{username}\0{password}\0notadmin").as_bytes());
        let mac = hex::encode(mac.finalize().into_bytes());
        let response = self
            .http
            .post(&endpoint)
            .json(&json!({"nonce": nonce, "username": username, "password": password, "admin": false, "mac": mac}))
            .send()
            .await?;
        let body = checked_json(response).await.context("registering a user")?;
        Ok(MatrixUser {
            user_id: body["user_id"].as_str().context("no user_id")?.to_string(),
            access_token: body["access_token"].as_str().context("no access_token")?.to_string(),
            password,
            homeserver: self.url.clone(),
            http: self.http.clone(),
        })
    }
}

impl MatrixUser {
    fn api(&self, path: &str) -> String {
        format!("{}/_matrix/client/v3{path}", self.homeserver)
    }

    async fn request(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut request = self
            .http
            .request(method, self.api(path))
            .bearer_auth(&self.access_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        checked_json(request.send().await?)
            .await
            .with_context(|| format!("{} {path}", self.user_id))
    }

    /// Creates a private room, inviting the given users; returns its id.
    pub async fn create_room(&self, name: &str, invite: &[&str]) -> Result<String> {
        let body = self
            .request(
                reqwest::Method::POST,
                "/createRoom",
                Some(json!({"name": name, "preset": "private_chat", "invite": invite})),
            )
            .await?;
        Ok(body["room_id"].as_str().context("no room_id")?.to_string())
    }

    /// Invites a user to a room.
    pub async fn invite(&self, room: &str, user_id: &str) -> Result<()> {
        self.request(
            reqwest::Method::POST,
            &format!("/rooms/{}/invite", encode(room)),
            Some(json!({"user_id": user_id})),
        )
        .await?;
        Ok(())
    }

    /// Creates a public room with a local alias `#<alias>:<server>`; returns (room id, alias).
    pub async fn create_room_with_alias(&self, alias: &str) -> Result<(String, String)> {
        let body = self
            .request(
                reqwest::Method::POST,
                "/createRoom",
                Some(json!({"name": alias, "preset": "public_chat", "room_alias_name": alias})),
            )
            .await?;
        let server = self
            .user_id
            .split_once(':')
            .map(|(_, server)| server)
            .context("a user id with a server")?;
        Ok((
            body["room_id"].as_str().context("no room_id")?.to_string(),
            format!("#{alias}:{server}"),
        ))
    }

    /// Joins a room by id or alias.
    pub async fn join(&self, room: &str) -> Result<()> {
        self.request(
            reqwest::Method::POST,
            &format!("/join/{}", encode(room)),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// Sends a plain text message; returns its event id.
    pub async fn send_text(&self, room: &str, text: &str) -> Result<String> {
        self.send_event(room, "m.room.message", json!({"msgtype": "m.text", "body": text}))
            .await
    }

    /// Sends any message-like event; returns its event id.
    pub async fn send_event(&self, room: &str, event_type: &str, content: Value) -> Result<String> {
        let txn = format!("t{}", rand::random::<u64>());
        let body = self
            .request(
                reqwest::Method::PUT,
                &format!("/rooms/{}/send/{event_type}/{txn}", encode(room)),
                Some(content),
            )
            .await?;
        Ok(body["event_id"].as_str().context("no event_id")?.to_string())
    }

    /// Redacts an event; returns the redaction's event id.
    pub async fn redact(&self, room: &str, event_id: &str) -> Result<String> {
        let txn = format!("r{}", rand::random::<u64>());
        let body = self
            .request(
                reqwest::Method::PUT,
                &format!("/rooms/{}/redact/{}/{txn}", encode(room), encode(event_id)),
                Some(json!({})),
            )
            .await?;
        Ok(body["event_id"].as_str().context("no event_id")?.to_string())
    }

    /// Uploads bytes to the media repository; returns the mxc:// URI.
    pub async fn upload_media(&self, name: &str, mime: &str, data: Vec<u8>) -> Result<String> {
        let url = format!("{}/_matrix/media/v3/upload?filename={}", self.homeserver, encode(name));
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.access_token)
            .header("Content-Type", mime)
            .body(data)
            .send()
            .await?;
        let body = checked_json(response).await.context("uploading media")?;
        Ok(body["content_uri"].as_str().context("no content_uri")?.to_string())
    }

    /// Downloads an mxc:// URI through the authenticated media API.
    pub async fn download_media(&self, mxc: &str) -> Result<Vec<u8>> {
        let path = mxc.strip_prefix("mxc://").context("not an mxc URI")?;
        let url = format!("{}/_matrix/client/v1/media/download/{path}", self.homeserver);
        let response = self.http.get(url).bearer_auth(&self.access_token).send().await?;
        if !response.status().is_success() {
            bail!("download of {mxc} answered {}", response.status());
        }
        Ok(response.bytes().await?.to_vec())
    }

    /// Sets this user's display name.
    pub async fn set_display_name(&self, name: &str) -> Result<()> {
        self.request(
            reqwest::Method::PUT,
            &format!("/profile/{}/displayname", encode(&self.user_id)),
            Some(json!({"displayname": name})),
        )
        .await?;
        Ok(())
    }

    /// The events of a room, oldest first, as this user sees them (up to `limit`).
    pub async fn recent_events(&self, room: &str, limit: u32) -> Result<Vec<Value>> {
        let body = self
            .request(
                reqwest::Method::GET,
                &format!("/rooms/{}/messages?dir=b&limit={limit}", encode(room)),
                None,
            )
            .await?;
        let mut events = body["chunk"].as_array().cloned().unwrap_or_default();
        events.reverse();
        Ok(events)
    }

    /// Every event of a room this user can see, oldest first, paging forward from the
    /// room's beginning.
    pub async fn all_events(&self, room: &str) -> Result<Vec<Value>> {
        let mut events = Vec::new();
        let mut from: Option<String> = None;
        loop {
            let mut path = format!("/rooms/{}/messages?dir=f&limit=1000", encode(room));
            if let Some(from) = &from {
                path.push_str(&format!("&from={}", encode(from)));
            }
            let body = self.request(reqwest::Method::GET, &path, None).await?;
            let chunk = body["chunk"].as_array().cloned().unwrap_or_default();
            if chunk.is_empty() {
                return Ok(events);
            }
            events.extend(chunk);
            match body["end"].as_str() {
                Some(end) => from = Some(end.to_string()),
                None => return Ok(events),
            }
        }
    }

    /// Syncs until a message event in `room` satisfies `wanted`, or `timeout` passes.
    /// Returns the event. Long-polls, so it waits for the event rather than sleeping.
    pub async fn wait_for_message(
        &self,
        room: &str,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        self.wait_from(room, &mut None, timeout, wanted).await
    }

    /// Where the room's timeline is now, for [`Self::wait_for_message_since`]: a sync with
    /// no timeline.
    pub async fn sync_position(&self, room: &str) -> Result<String> {
        let filter = json!({"room": {"rooms": [room], "timeline": {"limit": 0}}, "presence": {"limit": 0}}).to_string();
        let body = self
            .request(reqwest::Method::GET, &format!("/sync?filter={}", encode(&filter)), None)
            .await?;
        body["next_batch"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("a sync without next_batch"))
    }

    /// As [`Self::wait_for_message`], looking only at what arrives after `since` (from
    /// [`Self::sync_position`]) and moving `since` on past what was seen: a run of waits
    /// makes only incremental syncs, so that the observer does not load the homeserver
    /// with a full sync of a growing room each time (a benchmark's measured window stays
    /// free of it).
    pub async fn wait_for_message_since(
        &self,
        room: &str,
        since: &mut String,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let mut from = Some(since.clone());
        let found = self.wait_from(room, &mut from, timeout, wanted).await;
        if let Some(from) = from {
            *since = from;
        }
        found
    }

    async fn wait_from(
        &self,
        room: &str,
        since: &mut Option<String>,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        let filter = json!({"room": {"rooms": [room], "timeline": {"limit": 100}}}).to_string();
        while Instant::now() < deadline {
            let mut path = format!("/sync?timeout=1000&filter={}", encode(&filter));
            if let Some(since) = since.as_deref() {
                path.push_str(&format!("&since={}", encode(since)));
            }
            let body = self.request(reqwest::Method::GET, &path, None).await?;
            let events = body["rooms"]["join"][room]["timeline"]["events"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            *since = body["next_batch"].as_str().map(str::to_string).or(since.take());
            if let Some(event) = events.into_iter().find(|e| e["type"] == "m.room.message" && wanted(e)) {
                return Ok(event);
            }
        }
        bail!("{} saw no matching message in {room} within {timeout:?}", self.user_id)
    }
}

async fn checked_json(response: reqwest::Response) -> Result<Value> {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("HTTP {status}: {body}");
    }
    Ok(body)
}

/// Percent-encodes everything outside the unreserved set, for ids in URL paths and queries.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
