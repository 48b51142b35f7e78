//! Contributions: wishes, ideas and existing good approaches, each tied to fields of action and
//! to the phase of the process, in the locale it was written in, by an organisation (through
//! its invitation link) or by a person under a pseudonym; and what became of each.

use crate::process::PhaseKind;
use crate::{PartError, Result};
use th_core::{Locale, TenantId, Validation};
use th_storage::{sqlx, Db, Row, Tx};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    Wish,
    Idea,
    GoodPractice,
}

impl ContributionKind {
    pub const ALL: [ContributionKind; 3] = [
        ContributionKind::Wish,
        ContributionKind::Idea,
        ContributionKind::GoodPractice,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ContributionKind::Wish => "wish",
            ContributionKind::Idea => "idea",
            ContributionKind::GoodPractice => "good_practice",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            ContributionKind::Wish => "contribution-kind-wish",
            ContributionKind::Idea => "contribution-kind-idea",
            ContributionKind::GoodPractice => "contribution-kind-good-practice",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// What became of a contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    UnderReview,
    Taken,
    Merged,
    NotTaken,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::UnderReview => "under_review",
            Status::Taken => "taken",
            Status::Merged => "merged",
            Status::NotTaken => "not_taken",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Status::Received => "contribution-status-received",
            Status::UnderReview => "contribution-status-under-review",
            Status::Taken => "contribution-status-taken",
            Status::Merged => "contribution-status-merged",
            Status::NotTaken => "contribution-status-not-taken",
        }
    }
    pub fn parse(s: &str) -> Status {
        match s {
            "under_review" => Status::UnderReview,
            "taken" => Status::Taken,
            "merged" => Status::Merged,
            "not_taken" => Status::NotTaken,
            _ => Status::Received,
        }
    }
}

/// The particulars of an existing good approach.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GoodPractice {
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub contact: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Contribution {
    pub id: i64,
    pub process_id: i64,
    pub phase: String,
    pub kind: ContributionKind,
    pub title: String,
    pub body: String,
    pub details: GoodPractice,
    pub fields: Vec<i64>,
    pub locale: Locale,
    pub organisation_id: Option<i64>,
    pub pseudonym: String,
    pub status: Status,
    pub status_goal: Option<String>,
    pub status_reason: String,
    pub published: bool,
    pub created_at: i64,
    #[serde(skip)]
    pub notify_email: String,
}

#[derive(Clone, Debug, Default)]
pub struct NewContribution {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub fields: Vec<i64>,
    pub details: GoodPractice,
    pub locale: Option<Locale>,
    /// Where to tell the author when the status changes (opt-in); None: nobody.
    pub notify_email: Option<String>,
}

pub fn validate(c: &NewContribution, valid_fields: &[i64]) -> Result<ContributionKind, Validation> {
    let mut v = Validation::new();
    let kind = ContributionKind::parse(&c.kind);
    if kind.is_none() {
        v.add("kind", "required");
    }
    v.text("title", &c.title, 200);
    v.text("body", &c.body, 5000);
    if c.fields.is_empty() {
        v.add("fields", "required");
    } else if c.fields.iter().any(|f| !valid_fields.contains(f)) {
        v.add("fields", "invalid");
    }
    if kind == Some(ContributionKind::GoodPractice) {
        v.optional_text("who", &c.details.who, 200);
        v.optional_text("place", &c.details.place, 200);
        v.optional_text("contact", &c.details.contact, 200);
    }
    match (v.is_ok(), kind) {
        (true, Some(k)) => Ok(k),
        _ => Err(v),
    }
}

const COLS: &str = "id, process_id, phase, kind, title, body, details, fields, locale, organisation_id, pseudonym, status, status_goal, status_reason, published, created_at, notify_email";

fn from_row(r: &th_storage::AnyRow) -> Contribution {
    Contribution {
        id: r.get(0),
        process_id: r.get(1),
        phase: r.get(2),
        kind: ContributionKind::parse(&r.get::<String, _>(3)).unwrap_or(ContributionKind::Idea),
        title: r.get(4),
        body: r.get(5),
        details: serde_json::from_str(&r.get::<String, _>(6)).unwrap_or_default(),
        fields: r
            .get::<String, _>(7)
            .split(',')
            .filter_map(|f| f.parse().ok())
            .collect(),
        locale: Locale::parse(&r.get::<String, _>(8)).unwrap_or(Locale::De),
        organisation_id: r.get(9),
        pseudonym: r.get(10),
        status: Status::parse(&r.get::<String, _>(11)),
        status_goal: r.get(12),
        status_reason: r.get(13),
        published: r.get::<i64, _>(14) != 0,
        created_at: r.get(15),
        notify_email: r.get(16),
    }
}

/// Who writes: an organisation through its invitation, or a person under a pseudonym.
pub enum Author<'a> {
    Invitation {
        invitation_id: i64,
        organisation_id: i64,
    },
    /// Recorded by the coordination office for an organisation (from a forum, a letter).
    Organisation {
        organisation_id: i64,
    },
    Person {
        user_id: i64,
        pseudonym: &'a str,
    },
}

pub struct Context<'a> {
    pub tenant: TenantId,
    pub process_id: i64,
    pub phase: PhaseKind,
    /// "before": contributions wait for moderation; "after": they are public at once.
    pub moderation: &'a str,
    pub valid_fields: &'a [i64],
    pub now: i64,
}

pub async fn create(
    db: &Db,
    cx: &Context<'_>,
    author: Author<'_>,
    c: &NewContribution,
) -> Result<i64> {
    let kind = validate(c, cx.valid_fields).map_err(|v| PartError::Invalid(v.errors))?;
    let (org, user, pseudonym, inv) = match author {
        Author::Organisation { organisation_id } => {
            (Some(organisation_id), None, String::new(), None)
        }
        Author::Invitation {
            invitation_id,
            organisation_id,
        } => (
            Some(organisation_id),
            None,
            String::new(),
            Some(invitation_id),
        ),
        Author::Person { user_id, pseudonym } => (None, Some(user_id), pseudonym.to_string(), None),
    };
    let mut tx: Tx = db.begin().await?;
    let id: i64 = sqlx::query("INSERT INTO part_contributions (tenant_id, process_id, phase, kind, title, body, details, fields, locale, organisation_id, author_user_id, pseudonym, invitation_id, status, status_goal, status_reason, published, created_at, updated_at, notify_email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'received', NULL, '', $14, $15, $15, $16) RETURNING id")
        .bind(cx.tenant.0)
        .bind(cx.process_id)
        .bind(cx.phase.key())
        .bind(kind.key())
        .bind(c.title.trim())
        .bind(c.body.trim())
        .bind(serde_json::to_string(&c.details).unwrap_or_default())
        .bind(crate::orgs::join_list(&c.fields))
        .bind(c.locale.unwrap_or(Locale::De).tag())
        .bind(org)
        .bind(user)
        .bind(pseudonym)
        .bind(inv)
        .bind(i64::from(cx.moderation == "after"))
        .bind(cx.now)
        .bind(c.notify_email.clone().unwrap_or_default())
        .fetch_one(tx.conn())
        .await?
        .get(0);
    if let Some(i) = inv {
        crate::campaign::mark_answered(&mut tx, i, cx.now).await?;
    }
    reindex(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Everything an organisation contributed, newest first ("our contributions").
pub async fn of_organisation(db: &Db, t: TenantId, org: i64) -> Result<Vec<Contribution>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM part_contributions WHERE tenant_id = $1 AND organisation_id = $2 ORDER BY id DESC"))
        .bind(t.0)
        .bind(org)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// Everything a person wrote under a pseudonym, newest first ("my contributions").
pub async fn of_person(db: &Db, t: TenantId, user: i64) -> Result<Vec<Contribution>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM part_contributions WHERE tenant_id = $1 AND author_user_id = $2 ORDER BY id DESC"))
        .bind(t.0)
        .bind(user)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

pub async fn get(db: &Db, t: TenantId, id: i64) -> Result<Option<Contribution>> {
    let r = sqlx::query(&format!(
        "SELECT {COLS} FROM part_contributions WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.as_ref().map(from_row))
}

/// Sets what became of a contribution (taken into goal X, merged, not taken with a reason).
pub async fn set_status(
    tx: &mut Tx,
    t: TenantId,
    id: i64,
    status: Status,
    goal: Option<&str>,
    reason: &str,
    now: i64,
) -> Result<()> {
    let n = sqlx::query("UPDATE part_contributions SET status = $1, status_goal = $2, status_reason = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6")
        .bind(status.key())
        .bind(goal)
        .bind(reason)
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(PartError::NotFound);
    }
    Ok(())
}

pub async fn count(db: &Db, t: TenantId) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM part_contributions WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_one(db.pool())
            .await?
            .get(0),
    )
}

/// A decision about a contribution, as the moderation log keeps it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Decision {
    pub actor: Option<i64>,
    pub decision: String,
    pub reason: String,
    pub at: i64,
}

async fn log_decision(
    tx: &mut Tx,
    t: TenantId,
    id: i64,
    actor: Option<i64>,
    decision: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO part_moderation_log (tenant_id, contribution_id, actor_user_id, decision, reason, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(t.0)
        .bind(id)
        .bind(actor)
        .bind(decision)
        .bind(reason)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// What a coordinator decides about a contribution.
#[derive(Clone, Copy, Debug)]
pub struct Verdict<'a> {
    pub status: Status,
    /// The goal number, for `Taken`.
    pub goal: Option<&'a str>,
    /// Why (needed for `Merged` and `NotTaken`).
    pub reason: &'a str,
}

/// Sets what became of a contribution and logs the decision. Taken needs a goal number; merged
/// and not taken need a reason. Returns the contribution as it is now.
pub async fn decide(
    db: &Db,
    t: TenantId,
    id: i64,
    verdict: Verdict<'_>,
    actor: i64,
    now: i64,
) -> Result<Contribution> {
    let Verdict {
        status,
        goal,
        reason,
    } = verdict;
    let mut v = Validation::new();
    let goal = goal.map(str::trim).filter(|g| !g.is_empty());
    if status == Status::Taken && goal.is_none() {
        v.add("goal", "required");
    }
    if matches!(status, Status::Merged | Status::NotTaken) && reason.trim().is_empty() {
        v.add("reason", "required");
    }
    v.optional_text("reason", reason, 2000);
    v.into_result().map_err(|v| PartError::Invalid(v.errors))?;
    let mut tx = db.begin().await?;
    set_status(
        &mut tx,
        t,
        id,
        status,
        goal.filter(|_| status == Status::Taken),
        reason.trim(),
        now,
    )
    .await?;
    log_decision(
        &mut tx,
        t,
        id,
        Some(actor),
        status.key(),
        &format!(
            "{}{}",
            goal.map(|g| format!("{g} ")).unwrap_or_default(),
            reason.trim()
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    get(db, t, id).await?.ok_or(PartError::NotFound)
}

/// Publishes or hides a contribution (moderation) and closes its open reports.
pub async fn moderate(
    db: &Db,
    t: TenantId,
    id: i64,
    publish: bool,
    reason: &str,
    actor: i64,
    now: i64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE part_contributions SET published = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4")
        .bind(i64::from(publish))
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(PartError::NotFound);
    }
    sqlx::query("UPDATE part_reports SET resolved_at = $1 WHERE tenant_id = $2 AND contribution_id = $3 AND resolved_at IS NULL")
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?;
    log_decision(
        &mut tx,
        t,
        id,
        Some(actor),
        if publish { "publish" } else { "hide" },
        reason.trim(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Anyone may report a published contribution, with a reason.
pub async fn report(db: &Db, t: TenantId, id: i64, reason: &str, now: i64) -> Result<()> {
    let mut v = Validation::new();
    let reason = v.text("reason", reason, 1000);
    v.into_result().map_err(|v| PartError::Invalid(v.errors))?;
    let c = get(db, t, id)
        .await?
        .filter(|c| c.published)
        .ok_or(PartError::NotFound)?;
    sqlx::query("INSERT INTO part_reports (tenant_id, contribution_id, reason, created_at) VALUES ($1, $2, $3, $4)")
        .bind(t.0)
        .bind(c.id)
        .bind(reason)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The moderation queue: contributions waiting for publication and those with open reports
/// (with the reasons), oldest first.
pub async fn queue(db: &Db, t: TenantId) -> Result<Vec<(Contribution, Vec<String>)>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM part_contributions c WHERE tenant_id = $1 AND (published = 0 OR EXISTS (SELECT 1 FROM part_reports r WHERE r.contribution_id = c.id AND r.resolved_at IS NULL)) ORDER BY id"))
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let mut out = vec![];
    for r in &rows {
        let c = from_row(r);
        let reasons = sqlx::query("SELECT reason FROM part_reports WHERE contribution_id = $1 AND resolved_at IS NULL ORDER BY id")
            .bind(c.id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        out.push((c, reasons));
    }
    Ok(out)
}

pub async fn decisions(db: &Db, t: TenantId, id: i64) -> Result<Vec<Decision>> {
    let rows = sqlx::query("SELECT actor_user_id, decision, reason, at FROM part_moderation_log WHERE tenant_id = $1 AND contribution_id = $2 ORDER BY id DESC")
        .bind(t.0)
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| Decision {
            actor: r.get(0),
            decision: r.get(1),
            reason: r.get(2),
            at: r.get(3),
        })
        .collect())
}

/// Supports or withdraws support; returns whether the person supports it now.
pub async fn toggle_support(db: &Db, t: TenantId, id: i64, user: i64, now: i64) -> Result<bool> {
    get(db, t, id)
        .await?
        .filter(|c| c.published)
        .ok_or(PartError::NotFound)?;
    let removed =
        sqlx::query("DELETE FROM part_supports WHERE contribution_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(db.pool())
            .await?
            .rows_affected();
    if removed > 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO part_supports (contribution_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (contribution_id, user_id) DO NOTHING")
        .bind(id)
        .bind(user)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(true)
}

pub async fn supports(db: &Db, id: i64) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM part_supports WHERE contribution_id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await?
            .get(0),
    )
}

pub async fn supports_by(db: &Db, id: i64, user: i64) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM part_supports WHERE contribution_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

/// Filters for the coordinators' search (and, with `published_only`, the public list).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Search {
    pub q: Option<String>,
    pub process: Option<i64>,
    pub kind: Option<String>,
    pub field: Option<i64>,
    pub status: Option<String>,
    pub org_kind: Option<String>,
    pub municipality: Option<String>,
    pub language: Option<String>,
    #[serde(default)]
    pub published_only: bool,
}

/// The text a contribution is found by: title, body, the good approach's particulars and the
/// pseudonym, lower-cased with Unicode rules (which SQLite's LOWER does not know).
pub fn search_text(c: &Contribution) -> String {
    format!(
        "{} {} {} {} {}",
        c.title, c.body, c.details.who, c.details.place, c.pseudonym
    )
    .to_lowercase()
}

/// Fills `search_text` where it is missing (rows written before the column existed).
async fn backfill_search(db: &Db, t: TenantId) -> Result<()> {
    loop {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM part_contributions WHERE tenant_id = $1 AND search_text = '' LIMIT 500"))
            .bind(t.0)
            .fetch_all(db.pool())
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = db.begin().await?;
        for r in &rows {
            let c = from_row(r);
            sqlx::query("UPDATE part_contributions SET search_text = $1 WHERE id = $2")
                .bind(format!(" {}", search_text(&c)))
                .bind(c.id)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
    }
}

/// Writes a contribution's search text again (after its text or pseudonym changed).
pub(crate) async fn reindex(tx: &mut Tx, id: i64) -> Result<()> {
    let r = sqlx::query(&format!(
        "SELECT {COLS} FROM part_contributions WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    sqlx::query("UPDATE part_contributions SET search_text = $1 WHERE id = $2")
        .bind(format!(" {}", search_text(&from_row(&r))))
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

enum Bind {
    Int(i64),
    Text(String),
}

/// Searches contributions, newest first, one page and the total: every filter and every word
/// of `q` (matched against the lower-cased search text) in SQL, so that only the page is read.
pub async fn search(
    db: &Db,
    t: TenantId,
    s: &Search,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Contribution>, i64)> {
    backfill_search(db, t).await?;
    let mut cond = String::new();
    let mut binds: Vec<Bind> = vec![];
    let mut add = |c: &str, v: Bind| {
        binds.push(v);
        cond.push_str(&format!(" AND {c} ${}", binds.len() + 1));
    };
    if let Some(p) = s.process {
        add("c.process_id =", Bind::Int(p));
    }
    if let Some(k) = s.kind.as_deref().filter(|k| !k.is_empty()) {
        add("c.kind =", Bind::Text(k.to_string()));
    }
    if let Some(f) = s.field {
        add("c.fields LIKE", Bind::Text(format!("%,{f},%")));
    }
    if let Some(st) = s.status.as_deref().filter(|k| !k.is_empty()) {
        add("c.status =", Bind::Text(st.to_string()));
    }
    if let Some(k) = s.org_kind.as_deref().filter(|k| !k.is_empty()) {
        add("o.kind =", Bind::Text(k.to_string()));
    }
    if let Some(m) = s.municipality.as_deref().filter(|k| !k.is_empty()) {
        add("o.municipality =", Bind::Text(m.to_string()));
    }
    if let Some(l) = s.language.as_deref().filter(|k| !k.is_empty()) {
        add("c.locale =", Bind::Text(l.to_string()));
    }
    for w in s.q.as_deref().unwrap_or("").split_whitespace() {
        let w = w.to_lowercase().replace(['%', '_', '\\'], "");
        if !w.is_empty() {
            add("c.search_text LIKE", Bind::Text(format!("%{w}%")));
        }
    }
    if s.published_only {
        cond.push_str(" AND c.published = 1");
    }
    let from = format!("FROM part_contributions c LEFT JOIN part_organisations o ON o.id = c.organisation_id WHERE c.tenant_id = $1{cond}");
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut q = sqlx::query(&count_sql).bind(t.0);
    for b in &binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(s) => q.bind(s.as_str()),
        };
    }
    let total: i64 = q.fetch_one(db.pool()).await?.get(0);
    let cols = COLS
        .split(", ")
        .map(|c| format!("c.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let n = binds.len() + 2;
    let page_sql = format!(
        "SELECT {cols} {from} ORDER BY c.id DESC LIMIT ${n} OFFSET ${}",
        n + 1
    );
    let mut q = sqlx::query(&page_sql).bind(t.0);
    for b in &binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(s) => q.bind(s.as_str()),
        };
    }
    let rows = q
        .bind(limit.max(0))
        .bind(offset.max(0))
        .fetch_all(db.pool())
        .await?;
    Ok((rows.iter().map(from_row).collect(), total))
}
