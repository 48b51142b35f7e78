//! Contributions in public (what became of each, supports, reports) and for coordinators
//! (search, decisions with notification, moderation queue with its log).

use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::forms::{self, Field};
use crate::layout::{date, Page};
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup};
use th_core::{Locale, Role, Validation};
use th_participation::contribution::{self, Contribution, ContributionKind, Search, Status};

pub const PAGE: i64 = 20;

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn is_coordinator(ctx: &Ctx) -> bool {
    matches!(ctx.role(), Role::Coordinator | Role::Admin)
}

/// A short line about a contribution: kind, fields, status.
fn meta(ctx: &Ctx, c: &Contribution) -> Markup {
    html! {
        (ctx.t(c.kind.label_key())) " · "
        (ctx.t("org-fields")) " " (c.fields.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(", ")) " · "
        strong { (ctx.t(c.status.label_key())) }
        @if let Some(g) = &c.status_goal {
            " " a.kern-link href={ "/konzept/handlungsfeld/" (g.split('.').next().unwrap_or("")) } { (ctx.ta("contribution-into-goal", &[("goal", g.clone().into())])) }
        }
    }
}

async fn author(app: &AppState, ctx: &Ctx, c: &Contribution) -> Result<String, AppError> {
    Ok(match c.organisation_id {
        Some(o) => th_participation::get(&app.db, ctx.tenant.id, o)
            .await
            .map_err(part_err)?
            .map(|o| o.name)
            .unwrap_or_default(),
        None => c.pseudonym.clone(),
    })
}

#[derive(serde::Deserialize, Default)]
pub struct PublicQuery {
    art: Option<String>,
    feld: Option<String>,
    seite: Option<String>,
}

pub async fn public_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    let p = th_participation::process::process(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let page = q
        .seite
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|p: &i64| (1..=100_000).contains(p))
        .unwrap_or(1);
    let s = Search {
        process: Some(pid),
        kind: q.art.clone(),
        field: q.feld.as_deref().and_then(|f| f.parse().ok()),
        published_only: true,
        ..Default::default()
    };
    let (items, total) = contribution::search(&app.db, ctx.tenant.id, &s, (page - 1) * PAGE, PAGE)
        .await
        .map_err(part_err)?;
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    let (title, tl) = p.title_in(ctx.locale);
    let link = |n: i64| {
        format!(
            "/beteiligung/{pid}/beitraege?art={}&feld={}&seite={n}",
            q.art.clone().unwrap_or_default(),
            q.feld.clone().unwrap_or_default()
        )
    };
    let body = html! {
        p { a.kern-link href={ "/beteiligung/" (pid) } lang=(tl.html_lang()) { (title) } }
        h1.kern-heading-x-large { (ctx.t("contributions-title")) }
        form.th-filters method="get" action={ "/beteiligung/" (pid) "/beitraege" } role="search" aria-label=(ctx.t("contributions-filter")) {
            div.kern-form-input {
                label.kern-label for="art" { (ctx.t("contribution-kind")) }
                div.kern-form-input__select-wrapper { select.kern-form-input__select #art name="art" {
                    option value="" { (ctx.t("admin-orgs-all")) }
                    @for k in ContributionKind::ALL { option value=(k.key()) selected[q.art.as_deref() == Some(k.key())] { (ctx.t(k.label_key())) } }
                } }
            }
            div.kern-form-input {
                label.kern-label for="feld" { (ctx.t("org-fields")) }
                input.kern-form-input__input #feld name="feld" type="number" min="1" max="20" value=(q.feld.clone().unwrap_or_default());
            }
            (forms::submit(ctx.t("admin-orgs-apply")))
        }
        p role="status" { (ctx.ta("contributions-count", &[("count", total.into())])) }
        ul.th-contributions {
            @for c in &items {
                li {
                    a.kern-link href={ "/beitraege/" (c.id) } lang=(c.locale.html_lang()) dir=(if c.locale.is_rtl() { "rtl" } else { "ltr" }) { (c.title) }
                    br; (meta(&ctx, c))
                }
            }
        }
        (crate::layout::pager(&ctx, page, pages, link))
    };
    Ok(Page::new(ctx.t("contributions-title"), body).render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct NoteQuery {
    hinweis: Option<String>,
}

async fn public_page(
    app: &AppState,
    ctx: &Ctx,
    id: i64,
    v: &Validation,
    note: Option<String>,
) -> Result<Page, AppError> {
    let c = contribution::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?
        .filter(|c| c.published || is_coordinator(ctx))
        .ok_or(AppError::NotFound)?;
    let who = author(app, ctx, &c).await?;
    let supports = contribution::supports(&app.db, c.id)
        .await
        .map_err(part_err)?;
    let mine = match ctx.user_id() {
        Some(u) => contribution::supports_by(&app.db, c.id, u)
            .await
            .map_err(part_err)?,
        None => false,
    };
    let body = html! {
        p { a.kern-link href={ "/beteiligung/" (c.process_id) "/beitraege" } { (ctx.t("contributions-back")) } }
        @if let Some(n) = note { (forms::notice(n)) }
        article lang=(c.locale.html_lang()) dir=(if c.locale.is_rtl() { "rtl" } else { "ltr" }) {
            h1.kern-heading-x-large { (c.title) }
            (crate::layout::paragraphs(&c.body))
            @if c.kind == ContributionKind::GoodPractice && !(c.details.who.is_empty() && c.details.place.is_empty()) {
                p { (c.details.who) @if !c.details.place.is_empty() { " · " (c.details.place) } @if !c.details.contact.is_empty() { " · " (c.details.contact) } }
            }
        }
        p { (ctx.ta("contribution-by", &[("author", who.into())])) " · " (date(ctx, c.created_at)) }
        p { (meta(ctx, &c)) }
        @if !c.status_reason.is_empty() { p { (ctx.t("contribution-reason")) ": " (c.status_reason) } }
        h2.kern-heading-medium { (ctx.t("contribution-supports")) }
        p { (ctx.ta("contribution-supports-count", &[("count", supports.into())])) }
        @if ctx.signed_in() {
            form method="post" action={ "/beitraege/" (c.id) "/unterstuetzen" } {
                (forms::csrf(ctx))
                (forms::submit(if mine { ctx.t("contribution-unsupport") } else { ctx.t("contribution-support") }))
            }
        } @else {
            p { a.kern-link href={ "/anmelden?weiter=/beitraege/" (c.id) } { (ctx.t("contribution-support-sign-in")) } }
        }
        h2.kern-heading-medium { (ctx.t("contribution-report")) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action={ "/beitraege/" (c.id) "/melden" } novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("reason", ctx.t("contribution-report-reason"), "").kind("textarea"), v))
            button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("contribution-report-send")) } }
        }
    };
    Ok(Page::new(c.title.clone(), body))
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NoteQuery>,
) -> Result<Response, AppError> {
    let note = q.hinweis.map(|h| {
        if h == "gemeldet" {
            ctx.t("contribution-reported")
        } else {
            ctx.t("contribution-support-saved")
        }
    });
    Ok(
        public_page(&app, &ctx, id_of(&id)?, &Validation::new(), note)
            .await?
            .render(&ctx),
    )
}

#[derive(serde::Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    reason: String,
}

pub async fn report(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    Form(f): Form<ReportForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "report", &client.0, 20, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    match contribution::report(&app.db, ctx.tenant.id, id, &f.reason, now).await {
        Ok(()) => {
            th_auth::rate_record(&app.db, "report", &client.0, now).await?;
            Ok(super::see_other(&format!(
                "/beitraege/{id}?hinweis=gemeldet"
            )))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            Ok(public_page(&app, &ctx, id, &Validation { errors }, None)
                .await?
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(part_err(e)),
    }
}

pub async fn support(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    contribution::toggle_support(&app.db, ctx.tenant.id, id, user, app.now())
        .await
        .map_err(part_err)?;
    Ok(super::see_other(&format!(
        "/beitraege/{id}?hinweis=unterstuetzt"
    )))
}

// ---- coordinators ----

#[derive(serde::Deserialize, Default)]
pub struct AdminQuery {
    q: Option<String>,
    art: Option<String>,
    feld: Option<String>,
    status: Option<String>,
    orgart: Option<String>,
    kommune: Option<String>,
    sprache: Option<String>,
    seite: Option<String>,
}

fn status_options() -> [Status; 5] {
    [
        Status::Received,
        Status::UnderReview,
        Status::Taken,
        Status::Merged,
        Status::NotTaken,
    ]
}

pub async fn admin_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AdminQuery>,
) -> Result<Response, AppError> {
    let page = q
        .seite
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|p: &i64| (1..=100_000).contains(p))
        .unwrap_or(1);
    let s = Search {
        q: q.q.clone(),
        kind: q.art.clone(),
        field: q.feld.as_deref().and_then(|f| f.parse().ok()),
        status: q.status.clone(),
        org_kind: q.orgart.clone(),
        municipality: q.kommune.clone(),
        language: q.sprache.clone(),
        ..Default::default()
    };
    let (items, total) = contribution::search(&app.db, ctx.tenant.id, &s, (page - 1) * PAGE, PAGE)
        .await
        .map_err(part_err)?;
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    let (m, _) = crate::pages::orgs::reference(&app, &ctx).await?;
    let mut base = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &q.q),
        ("art", &q.art),
        ("feld", &q.feld),
        ("status", &q.status),
        ("orgart", &q.orgart),
        ("kommune", &q.kommune),
        ("sprache", &q.sprache),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            base.append_pair(k, v);
        }
    }
    let base = base.finish();
    let select = |id: &'static str,
                  label: String,
                  current: &Option<String>,
                  opts: Vec<(String, String)>| {
        html! {
            div.kern-form-input {
                label.kern-label for=(id) { (label) }
                div.kern-form-input__select-wrapper { select.kern-form-input__select id=(id) name=(id) {
                    option value="" { (ctx.t("admin-orgs-all")) }
                    @for (v, l) in opts { option value=(v) selected[current.as_deref() == Some(v.as_str())] { (l) } }
                } }
            }
        }
    };
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-contributions-title")) }
        p { a.kern-link href="/verwaltung/moderation" { (ctx.t("admin-moderation-title")) } }
        form.th-filters method="get" action="/verwaltung/beitraege" role="search" aria-label=(ctx.t("contributions-filter")) {
            div.kern-form-input {
                label.kern-label for="q" { (ctx.t("admin-contributions-words")) }
                input.kern-form-input__input #q type="search" name="q" value=(q.q.clone().unwrap_or_default());
            }
            (select("art", ctx.t("contribution-kind"), &q.art, ContributionKind::ALL.iter().map(|k| (k.key().to_string(), ctx.t(k.label_key()))).collect()))
            (select("status", ctx.t("admin-contributions-status"), &q.status, status_options().iter().map(|s| (s.key().to_string(), ctx.t(s.label_key()))).collect()))
            (select("orgart", ctx.t("org-kind"), &q.orgart, th_participation::OrgKind::ALL.iter().map(|k| (k.key().to_string(), ctx.t(k.label_key()))).collect()))
            (select("kommune", ctx.t("org-municipality"), &q.kommune, m.clone()))
            (select("sprache", ctx.t("admin-contributions-language"), &q.sprache, Locale::ALL.iter().map(|l| (l.tag().to_string(), l.autonym().to_string())).collect()))
            div.kern-form-input {
                label.kern-label for="feld" { (ctx.t("org-fields")) }
                input.kern-form-input__input #feld name="feld" type="number" min="1" max="20" value=(q.feld.clone().unwrap_or_default());
            }
            (forms::submit(ctx.t("admin-orgs-apply")))
        }
        p role="status" { (ctx.ta("contributions-count", &[("count", total.into())])) }
        (crate::layout::scroll(html! {
            table.th-table {
                caption.kern-title { (ctx.ta("admin-orgs-page", &[("page", page.into()), ("pages", pages.into())])) }
                thead { tr { th scope="col" { (ctx.t("contribution-title")) } th scope="col" { (ctx.t("contribution-kind")) } th scope="col" { (ctx.t("admin-contributions-status")) } th scope="col" { (ctx.t("versions-date")) } } }
                tbody { @for c in &items { tr {
                    td { a.kern-link href={ "/verwaltung/beitraege/" (c.id) } lang=(c.locale.html_lang()) { (c.title) } @if !c.published { " " span.th-tag { (ctx.t("admin-contributions-unpublished")) } } }
                    td { (ctx.t(c.kind.label_key())) }
                    td { (ctx.t(c.status.label_key())) @if let Some(g) = &c.status_goal { " " (g) } }
                    td { (date(&ctx, c.created_at)) }
                } } }
            }
        }))
        (crate::layout::pager(&ctx, page, pages, |n| format!("/verwaltung/beitraege?{base}&seite={n}")))
    };
    Ok(Page::new(ctx.t("admin-contributions-title"), body).render(&ctx))
}

async fn admin_page(
    app: &AppState,
    ctx: &Ctx,
    id: i64,
    v: &Validation,
    saved: bool,
) -> Result<Page, AppError> {
    let c = contribution::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let who = author(app, ctx, &c).await?;
    let log = contribution::decisions(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?;
    let users = th_auth::users(&app.db, ctx.tenant.id).await?;
    let status_err = v.for_field("status");
    let body = html! {
        p { a.kern-link href="/verwaltung/beitraege" { (ctx.t("admin-contributions-back")) } }
        @if saved { (forms::notice(ctx.t("admin-saved"))) }
        article lang=(c.locale.html_lang()) dir=(if c.locale.is_rtl() { "rtl" } else { "ltr" }) {
            h1.kern-heading-x-large { (c.title) }
            (crate::layout::paragraphs(&c.body))
        }
        p { (ctx.ta("contribution-by", &[("author", who.into())])) " · " (date(ctx, c.created_at)) " · " (c.locale.autonym()) }
        p { (meta(ctx, &c)) }
        h2.kern-heading-medium { (ctx.t("admin-contributions-decide")) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action={ "/verwaltung/beitraege/" (c.id) "/status" } novalidate {
            (forms::csrf(ctx))
            fieldset.kern-fieldset #status {
                legend.kern-label { (ctx.t("admin-contributions-status")) }
                @if let Some(e) = status_err { p.kern-error { (ctx.t(crate::error::field_error_key(&e.code))) } }
                div.kern-fieldset__body {
                    @for s in status_options() {
                        div.kern-form-check {
                            input.kern-form-check__radio type="radio" name="status" id={ "status-" (s.key()) } value=(s.key()) checked[c.status == s];
                            label.kern-label for={ "status-" (s.key()) } { (ctx.t(s.label_key())) }
                        }
                    }
                }
            }
            (forms::input(ctx, Field::new("goal", ctx.t("admin-contributions-goal"), c.status_goal.as_deref().unwrap_or("")).hint(ctx.t("admin-contributions-goal-hint")).optional(), v))
            (forms::input(ctx, Field::new("reason", ctx.t("contribution-reason"), &c.status_reason).kind("textarea").optional(), v))
            (forms::submit(ctx.t("admin-save")))
        }
        h2.kern-heading-medium { (ctx.t("admin-moderation-title")) }
        p { @if c.published { (ctx.t("admin-contributions-is-public")) } @else { (ctx.t("admin-contributions-unpublished")) } }
        form method="post" action={ "/verwaltung/beitraege/" (c.id) "/moderation" } {
            (forms::csrf(ctx))
            input type="hidden" name="publish" value=(if c.published { "0" } else { "1" });
            (forms::submit(if c.published { ctx.t("admin-contributions-hide") } else { ctx.t("admin-contributions-publish") }))
        }
        h2.kern-heading-medium { (ctx.t("admin-contributions-log")) }
        @if log.is_empty() { p { "–" } }
        ul { @for d in &log { li { (date(ctx, d.at)) " · " (d.actor.and_then(|a| users.iter().find(|u| u.id == a)).map(|u| u.display_name.clone()).unwrap_or_default()) " · " (d.decision) " · " (d.reason) } } }
    };
    Ok(Page::new(c.title.clone(), body))
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    gespeichert: Option<String>,
}

pub async fn admin_show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    Ok(admin_page(
        &app,
        &ctx,
        id_of(&id)?,
        &Validation::new(),
        q.gespeichert.is_some(),
    )
    .await?
    .render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    reason: String,
}

/// Decides a contribution's status and tells the author when they asked for it (form and API).
pub async fn decide_and_notify(
    app: &AppState,
    ctx: &Ctx,
    id: i64,
    status: &str,
    goal: &str,
    reason: &str,
) -> Result<Contribution, AppError> {
    let status = match status {
        "received" | "under_review" | "taken" | "merged" | "not_taken" => Status::parse(status),
        _ => {
            return Err(AppError::Validation(vec![th_core::FieldError {
                field: "status".into(),
                code: "required".into(),
            }]))
        }
    };
    let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let now = app.now();
    let c = contribution::decide(
        &app.db,
        ctx.tenant.id,
        id,
        contribution::Verdict {
            status,
            goal: Some(goal),
            reason,
        },
        actor,
        now,
    )
    .await
    .map_err(part_err)?;
    if !c.notify_email.is_empty() {
        let l = c.locale;
        let mut status_text = app.i18n.t(l, c.status.label_key());
        if let Some(g) = &c.status_goal {
            status_text.push(' ');
            status_text.push_str(&app.i18n.ta(
                l,
                "contribution-into-goal",
                &[("goal", g.clone().into())],
            ));
        }
        let body = app.i18n.ta(
            l,
            "mail-status-body",
            &[
                ("title", c.title.clone().into()),
                ("status", status_text.into()),
                ("link", format!("{}/beitraege/{}", ctx.origin, c.id).into()),
            ],
        );
        let mut tx = app.db.begin().await?;
        th_mail::enqueue(
            &mut tx,
            th_mail::Outgoing {
                tenant: ctx.tenant.id,
                recipient: &c.notify_email,
                subject: &app.i18n.t(l, "mail-status-subject"),
                body: &body,
                dedupe_key: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(c)
}

pub async fn admin_decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    match decide_and_notify(&app, &ctx, id, &f.status, &f.goal, &f.reason).await {
        Ok(_) => Ok(super::see_other(&format!(
            "/verwaltung/beitraege/{id}?gespeichert=1"
        ))),
        Err(AppError::Validation(errors)) => {
            Ok(admin_page(&app, &ctx, id, &Validation { errors }, false)
                .await?
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ModerateForm {
    #[serde(default)]
    publish: String,
    #[serde(default)]
    reason: String,
}

pub async fn admin_moderate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ModerateForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
    contribution::moderate(
        &app.db,
        ctx.tenant.id,
        id,
        f.publish == "1",
        &f.reason,
        actor,
        app.now(),
    )
    .await
    .map_err(part_err)?;
    Ok(super::see_other(&format!(
        "/verwaltung/beitraege/{id}?gespeichert=1"
    )))
}

pub async fn moderation_queue(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let q = contribution::queue(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    let forum = crate::pages::forum::queue_section(&app, &ctx).await?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-moderation-title")) }
        p { (ctx.ta("admin-moderation-count", &[("count", q.len().into())])) }
        ul {
            @for (c, reasons) in &q {
                li {
                    a.kern-link href={ "/verwaltung/beitraege/" (c.id) } lang=(c.locale.html_lang()) { (c.title) }
                    " · " @if c.published { (ctx.t("admin-moderation-reported")) } @else { (ctx.t("admin-contributions-unpublished")) }
                    @if !reasons.is_empty() { ul { @for r in reasons { li { (r) } } } }
                }
            }
        }
        (forum)
    };
    Ok(Page::new(ctx.t("admin-moderation-title"), body).render(&ctx))
}
