//! The integration concept: versions (draft, adopted, superseded), fields of action
//! (Handlungsfelder) with goals, all texts per locale. Fields and goals keep a stable identity
//! and number across versions so that contributions, measures and indicators can point at them.
//! Knows nothing of HTTP, HTML or JSON.

mod cache;
mod diff;
mod store;

pub use cache::Cache;
pub use diff::{diff, Change, ChangeKind, Segment};
pub use store::*;

use std::collections::BTreeMap;
use th_core::Locale;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Adopted,
    Superseded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Adopted => "adopted",
            Status::Superseded => "superseded",
        }
    }
    pub fn parse(s: &str) -> Status {
        match s {
            "adopted" => Status::Adopted,
            "superseded" => Status::Superseded,
            _ => Status::Draft,
        }
    }
}

/// One text in several locales.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tr(pub BTreeMap<Locale, String>);

/// A text as shown to someone: in their locale, or the German fallback (marked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown<'a> {
    pub text: &'a str,
    pub locale: Locale,
    pub fallback: bool,
}

impl Tr {
    pub fn get(&self, l: Locale) -> Shown<'_> {
        if let Some(t) = self.0.get(&l).filter(|t| !t.is_empty()) {
            return Shown {
                text: t,
                locale: l,
                fallback: false,
            };
        }
        let mut cur = l.fallback();
        while let Some(f) = cur {
            if let Some(t) = self.0.get(&f).filter(|t| !t.is_empty()) {
                return Shown {
                    text: t,
                    locale: f,
                    fallback: true,
                };
            }
            cur = f.fallback();
        }
        Shown {
            text: "",
            locale: Locale::De,
            fallback: l != Locale::De,
        }
    }
    pub fn de(&self) -> &str {
        self.0.get(&Locale::De).map(String::as_str).unwrap_or("")
    }
    pub fn set(&mut self, l: Locale, text: impl Into<String>) {
        self.0.insert(l, text.into());
    }
}

impl serde::Serialize for Tr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.tag(), v)?;
        }
        m.end()
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct VersionInfo {
    pub id: i64,
    pub number: i64,
    pub status: Status,
    pub based_on: Option<i64>,
    pub created_at: i64,
    pub adopted_at: Option<i64>,
    /// Bumped by every change; caches compare it.
    pub revision: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Goal {
    pub id: i64,
    pub number: String,
    pub illustrative: bool,
    pub title: Tr,
    pub description: Tr,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Field {
    pub id: i64,
    pub number: i64,
    pub title: Tr,
    pub description: Tr,
    pub goals: Vec<Goal>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Version {
    pub info: VersionInfo,
    pub title: Tr,
    pub summary: Tr,
    pub fields: Vec<Field>,
}

impl Version {
    pub fn field_by_number(&self, n: i64) -> Option<&Field> {
        self.fields.iter().find(|f| f.number == n)
    }
    pub fn goal(&self, id: i64) -> Option<(&Field, &Goal)> {
        self.fields
            .iter()
            .find_map(|f| f.goals.iter().find(|g| g.id == id).map(|g| (f, g)))
    }
    pub fn goal_count(&self) -> usize {
        self.fields.iter().map(|f| f.goals.len()).sum()
    }
}

/// Sorts goal numbers like "4.10" after "4.9".
pub fn goal_sort_key(number: &str) -> (i64, i64) {
    let mut it = number
        .split('.')
        .map(|p| p.parse::<i64>().unwrap_or(i64::MAX));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

/// Input for a whole concept (the demo loader and imports use it).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ConceptInput {
    pub title: BTreeMap<String, String>,
    pub summary: BTreeMap<String, String>,
    pub fields: Vec<FieldInput>,
}

#[derive(Clone, Debug, serde::Deserialize)]
pub struct FieldInput {
    pub number: i64,
    pub title: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    #[serde(default)]
    pub goals: Vec<GoalInput>,
}

#[derive(Clone, Debug, serde::Deserialize)]
pub struct GoalInput {
    pub number: String,
    #[serde(default)]
    pub illustrative: bool,
    pub title: BTreeMap<String, String>,
    #[serde(default)]
    pub description: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConceptError {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error("not found")]
    NotFound,
    #[error("only a draft can be changed")]
    NotADraft,
    #[error("there is a draft already")]
    DraftExists,
    #[error("invalid input")]
    Invalid(th_core::Validation),
}

impl From<th_storage::sqlx::Error> for ConceptError {
    fn from(e: th_storage::sqlx::Error) -> Self {
        ConceptError::Storage(th_storage::StorageError::Sql(e))
    }
}

pub type Result<T, E = ConceptError> = std::result::Result<T, E>;

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 5000;
