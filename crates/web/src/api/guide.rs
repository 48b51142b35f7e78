//! The Wegweiser in the JSON API: search, services, the review of organisations' changes,
//! HSDS import, the recognition table, next steps, and the administration's languages — the
//! same operations as the pages, with the same checks.

use super::body;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::guide::{dir_err, run_search, GuideQuery, Towns};
use crate::pages::guide_admin::{import_hsds, reindex};
use crate::pages::my_org::member_of;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use th_core::Locale;
use th_directory::{nextsteps, recognition, staff, Actor, Region, Service, ServiceInput};

fn actor(app: &AppState, ctx: &Ctx) -> Actor {
    Actor {
        user: ctx.user_id(),
        now: app.now(),
    }
}

/// A service as the API shows it: everything, with the texts in the request's language.
fn service_json(s: &Service, l: Locale) -> Value {
    let (x, really) = s.text(l);
    json!({
        "id": s.id,
        "key": s.key,
        "organisation_id": s.org_id,
        "status": s.status,
        "review": s.review,
        "name": x.name,
        "description": x.description,
        "text_locale": if really { l.tag() } else { "de" },
        "free": s.free,
        "fees": x.fees,
        "eligibility": x.eligibility,
        "bring": x.bring,
        "by_appointment": s.by_appointment,
        "age_min": s.age_min,
        "age_max": s.age_max,
        "groups": s.groups,
        "topics": s.topics,
        "languages": s.languages,
        "areas": s.areas,
        "schedules": s.schedules,
        "locations": s.locations,
        "phone": s.phone,
        "email": s.email,
        "url": s.url,
        "contact": s.contact,
        "fictitious": s.fictitious,
        "verified_at": s.verified_at,
        "updated_at": s.updated_at,
        "texts": s.texts,
    })
}

pub async fn search(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<GuideQuery>,
) -> Result<Response, AppError> {
    let towns = Towns::load(&app, &ctx).await?;
    let sq = q.to_search(&towns, ctx.locale, app.now());
    let (hits, services) = run_search(&app, &ctx, &sq).await?;
    let items: Vec<Value> = services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut v = service_json(s, ctx.locale);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "elsewhere".into(),
                    hits.elsewhere.get(i).copied().unwrap_or(0).into(),
                );
            }
            v
        })
        .collect();
    Ok(Json(json!({ "total": hits.total, "page": q.seite.unwrap_or(1).max(1), "per_page": crate::pages::guide::PER_PAGE, "items": items })).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = crate::pages::guide::load_public(&app, &ctx, &id).await?;
    Ok(Json(service_json(&s, ctx.locale)).into_response())
}

async fn region(app: &AppState, ctx: &Ctx) -> Result<Vec<String>, AppError> {
    Ok(Towns::load(app, ctx).await?.keys())
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let input: ServiceInput = body(&raw)?;
    if th_participation::get(&app.db, ctx.tenant.id, input.org_id)
        .await
        .map_err(crate::pages::orgs::part_err)?
        .is_none()
    {
        return Err(AppError::Validation(vec![th_core::FieldError {
            field: "org_id".into(),
            code: "required".into(),
        }]));
    }
    let keys = region(&app, &ctx).await?;
    let id = th_directory::create(
        &app.db,
        ctx.tenant.id,
        input,
        &Region {
            municipalities: &keys,
        },
        actor(&app, &ctx),
    )
    .await
    .map_err(dir_err)?;
    reindex(&app, &ctx).await?;
    let s = th_directory::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(service_json(&s, ctx.locale))).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut input: ServiceInput = body(&raw)?;
    let s = th_directory::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    input.org_id = s.org_id;
    let keys = region(&app, &ctx).await?;
    th_directory::update(
        &app.db,
        ctx.tenant.id,
        id,
        input,
        &Region {
            municipalities: &keys,
        },
        actor(&app, &ctx),
    )
    .await
    .map_err(dir_err)?;
    reindex(&app, &ctx).await?;
    let s = th_directory::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(service_json(&s, ctx.locale)).into_response())
}

pub async fn changes(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let list = th_directory::changes(&app.db, ctx.tenant.id, None, true)
        .await
        .map_err(dir_err)?;
    Ok(Json(json!({ "items": list })).into_response())
}

pub async fn approve(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let keys = region(&app, &ctx).await?;
    let sid = th_directory::approve(
        &app.db,
        ctx.tenant.id,
        id,
        &Region {
            municipalities: &keys,
        },
        actor(&app, &ctx),
    )
    .await
    .map_err(dir_err)?;
    reindex(&app, &ctx).await?;
    Ok(Json(json!({ "change": id, "service": sid, "state": "approved" })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    reason: String,
}

pub async fn reject(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let r: Reason = body(&raw)?;
    th_directory::reject(&app.db, ctx.tenant.id, id, &r.reason, actor(&app, &ctx))
        .await
        .map_err(dir_err)?;
    Ok(Json(json!({ "change": id, "state": "rejected" })).into_response())
}

fn import_problem(errs: Vec<recognition::ImportError>) -> AppError {
    AppError::Validation(
        errs.into_iter()
            .map(|e| th_core::FieldError {
                field: e.place,
                code: e.code,
            })
            .collect(),
    )
}

pub async fn import(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let text = std::str::from_utf8(&raw)
        .map_err(|_| AppError::BadRequest("the body is not valid UTF-8".into()))?;
    match import_hsds(&app, &ctx, text).await? {
        Ok(n) => {
            app.audit(&ctx, "guide_import", "directory", n as i64, "")
                .await?;
            Ok(Json(json!({ "imported": n })).into_response())
        }
        Err(errs) => Err(import_problem(errs)),
    }
}

// Organisations' own services

pub async fn org_services(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let list = th_directory::load(&app.db, ctx.tenant.id, th_directory::Which::Org(o.id))
        .await
        .map_err(dir_err)?;
    let changes = th_directory::changes(&app.db, ctx.tenant.id, Some(o.id), false)
        .await
        .map_err(dir_err)?;
    let items: Vec<Value> = list.iter().map(|s| service_json(s, ctx.locale)).collect();
    Ok(Json(json!({ "items": items, "changes": changes })).into_response())
}

async fn propose(
    app: AppState,
    ctx: Ctx,
    id: String,
    sid: Option<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let mut input: ServiceInput = body(&raw)?;
    input.org_id = o.id;
    let existing = match sid {
        Some(s) => Some(s.parse::<i64>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let own: Vec<i64> = th_directory::locations_of_org(&app.db, ctx.tenant.id, o.id)
        .await
        .map_err(dir_err)?
        .iter()
        .map(|l| l.id)
        .collect();
    if input.location_ids.iter().any(|l| !own.contains(l)) {
        return Err(AppError::Validation(vec![th_core::FieldError {
            field: "location_ids".into(),
            code: "unknown_location".into(),
        }]));
    }
    crate::pages::my_org::contact_limit(&app, ctx.user_id().unwrap_or(0), app.now()).await?;
    let keys = region(&app, &ctx).await?;
    let change = th_directory::propose(
        &app.db,
        ctx.tenant.id,
        existing,
        input,
        &Region {
            municipalities: &keys,
        },
        actor(&app, &ctx),
    )
    .await
    .map_err(dir_err)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "change": change, "state": "pending" })),
    )
        .into_response())
}

pub async fn org_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    propose(app, ctx, id, None, raw).await
}

pub async fn org_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, sid)): Path<(String, String)>,
    raw: Bytes,
) -> Result<Response, AppError> {
    propose(app, ctx, id, Some(sid), raw).await
}

pub async fn org_verify(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, sid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let sid: i64 = sid.parse().map_err(|_| AppError::NotFound)?;
    let s = th_directory::get(&app.db, ctx.tenant.id, sid)
        .await
        .map_err(dir_err)?
        .filter(|s| s.org_id == o.id)
        .ok_or(AppError::NotFound)?;
    th_directory::mark_verified(&app.db, ctx.tenant.id, s.id, actor(&app, &ctx))
        .await
        .map_err(dir_err)?;
    reindex(&app, &ctx).await?;
    Ok(Json(json!({ "service": s.id, "verified_at": app.now() })).into_response())
}

// Recognition and next steps

#[derive(serde::Deserialize, Default)]
pub struct RecQuery {
    #[serde(default)]
    q: String,
}

pub async fn recognition_find(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RecQuery>,
) -> Result<Response, AppError> {
    let table = recognition::table(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let found: Vec<&recognition::Profession> = recognition::find(&table, &q.q);
    Ok(
        Json(json!({ "version": table.version, "finder_url": table.finder_url, "items": found }))
            .into_response(),
    )
}

pub async fn recognition_get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    let table = recognition::table(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let p = table
        .professions
        .iter()
        .find(|p| p.key == key)
        .ok_or(AppError::NotFound)?;
    let body = table.bodies.iter().find(|b| b.key == p.body);
    Ok(Json(json!({ "version": table.version, "finder_url": table.finder_url, "profession": p, "body": body })).into_response())
}

pub async fn recognition_import(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let text = std::str::from_utf8(&raw)
        .map_err(|_| AppError::BadRequest("the body is not valid UTF-8".into()))?;
    match recognition::import(&app.db, ctx.tenant.id, text, ctx.user_id(), app.now()).await {
        Ok(t) => Ok(
            Json(json!({ "version": t.version, "professions": t.professions.len() }))
                .into_response(),
        ),
        Err(recognition::ImportOutcome::Invalid(errs)) => Err(import_problem(errs)),
        Err(recognition::ImportOutcome::Failed(e)) => Err(dir_err(e)),
    }
}

pub async fn next_steps(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: RawQuery,
) -> Result<Response, AppError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.0.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|p| p.0 == k)
            .map(|p| p.1.clone())
            .unwrap_or_default()
    };
    let mut v = th_core::Validation::new();
    let level = nextsteps::Level::parse(&get("niveau"));
    let age = get("alter")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|a| (12..=99).contains(a));
    if level.is_none() {
        v.add("niveau", "required");
    }
    if age.is_none() {
        v.add("alter", "age");
    }
    let (Some(level), Some(age)) = (level, age) else {
        return Err(AppError::Validation(v.errors));
    };
    let aims: Vec<nextsteps::Aim> = pairs
        .iter()
        .filter(|p| p.0 == "ziel")
        .filter_map(|p| nextsteps::Aim::parse(&p.1))
        .collect();
    let towns = Towns::load(&app, &ctx).await?;
    let ort = get("ort");
    let ort = towns.0.iter().any(|m| m.0 == ort).then_some(ort);
    let lang = th_directory::languages::check(&get("sprache"))
        .ok()
        .map(str::to_string);
    let mut steps = Vec::new();
    for step in nextsteps::steps(level, age, &aims) {
        let sq = th_directory::search::SearchQuery {
            topic: Some(step.topic.into()),
            hint: step.hint().map(str::to_string),
            areas: ort.as_deref().map(|o| towns.nearby(o)).unwrap_or_default(),
            prefer_area: ort.clone(),
            languages: lang.iter().cloned().collect(),
            age: Some(age),
            locale: Some(ctx.locale),
            limit: 3,
            ..Default::default()
        };
        let (_, found) = run_search(&app, &ctx, &sq).await?;
        steps.push(json!({
            "key": step.key,
            "title": ctx.t(step.title_key),
            "text": ctx.t(step.text_key),
            "topic": step.topic,
            "services": found.iter().map(|s| service_json(s, ctx.locale)).collect::<Vec<_>>(),
        }));
    }
    Ok(Json(json!({ "steps": steps })).into_response())
}

// The administration's languages

async fn my_records(app: &AppState, ctx: &Ctx) -> Result<Vec<staff::Staff>, AppError> {
    match ctx.user_id() {
        Some(u) => staff::staff_of_user(&app.db, ctx.tenant.id, u)
            .await
            .map_err(dir_err),
        None => Ok(Vec::new()),
    }
}

pub async fn staff_me(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(Json(json!({ "items": my_records(&app, &ctx).await? })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguagesBody {
    languages: Vec<LanguageLevel>,
    #[serde(default)]
    interprets: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageLevel {
    code: String,
    level: String,
}

pub async fn staff_languages(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let b: LanguagesBody = body(&raw)?;
    let records = my_records(&app, &ctx).await?;
    let r = records
        .iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let langs: Vec<(String, String)> = b.languages.into_iter().map(|l| (l.code, l.level)).collect();
    staff::set_languages(
        &app.db,
        ctx.tenant.id,
        r.id,
        &langs,
        b.interprets,
        ctx.user_id(),
        app.now(),
    )
    .await
    .map_err(dir_err)?;
    let now = staff::staff_of_user(&app.db, ctx.tenant.id, ctx.user_id().unwrap_or(0))
        .await
        .map_err(dir_err)?;
    Ok(Json(json!({ "items": now })).into_response())
}

pub async fn coverage(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let (last, rows) = staff::coverage(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    Ok(Json(json!({ "latest_month": last, "items": rows })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandBody {
    unit: i64,
    code: String,
    period: String,
    requests: i64,
}

pub async fn demand(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: DemandBody = body(&raw)?;
    let records = my_records(&app, &ctx).await?;
    let leads = records.iter().any(|r| r.lead && r.unit_id == b.unit);
    if !leads
        && !matches!(
            ctx.role(),
            th_core::Role::Coordinator | th_core::Role::Admin
        )
    {
        return Err(AppError::NotFound);
    }
    staff::record_demand(
        &app.db,
        ctx.tenant.id,
        b.unit,
        &b.code,
        &b.period,
        b.requests,
    )
    .await
    .map_err(dir_err)?;
    Ok(
        Json(json!({ "unit": b.unit, "code": b.code, "period": b.period, "requests": b.requests }))
            .into_response(),
    )
}

pub async fn requests(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let records = my_records(&app, &ctx).await?;
    let units: Vec<i64> = records.iter().map(|r| r.unit_id).collect();
    let langs: Vec<String> = records
        .iter()
        .filter(|r| r.interprets)
        .flat_map(|r| {
            r.languages
                .iter()
                .filter(|l| staff::serves(&l.1))
                .map(|l| l.0.clone())
        })
        .collect();
    let all = staff::requests(&app.db, ctx.tenant.id, None, app.now() - 3600)
        .await
        .map_err(dir_err)?;
    let ours: Vec<&staff::InterpreterRequest> =
        all.iter().filter(|r| units.contains(&r.unit_id)).collect();
    let for_me: Vec<&staff::InterpreterRequest> = all
        .iter()
        .filter(|r| r.status == "open" && langs.contains(&r.code) && !units.contains(&r.unit_id))
        .collect();
    Ok(Json(json!({ "ours": ours, "for_me": for_me })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    code: String,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    starts_at: String,
    minutes: i64,
    place: String,
    #[serde(default)]
    note: String,
}

pub async fn request(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: RequestBody = body(&raw)?;
    let records = my_records(&app, &ctx).await?;
    let r = records.first().ok_or(AppError::NotFound)?;
    let (id, pool) = staff::request_interpreter(
        &app.db,
        ctx.tenant.id,
        &staff::NewRequest {
            unit_id: r.unit_id,
            code: &b.code,
            starts_at: th_core::localtime::parse_local(&b.starts_at),
            minutes: b.minutes,
            place: &b.place,
            note: &b.note,
        },
        ctx.user_id().unwrap_or(0),
        app.now(),
    )
    .await
    .map_err(dir_err)?;
    crate::pages::staff::notify(
        &app,
        &ctx,
        &pool,
        &crate::pages::staff::Booking {
            id,
            code: &b.code,
            when: &b.starts_at,
            place: &b.place,
            note: &b.note,
            unit: r.unit_id,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "asked": pool.len() })),
    )
        .into_response())
}

pub async fn accept(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (id, took) = crate::pages::staff::accept_mine(&app, &ctx, &id).await?;
    if took {
        Ok(Json(json!({ "id": id, "status": "accepted" })).into_response())
    } else {
        Err(AppError::Conflict("already_taken"))
    }
}

pub async fn cancel_request(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = crate::pages::staff::cancel_mine(&app, &ctx, &id).await?;
    Ok(Json(json!({ "id": id, "status": "cancelled" })).into_response())
}
