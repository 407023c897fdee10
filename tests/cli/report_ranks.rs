//! `logprof report` on a merged trace of two ranks (built by hand, so no
//! MPI is needed): the lanes named by rank, POP's process metrics with the
//! numbers worked out by hand, the messages counted.

use logprof::{Lane, MessageSide, MpiCall, Span, Trace};

use crate::support::{ok, path_str, stdout};

fn end(side: MessageSide, peer: u32) -> Option<Box<MpiCall>> {
    Some(Box::new(MpiCall {
        side,
        peer,
        tag: 4,
        seq: 0,
        bytes: 1000,
    }))
}

#[test]
fn report_names_ranks_and_prints_the_process_metrics() {
    let mut trace = Trace::new();
    let (run, work, mpi) = (
        trace.intern("run"),
        trace.intern("work"),
        trace.intern("MPI"),
    );
    // Rank 0 runs 0..2 ms and waits for rank 1 from 0.5 ms on; rank 1
    // works 0..1.5 ms and sends 1.5..2 ms.
    trace.lanes.push(Lane::with_spans(
        0,
        1,
        "main",
        [
            Span::new(run, 0, 2_000_000, 0),
            Span {
                mpi: end(MessageSide::Receive, 1),
                ..Span::new(mpi, 500_000, 2_000_000, 1)
            },
        ],
    ));
    trace.lanes.push(Lane::with_spans(
        1,
        1,
        "main",
        [
            Span::new(work, 0, 1_500_000, 0),
            Span {
                mpi: end(MessageSide::Send, 0),
                ..Span::new(mpi, 1_500_000, 2_000_000, 0)
            },
        ],
    ));
    for rank in 0..2 {
        trace.process_names.insert(rank, format!("rank {rank}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ranks.trace.json");
    trace.write_chrome_json(&path).unwrap();
    let report = stdout(&ok(&["report", path_str(&path)]));
    // Useful: rank 0 0.5 ms, rank 1 1.5 ms, over a wall of 2 ms:
    // communication efficiency 1.5 / 2, load balance 1 / 1.5.
    assert!(
        report.contains(
            "processes: 2   communication efficiency: 0.750 (75.0 %)   \
             load balance over processes: 0.667 (66.7 %)   messages: 1"
        ),
        "{report}"
    );
    assert!(
        report.contains("  rank 0: useful 0.500 ms   in MPI 1.500 ms   busy 2.000 ms   threads 1"),
        "{report}"
    );
    assert!(
        report.lines().any(|l| l.starts_with("rank 1 / main ")),
        "{report}"
    );
    assert!(!report.contains("no MPI time recorded"), "{report}");
}
