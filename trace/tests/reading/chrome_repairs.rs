//! Files other tools write that Perfetto opens and a strict reader would
//! refuse: each is read, and each repair is counted in `Trace::repairs`.
//! Also the round trip of what logprof writes beyond spans: span values,
//! unfinished spans, instants and counters.

use logprof_trace::{CounterTrack, InstantEvent, Lane, Span, Trace};

fn read(text: &str) -> Trace {
    Trace::from_chrome_json_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `(name, start, end, depth, unfinished)` of each span of lane `index`.
fn spans(trace: &Trace, index: usize) -> Vec<(String, u64, u64, u32, bool)> {
    trace.lanes[index]
        .spans
        .iter()
        .map(|s| {
            let name = trace.name(s.name).to_owned();
            (name, s.start_ns, s.end_ns, s.depth, s.unfinished)
        })
        .collect()
}

#[test]
fn a_begin_never_closed_ends_with_its_lane_marked_unfinished() {
    let trace = read(
        r#"[{"ph":"B","name":"main","pid":1,"tid":1,"ts":1},
            {"ph":"B","name":"task","pid":1,"tid":1,"ts":2},
            {"ph":"E","pid":1,"tid":1,"ts":3},
            {"ph":"X","name":"late","pid":1,"tid":1,"ts":5,"dur":2}]"#,
    );
    assert_eq!(
        spans(&trace, 0),
        [
            ("main".into(), 1_000, 7_000, 0, true),
            ("task".into(), 2_000, 3_000, 1, false),
            ("late".into(), 5_000, 7_000, 1, false),
        ]
    );
    assert_eq!(trace.repairs.unclosed_begins, 1);
    assert!(trace.repairs.sentences()[0].starts_with("1 spans still open"));
}

#[test]
fn a_stray_end_and_a_complete_event_without_dur_are_skipped() {
    let trace = read(
        r#"[{"ph":"E","name":"f","pid":1,"tid":4,"ts":1},
            {"ph":"X","name":"g","pid":1,"tid":4,"ts":1},
            {"ph":"X","name":"h","pid":1,"tid":4,"ts":1,"dur":null},
            {"ph":"X","name":"k","pid":1,"tid":4,"ts":2,"dur":1}]"#,
    );
    assert_eq!(spans(&trace, 0), [("k".into(), 2_000, 3_000, 0, false)]);
    assert_eq!(trace.repairs.stray_ends, 1);
    assert_eq!(trace.repairs.complete_without_dur, 2);
}

#[test]
fn text_ids_are_lanes_named_by_the_text() {
    let trace = read(
        r#"{"traceEvents":[
            {"ph":"X","name":"k","pid":1,"tid":"stream 7","ts":1,"dur":1},
            {"ph":"X","name":"k","pid":1,"tid":"stream 7","ts":3,"dur":1},
            {"ph":"X","name":"p","pid":"Spans","tid":"PyTorch Profiler","ts":1,"dur":9},
            {"ph":"X","name":"c","pid":1,"tid":"12","ts":1,"dur":1},
            {"ph":"M","name":"process_name","pid":1,"tid":"-1","args":{"name":"python"}},
            {"ph":"M","name":"thread_name","pid":1,"tid":12,"args":{"name":""}}],
          "deviceProperties":[{"id":0}], "schemaVersion":1}"#,
    );
    let names: Vec<&str> = trace.lanes.iter().map(|l| l.thread_name.as_str()).collect();
    assert_eq!(names, ["thread-12", "stream 7", "PyTorch Profiler"]);
    assert_eq!(trace.lanes[1].spans.len(), 2);
    assert_eq!(trace.repairs.text_ids, 3);
    assert_eq!(trace.process_name.as_deref(), Some("python"));
    let processes: Vec<&str> = trace.process_names.values().map(String::as_str).collect();
    assert_eq!(processes, ["python", "Spans"]);
    // The ids are the same in every reading.
    assert_eq!(trace.lanes[1].tid, read(&trace_text_again()).lanes[0].tid);
}

fn trace_text_again() -> String {
    r#"[{"ph":"X","name":"other","pid":1,"tid":"stream 7","ts":50,"dur":1}]"#.to_owned()
}

#[test]
fn times_as_strings_and_display_time_unit_are_read() {
    let trace = read(
        r#"{"displayTimeUnit":"ns","traceEvents":[
            {"ph":"X","name":"f","pid":1,"tid":1,"ts":"11550183666","dur":"0.5"},
            {"ph":"B","name":"g","pid":1,"tid":1,"ts":11550183666.0005},
            {"ph":"E","name":"g","pid":1,"tid":1,"ts":11550183666.25}]}"#,
    );
    assert_eq!(
        spans(&trace, 0),
        [
            ("f".into(), 11_550_183_666_000, 11_550_183_666_500, 0, false),
            ("g".into(), 11_550_183_666_001, 11_550_183_666_250, 1, false),
        ]
    );
    assert_eq!(trace.repairs.text_times, 1);
}

#[test]
fn trailing_commas_and_cuts_are_passed_over_and_said() {
    let trace = read(r#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":1},]"#);
    assert_eq!((trace.span_count(), trace.repairs.trailing_commas), (1, 1));
    let trace = read(r#"{"traceEvents":[{"ph":"X","name":"f","ts":1,"dur":1},],"x":{"a":1,},}"#);
    assert_eq!((trace.span_count(), trace.repairs.trailing_commas), (1, 3));
    let cut = r#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":1},
                  {"ph":"X","name":"g","pid":1,"tid":1,"ts":3,"dur":1},
                  {"ph":"X","name":"h","pid":1,"ti"#;
    let trace = read(cut);
    assert_eq!(trace.span_count(), 2);
    assert!(trace.repairs.cut_at_end);
    let trace = read(&cut.replace(r#"{"ph":"X","name":"h","pid":1,"ti"#, ""));
    assert_eq!(trace.span_count(), 2);
    assert!(trace.repairs.cut_at_end);
}

#[test]
fn instants_and_counters_are_kept_and_other_kinds_counted() {
    let trace = read(
        r#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":9},
            {"ph":"i","name":"mark","pid":1,"tid":1,"ts":4,"s":"t"},
            {"ph":"I","name":"early","pid":1,"tid":1,"ts":2},
            {"ph":"i","name":"lost","pid":1,"tid":9,"ts":2,"s":"g"},
            {"ph":"C","name":"heap","pid":1,"ts":1,"args":{"used":10,"free":"x"}},
            {"ph":"C","name":"heap","pid":1,"ts":3,"args":{"used":12}},
            {"ph":"C","name":"queue","pid":1,"ts":3,"args":{"value":2.5}},
            {"ph":"b","name":"a","pid":1,"tid":1,"ts":1,"id":1},
            {"ph":"e","name":"a","pid":1,"tid":1,"ts":2,"id":1},
            {"ph":"s","name":"a","pid":1,"tid":1,"ts":1,"id":1},
            {"ph":"P","pid":1,"tid":1,"ts":1}]"#,
    );
    let instants: Vec<(&str, u64)> = trace.lanes[0]
        .instants
        .iter()
        .map(|i| (trace.name(i.name), i.ts_ns))
        .collect();
    assert_eq!(instants, [("early", 2_000), ("mark", 4_000)]);
    let tracks: Vec<(&str, usize)> = trace
        .counters
        .iter()
        .map(|c| (c.name.as_str(), c.samples.len()))
        .collect();
    assert_eq!(tracks, [("heap.used", 2), ("queue", 1)]);
    let not_drawn: Vec<(&str, u64)> = trace
        .repairs
        .not_drawn
        .iter()
        .map(|(k, &n)| (k.as_str(), n))
        .collect();
    assert_eq!(
        not_drawn,
        [
            ("async (b/e, S/T/p/F)", 2),
            ("flow (s/t/f)", 1),
            ("instant off any thread lane", 1),
            ("sample (P)", 1),
        ]
    );
}

#[test]
fn values_instants_counters_and_cut_spans_round_trip() {
    let mut trace = Trace::new();
    let work = trace.intern("work");
    let tick = trace.intern("tick");
    let spans = [
        Span::new(work, 1_000, 5_000, 0).with_value(-42),
        Span::new(work, 6_000, 9_000, 0)
            .cut_off()
            .with_value(i64::MAX),
    ];
    let mut lane = Lane::with_spans(1, 1, "worker", spans);
    lane.instants = vec![
        InstantEvent {
            name: tick,
            ts_ns: 2_500,
        },
        InstantEvent {
            name: tick,
            ts_ns: 7_001,
        },
    ];
    trace.lanes.push(lane);
    trace.counters = vec![
        CounterTrack {
            pid: 1,
            name: "bytes".into(),
            samples: vec![(1_000, 0.0), (2_000, 1.5e9), (3_000, -0.125)],
        },
        CounterTrack {
            pid: 1,
            name: "queued".into(),
            samples: vec![(1_500, 3.0)],
        },
    ];
    let json = trace.to_chrome_json();
    assert!(json.contains(r#""args":{"depth":0,"value":-42}"#), "{json}");
    assert!(
        json.contains(r#"{"ph":"i","s":"t","name":"tick""#),
        "{json}"
    );
    assert!(
        json.contains(
            r#"{"ph":"C","name":"bytes","pid":1,"ts":2.000,"args":{"value":1500000000}}"#
        ),
        "{json}"
    );
    assert_eq!(read(&json), trace);
}

#[test]
fn another_tools_lanes_without_work_are_listed_not_scored() {
    let trace = read(
        r#"[{"ph":"X","name":"work","pid":1,"tid":1,"ts":0,"dur":100},
            {"ph":"X","name":"work","pid":1,"tid":2,"ts":0,"dur":50},
            {"ph":"X","name":"Total Frontend","pid":1,"tid":3,"ts":0,"dur":100},
            {"ph":"M","name":"thread_name","pid":1,"tid":4,"args":{"name":"idle"}}]"#,
    );
    let s = trace.summary();
    let scored: Vec<bool> = s.lanes.iter().map(|l| l.scored).collect();
    assert_eq!(scored, [true, true, false, false]);
    assert_eq!(s.scored_lanes, 2);
    assert_eq!(s.load_balance, 0.75);
    // Nothing but names: nothing scored.
    let names_only =
        read(r#"[{"ph":"M","name":"thread_name","pid":1,"tid":4,"args":{"name":"a"}}]"#);
    assert_eq!(names_only.summary().scored_lanes, 0);
}
