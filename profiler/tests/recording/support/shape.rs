//! Helpers shared by the tests that compare lanes span by span.

use logprof::{Lane, Trace};

/// The lane's spans as `(name, depth)`, in order: its nesting at a glance.
pub fn shape<'a>(trace: &'a Trace, lane: &Lane) -> Vec<(&'a str, u32)> {
    lane.spans
        .iter()
        .map(|s| (trace.name(s.name), s.depth))
        .collect()
}
