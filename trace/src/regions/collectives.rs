//! The regions of an MPI run: on each rank, the stretches between its
//! collective calls (barriers, reductions, broadcasts, fences). Every rank
//! makes the same collective calls in the same order, so the `k`-th call of
//! each rank closes the same step of the program; region `k` runs from the
//! moment the first rank left call `k − 1` (the run's start for `k = 0`) to
//! the moment the first rank left call `k`. The time a rank spent inside
//! the call is waiting, not work ([`Trace::is_waiting`]), so a rank that
//! arrived early shows as the region's underload, as Scalasca shows it.

use std::collections::BTreeMap;

use super::detect::Node;
use super::Found;
use crate::trace::{NameId, Trace};

/// The collective operations of MPI that every rank of a communicator
/// calls, in lower case (tools differ in case: `MPI_AllReduce`).
const COLLECTIVES: [&str; 19] = [
    "mpi_barrier",
    "mpi_bcast",
    "mpi_reduce",
    "mpi_allreduce",
    "mpi_gather",
    "mpi_gatherv",
    "mpi_allgather",
    "mpi_allgatherv",
    "mpi_scatter",
    "mpi_scatterv",
    "mpi_alltoall",
    "mpi_alltoallv",
    "mpi_alltoallw",
    "mpi_reduce_scatter",
    "mpi_reduce_scatter_block",
    "mpi_scan",
    "mpi_exscan",
    "mpi_win_fence",
    "mpi_comm_split",
];

/// Whether spans named `name` are calls of a collective operation.
pub(super) fn is_collective(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    COLLECTIVES.contains(&lower.as_str())
}

/// One collective call of one rank: its name and when it ended.
#[derive(Clone, Copy)]
struct Call {
    name: NameId,
    end: u64,
}

/// Each process's collective calls in time order (a call inside another,
/// as a library's `PMPI_` layer writes them, is the outer one's).
fn calls_by_process(trace: &Trace) -> BTreeMap<u32, Vec<Call>> {
    let mut by_pid: BTreeMap<u32, Vec<(u64, u64, NameId)>> = BTreeMap::new();
    for lane in &trace.lanes {
        let calls = by_pid.entry(lane.pid).or_default();
        for span in &lane.spans {
            if is_collective(trace.name(span.name)) {
                calls.push((span.start_ns, span.end_ns, span.name));
            }
        }
    }
    by_pid
        .into_iter()
        .filter(|(_, calls)| !calls.is_empty())
        .map(|(pid, mut calls)| {
            calls.sort_unstable();
            let mut outer: Vec<Call> = Vec::new();
            let mut reach = 0;
            for (start, end, name) in calls {
                if outer.is_empty() || start >= reach {
                    outer.push(Call { name, end });
                    reach = end;
                }
            }
            (pid, outer)
        })
        .collect()
}

/// The regions between collective calls of a trace of several processes,
/// over `run`; none (with a note when there is something to say) unless
/// every process that made collective calls made the same ones, and at
/// least two processes did.
pub(super) fn between_collectives(
    trace: &Trace,
    run: (u64, u64),
    notes: &mut Vec<String>,
) -> Vec<Node> {
    let processes: std::collections::BTreeSet<u32> = trace
        .lanes
        .iter()
        .filter(|l| !l.spans.is_empty())
        .map(|l| l.pid)
        .collect();
    if processes.len() < 2 {
        return Vec::new();
    }
    let calls = calls_by_process(trace);
    let Some(first) = calls.values().next() else {
        return Vec::new();
    };
    let same = calls.len() == processes.len()
        && calls.values().all(|c| {
            c.len() == first.len()
                && c.iter()
                    .zip(first)
                    .all(|(a, b)| trace.name(a.name).eq_ignore_ascii_case(trace.name(b.name)))
        });
    if !same {
        notes.push(format!(
            "the ranks made different collective calls ({} of {} processes made any; counts \
             {}): the run is not cut between them",
            calls.len(),
            processes.len(),
            calls
                .values()
                .map(|c| c.len().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Vec::new();
    }
    let mut out = Vec::with_capacity(first.len());
    let mut start = run.0;
    for k in 0..first.len() {
        // The first rank out of call k ends the step.
        let end = calls.values().map(|c| c[k].end).min().unwrap_or(start);
        if end > start {
            out.push(Node {
                start,
                end,
                name: first[k].name,
                found: Found::Collective,
                parent: None,
            });
        }
        start = start.max(end);
    }
    out
}
