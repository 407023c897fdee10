//! Chrome Trace Event JSON: round trips through real files, files from other
//! tools, and the errors for files that are not traces.

use std::path::{Path, PathBuf};

use logprof::{Lane, Losses, Span, Trace};
use serde_json::Value;

use crate::support::messages::assert_mentions;
#[cfg(feature = "tracing")]
use crate::support::shape::shape;
use crate::support::slate::lock;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The spans of the lane `(pid, tid)` as `(name, start, end, depth)`.
fn spans_of(trace: &Trace, pid: u32, tid: u64) -> Vec<(String, u64, u64, u32)> {
    let lane = trace
        .lanes
        .iter()
        .find(|l| (l.pid, l.tid) == (pid, tid))
        .unwrap_or_else(|| panic!("no lane pid {pid} tid {tid} in {trace:?}"));
    lane.spans
        .iter()
        .map(|s| (trace.name(s.name).to_owned(), s.start_ns, s.end_ns, s.depth))
        .collect()
}

/// Two processes, several threads, nesting, a task that hops between threads
/// and one that does not, an empty lane, awkward names, huge times, losses.
fn hand_built_trace() -> Trace {
    let mut trace = Trace::new();
    let run = trace.intern("run");
    let column = trace.intern("juliaset_column");
    let odd = trace.intern("quote \" backslash \\ newline \n tab \t é ✓");
    let task = trace.intern("async task");
    trace.intern("never used");

    let main = Lane::with_spans(
        1,
        1,
        "main",
        [
            Span::new(run, 1_234_567, 9_000_000, 0),
            Span::new(column, 1_234_567, 2_000_001, 1),
            Span::new(odd, 1_500_000, 1_500_000, 2),
            Span::new(column, 2_000_001, 3_000_999, 1),
            Span::new(task, 4_000_000, 4_500_000, 1).in_task(7),
            Span::new(task, 6_000_000, 6_100_000, 1).in_task(7),
        ],
    );
    let worker = Lane::with_spans(
        1,
        2,
        "worker \"2\"",
        [
            Span::new(task, 5_000_000, 5_200_000, 0).in_task(7),
            Span::new(task, 5_300_000, 5_400_000, 0).in_task(9),
            Span::new(task, 5_500_000, 5_600_000, 0).in_task(9),
            Span::new(column, u64::MAX / 2, u64::MAX / 2 + 999, 0),
        ],
    );
    let idle = Lane::new(1, 3, "idle");
    let other = Lane::with_spans(
        42,
        1,
        "other process",
        [Span::new(run, 0, 1, 0).in_task(u64::MAX)],
    );
    trace.lanes = vec![main, worker, idle, other];
    trace.process_name = Some("static schedule".to_owned());
    trace.losses = Losses {
        overwritten_events: 3,
        unmatched_exits: 2,
        unclosed_enters: 1,
        dropped_events: 4,
    };
    trace.normalize();
    trace
}

#[test]
fn hand_built_trace_round_trips_through_a_file() {
    let trace = hand_built_trace();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.json");
    trace.write_chrome_json(&path).unwrap();
    let back = Trace::read_chrome_json(&path).unwrap();
    assert_eq!(back, trace);
    // Only the file itself is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // In memory too.
    assert_eq!(
        Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap(),
        trace
    );
}

#[test]
fn times_are_microseconds_with_three_decimals() {
    let text = hand_built_trace().to_chrome_json();
    assert!(text.contains(r#""ts":1234.567,"dur":7765.433"#), "{text}");
    assert!(text.contains(r#""ts":1500.000,"dur":0.000"#), "{text}");
    assert!(
        text.contains(r#""ts":9223372036854775.807,"dur":0.999"#),
        "{text}"
    );
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["displayTimeUnit"], "ns");
}

#[test]
fn file_layout_has_metadata_args_and_flows() {
    let trace = hand_built_trace();
    let json: Value = serde_json::from_str(&trace.to_chrome_json()).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    let with = |ph: &str| -> Vec<&Value> { events.iter().filter(|e| e["ph"] == ph).collect() };

    let thread_names: Vec<(u64, u64, &str)> = with("M")
        .into_iter()
        .filter(|e| e["name"] == "thread_name")
        .map(|e| {
            (
                e["pid"].as_u64().unwrap(),
                e["tid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        thread_names,
        [
            (1, 1, "main"),
            (1, 2, "worker \"2\""),
            (1, 3, "idle"),
            (42, 1, "other process")
        ]
    );
    let process_names: Vec<u64> = with("M")
        .into_iter()
        .filter(|e| e["name"] == "process_name" && e["args"]["name"] == "static schedule")
        .map(|e| e["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(process_names, [1, 42]);

    let complete = with("X");
    assert_eq!(complete.len(), trace.span_count());
    let nested = complete
        .iter()
        .find(|e| e["name"] == "quote \" backslash \\ newline \n tab \t é ✓")
        .unwrap();
    assert_eq!(nested["args"]["depth"], 2);
    assert!(nested["args"].get("task").is_none());
    let task = complete.iter().find(|e| e["args"]["task"] == 9).unwrap();
    assert_eq!(task["cat"], "task");

    // Task 7 runs on tid 1, then tid 2, then tid 1: two hops. Task 9 stays
    // on tid 2 and the task of pid 42 has one slice: no flows.
    let hop = |e: &Value| {
        (
            e["id"].as_u64().unwrap(),
            e["tid"].as_u64().unwrap(),
            e["ts"].as_f64().unwrap(),
        )
    };
    // Lane by lane: tid 1's slices come first in the file.
    let starts: Vec<_> = with("s").into_iter().map(hop).collect();
    let finishes: Vec<_> = with("f").into_iter().map(hop).collect();
    assert_eq!(starts, [(7, 1, 4000.0), (7, 2, 5000.0)]);
    assert_eq!(finishes, [(7, 1, 6000.0), (7, 2, 5000.0)]);
    assert!(with("f")
        .iter()
        .all(|e| e["bp"] == "e" && e["cat"] == "task"));

    let other = &json["otherData"]["logprof"];
    assert_eq!(other["losses"]["overwritten_events"], 3);
    assert_eq!(other["process_name"], "static schedule");
    assert_eq!(other["names"][4], "never used");
}

#[test]
fn empty_trace_round_trips() {
    let trace = Trace::new();
    let back = Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(back, trace);
    assert_eq!(back.process_name, None);
}

fn fib(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        logprof::record_fn!(fib(n - 1)) + logprof::record_fn!(fib(n - 2))
    }
}

#[test]
fn recorded_trace_round_trips_through_a_file() {
    let _lock = lock();
    logprof::init_buffer(1 << 14);
    let handles: Vec<_> = (0..3)
        .map(|i| {
            std::thread::Builder::new()
                .name(format!("chrome-worker-{i}"))
                .spawn(move || {
                    let _outer = logprof::scope!("worker");
                    logprof::record_fn!(fib(8 + i))
                })
                .unwrap()
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let mut trace = logprof::collect();
    trace.process_name = Some("recorded".to_owned());
    let ours: Vec<&Lane> = trace
        .lanes
        .iter()
        .filter(|l| l.thread_name.starts_with("chrome-worker-"))
        .collect();
    assert_eq!(ours.len(), 3);
    assert!(ours.iter().all(|l| l.spans.len() > 60));
    assert!(trace
        .lanes
        .iter()
        .any(|l| l.spans.iter().any(|s| s.depth >= 5)));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recorded.json");
    trace.write_chrome_json(&path).unwrap();
    let back = Trace::read_chrome_json(&path).unwrap();
    assert_eq!(back, trace);
}

#[cfg(feature = "tracing")]
#[test]
fn recorded_task_that_hops_threads_round_trips() {
    use tracing_subscriber::layer::SubscriberExt;

    let _lock = lock();
    logprof::init_buffer(1 << 12);
    let dispatch =
        tracing::Dispatch::new(tracing_subscriber::registry().with(logprof::TracingLayer::new()));
    let task = tracing::dispatcher::with_default(&dispatch, || tracing::info_span!("hopping"));
    for k in 0..3 {
        let task = task.clone();
        std::thread::Builder::new()
            .name(format!("hop-{k}"))
            .spawn(move || {
                let _entered = task.enter();
                let _inside = logprof::scope!("inside the task");
            })
            .unwrap()
            .join()
            .unwrap();
    }
    drop(task);
    let trace = logprof::collect();
    let tasks = trace.tasks();
    let slices = tasks
        .values()
        .find(|slices| slices.len() == 3)
        .unwrap_or_else(|| panic!("no task with three slices: {trace:?}"));
    let lanes: std::collections::BTreeSet<usize> = slices.iter().map(|&(li, _)| li).collect();
    assert_eq!(lanes.len(), 3);

    let text = trace.to_chrome_json();
    let json: Value = serde_json::from_str(&text).unwrap();
    let flows = |ph: &str| {
        json["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["ph"] == ph)
            .count()
    };
    assert_eq!((flows("s"), flows("f")), (2, 2));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tasks.json");
    trace.write_chrome_json(&path).unwrap();
    assert_eq!(Trace::read_chrome_json(&path).unwrap(), trace);
}

#[test]
fn tracing_chrome_shaped_file_reads_with_nesting() {
    let trace = Trace::read_chrome_json(data("tracing_chrome_like.json")).unwrap();
    let s = |name: &str, start, end, depth| (name.to_owned(), start, end, depth);
    // The args of other tools are their own: `depth: 99` and `task: 3` do
    // not change the nesting, and the async b/e and instant i are ignored.
    assert_eq!(
        spans_of(&trace, 1, 0),
        [
            s("outer", 10_500, 30_000, 0),
            s("inner", 12_250, 15_000, 1),
            s("inner", 15_000, 16_000, 1),
        ]
    );
    assert_eq!(spans_of(&trace, 1, 1), [s("inner", 13_000, 20_123, 0)]);
    assert_eq!(trace.lanes[0].thread_name, "main");
    assert_eq!(trace.lanes[1].thread_name, "1");
    assert!(trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .all(|s| s.task.is_none()));
    // The instant is kept on its lane, and names its mark.
    assert_eq!(trace.names, ["outer", "event src/main.rs:12", "inner"]);
    assert_eq!(trace.lanes[0].instants.len(), 1);
    assert_eq!(trace.process_name, None);
    assert!(trace.losses.is_empty());
}

#[cfg(feature = "tracing")]
#[test]
fn file_written_by_tracing_chrome_reads_with_nesting() {
    use tracing_subscriber::layer::SubscriberExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tracing-chrome.json");
    let (layer, guard) = tracing_chrome::ChromeLayerBuilder::new()
        .file(&path)
        .include_args(true)
        .build();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    std::thread::scope(|scope| {
        for i in 0..3 {
            let dispatch = dispatch.clone();
            std::thread::Builder::new()
                .name(format!("tc-{i}"))
                .spawn_scoped(scope, move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        // A field called `depth` must not become the depth.
                        let _outer = tracing::info_span!("outer", depth = 99u64).entered();
                        for k in 0..3 {
                            let _middle = tracing::info_span!("middle", k).entered();
                            let _inner = tracing::info_span!("inner").entered();
                            tracing::info!("an instant event, ignored");
                        }
                    })
                })
                .unwrap();
        }
    });
    drop(dispatch);
    drop(guard); // writes the closing `]`

    let trace = Trace::read_chrome_json(&path).unwrap();
    let lanes: Vec<&Lane> = trace
        .lanes
        .iter()
        .filter(|l| l.thread_name.starts_with("tc-"))
        .collect();
    assert_eq!(lanes.len(), 3, "{trace:?}");
    for lane in lanes {
        assert_eq!(
            shape(&trace, lane),
            [
                ("outer", 0),
                ("middle", 1),
                ("inner", 2),
                ("middle", 1),
                ("inner", 2),
                ("middle", 1),
                ("inner", 2),
            ]
        );
        // Children lie within their parents.
        let outer = &lane.spans[0];
        for pair in lane.spans[1..].chunks(2) {
            let (middle, inner) = (&pair[0], &pair[1]);
            assert!(outer.start_ns <= middle.start_ns && middle.end_ns <= outer.end_ns);
            assert!(middle.start_ns <= inner.start_ns && inner.end_ns <= middle.end_ns);
        }
    }
}

#[test]
fn unordered_begin_end_and_complete_events() {
    // Lane 1: P [0,100] holds c1 [10,20], c2 [20,30], a zero-length z at 40
    // and a complete x [50,60]. At 20 the file lists c2's B before c1's E:
    // c1 ends before c2 begins. At 40 z's B comes before its E: z is a
    // zero-length span. Lane 2 has E events without names.
    let text = r#"{"traceEvents":[
        {"ph":"E","name":"P","pid":1,"tid":1,"ts":100},
        {"ph":"B","name":"c2","pid":1,"tid":1,"ts":0.020},
        {"ph":"B","pid":1,"tid":2,"ts":5,"name":"b"},
        {"ph":"E","name":"c1","pid":1,"tid":1,"ts":0.02},
        {"ph":"E","pid":1,"tid":2,"ts":9},
        {"ph":"B","name":"P","pid":1,"tid":1,"ts":0},
        {"ph":"B","name":"z","pid":1,"tid":1,"ts":0.04},
        {"ph":"E","name":"z","pid":1,"tid":1,"ts":0.04},
        {"ph":"X","name":"x","pid":1,"tid":1,"ts":0.05,"dur":0.01},
        {"ph":"E","pid":1,"tid":2,"ts":7},
        {"ph":"B","name":"c1","pid":1,"tid":1,"ts":0.01},
        {"ph":"B","pid":1,"tid":2,"ts":0},
        {"ph":"E","name":"c2","pid":1,"tid":1,"ts":0.03}
    ]}"#;
    let trace = Trace::from_chrome_json_str(text).unwrap();
    let s = |name: &str, start, end, depth| (name.to_owned(), start, end, depth);
    assert_eq!(
        spans_of(&trace, 1, 1),
        [
            s("P", 0, 100_000, 0),
            s("c1", 10, 20, 1),
            s("c2", 20, 30, 1),
            s("z", 40, 40, 1),
            s("x", 50, 60, 1),
        ]
    );
    assert_eq!(
        spans_of(&trace, 1, 2),
        [s("<unnamed>", 0, 9_000, 0), s("b", 5_000, 7_000, 1)]
    );
    assert_eq!(trace.lanes[1].thread_name, "thread-2");
}

#[test]
fn complete_events_get_depth_from_containment() {
    let text = r#"[
        {"ph":"X","name":"leaf","pid":3,"tid":9,"ts":2,"dur":1},
        {"ph":"X","name":"root","pid":3,"tid":9,"ts":0,"dur":10},
        {"ph":"X","name":"mid","pid":3,"tid":9,"ts":1,"dur":5},
        {"ph":"X","name":"next","pid":3,"tid":9,"ts":10,"dur":2},
        {"ph":"C","name":"counter","pid":3,"ts":1,"args":{"value":3}},
        {"ph":"M","name":"process_name","pid":3,"args":{"name":"dagger"}},
        {"ph":"M","name":"thread_name","pid":3,"tid":9,"args":{"name":"worker 9"}}
    ]"#;
    let trace = Trace::from_chrome_json_str(text).unwrap();
    let s = |name: &str, start, end, depth| (name.to_owned(), start, end, depth);
    assert_eq!(
        spans_of(&trace, 3, 9),
        [
            s("root", 0, 10_000, 0),
            s("mid", 1_000, 6_000, 1),
            s("leaf", 2_000, 3_000, 2),
            s("next", 10_000, 12_000, 0),
        ]
    );
    assert_eq!(trace.process_name.as_deref(), Some("dagger"));
    assert_eq!(trace.lanes[0].thread_name, "worker 9");
}

#[test]
fn times_may_be_integers_decimals_or_exponents() {
    let text = r#"[
        {"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":0.0005},
        {"ph":"X","name":"b","pid":1,"tid":1,"ts":2.0004999,"dur":1e-3},
        {"ph":"X","name":"c","pid":"1","tid":1.0,"ts":3E3,"dur":0},
        {"ph":"X","name":"d","pid":1,"tid":1,"ts":18446744073709551.615,"dur":0},
        {"ph":"X","name":"e","pid":1,"tid":1,"ts":4.9995,"dur":-0.0}
    ]"#;
    let trace = Trace::from_chrome_json_str(text).unwrap();
    let s = |name: &str, start, end| (name.to_owned(), start, end, 0);
    assert_eq!(
        spans_of(&trace, 1, 1),
        [
            s("a", 1_000, 1_001),
            s("b", 2_000, 2_001),
            s("e", 5_000, 5_000),
            s("c", 3_000_000, 3_000_000),
            s("d", u64::MAX, u64::MAX),
        ]
    );
}

#[test]
fn array_without_its_closing_bracket_is_accepted() {
    let text = "[\n{\"ph\":\"B\",\"name\":\"f\",\"pid\":1,\"tid\":1,\"ts\":1},\n\
                {\"ph\":\"E\",\"name\":\"f\",\"pid\":1,\"tid\":1,\"ts\":2},\n";
    let trace = Trace::from_chrome_json_str(text).unwrap();
    assert_eq!(trace.span_count(), 1);
}

/// Writes `text` to a file, reads it, and returns the error's message,
/// which must name the file.
fn read_error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad trace.json");
    std::fs::write(&path, text).unwrap();
    let err = Trace::read_chrome_json(&path).unwrap_err();
    assert_eq!(err.path, path);
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "the message does not name the file: {message}"
    );
    message
}

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no such trace.json");
    let err = Trace::read_chrome_json(&path).unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert_mentions(&message, &["cannot read", "check the path"]);
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.to_string().contains("no such trace.json"));
}

#[test]
fn truncated_file_says_where() {
    let full = hand_built_trace().to_chrome_json();
    let cut = (0..=full.len() / 2)
        .rev()
        .find(|&i| full.is_char_boundary(i))
        .unwrap();
    // Cut before the first event: nothing to read.
    let head = &full[..full.find("\"traceEvents\":[").unwrap() + 16];
    let message = read_error(head);
    assert_mentions(&message, &["truncated", "EOF", "line", "column"]);
    // Cut later: the events before the cut are read, and the cut said.
    let trace = Trace::from_chrome_json_str(&full[..cut]).unwrap();
    assert!(trace.repairs.cut_at_end);
    assert!(trace.span_count() > 0);
}

#[test]
fn files_that_are_not_traces() {
    assert_mentions(&read_error(""), &["empty"]);
    assert_mentions(&read_error("{}"), &["not a trace", "traceEvents"]);
    assert_mentions(
        &read_error(r#"{"events":[]}"#),
        &["not a trace", "traceEvents"],
    );
    assert_mentions(
        &read_error("[1,2]"),
        &["not a valid trace", "trace event", "line 1 column 2"],
    );
    assert_mentions(
        &read_error(r#"[{"a":1},{"b":2}]"#),
        &["not a trace", "none of the 2 entries"],
    );
    assert_mentions(&read_error("hello"), &["not valid JSON", "line 1"]);
    assert_mentions(&read_error("[{\"ph\":\"X\",,}]"), &["not valid JSON"]);
    assert_mentions(&read_error("[]"), &["not a trace", "empty"]);
    assert_mentions(&read_error("42"), &["not a trace", "single JSON value"]);
    assert_mentions(
        &read_error(r#"{"traceEvents":{"ph":"X"}}"#),
        &["not a valid trace", "array"],
    );
}

#[test]
fn times_that_cannot_be_read_are_skipped_and_counted() {
    // What a reader cannot use is skipped and counted (the repairs are
    // tested one by one in chrome_repairs.rs); only the rest is kept.
    let text = r#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":5,"dur":-1},
        {"ph":"X","name":"f","pid":1,"tid":1,"ts":-5,"dur":1},
        {"ph":"X","name":"f","pid":1,"tid":1,"ts":1e30,"dur":1},
        {"ph":"B","name":"f","pid":1,"tid":1},
        {"ph":"X","name":"g","pid":1,"tid":1,"ts":1,"dur":1}]"#;
    let trace = Trace::from_chrome_json_str(text).unwrap();
    assert_eq!(trace.span_count(), 1);
    assert_eq!(trace.repairs.complete_without_dur, 1);
    assert_eq!(trace.repairs.bad_times, 3);
}

#[test]
fn writing_into_a_missing_directory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no such dir").join("trace.json");
    let err = hand_built_trace().write_chrome_json(&path).unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert_mentions(&message, &["cannot write", "directory"]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn writing_over_a_directory_fails_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a directory");
    std::fs::create_dir(&path).unwrap();
    let err = hand_built_trace().write_chrome_json(&path).unwrap_err();
    assert!(err.to_string().contains("a directory"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("a directory")]);
}
