#![allow(clippy::unwrap_used, clippy::expect_used)]

use th_core::{Locale, TenantId};
use th_participation::campaign::{self, CampaignFilter, NewCampaign, Opened};
use th_participation::contribution::{self, Author, Context, NewContribution};
use th_participation::process::{self, NewProcess, PhaseKind};
use th_storage::testkit;

const DAY: i64 = 86_400;
const NOW: i64 = 1_790_000_000;

async fn setup(db: &th_storage::Db) -> (TenantId, i64, i64) {
    th_demo::load(db, NOW).await.unwrap();
    let t = db.default_tenant().await.unwrap().unwrap().id;
    let mut tx = db.begin().await.unwrap();
    let p = process::create_process(
        &mut tx,
        t,
        NewProcess {
            title: &[(Locale::De, "Integrationskonzept 2031")],
            description: &[],
            moderation: "after",
            retention_days: 365,
            phases: &[
                (PhaseKind::Invitation, NOW - DAY, NOW + 30 * DAY),
                (PhaseKind::Collecting, NOW + 30 * DAY, NOW + 90 * DAY),
            ],
        },
        NOW,
    )
    .await
    .unwrap();
    let c = campaign::create_campaign(
        &mut tx,
        t,
        &NewCampaign {
            process_id: p,
            name: "Einladung Wohlfahrt und MSO",
            filter: CampaignFilter {
                kinds: vec!["welfare".into(), "migrant_organisation".into()],
                ..Default::default()
            },
            link_days: 60,
            texts: vec![
                (
                    Locale::De,
                    "Einladung zur Beteiligung",
                    "Wir laden Sie ein: {link}",
                ),
                (Locale::En, "Invitation", "You are invited."),
                (Locale::Tr, "Davet", "Davetlisiniz."),
            ],
        },
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (t, p, c)
}

#[tokio::test]
async fn a_campaign_reaches_each_contact_once_and_links_guard_themselves() {
    for db in testkit::all().await {
        let (t, p, c) = setup(&db).await;
        let camp = campaign::campaign(&db, t, c).await.unwrap().unwrap();
        let expected = campaign::recipients(&db, t, &camp.filter)
            .await
            .unwrap()
            .len();
        assert!(expected > 200, "{expected}");
        let r = campaign::send(&db, t, c, "https://teilhabe.test", NOW)
            .await
            .unwrap();
        assert_eq!(r.queued, expected);
        let again = campaign::send(&db, t, c, "https://teilhabe.test", NOW + 1)
            .await
            .unwrap();
        assert_eq!(
            (again.queued, again.already_invited),
            (0, expected),
            "never twice"
        );
        let outbox = th_mail::outbox(&db, t, 10_000).await.unwrap();
        assert_eq!(outbox.len(), expected);

        // A personal link, made the way `send` makes them (tokens are stored only as hashes).
        let letter = campaign::letter(&camp, "https://teilhabe.test/einladung/TOKEN");
        assert!(letter
            .1
            .contains("Wir laden Sie ein: https://teilhabe.test/einladung/TOKEN?lang=de"));
        assert!(letter
            .1
            .contains("You are invited.\n\nhttps://teilhabe.test/einladung/TOKEN?lang=en"));
        assert!(letter.1.contains("Davetlisiniz."));

        let tok = th_auth::random_token();
        let inv_id: i64 = th_storage::sqlx::query(
            "SELECT id FROM part_invitations WHERE campaign_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(c)
        .fetch_one(db.pool())
        .await
        .map(|r| th_storage::Row::get(&r, 0))
        .unwrap();
        th_storage::sqlx::query("UPDATE part_invitations SET token_hash = $1 WHERE id = $2")
            .bind(th_auth::token_hash(&tok))
            .bind(inv_id)
            .execute(db.pool())
            .await
            .unwrap();

        assert_eq!(
            campaign::open(&db, t, "falsch", None, NOW).await.unwrap(),
            Opened::Unknown
        );
        let Opened::Ok {
            invitation,
            new_device: Some(phone),
        } = campaign::open(&db, t, &tok, None, NOW).await.unwrap()
        else {
            panic!("first open")
        };
        assert!(matches!(
            campaign::open(&db, t, &tok, Some(&phone), NOW)
                .await
                .unwrap(),
            Opened::Ok {
                new_device: None,
                ..
            }
        ));
        let Opened::NeedsCode { invitation: inv2 } =
            campaign::open(&db, t, &tok, None, NOW).await.unwrap()
        else {
            panic!("second device")
        };
        let code = campaign::issue_code(&db, &inv2, NOW).await.unwrap();
        assert_eq!(
            campaign::redeem_code(&db, &inv2, "000000x", NOW)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            campaign::redeem_code(&db, &inv2, &code, NOW + 16 * 60)
                .await
                .unwrap(),
            None,
            "codes expire"
        );
        let code = campaign::issue_code(&db, &inv2, NOW).await.unwrap();
        let laptop = campaign::redeem_code(&db, &inv2, &code, NOW)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            campaign::open(&db, t, &tok, Some(&laptop), NOW)
                .await
                .unwrap(),
            Opened::Ok { .. }
        ));
        assert_eq!(
            campaign::redeem_code(&db, &inv2, &code, NOW).await.unwrap(),
            None,
            "a code works once"
        );
        // Another tenant never sees the link.
        let other = db
            .add_tenant("zweite.example", "Zweite", NOW)
            .await
            .unwrap()
            .id;
        assert_eq!(
            campaign::open(&db, other, &tok, Some(&phone), NOW)
                .await
                .unwrap(),
            Opened::Unknown
        );
        assert_eq!(
            campaign::open(&db, t, &tok, Some(&phone), NOW + 61 * DAY)
                .await
                .unwrap(),
            Opened::Expired
        );

        // Answering as the organisation.
        let cx = Context {
            tenant: t,
            process_id: p,
            phase: PhaseKind::Invitation,
            moderation: "after",
            valid_fields: &[1, 2, 3, 4, 5, 6, 7, 8],
            now: NOW,
        };
        let bad = contribution::create(
            &db,
            &cx,
            Author::Invitation {
                invitation_id: invitation.id,
                organisation_id: invitation.organisation_id,
            },
            &NewContribution {
                kind: "wish".into(),
                title: "".into(),
                body: "".into(),
                fields: vec![9],
                ..Default::default()
            },
        )
        .await;
        assert!(bad.is_err());
        let id = contribution::create(
            &db,
            &cx,
            Author::Invitation {
                invitation_id: invitation.id,
                organisation_id: invitation.organisation_id,
            },
            &NewContribution {
                kind: "good_practice".into(),
                title: "Hausaufgabencafé".into(),
                body: "Dienstags und donnerstags".into(),
                fields: vec![4],
                locale: Some(Locale::Tr),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ours = contribution::of_organisation(&db, t, invitation.organisation_id)
            .await
            .unwrap();
        assert_eq!(ours.len(), 1);
        assert_eq!(
            (ours[0].id, ours[0].locale, ours[0].fields.clone()),
            (id, Locale::Tr, vec![4])
        );

        // Reminders go to those who have not answered, once per round.
        let n = campaign::remind(&db, t, c, "https://teilhabe.test", "Erinnerung:", NOW + DAY)
            .await
            .unwrap();
        assert_eq!(n, expected - 1);
        let (total, by_kind, by_m) = campaign::stats(&db, t, c).await.unwrap();
        assert_eq!(total.invited as usize, expected);
        assert_eq!((total.opened, total.answered), (1, 1));
        assert_eq!(by_kind.len(), 2);
        assert!(by_m.len() > 5);
        assert!(campaign::revoke(&db, t, invitation.id, NOW).await.unwrap());
        assert_eq!(
            campaign::open(&db, t, &tok, Some(&phone), NOW)
                .await
                .unwrap(),
            Opened::Revoked
        );
    }
}

#[tokio::test]
async fn a_process_knows_where_it_stands() {
    let db = testkit::fresh(th_storage::Backend::Sqlite).await;
    let (t, p, _) = setup(&db).await;
    let pr = process::process(&db, t, p).await.unwrap().unwrap();
    assert_eq!(pr.standing(NOW - 2 * DAY), process::Standing::NotStarted);
    assert_eq!(
        pr.standing(NOW),
        process::Standing::In {
            phase: PhaseKind::Invitation
        }
    );
    assert_eq!(
        pr.standing(NOW + 40 * DAY),
        process::Standing::In {
            phase: PhaseKind::Collecting
        }
    );
    assert_eq!(pr.standing(NOW + 100 * DAY), process::Standing::Finished);
}
