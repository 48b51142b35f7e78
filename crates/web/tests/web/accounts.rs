use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

#[tokio::test]
async fn coordinators_need_the_second_factor() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let r = c
            .post_form(
                "/anmelden",
                &[
                    ("email", th_demo::COORDINATOR_EMAIL),
                    ("password", th_demo::COORDINATOR_PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/anmelden/zweiter-faktor");
        let cookie = r
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with("th_session="))
            .unwrap();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("Secure")
                && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        // Before the code, the session has no coordinator rights.
        let r = c.get("/verwaltung").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/anmelden/zweiter-faktor");
        let r = c
            .post_form("/anmelden/zweiter-faktor", &[("code", "000000")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("code-error"));
        let code = app.totp_now();
        let r = c
            .post_form("/anmelden/zweiter-faktor", &[("code", &code)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(c.get("/verwaltung").await.status, StatusCode::OK);
        // The session lives in the database: sign out ends it.
        let r = c.post_form("/abmelden", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(c.get("/verwaltung").await.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn a_new_coordinator_sets_up_the_authenticator_on_first_sign_in() {
    for app in TestApp::all().await {
        let e = th_core::Email::parse("neu@example.org").unwrap();
        let mut tx = app.db.begin().await.unwrap();
        th_auth::create_user(
            &mut tx,
            app.tenant(),
            th_auth::NewUser {
                email: &e,
                display_name: "Neu",
                password: Some(PASSWORD),
                role: Role::Coordinator,
                locale: th_core::Locale::De,
                email_confirmed: true,
            },
            NOW,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut c = app.client();
        c.post_form(
            "/anmelden",
            &[("email", "neu@example.org"), ("password", PASSWORD)],
        )
        .await;
        let r = c.get("/anmelden/zweiter-faktor").await;
        assert!(r.body.contains("otpauth://totp/"), "setup shows the secret");
        let u = th_auth::user_by_email(&app.db, app.tenant(), &e)
            .await
            .unwrap()
            .unwrap();
        let secret = th_auth::totp_secret(&app.db, u.id).await.unwrap().unwrap();
        assert!(r.body.contains(&secret));
        let code = th_auth::totp_code(&secret, NOW).unwrap();
        assert_eq!(
            c.post_form("/anmelden/zweiter-faktor", &[("code", &code)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert!(
            th_auth::user(&app.db, app.tenant(), u.id)
                .await
                .unwrap()
                .unwrap()
                .totp_enabled
        );
    }
}

#[tokio::test]
async fn login_is_rate_limited_per_account() {
    for app in TestApp::all().await {
        app.user(app.tenant(), "p@example.org", Role::Participant)
            .await;
        let mut c = app.client();
        for _ in 0..th_auth::MAX_FAILURES_PER_ACCOUNT {
            let r = c
                .post_form(
                    "/anmelden",
                    &[("email", "p@example.org"), ("password", "falsch-falsch")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // Now even the right password is refused until the window has passed.
        let r = c
            .post_form(
                "/anmelden",
                &[("email", "p@example.org"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(th_auth::RATE_WINDOW_SECS + 1);
        let r = c
            .post_form(
                "/anmelden",
                &[("email", "p@example.org"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn sign_up_confirm_by_mail_and_reset_the_password() {
    for app in TestApp::all().await {
        let mut c = app.client();
        // Field-level errors first; nothing is created.
        let r = c
            .post_form(
                "/registrieren",
                &[("email", "x"), ("display_name", ""), ("password", "kurz")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in [
            "email-error",
            "display_name-error",
            "password-error",
            "consent-error",
        ] {
            assert!(r.body.contains(f), "{f}");
        }
        assert_eq!(
            th_auth::users(&app.db, app.tenant()).await.unwrap().len(),
            4,
            "only the demo's coordinator, member, team lead and staff member"
        );

        let r = c
            .post_form(
                "/registrieren",
                &[
                    ("email", "Leyla@Example.org"),
                    ("display_name", "Leyla"),
                    ("password", PASSWORD),
                    ("consent", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Not confirmed yet: cannot sign in.
        assert_eq!(
            c.post_form(
                "/anmelden",
                &[("email", "leyla@example.org"), ("password", PASSWORD)]
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );

        // The confirmation goes through the outbox to a real SMTP server.
        let smtp = th_mail::testsmtp::TestSmtp::start().await.unwrap();
        let cfg = th_mail::SmtpConfig::local(smtp.port, "teilhabe@example.org");
        assert_eq!(
            th_mail::deliver_due(&app.db, &cfg, "t", NOW + 1)
                .await
                .unwrap(),
            1
        );
        let mail = &smtp.messages()[0];
        assert_eq!(mail.to, vec!["leyla@example.org".to_string()]);
        let link = mail
            .text()
            .split_whitespace()
            .find(|w| w.contains("/registrieren/bestaetigen?token="))
            .unwrap()
            .to_string();
        let path = link.trim_start_matches("https://teilhabe.test");
        assert_eq!(c.get(path).await.status, StatusCode::OK);
        assert_eq!(
            c.get(path).await.status,
            StatusCode::BAD_REQUEST,
            "a link works once"
        );

        let u = th_auth::user_by_email(
            &app.db,
            app.tenant(),
            &th_core::Email::parse("leyla@example.org").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let consents = th_auth::consents(&app.db, u.id).await.unwrap();
        assert_eq!(consents.len(), 1);
        assert_eq!(consents[0].text_version, th_web_consent());
        assert_eq!(
            c.post_form(
                "/anmelden",
                &[("email", "leyla@example.org"), ("password", PASSWORD)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );

        // Reset: same answer for unknown addresses; a link for known ones.
        let mut other = app.client();
        assert_eq!(
            other
                .post_form("/passwort-vergessen", &[("email", "niemand@example.org")])
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            other
                .post_form("/passwort-vergessen", &[("email", "leyla@example.org")])
                .await
                .status,
            StatusCode::OK
        );
        th_mail::deliver_due(&app.db, &cfg, "t", NOW + 2)
            .await
            .unwrap();
        let mails = smtp.messages();
        assert_eq!(mails.len(), 2, "no mail for an unknown address");
        let link = mails[1]
            .text()
            .split_whitespace()
            .find(|w| w.contains("/passwort-neu?token="))
            .unwrap()
            .to_string();
        let token = link.split("token=").nth(1).unwrap().to_string();
        assert_eq!(
            other
                .get(&format!("/passwort-neu?token={token}"))
                .await
                .status,
            StatusCode::OK
        );
        let r = other
            .post_form(
                "/passwort-neu",
                &[("token", &token), ("password", "ein-ganz-neues-passwort")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        // Old sessions end with the reset.
        assert_eq!(c.get("/konto").await.status, StatusCode::SEE_OTHER);
        assert_eq!(
            other
                .post_form(
                    "/anmelden",
                    &[
                        ("email", "leyla@example.org"),
                        ("password", "ein-ganz-neues-passwort")
                    ]
                )
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
}

fn th_web_consent() -> &'static str {
    "privacy-2026-11"
}

#[tokio::test]
async fn people_export_and_erase_their_data() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Participant).await;
        let r = c.get("/konto/daten.json").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment"));
        let v = r.json();
        assert_eq!(v["account"]["email"], "participant@example.org");
        assert!(v["consents"].is_array());
        let api = c.get("/api/v1/me/export").await.json();
        assert_eq!(api["account"]["email"], "participant@example.org");

        // Wrong password: nothing happens.
        let r = c
            .post_form("/konto/loeschen", &[("password", "falsch")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(c.get("/konto").await.status, StatusCode::OK);
        let r = c
            .post_form("/konto/loeschen", &[("password", PASSWORD)])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            c.get("/konto").await.status,
            StatusCode::SEE_OTHER,
            "signed out"
        );
        let users = th_auth::users(&app.db, app.tenant()).await.unwrap();
        assert!(
            !users.iter().any(|u| u.email == "participant@example.org"),
            "address gone"
        );
        let mut again = app.client();
        assert_eq!(
            again
                .post_form(
                    "/anmelden",
                    &[("email", "participant@example.org"), ("password", PASSWORD)]
                )
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn personal_api_tokens_work_until_revoked() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = c
            .json(Method::POST, "/api/v1/me/tokens", r#"{"name":"Skript"}"#)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        let token = v["token"].as_str().unwrap().to_string();
        let id = v["id"].as_i64().unwrap();

        let mut script = app.client();
        script.bearer = Some(token.clone());
        let me = script.get("/api/v1/me").await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["role"], "coordinator");
        // Scripts need no CSRF token, and act with the owner's role.
        let r = script
            .send(
                Method::POST,
                "/api/v1/concept/draft",
                Some("application/json"),
                b"{}".to_vec(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        let r = c
            .json(Method::DELETE, &format!("/api/v1/me/tokens/{id}"), "")
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = script.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.headers.get("content-type").unwrap(),
            "application/problem+json"
        );
        // Tokens are stored only as hashes.
        let stored: i64 =
            th_storage::sqlx::query("SELECT COUNT(*) FROM auth_api_tokens WHERE token_hash = $1")
                .bind(&token)
                .fetch_one(app.db.pool())
                .await
                .map(|r| th_storage::Row::get(&r, 0))
                .unwrap();
        assert_eq!(stored, 0);
    }
}

#[tokio::test]
async fn the_api_erases_an_account_with_its_password() {
    for app in TestApp::all().await {
        let mut c = app.signed_in(Role::OrgMember).await;
        let r = c
            .json(Method::DELETE, "/api/v1/me", r#"{"password":"falsch"}"#)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "password");
        let r = c
            .json(
                Method::DELETE,
                "/api/v1/me",
                &format!(r#"{{"password":"{PASSWORD}"}}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    }
}
