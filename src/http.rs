//! The HTTP listener: `/healthz` for supervisors and load balancers.

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
    let app = Router::new().route("/healthz", get(healthz)).with_state(store);
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
