//! End-to-end tests of the `logprof` binary: real runs at small sizes, their
//! files checked against each other, and every error path.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use logprof::Trace;
use serde_json::Value;

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

fn logprof(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logprof"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and expects success, showing stderr otherwise.
fn ok(args: &[&str]) -> Output {
    let out = logprof(args);
    assert!(
        out.status.success(),
        "logprof {args:?} failed:\n{}",
        stderr(&out)
    );
    out
}

/// Runs and expects a one-line error naming `culprit`.
fn fails(args: &[&str], culprit: &str) -> String {
    let out = logprof(args);
    assert!(!out.status.success(), "logprof {args:?} should fail");
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one-line error expected, got:\n{err}");
    assert!(lines[0].starts_with("error"), "{err}");
    assert!(
        err.contains(culprit),
        "error should name {culprit:?}: {err}"
    );
    err
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Files that a failed write might have left behind.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().contains(".tmp"))
                })
                .collect()
        })
        .unwrap_or_default()
}

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
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap())
            .unwrap();
    let rows = summary["results"].as_array().unwrap();
    assert_eq!(rows.len(), SCHEDULERS.len());
    for row in rows {
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
    let serial = rows.iter().find(|r| r["scheduler"] == "serial").unwrap();
    assert!((serial["speedup"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    // Serial is a one-thread schedule: one lane, balance 1.
    assert!((serial["load_balance"].as_f64().unwrap() - 1.0).abs() < 1e-6);
    let csv = std::fs::read_to_string(dir.path().join("t.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + SCHEDULERS.len());
    assert!(csv.starts_with("scheduler,params,median_ms"));
    assert!(leftovers(&out_dir).is_empty());
}

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
    let md = std::fs::read_to_string(dir.path().join("t.md")).unwrap();
    assert!(md.starts_with("| scheduler |"), "{md}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.json")).unwrap()).unwrap();
    assert_eq!(json["results"][0]["params"], "chunk=3");

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
    assert!(std::fs::read_to_string(&svg).unwrap().contains("worker-1"));
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_logprof"))
        .args(["report", path_str(&trace), "--export-json", path_str(&json)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -0`: the reader leaves before the report is printed.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&json).unwrap().contains("solo"));
}

#[test]
fn sweep_prints_a_table_and_draws_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let d = path_str(dir.path());
    let out = ok(&[
        "sweep",
        "ntasks",
        "--values",
        "2,8",
        "--size",
        "32",
        "--threads",
        "2",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--out",
        d,
    ]);
    let table = stdout(&out);
    assert_eq!(
        table.lines().filter(|l| l.starts_with("forkjoin")).count(),
        2,
        "{table}"
    );
    for ext in ["svg", "png", "md", "json", "csv"] {
        assert!(
            dir.path().join(format!("sweep-ntasks.{ext}")).exists(),
            "{ext}"
        );
    }
    // The JSON rows are the swept values, each checked against serial.
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("sweep-ntasks.json")).unwrap(),
    )
    .unwrap();
    let rows = json["results"].as_array().unwrap();
    let values: Vec<u64> = rows.iter().map(|r| r["ntasks"].as_u64().unwrap()).collect();
    assert_eq!(values, vec![2, 8]);
    for row in rows {
        assert_eq!(row["same_image"], Value::Bool(true));
        assert!(row["median_ms"].as_f64().unwrap() > 0.0);
        let lb = row["load_balance"].as_f64().unwrap();
        assert!(lb > 0.0 && lb <= 1.0, "{lb}");
    }
    // The chart has a line for the scheduler and the ideal.
    let chart = std::fs::read_to_string(dir.path().join("sweep-ntasks.svg")).unwrap();
    assert!(
        chart.contains("forkjoin") && chart.contains("ideal"),
        "{chart}"
    );
}

#[test]
fn bad_input_gives_one_line_errors_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let d = path_str(dir.path());
    let err = fails(
        &["run", "--schedule", "roundrobin", "--out", d],
        "roundrobin",
    );
    assert!(
        err.contains("forkjoin") && err.contains("depthfirst"),
        "lists the valid ones: {err}"
    );
    fails(&["compare", "--threads", "0", "--out", d], "--threads 0");
    fails(&["compare", "--size", "0", "--out", d], "--size 0");
    fails(
        &["run", "--schedule", "chunked", "--chunk", "0", "--out", d],
        "chunk",
    );
    fails(&["sweep", "basesize", "--values", "0,2", "--out", d], "0");

    let missing = dir.path().join("missing.json");
    fails(&["report", path_str(&missing)], "missing.json");
    let truncated = dir.path().join("truncated.json");
    std::fs::write(
        &truncated,
        r#"{"traceEvents":[{"name":"a","ph":"X","ts":1,"du"#,
    )
    .unwrap();
    fails(&["render", path_str(&truncated)], "truncated.json");
    let not_trace = dir.path().join("config.json");
    std::fs::write(&not_trace, r#"{"name":"not a trace"}"#).unwrap();
    fails(&["report", path_str(&not_trace)], "config.json");

    // An output directory that cannot be created: under a regular file.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let bad_out = file.join("out");
    fails(
        &["compare", "--size", "8", "--out", path_str(&bad_out)],
        path_str(&bad_out),
    );
    // A render target that cannot be written leaves nothing behind.
    let good = dir.path().join("good.trace.json");
    std::fs::write(
        &good,
        r#"[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}]"#,
    )
    .unwrap();
    fails(
        &[
            "render",
            path_str(&good),
            "--svg",
            path_str(&file.join("x.svg")),
        ],
        "x.svg",
    );
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn command_line_mistakes_are_one_line_and_checked_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = path_str(dir.path());
    let err = fails(&["compare", "--threads", "abc"], "abc");
    assert!(err.contains("--threads"), "{err}");
    let err = fails(&["compare", "--kernel", "avx9"], "avx9");
    assert!(
        err.contains("simd") && err.contains("scalar"),
        "lists the kernels: {err}"
    );
    fails(&["sweep", "colour"], "colour");
    fails(&["compare", "--bogus"], "--bogus");
    fails(
        &["compare", "--size", "100000", "--out", d],
        "--size 100000",
    );
    // An export into a missing directory is refused before the run.
    let missing = dir.path().join("no-such-dir").join("t.csv");
    fails(
        &[
            "run",
            "--schedule",
            "static",
            "--size",
            "8",
            "--out",
            d,
            "--export-csv",
            path_str(&missing),
        ],
        "no-such-dir",
    );
    assert!(
        !dir.path().join("static.trace.json").exists(),
        "nothing ran"
    );
    // A new output directory is not created for a workload that is refused.
    let never = dir.path().join("never");
    fails(
        &["compare", "--size", "0", "--out", path_str(&never)],
        "--size 0",
    );
    assert!(!never.exists());
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
fn help_and_version() {
    let top = stdout(&ok(&["--help"]));
    for cmd in ["compare", "run", "sweep", "render", "report"] {
        assert!(top.contains(cmd), "{top}");
    }
    let compare = stdout(&ok(&["compare", "--help"]));
    for option in [
        "--size",
        "[default: 1000]",
        "--threads",
        "[default: 4]",
        "--kernel",
        "--runs",
        "--out",
        "--export-markdown",
    ] {
        assert!(compare.contains(option), "compare --help mentions {option}");
    }
    let run = stdout(&ok(&["run", "--help"]));
    assert!(
        run.contains("--schedule") && run.contains("--basesize") && run.contains("[default: 2]")
    );
    assert!(stdout(&ok(&["--version"])).contains(env!("CARGO_PKG_VERSION")));
}

/// The entries of `dir`, sorted, hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A small `run` of `static` into `out`, with more arguments.
fn small_run(out: &Path, more: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--schedule",
        "static",
        "--size",
        "24",
        "--threads",
        "2",
        "--runs",
        "3",
        "--warmup",
        "0",
        "--out",
    ];
    args.push(path_str(out));
    args.extend_from_slice(more);
    logprof(&args)
}

#[test]
fn limits_are_checked_before_any_work_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A lane per thread in every timeline: 1000 do not fit a PNG.
    let err = fails(
        &[
            "compare",
            "--threads",
            "1000",
            "--size",
            "8",
            "--out",
            path_str(&out),
        ],
        "--threads 1000",
    );
    assert!(err.contains("16384") && err.contains("or fewer"), "{err}");
    let err = fails(
        &[
            "run",
            "-s",
            "static",
            "--threads",
            "1000",
            "--size",
            "8",
            "--out",
            path_str(&out),
        ],
        "--threads 1000",
    );
    assert!(err.contains("16384"), "{err}");
    let err = fails(
        &["compare", "--size", "16385", "--out", path_str(&out)],
        "--size 16385",
    );
    assert!(err.contains("16384"), "{err}");
    fails(
        &["compare", "--runs", "0", "--out", path_str(&out)],
        "--runs 0",
    );
    fails(
        &["render", "x.json", "--width", "100000", "--png", "x.png"],
        "--width 100000",
    );
    // Between the CLI's limit (fractal.png) and the kernel's own (65536).
    fails(
        &[
            "run",
            "-s",
            "static",
            "--size",
            "20000",
            "--out",
            path_str(&out),
        ],
        "--size 20000",
    );
    for bad in ["nan", "inf", "-inf"] {
        fails(
            &[
                "run",
                "-s",
                "static",
                "--c-re",
                bad,
                "--out",
                path_str(&out),
            ],
            "must be finite",
        );
    }
    fails(&["render", "x.json", "--by", "nope"], "'nope'");
    assert!(!out.exists(), "nothing was written");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn the_output_directory_is_replaced_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = small_run(&out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    std::fs::write(out.join("stale.trace.json"), "[]").unwrap();
    std::fs::write(out.join("notes.txt"), "from an older run").unwrap();
    // Into an existing output: the new files, nothing old.
    let second = logprof(&[
        "run",
        "-s",
        "chunked",
        "--size",
        "24",
        "--threads",
        "2",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--out",
        path_str(&out),
    ]);
    assert!(second.status.success(), "{}", stderr(&second));
    let names = entries(&out);
    assert!(
        names.contains(&"chunked.trace.json".to_owned()),
        "{names:?}"
    );
    for gone in ["stale.trace.json", "notes.txt", "static.trace.json"] {
        assert!(
            !names.contains(&gone.to_owned()),
            "{gone} is gone: {names:?}"
        );
    }
    assert_eq!(
        entries(dir.path()),
        vec!["out"],
        "no temporary folder beside it"
    );

    // A run killed half-way (as Ctrl-C does) leaves the old output whole.
    let before = entries(&out);
    let mut child = Command::new(env!("CARGO_BIN_EXE_logprof"))
        .args([
            "compare",
            "--size",
            "2000",
            "--runs",
            "1000",
            "--warmup",
            "0",
            "--out",
            path_str(&out),
        ])
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while entries(dir.path()).len() < 2 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(entries(&out), before, "the old output is whole");

    // A run that fails leaves it whole too, and the next run clears what
    // the killed one left beside it.
    fails(
        &[
            "run",
            "-s",
            "static",
            "--chunk",
            "8",
            "--out",
            path_str(&out),
        ],
        "--chunk 8",
    );
    assert_eq!(entries(&out), before);
    let third = small_run(&out, &[]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(
        entries(dir.path()),
        vec!["out"],
        "no temporary folder beside it"
    );

    // A directory of someone else's files is never replaced.
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("thesis.tex"), "x").unwrap();
    let err = fails(
        &["compare", "--size", "8", "--out", path_str(&mine)],
        "mine",
    );
    assert!(err.contains("new or empty directory"), "{err}");
    assert_eq!(entries(&mine), vec!["thesis.tex"]);
}

#[test]
fn options_that_would_be_ignored_or_overridden_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = path_str(&out);
    let err = fails(
        &["run", "-s", "chunked(8)", "--chunk", "4", "--out", o],
        "--chunk 4",
    );
    assert!(err.contains("chunked(8)"), "{err}");
    let err = fails(
        &["run", "-s", "static", "--chunk", "8", "--out", o],
        "--chunk 8",
    );
    assert!(err.contains("static"), "{err}");
    fails(
        &["run", "-s", "rayon", "--ntasks", "8", "--out", o],
        "--ntasks 8",
    );
    let err = fails(&["sweep", "threads", "-t", "2", "--out", o], "--threads 2");
    assert!(err.contains("--values"), "{err}");
    fails(&["sweep", "chunk", "--chunk", "4", "--out", o], "--chunk 4");
    fails(
        &["sweep", "ntasks", "--basesize", "4", "--out", o],
        "--basesize 4",
    );
    fails(
        &["run", "-s", "static", "--runs", "0", "--out", o],
        "--runs 0",
    );
    assert!(!out.exists());
    // An option the scheduler takes, or a default left alone, is fine.
    let ok_run = small_run(&out, &[]);
    assert!(ok_run.status.success(), "{}", stderr(&ok_run));
    // The rule is in the help.
    let help = stdout(&ok(&["run", "--help"]));
    assert!(help.contains("not both"), "{help}");
    let help = stdout(&ok(&["sweep", "--help"]));
    assert!(help.contains("are errors"), "{help}");
}

#[test]
fn errors_name_the_real_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    let err = fails(&["compare", "--size", "8", "-o", path_str(&file)], "afile");
    assert!(err.contains("is a file, not a directory"), "{err}");
    assert!(!err.contains("exists"), "{err}");
    let csv = file.join("x.csv");
    let out = dir.path().join("out");
    let err = fails(
        &[
            "compare",
            "--size",
            "8",
            "--out",
            path_str(&out),
            "--export-csv",
            path_str(&csv),
        ],
        "afile",
    );
    assert!(
        err.contains("is a file, not a directory") && !err.contains("does not exist"),
        "{err}"
    );
    let good = dir.path().join("good.trace.json");
    std::fs::write(
        &good,
        r#"[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}]"#,
    )
    .unwrap();
    let err = fails(
        &[
            "render",
            path_str(&good),
            "--png",
            path_str(&file.join("x.png")),
        ],
        "x.png",
    );
    assert!(err.contains("is a file, not a directory"), "{err}");
    // An OS error is said once, not repeated by its context.
    let err = fails(&["report", path_str(dir.path())], path_str(dir.path()));
    assert!(err.matches("os error").count() <= 1, "{err}");
    assert!(!out.exists());
}

#[test]
fn timings_read_as_mean_sigma_and_range_and_ratios_as_percentages() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = small_run(
        &out_dir,
        &["--export-json", path_str(&dir.path().join("t.json"))],
    );
    assert!(out.status.success(), "{}", stderr(&out));
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
    let svg = std::fs::read_to_string(out_dir.join("static.svg")).unwrap();
    assert!(svg.contains("load balance") && svg.contains("parallel efficiency"));
    let md = std::fs::read_to_string(out_dir.join("summary.md")).unwrap();
    assert!(md.contains("mean ± σ") && md.contains(" %"), "{md}");
    // The data keep exact numbers: ratios as ratios, every statistic.
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.json")).unwrap()).unwrap();
    let r = &json["results"][0];
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

#[test]
fn the_readme_says_how_to_install_and_depend() {
    let readme = include_str!("../README.md");
    assert!(readme.contains("cargo install --path ."));
    assert!(readme.contains("[dependencies]") && readme.contains("logprof = { path"));
    assert!(readme.contains("cargo run --release -- compare"));
    assert!(readme.contains("cargo test --workspace"));
}
