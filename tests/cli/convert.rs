//! `logprof convert`: Chrome JSON to Perfetto protobuf and back with the
//! same spans, the input told by its content, the output by its name, and
//! every way it can go wrong a one-line error with nothing written.

use logprof_trace::Trace;

use crate::support::{fails, leftovers, ok, path_str, stdout};

/// Another tool's trace: B/E pairs nested, an X, an instant and a counter.
const CHROME: &str = r#"{"traceEvents":[
{"ph":"M","name":"thread_name","pid":3,"tid":7,"args":{"name":"main"}},
{"ph":"B","name":"outer","pid":3,"tid":7,"ts":10.5},
{"ph":"X","name":"inner","pid":3,"tid":7,"ts":11,"dur":2.25},
{"ph":"i","s":"t","name":"mark","pid":3,"tid":7,"ts":12},
{"ph":"E","pid":3,"tid":7,"ts":20},
{"ph":"C","name":"queue","pid":3,"ts":15,"args":{"value":4}},
{"ph":"X","name":"other","pid":3,"tid":8,"ts":1,"dur":100}
]}"#;

/// A lane as ids, name, and its spans as names, times and depths.
type LaneSpans = (u32, u64, String, Vec<(String, u64, u64, u32)>);

/// Each lane's spans as names and times.
fn spans(t: &Trace) -> Vec<LaneSpans> {
    t.lanes
        .iter()
        .map(|l| {
            let spans = l.spans.iter();
            let spans = spans.map(|s| (t.name(s.name).to_owned(), s.start_ns, s.end_ns, s.depth));
            (l.pid, l.tid, l.thread_name.clone(), spans.collect())
        })
        .collect()
}

#[test]
fn convert_goes_to_pftrace_and_back_with_the_same_spans() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("other.json");
    std::fs::write(&json, CHROME).unwrap();
    let pftrace = dir.path().join("other.pftrace");
    let out = ok(&["convert", path_str(&json), path_str(&pftrace)]);
    assert!(
        stdout(&out).contains("2 lanes, 3 spans, 1 counters, as Perfetto protobuf"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read(&pftrace).unwrap()[0],
        0x0a,
        "a protobuf trace"
    );
    // Back, from a name that says nothing: the content tells.
    let renamed = dir.path().join("trace.bin");
    std::fs::rename(&pftrace, &renamed).unwrap();
    let back = dir.path().join("back.json");
    ok(&["convert", path_str(&renamed), path_str(&back)]);
    let original = Trace::read_chrome_json(&json).unwrap();
    let returned = Trace::read_chrome_json(&back).unwrap();
    assert_eq!(spans(&returned), spans(&original));
    assert_eq!(returned.counters, original.counters);
    assert_eq!(returned.lanes[0].instants.len(), 1);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn convert_goes_through_lpt_and_pftrace_with_the_same_spans() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("other.json");
    std::fs::write(&json, CHROME).unwrap();
    let lpt = dir.path().join("other.lpt");
    ok(&["convert", path_str(&json), path_str(&lpt)]);
    assert_eq!(
        &std::fs::read(&lpt).unwrap()[..4],
        b"\x89LPT",
        "a .lpt file"
    );
    let pftrace = dir.path().join("from-lpt.pftrace");
    ok(&["convert", path_str(&lpt), path_str(&pftrace)]);
    let back = dir.path().join("back.json");
    ok(&["convert", path_str(&pftrace), path_str(&back)]);
    let original = Trace::read_chrome_json(&json).unwrap();
    assert_eq!(spans(&Trace::read_file(&lpt).unwrap()), spans(&original));
    assert_eq!(
        spans(&Trace::read_chrome_json(&back).unwrap()),
        spans(&original)
    );
}

#[test]
fn every_real_trace_converts_on_the_command_line() {
    let Some(dir) = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/realtraces"))
        .find(|d| d.join("SOURCES.md").is_file())
    else {
        eprintln!("no shared/realtraces folder: skipped");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    // The file with the most flows and unclosed slices, and the one with
    // text thread ids: both notes are passed on.
    for name in ["06-catapult-flow.json", "17-pytorch-rocm-mi250.json"] {
        let input = dir.join(name);
        let pftrace = out.path().join(name.replace(".json", ".pftrace"));
        let said = stdout(&ok(&["convert", path_str(&input), path_str(&pftrace)]));
        assert!(said.contains("read from"), "{said}");
        let a = Trace::read_chrome_json(&input).unwrap();
        let b = Trace::read_perfetto(&pftrace).unwrap();
        assert_eq!(spans(&b), spans(&a), "{name}");
    }
}

#[test]
fn convert_refuses_bad_names_and_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("t.json");
    std::fs::write(&json, CHROME).unwrap();
    let j = path_str(&json);
    // Never over its input, whatever the spelling of the path.
    let same = format!("{}/./t.json", path_str(dir.path()));
    fails(&["convert", j, &same], "another path");
    assert_eq!(std::fs::read_to_string(&json).unwrap(), CHROME);
    let txt = dir.path().join("t.txt");
    let err = fails(&["convert", j, path_str(&txt)], "t.txt");
    assert!(err.contains(".pftrace"), "{err}");
    let nowhere = dir.path().join("no/such/dir/t.pftrace");
    fails(&["convert", j, path_str(&nowhere)], "does not exist");
    // Bad input: gzip, a cut JSON file, an empty file, a missing one.
    let out = dir.path().join("out.pftrace");
    let gz = dir.path().join("t.json.gz");
    std::fs::write(&gz, b"\x1f\x8b\x08\x00\x00").unwrap();
    fails(&["convert", path_str(&gz), path_str(&out)], "gunzip");
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &CHROME[..40]).unwrap();
    fails(&["convert", path_str(&cut), path_str(&out)], "cut.json");
    let empty = dir.path().join("empty.pftrace");
    std::fs::write(&empty, b"").unwrap();
    fails(&["convert", path_str(&empty), path_str(&out)], "empty");
    let missing = dir.path().join("missing.json");
    fails(
        &["convert", path_str(&missing), path_str(&out)],
        "missing.json",
    );
    assert!(!out.exists(), "nothing written");
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_cut_pftrace_converts_what_it_holds_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("t.json");
    std::fs::write(&json, CHROME).unwrap();
    let pftrace = dir.path().join("t.pftrace");
    ok(&["convert", path_str(&json), path_str(&pftrace)]);
    let bytes = std::fs::read(&pftrace).unwrap();
    let cut = dir.path().join("cut.pftrace");
    std::fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    let back = dir.path().join("back.json");
    let said = stdout(&ok(&["convert", path_str(&cut), path_str(&back)]));
    assert!(said.contains("cut off"), "{said}");
    assert!(Trace::read_chrome_json(&back).is_ok());
}
