//! `logprof simulate` end to end: the recorded fractal, another tool's trace,
//! and the errors that write nothing.

use std::path::Path;
use std::process::{Command, Output};

use logprof::{Lane, Span, Trace};
use serde_json::Value;

fn logprof(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logprof"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = logprof(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "logprof {args:?} failed:\n{err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A one-line error naming `culprit`, and no output directory.
fn fails(args: &[&str], culprit: &str, out: &Path) {
    let o = logprof(args);
    assert!(!o.status.success(), "logprof {args:?} should fail");
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one-line error expected, got:\n{err}");
    assert!(
        lines[0].starts_with("error") && err.contains(culprit),
        "{err}"
    );
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

fn results(path: &Path) -> Vec<Value> {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["results"].as_array().unwrap().clone()
}

#[test]
fn simulates_the_recorded_fractal_under_every_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let out_s = out.to_str().unwrap();
    let stdout = ok(&[
        "simulate", "--size", "40", "--runs", "2", "-t", "1,2", "--out", out_s,
    ]);
    assert!(stdout.contains("independent units"), "{stdout}");
    let machine = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rows = results(&out.join("simulate.json"));
    assert_eq!(rows.len(), 8 * 2);
    for row in &rows {
        let cores = row["cores"].as_u64().unwrap() as usize;
        if cores == 1 {
            // One core: every schedule predicts the serial time.
            assert_eq!(row["speedup"].as_f64().unwrap(), 1.0, "{row}");
        }
        assert_eq!(row["basis"] == "extrapolated", cores > machine, "{row}");
        if cores > machine {
            assert_eq!(row["measured_ms"], "-");
        } else {
            // Checked against the real schedule on this machine.
            let (predicted, measured) = (&row["predicted_ms"], &row["measured_ms"]);
            let ratio = predicted.as_f64().unwrap() / measured.as_f64().unwrap();
            assert!((ratio - row["predicted_over_measured"].as_f64().unwrap()).abs() < 1e-9);
        }
    }
    // A simulated timeline per schedule, at the largest P, drawn and read back.
    for name in ["static", "rayon", "forkjoin"] {
        let trace = Trace::read_chrome_json(out.join(format!("{name}.trace.json"))).unwrap();
        assert_eq!(trace.span_count(), 40);
        assert_eq!(trace.lanes.len(), 2);
        assert_eq!(trace.lanes[0].thread_name, "core-0");
        assert!(trace.process_name.unwrap().starts_with("simulated"));
        let svg = std::fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("simulated"));
        assert!(out.join(format!("{name}.png")).is_file());
    }
    assert!(out.join("simulate-speedup.svg").is_file());
    // Beyond this machine's cores: extrapolated, and nothing measured.
    let stdout = ok(&[
        "simulate", "--size", "40", "--runs", "1", "-t", "33", "-s", "static", "--out", out_s,
    ]);
    if machine < 33 {
        assert!(
            stdout.contains(&format!(
                "P = 33 virtual cores (extrapolated: this machine has {machine})"
            )),
            "{stdout}"
        );
        let row = &results(&out.join("simulate.json"))[0];
        assert_eq!(
            (&row["basis"], &row["measured_ms"]),
            (&"extrapolated".into(), &"-".into())
        );
    }
}

#[test]
fn simulates_another_tools_trace_from_its_top_level_spans() {
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
    let args = [
        "simulate",
        file.to_str().unwrap(),
        "-t",
        "1,4,8",
        "-s",
        "chunked(1)",
        "--out",
        out.to_str().unwrap(),
        "--export-csv",
        csv.to_str().unwrap(),
    ];
    let stdout = ok(&args);
    assert!(stdout.contains("8 units"), "{stdout}");
    let rows = results(&out.join("simulate.json"));
    let ms: Vec<f64> = rows
        .iter()
        .map(|r| r["predicted_ms"].as_f64().unwrap())
        .collect();
    // 8 × 1 ms: 8 ms serially, 2 ms on 4 cores, 1 ms on 8.
    assert_eq!(ms, [8.0, 2.0, 1.0]);
    assert!(std::fs::read_to_string(csv).unwrap().contains("chunked"));
}

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let out_s = out.to_str().unwrap();
    fails(
        &["simulate", "-t", "2,0", "--out", out_s],
        "--threads 0",
        &out,
    );
    fails(
        &["simulate", "-s", "fastest", "--out", out_s],
        "fastest",
        &out,
    );
    let empty = dir.path().join("empty.json");
    Trace::new().write_chrome_json(&empty).unwrap();
    let empty_s = empty.to_str().unwrap();
    fails(&["simulate", empty_s, "--out", out_s], "no spans", &out);
    fails(
        &["simulate", empty_s, "--size", "10", "--out", out_s],
        "--size",
        &out,
    );
    fails(
        &["simulate", empty_s, "--runs", "3", "--out", out_s],
        "--runs",
        &out,
    );
    fails(
        &["simulate", "--runs", "0", "--out", out_s],
        "--runs 0",
        &out,
    );
}
