//! The topic taxonomy (HSDS taxonomy terms) under the concept's fields of action, shipped with
//! the product: every term has a name and the words people search with, in every shipped
//! locale. Those words go into every service's index entry in every language, so a query in
//! Arabic finds a service described only in German.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use th_core::Locale;

#[derive(Clone, Debug, serde::Deserialize)]
pub struct Term {
    pub code: String,
    pub parent: Option<String>,
    pub field: Option<i64>,
    pub names: BTreeMap<String, String>,
    #[serde(default)]
    pub keywords: BTreeMap<String, Vec<String>>,
}

impl Term {
    /// The name in a locale, else in German.
    pub fn name(&self, l: Locale) -> &str {
        self.names
            .get(l.tag())
            .or_else(|| self.names.get("de"))
            .map(String::as_str)
            .unwrap_or(self.code.as_str())
    }
    /// Whether the name shown for `l` is really in `l` (else it is German).
    pub fn has_name(&self, l: Locale) -> bool {
        self.names.contains_key(l.tag())
    }
}

const SOURCE: &str = include_str!("../data/taxonomy.json");

static TERMS: LazyLock<Vec<Term>> = LazyLock::new(|| match serde_json::from_str(SOURCE) {
    Ok(t) => t,
    Err(e) => {
        tracing::error!(error = %e, "the shipped taxonomy does not parse");
        Vec::new()
    }
});

pub fn all() -> &'static [Term] {
    &TERMS
}

pub fn get(code: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.code == code)
}

/// The top-level terms, in the shipped order.
pub fn roots() -> impl Iterator<Item = &'static Term> {
    TERMS.iter().filter(|t| t.parent.is_none())
}

pub fn children(code: &str) -> impl Iterator<Item = &'static Term> + '_ {
    TERMS
        .iter()
        .filter(move |t| t.parent.as_deref() == Some(code))
}

/// A term and all its ancestors, nearest first.
pub fn with_ancestors(code: &str) -> Vec<&'static Term> {
    let mut out = Vec::new();
    let mut cur = get(code);
    while let Some(t) = cur {
        if out.iter().any(|o: &&Term| o.code == t.code) {
            break;
        }
        out.push(t);
        cur = t.parent.as_deref().and_then(get);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_taxonomy_is_complete_in_every_locale() {
        let terms = all();
        assert!(terms.len() >= 28, "{} terms", terms.len());
        for t in terms {
            for l in Locale::ALL {
                assert!(
                    t.names.get(l.tag()).is_some_and(|n| !n.trim().is_empty()),
                    "{} has no name in {}",
                    t.code,
                    l.tag()
                );
                assert!(
                    t.keywords.get(l.tag()).is_some_and(|k| !k.is_empty()),
                    "{} has no keywords in {}",
                    t.code,
                    l.tag()
                );
            }
            if let Some(p) = &t.parent {
                assert!(get(p).is_some(), "{}: unknown parent {p}", t.code);
            }
            if let Some(f) = t.field {
                assert!((1..=8).contains(&f), "{}: field {f}", t.code);
            }
        }
        for code in [
            "health-children",
            "recognition",
            "language-job",
            "counselling-adults",
            "counselling-youth",
            "work-jobcenter",
            "next-steps",
            "study",
        ] {
            assert!(get(code).is_some(), "{code} missing");
        }
        let chain: Vec<_> = with_ancestors("health-children")
            .iter()
            .map(|t| t.code.as_str())
            .collect();
        assert_eq!(chain, ["health-children", "health"]);
    }
}
