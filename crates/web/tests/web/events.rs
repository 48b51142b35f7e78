//! Events over HTTP: the calendar, registration by guests, accounts and organisations (through
//! the invitation link) with the waiting list, cancellation links, iCalendar, the coordinator's
//! planning and record, and the same in the JSON API.

use crate::common::*;
use crate::invitations::{letters, link_in};
use axum::http::{Method, StatusCode};
use th_core::Role;

/// The demo's almost full workshop of the revision (19 of 20 places taken).
async fn workshop(app: &TestApp) -> i64 {
    let r = app.client().get("/api/v1/events?process=2").await;
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["capacity"] == 20)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// The cancellation link of the newest registration mail to `email`, and its subject.
async fn mailed(app: &TestApp, email: &str) -> (String, String) {
    let r = th_storage::sqlx::query(
        "SELECT subject, body FROM mail_outbox WHERE recipient = $1 AND body LIKE '%/anmeldung/%' ORDER BY id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let subject: String = th_storage::Row::get(&r, 0);
    let body: String = th_storage::Row::get(&r, 1);
    let token = body
        .split("/anmeldung/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    (token, subject)
}

#[tokio::test]
async fn guests_register_wait_and_move_up() {
    for app in TestApp::all().await {
        let w = workshop(&app).await;
        let mut visitor = app.client();
        let page = visitor.get(&format!("/veranstaltungen/{w}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("1 von 20 Plätzen frei"), "{}", page.body);
        assert!(page.body.contains("18:00 Begrüßung"), "agenda");

        // Bad input: a clear message per field, nothing stored.
        let r = visitor
            .post_form(
                &format!("/veranstaltungen/{w}/anmelden"),
                &[("name", ""), ("email", "keine-adresse")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in ["name-error", "email-error", "consent-error"] {
            assert!(r.body.contains(id), "{id}");
        }
        let count = |app: &TestApp| {
            let db = app.db.pool().clone();
            async move {
                th_storage::sqlx::query("SELECT COUNT(*) FROM part_registrations")
                    .fetch_one(&db)
                    .await
                    .map(|r| th_storage::Row::get::<i64, _>(&r, 0))
                    .unwrap()
            }
        };
        assert_eq!(count(&app).await, 19);

        // The last place.
        let r = visitor
            .post_form(
                &format!("/veranstaltungen/{w}/anmelden"),
                &[
                    ("name", "Ayşe Demir"),
                    ("email", "ayse@example.org"),
                    ("org_kind", "migrant_organisation"),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let p = visitor.get(r.location()).await;
        assert!(
            p.body.contains("Wir haben Ihnen eine E-Mail geschickt"),
            "{}",
            p.body
        );
        let (first, subject) = mailed(&app, "ayse@example.org").await;
        assert!(subject.starts_with("Anmeldung bestätigt"), "{subject}");
        let p = visitor.get(&format!("/anmeldung/{first}")).await;
        assert!(p.body.contains("Bestätigt"), "{}", p.body);
        assert_eq!(
            p.headers.get("cache-control").unwrap(),
            "no-store",
            "the link is a secret"
        );

        // Twice: the same answer as the first time (it reveals nobody's registration), nothing
        // doubled, and a fresh link by e-mail (the old one no longer works).
        let r = visitor
            .post_form(
                &format!("/veranstaltungen/{w}/anmelden"),
                &[
                    ("name", "Ayşe Demir"),
                    ("email", "AYSE@example.org"),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().contains("gemeldet=1"));
        assert_eq!(count(&app).await, 20);
        let (again, subject) = mailed(&app, "ayse@example.org").await;
        assert_ne!(again, first);
        assert!(subject.starts_with("Anmeldung bestätigt"));
        assert_eq!(
            visitor.get(&format!("/anmeldung/{first}")).await.status,
            StatusCode::NOT_FOUND
        );
        let first = again;

        // Full now: the next one waits, and the page says where.
        let mut other = app.client();
        let r = other
            .post_form(
                &format!("/veranstaltungen/{w}/anmelden"),
                &[
                    ("name", "Jan Kowalski"),
                    ("email", "jan@example.org"),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let (second, subject) = mailed(&app, "jan@example.org").await;
        assert!(subject.starts_with("Warteliste"), "{subject}");
        let p = other.get(&format!("/anmeldung/{second}")).await;
        assert!(p.body.contains("Warteliste, Platz 1"), "{}", p.body);
        let page = other.get(&format!("/veranstaltungen/{w}")).await;
        assert!(page.body.contains("Ausgebucht. Auf der Warteliste: 1"));

        // The first cancels through her link: the second moves up and is told by e-mail.
        let r = visitor
            .post_form(&format!("/anmeldung/{first}/abmelden"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let p = other.get(&format!("/anmeldung/{second}")).await;
        assert!(p.body.contains("Bestätigt"), "{}", p.body);
        let mails = th_mail::outbox(&app.db, app.tenant(), 100).await.unwrap();
        assert!(mails
            .iter()
            .any(|m| m.recipient == "jan@example.org"
                && m.subject.starts_with("Sie haben einen Platz")));
        assert!(mails
            .iter()
            .any(|m| m.recipient == "ayse@example.org" && m.subject.starts_with("Abmeldung")));
        // An unknown link.
        assert_eq!(
            visitor.get("/anmeldung/unbekannt").await.status,
            StatusCode::NOT_FOUND
        );

        // iCalendar for one event and for all.
        let ics = visitor
            .get(&format!("/veranstaltungen/{w}/kalender.ics"))
            .await;
        assert_eq!(ics.status, StatusCode::OK);
        assert!(ics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        assert!(ics.body.contains("BEGIN:VEVENT\r\n"));
        assert!(
            ics.body.contains("DTSTART:20271014T160000Z"),
            "18:00 summer time"
        );
        let all = visitor.get("/veranstaltungen.ics").await;
        assert!(all.body.matches("BEGIN:VEVENT").count() >= 13);
    }
}

#[tokio::test]
async fn an_organisation_registers_two_members_through_its_link() {
    for app in TestApp::all().await {
        let w = workshop(&app).await;
        let mut coord = app.signed_in(Role::Coordinator).await;
        let r = coord.post_form("/verwaltung/kampagnen/1/senden", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let sent = letters(&app).await;
        let link = link_in(&sent[0].1);
        let mut phone = app.client();
        let page = phone.get(&link).await;
        assert!(
            page.body.contains("id=\"veranstaltungen\""),
            "{}",
            page.body
        );
        // No names: a clear error, nothing written.
        let r = phone
            .post_form(
                &format!("{link}/anmelden"),
                &[("event", &w.to_string()), ("names", "  ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("names-error"));
        let r = phone
            .post_form(
                &format!("{link}/anmelden"),
                &[("event", "999"), ("names", "A")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("event-error"));
        let r = phone
            .post_form(
                &format!("{link}/anmelden"),
                &[
                    ("event", &w.to_string()),
                    ("names", "Ayşe Demir\nMehmet Kaya\n"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = phone.get(r.location()).await;
        let ours = page.body.split("id=\"anmeldungen\"").nth(1).unwrap();
        assert!(ours.contains("Ayşe Demir") && ours.contains("Bestätigt"));
        assert!(ours.contains("Mehmet Kaya") && ours.contains("Warteliste, Platz 1"));

        // Another device without the device cookie cannot act for the organisation.
        let mut stranger = app.client();
        let r = stranger
            .post_form(
                &format!("{link}/anmelden"),
                &[("event", &w.to_string()), ("names", "Fremd")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // She cancels Ayşe; Mehmet moves up.
        let regs = coord
            .get(&format!("/api/v1/events/{w}/registrations"))
            .await
            .json();
        let ayse = regs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "Ayşe Demir")
            .unwrap();
        let ours_org = ayse["organisation_id"].clone();
        let ayse = ayse["id"].as_i64().unwrap();
        let r = phone
            .post_form(&format!("{link}/anmeldungen/{ayse}/abmelden"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = phone.get(&link).await;
        let ours = page.body.split("id=\"anmeldungen\"").nth(1).unwrap();
        assert!(!ours.contains("Ayşe Demir"));
        assert!(ours.contains("Mehmet Kaya") && ours.contains("Bestätigt"));
        // Someone else's registration cannot be cancelled through this link.
        let foreign = regs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["organisation_id"] != ours_org)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = phone
            .post_form(&format!("{link}/anmeldungen/{foreign}/abmelden"), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn coordinators_plan_events_and_record_what_came_of_them() {
    for app in TestApp::all().await {
        let mut coord = app.signed_in(Role::Coordinator).await;
        let r = coord
            .post_form(
                "/verwaltung/veranstaltungen",
                &[
                    ("process", "2"),
                    ("kind", "workshop"),
                    ("starts", "2027-11-02T18:00"),
                    ("ends", "2027-11-02T17:00"),
                    ("capacity", "0"),
                    ("title_de", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in [
            "ends-error",
            "capacity-error",
            "title_de-error",
            "place-error",
        ] {
            assert!(r.body.contains(id), "{id}");
        }
        let before = coord.get("/api/v1/events").await.json()["items"]
            .as_array()
            .unwrap()
            .len();
        let r = coord
            .post_form(
                "/verwaltung/veranstaltungen",
                &[
                    ("process", "2"),
                    ("kind", "workshop"),
                    ("fields", "6"),
                    ("starts", "2027-11-02T18:00"),
                    ("ends", "2027-11-02T20:00"),
                    ("place", "Stadthaus Laatzen"),
                    ("address", "Marktplatz 13, 30880 Laatzen"),
                    ("capacity", "2"),
                    ("title_de", "Werkstatt Gesundheit"),
                    ("agenda_de", "18:00 Begrüßung"),
                    ("title_tr", "Sağlık Atölyesi"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id: i64 = r
            .location()
            .split('?')
            .next()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(coord
            .get(r.location())
            .await
            .body
            .contains("Die Veranstaltung ist angelegt"));
        let list = coord.get("/api/v1/events").await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), before + 1);
        // The public list of one process shows only its events.
        let only = app.client().get("/veranstaltungen?verfahren=2").await;
        assert!(only.body.contains("Werkstatt Gesundheit"));
        assert!(!only.body.contains("Auftaktforum zum Integrationskonzept"));
        let mut tr = app.client();
        tr.lang = Some("tr".into());
        assert!(tr
            .get(&format!("/veranstaltungen/{id}"))
            .await
            .body
            .contains("Sağlık Atölyesi"));

        // Three guests over the API; the third waits. Raising the capacity moves it up.
        let mut api = app.client();
        for (n, who) in ["a", "b", "c"].iter().enumerate() {
            let r = api
                .json(
                    Method::POST,
                    &format!("/api/v1/events/{id}/registrations"),
                    &format!(
                        r#"{{"name":"Gast {who}","email":"{who}@example.org","consent":true}}"#
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
            let (_, subject) = mailed(&app, &format!("{who}@example.org")).await;
            if n < 2 {
                assert!(subject.starts_with("Anmeldung bestätigt"), "{subject}");
            } else {
                assert!(subject.starts_with("Warteliste"), "{subject}");
            }
        }
        let r = api
            .json(
                Method::POST,
                &format!("/api/v1/events/{id}/registrations"),
                r#"{"name":"X","email":"x@example.org"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "consent");
        let r = api
            .json(
                Method::POST,
                &format!("/api/v1/events/{id}/registrations"),
                r#"{"name":"Gast a","email":"a@example.org","consent":true}"#,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::ACCEPTED,
            "the same answer for a known address"
        );
        // Registrations are for coordinators only.
        assert_eq!(
            api.get(&format!("/api/v1/events/{id}/registrations"))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let page = coord
            .get(&format!("/verwaltung/veranstaltungen/{id}"))
            .await;
        assert!(page.body.contains("Gast c") && page.body.contains("Warteliste, Platz 1"));
        let r = coord
            .post_form(
                &format!("/verwaltung/veranstaltungen/{id}"),
                &[
                    ("kind", "workshop"),
                    ("fields", "6"),
                    ("starts", "2027-11-02T18:00"),
                    ("ends", "2027-11-02T20:00"),
                    ("place", "Stadthaus Laatzen"),
                    ("capacity", "3"),
                    ("title_de", "Werkstatt Gesundheit"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().contains("hinweis"));
        let j = coord.get(&format!("/api/v1/events/{id}")).await.json();
        assert_eq!(
            (
                j["event"]["confirmed"].as_i64(),
                j["event"]["waiting"].as_i64()
            ),
            (Some(3), Some(0))
        );

        // Afterwards: minutes, attendance (bad numbers refused), outcomes tied to a goal.
        let r = coord
            .post_form(
                &format!("/verwaltung/veranstaltungen/{id}/protokoll"),
                &[("minutes", "Gut besucht."), ("attendance_health", "viele")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("attendance_health-error"));
        let r = coord
            .post_form(
                &format!("/verwaltung/veranstaltungen/{id}/protokoll"),
                &[
                    ("minutes", "Gut besucht."),
                    ("attendance_health", "9"),
                    ("attendance_individual", "2"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = coord
            .post_form(
                &format!("/verwaltung/veranstaltungen/{id}/ergebnisse"),
                &[("text", "Lotsen"), ("goal", "9.9")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("goal-error"));
        let r = coord
            .post_form(
                &format!("/verwaltung/veranstaltungen/{id}/ergebnisse"),
                &[("text", "Gesundheitslotsen ausweiten"), ("goal", "6.1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let j = coord.get(&format!("/api/v1/events/{id}")).await.json();
        assert_eq!(j["attendance"]["health"], 9);
        assert_eq!(j["outcomes"][0]["goal"], "6.1");
        // The API does the same.
        let r = coord
            .json(
                Method::PUT,
                &format!("/api/v1/events/{id}/record"),
                r#"{"minutes":"Protokoll","attendance":{"welfare":4,"martians":1}}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = coord
            .json(
                Method::POST,
                &format!("/api/v1/events/{id}/outcomes"),
                r#"{"text":"Mehrsprachige Sprechstunde","goal":"6.1"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = coord
            .json(
                Method::POST,
                "/api/v1/events",
                r#"{"process_id":2,"kind":"forum","starts":"2027-12-01T18:00","ends":"2027-12-01T20:00","online_url":"https://konferenz.example/forum","capacity":50,"texts":{"de":{"title":"Online-Forum"}},"colour":"red"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
        let r = coord
            .json(
                Method::POST,
                "/api/v1/events",
                r#"{"process_id":2,"kind":"forum","starts":"2027-12-01T18:00","ends":"2027-12-01T20:00","online_url":"https://konferenz.example/forum","capacity":50,"texts":{"de":{"title":"Online-Forum"}}}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Cancelling through the API with the token the registration returned.
        let r = api
            .json(
                Method::POST,
                &format!("/api/v1/events/{}/registrations", r.json()["id"]),
                r#"{"name":"Online","email":"online@example.org","consent":true}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        let (token, _) = mailed(&app, "online@example.org").await;
        let r = api
            .json(
                Method::DELETE,
                &format!("/api/v1/registrations/{token}"),
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            api.json(Method::DELETE, "/api/v1/registrations/falsch", "")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_demo_tells_how_the_fields_of_action_came_about() {
    for app in TestApp::all().await {
        let mut v = app.client();
        let page = v.get("/veranstaltungen/1").await;
        assert!(page.body.contains("Auftaktforum"));
        assert!(page.body.contains("Was herauskam"));
        assert!(page.body.contains("acht Handlungsfelder"));
        let list = v.get("/api/v1/events?process=1").await.json();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 11, "kick-off, eight forums, two workshops");
        // The education workshop of 2015 links the homework café to goal 4.2.
        let ws = items
            .iter()
            .find(|e| e["kind"] == "workshop" && e["fields"] == serde_json::json!([4]))
            .unwrap();
        let j = v.get(&format!("/api/v1/events/{}", ws["id"])).await.json();
        assert_eq!(j["outcomes"][0]["goal"], "4.2");
        let c = j["outcomes"][0]["contribution_id"].as_i64().unwrap();
        let c = v.get(&format!("/api/v1/contributions/{c}")).await.json();
        assert!(c["contribution"]["title"]
            .as_str()
            .unwrap()
            .contains("Hausaufgabencafé"));

        // The process report: the 2013 letter reached all 700 organisations; those with
        // contributions answered; attendance adds up over the events.
        let r = v.get("/api/v1/processes/1/report").await.json();
        assert_eq!(r["reach"]["invited"], 700);
        let answered = r["reach"]["answered"].as_i64().unwrap();
        assert!(answered > 100 && answered < 700, "{answered}");
        assert_eq!(r["contributions"], 300);
        let by_kind: i64 = r["reach_by_kind"]
            .as_object()
            .unwrap()
            .values()
            .map(|x| x["invited"].as_i64().unwrap())
            .sum();
        assert_eq!(by_kind, 700);
        assert_eq!(r["events"], 11);
        let page = v.get("/beteiligung/1/bericht").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("700 Organisationen eingeladen"));
        assert_eq!(page.body.matches("<svg").count(), 4);
        assert_eq!(
            page.body.matches("<table").count(),
            4,
            "every chart has its table"
        );
        assert!(page.body.contains("role=\"img\""));
        let csv = v.get("/beteiligung/1/bericht.csv").await;
        assert!(csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert!(csv
            .body
            .contains("Organisationen nach Art;eingeladen;geantwortet\r\n"));
        assert!(csv.body.contains(&format!(
            "Migrantenselbstorganisation;{};",
            r["reach_by_kind"]["migrant_organisation"]["invited"]
        )));
    }
}
