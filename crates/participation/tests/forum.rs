#![allow(clippy::unwrap_used, clippy::expect_used)]

use th_core::{Locale, TenantId};
use th_participation::event::Mailer;
use th_participation::forum::{self, Frequency, NewReply, NewThread, Writer};
use th_participation::process::{self, NewProcess, PhaseKind};
use th_participation::retention;
use th_storage::{testkit, Db};

const DAY: i64 = 86_400;
const NOW: i64 = 1_790_000_000;
const FIELDS: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 8];

fn catalogs() -> &'static th_i18n::Catalogs {
    static C: std::sync::OnceLock<th_i18n::Catalogs> = std::sync::OnceLock::new();
    C.get_or_init(|| th_i18n::Catalogs::load().unwrap())
}

async fn setup(db: &Db) -> (TenantId, i64, i64) {
    let t = db.ensure_default_tenant(NOW).await.unwrap().id;
    let mut tx = db.begin().await.unwrap();
    let u = th_auth::create_user(
        &mut tx,
        t,
        th_auth::NewUser {
            email: &th_core::Email::parse("leser@example.org").unwrap(),
            display_name: "Leserin",
            password: None,
            role: th_core::Role::Participant,
            locale: Locale::De,
            email_confirmed: true,
        },
        NOW,
    )
    .await
    .unwrap();
    let p = process::create_process(
        &mut tx,
        t,
        NewProcess {
            title: &[(Locale::De, "Integrationskonzept")],
            description: &[],
            moderation: "after",
            retention_days: 30,
            phases: &[(PhaseKind::Forums, NOW - 10 * DAY, NOW + 10 * DAY)],
        },
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (t, p, u.id)
}

#[tokio::test]
async fn threads_replies_quotes_pages_and_moderation() {
    for db in testkit::all().await {
        let (t, p, u) = setup(&db).await;
        let w = Writer {
            user_id: Some(u),
            pseudonym: "Leserin",
        };
        let new = |title: &'static str, field| NewThread {
            process: p,
            field,
            title,
            body: "Wie machen Sie das?",
            locale: Locale::De,
        };
        assert!(forum::create_thread(&db, t, &new("", 4), FIELDS, &w, NOW)
            .await
            .is_err());
        assert!(
            forum::create_thread(&db, t, &new("Thema", 99), FIELDS, &w, NOW)
                .await
                .is_err()
        );
        let (tid, first) = forum::create_thread(&db, t, &new("Hausaufgaben", 4), FIELDS, &w, NOW)
            .await
            .unwrap();
        let reply = |parent, quote, body: &'static str| NewReply {
            parent,
            quote,
            body,
            locale: Locale::De,
        };
        let a = forum::reply(
            &db,
            t,
            tid,
            &reply(None, None, "Zweiter Beitrag"),
            &w,
            NOW + 1,
        )
        .await
        .unwrap();
        let r1 = forum::reply(
            &db,
            t,
            tid,
            &reply(Some(first), Some(first), "Antwort"),
            &w,
            NOW + 2,
        )
        .await
        .unwrap();
        // A reply to a reply answers the same top-level post: one level only.
        let r2 = forum::reply(
            &db,
            t,
            tid,
            &reply(Some(r1), None, "Antwort auf Antwort"),
            &w,
            NOW + 3,
        )
        .await
        .unwrap();
        let (posts, total) = forum::page(&db, tid, 1).await.unwrap();
        assert_eq!(total, 4);
        let order: Vec<i64> = posts.iter().map(|p| p.id).collect();
        assert_eq!(order, vec![first, r1, r2, a], "replies follow their post");
        assert_eq!(posts[2].root_id, first);
        assert_eq!(posts[1].quote_text, "Wie machen Sie das?");
        // Quoting or answering a post of another thread is refused.
        let (other, other_first) =
            forum::create_thread(&db, t, &new("Anderes", 4), FIELDS, &w, NOW)
                .await
                .unwrap();
        assert!(
            forum::reply(&db, t, tid, &reply(Some(other_first), None, "x"), &w, NOW)
                .await
                .is_err()
        );
        assert!(
            forum::reply(&db, t, tid, &reply(None, Some(other_first), "x"), &w, NOW)
                .await
                .is_err()
        );
        let (list, n) = forum::threads(&db, t, p, 4, false, 0, 10).await.unwrap();
        assert_eq!(n, 2);
        assert_eq!(list[0].id, tid, "most recently active first");
        assert_eq!(list[1].id, other);

        // Paging: 120 more posts; the third page holds the last ones.
        for i in 0..120 {
            forum::reply(&db, t, tid, &reply(None, None, "viele"), &w, NOW + 10 + i)
                .await
                .unwrap();
        }
        let (page3, total) = forum::page(&db, tid, 3).await.unwrap();
        assert_eq!(total, 124);
        assert_eq!(page3.len(), 24);
        let last = page3.last().unwrap().id;
        assert_eq!(forum::page_of(&db, tid, last).await.unwrap(), 3);
        assert_eq!(forum::page_of(&db, tid, r2).await.unwrap(), 1);

        // Report, hide, log; locked threads take no replies.
        assert!(forum::report(&db, t, a, "", NOW).await.is_err());
        forum::report(&db, t, a, "Beleidigung", NOW).await.unwrap();
        assert_eq!(forum::reported(&db, t).await.unwrap().len(), 1);
        let quoting = forum::reply(
            &db,
            t,
            tid,
            &reply(None, Some(a), "Wie oben gesagt"),
            &w,
            NOW + 500,
        )
        .await
        .unwrap();
        forum::moderate(&db, t, a, true, u, "beleidigend", NOW)
            .await
            .unwrap();
        assert!(forum::reported(&db, t).await.unwrap().is_empty());
        // A hidden post can no longer be quoted, and earlier quotes of it disappear.
        assert!(
            forum::reply(&db, t, tid, &reply(None, Some(a), "Zitat"), &w, NOW)
                .await
                .is_err()
        );
        let at = forum::page_of(&db, tid, quoting).await.unwrap();
        let (posts, _) = forum::page(&db, tid, at).await.unwrap();
        let q = posts.iter().find(|p| p.id == quoting).unwrap();
        assert_eq!(q.quote_text, "");
        assert!(forum::get_post(&db, t, a).await.unwrap().unwrap().hidden);
        assert_eq!(forum::decisions(&db, a).await.unwrap()[0].0, "hide");
        forum::lock(&db, t, tid, true).await.unwrap();
        assert!(
            forum::reply(&db, t, tid, &reply(None, None, "zu spät"), &w, NOW)
                .await
                .is_err()
        );
        // Another tenant sees nothing.
        let other_tenant = db
            .add_tenant("andere.example", "Andere Stadt", NOW)
            .await
            .unwrap();
        assert!(forum::get_thread(&db, other_tenant.id, tid)
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn digests_go_to_those_who_asked_once_per_period() {
    for db in testkit::all().await {
        let (t, p, u) = setup(&db).await;
        let w = Writer {
            user_id: None,
            pseudonym: "Verein",
        };
        let mail = |now| Mailer {
            tenant: t,
            i18n: catalogs(),
            origin: "https://teilhabe.test",
            now,
        };
        forum::set_digest(&db, t, u, Frequency::Daily, NOW)
            .await
            .unwrap();
        assert_eq!(forum::digest_of(&db, t, u).await.unwrap(), Frequency::Daily);
        // Nothing new: nothing sent, even when due.
        assert_eq!(forum::send_digests(&db, &mail(NOW + DAY)).await.unwrap(), 0);
        forum::create_thread(
            &db,
            t,
            &NewThread {
                process: p,
                field: 2,
                title: "Willkommen",
                body: "Text",
                locale: Locale::De,
            },
            FIELDS,
            &w,
            NOW + DAY + 60,
        )
        .await
        .unwrap();
        // Not yet a day since the last round.
        assert_eq!(
            forum::send_digests(&db, &mail(NOW + DAY + 120))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            forum::send_digests(&db, &mail(NOW + 2 * DAY))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            forum::send_digests(&db, &mail(NOW + 2 * DAY + 1))
                .await
                .unwrap(),
            0
        );
        let out = th_mail::outbox(&db, t, 10).await.unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].recipient, "leser@example.org");
        forum::set_digest(&db, t, u, Frequency::Off, NOW)
            .await
            .unwrap();
        assert_eq!(forum::digest_of(&db, t, u).await.unwrap(), Frequency::Off);
    }
}

#[tokio::test]
async fn personal_data_is_erased_when_the_retention_period_ends() {
    for db in testkit::all().await {
        let (t, p, u) = setup(&db).await;
        let w = Writer {
            user_id: Some(u),
            pseudonym: "Leserin",
        };
        let (tid, _) = forum::create_thread(
            &db,
            t,
            &NewThread {
                process: p,
                field: 4,
                title: "Sprachkurse",
                body: "Abends bitte",
                locale: Locale::De,
            },
            FIELDS,
            &w,
            NOW,
        )
        .await
        .unwrap();
        let due = retention::due_at(&db, t, p).await.unwrap().unwrap();
        assert_eq!(due, NOW + 10 * DAY + 30 * DAY);
        assert!(retention::run(&db, t, due - 1).await.unwrap().is_empty());
        let erased = retention::run(&db, t, due).await.unwrap();
        assert_eq!(erased.len(), 1);
        assert_eq!(erased[0].posts, 1);
        let (posts, _) = forum::page(&db, tid, 1).await.unwrap();
        assert_eq!(posts[0].author, "");
        assert_eq!(posts[0].author_user_id, None);
        assert_eq!(posts[0].body, "Abends bitte", "the text stays");
        // Once only.
        assert!(retention::run(&db, t, due + DAY).await.unwrap().is_empty());
    }
}
