//! About 700 fictitious organisations, spread over the 21 municipalities by population and over
//! the kinds as a region's registry would be. Deterministic (a fixed seed), marked fictitious.

use th_core::TenantId;
use th_participation::{insert_contact, insert_org, ContactInput, OrgInput, OrgKind};
use th_storage::Tx;

/// A small deterministic generator (SplitMix64), so that the demo is the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

const KINDS: &[(OrgKind, u64, &[&str])] = &[
    (
        OrgKind::MigrantOrganisation,
        30,
        &[
            "Deutsch-Türkischer Elternverein",
            "Syrisch-Deutscher Kulturverein",
            "Afghanischer Frauenverein",
            "Polnischer Kulturkreis",
            "Ukrainische Gemeinschaft",
            "Kurdischer Elternbeirat",
            "Eritreischer Verein",
            "Iranische Kulturgemeinde",
            "Russischsprachiger Familientreff",
            "Arabischer Elternverein",
        ],
    ),
    (
        OrgKind::Welfare,
        17,
        &[
            "Caritas-Beratungsstelle",
            "Diakonie Migrationsdienst",
            "AWO Migrationsberatung",
            "DRK Flüchtlingshilfe",
            "Paritätischer Treffpunkt",
            "Jugendmigrationsdienst",
        ],
    ),
    (
        OrgKind::Education,
        20,
        &[
            "Grundschule am Park",
            "Integrierte Gesamtschule",
            "Volkshochschule Außenstelle",
            "Familienzentrum",
            "Kita Regenbogen",
            "Sprachcafé",
            "Berufsbildende Schule",
        ],
    ),
    (
        OrgKind::Employer,
        10,
        &[
            "Handwerksbetrieb",
            "Pflegeheim",
            "Spedition",
            "Autohaus",
            "Gartenbaubetrieb",
            "Kreishandwerkerschaft",
        ],
    ),
    (
        OrgKind::Health,
        8,
        &[
            "Gemeinschaftspraxis",
            "Gesundheitsamt Außenstelle",
            "Psychosoziale Beratung",
            "Hebammenzentrum",
        ],
    ),
    (
        OrgKind::Administration,
        9,
        &[
            "Integrationsbeauftragte",
            "Stadtteilmanagement",
            "Bürgerbüro",
            "Jobcenter Standort",
            "Ausländerbehörde Außenstelle",
        ],
    ),
    (
        OrgKind::Other,
        6,
        &[
            "Turn- und Sportverein",
            "Bürgerstiftung",
            "Kirchengemeinde",
            "Nachbarschaftsinitiative",
            "Moscheegemeinde",
            "Tafel",
        ],
    ),
];

const FIRST: &[&str] = &[
    "Ayse", "Mehmet", "Jürgen", "Anna", "Fatma", "Olga", "Ahmad", "Zahra", "Piotr", "Oksana",
    "Hüseyin", "Björn", "Leyla", "Sören", "Mariam", "Tomasz",
];
const LAST: &[&str] = &[
    "Demir",
    "Meyer",
    "Schulz",
    "Aydin",
    "Kowalski",
    "Haddad",
    "Karimi",
    "Melnyk",
    "Arslan",
    "Hoffmann",
    "Wagner",
    "Bondarenko",
];
const ROLES: &[&str] = &[
    "Vorsitz",
    "Geschäftsführung",
    "Leitung",
    "Koordination",
    "Ehrenamt",
];
const LANGS: &[&str] = &["tr", "ar", "fa", "pl", "ru", "uk", "en", "ku", "ti", "prs"];

fn slug(s: &str) -> String {
    s.to_lowercase()
        .replace('ä', "ae")
        .replace('ö', "oe")
        .replace('ü', "ue")
        .replace('ß', "ss")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

pub const COUNT: usize = 700;

/// Inserts the fictitious registry; `municipalities` are (key, name, population).
pub async fn load(
    tx: &mut Tx,
    t: TenantId,
    municipalities: &[(&str, &str, i64)],
    now: i64,
) -> Result<usize, th_participation::PartError> {
    let mut rng = Rng(2016);
    let total_pop: i64 = municipalities.iter().map(|m| m.2).sum();
    let total_kind: u64 = KINDS.iter().map(|k| k.1).sum();
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    let mut i = 0u64;
    while n < COUNT {
        i += 1;
        // Municipality by population (Hannover's share is capped so the others are not empty).
        let mut x = rng.below(total_pop as u64) as i64;
        let mut m = municipalities[0];
        for cand in municipalities {
            x -= cand.2;
            if x < 0 {
                m = *cand;
                break;
            }
        }
        if m.0 == "hannover" && rng.below(10) < 3 {
            m = *rng.pick(&municipalities[1..]);
        }
        let mut y = rng.below(total_kind);
        let mut kind = KINDS[0];
        for k in KINDS {
            if y < k.1 {
                kind = *k;
                break;
            }
            y -= k.1;
        }
        let base = rng.pick(kind.2);
        let town = m.1.split(" (").next().unwrap_or(m.1);
        let name = if rng.below(3) == 0 {
            format!("{base} {town}")
        } else {
            format!(
                "{base} {town}-{}",
                ["Nord", "Süd", "Mitte", "West", "Ost"][rng.below(5) as usize]
            )
        };
        if !seen.insert((name.clone(), m.0)) {
            continue;
        }
        let mut fields: Vec<i64> = (0..1 + rng.below(3))
            .map(|_| 1 + rng.below(8) as i64)
            .collect();
        fields.sort();
        fields.dedup();
        let mut languages = vec!["de".to_string()];
        for _ in 0..rng.below(3) {
            let l = rng.pick(LANGS).to_string();
            if !languages.contains(&l) {
                languages.push(l);
            }
        }
        let org = OrgInput {
            name: name.clone(),
            kind: kind.0.key().into(),
            municipality: m.0.into(),
            fields,
            languages,
            notes: "Erfundene Organisation der Demo.".into(),
        };
        let id = insert_org(tx, t, &name, kind.0, &org, true, now).await?;
        let person = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        let email = format!("kontakt{i}@{}.example", slug(&name));
        let contact = ContactInput {
            name: person,
            email: email.clone(),
            role: rng.pick(ROLES).to_string(),
            consent_how: "Antwort auf das Einladungsschreiben 2015 (Demo)".into(),
        };
        let consent_at = now - (400 + rng.below(300) as i64) * 86_400;
        insert_contact(tx, t, id, &contact, &email, Some(consent_at), now).await?;
        n += 1;
    }
    Ok(n)
}
