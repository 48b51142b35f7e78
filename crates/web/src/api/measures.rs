//! Measures in the JSON API: the catalogue with progress (open data, public), the bulk status
//! import, the planner (a scenario document in, a plan out; docs/planner.md) and the saved
//! scenarios with their plans (coordinators).

use super::body;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::measures::{adopt_plan, apply_status_csv, id_of, measures_err, plan_of};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use th_measures::planner::{self, Input, InputError, PlanError, Scenario};
use th_measures::solver::Limits;
use th_measures::store;

/// 422 for input refused as a whole (a CSV, a scenario): every problem by line or place.
pub(crate) fn csv_problem(path: &str, title: &str, errs: &impl serde::Serialize) -> Response {
    let v = json!({
        "type": "about:blank",
        "title": title,
        "status": 422,
        "code": "validation",
        "instance": path,
        "errors": errs,
    });
    let mut r = (StatusCode::UNPROCESSABLE_ENTITY, Json(v)).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

/// 422 with every input error named where it is (`measures[3].money_eur`).
fn input_problem(path: &str, errs: &[InputError]) -> Response {
    let errors: Vec<serde_json::Value> = errs
        .iter()
        .map(|e| json!({ "field": e.at, "code": "invalid", "message": e.message }))
        .collect();
    csv_problem(path, "The input has errors; nothing was done.", &errors)
}

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let ms = store::list(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let (goals, fields) = store::rollup(&ms);
    Ok(
        Json(json!({ "measures": ms, "progress": { "fields": fields, "goals": goals } }))
            .into_response(),
    )
}

pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    Ok(Json(
        store::get(&app.db, ctx.tenant.id, &key)
            .await
            .map_err(measures_err)?,
    )
    .into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    csv: String,
}

/// Status updates in bulk from CSV text: all lines checked, nothing applied unless all are right.
pub async fn import_status(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: StatusBody = body(&raw)?;
    match apply_status_csv(&app, &ctx, &b.csv).await? {
        Ok(n) => Ok(Json(json!({ "applied": n })).into_response()),
        Err(errs) => Ok(csv_problem(
            "/api/v1/measures/status",
            "The file has errors; nothing was applied.",
            &errs,
        )),
    }
}

/// Solves a scenario document (docs/planner.md) without storing anything.
pub async fn plan(
    State(_app): State<AppState>,
    _ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let doc: serde_json::Value = body(&raw)?;
    if let Some(k) = doc.as_object().and_then(|o| {
        o.keys()
            .find(|k| !planner::TOP_LEVEL_KEYS.contains(&k.as_str()))
            .cloned()
    }) {
        return Ok(input_problem(
            "/api/v1/plan",
            &[InputError {
                at: k.clone(),
                message: format!("unknown key \"{k}\""),
            }],
        ));
    }
    let input: Input = body(&raw)?;
    let result = tokio::task::spawn_blocking(move || {
        let solver = th_measures::solver::default_solver();
        planner::plan(
            &input,
            solver.as_ref(),
            &Limits {
                seconds: 30.0,
                gap: 0.0,
            },
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match result {
        Ok(p) => Ok(Json(p).into_response()),
        Err(PlanError::Invalid(errs)) => Ok(input_problem("/api/v1/plan", &errs)),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

pub async fn scenarios(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let list = store::scenarios(&app.db, ctx.tenant.id)
        .await
        .map_err(measures_err)?;
    let mut out = Vec::new();
    for s in list {
        let (s, p) = plan_of(&app, &ctx, s.id).await?;
        out.push(json!({ "id": s.id, "name": s.name, "description": s.description, "scenario": s.scenario, "plan": p.ok() }));
    }
    Ok(Json(json!({ "scenarios": out })).into_response())
}

pub async fn scenario(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (s, p) = plan_of(&app, &ctx, id_of(&id)?).await?;
    let (plan, errors) = match p {
        Ok(p) => (Some(p), Vec::new()),
        Err(PlanError::Invalid(e)) => (None, e),
        Err(e) => return Err(AppError::Internal(e.to_string())),
    };
    Ok(Json(json!({ "id": s.id, "name": s.name, "description": s.description, "scenario": s.scenario, "plan": plan, "errors": errors })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioBody {
    name: String,
    #[serde(default)]
    description: String,
    scenario: Scenario,
}

async fn save(
    app: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    raw: &Bytes,
    path: &str,
) -> Result<Response, AppError> {
    let b: ScenarioBody = body(raw)?;
    match store::save_scenario(
        &app.db,
        ctx.tenant.id,
        id,
        &b.name,
        &b.description,
        &b.scenario,
        app.now(),
    )
    .await
    {
        Ok(id) => {
            let (s, p) = plan_of(app, ctx, id).await?;
            let status = if path.ends_with("scenarios") {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, Json(json!({ "id": s.id, "name": s.name, "description": s.description, "scenario": s.scenario, "plan": p.ok() }))).into_response())
        }
        Err(store::Error::Invalid(errs)) => Ok(input_problem(path, &errs)),
        Err(e) => Err(measures_err(e)),
    }
}

pub async fn create_scenario(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    save(&app, &ctx, None, &raw, "/api/v1/scenarios").await
}

pub async fn update_scenario(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    save(
        &app,
        &ctx,
        Some(id),
        &raw,
        &format!("/api/v1/scenarios/{id}"),
    )
    .await
}

pub async fn delete_scenario(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    store::delete_scenario(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(measures_err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Adopts the scenario's plan: its chosen planned measures become funded.
pub async fn adopt(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let n = adopt_plan(&app, &ctx, id_of(&id)?).await?;
    Ok(Json(json!({ "funded": n })).into_response())
}

/// Adds measures to the catalogue (`{"measures": [...]}`, the demo's format): all checked
/// first, every error named where it is, all written or nothing.
pub async fn add(State(app): State<AppState>, ctx: Ctx, raw: Bytes) -> Result<Response, AppError> {
    let text = std::str::from_utf8(&raw)
        .map_err(|_| AppError::BadRequest("the body is not valid UTF-8".into()))?;
    let ms = store::parse_catalogue(text).map_err(AppError::BadRequest)?;
    let bad = crate::pages::measures::check_origins(&app, &ctx, &ms).await?;
    if !bad.is_empty() {
        return Ok(input_problem("/api/v1/measures", &bad));
    }
    match store::import(&app.db, ctx.tenant.id, &ms, app.now()).await {
        Ok(n) => {
            crate::pages::measures::refresh_plans_later(&app, ctx.tenant.id);
            Ok((StatusCode::CREATED, Json(json!({ "added": n }))).into_response())
        }
        Err(store::Error::Invalid(errs)) => Ok(input_problem("/api/v1/measures", &errs)),
        Err(e) => Err(measures_err(e)),
    }
}
