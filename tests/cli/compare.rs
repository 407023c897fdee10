//! `logprof compare`: every scheduler's files written, and the table's
//! figures those of the traces beside it.

use logprof::Trace;
use logprof_trace::table::percent;
use serde_json::Value;

use crate::support::{leftovers, ok, path_str, read, results, stdout};

const SCHEDULERS: [&str; 8] = [
    "serial",
    "static",
    "dynamic",
    "chunked",
    "guided",
    "forkjoin",
    "rayon",
    "depthfirst",
];

#[test]
fn compare_writes_every_output_and_the_table_matches_the_traces() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let n = 48;
    let out = ok(&[
        "compare",
        "--size",
        "48",
        "--threads",
        "3",
        "--runs",
        "2",
        "--warmup",
        "1",
        "--out",
        path_str(&out_dir),
        "--export-csv",
        path_str(&dir.path().join("t.csv")),
    ]);
    let table = stdout(&out);
    for s in SCHEDULERS {
        assert!(table.contains(s), "table lists {s}:\n{table}");
        for ext in ["trace.json", "svg", "png"] {
            let f = out_dir.join(format!("{s}.{ext}"));
            assert!(
                f.metadata().map(|m| m.len() > 0).unwrap_or(false),
                "{} exists",
                f.display()
            );
        }
    }
    for f in [
        "timelines.svg",
        "timelines.png",
        "fractal.png",
        "summary.md",
        "summary.json",
    ] {
        assert!(out_dir.join(f).exists(), "{f} exists");
    }
    let rows = results(&out_dir.join("summary.json"));
    assert_eq!(rows.len(), SCHEDULERS.len());
    for row in &rows {
        let name = row["scheduler"].as_str().unwrap();
        assert_eq!(row["same_image"], Value::Bool(true), "{name}");
        // The table's balance numbers come from the trace file beside it.
        let trace = Trace::read_chrome_json(out_dir.join(format!("{name}.trace.json"))).unwrap();
        let s = trace.summary();
        assert!(
            (row["load_balance"].as_f64().unwrap() - s.load_balance).abs() < 1e-9,
            "{name}"
        );
        assert!(
            (row["parallel_efficiency"].as_f64().unwrap() - s.parallel_efficiency).abs() < 1e-9,
            "{name}"
        );
        // And so does its picture, naming the kind of busy time.
        let svg = read(&out_dir.join(format!("{name}.svg")));
        let kind = if s.off_cpu.is_recorded() {
            "on-CPU"
        } else {
            "wall-clock"
        };
        for (key, ratio) in [
            ("load balance", "load_balance"),
            ("parallel efficiency", "parallel_efficiency"),
        ] {
            assert_eq!(
                header_value(&svg, &format!("{kind} {key}")),
                percent(row[ratio].as_f64().unwrap()),
                "{name}: {key}"
            );
        }
        let columns = trace.name_id("juliaset_column").map_or(0, |id| {
            trace
                .lanes
                .iter()
                .flat_map(|l| &l.spans)
                .filter(|sp| sp.name == id)
                .count()
        });
        assert_eq!(columns, n, "{name}: one span a column");
        let lanes = if name == "serial" { 1 } else { 3 };
        assert_eq!(trace.lanes.len(), lanes, "{name}: a lane per worker");
        assert!(row["median_ms"].as_f64().unwrap() > 0.0);
    }
    drawn_runs_are_the_ones_said(&out_dir);
    cautions_are_in_the_files(&out_dir);
    predictions_when_threads_outnumber_cores(&out_dir, &table, 3);
    let serial = rows.iter().find(|r| r["scheduler"] == "serial").unwrap();
    assert!((serial["speedup"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    // Serial is a one-thread schedule: one lane, balance 1.
    assert!((serial["load_balance"].as_f64().unwrap() - 1.0).abs() < 1e-6);
    let csv = read(&dir.path().join("t.csv"));
    assert_eq!(csv.lines().count(), 1 + SCHEDULERS.len());
    assert!(csv.starts_with("scheduler,params,median_ms"));
    assert!(leftovers(&out_dir).is_empty());
}

/// With more threads than this machine's cores, each schedule has its
/// simulated figures at as many cores as threads, marked simulated, in the
/// table and the JSON; with enough cores, none.
fn predictions_when_threads_outnumber_cores(out_dir: &std::path::Path, table: &str, threads: u64) {
    let json: Value = serde_json::from_str(&read(&out_dir.join("summary.json"))).unwrap();
    let cores = std::thread::available_parallelism().unwrap().get() as u64;
    let schedules = json["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), SCHEDULERS.len());
    if cores >= threads {
        assert!(schedules.iter().all(|s| s["predicted"].is_null()));
        assert!(!table.contains("predicted speed-up"), "{table}");
        return;
    }
    assert!(table.contains("predicted speed-up"), "{table}");
    assert!(
        table.contains(&format!("simulated on {threads} cores")),
        "{table}"
    );
    for s in schedules {
        let p = &s["predicted"];
        let name = s["scheduler"].as_str().unwrap();
        assert_eq!(p["cores"], threads, "{name}");
        assert_eq!(p["simulated"], true, "{name}");
        let (speedup, balance) = (
            p["speedup"].as_f64().unwrap(),
            p["load_balance"].as_f64().unwrap(),
        );
        assert!(
            speedup > 0.0 && speedup <= threads as f64 + 1e-9,
            "{name}: {speedup}"
        );
        assert!(balance > 0.0 && balance <= 1.0, "{name}: {balance}");
        if name == "serial" {
            // Every column on one core: no speed-up, whatever the costs.
            assert!(speedup <= 1.0 + 1e-9, "{speedup}");
        }
    }
    let speedup_of = |name: &str| {
        let s = schedules.iter().find(|s| s["scheduler"] == name).unwrap();
        s["predicted"]["speedup"].as_f64().unwrap()
    };
    assert!(speedup_of("chunked") > speedup_of("serial"));
    let rows = results(&out_dir.join("summary.json"));
    for (row, s) in rows.iter().zip(schedules) {
        let shown = row["predicted_speedup"].as_f64().unwrap();
        assert!((shown - s["predicted"]["speedup"].as_f64().unwrap()).abs() < 0.01);
    }
}

/// The warnings printed beside the timings are in `summary.json` and
/// `summary.md` too, each naming its schedule, and a drawn run that a core
/// left short by 5 % of the cores' time or more has one that says so.
fn cautions_are_in_the_files(out_dir: &std::path::Path) {
    let meta: Value = serde_json::from_str(&read(&out_dir.join("summary.json"))).unwrap();
    let md = read(&out_dir.join("summary.md"));
    let cautions: Vec<&str> = meta["cautions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(md.contains("## Cautions"), !cautions.is_empty(), "{md}");
    for s in meta["schedules"].as_array().unwrap() {
        let name = s["scheduler"].as_str().unwrap();
        let said = cautions.iter().find(|c| {
            c.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('('))
        });
        if let Some(line) = said {
            assert!(md.contains(&format!("- {line}")), "{line}\n{md}");
        }
        let summary = &s["summary"];
        let core_time =
            summary["usable_cores"].as_f64().unwrap() * summary["wall_ns"].as_f64().unwrap();
        // null where off-CPU time was not recorded.
        let lost = summary["placement_loss_ns"].as_f64().unwrap_or(0.0);
        if name != "serial" && lost >= 0.05 * core_time {
            assert!(
                said.is_some_and(|l| l.contains("a core ran none")),
                "{name}: {cautions:?}"
            );
        }
    }
}

/// Each schedule's trace file is the recorded run summary.json says was
/// drawn, and it is called typical exactly when its wall time lies within
/// the timed runs' min … max.
fn drawn_runs_are_the_ones_said(out_dir: &std::path::Path) {
    let meta: Value = serde_json::from_str(&read(&out_dir.join("summary.json"))).unwrap();
    for s in meta["schedules"].as_array().unwrap() {
        let name = s["scheduler"].as_str().unwrap();
        let recorded = &s["recorded"];
        let times = recorded["times_s"].as_array().unwrap();
        assert!((1..=5).contains(&times.len()), "{name}: {recorded}");
        let drawn = times[recorded["drawn"].as_u64().unwrap() as usize]
            .as_f64()
            .unwrap();
        let wall = s["summary"]["wall_ns"].as_f64().unwrap() / 1e9;
        assert!((drawn - wall).abs() < 1e-9, "{name}: {drawn} s, {wall} s");
        let t = &s["timing"];
        let range = t["min_s"].as_f64().unwrap()..=t["max_s"].as_f64().unwrap();
        assert_eq!(
            recorded["typical"].as_bool(),
            Some(range.contains(&wall)),
            "{name}"
        );
        // Recorded again only while no run was typical.
        for earlier in &times[..times.len() - 1] {
            let earlier = earlier.as_f64().unwrap();
            assert!(!range.contains(&earlier), "{name}: {recorded}");
        }
    }
}

/// The value a timeline's header gives `key`: the bold text after it.
fn header_value<'a>(svg: &'a str, key: &str) -> &'a str {
    let after = svg
        .split_once(&format!(">{key}</tspan>"))
        .unwrap_or_else(|| panic!("no {key:?} in the header"))
        .1;
    let value = after.split_once("</tspan>").unwrap().0;
    value.rsplit_once('>').unwrap().1
}
