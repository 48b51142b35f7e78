//! The personal invitation link in the JSON API: what the page does, for an organisation's
//! own tools. The link's token is in the path; the device secret that the page keeps in a
//! cookie travels in the `X-Invitation-Device` header. The first device to open a link gets
//! the secret in the answer; another device asks for a code (mailed to the contact) and trades
//! it for its own secret.

use super::body;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::FormData;
use crate::pages::orgs::part_err;
use crate::pages::participation::{create_for_invitation, redeem, send_code};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use th_participation::campaign::{self, Invitation, Opened};
use th_participation::contribution;

const DEVICE: &str = "x-invitation-device";

/// Opens the link for this device: the invitation and, on a first open, the new secret.
async fn open(
    app: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    token: &str,
) -> Result<(Invitation, Option<String>), AppError> {
    let device = headers.get(DEVICE).and_then(|v| v.to_str().ok());
    match campaign::open(&app.db, ctx.tenant.id, token, device, app.now())
        .await
        .map_err(part_err)?
    {
        Opened::Unknown => Err(AppError::NotFound),
        Opened::Expired => Err(AppError::Rejected(410, "the link has expired".into())),
        Opened::Revoked => Err(AppError::Rejected(410, "the link was revoked".into())),
        Opened::NeedsCode { .. } => Err(AppError::Conflict("device_code_required")),
        Opened::Ok {
            invitation,
            new_device,
        } => Ok((invitation, new_device)),
    }
}

/// Writing needs the device secret: without it, a first write would bind the link to a
/// device whose secret nobody keeps, and the contact's own browser would need a code.
fn require_device(headers: &HeaderMap) -> Result<(), AppError> {
    match headers.get(DEVICE).and_then(|v| v.to_str().ok()) {
        Some(d) if !d.trim().is_empty() => Ok(()),
        _ => Err(AppError::BadRequest(
            "send the device secret in the X-Invitation-Device header (GET the invitation first)"
                .into(),
        )),
    }
}

pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (inv, new_device) = open(&app, &ctx, &headers, &token).await?;
    let t = ctx.tenant.id;
    let camp = campaign::campaign(&app.db, t, inv.campaign_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let org = th_participation::get(&app.db, t, inv.organisation_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let ours = contribution::of_organisation(&app.db, t, inv.organisation_id)
        .await
        .map_err(part_err)?;
    let registrations =
        th_participation::event::registrations_of(&app.db, t, Some(inv.organisation_id), None)
            .await
            .map_err(part_err)?;
    let now = app.now();
    let events: Vec<_> = th_participation::event::list(&app.db, t, Some(camp.process_id))
        .await
        .map_err(part_err)?
        .into_iter()
        .filter(|e| !e.is_past(now))
        .collect();
    let texts: Vec<_> = camp
        .texts
        .iter()
        .map(
            |(l, s, b)| json!({ "locale": l.tag(), "subject": s, "body": b.replace("{link}", "") }),
        )
        .collect();
    Ok(Json(json!({
        "device": new_device,
        "organisation": { "id": org.id, "name": org.name },
        "process_id": camp.process_id,
        "texts": texts,
        "expires_at": inv.expires_at,
        "contributions": ours,
        "registrations": registrations,
        "events": events,
    }))
    .into_response())
}

pub async fn code(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let inv = campaign::find(&app.db, ctx.tenant.id, &token)
        .await
        .map_err(part_err)?
        .filter(|i| !i.revoked && i.expires_at > app.now())
        .ok_or(AppError::NotFound)?;
    send_code(&app, &ctx, &inv).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    code: String,
}

pub async fn device(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: CodeBody = body(&raw)?;
    let inv = campaign::find(&app.db, ctx.tenant.id, &token)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    match redeem(&app, &inv, &b.code).await? {
        Some(secret) => Ok(Json(json!({ "device": secret })).into_response()),
        None => Err(AppError::Validation(vec![th_core::FieldError {
            field: "code".into(),
            code: "wrong_code".into(),
        }])),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionBody {
    kind: String,
    title: String,
    body: String,
    fields: Vec<i64>,
    #[serde(default)]
    who: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    notify: bool,
}

pub async fn contribute(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ContributionBody = body(&raw)?;
    require_device(&headers)?;
    let (inv, _) = open(&app, &ctx, &headers, &token).await?;
    let f = crate::pages::participation::ContributionForm {
        kind: b.kind,
        title: b.title,
        body: b.body,
        fields: b.fields.iter().map(|f| f.to_string()).collect(),
        who: b.who,
        place: b.place,
        contact: b.contact,
        notify: b.notify.then(|| "1".to_string()),
        pseudonym: String::new(),
    };
    let id = create_for_invitation(&app, &ctx, &inv, &f)
        .await?
        .map_err(AppError::from)?;
    let c = contribution::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    event: i64,
    names: Vec<String>,
    #[serde(default)]
    needs: String,
}

pub async fn register(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: RegistrationBody = body(&raw)?;
    require_device(&headers)?;
    let (inv, _) = open(&app, &ctx, &headers, &token).await?;
    let camp = campaign::campaign(&app.db, ctx.tenant.id, inv.campaign_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let email = campaign::contact_email(&app.db, ctx.tenant.id, inv.contact_id)
        .await
        .map_err(part_err)?;
    let d = FormData::from_pairs(vec![
        ("event".into(), b.event.to_string()),
        ("names".into(), b.names.join("\n")),
        ("needs".into(), b.needs),
    ]);
    crate::pages::events::register_members(
        &app,
        &ctx,
        inv.organisation_id,
        &email,
        camp.process_id,
        &d,
    )
    .await?
    .map_err(AppError::from)?;
    let regs: Vec<_> = th_participation::event::registrations_of(
        &app.db,
        ctx.tenant.id,
        Some(inv.organisation_id),
        None,
    )
    .await
    .map_err(part_err)?
    .into_iter()
    .filter(|r| r.event_id == b.event)
    .collect();
    Ok((StatusCode::CREATED, Json(json!({ "registrations": regs }))).into_response())
}

/// The organisation cancels one of its registrations.
pub async fn unregister(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((token, rid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    require_device(&headers)?;
    let (inv, _) = open(&app, &ctx, &headers, &token).await?;
    let rid: i64 = rid.parse().map_err(|_| AppError::NotFound)?;
    crate::pages::events::cancel_member(&app, &ctx, inv.organisation_id, rid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
