//! A 0-1 integer program and the solvers that solve it. The planner builds a [`Milp`]; a
//! [`Solver`] maximises it. Solvers are swapped behind the trait: [`Cbc`] (COIN-OR branch and
//! cut, the default feature `cbc`) and [`Microlp`] (pure Rust, feature `microlp`).

use std::time::Instant;

/// Maximise `objective · x` over binary `x` subject to `lo <= row · x <= hi` for every row.
#[derive(Debug, Clone, Default)]
pub struct Milp {
    pub objective: Vec<f64>,
    pub rows: Vec<Row>,
}

/// One constraint: `lo <= Σ coef·x <= hi` (use infinities for a one-sided row).
#[derive(Debug, Clone)]
pub struct Row {
    pub terms: Vec<(usize, f64)>,
    pub lo: f64,
    pub hi: f64,
}

impl Milp {
    pub fn vars(&self) -> usize {
        self.objective.len()
    }

    /// Whether `x` satisfies every row (with a small tolerance).
    pub fn feasible(&self, x: &[bool]) -> bool {
        self.rows.iter().all(|r| {
            let v: f64 = r.terms.iter().filter(|(j, _)| x[*j]).map(|(_, c)| c).sum();
            let tol = 1e-6 * (1.0 + v.abs());
            v >= r.lo - tol && v <= r.hi + tol
        })
    }

    pub fn value(&self, x: &[bool]) -> f64 {
        self.objective
            .iter()
            .zip(x)
            .filter(|(_, &b)| b)
            .map(|(c, _)| c)
            .sum()
    }
}

/// When to stop: after `seconds`, or once the incumbent is within `gap` (relative) of the bound.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub seconds: f64,
    pub gap: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            seconds: 60.0,
            gap: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal.
    Optimal,
    /// Stopped on the time or gap limit with a feasible solution; `bound` says how far off.
    Feasible,
    /// Proven infeasible.
    Infeasible,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub x: Vec<bool>,
    pub objective: f64,
    /// Best bound proven on the optimum (equal to `objective` when optimal).
    pub bound: f64,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SolverError {
    #[error("the solver stopped without a solution: {0}")]
    NoSolution(String),
    #[error("no solver is built in (enable the feature `cbc` or `microlp`)")]
    Unavailable,
}

pub trait Solver: Send + Sync {
    fn name(&self) -> &'static str;
    fn solve(&self, milp: &Milp, limits: &Limits) -> Result<Outcome, SolverError>;
}

/// The solver of the default build.
pub fn default_solver() -> Box<dyn Solver> {
    #[cfg(feature = "cbc")]
    {
        Box::new(Cbc)
    }
    #[cfg(all(not(feature = "cbc"), feature = "microlp"))]
    {
        Box::new(Microlp)
    }
    #[cfg(not(any(feature = "cbc", feature = "microlp")))]
    {
        Box::new(Unavailable)
    }
}

/// Stands in when no solver is compiled in; every solve says so.
pub struct Unavailable;

impl Solver for Unavailable {
    fn name(&self) -> &'static str {
        "none"
    }
    fn solve(&self, _: &Milp, _: &Limits) -> Result<Outcome, SolverError> {
        Err(SolverError::Unavailable)
    }
}

#[cfg(any(feature = "cbc", feature = "microlp"))]
mod lp {
    use super::*;
    use good_lp::{variable, Expression, ProblemVariables, Variable};

    pub(super) struct Built {
        pub vars: ProblemVariables,
        pub x: Vec<Variable>,
        pub objective: Expression,
        pub constraints: Vec<good_lp::Constraint>,
    }

    pub(super) fn build(m: &Milp) -> Built {
        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = (0..m.vars())
            .map(|_| vars.add(variable().binary()))
            .collect();
        let objective: Expression = m.objective.iter().zip(&x).map(|(c, v)| *c * *v).sum();
        let mut constraints = Vec::new();
        for r in &m.rows {
            let e: Expression = r.terms.iter().map(|(j, c)| *c * x[*j]).sum();
            if r.lo == r.hi {
                constraints.push(good_lp::constraint::eq(e, r.lo));
            } else {
                if r.lo.is_finite() {
                    constraints.push(good_lp::constraint::geq(e.clone(), r.lo));
                }
                if r.hi.is_finite() {
                    constraints.push(good_lp::constraint::leq(e, r.hi));
                }
            }
        }
        Built {
            vars,
            x,
            objective,
            constraints,
        }
    }

    pub(super) fn read(sol: &impl good_lp::Solution, x: &[Variable]) -> Vec<bool> {
        x.iter().map(|v| sol.value(*v) > 0.5).collect()
    }

    /// Trivial cases no solver needs to see (no variables).
    pub(super) fn trivial(m: &Milp, started: Instant) -> Option<Outcome> {
        if m.vars() > 0 {
            return None;
        }
        let ok = m.feasible(&[]);
        Some(Outcome {
            status: if ok {
                Status::Optimal
            } else {
                Status::Infeasible
            },
            x: Vec::new(),
            objective: 0.0,
            bound: 0.0,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// COIN-OR CBC through good_lp, single-threaded (deterministic).
#[cfg(feature = "cbc")]
pub struct Cbc;

#[cfg(feature = "cbc")]
impl Solver for Cbc {
    fn name(&self) -> &'static str {
        "cbc"
    }

    fn solve(&self, m: &Milp, limits: &Limits) -> Result<Outcome, SolverError> {
        use good_lp::{ResolutionError, Solution, SolutionStatus, SolverModel};
        let started = Instant::now();
        if let Some(o) = lp::trivial(m, started) {
            return Ok(o);
        }
        let b = lp::build(m);
        let mut p = b.vars.maximise(b.objective).using(good_lp::coin_cbc);
        p.set_parameter("log", "0");
        p.set_parameter("slog", "0");
        // Wall-clock seconds, as people wait for them (CBC counts CPU time by default).
        p.set_parameter("timeMode", "elapsed");
        p.set_parameter("sec", &format!("{}", limits.seconds.max(0.01)));
        if limits.gap > 0.0 {
            p.set_parameter("ratioGap", &format!("{}", limits.gap));
        }
        for c in b.constraints {
            p.add_constraint(c);
        }
        match p.solve() {
            Ok(sol) => {
                let x = lp::read(&sol, &b.x);
                if !m.feasible(&x) {
                    return Err(SolverError::NoSolution(format!("{:?}", sol.status())));
                }
                let objective = m.value(&x);
                let (status, bound) = match sol.status() {
                    SolutionStatus::Optimal => (Status::Optimal, objective),
                    _ => {
                        let b = sol.model().best_possible_value();
                        (
                            Status::Feasible,
                            if b.is_finite() {
                                b.max(objective)
                            } else {
                                f64::MAX
                            },
                        )
                    }
                };
                Ok(Outcome {
                    status,
                    x,
                    objective,
                    bound,
                    seconds: started.elapsed().as_secs_f64(),
                })
            }
            Err(ResolutionError::Infeasible) => Ok(Outcome {
                status: Status::Infeasible,
                x: vec![false; m.vars()],
                objective: 0.0,
                bound: 0.0,
                seconds: started.elapsed().as_secs_f64(),
            }),
            Err(e) => Err(SolverError::NoSolution(e.to_string())),
        }
    }
}

/// microlp through good_lp: pure Rust, no limits honoured (it runs to optimality).
#[cfg(feature = "microlp")]
pub struct Microlp;

#[cfg(feature = "microlp")]
impl Solver for Microlp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn solve(&self, m: &Milp, _limits: &Limits) -> Result<Outcome, SolverError> {
        use good_lp::{ResolutionError, SolverModel};
        let started = Instant::now();
        if let Some(o) = lp::trivial(m, started) {
            return Ok(o);
        }
        let b = lp::build(m);
        let mut p = b.vars.maximise(b.objective).using(good_lp::microlp);
        for c in b.constraints {
            p.add_constraint(c);
        }
        match p.solve() {
            Ok(sol) => {
                let x = lp::read(&sol, &b.x);
                let objective = m.value(&x);
                Ok(Outcome {
                    status: Status::Optimal,
                    x,
                    objective,
                    bound: objective,
                    seconds: started.elapsed().as_secs_f64(),
                })
            }
            Err(ResolutionError::Infeasible) => Ok(Outcome {
                status: Status::Infeasible,
                x: vec![false; m.vars()],
                objective: 0.0,
                bound: 0.0,
                seconds: started.elapsed().as_secs_f64(),
            }),
            Err(e) => Err(SolverError::NoSolution(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn knapsack() -> Milp {
        // max 5a + 4b + 3c s.t. 2a + 3b + c <= 4, a + b >= 1
        Milp {
            objective: vec![5.0, 4.0, 3.0],
            rows: vec![
                Row {
                    terms: vec![(0, 2.0), (1, 3.0), (2, 1.0)],
                    lo: f64::NEG_INFINITY,
                    hi: 4.0,
                },
                Row {
                    terms: vec![(0, 1.0), (1, 1.0)],
                    lo: 1.0,
                    hi: f64::INFINITY,
                },
            ],
        }
    }

    #[test]
    fn the_default_solver_finds_the_optimum_and_proves_infeasibility() {
        let s = default_solver();
        let o = s.solve(&knapsack(), &Limits::default()).unwrap();
        assert_eq!(o.status, Status::Optimal);
        assert_eq!(o.x, vec![true, false, true]);
        assert!((o.objective - 8.0).abs() < 1e-9);
        let mut m = knapsack();
        m.rows.push(Row {
            terms: vec![(0, 1.0), (1, 1.0)],
            lo: f64::NEG_INFINITY,
            hi: 0.0,
        });
        assert_eq!(
            s.solve(&m, &Limits::default()).unwrap().status,
            Status::Infeasible
        );
        let empty = Milp::default();
        assert_eq!(
            s.solve(&empty, &Limits::default()).unwrap().status,
            Status::Optimal
        );
    }
}
