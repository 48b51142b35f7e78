pub mod account;
pub mod admin;
pub mod contributions;
pub mod events;
pub mod forum;
pub mod guide;
pub mod guide_admin;
pub mod measures;
pub mod monitoring;
pub mod my_org;
pub mod opinion;
pub mod orgs;
pub mod participation;
pub mod process_admin;
pub mod public;
pub mod report;
pub mod staff;
pub mod themes;

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

/// After a POST, the page it redirects to shows what happened: the redirect names a catalog
/// key and up to two numbers, never free text (a link with made-up text must not show as a
/// message of the site).
pub fn noted(path: &str, key: &str, a: i64, b: i64) -> Response {
    see_other(&format!("{path}?hinweis={key}&a={a}&b={b}"))
}

#[derive(serde::Deserialize, Default)]
pub struct NoteQuery {
    pub hinweis: Option<String>,
    pub a: Option<i64>,
    pub b: Option<i64>,
}

impl NoteQuery {
    /// The message, if the key is one this page knows. Numbers go in as `count`/`moved`
    /// (first) and `skipped` (second).
    pub fn text(&self, ctx: &crate::ctx::Ctx, known: &[&str]) -> Option<String> {
        let key = self.hinweis.as_deref()?;
        known.contains(&key).then(|| {
            let a = self.a.unwrap_or(0);
            ctx.ta(
                key,
                &[
                    ("count", a.into()),
                    ("moved", a.into()),
                    ("skipped", self.b.unwrap_or(0).into()),
                ],
            )
        })
    }
}
