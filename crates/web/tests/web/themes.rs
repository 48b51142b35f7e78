//! Theme finding through pages and API on both databases: run over the demo process's
//! contributions, accept/rename/map to a field, merge, split, the field suggested for a
//! contribution from those assigned, and bad input that changes nothing.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

#[tokio::test]
async fn themes_are_found_curated_and_teach_the_field_suggestion() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        // Before anything is assigned there is no suggestion.
        let r = c
            .json(Method::GET, "/api/v1/contributions/1/suggested-field", "")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["field"].is_null());
        let r = c.json(Method::POST, "/api/v1/processes/1/themes", "").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        let themes = v["themes"].as_array().unwrap().clone();
        assert!(themes.len() >= 4, "{} themes", themes.len());
        let members: usize = themes
            .iter()
            .map(|t| t["members"].as_array().unwrap().len())
            .sum();
        assert!(
            members >= 250,
            "most of the 300 contributions are in a theme: {members}"
        );
        assert!(themes
            .iter()
            .all(|t| !t["words"].as_array().unwrap().is_empty()));
        let a = themes[0]["id"].as_i64().unwrap();
        let b = themes[1]["id"].as_i64().unwrap();
        // Bad input changes nothing.
        for (body, field) in [(r#"{"name": "  "}"#, "name"), (r#"{"field": 99}"#, "field")] {
            let r = c
                .json(Method::PUT, &format!("/api/v1/themes/{a}"), body)
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert!(r.body.contains(field));
        }
        let r = c
            .json(
                Method::POST,
                &format!("/api/v1/themes/{a}/merge"),
                &format!(r#"{{"from": {a}}}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            c.json(Method::PUT, "/api/v1/themes/99999", r#"{"accepted": true}"#)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // Accept, rename and map to a field.
        let r = c
            .json(
                Method::PUT,
                &format!("/api/v1/themes/{a}"),
                r#"{"name": "Sprachkurse am Abend", "field": 4, "accepted": true}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["name"], "Sprachkurse am Abend");
        assert_eq!(r.json()["field"], 4);
        // Merge b into a: a has both sets of members, b is gone.
        let before = themes[0]["members"].as_array().unwrap().len()
            + themes[1]["members"].as_array().unwrap().len();
        let r = c
            .json(
                Method::POST,
                &format!("/api/v1/themes/{a}/merge"),
                &format!(r#"{{"from": {b}}}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["members"].as_array().unwrap().len(), before);
        assert_eq!(
            c.json(
                Method::PUT,
                &format!("/api/v1/themes/{b}"),
                r#"{"accepted": true}"#
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        // Split a again: two themes whose members add up.
        let r = c
            .json(Method::POST, &format!("/api/v1/themes/{a}/split"), "")
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        let kept = v["kept"]["members"].as_array().unwrap().len();
        let new = v["new"]["members"].as_array().unwrap().len();
        assert_eq!(kept + new, before);
        assert!(kept > 0 && new > 0);
        // A run again keeps the accepted theme.
        c.json(Method::POST, "/api/v1/processes/1/themes", "").await;
        let list = c
            .json(Method::GET, "/api/v1/processes/1/themes", "")
            .await
            .json();
        assert!(list["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == a && t["accepted"] == true));
        // Contributions in the accepted theme teach the suggestion for others.
        let r = c
            .json(Method::GET, "/api/v1/contributions/300/suggested-field", "")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let s = r.json();
        assert!(s["field"].as_i64().is_some(), "{s}");
        assert!(s["probability"].as_f64().unwrap() > 0.0);
        // The page shows it all.
        let page = c.get("/verwaltung/beteiligung/1/themen").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Sprachkurse am Abend"));
        assert!(page.body.contains("Typische Wörter:"));
        // Through the forms too.
        let r = c
            .post_form(
                &format!("/verwaltung/themen/{a}"),
                &[("name", "Abendkurse"), ("field", "4"), ("accepted", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(c
            .get("/verwaltung/beteiligung/1/themen")
            .await
            .body
            .contains("Abendkurse"));
        assert_eq!(
            c.post_form("/verwaltung/beteiligung/1/themen", &[])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
}
