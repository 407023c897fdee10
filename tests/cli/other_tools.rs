//! `logprof report` and `render` on files other tools write: the repairs
//! the reader made are printed and noted in the picture, the title is the
//! file's name, a trace with no spans is not scored, and a file that cannot
//! be read is one line naming it, with nothing written.

use std::path::{Path, PathBuf};

use logprof::{Lane, Span, Trace};

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

/// The PNG's width and height, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG", "{}", path.display());
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// `../shared/realtraces/` (or `LOGPROF_REALTRACES`), when it is there.
fn realtraces() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LOGPROF_REALTRACES") {
        return Some(PathBuf::from(dir)).filter(|d| d.join("SOURCES.md").is_file());
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/realtraces"))
        .find(|d| d.join("SOURCES.md").is_file())
}

#[test]
fn a_trace_of_3000_threads_renders_as_svg_and_png_in_heat_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("threads.json");
    let mut trace = Trace::new();
    let work = trace.intern("work");
    for t in 0..3000u64 {
        let len = 1_000 + (t * 37) % 9_000;
        let spans = (0..5).map(|k| Span::new(work, k * 20_000, k * 20_000 + len, 0));
        trace
            .lanes
            .push(Lane::with_spans(7, t + 1, format!("worker-{t}"), spans));
    }
    trace.write_chrome_json(&file).unwrap();
    let (svg, png) = (dir.path().join("t.svg"), dir.path().join("t.png"));
    ok(&[
        "render",
        path_str(&file),
        "--svg",
        path_str(&svg),
        "--png",
        path_str(&png),
    ]);
    let drawing = read(&svg);
    assert!(
        drawing.contains("3,000 lanes in 1 process drawn as 2-px rows"),
        "the header says how the lanes are drawn"
    );
    let (width, height) = png_size(&png);
    assert_eq!(width, 1400);
    assert!((6000..=16_384).contains(&height), "{height} px");
}

#[test]
fn the_lingua_franca_trace_of_1126_lanes_renders() {
    let Some(dir) = realtraces() else {
        eprintln!("skipped: no shared/realtraces folder");
        return;
    };
    let file = dir.join("19-linguafranca-savina-big.json");
    if !file.is_file() {
        eprintln!("skipped: {} is absent", file.display());
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let (svg, png) = (out.path().join("big.svg"), out.path().join("big.png"));
    ok(&[
        "render",
        path_str(&file),
        "--svg",
        path_str(&svg),
        "--png",
        path_str(&png),
    ]);
    let drawing = read(&svg);
    assert!(
        drawing.contains("1,126 lanes in 246 processes drawn as"),
        "the header says how the lanes are drawn"
    );
    assert!(drawing.contains("busy: wall-clock"));
    // Only the 24 lanes that did work are scored, and named.
    assert!(drawing.contains("the 3 busiest and 3 idlest of 24 scored lanes named"));
    let (_, height) = png_size(&png);
    assert!(height <= 16_384, "{height} px");
}
