//! What a simulation predicts: where every piece ran, and the measures.

use std::ops::Range;

use crate::schedule::Schedule;

/// One piece of work as the model placed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The virtual core it ran on.
    pub core: usize,
    /// Overhead paid on the core just before `start` (dispatch, spawn, steal).
    pub overhead: u64,
    /// When its work started.
    pub start: u64,
    /// When its work ended: `start` + its cost.
    pub end: u64,
    /// The units it covered.
    pub range: Range<usize>,
}

impl Placed {
    /// A piece whose `overhead` was paid before `start`.
    pub(super) fn with_overhead(
        core: usize,
        overhead: u64,
        start: u64,
        end: u64,
        range: Range<usize>,
    ) -> Placed {
        Placed {
            core,
            overhead,
            start,
            end,
            range,
        }
    }
}

/// What one schedule is predicted to do on `cores` virtual cores.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The schedule simulated.
    pub schedule: Schedule,
    /// Virtual cores.
    pub cores: usize,
    /// The serial time: the cost of all units, no overhead.
    pub serial: u64,
    /// The predicted wall time: when the last piece ends.
    pub wall: u64,
    /// Busy time per core (work and overheads), `cores` entries.
    pub busy: Vec<u64>,
    /// Every piece, in the order the model placed them.
    pub pieces: Vec<Placed>,
}

impl Prediction {
    /// The measures of `pieces` on `cores` cores.
    pub(super) fn new(
        schedule: Schedule,
        cores: usize,
        serial: u64,
        pieces: Vec<Placed>,
    ) -> Prediction {
        let mut busy = vec![0u64; cores];
        let mut wall = 0;
        for p in &pieces {
            busy[p.core] += p.overhead + (p.end - p.start);
            wall = wall.max(p.end);
        }
        Prediction {
            schedule,
            cores,
            serial,
            wall,
            busy,
            pieces,
        }
    }

    /// Mean busy time over the largest (1 when nothing ran).
    pub fn load_balance(&self) -> f64 {
        let max = self.busy.iter().copied().max().unwrap_or(0);
        if max == 0 {
            return 1.0;
        }
        let mean = self.busy.iter().sum::<u64>() as f64 / self.busy.len() as f64;
        mean / max as f64
    }

    /// Serial time over `cores × wall` (1 when nothing ran).
    pub fn efficiency(&self) -> f64 {
        if self.wall == 0 {
            return 1.0;
        }
        self.serial as f64 / (self.cores as f64 * self.wall as f64)
    }

    /// Serial time over the predicted wall time (1 when nothing ran).
    pub fn speedup(&self) -> f64 {
        if self.wall == 0 {
            return 1.0;
        }
        self.serial as f64 / self.wall as f64
    }

    /// The largest piece's cost: Graham's bound for a greedy schedule is
    /// `work / cores + largest piece + overheads`.
    pub fn largest_piece(&self) -> u64 {
        self.pieces
            .iter()
            .map(|p| p.end - p.start)
            .max()
            .unwrap_or(0)
    }

    /// All overheads paid, on every core.
    pub fn overhead(&self) -> u64 {
        self.pieces.iter().map(|p| p.overhead).sum()
    }
}

impl Prediction {
    /// The prediction as a trace a timeline draws: a lane `core-i` per
    /// virtual core, one span `unit_name` per unit, the units of a piece one
    /// after the other from its start, each carrying its index as its value.
    /// Times are the cost's unit read as nanoseconds; the process is named
    /// "simulated SCHEDULE on P cores".
    pub fn to_trace(&self, units: &super::Units, unit_name: &str) -> logprof::Trace {
        let mut trace = logprof::Trace::new();
        let name = trace.intern(unit_name);
        let mut spans: Vec<Vec<logprof::Span>> = vec![Vec::new(); self.cores];
        for p in &self.pieces {
            let mut at = p.start;
            for i in p.range.clone() {
                let end = at + units.cost(i);
                let value = i64::try_from(i).unwrap_or(i64::MAX);
                spans[p.core].push(logprof::Span::new(name, at, end, 0).with_value(value));
                at = end;
            }
        }
        trace.lanes = spans
            .into_iter()
            .enumerate()
            .map(|(core, s)| logprof::Lane::with_spans(1, core as u64, format!("core-{core}"), s))
            .collect();
        trace.process_name = Some(format!(
            "simulated {} on {} cores",
            self.schedule, self.cores
        ));
        trace.cores = u32::try_from(self.cores).ok();
        trace
    }
}
