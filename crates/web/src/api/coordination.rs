//! The coordination office's remaining work in the JSON API: creating a campaign, deciding on
//! publication, the moderation queue, and cancelling a registration.

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
use serde_json::json;
use std::collections::BTreeMap;
use th_core::Locale;
use th_participation::campaign::{self, CampaignFilter, NewCampaign};
use th_participation::{contribution, event, forum};

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    subject: String,
    body: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    process_id: i64,
    name: String,
    #[serde(default)]
    filter: CampaignFilter,
    link_days: i64,
    /// locale tag → letter; German is required; `{link}` marks where the personal link goes.
    texts: BTreeMap<String, Letter>,
}

pub async fn create_campaign(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: CampaignBody = body(&raw)?;
    let mut texts = vec![];
    for (tag, l) in &b.texts {
        let locale = Locale::parse(tag).ok_or_else(|| {
            AppError::Validation(vec![th_core::FieldError {
                field: format!("texts.{tag}"),
                code: "invalid".into(),
            }])
        })?;
        if texts.iter().any(|(x, _, _)| *x == locale) {
            return Err(AppError::Validation(vec![th_core::FieldError {
                field: format!("texts.{tag}"),
                code: "duplicate".into(),
            }]));
        }
        texts.push((locale, l.subject.as_str(), l.body.as_str()));
    }
    let input = NewCampaign {
        process_id: b.process_id,
        name: &b.name,
        filter: b.filter.clone(),
        link_days: b.link_days,
        texts,
    };
    let mut tx = app.db.begin().await?;
    let id = campaign::create_campaign(&mut tx, ctx.tenant.id, &input, app.now())
        .await
        .map_err(part_err)?;
    tx.commit().await?;
    app.audit(&ctx, "create_campaign", "campaign", id, &b.name)
        .await?;
    let c = campaign::campaign(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationBody {
    published: bool,
    #[serde(default)]
    reason: String,
}

/// Publishes or hides a contribution (the decision is logged).
pub async fn moderate_contribution(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ModerationBody = body(&raw)?;
    let id = id_of(&id)?;
    let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
    contribution::moderate(
        &app.db,
        ctx.tenant.id,
        id,
        b.published,
        &b.reason,
        actor,
        app.now(),
    )
    .await
    .map_err(part_err)?;
    let decisions = contribution::decisions(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?;
    Ok(Json(json!({ "id": id, "published": b.published, "decisions": decisions })).into_response())
}

/// What waits for a decision: unpublished or reported contributions, reported forum posts.
pub async fn queue(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let contributions: Vec<_> = contribution::queue(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?
        .into_iter()
        .map(|(c, reasons)| json!({ "contribution": c, "reports": reasons }))
        .collect();
    let posts: Vec<_> = forum::reported(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?
        .into_iter()
        .map(|(p, reasons)| json!({ "post": p, "reports": reasons }))
        .collect();
    Ok(Json(json!({ "contributions": contributions, "posts": posts })).into_response())
}

/// The office cancels a registration; the waiting list moves up.
pub async fn cancel_registration(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((eid, rid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (eid, rid) = (id_of(&eid)?, id_of(&rid)?);
    let r = event::registrations_of_id(&app.db, ctx.tenant.id, rid)
        .await
        .map_err(part_err)?
        .filter(|r| r.event_id == eid)
        .ok_or(AppError::NotFound)?;
    let moved = event::cancel(&app.db, &app.mailer(&ctx), r.id)
        .await
        .map_err(part_err)?;
    app.audit(
        &ctx,
        "cancel_registration",
        "registration",
        rid,
        &format!("{} moved up", moved.len()),
    )
    .await?;
    Ok(Json(json!({ "cancelled": rid, "moved_up": moved })).into_response())
}

/// A person cancels their own registration for an event.
pub async fn cancel_mine(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(eid): Path<String>,
) -> Result<Response, AppError> {
    let eid = id_of(&eid)?;
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let mine = event::registrations_of(&app.db, ctx.tenant.id, None, Some(user))
        .await
        .map_err(part_err)?
        .into_iter()
        .find(|r| r.event_id == eid && r.status != event::RegStatus::Cancelled)
        .ok_or(AppError::NotFound)?;
    let moved = event::cancel(&app.db, &app.mailer(&ctx), mine.id)
        .await
        .map_err(part_err)?;
    Ok(Json(json!({ "cancelled": mine.id, "moved_up": moved.len() })).into_response())
}
