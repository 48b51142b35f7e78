//! Spoken languages a service, a location or a member of staff can offer. Codes are ISO 639-1
//! where one exists, else ISO 639-3 (Dari `prs`, Kurmanji `kmr`, Sorani `ckb`, German Sign
//! Language `gsg`). Each has a catalog key for its name in the interface language and its own
//! name (endonym), shown together so people recognise their language in any interface.

/// (code, catalog key, endonym)
pub const SPOKEN: &[(&str, &str, &str)] = &[
    ("de", "spoken-de", "Deutsch"),
    ("en", "spoken-en", "English"),
    ("ar", "spoken-ar", "العربية"),
    ("tr", "spoken-tr", "Türkçe"),
    ("fa", "spoken-fa", "فارسی"),
    ("prs", "spoken-prs", "دری"),
    ("ps", "spoken-ps", "پښتو"),
    ("uk", "spoken-uk", "Українська"),
    ("ru", "spoken-ru", "Русский"),
    ("pl", "spoken-pl", "Polski"),
    ("ro", "spoken-ro", "Română"),
    ("bg", "spoken-bg", "Български"),
    ("kmr", "spoken-kmr", "Kurmancî"),
    ("ckb", "spoken-ckb", "کوردی"),
    ("ti", "spoken-ti", "ትግርኛ"),
    ("am", "spoken-am", "አማርኛ"),
    ("so", "spoken-so", "Soomaali"),
    ("fr", "spoken-fr", "Français"),
    ("es", "spoken-es", "Español"),
    ("it", "spoken-it", "Italiano"),
    ("pt", "spoken-pt", "Português"),
    ("el", "spoken-el", "Ελληνικά"),
    ("sq", "spoken-sq", "Shqip"),
    ("sr", "spoken-sr", "Српски"),
    ("hr", "spoken-hr", "Hrvatski"),
    ("bs", "spoken-bs", "Bosanski"),
    ("hu", "spoken-hu", "Magyar"),
    ("ka", "spoken-ka", "ქართული"),
    ("hy", "spoken-hy", "Հայերեն"),
    ("ur", "spoken-ur", "اردو"),
    ("hi", "spoken-hi", "हिन्दी"),
    ("vi", "spoken-vi", "Tiếng Việt"),
    ("zh", "spoken-zh", "中文"),
    ("rom", "spoken-rom", "Romani"),
    ("gsg", "spoken-gsg", "Deutsche Gebärdensprache"),
];

/// Three-letter codes people write for languages that have a two-letter one.
const LONG_FORMS: &[(&str, &str)] = &[
    ("deu", "de"),
    ("ger", "de"),
    ("eng", "en"),
    ("ara", "ar"),
    ("tur", "tr"),
    ("fas", "fa"),
    ("per", "fa"),
    ("pus", "ps"),
    ("ukr", "uk"),
    ("rus", "ru"),
    ("pol", "pl"),
    ("ron", "ro"),
    ("rum", "ro"),
    ("bul", "bg"),
    ("tir", "ti"),
    ("amh", "am"),
    ("som", "so"),
    ("fra", "fr"),
    ("fre", "fr"),
    ("spa", "es"),
    ("ita", "it"),
    ("por", "pt"),
    ("ell", "el"),
    ("gre", "el"),
    ("sqi", "sq"),
    ("alb", "sq"),
    ("srp", "sr"),
    ("hrv", "hr"),
    ("bos", "bs"),
    ("hun", "hu"),
    ("kat", "ka"),
    ("geo", "ka"),
    ("hye", "hy"),
    ("arm", "hy"),
    ("urd", "ur"),
    ("hin", "hi"),
    ("vie", "vi"),
    ("zho", "zh"),
    ("chi", "zh"),
];

/// Why a code was refused: the catalog key suffix of the error and, for a long form, the code
/// to use instead.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeError {
    /// A three-letter code where ISO 639-1 has a two-letter one (`ara` → `ar`).
    UseShort(&'static str),
    Unknown,
}

/// Checks and normalises one language code (trimmed, lower case).
pub fn check(code: &str) -> Result<&'static str, CodeError> {
    let c = code.trim().to_ascii_lowercase();
    if let Some(s) = SPOKEN.iter().find(|s| s.0 == c) {
        return Ok(s.0);
    }
    if let Some(l) = LONG_FORMS.iter().find(|l| l.0 == c) {
        return Err(CodeError::UseShort(l.1));
    }
    Err(CodeError::Unknown)
}

pub fn label_key(code: &str) -> Option<&'static str> {
    SPOKEN.iter().find(|s| s.0 == code).map(|s| s.1)
}

pub fn endonym(code: &str) -> Option<&'static str> {
    SPOKEN.iter().find(|s| s.0 == code).map(|s| s.2)
}

/// Levels of the Common European Framework, plus native speakers.
pub const LEVELS: &[&str] = &["A1", "A2", "B1", "B2", "C1", "C2", "native"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_long_forms_named() {
        assert_eq!(check(" AR "), Ok("ar"));
        assert_eq!(check("prs"), Ok("prs"));
        assert_eq!(check("ara"), Err(CodeError::UseShort("ar")));
        assert_eq!(check("xx"), Err(CodeError::Unknown));
        assert_eq!(check(""), Err(CodeError::Unknown));
        assert_eq!(check("<script>"), Err(CodeError::Unknown));
        let mut seen = std::collections::HashSet::new();
        for (code, key, _) in SPOKEN {
            assert!(seen.insert(code), "{code} twice");
            assert_eq!(*key, format!("spoken-{code}"));
        }
        for (long, short) in LONG_FORMS {
            assert!(check(short).is_ok(), "{long} → {short}");
        }
    }
}
