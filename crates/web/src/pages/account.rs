//! Signing up, in and out (with the second factor for coordinators and administrators),
//! password reset, and the account page: own data export, erasure, personal API tokens.

use crate::ctx::{cookie, removal, ClientAddr, Ctx, SESSION_COOKIE};
use crate::error::AppError;
use crate::forms::{self, Field};
use crate::layout::Page;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use maud::{html, Markup};
use th_auth::LinkPurpose;
use th_core::{Email, Role, Validation};

/// The version of the consent text a person agrees to when signing up.
pub const CONSENT_VERSION: &str = "privacy-2026-11";

#[derive(serde::Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    weiter: Option<String>,
}

fn login_page(
    ctx: &Ctx,
    v: &Validation,
    email: &str,
    next: Option<&str>,
    message: Option<String>,
) -> Page {
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("login-title")) }
        @if let Some(m) = message {
            div.kern-alert.kern-alert--danger role="alert" { div.kern-alert__body { p { (m) } } }
        }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action="/anmelden" novalidate {
            (forms::csrf(ctx))
            @if let Some(n) = next { input type="hidden" name="weiter" value=(n); }
            (forms::input(ctx, Field::new("email", ctx.t("field-email"), email).kind("email").autocomplete("username"), v))
            (forms::input(ctx, Field::new("password", ctx.t("field-password"), "").kind("password").autocomplete("current-password"), v))
            (forms::submit(ctx.t("login-submit")))
        }
        ul {
            li { a.kern-link href="/passwort-vergessen" { (ctx.t("login-forgot")) } }
            li { a.kern-link href="/registrieren" { (ctx.t("login-signup")) } }
        }
    };
    Page::new(ctx.t("login-title"), body)
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    weiter: Option<String>,
}

pub async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    login_page(&ctx, &Validation::new(), "", q.weiter.as_deref(), None).render(&ctx)
}

pub async fn login(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Extension(client): Extension<ClientAddr>,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let mut v = Validation::new();
    v.text("email", &f.email, 254);
    if f.password.is_empty() {
        v.add("password", "required");
    }
    if !v.is_ok() {
        return Ok(login_page(&ctx, &v, &f.email, f.weiter.as_deref(), None)
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    }
    let now = app.now();
    match th_auth::authenticate(
        &app.db,
        ctx.tenant.id,
        &f.email,
        &f.password,
        &client.0,
        now,
    )
    .await
    {
        Ok(user) => {
            let needs_2fa = user.role.requires_second_factor();
            let token = th_auth::create_session(&app.db, &user, !needs_2fa, now).await?;
            let jar = jar.add(cookie(SESSION_COOKIE, token, app.config.cookie_secure, 0));
            let to = if needs_2fa {
                match &f.weiter {
                    Some(n) => format!(
                        "/anmelden/zweiter-faktor?weiter={}",
                        form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>()
                    ),
                    None => "/anmelden/zweiter-faktor".into(),
                }
            } else {
                super::safe_next(f.weiter.as_deref())
            };
            Ok((jar, super::see_other(&to)).into_response())
        }
        Err(th_auth::AuthError::RateLimited) => Ok(login_page(
            &ctx,
            &Validation::new(),
            &f.email,
            f.weiter.as_deref(),
            Some(ctx.t("error-rate-limited")),
        )
        .status(StatusCode::TOO_MANY_REQUESTS)
        .render(&ctx)),
        Err(th_auth::AuthError::BadCredentials) => Ok(login_page(
            &ctx,
            &Validation::new(),
            &f.email,
            f.weiter.as_deref(),
            Some(ctx.t("login-failed")),
        )
        .status(StatusCode::UNAUTHORIZED)
        .render(&ctx)),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    weiter: Option<String>,
}

async fn second_factor_page(
    app: &AppState,
    ctx: &Ctx,
    v: &Validation,
    next: Option<&str>,
) -> Result<Page, AppError> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    // First sign-in of a coordinator: set up the authenticator with a new secret.
    let setup = if user.totp_enabled {
        None
    } else {
        let secret = match th_auth::totp_secret(&app.db, user.id).await? {
            Some(s) => s,
            None => {
                let s = th_auth::new_totp_secret();
                th_auth::set_totp(&app.db, user.id, &s, false).await?;
                s
            }
        };
        Some(secret)
    };
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("second-factor-title")) }
        @if let Some(secret) = &setup {
            p { (ctx.t("second-factor-setup")) }
            p { (ctx.t("second-factor-secret")) }
            p.th-secret { (secret) }
            p { (ctx.t("admin-totp-uri-label")) ": " code.th-secret { (th_auth::totp_uri(secret, &ctx.tenant.name, &user.email)) } }
        } @else {
            p { (ctx.t("second-factor-intro")) }
        }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action="/anmelden/zweiter-faktor" novalidate {
            (forms::csrf(ctx))
            @if let Some(n) = next { input type="hidden" name="weiter" value=(n); }
            (forms::input(ctx, Field::new("code", ctx.t("field-code"), "").autocomplete("one-time-code").hint(ctx.t("field-code-hint")), v))
            (forms::submit(ctx.t("second-factor-submit")))
        }
    };
    Ok(Page::new(ctx.t("second-factor-title"), body))
}

pub async fn second_factor_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if !ctx.second_factor_pending {
        return Ok(super::see_other("/"));
    }
    Ok(super::no_store(
        second_factor_page(&app, &ctx, &Validation::new(), q.weiter.as_deref())
            .await?
            .render(&ctx),
    ))
}

pub async fn second_factor(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let token = ctx.session_token.clone().ok_or(AppError::Unauthorized)?;
    if !ctx.second_factor_pending {
        return Ok(super::see_other("/"));
    }
    let now = app.now();
    let key = format!("{}:{}", ctx.tenant.id.0, user.id);
    if th_auth::rate_exceeded(&app.db, "totp", &key, 5, th_auth::RATE_WINDOW_SECS, now).await?
        || th_auth::rate_exceeded(
            &app.db,
            "login-ip",
            &client.0,
            th_auth::MAX_FAILURES_PER_IP,
            th_auth::RATE_WINDOW_SECS,
            now,
        )
        .await?
    {
        return Err(AppError::RateLimited);
    }
    let secret = th_auth::totp_secret(&app.db, user.id)
        .await?
        .unwrap_or_default();
    if !th_auth::totp_use(&app.db, user.id, &secret, &f.code, now).await? {
        th_auth::rate_record(&app.db, "totp", &key, now).await?;
        let mut v = Validation::new();
        v.add("code", "wrong_code");
        return Ok(second_factor_page(&app, &ctx, &v, f.weiter.as_deref())
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    }
    if !user.totp_enabled {
        th_auth::set_totp(&app.db, user.id, &secret, true).await?;
        let mut tx = app.db.begin().await?;
        app.db
            .audit(
                &mut tx,
                th_storage::platform::AuditEntry {
                    tenant: ctx.tenant.id,
                    actor: Some(user.id),
                    action: "enable_second_factor",
                    object_type: "user",
                    object_id: &user.id.to_string(),
                    detail: "",
                },
                now,
            )
            .await?;
        tx.commit().await?;
    }
    th_auth::mark_second_factor_done(&app.db, &token).await?;
    Ok(super::see_other(&super::safe_next(f.weiter.as_deref())))
}

pub async fn logout(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if let Some(t) = &ctx.session_token {
        th_auth::end_session(&app.db, t).await?;
    }
    Ok((
        jar.add(removal(SESSION_COOKIE, app.config.cookie_secure)),
        super::see_other("/"),
    )
        .into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    consent: Option<String>,
}

fn signup_page(ctx: &Ctx, v: &Validation, f: &SignupForm, done: bool) -> Page {
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("signup-title")) }
        @if done { (forms::notice(ctx.t("signup-check-mail"))) }
        @else {
            p { (ctx.t("signup-intro")) }
            (forms::error_summary(ctx, v))
            form.th-form method="post" action="/registrieren" novalidate {
                (forms::csrf(ctx))
                (forms::input(ctx, Field::new("email", ctx.t("field-email"), &f.email).kind("email").autocomplete("email"), v))
                (forms::input(ctx, Field::new("display_name", ctx.t("field-display-name"), &f.display_name).hint(ctx.t("field-display-name-hint")).autocomplete("nickname"), v))
                (forms::input(ctx, Field::new("password", ctx.t("field-password"), "").kind("password").hint(ctx.t("field-password-hint")).autocomplete("new-password"), v))
                (forms::checkbox(ctx, "consent", ctx.t("signup-consent"), f.consent.is_some(), v))
                p { a.kern-link href="/datenschutz" { (ctx.t("nav-privacy")) } }
                (forms::submit(ctx.t("signup-submit")))
            }
        }
    };
    Page::new(ctx.t("signup-title"), body)
}

pub async fn signup_form(ctx: Ctx) -> Response {
    signup_page(&ctx, &Validation::new(), &SignupForm::default(), false).render(&ctx)
}

pub async fn signup(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Form(f): Form<SignupForm>,
) -> Result<Response, AppError> {
    let mut v = Validation::new();
    let email = match Email::parse(&f.email) {
        Ok(e) => Some(e),
        Err(code) => {
            v.add("email", code);
            None
        }
    };
    let name = v.text("display_name", &f.display_name, 80);
    if let Err(code) = th_auth::check_password(&f.password) {
        v.add("password", code);
    }
    if f.consent.is_none() {
        v.add("consent", "consent_required");
    }
    let now = app.now();
    let (Some(email), true) = (email, v.is_ok()) else {
        return Ok(signup_page(&ctx, &v, &f, false)
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    };
    if th_auth::rate_exceeded(&app.db, "signup", &client.0, 10, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, "signup", &client.0, now).await?;
    // An address that has an account already gets a note instead, and the page says the same
    // as for a new one: nobody learns from this form who has an account.
    if let Some(existing) = th_auth::user_by_email(&app.db, ctx.tenant.id, &email).await? {
        let link = format!("{}/passwort-vergessen", ctx.origin);
        let mut tx = app.db.begin().await?;
        th_mail::enqueue(
            &mut tx,
            th_mail::Outgoing {
                tenant: ctx.tenant.id,
                recipient: &existing.email,
                subject: &app.i18n.t(existing.locale, "mail-exists-subject"),
                body: &app.i18n.ta(
                    existing.locale,
                    "mail-exists-body",
                    &[("link", link.into())],
                ),
                dedupe_key: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(signup_page(&ctx, &Validation::new(), &f, true).render(&ctx));
    }
    let mut tx = app.db.begin().await?;
    let user = th_auth::create_user(
        &mut tx,
        ctx.tenant.id,
        th_auth::NewUser {
            email: &email,
            display_name: &name,
            password: Some(&f.password),
            role: Role::Participant,
            locale: ctx.locale,
            email_confirmed: false,
        },
        now,
    )
    .await?;
    th_auth::record_consent(
        &mut tx,
        ctx.tenant.id,
        user.id,
        "privacy",
        CONSENT_VERSION,
        now,
    )
    .await?;
    tx.commit().await?;
    let token = th_auth::create_link(&app.db, &user, LinkPurpose::Confirm, 3 * 86400, now).await?;
    let link = format!("{}/registrieren/bestaetigen?token={token}", ctx.origin);
    let mut tx = app.db.begin().await?;
    th_mail::enqueue(
        &mut tx,
        th_mail::Outgoing {
            tenant: ctx.tenant.id,
            recipient: email.as_str(),
            subject: &ctx.t("mail-confirm-subject"),
            body: &ctx.ta("mail-confirm-body", &[("link", link.into())]),
            dedupe_key: Some(&format!("confirm:{}", user.id)),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(signup_page(&ctx, &Validation::new(), &f, true).render(&ctx))
}

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

pub async fn confirm(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let user = th_auth::consume_link(
        &mut tx,
        ctx.tenant.id,
        q.token.as_deref().unwrap_or(""),
        LinkPurpose::Confirm,
        now,
    )
    .await?;
    if let Some(uid) = user {
        th_auth::confirm_email(&mut tx, uid, now).await?;
    }
    tx.commit().await?;
    let (title, text) = if user.is_some() {
        (ctx.t("confirm-done-title"), ctx.t("confirm-done"))
    } else {
        (ctx.t("link-invalid-title"), ctx.t("link-invalid"))
    };
    let body = html! { h1.kern-heading-x-large { (title) } p { (text) } p { a.kern-link href="/anmelden" { (ctx.t("nav-login")) } } };
    Ok(Page::new(title, body)
        .status(if user.is_some() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        })
        .render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

fn forgot_page(ctx: &Ctx, v: &Validation, email: &str, done: bool) -> Page {
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("forgot-title")) }
        @if done { (forms::notice(ctx.t("forgot-sent"))) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action="/passwort-vergessen" novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("email", ctx.t("field-email"), email).kind("email").autocomplete("email"), v))
            (forms::submit(ctx.t("forgot-submit")))
        }
    };
    Page::new(ctx.t("forgot-title"), body)
}

pub async fn forgot_form(ctx: Ctx) -> Response {
    forgot_page(&ctx, &Validation::new(), "", false).render(&ctx)
}

pub async fn forgot(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Form(f): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let mut v = Validation::new();
    let email = match Email::parse(&f.email) {
        Ok(e) => e,
        Err(code) => {
            v.add("email", code);
            return Ok(forgot_page(&ctx, &v, &f.email, false)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx));
        }
    };
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "reset", &client.0, 10, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, "reset", &client.0, now).await?;
    // The answer is the same whether or not the address has an account.
    if let Some(user) = th_auth::user_by_email(&app.db, ctx.tenant.id, &email).await? {
        let token = th_auth::create_link(&app.db, &user, LinkPurpose::Reset, 3600, now).await?;
        let link = format!("{}/passwort-neu?token={token}", ctx.origin);
        let mut tx = app.db.begin().await?;
        th_mail::enqueue(
            &mut tx,
            th_mail::Outgoing {
                tenant: ctx.tenant.id,
                recipient: email.as_str(),
                subject: &ctx.t("mail-reset-subject"),
                body: &ctx.ta("mail-reset-body", &[("link", link.into())]),
                dedupe_key: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(forgot_page(&ctx, &Validation::new(), "", true).render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

fn reset_page(ctx: &Ctx, v: &Validation, token: &str) -> Page {
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("reset-title")) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action="/passwort-neu" novalidate {
            (forms::csrf(ctx))
            input type="hidden" name="token" value=(token);
            (forms::input(ctx, Field::new("password", ctx.t("field-new-password"), "").kind("password").hint(ctx.t("field-password-hint")).autocomplete("new-password"), v))
            (forms::submit(ctx.t("reset-submit")))
        }
    };
    Page::new(ctx.t("reset-title"), body)
}

fn link_invalid(ctx: &Ctx) -> Response {
    let body = html! { h1.kern-heading-x-large { (ctx.t("link-invalid-title")) } p { (ctx.t("link-invalid")) } };
    Page::new(ctx.t("link-invalid-title"), body)
        .status(StatusCode::BAD_REQUEST)
        .render(ctx)
}

pub async fn reset_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let token = q.token.unwrap_or_default();
    if th_auth::peek_link(
        &app.db,
        ctx.tenant.id,
        &token,
        LinkPurpose::Reset,
        app.now(),
    )
    .await?
    .is_none()
    {
        return Ok(link_invalid(&ctx));
    }
    Ok(super::no_store(
        reset_page(&ctx, &Validation::new(), &token).render(&ctx),
    ))
}

pub async fn reset(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ResetForm>,
) -> Result<Response, AppError> {
    if let Err(code) = th_auth::check_password(&f.password) {
        let mut v = Validation::new();
        v.add("password", code);
        return Ok(reset_page(&ctx, &v, &f.token)
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let Some(uid) =
        th_auth::consume_link(&mut tx, ctx.tenant.id, &f.token, LinkPurpose::Reset, now).await?
    else {
        return Ok(link_invalid(&ctx));
    };
    th_auth::set_password(&mut tx, uid, &f.password).await?;
    th_auth::void_links(&mut tx, uid, LinkPurpose::Reset, now).await?;
    th_auth::confirm_email(&mut tx, uid, now).await?;
    th_auth::end_all_sessions(&mut tx, uid).await?;
    tx.commit().await?;
    let body = html! { h1.kern-heading-x-large { (ctx.t("reset-done-title")) } p { a.kern-link href="/anmelden" { (ctx.t("nav-login")) } } };
    Ok(Page::new(ctx.t("reset-done-title"), body).render(&ctx))
}

fn role_key(r: Role) -> &'static str {
    match r {
        Role::Visitor => "role-visitor",
        Role::Participant => "role-participant",
        Role::OrgMember => "role-org-member",
        Role::Staff => "role-staff",
        Role::TeamLead => "role-team-lead",
        Role::Coordinator => "role-coordinator",
        Role::Admin => "role-admin",
    }
}

async fn account_page(
    app: &AppState,
    ctx: &Ctx,
    new_token: Option<String>,
    v: &Validation,
) -> Result<Page, AppError> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    let tokens = th_auth::api_tokens(&app.db, user.id).await?;
    let digest = crate::pages::forum::digest_section(app, ctx).await?;
    let mine = crate::pages::participation::mine_section(app, ctx).await?;
    let consents = th_auth::consents(&app.db, user.id).await?;
    let body: Markup = html! {
        h1.kern-heading-x-large { (ctx.t("account-title")) }
        p { a.kern-link href="/organisation" { (ctx.t("myorg-title")) } }
        dl {
            dt { (ctx.t("field-email")) } dd { (user.email) }
            dt { (ctx.t("field-display-name")) } dd { (user.display_name) }
            dt { (ctx.t("account-role")) } dd { (ctx.t(role_key(user.role))) }
        }
        form.th-form method="post" action="/konto/name" novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("display_name", ctx.t("account-name-change"), &user.display_name).autocomplete("nickname").hint(ctx.t("field-display-name-hint")), v))
            (forms::submit(ctx.t("admin-save")))
        }
        (mine)
        (digest)
        h2.kern-heading-medium { (ctx.t("account-consents")) }
        @if consents.is_empty() { p { (ctx.t("account-no-consents")) } }
        ul { @for c in &consents { li {
            (ctx.t(if c.kind == "privacy" { "account-consent-privacy" } else { "account-consent-other" }))
            " · " (ctx.ta("account-consent-version", &[("version", c.text_version.clone().into())]))
            " · " (crate::layout::date(ctx, c.given_at))
        } } }
        h2.kern-heading-medium { (ctx.t("account-data")) }
        p { (ctx.t("account-data-intro")) }
        p { a.kern-link href="/konto/daten.json" download="teilhabe-daten.json" { (ctx.t("account-export")) } }
        h2.kern-heading-medium { (ctx.t("account-tokens")) }
        @if let Some(t) = &new_token {
            div.kern-alert.kern-alert--success role="status" { div.kern-alert__body { p { (ctx.t("account-token-created")) } p.th-secret { (t) } } }
        }
        @if !tokens.is_empty() {
            div.th-scroll { table.th-table {
                caption.kern-title { (ctx.t("account-tokens")) }
                thead { tr { th scope="col" { (ctx.t("field-token-name")) } th scope="col" { (ctx.t("versions-date")) } th scope="col" { (ctx.t("versions-status")) } } }
                tbody {
                    @for t in &tokens {
                        tr {
                            td { (t.name) }
                            td { (crate::layout::date(ctx, t.created_at)) }
                            td {
                                @if t.revoked_at.is_some() { (ctx.t("account-token-revoked")) }
                                @else {
                                    form.th-inline-form method="post" action={ "/konto/tokens/" (t.id) "/widerrufen" } {
                                        (forms::csrf(ctx))
                                        button.kern-btn.kern-btn--secondary.kern-btn--x-small type="submit" { (ctx.t("account-token-revoke")) " " span.kern-label { (t.name) } }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
        form.th-form method="post" action="/konto/tokens" novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("name", ctx.t("field-token-name"), ""), v))
            (forms::submit(ctx.t("account-token-create")))
        }
        h2.kern-heading-medium { (ctx.t("account-erase")) }
        p { (ctx.t("account-erase-intro")) }
        form.th-form method="post" action="/konto/loeschen" novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("password", ctx.t("field-password"), "").kind("password").autocomplete("current-password"), v))
            button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("account-erase-submit")) } }
        }
    };
    Ok(Page::new(ctx.t("account-title"), body))
}

pub async fn account(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    let mut page = account_page(&app, &ctx, None, &Validation::new()).await?;
    if let Some(n) = q.text(&ctx, &["account-saved"]) {
        page = page.notice(n);
    }
    Ok(super::no_store(page.render(&ctx)))
}

/// Everything Teilhabe holds about the person (all modules contribute).
pub async fn export_value(app: &AppState, ctx: &Ctx) -> Result<serde_json::Value, AppError> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    let mut v = th_auth::export(&app.db, user).await?;
    v["changes_made"] = serde_json::to_value(app.db.audit_by_actor(ctx.tenant.id, user.id).await?)
        .unwrap_or_default();
    v["participation"] =
        th_participation::retention::export_person(&app.db, ctx.tenant.id, user.id)
            .await
            .map_err(crate::pages::orgs::part_err)?;
    v["opinion_maps"] = th_opinion::store::export_user(&app.db, ctx.tenant.id, user.id)
        .await
        .map_err(crate::pages::opinion::op_err)?;
    v["exported_at"] = th_core::rfc3339(app.now()).into();
    v["site"] = ctx.tenant.name.clone().into();
    Ok(v)
}

#[derive(serde::Deserialize, Default)]
pub struct NameForm {
    #[serde(default)]
    display_name: String,
}

/// Checks and saves a new display name; the validation problems otherwise.
pub async fn change_name(
    app: &AppState,
    ctx: &Ctx,
    name: &str,
) -> Result<Result<(), Validation>, AppError> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    let mut v = Validation::new();
    let name = v.text("display_name", name, 80);
    if !v.is_ok() {
        return Ok(Err(v));
    }
    th_auth::set_display_name(&app.db, user.id, &name).await?;
    app.audit(ctx, "change_display_name", "user", user.id, "")
        .await?;
    Ok(Ok(()))
}

pub async fn name(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NameForm>,
) -> Result<Response, AppError> {
    match change_name(&app, &ctx, &f.display_name).await? {
        Ok(()) => Ok(super::noted("/konto", "account-saved", 0, 0)),
        Err(v) => Ok(account_page(&app, &ctx, None, &v)
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx)),
    }
}

pub async fn export(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let v = export_value(&app, &ctx).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"teilhabe-daten.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string_pretty(&v).unwrap_or_default(),
    )
        .into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct EraseForm {
    #[serde(default)]
    password: String,
}

/// Erases the signed-in person's account if `password` is theirs; false otherwise.
pub async fn erase_account(app: &AppState, ctx: &Ctx, password: &str) -> Result<bool, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let now = app.now();
    if !th_auth::confirm_password(&app.db, &user, password, now).await? {
        return Ok(false);
    }
    th_participation::retention::erase_person(&app.db, &app.mailer(ctx), user.id)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    // Votes and statements stay as anonymous opinions; nothing links them to the person.
    th_opinion::store::erase_user(&app.db, ctx.tenant.id, user.id)
        .await
        .map_err(crate::pages::opinion::op_err)?;
    let mut tx = app.db.begin().await?;
    app.db
        .audit(
            &mut tx,
            th_storage::platform::AuditEntry {
                tenant: ctx.tenant.id,
                actor: Some(user.id),
                action: "erase_account",
                object_type: "user",
                object_id: &user.id.to_string(),
                detail: "",
            },
            now,
        )
        .await?;
    th_auth::erase(&mut tx, &user).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn erase(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Form(f): Form<EraseForm>,
) -> Result<Response, AppError> {
    if !erase_account(&app, &ctx, &f.password).await? {
        let mut v = Validation::new();
        v.add("password", "wrong_password");
        return Ok(account_page(&app, &ctx, None, &v)
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    }
    let body = html! { h1.kern-heading-x-large { (ctx.t("account-erased")) } p { a.kern-link href="/" { (ctx.t("nav-home")) } } };
    let mut c = ctx.clone();
    c.user = None;
    Ok((
        jar.add(removal(SESSION_COOKIE, app.config.cookie_secure)),
        Page::new(ctx.t("account-erased"), body).render(&c),
    )
        .into_response())
}

/// Records a change to the person's own API tokens in the audit log.
pub async fn audit_token(
    app: &AppState,
    ctx: &Ctx,
    action: &str,
    token_id: i64,
) -> Result<(), AppError> {
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let mut tx = app.db.begin().await?;
    app.db
        .audit(
            &mut tx,
            th_storage::platform::AuditEntry {
                tenant: ctx.tenant.id,
                actor: Some(user),
                action,
                object_type: "api_token",
                object_id: &token_id.to_string(),
                detail: "",
            },
            app.now(),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(serde::Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let mut v = Validation::new();
    let name = v.text("name", &f.name, 80);
    if !v.is_ok() {
        return Ok(account_page(&app, &ctx, None, &v)
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    }
    let (id, secret) = th_auth::create_api_token(&app.db, &user, &name, app.now()).await?;
    audit_token(&app, &ctx, "create_api_token", id).await?;
    Ok(super::no_store(
        account_page(&app, &ctx, Some(secret), &Validation::new())
            .await?
            .render(&ctx),
    ))
}

pub async fn revoke_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !th_auth::revoke_api_token(&app.db, user.id, id, app.now()).await? {
        return Err(AppError::NotFound);
    }
    audit_token(&app, &ctx, "revoke_api_token", id).await?;
    Ok(super::see_other("/konto"))
}
