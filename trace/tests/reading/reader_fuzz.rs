//! Fuzzing the Chrome reader on stable Rust: a property test that mutates
//! real traces (the small files of `../shared/realtraces/`, when the folder
//! is there), traces logprof writes, and hand-made files of every repair,
//! and reads each mutant. The reader must return a sound trace or an
//! error: never panic, never hang; every mutant is at most the seed plus a
//! few hundred bytes, so memory stays bounded by the input.
//!
//! The suite runs a bounded number of cases (`PROPTEST_CASES`, default
//! 512). The longer run, millions of mutants:
//!
//! ```sh
//! PROPTEST_CASES=2000000 cargo test --release -p logprof-trace --test reading reader_fuzz
//! ```

use std::path::Path;

use logprof_trace::{Lane, Span, Trace};
use proptest::prelude::*;

use crate::support::failures_beside_source;

/// Hand-made seeds: each form and each repair the reader makes.
const FIXTURES: &[&str] = &[
    r#"[{"ph":"B","name":"a","pid":1,"tid":1,"ts":1},{"ph":"X","name":"b","pid":1,"tid":1,"ts":2,"dur":1}]"#,
    r#"{"traceEvents":[{"ph":"E","pid":1,"tid":"stream 7","ts":"3"},{"ph":"i","name":"m","ts":2},],"x":1}"#,
    r#"{"displayTimeUnit":"ns","traceEvents":[{"ph":"C","name":"c","pid":"p","ts":1,"args":{"v":1.5}},
       {"ph":"M","name":"thread_name","pid":1,"tid":"-1","args":{"name":""}},{"ph":"b","id":1,"ts":1}]}"#,
    r#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1e3,"dur":0.0005},{"ph":"X","name":"f","ts":1"#,
];

/// The small real traces (under 100 kB), read once.
fn real_seeds() -> Vec<String> {
    let Some(dir) = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(2)
        .map(|a| a.join("shared/realtraces"))
        .find(|d| d.is_dir())
    else {
        return Vec::new();
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.metadata().is_ok_and(|m| m.len() < 100_000))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// A trace logprof writes, with values, instants and counters.
fn written_seed() -> String {
    let mut trace = Trace::new();
    let f = trace.intern("f");
    let g = trace.intern("g");
    let spans = [
        Span::new(f, 1_000, 9_000, 0).with_value(3),
        Span::new(g, 2_000, 3_000, 1).in_task(7),
        Span::new(f, 9_500, 9_900, 0).cut_off(),
    ];
    let mut lane = Lane::with_spans(1, 1, "main", spans);
    lane.instants.push(logprof_trace::InstantEvent {
        name: g,
        ts_ns: 4_000,
    });
    trace.lanes.push(lane);
    trace.lanes.push(Lane::with_spans(
        1,
        2,
        "w",
        [Span::new(g, 5_000, 6_000, 0).in_task(7)],
    ));
    trace.counters.push(logprof_trace::CounterTrack {
        pid: 1,
        name: "bytes".into(),
        samples: vec![(1_000, 1.0), (2_000, 2.5)],
    });
    trace.to_chrome_json()
}

fn seeds() -> Vec<String> {
    let mut seeds: Vec<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    seeds.push(written_seed());
    seeds.extend(real_seeds());
    seeds
}

/// Text the mutations insert: the tokens that change what the reader sees.
const TOKENS: &[&str] = &[
    ",",
    "]",
    "}",
    "[",
    "{",
    "\"",
    ":",
    ",]",
    ",}",
    "null",
    "-1",
    "1e400",
    "\"ph\":\"B\"",
    "\"ph\":\"E\"",
    "\"ph\":\"X\"",
    "\"ph\":\"C\"",
    "\"ph\":\"i\"",
    "\"tid\":\"x\"",
    "\"pid\":-3",
    "\"ts\":\"12\"",
    "\"dur\":null",
    "\"args\":{\"value\":1}",
    "\\u0000",
    "é",
];

/// One edit of a seed.
#[derive(Clone, Debug)]
enum Mutation {
    /// Cut the text at this fraction of its length.
    Truncate(f64),
    /// Delete `len` bytes at a fraction of the length.
    Delete(f64, usize),
    /// Insert a token at a fraction of the length.
    Insert(f64, usize),
    /// Copy `len` bytes from one place to another.
    Duplicate(f64, usize, f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64).prop_map(Mutation::Truncate),
        (0.0..1.0f64, 1..40usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (0.0..1.0f64, 0..TOKENS.len()).prop_map(|(at, t)| Mutation::Insert(at, t)),
        (0.0..1.0f64, 1..200usize, 0.0..1.0f64)
            .prop_map(|(from, len, to)| Mutation::Duplicate(from, len, to)),
    ]
}

/// The char boundary nearest below `fraction` of `text`.
fn at(text: &str, fraction: f64) -> usize {
    let mut i = ((text.len() as f64) * fraction) as usize;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, m: &Mutation) {
    match *m {
        Mutation::Truncate(f) => text.truncate(at(text, f)),
        Mutation::Delete(f, len) => {
            let start = at(text, f);
            let end = at(
                text,
                ((start + len) as f64 / text.len().max(1) as f64).min(1.0),
            );
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Insert(f, t) => {
            let i = at(text, f);
            text.insert_str(i, TOKENS[t]);
        }
        Mutation::Duplicate(from, len, to) => {
            let start = at(text, from);
            let end = at(
                text,
                ((start + len) as f64 / text.len().max(1) as f64).min(1.0),
            );
            let piece = text[start..end.max(start)].to_owned();
            let i = at(text, to);
            text.insert_str(i, &piece);
        }
    }
}

/// What every trace the reader returns must hold, whatever the input.
fn check(trace: &Trace) {
    for pair in trace.lanes.windows(2) {
        assert!((pair[0].pid, pair[0].tid) < (pair[1].pid, pair[1].tid));
    }
    for lane in &trace.lanes {
        for span in &lane.spans {
            assert!(span.start_ns <= span.end_ns, "{span:?}");
            assert!((span.name as usize) < trace.names.len(), "{span:?}");
        }
        for i in &lane.instants {
            assert!((i.name as usize) < trace.names.len());
        }
        assert!(lane.instants.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
    }
    let summary = trace.summary();
    assert!(summary.wall_ns >= summary.max_busy_ns);
    // What was read is written and read again.
    Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(failures_beside_source(ProptestConfig::with_cases(cases())))]

    #[test]
    fn mutated_traces_read_soundly_or_fail_cleanly(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(mutation(), 1..6),
    ) {
        thread_local! {
            static SEEDS: Vec<String> = seeds();
        }
        let mut text = SEEDS.with(|s| s[seed.index(s.len())].clone());
        for m in &edits {
            apply(&mut text, m);
        }
        if let Ok(trace) = Trace::from_chrome_json_str(&text) {
            check(&trace);
        }
    }
}
