//! The output directory: replaced whole or not at all, by a new run, a
//! killed one or a failed one, and never when it holds someone else's files.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{command, entries, fails, ok, path_str, static_run};

#[test]
fn the_output_directory_is_replaced_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    static_run(&out, &[]);
    std::fs::write(out.join("stale.trace.json"), "[]").unwrap();
    std::fs::write(out.join("notes.txt"), "from an older run").unwrap();
    // Into an existing output: the new files, nothing old.
    ok(&[
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
    let mut child = command()
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
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while entries(dir.path()).len() < 2 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
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
    static_run(&out, &[]);
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
