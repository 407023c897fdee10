//! List schedules: pieces on fixed cores, or each to the core that frees up
//! first.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;

use super::prediction::Placed;
use super::units::Units;

/// Piece `t` on core `t`, each core from time 0, each piece after `wake`
/// (its core was parked). Empty pieces are skipped.
pub(super) fn on_core_order(units: &Units, pieces: &[Range<usize>], wake: u64) -> Vec<Placed> {
    pieces
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .map(|(core, r)| {
            Placed::with_overhead(core, wake, wake, wake + units.range_cost(r), r.clone())
        })
        .collect()
}

/// The pieces in order, each to the core that frees up first (the lowest
/// index on a tie), after `overhead`, and after `wake` too for a core's
/// first piece (it was parked). Empty pieces are skipped.
pub(super) fn on_demand(
    units: &Units,
    pieces: &[Range<usize>],
    cores: usize,
    overhead: u64,
    wake: u64,
) -> Vec<Placed> {
    let mut free: BinaryHeap<Reverse<(u64, usize)>> = (0..cores).map(|c| Reverse((0, c))).collect();
    let mut woken = vec![false; cores];
    let mut placed = Vec::with_capacity(pieces.len());
    for r in pieces.iter().filter(|r| !r.is_empty()) {
        let Reverse((at, core)) = free.pop().expect("at least one core");
        let overhead = if std::mem::replace(&mut woken[core], true) {
            overhead
        } else {
            overhead + wake
        };
        let start = at + overhead;
        let end = start + units.range_cost(r);
        placed.push(Placed::with_overhead(core, overhead, start, end, r.clone()));
        free.push(Reverse((end, core)));
    }
    placed
}
