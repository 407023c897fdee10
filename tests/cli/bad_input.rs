//! Bad input, of every kind: a one-line error naming the culprit (and the
//! real cause, once), a failing exit, and nothing half-written.

use crate::support::{fails, leftovers, path_str};

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
