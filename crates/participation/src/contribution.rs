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
}

#[derive(Clone, Debug, Default)]
pub struct NewContribution {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub fields: Vec<i64>,
    pub details: GoodPractice,
    pub locale: Option<Locale>,
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

const COLS: &str = "id, process_id, phase, kind, title, body, details, fields, locale, organisation_id, pseudonym, status, status_goal, status_reason, published, created_at";

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
    }
}

/// Who writes: an organisation through its invitation, or a person under a pseudonym.
pub enum Author<'a> {
    Invitation {
        invitation_id: i64,
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
    let id: i64 = sqlx::query("INSERT INTO part_contributions (tenant_id, process_id, phase, kind, title, body, details, fields, locale, organisation_id, author_user_id, pseudonym, invitation_id, status, status_goal, status_reason, published, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'received', NULL, '', $14, $15, $15) RETURNING id")
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
        .fetch_one(tx.conn())
        .await?
        .get(0);
    if let Some(i) = inv {
        crate::campaign::mark_answered(&mut tx, i, cx.now).await?;
    }
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
