//! The HTTP listener: `/healthz` for supervisors and load balancers, `/metrics` in the
//! Prometheus text format for monitoring.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
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
