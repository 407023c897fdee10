//! The commands, one module each; they only wire the crates together.

pub mod compare;
pub mod convert;
pub mod histogram;
pub mod launch;
pub mod merge;
pub mod processes;
pub mod render;
pub mod report;
pub mod run;
pub mod sending;
pub mod simulate;
pub mod simulate_cost;
pub mod simulate_regions;
pub mod simulate_runs;
pub mod sweep;
