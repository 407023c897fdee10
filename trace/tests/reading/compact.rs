//! logprof's compact format, `.lpt`: every field of a trace round-trips
//! (hand-built traces, generated ones, every real trace of
//! `../shared/realtraces`); a file cut at any byte reads up to its last
//! whole chunk and says so; damaged bytes are an error or a trace, never a
//! panic; the footer indexes every chunk; files are told apart by their
//! magic number, whatever their name.

use std::collections::{BTreeMap, BTreeSet};

use logprof_trace::compact::{self, ChunkKind};
use logprof_trace::{
    CounterTrack, InstantEvent, Lane, Losses, MessageSide, MpiCall, OffCpu, OffCpuKind,
    OffCpuStatus, Repairs, Span, Trace, TraceFormat,
};
use proptest::prelude::*;

fn to_lpt(trace: &Trace) -> Vec<u8> {
    let mut bytes = Vec::new();
    trace.write_lpt_to(&mut bytes).unwrap();
    bytes
}

/// A trace holding one of everything a trace can hold.
fn everything() -> Trace {
    let mut t = Trace::new();
    let work = t.intern("work");
    let send = t.intern("MPI_Send");
    let tick = t.intern("tick é✓");
    let phase = t.intern("phase");
    t.mark_region(phase);
    let lock = t.intern("lock");
    t.mark_wait(lock);
    t.mark_wait(phase);
    t.process_name = Some("static schedule".into());
    t.process_names.insert(2, "rank 2".into());
    t.metadata
        .insert("clock_offsets_ns".into(), serde_json::json!([0, -12, 3.5]));
    let mut lane = Lane::with_spans(
        7,
        1,
        "main",
        [
            Span::new(phase, 100, 10_000, 0),
            Span::new(work, 150, 900, 1).with_value(-3).with_result(42),
            Span::new(work, 1_000, 1_000, 1).in_task(u64::MAX).cut_off(),
            Span {
                mpi: Some(Box::new(MpiCall {
                    side: MessageSide::Receive,
                    peer: 3,
                    tag: -7,
                    seq: 9,
                    bytes: 1 << 40,
                })),
                ..Span::new(send, 2_000, 2_500, 1)
            },
            Span::new(work, u64::MAX - 5, u64::MAX, 0),
        ],
    );
    lane.instants = vec![
        InstantEvent {
            name: tick,
            ts_ns: 5,
        },
        InstantEvent {
            name: tick,
            ts_ns: 3_000,
        },
    ];
    lane.off_cpu = vec![
        OffCpu::new(300, 400, OffCpuKind::Preempted),
        OffCpu {
            cpu: Some(3),
            ..OffCpu::new(5_000, 6_000, OffCpuKind::Blocked)
        },
    ];
    lane.start_cpu = Some(1);
    t.lanes.push(lane);
    t.lanes.push(Lane::new(7, 2, "idle"));
    t.lanes.push(Lane::with_spans(
        2,
        u64::MAX,
        "rank",
        [Span::new(send, 0, 1, 0)],
    ));
    t.counters.push(CounterTrack {
        pid: 7,
        name: "bytes".into(),
        samples: vec![(10, 1.5), (5, -0.0), (20, 1.0e15)],
    });
    t.losses = Losses {
        overwritten_events: 1,
        unmatched_exits: 2,
        unclosed_enters: 3,
        dropped_events: 4,
    };
    t.repairs = Repairs {
        unclosed_begins: 1,
        stray_ends: 2,
        complete_without_dur: 3,
        bad_times: 4,
        text_times: 5,
        text_ids: 6,
        trailing_commas: 7,
        cut_at_end: false,
        not_drawn: BTreeMap::from([("flow (s/t/f)".to_owned(), 8)]),
        from_other_tool: true,
    };
    t.off_cpu = OffCpuStatus::Recorded { lost_switches: 5 };
    t.cores = Some(64);
    t
}

#[test]
fn every_field_of_a_trace_round_trips() {
    let t = everything();
    assert_eq!(Trace::read_lpt_from(&to_lpt(&t)[..]).unwrap(), t);
    for status in [
        OffCpuStatus::NotRecorded,
        OffCpuStatus::Disabled,
        OffCpuStatus::Unavailable("EACCES: perf_event_paranoid is 4".into()),
    ] {
        let t = Trace {
            off_cpu: status,
            ..everything()
        };
        assert_eq!(Trace::read_lpt_from(&to_lpt(&t)[..]).unwrap(), t);
    }
    // An empty trace, and a span whose end is before its start (hand-built).
    let mut odd = Trace::new();
    assert_eq!(Trace::read_lpt_from(&to_lpt(&odd)[..]).unwrap(), odd);
    odd.lanes.push(Lane::new(1, 1, ""));
    odd.lanes[0].spans.push(Span {
        end_ns: 3,
        ..Span::new(9, 10, 10, 0)
    });
    assert_eq!(Trace::read_lpt_from(&to_lpt(&odd)[..]).unwrap(), odd);
}

#[test]
fn a_file_is_written_atomically_and_read_by_its_magic_number_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let t = everything();
    let lpt = dir.path().join("run.lpt");
    t.write_file(&lpt).unwrap();
    assert_eq!(
        TraceFormat::of_bytes(&std::fs::read(&lpt).unwrap()),
        Some(TraceFormat::Compact)
    );
    // Renamed to .json, it is still read as .lpt.
    let disguised = dir.path().join("run.json");
    std::fs::rename(&lpt, &disguised).unwrap();
    assert_eq!(Trace::read_file(&disguised).unwrap(), t);
    // Written to .json, Chrome JSON, read back as such.
    let json = dir.path().join("other.json");
    t.write_file(&json).unwrap();
    assert_eq!(
        TraceFormat::of_bytes(&std::fs::read(&json).unwrap()),
        Some(TraceFormat::ChromeJson)
    );
    assert!(std::fs::read_to_string(&json)
        .unwrap()
        .contains("traceEvents"));
    let back = Trace::read_file(&json).unwrap();
    assert_eq!(back.span_count(), t.span_count());
    assert_eq!(
        TraceFormat::for_path("x.LPT".as_ref()),
        TraceFormat::Compact
    );
}

/// The number of spans, instants, intervals and samples of a trace.
fn items(t: &Trace) -> usize {
    t.lanes
        .iter()
        .map(|l| l.spans.len() + l.instants.len() + l.off_cpu.len())
        .sum::<usize>()
        + t.counters.iter().map(|c| c.samples.len()).sum::<usize>()
}

#[test]
fn a_file_cut_at_any_byte_reads_its_whole_chunks_and_says_it_is_cut() {
    let t = everything();
    let bytes = to_lpt(&t);
    let index = compact::read_index_of(&bytes).unwrap();
    let mut previous_items = 0;
    for cut in 0..bytes.len() {
        let result = Trace::read_lpt_from(&bytes[..cut]);
        if cut < compact::HEADER_LEN {
            let err = result.unwrap_err().to_string();
            assert!(err.contains("cut off") || cut == 0, "cut at {cut}: {err}");
            continue;
        }
        let read = result.unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert!(read.repairs.cut_at_end, "cut at {cut} not said");
        assert!(
            read.repairs
                .sentences()
                .iter()
                .any(|s| s.contains("cut off")),
            "cut at {cut}"
        );
        // Exactly the chunks that end before the cut are read.
        let whole = index
            .iter()
            .filter(|e| e.kind == ChunkKind::Spans && chunk_end(&bytes, e.offset) <= cut)
            .count();
        let spans_chunks_read = read.lanes.iter().filter(|l| !l.spans.is_empty()).count();
        assert_eq!(spans_chunks_read, whole, "cut at {cut}");
        let n = items(&read);
        assert!(n >= previous_items, "a longer prefix reads no less");
        previous_items = n;
    }
    let whole = Trace::read_lpt_from(&bytes[..]).unwrap();
    assert!(!whole.repairs.cut_at_end);
    assert_eq!(whole, t);
}

/// The end of the chunk whose frame starts at `offset`.
fn chunk_end(bytes: &[u8], offset: u64) -> usize {
    let at = offset as usize;
    let stored = u32::from_le_bytes(bytes[at + 2..at + 6].try_into().unwrap()) as usize;
    at + 10 + stored
}

#[test]
fn the_footer_indexes_every_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.lpt");
    let t = everything();
    t.write_lpt(&path).unwrap();
    let index = compact::read_index(&path).unwrap();
    let kinds: Vec<ChunkKind> = index.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.first(), Some(&ChunkKind::Names));
    assert_eq!(kinds.last(), Some(&ChunkKind::Info));
    assert_eq!(kinds.iter().filter(|k| **k == ChunkKind::Lane).count(), 3);
    let spans = index.iter().find(|e| e.kind == ChunkKind::Spans).unwrap();
    assert_eq!(
        (spans.lane, spans.first_ns, spans.last_ns),
        (Some(0), 100, u64::MAX)
    );
    // Every offset is a frame of the kind listed.
    let bytes = std::fs::read(&path).unwrap();
    for e in &index {
        assert_eq!(bytes[e.offset as usize], e.kind as u8);
    }
    // A cut file has no index, and says why.
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    let err = compact::read_index(&path).unwrap_err().to_string();
    assert!(err.contains("no footer"), "{err}");
}

#[test]
fn bad_magic_a_newer_version_and_an_unknown_codec_are_clear_errors() {
    let mut bytes = to_lpt(&everything());
    let mut other = bytes.clone();
    other[0] = b'{';
    let err = Trace::read_lpt_from(&other[..]).unwrap_err().to_string();
    assert!(err.contains("not a logprof .lpt trace"), "{err}");
    let mut newer = bytes.clone();
    newer[8..10].copy_from_slice(&(compact::VERSION + 1).to_le_bytes());
    let err = Trace::read_lpt_from(&newer[..]).unwrap_err().to_string();
    assert!(
        err.contains("newer logprof") && err.contains("update"),
        "{err}"
    );
    bytes[compact::HEADER_LEN + 1] = 9; // the first chunk's codec
    let err = Trace::read_lpt_from(&bytes[..]).unwrap_err().to_string();
    assert!(
        err.contains("codec 9") && err.contains("at byte 12"),
        "{err}"
    );
    // Through a file: the error names it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.lpt");
    std::fs::write(&path, &newer).unwrap();
    let err = Trace::read_file(&path).unwrap_err().to_string();
    assert!(err.starts_with(&path.display().to_string()), "{err}");
}

#[test]
fn damaged_bytes_are_an_error_or_a_trace_never_a_panic() {
    let bytes = to_lpt(&everything());
    for at in compact::HEADER_LEN..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[at] ^= flip;
            let _ = Trace::read_lpt_from(&bad[..]);
        }
    }
}

/// An events chunk whose count says fewer events than it holds: an error
/// that says so, read whole and in one pass, not a trace of part of it.
#[test]
fn an_events_chunk_with_bytes_past_its_end_is_an_error() {
    let mut w = compact::LptWriter::new(Vec::new(), compact::FLAG_STREAMED).unwrap();
    w.names(&["a"]).unwrap();
    let lane = w.lane(1, 1, "main", None).unwrap();
    let mut batch = compact::EventsBatch::new();
    batch.push_call(Some(0), 100, 120);
    batch.push_call(Some(0), 130, 140);
    w.write_events(lane, &mut batch).unwrap();
    let (mut bytes, _) = w.finish(&Trace::new()).unwrap();
    let index = compact::read_index_of(&bytes).unwrap();
    let chunk = index.iter().find(|e| e.kind == ChunkKind::Events).unwrap();
    // The payload: lane (1 byte), count (1 byte), ...
    let count = chunk.offset as usize + 10 + 1;
    assert_eq!(bytes[count], 4);
    bytes[count] = 3;
    let whole = Trace::read_lpt_from(&bytes[..]).unwrap_err().to_string();
    assert!(whole.contains("bytes past its end"), "{whole}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.lpt");
    std::fs::write(&path, &bytes).unwrap();
    let pass = Trace::summarize_lpt(&path).unwrap_err().to_string();
    assert!(pass.contains("bytes past its end"), "{pass}");
}

/// The same of a streamed file's events chunks, read whole and in one
/// pass: calls across chunks, tasks, values, results, a break.
#[test]
fn damaged_events_chunks_are_an_error_or_a_trace_never_a_panic() {
    use logprof_trace::raw_events::kind;
    let mut w = compact::LptWriter::new(Vec::new(), compact::FLAG_STREAMED).unwrap();
    w.names(&["a", "b", "queue"]).unwrap();
    let lane = w.lane(1, 1, "main", None).unwrap();
    let mut batch = compact::EventsBatch::new();
    batch.push_timed(kind::ENTER, Some(0), 0, 100);
    batch.push_value(Some(0), 0, 7);
    batch.push_call(Some(1), 110, 120);
    w.write_events(lane, &mut batch).unwrap();
    batch.push_timed(kind::ENTER, Some(1), 3, 130);
    batch.push_break();
    batch.push_timed(kind::EXIT, Some(1), 3, 140);
    batch.push_value(Some(1), 3, 9);
    batch.push_timed(kind::EXIT, Some(0), 0, 150);
    batch.push_timed(kind::COUNTER, Some(2), 0, 160);
    batch.push_value(Some(2), 0, 2.5f64.to_bits());
    batch.push_timed(kind::INSTANT, None, 0, 170);
    w.write_events(lane, &mut batch).unwrap();
    let (bytes, _) = w.finish(&Trace::new()).unwrap();
    let whole = Trace::read_lpt_from(&bytes[..]).unwrap();
    // The break drops both calls open at it; their exits are unmatched.
    assert_eq!(whole.span_count(), 1);
    let losses = (whole.losses.unclosed_enters, whole.losses.unmatched_exits);
    assert_eq!(losses, (2, 2));
    assert_eq!(whole.counters[0].samples, [(160, 2.5)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.lpt");
    for at in compact::HEADER_LEN..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[at] ^= flip;
            let _ = Trace::read_lpt_from(&bad[..]);
            std::fs::write(&path, &bad).unwrap();
            let _ = Trace::summarize_lpt(&path);
        }
    }
}

/// Spans of any shape: names past the table, depths, tasks, values,
/// results, cut-off marks, message ends, ends before starts.
fn spans() -> impl Strategy<Value = Span> {
    let mpi = prop::option::of((
        any::<bool>(),
        any::<u32>(),
        any::<i32>(),
        any::<u64>(),
        any::<u64>(),
    ));
    (
        (
            0u32..8,
            any::<u64>(),
            any::<u64>(),
            prop_oneof![0u32..4, any::<u32>()],
        ),
        (
            prop::option::of(any::<u64>()),
            prop::option::of(any::<i64>()),
            prop::option::of(any::<i64>()),
            any::<bool>(),
            mpi,
        ),
    )
        .prop_map(
            |((name, start_ns, end_ns, depth), (task, value, result, unfinished, mpi))| Span {
                name,
                start_ns,
                end_ns,
                depth,
                task,
                value,
                result,
                unfinished,
                mpi: mpi.map(|(send, peer, tag, seq, bytes)| {
                    Box::new(MpiCall {
                        side: if send {
                            MessageSide::Send
                        } else {
                            MessageSide::Receive
                        },
                        peer,
                        tag,
                        seq,
                        bytes,
                    })
                }),
            },
        )
}

fn traces() -> impl Strategy<Value = Trace> {
    let off = (
        any::<u64>(),
        any::<u64>(),
        any::<bool>(),
        prop::option::of(any::<u32>()),
    )
        .prop_map(|(start_ns, end_ns, blocked, cpu)| OffCpu {
            start_ns,
            end_ns,
            kind: if blocked {
                OffCpuKind::Blocked
            } else {
                OffCpuKind::Preempted
            },
            cpu,
        });
    let lane = (
        (
            any::<u32>(),
            any::<u64>(),
            "[a-z é]{0,6}",
            prop::option::of(any::<u32>()),
        ),
        prop::collection::vec(spans(), 0..20),
        prop::collection::vec((0u32..8, any::<u64>()), 0..4),
        prop::collection::vec(off, 0..4),
    )
        .prop_map(
            |((pid, tid, name, start_cpu), spans, instants, off_cpu)| Lane {
                pid,
                tid,
                thread_name: name,
                spans,
                instants: instants
                    .into_iter()
                    .map(|(name, ts_ns)| InstantEvent { name, ts_ns })
                    .collect(),
                off_cpu,
                start_cpu,
            },
        );
    let counter = (
        any::<u32>(),
        "[a-z.]{0,5}",
        prop::collection::vec((any::<u64>(), any::<f64>()), 0..5),
    )
        .prop_map(|(pid, name, samples)| CounterTrack { pid, name, samples });
    (
        prop::collection::vec("[a-z\"\n é✓]{0,6}", 0..6),
        prop::collection::vec(lane, 0..4),
        prop::collection::vec(counter, 0..3),
        (
            prop::collection::btree_set(0u32..10, 0..3),
            prop::collection::btree_set(0u32..10, 0..3),
        ),
        (
            prop::option::of("[a-z]{0,5}"),
            prop::collection::btree_map(any::<u32>(), "[a-z ]{0,5}", 0..3),
        ),
        (
            any::<[u64; 4]>(),
            prop::option::of(any::<u32>()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                names,
                lanes,
                counters,
                (regions, waits),
                (process_name, process_names),
                (l, cores, cut),
            )| {
                Trace {
                    process_name,
                    process_names,
                    names,
                    region_names: regions.into_iter().collect::<BTreeSet<_>>(),
                    wait_names: waits,
                    lanes,
                    counters,
                    losses: Losses {
                        overwritten_events: l[0],
                        unmatched_exits: l[1],
                        unclosed_enters: l[2],
                        dropped_events: l[3],
                    },
                    repairs: Repairs {
                        cut_at_end: cut,
                        ..Repairs::default()
                    },
                    cores,
                    ..Trace::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_trace_round_trips(t in traces()) {
        let bytes = to_lpt(&t);
        let back = Trace::read_lpt_from(&bytes[..]).unwrap();
        // NaN samples compare unequal to themselves: compare their bits.
        prop_assert_eq!(format!("{back:?}"), format!("{t:?}"));
    }

    /// A batch built span by span (a streaming writer's way) writes the
    /// bytes a slice of spans writes, and its index entry's times.
    #[test]
    fn a_span_batch_writes_what_a_slice_of_spans_writes(
        spans in prop::collection::vec(spans(), 0..40),
    ) {
        let mut sliced = compact::LptWriter::new(Vec::new(), 0).unwrap();
        sliced.spans(3, &spans).unwrap();
        let mut batched = compact::LptWriter::new(Vec::new(), 0).unwrap();
        let mut batch = compact::SpanBatch::new();
        for s in &spans {
            if s.mpi.is_none() && !s.unfinished {
                batch.push(s.name, s.start_ns, s.end_ns, s.depth, s.task, s.value, s.result);
            } else {
                batch.push_span(s);
            }
        }
        prop_assert_eq!(batch.len(), spans.len());
        batched.write_spans(3, &mut batch).unwrap();
        prop_assert!(batch.is_empty());
        let (sliced, _) = sliced.finish(&Trace::new()).unwrap();
        let (batched, _) = batched.finish(&Trace::new()).unwrap();
        prop_assert_eq!(sliced, batched);
    }
}

/// Every real trace of `../shared/realtraces`: read as Chrome JSON, written
/// as `.lpt`, read back equal, and smaller.
#[test]
fn every_real_trace_round_trips_through_lpt() {
    let Some(dir) = super::realtraces::folder() else {
        eprintln!("no shared/realtraces folder: skipped");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let trace = Trace::read_chrome_json(&path).unwrap();
        let bytes = to_lpt(&trace);
        let back = Trace::read_lpt_from(&bytes[..]).unwrap();
        assert!(back == trace, "{} does not round-trip", path.display());
        let json = std::fs::metadata(&path).unwrap().len();
        assert!(
            (bytes.len() as u64) < json,
            "{}: .lpt {} B, JSON {json} B",
            path.display(),
            bytes.len()
        );
    }
}
