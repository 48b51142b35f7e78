//! An organisation looks after its own profile and contact people; nobody else can.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

const MEMBER: &str = "kontakt361@deutsch-tuerkischer-elternverein-garbsen-west.example";

#[tokio::test]
async fn members_edit_their_profile_and_contacts() {
    for app in TestApp::all().await {
        let mut m = app.client();
        let r = m.login(MEMBER, th_demo::MEMBER_PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = m.get("/organisation").await;
        assert!(list
            .body
            .contains("Deutsch-Türkischer Elternverein Garbsen-West"));
        let page = m.get("/organisation/316").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("name=\"notes\""),
            "internal notes are the office's"
        );
        assert!(page.body.contains("Hausaufgabencafé"), "our contributions");

        // Profile: a wrong municipality is refused; a good change is saved and audited.
        let r = m
            .post_form(
                "/organisation/316",
                &[
                    ("name", "Deutsch-Türkischer Elternverein Garbsen-West"),
                    ("kind", "migrant_organisation"),
                    ("municipality", "atlantis"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("municipality-error"));
        let r = m
            .post_form(
                "/organisation/316",
                &[
                    ("name", "Deutsch-Türkischer Elternverein Garbsen-West e. V."),
                    ("kind", "migrant_organisation"),
                    ("municipality", "garbsen"),
                    ("fields", "4, 1"),
                    ("languages", "de, tr"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mut coord = app.signed_in(Role::Coordinator).await;
        let org = coord.get("/api/v1/organisations/316").await.json();
        assert_eq!(
            org["name"],
            "Deutsch-Türkischer Elternverein Garbsen-West e. V."
        );
        assert_eq!(org["languages"], serde_json::json!(["de", "tr"]));

        // Contacts: bad address, duplicate, then a new one who is told by e-mail.
        let r = m
            .post_form("/organisation/316/mitglieder", &[("email", "kein-at")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = m
            .post_form("/organisation/316/mitglieder", &[("email", MEMBER)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("email-error"));
        let r = m
            .post_form(
                "/organisation/316/mitglieder",
                &[
                    ("name", "Ayşe Demir"),
                    ("email", "ayse@elternverein.example"),
                    ("role", "Vorsitzende"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let out = th_mail::outbox(&app.db, app.tenant(), 50).await.unwrap();
        assert!(out
            .iter()
            .any(|o| o.recipient == "ayse@elternverein.example"
                && o.subject.contains("Ansprechperson")));
        let page = m.get("/organisation/316").await;
        assert!(page.body.contains("Ayşe Demir"));

        // A stranger (signed in, not a contact) sees nothing and changes nothing.
        let mut other = app.signed_in(Role::Participant).await;
        assert_eq!(
            other.get("/organisation/316").await.status,
            StatusCode::NOT_FOUND
        );
        let r = other
            .post_form(
                "/organisation/316/mitglieder",
                &[("email", "x@example.org")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Removing: Ayşe is removed (her data erased); the last contact cannot be.
        let contacts = th_participation::contacts(&app.db, app.tenant(), 316)
            .await
            .unwrap();
        let ayse = contacts.iter().find(|c| c.name == "Ayşe Demir").unwrap().id;
        let me = contacts.iter().find(|c| c.email == MEMBER).unwrap().id;
        let r = m
            .post_form(
                &format!("/organisation/316/mitglieder/{ayse}/entfernen"),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!m.get("/organisation/316").await.body.contains("Ayşe Demir"));
        let r = m
            .post_form(&format!("/organisation/316/mitglieder/{me}/entfernen"), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("mindestens eine Ansprechperson"));

        // The same over the API.
        let r = m.get("/api/v1/me/organisations").await.json();
        assert_eq!(r["items"][0]["id"], 316);
        let r = m.get("/api/v1/me/organisations/316").await.json();
        assert!(r["notes"].is_null());
        let r = m
            .json(
                Method::POST,
                "/api/v1/me/organisations/316/contacts",
                r#"{"name":"Mehmet Kaya","email":"mehmet@elternverein.example"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let cid = r.json()["id"].as_i64().unwrap();
        let r = m
            .json(
                Method::DELETE,
                &format!("/api/v1/me/organisations/316/contacts/{cid}"),
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = m
            .json(
                Method::PUT,
                "/api/v1/me/organisations/316",
                r#"{"name":"Elternverein","kind":"migrant_organisation","municipality":"nowhere"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            other.get("/api/v1/me/organisations/316").await.status,
            StatusCode::NOT_FOUND
        );
    }
}
