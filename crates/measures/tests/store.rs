#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The catalogue, tracking and scenarios in the database on both backends: an import is checked
//! whole and written whole, status CSVs apply all-or-nothing, progress rolls up to goals and
//! fields, scenarios keep their plan until the catalogue changes.

use std::collections::HashSet;
use th_core::TenantId;
use th_measures::planner::{self, Horizon, PerYear, Scenario};
use th_measures::solver::{default_solver, Limits, Status as SolveStatus};
use th_measures::store::{self, Error, Status};
use th_storage::{testkit, Db};

const NOW: i64 = 1_795_000_000;

async fn tenant(db: &Db) -> TenantId {
    db.ensure_default_tenant(NOW).await.unwrap();
    db.default_tenant().await.unwrap().unwrap().id
}

const CATALOGUE: &str = r#"{"measures": [
 {"key": "M-2.1-01", "field": 2, "goals": {"2.2": 1, "2.1": 3}, "title": {"de": "Einwanderungsberatung", "en": "Immigration advice"},
  "planned_start": 2027, "duration_years": 3, "staff_fte": 1.0, "money_eur": 40000, "status": "planned"},
 {"key": "M-2.1-02", "field": 2, "goals": {"2.1": 2}, "title": {"de": "Beratung in Laatzen"}, "planned_start": 2027,
  "staff_fte": 0.5, "money_eur": 20000, "status": "planned", "requires": ["M-2.1-01"]},
 {"key": "M-6.1-01", "field": 6, "goals": {"6.1": 3}, "title": {"de": "Gesundheitslotsen"}, "planned_start": 2019,
  "staff_fte": 0.5, "money_eur": 30000, "status": "running", "progress": 60,
  "milestones": [{"date": "2027-06-30", "title": {"de": "100 Lotsen"}, "done": false}],
  "updates": [{"date": "2020-01-15", "progress": 20, "text": {"de": "Start"}}, {"date": "2025-01-15", "progress": 60}]},
 {"key": "M-6.1-02", "field": 6, "goals": {"6.1": 1}, "title": {"de": "Broschüre"}, "planned_start": 2018,
  "duration_years": 2, "staff_fte": 0, "money_eur": 5000, "status": "done", "progress": 100},
 {"key": "M-6.2-01", "field": 6, "goals": {"6.2": 2}, "title": {"de": "Pflege"}, "planned_start": 2028,
  "staff_fte": 0.2, "money_eur": 10000, "status": "planned", "excludes": ["M-2.1-02"], "requires": ["M-6.1-02"]}
]}"#;

#[tokio::test]
async fn catalogue_tracking_rollup_and_scenarios() {
    for db in testkit::all().await {
        let db = &db.db;
        let t = tenant(db).await;
        let ms = store::parse_catalogue(CATALOGUE).unwrap();
        // Goals keep the document's order: the first is the primary goal.
        assert_eq!(ms[0].goals[0].0, "2.2");
        assert_eq!(store::import(db, t, &ms, NOW).await.unwrap(), 5);
        let back = store::list(db, t).await.unwrap();
        assert_eq!(back, ms, "{}", db.backend().name());

        // A second import of the same keys, or a bad one, changes nothing.
        let err = store::import(db, t, &ms[..1], NOW).await.unwrap_err();
        let Error::Invalid(errs) = err else { panic!() };
        assert_eq!(errs[0].at, "measures[0].key");
        let mut bad = store::parse_catalogue(CATALOGUE).unwrap();
        for (i, m) in bad.iter_mut().enumerate() {
            m.key = format!("X-{i}");
            m.requires.clear();
            m.excludes.clear();
        }
        bad[1].money_eur = -1.0;
        bad[2].requires = vec!["M-2.1-01".into(), "NOPE".into()];
        bad[3].updates.push(store::Update {
            date: "2025-13-01".into(),
            status: None,
            progress: 120.0,
            text: Default::default(),
        });
        let Error::Invalid(errs) = store::import(db, t, &bad, NOW).await.unwrap_err() else {
            panic!()
        };
        let at: Vec<&str> = errs.iter().map(|e| e.at.as_str()).collect();
        assert!(at.contains(&"measures[1].money_eur"), "{errs:?}");
        assert!(at.contains(&"measures[2].requires[1]"), "{errs:?}");
        assert!(
            !at.contains(&"measures[2].requires[0]"),
            "an existing measure is a fine requirement"
        );
        assert!(at.contains(&"measures[3].updates[0].date"), "{errs:?}");
        assert!(at.contains(&"measures[3].updates[0].progress"), "{errs:?}");
        assert_eq!(store::list(db, t).await.unwrap().len(), 5);

        // Roll-up: goal 6.1 = (3·60 + 1·100) / (3 + 1) = 70; field 6 likewise (6.2 is planned).
        let (goals, fields) = store::rollup(&back);
        assert_eq!(goals["6.1"].progress, Some(70.0));
        assert_eq!(goals["6.1"].counted, 2);
        assert_eq!(goals["2.1"].progress, None);
        assert_eq!(fields[&6].progress, Some(70.0));
        assert_eq!(fields[&6].measures, 3);
        assert_eq!(fields[&6].by_status[&Status::Planned], 1);

        // Status CSV: one bad line → nothing applies; a clean file applies in one go.
        let known: HashSet<String> = back.iter().map(|m| m.key.clone()).collect();
        let csv = "key;date;status;progress;note\nM-2.1-01;2027-03-01;running;10;Gestartet\nM-9;2027-03-01;running;10;\nM-6.1-01;2027-02-30;done;100;\nM-6.2-01;2027-03-01;fertig;5;\nM-2.1-02;2027-03-01;running;150\n";
        let errs = store::parse_status_csv(csv, &known).unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{errs:?}");
        assert!(errs[0].message.contains("M-9"));
        let csv = "key,date,status,progress,note\nM-2.1-01,2027-03-01,running,10,\"Gestartet, mit Team\"\nM-6.1-01,2024-01-01,running,50,older than the newest\n";
        let ups = store::parse_status_csv(csv, &known).unwrap();
        assert_eq!(
            store::apply_updates(db, t, &ups, NOW + 10).await.unwrap(),
            2
        );
        let m = store::get(db, t, "M-2.1-01").await.unwrap();
        assert_eq!((m.status, m.progress), (Status::Running, 10.0));
        assert_eq!(m.updates[0].text["de"], "Gestartet, mit Team");
        // An update older than the newest is history; the current state stays.
        let m = store::get(db, t, "M-6.1-01").await.unwrap();
        assert_eq!(
            (m.status, m.progress, m.updates.len()),
            (Status::Running, 60.0, 3)
        );

        // Scenarios: saved, solved, kept until the catalogue changes.
        let sc = Scenario {
            horizon: Horizon {
                first_year: 2027,
                years: 5,
            },
            money_eur: PerYear::Same(70_000.0),
            staff_fte: PerYear::Same(2.0),
            fte_cost_eur: 75_000.0,
            goal_weights: Default::default(),
            must: vec![],
            must_not: vec![],
            min_share: Default::default(),
            start_flexibility: 1,
            include_running: true,
        };
        let id = store::save_scenario(db, t, None, "Projektfonds", "", &sc, NOW)
            .await
            .unwrap();
        let (_, fresh, input) = store::scenario_with_input(db, t, id).await.unwrap();
        assert!(fresh.is_none());
        // The finished measure is not a candidate, and requiring it holds.
        assert!(input.measures.iter().all(|m| m.key != "M-6.1-02"));
        let plan = planner::plan(&input, default_solver().as_ref(), &Limits::default()).unwrap();
        assert_eq!(plan.status, SolveStatus::Optimal);
        // 70,000: the running 6.1-01 (30,000) plus 2.1-01 (40,000) is worth most.
        let keys: Vec<&str> = plan.chosen.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["M-2.1-01", "M-6.1-01"]);
        store::store_plan(db, t, id, &store::input_hash(&input), &plan, NOW + 20)
            .await
            .unwrap();
        let (_, fresh, _) = store::scenario_with_input(db, t, id).await.unwrap();
        assert_eq!(fresh.as_ref(), Some(&plan));
        // A tracking update that changes nothing the planner sees keeps the plan ...
        store::apply_updates(db, t, &ups[..1], NOW + 30)
            .await
            .unwrap();
        let (_, fresh, _) = store::scenario_with_input(db, t, id).await.unwrap();
        assert!(fresh.is_some());
        // ... one that does (a measure dropped) makes it stale.
        let drop = store::StatusUpdate {
            key: "M-6.2-01".into(),
            date: "2027-04-01".into(),
            status: Status::Dropped,
            progress: 0.0,
            text: Default::default(),
        };
        store::apply_updates(db, t, &[drop], NOW + 40)
            .await
            .unwrap();
        let (_, fresh, _) = store::scenario_with_input(db, t, id).await.unwrap();
        assert!(
            fresh.is_none(),
            "a change to the catalogue makes the stored plan stale"
        );
        // Bad scenarios are refused by name.
        let mut bad = sc.clone();
        bad.must = vec!["NOPE".into()];
        let Error::Invalid(errs) = store::save_scenario(db, t, None, "x", "", &bad, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(errs[0].at, "must[0]");
        assert_eq!(store::scenarios(db, t).await.unwrap().len(), 1);
        store::delete_scenario(db, t, id).await.unwrap();
        assert!(matches!(
            store::scenario(db, t, id).await,
            Err(Error::NotFound)
        ));
    }
}

#[test]
fn the_catalogue_becomes_planner_input_by_status() {
    let mut ms = store::parse_catalogue(CATALOGUE).unwrap();
    // M-2.1-01 planned for 2024 (passed), M-2.1-02 dropped yet named in must, M-6.2-01
    // excludes the running M-6.1-01.
    ms[0].planned_start = 2024;
    ms[1].status = Status::Dropped;
    ms[4].excludes = vec!["M-6.1-01".into()];
    ms[4].requires.clear();
    let sc = Scenario {
        horizon: Horizon {
            first_year: 2027,
            years: 5,
        },
        money_eur: PerYear::Same(1.0),
        staff_fte: PerYear::Same(1.0),
        fte_cost_eur: 75_000.0,
        goal_weights: Default::default(),
        must: vec!["M-2.1-02".into()],
        must_not: vec![],
        min_share: Default::default(),
        start_flexibility: 0,
        include_running: false,
    };
    let input = store::planner_input(&ms, &sc);
    let a = input.measures.iter().find(|m| m.key == "M-2.1-01").unwrap();
    assert_eq!(
        a.planned_start, 2027,
        "a planned start that has passed moves into the horizon"
    );
    assert!(
        input.scenario.must.is_empty(),
        "a dropped measure is out whatever the scenario says"
    );
    assert!(input.scenario.must_not.contains(&"M-2.1-02".to_string()));
    assert!(
        input.scenario.must_not.contains(&"M-6.2-01".to_string()),
        "the alternative to a running measure cannot be chosen"
    );
}
