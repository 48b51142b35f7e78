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

/// Multinomial naive Bayes counts over words and keyword features.
#[derive(Debug, Clone, Default)]
struct Bayes {
    log_prior: HashMap<u8, f64>,
    counts: HashMap<u8, HashMap<String, f64>>,
    totals: HashMap<u8, f64>,
    vocab: f64,
}

impl Bayes {
    fn train<'a>(
        examples: impl Iterator<Item = (&'a [(String, f64)], u8, f64)>,
        fields: &[u8],
    ) -> Self {
        let mut m = Bayes::default();
        let mut n: HashMap<u8, f64> = fields.iter().map(|f| (*f, 1.0)).collect();
        let mut vocab = std::collections::HashSet::new();
        for (a, f, w) in examples {
            if !fields.contains(&f) {
                continue;
            }
            *n.entry(f).or_default() += w;
            let counts = m.counts.entry(f).or_default();
            for (k, c) in a {
                if let Some(x) = counts.get_mut(k) {
                    *x += c * w;
                } else {
                    counts.insert(k.clone(), c * w);
                }
                *m.totals.entry(f).or_default() += c * w;
                vocab.insert(k.as_str());
            }
        }
        let total: f64 = n.values().sum();
        for (&f, &c) in &n {
            m.log_prior.insert(f, (c / total).ln());
        }
        m.vocab = vocab.len().max(1) as f64;
        m
    }

    /// Log-likelihood per field of the features the model knows, divided by `known^temper`
    /// (0: plain naive Bayes; 1: the mean per feature, a much softer posterior).
    fn scores(&self, fields: &[u8], feats: &[(String, f64)], temper: f64) -> Vec<f64> {
        let known: Vec<&(String, f64)> = feats
            .iter()
            .filter(|(k, _)| self.counts.values().any(|c| c.contains_key(k)))
            .collect();
        let mass: f64 = known.iter().map(|x| x.1).sum::<f64>().max(1.0);
        fields
            .iter()
            .map(|f| {
                let counts = self.counts.get(f);
                let total = self.totals.get(f).copied().unwrap_or(0.0);
                let mut s = 0.0;
                for (k, c) in &known {
                    let n = counts.and_then(|m| m.get(k)).copied().unwrap_or(0.0);
                    s += c * ((n + ALPHA) / (total + ALPHA * self.vocab)).ln();
                }
                s / mass.powf(temper) + self.log_prior.get(f).copied().unwrap_or(-10.0)
            })
            .collect()
    }
}

fn softmax(s: &mut [f64]) {
    let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut z = 0.0;
    for x in s.iter_mut() {
        *x = (*x - max).exp();
        z += *x;
    }
    if z > 0.0 {
        s.iter_mut().for_each(|x| *x /= z);
    }
}

/// The taxonomy's own model: naive Bayes over the keyword documents of every topic in every
/// language. Its (softened) posterior over the fields is a language-independent description of
/// any text — the concept features through which training in one language helps another.
fn concept_model() -> &'static Bayes {
    static M: std::sync::OnceLock<Bayes> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        Bayes::train(
            lexicon_feats().iter().map(|(x, f)| (x.as_slice(), *f, 1.0)),
            &ALL_FIELDS,
        )
    })
}

const ALL_FIELDS: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

type Feats = Vec<(String, f64)>;

/// The taxonomy's keyword documents as features, with their fields.
fn lexicon_feats() -> &'static [(Feats, u8)] {
    static F: std::sync::OnceLock<Vec<(Feats, u8)>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        crate::text::Lexicon::shipped()
            .examples()
            .iter()
            .map(|(a, f)| (features(a, true), *f))
            .collect()
    })
}

/// The field suggestion: naive Bayes over words, character n-grams and the topics and fields
/// the keywords name, trained on the contributions coordinators assigned together with the
/// taxonomy's keyword documents in every language (and this crate's everyday words per
/// field), which carry what was learnt in one language over to the others.
#[derive(Debug, Clone, Default)]
pub struct FieldModel {
    fields: Vec<u8>,
    bayes: Bayes,
    trained: bool,
}

/// From how many assigned examples on the weight of the keyword documents is calibrated.
pub const MIN_EXAMPLES_TO_CALIBRATE: usize = 40;
/// The weight of the keyword documents (one keyword document against one contribution)
/// before calibration, and the candidates of the calibration.
const LEXICON_WEIGHT: f64 = 0.5;
const LEXICON_WEIGHTS: [f64; 4] = [0.125, 0.25, 0.5, 1.0];

/// Smoothing of the word counts.
const ALPHA: f64 = 0.3;

impl FieldModel {
    /// Trains on (analysis, field) pairs; `fields` are all fields that can be suggested (the
    /// keywords make each of them possible even before anything was assigned to it).
    ///
    /// How much the taxonomy's keyword documents weigh against the assigned contributions is
    /// chosen by three-fold cross-validation among the examples themselves (with fewer than
    /// [`MIN_EXAMPLES_TO_CALIBRATE`] examples the default holds).
    pub fn train(examples: &[(&Analysed, u8)], fields: &[u8]) -> Self {
        let feats: Vec<(Feats, u8)> = examples
            .iter()
            .map(|(a, f)| (features(a, true), *f))
            .collect();
        let mut weight = LEXICON_WEIGHT;
        if examples.len() >= MIN_EXAMPLES_TO_CALIBRATE {
            let mut best = (usize::MAX, weight);
            for w in LEXICON_WEIGHTS {
                let mut wrong = 0;
                for fold in 0..3 {
                    let train: Vec<&(Feats, u8)> = feats
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % 3 != fold)
                        .map(|x| x.1)
                        .collect();
                    let m = Self::train_feats(&train, fields, w);
                    wrong += feats
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % 3 == fold)
                        .filter(|(_, (x, f))| m.suggest_feats(x).map(|s| s.0) != Some(*f))
                        .count();
                }
                if wrong < best.0 {
                    best = (wrong, w);
                }
            }
            weight = best.1;
        }
        let all: Vec<&(Feats, u8)> = feats.iter().collect();
        Self::train_feats(&all, fields, weight)
    }

    /// Trains with a given weight of the keyword documents.
    pub fn train_weighted(examples: &[(&Analysed, u8)], fields: &[u8], lexicon: f64) -> Self {
        let feats: Vec<(Feats, u8)> = examples
            .iter()
            .map(|(a, f)| (features(a, true), *f))
            .collect();
        let all: Vec<&(Feats, u8)> = feats.iter().collect();
        Self::train_feats(&all, fields, lexicon)
    }

    fn train_feats(examples: &[&(Feats, u8)], fields: &[u8], lexicon: f64) -> Self {
        let bayes = Bayes::train(
            examples
                .iter()
                .map(|(x, f)| (x.as_slice(), *f, 1.0))
                .chain(
                    lexicon_feats()
                        .iter()
                        .map(|(x, f)| (x.as_slice(), *f, lexicon)),
                )
                .filter(|x| x.2 > 0.0),
            fields,
        );
        FieldModel {
            fields: fields.to_vec(),
            bayes,
            trained: !examples.is_empty(),
        }
    }

    /// The likeliest field and its probability; `None` before anything was assigned or when
    /// the text has no word at all.
    pub fn suggest(&self, a: &Analysed) -> Option<(u8, f64)> {
        if a.words.is_empty() && a.topics.is_empty() {
            return None;
        }
        self.suggest_feats(&features(a, true))
    }

    fn suggest_feats(&self, x: &[(String, f64)]) -> Option<(u8, f64)> {
        if !self.trained || self.fields.is_empty() {
            return None;
        }
        let mut s = self.bayes.scores(&self.fields, x, 0.0);
        softmax(&mut s);
        let k = self.fields.len();
        let best = (0..k).max_by(|&i, &j| s[i].total_cmp(&s[j]).then(j.cmp(&i)))?;
        Some((self.fields[best], s[best]))
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

/// Weight of the taxonomy's keyword documents against the contributions when themes are
/// found.
const THEME_LEXICON_WEIGHT: f64 = 0.5;

/// One theme per field: each contribution starts in the field the taxonomy's model (naive
/// Bayes over the keyword documents of every language) finds likeliest; then, as in
/// expectation maximisation, a model trained on the current assignment together with the
/// keyword documents reassigns them, until nothing moves. The contributions' own words (also
/// those of contributions without any keyword) so join the field their neighbours were put in,
/// while the keyword documents keep the fields, and so the languages, aligned.
fn em_labels(analyses: &[&Analysed], fields: &[u8]) -> Vec<Option<usize>> {
    let feats: Vec<Feats> = analyses.iter().map(|a| features(a, true)).collect();
    let assign = |m: &Bayes| -> Vec<Option<usize>> {
        feats
            .iter()
            .map(|f| {
                if f.is_empty() {
                    return None;
                }
                let s = m.scores(fields, f, 0.0);
                (0..fields.len()).max_by(|&i, &j| s[i].total_cmp(&s[j]).then(j.cmp(&i)))
            })
            .collect()
    };
    let mut labels = assign(concept_model());
    for _ in 0..10 {
        let m = Bayes::train(
            feats
                .iter()
                .zip(&labels)
                .filter_map(|(x, l)| l.map(|l| (x.as_slice(), fields[l], 1.0)))
                .chain(
                    lexicon_feats()
                        .iter()
                        .map(|(x, f)| (x.as_slice(), *f, THEME_LEXICON_WEIGHT)),
                ),
            fields,
        );
        let next = assign(&m);
        if next == labels {
            break;
        }
        labels = next;
    }
    labels
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
    let labels = em_labels(&analyses, fields);
    let mut centres: Vec<Vector> = vec![Vector::new(); k];
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
