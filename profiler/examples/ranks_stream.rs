//! Every rank streams its recording to a file of its own; at the end the
//! ranks measure their clocks again, each writes its offset to rank 0 into
//! its file, and rank 0 merges the files into one trace and checks it.
//! Run under MPI:
//!
//! ```sh
//! cargo build -p logprof --features mpi --example ranks_stream
//! mpirun -n 4 target/debug/examples/ranks_stream DIR
//! LOGPROF_RANK_CLOCK_SHIFT=1:5000000000 mpirun -n 2 target/debug/examples/ranks_stream DIR
//! ```
//!
//! Each rank writes `DIR/run.rank-N.lpt`; rank 0 merges them into
//! `DIR/merged.lpt`. The checks (a failed one panics, which aborts every
//! rank): one process per rank, each with its spans; every message around
//! the ring paired with its send, each receive ending after its send
//! started; and no rank leaving the barrier, on the merged clock, before
//! every rank entered it (to within the clocks' uncertainties), even with
//! one rank's clock shifted by seconds.

use std::path::PathBuf;
use std::time::Duration;

use logprof::ranks::{self, Ranks};
use mpi::traits::*;

const TAG_RING: i32 = 5;
const ROUNDS: u64 = 3;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: ranks_stream DIR"));
    let ranks = Ranks::init().unwrap_or_else(|e| panic!("{e}"));
    let base = dir.join("run.lpt");
    let stream = logprof::stream_to(&base).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.path(), ranks::rank_path(&base, ranks.rank()));
    let world = ranks.world();
    let (rank, size) = (ranks.rank(), ranks.size());
    let (next, previous) = ((rank + 1) % size, (rank + size - 1) % size);
    for round in 0..ROUNDS {
        let _work = logprof::scope!("work");
        std::thread::sleep(Duration::from_millis(1));
        let mut got = [0u64; 2];
        let send = || ranks::send(world, next, TAG_RING, &[rank as u64, round]);
        let mut receive =
            || ranks::receive_into(world, Some(previous), Some(TAG_RING), |_| &mut got[..]);
        if rank % 2 == 0 {
            send();
            receive();
        } else {
            receive();
            send();
        }
    }
    {
        let _span = logprof::scope!("before_barrier");
    }
    world.barrier();
    {
        let _span = logprof::scope!("after_barrier");
        std::thread::sleep(Duration::from_millis(1));
    }
    let stats = ranks
        .finish_stream(Some(stream))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stats.events > 0 && stats.lost == 0,
        "rank {rank}: {stats:?}"
    );
    let out = dir.join("merged.lpt");
    let Some(report) = ranks
        .merge_streams(&base, &out)
        .unwrap_or_else(|e| panic!("{e}"))
    else {
        return;
    };
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let trace = logprof::Trace::read_file(&out).expect("read the merged trace");
    check(&trace, size);
    println!(
        "ranks_stream: {size} ranks streamed and merged, {} spans, {} messages, {} bytes",
        report.spans, report.messages, report.bytes
    );
}

fn check(trace: &logprof::Trace, size: u32) {
    let pids: std::collections::BTreeSet<u32> = trace.lanes.iter().map(|l| l.pid).collect();
    assert_eq!(pids, (0..size).collect(), "one process per rank");
    let messages = trace.messages();
    let sent = u64::from(size) * ROUNDS;
    assert_eq!(messages.flows.len() as u64, sent, "every message paired");
    assert_eq!(messages.unmatched, 0);
    let span = |(l, s): (usize, usize)| &trace.lanes[l].spans[s];
    for f in &messages.flows {
        assert!(
            span(f.receive).end_ns + 1_000_000 >= span(f.send).start_ns,
            "a receive ends before its send starts: {f:?}"
        );
    }
    let uncertainty = trace.metadata["mpi"]["ranks"]
        .as_array()
        .expect("ranks in the metadata")
        .iter()
        .map(|r| {
            r["start"]["uncertainty_ns"].as_u64().unwrap_or(0)
                + r["end"]["uncertainty_ns"].as_u64().unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    let of = |name: &str| {
        let id = trace.name_id(name).expect(name);
        trace
            .lanes
            .iter()
            .flat_map(|l| &l.spans)
            .filter(move |s| s.name == id)
    };
    let last_enter = of("before_barrier")
        .map(|s| s.end_ns)
        .max()
        .expect("entries");
    let first_leave = of("after_barrier")
        .map(|s| s.start_ns)
        .min()
        .expect("leaves");
    assert!(
        first_leave + 2 * uncertainty + 100_000 >= last_enter,
        "a rank left the barrier at {first_leave} before the last entered at {last_enter} \
         (uncertainty {uncertainty} ns)"
    );
}
