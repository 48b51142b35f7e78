//! What became of each contribution: public pages, supports, reports and moderation, and the
//! coordinators' search and decisions.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

async fn homework_cafe(app: &TestApp) -> i64 {
    th_storage::sqlx::query(
        "SELECT id FROM part_contributions WHERE title = 'Hausaufgabencafé des Elternvereins'",
    )
    .fetch_one(app.db.pool())
    .await
    .map(|r| th_storage::Row::get(&r, 0))
    .unwrap()
}

#[tokio::test]
async fn the_public_sees_what_became_of_each_contribution() {
    for app in TestApp::all().await {
        let mut v = app.client();
        let list = v.get("/beteiligung/1/beitraege").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("300 Beiträge"), "the demo's story");
        let id = homework_cafe(&app).await;
        let page = v.get(&format!("/beitraege/{id}")).await;
        assert!(page.body.contains("in das Konzept aufgenommen"));
        assert!(page.body.contains("(Ziel 4.2)"));
        assert!(page.body.contains("href=\"/konzept/handlungsfeld/4\""));
        assert!(page.body.contains("Garbsen"));
        let filtered = v
            .get("/beteiligung/1/beitraege?art=good_practice&feld=4")
            .await;
        assert!(filtered.body.contains("Hausaufgabencafé"));
        assert!(!filtered.body.contains("Mehr Sprachkurse am Abend"));
        let api = v.get(&format!("/api/v1/contributions/{id}")).await.json();
        assert_eq!(api["contribution"]["status"], "taken");
        assert_eq!(api["contribution"]["status_goal"], "4.2");
    }
}

#[tokio::test]
async fn supports_are_one_per_person_and_withdrawable() {
    for app in TestApp::all().await {
        let id = homework_cafe(&app).await;
        let mut visitor = app.client();
        assert_eq!(
            visitor
                .post_form(&format!("/beitraege/{id}/unterstuetzen"), &[])
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let mut p = app.signed_in(Role::Participant).await;
        assert_eq!(
            p.post_form(&format!("/beitraege/{id}/unterstuetzen"), &[])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert!(p
            .get(&format!("/beitraege/{id}"))
            .await
            .body
            .contains("1 Personen unterstützen"));
        let r = p
            .json(
                Method::POST,
                &format!("/api/v1/contributions/{id}/support"),
                "",
            )
            .await
            .json();
        assert_eq!(
            (r["supported"].as_bool(), r["supports"].as_i64()),
            (Some(false), Some(0)),
            "the second click withdraws"
        );
    }
}

#[tokio::test]
async fn reports_reach_the_moderation_queue_and_every_decision_is_logged() {
    for app in TestApp::all().await {
        let id = homework_cafe(&app).await;
        let mut v = app.client();
        let r = v
            .post_form(&format!("/beitraege/{id}/melden"), &[("reason", " ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = v
            .post_form(
                &format!("/beitraege/{id}/melden"),
                &[("reason", "Enthält eine private Telefonnummer.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut c = app.signed_in(Role::Coordinator).await;
        let q = c.get("/verwaltung/moderation").await;
        assert!(q.body.contains("Enthält eine private Telefonnummer."));
        let r = c
            .post_form(
                &format!("/verwaltung/beitraege/{id}/moderation"),
                &[("publish", "0"), ("reason", "Telefonnummer")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            v.get(&format!("/beitraege/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "hidden from the public"
        );
        assert!(
            !c.get("/verwaltung/moderation")
                .await
                .body
                .contains("Enthält eine private"),
            "the report is resolved"
        );
        let page = c.get(&format!("/verwaltung/beitraege/{id}")).await;
        assert!(page.body.contains("hide · Telefonnummer"), "{}", page.body);
        assert!(
            page.body.contains("taken · 4.2"),
            "the earlier decision is there too"
        );
    }
}

#[tokio::test]
async fn coordinators_search_and_decide_and_authors_hear_of_it() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = c.get("/verwaltung/beitraege?sprache=ar").await;
        assert!(r.body.contains("lang=\"ar\""));
        assert!(!r.body.contains(">Mehr Sprachkurse am Abend<"));
        let api = c
            .get("/api/v1/contributions?q=SPRACHKURSE&limit=5")
            .await
            .json();
        assert!(api["total"].as_i64().unwrap() > 0, "case-folded search");
        let api = c
            .get("/api/v1/contributions?q=%D0%BA%D1%83%D1%80%D1%81%D1%8B")
            .await
            .json();
        assert!(
            api["total"].as_i64().unwrap() > 0,
            "Cyrillic words are found"
        );
        // A contribution sent with the opt-in, then decided.
        let cx = th_participation::contribution::Context {
            tenant: app.tenant(),
            process_id: 2,
            phase: th_participation::process::PhaseKind::Invitation,
            moderation: "after",
            valid_fields: &[1, 2, 3, 4, 5, 6, 7, 8],
            now: NOW,
        };
        let org: i64 = 1;
        let id = th_participation::contribution::create(
            &app.db,
            &cx,
            th_participation::contribution::Author::Organisation {
                organisation_id: org,
            },
            &th_participation::contribution::NewContribution {
                kind: "wish".into(),
                title: "Mehr Kitaplätze".into(),
                body: "Bitte".into(),
                fields: vec![4],
                locale: Some(th_core::Locale::Tr),
                notify_email: Some("vorstand@example.org".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let r = c
            .post_form(
                &format!("/verwaltung/beitraege/{id}/status"),
                &[("status", "taken"), ("goal", ""), ("reason", "")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "taken needs a goal"
        );
        assert!(r.body.contains("goal-error"));
        let r = c
            .json(
                Method::PUT,
                &format!("/api/v1/contributions/{id}/status"),
                r#"{"status":"taken","goal":"4.1"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mail: (String, String) = th_storage::sqlx::query(
            "SELECT recipient, body FROM mail_outbox ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(app.db.pool())
        .await
        .map(|r| (th_storage::Row::get(&r, 0), th_storage::Row::get(&r, 1)))
        .unwrap();
        assert_eq!(mail.0, "vorstand@example.org");
        assert!(
            mail.1.contains("4.1") && mail.1.contains("https://teilhabe.test/beitraege/"),
            "{}",
            mail.1
        );
        assert!(
            !mail.1.contains("Guten Tag"),
            "in the author's language (Turkish)"
        );
    }
}
