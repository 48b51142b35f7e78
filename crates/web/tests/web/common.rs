//! The test application: the real router on a fresh database (one per backend), driven
//! in-process with real requests; a manual clock; a cookie-keeping client per person.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::sync::Arc;
use th_core::{Email, Locale, ManualClock, Role, TenantId};
use th_storage::testkit::{self, TestDb};
use th_storage::Backend;
use tower::ServiceExt;

pub const NOW: i64 = 1_790_000_000;
pub const PASSWORD: &str = "ein-sicheres-passwort";
pub const HOST: &str = "127.0.0.1";

pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
    pub clock: ManualClock,
    pub state: th_web::AppState,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        let db = testkit::fresh(backend).await;
        let clock = ManualClock::at(NOW);
        db.ensure_default_tenant(NOW).await.unwrap();
        th_demo::load(&db, NOW).await.unwrap();
        let state = th_web::AppState::new(
            db.db.clone(),
            Arc::new(clock.clone()),
            th_web::WebConfig {
                cookie_secure: true,
                public_base: Some("https://teilhabe.test".into()),
                listen_origin: "https://127.0.0.1:8443".into(),
                metrics_token: None,
            },
        )
        .unwrap();
        let router = th_web::router(state.clone());
        TestApp {
            db,
            router,
            clock,
            state,
        }
    }

    /// One app per backend under test (SQLite, and PostgreSQL when configured).
    pub async fn all() -> Vec<TestApp> {
        let mut v = vec![];
        for b in testkit::backends() {
            v.push(TestApp::new(b).await);
        }
        v
    }

    pub fn tenant(&self) -> TenantId {
        TenantId(1)
    }

    pub fn client(&self) -> Client<'_> {
        Client {
            app: self,
            addr: None,
            cookies: BTreeMap::new(),
            host: HOST.into(),
            bearer: None,
            lang: None,
        }
    }

    /// Creates a confirmed account with a role on a tenant; coordinators and administrators
    /// get a TOTP secret.
    pub async fn user(&self, tenant: TenantId, email: &str, role: Role) -> th_auth::User {
        let e = Email::parse(email).unwrap();
        let mut tx = self.db.begin().await.unwrap();
        let u = th_auth::create_user(
            &mut tx,
            tenant,
            th_auth::NewUser {
                email: &e,
                display_name: email,
                password: Some(PASSWORD),
                role,
                locale: Locale::De,
                email_confirmed: true,
            },
            NOW,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        if role.requires_second_factor() {
            th_auth::set_totp(&self.db, u.id, th_demo::COORDINATOR_TOTP, true)
                .await
                .unwrap();
        }
        u
    }

    /// A client signed in with `role` on the default tenant (second factor done).
    pub async fn signed_in(&self, role: Role) -> Client<'_> {
        let mut c = self.client();
        if role == Role::Visitor {
            c.get("/").await;
            return c;
        }
        let email = format!("{}@example.org", role.as_str().replace('_', "-"));
        self.user(self.tenant(), &email, role).await;
        c.login(&email, PASSWORD).await;
        c
    }

    pub fn totp_now(&self) -> String {
        th_auth::totp_code(th_demo::COORDINATOR_TOTP, th_core::Clock::now(&self.clock)).unwrap()
    }

    /// The concept as JSON with every translation, to prove that something did not change.
    pub async fn concept_snapshot(&self, tenant: TenantId) -> String {
        let mut out = String::new();
        for v in th_concept::versions(&self.db, tenant).await.unwrap() {
            let full = th_concept::load(&self.db, tenant, v.id)
                .await
                .unwrap()
                .unwrap();
            out.push_str(&serde_json::to_string(&full).unwrap());
        }
        out
    }
}

pub struct Client<'a> {
    pub app: &'a TestApp,
    /// The client's address as the server sees it (in-process requests have none: "local").
    pub addr: Option<std::net::SocketAddr>,
    pub cookies: BTreeMap<String, String>,
    pub host: String,
    pub bearer: Option<String>,
    pub lang: Option<String>,
}

impl Client<'_> {
    pub fn csrf(&self) -> String {
        self.cookies.get("th_csrf").cloned().unwrap_or_default()
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.host);
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            b = b.header(header::COOKIE, c);
        }
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(l) = &self.lang {
            b = b.header(header::ACCEPT_LANGUAGE, l);
        }
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        if let Some(a) = self.addr {
            b = b.extension(axum::extract::ConnectInfo(a));
        }
        let res = self
            .app
            .router
            .clone()
            .oneshot(b.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap_or("");
            let pair = s.split(';').next().unwrap_or("");
            if let Some((k, val)) = pair.split_once('=') {
                if val.is_empty() || s.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Method::GET, path, None, vec![], &[]).await
    }

    /// Posts a form with the CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if self.csrf().is_empty() {
            self.get("/").await;
        }
        let csrf = self.csrf();
        let mut ser = form_urlencoded::Serializer::new(String::new());
        ser.append_pair("csrf", &csrf);
        for (k, v) in fields {
            ser.append_pair(k, v);
        }
        self.send(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            ser.finish().into_bytes(),
            &[],
        )
        .await
    }

    /// Sends JSON with the CSRF header (browser-style API use).
    pub async fn json(&mut self, method: Method, path: &str, body: &str) -> Resp {
        if self.csrf().is_empty() && self.bearer.is_none() {
            self.get("/").await;
        }
        let csrf = self.csrf();
        self.send(
            method,
            path,
            Some("application/json"),
            body.as_bytes().to_vec(),
            &[("x-csrf-token", &csrf)],
        )
        .await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Resp {
        let r = self
            .post_form("/anmelden", &[("email", email), ("password", password)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {email}: {}",
            r.body
        );
        if r.location().starts_with("/anmelden/zweiter-faktor") {
            let code = self.app.totp_now();
            let r2 = self
                .post_form("/anmelden/zweiter-faktor", &[("code", &code)])
                .await;
            assert_eq!(
                r2.status,
                StatusCode::SEE_OTHER,
                "second factor: {}",
                r2.body
            );
            return r2;
        }
        r
    }
}

impl TestApp {
    pub async fn user_id_of(&self, email: &str) -> i64 {
        th_auth::user_by_email(&self.db, self.tenant(), &Email::parse(email).unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    }
}
