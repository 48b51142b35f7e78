//! The contributions of the 2016 process: wishes, ideas and good examples from the fictitious
//! organisations, in several languages, with what became of each. Deterministic.

use th_core::{Locale, TenantId};
use th_participation::contribution::{
    self, Author, Context, GoodPractice, NewContribution, Status, Verdict,
};
use th_participation::process::PhaseKind;
use th_storage::{sqlx, Db, Row};

/// (field, kind, locale, title, text)
const TEMPLATES: &[(i64, &str, Locale, &str, &str)] = &[
    (1, "wish", Locale::De, "Migrantenbeiräte in allen Kommunen", "Jede Stadt und Gemeinde der Region sollte einen Beirat haben, in dem Zugewanderte mitreden."),
    (1, "idea", Locale::Tr, "Göçmen dernekleri için danışma saatleri", "Belediyeler dernekler için düzenli danışma saatleri sunmalı."),
    (1, "good_practice", Locale::De, "Offenes Vereinsfrühstück", "Einmal im Monat lädt der Verein Nachbarinnen und Nachbarn zum Frühstück ein."),
    (2, "wish", Locale::De, "Willkommensmappe in mehreren Sprachen", "Neu Zugezogene sollten eine Mappe mit den wichtigsten Adressen in ihrer Sprache bekommen."),
    (2, "idea", Locale::Ar, "مرشدون متطوعون للقادمين الجدد", "يرافق متطوعون القادمين الجدد في الأسابيع الأولى إلى الدوائر الرسمية."),
    (2, "wish", Locale::En, "An advice point for recognition of qualifications", "People need one place that explains how foreign qualifications are recognised."),
    (3, "idea", Locale::De, "Patenschaften für Geflüchtete", "Ehrenamtliche übernehmen Patenschaften und begleiten Familien im Alltag."),
    (3, "wish", Locale::Ar, "دعم نفسي للاجئين", "نحتاج إلى استشارات نفسية بلغة اللاجئين."),
    (3, "good_practice", Locale::De, "Fahrradwerkstatt im Wohnheim", "Geflüchtete reparieren gemeinsam Fahrräder und werden so mobil."),
    (4, "wish", Locale::De, "Mehr Sprachkurse am Abend", "Berufstätige brauchen Deutschkurse nach Feierabend."),
    (4, "idea", Locale::Tr, "Ana-baba okulu", "Velilere okul sistemini anlatan kurslar."),
    (4, "wish", Locale::Ru, "Курсы немецкого с присмотром за детьми", "Матерям нужны курсы, на время которых дети под присмотром."),
    (5, "wish", Locale::De, "Anerkennung ausländischer Abschlüsse beschleunigen", "Die Verfahren dauern zu lange; Beratung sollte früher ansetzen."),
    (5, "idea", Locale::En, "Mentoring between companies and newcomers", "Experienced staff mentor newcomers during their first year at work."),
    (5, "good_practice", Locale::De, "Jobbörse im Stadtteilzentrum", "Betriebe stellen sich einmal im Quartal im Stadtteilzentrum vor."),
    (6, "wish", Locale::De, "Dolmetscher in Arztpraxen", "Patientinnen und Patienten brauchen bei Arztbesuchen Sprachmittlung."),
    (6, "idea", Locale::Ar, "توعية صحية بلغات متعددة", "حملات للوقاية الصحية بلغات المهاجرين."),
    (6, "wish", Locale::Fa, "مشاوره سلامت به زبان دری", "خانواده‌های افغان به مشاوره سلامت به زبان خودشان نیاز دارند."),
    (7, "idea", Locale::De, "Runder Tisch Integration in jeder Kommune", "Vereine, Schulen und Verwaltung treffen sich zweimal im Jahr."),
    (7, "wish", Locale::Pl, "Wspólny kalendarz wydarzeń", "Jeden kalendarz wszystkich wydarzeń organizacji w regionie."),
    (8, "wish", Locale::De, "Mehrsprachige Beschäftigte in der Ausländerbehörde", "Die Behörde sollte gezielt Menschen einstellen, die die Sprachen der Kundschaft sprechen."),
    (8, "idea", Locale::Tr, "Personel için kültürlerarası eğitim", "Kamu çalışanları için düzenli kültürlerarası eğitimler."),
    (8, "good_practice", Locale::De, "Dolmetscherpool der Verwaltung", "Beschäftigte mit Sprachkenntnissen helfen Kolleginnen und Kollegen bei Terminen."),
];

pub const COUNT: usize = 300;

/// Midnight UTC of a date.
fn day(y: i32, m: u8, d: u8) -> i64 {
    time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .unwrap_or(0)
}

pub async fn load(db: &Db, t: TenantId, coordinator: i64) -> Result<usize, String> {
    let orgs: Vec<(i64, String, String)> = sqlx::query(
        "SELECT id, name, kind FROM part_organisations WHERE tenant_id = $1 ORDER BY id",
    )
    .bind(t.0)
    .fetch_all(db.pool())
    .await
    .map_err(|e| e.to_string())?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    if orgs.is_empty() {
        return Ok(0);
    }
    let fields: Vec<i64> = (1..=8).collect();
    let collecting = day(2014, 1, 15);
    let mut n = 0;
    // The story of journey 2: the parents' association in Garbsen and its homework café.
    let parents = orgs
        .iter()
        .find(|(_, name, kind)| {
            kind == "migrant_organisation"
                && name.contains("Elternverein")
                && name.contains("Garbsen")
        })
        .or_else(|| {
            orgs.iter()
                .find(|(_, _, kind)| kind == "migrant_organisation")
        });
    if let Some((org, _, _)) = parents {
        let cx = Context {
            tenant: t,
            process_id: 1,
            phase: PhaseKind::Collecting,
            moderation: "after",
            valid_fields: &fields,
            now: collecting,
        };
        let id = contribution::create(
            db,
            &cx,
            Author::Organisation { organisation_id: *org },
            &NewContribution {
                kind: "good_practice".into(),
                title: "Hausaufgabencafé des Elternvereins".into(),
                body: "Zweimal in der Woche helfen Eltern und Studierende Kindern bei den Hausaufgaben, auf Deutsch und Türkisch.".into(),
                fields: vec![4],
                details: GoodPractice { who: "Elternverein".into(), place: "Garbsen, Stadtteiltreff".into(), contact: "Vorstand des Vereins".into() },
                locale: Some(Locale::De),
                notify_email: None,
            },
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
        contribution::decide(
            db,
            t,
            id,
            Verdict {
                status: Status::Taken,
                goal: Some("4.2"),
                reason: "Gute Ansätze wie Hausaufgabencafés sind in Ziel 4.2 aufgenommen.",
            },
            coordinator,
            day(2016, 3, 1),
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
        n += 1;
    }
    let mut state: u64 = 2016;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    while n < COUNT {
        let (field, kind, locale, title, text) = TEMPLATES[next() % TEMPLATES.len()];
        let (org, _, _) = &orgs[next() % orgs.len()];
        let when = collecting + (next() % 500) as i64 * 86_400;
        let phase = if when < day(2014, 7, 1) {
            PhaseKind::Collecting
        } else if when < day(2015, 4, 1) {
            PhaseKind::Forums
        } else {
            PhaseKind::Workshops
        };
        let cx = Context {
            tenant: t,
            process_id: 1,
            phase,
            moderation: "after",
            valid_fields: &fields,
            now: when,
        };
        let mut fs = vec![field];
        if next() % 4 == 0 {
            fs.push(1 + (next() % 8) as i64);
        }
        let id = contribution::create(
            db,
            &cx,
            Author::Organisation {
                organisation_id: *org,
            },
            &NewContribution {
                kind: kind.into(),
                title: title.into(),
                body: text.into(),
                fields: fs,
                details: GoodPractice::default(),
                locale: Some(locale),
                notify_email: None,
            },
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
        let decided = day(2016, 3, 1);
        match next() % 10 {
            0..=3 => {
                let goal = format!("{field}.{}", 1 + next() % 3);
                contribution::decide(
                    db,
                    t,
                    id,
                    Verdict {
                        status: Status::Taken,
                        goal: Some(&goal),
                        reason: "",
                    },
                    coordinator,
                    decided,
                )
                .await
                .map_err(|e| format!("{e:?}"))?;
            }
            4..=5 => {
                contribution::decide(
                    db,
                    t,
                    id,
                    Verdict {
                        status: Status::Merged,
                        goal: None,
                        reason: "Mit gleichlautenden Beiträgen zusammengeführt.",
                    },
                    coordinator,
                    decided,
                )
                .await
                .map_err(|e| format!("{e:?}"))?;
            }
            6 => {
                contribution::decide(db, t, id, Verdict { status: Status::NotTaken, goal: None, reason: "Liegt außerhalb der Zuständigkeit der Region; an die zuständige Stelle weitergegeben." }, coordinator, decided).await.map_err(|e| format!("{e:?}"))?;
            }
            _ => {}
        }
        n += 1;
    }
    Ok(n)
}
