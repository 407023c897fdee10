//! Which busy time a panel's figures measure, decided once so the header,
//! the busy column, the busy-threads strip and the legend all say the same
//! and give the numbers `logprof report` and the summary give: on-CPU busy
//! time when the trace recorded its off-CPU time (as the summary's load
//! balance and parallel efficiency then are), else wall-clock busy time.

use logprof_trace::{OffCpu, Summary};

/// The kind of busy time of `summary`'s figures, as every label says it.
pub(super) fn kind(summary: &Summary) -> &'static str {
    if summary.off_cpu.is_recorded() {
        "on-CPU"
    } else {
        "wall-clock"
    }
}

/// Lane `li`'s busy time of that kind over the region's wall time (0 for an
/// empty region): its busy column.
pub(super) fn lane_share(summary: &Summary, li: usize) -> f64 {
    let lane = &summary.lanes[li];
    let busy = if summary.off_cpu.is_recorded() {
        lane.on_cpu_busy_ns
    } else {
        lane.busy_ns
    };
    if summary.wall_ns == 0 {
        0.0
    } else {
        busy as f64 / summary.wall_ns as f64
    }
}

/// The mean number of busy threads over the region, of that kind: the
/// strip's average (sum of busy ÷ wall).
pub(super) fn mean_threads(summary: &Summary) -> f64 {
    let mean = if summary.off_cpu.is_recorded() {
        summary.mean_on_cpu_busy_ns
    } else {
        summary.mean_busy_ns
    };
    mean * summary.lanes.len() as f64 / summary.wall_ns.max(1) as f64
}

/// The stretches of `busy` (a lane's top-level spans, sorted and disjoint)
/// it spent on a core: without its off-CPU stretches `off` (sorted and
/// disjoint, as recorded), the strip's input when the summary is on-CPU.
pub(super) fn on_cpu(busy: &[(u64, u64)], off: &[OffCpu]) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(busy.len());
    for &(start, end) in busy {
        let mut from = start;
        let first = off.partition_point(|o| o.end_ns <= start);
        for o in off[first..].iter().take_while(|o| o.start_ns < end) {
            if o.start_ns > from {
                out.push((from, o.start_ns));
            }
            from = from.max(o.end_ns);
        }
        if from < end {
            out.push((from, end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use logprof_trace::OffCpuKind;

    fn off(start_ns: u64, end_ns: u64) -> OffCpu {
        OffCpu::new(start_ns, end_ns, OffCpuKind::Preempted)
    }

    #[test]
    fn off_cpu_stretches_are_cut_out_of_the_busy_ones() {
        let busy = [(0, 100), (200, 300)];
        assert_eq!(on_cpu(&busy, &[]), busy);
        // One stretch inside, one across the gap, one past the end.
        let switched = [off(10, 20), off(90, 210), off(290, 400)];
        assert_eq!(on_cpu(&busy, &switched), [(0, 10), (20, 90), (210, 290)]);
        // Wholly off-CPU.
        assert!(on_cpu(&[(5, 6)], &[off(0, 10)]).is_empty());
    }
}
