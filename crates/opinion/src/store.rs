//! Conversations in the database (tables `op_*`): statements, participants, latest votes, and
//! the stored result. Every change bumps the conversation's `seq` inside its transaction (the
//! row lock orders writers), every vote row carries the `seq` it was written with, so the
//! computing node loads exactly the votes it has not seen.

use crate::analysis::{Analysis, Model};
use crate::matrix::{Conversation, Statement};
use crate::polis;
use std::collections::HashMap;
use th_core::TenantId;
use th_storage::{sqlx, Db, Row, Tx};

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("not found")]
    NotFound,
    #[error("the conversation does not take statements or votes now")]
    Closed,
    #[error("the statement is not open for votes")]
    NotVotable,
    #[error("invalid: {0}")]
    Invalid(&'static str),
    #[error("{0}")]
    Json(String),
}

/// Longest statement, in characters (Polis: 140; German needs a little more).
pub const MAX_STATEMENT: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Taking statements and votes; listed.
    Open,
    /// Finished: the map stays, nothing new is taken.
    Closed,
    /// Only coordinators see it.
    Hidden,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Hidden => "hidden",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "open" => Some(Status::Open),
            "closed" => Some(Status::Closed),
            "hidden" => Some(Status::Hidden),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRow {
    pub id: i64,
    pub process_id: Option<i64>,
    pub topic: String,
    pub description: String,
    pub locale: String,
    pub status: Status,
    /// Statements appear only after a moderator accepted them.
    pub strict: bool,
    pub seed: i64,
    pub seq: i64,
    pub created_at: i64,
}

const CONV_COLS: &str =
    "id, process_id, topic, description, locale, status, strict, seed, seq, created_at";

fn conv_row(r: &th_storage::AnyRow) -> ConversationRow {
    ConversationRow {
        id: r.get(0),
        process_id: r.get(1),
        topic: r.get(2),
        description: r.get(3),
        locale: r.get(4),
        status: Status::parse(&r.get::<String, _>(5)).unwrap_or(Status::Hidden),
        strict: r.get::<i64, _>(6) != 0,
        seed: r.get(7),
        seq: r.get(8),
        created_at: r.get(9),
    }
}

pub struct NewConversation<'a> {
    pub process_id: Option<i64>,
    pub topic: &'a str,
    pub description: &'a str,
    pub locale: &'a str,
    pub strict: bool,
}

impl NewConversation<'_> {
    pub fn validate(&self) -> Result<()> {
        let t = self.topic.trim().chars().count();
        if t == 0 {
            return Err(Error::Invalid("topic-missing"));
        }
        if t > 200 {
            return Err(Error::Invalid("topic-too-long"));
        }
        if self.description.chars().count() > 4000 {
            return Err(Error::Invalid("description-too-long"));
        }
        Ok(())
    }
}

async fn insert_conversation(
    tx: &mut Tx,
    t: TenantId,
    c: &NewConversation<'_>,
    status: Status,
    now: i64,
) -> Result<i64> {
    c.validate()?;
    let seed = (now ^ 0x5EED) & 0x7FFF_FFFF;
    Ok(sqlx::query(
        "INSERT INTO op_conversations (tenant_id, process_id, topic, description, locale, status, strict, seed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(t.0)
    .bind(c.process_id)
    .bind(c.topic.trim())
    .bind(c.description.trim())
    .bind(c.locale)
    .bind(status.key())
    .bind(c.strict as i64)
    .bind(seed)
    .bind(now)
    .fetch_one(tx.conn())
    .await?
    .get(0))
}

pub async fn create(db: &Db, t: TenantId, c: &NewConversation<'_>, now: i64) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = insert_conversation(&mut tx, t, c, Status::Open, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list(db: &Db, t: TenantId, process: Option<i64>) -> Result<Vec<ConversationRow>> {
    let rows = match process {
        Some(p) => {
            sqlx::query(&format!("SELECT {CONV_COLS} FROM op_conversations WHERE tenant_id = $1 AND process_id = $2 ORDER BY id"))
                .bind(t.0)
                .bind(p)
                .fetch_all(db.pool())
                .await?
        }
        None => {
            sqlx::query(&format!("SELECT {CONV_COLS} FROM op_conversations WHERE tenant_id = $1 ORDER BY id"))
                .bind(t.0)
                .fetch_all(db.pool())
                .await?
        }
    };
    Ok(rows.iter().map(conv_row).collect())
}

pub async fn get(db: &Db, t: TenantId, id: i64) -> Result<Option<ConversationRow>> {
    Ok(sqlx::query(&format!(
        "SELECT {CONV_COLS} FROM op_conversations WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(conv_row))
}

/// Bumps the conversation's sequence (taking its row lock); `open_only` refuses closed and
/// hidden ones.
async fn bump(tx: &mut Tx, t: TenantId, conv: i64, open_only: bool, now: i64) -> Result<i64> {
    let sql = if open_only {
        "UPDATE op_conversations SET seq = seq + 1, updated_at = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'open' RETURNING seq"
    } else {
        "UPDATE op_conversations SET seq = seq + 1, updated_at = $3 WHERE tenant_id = $1 AND id = $2 RETURNING seq"
    };
    match sqlx::query(sql)
        .bind(t.0)
        .bind(conv)
        .bind(now)
        .fetch_optional(tx.conn())
        .await?
    {
        Some(r) => Ok(r.get(0)),
        None if open_only => Err(Error::Closed),
        None => Err(Error::NotFound),
    }
}

pub async fn set_status(db: &Db, t: TenantId, conv: i64, status: Status, now: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    bump(&mut tx, t, conv, false, now).await?;
    sqlx::query("UPDATE op_conversations SET status = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(conv)
        .bind(status.key())
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Who takes part: an account, or an anonymous browser known by the hash of its secret.
#[derive(Debug, Clone)]
pub enum Who {
    User(i64),
    Anonymous(String),
}

impl Who {
    fn key(&self) -> String {
        match self {
            Who::User(u) => format!("user:{u}"),
            Who::Anonymous(h) => format!("anon:{h}"),
        }
    }
}

/// The participant number of `who` in a conversation, if they took part.
pub async fn participant_of(db: &Db, t: TenantId, conv: i64, who: &Who) -> Result<Option<i64>> {
    Ok(sqlx::query("SELECT num FROM op_participants WHERE tenant_id = $1 AND conversation_id = $2 AND key_hash = $3")
        .bind(t.0)
        .bind(conv)
        .bind(who.key())
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.get(0)))
}

async fn participant_in(tx: &mut Tx, t: TenantId, conv: i64, who: &Who, now: i64) -> Result<i64> {
    if let Some(r) = sqlx::query("SELECT num FROM op_participants WHERE tenant_id = $1 AND conversation_id = $2 AND key_hash = $3")
        .bind(t.0)
        .bind(conv)
        .bind(who.key())
        .fetch_optional(tx.conn())
        .await?
    {
        return Ok(r.get(0));
    }
    let num: i64 = sqlx::query("UPDATE op_conversations SET next_participant = next_participant + 1 WHERE tenant_id = $1 AND id = $2 RETURNING next_participant - 1")
        .bind(t.0)
        .bind(conv)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    let user = match who {
        Who::User(u) => Some(*u),
        Who::Anonymous(_) => None,
    };
    sqlx::query("INSERT INTO op_participants (tenant_id, conversation_id, num, key_hash, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(t.0)
        .bind(conv)
        .bind(num)
        .bind(who.key())
        .bind(user)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(num)
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatementRow {
    pub num: i64,
    pub author: Option<i64>,
    pub body: String,
    pub locale: String,
    /// -1 rejected, 0 waiting, 1 accepted.
    pub moderation: i64,
    pub meta: bool,
    pub created_at: i64,
}

pub async fn statements(db: &Db, t: TenantId, conv: i64) -> Result<Vec<StatementRow>> {
    Ok(sqlx::query("SELECT num, author, body, locale, moderation, meta, created_at FROM op_statements WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY num")
        .bind(t.0)
        .bind(conv)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| StatementRow {
            num: r.get(0),
            author: r.get(1),
            body: r.get(2),
            locale: r.get(3),
            moderation: r.get(4),
            meta: r.get::<i64, _>(5) != 0,
            created_at: r.get(6),
        })
        .collect())
}

impl StatementRow {
    /// Whether participants may see and vote on it.
    pub fn votable(&self, strict: bool) -> bool {
        self.moderation == 1 || (!strict && self.moderation == 0)
    }
}

pub fn validate_statement(body: &str) -> Result<String> {
    let b = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if b.is_empty() {
        return Err(Error::Invalid("statement-missing"));
    }
    if b.chars().count() > MAX_STATEMENT {
        return Err(Error::Invalid("statement-too-long"));
    }
    Ok(b)
}

/// Adds a statement by `who`; returns its number. In a strictly moderated conversation it waits
/// for a moderator; otherwise it is open for votes at once (and a moderator may still reject it).
pub async fn add_statement(
    db: &Db,
    t: TenantId,
    conv: i64,
    who: &Who,
    body: &str,
    locale: &str,
    now: i64,
) -> Result<i64> {
    let body = validate_statement(body)?;
    let mut tx = db.begin().await?;
    bump(&mut tx, t, conv, true, now).await?;
    let author = participant_in(&mut tx, t, conv, who, now).await?;
    // Only statements others can see count as duplicates: whether a text waits for
    // moderation or was rejected is nobody else's business.
    let dup = sqlx::query(
        "SELECT s.num FROM op_statements s JOIN op_conversations c ON c.id = s.conversation_id WHERE s.tenant_id = $1 AND s.conversation_id = $2 AND s.body = $3 AND (s.moderation = 1 OR (s.moderation = 0 AND c.strict = 0))",
    )
    .bind(t.0)
    .bind(conv)
    .bind(&body)
    .fetch_optional(tx.conn())
    .await?;
    if dup.is_some() {
        return Err(Error::Invalid("statement-duplicate"));
    }
    let num =
        insert_statement(&mut tx, t, conv, Some(author), &body, locale, 0, false, now).await?;
    tx.commit().await?;
    Ok(num)
}

#[allow(clippy::too_many_arguments)]
async fn insert_statement(
    tx: &mut Tx,
    t: TenantId,
    conv: i64,
    author: Option<i64>,
    body: &str,
    locale: &str,
    moderation: i64,
    meta: bool,
    now: i64,
) -> Result<i64> {
    let num: i64 = sqlx::query("UPDATE op_conversations SET next_statement = next_statement + 1 WHERE tenant_id = $1 AND id = $2 RETURNING next_statement - 1")
        .bind(t.0)
        .bind(conv)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    sqlx::query("INSERT INTO op_statements (tenant_id, conversation_id, num, author, body, locale, moderation, meta, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(t.0)
        .bind(conv)
        .bind(num)
        .bind(author)
        .bind(body)
        .bind(locale)
        .bind(moderation)
        .bind(meta as i64)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(num)
}

/// A moderator's decision on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
    /// Accepted as a statement about the conversation itself.
    Meta,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "accept" => Some(Decision::Accept),
            "reject" => Some(Decision::Reject),
            "meta" => Some(Decision::Meta),
            _ => None,
        }
    }
}

pub async fn moderate(
    db: &Db,
    t: TenantId,
    conv: i64,
    num: i64,
    d: Decision,
    now: i64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    bump(&mut tx, t, conv, false, now).await?;
    let (m, meta) = match d {
        Decision::Accept => (1, 0),
        Decision::Reject => (-1, 0),
        Decision::Meta => (1, 1),
    };
    let n = sqlx::query("UPDATE op_statements SET moderation = $4, meta = $5 WHERE tenant_id = $1 AND conversation_id = $2 AND num = $3")
        .bind(t.0)
        .bind(conv)
        .bind(num)
        .bind(m)
        .bind(meta)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Records `who`'s vote (1 agree, -1 disagree, 0 pass) on statement `num`, replacing an earlier
/// one. Returns the participant number.
pub async fn vote(
    db: &Db,
    t: TenantId,
    conv: i64,
    who: &Who,
    num: i64,
    vote: i64,
    now: i64,
) -> Result<i64> {
    if !(-1..=1).contains(&vote) {
        return Err(Error::Invalid("vote-value"));
    }
    let mut tx = db.begin().await?;
    let strict: i64 =
        sqlx::query("SELECT strict FROM op_conversations WHERE tenant_id = $1 AND id = $2")
            .bind(t.0)
            .bind(conv)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(Error::NotFound)?
            .get(0);
    let seq = bump(&mut tx, t, conv, true, now).await?;
    let m: Option<i64> = sqlx::query("SELECT moderation FROM op_statements WHERE tenant_id = $1 AND conversation_id = $2 AND num = $3")
        .bind(t.0)
        .bind(conv)
        .bind(num)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.get(0));
    match m {
        None => return Err(Error::NotFound),
        Some(-1) => return Err(Error::NotVotable),
        Some(0) if strict != 0 => return Err(Error::NotVotable),
        _ => {}
    }
    let p = participant_in(&mut tx, t, conv, who, now).await?;
    sqlx::query(
        "INSERT INTO op_votes (tenant_id, conversation_id, participant, statement, vote, seq, voted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (conversation_id, participant, statement) DO UPDATE SET vote = excluded.vote, seq = excluded.seq, voted_at = excluded.voted_at",
    )
    .bind(t.0)
    .bind(conv)
    .bind(p)
    .bind(num)
    .bind(vote)
    .bind(seq)
    .bind(now)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// A participant's votes by statement number.
pub async fn votes_of(
    db: &Db,
    t: TenantId,
    conv: i64,
    participant: i64,
) -> Result<HashMap<i64, i64>> {
    Ok(sqlx::query("SELECT statement, vote FROM op_votes WHERE tenant_id = $1 AND conversation_id = $2 AND participant = $3")
        .bind(t.0)
        .bind(conv)
        .bind(participant)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// The next statement for a participant by Polis's priority rule: among the statements open
/// to them that they have not voted on, one drawn with probability proportional to its
/// priority (meta statements first). Deterministic for the same participant and vote count.
pub fn next_statement(
    stmts: &[StatementRow],
    strict: bool,
    mine: &HashMap<i64, i64>,
    result: Option<&Analysis>,
    participant: i64,
) -> Option<i64> {
    let prio: HashMap<i64, f64> = result
        .map(|a| {
            a.statement_stats
                .iter()
                .map(|s| (s.comment_id, s.priority))
                .collect()
        })
        .unwrap_or_default();
    let cands: Vec<(i64, f64)> = stmts
        .iter()
        .filter(|s| s.votable(strict) && !mine.contains_key(&s.num))
        .map(|s| {
            let p = if s.meta {
                49.0
            } else {
                prio.get(&s.num)
                    .copied()
                    .unwrap_or_else(|| crate::analysis::priority(0, 0, 0, 0.0, false))
            };
            (s.num, p.max(1e-9))
        })
        .collect();
    if cands.is_empty() {
        return None;
    }
    let total: f64 = cands.iter().map(|c| c.1).sum();
    let mut rng = crate::math::SplitMix(
        (participant as u64).wrapping_mul(0x9E37_79B9) ^ (mine.len() as u64) << 32,
    );
    let mut x = rng.uniform() * total;
    for &(num, p) in &cands {
        if x < p {
            return Some(num);
        }
        x -= p;
    }
    cands.last().map(|c| c.0)
}

/// The stored result, if any: (seq it reflects, analysis).
pub async fn result(db: &Db, t: TenantId, conv: i64) -> Result<Option<(i64, Analysis)>> {
    let Some(r) = sqlx::query(
        "SELECT seq, analysis FROM op_results WHERE tenant_id = $1 AND conversation_id = $2 AND seq >= 0",
    )
    .bind(t.0)
    .bind(conv)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let a: Analysis =
        serde_json::from_str(&r.get::<String, _>(1)).map_err(|e| Error::Json(e.to_string()))?;
    Ok(Some((r.get(0), a)))
}

/// The stored result's sequence (cheap freshness check for caches).
pub async fn result_seq(db: &Db, t: TenantId, conv: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT seq FROM op_results WHERE tenant_id = $1 AND conversation_id = $2")
            .bind(t.0)
            .bind(conv)
            .fetch_optional(db.pool())
            .await?
            .map(|r| r.get(0)),
    )
}

/// Conversations whose votes or statements changed since their stored result.
pub async fn due(db: &Db) -> Result<Vec<(TenantId, i64, i64)>> {
    Ok(sqlx::query("SELECT c.tenant_id, c.id, c.seq FROM op_conversations c LEFT JOIN op_results r ON r.conversation_id = c.id WHERE c.seq > COALESCE(r.seq, -1) ORDER BY c.id")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (TenantId(r.get(0)), r.get(1), r.get(2)))
        .collect())
}

/// Takes (or keeps) the right to compute a conversation for `lease` seconds. Of several nodes
/// exactly one holds it; the others show what it stores.
pub async fn claim(
    db: &Db,
    t: TenantId,
    conv: i64,
    node: &str,
    now: i64,
    lease: i64,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE op_results SET node = $3, lease_until = $4 WHERE tenant_id = $1 AND conversation_id = $2 AND (lease_until < $5 OR node = $3)")
        .bind(t.0)
        .bind(conv)
        .bind(node)
        .bind(now + lease)
        .bind(now)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 1 {
        tx.commit().await?;
        return Ok(true);
    }
    let exists = sqlx::query("SELECT 1 FROM op_results WHERE conversation_id = $1")
        .bind(conv)
        .fetch_optional(tx.conn())
        .await?;
    if exists.is_some() {
        return Ok(false);
    }
    let ins = sqlx::query("INSERT INTO op_results (conversation_id, tenant_id, seq, computed_at, millis, node, lease_until, analysis, model) VALUES ($1, $2, -1, 0, 0, $3, $4, '', '') ON CONFLICT (conversation_id) DO NOTHING")
        .bind(conv)
        .bind(t.0)
        .bind(node)
        .bind(now + lease)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(ins == 1)
}

/// The stored model (for a node that takes over the computation).
pub async fn stored_model(db: &Db, t: TenantId, conv: i64) -> Result<Option<Model>> {
    let r =
        sqlx::query("SELECT model FROM op_results WHERE tenant_id = $1 AND conversation_id = $2")
            .bind(t.0)
            .bind(conv)
            .fetch_optional(db.pool())
            .await?;
    Ok(r.and_then(|r| serde_json::from_str(&r.get::<String, _>(0)).ok()))
}

#[allow(clippy::too_many_arguments)]
pub async fn save_result(
    db: &Db,
    t: TenantId,
    conv: i64,
    seq: i64,
    a: &Analysis,
    model: &Model,
    node: &str,
    now: i64,
    millis: i64,
) -> Result<()> {
    let analysis = serde_json::to_string(a).map_err(|e| Error::Json(e.to_string()))?;
    let model = serde_json::to_string(model).map_err(|e| Error::Json(e.to_string()))?;
    // Through the write lock: on SQLite every write goes through `Db::begin`.
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE op_results SET seq = $3, analysis = $4, model = $5, computed_at = $6, millis = $7 WHERE tenant_id = $1 AND conversation_id = $2 AND node = $8 AND seq < $3")
        .bind(t.0)
        .bind(conv)
        .bind(seq)
        .bind(analysis)
        .bind(model)
        .bind(now)
        .bind(millis)
        .bind(node)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The statements as the math sees them (rejected and meta excluded; in a strictly moderated
/// conversation statements still waiting are left out entirely).
pub fn math_statements(rows: &[StatementRow], strict: bool) -> Vec<Statement> {
    rows.iter()
        .filter(|s| !(strict && s.moderation == 0))
        .map(|s| Statement {
            id: s.num,
            rejected: s.moderation == -1,
            meta: s.meta,
        })
        .collect()
}

/// Votes written after `seq`: (participant, statement, vote, seq).
pub async fn votes_since(
    db: &Db,
    t: TenantId,
    conv: i64,
    seq: i64,
) -> Result<Vec<(i64, i64, i8, i64)>> {
    Ok(sqlx::query("SELECT participant, statement, vote, seq FROM op_votes WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq")
        .bind(t.0)
        .bind(conv)
        .bind(seq)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get::<i64, _>(2) as i8, r.get(3)))
        .collect())
}

/// Votes written after `after` up to and including `upto`: (participant, statement, vote, seq).
pub async fn votes_between(
    db: &Db,
    t: TenantId,
    conv: i64,
    after: i64,
    upto: i64,
) -> Result<Vec<(i64, i64, i8, i64)>> {
    Ok(sqlx::query("SELECT participant, statement, vote, seq FROM op_votes WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3 AND seq <= $4 ORDER BY seq")
        .bind(t.0)
        .bind(conv)
        .bind(after)
        .bind(upto)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get::<i64, _>(2) as i8, r.get(3)))
        .collect())
}

/// Vote times (Unix seconds) of a conversation, for the export.
pub async fn vote_times(db: &Db, t: TenantId, conv: i64) -> Result<HashMap<(i64, i64), i64>> {
    Ok(sqlx::query("SELECT participant, statement, voted_at FROM op_votes WHERE tenant_id = $1 AND conversation_id = $2")
        .bind(t.0)
        .bind(conv)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect())
}

/// Loads a whole conversation into a matrix.
pub async fn load(db: &Db, t: TenantId, conv: &ConversationRow) -> Result<(Conversation, i64)> {
    let rows = statements(db, t, conv.id).await?;
    let mut c = Conversation::new();
    for s in math_statements(&rows, conv.strict) {
        c.statement(s);
    }
    let mut seq = conv.seq;
    for (p, s, v, vs) in votes_since(db, t, conv.id, -1).await? {
        c.vote(p, s, v);
        seq = seq.max(vs);
    }
    Ok((c, seq))
}

/// Imports a Polis export as a new conversation (closed, unless `status` says otherwise) in one
/// transaction. Statement and participant
/// numbers are the export's ids.
pub async fn import(
    db: &Db,
    t: TenantId,
    export: &polis::Export,
    c: &NewConversation<'_>,
    status: Status,
    now: i64,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = insert_conversation(&mut tx, t, c, status, now).await?;
    let conv = &export.conversation;
    let max_comment = export.comments.iter().map(|c| c.id).max().unwrap_or(-1);
    let max_participant = conv
        .participants
        .iter()
        .copied()
        .chain(export.comments.iter().filter_map(|c| c.author))
        .max()
        .unwrap_or(-1);
    for cm in &export.comments {
        let body = cm.body.chars().take(4000).collect::<String>();
        let m = i64::from(cm.moderated);
        sqlx::query("INSERT INTO op_statements (tenant_id, conversation_id, num, author, body, locale, moderation, meta, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(t.0)
            .bind(id)
            .bind(cm.id)
            .bind(cm.author)
            .bind(body)
            .bind(c.locale)
            .bind(m)
            .bind(cm.meta as i64)
            .bind(cm.timestamp_ms.map_or(now, |ms| ms / 1000))
            .execute(tx.conn())
            .await?;
    }
    for &p in &conv.participants {
        sqlx::query("INSERT INTO op_participants (tenant_id, conversation_id, num, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(t.0)
            .bind(id)
            .bind(p)
            .bind(format!("import:{p}"))
            .bind(now)
            .execute(tx.conn())
            .await?;
    }
    // Votes in batches of multi-row inserts.
    let mut batch: Vec<(i64, i64, i8)> = Vec::with_capacity(400);
    for (r, row) in conv.rows.iter().enumerate() {
        for &packed in row {
            let (j, v) = crate::matrix::unpack(packed);
            batch.push((conv.participants[r], conv.statements[j].id, v));
            if batch.len() == 400 {
                insert_votes(&mut tx, t, id, &batch, now).await?;
                batch.clear();
            }
        }
    }
    insert_votes(&mut tx, t, id, &batch, now).await?;
    sqlx::query("UPDATE op_conversations SET seq = 1, next_statement = $3, next_participant = $4 WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(id)
        .bind(max_comment + 1)
        .bind(max_participant + 1)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_votes(
    tx: &mut Tx,
    t: TenantId,
    conv: i64,
    batch: &[(i64, i64, i8)],
    now: i64,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut sql = String::from("INSERT INTO op_votes (tenant_id, conversation_id, participant, statement, vote, seq, voted_at) VALUES ");
    for (i, (p, s, v)) in batch.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("({}, {conv}, {p}, {s}, {v}, 1, {now})", t.0));
    }
    sqlx::query(&sql).execute(tx.conn()).await?;
    Ok(())
}

/// Everything a person left in conversations (export of their data) and its erasure.
pub async fn erase_user(db: &Db, t: TenantId, user: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE op_participants SET key_hash = 'erased:' || CAST(id AS TEXT), user_id = NULL WHERE tenant_id = $1 AND user_id = $2")
        .bind(t.0)
        .bind(user)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// What a person left in opinion maps (for the export of their data): per conversation their
/// statements and votes.
pub async fn export_user(db: &Db, t: TenantId, user: i64) -> Result<serde_json::Value> {
    let parts = sqlx::query("SELECT p.conversation_id, p.num, c.topic FROM op_participants p JOIN op_conversations c ON c.id = p.conversation_id WHERE p.tenant_id = $1 AND p.user_id = $2 ORDER BY p.conversation_id")
        .bind(t.0)
        .bind(user)
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::new();
    for r in parts {
        let (conv, num, topic): (i64, i64, String) = (r.get(0), r.get(1), r.get(2));
        let statements: Vec<serde_json::Value> = sqlx::query("SELECT num, body, created_at FROM op_statements WHERE tenant_id = $1 AND conversation_id = $2 AND author = $3 ORDER BY num")
            .bind(t.0)
            .bind(conv)
            .bind(num)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|s| serde_json::json!({ "statement": s.get::<i64, _>(0), "text": s.get::<String, _>(1), "created_at": s.get::<i64, _>(2) }))
            .collect();
        let votes: Vec<serde_json::Value> = sqlx::query("SELECT statement, vote, voted_at FROM op_votes WHERE tenant_id = $1 AND conversation_id = $2 AND participant = $3 ORDER BY statement")
            .bind(t.0)
            .bind(conv)
            .bind(num)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|v| serde_json::json!({ "statement": v.get::<i64, _>(0), "vote": v.get::<i64, _>(1), "voted_at": v.get::<i64, _>(2) }))
            .collect();
        out.push(serde_json::json!({ "conversation": conv, "topic": topic, "statements": statements, "votes": votes }));
    }
    Ok(serde_json::Value::Array(out))
}

/// Unlinks the accounts from the participants of a process's conversations (when the process's
/// retention period ends): votes and statements stay as anonymous opinions.
pub async fn unlink_process(db: &Db, t: TenantId, process: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE op_participants SET key_hash = 'erased:' || CAST(id AS TEXT), user_id = NULL WHERE tenant_id = $1 AND user_id IS NOT NULL AND conversation_id IN (SELECT id FROM op_conversations WHERE tenant_id = $1 AND process_id = $2)")
        .bind(t.0)
        .bind(process)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
