//! Events in the JSON API: the same registration, waiting list and record as the pages.

use super::body;
use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::pages::events::{field_numbers, goal_ref, load, reg_err};
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use std::collections::BTreeMap;
use th_core::{Locale, Validation};
use th_participation::event::{self, NewEvent, NewRegistration};
use th_participation::OrgKind;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    process: Option<i64>,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let all = event::list(&app.db, ctx.tenant.id, q.process)
        .await
        .map_err(part_err)?;
    Ok(Json(json!({ "items": all })).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let attendance = event::attendance(&app.db, e.id).await.map_err(part_err)?;
    let outcomes = event::outcomes(&app.db, e.id).await.map_err(part_err)?;
    Ok(Json(json!({ "event": e, "attendance": attendance, "outcomes": outcomes })).into_response())
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let input: NewEvent = body(&raw)?;
    let fields = field_numbers(&app, &ctx).await?;
    let mut tx = app.db.begin().await?;
    let id = event::create(&mut tx, ctx.tenant.id, &input, &fields, app.now())
        .await
        .map_err(part_err)?;
    tx.commit().await?;
    app.audit(&ctx, "create_event", "event", id, "").await?;
    let e = event::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let mut input: NewEvent = body(&raw)?;
    input.process_id = e.process_id;
    let fields = field_numbers(&app, &ctx).await?;
    let moved = event::update(&app.db, &app.mailer(&ctx), e.id, &input, &fields)
        .await
        .map_err(part_err)?;
    app.audit(
        &ctx,
        "update_event",
        "event",
        e.id,
        &format!("{} moved up", moved.len()),
    )
    .await?;
    let e = load(&app, &ctx, &id).await?;
    Ok(Json(json!({ "event": e, "moved_up": moved })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    org_kind: String,
    #[serde(default)]
    needs: String,
    /// Required without an account: consent to keeping name and address for the event.
    #[serde(default)]
    consent: bool,
}

pub async fn register(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let b: RegistrationBody = body(&raw)?;
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "register", &client.0, 30, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    let who = crate::pages::events::registrant(&ctx, &b.name, &b.email);
    let mut v = Validation::new();
    let org_kind = match b.org_kind.as_str() {
        "" => None,
        k => match OrgKind::ALL.into_iter().find(|x| x.key() == k) {
            Some(x) => Some(x),
            None => {
                v.add("org_kind", "invalid");
                None
            }
        },
    };
    let r = NewRegistration {
        event_id: e.id,
        who,
        org_kind,
        needs: b.needs,
        locale: ctx.locale,
        notify: true,
    };
    v.errors.extend(event::validate_registration(&r).errors);
    if !ctx.signed_in() && !b.consent {
        v.add("consent", "consent_event");
    }
    v.into_result()?;
    th_auth::rate_record(&app.db, "register", &client.0, now).await?;
    let result = event::register(&app.db, &app.mailer(&ctx), &r).await;
    if !ctx.signed_in() {
        // Guests learn their standing and get their cancellation link by e-mail; the answer is
        // the same whether they were registered before, so it reveals nobody's registration.
        match result {
            Ok(_) => {}
            Err(event::RegError::AlreadyRegistered { .. }) => {
                event::resend(&app.db, &app.mailer(&ctx), &r)
                    .await
                    .map_err(part_err)?
            }
            Err(other) => return Err(reg_err(other)),
        }
        return Ok((StatusCode::ACCEPTED, Json(json!({ "sent_to": "email" }))).into_response());
    }
    let done = result.map_err(reg_err)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": done.id, "status": done.status, "position": done.position, "cancel_token": done.token })),
    )
        .into_response())
}

pub async fn registrations(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let regs = event::registrations(&app.db, ctx.tenant.id, e.id)
        .await
        .map_err(part_err)?;
    Ok(Json(json!({ "items": regs })).into_response())
}

pub async fn cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let moved = event::cancel_by_token(&app.db, &app.mailer(&ctx), &token)
        .await
        .map_err(part_err)?;
    Ok(Json(json!({ "cancelled": true, "moved_up": moved.len() })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    minutes_locale: Option<String>,
    #[serde(default)]
    attendance: BTreeMap<String, i64>,
}

pub async fn record(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let b: RecordBody = body(&raw)?;
    let locale = match b.minutes_locale.as_deref() {
        None => Locale::De,
        Some(t) => Locale::parse(t).ok_or_else(|| {
            AppError::Validation(vec![th_core::FieldError {
                field: "minutes_locale".into(),
                code: "invalid".into(),
            }])
        })?,
    };
    let att: Vec<(String, i64)> = b.attendance.into_iter().collect();
    event::record(&app.db, ctx.tenant.id, e.id, &b.minutes, locale, &att)
        .await
        .map_err(part_err)?;
    app.audit(&ctx, "record_event", "event", e.id, "").await?;
    let attendance = event::attendance(&app.db, e.id).await.map_err(part_err)?;
    Ok(Json(json!({ "minutes": b.minutes.trim(), "attendance": attendance })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    text: String,
    #[serde(default)]
    contribution: Option<i64>,
    #[serde(default)]
    goal: String,
}

pub async fn add_outcome(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let b: OutcomeBody = body(&raw)?;
    let mut v = Validation::new();
    let goal = goal_ref(&app, &ctx, &b.goal, &mut v).await?;
    v.into_result()?;
    let oid = event::add_outcome(
        &app.db,
        ctx.tenant.id,
        e.id,
        &b.text,
        b.contribution,
        goal.as_deref(),
        app.now(),
    )
    .await
    .map_err(part_err)?;
    app.audit(&ctx, "add_event_outcome", "event", e.id, &b.text)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": oid }))).into_response())
}
