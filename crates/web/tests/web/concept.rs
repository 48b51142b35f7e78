use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

/// A coordinator creates a draft, edits a field and a goal in German and English, adds and
/// removes goals, sees the history, adopts; the public sees versions and the difference.
#[tokio::test]
async fn coordinator_edits_a_draft_and_adopts_it() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let dash = c.get("/verwaltung").await;
        assert!(dash.body.contains("Neuen Entwurf aus Fassung 1 anlegen"));
        let base = th_concept::current(&app.db, app.tenant())
            .await
            .unwrap()
            .unwrap();
        let r = c
            .post_form(
                "/verwaltung/konzept/entwurf",
                &[("base", &base.info.id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = c
            .post_form(
                "/verwaltung/konzept/entwurf",
                &[("base", &base.info.id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "one draft at a time");

        let field = base.field_by_number(4).unwrap();
        let goal = field.goals.iter().find(|g| g.number == "4.2").unwrap();
        let page = c
            .get(&format!("/verwaltung/konzept/entwurf/ziel/{}", goal.id))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("name=\"title\""));

        // Field-level validation: the German title is required; nothing changes.
        let before = app.concept_snapshot(app.tenant()).await;
        let r = c
            .post_form(
                &format!("/verwaltung/konzept/entwurf/ziel/{}", goal.id),
                &[("sprache", "de"), ("title", "  "), ("description", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("title-error"));
        assert_eq!(before, app.concept_snapshot(app.tenant()).await);

        let r = c
            .post_form(
                &format!("/verwaltung/konzept/entwurf/ziel/{}", goal.id),
                &[
                    ("sprache", "de"),
                    (
                        "title",
                        "Anschlussangebote nach dem Integrationskurs ausbauen",
                    ),
                    ("description", "Neu gefasst."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c
            .post_form(
                &format!("/verwaltung/konzept/entwurf/handlungsfeld/{}", field.id),
                &[
                    ("sprache", "en"),
                    ("title", "Education and languages"),
                    ("description", "Revised."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = c
            .post_form(
                &format!(
                    "/verwaltung/konzept/entwurf/handlungsfeld/{}/ziel",
                    field.id
                ),
                &[("title", "Sprachkitas in allen Kommunen")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let removed = field.goals.last().unwrap();
        let r = c
            .post_form(
                &format!("/verwaltung/konzept/entwurf/ziel/{}/entfernen", removed.id),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        let hist = c.get("/verwaltung/konzept/entwurf/verlauf").await;
        assert!(
            hist.body.contains("Ziel geändert 4.2 (de)"),
            "{}",
            hist.body
        );
        assert!(hist.body.contains("Handlungsfeld geändert 4 (en)"));
        assert!(hist.body.contains("Ziel hinzugefügt 4.5"));
        assert!(
            hist.body.contains("coordinator@example.org"),
            "who changed it"
        );

        // The public still sees the adopted version until the draft is adopted.
        let mut public = app.client();
        assert!(!public
            .get("/konzept/handlungsfeld/4")
            .await
            .body
            .contains("Sprachkitas"));
        let r = c
            .post_form("/verwaltung/konzept/entwurf/beschliessen", &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let now = public.get("/konzept/handlungsfeld/4").await.body;
        assert!(now.contains("Sprachkitas in allen Kommunen"));
        assert!(now.contains("4.2"), "numbers stay stable");

        let versions = public.get("/konzept/versionen").await.body;
        assert!(versions.contains("abgelöst") && versions.contains("beschlossen"));
        let diff = public.get("/konzept/vergleich?von=1&zu=2").await.body;
        assert!(diff.contains("<ins>"), "{diff}");
        assert!(diff.contains("neu aufgenommen"));
        assert!(diff.contains("entfallen"));
        let api = public.get("/api/v1/concept/diff?from=1&to=2").await.json();
        assert!(api["changes"].as_array().unwrap().len() >= 4);
    }
}

#[tokio::test]
async fn the_api_edits_drafts_like_the_forms() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Admin).await;
        let r = c.json(Method::POST, "/api/v1/concept/draft", "").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let draft = r.json();
        assert_eq!(draft["status"], "draft");
        let goal_id = draft["fields"][5]["goals"][0]["id"].as_i64().unwrap();
        let r = c
            .json(
                Method::PUT,
                &format!("/api/v1/concept/draft/goals/{goal_id}"),
                r#"{"locale":"ar","title":"توسيع الاستشارة الصحية متعددة اللغات","description":""}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut public = app.client();
        public.lang = Some("ar".into());
        assert!(!public
            .get("/konzept/handlungsfeld/6")
            .await
            .body
            .contains("توسيع الاستشارة"));
        assert_eq!(
            c.json(Method::POST, "/api/v1/concept/draft/adopt", "")
                .await
                .status,
            StatusCode::OK
        );
        assert!(public
            .get("/konzept/handlungsfeld/6")
            .await
            .body
            .contains("توسيع الاستشارة الصحية"));
        // Adopted versions cannot be changed.
        let r = c
            .json(
                Method::PUT,
                &format!("/api/v1/concept/draft/goals/{goal_id}"),
                r#"{"locale":"de","title":"x"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "no draft open");
        let history =
            th_storage::sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'edit_goal'")
                .fetch_one(app.db.pool())
                .await
                .map(|r| th_storage::Row::get::<i64, _>(&r, 0))
                .unwrap();
        assert_eq!(history, 1);
    }
}
