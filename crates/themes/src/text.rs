//! From contributions to feature vectors. Words are analysed as the Wegweiser's search does
//! (per-language stemming and stop words, `th_directory::search::words`); the multilingual
//! keyword list of the topic taxonomy (every topic's names and search words in every shipped
//! language, each topic under a field of action) adds language-independent features, which is
//! how contributions in different languages meet.

use std::collections::HashMap;
use th_core::Locale;

/// A contribution as theme finding sees it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: i64,
    pub locale: Locale,
    /// Title and text.
    pub text: String,
}

/// One keyword phrase of the taxonomy: its stems (all must occur), the field and topic.
#[derive(Debug, Clone)]
struct Phrase {
    stems: Vec<String>,
    field: u8,
    topic: String,
}

/// The taxonomy's keywords analysed per locale.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    phrases: HashMap<&'static str, Vec<Phrase>>,
    /// One small document per topic and locale (its name and keywords), analysed like a
    /// contribution and labelled with the topic's field: the evidence every model starts from,
    /// in every language, before anything was assigned.
    examples: Vec<(Analysed, u8)>,
}

impl Lexicon {
    /// Built once from the shipped taxonomy: names and keywords of every topic with a field
    /// (its own or its parent's), in every locale.
    pub fn shipped() -> &'static Self {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON.get_or_init(Self::build)
    }

    fn build() -> Self {
        let terms = th_directory::taxonomy::all();
        let field_of = |code: &str| -> Option<i64> {
            let t = terms.iter().find(|t| t.code == code)?;
            t.field.or_else(|| {
                t.parent
                    .as_deref()
                    .and_then(|p| terms.iter().find(|x| x.code == p))
                    .and_then(|p| p.field)
            })
        };
        let mut phrases: HashMap<&'static str, Vec<Phrase>> = HashMap::new();
        let mut docs: Vec<(Doc, u8)> = Vec::new();
        for t in terms {
            let Some(field) = field_of(&t.code).and_then(|f| u8::try_from(f).ok()) else {
                continue;
            };
            for l in Locale::ALL {
                let mut texts: Vec<&str> = t
                    .keywords
                    .get(l.tag())
                    .map(|k| k.iter().map(String::as_str).collect())
                    .unwrap_or_default();
                if let Some(n) = t.names.get(l.tag()) {
                    texts.push(n);
                }
                if !texts.is_empty() {
                    docs.push((
                        Doc {
                            id: 0,
                            locale: l,
                            text: texts.join(". "),
                        },
                        field,
                    ));
                }
                for text in texts {
                    let stems: Vec<String> = th_directory::search::words(l, text)
                        .into_iter()
                        .map(|w| w.1)
                        .filter(|s| s.chars().count() >= 3)
                        .collect();
                    if stems.is_empty() || stems.len() > 3 {
                        continue;
                    }
                    phrases.entry(l.tag()).or_default().push(Phrase {
                        stems,
                        field,
                        topic: t.code.clone(),
                    });
                }
            }
        }
        // Everyday words per field (this crate's own list), single words, in the same way.
        for (field, words) in field_words() {
            for (l, ws) in words {
                docs.push((
                    Doc {
                        id: 0,
                        locale: l,
                        text: ws.join(". "),
                    },
                    field,
                ));
                for w in ws {
                    let stems: Vec<String> = th_directory::search::words(l, &w)
                        .into_iter()
                        .map(|w| w.1)
                        .filter(|s| s.chars().count() >= 3)
                        .collect();
                    if stems.len() == 1 {
                        phrases.entry(l.tag()).or_default().push(Phrase {
                            stems,
                            field,
                            topic: format!("field-{field}"),
                        });
                    }
                }
            }
        }
        let mut lex = Lexicon {
            phrases,
            examples: Vec::new(),
        };
        lex.examples = docs.iter().map(|(d, f)| (analyse(&lex, d), *f)).collect();
        lex
    }

    /// The taxonomy as labelled examples: per topic and locale its name and keywords, with the
    /// topic's field.
    pub fn examples(&self) -> &[(Analysed, u8)] {
        &self.examples
    }
}

#[derive(serde::Deserialize)]
struct FieldWords {
    fields: std::collections::BTreeMap<u8, FieldEntry>,
}

#[derive(serde::Deserialize)]
struct FieldEntry {
    words: std::collections::BTreeMap<String, Vec<String>>,
}

type WordsPerLocale = Vec<(Locale, Vec<String>)>;

/// `data/field_words.json`: everyday words per field of action and language.
fn field_words() -> Vec<(u8, WordsPerLocale)> {
    let Ok(f) = serde_json::from_str::<FieldWords>(include_str!("../data/field_words.json")) else {
        return Vec::new();
    };
    f.fields
        .into_iter()
        .map(|(field, e)| {
            let ws = e
                .words
                .into_iter()
                .filter_map(|(l, ws)| Some((Locale::parse(&l)?, ws)))
                .collect();
            (field, ws)
        })
        .collect()
}

/// A document's analysis: word stems with counts, the most frequent surface form of each, and
/// the fields and topics its keywords name.
#[derive(Debug, Clone, Default)]
pub struct Analysed {
    pub words: HashMap<String, f64>,
    /// Character n-grams of the words (German compounds, Turkish suffixes).
    pub grams: HashMap<String, f64>,
    pub surface: HashMap<String, String>,
    pub fields: HashMap<u8, f64>,
    pub topics: HashMap<String, f64>,
}

pub fn analyse(lex: &Lexicon, doc: &Doc) -> Analysed {
    let l = if doc.locale == Locale::DeLs {
        Locale::De
    } else {
        doc.locale
    };
    let ws = th_directory::search::words(l, &doc.text);
    let mut a = Analysed::default();
    let mut forms: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for (w, s) in &ws {
        if s.chars().count() < 2 || s.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let key = format!("{}:{s}", l.tag());
        *a.words.entry(key.clone()).or_default() += 1.0;
        let chars: Vec<char> = format!("<{w}>").chars().collect();
        for n in [4usize, 5] {
            if chars.len() > n + 1 {
                for g in chars.windows(n) {
                    *a.grams.entry(g.iter().collect()).or_default() += 1.0;
                }
            }
        }
        *forms.entry(key).or_default().entry(w.clone()).or_default() += 1;
    }
    for (k, f) in forms {
        if let Some((w, _)) = f
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        {
            a.surface.insert(k, w);
        }
    }
    let stems: std::collections::HashSet<&str> = ws.iter().map(|w| w.1.as_str()).collect();
    // Leichte Sprache is German: both keyword lists apply to German texts.
    let tags: &[&str] = if l == Locale::De {
        &["de", "de-x-ls"]
    } else {
        &[l.tag()]
    };
    let mut seen = std::collections::HashSet::new();
    for ph in tags.iter().filter_map(|t| lex.phrases.get(t)) {
        for p in ph {
            if p.stems.iter().all(|s| stems.contains(s.as_str()))
                && seen.insert((p.topic.clone(), p.stems.clone()))
            {
                *a.fields.entry(p.field).or_default() += 1.0;
                *a.topics.entry(p.topic.clone()).or_default() += 1.0;
            }
        }
    }
    a
}
