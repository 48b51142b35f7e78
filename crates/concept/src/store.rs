//! The concept's tables (`concept_*`), read and written only here.

use crate::*;
use th_core::{TenantId, Validation};
use th_storage::platform::AuditEntry;
use th_storage::{sqlx, Db, Row, Tx};

fn info_from(r: &th_storage::AnyRow) -> VersionInfo {
    VersionInfo {
        id: r.get(0),
        number: r.get(1),
        status: Status::parse(&r.get::<String, _>(2)),
        based_on: r.get(3),
        created_at: r.get(4),
        adopted_at: r.get(5),
        revision: r.get(6),
    }
}

const INFO_COLS: &str = "id, number, status, based_on, created_at, adopted_at, revision";

/// Marks a version as changed (inside the changing transaction).
async fn bump(tx: &mut Tx, version_id: i64) -> Result<()> {
    sqlx::query("UPDATE concept_versions SET revision = revision + 1 WHERE id = $1")
        .bind(version_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Every version of the tenant's concept, newest first.
pub async fn versions(db: &Db, t: TenantId) -> Result<Vec<VersionInfo>> {
    let rows = sqlx::query(&format!(
        "SELECT {INFO_COLS} FROM concept_versions WHERE tenant_id = $1 ORDER BY number DESC"
    ))
    .bind(t.0)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(info_from).collect())
}

/// The version the public sees as "the concept": the adopted one, else the newest.
pub async fn current(db: &Db, t: TenantId) -> Result<Option<Version>> {
    let all = versions(db, t).await?;
    let pick = all
        .iter()
        .find(|v| v.status == Status::Adopted)
        .or_else(|| all.first());
    match pick {
        Some(v) => load(db, t, v.id).await,
        None => Ok(None),
    }
}

/// The open draft, if there is one.
pub async fn draft(db: &Db, t: TenantId) -> Result<Option<VersionInfo>> {
    Ok(versions(db, t)
        .await?
        .into_iter()
        .find(|v| v.status == Status::Draft))
}

pub async fn version_by_number(db: &Db, t: TenantId, number: i64) -> Result<Option<Version>> {
    let r = sqlx::query("SELECT id FROM concept_versions WHERE tenant_id = $1 AND number = $2")
        .bind(t.0)
        .bind(number)
        .fetch_optional(db.pool())
        .await?;
    match r {
        Some(r) => load(db, t, r.get(0)).await,
        None => Ok(None),
    }
}

fn tr_put(map: &mut Tr, locale: &str, text: String) {
    if let Some(l) = Locale::parse(locale) {
        map.set(l, text);
    }
}

/// A whole version with all its texts in all locales.
pub async fn load(db: &Db, t: TenantId, version_id: i64) -> Result<Option<Version>> {
    let Some(r) = sqlx::query(&format!(
        "SELECT {INFO_COLS} FROM concept_versions WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(version_id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let info = info_from(&r);
    let mut title = Tr::default();
    let mut summary = Tr::default();
    for r in sqlx::query(
        "SELECT locale, title, summary FROM concept_version_texts WHERE version_id = $1",
    )
    .bind(version_id)
    .fetch_all(db.pool())
    .await?
    {
        let l: String = r.get(0);
        tr_put(&mut title, &l, r.get(1));
        tr_put(&mut summary, &l, r.get(2));
    }
    let mut fields: Vec<Field> = Vec::new();
    for r in sqlx::query("SELECT f.id, f.number, t.locale, t.title, t.description FROM concept_field_texts t JOIN concept_fields f ON f.id = t.field_id WHERE t.version_id = $1 ORDER BY f.number")
        .bind(version_id)
        .fetch_all(db.pool())
        .await?
    {
        let id: i64 = r.get(0);
        if fields.last().map(|f| f.id) != Some(id) {
            fields.push(Field { id, number: r.get(1), title: Tr::default(), description: Tr::default(), goals: vec![] });
        }
        if let Some(f) = fields.last_mut() {
            let l: String = r.get(2);
            tr_put(&mut f.title, &l, r.get(3));
            tr_put(&mut f.description, &l, r.get(4));
        }
    }
    let mut goals: Vec<(i64, Goal)> = Vec::new();
    for r in sqlx::query("SELECT g.id, g.field_id, g.number, g.illustrative, t.locale, t.title, t.description FROM concept_goal_texts t JOIN concept_goals g ON g.id = t.goal_id WHERE t.version_id = $1 ORDER BY g.id")
        .bind(version_id)
        .fetch_all(db.pool())
        .await?
    {
        let id: i64 = r.get(0);
        if goals.last().map(|(_, g)| g.id) != Some(id) {
            goals.push((r.get(1), Goal { id, number: r.get(2), illustrative: r.get::<i64, _>(3) != 0, title: Tr::default(), description: Tr::default() }));
        }
        if let Some((_, g)) = goals.last_mut() {
            let l: String = r.get(4);
            tr_put(&mut g.title, &l, r.get(5));
            tr_put(&mut g.description, &l, r.get(6));
        }
    }
    for (field_id, g) in goals {
        if let Some(f) = fields.iter_mut().find(|f| f.id == field_id) {
            f.goals.push(g);
        }
    }
    for f in &mut fields {
        f.goals.sort_by_key(|g| goal_sort_key(&g.number));
    }
    Ok(Some(Version {
        info,
        title,
        summary,
        fields,
    }))
}

fn map_tr(m: &BTreeMap<String, String>) -> Vec<(Locale, &str)> {
    m.iter()
        .filter_map(|(k, v)| Locale::parse(k).map(|l| (l, v.as_str())))
        .collect()
}

async fn next_version_number(tx: &mut Tx, t: TenantId) -> Result<i64> {
    let r =
        sqlx::query("SELECT COALESCE(MAX(number), 0) FROM concept_versions WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_one(tx.conn())
            .await?;
    Ok(r.get::<i64, _>(0) + 1)
}

/// Checks a whole concept before anything is written.
pub fn validate_input(c: &ConceptInput) -> Validation {
    let mut v = Validation::new();
    if c.title.get("de").is_none_or(|t| t.trim().is_empty()) {
        v.add("title.de", "required");
    }
    let mut seen = std::collections::BTreeSet::new();
    for f in &c.fields {
        if f.title.get("de").is_none_or(|t| t.trim().is_empty()) {
            v.add(&format!("fields.{}.title.de", f.number), "required");
        }
        for g in &f.goals {
            if !seen.insert(g.number.clone()) {
                v.add(&format!("goals.{}", g.number), "duplicate");
            }
            if !g.number.starts_with(&format!("{}.", f.number)) {
                v.add(&format!("goals.{}.number", g.number), "invalid");
            }
            if g.title.get("de").is_none_or(|t| t.trim().is_empty()) {
                v.add(&format!("goals.{}.title.de", g.number), "required");
            }
        }
    }
    v
}

/// Creates a version from a whole concept (the demo, imports). Fields and goals are created
/// when their numbers are new and reused when the tenant has them already.
pub async fn create_version(
    db: &Db,
    tx: &mut Tx,
    t: TenantId,
    c: &ConceptInput,
    status: Status,
    now: i64,
) -> Result<i64> {
    validate_input(c)
        .into_result()
        .map_err(ConceptError::Invalid)?;
    let _ = db;
    let number = next_version_number(tx, t).await?;
    let vid: i64 = sqlx::query("INSERT INTO concept_versions (tenant_id, number, status, based_on, created_at, adopted_at) VALUES ($1, $2, $3, NULL, $4, $5) RETURNING id")
        .bind(t.0)
        .bind(number)
        .bind(status.as_str())
        .bind(now)
        .bind((status == Status::Adopted).then_some(now))
        .fetch_one(tx.conn())
        .await?
        .get(0);
    for l in Locale::ALL {
        let title = c.title.get(l.tag());
        let summary = c.summary.get(l.tag());
        if title.is_some() || summary.is_some() {
            sqlx::query("INSERT INTO concept_version_texts (version_id, locale, title, summary) VALUES ($1, $2, $3, $4)")
                .bind(vid)
                .bind(l.tag())
                .bind(title.cloned().unwrap_or_default())
                .bind(summary.cloned().unwrap_or_default())
                .execute(tx.conn())
                .await?;
        }
    }
    for f in &c.fields {
        let fid = ensure_field(tx, t, f.number).await?;
        let desc = map_tr(&f.description);
        for (l, title) in map_tr(&f.title) {
            let d = desc
                .iter()
                .find(|(dl, _)| *dl == l)
                .map(|(_, d)| *d)
                .unwrap_or("");
            put_field_text(tx, vid, fid, l, title, d).await?;
        }
        for g in &f.goals {
            let gid = ensure_goal(tx, t, fid, &g.number, g.illustrative).await?;
            let desc = map_tr(&g.description);
            for (l, title) in map_tr(&g.title) {
                let d = desc
                    .iter()
                    .find(|(dl, _)| *dl == l)
                    .map(|(_, d)| *d)
                    .unwrap_or("");
                put_goal_text(tx, vid, gid, l, title, d).await?;
            }
        }
    }
    Ok(vid)
}

async fn ensure_field(tx: &mut Tx, t: TenantId, number: i64) -> Result<i64> {
    if let Some(r) =
        sqlx::query("SELECT id FROM concept_fields WHERE tenant_id = $1 AND number = $2")
            .bind(t.0)
            .bind(number)
            .fetch_optional(tx.conn())
            .await?
    {
        return Ok(r.get(0));
    }
    Ok(
        sqlx::query("INSERT INTO concept_fields (tenant_id, number) VALUES ($1, $2) RETURNING id")
            .bind(t.0)
            .bind(number)
            .fetch_one(tx.conn())
            .await?
            .get(0),
    )
}

async fn ensure_goal(
    tx: &mut Tx,
    t: TenantId,
    field_id: i64,
    number: &str,
    illustrative: bool,
) -> Result<i64> {
    if let Some(r) =
        sqlx::query("SELECT id FROM concept_goals WHERE tenant_id = $1 AND number = $2")
            .bind(t.0)
            .bind(number)
            .fetch_optional(tx.conn())
            .await?
    {
        return Ok(r.get(0));
    }
    Ok(sqlx::query("INSERT INTO concept_goals (tenant_id, field_id, number, illustrative) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(t.0)
        .bind(field_id)
        .bind(number)
        .bind(i64::from(illustrative))
        .fetch_one(tx.conn())
        .await?
        .get(0))
}

async fn put_field_text(
    tx: &mut Tx,
    vid: i64,
    fid: i64,
    l: Locale,
    title: &str,
    desc: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO concept_field_texts (version_id, field_id, locale, title, description) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version_id, field_id, locale) DO UPDATE SET title = excluded.title, description = excluded.description")
        .bind(vid)
        .bind(fid)
        .bind(l.tag())
        .bind(title)
        .bind(desc)
        .execute(tx.conn())
        .await?;
    Ok(())
}

async fn put_goal_text(
    tx: &mut Tx,
    vid: i64,
    gid: i64,
    l: Locale,
    title: &str,
    desc: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO concept_goal_texts (version_id, goal_id, locale, title, description) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version_id, goal_id, locale) DO UPDATE SET title = excluded.title, description = excluded.description")
        .bind(vid)
        .bind(gid)
        .bind(l.tag())
        .bind(title)
        .bind(desc)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Who changes what: every edit below goes into the audit log with its actor.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub tenant: TenantId,
    pub user_id: i64,
    pub now: i64,
}

async fn audit(
    db: &Db,
    tx: &mut Tx,
    a: Actor,
    action: &str,
    version_id: i64,
    detail: &str,
) -> Result<()> {
    // Every audited change is a change of the version: caches on all nodes see it.
    bump(tx, version_id).await?;
    db.audit(
        tx,
        AuditEntry {
            tenant: a.tenant,
            actor: Some(a.user_id),
            action,
            object_type: "concept_version",
            object_id: &version_id.to_string(),
            detail,
        },
        a.now,
    )
    .await?;
    Ok(())
}

/// Opens a new draft as a copy of version `base`. There is at most one draft at a time.
pub async fn new_draft(db: &Db, a: Actor, base: i64) -> Result<i64> {
    let mut tx = db.begin().await?;
    let open =
        sqlx::query("SELECT id FROM concept_versions WHERE tenant_id = $1 AND status = 'draft'")
            .bind(a.tenant.0)
            .fetch_optional(tx.conn())
            .await?;
    if open.is_some() {
        return Err(ConceptError::DraftExists);
    }
    let exists = sqlx::query("SELECT id FROM concept_versions WHERE tenant_id = $1 AND id = $2")
        .bind(a.tenant.0)
        .bind(base)
        .fetch_optional(tx.conn())
        .await?;
    if exists.is_none() {
        return Err(ConceptError::NotFound);
    }
    let number = next_version_number(&mut tx, a.tenant).await?;
    let vid: i64 = sqlx::query("INSERT INTO concept_versions (tenant_id, number, status, based_on, created_at) VALUES ($1, $2, 'draft', $3, $4) RETURNING id")
        .bind(a.tenant.0)
        .bind(number)
        .bind(base)
        .bind(a.now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    for sql in [
        "INSERT INTO concept_version_texts (version_id, locale, title, summary) SELECT $1, locale, title, summary FROM concept_version_texts WHERE version_id = $2",
        "INSERT INTO concept_field_texts (version_id, field_id, locale, title, description) SELECT $1, field_id, locale, title, description FROM concept_field_texts WHERE version_id = $2",
        "INSERT INTO concept_goal_texts (version_id, goal_id, locale, title, description) SELECT $1, goal_id, locale, title, description FROM concept_goal_texts WHERE version_id = $2",
    ] {
        sqlx::query(sql).bind(vid).bind(base).execute(tx.conn()).await?;
    }
    audit(db, &mut tx, a, "create_draft", vid, "").await?;
    tx.commit().await?;
    Ok(vid)
}

async fn require_draft(tx: &mut Tx, t: TenantId, version_id: i64) -> Result<()> {
    let r = sqlx::query("SELECT status FROM concept_versions WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(version_id)
        .fetch_optional(tx.conn())
        .await?;
    match r {
        None => Err(ConceptError::NotFound),
        Some(r) if r.get::<String, _>(0) != "draft" => Err(ConceptError::NotADraft),
        Some(_) => Ok(()),
    }
}

/// The text of a title and description as a coordinator enters it.
pub struct TextEdit<'a> {
    pub locale: Locale,
    pub title: &'a str,
    pub description: &'a str,
}

fn validate_edit(
    e: &TextEdit<'_>,
    title_field: &str,
    desc_field: &str,
) -> Result<(String, String)> {
    let mut v = Validation::new();
    let title = if e.locale == Locale::De {
        v.text(title_field, e.title, TITLE_MAX)
    } else {
        v.optional_text(title_field, e.title, TITLE_MAX)
    };
    let desc = v.optional_text(desc_field, e.description, TEXT_MAX);
    v.into_result().map_err(ConceptError::Invalid)?;
    Ok((title, desc))
}

/// Changes the concept's own title and summary in one locale of a draft.
pub async fn edit_version_texts(db: &Db, a: Actor, version_id: i64, e: TextEdit<'_>) -> Result<()> {
    let (title, summary) = validate_edit(&e, "title", "description")?;
    let mut tx = db.begin().await?;
    require_draft(&mut tx, a.tenant, version_id).await?;
    sqlx::query("INSERT INTO concept_version_texts (version_id, locale, title, summary) VALUES ($1, $2, $3, $4) ON CONFLICT (version_id, locale) DO UPDATE SET title = excluded.title, summary = excluded.summary")
        .bind(version_id)
        .bind(e.locale.tag())
        .bind(&title)
        .bind(&summary)
        .execute(tx.conn())
        .await?;
    audit(
        db,
        &mut tx,
        a,
        "edit_concept_text",
        version_id,
        &format!("({})", e.locale),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a field of action's title and description in one locale of a draft.
pub async fn edit_field(
    db: &Db,
    a: Actor,
    version_id: i64,
    field_id: i64,
    e: TextEdit<'_>,
) -> Result<()> {
    let (title, desc) = validate_edit(&e, "title", "description")?;
    let mut tx = db.begin().await?;
    require_draft(&mut tx, a.tenant, version_id).await?;
    let r = sqlx::query("SELECT f.number FROM concept_fields f JOIN concept_field_texts t ON t.field_id = f.id AND t.version_id = $1 AND t.locale = 'de' WHERE f.id = $2 AND f.tenant_id = $3")
        .bind(version_id)
        .bind(field_id)
        .bind(a.tenant.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(ConceptError::NotFound)?;
    let number: i64 = r.get(0);
    put_field_text(&mut tx, version_id, field_id, e.locale, &title, &desc).await?;
    audit(
        db,
        &mut tx,
        a,
        "edit_field",
        version_id,
        &format!("{number} ({})", e.locale),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a goal's title and description in one locale of a draft.
pub async fn edit_goal(
    db: &Db,
    a: Actor,
    version_id: i64,
    goal_id: i64,
    e: TextEdit<'_>,
) -> Result<()> {
    let (title, desc) = validate_edit(&e, "title", "description")?;
    let mut tx = db.begin().await?;
    require_draft(&mut tx, a.tenant, version_id).await?;
    let r = sqlx::query("SELECT g.number FROM concept_goals g JOIN concept_goal_texts t ON t.goal_id = g.id AND t.version_id = $1 AND t.locale = 'de' WHERE g.id = $2 AND g.tenant_id = $3")
        .bind(version_id)
        .bind(goal_id)
        .bind(a.tenant.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(ConceptError::NotFound)?;
    let number: String = r.get(0);
    put_goal_text(&mut tx, version_id, goal_id, e.locale, &title, &desc).await?;
    audit(
        db,
        &mut tx,
        a,
        "edit_goal",
        version_id,
        &format!("{number} ({})", e.locale),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a new goal (German text first) to a field of action in a draft; returns its number.
pub async fn add_goal(
    db: &Db,
    a: Actor,
    version_id: i64,
    field_id: i64,
    title: &str,
    description: &str,
) -> Result<String> {
    let (title, desc) = validate_edit(
        &TextEdit {
            locale: Locale::De,
            title,
            description,
        },
        "title",
        "description",
    )?;
    let mut tx = db.begin().await?;
    require_draft(&mut tx, a.tenant, version_id).await?;
    let r = sqlx::query("SELECT number FROM concept_fields WHERE id = $1 AND tenant_id = $2")
        .bind(field_id)
        .bind(a.tenant.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(ConceptError::NotFound)?;
    let field_number: i64 = r.get(0);
    // Numbers are never reused: a removed goal keeps its number in older versions.
    let existing = sqlx::query("SELECT number FROM concept_goals WHERE field_id = $1")
        .bind(field_id)
        .fetch_all(tx.conn())
        .await?;
    let next = existing
        .iter()
        .map(|r| goal_sort_key(&r.get::<String, _>(0)).1)
        .max()
        .unwrap_or(0)
        + 1;
    let number = format!("{field_number}.{next}");
    let gid = ensure_goal(&mut tx, a.tenant, field_id, &number, false).await?;
    put_goal_text(&mut tx, version_id, gid, Locale::De, &title, &desc).await?;
    audit(db, &mut tx, a, "add_goal", version_id, &number).await?;
    tx.commit().await?;
    Ok(number)
}

/// Takes a goal out of a draft (it stays in earlier versions with its number).
pub async fn remove_goal(db: &Db, a: Actor, version_id: i64, goal_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    require_draft(&mut tx, a.tenant, version_id).await?;
    let r = sqlx::query("SELECT number FROM concept_goals WHERE id = $1 AND tenant_id = $2")
        .bind(goal_id)
        .bind(a.tenant.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(ConceptError::NotFound)?;
    let number: String = r.get(0);
    let n = sqlx::query("DELETE FROM concept_goal_texts WHERE version_id = $1 AND goal_id = $2")
        .bind(version_id)
        .bind(goal_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(ConceptError::NotFound);
    }
    audit(db, &mut tx, a, "remove_goal", version_id, &number).await?;
    tx.commit().await?;
    Ok(())
}

/// Adopts a draft; the previously adopted version becomes superseded.
/// (The decision path of a later module will call this when the deciding body resolves.)
pub async fn adopt(db: &Db, a: Actor, version_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    require_draft(&mut tx, a.tenant, version_id).await?;
    sqlx::query("UPDATE concept_versions SET status = 'superseded', revision = revision + 1 WHERE tenant_id = $1 AND status = 'adopted'")
        .bind(a.tenant.0)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE concept_versions SET status = 'adopted', adopted_at = $1 WHERE id = $2")
        .bind(a.now)
        .bind(version_id)
        .execute(tx.conn())
        .await?;
    audit(db, &mut tx, a, "adopt", version_id, "").await?;
    tx.commit().await?;
    Ok(())
}

/// The change history of a version, newest first.
pub async fn history(
    db: &Db,
    t: TenantId,
    version_id: i64,
) -> Result<Vec<th_storage::platform::AuditRecord>> {
    Ok(db
        .audit_for_object(t, "concept_version", &version_id.to_string())
        .await?)
}
