//! Two tenants on one installation: every route is requested on the second tenant's host by
//! its own coordinator, and nothing of Region Hannover is visible or writable there.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::{Role, TenantId};

const BREMEN: &str = "bremen.example";

async fn second_tenant(app: &TestApp) -> TenantId {
    let t = app
        .db
        .add_tenant(BREMEN, "Stadt Bremen", NOW)
        .await
        .unwrap();
    let input: th_concept::ConceptInput = serde_json::from_value(serde_json::json!({
        "title": {"de": "Bremer Integrationskonzept"},
        "summary": {"de": "Ein Konzept für Bremen."},
        "fields": [{"number": 1, "title": {"de": "Ankommen"}, "description": {"de": "Erste Schritte."},
                    "goals": [{"number": "1.1", "title": {"de": "Beratung am ersten Tag"}}]}]
    }))
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    th_concept::create_version(
        &app.db,
        &mut tx,
        t.id,
        &input,
        th_concept::Status::Adopted,
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    t.id
}

/// Words that only Region Hannover's data contains.
const HANNOVER: &[&str] = &[
    "Hannover",
    "Vielfalt und Zusammenhalt",
    "Willkommenskultur",
    "koordination@region-hannover",
    "Laatzen",
];

#[tokio::test]
async fn nothing_of_one_tenant_is_visible_or_writable_from_another() {
    for app in TestApp::all().await {
        let bremen = second_tenant(&app).await;
        app.user(bremen, "koordination@bremen.example", Role::Coordinator)
            .await;
        let hannover_before = app.concept_snapshot(app.tenant()).await;
        let mut c = app.client();
        c.host = format!("{BREMEN}:8080");
        c.login("koordination@bremen.example", PASSWORD).await;
        // A Hannover session is worthless on Bremen's host and vice versa.
        let mut h = app.signed_in(Role::Coordinator).await;
        h.host = BREMEN.into();
        assert_eq!(h.get("/verwaltung").await.status, StatusCode::SEE_OTHER);
        let mut b_on_h = app.client();
        b_on_h.cookies = c.cookies.clone();
        assert_eq!(
            b_on_h.get("/verwaltung").await.status,
            StatusCode::SEE_OTHER
        );

        let mut routes = th_web::routes::list();
        routes.retain(|r| r.path != "/abmelden" && r.path != "/konto/loeschen");
        for r in &routes {
            if r.path.starts_with("/assets/") {
                continue;
            }
            let method = Method::from_bytes(r.method.as_bytes()).unwrap();
            let res = if method == Method::GET {
                c.get(r.example).await
            } else if r.path.starts_with("/api/") {
                c.json(method, r.example, "{}").await
            } else {
                c.post_form(r.example, &[]).await
            };
            assert!(
                res.status.as_u16() < 500,
                "{} {}: {}",
                r.method,
                r.example,
                res.status
            );
            for word in HANNOVER {
                assert!(
                    !res.body.contains(word),
                    "{} {} on Bremen shows {word:?}",
                    r.method,
                    r.example
                );
            }
        }
        // Writing Hannover's goals through Bremen's host fails and changes nothing.
        let h_goal = th_concept::current(&app.db, app.tenant())
            .await
            .unwrap()
            .unwrap()
            .fields[0]
            .goals[0]
            .id;
        let _ = c.json(Method::POST, "/api/v1/concept/draft", "").await;
        let r = c
            .json(
                Method::PUT,
                &format!("/api/v1/concept/draft/goals/{h_goal}"),
                r#"{"locale":"de","title":"übernommen"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = c
            .post_form(
                &format!("/verwaltung/konzept/entwurf/ziel/{h_goal}"),
                &[("sprache", "de"), ("title", "übernommen")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            hannover_before,
            app.concept_snapshot(app.tenant()).await,
            "Hannover unchanged"
        );
        // And Bremen's own concept is there.
        let mut visitor = app.client();
        visitor.host = BREMEN.into();
        assert!(visitor
            .get("/konzept")
            .await
            .body
            .contains("Bremer Integrationskonzept"));
    }
}
