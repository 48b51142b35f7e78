//! Walks every route of the router with every role and checks the answer against the
//! authorisation matrix: allowed roles get past the check, others are refused, and nobody
//! ever gets a server error.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;
use th_web::authz::Access;

fn refused(r: &Resp) -> bool {
    matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        || (r.status == StatusCode::SEE_OTHER && r.location().starts_with("/anmelden"))
}

#[tokio::test]
async fn every_route_with_every_role() {
    let mut routes = th_web::routes::list();
    // Sign-out and the destructive account routes last, so the walk keeps its session.
    routes.sort_by_key(|r| match r.path {
        "/konto/loeschen" => 1,
        "/abmelden" => 2,
        _ => 0,
    });
    let mut checked = 0;
    for app in TestApp::all().await {
        for role in Role::ALL {
            let mut c = app.signed_in(role).await;
            for r in &routes {
                let method = Method::from_bytes(r.method.as_bytes()).unwrap();
                let res = if method == Method::GET {
                    c.get(r.example).await
                } else if r.path.starts_with("/api/") {
                    c.json(method.clone(), r.example, "{}").await
                } else {
                    c.post_form(r.example, &[]).await
                };
                assert!(
                    res.status.as_u16() < 500,
                    "{} {} as {role}: {} {}",
                    r.method,
                    r.example,
                    res.status,
                    res.body
                );
                let allowed = r.access.roles().contains(&role)
                    || (r.access == Access::SessionStarted && role != Role::Visitor);
                if allowed {
                    assert!(
                        !refused(&res),
                        "{} {} as {role} should be allowed, got {} {}",
                        r.method,
                        r.example,
                        res.status,
                        res.location()
                    );
                } else {
                    assert!(
                        refused(&res),
                        "{} {} as {role} should be refused, got {}",
                        r.method,
                        r.example,
                        res.status
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 7 * 60, "walked {checked} route/role pairs");
}

#[test]
fn every_route_is_in_the_matrix_once() {
    let routes = th_web::routes::list();
    let mut seen = std::collections::BTreeSet::new();
    for r in &routes {
        assert!(
            seen.insert((r.method, r.path)),
            "{} {} twice",
            r.method,
            r.path
        );
        assert!(!r.access.roles().is_empty());
    }
    // Coordinator pages are never public.
    for r in routes.iter().filter(|r| r.path.starts_with("/verwaltung")) {
        assert_eq!(r.access, Access::Coordinator, "{}", r.path);
    }
}
