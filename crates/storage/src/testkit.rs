//! Fresh, migrated databases for tests: always an SQLite file, and a PostgreSQL database
//! when `TEILHABE_TEST_POSTGRES` names a server (the test command starts a private one).
//! With `TEILHABE_TEST_REQUIRE_POSTGRES=1` a missing server fails the test instead of
//! silently testing one backend.

use crate::{Backend, Db};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database for one test. The SQLite file is removed when this is dropped.
pub struct TestDb {
    pub db: Db,
    file: Option<PathBuf>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
    }
}

fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), n, nanos)
}

/// The PostgreSQL server URL for tests (no database part), if one is configured.
pub fn postgres_server() -> Option<String> {
    match std::env::var("TEILHABE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_string()),
        _ => {
            if std::env::var("TEILHABE_TEST_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("TEILHABE_TEST_REQUIRE_POSTGRES=1 but TEILHABE_TEST_POSTGRES is not set");
            }
            None
        }
    }
}

/// A new, empty SQLite file URL (nothing is created yet).
pub fn sqlite_url() -> (String, PathBuf) {
    let dir = std::env::temp_dir().join("teilhabe-tests");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!("t{}.db", unique()));
    (format!("sqlite://{}", file.display()), file)
}

/// Creates a new, empty PostgreSQL database on the test server and returns its URL.
pub async fn postgres_url(server: &str) -> String {
    let admin = Db::connect(&format!("{server}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("test PostgreSQL at {server}: {e}"));
    let name = format!("th_{}", unique());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.pool())
        .await
        .unwrap_or_else(|e| panic!("create test database: {e}"));
    admin.close().await;
    format!("{server}/{name}")
}

/// A fresh, migrated database of the given backend.
pub async fn fresh(backend: Backend) -> TestDb {
    let (url, file) = match backend {
        Backend::Sqlite => {
            let (url, file) = sqlite_url();
            (url, Some(file))
        }
        Backend::Postgres => {
            let server = postgres_server().unwrap_or_else(|| panic!("no test PostgreSQL"));
            (postgres_url(&server).await, None)
        }
    };
    let db = Db::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"));
    db.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate {url}: {e}"));
    TestDb { db, file }
}

/// The backends every storage test runs against: SQLite, and PostgreSQL when configured.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if postgres_server().is_some() {
        v.push(Backend::Postgres);
    }
    v
}

/// One fresh database per backend.
pub async fn all() -> Vec<TestDb> {
    let mut out = Vec::new();
    for b in backends() {
        out.push(fresh(b).await);
    }
    out
}
