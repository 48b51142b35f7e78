//! Measures in the database (tables `measure_*`): the catalogue, tracking (status, progress,
//! milestones, dated updates, the bulk CSV import), progress rolled up to goals and fields of
//! action, and the planner's saved scenarios with their last plan.
//!
//! Goals are named by the concept's goal number ("2.1"); this module never reads `concept_*`.

use crate::planner::{self, InputError, Plan, Scenario};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
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
    #[error("the input has errors")]
    Invalid(Vec<InputError>),
}

/// Localised short text: locale → text.
pub type Texts = BTreeMap<String, String>;

/// Picks the text for `locale`, else German, else any.
pub fn text<'a>(t: &'a Texts, locale: &str) -> &'a str {
    t.get(locale)
        .or_else(|| t.get("de"))
        .or_else(|| t.values().next())
        .map(String::as_str)
        .unwrap_or("")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Planned,
    /// Chosen in an adopted plan, with money and staff assigned; not begun yet.
    Funded,
    Running,
    Done,
    Paused,
    Dropped,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Planned,
        Status::Funded,
        Status::Running,
        Status::Done,
        Status::Paused,
        Status::Dropped,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Funded => "funded",
            Status::Running => "running",
            Status::Done => "done",
            Status::Paused => "paused",
            Status::Dropped => "dropped",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.key() == s)
    }
    /// Counts in the progress roll-up: decided (funded), under way or finished.
    pub fn counts(self) -> bool {
        matches!(
            self,
            Status::Funded | Status::Running | Status::Done | Status::Paused
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Milestone {
    /// ISO date.
    pub date: String,
    pub title: Texts,
    #[serde(default)]
    pub done: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Update {
    /// ISO date.
    pub date: String,
    #[serde(default)]
    pub status: Option<Status>,
    pub progress: f64,
    #[serde(default)]
    pub text: Texts,
}

/// A measure as imported (the demo's `measures.json`) and as shown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Measure {
    pub key: String,
    pub field: u16,
    /// Goal number → expected contribution (score); the first is the primary goal.
    #[serde(with = "ordered_goals")]
    pub goals: Vec<(String, f64)>,
    pub title: Texts,
    #[serde(default)]
    pub description: Texts,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub partners: Vec<String>,
    pub planned_start: i32,
    #[serde(default)]
    pub duration_years: Option<u32>,
    pub staff_fte: f64,
    pub money_eur: f64,
    #[serde(default)]
    pub funding: String,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub excludes: Vec<String>,
    pub status: Status,
    #[serde(default)]
    pub progress: f64,
    /// Weight in the progress roll-up (default 1).
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    #[serde(default)]
    pub updates: Vec<Update>,
    /// Contributions of the participation process this measure came from.
    #[serde(default)]
    pub origins: Vec<i64>,
}

fn one() -> f64 {
    1.0
}

/// Parses `{"measures": [...]}`.
pub fn parse_catalogue(json: &str) -> std::result::Result<Vec<Measure>, String> {
    #[derive(Deserialize)]
    struct File {
        measures: Vec<Measure>,
    }
    serde_json::from_str::<File>(json)
        .map(|f| f.measures)
        .map_err(|e| e.to_string())
}

/// Goals as a JSON object `{"2.1": 3, "2.2": 1}`, kept in the document's order (the first is
/// the primary goal).
mod ordered_goals {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(v.len()))?;
        for (k, x) in v {
            m.serialize_entry(k, x)?;
        }
        m.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, f64)>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of goal numbers and scores")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, f64>()? {
                    out.push((k, v));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    s.bytes()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=days).contains(&d)
}

/// Everything wrong with new measures for a catalogue that holds `existing`, by where it is
/// (`measures[i]` counts in `new`): the planner's checks (relations may point to existing
/// measures) plus tracking.
pub fn validate(new: &[Measure], existing: &[Measure]) -> std::result::Result<(), Vec<InputError>> {
    let mut errs = Vec::new();
    let keys: HashSet<&str> = existing.iter().map(|m| m.key.as_str()).collect();
    let mut combined: Vec<Measure> = existing.to_vec();
    let mut new_index: Vec<usize> = Vec::new(); // combined index - existing.len() -> new index
    for (i, m) in new.iter().enumerate() {
        if keys.contains(m.key.as_str()) {
            errs.push(InputError {
                at: format!("measures[{i}].key"),
                message: format!("\"{}\" exists already", m.key),
            });
        } else {
            new_index.push(i);
            combined.push(m.clone());
        }
    }
    if let Err(e) = planner::validate(&as_planner(&combined, empty_scenario())) {
        for mut e in e {
            if let Some(rest) = e.at.strip_prefix("measures[") {
                let (num, tail) = rest.split_once(']').unwrap_or((rest, ""));
                match num.parse::<usize>() {
                    Ok(c) if c >= existing.len() => {
                        e.at = format!("measures[{}]{tail}", new_index[c - existing.len()]);
                    }
                    Ok(_) => continue, // an existing measure: not this import's fault
                    Err(_) => {}
                }
            }
            errs.push(e);
        }
    }
    for (i, m) in new.iter().enumerate() {
        let at = |f: &str| format!("measures[{i}].{f}");
        if !(1..=99).contains(&m.field) {
            errs.push(InputError {
                at: at("field"),
                message: format!("{} is not a field of action", m.field),
            });
        }
        if m.title.values().all(|t| t.trim().is_empty()) {
            errs.push(InputError {
                at: at("title"),
                message: "is empty".into(),
            });
        }
        let mut seen = HashSet::new();
        for (g, _) in &m.goals {
            if !seen.insert(g) {
                errs.push(InputError {
                    at: format!("measures[{i}].goals.{g}"),
                    message: "names the goal twice".into(),
                });
            }
        }
        for (rel, list) in [("requires", &m.requires), ("excludes", &m.excludes)] {
            let mut seen = HashSet::new();
            for (j, k) in list.iter().enumerate() {
                if !seen.insert(k) {
                    errs.push(InputError {
                        at: format!("measures[{i}].{rel}[{j}]"),
                        message: format!("\"{k}\" is named twice"),
                    });
                }
            }
        }
        let mut seen = HashSet::new();
        for (j, c) in m.origins.iter().enumerate() {
            if !seen.insert(c) {
                errs.push(InputError {
                    at: format!("measures[{i}].origins[{j}]"),
                    message: format!("contribution {c} is named twice"),
                });
            }
        }
        if !(0.0..=100.0).contains(&m.progress) {
            errs.push(InputError {
                at: at("progress"),
                message: format!("must be 0 to 100, not {}", m.progress),
            });
        }
        if !m.weight.is_finite() || m.weight <= 0.0 || m.weight > 1000.0 {
            errs.push(InputError {
                at: at("weight"),
                message: format!("must be above 0 and at most 1000, not {}", m.weight),
            });
        }
        for (j, s) in m.milestones.iter().enumerate() {
            if !is_date(&s.date) {
                errs.push(InputError {
                    at: format!("measures[{i}].milestones[{j}].date"),
                    message: format!("\"{}\" is not a date (YYYY-MM-DD)", s.date),
                });
            }
        }
        for (j, u) in m.updates.iter().enumerate() {
            if !is_date(&u.date) {
                errs.push(InputError {
                    at: format!("measures[{i}].updates[{j}].date"),
                    message: format!("\"{}\" is not a date (YYYY-MM-DD)", u.date),
                });
            }
            if !(0.0..=100.0).contains(&u.progress) {
                errs.push(InputError {
                    at: format!("measures[{i}].updates[{j}].progress"),
                    message: format!("must be 0 to 100, not {}", u.progress),
                });
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn empty_scenario() -> Scenario {
    Scenario {
        horizon: planner::Horizon {
            first_year: 2027,
            years: 5,
        },
        money_eur: planner::PerYear::Same(0.0),
        staff_fte: planner::PerYear::Same(0.0),
        fte_cost_eur: 75_000.0,
        goal_weights: BTreeMap::new(),
        must: Vec::new(),
        must_not: Vec::new(),
        min_share: BTreeMap::new(),
        start_flexibility: 0,
        include_running: false,
    }
}

fn as_planner(ms: &[Measure], scenario: Scenario) -> planner::Input {
    planner::Input {
        scenario,
        measures: ms
            .iter()
            .map(|m| planner::Measure {
                key: m.key.clone(),
                title: text(&m.title, "de").to_string(),
                field: m.field,
                goals: m.goals.iter().cloned().collect(),
                planned_start: m.planned_start,
                duration_years: m.duration_years,
                staff_fte: m.staff_fte,
                money_eur: m.money_eur,
                requires: m.requires.clone(),
                excludes: m.excludes.clone(),
                fixed_start: m.status == Status::Funded,
            })
            .collect(),
    }
}

/// The planner's view of the catalogue under a scenario: finished measures are left out (and
/// requirements on them hold), dropped ones are ruled out, funded ones (an adopted plan's) must
/// be in; measures under way (running, paused) go on with their own funding unless the scenario
/// has them compete (`include_running`).
pub fn planner_input(ms: &[Measure], scenario: &Scenario) -> planner::Input {
    let committed = |m: &Measure| {
        m.status == Status::Done
            || (!scenario.include_running && matches!(m.status, Status::Running | Status::Paused))
    };
    let fixed: HashSet<&str> = ms
        .iter()
        .filter(|m| committed(m))
        .map(|m| m.key.as_str())
        .collect();
    // Alternatives to a measure that goes on (running, paused, not done) cannot be chosen.
    let going_on: HashSet<&str> = ms
        .iter()
        .filter(|m| committed(m) && m.status != Status::Done)
        .map(|m| m.key.as_str())
        .collect();
    let mut blocked: Vec<String> = Vec::new();
    for m in ms.iter().filter(|m| !committed(m)) {
        let excluded_by_running = m.excludes.iter().any(|k| going_on.contains(k.as_str()))
            || ms
                .iter()
                .any(|o| going_on.contains(o.key.as_str()) && o.excludes.contains(&m.key));
        if excluded_by_running {
            blocked.push(m.key.clone());
        }
    }
    let first = scenario.horizon.first_year;
    let live: Vec<Measure> = ms
        .iter()
        .filter(|m| !committed(m))
        .map(|m| {
            let mut m = m.clone();
            m.requires.retain(|k| !fixed.contains(k.as_str()));
            m.excludes.retain(|k| !fixed.contains(k.as_str()));
            // Only planned: a start year that has passed moves to the horizon's first year.
            if m.status == Status::Planned && m.planned_start < first {
                m.planned_start = first;
            }
            m
        })
        .collect();
    let mut s = scenario.clone();
    s.must.retain(|k| !fixed.contains(k.as_str()));
    s.must_not.retain(|k| !fixed.contains(k.as_str()));
    // Dropped measures are out whatever the scenario says; funded ones are in.
    let dropped: HashSet<&str> = ms
        .iter()
        .filter(|m| m.status == Status::Dropped)
        .map(|m| m.key.as_str())
        .collect();
    s.must.retain(|k| !dropped.contains(k.as_str()));
    for k in dropped.iter().map(|k| k.to_string()).chain(blocked) {
        if !s_contains(&s.must_not, &k) {
            s.must_not.push(k);
        }
    }
    for m in ms.iter().filter(|m| m.status == Status::Funded) {
        if !s_contains(&s.must, &m.key) && !s_contains(&s.must_not, &m.key) {
            s.must.push(m.key.clone());
        }
    }
    let must_not: HashSet<String> = s.must_not.iter().cloned().collect();
    s.must.retain(|k| !must_not.contains(k));
    as_planner(&live, s)
}

fn s_contains(v: &[String], k: &str) -> bool {
    v.iter().any(|x| x == k)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Adds measures to the catalogue: all checked first, then written in one transaction.
pub async fn import(db: &Db, t: TenantId, ms: &[Measure], now: i64) -> Result<usize> {
    let existing = list(db, t).await?;
    validate(ms, &existing).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let mut ids: HashMap<String, i64> = HashMap::new();
    for r in sqlx::query("SELECT key, id FROM measure_measures WHERE tenant_id = $1")
        .bind(t.0)
        .fetch_all(tx.conn())
        .await?
    {
        ids.insert(r.get(0), r.get(1));
    }
    for m in ms {
        let id: i64 = sqlx::query("INSERT INTO measure_measures (tenant_id, key, field, title, description, owner, partners, planned_start, duration_years, staff_fte, money_eur, funding, status, progress, weight, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id")
            .bind(t.0)
            .bind(&m.key)
            .bind(m.field as i64)
            .bind(json(&m.title))
            .bind(json(&m.description))
            .bind(&m.owner)
            .bind(json(&m.partners))
            .bind(m.planned_start as i64)
            .bind(m.duration_years.map(|d| d as i64))
            .bind(m.staff_fte)
            .bind(m.money_eur)
            .bind(&m.funding)
            .bind(m.status.key())
            .bind(m.progress)
            .bind(m.weight)
            .bind(now)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        ids.insert(m.key.clone(), id);
        for (pos, (g, score)) in m.goals.iter().enumerate() {
            sqlx::query("INSERT INTO measure_goals (measure_id, goal, score, position) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(g)
                .bind(*score)
                .bind(pos as i64)
                .execute(tx.conn())
                .await?;
        }
        for s in &m.milestones {
            sqlx::query("INSERT INTO measure_milestones (measure_id, due, title, done) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(&s.date)
                .bind(json(&s.title))
                .bind(s.done as i64)
                .execute(tx.conn())
                .await?;
        }
        for u in &m.updates {
            sqlx::query("INSERT INTO measure_updates (measure_id, day, status, progress, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(&u.date)
                .bind(u.status.map(|s| s.key()).unwrap_or(""))
                .bind(u.progress)
                .bind(json(&u.text))
                .bind(now)
                .execute(tx.conn())
                .await?;
        }
        for c in &m.origins {
            sqlx::query(
                "INSERT INTO measure_origins (measure_id, contribution_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*c)
            .execute(tx.conn())
            .await?;
        }
    }
    for m in ms {
        for (kind, list) in [("requires", &m.requires), ("excludes", &m.excludes)] {
            for other in list {
                sqlx::query("INSERT INTO measure_relations (measure_id, other_id, kind) VALUES ($1, $2, $3)")
                    .bind(ids[&m.key])
                    .bind(ids[other])
                    .bind(kind)
                    .execute(tx.conn())
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(ms.len())
}

/// Links contributions of the participation process to a measure as its origin (ids are the
/// participation module's, checked by the caller). Existing links stay.
pub async fn link_origins(db: &Db, t: TenantId, key: &str, contributions: &[i64]) -> Result<()> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query("SELECT id FROM measure_measures WHERE tenant_id = $1 AND key = $2")
        .bind(t.0)
        .bind(key)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(Error::NotFound)?
        .get(0);
    for c in contributions {
        sqlx::query("DELETE FROM measure_origins WHERE measure_id = $1 AND contribution_id = $2")
            .bind(id)
            .bind(*c)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO measure_origins (measure_id, contribution_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*c)
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The whole catalogue with goals, relations and tracking, by key.
pub async fn list(db: &Db, t: TenantId) -> Result<Vec<Measure>> {
    let rows = sqlx::query("SELECT id, key, field, title, description, owner, partners, planned_start, duration_years, staff_fte, money_eur, funding, status, progress, weight FROM measure_measures WHERE tenant_id = $1 ORDER BY key")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut by_id: HashMap<i64, usize> = HashMap::new();
    let mut keys: HashMap<i64, String> = HashMap::new();
    for r in rows {
        let id: i64 = r.get(0);
        by_id.insert(id, out.len());
        keys.insert(id, r.get(1));
        out.push(Measure {
            key: r.get(1),
            field: r.get::<i64, _>(2) as u16,
            goals: Vec::new(),
            title: serde_json::from_str(&r.get::<String, _>(3)).unwrap_or_default(),
            description: serde_json::from_str(&r.get::<String, _>(4)).unwrap_or_default(),
            owner: r.get(5),
            partners: serde_json::from_str(&r.get::<String, _>(6)).unwrap_or_default(),
            planned_start: r.get::<i64, _>(7) as i32,
            duration_years: r.get::<Option<i64>, _>(8).map(|d| d as u32),
            staff_fte: r.get(9),
            money_eur: r.get(10),
            funding: r.get(11),
            requires: Vec::new(),
            excludes: Vec::new(),
            status: Status::parse(&r.get::<String, _>(12)).unwrap_or(Status::Planned),
            progress: r.get(13),
            weight: r.get(14),
            milestones: Vec::new(),
            updates: Vec::new(),
            origins: Vec::new(),
        });
    }
    for r in sqlx::query("SELECT g.measure_id, g.goal, g.score FROM measure_goals g JOIN measure_measures m ON m.id = g.measure_id WHERE m.tenant_id = $1 ORDER BY g.measure_id, g.position")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
    {
        if let Some(&i) = by_id.get(&r.get::<i64, _>(0)) {
            out[i].goals.push((r.get(1), r.get(2)));
        }
    }
    for r in sqlx::query("SELECT r.measure_id, r.other_id, r.kind FROM measure_relations r JOIN measure_measures m ON m.id = r.measure_id WHERE m.tenant_id = $1 ORDER BY r.measure_id, r.other_id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
    {
        let (Some(&i), Some(other)) = (by_id.get(&r.get::<i64, _>(0)), keys.get(&r.get::<i64, _>(1))) else { continue };
        if r.get::<String, _>(2) == "requires" {
            out[i].requires.push(other.clone());
        } else {
            out[i].excludes.push(other.clone());
        }
    }
    for r in sqlx::query("SELECT s.measure_id, s.due, s.title, s.done FROM measure_milestones s JOIN measure_measures m ON m.id = s.measure_id WHERE m.tenant_id = $1 ORDER BY s.measure_id, s.due, s.id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
    {
        if let Some(&i) = by_id.get(&r.get::<i64, _>(0)) {
            out[i].milestones.push(Milestone {
                date: r.get(1),
                title: serde_json::from_str(&r.get::<String, _>(2)).unwrap_or_default(),
                done: r.get::<i64, _>(3) != 0,
            });
        }
    }
    for r in sqlx::query("SELECT u.measure_id, u.day, u.status, u.progress, u.text FROM measure_updates u JOIN measure_measures m ON m.id = u.measure_id WHERE m.tenant_id = $1 ORDER BY u.measure_id, u.day, u.id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
    {
        if let Some(&i) = by_id.get(&r.get::<i64, _>(0)) {
            out[i].updates.push(Update {
                date: r.get(1),
                status: Status::parse(&r.get::<String, _>(2)),
                progress: r.get(3),
                text: serde_json::from_str(&r.get::<String, _>(4)).unwrap_or_default(),
            });
        }
    }
    for r in sqlx::query("SELECT o.measure_id, o.contribution_id FROM measure_origins o JOIN measure_measures m ON m.id = o.measure_id WHERE m.tenant_id = $1 ORDER BY o.measure_id, o.contribution_id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
    {
        if let Some(&i) = by_id.get(&r.get::<i64, _>(0)) {
            out[i].origins.push(r.get(1));
        }
    }
    Ok(out)
}

pub async fn get(db: &Db, t: TenantId, key: &str) -> Result<Measure> {
    list(db, t)
        .await?
        .into_iter()
        .find(|m| m.key == key)
        .ok_or(Error::NotFound)
}

/// One status update of the bulk import (a CSV row) or the form.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    pub key: String,
    pub date: String,
    pub status: Status,
    pub progress: f64,
    pub text: Texts,
}

/// A CSV problem by physical line: a code (for translations), the value concerned, and a
/// message in English (for the API and the command line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub code: &'static str,
    pub value: String,
    pub message: String,
}

fn line_error(line: usize, code: &'static str, value: &str, message: String) -> LineError {
    LineError {
        line,
        code,
        value: value.to_string(),
        message,
    }
}

/// Reads a status CSV: `key,date,status,progress,note` (header required; `;` or `,`; the
/// note optional). Every row is checked against the catalogue; any error → nothing applies.
pub fn parse_status_csv(
    text: &str,
    known: &HashSet<String>,
) -> std::result::Result<Vec<StatusUpdate>, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errs = Vec::new();
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Err(vec![line_error(1, "empty", "", "the file is empty".into())]);
    };
    let sep = if header.contains(';') { ';' } else { ',' };
    let cols: Vec<String> = header.split(sep).map(|c| c.trim().to_lowercase()).collect();
    let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
    let (Some(ck), Some(cd), Some(cs), Some(cp)) = (
        find(&["key", "massnahme", "maßnahme", "kennung"]),
        find(&["date", "datum"]),
        find(&["status"]),
        find(&["progress", "fortschritt"]),
    ) else {
        return Err(vec![line_error(
            1,
            "header",
            header,
            "the header needs the columns key, date, status and progress (note optional)".into(),
        )]);
    };
    let cn = find(&["note", "notiz", "text", "bemerkung"]);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = split_csv(line, sep);
        let get = |c: usize| f.get(c).map(|s| s.trim()).unwrap_or("");
        let key = get(ck);
        let mut bad =
            |code: &'static str, value: &str, m: String| errs.push(line_error(n, code, value, m));
        if !known.contains(key) {
            bad("unknown-measure", key, format!("unknown measure \"{key}\""));
            continue;
        }
        let date = get(cd);
        if !is_date(date) {
            bad(
                "date",
                date,
                format!("\"{date}\" is not a date (YYYY-MM-DD)"),
            );
            continue;
        }
        let Some(status) = Status::parse(&get(cs).to_lowercase()) else {
            bad(
                "status",
                get(cs),
                format!(
                    "\"{}\" is not a status (planned, funded, running, done, paused, dropped)",
                    get(cs)
                ),
            );
            continue;
        };
        let progress = match get(cp)
            .replace(',', ".")
            .trim_end_matches('%')
            .trim()
            .parse::<f64>()
        {
            Ok(p) if (0.0..=100.0).contains(&p) => p,
            _ => {
                bad(
                    "progress",
                    get(cp),
                    format!("\"{}\" is not a progress from 0 to 100", get(cp)),
                );
                continue;
            }
        };
        if !seen.insert((key.to_string(), date.to_string())) {
            bad(
                "duplicate",
                key,
                format!("\"{key}\" has a second row for {date}"),
            );
            continue;
        }
        let mut text = Texts::new();
        if let Some(c) = cn {
            let note = get(c);
            if !note.is_empty() {
                text.insert("de".into(), note.trim_matches('"').replace("\"\"", "\""));
            }
        }
        out.push(StatusUpdate {
            key: key.to_string(),
            date: date.to_string(),
            status,
            progress,
            text,
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// Splits one CSV line, keeping quoted separators.
fn split_csv(line: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(line[start..i].trim().trim_matches('"'));
            start = i + 1;
        }
    }
    out.push(line[start..].trim().trim_matches('"'));
    out
}

/// Applies status updates in one transaction; each becomes a dated update and, when it is the
/// newest for its measure, the measure's current status and progress.
pub async fn apply_updates(db: &Db, t: TenantId, ups: &[StatusUpdate], now: i64) -> Result<usize> {
    let mut tx = db.begin().await?;
    for u in ups {
        let row = sqlx::query("SELECT id FROM measure_measures WHERE tenant_id = $1 AND key = $2")
            .bind(t.0)
            .bind(&u.key)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(Error::NotFound)?;
        let id: i64 = row.get(0);
        sqlx::query("INSERT INTO measure_updates (measure_id, day, status, progress, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(&u.date)
            .bind(u.status.key())
            .bind(u.progress)
            .bind(json(&u.text))
            .bind(now)
            .execute(tx.conn())
            .await?;
        let newest: String =
            sqlx::query("SELECT MAX(day) FROM measure_updates WHERE measure_id = $1")
                .bind(id)
                .fetch_one(tx.conn())
                .await?
                .get(0);
        if newest == u.date {
            sqlx::query("UPDATE measure_measures SET status = $1, progress = $2, updated_at = $3 WHERE id = $4")
                .bind(u.status.key())
                .bind(u.progress)
                .bind(now)
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
    }
    tx.commit().await?;
    Ok(ups.len())
}

/// Progress of a goal or field: the weighted mean of its measures' progress (weight × score),
/// over the measures under way or finished.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rollup {
    pub progress: Option<f64>,
    /// Measures counted (running, done, paused) and all measures.
    pub counted: usize,
    pub measures: usize,
    pub by_status: BTreeMap<Status, usize>,
}

impl Rollup {
    fn add(&mut self, m: &Measure, weight: f64, acc: &mut (f64, f64)) {
        self.measures += 1;
        *self.by_status.entry(m.status).or_default() += 1;
        if m.status.counts() {
            self.counted += 1;
            // Funded but not begun: 0 % whatever was recorded before.
            let p = if m.status == Status::Funded {
                0.0
            } else {
                m.progress
            };
            acc.0 += weight * p;
            acc.1 += weight;
        }
    }
}

/// Progress per goal and per field of action.
pub fn rollup(ms: &[Measure]) -> (BTreeMap<String, Rollup>, BTreeMap<u16, Rollup>) {
    let mut goals: BTreeMap<String, (Rollup, (f64, f64))> = BTreeMap::new();
    let mut fields: BTreeMap<u16, (Rollup, (f64, f64))> = BTreeMap::new();
    for m in ms {
        let mut in_fields: HashSet<u16> = HashSet::new();
        for (g, score) in &m.goals {
            let e = goals.entry(g.clone()).or_default();
            e.0.add(m, m.weight * score, &mut e.1);
            if let Some(f) = g.split('.').next().and_then(|f| f.parse::<u16>().ok()) {
                if in_fields.insert(f) {
                    let e = fields.entry(f).or_default();
                    let w = m.weight
                        * m.goals
                            .iter()
                            .filter(|(h, _)| h.split('.').next() == g.split('.').next())
                            .map(|(_, s)| s)
                            .sum::<f64>();
                    e.0.add(m, w, &mut e.1);
                }
            }
        }
    }
    let fin = |(mut r, (num, den)): (Rollup, (f64, f64))| {
        r.progress = (den > 0.0).then(|| num / den);
        r
    };
    (
        goals.into_iter().map(|(k, v)| (k, fin(v))).collect(),
        fields.into_iter().map(|(k, v)| (k, fin(v))).collect(),
    )
}

// ---- scenarios ----

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SavedScenario {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub scenario: Scenario,
    pub plan: Option<Plan>,
    pub solved_at: Option<i64>,
    #[serde(skip)]
    pub input_hash: Option<String>,
    pub updated_at: i64,
}

pub async fn save_scenario(
    db: &Db,
    t: TenantId,
    id: Option<i64>,
    name: &str,
    description: &str,
    s: &Scenario,
    now: i64,
) -> Result<i64> {
    let ms = list(db, t).await?;
    planner::validate(&planner_input(&ms, s)).map_err(Error::Invalid)?;
    if name.trim().is_empty() {
        return Err(Error::Invalid(vec![InputError {
            at: "name".into(),
            message: "is empty".into(),
        }]));
    }
    let mut tx = db.begin().await?;
    let id = match id {
        Some(id) => {
            let n = sqlx::query("UPDATE measure_scenarios SET name = $1, description = $2, scenario = $3, plan = NULL, solved_at = NULL, input_hash = NULL, updated_at = $4 WHERE tenant_id = $5 AND id = $6")
                .bind(name.trim())
                .bind(description.trim())
                .bind(json(s))
                .bind(now)
                .bind(t.0)
                .bind(id)
                .execute(tx.conn())
                .await?
                .rows_affected();
            if n == 0 {
                return Err(Error::NotFound);
            }
            id
        }
        None => sqlx::query("INSERT INTO measure_scenarios (tenant_id, name, description, scenario, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
            .bind(t.0)
            .bind(name.trim())
            .bind(description.trim())
            .bind(json(s))
            .bind(now)
            .fetch_one(tx.conn())
            .await?
            .get(0),
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn scenarios(db: &Db, t: TenantId) -> Result<Vec<SavedScenario>> {
    let rows = sqlx::query("SELECT id, name, description, scenario, plan, solved_at, updated_at, input_hash FROM measure_scenarios WHERE tenant_id = $1 ORDER BY id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(SavedScenario {
                id: r.get(0),
                name: r.get(1),
                description: r.get(2),
                scenario: serde_json::from_str(&r.get::<String, _>(3)).ok()?,
                plan: r
                    .get::<Option<String>, _>(4)
                    .and_then(|p| serde_json::from_str(&p).ok()),
                solved_at: r.get(5),
                input_hash: r.get(7),
                updated_at: r.get(6),
            })
        })
        .collect())
}

pub async fn scenario(db: &Db, t: TenantId, id: i64) -> Result<SavedScenario> {
    scenarios(db, t)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(Error::NotFound)
}

/// Adopts a plan: its chosen measures that were only planned become funded, starting in the
/// year the plan gives them, each with a dated update naming the scenario. One transaction.
pub async fn adopt(
    db: &Db,
    t: TenantId,
    scenario_name: &str,
    plan: &Plan,
    day: &str,
    now: i64,
) -> Result<usize> {
    if !is_date(day) {
        return Err(Error::Invalid(vec![InputError {
            at: "date".into(),
            message: format!("\"{day}\" is not a date"),
        }]));
    }
    let mut tx = db.begin().await?;
    let mut n = 0;
    for c in &plan.chosen {
        let row = sqlx::query(
            "SELECT id, status, progress FROM measure_measures WHERE tenant_id = $1 AND key = $2",
        )
        .bind(t.0)
        .bind(&c.key)
        .fetch_optional(tx.conn())
        .await?;
        let Some(row) = row else { continue };
        if row.get::<String, _>(1) != Status::Planned.key() {
            continue;
        }
        let id: i64 = row.get(0);
        let progress: f64 = row.get(2);
        sqlx::query("UPDATE measure_measures SET status = $1, planned_start = $2, updated_at = $3 WHERE id = $4")
            .bind(Status::Funded.key())
            .bind(i64::from(c.start))
            .bind(now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let text: Texts = [
            (
                "de".to_string(),
                format!("Im Plan „{scenario_name}“ finanziert, Start {}", c.start),
            ),
            (
                "en".to_string(),
                format!(
                    "Funded in the plan \"{scenario_name}\", starting {}",
                    c.start
                ),
            ),
        ]
        .into_iter()
        .collect();
        sqlx::query("INSERT INTO measure_updates (measure_id, day, status, progress, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(day)
            .bind(Status::Funded.key())
            .bind(progress)
            .bind(json(&text))
            .bind(now)
            .execute(tx.conn())
            .await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// A fingerprint of what the planner solves (FNV-1a over its JSON): a stored plan is current
/// while the scenario and the catalogue give the same input.
pub fn input_hash(i: &planner::Input) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json(i).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Stores the plan solved for `input_hash` (see [`input_hash`]).
pub async fn store_plan(
    db: &Db,
    t: TenantId,
    id: i64,
    input_hash: &str,
    plan: &Plan,
    now: i64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE measure_scenarios SET plan = $1, solved_at = $2, input_hash = $5 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(json(plan))
    .bind(now)
    .bind(t.0)
    .bind(id)
    .bind(input_hash)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_scenario(db: &Db, t: TenantId, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM measure_scenarios WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// A saved scenario with its stored plan while that was solved for the same input (scenario and
/// catalogue unchanged), and the planner's input to solve it again (solve off the async
/// runtime, then [`store_plan`] with [`input_hash`]).
pub async fn scenario_with_input(
    db: &Db,
    t: TenantId,
    id: i64,
) -> Result<(SavedScenario, Option<Plan>, planner::Input)> {
    let s = scenario(db, t, id).await?;
    let ms = list(db, t).await?;
    let input = planner_input(&ms, &s.scenario);
    let fresh = match (&s.plan, &s.input_hash) {
        (Some(p), Some(h)) if *h == input_hash(&input) => Some(p.clone()),
        _ => None,
    };
    Ok((s, fresh, input))
}
