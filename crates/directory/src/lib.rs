//! Directory: the Wegweiser — services, locations and opening hours in the shape of Open
//! Referral HSDS 3.0, the topic taxonomy under the fields of action, review of changes made by
//! organisations, the search index (tantivy, one in memory per node), the recognition table,
//! the next-steps guide, and the administration's language coverage. Organisations are the
//! participation registry's; callers pass what this crate needs of them. Knows nothing of HTTP.

pub mod hsds;
pub mod languages;
pub mod nextsteps;
pub mod recognition;
pub mod search;
pub mod service;
pub mod staff;
pub mod taxonomy;

pub use service::*;

use th_core::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum DirError {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("search index: {0}")]
    Index(String),
}

impl From<th_storage::sqlx::Error> for DirError {
    fn from(e: th_storage::sqlx::Error) -> Self {
        DirError::Storage(th_storage::StorageError::Sql(e))
    }
}

impl From<tantivy::TantivyError> for DirError {
    fn from(e: tantivy::TantivyError) -> Self {
        DirError::Index(e.to_string())
    }
}

impl From<th_core::Validation> for DirError {
    fn from(v: th_core::Validation) -> Self {
        DirError::Invalid(v.errors)
    }
}

pub type Result<T, E = DirError> = std::result::Result<T, E>;

/// Target groups a service names (HSDS: eligibility). Catalog key `dir-group-<key>`.
pub const GROUPS: &[(&str, &str)] = &[
    ("all", "dir-group-all"),
    ("refugees", "dir-group-refugees"),
    ("families", "dir-group-families"),
    ("women", "dir-group-women"),
    ("youth", "dir-group-youth"),
    ("workers", "dir-group-workers"),
    ("students", "dir-group-students"),
    ("seniors", "dir-group-seniors"),
];

pub fn group_label_key(key: &str) -> Option<&'static str> {
    GROUPS.iter().find(|g| g.0 == key).map(|g| g.1)
}

/// Distance in kilometres between two points (haversine), for "nearby municipalities".
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Municipalities whose centres lie within `km` of the given one's (itself included).
pub fn nearby<'a>(all: &'a [(String, f64, f64)], key: &str, km: f64) -> Vec<&'a str> {
    let Some(c) = all.iter().find(|m| m.0 == key) else {
        return Vec::new();
    };
    all.iter()
        .filter(|m| distance_km((c.1, c.2), (m.1, m.2)) <= km)
        .map(|m| m.0.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laatzen_is_near_hannover_and_hemmingen_but_not_uetze() {
        let all = vec![
            ("hannover".to_string(), 52.374, 9.738),
            ("laatzen".to_string(), 52.315, 9.797),
            ("hemmingen".to_string(), 52.315, 9.722),
            ("uetze".to_string(), 52.465, 10.204),
        ];
        let n = nearby(&all, "laatzen", 10.0);
        assert_eq!(n, vec!["hannover", "laatzen", "hemmingen"]);
        let d = distance_km((52.374, 9.738), (52.315, 9.797));
        assert!((7.0..8.5).contains(&d), "{d}");
        assert!(nearby(&all, "nowhere", 10.0).is_empty());
    }
}
