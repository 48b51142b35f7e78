//! Monitoring: indicators that tell whether integration improves (definition, unit, source, the
//! goals they inform) and their values per municipality and year, imported from CSV as
//! statistics offices publish them (tables `mon_*`), with region-wide figures and server-side
//! SVG charts ([`chart`]).
//!
//! Municipalities are named by key and passed in by the caller (the platform's list); goals by
//! the concept's number. This module reads no other module's tables.

pub mod chart;

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
    Invalid(Vec<LineError>),
}

pub type Texts = BTreeMap<String, String>;

/// How the region's figure comes from the municipalities'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Counts add up.
    Sum,
    /// Shares and rates: the mean weighted by population.
    WeightedMean,
    /// The largest (e.g. languages covered: at least as many as the best municipality).
    Max,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub title: Texts,
    #[serde(default)]
    pub definition: Texts,
    /// percent, per_1000, count.
    pub unit: String,
    #[serde(default)]
    pub source: Texts,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub higher_is_better: Option<bool>,
    /// Default: sum for counts, weighted mean otherwise.
    #[serde(default)]
    pub aggregate: Option<Aggregate>,
    /// The values are illustrative, not real statistics.
    #[serde(default)]
    pub illustrative: bool,
}

pub const UNITS: &[&str] = &["percent", "per_1000", "count"];

impl Indicator {
    pub fn aggregate(&self) -> Aggregate {
        self.aggregate.unwrap_or(if self.unit == "count" {
            Aggregate::Sum
        } else {
            Aggregate::WeightedMean
        })
    }
}

/// A problem in an import, by line (CSV) or entry (JSON): a code for translations, the value
/// concerned, and a message in English for the API and the command line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub code: &'static str,
    pub value: String,
    pub message: String,
}

fn err(line: usize, code: &'static str, value: &str, message: String) -> LineError {
    LineError {
        line,
        code,
        value: value.to_string(),
        message,
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Adds or updates indicator definitions (by key), all checked first, in one transaction.
pub async fn put_indicators(db: &Db, t: TenantId, list: &[Indicator], now: i64) -> Result<()> {
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    for (i, d) in list.iter().enumerate() {
        let n = i + 1;
        if d.key.trim().is_empty()
            || !d
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            errs.push(err(
                n,
                "key",
                &d.key,
                format!("\"{}\" is not a key (letters, digits, _ and -)", d.key),
            ));
        }
        if !seen.insert(d.key.clone()) {
            errs.push(err(
                n,
                "duplicate",
                &d.key,
                format!("\"{}\" appears twice", d.key),
            ));
        }
        if !UNITS.contains(&d.unit.as_str()) {
            errs.push(err(
                n,
                "unit",
                &d.unit,
                format!("\"{}\" is not a unit (percent, per_1000, count)", d.unit),
            ));
        }
        if d.title.values().all(|s| s.trim().is_empty()) {
            errs.push(err(n, "title", "", "the title is empty".into()));
        }
    }
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let mut tx = db.begin().await?;
    for (pos, d) in list.iter().enumerate() {
        let agg = json(&d.aggregate()).trim_matches('"').to_string();
        let hib = d.higher_is_better.map(i64::from);
        let exists = sqlx::query("SELECT id FROM mon_indicators WHERE tenant_id = $1 AND key = $2")
            .bind(t.0)
            .bind(&d.key)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(r) = exists {
            sqlx::query("UPDATE mon_indicators SET title = $1, definition = $2, unit = $3, source = $4, goals = $5, higher_is_better = $6, aggregate = $7, illustrative = $8, updated_at = $9 WHERE id = $10")
                .bind(json(&d.title))
                .bind(json(&d.definition))
                .bind(&d.unit)
                .bind(json(&d.source))
                .bind(json(&d.goals))
                .bind(hib)
                .bind(agg)
                .bind(d.illustrative as i64)
                .bind(now)
                .bind(r.get::<i64, _>(0))
                .execute(tx.conn())
                .await?;
        } else {
            sqlx::query("INSERT INTO mon_indicators (tenant_id, key, title, definition, unit, source, goals, higher_is_better, aggregate, illustrative, position, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                .bind(t.0)
                .bind(&d.key)
                .bind(json(&d.title))
                .bind(json(&d.definition))
                .bind(&d.unit)
                .bind(json(&d.source))
                .bind(json(&d.goals))
                .bind(hib)
                .bind(agg)
                .bind(d.illustrative as i64)
                .bind(pos as i64)
                .bind(now)
                .execute(tx.conn())
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn indicators(db: &Db, t: TenantId) -> Result<Vec<Indicator>> {
    let rows = sqlx::query("SELECT key, title, definition, unit, source, goals, higher_is_better, aggregate, illustrative FROM mon_indicators WHERE tenant_id = $1 ORDER BY position, key")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| Indicator {
            key: r.get(0),
            title: serde_json::from_str(&r.get::<String, _>(1)).unwrap_or_default(),
            definition: serde_json::from_str(&r.get::<String, _>(2)).unwrap_or_default(),
            unit: r.get(3),
            source: serde_json::from_str(&r.get::<String, _>(4)).unwrap_or_default(),
            goals: serde_json::from_str(&r.get::<String, _>(5)).unwrap_or_default(),
            higher_is_better: r.get::<Option<i64>, _>(6).map(|v| v != 0),
            aggregate: serde_json::from_str(&format!("\"{}\"", r.get::<String, _>(7))).ok(),
            illustrative: r.get::<i64, _>(8) != 0,
        })
        .collect())
}

pub async fn indicator(db: &Db, t: TenantId, key: &str) -> Result<Indicator> {
    indicators(db, t)
        .await?
        .into_iter()
        .find(|i| i.key == key)
        .ok_or(Error::NotFound)
}

/// One value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub indicator: String,
    pub municipality: String,
    pub year: i32,
    pub value: f64,
}

/// Values, optionally of one indicator, ordered by indicator, municipality, year.
pub async fn values(db: &Db, t: TenantId, key: Option<&str>) -> Result<Vec<Value>> {
    let rows = sqlx::query("SELECT i.key, v.municipality, v.year, v.value FROM mon_values v JOIN mon_indicators i ON i.id = v.indicator_id WHERE i.tenant_id = $1 AND ($2 = '' OR i.key = $2) ORDER BY i.position, i.key, v.municipality, v.year")
        .bind(t.0)
        .bind(key.unwrap_or(""))
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| Value {
            indicator: r.get(0),
            municipality: r.get(1),
            year: r.get::<i64, _>(2) as i32,
            value: r.get(3),
        })
        .collect())
}

/// Reads `indicator,municipality,year,value` (header required; `,` or `;`; a decimal comma is
/// read when the separator is `;`; quoted fields). Every row is checked against the known
/// indicators (key → unit: percentages must lie in 0–100) and municipalities and a plausible
/// year, and must have the header's number of fields; any error → nothing is returned.
/// Splits one CSV line at `sep`, keeping separators inside double quotes ("" is a quote).
fn split_quoted(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// A number as statistics offices write it: with `;` files German (1.234,5; a dot only as
/// thousands in groups of three), with `,` files a decimal point (1234.5). Anything else is
/// refused rather than guessed.
fn number(s: &str, sep: char) -> Option<f64> {
    let t = s.trim().replace(['\u{a0}', ' '], "");
    let t = if sep == ';' {
        let (int, frac) = match t.split_once(',') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (t.clone(), None),
        };
        let groups: Vec<&str> = int.trim_start_matches('-').split('.').collect();
        if groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3))
        {
            return None;
        }
        let int = int.replace('.', "");
        match frac {
            Some(f) => format!("{int}.{f}"),
            None => int,
        }
    } else {
        if t.contains(',') {
            return None;
        }
        t
    };
    t.parse::<f64>().ok()
}

pub fn parse_values_csv(
    text: &str,
    indicators: &HashMap<String, String>,
    municipalities: &HashSet<String>,
    years: std::ops::RangeInclusive<i32>,
) -> std::result::Result<Vec<Value>, Vec<LineError>> {
    let units = indicators;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Err(vec![err(1, "empty", "", "the file is empty".into())]);
    };
    let sep = if header.contains(';') { ';' } else { ',' };
    let cols: Vec<String> = header
        .split(sep)
        .map(|c| c.trim().trim_matches('"').to_lowercase())
        .collect();
    let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
    let (Some(ci), Some(cm), Some(cy), Some(cv)) = (
        find(&["indicator", "indikator"]),
        find(&["municipality", "kommune", "gemeinde"]),
        find(&["year", "jahr"]),
        find(&["value", "wert"]),
    ) else {
        return Err(vec![err(
            1,
            "header",
            header,
            "the header needs the columns indicator, municipality, year and value".into(),
        )]);
    };
    let mut out = Vec::new();
    let mut errs = Vec::new();
    let mut seen: HashMap<(String, String, i32), usize> = HashMap::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f = split_quoted(line, sep);
        if f.len() != cols.len() {
            errs.push(err(
                n,
                "columns",
                line,
                format!("{} fields where the header has {}", f.len(), cols.len()),
            ));
            continue;
        }
        let get = |c: usize| f.get(c).map(String::as_str).unwrap_or("");
        let (ind, mun, year, value) = (get(ci), get(cm), get(cy), get(cv));
        if !indicators.contains_key(ind) {
            errs.push(err(
                n,
                "indicator",
                ind,
                format!("unknown indicator \"{ind}\""),
            ));
            continue;
        }
        if !municipalities.contains(mun) {
            errs.push(err(
                n,
                "municipality",
                mun,
                format!("unknown municipality \"{mun}\""),
            ));
            continue;
        }
        let Some(y) = year.parse::<i32>().ok().filter(|y| years.contains(y)) else {
            errs.push(err(
                n,
                "year",
                year,
                format!(
                    "\"{year}\" is not a year from {} to {}",
                    years.start(),
                    years.end()
                ),
            ));
            continue;
        };
        let Some(v) = number(value, sep)
            .filter(|v| v.is_finite() && v.abs() < 1e12)
            .filter(|v| {
                units.get(ind).map(String::as_str) != Some("percent") || (0.0..=100.0).contains(v)
            })
        else {
            errs.push(err(
                n,
                "value",
                value,
                format!("\"{value}\" is not a number"),
            ));
            continue;
        };
        if let Some(first) = seen.insert((ind.to_string(), mun.to_string(), y), n) {
            errs.push(err(
                n,
                "duplicate",
                ind,
                format!("the same indicator, municipality and year as line {first}"),
            ));
            continue;
        }
        out.push(Value {
            indicator: ind.to_string(),
            municipality: mun.to_string(),
            year: y,
            value: v,
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// Writes values (replacing the same indicator, municipality and year) in one transaction.
pub async fn put_values(db: &Db, t: TenantId, vs: &[Value], now: i64) -> Result<usize> {
    let mut ids: HashMap<String, i64> = HashMap::new();
    for r in sqlx::query("SELECT key, id FROM mon_indicators WHERE tenant_id = $1")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
    {
        ids.insert(r.get(0), r.get(1));
    }
    let mut tx = db.begin().await?;
    for v in vs {
        let id = *ids.get(&v.indicator).ok_or(Error::NotFound)?;
        sqlx::query(
            "DELETE FROM mon_values WHERE indicator_id = $1 AND municipality = $2 AND year = $3",
        )
        .bind(id)
        .bind(&v.municipality)
        .bind(i64::from(v.year))
        .execute(tx.conn())
        .await?;
        sqlx::query("INSERT INTO mon_values (indicator_id, municipality, year, value) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&v.municipality)
            .bind(i64::from(v.year))
            .bind(v.value)
            .execute(tx.conn())
            .await?;
    }
    let touched: HashSet<i64> = vs
        .iter()
        .filter_map(|v| ids.get(&v.indicator).copied())
        .collect();
    for id in touched {
        sqlx::query("UPDATE mon_indicators SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await?;
    Ok(vs.len())
}

/// The region's figure per year from the municipalities' values (populations by key for the
/// weighted mean). Years where a municipality is missing use those present.
pub fn region_series(
    ind: &Indicator,
    vs: &[Value],
    population: &HashMap<String, f64>,
) -> BTreeMap<i32, f64> {
    let mut by_year: BTreeMap<i32, Vec<&Value>> = BTreeMap::new();
    for v in vs.iter().filter(|v| v.indicator == ind.key) {
        by_year.entry(v.year).or_default().push(v);
    }
    by_year
        .into_iter()
        .filter_map(|(y, list)| {
            let r = match ind.aggregate() {
                Aggregate::Sum => list.iter().map(|v| v.value).sum(),
                Aggregate::Max => list.iter().map(|v| v.value).fold(f64::MIN, f64::max),
                Aggregate::WeightedMean => {
                    let (num, den) = list.iter().fold((0.0, 0.0), |(n, d), v| {
                        let w = population.get(&v.municipality).copied().unwrap_or(0.0);
                        (n + w * v.value, d + w)
                    });
                    if den <= 0.0 {
                        return None;
                    }
                    num / den
                }
            };
            Some((y, r))
        })
        .collect()
}

/// One municipality's series of an indicator.
pub fn series(key: &str, municipality: &str, vs: &[Value]) -> BTreeMap<i32, f64> {
    vs.iter()
        .filter(|v| v.indicator == key && v.municipality == municipality)
        .map(|v| (v.year, v.value))
        .collect()
}

/// All values as open data CSV.
pub fn values_csv(vs: &[Value]) -> String {
    let mut out = String::from("indicator,municipality,year,value\n");
    for v in vs {
        out.push_str(&format!(
            "{},{},{},{}\n",
            v.indicator, v.municipality, v.year, v.value
        ));
    }
    out
}
