//! What the wire to Discord costs, for REST: the simulated latency held on every answer,
//! and the count of requests per route, served as Prometheus text on `GET /metrics`. (The
//! gateway holds its frames in `gateway.rs`.)
//!
//! A request takes effect when it arrives, and its answer is held for the latency: a REST
//! call costs the bot one latency, as a round trip to Discord does, and concurrent calls are
//! each held for their own, not one after another.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::SimState;

/// The REST API's prefix; what is under it is counted by route.
const API: &str = "/api/v10";

/// The middleware around the whole server: counts and delays what the bot asks of the REST
/// API, and delays attachment downloads (Discord's CDN is on the same wire). The gateway's
/// upgrade, the control API and `/metrics` pass untouched: they are not Discord.
pub async fn layer(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if let Some(rest) = path.strip_prefix(API) {
        let route = match request.extensions().get::<MatchedPath>() {
            Some(matched) => matched
                .as_str()
                .strip_prefix(API)
                .unwrap_or(matched.as_str())
                .to_string(),
            // A route the simulator does not serve: still asked, so still counted.
            None => template(rest),
        };
        let key = format!("{} {route}", request.method());
        *state
            .rest_counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key)
            .or_default() += 1;
    } else if !path.starts_with("/attachments/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    // Read after the answer is ready, so that a change applies to requests under way.
    let latency = state.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    response
}

/// A path with its ids replaced by `{id}`, for a route the router does not name.
fn template(path: &str) -> String {
    path.split('/')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The REST requests received so far, by `METHOD /route` (the router's template, as in
/// `GET /channels/{channel}/messages`).
pub fn rest_counts(state: &SimState) -> BTreeMap<String, u64> {
    state.rest_counts.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// `GET /metrics`: the counts and the latency as Prometheus text (exposition format 0.0.4).
pub async fn metrics(State(state): State<Arc<SimState>>) -> Response {
    let mut text = String::new();
    text.push_str("# HELP discord_sim_rest_requests_total REST requests received, by method and route.\n");
    text.push_str("# TYPE discord_sim_rest_requests_total counter\n");
    for (key, count) in rest_counts(&state) {
        let (method, route) = key.split_once(' ').unwrap_or((key.as_str(), ""));
        let _ = writeln!(
            text,
            "discord_sim_rest_requests_total{{method=\"{}\",route=\"{}\"}} {count}",
            label(method),
            label(route)
        );
    }
    text.push_str("# HELP discord_sim_latency_seconds The latency held on every REST answer and gateway frame.\n");
    text.push_str("# TYPE discord_sim_latency_seconds gauge\n");
    let _ = writeln!(text, "discord_sim_latency_seconds {}", state.latency().as_secs_f64());
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// A label value escaped as the exposition format wants.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_an_unknown_route_become_a_template() {
        assert_eq!(
            template("/channels/123/threads/456/members"),
            "/channels/{id}/threads/{id}/members"
        );
        assert_eq!(template("/users/@me"), "/users/@me");
    }
}
