//! The JSON API under `/api/v1`: everything the HTML does, for scripts (Bearer tokens) and
//! browsers (session cookie plus `X-CSRF-Token`). Bodies are parsed strictly: unknown fields,
//! wrong types and invalid UTF-8 are 4xx problem documents and change nothing.

use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::pages::admin::actor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use th_concept::{TextEdit, Version};
use th_core::Locale;

pub mod coordination;
pub mod events;
pub mod forum;
pub mod guide;
pub mod hsds;
pub mod invitations;
pub mod measures;
pub mod monitoring;
pub mod my_org;
pub mod opinion;
pub mod processes;
pub mod themes;

/// Parses a JSON body strictly, reporting the field that is wrong.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, AppError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| AppError::BadRequest("the body is not valid UTF-8".into()))?;
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let code = if msg.contains("unknown field") {
            "unknown_field"
        } else if msg.contains("missing field") {
            "required"
        } else if msg.contains("invalid type") {
            "wrong_type"
        } else {
            // Serde names our Rust types ("expected struct TokenBody"); clients need none of it.
            let msg = match msg.find("expected struct") {
                Some(at) => format!("{}expected a JSON object", &msg[..at]),
                None => msg,
            };
            return AppError::BadRequest(format!("the body is not valid JSON: {msg}"));
        };
        let field = if code == "unknown_field" || code == "required" {
            msg.split('`').nth(1).unwrap_or(&path).to_string()
        } else {
            path
        };
        AppError::Validation(vec![th_core::FieldError {
            field,
            code: code.into(),
        }])
    })
}

fn version_json(v: &Version, l: Option<Locale>) -> Value {
    let text = |t: &th_concept::Tr| match l {
        Some(l) => {
            let s = t.get(l);
            json!({ "text": s.text, "locale": s.locale.tag(), "fallback": s.fallback })
        }
        None => serde_json::to_value(t).unwrap_or_default(),
    };
    json!({
        "id": v.info.id,
        "number": v.info.number,
        "status": v.info.status,
        "based_on": v.info.based_on,
        "created_at": th_core::rfc3339(v.info.created_at),
        "adopted_at": v.info.adopted_at.map(th_core::rfc3339),
        "title": text(&v.title),
        "summary": text(&v.summary),
        "fields": v.fields.iter().map(|f| json!({
            "id": f.id,
            "number": f.number,
            "title": text(&f.title),
            "description": text(&f.description),
            "goals": f.goals.iter().map(|g| json!({
                "id": g.id,
                "number": g.number,
                "illustrative": g.illustrative,
                "title": text(&g.title),
                "description": text(&g.description),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

#[derive(serde::Deserialize)]
pub struct LocaleQuery {
    /// `all` returns every translation; otherwise the request's locale with fallback.
    texts: Option<String>,
}

fn mode(ctx: &Ctx, q: &LocaleQuery) -> Option<Locale> {
    (q.texts.as_deref() != Some("all")).then_some(ctx.locale)
}

pub async fn concept_current(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LocaleQuery>,
) -> Result<Response, AppError> {
    let v = app
        .concepts
        .current(&app.db, ctx.tenant.id)
        .await?
        .filter(|c| crate::pages::public::visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    Ok(Json(version_json(&v, mode(&ctx, &q))).into_response())
}

pub async fn concept_versions(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all: Vec<_> = th_concept::versions(&app.db, ctx.tenant.id)
        .await?
        .into_iter()
        .filter(|v| crate::pages::public::visible(&ctx, v))
        .collect();
    Ok(Json(json!({ "items": all })).into_response())
}

fn number(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub async fn concept_version(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(n): Path<String>,
    Query(q): Query<LocaleQuery>,
) -> Result<Response, AppError> {
    let v = app
        .concepts
        .by_number(&app.db, ctx.tenant.id, number(&n)?)
        .await?
        .filter(|c| crate::pages::public::visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    Ok(Json(version_json(&v, mode(&ctx, &q))).into_response())
}

#[derive(serde::Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn concept_diff(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DiffQuery>,
) -> Result<Response, AppError> {
    let get = |s: Option<String>, f: &str| {
        s.and_then(|s| s.parse::<i64>().ok()).ok_or_else(|| {
            AppError::Validation(vec![th_core::FieldError {
                field: f.into(),
                code: "required".into(),
            }])
        })
    };
    let (from, to) = (get(q.from, "from")?, get(q.to, "to")?);
    let a = app
        .concepts
        .by_number(&app.db, ctx.tenant.id, from)
        .await?
        .filter(|c| crate::pages::public::visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    let b = app
        .concepts
        .by_number(&app.db, ctx.tenant.id, to)
        .await?
        .filter(|c| crate::pages::public::visible(&ctx, &c.info))
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!({ "from": from, "to": to, "locale": ctx.locale.tag(), "changes": th_concept::diff(&a, &b, ctx.locale) })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftCreate {
    /// Version number to copy; the adopted version when absent.
    base: Option<i64>,
}

pub async fn draft_create(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: DraftCreate = if raw.is_empty() {
        DraftCreate { base: None }
    } else {
        body(&raw)?
    };
    let base = match b.base {
        Some(n) => app
            .concepts
            .by_number(&app.db, ctx.tenant.id, n)
            .await?
            .filter(|c| crate::pages::public::visible(&ctx, &c.info))
            .ok_or(AppError::NotFound)?,
        None => app
            .concepts
            .current(&app.db, ctx.tenant.id)
            .await?
            .filter(|c| crate::pages::public::visible(&ctx, &c.info))
            .ok_or(AppError::NotFound)?,
    };
    let id = th_concept::new_draft(&app.db, actor(&app, &ctx)?, base.info.id).await?;
    let v = th_concept::load(&app.db, ctx.tenant.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(version_json(&v, None))).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextBody {
    locale: String,
    title: String,
    #[serde(default)]
    description: String,
}

fn edit(b: &TextBody) -> Result<TextEdit<'_>, AppError> {
    let locale = Locale::parse(&b.locale).ok_or_else(|| {
        AppError::Validation(vec![th_core::FieldError {
            field: "locale".into(),
            code: "invalid".into(),
        }])
    })?;
    Ok(TextEdit {
        locale,
        title: &b.title,
        description: &b.description,
    })
}

async fn draft_version(app: &AppState, ctx: &Ctx) -> Result<th_concept::VersionInfo, AppError> {
    th_concept::draft(&app.db, ctx.tenant.id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn draft_json(app: &AppState, ctx: &Ctx, id: i64) -> Result<Response, AppError> {
    let v = th_concept::load(&app.db, ctx.tenant.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(version_json(&v, None)).into_response())
}

pub async fn draft_texts(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: TextBody = body(&raw)?;
    let d = draft_version(&app, &ctx).await?;
    th_concept::edit_version_texts(&app.db, actor(&app, &ctx)?, d.id, edit(&b)?).await?;
    draft_json(&app, &ctx, d.id).await
}

pub async fn draft_field(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: TextBody = body(&raw)?;
    let d = draft_version(&app, &ctx).await?;
    th_concept::edit_field(&app.db, actor(&app, &ctx)?, d.id, number(&id)?, edit(&b)?).await?;
    draft_json(&app, &ctx, d.id).await
}

pub async fn draft_goal(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: TextBody = body(&raw)?;
    let d = draft_version(&app, &ctx).await?;
    th_concept::edit_goal(&app.db, actor(&app, &ctx)?, d.id, number(&id)?, edit(&b)?).await?;
    draft_json(&app, &ctx, d.id).await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGoal {
    title: String,
    #[serde(default)]
    description: String,
}

pub async fn draft_goal_add(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: NewGoal = body(&raw)?;
    let d = draft_version(&app, &ctx).await?;
    let n = th_concept::add_goal(
        &app.db,
        actor(&app, &ctx)?,
        d.id,
        number(&id)?,
        &b.title,
        &b.description,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "number": n }))).into_response())
}

pub async fn draft_goal_remove(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let d = draft_version(&app, &ctx).await?;
    th_concept::remove_goal(&app.db, actor(&app, &ctx)?, d.id, number(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn draft_adopt(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let d = draft_version(&app, &ctx).await?;
    th_concept::adopt(&app.db, actor(&app, &ctx)?, d.id).await?;
    draft_json(&app, &ctx, d.id).await
}

pub async fn draft_history(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let d = draft_version(&app, &ctx).await?;
    Ok(
        Json(json!({ "items": th_concept::history(&app.db, ctx.tenant.id, d.id).await? }))
            .into_response(),
    )
}

async fn page_json(
    app: &AppState,
    ctx: &Ctx,
    kind: &str,
    locale: Locale,
) -> Result<Response, AppError> {
    if !matches!(kind, "impressum" | "privacy" | "accessibility") {
        return Err(AppError::NotFound);
    }
    let p = app
        .db
        .site_page(ctx.tenant.id, kind, locale)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!({ "kind": kind, "locale": p.locale, "body": p.body, "is_demo": p.is_demo, "updated_at": th_core::rfc3339(p.updated_at) })).into_response())
}

pub async fn site_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
) -> Result<Response, AppError> {
    page_json(&app, &ctx, &kind, ctx.locale).await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageBody {
    locale: String,
    body: String,
}

pub async fn site_page_put(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    if !matches!(kind.as_str(), "impressum" | "privacy" | "accessibility") {
        return Err(AppError::NotFound);
    }
    let b: PageBody = body(&raw)?;
    let mut v = th_core::Validation::new();
    let locale = Locale::parse(&b.locale);
    if locale.is_none() {
        v.add("locale", "invalid");
    }
    let text = v.text("body", &b.body, 20_000);
    v.into_result()?;
    let locale = locale.ok_or(AppError::NotFound)?;
    crate::pages::admin::save_site_page(&app, &ctx, &kind, locale, &text).await?;
    page_json(&app, &ctx, &kind, locale).await
}

pub async fn outbox(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(
        Json(json!({ "items": th_mail::outbox(&app.db, ctx.tenant.id, 200).await? }))
            .into_response(),
    )
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    password: String,
}

/// Erases the caller's account; the password confirms it (as in the form).
pub async fn me_erase(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: EraseBody = body(&raw)?;
    if !crate::pages::account::erase_account(&app, &ctx, &b.password).await? {
        return Err(AppError::Validation(vec![th_core::FieldError {
            field: "password".into(),
            code: "wrong_password".into(),
        }]));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    message: String,
    #[serde(default)]
    contact: String,
}

pub async fn feedback(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: FeedbackBody = body(&raw)?;
    match crate::pages::public::take_feedback(&app, &ctx, &client.0, &b.message, &b.contact).await?
    {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(v) => Err(v.into()),
    }
}

pub async fn feedback_list(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(Json(json!({ "items": app.db.feedback(ctx.tenant.id).await? })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    display_name: String,
}

pub async fn me_name(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: NameBody = body(&raw)?;
    crate::pages::account::change_name(&app, &ctx, &b.display_name)
        .await?
        .map_err(AppError::from)?;
    Ok(Json(json!({ "display_name": b.display_name.trim() })).into_response())
}

pub async fn me(ctx: Ctx) -> Result<Response, AppError> {
    Ok(Json(ctx.user.clone().ok_or(AppError::Unauthorized)?).into_response())
}

pub async fn me_export(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(Json(crate::pages::account::export_value(&app, &ctx).await?).into_response())
}

pub async fn tokens(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let u = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    Ok(Json(json!({ "items": th_auth::api_tokens(&app.db, u.id).await? })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    name: String,
}

pub async fn token_create(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: TokenBody = body(&raw)?;
    let u = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let mut v = th_core::Validation::new();
    let name = v.text("name", &b.name, 80);
    v.into_result()?;
    let (id, secret) = th_auth::create_api_token(&app.db, &u, &name, app.now()).await?;
    crate::pages::account::audit_token(&app, &ctx, "create_api_token", id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "name": name, "token": secret })),
    )
        .into_response())
}

pub async fn token_revoke(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let u = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let id = number(&id)?;
    if th_auth::revoke_api_token(&app.db, u.id, id, app.now()).await? {
        crate::pages::account::audit_token(&app, &ctx, "revoke_api_token", id).await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn municipalities(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(Json(json!({ "items": app.db.municipalities(ctx.tenant.id).await? })).into_response())
}

#[derive(serde::Deserialize)]
pub struct OrgListQuery {
    q: Option<String>,
    kind: Option<String>,
    municipality: Option<String>,
    field: Option<i64>,
    offset: Option<i64>,
    limit: Option<i64>,
}

pub async fn orgs_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OrgListQuery>,
) -> Result<Response, AppError> {
    let filter = th_participation::OrgFilter {
        q: q.q,
        kind: q.kind,
        municipality: q.municipality,
        field: q.field,
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).clamp(0, 10_000_000);
    let (items, total) = th_participation::list(&app.db, ctx.tenant.id, &filter, offset, limit)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    Ok(
        Json(json!({ "items": items, "total": total, "offset": offset, "limit": limit }))
            .into_response(),
    )
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    name: String,
    kind: String,
    municipality: String,
    #[serde(default)]
    fields: Vec<i64>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    contact: Option<th_participation::ContactInput>,
}

impl OrgBody {
    fn input(&self) -> th_participation::OrgInput {
        th_participation::OrgInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            municipality: self.municipality.clone(),
            fields: self.fields.clone(),
            languages: self.languages.clone(),
            notes: self.notes.clone(),
        }
    }
}

async fn org_json(app: &AppState, ctx: &Ctx, id: i64) -> Result<Value, AppError> {
    let o = th_participation::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(crate::pages::orgs::part_err)?
        .ok_or(AppError::NotFound)?;
    let contacts = th_participation::contacts(&app.db, ctx.tenant.id, id)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    let mut v = serde_json::to_value(o).unwrap_or_default();
    v["contacts"] = serde_json::to_value(contacts).unwrap_or_default();
    Ok(v)
}

pub async fn org_create(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: OrgBody = body(&raw)?;
    let contact = b.contact.clone().ok_or_else(|| {
        AppError::Validation(vec![th_core::FieldError {
            field: "contact".into(),
            code: "required".into(),
        }])
    })?;
    let id = crate::pages::orgs::create_org(&app, &ctx, &b.input(), &contact).await?;
    Ok((StatusCode::CREATED, Json(org_json(&app, &ctx, id).await?)).into_response())
}

pub async fn org_get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    Ok(Json(org_json(&app, &ctx, number(&id)?).await?).into_response())
}

pub async fn org_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: OrgBody = body(&raw)?;
    let id = number(&id)?;
    crate::pages::orgs::update_org(&app, &ctx, id, &b.input()).await?;
    Ok(Json(org_json(&app, &ctx, id).await?).into_response())
}

#[derive(serde::Deserialize)]
pub struct ImportQuery {
    dry_run: Option<bool>,
}

/// The CSV file is the body (any content type). 200 with the report when clean (written
/// unless `dry_run=true`); 422 with every error by line, and nothing written, otherwise.
pub async fn orgs_import(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ImportQuery>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let (plan, written) =
        crate::pages::orgs::run_import(&app, &ctx, &raw, q.dry_run.unwrap_or(false)).await?;
    let report = json!({ "written": written, "rows": plan.rows, "encoding": plan.encoding, "delimiter": plan.delimiter, "organisations": plan.organisations, "contacts": plan.contacts, "duplicates": plan.duplicates, "errors": plan.errors });
    if plan.is_clean() {
        return Ok(Json(report).into_response());
    }
    let mut problem = AppError::Validation(vec![]).problem(&ctx.path, ctx.locale, &ctx.i18n);
    problem["errors"] = plan
        .errors
        .iter()
        .map(|e| json!({ "line": e.line, "field": e.column, "code": e.code, "value": e.value }))
        .collect::<Vec<_>>()
        .into();
    problem["import"] = report;
    let mut res = (StatusCode::UNPROCESSABLE_ENTITY, problem.to_string()).into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    Ok(res)
}

pub async fn processes(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all = th_participation::process::processes(&app.db, ctx.tenant.id)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    let now = app.now();
    let items: Vec<Value> = all
        .iter()
        .map(|p| json!({ "process": p, "standing": p.standing(now) }))
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

pub async fn process(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = th_participation::process::process(&app.db, ctx.tenant.id, number(&id)?)
        .await
        .map_err(crate::pages::orgs::part_err)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!({ "process": p, "standing": p.standing(app.now()) })).into_response())
}

pub async fn campaigns(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all = th_participation::campaign::campaigns(&app.db, ctx.tenant.id)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    Ok(Json(json!({ "items": all })).into_response())
}

pub async fn campaign(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = number(&id)?;
    let c = th_participation::campaign::campaign(&app.db, ctx.tenant.id, id)
        .await
        .map_err(crate::pages::orgs::part_err)?
        .ok_or(AppError::NotFound)?;
    let (total, by_kind, by_municipality) =
        th_participation::campaign::stats(&app.db, ctx.tenant.id, id)
            .await
            .map_err(crate::pages::orgs::part_err)?;
    Ok(Json(json!({ "campaign": c, "stats": { "total": total, "by_kind": by_kind, "by_municipality": by_municipality } })).into_response())
}

pub async fn campaign_send(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = th_participation::campaign::send(
        &app.db,
        ctx.tenant.id,
        number(&id)?,
        &ctx.origin,
        app.now(),
    )
    .await
    .map_err(crate::pages::orgs::part_err)?;
    Ok(Json(r).into_response())
}

pub async fn campaign_remind(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let n = th_participation::campaign::remind(
        &app.db,
        ctx.tenant.id,
        number(&id)?,
        &ctx.origin,
        &ctx.t("admin-campaigns-reminder-prefix"),
        app.now(),
    )
    .await
    .map_err(crate::pages::orgs::part_err)?;
    Ok(Json(json!({ "reminded": n })).into_response())
}

#[derive(serde::Deserialize)]
pub struct ContributionQuery {
    q: Option<String>,
    process: Option<i64>,
    kind: Option<String>,
    field: Option<i64>,
    status: Option<String>,
    org_kind: Option<String>,
    municipality: Option<String>,
    language: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

pub async fn contributions(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ContributionQuery>,
) -> Result<Response, AppError> {
    let s = th_participation::contribution::Search {
        q: q.q,
        process: q.process,
        kind: q.kind,
        field: q.field,
        status: q.status,
        org_kind: q.org_kind,
        municipality: q.municipality,
        language: q.language,
        published_only: false,
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).clamp(0, 10_000_000);
    let (items, total) =
        th_participation::contribution::search(&app.db, ctx.tenant.id, &s, offset, limit)
            .await
            .map_err(crate::pages::orgs::part_err)?;
    Ok(
        Json(json!({ "items": items, "total": total, "offset": offset, "limit": limit }))
            .into_response(),
    )
}

pub async fn contribution(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let coordinator = matches!(
        ctx.role(),
        th_core::Role::Coordinator | th_core::Role::Admin
    );
    let c = th_participation::contribution::get(&app.db, ctx.tenant.id, number(&id)?)
        .await
        .map_err(crate::pages::orgs::part_err)?
        .filter(|c| c.published || coordinator)
        .ok_or(AppError::NotFound)?;
    let supports = th_participation::contribution::supports(&app.db, c.id)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    Ok(Json(json!({ "contribution": c, "supports": supports })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    reason: String,
}

pub async fn contribution_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: StatusBody = body(&raw)?;
    let c = crate::pages::contributions::decide_and_notify(
        &app,
        &ctx,
        number(&id)?,
        &b.status,
        &b.goal,
        &b.reason,
    )
    .await?;
    Ok(Json(c).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    reason: String,
}

pub async fn contribution_report(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, AppError> {
    let b: ReportBody = body(&raw)?;
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "report", &client.0, 20, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_participation::contribution::report(&app.db, ctx.tenant.id, number(&id)?, &b.reason, now)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    th_auth::rate_record(&app.db, "report", &client.0, now).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

pub async fn contribution_support(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let id = number(&id)?;
    let now_supports =
        th_participation::contribution::toggle_support(&app.db, ctx.tenant.id, id, user, app.now())
            .await
            .map_err(crate::pages::orgs::part_err)?;
    let count = th_participation::contribution::supports(&app.db, id)
        .await
        .map_err(crate::pages::orgs::part_err)?;
    Ok(Json(json!({ "supported": now_supports, "supports": count })).into_response())
}

pub async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}
