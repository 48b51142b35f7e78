//! The opinion map through pages and API on both databases: the demo's map after the computing
//! node ran (three groups, consensus, the picture described in words), voting without an
//! account (one changeable vote per person), statements waiting for moderation, and bad input.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

async fn compute(app: &TestApp) -> usize {
    th_opinion::live::Worker::new("test")
        .tick(&app.db.db, &th_core::ManualClock::at(NOW))
        .await
        .unwrap()
        .computed
}

fn statement_on_page(body: &str) -> String {
    let at = body
        .find("name=\"statement\" value=\"")
        .expect("a statement to vote on");
    body[at + 24..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect()
}

#[tokio::test]
async fn the_map_voting_and_moderation() {
    for app in TestApp::all().await {
        let mut v = app.client();
        let r = v.get("/meinungsbild/1").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Die Karte erscheint"),
            "no result before the node computed"
        );
        assert_eq!(compute(&app).await, 1);
        let r = v.get("/meinungsbild/1").await;
        for want in [
            "Gruppe A",
            "Gruppe B",
            "Gruppe C",
            "role=\"img\"",
            "<desc id=\"karte-text\">3000 Teilnehmende bilden 3 Meinungsgruppen.",
            "Darin sind sich alle einig",
            "Breite Zustimmung:",
        ] {
            assert!(r.body.contains(want), "{want}");
        }
        assert!(!r.body.contains("Gruppe D"));
        // Vote without an account: a pseudonymous cookie, one vote per statement, changeable.
        let s = statement_on_page(&r.body);
        let r = v
            .post_form(
                "/meinungsbild/1/abstimmen",
                &[("statement", &s), ("vote", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(v.cookies.contains_key("th_op"));
        let r = v
            .post_form(
                "/meinungsbild/1/abstimmen",
                &[("statement", &s), ("vote", "-1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = v.get("/meinungsbild/1").await;
        assert!(r
            .body
            .contains("Sie haben über 1 von 24 Aussagen abgestimmt."));
        assert_ne!(
            statement_on_page(&r.body),
            s,
            "the next statement is another one"
        );
        assert_eq!(compute(&app).await, 1);
        let a = v
            .json(Method::GET, "/api/v1/conversations/1", "")
            .await
            .json();
        assert_eq!(a["analysis"]["participants"], 3001);
        assert_eq!(a["analysis"]["groups"].as_array().unwrap().len(), 3);
        // The API: an anonymous participant identifies with a header.
        let key = [("x-opinion-participant", "k".repeat(40))];
        let h: Vec<(&str, &str)> = key.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let mut api = app.client();
        let r = api
            .json(
                Method::POST,
                "/api/v1/conversations/1/votes",
                r#"{"statement": 0, "vote": 1}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("X-Opinion-Participant"));
        for (m, p, b, want) in [
            (
                Method::POST,
                "/api/v1/conversations/1/votes",
                r#"{"statement": 0, "vote": 1}"#,
                StatusCode::OK,
            ),
            (
                Method::POST,
                "/api/v1/conversations/1/votes",
                r#"{"statement": 0, "vote": 5}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                Method::POST,
                "/api/v1/conversations/1/votes",
                r#"{"statement": 999, "vote": 1}"#,
                StatusCode::NOT_FOUND,
            ),
            (
                Method::POST,
                "/api/v1/conversations/1/votes",
                r#"{"statement": "x", "vote": 1}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                Method::POST,
                "/api/v1/conversations/1/statements",
                r#"{"text": "   "}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                Method::POST,
                "/api/v1/conversations/1/statements",
                r#"{"text": "Busfahrpläne sollten mehrsprachig aushängen."}"#,
                StatusCode::CREATED,
            ),
            (
                Method::POST,
                "/api/v1/conversations/1/statements",
                r#"{"text": "Busfahrpläne sollten mehrsprachig aushängen."}"#,
                StatusCode::CREATED,
            ),
        ] {
            let r = api
                .send(m, p, Some("application/json"), b.as_bytes().to_vec(), &h)
                .await;
            assert_eq!(r.status, want, "{p} {b}: {}", r.body);
        }
        // A flood of statements from one participant is stopped (10 an hour).
        let flood = [("x-opinion-participant", "f".repeat(40))];
        let fh: Vec<(&str, &str)> = flood.iter().map(|(a, b)| (*a, b.as_str())).collect();
        for i in 0..11 {
            let body = format!(r#"{{"text": "Flutaussage Nummer {i}"}}"#);
            let r = api
                .send(
                    Method::POST,
                    "/api/v1/conversations/1/statements",
                    Some("application/json"),
                    body.into_bytes(),
                    &fh,
                )
                .await;
            let want = if i < 10 {
                StatusCode::CREATED
            } else {
                StatusCode::TOO_MANY_REQUESTS
            };
            assert_eq!(r.status, want, "statement {i}");
        }
        // Strict moderation: the new statement waits; it is not offered and cannot be voted on.
        let r = api
            .send(
                Method::POST,
                "/api/v1/conversations/1/votes",
                Some("application/json"),
                br#"{"statement": 24, "vote": 1}"#.to_vec(),
                &h,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let mut coord = app.signed_in(Role::Coordinator).await;
        let page = coord.get("/verwaltung/meinungsbild/1").await;
        assert!(page
            .body
            .contains("Busfahrpläne sollten mehrsprachig aushängen."));
        assert!(page.body.contains("Zu prüfen: 12"), "two bus statements (a waiting duplicate is not refused: nobody may learn what waits) and ten from the flood");
        let r = coord
            .json(
                Method::PUT,
                "/api/v1/conversations/1/statements/24/moderation",
                r#"{"decision": "accept"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = api
            .send(
                Method::POST,
                "/api/v1/conversations/1/votes",
                Some("application/json"),
                br#"{"statement": 24, "vote": 1}"#.to_vec(),
                &h,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let r = coord
            .json(
                Method::PUT,
                "/api/v1/conversations/1/statements/24/moderation",
                r#"{"decision": "nonsense"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // A signed-in participant's votes are theirs: in the export of their data.
        let mut p = app.signed_in(Role::Participant).await;
        let r = p
            .json(
                Method::POST,
                "/api/v1/conversations/1/votes",
                r#"{"statement": 2, "vote": -1}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let export = p.get("/konto/daten.json").await.json();
        assert_eq!(export["opinion_maps"][0]["votes"][0]["statement"], 2);
        assert_eq!(export["opinion_maps"][0]["votes"][0]["vote"], -1);
        // Closed: nothing is taken, the map stays.
        let r = coord
            .json(
                Method::PUT,
                "/api/v1/conversations/1/status",
                r#"{"status": "closed"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = api
            .send(
                Method::POST,
                "/api/v1/conversations/1/votes",
                Some("application/json"),
                br#"{"statement": 1, "vote": 1}"#.to_vec(),
                &h,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(compute(&app).await, 1);
        let r = v.get("/meinungsbild/1").await;
        assert!(r.body.contains("abgeschlossen") && r.body.contains("Gruppe C"));
        // Hidden: only coordinators see it.
        coord
            .json(
                Method::PUT,
                "/api/v1/conversations/1/status",
                r#"{"status": "hidden"}"#,
            )
            .await;
        assert_eq!(v.get("/meinungsbild/1").await.status, StatusCode::NOT_FOUND);
        assert_eq!(coord.get("/meinungsbild/1").await.status, StatusCode::OK);
    }
}
