//! Suggesting a field of action (multinomial naive Bayes trained on the contributions
//! coordinators assigned, with the taxonomy's keywords as prior evidence) and proposing themes
//! (spherical k-means over TF-IDF vectors, seeded by the fields the keywords name, so that
//! themes in different languages are joined).

use crate::text::Analysed;
use std::collections::{BTreeMap, HashMap};

/// Weight of a taxonomy topic named in the text, against an ordinary word.
pub const TOPIC_WEIGHT: f64 = 4.0;
/// Weight of the field of action a topic named in the text belongs to.
pub const FIELD_WEIGHT: f64 = 0.5;
/// Weight of a character n-gram (classification only; they blur themes).
pub const GRAM_WEIGHT: f64 = 0.3;

fn features(a: &Analysed, grams: bool) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = a.words.iter().map(|(k, &c)| (k.clone(), c)).collect();
    if grams {
        v.extend(
            a.grams
                .iter()
                .map(|(k, &c)| (format!("g:{k}"), c * GRAM_WEIGHT)),
        );
    }
    for (t, &c) in &a.topics {
        v.push((format!("t:{t}"), c * TOPIC_WEIGHT));
    }
    for (f, &c) in &a.fields {
        v.push((format!("f:{f}"), c * FIELD_WEIGHT));
    }
    v
}

/// Multinomial naive Bayes over words and keyword features.
#[derive(Debug, Clone, Default)]
pub struct FieldModel {
    fields: Vec<u8>,
    log_prior: HashMap<u8, f64>,
    counts: HashMap<u8, HashMap<String, f64>>,
    totals: HashMap<u8, f64>,
    vocab: f64,
}

/// Smoothing of the word counts.
const ALPHA: f64 = 0.3;

impl FieldModel {
    /// Trains on (analysis, field) pairs; `fields` are all fields that can be suggested (the
    /// keywords make each of them possible even before anything was assigned to it).
    pub fn train(examples: &[(&Analysed, u8)], fields: &[u8]) -> Self {
        let mut m = FieldModel {
            fields: fields.to_vec(),
            ..Default::default()
        };
        let mut n: HashMap<u8, f64> = HashMap::new();
        let mut vocab = std::collections::HashSet::new();
        for &f in fields {
            n.insert(f, 1.0);
        }
        for (a, f) in examples {
            *n.entry(*f).or_default() += 1.0;
            for (k, c) in features(a, true) {
                *m.counts
                    .entry(*f)
                    .or_default()
                    .entry(k.clone())
                    .or_default() += c;
                *m.totals.entry(*f).or_default() += c;
                vocab.insert(k);
            }
        }
        let total: f64 = n.values().sum();
        for (&f, &c) in &n {
            m.log_prior.insert(f, (c / total).ln());
        }
        m.vocab = vocab.len().max(1) as f64;
        m
    }

    /// The likeliest field and its posterior probability; `None` when the text has no word the
    /// model knows.
    pub fn suggest(&self, a: &Analysed) -> Option<(u8, f64)> {
        let feats = features(a, true);
        let known = feats
            .iter()
            .any(|(k, _)| self.counts.values().any(|c| c.contains_key(k)));
        if !known {
            return None;
        }
        let mut scores: Vec<(u8, f64)> = self
            .fields
            .iter()
            .map(|&f| {
                let counts = self.counts.get(&f);
                let total = self.totals.get(&f).copied().unwrap_or(0.0);
                let mut s = self.log_prior.get(&f).copied().unwrap_or(-10.0);
                for (k, c) in &feats {
                    let n = counts.and_then(|m| m.get(k)).copied().unwrap_or(0.0);
                    s += c * ((n + ALPHA) / (total + ALPHA * self.vocab)).ln();
                }
                (f, s)
            })
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let best = scores.first()?.1;
        let z: f64 = scores.iter().map(|s| (s.1 - best).exp()).sum();
        Some((scores[0].0, 1.0 / z))
    }
}

/// A proposed theme.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Theme {
    /// Contribution ids, closest to the theme's centre first.
    pub members: Vec<i64>,
    /// Characteristic words (surface forms), strongest first, across languages.
    pub words: Vec<String>,
    /// The field of action its keywords point to, if any.
    pub field: Option<u8>,
}

type Vector = HashMap<String, f64>;

fn norm(v: &mut Vector) {
    let n: f64 = v.values().map(|x| x * x).sum::<f64>().sqrt();
    if n > 0.0 {
        v.values_mut().for_each(|x| *x /= n);
    }
}

fn dot(a: &Vector, b: &Vector) -> f64 {
    let (s, l) = if a.len() < b.len() { (a, b) } else { (b, a) };
    s.iter()
        .map(|(k, x)| x * l.get(k).copied().unwrap_or(0.0))
        .sum()
}

/// TF-IDF vectors (sublinear term frequency), L2-normalised.
fn tfidf(docs: &[&Analysed]) -> Vec<Vector> {
    let n = docs.len() as f64;
    let feats: Vec<Vec<(String, f64)>> = docs.iter().map(|a| features(a, false)).collect();
    let mut df: HashMap<&str, f64> = HashMap::new();
    for f in &feats {
        for (k, _) in f {
            *df.entry(k.as_str()).or_default() += 1.0;
        }
    }
    feats
        .iter()
        .map(|f| {
            let mut v: Vector = f
                .iter()
                .filter(|(k, _)| {
                    df.get(k.as_str()).copied().unwrap_or(0.0) >= 2.0
                        || k.starts_with("f:")
                        || k.starts_with("t:")
                })
                .map(|(k, c)| {
                    let idf =
                        ((n + 1.0) / (df.get(k.as_str()).copied().unwrap_or(0.0) + 1.0)).ln() + 1.0;
                    (k.clone(), (1.0 + c.ln().max(0.0)) * idf)
                })
                .collect();
            norm(&mut v);
            v
        })
        .collect()
}

/// Proposes themes over the analysed contributions: one per field of action its keywords name
/// (the seeds), refined by spherical k-means over all words, so contributions without any
/// keyword join the theme whose words they share.
pub fn find_themes(docs: &[(i64, &Analysed)], fields: &[u8]) -> Vec<Theme> {
    let analyses: Vec<&Analysed> = docs.iter().map(|d| d.1).collect();
    let vecs = tfidf(&analyses);
    let k = fields.len();
    if docs.is_empty() || k == 0 {
        return Vec::new();
    }
    // Seed assignment: the field the keywords name most (none: unassigned).
    let mut labels: Vec<Option<usize>> = analyses
        .iter()
        .map(|a| {
            a.fields
                .iter()
                .filter_map(|(f, c)| fields.iter().position(|x| x == f).map(|i| (i, *c)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|x| x.0)
        })
        .collect();
    let mut centres: Vec<Vector> = vec![Vector::new(); k];
    for _ in 0..30 {
        centres = vec![Vector::new(); k];
        for (v, l) in vecs.iter().zip(&labels) {
            if let Some(c) = l {
                for (key, x) in v {
                    *centres[*c].entry(key.clone()).or_default() += x;
                }
            }
        }
        for c in centres.iter_mut() {
            norm(c);
        }
        let next: Vec<Option<usize>> = vecs
            .iter()
            .map(|v| {
                let mut best = (None, 0.0);
                for (i, c) in centres.iter().enumerate() {
                    let s = dot(v, c);
                    if s > best.1 {
                        best = (Some(i), s);
                    }
                }
                best.0
            })
            .collect();
        if next == labels {
            break;
        }
        labels = next;
    }
    let mut themes = Vec::new();
    for (i, c) in centres.iter().enumerate() {
        let mut members: Vec<(f64, i64)> = vecs
            .iter()
            .zip(&labels)
            .zip(docs)
            .filter(|((_, l), _)| **l == Some(i))
            .map(|((v, _), d)| (dot(v, c), d.0))
            .collect();
        if members.is_empty() {
            continue;
        }
        members.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // Characteristic words: the strongest word features of the centre, shown as the
        // most frequent surface form.
        let mut surface: HashMap<&str, &str> = HashMap::new();
        for a in &analyses {
            for (k, w) in &a.surface {
                surface.entry(k.as_str()).or_insert(w.as_str());
            }
        }
        let mut ws: Vec<(&String, &f64)> = c
            .iter()
            .filter(|(k, _)| !k.starts_with("f:") && !k.starts_with("t:"))
            .collect();
        ws.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
        let words: Vec<String> = ws
            .iter()
            .take(12)
            .filter_map(|(k, _)| surface.get(k.as_str()).map(|s| s.to_string()))
            .collect();
        // The field the members' keywords name most.
        let mut votes: BTreeMap<u8, f64> = BTreeMap::new();
        for ((_, l), a) in vecs.iter().zip(&labels).zip(&analyses) {
            if *l == Some(i) {
                for (f, c) in &a.fields {
                    *votes.entry(*f).or_default() += c;
                }
            }
        }
        let field = votes
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .map(|x| *x.0);
        themes.push(Theme {
            members: members.into_iter().map(|m| m.1).collect(),
            words,
            field,
        });
    }
    themes
}

/// Field → count, for reports.
pub fn histogram(labels: &[u8]) -> BTreeMap<u8, usize> {
    let mut m = BTreeMap::new();
    for &l in labels {
        *m.entry(l).or_default() += 1;
    }
    m
}

/// Splits a set of contributions into two themes (spherical 2-means over their words, seeded
/// by the two most dissimilar contributions). Fewer than two members: one theme.
pub fn split_two(docs: &[(i64, &Analysed)]) -> Vec<Theme> {
    let analyses: Vec<&Analysed> = docs.iter().map(|d| d.1).collect();
    let vecs = tfidf(&analyses);
    if vecs.len() < 2 {
        return Vec::new();
    }
    let mut centre = Vector::new();
    for v in &vecs {
        for (k, x) in v {
            *centre.entry(k.clone()).or_default() += x;
        }
    }
    norm(&mut centre);
    let far = |from: &Vector| -> usize {
        let mut best = (0, f64::INFINITY);
        for (i, v) in vecs.iter().enumerate() {
            let s = dot(v, from);
            if s < best.1 {
                best = (i, s);
            }
        }
        best.0
    };
    let a = far(&centre);
    let b = far(&vecs[a]);
    let mut centres = [vecs[a].clone(), vecs[b].clone()];
    let mut labels = vec![0usize; vecs.len()];
    for _ in 0..20 {
        let next: Vec<usize> = vecs
            .iter()
            .map(|v| usize::from(dot(v, &centres[1]) > dot(v, &centres[0])))
            .collect();
        let changed = next != labels;
        labels = next;
        for (c, centre) in centres.iter_mut().enumerate() {
            *centre = Vector::new();
            for (v, _) in vecs.iter().zip(&labels).filter(|(_, l)| **l == c) {
                for (k, x) in v {
                    *centre.entry(k.clone()).or_default() += x;
                }
            }
            norm(centre);
        }
        if !changed {
            break;
        }
    }
    let mut surface: HashMap<&str, &str> = HashMap::new();
    for a in &analyses {
        for (k, w) in &a.surface {
            surface.entry(k.as_str()).or_insert(w.as_str());
        }
    }
    (0..2)
        .filter_map(|c| {
            let mut members: Vec<(f64, i64)> = vecs
                .iter()
                .zip(&labels)
                .zip(docs)
                .filter(|((_, l), _)| **l == c)
                .map(|((v, _), d)| (dot(v, &centres[c]), d.0))
                .collect();
            if members.is_empty() {
                return None;
            }
            members.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let mut ws: Vec<(&String, &f64)> = centres[c]
                .iter()
                .filter(|(k, _)| !k.starts_with("t:"))
                .collect();
            ws.sort_by(|x, y| y.1.total_cmp(x.1).then(x.0.cmp(y.0)));
            Some(Theme {
                members: members.into_iter().map(|m| m.1).collect(),
                words: ws
                    .iter()
                    .take(12)
                    .filter_map(|(k, _)| surface.get(k.as_str()).map(|s| s.to_string()))
                    .collect(),
                field: None,
            })
        })
        .collect()
}
