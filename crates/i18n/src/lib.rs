//! Interface strings from Fluent catalogs, one per shipped locale, embedded in the binary.
//!
//! German is the reference catalog. Leichte Sprache (`de-x-ls`) covers every public key and
//! falls back to German for coordinator keys (those starting with `admin-`). Every other locale
//! is complete; the tests in this crate enforce it.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::HashMap;
use th_core::Locale;

pub use fluent_bundle::FluentValue as Value;

/// The catalog sources, embedded at build time.
pub fn catalog_source(l: Locale) -> &'static str {
    match l {
        Locale::De => include_str!("../locales/de.ftl"),
        Locale::DeLs => include_str!("../locales/de-x-ls.ftl"),
        Locale::En => include_str!("../locales/en.ftl"),
        Locale::Tr => include_str!("../locales/tr.ftl"),
        Locale::Ar => include_str!("../locales/ar.ftl"),
        Locale::Fa => include_str!("../locales/fa.ftl"),
        Locale::Ru => include_str!("../locales/ru.ftl"),
        Locale::Uk => include_str!("../locales/uk.ftl"),
        Locale::Pl => include_str!("../locales/pl.ftl"),
    }
}

/// All catalogs, parsed once at start.
pub struct Catalogs {
    bundles: HashMap<Locale, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Catalogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalogs")
    }
}

impl Catalogs {
    /// Parses every embedded catalog. A syntax error in a catalog is a programming error
    /// caught by the tests, so it is reported here as a message rather than a panic.
    pub fn load() -> Result<Self, String> {
        let mut bundles = HashMap::new();
        for l in Locale::ALL {
            let res = FluentResource::try_new(catalog_source(l).to_string())
                .map_err(|(_, errs)| format!("{}.ftl: {errs:?}", l.tag()))?;
            let lang: unic_langid::LanguageIdentifier = match l {
                Locale::DeLs => "de".parse(),
                other => other.tag().parse(),
            }
            .map_err(|e| format!("{e}"))?;
            let mut b = FluentBundle::new_concurrent(vec![lang]);
            // Unicode isolation marks only where bidirectional text needs them.
            b.set_use_isolating(l.is_rtl());
            b.add_resource(res)
                .map_err(|errs| format!("{}.ftl: {errs:?}", l.tag()))?;
            bundles.insert(l, b);
        }
        Ok(Self { bundles })
    }

    /// The text of `key` in `locale`, falling back to German, then to the key itself.
    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.format(locale, key, None)
    }

    /// The text of `key` with arguments.
    pub fn ta(&self, locale: Locale, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.format(locale, key, Some(&fa))
    }

    /// Whether `locale`'s own catalog has `key` (no fallback).
    pub fn has(&self, locale: Locale, key: &str) -> bool {
        self.bundles
            .get(&locale)
            .is_some_and(|b| b.has_message(key))
    }

    fn format(&self, locale: Locale, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let mut l = Some(locale);
        while let Some(cur) = l {
            if let Some(bundle) = self.bundles.get(&cur) {
                if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                    let mut errs = vec![];
                    return bundle.format_pattern(pattern, args, &mut errs).into_owned();
                }
            }
            l = cur.fallback();
        }
        key.to_string()
    }
}

/// Chooses the locale from an `Accept-Language` header value; German when nothing fits.
pub fn negotiate(accept_language: &str) -> Locale {
    let mut prefs: Vec<(f32, usize, &str)> = accept_language
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let mut q = 1.0f32;
            for p in it {
                if let Some(v) = p.trim().strip_prefix("q=") {
                    q = v.trim().parse().ok()?;
                }
            }
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    prefs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, tag) in prefs {
        let tag = tag.to_ascii_lowercase();
        if let Some(l) = Locale::parse(&tag) {
            return l;
        }
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if let Some(l) = Locale::parse(primary) {
            return l;
        }
    }
    Locale::De
}

/// The messages of a catalog as (key, flattened value) pairs, for the completeness tests.
pub fn messages(locale: Locale) -> Vec<(String, String)> {
    use fluent_syntax::ast::{Entry, PatternElement};
    let Ok(res) = fluent_syntax::parser::parse(catalog_source(locale)) else {
        return vec![];
    };
    res.body
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => {
                let text = m
                    .value
                    .as_ref()
                    .map(|p| {
                        p.elements
                            .iter()
                            .map(|el| match el {
                                PatternElement::TextElement { value } => value.to_string(),
                                PatternElement::Placeable { .. } => "{}".to_string(),
                            })
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                Some((m.id.name.to_string(), text))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// A number with `places` decimals, grouped and with the locale's decimal sign (1.234,5;
/// 1,234.5; ۱٬۲۳۴٫۵).
pub fn format_decimal(v: f64, places: u32, l: Locale) -> String {
    let scale = 10f64.powi(places as i32);
    let r = (v * scale).round();
    let neg = r < 0.0;
    let r = r.abs() as i64;
    let whole = r / scale as i64;
    let frac = r % scale as i64;
    let mut out = format_int(whole, l);
    if neg {
        out.insert(0, '-');
    }
    if places > 0 {
        out.push_str(match l {
            Locale::En => ".",
            Locale::Ar | Locale::Fa => "٫",
            _ => ",",
        });
        let f = format!("{frac:0width$}", width = places as usize);
        if l == Locale::Fa {
            out.extend(
                f.chars()
                    .map(|c| char::from_u32(0x06F0 + c.to_digit(10).unwrap_or(0)).unwrap_or(c)),
            );
        } else {
            out.push_str(&f);
        }
    }
    out
}

/// A whole number with the locale's digit grouping (1.165.000; 1,165,000; 1 165 000; ۱٬۱۶۵٬۰۰۰).
pub fn format_int(n: i64, l: Locale) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match l {
        Locale::De | Locale::DeLs | Locale::Tr => ".",
        Locale::En => ",",
        Locale::Ru | Locale::Uk | Locale::Pl => "\u{202f}",
        Locale::Ar | Locale::Fa => "٬",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(if l == Locale::Fa {
            char::from_u32(0x06F0 + c.to_digit(10).unwrap_or(0)).unwrap_or(c)
        } else {
            c
        });
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}
