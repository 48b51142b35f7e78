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

/// A process as the coordination office writes it (form or API): texts per locale, the
/// moderation rule, the retention period and the phases with dates (YYYY-MM-DD, German days;
/// a phase ends at the end of its last day).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessInput {
    /// locale tag → title; German is required.
    pub title: BTreeMap<String, String>,
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    /// "before": contributions wait for moderation; "after": public at once.
    pub moderation: String,
    pub retention_days: i64,
    /// phase key → [first day, last day]
    #[serde(default)]
    pub phases: BTreeMap<String, [String; 2]>,
}

/// A day between 2000 and 2100 (YYYY-MM-DD), as its local midnight.
fn parse_day(s: &str) -> Option<i64> {
    let s = s.trim();
    let year: i32 = s.get(..4)?.parse().ok()?;
    if !(2000..=2100).contains(&year) {
        return None;
    }
    th_core::localtime::parse_local(&format!("{s}T00:00"))
}

/// Checks a process input; returns the phases as (kind, start, end) in order.
pub fn validate_process(
    p: &ProcessInput,
) -> std::result::Result<Vec<(PhaseKind, i64, i64)>, th_core::Validation> {
    let mut v = th_core::Validation::new();
    v.text(
        "title_de",
        p.title.get("de").map(String::as_str).unwrap_or(""),
        200,
    );
    for (tag, t) in &p.title {
        if Locale::parse(tag).is_none() {
            v.add("title", "invalid");
        } else if tag != "de" {
            v.optional_text(&format!("title_{tag}"), t, 200);
        }
    }
    for (tag, d) in &p.description {
        if Locale::parse(tag).is_none() {
            v.add("description", "invalid");
        } else {
            v.optional_text(&format!("description_{tag}"), d, 5000);
        }
    }
    if !["before", "after"].contains(&p.moderation.as_str()) {
        v.add("moderation", "invalid");
    }
    if !(30..=3650).contains(&p.retention_days) {
        v.add("retention_days", "invalid");
    }
    let mut phases = vec![];
    for (key, [from, to]) in &p.phases {
        let Some(kind) = PhaseKind::parse(key) else {
            v.add("phases", "invalid");
            continue;
        };
        if from.trim().is_empty() && to.trim().is_empty() {
            continue;
        }
        let field = format!("phase_{key}");
        match (parse_day(from), parse_day(to)) {
            (Some(a), Some(b)) if b >= a => phases.push((kind, a, b + 86_400)),
            (Some(_), Some(_)) => v.add(&field, "before_start"),
            _ => v.add(&field, "invalid"),
        }
    }
    // Phases follow one another: each begins no earlier than the one before it.
    phases.sort_by_key(|(k, _, _)| *k);
    for w in phases.windows(2) {
        if w[1].1 < w[0].1 {
            v.add(&format!("phase_{}", w[1].0.key()), "phase_order");
        }
    }
    phases.sort_by_key(|(k, a, _)| (*a, *k));
    v.into_result().map(|_| phases)
}

fn texts_of(m: &BTreeMap<String, String>) -> Vec<(Locale, String)> {
    m.iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .filter_map(|(k, t)| Locale::parse(k).map(|l| (l, t.trim().to_string())))
        .collect()
}

/// Creates a process from the coordination office's input.
pub async fn create_from(db: &Db, t: TenantId, p: &ProcessInput, now: i64) -> Result<i64> {
    let phases = validate_process(p).map_err(|v| crate::PartError::Invalid(v.errors))?;
    let titles = texts_of(&p.title);
    let descs = texts_of(&p.description);
    let title: Vec<(Locale, &str)> = titles.iter().map(|(l, s)| (*l, s.as_str())).collect();
    let description: Vec<(Locale, &str)> = descs.iter().map(|(l, s)| (*l, s.as_str())).collect();
    let mut tx = db.begin().await?;
    let id = create_process(
        &mut tx,
        t,
        NewProcess {
            title: &title,
            description: &description,
            moderation: &p.moderation,
            retention_days: p.retention_days,
            phases: &phases,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a process: texts, moderation rule, retention period, phases.
pub async fn update_from(db: &Db, t: TenantId, id: i64, p: &ProcessInput) -> Result<()> {
    let phases = validate_process(p).map_err(|v| crate::PartError::Invalid(v.errors))?;
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE part_processes SET moderation = $1, retention_days = $2 WHERE tenant_id = $3 AND id = $4")
        .bind(&p.moderation)
        .bind(p.retention_days)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(crate::PartError::NotFound);
    }
    sqlx::query("DELETE FROM part_process_texts WHERE process_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    let descs = texts_of(&p.description);
    for (l, title) in texts_of(&p.title) {
        let desc = descs
            .iter()
            .find(|(dl, _)| *dl == l)
            .map(|(_, d)| d.as_str())
            .unwrap_or("");
        sqlx::query("INSERT INTO part_process_texts (process_id, locale, title, description) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(l.tag())
            .bind(title)
            .bind(desc)
            .execute(tx.conn())
            .await?;
    }
    sqlx::query("DELETE FROM part_phases WHERE process_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    for (kind, from, to) in phases {
        sqlx::query("INSERT INTO part_phases (process_id, kind, starts_on, ends_on) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(kind.key())
            .bind(from)
            .bind(to)
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Process {
    /// The process as input for its edit form.
    pub fn input(&self) -> ProcessInput {
        let day = |ts: i64| th_core::localtime::format_input(ts)[..10].to_string();
        ProcessInput {
            title: self.title.clone(),
            description: self.description.clone(),
            moderation: self.moderation.clone(),
            retention_days: self.retention_days,
            phases: self
                .phases
                .iter()
                .map(|p| {
                    (
                        p.kind.key().to_string(),
                        [day(p.starts_on), day(p.ends_on - 1)],
                    )
                })
                .collect(),
        }
    }
}
