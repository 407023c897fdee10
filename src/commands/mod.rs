//! The commands, one module each; they only wire the crates together.

pub mod compare;
pub mod processes;
pub mod render;
pub mod report;
pub mod run;
pub mod simulate;
pub mod simulate_check;
pub mod simulate_cost;
pub mod sweep;
