//! Monitoring through pages and API on both databases: indicators with charts, data tables and
//! summaries per indicator and municipality, comparisons, open data, and the values import
//! that writes nothing unless every line is right.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

fn multipart(csrf: &str, file: &str) -> (String, Vec<u8>) {
    let b = "----teilhabe-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"werte.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(file.as_bytes());
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

#[tokio::test]
async fn indicators_are_charted_compared_and_imported() {
    for app in TestApp::all().await {
        let mut p = app.client();
        let r = p.get("/monitoring").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("zur Veranschaulichung erfunden"),
            "illustrative values are marked"
        );
        assert!(r.body.contains("/monitoring/kommune/laatzen"));
        // One indicator: a chart over time (region + chosen municipalities), a chart across
        // municipalities, both with tables and a summary in words.
        let r = p
            .get("/monitoring/migration_share?kommunen=garbsen,laatzen")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.matches("<svg class=\"th-chart\"").count(), 2);
        assert_eq!(
            r.body.matches("<polyline").count(),
            3,
            "region, Garbsen, Laatzen"
        );
        assert_eq!(r.body.matches("<caption").count(), 2);
        assert!(
            r.body.contains("am höchsten in Hannover"),
            "the summary names the highest"
        );
        assert!(r.body.contains("<title id=\"verlauf-t\">"));
        // The compare form's checkboxes give the same page.
        let r2 = p
            .get("/monitoring/migration_share?k=garbsen&k=laatzen")
            .await;
        assert_eq!(r2.body.matches("<polyline").count(), 3);
        assert!(r2
            .body
            .contains("value=\"laatzen\" id=\"k-laatzen\" checked"));
        // Markup in a municipality name would be escaped, and unknown ones are ignored.
        let r = p
            .get("/monitoring/migration_share?kommunen=%3Cscript%3E,uetze")
            .await;
        assert_eq!(r.body.matches("<polyline").count(), 2);
        assert_eq!(
            p.get("/monitoring/unknown").await.status,
            StatusCode::NOT_FOUND
        );
        let r = p.get("/monitoring/kommune/laatzen").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.matches("<svg class=\"th-chart\"").count(), 10);
        assert_eq!(
            p.get("/monitoring/kommune/bremen").await.status,
            StatusCode::NOT_FOUND
        );
        // Arabic: the page is right to left, the charts keep the time axis left to right.
        p.lang = Some("ar".into());
        let r = p.get("/monitoring/migration_share").await;
        assert!(r.body.contains("dir=\"rtl\""));
        assert!(r.body.contains("direction=\"ltr\""));
        p.lang = None;
        // Open data.
        let csv = p.get("/monitoring.csv").await;
        assert_eq!(csv.body.lines().count(), 2101);
        let v = p.get("/api/v1/indicators").await.json();
        let list = v["indicators"].as_array().unwrap();
        assert_eq!(list.len(), 10);
        assert_eq!(list[0]["values"].as_array().unwrap().len(), 210);
        let share_2016 = list[0]["region"]["2016"].as_f64().unwrap();
        assert!(share_2016 > 15.0 && share_2016 < 40.0, "{share_2016}");
        let one = p.get("/api/v1/indicators/staff_languages").await.json();
        assert_eq!(one["indicator"]["aggregate"], "max");

        // Coordinators import values; a bad file changes nothing and names every line.
        let mut c = app.signed_in(Role::Coordinator).await;
        assert_eq!(c.get("/verwaltung/monitoring").await.status, StatusCode::OK);
        let bad = "indicator;municipality;year;value\nmigration_share;laatzen;2026;31,5\nmigration_share;bremen;2026;1\nnaturalisations;laatzen;20x6;1\nmigration_share;laatzen;2026;30\nfoo;laatzen;2026;1\nnaturalisations;laatzen;2026;viel\n";
        let csrf = c.csrf();
        let (ct, body) = multipart(&csrf, bad);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/monitoring/werte",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for want in [
            "gehört nicht zur Region",
            "kein gültiges Jahr",
            "zweimal",
            "Diese Kennzahl gibt es nicht",
            "keine Zahl",
        ] {
            assert!(r.body.contains(want), "{want}");
        }
        let r = c
            .json(
                Method::POST,
                "/api/v1/indicators/values",
                &serde_json::json!({ "csv": bad }).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let lines: Vec<i64> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_i64().unwrap())
            .collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
        assert_eq!(
            c.get("/monitoring.csv").await.body.lines().count(),
            2101,
            "nothing written"
        );
        let good = "indicator;municipality;year;value\nmigration_share;laatzen;2026;31,5\nmigration_share;laatzen;2025;30\n";
        let (ct, body) = multipart(&csrf, good);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/monitoring/werte",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let csv = c.get("/monitoring.csv").await.body;
        assert_eq!(csv.lines().count(), 2102, "2026 added, 2025 replaced");
        assert!(csv.contains("migration_share,laatzen,2026,31.5"));
        assert!(csv.contains("migration_share,laatzen,2025,30\n"));
        let mut u = app.signed_in(Role::Participant).await;
        assert_eq!(
            u.json(Method::POST, "/api/v1/indicators/values", r#"{"csv": ""}"#)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}
