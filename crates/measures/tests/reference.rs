#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The planner against CBC's optima computed independently with PuLP (bench/planner/pulp_plan.py
//! builds the documented model on its own): seeded scenarios of 20, 60 and 130 measures with
//! start flexibility, requires/excludes, field shares, must and must-not rules, and one
//! infeasible scenario (tests/data/README.md says how they were made).

use std::collections::BTreeMap;
use std::path::PathBuf;
use th_measures::planner::{plan, Input, LeftOut};
use th_measures::solver::{default_solver, Limits, Status};

#[derive(serde::Deserialize)]
struct Reference {
    status: String,
    objective: Option<f64>,
}

#[test]
fn optima_match_pulp_and_cbc() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let optima: BTreeMap<String, Reference> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("optima.json")).unwrap()).unwrap();
    assert!(optima.len() >= 10);
    let solver = default_solver();
    for (file, want) in &optima {
        let input: Input =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let p = plan(
            &input,
            solver.as_ref(),
            &Limits {
                seconds: 120.0,
                gap: 0.0,
            },
        )
        .unwrap();
        match want.status.as_str() {
            "optimal" => {
                assert_eq!(p.status, Status::Optimal, "{file}");
                let o = want.objective.unwrap();
                assert!(
                    (p.objective - o).abs() <= 1e-6 * o.abs().max(1.0),
                    "{file}: ours {} PuLP {o}",
                    p.objective
                );
                // Every measure is either chosen or explained.
                assert_eq!(
                    p.chosen.len() + p.left_out.len(),
                    input.measures.len(),
                    "{file}"
                );
                for m in &input.scenario.must {
                    assert!(p.chosen.iter().any(|c| &c.key == m), "{file}: must {m}");
                }
                for e in &p.left_out {
                    if input.scenario.must_not.contains(&e.key) {
                        assert_eq!(e.reason, LeftOut::RuledOut, "{file}");
                    }
                }
                for y in &p.years {
                    assert!(
                        y.money_eur <= y.money_available + 1e-6
                            && y.staff_fte <= y.staff_available + 1e-6,
                        "{file}"
                    );
                }
                for f in &p.fields {
                    assert!(f.share >= f.min_share - 1e-9, "{file}: field {}", f.field);
                }
            }
            "infeasible" => {
                assert_eq!(p.status, Status::Infeasible, "{file}");
                assert!(
                    !p.conflicts.is_empty(),
                    "{file}: the conflicting rules are named"
                );
            }
            s => panic!("{file}: unknown status {s}"),
        }
    }
}
