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
        dynamic: false,
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
    // As the example's documentation writes: the set-up and the two static
    // splits first (in that order on a quiet machine: preemption can swap
    // them), then the short ones in an order the machine's load decides.
    let rank = |name: &str| ranking.iter().position(|n| *n == name);
    let rank = |name: &str| rank(name).unwrap_or_else(|| panic!("no {name}: {text}"));
    let mut top: Vec<&str> = ranking[..3].to_vec();
    top.sort_unstable();
    assert_eq!(top, ["heavy_tail", "setup", "triangle"], "{text}");
    for short in ["write", "balanced", "reduce"] {
        assert!(rank(short) >= 3, "{text}");
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
