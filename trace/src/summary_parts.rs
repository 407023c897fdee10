//! The metrics of a [`Summary`] worked out from what it is made of
//! ([`SummaryParts`]), one way for both paths that gather them: a trace in
//! memory ([`Trace::summary`]) and a big file read chunk by chunk
//! (`crate::pass`).

use crate::function_totals::FunctionSummary;
use crate::summary::{LaneSummary, Summary};
use crate::summary_cores::{core_load_balance, CoreBusy};
use crate::summary_processes::ProcessMetrics;
use crate::trace::Trace;

/// What a [`Summary`] is made of: gathered from a trace in memory by
/// [`Trace::summary`], or from a file chunk by chunk by the streaming pass
/// (`crate::pass`); [`SummaryParts::assemble`] works out the metrics from
/// it the same way for both.
pub(crate) struct SummaryParts {
    pub start_ns: u64,
    pub end_ns: u64,
    pub lanes: Vec<LaneSummary>,
    pub waited_lanes: usize,
    /// Each core's on-CPU busy time; empty unless known for all of it.
    pub core_busy: Vec<CoreBusy>,
    pub functions: Vec<FunctionSummary>,
    pub migrated_tasks: usize,
    pub processes: Option<ProcessMetrics>,
}

impl SummaryParts {
    /// The summary; `trace` gives the cores and the off-CPU status.
    pub(crate) fn assemble(self, trace: &Trace) -> Summary {
        let SummaryParts {
            start_ns,
            end_ns,
            lanes,
            waited_lanes,
            core_busy,
            functions,
            migrated_tasks,
            processes,
        } = self;
        let wall_ns = end_ns - start_ns;
        let scored: Vec<&LaneSummary> = lanes.iter().filter(|l| l.scored).collect();
        // The threads the metrics are about: the scored lanes.
        let threads = scored.len();
        let max_busy_ns = scored.iter().map(|l| l.busy_ns).max().unwrap_or(0);
        let sum_busy: f64 = scored.iter().map(|l| l.busy_ns as f64).sum();
        let mean_busy_ns = ratio(sum_busy, threads as f64, 0.0);
        let sum_on_cpu: f64 = scored.iter().map(|l| l.on_cpu_busy_ns as f64).sum();
        let max_on_cpu = scored.iter().map(|l| l.on_cpu_busy_ns).max().unwrap_or(0);
        let mean_on_cpu = ratio(sum_on_cpu, threads as f64, 0.0);
        // Against the cores only with on-CPU time: wall-clock busy time of
        // threads sharing cores would add up to more than the cores give.
        let usable_cores = match trace.cores {
            Some(cores) if trace.off_cpu.is_recorded() => threads.min(cores as usize),
            _ => threads,
        };
        Summary {
            start_ns,
            end_ns,
            wall_ns,
            lanes,
            mean_busy_ns,
            max_busy_ns,
            mean_on_cpu_busy_ns: mean_on_cpu,
            max_on_cpu_busy_ns: max_on_cpu,
            load_balance: ratio(mean_on_cpu, max_on_cpu as f64, 1.0),
            core_load_balance: core_load_balance(&core_busy, sum_on_cpu, usable_cores, wall_ns),
            core_busy,
            // Needs every lane's stretches at once: `Trace::summary` adds it.
            placement_loss_ns: None,
            waited_lanes,
            parallel_efficiency: ratio(sum_on_cpu, (usable_cores as u64 * wall_ns) as f64, 0.0),
            wall_load_balance: ratio(mean_busy_ns, max_busy_ns as f64, 1.0),
            wall_parallel_efficiency: ratio(mean_busy_ns, wall_ns as f64, 0.0),
            threads,
            cores: trace.cores,
            usable_cores,
            off_cpu: trace.off_cpu.clone(),
            imbalance_ns: max_on_cpu as f64 - mean_on_cpu,
            functions,
            migrated_tasks,
            scored_lanes: threads,
            processes,
        }
    }
}

/// `num / den`, or `if_zero` when `den` is zero.
pub(crate) fn ratio(num: f64, den: f64, if_zero: f64) -> f64 {
    if den == 0.0 {
        if_zero
    } else {
        num / den
    }
}
