/// One problem with one input field. `code` is a message-catalog key suffix (`error-<code>`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

/// Collects field errors; a form or request is accepted only when it holds none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validation {
    pub errors: Vec<FieldError>,
}

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, code: &str) {
        self.errors.push(FieldError {
            field: field.to_string(),
            code: code.to_string(),
        });
    }
    /// Requires a non-empty text of at most `max` characters; returns it trimmed.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, "required");
        } else if v.chars().count() > max {
            self.add(field, "too_long");
        }
        v.to_string()
    }
    /// An optional text of at most `max` characters.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.chars().count() > max {
            self.add(field, "too_long");
        }
        v.to_string()
    }
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }
    pub fn into_result(self) -> Result<(), Validation> {
        if self.is_ok() {
            Ok(())
        } else {
            Err(self)
        }
    }
}
