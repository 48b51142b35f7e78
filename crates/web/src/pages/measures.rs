//! Measures: their implementation in the open (progress per field of action, goal and measure;
//! one page per measure; open data as CSV), and for coordinators the catalogue with the bulk
//! status import, the planner's saved scenarios, one plan explained, and two side by side.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self};
use crate::layout::{scroll, Page};
use crate::pages::NoteQuery;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use th_core::Locale;
use th_i18n::{format_decimal, format_int};
use th_measures::planner::{Conflict, LeftOut, Plan, PlanError};
use th_measures::solver::{Limits, Status as SolveStatus};
use th_measures::store::{self, Measure, Rollup, SavedScenario, Status, Texts};

pub(crate) fn measures_err(e: store::Error) -> AppError {
    match e {
        store::Error::NotFound => AppError::NotFound,
        store::Error::Invalid(errs) => AppError::Validation(
            errs.into_iter()
                .map(|e| th_core::FieldError {
                    field: e.at,
                    code: "invalid".into(),
                })
                .collect(),
        ),
        e => AppError::Internal(e.to_string()),
    }
}

/// A short text in the visitor's language, else German (marked as such).
fn tr(ctx: &Ctx, t: &Texts) -> Markup {
    let tag = ctx.locale.tag();
    let (text, fallback) = match t.get(tag) {
        Some(s) if !s.is_empty() => (s.as_str(), false),
        _ => (store::text(t, "de"), ctx.locale != Locale::De),
    };
    if fallback {
        html! { span lang="de" dir="ltr" { (text) } }
    } else {
        html! { (text) }
    }
}

/// Each measure's title as a link to its page, by key.
fn links<'a>(ctx: &Ctx, ms: &'a [Measure]) -> HashMap<&'a str, Markup> {
    ms.iter()
        .map(|m| {
            (
                m.key.as_str(),
                html! { a.kern-link href={ "/massnahmen/" (m.key) } { (tr(ctx, &m.title)) } },
            )
        })
        .collect()
}

/// A CSV file to download.
pub(crate) fn csv_file(body: String, filename: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Planned => "measure-status-planned",
        Status::Funded => "measure-status-funded",
        Status::Running => "measure-status-running",
        Status::Done => "measure-status-done",
        Status::Paused => "measure-status-paused",
        Status::Dropped => "measure-status-dropped",
    }
}

fn percent(ctx: &Ctx, p: f64) -> String {
    format!("{} %", format_int(p.round() as i64, ctx.locale))
}

fn eur(ctx: &Ctx, v: f64) -> String {
    format!("{} €", format_int(v.round() as i64, ctx.locale))
}

fn fte(ctx: &Ctx, v: f64) -> String {
    format_decimal(v, 1, ctx.locale)
}

/// A progress bar with its figure as text (the bar is decoration for the figure).
fn bar(ctx: &Ctx, id: &str, label: &str, p: Option<f64>) -> Markup {
    match p {
        Some(p) => html! {
            span.th-progress {
                progress id=(id) max="100" value=(format!("{:.0}", p)) aria-label=(label) { (percent(ctx, p)) }
                " " span { (percent(ctx, p)) }
            }
        },
        None => html! { span { (ctx.t("measures-not-started")) } },
    }
}

fn status_counts(ctx: &Ctx, r: &Rollup) -> String {
    Status::ALL
        .iter()
        .filter_map(|s| {
            r.by_status
                .get(s)
                .map(|n| format!("{} {}", n, ctx.t(status_key(*s))))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A goal's number and title.
type GoalTitle = (String, String);

/// The current concept's fields of action (number, title) with their goals.
struct Concept {
    fields: Vec<(i64, String, Vec<GoalTitle>)>,
}

async fn concept(app: &AppState, ctx: &Ctx) -> Result<Concept, AppError> {
    let c = app.concepts.current(&app.db, ctx.tenant.id).await?;
    Ok(Concept {
        fields: c
            .map(|c| {
                c.fields
                    .iter()
                    .map(|f| {
                        (
                            f.number,
                            f.title.get(ctx.locale).text.to_string(),
                            f.goals
                                .iter()
                                .map(|g| {
                                    (g.number.clone(), g.title.get(ctx.locale).text.to_string())
                                })
                                .collect(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

impl Concept {
    fn field_title(&self, n: i64) -> String {
        self.fields
            .iter()
            .find(|f| f.0 == n)
            .map(|f| format!("{}. {}", f.0, f.1))
            .unwrap_or_else(|| n.to_string())
    }
    fn goal_title(&self, g: &str) -> String {
        self.fields
            .iter()
            .flat_map(|f| f.2.iter())
            .find(|x| x.0 == g)
            .map(|x| format!("{} {}", x.0, x.1))
            .unwrap_or_else(|| g.to_string())
    }
}

// ---- public ----

pub async fn overview(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let ms = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let c = concept(&app, &ctx).await?;
    let (goals, fields) = store::rollup(&ms);
    let mut all = Rollup::default();
    let mut acc = (0.0, 0.0);
    for m in &ms {
        all.measures += 1;
        *all.by_status.entry(m.status).or_default() += 1;
        if m.status.counts() {
            all.counted += 1;
            let p = if m.status == Status::Funded {
                0.0
            } else {
                m.progress
            };
            acc.0 += m.weight * p;
            acc.1 += m.weight;
        }
    }
    all.progress = (acc.1 > 0.0).then(|| acc.0 / acc.1);
    let mut field_numbers: BTreeSet<i64> = c.fields.iter().map(|f| f.0).collect();
    field_numbers.extend(ms.iter().map(|m| i64::from(m.field)));
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("measures-title")) }
        p { (ctx.t("measures-intro")) }
        @if ms.is_empty() {
            p { (ctx.t("measures-none")) }
        } @else {
            p {
                (ctx.ta("measures-summary", &[("count", (ms.len() as i64).into())]))
                " " (status_counts(&ctx, &all))
            }
            p { (ctx.t("measures-overall")) " " (bar(&ctx, "gesamt", &ctx.t("measures-overall"), all.progress)) }
            p.th-hint { (ctx.t("measures-rollup-hint")) }
            h2.kern-heading-medium #handlungsfelder { (ctx.t("measures-by-field")) }
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.t("measures-by-field")) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("measures-field")) }
                        th.kern-table__header scope="col" { (ctx.t("measures-count")) }
                        th.kern-table__header scope="col" { (ctx.t("measures-progress")) }
                    } }
                    tbody.kern-table__body {
                        @for f in &field_numbers {
                            @let r = fields.get(&(*f as u16)).cloned().unwrap_or_default();
                            tr.kern-table__row {
                                th.kern-table__header scope="row" { a.kern-link href={ "#feld-" (f) } { (c.field_title(*f)) } }
                                td.kern-table__cell { (r.measures) }
                                td.kern-table__cell { (bar(&ctx, &format!("feld-{f}-fortschritt"), &c.field_title(*f), r.progress)) }
                            }
                        }
                    }
                }
            }))
            @for f in &field_numbers {
                @let in_field: Vec<&Measure> = ms.iter().filter(|m| i64::from(m.field) == *f).collect();
                section aria-labelledby={ "feld-" (f) } {
                    h2.kern-heading-medium id={ "feld-" (f) } { (c.field_title(*f)) }
                    @let gs: Vec<&String> = goals.keys().filter(|g| g.split('.').next() == Some(&f.to_string())).collect();
                    @if !gs.is_empty() {
                        ul.th-list {
                            @for g in gs {
                                @let r = &goals[g];
                                li {
                                    (ctx.t("goal")) " " (c.goal_title(g)) ": "
                                    (ctx.ta("measures-goal-count", &[("count", (r.measures as i64).into())])) " · "
                                    (bar(&ctx, &format!("ziel-{g}"), &c.goal_title(g), r.progress))
                                }
                            }
                        }
                    }
                    @if !in_field.is_empty() {
                        (scroll(html! {
                            table.kern-table {
                                caption.kern-title { (ctx.ta("measures-in-field", &[("field", c.field_title(*f).into())])) }
                                thead.kern-table__head { tr.kern-table__row {
                                    th.kern-table__header scope="col" { (ctx.t("measures-measure")) }
                                    th.kern-table__header scope="col" { (ctx.t("measures-status")) }
                                    th.kern-table__header scope="col" { (ctx.t("measures-progress")) }
                                } }
                                tbody.kern-table__body {
                                    @for m in &in_field {
                                        tr.kern-table__row {
                                            th.kern-table__header scope="row" { a.kern-link href={ "/massnahmen/" (m.key) } { (tr(&ctx, &m.title)) } }
                                            td.kern-table__cell { (ctx.t(status_key(m.status))) }
                                            td.kern-table__cell { (percent(&ctx, m.progress)) }
                                        }
                                    }
                                }
                            }
                        }))
                    }
                }
            }
            h2.kern-heading-medium { (ctx.t("measures-open-data")) }
            ul.th-list {
                li { a.kern-link href="/massnahmen.csv" download { (ctx.t("measures-download-csv")) } }
                li { a.kern-link href="/api/v1/measures" { (ctx.t("measures-download-json")) } }
            }
        }
    };
    Ok(Page::new(ctx.t("measures-title"), body).render(&ctx))
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    let ms = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let m = ms.iter().find(|m| m.key == key).ok_or(AppError::NotFound)?;
    let c = concept(&app, &ctx).await?;
    let title_of = |k: &str| ms.iter().find(|m| m.key == k).map(|m| tr(&ctx, &m.title));
    let until = m.duration_years.map(|d| m.planned_start + d as i32 - 1);
    let mut origins = Vec::new();
    for id in &m.origins {
        if let Some(c) = th_participation::contribution::get(&app.db, ctx.tenant.id, *id)
            .await
            .map_err(crate::pages::orgs::part_err)?
        {
            if c.published {
                origins.push(c);
            }
        }
    }
    let body = html! {
        p { a.kern-link href={ "/massnahmen#feld-" (m.field) } { (ctx.t("measures-back")) } }
        h1.kern-heading-x-large { (tr(&ctx, &m.title)) }
        p { (tr(&ctx, &m.description)) }
        dl.th-facts {
            dt { (ctx.t("measures-status")) } dd { (ctx.t(status_key(m.status))) }
            dt { (ctx.t("measures-progress")) } dd { (bar(&ctx, "fortschritt", &ctx.t("measures-progress"), Some(m.progress))) }
            dt { (ctx.t("measures-field")) } dd { a.kern-link href={ "/konzept/handlungsfeld/" (m.field) } { (c.field_title(i64::from(m.field))) } }
            dt { (ctx.t("measures-goals")) }
            dd { ul.th-list { @for (g, score) in &m.goals {
                li { (c.goal_title(g)) " (" (ctx.ta("measures-score", &[("score", format_decimal(*score, 0, ctx.locale).into())])) ")" }
            } } }
            dt { (ctx.t("measures-period")) }
            dd { @match until {
                Some(u) => (ctx.ta("measures-period-from-to", &[("from", m.planned_start.to_string().into()), ("to", u.to_string().into())])),
                None => (ctx.ta("measures-period-ongoing", &[("from", m.planned_start.to_string().into())])),
            } }
            @if !m.owner.is_empty() { dt { (ctx.t("measures-owner")) } dd lang="de" { (m.owner) } }
            @if !m.partners.is_empty() { dt { (ctx.t("measures-partners")) } dd lang="de" { (m.partners.join(", ")) } }
            dt { (ctx.t("measures-cost")) }
            dd { (ctx.ta("measures-cost-value", &[("money", eur(&ctx, m.money_eur).into()), ("staff", fte(&ctx, m.staff_fte).into())])) }
            @if !m.funding.is_empty() { dt { (ctx.t("measures-funding")) } dd lang="de" { (m.funding) } }
            @if !m.requires.is_empty() {
                dt { (ctx.t("measures-requires")) }
                dd { ul.th-list { @for k in &m.requires { li { a.kern-link href={ "/massnahmen/" (k) } { (title_of(k).unwrap_or_else(|| html!{ (k) })) } } } } }
            }
            @if !m.excludes.is_empty() {
                dt { (ctx.t("measures-excludes")) }
                dd { ul.th-list { @for k in &m.excludes { li { a.kern-link href={ "/massnahmen/" (k) } { (title_of(k).unwrap_or_else(|| html!{ (k) })) } } } } }
            }
        }
        @if !m.milestones.is_empty() {
            h2.kern-heading-medium { (ctx.t("measures-milestones")) }
            ul.th-list { @for s in &m.milestones {
                li { time datetime=(s.date) { (s.date) } ": " (tr(&ctx, &s.title)) " – " (ctx.t(if s.done { "measures-milestone-done" } else { "measures-milestone-open" })) }
            } }
        }
        @if !m.updates.is_empty() {
            h2.kern-heading-medium { (ctx.t("measures-updates")) }
            ol.th-list { @for u in m.updates.iter().rev() {
                li {
                    time datetime=(u.date) { (u.date) } ": " (percent(&ctx, u.progress))
                    @if let Some(s) = u.status { " · " (ctx.t(status_key(s))) }
                    @if !u.text.is_empty() { " – " (tr(&ctx, &u.text)) }
                }
            } }
        }
        @if !origins.is_empty() {
            h2.kern-heading-medium { (ctx.t("measures-origins")) }
            p { (ctx.t("measures-origins-intro")) }
            ul.th-list { @for c in &origins {
                li { a.kern-link href={ "/beitraege/" (c.id) } lang=(c.locale.html_lang()) dir=(if c.locale.is_rtl() { "rtl" } else { "ltr" }) { (c.title) } }
            } }
        }
        p.th-hint { (ctx.ta("measures-key", &[("key", m.key.clone().into())])) }
    };
    Ok(Page::new(store::text(&m.title, ctx.locale.tag()).to_string(), body).render(&ctx))
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Open data: every measure with its goals, cost and state, as CSV.
pub async fn csv(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let ms = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let mut out = String::from("key,field,goals,title_de,title_en,owner,planned_start,duration_years,staff_fte,money_eur,funding,status,progress\n");
    for m in &ms {
        let goals: Vec<String> = m.goals.iter().map(|(g, s)| format!("{g}:{s}")).collect();
        let row = [
            m.key.clone(),
            m.field.to_string(),
            goals.join(" "),
            m.title.get("de").cloned().unwrap_or_default(),
            m.title.get("en").cloned().unwrap_or_default(),
            m.owner.clone(),
            m.planned_start.to_string(),
            m.duration_years.map(|d| d.to_string()).unwrap_or_default(),
            m.staff_fte.to_string(),
            m.money_eur.to_string(),
            m.funding.clone(),
            m.status.key().to_string(),
            m.progress.to_string(),
        ];
        out.push_str(
            &row.iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    Ok(csv_file(out, "massnahmen.csv"))
}

// ---- coordinators: catalogue and status import ----

pub async fn admin(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoteQuery>,
) -> Result<Response, AppError> {
    let ms = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let note = q.text(
        &ctx,
        &[
            "admin-measures-imported",
            "admin-plan-adopted",
            "admin-measures-added",
        ],
    );
    let body = html! {
        p { a.kern-link href="/verwaltung" { (ctx.t("nav-admin")) } }
        h1.kern-heading-x-large { (ctx.t("admin-measures-title")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { a.kern-link href="/verwaltung/szenarien" { (ctx.t("admin-scenarios-title")) } " · " a.kern-link href="/massnahmen" { (ctx.t("measures-title")) } }
        (status_form(&ctx))
        (add_form(&ctx))
        (scroll(html! {
            table.kern-table {
                caption.kern-title { (ctx.ta("admin-measures-count", &[("count", (ms.len() as i64).into())])) }
                thead.kern-table__head { tr.kern-table__row {
                    th.kern-table__header scope="col" { (ctx.t("admin-measures-key")) }
                    th.kern-table__header scope="col" { (ctx.t("measures-measure")) }
                    th.kern-table__header scope="col" { (ctx.t("measures-period")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-measures-money")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-measures-staff")) }
                    th.kern-table__header scope="col" { (ctx.t("measures-status")) }
                    th.kern-table__header scope="col" { (ctx.t("measures-progress")) }
                } }
                tbody.kern-table__body {
                    @for m in &ms {
                        tr.kern-table__row {
                            td.kern-table__cell { bdi { (m.key) } }
                            th.kern-table__header scope="row" { a.kern-link href={ "/massnahmen/" (m.key) } { (tr(&ctx, &m.title)) } }
                            td.kern-table__cell { (m.planned_start) @if let Some(d) = m.duration_years { "–" (m.planned_start + d as i32 - 1) } @else { "–" } }
                            td.kern-table__cell { (eur(&ctx, m.money_eur)) }
                            td.kern-table__cell { (fte(&ctx, m.staff_fte)) }
                            td.kern-table__cell { (ctx.t(status_key(m.status))) }
                            td.kern-table__cell { (percent(&ctx, m.progress)) }
                        }
                    }
                }
            }
        }))
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-measures-title"), body).render(&ctx),
    ))
}

/// Origins name contributions of the participation module: each must exist in this tenant.
pub(crate) async fn check_origins(
    app: &AppState,
    ctx: &Ctx,
    ms: &[Measure],
) -> Result<Vec<th_measures::planner::InputError>, AppError> {
    let mut errs = Vec::new();
    for (i, m) in ms.iter().enumerate() {
        for (j, id) in m.origins.iter().enumerate() {
            let found = th_participation::contribution::get(&app.db, ctx.tenant.id, *id)
                .await
                .map_err(crate::pages::orgs::part_err)?;
            if found.is_none() {
                errs.push(th_measures::planner::InputError {
                    at: format!("measures[{i}].origins[{j}]"),
                    message: format!("no contribution {id}"),
                });
            }
        }
    }
    Ok(errs)
}

fn add_form(ctx: &Ctx) -> Markup {
    html! {
        h2.kern-heading-medium { (ctx.t("admin-measures-add")) }
        p { (ctx.t("admin-measures-add-intro")) }
        form.th-form method="post" action="/verwaltung/massnahmen/katalog" enctype="multipart/form-data" {
            (forms::csrf(ctx))
            div.kern-form-input {
                label.kern-label for="katalog" { (ctx.t("admin-measures-add-file")) }
                input.kern-form-input__input #katalog type="file" name="file" accept=".json,application/json" required;
            }
            (forms::submit(ctx.t("admin-measures-add-submit")))
        }
    }
}

/// Adds measures from a JSON file (the format of the demo's measures.json, docs/planner.md's
/// measures with texts and tracking): all checked, all written, or nothing.
pub async fn add(
    State(app): State<AppState>,
    ctx: Ctx,
    mp: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let text = crate::pages::guide_admin::upload_text(mp).await?;
    let line = |e: th_measures::planner::InputError| format!("{}: {}", e.at, e.message);
    let errs: Vec<String> = match store::parse_catalogue(&text) {
        Err(e) => vec![e],
        Ok(ms) => {
            let bad = check_origins(&app, &ctx, &ms).await?;
            if !bad.is_empty() {
                bad.into_iter().map(line).collect()
            } else {
                match store::import(&app.db, ctx.tenant.id, &ms, app.now()).await {
                    Ok(n) => {
                        refresh_plans_later(&app, ctx.tenant.id);
                        return Ok(super::noted(
                            "/verwaltung/massnahmen",
                            "admin-measures-added",
                            n as i64,
                            0,
                        ));
                    }
                    Err(store::Error::Invalid(errs)) => errs.into_iter().map(line).collect(),
                    Err(e) => return Err(measures_err(e)),
                }
            }
        }
    };
    let body = html! {
        p { a.kern-link href="/verwaltung/massnahmen" { (ctx.t("admin-measures-title")) } }
        h1.kern-heading-x-large { (ctx.t("admin-measures-add-failed")) }
        p { (ctx.ta("admin-measures-import-failed-intro", &[("count", (errs.len() as i64).into())])) }
        ul.th-list { @for e in errs.iter().take(200) { li { bdi lang="en" { (e) } } } }
        (add_form(&ctx))
    };
    Ok(Page::new(ctx.t("admin-measures-add-failed"), body)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(&ctx))
}

fn status_form(ctx: &Ctx) -> Markup {
    html! {
        h2.kern-heading-medium { (ctx.t("admin-measures-import")) }
        p { (ctx.t("admin-measures-import-intro")) }
        form.th-form method="post" action="/verwaltung/massnahmen/status" enctype="multipart/form-data" {
            (forms::csrf(ctx))
            div.kern-form-input {
                label.kern-label for="file" { (ctx.t("admin-measures-import-file")) }
                div.kern-hint #file-hint { (ctx.t("admin-measures-import-hint")) }
                input.kern-form-input__input #file type="file" name="file" accept=".csv,text/csv" required aria-describedby="file-hint";
            }
            (forms::submit(ctx.t("admin-measures-import-submit")))
        }
    }
}

/// The status CSV from a form: every line checked first; nothing applies unless all are right.
pub async fn import_status(
    State(app): State<AppState>,
    ctx: Ctx,
    mp: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let text = crate::pages::guide_admin::upload_text(mp).await?;
    match apply_status_csv(&app, &ctx, &text).await? {
        Ok(n) => Ok(super::noted(
            "/verwaltung/massnahmen",
            "admin-measures-imported",
            n as i64,
            0,
        )),
        Err(errs) => {
            let rows: Vec<(usize, &'static str, &str)> = errs
                .iter()
                .map(|e| (e.line, csv_error_key(e.code), e.value.as_str()))
                .collect();
            Ok(import_failed(
                &ctx,
                ("/verwaltung/massnahmen", ctx.t("admin-measures-title")),
                &rows,
                status_form(&ctx),
            ))
        }
    }
}

/// The page after a CSV import refused: every problem by line (message key, value), nothing
/// written, and the form to try again.
pub(crate) fn import_failed(
    ctx: &Ctx,
    back: (&str, String),
    rows: &[(usize, &'static str, &str)],
    form: Markup,
) -> Response {
    let body = html! {
        p { a.kern-link href=(back.0) { (back.1) } }
        h1.kern-heading-x-large { (ctx.t("admin-measures-import-failed")) }
        p { (ctx.ta("admin-measures-import-failed-intro", &[("count", (rows.len() as i64).into())])) }
        (scroll(html! {
            table.kern-table {
                caption.kern-title { (ctx.t("admin-measures-import-failed")) }
                thead.kern-table__head { tr.kern-table__row {
                    th.kern-table__header scope="col" { (ctx.t("admin-import-line")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-import-problem")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-import-value")) }
                } }
                tbody.kern-table__body { @for (line, key, value) in rows.iter().take(200) {
                    tr.kern-table__row {
                        td.kern-table__cell { (line) }
                        td.kern-table__cell { (ctx.t(key)) }
                        td.kern-table__cell { bdi { (value) } }
                    }
                } }
            }
        }))
        (form)
    };
    Page::new(ctx.t("admin-measures-import-failed"), body)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(ctx)
}

pub(crate) fn csv_error_key(code: &str) -> &'static str {
    match code {
        "empty" => "admin-measures-csv-empty",
        "header" => "admin-measures-csv-header",
        "unknown-measure" => "admin-measures-csv-unknown",
        "date" => "admin-measures-csv-date",
        "status" => "admin-measures-csv-status",
        "progress" => "admin-measures-csv-progress",
        _ => "admin-measures-csv-duplicate",
    }
}

pub(crate) async fn apply_status_csv(
    app: &AppState,
    ctx: &Ctx,
    text: &str,
) -> Result<Result<usize, Vec<store::LineError>>, AppError> {
    let known = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?
        .into_iter()
        .map(|m| m.key)
        .collect();
    match store::parse_status_csv(text, &known) {
        Ok(ups) => {
            let n = store::apply_updates(&app.db, ctx.tenant.id, &ups, app.now())
                .await
                .map_err(measures_err)?;
            refresh_plans_later(app, ctx.tenant.id);
            Ok(Ok(n))
        }
        Err(errs) => Ok(Err(errs)),
    }
}

// ---- coordinators: scenarios ----

pub(crate) fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// The plan of a saved scenario: the stored one while the catalogue has not changed since, else
/// solved now (on a blocking thread) and stored.
pub(crate) async fn plan_of(
    app: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(SavedScenario, Result<Plan, PlanError>), AppError> {
    plan_for(app, ctx.tenant.id, id).await
}

/// After a change to the catalogue: every saved scenario of the tenant is solved again in the
/// background, so that pages (the comparison above all) find current plans stored.
pub(crate) fn refresh_plans_later(app: &AppState, t: th_core::TenantId) {
    let app = app.clone();
    tokio::spawn(async move {
        let Ok(list) = store::scenarios(&app.db, t).await else {
            return;
        };
        for s in list {
            if let Err(e) = plan_for(&app, t, s.id).await {
                tracing::warn!(scenario = s.id, error = ?e, "solving a scenario again failed");
            }
        }
    });
}

async fn plan_for(
    app: &AppState,
    t: th_core::TenantId,
    id: i64,
) -> Result<(SavedScenario, Result<Plan, PlanError>), AppError> {
    let (s, fresh, input) = store::scenario_with_input(&app.db, t, id)
        .await
        .map_err(measures_err)?;
    if let Some(p) = fresh {
        return Ok((s, Ok(p)));
    }
    let hash = store::input_hash(&input);
    let result = tokio::task::spawn_blocking(move || {
        let solver = th_measures::solver::default_solver();
        th_measures::planner::plan(
            &input,
            solver.as_ref(),
            &Limits {
                seconds: 20.0,
                gap: 0.0,
            },
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    if let Ok(p) = &result {
        store::store_plan(&app.db, t, id, &hash, p, app.now())
            .await
            .map_err(measures_err)?;
    }
    Ok((s, result))
}

fn solve_status_key(s: SolveStatus) -> &'static str {
    match s {
        SolveStatus::Optimal => "admin-plan-optimal",
        SolveStatus::Feasible => "admin-plan-feasible",
        SolveStatus::Infeasible => "admin-plan-infeasible",
    }
}

pub async fn scenarios(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let list = store::scenarios(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let mut plans = Vec::new();
    for s in &list {
        plans.push(plan_of(&app, &ctx, s.id).await?.1);
    }
    let options: Vec<(String, String)> = list
        .iter()
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    let new = new_form(&app, &ctx, &list).await?;
    let body = html! {
        p { a.kern-link href="/verwaltung/massnahmen" { (ctx.t("admin-measures-title")) } }
        h1.kern-heading-x-large { (ctx.t("admin-scenarios-title")) }
        p { (ctx.t("admin-scenarios-intro")) }
        (new)
        @if list.is_empty() { p { (ctx.t("admin-scenarios-none")) } }
        @else {
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.t("admin-scenarios-title")) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("admin-scenarios-name")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-scenarios-budget")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-status")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-chosen")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-value")) }
                    } }
                    tbody.kern-table__body {
                        @for (s, p) in list.iter().zip(&plans) {
                            tr.kern-table__row {
                                th.kern-table__header scope="row" { a.kern-link href={ "/verwaltung/szenarien/" (s.id) } lang="de" { (s.name) } }
                                td.kern-table__cell { (budget(&ctx, s)) }
                                @match p {
                                    Ok(p) => {
                                        td.kern-table__cell { (ctx.t(solve_status_key(p.status))) }
                                        td.kern-table__cell { (p.chosen.len()) }
                                        td.kern-table__cell { (format_decimal(p.objective, 1, ctx.locale)) }
                                    }
                                    Err(_) => { td.kern-table__cell colspan="3" { (ctx.t("admin-plan-invalid")) } }
                                }
                            }
                        }
                    }
                }
            }))
            @if list.len() >= 2 {
                h2.kern-heading-medium { (ctx.t("admin-scenarios-compare")) }
                form.th-form method="get" action="/verwaltung/szenarien/vergleich" {
                    (forms::select(&ctx, "a", ctx.t("admin-scenarios-compare-a"), &options, &options[0].0, &th_core::Validation::new()))
                    (forms::select(&ctx, "b", ctx.t("admin-scenarios-compare-b"), &options, &options[1].0, &th_core::Validation::new()))
                    (forms::submit(ctx.t("admin-scenarios-compare-submit")))
                }
            }
        }
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-scenarios-title"), body).render(&ctx),
    ))
}

fn per_year(
    ctx: &Ctx,
    p: &th_measures::planner::PerYear,
    years: u32,
    f: impl Fn(&Ctx, f64) -> String,
) -> String {
    match p {
        th_measures::planner::PerYear::Same(v) => f(ctx, *v),
        th_measures::planner::PerYear::Each(v) => {
            let all_same = v.windows(2).all(|w| w[0] == w[1]);
            if all_same && v.len() == years as usize {
                f(ctx, v.first().copied().unwrap_or(0.0))
            } else {
                v.iter().map(|x| f(ctx, *x)).collect::<Vec<_>>().join(" / ")
            }
        }
    }
}

fn budget(ctx: &Ctx, s: &SavedScenario) -> String {
    let sc = &s.scenario;
    ctx.ta(
        "admin-scenarios-budget-value",
        &[
            (
                "money",
                per_year(ctx, &sc.money_eur, sc.horizon.years, eur).into(),
            ),
            (
                "staff",
                per_year(ctx, &sc.staff_fte, sc.horizon.years, fte).into(),
            ),
            ("from", sc.horizon.first_year.to_string().into()),
            (
                "to",
                (sc.horizon.first_year + sc.horizon.years as i32 - 1)
                    .to_string()
                    .into(),
            ),
        ],
    )
}

fn reason(ctx: &Ctx, r: &LeftOut, titles: &HashMap<&str, Markup>) -> Markup {
    let name = |k: &str| {
        titles
            .get(k)
            .cloned()
            .unwrap_or_else(|| html! { bdi { (k) } })
    };
    match r {
        LeftOut::RuledOut => html! { (ctx.t("admin-plan-ruled-out")) },
        LeftOut::OutsideHorizon => html! { (ctx.t("admin-plan-outside")) },
        LeftOut::ConflictsWith { measure } => {
            html! { (ctx.t("admin-plan-conflicts")) " " (name(measure)) }
        }
        LeftOut::RequiresUnavailable { measure } => {
            html! { (ctx.t("admin-plan-requires")) " " (name(measure)) }
        }
        LeftOut::Needs {
            start,
            with,
            money_eur,
            staff_fte,
        } => {
            let years: BTreeSet<&String> = money_eur.keys().chain(staff_fte.keys()).collect();
            html! {
                (ctx.ta("admin-plan-needs", &[("start", start.to_string().into())]))
                " "
                (years.iter().map(|y| {
                    let mut parts = Vec::new();
                    if let Some(m) = money_eur.get(*y) { parts.push(eur(ctx, *m)); }
                    if let Some(s) = staff_fte.get(*y) { parts.push(ctx.ta("admin-plan-fte", &[("staff", fte(ctx, *s).into())])); }
                    format!("{y}: {}", parts.join(" + "))
                }).collect::<Vec<_>>().join("; "))
                @if !with.is_empty() {
                    " " (ctx.t("admin-plan-needs-with")) " "
                    @for (i, k) in with.iter().enumerate() { @if i > 0 { ", " } (name(k)) }
                }
            }
        }
        LeftOut::ShareOf { field } => {
            html! { (ctx.ta("admin-plan-share", &[("field", i64::from(*field).into())])) }
        }
        LeftOut::NoValue => html! { (ctx.t("admin-plan-no-value")) },
        LeftOut::Unproven => html! { (ctx.t("admin-plan-unproven")) },
    }
}

fn conflict_text(ctx: &Ctx, c: &Conflict, titles: &HashMap<&str, Markup>) -> Markup {
    match c {
        Conflict::Must { measure } => {
            html! { (ctx.t("admin-plan-conflict-must")) " " (titles.get(measure.as_str()).cloned().unwrap_or_else(|| html!{ bdi { (measure) } })) }
        }
        Conflict::MinShare { field } => {
            html! { (ctx.ta("admin-plan-conflict-share", &[("field", i64::from(*field).into())])) }
        }
        Conflict::Money => html! { (ctx.t("admin-plan-conflict-money")) },
        Conflict::Staff => html! { (ctx.t("admin-plan-conflict-staff")) },
    }
}

/// Adopts a scenario's plan: its chosen planned measures become funded from their start year.
pub(crate) async fn adopt_plan(app: &AppState, ctx: &Ctx, id: i64) -> Result<usize, AppError> {
    let (s, plan) = plan_of(app, ctx, id).await?;
    let plan = match plan {
        Ok(p) if p.status != SolveStatus::Infeasible => p,
        _ => return Err(AppError::Conflict("the scenario has no plan to adopt")),
    };
    let d = th_core::localtime::local(app.now());
    let day = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let n = store::adopt(&app.db, ctx.tenant.id, &s.name, &plan, &day, app.now())
        .await
        .map_err(measures_err)?;
    refresh_plans_later(app, ctx.tenant.id);
    Ok(n)
}

pub async fn adopt(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let n = adopt_plan(&app, &ctx, id).await?;
    Ok(super::noted(
        "/verwaltung/massnahmen",
        "admin-plan-adopted",
        n as i64,
        0,
    ))
}

pub async fn scenario(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let (s, plan) = plan_of(&app, &ctx, id).await?;
    let ms = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let c = concept(&app, &ctx).await?;
    let titles = links(&ctx, &ms);
    let by_key: HashMap<&str, &Measure> = ms.iter().map(|m| (m.key.as_str(), m)).collect();
    let edit = edit_form(&app, &ctx, &s).await?;
    let body = html! {
        p { a.kern-link href="/verwaltung/szenarien" { (ctx.t("admin-scenarios-back")) } }
        h1.kern-heading-x-large lang="de" { (s.name) }
        @if !s.description.is_empty() { p lang="de" { (s.description) } }
        p { (budget(&ctx, &s)) }
        (edit)
        @match &plan {
            Err(PlanError::Invalid(errs)) => {
                p { (ctx.t("admin-plan-invalid")) }
                ul.th-list { @for e in errs { li { bdi { (e.at) } ": " span lang="en" { (e.message) } } } }
            }
            Err(PlanError::Solver(e)) => { p { (ctx.t("admin-plan-solver-failed")) " " span lang="en" { (e.to_string()) } } }
            Ok(p) => {
                @if p.status != SolveStatus::Infeasible && !p.chosen.is_empty() {
                    form.th-form method="post" action={ "/verwaltung/szenarien/" (s.id) "/uebernehmen" } {
                        (forms::csrf(&ctx))
                        p { (ctx.t("admin-plan-adopt-intro")) }
                        (forms::submit(ctx.t("admin-plan-adopt")))
                    }
                }
                (plan_body(&ctx, p, &c, &titles, &by_key))
            }
        }
    };
    Ok(super::no_store(
        Page::new(s.name.clone(), body).render(&ctx),
    ))
}

fn plan_body(
    ctx: &Ctx,
    p: &Plan,
    c: &Concept,
    titles: &HashMap<&str, Markup>,
    by_key: &HashMap<&str, &Measure>,
) -> Markup {
    html! {
        p {
            strong { (ctx.t(solve_status_key(p.status))) }
            @if p.status != SolveStatus::Infeasible {
                " " (ctx.ta("admin-plan-summary", &[
                    ("count", (p.chosen.len() as i64).into()),
                    ("value", format_decimal(p.objective, 1, ctx.locale).into()),
                ]))
                @if p.status == SolveStatus::Feasible {
                    " " (ctx.ta("admin-plan-gap", &[("gap", format_decimal(p.gap * 100.0, 2, ctx.locale).into())]))
                }
            }
        }
        @if p.status == SolveStatus::Infeasible {
            h2.kern-heading-medium { (ctx.t("admin-plan-conflicts-title")) }
            ul.th-list { @for x in &p.conflicts { li { (conflict_text(ctx, x, titles)) } } }
        } @else {
            h2.kern-heading-medium { (ctx.t("admin-plan-years")) }
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.t("admin-plan-years")) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-year")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-measures-money")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-measures-staff")) }
                    } }
                    tbody.kern-table__body { @for y in &p.years {
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { (y.year) }
                            td.kern-table__cell {
                                (ctx.ta("admin-plan-of", &[("used", eur(ctx, y.money_eur).into()), ("available", eur(ctx, y.money_available).into())]))
                                @if y.money_binding { " – " strong { (ctx.t("admin-plan-binding")) } }
                            }
                            td.kern-table__cell {
                                (ctx.ta("admin-plan-of", &[("used", fte(ctx, y.staff_fte).into()), ("available", fte(ctx, y.staff_available).into())]))
                                @if y.staff_binding { " – " strong { (ctx.t("admin-plan-binding")) } }
                            }
                        }
                    } }
                }
            }))
            h2.kern-heading-medium { (ctx.t("admin-plan-chosen-title")) }
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.ta("admin-plan-chosen-count", &[("count", (p.chosen.len() as i64).into())])) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("measures-measure")) }
                        th.kern-table__header scope="col" { (ctx.t("measures-field")) }
                        th.kern-table__header scope="col" { (ctx.t("measures-period")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-measures-money")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-measures-staff")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-value")) }
                    } }
                    tbody.kern-table__body { @for x in &p.chosen {
                        @let m = by_key.get(x.key.as_str());
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { (titles.get(x.key.as_str()).cloned().unwrap_or_else(|| html!{ (x.key) })) }
                            td.kern-table__cell { @if let Some(m) = m { (m.field) } }
                            td.kern-table__cell { (x.start) "–" (x.until) }
                            td.kern-table__cell { @if let Some(m) = m { (eur(ctx, m.money_eur)) } }
                            td.kern-table__cell { @if let Some(m) = m { (fte(ctx, m.staff_fte)) } }
                            td.kern-table__cell { (format_decimal(x.value, 2, ctx.locale)) }
                        }
                    } }
                }
            }))
            h2.kern-heading-medium { (ctx.t("admin-plan-fields")) }
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.t("admin-plan-fields")) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("measures-field")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-measures")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-share-col")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-min-share")) }
                    } }
                    tbody.kern-table__body { @for f in &p.fields {
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { (c.field_title(i64::from(f.field))) }
                            td.kern-table__cell { (f.measures) }
                            td.kern-table__cell { (percent(ctx, f.share * 100.0)) }
                            td.kern-table__cell {
                                @if f.min_share > 0.0 { (percent(ctx, f.min_share * 100.0)) } @else { "–" }
                                @if f.binding { " – " strong { (ctx.t("admin-plan-binding")) } }
                            }
                        }
                    } }
                }
            }))
            h2.kern-heading-medium { (ctx.t("admin-plan-goals")) }
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.t("admin-plan-goals")) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("goal")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-measures")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-plan-reached")) }
                    } }
                    tbody.kern-table__body { @for g in &p.goals {
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { (c.goal_title(&g.goal)) }
                            td.kern-table__cell { (g.measures) }
                            td.kern-table__cell {
                                @if g.possible > 0.0 { (percent(ctx, 100.0 * g.contribution / g.possible)) } @else { "–" }
                            }
                        }
                    } }
                }
            }))
            h2.kern-heading-medium { (ctx.t("admin-plan-left-out")) }
            p { (ctx.t("admin-plan-left-out-intro")) }
            ul.th-list { @for e in &p.left_out {
                li { (titles.get(e.key.as_str()).cloned().unwrap_or_else(|| html!{ (e.key) })) ": " (reason(ctx, &e.reason, titles)) }
            } }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct CompareQ {
    a: Option<String>,
    b: Option<String>,
}

/// Two scenarios side by side: what is in and out, cost per year, goals reached, what binds.
pub async fn compare(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompareQ>,
) -> Result<Response, AppError> {
    let a = id_of(q.a.as_deref().unwrap_or(""))?;
    let b = id_of(q.b.as_deref().unwrap_or(""))?;
    let (sa, pa) = plan_of(&app, &ctx, a).await?;
    let (sb, pb) = plan_of(&app, &ctx, b).await?;
    let ms = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let c = concept(&app, &ctx).await?;
    let titles = links(&ctx, &ms);
    let (Ok(pa), Ok(pb)) = (pa, pb) else {
        return Err(AppError::Validation(vec![th_core::FieldError {
            field: "a".into(),
            code: "invalid".into(),
        }]));
    };
    let ina: BTreeMap<&str, i32> = pa
        .chosen
        .iter()
        .map(|x| (x.key.as_str(), x.start))
        .collect();
    let inb: BTreeMap<&str, i32> = pb
        .chosen
        .iter()
        .map(|x| (x.key.as_str(), x.start))
        .collect();
    let only_a: Vec<&str> = ina
        .keys()
        .filter(|k| !inb.contains_key(*k))
        .copied()
        .collect();
    let only_b: Vec<&str> = inb
        .keys()
        .filter(|k| !ina.contains_key(*k))
        .copied()
        .collect();
    let both = ina.keys().filter(|k| inb.contains_key(*k)).count();
    let goals: BTreeSet<&str> = pa
        .goals
        .iter()
        .chain(&pb.goals)
        .map(|g| g.goal.as_str())
        .collect();
    let goal_of = |p: &Plan, g: &str| {
        p.goals
            .iter()
            .find(|x| x.goal == g)
            .map(|x| {
                if x.possible > 0.0 {
                    percent(&ctx, 100.0 * x.contribution / x.possible)
                } else {
                    "–".into()
                }
            })
            .unwrap_or_else(|| "–".into())
    };
    let binds = |p: &Plan| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for y in &p.years {
            if y.money_binding {
                v.push(ctx.ta(
                    "admin-compare-binds-money",
                    &[("year", y.year.to_string().into())],
                ));
            }
            if y.staff_binding {
                v.push(ctx.ta(
                    "admin-compare-binds-staff",
                    &[("year", y.year.to_string().into())],
                ));
            }
        }
        for f in p.fields.iter().filter(|f| f.binding) {
            v.push(ctx.ta(
                "admin-plan-conflict-share",
                &[("field", i64::from(f.field).into())],
            ));
        }
        v
    };
    let years: std::collections::BTreeSet<i32> =
        pa.years.iter().chain(&pb.years).map(|y| y.year).collect();
    let body = html! {
        p { a.kern-link href="/verwaltung/szenarien" { (ctx.t("admin-scenarios-back")) } }
        h1.kern-heading-x-large { (ctx.t("admin-compare-title")) }
        (scroll(html! {
            table.kern-table {
                caption.kern-title { (ctx.t("admin-compare-title")) }
                thead.kern-table__head { tr.kern-table__row {
                    td.kern-table__cell {}
                    th.kern-table__header scope="col" lang="de" { (sa.name) }
                    th.kern-table__header scope="col" lang="de" { (sb.name) }
                } }
                tbody.kern-table__body {
                    tr.kern-table__row { th.kern-table__header scope="row" { (ctx.t("admin-scenarios-budget")) } td.kern-table__cell { (budget(&ctx, &sa)) } td.kern-table__cell { (budget(&ctx, &sb)) } }
                    tr.kern-table__row { th.kern-table__header scope="row" { (ctx.t("admin-plan-status")) } td.kern-table__cell { (ctx.t(solve_status_key(pa.status))) } td.kern-table__cell { (ctx.t(solve_status_key(pb.status))) } }
                    tr.kern-table__row { th.kern-table__header scope="row" { (ctx.t("admin-plan-chosen")) } td.kern-table__cell { (pa.chosen.len()) } td.kern-table__cell { (pb.chosen.len()) } }
                    tr.kern-table__row { th.kern-table__header scope="row" { (ctx.t("admin-plan-value")) } td.kern-table__cell { (format_decimal(pa.objective, 1, ctx.locale)) } td.kern-table__cell { (format_decimal(pb.objective, 1, ctx.locale)) } }
                    @for year in &years {
                        @let ya = pa.years.iter().find(|y| y.year == *year);
                        @let yb = pb.years.iter().find(|y| y.year == *year);
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { (ctx.ta("admin-compare-cost-year", &[("year", year.to_string().into())])) }
                            td.kern-table__cell { @if let Some(y) = ya { (eur(&ctx, y.money_eur)) ", " (ctx.ta("admin-plan-fte", &[("staff", fte(&ctx, y.staff_fte).into())])) } @else { "–" } }
                            td.kern-table__cell { @if let Some(y) = yb { (eur(&ctx, y.money_eur)) ", " (ctx.ta("admin-plan-fte", &[("staff", fte(&ctx, y.staff_fte).into())])) } @else { "–" } }
                        }
                    }
                    tr.kern-table__row { th.kern-table__header scope="row" { (ctx.t("admin-compare-binds")) } td.kern-table__cell { (binds(&pa).join("; ")) } td.kern-table__cell { (binds(&pb).join("; ")) } }
                    @for g in &goals {
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { (ctx.t("goal")) " " (c.goal_title(g)) }
                            td.kern-table__cell { (goal_of(&pa, g)) }
                            td.kern-table__cell { (goal_of(&pb, g)) }
                        }
                    }
                }
            }
        }))
        p { (ctx.ta("admin-compare-both", &[("count", (both as i64).into())])) }
        h2.kern-heading-medium { (ctx.ta("admin-compare-only", &[("name", sa.name.clone().into())])) }
        @if only_a.is_empty() { p { (ctx.t("admin-compare-nothing")) } }
        ul.th-list { @for k in &only_a { li { (titles.get(k).cloned().unwrap_or_else(|| html!{ (k) })) } } }
        h2.kern-heading-medium { (ctx.ta("admin-compare-only", &[("name", sb.name.clone().into())])) }
        @if only_b.is_empty() { p { (ctx.t("admin-compare-nothing")) } }
        ul.th-list { @for k in &only_b { li { (titles.get(k).cloned().unwrap_or_else(|| html!{ (k) })) } } }
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-compare-title"), body).render(&ctx),
    ))
}

// ---- coordinators: creating, changing and deleting scenarios ----

/// The scenario form's values as typed (so a form with errors comes back as it was sent).
#[derive(Default, Clone)]
pub(crate) struct ScenarioForm {
    name: String,
    description: String,
    first_year: String,
    years: String,
    money: String,
    staff: String,
    flex: String,
    include_running: bool,
    shares: BTreeMap<i64, String>,
    must: String,
    must_not: String,
}

fn num(l: Locale, v: f64) -> String {
    let s = format_decimal(v, 4, l);
    let s = s.trim_end_matches('0');
    s.trim_end_matches([',', '.', '٫']).to_string()
}

impl ScenarioForm {
    fn of(s: &th_measures::planner::Scenario) -> Self {
        let per = |p: &th_measures::planner::PerYear| match p {
            th_measures::planner::PerYear::Same(v) => num(Locale::De, *v).replace('.', ""),
            th_measures::planner::PerYear::Each(v) => v
                .iter()
                .map(|x| num(Locale::De, *x).replace('.', ""))
                .collect::<Vec<_>>()
                .join("; "),
        };
        ScenarioForm {
            name: String::new(),
            description: String::new(),
            first_year: s.horizon.first_year.to_string(),
            years: s.horizon.years.to_string(),
            money: per(&s.money_eur),
            staff: per(&s.staff_fte),
            flex: s.start_flexibility.to_string(),
            include_running: s.include_running,
            shares: s
                .min_share
                .iter()
                .map(|(f, v)| (i64::from(*f), num(Locale::De, v * 100.0)))
                .collect(),
            must: s.must.join(", "),
            must_not: s.must_not.join(", "),
        }
    }

    fn parse(d: &forms::FormData, fields: &[i64]) -> Self {
        ScenarioForm {
            name: d.get("name").to_string(),
            description: d.get("description").to_string(),
            first_year: d.get("first_year").to_string(),
            years: d.get("years").to_string(),
            money: d.get("money").to_string(),
            staff: d.get("staff").to_string(),
            flex: d.get("flex").to_string(),
            include_running: d.has("include_running"),
            shares: fields
                .iter()
                .map(|f| (*f, d.get(&format!("share_{f}")).to_string()))
                .collect(),
            must: d.get("must").to_string(),
            must_not: d.get("must_not").to_string(),
        }
    }

    /// The scenario, or the fields in error.
    fn scenario(&self, v: &mut th_core::Validation) -> Option<th_measures::planner::Scenario> {
        use th_measures::planner::{Horizon, PerYear, Scenario};
        let number = |s: &str| -> Option<f64> {
            let t = s.trim().replace(' ', "");
            // German first: 1.234,5 and 120.000 (groups of three after dots) are thousands;
            // otherwise a dot is a decimal point (2.5).
            let grouped = {
                let parts: Vec<&str> = t.split('.').collect();
                parts.len() > 1
                    && !parts[0].is_empty()
                    && parts[0].len() <= 3
                    && parts[1..]
                        .iter()
                        .all(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
            };
            let t = if t.contains(',') {
                t.replace('.', "").replace(',', ".")
            } else if grouped {
                t.replace('.', "")
            } else {
                t
            };
            t.parse::<f64>().ok().filter(|x| x.is_finite())
        };
        let name = v.text("name", &self.name, 200);
        let _ = name;
        v.optional_text("description", &self.description, 2000);
        let first = self
            .first_year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y));
        if first.is_none() {
            v.add("first_year", "range");
        }
        let years = self
            .years
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|y| (1..=30).contains(y));
        if years.is_none() {
            v.add("years", "range");
        }
        let per_year = |v: &mut th_core::Validation, field: &str, s: &str| -> Option<PerYear> {
            let parts: Vec<&str> = s
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let nums: Option<Vec<f64>> = parts
                .iter()
                .map(|p| number(p).filter(|x| *x >= 0.0))
                .collect();
            match nums {
                Some(n) if n.len() == 1 => Some(PerYear::Same(n[0])),
                Some(n) if !n.is_empty() && years.is_none_or(|y| n.len() == y as usize) => {
                    Some(PerYear::Each(n))
                }
                _ => {
                    v.add(
                        field,
                        if parts.is_empty() {
                            "required"
                        } else {
                            "invalid"
                        },
                    );
                    None
                }
            }
        };
        let money = per_year(v, "money", &self.money);
        let staff = per_year(v, "staff", &self.staff);
        let flex = if self.flex.trim().is_empty() {
            Some(0)
        } else {
            self.flex.trim().parse::<u32>().ok().filter(|f| *f <= 10)
        };
        if flex.is_none() {
            v.add("flex", "range");
        }
        let mut min_share = BTreeMap::new();
        for (f, s) in &self.shares {
            if s.trim().is_empty() {
                continue;
            }
            match number(s).filter(|x| (0.0..=100.0).contains(x)) {
                Some(p) if p > 0.0 => {
                    min_share.insert(*f as u16, p / 100.0);
                }
                Some(_) => {}
                None => v.add(&format!("share_{f}"), "range"),
            }
        }
        let keys = |s: &str| -> Vec<String> {
            s.split([',', ';', '\n', ' '])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect()
        };
        if !v.is_ok() {
            return None;
        }
        Some(Scenario {
            horizon: Horizon {
                first_year: first?,
                years: years?,
            },
            money_eur: money?,
            staff_fte: staff?,
            fte_cost_eur: 75_000.0,
            goal_weights: BTreeMap::new(),
            must: keys(&self.must),
            must_not: keys(&self.must_not),
            min_share,
            start_flexibility: flex?,
            include_running: self.include_running,
        })
    }
}

/// The planner's own errors (by path) as the form's fields.
fn form_field(at: &str) -> String {
    if at.starts_with("money_eur") {
        "money".into()
    } else if at.starts_with("staff_fte") {
        "staff".into()
    } else if at.starts_with("must_not") {
        "must_not".into()
    } else if at.starts_with("must") {
        "must".into()
    } else if let Some(f) = at.strip_prefix("min_share.") {
        format!("share_{f}")
    } else if at == "min_share" {
        "share_1".into()
    } else if at.starts_with("horizon.first_year") {
        "first_year".into()
    } else if at.starts_with("horizon") {
        "years".into()
    } else if at.starts_with("start_flexibility") {
        "flex".into()
    } else {
        "name".into()
    }
}

fn scenario_form(
    ctx: &Ctx,
    action: &str,
    f: &ScenarioForm,
    fields: &[(i64, String, Locale)],
    v: &th_core::Validation,
    submit: String,
) -> Markup {
    use crate::forms::Field;
    html! {
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            (forms::error_summary(ctx, v))
            (forms::input(ctx, Field::new("name", ctx.t("admin-scenarios-name"), &f.name), v))
            (forms::input(ctx, Field::new("description", ctx.t("admin-scenario-description"), &f.description).kind("textarea").optional(), v))
            (forms::input(ctx, Field::new("first_year", ctx.t("admin-scenario-first-year"), &f.first_year).kind("number"), v))
            (forms::input(ctx, Field::new("years", ctx.t("admin-scenario-years"), &f.years).kind("number"), v))
            (forms::input(ctx, Field::new("money", ctx.t("admin-scenario-money"), &f.money).hint(ctx.t("admin-scenario-per-year-hint")), v))
            (forms::input(ctx, Field::new("staff", ctx.t("admin-scenario-staff"), &f.staff).hint(ctx.t("admin-scenario-per-year-hint")), v))
            (forms::input(ctx, Field::new("flex", ctx.t("admin-scenario-flex"), &f.flex).kind("number").hint(ctx.t("admin-scenario-flex-hint")), v))
            (forms::checkbox(ctx, "include_running", ctx.t("admin-scenario-include-running"), f.include_running, v))
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("admin-scenario-shares")) }
                @for (n, title, _) in fields {
                    @let value = f.shares.get(n).cloned().unwrap_or_default();
                    @let fname = format!("share_{n}");
                    (forms::input(ctx, Field::new(&fname, format!("{n}. {title}"), &value).optional(), v))
                }
            }
            (forms::input(ctx, Field::new("must", ctx.t("admin-scenario-must"), &f.must).hint(ctx.t("admin-scenario-keys-hint")).optional(), v))
            (forms::input(ctx, Field::new("must_not", ctx.t("admin-scenario-must-not"), &f.must_not).hint(ctx.t("admin-scenario-keys-hint")).optional(), v))
            (forms::submit(submit))
        }
    }
}

async fn save_form(
    app: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    body: &[u8],
) -> Result<Result<i64, (ScenarioForm, th_core::Validation)>, AppError> {
    let fields = crate::pages::participation::valid_fields(app, ctx).await?;
    let numbers: Vec<i64> = fields.iter().map(|f| f.0).collect();
    let d = forms::FormData::parse(body);
    let f = ScenarioForm::parse(&d, &numbers);
    let mut v = th_core::Validation::new();
    let Some(mut s) = f.scenario(&mut v) else {
        return Ok(Err((f, v)));
    };
    // What the form does not show (staff cost, goal weights) stays as it was.
    if let Some(id) = id {
        let old = store::scenario(&app.db, ctx.tenant.id, id)
            .await
            .map_err(measures_err)?;
        s.fte_cost_eur = old.scenario.fte_cost_eur;
        s.goal_weights = old.scenario.goal_weights;
    }
    match store::save_scenario(
        &app.db,
        ctx.tenant.id,
        id,
        &f.name,
        &f.description,
        &s,
        app.now(),
    )
    .await
    {
        Ok(id) => Ok(Ok(id)),
        Err(store::Error::Invalid(errs)) => {
            for e in errs {
                let field = form_field(&e.at);
                if !v.errors.iter().any(|x| x.field == field) {
                    v.add(&field, "invalid");
                }
            }
            Ok(Err((f, v)))
        }
        Err(e) => Err(measures_err(e)),
    }
}

fn form_page(
    ctx: &Ctx,
    title: String,
    action: &str,
    f: &ScenarioForm,
    fields: &[(i64, String, Locale)],
    v: &th_core::Validation,
) -> Response {
    let body = html! {
        p { a.kern-link href="/verwaltung/szenarien" { (ctx.t("admin-scenarios-back")) } }
        h1.kern-heading-x-large { (title) }
        (scenario_form(ctx, action, f, fields, v, ctx.t("admin-scenario-save")))
    };
    Page::new(title, body)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(ctx)
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    match save_form(&app, &ctx, None, &body).await? {
        Ok(id) => Ok(super::see_other(&format!("/verwaltung/szenarien/{id}"))),
        Err((f, v)) => {
            let fields = crate::pages::participation::valid_fields(&app, &ctx).await?;
            Ok(form_page(
                &ctx,
                ctx.t("admin-scenario-new"),
                "/verwaltung/szenarien",
                &f,
                &fields,
                &v,
            ))
        }
    }
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    store::scenario(&app.db, ctx.tenant.id, id)
        .await
        .map_err(measures_err)?;
    match save_form(&app, &ctx, Some(id), &body).await? {
        Ok(id) => Ok(super::see_other(&format!("/verwaltung/szenarien/{id}"))),
        Err((f, v)) => {
            let fields = crate::pages::participation::valid_fields(&app, &ctx).await?;
            Ok(form_page(
                &ctx,
                ctx.t("admin-scenario-change"),
                &format!("/verwaltung/szenarien/{id}"),
                &f,
                &fields,
                &v,
            ))
        }
    }
}

pub async fn delete(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    store::delete_scenario(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(measures_err)?;
    Ok(super::see_other("/verwaltung/szenarien"))
}

/// The form to start a new scenario, prefilled like the first one (or the demo's fund).
pub(crate) async fn new_form(
    app: &AppState,
    ctx: &Ctx,
    list: &[SavedScenario],
) -> Result<Markup, AppError> {
    let fields = crate::pages::participation::valid_fields(app, ctx).await?;
    let mut f = list
        .first()
        .map(|s| ScenarioForm::of(&s.scenario))
        .unwrap_or_else(|| ScenarioForm {
            first_year: (th_core::localtime::local(app.now()).year() + 1).to_string(),
            years: "5".into(),
            flex: "1".into(),
            ..Default::default()
        });
    f.name.clear();
    Ok(html! {
        details {
            summary { (ctx.t("admin-scenario-new")) }
            (scenario_form(ctx, "/verwaltung/szenarien", &f, &fields, &th_core::Validation::new(), ctx.t("admin-scenario-save")))
        }
    })
}

pub(crate) async fn edit_form(
    app: &AppState,
    ctx: &Ctx,
    s: &SavedScenario,
) -> Result<Markup, AppError> {
    let fields = crate::pages::participation::valid_fields(app, ctx).await?;
    let mut f = ScenarioForm::of(&s.scenario);
    f.name = s.name.clone();
    f.description = s.description.clone();
    Ok(html! {
        details {
            summary { (ctx.t("admin-scenario-change")) }
            (scenario_form(ctx, &format!("/verwaltung/szenarien/{}", s.id), &f, &fields, &th_core::Validation::new(), ctx.t("admin-scenario-save")))
            form.th-form method="post" action={ "/verwaltung/szenarien/" (s.id) "/loeschen" } {
                (forms::csrf(ctx))
                button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("admin-scenario-delete")) } }
            }
        }
    })
}
