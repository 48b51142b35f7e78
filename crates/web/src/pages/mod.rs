pub mod account;
pub mod admin;
pub mod contributions;
pub mod events;
pub mod forum;
pub mod my_org;
pub mod orgs;
pub mod participation;
pub mod process_admin;
pub mod public;
pub mod report;

use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

/// Redirects after a successful POST (303, so the browser GETs the target).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A local path to return to after sign-in; anything else becomes "/".
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}
