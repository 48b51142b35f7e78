//! The demo's discussion forums: threads from the 2016 process's forum phase (their authors
//! long anonymised by the retention rule) and a current one for the revision.

use th_core::{Locale, TenantId};
use th_participation::forum::{self, NewReply, NewThread, Writer};
use th_storage::Db;

/// Midnight UTC of a date plus hours.
fn at(y: i32, m: u8, d: u8, h: i64) -> i64 {
    time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
        .map(|d| d.midnight().assume_utc().unix_timestamp() + h * 3600)
        .unwrap_or(0)
}

type DemoThread = (
    i64,
    i64,
    &'static str,
    (i32, u8, u8),
    &'static [(&'static str, &'static str, Locale)],
);

const THREADS: &[DemoThread] = &[
    (1, 4, "Hausaufgabenhilfe in mehreren Sprachen", (2014, 12, 10), &[
        ("Elternverein Garbsen", "Unser Hausaufgabencafé läuft zweimal in der Woche, auf Deutsch und Türkisch. Wer macht Ähnliches und wie finanziert ihr das?", Locale::De),
        ("Lernpatin Laatzen", "Bei uns helfen Studierende ehrenamtlich. Die Räume stellt die Stadtbibliothek.", Locale::De),
        ("Schulsozialarbeit Seelze", "Wichtig wäre eine feste Ansprechperson an den Schulen, damit die Lehrkräfte wissen, wohin sie Eltern schicken können.", Locale::De),
        ("Elternverein Garbsen", "Ev ödevi kafemiz her hafta iki kez açık. Velilerin de gelmesini istiyoruz.", Locale::Tr),
    ]),
    (1, 4, "Sprachkurse am Abend für Berufstätige", (2014, 12, 15), &[
        ("Volkshochschule (Demo)", "Viele Teilnehmende arbeiten tagsüber. Wir bieten ab Januar zwei Abendkurse an.", Locale::De),
        ("Migrationsberatung Nord", "Eine Kinderbetreuung während der Kurse würde vielen Müttern die Teilnahme erst möglich machen.", Locale::De),
    ]),
    (1, 6, "Dolmetschen beim Arzt", (2015, 2, 12), &[
        ("Gesundheitsnetz (Demo)", "Kinder sollten nicht für ihre Eltern beim Arzt übersetzen müssen. Wir schlagen einen Dolmetscherpool vor.", Locale::De),
        ("Arabischer Kulturverein", "نحتاج إلى مترجمين في العيادات، خاصة للنساء.", Locale::Ar),
    ]),
    (1, 2, "Willkommen in der Nachbarschaft", (2014, 11, 5), &[
        ("Nachbarschaftsinitiative Wunstorf", "Wir begleiten neu Zugezogene in den ersten Wochen: Behörden, Schule, Arzt.", Locale::De),
        ("Kirchengemeinde (Demo)", "Ein gemeinsamer Kalender aller Willkommensangebote in der Region wäre hilfreich.", Locale::De),
    ]),
    (2, 4, "Was ist aus den Hausaufgabencafés geworden?", (2026, 11, 2), &[
        ("Koordinierungsstelle (Demo)", "Seit 2016 sind in der Region elf Hausaufgabencafés entstanden. Was hat sich bewährt, was fehlt? Wir sammeln hier Erfahrungen für die Werkstatt im Oktober 2027.", Locale::De),
        ("Elternverein Garbsen", "Die Nachfrage ist größer als unsere Plätze. Wir bräuchten einen zweiten Raum.", Locale::De),
    ]),
];

pub async fn load(db: &Db, t: TenantId) -> Result<usize, String> {
    let fields: Vec<i64> = (1..=8).collect();
    let err = |e: th_participation::PartError| format!("forum: {e:?}");
    for (process, field, title, (y, m, d), posts) in THREADS {
        let Some(((first_by, first, first_locale), rest)) = posts.split_first() else {
            continue;
        };
        let start = at(*y, *m, *d, 17);
        let (tid, first_id) = forum::create_thread(
            db,
            t,
            &NewThread {
                process: *process,
                field: *field,
                title,
                body: first,
                locale: *first_locale,
            },
            &fields,
            &Writer {
                user_id: None,
                pseudonym: first_by,
            },
            start,
        )
        .await
        .map_err(err)?;
        for (i, (by, body, locale)) in rest.iter().enumerate() {
            forum::reply(
                db,
                t,
                tid,
                &NewReply {
                    // Every other post answers the opening post; the rest stand on their own.
                    parent: (i % 2 == 0).then_some(first_id),
                    quote: None,
                    body,
                    locale: *locale,
                },
                &Writer {
                    user_id: None,
                    pseudonym: by,
                },
                start + (i as i64 + 1) * 5 * 3600,
            )
            .await
            .map_err(err)?;
        }
    }
    Ok(THREADS.len())
}
