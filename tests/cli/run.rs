//! `logprof run`: one schedule's table and files, inline parameters, the
//! note on more threads than cores, and how timings and ratios read.

use logprof::Trace;

use crate::support::{ok, path_str, read, results, static_run, stderr, stdout};

#[test]
fn run_one_schedule_and_report_and_render_its_trace() {
    let dir = tempfile::tempdir().unwrap();
    let d = path_str(dir.path());
    let out = ok(&[
        "run",
        "--schedule",
        "chunked",
        "--chunk",
        "3",
        "--size",
        "40",
        "--threads",
        "2",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--out",
        d,
        "--export-markdown",
        path_str(&dir.path().join("t.md")),
        "--export-json",
        path_str(&dir.path().join("t.json")),
    ]);
    assert!(stdout(&out).contains("chunk=3"));
    let trace_path = dir.path().join("chunked.trace.json");
    let md = read(&dir.path().join("t.md"));
    assert!(md.starts_with("| scheduler |"), "{md}");
    assert_eq!(results(&dir.path().join("t.json"))[0]["params"], "chunk=3");

    let report = stdout(&ok(&["report", path_str(&trace_path)]));
    // Every column is recorded with its index (the 40 columns' values) and
    // its iterations (the results, from the lightest column to the heaviest).
    let column_row = report
        .lines()
        .find(|l| l.starts_with("juliaset_column"))
        .unwrap_or_else(|| panic!("{report}"));
    let per_column = logprof_kernels::JuliaSet::with_size(40)
        .unwrap()
        .compute(logprof_kernels::Kernel::Scalar)
        .unwrap()
        .iterations_per_column();
    let (lightest, heaviest) = (
        per_column.iter().min().unwrap(),
        per_column.iter().max().unwrap(),
    );
    assert!(column_row.contains("0 … 39 "), "{report}");
    assert!(
        column_row.ends_with(&format!(" {lightest} … {heaviest}")),
        "{report}"
    );
    assert!(
        report.contains(" values") && report.contains(" results"),
        "{report}"
    );
    let trace = Trace::read_chrome_json(&trace_path).unwrap();
    let s = trace.summary();
    assert!(
        report.contains(&format!("load balance: {:.3}", s.load_balance)),
        "{report}"
    );
    assert!(report.contains("worker-0") && report.contains("worker-1"));
    assert!(report.contains("juliaset_column"));

    let svg = dir.path().join("r.svg");
    let png = dir.path().join("r.png");
    ok(&[
        "render",
        path_str(&trace_path),
        "--svg",
        path_str(&svg),
        "--png",
        path_str(&png),
    ]);
    assert!(read(&svg).contains("worker-1"));
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    ok(&[
        "render",
        path_str(&trace_path),
        "--by",
        "task",
        "--svg",
        path_str(&svg),
    ]);
}

#[test]
fn inline_parameters_and_the_oversubscription_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = path_str(dir.path());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (cores + 1).to_string();
    let out = ok(&[
        "run",
        "--schedule",
        "rayon(basesize=5)",
        "--size",
        "24",
        "--threads",
        &threads,
        "--runs",
        "1",
        "--warmup",
        "0",
        "--out",
        d,
    ]);
    assert!(stdout(&out).contains("basesize=5"), "{}", stdout(&out));
    let note: Vec<String> = stderr(&out)
        .lines()
        // The note, not the speed-up warnings a noisy run may add.
        .filter(|l| l.starts_with("note:") && l.contains("cores"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        note.len(),
        1,
        "one line says there are more threads than cores: {}",
        stderr(&out)
    );
    assert!(
        note[0].contains(&format!(
            "{threads} threads on {cores} core{}",
            if cores == 1 { ":" } else { "s:" }
        )),
        "{}",
        note[0]
    );
    let trace = Trace::read_chrome_json(dir.path().join("rayon.trace.json")).unwrap();
    assert_eq!(trace.lanes.len(), cores + 1);
    // Lanes in worker order.
    let names: Vec<&str> = trace.lanes.iter().map(|l| l.thread_name.as_str()).collect();
    let expected: Vec<String> = (0..=cores).map(|i| format!("worker-{i}")).collect();
    assert_eq!(names, expected);
}

#[test]
fn timings_read_as_mean_sigma_and_range_and_ratios_as_percentages() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = static_run(
        &out_dir,
        &["--export-json", path_str(&dir.path().join("t.json"))],
    );
    let table = stdout(&out);
    for heading in [
        "mean ± σ",
        "min … max",
        "load balance",
        "parallel efficiency",
    ] {
        assert!(table.contains(heading), "{heading}: {table}");
    }
    let row = table.lines().find(|l| l.starts_with("static")).unwrap();
    assert!(
        row.contains(" ± ") && row.contains(" … ") && row.contains(" %"),
        "{row}"
    );
    // The pictures use the same names and the same percentages.
    let svg = read(&out_dir.join("static.svg"));
    assert!(svg.contains("load balance") && svg.contains("parallel efficiency"));
    let md = read(&out_dir.join("summary.md"));
    assert!(md.contains("mean ± σ") && md.contains(" %"), "{md}");
    // One page to open, with the same table and the timeline (its data).
    let page = read(&out_dir.join("report.html"));
    assert!(
        page.contains("\"title\":\"static\"") && page.contains("<table"),
        "report.html"
    );
    // The data keep exact numbers: ratios as ratios, every statistic.
    let rows = results(&dir.path().join("t.json"));
    let r = &rows[0];
    let (min, mean, max) = (
        r["min_ms"].as_f64().unwrap(),
        r["mean_ms"].as_f64().unwrap(),
        r["max_ms"].as_f64().unwrap(),
    );
    assert!(min <= mean && mean <= max, "{r}");
    assert!(r["stddev_ms"].as_f64().unwrap() >= 0.0);
    let lb = r["load_balance"].as_f64().unwrap();
    assert!(lb > 0.0 && lb <= 1.0, "{lb}");
    // Warnings about the timing, if any, are one line a scheduler.
    for line in stderr(&out).lines().filter(|l| l.starts_with("warning")) {
        assert!(
            line.starts_with("warning: serial") || line.starts_with("warning: static"),
            "{line}"
        );
    }
}
