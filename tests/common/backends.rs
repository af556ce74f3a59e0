//! Running a store test on both backends: a fresh SQLite file and a fresh database in the
//! test PostgreSQL cluster. Included by the store-level tests with `#[macro_use]`:
//! `on_both_backends!(case, ...)` makes a test per case and backend, each calling
//! `case(store)`.

use magnet::store::Store;

/// A store on a new SQLite file in a folder that does not exist yet (the store creates it);
/// keep the directory alive as long as the store.
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nested/magnet.db").display());
    (Store::connect(&url, None, 1).await.unwrap(), dir)
}

/// The URL of a new, empty database in the test PostgreSQL cluster.
pub async fn postgres_url() -> String {
    magnet_testkit::postgres::fresh_database().await
}

/// A store on a new PostgreSQL database.
pub async fn postgres_store() -> Store {
    Store::connect(&postgres_url().await, None, 8).await.unwrap()
}

macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (store, _dir) = $crate::backends::sqlite_store().await;
                    super::$case(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case($crate::backends::postgres_store().await).await;
                }
            )*
        }
    };
}
