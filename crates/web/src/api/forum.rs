//! Forums in the JSON API: the same threads, replies, reports, moderation and digests.

use super::body;
use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use th_core::{Role, Validation};
use th_participation::forum::{self, Frequency, NewReply, NewThread, Writer};

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn writer(ctx: &Ctx) -> Result<Writer<'_>, AppError> {
    let u = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    Ok(Writer {
        user_id: Some(u.id),
        pseudonym: &u.display_name,
    })
}

fn coordinator(ctx: &Ctx) -> bool {
    matches!(ctx.role(), Role::Coordinator | Role::Admin)
}

async fn limit(
    app: &AppState,
    ctx: &Ctx,
    client: &ClientAddr,
    bucket: &str,
    n: i64,
) -> Result<(), AppError> {
    let key = format!("{}:{}", ctx.user_id().unwrap_or(0), client.0);
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, bucket, &key, n, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, bucket, &key, now).await?;
    Ok(())
}

pub async fn overview(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    th_participation::process::process(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let o = forum::overview(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?;
    let items: Vec<_> = o
        .iter()
        .map(|(f, n, last)| json!({ "field": f, "threads": n, "last_post_at": last }))
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct Paging {
    offset: Option<i64>,
    limit: Option<i64>,
    page: Option<i64>,
}

pub async fn threads(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, field)): Path<(String, String)>,
    Query(q): Query<Paging>,
) -> Result<Response, AppError> {
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let offset = q.offset.unwrap_or(0).clamp(0, 10_000_000);
    let (items, total) = forum::threads(
        &app.db,
        ctx.tenant.id,
        id_of(&id)?,
        id_of(&field)?,
        coordinator(&ctx),
        offset,
        limit,
    )
    .await
    .map_err(part_err)?;
    Ok(
        Json(json!({ "items": items, "total": total, "offset": offset, "limit": limit }))
            .into_response(),
    )
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadBody {
    title: String,
    body: String,
}

pub async fn create_thread(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path((id, field)): Path<(String, String)>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ThreadBody = body(&raw)?;
    crate::pages::forum::writable(&app, &ctx, id_of(&id)?).await?;
    limit(&app, &ctx, &client, "forum-post", 30).await?;
    let fields = crate::pages::events::field_numbers(&app, &ctx).await?;
    let w = writer(&ctx)?;
    let (tid, pid) = forum::create_thread(
        &app.db,
        ctx.tenant.id,
        &NewThread {
            process: id_of(&id)?,
            field: id_of(&field)?,
            title: &b.title,
            body: &b.body,
            locale: ctx.locale,
        },
        &fields,
        &w,
        app.now(),
    )
    .await
    .map_err(part_err)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "thread": tid, "post": pid })),
    )
        .into_response())
}

/// A thread and one page of its posts (hidden posts without their text, except for
/// coordinators).
pub async fn thread(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<Paging>,
) -> Result<Response, AppError> {
    let t = forum::get_thread(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(part_err)?
        .filter(|t| !t.hidden || coordinator(&ctx))
        .ok_or(AppError::NotFound)?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let mut posts = forum::posts_on(&app.db, t.id, page)
        .await
        .map_err(part_err)?;
    let total = t.posts;
    if !coordinator(&ctx) {
        for p in posts.iter_mut().filter(|p| p.hidden) {
            p.body.clear();
            p.quote_text.clear();
        }
    }
    Ok(Json(json!({ "thread": t, "posts": posts, "page": page, "per_page": forum::PER_PAGE, "total": total })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostBody {
    body: String,
    #[serde(default)]
    parent: Option<i64>,
    #[serde(default)]
    quote: Option<i64>,
}

pub async fn reply(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: PostBody = body(&raw)?;
    let tid = id_of(&id)?;
    let t = forum::get_thread(&app.db, ctx.tenant.id, tid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    crate::pages::forum::writable(&app, &ctx, t.process_id).await?;
    limit(&app, &ctx, &client, "forum-post", 30).await?;
    let w = writer(&ctx)?;
    let post = forum::reply(
        &app.db,
        ctx.tenant.id,
        tid,
        &NewReply {
            parent: b.parent,
            quote: b.quote,
            body: &b.body,
            locale: ctx.locale,
        },
        &w,
        app.now(),
    )
    .await
    .map_err(part_err)?;
    let page = forum::page_of(&app.db, tid, post).await.map_err(part_err)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": post, "page": page })),
    )
        .into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    reason: String,
}

pub async fn report(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ReportBody = body(&raw)?;
    limit(&app, &ctx, &client, "report", 20).await?;
    forum::report(&app.db, ctx.tenant.id, id_of(&id)?, &b.reason, app.now())
        .await
        .map_err(part_err)?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationBody {
    hidden: bool,
    #[serde(default)]
    reason: String,
}

pub async fn moderate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ModerationBody = body(&raw)?;
    let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let pid = id_of(&id)?;
    forum::moderate(
        &app.db,
        ctx.tenant.id,
        pid,
        b.hidden,
        actor,
        &b.reason,
        app.now(),
    )
    .await
    .map_err(part_err)?;
    let log = forum::decisions(&app.db, pid).await.map_err(part_err)?;
    let log: Vec<_> = log
        .iter()
        .map(|(d, r, a, at)| json!({ "decision": d, "reason": r, "actor": a, "at": at }))
        .collect();
    Ok(Json(json!({ "id": pid, "hidden": b.hidden, "decisions": log })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    locked: bool,
}

pub async fn lock(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: LockBody = body(&raw)?;
    let tid = id_of(&id)?;
    forum::lock(&app.db, ctx.tenant.id, tid, b.locked)
        .await
        .map_err(part_err)?;
    app.audit(
        &ctx,
        if b.locked {
            "lock_thread"
        } else {
            "unlock_thread"
        },
        "thread",
        tid,
        "",
    )
    .await?;
    Ok(Json(json!({ "id": tid, "locked": b.locked })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestBody {
    frequency: String,
}

pub async fn digest(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: DigestBody = body(&raw)?;
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let f = Frequency::parse(&b.frequency).ok_or_else(|| {
        let mut v = Validation::new();
        v.add("frequency", "invalid");
        AppError::from(v)
    })?;
    forum::set_digest(&app.db, ctx.tenant.id, user, f, app.now())
        .await
        .map_err(part_err)?;
    Ok(Json(json!({ "frequency": f })).into_response())
}
