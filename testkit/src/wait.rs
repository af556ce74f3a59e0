//! Waiting for something the system under test does: re-check until it holds or a limit
//! passes (never a fixed sleep in place of the event).

use std::future::Future;
use std::time::{Duration, Instant};

/// Re-checks `check` every 100 ms until it gives a value; `None` once `limit` has passed.
pub async fn until<T, F, Fut>(limit: Duration, check: F) -> Option<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
