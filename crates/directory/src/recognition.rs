//! The recognition guide's table: reference professions (names and the words people use for
//! their qualification, in every locale), whether the profession is regulated, the competent
//! body in the federal state, documents, fees, duration, who may pay, and the source of each
//! row. A row not checked against its source is shown as unverified. The table ships for
//! Lower Saxony (`data/recognition_nds.json`), is stored per tenant, and an administrator
//! replaces it by importing a new version: every entry is checked first, and nothing is
//! written unless all are right.

use crate::{search::normalise_arabic, DirError, Result};
use std::collections::BTreeMap;
use th_core::{FieldError, Locale, TenantId};
use th_storage::platform::AuditEntry;
use th_storage::{sqlx, Db, Row};

pub type Texts = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Body {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub scope: Texts,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Profession {
    pub key: String,
    pub reference: Texts,
    #[serde(default)]
    pub synonyms: BTreeMap<String, Vec<String>>,
    pub regulated: bool,
    #[serde(default)]
    pub legal_basis: String,
    pub body: String,
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub fee: Texts,
    #[serde(default)]
    pub duration: Texts,
    #[serde(default)]
    pub cost_bearers: Texts,
    pub source: String,
    #[serde(default)]
    pub source_note: Option<String>,
    #[serde(default)]
    pub checked: bool,
    #[serde(default)]
    pub note: Option<Texts>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub version: String,
    #[serde(default)]
    pub region: String,
    pub finder_url: String,
    pub bodies: Vec<Body>,
    pub professions: Vec<Profession>,
}

/// Documents a procedure can ask for; catalog key `rec-doc-<code>`.
pub const DOCUMENTS: &[(&str, &str)] = &[
    ("application", "rec-doc-application"),
    ("cv", "rec-doc-cv"),
    ("id", "rec-doc-id"),
    ("qualification", "rec-doc-qualification"),
    ("training-content", "rec-doc-training-content"),
    ("work-experience", "rec-doc-work-experience"),
    ("translations", "rec-doc-translations"),
    ("language-certificate", "rec-doc-language-certificate"),
    ("health-certificate", "rec-doc-health-certificate"),
    ("police-clearance", "rec-doc-police-clearance"),
    ("name-change", "rec-doc-name-change"),
    ("residence-intent", "rec-doc-residence-intent"),
];

pub fn document_label_key(code: &str) -> Option<&'static str> {
    DOCUMENTS.iter().find(|d| d.0 == code).map(|d| d.1)
}

/// The table shipped for Lower Saxony.
pub const SHIPPED: &str = include_str!("../data/recognition_nds.json");

/// Text in a locale, else German.
pub fn text(t: &Texts, l: Locale) -> (&str, bool) {
    match t.get(l.tag()) {
        Some(s) => (s, true),
        None => (
            t.get("de").map(String::as_str).unwrap_or(""),
            l == Locale::De || l == Locale::DeLs,
        ),
    }
}

/// One problem of an import: where (entry number from 1, or the line of a syntax error) and a
/// catalog key suffix.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ImportError {
    pub place: String,
    pub code: String,
}

fn https(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() < 500
        && !u.contains(char::is_whitespace)
}

/// Parses and checks a whole table; returns every problem found.
pub fn parse(json: &str) -> Result<Table, Vec<ImportError>> {
    let table: Table = serde_json::from_str(json).map_err(|e| {
        vec![ImportError {
            place: format!("line {}, column {}", e.line(), e.column()),
            code: "rec_syntax".into(),
        }]
    })?;
    let mut errs = Vec::new();
    let mut err = |place: String, code: &str| {
        errs.push(ImportError {
            place,
            code: code.into(),
        })
    };
    if table.version.trim().is_empty() || table.version.len() > 40 {
        err("version".into(), "required");
    }
    if !https(&table.finder_url) {
        err("finder_url".into(), "invalid_url");
    }
    let mut keys = std::collections::HashSet::new();
    for (i, b) in table.bodies.iter().enumerate() {
        let p = format!("bodies {} ({})", i + 1, b.key);
        if !keys.insert(b.key.clone()) || b.key.trim().is_empty() {
            err(p.clone(), "duplicate");
        }
        if b.name.trim().is_empty() {
            err(p.clone(), "required");
        }
        if b.url.as_deref().is_some_and(|u| !https(u)) {
            err(p, "invalid_url");
        }
    }
    let mut pkeys = std::collections::HashSet::new();
    for (i, r) in table.professions.iter().enumerate() {
        let p = format!("professions {} ({})", i + 1, r.key);
        if r.key.is_empty()
            || !r
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || !pkeys.insert(r.key.clone())
        {
            err(p.clone(), "rec_key");
        }
        if r.reference.get("de").is_none_or(|s| s.trim().is_empty()) {
            err(p.clone(), "rec_reference");
        }
        if r.reference
            .keys()
            .chain(r.synonyms.keys())
            .any(|l| Locale::parse(l).is_none())
        {
            err(p.clone(), "unknown_locale");
        }
        if !table.bodies.iter().any(|b| b.key == r.body) {
            err(p.clone(), "rec_body");
        }
        if r.documents.iter().any(|d| document_label_key(d).is_none()) {
            err(p.clone(), "rec_document");
        }
        if !https(&r.source) {
            err(p.clone(), "rec_source");
        }
        let too_long = r
            .reference
            .values()
            .chain(r.fee.values())
            .chain(r.duration.values())
            .chain(r.cost_bearers.values())
            .any(|s| s.chars().count() > 1000);
        if too_long {
            err(p, "too_long");
        }
    }
    if table.professions.is_empty() {
        err("professions".into(), "required");
    }
    if errs.is_empty() {
        Ok(table)
    } else {
        Err(errs)
    }
}

/// The federal Recognition Finder, for every profession and state.
pub const FINDER_URL: &str =
    "https://www.anerkennung-in-deutschland.de/html/de/pro/anerkennungs-finder.php";

/// The tenant's table; an empty one (only the link to the federal finder) until one is
/// imported. The demo imports the table shipped for Lower Saxony.
pub async fn table(db: &Db, t: TenantId) -> Result<Table> {
    let r = sqlx::query("SELECT data FROM dir_rec_table WHERE tenant_id = $1")
        .bind(t.0)
        .fetch_optional(db.pool())
        .await?;
    match r.map(|r| r.get::<String, _>(0)) {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| DirError::Index(format!("stored recognition table: {e}"))),
        None => Ok(Table {
            version: String::new(),
            region: String::new(),
            finder_url: FINDER_URL.into(),
            bodies: Vec::new(),
            professions: Vec::new(),
        }),
    }
}

/// When the table in use was imported (None: the shipped one).
pub async fn imported_at(db: &Db, t: TenantId) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT imported_at FROM dir_rec_table WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_optional(db.pool())
            .await?
            .map(|r| r.get(0)),
    )
}

/// Replaces the table after checking all of it.
pub async fn import(
    db: &Db,
    t: TenantId,
    json: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Table, ImportOutcome> {
    let table = parse(json).map_err(ImportOutcome::Invalid)?;
    let data = serde_json::to_string(&table)
        .map_err(|e| ImportOutcome::Failed(DirError::Index(e.to_string())))?;
    let run = async {
        let mut tx = db.begin().await?;
        sqlx::query("DELETE FROM dir_rec_table WHERE tenant_id = $1")
            .bind(t.0)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO dir_rec_table (tenant_id, version, data, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(t.0)
            .bind(&table.version)
            .bind(&data)
            .bind(now)
            .bind(actor)
            .execute(tx.conn())
            .await?;
        db.audit(
            &mut tx,
            AuditEntry {
                tenant: t,
                actor,
                action: "recognition.import",
                object_type: "recognition_table",
                object_id: &table.version,
                detail: &format!("{} professions", table.professions.len()),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, DirError>(())
    };
    run.await.map_err(ImportOutcome::Failed)?;
    Ok(table)
}

#[derive(Debug)]
pub enum ImportOutcome {
    Invalid(Vec<ImportError>),
    Failed(DirError),
}

impl From<ImportOutcome> for DirError {
    fn from(o: ImportOutcome) -> Self {
        match o {
            ImportOutcome::Invalid(e) => DirError::Invalid(
                e.into_iter()
                    .map(|e| FieldError {
                        field: e.place,
                        code: e.code,
                    })
                    .collect(),
            ),
            ImportOutcome::Failed(e) => e,
        }
    }
}

fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if let Some(c) = normalise_arabic(c) {
            for l in c.to_lowercase() {
                out.push(match l {
                    'ä' => 'a',
                    'ö' => 'o',
                    'ü' => 'u',
                    'ı' => 'i',
                    'ş' => 's',
                    'ç' => 'c',
                    'ğ' => 'g',
                    '-' | '/' | '(' | ')' | ',' => ' ',
                    c => c,
                });
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two words are within one edit (typos in short queries).
fn near(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 || a.len() < 5 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

/// Professions matching what a person typed, in any locale, best first.
pub fn find<'a>(table: &'a Table, query: &str) -> Vec<&'a Profession> {
    let q = fold(&query.chars().take(200).collect::<String>());
    if q.is_empty() {
        return Vec::new();
    }
    let qwords: Vec<&str> = q.split(' ').collect();
    let mut scored: Vec<(u32, &Profession)> = Vec::new();
    for p in &table.professions {
        let mut best = 0;
        let names = p.reference.values().chain(p.synonyms.values().flatten());
        for n in names {
            let n = fold(n);
            let score = if n == q {
                100
            } else if n.starts_with(&q) || q.starts_with(&n) {
                80
            } else if n.contains(&q) || q.contains(&n) {
                60
            } else {
                let nwords: Vec<&str> = n.split(' ').collect();
                let hits = qwords
                    .iter()
                    .filter(|w| {
                        w.chars().count() >= 3
                            && nwords.iter().any(|x| x.starts_with(**w) || near(w, x))
                    })
                    .count();
                (hits as u32) * 20
            };
            best = best.max(score);
        }
        if best > 0 {
            scored.push((best, p));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.key.cmp(&b.1.key)));
    scored.into_iter().map(|s| s.1).take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_is_valid_and_large_enough() {
        let t = parse(SHIPPED).unwrap();
        assert!(t.professions.len() >= 30, "{}", t.professions.len());
        for p in &t.professions {
            for l in Locale::ALL {
                assert!(
                    p.reference.contains_key(l.tag()),
                    "{} lacks {}",
                    p.key,
                    l.tag()
                );
            }
        }
        assert!(t.professions.iter().any(|p| p.regulated));
        assert!(t.professions.iter().any(|p| !p.regulated));
    }

    #[test]
    fn people_find_their_profession_in_their_words() {
        let t = parse(SHIPPED).unwrap();
        let first = |q: &str| {
            find(&t, q)
                .first()
                .map(|p| p.key.clone())
                .unwrap_or_default()
        };
        let nurse = first("Krankenschwester");
        assert!(!nurse.is_empty());
        assert_eq!(first("ممرضة"), nurse);
        assert_eq!(first("Krankenschwster"), nurse, "one typo");
        assert!(find(&t, "").is_empty());
        assert!(find(&t, "<script>").is_empty());
    }

    #[test]
    fn a_broken_table_names_every_problem_and_is_refused() {
        let mut t = parse(SHIPPED).unwrap();
        t.professions[0].body = "nowhere".into();
        t.professions[1].documents.push("passport-photo".into());
        t.professions[2].key = t.professions[3].key.clone();
        let json = serde_json::to_string(&t).unwrap();
        let errs = parse(&json).unwrap_err();
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert!(codes.contains(&"rec_body"));
        assert!(codes.contains(&"rec_document"));
        assert!(codes.contains(&"rec_key"));
        assert!(errs.iter().any(|e| e.place.starts_with("professions 1 ")));
        let e = parse("{\"version\": ").unwrap_err();
        assert_eq!(e[0].code, "rec_syntax");
        assert!(e[0].place.starts_with("line 1"));
    }
}
