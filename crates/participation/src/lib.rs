//! Participation: the registry of organisations and their contact people (used by other
//! modules through this crate's functions, never its tables), the all-or-nothing CSV import
//! and the export. Knows nothing of HTTP or HTML.

pub mod campaign;
pub mod contribution;
pub mod event;
pub mod forum;
pub mod import;
mod orgs;
pub mod process;
pub mod report;
pub mod retention;

pub use orgs::*;

use th_core::FieldError;

/// The kinds of organisation the region works with.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    MigrantOrganisation,
    Welfare,
    Education,
    Employer,
    Health,
    Administration,
    Other,
}

impl OrgKind {
    pub const ALL: [OrgKind; 7] = [
        OrgKind::MigrantOrganisation,
        OrgKind::Welfare,
        OrgKind::Education,
        OrgKind::Employer,
        OrgKind::Health,
        OrgKind::Administration,
        OrgKind::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            OrgKind::MigrantOrganisation => "migrant_organisation",
            OrgKind::Welfare => "welfare",
            OrgKind::Education => "education",
            OrgKind::Employer => "employer",
            OrgKind::Health => "health",
            OrgKind::Administration => "administration",
            OrgKind::Other => "other",
        }
    }

    /// The message-catalog key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            OrgKind::MigrantOrganisation => "org-kind-migrant-organisation",
            OrgKind::Welfare => "org-kind-welfare",
            OrgKind::Education => "org-kind-education",
            OrgKind::Employer => "org-kind-employer",
            OrgKind::Health => "org-kind-health",
            OrgKind::Administration => "org-kind-administration",
            OrgKind::Other => "org-kind-other",
        }
    }

    /// Reads a kind as people write it in spreadsheets, in German or English.
    pub fn parse(s: &str) -> Option<OrgKind> {
        let n = s.trim().to_lowercase();
        if let Some(k) = Self::ALL.into_iter().find(|k| k.key() == n) {
            return Some(k);
        }
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        if has(&["migrant", "mso", "selbstorganisation"]) {
            Some(OrgKind::MigrantOrganisation)
        } else if has(&[
            "wohlfahrt",
            "welfare",
            "caritas",
            "diakonie",
            "awo",
            "paritätisch",
            "drk",
        ]) {
            Some(OrgKind::Welfare)
        } else if has(&[
            "bildung",
            "schule",
            "education",
            "school",
            "volkshochschule",
            "vhs",
            "kita",
            "hochschule",
        ]) {
            Some(OrgKind::Education)
        } else if has(&[
            "arbeitgeber",
            "kammer",
            "unternehmen",
            "employer",
            "chamber",
            "company",
            "ihk",
            "handwerk",
            "betrieb",
        ]) {
            Some(OrgKind::Employer)
        } else if has(&["gesundheit", "health", "klinik", "praxis", "pflege"]) {
            Some(OrgKind::Health)
        } else if has(&[
            "kommun",
            "verwaltung",
            "municipal",
            "administration",
            "gemeinde",
            "stadt",
            "behörde",
            "amt",
        ]) {
            Some(OrgKind::Administration)
        } else if has(&["sonstig", "other", "andere"]) {
            Some(OrgKind::Other)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PartError {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
}

impl From<th_storage::sqlx::Error> for PartError {
    fn from(e: th_storage::sqlx::Error) -> Self {
        PartError::Storage(th_storage::StorageError::Sql(e))
    }
}

pub type Result<T, E = PartError> = std::result::Result<T, E>;
