//! The units of work a simulation replays, with their costs.

use std::ops::Range;

/// Independent units of work in order, each with a cost (nanoseconds, or any
/// other unit: iterations), and prefix sums for the cost of a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Units {
    /// `prefix[i]` = total cost of units `0..i`.
    prefix: Vec<u64>,
}

impl Units {
    /// Units with these costs, in order.
    pub fn new(costs: &[u64]) -> Units {
        let mut prefix = Vec::with_capacity(costs.len() + 1);
        let mut sum = 0u64;
        prefix.push(0);
        for &c in costs {
            sum = sum.saturating_add(c);
            prefix.push(sum);
        }
        Units { prefix }
    }

    /// How many units.
    pub fn len(&self) -> usize {
        self.prefix.len() - 1
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cost of unit `i`.
    pub fn cost(&self, i: usize) -> u64 {
        self.prefix[i + 1] - self.prefix[i]
    }

    /// The cost of the units in `range`.
    pub fn range_cost(&self, range: &Range<usize>) -> u64 {
        self.prefix[range.end] - self.prefix[range.start]
    }

    /// The cost of all units: the serial time.
    pub fn total(&self) -> u64 {
        *self.prefix.last().expect("prefix starts with 0")
    }

    /// The largest cost of one unit.
    pub fn largest(&self) -> u64 {
        (0..self.len()).map(|i| self.cost(i)).max().unwrap_or(0)
    }
}

impl Units {
    /// The units of another run's trace: its top-level spans (depth 0) on
    /// every lane, in start order (ties by lane), each costing its
    /// duration in nanoseconds. Assumes what the model assumes: independent
    /// units, no dependencies between them.
    pub fn from_trace(trace: &logprof::Trace) -> Units {
        let mut spans: Vec<(u64, usize, u64)> = trace
            .lanes
            .iter()
            .enumerate()
            .flat_map(|(lane, l)| {
                l.spans
                    .iter()
                    .filter(|s| s.depth == 0)
                    .map(move |s| (s.start_ns, lane, s.duration_ns()))
            })
            .collect();
        spans.sort_unstable();
        let costs: Vec<u64> = spans.iter().map(|&(_, _, cost)| cost).collect();
        Units::new(&costs)
    }
}
