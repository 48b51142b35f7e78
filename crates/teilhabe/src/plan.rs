//! `teilhabe plan FILE.json`: solve a scenario (docs/planner.md) and print the plan as JSON.

use std::io::IsTerminal;
use std::path::Path;
use th_measures::planner::{self, Input, PlanError};
use th_measures::solver::{default_solver, Limits, Status};

pub fn run(file: &Path, seconds: f64, gap: f64) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let input: Input = Input::parse(&text)
        .map_err(|e| format!("{}: not a scenario (docs/planner.md): {e}", file.display()))?;
    let spinner = if std::io::stderr().is_terminal() {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(format!("solving ({} measures)", input.measures.len()));
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    } else {
        indicatif::ProgressBar::hidden()
    };
    let solver = default_solver();
    let result = planner::plan(&input, solver.as_ref(), &Limits { seconds, gap });
    spinner.finish_and_clear();
    let plan = match result {
        Ok(p) => p,
        Err(PlanError::Invalid(errs)) => {
            let lines: Vec<String> = errs
                .iter()
                .map(|e| format!("  {}: {}", e.at, e.message))
                .collect();
            return Err(format!(
                "{} has {} error(s); nothing was solved:\n{}",
                file.display(),
                errs.len(),
                lines.join("\n")
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    let json = serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
    println!("{json}");
    if plan.status == Status::Infeasible {
        let rules: Vec<String> = plan.conflicts.iter().map(describe).collect();
        return Err(format!(
            "the scenario is infeasible; these rules conflict: {}",
            rules.join(", ")
        ));
    }
    Ok(())
}

fn describe(c: &planner::Conflict) -> String {
    match c {
        planner::Conflict::Must { measure } => format!("\"{measure}\" must be in"),
        planner::Conflict::MinShare { field } => {
            format!("the minimum share of field of action {field}")
        }
        planner::Conflict::Money => "the money available".into(),
        planner::Conflict::Staff => "the staff available".into(),
    }
}
