//! The opinion map: Polis's method (see `specs/POLIS.md`) on a sparse vote matrix.
//!
//! `matrix` holds the latest vote of every participant on every statement, one packed `u32`
//! per vote, so memory grows with the votes, never with participants × statements. `math` has
//! the numerical parts (subspace iteration for the two principal components, k-means,
//! silhouette). `analysis` runs the pipeline and keeps the state a live conversation carries
//! from one update to the next (warm starts, sticky participants, the 4-update smoothing of the
//! number of groups). `polis` reads and writes Polis's CSV export.

pub mod analysis;
pub mod live;
pub mod math;
pub mod matrix;
pub mod polis;
pub mod store;

pub use analysis::{Analysis, Model};
pub use matrix::{Conversation, Statement};
