//! Data retention: a process keeps its participants' personal data for the days it sets after
//! its last phase ends; then this erases them. Contributions, forum posts and event figures
//! stay as anonymised text and numbers; names, addresses, accounts and links go.

use crate::Result;
use th_core::TenantId;
use th_storage::{sqlx, Db, Row};

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Erased {
    pub process_id: i64,
    pub contributions: u64,
    pub supports: u64,
    pub registrations: u64,
    pub posts: u64,
    pub invitations: u64,
}

/// The moment a process's personal data is due for erasure: the end of its last phase plus
/// its retention period. None when it has no phases.
pub async fn due_at(db: &Db, t: TenantId, process: i64) -> Result<Option<i64>> {
    let r = sqlx::query("SELECT MAX(ph.ends_on), MAX(p.retention_days) FROM part_phases ph JOIN part_processes p ON p.id = ph.process_id WHERE p.tenant_id = $1 AND p.id = $2")
        .bind(t.0)
        .bind(process)
        .fetch_one(db.pool())
        .await?;
    let end: Option<i64> = r.get(0);
    let days: Option<i64> = r.get(1);
    Ok(end.map(|e| e + days.unwrap_or(0) * 86_400))
}

/// Erases the personal data of every process of the tenant whose retention has run out.
/// Idempotent, and safe on several nodes at once: a process is claimed by setting
/// `erased_at` in the same transaction as the erasure.
pub async fn run(db: &Db, t: TenantId, now: i64) -> Result<Vec<Erased>> {
    let candidates: Vec<i64> = sqlx::query(
        "SELECT id FROM part_processes WHERE tenant_id = $1 AND erased_at IS NULL ORDER BY id",
    )
    .bind(t.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    let mut out = vec![];
    for p in candidates {
        match due_at(db, t, p).await? {
            Some(due) if due <= now => {}
            _ => continue,
        }
        if let Some(e) = erase(db, t, p, now).await? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Erases one process's personal data now (also used when a coordinator ends it early).
pub async fn erase(db: &Db, t: TenantId, process: i64, now: i64) -> Result<Option<Erased>> {
    let mut tx = db.begin().await?;
    let claimed = sqlx::query("UPDATE part_processes SET erased_at = $1 WHERE tenant_id = $2 AND id = $3 AND erased_at IS NULL")
        .bind(now)
        .bind(t.0)
        .bind(process)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if claimed == 0 {
        return Ok(None);
    }
    let mut e = Erased {
        process_id: process,
        ..Default::default()
    };
    // Contributions: the author's account, pseudonym, notification address, and the contact
    // person named in a good approach.
    let rows = sqlx::query("SELECT id, details FROM part_contributions WHERE process_id = $1")
        .bind(process)
        .fetch_all(tx.conn())
        .await?;
    for r in rows {
        let id: i64 = r.get(0);
        let mut details: serde_json::Value =
            serde_json::from_str(&r.get::<String, _>(1)).unwrap_or_default();
        if let Some(obj) = details.as_object_mut() {
            obj.insert("contact".into(), serde_json::Value::String(String::new()));
        }
        e.contributions += sqlx::query("UPDATE part_contributions SET author_user_id = NULL, pseudonym = '', notify_email = '', details = $1 WHERE id = $2")
            .bind(details.to_string())
            .bind(id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        crate::contribution::reindex(&mut tx, id).await?;
        // Supports keep their number but no longer point at accounts.
        let supports: Vec<i64> = sqlx::query(
            "SELECT user_id FROM part_supports WHERE contribution_id = $1 AND user_id > 0",
        )
        .bind(id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        for (i, u) in supports.iter().enumerate() {
            e.supports += sqlx::query(
                "UPDATE part_supports SET user_id = $1 WHERE contribution_id = $2 AND user_id = $3",
            )
            .bind(-(i as i64) - 1)
            .bind(id)
            .bind(u)
            .execute(tx.conn())
            .await?
            .rows_affected();
        }
    }
    // Event registrations: names, addresses, accounts, needs; the counts stay.
    e.registrations = sqlx::query("UPDATE part_registrations SET name = '', email = '', user_id = NULL, needs = '', person_key = 'erased:' || CAST(id AS TEXT), token_hash = 'erased:' || CAST(id AS TEXT) WHERE event_id IN (SELECT id FROM part_events WHERE process_id = $1) AND email <> ''")
        .bind(process)
        .execute(tx.conn())
        .await?
        .rows_affected();
    // Forum posts: who wrote them.
    e.posts = sqlx::query("UPDATE part_posts SET author_user_id = NULL, pseudonym = '' WHERE thread_id IN (SELECT id FROM part_threads WHERE process_id = $1) AND (author_user_id IS NOT NULL OR pseudonym <> '')")
        .bind(process)
        .execute(tx.conn())
        .await?
        .rows_affected();
    // Invitation links: no longer usable, no device or code kept.
    e.invitations = sqlx::query("UPDATE part_invitations SET revoked_at = COALESCE(revoked_at, $1), devices = '', extra_tokens = '', code_hash = NULL, code_expires_at = NULL WHERE campaign_id IN (SELECT id FROM part_campaigns WHERE process_id = $2)")
        .bind(now)
        .bind(process)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(Some(e))
}

/// Everything the participation module holds about one person with an account, for the
/// export of their data.
pub async fn export_person(db: &Db, t: TenantId, user: i64) -> Result<serde_json::Value> {
    let contributions: Vec<serde_json::Value> = sqlx::query("SELECT id, title, body, pseudonym, created_at FROM part_contributions WHERE tenant_id = $1 AND author_user_id = $2 ORDER BY id")
        .bind(t.0)
        .bind(user)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| serde_json::json!({ "id": r.get::<i64, _>(0), "title": r.get::<String, _>(1), "body": r.get::<String, _>(2), "pseudonym": r.get::<String, _>(3), "created_at": r.get::<i64, _>(4) }))
        .collect();
    let supports: Vec<i64> = sqlx::query("SELECT s.contribution_id FROM part_supports s JOIN part_contributions c ON c.id = s.contribution_id WHERE c.tenant_id = $1 AND s.user_id = $2 ORDER BY 1")
        .bind(t.0)
        .bind(user)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let registrations = crate::event::registrations_of(db, t, None, Some(user)).await?;
    let posts: Vec<serde_json::Value> = sqlx::query("SELECT id, thread_id, body, pseudonym, created_at FROM part_posts WHERE tenant_id = $1 AND author_user_id = $2 ORDER BY id")
        .bind(t.0)
        .bind(user)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| serde_json::json!({ "id": r.get::<i64, _>(0), "thread_id": r.get::<i64, _>(1), "body": r.get::<String, _>(2), "pseudonym": r.get::<String, _>(3), "created_at": r.get::<i64, _>(4) }))
        .collect();
    let digest = crate::forum::digest_of(db, t, user).await?;
    Ok(serde_json::json!({
        "contributions": contributions,
        "supports": supports,
        "event_registrations": registrations,
        "forum_posts": posts,
        "forum_digest": digest,
    }))
}

/// Erases one person's participation data when they erase their account: their places at
/// coming events are given up first (the waiting list moves up), then contributions and posts
/// stay as anonymised text, supports and digests go.
pub async fn erase_person(db: &Db, mail: &crate::event::Mailer<'_>, user: i64) -> Result<()> {
    let t = mail.tenant;
    for r in crate::event::registrations_of(db, t, None, Some(user)).await? {
        if r.status != crate::event::RegStatus::Cancelled {
            crate::event::cancel(db, mail, r.id).await?;
        }
    }
    let mut tx = db.begin().await?;
    let written: Vec<i64> = sqlx::query(
        "SELECT id FROM part_contributions WHERE tenant_id = $1 AND author_user_id = $2",
    )
    .bind(t.0)
    .bind(user)
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    sqlx::query("UPDATE part_contributions SET author_user_id = NULL, pseudonym = '', notify_email = '' WHERE tenant_id = $1 AND author_user_id = $2")
        .bind(t.0)
        .bind(user)
        .execute(tx.conn())
        .await?;
    for id in written {
        crate::contribution::reindex(&mut tx, id).await?;
    }
    sqlx::query("DELETE FROM part_supports WHERE user_id = $1 AND contribution_id IN (SELECT id FROM part_contributions WHERE tenant_id = $2)")
        .bind(user)
        .bind(t.0)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE part_registrations SET name = '', email = '', user_id = NULL, needs = '', person_key = 'erased:' || CAST(id AS TEXT), token_hash = 'erased:' || CAST(id AS TEXT) WHERE tenant_id = $1 AND user_id = $2")
        .bind(t.0)
        .bind(user)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE part_posts SET author_user_id = NULL, pseudonym = '' WHERE tenant_id = $1 AND author_user_id = $2")
        .bind(t.0)
        .bind(user)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM part_digests WHERE tenant_id = $1 AND user_id = $2")
        .bind(t.0)
        .bind(user)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}
