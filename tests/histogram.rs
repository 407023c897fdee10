//! `logprof histogram` end to end, without MPI: the serial and thread rows,
//! every count checked against the serial one, and its bad input. (The
//! processes rows are in `tests/mpi_commands.rs`, with the `mpi` feature.)

use std::path::Path;
use std::process::{Command, Output};

use logprof_kernels::histogram::{generate_folder, FolderSpec};

fn logprof(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logprof"))
        .args(args)
        .output()
        .expect("start logprof")
}

/// A failed run with exactly one line on stderr, containing `needle`.
fn assert_one_line_error(output: &Output, needle: &str) {
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{text}");
    assert_eq!(text.lines().count(), 1, "not one line: {text}");
    assert!(text.contains(needle), "{text}");
}

fn small_folder(dir: &Path) {
    let spec = FolderSpec {
        files: 6,
        min_size: 1 << 10,
        max_size: 8 << 10,
        seed: 3,
    };
    generate_folder(dir, &spec).unwrap();
}

#[test]
fn threads_count_what_serial_counts_with_both_counters() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    small_folder(&files);
    let json = dir.path().join("table.json");
    let output = logprof(&[
        "histogram",
        "--files",
        files.to_str().unwrap(),
        "--threads",
        "3",
        "--runs",
        "2",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Byte histogram of 6 files"), "{stdout}");
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = table["results"].as_array().unwrap();
    let ways: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["way"].as_str().unwrap(), r["counter"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ways,
        [
            ("serial", "hashmap"),
            ("threads", "hashmap"),
            ("serial", "array"),
            ("threads", "array")
        ]
    );
    assert!(rows.iter().all(|r| r["same_counts"] == true), "{rows:?}");
    assert_eq!(rows[1]["workers"], 3);
    assert_eq!(table["files"], 6);
}

#[test]
fn bad_folders_and_options_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let output = logprof(&["histogram", "--files", missing.to_str().unwrap()]);
    assert_one_line_error(&output, "cannot list folder");
    let output = logprof(&["histogram", "--files", dir.path().to_str().unwrap()]);
    assert_one_line_error(&output, "no files directly in it");
    let output = logprof(&["histogram", "--threads", "0"]);
    assert_one_line_error(&output, "--threads 0");
    let output = logprof(&["histogram", "--runs", "0"]);
    assert_one_line_error(&output, "--runs 0");
}

#[test]
fn ranks_need_the_mpi_feature_and_at_least_one() {
    let output = logprof(&["histogram", "--ranks", "0"]);
    if cfg!(feature = "mpi") {
        assert_one_line_error(&output, "--ranks 0: give at least 1");
    } else {
        assert_one_line_error(&output, "--features mpi");
        let output = logprof(&["sending"]);
        assert_one_line_error(&output, "--features mpi");
    }
}
