//! A small Discord REST client for what the adapter sends.
//!
//! serenity's HTTP client is not used for sending: its rate limiter builds requests without
//! the configured API base (serenity 0.12.5, `http/ratelimiting.rs`), so the base could not
//! point at the simulator, and with the limiter off a 429 loses its `retry_after`. Here each
//! route's bucket is tracked from Discord's `X-RateLimit-*` headers: a request waits while
//! its bucket is empty, so a burst is queued in order rather than refused, and a 429 that
//! still happens comes back with its delay for the delivery worker.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use magnet_chat::ChatError;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

/// The client, shared by every channel.
pub struct Rest {
    http: reqwest::Client,
    /// e.g. `https://discord.com/api/v10`.
    base: String,
    token: String,
    /// Bucket key → when it may be used again.
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    remaining: u32,
    reset_at: Instant,
}

/// A failed attempt: wait and maybe try again, or give up.
enum Retry {
    Wait(Duration, Limited),
    Fail(ChatError),
}

struct Limited {
    error: ChatError,
    global: bool,
}

/// A file part of a multipart request.
pub struct FilePart {
    pub name: String,
    pub mime_type: Option<String>,
    pub data: Vec<u8>,
}

impl Rest {
    pub fn new(api_base: &str, token: &str) -> Rest {
        let base = format!("{}/v10", api_base.trim_end_matches('/').trim_end_matches("/v10"));
        Rest {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            base,
            token: token.to_string(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Sends a JSON request (authenticated unless `path` is a webhook token route).
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        bucket: &str,
        body: Option<&Value>,
    ) -> Result<Value, ChatError> {
        self.send(method, path, bucket, |request| match body {
            Some(body) => request.json(body),
            None => request,
        })
        .await
    }

    /// Sends a multipart request: `payload_json` plus `files[n]`.
    pub async fn multipart(
        &self,
        method: Method,
        path: &str,
        bucket: &str,
        body: &Value,
        files: &[FilePart],
    ) -> Result<Value, ChatError> {
        self.send(method, path, bucket, |request| {
            let mut form = reqwest::multipart::Form::new().text("payload_json", body.to_string());
            for (n, file) in files.iter().enumerate() {
                let mut part = reqwest::multipart::Part::bytes(file.data.clone()).file_name(file.name.clone());
                if let Some(mime) = &file.mime_type
                    && let Ok(with_mime) = reqwest::multipart::Part::bytes(file.data.clone())
                        .file_name(file.name.clone())
                        .mime_str(mime)
                {
                    part = with_mime;
                }
                form = form.part(format!("files[{n}]"), part);
            }
            request.multipart(form)
        })
        .await
    }

    /// Downloads an attachment URL.
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, ChatError> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| ChatError::Transient(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(classify(status, &Value::Null, None));
        }
        Ok(response
            .bytes()
            .await
            .map_err(|e| ChatError::Transient(e.without_url().to_string()))?
            .to_vec())
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        bucket: &str,
        build: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Value, ChatError> {
        // Reads and the global limit are waited out here; a delivery's own 429 goes back to
        // the delivery worker, which keeps its place in the queue.
        let mut tries = 0;
        loop {
            match self.send_once(method.clone(), path, bucket, &build).await {
                Err(Retry::Wait(delay, error)) if tries < 5 && (method == Method::GET || error.global) => {
                    tries += 1;
                    tokio::time::sleep(delay).await;
                }
                Err(Retry::Wait(_, error)) => return Err(error.error),
                Err(Retry::Fail(error)) => return Err(error),
                Ok(body) => return Ok(body),
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        bucket: &str,
        build: &impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Value, Retry> {
        self.wait_for(bucket).await;
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if !path.starts_with("/webhooks/") || path.matches('/').count() <= 2 {
            request = request.header("Authorization", format!("Bot {}", self.token));
        }
        let response = build(request)
            .send()
            .await
            // Without the URL: a webhook's path carries its token, and this text is logged
            // and kept with the delivery.
            .map_err(|e| {
                Retry::Fail(ChatError::Transient(format!(
                    "Discord unreachable: {}",
                    e.without_url()
                )))
            })?;
        let status = response.status();
        let headers = response.headers().clone();
        self.record(bucket, &headers).await;
        let text = response.text().await.unwrap_or_default();
        let body: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        if status.is_success() {
            return Ok(body);
        }
        let retry_after = body["retry_after"]
            .as_f64()
            .or_else(|| {
                headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
            })
            .map(Duration::from_secs_f64);
        let error = classify(status, &body, retry_after);
        if status == StatusCode::TOO_MANY_REQUESTS {
            let delay = retry_after.unwrap_or(Duration::from_secs(1));
            let global = body["global"].as_bool().unwrap_or(false);
            tracing::debug!(bucket, ?delay, global, "discord: rate limited");
            if !global {
                self.block(bucket, delay).await;
            }
            return Err(Retry::Wait(delay, Limited { error, global }));
        }
        Err(Retry::Fail(error))
    }

    /// Waits while the bucket is spent.
    async fn wait_for(&self, bucket: &str) {
        loop {
            let wait = {
                let mut buckets = self.buckets.lock().await;
                match buckets.get_mut(bucket) {
                    Some(state) if state.remaining == 0 && state.reset_at > Instant::now() => {
                        state.reset_at - Instant::now()
                    }
                    Some(state) => {
                        // Count this request against the bucket until the answer says more.
                        state.remaining = state.remaining.saturating_sub(1);
                        return;
                    }
                    None => return,
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    async fn record(&self, bucket: &str, headers: &reqwest::header::HeaderMap) {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok())
        };
        if let (Some(remaining), Some(reset_after)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-reset-after"))
        {
            let state = Bucket {
                remaining: remaining as u32,
                reset_at: Instant::now() + Duration::from_secs_f64(reset_after),
            };
            self.buckets.lock().await.insert(bucket.to_string(), state);
        }
    }

    async fn block(&self, bucket: &str, delay: Duration) {
        let state = Bucket {
            remaining: 0,
            reset_at: Instant::now() + delay,
        };
        self.buckets.lock().await.insert(bucket.to_string(), state);
    }
}

/// Sorts a failed request: wait and retry, or give up.
fn classify(status: StatusCode, body: &Value, retry_after: Option<Duration>) -> ChatError {
    let detail = match (body["code"].as_u64(), body["message"].as_str()) {
        (Some(code), Some(message)) => format!("{status}: {message} (code {code})"),
        _ => status.to_string(),
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        ChatError::RateLimited {
            retry_after: retry_after.unwrap_or(Duration::from_secs(1)),
        }
    } else if status.is_server_error() {
        ChatError::Transient(detail)
    } else {
        ChatError::Permanent(detail)
    }
}

/// Discord's error code in a refusal, when there is one (e.g. 10015 Unknown Webhook).
pub fn error_code(error: &ChatError) -> Option<u64> {
    match error {
        ChatError::Permanent(detail) => detail.rsplit("(code ").next()?.trim_end_matches(')').parse().ok(),
        _ => None,
    }
}
