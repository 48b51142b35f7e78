//! Fills a database for the load benchmarks in `bench/participation.sh`: the demo at ten
//! times its size (7,000 organisations with a campaign to all of them, 3,000 contributions,
//! 130 events with registrations, 50 forum threads) and one forum thread with 5,000 replies.
//! Prints the thread's id and an API token of the demo coordinator as shell assignments.
//! Usage: SEED_DB=sqlite:///tmp/x.db cargo bench -p th-participation --bench seed
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;
use th_core::{Locale, TenantId};
use th_participation::contribution::{self, Author, Context, GoodPractice, NewContribution};
use th_participation::event::{self, Mailer, NewEvent, NewEventText, NewRegistration, Registrant};
use th_participation::forum::{self, NewReply, NewThread, Writer};
use th_participation::process::PhaseKind;
use th_storage::Db;

const NOW: i64 = 1_790_000_000;
const FIELDS: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 8];

fn csv(towns: &[String], n: usize) -> String {
    let kinds = [
        "Migrantenselbstorganisation",
        "Wohlfahrtsverband",
        "Bildungseinrichtung",
        "Arbeitgeber/Kammer",
        "Gesundheitswesen",
        "Kommune/Verwaltung",
        "Sonstige",
    ];
    let mut s = String::from("Organisation;Art;Stadt/Gemeinde;Handlungsfelder;Sprachen;Ansprechperson;E-Mail;Funktion;Einwilligung;Bemerkungen\n");
    for i in 0..n {
        s.push_str(&format!(
            "Lastverein {i} {town};{kind};{town};{f};de,tr;Person {i};person{i}@last.example;Vorsitz;;fiktiv\n",
            town = towns[i % towns.len()],
            kind = kinds[i % kinds.len()],
            f = 1 + i % 8,
        ));
    }
    s
}

async fn seed(db: &Db) -> (i64, String) {
    let t0 = Instant::now();
    th_demo::load(db, NOW).await.unwrap();
    let t: TenantId = db.default_tenant().await.unwrap().unwrap().id;
    let m: Vec<(String, String)> = db
        .municipalities(t)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.key, m.name))
        .collect();
    let names: Vec<String> = m.iter().map(|(_, n)| n.clone()).collect();
    let plan =
        th_participation::import::check(db, t, csv(&names, 6300).as_bytes(), &m, FIELDS, NOW)
            .await
            .unwrap();
    assert!(
        plan.errors.is_empty(),
        "{:?}",
        &plan.errors[..3.min(plan.errors.len())]
    );
    th_participation::import::apply(db, t, &plan, NOW)
        .await
        .unwrap();
    eprintln!(
        "organisations: {}",
        th_participation::count(db, t).await.unwrap()
    );

    // A campaign to all 7,000 organisations, recorded as sent.
    let mut tx = db.begin().await.unwrap();
    let c = th_participation::campaign::create_campaign(
        &mut tx,
        t,
        &th_participation::campaign::NewCampaign {
            process_id: 2,
            name: "Alle (Last)",
            filter: Default::default(),
            link_days: 60,
            texts: vec![(Locale::De, "Einladung", "Bitte antworten Sie: {link}")],
        },
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let answered = (1..7000).step_by(3).collect();
    th_participation::campaign::record_by_post(db, t, c, NOW, &answered, NOW + 86_400)
        .await
        .unwrap();

    // 2,700 more contributions (3,000 in all).
    let orgs: Vec<i64> = th_participation::list(db, t, &Default::default(), 0, 7000)
        .await
        .unwrap()
        .0
        .iter()
        .map(|o| o.id)
        .collect();
    let kinds = ["wish", "idea", "good_practice"];
    for i in 0..2700usize {
        let cx = Context {
            tenant: t,
            process_id: 2,
            phase: PhaseKind::Collecting,
            moderation: "after",
            valid_fields: FIELDS,
            now: NOW + i as i64,
        };
        contribution::create(
            db,
            &cx,
            Author::Organisation {
                organisation_id: orgs[i * 7 % orgs.len()],
            },
            &NewContribution {
                kind: kinds[i % 3].into(),
                title: format!("Vorschlag {i}: mehr Sprachkurse und Beratung"),
                body: "Wir wünschen uns mehrsprachige Beratung am Abend und Kinderbetreuung während der Kurse.".into(),
                fields: vec![1 + (i % 8) as i64],
                details: GoodPractice::default(),
                locale: Some(Locale::De),
                notify_email: None,
            },
        )
        .await
        .unwrap();
    }

    // 117 more events (130 in all), each with a few registrations.
    let i18n = th_i18n::Catalogs::load().unwrap();
    let mail = Mailer {
        tenant: t,
        i18n: &i18n,
        origin: "https://teilhabe.example",
        now: NOW,
    };
    for i in 0..117i64 {
        let mut texts = BTreeMap::new();
        texts.insert(
            "de".to_string(),
            NewEventText {
                title: format!("Werkstatt {i}"),
                ..Default::default()
            },
        );
        let mut tx = db.begin().await.unwrap();
        let e = event::create(
            &mut tx,
            t,
            &NewEvent {
                process_id: 2,
                kind: "workshop".into(),
                fields: vec![1 + i % 8],
                starts: format!("2027-{:02}-{:02}T18:00", 1 + i % 12, 1 + i % 28),
                ends: format!("2027-{:02}-{:02}T20:00", 1 + i % 12, 1 + i % 28),
                place: "Haus der Region".into(),
                capacity: 20,
                texts,
                ..Default::default()
            },
            FIELDS,
            NOW,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        for k in 0..3 {
            event::register(
                db,
                &mail,
                &NewRegistration {
                    event_id: e,
                    who: Registrant::Guest {
                        name: format!("Gast {i}-{k}"),
                        email: format!("gast{i}-{k}@last.example"),
                    },
                    org_kind: None,
                    needs: String::new(),
                    locale: Locale::De,
                    notify: false,
                },
            )
            .await
            .unwrap();
        }
    }

    // 45 more threads (50 in all), and one with 5,000 replies.
    let w = Writer {
        user_id: None,
        pseudonym: "Lastprobe",
    };
    for i in 0..45i64 {
        forum::create_thread(
            db,
            t,
            &NewThread {
                process: 2,
                field: 1 + i % 8,
                title: &format!("Thema {i}"),
                body: "Erfahrungen?",
                locale: Locale::De,
            },
            FIELDS,
            &w,
            NOW + i,
        )
        .await
        .unwrap();
    }
    let (thread, first) = forum::create_thread(
        db,
        t,
        &NewThread {
            process: 2,
            field: 4,
            title: "Sprachkurse: 5.000 Antworten",
            body: "Wie finden Berufstätige einen Sprachkurs am Abend?",
            locale: Locale::De,
        },
        FIELDS,
        &w,
        NOW,
    )
    .await
    .unwrap();
    let mut root = first;
    for i in 0..5000i64 {
        let body = format!("Antwort {i}: Bei uns gibt es dienstags und donnerstags einen Kurs am Abend, mit Kinderbetreuung. Anmeldung über die Volkshochschule.");
        let top = i % 10 == 0;
        let id = forum::reply(
            db,
            t,
            thread,
            &NewReply {
                parent: (!top).then_some(root),
                quote: (i % 25 == 3).then_some(root),
                body: &body,
                locale: Locale::De,
            },
            &w,
            NOW + i,
        )
        .await
        .unwrap();
        if top {
            root = id;
        }
    }
    let coordinator = th_auth::user_by_email(
        db,
        t,
        &th_core::Email::parse(th_demo::COORDINATOR_EMAIL).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let (_, token) = th_auth::create_api_token(db, &coordinator, "bench", NOW)
        .await
        .unwrap();
    eprintln!("seeded in {:.1} s", t0.elapsed().as_secs_f64());
    (thread, token)
}

#[tokio::main]
async fn main() {
    let url = std::env::var("SEED_DB").expect("SEED_DB=sqlite:///path or postgres://…");
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let (thread, token) = seed(&db).await;
    println!("THREAD={thread}");
    println!("TOKEN={token}");
}
