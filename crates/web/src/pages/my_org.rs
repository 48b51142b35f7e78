//! Organisations look after themselves: a person whose confirmed e-mail address is a contact
//! of an organisation may edit its profile, add and remove its contact people, and sees what
//! it contributed and whom it registered for events.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self, Field};
use crate::layout::{date, Page};
use crate::pages::orgs::{audit_org, part_err, reference, FormMode, OrgForm};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use maud::html;
use th_core::Validation;
use th_participation::{contribution, ContactInput, Organisation};

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// The organisations the signed-in person belongs to (by confirmed e-mail address).
pub(crate) async fn mine(app: &AppState, ctx: &Ctx) -> Result<Vec<Organisation>, AppError> {
    let u = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    if !u.email_confirmed {
        return Ok(vec![]);
    }
    th_participation::member_orgs(&app.db, ctx.tenant.id, &u.email)
        .await
        .map_err(part_err)
}

/// The organisation if the person belongs to it; else not found (nothing is revealed).
pub(crate) async fn member_of(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<Organisation, AppError> {
    let id = id_of(id)?;
    mine(app, ctx)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(AppError::NotFound)
}

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let orgs = mine(&app, &ctx).await?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("myorg-title")) }
        @if orgs.is_empty() { p { (ctx.t("myorg-none")) } }
        ul.th-list { @for o in &orgs { li { a.kern-link href={ "/organisation/" (o.id) } { (o.name) } } } }
    };
    Ok(Page::new(ctx.t("myorg-title"), body).render(&ctx))
}

#[derive(Default)]
struct Forms<'a> {
    profile: Option<&'a OrgForm>,
    profile_v: Validation,
    member: ContactInput,
    member_v: Validation,
    note: Option<String>,
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    o: &Organisation,
    f: &Forms<'_>,
) -> Result<Page, AppError> {
    let (m, _) = reference(app, ctx).await?;
    let contacts = th_participation::contacts(&app.db, ctx.tenant.id, o.id)
        .await
        .map_err(part_err)?;
    let ours = contribution::of_organisation(&app.db, ctx.tenant.id, o.id)
        .await
        .map_err(part_err)?;
    let regs = th_participation::event::registrations_of(&app.db, ctx.tenant.id, Some(o.id), None)
        .await
        .map_err(part_err)?;
    let profile = f.profile.cloned().unwrap_or_else(|| OrgForm::from_org(o));
    let me = ctx
        .user
        .as_ref()
        .map(|u| u.email.to_lowercase())
        .unwrap_or_default();
    let body = html! {
        p { a.kern-link href="/organisation" { (ctx.t("myorg-title")) } }
        h1.kern-heading-x-large { (o.name) }
        @if let Some(n) = &f.note { (forms::notice(n.clone())) }
        h2.kern-heading-medium #profil { (ctx.t("myorg-profile")) }
        (crate::pages::orgs::org_form(ctx, &format!("/organisation/{}", o.id), &profile, &m, &f.profile_v, FormMode::Member))
        h2.kern-heading-medium #mitglieder { (ctx.t("myorg-members")) }
        @if let Some(e) = f.member_v.for_field("contact") { p.kern-error role="alert" { (ctx.t(crate::error::field_error_key(&e.code))) } }
        ul {
            @for c in &contacts {
                li {
                    (if c.name.is_empty() { c.email.clone() } else { format!("{} <{}>", c.name, c.email) })
                    @if !c.role.is_empty() { " · " (c.role) }
                    @if c.email.to_lowercase() == me { " · " (ctx.t("myorg-you")) }
                    @if contacts.len() > 1 {
                        form.th-inline-form method="post" action={ "/organisation/" (o.id) "/mitglieder/" (c.id) "/entfernen" } {
                            (forms::csrf(ctx))
                            button.kern-btn.kern-btn--tertiary type="submit" aria-label=(ctx.ta("myorg-remove-named", &[("name", (if c.name.is_empty() { c.email.clone() } else { c.name.clone() }).into())])) { span.kern-label { (ctx.t("myorg-remove")) } }
                        }
                    }
                }
            }
        }
        h3.kern-heading-small { (ctx.t("myorg-add")) }
        p.kern-hint { (ctx.t("myorg-add-hint")) }
        (forms::error_summary(ctx, &f.member_v))
        form.th-form method="post" action={ "/organisation/" (o.id) "/mitglieder" } novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("name", ctx.t("org-contact-name"), &f.member.name).optional().id("name-member".into()), &f.member_v))
            (forms::input(ctx, Field::new("email", ctx.t("field-email"), &f.member.email).kind("email").id("email".into()), &f.member_v))
            (forms::input(ctx, Field::new("role", ctx.t("org-contact-role"), &f.member.role).optional().id("role-member".into()), &f.member_v))
            (forms::submit(ctx.t("myorg-add")))
        }
        h2.kern-heading-medium #unsere-beitraege { (ctx.t("contribution-ours")) }
        @if ours.is_empty() { p { (ctx.t("contribution-none")) } }
        ul {
            @for c in &ours {
                li {
                    @if c.published { a.kern-link href={ "/beitraege/" (c.id) } lang=(c.locale.html_lang()) { (c.title) } } @else { span lang=(c.locale.html_lang()) { (c.title) } }
                    " · " (ctx.t(c.kind.label_key())) " · " (date(ctx, c.created_at)) " · " (ctx.t(c.status.label_key()))
                    @if let Some(g) = &c.status_goal { " " (ctx.ta("contribution-into-goal", &[("goal", g.clone().into())])) }
                }
            }
        }
        h2.kern-heading-medium { (ctx.t("invitation-registrations")) }
        @if regs.is_empty() { p { (ctx.t("invitation-registrations-none")) } }
        ul { @for r in regs.iter().filter(|r| r.status != th_participation::event::RegStatus::Cancelled) {
            li { (r.name) " · " a.kern-link href={ "/veranstaltungen/" (r.event_id) } { (ctx.t("events-title")) " " (r.event_id) } " · " (ctx.t(r.status.label_key())) @if let Some(p) = r.position { " " (p) } }
        } }
    };
    Ok(Page::new(o.name.clone(), body))
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let f = Forms {
        note: q.text(&ctx, &["admin-saved", "myorg-added", "myorg-removed"]),
        ..Default::default()
    };
    Ok(super::no_store(
        page(&app, &ctx, &o, &f).await?.render(&ctx),
    ))
}

fn noted(id: i64, key: &str) -> Response {
    super::noted(&format!("/organisation/{id}"), key, 0, 0)
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OrgForm>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let mut input = f.input();
    // The office's internal notes are not the members' to change.
    input.notes = o.notes.clone();
    match crate::pages::orgs::update_org(&app, &ctx, o.id, &input).await {
        Ok(()) => Ok(noted(o.id, "admin-saved")),
        Err(AppError::Validation(errors)) => {
            let forms = Forms {
                profile: Some(&f),
                profile_v: Validation { errors },
                ..Default::default()
            };
            Ok(page(&app, &ctx, &o, &forms)
                .await?
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(e),
    }
}

/// Adding a contact mails the address given: at most 20 an hour per person.
pub(crate) async fn contact_limit(app: &AppState, user: i64, now: i64) -> Result<(), AppError> {
    let key = user.to_string();
    if th_auth::rate_exceeded(&app.db, "add-contact", &key, 20, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, "add-contact", &key, now).await?;
    Ok(())
}

#[derive(serde::Deserialize, Default)]
pub struct MemberForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// Adds a contact person. The new person is told by e-mail who added them and how to have
/// themselves removed (the registry holds their data from now on).
pub async fn add_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let me = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    let c = ContactInput {
        name: f.name.clone(),
        email: f.email.clone(),
        role: f.role.clone(),
        consent_how: format!("eingetragen von {} über das Organisationsprofil", me.email),
    };
    let now = app.now();
    contact_limit(&app, me.id, now).await?;
    match th_participation::add_contact(&app.db, ctx.tenant.id, o.id, &c, now).await {
        Ok(cid) => {
            let mut tx = app.db.begin().await?;
            let l = ctx.locale;
            let body = app.i18n.ta(
                l,
                "mail-member-added-body",
                &[
                    ("organisation", o.name.clone().into()),
                    ("by", me.display_name.clone().into()),
                    ("link", format!("{}/datenschutz", ctx.origin).into()),
                ],
            );
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
                    body: &body,
                    dedupe_key: Some(&format!("member-added:{cid}")),
                },
                now,
            )
            .await?;
            audit_org(&app, &ctx, &mut tx, "add_contact", o.id).await?;
            tx.commit().await?;
            Ok(noted(o.id, "myorg-added"))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            let forms = Forms {
                member: c,
                member_v: Validation { errors },
                ..Default::default()
            };
            Ok(page(&app, &ctx, &o, &forms)
                .await?
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(part_err(e)),
    }
}

pub async fn remove_member(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    match th_participation::remove_contact(&app.db, ctx.tenant.id, o.id, id_of(&cid)?, app.now())
        .await
    {
        Ok(()) => {
            let mut tx = app.db.begin().await?;
            audit_org(&app, &ctx, &mut tx, "remove_contact", o.id).await?;
            tx.commit().await?;
            // Whoever removed themselves is no longer a member.
            if member_of(&app, &ctx, &id).await.is_err() {
                return Ok(super::see_other("/organisation"));
            }
            Ok(noted(o.id, "myorg-removed"))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            let forms = Forms {
                member_v: Validation { errors },
                ..Default::default()
            };
            Ok(page(&app, &ctx, &o, &forms)
                .await?
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(part_err(e)),
    }
}
