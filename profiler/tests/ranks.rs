//! The merge of MPI ranks, run for real: the `ranks_merge` example under
//! `mpirun` with 2 and 4 ranks, one of them with its clock shifted by
//! seconds; and the `ranks_stream` example, each rank streaming a file of
//! its own that rank 0 merges. Needs the `mpi` feature and Open MPI's `mpirun` on the PATH.
//! Every run has a deadline, so a hang fails the test instead of stalling it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The example's binary, built by `cargo test` beside this test's.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test -p logprof --features mpi` builds it, or \
         `cargo build -p logprof --features mpi --example {name}`",
        path.display()
    );
    path
}

/// `mpirun -n ranks ranks_merge args` with `env`, killed after 120 s; its
/// status and output.
fn mpirun(ranks: u32, env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    mpirun_example("ranks_merge", ranks, env, args)
}

/// [`mpirun`] of the example `name`.
fn mpirun_example(name: &str, ranks: u32, env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let mut command = Command::new("mpirun");
    command
        .args(["--allow-run-as-root", "--oversubscribe", "-n"])
        .arg(ranks.to_string())
        .arg(example(name))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("mpirun (install openmpi-bin)");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait for mpirun").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("mpirun -n {ranks} did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("mpirun's output");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn two_and_four_ranks_merge_into_one_trace() {
    let dir = tempfile::tempdir().unwrap();
    for ranks in [2, 4] {
        let path = dir.path().join(format!("{ranks}.trace.json"));
        let (ok, text) = mpirun(ranks, &[], &[path.to_str().unwrap()]);
        assert!(ok, "{text}");
        assert!(text.contains(&format!("{ranks} ranks merged")), "{text}");
        let json = std::fs::read_to_string(&path).unwrap();
        for rank in 0..ranks {
            assert!(json.contains(&format!("\"args\":{{\"name\":\"rank {rank}\"}}")));
        }
        assert!(json.contains("\"metadata\":{\"mpi\":"), "{json}");
        // Read back: the messages (two rounds of a ring, one from every
        // rank to rank 0, one from every rank to the last over a reversed
        // communicator) paired again, the ranks named, and the summary's
        // process metrics.
        let trace = logprof::Trace::read_chrome_json(&path).unwrap();
        let messages = trace.messages();
        assert_eq!(messages.flows.len(), 4 * ranks as usize - 2);
        let to_last = messages
            .flows
            .iter()
            .filter(|f| f.to == ranks - 1 && f.tag == 7);
        assert_eq!(to_last.count(), ranks as usize - 1);
        assert_eq!(messages.unmatched, 0);
        assert!(json.contains("{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"mpi\""));
        let summary = trace.summary();
        let labels: Vec<String> = summary.lanes.iter().map(|l| l.label()).collect();
        for rank in 0..ranks {
            assert_eq!(trace.process_names[&rank], format!("rank {rank}"));
            assert_eq!(labels[rank as usize], format!("rank {rank} / main"));
        }
        let processes = summary.processes.expect("process metrics");
        assert_eq!(processes.messages, messages.flows.len());
        assert!(processes.communication_efficiency > 0.0);
        assert!(processes.communication_efficiency <= 1.0);
    }
}

#[test]
fn a_shifted_clock_is_recovered() {
    // Rank 1 ahead by 5 s, then behind by 3 ms (within the time since its
    // recorder started, so no time saturates at 0).
    // The example also checks that every message is received after it was
    // sent on the merged clock: with 4 ranks, a shifted one among them.
    for (ranks, shift) in [(2, "1:5000000000"), (2, "1:-3000000"), (4, "2:-3000000")] {
        let env = [(logprof::ranks::CLOCK_SHIFT_VAR, shift)];
        let (ok, text) = mpirun(ranks, &env, &[]);
        assert!(ok, "{ranks} ranks, shift {shift}: {text}");
    }
}

#[test]
fn each_rank_streams_a_file_of_its_own_and_rank_0_merges_them() {
    // The example checks the merged trace itself: a process per rank, every
    // message paired and causal, nobody leaving the barrier early, also
    // with a rank's clock seconds ahead or milliseconds behind.
    for (ranks, shift) in [(2, "0:0"), (4, "1:5000000000"), (3, "2:-3000000")] {
        let dir = tempfile::tempdir().unwrap();
        let env = [(logprof::ranks::CLOCK_SHIFT_VAR, shift)];
        let args = [dir.path().to_str().unwrap()];
        let (ok, text) = mpirun_example("ranks_stream", ranks, &env, &args);
        assert!(ok, "{ranks} ranks, shift {shift}: {text}");
        assert!(
            text.contains(&format!("{ranks} ranks streamed and merged")),
            "{text}"
        );
        for rank in 0..ranks {
            let file = dir.path().join(format!("run.rank-{rank}.lpt"));
            let trace = logprof::Trace::read_file(&file).unwrap();
            let facts = logprof::ranks::RankFacts::of_trace(&trace).expect("its rank");
            assert_eq!((facts.rank, facts.ranks), (rank, ranks));
            assert!(facts.clock_start.is_some() && facts.clock_end.is_some());
        }
        let merged = logprof::Trace::read_file(dir.path().join("merged.lpt")).unwrap();
        assert_eq!(merged.process_names.len(), ranks as usize);
    }
}

#[test]
fn a_malformed_shift_is_one_line_and_no_hang() {
    let env = [(logprof::ranks::CLOCK_SHIFT_VAR, "one:5")];
    let (ok, text) = mpirun(2, &env, &[]);
    assert!(!ok);
    assert!(text.contains("expected RANK:NANOSECONDS"), "{text}");
}
