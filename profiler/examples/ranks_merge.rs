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
//! found from the system clock that all ranks of one host share; and the
//! spans every rank starts right after a barrier start together on the
//! merged clock, even when one rank's clock was shifted by seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logprof::ranks::Ranks;
use mpi::traits::*;

/// How far apart the post-barrier spans of the ranks may start: the
/// barrier's own skew, generous for oversubscribed ranks.
const BARRIER_SKEW_NS: u64 = 50_000_000;
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
        assert_eq!(
            spans.len(),
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
    let spread = starts.iter().max().unwrap() - starts.iter().min().unwrap();
    assert!(
        spread <= BARRIER_SKEW_NS,
        "the ranks' post-barrier spans start {spread} ns apart on the merged clock"
    );
}
