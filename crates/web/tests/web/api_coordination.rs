//! What the coordination office and participants do in the pages, through the JSON API too:
//! campaigns, publication decisions, the moderation queue, cancelling registrations.

use crate::common::*;
use axum::http::{Method, StatusCode};
use th_core::Role;

#[tokio::test]
async fn campaigns_moderation_and_registrations_over_the_api() {
    for app in TestApp::all().await {
        let mut coord = app.signed_in(Role::Coordinator).await;
        let r = coord
            .json(
                Method::POST,
                "/api/v1/campaigns",
                r#"{"process_id":2,"name":"","link_days":0,"texts":{"de":{"subject":"","body":""}}}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        for f in ["name", "subject_de", "body_de", "link_days"] {
            assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
        }
        let r = coord
            .json(
                Method::POST,
                "/api/v1/campaigns",
                r#"{"process_id":2,"name":"Gesundheit","filter":{"kinds":["health"],"colour":1},"link_days":30,"texts":{"de":{"subject":"Einladung","body":"Hier: {link}"}}}"#,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown filter field"
        );
        let r = coord
            .json(
                Method::POST,
                "/api/v1/campaigns",
                r#"{"process_id":2,"name":"Gesundheit","filter":{"kinds":["health"]},"link_days":30,"texts":{"de":{"subject":"Einladung","body":"Hier: {link}"},"tr":{"subject":"Davet","body":"Burada: {link}"}}}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let cid = r.json()["id"].as_i64().unwrap();
        let r = coord
            .json(Method::POST, &format!("/api/v1/campaigns/{cid}/send"), "")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Hide a contribution, see it in the queue, publish it again; every decision logged.
        let r = coord
            .json(
                Method::PUT,
                "/api/v1/contributions/5/moderation",
                r#"{"published":false,"reason":"Dublette"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let logged = r.json()["decisions"].as_array().unwrap().len();
        let q = coord.get("/api/v1/moderation").await.json();
        assert!(q["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["contribution"]["id"] == 5));
        let r = coord
            .json(
                Method::PUT,
                "/api/v1/contributions/5/moderation",
                r#"{"published":true}"#,
            )
            .await;
        assert_eq!(r.json()["decisions"].as_array().unwrap().len(), logged + 1);
        let mut visitor = app.client();
        assert_eq!(
            visitor
                .json(
                    Method::PUT,
                    "/api/v1/contributions/5/moderation",
                    r#"{"published":false}"#
                )
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        // A participant registers for the almost full workshop and cancels over the API; the
        // office cancels someone else, and the waiting list moves up.
        let events = visitor.get("/api/v1/events?process=2").await.json();
        let ws = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["capacity"] == 20)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let mut p = app.signed_in(Role::Participant).await;
        let r = p
            .json(
                Method::POST,
                &format!("/api/v1/events/{ws}/registrations"),
                "{}",
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["status"], "confirmed");
        let r = visitor
            .json(
                Method::POST,
                &format!("/api/v1/events/{ws}/registrations"),
                r#"{"name":"Gast","email":"gast@example.org","consent":true}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        let r = p
            .json(
                Method::DELETE,
                &format!("/api/v1/events/{ws}/registration"),
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["moved_up"], 1);
        assert_eq!(
            p.json(
                Method::DELETE,
                &format!("/api/v1/events/{ws}/registration"),
                ""
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let regs = coord
            .get(&format!("/api/v1/events/{ws}/registrations"))
            .await
            .json();
        let first = regs["items"][0]["id"].as_i64().unwrap();
        let r = coord
            .json(
                Method::DELETE,
                &format!("/api/v1/events/{ws}/registrations/{first}"),
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = coord
            .json(
                Method::DELETE,
                &format!("/api/v1/events/1/registrations/{first}"),
                "",
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "not a registration of that event"
        );
    }
}
