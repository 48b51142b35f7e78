//! The opinion map (Meinungsbild): a conversation's page with the next statement to vote on,
//! the form for a new statement, and the map — an SVG of the opinion groups with each group
//! described in words, the consensus, and a table that says the same without the picture.
//! Coordinators create conversations, moderate statements and open, close or hide them.

use crate::ctx::{cookie, ClientAddr, Ctx};
use crate::error::AppError;
use crate::forms::{self, Field, FormData};
use crate::layout::Page;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use axum_extra::extract::cookie::CookieJar;
use maud::{html, Markup, PreEscaped};
use std::collections::HashMap;
use th_core::{FieldError, Role, Validation};
use th_opinion::analysis::Analysis;
use th_opinion::store::{self, ConversationRow, Decision, Error, StatementRow, Status, Who};

/// Name of the cookie that carries an anonymous participant's secret (its hash is stored).
pub const PARTICIPANT_COOKIE: &str = "th_op";

pub(crate) fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub(crate) fn op_err(e: Error) -> AppError {
    match e {
        Error::NotFound => AppError::NotFound,
        Error::Closed => AppError::Conflict("conversation_closed"),
        Error::NotVotable => AppError::Conflict("statement_not_votable"),
        Error::Invalid(code) => {
            let (field, code) = match code {
                "statement-missing" => ("body", "required"),
                "statement-too-long" => ("body", "too-long"),
                "statement-duplicate" => ("body", "duplicate"),
                "topic-missing" => ("topic", "required"),
                "topic-too-long" => ("topic", "too-long"),
                "description-too-long" => ("description", "too-long"),
                "vote-value" => ("vote", "invalid"),
                other => ("", other),
            };
            AppError::Validation(vec![FieldError {
                field: field.into(),
                code: code.into(),
            }])
        }
        e => AppError::Internal(e.to_string()),
    }
}

pub(crate) fn is_coordinator(ctx: &Ctx) -> bool {
    matches!(ctx.role(), Role::Coordinator | Role::Admin)
}

/// The conversation if this visitor may see it (hidden ones: coordinators only).
pub(crate) async fn visible(
    app: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<ConversationRow, AppError> {
    store::get(&app.db, ctx.tenant.id, id)
        .await
        .map_err(op_err)?
        .filter(|c| c.status != Status::Hidden || is_coordinator(ctx))
        .ok_or(AppError::NotFound)
}

/// Who is voting: the account, else the anonymous secret (from the cookie or, in the API, the
/// `X-Opinion-Participant` header). `None` when neither exists yet.
pub(crate) fn who(ctx: &Ctx, secret: Option<&str>) -> Option<Who> {
    if let Some(u) = ctx.user_id() {
        return Some(Who::User(u));
    }
    secret
        .filter(|s| s.len() >= 32 && s.len() <= 200)
        .map(|s| Who::Anonymous(th_auth::token_hash(s)))
}

/// Group names as Polis shows them: A, B, C, …
pub fn group_letter(i: usize) -> char {
    (b'A' + (i % 26) as u8) as char
}

/// Fill colours (contrast ≥ 3:1 against white) and a shape per group, so groups differ by
/// more than colour.
const COLOURS: [&str; 5] = ["#00628b", "#b3400b", "#2e7d32", "#6a3d9a", "#8b1a4a"];

fn shape(i: usize, x: f64, y: f64, r: f64) -> Markup {
    let c = COLOURS[i % COLOURS.len()];
    match i % 5 {
        0 => html! { circle cx=(fmt(x)) cy=(fmt(y)) r=(fmt(r)) fill=(c) {} },
        1 => {
            html! { rect x=(fmt(x - r)) y=(fmt(y - r)) width=(fmt(2.0 * r)) height=(fmt(2.0 * r)) fill=(c) {} }
        }
        2 => {
            html! { polygon points=(format!("{},{} {},{} {},{}", fmt(x), fmt(y - r * 1.2), fmt(x - r * 1.1), fmt(y + r * 0.8), fmt(x + r * 1.1), fmt(y + r * 0.8))) fill=(c) {} }
        }
        3 => {
            html! { polygon points=(format!("{},{} {},{} {},{} {},{}", fmt(x), fmt(y - r * 1.3), fmt(x + r * 1.3), fmt(y), fmt(x), fmt(y + r * 1.3), fmt(x - r * 1.3), fmt(y))) fill=(c) {} }
        }
        _ => {
            html! { rect x=(fmt(x - r)) y=(fmt(y - r)) width=(fmt(2.0 * r)) height=(fmt(2.0 * r)) fill="#ffffff" stroke=(c) stroke-width="3" {} }
        }
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// The map as SVG: base clusters as shapes sized by their members, one shape and colour per
/// group, the group's letter at its centre.
pub fn map_svg(ctx: &Ctx, a: &Analysis, desc: &str) -> Markup {
    let (w, h, pad) = (640.0, 400.0, 36.0);
    let xs = a.base_clusters.iter().map(|b| b.x);
    let ys = a.base_clusters.iter().map(|b| b.y);
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let (y0, y1) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let sx = if x1 > x0 {
        (w - 2.0 * pad) / (x1 - x0)
    } else {
        1.0
    };
    let sy = if y1 > y0 {
        (h - 2.0 * pad) / (y1 - y0)
    } else {
        1.0
    };
    let px = |x: f64| {
        if x1 > x0 {
            pad + (x - x0) * sx
        } else {
            w / 2.0
        }
    };
    let py = |y: f64| {
        if y1 > y0 {
            pad + (y - y0) * sy
        } else {
            h / 2.0
        }
    };
    let max = a
        .base_clusters
        .iter()
        .map(|b| b.size)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    html! {
        svg.th-map xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) } role="img" aria-labelledby="karte-titel karte-text" {
            title #karte-titel { (ctx.t("opinion-map-title")) }
            desc #karte-text { (desc) }
            rect x="0" y="0" width=(w) height=(h) fill="#ffffff" stroke="#6b6b6b" {}
            @for b in &a.base_clusters {
                (shape(b.group as usize, px(b.x), py(b.y), 4.0 + 10.0 * (b.size as f64 / max).sqrt()))
            }
            @for (i, g) in a.groups.iter().enumerate() {
                text x=(fmt(px(g.centre[0]).clamp(20.0, w - 20.0))) y=(fmt(py(g.centre[1]).clamp(24.0, h - 8.0) - 18.0)) text-anchor="middle" font-size="22" font-weight="bold" fill="#1b1b1b" stroke="#ffffff" stroke-width="4" paint-order="stroke" {
                    (ctx.ta("opinion-group-name", &[("letter", group_letter(i).to_string().into())]))
                }
            }
        }
    }
}

fn pct(part: u64, whole: u64) -> i64 {
    if whole == 0 {
        0
    } else {
        ((part as f64 * 100.0) / whole as f64).round() as i64
    }
}

/// One sentence per group, for the picture's description.
fn description(ctx: &Ctx, a: &Analysis) -> String {
    let mut s = ctx.ta(
        "opinion-map-summary",
        &[
            ("count", (a.groups.len() as i64).into()),
            ("people", (a.in_conv_count as i64).into()),
        ],
    );
    for (i, g) in a.groups.iter().enumerate() {
        s.push(' ');
        s.push_str(&ctx.ta(
            "opinion-group-size",
            &[
                ("letter", group_letter(i).to_string().into()),
                ("count", (g.size as i64).into()),
                ("percent", pct(g.size, a.in_conv_count).into()),
            ],
        ));
    }
    s
}

fn statement_text<'a>(
    stmts: &'a HashMap<i64, &StatementRow>,
    num: i64,
) -> Option<(&'a str, &'a str)> {
    stmts
        .get(&num)
        .map(|s| (s.body.as_str(), s.locale.as_str()))
}

fn lang_of(code: &str) -> &str {
    code
}

/// The map section: the picture, the groups in words, the consensus.
pub fn map_section(
    ctx: &Ctx,
    a: Option<&Analysis>,
    seq: Option<i64>,
    rows: &[StatementRow],
) -> Markup {
    let stmts: HashMap<i64, &StatementRow> = rows.iter().map(|s| (s.num, s)).collect();
    html! {
        section #karte-bereich aria-labelledby="karte" data-seq=(seq.unwrap_or(-1)) {
            h2.kern-heading-medium #karte { (ctx.t("opinion-map-heading")) }
            @match a {
                Some(a) if !a.groups.is_empty() && a.in_conv_count > 0 => {
                    @let desc = description(ctx, a);
                    p { (desc) }
                    figure.th-figure {
                        (map_svg(ctx, a, &desc))
                        figcaption { (ctx.t("opinion-map-caption")) }
                    }
                    @for (i, g) in a.groups.iter().enumerate() {
                        section.th-group aria-labelledby={ "gruppe-" (i) } {
                            h3.kern-heading-small id={ "gruppe-" (i) } {
                                span.th-swatch aria-hidden="true" { (PreEscaped(format!("<svg viewBox=\"0 0 20 20\" width=\"20\" height=\"20\">{}</svg>", shape(i, 10.0, 10.0, 7.0).into_string()))) }
                                " " (ctx.ta("opinion-group-heading", &[("letter", group_letter(i).to_string().into()), ("count", (g.size as i64).into()), ("percent", pct(g.size, a.in_conv_count).into())]))
                            }
                            p { (ctx.t("opinion-group-stands-for")) }
                            ul.th-list {
                                @for r in &g.representative {
                                    @if let Some((text, l)) = statement_text(&stmts, r.comment_id) {
                                    li {
                                        strong { (ctx.ta(if r.agree { "opinion-rep-agree" } else { "opinion-rep-disagree" }, &[("percent", ((r.share * 100.0).round() as i64).into())])) }
                                        " " q lang=(lang_of(l)) { (text) }
                                    }
                                    }
                                }
                            }
                        }
                    }
                    h3.kern-heading-small { (ctx.t("opinion-consensus-heading")) }
                    @if a.consensus_agree.is_empty() && a.consensus_disagree.is_empty() {
                        p { (ctx.t("opinion-consensus-none")) }
                    } @else {
                        ul.th-list {
                            @for num in &a.consensus_agree {
                                @if let Some((text, l)) = statement_text(&stmts, *num) {
                                    li { strong { (ctx.t("opinion-consensus-agree")) } " " q lang=(lang_of(l)) { (text) } }
                                }
                            }
                            @for num in &a.consensus_disagree {
                                @if let Some((text, l)) = statement_text(&stmts, *num) {
                                    li { strong { (ctx.t("opinion-consensus-disagree")) } " " q lang=(lang_of(l)) { (text) } }
                                }
                            }
                        }
                    }
                    details {
                        summary { (ctx.t("opinion-table-summary")) }
                        div.th-table-wrap {
                            table.kern-table {
                                caption { (ctx.t("opinion-table-caption")) }
                                thead { tr {
                                    th scope="col" { (ctx.t("opinion-statement")) }
                                    th scope="col" { (ctx.t("opinion-agree")) }
                                    th scope="col" { (ctx.t("opinion-disagree")) }
                                    th scope="col" { (ctx.t("opinion-pass")) }
                                    th scope="col" { (ctx.t("opinion-gic")) }
                                } }
                                tbody {
                                    @for s in &a.statement_stats {
                                        @if let Some(row) = stmts.get(&s.comment_id) {
                                            tr {
                                                th scope="row" lang=(lang_of(&row.locale)) { (row.body) }
                                                td { (s.agrees) }
                                                td { (s.disagrees) }
                                                td { (s.passes) }
                                                td { (format!("{:.2}", s.group_informed_consensus)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                _ => p { (ctx.t("opinion-map-not-yet")) },
            }
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct NoteQ {
    hinweis: Option<String>,
}

async fn conversation_page(
    app: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    id: i64,
    body_value: &str,
    v: &Validation,
) -> Result<Page, AppError> {
    let c = visible(app, ctx, id).await?;
    let rows = store::statements(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    let result = store::result(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    let analysis = result.as_ref().map(|r| &r.1);
    let me = who(ctx, jar.get(PARTICIPANT_COOKIE).map(|c| c.value()));
    let pnum = match &me {
        Some(w) => store::participant_of(&app.db, ctx.tenant.id, c.id, w)
            .await
            .map_err(op_err)?,
        None => None,
    };
    let mine = match pnum {
        Some(p) => store::votes_of(&app.db, ctx.tenant.id, c.id, p)
            .await
            .map_err(op_err)?,
        None => HashMap::new(),
    };
    let next = store::next_statement(&rows, c.strict, &mine, analysis, pnum.unwrap_or(-1));
    let open = c.status == Status::Open;
    let votable = rows.iter().filter(|r| r.votable(c.strict)).count();
    // The map quotes only statements the public may see (a statement rejected after the last
    // computation is left out at once).
    let shown: Vec<StatementRow> = rows
        .iter()
        .filter(|r| r.votable(c.strict))
        .cloned()
        .collect();
    let body = html! {
        @if let Some(p) = c.process_id { p { a.kern-link href={ "/beteiligung/" (p) } { (ctx.t("opinion-back-to-process")) } } }
        h1.kern-heading-x-large lang=(c.locale) { (c.topic) }
        @if !c.description.is_empty() { p lang=(c.locale) { (c.description) } }
        p { (ctx.t("opinion-intro")) }
        @if !open { p role="status" { strong { (ctx.t(if c.status == Status::Hidden { "opinion-hidden" } else { "opinion-closed" })) } } }
        @if open {
            section aria-labelledby="abstimmen" {
                h2.kern-heading-medium #abstimmen { (ctx.t("opinion-vote-heading")) }
                p role="status" { (ctx.ta("opinion-progress", &[("count", (mine.len() as i64).into()), ("total", (votable as i64).into())])) }
                @match next.and_then(|n| rows.iter().find(|r| r.num == n)) {
                    Some(s) => {
                        form.th-form.th-vote method="post" action={ "/meinungsbild/" (c.id) "/abstimmen" } {
                            (forms::csrf(ctx))
                            input type="hidden" name="statement" value=(s.num);
                            fieldset.kern-fieldset {
                                legend.kern-fieldset__legend { (ctx.t("opinion-vote-legend")) }
                                blockquote.th-statement lang=(s.locale) { p { (s.body) } }
                                div.th-vote__buttons {
                                    button.kern-btn.kern-btn--primary type="submit" name="vote" value="1" { span.kern-label { (ctx.t("opinion-agree")) } }
                                    button.kern-btn.kern-btn--primary type="submit" name="vote" value="-1" { span.kern-label { (ctx.t("opinion-disagree")) } }
                                    button.kern-btn.kern-btn--secondary type="submit" name="vote" value="0" { span.kern-label { (ctx.t("opinion-pass")) } }
                                }
                            }
                        }
                    }
                    None => p { (ctx.t(if votable == 0 { "opinion-no-statements" } else { "opinion-all-voted" })) },
                }
            }
            section aria-labelledby="neue-aussage" {
                h2.kern-heading-medium #neue-aussage { (ctx.t("opinion-new-statement")) }
                (forms::error_summary(ctx, v))
                form.th-form method="post" action={ "/meinungsbild/" (c.id) "/aussage" } novalidate {
                    (forms::csrf(ctx))
                    (forms::input(ctx, Field::new("body", ctx.t("opinion-statement"), body_value).kind("textarea").hint(ctx.ta("opinion-statement-hint", &[("max", (store::MAX_STATEMENT as i64).into())])), v))
                    @if c.strict { p.kern-hint { (ctx.t("opinion-moderated-hint")) } }
                    (forms::submit(ctx.t("opinion-statement-submit")))
                }
                p.kern-hint { (ctx.t(if ctx.signed_in() { "opinion-privacy-account" } else { "opinion-privacy-anonymous" })) }
            }
        }
        (map_section(ctx, analysis, result.as_ref().map(|r| r.0), &shown))
        @if is_coordinator(ctx) { p { a.kern-link href={ "/verwaltung/meinungsbild/" (c.id) } { (ctx.t("admin-opinion-moderate")) } } }
    };
    Ok(Page::new(c.topic.clone(), body))
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<NoteQ>,
) -> Result<Response, AppError> {
    let mut page = conversation_page(&app, &ctx, &jar, id_of(&id)?, "", &Validation::new()).await?;
    if let Some(k) = q.hinweis.as_deref() {
        let key = match k {
            "aussage" => Some("opinion-statement-received"),
            "aussage-pruefung" => Some("opinion-statement-waiting"),
            _ => None,
        };
        if let Some(key) = key {
            page = page.notice(ctx.t(key));
        }
    }
    Ok(super::no_store(page.render(&ctx)))
}

/// The anonymous participant's secret: the cookie's, or a new one to set.
fn secret_of(jar: &CookieJar) -> (String, bool) {
    match jar.get(PARTICIPANT_COOKIE) {
        Some(c) if (32..=200).contains(&c.value().len()) => (c.value().to_string(), false),
        _ => (th_auth::random_token(), true),
    }
}

fn set_secret(res: &mut Response, app: &AppState, secret: String) {
    let c = cookie(
        PARTICIPANT_COOKIE,
        secret,
        app.config.cookie_secure,
        400 * 86_400,
    );
    if let Ok(v) = HeaderValue::from_str(&c.encoded().to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Limits per participant (and address): votes and statements.
pub(crate) async fn limit(
    app: &AppState,
    key: &str,
    client: &ClientAddr,
    bucket: &str,
    n: i64,
    window: i64,
) -> Result<(), AppError> {
    let key = format!("{key}:{}", client.0);
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, bucket, &key, n, window, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, bucket, &key, now).await?;
    Ok(())
}

pub(crate) fn who_key(w: &Who) -> String {
    match w {
        Who::User(u) => format!("u{u}"),
        Who::Anonymous(h) => h.chars().take(16).collect(),
    }
}

/// Votes allowed per participant in ten minutes (a person reading and deciding does fewer).
pub const VOTES_PER_10_MIN: i64 = 300;
/// Statements allowed per participant in an hour.
pub const STATEMENTS_PER_HOUR: i64 = 10;

pub async fn vote(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let d = FormData::parse(&body);
    let num: i64 = d
        .get("statement")
        .parse()
        .map_err(|_| AppError::BadRequest("statement".into()))?;
    let v: i64 = d
        .get("vote")
        .parse()
        .map_err(|_| AppError::BadRequest("vote".into()))?;
    let (secret, new) = secret_of(&jar);
    let w = who(&ctx, Some(&secret)).ok_or(AppError::Unauthorized)?;
    limit(
        &app,
        &who_key(&w),
        &client,
        "opinion-vote",
        VOTES_PER_10_MIN,
        600,
    )
    .await?;
    store::vote(&app.db, ctx.tenant.id, c.id, &w, num, v, app.now())
        .await
        .map_err(op_err)?;
    let mut res = super::see_other(&format!("/meinungsbild/{}#abstimmen", c.id));
    if new && !ctx.signed_in() {
        set_secret(&mut res, &app, secret);
    }
    Ok(res)
}

pub async fn add_statement(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let d = FormData::parse(&body);
    let (secret, new) = secret_of(&jar);
    let w = who(&ctx, Some(&secret)).ok_or(AppError::Unauthorized)?;
    limit(
        &app,
        &who_key(&w),
        &client,
        "opinion-statement",
        STATEMENTS_PER_HOUR,
        3600,
    )
    .await?;
    let mut res = match store::add_statement(
        &app.db,
        ctx.tenant.id,
        c.id,
        &w,
        d.get("body"),
        ctx.locale.html_lang(),
        app.now(),
    )
    .await
    {
        Ok(_) => super::see_other(&format!(
            "/meinungsbild/{}?hinweis={}#neue-aussage",
            c.id,
            if c.strict {
                "aussage-pruefung"
            } else {
                "aussage"
            }
        )),
        Err(Error::Invalid(code)) => {
            let errors = match op_err(Error::Invalid(code)) {
                AppError::Validation(e) => e,
                _ => Vec::new(),
            };
            conversation_page(
                &app,
                &ctx,
                &jar,
                c.id,
                d.get("body"),
                &Validation { errors },
            )
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx)
        }
        Err(e) => return Err(op_err(e)),
    };
    if new && !ctx.signed_in() {
        set_secret(&mut res, &app, secret);
    }
    Ok(res)
}

// ---- Coordinators ----

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Open => "admin-opinion-status-open",
        Status::Closed => "admin-opinion-status-closed",
        Status::Hidden => "admin-opinion-status-hidden",
    }
}

async fn admin_list_page(
    app: &AppState,
    ctx: &Ctx,
    form: (&str, &str, &str),
    v: &Validation,
) -> Result<Page, AppError> {
    let convs = store::list(&app.db, ctx.tenant.id, None)
        .await
        .map_err(op_err)?;
    let processes = th_participation::process::processes(&app.db, ctx.tenant.id)
        .await
        .map_err(super::orgs::part_err)?;
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("admin-opinion-no-process")))
            .chain(
                processes
                    .iter()
                    .map(|p| (p.id.to_string(), p.title_in(ctx.locale).0.to_string())),
            )
            .collect();
    let body = html! {
        h1.kern-heading-x-large { (ctx.t("admin-opinion-title")) }
        p { (ctx.t("admin-opinion-intro")) }
        @if convs.is_empty() { p { (ctx.t("admin-opinion-none")) } }
        ul.th-list {
            @for c in &convs {
                li {
                    a.kern-link href={ "/verwaltung/meinungsbild/" (c.id) } lang=(c.locale) { (c.topic) }
                    " · " (ctx.t(status_key(c.status)))
                }
            }
        }
        h2.kern-heading-medium #neu { (ctx.t("admin-opinion-new")) }
        (forms::error_summary(ctx, v))
        form.th-form method="post" action="/verwaltung/meinungsbild" novalidate {
            (forms::csrf(ctx))
            (forms::input(ctx, Field::new("topic", ctx.t("admin-opinion-topic"), form.0), v))
            (forms::input(ctx, Field::new("description", ctx.t("admin-opinion-description"), form.1).kind("textarea").optional(), v))
            (forms::select(ctx, "process", ctx.t("admin-opinion-process"), &options, form.2, v))
            (forms::checkbox(ctx, "strict", ctx.t("admin-opinion-strict"), true, v))
            (forms::submit(ctx.t("admin-opinion-create")))
        }
    };
    Ok(Page::new(ctx.t("admin-opinion-title"), body))
}

pub async fn admin_list(State(app): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    Ok(
        admin_list_page(&app, &ctx, ("", "", ""), &Validation::new())
            .await?
            .render(&ctx),
    )
}

pub async fn admin_create(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let d = FormData::parse(&body);
    let process = match d.get("process") {
        "" => None,
        s => {
            let p = id_of(s)?;
            th_participation::process::process(&app.db, ctx.tenant.id, p)
                .await
                .map_err(super::orgs::part_err)?
                .ok_or(AppError::NotFound)?;
            Some(p)
        }
    };
    let nc = store::NewConversation {
        process_id: process,
        topic: d.get("topic"),
        description: d.get("description"),
        locale: ctx.locale.html_lang(),
        strict: d.has("strict"),
    };
    match store::create(&app.db, ctx.tenant.id, &nc, app.now()).await {
        Ok(id) => Ok(super::see_other(&format!("/verwaltung/meinungsbild/{id}"))),
        Err(Error::Invalid(code)) => {
            let errors = match op_err(Error::Invalid(code)) {
                AppError::Validation(e) => e,
                _ => Vec::new(),
            };
            Ok(admin_list_page(
                &app,
                &ctx,
                (d.get("topic"), d.get("description"), d.get("process")),
                &Validation { errors },
            )
            .await?
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(&ctx))
        }
        Err(e) => Err(op_err(e)),
    }
}

pub async fn admin_show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NoteQ>,
) -> Result<Response, AppError> {
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let rows = store::statements(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    let result = store::result(&app.db, ctx.tenant.id, c.id)
        .await
        .map_err(op_err)?;
    let waiting: Vec<&StatementRow> = rows.iter().filter(|r| r.moderation == 0).collect();
    let note = match q.hinweis.as_deref() {
        Some("entschieden") => Some(ctx.t("admin-opinion-decided")),
        Some("status") => Some(ctx.t("admin-opinion-status-saved")),
        _ => None,
    };
    let decide = |s: &StatementRow| {
        html! {
            form.th-inline-form method="post" action={ "/verwaltung/meinungsbild/" (c.id) "/aussage/" (s.num) } {
                (forms::csrf(&ctx))
                @for (d, key) in [("accept", "admin-opinion-accept"), ("reject", "admin-opinion-reject"), ("meta", "admin-opinion-meta")] {
                    button.kern-btn.kern-btn--secondary type="submit" name="decision" value=(d) aria-label=(format!("{}: {}", ctx.t(key), s.body.chars().take(60).collect::<String>())) { span.kern-label { (ctx.t(key)) } }
                }
            }
        }
    };
    let body = html! {
        p { a.kern-link href="/verwaltung/meinungsbild" { (ctx.t("admin-opinion-title")) } }
        h1.kern-heading-x-large lang=(c.locale) { (c.topic) }
        @if let Some(n) = note { (forms::notice(n)) }
        p { a.kern-link href={ "/meinungsbild/" (c.id) } { (ctx.t("admin-opinion-public-page")) } }
        @if let Some((seq, a)) = &result {
            p { (ctx.ta("admin-opinion-figures", &[("people", (a.participants as i64).into()), ("votes", (a.votes as i64).into()), ("groups", (a.groups.len() as i64).into())])) " " (ctx.ta("admin-opinion-seq", &[("seq", (*seq).into()), ("now", c.seq.into())])) }
        }
        form.th-form method="post" action={ "/verwaltung/meinungsbild/" (c.id) "/status" } {
            (forms::csrf(&ctx))
            @let opts: Vec<(String, String)> = [Status::Open, Status::Closed, Status::Hidden].iter().map(|s| (s.key().to_string(), ctx.t(status_key(*s)))).collect();
            (forms::select(&ctx, "status", ctx.t("admin-opinion-status"), &opts, c.status.key(), &Validation::new()))
            (forms::submit(ctx.t("admin-opinion-status-save")))
        }
        h2.kern-heading-medium { (ctx.ta("admin-opinion-queue", &[("count", (waiting.len() as i64).into())])) }
        @if waiting.is_empty() { p { (ctx.t("admin-opinion-queue-empty")) } }
        ul.th-list {
            @for s in &waiting {
                li { q lang=(s.locale) { (s.body) } (decide(s)) }
            }
        }
        h2.kern-heading-medium { (ctx.t("admin-opinion-all")) }
        div.th-table-wrap {
            table.kern-table {
                thead { tr { th scope="col" { "#" } th scope="col" { (ctx.t("opinion-statement")) } th scope="col" { (ctx.t("admin-opinion-state")) } th scope="col" { (ctx.t("admin-opinion-decision")) } } }
                tbody {
                    @for s in &rows {
                        tr {
                            td { (s.num) }
                            td lang=(s.locale) { (s.body) }
                            td { (ctx.t(match (s.moderation, s.meta) { (-1, _) => "admin-opinion-rejected", (1, true) => "admin-opinion-is-meta", (1, _) => "admin-opinion-accepted", _ => "admin-opinion-waiting" })) }
                            td { (decide(s)) }
                        }
                    }
                }
            }
        }
    };
    Ok(super::no_store(
        Page::new(c.topic.clone(), body).render(&ctx),
    ))
}

pub async fn admin_decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, num)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let d = FormData::parse(&body);
    let decision = Decision::parse(d.get("decision"))
        .ok_or_else(|| AppError::BadRequest("decision".into()))?;
    store::moderate(
        &app.db,
        ctx.tenant.id,
        c.id,
        id_of(&num)?,
        decision,
        app.now(),
    )
    .await
    .map_err(op_err)?;
    Ok(super::see_other(&format!(
        "/verwaltung/meinungsbild/{}?hinweis=entschieden",
        c.id
    )))
}

pub async fn admin_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let c = visible(&app, &ctx, id_of(&id)?).await?;
    let d = FormData::parse(&body);
    let s = Status::parse(d.get("status")).ok_or_else(|| AppError::BadRequest("status".into()))?;
    store::set_status(&app.db, ctx.tenant.id, c.id, s, app.now())
        .await
        .map_err(op_err)?;
    Ok(super::see_other(&format!(
        "/verwaltung/meinungsbild/{}?hinweis=status",
        c.id
    )))
}
