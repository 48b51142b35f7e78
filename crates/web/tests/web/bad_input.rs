//! Bad input gets a clear 4xx and changes nothing.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        assert_eq!(
            c.json(Method::POST, "/api/v1/concept/draft", "")
                .await
                .status,
            StatusCode::CREATED
        );
        let goal = th_concept::current(&app.db, app.tenant())
            .await
            .unwrap()
            .unwrap()
            .fields[0]
            .goals[0]
            .id;
        let url = format!("/api/v1/concept/draft/goals/{goal}");
        let before = app.concept_snapshot(app.tenant()).await;

        let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
            (
                "oversized body",
                vec![b'a'; 300 * 1024],
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
            ),
            (
                "invalid UTF-8",
                vec![b'{', 0xff, 0xfe, b'}'],
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                "not JSON",
                b"title=x".to_vec(),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                "wrong type",
                br#"{"locale":"de","title":42}"#.to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "unknown field",
                br#"{"locale":"de","title":"x","colour":"red"}"#.to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "missing field",
                br#"{"locale":"de"}"#.to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "unknown locale",
                br#"{"locale":"xx","title":"x"}"#.to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "empty German title",
                br#"{"locale":"de","title":"   "}"#.to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "title too long",
                format!(r#"{{"locale":"de","title":"{}"}}"#, "x".repeat(201)).into_bytes(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
        ];
        for (what, body, status, code) in cases {
            let csrf = c.csrf();
            let r = c
                .send(
                    Method::PUT,
                    &url,
                    Some("application/json"),
                    body,
                    &[("x-csrf-token", &csrf)],
                )
                .await;
            assert_eq!(r.status, status, "{what}: {}", r.body);
            assert_eq!(
                r.headers.get("content-type").unwrap(),
                "application/problem+json",
                "{what}"
            );
            let p = r.json();
            assert_eq!(p["code"], code, "{what}");
            assert_eq!(p["status"], status.as_u16());
            assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()));
            if code == "validation" {
                assert!(
                    p["errors"][0]["field"].is_string(),
                    "{what}: errors name the field"
                );
            }
        }
        // Missing CSRF token on a cookie session: refused.
        let r = c
            .send(
                Method::PUT,
                &url,
                Some("application/json"),
                br#"{"locale":"de","title":"ohne Token"}"#.to_vec(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/konzept/entwurf/beschliessen",
                Some("application/x-www-form-urlencoded"),
                b"csrf=falsch".to_vec(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Das Formular ist abgelaufen"));
        // A forbidden role.
        let mut p = app.signed_in(Role::Staff).await;
        let r = p
            .json(
                Method::PUT,
                &url,
                r#"{"locale":"de","title":"Mitarbeiter"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // An expired session.
        app.clock.advance(th_auth::SESSION_SECS + 1);
        let r = c
            .json(Method::PUT, &url, r#"{"locale":"de","title":"abgelaufen"}"#)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(c.get("/verwaltung").await.status, StatusCode::SEE_OTHER);

        assert_eq!(
            before,
            app.concept_snapshot(app.tenant()).await,
            "nothing changed"
        );
        let edits =
            th_storage::sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'edit_goal'")
                .fetch_one(app.db.pool())
                .await
                .map(|r| th_storage::Row::get::<i64, _>(&r, 0))
                .unwrap();
        assert_eq!(edits, 0);
    }
}

#[tokio::test]
async fn unknown_pages_are_404_in_the_visitors_language() {
    let app = TestApp::new(th_storage::Backend::Sqlite).await;
    let mut c = app.client();
    c.lang = Some("en".into());
    let r = c.get("/gibt-es-nicht").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Page not found"));
    let r = c.get("/api/v1/nothing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    assert_eq!(
        c.get("/konzept/handlungsfeld/99").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/konzept/handlungsfeld/abc").await.status,
        StatusCode::NOT_FOUND
    );
}
