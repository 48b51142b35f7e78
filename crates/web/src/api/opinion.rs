//! Opinion maps in the JSON API: everything the pages do. Participants are the signed-in
//! account (bearer token) or, anonymously, a secret of at least 32 characters the client keeps
//! and sends as `X-Opinion-Participant` (only its hash is stored).

use super::body;
use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::pages::opinion::{
    id_of, is_coordinator, limit, op_err, visible, who, who_key, STATEMENTS_PER_HOUR,
    VOTES_PER_10_MIN,
};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use th_opinion::store::{
    self, ConversationRow, Decision, NewConversation, StatementRow, Status, Who,
};

pub const PARTICIPANT_HEADER: &str = "x-opinion-participant";

/// The participant: the account, or the anonymous secret in the header (422 without either,
/// naming the header).
fn participant(ctx: &Ctx, headers: &HeaderMap) -> Result<Who, AppError> {
    optional_participant(ctx, headers).ok_or_else(|| {
        AppError::Validation(vec![th_core::FieldError {
            field: "X-Opinion-Participant".into(),
            code: "required".into(),
        }])
    })
}

fn optional_participant(ctx: &Ctx, headers: &HeaderMap) -> Option<Who> {
    let secret = headers
        .get(PARTICIPANT_HEADER)
        .and_then(|v| v.to_str().ok());
    who(ctx, secret)
}

fn conv_json(c: &ConversationRow) -> Value {
    json!({
        "id": c.id, "process_id": c.process_id, "topic": c.topic, "description": c.description,
        "locale": c.locale, "status": c.status.key(), "strict_moderation": c.strict, "created_at": c.created_at,
    })
}

fn statement_json(s: &StatementRow, coordinator: bool) -> Value {
    let mut v = json!({
        "id": s.num, "text": s.body, "locale": s.locale, "meta": s.meta, "created_at": s.created_at,
        "moderation": match s.moderation { -1 => "rejected", 1 => "accepted", _ => "waiting" },
    });
    if coordinator {
        v["author"] = s.author.into();
    }
    v
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    process: Option<i64>,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let all = store::list(&app.db, ctx.tenant.id, q.process)
        .await
        .map_err(op_err)?;
    let c = is_coordinator(&ctx);
    let items: Vec<Value> = all
        .iter()
        .filter(|x| c || x.status != Status::Hidden)
        .map(conv_json)
        .collect();
    Ok(Json(json!({ "conversations": items })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    topic: String,
    #[serde(default)]
    description: String,
    process_id: Option<i64>,
    #[serde(default = "yes")]
    strict_moderation: bool,
}

fn yes() -> bool {
    true
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: CreateBody = body(&raw)?;
    if let Some(p) = b.process_id {
        th_participation::process::process(&app.db, ctx.tenant.id, p)
            .await
            .map_err(crate::pages::orgs::part_err)?
            .ok_or(AppError::Validation(vec![th_core::FieldError {
                field: "process_id".into(),
                code: "unknown".into(),
            }]))?;
    }
    let id = store::create(
        &app.db,
        ctx.tenant.id,
        &NewConversation {
            process_id: b.process_id,
            topic: &b.topic,
            description: &b.description,
            locale: ctx.locale.html_lang(),
            strict: b.strict_moderation,
        },
        app.now(),
    )
    .await
    .map_err(op_err)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// The conversation, its statements (coordinators also see waiting and rejected ones) and the
/// current result with the keys of `teilhabe polis analyze --json` (without member lists).
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let coordinator = is_coordinator(&ctx);
    let rows = store::statements(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    let statements: Vec<Value> = rows
        .iter()
        .filter(|s| coordinator || s.votable(c.strict))
        .map(|s| statement_json(s, coordinator))
        .collect();
    let result = store::result(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    let (seq, analysis) = match result {
        Some((s, a)) => (
            Some(s),
            serde_json::to_value(a).map_err(|e| AppError::Internal(e.to_string()))?,
        ),
        None => (None, Value::Null),
    };
    let mut v = conv_json(&c);
    v["statements"] = statements.into();
    v["analysis"] = analysis;
    v["analysis_seq"] = seq.into();
    v["seq"] = c.seq.into();
    Ok(crate::pages::no_store(Json(v).into_response()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementBody {
    text: String,
}

pub async fn add_statement(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: StatementBody = body(&raw)?;
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let w = participant(&ctx, &headers)?;
    limit(
        &app,
        &who_key(&w),
        &client,
        "opinion-statement",
        STATEMENTS_PER_HOUR,
        3600,
    )
    .await?;
    let num = store::add_statement(
        &app.db,
        ctx.tenant.id,
        c.id,
        &w,
        &b.text,
        ctx.locale.html_lang(),
        app.now(),
    )
    .await
    .map_err(op_err)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": num, "moderation": "waiting", "votable": !c.strict })),
    )
        .into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    statement: i64,
    vote: i64,
}

pub async fn vote(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: VoteBody = body(&raw)?;
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let w = participant(&ctx, &headers)?;
    limit(
        &app,
        &who_key(&w),
        &client,
        "opinion-vote",
        VOTES_PER_10_MIN,
        600,
    )
    .await?;
    let p = store::vote(
        &app.db,
        ctx.tenant.id,
        c.id,
        &w,
        b.statement,
        b.vote,
        app.now(),
    )
    .await
    .map_err(op_err)?;
    Ok(Json(json!({ "participant": p, "statement": b.statement, "vote": b.vote })).into_response())
}

/// The statement to show this participant next (Polis's priority rule), or null.
pub async fn next(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let rows = store::statements(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    // Without an identity yet: what a new participant would see first.
    let pnum = match optional_participant(&ctx, &headers) {
        Some(w) => store::participant_of(&app.db, ctx.tenant.id, c.id, &w)
            .await
            .map_err(op_err)?,
        None => None,
    };
    let mine = match pnum {
        Some(p) => store::votes_of(&app.db, ctx.tenant.id, c.id, p)
            .await
            .map_err(op_err)?,
        None => Default::default(),
    };
    let result = store::result(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    let next = store::next_statement(
        &rows,
        c.strict,
        &mine,
        result.as_ref().map(|r| &r.1),
        pnum.unwrap_or(-1),
    );
    let s = next
        .and_then(|n| rows.iter().find(|r| r.num == n))
        .map(|s| statement_json(s, false));
    Ok(crate::pages::no_store(
        Json(json!({ "statement": s, "voted": mine.len() })).into_response(),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationBody {
    decision: String,
}

pub async fn moderate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, num)): Path<(String, String)>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ModerationBody = body(&raw)?;
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let d = Decision::parse(&b.decision).ok_or_else(|| {
        AppError::Validation(vec![th_core::FieldError {
            field: "decision".into(),
            code: "invalid".into(),
        }])
    })?;
    store::moderate(&app.db, ctx.tenant.id, c.id, id_of(&num)?, d, app.now())
        .await
        .map_err(op_err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: String,
}

pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: StatusBody = body(&raw)?;
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let s = Status::parse(&b.status).ok_or_else(|| {
        AppError::Validation(vec![th_core::FieldError {
            field: "status".into(),
            code: "invalid".into(),
        }])
    })?;
    store::set_status(&app.db, ctx.tenant.id, c.id, s, app.now())
        .await
        .map_err(op_err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
