//! The HTTP listener: `/healthz` for supervisors and load balancers, `/metrics` in the
//! Prometheus text format for monitoring, `/calendar/<pillar>/<token>.ics` for people to
//! subscribe to a pillar's meetings in their own calendar (only with a calendar secret
//! configured; see `schedule::calendar`).

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;

use magnet_chat::UnreadableEvents;

use crate::config::Secret;
use crate::store::Store;

/// What the handlers share.
#[derive(Clone)]
struct Shared {
    store: Store,
    calendar_secret: Option<Secret>,
    unreadable: UnreadableEvents,
}

/// Binds the listener; the returned address has the real port when port 0 was asked for.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    Ok((listener, bound))
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    calendar_secret: Option<Secret>,
    unreadable: UnreadableEvents,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/calendar/{pillar}/{file}", get(calendar))
        .with_state(Shared {
            store,
            calendar_secret,
            unreadable,
        });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// 200 "ok" while the database answers, 503 with the reason otherwise.
async fn healthz(State(Shared { store, .. }): State<Shared>) -> (StatusCode, String) {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n".to_string()),
        Err(error) => {
            tracing::warn!(%error, "health check: database not answering");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n".to_string())
        }
    }
}

/// A pillar's iCalendar feed. The same 404 for an unknown pillar and a wrong token, so the
/// answer does not tell which pillars exist.
async fn calendar(
    State(shared): State<Shared>,
    Path((pillar, file)): Path<(String, String)>,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    const PLAIN: [(&str, &str); 1] = [("content-type", "text/plain; charset=utf-8")];
    let not_found = (StatusCode::NOT_FOUND, PLAIN, "no such calendar\n".to_string());
    let Some(secret) = &shared.calendar_secret else {
        return not_found;
    };
    let token = file.strip_suffix(".ics").unwrap_or_default();
    if !crate::schedule::calendar::token_matches(secret.expose(), &pillar, token) {
        return not_found;
    }
    match crate::schedule::calendar::feed(&shared.store, &pillar, chrono::Utc::now()).await {
        Ok(Some(text)) => (StatusCode::OK, [("content-type", "text/calendar; charset=utf-8")], text),
        Ok(None) => not_found,
        Err(error) => {
            tracing::warn!(%error, "calendar feed: database not answering");
            (StatusCode::SERVICE_UNAVAILABLE, PLAIN, "database unavailable\n".into())
        }
    }
}

/// What the database says now: events seen, deliveries by state, dead letters; and what
/// the adapters counted: events their platform library could not read.
async fn metrics(
    State(Shared { store, unreadable, .. }): State<Shared>,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    const TEXT: [(&str, &str); 1] = [("content-type", "text/plain; version=0.0.4")];
    let inbound = store.table_row_count("inbound_events").await;
    let deliveries = store.delivery_counts().await;
    let reminders = store.reminder_counts().await;
    let set_aside = store.set_aside_count().await;
    let paused = store.paused_rooms().await;
    let (Ok(inbound), Ok(deliveries), Ok(reminders), Ok(set_aside), Ok(paused)) =
        (inbound, deliveries, reminders, set_aside, paused)
    else {
        return (StatusCode::SERVICE_UNAVAILABLE, TEXT, "# database unavailable\n".into());
    };
    let mut out = String::new();
    out.push_str("# HELP magnet_inbound_events_total Events from chat rooms committed exactly once.\n");
    out.push_str("# TYPE magnet_inbound_events_total counter\n");
    out.push_str(&format!("magnet_inbound_events_total {inbound}\n"));
    out.push_str("# HELP magnet_deliveries Deliveries to chat rooms by state.\n");
    out.push_str("# TYPE magnet_deliveries gauge\n");
    for state in ["pending", "sending", "delivered", "dead"] {
        let count = deliveries.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
        out.push_str(&format!("magnet_deliveries{{state=\"{state}\"}} {count}\n"));
    }
    out.push_str("# HELP magnet_reminders Meeting reminders by state (missed: the bot could not send them in time).\n");
    out.push_str("# TYPE magnet_reminders gauge\n");
    for state in ["pending", "claimed", "sent", "late", "missed", "cancelled"] {
        let count = reminders.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
        out.push_str(&format!("magnet_reminders{{state=\"{state}\"}} {count}\n"));
    }
    unreadable_events(&mut out, &unreadable);
    out.push_str(
        "# HELP magnet_inbound_set_aside_total Events the store could never record, kept as seen and not bridged.\n",
    );
    out.push_str("# TYPE magnet_inbound_set_aside_total counter\n");
    out.push_str(&format!("magnet_inbound_set_aside_total {set_aside}\n"));
    out.push_str(
        "# HELP magnet_rooms_in_outage Rooms whose platform is not answering (unreachable or 5xx) right now.\n",
    );
    out.push_str("# TYPE magnet_rooms_in_outage gauge\n");
    out.push_str(&format!(
        "magnet_rooms_in_outage {}\n",
        crate::bridge::ROOMS_IN_OUTAGE.load(std::sync::atomic::Ordering::Relaxed)
    ));
    out.push_str("# HELP magnet_outage_retries_total Delivery tries that met an outage, since start.\n");
    out.push_str("# TYPE magnet_outage_retries_total counter\n");
    out.push_str(&format!(
        "magnet_outage_retries_total {}\n",
        crate::bridge::OUTAGE_RETRIES.load(std::sync::atomic::Ordering::Relaxed)
    ));
    out.push_str("# HELP magnet_paused_rooms Rooms whose deliveries wait for `resume` after repeated refusals.\n");
    out.push_str("# TYPE magnet_paused_rooms gauge\n");
    out.push_str(&format!("magnet_paused_rooms {}\n", paused.len()));
    (StatusCode::OK, TEXT, out)
}

/// Events dropped inside a platform library, one series per platform and event type.
fn unreadable_events(out: &mut String, unreadable: &UnreadableEvents) {
    out.push_str("# HELP magnet_unreadable_events_total Events a chat platform sent that its library could not read, so dropped (has the platform's API changed?).\n");
    out.push_str("# TYPE magnet_unreadable_events_total counter\n");
    for (platform, event, count) in unreadable.snapshot() {
        // The event type is the platform's word: escaped as the text format asks.
        let event = event.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
        out.push_str(&format!(
            "magnet_unreadable_events_total{{platform=\"{platform}\",event=\"{event}\"}} {count}\n"
        ));
    }
}

#[cfg(test)]
mod tests {
    use magnet_chat::Platform;

    use super::*;

    #[test]
    fn unreadable_events_are_a_counter_per_platform_and_event_type() {
        let unreadable = UnreadableEvents::default();
        let mut out = String::new();
        unreadable_events(&mut out, &unreadable);
        assert!(out.contains("# TYPE magnet_unreadable_events_total counter\n"), "{out}");
        assert!(!out.contains("magnet_unreadable_events_total{"), "{out}");
        unreadable.count(Platform::Discord, "MESSAGE_REACTION_ADD");
        unreadable.count(Platform::Discord, "MESSAGE_REACTION_ADD");
        unreadable.count(Platform::Discord, "ODD\"TYPE");
        let mut out = String::new();
        unreadable_events(&mut out, &unreadable);
        assert!(
            out.contains("magnet_unreadable_events_total{platform=\"discord\",event=\"MESSAGE_REACTION_ADD\"} 2\n"),
            "{out}"
        );
        assert!(
            out.contains("magnet_unreadable_events_total{platform=\"discord\",event=\"ODD\\\"TYPE\"} 1\n"),
            "{out}"
        );
    }
}
