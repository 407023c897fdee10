//! Perfetto protobuf traces (`.pftrace`): a trace written and read back is
//! the trace it was, every real trace of `../shared/realtraces/` survives
//! the trip with the same spans, and a cut or damaged file gives a partial
//! read with a note or a clear error, never a panic.

use logprof_trace::message::{MessageSide, MpiCall};
use logprof_trace::{
    CounterTrack, InstantEvent, Lane, Losses, OffCpu, OffCpuKind, OffCpuStatus, Span, Trace,
};

use crate::support::messages::assert_mentions;

/// Two ranks, each with nested spans, an overlapping pair, instants,
/// off-CPU time, a counter, a message between them and a task that hops.
fn hand_built() -> Trace {
    let mut t = Trace::new();
    let main = t.intern("main");
    let work = t.intern("work \"quoted\" ✓");
    let send = t.intern("MPI_Send");
    let recv = t.intern("MPI_Recv");
    let tick = t.intern("tick");
    let step = t.intern("step");
    let unused = t.intern("a name no span uses");
    t.mark_region(unused);
    t.mark_region(work);
    let lock = t.intern("lock");
    t.mark_wait(lock);
    t.mark_wait(recv);
    let call = |side, peer| MpiCall {
        side,
        peer,
        tag: -3,
        seq: 0,
        bytes: 4096,
    };
    let mut rank0 = Lane::with_spans(
        0,
        1,
        "rank 0 main",
        [
            Span::new(main, 1_000, 90_000, 0),
            Span::new(work, 2_000, 10_000, 1)
                .with_value(-7)
                .with_result(99),
            Span::new(work, 10_000, 10_000, 1), // zero length, where its sibling ends
            Span {
                mpi: Some(Box::new(call(MessageSide::Send, 1))),
                ..Span::new(send, 20_000, 25_000, 1)
            },
            Span::new(step, 30_000, 40_000, 1).in_task(7),
            Span::new(lock, 41_000, 42_000, 1),
            // Overlaps the end of `main`: a layer of its own.
            Span::new(work, 85_000, 95_000, 0).cut_off(),
        ],
    );
    rank0.instants.push(InstantEvent {
        name: tick,
        ts_ns: 5_000,
    });
    rank0.off_cpu = vec![
        OffCpu {
            cpu: Some(3),
            ..OffCpu::new(3_000, 4_000, OffCpuKind::Preempted)
        },
        OffCpu::new(21_000, 24_000, OffCpuKind::Blocked),
    ];
    rank0.start_cpu = Some(2);
    let rank1 = Lane::with_spans(
        1,
        (1 << 63) | 42, // a text tid of another tool's file: too wide for int32
        "rank 1 main",
        [
            Span {
                mpi: Some(Box::new(call(MessageSide::Receive, 0))),
                ..Span::new(recv, 19_000, 26_000, 0)
            },
            Span::new(step, 50_000, 60_000, 0).in_task(7),
        ],
    );
    t.lanes = vec![rank0, rank1, Lane::new(1, 2, "idle helper")];
    t.counters = vec![CounterTrack {
        pid: 0,
        name: "bytes in flight".into(),
        samples: vec![(20_000, 4096.0), (26_000, 0.0), (27_000, 1.5e-3)],
    }];
    t.process_name = Some("hand-built".into());
    t.process_names.insert(1, "rank 1".into());
    t.metadata
        .insert("clock_offsets_ns".into(), serde_json::json!([0, -120]));
    t.losses = Losses {
        overwritten_events: 3,
        unmatched_exits: 1,
        unclosed_enters: 0,
        dropped_events: 5,
    };
    t.off_cpu = OffCpuStatus::Recorded { lost_switches: 2 };
    t.cores = Some(8);
    t.normalize();
    t
}

#[test]
fn a_hand_built_trace_round_trips_through_pftrace() {
    let trace = hand_built();
    assert_eq!(trace.messages().flows.len(), 1, "the message pairs");
    let bytes = trace.to_perfetto_bytes();
    let back = Trace::from_perfetto_bytes(&bytes).unwrap();
    assert_eq!(back, trace);
    // Through a file too, written atomically.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pftrace");
    trace.write_perfetto(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "one writer");
    assert_eq!(Trace::read_perfetto(&path).unwrap(), trace);
}

/// What Perfetto carries of a lane: its ids, name, and each span's name,
/// times and depth, each instant and off-CPU interval.
type LaneView = (u32, u64, String, Vec<(String, u64, u64, u32)>, usize, usize);

fn lanes_of(t: &Trace) -> Vec<LaneView> {
    t.lanes
        .iter()
        .map(|l| {
            let spans = l
                .spans
                .iter()
                .map(|s| (t.name(s.name).to_owned(), s.start_ns, s.end_ns, s.depth))
                .collect();
            (
                l.pid,
                l.tid,
                l.thread_name.clone(),
                spans,
                l.instants.len(),
                l.off_cpu.len(),
            )
        })
        .collect()
}

/// The folder of real traces, as the `realtraces` module finds it.
fn realtraces() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("LOGPROF_REALTRACES") {
        return Some(dir.into()).filter(|d: &std::path::PathBuf| d.join("SOURCES.md").is_file());
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(2)
        .map(|a| a.join("shared/realtraces"))
        .find(|d| d.join("SOURCES.md").is_file())
}

#[test]
fn every_real_trace_converts_to_pftrace_and_back_with_the_same_spans() {
    let Some(dir) = realtraces() else {
        eprintln!("no shared/realtraces folder: skipped");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "{} files in {}",
        files.len(),
        dir.display()
    );
    for file in files {
        let json = Trace::read_chrome_json(&file).unwrap();
        let bytes = json.to_perfetto_bytes();
        let back = Trace::from_perfetto_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(lanes_of(&back), lanes_of(&json), "{}", file.display());
        // Beyond what the comparison names: the whole trace, names table,
        // counters and repairs included.
        let what = file.display();
        assert_eq!(back.names, json.names, "{what}: names");
        assert_eq!(back.lanes, json.lanes, "{what}: lanes");
        assert_eq!(back.counters, json.counters, "{what}: counters");
        assert_eq!(back.region_names, json.region_names, "{what}: regions");
        assert_eq!(back.wait_names, json.wait_names, "{what}: waits");
        assert_eq!(back.process_name, json.process_name, "{what}: process name");
        assert_eq!(
            back.process_names, json.process_names,
            "{what}: process names"
        );
        assert_eq!(back.off_cpu, json.off_cpu, "{what}: off-CPU status");
        // logprof wrote the .pftrace: nothing in it was repaired.
        assert!(back.repairs.is_empty(), "{what}: {:?}", back.repairs);
    }
}

#[test]
fn a_cut_file_reads_the_packets_before_the_cut_or_says_it_is_cut() {
    let bytes = hand_built().to_perfetto_bytes();
    let whole = Trace::from_perfetto_bytes(&bytes).unwrap();
    let (mut partial, mut at_boundary) = (0, 0);
    for len in 0..bytes.len() {
        match Trace::from_perfetto_bytes(&bytes[..len]) {
            Ok(t) if t.repairs.cut_at_end => {
                assert!(
                    t.repairs.sentences().iter().any(|s| s.contains("cut off")),
                    "{:?}",
                    t.repairs.sentences()
                );
                assert!(t.span_count() <= whole.span_count());
                partial += 1;
            }
            // A cut between two packets leaves a whole, shorter trace.
            Ok(t) => {
                assert!(t.span_count() <= whole.span_count());
                at_boundary += 1;
            }
            Err(e) => assert_mentions(e.problem(), &["file"]),
        }
    }
    assert!(
        partial > bytes.len() / 2,
        "most cuts keep the packets before them"
    );
    assert!(
        at_boundary < bytes.len() / 10,
        "{at_boundary} cuts between packets"
    );
    assert!(!whole.repairs.cut_at_end);
}

#[test]
fn a_damaged_file_reads_or_says_why_and_never_panics() {
    let bytes = hand_built().to_perfetto_bytes();
    let (mut read, mut refused) = (0, 0);
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[i] ^= flip;
            match Trace::from_perfetto_bytes(&damaged) {
                Ok(t) => {
                    // Whatever was read is a trace every consumer can use.
                    let _ = t.summary();
                    read += 1;
                }
                Err(e) => {
                    assert!(!e.problem().is_empty());
                    refused += 1;
                }
            }
        }
    }
    assert!(read > 0 && refused > 0, "{read} read, {refused} refused");
}

#[test]
fn bytes_that_are_not_a_trace_get_a_clear_error() {
    for (bytes, words) in [
        (&b""[..], &["empty"][..]),
        (b"{\"traceEvents\":[]}", &["not a Perfetto", "0x7b"]),
        (b"\x1f\x8b\x08\x00", &["not a Perfetto", "0x1f"]),
        (b"\x0a\x05\xff\xff\xff\xff\xff", &["packet 1", "damaged"]),
    ] {
        let err = Trace::from_perfetto_bytes(bytes).unwrap_err();
        assert_mentions(err.problem(), words);
    }
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.pftrace");
    let err = Trace::read_perfetto(&missing).unwrap_err();
    assert_mentions(&err.to_string(), &["none.pftrace", "check the path"]);
    let nowhere = dir.path().join("no-dir").join("t.pftrace");
    let err = hand_built().write_perfetto(&nowhere).unwrap_err();
    assert_mentions(
        &err.to_string(),
        &["t.pftrace", "does its directory exist?"],
    );
}
