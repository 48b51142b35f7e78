//! Discussion forums per field of action of a process: threads, replies one level deep,
//! quoting, reports, moderation with a log, and opt-in e-mail digests.
//!
//! A thread's posts are ordered by (root, id): a top-level post is its own root, a reply's
//! root is the post it answers (a reply to a reply answers the same top-level post), so one
//! index serves any page of a thread of any length.

use crate::{PartError, Result};
use th_core::{Locale, TenantId, Validation};
use th_storage::{sqlx, Db, Row};

pub const PER_PAGE: i64 = 50;
const QUOTE_MAX: usize = 300;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Thread {
    pub id: i64,
    pub process_id: i64,
    pub field: i64,
    pub title: String,
    pub locale: Locale,
    pub posts: i64,
    pub last_post_at: i64,
    pub locked: bool,
    pub hidden: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Post {
    pub id: i64,
    pub thread_id: i64,
    pub root_id: i64,
    pub parent_id: Option<i64>,
    pub quote_id: Option<i64>,
    pub quote_text: String,
    pub body: String,
    pub locale: Locale,
    /// The pseudonym the author writes under ("" once erased).
    pub author: String,
    #[serde(skip)]
    pub author_user_id: Option<i64>,
    pub hidden: bool,
    pub created_at: i64,
}

/// Who writes: an account, under the pseudonym it chose (no account: imported or demo posts).
pub struct Writer<'a> {
    pub user_id: Option<i64>,
    pub pseudonym: &'a str,
}

const TCOLS: &str =
    "id, process_id, field, title, locale, posts, last_post_at, locked, hidden, created_at";
const PCOLS: &str = "id, thread_id, root_id, parent_id, quote_id, quote_text, body, locale, pseudonym, author_user_id, hidden, created_at";

fn thread_of(r: &th_storage::AnyRow) -> Thread {
    Thread {
        id: r.get(0),
        process_id: r.get(1),
        field: r.get(2),
        title: r.get(3),
        locale: Locale::parse(&r.get::<String, _>(4)).unwrap_or(Locale::De),
        posts: r.get(5),
        last_post_at: r.get(6),
        locked: r.get::<i64, _>(7) != 0,
        hidden: r.get::<i64, _>(8) != 0,
        created_at: r.get(9),
    }
}

fn post_of(r: &th_storage::AnyRow) -> Post {
    Post {
        id: r.get(0),
        thread_id: r.get(1),
        root_id: r.get(2),
        parent_id: r.get(3),
        quote_id: r.get(4),
        quote_text: r.get(5),
        body: r.get(6),
        locale: Locale::parse(&r.get::<String, _>(7)).unwrap_or(Locale::De),
        author: r.get(8),
        author_user_id: r.get(9),
        hidden: r.get::<i64, _>(10) != 0,
        created_at: r.get(11),
    }
}

fn invalid(v: Validation) -> PartError {
    PartError::Invalid(v.errors)
}

pub struct NewThread<'a> {
    pub process: i64,
    pub field: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub locale: Locale,
}

/// Opens a thread with its first post. Returns (thread, post).
pub async fn create_thread(
    db: &Db,
    t: TenantId,
    n: &NewThread<'_>,
    valid_fields: &[i64],
    w: &Writer<'_>,
    now: i64,
) -> Result<(i64, i64)> {
    let (process, field, locale) = (n.process, n.field, n.locale);
    let mut v = Validation::new();
    let title = v.text("title", n.title, 200);
    let body = v.text("body", n.body, 20_000);
    if !valid_fields.contains(&field) {
        v.add("field", "invalid");
    }
    v.into_result().map_err(invalid)?;
    let mut tx = db.begin().await?;
    let ok = sqlx::query("SELECT id FROM part_processes WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(process)
        .fetch_optional(tx.conn())
        .await?;
    if ok.is_none() {
        return Err(PartError::NotFound);
    }
    let tid: i64 = sqlx::query("INSERT INTO part_threads (tenant_id, process_id, field, title, locale, posts, last_post_at, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id")
        .bind(t.0)
        .bind(process)
        .bind(field)
        .bind(&title)
        .bind(locale.tag())
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    let pid = insert_post(
        &mut tx,
        t,
        tid,
        PostRow {
            root: None,
            quote: None,
            quote_text: "",
            body: &body,
            locale,
        },
        w,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((tid, pid))
}

struct PostRow<'a> {
    root: Option<i64>,
    quote: Option<i64>,
    quote_text: &'a str,
    body: &'a str,
    locale: Locale,
}

async fn insert_post(
    tx: &mut th_storage::Tx,
    t: TenantId,
    thread: i64,
    p: PostRow<'_>,
    w: &Writer<'_>,
    now: i64,
) -> Result<i64> {
    let PostRow {
        root,
        quote,
        quote_text,
        body,
        locale,
    } = p;
    let id: i64 = sqlx::query("INSERT INTO part_posts (tenant_id, thread_id, root_id, parent_id, quote_id, quote_text, body, locale, author_user_id, pseudonym, created_at) VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(t.0)
        .bind(thread)
        .bind(root)
        .bind(quote)
        .bind(quote_text)
        .bind(body)
        .bind(locale.tag())
        .bind(w.user_id)
        .bind(w.pseudonym)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    sqlx::query("UPDATE part_posts SET root_id = $1 WHERE id = $2")
        .bind(root.unwrap_or(id))
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(id)
}

pub struct NewReply<'a> {
    /// The post answered (a reply to a reply answers its top-level post).
    pub parent: Option<i64>,
    /// A post quoted (any post of the thread).
    pub quote: Option<i64>,
    pub body: &'a str,
    pub locale: Locale,
}

/// Adds a post to a thread: top-level, or a reply one level deep.
pub async fn reply(
    db: &Db,
    t: TenantId,
    thread: i64,
    r: &NewReply<'_>,
    w: &Writer<'_>,
    now: i64,
) -> Result<i64> {
    let th = get_thread(db, t, thread)
        .await?
        .filter(|th| !th.hidden)
        .ok_or(PartError::NotFound)?;
    let mut v = Validation::new();
    let body = v.text("body", r.body, 20_000);
    if th.locked {
        v.add("body", "locked");
    }
    let in_thread = |id: i64| async move {
        sqlx::query(
            "SELECT root_id, body FROM part_posts WHERE id = $1 AND thread_id = $2 AND hidden = 0",
        )
        .bind(id)
        .bind(thread)
        .fetch_optional(db.pool())
        .await
    };
    let root = match r.parent {
        Some(p) => match in_thread(p).await? {
            Some(row) => Some(row.get::<i64, _>(0)),
            None => {
                v.add("parent", "invalid");
                None
            }
        },
        None => None,
    };
    let quote_text = match r.quote {
        Some(q) => match in_thread(q).await? {
            Some(row) => {
                let b: String = row.get(1);
                let mut s: String = b.chars().take(QUOTE_MAX).collect();
                if b.chars().count() > QUOTE_MAX {
                    s.push('…');
                }
                s
            }
            None => {
                v.add("quote", "invalid");
                String::new()
            }
        },
        None => String::new(),
    };
    v.into_result().map_err(invalid)?;
    let mut tx = db.begin().await?;
    let id = insert_post(
        &mut tx,
        t,
        thread,
        PostRow {
            root,
            quote: r.quote,
            quote_text: &quote_text,
            body: &body,
            locale: r.locale,
        },
        w,
        now,
    )
    .await?;
    sqlx::query("UPDATE part_threads SET posts = posts + 1, last_post_at = $1 WHERE id = $2")
        .bind(now)
        .bind(thread)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get_thread(db: &Db, t: TenantId, id: i64) -> Result<Option<Thread>> {
    Ok(sqlx::query(&format!(
        "SELECT {TCOLS} FROM part_threads WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(thread_of))
}

/// The threads of one forum (process and field), most recently active first.
pub async fn threads(
    db: &Db,
    t: TenantId,
    process: i64,
    field: i64,
    include_hidden: bool,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Thread>, i64)> {
    let hidden = if include_hidden { 1 } else { 0 };
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM part_threads WHERE tenant_id = $1 AND process_id = $2 AND field = $3 AND hidden <= $4")
        .bind(t.0)
        .bind(process)
        .bind(field)
        .bind(hidden)
        .fetch_one(db.pool())
        .await?
        .get(0);
    let rows = sqlx::query(&format!("SELECT {TCOLS} FROM part_threads WHERE tenant_id = $1 AND process_id = $2 AND field = $3 AND hidden <= $4 ORDER BY last_post_at DESC, id DESC LIMIT $5 OFFSET $6"))
        .bind(t.0)
        .bind(process)
        .bind(field)
        .bind(hidden)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    Ok((rows.iter().map(thread_of).collect(), total))
}

/// Threads and posts per field of action of a process: (field, threads, posts).
pub async fn overview(db: &Db, t: TenantId, process: i64) -> Result<Vec<(i64, i64, i64)>> {
    Ok(sqlx::query("SELECT field, COUNT(*), MAX(last_post_at) FROM part_threads WHERE tenant_id = $1 AND process_id = $2 AND hidden = 0 GROUP BY field ORDER BY field")
        .bind(t.0)
        .bind(process)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// One page (1-based) of a thread's posts in reading order; hidden posts are returned (the
/// page shows that a post was hidden, not what it said) so that numbering stays stable.
pub async fn page(db: &Db, thread: i64, page: i64) -> Result<(Vec<Post>, i64)> {
    let total: i64 = sqlx::query("SELECT posts FROM part_threads WHERE id = $1")
        .bind(thread)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.get(0))
        .unwrap_or(0);
    Ok((posts_on(db, thread, page).await?, total))
}

/// The posts of one page (1-based) of a thread whose post count the caller has.
pub async fn posts_on(db: &Db, thread: i64, page: i64) -> Result<Vec<Post>> {
    let rows = sqlx::query(&format!("SELECT {PCOLS} FROM part_posts WHERE thread_id = $1 ORDER BY root_id, id LIMIT $2 OFFSET $3"))
        .bind(thread)
        .bind(PER_PAGE)
        .bind((page.clamp(1, 1_000_000) - 1) * PER_PAGE)
        .fetch_all(db.pool())
        .await?;
    let mut posts: Vec<Post> = rows.iter().map(post_of).collect();
    // A quote of a post the moderators hid later is not shown either.
    let quoted: Vec<i64> = posts.iter().filter_map(|p| p.quote_id).collect();
    if !quoted.is_empty() {
        let hidden: std::collections::HashSet<i64> = sqlx::query(&format!(
            "SELECT id FROM part_posts WHERE thread_id = $1 AND hidden = 1 AND id IN ({})",
            quoted
                .iter()
                .map(|q| q.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(thread)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        for p in posts.iter_mut() {
            if p.quote_id.is_some_and(|q| hidden.contains(&q)) {
                p.quote_text.clear();
            }
        }
    }
    Ok(posts)
}

/// The page a post is on.
pub async fn page_of(db: &Db, thread: i64, post: i64) -> Result<i64> {
    let Some(r) = sqlx::query("SELECT root_id FROM part_posts WHERE id = $1 AND thread_id = $2")
        .bind(post)
        .bind(thread)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(1);
    };
    let root: i64 = r.get(0);
    let before: i64 = sqlx::query("SELECT COUNT(*) FROM part_posts WHERE thread_id = $1 AND (root_id < $2 OR (root_id = $2 AND id < $3))")
        .bind(thread)
        .bind(root)
        .bind(post)
        .fetch_one(db.pool())
        .await?
        .get(0);
    Ok(before / PER_PAGE + 1)
}

pub async fn get_post(db: &Db, t: TenantId, id: i64) -> Result<Option<Post>> {
    Ok(sqlx::query(&format!(
        "SELECT {PCOLS} FROM part_posts WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(post_of))
}

/// Anyone may report a post, with a reason.
pub async fn report(db: &Db, t: TenantId, post: i64, reason: &str, now: i64) -> Result<()> {
    let mut v = Validation::new();
    let reason = v.text("reason", reason, 1000);
    v.into_result().map_err(invalid)?;
    get_post(db, t, post).await?.ok_or(PartError::NotFound)?;
    sqlx::query(
        "INSERT INTO part_post_reports (tenant_id, post_id, reason, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(t.0)
    .bind(post)
    .bind(reason)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Hides or shows a post; resolves its reports; logs the decision.
pub async fn moderate(
    db: &Db,
    t: TenantId,
    post: i64,
    hide: bool,
    actor: i64,
    reason: &str,
    now: i64,
) -> Result<()> {
    get_post(db, t, post).await?.ok_or(PartError::NotFound)?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE part_posts SET hidden = $1 WHERE id = $2")
        .bind(i64::from(hide))
        .bind(post)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "UPDATE part_post_reports SET resolved_at = $1 WHERE post_id = $2 AND resolved_at IS NULL",
    )
    .bind(now)
    .bind(post)
    .execute(tx.conn())
    .await?;
    sqlx::query("INSERT INTO part_forum_log (tenant_id, post_id, actor_user_id, decision, reason, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(t.0)
        .bind(post)
        .bind(actor)
        .bind(if hide { "hide" } else { "show" })
        .bind(reason.trim())
        .bind(now)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Locks or unlocks a thread (no more replies).
pub async fn lock(db: &Db, t: TenantId, thread: i64, locked: bool) -> Result<()> {
    let n = sqlx::query("UPDATE part_threads SET locked = $1 WHERE tenant_id = $2 AND id = $3")
        .bind(i64::from(locked))
        .bind(t.0)
        .bind(thread)
        .execute(db.pool())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(PartError::NotFound);
    }
    Ok(())
}

/// Reported posts waiting for a decision, with the reasons.
pub async fn reported(db: &Db, t: TenantId) -> Result<Vec<(Post, Vec<String>)>> {
    let rows = sqlx::query(&format!("SELECT {PCOLS} FROM part_posts WHERE tenant_id = $1 AND id IN (SELECT post_id FROM part_post_reports WHERE tenant_id = $1 AND resolved_at IS NULL) ORDER BY id"))
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let mut out = vec![];
    for r in rows {
        let p = post_of(&r);
        let reasons = sqlx::query("SELECT reason FROM part_post_reports WHERE post_id = $1 AND resolved_at IS NULL ORDER BY id")
            .bind(p.id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        out.push((p, reasons));
    }
    Ok(out)
}

/// The moderation decisions on a post: (decision, reason, actor, at).
pub async fn decisions(db: &Db, post: i64) -> Result<Vec<(String, String, Option<i64>, i64)>> {
    Ok(sqlx::query("SELECT decision, reason, actor_user_id, at FROM part_forum_log WHERE post_id = $1 ORDER BY id")
        .bind(post)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect())
}

// ---------------------------------------------------------------------------------------
// Digests

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Off,
    Daily,
    Weekly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Off, Frequency::Daily, Frequency::Weekly];
    pub fn key(self) -> &'static str {
        match self {
            Frequency::Off => "off",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Frequency::Off => "digest-off",
            Frequency::Daily => "digest-daily",
            Frequency::Weekly => "digest-weekly",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == s)
    }
    fn period(self) -> i64 {
        match self {
            Frequency::Off => i64::MAX,
            Frequency::Daily => 86_400,
            Frequency::Weekly => 7 * 86_400,
        }
    }
}

/// Opts a person in or out of forum digests; the first digest covers what is new from now.
pub async fn set_digest(db: &Db, t: TenantId, user: i64, f: Frequency, now: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM part_digests WHERE tenant_id = $1 AND user_id = $2")
        .bind(t.0)
        .bind(user)
        .execute(tx.conn())
        .await?;
    if f != Frequency::Off {
        sqlx::query("INSERT INTO part_digests (tenant_id, user_id, frequency, last_sent_at) VALUES ($1, $2, $3, $4)")
            .bind(t.0)
            .bind(user)
            .bind(f.key())
            .bind(now)
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn digest_of(db: &Db, t: TenantId, user: i64) -> Result<Frequency> {
    Ok(
        sqlx::query("SELECT frequency FROM part_digests WHERE tenant_id = $1 AND user_id = $2")
            .bind(t.0)
            .bind(user)
            .fetch_optional(db.pool())
            .await?
            .and_then(|r| Frequency::parse(&r.get::<String, _>(0)))
            .unwrap_or(Frequency::Off),
    )
}

/// Sends the digests that are due: for each subscriber whose period has passed, the threads
/// with new visible posts since the last digest (nothing is sent when nothing is new).
pub async fn send_digests(db: &Db, mail: &crate::event::Mailer<'_>) -> Result<usize> {
    let t = mail.tenant;
    let subs: Vec<(i64, String, i64)> = sqlx::query(
        "SELECT user_id, frequency, last_sent_at FROM part_digests WHERE tenant_id = $1",
    )
    .bind(t.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    let mut sent = 0;
    for (user, freq, last) in subs {
        let Some(f) = Frequency::parse(&freq) else {
            continue;
        };
        if last + f.period() > mail.now {
            continue;
        }
        let Some(u) = th_auth::user(db, t, user)
            .await
            .map_err(|e| PartError::Storage(th_storage::StorageError::Other(e.to_string())))?
        else {
            continue;
        };
        let new: Vec<(i64, String, i64)> = sqlx::query("SELECT t.id, t.title, COUNT(p.id) FROM part_posts p JOIN part_threads t ON t.id = p.thread_id WHERE p.tenant_id = $1 AND p.created_at > $2 AND p.created_at <= $3 AND p.hidden = 0 AND t.hidden = 0 GROUP BY t.id, t.title ORDER BY t.id")
            .bind(t.0)
            .bind(last)
            .bind(mail.now)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let mut tx = db.begin().await?;
        // Claim this round: of two nodes, only one moves last_sent_at.
        let claimed = sqlx::query("UPDATE part_digests SET last_sent_at = $1 WHERE tenant_id = $2 AND user_id = $3 AND last_sent_at = $4")
            .bind(mail.now)
            .bind(t.0)
            .bind(user)
            .bind(last)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if claimed == 1 && !new.is_empty() {
            let l = u.locale;
            let mut body = mail.i18n.t(l, "mail-digest-intro");
            for (id, title, n) in &new {
                body.push_str(&format!(
                    "\n\n{title} ({})\n{}/forum/thema/{id}",
                    mail.i18n
                        .ta(l, "digest-new-posts", &[("count", (*n).into())]),
                    mail.origin
                ));
            }
            body.push_str("\n\n");
            body.push_str(&mail.i18n.t(l, "mail-digest-settings"));
            body.push_str(&format!("\n{}/konto#digest", mail.origin));
            th_mail::enqueue(
                &mut tx,
                th_mail::Outgoing {
                    tenant: t,
                    recipient: &u.email,
                    subject: &mail.i18n.t(l, "mail-digest-subject"),
                    body: &body,
                    dedupe_key: Some(&format!("digest:{user}:{last}")),
                },
                mail.now,
            )
            .await
            .map_err(|e| PartError::Storage(th_storage::StorageError::Other(e.to_string())))?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}
