#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use th_core::{Locale, TenantId};
use th_participation::event::{
    self, Mailer, NewEvent, NewEventText, NewRegistration, RegError, RegStatus, Registrant,
};
use th_participation::process::{self, NewProcess, PhaseKind};
use th_participation::OrgKind;
use th_storage::{testkit, Db};

const DAY: i64 = 86_400;
const NOW: i64 = 1_790_000_000;
const FIELDS: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 8];

fn catalogs() -> &'static th_i18n::Catalogs {
    static C: std::sync::OnceLock<th_i18n::Catalogs> = std::sync::OnceLock::new();
    C.get_or_init(|| th_i18n::Catalogs::load().unwrap())
}

fn mailer(t: TenantId, now: i64) -> Mailer<'static> {
    Mailer {
        tenant: t,
        i18n: catalogs(),
        origin: "https://teilhabe.test",
        now,
    }
}

fn workshop(process_id: i64, capacity: i64) -> NewEvent {
    let mut texts = BTreeMap::new();
    texts.insert(
        "de".to_string(),
        NewEventText {
            title: "Werkstatt Bildung und Sprache".into(),
            description: "Wir arbeiten an den Zielen des Handlungsfelds 4.".into(),
            agenda: "18:00 Begrüßung\n18:15 Arbeitsgruppen\n20:30 Ende".into(),
        },
    );
    texts.insert(
        "tr".to_string(),
        NewEventText {
            title: "Eğitim ve Dil Atölyesi".into(),
            ..Default::default()
        },
    );
    NewEvent {
        process_id,
        kind: "workshop".into(),
        fields: vec![4],
        // 2026-09-21, 18:00 Hannover time, a few days after NOW (2026-09-21 is after NOW).
        starts: th_core::localtime::format_input(NOW + 10 * DAY),
        ends: th_core::localtime::format_input(NOW + 10 * DAY + 3 * 3600),
        place: "Haus der Region, Raum N 001".into(),
        address: "Hildesheimer Straße 18, 30169 Hannover".into(),
        accessibility: "Stufenloser Zugang, Induktionsschleife".into(),
        online_url: String::new(),
        capacity,
        texts,
    }
}

async fn setup(db: &Db, capacity: i64) -> (TenantId, i64) {
    let t = db.ensure_default_tenant(NOW).await.unwrap().id;
    let mut tx = db.begin().await.unwrap();
    let p = process::create_process(
        &mut tx,
        t,
        NewProcess {
            title: &[(Locale::De, "Integrationskonzept")],
            description: &[],
            moderation: "after",
            retention_days: 365,
            phases: &[(PhaseKind::Workshops, NOW - DAY, NOW + 60 * DAY)],
        },
        NOW,
    )
    .await
    .unwrap();
    let e = event::create(&mut tx, t, &workshop(p, capacity), FIELDS, NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (t, e)
}

fn guest(event_id: i64, n: usize) -> NewRegistration {
    NewRegistration {
        event_id,
        who: Registrant::Guest {
            name: format!("Gast {n}"),
            email: format!("gast{n}@example.org"),
        },
        org_kind: None,
        needs: String::new(),
        locale: Locale::De,
        notify: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_simultaneous_registrations_for_twenty_places() {
    for db in testkit::all().await {
        let (t, e) = setup(&db, 20).await;
        // Two handles on the same database: two nodes of one site.
        let other = Db::connect(db.url()).await.unwrap();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(100));
        let mut tasks = Vec::new();
        for n in 0..100 {
            let node = if n % 2 == 0 {
                db.db.clone()
            } else {
                other.clone()
            };
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                event::register(&node, &mailer(t, NOW), &guest(e, n))
                    .await
                    .unwrap()
            }));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        let confirmed = results
            .iter()
            .filter(|r| r.status == RegStatus::Confirmed)
            .count();
        let waiting = results
            .iter()
            .filter(|r| r.status == RegStatus::Waiting)
            .count();
        assert_eq!((confirmed, waiting), (20, 80), "{}", db.backend().name());
        // Every waiting place is distinct: 1..=80.
        let mut positions: Vec<i64> = results.iter().filter_map(|r| r.position).collect();
        positions.sort();
        assert_eq!(positions, (1..=80).collect::<Vec<_>>());
        let stored = event::get(&db, t, e).await.unwrap().unwrap();
        assert_eq!(
            (stored.confirmed, stored.waiting, stored.free()),
            (20, 80, 0)
        );
        // Everyone got exactly one e-mail telling them where they stand.
        let outbox = th_mail::outbox(&db, t, 1000).await.unwrap();
        assert_eq!(outbox.len(), 100);
        other.close().await;
    }
}

#[tokio::test]
async fn cancelling_moves_the_first_on_the_waiting_list_up() {
    for db in testkit::all().await {
        let (t, e) = setup(&db, 2).await;
        let m = mailer(t, NOW);
        let a = event::register(&db, &m, &guest(e, 1)).await.unwrap();
        let b = event::register(&db, &m, &guest(e, 2)).await.unwrap();
        let c = event::register(&db, &m, &guest(e, 3)).await.unwrap();
        let d = event::register(&db, &m, &guest(e, 4)).await.unwrap();
        assert_eq!(
            [a.status, b.status, c.status, d.status],
            [
                RegStatus::Confirmed,
                RegStatus::Confirmed,
                RegStatus::Waiting,
                RegStatus::Waiting
            ]
        );
        assert_eq!((c.position, d.position), (Some(1), Some(2)));

        // Registering twice is refused and changes nothing.
        let again = event::register(&db, &m, &guest(e, 1)).await;
        assert!(matches!(
            again,
            Err(RegError::AlreadyRegistered {
                status: RegStatus::Confirmed
            })
        ));
        assert_eq!(
            event::registrations(&db, t, e).await.unwrap().len(),
            4,
            "no second row"
        );

        // The first confirmed person cancels through the link in the e-mail.
        let m2 = mailer(t, NOW + 60);
        let moved = event::cancel_by_token(&db, &m2, &a.token).await.unwrap();
        assert_eq!(moved, vec![c.id]);
        let regs = event::registrations(&db, t, e).await.unwrap();
        let by_id = |id| regs.iter().find(|r| r.id == id).unwrap();
        assert_eq!(by_id(a.id).status, RegStatus::Cancelled);
        assert_eq!(by_id(c.id).status, RegStatus::Confirmed);
        assert_eq!(by_id(d.id).position, Some(1), "d is next now");
        // Cancelling again does nothing.
        assert!(event::cancel_by_token(&db, &m2, &a.token)
            .await
            .unwrap()
            .is_empty());
        // The one who moved up was told.
        let outbox = th_mail::outbox(&db, t, 100).await.unwrap();
        assert!(outbox
            .iter()
            .any(|o| o.recipient == "gast3@example.org" && o.subject.contains("Platz")));

        // Who cancelled may register again, at the end of the list.
        let back = event::register(&db, &m2, &guest(e, 1)).await.unwrap();
        assert_eq!((back.status, back.position), (RegStatus::Waiting, Some(2)));

        // More room: the waiting list moves up by itself.
        let mut bigger = workshop(1, 4);
        bigger.process_id = event::get(&db, t, e).await.unwrap().unwrap().process_id;
        let moved = event::update(&db, &mailer(t, NOW + 120), e, &bigger, FIELDS)
            .await
            .unwrap();
        assert_eq!(moved, vec![d.id, back.id]);
        let ev = event::get(&db, t, e).await.unwrap().unwrap();
        assert_eq!((ev.confirmed, ev.waiting), (4, 0));

        // An unknown link, a foreign tenant: not found, nothing changes.
        assert!(event::cancel_by_token(&db, &m2, "falsch").await.is_err());
    }
}

#[tokio::test]
async fn organisations_register_members_and_reminders_go_once() {
    for db in testkit::all().await {
        let (t, e) = setup(&db, 1).await;
        let m = mailer(t, NOW);
        let member = |name: &str| NewRegistration {
            event_id: e,
            who: Registrant::Member {
                organisation_id: 0,
                kind: OrgKind::MigrantOrganisation,
                name: name.into(),
                contact_email: "vorstand@elternverein.example".into(),
            },
            org_kind: None,
            needs: "Kinderbetreuung".into(),
            locale: Locale::Tr,
            notify: true,
        };
        // organisation_id 0 does not exist: the foreign key refuses it on both databases.
        assert!(event::register(&db, &m, &member("Ayşe Demir"))
            .await
            .is_err());

        let mut tx = db.begin().await.unwrap();
        let org = th_participation::create(
            &mut tx,
            t,
            &th_participation::OrgInput {
                name: "Türkisch-Deutscher Elternverein Garbsen e. V.".into(),
                kind: "migrant_organisation".into(),
                municipality: "Garbsen".into(),
                ..Default::default()
            },
            None,
            &["Garbsen".to_string()],
            FIELDS,
            NOW,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let member = |name: &str| NewRegistration {
            who: Registrant::Member {
                organisation_id: org,
                kind: OrgKind::MigrantOrganisation,
                name: name.into(),
                contact_email: "vorstand@elternverein.example".into(),
            },
            ..member(name)
        };
        let a = event::register(&db, &m, &member("Ayşe Demir"))
            .await
            .unwrap();
        let b = event::register(&db, &m, &member("Mehmet Kaya"))
            .await
            .unwrap();
        assert_eq!(a.status, RegStatus::Confirmed);
        assert_eq!((b.status, b.position), (RegStatus::Waiting, Some(1)));
        let ours = event::registrations_of(&db, t, Some(org), None)
            .await
            .unwrap();
        assert_eq!(ours.len(), 2);
        assert_eq!(ours[0].org_kind, "migrant_organisation");
        // The mail is in Turkish, to the contact.
        let outbox = th_mail::outbox(&db, t, 100).await.unwrap();
        assert!(outbox
            .iter()
            .all(|o| o.recipient == "vorstand@elternverein.example"));

        // A day before: one reminder to the confirmed registration, never a second.
        let before = NOW + 10 * DAY - 20 * 3600;
        let sent = event::send_reminders(&db, &mailer(t, before), DAY)
            .await
            .unwrap();
        assert_eq!(sent, 1);
        let sent = event::send_reminders(&db, &mailer(t, before + 60), DAY)
            .await
            .unwrap();
        assert_eq!(sent, 0);

        // Afterwards: minutes, attendance by kind, outcomes.
        let by_kind = event::registered_by_kind(&db, e).await.unwrap();
        assert_eq!(by_kind.get("migrant_organisation"), Some(&1));
        event::record(
            &db,
            t,
            e,
            "Protokoll: Hausaufgabenhilfe ausbauen.",
            Locale::De,
            &[("migrant_organisation".into(), 12), ("welfare".into(), 5)],
        )
        .await
        .unwrap();
        assert!(
            event::record(&db, t, e, "", Locale::De, &[("martians".into(), 1)])
                .await
                .is_err()
        );
        let att = event::attendance(&db, e).await.unwrap();
        assert_eq!(att.values().sum::<i64>(), 17);
        let o = event::add_outcome(&db, t, e, "Ziel 4.2 aufgenommen", None, Some("4.2"), NOW)
            .await
            .unwrap();
        assert_eq!(event::outcomes(&db, e).await.unwrap()[0].id, o);
        assert!(event::add_outcome(&db, t, e, "x", Some(999_999), None, NOW)
            .await
            .is_err());

        // After the end nobody can register.
        let late = event::register(&db, &mailer(t, NOW + 11 * DAY), &guest(e, 9)).await;
        assert!(matches!(late, Err(RegError::Over)));
    }
}

#[test]
fn an_event_needs_a_title_valid_times_and_a_place_or_a_link() {
    let mut e = workshop(1, 0);
    e.starts = "morgen".into();
    e.ends = th_core::localtime::format_input(NOW);
    e.place = String::new();
    e.texts.clear();
    e.kind = "party".into();
    let cal = event::ical(&[], Locale::De, "https://x", "x", NOW);
    assert!(cal.starts_with("BEGIN:VCALENDAR\r\n") && cal.ends_with("END:VCALENDAR\r\n"));
    // Validation happens inside create; check the reasons through a database-free path.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = testkit::fresh(th_storage::Backend::Sqlite).await;
        let t = db.ensure_default_tenant(NOW).await.unwrap().id;
        let mut tx = db.begin().await.unwrap();
        let err = event::create(&mut tx, t, &e, FIELDS, NOW)
            .await
            .unwrap_err();
        let th_participation::PartError::Invalid(errs) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in ["kind", "starts", "place", "capacity", "title_de"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    });
}
