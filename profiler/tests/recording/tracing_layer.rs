//! `TracingLayer` end to end: lanes, tasks that move between threads, nesting
//! with `record_fn!`, misuse, filters and buffer sizing.
//!
//! The recorder is global per process, so every test takes the binary's
//! lock first (in `fresh`). One global subscriber (a registry with the
//! layer) serves every thread.

use std::sync::{MutexGuard, Once};

use logprof::{record_fn, scope, Lane, Span, Trace, TracingLayer};
use tracing::{info_span, Level};
use tracing_subscriber::layer::SubscriberExt;

use crate::support::shape::shape;
use crate::support::slate::lock;

/// Takes the lock, installs the subscriber once, and starts a clean recording.
fn fresh(events_per_thread: usize) -> MutexGuard<'static, ()> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::Registry::default().with(TracingLayer::new());
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
    });
    let guard = lock();
    logprof::set_enabled(true);
    logprof::reset_filters();
    logprof::init_buffer(events_per_thread);
    guard
}

fn lane<'a>(trace: &'a Trace, thread_name: &str) -> &'a Lane {
    trace
        .lanes
        .iter()
        .find(|l| l.thread_name == thread_name)
        .unwrap_or_else(|| panic!("no lane named {thread_name}: {:?}", trace.lanes))
}

fn named<'a>(trace: &'a Trace, lane: &'a Lane, name: &str) -> Vec<&'a Span> {
    let id = trace.name_id(name);
    lane.spans.iter().filter(|s| Some(s.name) == id).collect()
}

fn spawn_named<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .unwrap()
}

#[tracing::instrument]
fn traced_leaf(x: u64) -> u64 {
    std::hint::black_box(x + 1)
}

fn plain(x: u64) -> u64 {
    traced_leaf(x) * 2
}

#[tracing::instrument]
fn traced_outer(x: u64) -> u64 {
    record_fn!(plain(x))
}

#[test]
fn spans_from_several_threads_land_on_their_lanes() {
    let _lock = fresh(1 << 12);
    let workers: Vec<_> = (0..3u64)
        .map(|k| {
            spawn_named(&format!("tracing-worker-{k}"), move || {
                for j in 0..=k {
                    let _e = info_span!("work", k, j).entered();
                    traced_leaf(j);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    let mut tasks = std::collections::BTreeSet::new();
    for k in 0..3u64 {
        let lane = lane(&trace, &format!("tracing-worker-{k}"));
        let work = named(&trace, lane, "work");
        let leaves = named(&trace, lane, "traced_leaf");
        assert_eq!(work.len() as u64, k + 1, "lane {k}");
        assert_eq!(leaves.len() as u64, k + 1, "lane {k}");
        assert!(work.iter().all(|s| s.depth == 0));
        assert!(leaves.iter().all(|s| s.depth == 1));
        for s in work.iter().chain(&leaves) {
            assert!(tasks.insert(s.task.expect("a tracing span is a task")));
        }
    }
    assert_eq!(tasks.len(), 12, "every span is its own task");
    assert_eq!(trace.summary().migrated_tasks, 0);
}

#[test]
fn a_span_that_moves_between_threads_keeps_its_identity() {
    let _lock = fresh(1 << 12);
    let hop = info_span!("hop");
    let stay = info_span!("stay");
    let (hop, stay) = spawn_named("tracing-a", move || {
        hop.in_scope(|| traced_leaf(1));
        stay.in_scope(|| traced_leaf(2));
        (hop, stay)
    })
    .join()
    .unwrap();
    let hop = spawn_named("tracing-b", move || {
        hop.in_scope(|| traced_leaf(3));
        hop.in_scope(|| traced_leaf(4));
        hop
    })
    .join()
    .unwrap();
    drop((hop, stay));

    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    let a = lane(&trace, "tracing-a");
    let b = lane(&trace, "tracing-b");
    let on_a = named(&trace, a, "hop");
    let on_b = named(&trace, b, "hop");
    assert_eq!(on_a.len(), 1);
    assert_eq!(on_b.len(), 2);
    let task = on_a[0].task.unwrap();
    assert!(on_b.iter().all(|s| s.task == Some(task)));
    assert!(on_a[0].end_ns <= on_b[0].start_ns);

    let tasks = trace.tasks();
    let slices = &tasks[&task];
    assert_eq!(slices.len(), 3);
    let a_index = trace
        .lanes
        .iter()
        .position(|l| l.thread_name == "tracing-a");
    assert_eq!(Some(slices[0].0), a_index, "first slice on thread a");
    let stay_task = named(&trace, a, "stay")[0].task.unwrap();
    assert_ne!(stay_task, task);
    assert_eq!(tasks[&stay_task].len(), 1);
    assert_eq!(trace.summary().migrated_tasks, 1);

    // The Chrome JSON keeps the identity.
    let back = Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(back.summary().migrated_tasks, 1);
    let back_tasks = back.tasks();
    assert_eq!(back_tasks.len(), tasks.len());
    assert_eq!(back_tasks[&task].len(), 3);
}

#[test]
fn record_fn_and_tracing_spans_nest_inside_each_other() {
    let _lock = fresh(1 << 12);
    spawn_named("tracing-nest", || {
        // tracing span > record_fn! > tracing span
        traced_outer(1);
        // record_fn! > tracing span > scope!
        record_fn!(plain(2));
        info_span!("middle").in_scope(|| {
            let _s = scope!("innermost");
        });
    })
    .join()
    .unwrap();
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    let lane = lane(&trace, "tracing-nest");
    let shape: Vec<(&str, u32, bool)> = lane
        .spans
        .iter()
        .map(|s| (trace.name(s.name), s.depth, s.task.is_some()))
        .collect();
    assert_eq!(
        shape,
        [
            ("traced_outer", 0, true),
            ("plain", 1, false),
            ("traced_leaf", 2, true),
            ("plain", 0, false),
            ("traced_leaf", 1, true),
            ("middle", 0, true),
            ("innermost", 1, false),
        ]
    );
    for pair in lane.spans.windows(2) {
        if pair[1].depth > pair[0].depth {
            assert!(pair[0].start_ns <= pair[1].start_ns && pair[1].end_ns <= pair[0].end_ns);
        }
    }
}

#[test]
fn exits_out_of_order_close_the_right_slices() {
    let _lock = fresh(1 << 12);
    spawn_named("tracing-order", || {
        let outer = info_span!("outer").entered();
        let inner = info_span!("inner").entered();
        drop(outer); // before `inner`
        drop(inner);
        let outer = info_span!("outer").entered();
        let guard = scope!("scoped");
        drop(outer); // before the record_fn!-style guard
        drop(guard);
        info_span!("after").in_scope(|| ());
    })
    .join()
    .unwrap();
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    let lane = lane(&trace, "tracing-order");
    assert_eq!(
        shape(&trace, lane),
        [
            ("outer", 0),
            ("inner", 1),
            ("outer", 0),
            ("scoped", 1),
            ("after", 0)
        ]
    );
    // Each slice ends at its own exit: the inner one outlives the outer.
    assert!(lane.spans[1].end_ns >= lane.spans[0].end_ns);
}

#[test]
fn spans_dropped_while_entered_are_closed_or_discarded_and_counted() {
    let _lock = fresh(1 << 12);
    let dropped_before = TracingLayer::dropped_while_entered();
    spawn_named("tracing-dropped", || {
        // The guard is forgotten, the span closed: its slice ends here.
        let span = info_span!("dropped");
        std::mem::forget(span.enter());
        traced_leaf(1);
        drop(span);
        info_span!(parent: None, "after_drop").in_scope(|| ());
    })
    .join()
    .unwrap();
    spawn_named("tracing-leaked", || {
        // Entered for ever: never exited, never closed.
        std::mem::forget(info_span!("leaked").entered());
        traced_leaf(2);
    })
    .join()
    .unwrap();
    spawn_named("tracing-fine", || traced_leaf(3))
        .join()
        .unwrap();

    let trace = logprof::collect();
    assert_eq!(TracingLayer::dropped_while_entered() - dropped_before, 1);
    assert_eq!(trace.losses.unclosed_enters, 1, "the leaked span");
    assert_eq!(trace.losses.unmatched_exits, 0);

    let dropped = lane(&trace, "tracing-dropped");
    assert_eq!(
        shape(&trace, dropped),
        [("dropped", 0), ("traced_leaf", 1), ("after_drop", 0)]
    );

    let leaked = lane(&trace, "tracing-leaked");
    assert!(named(&trace, leaked, "leaked").is_empty());
    assert_eq!(named(&trace, leaked, "traced_leaf").len(), 1);
    let fine = lane(&trace, "tracing-fine");
    assert_eq!(fine.spans.len(), 1);
    assert_eq!(fine.spans[0].depth, 0);
}

#[test]
fn filters_apply_to_span_names() {
    let _lock = fresh(1 << 12);
    logprof::deny("noisy*");
    spawn_named("tracing-filter", || {
        for _ in 0..3 {
            info_span!("noisy_poll").in_scope(|| {
                info_span!("kept").in_scope(|| ());
            });
        }
        // A filter change between enter and exit: the exit follows the enter.
        let a = info_span!("kept").entered(); // recorded
        let b = info_span!("noisy_late").entered(); // not recorded
        logprof::reset_filters();
        logprof::deny("kept");
        drop(b); // not recorded: its enter was not
        drop(a); // recorded: its enter was
        info_span!("kept").in_scope(|| ()); // denied now
        logprof::reset_filters();
    })
    .join()
    .unwrap();
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    assert_eq!(trace.name_id("noisy_poll"), None);
    assert_eq!(trace.name_id("noisy_late"), None);
    let lane = lane(&trace, "tracing-filter");
    assert_eq!(named(&trace, lane, "kept").len(), 4);
    assert!(lane.spans.iter().all(|s| s.depth == 0));

    // Turning recording off silences spans too.
    drop(trace);
    logprof::clear();
    logprof::set_enabled(false);
    spawn_named("tracing-off", || info_span!("kept").in_scope(|| ()))
        .join()
        .unwrap();
    logprof::set_enabled(true);
    assert!(logprof::collect().is_empty());
}

#[test]
fn buffer_sizing_counts_span_events() {
    let _lock = fresh(16);
    let run = || {
        spawn_named("tracing-sizing", || {
            for i in 0..100 {
                let _e = tracing::span!(Level::TRACE, "sized", i).entered();
            }
        })
        .join()
        .unwrap();
    };
    run();
    let dry = logprof::recorded();
    assert_eq!(dry.events, 200);
    assert!(dry.lost > 0);
    logprof::adjust_buffer();
    run();
    let real = logprof::recorded();
    assert_eq!(real.events, 200);
    assert_eq!(real.lost, 0);
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    assert_eq!(trace.span_count(), 100);
}

#[test]
fn tokio_tasks_keep_their_identity_across_polls() {
    let _lock = fresh(1 << 14);
    use tracing::Instrument;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .thread_name("tracing-tokio")
        .build()
        .unwrap();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..8u32)
            .map(|t| {
                tokio::spawn(
                    async move {
                        for _ in 0..5 {
                            traced_leaf(t.into());
                            tokio::task::yield_now().await;
                        }
                    }
                    .instrument(info_span!("task", t)),
                )
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    drop(runtime);
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    let task_name = trace.name_id("task").unwrap();
    let leaf_name = trace.name_id("traced_leaf").unwrap();
    let tasks = trace.tasks();
    let polled: Vec<&Vec<(usize, usize)>> = tasks
        .values()
        .filter(|slices| {
            let (l, s) = slices[0];
            trace.lanes[l].spans[s].name == task_name
        })
        .collect();
    assert_eq!(polled.len(), 8, "one task per instrumented future");
    for slices in polled {
        // One slice per poll (six: five yields and the end), at least.
        assert!(slices.len() >= 6, "{} slices", slices.len());
        for &(l, s) in slices {
            assert_eq!(trace.lanes[l].spans[s].depth, 0);
        }
    }
    let leaves = trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .filter(|s| s.name == leaf_name);
    assert!(leaves.clone().all(|s| s.depth == 1));
    assert_eq!(leaves.count(), 40);
}

/// Spans closed and created again and again (their ids may be reused):
/// every slice still carries its own span's name and task, never a cached
/// one of a closed span.
#[test]
fn spans_created_and_closed_in_turn_keep_their_names_and_tasks() {
    let _guard = fresh(1 << 12);
    for i in 0..200 {
        let span = if i % 2 == 0 {
            info_span!("even")
        } else {
            info_span!("odd")
        };
        span.in_scope(|| ());
        span.in_scope(|| ());
    }
    let trace = logprof::collect();
    let tasks = trace.tasks();
    assert_eq!(tasks.len(), 200);
    let mut previous_name = None;
    for slices in tasks.values() {
        assert_eq!(slices.len(), 2);
        let names: Vec<&str> = slices
            .iter()
            .map(|&(l, s)| trace.name(trace.lanes[l].spans[s].name))
            .collect();
        assert_eq!(names[0], names[1]);
        assert_ne!(Some(names[0]), previous_name, "even and odd alternate");
        previous_name = Some(names[0]);
    }
}
