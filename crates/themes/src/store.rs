//! Themes in the database (tables `theme_*`): a run replaces the proposals of a process (themes
//! coordinators accepted stay), coordinators accept, rename, map to a field, merge and split.
//! Contributions that belong to an accepted theme with a field are the examples the field
//! suggestion learns from.

use crate::model::{find_themes, FieldModel, Theme};
use crate::text::{analyse, Analysed, Doc, Lexicon};
use std::collections::{HashMap, HashSet};
use th_core::TenantId;
use th_storage::{sqlx, Db, Row};

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("not found")]
    NotFound,
    #[error("invalid: {0}")]
    Invalid(&'static str),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ThemeRow {
    pub id: i64,
    pub process_id: i64,
    pub name: String,
    pub words: Vec<String>,
    pub field: Option<i64>,
    pub accepted: bool,
    /// Contribution ids, the most typical first.
    pub members: Vec<i64>,
}

pub async fn list(db: &Db, t: TenantId, process: i64) -> Result<Vec<ThemeRow>> {
    let rows = sqlx::query("SELECT id, process_id, name, words, field, accepted FROM theme_themes WHERE tenant_id = $1 AND process_id = $2 ORDER BY accepted DESC, id")
        .bind(t.0)
        .bind(process)
        .fetch_all(db.pool())
        .await?;
    let mut out: Vec<ThemeRow> = rows
        .iter()
        .map(|r| ThemeRow {
            id: r.get(0),
            process_id: r.get(1),
            name: r.get(2),
            words: serde_json::from_str(&r.get::<String, _>(3)).unwrap_or_default(),
            field: r.get(4),
            accepted: r.get::<i64, _>(5) != 0,
            members: Vec::new(),
        })
        .collect();
    let members = sqlx::query("SELECT m.theme_id, m.contribution_id FROM theme_members m JOIN theme_themes t ON t.id = m.theme_id WHERE t.tenant_id = $1 AND t.process_id = $2 ORDER BY m.theme_id, m.rank")
        .bind(t.0)
        .bind(process)
        .fetch_all(db.pool())
        .await?;
    for r in members {
        let (tid, cid): (i64, i64) = (r.get(0), r.get(1));
        if let Some(th) = out.iter_mut().find(|x| x.id == tid) {
            th.members.push(cid);
        }
    }
    Ok(out)
}

pub async fn get(db: &Db, t: TenantId, id: i64) -> Result<ThemeRow> {
    let p: i64 =
        sqlx::query("SELECT process_id FROM theme_themes WHERE tenant_id = $1 AND id = $2")
            .bind(t.0)
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(Error::NotFound)?
            .get(0);
    list(db, t, p)
        .await?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(Error::NotFound)
}

fn default_name(th: &Theme) -> String {
    let n = th
        .words
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if n.is_empty() {
        "—".into()
    } else {
        n
    }
}

async fn insert(
    tx: &mut th_storage::Tx,
    t: TenantId,
    process: i64,
    th: &Theme,
    accepted: bool,
    now: i64,
) -> Result<i64> {
    let id: i64 = sqlx::query("INSERT INTO theme_themes (tenant_id, process_id, name, words, field, accepted, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
        .bind(t.0)
        .bind(process)
        .bind(default_name(th))
        .bind(serde_json::to_string(&th.words).unwrap_or_else(|_| "[]".into()))
        .bind(th.field.map(i64::from))
        .bind(accepted as i64)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    for (rank, c) in th.members.iter().enumerate() {
        sqlx::query(
            "INSERT INTO theme_members (theme_id, contribution_id, rank) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(c)
        .bind(rank as i64)
        .execute(tx.conn())
        .await?;
    }
    Ok(id)
}

/// Finds themes over `docs` (the process's contributions) and stores them as proposals,
/// replacing earlier proposals; contributions already in an accepted theme are left to it.
/// Returns the number of themes proposed.
pub async fn run(
    db: &Db,
    t: TenantId,
    process: i64,
    docs: &[Doc],
    fields: &[u8],
    now: i64,
) -> Result<usize> {
    let lex = Lexicon::shipped();
    let kept: HashSet<i64> = list(db, t, process)
        .await?
        .into_iter()
        .filter(|x| x.accepted)
        .flat_map(|x| x.members)
        .collect();
    let open: Vec<&Doc> = docs.iter().filter(|d| !kept.contains(&d.id)).collect();
    let analysed: Vec<Analysed> = open.iter().map(|d| analyse(lex, d)).collect();
    let pairs: Vec<(i64, &Analysed)> = open.iter().zip(&analysed).map(|(d, a)| (d.id, a)).collect();
    let themes = find_themes(&pairs, fields);
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM theme_members WHERE theme_id IN (SELECT id FROM theme_themes WHERE tenant_id = $1 AND process_id = $2 AND accepted = 0)")
        .bind(t.0)
        .bind(process)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "DELETE FROM theme_themes WHERE tenant_id = $1 AND process_id = $2 AND accepted = 0",
    )
    .bind(t.0)
    .bind(process)
    .execute(tx.conn())
    .await?;
    for th in &themes {
        insert(&mut tx, t, process, th, false, now).await?;
    }
    tx.commit().await?;
    Ok(themes.len())
}

/// What a coordinator changes about a theme.
#[derive(Debug, Default, Clone)]
pub struct Change {
    pub name: Option<String>,
    /// `Some(None)` clears the field.
    pub field: Option<Option<i64>>,
    pub accepted: Option<bool>,
}

pub async fn update(
    db: &Db,
    t: TenantId,
    id: i64,
    c: &Change,
    valid_fields: &[i64],
    now: i64,
) -> Result<()> {
    get(db, t, id).await?;
    let mut tx = db.begin().await?;
    if let Some(n) = &c.name {
        let n = n.trim();
        if n.is_empty() {
            return Err(Error::Invalid("name-missing"));
        }
        if n.chars().count() > 200 {
            return Err(Error::Invalid("name-too-long"));
        }
        sqlx::query(
            "UPDATE theme_themes SET name = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(t.0)
        .bind(id)
        .bind(n)
        .bind(now)
        .execute(tx.conn())
        .await?;
    }
    if let Some(f) = c.field {
        if let Some(f) = f {
            if !valid_fields.contains(&f) {
                return Err(Error::Invalid("field-unknown"));
            }
        }
        sqlx::query(
            "UPDATE theme_themes SET field = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(t.0)
        .bind(id)
        .bind(f)
        .bind(now)
        .execute(tx.conn())
        .await?;
    }
    if let Some(a) = c.accepted {
        sqlx::query("UPDATE theme_themes SET accepted = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
            .bind(t.0)
            .bind(id)
            .bind(a as i64)
            .bind(now)
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Moves every contribution of theme `from` into `into` (same process) and removes `from`.
pub async fn merge(db: &Db, t: TenantId, into: i64, from: i64, now: i64) -> Result<()> {
    if into == from {
        return Err(Error::Invalid("merge-self"));
    }
    let a = get(db, t, into).await?;
    let b = get(db, t, from).await?;
    if a.process_id != b.process_id {
        return Err(Error::Invalid("merge-other-process"));
    }
    let mut tx = db.begin().await?;
    let start = a.members.len() as i64;
    for (i, c) in b
        .members
        .iter()
        .filter(|c| !a.members.contains(c))
        .enumerate()
    {
        sqlx::query(
            "INSERT INTO theme_members (theme_id, contribution_id, rank) VALUES ($1, $2, $3)",
        )
        .bind(into)
        .bind(c)
        .bind(start + i as i64)
        .execute(tx.conn())
        .await?;
    }
    sqlx::query("DELETE FROM theme_members WHERE theme_id = $1")
        .bind(from)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM theme_themes WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(from)
        .execute(tx.conn())
        .await?;
    let mut words = a.words.clone();
    for w in b.words {
        if !words.contains(&w) && words.len() < 12 {
            words.push(w);
        }
    }
    sqlx::query(
        "UPDATE theme_themes SET words = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(t.0)
    .bind(into)
    .bind(serde_json::to_string(&words).unwrap_or_else(|_| "[]".into()))
    .bind(now)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Splits a theme in two by its words (two themes found over its members); returns the new
/// theme's id. `docs` must hold the members' texts.
pub async fn split(db: &Db, t: TenantId, id: i64, docs: &[Doc], now: i64) -> Result<i64> {
    let th = get(db, t, id).await?;
    if th.members.len() < 2 {
        return Err(Error::Invalid("split-too-small"));
    }
    let lex = Lexicon::shipped();
    let by_id: HashMap<i64, &Doc> = docs.iter().map(|d| (d.id, d)).collect();
    let analysed: Vec<(i64, Analysed)> = th
        .members
        .iter()
        .filter_map(|m| by_id.get(m).map(|d| (*m, analyse(lex, d))))
        .collect();
    let pairs: Vec<(i64, &Analysed)> = analysed.iter().map(|(i, a)| (*i, a)).collect();
    let parts = crate::model::split_two(&pairs);
    let (Some(keep), Some(new)) = (parts.first(), parts.get(1)) else {
        return Err(Error::Invalid("split-not-possible"));
    };
    // Members whose text is gone stay with the first part rather than vanish.
    let mut kept_members = keep.members.clone();
    kept_members.extend(th.members.iter().filter(|m| !by_id.contains_key(m)));
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM theme_members WHERE theme_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    for (rank, c) in kept_members.iter().enumerate() {
        sqlx::query(
            "INSERT INTO theme_members (theme_id, contribution_id, rank) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(c)
        .bind(rank as i64)
        .execute(tx.conn())
        .await?;
    }
    sqlx::query(
        "UPDATE theme_themes SET words = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(t.0)
    .bind(id)
    .bind(serde_json::to_string(&keep.words).unwrap_or_else(|_| "[]".into()))
    .bind(now)
    .execute(tx.conn())
    .await?;
    let mut second = new.clone();
    second.field = th.field.and_then(|f| u8::try_from(f).ok()).or(second.field);
    let nid = insert(&mut tx, t, th.process_id, &second, th.accepted, now).await?;
    tx.commit().await?;
    Ok(nid)
}

/// Contributions coordinators assigned a field through an accepted theme.
pub async fn assigned(db: &Db, t: TenantId) -> Result<Vec<(i64, u8)>> {
    Ok(sqlx::query("SELECT m.contribution_id, t.field FROM theme_members m JOIN theme_themes t ON t.id = m.theme_id WHERE t.tenant_id = $1 AND t.accepted = 1 AND t.field IS NOT NULL ORDER BY m.contribution_id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
        .iter()
        .filter_map(|r| u8::try_from(r.get::<i64, _>(1)).ok().map(|f| (r.get(0), f)))
        .collect())
}

/// The field suggestion for `doc`, learnt from `examples` (contribution texts with the field
/// coordinators assigned): (field, probability), or none when nothing is known yet.
pub fn suggest(examples: &[(Doc, u8)], fields: &[u8], doc: &Doc) -> Option<(u8, f64)> {
    if examples.is_empty() {
        return None;
    }
    let lex = Lexicon::shipped();
    let analysed: Vec<(Analysed, u8)> = examples
        .iter()
        .map(|(d, f)| (analyse(lex, d), *f))
        .collect();
    let pairs: Vec<(&Analysed, u8)> = analysed.iter().map(|(a, f)| (a, *f)).collect();
    FieldModel::train(&pairs, fields).suggest(&analyse(lex, doc))
}
