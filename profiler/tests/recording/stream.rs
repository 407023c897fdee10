//! Streaming to an `.lpt` file while recording (`logprof::stream_to`):
//! every event recorded is written or counted lost, exactly; a panic, a
//! drop without `finish`, the process exiting (`LOGPROF_STREAM`) and a
//! crash all leave a file that reads.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use logprof::{record_fn, scope, Trace};

use crate::support::slate::lock;

#[inline(never)]
fn streamed_leaf(x: u64) -> u64 {
    std::hint::black_box(x.wrapping_add(1))
}

fn streamed_call(x: u64) -> u64 {
    record_fn!(streamed_leaf(x))
}

fn spans_named(trace: &Trace, name: &str) -> usize {
    let Some(id) = trace.name_id(name) else {
        return 0;
    };
    trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .filter(|s| s.name == id)
        .count()
}

#[test]
fn a_million_calls_on_four_threads_are_each_written_or_counted_lost() {
    let _g = lock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.lpt");
    // A small ring: 4096 events, a few hundred microseconds of a thread.
    let stream = logprof::stream_with_ring(&path, 4096).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let mut x = t;
                for _ in 0..250_000 {
                    x = streamed_call(x);
                }
                x
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let stats = stream.finish().unwrap();
    // Every event recorded is either in the file or counted lost.
    assert_eq!(stats.events + stats.lost, 2_000_000, "{stats:?}");
    assert_eq!(
        stats.lost,
        stats.lost_by_lane.iter().map(|l| l.1).sum::<u64>()
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), stats.bytes);
    let trace = Trace::read_file(&path).unwrap();
    assert!(!trace.repairs.cut_at_end);
    assert_eq!(trace.losses.dropped_events, stats.lost);
    assert_eq!(trace.lanes.len(), 4);
    let spans = spans_named(&trace, "streamed_leaf");
    if stats.lost == 0 {
        assert_eq!(spans, 1_000_000);
        assert!(trace.losses.is_empty(), "{:?}", trace.losses);
        for lane in &trace.lanes {
            assert_eq!(lane.spans.len(), 250_000);
            assert!(lane.spans.windows(2).all(|w| w[0].end_ns <= w[1].start_ns));
        }
    } else {
        // A lost event loses its call; an exit lost leaves its enter open.
        let lost_calls = trace.losses.unmatched_exits + trace.losses.unclosed_enters;
        assert!(spans as u64 + stats.lost >= 1_000_000, "{spans} {stats:?}");
        assert!(lost_calls <= stats.lost, "{:?} {stats:?}", trace.losses);
        assert!(trace.losses.advice().contains("dropped while streaming"));
        // A call open when events were lost may have lost its exit: it is
        // dropped (counted), so no later call is put inside it...
        for lane in &trace.lanes {
            let nested = lane.spans.iter().filter(|s| s.depth > 0).count();
            assert_eq!(nested, 0, "{nested} of {} calls nested", lane.spans.len());
        }
        // ...and the file reads in one pass as it reads whole.
        let pass = Trace::summarize_lpt(&path).unwrap();
        assert_eq!(pass.span_count, trace.span_count() as u64);
    }
    eprintln!(
        "streamed 1 M calls on 4 threads, ring 4096: {} events, {} lost, {:.2} B/event",
        stats.events,
        stats.lost,
        stats.bytes_per_event()
    );
}

#[test]
fn a_thread_that_panics_still_leaves_a_readable_file() {
    let _g = lock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("panic.lpt");
    let stream = logprof::stream_to(&path).unwrap();
    let panicked = std::thread::spawn(|| {
        let _s = scope!("before_the_panic");
        streamed_call(1);
        panic!("a worker fails");
    })
    .join();
    assert!(panicked.is_err());
    streamed_call(2);
    let stats = stream.finish().unwrap();
    let trace = Trace::read_file(&path).unwrap();
    assert!(!trace.repairs.cut_at_end);
    // The scope was closed as the panic unwound.
    assert_eq!(spans_named(&trace, "before_the_panic"), 1);
    assert_eq!(spans_named(&trace, "streamed_leaf"), 2);
    assert_eq!(stats.events, 6);
}

#[test]
fn dropping_the_stream_without_finish_ends_the_file() {
    let _g = lock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dropped.lpt");
    {
        let _stream = logprof::stream_to(&path).unwrap();
        for i in 0..1000 {
            streamed_call(i);
        }
    }
    let trace = Trace::read_file(&path).unwrap();
    assert!(!trace.repairs.cut_at_end);
    assert_eq!(spans_named(&trace, "streamed_leaf"), 1000);
    assert!(logprof::compact::read_index(&path).is_ok());
    // And a new stream may start: one at a time, not one ever.
    let again = logprof::stream_to(dir.path().join("again.lpt")).unwrap();
    let err = logprof::stream_to(dir.path().join("third.lpt"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("already running"), "{err}");
    again.finish().unwrap();
}

#[test]
fn a_copy_taken_while_streaming_reads_up_to_its_last_whole_chunk() {
    let _g = lock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.lpt");
    let stream = logprof::stream_to(&path).unwrap();
    for i in 0..10_000 {
        streamed_call(i);
    }
    // Let the writer drain a round or two.
    let copy = dir.path().join("copy.lpt");
    let mut waited = 0;
    while std::fs::metadata(&path).unwrap().len() < 1000 && waited < 500 {
        std::thread::sleep(Duration::from_millis(10));
        waited += 1;
    }
    std::fs::copy(&path, &copy).unwrap();
    for i in 0..10_000 {
        streamed_call(i);
    }
    stream.finish().unwrap();
    let partial = Trace::read_file(&copy).unwrap();
    assert!(partial.repairs.cut_at_end);
    assert!(partial
        .repairs
        .sentences()
        .iter()
        .any(|s| s.contains("cut off")));
    let n = spans_named(&partial, "streamed_leaf");
    assert!((1..=20_000).contains(&n), "{n}");
    let whole = Trace::read_file(&path).unwrap();
    assert_eq!(spans_named(&whole, "streamed_leaf"), 20_000);
}

/// Runs this test binary's `child` test in a process of its own, with
/// `LOGPROF_STREAM=file` and `LOGPROF_STREAM_TEST=how`.
fn child(file: &Path, how: &str) -> std::process::Output {
    child_with(file, how, &[])
}

/// [`child`] with more environment variables.
fn child_with(file: &Path, how: &str, vars: &[(&str, &str)]) -> std::process::Output {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "stream::streaming_child",
            "--ignored",
            "--nocapture",
        ])
        .env("LOGPROF_STREAM", file)
        .env("LOGPROF_STREAM_TEST", how)
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

/// Not a test of its own: what `child` runs. A program that only calls
/// `init_buffer` and `collect`, streamed by `LOGPROF_STREAM`; it then
/// exits, or aborts (a crash) after the writer has drained.
#[test]
#[ignore]
fn streaming_child() {
    let Ok(how) = std::env::var("LOGPROF_STREAM_TEST") else {
        return;
    };
    let path = std::env::var_os("LOGPROF_STREAM").unwrap();
    logprof::init_buffer(1 << 16);
    for i in 0..50_000 {
        streamed_call(i);
    }
    // `collect` still works while streaming, on what the rings hold.
    let trace = logprof::collect();
    assert!(spans_named(&trace, "streamed_leaf") > 0);
    if how == "crash" {
        while std::fs::metadata(&path).map_or(0, |m| m.len()) < 100_000 {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::process::abort();
    }
}

#[test]
fn logprof_stream_streams_a_program_that_only_calls_init_buffer_and_collect() {
    let dir = tempfile::tempdir().unwrap();
    let exits = dir.path().join("exits.lpt");
    let out = child(&exits, "exit");
    assert!(out.status.success(), "{out:?}");
    let trace = Trace::read_file(&exits).unwrap();
    assert!(!trace.repairs.cut_at_end);
    assert_eq!(spans_named(&trace, "streamed_leaf"), 50_000);
    // A crash: the file reads up to its last whole chunk, and says so.
    let crashes = dir.path().join("crashes.lpt");
    let out = child(&crashes, "crash");
    assert!(!out.status.success());
    let trace = Trace::read_file(&crashes).unwrap();
    assert!(trace.repairs.cut_at_end);
    let n = spans_named(&trace, "streamed_leaf");
    assert!((1..=50_000).contains(&n), "{n}");
}

#[test]
fn ranks_of_an_mpi_launch_each_stream_a_file_of_their_own_that_merges() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("run.lpt");
    // What Open MPI's launcher sets in each rank's environment.
    for rank in ["0", "1"] {
        let vars = [
            ("OMPI_COMM_WORLD_RANK", rank),
            ("OMPI_COMM_WORLD_SIZE", "2"),
        ];
        let out = child_with(&base, "exit", &vars);
        assert!(out.status.success(), "{out:?}");
    }
    assert!(!base.exists(), "no rank writes the plain path");
    let files: Vec<_> = (0..2)
        .map(|r| logprof_trace::ranks::rank_path(&base, r))
        .collect();
    for (rank, file) in files.iter().enumerate() {
        let trace = Trace::read_file(file).unwrap();
        let facts = logprof_trace::ranks::RankFacts::of_trace(&trace).expect("a rank chunk");
        assert_eq!((facts.rank, facts.ranks), (rank as u32, 2));
        assert_eq!(facts.clock_end, None, "no clocks without logprof::ranks");
        assert_eq!(spans_named(&trace, "streamed_leaf"), 50_000);
    }
    let merged = dir.path().join("merged.lpt");
    let report = logprof_trace::ranks::merge_files(&files, &merged, false).unwrap();
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("rank 1 carries no clock samples")),
        "{:?}",
        report.notes
    );
    let trace = Trace::read_file(&merged).unwrap();
    let pids: std::collections::BTreeSet<u32> = trace.lanes.iter().map(|l| l.pid).collect();
    assert_eq!(pids, [0, 1].into());
    assert_eq!(spans_named(&trace, "streamed_leaf"), 100_000);
}

#[test]
fn regions_instants_counters_values_and_tasks_are_streamed_as_collect_sees_them() {
    let _g = lock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kinds.lpt");
    let stream = logprof::stream_to(&path).unwrap();
    for i in 0..100u64 {
        let _r = logprof::region!("streamed_region");
        drop(logprof::wait!("streamed_wait"));
        let _s = scope!("streamed_valued", i as usize);
        // A value and a result: the result is the event after the exit.
        record_fn!(streamed_leaf(i); i => |out| out * 2);
        logprof::instant!("streamed_mark");
        logprof::counter!("streamed_queue", i as f64 / 2.0);
    }
    // What the rings hold, seen by collect, while the stream still runs.
    let collected = logprof::collect();
    let stats = stream.finish().unwrap();
    assert_eq!(stats.lost, 0);
    let streamed = Trace::read_file(&path).unwrap();
    let region = streamed.name_id("streamed_region").unwrap();
    assert!(streamed.is_region(region));
    assert!(!streamed.is_region(streamed.name_id("streamed_valued").unwrap()));
    let wait = streamed.name_id("streamed_wait").unwrap();
    assert!(streamed.wait_names.contains(&wait) && !streamed.is_region(wait));
    assert!(!streamed.wait_names.contains(&region));
    let lane = &streamed.lanes[0];
    assert_eq!(lane.instants.len(), 100);
    let values: Vec<i64> = lane
        .spans
        .iter()
        .filter(|s| streamed.name(s.name) == "streamed_valued")
        .filter_map(|s| s.value)
        .collect();
    assert_eq!(values, (0..100).collect::<Vec<i64>>());
    let queue = &streamed.counters[0];
    assert_eq!(queue.name, "streamed_queue");
    assert_eq!(queue.samples.len(), 100);
    assert_eq!(queue.samples[99].1, 49.5);
    let results: Vec<i64> = lane
        .spans
        .iter()
        .filter(|s| streamed.name(s.name) == "streamed_leaf")
        .filter_map(|s| s.result)
        .collect();
    assert_eq!(results, (0..100).map(|i| 2 * (i + 1)).collect::<Vec<i64>>());
    // The same spans as collect's, by name, depth, value and result (the
    // times of the two differ by the clock's calibration).
    let shape = |t: &Trace| -> Vec<(String, u32, Option<i64>, Option<i64>)> {
        t.lanes
            .iter()
            .flat_map(|l| &l.spans)
            .map(|s| (t.name(s.name).to_owned(), s.depth, s.value, s.result))
            .collect()
    };
    assert_eq!(shape(&streamed), shape(&collected));
}
