//! Monitoring in the open: the indicators, each with a chart over time (the region and chosen
//! municipalities), a chart across municipalities, their data tables and a text summary; one
//! page per municipality; open data as CSV and JSON. Coordinators import values from CSV.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms;
use crate::layout::{raw, scroll, Page};
use crate::pages::NoteQuery;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use std::collections::{BTreeMap, HashMap, HashSet};
use th_core::Locale;
use th_i18n::{format_decimal, format_int};
use th_monitoring::chart::{self, Series};
use th_monitoring::{self as mon, Indicator, Texts, Value};

pub(crate) fn mon_err(e: mon::Error) -> AppError {
    match e {
        mon::Error::NotFound => AppError::NotFound,
        e => AppError::Internal(e.to_string()),
    }
}

fn tr(ctx: &Ctx, t: &Texts) -> Markup {
    match t.get(ctx.locale.tag()) {
        Some(s) if !s.is_empty() => html! { (s) },
        _ => {
            let de = t.get("de").cloned().unwrap_or_default();
            if ctx.locale == Locale::De {
                html! { (de) }
            } else {
                html! { span lang="de" dir="ltr" { (de) } }
            }
        }
    }
}

fn tr_text(ctx: &Ctx, t: &Texts) -> String {
    t.get(ctx.locale.tag())
        .or_else(|| t.get("de"))
        .cloned()
        .unwrap_or_default()
}

/// A value with its unit as the page's language writes it.
pub(crate) fn fmt_value(l: Locale, unit: &str, v: f64) -> String {
    match unit {
        "percent" => format!("{} %", format_decimal(v, 1, l)),
        "per_1000" => format!("{} ‰", format_decimal(v, 1, l)),
        _ => format_int(v.round() as i64, l),
    }
}

struct Region {
    /// key → name, largest first.
    towns: Vec<(String, String)>,
    population: HashMap<String, f64>,
}

async fn region(app: &AppState, ctx: &Ctx) -> Result<Region, AppError> {
    let ms = app.db.municipalities(ctx.tenant.id).await?;
    Ok(Region {
        towns: ms.iter().map(|m| (m.key.clone(), m.name.clone())).collect(),
        population: ms
            .iter()
            .map(|m| (m.key.clone(), m.population as f64))
            .collect(),
    })
}

impl Region {
    fn name<'a>(&'a self, key: &'a str) -> &'a str {
        self.towns
            .iter()
            .find(|t| t.0 == key)
            .map(|t| t.1.as_str())
            .unwrap_or(key)
    }
}

fn change_text(ctx: &Ctx, ind: &Indicator, s: &BTreeMap<i32, f64>) -> Option<String> {
    let (fy, fv) = s.iter().next()?;
    let (ly, lv) = s.iter().next_back()?;
    Some(ctx.ta(
        "monitoring-change",
        &[
            ("from_year", fy.to_string().into()),
            ("from", fmt_value(ctx.locale, &ind.unit, *fv).into()),
            ("to_year", ly.to_string().into()),
            ("to", fmt_value(ctx.locale, &ind.unit, *lv).into()),
        ],
    ))
}

pub async fn overview(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let inds = mon::indicators(&app.db, ctx.tenant.id)
        .await
        .map_err(mon_err)?;
    let vs = mon::values(&app.db, ctx.tenant.id, None)
        .await
        .map_err(mon_err)?;
    let r = region(&app, &ctx).await?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("monitoring-title")) }
        p { (ctx.t("monitoring-intro")) }
        @if inds.is_empty() { p { (ctx.t("monitoring-none")) } }
        @else {
            @if inds.iter().any(|i| i.illustrative) { (forms::notice(ctx.t("monitoring-illustrative"))) }
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.t("monitoring-indicators")) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("monitoring-indicator")) }
                        th.kern-table__header scope="col" { (ctx.t("monitoring-region-latest")) }
                        th.kern-table__header scope="col" { (ctx.t("monitoring-development")) }
                    } }
                    tbody.kern-table__body { @for ind in &inds {
                        @let s = mon::region_series(ind, &vs, &r.population);
                        tr.kern-table__row {
                            th.kern-table__header scope="row" { a.kern-link href={ "/monitoring/" (ind.key) } { (tr(&ctx, &ind.title)) } }
                            td.kern-table__cell { @if let Some((y, v)) = s.iter().next_back() { (fmt_value(ctx.locale, &ind.unit, *v)) " (" (y) ")" } @else { "–" } }
                            td.kern-table__cell { (change_text(&ctx, ind, &s).unwrap_or_else(|| "–".into())) }
                        }
                    } }
                }
            }))
            h2.kern-heading-medium { (ctx.t("monitoring-by-municipality")) }
            ul.th-list.th-columns { @for (k, n) in &r.towns { li { a.kern-link href={ "/monitoring/kommune/" (k) } { (n) } } } }
            h2.kern-heading-medium { (ctx.t("measures-open-data")) }
            ul.th-list {
                li { a.kern-link href="/monitoring.csv" download { (ctx.t("monitoring-download-csv")) } }
                li { a.kern-link href="/api/v1/indicators" { (ctx.t("monitoring-download-json")) } }
            }
        }
    };
    Ok(Page::new(ctx.t("monitoring-title"), body).render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct CompareQ {
    #[serde(default)]
    kommunen: Option<String>,
}

/// At most four municipalities to compare, from `?kommunen=a,b` (unknown ones ignored).
fn chosen(q: &CompareQ, r: &Region) -> Vec<String> {
    let wanted: Vec<&str> = q
        .kommunen
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .collect();
    r.towns
        .iter()
        .filter(|t| wanted.contains(&t.0.as_str()))
        .map(|t| t.0.clone())
        .take(4)
        .collect()
}

async fn indicator(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
    Query(q): Query<CompareQ>,
) -> Result<Response, AppError> {
    let ind = mon::indicator(&app.db, ctx.tenant.id, &key)
        .await
        .map_err(mon_err)?;
    let vs = mon::values(&app.db, ctx.tenant.id, Some(&key))
        .await
        .map_err(mon_err)?;
    let r = region(&app, &ctx).await?;
    let mut picked = chosen(&q, &r);
    if picked.is_empty() {
        picked = r.towns.iter().take(1).map(|t| t.0.clone()).collect();
    }
    let region_s = mon::region_series(&ind, &vs, &r.population);
    let town_s: Vec<(String, BTreeMap<i32, f64>)> = picked
        .iter()
        .map(|k| (k.clone(), mon::series(&key, k, &vs)))
        .collect();
    let region_label = ctx.t("monitoring-region");
    let mut series = vec![Series {
        label: &region_label,
        points: &region_s,
    }];
    for (k, s) in &town_s {
        series.push(Series {
            label: r.name(k),
            points: s,
        });
    }
    let title = tr_text(&ctx, &ind.title);
    let unit = ind.unit.clone();
    let l = ctx.locale;
    let fmt = move |v: f64| fmt_value(l, &unit, v);
    let years: Vec<i32> = region_s.keys().copied().collect();
    let latest = years.last().copied();
    let mut across: Vec<(String, f64)> = latest
        .map(|y| {
            vs.iter()
                .filter(|v| v.year == y)
                .map(|v| (r.name(&v.municipality).to_string(), v.value))
                .collect()
        })
        .unwrap_or_default();
    across.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let summary = latest.and_then(|y| {
        let (hi, lo) = (across.first()?, across.last()?);
        Some(ctx.ta(
            "monitoring-summary",
            &[
                ("year", y.to_string().into()),
                ("region", fmt(region_s[&y]).into()),
                ("high_name", hi.0.clone().into()),
                ("high", fmt(hi.1).into()),
                ("low_name", lo.0.clone().into()),
                ("low", fmt(lo.1).into()),
            ],
        ))
    });
    let line_desc = [
        change_text(&ctx, &ind, &region_s).unwrap_or_default(),
        summary.clone().unwrap_or_default(),
    ]
    .join(" ");
    let line_svg = chart::line(
        "verlauf",
        &ctx.ta("monitoring-chart-time", &[("title", title.clone().into())]),
        &line_desc,
        &series,
        &fmt,
    );
    let bars_svg = latest.map(|y| {
        chart::bars(
            "vergleich",
            &ctx.ta(
                "monitoring-chart-across",
                &[
                    ("title", title.clone().into()),
                    ("year", y.to_string().into()),
                ],
            ),
            summary.as_deref().unwrap_or(""),
            &across,
            Some((&region_label, region_s[&y])),
            &fmt,
        )
    });
    let body = html! {
        p { a.kern-link href="/monitoring" { (ctx.t("monitoring-back")) } }
        h1.kern-heading-x-large { (tr(&ctx, &ind.title)) }
        @if ind.illustrative { (forms::notice(ctx.t("monitoring-illustrative"))) }
        p { (tr(&ctx, &ind.definition)) }
        dl.th-facts {
            dt { (ctx.t("monitoring-unit")) } dd { (ctx.t(unit_key(&ind.unit))) }
            dt { (ctx.t("monitoring-source")) } dd { (tr(&ctx, &ind.source)) }
            @if !ind.goals.is_empty() {
                dt { (ctx.t("measures-goals")) }
                dd { (ind.goals.join(", ")) }
            }
        }
        @if let Some(s) = &summary { p { (s) } }
        h2.kern-heading-medium { (ctx.t("monitoring-over-time")) }
        form.th-form method="get" action={ "/monitoring/" (ind.key) } {
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("monitoring-compare-with")) }
                div.th-columns {
                    @for (k, n) in &r.towns {
                        div.kern-form-check {
                            input.kern-form-check__checkbox type="checkbox" name="k" value=(k) id={ "k-" (k) } checked[picked.contains(k)];
                            label.kern-label for={ "k-" (k) } { (n) }
                        }
                    }
                }
            }
            (forms::submit(ctx.t("monitoring-compare-submit")))
        }
        figure { (raw(&line_svg)) }
        (scroll(html! {
            table.kern-table {
                caption.kern-title { (ctx.ta("monitoring-chart-time", &[("title", title.clone().into())])) }
                thead.kern-table__head { tr.kern-table__row {
                    th.kern-table__header scope="col" { (ctx.t("admin-plan-year")) }
                    th.kern-table__header scope="col" { (region_label) }
                    @for (k, _) in &town_s { th.kern-table__header scope="col" { (r.name(k)) } }
                } }
                tbody.kern-table__body { @for y in &years {
                    tr.kern-table__row {
                        th.kern-table__header scope="row" { (y) }
                        td.kern-table__cell { (fmt(region_s[y])) }
                        @for (_, s) in &town_s { td.kern-table__cell { @if let Some(v) = s.get(y) { (fmt(*v)) } @else { "–" } } }
                    }
                } }
            }
        }))
        @if let (Some(svg), Some(y)) = (&bars_svg, latest) {
            h2.kern-heading-medium { (ctx.ta("monitoring-across", &[("year", y.to_string().into())])) }
            figure { (raw(svg)) }
            (scroll(html! {
                table.kern-table {
                    caption.kern-title { (ctx.ta("monitoring-chart-across", &[("title", title.clone().into()), ("year", y.to_string().into())])) }
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("monitoring-municipality")) }
                        th.kern-table__header scope="col" { (ctx.t("monitoring-value")) }
                    } }
                    tbody.kern-table__body { @for (n, v) in &across {
                        tr.kern-table__row { th.kern-table__header scope="row" { (n) } td.kern-table__cell { (fmt(*v)) } }
                    } }
                }
            }))
        }
    };
    Ok(Page::new(title, body).render(&ctx))
}

fn unit_key(u: &str) -> &'static str {
    match u {
        "percent" => "monitoring-unit-percent",
        "per_1000" => "monitoring-unit-per-1000",
        _ => "monitoring-unit-count",
    }
}

/// The indicator page; the municipalities to compare come as `?kommunen=a,b` (links) or
/// `?k=a&k=b` (the form's checkboxes).
pub async fn indicator_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let mut picked: Vec<String> = Vec::new();
    for pair in uri.query().unwrap_or("").split('&') {
        if let Some(v) = pair.strip_prefix("k=") {
            picked.push(v.to_string());
        } else if let Some(v) = pair.strip_prefix("kommunen=") {
            picked.extend(v.split(',').map(|s| s.to_string()));
        }
    }
    let picked: Vec<String> = picked.into_iter().map(|s| form_decode(&s)).collect();
    indicator(
        State(app),
        ctx,
        Path(key),
        Query(CompareQ {
            kommunen: Some(picked.join(",")),
        }),
    )
    .await
}

fn form_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

pub async fn municipality(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    let r = region(&app, &ctx).await?;
    let name = r
        .towns
        .iter()
        .find(|t| t.0 == key)
        .map(|t| t.1.clone())
        .ok_or(AppError::NotFound)?;
    let inds = mon::indicators(&app.db, ctx.tenant.id)
        .await
        .map_err(mon_err)?;
    let vs = mon::values(&app.db, ctx.tenant.id, None)
        .await
        .map_err(mon_err)?;
    let region_label = ctx.t("monitoring-region");
    let body = html! {
        p { a.kern-link href="/monitoring" { (ctx.t("monitoring-back")) } }
        h1.kern-heading-x-large { (ctx.ta("monitoring-municipality-title", &[("name", name.clone().into())])) }
        @if inds.iter().any(|i| i.illustrative) { (forms::notice(ctx.t("monitoring-illustrative"))) }
        @for (i, ind) in inds.iter().enumerate() {
            @let own = mon::series(&ind.key, &key, &vs);
            @let reg = mon::region_series(ind, &vs, &r.population);
            @let unit = ind.unit.clone();
            @let l = ctx.locale;
            @let fmt = move |v: f64| fmt_value(l, &unit, v);
            @let title = tr_text(&ctx, &ind.title);
            section aria-labelledby={ "ind-" (i) } {
                h2.kern-heading-medium id={ "ind-" (i) } { a.kern-link href={ "/monitoring/" (ind.key) "?kommunen=" (key) } { (tr(&ctx, &ind.title)) } }
                @if own.is_empty() { p { (ctx.t("monitoring-no-values")) } }
                @else {
                    p { (name) ": " (change_text(&ctx, ind, &own).unwrap_or_default()) }
                    figure { (raw(&chart::line(&format!("k{i}"), &format!("{title} – {name}"), &change_text(&ctx, ind, &own).unwrap_or_default(), &[Series { label: &name, points: &own }, Series { label: &region_label, points: &reg }], &fmt))) }
                    details {
                        summary { (ctx.t("monitoring-table")) }
                        (scroll(html! {
                            table.kern-table {
                                caption.kern-title { (title) " – " (name) }
                                thead.kern-table__head { tr.kern-table__row {
                                    th.kern-table__header scope="col" { (ctx.t("admin-plan-year")) }
                                    th.kern-table__header scope="col" { (name) }
                                    th.kern-table__header scope="col" { (region_label) }
                                } }
                                tbody.kern-table__body { @for (y, v) in &own {
                                    tr.kern-table__row {
                                        th.kern-table__header scope="row" { (y) }
                                        td.kern-table__cell { (fmt(*v)) }
                                        td.kern-table__cell { @if let Some(rv) = reg.get(y) { (fmt(*rv)) } @else { "–" } }
                                    }
                                } }
                            }
                        }))
                    }
                }
            }
        }
    };
    Ok(Page::new(
        ctx.ta("monitoring-municipality-title", &[("name", name.into())]),
        body,
    )
    .render(&ctx))
}

/// Open data: every value as CSV.
pub async fn csv(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let vs = mon::values(&app.db, ctx.tenant.id, None)
        .await
        .map_err(mon_err)?;
    Ok(crate::pages::measures::csv_file(
        mon::values_csv(&vs),
        "monitoring.csv",
    ))
}

// ---- coordinators ----

pub async fn admin(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoteQuery>,
) -> Result<Response, AppError> {
    let inds = mon::indicators(&app.db, ctx.tenant.id)
        .await
        .map_err(mon_err)?;
    let note = q.text(&ctx, &["admin-monitoring-imported"]);
    let body = html! {
        p { a.kern-link href="/verwaltung" { (ctx.t("nav-admin")) } }
        h1.kern-heading-x-large { (ctx.t("admin-monitoring-title")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { (ctx.t("admin-monitoring-intro")) }
        ul.th-list { @for i in &inds { li { bdi { (i.key) } ": " (tr(&ctx, &i.title)) } } }
        (values_form(&ctx))
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-monitoring-title"), body).render(&ctx),
    ))
}

fn values_form(ctx: &Ctx) -> Markup {
    html! {
        form.th-form method="post" action="/verwaltung/monitoring/werte" enctype="multipart/form-data" {
            (forms::csrf(ctx))
            div.kern-form-input {
                label.kern-label for="file" { (ctx.t("admin-monitoring-file")) }
                div.kern-hint #file-hint { (ctx.t("admin-monitoring-file-hint")) }
                input.kern-form-input__input #file type="file" name="file" accept=".csv,text/csv" required aria-describedby="file-hint";
            }
            (forms::submit(ctx.t("admin-measures-import-submit")))
        }
    }
}

pub(crate) async fn import_values(
    app: &AppState,
    ctx: &Ctx,
    text: &str,
) -> Result<Result<usize, Vec<mon::LineError>>, AppError> {
    let inds: HashMap<String, String> = mon::indicators(&app.db, ctx.tenant.id)
        .await
        .map_err(mon_err)?
        .into_iter()
        .map(|i| (i.key, i.unit))
        .collect();
    let towns: HashSet<String> = app
        .db
        .municipalities(ctx.tenant.id)
        .await?
        .into_iter()
        .map(|m| m.key)
        .collect();
    match mon::parse_values_csv(text, &inds, &towns, 1950..=2100) {
        Ok(vs) => Ok(Ok(mon::put_values(&app.db, ctx.tenant.id, &vs, app.now())
            .await
            .map_err(mon_err)?)),
        Err(e) => Ok(Err(e)),
    }
}

fn error_key(code: &str) -> &'static str {
    match code {
        "empty" => "admin-measures-csv-empty",
        "header" => "admin-monitoring-csv-header",
        "indicator" => "admin-monitoring-csv-indicator",
        "municipality" => "admin-monitoring-csv-municipality",
        "year" => "admin-monitoring-csv-year",
        "value" => "admin-monitoring-csv-value",
        "columns" => "admin-monitoring-csv-columns",
        _ => "admin-monitoring-csv-duplicate",
    }
}

pub async fn upload(
    State(app): State<AppState>,
    ctx: Ctx,
    mp: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let text = crate::pages::guide_admin::upload_text(mp).await?;
    match import_values(&app, &ctx, &text).await? {
        Ok(n) => Ok(super::noted(
            "/verwaltung/monitoring",
            "admin-monitoring-imported",
            n as i64,
            0,
        )),
        Err(errs) => {
            let rows: Vec<(usize, &'static str, &str)> = errs
                .iter()
                .map(|e| (e.line, error_key(e.code), e.value.as_str()))
                .collect();
            Ok(crate::pages::measures::import_failed(
                &ctx,
                ("/verwaltung/monitoring", ctx.t("admin-monitoring-title")),
                &rows,
                values_form(&ctx),
            ))
        }
    }
}

/// The JSON of the open data: every indicator with the region's series and all values.
pub(crate) async fn open_data(
    app: &AppState,
    ctx: &Ctx,
    key: Option<&str>,
) -> Result<serde_json::Value, AppError> {
    let inds = mon::indicators(&app.db, ctx.tenant.id)
        .await
        .map_err(mon_err)?;
    let vs: Vec<Value> = mon::values(&app.db, ctx.tenant.id, key)
        .await
        .map_err(mon_err)?;
    let r = region(app, ctx).await?;
    let list: Vec<serde_json::Value> = inds
        .iter()
        .filter(|i| key.is_none_or(|k| i.key == k))
        .map(|i| {
            let values: Vec<&Value> = vs.iter().filter(|v| v.indicator == i.key).collect();
            serde_json::json!({
                "indicator": i,
                "region": mon::region_series(i, &vs, &r.population),
                "values": values,
            })
        })
        .collect();
    Ok(serde_json::json!({ "indicators": list }))
}
