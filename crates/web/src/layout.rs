//! The page shell every HTML page shares: language and direction, skip link, header with
//! navigation and language switcher, main landmark, footer with the legal pages.

use crate::ctx::Ctx;
use crate::error::{problem_response, AppError, Rendered};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use th_core::{Locale, Role};

pub struct Page {
    pub title: String,
    pub body: Markup,
    pub status: StatusCode,
}

impl Page {
    pub fn new(title: impl Into<String>, body: Markup) -> Self {
        Self {
            title: title.into(),
            body,
            status: StatusCode::OK,
        }
    }
    pub fn status(mut self, s: StatusCode) -> Self {
        self.status = s;
        self
    }
    /// Puts a success notice (role=status) at the top of the page.
    pub fn notice(mut self, text: String) -> Self {
        let body = self.body;
        self.body = html! { (crate::forms::notice(text)) (body) };
        self
    }
    pub fn render(self, ctx: &Ctx) -> Response {
        // A form sent back with errors says so in the title, which screen readers announce first.
        let title = if self.status == StatusCode::UNPROCESSABLE_ENTITY {
            format!("{} {}", ctx.t("form-error-prefix"), self.title)
        } else {
            self.title
        };
        (
            self.status,
            Html(shell(ctx, &title, self.body).into_string()),
        )
            .into_response()
    }
}

fn nav_link(ctx: &Ctx, href: &str, key: &str) -> Markup {
    let current = ctx.path == href || (href != "/" && ctx.path.starts_with(href));
    html! {
        li { a href=(href) aria-current=[current.then_some("page")] { (ctx.t(key)) } }
    }
}

pub fn shell(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    let l = ctx.locale;
    html! {
        (DOCTYPE)
        html lang=(l.html_lang()) dir=(if l.is_rtl() { "rtl" } else { "ltr" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (ctx.tenant.name) }
                link rel="stylesheet" href={ "/assets/kern.min.css?v=" (crate::assets::version()) };
                link rel="stylesheet" href={ "/assets/app.css?v=" (crate::assets::version()) };
                @if ctx.path.starts_with("/wegweiser") {
                    link rel="manifest" href="/wegweiser/manifest.webmanifest";
                    script src={ "/assets/guide.js?v=" (crate::assets::version()) } defer {}
                }
                @if ctx.path.starts_with("/meinungsbild/") {
                    script src={ "/assets/opinion.js?v=" (crate::assets::version()) } defer {}
                }
            }
            body {
                a.th-skip href="#inhalt" { (ctx.t("skip-to-content")) }
                header.th-header {
                    div.th-wrap {
                        div.th-header__bar {
                            a.th-brand href="/" {
                                (ctx.tenant.name)
                                small { (ctx.t("site-tagline")) }
                            }
                            nav.th-nav aria-label=(ctx.t("nav-main")) {
                                ul {
                                    (nav_link(ctx, "/", "nav-home"))
                                    (nav_link(ctx, "/konzept", "nav-concept"))
                                    (nav_link(ctx, "/beteiligung", "nav-participation"))
                                    (nav_link(ctx, "/massnahmen", "nav-measures"))
                                    (nav_link(ctx, "/monitoring", "nav-monitoring"))
                                    (nav_link(ctx, "/veranstaltungen", "events-title"))
                                    (nav_link(ctx, "/wegweiser", "guide-title"))
                                    @if matches!(ctx.role(), Role::Staff | Role::TeamLead) {
                                        (nav_link(ctx, "/amt/sprachen", "admin-staff-nav"))
                                    }
                                    @if matches!(ctx.role(), Role::Coordinator | Role::Admin) {
                                        (nav_link(ctx, "/verwaltung", "nav-admin"))
                                    }
                                    @if ctx.signed_in() {
                                        (nav_link(ctx, "/konto", "nav-account"))
                                        li {
                                            form.th-inline-form method="post" action="/abmelden" {
                                                input type="hidden" name="csrf" value=(ctx.csrf);
                                                button.kern-btn.kern-btn--tertiary.kern-btn--x-small type="submit" { (ctx.t("nav-logout")) }
                                            }
                                        }
                                    } @else {
                                        (nav_link(ctx, "/anmelden", "nav-login"))
                                    }
                                }
                            }
                        }
                        nav.th-langs aria-label=(ctx.t("nav-language")) {
                            ul {
                                @for other in Locale::ALL {
                                    li {
                                        a href={ (ctx.page_path) "?lang=" (other.tag()) } lang=(other.html_lang()) hreflang=(other.tag())
                                          aria-current=[(other == l).then_some("true")] { (other.autonym()) }
                                    }
                                }
                            }
                        }
                    }
                }
                main.th-main #inhalt tabindex="-1" {
                    div.th-wrap { (body) }
                }
                footer.th-footer {
                    div.th-wrap {
                        nav aria-label=(ctx.t("nav-footer")) {
                            ul {
                                li { a href="/impressum" { (ctx.t("nav-impressum")) } }
                                li { a href="/datenschutz" { (ctx.t("nav-privacy")) } }
                                li { a href="/barrierefreiheit" { (ctx.t("nav-accessibility")) } }
                                li { a href="/sprache" { (ctx.t("nav-languages")) } }
                                li { a href="/api/openapi.json" { (ctx.t("api-docs-openapi")) } }
                            }
                        }
                        p { (ctx.t("footer-kern")) }
                    }
                }
            }
        }
    }
}

/// Shows a text that may be a German fallback, marked visibly and for screen readers.
pub fn shown(ctx: &Ctx, s: &th_concept::Shown<'_>) -> Markup {
    if s.text.is_empty() {
        return html! {};
    }
    html! {
        span lang=(s.locale.html_lang()) dir=(if s.locale.is_rtl() { "rtl" } else { "ltr" }) { (s.text) }
        @if s.fallback {
            " " span.th-fallback { "(" (ctx.t("fallback-german")) ")" }
        }
    }
}

/// A date as people in the locale write it, on the German calendar (a day starts at local
/// midnight, as the dates coordinators enter do).
pub fn date(ctx: &Ctx, ts: i64) -> String {
    let p = th_core::localtime::local(ts);
    date_of(ctx, p.year(), u8::from(p.month()), p.day())
}

/// A date with the time of day, in German local time ("14.03.2016, 18:00").
pub fn datetime(ctx: &Ctx, ts: i64) -> String {
    let p = th_core::localtime::local(ts);
    format!(
        "{}, {:02}:{:02}",
        date_of(ctx, p.year(), u8::from(p.month()), p.day()),
        p.hour(),
        p.minute()
    )
}

fn date_of(ctx: &Ctx, y: i32, m: u8, d: u8) -> String {
    match ctx.locale {
        th_core::Locale::En => format!("{y:04}-{m:02}-{d:02}"),
        th_core::Locale::Ar | th_core::Locale::Fa => format!("{d:02}/{m:02}/{y:04}"),
        _ => format!("{d:02}.{m:02}.{y:04}"),
    }
}

/// Links to the previous and next page of a paged list, and where one is ("page 2 of 7");
/// nothing when everything fits on one page.
pub fn pager(ctx: &Ctx, page: i64, pages: i64, link: impl Fn(i64) -> String) -> Markup {
    html! {
        @if pages > 1 {
            nav aria-label=(ctx.t("admin-paging")) { ul.th-actions {
                @if page > 1 { li { a.kern-link href=(link(page - 1)) rel="prev" { (ctx.t("admin-previous")) } } }
                li { (ctx.ta("admin-orgs-page", &[("page", page.into()), ("pages", pages.into())])) }
                @if page < pages { li { a.kern-link href=(link(page + 1)) rel="next" { (ctx.t("admin-next")) } } }
            } }
        }
    }
}

/// A wrapper that lets a wide table scroll on a narrow screen instead of the page.
pub fn scroll(table: Markup) -> Markup {
    html! { div.th-scroll { (table) } }
}

/// Paragraphs from a plain text: blank lines separate paragraphs, single line breaks stay.
/// Browsers send a text area's line breaks as CRLF; any kind of line break counts.
pub fn paragraphs(text: &str) -> Markup {
    let mut paras: Vec<Vec<&str>> = vec![];
    let mut cur: Vec<&str> = vec![];
    for line in text.lines() {
        let line = line.trim_end_matches('\r').trim_end();
        if line.trim().is_empty() {
            if !cur.is_empty() {
                paras.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(line);
        }
    }
    if !cur.is_empty() {
        paras.push(cur);
    }
    html! {
        @for p in &paras {
            p {
                @for (i, line) in p.iter().enumerate() {
                    @if i > 0 { br; }
                    (if i == 0 { line.trim_start() } else { line })
                }
            }
        }
    }
}

/// Renders errors that handlers returned bare: an HTML page in the visitor's language, or an
/// RFC 9457 problem document under `/api/`.
pub async fn render_errors(State(_app): State<AppState>, req: Request, next: Next) -> Response {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let res = next.run(req).await;
    if res.extensions().get::<Rendered>().is_some() {
        return res;
    }
    let Some(ctx) = ctx else { return res };
    let err = match res.extensions().get::<AppError>().cloned() {
        Some(e) => e,
        // A rejection by the framework (body too large, wrong method, unreadable form).
        None if res.status().is_client_error()
            && res
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .is_none_or(|v| v.as_bytes().starts_with(b"text/plain")) =>
        {
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 4096)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match status {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
                StatusCode::NOT_FOUND => AppError::NotFound,
                s => AppError::Rejected(s.as_u16(), text),
            }
        }
        None => return res,
    };
    if crate::error::is_json_path(&ctx.path) || ctx.path == "/konto/daten.json" {
        return problem_response(&err, &ctx.path, ctx.locale, &ctx.i18n);
    }
    let title = ctx.t(err.title_key());
    let body = html! {
        h1.kern-heading-large { (title) }
        @if let AppError::Validation(errs) = &err {
            ul { @for e in errs { li { (e.field) ": " (ctx.t(crate::error::field_error_key(&e.code))) } } }
        }
        @if let AppError::BadRequest(d) | AppError::Rejected(_, d) = &err { p { (d) } }
        p { a.kern-link href="/" { (ctx.t("nav-home")) } }
    };
    let mut out = Page::new(title, body).status(err.status()).render(&ctx);
    out.extensions_mut().insert(Rendered);
    out
}

pub fn raw(s: &str) -> PreEscaped<String> {
    PreEscaped(s.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn paragraphs_take_any_line_break() {
        assert_eq!(
            super::paragraphs("Erster Absatz\r\n\r\nZweiter\r\nmit Zeile\n \nDritter")
                .into_string(),
            "<p>Erster Absatz</p><p>Zweiter<br>mit Zeile</p><p>Dritter</p>"
        );
        assert_eq!(super::paragraphs("\r\n\r\n").into_string(), "");
    }
}
