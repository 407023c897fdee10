//! End-to-end: the work profile (`work.svg`/`.png` of `compare` and `run`)
//! and the iterations every recorded column carries in its trace.

use std::path::Path;

use logprof_kernels::{iterations_per_block, JuliaSet, Kernel};
use serde_json::Value;

use crate::support::{json, logprof, ok, path_str, read, stderr};

/// `logprof run --schedule SCHEDULE` on a 40-column image, 2 threads (but
/// serial), one run without warm-up, into `out`, with `extra` options.
fn small_run(schedule: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["run", "--schedule", schedule, "--size", "40"];
    // serial takes no thread count (giving one is an error).
    if schedule != "serial" {
        args.extend(["--threads", "2"]);
    }
    args.extend(["--runs", "1", "--warmup", "0", "--out", path_str(out)]);
    args.extend_from_slice(extra);
    ok(&args);
}

/// Each column's iterations, computed directly.
fn iterations_per_column(n: usize) -> Vec<u64> {
    let image = JuliaSet::with_size(n)
        .unwrap()
        .compute(Kernel::Scalar)
        .unwrap();
    image.iterations_per_column()
}

#[test]
fn compare_draws_static_blocks_with_their_totals_from_the_traces_args() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let n = 60;
    ok(&[
        "compare",
        "--size",
        "60",
        "--threads",
        "4",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--out",
        path_str(&out),
    ]);
    let per_column = iterations_per_column(n);
    // Every column span of every trace file carries its column and its
    // iterations as args.
    for name in ["static", "dynamic"] {
        let json = json(&out.join(format!("{name}.trace.json")));
        let columns: Vec<&Value> = json["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == "juliaset_column")
            .collect();
        assert_eq!(columns.len(), n, "{name}");
        for e in columns {
            let j = e["args"]["value"].as_u64().expect("the column") as usize;
            assert_eq!(
                e["args"]["result"].as_u64(),
                Some(per_column[j]),
                "{name} {j}"
            );
        }
    }
    assert!(out.join("work.png").metadata().unwrap().len() > 0);
    let svg = read(&out.join("work.svg"));
    let blocks = iterations_per_block(&per_column, 4);
    assert_eq!(svg.matches("class=\"piece\"").count(), 4, "{svg}");
    for total in &blocks {
        assert!(
            svg.contains(&format!("data-total=\"{total}\"")),
            "{total}: {svg}"
        );
    }
    // The title says whose split it is; the summary how uneven it is.
    assert!(
        svg.contains("static&apos;s 4 blocks") || svg.contains("static's 4 blocks"),
        "{svg}"
    );
    let ratio = *blocks.iter().max().unwrap() as f64 / *blocks.iter().min().unwrap() as f64;
    assert!(ratio > 2.0, "the middle blocks are heavier: {blocks:?}");
    assert!(
        svg.contains(&format!(": {ratio:.1}× the iterations of the lightest")),
        "{ratio}: {svg}"
    );
    // Each column's measured time is drawn over its iterations, with how
    // well they explain it, and where the times come from.
    assert!(svg.contains("class=\"time\""), "{svg}");
    assert!(
        svg.contains("time per column (") && svg.contains("class=\"time-axis\""),
        "{svg}"
    );
    assert!(
        svg.contains("line: time per column (") && svg.contains(", right axis)"),
        "{svg}"
    );
    let r: f64 = svg
        .split("correlation ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no correlation: {svg}"));
    assert!((-1.0..=1.0).contains(&r), "{r}");
    assert!(svg.contains("per iteration (mean ± σ)"), "{svg}");
    assert!(svg.contains("; 4 threads "), "{svg}");
}

#[test]
fn run_draws_its_own_pieces_or_says_it_has_none() {
    let dir = tempfile::tempdir().unwrap();
    for (schedule, pieces) in [
        ("chunked(chunk=10)", Some(4)),
        ("rayon", None),
        ("serial", Some(1)),
    ] {
        let out = dir.path().join(schedule.replace(['(', ')', '='], "_"));
        small_run(schedule, &out, &[]);
        let svg = read(&out.join("work.svg"));
        assert!(out.join("work.png").exists());
        match pieces {
            Some(count) => {
                assert_eq!(svg.matches("class=\"piece\"").count(), count, "{schedule}");
                if schedule == "serial" {
                    // One thread, whatever the pool held (2 threads here).
                    assert!(svg.contains("serial: one piece on one thread"), "{svg}");
                } else {
                    assert!(svg.contains("chunk 1:"), "{svg}");
                }
            }
            None => {
                assert!(!svg.contains("class=\"piece\""), "{schedule}");
                assert!(svg.contains("no fixed pieces"), "{svg}");
            }
        }
    }
}

/// The fills of the bars of an SVG timeline, in order.
fn bar_fills(svg: &str) -> Vec<String> {
    svg.split("class=\"bar\"")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find("fill=\"")? + 6;
            let end = rest[start..].find('"')?;
            Some(rest[start..start + end].to_owned())
        })
        .collect()
}

#[test]
fn color_cost_colours_bars_by_their_iterations_and_bogus_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    small_run("static", &out, &["--color", "cost"]);
    let by_cost = read(&out.join("static.svg"));
    assert!(by_cost.contains("its result (args.result)"), "{by_cost}");
    let trace = out.join("static.trace.json");
    let by_name_svg = dir.path().join("by-name.svg");
    ok(&["render", path_str(&trace), "--svg", path_str(&by_name_svg)]);
    let by_name = read(&by_name_svg);
    // By name every column is one colour; by cost the columns take several.
    let distinct = |fills: Vec<String>| {
        let mut f = fills;
        f.sort();
        f.dedup();
        f.len()
    };
    assert_eq!(distinct(bar_fills(&by_name)), 1, "{by_name}");
    assert!(distinct(bar_fills(&by_cost)) >= 3, "{by_cost}");
    assert!(!by_name.contains("args.result"));
    // render draws the same cost colours from the file (at the width run
    // draws, so the same spans merge).
    let rendered = dir.path().join("by-cost.svg");
    let width = logprof_viz::DEFAULT_WIDTH.to_string();
    ok(&[
        "render",
        path_str(&trace),
        "--width",
        &width,
        "--color",
        "cost",
        "--svg",
        path_str(&rendered),
    ]);
    assert_eq!(bar_fills(&read(&rendered)), bar_fills(&by_cost));

    for args in [
        vec!["render", path_str(&trace), "--color", "bogus"],
        vec!["run", "--schedule", "static", "--color", "bogus"],
        vec!["compare", "--color", "bogus"],
    ] {
        let o = logprof(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].contains("'bogus'") && lines[0].contains("name, cost"),
            "{err}"
        );
    }
    assert!(!dir.path().join("by-name.svg.tmp").exists());
}
