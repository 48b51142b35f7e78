//! Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use th_core::TenantId;
use th_mail::{deliver_due, enqueue, outbox, testsmtp::TestSmtp, Outgoing, SmtpConfig};
use th_storage::testkit;

async fn put(db: &th_storage::Db, t: TenantId, to: &str, key: Option<&str>) -> bool {
    let mut tx = db.begin().await.unwrap();
    let ok = enqueue(
        &mut tx,
        Outgoing {
            tenant: t,
            recipient: to,
            subject: "Einladung",
            body: "Hallo",
            dedupe_key: key,
        },
        100,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    ok
}

#[tokio::test]
async fn delivers_once_retries_and_reports_failures() {
    for db in testkit::all().await {
        let t = db.ensure_default_tenant(1).await.unwrap().id;
        let smtp = TestSmtp::start().await.unwrap();
        smtp.deny("nobody@example.org");
        let cfg = SmtpConfig::local(smtp.port, "teilhabe@example.org");
        assert!(put(&db, t, "anna@example.org", Some("inv:1")).await);
        assert!(
            !put(&db, t, "anna@example.org", Some("inv:1")).await,
            "dedupe key refuses a second copy"
        );
        assert!(put(&db, t, "nobody@example.org", None).await);

        // Two nodes poll at the same moment: each message goes out once.
        let (a, b) = tokio::join!(
            deliver_due(&db, &cfg, "node-a", 200),
            deliver_due(&db, &cfg, "node-b", 200)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        assert_eq!(
            deliver_due(&db, &cfg, "node-a", 201).await.unwrap(),
            0,
            "nothing due twice"
        );
        let got = smtp.messages();
        assert_eq!(got.len(), 1, "{:?}", db.backend());
        assert_eq!(got[0].to, vec!["anna@example.org".to_string()]);
        assert!(got[0].data.contains("Einladung"));

        let rows = outbox(&db, t, 10).await.unwrap();
        let failed = rows
            .iter()
            .find(|r| r.recipient == "nobody@example.org")
            .unwrap();
        assert_eq!(failed.status, "failed", "a 550 is permanent");
        assert!(
            failed.last_error.as_deref().unwrap_or("").contains("550")
                || failed
                    .last_error
                    .as_deref()
                    .unwrap_or("")
                    .contains("mailbox"),
            "{:?}",
            failed.last_error
        );

        // After 30 days: the sent message is gone, the failed one keeps its status only.
        assert_eq!(
            th_mail::purge(&db, 1).await.unwrap(),
            0,
            "nothing old enough"
        );
        assert_eq!(th_mail::purge(&db, 10_000).await.unwrap(), 1);
        let rows = outbox(&db, t, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, "failed");
        let body: String = th_storage::sqlx::query("SELECT body FROM mail_outbox")
            .fetch_one(db.pool())
            .await
            .map(|r| th_storage::Row::get(&r, 0))
            .unwrap();
        assert_eq!(body, "");
    }
}

#[tokio::test]
async fn unreachable_server_is_retried_later() {
    for db in testkit::all().await {
        let t = db.ensure_default_tenant(1).await.unwrap().id;
        put(&db, t, "anna@example.org", None).await;
        let cfg = SmtpConfig::local(1, "teilhabe@example.org");
        assert_eq!(deliver_due(&db, &cfg, "n", 200).await.unwrap(), 0);
        let row = &outbox(&db, t, 10).await.unwrap()[0];
        assert_eq!(row.status, "pending");
        assert_eq!(row.attempts, 1);
        // Not due again at once.
        let smtp = TestSmtp::start().await.unwrap();
        let cfg = SmtpConfig::local(smtp.port, "teilhabe@example.org");
        assert_eq!(deliver_due(&db, &cfg, "n", 201).await.unwrap(), 0);
        assert_eq!(deliver_due(&db, &cfg, "n", 200 + 3600).await.unwrap(), 1);
        assert_eq!(smtp.messages().len(), 1);
    }
}
