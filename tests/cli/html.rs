//! `report.html`: written by `compare`, and by `render`/`report --html` for
//! any trace, never over an input; opened in headless Chromium when the
//! machine has one.

use std::path::Path;

use crate::support::{fails, ok, path_str, read};

/// A small trace of another tool, with a name that must be escaped.
fn foreign_trace(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("t.json");
    std::fs::write(
        &path,
        r#"[{"name":"a<b>&c","ph":"X","ts":1,"dur":20,"pid":1,"tid":1},
            {"name":"d","ph":"X","ts":5,"dur":10,"pid":1,"tid":2}]"#,
    )
    .unwrap();
    path
}

/// The page is whole, makes no request, and escapes the trace's names.
fn assert_page(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("<canvas id=\"timeline-canvas\""));
    for marker in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!page.contains(marker), "{marker}");
    }
}

#[test]
fn render_and_report_write_a_page_for_any_trace() {
    let dir = tempfile::tempdir().unwrap();
    let trace = foreign_trace(dir.path());
    let html = dir.path().join("t.html");
    let out = ok(&["render", path_str(&trace), "--html", path_str(&html)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("t.html"));
    let page = read(&html);
    assert_page(&page);
    assert!(page.contains("a&lt;b&gt;&amp;c"), "the name escaped");
    // --html alone writes no SVG beside the trace.
    assert!(!dir.path().join("t.svg").exists());

    let report = dir.path().join("r.html");
    ok(&["report", path_str(&trace), "--html", path_str(&report)]);
    let page = read(&report);
    assert_page(&page);
    assert!(page.contains("load balance"), "the report's text");
}

#[test]
fn html_is_never_written_over_an_input_or_another_output() {
    let dir = tempfile::tempdir().unwrap();
    let trace = foreign_trace(dir.path());
    let before = read(&trace);
    let t = path_str(&trace);
    let err = fails(&["render", t, "--html", t], "--html");
    assert!(err.contains("the trace"), "{err}");
    fails(&["report", t, "--html", t], "--html");
    assert_eq!(read(&trace), before, "the trace is intact");
    let svg = dir.path().join("x.svg");
    let s = path_str(&svg);
    fails(
        &["render", t, "--svg", s, "--html", s],
        "two outputs on one path",
    );
}

#[test]
fn compare_writes_report_html_beside_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    ok(&[
        "compare",
        "--size",
        "100",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--out",
        path_str(&out),
    ]);
    let page = read(&out.join("report.html"));
    assert_page(&page);
    // The results table, the timeline of every scheduler's trace, the work
    // profile, a link to each file.
    for text in [
        "static",
        "href=\"timelines.svg\"",
        "href=\"summary.json\"",
        "<table",
        "\"title\":\"static\"",
        "<figcaption>work.svg</figcaption>",
    ] {
        assert!(page.contains(text), "{text}");
    }
    // The schedulers' own drawings stay files: the canvas draws them.
    assert!(!page.contains("<figcaption>static.svg</figcaption>"));
    assert!(
        page.contains("id=\"timeline-axis\""),
        "the shared-axis toggle"
    );
    browser_check(&out.join("report.html"));
}

#[test]
fn simulate_writes_report_html_with_its_timelines() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    ok(&[
        "simulate",
        "--size",
        "40",
        "--runs",
        "1",
        "-t",
        "2",
        "--out",
        path_str(&out),
    ]);
    let page = read(&out.join("report.html"));
    assert_page(&page);
    for text in [
        "<figcaption>simulate-speedup.svg</figcaption>",
        "href=\"static.svg\"",
        "\"title\":\"static\"",
        "href=\"simulate.csv\"",
    ] {
        assert!(page.contains(text), "{text}");
    }
}

/// Loads the page in headless Chromium and checks its script sized the
/// timeline's canvas (it ran, and found its data); skipped, with a note,
/// where there is no Chromium. `.ci/browser-check.sh` drives the pages
/// further (wheel, span count, requests, console).
fn browser_check(page: &Path) {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("note: no /usr/bin/chromium: the page was not checked in a browser");
        return;
    }
    let url = format!("file://{}", page.display());
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            &url,
        ])
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<canvas id=\"timeline-canvas\" width="),
        "the script did not size the canvas"
    );
}
