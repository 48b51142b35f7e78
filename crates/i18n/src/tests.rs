use super::*;
use std::collections::BTreeSet;

fn keys(l: Locale) -> BTreeSet<String> {
    messages(l).into_iter().map(|(k, _)| k).collect()
}

#[test]
fn every_catalog_parses() {
    for l in Locale::ALL {
        fluent_syntax::parser::parse(catalog_source(l))
            .unwrap_or_else(|(_, errs)| panic!("{}.ftl does not parse: {errs:?}", l.tag()));
    }
    assert!(Catalogs::load().is_ok());
}

#[test]
fn every_catalog_has_every_key_and_no_other() {
    let reference = keys(Locale::De);
    assert!(reference.len() > 50, "the German catalog looks empty");
    for l in Locale::ALL {
        let have = keys(l);
        let needed: BTreeSet<String> = if l == Locale::DeLs {
            reference
                .iter()
                .filter(|k| !k.starts_with("admin-"))
                .cloned()
                .collect()
        } else {
            reference.clone()
        };
        let missing: Vec<_> = needed.difference(&have).collect();
        assert!(missing.is_empty(), "{}.ftl lacks {missing:?}", l.tag());
        let extra: Vec<_> = have.difference(&reference).collect();
        assert!(
            extra.is_empty(),
            "{}.ftl has keys German lacks: {extra:?}",
            l.tag()
        );
    }
}

/// Values that are the same in every language: names, codes and international terms.
const SAME_EVERYWHERE: &[&str] = &[
    "site-name",
    "api-docs-openapi",
    "locale-name-de",
    "oparl",
    "admin-totp-uri-label",
    "footer-kern",
];

#[test]
fn no_catalog_is_english_in_disguise() {
    let en: HashMap<String, String> = messages(Locale::En).into_iter().collect();
    for l in Locale::ALL {
        if l == Locale::En {
            continue;
        }
        let msgs = messages(l);
        let same: Vec<&String> = msgs
            .iter()
            .filter(|(k, v)| !SAME_EVERYWHERE.contains(&k.as_str()) && en.get(k) == Some(v))
            .map(|(k, _)| k)
            .collect();
        let share = same.len() as f64 / msgs.len().max(1) as f64;
        assert!(
            share <= 0.05,
            "{}.ftl: {:.1} % of values are identical to English: {same:?}",
            l.tag(),
            share * 100.0
        );
    }
}

#[test]
fn missing_keys_fall_back_to_german_then_the_key() {
    let c = Catalogs::load().unwrap();
    assert_eq!(c.t(Locale::De, "no-such-key"), "no-such-key");
    // Leichte Sprache lacks coordinator keys and shows German instead.
    let admin_key = keys(Locale::De)
        .into_iter()
        .find(|k| k.starts_with("admin-"))
        .unwrap();
    if !c.has(Locale::DeLs, &admin_key) {
        assert_eq!(c.t(Locale::DeLs, &admin_key), c.t(Locale::De, &admin_key));
    }
}

#[test]
fn accept_language_negotiation() {
    assert_eq!(negotiate("ar-SY,ar;q=0.9,en;q=0.8"), Locale::Ar);
    assert_eq!(negotiate("fr-FR,fr;q=0.9,en;q=0.5"), Locale::En);
    assert_eq!(negotiate("en;q=0.2, tr;q=0.8"), Locale::Tr);
    assert_eq!(negotiate(""), Locale::De);
    assert_eq!(negotiate("*"), Locale::De);
    assert_eq!(negotiate("de-x-ls"), Locale::DeLs);
    assert_eq!(negotiate("fa-IR"), Locale::Fa);
    assert_eq!(negotiate("en;q=0"), Locale::De);
}

#[test]
fn numbers_are_grouped_per_locale() {
    assert_eq!(format_int(1_165_000, Locale::De), "1.165.000");
    assert_eq!(format_int(1_165_000, Locale::En), "1,165,000");
    assert_eq!(format_int(1_165_000, Locale::Pl), "1\u{202f}165\u{202f}000");
    assert_eq!(format_int(300_000, Locale::Fa), "۳۰۰٬۰۰۰");
    assert_eq!(format_int(999, Locale::De), "999");
    assert_eq!(format_int(-1000, Locale::En), "-1,000");
    assert_eq!(format_decimal(1234.56, 1, Locale::De), "1.234,6");
    assert_eq!(format_decimal(1234.56, 1, Locale::En), "1,234.6");
    assert_eq!(format_decimal(2.5, 1, Locale::Fa), "۲٫۵");
    assert_eq!(format_decimal(0.04, 1, Locale::De), "0,0");
    assert_eq!(format_decimal(-0.25, 2, Locale::En), "-0.25");
    assert_eq!(format_decimal(7.0, 0, Locale::De), "7");
}
