//! `logprof report` and `render` on a hand-written trace of another tool
//! (its figures worked out by hand), and `report` into a closed pipe.

use std::process::Stdio;

use crate::support::{command, ok, path_str, read, stderr, stdout};

#[test]
fn render_and_report_read_another_tools_trace() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("other.json");
    // B/E pairs, out of order, as other tools write them.
    std::fs::write(
        &foreign,
        r#"[{"name":"inner","ph":"E","ts":30,"pid":7,"tid":3},
            {"name":"outer","ph":"B","ts":10,"pid":7,"tid":3},
            {"name":"inner","ph":"B","ts":20,"pid":7,"tid":3},
            {"name":"outer","ph":"E","ts":50,"pid":7,"tid":3},
            {"name":"solo","ph":"X","ts":0,"dur":60,"pid":7,"tid":4}]"#,
    )
    .unwrap();
    let report = stdout(&ok(&["report", path_str(&foreign)]));
    assert!(
        report.contains("outer") && report.contains("inner") && report.contains("solo"),
        "{report}"
    );
    // Worked out by hand: thread 3 is busy 40 µs (outer, 10..50), thread 4
    // 60 µs (solo, 0..60), the wall is 60 µs. Load balance is mean/max busy
    // = 50/60; parallel efficiency is mean busy/wall = 50/60 too; thread 3
    // idles 20 µs (66.7 %).
    assert!(report.contains("load balance: 0.833 (83.3 %)"), "{report}");
    assert!(report.contains("parallel efficiency: 0.833"), "{report}");
    assert!(report.contains("max − mean busy: 0.010 ms"), "{report}");
    let thread_3 = report.lines().find(|l| l.starts_with("thread-3")).unwrap();
    assert_eq!(
        thread_3.split_whitespace().collect::<Vec<_>>(),
        ["thread-3", "3", "2", "0.040", "0.020", "66.7", "%", "yes"],
        "{report}"
    );
    // outer (40 µs) holds inner (10 µs): 30 µs of its own.
    let outer = report.lines().find(|l| l.starts_with("outer")).unwrap();
    assert_eq!(
        outer.split_whitespace().collect::<Vec<_>>(),
        ["outer", "1", "0.040", "0.030", "40.00"],
        "{report}"
    );
    ok(&["render", path_str(&foreign)]);
    assert!(dir.path().join("other.svg").exists());
}

#[test]
fn report_into_a_pipe_its_reader_closed_still_exits_0_and_writes_its_exports() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.json");
    std::fs::write(
        &trace,
        r#"[{"name":"solo","ph":"X","ts":0,"dur":60,"pid":1,"tid":1}]"#,
    )
    .unwrap();
    let json = dir.path().join("report.json");
    let mut child = command()
        .args(["report", path_str(&trace), "--export-json", path_str(&json)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -0`: the reader leaves before the report is printed.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(read(&json).contains("solo"));
}
