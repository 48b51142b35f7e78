//! Theme finding in the JSON API (coordinators): run, list, change, merge, split, and the
//! suggested field of a contribution.

use super::body;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::orgs::part_err;
use crate::pages::themes::{
    contributions, doc, field_numbers, id_of, run_for, suggestions, theme_err,
};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use th_themes::store::{self, Change};

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    contributions(&app, &ctx, pid).await?;
    let themes = store::list(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(theme_err)?;
    Ok(Json(json!({ "themes": themes })).into_response())
}

pub async fn run(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    let n = run_for(&app, &ctx, pid).await?;
    let themes = store::list(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(theme_err)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "proposed": n, "themes": themes })),
    )
        .into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "serde_with_none::deserialize")]
    field: Option<Option<i64>>,
    accepted: Option<bool>,
}

mod serde_with_none {
    use serde::{Deserialize, Deserializer};
    /// `"field": null` clears the field; a missing key leaves it.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        Option::<i64>::deserialize(d).map(Some)
    }
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ChangeBody = body(&raw)?;
    let tid = id_of(&id)?;
    let c = Change {
        name: b.name,
        field: b.field,
        accepted: b.accepted,
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
    Ok(Json(
        store::get(&app.db, ctx.tenant.id, tid)
            .await
            .map_err(theme_err)?,
    )
    .into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    from: i64,
}

pub async fn merge(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: MergeBody = body(&raw)?;
    let tid = id_of(&id)?;
    store::merge(&app.db, ctx.tenant.id, tid, b.from, app.now())
        .await
        .map_err(theme_err)?;
    Ok(Json(
        store::get(&app.db, ctx.tenant.id, tid)
            .await
            .map_err(theme_err)?,
    )
    .into_response())
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
    let docs: Vec<_> = all.iter().map(doc).collect();
    let new = store::split(&app.db, ctx.tenant.id, tid, &docs, app.now())
        .await
        .map_err(theme_err)?;
    Ok((StatusCode::CREATED, Json(json!({ "kept": store::get(&app.db, ctx.tenant.id, tid).await.map_err(theme_err)?, "new": store::get(&app.db, ctx.tenant.id, new).await.map_err(theme_err)? }))).into_response())
}

/// The field of action suggested for a contribution, learnt from the contributions coordinators
/// assigned through accepted themes; null while nothing is assigned.
pub async fn suggested_field(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = th_participation::contribution::get(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let fields = field_numbers(&app, &ctx).await?;
    let s = suggestions(&app, &ctx, std::slice::from_ref(&c), &fields, false).await?;
    let v = match s.first() {
        Some((_, f, p)) => json!({ "contribution": c.id, "field": f, "probability": p }),
        None => json!({ "contribution": c.id, "field": null, "probability": null }),
    };
    Ok(Json(v).into_response())
}
