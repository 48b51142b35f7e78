//! Processes in the JSON API: creating one and changing its texts, phases, moderation rule
//! and retention period.

use super::body;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use th_participation::process::{self, ProcessInput};

async fn one(app: &AppState, ctx: &Ctx, id: i64) -> Result<process::Process, AppError> {
    process::process(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let p: ProcessInput = body(&raw)?;
    let id = process::create_from(&app.db, ctx.tenant.id, &p, app.now())
        .await
        .map_err(part_err)?;
    app.audit(&ctx, "create_process", "process", id, "").await?;
    Ok((StatusCode::CREATED, Json(one(&app, &ctx, id).await?)).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let p: ProcessInput = body(&raw)?;
    process::update_from(&app.db, ctx.tenant.id, id, &p)
        .await
        .map_err(part_err)?;
    app.audit(&ctx, "update_process", "process", id, "").await?;
    Ok(Json(one(&app, &ctx, id).await?).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionBody {
    kind: String,
    title: String,
    body: String,
    fields: Vec<i64>,
    pseudonym: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    contact: String,
    /// Tell me by e-mail when the status changes.
    #[serde(default)]
    notify: bool,
}

/// A person contributes under a pseudonym.
pub async fn contribute(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ContributionBody = body(&raw)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let p = crate::pages::participation::open_process(&app, &ctx, &id.to_string()).await?;
    let f = crate::pages::participation::ContributionForm {
        kind: b.kind,
        title: b.title,
        body: b.body,
        fields: b.fields.iter().map(|f| f.to_string()).collect(),
        who: b.who,
        place: b.place,
        contact: b.contact,
        notify: b.notify.then(|| "1".to_string()),
        pseudonym: b.pseudonym,
    };
    match crate::pages::participation::create_as_person(&app, &ctx, &p, &f).await? {
        Ok(cid) => {
            let c = th_participation::contribution::get(&app.db, ctx.tenant.id, cid)
                .await
                .map_err(part_err)?;
            Ok((StatusCode::CREATED, Json(c)).into_response())
        }
        Err(v) => Err(v.into()),
    }
}
