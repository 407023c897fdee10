//! Every rank records a few spans; rank 0 gathers them into one trace,
//! checks it and writes it as Chrome JSON. Run under MPI:
//!
//! ```sh
//! cargo build -p logprof --features mpi --example ranks_merge
//! mpirun -n 4 target/debug/examples/ranks_merge [OUT.trace.json]
//! LOGPROF_RANK_CLOCK_SHIFT=1:5000000000 mpirun -n 2 target/debug/examples/ranks_merge
//! ```
//!
//! The checks (a failed one panics, which aborts every rank): every rank
//! has its own process with its spans; each rank's clock offset in the
//! metadata equals the true one to within its uncertainty, the true one
//! found from the system clock that all ranks of one host share; no rank
//! leaves the barrier, on the merged clock, before every rank has entered
//! it (to within the clocks' uncertainties), even when one rank's clock was
//! shifted by seconds; every
//! message (two rounds around a ring, then one from every rank to rank 0,
//! received from any rank, then one from every rank to the last over a
//! communicator whose ranks are the world's reversed, which the keys must
//! translate back) is paired with its send, and every receive ends after
//! its send starts.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logprof::ranks::{self, Ranks};
use mpi::topology::Color;
use mpi::traits::*;

/// How far apart the post-barrier spans of the ranks may start at most: a
/// check for gross misalignment only (a shift of seconds left in), loose
/// enough for oversubscribed ranks that wait for a core after the barrier.
/// The barrier's causality is the exact check.
const BARRIER_SKEW_NS: u64 = 1_000_000_000;
/// How far the system clock and the recorder's clock may be read apart.
const READ_SLACK_NS: u64 = 20_000;

fn main() {
    let ranks = Ranks::init().unwrap_or_else(|e| panic!("{e}"));
    logprof::init_buffer(1 << 12);
    let world = ranks.world();
    for _ in 0..3 {
        let _work = logprof::scope!("work");
        std::thread::sleep(Duration::from_millis(2));
    }
    exchange(&ranks);
    reversed(&ranks);
    logprof::instant!("before_barrier");
    world.barrier();
    {
        let _span = logprof::scope!("after_barrier");
        std::thread::sleep(Duration::from_millis(1));
    }
    // The true offset to rank 0, from the system clock shared on one host.
    let to_system = system_minus_recorder(&ranks);
    let mut all = vec![0i64; ranks.size() as usize];
    world.all_gather_into(&to_system, &mut all[..]);
    let trace = ranks.collect().unwrap_or_else(|e| panic!("{e}"));
    let Some(trace) = trace else { return };
    check(&trace, &all, ranks.size());
    if let Some(path) = std::env::args().nth(1) {
        trace.write_chrome_json(&path).expect("write the trace");
    }
    println!(
        "ranks_merge: {} ranks merged, {} spans, offsets recovered",
        ranks.size(),
        trace.span_count()
    );
}

/// Tags of the example's messages.
const TAG_RING: i32 = 5;
const TAG_ROOT: i32 = 6;
const TAG_REVERSED: i32 = 7;

/// Two rounds around the ring (odd ranks receive first, so no send waits
/// on a send), then every other rank sends to rank 0, which takes them in
/// whatever order they come.
fn exchange(ranks: &Ranks) {
    let (rank, size) = (ranks.rank(), ranks.size());
    let world = ranks.world();
    let (next, previous) = ((rank + 1) % size, (rank + size - 1) % size);
    for round in 0..2u64 {
        let mut got = [0u64; 2];
        let send = || ranks::send(world, next, TAG_RING, &[rank as u64, round]);
        let receive = |got: &mut [u64; 2]| {
            ranks::receive_into(world, Some(previous), Some(TAG_RING), |_| &mut got[..])
        };
        if rank % 2 == 0 {
            send();
            receive(&mut got);
        } else {
            receive(&mut got);
            send();
        }
        assert_eq!(got, [previous as u64, round], "rank {rank}: a ring message");
    }
    if rank != 0 {
        std::thread::sleep(Duration::from_millis(1));
        ranks::send(world, 0, TAG_ROOT, &[rank]);
        return;
    }
    for _ in 1..size {
        // Into a vector the message's length: one rank number.
        let (from, status) = ranks::receive_vec::<_, u32>(world, None, Some(TAG_ROOT));
        assert_eq!(from, [status.source_rank() as u32]);
    }
}

/// Every rank but the last sends its rank to the last, over a communicator
/// of the same ranks in reverse order (where the last is rank 0): the
/// recorded keys must name world ranks, the merged trace's pids.
fn reversed(ranks: &Ranks) {
    let (rank, size) = (ranks.rank(), ranks.size());
    let reversed = ranks
        .world()
        .split_by_color_with_key(Color::with_value(0), (size - 1 - rank) as i32)
        .expect("every rank is in the reversed communicator");
    assert_eq!(reversed.rank() as u32, size - 1 - rank);
    if reversed.rank() != 0 {
        ranks::send(&reversed, 0, TAG_REVERSED, &[rank]);
        return;
    }
    for _ in 1..size {
        let mut from = 0u32;
        let status = ranks::receive_into(&reversed, None, Some(TAG_REVERSED), |_| {
            std::slice::from_mut(&mut from)
        });
        assert_eq!(size - 1 - from, status.source_rank() as u32);
    }
}

/// The system clock minus the recorder's, in ns, from the closest pair of
/// readings of several.
fn system_minus_recorder(ranks: &Ranks) -> i64 {
    let mut best = (u64::MAX, 0i64);
    for _ in 0..50 {
        let before = ranks.now_ns();
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_nanos() as i64;
        let after = ranks.now_ns();
        let mid = (before / 2 + after / 2) as i64;
        if after - before < best.0 {
            best = (after - before, system - mid);
        }
    }
    best.1
}

fn check(trace: &logprof::Trace, to_system: &[i64], size: u32) {
    let pids: std::collections::BTreeSet<u32> = trace.lanes.iter().map(|l| l.pid).collect();
    assert_eq!(pids, (0..size).collect(), "one process per rank");
    let after = trace.name_id("after_barrier").expect("after_barrier spans");
    let mut starts = Vec::new();
    for rank in 0..size {
        assert_eq!(trace.process_names[&rank], format!("rank {rank}"));
        let spans: Vec<_> = trace
            .lanes
            .iter()
            .filter(|l| l.pid == rank)
            .flat_map(|l| &l.spans)
            .collect();
        let mpi = spans.iter().filter(|s| s.mpi.is_some()).count();
        let root = if rank == 0 { size - 1 } else { 1 } as usize;
        let last = if rank == size - 1 { size - 1 } else { 1 } as usize;
        assert_eq!(mpi, 4 + root + last, "rank {rank}: its sends and receives");
        assert_eq!(
            spans.len() - mpi,
            4,
            "rank {rank}: 3 work spans and 1 after the barrier"
        );
        starts.extend(spans.iter().filter(|s| s.name == after).map(|s| s.start_ns));
        let sync = &trace.metadata["mpi"]["ranks"][rank as usize];
        let truth = to_system[rank as usize] - to_system[0];
        for when in ["start", "end"] {
            let measured = sync[when]["offset_ns"].as_i64().expect("an offset");
            let within = sync[when]["uncertainty_ns"]
                .as_u64()
                .expect("an uncertainty");
            let error = measured.abs_diff(truth);
            assert!(
                error <= within + READ_SLACK_NS,
                "rank {rank} {when}: offset {measured} ns, truly {truth} ns: off by {error} ns, \
                 more than the uncertainty {within} ns"
            );
        }
    }
    check_messages(trace, size);
    check_barrier(trace);
    let spread = starts.iter().max().unwrap() - starts.iter().min().unwrap();
    assert!(
        spread <= BARRIER_SKEW_NS,
        "the ranks' post-barrier spans start {spread} ns apart on the merged clock"
    );
}

/// On the merged clock, no rank leaves the barrier (starts its
/// `after_barrier` span) before every rank has entered it, to within the two
/// ranks' clock uncertainties: what a barrier guarantees however long any
/// rank then waits for a core.
fn check_barrier(trace: &logprof::Trace) {
    let name = |n: &str| {
        trace
            .name_id(n)
            .unwrap_or_else(|| panic!("no {n} in the trace"))
    };
    let (entered, left) = (name("before_barrier"), name("after_barrier"));
    let uncertainty = |rank: u32| {
        let sync = &trace.metadata["mpi"]["ranks"][rank as usize];
        ["start", "end"]
            .iter()
            .filter_map(|when| sync[when]["uncertainty_ns"].as_u64())
            .max()
            .unwrap_or(0)
    };
    let entries: Vec<(u32, u64)> = trace
        .lanes
        .iter()
        .flat_map(|l| l.instants.iter().map(move |i| (l.pid, i)))
        .filter(|(_, i)| i.name == entered)
        .map(|(pid, i)| (pid, i.ts_ns))
        .collect();
    let exits: Vec<(u32, u64)> = trace
        .lanes
        .iter()
        .flat_map(|l| l.spans.iter().map(move |s| (l.pid, s)))
        .filter(|(_, s)| s.name == left)
        .map(|(pid, s)| (pid, s.start_ns))
        .collect();
    let ranks = trace.process_names.len();
    assert_eq!(
        (entries.len(), exits.len()),
        (ranks, ranks),
        "one of each per rank"
    );
    for &(q, entered_at) in &entries {
        for &(r, left_at) in &exits {
            let slack = uncertainty(q) + uncertainty(r);
            assert!(
                left_at + slack >= entered_at,
                "rank {r} left the barrier at {left_at} ns, before rank {q} entered it at \
                 {entered_at} ns (more than the clocks' {slack} ns uncertainty)"
            );
        }
    }
}

/// Every message paired with its send, and causal on the merged clock.
fn check_messages(trace: &logprof::Trace, size: u32) {
    let messages = trace.messages();
    let expected = 2 * size as usize + 2 * (size as usize - 1);
    assert_eq!(messages.flows.len(), expected, "messages paired");
    assert_eq!(
        messages.unmatched, 0,
        "message ends without their other end"
    );
    assert_eq!(trace.metadata["mpi"]["messages"], expected);
    // Each rank's times reach rank 0's clock to within the uncertainty of
    // its clock sync (half a round trip): causality holds to within the two
    // ranks' uncertainties, not to the nanosecond.
    let uncertainty = |rank: u32| -> u64 {
        let sync = &trace.metadata["mpi"]["ranks"][rank as usize];
        ["start", "end"]
            .iter()
            .filter_map(|at| sync[at]["uncertainty_ns"].as_u64())
            .max()
            .expect("every rank's clock sync has an uncertainty")
    };
    for flow in &messages.flows {
        let send = &trace.lanes[flow.send.0].spans[flow.send.1];
        let receive = &trace.lanes[flow.receive.0].spans[flow.receive.1];
        assert_eq!(trace.lanes[flow.send.0].pid, flow.from);
        assert_eq!(trace.lanes[flow.receive.0].pid, flow.to);
        let slack = uncertainty(flow.from) + uncertainty(flow.to);
        assert!(
            receive.end_ns + slack >= send.start_ns,
            "message {} → {} (tag {}, #{}) received by {} ns, before it was sent at {} ns \
             (more than the clocks' {slack} ns uncertainty)",
            flow.from,
            flow.to,
            flow.tag,
            flow.seq,
            receive.end_ns,
            send.start_ns
        );
    }
    let metrics = trace.process_metrics().expect("one process per rank");
    assert_eq!(metrics.processes.len(), size as usize);
    assert!(
        metrics.processes.iter().all(|p| p.mpi_ns > 0),
        "every rank sent"
    );
}
