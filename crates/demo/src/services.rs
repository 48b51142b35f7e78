//! The Wegweiser demo: services instantiated from templates (`data/services.json`) in the
//! municipalities each template names, run by fitting organisations of the registry, at
//! fictitious addresses with plausible public transport, opening hours and verification dates;
//! the recognition table ships with the directory crate. Also the administration's language
//! data: four units with staff, their languages and monthly demand, with visible gaps.

use std::collections::{BTreeMap, HashMap};
use th_core::{Email, Locale, Role, TenantId};
use th_directory::{
    staff, Actor, LocationInput, Review, Schedule, ServiceInput, ServiceText, WriteOpts,
};
use th_storage::Db;

const TEMPLATES: &str = include_str!("../data/services.json");

#[derive(serde::Deserialize)]
struct Template {
    key: String,
    topics: Vec<String>,
    provider: String,
    municipalities: Towns,
    languages: Vec<String>,
    #[serde(default)]
    age_min: Option<i64>,
    #[serde(default)]
    age_max: Option<i64>,
    #[serde(default)]
    groups: Vec<String>,
    free: bool,
    hours: String,
    step_free: bool,
    #[serde(default)]
    region_wide: bool,
    texts: BTreeMap<String, TemplateText>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Towns {
    All(#[allow(dead_code)] String),
    Some(Vec<String>),
}

#[derive(serde::Deserialize)]
struct TemplateText {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    fees: String,
    #[serde(default)]
    bring: Vec<String>,
    #[serde(default)]
    eligibility: String,
}

/// Postal code, a stop served by public transport, and how to get there.
fn town_facts(key: &str) -> (&'static str, &'static str) {
    match key {
        "hannover" => (
            "30159",
            "Stadtbahn 1, 2, 8 (Haltestelle Kröpcke) oder U-Bahn-Station Hauptbahnhof",
        ),
        "laatzen" => (
            "30880",
            "Stadtbahn 1 und 2, Haltestelle Laatzen Zentrum; Bus 340",
        ),
        "langenhagen" => (
            "30853",
            "Stadtbahn 1, Haltestelle Langenhagen Zentrum; S-Bahn S4",
        ),
        "hemmingen" => ("30966", "Stadtbahn 13, Haltestelle Hemmingen-Westerfeld"),
        "garbsen" => ("30823", "Stadtbahn 4, Haltestelle Garbsen Mitte; Bus 420"),
        "ronnenberg" => ("30952", "Stadtbahn 9, Haltestelle Empelde; Bus 500"),
        "isernhagen" => ("30916", "Stadtbahn 3, Haltestelle Altwarmbüchen"),
        "seelze" => ("30926", "S-Bahn S1 und S2, Bahnhof Seelze; Bus 570"),
        "lehrte" => (
            "31275",
            "S-Bahn S3 und S6, Bahnhof Lehrte, 5 Minuten zu Fuß",
        ),
        "burgdorf" => ("31303", "S-Bahn S6 und S7, Bahnhof Burgdorf; Bus 910"),
        "wunstorf" => ("31515", "S-Bahn S1 und S2, Bahnhof Wunstorf; Bus 710"),
        "neustadt" => (
            "31535",
            "S-Bahn S2, Bahnhof Neustadt am Rübenberge; Bus 840",
        ),
        "barsinghausen" => ("30890", "S-Bahn S1 und S2, Bahnhof Barsinghausen"),
        "springe" => ("31832", "S-Bahn S5, Bahnhof Springe; Bus 300"),
        "wedemark" => ("30900", "S-Bahn S4, Bahnhof Mellendorf"),
        "sehnde" => ("31319", "S-Bahn S3, Bahnhof Sehnde; Bus 380"),
        "burgwedel" => (
            "30938",
            "Bus 620 und 690, Haltestelle Großburgwedel Rathaus",
        ),
        "uetze" => ("31311", "S-Bahn S7, Bahnhof Uetze"),
        "gehrden" => ("30989", "Bus 500 und 581, Haltestelle Gehrden Rathaus"),
        "pattensen" => ("30982", "Bus 300 und 310, Haltestelle Pattensen Mitte"),
        "wennigsen" => ("30974", "S-Bahn S1 und S2, Bahnhof Wennigsen"),
        _ => ("30159", "Bus, Haltestelle Rathaus"),
    }
}

const STREETS: &[&str] = &[
    "Bahnhofstraße",
    "Marktstraße",
    "Am Rathaus",
    "Lindenstraße",
    "Schulstraße",
    "Kirchstraße",
    "Goethestraße",
    "Gartenstraße",
    "Hauptstraße",
    "Am Markt",
];

fn hours(pattern: &str) -> (Vec<Schedule>, bool) {
    let span = |d: u8, o: u16, c: u16| Schedule {
        weekday: d,
        opens: o * 60,
        closes: c * 60,
    };
    match pattern {
        "mornings" => ((1..=5).map(|d| span(d, 9, 12)).collect(), false),
        "afternoons" => ((1..=4).map(|d| span(d, 14, 17)).collect(), false),
        "evenings" => (vec![span(2, 17, 20), span(4, 17, 20)], false),
        "thursday" => (vec![span(4, 9, 12), span(4, 14, 18)], false),
        "weekend" => (vec![span(5, 15, 18), span(6, 10, 14)], false),
        "appointment" => ((1..=5).map(|d| span(d, 8, 16)).collect(), true),
        _ => {
            let mut v: Vec<Schedule> = (1..=5).map(|d| span(d, 9, 12)).collect();
            v.push(span(2, 14, 16));
            v.push(span(4, 14, 17));
            v.sort_by_key(|s| (s.weekday, s.opens));
            (v, false)
        }
    }
}

fn town_key(k: &str) -> &str {
    match k {
        "neustadt-am-ruebenberge" => "neustadt",
        "wennigsen-deister" => "wennigsen",
        k => k,
    }
}

fn hash(s: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// Loads the services; returns how many.
pub async fn load(db: &Db, t: TenantId, now: i64) -> Result<usize, String> {
    let templates: Vec<Template> =
        serde_json::from_str(TEMPLATES).map_err(|e| format!("services.json: {e}"))?;
    let towns: Vec<(String, String, f64, f64)> = db
        .municipalities(t)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|m| (m.key, m.name, m.lat, m.lon))
        .collect();
    let keys: Vec<String> = towns.iter().map(|m| m.0.clone()).collect();
    let region = th_directory::Region {
        municipalities: &keys,
    };
    let (all_orgs, _) = th_participation::list(db, t, &Default::default(), 0, 100_000)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let mut locations: HashMap<(i64, String), i64> = HashMap::new();
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let mut n = 0;
    for tpl in &templates {
        let list: Vec<String> = match &tpl.municipalities {
            Towns::All(_) => keys.clone(),
            Towns::Some(v) => v.iter().map(|k| town_key(k).to_string()).collect(),
        };
        for town in &list {
            let Some((_, town_name, lat, lon)) = towns.iter().find(|m| m.0 == *town) else {
                return Err(format!("{}: unknown municipality {town}", tpl.key));
            };
            let h = hash(&format!("{}/{town}", tpl.key));
            // A fitting provider: same kind in the town, else same kind, else anyone there.
            let pick = |f: &dyn Fn(&&th_participation::Organisation) -> bool| {
                let c: Vec<&th_participation::Organisation> = all_orgs.iter().filter(f).collect();
                (!c.is_empty()).then(|| c[(h % c.len() as u64) as usize].id)
            };
            let org = pick(&|o| o.kind.key() == tpl.provider && o.municipality == *town)
                .or_else(|| pick(&|o| o.kind.key() == tpl.provider))
                .or_else(|| pick(&|o| o.municipality == *town))
                .ok_or_else(|| format!("{}: no organisation", tpl.key))?;
            let loc = match locations.get(&(org, town.clone())) {
                Some(l) => *l,
                None => {
                    let (pc, transport) = town_facts(town);
                    let street = STREETS[(h % STREETS.len() as u64) as usize];
                    let input = LocationInput {
                        org_id: org,
                        name: format!("Beratungsstelle {town_name}"),
                        street: format!("{street} {}", 1 + h % 60),
                        postal_code: pc.to_string(),
                        municipality: town.clone(),
                        lat: lat + ((h % 200) as f64 - 100.0) / 10_000.0,
                        lon: lon + (((h / 200) % 200) as f64 - 100.0) / 10_000.0,
                        step_free: tpl.step_free || h % 3 == 0,
                        transport: transport.to_string(),
                        accessibility: if tpl.step_free {
                            "Eingang ebenerdig, Aufzug, barrierefreie Toilette".into()
                        } else {
                            "Zwei Stufen am Eingang".into()
                        },
                    };
                    let id = th_directory::insert_location(&mut tx, t, &input, now)
                        .await
                        .map_err(|e| format!("{e:?}"))?;
                    locations.insert((org, town.clone()), id);
                    id
                }
            };
            let (schedules, by_appointment) = hours(&tpl.hours);
            let texts = tpl
                .texts
                .iter()
                .map(|(l, x)| {
                    (
                        l.clone(),
                        ServiceText {
                            name: x.name.clone(),
                            description: x.description.clone(),
                            fees: if tpl.free {
                                String::new()
                            } else {
                                x.fees.clone()
                            },
                            eligibility: x.eligibility.clone(),
                            bring: x.bring.clone(),
                        },
                    )
                })
                .collect();
            let mut input = ServiceInput {
                org_id: org,
                status: "active".into(),
                email: format!("{}.{town}@beratung.example", tpl.key),
                url: String::new(),
                phone: format!("0511 0000 {:03}", h % 1000),
                contact: String::new(),
                free: tpl.free,
                by_appointment,
                age_min: tpl.age_min,
                age_max: tpl.age_max,
                groups: tpl.groups.clone(),
                topics: tpl.topics.clone(),
                languages: tpl.languages.clone(),
                areas: if tpl.region_wide {
                    vec!["region".into()]
                } else {
                    vec![town.clone()]
                },
                texts,
                schedules,
                location_ids: vec![loc],
            };
            input
                .validate(&region)
                .map_err(|v| format!("{}/{town}: {:?}", tpl.key, v.errors))?;
            // Some entries were last checked long ago: their owners get a reminder.
            let age_days = (h % 420) as i64;
            th_directory::insert(
                db,
                &mut tx,
                t,
                &input,
                Review::Published,
                &WriteOpts {
                    key: Some(format!("{}-{town}", tpl.key)),
                    fictitious: true,
                    verified_at: Some(now - age_days * 86_400),
                },
                Actor { user: None, now },
            )
            .await
            .map_err(|e| format!("{}/{town}: {e:?}", tpl.key))?;
            n += 1;
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(n)
}

/// Demo accounts of the administration's language coverage (README).
pub const TEAM_LEAD_EMAIL: &str = "teamleitung.auslaenderbehoerde@region-hannover.example";
pub const STAFF_EMAIL: &str = "dari.sprachmittlung@region-hannover.example";
pub const STAFF_PASSWORD: &str = "Sprachen-im-Amt";

/// Units, staff and demand: the foreigners' office has many Dari and Tigrinya clients and
/// nobody who speaks either, and one colleague carries all Arabic appointments.
pub async fn load_staff(
    db: &Db,
    t: TenantId,
    now: i64,
    last_month: (i32, u8),
) -> Result<(), String> {
    let err = |e: th_storage::StorageError| e.to_string();
    let mut tx = db.begin().await.map_err(err)?;
    let account = |email: &'static str, name: &'static str, role: Role| (email, name, role);
    let lead = account(TEAM_LEAD_EMAIL, "Sabine Albers (Demo)", Role::TeamLead);
    let dari = account(STAFF_EMAIL, "Farid Ahmadi (Demo)", Role::Staff);
    let mut users = HashMap::new();
    for (email, name, role) in [lead, dari] {
        let e = Email::parse(email).map_err(|e| e.to_string())?;
        let u = th_auth::create_user(
            &mut tx,
            t,
            th_auth::NewUser {
                email: &e,
                display_name: name,
                password: Some(STAFF_PASSWORD),
                role,
                locale: Locale::De,
                email_confirmed: true,
            },
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
        users.insert(email, u.id);
    }
    type Person<'a> = (
        &'a str,
        Option<&'a str>,
        bool,
        bool,
        &'a [(&'a str, &'a str)],
    );
    type Unit<'a> = (&'a str, &'a str, Vec<Person<'a>>, &'a [(&'a str, i64)]);
    let units: [Unit; 4] = [
        (
            "Ausländerbehörde der Region Hannover",
            "hannover",
            vec![
                (
                    "Sabine Albers",
                    Some(TEAM_LEAD_EMAIL),
                    true,
                    false,
                    &[("en", "B2")],
                ),
                (
                    "Rami Haddad",
                    None,
                    false,
                    true,
                    &[("ar", "native"), ("en", "C1")],
                ),
                ("Ayşe Demir", None, false, true, &[("tr", "native")]),
                (
                    "Olena Kovalenko",
                    None,
                    false,
                    false,
                    &[("uk", "native"), ("ru", "C2")],
                ),
                (
                    "Thomas Berger",
                    None,
                    false,
                    false,
                    &[("en", "B2"), ("fr", "B1")],
                ),
                ("Katarzyna Nowak", None, false, true, &[("pl", "native")]),
            ],
            &[
                ("ar", 180),
                ("prs", 95),
                ("ti", 40),
                ("tr", 60),
                ("uk", 110),
                ("fa", 35),
                ("ru", 30),
                ("en", 25),
            ],
        ),
        (
            "Jobcenter Region Hannover, Standort Laatzen",
            "laatzen",
            vec![
                (
                    "Farid Ahmadi",
                    Some(STAFF_EMAIL),
                    false,
                    true,
                    &[("prs", "native"), ("fa", "native"), ("en", "B2")],
                ),
                ("Mira Schulz", None, false, false, &[("en", "C1")]),
                (
                    "Hasan Yıldız",
                    None,
                    false,
                    true,
                    &[("tr", "native"), ("kmr", "C1")],
                ),
            ],
            &[("ar", 70), ("prs", 40), ("tr", 30), ("uk", 25), ("kmr", 12)],
        ),
        (
            "Bürgerbüro Garbsen",
            "garbsen",
            vec![
                ("Jana Krüger", None, false, false, &[("en", "B1")]),
                (
                    "Mehmet Aydın",
                    None,
                    false,
                    true,
                    &[("tr", "native"), ("ar", "B1")],
                ),
            ],
            &[("tr", 50), ("ar", 35), ("pl", 10), ("uk", 15)],
        ),
        (
            "Sozialamt Langenhagen",
            "langenhagen",
            vec![
                (
                    "Natalia Wolf",
                    None,
                    false,
                    true,
                    &[("ru", "native"), ("uk", "C1")],
                ),
                ("Peter Lange", None, false, false, &[("en", "B2")]),
            ],
            &[("ru", 30), ("uk", 40), ("ar", 20), ("ti", 8)],
        ),
    ];
    let (y, m) = last_month;
    let month = |back: i32| {
        let i = y * 12 + (m as i32 - 1) - back;
        format!("{:04}-{:02}", i / 12, i % 12 + 1)
    };
    for (name, town, people, demand) in &units {
        let unit = staff::create_unit(&mut tx, t, name, town, now)
            .await
            .map_err(|e| format!("{e:?}"))?;
        for (pname, email, is_lead, interprets, langs) in people {
            let user = email.and_then(|e| users.get(e).copied());
            staff::add_staff(
                &mut tx,
                t,
                &staff::NewStaff {
                    unit_id: unit,
                    user_id: user,
                    name: pname,
                    email: email.unwrap_or(""),
                    lead: *is_lead,
                    interprets: *interprets,
                    languages: langs,
                },
                now,
            )
            .await
            .map_err(|e| format!("{e:?}"))?;
        }
        for (code, per_month) in demand.iter() {
            for back in 0..6 {
                // Demand grows: the recent months carry more than the ones before.
                let count = per_month * (10 - back as i64) / 10;
                staff::insert_demand(&mut tx, unit, code, &month(back), count)
                    .await
                    .map_err(|e| format!("{e:?}"))?;
            }
        }
    }
    tx.commit().await.map_err(err)?;
    Ok(())
}

/// The homework café of the parents' association of journey 2, which its contact person looks
/// after on the organisation's pages.
pub async fn load_member_service(db: &Db, t: TenantId, org: i64, now: i64) -> Result<(), String> {
    let towns: Vec<String> = db
        .municipalities(t)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|m| m.key)
        .collect();
    let text = |name: &str, description: &str, eligibility: &str, bring: &[&str]| ServiceText {
        name: name.into(),
        description: description.into(),
        fees: String::new(),
        eligibility: eligibility.into(),
        bring: bring.iter().map(|b| b.to_string()).collect(),
    };
    let mut texts = BTreeMap::new();
    texts.insert("de".to_string(), text(
        "Hausaufgabencafé Garbsen-West",
        "Ehrenamtliche helfen Grundschulkindern bei den Hausaufgaben und beim Lesen. Eltern können dabei sein und Fragen zur Schule stellen. Einfach vorbeikommen.",
        "Kinder der Klassen 1 bis 6 und ihre Eltern.",
        &["Hausaufgabenheft", "Schulbücher"],
    ));
    texts.insert("tr".to_string(), text(
        "Ödev Kafesi Garbsen-West",
        "Gönüllüler ilkokul çocuklarına ödevlerinde ve okumada yardım eder. Veliler de katılabilir ve okulla ilgili sorularını sorabilir. Randevusuz gelebilirsiniz.",
        "1.–6. sınıf çocukları ve velileri.",
        &["Ödev defteri", "Okul kitapları"],
    ));
    texts.insert("en".to_string(), text(
        "Homework café Garbsen-West",
        "Volunteers help primary school children with homework and reading. Parents are welcome to stay and ask questions about school. Just drop in.",
        "Children in years 1 to 6 and their parents.",
        &["Homework diary", "School books"],
    ));
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let loc = th_directory::insert_location(
        &mut tx,
        t,
        &LocationInput {
            org_id: org,
            name: "Gemeinschaftsraum Garbsen-West".into(),
            street: "Planetenring 12".into(),
            postal_code: "30823".into(),
            municipality: "garbsen".into(),
            lat: 52.419,
            lon: 9.585,
            step_free: true,
            transport: "Stadtbahn 4, Haltestelle Planetenring".into(),
            accessibility: "Eingang ebenerdig".into(),
        },
        now,
    )
    .await
    .map_err(|e| format!("{e:?}"))?;
    let mut input = ServiceInput {
        org_id: org,
        status: "active".into(),
        email: String::new(),
        url: String::new(),
        phone: String::new(),
        contact: String::new(),
        free: true,
        by_appointment: false,
        age_min: Some(6),
        age_max: Some(12),
        groups: vec!["families".into()],
        topics: vec!["education-homework".into(), "family".into()],
        languages: vec!["de".into(), "tr".into()],
        areas: vec!["garbsen".into()],
        texts,
        schedules: vec![
            Schedule {
                weekday: 2,
                opens: 15 * 60,
                closes: 17 * 60,
            },
            Schedule {
                weekday: 4,
                opens: 15 * 60,
                closes: 17 * 60,
            },
        ],
        location_ids: vec![loc],
    };
    input
        .validate(&th_directory::Region {
            municipalities: &towns,
        })
        .map_err(|v| format!("homework café: {:?}", v.errors))?;
    th_directory::insert(
        db,
        &mut tx,
        t,
        &input,
        Review::Published,
        &WriteOpts {
            key: Some("hausaufgabencafe-garbsen-west".into()),
            fictitious: true,
            verified_at: Some(now - 30 * 86_400),
        },
        Actor { user: None, now },
    )
    .await
    .map_err(|e| format!("{e:?}"))?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates_parse_and_yield_enough_services() {
        let t: Vec<super::Template> = serde_json::from_str(super::TEMPLATES).unwrap();
        let n: usize = t
            .iter()
            .map(|t| match &t.municipalities {
                super::Towns::All(_) => 21,
                super::Towns::Some(v) => v.len(),
            })
            .sum();
        assert!(n >= 300, "{n}");
        let langs = |t: &super::Template| t.texts.len();
        assert!(t.iter().filter(|t| langs(t) >= 4).count() * 2 > t.len());
        let _ = super::Locale::De;
    }
}
