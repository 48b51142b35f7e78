//! The Wegweiser, the public guide: search with filters, result and service pages made for a
//! phone and a slow connection (languages spoken up front, opening hours, how to get there,
//! what to bring), a printable one-page sheet, the recognition guide and the next steps after
//! the integration course. Works without scripts; a service worker (an enhancement) keeps the
//! visited pages for offline use.

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::{date, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use th_core::Locale;
use th_directory::search::{Hits, SearchQuery};
use th_directory::{languages, nextsteps, recognition, taxonomy, Service};

pub(crate) fn dir_err(e: th_directory::DirError) -> AppError {
    match e {
        th_directory::DirError::NotFound => AppError::NotFound,
        th_directory::DirError::Invalid(errs) => AppError::Validation(errs),
        th_directory::DirError::Storage(s) => AppError::Internal(s.to_string()),
        th_directory::DirError::Index(s) => AppError::Internal(s),
    }
}

fn dir_of(l: Locale) -> &'static str {
    if l.is_rtl() {
        "rtl"
    } else {
        "ltr"
    }
}

/// A language's name in the interface language, with its own name when that differs.
pub(crate) fn language_name(ctx: &Ctx, code: &str) -> String {
    let name = languages::label_key(code)
        .map(|k| ctx.t(k))
        .unwrap_or_else(|| code.to_string());
    match languages::endonym(code) {
        Some(e) if e != name => format!("{name} ({e})"),
        _ => name,
    }
}

fn weekday_name(ctx: &Ctx, d: u8) -> String {
    const KEYS: [&str; 7] = [
        "weekday-1",
        "weekday-2",
        "weekday-3",
        "weekday-4",
        "weekday-5",
        "weekday-6",
        "weekday-7",
    ];
    ctx.t(KEYS[(d.clamp(1, 7) - 1) as usize])
}

/// The local weekday (1–7) and minute of a moment.
pub(crate) fn local_now(ts: i64) -> (u8, u16) {
    let p = th_core::localtime::local(ts);
    (
        p.weekday().number_from_monday(),
        (p.hour() as u16) * 60 + p.minute() as u16,
    )
}

pub(crate) struct Towns(pub Vec<(String, String, f64, f64)>);

impl Towns {
    pub async fn load(app: &AppState, ctx: &Ctx) -> Result<Towns, AppError> {
        Ok(Towns(
            app.db
                .municipalities(ctx.tenant.id)
                .await?
                .into_iter()
                .map(|m| (m.key, m.name, m.lat, m.lon))
                .collect(),
        ))
    }
    pub fn name<'a>(&'a self, key: &'a str) -> &'a str {
        self.0
            .iter()
            .find(|m| m.0 == key)
            .map(|m| m.1.as_str())
            .unwrap_or(key)
    }
    pub fn keys(&self) -> Vec<String> {
        self.0.iter().map(|m| m.0.clone()).collect()
    }
    /// The municipality and those within 12 km of it.
    pub fn nearby(&self, key: &str) -> Vec<String> {
        let all: Vec<(String, f64, f64)> = self.0.iter().map(|m| (m.0.clone(), m.2, m.3)).collect();
        th_directory::nearby(&all, key, 12.0)
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}

/// The search form's parameters, in the address bar (German names, like the rest of the site).
#[derive(serde::Deserialize, Default, Clone, Debug)]
pub struct GuideQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub thema: String,
    #[serde(default)]
    pub ort: String,
    #[serde(default)]
    pub umgebung: Option<String>,
    #[serde(default)]
    pub sprache: String,
    #[serde(default)]
    pub gruppe: String,
    #[serde(default)]
    pub alter: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub kostenlos: Option<String>,
    #[serde(default)]
    pub stufenlos: Option<String>,
    #[serde(default)]
    pub jetzt: Option<String>,
    #[serde(default)]
    pub seite: Option<i64>,
}

pub const PER_PAGE: usize = 10;

impl GuideQuery {
    /// The index query; unknown filter values are ignored rather than refused (a link may be
    /// old), the text is taken as it is.
    pub fn to_search(&self, towns: &Towns, locale: Locale, now: i64) -> SearchQuery {
        let ort = towns
            .0
            .iter()
            .any(|m| m.0 == self.ort)
            .then(|| self.ort.clone());
        let ort_is_none = ort.is_none();
        let areas = match &ort {
            Some(o) if self.umgebung.is_some() => towns.nearby(o),
            Some(o) => vec![o.clone()],
            None => Vec::new(),
        };
        SearchQuery {
            text: self.q.clone(),
            locale: Some(locale),
            languages: languages::check(&self.sprache)
                .map(|c| vec![c.to_string()])
                .unwrap_or_default(),
            topic: taxonomy::get(&self.thema).map(|t| t.code.clone()),
            prefer_area: ort.filter(|_| areas.len() > 1),
            areas,
            group: th_directory::group_label_key(&self.gruppe).map(|_| self.gruppe.clone()),
            free: self.kostenlos.is_some(),
            step_free: self.stufenlos.is_some(),
            open_at: self.jetzt.is_some().then(|| local_now(now)),
            open_on: self.tag.parse::<u8>().ok().filter(|d| (1..=7).contains(d)),
            age: self
                .alter
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|a| (0..=120).contains(a)),
            offset: (self.seite.unwrap_or(1).clamp(1, 1000) as usize - 1) * PER_PAGE,
            limit: PER_PAGE,
            collapse: ort_is_none,
            hint: None,
        }
    }

    fn link(&self, page: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", self.q.as_str()),
            ("thema", &self.thema),
            ("ort", &self.ort),
            ("sprache", &self.sprache),
            ("gruppe", &self.gruppe),
            ("alter", &self.alter),
            ("tag", &self.tag),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        for (k, on) in [
            ("umgebung", self.umgebung.is_some()),
            ("kostenlos", self.kostenlos.is_some()),
            ("stufenlos", self.stufenlos.is_some()),
            ("jetzt", self.jetzt.is_some()),
        ] {
            if on {
                s.append_pair(k, "1");
            }
        }
        if page > 1 {
            s.append_pair("seite", &page.to_string());
        }
        format!("/wegweiser/suche?{}", s.finish())
    }
}

/// Searches the tenant's index and loads the services found, in rank order.
pub(crate) async fn run_search(
    app: &AppState,
    ctx: &Ctx,
    q: &SearchQuery,
) -> Result<(Hits, Vec<Service>), AppError> {
    let idx = app
        .guide
        .get(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let hits = idx.search(q).map_err(dir_err)?;
    let mut services = Vec::with_capacity(hits.ids.len());
    for id in &hits.ids {
        if let Some(s) = th_directory::get(&app.db, ctx.tenant.id, *id)
            .await
            .map_err(dir_err)?
        {
            if s.is_public() {
                services.push(s);
            }
        }
    }
    Ok((hits, services))
}

/// How many other places offer the service found at position `i` (collapsed searches).
fn elsewhere(hits: &Hits, i: usize) -> usize {
    hits.elsewhere.get(i).copied().unwrap_or(0)
}

fn topic_options(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), ctx.t("guide-any-topic"))];
    for root in taxonomy::roots() {
        v.push((root.code.clone(), root.name(ctx.locale).to_string()));
        for c in taxonomy::children(&root.code) {
            v.push((c.code.clone(), format!("– {}", c.name(ctx.locale))));
        }
    }
    v
}

fn language_options(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), ctx.t("guide-any-language"))];
    let mut rest: Vec<(String, String)> = languages::SPOKEN
        .iter()
        .map(|(c, _, _)| (c.to_string(), language_name(ctx, c)))
        .collect();
    rest.sort_by_key(|a| a.1.to_lowercase());
    v.extend(rest);
    v
}

fn town_options(ctx: &Ctx, towns: &Towns) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), ctx.t("guide-any-place"))];
    v.extend(towns.0.iter().map(|m| (m.0.clone(), m.1.clone())));
    v
}

fn group_options(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), ctx.t("guide-any-group"))];
    v.extend(
        th_directory::GROUPS
            .iter()
            .filter(|g| g.0 != "all")
            .map(|(k, key)| (k.to_string(), ctx.t(key))),
    );
    v
}

fn day_options(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), ctx.t("guide-any-day"))];
    v.extend((1..=7u8).map(|d| (d.to_string(), weekday_name(ctx, d))));
    v
}

fn plain_select(name: &str, label: String, options: &[(String, String)], selected: &str) -> Markup {
    html! {
        div.kern-form-input {
            label.kern-label for=(name) { (label) }
            div.kern-form-input__select-wrapper {
                select.kern-form-input__select #(name) name=(name) {
                    @for (val, text) in options { option value=(val) selected[val == selected] { (text) } }
                }
            }
        }
    }
}

fn plain_check(name: &str, label: String, checked: bool) -> Markup {
    html! {
        div.kern-form-check {
            input.kern-form-check__input #(name) type="checkbox" name=(name) value="1" checked[checked];
            label.kern-label for=(name) { (label) }
        }
    }
}

fn search_form(ctx: &Ctx, towns: &Towns, q: &GuideQuery, open: bool) -> Markup {
    html! {
        form.th-form.th-guide-search method="get" action="/wegweiser/suche" role="search" aria-label=(ctx.t("guide-search-label")) {
            div.kern-form-input {
                label.kern-label for="q" { (ctx.t("guide-search-label")) }
                p.kern-hint #q-hint { (ctx.t("guide-search-hint")) }
                input.kern-form-input__input #q type="search" name="q" value=(q.q) maxlength="200" aria-describedby="q-hint" autocomplete="off";
            }
            (plain_select("ort", ctx.t("guide-place"), &town_options(ctx, towns), &q.ort))
            (plain_check("umgebung", ctx.t("guide-nearby"), q.umgebung.is_some()))
            (plain_select("sprache", ctx.t("guide-language"), &language_options(ctx), &q.sprache))
            details.th-more open[open] {
                summary { (ctx.t("guide-more-filters")) }
                (plain_select("thema", ctx.t("guide-topic"), &topic_options(ctx), &q.thema))
                (plain_select("gruppe", ctx.t("guide-group"), &group_options(ctx), &q.gruppe))
                div.kern-form-input {
                    label.kern-label for="alter" { (ctx.t("guide-age")) }
                    input.kern-form-input__input.th-narrow #alter type="number" name="alter" min="0" max="120" inputmode="numeric" value=(q.alter);
                }
                (plain_select("tag", ctx.t("guide-open-on"), &day_options(ctx), &q.tag))
                fieldset.kern-fieldset {
                    legend.kern-label { (ctx.t("guide-only")) }
                    (plain_check("kostenlos", ctx.t("guide-free"), q.kostenlos.is_some()))
                    (plain_check("stufenlos", ctx.t("guide-step-free"), q.stufenlos.is_some()))
                    (plain_check("jetzt", ctx.t("guide-open-now"), q.jetzt.is_some()))
                }
            }
            button.kern-btn.kern-btn--primary type="submit" { span.kern-label { (ctx.t("guide-search")) } }
        }
    }
}

fn guide_nav(ctx: &Ctx) -> Markup {
    html! {
        nav aria-label=(ctx.t("guide-title")) {
            ul.th-actions {
                li { a.kern-link href="/wegweiser" { (ctx.t("guide-title")) } }
                li { a.kern-link href="/wegweiser/anerkennung" { (ctx.t("guide-recognition-title")) } }
                li { a.kern-link href="/wegweiser/nach-dem-kurs" { (ctx.t("guide-next-title")) } }
            }
        }
    }
}

pub async fn start(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let towns = Towns::load(&app, &ctx).await?;
    let count = th_directory::count_published(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("guide-title")) }
        p.th-lead { (ctx.ta("guide-intro", &[("count", count.into())])) }
        (search_form(&ctx, &towns, &GuideQuery::default(), false))
        h2.kern-heading-medium { (ctx.t("guide-guides")) }
        ul.th-tiles {
            li { a.kern-link href="/wegweiser/anerkennung" { (ctx.t("guide-recognition-title")) } br; (ctx.t("guide-recognition-teaser")) }
            li { a.kern-link href="/wegweiser/nach-dem-kurs" { (ctx.t("guide-next-title")) } br; (ctx.t("guide-next-teaser")) }
        }
        h2.kern-heading-medium { (ctx.t("guide-topics")) }
        ul.th-tiles {
            @for t in taxonomy::roots() {
                li { a.kern-link href={ "/wegweiser/suche?thema=" (t.code) } { (t.name(ctx.locale)) } }
            }
        }
        p.th-offline-hint { (ctx.t("guide-offline-hint")) }
    };
    Ok(Page::new(ctx.t("guide-title"), body).render(&ctx))
}

/// Today's hours of a service, or that it is closed today.
fn today_line(ctx: &Ctx, s: &Service, now: i64) -> String {
    let (day, minute) = local_now(now);
    let today: Vec<String> = s
        .schedules
        .iter()
        .filter(|h| h.weekday == day)
        .map(|h| format!("{}–{}", h.opens_hhmm(), h.closes_hhmm()))
        .collect();
    if today.is_empty() {
        ctx.t("guide-closed-today")
    } else if th_directory::is_open(&s.schedules, day, minute) {
        ctx.ta(
            "guide-open-now-until",
            &[("hours", today.join(", ").into())],
        )
    } else {
        ctx.ta("guide-today", &[("hours", today.join(", ").into())])
    }
}

fn languages_line(ctx: &Ctx, s: &Service) -> Markup {
    html! {
        ul.th-langs-spoken aria-label=(ctx.t("guide-languages-spoken")) {
            @for c in &s.languages {
                li lang=(c) { (languages::endonym(c).unwrap_or(c)) }
            }
        }
    }
}

fn result_item(ctx: &Ctx, s: &Service, towns: &Towns, now: i64) -> Markup {
    result_item_with(ctx, s, towns, now, 0)
}

/// A result under a step's heading (next steps): one heading level lower.
fn sub_result_item(ctx: &Ctx, s: &Service, towns: &Towns, now: i64) -> Markup {
    let inner = result_item_with(ctx, s, towns, now, 0).into_string();
    maud::PreEscaped(
        inner
            .replacen("<h3 ", "<h4 ", 1)
            .replacen("</h3>", "</h4>", 1),
    )
}

fn result_item_with(ctx: &Ctx, s: &Service, towns: &Towns, now: i64, others: usize) -> Markup {
    let (x, really) = s.text(ctx.locale);
    let l = if really { ctx.locale } else { Locale::De };
    let loc = s.locations.first();
    html! {
        li.th-result {
            h3.kern-heading-small {
                a.kern-link href={ "/wegweiser/angebot/" (s.id) } lang=(l.html_lang()) dir=(dir_of(l)) { (x.name) }
            }
            (languages_line(ctx, s))
            p {
                @if let Some(loc) = loc { bdi { (loc.street) ", " (towns.name(&loc.municipality)) } " · " }
                (today_line(ctx, s, now))
            }
            p.th-badges {
                @if s.free { span.th-badge { (ctx.t("guide-free-badge")) } }
                @if s.step_free() { span.th-badge { (ctx.t("guide-step-free-badge")) } }
                @if s.by_appointment { span.th-badge { (ctx.t("guide-appointment-badge")) } }
            }
            @if others > 0 {
                p { a.kern-link href={ "/wegweiser/suche?q=" (form_urlencoded::byte_serialize(s.text(Locale::De).0.name.as_bytes()).collect::<String>()) } {
                    (ctx.ta("guide-elsewhere", &[("count", (others as i64).into())]))
                } }
            }
        }
    }
}

pub async fn search(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<GuideQuery>,
) -> Result<Response, AppError> {
    let towns = Towns::load(&app, &ctx).await?;
    let now = app.now();
    let sq = q.to_search(&towns, ctx.locale, now);
    let (hits, services) = run_search(&app, &ctx, &sq).await?;
    let page = q.seite.unwrap_or(1).clamp(1, 1000);
    let pages = (hits.total as i64 + PER_PAGE as i64 - 1) / PER_PAGE as i64;
    let filtered = sq.topic.is_some()
        || sq.group.is_some()
        || sq.age.is_some()
        || sq.open_on.is_some()
        || sq.free
        || sq.step_free
        || sq.open_at.is_some();
    let body = html! {
        (guide_nav(&ctx))
        h1.kern-heading-x-large { (ctx.t("guide-results-title")) }
        (search_form(&ctx, &towns, &q, filtered))
        h2.kern-heading-medium #treffer aria-live="polite" { (ctx.ta("guide-results-count", &[("count", (hits.total as i64).into())])) }
        @if services.is_empty() {
            p { (ctx.t("guide-no-results")) }
        } @else {
            ol.th-results aria-labelledby="treffer" { @for (i, s) in services.iter().enumerate() { (result_item_with(&ctx, s, &towns, now, elsewhere(&hits, i))) } }
        }
        (crate::layout::pager(&ctx, page, pages, |p| q.link(p)))
    };
    Ok(Page::new(ctx.t("guide-results-title"), body).render(&ctx))
}

pub(crate) async fn load_public(app: &AppState, ctx: &Ctx, id: &str) -> Result<Service, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let s = th_directory::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(dir_err)?
        .ok_or(AppError::NotFound)?;
    let may_see_pending = matches!(
        ctx.role(),
        th_core::Role::Coordinator | th_core::Role::Admin
    );
    if !s.is_public() && !may_see_pending {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

fn hours_table(ctx: &Ctx, s: &Service) -> Markup {
    html! {
        @if s.schedules.is_empty() {
            p { (ctx.t("guide-hours-none")) }
        } @else {
            table.kern-table.th-hours {
                caption.th-sr-only { (ctx.t("guide-hours")) }
                tbody.kern-table__body {
                    @for d in 1..=7u8 {
                        @let spans: Vec<String> = s.schedules.iter().filter(|h| h.weekday == d).map(|h| format!("{}–{}", h.opens_hhmm(), h.closes_hhmm())).collect();
                        @if !spans.is_empty() {
                            tr.kern-table__row {
                                th.kern-table__header scope="row" { (weekday_name(ctx, d)) }
                                td.kern-table__cell { bdi { (spans.join(", ")) } }
                            }
                        }
                    }
                }
            }
        }
        @if s.by_appointment { p { (ctx.t("guide-by-appointment")) } }
    }
}

fn service_body(ctx: &Ctx, s: &Service, org_name: &str, towns: &Towns, sheet: bool) -> Markup {
    let (x, really) = s.text(ctx.locale);
    let l = if really { ctx.locale } else { Locale::De };
    let h = if sheet {
        "kern-heading-large"
    } else {
        "kern-heading-x-large"
    };
    html! {
        h1 class=(h) lang=(l.html_lang()) dir=(dir_of(l)) { (x.name) }
        @if !really { p.th-fallback { (ctx.t("fallback-german")) } }
        @if s.fictitious { p.th-demo-note { (ctx.t("guide-fictitious")) } }
        @if s.status != "active" { p.kern-alert { (ctx.t("guide-not-active")) } }
        h2.kern-heading-small { (ctx.t("guide-languages-spoken")) }
        (languages_line(ctx, s))
        p.th-langs-names { @for (i, c) in s.languages.iter().enumerate() { @if i > 0 { ", " } (language_name(ctx, c)) } }
        @if !x.description.is_empty() { div lang=(l.html_lang()) dir=(dir_of(l)) { (crate::layout::paragraphs(&x.description)) } }
        dl.th-facts {
            dt { (ctx.t("guide-costs")) }
            dd { @if s.free { (ctx.t("guide-free-of-charge")) } @else if x.fees.is_empty() { (ctx.t("guide-costs-ask")) } @else { span lang=(l.html_lang()) { (x.fees) } } }
            @if !x.eligibility.is_empty() { dt { (ctx.t("guide-who")) } dd lang=(l.html_lang()) { (x.eligibility) } }
            @if s.age_min.is_some() || s.age_max.is_some() {
                dt { (ctx.t("guide-age")) }
                dd { (ctx.ta("guide-age-range", &[("from", s.age_min.unwrap_or(0).into()), ("to", s.age_max.unwrap_or(99).into())])) }
            }
            @if !org_name.is_empty() { dt { (ctx.t("guide-provider")) } dd lang="de" dir="ltr" { (org_name) } }
        }
        h2.kern-heading-medium { (ctx.t("guide-hours")) }
        (hours_table(ctx, s))
        @for loc in &s.locations {
            h2.kern-heading-medium { (ctx.t("guide-where")) }
            address.th-address lang="de" dir="ltr" { (loc.name) br; (loc.street) br; (loc.postal_code) " " (towns.name(&loc.municipality)) }
            @if !loc.transport.is_empty() { p { strong { (ctx.t("guide-how-to-get-there")) } " " span lang="de" dir="ltr" { (loc.transport) } } }
            p { strong { (ctx.t("guide-access")) } " " (if loc.step_free { ctx.t("guide-step-free-yes") } else { ctx.t("guide-step-free-no") })
                @if !loc.accessibility.is_empty() { " " span lang="de" dir="ltr" { "(" (loc.accessibility) ")" } } }
            @if !sheet {
                p { a.kern-link href={ "https://www.openstreetmap.org/?mlat=" (loc.lat) "&mlon=" (loc.lon) "#map=17/" (loc.lat) "/" (loc.lon) } rel="noopener" { (ctx.t("guide-map-link")) } }
            }
        }
        @if !x.bring.is_empty() {
            h2.kern-heading-medium { (ctx.t("guide-bring")) }
            ul lang=(l.html_lang()) dir=(dir_of(l)) { @for b in &x.bring { li { (b) } } }
        }
        @if !s.phone.is_empty() || !s.email.is_empty() || !s.url.is_empty() || !s.contact.is_empty() {
            h2.kern-heading-medium { (ctx.t("guide-contact")) }
            ul.th-plain {
                @if !s.contact.is_empty() { li lang="de" dir="ltr" { (s.contact) } }
                @if !s.phone.is_empty() { li { (ctx.t("guide-phone")) " " a.kern-link href={ "tel:" (s.phone.replace(' ', "")) } { bdi { (s.phone) } } } }
                @if !s.email.is_empty() { li { (ctx.t("guide-email")) " " a.kern-link href={ "mailto:" (s.email) } { bdi { (s.email) } } } }
                @if !s.url.is_empty() { li { a.kern-link href=(s.url) rel="noopener" { bdi { (s.url) } } } }
            }
        }
        p.th-verified { (ctx.ta("guide-verified", &[("date", date(ctx, s.verified_at).into())])) }
    }
}

async fn org_name(app: &AppState, ctx: &Ctx, org: i64) -> Result<String, AppError> {
    Ok(th_participation::get(&app.db, ctx.tenant.id, org)
        .await
        .map_err(crate::pages::orgs::part_err)?
        .map(|o| o.name)
        .unwrap_or_default())
}

pub async fn service(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = load_public(&app, &ctx, &id).await?;
    let towns = Towns::load(&app, &ctx).await?;
    let org = org_name(&app, &ctx, s.org_id).await?;
    let (x, _) = s.text(ctx.locale);
    let body = html! {
        (guide_nav(&ctx))
        (service_body(&ctx, &s, &org, &towns, false))
        p { a.kern-link href={ "/wegweiser/angebot/" (s.id) "/blatt" } { (ctx.t("guide-sheet-link")) } }
    };
    Ok(Page::new(x.name.clone(), body).render(&ctx))
}

/// The one-page sheet to print and take along.
pub async fn sheet(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = load_public(&app, &ctx, &id).await?;
    let towns = Towns::load(&app, &ctx).await?;
    let org = org_name(&app, &ctx, s.org_id).await?;
    let (x, _) = s.text(ctx.locale);
    let body = html! {
        div.th-sheet {
            (service_body(&ctx, &s, &org, &towns, true))
            p.th-sheet-source { (ctx.ta("guide-sheet-source", &[("url", format!("{}/wegweiser/angebot/{}", ctx.origin, s.id).into())])) }
        }
        p.th-noprint { a.kern-link href={ "/wegweiser/angebot/" (s.id) } { (ctx.t("guide-back-to-service")) } }
    };
    Ok(Page::new(x.name.clone(), body).render(&ctx))
}

// ---------------------------------------------------------------------------------------
// The recognition guide

#[derive(serde::Deserialize, Default)]
pub struct RecQuery {
    #[serde(default)]
    beruf: String,
}

pub async fn recognition_start(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RecQuery>,
) -> Result<Response, AppError> {
    let table = recognition::table(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let found = recognition::find(&table, &q.beruf);
    let body = html! {
        (guide_nav(&ctx))
        h1.kern-heading-x-large { (ctx.t("guide-recognition-title")) }
        p.th-lead { (ctx.t("guide-recognition-intro")) }
        ol.th-steps {
            li { (ctx.t("guide-recognition-step-1")) }
            li { (ctx.t("guide-recognition-step-2")) }
            li { (ctx.t("guide-recognition-step-3")) }
            li { (ctx.t("guide-recognition-step-4")) }
        }
        form.th-form method="get" action="/wegweiser/anerkennung" role="search" aria-label=(ctx.t("guide-recognition-search")) {
            div.kern-form-input {
                label.kern-label for="beruf" { (ctx.t("guide-recognition-search")) }
                p.kern-hint #beruf-hint { (ctx.t("guide-recognition-search-hint")) }
                input.kern-form-input__input #beruf type="search" name="beruf" value=(q.beruf) maxlength="200" aria-describedby="beruf-hint";
            }
            button.kern-btn.kern-btn--primary type="submit" { span.kern-label { (ctx.t("guide-search")) } }
        }
        @if !q.beruf.trim().is_empty() {
            h2.kern-heading-medium #berufe { (ctx.ta("guide-recognition-found", &[("count", (found.len() as i64).into())])) }
            @if found.is_empty() {
                p { (ctx.t("guide-recognition-none")) " " a.kern-link href=(table.finder_url) rel="noopener" { (ctx.t("guide-recognition-finder")) } }
            } @else {
                ul.th-list aria-labelledby="berufe" {
                    @for p in &found {
                        @let (name, really) = recognition::text(&p.reference, ctx.locale);
                        li {
                            a.kern-link href={ "/wegweiser/anerkennung/" (p.key) } lang=[(!really).then_some("de")] { (name) }
                            " · " (if p.regulated { ctx.t("guide-recognition-regulated-short") } else { ctx.t("guide-recognition-not-regulated-short") })
                        }
                    }
                }
            }
        }
        p { (ctx.t("guide-recognition-finder-always")) " " a.kern-link href=(table.finder_url) rel="noopener" { (ctx.t("guide-recognition-finder")) } }
    };
    Ok(Page::new(ctx.t("guide-recognition-title"), body).render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct PlaceQuery {
    #[serde(default)]
    ort: String,
}

pub async fn recognition_profession(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
    Query(pq): Query<PlaceQuery>,
) -> Result<Response, AppError> {
    let table = recognition::table(&app.db, ctx.tenant.id)
        .await
        .map_err(dir_err)?;
    let p = table
        .professions
        .iter()
        .find(|p| p.key == key)
        .ok_or(AppError::NotFound)?;
    let body_ = table.bodies.iter().find(|b| b.key == p.body);
    let towns = Towns::load(&app, &ctx).await?;
    // Counselling near the person that speaks their language (the interface language).
    let lang = match ctx.locale {
        Locale::De | Locale::DeLs => None,
        l => languages::check(l.tag()).ok().map(str::to_string),
    };
    let ort = towns
        .0
        .iter()
        .any(|m| m.0 == pq.ort)
        .then(|| pq.ort.clone());
    let mut q = SearchQuery {
        topic: Some("recognition".into()),
        languages: lang.iter().cloned().collect(),
        areas: ort.as_deref().map(|o| towns.nearby(o)).unwrap_or_default(),
        prefer_area: ort.clone(),
        locale: Some(ctx.locale),
        limit: 5,
        ..Default::default()
    };
    let (_, mut near) = run_search(&app, &ctx, &q).await?;
    if near.is_empty() {
        q.languages.clear();
        near = run_search(&app, &ctx, &q).await?.1;
    }
    let (name, really) = recognition::text(&p.reference, ctx.locale);
    let loc = ctx.locale;
    fn t_in(m: &recognition::Texts, l: Locale) -> (&str, bool) {
        recognition::text(m, l)
    }
    let t = |m| t_in(m, loc);
    let now = app.now();
    let place_opts = town_options(&ctx, &towns);
    let body = html! {
        (guide_nav(&ctx))
        p { a.kern-link href="/wegweiser/anerkennung" { (ctx.t("guide-recognition-title")) } }
        h1.kern-heading-x-large lang=[(!really).then_some("de")] { (name) }
        @if !p.checked { p.kern-alert.th-unverified { (ctx.t("guide-recognition-unverified")) } }
        h2.kern-heading-medium { (ctx.t("guide-recognition-regulated-q")) }
        @if p.regulated {
            p { strong { (ctx.t("guide-recognition-regulated")) } }
            p { (ctx.t("guide-recognition-regulated-means")) }
        } @else {
            p { strong { (ctx.t("guide-recognition-not-regulated")) } }
            p { (ctx.t("guide-recognition-not-regulated-means")) }
        }
        @if !p.legal_basis.is_empty() { p { (ctx.t("guide-recognition-law")) " " span lang="de" dir="ltr" { (p.legal_basis) } } }
        h2.kern-heading-medium { (ctx.t("guide-recognition-body")) }
        @if let Some(b) = body_ {
            p lang="de" dir="ltr" { strong { (b.name) } @if let Some(a) = &b.address { br; (a) } }
            @let (scope, sl) = t(&b.scope);
            @if !scope.is_empty() { p lang=[(!sl).then_some("de")] { (scope) } }
            @if let Some(u) = &b.url { p { a.kern-link href=(u) rel="noopener" { bdi { (u) } } } }
            @if let Some(ph) = &b.phone { p { (ctx.t("guide-phone")) " " bdi { (ph) } } }
        }
        h2.kern-heading-medium { (ctx.t("guide-recognition-documents")) }
        ul { @for d in &p.documents { @if let Some(k) = recognition::document_label_key(d) { li { (ctx.t(k)) } } } }
        dl.th-facts {
            @let (fee, fl) = t(&p.fee);
            @if !fee.is_empty() { dt { (ctx.t("guide-recognition-fee")) } dd lang=[(!fl).then_some("de")] { (fee) } }
            @let (dur, dl) = t(&p.duration);
            @if !dur.is_empty() { dt { (ctx.t("guide-recognition-duration")) } dd lang=[(!dl).then_some("de")] { (dur) } }
            @let (cb, cl) = t(&p.cost_bearers);
            @if !cb.is_empty() { dt { (ctx.t("guide-recognition-who-pays")) } dd lang=[(!cl).then_some("de")] { (cb) } }
        }
        @if let Some(n) = &p.note { @let (nt, nl) = t(n); @if !nt.is_empty() { p lang=[(!nl).then_some("de")] { (nt) } } }
        h2.kern-heading-medium #beratung { (ctx.t("guide-recognition-counselling")) }
        form.th-form.th-inline method="get" action={ "/wegweiser/anerkennung/" (p.key) "#beratung" } {
            (plain_select("ort", ctx.t("guide-place"), &place_opts, &pq.ort))
            button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t("guide-show")) } }
        }
        @if near.is_empty() { p { (ctx.t("guide-no-results")) } }
        ol.th-results { @for s in &near { (result_item(&ctx, s, &towns, now)) } }
        h2.kern-heading-medium { (ctx.t("guide-recognition-source")) }
        p { a.kern-link href=(p.source) rel="noopener" { bdi { (p.source) } } @if let Some(n) = &p.source_note { br; span lang="en" dir="ltr" { (n) } } }
        p { (ctx.t("guide-recognition-finder-always")) " " a.kern-link href=(table.finder_url) rel="noopener" { (ctx.t("guide-recognition-finder")) } }
        p.th-verified { (ctx.ta("guide-recognition-version", &[("version", table.version.clone().into())])) }
    };
    Ok(Page::new(name.to_string(), body).render(&ctx))
}

// ---------------------------------------------------------------------------------------
// Next steps after the integration course

#[derive(serde::Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    niveau: String,
    #[serde(default)]
    alter: String,
    #[serde(default)]
    ziel: Vec<String>,
    #[serde(default)]
    ort: String,
    #[serde(default)]
    sprache: String,
}

pub async fn next_steps(
    State(app): State<AppState>,
    ctx: Ctx,
    raw: axum::extract::RawQuery,
) -> Result<Response, AppError> {
    // Several aims come as repeated `ziel` parameters.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.0.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|p| p.0 == k)
            .map(|p| p.1.clone())
            .unwrap_or_default()
    };
    let q = NextQuery {
        niveau: get("niveau"),
        alter: get("alter"),
        ziel: pairs
            .iter()
            .filter(|p| p.0 == "ziel")
            .map(|p| p.1.clone())
            .collect(),
        ort: get("ort"),
        sprache: get("sprache"),
    };
    let towns = Towns::load(&app, &ctx).await?;
    let asked = !q.niveau.is_empty() || !q.alter.is_empty();
    let mut v = th_core::Validation::new();
    let level = nextsteps::Level::parse(&q.niveau);
    let age = q
        .alter
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|a| (12..=99).contains(a));
    if asked {
        if level.is_none() {
            v.add("niveau", "required");
        }
        if age.is_none() {
            v.add("alter", "age");
        }
    }
    let aims: Vec<nextsteps::Aim> = q
        .ziel
        .iter()
        .filter_map(|z| nextsteps::Aim::parse(z))
        .collect();
    let mut results = Vec::new();
    if let (Some(level), Some(age)) = (level, age) {
        let ort = towns.0.iter().any(|m| m.0 == q.ort).then(|| q.ort.clone());
        let lang = languages::check(&q.sprache).ok().map(str::to_string);
        for step in nextsteps::steps(level, age, &aims) {
            let mut sq = SearchQuery {
                topic: Some(step.topic.into()),
                hint: step.hint().map(str::to_string),
                areas: ort.as_deref().map(|o| towns.nearby(o)).unwrap_or_default(),
                prefer_area: ort.clone(),
                languages: lang.iter().cloned().collect(),
                age: Some(age),
                locale: Some(ctx.locale),
                limit: 3,
                ..Default::default()
            };
            let (_, mut found) = run_search(&app, &ctx, &sq).await?;
            let mut in_language = true;
            if found.is_empty() && !sq.languages.is_empty() {
                sq.languages.clear();
                found = run_search(&app, &ctx, &sq).await?.1;
                in_language = false;
            }
            results.push((step, found, in_language));
        }
    }
    let level_opts: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("guide-choose")))
        .chain(
            nextsteps::Level::ALL
                .iter()
                .map(|l| (l.key().to_string(), ctx.t(l.label_key()))),
        )
        .collect();
    let now = app.now();
    let summary_labels = [("niveau", "guide-next-level"), ("alter", "guide-next-age")];
    let body = html! {
        (guide_nav(&ctx))
        h1.kern-heading-x-large { (ctx.t("guide-next-title")) }
        p.th-lead { (ctx.t("guide-next-intro")) }
        (crate::forms::error_summary_with(&ctx, &v, &summary_labels))
        form.th-form method="get" action="/wegweiser/nach-dem-kurs" {
            (crate::forms::select(&ctx, "niveau", ctx.t("guide-next-level"), &level_opts, &q.niveau, &v))
            (crate::forms::input(&ctx, crate::forms::Field::new("alter", ctx.t("guide-next-age"), &q.alter).kind("number"), &v))
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("guide-next-aims")) }
                @for a in nextsteps::Aim::ALL {
                    div.kern-form-check {
                        input.kern-form-check__input id={ "ziel-" (a.key()) } type="checkbox" name="ziel" value=(a.key()) checked[aims.contains(&a)];
                        label.kern-label for={ "ziel-" (a.key()) } { (ctx.t(a.label_key())) }
                    }
                }
            }
            (plain_select("ort", ctx.t("guide-place"), &town_options(&ctx, &towns), &q.ort))
            (plain_select("sprache", ctx.t("guide-language"), &language_options(&ctx), &q.sprache))
            button.kern-btn.kern-btn--primary type="submit" { span.kern-label { (ctx.t("guide-next-show")) } }
        }
        @if !results.is_empty() {
            h2.kern-heading-large #ergebnis { (ctx.t("guide-next-result")) }
            @for (step, found, in_language) in &results {
                section.th-step aria-labelledby={ "schritt-" (step.key) } {
                    h3.kern-heading-medium id={ "schritt-" (step.key) } { (ctx.t(step.title_key)) }
                    p { (ctx.t(step.text_key)) }
                    @if step.key == "recognition" { p { a.kern-link href="/wegweiser/anerkennung" { (ctx.t("guide-recognition-title")) } } }
                    @if !in_language { p { (ctx.t("guide-next-not-in-language")) } }
                    @if found.is_empty() { p { (ctx.t("guide-next-none-local")) } }
                    ol.th-results { @for s in found { (sub_result_item(&ctx, s, &towns, now)) } }
                    p { a.kern-link href={ "/wegweiser/suche?thema=" (step.topic) @if !q.ort.is_empty() { "&ort=" (q.ort) "&umgebung=1" } } { (ctx.t("guide-next-more")) } }
                }
            }
        }
    };
    let status = if v.is_ok() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(Page::new(ctx.t("guide-next-title"), body)
        .status(status)
        .render(&ctx))
}

// ---------------------------------------------------------------------------------------
// Offline use (an enhancement): the web app manifest and the service worker.

pub async fn manifest(ctx: Ctx) -> Response {
    let body = serde_json::json!({
        "name": format!("{} – {}", ctx.t("guide-title"), ctx.tenant.name),
        "short_name": ctx.t("guide-title"),
        "start_url": format!("/wegweiser?lang={}", ctx.locale.tag()),
        "scope": "/wegweiser",
        "display": "standalone",
        "lang": ctx.locale.tag(),
        "dir": dir_of(ctx.locale),
        "background_color": "#ffffff",
        "theme_color": "#1b3a5f",
        "icons": [{ "src": "/assets/icon.svg", "sizes": "any", "type": "image/svg+xml" }],
    });
    let mut res = body.to_string().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/manifest+json"),
    );
    res
}

pub async fn service_worker() -> Response {
    let mut res = include_str!("../../static/guide-sw.js").into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        "service-worker-allowed",
        HeaderValue::from_static("/wegweiser"),
    );
    res
}
