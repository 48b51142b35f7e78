//! Storage: the one place that knows which SQL database is behind the site.
//!
//! SQLite (embedded, the default) and PostgreSQL are reached through sqlx's `Any` driver, so
//! domain crates write one portable SQL text with `$1` placeholders and plain types (i64, f64,
//! String, bytes). Where the dialects differ (row locking, online backup), this crate offers a
//! method instead of letting callers branch. Migrations are one tree per backend, embedded.

mod migrate;
pub mod platform;
pub mod testkit;

pub use sqlx;
pub use sqlx::any::AnyRow;
pub use sqlx::Row;

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyConnection, AnyPool};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unknown database URL scheme in {0:?}: use sqlite://FILE or postgres://USER@HOST/DB")]
    UnknownScheme(String),
    #[error("cannot reach the database {url}: {source}")]
    Unreachable { url: String, source: sqlx::Error },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error("the database has migration {0}, which this binary does not know: it is older than the database")]
    UnknownMigration(i64),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A handle on the site's database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; write transactions within this process queue here
    /// instead of failing with SQLITE_BUSY when two deferred transactions try to upgrade.
    write_lock: Arc<Mutex<()>>,
    url: String,
}

/// A write transaction. Commit it or it is rolled back when dropped.
pub struct Tx {
    tx: sqlx::Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    /// The connection to run statements on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Parses the scheme of a database URL without touching anything.
pub fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StorageError::UnknownScheme(redact(url)))
    }
}

/// Hides a password in a URL for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// Connects to `url`. SQLite files are created when missing (that is the embedded default);
    /// a PostgreSQL server that does not answer is an error, as is any other scheme.
    pub async fn connect(url: &str) -> Result<Db> {
        let backend = backend_of(url)?;
        sqlx::any::install_default_drivers();
        let mut real_url = url.to_string();
        if backend == Backend::Sqlite && !url.contains("mode=") && !url.contains(":memory:") {
            real_url.push(if url.contains('?') { '&' } else { '?' });
            real_url.push_str("mode=rwc");
        }
        // One direct attempt first, so that a server that is not there fails at once
        // instead of after the pool's retry window.
        {
            use sqlx::Connection;
            let probe =
                tokio::time::timeout(Duration::from_secs(10), AnyConnection::connect(&real_url))
                    .await
                    .map_err(|_| StorageError::Unreachable {
                        url: redact(url),
                        source: sqlx::Error::PoolTimedOut,
                    })?
                    .map_err(|source| StorageError::Unreachable {
                        url: redact(url),
                        source,
                    })?;
            let _ = probe.close().await;
        }
        let max = if backend == Backend::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| Box::pin(tune_connection(conn, backend)))
            .connect(&real_url)
            .await
            .map_err(|source| StorageError::Unreachable {
                url: redact(url),
                source,
            })?;
        sqlx::query("SELECT 1")
            .execute(&pool)
            .await
            .map_err(|source| StorageError::Unreachable {
                url: redact(url),
                source,
            })?;
        Ok(Db {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            url: url.to_string(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(Tx { tx, _guard: guard })
    }

    /// Applies every migration this binary knows that the database lacks.
    pub async fn migrate(&self) -> Result<usize> {
        migrate::run(self).await
    }

    /// The suffix that makes a `SELECT` lock the rows it returns and skip rows that other
    /// nodes hold: `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite, whose single
    /// writer already serialises.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Writes a consistent copy of a (possibly running) SQLite database to `path`.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StorageError::Other(
                "teilhabe backup copies SQLite databases; for PostgreSQL use pg_dump".into(),
            ));
        }
        if path.exists() {
            return Err(StorageError::Other(format!(
                "{} exists already; choose a new file",
                path.display()
            )));
        }
        let target = path.to_string_lossy().replace('\'', "''");
        sqlx::query(&format!("VACUUM INTO '{target}'"))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Per-connection settings: SQLite gets WAL, foreign keys and a busy timeout.
async fn tune_connection(conn: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        for pragma in [
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 10000",
            "PRAGMA synchronous = NORMAL",
        ] {
            sqlx::query(pragma).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Converts a stored 0/1 into a bool (both backends store flags as integers).
pub fn flag(v: i64) -> bool {
    v != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(backend_of("sqlite://x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(backend_of("postgres://u@h/d").ok(), Some(Backend::Postgres));
        assert!(matches!(
            backend_of("mysql://u@h/d"),
            Err(StorageError::UnknownScheme(_))
        ));
        assert!(matches!(
            backend_of("teilhabe.db"),
            Err(StorageError::UnknownScheme(_))
        ));
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
