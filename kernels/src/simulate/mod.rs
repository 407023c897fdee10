//! # Simulated schedules: what each schedule would do on `P` cores
//!
//! A discrete-event model of every [`Schedule`], replaying the units of work
//! of one recorded run (one unit = one column for the fractal, with its
//! measured time or its iteration count as the cost) on `P` virtual cores.
//! The pieces every schedule hands out are cut by the real schedulers' own
//! code ([`Schedule::pieces`], the fork-join split rule), never a copy.
//!
//! The model, schedule by schedule (all of them assume **independent units,
//! no dependencies**, and a cost per unit that does not depend on the core or
//! on what else runs):
//!
//! | schedule | model |
//! |---|---|
//! | `serial` | every unit in order on core 0 |
//! | `static` | block `t` of [`Schedule::pieces`] on core `t` |
//! | `dynamic`, `chunked(k)`, `guided` | the pieces, in order, each to the core that frees up first (a shared counter) |
//! | `forkjoin(ntasks)` | the leaves of the recursion, left to right, each to the core that frees up first: a list schedule. Simplification: the real recursion reaches the leaves through `join`, whose stealing order differs; the tree's inner nodes cost only their `spawn` overhead |
//! | `rayon(basesize)` | work stealing with rayon's adaptive splitter: a piece splits in half while it holds at least `2 × basesize` units and either splits remain (`P` at the start, halved at each split) or it was just stolen (reset to `P`); the right half goes on the core's deque, the core pops its own deque newest first and steals the oldest piece of the first non-empty deque after its own. Joins never block (a waiting rayon worker steals meanwhile) |
//! | `depthfirst(basesize)` | the `basesize` tasks in spawn (FIFO) order, each to the core that frees up first |
//!
//! Overheads ([`Overheads`]) are charged in the cost's unit: `dispatch` before
//! every piece taken from a shared counter (`dynamic`, `chunked`, `guided`),
//! `spawn` before every `join` task (`forkjoin` leaf, `rayon` split),
//! `fifo_spawn` before every `depthfirst` task, `steal` before every piece a
//! `rayon` core steals, and `wake` once a core, before its first piece (every
//! worker of the pool is parked when a run starts). With all of them zero, the
//! model is exact: the tests check it against hand-computed list schedules and
//! known load balances. [`crate::overheads`] measures them on this machine, in
//! nanoseconds, with the runners' own code.

mod list;
mod prediction;
mod regions;
mod steal;
#[cfg(test)]
mod tests;
mod units;

pub use prediction::{Placed, Prediction};
pub use regions::{
    leaf_regions, region_units, run_units, simulate_regions, units_named, RegionPrediction,
    RunPrediction,
};
pub use units::Units;

use crate::error::KernelError;
use crate::schedule::Schedule;

/// What a schedule pays, in the cost's unit, on top of the work itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overheads {
    /// Taking one piece from a shared counter (`dynamic`, `chunked`, `guided`).
    pub dispatch: u64,
    /// Spawning (and joining) one task with `join` (`forkjoin` leaf, `rayon`
    /// split).
    pub spawn: u64,
    /// Spawning one task into a FIFO scope (`depthfirst`).
    pub fifo_spawn: u64,
    /// One successful steal (`rayon`).
    pub steal: u64,
    /// Waking a parked worker: once a core, before its first piece.
    pub wake: u64,
}

/// Predicts `schedule` on `cores` virtual cores over `units`. Errors: zero
/// cores, a schedule with a zero parameter.
pub fn simulate(
    schedule: &Schedule,
    units: &Units,
    cores: usize,
    overheads: Overheads,
) -> Result<Prediction, KernelError> {
    if cores == 0 {
        return Err(KernelError::ZeroThreads);
    }
    schedule.validate()?;
    let n = units.len();
    let on_demand = |schedule: &Schedule, overhead: u64| {
        list::on_demand(
            units,
            &pieces(schedule, n, cores),
            cores,
            overhead,
            overheads.wake,
        )
    };
    let placed = match *schedule {
        Schedule::Serial | Schedule::Static => {
            list::on_core_order(units, &pieces(schedule, n, cores), overheads.wake)
        }
        Schedule::Dynamic | Schedule::Chunked { .. } | Schedule::Guided => {
            on_demand(schedule, overheads.dispatch)
        }
        Schedule::ForkJoin { .. } => on_demand(schedule, overheads.spawn),
        Schedule::DepthFirst { .. } => on_demand(schedule, overheads.fifo_spawn),
        Schedule::Rayon { basesize } => steal::rayon(units, cores, basesize, overheads),
    };
    Ok(Prediction::new(*schedule, cores, units.total(), placed))
}

/// The schedule's own pieces (every schedule but `rayon` has them).
fn pieces(schedule: &Schedule, n: usize, cores: usize) -> Vec<std::ops::Range<usize>> {
    schedule
        .pieces(n, cores)
        .expect("only rayon's pieces are not fixed in advance")
}
