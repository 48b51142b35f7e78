//! Keeping the Wegweiser: organisations maintain their own services (every change waits for
//! review), coordinators review and publish, edit directly, see which entries are due for
//! re-verification, import and export HSDS JSON, and replace the recognition table.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::forms::{self, Field, FormData};
use crate::layout::{date, Page};
use crate::pages::guide::{dir_err, language_name, Towns};
use crate::pages::my_org::member_of;
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use std::collections::BTreeMap;
use th_core::{Locale, Validation};
use th_directory::{
    hsds, languages, recognition, taxonomy, Actor, LocationInput, Region, Service, ServiceInput,
    ServiceText,
};

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn actor(app: &AppState, ctx: &Ctx) -> Actor {
    Actor {
        user: ctx.user_id(),
        now: app.now(),
    }
}

/// Brings this node's index up to date at once (the others follow within seconds).
pub(crate) async fn reindex(app: &AppState, ctx: &Ctx) -> Result<(), AppError> {
    app.guide
        .get(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    Ok(())
}

/// The service form: German texts, translations, topics, languages, areas, hours, contact,
/// and one of the organisation's locations or a new one.
#[derive(Default, Clone)]
pub(crate) struct ServiceForm {
    pub texts: BTreeMap<String, ServiceText>,
    pub topics: Vec<String>,
    pub languages: Vec<String>,
    pub areas: Vec<String>,
    pub groups: Vec<String>,
    pub free: bool,
    pub by_appointment: bool,
    pub age_min: String,
    pub age_max: String,
    pub hours: String,
    pub phone: String,
    pub email: String,
    pub url: String,
    pub contact: String,
    pub status: String,
    pub location_ids: Vec<i64>,
    pub new_location: bool,
    pub loc_name: String,
    pub loc_street: String,
    pub loc_postal: String,
    pub loc_town: String,
    pub loc_transport: String,
    pub loc_access: String,
    pub loc_step_free: bool,
}

impl ServiceForm {
    pub fn from_service(s: &Service) -> Self {
        ServiceForm {
            texts: s.texts.clone(),
            topics: s.topics.clone(),
            languages: s.languages.clone(),
            areas: s.areas.clone(),
            groups: s.groups.clone(),
            free: s.free,
            by_appointment: s.by_appointment,
            age_min: s.age_min.map(|a| a.to_string()).unwrap_or_default(),
            age_max: s.age_max.map(|a| a.to_string()).unwrap_or_default(),
            hours: th_directory::format_hours(&s.schedules),
            phone: s.phone.clone(),
            email: s.email.clone(),
            url: s.url.clone(),
            contact: s.contact.clone(),
            status: s.status.clone(),
            location_ids: s.locations.iter().map(|l| l.id).collect(),
            ..Default::default()
        }
    }

    fn parse(f: &FormData) -> Self {
        let mut texts = BTreeMap::new();
        for l in Locale::ALL {
            let k = |n: &str| format!("{n}_{}", l.tag());
            let t = ServiceText {
                name: f.get(&k("name")).to_string(),
                description: f.get(&k("description")).to_string(),
                fees: f.get(&k("fees")).to_string(),
                eligibility: f.get(&k("eligibility")).to_string(),
                bring: f
                    .get(&k("bring"))
                    .lines()
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect(),
            };
            if l == Locale::De || !t.name.trim().is_empty() || !t.description.trim().is_empty() {
                texts.insert(l.tag().to_string(), t);
            }
        }
        let list = |n: &str| f.all(n).into_iter().map(str::to_string).collect::<Vec<_>>();
        ServiceForm {
            texts,
            topics: list("topics"),
            languages: list("languages"),
            areas: list("areas"),
            groups: list("groups"),
            free: f.has("free"),
            by_appointment: f.has("by_appointment"),
            age_min: f.get("age_min").to_string(),
            age_max: f.get("age_max").to_string(),
            hours: f.get("hours").to_string(),
            phone: f.get("phone").to_string(),
            email: f.get("email").to_string(),
            url: f.get("url").to_string(),
            contact: f.get("contact").to_string(),
            status: f.get("status").to_string(),
            location_ids: f
                .all("location_ids")
                .iter()
                .filter_map(|x| x.parse().ok())
                .collect(),
            new_location: f.has("new_location"),
            loc_name: f.get("loc_name").to_string(),
            loc_street: f.get("loc_street").to_string(),
            loc_postal: f.get("loc_postal").to_string(),
            loc_town: f.get("loc_town").to_string(),
            loc_transport: f.get("loc_transport").to_string(),
            loc_access: f.get("loc_access").to_string(),
            loc_step_free: f.has("loc_step_free"),
        }
    }

    /// The input and a new location, or every problem.
    pub fn to_input(
        &self,
        org: i64,
        towns: &Towns,
    ) -> (ServiceInput, Option<LocationInput>, Validation) {
        let mut v = Validation::new();
        let age = |field: &str, s: &str, v: &mut Validation| -> Option<i64> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            let a = s.parse::<i64>().ok();
            if a.is_none() {
                v.add(field, "age");
            }
            a
        };
        let age_min = age("age_min", &self.age_min, &mut v);
        let age_max = age("age_max", &self.age_max, &mut v);
        let schedules = match th_directory::parse_hours(&self.hours) {
            Ok(s) => s,
            Err((_, code)) => {
                v.add("hours", code);
                Vec::new()
            }
        };
        let mut input = ServiceInput {
            org_id: org,
            status: if self.status.is_empty() {
                "active".into()
            } else {
                self.status.clone()
            },
            email: self.email.clone(),
            url: self.url.clone(),
            phone: self.phone.clone(),
            contact: self.contact.clone(),
            free: self.free,
            by_appointment: self.by_appointment,
            age_min,
            age_max,
            groups: self.groups.clone(),
            topics: self.topics.clone(),
            languages: self.languages.clone(),
            areas: self.areas.clone(),
            texts: self.texts.clone(),
            schedules,
            location_ids: self.location_ids.clone(),
        };
        let keys = towns.keys();
        let region = Region {
            municipalities: &keys,
        };
        if let Err(e) = input.validate(&region) {
            v.errors.extend(e.errors);
        }
        let loc = if self.new_location {
            let centre = towns
                .0
                .iter()
                .find(|m| m.0 == self.loc_town)
                .map(|m| (m.2, m.3))
                .unwrap_or((0.0, 0.0));
            let l = LocationInput {
                org_id: org,
                name: self.loc_name.clone(),
                street: self.loc_street.clone(),
                postal_code: self.loc_postal.clone(),
                municipality: self.loc_town.clone(),
                lat: centre.0,
                lon: centre.1,
                step_free: self.loc_step_free,
                transport: self.loc_transport.clone(),
                accessibility: self.loc_access.clone(),
            };
            if let Err(e) = l.validate(&region) {
                v.errors.extend(e.errors.into_iter().map(|mut e| {
                    e.field = format!("loc_{}", e.field);
                    e
                }));
            }
            Some(l)
        } else {
            if input.location_ids.is_empty() {
                v.add("location_ids", "required");
            }
            None
        };
        (input, loc, v)
    }
}

fn checkboxes(
    ctx: &Ctx,
    name: &str,
    legend: String,
    options: &[(String, String)],
    checked: &[String],
    v: &Validation,
) -> Markup {
    let err = v.for_field(name);
    html! {
        fieldset.kern-fieldset id=(name) aria-describedby=[err.map(|_| format!("{name}-error"))] {
            legend.kern-label { (legend) }
            @if let Some(e) = err { p.kern-error id={ (name) "-error" } { (ctx.t(crate::error::field_error_key(&e.code))) } }
            div.th-checks {
                @for (val, text) in options {
                    div.kern-form-check {
                        input.kern-form-check__input id={ (name) "-" (val) } type="checkbox" name=(name) value=(val) checked[checked.contains(val)];
                        label.kern-label for={ (name) "-" (val) } { (text) }
                    }
                }
            }
        }
    }
}

fn textarea(
    ctx: &Ctx,
    name: &str,
    label: String,
    value: &str,
    v: &Validation,
    hint: Option<String>,
    lang: Option<Locale>,
) -> Markup {
    let err = v.for_field(name);
    html! {
        div.kern-form-input {
            label.kern-label for=(name) { (label) }
            @if let Some(h) = &hint { p.kern-hint id={ (name) "-hint" } { (h) } }
            @if let Some(e) = err { p.kern-error id={ (name) "-error" } { (ctx.t(crate::error::field_error_key(&e.code))) } }
            textarea.kern-form-input__input id=(name) name=(name) rows="4"
                lang=[lang.map(|l| l.html_lang())] dir=[lang.map(|l| if l.is_rtl() { "rtl" } else { "ltr" })]
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=[match (hint.is_some(), err.is_some()) { (true, true) => Some(format!("{name}-hint {name}-error")), (true, false) => Some(format!("{name}-hint")), (false, true) => Some(format!("{name}-error")), _ => None }] { (value) }
        }
    }
}

/// Field names of the form for the error summary: (field, label key).
const SUMMARY: &[(&str, &str)] = &[
    ("texts.de.name", "admin-guide-name"),
    ("topics", "admin-guide-topics"),
    ("languages", "admin-guide-languages"),
    ("areas", "admin-guide-areas"),
    ("hours", "admin-guide-hours"),
    ("age_min", "admin-guide-age-min"),
    ("age_max", "admin-guide-age-max"),
    ("email", "field-email"),
    ("url", "admin-guide-url"),
    ("phone", "admin-guide-phone"),
    ("location_ids", "admin-guide-location"),
    ("loc_name", "admin-guide-loc-name"),
    ("loc_street", "admin-guide-loc-street"),
    ("loc_postal_code", "admin-guide-loc-postal"),
    ("loc_municipality", "admin-guide-loc-town"),
];

pub(crate) fn service_form(
    ctx: &Ctx,
    action: &str,
    f: &ServiceForm,
    towns: &Towns,
    locations: &[th_directory::Location],
    v: &Validation,
    submit: String,
) -> Markup {
    let de = f.texts.get("de").cloned().unwrap_or_default();
    // The German name's errors are reported as `texts.de.name`; the input is `name_de`.
    let mut v2 = v.clone();
    for e in v2.errors.iter_mut() {
        if let Some(rest) = e.field.strip_prefix("texts.") {
            if let Some((l, n)) = rest.split_once('.') {
                e.field = format!("{n}_{l}");
            }
        }
        if e.field == "loc_postal_code" {
            e.field = "loc_postal".into();
        }
        if e.field == "loc_municipality" {
            e.field = "loc_town".into();
        }
    }
    let v = &v2;
    let topic_opts: Vec<(String, String)> = taxonomy::all()
        .iter()
        .map(|t| {
            (
                t.code.clone(),
                if t.parent.is_some() {
                    format!("– {}", t.name(ctx.locale))
                } else {
                    t.name(ctx.locale).to_string()
                },
            )
        })
        .collect();
    let lang_opts: Vec<(String, String)> = languages::SPOKEN
        .iter()
        .map(|(c, _, _)| (c.to_string(), language_name(ctx, c)))
        .collect();
    let mut area_opts = vec![("region".to_string(), ctx.t("admin-guide-whole-region"))];
    area_opts.extend(towns.0.iter().map(|m| (m.0.clone(), m.1.clone())));
    let group_opts: Vec<(String, String)> = th_directory::GROUPS
        .iter()
        .map(|(k, key)| (k.to_string(), ctx.t(key)))
        .collect();
    let loc_opts: Vec<(String, String)> = locations
        .iter()
        .map(|l| {
            (
                l.id.to_string(),
                format!("{}, {}, {}", l.name, l.street, towns.name(&l.municipality)),
            )
        })
        .collect();
    let loc_checked: Vec<String> = f.location_ids.iter().map(|i| i.to_string()).collect();
    let status_opts: Vec<(String, String)> = [
        ("active", "admin-guide-status-active"),
        ("temporarily closed", "admin-guide-status-closed"),
        ("inactive", "admin-guide-status-inactive"),
        ("defunct", "admin-guide-status-defunct"),
    ]
    .iter()
    .map(|(k, l)| (k.to_string(), ctx.t(l)))
    .collect();
    let mut town_opts = vec![(String::new(), ctx.t("guide-choose"))];
    town_opts.extend(towns.0.iter().map(|m| (m.0.clone(), m.1.clone())));
    html! {
        (forms::error_summary_with(ctx, v, SUMMARY))
        form.th-form method="post" action=(action) novalidate {
            (forms::csrf(ctx))
            h2.kern-heading-medium { (ctx.t("admin-guide-texts-de")) }
            (forms::input(ctx, Field::new("name_de", ctx.t("admin-guide-name"), &de.name).lang(Locale::De), v))
            (textarea(ctx, "description_de", ctx.t("admin-guide-description"), &de.description, v, Some(ctx.t("admin-guide-description-hint")), Some(Locale::De)))
            (forms::input(ctx, Field::new("eligibility_de", ctx.t("admin-guide-eligibility"), &de.eligibility).optional().lang(Locale::De), v))
            (forms::input(ctx, Field::new("fees_de", ctx.t("admin-guide-fees"), &de.fees).optional().lang(Locale::De), v))
            (textarea(ctx, "bring_de", ctx.t("admin-guide-bring"), &de.bring.join("\n"), v, Some(ctx.t("admin-guide-bring-hint")), Some(Locale::De)))
            h2.kern-heading-medium { (ctx.t("admin-guide-translations")) }
            @for l in Locale::ALL.iter().filter(|l| **l != Locale::De) {
                @let t = f.texts.get(l.tag()).cloned().unwrap_or_default();
                details.th-more open[!t.name.is_empty()] {
                    summary { (l.autonym()) }
                    (forms::input(ctx, Field::new(&format!("name_{}", l.tag()), ctx.t("admin-guide-name"), &t.name).optional().lang(*l).id(format!("name_{}", l.tag())), v))
                    (textarea(ctx, &format!("description_{}", l.tag()), ctx.t("admin-guide-description"), &t.description, v, None, Some(*l)))
                    (forms::input(ctx, Field::new(&format!("eligibility_{}", l.tag()), ctx.t("admin-guide-eligibility"), &t.eligibility).optional().lang(*l).id(format!("eligibility_{}", l.tag())), v))
                    (forms::input(ctx, Field::new(&format!("fees_{}", l.tag()), ctx.t("admin-guide-fees"), &t.fees).optional().lang(*l).id(format!("fees_{}", l.tag())), v))
                    (textarea(ctx, &format!("bring_{}", l.tag()), ctx.t("admin-guide-bring"), &t.bring.join("\n"), v, None, Some(*l)))
                }
            }
            h2.kern-heading-medium { (ctx.t("admin-guide-what")) }
            (checkboxes(ctx, "topics", ctx.t("admin-guide-topics"), &topic_opts, &f.topics, v))
            (checkboxes(ctx, "languages", ctx.t("admin-guide-languages"), &lang_opts, &f.languages, v))
            (checkboxes(ctx, "groups", ctx.t("admin-guide-groups"), &group_opts, &f.groups, v))
            (forms::input(ctx, Field::new("age_min", ctx.t("admin-guide-age-min"), &f.age_min).kind("number").optional(), v))
            (forms::input(ctx, Field::new("age_max", ctx.t("admin-guide-age-max"), &f.age_max).kind("number").optional(), v))
            (forms::checkbox(ctx, "free", ctx.t("admin-guide-free"), f.free, v))
            h2.kern-heading-medium { (ctx.t("admin-guide-where-when")) }
            (checkboxes(ctx, "areas", ctx.t("admin-guide-areas"), &area_opts, &f.areas, v))
            (textarea(ctx, "hours", ctx.t("admin-guide-hours"), &f.hours, v, Some(ctx.t("admin-guide-hours-hint")), None))
            (forms::checkbox(ctx, "by_appointment", ctx.t("admin-guide-by-appointment"), f.by_appointment, v))
            @if !loc_opts.is_empty() { (checkboxes(ctx, "location_ids", ctx.t("admin-guide-location"), &loc_opts, &loc_checked, v)) }
            details.th-more open[f.new_location || locations.is_empty()] {
                summary { (ctx.t("admin-guide-new-location")) }
                (forms::checkbox(ctx, "new_location", ctx.t("admin-guide-new-location-use"), f.new_location, v))
                (forms::input(ctx, Field::new("loc_name", ctx.t("admin-guide-loc-name"), &f.loc_name).optional(), v))
                (forms::input(ctx, Field::new("loc_street", ctx.t("admin-guide-loc-street"), &f.loc_street).optional().autocomplete("street-address"), v))
                (forms::input(ctx, Field::new("loc_postal", ctx.t("admin-guide-loc-postal"), &f.loc_postal).optional().autocomplete("postal-code"), v))
                (forms::select(ctx, "loc_town", ctx.t("admin-guide-loc-town"), &town_opts, &f.loc_town, v))
                (forms::input(ctx, Field::new("loc_transport", ctx.t("admin-guide-loc-transport"), &f.loc_transport).optional(), v))
                (forms::input(ctx, Field::new("loc_access", ctx.t("admin-guide-loc-access"), &f.loc_access).optional(), v))
                (forms::checkbox(ctx, "loc_step_free", ctx.t("admin-guide-loc-step-free"), f.loc_step_free, v))
            }
            h2.kern-heading-medium { (ctx.t("admin-guide-contact")) }
            (forms::input(ctx, Field::new("phone", ctx.t("admin-guide-phone"), &f.phone).optional().kind("tel").autocomplete("tel"), v))
            (forms::input(ctx, Field::new("email", ctx.t("field-email"), &f.email).optional().kind("email").id("email".into()), v))
            (forms::input(ctx, Field::new("url", ctx.t("admin-guide-url"), &f.url).optional().kind("url"), v))
            (forms::input(ctx, Field::new("contact", ctx.t("admin-guide-contact-person"), &f.contact).optional(), v))
            (forms::select(ctx, "status", ctx.t("admin-guide-status"), &status_opts, if f.status.is_empty() { "active" } else { &f.status }, v))
            (forms::submit(submit))
        }
    }
}

/// Creates the new location (if any) and returns the input pointing at it.
async fn with_location(
    app: &AppState,
    ctx: &Ctx,
    mut input: ServiceInput,
    loc: Option<LocationInput>,
    towns: &Towns,
) -> Result<ServiceInput, AppError> {
    if let Some(l) = loc {
        let keys = towns.keys();
        let id = th_directory::create_location(
            &app.db,
            ctx.tenant.id,
            &l,
            &Region {
                municipalities: &keys,
            },
            app.now(),
        )
        .await
        .map_err(dir_err)?;
        input.location_ids.push(id);
    }
    Ok(input)
}

// ---------------------------------------------------------------------------------------
// Organisations

fn change_state_key(state: &str) -> &'static str {
    match state {
        "pending" => "guide-change-pending",
        "approved" => "guide-change-approved",
        "rejected" => "guide-change-rejected",
        _ => "guide-change-replaced",
    }
}

pub async fn org_services(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let services = th_directory::load(&app.db, ctx.tenant.id, th_directory::Which::Org(o.id))
        .await
        .map_err(dir_err)?;
    let changes = th_directory::changes(&app.db, ctx.tenant.id, Some(o.id), false)
        .await
        .map_err(dir_err)?;
    let days = th_directory::reverify_days(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let now = app.now();
    let note = q.text(&ctx, &["guide-proposed", "guide-verified-thanks"]);
    let body = html! {
        p { a.kern-link href={ "/organisation/" (o.id) } { (o.name) } }
        h1.kern-heading-x-large { (ctx.t("guide-org-services")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { (ctx.t("guide-org-services-intro")) }
        p { a.kern-link href={ "/organisation/" (o.id) "/angebote/neu" } { (ctx.t("guide-org-new")) } }
        @if services.is_empty() { p { (ctx.t("guide-org-none")) } }
        ul.th-list {
            @for s in &services {
                @let (x, _) = s.text(Locale::De);
                li {
                    a.kern-link href={ "/organisation/" (o.id) "/angebote/" (s.id) } lang="de" { (x.name) }
                    " · " (ctx.ta("guide-verified", &[("date", date(&ctx, s.verified_at).into())]))
                    @if now - s.verified_at > days * 86_400 { " · " strong { (ctx.t("guide-org-due")) } }
                    form.th-inline-form method="post" action={ "/organisation/" (o.id) "/angebote/" (s.id) "/bestaetigen" } {
                        (forms::csrf(&ctx))
                        button.kern-btn.kern-btn--tertiary type="submit" aria-label=(ctx.ta("guide-org-confirm-named", &[("name", x.name.clone().into())])) { span.kern-label { (ctx.t("guide-org-confirm")) } }
                    }
                }
            }
        }
        h2.kern-heading-medium { (ctx.t("guide-org-changes")) }
        @if changes.is_empty() { p { (ctx.t("guide-org-changes-none")) } }
        ul {
            @for c in &changes {
                li {
                    span lang="de" { (c.input.texts.get("de").map(|t| t.name.clone()).unwrap_or_default()) }
                    " · " (date(&ctx, c.created_at)) " · " (ctx.t(change_state_key(&c.state)))
                    @if !c.reason.is_empty() { " · " span lang="de" { (c.reason) } }
                }
            }
        }
    };
    Ok(super::no_store(
        Page::new(ctx.t("guide-org-services"), body).render(&ctx),
    ))
}

async fn org_form_page(
    app: &AppState,
    ctx: &Ctx,
    o: &th_participation::Organisation,
    sid: Option<i64>,
    f: &ServiceForm,
    v: &Validation,
) -> Result<Response, AppError> {
    let towns = Towns::load(app, ctx).await?;
    let locations = th_directory::locations_of_org(&app.db, ctx.tenant.id, o.id)
        .await
        .map_err(dir_err)?;
    let action = match sid {
        Some(s) => format!("/organisation/{}/angebote/{s}", o.id),
        None => format!("/organisation/{}/angebote", o.id),
    };
    let title = if sid.is_some() {
        ctx.t("guide-org-edit")
    } else {
        ctx.t("guide-org-new")
    };
    let body = html! {
        p { a.kern-link href={ "/organisation/" (o.id) "/angebote" } { (ctx.t("guide-org-services")) } }
        h1.kern-heading-x-large { (title) }
        p { (ctx.t("guide-org-review-note")) }
        (service_form(ctx, &action, f, &towns, &locations, v, ctx.t("guide-org-submit")))
    };
    let status = if v.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(super::no_store(
        Page::new(title, body).status(status).render(ctx),
    ))
}

pub async fn org_new(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let f = ServiceForm {
        languages: vec!["de".into()],
        areas: vec![o.municipality.clone()],
        ..Default::default()
    };
    org_form_page(&app, &ctx, &o, None, &f, &Validation::new()).await
}

async fn own_service(app: &AppState, ctx: &Ctx, org: i64, sid: &str) -> Result<Service, AppError> {
    let s = th_directory::get(&app.db, ctx.tenant.id, id_of(sid)?)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    if s.org_id != org {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

pub async fn org_edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, sid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let s = own_service(&app, &ctx, o.id, &sid).await?;
    org_form_page(
        &app,
        &ctx,
        &o,
        Some(s.id),
        &ServiceForm::from_service(&s),
        &Validation::new(),
    )
    .await
}

async fn org_submit(
    app: AppState,
    ctx: Ctx,
    id: String,
    sid: Option<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let existing = match &sid {
        Some(s) => Some(own_service(&app, &ctx, o.id, s).await?.id),
        None => None,
    };
    crate::pages::my_org::contact_limit(&app, ctx.user_id().unwrap_or(0), app.now()).await?;
    let f = ServiceForm::parse(&FormData::parse(&body));
    let towns = Towns::load(&app, &ctx).await?;
    let (input, loc, v) = f.to_input(o.id, &towns);
    // The new location must be one of the organisation's own.
    if !v.is_ok() {
        return org_form_page(&app, &ctx, &o, existing, &f, &v).await;
    }
    let own: Vec<i64> = th_directory::locations_of_org(&app.db, ctx.tenant.id, o.id)
        .await
        .map_err(dir_err)?
        .iter()
        .map(|l| l.id)
        .collect();
    if input.location_ids.iter().any(|l| !own.contains(l)) {
        return Err(AppError::NotFound);
    }
    let input = with_location(&app, &ctx, input, loc, &towns).await?;
    let keys = towns.keys();
    th_directory::propose(
        &app.db,
        ctx.tenant.id,
        existing,
        input,
        &Region {
            municipalities: &keys,
        },
        actor(&app, &ctx),
    )
    .await
    .map_err(dir_err)?;
    Ok(super::noted(
        &format!("/organisation/{}/angebote", o.id),
        "guide-proposed",
        0,
        0,
    ))
}

pub async fn org_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    org_submit(app, ctx, id, None, body).await
}

pub async fn org_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, sid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    org_submit(app, ctx, id, Some(sid), body).await
}

pub async fn org_confirm(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, sid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let o = member_of(&app, &ctx, &id).await?;
    let s = own_service(&app, &ctx, o.id, &sid).await?;
    th_directory::mark_verified(&app.db, ctx.tenant.id, s.id, actor(&app, &ctx))
        .await
        .map_err(dir_err)?;
    reindex(&app, &ctx).await?;
    Ok(super::noted(
        &format!("/organisation/{}/angebote", o.id),
        "guide-verified-thanks",
        0,
        0,
    ))
}

// ---------------------------------------------------------------------------------------
// Coordinators

pub async fn admin_overview(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    let t = ctx.tenant.id;
    let pending = th_directory::changes(&app.db, t, None, true)
        .await
        .map_err(dir_err)?;
    let count = th_directory::count_published(&app.db, t)
        .await
        .map_err(dir_err)?;
    let days = th_directory::reverify_days(&app.db, t)
        .await
        .map_err(dir_err)?;
    let now = app.now();
    let all = th_directory::load(&app.db, t, th_directory::Which::All)
        .await
        .map_err(dir_err)?;
    let due: Vec<&Service> = all
        .iter()
        .filter(|s| s.is_public() && now - s.verified_at > days * 86_400)
        .collect();
    let idx = app.guide.get(&app.db, t).await.map_err(dir_err)?;
    let rev = idx.revision().await;
    let table = recognition::table(&app.db, t).await.map_err(dir_err)?;
    let imported = recognition::imported_at(&app.db, t)
        .await
        .map_err(dir_err)?;
    let unchecked = table.professions.iter().filter(|p| !p.checked).count() as i64;
    let note = q.text(
        &ctx,
        &[
            "admin-guide-approved",
            "admin-guide-rejected",
            "admin-guide-imported",
            "admin-saved",
            "admin-guide-rec-imported",
        ],
    );
    let body = html! {
        p { a.kern-link href="/verwaltung" { (ctx.t("nav-admin")) } }
        h1.kern-heading-x-large { (ctx.t("admin-guide-title")) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { (ctx.ta("admin-guide-summary", &[("count", count.into()), ("pending", (pending.len() as i64).into()), ("due", (due.len() as i64).into())])) }
        p.kern-hint { (ctx.ta("admin-guide-index", &[("rev", rev.into())])) }
        h2.kern-heading-medium #pruefen { (ctx.t("admin-guide-pending")) }
        @if pending.is_empty() { p { (ctx.t("admin-guide-pending-none")) } }
        ul.th-list {
            @for c in &pending {
                li {
                    a.kern-link href={ "/verwaltung/wegweiser/aenderungen/" (c.id) } lang="de" { (c.input.texts.get("de").map(|t| t.name.clone()).unwrap_or_default()) }
                    " · " (if c.service_id.is_some() { ctx.t("admin-guide-change-edit") } else { ctx.t("admin-guide-change-new") })
                    " · " (date(&ctx, c.created_at))
                }
            }
        }
        h2.kern-heading-medium { (ctx.t("admin-guide-due")) }
        p { (ctx.ta("admin-guide-due-intro", &[("days", days.into())])) }
        form.th-form.th-inline method="post" action="/verwaltung/wegweiser/einstellungen" {
            (forms::csrf(&ctx))
            (forms::input(&ctx, Field::new("reverify_days", ctx.t("admin-guide-reverify-days"), &days.to_string()).kind("number"), &Validation::new()))
            (forms::submit(ctx.t("admin-save")))
        }
        @if !due.is_empty() {
            ul { @for s in due.iter().take(50) { li { a.kern-link href={ "/verwaltung/wegweiser/angebote/" (s.id) } lang="de" { (s.text(Locale::De).0.name) } " · " (date(&ctx, s.verified_at)) } } }
            @if due.len() > 50 { p { (ctx.ta("admin-guide-due-more", &[("count", ((due.len() - 50) as i64).into())])) } }
        }
        h2.kern-heading-medium { (ctx.t("admin-guide-hsds")) }
        p { a.kern-link href="/verwaltung/wegweiser/export.json" { (ctx.t("admin-guide-export")) } " · " a.kern-link href="/hsds/" { "HSDS API" } }
        form.th-form method="post" action="/verwaltung/wegweiser/import" enctype="multipart/form-data" {
            (forms::csrf(&ctx))
            div.kern-form-input {
                label.kern-label for="file" { (ctx.t("admin-guide-import-file")) }
                p.kern-hint #file-hint { (ctx.t("admin-guide-import-hint")) }
                input.kern-form-input__input #file type="file" name="file" accept=".json,application/json" aria-describedby="file-hint";
            }
            (forms::submit(ctx.t("admin-guide-import")))
        }
        h2.kern-heading-medium { (ctx.t("admin-guide-recognition")) }
        p { (ctx.ta("admin-guide-rec-summary", &[("version", table.version.clone().into()), ("count", (table.professions.len() as i64).into()), ("unchecked", unchecked.into())])) }
        p { @if let Some(at) = imported { (ctx.ta("admin-guide-rec-imported-at", &[("date", date(&ctx, at).into())])) } @else { (ctx.t("admin-guide-rec-none")) } }
        p { a.kern-link href="/verwaltung/wegweiser/anerkennung.json" { (ctx.t("admin-guide-rec-export")) } }
        form.th-form method="post" action="/verwaltung/wegweiser/anerkennung" enctype="multipart/form-data" {
            (forms::csrf(&ctx))
            div.kern-form-input {
                label.kern-label for="rec-file" { (ctx.t("admin-guide-rec-file")) }
                input.kern-form-input__input #rec-file type="file" name="file" accept=".json,application/json";
            }
            (forms::submit(ctx.t("admin-guide-import")))
        }
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-guide-title"), body).render(&ctx),
    ))
}

pub async fn admin_settings(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormData::parse(&body);
    let days: i64 = f.get("reverify_days").trim().parse().unwrap_or(0);
    th_directory::set_reverify_days(&app.db, ctx.tenant.id, days)
        .await
        .map_err(dir_err)?;
    app.audit(&ctx, "guide_reverify_days", "directory", days, "")
        .await?;
    Ok(super::noted("/verwaltung/wegweiser", "admin-saved", 0, 0))
}

fn diff_row(ctx: &Ctx, label: &str, old: String, new: String) -> Markup {
    html! {
        tr.kern-table__row class=[(old != new).then_some("th-changed")] {
            th.kern-table__header scope="row" { (ctx.t(label)) @if old != new { " " span.th-badge { (ctx.t("admin-guide-changed")) } } }
            td.kern-table__cell lang="de" { (old) }
            td.kern-table__cell lang="de" { (new) }
        }
    }
}

fn summary_of(ctx: &Ctx, i: &ServiceInput) -> Vec<(&'static str, String)> {
    let de = i.texts.get("de").cloned().unwrap_or_default();
    vec![
        ("admin-guide-name", de.name),
        ("admin-guide-description", de.description),
        ("admin-guide-eligibility", de.eligibility),
        (
            "admin-guide-fees",
            if i.free {
                ctx.t("guide-free-of-charge")
            } else {
                de.fees
            },
        ),
        ("admin-guide-bring", de.bring.join("; ")),
        (
            "admin-guide-translations",
            i.texts
                .keys()
                .filter(|k| *k != "de")
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("admin-guide-topics", i.topics.join(", ")),
        ("admin-guide-languages", i.languages.join(", ")),
        ("admin-guide-areas", i.areas.join(", ")),
        (
            "admin-guide-hours",
            th_directory::format_hours(&i.schedules)
                .trim()
                .replace('\n', "; "),
        ),
        ("admin-guide-phone", i.phone.clone()),
        ("field-email", i.email.clone()),
        ("admin-guide-url", i.url.clone()),
        ("admin-guide-status", i.status.clone()),
        (
            "admin-guide-location",
            i.location_ids
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

pub async fn admin_change(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = th_directory::change(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    change_page(&app, &ctx, &c, &Validation::new(), "").await
}

async fn change_page(
    app: &AppState,
    ctx: &Ctx,
    c: &th_directory::Change,
    v: &Validation,
    reason: &str,
) -> Result<Response, AppError> {
    let current = match c.service_id {
        Some(s) => th_directory::get(&app.db, ctx.tenant.id, s)
            .await
            .map_err(dir_err)?,
        None => None,
    };
    let org = th_participation::get(&app.db, ctx.tenant.id, c.org_id)
        .await
        .map_err(part_err)?
        .map(|o| o.name)
        .unwrap_or_default();
    let new = summary_of(ctx, &c.input);
    let old = current
        .as_ref()
        .map(|s| summary_of(ctx, &s.input()))
        .unwrap_or_default();
    let body = html! {
        p { a.kern-link href="/verwaltung/wegweiser" { (ctx.t("admin-guide-title")) } }
        h1.kern-heading-x-large { (ctx.t("admin-guide-review")) }
        p { (ctx.ta("admin-guide-review-from", &[("org", org.into()), ("date", date(ctx, c.created_at).into())])) " · " (ctx.t(change_state_key(&c.state))) }
        (crate::layout::scroll(html! {
            table.kern-table #vergleich {
                caption { (ctx.t("admin-guide-review-compare")) }
                thead.kern-table__head { tr.kern-table__row { th.kern-table__header scope="col" { (ctx.t("admin-guide-field")) } th.kern-table__header scope="col" { (ctx.t("admin-guide-now")) } th.kern-table__header scope="col" { (ctx.t("admin-guide-proposed")) } } }
                tbody.kern-table__body {
                    @for (i, (label, value)) in new.iter().enumerate() {
                        (diff_row(ctx, label, old.get(i).map(|o| o.1.clone()).unwrap_or_default(), value.clone()))
                    }
                }
            }
        }))
        @if c.state == "pending" {
            form.th-form method="post" action={ "/verwaltung/wegweiser/aenderungen/" (c.id) "/freigeben" } {
                (forms::csrf(ctx))
                (forms::submit(ctx.t("admin-guide-approve")))
            }
            (forms::error_summary(ctx, v))
            form.th-form method="post" action={ "/verwaltung/wegweiser/aenderungen/" (c.id) "/ablehnen" } novalidate {
                (forms::csrf(ctx))
                (textarea(ctx, "reason", ctx.t("admin-guide-reject-reason"), reason, v, Some(ctx.t("admin-guide-reject-hint")), None))
                button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("admin-guide-reject")) } }
            }
        }
    };
    let status = if v.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-guide-review"), body)
            .status(status)
            .render(ctx),
    ))
}

pub async fn admin_approve(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let towns = Towns::load(&app, &ctx).await?;
    let keys = towns.keys();
    th_directory::approve(
        &app.db,
        ctx.tenant.id,
        id_of(&id)?,
        &Region {
            municipalities: &keys,
        },
        actor(&app, &ctx),
    )
    .await
    .map_err(dir_err)?;
    reindex(&app, &ctx).await?;
    Ok(super::noted(
        "/verwaltung/wegweiser",
        "admin-guide-approved",
        0,
        0,
    ))
}

pub async fn admin_reject(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormData::parse(&body);
    let cid = id_of(&id)?;
    match th_directory::reject(
        &app.db,
        ctx.tenant.id,
        cid,
        f.get("reason"),
        actor(&app, &ctx),
    )
    .await
    {
        Ok(()) => Ok(super::noted(
            "/verwaltung/wegweiser",
            "admin-guide-rejected",
            0,
            0,
        )),
        Err(th_directory::DirError::Invalid(errs)) => {
            let c = th_directory::change(&app.db, ctx.tenant.id, cid)
                .await
                .map_err(dir_err)?
                .ok_or(AppError::NotFound)?;
            change_page(
                &app,
                &ctx,
                &c,
                &Validation { errors: errs },
                f.get("reason"),
            )
            .await
        }
        Err(e) => Err(dir_err(e)),
    }
}

async fn admin_form_page(
    app: &AppState,
    ctx: &Ctx,
    s: &Service,
    f: &ServiceForm,
    v: &Validation,
) -> Result<Response, AppError> {
    let towns = Towns::load(app, ctx).await?;
    let locations = th_directory::locations_of_org(&app.db, ctx.tenant.id, s.org_id)
        .await
        .map_err(dir_err)?;
    let body = html! {
        p { a.kern-link href="/verwaltung/wegweiser" { (ctx.t("admin-guide-title")) } " · " a.kern-link href={ "/wegweiser/angebot/" (s.id) } { (ctx.t("admin-guide-public-page")) } }
        h1.kern-heading-x-large lang="de" { (s.text(Locale::De).0.name) }
        p { (ctx.ta("guide-verified", &[("date", date(ctx, s.verified_at).into())])) }
        (service_form(ctx, &format!("/verwaltung/wegweiser/angebote/{}", s.id), f, &towns, &locations, v, ctx.t("admin-save")))
    };
    let status = if v.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(super::no_store(
        Page::new(ctx.t("admin-guide-title"), body)
            .status(status)
            .render(ctx),
    ))
}

pub async fn admin_service(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<super::NoteQuery>,
) -> Result<Response, AppError> {
    let s = th_directory::get(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    let mut res = admin_form_page(
        &app,
        &ctx,
        &s,
        &ServiceForm::from_service(&s),
        &Validation::new(),
    )
    .await?;
    let _ = q.text(&ctx, &["admin-saved"]);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub async fn admin_service_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let s = th_directory::get(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    let f = ServiceForm::parse(&FormData::parse(&body));
    let towns = Towns::load(&app, &ctx).await?;
    let (input, loc, v) = f.to_input(s.org_id, &towns);
    if !v.is_ok() {
        return admin_form_page(&app, &ctx, &s, &f, &v).await;
    }
    let input = with_location(&app, &ctx, input, loc, &towns).await?;
    let keys = towns.keys();
    th_directory::update(
        &app.db,
        ctx.tenant.id,
        s.id,
        input,
        &Region {
            municipalities: &keys,
        },
        actor(&app, &ctx),
    )
    .await
    .map_err(dir_err)?;
    reindex(&app, &ctx).await?;
    Ok(super::noted("/verwaltung/wegweiser", "admin-saved", 0, 0))
}

/// All published services as one HSDS JSON document (German texts).
pub async fn admin_export(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let t = ctx.tenant.id;
    let all = th_directory::load(&app.db, t, th_directory::Which::All)
        .await
        .map_err(dir_err)?;
    let mut orgs: Vec<hsds::Org> = Vec::new();
    let mut out = Vec::new();
    for s in all.iter().filter(|s| s.is_public()) {
        if !orgs.iter().any(|o| o.id == s.org_id) {
            if let Some(o) = th_participation::get(&app.db, t, s.org_id)
                .await
                .map_err(part_err)?
            {
                orgs.push(hsds::Org {
                    id: o.id,
                    name: o.name,
                    description: o.notes,
                });
            }
        }
        out.push(hsds::service(
            t,
            s,
            orgs.iter().find(|o| o.id == s.org_id),
            Locale::De,
        ));
    }
    let mut res = serde_json::to_string_pretty(&out)
        .unwrap_or_default()
        .into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"wegweiser-hsds.json\""),
    );
    Ok(res)
}

/// The file of a multipart upload (field `file`), as text.
pub(crate) async fn upload_text(mut mp: axum::extract::Multipart) -> Result<String, AppError> {
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        if field.name() == Some("file") {
            let data = field
                .bytes()
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
            if data.is_empty() {
                break;
            }
            return String::from_utf8(data.to_vec())
                .map_err(|_| AppError::BadRequest("the file is not UTF-8 text".into()));
        }
    }
    Err(AppError::Validation(vec![th_core::FieldError {
        field: "file".into(),
        code: "required".into(),
    }]))
}

fn import_errors_page(ctx: &Ctx, errs: &[recognition::ImportError]) -> Response {
    let body = html! {
        p { a.kern-link href="/verwaltung/wegweiser" { (ctx.t("admin-guide-title")) } }
        h1.kern-heading-x-large { (ctx.t("admin-guide-import-failed")) }
        p { (ctx.ta("admin-guide-import-failed-intro", &[("count", (errs.len() as i64).into())])) }
        ul { @for e in errs.iter().take(200) { li { bdi { (e.place) } ": " (ctx.t(crate::error::field_error_key(&e.code))) } } }
    };
    Page::new(ctx.t("admin-guide-import-failed"), body)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(ctx)
}

/// Imports services from HSDS JSON: every entry is checked first; nothing is written unless
/// all are right.
pub(crate) async fn import_hsds(
    app: &AppState,
    ctx: &Ctx,
    text: &str,
) -> Result<Result<usize, Vec<recognition::ImportError>>, AppError> {
    let t = ctx.tenant.id;
    let towns = Towns::load(app, ctx).await?;
    let keys = towns.keys();
    let region = Region {
        municipalities: &keys,
    };
    let (registry, _) = th_participation::list(&app.db, t, &Default::default(), 0, 1_000_000)
        .await
        .map_err(part_err)?;
    let orgs: Vec<hsds::Org> = registry
        .into_iter()
        .map(|o| hsds::Org {
            id: o.id,
            name: o.name,
            description: o.notes,
        })
        .collect();
    let items = match hsds::parse_import(t, text, &orgs, &region, Locale::De) {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    let a = actor(app, ctx);
    let mut tx = app.db.begin().await?;
    for it in &items {
        let mut input = it.input.clone();
        for l in &it.locations {
            input.location_ids.push(
                th_directory::insert_location(&mut tx, t, l, a.now)
                    .await
                    .map_err(dir_err)?,
            );
        }
        match it.existing {
            Some(id)
                if th_directory::get(&app.db, t, id)
                    .await
                    .map_err(dir_err)?
                    .is_some() =>
            {
                th_directory::replace(&app.db, &mut tx, t, id, &input, a)
                    .await
                    .map_err(dir_err)?;
            }
            _ => {
                th_directory::insert(
                    &app.db,
                    &mut tx,
                    t,
                    &input,
                    th_directory::Review::Published,
                    &th_directory::WriteOpts {
                        key: Some(it.key.clone()),
                        ..Default::default()
                    },
                    a,
                )
                .await
                .map_err(dir_err)?;
            }
        }
    }
    tx.commit().await?;
    reindex(app, ctx).await?;
    Ok(Ok(items.len()))
}

pub async fn admin_import(
    State(app): State<AppState>,
    ctx: Ctx,
    req: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let text = upload_text(req).await?;
    match import_hsds(&app, &ctx, &text).await? {
        Ok(n) => {
            app.audit(&ctx, "guide_import", "directory", n as i64, "")
                .await?;
            Ok(super::noted(
                "/verwaltung/wegweiser",
                "admin-guide-imported",
                n as i64,
                0,
            ))
        }
        Err(errs) => Ok(import_errors_page(&ctx, &errs)),
    }
}

pub async fn admin_rec_export(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let table = recognition::table(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let mut res = serde_json::to_string_pretty(&table)
        .unwrap_or_default()
        .into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"anerkennung.json\""),
    );
    Ok(res)
}

pub async fn admin_rec_import(
    State(app): State<AppState>,
    ctx: Ctx,
    req: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let text = upload_text(req).await?;
    match recognition::import(&app.db, ctx.tenant.id, &text, ctx.user_id(), app.now()).await {
        Ok(t) => Ok(super::noted(
            "/verwaltung/wegweiser",
            "admin-guide-rec-imported",
            t.professions.len() as i64,
            0,
        )),
        Err(recognition::ImportOutcome::Invalid(errs)) => Ok(import_errors_page(&ctx, &errs)),
        Err(recognition::ImportOutcome::Failed(e)) => Err(dir_err(e)),
    }
}
