//! `logprof report` and `render` on a hand-written trace of another tool
//! (its figures worked out by hand), `report` into a closed pipe, and
//! "where the time goes" on the issue's example of four regions.

use std::process::Stdio;

use logprof_trace::{Lane, Span, Trace};

use crate::support::{command, json, ok, path_str, read, stderr, stdout};

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

// "Where the time goes" on the issue's example: `report` ranks the regions,
// and `--export-json` gives each region's figures.

const MS: u64 = 1_000_000;

/// The issue's example, its loops wrapped in scopes on the main lane and
/// the serial load and save marked as regions: a 10 ms load, a balanced
/// 10 ms loop on 4 workers, a triangular loop split statically over them
/// (busy 2.5 / 5 / 7.5 / 10 ms), a 5 ms save.
fn example(dir: &std::path::Path) -> std::path::PathBuf {
    let mut t = Trace::new();
    let [load, balanced, triangle, save, item, row] =
        ["load", "balanced", "triangle", "save", "item", "row"].map(|n| t.intern(n));
    t.mark_region(load);
    t.mark_region(save);
    let main = [
        Span::new(load, 0, 10 * MS, 0),
        Span::new(balanced, 10 * MS, 20 * MS, 0),
        Span::new(triangle, 20 * MS, 30 * MS, 0),
        Span::new(save, 30 * MS, 35 * MS, 0),
    ];
    t.lanes.push(Lane::with_spans(1, 1, "main", main));
    for w in 0..4u64 {
        let items = (0..8).map(|k| {
            Span::new(
                item,
                10 * MS + k * 1_250_000,
                10 * MS + (k + 1) * 1_250_000,
                0,
            )
        });
        let row_ns = (w + 1) * MS / 2;
        let rows =
            (0..5).map(|k| Span::new(row, 20 * MS + k * row_ns, 20 * MS + (k + 1) * row_ns, 0));
        let name = format!("worker-{}", w + 1);
        t.lanes
            .push(Lane::with_spans(1, w + 2, name, items.chain(rows)));
    }
    let path = dir.join("phases.json");
    t.write_chrome_json(&path).unwrap();
    path
}

#[test]
fn report_ranks_the_regions_by_what_fixing_them_could_save() {
    let dir = tempfile::tempdir().unwrap();
    let trace = example(dir.path());
    let report = stdout(&ok(&["report", path_str(&trace)]));
    let section = report
        .split("where the time goes\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        section.starts_with("4 regions (4 kinds); serial 15.000 of 35.000 ms (42.9 %)"),
        "{report}"
    );
    let rows: Vec<Vec<&str>> = section
        .lines()
        .skip(3)
        .take(4)
        .map(|l| l.split_whitespace().collect())
        .collect();
    // rank, name, count, found, parent, wall, share (2 words), threads,
    // shape, load balance (2), efficiency (2), gain, critical lane.
    let names: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(names, ["load", "save", "triangle", "balanced"], "{report}");
    let triangle = "3 triangle 1 fork-join - 10.000 28.6 % 4 parallel 62.5 % 62.5 % 3.750 worker-4";
    assert_eq!(rows[2].join(" "), triangle, "{report}");
    assert!(
        section.contains("- load: serial: 28.6 % of the run"),
        "{report}"
    );
    // The imbalanced loop gets the simulator's advice; the balanced one none.
    let advice: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("advice: "))
        .collect();
    assert_eq!(advice.len(), 1, "{report}");
    assert!(
        advice[0].starts_with(
            "advice: triangle (29 % of the run): static split, heaviest lane 1.6× the mean; "
        ) && advice[0].contains("predicted")
            && advice[0].contains("faster (10.0 → "),
        "{report}"
    );
    // --regions 1 lists one; 0 leaves the section out.
    let one = stdout(&ok(&["report", path_str(&trace), "--regions", "1"]));
    assert!(one.contains("1  load") && !one.contains("2  save"), "{one}");
    let none = stdout(&ok(&["report", path_str(&trace), "--regions", "0"]));
    assert!(!none.contains("where the time goes"), "{none}");
}

#[test]
fn report_exports_every_region_with_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let trace = example(dir.path());
    let out = dir.path().join("report.json");
    ok(&["report", path_str(&trace), "--export-json", path_str(&out)]);
    let report = json(&out);
    let regions = report["regions"].as_array().unwrap();
    let names: Vec<&str> = regions
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["load", "balanced", "triangle", "save"]);
    let triangle = &regions[2];
    for (key, value) in [
        ("start_ns", serde_json::json!(20 * MS)),
        ("end_ns", serde_json::json!(30 * MS)),
        ("wall_ns", serde_json::json!(10 * MS)),
        ("serial", serde_json::json!(false)),
        ("threads", serde_json::json!(4)),
        ("load_balance", serde_json::json!(0.625)),
        ("parallel_efficiency", serde_json::json!(0.625)),
        ("potential_gain_ns", serde_json::json!(3_750_000.0)),
        ("critical_lane", serde_json::json!("worker-4")),
        ("found", serde_json::json!("fork-join")),
        ("parent", serde_json::Value::Null),
        ("rank", serde_json::json!(3)),
    ] {
        assert_eq!(triangle[key], value, "{key}: {triangle}");
    }
    // Advised: a schedule that rebalances, predicted faster than recorded.
    let advice = &triangle["advice"];
    let schedule = advice["schedule"].as_str().unwrap();
    assert!(
        !["static", "dynamic", "serial"].contains(&schedule),
        "{advice}"
    );
    assert_eq!(advice["current_ns"], serde_json::json!(10 * MS));
    assert!(
        advice["predicted_ns"].as_u64().unwrap() < 10 * MS,
        "{advice}"
    );
    assert!(
        advice["why"].as_str().unwrap().contains("faster"),
        "{advice}"
    );
    for balanced in [&regions[0], &regions[1], &regions[3]] {
        assert!(balanced["advice"].is_null(), "{balanced}");
    }
    let load = &regions[0];
    assert_eq!(load["serial"], true);
    assert_eq!(load["found"], "marked");
    assert!(
        (load["max_speedup"].as_f64().unwrap() - 3.5).abs() < 1e-9,
        "{load}"
    );
    assert_eq!(load["rank"], 1);
    assert!(
        report["region_notes"].as_array().unwrap().is_empty(),
        "{report}"
    );
}

/// The same trace as Chrome JSON and as `.lpt` (even one named `.json`):
/// `report`, `render` and `simulate TRACE` say the same of both.
#[test]
fn report_render_and_simulate_read_lpt_as_they_read_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = example(dir.path());
    let trace = Trace::read_chrome_json(&json).unwrap();
    let lpt = dir.path().join("phases.lpt");
    trace.write_lpt(&lpt).unwrap();
    let disguised = dir.path().join("disguised.json");
    std::fs::copy(&lpt, &disguised).unwrap();
    let from_json = stdout(&ok(&["report", path_str(&json)]));
    assert!(from_json.contains("where the time goes"), "{from_json}");
    for file in [&lpt, &disguised] {
        let report = stdout(&ok(&["report", path_str(file)]));
        // The reports differ only in the file named in their first lines.
        let tail = |r: &str| r.lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(tail(&report), tail(&from_json), "{report}");
    }
    ok(&["render", path_str(&lpt)]);
    assert!(read(&dir.path().join("phases.svg")).contains("<svg"));
    let out = dir.path().join("sim");
    let sim = stdout(&ok(&[
        "simulate",
        path_str(&lpt),
        "--overheads",
        "zero",
        "--out",
        path_str(&out),
    ]));
    assert!(sim.contains("triangle"), "{sim}");
    // A cut file is read up to its last whole chunk, and the report says so.
    let bytes = std::fs::read(&lpt).unwrap();
    let cut = dir.path().join("cut.lpt");
    std::fs::write(&cut, &bytes[..bytes.len() - 40]).unwrap();
    let report = stdout(&ok(&["report", path_str(&cut)]));
    assert!(report.contains("cut off"), "{report}");
}
