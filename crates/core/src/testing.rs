//! Test support shared by every crate's tests: a fresh database per test, on
//! SQLite always and on PostgreSQL when `DONDOC_TEST_POSTGRES_URL` is set.
//! Compiled only with the `testing` feature (dev-dependencies turn it on).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, Database};

use crate::{config::DatabaseSettings, db};

/// Which store a test database lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of one's own for one test; dropped with it.
pub struct TestDatabase {
    pub db: db::Db,
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestDatabase({:?})", self.backend)
    }
}

pub fn database_settings(url: &str) -> DatabaseSettings {
    DatabaseSettings {
        url: url.to_string(),
        max_connections: 4,
        connect_timeout_secs: 10,
        busy_timeout_ms: 10_000,
    }
}

/// Whether `DONDOC_TEST_REQUIRE` names this dependency (then a skip is a failure).
pub fn required(what: &str) -> bool {
    std::env::var("DONDOC_TEST_REQUIRE")
        .map(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case(what)))
        .unwrap_or(false)
}

/// Reports a skipped part loudly, or fails when CI requires it.
pub fn skip(what: &str, why: &str) {
    if required(what) {
        panic!("{what} is required by DONDOC_TEST_REQUIRE but unavailable: {why}");
    }
    eprintln!("\n*** SKIPPED ({what}): {why} ***\n");
}

/// A fresh, migrated SQLite database in a temporary folder.
pub async fn sqlite() -> TestDatabase {
    let t = sqlite_unmigrated().await;
    db::migrate(&t.db).await.expect("migrate sqlite");
    t
}

/// A fresh SQLite database with no schema at all (migration tests).
pub async fn sqlite_unmigrated() -> TestDatabase {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let db = db::connect(&database_settings(&url))
        .await
        .expect("open sqlite");
    TestDatabase {
        db,
        url,
        backend: Backend::Sqlite,
        _dir: Some(dir),
        postgres: None,
    }
}

/// A fresh, migrated SQLite database in `dir`, a folder the test owns (a
/// small filesystem it mounted, to fill it up).
pub async fn sqlite_in(dir: &std::path::Path) -> TestDatabase {
    let url = format!("sqlite://{}/test.db", dir.display());
    let db = db::connect(&database_settings(&url))
        .await
        .expect("open sqlite");
    db::migrate(&db).await.expect("migrate sqlite");
    TestDatabase {
        db,
        url,
        backend: Backend::Sqlite,
        _dir: None,
        postgres: None,
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, migrated PostgreSQL database, or `None` (after a loud skip) when
/// `DONDOC_TEST_POSTGRES_URL` is unset.
pub async fn postgres() -> Option<TestDatabase> {
    let t = postgres_unmigrated().await?;
    db::migrate(&t.db).await.expect("migrate postgres");
    Some(t)
}

/// A fresh PostgreSQL database with no schema at all (migration tests).
pub async fn postgres_unmigrated() -> Option<TestDatabase> {
    let Ok(admin_url) = std::env::var("DONDOC_TEST_POSTGRES_URL") else {
        skip(
            "postgres",
            "DONDOC_TEST_POSTGRES_URL is not set; PostgreSQL tests did not run",
        );
        return None;
    };
    let admin = match Database::connect(admin_url.as_str()).await {
        Ok(conn) => conn,
        Err(err) => {
            skip(
                "postgres",
                &format!("cannot connect to DONDOC_TEST_POSTGRES_URL: {err}"),
            );
            return None;
        }
    };
    let name = format!(
        "dondoc_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        crate::accounts::secrets::random_token()
            .get(..8)
            .unwrap_or("x")
    );
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let url = replace_database(&admin_url, &name);
    let db = db::connect(&database_settings(&url))
        .await
        .expect("open postgres");
    Some(TestDatabase {
        db,
        url,
        backend: Backend::Postgres,
        _dir: None,
        postgres: Some((admin_url, name)),
    })
}

/// Unmigrated SQLite, plus PostgreSQL when configured.
pub async fn databases_unmigrated() -> Vec<TestDatabase> {
    let mut all = vec![sqlite_unmigrated().await];
    if let Some(pg) = postgres_unmigrated().await {
        all.push(pg);
    }
    all
}

/// SQLite, plus PostgreSQL when configured: run the test body on each.
pub async fn databases() -> Vec<TestDatabase> {
    let mut all = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        all.push(pg);
    }
    all
}

/// `postgres://u@h:5432/old?x` → `postgres://u@h:5432/new?x`.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host_part = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop the database from a thread of its own: Drop cannot await,
            // and FORCE closes the test's pooled connections.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async move {
                        if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name_only() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/dondoc_test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u:p@h/db?sslmode=disable", "y"),
            "postgres://u:p@h/y?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://h", "z"),
            "postgres://h/z"
        );
    }
}
