//! The HTTP listener: `/healthz` for supervisors and load balancers, `/metrics` in the
//! Prometheus text format for monitoring, `/calendar/<pillar>.ics` for people to subscribe
//! to a pillar's meetings in their own calendar.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;

use crate::store::Store;

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
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/calendar/{file}", get(calendar))
        .with_state(store);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// 200 "ok" while the database answers, 503 with the reason otherwise.
async fn healthz(State(store): State<Store>) -> (StatusCode, String) {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n".to_string()),
        Err(error) => {
            tracing::warn!(%error, "health check: database not answering");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n".to_string())
        }
    }
}

/// A pillar's iCalendar feed; 404 for a pillar that does not exist.
async fn calendar(
    State(store): State<Store>,
    Path(file): Path<String>,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    const PLAIN: [(&str, &str); 1] = [("content-type", "text/plain; charset=utf-8")];
    let Some(pillar) = file.strip_suffix(".ics") else {
        return (
            StatusCode::NOT_FOUND,
            PLAIN,
            "calendars are at /calendar/<pillar>.ics\n".into(),
        );
    };
    match crate::schedule::calendar::feed(&store, pillar, chrono::Utc::now()).await {
        Ok(Some(text)) => (StatusCode::OK, [("content-type", "text/calendar; charset=utf-8")], text),
        Ok(None) => (StatusCode::NOT_FOUND, PLAIN, format!("there is no pillar `{pillar}`\n")),
        Err(error) => {
            tracing::warn!(%error, "calendar feed: database not answering");
            (StatusCode::SERVICE_UNAVAILABLE, PLAIN, "database unavailable\n".into())
        }
    }
}

/// What the database says now: events seen, deliveries by state, dead letters.
async fn metrics(State(store): State<Store>) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    const TEXT: [(&str, &str); 1] = [("content-type", "text/plain; version=0.0.4")];
    let inbound = store.table_row_count("inbound_events").await;
    let deliveries = store.delivery_counts().await;
    let (Ok(inbound), Ok(deliveries)) = (inbound, deliveries) else {
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
    (StatusCode::OK, TEXT, out)
}
