use std::fmt;

/// A shipped interface locale. German is the default and the fallback for content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    De,
    /// Leichte Sprache: easy-to-read German (`de-x-ls`).
    DeLs,
    En,
    Tr,
    Ar,
    Fa,
    Ru,
    Uk,
    Pl,
}

impl Locale {
    pub const ALL: [Locale; 9] = [
        Locale::De,
        Locale::DeLs,
        Locale::En,
        Locale::Tr,
        Locale::Ar,
        Locale::Fa,
        Locale::Ru,
        Locale::Uk,
        Locale::Pl,
    ];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::De => "de",
            Locale::DeLs => "de-x-ls",
            Locale::En => "en",
            Locale::Tr => "tr",
            Locale::Ar => "ar",
            Locale::Fa => "fa",
            Locale::Ru => "ru",
            Locale::Uk => "uk",
            Locale::Pl => "pl",
        }
    }

    /// The language's own name for itself (shown in the language switcher).
    pub fn autonym(self) -> &'static str {
        match self {
            Locale::De => "Deutsch",
            Locale::DeLs => "Leichte Sprache",
            Locale::En => "English",
            Locale::Tr => "Türkçe",
            Locale::Ar => "العربية",
            Locale::Fa => "فارسی",
            Locale::Ru => "Русский",
            Locale::Uk => "Українська",
            Locale::Pl => "Polski",
        }
    }

    /// The `lang` attribute value for HTML (`de-x-ls` is valid BCP 47 and reads as German).
    pub fn html_lang(self) -> &'static str {
        self.tag()
    }

    pub fn is_rtl(self) -> bool {
        matches!(self, Locale::Ar | Locale::Fa)
    }

    /// Where a missing interface string or content text is taken from.
    pub fn fallback(self) -> Option<Locale> {
        match self {
            Locale::De => None,
            _ => Some(Locale::De),
        }
    }

    pub fn parse(tag: &str) -> Option<Locale> {
        let t = tag.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.tag() == t)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl serde::Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn tags_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.tag()), Some(l));
        }
        assert_eq!(Locale::parse("DE-X-LS"), Some(Locale::DeLs));
        assert_eq!(Locale::parse("xx"), None);
    }

    #[test]
    fn only_arabic_and_persian_are_rtl() {
        let rtl: Vec<_> = Locale::ALL.into_iter().filter(|l| l.is_rtl()).collect();
        assert_eq!(rtl, vec![Locale::Ar, Locale::Fa]);
    }
}
