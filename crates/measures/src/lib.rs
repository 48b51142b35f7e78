//! Measures: what the administration does to reach the concept's goals, the planner that picks
//! the best set of measures within the staff and money available, and (later) their tracking.
//!
//! The planner is pure: [`planner::plan`] takes a [`planner::Input`] (the documented JSON format
//! of `teilhabe plan` and the API) and returns a [`planner::Plan`]. The integer program goes
//! through the [`solver::Solver`] trait, so solvers can be swapped (CBC by default).

pub mod planner;
pub mod solver;
pub mod store;
