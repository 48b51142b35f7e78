use std::fmt;

/// A syntactically plausible e-mail address, lower-cased. Parse, don't validate.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("required");
        }
        if s.len() > 254 {
            return Err("too_long");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err("invalid_email");
        };
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        let ok_domain = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if ok_local && ok_domain {
            Ok(Self(s.to_lowercase()))
        } else {
            Err("invalid_email")
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn parses_and_lowercases() {
        assert_eq!(
            Email::parse(" Anna@Region-Hannover.DE ").map(|e| e.to_string()),
            Ok("anna@region-hannover.de".to_string())
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "", "anna", "anna@", "@x.de", "a b@x.de", "a@x", "a@.de", "a@x.de.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
