//! Coordination: the registry of organisations — list with filters and paging, profile with
//! contacts, create and edit, the CSV import (checked whole, written only when clean) and export.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self, Field};
use crate::layout::Page;
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use th_core::Validation;
use th_participation::{import, OrgFilter, OrgInput, OrgKind, Organisation};

pub const PAGE_SIZE: i64 = 50;

/// The municipalities (key, name) and field numbers the registry is checked against.
pub async fn reference(
    app: &AppState,
    ctx: &Ctx,
) -> Result<(Vec<(String, String)>, Vec<i64>), AppError> {
    let m = app
        .db
        .municipalities(ctx.tenant.id)
        .await?
        .into_iter()
        .map(|m| (m.key, m.name))
        .collect();
    let fields = match app.concepts.current(&app.db, ctx.tenant.id).await? {
        Some(c) => c.fields.iter().map(|f| f.number).collect(),
        None => (1..=20).collect(),
    };
    Ok((m, fields))
}

fn municipality_name(m: &[(String, String)], key: &str) -> String {
    m.iter()
        .find(|(k, _)| k == key)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| key.to_string())
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    art: Option<String>,
    kommune: Option<String>,
    feld: Option<String>,
    seite: Option<String>,
}

impl ListQuery {
    pub fn filter(&self) -> OrgFilter {
        OrgFilter {
            q: self.q.clone(),
            kind: self.art.clone().filter(|s| !s.is_empty()),
            municipality: self.kommune.clone().filter(|s| !s.is_empty()),
            field: self.feld.as_deref().and_then(|f| f.parse().ok()),
        }
    }
    fn page(&self) -> i64 {
        self.seite
            .as_deref()
            .and_then(|s| s.parse().ok())
            .filter(|p: &i64| (1..=100_000).contains(p))
            .unwrap_or(1)
    }
    fn link(&self, page: i64) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("art", &self.art),
            ("kommune", &self.kommune),
            ("feld", &self.feld),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                ser.append_pair(k, v);
            }
        }
        ser.append_pair("seite", &page.to_string());
        format!("/verwaltung/organisationen?{}", ser.finish())
    }
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (m, fields) = reference(&app, &ctx).await?;
    let page = q.page();
    let (orgs, total) = th_participation::list(
        &app.db,
        ctx.tenant.id,
        &q.filter(),
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )
    .await
    .map_err(part_err)?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-orgs-title")) }
        div.th-actions {
            a.kern-btn.kern-btn--primary href="/verwaltung/organisationen/neu" { span.kern-label { (ctx.t("admin-orgs-new")) } }
            a.kern-link href="/verwaltung/organisationen/import" { (ctx.t("admin-orgs-import")) }
            a.kern-link href="/verwaltung/organisationen/export.csv" download="organisationen.csv" { (ctx.t("admin-orgs-export")) }
        }
        form.th-filters method="get" action="/verwaltung/organisationen" role="search" aria-label=(ctx.t("admin-orgs-filter")) {
            div.kern-form-input {
                label.kern-label for="q" { (ctx.t("admin-orgs-search")) }
                input.kern-form-input__input #q type="search" name="q" value=(q.q.clone().unwrap_or_default());
            }
            div.kern-form-input {
                label.kern-label for="art" { (ctx.t("org-kind")) }
                div.kern-form-input__select-wrapper {
                    select.kern-form-input__select #art name="art" {
                        option value="" { (ctx.t("admin-orgs-all")) }
                        @for k in OrgKind::ALL { option value=(k.key()) selected[q.art.as_deref() == Some(k.key())] { (ctx.t(k.label_key())) } }
                    }
                }
            }
            div.kern-form-input {
                label.kern-label for="kommune" { (ctx.t("org-municipality")) }
                div.kern-form-input__select-wrapper {
                    select.kern-form-input__select #kommune name="kommune" {
                        option value="" { (ctx.t("admin-orgs-all")) }
                        @for (k, n) in &m { option value=(k) selected[q.kommune.as_deref() == Some(k.as_str())] { (n) } }
                    }
                }
            }
            div.kern-form-input {
                label.kern-label for="feld" { (ctx.t("org-fields")) }
                div.kern-form-input__select-wrapper {
                    select.kern-form-input__select #feld name="feld" {
                        option value="" { (ctx.t("admin-orgs-all")) }
                        @for f in &fields { option value=(f) selected[q.feld.as_deref() == Some(f.to_string().as_str())] { (f) } }
                    }
                }
            }
            (forms::submit(ctx.t("admin-orgs-apply")))
        }
        p role="status" { (ctx.ta("admin-orgs-count", &[("count", th_i18n::format_int(total, ctx.locale).into())])) }
        @if !orgs.is_empty() {
            div.th-scroll { table.th-table {
                caption.kern-title { (ctx.ta("admin-orgs-page", &[("page", page.into()), ("pages", pages.into())])) }
                thead { tr {
                    th scope="col" { (ctx.t("org-name")) }
                    th scope="col" { (ctx.t("org-kind")) }
                    th scope="col" { (ctx.t("org-municipality")) }
                    th scope="col" { (ctx.t("org-fields")) }
                } }
                tbody {
                    @for o in &orgs {
                        tr {
                            td { a.kern-link href={ "/verwaltung/organisationen/" (o.id) } { (o.name) } @if o.fictitious { " " span.th-tag { (ctx.t("org-fictitious")) } } }
                            td { (ctx.t(o.kind.label_key())) }
                            td { (municipality_name(&m, &o.municipality)) }
                            td { (o.fields.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(", ")) }
                        }
                    }
                }
            } }
        }
        (crate::layout::pager(&ctx, page, pages, |n| q.link(n)))
    };
    Ok(Page::new(ctx.t("admin-orgs-title"), body).render(&ctx))
}

pub fn part_err(e: th_participation::PartError) -> AppError {
    match e {
        th_participation::PartError::NotFound => AppError::NotFound,
        th_participation::PartError::Invalid(errs) => AppError::Validation(errs),
        th_participation::PartError::Storage(s) => AppError::Internal(s.to_string()),
    }
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    fields: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

impl OrgForm {
    pub(crate) fn input(&self) -> OrgInput {
        OrgInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            municipality: self.municipality.clone(),
            fields: self
                .fields
                .split([',', ' '])
                .filter_map(|f| f.trim().parse().ok())
                .collect(),
            languages: self
                .languages
                .split([',', ' '])
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty())
                .collect(),
            notes: self.notes.clone(),
        }
    }
    pub(crate) fn from_org(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            kind: o.kind.key().into(),
            municipality: o.municipality.clone(),
            fields: o
                .fields
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            languages: o.languages.join(", "),
            notes: o.notes.clone(),
            ..Default::default()
        }
    }
}

/// Who fills in the organisation form: the office creating one (with its first contact), the
/// office editing one (with internal notes), or a member of the organisation (no notes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormMode {
    New,
    Edit,
    Member,
}

pub(crate) fn org_form(
    ctx: &Ctx,
    action: &str,
    f: &OrgForm,
    m: &[(String, String)],
    v: &Validation,
    mode: FormMode,
) -> Markup {
    let with_contact = mode == FormMode::New;
    let kind_err = v.for_field("kind");
    let mun_err = v.for_field("municipality");
    html! {
        (forms::error_summary(ctx, v))
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("name", ctx.t("org-name"), &f.name), v))
            div.kern-form-input {
                label.kern-label for="kind" { (ctx.t("org-kind")) }
                @if let Some(e) = kind_err { p.kern-error #kind-error { (ctx.t(crate::error::field_error_key(&e.code))) } }
                div.kern-form-input__select-wrapper {
                    select.kern-form-input__select #kind name="kind" aria-invalid=[kind_err.map(|_| "true")] aria-describedby=[kind_err.map(|_| "kind-error")] {
                        option value="" { "–" }
                        @for k in OrgKind::ALL { option value=(k.key()) selected[f.kind == k.key()] { (ctx.t(k.label_key())) } }
                    }
                }
            }
            div.kern-form-input {
                label.kern-label for="municipality" { (ctx.t("org-municipality")) }
                @if let Some(e) = mun_err { p.kern-error #municipality-error { (ctx.t(crate::error::field_error_key(&e.code))) } }
                div.kern-form-input__select-wrapper {
                    select.kern-form-input__select #municipality name="municipality" aria-invalid=[mun_err.map(|_| "true")] aria-describedby=[mun_err.map(|_| "municipality-error")] {
                        option value="" { "–" }
                        @for (k, n) in m { option value=(k) selected[f.municipality == *k] { (n) } }
                    }
                }
            }
            (forms::input(ctx, Field::new("fields", ctx.t("org-fields"), &f.fields).hint(ctx.t("org-fields-hint")).optional(), v))
            (forms::input(ctx, Field::new("languages", ctx.t("org-languages"), &f.languages).hint(ctx.t("org-languages-hint")).optional(), v))
            @if mode != FormMode::Member {
                (forms::input(ctx, Field::new("notes", ctx.t("org-notes"), &f.notes).kind("textarea").optional(), v))
            }
            @if with_contact {
                fieldset.kern-fieldset {
                    legend.kern-label { (ctx.t("org-contact")) }
                    (forms::input(ctx, Field::new("contact_name", ctx.t("org-contact-name"), &f.contact_name).optional().autocomplete("off"), v))
                    (forms::input(ctx, Field::new("email", ctx.t("field-email"), &f.email).kind("email").autocomplete("off"), v))
                    (forms::input(ctx, Field::new("role", ctx.t("org-contact-role"), &f.role).optional(), v))
                }
            }
            (forms::submit(ctx.t("admin-save")))
        }
    }
}

pub async fn new_form(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let (m, _) = reference(&app, &ctx).await?;
    let body = html! {
        p { a.kern-link href="/verwaltung/organisationen" { (ctx.t("admin-orgs-back")) } }
        h1.kern-heading-x-large { (ctx.t("admin-orgs-new")) }
        (org_form(&ctx, "/verwaltung/organisationen", &OrgForm::default(), &m, &Validation::new(), FormMode::New))
    };
    Ok(Page::new(ctx.t("admin-orgs-new"), body).render(&ctx))
}

pub(crate) async fn audit_org(
    app: &AppState,
    ctx: &Ctx,
    tx: &mut th_storage::Tx,
    action: &str,
    id: i64,
) -> Result<(), AppError> {
    let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
    app.db
        .audit(
            tx,
            th_storage::platform::AuditEntry {
                tenant: ctx.tenant.id,
                actor: Some(actor),
                action,
                object_type: "organisation",
                object_id: &id.to_string(),
                detail: "",
            },
            app.now(),
        )
        .await?;
    Ok(())
}

/// Creates an organisation with its first contact (form and API).
pub async fn create_org(
    app: &AppState,
    ctx: &Ctx,
    o: &OrgInput,
    contact: &th_participation::ContactInput,
) -> Result<i64, AppError> {
    let (m, fields) = reference(app, ctx).await?;
    let keys: Vec<String> = m.iter().map(|(k, _)| k.clone()).collect();
    let mut tx = app.db.begin().await?;
    let id = th_participation::create(
        &mut tx,
        ctx.tenant.id,
        o,
        Some(contact),
        &keys,
        &fields,
        app.now(),
    )
    .await
    .map_err(part_err)?;
    audit_org(app, ctx, &mut tx, "create_organisation", id).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<OrgForm>,
) -> Result<Response, AppError> {
    let contact = th_participation::ContactInput {
        name: f.contact_name.clone(),
        email: f.email.clone(),
        role: f.role.clone(),
        consent_how: String::new(),
    };
    match create_org(&app, &ctx, &f.input(), &contact).await {
        Ok(id) => Ok(super::see_other(&format!(
            "/verwaltung/organisationen/{id}"
        ))),
        Err(AppError::Validation(errs)) => {
            let (m, _) = reference(&app, &ctx).await?;
            let v = Validation { errors: errs };
            let body = html! {
                h1.kern-heading-x-large { (ctx.t("admin-orgs-new")) }
                (org_form(&ctx, "/verwaltung/organisationen", &f, &m, &v, FormMode::New))
            };
            Ok(Page::new(ctx.t("admin-orgs-new"), body)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(e),
    }
}

async fn show_org(
    app: &AppState,
    ctx: &Ctx,
    id: i64,
    f: Option<&OrgForm>,
    v: &Validation,
    saved: bool,
) -> Result<Page, AppError> {
    let o = th_participation::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let contacts = th_participation::contacts(&app.db, ctx.tenant.id, id)
        .await
        .map_err(part_err)?;
    let (m, _) = reference(app, ctx).await?;
    let form = f.cloned().unwrap_or_else(|| OrgForm::from_org(&o));
    let body = html! {
        p { a.kern-link href="/verwaltung/organisationen" { (ctx.t("admin-orgs-back")) } }
        h1.kern-heading-x-large { (o.name) }
        @if o.fictitious { p { span.th-tag { (ctx.t("org-fictitious")) } } }
        @if saved { (forms::notice(ctx.t("admin-saved"))) }
        dl {
            dt { (ctx.t("org-kind")) } dd { (ctx.t(o.kind.label_key())) }
            dt { (ctx.t("org-municipality")) } dd { (municipality_name(&m, &o.municipality)) }
            dt { (ctx.t("org-languages")) } dd { (o.languages.join(", ")) }
        }
        h2.kern-heading-medium { (ctx.t("org-contacts")) }
        @if contacts.is_empty() { p { "–" } }
        @else {
            div.th-scroll { table.th-table {
                caption.kern-title { (ctx.t("org-contacts")) }
                thead { tr { th scope="col" { (ctx.t("org-contact-name")) } th scope="col" { (ctx.t("field-email")) } th scope="col" { (ctx.t("org-contact-role")) } th scope="col" { (ctx.t("org-consent")) } } }
                tbody { @for c in &contacts { tr {
                    td { (c.name) } td { (c.email) } td { (c.role) }
                    td { @if let Some(at) = c.consent_at { (crate::layout::date(ctx, at)) " · " (c.consent_how) } @else { "–" } }
                } } }
            } }
        }
        h2.kern-heading-medium { (ctx.t("admin-orgs-edit")) }
        (org_form(ctx, &format!("/verwaltung/organisationen/{id}"), &form, &m, v, FormMode::Edit))
    };
    Ok(Page::new(o.name.clone(), body))
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    gespeichert: Option<String>,
}

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    Ok(show_org(
        &app,
        &ctx,
        id_of(&id)?,
        None,
        &Validation::new(),
        q.gespeichert.is_some(),
    )
    .await?
    .render(&ctx))
}

/// Changes an organisation's profile (form and API).
pub async fn update_org(app: &AppState, ctx: &Ctx, id: i64, o: &OrgInput) -> Result<(), AppError> {
    let (m, fields) = reference(app, ctx).await?;
    let keys: Vec<String> = m.iter().map(|(k, _)| k.clone()).collect();
    let mut tx = app.db.begin().await?;
    th_participation::update(&mut tx, ctx.tenant.id, id, o, &keys, &fields, app.now())
        .await
        .map_err(part_err)?;
    audit_org(app, ctx, &mut tx, "update_organisation", id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OrgForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    match update_org(&app, &ctx, id, &f.input()).await {
        Ok(()) => Ok(super::see_other(&format!(
            "/verwaltung/organisationen/{id}?gespeichert=1"
        ))),
        Err(AppError::Validation(errs)) => Ok(show_org(
            &app,
            &ctx,
            id,
            Some(&f),
            &Validation { errors: errs },
            false,
        )
        .await?
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(&ctx)),
        Err(e) => Err(e),
    }
}

pub async fn export(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let csv = th_participation::export_csv(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"organisationen.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        csv,
    )
        .into_response())
}

fn import_issue_key(code: &str) -> &'static str {
    match code {
        "missing_column" => "admin-import-missing-column",
        "unreadable" => "admin-import-unreadable",
        "too_many_columns" => "admin-import-too-many-columns",
        "too_many_rows" => "admin-import-too-many-rows",
        "file_too_large" => "admin-import-file-too-large",
        "empty" => "admin-import-empty",
        "invalid_date" => "admin-import-invalid-date",
        "duplicate_in_file" => "admin-import-duplicate-in-file",
        "duplicate_in_registry" => "admin-import-duplicate-in-registry",
        "same_organisation_in_file" => "admin-import-same-organisation",
        other => crate::error::field_error_key(other),
    }
}

fn column_key(c: &str) -> &'static str {
    match c {
        "name" => "org-name",
        "kind" => "org-kind",
        "municipality" => "org-municipality",
        "fields" => "org-fields",
        "languages" => "org-languages",
        "email" => "field-email",
        "consent" => "org-consent",
        "notes" => "org-notes",
        _ => "admin-import-row",
    }
}

fn import_page(
    ctx: &Ctx,
    plan: Option<&import::Plan>,
    written: Option<usize>,
    dry_run: bool,
) -> Page {
    let body = html! {
        p { a.kern-link href="/verwaltung/organisationen" { (ctx.t("admin-orgs-back")) } }
        h1.kern-heading-x-large { (ctx.t("admin-orgs-import")) }
        @if let Some(p) = plan {
            @if !p.is_clean() {
                div.kern-alert.kern-alert--danger role="alert" tabindex="-1" id="ergebnis" {
                    div.kern-alert__header { h2.kern-title { (ctx.ta("admin-import-failed", &[("count", p.errors.len().into())])) } }
                    div.kern-alert__body {
                        p { (ctx.t("admin-import-nothing-written")) }
                        div.th-scroll { table.th-table {
                            caption.kern-title { (ctx.t("admin-import-errors")) }
                            thead { tr { th scope="col" { (ctx.t("admin-import-line")) } th scope="col" { (ctx.t("admin-import-column")) } th scope="col" { (ctx.t("admin-import-problem")) } th scope="col" { (ctx.t("admin-import-value")) } } }
                            tbody { @for e in p.errors.iter().take(200) { tr {
                                td { (e.line) } td { (ctx.t(column_key(&e.column))) } td { (ctx.t(import_issue_key(&e.code))) } td { (e.value) }
                            } } }
                        } }
                    }
                }
            } @else {
                div.kern-alert.kern-alert--success role="status" id="ergebnis" {
                    div.kern-alert__body {
                        @if let Some(n) = written { p { (ctx.ta("admin-import-done", &[("count", n.into())])) } }
                        @else if dry_run { p { (ctx.ta("admin-import-checked", &[("count", p.organisations.into()), ("contacts", p.contacts.into())])) } p { (ctx.t("admin-import-dry-run")) } }
                    }
                }
            }
            p { (ctx.ta("admin-import-summary", &[("rows", p.rows.into()), ("encoding", p.encoding.clone().into())])) }
            @if !p.duplicates.is_empty() {
                h2.kern-heading-medium { (ctx.ta("admin-import-duplicates", &[("count", p.duplicates.len().into())])) }
                div.th-scroll { table.th-table {
                    caption.kern-title { (ctx.t("admin-import-duplicates-caption")) }
                    thead { tr { th scope="col" { (ctx.t("admin-import-line")) } th scope="col" { (ctx.t("admin-import-problem")) } th scope="col" { (ctx.t("admin-import-value")) } } }
                    tbody { @for d in p.duplicates.iter().take(200) { tr { td { (d.line) } td { (ctx.ta(import_issue_key(&d.code), &[("line", d.first_line.unwrap_or(0).into())])) } td { (d.value) } } } }
                } }
            }
        }
        h2.kern-heading-medium { (ctx.t("admin-import-upload")) }
        p { (ctx.t("admin-import-intro")) }
        form.th-form method="post" action="/verwaltung/organisationen/import" enctype="multipart/form-data" {
            (forms::csrf(ctx))
            div.kern-form-input {
                label.kern-label for="datei" { (ctx.t("admin-import-file")) }
                div.kern-hint #datei-hint { (ctx.t("admin-import-file-hint")) }
                input.kern-form-input__input #datei type="file" name="datei" accept=".csv,text/csv" required aria-describedby="datei-hint";
            }
            div.kern-form-check {
                input.kern-form-check__checkbox #nur_pruefen type="checkbox" name="nur_pruefen" value="1";
                label.kern-label for="nur_pruefen" { (ctx.t("admin-import-check-only")) }
            }
            (forms::submit(ctx.t("admin-import-submit")))
        }
    };
    Page::new(ctx.t("admin-orgs-import"), body)
}

pub async fn import_form(ctx: Ctx) -> Response {
    import_page(&ctx, None, None, false).render(&ctx)
}

/// Checks a file and, unless `dry_run`, writes it when it is clean (form and API).
pub async fn run_import(
    app: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    dry_run: bool,
) -> Result<(import::Plan, Option<usize>), AppError> {
    let (m, fields) = reference(app, ctx).await?;
    let plan = import::check(&app.db, ctx.tenant.id, bytes, &m, &fields, app.now())
        .await
        .map_err(part_err)?;
    if !plan.is_clean() || dry_run {
        return Ok((plan, None));
    }
    let n = import::apply(&app.db, ctx.tenant.id, &plan, app.now())
        .await
        .map_err(part_err)?;
    let mut tx = app.db.begin().await?;
    let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
    app.db
        .audit(
            &mut tx,
            th_storage::platform::AuditEntry {
                tenant: ctx.tenant.id,
                actor: Some(actor),
                action: "import_organisations",
                object_type: "organisation",
                object_id: "*",
                detail: &format!("{n} organisations, {} contacts", plan.contacts),
            },
            app.now(),
        )
        .await?;
    tx.commit().await?;
    Ok((plan, Some(n)))
}

pub async fn import_upload(
    State(app): State<AppState>,
    ctx: Ctx,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let mut bytes = None;
    let mut dry_run = false;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name() {
            Some("datei") => {
                bytes = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?,
                )
            }
            Some("nur_pruefen") => dry_run = true,
            _ => {}
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        let mut v = Validation::new();
        v.add("datei", "required");
        let body = html! { (forms::error_summary(&ctx, &v)) };
        let mut p = import_page(&ctx, None, None, false);
        p.body = html! { (body) (p.body) };
        return Ok(p.status(StatusCode::UNPROCESSABLE_ENTITY).render(&ctx));
    };
    let (plan, written) = run_import(&app, &ctx, &bytes, dry_run).await?;
    let status = if plan.is_clean() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(import_page(&ctx, Some(&plan), written, dry_run)
        .status(status)
        .render(&ctx))
}
