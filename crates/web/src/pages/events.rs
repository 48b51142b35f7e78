//! Events (discussion forums and workshops): the public calendar and event pages with
//! registration and waiting list, the cancellation link, iCalendar, and the coordinator's
//! pages to plan an event and record what came of it.

use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::forms::{self, Field, FormData};
use crate::layout::{datetime, paragraphs, scroll, Page};
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup};
use std::collections::BTreeMap;
use th_core::{Locale, Validation};
use th_participation::event::{
    self, Event, EventKind, NewEvent, NewEventText, NewRegistration, RegError, RegStatus,
    Registrant, Registration,
};
use th_participation::OrgKind;

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub(crate) fn reg_err(e: RegError) -> AppError {
    match e {
        RegError::Part(p) => part_err(p),
        RegError::AlreadyRegistered { .. } => AppError::Conflict("already_registered"),
        RegError::Over => AppError::Conflict("event_over"),
    }
}

pub(crate) async fn load(app: &AppState, ctx: &Ctx, id: &str) -> Result<Event, AppError> {
    event::get(&app.db, ctx.tenant.id, id_of(id)?)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)
}

fn dir_of(l: Locale) -> &'static str {
    if l.is_rtl() {
        "rtl"
    } else {
        "ltr"
    }
}

fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), ctx.t("event-as-individual"))];
    v.extend(
        OrgKind::ALL
            .iter()
            .map(|k| (k.key().to_string(), ctx.t(k.label_key()))),
    );
    v
}

fn attendance_label(ctx: &Ctx, kind: &str) -> String {
    match OrgKind::ALL.iter().find(|k| k.key() == kind) {
        Some(k) => ctx.t(k.label_key()),
        None => ctx.t("event-as-individual"),
    }
}

/// Where: the place and address, or the online link.
fn place(ctx: &Ctx, e: &Event) -> Markup {
    html! {
        @if !e.place.is_empty() { (e.place) @if !e.address.is_empty() { ", " (e.address) } }
        @if !e.online_url.is_empty() {
            @if !e.place.is_empty() { " · " }
            a.kern-link href=(e.online_url) rel="noopener" { (ctx.t("event-online")) }
        }
    }
}

fn places_line(ctx: &Ctx, e: &Event) -> String {
    if e.free() > 0 {
        ctx.ta(
            "event-places-free",
            &[("free", e.free().into()), ("capacity", e.capacity.into())],
        )
    } else {
        ctx.ta("event-full", &[("waiting", e.waiting.into())])
    }
}

fn status_text(ctx: &Ctx, r: &Registration) -> String {
    match (r.status, r.position) {
        (RegStatus::Waiting, Some(p)) => {
            ctx.ta("registration-waiting-at", &[("position", p.into())])
        }
        (s, _) => ctx.t(s.label_key()),
    }
}

// ---------------------------------------------------------------------------------------
// Public

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    verfahren: Option<i64>,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let all = event::list(&app.db, ctx.tenant.id, q.verfahren)
        .await
        .map_err(part_err)?;
    let now = app.now();
    let (past, upcoming): (Vec<&Event>, Vec<&Event>) = all.iter().partition(|e| e.is_past(now));
    let item = |e: &Event| {
        let (t, l) = e.text_in(ctx.locale);
        html! {
            li {
                a.kern-link href={ "/veranstaltungen/" (e.id) } lang=(l.html_lang()) { (t.title) }
                br; (ctx.t(e.kind.label_key())) " · " (datetime(&ctx, e.starts_at)) " · " (place(&ctx, e))
                @if !e.is_past(now) { br; (places_line(&ctx, e)) }
            }
        }
    };
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("events-title")) }
        p { a.kern-link href="/veranstaltungen.ics" { (ctx.t("event-calendar-all")) } }
        h2.kern-heading-medium { (ctx.t("events-upcoming")) }
        @if upcoming.is_empty() { p { (ctx.t("events-none")) } }
        ul.th-list { @for e in &upcoming { (item(e)) } }
        h2.kern-heading-medium { (ctx.t("events-past")) }
        ul.th-list { @for e in past.iter().rev() { (item(e)) } }
    };
    Ok(Page::new(ctx.t("events-title"), body).render(&ctx))
}

fn ics(app: &AppState, ctx: &Ctx, events: &[Event], name: &str) -> Response {
    let host = ctx
        .origin
        .split_once("://")
        .map(|(_, h)| h)
        .unwrap_or("teilhabe");
    let body = event::ical(events, ctx.locale, &ctx.origin, host, app.now());
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

pub async fn calendar_all(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all = event::list(&app.db, ctx.tenant.id, None)
        .await
        .map_err(part_err)?;
    Ok(ics(&app, &ctx, &all, "veranstaltungen.ics"))
}

pub async fn calendar_one(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    Ok(ics(
        &app,
        &ctx,
        std::slice::from_ref(&e),
        &format!("veranstaltung-{}.ics", e.id),
    ))
}

#[derive(Default)]
struct RegForm {
    name: String,
    email: String,
    org_kind: String,
    needs: String,
    consent: bool,
}

async fn event_page(
    app: &AppState,
    ctx: &Ctx,
    e: &Event,
    f: &RegForm,
    v: &Validation,
) -> Result<Page, AppError> {
    let now = app.now();
    let (t, l) = e.text_in(ctx.locale);
    let (desc, dl) = e.description_in(ctx.locale);
    let (agenda, al) = e.agenda_in(ctx.locale);
    let mine = match ctx.user_id() {
        Some(u) => event::registrations_of(&app.db, ctx.tenant.id, None, Some(u))
            .await
            .map_err(part_err)?
            .into_iter()
            .find(|r| r.event_id == e.id && r.status != RegStatus::Cancelled),
        None => None,
    };
    let attendance = event::attendance(&app.db, e.id).await.map_err(part_err)?;
    let outcomes = event::outcomes(&app.db, e.id).await.map_err(part_err)?;
    let action = format!("/veranstaltungen/{}/anmelden", e.id);
    let body = html! {
        p { a.kern-link href="/veranstaltungen" { (ctx.t("events-title")) } }
        h1.kern-heading-x-large lang=(l.html_lang()) { (t.title) }
        @if l != ctx.locale { p.th-fallback { (ctx.t("fallback-german")) } }
        dl.th-facts {
            dt { (ctx.t("event-kind")) } dd { (ctx.t(e.kind.label_key())) }
            dt { (ctx.t("event-when")) } dd { bdi { (datetime(ctx, e.starts_at)) } " – " bdi { (datetime(ctx, e.ends_at)) } }
            dt { (ctx.t("event-where")) } dd { (place(ctx, e)) }
            @if !e.accessibility.is_empty() { dt { (ctx.t("event-accessibility")) } dd lang="de" dir="ltr" { (e.accessibility) } }
            @if !e.fields.is_empty() {
                dt { (ctx.t("org-fields")) }
                dd { @for (i, f) in e.fields.iter().enumerate() { @if i > 0 { ", " } a.kern-link href={ "/konzept/handlungsfeld/" (f) } { (f) } } }
            }
            @if !e.is_past(now) { dt { (ctx.t("event-places")) } dd { (places_line(ctx, e)) } }
        }
        p { a.kern-link href={ "/veranstaltungen/" (e.id) "/kalender.ics" } { (ctx.t("event-calendar-one")) } }
        @if !desc.is_empty() { div lang=(dl.html_lang()) dir=(dir_of(dl)) { (paragraphs(&desc)) } }
        @if !agenda.is_empty() {
            h2.kern-heading-medium { (ctx.t("event-agenda")) }
            ol.th-agenda lang=(al.html_lang()) dir=(dir_of(al)) { @for line in agenda.lines().filter(|x| !x.trim().is_empty()) { li { (line) } } }
        }
        @if e.is_past(now) {
            h2.kern-heading-medium { (ctx.t("event-record")) }
            @if e.minutes.is_empty() && attendance.is_empty() && outcomes.is_empty() { p { (ctx.t("event-record-none")) } }
            @if !e.minutes.is_empty() {
                h3.kern-heading-small { (ctx.t("event-minutes")) }
                div lang=(e.minutes_locale) dir=(Locale::parse(&e.minutes_locale).map(dir_of).unwrap_or("ltr")) { (paragraphs(&e.minutes)) }
            }
            @if !attendance.is_empty() {
                h3.kern-heading-small #teilnahme { (ctx.t("event-attendance")) }
                (scroll(html! {
                    table.kern-table aria-labelledby="teilnahme" {
                        thead.kern-table__head { tr.kern-table__row { th.kern-table__header scope="col" { (ctx.t("org-kind")) } th.kern-table__header scope="col" { (ctx.t("event-people")) } } }
                        tbody.kern-table__body {
                            @for (k, n) in &attendance { tr.kern-table__row { th.kern-table__header scope="row" { (attendance_label(ctx, k)) } td.kern-table__cell { (n) } } }
                            tr.kern-table__row { th.kern-table__header scope="row" { (ctx.t("event-total")) } td.kern-table__cell { (attendance.values().sum::<i64>()) } }
                        }
                    }
                }))
            }
            @if !outcomes.is_empty() {
                h3.kern-heading-small { (ctx.t("event-outcomes")) }
                ul { @for o in &outcomes { li {
                    span lang=(e.minutes_locale) dir=(Locale::parse(&e.minutes_locale).map(dir_of).unwrap_or("ltr")) { (o.text) }
                    @if let Some(c) = o.contribution_id { " · " a.kern-link href={ "/beitraege/" (c) } { (ctx.ta("event-outcome-contribution", &[("id", c.into())])) } }
                    @if let Some(g) = &o.goal { " · " a.kern-link href={ "/konzept/handlungsfeld/" (g.split('.').next().unwrap_or("")) } { (ctx.ta("contribution-into-goal", &[("goal", g.clone().into())])) } }
                } } }
            }
        } @else {
            h2.kern-heading-medium #anmeldung { (ctx.t("event-register")) }
            @if let Some(r) = &mine {
                p role="status" { strong { (status_text(ctx, r)) } }
                form method="post" action={ "/veranstaltungen/" (e.id) "/abmelden" } {
                    (forms::csrf(ctx))
                    button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("registration-cancel")) } }
                }
            } @else {
                @if e.free() == 0 { p { (ctx.t("event-waiting-hint")) } }
                (forms::error_summary(ctx, v))
                form.th-form method="post" action=(action) novalidate {
                    (forms::csrf(ctx))
                    @if !ctx.signed_in() {
                        (forms::input(ctx, Field::new("name", ctx.t("event-your-name"), &f.name).autocomplete("name"), v))
                        (forms::input(ctx, Field::new("email", ctx.t("field-email"), &f.email).kind("email").autocomplete("email").hint(ctx.t("event-email-hint")), v))
                    }
                    (forms::select(ctx, "org_kind", ctx.t("event-come-for"), &kind_options(ctx), &f.org_kind, v))
                    (forms::input(ctx, Field::new("needs", ctx.t("event-needs"), &f.needs).kind("textarea").optional().hint(ctx.t("event-needs-hint")), v))
                    @if !ctx.signed_in() {
                        (forms::checkbox(ctx, "consent", ctx.t("event-consent"), f.consent, v))
                    }
                    (forms::submit(ctx.t(if e.free() > 0 { "event-register-submit" } else { "event-register-waiting" })))
                }
            }
        }
    };
    Ok(Page::new(t.title.clone(), body))
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    gemeldet: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let mut page = event_page(&app, &ctx, &e, &RegForm::default(), &Validation::new()).await?;
    if q.gemeldet.is_some() {
        page = page.notice(ctx.t("event-registration-mailed"));
    }
    Ok(page.render(&ctx))
}

/// Who registers: the signed-in account, else a guest with the name and address given.
pub(crate) fn registrant(ctx: &Ctx, name: &str, email: &str) -> Registrant {
    match &ctx.user {
        Some(u) if ctx.signed_in() => Registrant::Account {
            user_id: u.id,
            name: u.display_name.clone(),
            email: u.email.clone(),
        },
        _ => Registrant::Guest {
            name: name.to_string(),
            email: email.to_string(),
        },
    }
}

/// Registers the visitor: with their account when signed in, else as a guest with name and
/// e-mail address. Rate-limited per client address.
pub async fn register(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let d = FormData::parse(&body);
    let f = RegForm {
        name: d.get("name").to_string(),
        email: d.get("email").to_string(),
        org_kind: d.get("org_kind").to_string(),
        needs: d.get("needs").to_string(),
        consent: d.has("consent"),
    };
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "register", &client.0, 30, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    let who = registrant(&ctx, &f.name, &f.email);
    let r = NewRegistration {
        event_id: e.id,
        who,
        org_kind: OrgKind::ALL.into_iter().find(|k| k.key() == f.org_kind),
        needs: f.needs.clone(),
        locale: ctx.locale,
        notify: true,
    };
    let mut v = event::validate_registration(&r);
    if !ctx.signed_in() && !f.consent {
        v.add("consent", "consent_event");
    }
    if !v.is_ok() {
        return Ok(event_page(&app, &ctx, &e, &f, &v)
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx));
    }
    th_auth::rate_record(&app.db, "register", &client.0, now).await?;
    let result = event::register(&app.db, &app.mailer(&ctx), &r).await;
    if !ctx.signed_in() {
        // A guest learns where she stands from the e-mail, whether she was registered before
        // or not: the page says the same either way, so it reveals nobody's registration.
        match result {
            Ok(_) => {}
            Err(RegError::AlreadyRegistered { .. }) => {
                event::resend(&app.db, &app.mailer(&ctx), &r)
                    .await
                    .map_err(part_err)?
            }
            Err(other) => return Err(reg_err(other)),
        }
        return Ok(super::see_other(&format!(
            "/veranstaltungen/{}?gemeldet=1#anmeldung",
            e.id
        )));
    }
    match result {
        Ok(done) => Ok(super::see_other(&format!(
            "/anmeldung/{}?neu=1",
            done.token
        ))),
        Err(RegError::AlreadyRegistered { .. }) => {
            let mut v = Validation::new();
            v.add("org_kind", "already_registered");
            Ok(event_page(&app, &ctx, &e, &f, &v)
                .await?
                .status(StatusCode::CONFLICT)
                .render(&ctx))
        }
        Err(other) => Err(reg_err(other)),
    }
}

/// Cancels the signed-in person's own registration.
pub async fn unregister(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let mine = event::registrations_of(&app.db, ctx.tenant.id, None, Some(user))
        .await
        .map_err(part_err)?
        .into_iter()
        .find(|r| r.event_id == e.id && r.status != RegStatus::Cancelled)
        .ok_or(AppError::NotFound)?;
    event::cancel(&app.db, &app.mailer(&ctx), mine.id)
        .await
        .map_err(part_err)?;
    Ok(super::see_other(&format!(
        "/veranstaltungen/{}#anmeldung",
        e.id
    )))
}

#[derive(serde::Deserialize, Default)]
pub struct NewQuery {
    neu: Option<String>,
}

/// The registration behind a cancellation link: where one stands, and a button to cancel.
pub async fn registration(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let r = event::by_token(&app.db, ctx.tenant.id, &token)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let e = event::get(&app.db, ctx.tenant.id, r.event_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let (t, l) = e.text_in(ctx.locale);
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("registration-title")) }
        @if q.neu.is_some() { (forms::notice(ctx.t("registration-thanks"))) }
        p { a.kern-link href={ "/veranstaltungen/" (e.id) } lang=(l.html_lang()) { (t.title) } " · " (datetime(&ctx, e.starts_at)) }
        p role="status" { (r.name) ": " strong { (status_text(&ctx, &r)) } }
        @if r.status == RegStatus::Waiting { p { (ctx.t("event-waiting-explained")) } }
        @if r.status != RegStatus::Cancelled && !e.is_past(app.now()) {
            form method="post" action={ "/anmeldung/" (token) "/abmelden" } {
                (forms::csrf(&ctx))
                button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("registration-cancel")) } }
            }
        }
    };
    Ok(super::no_store(
        Page::new(ctx.t("registration-title"), body).render(&ctx),
    ))
}

pub async fn cancel_link(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    event::cancel_by_token(&app.db, &app.mailer(&ctx), &token)
        .await
        .map_err(part_err)?;
    Ok(super::see_other(&format!("/anmeldung/{token}")))
}

// ---------------------------------------------------------------------------------------
// Members registered by an organisation through its invitation link

/// The part of the invitation page where an organisation registers members for events of
/// the process and sees where each stands.
pub async fn invitation_section(
    app: &AppState,
    ctx: &Ctx,
    token: &str,
    process_id: i64,
    organisation_id: i64,
    v: &Validation,
) -> Result<Markup, AppError> {
    let now = app.now();
    let events: Vec<Event> = event::list(&app.db, ctx.tenant.id, Some(process_id))
        .await
        .map_err(part_err)?
        .into_iter()
        .filter(|e| !e.is_past(now))
        .collect();
    let ours = event::registrations_of(&app.db, ctx.tenant.id, Some(organisation_id), None)
        .await
        .map_err(part_err)?;
    let title_of = |id: i64| {
        events
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.text_in(ctx.locale).0.title)
            .unwrap_or_default()
    };
    let options: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e.id.to_string(),
                format!(
                    "{} · {} · {}",
                    e.text_in(ctx.locale).0.title,
                    datetime(ctx, e.starts_at),
                    places_line(ctx, e)
                ),
            )
        })
        .collect();
    Ok(html! {
        h2.kern-heading-medium #veranstaltungen { (ctx.t("invitation-events")) }
        @if events.is_empty() { p { (ctx.t("events-none")) } }
        @else {
            (forms::error_summary(ctx, v))
            form.th-form method="post" action={ "/einladung/" (token) "/anmelden" } novalidate {
                (forms::csrf(ctx))
                (forms::select(ctx, "event", ctx.t("invitation-event-choose"), &options, "", v))
                (forms::input(ctx, Field::new("names", ctx.t("invitation-event-names"), "").kind("textarea").hint(ctx.t("invitation-event-names-hint")), v))
                (forms::input(ctx, Field::new("needs", ctx.t("event-needs"), "").kind("textarea").optional().hint(ctx.t("event-needs-hint")), v))
                (forms::submit(ctx.t("invitation-event-submit")))
            }
        }
        h3.kern-heading-small #anmeldungen { (ctx.t("invitation-registrations")) }
        @if ours.is_empty() { p { (ctx.t("invitation-registrations-none")) } }
        ul {
            @for r in ours.iter().filter(|r| r.status != RegStatus::Cancelled) {
                li {
                    (r.name) " · " (title_of(r.event_id)) " · " strong { (status_text(ctx, r)) }
                    form.th-inline-form method="post" action={ "/einladung/" (token) "/anmeldungen/" (r.id) "/abmelden" } {
                        (forms::csrf(ctx))
                        button.kern-btn.kern-btn--tertiary type="submit" aria-label=(ctx.ta("registration-cancel-for", &[("name", r.name.clone().into())])) { span.kern-label { (ctx.t("registration-cancel")) } }
                    }
                }
            }
        }
    })
}

/// Registers up to ten members, one per line, in order: the first free places go to the
/// first names.
pub async fn register_members(
    app: &AppState,
    ctx: &Ctx,
    organisation_id: i64,
    contact_email: &str,
    process_id: i64,
    d: &FormData,
) -> Result<Result<usize, Validation>, AppError> {
    let mut v = Validation::new();
    let event_id: i64 = d.get("event").parse().unwrap_or(0);
    let e = event::get(&app.db, ctx.tenant.id, event_id)
        .await
        .map_err(part_err)?
        .filter(|e| e.process_id == process_id && !e.is_past(app.now()));
    if e.is_none() {
        v.add("event", "invalid");
    }
    let names: Vec<&str> = d
        .get("names")
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        v.add("names", "required");
    } else if names.len() > 10 || names.iter().any(|n| n.chars().count() > 200) {
        v.add("names", "too_long");
    }
    let org = th_participation::get(&app.db, ctx.tenant.id, organisation_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    if !v.is_ok() {
        return Ok(Err(v));
    }
    let mut n = 0;
    for name in names {
        let r = NewRegistration {
            event_id,
            who: Registrant::Member {
                organisation_id,
                kind: org.kind,
                name: name.to_string(),
                contact_email: contact_email.to_string(),
            },
            org_kind: Some(org.kind),
            needs: d.get("needs").to_string(),
            locale: ctx.locale,
            notify: true,
        };
        match event::register(&app.db, &app.mailer(ctx), &r).await {
            Ok(_) => n += 1,
            // Registered already: nothing to do for this name.
            Err(RegError::AlreadyRegistered { .. }) => {}
            Err(e) => return Err(reg_err(e)),
        }
    }
    Ok(Ok(n))
}

/// Cancels one of the organisation's registrations.
pub async fn cancel_member(
    app: &AppState,
    ctx: &Ctx,
    organisation_id: i64,
    registration: i64,
) -> Result<(), AppError> {
    let ours = event::registrations_of(&app.db, ctx.tenant.id, Some(organisation_id), None)
        .await
        .map_err(part_err)?;
    if !ours.iter().any(|r| r.id == registration) {
        return Err(AppError::NotFound);
    }
    event::cancel(&app.db, &app.mailer(ctx), registration)
        .await
        .map_err(part_err)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Coordination

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    seite: Option<String>,
}

pub async fn admin_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    const PER: usize = 50;
    let mut all = event::list(&app.db, ctx.tenant.id, None)
        .await
        .map_err(part_err)?;
    all.reverse();
    let pages = all.len().div_ceil(PER).max(1);
    let page = q
        .seite
        .as_deref()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|p| (1..=pages).contains(p))
        .unwrap_or(1);
    let shown: Vec<&Event> = all.iter().skip((page - 1) * PER).take(PER).collect();
    let body = html! {
        h1.kern-heading-x-large #titel { (ctx.t("admin-events-title")) }
        p { a.kern-link href="/verwaltung/veranstaltungen/neu" { (ctx.t("admin-events-new")) } }
        (scroll(html! {
            table.kern-table aria-labelledby="titel" {
                thead.kern-table__head { tr.kern-table__row {
                    th.kern-table__header scope="col" { (ctx.t("admin-field-title-short")) }
                    th.kern-table__header scope="col" { (ctx.t("event-when")) }
                    th.kern-table__header scope="col" { (ctx.t("registration-confirmed")) }
                    th.kern-table__header scope="col" { (ctx.t("registration-waiting")) }
                    th.kern-table__header scope="col" { (ctx.t("event-capacity")) }
                } }
                tbody.kern-table__body {
                    @for e in &shown {
                        tr.kern-table__row {
                            td.kern-table__cell { a.kern-link href={ "/verwaltung/veranstaltungen/" (e.id) } { (e.text_in(ctx.locale).0.title) } }
                            td.kern-table__cell { (datetime(&ctx, e.starts_at)) }
                            td.kern-table__cell { (e.confirmed) }
                            td.kern-table__cell { (e.waiting) }
                            td.kern-table__cell { (e.capacity) }
                        }
                    }
                }
            }
        }))
        (crate::layout::pager(&ctx, page as i64, pages as i64, |n| format!("/verwaltung/veranstaltungen?seite={n}")))
    };
    Ok(Page::new(ctx.t("admin-events-title"), body).render(&ctx))
}

/// The languages an event's texts can be written in (German first; the others optional).
fn text_locales() -> Vec<Locale> {
    Locale::ALL
        .into_iter()
        .filter(|l| *l != Locale::DeLs)
        .collect()
}

/// Reads the event form. Texts come as `title_<tag>`, `description_<tag>`, `agenda_<tag>`.
fn event_input(d: &FormData) -> NewEvent {
    let mut texts = BTreeMap::new();
    for l in text_locales() {
        let tag = l.tag();
        let t = NewEventText {
            title: d.get(&format!("title_{tag}")).to_string(),
            description: d.get(&format!("description_{tag}")).to_string(),
            agenda: d.get(&format!("agenda_{tag}")).to_string(),
        };
        if l == Locale::De || !t.title.trim().is_empty() {
            texts.insert(tag.to_string(), t);
        }
    }
    NewEvent {
        process_id: d.get("process").parse().unwrap_or(0),
        kind: d.get("kind").to_string(),
        fields: d
            .all("fields")
            .iter()
            .filter_map(|f| f.parse().ok())
            .collect(),
        starts: d.get("starts").to_string(),
        ends: d.get("ends").to_string(),
        place: d.get("place").to_string(),
        address: d.get("address").to_string(),
        accessibility: d.get("accessibility").to_string(),
        online_url: d.get("online_url").to_string(),
        capacity: d.get("capacity").trim().parse().unwrap_or(0),
        texts,
    }
}

fn input_of(e: &Event) -> NewEvent {
    NewEvent {
        process_id: e.process_id,
        kind: e.kind.key().to_string(),
        fields: e.fields.clone(),
        starts: th_core::localtime::format_input(e.starts_at),
        ends: th_core::localtime::format_input(e.ends_at),
        place: e.place.clone(),
        address: e.address.clone(),
        accessibility: e.accessibility.clone(),
        online_url: e.online_url.clone(),
        capacity: e.capacity,
        texts: e
            .texts
            .iter()
            .map(|(k, t)| {
                (
                    k.clone(),
                    NewEventText {
                        title: t.title.clone(),
                        description: t.description.clone(),
                        agenda: t.agenda.clone(),
                    },
                )
            })
            .collect(),
    }
}

async fn event_form(
    app: &AppState,
    ctx: &Ctx,
    action: &str,
    e: &NewEvent,
    v: &Validation,
) -> Result<Markup, AppError> {
    let processes = th_participation::process::processes(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    let process_options: Vec<(String, String)> = processes
        .iter()
        .map(|p| (p.id.to_string(), p.title_in(ctx.locale).0.to_string()))
        .collect();
    let kinds: Vec<(String, String)> = EventKind::ALL
        .iter()
        .map(|k| (k.key().to_string(), ctx.t(k.label_key())))
        .collect();
    let fields = crate::pages::participation::valid_fields(app, ctx).await?;
    let capacity = e.capacity.to_string();
    let empty = NewEventText::default();
    Ok(html! {
        (forms::error_summary(ctx, v))
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            (forms::select(ctx, "process", ctx.t("event-process"), &process_options, &e.process_id.to_string(), v))
            (forms::select(ctx, "kind", ctx.t("event-kind"), &kinds, &e.kind, v))
            fieldset.kern-fieldset #fields {
                legend.kern-label { (ctx.t("org-fields")) }
                div.kern-fieldset__body {
                    @for (n, title, l) in &fields {
                        div.kern-form-check {
                            input.kern-form-check__checkbox type="checkbox" name="fields" id={ "field-" (n) } value=(n) checked[e.fields.contains(n)];
                            label.kern-label for={ "field-" (n) } lang=[(*l != ctx.locale).then(|| l.html_lang())] { (n) ". " (title) }
                        }
                    }
                }
            }
            (forms::input(ctx, Field::new("starts", ctx.t("event-starts"), &e.starts).kind("datetime-local"), v))
            (forms::input(ctx, Field::new("ends", ctx.t("event-ends"), &e.ends).kind("datetime-local"), v))
            (forms::input(ctx, Field::new("place", ctx.t("event-place"), &e.place).optional(), v))
            (forms::input(ctx, Field::new("address", ctx.t("event-address"), &e.address).optional(), v))
            (forms::input(ctx, Field::new("accessibility", ctx.t("event-accessibility"), &e.accessibility).kind("textarea").optional().hint(ctx.t("event-accessibility-hint")), v))
            (forms::input(ctx, Field::new("online_url", ctx.t("event-online-link"), &e.online_url).kind("url").optional(), v))
            (forms::input(ctx, Field::new("capacity", ctx.t("event-capacity"), &capacity).kind("number"), v))
            @for l in text_locales() {
                @let tag = l.tag();
                @let t = e.texts.get(tag).unwrap_or(&empty);
                @let title_id = format!("title_{tag}");
                @let desc_id = format!("description_{tag}");
                @let agenda_id = format!("agenda_{tag}");
                @let inner = html! {
                    (forms::input(ctx, Field::new(&title_id, ctx.t("admin-field-title-short"), &t.title).lang(l).optional(), v))
                    (forms::input(ctx, Field::new(&desc_id, ctx.t("admin-field-text-short"), &t.description).kind("textarea").lang(l).optional(), v))
                    (forms::input(ctx, Field::new(&agenda_id, ctx.t("event-agenda"), &t.agenda).kind("textarea").lang(l).optional().hint(ctx.t("event-agenda-hint")), v))
                };
                @if l == Locale::De {
                    fieldset.kern-fieldset { legend.kern-label { (ctx.ta("admin-campaigns-text-in", &[("language", l.autonym().into())])) } (inner) }
                } @else {
                    details open[!t.title.is_empty()] {
                        summary { (ctx.ta("admin-campaigns-text-in", &[("language", l.autonym().into())])) }
                        (inner)
                    }
                }
            }
            (forms::submit(ctx.t("admin-save")))
        }
    })
}

pub async fn new_form(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let latest = th_participation::process::processes(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?
        .first()
        .map(|p| p.id)
        .unwrap_or(0);
    let e = NewEvent {
        process_id: latest,
        kind: "workshop".into(),
        capacity: 30,
        ..Default::default()
    };
    let form = event_form(
        &app,
        &ctx,
        "/verwaltung/veranstaltungen",
        &e,
        &Validation::new(),
    )
    .await?;
    let body = html! { h1.kern-heading-x-large { (ctx.t("admin-events-new")) } (form) };
    Ok(Page::new(ctx.t("admin-events-new"), body).render(&ctx))
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let input = event_input(&FormData::parse(&body));
    let fields = field_numbers(&app, &ctx).await?;
    let mut tx = app.db.begin().await?;
    match event::create(&mut tx, ctx.tenant.id, &input, &fields, app.now()).await {
        Ok(id) => {
            tx.commit().await?;
            app.audit(&ctx, "create_event", "event", id, "").await?;
            Ok(noted(id, "admin-events-created", 0))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            let v = Validation { errors };
            let form = event_form(&app, &ctx, "/verwaltung/veranstaltungen", &input, &v).await?;
            let body = html! { h1.kern-heading-x-large { (ctx.t("admin-events-new")) } (form) };
            Ok(Page::new(ctx.t("admin-events-new"), body)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(part_err(e)),
    }
}

pub(crate) async fn field_numbers(app: &AppState, ctx: &Ctx) -> Result<Vec<i64>, AppError> {
    Ok(crate::pages::participation::valid_fields(app, ctx)
        .await?
        .into_iter()
        .map(|(n, _, _)| n)
        .collect())
}

async fn admin_page(
    app: &AppState,
    ctx: &Ctx,
    e: &Event,
    input: &NewEvent,
    v: &Validation,
    note: Option<&str>,
) -> Result<Page, AppError> {
    let regs = event::registrations(&app.db, ctx.tenant.id, e.id)
        .await
        .map_err(part_err)?;
    let attendance = event::attendance(&app.db, e.id).await.map_err(part_err)?;
    let attendance = if attendance.is_empty() {
        event::registered_by_kind(&app.db, e.id)
            .await
            .map_err(part_err)?
    } else {
        attendance
    };
    let outcomes = event::outcomes(&app.db, e.id).await.map_err(part_err)?;
    let form = event_form(
        app,
        ctx,
        &format!("/verwaltung/veranstaltungen/{}", e.id),
        input,
        v,
    )
    .await?;
    let title = e.text_in(ctx.locale).0.title;
    let body = html! {
        p { a.kern-link href="/verwaltung/veranstaltungen" { (ctx.t("admin-events-title")) } " · " a.kern-link href={ "/veranstaltungen/" (e.id) } { (ctx.t("admin-public-page")) } }
        h1.kern-heading-x-large { (title) }
        @if let Some(n) = note { (forms::notice(n.to_string())) }
        p { (places_line(ctx, e)) }
        h2.kern-heading-medium #anmeldungen { (ctx.t("admin-events-registrations")) }
        @if regs.is_empty() { p { (ctx.t("invitation-registrations-none")) } } @else {
            (scroll(html! {
                table.kern-table aria-labelledby="anmeldungen" {
                    thead.kern-table__head { tr.kern-table__row {
                        th.kern-table__header scope="col" { (ctx.t("event-person-name")) }
                        th.kern-table__header scope="col" { (ctx.t("field-email")) }
                        th.kern-table__header scope="col" { (ctx.t("org-kind")) }
                        th.kern-table__header scope="col" { (ctx.t("event-needs")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-status")) }
                        th.kern-table__header scope="col" { (ctx.t("admin-actions")) }
                    } }
                    tbody.kern-table__body {
                        @for r in &regs {
                            tr.kern-table__row {
                                td.kern-table__cell { (r.name) }
                                td.kern-table__cell { (r.email) }
                                td.kern-table__cell { (attendance_label(ctx, &r.org_kind)) }
                                td.kern-table__cell { (r.needs) }
                                td.kern-table__cell { (status_text(ctx, r)) }
                                td.kern-table__cell {
                                    @if r.status != RegStatus::Cancelled {
                                        form method="post" action={ "/verwaltung/anmeldungen/" (r.id) "/abmelden" } {
                                            (forms::csrf(ctx))
                                            button.kern-btn.kern-btn--tertiary type="submit" aria-label=(ctx.ta("registration-cancel-for", &[("name", r.name.clone().into())])) { span.kern-label { (ctx.t("registration-cancel")) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
        }
        h2.kern-heading-medium { (ctx.t("event-record")) }
        form.th-form method="post" action={ "/verwaltung/veranstaltungen/" (e.id) "/protokoll" } novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("minutes", ctx.t("event-minutes"), &e.minutes).kind("textarea").optional(), v))
            (forms::select(ctx, "minutes_locale", ctx.t("admin-events-minutes-language"), &text_locales().iter().map(|l| (l.tag().to_string(), l.autonym().to_string())).collect::<Vec<_>>(), &e.minutes_locale, v))
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("event-attendance")) }
                p.kern-hint { (ctx.t("admin-events-attendance-hint")) }
                @for k in event::attendance_kinds() {
                    @let name = format!("attendance_{k}");
                    @let value = attendance.get(k).copied().unwrap_or(0).to_string();
                    (forms::input(ctx, Field::new(&name, attendance_label(ctx, k), &value).kind("number").optional(), v))
                }
            }
            (forms::submit(ctx.t("admin-save")))
        }
        h3.kern-heading-small { (ctx.t("event-outcomes")) }
        ul { @for o in &outcomes { li { (o.text)
            @if let Some(c) = o.contribution_id { " · " a.kern-link href={ "/verwaltung/beitraege/" (c) } { (ctx.ta("event-outcome-contribution", &[("id", c.into())])) } }
            @if let Some(g) = &o.goal { " · " (ctx.ta("contribution-into-goal", &[("goal", g.clone().into())])) }
        } } }
        form.th-form method="post" action={ "/verwaltung/veranstaltungen/" (e.id) "/ergebnisse" } novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("text", ctx.t("admin-events-outcome"), "").kind("textarea"), v))
            (forms::input(ctx, Field::new("contribution", ctx.t("admin-events-outcome-contribution"), "").kind("number").optional(), v))
            (forms::input(ctx, Field::new("goal", ctx.t("admin-events-outcome-goal"), "").optional().hint(ctx.t("admin-events-outcome-goal-hint")), v))
            (forms::submit(ctx.t("admin-events-outcome-add")))
        }
        h2.kern-heading-medium { (ctx.t("admin-events-edit")) }
        (form)
    };
    Ok(Page::new(title, body))
}

pub async fn admin_show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let note = q.text(
        &ctx,
        &[
            "admin-events-saved",
            "admin-events-cancelled",
            "admin-events-recorded",
            "admin-events-outcome-added",
            "admin-events-created",
        ],
    );
    Ok(admin_page(
        &app,
        &ctx,
        &e,
        &input_of(&e),
        &Validation::new(),
        note.as_deref(),
    )
    .await?
    .render(&ctx))
}

fn noted(id: i64, key: &str, n: usize) -> Response {
    super::noted(
        &format!("/verwaltung/veranstaltungen/{id}"),
        key,
        n as i64,
        0,
    )
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let mut input = event_input(&FormData::parse(&body));
    input.process_id = e.process_id;
    let fields = field_numbers(&app, &ctx).await?;
    match event::update(&app.db, &app.mailer(&ctx), e.id, &input, &fields).await {
        Ok(moved) => {
            app.audit(
                &ctx,
                "update_event",
                "event",
                e.id,
                &format!("{} moved up", moved.len()),
            )
            .await?;
            Ok(noted(e.id, "admin-events-saved", moved.len()))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            Ok(
                admin_page(&app, &ctx, &e, &input, &Validation { errors }, None)
                    .await?
                    .status(StatusCode::UNPROCESSABLE_ENTITY)
                    .render(&ctx),
            )
        }
        Err(err) => Err(part_err(err)),
    }
}

pub(crate) fn attendance_of(d: &FormData) -> Result<Vec<(String, i64)>, Validation> {
    let mut v = Validation::new();
    let mut out = vec![];
    for k in event::attendance_kinds() {
        let name = format!("attendance_{k}");
        let raw = d.get(&name).trim();
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => out.push((k.to_string(), n)),
            _ => v.add(&name, "invalid"),
        }
    }
    v.into_result().map(|_| out)
}

pub async fn record(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let d = FormData::parse(&body);
    let result = match attendance_of(&d) {
        Ok(att) => event::record(
            &app.db,
            ctx.tenant.id,
            e.id,
            d.get("minutes"),
            ctx.locale,
            &att,
        )
        .await
        .map_err(|err| match err {
            th_participation::PartError::Invalid(errors) => Ok(Validation { errors }),
            other => Err(part_err(other)),
        }),
        Err(v) => Err(Ok(v)),
    };
    match result {
        Ok(()) => {
            app.audit(&ctx, "record_event", "event", e.id, "").await?;
            Ok(noted(e.id, "admin-events-recorded", 0))
        }
        Err(Ok(v)) => Ok(admin_page(&app, &ctx, &e, &input_of(&e), &v, None)
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx)),
        Err(Err(err)) => Err(err),
    }
}

/// Checks a goal reference ("4.2") against the current concept.
pub(crate) async fn goal_ref(
    app: &AppState,
    ctx: &Ctx,
    raw: &str,
    v: &mut Validation,
) -> Result<Option<String>, AppError> {
    let g = raw.trim();
    if g.is_empty() {
        return Ok(None);
    }
    let known = match app.concepts.current(&app.db, ctx.tenant.id).await? {
        Some(c) => c
            .fields
            .iter()
            .flat_map(|f| f.goals.iter().map(|g| g.number.clone()))
            .any(|n| n == g),
        None => false,
    };
    if !known {
        v.add("goal", "invalid");
    }
    Ok(Some(g.to_string()))
}

pub async fn add_outcome(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let e = load(&app, &ctx, &id).await?;
    let d = FormData::parse(&body);
    let mut v = Validation::new();
    let goal = goal_ref(&app, &ctx, d.get("goal"), &mut v).await?;
    let contribution = match d.get("contribution").trim() {
        "" => None,
        c => match c.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                v.add("contribution", "invalid");
                None
            }
        },
    };
    if v.is_ok() {
        match event::add_outcome(
            &app.db,
            ctx.tenant.id,
            e.id,
            d.get("text"),
            contribution,
            goal.as_deref(),
            app.now(),
        )
        .await
        {
            Ok(_) => {
                app.audit(&ctx, "add_event_outcome", "event", e.id, d.get("text"))
                    .await?;
                return Ok(noted(e.id, "admin-events-outcome-added", 0));
            }
            Err(th_participation::PartError::Invalid(errors)) => v.errors.extend(errors),
            Err(err) => return Err(part_err(err)),
        }
    }
    Ok(admin_page(&app, &ctx, &e, &input_of(&e), &v, None)
        .await?
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(&ctx))
}

pub async fn admin_cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let rid = id_of(&id)?;
    let r = event::registrations_of_id(&app.db, ctx.tenant.id, rid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let moved = event::cancel(&app.db, &app.mailer(&ctx), rid)
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
    Ok(noted(r.event_id, "admin-events-cancelled", moved.len()))
}
