//! The Open Referral HSDS 3.0 API under `/hsds`: services, organisations, services at
//! locations and taxonomy terms, paged, with `modified_after`; texts in the language the
//! request negotiates (`Accept-Language` or `?lang=`), German where a text has no translation.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::guide::dir_err;
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use th_directory::hsds::{self, Org};
use th_directory::taxonomy;

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
    per_page: Option<String>,
    modified_after: Option<String>,
}

struct Paging {
    page: i64,
    per_page: i64,
    modified_after: i64,
}

/// Reads `page`, `per_page` (1–100, default 50) and `modified_after` (RFC 3339 or a date).
fn paging(q: &PageQuery) -> Result<Paging, AppError> {
    let num = |v: &Option<String>, name: &str, default: i64, max: i64| -> Result<i64, AppError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!("{name} must be a whole number from 1 to {max}"))
                }),
        }
    };
    let modified_after = match q
        .modified_after
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 0,
        Some(s) => parse_time(s).ok_or_else(|| {
            AppError::BadRequest(
                "modified_after must be a date-time (RFC 3339) or a date (YYYY-MM-DD)".into(),
            )
        })?,
    };
    Ok(Paging {
        page: num(&q.page, "page", 1, 1_000_000)?,
        per_page: num(&q.per_page, "per_page", 50, 100)?,
        modified_after,
    })
}

fn parse_time(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let (y, rest) = s.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let d = time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp())
}

async fn orgs(
    app: &AppState,
    ctx: &Ctx,
    ids: impl Iterator<Item = i64>,
) -> Result<Vec<Org>, AppError> {
    let mut out: Vec<Org> = Vec::new();
    for id in ids {
        if out.iter().any(|o| o.id == id) {
            continue;
        }
        if let Some(o) = th_participation::get(&app.db, ctx.tenant.id, id)
            .await
            .map_err(part_err)?
        {
            out.push(Org {
                id: o.id,
                name: o.name,
                description: o.notes,
            });
        }
    }
    Ok(out)
}

pub async fn meta(ctx: Ctx) -> Response {
    Json(json!({
        "version": "3.0",
        "profile": format!("{}/hsds/", ctx.origin),
        "openapi_url": format!("{}/api/openapi.json", ctx.origin),
    }))
    .into_response()
}

pub async fn services(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let p = paging(&q)?;
    let t = ctx.tenant.id;
    let (ids, total) = th_directory::page_ids(
        &app.db,
        t,
        p.modified_after,
        (p.page - 1) * p.per_page,
        p.per_page,
    )
    .await
    .map_err(dir_err)?;
    let list = th_directory::load_ids(&app.db, t, &ids, p.modified_after)
        .await
        .map_err(dir_err)?;
    let orgs = orgs(&app, &ctx, list.iter().map(|s| s.org_id)).await?;
    let contents: Vec<Value> = list
        .iter()
        .map(|s| hsds::service(t, s, orgs.iter().find(|o| o.id == s.org_id), ctx.locale))
        .collect();
    Ok(Json(hsds::page(contents, total, p.page, p.per_page)).into_response())
}

pub async fn service(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let t = ctx.tenant.id;
    let n = hsds::parse_id(t, "service", &id).ok_or(AppError::NotFound)?;
    let s = th_directory::get(&app.db, t, n)
        .await
        .map_err(dir_err)?
        .filter(|s| s.is_public())
        .ok_or(AppError::NotFound)?;
    let orgs = orgs(&app, &ctx, std::iter::once(s.org_id)).await?;
    Ok(Json(hsds::service(t, &s, orgs.first(), ctx.locale)).into_response())
}

pub async fn organizations(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let p = paging(&q)?;
    let ids = th_directory::org_ids(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let total = ids.len() as i64;
    let slice: Vec<i64> = ids
        .into_iter()
        .skip(((p.page - 1) * p.per_page) as usize)
        .take(p.per_page as usize)
        .collect();
    let list = orgs(&app, &ctx, slice.into_iter()).await?;
    let contents = list
        .iter()
        .map(|o| hsds::organization(ctx.tenant.id, o))
        .collect();
    Ok(Json(hsds::page(contents, total, p.page, p.per_page)).into_response())
}

pub async fn organization(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let t = ctx.tenant.id;
    let n = hsds::parse_id(t, "organization", &id).ok_or(AppError::NotFound)?;
    if !th_directory::org_ids(&app.db, t)
        .await
        .map_err(dir_err)?
        .contains(&n)
    {
        return Err(AppError::NotFound);
    }
    let list = orgs(&app, &ctx, std::iter::once(n)).await?;
    let o = list.first().ok_or(AppError::NotFound)?;
    let mut v = hsds::organization(t, o);
    let services = th_directory::load(&app.db, t, th_directory::Which::Org(n))
        .await
        .map_err(dir_err)?;
    let mut locations: Vec<Value> = Vec::new();
    let mut seen = Vec::new();
    for s in services.iter().filter(|s| s.is_public()) {
        for l in &s.locations {
            if !seen.contains(&l.id) {
                seen.push(l.id);
                locations.push(hsds::location(t, l));
            }
        }
    }
    if let Some(obj) = v.as_object_mut() {
        obj.insert("locations".into(), Value::Array(locations));
    }
    Ok(Json(v).into_response())
}

pub async fn service_at_locations(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let p = paging(&q)?;
    let t = ctx.tenant.id;
    let (pairs, total) = th_directory::sal_page(&app.db, t, (p.page - 1) * p.per_page, p.per_page)
        .await
        .map_err(dir_err)?;
    let mut contents = Vec::new();
    let mut cache: Vec<th_directory::Service> = Vec::new();
    for (sid, lid) in pairs {
        if !cache.iter().any(|s| s.id == sid) {
            if let Some(s) = th_directory::get(&app.db, t, sid).await.map_err(dir_err)? {
                cache.push(s);
            }
        }
        if let Some(s) = cache.iter().find(|s| s.id == sid) {
            if let Some(l) = s.locations.iter().find(|l| l.id == lid) {
                contents.push(hsds::service_at_location(t, s, l));
            }
        }
    }
    Ok(Json(hsds::page(contents, total, p.page, p.per_page)).into_response())
}

pub async fn service_at_location(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let t = ctx.tenant.id;
    let n = hsds::parse_id(t, "sal", &id).ok_or(AppError::NotFound)?;
    let (sid, lid) = hsds::sal_parts(n);
    let s = th_directory::get(&app.db, t, sid)
        .await
        .map_err(dir_err)?
        .filter(|s| s.is_public())
        .ok_or(AppError::NotFound)?;
    let l = s
        .locations
        .iter()
        .find(|l| l.id == lid)
        .ok_or(AppError::NotFound)?;
    Ok(Json(hsds::service_at_location(t, &s, l)).into_response())
}

pub async fn taxonomy_terms(ctx: Ctx, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    let p = paging(&q)?;
    let all = taxonomy::all();
    let contents = all
        .iter()
        .enumerate()
        .skip(((p.page - 1) * p.per_page) as usize)
        .take(p.per_page as usize)
        .map(|(i, term)| hsds::taxonomy_term(ctx.tenant.id, term, i as i64, ctx.locale))
        .collect();
    Ok(Json(hsds::page(contents, all.len() as i64, p.page, p.per_page)).into_response())
}
