//! A small embedded migrator: one tree per backend, applied in order, each in a transaction.
//! (sqlx's own `migrate!` would need the sqlx-macros stack, which doubles the driver build.)

use crate::{Backend, Db, Result, StorageError};
use sqlx::Row;

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($v:expr, $name:literal) => {
        Migration {
            version: $v,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_concept_revision"),
    migration!(3, "0003_participation_organisations"),
    migration!(4, "0004_auth_totp_step"),
    migration!(5, "0005_participation_process"),
    migration!(6, "0006_participation_moderation"),
    migration!(7, "0007_participation_events_forums"),
    migration!(8, "0008_directory"),
    migration!(9, "0009_opinion"),
    migration!(10, "0010_themes"),
    migration!(11, "0011_measures"),
    migration!(12, "0012_monitoring"),
];

pub(crate) async fn run(db: &Db) -> Result<usize> {
    let mut conn = db.pool().acquire().await?;
    if db.backend() == Backend::Postgres {
        // Two nodes starting at once: one migrates, the other waits.
        sqlx::query("SELECT pg_advisory_lock(7242011)")
            .execute(&mut *conn)
            .await?;
    }
    let result = apply(db, &mut conn).await;
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7242011)")
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply(db: &Db, conn: &mut sqlx::AnyConnection) -> Result<usize> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    let applied: Vec<i64> = rows.iter().map(|r| r.get::<i64, _>(0)).collect();
    if let Some(&unknown) = applied
        .iter()
        .find(|v| !MIGRATIONS.iter().any(|m| m.version == **v))
    {
        return Err(StorageError::UnknownMigration(unknown));
    }
    let mut count = 0;
    for m in MIGRATIONS {
        if applied.contains(&m.version) {
            continue;
        }
        let sql = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let err = |source| StorageError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        sqlx::raw_sql("BEGIN")
            .execute(&mut *conn)
            .await
            .map_err(err)?;
        let step = async {
            sqlx::raw_sql(sql).execute(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(time_now())
            .execute(&mut *conn)
            .await?;
            Ok::<_, sqlx::Error>(())
        }
        .await;
        match step {
            Ok(()) => {
                sqlx::raw_sql("COMMIT")
                    .execute(&mut *conn)
                    .await
                    .map_err(err)?;
                count += 1;
            }
            Err(e) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                return Err(err(e));
            }
        }
    }
    Ok(count)
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
