//! The flows a Perfetto trace draws as arrows between slices: a task that
//! moves to another thread, and a message from one rank to another.
//!
//! Each arrow has a flow id of its own, set in `flow_ids` of the slice it
//! leaves and in `terminating_flow_ids` of the slice it arrives at, so no
//! id chains more than two slices.

use std::collections::HashMap;

use crate::message::SpanAt;
use crate::trace::Trace;

/// The flow ids that leave from and arrive at one span.
#[derive(Default)]
pub(super) struct FlowEnds {
    pub leaves: Vec<u64>,
    pub arrives: Vec<u64>,
}

/// Every span that a flow leaves or arrives at, numbering the flows from 1:
/// the task hops first, then the messages.
pub(super) fn flow_ends(trace: &Trace) -> HashMap<SpanAt, FlowEnds> {
    let mut ends: HashMap<SpanAt, FlowEnds> = HashMap::new();
    let mut next = 0u64;
    let mut arrow = |from: SpanAt, to: SpanAt| {
        next += 1;
        ends.entry(from).or_default().leaves.push(next);
        ends.entry(to).or_default().arrives.push(next);
    };
    for slices in trace.tasks().values() {
        for pair in slices.windows(2) {
            let (a, b) = (&trace.lanes[pair[0].0], &trace.lanes[pair[1].0]);
            if (a.pid, a.tid) != (b.pid, b.tid) {
                arrow(pair[0], pair[1]);
            }
        }
    }
    for flow in trace.messages().flows {
        arrow(flow.send, flow.receive);
    }
    ends
}
