//! Findings of the first review, each kept fixed by a test.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

async fn outbox_bodies(app: &TestApp) -> Vec<(String, String)> {
    th_storage::sqlx::query("SELECT recipient, body FROM mail_outbox ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (th_storage::Row::get(r, 0), th_storage::Row::get(r, 1)))
        .collect()
}

#[tokio::test]
async fn links_in_mails_never_come_from_the_host_header() {
    for app in TestApp::all().await {
        app.user(app.tenant(), "anna@example.org", Role::Participant)
            .await;
        let mut c = app.client();
        c.host = "evil.example".into();
        let r = c
            .post_form("/passwort-vergessen", &[("email", "anna@example.org")])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let mails = outbox_bodies(&app).await;
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0]
                .1
                .contains("https://teilhabe.test/passwort-neu?token="),
            "{}",
            mails[0].1
        );
        assert!(!mails[0].1.contains("evil.example"));
    }
}

#[tokio::test]
async fn a_reset_voids_the_other_reset_links() {
    for app in TestApp::all().await {
        let u = app
            .user(app.tenant(), "anna@example.org", Role::Participant)
            .await;
        let first = th_auth::create_link(&app.db, &u, th_auth::LinkPurpose::Reset, 3600, NOW)
            .await
            .unwrap();
        let second = th_auth::create_link(&app.db, &u, th_auth::LinkPurpose::Reset, 3600, NOW)
            .await
            .unwrap();
        let mut c = app.client();
        assert_eq!(
            c.post_form(
                "/passwort-neu",
                &[("token", &second), ("password", "ein-ganz-neues-passwort")]
            )
            .await
            .status,
            StatusCode::OK
        );
        let r = c
            .post_form(
                "/passwort-neu",
                &[("token", &first), ("password", "noch-ein-passwort-1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "the older link is void");
        assert_eq!(
            c.post_form(
                "/anmelden",
                &[
                    ("email", "anna@example.org"),
                    ("password", "ein-ganz-neues-passwort")
                ]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn a_totp_code_works_once() {
    for app in TestApp::all().await {
        let mut first = app.client();
        first
            .post_form(
                "/anmelden",
                &[
                    ("email", th_demo::COORDINATOR_EMAIL),
                    ("password", th_demo::COORDINATOR_PASSWORD),
                ],
            )
            .await;
        let code = app.totp_now();
        assert_eq!(
            first
                .post_form("/anmelden/zweiter-faktor", &[("code", &code)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let mut second = app.client();
        second
            .post_form(
                "/anmelden",
                &[
                    ("email", th_demo::COORDINATOR_EMAIL),
                    ("password", th_demo::COORDINATOR_PASSWORD),
                ],
            )
            .await;
        let r = second
            .post_form("/anmelden/zweiter-faktor", &[("code", &code)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a replayed code is refused"
        );
        assert!(r.body.contains("schon benutzt"));
        app.clock.advance(30);
        let next = app.totp_now();
        assert_eq!(
            second
                .post_form("/anmelden/zweiter-faktor", &[("code", &next)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn strangers_cannot_lock_a_person_out() {
    for app in TestApp::all().await {
        app.user(app.tenant(), "anna@example.org", Role::Participant)
            .await;
        let mut attacker = app.client();
        attacker.addr = Some("203.0.113.7:40000".parse().unwrap());
        for _ in 0..8 {
            attacker
                .post_form(
                    "/anmelden",
                    &[
                        ("email", "anna@example.org"),
                        ("password", "geraten-geraten"),
                    ],
                )
                .await;
        }
        let r = attacker
            .post_form(
                "/anmelden",
                &[("email", "anna@example.org"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the guessing address is stopped"
        );
        let mut anna = app.client();
        anna.addr = Some("198.51.100.20:50000".parse().unwrap());
        let r = anna
            .post_form(
                "/anmelden",
                &[("email", "anna@example.org"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "Anna, elsewhere, still gets in"
        );
    }
}

#[tokio::test]
async fn sign_up_does_not_reveal_who_has_an_account() {
    for app in TestApp::all().await {
        app.user(app.tenant(), "anna@example.org", Role::Participant)
            .await;
        let mut c = app.client();
        let r = c
            .post_form(
                "/registrieren",
                &[
                    ("email", "anna@example.org"),
                    ("display_name", "A"),
                    ("password", PASSWORD),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Fast geschafft"),
            "the same answer as for a new address"
        );
        let mails = outbox_bodies(&app).await;
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].1.contains("schon ein Konto"),
            "the owner is told instead"
        );
        assert_eq!(
            th_auth::users(&app.db, app.tenant()).await.unwrap().len(),
            5,
            "no second account"
        );
    }
}

#[tokio::test]
async fn drafts_stay_with_the_coordinators_until_adopted() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        assert_eq!(
            c.json(Method::POST, "/api/v1/concept/draft", "")
                .await
                .status,
            StatusCode::CREATED
        );
        let mut v = app.client();
        assert!(!v.get("/konzept/versionen").await.body.contains("Entwurf"));
        assert_eq!(
            v.get("/konzept/versionen/2").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            v.get("/konzept/vergleich?von=1&zu=2").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            v.get("/api/v1/concept/versions/2").await.status,
            StatusCode::NOT_FOUND
        );
        let list = v.get("/api/v1/concept/versions").await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            c.get("/konzept/versionen/2").await.status,
            StatusCode::OK,
            "coordinators see it"
        );
    }
}

#[tokio::test]
async fn metrics_are_for_operators_and_401_names_the_scheme() {
    let app = TestApp::new(th_storage::Backend::Sqlite).await;
    let mut outside = app.client();
    outside.addr = Some("203.0.113.9:1234".parse().unwrap());
    assert_eq!(outside.get("/metrics").await.status, StatusCode::FORBIDDEN);
    let mut local = app.client();
    local.addr = Some("127.0.0.1:1234".parse().unwrap());
    assert_eq!(local.get("/metrics").await.status, StatusCode::OK);
    let mut script = app.client();
    script.bearer = Some("thb_wrong".into());
    let r = script.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r
        .headers
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
}
