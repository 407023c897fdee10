//! POP's process-level metrics, for a trace of several processes (the
//! ranks of a merged MPI trace): how much of the run each process computed
//! rather than communicated, and how evenly.
//!
//! A process's *busy* time is the time during which at least one of its
//! lanes is inside a top-level span (depth 0); its *MPI* time the time
//! during which at least one of its lanes is inside an MPI call, waiting
//! included: a span of category `mpi` (carrying an
//! [`MpiCall`](crate::MpiCall)) or named with the prefix the MPI standard
//! keeps for its calls, `MPI_` (`MPI_Barrier`, `MPI_Win_fence`: they wait
//! for the other ranks as a receive does). Its *useful* time is the time during
//! which at least one of its lanes is busy and not inside MPI on that same
//! lane: computation. For a process of one thread, useful = busy − MPI.
//! With the region's wall time (first span start to last span end, over
//! every process):
//!
//! - communication efficiency = max useful / wall (1 when the busiest
//!   process never waited for or moved a message and ran the whole run);
//! - load balance = mean useful / max useful over the processes (1 when all
//!   computed equally long).
//!
//! A process whose threads share cores with others' still counts its
//! wall-clock time: under `mpirun --oversubscribe` useful time includes
//! time the rank waited for a core.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::intervals::{length, minus, union};
use crate::trace::{Lane, Trace};

/// Busy, MPI and useful time of one process.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessSummary {
    /// The process id (the rank, in a merged MPI trace).
    pub pid: u32,
    /// The process name ("rank 2"), or `pid <pid>` when the trace has none.
    pub name: String,
    /// How many lanes (threads) the process has.
    pub lanes: usize,
    /// Time any of its lanes is inside a top-level span.
    pub busy_ns: u64,
    /// Time any of its lanes is inside an MPI call: a span of category
    /// `mpi` or named `MPI_…`.
    pub mpi_ns: u64,
    /// Time any of its lanes is busy and, on that lane, not in MPI.
    pub useful_ns: u64,
}

/// The process-level POP metrics of a trace. A process's *useful* time is
/// the time during which one of its lanes is inside a top-level span and,
/// on that lane, not inside an MPI call, waiting included (a span of
/// category `mpi`, [`Span::mpi`], or named `MPI_…`); communication efficiency =
/// max useful / wall, load balance = mean useful / max useful. Wall-clock
/// time: under `mpirun --oversubscribe` useful time includes time a rank
/// waited for a core.
///
/// [`Span::mpi`]: crate::Span::mpi
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessMetrics {
    /// One entry per process, by pid.
    pub processes: Vec<ProcessSummary>,
    /// The region's wall time: first span start to last span end.
    pub wall_ns: u64,
    /// Largest useful time of any process.
    pub max_useful_ns: u64,
    /// Mean useful time over the processes.
    pub mean_useful_ns: f64,
    /// max useful / wall; 0 for an empty region.
    pub communication_efficiency: f64,
    /// mean useful / max useful; 1 when nothing is useful.
    pub load_balance: f64,
    /// Messages whose send and receive are both in the trace.
    pub messages: usize,
    /// Message ends whose other end is not in the trace.
    pub unmatched_message_ends: usize,
}

impl Trace {
    /// The process-level POP metrics, every pid a process; `None` for a
    /// trace without spans. [`Trace::summary`] has them when the trace
    /// holds several processes.
    pub fn process_metrics(&self) -> Option<ProcessMetrics> {
        let (start, end) = self.time_range()?;
        let mut by_pid: BTreeMap<u32, Vec<&Lane>> = BTreeMap::new();
        for lane in &self.lanes {
            by_pid.entry(lane.pid).or_default().push(lane);
        }
        let processes: Vec<ProcessSummary> = by_pid
            .into_iter()
            .map(|(pid, lanes)| {
                let (mut busy, mut mpi, mut useful) = (Vec::new(), Vec::new(), Vec::new());
                for lane in &lanes {
                    let (lane_busy, lane_mpi) = (lane.busy_intervals(), mpi_intervals(self, lane));
                    // Useful: busy and not waiting, in MPI or elsewhere.
                    useful.extend(minus(&lane_busy, &self.waiting_intervals(lane)));
                    busy.extend(lane_busy);
                    mpi.extend(lane_mpi);
                }
                ProcessSummary {
                    pid,
                    name: self
                        .process_names
                        .get(&pid)
                        .cloned()
                        .unwrap_or_else(|| format!("pid {pid}")),
                    lanes: lanes.len(),
                    busy_ns: length(union(busy)),
                    mpi_ns: length(union(mpi)),
                    useful_ns: length(union(useful)),
                }
            })
            .collect();
        let wall_ns = end - start;
        let max = processes.iter().map(|p| p.useful_ns).max().unwrap_or(0);
        let sum: u64 = processes.iter().map(|p| p.useful_ns).sum();
        let mean = sum as f64 / processes.len() as f64;
        let messages = self.messages();
        Some(ProcessMetrics {
            wall_ns,
            max_useful_ns: max,
            mean_useful_ns: mean,
            communication_efficiency: if wall_ns == 0 {
                0.0
            } else {
                max as f64 / wall_ns as f64
            },
            load_balance: if max == 0 { 1.0 } else { mean / max as f64 },
            messages: messages.flows.len(),
            unmatched_message_ends: messages.unmatched,
            processes,
        })
    }
}

/// The lane's MPI calls (spans of category `mpi` or named `MPI_…`), as
/// sorted disjoint intervals.
fn mpi_intervals(trace: &Trace, lane: &Lane) -> Vec<(u64, u64)> {
    let spans = lane
        .spans
        .iter()
        .filter(|s| s.mpi.is_some() || trace.name(s.name).starts_with("MPI_"));
    union(spans.map(|s| (s.start_ns, s.end_ns)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{MessageSide, MpiCall};
    use crate::trace::Span;

    fn mpi(start: u64, end: u64, side: MessageSide, peer: u32) -> Span {
        Span {
            mpi: Some(Box::new(MpiCall {
                side,
                peer,
                tag: 0,
                seq: 0,
                bytes: 4,
            })),
            ..Span::new(1, start, end, 1)
        }
    }

    #[test]
    fn every_mpi_call_is_mpi_time_not_only_messages() {
        // Rank 0 waits 40 of its 100 in a barrier and 10 in a fence, spans
        // that carry no message but are MPI calls all the same.
        let trace = Trace {
            names: vec!["work".into(), "MPI_Barrier".into(), "MPI_Win_fence".into()],
            lanes: vec![
                Lane::with_spans(
                    0,
                    1,
                    "main",
                    [
                        Span::new(0, 0, 100, 0),
                        Span::new(1, 0, 40, 1),
                        Span::new(2, 90, 100, 1),
                    ],
                ),
                Lane::with_spans(1, 1, "main", [Span::new(0, 40, 100, 0)]),
            ],
            ..Trace::default()
        };
        let m = trace.process_metrics().expect("two processes");
        let rows: Vec<_> = m
            .processes
            .iter()
            .map(|p| (p.busy_ns, p.mpi_ns, p.useful_ns))
            .collect();
        assert_eq!(rows, [(100, 50, 50), (60, 0, 60)]);
        assert_eq!(m.communication_efficiency, 0.6);
    }

    #[test]
    fn cutting_intervals() {
        assert_eq!(
            minus(&[(0, 10), (20, 30)], &[(2, 4), (8, 22), (25, 26)]),
            [(0, 2), (4, 8), (22, 25), (26, 30)]
        );
        assert_eq!(minus(&[(0, 10)], &[]), [(0, 10)]);
        // Cuts that touch an interval's ends leave no empty pieces behind.
        assert_eq!(minus(&[(0, 10)], &[(0, 2), (8, 10)]), [(2, 8)]);
        assert_eq!(
            minus(&[(0, 10), (20, 30)], &[(10, 20)]),
            [(0, 10), (20, 30)]
        );
        assert_eq!(minus(&[(5, 10)], &[(0, 20)]), []);
        assert_eq!(union(vec![(5, 8), (0, 2), (1, 3)]), [(0, 3), (5, 8)]);
    }

    #[test]
    fn useful_time_is_busy_time_outside_mpi_per_process() {
        use MessageSide::{Receive, Send};
        // Rank 0: a run of 0..100 with a receive 60..100 inside it.
        // Rank 1: computes 0..50, sends 50..55.
        // Rank 2: two threads, computing 0..30 and 20..40, nothing sent.
        let mut trace = Trace {
            names: vec!["work".into(), "MPI".into()],
            lanes: vec![
                Lane::with_spans(
                    0,
                    1,
                    "main",
                    [Span::new(0, 0, 100, 0), mpi(60, 100, Receive, 1)],
                ),
                Lane::with_spans(
                    1,
                    1,
                    "main",
                    [
                        Span::new(0, 0, 50, 0),
                        Span {
                            depth: 0,
                            ..mpi(50, 55, Send, 0)
                        },
                    ],
                ),
                Lane::with_spans(2, 1, "a", [Span::new(0, 0, 30, 0)]),
                Lane::with_spans(2, 2, "b", [Span::new(0, 20, 40, 0)]),
            ],
            ..Trace::default()
        };
        trace.process_names.insert(0, "rank 0".into());
        let m = trace.process_metrics().expect("three processes");
        let rows: Vec<_> = m
            .processes
            .iter()
            .map(|p| (p.name.as_str(), p.lanes, p.busy_ns, p.mpi_ns, p.useful_ns))
            .collect();
        assert_eq!(
            rows,
            [
                ("rank 0", 1, 100, 40, 60),
                ("pid 1", 1, 55, 5, 50),
                ("pid 2", 2, 40, 0, 40),
            ]
        );
        assert_eq!(m.wall_ns, 100);
        assert_eq!(m.max_useful_ns, 60);
        assert_eq!(m.communication_efficiency, 0.6);
        assert_eq!(m.load_balance, 50.0 / 60.0);
        assert_eq!((m.messages, m.unmatched_message_ends), (1, 0));
        // The same run recorded later: the wall is still last end − first start.
        let mut later = trace.clone();
        for span in later.lanes.iter_mut().flat_map(|l| l.spans.iter_mut()) {
            span.start_ns += 1_000;
            span.end_ns += 1_000;
        }
        assert_eq!(later.process_metrics(), Some(m.clone()));
        // One process: its useful time over the wall.
        trace.lanes.truncate(1);
        let m = trace.process_metrics().expect("one process");
        assert_eq!((m.communication_efficiency, m.load_balance), (0.6, 1.0));
        trace.lanes.clear();
        assert_eq!(trace.process_metrics(), None);
    }
}
