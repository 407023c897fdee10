//! How a command ends early: into a pipe whose reader left (quietly, its
//! files written) and on an interrupt (exit 130, its half-built output
//! folder removed, the old output as it was).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::{command, path_str, static_run, stderr};

/// Starts `logprof args` with standard output into a pipe whose reader has
/// already left (`| head -0`), and waits for it.
fn into_a_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut child = command()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    child.wait_with_output().expect("it ends")
}

#[test]
fn every_command_ends_quietly_into_a_closed_pipe_with_its_files_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    static_run(&d.join("first"), &[]);
    let trace = d.join("first/static.trace.json");
    let (trace_s, svg) = (path_str(&trace), d.join("t.svg"));
    let cases: [(Vec<&str>, &Path); 4] = [
        (
            vec!["run", "-s", "static", "--size", "24", "--threads", "2"],
            &d.join("run"),
        ),
        (
            vec!["sweep", "threads", "--values", "1,2", "--size", "24"],
            &d.join("sweep"),
        ),
        (
            vec!["simulate", trace_s, "--overheads", "zero"],
            &d.join("simulate"),
        ),
        (vec!["render", trace_s, "--svg", path_str(&svg)], &svg),
    ];
    for (mut args, written) in cases {
        let quick = ["--runs", "1", "--warmup", "0"];
        if matches!(args[0], "run" | "sweep") {
            args.extend(quick);
        }
        if args[0] != "render" {
            args.extend(["--out", path_str(written)]);
        }
        let out = into_a_closed_pipe(&args);
        let err = stderr(&out);
        assert!(out.status.success(), "logprof {args:?}: {err}");
        assert!(!err.contains("panicked"), "logprof {args:?}: {err}");
        assert!(written.exists(), "logprof {args:?} wrote no {written:?}");
    }
}

/// Waits for `child` up to `limit`; kills it and fails past it.
fn wait_or_kill(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("logprof did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The staging folders of `--out <parent>/out` left in `parent`.
fn staging(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out.logprof-"))
        .collect()
}

#[cfg(unix)]
#[test]
fn an_interrupt_ends_the_run_and_removes_its_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Long enough to be interrupted while it works.
    let mut child = command()
        .args([
            "compare", "--size", "3000", "--runs", "500", "--warmup", "0",
        ])
        .args(["--threads", "2", "--out", path_str(&out)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while staging(dir.path()).is_empty() {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("compare never started its output folder");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = wait_or_kill(&mut child, Duration::from_secs(30));
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(staging(dir.path()).is_empty(), "{:?}", staging(dir.path()));
    assert!(!out.exists(), "an interrupted run leaves no output");
}
