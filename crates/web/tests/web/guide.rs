//! The Wegweiser over HTTP: HSDS documents validate against the HSDS 3.0 schemas (committed in
//! specs/hsds-3.0), organisations propose and coordinators review through the forms, bad input
//! gets clear errors and changes nothing, the administration's language pages, reminders.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use th_core::Role;

const MEMBER: &str = "kontakt361@deutsch-tuerkischer-elternverein-garbsen-west.example";
const LEAD: &str = "teamleitung.auslaenderbehoerde@region-hannover.example";
const DARI: &str = "dari.sprachmittlung@region-hannover.example";

/// Resolves the schemas' relative references (`language.json`) from the committed copies.
struct Schemas(HashMap<String, Value>);

impl jsonschema::Retrieve for Schemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        self.0
            .get(&name)
            .cloned()
            .ok_or_else(|| format!("no schema {name}").into())
    }
}

fn schemas() -> HashMap<String, Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/hsds-3.0");
    let mut m = HashMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            m.insert(p.file_name().unwrap().to_string_lossy().into_owned(), v);
        }
    }
    m
}

fn validator(all: &HashMap<String, Value>, name: &str) -> jsonschema::Validator {
    jsonschema::options()
        .with_base_uri(format!("https://hsds.schemas.test/{name}"))
        .with_retriever(Schemas(all.clone()))
        .should_validate_formats(true)
        .build(&all[name])
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn check(v: &jsonschema::Validator, what: &str, doc: &Value) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate: {errors:?}\n{doc}"
    );
}

#[tokio::test]
async fn every_demo_object_validates_against_the_hsds_schemas() {
    let all = schemas();
    let service = validator(&all, "service.json");
    let org = validator(&all, "organization.json");
    let sal = validator(&all, "service_at_location.json");
    let term = validator(&all, "taxonomy_term.json");
    for app in TestApp::all().await {
        let mut c = app.client();
        let meta = c.get("/hsds/").await.json();
        assert_eq!(meta["version"], "3.0");
        let mut page = 1;
        let mut seen = 0;
        loop {
            let r = c
                .get(&format!("/hsds/services?page={page}&per_page=100"))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let p = r.json();
            for s in p["contents"].as_array().unwrap() {
                check(&service, &format!("service {}", s["id"]), s);
                seen += 1;
            }
            if p["last_page"] == true {
                assert_eq!(p["total_items"].as_i64().unwrap(), seen);
                break;
            }
            page += 1;
        }
        assert!(seen >= 300, "{seen} services");
        let orgs = c.get("/hsds/organizations?per_page=100").await.json();
        for o in orgs["contents"].as_array().unwrap() {
            check(&org, "organization", o);
        }
        let first = orgs["contents"][0]["id"].as_str().unwrap().to_string();
        let one = c.get(&format!("/hsds/organizations/{first}")).await.json();
        check(&org, "organization with locations", &one);
        assert!(!one["locations"].as_array().unwrap().is_empty());
        let sals = c
            .get("/hsds/service_at_locations?per_page=100&page=2")
            .await
            .json();
        for s in sals["contents"].as_array().unwrap() {
            check(&sal, "service_at_location", s);
        }
        let id = sals["contents"][0]["id"].as_str().unwrap().to_string();
        check(
            &sal,
            "one service_at_location",
            &c.get(&format!("/hsds/service_at_locations/{id}"))
                .await
                .json(),
        );
        for t in c.get("/hsds/taxonomy_terms?per_page=100").await.json()["contents"]
            .as_array()
            .unwrap()
        {
            check(&term, "taxonomy_term", t);
        }
        // Texts in the requested language; German where a service has no translation.
        let first_service = c.get("/hsds/services?per_page=1").await.json()["contents"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let de = c
            .get(&format!("/hsds/services/{first_service}"))
            .await
            .json();
        let ar = c
            .get(&format!("/hsds/services/{first_service}?lang=ar"))
            .await
            .json();
        check(&service, "service in Arabic", &ar);
        assert_ne!(de["name"], ar["name"]);
        assert!(ar["name"]
            .as_str()
            .unwrap()
            .chars()
            .any(|ch| ('\u{0600}'..='\u{06ff}').contains(&ch)));
        // Paging and modified_after, with clear errors.
        let later = c
            .get("/hsds/services?modified_after=2099-01-01")
            .await
            .json();
        assert_eq!(later["total_items"], 0);
        assert_eq!(later["empty"], true);
        for bad in [
            "/hsds/services?modified_after=yesterday",
            "/hsds/services?per_page=1000",
            "/hsds/services?page=-1",
            "/hsds/services/not-a-uuid",
            "/hsds/organizations/00000000-0000-5000-8000-000000000000",
        ] {
            let r = c.get(bad).await;
            assert!(
                r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::NOT_FOUND,
                "{bad}: {}",
                r.status
            );
            assert!(
                r.body.contains("\"status\""),
                "{bad}: a problem document: {}",
                r.body
            );
        }
    }
}

async fn homework_cafe(app: &TestApp) -> th_directory::Service {
    th_directory::load(
        &app.db,
        app.tenant(),
        th_directory::Which::Key("hausaufgabencafe-garbsen-west"),
    )
    .await
    .unwrap()
    .remove(0)
}

fn service_form(s: &th_directory::Service, name: &str, hours: &str) -> Vec<(String, String)> {
    let de = &s.texts["de"];
    let mut f: Vec<(String, String)> = vec![
        ("name_de".into(), name.into()),
        ("description_de".into(), de.description.clone()),
        ("eligibility_de".into(), de.eligibility.clone()),
        ("bring_de".into(), de.bring.join("\n")),
        ("name_tr".into(), s.texts["tr"].name.clone()),
        ("hours".into(), hours.into()),
        ("status".into(), "active".into()),
        ("free".into(), "1".into()),
    ];
    for t in &s.topics {
        f.push(("topics".into(), t.clone()));
    }
    for l in &s.languages {
        f.push(("languages".into(), l.clone()));
    }
    for a in &s.areas {
        f.push(("areas".into(), a.clone()));
    }
    for l in &s.locations {
        f.push(("location_ids".into(), l.id.to_string()));
    }
    f
}

#[tokio::test]
async fn an_organisation_proposes_a_change_and_the_office_publishes_it() {
    for app in TestApp::all().await {
        let s = homework_cafe(&app).await;
        let mut m = app.client();
        m.login(MEMBER, th_demo::MEMBER_PASSWORD).await;
        let list = m.get("/organisation/316/angebote").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Hausaufgabencafé Garbsen-West"));
        let path = format!("/organisation/316/angebote/{}", s.id);
        let form = m.get(&path).await;
        assert!(form.body.contains("Planetenring") && form.body.contains("name=\"hours\""));
        // Opening hours that make no sense and hostile markup: a clear error, nothing stored.
        let bad = service_form(&s, "<script>alert(1)</script>", "Di 17:00-15:00");
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = m.post_form(&path, &pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Das Ende muss nach dem Beginn liegen"),
            "{}",
            r.body
        );
        assert!(r.body.contains("&lt;script&gt;") && !r.body.contains("<script>alert"));
        assert!(th_directory::changes(&app.db, app.tenant(), None, true)
            .await
            .unwrap()
            .is_empty());
        // A good change waits for review.
        let good = service_form(
            &s,
            "Hausaufgabencafé Planetenring",
            "Di 15:00-17:00\nDo 15:00-18:00",
        );
        let pairs: Vec<(&str, &str)> = good.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = m.post_form(&path, &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(m
            .get(&format!("/wegweiser/angebot/{}", s.id))
            .await
            .body
            .contains("Hausaufgabencafé Garbsen-West"));
        // Another organisation's service is not theirs to change.
        let other = m.post_form("/organisation/316/angebote/1", &pairs).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);

        let mut c = app.signed_in(Role::Coordinator).await;
        let overview = c.get("/verwaltung/wegweiser").await;
        assert!(overview.body.contains("Hausaufgabencafé Planetenring"));
        let change = th_directory::changes(&app.db, app.tenant(), None, true)
            .await
            .unwrap()
            .remove(0);
        let review = c
            .get(&format!("/verwaltung/wegweiser/aenderungen/{}", change.id))
            .await;
        assert!(
            review.body.contains("Hausaufgabencafé Garbsen-West")
                && review.body.contains("Do 15:00-18:00")
        );
        let r = c
            .post_form(
                &format!("/verwaltung/wegweiser/aenderungen/{}/freigeben", change.id),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let public = c.get(&format!("/wegweiser/angebot/{}", s.id)).await;
        assert!(public.body.contains("Hausaufgabencafé Planetenring"));
        assert!(public.body.contains("15:00–18:00"));
        let found = c.get("/wegweiser/suche?q=Planetenring").await;
        assert!(found
            .body
            .contains(&format!("/wegweiser/angebot/{}\"", s.id)));
        // The member confirms the entry; the API shows the same.
        let r = m.post_form(&format!("{path}/bestaetigen"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let api = m.get("/api/v1/me/organisations/316/services").await.json();
        assert_eq!(api["items"][0]["name"], "Hausaufgabencafé Planetenring");
        // A proposal over the API with an unknown language code is refused with the field named.
        let mut input = homework_cafe(&app).await.input();
        input.languages.push("ara".into());
        let r = m
            .json(
                Method::PUT,
                &format!("/api/v1/me/organisations/316/services/{}", s.id),
                &serde_json::to_string(&input).unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("language_long_code"), "{}", r.body);
    }
}

#[tokio::test]
async fn bad_input_to_the_guide_gets_clear_answers_and_changes_nothing() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let long = "ب".repeat(2_000);
        for q in [
            "<img src=x onerror=alert(1)>",
            long.as_str(),
            "%00",
            "\u{202e}evil",
            "*:*",
        ] {
            let url = format!(
                "/wegweiser/suche?q={}&alter=-5&tag=99&ort=atlantis&sprache=klingon",
                form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            );
            let r = c.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "{q}");
            assert!(!r.body.contains("<img src=x"));
        }
        let r = c.get("/wegweiser/nach-dem-kurs?niveau=c9&alter=abc").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c.get("/api/v1/next-steps?niveau=b1&alter=5").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("alter"));
        assert_eq!(
            c.get("/wegweiser/angebot/99999999").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.get("/wegweiser/anerkennung/gibt-es-nicht").await.status,
            StatusCode::NOT_FOUND
        );

        let mut k = app.signed_in(Role::Coordinator).await;
        let before = th_directory::count_published(&app.db, app.tenant())
            .await
            .unwrap();
        for body in [
            "{",
            "[]",
            "[{\"id\": \"x\"}]",
            "[{\"id\":\"a\",\"name\":\"Test\",\"organization\":{\"name\":\"Niemand e. V.\"}}]",
        ] {
            let r = k.json(Method::POST, "/api/v1/guide/import", body).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.body
            );
        }
        assert_eq!(
            th_directory::count_published(&app.db, app.tenant())
                .await
                .unwrap(),
            before
        );
        let r = k.json(Method::PUT, "/api/v1/recognition", "{\"version\": \"x\", \"finder_url\": \"ftp://x\", \"bodies\": [], \"professions\": []}").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            c.get("/wegweiser/anerkennung/pflegefachkraft").await.status == StatusCode::OK,
            "the table stays"
        );
        // Services created over the API are checked like the forms.
        let bad = serde_json::json!({ "org_id": 316, "topics": ["nonsense"], "languages": ["de"], "areas": ["atlantis"], "texts": { "de": { "name": "" } }, "schedules": [{ "weekday": 9, "opens": 600, "closes": 500 }] });
        let r = k
            .json(Method::POST, "/api/v1/guide/services", &bad.to_string())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for code in ["unknown_topic", "unknown_municipality", "hours_weekday"] {
            assert!(r.body.contains(code), "{code}: {}", r.body);
        }
        assert_eq!(
            th_directory::count_published(&app.db, app.tenant())
                .await
                .unwrap(),
            before
        );
        // HSDS round trip: export, import, same services.
        let export = k.get("/verwaltung/wegweiser/export.json").await;
        assert_eq!(export.status, StatusCode::OK);
        let r = k
            .json(Method::POST, "/api/v1/guide/import", &export.body)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            th_directory::count_published(&app.db, app.tenant())
                .await
                .unwrap(),
            before
        );
    }
}

#[tokio::test]
async fn team_leads_see_gaps_and_book_interpreters_from_the_pool() {
    for app in TestApp::all().await {
        let mut lead = app.client();
        lead.login(LEAD, th_demo::services::STAFF_PASSWORD).await;
        let cov = lead.get("/amt/sprachen/abdeckung").await;
        assert_eq!(cov.status, StatusCode::OK);
        assert!(cov.body.contains("Dari") && cov.body.contains("Tigrinya"));
        assert!(
            cov.body.contains("Rami Haddad"),
            "the lead sees who carries Arabic in her unit"
        );
        let csv = lead.get("/amt/sprachen/abdeckung.csv").await;
        assert!(
            csv.body.starts_with('\u{feff}') && csv.body.contains(";Dari (دری) (prs);"),
            "{}",
            csv.body
        );
        let r = lead
            .post_form(
                "/amt/dolmetschen",
                &[
                    ("code", "prs"),
                    ("starts_at", "2026-09-29T10:00"),
                    ("minutes", "60"),
                    ("place", "Raum 2.14"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let bad = lead
            .post_form(
                "/amt/dolmetschen",
                &[
                    ("code", "xx"),
                    ("starts_at", "gestern"),
                    ("minutes", "5"),
                    ("place", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mail: Vec<String> = th_storage::sqlx::query(
            "SELECT recipient FROM mail_outbox WHERE subject LIKE '%Dari%'",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| th_storage::Row::get(r, 0))
        .collect();
        assert_eq!(mail, vec![DARI.to_string()]);
        // The colleague takes it; a staff member may not see the coverage with names.
        let mut farid = app.client();
        farid.login(DARI, th_demo::services::STAFF_PASSWORD).await;
        let page = farid.get("/amt/dolmetschen").await;
        assert!(page.body.contains("Raum 2.14"));
        assert_eq!(
            farid.get("/amt/sprachen/abdeckung").await.status,
            StatusCode::FORBIDDEN
        );
        let req = th_directory::staff::requests(&app.db, app.tenant(), None, 0)
            .await
            .unwrap()
            .remove(0);
        let r = farid
            .post_form(&format!("/amt/dolmetschen/{}/uebernehmen", req.id), &[])
            .await;
        assert!(r.location().contains("staff-accepted"), "{}", r.location());
        let again = farid
            .json(
                Method::POST,
                &format!("/api/v1/staff/interpreter-requests/{}/accept", req.id),
                "",
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(lead.get("/amt/dolmetschen").await.body.contains("zugesagt"));
        // Her languages, over the form.
        let me = farid.get("/amt/sprachen").await;
        assert!(me.body.contains("name=\"lang-prs\""));
        let staff_id =
            th_directory::staff::staff_of_user(&app.db, app.tenant(), app.user_id_of(DARI).await)
                .await
                .unwrap()[0]
                .id
                .to_string();
        let r = farid
            .post_form(
                "/amt/sprachen",
                &[
                    ("staff", &staff_id),
                    ("lang-prs", "native"),
                    ("lang-ps", "B2"),
                    ("interprets", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = farid
            .post_form(
                "/amt/sprachen",
                &[("staff", &staff_id), ("lang-prs", "fließend")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The lead adds a colleague to her team and removes her again; staff may not.
        let abh = th_directory::staff::units(&app.db, app.tenant())
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.name.contains("Ausländerbehörde"))
            .unwrap();
        let unit = abh.id.to_string();
        let r = lead
            .post_form(
                "/amt/teams/mitglieder",
                &[
                    ("unit", &unit),
                    ("name", "Meral Kaya"),
                    ("email", "meral.kaya@region-hannover.example"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = lead.get("/amt/sprachen/abdeckung").await;
        assert!(page.body.contains("Meral Kaya"));
        let bad = lead
            .post_form(
                "/amt/teams/mitglieder",
                &[("unit", &unit), ("name", ""), ("email", "kein-mail")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let other_unit = th_directory::staff::units(&app.db, app.tenant())
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.id != abh.id)
            .unwrap()
            .id
            .to_string();
        let foreign = lead
            .post_form(
                "/amt/teams/mitglieder",
                &[
                    ("unit", &other_unit),
                    ("name", "X"),
                    ("email", "x@example.org"),
                ],
            )
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "only her own team");
        assert_eq!(
            farid
                .post_form(
                    "/amt/teams/mitglieder",
                    &[("unit", &unit), ("name", "Y"), ("email", "y@example.org")]
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let meral = th_directory::staff::staff_of_unit(&app.db, app.tenant(), abh.id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.name == "Meral Kaya")
            .unwrap();
        let r = lead
            .post_form(
                &format!("/amt/teams/{unit}/mitglieder/{}/entfernen", meral.id),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!lead
            .get("/amt/sprachen/abdeckung")
            .await
            .body
            .contains("Meral Kaya"));
        // Coordinators create teams.
        let mut k = app.signed_in(Role::Coordinator).await;
        let r = k
            .post_form(
                "/amt/teams",
                &[
                    ("unit_name", "Bürgerbüro Laatzen"),
                    ("municipality", "laatzen"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(k
            .get("/amt/sprachen/abdeckung")
            .await
            .body
            .contains("Bürgerbüro Laatzen"));
        assert_eq!(
            lead.post_form(
                "/amt/teams",
                &[("unit_name", "Eigenes Team"), ("municipality", "laatzen")]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn owners_get_one_reminder_to_confirm_old_entries() {
    for app in TestApp::all().await {
        th_web::jobs::tick(&app.state).await.unwrap();
        let n: i64 = th_storage::Row::get(
            &th_storage::sqlx::query(
                "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'Bitte prüfen:%'",
            )
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
            0,
        );
        assert!(n > 0, "reminders queued");
        th_web::jobs::tick(&app.state).await.unwrap();
        let again: i64 = th_storage::Row::get(
            &th_storage::sqlx::query(
                "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'Bitte prüfen:%'",
            )
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
            0,
        );
        assert_eq!(n, again, "once");
    }
}
