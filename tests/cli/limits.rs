//! Limits and options that would be ignored or overridden: refused, named,
//! before any work and before anything is written.

use crate::support::{entries, fails, ok, path_str, static_run, stdout};

#[test]
fn limits_are_checked_before_any_work_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A ring a thread: 5000 are more than the 4096 allowed (any number
    // would be drawn, as heat rows past what fits a lane each).
    for command in [&["compare"][..], &["run", "-s", "static"], &["simulate"]] {
        let mut args = command.to_vec();
        args.extend(["--threads", "5000", "--size", "8", "--out", path_str(&out)]);
        let err = fails(&args, "--threads 5000");
        assert!(err.contains("give --threads 4096 or fewer"), "{err}");
    }
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
    static_run(&out, &[]);
    // The rule is in the help.
    let help = stdout(&ok(&["run", "--help"]));
    assert!(help.contains("not both"), "{help}");
    let help = stdout(&ok(&["sweep", "--help"]));
    assert!(help.contains("are errors"), "{help}");
}
