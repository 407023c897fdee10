//! Waiting is not work: time a lane spent inside an MPI call or a span
//! marked as waiting (a lock, a channel receive, a join) is neither busy
//! nor idle. The summary, the regions and the pictures all take a lane's
//! work from here, so they agree on it.

use crate::intervals::{minus, union};
use crate::trace::{Lane, NameId, Span, Trace};

impl Trace {
    /// True when time in `span` is waiting rather than work: an MPI call
    /// (category `mpi`, or a name starting `MPI_` as other MPI tools write
    /// them) or a span whose name is marked as waiting
    /// ([`Trace::wait_names`]).
    pub fn is_waiting(&self, span: &Span) -> bool {
        span.mpi.is_some() || self.name_waits(span.name)
    }

    /// True when every span named `name` waits: a name marked as waiting,
    /// or an MPI call's name (`MPI_Recv`). A span can wait under another
    /// name too, by its MPI data ([`Trace::is_waiting`]).
    pub fn name_waits(&self, name: NameId) -> bool {
        self.is_wait(name) || self.name(name).starts_with("MPI_")
    }

    /// When `lane` waited: the union of its waiting spans (any depth), as
    /// sorted, disjoint intervals.
    pub fn waiting_intervals(&self, lane: &Lane) -> Vec<(u64, u64)> {
        union(
            lane.spans
                .iter()
                .filter(|s| self.is_waiting(s))
                .map(|s| (s.start_ns, s.end_ns))
                .collect(),
        )
    }

    /// When `lane` worked: its busy intervals ([`Lane::busy_intervals`])
    /// less the time it waited ([`Trace::waiting_intervals`]).
    pub fn work_intervals(&self, lane: &Lane) -> Vec<(u64, u64)> {
        let busy = lane.busy_intervals();
        if !lane.spans.iter().any(|s| self.is_waiting(s)) {
            return busy;
        }
        minus(&busy, &self.waiting_intervals(lane))
    }
}

#[cfg(test)]
mod tests {
    use crate::trace::{Lane, Span, Trace};

    #[test]
    fn waiting_spans_are_cut_out_of_work_at_any_depth() {
        let mut trace = Trace::new();
        let (step, lock, compute) = (
            trace.intern("step"),
            trace.intern("lock"),
            trace.intern("c"),
        );
        trace.mark_wait(lock);
        let spans = [
            Span::new(step, 0, 100, 0),
            Span::new(lock, 10, 30, 1),
            Span::new(compute, 30, 100, 1),
            Span::new(lock, 200, 250, 0),
        ];
        trace.lanes.push(Lane::with_spans(1, 1, "w", spans));
        let lane = &trace.lanes[0];
        assert_eq!(trace.waiting_intervals(lane), [(10, 30), (200, 250)]);
        assert_eq!(trace.work_intervals(lane), [(0, 10), (30, 100)]);
        assert!(!trace.is_waiting(&lane.spans[0]));
    }

    #[test]
    fn mpi_names_wait_without_a_mark() {
        let mut trace = Trace::new();
        let recv = trace.intern("MPI_Recv");
        let span = Span::new(recv, 0, 5, 0);
        assert!(trace.is_waiting(&span));
    }
}
