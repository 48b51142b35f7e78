//! Monitoring in the JSON API: indicators with the region's series and every value (open
//! data), and the CSV import of values for coordinators.

use super::body;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::monitoring::{import_values, mon_err, open_data};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(Json(open_data(&app, &ctx, None).await?).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    th_monitoring::indicator(&app.db, ctx.tenant.id, &key)
        .await
        .map_err(mon_err)?;
    let v = open_data(&app, &ctx, Some(&key)).await?;
    Ok(Json(v["indicators"][0].clone()).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuesBody {
    csv: String,
}

pub async fn import(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ValuesBody = body(&raw)?;
    match import_values(&app, &ctx, &b.csv).await? {
        Ok(n) => Ok(Json(json!({ "written": n })).into_response()),
        Err(errs) => Ok(crate::api::measures::csv_problem(
            "/api/v1/indicators/values",
            "The file has errors; nothing was written.",
            &errs,
        )),
    }
}
