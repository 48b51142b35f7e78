//! The administration's languages: staff record the languages they speak and whether they
//! interpret for colleagues; team leads see where their clients' languages meet no speaker,
//! record demand, export the coverage; anyone on the staff books an interpreter from the
//! internal pool, and the colleagues who speak the language are asked by e-mail. Names of
//! staff are shown only to the leads of their own unit.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self, Field, FormData};
use crate::layout::{datetime, scroll, Page};
use crate::pages::guide::{dir_err, language_name, Towns};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use th_core::{Role, Validation};
use th_directory::languages;
use th_directory::staff::{self, Cover, CoverageRow, Staff};

fn cover_key(c: Cover) -> &'static str {
    match c {
        Cover::Gap => "admin-staff-cover-gap",
        Cover::Single => "admin-staff-cover-single",
        Cover::Covered => "admin-staff-cover-covered",
        Cover::Spare => "admin-staff-cover-spare",
    }
}

fn trend_text(ctx: &Ctx, pct: i64) -> String {
    if pct > 5 {
        ctx.ta("admin-staff-trend-up", &[("pct", pct.into())])
    } else if pct < -5 {
        ctx.ta("admin-staff-trend-down", &[("pct", (-pct).into())])
    } else {
        ctx.t("admin-staff-trend-same")
    }
}

async fn me(app: &AppState, ctx: &Ctx) -> Result<Vec<Staff>, AppError> {
    match ctx.user_id() {
        Some(u) => staff::staff_of_user(&app.db, ctx.tenant.id, u)
            .await
            .map_err(dir_err),
        None => Ok(Vec::new()),
    }
}

fn level_options(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), ctx.t("admin-staff-level-none"))];
    v.extend(languages::LEVELS.iter().map(|l| {
        (
            l.to_string(),
            if *l == "native" {
                ctx.t("admin-staff-level-native")
            } else {
                l.to_string()
            },
        )
    }));
    v
}

fn nav(ctx: &Ctx) -> Markup {
    html! {
        nav aria-label=(ctx.t("admin-staff-nav")) {
            ul.th-actions {
                li { a.kern-link href="/amt/sprachen" { (ctx.t("admin-staff-mine")) } }
                @if matches!(ctx.role(), Role::TeamLead | Role::Coordinator | Role::Admin) {
                    li { a.kern-link href="/amt/sprachen/abdeckung" { (ctx.t("admin-staff-coverage")) } }
                }
                li { a.kern-link href="/amt/dolmetschen" { (ctx.t("admin-staff-interpreting")) } }
            }
        }
    }
}

pub async fn mine(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    page_mine(
        &app,
        &ctx,
        &Validation::new(),
        q.text(&ctx, &["admin-saved"]),
    )
    .await
}

async fn page_mine(
    app: &AppState,
    ctx: &Ctx,
    v: &Validation,
    note: Option<String>,
) -> Result<Response, AppError> {
    let records = me(app, ctx).await?;
    let units = staff::units(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let levels = level_options(ctx);
    let body = html! {
        (nav(ctx))
        h1.kern-heading-x-large { (ctx.t("admin-staff-mine")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { (ctx.t("admin-staff-mine-intro")) }
        @if records.is_empty() { p { (ctx.t("admin-staff-no-record")) } }
        @for r in &records {
            @let unit = units.iter().find(|u| u.id == r.unit_id).map(|u| u.name.clone()).unwrap_or_default();
            h2.kern-heading-medium { (unit) }
            (forms::error_summary(ctx, v))
            form.th-form method="post" action="/amt/sprachen" novalidate {
                (forms::csrf(ctx))
                input type="hidden" name="staff" value=(r.id);
                (scroll(html! {
                    table.kern-table {
                        caption { (ctx.t("admin-staff-levels-caption")) }
                        thead.kern-table__head { tr.kern-table__row { th.kern-table__header scope="col" { (ctx.t("admin-staff-language")) } th.kern-table__header scope="col" { (ctx.t("admin-staff-level")) } } }
                        tbody.kern-table__body {
                            @for (code, _, _) in languages::SPOKEN.iter().filter(|s| s.0 != "de") {
                                @let current = r.languages.iter().find(|l| l.0 == *code).map(|l| l.1.clone()).unwrap_or_default();
                                tr.kern-table__row {
                                    th.kern-table__header scope="row" { label for={ "lang-" (code) } { (language_name(ctx, code)) } }
                                    td.kern-table__cell {
                                        select.kern-form-input__select id={ "lang-" (code) } name={ "lang-" (code) } {
                                            @for (val, text) in &levels { option value=(val) selected[*val == current] { (text) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }))
                (forms::checkbox(ctx, "interprets", ctx.t("admin-staff-interprets"), r.interprets, v))
                (forms::submit(ctx.t("admin-save")))
            }
        }
    };
    let status = if v.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-staff-mine"), body)
            .status(status)
            .render(ctx),
    ))
}

pub async fn save_mine(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormData::parse(&body);
    let id: i64 = f.get("staff").parse().map_err(|_| AppError::NotFound)?;
    let records = me(&app, &ctx).await?;
    let r = records
        .iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let langs: Vec<(String, String)> = languages::SPOKEN
        .iter()
        .filter_map(|(c, _, _)| {
            let level = f.get(&format!("lang-{c}"));
            (!level.is_empty()).then(|| (c.to_string(), level.to_string()))
        })
        .collect();
    match staff::set_languages(
        &app.db,
        ctx.tenant.id,
        r.id,
        &langs,
        f.has("interprets"),
        ctx.user_id(),
        app.now(),
    )
    .await
    {
        Ok(()) => Ok(super::noted("/amt/sprachen", "admin-saved", 0, 0)),
        Err(th_directory::DirError::Invalid(errs)) => {
            page_mine(&app, &ctx, &Validation { errors: errs }, None).await
        }
        Err(e) => Err(dir_err(e)),
    }
}

/// Units whose staff names this person may see: the ones they lead.
fn led_units(records: &[Staff]) -> Vec<i64> {
    records
        .iter()
        .filter(|r| r.lead)
        .map(|r| r.unit_id)
        .collect()
}

pub async fn coverage(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    coverage_page(
        &app,
        &ctx,
        &Validation::new(),
        q.text(
            &ctx,
            &[
                "admin-staff-demand-saved",
                "admin-staff-member-added",
                "admin-staff-member-removed",
                "admin-staff-unit-added",
            ],
        ),
    )
    .await
}

async fn coverage_page(
    app: &AppState,
    ctx: &Ctx,
    v: &Validation,
    note: Option<String>,
) -> Result<Response, AppError> {
    let t = ctx.tenant.id;
    let (last, rows) = staff::coverage(&app.db, t).await.map_err(dir_err)?;
    let records = me(app, ctx).await?;
    let led = led_units(&records);
    let towns = Towns::load(app, ctx).await?;
    let units = staff::units(&app.db, t).await.map_err(dir_err)?;
    let mut team: Vec<Staff> = Vec::new();
    for u in &led {
        team.extend(
            staff::staff_of_unit(&app.db, t, *u)
                .await
                .map_err(dir_err)?,
        );
    }
    let members: Vec<Staff> = if matches!(ctx.role(), Role::Coordinator | Role::Admin) {
        staff::all_staff(&app.db, t).await.map_err(dir_err)?
    } else {
        team.clone()
    };
    let mv = &Validation::new();
    let gaps: Vec<&CoverageRow> = rows.iter().filter(|r| r.cover == Cover::Gap).collect();
    let singles: Vec<&CoverageRow> = rows.iter().filter(|r| r.cover == Cover::Single).collect();
    let lang_opts: Vec<(String, String)> = languages::SPOKEN
        .iter()
        .filter(|s| s.0 != "de")
        .map(|(c, _, _)| (c.to_string(), language_name(ctx, c)))
        .collect();
    let unit_opts: Vec<(String, String)> = units
        .iter()
        .filter(|u| led.contains(&u.id) || matches!(ctx.role(), Role::Coordinator | Role::Admin))
        .map(|u| (u.id.to_string(), u.name.clone()))
        .collect();
    let row = |r: &CoverageRow| {
        let names: Vec<String> = team
            .iter()
            .filter(|s| {
                s.unit_id == r.unit_id
                    && s.languages
                        .iter()
                        .any(|l| l.0 == r.code && staff::serves(&l.1))
            })
            .map(|s| s.name.clone())
            .collect();
        html! {
            tr.kern-table__row {
                th.kern-table__header scope="row" { (language_name(ctx, &r.code)) }
                td.kern-table__cell { (r.unit) br; small { (towns.name(&r.municipality)) } }
                td.kern-table__cell { (r.recent) @if let Some(t) = staff::trend(r) { br; small { (trend_text(ctx, t)) } } }
                td.kern-table__cell { (r.before) }
                td.kern-table__cell { (r.speakers) @if !names.is_empty() { br; small { (names.join(", ")) } } }
                td.kern-table__cell { (r.pool) }
                td.kern-table__cell { strong { (ctx.t(cover_key(r.cover))) } }
            }
        }
    };
    let body = html! {
        (nav(ctx))
        h1.kern-heading-x-large { (ctx.t("admin-staff-coverage")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { (ctx.t("admin-staff-coverage-intro")) }
        @if let Some(l) = &last { p.kern-hint { (ctx.ta("admin-staff-coverage-period", &[("month", l.clone().into())])) } }
        h2.kern-heading-medium { (ctx.t("admin-staff-gaps")) }
        @if gaps.is_empty() { p { (ctx.t("admin-staff-gaps-none")) } }
        ul { @for g in &gaps { li { (ctx.ta("admin-staff-gap-line", &[("language", language_name(ctx, &g.code).into()), ("unit", g.unit.clone().into()), ("count", g.recent.into()), ("pool", g.pool.into())])) } } }
        h2.kern-heading-medium { (ctx.t("admin-staff-singles")) }
        @if singles.is_empty() { p { (ctx.t("admin-staff-gaps-none")) } }
        ul { @for g in &singles { li { (ctx.ta("admin-staff-single-line", &[("language", language_name(ctx, &g.code).into()), ("unit", g.unit.clone().into()), ("count", g.recent.into())])) } } }
        h2.kern-heading-medium #tabelle { (ctx.t("admin-staff-table")) }
        p { a.kern-link href="/amt/sprachen/abdeckung.csv" { (ctx.t("admin-staff-csv")) } }
        (scroll(html! {
            table.kern-table aria-labelledby="tabelle" {
                thead.kern-table__head { tr.kern-table__row {
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-language")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-unit")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-recent")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-before")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-speakers")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-pool")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-status")) }
                } }
                tbody.kern-table__body { @for r in &rows { (row(r)) } }
            }
        }))
        h2.kern-heading-medium #orte { (ctx.t("admin-staff-by-place")) }
        (scroll(html! {
            table.kern-table aria-labelledby="orte" {
                thead.kern-table__head { tr.kern-table__row {
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-municipality")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-language")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-recent")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-speakers")) }
                    th.kern-table__header scope="col" { (ctx.t("admin-staff-status")) }
                } }
                tbody.kern-table__body {
                    @for r in staff::by_municipality(&rows) {
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { (towns.name(&r.municipality)) }
                            td.kern-table__cell { (language_name(ctx, &r.code)) }
                            td.kern-table__cell { (r.recent) @if let Some(t) = staff::trend(&r) { br; small { (trend_text(ctx, t)) } } }
                            td.kern-table__cell { (r.speakers) }
                            td.kern-table__cell { strong { (ctx.t(cover_key(r.cover))) } }
                        }
                    }
                }
            }
        }))
        @if !unit_opts.is_empty() {
            h2.kern-heading-medium #team { (ctx.t("admin-staff-manage")) }
            @for (uid, uname) in &unit_opts {
                @let uid: i64 = uid.parse().unwrap_or(0);
                h3.kern-heading-small { (uname) }
                ul {
                    @for m in members.iter().filter(|m| m.unit_id == uid) {
                        li {
                            (m.name) @if m.lead { " · " (ctx.t("admin-staff-lead")) }
                            @if !m.languages.is_empty() { " · " (m.languages.iter().map(|l| format!("{} {}", l.0, l.1)).collect::<Vec<_>>().join(", ")) }
                            @if m.user_id.is_none() { " · " (ctx.t("admin-staff-no-account")) }
                            form.th-inline-form method="post" action={ "/amt/teams/" (uid) "/mitglieder/" (m.id) "/entfernen" } {
                                (forms::csrf(ctx))
                                button.kern-btn.kern-btn--tertiary type="submit" aria-label=(ctx.ta("admin-staff-remove-named", &[("name", m.name.clone().into())])) { span.kern-label { (ctx.t("admin-staff-remove")) } }
                            }
                        }
                    }
                }
            }
            h3.kern-heading-small { (ctx.t("admin-staff-add-member")) }
            (forms::error_summary(ctx, mv))
            form.th-form method="post" action="/amt/teams/mitglieder" novalidate {
                (forms::csrf(ctx))
                (forms::select(ctx, "unit", ctx.t("admin-staff-unit"), &unit_opts, "", mv))
                (forms::input(ctx, Field::new("name", ctx.t("admin-staff-name"), "").id("member-name".into()), mv))
                (forms::input(ctx, Field::new("email", ctx.t("field-email"), "").kind("email").hint(ctx.t("admin-staff-email-hint")).id("member-email".into()), mv))
                (forms::checkbox(ctx, "lead", ctx.t("admin-staff-lead"), false, mv))
                (forms::submit(ctx.t("admin-staff-add")))
            }
        }
        @if matches!(ctx.role(), Role::Coordinator | Role::Admin) {
            h3.kern-heading-small { (ctx.t("admin-staff-add-unit")) }
            form.th-form method="post" action="/amt/teams" novalidate {
                (forms::csrf(ctx))
                (forms::input(ctx, Field::new("unit_name", ctx.t("admin-staff-unit-name"), ""), mv))
                (forms::select(ctx, "municipality", ctx.t("admin-staff-municipality"), &towns.0.iter().map(|m| (m.0.clone(), m.1.clone())).collect::<Vec<_>>(), "", mv))
                (forms::submit(ctx.t("admin-staff-add")))
            }
        }
        @if !unit_opts.is_empty() {
            h2.kern-heading-medium { (ctx.t("admin-staff-demand")) }
            (forms::error_summary(ctx, v))
            form.th-form method="post" action="/amt/sprachen/bedarf" novalidate {
                (forms::csrf(ctx))
                (forms::select(ctx, "unit", ctx.t("admin-staff-unit"), &unit_opts, "", v))
                (forms::select(ctx, "code", ctx.t("admin-staff-language"), &lang_opts, "", v))
                (forms::input(ctx, Field::new("period", ctx.t("admin-staff-period"), "").kind("month").hint(ctx.t("admin-staff-period-hint")), v))
                (forms::input(ctx, Field::new("requests", ctx.t("admin-staff-requests"), "").kind("number"), v))
                (forms::submit(ctx.t("admin-save")))
            }
        }
    };
    let status = if v.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-staff-coverage"), body)
            .status(status)
            .render(ctx),
    ))
}

pub async fn coverage_csv(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let (_, rows) = staff::coverage(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let headers = [
        ctx.t("admin-staff-unit"),
        ctx.t("admin-staff-municipality"),
        ctx.t("admin-staff-language"),
        ctx.t("admin-staff-recent"),
        ctx.t("admin-staff-before"),
        ctx.t("admin-staff-speakers"),
        ctx.t("admin-staff-pool"),
        ctx.t("admin-staff-status"),
    ];
    let towns = Towns::load(&app, &ctx).await?;
    let named: Vec<CoverageRow> = rows
        .into_iter()
        .map(|mut r| {
            r.municipality = towns.name(&r.municipality).to_string();
            r.code = format!("{} ({})", language_name(&ctx, &r.code), r.code);
            r
        })
        .collect();
    let csv = staff::coverage_csv(&named, &headers, |c| ctx.t(cover_key(c)));
    let mut res = csv.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"sprachabdeckung.csv\""),
    );
    Ok(res)
}

pub async fn record_demand(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormData::parse(&body);
    let unit: i64 = f.get("unit").parse().map_err(|_| AppError::NotFound)?;
    let records = me(&app, &ctx).await?;
    if !led_units(&records).contains(&unit)
        && !matches!(ctx.role(), Role::Coordinator | Role::Admin)
    {
        return Err(AppError::NotFound);
    }
    let requests = f.get("requests").trim().parse::<i64>().unwrap_or(-1);
    match staff::record_demand(
        &app.db,
        ctx.tenant.id,
        unit,
        f.get("code"),
        f.get("period").trim(),
        requests,
    )
    .await
    {
        Ok(()) => Ok(super::noted(
            "/amt/sprachen/abdeckung",
            "admin-staff-demand-saved",
            0,
            0,
        )),
        Err(th_directory::DirError::Invalid(errs)) => {
            coverage_page(&app, &ctx, &Validation { errors: errs }, None).await
        }
        Err(e) => Err(dir_err(e)),
    }
}

#[derive(Default)]
struct BookForm {
    code: String,
    starts_at: String,
    minutes: String,
    place: String,
    note: String,
}

pub async fn interpreting(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    interpreting_page(
        &app,
        &ctx,
        &BookForm {
            minutes: "60".into(),
            ..Default::default()
        },
        &Validation::new(),
        q.text(
            &ctx,
            &[
                "admin-staff-booked",
                "admin-staff-accepted",
                "admin-staff-taken",
                "admin-staff-cancelled",
            ],
        ),
    )
    .await
}

async fn interpreting_page(
    app: &AppState,
    ctx: &Ctx,
    f: &BookForm,
    v: &Validation,
    note: Option<String>,
) -> Result<Response, AppError> {
    let t = ctx.tenant.id;
    let records = me(app, ctx).await?;
    let units = staff::units(&app.db, t).await.map_err(dir_err)?;
    let all = staff::requests(&app.db, t, None, app.now() - 3600)
        .await
        .map_err(dir_err)?;
    let my_units: Vec<i64> = records.iter().map(|r| r.unit_id).collect();
    let ours: Vec<&staff::InterpreterRequest> = all
        .iter()
        .filter(|r| my_units.contains(&r.unit_id))
        .collect();
    let interpreters = staff::all_staff(&app.db, t).await.map_err(dir_err)?;
    let mine_langs: Vec<String> = records
        .iter()
        .filter(|r| r.interprets)
        .flat_map(|r| {
            r.languages
                .iter()
                .filter(|l| staff::serves(&l.1))
                .map(|l| l.0.clone())
        })
        .collect();
    let for_me: Vec<&staff::InterpreterRequest> = all
        .iter()
        .filter(|r| {
            r.status == "open" && mine_langs.contains(&r.code) && !my_units.contains(&r.unit_id)
        })
        .collect();
    let lang_opts: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("guide-choose")))
        .chain(
            languages::SPOKEN
                .iter()
                .filter(|s| s.0 != "de")
                .map(|(c, _, _)| (c.to_string(), language_name(ctx, c))),
        )
        .collect();
    let unit_name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let status_key = |s: &str| match s {
        "open" => "admin-staff-request-open",
        "accepted" => "admin-staff-request-accepted",
        _ => "admin-staff-request-cancelled",
    };
    let labels = [
        ("code", "admin-staff-language"),
        ("starts_at", "admin-staff-when"),
        ("minutes", "admin-staff-minutes"),
        ("place", "admin-staff-place"),
    ];
    let body = html! {
        (nav(ctx))
        h1.kern-heading-x-large { (ctx.t("admin-staff-interpreting")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { (ctx.t("admin-staff-interpreting-intro")) }
        @if !for_me.is_empty() {
            h2.kern-heading-medium { (ctx.t("admin-staff-for-me")) }
            ul { @for r in &for_me { li {
                @let what = format!("{} · {}", language_name(ctx, &r.code), datetime(ctx, r.starts_at));
                (what) " · " (ctx.ta("admin-staff-minutes-n", &[("n", r.minutes.into())])) " · " (unit_name(r.unit_id)) " · " bdi { (r.place) }
                @if !r.note.is_empty() { br; (ctx.t("admin-staff-note")) ": " bdi { (r.note) } }
                form.th-inline-form method="post" action={ "/amt/dolmetschen/" (r.id) "/uebernehmen" } {
                    (forms::csrf(ctx))
                    button.kern-btn.kern-btn--secondary type="submit" aria-label={ (ctx.t("admin-staff-accept")) ": " (what) } { span.kern-label { (ctx.t("admin-staff-accept")) } }
                }
            } } }
        }
        h2.kern-heading-medium { (ctx.t("admin-staff-book")) }
        @if records.is_empty() {
            p { (ctx.t("admin-staff-no-record")) }
        } @else {
            (forms::error_summary_with(ctx, v, &labels))
            form.th-form method="post" action="/amt/dolmetschen" novalidate {
                (forms::csrf(ctx))
                (forms::select(ctx, "code", ctx.t("admin-staff-language"), &lang_opts, &f.code, v))
                (forms::input(ctx, Field::new("starts_at", ctx.t("admin-staff-when"), &f.starts_at).kind("datetime-local"), v))
                (forms::input(ctx, Field::new("minutes", ctx.t("admin-staff-minutes"), &f.minutes).kind("number"), v))
                (forms::input(ctx, Field::new("place", ctx.t("admin-staff-place"), &f.place), v))
                (forms::input(ctx, Field::new("note", ctx.t("admin-staff-note"), &f.note).optional(), v))
                (forms::submit(ctx.t("admin-staff-book-submit")))
            }
        }
        h2.kern-heading-medium { (ctx.t("admin-staff-ours")) }
        @if ours.is_empty() { p { (ctx.t("admin-staff-ours-none")) } }
        ul { @for r in &ours { li {
            @let what = format!("{} · {}", language_name(ctx, &r.code), datetime(ctx, r.starts_at));
            (what) " · " bdi { (r.place) } " · " strong { (ctx.t(status_key(&r.status))) }
            @if let Some(name) = r.interpreter.and_then(|i| interpreters.iter().find(|s| s.id == i)).map(|s| s.name.clone()) { " · " (name) }
            @if !r.note.is_empty() { br; (ctx.t("admin-staff-note")) ": " bdi { (r.note) } }
            @if r.status != "cancelled" {
                form.th-inline-form method="post" action={ "/amt/dolmetschen/" (r.id) "/absagen" } {
                    (forms::csrf(ctx))
                    button.kern-btn.kern-btn--tertiary type="submit" aria-label={ (ctx.t("admin-staff-cancel")) ": " (what) } { span.kern-label { (ctx.t("admin-staff-cancel")) } }
                }
            }
        } } }
    };
    let status = if v.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-staff-interpreting"), body)
            .status(status)
            .render(ctx),
    ))
}

pub async fn book(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormData::parse(&body);
    let records = me(&app, &ctx).await?;
    // Booking needs a staff record (the unit); without one there is nothing to book for.
    let Some(r) = records.first() else {
        return Err(AppError::NotFound);
    };
    let form = BookForm {
        code: f.get("code").to_string(),
        starts_at: f.get("starts_at").to_string(),
        minutes: f.get("minutes").to_string(),
        place: f.get("place").to_string(),
        note: f.get("note").to_string(),
    };
    let req = staff::NewRequest {
        unit_id: r.unit_id,
        code: &form.code,
        starts_at: th_core::localtime::parse_local(&form.starts_at),
        minutes: form.minutes.trim().parse().unwrap_or(0),
        place: &form.place,
        note: &form.note,
    };
    let now = app.now();
    match staff::request_interpreter(
        &app.db,
        ctx.tenant.id,
        &req,
        ctx.user_id().unwrap_or(0),
        now,
    )
    .await
    {
        Ok((id, pool)) => {
            notify(
                &app,
                &ctx,
                &pool,
                &Booking {
                    id,
                    code: &form.code,
                    when: &form.starts_at,
                    place: &form.place,
                    note: &form.note,
                    unit: r.unit_id,
                },
            )
            .await?;
            Ok(super::noted(
                "/amt/dolmetschen",
                "admin-staff-booked",
                pool.len() as i64,
                0,
            ))
        }
        Err(th_directory::DirError::Invalid(errs)) => {
            interpreting_page(&app, &ctx, &form, &Validation { errors: errs }, None).await
        }
        Err(e) => Err(dir_err(e)),
    }
}

/// What the colleagues are asked for.
pub(crate) struct Booking<'a> {
    pub id: i64,
    pub code: &'a str,
    pub when: &'a str,
    pub place: &'a str,
    pub note: &'a str,
    pub unit: i64,
}

/// Asks every colleague of the pool by e-mail (in German: the administration's language).
pub(crate) async fn notify(
    app: &AppState,
    ctx: &Ctx,
    pool: &[Staff],
    b: &Booking<'_>,
) -> Result<(), AppError> {
    let (id, unit) = (b.id, b.unit);
    let units = staff::units(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let unit = units
        .iter()
        .find(|u| u.id == unit)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let de = th_core::Locale::De;
    let mut tx = app.db.begin().await?;
    for s in pool.iter().filter(|s| !s.email.is_empty()) {
        let subject = app.i18n.ta(
            de,
            "admin-staff-mail-subject",
            &[("language", language_name_de(app, b.code).into())],
        );
        let body = app.i18n.ta(
            de,
            "admin-staff-mail-body",
            &[
                ("name", s.name.clone().into()),
                ("language", language_name_de(app, b.code).into()),
                ("when", b.when.replace('T', " ").into()),
                ("place", b.place.to_string().into()),
                ("unit", unit.clone().into()),
                ("link", format!("{}/amt/dolmetschen", ctx.origin).into()),
            ],
        );
        let body = if b.note.trim().is_empty() {
            body
        } else {
            format!(
                "{body}\n\n{}: {}",
                app.i18n.t(de, "admin-staff-note"),
                b.note.trim()
            )
        };
        let key = format!("interpreter:{id}:{}", s.id);
        th_mail::enqueue(
            &mut tx,
            th_mail::Outgoing {
                tenant: ctx.tenant.id,
                recipient: &s.email,
                subject: &subject,
                body: &body,
                dedupe_key: Some(&key),
            },
            app.now(),
        )
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    tx.commit().await?;
    Ok(())
}

fn language_name_de(app: &AppState, code: &str) -> String {
    languages::label_key(code)
        .map(|k| app.i18n.t(th_core::Locale::De, k))
        .unwrap_or_else(|| code.to_string())
}

/// Takes an open request in a language one interprets (pages and API): the id and whether
/// this person got it (false: someone was quicker).
pub(crate) async fn accept_mine(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<(i64, bool), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let records = me(app, ctx).await?;
    let req = staff::request(&app.db, ctx.tenant.id, id)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    let r = records
        .iter()
        .find(|r| {
            r.interprets
                && r.languages
                    .iter()
                    .any(|l| l.0 == req.code && staff::serves(&l.1))
        })
        .ok_or(AppError::NotFound)?;
    let took = staff::accept(&app.db, ctx.tenant.id, id, r, app.now())
        .await
        .map_err(dir_err)?;
    Ok((id, took))
}

pub async fn accept(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (_, took) = accept_mine(&app, &ctx, &id).await?;
    Ok(super::noted(
        "/amt/dolmetschen",
        if took {
            "admin-staff-accepted"
        } else {
            "admin-staff-taken"
        },
        0,
        0,
    ))
}

/// Cancels a request of one's own unit (pages and API).
pub(crate) async fn cancel_mine(app: &AppState, ctx: &Ctx, id: &str) -> Result<i64, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let records = me(app, ctx).await?;
    let req = staff::request(&app.db, ctx.tenant.id, id)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    if !records.iter().any(|r| r.unit_id == req.unit_id) {
        return Err(AppError::NotFound);
    }
    staff::cancel(&app.db, ctx.tenant.id, id, app.now())
        .await
        .map_err(dir_err)?;
    Ok(id)
}

pub async fn cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    cancel_mine(&app, &ctx, &id).await?;
    Ok(super::noted(
        "/amt/dolmetschen",
        "admin-staff-cancelled",
        0,
        0,
    ))
}

fn may_manage(ctx: &Ctx, records: &[Staff], unit: i64) -> bool {
    matches!(ctx.role(), Role::Coordinator | Role::Admin) || led_units(records).contains(&unit)
}

pub async fn add_member(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormData::parse(&body);
    let unit: i64 = f.get("unit").parse().map_err(|_| AppError::NotFound)?;
    let records = me(&app, &ctx).await?;
    if !may_manage(&ctx, &records, unit) {
        return Err(AppError::NotFound);
    }
    // The record is linked to the account with that address, if there is one.
    let user = match th_core::Email::parse(f.get("email").trim()) {
        Ok(e) => th_auth::user_by_email(&app.db, ctx.tenant.id, &e)
            .await?
            .map(|u| u.id),
        Err(_) => None,
    };
    let m = staff::Member {
        unit_id: unit,
        name: f.get("name"),
        email: f.get("email"),
        lead: f.has("lead"),
        user,
    };
    match staff::add_member(&app.db, ctx.tenant.id, &m, app.now()).await {
        Ok(id) => {
            app.audit(&ctx, "staff_add", "staff", id, "").await?;
            Ok(super::noted(
                "/amt/sprachen/abdeckung",
                "admin-staff-member-added",
                0,
                0,
            ))
        }
        Err(th_directory::DirError::Invalid(errs)) => {
            coverage_page(&app, &ctx, &Validation { errors: errs }, None).await
        }
        Err(e) => Err(dir_err(e)),
    }
}

pub async fn remove_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((unit, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let unit: i64 = unit.parse().map_err(|_| AppError::NotFound)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let records = me(&app, &ctx).await?;
    if !may_manage(&ctx, &records, unit) {
        return Err(AppError::NotFound);
    }
    staff::remove_member(&app.db, ctx.tenant.id, unit, id)
        .await
        .map_err(dir_err)?;
    app.audit(&ctx, "staff_remove", "staff", id, "").await?;
    Ok(super::noted(
        "/amt/sprachen/abdeckung",
        "admin-staff-member-removed",
        0,
        0,
    ))
}

pub async fn add_unit(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    if !matches!(ctx.role(), Role::Coordinator | Role::Admin) {
        return Err(AppError::NotFound);
    }
    let f = FormData::parse(&body);
    let towns = Towns::load(&app, &ctx).await?;
    match staff::add_unit(
        &app.db,
        ctx.tenant.id,
        f.get("unit_name"),
        f.get("municipality"),
        &towns.keys(),
        app.now(),
    )
    .await
    {
        Ok(id) => {
            app.audit(&ctx, "unit_add", "unit", id, "").await?;
            Ok(super::noted(
                "/amt/sprachen/abdeckung",
                "admin-staff-unit-added",
                0,
                0,
            ))
        }
        Err(th_directory::DirError::Invalid(errs)) => {
            coverage_page(&app, &ctx, &Validation { errors: errs }, None).await
        }
        Err(e) => Err(dir_err(e)),
    }
}
