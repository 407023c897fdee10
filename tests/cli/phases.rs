//! `examples/phases.rs` recorded at a small size, then `report` on its
//! trace: the regions its documentation expects, ranked as written, and
//! advice where it says. Structure only, never a time.

use crate::support::{json, ok, stdout};

// The example itself, for its `record` (its `main` and option parsing are
// the example's own).
#[allow(dead_code)]
#[path = "../../examples/phases.rs"]
mod example;

#[test]
fn report_finds_and_ranks_the_phases_of_the_example_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let options = example::Options {
        threads: 2,
        schedule: logprof_kernels::Schedule::Static,
        scale: 5.0,
        out: dir.path().join("phases.json"),
    };
    let trace = example::record(&options).unwrap();
    trace.write_chrome_json(&options.out).unwrap();
    let export = dir.path().join("report.json");
    let (trace_s, export_s) = (options.out.to_str().unwrap(), export.to_str().unwrap());
    let text = stdout(&ok(&["report", trace_s, "--export-json", export_s]));
    let report = json(&export);
    let ranking: Vec<&str> = report["region_ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    // As the example's documentation writes, in what no load can swap: on a
    // quiet machine setup, heavy_tail, triangle, then the short ones.
    let found = |name: &str| ranking.iter().position(|n| *n == name);
    let rank = |name: &str| found(name).unwrap_or_else(|| panic!("no {name}: {text}"));
    // Robust to a loaded machine (the whole test binary runs beside it):
    // work 17× the write's, and gains 10× the short loops' whole time.
    assert!(rank("setup") < rank("write"), "{text}");
    for split in ["heavy_tail", "triangle"] {
        // A short loop whose workers woke late may be cut into phases
        // named after its items: it then ranks under their name.
        for short in ["balanced", "reduce"].into_iter().filter_map(found) {
            assert!(rank(split) < short, "{text}");
        }
    }
    let regions = report["regions"].as_array().unwrap();
    let region = |name: &str| {
        let found = regions.iter().find(|r| r["name"] == name);
        found.unwrap_or_else(|| panic!("no {name}: {text}"))
    };
    for serial in ["setup", "write"] {
        assert_eq!(region(serial)["serial"], true, "{text}");
        assert!(region(serial)["advice"].is_null(), "{text}");
    }
    // The static splits are advised a schedule that rebalances.
    for imbalanced in ["heavy_tail", "triangle"] {
        let r = region(imbalanced);
        // Parallel on a quiet machine; on a loaded one its two threads may
        // only take turns (serial), but still split the work.
        assert_eq!(r["threads"], 2, "{text}");
        let schedule = r["advice"]["schedule"].as_str().unwrap_or("none");
        assert!(!["static", "dynamic", "none"].contains(&schedule), "{text}");
        assert!(text.contains(&format!("advice: {imbalanced} (")), "{text}");
    }
}

#[test]
fn the_example_refuses_bad_options_naming_the_value() {
    let parse = |args: &[&str]| example::Options::parse(args.iter().map(|a| a.to_string()));
    let refused = |args: &[&str]| {
        parse(args)
            .err()
            .unwrap_or_else(|| panic!("{args:?} accepted"))
    };
    let junk = refused(&["--schedule", "junk"]);
    assert!(
        junk.contains("\"junk\"") && junk.contains("guided"),
        "{junk}"
    );
    assert!(refused(&["--threads", "many"]).starts_with("--threads many:"));
    for threads in ["0", "100000"] {
        assert!(refused(&["--threads", threads]).contains("give 1 to 4096"));
    }
    for scale in ["0", "-1", "NaN", "inf"] {
        assert!(refused(&["--scale", scale]).contains("above 0"), "{scale}");
    }
    assert!(refused(&["--threads"]).contains("give a value"));
    assert!(refused(&["--fast"]).contains("unknown option"));
    let o = parse(&["--schedule", "guided", "--threads", "3"]).unwrap();
    assert_eq!(
        (o.schedule, o.threads),
        (logprof_kernels::Schedule::Guided, 3)
    );
}
