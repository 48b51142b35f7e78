//! Participation processes ("Integrationskonzept 2016") and their phases.

use crate::Result;
use std::collections::BTreeMap;
use th_core::{Locale, TenantId};
use th_storage::{sqlx, Db, Row, Tx};

/// The phases a process goes through, in order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    Invitation,
    Collecting,
    Forums,
    Workshops,
    Drafting,
    Decision,
}

impl PhaseKind {
    pub const ALL: [PhaseKind; 6] = [
        PhaseKind::Invitation,
        PhaseKind::Collecting,
        PhaseKind::Forums,
        PhaseKind::Workshops,
        PhaseKind::Drafting,
        PhaseKind::Decision,
    ];
    pub fn key(self) -> &'static str {
        match self {
            PhaseKind::Invitation => "invitation",
            PhaseKind::Collecting => "collecting",
            PhaseKind::Forums => "forums",
            PhaseKind::Workshops => "workshops",
            PhaseKind::Drafting => "drafting",
            PhaseKind::Decision => "decision",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            PhaseKind::Invitation => "phase-invitation",
            PhaseKind::Collecting => "phase-collecting",
            PhaseKind::Forums => "phase-forums",
            PhaseKind::Workshops => "phase-workshops",
            PhaseKind::Drafting => "phase-drafting",
            PhaseKind::Decision => "phase-decision",
        }
    }
    pub fn parse(s: &str) -> Option<PhaseKind> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Phase {
    pub kind: PhaseKind,
    pub starts_on: i64,
    pub ends_on: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Process {
    pub id: i64,
    pub title: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    pub moderation: String,
    pub retention_days: i64,
    pub phases: Vec<Phase>,
}

/// Where a process stands at a moment.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    NotStarted,
    In { phase: PhaseKind },
    Between { after: PhaseKind },
    Finished,
}

impl Process {
    pub fn title_in(&self, l: Locale) -> (&str, Locale) {
        match self.title.get(l.tag()).filter(|t| !t.is_empty()) {
            Some(t) => (t, l),
            None => (
                self.title.get("de").map(String::as_str).unwrap_or(""),
                Locale::De,
            ),
        }
    }
    pub fn description_in(&self, l: Locale) -> (&str, Locale) {
        match self.description.get(l.tag()).filter(|t| !t.is_empty()) {
            Some(t) => (t, l),
            None => (
                self.description.get("de").map(String::as_str).unwrap_or(""),
                Locale::De,
            ),
        }
    }
    pub fn standing(&self, now: i64) -> Standing {
        if let Some(p) = self
            .phases
            .iter()
            .find(|p| p.starts_on <= now && now < p.ends_on)
        {
            return Standing::In { phase: p.kind };
        }
        match self
            .phases
            .iter()
            .filter(|p| p.ends_on <= now)
            .max_by_key(|p| p.ends_on)
        {
            None => Standing::NotStarted,
            Some(last) if self.phases.iter().all(|p| p.ends_on <= now) => {
                let _ = last;
                Standing::Finished
            }
            Some(last) => Standing::Between { after: last.kind },
        }
    }
    /// The phase a contribution made now belongs to (the current one, else the last begun).
    pub fn phase_at(&self, now: i64) -> PhaseKind {
        self.phases
            .iter()
            .filter(|p| p.starts_on <= now)
            .max_by_key(|p| p.starts_on)
            .map(|p| p.kind)
            .unwrap_or(PhaseKind::Invitation)
    }
}

pub struct NewProcess<'a> {
    pub title: &'a [(Locale, &'a str)],
    pub description: &'a [(Locale, &'a str)],
    pub moderation: &'a str,
    pub retention_days: i64,
    pub phases: &'a [(PhaseKind, i64, i64)],
}

pub async fn create_process(tx: &mut Tx, t: TenantId, p: NewProcess<'_>, now: i64) -> Result<i64> {
    let id: i64 = sqlx::query("INSERT INTO part_processes (tenant_id, moderation, retention_days, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(t.0)
        .bind(p.moderation)
        .bind(p.retention_days)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    for (l, title) in p.title {
        let desc = p
            .description
            .iter()
            .find(|(dl, _)| dl == l)
            .map(|(_, d)| *d)
            .unwrap_or("");
        sqlx::query("INSERT INTO part_process_texts (process_id, locale, title, description) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(l.tag())
            .bind(*title)
            .bind(desc)
            .execute(tx.conn())
            .await?;
    }
    for (kind, from, to) in p.phases {
        sqlx::query("INSERT INTO part_phases (process_id, kind, starts_on, ends_on) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(kind.key())
            .bind(*from)
            .bind(*to)
            .execute(tx.conn())
            .await?;
    }
    Ok(id)
}

pub async fn processes(db: &Db, t: TenantId) -> Result<Vec<Process>> {
    let rows = sqlx::query("SELECT id FROM part_processes WHERE tenant_id = $1 ORDER BY id DESC")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(p) = process(db, t, r.get(0)).await? {
            out.push(p);
        }
    }
    Ok(out)
}

pub async fn process(db: &Db, t: TenantId, id: i64) -> Result<Option<Process>> {
    let Some(r) = sqlx::query("SELECT id, moderation, retention_days FROM part_processes WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(id)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let mut p = Process {
        id: r.get(0),
        title: BTreeMap::new(),
        description: BTreeMap::new(),
        moderation: r.get(1),
        retention_days: r.get(2),
        phases: vec![],
    };
    for r in sqlx::query(
        "SELECT locale, title, description FROM part_process_texts WHERE process_id = $1",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    {
        p.title.insert(r.get(0), r.get(1));
        p.description.insert(r.get(0), r.get(2));
    }
    for r in sqlx::query("SELECT kind, starts_on, ends_on FROM part_phases WHERE process_id = $1 ORDER BY starts_on, id")
        .bind(id)
        .fetch_all(db.pool())
        .await?
    {
        if let Some(kind) = PhaseKind::parse(&r.get::<String, _>(0)) {
            p.phases.push(Phase { kind, starts_on: r.get(1), ends_on: r.get(2) });
        }
    }
    Ok(Some(p))
}
