//! The demo's events: the kick-off forum, the eight discussion forums and the workshops of the
//! 2016 process with their minutes, attendance and outcomes (which is how the eight fields of
//! action came about), and the revision's coming events, one of them almost full.

use std::collections::BTreeMap;
use th_core::{Locale, TenantId};
use th_participation::contribution::{self, Search};
use th_participation::event::{self, Mailer, NewEvent, NewEventText, NewRegistration, Registrant};
use th_participation::OrgKind;
use th_storage::{sqlx, Db, Row};

const PLACE: &str = "Haus der Region, Plenarsaal";
const ADDRESS: &str = "Hildesheimer Straße 18, 30169 Hannover";
const ACCESS: &str = "Stufenloser Zugang über den Haupteingang, Aufzug, barrierefreie Toilette, Induktionsschleife. Gebärdensprache und Kinderbetreuung auf Anfrage bis eine Woche vorher.";

struct Demo {
    process: i64,
    kind: &'static str,
    fields: Vec<i64>,
    starts: String,
    ends: String,
    place: (&'static str, &'static str),
    online: &'static str,
    capacity: i64,
    title: (String, String),
    description: &'static str,
    agenda: &'static str,
}

/// An event with what came of it: attendance by kind, minutes, outcomes (text, goal).
type WithRecord = (
    Demo,
    Vec<(String, i64)>,
    String,
    Vec<(String, Option<String>)>,
);

fn new_event(d: &Demo) -> NewEvent {
    let mut texts = BTreeMap::new();
    texts.insert(
        "de".to_string(),
        NewEventText {
            title: d.title.0.clone(),
            description: d.description.into(),
            agenda: d.agenda.into(),
        },
    );
    texts.insert(
        "en".to_string(),
        NewEventText {
            title: d.title.1.clone(),
            ..Default::default()
        },
    );
    NewEvent {
        process_id: d.process,
        kind: d.kind.into(),
        fields: d.fields.clone(),
        starts: d.starts.clone(),
        ends: d.ends.clone(),
        place: d.place.0.into(),
        address: d.place.1.into(),
        accessibility: ACCESS.into(),
        online_url: d.online.into(),
        capacity: d.capacity,
        texts,
    }
}

/// Field number, title in German and English, start, (place, address).
type Forum = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    (&'static str, &'static str),
);

const FORUMS: [Forum; 8] = [
    (
        1,
        "Partizipation und Teilhabe",
        "Participation and Inclusion",
        "2014-10-14T17:00",
        ("Rathaus Garbsen, Ratssaal", "Rathausplatz 1, 30823 Garbsen"),
    ),
    (
        2,
        "Willkommenskultur",
        "Welcoming Culture",
        "2014-11-04T17:00",
        ("Stadthaus Laatzen", "Marktplatz 13, 30880 Laatzen"),
    ),
    (
        3,
        "Geflüchtete",
        "Refugees",
        "2014-11-25T17:00",
        (PLACE, ADDRESS),
    ),
    (
        4,
        "Bildung und Sprache",
        "Education and Language",
        "2014-12-09T17:00",
        (
            "Volkshochschule Hannover, Saal",
            "Burgstraße 14, 30159 Hannover",
        ),
    ),
    (
        5,
        "Wirtschaft und Arbeit",
        "Economy and Work",
        "2015-01-20T17:00",
        ("IHK Hannover", "Schiffgraben 49, 30175 Hannover"),
    ),
    (
        6,
        "Gesundheit und Pflege",
        "Health and Care",
        "2015-02-10T17:00",
        (
            "Klinikum Region Hannover, Forum",
            "Stadionbrücke 4, 30459 Hannover",
        ),
    ),
    (
        7,
        "Vernetzung",
        "Networking",
        "2015-03-03T17:00",
        (
            "Rathaus Neustadt am Rübenberge",
            "Nienburger Straße 31, 31535 Neustadt am Rübenberge",
        ),
    ),
    (
        8,
        "Interkulturelle Öffnung",
        "Intercultural Opening",
        "2015-03-24T17:00",
        (PLACE, ADDRESS),
    ),
];

/// Loads the events. Returns how many there are.
pub async fn load(db: &Db, t: TenantId, i18n: &th_i18n::Catalogs) -> Result<usize, String> {
    let err = |e: th_participation::PartError| format!("events: {e:?}");
    let mut ids = vec![];
    let mut all: Vec<WithRecord> = vec![];
    all.push((
        Demo {
            process: 1,
            kind: "forum",
            fields: vec![1, 2, 3, 4, 5, 6, 7, 8],
            starts: "2014-09-20T10:00".into(),
            ends: "2014-09-20T16:00".into(),
            place: (PLACE, ADDRESS),
            online: "",
            capacity: 200,
            title: ("Auftaktforum zum Integrationskonzept".into(), "Kick-off forum for the integration concept".into()),
            description: "Die Region lädt alle Organisationen ein, die Wünsche und Ideen aus der Sammelphase zu sichten und die Themen für die Diskussionsforen festzulegen.",
            agenda: "10:00 Begrüßung durch den Regionspräsidenten\n10:30 Was die Organisationen eingebracht haben\n11:30 Themeninseln\n13:00 Mittagspause\n14:00 Themen für die Foren festlegen\n15:30 Ausblick",
        },
        vec![("migrant_organisation".into(), 41), ("welfare".into(), 33), ("education".into(), 24), ("employer".into(), 9), ("health".into(), 8), ("administration".into(), 29), ("other".into(), 6), ("individual".into(), 14)],
        "Rund 160 Teilnehmende. Aus den 300 Beiträgen der Sammelphase wurden acht Themen gebildet; zu jedem findet ein Diskussionsforum statt. Besonders oft genannt: Sprache und Bildung, Anerkennung von Abschlüssen, Zugang zu Gesundheitsangeboten, Beteiligung der Migrantenselbstorganisationen.".into(),
        vec![("Acht Themen für die Diskussionsforen vereinbart; sie wurden die acht Handlungsfelder des Konzepts.".into(), None)],
    ));
    for (n, de, en, starts, place) in FORUMS {
        let minutes = format!("Die Teilnehmenden haben die Beiträge zum Thema „{de}“ in Kleingruppen besprochen und Ziele formuliert, die in den Entwurf des Konzepts eingehen.");
        let seed = n * 7;
        all.push((
            Demo {
                process: 1,
                kind: "forum",
                fields: vec![n],
                starts: starts.into(),
                ends: format!("{}20:00", &starts[..11]),
                place,
                online: "",
                capacity: 40,
                title: (format!("Diskussionsforum {de}"), format!("Discussion forum: {en}")),
                description: "Ein Abend, ein Thema: Was läuft gut, was fehlt, was soll das Konzept sich vornehmen?",
                agenda: "17:00 Begrüßung und Ergebnisse der Sammelphase\n17:30 Arbeit in Kleingruppen\n19:00 Ziele formulieren\n19:45 Zusammenfassung",
            },
            vec![
                ("migrant_organisation".into(), 8 + seed % 5),
                ("welfare".into(), 6 + seed % 4),
                ("education".into(), 3 + seed % 3),
                ("administration".into(), 5 + seed % 2),
                ("health".into(), if n == 6 { 9 } else { 1 }),
                ("employer".into(), if n == 5 { 8 } else { 1 }),
                ("individual".into(), 2 + seed % 3),
            ],
            minutes,
            vec![(
                format!("Ziele für das Handlungsfeld „{de}“ formuliert; Grundlage von Ziel {n}.1."),
                Some(format!("{n}.1")),
            )],
        ));
    }
    all.push((
        Demo {
            process: 1,
            kind: "workshop",
            fields: vec![4],
            starts: "2015-05-12T17:00".into(),
            ends: "2015-05-12T20:30".into(),
            place: ("Volkshochschule Hannover, Raum 201", "Burgstraße 14, 30159 Hannover"),
            online: "",
            capacity: 30,
            title: ("Werkstatt Bildung und Sprache".into(), "Workshop: Education and Language".into()),
            description: "In der Werkstatt werden aus den Zielen des Forums konkrete Vorschläge für Maßnahmen.",
            agenda: "17:00 Begrüßung\n17:15 Gute Beispiele aus der Region\n18:00 Maßnahmen entwerfen\n20:00 Vorstellung",
        },
        vec![("migrant_organisation".into(), 11), ("education".into(), 9), ("welfare".into(), 4), ("administration".into(), 3)],
        "Das Hausaufgabencafé des Elternvereins in Garbsen wurde als gutes Beispiel vorgestellt; die Werkstatt empfiehlt, solche Angebote in der ganzen Region zu fördern.".into(),
        vec![("Hausaufgabencafés fördern: aufgenommen in Ziel 4.2.".into(), Some("4.2".into()))],
    ));
    all.push((
        Demo {
            process: 1,
            kind: "workshop",
            fields: vec![6],
            starts: "2015-06-09T17:00".into(),
            ends: "2015-06-09T20:30".into(),
            place: ("Klinikum Region Hannover, Forum", "Stadionbrücke 4, 30459 Hannover"),
            online: "",
            capacity: 30,
            title: ("Werkstatt Gesundheit und Pflege".into(), "Workshop: Health and Care".into()),
            description: "Mehrsprachige Beratung und kultursensible Pflege: Was braucht es dafür?",
            agenda: "17:00 Begrüßung\n17:15 Erfahrungen aus der Beratung\n18:00 Maßnahmen entwerfen\n20:00 Vorstellung",
        },
        vec![("health".into(), 12), ("migrant_organisation".into(), 7), ("welfare".into(), 6)],
        "Mehrsprachige Gesundheitslotsinnen und -lotsen sollen ausgebildet werden.".into(),
        vec![("Gesundheitslotsen ausbilden: Ziel 6.1.".into(), Some("6.1".into()))],
    ));
    // The revision: coming events.
    all.push((
        Demo {
            process: 2,
            kind: "forum",
            fields: vec![1, 2, 3, 4, 5, 6, 7, 8],
            starts: "2027-06-12T10:00".into(),
            ends: "2027-06-12T15:00".into(),
            place: (PLACE, ADDRESS),
            online: "https://konferenz.region-hannover.example/auftakt-2027",
            capacity: 150,
            title: ("Auftaktforum zur Fortschreibung".into(), "Kick-off forum for the revision".into()),
            description: "Was hat sich seit 2016 bewährt, was fehlt? Vor Ort oder online.",
            agenda: "10:00 Begrüßung\n10:30 Zehn Jahre Integrationskonzept: die Zahlen\n11:30 Themeninseln\n14:30 Ausblick",
        },
        vec![],
        String::new(),
        vec![],
    ));
    all.push((
        Demo {
            process: 2,
            kind: "workshop",
            fields: vec![4],
            starts: "2027-10-14T18:00".into(),
            ends: "2027-10-14T20:30".into(),
            place: ("Volkshochschule Hannover, Raum 201", "Burgstraße 14, 30159 Hannover"),
            online: "",
            capacity: 20,
            title: ("Werkstatt Bildung und Sprache".into(), "Workshop: Education and Language".into()),
            description: "Was ist aus Ziel 4.2 geworden, und was nehmen wir uns für die nächsten Jahre vor?",
            agenda: "18:00 Begrüßung\n18:15 Was aus den Hausaufgabencafés geworden ist\n19:00 Vorschläge\n20:15 Verabredungen",
        },
        vec![],
        String::new(),
        vec![],
    ));
    let homework = contribution::search(
        db,
        t,
        &Search {
            q: Some("Hausaufgabencafé".into()),
            process: Some(1),
            ..Default::default()
        },
        0,
        1,
    )
    .await
    .map_err(err)?
    .0
    .first()
    .map(|c| c.id);
    let fields: Vec<i64> = (1..=8).collect();
    for (d, attendance, minutes, outcomes) in &all {
        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
        let id = event::create(&mut tx, t, &new_event(d), &fields, 0)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(|e| e.to_string())?;
        if !minutes.is_empty() || !attendance.is_empty() {
            event::record(db, t, id, minutes, Locale::De, attendance)
                .await
                .map_err(err)?;
        }
        for (text, goal) in outcomes {
            let linked = if goal.as_deref() == Some("4.2") {
                homework
            } else {
                None
            };
            event::add_outcome(db, t, id, text, linked, goal.as_deref(), 0)
                .await
                .map_err(err)?;
        }
        ids.push(id);
    }
    // The revision's workshop on education is almost full: 19 of 20 places are taken.
    if let Some(workshop) = ids.last() {
        let orgs: Vec<(i64, String)> = sqlx::query("SELECT id, kind FROM part_organisations WHERE tenant_id = $1 AND kind IN ('education', 'welfare', 'migrant_organisation') ORDER BY id LIMIT 19")
            .bind(t.0)
            .fetch_all(db.pool())
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let mail = Mailer {
            tenant: t,
            i18n,
            origin: "",
            now: 0,
        };
        for (i, (org, kind)) in orgs.iter().enumerate() {
            let kind = OrgKind::ALL
                .into_iter()
                .find(|k| k.key() == kind)
                .unwrap_or(OrgKind::Other);
            event::register(
                db,
                &mail,
                &NewRegistration {
                    event_id: *workshop,
                    who: Registrant::Member {
                        organisation_id: *org,
                        kind,
                        name: format!("{} (Demo)", NAMES[i % NAMES.len()]),
                        contact_email: format!("anmeldung-{org}@demo.example"),
                    },
                    org_kind: Some(kind),
                    needs: String::new(),
                    locale: Locale::De,
                    notify: false,
                },
            )
            .await
            .map_err(|e| format!("registration: {e:?}"))?;
        }
    }
    Ok(ids.len())
}

const NAMES: [&str; 19] = [
    "Anna Schulz",
    "Mehmet Yılmaz",
    "Olena Kowalenko",
    "Jana Nowak",
    "Samir Haddad",
    "Leyla Karimi",
    "Thomas Becker",
    "Fatma Aydın",
    "Dmitri Iwanow",
    "Amina Diallo",
    "Katarzyna Wiśniewska",
    "Hassan Ahmadi",
    "Sabine Meyer",
    "Ali Rahimi",
    "Nour Khalil",
    "Petra Hoffmann",
    "Emre Demir",
    "Maria Kowalski",
    "Yusuf Öztürk",
];
