use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

const BROKEN: &[u8] = include_bytes!("../../../../tests/fixtures/organisationen-sozialamt.csv");
const FIXED: &[u8] =
    include_bytes!("../../../../tests/fixtures/organisationen-sozialamt-korrigiert.csv");

fn multipart(csrf: Option<&str>, file: &[u8], check_only: bool) -> (String, Vec<u8>) {
    let b = "----teilhabe-test-boundary";
    let mut body = Vec::new();
    if let Some(c) = csrf {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c}\r\n")
                .as_bytes(),
        );
    }
    if check_only {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"nur_pruefen\"\r\n\r\n1\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"liste.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

async fn count(app: &TestApp) -> i64 {
    th_participation::count(&app.db, app.tenant())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_registry_lists_filters_and_pages() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = c.get("/verwaltung/organisationen").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("700 Organisationen gefunden"),
            "{}",
            &r.body[..500.min(r.body.len())]
        );
        assert!(r.body.contains("Seite 1 von 14"));
        assert!(r.body.contains("erfundene Demo-Organisation"));
        let r = c
            .get("/verwaltung/organisationen?art=migrant_organisation&kommune=garbsen&seite=1")
            .await;
        let n: i64 = r
            .body
            .split(" Organisationen gefunden")
            .next()
            .unwrap()
            .rsplit('>')
            .next()
            .unwrap()
            .replace('.', "")
            .trim()
            .parse()
            .unwrap();
        assert!(n > 0 && n < 100, "{n}");
        assert!(r.body.contains("Migrantenselbstorganisation"));
        assert!(!r.body.contains("<td>Wohlfahrtsverband</td>"));
        let page2 = c.get("/verwaltung/organisationen?seite=2").await;
        assert!(page2.body.contains("Seite 2 von 14"));
        assert!(page2.body.contains("rel=\"prev\""));
        let api = c
            .get("/api/v1/organisations?kind=welfare&limit=5")
            .await
            .json();
        assert_eq!(api["items"].as_array().unwrap().len(), 5);
        assert!(api["total"].as_i64().unwrap() > 5);
        assert!(api["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["kind"] == "welfare"));
    }
}

#[tokio::test]
async fn coordinators_add_and_change_organisations() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = c
            .post_form(
                "/verwaltung/organisationen",
                &[
                    ("name", ""),
                    ("kind", ""),
                    ("municipality", "atlantis"),
                    ("email", "kein"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["name-error", "kind-error", "municipality-error"] {
            assert!(r.body.contains(f), "{f}");
        }
        assert_eq!(count(&app).await, 700);
        let r = c
            .post_form(
                "/verwaltung/organisationen",
                &[
                    ("name", "Deutsch-Türkischer Elternverein Garbsen"),
                    ("kind", "migrant_organisation"),
                    ("municipality", "garbsen"),
                    ("fields", "4"),
                    ("languages", "de, tr"),
                    ("contact_name", "Ayse Demir"),
                    ("email", "vorstand@elternverein-garbsen.example"),
                    ("role", "Vorsitz"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = c.get(r.location()).await.body;
        assert!(page.contains("vorstand@elternverein-garbsen.example"));
        let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
        let r = c
            .post_form(
                &format!("/verwaltung/organisationen/{id}"),
                &[
                    ("name", "Elternverein Garbsen e.V."),
                    ("kind", "migrant_organisation"),
                    ("municipality", "garbsen"),
                    ("fields", "4, 2"),
                    ("languages", "de,tr"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let o = c.get(&format!("/api/v1/organisations/{id}")).await.json();
        assert_eq!(o["name"], "Elternverein Garbsen e.V.");
        assert_eq!(o["fields"], serde_json::json!([2, 4]));
        assert_eq!(o["contacts"][0]["role"], "Vorsitz");
        // Through the API too, with field errors.
        let r = c
            .json(
                Method::POST,
                "/api/v1/organisations",
                r#"{"name":"X","kind":"club","municipality":"hannover"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c.json(Method::POST, "/api/v1/organisations", r#"{"name":"Sprachcafé Laatzen","kind":"education","municipality":"laatzen","contact":{"email":"cafe@laatzen.example"}}"#).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(count(&app).await, 702);
        // Every change is in the audit log.
        let n = th_storage::sqlx::query(
            "SELECT COUNT(*) FROM audit_log WHERE object_type = 'organisation'",
        )
        .fetch_one(app.db.pool())
        .await
        .map(|r| th_storage::Row::get::<i64, _>(&r, 0))
        .unwrap();
        assert_eq!(n, 3);
    }
}

#[tokio::test]
async fn the_upload_names_broken_rows_by_line_and_writes_only_a_clean_file() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let csrf = c.csrf();
        let (ct, body) = multipart(Some(&csrf), BROKEN, false);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/organisationen/import",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Import abgebrochen: 3 Fehler"),
            "{}",
            r.body
        );
        for line in ["<td>15</td>", "<td>120</td>", "<td>435</td>"] {
            assert!(r.body.contains(line), "{line}");
        }
        assert!(r.body.contains("Hannnover"));
        assert_eq!(count(&app).await, 700, "nothing written");

        let (ct, body) = multipart(Some(&csrf), FIXED, true);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/organisationen/import",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Nur geprüft"));
        assert_eq!(count(&app).await, 700, "a check writes nothing");

        let (ct, body) = multipart(Some(&csrf), FIXED, false);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/organisationen/import",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("700 Organisationen wurden importiert"));
        assert!(r.body.contains("2 Dubletten übersprungen"));
        assert_eq!(count(&app).await, 1400);

        // Without the CSRF token the upload is refused.
        let (ct, body) = multipart(None, FIXED, false);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/organisationen/import",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // An empty upload gets a field error.
        let (ct, body) = multipart(Some(&csrf), b"", false);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/organisationen/import",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        let csv = c.get("/verwaltung/organisationen/export.csv").await;
        assert_eq!(
            csv.headers.get("content-type").unwrap(),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            csv.body.lines().count(),
            1 + 1401,
            "header, 700 demo contacts, 701 imported"
        );
    }
}

#[tokio::test]
async fn the_api_imports_csv_bodies() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Admin).await;
        let csrf = c.csrf();
        let r = c
            .send(
                Method::POST,
                "/api/v1/organisations/import",
                Some("text/csv"),
                BROKEN.to_vec(),
                &[("x-csrf-token", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.headers.get("content-type").unwrap(),
            "application/problem+json"
        );
        let p = r.json();
        let lines: Vec<i64> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_i64().unwrap())
            .collect();
        assert_eq!(lines, vec![15, 120, 435]);
        let r = c
            .send(
                Method::POST,
                "/api/v1/organisations/import?dry_run=true",
                Some("text/csv"),
                FIXED.to_vec(),
                &[("x-csrf-token", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["written"].is_null());
        let r = c
            .send(
                Method::POST,
                "/api/v1/organisations/import",
                Some("text/csv"),
                FIXED.to_vec(),
                &[("x-csrf-token", &csrf)],
            )
            .await;
        assert_eq!(r.json()["written"], 700);
        // Larger than the import allows: refused before it is read.
        let big = vec![b'a'; th_participation::import::MAX_BYTES + 70 * 1024];
        let r = c
            .send(
                Method::POST,
                "/api/v1/organisations/import",
                Some("text/csv"),
                big,
                &[("x-csrf-token", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
