//! The one user-facing error type. Handlers return `Result<_, AppError>`; the context layer
//! turns an error into an HTML page (in the visitor's language) or, under `/api/`, into an
//! RFC 9457 problem document. Internal causes go to the log, never to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use th_core::{FieldError, Locale, Validation};
use th_i18n::Catalogs;

#[derive(Debug, Clone)]
pub enum AppError {
    NotFound,
    Unauthorized,
    Forbidden,
    Csrf,
    TooLarge,
    RateLimited,
    Conflict(&'static str),
    BadRequest(String),
    Validation(Vec<FieldError>),
    /// A request the framework refused before any handler ran (wrong method, media type, form).
    Rejected(u16, String),
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Rejected(s, _) => StatusCode::from_u16(*s).unwrap_or(StatusCode::BAD_REQUEST),
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients can rely on; also names the message-catalog key.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::TooLarge => "too_large",
            AppError::RateLimited => "rate_limited",
            AppError::Conflict(c) => c,
            AppError::BadRequest(_) => "bad_request",
            AppError::Validation(_) => "validation",
            AppError::Rejected(..) => "bad_request",
            AppError::Internal(_) => "internal",
        }
    }

    /// The catalog key of the error's title.
    pub fn title_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error-not-found",
            AppError::Unauthorized => "error-unauthorized",
            AppError::Forbidden => "error-forbidden",
            AppError::Csrf => "error-csrf",
            AppError::TooLarge => "error-too-large",
            AppError::RateLimited => "error-rate-limited",
            AppError::Conflict("draft_exists") => "error-draft-exists",
            AppError::Conflict("not_a_draft") => "error-not-a-draft",
            AppError::Conflict("already_registered") => "error-already-registered",
            AppError::Conflict("event_over") => "error-event-over",
            AppError::Conflict("process_finished") => "error-process-finished",
            AppError::Conflict("process_not_started") => "error-process-not-started",
            AppError::Conflict("device_code_required") => "invitation-code-title",
            AppError::Conflict("conversation_closed") => "error-conversation-closed",
            AppError::Conflict("statement_not_votable") => "error-statement-not-votable",
            AppError::Conflict(_) => "error-conflict",
            AppError::BadRequest(_) => "error-bad-request",
            AppError::Validation(_) => "error-validation",
            AppError::Rejected(..) => "error-bad-request",
            AppError::Internal(_) => "error-internal",
        }
    }

    /// A problem document (RFC 9457) in the given locale.
    pub fn problem(&self, path: &str, locale: Locale, i18n: &Catalogs) -> serde_json::Value {
        let mut v = serde_json::json!({
            "type": "about:blank",
            "title": i18n.t(locale, self.title_key()),
            "status": self.status().as_u16(),
            "code": self.code(),
            "instance": path,
        });
        match self {
            AppError::BadRequest(d) | AppError::Rejected(_, d) => v["detail"] = d.clone().into(),
            AppError::Validation(errs) => {
                v["errors"] = errs
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "field": e.field,
                            "code": e.code,
                            "message": i18n.t(locale, field_error_key(&e.code)),
                        })
                    })
                    .collect::<Vec<_>>()
                    .into();
            }
            _ => {}
        }
        v
    }

    /// Renders the error for a path without the full page context (before routing).
    pub fn into_response_for(self, path: &str, locale: Locale, i18n: &Catalogs) -> Response {
        if is_json_path(path) {
            problem_response(&self, path, locale, i18n)
        } else {
            let title = i18n.t(locale, self.title_key());
            let mut res = (self.status(), axum::response::Html(format!(
                "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><main><h1>{}</h1><p><a href=\"/\">{}</a></p></main></body></html>",
                locale.tag(), maud::html!((title)).into_string(), maud::html!((title)).into_string(), maud::html!((i18n.t(locale, "nav-home"))).into_string()
            ))).into_response();
            res.extensions_mut().insert(self);
            res.extensions_mut().insert(Rendered);
            res
        }
    }
}

/// Marks an error response whose body is final.
#[derive(Clone, Copy, Debug)]
pub struct Rendered;

pub fn problem_response(e: &AppError, path: &str, locale: Locale, i18n: &Catalogs) -> Response {
    let body = e.problem(path, locale, i18n).to_string();
    let mut res = (e.status(), body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if e.status() == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"teilhabe\""),
        );
    }
    res.extensions_mut().insert(e.clone());
    res.extensions_mut().insert(Rendered);
    res
}

/// Paths whose answers, errors included, are JSON: the API and the HSDS endpoints.
pub fn is_json_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/hsds" || path.starts_with("/hsds/")
}

/// The catalog key for a field error code.
pub fn field_error_key(code: &str) -> &'static str {
    match code {
        "required" => "error-field-required",
        "too_long" => "error-field-too-long",
        "invalid_email" => "error-field-invalid-email",
        "password_short" => "error-field-password-short",
        "email_taken" => "error-field-email-taken",
        "duplicate" => "error-field-duplicate",
        "consent_required" => "error-field-consent-required",
        "wrong_code" => "error-field-wrong-code",
        "wrong_password" => "error-field-wrong-password",
        "mismatch" => "error-field-mismatch",
        "unknown_field" => "error-field-unknown",
        "wrong_type" => "error-field-wrong-type",
        "before_start" => "error-field-before-start",
        "place_or_link" => "error-field-place-or-link",
        "invalid_url" => "error-field-invalid-url",
        "already_registered" => "error-field-already-registered",
        "consent_event" => "error-field-consent-event",
        "locked" => "error-field-locked",
        "last_contact" => "error-field-last-contact",
        "phase_order" => "error-field-phase-order",
        "unknown_language" => "error-field-unknown-language",
        "language_long_code" => "error-field-language-long-code",
        "hours_format" => "error-field-hours-format",
        "hours_weekday" => "error-field-hours-weekday",
        "hours_order" => "error-field-hours-order",
        "hours_overlap" => "error-field-hours-overlap",
        "unknown_topic" => "error-field-unknown-topic",
        "unknown_municipality" | "location_unknown_municipality" => {
            "error-field-unknown-municipality"
        }
        "age" => "error-field-age",
        "age_order" => "error-field-age-order",
        "postal_code" | "location_postal_code" => "error-field-postal-code",
        "phone" => "error-field-phone",
        "coordinates" | "location_coordinates" => "error-field-coordinates",
        "unknown_location" => "error-field-unknown-location",
        "period" => "error-field-period",
        "range" => "error-field-range",
        "in_past" => "error-field-in-past",
        "datetime" => "error-field-datetime",
        "rec_syntax" | "hsds_syntax" => "error-field-json-syntax",
        "rec_key" => "error-field-rec-key",
        "rec_reference" => "error-field-rec-reference",
        "rec_body" => "error-field-rec-body",
        "rec_document" => "error-field-rec-document",
        "rec_source" => "error-field-rec-source",
        "hsds_empty" => "error-field-hsds-empty",
        "hsds_object" | "hsds_id" | "hsds_name" => "error-field-hsds-entry",
        "hsds_organization" => "error-field-hsds-organization",
        _ => "error-field-invalid",
    }
}

impl IntoResponse for AppError {
    /// A bare response carrying the error; the context layer renders it for the visitor.
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(cause = %cause, "internal error");
        }
        let mut res = self.status().into_response();
        res.extensions_mut().insert(self);
        res
    }
}

impl From<th_storage::StorageError> for AppError {
    fn from(e: th_storage::StorageError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<th_auth::AuthError> for AppError {
    fn from(e: th_auth::AuthError) -> Self {
        match e {
            th_auth::AuthError::RateLimited => AppError::RateLimited,
            th_auth::AuthError::BadCredentials => AppError::Unauthorized,
            th_auth::AuthError::EmailTaken => AppError::Conflict("email_taken"),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<th_concept::ConceptError> for AppError {
    fn from(e: th_concept::ConceptError) -> Self {
        match e {
            th_concept::ConceptError::NotFound => AppError::NotFound,
            th_concept::ConceptError::NotADraft => AppError::Conflict("not_a_draft"),
            th_concept::ConceptError::DraftExists => AppError::Conflict("draft_exists"),
            th_concept::ConceptError::Invalid(v) => AppError::Validation(v.errors),
            th_concept::ConceptError::Storage(s) => AppError::Internal(s.to_string()),
        }
    }
}

impl From<th_mail::MailError> for AppError {
    fn from(e: th_mail::MailError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<Validation> for AppError {
    fn from(v: Validation) -> Self {
        AppError::Validation(v.errors)
    }
}
