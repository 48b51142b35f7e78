//! Discussion forums per field of action: the overview of a process's forums, a forum's
//! threads, a thread's pages with replies one level deep, quoting and reporting; moderation
//! for coordinators; the digest setting in the account.

use crate::ctx::{ClientAddr, Ctx};
use crate::error::AppError;
use crate::forms::{self, Field, FormData};
use crate::layout::{date, paragraphs, Page};
use crate::pages::orgs::part_err;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use maud::{html, Markup};
use th_core::{Role, Validation};
use th_participation::forum::{self, Frequency, NewReply, NewThread, Post, Thread, Writer};
use th_participation::process;

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn is_coordinator(ctx: &Ctx) -> bool {
    matches!(ctx.role(), Role::Coordinator | Role::Admin)
}

async fn field_title(app: &AppState, ctx: &Ctx, field: i64) -> Result<String, AppError> {
    crate::pages::participation::valid_fields(app, ctx)
        .await?
        .into_iter()
        .find(|(n, _, _)| *n == field)
        .map(|(n, t, _)| format!("{n}. {t}"))
        .ok_or(AppError::NotFound)
}

fn author(ctx: &Ctx, p: &Post) -> String {
    if p.author.is_empty() {
        ctx.t("forum-anonymous")
    } else {
        p.author.clone()
    }
}

/// Forums of a finished process are an archive: read, not written.
pub(crate) async fn writable(app: &AppState, ctx: &Ctx, process: i64) -> Result<(), AppError> {
    let p = process::process(&app.db, ctx.tenant.id, process)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    if matches!(p.standing(app.now()), process::Standing::Finished) {
        return Err(AppError::Conflict("process_finished"));
    }
    Ok(())
}

fn writer(ctx: &Ctx) -> Result<Writer<'_>, AppError> {
    let u = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    Ok(Writer {
        user_id: Some(u.id),
        pseudonym: &u.display_name,
    })
}

/// The forums of a process: one per field of action, with their activity.
pub async fn overview(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = process::process(&app.db, ctx.tenant.id, id_of(&id)?)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let counts = forum::overview(&app.db, ctx.tenant.id, p.id)
        .await
        .map_err(part_err)?;
    let fields = crate::pages::participation::valid_fields(&app, &ctx).await?;
    let (title, tl) = p.title_in(ctx.locale);
    let body = html! {
        p { a.kern-link href={ "/beteiligung/" (p.id) } lang=(tl.html_lang()) { (title) } }
        h1.kern-heading-x-large { (ctx.t("forum-title")) }
        p { (ctx.t("forum-intro")) }
        ul.th-list {
            @for (n, t, l) in &fields {
                @let c = counts.iter().find(|c| c.0 == *n);
                li {
                    a.kern-link href={ "/beteiligung/" (p.id) "/forum/" (n) } lang=[(*l != ctx.locale).then(|| l.html_lang())] { (n) ". " (t) }
                    br; (ctx.ta("forum-threads-count", &[("count", c.map(|c| c.1).unwrap_or(0).into())]))
                    @if let Some(c) = c { " · " (ctx.ta("forum-last-activity", &[("date", date(&ctx, c.2).into())])) }
                }
            }
        }
    };
    Ok(Page::new(ctx.t("forum-title"), body).render(&ctx))
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    seite: Option<String>,
    #[serde(default)]
    gemeldet: Option<String>,
    antwort: Option<String>,
    zitat: Option<String>,
}

fn page_no(s: &Option<String>) -> i64 {
    s.as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|p: &i64| (1..=100_000).contains(p))
        .unwrap_or(1)
}

async fn forum_page(
    app: &AppState,
    ctx: &Ctx,
    pid: i64,
    field: i64,
    page: i64,
    form: (&str, &str),
    v: &Validation,
) -> Result<Page, AppError> {
    let p = process::process(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let ft = field_title(app, ctx, field).await?;
    let per = 20;
    let (threads, total) = forum::threads(
        &app.db,
        ctx.tenant.id,
        p.id,
        field,
        is_coordinator(ctx),
        (page - 1) * per,
        per,
    )
    .await
    .map_err(part_err)?;
    let pages = ((total + per - 1) / per).max(1);
    let archived = matches!(p.standing(app.now()), process::Standing::Finished);
    let body = html! {
        p { a.kern-link href={ "/beteiligung/" (p.id) "/forum" } { (ctx.t("forum-title")) } }
        h1.kern-heading-x-large { (ft) }
        p role="status" { (ctx.ta("forum-threads-count", &[("count", total.into())])) }
        ul.th-list {
            @for t in &threads {
                li {
                    a.kern-link href={ "/forum/thema/" (t.id) } lang=(t.locale.html_lang()) { (t.title) }
                    br; (ctx.ta("forum-posts-count", &[("count", t.posts.into())])) " · " (ctx.ta("forum-last-activity", &[("date", date(ctx, t.last_post_at).into())]))
                    @if t.locked { " · " (ctx.t("forum-locked")) }
                    @if t.hidden { " · " (ctx.t("admin-forum-hidden")) }
                }
            }
        }
        (crate::layout::pager(ctx, page, pages, |n| format!("/beteiligung/{}/forum/{field}?seite={n}", p.id)))
        h2.kern-heading-medium #neues-thema { (ctx.t("forum-new-thread")) }
        @if archived { p { (ctx.t("error-process-finished")) } }
        @else if ctx.signed_in() {
            (forms::error_summary(ctx, v))
            form.th-form method="post" action={ "/beteiligung/" (p.id) "/forum/" (field) } novalidate {
                (forms::csrf(ctx))
                (forms::input(ctx, Field::new("title", ctx.t("contribution-title"), form.0), v))
                (forms::input(ctx, Field::new("body", ctx.t("forum-post-body"), form.1).kind("textarea"), v))
                p.kern-hint { (ctx.ta("forum-you-write-as", &[("name", ctx.user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default().into())])) }
                (forms::submit(ctx.t("forum-new-thread-submit")))
            }
        } @else {
            p { a.kern-link href={ "/anmelden?weiter=/beteiligung/" (p.id) "/forum/" (field) } { (ctx.t("forum-sign-in-to-write")) } }
        }
    };
    Ok(Page::new(ft, body))
}

pub async fn threads(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, field)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    Ok(forum_page(
        &app,
        &ctx,
        id_of(&id)?,
        id_of(&field)?,
        page_no(&q.seite),
        ("", ""),
        &Validation::new(),
    )
    .await?
    .render(&ctx))
}

async fn rate_limited(app: &AppState, ctx: &Ctx, client: &ClientAddr) -> Result<(), AppError> {
    let key = format!("{}:{}", ctx.user_id().unwrap_or(0), client.0);
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "forum-post", &key, 30, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    th_auth::rate_record(&app.db, "forum-post", &key, now).await?;
    Ok(())
}

pub async fn create_thread(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path((id, field)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (pid, field) = (id_of(&id)?, id_of(&field)?);
    let d = FormData::parse(&body);
    writable(&app, &ctx, pid).await?;
    rate_limited(&app, &ctx, &client).await?;
    let fields = crate::pages::events::field_numbers(&app, &ctx).await?;
    let w = writer(&ctx)?;
    match forum::create_thread(
        &app.db,
        ctx.tenant.id,
        &NewThread {
            process: pid,
            field,
            title: d.get("title"),
            body: d.get("body"),
            locale: ctx.locale,
        },
        &fields,
        &w,
        app.now(),
    )
    .await
    {
        Ok((tid, _)) => Ok(super::see_other(&format!("/forum/thema/{tid}"))),
        Err(th_participation::PartError::Invalid(errors)) => Ok(forum_page(
            &app,
            &ctx,
            pid,
            field,
            1,
            (d.get("title"), d.get("body")),
            &Validation { errors },
        )
        .await?
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render(&ctx)),
        Err(e) => Err(part_err(e)),
    }
}

fn post_view(ctx: &Ctx, t: &Thread, p: &Post, coordinator: bool) -> Markup {
    let reply = p.root_id != p.id;
    html! {
        article.th-post.th-post--reply[reply] id={ "beitrag-" (p.id) } aria-labelledby={ "beitrag-" (p.id) "-von" } {
            p.th-post__meta id={ "beitrag-" (p.id) "-von" } {
                strong { (author(ctx, p)) } " · " (date(ctx, p.created_at))
                @if reply { " · " span { (ctx.t("forum-reply")) } }
            }
            @if p.hidden && !coordinator {
                p { em { (ctx.t("forum-post-hidden")) } }
            } @else {
                @if p.hidden { p { em { (ctx.t("forum-post-hidden")) } } }
                @if !p.quote_text.is_empty() {
                    blockquote.th-quote {
                        @if let Some(q) = p.quote_id { p { a.kern-link href={ "#beitrag-" (q) } { (ctx.t("forum-quoted")) } } }
                        (paragraphs(&p.quote_text))
                    }
                }
                div lang=(p.locale.html_lang()) dir=(if p.locale.is_rtl() { "rtl" } else { "ltr" }) { (paragraphs(&p.body)) }
                ul.th-actions {
                    @if !t.locked && ctx.signed_in() {
                        li { a.kern-link href={ "/forum/thema/" (t.id) "?antwort=" (p.root_id) "#antworten" } aria-label=(ctx.ta("forum-reply-to", &[("name", author(ctx, p).into())])) { (ctx.t("forum-reply-action")) } }
                        li { a.kern-link href={ "/forum/thema/" (t.id) "?antwort=" (p.root_id) "&zitat=" (p.id) "#antworten" } aria-label=(ctx.ta("forum-quote-from", &[("name", author(ctx, p).into())])) { (ctx.t("forum-quote")) } }
                    }
                    li {
                        details {
                            summary { (ctx.t("contribution-report")) }
                            form.th-form method="post" action={ "/forum/beitrag/" (p.id) "/melden" } {
                                (forms::csrf(ctx))
                                @let rid = format!("grund-{}", p.id);
                                (forms::input(ctx, Field::new("reason", ctx.t("contribution-report-reason"), "").id(rid), &Validation::new()))
                                (forms::submit(ctx.t("contribution-report-send")))
                            }
                        }
                    }
                    @if coordinator {
                        li {
                            form.th-inline-form method="post" action={ "/verwaltung/forum/beitrag/" (p.id) } {
                                (forms::csrf(ctx))
                                input type="hidden" name="hidden" value=(if p.hidden { "0" } else { "1" });
                                button.kern-btn.kern-btn--tertiary type="submit" { span.kern-label { (ctx.t(if p.hidden { "admin-forum-show" } else { "admin-contributions-hide" })) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn thread_page(
    app: &AppState,
    ctx: &Ctx,
    tid: i64,
    q: &PageQuery,
    body_value: &str,
    v: &Validation,
) -> Result<Page, AppError> {
    let coordinator = is_coordinator(ctx);
    let t = forum::get_thread(&app.db, ctx.tenant.id, tid)
        .await
        .map_err(part_err)?
        .filter(|t| !t.hidden || coordinator)
        .ok_or(AppError::NotFound)?;
    let page = page_no(&q.seite);
    let posts = forum::posts_on(&app.db, t.id, page)
        .await
        .map_err(part_err)?;
    let total = t.posts;
    let pages = ((total + forum::PER_PAGE - 1) / forum::PER_PAGE).max(1);
    let ft = field_title(app, ctx, t.field).await?;
    let parent = q.antwort.as_deref().and_then(|s| s.parse::<i64>().ok());
    let quote = q.zitat.as_deref().and_then(|s| s.parse::<i64>().ok());
    let quoted = match quote {
        Some(qid) => forum::get_post(&app.db, ctx.tenant.id, qid)
            .await
            .map_err(part_err)?
            .filter(|p| p.thread_id == t.id && !p.hidden),
        None => None,
    };
    let first_is_continuation = posts.first().is_some_and(|p| p.root_id != p.id);
    let archived = writable(app, ctx, t.process_id).await.is_err();
    let t = Thread {
        locked: t.locked || archived,
        ..t
    };
    let body = html! {
        p { a.kern-link href={ "/beteiligung/" (t.process_id) "/forum/" (t.field) } { (ft) } }
        h1.kern-heading-x-large lang=(t.locale.html_lang()) { (t.title) }
        p role="status" { (ctx.ta("forum-posts-count", &[("count", total.into())])) @if t.locked { " · " (ctx.t("forum-locked")) } }
        @if coordinator {
            form.th-inline-form method="post" action={ "/verwaltung/forum/thema/" (t.id) "/sperren" } {
                (forms::csrf(ctx))
                input type="hidden" name="locked" value=(if t.locked { "0" } else { "1" });
                button.kern-btn.kern-btn--secondary type="submit" { span.kern-label { (ctx.t(if t.locked { "admin-forum-unlock" } else { "admin-forum-lock" })) } }
            }
        }
        (crate::layout::pager(ctx, page, pages, |n| format!("/forum/thema/{}?seite={n}", t.id)))
        @if first_is_continuation { p.kern-hint { (ctx.t("forum-continued")) } }
        @for p in &posts { (post_view(ctx, &t, p, coordinator)) }
        (crate::layout::pager(ctx, page, pages, |n| format!("/forum/thema/{}?seite={n}", t.id)))
        h2.kern-heading-medium #antworten { (ctx.t(if parent.is_some() { "forum-reply-title" } else { "forum-post-title" })) }
        @if archived { p { (ctx.t("error-process-finished")) } }
        @else if t.locked { p { (ctx.t("forum-locked-explained")) } }
        @else if ctx.signed_in() {
            (forms::error_summary(ctx, v))
            form.th-form method="post" action={ "/forum/thema/" (t.id) } novalidate {
                (forms::csrf(ctx))
                @if let Some(pid) = parent { input type="hidden" name="antwort" value=(pid); }
                @if let Some(qp) = &quoted {
                    input type="hidden" name="zitat" value=(qp.id);
                    blockquote.th-quote { p { (ctx.ta("forum-quoting", &[("name", author(ctx, qp).into())])) } (paragraphs(&qp.body.chars().take(300).collect::<String>())) }
                }
                (forms::input(ctx, Field::new("body", ctx.t("forum-post-body"), body_value).kind("textarea"), v))
                p.kern-hint { (ctx.ta("forum-you-write-as", &[("name", ctx.user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default().into())])) }
                (forms::submit(ctx.t("forum-post-submit")))
                @if parent.is_some() { " " a.kern-link href={ "/forum/thema/" (t.id) "#antworten" } { (ctx.t("forum-reply-instead-new")) } }
            }
        } @else {
            p { a.kern-link href={ "/anmelden?weiter=/forum/thema/" (t.id) } { (ctx.t("forum-sign-in-to-write")) } }
        }
    };
    Ok(Page::new(t.title.clone(), body))
}

pub async fn thread(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let mut page = thread_page(&app, &ctx, id_of(&id)?, &q, "", &Validation::new()).await?;
    if q.gemeldet.is_some() {
        page = page.notice(ctx.t("contribution-reported"));
    }
    Ok(page.render(&ctx))
}

pub async fn reply(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let tid = id_of(&id)?;
    let d = FormData::parse(&body);
    let t = forum::get_thread(&app.db, ctx.tenant.id, tid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    writable(&app, &ctx, t.process_id).await?;
    rate_limited(&app, &ctx, &client).await?;
    let parent = d.get("antwort").parse::<i64>().ok();
    let quote = d.get("zitat").parse::<i64>().ok();
    let w = writer(&ctx)?;
    let r = NewReply {
        parent,
        quote,
        body: d.get("body"),
        locale: ctx.locale,
    };
    match forum::reply(&app.db, ctx.tenant.id, tid, &r, &w, app.now()).await {
        Ok(post) => {
            let page = forum::page_of(&app.db, tid, post).await.map_err(part_err)?;
            Ok(super::see_other(&format!(
                "/forum/thema/{tid}?seite={page}#beitrag-{post}"
            )))
        }
        Err(th_participation::PartError::Invalid(errors)) => {
            let q = PageQuery {
                seite: None,
                gemeldet: None,
                antwort: parent.map(|p| p.to_string()),
                zitat: quote.map(|p| p.to_string()),
            };
            Ok(
                thread_page(&app, &ctx, tid, &q, d.get("body"), &Validation { errors })
                    .await?
                    .status(StatusCode::UNPROCESSABLE_ENTITY)
                    .render(&ctx),
            )
        }
        Err(e) => Err(part_err(e)),
    }
}

pub async fn report(
    State(app): State<AppState>,
    ctx: Ctx,
    Extension(client): Extension<ClientAddr>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    let d = FormData::parse(&body);
    let now = app.now();
    if th_auth::rate_exceeded(&app.db, "report", &client.0, 20, 3600, now).await? {
        return Err(AppError::RateLimited);
    }
    let post = forum::get_post(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    forum::report(&app.db, ctx.tenant.id, pid, d.get("reason"), now)
        .await
        .map_err(part_err)?;
    th_auth::rate_record(&app.db, "report", &client.0, now).await?;
    let page = forum::page_of(&app.db, post.thread_id, pid)
        .await
        .map_err(part_err)?;
    Ok(super::see_other(&format!(
        "/forum/thema/{}?seite={page}&gemeldet=1#beitrag-{pid}",
        post.thread_id
    )))
}

pub async fn moderate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pid = id_of(&id)?;
    let d = FormData::parse(&body);
    let actor = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let hide = d.get("hidden") == "1";
    forum::moderate(
        &app.db,
        ctx.tenant.id,
        pid,
        hide,
        actor,
        d.get("reason"),
        app.now(),
    )
    .await
    .map_err(part_err)?;
    let post = forum::get_post(&app.db, ctx.tenant.id, pid)
        .await
        .map_err(part_err)?
        .ok_or(AppError::NotFound)?;
    let page = forum::page_of(&app.db, post.thread_id, pid)
        .await
        .map_err(part_err)?;
    Ok(super::see_other(&format!(
        "/forum/thema/{}?seite={page}#beitrag-{pid}",
        post.thread_id
    )))
}

pub async fn lock(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let tid = id_of(&id)?;
    let d = FormData::parse(&body);
    let locked = d.get("locked") == "1";
    forum::lock(&app.db, ctx.tenant.id, tid, locked)
        .await
        .map_err(part_err)?;
    app.audit(
        &ctx,
        if locked {
            "lock_thread"
        } else {
            "unlock_thread"
        },
        "thread",
        tid,
        "",
    )
    .await?;
    Ok(super::see_other(&format!("/forum/thema/{tid}")))
}

/// The reported posts in the moderation queue.
pub async fn queue_section(app: &AppState, ctx: &Ctx) -> Result<Markup, AppError> {
    let reported = forum::reported(&app.db, ctx.tenant.id)
        .await
        .map_err(part_err)?;
    Ok(html! {
        h2.kern-heading-medium { (ctx.t("admin-moderation-forum")) }
        @if reported.is_empty() { p { (ctx.t("admin-moderation-forum-none")) } }
        ul {
            @for (p, reasons) in &reported {
                li {
                    a.kern-link href={ "/forum/thema/" (p.thread_id) "#beitrag-" (p.id) } { (author(ctx, p)) ", " (date(ctx, p.created_at)) }
                    " · " (ctx.t("admin-moderation-reported")) ": " (reasons.join("; "))
                    blockquote.th-quote lang=(p.locale.html_lang()) { (p.body.chars().take(300).collect::<String>()) }
                    form.th-inline-form method="post" action={ "/verwaltung/forum/beitrag/" (p.id) } {
                        (forms::csrf(ctx))
                        input type="hidden" name="hidden" value="1";
                        button.kern-btn.kern-btn--tertiary type="submit" { span.kern-label { (ctx.t("admin-contributions-hide")) } }
                    }
                    form.th-inline-form method="post" action={ "/verwaltung/forum/beitrag/" (p.id) } {
                        (forms::csrf(ctx))
                        input type="hidden" name="hidden" value="0";
                        button.kern-btn.kern-btn--tertiary type="submit" { span.kern-label { (ctx.t("admin-forum-keep")) } }
                    }
                }
            }
        }
    })
}

/// The digest setting on the account page.
pub async fn digest_section(app: &AppState, ctx: &Ctx) -> Result<Markup, AppError> {
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let current = forum::digest_of(&app.db, ctx.tenant.id, user)
        .await
        .map_err(part_err)?;
    Ok(html! {
        h2.kern-heading-medium #digest { (ctx.t("digest-title")) }
        form.th-form method="post" action="/konto/zusammenfassung" {
            (forms::csrf(ctx))
            fieldset.kern-fieldset {
                legend.kern-label { (ctx.t("digest-question")) }
                div.kern-fieldset__body {
                    @for f in Frequency::ALL {
                        div.kern-form-check {
                            input.kern-form-check__radio type="radio" name="frequency" id={ "digest-" (f.key()) } value=(f.key()) checked[f == current];
                            label.kern-label for={ "digest-" (f.key()) } { (ctx.t(f.label_key())) }
                        }
                    }
                }
            }
            (forms::submit(ctx.t("admin-save")))
        }
    })
}

pub async fn set_digest(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, AppError> {
    let user = ctx.user_id().ok_or(AppError::Unauthorized)?;
    let f = Frequency::parse(FormData::parse(&body).get("frequency")).ok_or_else(|| {
        AppError::Validation(vec![th_core::FieldError {
            field: "frequency".into(),
            code: "invalid".into(),
        }])
    })?;
    forum::set_digest(&app.db, ctx.tenant.id, user, f, app.now())
        .await
        .map_err(part_err)?;
    Ok(super::see_other("/konto?hinweis=account-saved#digest"))
}
