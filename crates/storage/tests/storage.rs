//! Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use th_storage::{testkit, Backend, Db, Row};

type Schema = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn norm_type(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "int".into(),
        "text" => "text".into(),
        "real" | "double precision" => "float".into(),
        other => other.into(),
    }
}

async fn schema(db: &Db) -> Schema {
    let mut out = Schema::new();
    match db.backend() {
        Backend::Sqlite => {
            let tables = sqlx::query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(db.pool())
            .await
            .unwrap();
            for t in tables {
                let name: String = t.get(0);
                let cols =
                    sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
                        .bind(&name)
                        .fetch_all(db.pool())
                        .await
                        .unwrap();
                let entry = out.entry(name).or_default();
                for c in cols {
                    let not_null = c.get::<i64, _>(2) != 0 || c.get::<i64, _>(3) != 0;
                    entry.insert(c.get(0), (norm_type(&c.get::<String, _>(1)), not_null));
                }
            }
        }
        Backend::Postgres => {
            let cols = sqlx::query("SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns WHERE table_schema = 'public'")
                .fetch_all(db.pool())
                .await
                .unwrap();
            for c in cols {
                out.entry(c.get(0)).or_default().insert(
                    c.get(1),
                    (
                        norm_type(&c.get::<String, _>(2)),
                        c.get::<String, _>(3) == "NO",
                    ),
                );
            }
        }
    }
    out
}

#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let dbs = testkit::all().await;
    let schemas: Vec<Schema> = futures_join(&dbs).await;
    assert!(schemas[0].contains_key("concept_versions"));
    assert!(schemas[0].len() > 10, "{:?}", schemas[0].keys());
    if schemas.len() == 2 {
        assert_eq!(
            schemas[0], schemas[1],
            "SQLite and PostgreSQL schemas differ"
        );
    }
}

async fn futures_join(dbs: &[testkit::TestDb]) -> Vec<Schema> {
    let mut v = Vec::new();
    for d in dbs {
        v.push(schema(d).await);
    }
    v
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    for db in testkit::all().await {
        assert_eq!(db.migrate().await.unwrap(), 0, "{:?}", db.backend());
    }
}

#[tokio::test]
async fn tenants_resolve_by_host_with_default_fallback() {
    for db in testkit::all().await {
        let default = db.ensure_default_tenant(1).await.unwrap();
        let again = db.ensure_default_tenant(2).await.unwrap();
        assert_eq!(default.id, again.id, "default tenant created once");
        let other = db
            .add_tenant("Bremen.Example", "Stadt Bremen", 3)
            .await
            .unwrap();
        assert_eq!(other.host.as_deref(), Some("bremen.example"));
        assert!(db.add_tenant("bremen.example", "Doppelt", 4).await.is_err());
        assert!(db.add_tenant("bad host!", "X", 4).await.is_err());
        let t = db
            .tenant_for_host("bremen.example:8080")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.id, other.id);
        let t = db.tenant_for_host("127.0.0.1").await.unwrap().unwrap();
        assert_eq!(t.id, default.id);
    }
}

#[tokio::test]
async fn unknown_schemes_and_unreachable_servers_are_errors() {
    assert!(Db::connect("mysql://x@localhost/db").await.is_err());
    // Nothing listens on port 1; the error comes at once and no file is created.
    let err = Db::connect("postgres://nobody@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot reach"), "{err}");
}

#[tokio::test]
async fn sqlite_backup_is_a_consistent_copy() {
    let db = testkit::fresh(Backend::Sqlite).await;
    db.ensure_default_tenant(1).await.unwrap();
    let (_, target) = testkit::sqlite_url();
    db.backup_to(&target).await.unwrap();
    let copy = Db::connect(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    assert_eq!(copy.tenants().await.unwrap().len(), 1);
    assert!(db.backup_to(&target).await.is_err(), "never overwrites");
    copy.close().await;
    let _ = std::fs::remove_file(&target);
}

#[tokio::test]
async fn sqlite_pragmas_are_set() {
    let db = testkit::fresh(Backend::Sqlite).await;
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(fk, 1);
}
