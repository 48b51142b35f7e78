//! Processes set up by the coordination office (texts, phases, moderation rule, retention),
//! and individuals contributing under a pseudonym, moderated before publication.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

#[tokio::test]
async fn a_process_moderated_before_publication() {
    for app in TestApp::all().await {
        let mut coord = app.signed_in(Role::Coordinator).await;
        let r = coord
            .post_form(
                "/verwaltung/verfahren",
                &[
                    ("title_de", ""),
                    ("moderation", "sometimes"),
                    ("retention_days", "5"),
                    ("phase_collecting_from", "2026-10-01"),
                    ("phase_collecting_to", "2026-09-01"),
                    ("phase_forums_from", "morgen"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in [
            "title_de-error",
            "moderation",
            "retention_days-error",
            "phase_collecting",
            "phase_forums",
        ] {
            assert!(r.body.contains(id), "{id}");
        }
        assert_eq!(
            coord.get("/api/v1/processes").await.json()["items"]
                .as_array()
                .map(|a| a.len()),
            Some(2),
            "nothing written"
        );
        let r = coord
            .post_form(
                "/verwaltung/verfahren",
                &[
                    ("title_de", "Dialog Wohnen"),
                    ("title_tr", "Konut Diyaloğu"),
                    ("description_de", "Wie finden Zugewanderte eine Wohnung?"),
                    ("moderation", "before"),
                    ("retention_days", "365"),
                    ("phase_collecting_from", "2026-09-01"),
                    ("phase_collecting_to", "2026-12-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let pid = r.location().rsplit('/').next().unwrap().to_string();
        let page = coord.get(r.location()).await;
        assert!(page
            .body
            .contains("id=\"moderation-before\" value=\"before\" checked"));
        assert!(
            page.body
                .contains("Personenbezogene Daten werden am 01.01.2028 gelöscht"),
            "{}",
            page.body
        );

        // A person contributes under a pseudonym; it waits for moderation.
        let mut p = app.signed_in(Role::Participant).await;
        let form = p.get(&format!("/beteiligung/{pid}/beitragen")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("erst nach einer Prüfung"));
        let r = p
            .post_form(
                &format!("/beteiligung/{pid}/beitragen"),
                &[
                    ("kind", "wish"),
                    ("title", "Mehr Beratung"),
                    ("body", "Bitte"),
                    ("fields", "3"),
                    ("pseudonym", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("pseudonym-error"));
        let r = p
            .post_form(
                &format!("/beteiligung/{pid}/beitragen"),
                &[
                    ("kind", "wish"),
                    ("title", "Mehr Beratung zur Wohnungssuche"),
                    ("body", "Bitte in mehreren Sprachen."),
                    ("fields", "3"),
                    ("pseudonym", "Sonnenblume"),
                    ("notify", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().starts_with("/konto?beitrag="));
        let cid = r
            .location()
            .trim_start_matches("/konto?beitrag=")
            .split('#')
            .next()
            .unwrap()
            .to_string();
        let konto = p.get("/konto").await;
        assert!(konto.body.contains("Mehr Beratung zur Wohnungssuche"));
        assert!(konto.body.contains("nicht veröffentlicht"));
        let mut visitor = app.client();
        assert_eq!(
            visitor.get(&format!("/beitraege/{cid}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(coord
            .get("/verwaltung/moderation")
            .await
            .body
            .contains("Mehr Beratung zur Wohnungssuche"));
        let r = coord
            .post_form(
                &format!("/verwaltung/beitraege/{cid}/moderation"),
                &[("publish", "1"), ("reason", "in Ordnung")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let public = visitor.get(&format!("/beitraege/{cid}")).await;
        assert_eq!(public.status, StatusCode::OK);
        assert!(public.body.contains("Sonnenblume"));
        assert!(
            !public.body.contains("participant@example.org"),
            "the account stays hidden"
        );

        // The finished 2016 process takes no more contributions.
        assert_eq!(
            p.get("/beteiligung/1/beitragen").await.status,
            StatusCode::CONFLICT
        );

        // Changing the rule over the API: after publication, a longer retention.
        let r = coord
            .json(
                Method::PUT,
                &format!("/api/v1/processes/{pid}"),
                r#"{"title":{"de":"Dialog Wohnen"},"moderation":"after","retention_days":730,"phases":{"collecting":["2026-09-01","2026-12-31"]}}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["moderation"], "after");
        let r = coord
            .json(
                Method::POST,
                "/api/v1/processes",
                r#"{"title":{"de":"X"},"moderation":"after","retention_days":10}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "retention_days");
        // Contributing over the API, now published at once.
        let r = p
            .json(
                Method::POST,
                &format!("/api/v1/processes/{pid}/contributions"),
                r#"{"kind":"idea","title":"Wohnungsbörse","body":"Eine mehrsprachige Börse","fields":[3],"pseudonym":"Sonnenblume"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["published"], true);
        let r = p
            .json(
                Method::POST,
                &format!("/api/v1/processes/{pid}/contributions"),
                r#"{"kind":"idea","title":"X","body":"Y","fields":[99],"pseudonym":"S"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Participants cannot change processes.
        let r = p
            .json(
                Method::PUT,
                &format!("/api/v1/processes/{pid}"),
                r#"{"title":{"de":"Y"},"moderation":"after","retention_days":730}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}
