//! What the modules of this binary share: running `logprof`, checking that
//! it succeeded or failed in one line, and reading the files it wrote.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `logprof` binary built for these tests, for tests that start it
/// themselves (to kill it, or close its pipes).
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_logprof"))
}

/// `logprof args`, its output captured.
pub fn logprof(args: &[&str]) -> Output {
    command().args(args).output().expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and expects success, showing stderr otherwise.
pub fn ok(args: &[&str]) -> Output {
    let out = logprof(args);
    assert!(
        out.status.success(),
        "logprof {args:?} failed:\n{}",
        stderr(&out)
    );
    out
}

/// Runs and expects a one-line error naming `culprit`; returns it.
pub fn fails(args: &[&str], culprit: &str) -> String {
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

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// The text of `p`, its name in the panic when it cannot be read.
pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn json(p: &Path) -> Value {
    serde_json::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The rows of an exported table (`results` of its JSON).
pub fn results(p: &Path) -> Vec<Value> {
    json(p)["results"].as_array().expect("results").clone()
}

/// Files that a failed write might have left behind.
pub fn leftovers(dir: &Path) -> Vec<PathBuf> {
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

/// The entries of `dir`, sorted, hidden ones included.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A small `run` of `static` into `out` (24 columns, 2 threads, 3 runs,
/// enough for a σ), with more arguments; expects success.
pub fn static_run(out: &Path, more: &[&str]) -> Output {
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
    ok(&args)
}
