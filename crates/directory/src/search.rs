//! The guide's search: one tantivy index per tenant, in memory on every node, built from the
//! database on first use and brought up to date from the directory revision (`dir_state.rev`):
//! a node asks for what changed since the revision it has seen, so a service changed through
//! one node is found through every other within the refresh period.
//!
//! Every service is indexed once per locale with that language's analysis: snowball stemming
//! for German, English, Turkish, Russian and Arabic; the first five letters of each word for Persian,
//! Ukrainian and Polish (no stemmer ships for them). Arabic and Persian text is normalised
//! (diacritics, tatweel, alef and yeh forms, zero-width non-joiner). Each locale's text holds
//! the service's own words in that language, if any, plus the names and search words of its
//! topics in that language — so an Arabic query finds a service described only in German.
//! A query term the index does not know is matched with one or two typos allowed.

use crate::{taxonomy, Result, Service};
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::sync::{Arc, LazyLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::tokenizer::{
    Language, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use th_core::{Locale, TenantId};
use th_storage::Db;

/// The languages of the index: (locale, analyzer, script). Leichte Sprache shares German's.
const TEXT_FIELDS: [(Locale, &str, Script); 8] = [
    (Locale::De, "th_de", Script::Latin),
    (Locale::En, "th_en", Script::Latin),
    (Locale::Tr, "th_tr", Script::Latin),
    (Locale::Ar, "th_ar", Script::Arabic),
    (Locale::Fa, "th_pre", Script::Arabic),
    (Locale::Ru, "th_ru", Script::Cyrillic),
    (Locale::Uk, "th_pre", Script::Cyrillic),
    (Locale::Pl, "th_pre", Script::Latin),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Arabic,
}

/// The scripts a text is written in.
fn scripts(text: &str) -> Vec<Script> {
    let mut v = Vec::new();
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let s = match c as u32 {
            0x0400..=0x052F => Script::Cyrillic,
            0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
            _ => Script::Latin,
        };
        if !v.contains(&s) {
            v.push(s);
        }
    }
    v
}

#[derive(Clone, Copy)]
enum Mode {
    Plain,
    Arabic,
    /// Words cut to their first five letters: a light stemmer for languages whose endings
    /// carry the grammar (Persian, Ukrainian, Polish), where no snowball stemmer ships.
    Prefix,
}

/// Splits text into lower-case words (Arabic-script text normalised), or into the character
/// first letters of its words.
#[derive(Clone)]
struct Words(Mode);

struct VecStream {
    tokens: Vec<Token>,
    i: usize,
}

impl TokenStream for VecStream {
    fn advance(&mut self) -> bool {
        self.i += 1;
        self.i <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.i - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.i - 1]
    }
}

/// Folds Arabic-script spelling variants so that index and query meet.
pub fn normalise_arabic(c: char) -> Option<char> {
    Some(match c {
        '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}' | '\u{200C}' | '\u{200D}' => return None,
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' | 'ی' | 'ئ' => 'ي',
        'ک' => 'ك',
        'ة' => 'ه',
        'ۀ' => 'ه',
        'ؤ' => 'و',
        '٠'..='٩' => char::from_u32(c as u32 - 0x0660 + 0x30).unwrap_or(c),
        '۰'..='۹' => char::from_u32(c as u32 - 0x06F0 + 0x30).unwrap_or(c),
        c => c,
    })
}

fn split_words(text: &str, arabic: bool) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        // Combining marks (Turkish dotted İ lower-cased, accents typed separately) are dropped.
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            continue;
        }
        let c = if arabic { normalise_arabic(c) } else { Some(c) };
        let Some(c) = c else { continue };
        if c.is_alphanumeric() {
            if cur.is_empty() {
                start = i;
            }
            cur.extend(
                c.to_lowercase()
                    .filter(|c| !('\u{0300}'..='\u{036F}').contains(c)),
            );
        } else if !cur.is_empty() {
            out.push((start, i, std::mem::take(&mut cur)));
        }
    }
    if !cur.is_empty() {
        out.push((start, text.len(), cur));
    }
    out
}

impl Tokenizer for Words {
    type TokenStream<'a> = VecStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        let mut tokens = Vec::new();
        let arabic = !matches!(self.0, Mode::Plain);
        for (start, end, w) in split_words(text, arabic) {
            let mut push = |t: String| {
                let position = tokens.len();
                tokens.push(Token {
                    offset_from: start,
                    offset_to: end,
                    position,
                    text: t,
                    position_length: 1,
                })
            };
            match self.0 {
                Mode::Prefix => push(w.chars().take(5).collect()),
                _ => push(w),
            }
        }
        VecStream { tokens, i: 0 }
    }
}

/// Function words per language (`data/stopwords.json`).
static STOP_WORDS: LazyLock<HashMap<String, HashSet<String>>> = LazyLock::new(|| {
    let shipped: HashMap<String, serde_json::Value> =
        serde_json::from_str(include_str!("../data/stopwords.json")).unwrap_or_default();
    shipped
        .into_iter()
        .filter_map(|(tag, list)| {
            let arabic = matches!(tag.as_str(), "ar" | "fa");
            let words = list
                .as_array()?
                .iter()
                .filter_map(|w| w.as_str())
                .flat_map(|w| split_words(w, arabic))
                .map(|w| w.2)
                .collect();
            Some((tag, words))
        })
        .collect()
});

/// Whether `word` (lower-cased) is a function word of `l`: ours (`data/stopwords.json`) and, for
/// German, English and Russian, tantivy's.
fn is_stop_word(l: Locale, word: &str, tantivy_stop: Option<&mut TextAnalyzer>) -> bool {
    let l = if l == Locale::DeLs { Locale::De } else { l };
    STOP_WORDS.get(l.tag()).is_some_and(|s| s.contains(word))
        || tantivy_stop.is_some_and(|a| a.token_stream(word).next().is_none())
}

/// The words of `text` written in `l`, lower-cased, each with the term the search index makes
/// of it: the snowball stem for de, en, tr, ru and ar, the first five letters for fa, uk and pl
/// (Arabic script normalised). Theme finding uses the same analysis as search.
pub fn words(l: Locale, text: &str) -> Vec<(String, String)> {
    let arabic = matches!(l, Locale::Ar | Locale::Fa);
    let lang = match l {
        Locale::De | Locale::DeLs => Some(Language::German),
        Locale::En => Some(Language::English),
        Locale::Tr => Some(Language::Turkish),
        Locale::Ru => Some(Language::Russian),
        Locale::Ar => Some(Language::Arabic),
        Locale::Fa | Locale::Uk | Locale::Pl => None,
    };
    let stop_lang = match l {
        Locale::De | Locale::DeLs => Some(Language::German),
        Locale::En => Some(Language::English),
        Locale::Ru => Some(Language::Russian),
        _ => None,
    };
    let mut stop = stop_lang
        .and_then(tantivy::tokenizer::StopWordFilter::new)
        .map(|f| TextAnalyzer::builder(Words(Mode::Plain)).filter(f).build());
    let ws: Vec<_> = split_words(text, arabic)
        .into_iter()
        .filter(|(_, _, w)| !is_stop_word(l, w, stop.as_mut()))
        .collect();
    match lang {
        Some(lang) => {
            let mut a =
                TextAnalyzer::builder(Words(if arabic { Mode::Arabic } else { Mode::Plain }))
                    .filter(RemoveLongFilter::limit(40))
                    .filter(Stemmer::new(lang))
                    .build();
            ws.into_iter()
                .filter_map(|(_, _, w)| {
                    let stem = {
                        let mut stream = a.token_stream(&w);
                        stream.next().map(|t| t.text.clone())?
                    };
                    Some((w, stem))
                })
                .collect()
        }
        None => ws
            .into_iter()
            .map(|(_, _, w)| {
                let p = w.chars().take(5).collect();
                (w, p)
            })
            .collect(),
    }
}

fn register(index: &Index) {
    let stemmed = |mode, lang| {
        TextAnalyzer::builder(Words(mode))
            .filter(RemoveLongFilter::limit(40))
            .filter(Stemmer::new(lang))
            .build()
    };
    let m = index.tokenizers();
    m.register("th_de", stemmed(Mode::Plain, Language::German));
    m.register("th_en", stemmed(Mode::Plain, Language::English));
    m.register("th_tr", stemmed(Mode::Plain, Language::Turkish));
    m.register("th_ru", stemmed(Mode::Plain, Language::Russian));
    m.register("th_ar", stemmed(Mode::Arabic, Language::Arabic));
    m.register(
        "th_pre",
        TextAnalyzer::builder(Words(Mode::Prefix))
            .filter(RemoveLongFilter::limit(40))
            .build(),
    );
    m.register(
        "th_words",
        TextAnalyzer::builder(Words(Mode::Arabic))
            .filter(RemoveLongFilter::limit(40))
            .build(),
    );
    m.register(
        "th_plain",
        TextAnalyzer::builder(Words(Mode::Plain))
            .filter(RemoveLongFilter::limit(40))
            .build(),
    );
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    /// Per language: the service's own texts.
    text: [Field; 8],
    /// The service's main topic (its first).
    main_topic: Field,
    common: Field,
    /// Every word in every language, unstemmed (Arabic script normalised): typos are matched
    /// against it, a word at a time, where stemming hides them.
    spell: Field,
    /// The German name, lower case: services of one name in many places form a family.
    family: Field,
    lang: Field,
    topic: Field,
    area: Field,
    /// The municipalities where the service's locations are.
    home: Field,
    group: Field,
    flag: Field,
    open: Field,
    age_min: Field,
    age_max: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_u64_field(
        "id",
        NumericOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored(),
    );
    let text_opts = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let text =
        TEXT_FIELDS.map(|(l, a, _)| b.add_text_field(&format!("text_{}", l.tag()), text_opts(a)));
    let main_topic = b.add_text_field("main_topic", STRING);
    let common = b.add_text_field("common", text_opts("th_plain"));
    let family = b.add_text_field("family", STORED);
    let spell = b.add_text_field("spell", text_opts("th_words"));
    let lang = b.add_text_field("lang", STRING);
    let topic = b.add_text_field("topic", STRING);
    let area = b.add_text_field("area", STRING);
    let home = b.add_text_field("home", STRING);
    let group = b.add_text_field("group", STRING);
    let flag = b.add_text_field("flag", STRING);
    let open = b.add_text_field("open", STRING);
    let num = || NumericOptions::default().set_indexed().set_fast();
    let age_min = b.add_u64_field("age_min", num());
    let age_max = b.add_u64_field("age_max", num());
    (
        b.build(),
        Fields {
            id,
            text,
            main_topic,
            common,
            spell,
            family,
            lang,
            topic,
            area,
            home,
            group,
            flag,
            open,
            age_min,
            age_max,
        },
    )
}

/// Minutes per slot of the "open now" terms: a service is indexed as open in a slot when it is
/// open for all of it.
const SLOT: u16 = 15;

/// What a search asks for.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub text: String,
    pub locale: Option<Locale>,
    /// Any of these spoken.
    pub languages: Vec<String>,
    pub topic: Option<String>,
    /// Serving any of these municipalities.
    pub areas: Vec<String>,
    /// Ranked first when several areas are allowed.
    pub prefer_area: Option<String>,
    pub group: Option<String>,
    pub free: bool,
    pub step_free: bool,
    /// Open at this local weekday (1–7) and minute.
    pub open_at: Option<(u8, u16)>,
    /// Open at some time on this weekday.
    pub open_on: Option<u8>,
    pub age: Option<i64>,
    pub offset: usize,
    pub limit: usize,
    /// Show a service offered under the same name in many places once (its best match),
    /// with the number of other places: for searches across the whole region.
    pub collapse: bool,
    /// Words that rank services up without being required ("B1 B2" for a course level).
    pub hint: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hits {
    /// Matches in all (distinct services when collapsed).
    pub total: usize,
    pub ids: Vec<i64>,
    /// With `collapse`: for each id, how many more places offer a service of the same name.
    pub elsewhere: Vec<usize>,
}

/// The taxonomy as a small index of its own: a document per topic with its names and search
/// words in every language, analysed like the services. A query is first matched against it;
/// the topics it names then count for every service of those topics, whatever language the
/// service is described in.
struct TaxIndex {
    index: Index,
    reader: IndexReader,
    text: [Field; 8],
    /// Every word unstemmed, for typos.
    spell: Field,
    code: Field,
}

impl TaxIndex {
    fn new() -> Result<Self> {
        let mut b = Schema::builder();
        let opts = |analyzer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let text =
            TEXT_FIELDS.map(|(l, a, _)| b.add_text_field(&format!("text_{}", l.tag()), opts(a)));
        let code = b.add_text_field("code", STRING | STORED);
        let spell = b.add_text_field("spell", opts("th_words"));
        let index = Index::create_in_ram(b.build());
        register(&index);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for t in taxonomy::all() {
            let mut d = TantivyDocument::default();
            d.add_text(code, &t.code);
            for (i, (l, _, _)) in TEXT_FIELDS.iter().enumerate() {
                let tags: &[Locale] = if *l == Locale::De {
                    &[Locale::De, Locale::DeLs]
                } else {
                    std::slice::from_ref(l)
                };
                let mut words = String::new();
                for tag in tags {
                    // The name twice: it is what the topic is about.
                    for _ in 0..2 {
                        words.push_str(t.name(*tag));
                        words.push('\n');
                    }
                    if let Some(k) = t.keywords.get(tag.tag()) {
                        words.push_str(&k.join("\n"));
                        words.push('\n');
                    }
                }
                d.add_text(spell, &words);
                d.add_text(text[i], &words);
            }
            writer.add_document(d)?;
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(TaxIndex {
            index,
            reader,
            text,
            spell,
            code,
        })
    }

    /// The topics a text names, with a weight from 1 (best) down to 0.35.
    fn topics(&self, text: &str, locale: Option<Locale>) -> Result<Vec<(String, f32)>> {
        let searcher = self.reader.searcher();
        let wanted = scripts(text);
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, (l, _, script)) in TEXT_FIELDS.iter().enumerate() {
            if !wanted.contains(script) {
                continue;
            }
            let own = locale.is_some_and(|x| x == *l || (x == Locale::DeLs && *l == Locale::De));
            let boost = if own { 1.5 } else { 1.0 };
            text_clauses(
                &self.index,
                &searcher,
                self.text[i],
                text,
                boost,
                &mut should,
            )?;
        }
        typo_clauses(&self.index, &searcher, self.spell, text, &mut should)?;
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let top = searcher.search(
            &BooleanQuery::new(should),
            &TopDocs::with_limit(4).order_by_score(),
        )?;
        let best = top.first().map(|t| t.0).unwrap_or(0.0);
        let mut out = Vec::new();
        for (score, addr) in top {
            if best <= 0.0 || score < 0.35 * best {
                break;
            }
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(c) = doc.get_first(self.code).and_then(|v| v.as_str()) {
                out.push((c.to_string(), score / best));
            }
        }
        Ok(out)
    }
}

/// One tenant's index on this node.
pub struct TenantIndex {
    taxonomy: TaxIndex,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The writer and the revision the index reflects; held across a refresh so that two
    /// refreshes never apply older data over newer.
    state: tokio::sync::Mutex<(IndexWriter, i64)>,
    /// Municipality key → (name, every municipality key for "region").
    munis: Vec<(String, String)>,
}

impl TenantIndex {
    fn new(munis: Vec<(String, String)>) -> Result<Self> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        register(&index);
        // Two indexing threads with room for a whole region's first build; later refreshes
        // add a few documents at a time.
        let writer = index.writer_with_num_threads(2, 160_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(TenantIndex {
            taxonomy: TaxIndex::new()?,
            index,
            reader,
            fields,
            state: tokio::sync::Mutex::new((writer, -1)),
            munis,
        })
    }

    fn document(&self, s: &Service) -> TantivyDocument {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, s.id as u64);
        d.add_text(
            f.family,
            s.texts
                .get("de")
                .map(|x| x.name.to_lowercase())
                .unwrap_or_default(),
        );
        let terms: Vec<&taxonomy::Term> = {
            let mut v: Vec<&taxonomy::Term> = Vec::new();
            for t in &s.topics {
                for a in taxonomy::with_ancestors(t) {
                    if !v.iter().any(|x| x.code == a.code) {
                        v.push(a);
                    }
                }
            }
            v
        };
        for (i, (l, _, _)) in TEXT_FIELDS.iter().enumerate() {
            let Some(x) = s.texts.get(l.tag()) else {
                continue;
            };
            let mut text = String::new();
            // The name twice: it says most about the service.
            for part in [&x.name, &x.name, &x.description, &x.eligibility] {
                text.push_str(part);
                text.push('\n');
            }
            d.add_text(f.spell, &text);
            d.add_text(f.text[i], &text);
        }
        if let Some(m) = s.topics.first() {
            d.add_text(f.main_topic, m);
        }
        let mut common = String::new();
        for loc in &s.locations {
            common.push_str(&format!(
                "{} {} {}\n",
                loc.name, loc.street, loc.postal_code
            ));
        }
        for a in &s.areas {
            if let Some(m) = self.munis.iter().find(|m| m.0 == *a) {
                common.push_str(&m.1);
                common.push('\n');
            }
        }
        d.add_text(f.common, &common);
        for l in &s.languages {
            d.add_text(f.lang, l);
        }
        for t in &terms {
            d.add_text(f.topic, &t.code);
        }
        for a in &s.areas {
            if a == "region" {
                for m in &self.munis {
                    d.add_text(f.area, &m.0);
                }
            } else {
                d.add_text(f.area, a);
            }
        }
        for l in &s.locations {
            d.add_text(f.home, &l.municipality);
        }
        for g in &s.groups {
            d.add_text(f.group, g);
        }
        if s.free {
            d.add_text(f.flag, "free");
        }
        if s.step_free() {
            d.add_text(f.flag, "step_free");
        }
        for h in &s.schedules {
            d.add_text(f.open, format!("d{}", h.weekday));
            let mut slot = h.opens.div_ceil(SLOT);
            while (slot + 1) * SLOT <= h.closes {
                d.add_text(f.open, format!("s{}-{slot}", h.weekday));
                slot += 1;
            }
        }
        d.add_u64(f.age_min, s.age_min.unwrap_or(0).max(0) as u64);
        d.add_u64(f.age_max, s.age_max.unwrap_or(200).max(0) as u64);
        d
    }

    /// Applies what changed since the revision this index reflects. Returns the number of
    /// services (re)indexed or removed.
    pub async fn refresh(&self, db: &Db, t: TenantId) -> Result<usize> {
        let mut state = self.state.lock().await;
        let current = crate::revision(db, t).await?;
        if current == state.1 {
            return Ok(0);
        }
        let changed = crate::load(db, t, crate::Which::AfterRev(state.1.max(0))).await?;
        let n = changed.len();
        {
            let writer = &mut state.0;
            for s in &changed {
                writer.delete_term(Term::from_field_u64(self.fields.id, s.id as u64));
                if s.is_public() {
                    writer.add_document(self.document(s))?;
                }
            }
            writer.commit()?;
        }
        self.reader.reload()?;
        state.1 = current;
        Ok(n)
    }

    /// The revision this index reflects.
    pub async fn revision(&self) -> i64 {
        self.state.lock().await.1
    }
}

/// The clauses of a text in one field: each word as analysed for the field, if the field
/// knows it (typos are the typo field's work).
fn text_clauses(
    index: &Index,
    searcher: &tantivy::Searcher,
    field: Field,
    text: &str,
    weight: f32,
    out: &mut Vec<(Occur, Box<dyn Query>)>,
) -> Result<()> {
    let Ok(mut analyzer) = index.tokenizer_for_field(field) else {
        return Ok(());
    };
    let mut stream = analyzer.token_stream(text);
    let mut words: Vec<String> = Vec::new();
    while let Some(tok) = stream.next() {
        if words.len() >= 16 {
            break;
        }
        if !words.contains(&tok.text) {
            words.push(tok.text.clone());
        }
    }
    for word in &words {
        let term = Term::from_field_text(field, word);
        if searcher.doc_freq(&term)? > 0 {
            out.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    weight,
                )),
            ));
        }
        // A word a field does not know is left to the typo field: fuzzy matching per field
        // would try every language's stems for every misspelling.
    }
    Ok(())
}

/// Words the index does not know at all, matched with one typo (two in long words) against
/// the unstemmed words of every language (`field`).
fn typo_clauses(
    index: &Index,
    searcher: &tantivy::Searcher,
    field: Field,
    text: &str,
    out: &mut Vec<(Occur, Box<dyn Query>)>,
) -> Result<()> {
    let Ok(mut analyzer) = index.tokenizer_for_field(field) else {
        return Ok(());
    };
    let mut stream = analyzer.token_stream(text);
    let mut n = 0;
    while let Some(tok) = stream.next() {
        n += 1;
        if n > 16 {
            break;
        }
        let len = tok.text.chars().count();
        let term = Term::from_field_text(field, &tok.text);
        if len < 5 || searcher.doc_freq(&term)? > 0 {
            continue;
        }
        let d = if len >= 8 { 2 } else { 1 };
        out.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(FuzzyTermQuery::new(term, d, true)),
                0.5,
            )),
        ));
    }
    Ok(())
}

impl TenantIndex {
    pub fn search(&self, q: &SearchQuery) -> Result<Hits> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text: String = q.text.chars().take(200).collect();
        if !text.trim().is_empty() {
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let wanted = scripts(&text);
            for (i, (l, _, script)) in TEXT_FIELDS.iter().enumerate() {
                if !wanted.contains(script) {
                    continue;
                }
                let own = q
                    .locale
                    .is_some_and(|x| x == *l || (x == Locale::DeLs && *l == Locale::De));
                let boost = if own { 1.5 } else { 1.0 };
                text_clauses(&self.index, &searcher, f.text[i], &text, boost, &mut should)?;
            }
            text_clauses(&self.index, &searcher, f.common, &text, 0.8, &mut should)?;
            // The topics the words name, in any language: services of those topics match
            // even where their own texts do not say it in the query's language.
            for (code, w) in self.taxonomy.topics(&text, q.locale)? {
                for (field, boost) in [(f.main_topic, 8.0 * w), (f.topic, 3.0 * w)] {
                    should.push((
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, &code),
                                IndexRecordOption::Basic,
                            )),
                            boost,
                        )),
                    ));
                }
            }
            typo_clauses(&self.index, &searcher, f.spell, &text, &mut should)?;
            if should.is_empty() {
                return Ok(Hits::default());
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        } else {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
            ));
        }
        let filter =
            |clauses: &mut Vec<(Occur, Box<dyn Query>)>, field: Field, values: &[String]| {
                let terms: Vec<Term> = values
                    .iter()
                    .map(|v| Term::from_field_text(field, v))
                    .collect();
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermSetQuery::new(terms)),
                        0.0,
                    )),
                ));
            };
        if !q.languages.is_empty() {
            filter(&mut clauses, f.lang, &q.languages);
        }
        if let Some(h) = &q.hint {
            let mut hinted = Vec::new();
            for (i, (_, _, script)) in TEXT_FIELDS.iter().enumerate() {
                if scripts(h).contains(script) {
                    text_clauses(&self.index, &searcher, f.text[i], h, 0.5, &mut hinted)?;
                }
            }
            clauses.extend(hinted);
        }
        if let Some(t) = &q.topic {
            filter(&mut clauses, f.topic, std::slice::from_ref(t));
            // Services mainly about the topic before those that also touch it.
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.main_topic, t),
                        IndexRecordOption::Basic,
                    )),
                    0.6,
                )),
            ));
        }
        if !q.areas.is_empty() {
            filter(&mut clauses, f.area, &q.areas);
        }
        if let Some(p) = &q.prefer_area {
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.home, p),
                        IndexRecordOption::Basic,
                    )),
                    // Enough to put services located in the municipality itself ahead of its
                    // neighbours' and of region-wide ones.
                    if q.text.trim().is_empty() { 1.0 } else { 2.0 },
                )),
            ));
        }
        if let Some(g) = &q.group {
            filter(&mut clauses, f.group, std::slice::from_ref(g));
        }
        if q.free {
            filter(&mut clauses, f.flag, &["free".to_string()]);
        }
        if q.step_free {
            filter(&mut clauses, f.flag, &["step_free".to_string()]);
        }
        if let Some((d, m)) = q.open_at {
            filter(&mut clauses, f.open, &[format!("s{d}-{}", m / SLOT)]);
        }
        if let Some(d) = q.open_on {
            filter(&mut clauses, f.open, &[format!("d{d}")]);
        }
        if let Some(age) = q.age {
            let a = age.clamp(0, 200) as u64;
            for (field, lo, hi) in [(f.age_min, 0, a), (f.age_max, a, 200)] {
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(
                        Box::new(RangeQuery::new(
                            Bound::Included(Term::from_field_u64(field, lo)),
                            Bound::Included(Term::from_field_u64(field, hi)),
                        )),
                        0.0,
                    )),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let limit = q.limit.clamp(1, 200);
        if q.collapse {
            return self.collapsed(&searcher, &query, q.offset.min(10_000), limit);
        }
        let (total, top) = searcher.search(
            &query,
            &(
                Count,
                TopDocs::with_limit(limit)
                    .and_offset(q.offset.min(10_000))
                    .tweak_score(by_score_then_id),
            ),
        )?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) {
                ids.push(id as i64);
            }
        }
        Ok(Hits {
            total,
            ids,
            elsewhere: Vec::new(),
        })
    }

    /// The best match of each service name, in rank order, from the first candidates.
    fn collapsed(
        &self,
        searcher: &tantivy::Searcher,
        query: &BooleanQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Hits> {
        let f = self.fields;
        let candidates = ((offset + limit) * 30).clamp(300, 3000);
        let top = searcher.search(
            query,
            &TopDocs::with_limit(candidates).tweak_score(by_score_then_id),
        )?;
        let mut families: Vec<(String, i64, usize)> = Vec::new();
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
            let family = doc
                .get_first(f.family)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            match families
                .iter_mut()
                .find(|x| x.0 == family && !family.is_empty())
            {
                Some(x) => x.2 += 1,
                None => families.push((family, id, 0)),
            }
        }
        let total = families.len();
        let page: Vec<&(String, i64, usize)> = families.iter().skip(offset).take(limit).collect();
        Ok(Hits {
            total,
            ids: page.iter().map(|x| x.1).collect(),
            elsewhere: page.iter().map(|x| x.2).collect(),
        })
    }
}

/// Ranks by score and, among equal scores, by service id: the order must not depend on how
/// the indexing threads happened to split the documents into segments.
fn by_score_then_id(
    segment: &tantivy::SegmentReader,
) -> impl Fn(tantivy::DocId, tantivy::Score) -> (tantivy::Score, std::cmp::Reverse<u64>) {
    let ids = segment
        .fast_fields()
        .u64("id")
        .ok()
        .map(|c| c.first_or_default_col(0));
    move |doc, score| {
        let id = ids.as_ref().map(|c| c.get_val(doc)).unwrap_or(0);
        (score, std::cmp::Reverse(id))
    }
}

/// The indexes of every tenant on this node.
#[derive(Default)]
pub struct Registry {
    tenants: std::sync::Mutex<HashMap<i64, Arc<TenantIndex>>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// The tenant's index, built from the database on first use. It follows the database
    /// through `refresh` (after a write on this node) and `refresh_all` (the job).
    pub async fn get(&self, db: &Db, t: TenantId) -> Result<Arc<TenantIndex>> {
        let existing = self
            .tenants
            .lock()
            .map_err(|_| crate::DirError::Index("poisoned".into()))?
            .get(&t.0)
            .cloned();
        let idx = match existing {
            // Built by a request running at the same time: wait until it is filled.
            Some(i) if i.revision().await < 0 => {
                i.refresh(db, t).await?;
                i
            }
            Some(i) => i,
            None => {
                let munis = db
                    .municipalities(t)
                    .await?
                    .into_iter()
                    .map(|m| (m.key, m.name))
                    .collect();
                let fresh = Arc::new(TenantIndex::new(munis)?);
                let idx = self
                    .tenants
                    .lock()
                    .map_err(|_| crate::DirError::Index("poisoned".into()))?
                    .entry(t.0)
                    .or_insert(fresh)
                    .clone();
                idx.refresh(db, t).await?;
                idx
            }
        };
        Ok(idx)
    }

    /// Brings one tenant's index up to date now (after a write through this node).
    pub async fn refresh(&self, db: &Db, t: TenantId) -> Result<usize> {
        self.get(db, t).await?.refresh(db, t).await
    }

    /// Brings every index this node holds up to date (the refresh job).
    pub async fn refresh_all(&self, db: &Db) -> Result<usize> {
        let all: Vec<(i64, Arc<TenantIndex>)> = self
            .tenants
            .lock()
            .map_err(|_| crate::DirError::Index("poisoned".into()))?
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let mut n = 0;
        for (t, idx) in all {
            n += idx.refresh(db, TenantId(t)).await?;
        }
        Ok(n)
    }

    /// Throws a tenant's index away and builds it again from the database.
    pub async fn rebuild(&self, db: &Db, t: TenantId) -> Result<Arc<TenantIndex>> {
        self.tenants
            .lock()
            .map_err(|_| crate::DirError::Index("poisoned".into()))?
            .remove(&t.0);
        self.get(db, t).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(mode: Mode, s: &str) -> Vec<String> {
        let mut w = Words(mode);
        let mut st = w.token_stream(s);
        let mut out = Vec::new();
        while let Some(t) = st.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn arabic_and_persian_spellings_meet() {
        assert_eq!(
            words(Mode::Arabic, "الأطفالُ إلى مدرسة"),
            words(Mode::Arabic, "الاطفال الي مدرسه")
        );
        assert_eq!(
            words(Mode::Arabic, "می‌خواهم کودک"),
            words(Mode::Arabic, "ميخواهم كودك")
        );
        assert_eq!(
            words(Mode::Plain, "İstanbul ÄRZTIN"),
            vec!["istanbul", "ärztin"]
        );
        assert_eq!(words(Mode::Prefix, "лікарем є"), vec!["лікар", "є"]);
        assert!(words(Mode::Plain, "<script>alert(1)</script>").contains(&"script".to_string()));
    }
}
