//! The edges of the Chrome JSON reader: a file read end to end whose
//! summary is worked out by hand, bytes that are not UTF-8, a byte-order
//! mark, ids and times too large for their types, and properties: any
//! well-nested trace survives a write and a read, and no input makes the
//! reader panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logprof_trace::{Lane, Losses, Span, Trace};
use proptest::prelude::*;

use crate::support::failures_beside_source;
use crate::support::messages::assert_mentions;

/// Writes `bytes` to `name` in `dir` and returns the path.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The problem `text` has, read from a file (whose path the error must
/// carry).
fn read_problem(text: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "edge.json", text);
    let err = Trace::read_chrome_json(&path).unwrap_err();
    assert_eq!(err.path, path);
    assert!(err.to_string().starts_with(&path.display().to_string()));
    err.problem
}

/// Another tool's file, mixing `X` and `B`/`E`, exponents and a time that
/// needs rounding, read from disk; its summary worked out by hand.
#[test]
fn summary_of_a_file_read_end_to_end() {
    let text = r#"{"traceEvents":[
        {"ph":"M","name":"thread_name","pid":7,"tid":1,"args":{"name":"worker-1"}},
        {"ph":"M","name":"thread_name","pid":7,"tid":2,"args":{"name":"worker-2"}},
        {"ph":"X","name":"column","pid":7,"tid":1,"ts":1e2,"dur":32},
        {"ph":"X","name":"pixel","pid":7,"tid":1,"ts":110,"dur":5.0005},
        {"ph":"B","name":"column","pid":7,"tid":2,"ts":1.32e2},
        {"ph":"E","name":"column","pid":7,"tid":2,"ts":164},
        {"ph":"B","name":"column","pid":7,"tid":2,"ts":164.000},
        {"ph":"E","pid":7,"tid":2,"ts":1.96E+2}
    ]}"#;
    let dir = tempfile::tempdir().unwrap();
    let trace = Trace::read_chrome_json(file(dir.path(), "run.json", text.as_bytes())).unwrap();

    // Thread 1: column 100..132 µs, pixel 110 µs + 5000.5 ns, rounded up
    // to 5001 ns, nested in it (depth 1 by containment).
    let spans = |lane: &Lane| -> Vec<(String, u64, u64, u32)> {
        lane.spans
            .iter()
            .map(|s| (trace.name(s.name).to_owned(), s.start_ns, s.end_ns, s.depth))
            .collect()
    };
    let s = |name: &str, start, end, depth| (name.to_owned(), start, end, depth);
    assert_eq!(
        spans(&trace.lanes[0]),
        [
            s("column", 100_000, 132_000, 0),
            s("pixel", 110_000, 115_001, 1)
        ]
    );
    // Thread 2: column 132..164 µs and 164..196 µs, back to back.
    assert_eq!(
        spans(&trace.lanes[1]),
        [
            s("column", 132_000, 164_000, 0),
            s("column", 164_000, 196_000, 0)
        ]
    );

    let summary = trace.summary();
    // Region: 100 µs (thread 1's first start) to 196 µs (thread 2's last
    // end): wall 96 µs, more than either thread is busy.
    assert_eq!(summary.wall_ns, 96_000);
    // Busy: thread 1 32 µs (the pixel is inside the column), thread 2
    // 32 + 32 = 64 µs. Idle: 64 and 32 µs.
    let busy: Vec<(u64, u64)> = summary
        .lanes
        .iter()
        .map(|l| (l.busy_ns, l.idle_ns))
        .collect();
    assert_eq!(busy, [(32_000, 64_000), (64_000, 32_000)]);
    // Utilisation busy / wall: 32/96 = 1/3 and 64/96 = 2/3 (IEEE division
    // rounds both sides the same way, so these compare exactly).
    assert_eq!(summary.lanes[0].utilisation, 1.0 / 3.0);
    assert_eq!(summary.lanes[1].utilisation, 2.0 / 3.0);
    // mean = (32 + 64) / 2 = 48 µs, max = 64 µs.
    assert_eq!(summary.mean_busy_ns, 48_000.0);
    assert_eq!(summary.max_busy_ns, 64_000);
    // load balance = mean / max = 48 / 64 = 0.75 (mean / wall: 0.5).
    assert_eq!(summary.load_balance, 0.75);
    // parallel efficiency = mean / wall = 48 / 96 = 0.5 (mean / max: 0.75).
    assert_eq!(summary.parallel_efficiency, 0.5);
    // imbalance = max - mean = 16 µs.
    assert_eq!(summary.imbalance_ns, 16_000.0);
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_with_their_offset() {
    // 0xFF inside a name, after its quote and an `a`.
    let mut text = br#"[{"ph":"X","pid":1,"name":"#.to_vec();
    let offset = text.len() + 2;
    text.extend_from_slice(b"\"a\xffb\",\"tid\":1,\"ts\":0,\"dur\":1}]");
    let problem = read_problem(&text);
    assert_mentions(
        &problem,
        &["not UTF-8", &format!("invalid byte at offset {offset}")],
    );
    // A UTF-16 file (with its byte-order mark) is not UTF-8 from byte 0.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("[]".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_mentions(&read_problem(&utf16), &["not UTF-8", "offset 0"]);
}

/// Perfetto and `chrome://tracing` accept a UTF-8 byte-order mark, as
/// Windows tools write one; so does this reader, in both forms.
#[test]
fn a_utf8_byte_order_mark_is_skipped() {
    let event = r#"{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":2}"#;
    let dir = tempfile::tempdir().unwrap();
    for (i, body) in [
        format!("[{event}]"),
        format!("{{\"traceEvents\":[{event}]}}"),
    ]
    .iter()
    .enumerate()
    {
        let with_bom = [b"\xEF\xBB\xBF", body.as_bytes()].concat();
        let path = file(dir.path(), &format!("bom{i}.json"), &with_bom);
        let trace = Trace::read_chrome_json(&path).unwrap();
        assert_eq!(trace.lanes[0].spans, [Span::new(0, 1_000, 3_000, 0)]);
        let from_str = Trace::from_chrome_json_str(&format!("\u{feff}{body}")).unwrap();
        assert_eq!(from_str, trace);
    }
    // Only one, and only at the start: a second one is not JSON.
    let twice = format!("\u{feff}\u{feff}[{event}]");
    assert!(Trace::from_chrome_json_str(&twice).is_err());
}

/// A `Lane` holds a 32-bit pid (as Chrome and Perfetto do): a larger one is
/// never wrapped to a small pid that would merge two processes' threads; it
/// is a lane of its own, under a text id, and counted.
#[test]
fn a_pid_above_32_bits_is_its_own_lane_not_a_wrap() {
    let event = |pid: &str| {
        format!(
            r#"[{{"ph":"X","name":"f","pid":{pid},"tid":1,"ts":0,"dur":1}},
                              {{"ph":"X","name":"f","pid":0,"tid":1,"ts":0,"dur":1}}]"#
        )
    };
    let trace = Trace::from_chrome_json_str(&event("4294967295")).unwrap();
    assert_eq!(trace.lanes[1].pid, u32::MAX);
    for pid in [
        "4294967296",
        "\"4294967296\"",
        "4294967296.0",
        "18446744073709551616",
    ] {
        let trace = Trace::from_chrome_json_str(&event(pid)).unwrap();
        assert_eq!(trace.lanes.len(), 2, "{pid}");
        assert!(trace.lanes[1].pid >= 1 << 31, "{pid}");
        assert_eq!(trace.repairs.text_ids, 1, "{pid}");
    }
    // A tid is 64 bits: 2^64 is a lane of its own, named by its number.
    let tid = r#"[{"ph":"X","name":"f","pid":1,"tid":18446744073709551616,"ts":0,"dur":1}]"#;
    let trace = Trace::from_chrome_json_str(tid).unwrap();
    assert!(trace.lanes[0].thread_name.starts_with("1844674407370955"));
    assert_eq!(trace.repairs.text_ids, 1);
}

/// A span must end by 2^64 - 1 ns: an event with `ts + dur` past it is
/// skipped and counted (the sum is checked, so a debug build does not panic
/// and a release build does not wrap to a span that ends before it starts).
#[test]
fn ts_plus_dur_past_2_64_ns_is_skipped() {
    let event = |ts: &str, dur: &str| {
        format!(r#"[{{"ph":"X","name":"f","pid":1,"tid":1,"ts":{ts},"dur":{dur}}}]"#)
    };
    // Exactly u64::MAX ns is the last instant a span can reach.
    let trace = Trace::from_chrome_json_str(&event("18446744073709551.614", "0.001")).unwrap();
    assert_eq!(trace.lanes[0].spans[0].end_ns, u64::MAX);
    for (ts, dur) in [
        ("18446744073709551.615", "0.001"),
        ("1.8446744073709551e16", "1e3"),
        ("9223372036854775.808", "9223372036854775.808"),
    ] {
        let trace = Trace::from_chrome_json_str(&event(ts, dur)).unwrap();
        assert!(trace.is_empty());
        assert_eq!(trace.repairs.bad_times, 1);
    }
}

/// Found by the round-trip property: a span called "" came back as
/// `<unnamed>`. On an `E`, an empty name still means no name.
#[test]
fn a_span_called_the_empty_name_round_trips() {
    let mut trace = Trace::new();
    let empty = trace.intern("");
    trace
        .lanes
        .push(Lane::with_spans(1, 1, "t", [Span::new(empty, 0, 5, 0)]));
    let text = trace.to_chrome_json();
    assert_eq!(Trace::from_chrome_json_str(&text).unwrap(), trace);
    let begin_end = r#"[{"ph":"B","name":"f","pid":1,"tid":1,"ts":0},
                        {"ph":"E","name":"","pid":1,"tid":1,"ts":1}]"#;
    let read = Trace::from_chrome_json_str(begin_end).unwrap();
    assert_eq!(read.names, ["f"]);
    assert_eq!(read.lanes[0].spans, [Span::new(0, 0, 1_000, 0)]);
}

// Properties.

/// One span of a generated lane: the gap before it, its length, the depth
/// it asks for (capped by the spans open), its name and task.
type SpanPlan = (u64, u64, u8, usize, Option<u64>);

/// Lays out the plan of one lane from `base`: each span starts `gap` after
/// the previous sibling's end (or its parent's start), lasts `len`, and is
/// clamped into its parent, so the spans are ordered and well nested.
fn lay_out(base: u64, plan: &[SpanPlan], names: usize) -> Vec<Span> {
    let mut spans = Vec::new();
    // Ends of the spans open around the next one, outermost first.
    let mut open: Vec<u64> = Vec::new();
    let mut cursor = base;
    for &(gap, len, want_depth, name, task) in plan {
        while open.len() > usize::from(want_depth) {
            cursor = cursor.max(open.pop().unwrap());
        }
        let limit = open.last().copied().unwrap_or(u64::MAX);
        let start = cursor.saturating_add(gap).min(limit);
        let end = start.saturating_add(len).min(limit);
        let span = Span::new((name % names) as u32, start, end, open.len() as u32);
        spans.push(match task {
            Some(t) => span.in_task(t),
            None => span,
        });
        open.push(end);
        cursor = start;
    }
    spans
}

/// Traces of well-nested spans: distinct names (some awkward, the empty one
/// included), lanes with distinct `(pid, tid)`, times from 0 up to the
/// largest nanosecond, tasks, losses and a process name.
fn traces() -> impl Strategy<Value = Trace> {
    let names = prop::collection::btree_set("[a-z\"\\\\\n é✓]{0,6}", 1..6);
    let span = (
        prop_oneof![0..50u64, 0..1u64 << 40],
        prop_oneof![0..50u64, 0..1u64 << 40],
        0u8..4,
        any::<usize>(),
        prop::option::of(0..4u64),
    );
    let lane = (
        prop_oneof![0..1000u64, any::<u64>()],
        "[a-z0-9 -]{0,8}",
        prop::collection::vec(span, 0..12),
    );
    let lanes = prop::collection::btree_map((0u32..3, 0u64..5), lane, 0..5);
    let losses = (0..3u64, 0..3u64, 0..3u64);
    (names, lanes, prop::option::of("[a-z]{0,5}"), losses).prop_map(
        |(names, lanes, process_name, (o, u, c))| {
            let names: Vec<String> = names.into_iter().collect();
            let lanes: BTreeMap<_, _> = lanes;
            Trace {
                process_name,
                lanes: lanes
                    .into_iter()
                    .map(|((pid, tid), (base, thread_name, plan))| {
                        Lane::with_spans(pid, tid, thread_name, lay_out(base, &plan, names.len()))
                    })
                    .collect(),
                names,
                losses: Losses {
                    overwritten_events: o,
                    unmatched_exits: u,
                    unclosed_enters: c,
                    dropped_events: 0,
                },
                ..Trace::default()
            }
        },
    )
}

/// A value of any field of an event: the kinds of numbers and strings that
/// trip readers up, and shapes no field should have.
fn json_values() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "-0",
            "1",
            "-1",
            "1.5",
            "0.0005",
            "1e3",
            "1E-3",
            "2.5E+2",
            "-1e-4",
            "1e400",
            "1e-400",
            "1e99999999999999999999",
            "4294967296",
            "18446744073709551615",
            "18446744073709551616",
            "18446744073709551.615",
            "-9223372036854775809",
            "\"X\"",
            "\"B\"",
            "\"E\"",
            "\"M\"",
            "\"i\"",
            "\"thread_name\"",
            "\"process_name\"",
            "\"5\"",
            "\"\"",
            "\"\\u00e9\"",
            "null",
            "true",
            "[]",
            "[1,{}]",
            "{}",
            "{\"depth\":1,\"task\":2,\"name\":\"t\"}",
            "{\"depth\":4294967296,\"task\":-1}",
            "{\"name\":7}",
        ])
        .prop_map(str::to_owned),
        any::<u64>().prop_map(|v| v.to_string()),
        (any::<u32>(), 0u32..1000).prop_map(|(a, b)| format!("{a}.{b:03}")),
        any::<f64>().prop_map(|v| if v.is_finite() {
            format!("{v:e}")
        } else {
            "0".into()
        }),
    ]
}

/// Arrays of events made of the fields the reader looks at (and one it
/// does not), in the array or the object form, sometimes with
/// `otherData.logprof`, sometimes cut short.
fn json_traces() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "ph", "ph", "ph", "name", "pid", "tid", "ts", "ts", "dur", "args", "cat",
    ]);
    let event = prop::collection::vec((key, json_values()), 0..7).prop_map(|fields| {
        let members: Vec<String> = fields
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", members.join(","))
    });
    let events = prop::collection::vec(event, 0..12).prop_map(|e| e.join(",\n"));
    (events, 0u8..3, any::<bool>(), any::<prop::sample::Index>()).prop_map(
        |(events, form, cut, at)| {
            let text = match form {
                0 => format!("[{events}]"),
                1 => format!("{{\"traceEvents\":[{events}]}}"),
                _ => format!(
                    "{{\"traceEvents\":[{events}],\"otherData\":{{\"logprof\":\
                     {{\"names\":[\"a\",\"b\"],\"losses\":{{}}}}}}}}"
                ),
            };
            if cut {
                let mut end = at.index(text.len() + 1);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text[..end].to_owned()
            } else {
                text
            }
        },
    )
}

/// What every trace the reader returns must hold, whatever the input.
fn check_read_trace(trace: &Trace) {
    for pair in trace.lanes.windows(2) {
        assert!((pair[0].pid, pair[0].tid) < (pair[1].pid, pair[1].tid));
    }
    for span in trace.lanes.iter().flat_map(|l| &l.spans) {
        assert!(span.start_ns <= span.end_ns, "{span:?}");
        assert!((span.name as usize) < trace.names.len(), "{span:?}");
    }
    // The summary of anything read is defined too (no overflow).
    let summary = trace.summary();
    assert!(summary.wall_ns >= summary.max_busy_ns);
}

proptest! {
    // 256 cases unless `PROPTEST_CASES` says otherwise (the long run in
    // TESTING.md).
    #![proptest_config(failures_beside_source(ProptestConfig::default()))]

    /// Written and read back, a trace of ordered, well-nested spans is the
    /// same trace: names, times in nanoseconds, depths, tasks, lanes,
    /// losses.
    #[test]
    fn written_traces_read_back_equal(trace in traces()) {
        let text = trace.to_chrome_json();
        let read = Trace::from_chrome_json_str(&text);
        prop_assert_eq!(read.as_ref(), Ok(&trace), "{}", text);
    }

    /// Arbitrary bytes give a trace or an error, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "noise.json", &bytes);
        if let Ok(trace) = Trace::read_chrome_json(&path) {
            check_read_trace(&trace);
        }
    }

    /// Event arrays made of the fields the reader uses, with values of
    /// every awkward kind, give a sound trace or an error, never a panic.
    #[test]
    fn json_like_event_arrays_never_panic(text in json_traces()) {
        if let Ok(trace) = Trace::from_chrome_json_str(&text) {
            check_read_trace(&trace);
        }
    }
}

/// One file through the disk, as the CLI reads it, for the property above
/// that checks text only.
#[test]
fn a_generated_trace_round_trips_through_a_file() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let dir = tempfile::tempdir().unwrap();
    let (mut deepest, mut task_slices) = (0, 0);
    for i in 0..8 {
        let trace = traces().new_tree(&mut runner).unwrap().current();
        let path = dir.path().join(format!("trace{i}.json"));
        trace.write_chrome_json(&path).unwrap();
        assert_eq!(Trace::read_chrome_json(&path).unwrap(), trace);
        let spans = || trace.lanes.iter().flat_map(|l| &l.spans);
        deepest = spans().map(|s| s.depth).max().unwrap_or(0).max(deepest);
        task_slices += spans().filter(|s| s.task.is_some()).count();
    }
    // The generator makes what the property is about: nesting and tasks.
    assert!(deepest >= 2 && task_slices > 0, "{deepest} {task_slices}");
}
