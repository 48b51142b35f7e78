//! The planner: which measures (and in which year each starts) bring the most for the concept's
//! goals within the staff and money available, exactly, as a 0-1 integer program.
//!
//! The model (docs/planner.md documents it for users):
//! - a measure `m` may start in any year from its planned start to `start_flexibility` years
//!   later, within the horizon; one that started before the horizon keeps its start (it is
//!   continued or not); a measure runs `duration_years` (or to the horizon's end);
//! - its value is `Σ_goals weight(g) · score(m, g)`, counted for the share of the horizon's
//!   years it runs in;
//! - in every year the measures running cost at most the money and staff available;
//! - `requires`: a measure starts only once the measures it requires have started (same year or
//!   earlier); `excludes`: two alternatives are never both in;
//! - rules: `must` (in), `must_not` (out), and a minimum share of the total effort per field of
//!   action, effort being money plus staff valued at `fte_cost_eur`, over the years it runs.

use crate::solver::{Limits, Milp, Outcome, Row, Solver, SolverError, Status};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Money in EUR or staff in FTE per year: one figure for every year, or one per year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum PerYear {
    Same(f64),
    Each(Vec<f64>),
}

impl PerYear {
    fn get(&self, i: usize) -> f64 {
        match self {
            PerYear::Same(v) => *v,
            PerYear::Each(v) => v.get(i).copied().unwrap_or(0.0),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Horizon {
    pub first_year: i32,
    pub years: u32,
}

/// A scenario: what is available and the rules. Stored scenarios are this; the measures come
/// from the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub horizon: Horizon,
    /// EUR per year available for the measures.
    pub money_eur: PerYear,
    /// Full-time equivalents per year available for the measures.
    pub staff_fte: PerYear,
    /// What one FTE costs per year, to weigh staff against money in the field shares.
    #[serde(default = "default_fte_cost")]
    pub fte_cost_eur: f64,
    /// Weight per goal (default 1).
    #[serde(default)]
    pub goal_weights: BTreeMap<String, f64>,
    /// Measures that must be in.
    #[serde(default)]
    pub must: Vec<String>,
    /// Measures that must stay out.
    #[serde(default)]
    pub must_not: Vec<String>,
    /// Minimum share (0..1) of the total effort per field of action (JSON keys: "1", "2", …).
    #[serde(default, deserialize_with = "field_keys")]
    pub min_share: BTreeMap<u16, f64>,
    /// How many years later than planned a measure may start.
    #[serde(default)]
    pub start_flexibility: u32,
    /// Planning from the catalogue: whether measures already under way compete for this budget
    /// (continued or stopped) or go on with their own funding (default). The planner itself
    /// takes the measures it is given.
    #[serde(default)]
    pub include_running: bool,
}

/// Field numbers as JSON object keys. Read through a string map: inside `#[serde(flatten)]`
/// serde hands keys over as strings, which its integer keys do not accept.
fn field_keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<u16, f64>, D::Error> {
    let raw: BTreeMap<String, f64> = BTreeMap::deserialize(d)?;
    raw.into_iter()
        .map(|(k, v)| {
            k.trim().parse::<u16>().map(|f| (f, v)).map_err(|_| {
                serde::de::Error::custom(format!(
                    "min_share: \"{k}\" is not a field of action number"
                ))
            })
        })
        .collect()
}

fn default_fte_cost() -> f64 {
    75_000.0
}

/// A candidate measure as the planner sees it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub key: String,
    #[serde(default)]
    pub title: String,
    pub field: u16,
    /// Expected contribution per goal (a score, e.g. 1 to 3).
    pub goals: BTreeMap<String, f64>,
    pub planned_start: i32,
    /// Years it runs; none: ongoing.
    #[serde(default)]
    pub duration_years: Option<u32>,
    pub staff_fte: f64,
    pub money_eur: f64,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub excludes: Vec<String>,
    /// Starts exactly in `planned_start` (no start flexibility), e.g. when it is already funded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed_start: bool,
}

/// The document `teilhabe plan` reads and `POST /api/v1/plan` takes: a scenario and its
/// measures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Input {
    #[serde(flatten)]
    pub scenario: Scenario,
    pub measures: Vec<Measure>,
}

/// The keys a document may have at its top level. (`deny_unknown_fields` does not reach
/// through `#[serde(flatten)]`, so [`Input::parse`] checks them.)
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "horizon",
    "money_eur",
    "staff_fte",
    "fte_cost_eur",
    "goal_weights",
    "must",
    "must_not",
    "min_share",
    "start_flexibility",
    "include_running",
    "measures",
];

impl Input {
    /// Reads a document, refusing keys it does not know (a misspelt rule must not be ignored).
    pub fn parse(text: &str) -> Result<Input, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let Some(o) = v.as_object() {
            if let Some(k) = o.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
                return Err(format!(
                    "unknown key \"{k}\" (known: {})",
                    TOP_LEVEL_KEYS.join(", ")
                ));
            }
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }
}

/// One thing wrong with the input, named by where it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputError {
    /// Where: `measures[3].money_eur`, `must[0]`, `min_share.4`, ...
    pub at: String,
    pub message: String,
}

const MAX_MONEY: f64 = 1e10;
const MAX_FTE: f64 = 1e5;
const MAX_SCORE: f64 = 1000.0;

/// Checks everything before anything is solved: numbers in range, keys known, no cycles.
pub fn validate(input: &Input) -> Result<(), Vec<InputError>> {
    let mut errs = Vec::new();
    let mut err = |at: String, message: String| errs.push(InputError { at, message });
    let s = &input.scenario;
    if !(1..=30).contains(&s.horizon.years) {
        err(
            "horizon.years".into(),
            format!("must be 1 to 30 years, not {}", s.horizon.years),
        );
    }
    if !(1900..=2200).contains(&s.horizon.first_year) {
        err(
            "horizon.first_year".into(),
            format!("{} is not a plausible year", s.horizon.first_year),
        );
    }
    for (name, p, max) in [
        ("money_eur", &s.money_eur, MAX_MONEY),
        ("staff_fte", &s.staff_fte, MAX_FTE),
    ] {
        match p {
            PerYear::Same(v) => check_amount(&mut err, name.to_string(), *v, max),
            PerYear::Each(v) => {
                if v.len() != s.horizon.years as usize {
                    err(
                        name.into(),
                        format!(
                            "has {} figures for a horizon of {} years",
                            v.len(),
                            s.horizon.years
                        ),
                    );
                }
                for (i, x) in v.iter().enumerate() {
                    check_amount(&mut err, format!("{name}[{i}]"), *x, max);
                }
            }
        }
    }
    check_amount(&mut err, "fte_cost_eur".into(), s.fte_cost_eur, MAX_MONEY);
    for (g, w) in &s.goal_weights {
        check_amount(&mut err, format!("goal_weights.{g}"), *w, MAX_SCORE);
    }
    if s.start_flexibility > 10 {
        err(
            "start_flexibility".into(),
            format!("at most 10 years, not {}", s.start_flexibility),
        );
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut fields = BTreeSet::new();
    for (i, m) in input.measures.iter().enumerate() {
        let at = |f: &str| format!("measures[{i}].{f}");
        if m.key.trim().is_empty() {
            err(at("key"), "is empty".into());
        } else if let Some(j) = index.insert(m.key.as_str(), i) {
            err(
                at("key"),
                format!("\"{}\" is also the key of measures[{j}]", m.key),
            );
        }
        fields.insert(m.field);
        check_amount(&mut err, at("staff_fte"), m.staff_fte, MAX_FTE);
        check_amount(&mut err, at("money_eur"), m.money_eur, MAX_MONEY);
        if !(1900..=2200).contains(&m.planned_start) {
            err(
                at("planned_start"),
                format!("{} is not a plausible year", m.planned_start),
            );
        }
        if let Some(d) = m.duration_years {
            if !(1..=100).contains(&d) {
                err(
                    at("duration_years"),
                    format!("must be 1 to 100 years, not {d}"),
                );
            }
        }
        if m.goals.is_empty() {
            err(at("goals"), "names no goal".into());
        }
        for (g, v) in &m.goals {
            check_amount(&mut err, format!("measures[{i}].goals.{g}"), *v, MAX_SCORE);
        }
    }
    for (i, m) in input.measures.iter().enumerate() {
        for (rel, list) in [("requires", &m.requires), ("excludes", &m.excludes)] {
            for (j, k) in list.iter().enumerate() {
                if k == &m.key {
                    err(
                        format!("measures[{i}].{rel}[{j}]"),
                        format!("\"{k}\" names the measure itself"),
                    );
                } else if !index.contains_key(k.as_str()) {
                    err(
                        format!("measures[{i}].{rel}[{j}]"),
                        format!("unknown measure \"{k}\""),
                    );
                }
            }
        }
    }
    if let Some(cycle) = requires_cycle(input, &index) {
        err(
            "measures".into(),
            format!("\"requires\" goes round in a circle: {}", cycle.join(" → ")),
        );
    }
    let must: BTreeSet<&str> = s.must.iter().map(String::as_str).collect();
    for (rule, list) in [("must", &s.must), ("must_not", &s.must_not)] {
        for (j, k) in list.iter().enumerate() {
            if !index.contains_key(k.as_str()) {
                err(format!("{rule}[{j}]"), format!("unknown measure \"{k}\""));
            } else if rule == "must_not" && must.contains(k.as_str()) {
                err(
                    format!("{rule}[{j}]"),
                    format!("\"{k}\" is also in \"must\""),
                );
            }
        }
    }
    let mut total = 0.0;
    for (f, v) in &s.min_share {
        if !v.is_finite() || !(0.0..=1.0).contains(v) {
            err(
                format!("min_share.{f}"),
                format!("must be a share between 0 and 1, not {v}"),
            );
        } else {
            total += v;
        }
        if !fields.contains(f) {
            err(
                format!("min_share.{f}"),
                format!("no measure belongs to field of action {f}"),
            );
        }
    }
    if total > 1.0 + 1e-9 {
        err(
            "min_share".into(),
            format!(
                "the minimum shares add up to {:.0} %, more than 100 %",
                total * 100.0
            ),
        );
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn check_amount(err: &mut impl FnMut(String, String), at: String, v: f64, max: f64) {
    if !v.is_finite() {
        err(at, "is not a number".into());
    } else if v < 0.0 {
        err(at, format!("is negative ({v})"));
    } else if v > max {
        err(
            at,
            format!("{v} is beyond any plausible figure (at most {max})"),
        );
    }
}

/// The first cycle in `requires`, as the keys along it (first key repeated at the end).
fn requires_cycle(input: &Input, index: &HashMap<&str, usize>) -> Option<Vec<String>> {
    let n = input.measures.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // Iterative depth-first search keeping the path.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (v, ref mut next)) = path.last_mut() {
            let reqs = &input.measures[v].requires;
            if *next < reqs.len() {
                let k = &reqs[*next];
                *next += 1;
                let Some(&w) = index.get(k.as_str()) else {
                    continue;
                };
                if state[w] == 1 {
                    let from = path.iter().position(|(u, _)| *u == w).unwrap_or(0);
                    let mut cyc: Vec<String> = path[from..]
                        .iter()
                        .map(|(u, _)| input.measures[*u].key.clone())
                        .collect();
                    cyc.push(input.measures[w].key.clone());
                    return Some(cyc);
                }
                if state[w] == 0 {
                    state[w] = 1;
                    path.push((w, 0));
                }
            } else {
                state[v] = 2;
                path.pop();
            }
        }
    }
    None
}

/// One measure in the plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Chosen {
    pub key: String,
    pub start: i32,
    /// Last year it runs within the horizon.
    pub until: i32,
    pub value: f64,
}

/// Money and staff in one year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct YearUse {
    pub year: i32,
    pub money_eur: f64,
    pub money_available: f64,
    pub staff_fte: f64,
    pub staff_available: f64,
    /// Nothing left out would fit into what is left of the money / staff.
    pub money_binding: bool,
    pub staff_binding: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FieldUse {
    pub field: u16,
    pub effort_eur: f64,
    pub share: f64,
    pub min_share: f64,
    pub binding: bool,
    pub measures: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GoalUse {
    pub goal: String,
    /// Weighted contribution of the chosen measures (score × share of the horizon).
    pub contribution: f64,
    /// Contribution if every candidate were in: how much of what is possible is reached.
    pub possible: f64,
    pub measures: usize,
}

/// Why a measure is not in the plan, and what it would take to bring it in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeftOut {
    /// The scenario rules it out.
    RuledOut,
    /// It would not run within the horizon (finished before, or planned after it).
    OutsideHorizon,
    /// It excludes (or is excluded by) a measure in the plan.
    ConflictsWith { measure: String },
    /// A measure it requires cannot be in.
    RequiresUnavailable { measure: String },
    /// It (with the measures it requires that are not in) needs more money or staff in some
    /// years than is left: added alongside the plan at its earliest start.
    Needs {
        start: i32,
        with: Vec<String>,
        /// Year (as text: JSON object keys) → EUR more than is left.
        money_eur: BTreeMap<String, f64>,
        /// Year → FTE more than is left.
        staff_fte: BTreeMap<String, f64>,
    },
    /// It would fit, but would push a field of action below its minimum share.
    ShareOf { field: u16 },
    /// It fits and breaks no rule, but brings nothing for the goals as weighted.
    NoValue,
    /// It might fit, but the solver stopped (time or gap limit) before proving the plan
    /// optimal, so whether it belongs in is open.
    Unproven,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Excluded {
    pub key: String,
    pub reason: LeftOut,
}

/// One rule taking part in a conflict that makes the scenario infeasible.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Conflict {
    Must { measure: String },
    MinShare { field: u16 },
    Money,
    Staff,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub status: Status,
    pub solver: String,
    pub objective: f64,
    pub bound: f64,
    /// (bound − objective) / |objective|: how far the optimum may be above this plan (0 when
    /// proven optimal).
    pub gap: f64,
    pub seconds: f64,
    pub chosen: Vec<Chosen>,
    pub years: Vec<YearUse>,
    pub fields: Vec<FieldUse>,
    pub goals: Vec<GoalUse>,
    pub left_out: Vec<Excluded>,
    /// When infeasible: a smallest set of rules that cannot hold together.
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the scenario has errors")]
    Invalid(Vec<InputError>),
    #[error(transparent)]
    Solver(#[from] SolverError),
}

/// A candidate start of a measure: variable `var` means "measure starts in `start`".
#[derive(Debug, Clone)]
struct Option_ {
    measure: usize,
    start: i32,
    /// Indices (0-based within the horizon) of the years it runs.
    years: std::ops::Range<usize>,
    value: f64,
    effort: f64,
}

struct Model {
    milp: Milp,
    options: Vec<Option_>,
    /// Variables per measure.
    by_measure: Vec<Vec<usize>>,
    /// Row indices per rule group (for the conflict search).
    groups: Vec<(Conflict, Vec<usize>)>,
}

fn years_of(s: &Scenario) -> Vec<i32> {
    (0..s.horizon.years as i32)
        .map(|i| s.horizon.first_year + i)
        .collect()
}

fn measure_value(s: &Scenario, m: &Measure) -> f64 {
    m.goals
        .iter()
        .map(|(g, v)| s.goal_weights.get(g).copied().unwrap_or(1.0) * v)
        .sum()
}

/// The candidate starts of each measure.
fn options(input: &Input) -> (Vec<Option_>, Vec<Vec<usize>>) {
    let s = &input.scenario;
    let first = s.horizon.first_year;
    let last = first + s.horizon.years as i32 - 1;
    let ruled_out: BTreeSet<&str> = s.must_not.iter().map(String::as_str).collect();
    let mut opts = Vec::new();
    let mut by = vec![Vec::new(); input.measures.len()];
    for (i, m) in input.measures.iter().enumerate() {
        if ruled_out.contains(m.key.as_str()) {
            continue;
        }
        let starts: Vec<i32> = if m.planned_start < first || m.fixed_start {
            vec![m.planned_start]
        } else {
            (m.planned_start..=(m.planned_start + s.start_flexibility as i32).min(last)).collect()
        };
        let per_year = measure_value(s, m) / s.horizon.years as f64;
        for st in starts {
            let end = match m.duration_years {
                Some(d) => (st + d as i32 - 1).min(last),
                None => last,
            };
            let from = st.max(first);
            if end < from {
                continue;
            }
            let years = (from - first) as usize..(end - first + 1) as usize;
            let n = years.len() as f64;
            by[i].push(opts.len());
            opts.push(Option_ {
                measure: i,
                start: st,
                years,
                value: per_year * n,
                effort: (m.money_eur + m.staff_fte * s.fte_cost_eur) * n,
            });
        }
    }
    (opts, by)
}

fn build(input: &Input) -> Model {
    let s = &input.scenario;
    let (opts, by) = options(input);
    let index: HashMap<&str, usize> = input
        .measures
        .iter()
        .enumerate()
        .map(|(i, m)| (m.key.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    let mut groups: Vec<(Conflict, Vec<usize>)> = Vec::new();
    // At most one start per measure; `must` exactly one.
    let must: BTreeSet<&str> = s.must.iter().map(String::as_str).collect();
    for (i, vars) in by.iter().enumerate() {
        let key = input.measures[i].key.as_str();
        let terms: Vec<(usize, f64)> = vars.iter().map(|&v| (v, 1.0)).collect();
        if must.contains(key) {
            groups.push((
                Conflict::Must {
                    measure: key.to_string(),
                },
                vec![rows.len()],
            ));
            rows.push(Row {
                terms: terms.clone(),
                lo: 1.0,
                hi: 1.0,
            });
        }
        if vars.len() > 1 {
            rows.push(Row {
                terms,
                lo: f64::NEG_INFINITY,
                hi: 1.0,
            });
        }
    }
    // `must` measures that cannot run in the horizon at all.
    for k in &s.must {
        if let Some(&i) = index.get(k.as_str()) {
            if by[i].is_empty() && !s.must_not.contains(k) {
                groups.push((Conflict::Must { measure: k.clone() }, vec![rows.len()]));
                rows.push(Row {
                    terms: Vec::new(),
                    lo: 1.0,
                    hi: 1.0,
                });
            }
        }
    }
    // Money and staff per year.
    let mut money_rows = Vec::new();
    let mut staff_rows = Vec::new();
    for y in 0..s.horizon.years as usize {
        let mut money = Vec::new();
        let mut staff = Vec::new();
        for (v, o) in opts.iter().enumerate() {
            if o.years.contains(&y) {
                let m = &input.measures[o.measure];
                if m.money_eur > 0.0 {
                    money.push((v, m.money_eur));
                }
                if m.staff_fte > 0.0 {
                    staff.push((v, m.staff_fte));
                }
            }
        }
        money_rows.push(rows.len());
        rows.push(Row {
            terms: money,
            lo: f64::NEG_INFINITY,
            hi: s.money_eur.get(y),
        });
        staff_rows.push(rows.len());
        rows.push(Row {
            terms: staff,
            lo: f64::NEG_INFINITY,
            hi: s.staff_fte.get(y),
        });
    }
    groups.push((Conflict::Money, money_rows));
    groups.push((Conflict::Staff, staff_rows));
    // requires: a starts in s only if b started in s or before.
    for (a, m) in input.measures.iter().enumerate() {
        for r in &m.requires {
            let Some(&b) = index.get(r.as_str()) else {
                continue;
            };
            for &va in &by[a] {
                let sa = opts[va].start;
                let mut terms = vec![(va, 1.0)];
                terms.extend(
                    by[b]
                        .iter()
                        .filter(|&&vb| opts[vb].start <= sa)
                        .map(|&vb| (vb, -1.0)),
                );
                rows.push(Row {
                    terms,
                    lo: f64::NEG_INFINITY,
                    hi: 0.0,
                });
            }
        }
    }
    // excludes: never both.
    for (a, m) in input.measures.iter().enumerate() {
        for r in &m.excludes {
            let Some(&b) = index.get(r.as_str()) else {
                continue;
            };
            let terms: Vec<(usize, f64)> = by[a].iter().chain(&by[b]).map(|&v| (v, 1.0)).collect();
            if by[a].is_empty() || by[b].is_empty() {
                continue;
            }
            rows.push(Row {
                terms,
                lo: f64::NEG_INFINITY,
                hi: 1.0,
            });
        }
    }
    // Minimum shares: Σ_field effort − share · Σ_all effort ≥ 0.
    for (&f, &share) in &s.min_share {
        if share <= 0.0 {
            continue;
        }
        let terms: Vec<(usize, f64)> = opts
            .iter()
            .enumerate()
            .map(|(v, o)| {
                let own = if input.measures[o.measure].field == f {
                    o.effort
                } else {
                    0.0
                };
                (v, own - share * o.effort)
            })
            .filter(|(_, c)| *c != 0.0)
            .collect();
        groups.push((Conflict::MinShare { field: f }, vec![rows.len()]));
        rows.push(Row {
            terms,
            lo: 0.0,
            hi: f64::INFINITY,
        });
    }
    let objective = opts.iter().map(|o| o.value).collect();
    Model {
        milp: Milp { objective, rows },
        options: opts,
        by_measure: by,
        groups,
    }
}

/// Solves the scenario. Invalid input is refused before any solving, with every error named.
pub fn plan(input: &Input, solver: &dyn Solver, limits: &Limits) -> Result<Plan, PlanError> {
    validate(input).map_err(PlanError::Invalid)?;
    let model = build(input);
    let out = solver.solve(&model.milp, limits)?;
    if out.status == Status::Infeasible {
        // The search for the conflicting rules shares what is left of the time limit.
        let left = Limits {
            seconds: (limits.seconds - out.seconds).max(0.0),
            gap: 0.0,
        };
        let conflicts = conflicts(&model, solver, &left)?;
        return Ok(Plan {
            status: Status::Infeasible,
            solver: solver.name().into(),
            objective: 0.0,
            bound: 0.0,
            gap: 0.0,
            seconds: out.seconds,
            chosen: Vec::new(),
            years: Vec::new(),
            fields: Vec::new(),
            goals: Vec::new(),
            left_out: Vec::new(),
            conflicts,
        });
    }
    Ok(describe(input, &model, &out, solver.name()))
}

/// A smallest set of rule groups that cannot hold together (a deletion filter: drop each group
/// in turn and keep it dropped while the rest stays infeasible).
fn conflicts(
    model: &Model,
    solver: &dyn Solver,
    limits: &Limits,
) -> Result<Vec<Conflict>, SolverError> {
    let started = std::time::Instant::now();
    let mut dropped: BTreeSet<usize> = BTreeSet::new();
    // Some(true): feasible without these groups; Some(false): still infeasible; None: not
    // known within the time left (the group is then kept: the set stays conflicting, if not
    // the smallest).
    let feasibility = |dropped: &BTreeSet<usize>| -> Result<Option<bool>, SolverError> {
        let left = limits.seconds - started.elapsed().as_secs_f64();
        if left <= 0.0 {
            return Ok(None);
        }
        let skip: BTreeSet<usize> = dropped
            .iter()
            .flat_map(|&g| model.groups[g].1.iter().copied())
            .collect();
        let m = Milp {
            objective: vec![0.0; model.milp.vars()],
            rows: model
                .milp
                .rows
                .iter()
                .enumerate()
                .filter(|(i, _)| !skip.contains(i))
                .map(|(_, r)| r.clone())
                .collect(),
        };
        let l = Limits {
            seconds: left,
            gap: 0.0,
        };
        Ok(match solver.solve(&m, &l) {
            Ok(o) if o.status == Status::Infeasible => Some(false),
            Ok(_) => Some(true),
            Err(SolverError::NoSolution(_)) => None,
            Err(e) => return Err(e),
        })
    };
    for g in 0..model.groups.len() {
        dropped.insert(g);
        if feasibility(&dropped)? != Some(false) {
            dropped.remove(&g);
        }
    }
    let mut out: Vec<Conflict> = (0..model.groups.len())
        .filter(|g| !dropped.contains(g))
        .map(|g| model.groups[g].0.clone())
        .collect();
    out.sort();
    Ok(out)
}

fn describe(input: &Input, model: &Model, out: &Outcome, solver: &str) -> Plan {
    let s = &input.scenario;
    let years = years_of(s);
    let ny = years.len();
    let chosen_opt: Vec<usize> = (0..out.x.len()).filter(|&v| out.x[v]).collect();
    let mut start_of: Vec<Option<usize>> = vec![None; input.measures.len()];
    for &v in &chosen_opt {
        start_of[model.options[v].measure] = Some(v);
    }
    let mut money = vec![0.0; ny];
    let mut staff = vec![0.0; ny];
    for &v in &chosen_opt {
        let o = &model.options[v];
        let m = &input.measures[o.measure];
        for y in o.years.clone() {
            money[y] += m.money_eur;
            staff[y] += m.staff_fte;
        }
    }
    let chosen: Vec<Chosen> = chosen_opt
        .iter()
        .map(|&v| {
            let o = &model.options[v];
            Chosen {
                key: input.measures[o.measure].key.clone(),
                start: o.start,
                until: s.horizon.first_year + o.years.end as i32 - 1,
                value: o.value,
            }
        })
        .collect();
    // Field shares.
    let total: f64 = chosen_opt.iter().map(|&v| model.options[v].effort).sum();
    let mut field_set: BTreeSet<u16> = input.measures.iter().map(|m| m.field).collect();
    field_set.extend(s.min_share.keys());
    let fields: Vec<FieldUse> = field_set
        .iter()
        .map(|&f| {
            let (effort, n) = chosen_opt
                .iter()
                .filter(|&&v| input.measures[model.options[v].measure].field == f)
                .fold((0.0, 0), |(e, n), &v| (e + model.options[v].effort, n + 1));
            let share = if total > 0.0 { effort / total } else { 0.0 };
            let min = s.min_share.get(&f).copied().unwrap_or(0.0);
            FieldUse {
                field: f,
                effort_eur: effort,
                share,
                min_share: min,
                binding: min > 0.0 && share <= min + 1e-6,
                measures: n,
            }
        })
        .collect();
    // Goals.
    let mut goals: BTreeMap<String, GoalUse> = BTreeMap::new();
    for (v, o) in model.options.iter().enumerate() {
        let m = &input.measures[o.measure];
        let frac = o.years.len() as f64 / ny as f64;
        for (g, score) in &m.goals {
            let e = goals.entry(g.clone()).or_insert_with(|| GoalUse {
                goal: g.clone(),
                contribution: 0.0,
                possible: 0.0,
                measures: 0,
            });
            let c = s.goal_weights.get(g).copied().unwrap_or(1.0) * score * frac;
            // "possible": each measure at its longest-running start, counted once.
            if best_option(model, o.measure) == Some(v) {
                e.possible += c;
            }
            if out.x[v] {
                e.contribution += c;
                e.measures += 1;
            }
        }
    }
    // What is left over per year, and whether anything left out would still fit.
    let left_money: Vec<f64> = (0..ny).map(|y| s.money_eur.get(y) - money[y]).collect();
    let left_staff: Vec<f64> = (0..ny).map(|y| s.staff_fte.get(y) - staff[y]).collect();
    // A year's money (staff) binds when nothing is left, or when measures left out would run
    // that year needing money (staff) and none of them fits into what is left.
    let mut needs_money = vec![false; ny];
    let mut fits_money = vec![false; ny];
    let mut needs_staff = vec![false; ny];
    let mut fits_staff = vec![false; ny];
    for (i, m) in input.measures.iter().enumerate() {
        if start_of[i].is_some() {
            continue;
        }
        for &v in &model.by_measure[i] {
            for y in model.options[v].years.clone() {
                if m.money_eur > 0.0 {
                    needs_money[y] = true;
                    fits_money[y] |= m.money_eur <= left_money[y] + 1e-9;
                }
                if m.staff_fte > 0.0 {
                    needs_staff[y] = true;
                    fits_staff[y] |= m.staff_fte <= left_staff[y] + 1e-9;
                }
            }
        }
    }
    let money_binding: Vec<bool> = (0..ny).map(|y| needs_money[y] && !fits_money[y]).collect();
    let staff_binding: Vec<bool> = (0..ny).map(|y| needs_staff[y] && !fits_staff[y]).collect();
    let years_use: Vec<YearUse> = years
        .iter()
        .enumerate()
        .map(|(y, &year)| YearUse {
            year,
            money_eur: round(money[y], 1e6),
            money_available: s.money_eur.get(y),
            staff_fte: round(staff[y], 1e6),
            staff_available: s.staff_fte.get(y),
            money_binding: money_binding[y] || left_money[y] <= 1e-9,
            staff_binding: staff_binding[y] || left_staff[y] <= 1e-9,
        })
        .collect();
    let mut left_out = explain(
        input,
        model,
        &start_of,
        &left_money,
        &left_staff,
        total,
        &fields,
    );
    if out.status != Status::Optimal {
        for e in left_out.iter_mut().filter(|e| e.reason == LeftOut::NoValue) {
            e.reason = LeftOut::Unproven;
        }
    }
    // As solvers report it: (bound − objective) / |objective| (1 when nothing of value was
    // found yet, so it stays a number in JSON).
    let gap = if out.status == Status::Optimal {
        0.0
    } else if out.objective.abs() < 1e-12 {
        if out.bound > 1e-12 {
            1.0
        } else {
            0.0
        }
    } else {
        ((out.bound - out.objective) / out.objective.abs()).max(0.0)
    };
    Plan {
        status: out.status,
        solver: solver.into(),
        objective: out.objective,
        bound: out.bound,
        gap,
        seconds: out.seconds,
        chosen,
        years: years_use,
        fields,
        goals: goals.into_values().collect(),
        left_out,
        conflicts: Vec::new(),
    }
}

/// The longest-running option of measure `m` (the earliest of equals).
fn best_option(model: &Model, m: usize) -> Option<usize> {
    let opts = &model.by_measure[m];
    let best = opts.iter().map(|&w| model.options[w].years.len()).max()?;
    opts.iter()
        .copied()
        .find(|&w| model.options[w].years.len() == best)
}

fn explain(
    input: &Input,
    model: &Model,
    start_of: &[Option<usize>],
    left_money: &[f64],
    left_staff: &[f64],
    total_effort: f64,
    fields: &[FieldUse],
) -> Vec<Excluded> {
    let s = &input.scenario;
    let index: HashMap<&str, usize> = input
        .measures
        .iter()
        .enumerate()
        .map(|(i, m)| (m.key.as_str(), i))
        .collect();
    let ruled_out: BTreeSet<&str> = s.must_not.iter().map(String::as_str).collect();
    // Excludes, both directions.
    let mut conflicts: Vec<Vec<usize>> = vec![Vec::new(); input.measures.len()];
    for (a, m) in input.measures.iter().enumerate() {
        for r in &m.excludes {
            if let Some(&b) = index.get(r.as_str()) {
                conflicts[a].push(b);
                conflicts[b].push(a);
            }
        }
    }
    let mut out = Vec::new();
    for (i, m) in input.measures.iter().enumerate() {
        if start_of[i].is_some() {
            continue;
        }
        let reason = if ruled_out.contains(m.key.as_str()) {
            LeftOut::RuledOut
        } else if model.by_measure[i].is_empty() {
            LeftOut::OutsideHorizon
        } else if let Some(&c) = conflicts[i].iter().find(|&&c| start_of[c].is_some()) {
            LeftOut::ConflictsWith {
                measure: input.measures[c].key.clone(),
            }
        } else {
            needs(
                input,
                model,
                &index,
                start_of,
                &conflicts,
                i,
                left_money,
                left_staff,
                total_effort,
                fields,
            )
        };
        out.push(Excluded {
            key: m.key.clone(),
            reason,
        });
    }
    out
}

/// What measure `i` needs to join the plan: itself and the measures it requires (transitively)
/// that are not in, at the earliest start their requirements allow.
#[allow(clippy::too_many_arguments)]
fn needs(
    input: &Input,
    model: &Model,
    index: &HashMap<&str, usize>,
    start_of: &[Option<usize>],
    conflicts: &[Vec<usize>],
    i: usize,
    left_money: &[f64],
    left_staff: &[f64],
    total_effort: f64,
    fields: &[FieldUse],
) -> LeftOut {
    let s = &input.scenario;
    // Gather the missing prerequisites.
    let mut missing = vec![i];
    let mut k = 0;
    while k < missing.len() {
        let m = &input.measures[missing[k]];
        for r in &m.requires {
            let Some(&b) = index.get(r.as_str()) else {
                continue;
            };
            if start_of[b].is_none() && !missing.contains(&b) {
                if model.by_measure[b].is_empty() {
                    return LeftOut::RequiresUnavailable { measure: r.clone() };
                }
                if conflicts[b].iter().any(|&c| start_of[c].is_some()) {
                    return LeftOut::RequiresUnavailable { measure: r.clone() };
                }
                missing.push(b);
            }
        }
        k += 1;
    }
    // Prerequisites first (depth-first, requirements before what requires them).
    let mut order: Vec<usize> = Vec::new();
    fn visit(
        j: usize,
        input: &Input,
        index: &HashMap<&str, usize>,
        missing: &[usize],
        order: &mut Vec<usize>,
    ) {
        if order.contains(&j) {
            return;
        }
        for r in &input.measures[j].requires {
            if let Some(&b) = index.get(r.as_str()) {
                if missing.contains(&b) {
                    visit(b, input, index, missing, order);
                }
            }
        }
        order.push(j);
    }
    for &j in &missing {
        visit(j, input, index, &missing, &mut order);
    }
    // Each at its earliest start its requirements allow (none may start after it).
    let mut picked: Vec<usize> = Vec::new();
    for &j in &order {
        let starts: Vec<(i32, &String)> = input.measures[j]
            .requires
            .iter()
            .filter_map(|r| index.get(r.as_str()).map(|&b| (b, r)))
            .filter_map(|(b, r)| {
                start_of[b]
                    .map(|v| model.options[v].start)
                    .or_else(|| {
                        picked
                            .iter()
                            .find(|&&v| model.options[v].measure == b)
                            .map(|&v| model.options[v].start)
                    })
                    .map(|st| (st, r))
            })
            .collect();
        let need = starts.iter().map(|(st, _)| *st).max().unwrap_or(i32::MIN);
        let opt = model.by_measure[j]
            .iter()
            .copied()
            .find(|&v| model.options[v].start >= need);
        match opt {
            Some(v) => picked.push(v),
            None => {
                // The requirement that starts too late for it.
                let late = starts
                    .iter()
                    .max_by_key(|(st, _)| *st)
                    .map(|(_, r)| (*r).clone())
                    .unwrap_or_default();
                return LeftOut::RequiresUnavailable { measure: late };
            }
        }
    }
    let ny = s.horizon.years as usize;
    let mut add_money = vec![0.0; ny];
    let mut add_staff = vec![0.0; ny];
    let mut add_effort = 0.0;
    let mut field_effort: BTreeMap<u16, f64> = BTreeMap::new();
    for &v in &picked {
        let o = &model.options[v];
        let m = &input.measures[o.measure];
        for y in o.years.clone() {
            add_money[y] += m.money_eur;
            add_staff[y] += m.staff_fte;
        }
        add_effort += o.effort;
        *field_effort.entry(m.field).or_default() += o.effort;
    }
    let first = s.horizon.first_year;
    let money_eur: BTreeMap<String, f64> = (0..ny)
        .filter(|&y| add_money[y] > left_money[y] + 1e-9)
        .map(|y| {
            (
                (first + y as i32).to_string(),
                add_money[y] - left_money[y].max(0.0),
            )
        })
        .collect();
    let staff_fte: BTreeMap<String, f64> = (0..ny)
        .filter(|&y| add_staff[y] > left_staff[y] + 1e-9)
        .map(|y| {
            (
                (first + y as i32).to_string(),
                round(add_staff[y] - left_staff[y].max(0.0), 1e6),
            )
        })
        .collect();
    let main = model.by_measure[i]
        .iter()
        .copied()
        .find(|v| picked.contains(v));
    let start = main
        .map(|v| model.options[v].start)
        .unwrap_or(input.measures[i].planned_start);
    if !money_eur.is_empty() || !staff_fte.is_empty() {
        let with = picked
            .iter()
            .map(|&v| model.options[v].measure)
            .filter(|&j| j != i)
            .map(|j| input.measures[j].key.clone())
            .collect();
        return LeftOut::Needs {
            start,
            with,
            money_eur,
            staff_fte,
        };
    }
    // It fits: then a minimum share must be what keeps it out.
    let new_total = total_effort + add_effort;
    for f in fields.iter().filter(|f| f.min_share > 0.0) {
        let e = f.effort_eur + field_effort.get(&f.field).copied().unwrap_or(0.0);
        if new_total > 0.0 && e / new_total < f.min_share - 1e-9 {
            return LeftOut::ShareOf { field: f.field };
        }
    }
    LeftOut::NoValue
}

fn round(v: f64, scale: f64) -> f64 {
    (v * scale).round() / scale
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::solver::default_solver;

    #[allow(clippy::too_many_arguments)]
    fn m(
        key: &str,
        field: u16,
        goal: &str,
        score: f64,
        start: i32,
        dur: Option<u32>,
        fte: f64,
        eur: f64,
    ) -> Measure {
        Measure {
            key: key.into(),
            title: String::new(),
            field,
            goals: [(goal.to_string(), score)].into_iter().collect(),
            planned_start: start,
            duration_years: dur,
            staff_fte: fte,
            money_eur: eur,
            requires: Vec::new(),
            excludes: Vec::new(),
            fixed_start: false,
        }
    }

    fn input(measures: Vec<Measure>) -> Input {
        Input {
            scenario: Scenario {
                horizon: Horizon {
                    first_year: 2027,
                    years: 5,
                },
                money_eur: PerYear::Same(100_000.0),
                staff_fte: PerYear::Same(2.0),
                fte_cost_eur: 75_000.0,
                goal_weights: BTreeMap::new(),
                must: Vec::new(),
                must_not: Vec::new(),
                min_share: BTreeMap::new(),
                start_flexibility: 0,
                include_running: false,
            },
            measures,
        }
    }

    fn solve(i: &Input) -> Plan {
        plan(i, default_solver().as_ref(), &Limits::default()).unwrap()
    }

    #[test]
    fn picks_the_best_set_within_the_money_and_explains_the_rest() {
        // A and B each cost 60,000: only one fits; A brings more. C is cheap and fits.
        let i = input(vec![
            m("A", 1, "1.1", 3.0, 2027, None, 0.0, 60_000.0),
            m("B", 2, "2.1", 2.0, 2027, None, 0.0, 60_000.0),
            m("C", 3, "3.1", 1.0, 2027, Some(2), 0.5, 10_000.0),
        ]);
        let p = solve(&i);
        assert_eq!(p.status, Status::Optimal);
        let keys: Vec<&str> = p.chosen.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["A", "C"]);
        // A: 3 points for all five years; C: 1 point for two of five.
        assert!((p.objective - (3.0 + 0.4)).abs() < 1e-9);
        assert_eq!(p.chosen[1].until, 2028);
        let b = &p.left_out[0];
        assert_eq!(b.key, "B");
        match &b.reason {
            LeftOut::Needs {
                money_eur,
                staff_fte,
                ..
            } => {
                // 100,000 − 60,000 − 10,000 left in 2027/28 = 30,000 → 30,000 short; 40,000 after.
                assert_eq!(money_eur.get("2027"), Some(&30_000.0));
                assert_eq!(money_eur.get("2029"), Some(&20_000.0));
                assert!(staff_fte.is_empty());
            }
            r => panic!("unexpected reason {r:?}"),
        }
        assert!(p.years.iter().all(|y| y.money_binding));
        assert!(!p.years[0].staff_binding);
    }

    #[test]
    fn rules_requires_excludes_and_flexibility() {
        let mut ms = vec![
            m("A", 1, "1.1", 1.0, 2027, None, 0.0, 10_000.0),
            m("B", 1, "1.2", 5.0, 2027, None, 0.0, 10_000.0),
            m("C", 2, "2.1", 4.0, 2027, None, 0.0, 10_000.0),
            m("D", 2, "2.2", 1.0, 2027, None, 0.0, 10_000.0),
        ];
        ms[1].requires = vec!["A".into()];
        ms[2].excludes = vec!["B".into()];
        let mut i = input(ms);
        let p = solve(&i);
        // B needs A; C excludes B: {A, B, D} = 7 beats {A, C, D} = 6.
        let keys: Vec<&str> = p.chosen.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["A", "B", "D"]);
        assert_eq!(
            p.left_out,
            vec![Excluded {
                key: "C".into(),
                reason: LeftOut::ConflictsWith {
                    measure: "B".into()
                }
            }]
        );
        i.scenario.must = vec!["C".into()];
        i.scenario.must_not = vec!["D".into()];
        let p = solve(&i);
        let keys: Vec<&str> = p.chosen.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["A", "C"]);
        assert!(p.left_out.contains(&Excluded {
            key: "D".into(),
            reason: LeftOut::RuledOut
        }));

        // Flexibility: two measures of 60,000 fit one after the other only if one may start later.
        let mut i = input(vec![
            m("E", 1, "1.1", 1.0, 2027, Some(2), 0.0, 60_000.0),
            m("F", 1, "1.1", 1.0, 2027, Some(2), 0.0, 60_000.0),
        ]);
        assert_eq!(solve(&i).chosen.len(), 1);
        i.scenario.start_flexibility = 2;
        let p = solve(&i);
        assert_eq!(p.chosen.len(), 2);
        assert_ne!(p.chosen[0].start, p.chosen[1].start);
    }

    #[test]
    fn minimum_shares_change_the_choice() {
        let mut i = input(vec![
            m("A", 1, "1.1", 3.0, 2027, None, 0.0, 50_000.0),
            m("B", 1, "1.2", 3.0, 2027, None, 0.0, 50_000.0),
            m("C", 2, "2.1", 1.0, 2027, None, 0.0, 40_000.0),
        ]);
        assert_eq!(solve(&i).chosen.len(), 2);
        i.scenario.min_share.insert(2, 0.3);
        let p = solve(&i);
        let keys: Vec<&str> = p.chosen.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["A", "C"]);
        let f2 = p.fields.iter().find(|f| f.field == 2).unwrap();
        assert!(f2.share >= 0.3);
        assert_eq!(p.left_out[0].key, "B");
    }

    #[test]
    fn infeasible_scenarios_name_the_conflicting_rules() {
        let mut ms = vec![
            m("A", 1, "1.1", 1.0, 2027, None, 1.5, 10_000.0),
            m("B", 2, "2.1", 1.0, 2027, None, 1.0, 10_000.0),
            m("C", 3, "3.1", 1.0, 2027, None, 0.0, 10_000.0),
        ];
        ms[2].excludes = vec!["A".into()];
        let mut i = input(ms);
        // A and B together need 2.5 FTE of 2; C is fine.
        i.scenario.must = vec!["A".into(), "B".into()];
        let p = solve(&i);
        assert_eq!(p.status, Status::Infeasible);
        assert_eq!(
            p.conflicts,
            vec![
                Conflict::Must {
                    measure: "A".into()
                },
                Conflict::Must {
                    measure: "B".into()
                },
                Conflict::Staff
            ]
        );
        // A excludes C: both required cannot hold, whatever the money.
        i.scenario.must = vec!["A".into(), "C".into()];
        let p = solve(&i);
        assert_eq!(
            p.conflicts,
            vec![
                Conflict::Must {
                    measure: "A".into()
                },
                Conflict::Must {
                    measure: "C".into()
                }
            ]
        );
        // A share no measure of field 3 can reach with A in.
        i.scenario.must = vec!["A".into()];
        i.scenario.min_share.insert(3, 0.6);
        let p = solve(&i);
        assert_eq!(
            p.conflicts,
            vec![
                Conflict::Must {
                    measure: "A".into()
                },
                Conflict::MinShare { field: 3 }
            ]
        );
    }

    #[test]
    fn bad_input_is_named_and_nothing_is_solved() {
        let mut ms = vec![
            m("A", 1, "1.1", 1.0, 2027, None, -1.0, 10_000.0),
            m("B", 1, "1.1", 1.0, 2027, Some(0), 0.0, 1e12),
            m("C", 1, "1.1", f64::NAN, 2027, None, 0.0, 0.0),
            m("A", 1, "1.1", 1.0, 2027, None, 0.0, 0.0),
        ];
        ms[1].requires = vec!["C".into()];
        ms[2].requires = vec!["B".into()];
        ms[2].excludes = vec!["Z".into()];
        let mut i = input(ms);
        i.scenario.must = vec!["B".into()];
        i.scenario.must_not = vec!["B".into(), "Q".into()];
        i.scenario.min_share.insert(1, 0.7);
        i.scenario.min_share.insert(9, 0.5);
        i.scenario.money_eur = PerYear::Each(vec![1.0, 2.0]);
        let errs = validate(&i).unwrap_err();
        let at: Vec<&str> = errs.iter().map(|e| e.at.as_str()).collect();
        for want in [
            "measures[0].staff_fte",
            "measures[1].money_eur",
            "measures[1].duration_years",
            "measures[2].goals.1.1",
            "measures[3].key",
            "measures[2].excludes[0]",
            "measures",
            "must_not[0]",
            "must_not[1]",
            "min_share.9",
            "min_share",
            "money_eur",
        ] {
            assert!(at.contains(&want), "{want} missing from {errs:#?}");
        }
        let cycle = errs.iter().find(|e| e.at == "measures").unwrap();
        assert!(cycle.message.contains("B → C → B"), "{}", cycle.message);
        assert!(matches!(
            plan(&i, default_solver().as_ref(), &Limits::default()),
            Err(PlanError::Invalid(_))
        ));
    }

    #[test]
    fn review_fixes_binding_requirements_and_unknown_keys() {
        // Plenty of money left and nothing left out needs it: not "fully used".
        let i = input(vec![m("A", 1, "1.1", 1.0, 2027, None, 0.0, 1_000.0)]);
        let p = solve(&i);
        assert!(p.years.iter().all(|y| !y.money_binding && !y.staff_binding));
        // A requires B and C, C requires B: explained in that order, starts consistent.
        let mut ms = vec![
            m("A", 1, "1.1", 1.0, 2027, None, 0.0, 50_000.0),
            m("B", 1, "1.2", 1.0, 2027, None, 0.0, 50_000.0),
            m("C", 1, "1.3", 1.0, 2027, None, 0.0, 50_000.0),
            m("D", 2, "2.1", 9.0, 2027, None, 0.0, 100_000.0),
        ];
        ms[0].requires = vec!["B".into(), "C".into()];
        ms[2].requires = vec!["B".into()];
        let p = solve(&input(ms));
        assert_eq!(p.chosen.len(), 1, "D alone is worth most");
        let a = p.left_out.iter().find(|e| e.key == "A").unwrap();
        match &a.reason {
            LeftOut::Needs {
                with, money_eur, ..
            } => {
                assert_eq!(with.len(), 2);
                assert_eq!(money_eur.get("2027"), Some(&150_000.0));
            }
            r => panic!("{r:?}"),
        }
        // A misspelt rule is refused, not ignored.
        let e = Input::parse(r#"{"horizon":{"first_year":2027,"years":5},"money_eur":1,"staff_fte":1,"must_nto":["X"],"measures":[]}"#).unwrap_err();
        assert!(e.contains("must_nto"), "{e}");
        let e = Input::parse(r#"{"horizon":{"first_year":2027,"years":5},"money_eur":1,"staff_fte":1,"measures":[{"key":"A","field":1,"goals":{"1.1":1},"planned_start":2027,"staff_fte":0,"money_eur":0,"cost":5}]}"#).unwrap_err();
        assert!(e.contains("cost"), "{e}");
    }

    #[test]
    fn running_measures_keep_their_start_and_finished_ones_are_outside() {
        let i = input(vec![
            m("OLD", 1, "1.1", 2.0, 2020, Some(3), 0.0, 1_000.0),
            m("RUN", 1, "1.1", 2.0, 2024, None, 0.0, 1_000.0),
            m("LATE", 1, "1.1", 2.0, 2035, None, 0.0, 1_000.0),
        ]);
        let p = solve(&i);
        assert_eq!(p.chosen.len(), 1);
        assert_eq!(p.chosen[0].key, "RUN");
        assert_eq!(p.chosen[0].start, 2024);
        assert!(p
            .left_out
            .iter()
            .all(|e| e.reason == LeftOut::OutsideHorizon));
    }
}
#[cfg(test)]
mod roundtrip {
    #![allow(clippy::unwrap_used)]
    #[test]
    fn plan_json_round_trip() {
        let s = r#"{"status":"optimal","solver":"cbc","objective":1.0,"bound":1.0,"gap":0.0,"seconds":0.1,"chosen":[],"years":[],"fields":[],"goals":[],"left_out":[{"key":"a","reason":{"kind":"needs","start":2027,"with":[],"money_eur":{"2027":1.0},"staff_fte":{}}}],"conflicts":[]}"#;
        let p: super::Plan = serde_json::from_str(s).unwrap();
        assert_eq!(p.left_out.len(), 1);
        let i: super::Input = serde_json::from_str(r#"{"horizon":{"first_year":2027,"years":5},"money_eur":1,"staff_fte":[1,1,1,1,1],"min_share":{"3":0.1},"measures":[]}"#).unwrap();
        assert_eq!(i.scenario.min_share.get(&3), Some(&0.1));
        let e = serde_json::from_str::<super::Input>(r#"{"horizon":{"first_year":2027,"years":5},"money_eur":1,"staff_fte":1,"min_share":{"x":0.1},"measures":[]}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("\"x\" is not a field of action number"),
            "{e}"
        );
    }
}
