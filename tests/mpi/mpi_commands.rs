//! `logprof sending` and `logprof histogram --ranks` end to end, on real
//! MPI ranks (the `mpi` feature and Open MPI's `mpirun` on the PATH). Every
//! run has a deadline, so a rank that hangs fails the test instead of
//! stalling it.

use std::path::Path;
use std::process::{Command, Output};

use logprof_kernels::histogram::{generate_folder, FolderSpec};

use crate::support::{assert_one_line_error, json, logprof, output_within_limit, stderr};

/// `mpirun -n ranks logprof args`, as a user would start it.
fn mpirun(ranks: u32, args: &[&str]) -> Output {
    let n = ranks.to_string();
    let mut all = vec![
        "--allow-run-as-root",
        "--oversubscribe",
        "-n",
        &n,
        env!("CARGO_BIN_EXE_logprof"),
    ];
    all.extend_from_slice(args);
    output_within_limit(Command::new("mpirun").args(&all))
}

fn rows(path: &Path) -> Vec<serde_json::Value> {
    json(path)["results"].as_array().unwrap().clone()
}

#[test]
fn every_shape_and_the_matrix_pair_arrive_intact() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("sending.json");
    let out = dir.path().join("out");
    let output = logprof(&[
        "sending",
        "--ranks",
        "2",
        "--runs",
        "2",
        "--matrix",
        "60",
        "--out",
        out.to_str().unwrap(),
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    every_message_is_in_the_trace(&out.join("sending.trace.json"), 2, 1 + 2);
    let table = String::from_utf8_lossy(&output.stdout);
    for row in [
        "vector of strings",
        "map",
        "vector of pairs",
        "2 MPI buffers",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }
    let rows = rows(&json);
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert!(rows.iter().all(|r| r["same"] == true), "{rows:?}");
    // The matrix goes out whole, the recipe in 16 bytes (both: 8 back).
    assert_eq!(rows[6]["bytes"], 60 * 60 * 8 + 8);
    assert_eq!(rows[7]["bytes"], 16 + 8);
    // Numbering the strings costs bytes; a shape's bytes are the same
    // every run, so this cannot be noise.
    let bytes = |i: usize| rows[i]["bytes"].as_u64().unwrap();
    assert!(bytes(2) > bytes(1) && bytes(3) > bytes(1), "{rows:?}");
}

/// The merged trace of a `sending` run on `ranks` ranks, `runs` of each
/// transfer (warm-ups included): every rank a process, every transfer a
/// span on rank 0 and an `answer` on rank 1, and every message paired with
/// its send (the ready word, then per transfer its request and one answer,
/// two for the flat buffers).
fn every_message_is_in_the_trace(path: &Path, ranks: u32, runs: usize) {
    let trace = logprof::Trace::read_chrome_json(path).unwrap();
    let pids: std::collections::BTreeSet<u32> = trace.lanes.iter().map(|l| l.pid).collect();
    assert_eq!(pids, (0..ranks).collect(), "every rank's lane");
    let count = |name: &str, pid: u32| {
        let id = trace.name_id(name);
        trace
            .lanes
            .iter()
            .filter(|l| l.pid == pid)
            .flat_map(|l| &l.spans)
            .filter(|s| Some(s.name) == id)
            .count()
    };
    for row in [
        "handshake only",
        "vector of strings",
        "flat: lengths + joined (2 MPI buffers)",
        "recipe sent, generated + squared there",
    ] {
        assert_eq!(count(row, 0), runs, "{row}");
    }
    assert_eq!(count("answer", 1), 8 * runs);
    let messages = trace.messages();
    assert_eq!(messages.unmatched, 0);
    assert_eq!(messages.flows.len(), 1 + runs * (2 * 8 + 1));
    assert!(messages.flows.iter().all(|f| f.from <= 1 && f.to <= 1));
}

#[test]
fn sending_under_mpirun_with_more_ranks_and_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let output = mpirun(
        3,
        &["sending", "--runs", "1", "--matrix", "20", "--out", out],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // Rank 2 sleeps through it: an idle lane.
    every_message_is_in_the_trace(&Path::new(out).join("sending.trace.json"), 3, 1 + 1);
    let page = std::fs::read_to_string(Path::new(out).join("report.html")).unwrap();
    assert!(
        page.contains("\"title\":\"sending\"") && page.contains("<table"),
        "report.html"
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("on 3 ranks"), "{table}");
    assert_eq!(table.matches(" yes").count(), 8, "{table}");
    // mpirun adds its own banner after a failed rank; the rank says one line.
    let output = mpirun(1, &["sending"]);
    let text = stderr(&output);
    assert!(!output.status.success(), "{text}");
    let ours: Vec<&str> = text.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(ours.len(), 1, "{text}");
    assert!(ours[0].contains("sending needs at least 2"), "{text}");
}

#[test]
fn bad_ranks_are_one_line() {
    assert_one_line_error(&logprof(&["sending", "--ranks", "0"]), "--ranks 0");
    assert_one_line_error(&logprof(&["sending", "--ranks", "1"]), "--ranks 1");
    // A file where the output directory would go: refused before any rank.
    assert_one_line_error(&logprof(&["sending", "--out", "Cargo.toml"]), "--out");
    let histogram_into_a_file = ["histogram", "--ranks", "2", "--out", "Cargo.toml"];
    assert_one_line_error(&logprof(&histogram_into_a_file), "--out");
    assert_one_line_error(&logprof(&["histogram", "--ranks", "0"]), "--ranks 0");
    let output = mpirun(2, &["sending", "--ranks", "2"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("already runs under an MPI launcher"));
}

/// The recorded run of `histogram` on `ranks` ranks: on every rank, one
/// counting span per counter and a reduce after each, the reduce counted as
/// time in MPI (the process metrics see it).
fn every_rank_counted_and_reduced(path: &Path, ranks: u32) {
    let trace = logprof::Trace::read_chrome_json(path).unwrap();
    for rank in 0..ranks {
        let names: Vec<&str> = trace
            .lanes
            .iter()
            .filter(|l| l.pid == rank)
            .flat_map(|l| &l.spans)
            .map(|s| trace.names[s.name as usize].as_str())
            .collect();
        assert_eq!(
            names,
            [
                "count my files (hash map)",
                "MPI_Reduce",
                "count my files (array)",
                "MPI_Reduce"
            ],
            "rank {rank}"
        );
    }
    let processes = trace.summary().processes.expect("process metrics");
    assert!(processes.communication_efficiency < 1.0, "{processes:?}");
}

#[test]
fn processes_count_what_serial_counts() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    let spec = FolderSpec {
        files: 7,
        min_size: 1 << 10,
        max_size: 16 << 10,
        seed: 4,
    };
    generate_folder(&files, &spec).unwrap();
    let json = dir.path().join("histogram.json");
    let files = files.to_str().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let output = logprof(&[
        "histogram",
        "--ranks",
        "2",
        "--files",
        files,
        "--runs",
        "2",
        "--out",
        out,
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    every_rank_counted_and_reduced(&Path::new(out).join("histogram.trace.json"), 2);
    let page = std::fs::read_to_string(Path::new(out).join("report.html")).unwrap();
    assert!(
        page.contains("processes") && page.contains("\"title\":\"histogram\""),
        "report.html"
    );
    let rows = rows(&json);
    let processes: Vec<_> = rows.iter().filter(|r| r["way"] == "processes").collect();
    assert_eq!(processes.len(), 2, "{rows:?}");
    assert!(processes.iter().all(|r| r["workers"] == 2), "{rows:?}");
    let noted = |r: &&serde_json::Value| r["note"].as_str().unwrap().contains("busiest rank");
    assert!(processes.iter().all(noted), "{rows:?}");
    assert_eq!(rows.len(), 6, "{rows:?}");
    assert!(rows.iter().all(|r| r["same_counts"] == true), "{rows:?}");
    // Started by mpirun itself, with more ranks than files' worth of work.
    let output = mpirun(
        4,
        &["histogram", "--files", files, "--runs", "1", "--out", out],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    every_rank_counted_and_reduced(&Path::new(out).join("histogram.trace.json"), 4);
    let table = String::from_utf8_lossy(&output.stdout);
    assert_eq!(table.matches("processes").count(), 2, "{table}");
    assert!(!table.contains(" no "), "{table}");
    let output = logprof(&["histogram", "--ranks", "2", "--files", "/nonexistent/dir"]);
    assert_one_line_error(&output, "cannot list folder /nonexistent/dir");
}
