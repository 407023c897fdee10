//! `logprof merge`: ranks' streamed files into one trace, one process per
//! rank on rank 0's clock; what it assumed said in notes; a set of files
//! that cannot be merged right refused with a one-line error and nothing
//! written.

use std::path::{Path, PathBuf};

use logprof_trace::compact::{ClockMoment, LptWriter, FLAG_STREAMED};
use logprof_trace::ranks::{rank_path, ClockSample, RankFacts};
use logprof_trace::{MessageSide, MpiCall, Span, Trace};

use crate::support::{fails, leftovers, ok, path_str, stdout};

/// Rank `rank`'s file of a run of `ranks`, its clock `offset_ns` from rank
/// 0's, with one span of "work" at 1000 ns and a message to the next rank
/// and one from the one before.
fn rank_file(dir: &Path, rank: u32, ranks: u32, offset_ns: i64) -> PathBuf {
    let path = rank_path(&dir.join("run.lpt"), rank);
    let mut w = LptWriter::new(std::fs::File::create(&path).unwrap(), FLAG_STREAMED).unwrap();
    w.rank(&RankFacts {
        rank,
        ranks,
        ..RankFacts::default()
    })
    .unwrap();
    w.names(&["work", "MPI_Send", "MPI_Recv"]).unwrap();
    let lane = w.lane(77, 1, "main", None).unwrap();
    let call = |side, peer| {
        Some(Box::new(MpiCall {
            side,
            peer,
            tag: 0,
            seq: 0,
            bytes: 8,
        }))
    };
    let mut send = Span::new(1, 2_000, 2_100, 0);
    send.mpi = call(MessageSide::Send, (rank + 1) % ranks);
    let mut receive = Span::new(2, 3_000, 3_100, 0);
    receive.mpi = call(MessageSide::Receive, (rank + ranks - 1) % ranks);
    w.spans(lane, &[Span::new(0, 1_000, 1_500, 0), send, receive])
        .unwrap();
    let sample = ClockSample {
        at_ns: 0,
        offset_ns,
        uncertainty_ns: 1,
    };
    w.clock(ClockMoment::Start, &sample).unwrap();
    w.clock(ClockMoment::End, &sample).unwrap();
    w.finish(&Trace::default()).unwrap();
    path
}

#[test]
fn merge_puts_each_ranks_file_in_a_process_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..3)
        .map(|r| rank_file(dir.path(), r, 3, 100 * i64::from(r)))
        .collect();
    let out = dir.path().join("all.lpt");
    let mut args = vec!["merge", "-o", path_str(&out)];
    args.extend(files.iter().rev().map(|f| path_str(f)));
    let o = ok(&args);
    assert!(
        stdout(&o)
            .contains("3 files of 3 ranks merged, 9 spans, 3 messages paired (0 ends unpaired)"),
        "{}",
        stdout(&o)
    );
    let merged = Trace::read_file(&out).unwrap();
    let starts: Vec<(u32, u64)> = merged
        .lanes
        .iter()
        .map(|l| (l.pid, l.spans[0].start_ns))
        .collect();
    assert_eq!(starts, [(0, 1_000), (1, 1_100), (2, 1_200)]);
    assert_eq!(merged.messages().flows.len(), 3);
    // As Chrome JSON too, and `report` reads the merged file.
    let json = dir.path().join("all.json");
    args[2] = path_str(&json);
    ok(&args);
    assert_eq!(Trace::read_file(&json).unwrap().lanes, merged.lanes);
    let report = ok(&["report", path_str(&out)]);
    assert!(stdout(&report).contains("rank 2"), "{}", stdout(&report));
}

#[test]
fn merge_refuses_a_rank_twice_or_missing_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let zero = rank_file(dir.path(), 0, 2, 0);
    let copy = dir.path().join("again.lpt");
    std::fs::copy(&zero, &copy).unwrap();
    let out = dir.path().join("all.lpt");
    fails(
        &[
            "merge",
            "-o",
            path_str(&out),
            path_str(&zero),
            path_str(&copy),
        ],
        "are both rank 0",
    );
    fails(
        &["merge", "-o", path_str(&out), path_str(&zero)],
        "rank 1 of 2 missing",
    );
    assert!(!out.exists());
    assert!(leftovers(dir.path()).is_empty());
    // Allowed: merged, and said.
    let o = ok(&[
        "merge",
        "--allow-missing",
        "-o",
        path_str(&out),
        path_str(&zero),
    ]);
    assert!(
        stdout(&o).contains("note: rank 1 of 2 missing"),
        "{}",
        stdout(&o)
    );
    // The output cannot be an input.
    fails(&["merge", "-o", path_str(&zero), path_str(&zero)], "OUT");
}

#[test]
fn merge_says_when_a_file_is_cut_off_and_merges_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..2).map(|r| rank_file(dir.path(), r, 2, 0)).collect();
    let bytes = std::fs::read(&files[1]).unwrap();
    std::fs::write(&files[1], &bytes[..bytes.len() - 20]).unwrap();
    let out = dir.path().join("all.lpt");
    let o = ok(&[
        "merge",
        "-o",
        path_str(&out),
        path_str(&files[0]),
        path_str(&files[1]),
    ]);
    assert!(
        stdout(&o)
            .contains("run.rank-1.lpt (rank 1) is cut off: merged up to its last whole chunk"),
        "{}",
        stdout(&o)
    );
    assert_eq!(Trace::read_file(&out).unwrap().span_count(), 6);
}
