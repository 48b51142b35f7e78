#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Indicators and their values in the database on both backends: definitions, the CSV import
//! that writes nothing unless every line is right, region figures and open data.

use std::collections::{HashMap, HashSet};
use th_core::TenantId;
use th_monitoring::{self as mon, Aggregate, Error, Indicator};
use th_storage::{testkit, Db};

const NOW: i64 = 1_795_000_000;

async fn tenant(db: &Db) -> TenantId {
    db.ensure_default_tenant(NOW).await.unwrap();
    db.default_tenant().await.unwrap().unwrap().id
}

fn ind(key: &str, unit: &str) -> Indicator {
    Indicator {
        key: key.into(),
        title: [("de".to_string(), format!("Titel {key}"))]
            .into_iter()
            .collect(),
        definition: Default::default(),
        unit: unit.into(),
        source: Default::default(),
        goals: vec!["2.1".into()],
        higher_is_better: Some(true),
        aggregate: None,
        illustrative: true,
    }
}

#[tokio::test]
async fn indicators_values_and_region_figures() {
    for db in testkit::all().await {
        let db = &db.db;
        let t = tenant(db).await;
        let Error::Invalid(errs) =
            mon::put_indicators(db, t, &[ind("a b", "percent"), ind("x", "euro")], NOW)
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(
            errs.iter().map(|e| e.code).collect::<Vec<_>>(),
            ["key", "unit"]
        );
        mon::put_indicators(
            db,
            t,
            &[ind("share", "percent"), ind("courses", "count")],
            NOW,
        )
        .await
        .unwrap();
        let list = mon::indicators(db, t).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].aggregate(), Aggregate::WeightedMean);
        assert_eq!(list[1].aggregate(), Aggregate::Sum);
        assert_eq!(list[0].higher_is_better, Some(true));

        let known: HashMap<String, String> = [("share", "percent"), ("courses", "count")]
            .iter()
            .map(|(k, u)| (k.to_string(), u.to_string()))
            .collect();
        let towns: HashSet<String> = ["hannover", "uetze"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Every bad line is named; nothing is written.
        let bad = "indicator,municipality,year,value\nshare,hannover,2020,30.5\nshare,bremen,2020,1\nshare,uetze,1850,1\ncourses,uetze,2020,viele\nshare,hannover,2020,31\nunknown,uetze,2020,1\n";
        let errs = mon::parse_values_csv(bad, &known, &towns, 1950..=2100).unwrap_err();
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(
            got,
            [
                (3, "municipality"),
                (4, "year"),
                (5, "value"),
                (6, "duplicate"),
                (7, "indicator")
            ]
        );
        assert!(errs[0].message.contains("bremen"));
        assert!(mon::values(db, t, None).await.unwrap().is_empty());
        // Quoted fields keep their separators; a row with more fields than the header, a
        // percentage above 100 and an ambiguous dot are refused rather than guessed.
        let tricky = "indicator,municipality,year,value\nshare,hannover,2020,\"12,5\"\nshare,uetze,2020,12,5\nshare,uetze,2021,130\n";
        let errs = mon::parse_values_csv(tricky, &known, &towns, 1950..=2100).unwrap_err();
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(got, [(2, "value"), (3, "columns"), (4, "value")]);
        let errs = mon::parse_values_csv(
            "indicator;municipality;year;value\nshare;uetze;2020;12.5\n",
            &known,
            &towns,
            1950..=2100,
        )
        .unwrap_err();
        assert_eq!(
            errs[0].code, "value",
            "12.5 in a German file is neither 12,5 nor 125"
        );
        // German spreadsheets: semicolons and decimal commas.
        let good = "Indikator;Kommune;Jahr;Wert\nshare;hannover;2020;30,5\nshare;uetze;2020;10\nshare;hannover;2021;32\ncourses;hannover;2020;1.200\ncourses;uetze;2020;80\n";
        let vs = mon::parse_values_csv(good, &known, &towns, 1950..=2100).unwrap();
        assert_eq!(mon::put_values(db, t, &vs, NOW).await.unwrap(), 5);
        // Importing again replaces, never duplicates.
        mon::put_values(db, t, &vs[..1], NOW).await.unwrap();
        let all = mon::values(db, t, None).await.unwrap();
        assert_eq!(all.len(), 5);
        assert_eq!(
            mon::values(db, t, Some("courses"))
                .await
                .unwrap()
                .iter()
                .map(|v| v.value)
                .sum::<f64>(),
            1280.0
        );
        // Region: shares weighted by population, counts added up.
        let pop: HashMap<String, f64> = [
            ("hannover".to_string(), 500_000.0),
            ("uetze".to_string(), 20_000.0),
        ]
        .into_iter()
        .collect();
        let share = mon::region_series(&list[0], &all, &pop);
        assert!((share[&2020] - (30.5 * 500_000.0 + 10.0 * 20_000.0) / 520_000.0).abs() < 1e-9);
        assert_eq!(share[&2021], 32.0, "only Hannover reported 2021");
        assert_eq!(mon::region_series(&list[1], &all, &pop)[&2020], 1280.0);
        let csv = mon::values_csv(&all);
        assert_eq!(csv.lines().count(), 6);
        assert!(csv.contains("share,hannover,2020,30.5"));
    }
}
