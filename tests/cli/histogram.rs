//! `logprof histogram` end to end, without MPI: the serial and thread rows,
//! every count checked against the serial one, and its bad input. (The
//! processes rows are in `tests/mpi/mpi_commands.rs`, with the `mpi`
//! feature; the `--ranks` check here reads differently with it.)

use std::path::Path;

use logprof_kernels::histogram::{generate_folder, FolderSpec};

use crate::support::{fails, json, ok, path_str, stdout};

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
    let table_path = dir.path().join("table.json");
    let output = ok(&[
        "histogram",
        "--files",
        path_str(&files),
        "--threads",
        "3",
        "--runs",
        "2",
        "--export-json",
        path_str(&table_path),
    ]);
    let stdout = stdout(&output);
    assert!(stdout.contains("Byte histogram of 6 files"), "{stdout}");
    let table = json(&table_path);
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
    fails(
        &["histogram", "--files", path_str(&missing)],
        "cannot list folder",
    );
    fails(
        &["histogram", "--files", path_str(dir.path())],
        "no files directly in it",
    );
    fails(&["histogram", "--threads", "0"], "--threads 0");
    fails(&["histogram", "--runs", "0"], "--runs 0");
}

#[test]
fn ranks_need_the_mpi_feature_and_at_least_one() {
    let args = ["histogram", "--ranks", "0"];
    if cfg!(feature = "mpi") {
        fails(&args, "--ranks 0: give at least 1");
    } else {
        fails(&args, "--features mpi");
        fails(&["sending"], "--features mpi");
    }
}
