//! Form building blocks in KERN UX markup: every field has a label, its error is tied to it
//! with aria-describedby, and a summary at the top links to each field in error.

use crate::ctx::Ctx;
use crate::error::field_error_key;
use maud::{html, Markup};
use th_core::Validation;

pub struct Field<'a> {
    pub name: &'a str,
    pub label: String,
    pub value: &'a str,
    pub kind: &'a str,
    pub hint: Option<String>,
    pub autocomplete: Option<&'a str>,
    pub required: bool,
    pub id: Option<String>,
    /// The language of the value (when it is not the page's), with its direction.
    pub lang: Option<th_core::Locale>,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: String, value: &'a str) -> Self {
        Self {
            name,
            label,
            value,
            kind: "text",
            hint: None,
            autocomplete: None,
            required: true,
            id: None,
            lang: None,
        }
    }
    pub fn kind(mut self, k: &'a str) -> Self {
        self.kind = k;
        self
    }
    pub fn hint(mut self, h: String) -> Self {
        self.hint = Some(h);
        self
    }
    pub fn autocomplete(mut self, a: &'a str) -> Self {
        self.autocomplete = Some(a);
        self
    }
    pub fn id(mut self, id: String) -> Self {
        self.id = Some(id);
        self
    }
    pub fn lang(mut self, l: th_core::Locale) -> Self {
        self.lang = Some(l);
        self
    }
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }
}

pub fn csrf(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="csrf" value=(ctx.csrf); }
}

fn described_by(name: &str, has_hint: bool, has_error: bool) -> Option<String> {
    let mut ids = vec![];
    if has_hint {
        ids.push(format!("{name}-hint"));
    }
    if has_error {
        ids.push(format!("{name}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

pub fn input(ctx: &Ctx, f: Field<'_>, v: &Validation) -> Markup {
    let id = f.id.as_deref().unwrap_or(f.name);
    let err = v.for_field(id);
    html! {
        div.kern-form-input {
            label.kern-label for=(id) {
                (f.label)
                @if !f.required { " " span.kern-label__optional { "(" (ctx.t("form-optional")) ")" } }
            }
            @if let Some(h) = &f.hint { div.kern-hint id={ (id) "-hint" } { (h) } }
            @if let Some(e) = err {
                p.kern-error id={ (id) "-error" } { (ctx.t(field_error_key(&e.code))) }
            }
            @if f.kind == "textarea" {
                textarea.kern-form-input__input.kern-form-input__input--error[err.is_some()] id=(id) name=(f.name)
                    lang=[f.lang.map(|l| l.html_lang())] dir=[f.lang.map(|l| if l.is_rtl() { "rtl" } else { "ltr" })]
                    required[f.required] aria-invalid=[err.map(|_| "true")]
                    aria-describedby=[described_by(id, f.hint.is_some(), err.is_some())] { (f.value) }
            } @else {
                input.kern-form-input__input.kern-form-input__input--error[err.is_some()] id=(id) name=(f.name) type=(f.kind)
                    lang=[f.lang.map(|l| l.html_lang())] dir=[f.lang.map(|l| if l.is_rtl() { "rtl" } else { "ltr" })]
                    inputmode=[(f.name == "code").then_some("numeric")]
                    value=(f.value) required[f.required] autocomplete=[f.autocomplete]
                    aria-invalid=[err.map(|_| "true")]
                    aria-describedby=[described_by(id, f.hint.is_some(), err.is_some())];
            }
        }
    }
}

pub fn checkbox(ctx: &Ctx, name: &str, label: String, checked: bool, v: &Validation) -> Markup {
    let err = v.for_field(name);
    html! {
        div.kern-form-check {
            input.kern-form-check__checkbox.kern-form-check__checkbox--error[err.is_some()] type="checkbox" id=(name) name=(name) value="1" checked[checked]
                aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("{name}-error"))];
            label.kern-label for=(name) { (label) }
            @if let Some(e) = err { p.kern-error id={ (name) "-error" } { (ctx.t(field_error_key(&e.code))) } }
        }
    }
}

/// The catalog key of a field's name, for the error summary ("E-Mail-Adresse: …").
fn field_label_key(field: &str) -> Option<&'static str> {
    for (prefix, key) in [
        ("title_", "admin-field-title-short"),
        ("description_", "admin-field-text-short"),
        ("agenda_", "event-agenda"),
        ("phase_", "process-phases"),
        ("attendance_", "event-attendance"),
        ("subject_", "admin-field-title-short"),
        ("body_", "admin-field-text-short"),
    ] {
        if field.starts_with(prefix) {
            return Some(key);
        }
    }
    let base = field
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches('-');
    Some(match base {
        "email" => "field-email",
        "password" => "field-password",
        "display_name" => "field-display-name",
        "consent" => "signup-consent-short",
        "code" => "field-code",
        "name" => "field-name",
        "message" => "feedback-message",
        "contact" => "feedback-contact",
        "title" => "admin-field-title-short",
        "description" | "body" => "admin-field-text-short",
        "kind" => "org-kind",
        "municipality" => "org-municipality",
        "fields" => "org-fields",
        "languages" => "org-languages",
        "notes" => "org-notes",
        "datei" => "admin-import-file",
        "starts" => "event-starts",
        "ends" => "event-ends",
        "place" => "event-place",
        "capacity" => "event-capacity",
        "online_url" => "event-online-link",
        "needs" => "event-needs",
        "names" => "invitation-event-names",
        "event" => "invitation-event-choose",
        "minutes" => "event-minutes",
        "goal" => "admin-events-outcome-goal",
        "pseudonym" => "contribution-pseudonym",
        "org_kind" => "event-come-for",
        "retention_days" => "admin-process-retention",
        "moderation" => "admin-process-moderation",
        _ => return None,
    })
}

/// The list of problems at the top of a form, each linking to its field.
pub fn error_summary(ctx: &Ctx, v: &Validation) -> Markup {
    error_summary_with(ctx, v, &[])
}

/// The same, with field names that mean something else on this form (`kind` of a
/// contribution is not the kind of an organisation).
pub fn error_summary_with(ctx: &Ctx, v: &Validation, labels: &[(&str, &str)]) -> Markup {
    let label = |field: &str| {
        labels
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| *k)
            .or_else(|| field_label_key(field))
    };
    html! {
        @if !v.is_ok() {
            div.kern-alert.kern-alert--danger role="alert" tabindex="-1" id="fehler" {
                div.kern-alert__header { h2.kern-title { (ctx.t("form-errors-title")) } }
                div.kern-alert__body {
                    ul {
                        @for e in &v.errors {
                            li {
                                a.kern-link href={ "#" (e.field) } {
                                    @if let Some(k) = label(&e.field) { (ctx.t(k)) ": " }
                                    (ctx.t(field_error_key(&e.code)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn submit(label: String) -> Markup {
    html! { button.kern-btn.kern-btn--primary type="submit" { span.kern-label { (label) } } }
}

pub fn notice(text: String) -> Markup {
    html! {
        div.kern-alert.kern-alert--success role="status" {
            div.kern-alert__body { p { (text) } }
        }
    }
}

/// A form body as name/value pairs, for forms whose field names are built at run time
/// (texts per language, attendance per kind).
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A `<select>` with a label, its options as (value, text).
pub fn select(
    ctx: &Ctx,
    name: &str,
    label: String,
    options: &[(String, String)],
    selected: &str,
    v: &Validation,
) -> Markup {
    let err = v.for_field(name);
    html! {
        div.kern-form-input {
            label.kern-label for=(name) { (label) }
            @if let Some(e) = err { p.kern-error id={ (name) "-error" } { (ctx.t(field_error_key(&e.code))) } }
            div.kern-form-input__select-wrapper {
                select.kern-form-input__select #(name) name=(name) aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("{name}-error"))] {
                    @for (val, text) in options { option value=(val) selected[val == selected] { (text) } }
                }
            }
        }
    }
}
