//! How long one new vote takes to reach the opinion map of a live conversation.
//! Not a test: `bench/polis.sh` runs it and its figures go into bench/RESULTS.md.
//!
//! Usage: `cargo bench -p th-opinion --bench incremental -- DIR [ROUNDS]`
//!
//! 1. Reads the Polis export in DIR (comments.csv, votes.csv) with `polis::read_dir`.
//! 2. Builds a live model: `Model::new(1)` and a first `update` (cold: no warm start yet).
//! 3. ROUNDS times (default 5): one existing participant casts one new vote (agree) on a
//!    statement they have not voted on, and the model is updated; the time from recording the
//!    vote to the updated analysis is one round (targets: ≤ 2 s at 100,000 participants,
//!    ≤ 10 s at 1,000,000).
//! 4. Prints the median and the maximum of the rounds and the process's peak memory (VmHWM).
//!
//! The last line is machine-readable for the script:
//! `RESULT participants=… votes=… load_s=… first_s=… median_s=… max_s=… peak_kb=…`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;
use th_opinion::{polis, Analysis, Model};

/// The process's peak resident memory in kB (VmHWM), 0 where /proc is not there.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) the process has used so far, in seconds (clock ticks of 1/100 s).
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name (which may hold spaces) in parentheses.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let user: f64 = f.get(11)?.parse().ok()?;
            let system: f64 = f.get(12)?.parse().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(0.0)
}

fn describe(a: &Analysis) -> String {
    format!(
        "{} clustered, {} groups (best k {}), PCA {:.3} s ({} iterations), clustering {:.3} s, statistics {:.3} s",
        a.in_conv_count,
        a.groups.len(),
        a.best_k,
        a.timings_s.pca,
        a.pca_iterations,
        a.timings_s.clustering,
        a.timings_s.statistics
    )
}

fn main() {
    // `cargo bench` passes `--bench` to harness-less benches; skip flags.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = PathBuf::from(
        args.first()
            .expect("usage: incremental DIR [ROUNDS] (a Polis export directory)"),
    );
    let rounds: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);

    let t = Instant::now();
    let export = polis::read_dir(&dir, &|_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let load = t.elapsed().as_secs_f64();
    let mut conv = export.conversation;
    let n_p = conv.participants.len();
    let n_c = conv.statements.len();
    println!(
        "{}: {} participants, {} statements, {} votes; read in {:.2} s",
        dir.display(),
        n_p,
        n_c,
        conv.vote_count(),
        load
    );

    let mut model = Model::new(1);
    let c = cpu_s();
    let t = Instant::now();
    let a = model.update(&conv, false);
    let first = t.elapsed().as_secs_f64();
    let c = cpu_s() - c;
    println!(
        "first live update: {first:.3} s (CPU {c:.2} s) — {}",
        describe(&a)
    );

    let mut times = Vec::with_capacity(rounds);
    for k in 0..rounds {
        // Participants spread over the rows; the first statement (from a rotating start) the
        // participant has not voted on.
        let row = ((k + 1) * n_p / (rounds + 1)).min(n_p.saturating_sub(1));
        let voted: std::collections::HashSet<usize> =
            conv.rows[row].iter().map(|&p| (p >> 2) as usize).collect();
        let Some(col) = (0..n_c)
            .map(|j| (j + k * 7919) % n_c)
            .find(|j| !voted.contains(j))
        else {
            panic!("participant in row {row} has voted on every statement");
        };
        let pid = conv.participants[row];
        let sid = conv.statements[col].id;
        let c = cpu_s();
        let t = Instant::now();
        assert!(conv.vote(pid, sid, 1), "vote refused");
        let a = model.update(&conv, false);
        let s = t.elapsed().as_secs_f64();
        let c = cpu_s() - c;
        times.push(s);
        println!(
            "round {}: participant {pid} agrees with statement {sid}: {s:.3} s (CPU {c:.2} s) — {}",
            k + 1,
            describe(&a)
        );
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = if sorted.is_empty() {
        0.0
    } else if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
    };
    let max = sorted.last().copied().unwrap_or(0.0);
    let peak = peak_kb();
    println!(
        "one new vote reflected in the map: median {median:.3} s, max {max:.3} s over {rounds} rounds; peak memory {:.2} GB",
        peak as f64 / 1024.0 / 1024.0
    );
    println!(
        "RESULT participants={n_p} votes={} load_s={load:.3} first_s={first:.3} median_s={median:.3} max_s={max:.3} peak_kb={peak}",
        conv.vote_count()
    );
}
