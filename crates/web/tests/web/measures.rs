//! Measures through pages and API on both databases: implementation in the open (progress per
//! field, goal and measure; open data), the bulk status import that applies all or nothing,
//! the planner's saved scenarios (plan, explanation, comparison), the stateless planner and
//! bad input that changes nothing.

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
    body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"stand.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(file.as_bytes());
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

#[tokio::test]
async fn implementation_is_public_and_status_imports_apply_all_or_nothing() {
    for app in TestApp::all().await {
        let mut p = app.client();
        let r = p.get("/massnahmen").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Einwanderungsberatung der Region Hannover"));
        assert!(r.body.contains("Fortschritt nach Handlungsfeld"));
        assert!(r.body.matches("<progress").count() > 8);
        let r = p.get("/massnahmen/M-2.1-01").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Verlauf"), "the tracking history is shown");
        assert_eq!(
            p.get("/massnahmen/M-9.9-99").await.status,
            StatusCode::NOT_FOUND
        );
        let r = p.get("/massnahmen.csv").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.lines().count(), 131);
        let r = p.get("/api/v1/measures").await;
        let v = r.json();
        assert_eq!(v["measures"].as_array().unwrap().len(), 130);
        assert_eq!(v["progress"]["fields"].as_object().unwrap().len(), 8);
        let before = v["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == "M-2.1-01")
            .unwrap()["progress"]
            .as_f64()
            .unwrap();
        // English: the measure's English title, the interface in English.
        p.lang = Some("en".into());
        let r = p.get("/massnahmen/M-2.1-01").await;
        assert!(r
            .body
            .contains("Immigration advice service of Region Hannover"));

        // Coordinators: a file with bad lines changes nothing and names every line.
        let mut c = app.signed_in(Role::Coordinator).await;
        assert_eq!(c.get("/verwaltung/massnahmen").await.status, StatusCode::OK);
        let bad = "key;date;status;progress;note\nM-2.1-01;2026-11-01;running;90;gut\nM-0;2026-11-01;running;10;\nM-2.1-01;2026-11-31;running;10;\nM-1.1-04;2026-11-01;begun;10;\nM-1.1-04;2026-11-02;running;101;\n";
        let csrf = c.csrf();
        let (ct, body) = multipart(&csrf, bad);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/massnahmen/status",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for want in [
            "Diese Maßnahme gibt es nicht",
            "kein Datum",
            "Unbekannter Status",
            "von 0 bis 100",
        ] {
            assert!(r.body.contains(want), "{want}");
        }
        let r = c.json(Method::GET, "/api/v1/measures/M-2.1-01", "").await;
        assert_eq!(
            r.json()["progress"].as_f64().unwrap(),
            before,
            "nothing applied"
        );
        let r = c
            .json(
                Method::POST,
                "/api/v1/measures/status",
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
        assert_eq!(lines, [3, 4, 5, 6]);
        // A clean file applies every line.
        let good = "key,date,status,progress,note\nM-2.1-01,2026-11-01,running,90,\"Vierte Beratungsstelle, in Lehrte\"\nM-1.1-04,2026-11-01,running,5,Start\n";
        let (ct, body) = multipart(&csrf, good);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/massnahmen/status",
                Some(&ct),
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c.get(r.location()).await;
        assert!(r.body.contains("2 Aktualisierungen übernommen"));
        let m = c
            .json(Method::GET, "/api/v1/measures/M-1.1-04", "")
            .await
            .json();
        assert_eq!(
            (m["status"].as_str(), m["progress"].as_f64()),
            (Some("running"), Some(5.0))
        );
        let r = c.get("/massnahmen/M-2.1-01").await;
        assert!(r.body.contains("Vierte Beratungsstelle, in Lehrte"));
        // Participants cannot import.
        let mut u = app.signed_in(Role::Participant).await;
        let r = u
            .json(Method::POST, "/api/v1/measures/status", r#"{"csv": "x"}"#)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn scenarios_are_solved_explained_and_compared() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let v = c.json(Method::GET, "/api/v1/scenarios", "").await.json();
        let list = v["scenarios"].as_array().unwrap();
        assert_eq!(list.len(), 3);
        let objective = |i: usize| list[i]["plan"]["objective"].as_f64().unwrap();
        for s in list {
            assert_eq!(s["plan"]["status"], "optimal", "{}", s["name"]);
            // Never above what is available, every year.
            for y in s["plan"]["years"].as_array().unwrap() {
                assert!(
                    y["money_eur"].as_f64().unwrap()
                        <= y["money_available"].as_f64().unwrap() + 1e-6
                );
                assert!(
                    y["staff_fte"].as_f64().unwrap()
                        <= y["staff_available"].as_f64().unwrap() + 1e-6
                );
            }
            // Every candidate is chosen or explained.
            let n = s["plan"]["chosen"].as_array().unwrap().len()
                + s["plan"]["left_out"].as_array().unwrap().len();
            assert_eq!(n, 79, "the 79 planned measures are the candidates");
        }
        // Twice the money and staff never does worse; a cut never does better.
        assert!(objective(1) > objective(0));
        assert!(objective(2) < objective(0));
        let r = c.get("/verwaltung/szenarien").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Beweisbar optimal"));
        let r = c.get("/verwaltung/szenarien/1").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Nicht im Plan"));
        assert!(r.body.contains("/verwaltung/szenarien/1/uebernehmen"));
        assert!(
            r.body.contains("bräuchte bei Start"),
            "left-out measures say what they need"
        );
        assert!(r.body.contains("ausgeschöpft"), "what binds is named");
        let r = c.get("/verwaltung/szenarien/vergleich?a=1&b=2").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Nur in „Doppelter Fonds"));
        assert_eq!(
            c.get("/verwaltung/szenarien/vergleich?a=1&b=99")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.get("/verwaltung/szenarien/99").await.status,
            StatusCode::NOT_FOUND
        );

        // A new scenario through the API; bad ones are refused by name and nothing is saved.
        let body = serde_json::json!({ "name": "Nur Gesundheit", "scenario": {
            "horizon": { "first_year": 2027, "years": 5 }, "money_eur": 80000, "staff_fte": 1.5,
            "min_share": { "6": 0.5 }, "start_flexibility": 1 } });
        let r = c
            .json(Method::POST, "/api/v1/scenarios", &body.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["plan"]["status"], "optimal");
        let f6 = v["plan"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == 6)
            .unwrap()
            .clone();
        assert!(f6["share"].as_f64().unwrap() >= 0.5 - 1e-9);
        let bad = serde_json::json!({ "name": "x", "scenario": {
            "horizon": { "first_year": 2027, "years": 5 }, "money_eur": -1, "staff_fte": 1,
            "must": ["M-0.0-00"] } });
        let r = c
            .json(Method::POST, "/api/v1/scenarios", &bad.to_string())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert!(
            fields.contains(&"money_eur".to_string()) && fields.contains(&"must[0]".to_string()),
            "{fields:?}"
        );
        assert_eq!(
            c.json(Method::GET, "/api/v1/scenarios", "").await.json()["scenarios"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            c.json(Method::DELETE, &format!("/api/v1/scenarios/{id}"), "")
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            c.json(Method::GET, &format!("/api/v1/scenarios/{id}"), "")
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Adopting the fund's plan funds its chosen measures from their start year; their
        // progress is then published and rolls up.
        let chosen: Vec<String> = list[0]["plan"]["chosen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap().to_string())
            .collect();
        let csrf = c.csrf();
        let r = c
            .post_form("/verwaltung/szenarien/1/uebernehmen", &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let v = c.json(Method::GET, "/api/v1/measures", "").await.json();
        let funded: Vec<&str> = v["measures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["status"] == "funded")
            .map(|m| m["key"].as_str().unwrap())
            .collect();
        assert_eq!(funded.len(), chosen.len());
        assert!(chosen.iter().all(|k| funded.contains(&k.as_str())));
        // Adopting again funds nothing new.
        let r = c.json(Method::POST, "/api/v1/scenarios/1/adopt", "").await;
        assert_eq!(r.json()["funded"], 0);
        let m = c
            .json(Method::GET, &format!("/api/v1/measures/{}", chosen[0]), "")
            .await
            .json();
        assert!(m["updates"][0]["text"]["de"]
            .as_str()
            .unwrap()
            .contains("Projektfonds"));
        // Funded measures must be in the fund's plan from now on: solved again, it keeps them.
        let v = c.json(Method::GET, "/api/v1/scenarios/1", "").await.json();
        let again: Vec<&str> = v["plan"]["chosen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap())
            .collect();
        assert!(chosen.iter().all(|k| again.contains(&k.as_str())));
        assert_eq!(v["plan"]["objective"].as_f64().unwrap(), objective(0));

        // The stateless planner: a plan, named errors, named conflicts.
        let doc = r#"{"horizon":{"first_year":2027,"years":5},"money_eur":100000,"staff_fte":2,"measures":[
          {"key":"A","field":1,"goals":{"1.1":3},"planned_start":2027,"staff_fte":0,"money_eur":60000},
          {"key":"B","field":2,"goals":{"2.1":2},"planned_start":2027,"staff_fte":0,"money_eur":60000}]}"#;
        let r = c.json(Method::POST, "/api/v1/plan", doc).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["chosen"][0]["key"], "A");
        let r = c
            .json(
                Method::POST,
                "/api/v1/plan",
                &doc.replace("\"staff_fte\":2", "\"staff_fte\":2,\"must\":[\"A\",\"B\"]"),
            )
            .await;
        assert_eq!(r.json()["status"], "infeasible");
        assert_eq!(r.json()["conflicts"].as_array().unwrap().len(), 3);
        let r = c
            .json(
                Method::POST,
                "/api/v1/plan",
                &doc.replace("60000}]", "-5}]"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "measures[1].money_eur");
        let r = c
            .json(Method::POST, "/api/v1/plan", r#"{"horizon": 5}"#)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!r.json()["errors"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn coordinators_create_change_and_delete_scenarios_in_the_form() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = c.get("/verwaltung/szenarien").await;
        assert!(r.body.contains("Neues Szenario anlegen"));
        // Bad values come back with every field named; nothing is saved.
        let bad = [
            ("name", ""),
            ("first_year", "2027"),
            ("years", "0"),
            ("money", "viel"),
            ("staff", "3"),
            ("flex", "1"),
            ("share_3", "150"),
            ("must", ""),
        ];
        let r = c.post_form("/verwaltung/szenarien", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in ["name-error", "years-error", "money-error", "share_3-error"] {
            assert!(r.body.contains(id), "{id}");
        }
        assert!(
            r.body.contains("value=\"viel\""),
            "the form keeps what was typed"
        );
        // Rules the planner refuses (an unknown measure) are named too.
        let unknown = [
            ("name", "X"),
            ("first_year", "2027"),
            ("years", "5"),
            ("money", "100000"),
            ("staff", "2"),
            ("flex", "0"),
            ("must", "M-0.0-00"),
        ];
        let r = c.post_form("/verwaltung/szenarien", &unknown).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("must-error"));
        assert_eq!(
            c.json(Method::GET, "/api/v1/scenarios", "").await.json()["scenarios"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        // A good one: per-year money with decimal commas, a share, a rule.
        let good = [
            ("name", "Gesundheit zuerst"),
            ("description", "Mehr für Gesundheit"),
            ("first_year", "2027"),
            ("years", "5"),
            ("money", "120.000; 120.000; 90.000; 90.000; 90.000"),
            ("staff", "2,5"),
            ("flex", "1"),
            ("share_6", "40"),
            ("must_not", "M-1.1-04"),
        ];
        let r = c.post_form("/verwaltung/szenarien", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let at = r.location().to_string();
        let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
        let v = c
            .json(Method::GET, &format!("/api/v1/scenarios/{id}"), "")
            .await
            .json();
        assert_eq!(
            v["scenario"]["money_eur"],
            serde_json::json!([120000.0, 120000.0, 90000.0, 90000.0, 90000.0])
        );
        assert_eq!(v["scenario"]["staff_fte"], 2.5);
        assert_eq!(v["scenario"]["min_share"]["6"], 0.4);
        assert_eq!(v["plan"]["status"], "optimal");
        assert!(v["plan"]["chosen"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["key"] != "M-1.1-04"));
        let r = c.get(&at).await;
        assert!(r.body.contains("Gesundheit zuerst"));
        assert!(
            r.body
                .contains("value=\"120000; 120000; 90000; 90000; 90000\""),
            "the change form is prefilled"
        );
        // Change it, then delete it.
        let mut changed = good.to_vec();
        changed[6] = ("flex", "0");
        let r = c.post_form(&at, &changed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let v = c
            .json(Method::GET, &format!("/api/v1/scenarios/{id}"), "")
            .await
            .json();
        assert_eq!(v["scenario"]["start_flexibility"], 0);
        // What the form does not show stays: goal weights set through the API survive a
        // change in the form.
        let body = serde_json::json!({ "name": "Gewichtet", "scenario": {
            "horizon": { "first_year": 2028, "years": 3 }, "money_eur": 100000, "staff_fte": 2,
            "goal_weights": { "2.1": 3 }, "fte_cost_eur": 80000 } });
        let w = c
            .json(Method::POST, "/api/v1/scenarios", &body.to_string())
            .await
            .json();
        let wid = w["id"].as_i64().unwrap();
        let mut form = changed.clone();
        form[0] = ("name", "Gewichtet, umbenannt");
        let r = c
            .post_form(&format!("/verwaltung/szenarien/{wid}"), &form)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let v = c
            .json(Method::GET, &format!("/api/v1/scenarios/{wid}"), "")
            .await
            .json();
        assert_eq!(v["name"], "Gewichtet, umbenannt");
        assert_eq!(v["scenario"]["goal_weights"]["2.1"], 3.0);
        assert_eq!(v["scenario"]["fte_cost_eur"], 80000.0);
        // Comparing scenarios of different horizons lines the years up.
        let r = c
            .get(&format!("/verwaltung/szenarien/vergleich?a=1&b={wid}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.matches("Kosten 2031").count(), 1);
        let r = c.post_form(&format!("{at}/loeschen"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(c.get(&at).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn measures_are_added_whole_and_traced_to_contributions() {
    for app in TestApp::all().await {
        let mut p = app.client();
        // The demo traces measures to the contributions that were taken up into their goal.
        let v = p.get("/api/v1/measures").await.json();
        let traced: Vec<&serde_json::Value> = v["measures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| !m["origins"].as_array().unwrap().is_empty())
            .collect();
        assert!(
            traced.len() >= 20,
            "{} measures with an origin",
            traced.len()
        );
        let key = traced[0]["key"].as_str().unwrap();
        let origin = traced[0]["origins"][0].as_i64().unwrap();
        let r = p.get(&format!("/massnahmen/{key}")).await;
        assert!(r.body.contains("Aus der Beteiligung"));
        assert!(r.body.contains(&format!("/beitraege/{origin}")));

        let mut c = app.signed_in(Role::Coordinator).await;
        let new = |key: &str, money: f64, requires: &str, origin: i64| {
            serde_json::json!({ "key": key, "field": 6, "goals": { "6.1": 2 }, "title": { "de": "Neue Maßnahme" },
                "planned_start": 2028, "staff_fte": 0.2, "money_eur": money, "status": "planned",
                "requires": if requires.is_empty() { vec![] } else { vec![requires] }, "origins": [origin] })
        };
        // One bad entry → nothing added, every problem named.
        let body = serde_json::json!({ "measures": [new("M-6.1-90", 1000.0, "M-2.1-01", origin), new("M-6.1-91", -5.0, "M-9", origin)] });
        let r = c
            .json(Method::POST, "/api/v1/measures", &body.to_string())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["measures[1].money_eur", "measures[1].requires[0]"]);
        let body = serde_json::json!({ "measures": [new("M-6.1-90", 1000.0, "", 999_999)] });
        let r = c
            .json(Method::POST, "/api/v1/measures", &body.to_string())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "measures[0].origins[0]");
        assert_eq!(
            c.json(Method::GET, "/api/v1/measures", "").await.json()["measures"]
                .as_array()
                .unwrap()
                .len(),
            130
        );
        // Clean: both added, one requiring an existing measure.
        let body = serde_json::json!({ "measures": [new("M-6.1-90", 1000.0, "M-2.1-01", origin), new("M-6.1-91", 500.0, "M-6.1-90", origin)] });
        let r = c
            .json(Method::POST, "/api/v1/measures", &body.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let m = c
            .json(Method::GET, "/api/v1/measures/M-6.1-91", "")
            .await
            .json();
        assert_eq!(m["requires"][0], "M-6.1-90");
        assert_eq!(m["origins"][0], origin);
        // The same keys again: refused by name.
        let r = c
            .json(Method::POST, "/api/v1/measures", &body.to_string())
            .await;
        assert_eq!(r.json()["errors"][0]["field"], "measures[0].key");
        // The form takes the same file.
        let csrf = c.csrf();
        let file =
            serde_json::json!({ "measures": [new("M-6.1-92", 2000.0, "", origin)] }).to_string();
        let (ct, mut bytes) = multipart(&csrf, &file);
        let r = c
            .send(
                Method::POST,
                "/verwaltung/massnahmen/katalog",
                Some(&ct),
                bytes.clone(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        bytes = multipart(&csrf, "{\"measures\": [{\"key\": 1}]}").1;
        let r = c
            .send(
                Method::POST,
                "/verwaltung/massnahmen/katalog",
                Some(&ct),
                bytes,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Die Maßnahmen wurden nicht hinzugefügt"));
        assert_eq!(
            c.json(Method::GET, "/api/v1/measures", "").await.json()["measures"]
                .as_array()
                .unwrap()
                .len(),
            133
        );
    }
}
