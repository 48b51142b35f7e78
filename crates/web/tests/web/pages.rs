use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn start_page_shows_the_region_and_its_figures_in_german() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("<html lang=\"de\" dir=\"ltr\">"),
            "{}",
            &r.body[..200]
        );
        assert!(r.body.contains("Region Hannover"));
        assert!(r.body.contains("über 300.000"));
        assert!(r.body.contains("mehr als ein Viertel"));
        assert!(r.body.contains("Vielfalt und Zusammenhalt"));
        assert!(r.body.contains("href=\"#inhalt\""), "skip link");
        assert!(r.body.contains("<main class=\"th-main\" id=\"inhalt\""));
        let csp = r
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(
            !r.body.contains("http://") && !r.body.contains("https://"),
            "no third-party host is referenced"
        );
    }
}

#[tokio::test]
async fn the_concept_in_english_and_arabic_with_visible_fallback() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let r = c.get("/konzept?lang=en").await;
        assert!(r.body.contains("lang=\"en\""));
        assert!(r.body.contains("Fields of action"));
        assert_eq!(
            c.cookies.get("th_lang").map(String::as_str),
            Some("en"),
            "choice remembered"
        );
        let r = c.get("/konzept").await;
        assert!(
            r.body.contains("Fields of action"),
            "remembered without the query"
        );

        let mut a = app.client();
        a.lang = Some("ar-SY,ar;q=0.9".into());
        let r = a.get("/konzept/handlungsfeld/4").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
        // Goal descriptions exist only in German: shown with a visible, labelled fallback.
        assert!(
            r.body.contains("lang=\"de\""),
            "German fallback is marked with its language"
        );
        assert!(r.body.contains("th-fallback"));
        // Goal 4.2 keeps its number.
        assert!(r.body.contains("4.2"));
    }
}

#[tokio::test]
async fn eight_fields_of_action_with_named_goals() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let v = c.get("/api/v1/concept?texts=all").await.json();
        let fields = v["fields"].as_array().unwrap();
        assert_eq!(fields.len(), 8);
        let titles: Vec<&str> = fields
            .iter()
            .map(|f| f["title"]["de"].as_str().unwrap())
            .collect();
        assert_eq!(titles[0], "Partizipation und Teilhabe");
        assert_eq!(titles[7], "Interkulturelle Öffnung");
        let goals: Vec<&serde_json::Value> = fields
            .iter()
            .flat_map(|f| f["goals"].as_array().unwrap())
            .collect();
        let named = goals.iter().filter(|g| g["illustrative"] == false).count();
        assert_eq!(named, 5, "the five publicly named goals");
        for f in fields {
            let n = f["goals"].as_array().unwrap().len();
            assert!(
                n >= 3,
                "every field has its named goal plus 2-4 illustrative ones"
            );
        }
        assert!(
            goals.iter().all(|g| g["title"]["en"].is_string()),
            "English complete"
        );
        assert_eq!(v["status"], "adopted");
        assert!(v["adopted_at"].as_str().unwrap().starts_with("2016-09-27"));
    }
}

#[tokio::test]
async fn legal_pages_exist_and_are_marked_as_demo_texts() {
    for app in TestApp::all().await {
        let mut c = app.client();
        for (path, words) in [
            ("/impressum", "Impressum"),
            ("/datenschutz", "Datenschutzerklärung"),
            ("/barrierefreiheit", "Erklärung zur Barrierefreiheit"),
        ] {
            let r = c.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.body.contains(words));
            assert!(r.body.contains("Demo-Text"), "{path} marks its demo text");
        }
        // The feedback form reaches the coordinators.
        let r = c
            .post_form(
                "/barrierefreiheit",
                &[
                    ("message", "Der Kontrast im Kopf ist zu schwach."),
                    ("contact", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let fb = app.db.feedback(app.tenant()).await.unwrap();
        assert_eq!(fb.len(), 1);
        // ... and reaches the coordinators by e-mail (through the outbox).
        let mails = th_mail::outbox(&app.db, app.tenant(), 10).await.unwrap();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].recipient, th_demo::COORDINATOR_EMAIL);
        assert_eq!(mails[0].subject, "Neue Rückmeldung zur Barrierefreiheit");
        // An empty message is refused, field by field, and nothing is stored.
        let r = c
            .post_form(
                "/barrierefreiheit",
                &[("message", " "), ("contact", "kein-mail")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"message-error\""));
        assert!(r.body.contains("id=\"contact-error\""));
        assert!(r.body.contains("aria-describedby=\"message-error\""));
        assert_eq!(app.db.feedback(app.tenant()).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn health_and_metrics() {
    for app in TestApp::all().await {
        let mut c = app.client();
        assert_eq!(c.get("/healthz").await.status, StatusCode::OK);
        c.get("/konzept").await;
        let m = c.get("/metrics").await;
        assert!(m
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        assert!(
            m.body.contains(
                "teilhabe_http_requests_total{method=\"GET\",route=\"/konzept\",status=\"200\"}"
            ),
            "{}",
            m.body
        );
        assert!(m
            .body
            .contains("teilhabe_http_request_duration_seconds_bucket"));
        assert!(c.get("/").await.headers.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn assets_are_served_from_the_binary() {
    let app = TestApp::new(th_storage::Backend::Sqlite).await;
    let mut c = app.client();
    let css = c.get("/assets/kern.min.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("kern-btn"));
    let font = c.get("/assets/fonts/NotoSansArabic-400.woff2").await;
    assert_eq!(font.headers.get("content-type").unwrap(), "font/woff2");
    assert_eq!(
        c.get("/assets/nothing.css").await.status,
        StatusCode::NOT_FOUND
    );
}

/// The OpenAPI document is generated from the code; this snapshot shows every change in
/// review. Run with UPDATE_SNAPSHOTS=1 to accept a change.
#[tokio::test]
async fn openapi_snapshot() {
    let app = TestApp::new(th_storage::Backend::Sqlite).await;
    let doc = app.client().get("/api/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        expected == text,
        "OpenAPI changed; review and run with UPDATE_SNAPSHOTS=1"
    );
}

/// Every key in the catalogs is used somewhere in the code (and the catalog tests in th-i18n
/// make sure every locale has every key).
#[test]
fn every_catalog_key_is_used_in_the_code() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut code = String::new();
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && !p.ends_with("tests") && !p.ends_with("locales") {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs")
                && p.to_string_lossy().contains("/src/")
            {
                code.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let unused: Vec<String> = th_i18n::messages(th_core::Locale::De)
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| !code.contains(&format!("\"{k}\"")))
        .collect();
    assert!(
        unused.is_empty(),
        "catalog keys the code never uses: {unused:?}"
    );
}

#[tokio::test]
async fn coordinators_edit_the_legal_pages_through_form_and_api() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(th_core::Role::Coordinator).await;
        let r = c
            .post_form(
                "/verwaltung/seiten/impressum",
                &[
                    ("sprache", "de"),
                    ("body", "Landkreis Beispiel, Musterstraße 1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = c
            .json(
                axum::http::Method::PUT,
                "/api/v1/pages/privacy",
                r#"{"locale":"en","body":"We keep little."}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["is_demo"], false);
        let r = c
            .json(
                axum::http::Method::PUT,
                "/api/v1/pages/privacy",
                r#"{"locale":"en","body":"  "}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut v = app.client();
        let page = v.get("/impressum").await.body;
        assert!(page.contains("Musterstraße 1"));
        assert!(
            !page.contains("Demo-Text"),
            "an edited page is no longer marked as demo"
        );
        v.lang = Some("en".into());
        assert!(v.get("/datenschutz").await.body.contains("We keep little."));
        let audit = app
            .db
            .audit_by_actor(
                app.tenant(),
                c.app.user_id_of("coordinator@example.org").await,
            )
            .await
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.action == "edit_site_page")
                .count(),
            2
        );
    }
}
