//! Forums over HTTP: reading without an account, writing with one (under its chosen name),
//! replies and quotes, reports and moderation, digests, and what the person's own data export
//! and erasure do with their posts.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

#[tokio::test]
async fn discuss_report_moderate_and_erase() {
    for app in TestApp::all().await {
        let mut visitor = app.client();
        let o = visitor.get("/beteiligung/1/forum").await;
        assert_eq!(o.status, StatusCode::OK);
        assert!(o.body.contains("Bildung und Sprache"));
        let list = visitor.get("/beteiligung/1/forum/4").await;
        assert!(list.body.contains("Hausaufgabenhilfe in mehreren Sprachen"));
        let th = visitor.get("/forum/thema/1").await;
        assert!(th.body.contains("Hausaufgabencafé"));
        assert!(
            th.body.contains("lang=\"tr\""),
            "a Turkish post is marked as such"
        );
        // The 2016 process is finished: its forums are an archive.
        assert!(th
            .body
            .contains("Dieses Beteiligungsverfahren ist abgeschlossen"));
        assert!(!th.body.contains("name=\"body\""));
        // Writing needs an account.
        let r = visitor
            .post_form("/forum/thema/1", &[("body", "Hallo")])
            .await;
        assert!(
            matches!(r.status, StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED),
            "{}",
            r.status
        );

        let mut p = app.signed_in(Role::Participant).await;
        let r = p
            .post_form("/beteiligung/2/forum/4", &[("title", ""), ("body", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("title-error") && r.body.contains("body-error"));
        let r = p
            .post_form(
                "/beteiligung/2/forum/4",
                &[
                    ("title", "Sprachcafé am Samstag"),
                    ("body", "Wer kommt mit?"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let thread = r.location().to_string();
        let tid: i64 = thread.rsplit('/').next().unwrap().parse().unwrap();
        let first = p.get(&thread).await;
        assert!(
            first.body.contains("participant@example.org"),
            "written under the account's name"
        );
        let first_id = first
            .body
            .split("id=\"beitrag-")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        // Reply with a quote.
        let form = p
            .get(&format!("{thread}?antwort={first_id}&zitat={first_id}"))
            .await;
        assert!(form.body.contains("Sie zitieren"));
        let r = p
            .post_form(
                &thread,
                &[
                    ("antwort", &first_id),
                    ("zitat", &first_id),
                    ("body", "Ich komme!"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().contains("#beitrag-"));
        let page = p.get(&thread).await;
        assert!(page.body.contains("th-post--reply") && page.body.contains("th-quote"));
        let reply_id = r.location().rsplit("#beitrag-").next().unwrap().to_string();

        // A visitor reports the reply; the coordinator hides it; visitors no longer read it.
        let r = visitor
            .post_form(
                &format!("/forum/beitrag/{reply_id}/melden"),
                &[("reason", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = visitor
            .post_form(
                &format!("/forum/beitrag/{reply_id}/melden"),
                &[("reason", "Werbung")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut coord = app.signed_in(Role::Coordinator).await;
        let q = coord.get("/verwaltung/moderation").await;
        assert!(q.body.contains("Werbung"));
        let r = coord
            .post_form(
                &format!("/verwaltung/forum/beitrag/{reply_id}"),
                &[("hidden", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = visitor.get(&thread).await;
        assert!(!page.body.contains("Ich komme!"));
        assert!(page.body.contains("von der Moderation verborgen"));
        let api = visitor.get(&format!("/api/v1/threads/{tid}")).await.json();
        assert_eq!(
            api["posts"][1]["body"], "",
            "hidden text is not in the API either"
        );
        // Closed topics take no more posts.
        let r = coord
            .post_form(
                &format!("/verwaltung/forum/thema/{tid}/sperren"),
                &[("locked", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = p.post_form(&thread, &[("body", "Noch etwas")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Digest: opt in, over the form and the API; bad values are refused.
        let r = p
            .post_form("/konto/zusammenfassung", &[("frequency", "weekly")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(p
            .get("/konto")
            .await
            .body
            .contains("id=\"digest-weekly\" value=\"weekly\" checked"));
        let r = p
            .json(
                Method::PUT,
                "/api/v1/me/digest",
                r#"{"frequency":"hourly"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The API: a new thread and a reply.
        let r = p
            .json(
                Method::POST,
                "/api/v1/processes/2/forum/6",
                r#"{"title":"Dolmetschen","body":"Erfahrungen?"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let t2 = r.json()["thread"].as_i64().unwrap();
        let r = p
            .json(
                Method::POST,
                &format!("/api/v1/threads/{t2}/posts"),
                r#"{"body":"Gute!","quote":999999}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = p
            .json(
                Method::POST,
                &format!("/api/v1/threads/{t2}/posts"),
                r#"{"body":"Gute!"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let threads = visitor.get("/api/v1/processes/2/forum/6").await.json();
        assert_eq!(threads["total"], 1);

        // She changes the name she writes under; an empty one is refused.
        let r = p.post_form("/konto/name", &[("display_name", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = p
            .post_form("/konto/name", &[("display_name", "Sonnenblume")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = p
            .json(
                Method::PUT,
                "/api/v1/me/name",
                r#"{"display_name":"Sonnenblume 2"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = p
            .post_form(
                &format!("/forum/thema/{t2}"),
                &[("body", "Unter neuem Namen")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(p
            .get(&format!("/forum/thema/{t2}"))
            .await
            .body
            .contains("Sonnenblume 2"));
        // A report is acknowledged on the page.
        let r = visitor
            .post_form(
                &format!("/forum/beitrag/{reply_id}/melden"),
                &[("reason", "Noch einmal")],
            )
            .await;
        assert!(visitor.get(r.location()).await.body.contains("Danke"));

        // Her export lists her posts; erasing the account keeps the texts, without her name.
        let export = p.get("/konto/daten.json").await.json();
        assert_eq!(
            export["participation"]["forum_posts"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
        assert_eq!(export["participation"]["forum_digest"], "weekly");
        let r = p
            .post_form("/konto/loeschen", &[("password", PASSWORD)])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Ihr Konto wurde gelöscht"));
        let page = visitor.get(&format!("/api/v1/threads/{t2}")).await.json();
        assert_eq!(page["posts"][0]["author"], "");
        assert_eq!(page["posts"][0]["body"], "Erfahrungen?");
    }
}
