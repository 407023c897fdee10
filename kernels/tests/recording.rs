//! Recorded runs: one `juliaset_column` span a column, on the workers'
//! lanes. The logprof recorder is global to the process, so every test here
//! takes `RECORDER` first, and these tests are a binary of their own, apart
//! from `tests/integration` (whose pools would add their workers' lanes to
//! the traces here).

use std::collections::BTreeMap;
use std::sync::Mutex;

use logprof_kernels::histogram::{self, Counter, FolderSpec, HistogramOptions};
use logprof_kernels::{run, JuliaSet, Kernel, Pool, RunOptions, Schedule};

static RECORDER: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    RECORDER.lock().unwrap_or_else(|e| e.into_inner())
}

/// Spans named `name` per lane name.
fn spans_per_lane(trace: &logprof::Trace, name: &str) -> BTreeMap<String, usize> {
    let id = trace.name_id(name);
    trace
        .lanes
        .iter()
        .map(|lane| {
            let count = lane.spans.iter().filter(|s| Some(s.name) == id).count();
            (lane.thread_name.clone(), count)
        })
        .collect()
}

#[test]
fn one_span_a_column_on_worker_lanes() {
    let _guard = lock();
    for threads in [1, 3, 16] {
        let pool = Pool::new(threads).unwrap();
        for n in [1, 5, 40] {
            let f = JuliaSet::with_size(n).unwrap();
            let serial = f.compute(Kernel::Scalar).unwrap();
            for schedule in Schedule::all() {
                logprof::init_buffer(1 << 12);
                let image = run(&pool, &schedule, &f, RunOptions::recorded(Kernel::Simd)).unwrap();
                let mut trace = logprof::collect();
                schedule.trim_lanes(&mut trace);
                let what = format!("{schedule}, {threads} threads, n={n}");
                assert_eq!(image, serial, "{what}");
                assert!(trace.losses.is_empty(), "{what}: {:?}", trace.losses);
                assert_eq!(trace.names, vec!["juliaset_column".to_owned()], "{what}");
                assert_eq!(trace.span_count(), n, "{what}");
                // Each span carries its column index: every column once.
                let mut columns: Vec<i64> = trace
                    .lanes
                    .iter()
                    .flat_map(|l| &l.spans)
                    .map(|s| s.value.expect("a column index"))
                    .collect();
                columns.sort_unstable();
                assert_eq!(columns, (0..n as i64).collect::<Vec<_>>(), "{what}");
                // And its iterations as its result: the image's own count.
                let per_column = serial.iterations_per_column();
                for s in trace.lanes.iter().flat_map(|l| &l.spans) {
                    let j = s.value.unwrap() as usize;
                    assert_eq!(s.result, Some(per_column[j] as i64), "{what}");
                }
                // Every worker has a lane, idle or not, and nothing else
                // does; serial, a one-thread schedule, has one lane once
                // trimmed.
                let lanes = spans_per_lane(&trace, "juliaset_column");
                let want: Vec<String> = (0..threads).map(|t| format!("worker-{t}")).collect();
                let mut got: Vec<String> = lanes.keys().cloned().collect();
                got.sort_by_key(|name| name[7..].parse::<usize>().unwrap());
                if schedule == Schedule::Serial {
                    // Always the same worker: one name in every picture.
                    assert_eq!(got, ["worker-0"], "{what}");
                } else {
                    assert_eq!(got, want, "{what}");
                }
                for lane in &trace.lanes {
                    // Columns on one lane never overlap: one call at a time.
                    for pair in lane.spans.windows(2) {
                        assert!(pair[0].end_ns <= pair[1].start_ns, "{what}");
                    }
                    assert!(lane.spans.iter().all(|s| s.depth == 0), "{what}");
                }
                if schedule == Schedule::Serial {
                    assert_eq!(lanes.values().filter(|&&c| c > 0).count(), 1, "{what}");
                }
                if schedule == Schedule::Static {
                    // Worker t computes block t: t*n/threads .. (t+1)*n/threads.
                    for t in 0..threads {
                        let block = (t + 1) * n / threads - t * n / threads;
                        assert_eq!(lanes[&format!("worker-{t}")], block, "{what}");
                    }
                }
            }
        }
    }
}

#[test]
fn unrecorded_runs_record_nothing() {
    let _guard = lock();
    let pool = Pool::new(2).unwrap();
    let f = JuliaSet::with_size(20).unwrap();
    logprof::init_buffer(1 << 10);
    for schedule in Schedule::all() {
        run(&pool, &schedule, &f, RunOptions::plain(Kernel::Scalar)).unwrap();
    }
    let trace = logprof::collect();
    assert_eq!(trace.span_count(), 0);
}

#[test]
fn histogram_records_one_span_a_file() {
    let _guard = lock();
    let dir = tempfile::tempdir().unwrap();
    let spec = FolderSpec {
        files: 9,
        min_size: 10,
        max_size: 2000,
        seed: 5,
    };
    let files = histogram::generate_folder(dir.path(), &spec).unwrap();
    let pool = Pool::new(3).unwrap();
    for (counter, name) in [
        (Counter::HashMap, "histfile_map"),
        (Counter::Array, "histfile_array"),
    ] {
        logprof::init_buffer(1 << 10);
        histogram::histogram_threads(&pool, &files, HistogramOptions::recorded(counter)).unwrap();
        let trace = logprof::collect();
        assert_eq!(trace.span_count(), 9);
        assert_eq!(trace.names, vec![name.to_owned()]);
        assert_eq!(trace.lanes.len(), 3);
        assert!(trace
            .lanes
            .iter()
            .all(|l| l.thread_name.starts_with("worker-")));
    }
}
