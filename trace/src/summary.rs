//! `Trace::summary()`: the numbers that diagnose load imbalance.
//!
//! The *region* is the time from the first span's start to the last span's
//! end, over all lanes. A lane is *busy* while one of its top-level spans
//! (depth 0) runs, and *idle* for the rest of the region. From the per-lane
//! busy times come the POP metrics:
//!
//! - load balance = mean busy / max busy (1 is perfect; 0.5 means the busiest
//!   thread worked twice the average),
//! - parallel efficiency = mean busy / wall (the share of the threads' time
//!   spent working),
//! - max − mean busy: the wall time a perfect balance would save.
//!
//! Where the trace knows when its threads were off their CPUs
//! ([`Trace::off_cpu`]), a lane's *on-CPU busy* time is its busy time less
//! the time it was preempted or blocked inside its spans, and load balance
//! and parallel efficiency are computed from it; the wall-clock figures stay
//! beside them (`wall_load_balance`, `wall_parallel_efficiency`). Without
//! off-CPU records on-CPU busy is busy, and both sets agree. With them,
//! parallel efficiency is measured against the cores the run could use,
//! `min(threads, cores)`: sum of on-CPU busy / (that × wall).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::function_totals::{function_totals, FunctionSummary};
use crate::intervals::length;
use crate::offcpu::OffCpuStatus;
use crate::summary_cores::CoreBusy;
use crate::summary_cores::{core_busy, placement_loss_ns, waited_all_along, waited_for_core_ns};
use crate::summary_parts::{ratio, SummaryParts};
use crate::summary_processes::ProcessMetrics;
use crate::trace::{Lane, Trace};

/// Busy and idle time of one lane.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LaneSummary {
    /// Process id of the lane.
    pub pid: u32,
    /// Thread id of the lane.
    pub tid: u64,
    /// Thread name of the lane.
    pub thread_name: String,
    /// The name of the lane's process ("rank 1"), when the trace holds
    /// several processes; `None` otherwise.
    pub process: Option<String>,
    /// Number of spans on the lane, nested ones included.
    pub spans: usize,
    /// Time inside top-level spans, less the time waiting.
    pub busy_ns: u64,
    /// Time inside spans that wait ([`Trace::is_waiting`]: MPI calls, spans
    /// marked with `logprof::wait!` or `"cat":"wait"`): neither busy nor
    /// idle.
    pub waiting_ns: u64,
    /// Region wall time minus busy and waiting time.
    pub idle_ns: u64,
    /// busy / wall, from 0 to 1 (0 for an empty region).
    pub utilisation: f64,
    /// True when the lane counts in the load balance: in a logprof
    /// recording every lane (a worker that got no work is the worst
    /// imbalance there is); in another tool's file, a lane that did work
    /// (holds a span) and is not an aggregate lane (clang's `Total …`).
    pub scored: bool,
    /// Busy time less the time preempted or blocked while busy: the time
    /// the lane worked on a core (`busy_ns` without off-CPU records).
    pub on_cpu_busy_ns: u64,
    /// Busy time spent preempted (runnable, no core).
    pub preempted_ns: u64,
    /// Busy time spent blocked (asleep inside a span not marked waiting).
    pub blocked_ns: u64,
    /// Time outside top-level spans spent preempted while the lane still
    /// had work to come (before its last span ends; the whole region for a
    /// lane with none): runnable, waiting for a core, not idle by choice.
    /// Part of `idle_ns`.
    pub waited_for_core_ns: u64,
}

impl LaneSummary {
    /// How reports name the lane: `rank 1 / main` in a trace of several
    /// processes (the thread name alone when it names the process already:
    /// `rank 1`, `rank 1: worker`), else the thread name.
    pub fn label(&self) -> String {
        lane_label(&self.thread_name, self.process.as_deref())
    }
}

impl Trace {
    /// How reports name process `pid`: its name in
    /// [`Trace::process_names`], else `pid <pid>`.
    pub(crate) fn process_label(&self, pid: u32) -> String {
        self.process_names
            .get(&pid)
            .cloned()
            .unwrap_or_else(|| format!("pid {pid}"))
    }
}

/// How reports name a lane of thread `thread_name` in `process` (given when
/// the trace holds several): see [`LaneSummary::label`].
pub(crate) fn lane_label(thread_name: &str, process: Option<&str>) -> String {
    let names_process = |process: &str| {
        // `rank 1` or `rank 1: …`, not `rank 10`.
        thread_name
            .strip_prefix(process)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
    };
    match process {
        Some(process) if !names_process(process) => format!("{process} / {thread_name}"),
        _ => thread_name.to_owned(),
    }
}

/// The summary of a trace: per-lane busy and idle time, the region's wall
/// time and the POP load-balance metrics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Start of the region (earliest span start), in trace nanoseconds.
    pub start_ns: u64,
    /// End of the region (latest span end).
    pub end_ns: u64,
    /// `end_ns - start_ns`.
    pub wall_ns: u64,
    /// One entry per lane, in the trace's lane order.
    pub lanes: Vec<LaneSummary>,
    /// Mean of the lanes' busy time.
    pub mean_busy_ns: f64,
    /// Largest busy time of any lane.
    pub max_busy_ns: u64,
    /// Mean of the lanes' on-CPU busy time.
    pub mean_on_cpu_busy_ns: f64,
    /// Largest on-CPU busy time of any lane.
    pub max_on_cpu_busy_ns: u64,
    /// The split's balance: mean on-CPU busy / max on-CPU busy over the
    /// scored lanes; 1.0 when nothing is busy.
    pub load_balance: f64,
    /// The machine's balance: how evenly the run's work kept the cores busy,
    /// `min(1, (Σ on-CPU busy / usable_cores) / the busiest core's on-CPU
    /// busy)` from `core_busy`; without it, the lower bound
    /// `min(1, Σ on-CPU busy / (usable_cores × wall))`.
    pub core_load_balance: f64,
    /// Each core's share of the scored lanes' on-CPU busy time, busiest
    /// first; empty unless the trace records the core of every on-CPU
    /// stretch.
    pub core_busy: Vec<CoreBusy>,
    /// Core time (core × ns) during which a core ran none of the scored
    /// lanes' work while one of them, with work still to come, was runnable
    /// and waited for a core: the machine's loss (the OS's thread placement,
    /// or another program on that core), which no schedule causes. `None`
    /// when off-CPU time was not recorded, or the summary was made from a
    /// big file in one pass (it needs every lane's stretches at once).
    pub placement_loss_ns: Option<u64>,
    /// Scored lanes that did no work and hardly ever had a core (preempted
    /// half the region or more, on a CPU under 1 % of it): they may have
    /// waited for a core all along. Still counted in `load_balance`: the
    /// kernel's records cannot tell them from idle workers that yield as
    /// they spin on a busy machine.
    pub waited_lanes: usize,
    /// Sum of on-CPU busy / (min(threads, cores) × wall); 0.0 for an empty
    /// region.
    pub parallel_efficiency: f64,
    /// mean busy / max busy, from wall-clock busy time.
    pub wall_load_balance: f64,
    /// mean busy / wall, from wall-clock busy time.
    pub wall_parallel_efficiency: f64,
    /// The lanes (threads) of the trace.
    pub threads: usize,
    /// The cores the recording could run on, when the trace says.
    pub cores: Option<u32>,
    /// `min(threads, cores)`: what parallel efficiency is measured against;
    /// the threads when the cores are not known or off-CPU time was not
    /// recorded (wall-clock busy time of threads that share cores adds up
    /// to more than the cores give).
    pub usable_cores: usize,
    /// Whether off-CPU time was recorded (and so subtracted).
    pub off_cpu: OffCpuStatus,
    /// max on-CPU busy − mean on-CPU busy: what a perfect balance would save.
    pub imbalance_ns: f64,
    /// Per-name totals, the largest total first.
    pub functions: Vec<FunctionSummary>,
    /// Number of tasks (spans with an identity) that ran on more than one
    /// thread.
    pub migrated_tasks: usize,
    /// How many lanes count in the load balance (see
    /// [`LaneSummary::scored`]); 0 for a trace with no spans, whose metrics
    /// mean nothing.
    pub scored_lanes: usize,
    /// POP's process-level metrics, when the trace holds several processes
    /// (the ranks of a merged MPI trace).
    pub processes: Option<ProcessMetrics>,
}

impl Summary {
    /// How many processes the lanes belong to (the ranks of a merged MPI
    /// trace; 1 for a single process's recording).
    pub fn process_count(&self) -> usize {
        let pids: BTreeSet<u32> = self.lanes.iter().map(|l| l.pid).collect();
        pids.len()
    }

    /// What shares the cores, when the cores are known: "5 threads on 2
    /// cores", "1 core" in the singular, and for lanes of several processes
    /// "4 threads of 4 processes on 2 cores" (the cores of all of them).
    pub fn threads_on_cores(&self) -> Option<String> {
        let cores = self.cores?;
        let processes = match self.process_count() {
            0 | 1 => String::new(),
            n => format!(" of {n} processes"),
        };
        Some(format!(
            "{} thread{}{processes} on {cores} core{}",
            self.threads,
            if self.threads == 1 { "" } else { "s" },
            if cores == 1 { "" } else { "s" },
        ))
    }

    /// Who takes turns on the cores when the threads outnumber them: "the
    /// processes" when the lanes belong to several, else "the threads".
    pub fn who_time_shares(&self) -> &'static str {
        match self.process_count() {
            0 | 1 => "the threads",
            _ => "the processes",
        }
    }
}

/// True when a lane holds only aggregates written as spans: clang
/// `-ftime-trace` puts each `Total <phase>` sum on a lane of its own.
pub(crate) fn is_aggregate_lane(trace: &Trace, lane: &Lane) -> bool {
    !lane.spans.is_empty()
        && lane
            .spans
            .iter()
            .all(|s| s.depth == 0 && trace.name(s.name).starts_with("Total "))
}

impl Trace {
    /// Busy and idle time per lane, the region's wall time and the POP
    /// metrics. In a logprof recording every lane counts, empty ones too: a
    /// thread of the pool that got no work is the worst imbalance there is.
    /// In another tool's file the metrics score the lanes that did work: a
    /// lane that holds only a name (or only aggregates, as clang's `Total …`
    /// lanes) is listed but not scored. A trace with no spans scores none.
    pub fn summary(&self) -> Summary {
        let (start_ns, end_ns) = self.time_range().unwrap_or((0, 0));
        let wall_ns = end_ns - start_ns;
        let any_span = !self.is_empty();
        let several_processes = self.lanes.iter().any(|l| l.pid != self.lanes[0].pid);
        let lanes: Vec<LaneSummary> = self
            .lanes
            .iter()
            .map(|lane| {
                let work = self.work_intervals(lane);
                let busy = length(work.clone());
                let waiting_ns = length(self.waiting_intervals(lane));
                let (preempted_ns, blocked_ns) = lane.off_cpu_inside(&work);
                LaneSummary {
                    pid: lane.pid,
                    tid: lane.tid,
                    thread_name: lane.thread_name.clone(),
                    process: several_processes.then(|| self.process_label(lane.pid)),
                    spans: lane.spans.len(),
                    busy_ns: busy,
                    waiting_ns,
                    idle_ns: wall_ns.saturating_sub(busy + waiting_ns),
                    utilisation: ratio(busy as f64, wall_ns as f64, 0.0),
                    scored: any_span
                        && (!self.repairs.from_other_tool
                            || (!lane.spans.is_empty() && !is_aggregate_lane(self, lane))),
                    on_cpu_busy_ns: busy.saturating_sub(preempted_ns + blocked_ns),
                    preempted_ns,
                    blocked_ns,
                    waited_for_core_ns: waited_for_core_ns(lane, start_ns, end_ns),
                }
            })
            .collect();
        // Told, not left out of the balance: the kernel cannot tell such a
        // lane from an idle worker spinning on a busy machine (see
        // `waited_all_along`).
        let waited_lanes = self
            .lanes
            .iter()
            .zip(&lanes)
            .filter(|(lane, s)| s.scored && waited_all_along(lane, start_ns, end_ns))
            .count();
        let scored_work: Vec<(&Lane, Vec<(u64, u64)>)> = self
            .lanes
            .iter()
            .zip(&lanes)
            .filter(|(_, s)| s.scored)
            .map(|(lane, _)| (lane, self.work_intervals(lane)))
            .collect();
        let core_busy = core_busy(scored_work.iter().map(|(l, w)| (*l, w.as_slice())))
            .filter(|_| self.off_cpu.is_recorded())
            .unwrap_or_default();

        let mut threads_of_task: HashMap<u64, BTreeSet<(u32, u64)>> = HashMap::new();
        for lane in &self.lanes {
            for span in &lane.spans {
                if let Some(task) = span.task {
                    threads_of_task
                        .entry(task)
                        .or_default()
                        .insert((lane.pid, lane.tid));
                }
            }
        }
        let mut summary = SummaryParts {
            start_ns,
            end_ns,
            lanes,
            waited_lanes,
            core_busy,
            functions: function_totals(self),
            migrated_tasks: threads_of_task.values().filter(|t| t.len() > 1).count(),
            processes: several_processes.then(|| self.process_metrics()).flatten(),
        }
        .assemble(self);
        if self.off_cpu.is_recorded() {
            let lanes = scored_work.iter().map(|(l, w)| (*l, w.as_slice()));
            summary.placement_loss_ns = Some(placement_loss_ns(lanes, summary.usable_cores));
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Lane, Span};

    #[test]
    fn a_lane_label_names_the_process_once() {
        let mut trace = Trace {
            names: vec!["work".into()],
            lanes: ["main", "rank 1", "rank 1: worker", "rank 10"]
                .into_iter()
                .enumerate()
                .map(|(tid, name)| Lane::with_spans(1, tid as u64, name, [Span::new(0, 0, 10, 0)]))
                .chain([Lane::with_spans(2, 0, "main", [Span::new(0, 0, 10, 0)])])
                .collect(),
            ..Trace::default()
        };
        trace.process_names.insert(1, "rank 1".into());
        let labels: Vec<String> = trace.summary().lanes.iter().map(|l| l.label()).collect();
        assert_eq!(
            labels,
            [
                "rank 1 / main",
                "rank 1",
                "rank 1: worker",
                "rank 1 / rank 10",
                "pid 2 / main"
            ]
        );
    }

    #[test]
    fn the_threads_on_the_cores_say_whose_they_are() {
        let lane = |pid, tid| Lane::with_spans(pid, tid, "main", [Span::new(0, 0, 10, 0)]);
        let mut trace = Trace {
            names: vec!["work".into()],
            lanes: vec![lane(0, 1), lane(0, 2)],
            cores: Some(2),
            ..Trace::default()
        };
        let summary = trace.summary();
        assert_eq!(summary.process_count(), 1);
        assert_eq!(summary.threads_on_cores().unwrap(), "2 threads on 2 cores");
        assert_eq!(summary.who_time_shares(), "the threads");
        // A merged trace of two ranks on one core.
        trace.lanes[1].pid = 1;
        trace.cores = Some(1);
        let summary = trace.summary();
        assert_eq!(summary.process_count(), 2);
        let text = summary.threads_on_cores().unwrap();
        assert_eq!(text, "2 threads of 2 processes on 1 core");
        assert_eq!(summary.who_time_shares(), "the processes");
        trace.cores = None;
        assert_eq!(trace.summary().threads_on_cores(), None);
    }

    #[test]
    fn static_like_imbalance() {
        let mut trace = Trace::new();
        let col = trace.intern("column");
        let inner = trace.intern("pixel");
        let a = Lane::with_spans(
            1,
            1,
            "a",
            [Span::new(col, 0, 100, 0), Span::new(inner, 10, 20, 1)],
        );
        let b = Lane::with_spans(
            1,
            2,
            "b",
            [Span::new(col, 0, 25, 0), Span::new(col, 25, 50, 0)],
        );
        trace.lanes = vec![a, b];
        let s = trace.summary();
        assert_eq!(s.wall_ns, 100);
        assert_eq!(s.lanes[0].busy_ns, 100);
        assert_eq!(s.lanes[1].busy_ns, 50);
        assert_eq!(s.lanes[1].idle_ns, 50);
        assert_eq!(s.mean_busy_ns, 75.0);
        assert_eq!(s.load_balance, 0.75);
        assert_eq!(s.parallel_efficiency, 0.75);
        assert_eq!(s.imbalance_ns, 25.0);
        assert_eq!(s.functions[0].name, "column");
        assert_eq!(s.functions[0].calls, 3);
        assert_eq!(s.functions[0].total_ns, 150);
    }

    /// Every number worked out by hand, on a fixture where each definition
    /// and its look-alikes differ: the region starts late (at 1000, so
    /// `end` is not `wall`), the wall (128) is twice the largest busy time
    /// (64), lanes idle before, between and after their spans, and an
    /// empty lane counts in the mean. Powers of two keep every ratio exact
    /// in `f64`, so the values are asserted with `==`.
    #[test]
    fn metrics_by_hand_where_wall_exceeds_the_busiest_lane() {
        let mut trace = Trace::new();
        let col = trace.intern("column");
        let px = trace.intern("pixel");
        // a: busy 1016..1080 = 64; the nested pixel adds nothing.
        let a = Lane::with_spans(
            1,
            1,
            "a",
            [Span::new(col, 1016, 1080, 0), Span::new(px, 1020, 1040, 1)],
        );
        // b: busy 1000..1020 and 1040..1068 = 20 + 28 = 48.
        let b = Lane::with_spans(
            1,
            2,
            "b",
            [Span::new(col, 1000, 1020, 0), Span::new(col, 1040, 1068, 0)],
        );
        // c: idle until 1096, then busy to the region's end: 32.
        let c = Lane::with_spans(1, 3, "c", [Span::new(col, 1096, 1128, 0)]);
        // d: a thread that got no work: busy 0.
        let d = Lane::new(1, 4, "d");
        trace.lanes = vec![a, b, c, d];
        let s = trace.summary();

        // Region: first start 1000 (b), last end 1128 (c): wall 128.
        assert_eq!((s.start_ns, s.end_ns, s.wall_ns), (1000, 1128, 128));
        // Per lane, busy; idle = 128 - busy; utilisation = busy / 128
        // (busy / max would give 1, 0.75, 0.5, 0).
        let per_lane: Vec<(u64, u64, f64)> = s
            .lanes
            .iter()
            .map(|l| (l.busy_ns, l.idle_ns, l.utilisation))
            .collect();
        assert_eq!(
            per_lane,
            [
                (64, 64, 0.5),
                (48, 80, 0.375),
                (32, 96, 0.25),
                (0, 128, 0.0)
            ]
        );
        // mean = (64 + 48 + 32 + 0) / 4 = 144 / 4 = 36 (48 without the
        // empty lane); max = 64.
        assert_eq!(s.mean_busy_ns, 36.0);
        assert_eq!(s.max_busy_ns, 64);
        // load balance = mean / max = 36 / 64 = 0.5625
        // (mean / wall would be 0.28125; 48 / 64 = 0.75 without lane d).
        assert_eq!(s.load_balance, 0.5625);
        // parallel efficiency = mean / wall = 36 / 128 = 0.28125
        // (mean / max would be 0.5625; mean / end 36 / 1128 = 0.0319...).
        assert_eq!(s.parallel_efficiency, 0.28125);
        // imbalance = max - mean = 64 - 36 = 28.
        assert_eq!(s.imbalance_ns, 28.0);
        // column: 64 + 20 + 28 + 32 = 144 in 4 calls; pixel: 20 in 1.
        let functions: Vec<(&str, u64, u64)> = s
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.calls, f.total_ns))
            .collect();
        assert_eq!(functions, [("column", 4, 144), ("pixel", 1, 20)]);
    }

    #[test]
    fn overlapping_top_level_spans_count_once() {
        let mut trace = Trace::new();
        let f = trace.intern("f");
        let spans = [
            Span::new(f, 0, 60, 0),
            Span::new(f, 40, 100, 0),
            Span::new(f, 200, 210, 0),
        ];
        let a = Lane::with_spans(1, 1, "a", spans);
        trace.lanes = vec![a];
        assert_eq!(trace.summary().lanes[0].busy_ns, 110);
        assert_eq!(trace.lanes[0].busy_intervals(), vec![(0, 100), (200, 210)]);
    }

    #[test]
    fn empty_trace_is_balanced_and_idle() {
        let s = Trace::new().summary();
        assert_eq!(s.wall_ns, 0);
        assert_eq!(s.load_balance, 1.0);
        assert_eq!(s.parallel_efficiency, 0.0);
        assert!(s.lanes.is_empty());
    }

    #[test]
    fn migrated_tasks_are_counted() {
        let mut trace = Trace::new();
        let f = trace.intern("task");
        let a = Lane::with_spans(
            1,
            1,
            "a",
            [
                Span::new(f, 0, 10, 0).in_task(7),
                Span::new(f, 10, 20, 0).in_task(8),
            ],
        );
        let b = Lane::with_spans(1, 2, "b", [Span::new(f, 30, 40, 0).in_task(7)]);
        trace.lanes = vec![a, b];
        assert_eq!(trace.summary().migrated_tasks, 1);
        assert_eq!(trace.tasks()[&7], vec![(0, 0), (1, 0)]);
    }
}
