//! Queues an invitation campaign to every contact of the demo registry plus the social
//! department's 700 organisations (about 1,400 contacts), then delivers the outbox to a local
//! SMTP server, and prints both rates. SQLite by default; set TEILHABE_BENCH_POSTGRES to a
//! server URL (postgres://user@host:port) to measure PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;
use th_core::Locale;
use th_participation::campaign::{self, CampaignFilter, NewCampaign};
use th_storage::{Backend, Db};

const FIXED: &[u8] =
    include_bytes!("../../../tests/fixtures/organisationen-sozialamt-korrigiert.csv");

async fn run(db: &Db, label: &str) {
    let now = 1_790_000_000;
    th_demo::load(db, now).await.unwrap();
    let t = db.default_tenant().await.unwrap().unwrap().id;
    let m: Vec<(String, String)> = db
        .municipalities(t)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.key, m.name))
        .collect();
    let plan = th_participation::import::check(db, t, FIXED, &m, &[1, 2, 3, 4, 5, 6, 7, 8], now)
        .await
        .unwrap();
    th_participation::import::apply(db, t, &plan, now)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let c = campaign::create_campaign(
        &mut tx,
        t,
        &NewCampaign {
            process_id: 2,
            name: "Alle",
            filter: CampaignFilter::default(),
            link_days: 60,
            texts: vec![
                (Locale::De, "Einladung", "Bitte antworten Sie: {link}"),
                (Locale::En, "Invitation", "Please answer."),
            ],
        },
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let start = Instant::now();
    let r = campaign::send(db, t, c, "https://teilhabe.example", now)
        .await
        .unwrap();
    let queued = start.elapsed();
    let smtp = th_mail::testsmtp::TestSmtp::start().await.unwrap();
    let cfg = th_mail::SmtpConfig::local(smtp.port, "teilhabe@example.org");
    let start = Instant::now();
    let mut sent = 0;
    while sent < r.queued {
        let n = th_mail::deliver_due(db, &cfg, "bench", now + 1)
            .await
            .unwrap();
        assert!(n > 0, "delivery stalled");
        sent += n;
    }
    let delivered = start.elapsed();
    assert_eq!(smtp.messages().len(), r.queued);
    println!(
        "{label}: queued {} invitations in {:.0} ms; delivered them to a local SMTP server in {:.2} s = {:.0} messages/s",
        r.queued,
        queued.as_secs_f64() * 1000.0,
        delivered.as_secs_f64(),
        r.queued as f64 / delivered.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let db = th_storage::testkit::fresh(Backend::Sqlite).await;
    run(&db, "SQLite").await;
    if let Ok(server) = std::env::var("TEILHABE_BENCH_POSTGRES") {
        std::env::set_var("TEILHABE_TEST_POSTGRES", server);
        let db = th_storage::testkit::fresh(Backend::Postgres).await;
        run(&db, "PostgreSQL").await;
    }
}
