//! Coordination: the dashboard, editing a draft of the concept field by field and goal by goal
//! in every locale, its change history, adopting it, and the tenant's legal pages.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self, Field};
use crate::layout::{shown, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use maud::{html, Markup};
use th_concept::{Actor, TextEdit, Version};
use th_core::{Locale, Validation};

pub fn actor(app: &AppState, ctx: &Ctx) -> Result<Actor, AppError> {
    Ok(Actor {
        tenant: ctx.tenant.id,
        user_id: ctx.user_id().ok_or(AppError::Unauthorized)?,
        now: app.now(),
    })
}

pub async fn dashboard(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let versions = th_concept::versions(&app.db, ctx.tenant.id).await?;
    let draft = versions
        .iter()
        .find(|v| v.status == th_concept::Status::Draft);
    let feedback = app.db.feedback(ctx.tenant.id).await?;
    let outbox = th_mail::outbox(&app.db, ctx.tenant.id, 20).await?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-title")) }
        h2.kern-heading-medium { (ctx.t("admin-concept")) }
        @if let Some(d) = draft {
            p { (ctx.ta("admin-draft-open", &[("number", d.number.into())])) }
            p { a.kern-btn.kern-btn--primary href="/verwaltung/konzept/entwurf" { span.kern-label { (ctx.t("admin-draft-edit")) } } }
        } @else if let Some(base) = versions.first() {
            form method="post" action="/verwaltung/konzept/entwurf" {
                (forms::csrf(&ctx))
                input type="hidden" name="base" value=(base.id);
                (forms::submit(ctx.ta("admin-draft-create", &[("number", base.number.into())])))
            }
        } @else {
            p { (ctx.t("home-no-concept")) }
        }
        h2.kern-heading-medium { (ctx.t("admin-contributions-title")) }
        p { a.kern-link href="/verwaltung/beitraege" { (ctx.t("admin-contributions-title")) } " · " a.kern-link href="/verwaltung/moderation" { (ctx.t("admin-moderation-title")) } }
        h2.kern-heading-medium { (ctx.t("admin-campaigns-title")) }
        p { a.kern-link href="/verwaltung/kampagnen" { (ctx.t("admin-campaigns-title")) } " · " a.kern-link href="/verwaltung/kampagnen/neu" { (ctx.t("admin-campaigns-new")) } }
        p { a.kern-link href="/verwaltung/verfahren" { (ctx.t("admin-processes-title")) } " · " a.kern-link href="/verwaltung/verfahren/neu" { (ctx.t("admin-processes-new")) } }
        p { a.kern-link href="/verwaltung/meinungsbild" { (ctx.t("admin-opinion-title")) } }
        p { a.kern-link href="/verwaltung/massnahmen" { (ctx.t("admin-measures-title")) } " · " a.kern-link href="/verwaltung/szenarien" { (ctx.t("admin-scenarios-title")) } " · " a.kern-link href="/verwaltung/monitoring" { (ctx.t("admin-monitoring-title")) } }
        p { a.kern-link href="/verwaltung/veranstaltungen" { (ctx.t("admin-events-title")) } " · " a.kern-link href="/verwaltung/veranstaltungen/neu" { (ctx.t("admin-events-new")) } }
        h2.kern-heading-medium { (ctx.t("admin-orgs-title")) }
        p { a.kern-link href="/verwaltung/organisationen" { (ctx.t("admin-orgs-title")) } " · " a.kern-link href="/verwaltung/organisationen/import" { (ctx.t("admin-orgs-import")) } }
        h2.kern-heading-medium { (ctx.t("admin-pages")) }
        ul {
            li { a.kern-link href="/verwaltung/seiten/impressum" { (ctx.t("nav-impressum")) } }
            li { a.kern-link href="/verwaltung/seiten/privacy" { (ctx.t("nav-privacy")) } }
            li { a.kern-link href="/verwaltung/seiten/accessibility" { (ctx.t("nav-accessibility")) } }
        }
        h2.kern-heading-medium { (ctx.t("admin-feedback")) }
        @if feedback.is_empty() { p { (ctx.t("admin-feedback-none")) } }
        ul { @for f in &feedback { li { (crate::layout::date(&ctx, f.created_at)) " · " (f.message) @if !f.contact.is_empty() { " · " (f.contact) } } } }
        h2.kern-heading-medium { (ctx.t("admin-outbox")) }
        @if outbox.is_empty() { p { (ctx.t("admin-outbox-none")) } }
        @else {
            div.th-scroll { table.th-table {
                caption.kern-title { (ctx.t("admin-outbox-caption")) }
                thead { tr { th scope="col" { (ctx.t("field-email")) } th scope="col" { (ctx.t("admin-outbox-subject")) } th scope="col" { (ctx.t("versions-status")) } } }
                tbody { @for m in &outbox { tr { td { (m.recipient) } td { (m.subject) } td { (ctx.t(outbox_status_key(&m.status))) @if let Some(e) = &m.last_error { " · " (e) } } } } }
            } }
        }
    };
    Ok(Page::new(ctx.t("admin-title"), body).render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct BaseForm {
    #[serde(default)]
    base: String,
}

pub async fn create_draft(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<BaseForm>,
) -> Result<Response, AppError> {
    let base: i64 = f
        .base
        .parse()
        .map_err(|_| AppError::BadRequest("base".into()))?;
    th_concept::new_draft(&app.db, actor(&app, &ctx)?, base).await?;
    Ok(super::see_other("/verwaltung/konzept/entwurf"))
}

async fn load_draft(app: &AppState, ctx: &Ctx) -> Result<Version, AppError> {
    let d = th_concept::draft(&app.db, ctx.tenant.id)
        .await?
        .ok_or(AppError::NotFound)?;
    th_concept::load(&app.db, ctx.tenant.id, d.id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn draft(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(draft_page(&app, &ctx, None).await?.render(&ctx))
}

/// The draft overview; `goal_error` names the field of action whose new-goal form came back
/// with an error.
async fn draft_page(
    app: &AppState,
    ctx: &Ctx,
    goal_error: Option<(i64, Validation)>,
) -> Result<Page, AppError> {
    let (app, ctx) = (app.clone(), ctx.clone());
    let v = load_draft(&app, &ctx).await?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.ta("admin-draft-title", &[("number", v.info.number.into())])) }
        div.th-actions {
            a.kern-link href="/verwaltung/konzept/entwurf/text" { (ctx.t("admin-edit-concept-text")) }
            a.kern-link href="/verwaltung/konzept/entwurf/verlauf" { (ctx.t("admin-history")) }
            @if let Some(base) = v.info.based_on {
                @if let Ok(Some(b)) = th_concept::load(&app.db, ctx.tenant.id, base).await {
                    a.kern-link href={ "/konzept/vergleich?von=" (b.info.number) "&zu=" (v.info.number) } { (ctx.t("admin-compare-base")) }
                }
            }
        }
        @for f in &v.fields {
            section aria-labelledby={ "feld-" (f.id) } {
                h2.kern-heading-medium id={ "feld-" (f.id) } { (f.number) ". " (shown(&ctx, &f.title.get(ctx.locale))) }
                p { a.kern-link href={ "/verwaltung/konzept/entwurf/handlungsfeld/" (f.id) } { (ctx.t("admin-edit-field")) " " span.kern-label { (f.number) } } }
                ul {
                    @for g in &f.goals {
                        li {
                            a.kern-link href={ "/verwaltung/konzept/entwurf/ziel/" (g.id) } { (g.number) " " (shown(&ctx, &g.title.get(ctx.locale))) }
                        }
                    }
                }
                form.th-form method="post" action={ "/verwaltung/konzept/entwurf/handlungsfeld/" (f.id) "/ziel" } novalidate {
                    (forms::csrf(&ctx))
                    (forms::input(&ctx, Field::new("title", ctx.ta("admin-new-goal", &[("field", f.number.into())]), "").id(format!("title-{}", f.id)), &goal_error.as_ref().filter(|(fid, _)| *fid == f.id).map(|(_, v)| v.clone()).unwrap_or_default()))
                    (forms::submit(ctx.t("admin-add-goal")))
                }
            }
        }
        h2.kern-heading-medium { (ctx.t("admin-adopt")) }
        p { (ctx.t("admin-adopt-intro")) }
        form method="post" action="/verwaltung/konzept/entwurf/beschliessen" {
            (forms::csrf(&ctx))
            (forms::submit(ctx.t("admin-adopt-submit")))
        }
    };
    Ok(Page::new(
        ctx.ta("admin-draft-title", &[("number", v.info.number.into())]),
        body,
    ))
}

fn locale_of(q: &Option<String>) -> Locale {
    q.as_deref().and_then(Locale::parse).unwrap_or(Locale::De)
}

fn locale_tabs(ctx: &Ctx, base: &str, current: Locale) -> Markup {
    html! {
        nav aria-label=(ctx.t("admin-edit-language")) {
            ul.th-actions {
                @for l in Locale::ALL {
                    li { a.kern-link href={ (base) "?sprache=" (l.tag()) } aria-current=[(l == current).then_some("page")] lang=(l.html_lang()) { (l.autonym()) } }
                }
            }
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct TextForm {
    #[serde(default)]
    sprache: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

/// What a text form edits: one title and description in one locale.
struct TextView<'a> {
    action: &'a str,
    heading: String,
    locale: Locale,
    title: &'a str,
    desc: &'a str,
}

fn text_form(ctx: &Ctx, t: TextView<'_>, v: &Validation, saved: bool) -> Page {
    let TextView {
        action,
        heading,
        locale,
        title,
        desc,
    } = t;
    let body = html! {
        p { a.kern-link href="/verwaltung/konzept/entwurf" { (ctx.t("admin-back-to-draft")) } }
        h1.kern-heading-x-large { (heading) }
        (locale_tabs(ctx, action, locale))
        @if saved { (forms::notice(ctx.t("admin-saved"))) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            input type="hidden" name="sprache" value=(locale.tag());
            @let title_field = Field::new("title", ctx.ta("admin-field-title", &[("language", locale.autonym().into())]), title).lang(locale);
            (forms::input(ctx, if locale == Locale::De { title_field } else { title_field.optional() }, v))
            (forms::input(ctx, Field::new("description", ctx.ta("admin-field-description", &[("language", locale.autonym().into())]), desc).lang(locale).kind("textarea").optional(), v))
            (forms::submit(ctx.t("admin-save")))
        }
    };
    Page::new(heading, body)
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    sprache: Option<String>,
    gespeichert: Option<String>,
}

pub async fn concept_text_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let l = locale_of(&q.sprache);
    let heading = ctx.t("admin-edit-concept-text");
    let p = text_form(
        &ctx,
        TextView {
            action: "/verwaltung/konzept/entwurf/text",
            heading: heading.clone(),
            locale: l,
            title: v.title.0.get(&l).map(String::as_str).unwrap_or(""),
            desc: v.summary.0.get(&l).map(String::as_str).unwrap_or(""),
        },
        &Validation::new(),
        q.gespeichert.is_some(),
    );
    Ok(p.render(&ctx))
}

fn edit_of(f: &TextForm) -> Result<TextEdit<'_>, AppError> {
    let locale = Locale::parse(&f.sprache).ok_or_else(|| AppError::BadRequest("sprache".into()))?;
    Ok(TextEdit {
        locale,
        title: &f.title,
        description: &f.description,
    })
}

fn invalid_form(
    ctx: &Ctx,
    action: &str,
    heading: String,
    f: &TextForm,
    e: AppError,
) -> Result<Response, AppError> {
    match e {
        AppError::Validation(errs) => {
            let v = Validation { errors: errs };
            let l = locale_of(&Some(f.sprache.clone()));
            let p = text_form(
                ctx,
                TextView {
                    action,
                    heading: heading.clone(),
                    locale: l,
                    title: &f.title,
                    desc: &f.description,
                },
                &v,
                false,
            );
            Ok(p.status(StatusCode::UNPROCESSABLE_ENTITY).render(ctx))
        }
        other => Err(other),
    }
}

pub async fn concept_text_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TextForm>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let e = edit_of(&f)?;
    let action = "/verwaltung/konzept/entwurf/text";
    match th_concept::edit_version_texts(&app.db, actor(&app, &ctx)?, v.info.id, e).await {
        Ok(()) => Ok(super::see_other(&format!(
            "{action}?sprache={}&gespeichert=1",
            f.sprache
        ))),
        Err(e) => invalid_form(&ctx, action, ctx.t("admin-edit-concept-text"), &f, e.into()),
    }
}

fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub async fn field_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let id = parse_id(&id)?;
    let f = v
        .fields
        .iter()
        .find(|f| f.id == id)
        .ok_or(AppError::NotFound)?;
    let l = locale_of(&q.sprache);
    let heading = ctx.ta("admin-edit-field-title", &[("number", f.number.into())]);
    let p = text_form(
        &ctx,
        TextView {
            action: &format!("/verwaltung/konzept/entwurf/handlungsfeld/{id}"),
            heading: heading.clone(),
            locale: l,
            title: f.title.0.get(&l).map(String::as_str).unwrap_or(""),
            desc: f.description.0.get(&l).map(String::as_str).unwrap_or(""),
        },
        &Validation::new(),
        q.gespeichert.is_some(),
    );
    Ok(p.render(&ctx))
}

pub async fn field_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<TextForm>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let id = parse_id(&id)?;
    let e = edit_of(&f)?;
    let action = format!("/verwaltung/konzept/entwurf/handlungsfeld/{id}");
    match th_concept::edit_field(&app.db, actor(&app, &ctx)?, v.info.id, id, e).await {
        Ok(()) => Ok(super::see_other(&format!(
            "{action}?sprache={}&gespeichert=1",
            f.sprache
        ))),
        Err(e) => invalid_form(&ctx, &action, ctx.t("admin-edit-field"), &f, e.into()),
    }
}

pub async fn goal_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let id = parse_id(&id)?;
    let (_, g) = v.goal(id).ok_or(AppError::NotFound)?;
    let l = locale_of(&q.sprache);
    let heading = ctx.ta(
        "admin-edit-goal-title",
        &[("number", g.number.clone().into())],
    );
    let action = format!("/verwaltung/konzept/entwurf/ziel/{id}");
    let mut p = text_form(
        &ctx,
        TextView {
            action: &action,
            heading: heading.clone(),
            locale: l,
            title: g.title.0.get(&l).map(String::as_str).unwrap_or(""),
            desc: g.description.0.get(&l).map(String::as_str).unwrap_or(""),
        },
        &Validation::new(),
        q.gespeichert.is_some(),
    );
    let remove = html! {
        h2.kern-heading-medium { (ctx.t("admin-remove-goal")) }
        p { (ctx.t("admin-remove-goal-intro")) }
        form method="post" action={ (action) "/entfernen" } {
            (forms::csrf(&ctx))
            button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("admin-remove-goal")) } }
        }
    };
    p.body = html! { (p.body) (remove) };
    Ok(p.render(&ctx))
}

pub async fn goal_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<TextForm>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let id = parse_id(&id)?;
    let e = edit_of(&f)?;
    let action = format!("/verwaltung/konzept/entwurf/ziel/{id}");
    match th_concept::edit_goal(&app.db, actor(&app, &ctx)?, v.info.id, id, e).await {
        Ok(()) => Ok(super::see_other(&format!(
            "{action}?sprache={}&gespeichert=1",
            f.sprache
        ))),
        Err(e) => invalid_form(&ctx, &action, ctx.t("admin-edit-goal"), &f, e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct NewGoalForm {
    #[serde(default)]
    title: String,
}

pub async fn goal_add(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<NewGoalForm>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let id = parse_id(&id)?;
    match th_concept::add_goal(&app.db, actor(&app, &ctx)?, v.info.id, id, &f.title, "").await {
        Ok(_) => Ok(super::see_other("/verwaltung/konzept/entwurf")),
        Err(th_concept::ConceptError::Invalid(mut v)) => {
            for e in &mut v.errors {
                e.field = format!("{}-{id}", e.field);
            }
            // The error belongs to this field's form (its input has the id "title-<field>").
            Ok(draft_page(&app, &ctx, Some((id, v)))
                .await?
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn goal_remove(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    th_concept::remove_goal(&app.db, actor(&app, &ctx)?, v.info.id, parse_id(&id)?).await?;
    Ok(super::see_other("/verwaltung/konzept/entwurf"))
}

pub async fn adopt(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    th_concept::adopt(&app.db, actor(&app, &ctx)?, v.info.id).await?;
    Ok(super::see_other("/konzept"))
}

fn history_key(action: &str) -> &'static str {
    match action {
        "create_draft" => "admin-history-create-draft",
        "edit_concept_text" => "admin-history-edit-concept-text",
        "edit_field" => "admin-history-edit-field",
        "edit_goal" => "admin-history-edit-goal",
        "add_goal" => "admin-history-add-goal",
        "remove_goal" => "admin-history-remove-goal",
        "adopt" => "admin-history-adopt",
        _ => "admin-history-other",
    }
}

fn outbox_status_key(status: &str) -> &'static str {
    match status {
        "pending" => "admin-outbox-pending",
        "sending" => "admin-outbox-sending",
        "sent" => "admin-outbox-sent",
        _ => "admin-outbox-failed",
    }
}

pub async fn history(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let v = load_draft(&app, &ctx).await?;
    let entries = th_concept::history(&app.db, ctx.tenant.id, v.info.id).await?;
    let users = th_auth::users(&app.db, ctx.tenant.id).await?;
    let body = html! {
        p { a.kern-link href="/verwaltung/konzept/entwurf" { (ctx.t("admin-back-to-draft")) } }
        h1.kern-heading-x-large { (ctx.t("admin-history")) }
        @if entries.is_empty() { p { (ctx.t("admin-history-none")) } }
        @else {
            div.th-scroll { table.th-table {
                caption.kern-title { (ctx.t("admin-history-caption")) }
                thead { tr { th scope="col" { (ctx.t("versions-date")) } th scope="col" { (ctx.t("admin-history-who")) } th scope="col" { (ctx.t("admin-history-what")) } } }
                tbody {
                    @for e in &entries {
                        tr {
                            td { (crate::layout::date(&ctx, e.at)) " " (th_core::rfc3339(e.at).get(11..16).unwrap_or("")) }
                            td { (e.actor.and_then(|a| users.iter().find(|u| u.id == a)).map(|u| u.display_name.clone()).unwrap_or_default()) }
                            td { (ctx.t(history_key(&e.action))) @if !e.detail.is_empty() { " " (e.detail) } }
                        }
                    }
                }
            } }
        }
    };
    Ok(Page::new(ctx.t("admin-history"), body).render(&ctx))
}

fn page_kind(kind: &str) -> Result<(&'static str, &'static str), AppError> {
    match kind {
        "impressum" => Ok(("impressum", "nav-impressum")),
        "privacy" => Ok(("privacy", "nav-privacy")),
        "accessibility" => Ok(("accessibility", "nav-accessibility")),
        _ => Err(AppError::NotFound),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct PageForm {
    #[serde(default)]
    sprache: String,
    #[serde(default)]
    body: String,
}

fn site_page_edit(
    ctx: &Ctx,
    kind: &str,
    title_key: &str,
    l: Locale,
    text: &str,
    v: &Validation,
    saved: bool,
) -> Page {
    let action = format!("/verwaltung/seiten/{kind}");
    let body = html! {
        h1.kern-heading-x-large { (ctx.t(title_key)) }
        (locale_tabs(ctx, &action, l))
        @if saved { (forms::notice(ctx.t("admin-saved"))) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            input type="hidden" name="sprache" value=(l.tag());
            (forms::input(ctx, Field::new("body", ctx.ta("admin-field-description", &[("language", l.autonym().into())]), text).lang(l).kind("textarea"), v))
            (forms::submit(ctx.t("admin-save")))
        }
    };
    Page::new(ctx.t(title_key), body)
}

pub async fn site_page_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let (kind, key) = page_kind(&kind)?;
    let l = locale_of(&q.sprache);
    let page = app
        .db
        .site_page(ctx.tenant.id, kind, l)
        .await?
        .filter(|p| p.locale == l);
    Ok(site_page_edit(
        &ctx,
        kind,
        key,
        l,
        page.as_ref().map(|p| p.body.as_str()).unwrap_or(""),
        &Validation::new(),
        q.gespeichert.is_some(),
    )
    .render(&ctx))
}

pub async fn site_page_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Form(f): Form<PageForm>,
) -> Result<Response, AppError> {
    let (kind, key) = page_kind(&kind)?;
    let l = Locale::parse(&f.sprache).ok_or_else(|| AppError::BadRequest("sprache".into()))?;
    let mut v = Validation::new();
    let text = v.text("body", &f.body, 20_000);
    if !v.is_ok() {
        return Ok(site_page_edit(&ctx, kind, key, l, &f.body, &v, false)
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    }
    save_site_page(&app, &ctx, kind, l, &text).await?;
    Ok(super::see_other(&format!(
        "/verwaltung/seiten/{kind}?sprache={}&gespeichert=1",
        l.tag()
    )))
}

/// Stores a site page's text in one locale and records who changed it.
pub async fn save_site_page(
    app: &AppState,
    ctx: &Ctx,
    kind: &str,
    l: Locale,
    text: &str,
) -> Result<(), AppError> {
    let a = actor(app, ctx)?;
    let mut tx = app.db.begin().await?;
    app.db
        .put_site_page(
            &mut tx,
            ctx.tenant.id,
            th_storage::platform::NewSitePage {
                kind,
                locale: l,
                body: text,
                is_demo: false,
            },
            a.now,
        )
        .await?;
    app.db
        .audit(
            &mut tx,
            th_storage::platform::AuditEntry {
                tenant: ctx.tenant.id,
                actor: Some(a.user_id),
                action: "edit_site_page",
                object_type: "site_page",
                object_id: kind,
                detail: l.tag(),
            },
            a.now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
