//! Fresh PostgreSQL databases in the throwaway cluster, one per test.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Creates an empty database and returns its URL.
pub async fn fresh_database() -> String {
    let admin_url = crate::env::postgres_admin_url();
    let name = format!(
        "magnet_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    );
    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|error| panic!("cannot reach the test PostgreSQL at {admin_url}: {error}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    conn.close().await.ok();
    let mut url = url_with_database(&admin_url, &name);
    url.shrink_to_fit();
    url
}

fn url_with_database(admin_url: &str, name: &str) -> String {
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
    format!("{base}/{name}")
}
