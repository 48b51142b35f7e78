//! The coordination office's pages for processes: create one, and set its texts, phases,
//! moderation rule (before or after publication) and retention period.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self, Field, FormData};
use crate::layout::{date, Page};
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use th_core::{Locale, Validation};
use th_participation::process::{self, PhaseKind, ProcessInput};

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn text_locales() -> Vec<Locale> {
    Locale::ALL
        .into_iter()
        .filter(|l| *l != Locale::DeLs)
        .collect()
}

fn input_of(d: &FormData) -> ProcessInput {
    let mut p = ProcessInput {
        moderation: d.get("moderation").to_string(),
        retention_days: d.get("retention_days").trim().parse().unwrap_or(0),
        ..Default::default()
    };
    for l in text_locales() {
        let tag = l.tag();
        let t = d.get(&format!("title_{tag}"));
        if l == Locale::De || !t.trim().is_empty() {
            p.title.insert(tag.to_string(), t.to_string());
        }
        let desc = d.get(&format!("description_{tag}"));
        if !desc.trim().is_empty() {
            p.description.insert(tag.to_string(), desc.to_string());
        }
    }
    for k in PhaseKind::ALL {
        let from = d.get(&format!("phase_{}_from", k.key()));
        let to = d.get(&format!("phase_{}_to", k.key()));
        if !from.trim().is_empty() || !to.trim().is_empty() {
            p.phases
                .insert(k.key().to_string(), [from.to_string(), to.to_string()]);
        }
    }
    p
}

fn form(ctx: &Ctx, action: &str, p: &ProcessInput, v: &Validation) -> Markup {
    let retention = p.retention_days.to_string();
    let empty = String::new();
    html! {
        (forms::error_summary(ctx, v))
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            @for l in text_locales() {
                @let tag = l.tag();
                @let tid = format!("title_{tag}");
                @let did = format!("description_{tag}");
                @let t = p.title.get(tag).unwrap_or(&empty);
                @let d = p.description.get(tag).unwrap_or(&empty);
                @let inner = html! {
                    @let title_field = Field::new(&tid, ctx.t("admin-field-title-short"), t).lang(l);
                    (forms::input(ctx, if l == Locale::De { title_field } else { title_field.optional() }, v))
                    (forms::input(ctx, Field::new(&did, ctx.t("admin-field-text-short"), d).kind("textarea").lang(l).optional(), v))
                };
                @if l == Locale::De {
                    fieldset.kern-fieldset { legend.kern-label { (ctx.ta("admin-campaigns-text-in", &[("language", l.autonym().into())])) } (inner) }
                } @else {
                    details open[!t.is_empty()] { summary { (ctx.ta("admin-campaigns-text-in", &[("language", l.autonym().into())])) } (inner) }
                }
            }
            fieldset.kern-fieldset #moderation {
                legend.kern-label { (ctx.t("admin-process-moderation")) }
                @if let Some(e) = v.for_field("moderation") { p.kern-error { (ctx.t(crate::error::field_error_key(&e.code))) } }
                div.kern-fieldset__body {
                    @for (value, key) in [("after", "admin-process-moderation-after"), ("before", "admin-process-moderation-before")] {
                        div.kern-form-check {
                            input.kern-form-check__radio type="radio" name="moderation" id={ "moderation-" (value) } value=(value) checked[p.moderation == value];
                            label.kern-label for={ "moderation-" (value) } { (ctx.t(key)) }
                        }
                    }
                }
            }
            (forms::input(ctx, Field::new("retention_days", ctx.t("admin-process-retention"), &retention).kind("number").hint(ctx.t("admin-process-retention-hint")), v))
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("process-phases")) }
                p.kern-hint { (ctx.t("admin-process-phases-hint")) }
                @for k in PhaseKind::ALL {
                    @let pair = p.phases.get(k.key());
                    @let from_id = format!("phase_{}_from", k.key());
                    @let to_id = format!("phase_{}_to", k.key());
                    @let from = pair.map(|x| x[0].clone()).unwrap_or_default();
                    @let to = pair.map(|x| x[1].clone()).unwrap_or_default();
                    @let err = v.for_field(&format!("phase_{}", k.key()));
                    fieldset.kern-fieldset #{ "phase_" (k.key()) } {
                        legend.kern-label { (ctx.t(k.label_key())) }
                        @if let Some(e) = err { p.kern-error { (ctx.t(crate::error::field_error_key(&e.code))) } }
                        div.th-dates {
                            (forms::input(ctx, Field::new(&from_id, ctx.t("admin-process-from"), &from).kind("date").optional(), v))
                            (forms::input(ctx, Field::new(&to_id, ctx.t("admin-process-to"), &to).kind("date").optional(), v))
                        }
                    }
                }
            }
            (forms::submit(ctx.t("admin-save")))
        }
    }
}

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all = process::processes(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    let now = app.now();
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-processes-title")) }
        p { a.kern-link href="/verwaltung/verfahren/neu" { (ctx.t("admin-processes-new")) } }
        ul.th-list {
            @for p in &all {
                @let (t, l) = p.title_in(ctx.locale);
                li {
                    a.kern-link href={ "/verwaltung/verfahren/" (p.id) } lang=(l.html_lang()) { (t) }
                    br; (ctx.t(if p.moderation == "before" { "admin-process-moderation-before" } else { "admin-process-moderation-after" }))
                    @if let Some(end) = p.phases.iter().map(|x| x.ends_on).max() { " · " (ctx.ta("admin-process-ends", &[("date", date(&ctx, end - 1).into())])) }
                    @if matches!(p.standing(now), process::Standing::Finished) { " · " (ctx.t("process-finished")) }
                }
            }
        }
    };
    Ok(Page::new(ctx.t("admin-processes-title"), body).render(&ctx))
}

pub async fn new_form(ctx: Ctx) -> Response {
    let p = ProcessInput {
        moderation: "after".into(),
        retention_days: 730,
        ..Default::default()
    };
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-processes-new")) }
        (form(&ctx, "/verwaltung/verfahren", &p, &Validation::new()))
    };
    Page::new(ctx.t("admin-processes-new"), body).render(&ctx)
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = input_of(&FormData::parse(&body));
    match process::create_from(&app.db, ctx.tenant.id, &p, app.now()).await {
        Ok(id) => {
            app.audit(&ctx, "create_process", "process", id, "").await?;
            Ok(super::see_other(&format!("/verwaltung/verfahren/{id}")))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            let body = html! {
                h1.kern-heading-x-large { (ctx.t("admin-processes-new")) }
                (form(&ctx, "/verwaltung/verfahren", &p, &Validation { errors }))
            };
            Ok(Page::new(ctx.t("admin-processes-new"), body)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(part_err(e)),
    }
}

async fn edit_page(
    app: &AppState,
    ctx: &Ctx,
    id: i64,
    input: Option<&ProcessInput>,
    v: &Validation,
    saved: bool,
) -> Result<Page, AppError> {
    let p = process::process(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let due = th_participation::retention::due_at(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?;
    let (t, l) = p.title_in(ctx.locale);
    let current = p.input();
    let body = html! {
        p { a.kern-link href="/verwaltung/verfahren" { (ctx.t("admin-processes-title")) } " · " a.kern-link href={ "/beteiligung/" (p.id) } { (ctx.t("admin-public-page")) } " · " a.kern-link href={ "/verwaltung/beteiligung/" (p.id) "/themen" } { (ctx.t("admin-themes-title")) } }
        h1.kern-heading-x-large lang=(l.html_lang()) { (t) }
        @if saved { (forms::notice(ctx.t("admin-saved"))) }
        @if let Some(d) = due { p { (ctx.ta("admin-process-erase-on", &[("date", date(ctx, d).into())])) } }
        (form(ctx, &format!("/verwaltung/verfahren/{id}"), input.unwrap_or(&current), v))
    };
    Ok(Page::new(t.to_string(), body))
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    gespeichert: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, AppError> {
    Ok(edit_page(
        &app,
        &ctx,
        id_of(&id)?,
        None,
        &Validation::new(),
        q.gespeichert.is_some(),
    )
    .await?
    .render(&ctx))
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let p = input_of(&FormData::parse(&body));
    match process::update_from(&app.db, ctx.tenant.id, id, &p).await {
        Ok(()) => {
            app.audit(
                &ctx,
                "update_process",
                "process",
                id,
                &format!(
                    "moderation {}, retention {} days",
                    p.moderation, p.retention_days
                ),
            )
            .await?;
            Ok(super::see_other(&format!(
                "/verwaltung/verfahren/{id}?gespeichert=1"
            )))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            Ok(
                edit_page(&app, &ctx, id, Some(&p), &Validation { errors }, false)
                    .await?
                    .status(StatusCode::UNPROCESSABLE_ENTITY)
                    .render(&ctx),
            )
        }
        Err(e) => Err(part_err(e)),
    }
}
