#![allow(clippy::unwrap_used, clippy::expect_used)]

use th_core::TenantId;
use th_participation::{import, list, OrgFilter};
use th_storage::testkit;

const BROKEN: &[u8] = include_bytes!("../../../tests/fixtures/organisationen-sozialamt.csv");
const FIXED: &[u8] =
    include_bytes!("../../../tests/fixtures/organisationen-sozialamt-korrigiert.csv");
const FIELDS: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 8];

async fn setup(db: &th_storage::Db) -> (TenantId, Vec<(String, String)>) {
    th_demo::load(db, 1).await.unwrap();
    let t = db.default_tenant().await.unwrap().unwrap().id;
    let m = db
        .municipalities(t)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.key, m.name))
        .collect();
    (t, m)
}

#[tokio::test]
async fn the_social_departments_spreadsheet_is_checked_whole_and_written_only_when_clean() {
    for db in testkit::all().await {
        let (t, m) = setup(&db).await;
        let plan = import::check(&db, t, BROKEN, &m, FIELDS, 100)
            .await
            .unwrap();
        assert_eq!(plan.encoding, "Windows-1252");
        assert_eq!(plan.delimiter, ";");
        assert_eq!(plan.rows, 702);
        let lines: Vec<(u64, &str, &str)> = plan
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (15, "email", "invalid_email"),
                (120, "municipality", "invalid"),
                (435, "kind", "required")
            ],
            "{:?}",
            plan.errors
        );
        assert_eq!(plan.errors[1].value, "Hannnover");
        // Nothing is written while errors remain.
        let demo = th_participation::count(&db, t).await.unwrap();
        assert_eq!(demo, 700, "the demo's fictitious registry");
        assert_eq!(import::apply(&db, t, &plan, 100).await.unwrap(), 0);
        assert_eq!(th_participation::count(&db, t).await.unwrap(), demo);

        let plan = import::check(&db, t, FIXED, &m, FIELDS, 100).await.unwrap();
        assert!(plan.is_clean(), "{:?}", plan.errors);
        let dups: Vec<&str> = plan.duplicates.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(dups, vec!["duplicate_in_file", "same_organisation_in_file"]);
        // A duplicate names its value and the line where the value came first.
        let d = &plan.duplicates[0];
        assert!(d.value.contains('@'), "{d:?}");
        assert!(d.first_line.is_some_and(|f| f < d.line), "{d:?}");
        assert_eq!(plan.organisations, 700);
        assert_eq!(plan.contacts, 701);
        assert_eq!(import::apply(&db, t, &plan, 100).await.unwrap(), 700);
        assert_eq!(th_participation::count(&db, t).await.unwrap(), demo + 700);
        // Umlauts survived the Windows-1252 decoding.
        let (found, n) = list(
            &db,
            t,
            &OrgFilter {
                q: Some("größler".into()),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
        assert!(n >= 1 && found[0].name.contains("Größler"), "{found:?}");

        // Importing the same file again doubles nothing.
        let again = import::check(&db, t, FIXED, &m, FIELDS, 100).await.unwrap();
        assert_eq!(again.organisations, 0);
        assert_eq!(again.duplicates.len(), 702);
        assert_eq!(import::apply(&db, t, &again, 100).await.unwrap(), 0);
        assert_eq!(th_participation::count(&db, t).await.unwrap(), demo + 700);
    }
}

#[tokio::test]
async fn export_and_import_round_trip() {
    for db in testkit::all().await {
        let (t, m) = setup(&db).await;
        let plan = import::check(&db, t, FIXED, &m, FIELDS, 100).await.unwrap();
        import::apply(&db, t, &plan, 100).await.unwrap();
        let csv = th_participation::export_csv(&db, t).await.unwrap();
        assert!(csv.starts_with('\u{feff}'), "byte-order mark for Excel");
        assert!(csv
            .lines()
            .next()
            .unwrap()
            .contains("name;kind;municipality"));
        // Into a fresh tenant: the same registry comes out.
        let other = db
            .add_tenant("zweite.example", "Zweite", 1)
            .await
            .unwrap()
            .id;
        let mut tx = db.begin().await.unwrap();
        for (key, name) in &m {
            db.add_municipality(
                &mut tx,
                other,
                &th_storage::platform::Municipality {
                    key: key.clone(),
                    name: name.clone(),
                    population: 1,
                    lat: 0.0,
                    lon: 0.0,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let plan = import::check(&db, other, csv.as_bytes(), &m, FIELDS, 100)
            .await
            .unwrap();
        assert!(
            plan.is_clean(),
            "{:?}",
            &plan.errors[..plan.errors.len().min(3)]
        );
        assert_eq!(plan.encoding, "UTF-8");
        assert_eq!(
            (plan.organisations, plan.contacts),
            (1400, 1401),
            "the demo's 700 and the imported 700"
        );
        import::apply(&db, other, &plan, 100).await.unwrap();
        let a = list(&db, t, &OrgFilter::default(), 0, 2000)
            .await
            .unwrap()
            .0;
        let b = list(&db, other, &OrgFilter::default(), 0, 2000)
            .await
            .unwrap()
            .0;
        let strip = |v: Vec<th_participation::Organisation>| {
            v.into_iter()
                .map(|o| (o.name, o.kind, o.municipality, o.fields, o.languages))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(a), strip(b));
    }
}

#[tokio::test]
async fn bad_files_get_clear_reasons() {
    for db in testkit::all().await {
        let (t, m) = setup(&db).await;
        let check = |bytes: Vec<u8>| {
            let db = db.clone();
            let m = m.clone();
            async move { import::check(&db, t, &bytes, &m, FIELDS, 1).await.unwrap() }
        };
        let p = check(b"foo,bar\n1,2\n".to_vec()).await;
        let missing: Vec<&str> = p.errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(missing, vec!["name", "kind", "municipality", "email"]);
        assert!(p
            .errors
            .iter()
            .all(|e| e.code == "missing_column" && e.line == 1));

        let p = check(b"name,kind,municipality,email\n".to_vec()).await;
        assert_eq!(p.errors[0].code, "empty");

        let p = check(
            b"name,kind,municipality,email\n\"Verein,Hannover,welfare,hannover,a@b.de\n".to_vec(),
        )
        .await;
        assert!(
            !p.is_clean(),
            "an unbalanced quote is an error, not a silently merged row"
        );

        let p = check(b"name,kind,municipality,email\nA,welfare,hannover,a@b.de,extra\nB,welfare,hannover,b@b.de\n".to_vec()).await;
        assert_eq!(p.errors.len(), 1);
        assert_eq!(
            (p.errors[0].line, p.errors[0].code.as_str()),
            (2, "too_many_columns")
        );

        let p = check(vec![b'x'; import::MAX_BYTES + 1]).await;
        assert_eq!(p.errors[0].code, "file_too_large");

        // English headers, commas, UTF-8, forgiving municipality names and kinds.
        let p = check("Name,Type,City,E-Mail,Consent\nElternverein,Migrant organisation,Neustadt,x@y.de,2015-03-01\nVerein,welfare,Wennigsen,y@y.de,31.02.2015\n".as_bytes().to_vec()).await;
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(
            (p.errors[0].line, p.errors[0].code.as_str()),
            (3, "invalid_date")
        );
        assert_eq!(p.organisations, 1);
    }
}
