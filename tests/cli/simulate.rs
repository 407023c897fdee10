//! `logprof simulate` end to end: the recorded fractal, another tool's trace,
//! and the errors that write nothing.

use std::path::Path;

use logprof::{Lane, Span, Trace};

use crate::support::{fails, json, ok, read, results, stdout};

/// `logprof args` as [`ok`], its stdout.
fn ok_stdout(args: &[&str]) -> String {
    stdout(&ok(args))
}

/// A one-line error naming `culprit`, and no output directory.
fn fails_writing_nothing(args: &[&str], culprit: &str, out: &Path) {
    fails(args, culprit);
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

#[test]
fn simulates_the_recorded_fractal_under_every_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let out_s = out.to_str().unwrap();
    let stdout = ok_stdout(&[
        "simulate", "--size", "40", "--runs", "2", "-t", "1,2", "--out", out_s,
    ]);
    assert!(stdout.contains("independent units"), "{stdout}");
    assert!(stdout.contains("simd kernel"), "{stdout}");
    // The recorded runs interleave with the timed ones, at least five.
    assert!(
        stdout.contains("5 serial runs") && stdout.contains("interleaved with the timed runs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("overheads measured on this machine"),
        "{stdout}"
    );
    let machine = std::thread::available_parallelism().map_or(1, |n| n.get());
    let json = json(&out.join("simulate.json"));
    // The overheads charged, in ns, and the machine they were measured on.
    assert_eq!(json["overheads"], "measured");
    for key in ["dispatch", "spawn", "fifo_spawn", "steal", "wake"] {
        assert!(json["overheads_ns"][key].is_u64(), "{key}: {json}");
    }
    assert_eq!(json["machine"]["cores"].as_u64(), Some(machine as u64));
    assert!(json["machine"].get("cpu_model").is_some(), "{json}");
    // Each overhead in doubt says why, and is charged what the table says.
    for doubt in json["overheads_in_doubt"]
        .as_array()
        .expect("a list, maybe empty")
    {
        let name = doubt["overhead"].as_str().unwrap();
        assert_eq!(doubt["charged_ns"], json["overheads_ns"][name], "{doubt}");
        assert!(doubt["why"].as_str().unwrap().starts_with(name), "{doubt}");
    }
    let rows = results(&out.join("simulate.json"));
    assert_eq!(rows.len(), 8 * 2);
    for row in &rows {
        let cores = row["cores"].as_u64().unwrap() as usize;
        if cores == 1 {
            // One core: the serial time plus overheads, never faster.
            assert!(row["speedup"].as_f64().unwrap() <= 1.0, "{row}");
        }
        assert_eq!(row["basis"] == "extrapolated", cores > machine, "{row}");
        if cores > machine {
            assert!(row["measured_ms"].is_null(), "{row}");
            assert!(row["co_run_slowdown"].is_null(), "{row}");
        } else {
            // One worker's co-run is the baseline itself; more workers' is
            // a ratio to it, near 1 on any machine that gives them cores.
            // Serial keeps one core busy at any P: no co-run bears on it.
            let slowdown = &row["co_run_slowdown"];
            if row["scheduler"] == "serial" {
                assert!(slowdown.is_null(), "{row}");
            } else if cores == 1 {
                assert_eq!(slowdown.as_f64(), Some(1.0), "{row}");
            } else {
                let slowdown = slowdown.as_f64().unwrap();
                assert!(slowdown > 0.5 && slowdown < 10.0, "{row}");
            }
            // Checked against the real schedule on this machine.
            let (predicted, measured) = (&row["predicted_ms"], &row["measured_ms"]);
            let ratio = predicted.as_f64().unwrap() / measured.as_f64().unwrap();
            assert!((ratio - row["predicted_over_measured"].as_f64().unwrap()).abs() < 1e-9);
            // Both in ms, of the same work: within a factor of 1000 on any
            // machine, however busy (a slip of units or of a median is
            // a millionfold).
            assert!(ratio > 1e-3 && ratio < 1e3, "{row}");
        }
    }
    // A simulated timeline per schedule, at the largest P, drawn and read back.
    for name in ["static", "rayon", "forkjoin"] {
        let trace = Trace::read_chrome_json(out.join(format!("{name}.trace.json"))).unwrap();
        assert_eq!(trace.span_count(), 40);
        assert_eq!(trace.lanes.len(), 2);
        assert_eq!(trace.lanes[0].thread_name, "core-0");
        assert!(trace.process_name.unwrap().starts_with("simulated"));
        let svg = read(&out.join(format!("{name}.svg")));
        assert!(svg.contains("simulated"));
        assert!(out.join(format!("{name}.png")).is_file());
    }
    assert!(out.join("simulate-speedup.svg").is_file());
    // Beyond this machine's cores: extrapolated, and nothing measured.
    let csv = dir.path().join("t.csv");
    let stdout = ok_stdout(&[
        "simulate",
        "--size",
        "40",
        "--runs",
        "1",
        "-t",
        "33",
        "-s",
        "static",
        "--kernel",
        "scalar",
        "--out",
        out_s,
        "--export-csv",
        csv.to_str().unwrap(),
    ]);
    assert!(stdout.contains("scalar kernel"), "{stdout}");
    if machine < 33 {
        assert!(
            stdout.contains(&format!(
                "P = 33 virtual cores (extrapolated: this machine has {machine})"
            )),
            "{stdout}"
        );
        // Nothing measured: null in JSON, an empty field in CSV, "-" to people.
        let row = &results(&out.join("simulate.json"))[0];
        assert_eq!(row["basis"], "extrapolated");
        assert!(row["measured_ms"].is_null() && row["predicted_over_measured"].is_null());
        let csv = read(&csv);
        assert!(
            csv.lines().nth(1).unwrap().ends_with("extrapolated,,,"),
            "{csv}"
        );
        let md = read(&out.join("simulate.md"));
        assert!(md.contains("| - | - | - |"), "{md}");
    }
}

#[test]
fn simulates_another_tools_trace_region_by_region() {
    let dir = tempfile::tempdir().unwrap();
    let mut trace = Trace::new();
    let f = trace.intern("work");
    let g = trace.intern("inner");
    // 8 units of 1 ms on two lanes, each with a nested span that is no unit.
    let lane = |tid: u64, offset: u64| {
        let spans = (0..4).flat_map(|k| {
            let start = offset + k * 2_000_000;
            [
                Span::new(f, start, start + 1_000_000, 0),
                Span::new(g, start, start + 500_000, 1),
            ]
        });
        Lane::with_spans(7, tid, format!("t{tid}"), spans)
    };
    trace.lanes = vec![lane(1, 0), lane(2, 1_000)];
    let file = dir.path().join("other.json");
    trace.write_chrome_json(&file).unwrap();
    let out = dir.path().join("sim");
    let csv = dir.path().join("t.csv");
    let args = |overheads: &'static str| {
        [
            "simulate",
            file.to_str().unwrap(),
            "-t",
            "1,4,8",
            "-s",
            "chunked(1)",
            "--overheads",
            overheads,
            "--out",
            out.to_str().unwrap(),
            "--export-csv",
            csv.to_str().unwrap(),
        ]
    };
    let predicted = || -> Vec<f64> {
        results(&out.join("simulate.json"))
            .iter()
            .map(|r| r["predicted_ms"].as_f64().unwrap())
            .collect()
    };
    let stdout = ok_stdout(&args("zero"));
    assert!(stdout.contains("8 units"), "{stdout}");
    assert!(stdout.contains("no overheads"), "{stdout}");
    // Four bursts of 2 × 1 ms, no lane working between them: four regions,
    // each predicted on its own (never pooled), so 8 ms serially and 4 ms
    // (4 × 1 ms) on 4 or 8 cores: two units a burst keep 2 cores busy.
    assert!(stdout.contains("the 4 regions of"), "{stdout}");
    let exact = predicted();
    assert_eq!(exact, [8.0, 4.0, 4.0]);
    assert!(read(&csv).contains("chunked"));
    // This machine's overheads, charged to the trace's times: never less.
    let stdout = ok_stdout(&args("measured"));
    assert!(stdout.contains("read as ns on this machine"), "{stdout}");
    let charged = predicted();
    assert!(
        exact.iter().zip(&charged).all(|(e, c)| c > e),
        "{exact:?} {charged:?}"
    );
}

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let out_s = out.to_str().unwrap();
    fails_writing_nothing(
        &["simulate", "-t", "2,0", "--out", out_s],
        "--threads 0",
        &out,
    );
    fails_writing_nothing(
        &["simulate", "-s", "fastest", "--out", out_s],
        "fastest",
        &out,
    );
    let empty = dir.path().join("empty.json");
    Trace::new().write_chrome_json(&empty).unwrap();
    let empty_s = empty.to_str().unwrap();
    fails_writing_nothing(&["simulate", empty_s, "--out", out_s], "no spans", &out);
    fails_writing_nothing(
        &["simulate", empty_s, "--size", "10", "--out", out_s],
        "--size",
        &out,
    );
    fails_writing_nothing(
        &["simulate", empty_s, "--runs", "3", "--out", out_s],
        "--runs",
        &out,
    );
    fails_writing_nothing(
        &["simulate", empty_s, "--kernel", "scalar", "--out", out_s],
        "--kernel scalar",
        &out,
    );
    fails_writing_nothing(
        &["simulate", "--overheads", "some", "--out", out_s],
        "some",
        &out,
    );
    fails_writing_nothing(
        &["simulate", "--runs", "0", "--out", out_s],
        "--runs 0",
        &out,
    );
}

/// A 10 ms serial load on `main`, then a `loop` there while 4 workers each
/// run `work` spans of 1 ms for 10 ms, each holding two `item`s of 0.5 ms.
fn load_then_loop(dir: &Path) -> std::path::PathBuf {
    const MS: u64 = 1_000_000;
    let mut trace = Trace::new();
    let [load, outer, work, item] = ["load", "loop", "work", "item"].map(|n| trace.intern(n));
    let main = [
        Span::new(load, 0, 10 * MS, 0),
        Span::new(outer, 10 * MS, 20 * MS, 0),
    ];
    let main = Lane::with_spans(1, 1, "main", main);
    trace.lanes.push(main);
    for w in 0..4u64 {
        let spans = (0..10).flat_map(|k| {
            let start = 10 * MS + k * MS;
            [
                Span::new(work, start, start + MS, 0),
                Span::new(item, start, start + MS / 2, 1),
                Span::new(item, start + MS / 2, start + MS, 1),
            ]
        });
        let name = format!("worker-{}", w + 1);
        trace.lanes.push(Lane::with_spans(1, w + 2, name, spans));
    }
    let file = dir.join("load-then-loop.json");
    trace.write_chrome_json(&file).unwrap();
    file
}

#[test]
fn a_trace_is_predicted_region_by_region_never_pooled() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_then_loop(dir.path());
    let out = dir.path().join("sim");
    let export = dir.path().join("export.json");
    let args = |unit: Option<&'static str>| {
        let mut args = vec![
            "simulate",
            file.to_str().unwrap(),
            "-t",
            "4,8",
            "-s",
            "static",
            "--overheads",
            "zero",
            "--out",
            out.to_str().unwrap(),
            "--export-json",
            export.to_str().unwrap(),
        ];
        args.extend(unit.map(|u| ["--unit", u]).into_iter().flatten());
        args
    };
    let stdout = ok_stdout(&args(None));
    assert!(stdout.contains("the 2 regions of"), "{stdout}");
    assert!(stdout.contains("41 units"), "{stdout}");
    assert!(stdout.contains("by region at P = 8"), "{stdout}");
    // The load stays serial: 10 + 10 ms on 4 cores, 10 + 5 on 8 (pooled,
    // 50 ms of units would have been 12.5 and 6.25).
    let predicted: Vec<f64> = results(&out.join("simulate.json"))
        .iter()
        .map(|r| r["predicted_ms"].as_f64().unwrap())
        .collect();
    assert_eq!(predicted, [20.0, 15.0]);
    // The export: each region's predictions, and the whole run their sum.
    let meta = json(&export);
    let regions = meta["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 2, "{meta}");
    assert_eq!(regions[0]["name"], "load");
    assert_eq!(regions[0]["serial"], true);
    let at = |r: &serde_json::Value, i: usize| r["predictions"][i]["predicted_ns"].as_u64();
    assert_eq!(at(&regions[0], 1), Some(10_000_000));
    assert_eq!(at(&regions[1], 1), Some(5_000_000));
    assert_eq!(meta["whole_run"][1]["predicted_ns"], 15_000_000);
    // --unit item: the halves are the units.
    let stdout = ok_stdout(&args(Some("item")));
    assert!(stdout.contains("81 units"), "{stdout}");
    fails_writing_nothing(
        &args(Some("nothing")),
        "--unit nothing",
        &dir.path().join("sim2"),
    );
}
