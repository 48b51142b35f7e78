//! The demo's measures: 130 measures across the eight fields of action (about 50 from the first
//! concept period under way or finished, with their tracking history; about 80 candidates for
//! 2027–2031) and three saved planner scenarios.

use th_core::TenantId;
use th_measures::planner::{Horizon, PerYear, Scenario};
use th_measures::store;
use th_storage::Db;

const MEASURES_JSON: &str = include_str!("../data/measures.json");

fn scenario(money: PerYear, staff: PerYear) -> Scenario {
    Scenario {
        horizon: Horizon {
            first_year: 2027,
            years: 5,
        },
        money_eur: money,
        staff_fte: staff,
        fte_cost_eur: 75_000.0,
        goal_weights: Default::default(),
        must: Vec::new(),
        must_not: Vec::new(),
        // At least a tenth of the effort for refugees (field 3) and for health (field 6).
        min_share: [(3, 0.1), (6, 0.1)].into_iter().collect(),
        start_flexibility: 1,
        include_running: false,
    }
}

/// The demo scenarios: name, description, scenario.
pub fn scenarios() -> Vec<(&'static str, &'static str, Scenario)> {
    vec![
        (
            "Projektfonds Integration: 150.000 € und 3 Stellen",
            "Der jährliche Projektfonds der Region mit drei Vollzeitstellen für neue Maßnahmen 2027–2031; je mindestens 10 % des Aufwands für Geflüchtete und für Gesundheit.",
            scenario(PerYear::Same(150_000.0), PerYear::Same(3.0)),
        ),
        (
            "Doppelter Fonds: 300.000 € und 6 Stellen",
            "Was ein doppelt so großer Fonds mit doppeltem Personal möglich macht (gleiche Regeln).",
            scenario(PerYear::Same(300_000.0), PerYear::Same(6.0)),
        ),
        (
            "Kürzung ab 2029: 100.000 € und 2 Stellen",
            "Haushaltskürzung: 2027 und 2028 wie bisher, ab 2029 nur noch 100.000 € und zwei Stellen.",
            scenario(
                PerYear::Each(vec![150_000.0, 150_000.0, 100_000.0, 100_000.0, 100_000.0]),
                PerYear::Each(vec![3.0, 3.0, 2.0, 2.0, 2.0]),
            ),
        ),
    ]
}

pub async fn load(db: &Db, t: TenantId, now: i64) -> Result<(), String> {
    let ms = store::parse_catalogue(MEASURES_JSON).map_err(|e| format!("measures.json: {e}"))?;
    store::import(db, t, &ms, now).await.map_err(|e| match e {
        store::Error::Invalid(errs) => format!("measures.json: {errs:?}"),
        e => format!("measures: {e}"),
    })?;
    // Origins: each measure traced back to up to two contributions of the participation
    // process that coordinators marked as taken up into its primary goal.
    let (all, _) = th_participation::contribution::search(
        db,
        t,
        &th_participation::contribution::Search::default(),
        0,
        1_000_000,
    )
    .await
    .map_err(|e| format!("contributions: {e:?}"))?;
    let mut by_goal: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for c in all.iter().filter(|c| c.published) {
        if let Some(g) = c.status_goal.as_deref() {
            by_goal.entry(g).or_default().push(c.id);
        }
    }
    for (i, m) in ms.iter().enumerate() {
        let Some((goal, _)) = m.goals.first() else {
            continue;
        };
        let Some(ids) = by_goal.get(goal.as_str()) else {
            continue;
        };
        let pick: Vec<i64> = ids
            .iter()
            .cycle()
            .skip(i)
            .take(ids.len().min(2))
            .copied()
            .collect();
        store::link_origins(db, t, &m.key, &pick)
            .await
            .map_err(|e| format!("origins: {e:?}"))?;
    }
    for (name, description, s) in scenarios() {
        store::save_scenario(db, t, None, name, description, &s, now)
            .await
            .map_err(|e| format!("scenario {name}: {e:?}"))?;
    }
    Ok(())
}
