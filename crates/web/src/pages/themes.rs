//! Theme finding for coordinators: run it over a process's contributions, then accept, rename,
//! map to a field of action, merge and split the proposed themes; contributions not yet in an
//! accepted theme show the field suggested from the ones already assigned.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self, Field, FormData};
use crate::layout::Page;
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::html;
use std::collections::{HashMap, HashSet};
use th_core::{FieldError, Validation};
use th_participation::contribution::{self, Contribution, Search};
use th_themes::store::{self, Change, Error};
use th_themes::text::Doc;

pub(crate) fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub(crate) fn theme_err(e: Error) -> AppError {
    match e {
        Error::NotFound => AppError::NotFound,
        Error::Invalid(code) => {
            let (field, code) = match code {
                "name-missing" => ("name", "required"),
                "name-too-long" => ("name", "too-long"),
                "field-unknown" => ("field", "invalid"),
                other => ("", other),
            };
            AppError::Validation(vec![FieldError {
                field: field.into(),
                code: code.into(),
            }])
        }
        e => AppError::Internal(e.to_string()),
    }
}

/// Every contribution of a process (all states: coordinators see them all).
pub(crate) async fn contributions(
    app: &AppState,
    ctx: &Ctx,
    process: i64,
) -> Result<Vec<Contribution>, AppError> {
    th_participation::process::process(&app.db, ctx.tenant.id, process)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let s = Search {
        process: Some(process),
        ..Default::default()
    };
    Ok(
        contribution::search(&app.db, ctx.tenant.id, &s, 0, 1_000_000)
            .await
            .map_err(part_err)?
            .0,
    )
}

pub(crate) fn doc(c: &Contribution) -> Doc {
    Doc {
        id: c.id,
        locale: c.locale,
        text: format!("{}. {}", c.title, c.body),
    }
}

pub(crate) async fn field_numbers(app: &AppState, ctx: &Ctx) -> Result<Vec<i64>, AppError> {
    Ok(crate::pages::participation::valid_fields(app, ctx)
        .await?
        .into_iter()
        .map(|f| f.0)
        .collect())
}

/// Suggested fields for the contributions of `all` that are in no accepted theme, learnt from
/// those coordinators assigned (in any process of the tenant).
pub(crate) async fn suggestions(
    app: &AppState,
    ctx: &Ctx,
    all: &[Contribution],
    fields: &[i64],
    skip_assigned: bool,
) -> Result<Vec<(i64, u8, f64)>, AppError> {
    let assigned = store::assigned(&app.db, ctx.tenant.id)
        .await
        .map_err(theme_err)?;
    if assigned.is_empty() {
        return Ok(Vec::new());
    }
    let label: HashMap<i64, u8> = assigned.iter().copied().collect();
    let mut examples = Vec::new();
    for (id, f) in &assigned {
        let c = match all.iter().find(|c| c.id == *id) {
            Some(c) => Some(c.clone()),
            None => contribution::get(&app.db, ctx.tenant.id, *id)
                .await
                .map_err(part_err)?,
        };
        if let Some(c) = c {
            examples.push((doc(&c), *f));
        }
    }
    let fs: Vec<u8> = fields
        .iter()
        .filter_map(|f| u8::try_from(*f).ok())
        .collect();
    let lex = th_themes::text::Lexicon::shipped();
    let analysed: Vec<(th_themes::text::Analysed, u8)> = examples
        .iter()
        .map(|(d, f)| (th_themes::text::analyse(lex, d), *f))
        .collect();
    let pairs: Vec<(&th_themes::text::Analysed, u8)> =
        analysed.iter().map(|(a, f)| (a, *f)).collect();
    let model = th_themes::model::FieldModel::train(&pairs, &fs);
    Ok(all
        .iter()
        .filter(|c| !skip_assigned || !label.contains_key(&c.id))
        .filter_map(|c| {
            model
                .suggest(&th_themes::text::analyse(lex, &doc(c)))
                .map(|(f, p)| (c.id, f, p))
        })
        .collect())
}

#[derive(serde::Deserialize, Default)]
pub struct NoteQ {
    hinweis: Option<String>,
    a: Option<i64>,
}

pub async fn page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NoteQ>,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    let all = contributions(&app, &ctx, pid).await?;
    let themes = store::list(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(theme_err)?;
    let fields = crate::pages::participation::valid_fields(&app, &ctx).await?;
    let field_numbers: Vec<i64> = fields.iter().map(|f| f.0).collect();
    let by_id: HashMap<i64, &Contribution> = all.iter().map(|c| (c.id, c)).collect();
    let in_accepted: HashSet<i64> = themes
        .iter()
        .filter(|t| t.accepted)
        .flat_map(|t| t.members.iter().copied())
        .collect();
    let sugg = suggestions(&app, &ctx, &all, &field_numbers, true).await?;
    let field_name = |n: i64| {
        fields
            .iter()
            .find(|f| f.0 == n)
            .map(|f| format!("{}. {}", f.0, f.1))
            .unwrap_or_else(|| n.to_string())
    };
    let note = match q.hinweis.as_deref() {
        Some("gefunden") => {
            Some(ctx.ta("admin-themes-found", &[("count", q.a.unwrap_or(0).into())]))
        }
        Some("gespeichert") => Some(ctx.t("admin-themes-saved")),
        Some("zusammengefuehrt") => Some(ctx.t("admin-themes-merged")),
        Some("geteilt") => Some(ctx.t("admin-themes-split-done")),
        _ => None,
    };
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("admin-themes-no-field")))
            .chain(
                fields
                    .iter()
                    .map(|f| (f.0.to_string(), format!("{}. {}", f.0, f.1))),
            )
            .collect();
    let body = html! {
        p { a.kern-link href={ "/verwaltung/verfahren/" (pid) } { (ctx.t("admin-themes-back")) } }
        h1.kern-heading-x-large { (ctx.t("admin-themes-title")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { (ctx.ta("admin-themes-intro", &[("count", (all.len() as i64).into())])) }
        form.th-form method="post" action={ "/verwaltung/beteiligung/" (pid) "/themen" } {
            (forms::csrf(&ctx))
            (forms::submit(ctx.t("admin-themes-run")))
        }
        @if themes.is_empty() { p { (ctx.t("admin-themes-none")) } }
        @for t in &themes {
            section.th-theme aria-labelledby={ "thema-" (t.id) } {
                h2.kern-heading-medium id={ "thema-" (t.id) } { (t.name) }
                p {
                    (ctx.ta("admin-themes-members", &[("count", (t.members.len() as i64).into())]))
                    " · " (ctx.t(if t.accepted { "admin-themes-accepted" } else { "admin-themes-proposed" }))
                    @if let Some(f) = t.field { " · " (field_name(f)) }
                }
                p { strong { (ctx.t("admin-themes-words")) } " " (t.words.join(", ")) }
                p { strong { (ctx.t("admin-themes-examples")) } }
                ul.th-list {
                    @for m in t.members.iter().take(3) {
                        @if let Some(c) = by_id.get(m) {
                            li { a.kern-link href={ "/verwaltung/beitraege/" (c.id) } lang=(c.locale.html_lang()) { (c.title) } }
                        }
                    }
                }
                details {
                    summary { (ctx.ta("admin-themes-edit", &[("name", t.name.clone().into())])) }
                    form.th-form method="post" action={ "/verwaltung/themen/" (t.id) } novalidate {
                        (forms::csrf(&ctx))
                        (forms::input(&ctx, Field::new("name", ctx.t("admin-themes-name"), &t.name).id(format!("name-{}", t.id)), &Validation::new()))
                        (forms::select(&ctx, "field", ctx.t("admin-themes-field"), &options, &t.field.map(|f| f.to_string()).unwrap_or_default(), &Validation::new()))
                        (forms::checkbox(&ctx, "accepted", ctx.t("admin-themes-accept"), t.accepted, &Validation::new()))
                        (forms::submit(ctx.t("admin-themes-save")))
                    }
                    @let others: Vec<(String, String)> = themes.iter().filter(|o| o.id != t.id).map(|o| (o.id.to_string(), o.name.clone())).collect();
                    @if !others.is_empty() {
                        form.th-form method="post" action={ "/verwaltung/themen/" (t.id) "/zusammenfuehren" } {
                            (forms::csrf(&ctx))
                            (forms::select(&ctx, "from", ctx.t("admin-themes-merge-from"), &others, "", &Validation::new()))
                            (forms::submit(ctx.t("admin-themes-merge")))
                        }
                    }
                    @if t.members.len() >= 2 {
                        form.th-form method="post" action={ "/verwaltung/themen/" (t.id) "/teilen" } {
                            (forms::csrf(&ctx))
                            (forms::submit(ctx.t("admin-themes-split")))
                        }
                    }
                }
            }
        }
        @let open: Vec<&(i64, u8, f64)> = sugg.iter().filter(|s| !in_accepted.contains(&s.0)).collect();
        @if !open.is_empty() {
            h2.kern-heading-medium { (ctx.t("admin-themes-suggestions")) }
            p { (ctx.t("admin-themes-suggestions-intro")) }
            ul.th-list {
                @for (cid, f, p) in open.iter().take(50).map(|s| **s) {
                    @if let Some(c) = by_id.get(&cid) {
                        li {
                            a.kern-link href={ "/verwaltung/beitraege/" (c.id) } lang=(c.locale.html_lang()) { (c.title) }
                            " → " (field_name(i64::from(f))) " (" (ctx.ta("admin-themes-probability", &[("percent", ((p * 100.0).round() as i64).into())])) ")"
                        }
                    }
                }
            }
        }
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-themes-title"), body).render(&ctx),
    ))
}

pub async fn run(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    let n = run_for(&app, &ctx, pid).await?;
    Ok(super::noted(
        &format!("/verwaltung/beteiligung/{pid}/themen"),
        "gefunden",
        n as i64,
        0,
    ))
}

pub(crate) async fn run_for(app: &AppState, ctx: &Ctx, pid: i64) -> Result<usize, AppError> {
    let all = contributions(app, ctx, pid).await?;
    let docs: Vec<Doc> = all.iter().map(doc).collect();
    let fields: Vec<u8> = field_numbers(app, ctx)
        .await?
        .into_iter()
        .filter_map(|f| u8::try_from(f).ok())
        .collect();
    store::run(&app.db, ctx.tenant.id, pid, &docs, &fields, app.now())
        .await
        .map_err(theme_err)
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let tid = id_of(&id)?;
    let d = FormData::parse(&body);
    let t = store::get(&app.db, ctx.tenant.id, tid)
        .await
        .map_err(theme_err)?;
    let field = match d.get("field") {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::BadRequest("field".into()))?,
        ),
    };
    let c = Change {
        name: Some(d.get("name").to_string()),
        field: Some(field),
        accepted: Some(d.has("accepted")),
    };
    store::update(
        &app.db,
        ctx.tenant.id,
        tid,
        &c,
        &field_numbers(&app, &ctx).await?,
        app.now(),
    )
    .await
    .map_err(theme_err)?;
    Ok(super::see_other(&format!(
        "/verwaltung/beteiligung/{}/themen?hinweis=gespeichert#thema-{tid}",
        t.process_id
    )))
}

pub async fn merge(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let tid = id_of(&id)?;
    let d = FormData::parse(&body);
    let from = id_of(d.get("from"))?;
    let t = store::get(&app.db, ctx.tenant.id, tid)
        .await
        .map_err(theme_err)?;
    store::merge(&app.db, ctx.tenant.id, tid, from, app.now())
        .await
        .map_err(theme_err)?;
    Ok(super::see_other(&format!(
        "/verwaltung/beteiligung/{}/themen?hinweis=zusammengefuehrt#thema-{tid}",
        t.process_id
    )))
}

pub async fn split(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let tid = id_of(&id)?;
    let t = store::get(&app.db, ctx.tenant.id, tid)
        .await
        .map_err(theme_err)?;
    let all = contributions(&app, &ctx, t.process_id).await?;
    let docs: Vec<Doc> = all.iter().map(doc).collect();
    store::split(&app.db, ctx.tenant.id, tid, &docs, app.now())
        .await
        .map_err(theme_err)?;
    Ok(super::see_other(&format!(
        "/verwaltung/beteiligung/{}/themen?hinweis=geteilt#thema-{tid}",
        t.process_id
    )))
}
