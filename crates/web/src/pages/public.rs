//! Public pages: start, the concept, its fields of action, versions and their difference,
//! languages, and the pages every public body must have (with the accessibility feedback form).

use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::forms::{self, Field};
use crate::layout::{paragraphs, shown, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup};
use th_concept::{ChangeKind, Segment, Status, Version};
use th_core::{Locale, Validation};

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Draft => "status-draft",
        Status::Adopted => "status-adopted",
        Status::Superseded => "status-superseded",
    }
}

/// Drafts are for coordinators until they are adopted (public consultation on drafts is a
/// decision-path feature of its own).
pub fn sees_drafts(ctx: &Ctx) -> bool {
    matches!(
        ctx.role(),
        th_core::Role::Coordinator | th_core::Role::Admin
    )
}

/// Whether this visitor may see a version.
pub fn visible(ctx: &Ctx, v: &th_concept::VersionInfo) -> bool {
    v.status != Status::Draft || sees_drafts(ctx)
}

fn version_label(ctx: &Ctx, v: &th_concept::VersionInfo) -> String {
    format!(
        "{} {} ({})",
        ctx.t("concept-version"),
        v.number,
        ctx.t(status_key(v.status))
    )
}

pub async fn home(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let concept = app
        .concepts
        .current(&app.db, ctx.tenant.id)
        .await?
        .filter(|c| visible(&ctx, &c.info));
    let municipalities = app.db.municipalities(ctx.tenant.id).await?;
    let population: i64 = municipalities.iter().map(|m| m.population).sum();
    // The motto belongs to the demo region; another tenant's start page carries its own name.
    let heading = if ctx.tenant.demo_loaded {
        ctx.t("home-title")
    } else {
        ctx.tenant.name.clone()
    };
    let body = html! {
        h1.kern-heading-x-large { (heading) }
        @if let Some(c) = &concept {
            p.kern-body--large { (shown(&ctx, &c.title.get(ctx.locale))) }
            @if ctx.tenant.demo_loaded {
                div.th-figures {
                    div.th-figure { strong { (ctx.t("home-figure-migration")) } (ctx.t("home-figure-migration-text")) }
                    div.th-figure { strong { (ctx.t("home-figure-share")) } (ctx.t("home-figure-share-text")) }
                    div.th-figure { strong { (municipalities.len()) } (ctx.ta("home-figure-municipalities", &[("population", th_i18n::format_int(population, ctx.locale).into())])) }
                    div.th-figure { strong { (c.fields.len()) } (ctx.t("home-figure-fields")) }
                }
            }
            p { (shown(&ctx, &c.summary.get(ctx.locale))) }
            p { a.kern-btn.kern-btn--primary href="/konzept" { span.kern-label { (ctx.t("home-read-concept")) } } }
        } @else {
            p { (ctx.t("home-no-concept")) }
        }
    };
    Ok(Page::new(heading, body).render(&ctx))
}

fn field_list(ctx: &Ctx, v: &Version, link_fields: bool) -> Markup {
    html! {
        ol.th-fields {
            @for f in &v.fields {
                li {
                    h2.kern-heading-small {
                        @if link_fields {
                            a.kern-link href={ "/konzept/handlungsfeld/" (f.number) } { (f.number) ". " (shown(ctx, &f.title.get(ctx.locale))) }
                        } @else {
                            (f.number) ". " (shown(ctx, &f.title.get(ctx.locale)))
                        }
                    }
                    ul {
                        @for g in &f.goals {
                            li { (g.number) " " (shown(ctx, &g.title.get(ctx.locale))) }
                        }
                    }
                }
            }
        }
    }
}

fn concept_body(ctx: &Ctx, c: &Version, link_fields: bool) -> Markup {
    html! {
        h1.kern-heading-x-large { (shown(ctx, &c.title.get(ctx.locale))) }
        p.kern-body--muted {
            (version_label(ctx, &c.info))
            @if let Some(at) = c.info.adopted_at { " · " (ctx.t("concept-adopted-on")) " " (crate::layout::date(ctx, at)) }
        }
        p { (shown(ctx, &c.summary.get(ctx.locale))) }
        h2.kern-heading-medium { (ctx.t("concept-fields")) }
        (field_list(ctx, c, link_fields))
        p { a.kern-link href="/konzept/versionen" { (ctx.t("concept-all-versions")) } }
    }
}

pub async fn concept(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let Some(c) = app
        .concepts
        .current(&app.db, ctx.tenant.id)
        .await?
        .filter(|c| visible(&ctx, &c.info))
    else {
        return Ok(Page::new(
            ctx.t("nav-concept"),
            html! { h1 { (ctx.t("nav-concept")) } p { (ctx.t("home-no-concept")) } },
        )
        .render(&ctx));
    };
    let title = c.title.get(ctx.locale).text.to_string();
    Ok(Page::new(title, concept_body(&ctx, &c, true)).render(&ctx))
}

pub async fn field(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let number: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let c = app
        .concepts
        .current(&app.db, ctx.tenant.id)
        .await?
        .filter(|c| visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    let f = c.field_by_number(number).ok_or(AppError::NotFound)?;
    let title = format!("{}. {}", f.number, f.title.get(ctx.locale).text);
    let body = html! {
        p { a.kern-link href="/konzept" { (ctx.t("field-back")) } }
        h1.kern-heading-x-large { (f.number) ". " (shown(&ctx, &f.title.get(ctx.locale))) }
        p { (shown(&ctx, &f.description.get(ctx.locale))) }
        h2.kern-heading-medium { (ctx.t("field-goals")) }
        @for g in &f.goals {
            section.th-goal aria-labelledby={ "ziel-" (g.id) } {
                h3.kern-heading-small id={ "ziel-" (g.id) } {
                    (ctx.t("goal")) " " (g.number) ": " (shown(&ctx, &g.title.get(ctx.locale)))
                    @if g.illustrative { span.th-tag { (ctx.t("goal-illustrative")) } }
                }
                p { (shown(&ctx, &g.description.get(ctx.locale))) }
            }
        }
    };
    Ok(Page::new(title, body).render(&ctx))
}

pub async fn versions(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all: Vec<_> = th_concept::versions(&app.db, ctx.tenant.id)
        .await?
        .into_iter()
        .filter(|v| visible(&ctx, v))
        .collect();
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("versions-title")) }
        @if all.is_empty() { p { (ctx.t("home-no-concept")) } }
        @else {
            div.th-scroll { table.th-table {
                caption.kern-title { (ctx.t("versions-caption")) }
                thead { tr { th scope="col" { (ctx.t("concept-version")) } th scope="col" { (ctx.t("versions-status")) } th scope="col" { (ctx.t("versions-date")) } th scope="col" { (ctx.t("versions-compare")) } } }
                tbody {
                    @for v in &all {
                        tr {
                            td { a.kern-link href={ "/konzept/versionen/" (v.number) } { (ctx.t("concept-version")) " " (v.number) } }
                            td { (ctx.t(status_key(v.status))) }
                            td { (crate::layout::date(&ctx, v.adopted_at.unwrap_or(v.created_at))) }
                            td {
                                @if let Some(base) = v.based_on.and_then(|b| all.iter().find(|x| x.id == b)) {
                                    a.kern-link href={ "/konzept/vergleich?von=" (base.number) "&zu=" (v.number) } { (ctx.ta("versions-compare-with", &[("number", base.number.into())])) }
                                } @else { "–" }
                            }
                        }
                    }
                }
            } }
        }
    };
    Ok(Page::new(ctx.t("versions-title"), body).render(&ctx))
}

pub async fn version(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let number: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let c = app
        .concepts
        .by_number(&app.db, ctx.tenant.id, number)
        .await?
        .filter(|c| visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    let body = html! {
        (concept_body(&ctx, &c, false))
        @for f in &c.fields {
            section aria-labelledby={ "feld-" (f.number) } {
                h2.kern-heading-medium id={ "feld-" (f.number) } { (f.number) ". " (shown(&ctx, &f.title.get(ctx.locale))) }
                p { (shown(&ctx, &f.description.get(ctx.locale))) }
                @for g in &f.goals {
                    div.th-goal {
                        h3.kern-heading-small { (g.number) " " (shown(&ctx, &g.title.get(ctx.locale))) }
                        p { (shown(&ctx, &g.description.get(ctx.locale))) }
                    }
                }
            }
        }
    };
    Ok(Page::new(version_label(&ctx, &c.info), body).render(&ctx))
}

#[derive(serde::Deserialize)]
pub struct CompareQuery {
    von: Option<String>,
    zu: Option<String>,
}

pub fn segments(s: &[Segment]) -> Markup {
    html! {
        @for seg in s {
            @match seg {
                Segment::Same(t) => (t),
                Segment::Insert(t) => ins { (t) },
                Segment::Delete(t) => del { (t) },
            }
        }
    }
}

pub async fn compare(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let parse = |s: Option<String>| {
        s.and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| AppError::BadRequest(ctx.t("compare-choose")))
    };
    let (from, to) = (parse(q.von)?, parse(q.zu)?);
    let a = app
        .concepts
        .by_number(&app.db, ctx.tenant.id, from)
        .await?
        .filter(|c| visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    let b = app
        .concepts
        .by_number(&app.db, ctx.tenant.id, to)
        .await?
        .filter(|c| visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    let changes = th_concept::diff(&a, &b, ctx.locale);
    let title = ctx.ta("compare-title", &[("from", from.into()), ("to", to.into())]);
    let body = html! {
        h1.kern-heading-x-large { (title) }
        p { (ctx.t("compare-legend")) }
        @if changes.is_empty() { p { (ctx.t("compare-none")) } }
        @else {
            ul.th-diff {
                @for c in &changes {
                    li {
                        strong {
                            @match c.what { "field" => (ctx.t("compare-field")), "goal" => (ctx.t("goal")), _ => (ctx.t("compare-concept")) }
                            " " (c.number) " · "
                            @match c.kind {
                                ChangeKind::Added => (ctx.t("compare-added")),
                                ChangeKind::Removed => (ctx.t("compare-removed")),
                                ChangeKind::Changed => @if c.part == "title" { (ctx.t("compare-title-changed")) } @else { (ctx.t("compare-text-changed")) },
                            }
                        }
                        p { (segments(&c.segments)) }
                    }
                }
            }
        }
    };
    Ok(Page::new(title, body).render(&ctx))
}

pub async fn languages(ctx: Ctx) -> Response {
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("languages-title")) }
        p { (ctx.t("languages-intro")) }
        ul {
            @for l in Locale::ALL {
                li { a.kern-link href={ "/?lang=" (l.tag()) } lang=(l.html_lang()) hreflang=(l.tag()) { (l.autonym()) } }
            }
        }
    };
    Page::new(ctx.t("languages-title"), body).render(&ctx)
}

async fn site_page(
    app: &AppState,
    ctx: &Ctx,
    kind: &str,
    title_key: &str,
    extra: Markup,
) -> Result<Response, AppError> {
    let page = app.db.site_page(ctx.tenant.id, kind, ctx.locale).await?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.t(title_key)) }
        @if let Some(p) = &page {
            @if p.is_demo { p { span.th-tag { (ctx.t("site-demo-text")) } } }
            div lang=(p.locale.html_lang()) { (paragraphs(&p.body)) }
            @if p.locale != ctx.locale { p.th-fallback { (ctx.t("fallback-german")) } }
            p.kern-body--muted { (ctx.t("site-updated")) " " (crate::layout::date(ctx, p.updated_at)) }
        } @else {
            p { (ctx.t("site-page-missing")) }
        }
        (extra)
    };
    Ok(Page::new(ctx.t(title_key), body).render(ctx))
}

pub async fn impressum(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    site_page(&app, &ctx, "impressum", "nav-impressum", html! {}).await
}

pub async fn privacy(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    site_page(&app, &ctx, "privacy", "nav-privacy", html! {}).await
}

fn feedback_form(ctx: &Ctx, v: &Validation, message: &str, contact: &str, sent: bool) -> Markup {
    html! {
        h2.kern-heading-medium #rueckmeldung { (ctx.t("feedback-title")) }
        @if sent { (forms::notice(ctx.t("feedback-thanks"))) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action="/barrierefreiheit" novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("message", ctx.t("feedback-message"), message).kind("textarea"), v))
            (forms::input(ctx, Field::new("contact", ctx.t("feedback-contact"), contact).kind("email").hint(ctx.t("feedback-contact-hint")).optional().autocomplete("email"), v))
            (forms::submit(ctx.t("feedback-send")))
        }
    }
}

#[derive(serde::Deserialize)]
pub struct SentQuery {
    gesendet: Option<String>,
}

pub async fn accessibility(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    let form = feedback_form(&ctx, &Validation::new(), "", "", q.gesendet.is_some());
    site_page(&app, &ctx, "accessibility", "nav-accessibility", form).await
}

#[derive(serde::Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    contact: String,
}

/// Validates and stores accessibility feedback (shared by the form and the API).
pub async fn take_feedback(
    app: &AppState,
    ctx: &Ctx,
    client: &str,
    message: &str,
    contact: &str,
) -> Result<Result<i64, Validation>, AppError> {
    let mut v = Validation::new();
    let message = v.text("message", message, 5000);
    let contact = v.optional_text("contact", contact, 254);
    if !contact.is_empty() && th_core::Email::parse(&contact).is_err() {
        v.add("contact", "invalid_email");
    }
    if !v.is_ok() {
        return Ok(Err(v));
    }
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "feedback", client, 10, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, "feedback", client, now).await?;
    // Stored and announced to every coordinator in one transaction.
    let coordinators: Vec<th_auth::User> = th_auth::users(&app.db, ctx.tenant.id)
        .await?
        .into_iter()
        .filter(|u| {
            matches!(u.role, th_core::Role::Coordinator | th_core::Role::Admin) && u.email_confirmed
        })
        .collect();
    let mut tx = app.db.begin().await?;
    let id = app
        .db
        .add_feedback(
            &mut tx,
            ctx.tenant.id,
            "barrierefreiheit",
            &message,
            &contact,
            now,
        )
        .await?;
    for u in &coordinators {
        let body = app.i18n.ta(
            u.locale,
            "admin-mail-feedback-body",
            &[
                ("message", message.as_str().into()),
                (
                    "contact",
                    if contact.is_empty() {
                        "–"
                    } else {
                        contact.as_str()
                    }
                    .into(),
                ),
            ],
        );
        th_mail::enqueue(
            &mut tx,
            th_mail::Outgoing {
                tenant: ctx.tenant.id,
                recipient: &u.email,
                subject: &app.i18n.t(u.locale, "admin-mail-feedback-subject"),
                body: &body,
                dedupe_key: Some(&format!("feedback:{id}:{}", u.id)),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(id))
}

pub async fn feedback(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Form(f): Form<FeedbackForm>,
) -> Result<Response, AppError> {
    match take_feedback(&app, &ctx, &client.0, &f.message, &f.contact).await? {
        Ok(_) => Ok(super::see_other(
            "/barrierefreiheit?gesendet=1#rueckmeldung",
        )),
        Err(v) => {
            let form = feedback_form(&ctx, &v, &f.message, &f.contact, false);
            let mut r = site_page(&app, &ctx, "accessibility", "nav-accessibility", form).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}
