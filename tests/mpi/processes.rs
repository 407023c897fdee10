//! `logprof processes` end to end, on real MPI ranks (the `mpi` feature and
//! Open MPI's `mpirun` on the PATH). Every run has a deadline, so a rank
//! that hangs fails the test instead of stalling it.

use std::path::Path;

use crate::support::{assert_one_line_error, json, logprof, logprof_with_env, stderr};

#[test]
fn every_experiment_gives_the_serial_image_and_every_rank_is_in_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    for ranks in [2u32, 4] {
        let out = dir.path().join(format!("out{ranks}"));
        let output = logprof(&[
            "processes",
            "--ranks",
            &ranks.to_string(),
            "--size",
            "120",
            "--runs",
            "2",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        let table = String::from_utf8_lossy(&output.stdout);
        assert!(table.contains("| pmap(np=16) |"), "{table}");
        let rows = json(&out.join("summary.json"));
        let rows = rows.as_array().unwrap();
        let names: Vec<&str> = rows
            .iter()
            .map(|r| r["experiment"].as_str().unwrap())
            .collect();
        let workers = ranks - 1;
        assert_eq!(
            names,
            [
                "serial".to_owned(),
                "bands".to_owned(),
                format!("pmap(np={workers})"),
                "pmap(np=16)".to_owned(),
                "shared(per call)".to_owned(),
                "shared(preallocated)".to_owned(),
                "shared pmap(np=16)".to_owned(),
                "channels(per call)".to_owned(),
                "channels(persistent)".to_owned(),
            ]
        );
        assert!(rows.iter().all(|r| r["same_image"] == true), "{rows:?}");
        // Static bands: every rank computes; on demand: all but rank 0.
        for (row, computing) in [(1, ranks), (3, workers), (4, ranks), (5, ranks)] {
            assert_eq!(rows[row]["computing_ranks"], computing, "{}", names[row]);
        }
        for row in [6, 7, 8] {
            assert_eq!(rows[row]["computing_ranks"], workers, "{}", names[row]);
        }
        pictures_give_the_tables_figures(&out, rows);
        let trace = json(&out.join("processes.trace.json"));
        let events = trace["traceEvents"].as_array().unwrap();
        for rank in 0..ranks {
            let named = events.iter().any(|e| {
                e["name"] == "process_name"
                    && e["pid"] == rank
                    && e["args"]["name"] == format!("rank {rank}")
            });
            assert!(named, "rank {rank} has no process");
            let columns = events
                .iter()
                .filter(|e| e["pid"] == rank && e["name"] == "juliaset_column")
                .count();
            assert!(columns > 0, "rank {rank} computed no recorded column");
        }
        // Every column of each of the 8 recorded runs, once.
        let columns = events
            .iter()
            .filter(|e| e["name"] == "juliaset_column")
            .count();
        assert_eq!(columns, 8 * 120);
        every_rank_works_in_every_experiment(events, ranks);
        every_message_is_paired_and_causal(&out.join("processes.trace.json"), events, ranks);
        let ranks_meta = &trace["otherData"]["logprof"]["metadata"]["mpi"]["ranks"];
        assert_eq!(ranks_meta.as_array().unwrap().len(), ranks as usize);
        the_cores_are_those_of_every_rank(&out, &trace, ranks);
        for file in [
            "processes.png",
            "bands.png",
            "pmap-np-16.svg",
            "shared-per-call.png",
            "shared-preallocated.png",
            "shared-pmap-np-16.svg",
            "channels-per-call.png",
            "channels-persistent.svg",
            "timelines.png",
            "summary.md",
            "report.html",
        ] {
            assert!(out.join(file).is_file(), "{file} missing");
        }
    }
}

/// Each experiment's picture gives POP's figures, as its row does: rank 0
/// waiting in `MPI_Recv` is not work in either.
fn pictures_give_the_tables_figures(out: &Path, rows: &[serde_json::Value]) {
    for (file, row) in [("bands.svg", 1), ("pmap-np-16.svg", 3)] {
        let svg = std::fs::read_to_string(out.join(file)).unwrap();
        for (key, column) in [
            ("load balance over processes", "load_balance"),
            ("communication efficiency", "communication_efficiency"),
        ] {
            let shown = svg
                .split_once(&format!(">{key}</tspan>"))
                .and_then(|(_, after)| after.split_once("</tspan>"))
                .and_then(|(value, _)| value.rsplit_once('>'))
                .map(|(_, value)| value.to_owned());
            let ratio = rows[row][column].as_f64().unwrap();
            assert_eq!(
                shown,
                Some(logprof_trace::table::percent(ratio)),
                "{file}: {key}"
            );
        }
    }
}

/// Rank 0's span of each recorded experiment, and within it the spans of
/// every rank: each computed columns or took part in messages.
fn every_rank_works_in_every_experiment(events: &[serde_json::Value], ranks: u32) {
    let experiments = [
        "bands",
        "pmap(np=workers)",
        "pmap(np=16)",
        "shared(per call)",
        "shared(preallocated)",
        "shared pmap",
        "channels(per call)",
        "channels(persistent)",
    ];
    for name in experiments {
        let window = spans(events, 0, name, (0.0, f64::MAX));
        assert_eq!(window.len(), 1, "{name}: one recorded run on rank 0");
        for rank in 1..ranks {
            let columns = spans(events, rank, "juliaset_column", window[0]);
            assert!(!columns.is_empty(), "{name}: rank {rank} computed nothing");
        }
        let shared = name.starts_with("shared");
        let waits = ["MPI_Recv", "MPI_Send", "MPI_Win_fence"]
            .iter()
            .map(|call| spans(events, 0, call, window[0]).len())
            .sum::<usize>();
        assert!(waits > 0, "{name}: rank 0 made no recorded MPI call");
        if shared {
            let fences = spans(events, 0, "MPI_Win_fence", window[0]);
            assert_eq!(fences.len(), 2, "{name}: a fence before and after");
        }
    }
}

#[test]
fn shared_memory_is_skipped_with_a_note_when_ranks_are_on_several_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = logprof_with_env(
        &[
            "processes",
            "--ranks",
            "3",
            "--size",
            "60",
            "--runs",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        // Rank 0's "node" holds ranks 0 and 1 only.
        &[("LOGPROF_TEST_NODE_RANKS", "2")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(!table.contains("| shared"), "{table}");
    assert!(
        table.contains("shared-memory rows skipped: rank 0's node holds 2 of the 3 ranks"),
        "{table}"
    );
    let rows = json(&out.join("summary.json"));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 6, "serial, bands, two pmaps, two channels");
    assert!(rows.iter().all(|r| r["same_image"] == true), "{rows:?}");
}

#[test]
fn bad_ranks_are_one_line() {
    for n in ["0", "1"] {
        let output = logprof(&["processes", "--ranks", n]);
        assert_one_line_error(&output, &format!("--ranks {n}: give at least 2"));
    }
}

// The rank panics only where the binary honours LOGPROF_TEST_PANIC_RANK,
// which is behind the `test-hooks` feature (src/commands/processes/ranks.rs).
#[cfg(feature = "test-hooks")]
#[test]
fn a_panicking_rank_ends_every_rank_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = logprof_with_env(
        &[
            "processes",
            "--ranks",
            "3",
            "--size",
            "50",
            "--out",
            out.to_str().unwrap(),
        ],
        &[("LOGPROF_TEST_PANIC_RANK", "1")],
    );
    assert_one_line_error(&output, "rank 1 panicked");
    assert!(!out.exists(), "a failed run leaves no output");
}

#[test]
fn mpi_missing_at_run_time_is_one_line() {
    let empty = tempfile::tempdir().unwrap();
    let output = logprof_with_env(
        &["processes", "--ranks", "2", "--size", "50"],
        &[("PATH", empty.path().to_str().unwrap())],
    );
    assert_one_line_error(&output, "cannot start mpirun");
}

/// The merged trace's cores are those all ranks could use, not one rank's
/// (mpirun binds each to a core when they fit): at least one a rank or all
/// of this machine's, at most this machine's; and the timelines say so
/// with the right noun.
fn the_cores_are_those_of_every_rank(out: &Path, trace: &serde_json::Value, ranks: u32) {
    let machine = std::thread::available_parallelism().unwrap().get() as u64;
    let cores = trace["otherData"]["logprof"]["cores"]
        .as_u64()
        .expect("cores");
    assert!(
        cores >= machine.min(ranks.into()) && cores <= machine,
        "{ranks} ranks on {machine} cores: the merged trace says {cores}"
    );
    for file in [
        "processes.svg",
        "bands.svg",
        "channels-persistent.svg",
        "timelines.svg",
    ] {
        let svg = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(!svg.contains(" 1 cores"), "{file}: 1 cores");
    }
    if u64::from(ranks) > cores {
        let svg = std::fs::read_to_string(out.join("processes.svg")).unwrap();
        let said = format!("of {ranks} processes on {cores} core");
        assert!(svg.contains(&said), "processes.svg does not say {said:?}");
    }
}

/// Read back, the merged trace pairs every receive with its send: the
/// messages of every recorded run (and of the persistent workers' stop
/// after them), each an arrow in the file, and
/// each received (ended) after it was sent (started) on the merged clock,
/// which misaligned clocks would break.
fn every_message_is_paired_and_causal(path: &Path, events: &[serde_json::Value], ranks: u32) {
    let trace = logprof::Trace::read_chrome_json(path).unwrap();
    let messages = trace.messages();
    assert_eq!(
        messages.unmatched, 0,
        "message ends without their other end"
    );
    // bands: a band from each other rank; pmap over np bands: np bands
    // out, np back, a stop per worker; np = workers, then 16.
    let workers = ranks as usize - 1;
    let pmap = |np: usize| 2 * np + workers;
    // Shared memory: the static rows send nothing (fences only); shared
    // pmap over 16 bands is pmap's protocol, "done" in place of pixels.
    // Channels with np = workers tasks: a task out and its result back per
    // task, then an idle per worker; per call, also an init and a ready
    // per worker at the start and a stop and its answer per worker at the
    // end; persistent, the same stop and answer once, after the runs (its
    // init was before the recording was cleared).
    let channels = 2 * workers + workers;
    let stop = 2 * workers;
    let per_call = 2 * workers + channels + stop;
    let expected = workers + pmap(workers) + pmap(16) + pmap(16) + per_call + channels + stop;
    assert_eq!(messages.flows.len(), expected);
    let shared_pmap = messages.flows.iter().filter(|f| (20..23).contains(&f.tag));
    assert_eq!(shared_pmap.count(), pmap(16), "shared pmap's messages");
    let queues = messages.flows.iter().filter(|f| (30..36).contains(&f.tag));
    assert_eq!(
        queues.count(),
        per_call + channels + stop,
        "channels' messages"
    );
    let arrows = |ph: &str| {
        events
            .iter()
            .filter(|e| e["ph"] == ph && e["cat"] == "mpi")
            .count()
    };
    assert_eq!((arrows("s"), arrows("f")), (expected, expected));
    // Each rank's times are moved onto rank 0's clock to within the
    // uncertainty its clock sync measured (half a round trip), so causality
    // holds to within the two ranks' uncertainties, not to the nanosecond.
    let json = json(path);
    let uncertainty = |rank: u32| -> u64 {
        let of = &json["otherData"]["logprof"]["metadata"]["mpi"]["ranks"][rank as usize];
        ["start", "end"]
            .iter()
            .filter_map(|at| of[at]["uncertainty_ns"].as_u64())
            .max()
            .unwrap_or(0)
    };
    // A round trip takes time: a 0 here would be the metadata not found.
    assert!(uncertainty(1) > 0, "no clock uncertainty for rank 1");
    for flow in &messages.flows {
        let send = &trace.lanes[flow.send.0].spans[flow.send.1];
        let receive = &trace.lanes[flow.receive.0].spans[flow.receive.1];
        let slack = uncertainty(flow.from) + uncertainty(flow.to);
        assert!(
            receive.end_ns + slack >= send.start_ns,
            "rank {} received #{} (tag {}) from rank {} at {} ns, before it was sent at {} ns \
             (more than the clocks' {slack} ns uncertainty)",
            flow.to,
            flow.seq,
            flow.tag,
            flow.from,
            receive.end_ns,
            send.start_ns
        );
    }
}

/// `(start µs, end µs)` of the complete events named `name` on `pid`
/// within `[lo, hi]`, in start order.
fn spans(
    events: &[serde_json::Value],
    pid: u32,
    name: &str,
    (lo, hi): (f64, f64),
) -> Vec<(f64, f64)> {
    let mut spans: Vec<(f64, f64)> = events
        .iter()
        .filter(|e| e["ph"] == "X" && e["pid"] == pid && e["name"] == name)
        .map(|e| {
            let ts = e["ts"].as_f64().unwrap();
            (ts, ts + e["dur"].as_f64().unwrap())
        })
        .filter(|&(start, _)| start >= lo && start <= hi)
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    spans
}
