//! What the MPI tests share: child processes run with a deadline, so an MPI
//! run whose rank hangs fails its test instead of stalling the suite; their
//! one-line errors checked; and the JSON files they write read back.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one command (all its ranks) may take.
pub const LIMIT: Duration = Duration::from_secs(180);

/// Runs `command` with its output captured; kills it and fails the test
/// when it runs past [`LIMIT`].
pub fn output_within_limit(command: &mut Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let deadline = Instant::now() + LIMIT;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "{command:?} did not finish in {} s: a hang",
                LIMIT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// `logprof args`, killed after the deadline.
pub fn logprof(args: &[&str]) -> Output {
    logprof_with_env(args, &[])
}

/// `logprof args` with `env` set, killed after the deadline.
pub fn logprof_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    output_within_limit(
        Command::new(env!("CARGO_BIN_EXE_logprof"))
            .args(args)
            .envs(env.iter().copied()),
    )
}

/// What the child printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A failed run with exactly one line on stderr, containing `needle`.
pub fn assert_one_line_error(output: &Output, needle: &str) {
    let text = stderr(output);
    assert!(!output.status.success(), "{text}");
    assert_eq!(text.lines().count(), 1, "not one line: {text}");
    assert!(text.contains(needle), "{text}");
}

pub fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
