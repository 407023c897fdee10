//! `logprof sweep`: a row per swept value, each checked against serial,
//! and the chart.

use serde_json::Value;

use crate::support::{ok, path_str, read, results, stdout};

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
    let page = read(&dir.path().join("report.html"));
    assert!(
        page.contains("sweep-ntasks.csv") && page.contains("<table"),
        "report.html"
    );
    // The JSON rows are the swept values, each checked against serial.
    let rows = results(&dir.path().join("sweep-ntasks.json"));
    let values: Vec<u64> = rows.iter().map(|r| r["ntasks"].as_u64().unwrap()).collect();
    assert_eq!(values, vec![2, 8]);
    for row in &rows {
        assert_eq!(row["same_image"], Value::Bool(true));
        assert!(row["median_ms"].as_f64().unwrap() > 0.0);
        let lb = row["load_balance"].as_f64().unwrap();
        assert!(lb > 0.0 && lb <= 1.0, "{lb}");
    }
    // The chart has a line for the scheduler and the ideal.
    let chart = read(&dir.path().join("sweep-ntasks.svg"));
    assert!(
        chart.contains("forkjoin") && chart.contains("ideal"),
        "{chart}"
    );
}
