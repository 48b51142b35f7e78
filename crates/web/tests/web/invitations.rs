//! Journeys 1 and 2 over HTTP: a coordinator sends the invitation; a contact answers through
//! the personal link on her phone, is asked for a code on a second device, and sees "our
//! contributions".

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

/// The campaign's letters, as the outbox holds them.
pub async fn letters(app: &TestApp) -> Vec<(String, String)> {
    th_storage::sqlx::query(
        "SELECT recipient, body FROM mail_outbox WHERE dedupe_key LIKE 'invitation:%' ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (th_storage::Row::get(r, 0), th_storage::Row::get(r, 1)))
    .collect()
}

pub fn link_in(body: &str) -> String {
    body.split_whitespace()
        .find(|w| w.contains("/einladung/"))
        .unwrap()
        .trim_start_matches("https://teilhabe.test")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn invite_answer_and_see_what_became_of_it() {
    for app in TestApp::all().await {
        let mut coord = app.signed_in(Role::Coordinator).await;
        // The demo has the revision's invitation ready; a new one through the form too.
        let r = coord
            .post_form("/verwaltung/kampagnen", &[("process", "2"), ("name", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("name-error")
                && r.body.contains("subject_de-error")
                && r.body.contains("body_de-error")
        );
        let r = coord
            .post_form(
                "/verwaltung/kampagnen",
                &[
                    ("process", "2"),
                    ("name", "Elternvereine Garbsen"),
                    ("kinds", "migrant_organisation"),
                    ("municipalities", "garbsen"),
                    ("link_days", "30"),
                    ("subject_de", "Einladung"),
                    ("body_de", "Bitte antworten Sie hier: {link}"),
                    ("subject_tr", "Davet"),
                    ("body_tr", "Lütfen buradan yanıtlayın: {link}"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = coord.get(r.location()).await;
        assert!(page.body.contains("Ansprechpersonen"), "{}", page.body);
        let id = r.location().rsplit('/').next().unwrap().to_string();
        let r = coord
            .post_form(&format!("/verwaltung/kampagnen/{id}/senden"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let sent = letters(&app).await;
        assert!(!sent.is_empty());
        let n = sent.len();
        // Sending again queues nobody twice.
        coord
            .post_form(&format!("/verwaltung/kampagnen/{id}/senden"), &[])
            .await;
        assert_eq!(letters(&app).await.len(), n);
        assert!(
            sent[0].1.contains("Lütfen buradan yanıtlayın"),
            "multilingual letter"
        );

        // The chair opens her link on the phone (in Turkish) and answers for the organisation.
        let link = link_in(&sent[0].1);
        let mut phone = app.client();
        let r = phone.get(&format!("{link}?lang=tr")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("lang=\"tr\""));
        assert!(r.body.contains("Davet"));
        // What the organisation contributed before (the demo's 2016 process), if anything.
        let ours_before = r
            .body
            .split("id=\"unsere-beitraege\"")
            .nth(1)
            .unwrap()
            .split("</ul>")
            .next()
            .unwrap()
            .matches("<li>")
            .count();
        let r = phone
            .post_form(&link, &[("kind", "wish"), ("title", ""), ("body", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("title-error") && r.body.contains("fields-error"));
        for (kind, title) in [
            ("wish", "Mehr Sprachkurse am Abend"),
            ("wish", "Dolmetscher beim Elternabend"),
            ("good_practice", "Hausaufgabencafé"),
        ] {
            let csrf = phone.csrf();
            let body = format!("csrf={csrf}&kind={kind}&title={}&body=Beschreibung&fields=4&fields=1&who=Elternverein&place=Garbsen", title.replace(' ', "+"));
            let r = phone
                .send(
                    Method::POST,
                    &link,
                    Some("application/x-www-form-urlencoded"),
                    body.into_bytes(),
                    &[],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let r = phone.get(&link).await;
        assert!(r.body.contains("Hausaufgabencafé"));
        assert_eq!(r.body.matches("contribution-status").count(), 0);
        let ours = r
            .body
            .split("id=\"unsere-beitraege\"")
            .nth(1)
            .unwrap()
            .split("</ul>")
            .next()
            .unwrap();
        assert_eq!(ours.matches("<li>").count(), ours_before + 3);
        for title in [
            "Mehr Sprachkurse am Abend",
            "Dolmetscher beim Elternabend",
            "Hausaufgabencafé",
        ] {
            assert!(ours.contains(title), "{title} is listed");
        }
        assert!(
            ours.matches("alındı").count() >= 3,
            "each new one with its status, in her language"
        );

        // A second device must prove it holds the mailbox.
        let mut laptop = app.client();
        let r = laptop.get(&link).await;
        assert!(r.body.contains("anderen Gerät"), "{}", r.body);
        let r = laptop
            .post_form(
                &link,
                &[
                    ("kind", "idea"),
                    ("title", "x"),
                    ("body", "y"),
                    ("fields", "1"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "no answer without the code"
        );
        let r = laptop.post_form(&format!("{link}/code-senden"), &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        let code_mail: String = th_storage::sqlx::query(
            "SELECT body FROM mail_outbox WHERE subject = 'Ihr Code für die Einladung'",
        )
        .fetch_one(app.db.pool())
        .await
        .map(|r| th_storage::Row::get(&r, 0))
        .unwrap();
        let code: String = code_mail
            .split_whitespace()
            .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
            .unwrap()
            .to_string();
        assert_eq!(
            laptop
                .post_form(&format!("{link}/code"), &[("code", "999999x")])
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let r = laptop
            .post_form(&format!("{link}/code"), &[("code", &code)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(laptop.get(&link).await.body.contains("Hausaufgabencafé"));

        // The coordinator sees opened and answered; unknown links say so.
        let stats = coord.get(&format!("/api/v1/campaigns/{id}")).await.json();
        assert_eq!(stats["stats"]["total"]["answered"], 1);
        assert_eq!(stats["stats"]["total"]["opened"], 1);
        assert_eq!(
            app.client().get("/einladung/gibt-es-nicht").await.status,
            StatusCode::NOT_FOUND
        );
        // Reminders reach only those who have not answered.
        coord
            .post_form(&format!("/verwaltung/kampagnen/{id}/erinnerung"), &[])
            .await;
        let reminders: i64 = th_storage::sqlx::query(
            "SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key LIKE 'reminder:%'",
        )
        .fetch_one(app.db.pool())
        .await
        .map(|r| th_storage::Row::get(&r, 0))
        .unwrap();
        assert_eq!(reminders as usize, n - 1);
    }
}

#[tokio::test]
async fn the_process_page_shows_where_it_stands() {
    let app = TestApp::new(th_storage::Backend::Sqlite).await;
    let mut c = app.client();
    let r = c.get("/beteiligung").await;
    assert!(r.body.contains("Integrationskonzept 2016"));
    assert!(r.body.contains("Das Verfahren ist abgeschlossen."));
    let r = c.get("/beteiligung/1").await;
    assert!(r.body.contains("Diskussionsforen") && r.body.contains("Werkstätten"));
    assert!(
        r.body.contains("27.09.2016"),
        "the decision phase ends with the resolution"
    );
    let api = c.get("/api/v1/processes").await.json();
    assert_eq!(api["items"].as_array().unwrap().len(), 2);
}

async fn with(c: &mut Client<'_>, m: Method, p: String, body: &str, dev: &str) -> Resp {
    c.send(
        m,
        &p,
        Some("application/json"),
        body.as_bytes().to_vec(),
        &[("x-invitation-device", dev)],
    )
    .await
}

/// The same journey through the JSON API: the device secret travels in a header.
#[tokio::test]
async fn the_invitation_link_in_the_api() {
    for app in TestApp::all().await {
        let mut coord = app.signed_in(Role::Coordinator).await;
        coord.post_form("/verwaltung/kampagnen/1/senden", &[]).await;
        let sent = letters(&app).await;
        let token = link_in(&sent[0].1)
            .trim_start_matches("/einladung/")
            .to_string();
        let path = format!("/api/v1/invitations/{token}");
        let mut tool = app.client();
        // Writing without the device secret is refused and does not bind the link.
        let r = tool
            .json(
                Method::POST,
                &format!("{path}/contributions"),
                r#"{"kind":"wish","title":"x","body":"y","fields":[4]}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let r = tool.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let device = r.json()["device"].as_str().unwrap().to_string();
        assert!(r.json()["texts"].as_array().unwrap().len() >= 2);
        // Without the secret, another device must ask for a code.
        let r = app.client().get(&path).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["code"], "device_code_required");
        let r = with(&mut tool, Method::GET, path.clone(), "", &device).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.json()["device"].is_null(),
            "the secret is handed out once"
        );
        // A contribution and two registrations for the almost full workshop.
        let r = with(
            &mut tool,
            Method::POST,
            format!("{path}/contributions"),
            r#"{"kind":"wish","title":"Abendkurse","body":"Bitte abends","fields":[4],"notify":true}"#,
            &device,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = with(
            &mut tool,
            Method::POST,
            format!("{path}/contributions"),
            r#"{"kind":"wish","title":"","body":"","fields":[]}"#,
            &device,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let events = app.client().get("/api/v1/events?process=2").await.json();
        let ws = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["capacity"] == 20)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = with(
            &mut tool,
            Method::POST,
            format!("{path}/registrations"),
            &format!(r#"{{"event":{ws},"names":["Ayşe Demir","Mehmet Kaya"]}}"#),
            &device,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let regs = r.json()["registrations"].as_array().unwrap().clone();
        let of = |n: &str| regs.iter().find(|r| r["name"] == n).unwrap().clone();
        assert_eq!(of("Ayşe Demir")["status"], "confirmed");
        let m = of("Mehmet Kaya");
        assert_eq!(
            (m["status"].as_str(), m["position"].as_i64()),
            (Some("waiting"), Some(1))
        );

        // A second device: code by mail, a wrong code refused, the right one gives a secret.
        let mut phone = app.client();
        let r = phone.json(Method::POST, &format!("{path}/code"), "").await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        let code: String = th_storage::sqlx::query(
            "SELECT body FROM mail_outbox WHERE subject LIKE '%Code%' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(app.db.pool())
        .await
        .map(|r| th_storage::Row::get::<String, _>(&r, 0))
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string();
        let r = phone
            .json(
                Method::POST,
                &format!("{path}/device"),
                r#"{"code":"000000x"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = phone
            .json(
                Method::POST,
                &format!("{path}/device"),
                &format!(r#"{{"code":"{code}"}}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let second = r.json()["device"].as_str().unwrap().to_string();
        let r = with(&mut phone, Method::GET, path.clone(), "", &second).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["contributions"][0]["title"], "Abendkurse");

        // Unknown and expired links.
        assert_eq!(
            app.client()
                .get("/api/v1/invitations/unbekannt")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        app.clock.advance(400 * 86_400);
        let r = with(&mut tool, Method::GET, path.clone(), "", &device).await;
        assert_eq!(r.status, StatusCode::GONE);
    }
}
