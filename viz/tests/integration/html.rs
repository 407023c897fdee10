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

/// The canvas timeline's script, run by Node.js against a stand-in browser
/// (`timeline_js_check.js`) with the data of a page of 200,000 spans whose
/// times fall between pixels every way: the span count, the level of
/// detail, zoom around the pointer, the keys, frames that always end.
/// Skipped, with a note, where the machine has no Node.js.
#[test]
fn the_timeline_script_draws_a_pixel_column_not_a_span() {
    let mut trace = Trace::new();
    let names: Vec<_> = (0..7).map(|i| trace.intern(&format!("f{i}"))).collect();
    for lane in 0..4u64 {
        let mut spans = Vec::new();
        let mut now = 1_000_000_007 * (lane + 1);
        for i in 0..50_000u64 {
            // Lengths and gaps in odd nanoseconds, one in 50 a long call.
            let len = if i % 50 == 0 {
                40_013
            } else {
                1 + (i * 7_919) % 2_003
            };
            let name = names[(i % 7) as usize];
            spans.push(Span::new(name, now, now + len, 0).with_value(i as i64));
            now += len + (i * 31) % 97;
        }
        trace
            .lanes
            .push(Lane::with_spans(1, lane + 1, format!("w{lane}"), spans));
    }
    let html = HtmlReport::new("t")
        .timeline("t", &[("t", &trace)])
        .to_html_string();
    let data = html
        .split("id=\"logprof-timeline-data\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the data");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.json");
    std::fs::write(&path, data).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let child = std::process::Command::new("node")
        .arg(root.join("tests/integration/timeline_js_check.js"))
        .arg(root.join("src/html/timeline.js"))
        .arg(&path)
        .arg(trace.span_count().to_string())
        .arg("4") // rows: 4 lanes of one depth
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("note: no node: timeline.js was not run");
        return;
    };
    // A frame that never ends is a hang: fail instead of waiting for ever.
    let began = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if began.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("timeline.js did not finish in 120 s: a frame that never ends");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
