//! `logprof report` and `render` on files other tools write: the repairs
//! the reader made are printed and noted in the picture, the title is the
//! file's name, a trace with no spans is not scored, and a file that cannot
//! be read is one line naming it, with nothing written.

use crate::support::{fails, ok, path_str, read, stdout};
#[test]
fn repairs_are_printed_and_drawn_and_the_title_is_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chrome-stopped.json");
    std::fs::write(
        &file,
        r#"{"traceEvents":[
            {"ph":"B","name":"BrowserMain","pid":1,"tid":1,"ts":0},
            {"ph":"X","name":"RunTask","pid":1,"tid":1,"ts":5,"dur":10},
            {"ph":"E","name":"late","pid":1,"tid":2,"ts":3},
            {"ph":"X","name":"kernel","pid":1,"tid":"stream 7","ts":2,"dur":4},
            {"ph":"M","name":"process_name","pid":1,"tid":"-1","args":{"name":"Browser"}},
          ], "metadata":{"source":"DevTools"}}"#,
    )
    .unwrap();
    let report = stdout(&ok(&["report", path_str(&file)]));
    for expected in [
        "chrome-stopped.json (process: Browser)",
        "lanes: 3 (2 scored)",
        "note: 1 spans still open at the end of the trace",
        "note: 1 E events that close nothing, skipped",
        "note: 1 events with text thread or process ids mapped to lanes",
        "note: 1 trailing commas passed over",
        "stream 7",
        "self ms",
    ] {
        assert!(report.contains(expected), "{expected:?} in\n{report}");
    }
    ok(&["render", path_str(&file)]);
    let svg = read(&dir.path().join("chrome-stopped.svg"));
    assert!(svg.contains("\nchrome-stopped.json\n"), "the title");
    assert!(svg.contains("1 spans still open at the end of the trace"));
}

#[test]
fn a_trace_without_spans_says_so_and_an_unreadable_one_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let names = dir.path().join("names.json");
    std::fs::write(
        &names,
        r#"[{"ph":"M","name":"thread_name","pid":1,"tid":2,"args":{"name":"main"}}]"#,
    )
    .unwrap();
    let report = stdout(&ok(&["report", path_str(&names)]));
    assert!(
        report.contains("no spans: the trace holds no work to score"),
        "{report}"
    );
    assert!(!report.contains("load balance:"), "{report}");

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"traceEvents":[{"ph":"X",,}]}"#).unwrap();
    let err = fails(&["render", path_str(&bad)], "bad.json");
    assert!(err.contains("line 1 column"), "{err}");
    assert!(!dir.path().join("bad.svg").exists());
}
