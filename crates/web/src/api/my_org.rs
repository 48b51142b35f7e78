//! An organisation's own profile and contact people in the JSON API (for its members).

use super::body;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::my_org::{member_of, mine};
use crate::pages::orgs::{audit_org, part_err};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use th_participation::{ContactInput, OrgInput};

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let items: Vec<_> = mine(&app, &ctx)
        .await?
        .into_iter()
        .map(|o| {
            let mut v = serde_json::to_value(&o).unwrap_or_default();
            // The office's internal notes are not shown to members.
            v["notes"] = json!(null);
            v
        })
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let contacts = th_participation::contacts(&app.db, ctx.tenant.id, o.id)
        .await
        .map_err(part_err)?;
    let mut v = serde_json::to_value(&o).unwrap_or_default();
    // The office's internal notes are not shown to members.
    v["notes"] = json!(null);
    v["contacts"] = serde_json::to_value(contacts).unwrap_or_default();
    Ok(Json(v).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let mut input: OrgInput = body(&raw)?;
    input.notes = o.notes.clone();
    crate::pages::orgs::update_org(&app, &ctx, o.id, &input).await?;
    get(State(app), ctx, Path(id)).await
}

pub async fn add_contact(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let mut c: ContactInput = body(&raw)?;
    let me = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    c.consent_how = format!("eingetragen von {} über die Schnittstelle", me.email);
    let now = app.now();
    crate::pages::my_org::contact_limit(&app, me.id, now).await?;
    let cid = th_participation::add_contact(&app.db, ctx.tenant.id, o.id, &c, now)
        .await
        .map_err(part_err)?;
    let mut tx = app.db.begin().await?;
    let l = ctx.locale;
    th_mail::enqueue(
        &mut tx,
        th_mail::Outgoing {
            tenant: ctx.tenant.id,
            recipient: c.email.trim(),
            subject: &app.i18n.ta(
                l,
                "mail-member-added-subject",
                &[("organisation", o.name.clone().into())],
            ),
            body: &app.i18n.ta(
                l,
                "mail-member-added-body",
                &[
                    ("organisation", o.name.clone().into()),
                    ("by", me.display_name.clone().into()),
                    ("link", format!("{}/datenschutz", ctx.origin).into()),
                ],
            ),
            dedupe_key: Some(&format!("member-added:{cid}")),
        },
        now,
    )
    .await?;
    audit_org(&app, &ctx, &mut tx, "add_contact", o.id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": cid }))).into_response())
}

pub async fn remove_contact(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let cid: i64 = cid.parse().map_err(|_| AppError::NotFound)?;
    th_participation::remove_contact(&app.db, ctx.tenant.id, o.id, cid, app.now())
        .await
        .map_err(part_err)?;
    let mut tx = app.db.begin().await?;
    audit_org(&app, &ctx, &mut tx, "remove_contact", o.id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
