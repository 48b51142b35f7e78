//! The request context: tenant, locale, who is asking, and the CSRF token. Built once per
//! request by [`context_layer`] and read by handlers through the `Ctx` extractor.

use crate::error::AppError;
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::sync::Arc;
use th_auth::User;
use th_core::{Locale, Role};
use th_i18n::Catalogs;
use th_storage::platform::Tenant;

pub const SESSION_COOKIE: &str = "th_session";
pub const CSRF_COOKIE: &str = "th_csrf";
pub const LANG_COOKIE: &str = "th_lang";
/// Bodies larger than this are refused before any handler runs.
pub const MAX_BODY: usize = 256 * 1024;
/// Uploads (imports) may be larger: the import's own limit plus the multipart envelope.
pub const MAX_UPLOAD: usize = th_participation::import::MAX_BYTES + 64 * 1024;

#[derive(Clone)]
pub struct Ctx {
    pub tenant: Tenant,
    pub locale: Locale,
    pub user: Option<User>,
    /// Signed in, but the second factor is still owed (coordinators, administrators).
    pub second_factor_pending: bool,
    /// Authenticated by a bearer token (no cookies, no CSRF).
    pub via_token: bool,
    pub session_token: Option<String>,
    pub csrf: String,
    pub i18n: Arc<Catalogs>,
    pub path: String,
    pub request_id: String,
    /// Scheme and host the visitor used, for links in e-mails.
    pub origin: String,
    /// Where the language links lead: this page, or after a form was sent (POST), the page
    /// the form was on (a POST address cannot be opened again).
    pub page_path: String,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        self.i18n.t(self.locale, key)
    }
    pub fn ta(&self, key: &str, args: &[(&str, th_i18n::Value<'_>)]) -> String {
        self.i18n.ta(self.locale, key, args)
    }
    /// The role this request acts with. A session that still owes its second factor
    /// counts as a visitor.
    pub fn role(&self) -> Role {
        match &self.user {
            Some(u) if !self.second_factor_pending => u.role,
            _ => Role::Visitor,
        }
    }
    pub fn signed_in(&self) -> bool {
        self.user.is_some() && !self.second_factor_pending
    }
    pub fn user_id(&self) -> Option<i64> {
        self.user
            .as_ref()
            .filter(|_| !self.second_factor_pending)
            .map(|u| u.id)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

fn client_addr(req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

/// The client address (for rate limits), as seen by the server.
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

fn is_api(path: &str) -> bool {
    crate::error::is_json_path(path)
}

/// Resolves tenant, locale, user and CSRF token; enforces CSRF on state-changing requests;
/// sets cookies and the security headers on the way out.
pub async fn context_layer(
    State(app): State<AppState>,
    jar: CookieJar,
    mut req: Request,
    next: Next,
) -> Response {
    let now = app.now();
    let path = req.uri().path().to_string();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_default();
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    let tenant = match app.db.tenant_for_host(&host).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return (StatusCode::NOT_FOUND, "No site answers on this host.").into_response()
        }
        Err(e) => return AppError::from(e).into_response(),
    };

    // Locale: explicit choice (?lang=, remembered in a cookie) or Accept-Language.
    let query_lang = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|p| p.strip_prefix("lang="))
            .and_then(Locale::parse)
    });
    let cookie_lang = jar.get(LANG_COOKIE).and_then(|c| Locale::parse(c.value()));
    let header_lang = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(th_i18n::negotiate)
        .unwrap_or(Locale::De);
    let locale = query_lang.or(cookie_lang).unwrap_or(header_lang);

    // Who is asking: a bearer token (scripts) or the session cookie (browsers).
    let mut user = None;
    let mut second_factor_pending = false;
    let mut via_token = false;
    let mut session_token = None;
    // Operations endpoints take no person (their own check, if any, is in the handler).
    let operations = path == "/metrics" || path == "/healthz";
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .filter(|_| !operations)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    if let Some(token) = bearer {
        match th_auth::user_for_api_token(&app.db, tenant.id, &token, now).await {
            Ok(Some(u)) => {
                user = Some(u);
                via_token = true;
            }
            Ok(None) => {
                return AppError::Unauthorized.into_response_for(&path, locale, &app.i18n);
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    } else if let Some(c) = jar.get(SESSION_COOKIE) {
        match th_auth::session(&app.db, tenant.id, c.value(), now).await {
            Ok(Some(s)) => {
                second_factor_pending =
                    s.user.role.requires_second_factor() && !s.second_factor_done;
                session_token = Some(c.value().to_string());
                user = Some(s.user);
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }

    let (csrf, new_csrf) = match jar.get(CSRF_COOKIE).map(|c| c.value().to_string()) {
        Some(v) if v.len() == 64 => (v, false),
        _ => (th_auth::random_token(), true),
    };

    let tenant_host = tenant.host.clone();
    let page_path = if req.method() == axum::http::Method::GET {
        path.clone()
    } else {
        req.headers()
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))))
            .filter(|(h, _)| h.eq_ignore_ascii_case(&host))
            .map(|(_, p)| p.split(['?', '#']).next().unwrap_or("/").to_string())
            .unwrap_or_else(|| "/".to_string())
    };
    let ctx = Ctx {
        tenant,
        locale,
        user,
        second_factor_pending,
        via_token,
        session_token,
        csrf: csrf.clone(),
        i18n: app.i18n.clone(),
        path: path.clone(),
        request_id,
        origin: app.config.origin_for(tenant_host.as_deref()),
        page_path,
    };

    // CSRF: every state-changing request from a browser must carry the token, in the
    // X-CSRF-Token header or as the form field `csrf` (also inside a multipart upload). Scripts
    // (a bearer token, or a JSON request without any session cookie) are exempt: they carry no
    // ambient credentials a forged request could borrow, and JSON cannot be sent across sites
    // without a CORS preflight, which this server never grants.
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let cookieless_json =
        ctx.session_token.is_none() && content_type.starts_with("application/json");
    if changes_state && !via_token && !cookieless_json {
        let header_ok = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !new_csrf && v == csrf);
        if !header_ok {
            let multipart = content_type.starts_with("multipart/form-data");
            let limit = if multipart { MAX_UPLOAD } else { MAX_BODY };
            let (parts, body) = req.into_parts();
            let bytes = match axum::body::to_bytes(body, limit).await {
                Ok(b) => b,
                Err(_) => return refuse(&ctx, AppError::TooLarge),
            };
            let form_ok = !new_csrf
                && if multipart {
                    let needle = format!("name=\"csrf\"\r\n\r\n{csrf}\r\n");
                    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
                } else {
                    form_urlencoded::parse(&bytes).any(|(k, v)| k == "csrf" && v == csrf)
                };
            if !form_ok {
                let mut res = refuse(&ctx, AppError::Csrf);
                if new_csrf {
                    // A first visit: give the browser its token so that sending again works.
                    if let Ok(v) = HeaderValue::from_str(
                        &cookie(CSRF_COOKIE, csrf.clone(), app.config.cookie_secure, 0)
                            .encoded()
                            .to_string(),
                    ) {
                        res.headers_mut().append(header::SET_COOKIE, v);
                    }
                }
                security_headers(res.headers_mut(), is_api(&path));
                return res;
            }
            req = Request::from_parts(parts, axum::body::Body::from(bytes));
        }
    }

    let client = client_addr(&req);
    req.extensions_mut().insert(ClientAddr(client));
    req.extensions_mut().insert(ctx);
    let mut res = next.run(req).await;

    let mut jar = CookieJar::new();
    if new_csrf {
        let mut c = cookie(CSRF_COOKIE, csrf, app.config.cookie_secure, 0);
        // Scripts of this site read it to send the X-CSRF-Token header (double submit).
        c.set_http_only(false);
        jar = jar.add(c);
    }
    if let Some(l) = query_lang {
        if cookie_lang != Some(l) {
            jar = jar.add(cookie(
                LANG_COOKIE,
                l.tag().to_string(),
                app.config.cookie_secure,
                365 * 86400,
            ));
        }
    }
    for c in jar.iter() {
        if let Ok(v) = HeaderValue::from_str(&c.encoded().to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    security_headers(res.headers_mut(), is_api(&path));
    res
}

/// Refuses a request before any handler ran: a full page in the visitor's language, or a
/// problem document under `/api/`.
fn refuse(ctx: &Ctx, e: AppError) -> Response {
    if crate::error::is_json_path(&ctx.path) {
        return crate::error::problem_response(&e, &ctx.path, ctx.locale, &ctx.i18n);
    }
    let title = ctx.t(e.title_key());
    let body = maud::html! {
        h1.kern-heading-large { (title) }
        @if matches!(e, AppError::Csrf) { p { (ctx.t("error-csrf-help")) } }
        p { a.kern-link href=(ctx.path) { (ctx.t("error-back")) } }
    };
    let mut res = crate::layout::Page::new(title, body)
        .status(e.status())
        .render(ctx);
    res.extensions_mut().insert(crate::error::Rendered);
    res.extensions_mut().insert(e);
    res
}

/// A cookie with the flags every Teilhabe cookie has: HttpOnly, SameSite=Lax, path /,
/// Secure unless configured off for a loopback demo. `max_age` 0 means a session cookie.
pub fn cookie(name: &'static str, value: String, secure: bool, max_age: i64) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    if max_age > 0 {
        c.set_max_age(time::Duration::seconds(max_age));
    }
    c
}

/// A cookie that removes `name`.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), secure, 0);
    c.set_max_age(time::Duration::ZERO);
    c
}

pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'; worker-src 'self'; manifest-src 'self'";

fn security_headers(h: &mut axum::http::HeaderMap, api: bool) {
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        if !h.contains_key(k) {
            h.insert(k, HeaderValue::from_static(v));
        }
    };
    set(h, "content-security-policy", CSP);
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    set(h, "cross-origin-opener-policy", "same-origin");
    if api {
        set(h, "cache-control", "no-store");
    }
}
