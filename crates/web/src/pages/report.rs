//! The report of a process: charts drawn as SVG on the server (no script), each followed by
//! the table of its numbers, and the same numbers as CSV and JSON.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::{date, scroll, Page};
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use th_participation::contribution::ContributionKind;
use th_participation::report::{self, Report};
use th_participation::OrgKind;

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// A horizontal bar chart: one row per label with one bar per series. Described for screen
/// readers by its title; the numbers are in the table that follows it.
fn bar_chart(
    ctx: &Ctx,
    id: &str,
    title: &str,
    series: &[String],
    rows: &[(String, Vec<i64>)],
) -> Markup {
    const COLOURS: [&str; 3] = ["#004b87", "#b35c00", "#2e7d32"];
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let label_w = 230;
    let bar_w = 330;
    let bar_h = 14;
    let row_h = bar_h * series.len() as i64 + 10;
    let legend_h = 24;
    let height = legend_h + rows.len() as i64 * row_h + 6;
    let rtl = ctx.locale.is_rtl();
    html! {
        figure.th-chart aria-labelledby={ (id) "-caption" } {
            figcaption #{ (id) "-caption" } { (title) }
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (label_w + bar_w + 60) " " (height) } role="img"
                aria-labelledby={ (id) "-title " (id) "-desc" } direction=(if rtl { "rtl" } else { "ltr" }) {
                title #{ (id) "-title" } { (title) }
                desc #{ (id) "-desc" } { (ctx.t("report-chart-desc")) }
                @for (i, s) in series.iter().enumerate() {
                    rect x=(i as i64 * 180) y="4" width="12" height="12" fill=(COLOURS[i % 3]) {}
                    text x=(i as i64 * 180 + 18) y="15" font-size="12" { (s) }
                }
                @for (r, (label, values)) in rows.iter().enumerate() {
                    @let y = legend_h + r as i64 * row_h;
                    text x="0" y=(y + bar_h) font-size="12" { (label) }
                    @for (i, v) in values.iter().enumerate() {
                        @let w = (v * bar_w / max).max(if *v > 0 { 1 } else { 0 });
                        rect x=(label_w) y=(y + i as i64 * bar_h) width=(w) height=(bar_h - 2) fill=(COLOURS[i % 3]) {}
                        text x=(label_w + w + 4) y=(y + i as i64 * bar_h + bar_h - 3) font-size="11" { (v) }
                    }
                }
            }
        }
    }
}

fn table(ctx: &Ctx, id: &str, head: &[String], rows: &[(String, Vec<i64>)]) -> Markup {
    scroll(html! {
        table.kern-table aria-labelledby={ (id) "-caption" } {
            thead.kern-table__head { tr.kern-table__row {
                @for h in head { th.kern-table__header scope="col" { (h) } }
            } }
            tbody.kern-table__body {
                @for (label, values) in rows {
                    tr.kern-table__row {
                        th.kern-table__header scope="row" { (label) }
                        @for v in values { td.kern-table__cell { (th_i18n::format_int(*v, ctx.locale)) } }
                    }
                }
            }
        }
    })
}

struct Sections {
    kinds: Vec<(String, Vec<i64>)>,
    towns: Vec<(String, Vec<i64>)>,
    fields: Vec<(String, Vec<i64>)>,
    attendance: Vec<(String, Vec<i64>)>,
}

async fn sections(app: &AppState, ctx: &Ctx, r: &Report) -> Result<Sections, AppError> {
    let towns = app.db.municipalities(ctx.tenant.id).await?;
    let kinds = OrgKind::ALL
        .iter()
        .map(|k| {
            let reach = r.reach_by_kind.get(k.key()).cloned().unwrap_or_default();
            (ctx.t(k.label_key()), vec![reach.invited, reach.answered])
        })
        .collect();
    let towns = towns
        .iter()
        .filter_map(|m| {
            r.reach_by_municipality
                .get(&m.key)
                .map(|reach| (m.name.clone(), vec![reach.invited, reach.answered]))
        })
        .collect();
    let field_titles = crate::pages::participation::valid_fields(app, ctx).await?;
    let fields = field_titles
        .iter()
        .map(|(n, t, _)| {
            let by = r.contributions_by_field.get(n);
            (
                format!("{n}. {t}"),
                ContributionKind::ALL
                    .iter()
                    .map(|k| by.and_then(|b| b.get(k.key())).copied().unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    let mut attendance: Vec<(String, Vec<i64>)> = OrgKind::ALL
        .iter()
        .map(|k| {
            (
                ctx.t(k.label_key()),
                vec![r.attendance_by_kind.get(k.key()).copied().unwrap_or(0)],
            )
        })
        .collect();
    attendance.push((
        ctx.t("event-as-individual"),
        vec![r
            .attendance_by_kind
            .get(th_participation::event::INDIVIDUAL)
            .copied()
            .unwrap_or(0)],
    ));
    Ok(Sections {
        kinds,
        towns,
        fields,
        attendance,
    })
}

async fn load(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<(th_participation::process::Process, Report), AppError> {
    let pid = id_of(id)?;
    let p = th_participation::process::process(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let r = report::report(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    Ok((p, r))
}

pub async fn page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (p, r) = load(&app, &ctx, &id).await?;
    let s = sections(&app, &ctx, &r).await?;
    let (title, tl) = p.title_in(ctx.locale);
    let reach_series = vec![ctx.t("report-invited"), ctx.t("report-answered")];
    let kind_series: Vec<String> = ContributionKind::ALL
        .iter()
        .map(|k| ctx.t(k.label_key()))
        .collect();
    let people = vec![ctx.t("event-people")];
    let with_head = |first: String, series: &[String]| {
        let mut v = vec![first];
        v.extend(series.iter().cloned());
        v
    };
    let body = html! {
        p { a.kern-link href={ "/beteiligung/" (p.id) } lang=(tl.html_lang()) { (title) } }
        h1.kern-heading-x-large { (ctx.t("report-title")) }
        ul.th-facts-list {
            li { (ctx.ta("report-reach", &[("invited", r.reach.invited.into()), ("answered", r.reach.answered.into())])) }
            li { (ctx.ta("report-contributions", &[("count", r.contributions.into())])) }
            li { (ctx.ta("report-events", &[("count", r.events.into()), ("people", r.attendance_by_kind.values().sum::<i64>().into())])) }
            @if let Some(at) = r.erased_at { li { (ctx.ta("report-erased", &[("date", date(&ctx, at).into())])) } }
        }
        p { a.kern-link href={ "/beteiligung/" (p.id) "/bericht.csv" } download { (ctx.t("report-csv")) } }
        h2.kern-heading-medium { (ctx.t("report-reach-title")) }
        (bar_chart(&ctx, "art", &ctx.t("report-by-kind"), &reach_series, &s.kinds))
        (table(&ctx, "art", &with_head(ctx.t("org-kind"), &reach_series), &s.kinds))
        (bar_chart(&ctx, "ort", &ctx.t("report-by-municipality"), &reach_series, &s.towns))
        (table(&ctx, "ort", &with_head(ctx.t("org-municipality"), &reach_series), &s.towns))
        h2.kern-heading-medium { (ctx.t("contributions-title")) }
        p.kern-hint { (ctx.t("report-by-field-hint")) }
        (bar_chart(&ctx, "feld", &ctx.t("report-by-field"), &kind_series, &s.fields))
        (table(&ctx, "feld", &with_head(ctx.t("org-fields"), &kind_series), &s.fields))
        h2.kern-heading-medium { (ctx.t("event-attendance")) }
        (bar_chart(&ctx, "teilnahme", &ctx.t("report-attendance"), &people, &s.attendance))
        (table(&ctx, "teilnahme", &with_head(ctx.t("org-kind"), &people), &s.attendance))
    };
    Ok(Page::new(ctx.t("report-title"), body).render(&ctx))
}

fn csv_field(s: &str) -> String {
    // Against formula injection in spreadsheets, and for separators and quotes.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([';', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub async fn csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (p, r) = load(&app, &ctx, &id).await?;
    let s = sections(&app, &ctx, &r).await?;
    let mut out = String::from("\u{feff}");
    let mut section = |name: String, head: Vec<String>, rows: &[(String, Vec<i64>)]| {
        out.push_str(&csv_field(&name));
        for h in &head {
            out.push(';');
            out.push_str(&csv_field(h));
        }
        out.push_str("\r\n");
        for (label, values) in rows {
            out.push_str(&csv_field(label));
            for v in values {
                out.push_str(&format!(";{v}"));
            }
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
    };
    let reach = vec![ctx.t("report-invited"), ctx.t("report-answered")];
    section(ctx.t("report-by-kind"), reach.clone(), &s.kinds);
    section(ctx.t("report-by-municipality"), reach, &s.towns);
    section(
        ctx.t("report-by-field"),
        ContributionKind::ALL
            .iter()
            .map(|k| ctx.t(k.label_key()))
            .collect(),
        &s.fields,
    );
    section(
        ctx.t("report-attendance"),
        vec![ctx.t("event-people")],
        &s.attendance,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"bericht-verfahren-{}.csv\"", p.id),
            ),
        ],
        out,
    )
        .into_response())
}

pub async fn json(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (_, r) = load(&app, &ctx, &id).await?;
    Ok(axum::Json(r).into_response())
}
