#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The opinion map against the reference implementation (`polis_ref.py analyze`, outputs
//! committed in `tests/data/*/reference.json`, see `tests/data/README.md`): same participants
//! and votes, the same clustered participants, groups that agree (adjusted Rand index ≥ 0.9), the
//! planted truth recovered where the reference recovers it, and — given the reference's groups —
//! representative statements and group-informed consensus that match the formulas exactly.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use th_opinion::analysis::{GroupStats, Model};
use th_opinion::math::adjusted_rand_index;
use th_opinion::polis;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn reference(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(data(name).join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ids(v: &serde_json::Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// Group label per participant id from a list of groups with members.
fn labels(groups: &serde_json::Value) -> HashMap<i64, u32> {
    let mut m = HashMap::new();
    for g in groups.as_array().unwrap() {
        let id = g["id"].as_u64().unwrap() as u32;
        for p in ids(&g["members"]) {
            m.insert(p, id);
        }
    }
    m
}

fn truth(name: &str) -> HashMap<i64, u32> {
    let text = std::fs::read_to_string(data(name).join("truth.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (p, g) = l.split_once(',').unwrap();
            (p.trim().parse().unwrap(), g.trim().parse().unwrap())
        })
        .collect()
}

fn ari_over(a: &HashMap<i64, u32>, b: &HashMap<i64, u32>, over: &[i64]) -> f64 {
    let x: Vec<u32> = over.iter().map(|p| a[p]).collect();
    let y: Vec<u32> = over.iter().map(|p| b[p]).collect();
    adjusted_rand_index(&x, &y)
}

const SETS: &[&str] = &["g3", "g4", "g2", "g5", "tiny", "moderated"];

#[test]
fn groups_agree_with_the_reference_and_the_planted_truth() {
    for &name in SETS {
        let export = polis::read_dir(&data(name), &|_, _| {}).unwrap();
        let conv = &export.conversation;
        let ours = Model::analyse(conv, 1);
        let reference = reference(name);
        assert_eq!(
            ours.participants,
            reference["participants"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            ours.statements,
            reference["statements"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            ours.votes,
            reference["votes"].as_u64().unwrap(),
            "{name}: latest vote wins"
        );
        let in_conv = ids(&reference["in_conv"]);
        assert_eq!(ours.in_conv, in_conv, "{name}: clustered participants");
        let ours_groups = serde_json::to_value(&ours.groups).unwrap();
        let mine = labels(&ours_groups);
        let theirs = labels(&reference["groups"]);
        let ari = ari_over(&mine, &theirs, &in_conv);
        assert!(ari >= 0.9, "{name}: ARI with the reference {ari}");
        assert_eq!(
            ours.groups.len(),
            reference["groups"].as_array().unwrap().len(),
            "{name}: number of groups"
        );
        let t = truth(name);
        let ref_truth = ari_over(&theirs, &t, &in_conv);
        let our_truth = ari_over(&mine, &t, &in_conv);
        if ref_truth >= 0.8 {
            assert!(
                our_truth >= 0.8,
                "{name}: reference finds the planted groups (ARI {ref_truth}), we get {our_truth}"
            );
        }
        eprintln!("{name}: ARI vs reference {ari:.4}, vs truth {our_truth:.4} (reference {ref_truth:.4}), {} groups, {} PCA iterations", ours.groups.len(), ours.pca_iterations);
        assert_eq!(
            ours.consensus_agree,
            ids(&reference["consensus_agree"]),
            "{name}: consensus"
        );
    }
}

#[test]
fn given_the_reference_groups_the_statistics_match_exactly() {
    for &name in SETS {
        let export = polis::read_dir(&data(name), &|_, _| {}).unwrap();
        let conv = &export.conversation;
        let reference = reference(name);
        let groups = reference["groups"].as_array().unwrap();
        let mut group_of_row = vec![u32::MAX; conv.participants.len()];
        for (gi, g) in groups.iter().enumerate() {
            for p in ids(&g["members"]) {
                group_of_row[conv.row_of(p).unwrap()] = gi as u32;
            }
        }
        let stats = GroupStats::compute(conv, &group_of_row, groups.len());
        let gic = stats.gic();
        let want: BTreeMap<String, f64> =
            serde_json::from_value(reference["group_informed_consensus"].clone()).unwrap();
        assert_eq!(want.len(), conv.statements.len());
        for (j, s) in conv.statements.iter().enumerate() {
            let w = want[&s.id.to_string()];
            assert!(
                (gic[j] - w).abs() <= 1e-12 * w.abs().max(1e-300),
                "{name}: GIC of {} is {} not {w}",
                s.id,
                gic[j]
            );
        }
        for (gi, g) in groups.iter().enumerate() {
            let ours = stats.representative(conv, gi);
            let theirs = g["representative"].as_array().unwrap();
            assert_eq!(ours.len(), theirs.len(), "{name} group {gi}");
            for (o, t) in ours.iter().zip(theirs) {
                assert_eq!(
                    o.comment_id,
                    t["comment_id"].as_i64().unwrap(),
                    "{name} group {gi}"
                );
                assert_eq!(o.agree, t["agree"].as_bool().unwrap(), "{name} group {gi}");
                let m = t["metric"].as_f64().unwrap();
                assert!(
                    (o.metric - m).abs() <= 1e-9 * m.abs(),
                    "{name} group {gi}: metric {} not {m}",
                    o.metric
                );
            }
        }
    }
}

#[test]
fn one_shot_analyses_are_deterministic() {
    let export = polis::read_dir(&data("g4"), &|_, _| {}).unwrap();
    let mut a = Model::analyse(&export.conversation, 7);
    let mut b = Model::analyse(&export.conversation, 7);
    a.timings_s = Default::default();
    b.timings_s = Default::default();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn live_updates_warm_started_from_the_previous_block_agree_with_one_shot_analyses() {
    let by_member = |groups: &[th_opinion::analysis::Group]| -> HashMap<i64, u32> {
        let mut m = HashMap::new();
        for g in groups {
            for &p in &g.members {
                m.insert(p, g.id);
            }
        }
        m
    };
    for name in ["g3", "g4"] {
        let export = polis::read_dir(&data(name), &|_, _| {}).unwrap();
        let mut conv = export.conversation;
        let mut live = Model::new(1);
        live.update(&conv, true);
        // Through the stored form, as a node taking over would continue.
        let mut live: Model = serde_json::from_str(&serde_json::to_string(&live).unwrap()).unwrap();
        assert!(!live.block.is_empty(), "{name}: the whole block is kept");
        let (n_p, n_c) = (conv.participants.len(), conv.statements.len());
        for k in 0..8 {
            let pid = conv.participants[(k * 7919 + 3) % n_p];
            let sid = conv.statements[(k * 31 + 5) % n_c].id;
            assert!(conv.vote(pid, sid, if k % 2 == 0 { 1 } else { -1 }));
            let warm = live.update(&conv, true);
            let cold = Model::analyse(&conv, 1);
            assert!(
                warm.pca_iterations < cold.pca_iterations,
                "{name}, vote {k}: {} iterations warm, {} cold",
                warm.pca_iterations,
                cold.pca_iterations
            );
            let ari = ari_over(
                &by_member(&warm.groups),
                &by_member(&cold.groups),
                &cold.in_conv,
            );
            // The base clusters start from the previous update's centres, so a few
            // participants may settle elsewhere than in a cold run.
            assert_eq!(warm.groups.len(), cold.groups.len(), "{name}, vote {k}");
            assert!(ari > 0.95, "{name}, vote {k}: ARI {ari}");
            // Statement positions as well (each component up to its sign).
            let scale = cold
                .statement_stats
                .iter()
                .map(|s| s.extremity)
                .fold(0.0, f64::max);
            for (w, c) in warm.statement_stats.iter().zip(&cold.statement_stats) {
                assert!(
                    (w.x.abs() - c.x.abs()).abs() < 1e-6 * scale,
                    "{name}, vote {k}"
                );
                assert!(
                    (w.y.abs() - c.y.abs()).abs() < 1e-6 * scale,
                    "{name}, vote {k}"
                );
            }
        }
    }
}
