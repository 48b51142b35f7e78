//! Participation: the public pages of a process, the personal invitation link (answering for
//! an organisation, with or without an account), and the coordinator's campaigns.

use crate::ctx::{cookie, Ctx};
use crate::error::AppError;
use crate::forms::{self, Field};
use crate::layout::{date, Page};
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use maud::{html, Markup};
use th_core::{Locale, Validation};
use th_participation::campaign::{self, CampaignFilter, NewCampaign, Opened};
use th_participation::contribution::{
    self, Author, ContributionKind, GoodPractice, NewContribution,
};
use th_participation::process::{self, Standing};
use th_participation::OrgKind;

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn standing_text(ctx: &Ctx, s: &Standing) -> String {
    match s {
        Standing::NotStarted => ctx.t("process-not-started"),
        Standing::In { phase } => ctx.ta(
            "process-in-phase",
            &[("phase", ctx.t(phase.label_key()).into())],
        ),
        Standing::Between { after } => ctx.ta(
            "process-after-phase",
            &[("phase", ctx.t(after.label_key()).into())],
        ),
        Standing::Finished => ctx.t("process-finished"),
    }
}

pub async fn processes(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all = process::processes(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    let now = app.now();
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("process-list-title")) }
        @if all.is_empty() { p { (ctx.t("process-none")) } }
        ul {
            @for p in &all {
                @let (title, l) = p.title_in(ctx.locale);
                li { a.kern-link href={ "/beteiligung/" (p.id) } lang=(l.html_lang()) { (title) } " · " (standing_text(&ctx, &p.standing(now))) }
            }
        }
    };
    Ok(Page::new(ctx.t("process-list-title"), body).render(&ctx))
}

pub async fn process_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = process::process(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let now = app.now();
    let standing = p.standing(now);
    let (title, tl) = p.title_in(ctx.locale);
    let (desc, dl) = p.description_in(ctx.locale);
    let maps: Vec<th_opinion::store::ConversationRow> =
        th_opinion::store::list(&app.db, ctx.tenant.id, Some(p.id))
            .await
            .map_err(crate::pages::opinion::op_err)?
            .into_iter()
            .filter(|c| c.status != th_opinion::store::Status::Hidden)
            .collect();
    let body = html! {
        h1.kern-heading-x-large lang=(tl.html_lang()) { (title) }
        p.kern-body--large { strong { (standing_text(&ctx, &standing)) } }
        @if !desc.is_empty() { p lang=(dl.html_lang()) { (desc) } }
        ul.th-actions {
            li { a.kern-link href={ "/beteiligung/" (p.id) "/beitraege" } { (ctx.t("contributions-title")) } }
            li { a.kern-link href={ "/beteiligung/" (p.id) "/forum" } { (ctx.t("forum-title")) } }
            li { a.kern-link href={ "/beteiligung/" (p.id) "/bericht" } { (ctx.t("report-title")) } }
            @if matches!(standing, Standing::In { .. } | Standing::Between { .. }) { li { a.kern-link href={ "/beteiligung/" (p.id) "/beitragen" } { (ctx.t("contribution-new")) } } }
            li { a.kern-link href={ "/veranstaltungen?verfahren=" (p.id) } { (ctx.t("events-title")) } }
        }
        @if !maps.is_empty() {
            h2.kern-heading-medium { (ctx.t("opinion-maps-heading")) }
            ul.th-list {
                @for c in &maps {
                    li { a.kern-link href={ "/meinungsbild/" (c.id) } lang=(c.locale) { (c.topic) } }
                }
            }
        }
        h2.kern-heading-medium { (ctx.t("process-phases")) }
        ol.th-phases {
            @for ph in &p.phases {
                @let current = matches!(standing, Standing::In { phase } if phase == ph.kind);
                li aria-current=[current.then_some("step")] {
                    strong { (ctx.t(ph.kind.label_key())) }
                    " · " (date(&ctx, ph.starts_on)) " – " (date(&ctx, ph.ends_on - 1))
                    @if current { " " span.th-tag { (ctx.t("process-current")) } }
                }
            }
        }
    };
    Ok(Page::new(title.to_string(), body).render(&ctx))
}

// ---- contributions by individuals, under a pseudonym ----

async fn person_page(
    app: &AppState,
    ctx: &Ctx,
    p: &process::Process,
    f: &ContributionForm,
    v: &Validation,
) -> Result<Page, AppError> {
    let fields = valid_fields(app, ctx).await?;
    let (title, tl) = p.title_in(ctx.locale);
    let extra = html! {
        (forms::input(ctx, Field::new("pseudonym", ctx.t("contribution-pseudonym"), &f.pseudonym).autocomplete("nickname").hint(ctx.t("contribution-pseudonym-hint")), v))
    };
    let body = html! {
        p { a.kern-link href={ "/beteiligung/" (p.id) } lang=(tl.html_lang()) { (title) } }
        h1.kern-heading-x-large { (ctx.t("contribution-new")) }
        p { (ctx.t("contribution-person-intro")) }
        @if p.moderation == "before" { p { (ctx.t("contribution-moderated-before")) } }
        (contribution_form(ctx, &format!("/beteiligung/{}/beitragen", p.id), f, &fields, v, extra))
    };
    Ok(Page::new(ctx.t("contribution-new"), body))
}

pub(crate) async fn open_process(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<process::Process, AppError> {
    let p = process::process(&app.db, ctx.tenant.id, id_of(id)?)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    match p.standing(app.now()) {
        Standing::Finished => Err(AppError::Conflict("process_finished")),
        Standing::NotStarted => Err(AppError::Conflict("process_not_started")),
        _ => Ok(p),
    }
}

pub async fn person_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = open_process(&app, &ctx, &id).await?;
    let f = ContributionForm {
        pseudonym: ctx
            .user
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    Ok(person_page(&app, &ctx, &p, &f, &Validation::new())
        .await?
        .render(&ctx))
}

/// Creates a contribution by a person with an account, under the pseudonym they give.
pub async fn create_as_person(
    app: &AppState,
    ctx: &Ctx,
    p: &process::Process,
    f: &ContributionForm,
) -> Result<Result<i64, Validation>, AppError> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    let mut v = Validation::new();
    let pseudonym = v.text("pseudonym", &f.pseudonym, 80);
    let now = app.now();
    let key = user.id.to_string();
    if th_auth::rate_exceeded(&app.db, "contribution", &key, 20, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    let fields: Vec<i64> = valid_fields(app, ctx)
        .await?
        .into_iter()
        .map(|(n, _, _)| n)
        .collect();
    let cx = contribution::Context {
        tenant: ctx.tenant.id,
        process_id: p.id,
        phase: p.phase_at(now),
        moderation: &p.moderation,
        valid_fields: &fields,
        now,
    };
    let input = f.input(ctx.locale, &user.email);
    if let Err(more) = contribution::validate(&input, &fields) {
        v.errors.extend(more.errors);
    }
    if !v.is_ok() {
        return Ok(Err(v));
    }
    th_auth::rate_record(&app.db, "contribution", &key, now).await?;
    let id = contribution::create(
        &app.db,
        &cx,
        Author::Person {
            user_id: user.id,
            pseudonym: &pseudonym,
        },
        &input,
    )
    .await
    .map_err(part_err)?;
    Ok(Ok(id))
}

pub async fn person_submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum_extra::extract::Form(f): axum_extra::extract::Form<ContributionForm>,
) -> Result<Response, AppError> {
    let p = open_process(&app, &ctx, &id).await?;
    match create_as_person(&app, &ctx, &p, &f).await? {
        Ok(cid) if p.moderation == "before" => {
            Ok(super::see_other(&format!("/konto?beitrag={cid}#beitraege")))
        }
        Ok(cid) => Ok(super::see_other(&format!("/beitraege/{cid}"))),
        Err(v) => Ok(person_page(&app, &ctx, &p, &f, &v)
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx)),
    }
}

/// "My contributions" on the account page.
pub async fn mine_section(app: &AppState, ctx: &Ctx) -> Result<Markup, AppError> {
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let mine = contribution::of_person(&app.db, ctx.tenant.id, user)
        .await
        .map_err(part_err)?;
    Ok(html! {
        h2.kern-heading-medium #beitraege { (ctx.t("contribution-mine")) }
        @if mine.is_empty() { p { (ctx.t("contribution-none")) } }
        ul {
            @for c in &mine {
                li {
                    @if c.published { a.kern-link href={ "/beitraege/" (c.id) } lang=(c.locale.html_lang()) { (c.title) } }
                    @else { span lang=(c.locale.html_lang()) { (c.title) } " (" (ctx.t("admin-contributions-unpublished")) ")" }
                    " · " (ctx.t(c.kind.label_key())) " · " (date(ctx, c.created_at)) " · " (ctx.t(c.status.label_key()))
                    @if let Some(g) = &c.status_goal { " " (ctx.ta("contribution-into-goal", &[("goal", g.clone().into())])) }
                }
            }
        }
    })
}

// ---- the personal invitation link ----

fn device_cookie_name(invitation_id: i64) -> String {
    format!("th_inv_{invitation_id}")
}

fn link_problem(ctx: &Ctx, title_key: &str, text_key: &str, status: StatusCode) -> Response {
    let body = html! { h1.kern-heading-x-large { (ctx.t(title_key)) } p { (ctx.t(text_key)) } };
    Page::new(ctx.t(title_key), body).status(status).render(ctx)
}

/// The fields of action of the current concept: number, title, and the language the title
/// is in (German when it is not translated into the visitor's language).
pub(crate) async fn valid_fields(
    app: &AppState,
    ctx: &Ctx,
) -> Result<Vec<(i64, String, Locale)>, AppError> {
    Ok(match app.concepts.current(&app.db, ctx.tenant.id).await? {
        Some(c) => c
            .fields
            .iter()
            .map(|f| {
                let s = f.title.get(ctx.locale);
                (f.number, s.text.to_string(), s.locale)
            })
            .collect(),
        None => vec![],
    })
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct ContributionForm {
    #[serde(default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) body: String,
    #[serde(default)]
    pub(crate) fields: Vec<String>,
    #[serde(default)]
    pub(crate) who: String,
    #[serde(default)]
    pub(crate) place: String,
    #[serde(default)]
    pub(crate) contact: String,
    #[serde(default)]
    pub(crate) notify: Option<String>,
    /// The name a person writes under (contributions by individuals).
    #[serde(default)]
    pub(crate) pseudonym: String,
}

impl ContributionForm {
    fn input(&self, locale: Locale, contact_email: &str) -> NewContribution {
        NewContribution {
            kind: self.kind.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
            fields: self.fields.iter().filter_map(|f| f.parse().ok()).collect(),
            details: GoodPractice {
                who: self.who.clone(),
                place: self.place.clone(),
                contact: self.contact.clone(),
            },
            locale: Some(locale),
            notify_email: self.notify.is_some().then(|| contact_email.to_string()),
        }
    }
}

fn contribution_form(
    ctx: &Ctx,
    action: &str,
    f: &ContributionForm,
    fields: &[(i64, String, Locale)],
    v: &Validation,
    extra: Markup,
) -> Markup {
    let kind_err = v.for_field("kind");
    let fields_err = v.for_field("fields");
    html! {
        (forms::error_summary_with(ctx, v, &[("kind", "contribution-kind"), ("title", "contribution-title"), ("body", "contribution-body"), ("fields", "contribution-fields")]))
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            fieldset.kern-fieldset #kind {
                legend.kern-label { (ctx.t("contribution-kind")) }
                @if let Some(e) = kind_err { p.kern-error #kind-error { (ctx.t(crate::error::field_error_key(&e.code))) } }
                div.kern-fieldset__body {
                    @for k in ContributionKind::ALL {
                        div.kern-form-check {
                            input.kern-form-check__radio type="radio" name="kind" id={ "kind-" (k.key()) } value=(k.key()) checked[f.kind == k.key()];
                            label.kern-label for={ "kind-" (k.key()) } { (ctx.t(k.label_key())) }
                        }
                    }
                }
            }
            (forms::input(ctx, Field::new("title", ctx.t("contribution-title"), &f.title), v))
            (forms::input(ctx, Field::new("body", ctx.t("contribution-body"), &f.body).kind("textarea"), v))
            fieldset.kern-fieldset #fields {
                legend.kern-label { (ctx.t("contribution-fields")) }
                @if let Some(e) = fields_err { p.kern-error #fields-error { (ctx.t(crate::error::field_error_key(&e.code))) } }
                div.kern-fieldset__body {
                    @for (n, title, l) in fields {
                        div.kern-form-check {
                            input.kern-form-check__checkbox type="checkbox" name="fields" id={ "field-" (n) } value=(n) checked[f.fields.contains(&n.to_string())];
                            label.kern-label for={ "field-" (n) } lang=[(*l != ctx.locale).then(|| l.html_lang())] { (n) ". " (title) }
                        }
                    }
                }
            }
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("contribution-good-practice")) }
                p.kern-hint { (ctx.t("contribution-good-practice-hint")) }
                (forms::input(ctx, Field::new("who", ctx.t("contribution-who"), &f.who).optional(), v))
                (forms::input(ctx, Field::new("place", ctx.t("contribution-place"), &f.place).optional(), v))
                (forms::input(ctx, Field::new("contact", ctx.t("contribution-contact"), &f.contact).optional(), v))
            }
            (extra)
            (forms::checkbox(ctx, "notify", ctx.t("contribution-notify"), f.notify.is_some(), v))
            (forms::submit(ctx.t("contribution-submit")))
        }
    }
}

/// What the invitation page shows besides the invitation: the forms' input and problems, and
/// which notice (contribution sent, members registered).
#[derive(Default)]
struct View {
    form: ContributionForm,
    v: Validation,
    events_v: Validation,
    sent: bool,
    registered: bool,
}

async fn invitation_page(
    app: &AppState,
    ctx: &Ctx,
    token: &str,
    inv: &campaign::Invitation,
    view: &View,
) -> Result<Page, AppError> {
    let (f, v, events_v, sent) = (&view.form, &view.v, &view.events_v, view.sent);
    let t = ctx.tenant.id;
    let camp = campaign::campaign(&app.db, t, inv.campaign_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let org = th_participation::get(&app.db, t, inv.organisation_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let text = camp
        .texts
        .iter()
        .find(|(l, _, _)| *l == ctx.locale)
        .or_else(|| camp.texts.iter().find(|(l, _, _)| *l == Locale::De));
    let fields = valid_fields(app, ctx).await?;
    let ours = contribution::of_organisation(&app.db, t, inv.organisation_id)
        .await
        .map_err(part_err)?;
    let action = format!("/einladung/{token}");
    let events = crate::pages::events::invitation_section(
        app,
        ctx,
        token,
        camp.process_id,
        inv.organisation_id,
        events_v,
    )
    .await?;
    let body = html! {
        p.kern-body--muted { (ctx.ta("invitation-for", &[("organisation", org.name.clone().into())])) }
        @if let Some((l, subject, body)) = text {
            h1.kern-heading-x-large lang=(l.html_lang()) { (subject) }
            @if *l != ctx.locale { p.th-fallback { (ctx.t("fallback-german")) } }
            div lang=(l.html_lang()) { (crate::layout::paragraphs(&body.replace("{link}", ""))) }
        }
        @if sent { (forms::notice(ctx.t("contribution-thanks"))) }
        h2.kern-heading-medium #beitrag { (ctx.t("contribution-new")) }
        p { (ctx.t("contribution-intro")) }
        (contribution_form(ctx, &action, f, &fields, v, html! {}))
        h2.kern-heading-medium #unsere-beitraege { (ctx.t("contribution-ours")) }
        @if ours.is_empty() { p { (ctx.t("contribution-none")) } }
        ul {
            @for c in &ours {
                li {
                    strong lang=(c.locale.html_lang()) { (c.title) }
                    " · " (ctx.t(c.kind.label_key())) " · " (date(ctx, c.created_at)) " · "
                    (ctx.t(c.status.label_key()))
                    @if let Some(g) = &c.status_goal { " " (ctx.ta("contribution-into-goal", &[("goal", g.clone().into())])) }
                }
            }
        }
        @if view.registered { (forms::notice(ctx.t("invitation-registered"))) }
        (events)
    };
    let title = text
        .map(|t| t.1.clone())
        .unwrap_or_else(|| ctx.t("contribution-new"));
    Ok(Page::new(title, body))
}

fn needs_code_page(ctx: &Ctx, token: &str, v: &Validation, code_sent: bool) -> Page {
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("invitation-code-title")) }
        p { (ctx.t("invitation-code-intro")) }
        @if code_sent { (forms::notice(ctx.t("invitation-code-sent"))) }
        @else {
            form method="post" action={ "/einladung/" (token) "/code-senden" } {
                (forms::csrf(ctx))
                (forms::submit(ctx.t("invitation-code-send")))
            }
        }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action={ "/einladung/" (token) "/code" } novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("code", ctx.t("field-code"), "").autocomplete("one-time-code").hint(ctx.t("invitation-code-hint")), v))
            (forms::submit(ctx.t("second-factor-submit")))
        }
    };
    Page::new(ctx.t("invitation-code-title"), body)
}

fn opened_or_problem(ctx: &Ctx, o: &Opened) -> Option<Response> {
    match o {
        Opened::Unknown => Some(link_problem(
            ctx,
            "link-invalid-title",
            "invitation-unknown",
            StatusCode::NOT_FOUND,
        )),
        Opened::Expired => Some(link_problem(
            ctx,
            "link-invalid-title",
            "invitation-expired",
            StatusCode::GONE,
        )),
        Opened::Revoked => Some(link_problem(
            ctx,
            "link-invalid-title",
            "invitation-revoked",
            StatusCode::GONE,
        )),
        _ => None,
    }
}

fn device_of(jar: &CookieJar, o: Option<i64>) -> Option<String> {
    o.and_then(|id| {
        jar.get(&device_cookie_name(id))
            .map(|c| c.value().to_string())
    })
}

/// The device secret cookie for an invitation, valid as long as the link.
fn set_device(res: &mut Response, app: &AppState, inv: &campaign::Invitation, secret: String) {
    let mut c = cookie(
        "th_inv",
        secret,
        app.config.cookie_secure,
        (inv.expires_at - app.now()).max(60),
    );
    c.set_name(device_cookie_name(inv.id));
    if let Ok(v) = HeaderValue::from_str(&c.encoded().to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[derive(serde::Deserialize, Default)]
pub struct SentQuery {
    gesendet: Option<String>,
    angemeldet: Option<String>,
}

async fn open_link(
    app: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    token: &str,
) -> Result<Opened, AppError> {
    let known = campaign::find(&app.db, ctx.tenant.id, token)
        .await
        .map_err(part_err)?;
    let device = device_of(jar, known.as_ref().map(|i| i.id));
    campaign::open(&app.db, ctx.tenant.id, token, device.as_deref(), app.now())
        .await
        .map_err(part_err)
}

pub async fn invitation(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(token): Path<String>,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    let opened = open_link(&app, &ctx, &jar, &token).await?;
    if let Some(r) = opened_or_problem(&ctx, &opened) {
        return Ok(r);
    }
    match opened {
        Opened::Ok {
            invitation,
            new_device,
        } => {
            let mut res = invitation_page(
                &app,
                &ctx,
                &token,
                &invitation,
                &View {
                    sent: q.gesendet.is_some(),
                    registered: q.angemeldet.is_some(),
                    ..Default::default()
                },
            )
            .await?
            .render(&ctx);
            if let Some(secret) = new_device {
                set_device(&mut res, &app, &invitation, secret);
            }
            Ok(super::no_store(res))
        }
        _ => Ok(super::no_store(
            needs_code_page(&ctx, &token, &Validation::new(), false).render(&ctx),
        )),
    }
}

pub async fn invitation_answer(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(token): Path<String>,
    axum_extra::extract::Form(f): axum_extra::extract::Form<ContributionForm>,
) -> Result<Response, AppError> {
    let opened = open_link(&app, &ctx, &jar, &token).await?;
    if let Some(r) = opened_or_problem(&ctx, &opened) {
        return Ok(r);
    }
    let Opened::Ok { invitation, .. } = opened else {
        return Ok(needs_code_page(&ctx, &token, &Validation::new(), false)
            .status(StatusCode::FORBIDDEN)
            .render(&ctx));
    };
    match create_for_invitation(&app, &ctx, &invitation, &f).await? {
        Ok(_) => Ok(super::see_other(&format!(
            "/einladung/{token}?gesendet=1#unsere-beitraege"
        ))),
        Err(v) => Ok(invitation_page(
            &app,
            &ctx,
            &token,
            &invitation,
            &View {
                form: f,
                v,
                ..Default::default()
            },
        )
        .await?
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(&ctx)),
    }
}

/// Stores a contribution an organisation makes through its invitation (page and API).
pub(crate) async fn create_for_invitation(
    app: &AppState,
    ctx: &Ctx,
    invitation: &campaign::Invitation,
    f: &ContributionForm,
) -> Result<Result<i64, Validation>, AppError> {
    let camp = campaign::campaign(&app.db, ctx.tenant.id, invitation.campaign_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let p = process::process(&app.db, ctx.tenant.id, camp.process_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let fields: Vec<i64> = valid_fields(app, ctx)
        .await?
        .into_iter()
        .map(|(n, _, _)| n)
        .collect();
    let now = app.now();
    let contact_email = campaign::contact_email(&app.db, ctx.tenant.id, invitation.contact_id)
        .await
        .map_err(part_err)?;
    let cx = contribution::Context {
        tenant: ctx.tenant.id,
        process_id: p.id,
        phase: p.phase_at(now),
        moderation: &p.moderation,
        valid_fields: &fields,
        now,
    };
    match contribution::create(
        &app.db,
        &cx,
        Author::Invitation {
            invitation_id: invitation.id,
            organisation_id: invitation.organisation_id,
        },
        &f.input(ctx.locale, &contact_email),
    )
    .await
    {
        Ok(id) => Ok(Ok(id)),
        Err(th_participation::PartError::Invalid(errors)) => Ok(Err(Validation { errors })),
        Err(e) => Err(part_err(e)),
    }
}

/// The organisation registers members for an event of the process.
pub async fn invitation_register(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let opened = open_link(&app, &ctx, &jar, &token).await?;
    if let Some(r) = opened_or_problem(&ctx, &opened) {
        return Ok(r);
    }
    let Opened::Ok { invitation, .. } = opened else {
        return Ok(needs_code_page(&ctx, &token, &Validation::new(), false)
            .status(StatusCode::FORBIDDEN)
            .render(&ctx));
    };
    let camp = campaign::campaign(&app.db, ctx.tenant.id, invitation.campaign_id)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let contact_email = campaign::contact_email(&app.db, ctx.tenant.id, invitation.contact_id)
        .await
        .map_err(part_err)?;
    let d = forms::FormData::parse(&body);
    match crate::pages::events::register_members(
        &app,
        &ctx,
        invitation.organisation_id,
        &contact_email,
        camp.process_id,
        &d,
    )
    .await?
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/einladung/{token}?angemeldet=1#anmeldungen"
        ))),
        Err(v) => Ok(invitation_page(
            &app,
            &ctx,
            &token,
            &invitation,
            &View {
                events_v: v,
                ..Default::default()
            },
        )
        .await?
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(&ctx)),
    }
}

/// The organisation cancels one of its registrations.
pub async fn invitation_unregister(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path((token, rid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let opened = open_link(&app, &ctx, &jar, &token).await?;
    if let Some(r) = opened_or_problem(&ctx, &opened) {
        return Ok(r);
    }
    let Opened::Ok { invitation, .. } = opened else {
        return Err(AppError::Forbidden);
    };
    crate::pages::events::cancel_member(&app, &ctx, invitation.organisation_id, id_of(&rid)?)
        .await?;
    Ok(super::see_other(&format!("/einladung/{token}#anmeldungen")))
}

/// Mails a code that unlocks another device for the invitation (rate-limited per link).
pub(crate) async fn send_code(
    app: &AppState,
    ctx: &Ctx,
    invitation: &campaign::Invitation,
) -> Result<(), AppError> {
    let now = app.now();
    let key = invitation.id.to_string();
    if th_auth::rate_exceeded(&app.db, "invitation-code", &key, 5, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, "invitation-code", &key, now).await?;
    let code = campaign::issue_code(&app.db, invitation, now)
        .await
        .map_err(part_err)?;
    let email = campaign::contact_email(&app.db, ctx.tenant.id, invitation.contact_id)
        .await
        .map_err(part_err)?;
    let mut tx = app.db.begin().await?;
    th_mail::enqueue(
        &mut tx,
        th_mail::Outgoing {
            tenant: ctx.tenant.id,
            recipient: &email,
            subject: &ctx.t("mail-code-subject"),
            body: &ctx.ta("mail-code-body", &[("code", code.into())]),
            dedupe_key: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks a code for another device; the device's secret when it is right. Wrong codes count
/// against a limit per link.
pub(crate) async fn redeem(
    app: &AppState,
    inv: &campaign::Invitation,
    code: &str,
) -> Result<Option<String>, AppError> {
    let now = app.now();
    let key = format!("code:{}", inv.id);
    if th_auth::rate_exceeded(&app.db, "invitation-code-try", &key, 5, 900, now).await? {
        return Err(AppError::RateLimited);
    }
    let secret = campaign::redeem_code(&app.db, inv, code, now)
        .await
        .map_err(part_err)?;
    if secret.is_none() {
        th_auth::rate_record(&app.db, "invitation-code-try", &key, now).await?;
    }
    Ok(secret)
}

pub async fn invitation_send_code(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let opened = open_link(&app, &ctx, &jar, &token).await?;
    if let Some(r) = opened_or_problem(&ctx, &opened) {
        return Ok(r);
    }
    let (Opened::NeedsCode { invitation } | Opened::Ok { invitation, .. }) = opened else {
        return Err(AppError::NotFound);
    };
    send_code(&app, &ctx, &invitation).await?;
    Ok(super::no_store(
        needs_code_page(&ctx, &token, &Validation::new(), true).render(&ctx),
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn invitation_code(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(inv) = campaign::find(&app.db, ctx.tenant.id, &token)
        .await
        .map_err(part_err)?
    else {
        return Ok(link_problem(
            &ctx,
            "link-invalid-title",
            "invitation-unknown",
            StatusCode::NOT_FOUND,
        ));
    };
    match redeem(&app, &inv, &f.code).await? {
        Some(secret) => {
            let mut res = super::see_other(&format!("/einladung/{token}"));
            set_device(&mut res, &app, &inv, secret);
            Ok(res)
        }
        None => {
            let mut v = Validation::new();
            v.add("code", "wrong_code");
            Ok(needs_code_page(&ctx, &token, &v, true)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
    }
}

// ---- campaigns (coordination) ----

pub async fn campaigns(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let all = campaign::campaigns(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-campaigns-title")) }
        p { a.kern-btn.kern-btn--primary href="/verwaltung/kampagnen/neu" { span.kern-label { (ctx.t("admin-campaigns-new")) } } }
        @if all.is_empty() { p { (ctx.t("admin-campaigns-none")) } }
        ul {
            @for c in &all {
                li {
                    a.kern-link href={ "/verwaltung/kampagnen/" (c.id) } { (c.name) } " · "
                    @match c.sent_at { Some(at) => { (ctx.t("admin-campaigns-sent-on")) " " (date(&ctx, at)) }, None => (ctx.t("admin-campaigns-not-sent")) }
                }
            }
        }
    };
    Ok(Page::new(ctx.t("admin-campaigns-title"), body).render(&ctx))
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct CampaignForm {
    #[serde(default)]
    process: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    municipalities: Vec<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    link_days: String,
    #[serde(default)]
    subject_de: String,
    #[serde(default)]
    body_de: String,
    #[serde(default)]
    subject_en: String,
    #[serde(default)]
    body_en: String,
    #[serde(default)]
    subject_tr: String,
    #[serde(default)]
    body_tr: String,
}

async fn campaign_form_page(
    app: &AppState,
    ctx: &Ctx,
    f: &CampaignForm,
    v: &Validation,
) -> Result<Page, AppError> {
    let procs = process::processes(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    let (m, _) = crate::pages::orgs::reference(app, ctx).await?;
    let fields = valid_fields(app, ctx).await?;
    let body = html! {
        p { a.kern-link href="/verwaltung/kampagnen" { (ctx.t("admin-campaigns-back")) } }
        h1.kern-heading-x-large { (ctx.t("admin-campaigns-new")) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action="/verwaltung/kampagnen" novalidate {
            (forms::csrf(ctx))
            div.kern-form-input {
                label.kern-label for="process" { (ctx.t("admin-campaigns-process")) }
                div.kern-form-input__select-wrapper {
                    select.kern-form-input__select #process name="process" {
                        @for p in &procs { option value=(p.id) selected[f.process == p.id.to_string()] { (p.title_in(ctx.locale).0) } }
                    }
                }
            }
            (forms::input(ctx, Field::new("name", ctx.t("admin-campaigns-name"), &f.name), v))
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("admin-campaigns-kinds")) }
                p.kern-hint { (ctx.t("admin-campaigns-all-hint")) }
                div.kern-fieldset__body {
                    @for k in OrgKind::ALL {
                        div.kern-form-check {
                            input.kern-form-check__checkbox type="checkbox" name="kinds" id={ "kinds-" (k.key()) } value=(k.key()) checked[f.kinds.iter().any(|x| x == k.key())];
                            label.kern-label for={ "kinds-" (k.key()) } { (ctx.t(k.label_key())) }
                        }
                    }
                }
            }
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("org-municipality")) }
                p.kern-hint { (ctx.t("admin-campaigns-all-hint")) }
                div.kern-fieldset__body {
                    @for (k, n) in &m {
                        div.kern-form-check {
                            input.kern-form-check__checkbox type="checkbox" name="municipalities" id={ "m-" (k) } value=(k) checked[f.municipalities.contains(k)];
                            label.kern-label for={ "m-" (k) } { (n) }
                        }
                    }
                }
            }
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("org-fields")) }
                p.kern-hint { (ctx.t("admin-campaigns-all-hint")) }
                div.kern-fieldset__body {
                    @for (n, title, l) in &fields {
                        div.kern-form-check {
                            input.kern-form-check__checkbox type="checkbox" name="fields" id={ "f-" (n) } value=(n) checked[f.fields.contains(&n.to_string())];
                            label.kern-label for={ "f-" (n) } lang=[(*l != ctx.locale).then(|| l.html_lang())] { (n) ". " (title) }
                        }
                    }
                }
            }
            (forms::input(ctx, Field::new("link_days", ctx.t("admin-campaigns-link-days"), if f.link_days.is_empty() { "60" } else { &f.link_days }).kind("number"), v))
            p.kern-hint { (ctx.t("admin-campaigns-link-hint")) }
            @for (l, subj, body) in [(Locale::De, &f.subject_de, &f.body_de), (Locale::En, &f.subject_en, &f.body_en), (Locale::Tr, &f.subject_tr, &f.body_tr)] {
                fieldset.kern-fieldset {
                    legend.kern-label { (ctx.ta("admin-campaigns-text-in", &[("language", l.autonym().into())])) }
                    @let sname = format!("subject_{}", l.tag());
                    @let bname = format!("body_{}", l.tag());
                    @let subject_field = Field::new(&sname, ctx.t("admin-campaigns-subject"), subj).lang(l);
                    @let body_field = Field::new(&bname, ctx.t("admin-campaigns-body"), body).kind("textarea").lang(l);
                    (forms::input(ctx, if l == Locale::De { subject_field } else { subject_field.optional() }, v))
                    (forms::input(ctx, if l == Locale::De { body_field } else { body_field.optional() }, v))
                }
            }
            (forms::submit(ctx.t("admin-campaigns-create")))
        }
    };
    Ok(Page::new(ctx.t("admin-campaigns-new"), body))
}

pub async fn campaign_new(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let f = CampaignForm::default();
    Ok(campaign_form_page(&app, &ctx, &f, &Validation::new())
        .await?
        .render(&ctx))
}

pub async fn campaign_create(
    State(app): State<AppState>,
    ctx: Ctx,
    axum_extra::extract::Form(f): axum_extra::extract::Form<CampaignForm>,
) -> Result<Response, AppError> {
    let input = NewCampaign {
        process_id: f.process.parse().unwrap_or(0),
        name: &f.name,
        filter: CampaignFilter {
            kinds: f.kinds.clone(),
            municipalities: f.municipalities.clone(),
            fields: f.fields.iter().filter_map(|x| x.parse().ok()).collect(),
        },
        link_days: f.link_days.trim().parse().unwrap_or(0),
        texts: vec![
            (Locale::De, &f.subject_de, &f.body_de),
            (Locale::En, &f.subject_en, &f.body_en),
            (Locale::Tr, &f.subject_tr, &f.body_tr),
        ]
        .into_iter()
        .map(|(l, s, b)| (l, s.as_str(), b.as_str()))
        .collect(),
    };
    let mut tx = app.db.begin().await?;
    match campaign::create_campaign(&mut tx, ctx.tenant.id, &input, app.now()).await {
        Ok(id) => {
            let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
            app.db
                .audit(
                    &mut tx,
                    th_storage::platform::AuditEntry {
                        tenant: ctx.tenant.id,
                        actor: Some(actor),
                        action: "create_campaign",
                        object_type: "campaign",
                        object_id: &id.to_string(),
                        detail: &f.name,
                    },
                    app.now(),
                )
                .await?;
            tx.commit().await?;
            Ok(super::see_other(&format!("/verwaltung/kampagnen/{id}")))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            Ok(campaign_form_page(&app, &ctx, &f, &Validation { errors })
                .await?
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(&ctx))
        }
        Err(e) => Err(part_err(e)),
    }
}

fn stats_table(
    ctx: &Ctx,
    caption: String,
    first: String,
    rows: &[(String, campaign::Stats)],
    label: &dyn Fn(&str) -> String,
) -> Markup {
    crate::layout::scroll(html! {
        table.th-table {
            caption.kern-title { (caption) }
            thead { tr {
                th scope="col" { (first) }
                th scope="col" { (ctx.t("admin-campaigns-invited")) }
                th scope="col" { (ctx.t("admin-outbox-sent")) }
                th scope="col" { (ctx.t("admin-outbox-failed")) }
                th scope="col" { (ctx.t("admin-campaigns-opened")) }
                th scope="col" { (ctx.t("admin-campaigns-answered")) }
            } }
            tbody { @for (k, s) in rows { tr {
                th scope="row" { (label(k)) }
                td { (s.invited) } td { (s.sent) } td { (s.failed) } td { (s.opened) } td { (s.answered) }
            } } }
        }
    })
}

pub async fn campaign_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    let c = campaign::campaign(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let recipients = campaign::recipient_count(&app.db, ctx.tenant.id, &c.filter)
        .await
        .map_err(part_err)?;
    let (total, by_kind, by_m) = campaign::stats(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(part_err)?;
    let (m, _) = crate::pages::orgs::reference(&app, &ctx).await?;
    let kind_label = |k: &str| {
        OrgKind::parse(k)
            .map(|k| ctx.t(k.label_key()))
            .unwrap_or_else(|| k.to_string())
    };
    let m_label = |k: &str| {
        m.iter()
            .find(|(key, _)| key == k)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| k.to_string())
    };
    let body = html! {
        p { a.kern-link href="/verwaltung/kampagnen" { (ctx.t("admin-campaigns-back")) } }
        h1.kern-heading-x-large { (c.name) }
        @if let Some(n) = q.text(&ctx, &["admin-campaigns-queued", "admin-campaigns-reminded"]) { (forms::notice(n)) }
        p { (ctx.ta("admin-campaigns-recipients", &[("count", recipients.into())])) }
        div.th-actions {
            form method="post" action={ "/verwaltung/kampagnen/" (c.id) "/senden" } {
                (forms::csrf(&ctx))
                (forms::submit(if c.sent_at.is_some() { ctx.t("admin-campaigns-send-new") } else { ctx.t("admin-campaigns-send") }))
            }
            @if c.sent_at.is_some() {
                form method="post" action={ "/verwaltung/kampagnen/" (c.id) "/erinnerung" } {
                    (forms::csrf(&ctx))
                    button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("admin-campaigns-remind")) } }
                }
            }
        }
        h2.kern-heading-medium { (ctx.t("admin-campaigns-overview")) }
        (stats_table(&ctx, ctx.t("admin-campaigns-total"), ctx.t("admin-campaigns-all"), &[(ctx.t("admin-campaigns-all"), total.clone())], &|k| k.to_string()))
        (stats_table(&ctx, ctx.t("admin-campaigns-by-kind"), ctx.t("org-kind"), &by_kind, &kind_label))
        (stats_table(&ctx, ctx.t("admin-campaigns-by-municipality"), ctx.t("org-municipality"), &by_m, &m_label))
        h2.kern-heading-medium { (ctx.t("admin-campaigns-texts")) }
        @for (l, subject, body) in &c.texts {
            section lang=(l.html_lang()) dir=(if l.is_rtl() { "rtl" } else { "ltr" }) {
                h3.kern-heading-small { (l.autonym()) ": " (subject) }
                (crate::layout::paragraphs(body))
            }
        }
    };
    Ok(Page::new(c.name.clone(), body).render(&ctx))
}

pub async fn campaign_send(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = campaign::send(&app.db, ctx.tenant.id, id, &ctx.origin, app.now())
        .await
        .map_err(part_err)?;
    app.audit(
        &ctx,
        "send_campaign",
        "campaign",
        id,
        &format!("{} queued", r.queued),
    )
    .await?;
    Ok(super::noted(
        &format!("/verwaltung/kampagnen/{id}"),
        "admin-campaigns-queued",
        r.queued as i64,
        r.already_invited as i64,
    ))
}

pub async fn campaign_remind(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let n = campaign::remind(
        &app.db,
        ctx.tenant.id,
        id,
        &ctx.origin,
        &ctx.t("admin-campaigns-reminder-prefix"),
        app.now(),
    )
    .await
    .map_err(part_err)?;
    app.audit(
        &ctx,
        "remind_campaign",
        "campaign",
        id,
        &format!("{n} reminded"),
    )
    .await?;
    Ok(super::noted(
        &format!("/verwaltung/kampagnen/{id}"),
        "admin-campaigns-reminded",
        n as i64,
        0,
    ))
}
