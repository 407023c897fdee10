//! The HTML report: one file, nothing fetched, the timeline and the
//! summary's numbers inside, every foreign text escaped.

use logprof_trace::{Lane, Span, Trace};
use logprof_viz::HtmlReport;

use crate::common::static_like;

/// The markers of anything a browser would fetch from elsewhere.
const EXTERNAL: [&str; 6] = [
    "src=\"http",
    "href=\"http",
    "@import",
    "url(http",
    "src='http",
    "href='http",
];

fn assert_self_contained(page: &str) {
    for marker in EXTERNAL {
        assert!(!page.contains(marker), "the page fetches {marker}");
    }
    // A script or stylesheet from a file would be a second file to carry.
    assert!(!page.contains("<script src"), "a script from a file");
    assert!(!page.contains("<link"), "a stylesheet from a file");
}

#[test]
fn a_trace_page_is_one_file_with_the_timeline_and_the_summary() {
    let trace = static_like();
    let page = HtmlReport::new("static").trace("static", &trace);
    let html = page.to_html_string();
    assert_self_contained(&html);
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    // The timeline is the canvas and its data, not a drawing.
    assert_eq!(html.matches("<svg").count(), 0);
    assert_eq!(html.matches("<canvas").count(), 1);
    assert_eq!(html.matches("id=\"logprof-timeline-data\"").count(), 1);
    assert!(html.contains(&format!("{} spans", trace.span_count())));
    assert_eq!(page.timeline_spans(), trace.span_count());
    assert_eq!(html.matches("<script>").count(), 1);
    // The summary's tables, cell for cell as people read them.
    let summary = trace.summary();
    for table in [summary.lanes_table(), summary.functions_table(20)] {
        for row in &table.rows {
            for cell in row {
                let shown = format!(">{}</td>", cell.display());
                assert!(html.contains(&shown), "{shown} missing");
            }
        }
    }
    assert!(html.contains(&logprof_trace::table::percent(summary.load_balance)));
}

#[test]
fn foreign_names_cannot_break_out_of_the_page() {
    let mut trace = Trace::new();
    let evil = trace.intern("</script><script>alert('x')</script>&\"");
    trace.process_name = Some("<b>proc</b>".into());
    trace.lanes.push(Lane::with_spans(
        1,
        1,
        "<img src=x onerror=alert(1)>",
        [Span::new(evil, 0, 1_000, 0)],
    ));
    let html = HtmlReport::new("<title>")
        .heading("a & b")
        .links("files", &[("x<y", "http:evil"), ("ok", "run.svg")])
        .trace("t\"<", &trace)
        .to_html_string();
    assert_self_contained(&html);
    assert_eq!(html.matches("<script>").count(), 1, "an injected script");
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "a script closed early"
    );
    assert!(!html.contains("<img"), "an injected element");
    assert!(!html.contains("<b>proc"), "an injected element");
    assert!(html.contains("<title>&lt;title&gt;</title>"));
    assert!(html.contains("<h2>a &amp; b</h2>"));
    assert!(html.contains("<a href=\"./http:evil\">x&lt;y</a>"));
    assert!(html.contains("<a href=\"run.svg\">ok</a>"));
}

#[test]
fn the_page_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    let page = HtmlReport::new("static").trace("static", &static_like());
    page.write(&path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        page.to_html_string()
    );
    let missing = dir.path().join("absent").join("report.html");
    assert!(page.write(&missing).is_err());
    assert!(!missing.exists());
}

/// The script zooms, pans and resets a timeline, run by Node.js against a
/// stand-in DOM (`report_js_check.js`) where the machine has Node.js;
/// skipped, with a note, where it has none.
#[test]
fn the_script_zooms_and_pans() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = std::process::Command::new("node")
        .arg(root.join("tests/integration/report_js_check.js"))
        .arg(root.join("src/html/report.js"))
        .output();
    match run {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("note: no node: report.js was not run"),
    }
}
