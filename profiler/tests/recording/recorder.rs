//! The recorder end to end: threads, nesting, the ring, filters, panics.
//!
//! The recorder is global per process, so every test takes `lock()` first.
//! Races run under `support::race`, so a failed check inside one fails the
//! test instead of hanging it.

use std::time::{Duration, Instant};

use logprof::{record_fn, scope, Trace};

use crate::support::race;
use crate::support::slate::{fresh, lock};
use crate::support::spin::spin_for_a_millisecond;

fn leaf(x: u64) -> u64 {
    std::hint::black_box(x + 1)
}

fn middle(x: u64) -> u64 {
    record_fn!(leaf(x)) + record_fn!(leaf(x + 1))
}

fn outer(x: u64) -> u64 {
    let _s = scope!("outer_scope");
    record_fn!(middle(x))
}

fn spans_named<'a>(
    trace: &'a Trace,
    name: &str,
) -> impl Iterator<Item = (&'a logprof::Lane, &'a logprof::Span)> {
    let id = trace.name_id(name);
    trace
        .lanes
        .iter()
        .flat_map(|l| l.spans.iter().map(move |s| (l, s)))
        .filter(move |(_, s)| Some(s.name) == id)
}

#[test]
fn threads_record_nested_calls_on_their_own_lanes() {
    let _g = lock();
    fresh(1 << 12);
    const THREADS: usize = 4;
    const CALLS: u64 = 50;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            std::thread::Builder::new()
                .name(format!("nest-{t}"))
                .spawn_scoped(s, move || {
                    for i in 0..CALLS {
                        outer(i);
                    }
                })
                .unwrap();
        }
    });
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    let lanes: Vec<_> = trace
        .lanes
        .iter()
        .filter(|l| l.thread_name.starts_with("nest-"))
        .collect();
    assert_eq!(lanes.len(), THREADS);
    for lane in lanes {
        // Each call once: 1 scope + 1 middle + 2 leaves per iteration.
        assert_eq!(
            lane.spans.len() as u64,
            4 * CALLS,
            "lane {}",
            lane.thread_name
        );
        let name = |s: &logprof::Span| trace.name(s.name).to_owned();
        // Time order, and children inside their parent, one level deeper.
        for w in lane.spans.windows(2) {
            assert!(w[0].start_ns <= w[1].start_ns);
        }
        let mut stack: Vec<&logprof::Span> = Vec::new();
        for span in &lane.spans {
            assert!(span.start_ns <= span.end_ns);
            while let Some(top) = stack.last() {
                if top.end_ns <= span.start_ns && top.end_ns < span.end_ns {
                    stack.pop();
                } else {
                    break;
                }
            }
            assert_eq!(span.depth as usize, stack.len(), "depth of {}", name(span));
            if let Some(parent) = stack.last() {
                assert!(parent.start_ns <= span.start_ns && span.end_ns <= parent.end_ns);
            }
            let expected = match span.depth {
                0 => "outer_scope",
                1 => "middle",
                2 => "leaf",
                d => panic!("unexpected depth {d}"),
            };
            assert_eq!(name(span), expected);
            stack.push(span);
        }
    }
    // A lane per recording thread, numbered from 1, sorted.
    assert!(trace.lanes.windows(2).all(|w| w[0].tid < w[1].tid));
    assert!(trace.lanes.iter().all(|l| l.tid >= 1));
}

#[test]
fn record_fn_names_paths_and_methods_and_returns_values() {
    let _g = lock();
    fresh(64);
    mod kernels {
        pub fn column(j: usize) -> usize {
            j * 3
        }
    }
    let mut v = vec![3, 1, 2];
    assert_eq!(record_fn!(kernels::column(2)), 6);
    record_fn!(v.sort());
    assert_eq!(v, vec![1, 2, 3]);
    let total: i32 = record_fn!(v.iter().copied().sum::<i32>());
    assert_eq!(total, 6);
    let doubled = record_fn!(v.iter().map::<i32, _>(|x| x * 2).collect::<Vec<i32>>());
    assert_eq!(doubled, vec![2, 4, 6]);
    let parsed = record_fn!(str::parse::<u32>("42"));
    assert_eq!(parsed, Ok(42));
    let buffer = record_fn!(Vec::<u8>::with_capacity(8));
    assert!(buffer.capacity() >= 8);
    let trace = logprof::collect();
    let mut names: Vec<&str> = trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .map(|s| trace.name(s.name))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "Vec::with_capacity",
            "collect",
            "kernels::column",
            "sort",
            "str::parse",
            "sum"
        ]
    );
}

#[test]
fn full_ring_keeps_the_newest_and_adjust_buffer_fixes_the_rerun() {
    let _g = lock();
    fresh(64);
    let run = || {
        for i in 0..100 {
            record_fn!(leaf(i));
        }
    };
    run();
    let r = logprof::recorded();
    assert_eq!(r.events, 200);
    assert_eq!(r.max_per_thread, 200);
    assert_eq!(r.lost, 200 - 64);
    let trace = logprof::collect();
    assert_eq!(trace.losses.overwritten_events, 200 - 64);
    // The newest 64 events are 32 whole calls, the last ones made.
    assert_eq!(trace.span_count(), 32);
    assert_eq!(trace.losses.unmatched_exits, 0);

    logprof::adjust_buffer();
    assert_eq!(logprof::recorded().events, 0, "adjust_buffer clears");
    run();
    let r = logprof::recorded();
    assert_eq!((r.events, r.lost), (200, 0));
    let trace = logprof::collect();
    assert_eq!(trace.span_count(), 100);
    assert!(trace.losses.is_empty());
}

#[test]
fn exit_whose_enter_was_overwritten_is_skipped_and_counted() {
    let _g = lock();
    fresh(8);
    // One long call around 10 short ones: its enter is overwritten.
    fn around() {
        for i in 0..10 {
            record_fn!(leaf(i));
        }
    }
    record_fn!(around());
    let trace = logprof::collect();
    // 22 events in 8 slots: the newest are the exit of leaf 6 (unmatched),
    // leaves 7, 8 and 9, and the exit of `around` (unmatched).
    assert_eq!(trace.losses.overwritten_events, 14);
    assert_eq!(trace.losses.unmatched_exits, 2);
    assert_eq!(trace.span_count(), 3);
    // Depth counts the enters that survived: the leaves are now top level.
    assert!(trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .all(|s| s.depth == 0));
}

#[test]
fn a_panicking_call_still_records_its_exit() {
    let _g = lock();
    fresh(64);
    fn boom(x: u64) -> u64 {
        if x > 0 {
            panic!("boom");
        }
        x
    }
    let result = std::panic::catch_unwind(|| record_fn!(boom(1)));
    assert!(result.is_err());
    let trace = logprof::collect();
    assert_eq!(spans_named(&trace, "boom").count(), 1);
    assert!(trace.losses.is_empty());
}

#[test]
fn exited_threads_keep_their_events_until_cleared() {
    let _g = lock();
    fresh(64);
    std::thread::Builder::new()
        .name("short-lived".into())
        .spawn(|| {
            record_fn!(leaf(1));
        })
        .unwrap()
        .join()
        .unwrap();
    let trace = logprof::collect();
    let (lane, _) = spans_named(&trace, "leaf")
        .next()
        .expect("span of the exited thread");
    assert_eq!(lane.thread_name, "short-lived");
    logprof::clear();
    assert!(logprof::collect()
        .lanes
        .iter()
        .all(|l| l.thread_name != "short-lived"));
}

#[test]
fn filters_and_enabled_switch() {
    let _g = lock();
    fresh(256);
    fn juliaset_column(j: u64) -> u64 {
        j
    }
    fn juliaset_pixel(j: u64) -> u64 {
        j
    }
    fn other(j: u64) -> u64 {
        j
    }
    let run = || {
        record_fn!(juliaset_column(1));
        record_fn!(juliaset_pixel(1));
        record_fn!(other(1));
    };
    let names = || {
        let trace = logprof::collect();
        let mut names: Vec<String> = trace
            .lanes
            .iter()
            .flat_map(|l| &l.spans)
            .map(|s| trace.name(s.name).to_owned())
            .collect();
        names.sort();
        logprof::clear();
        names
    };
    run();
    assert_eq!(names(), ["juliaset_column", "juliaset_pixel", "other"]);
    logprof::allow("juliaset_*");
    run();
    assert_eq!(names(), ["juliaset_column", "juliaset_pixel"]);
    logprof::deny("*pixel");
    run();
    assert_eq!(names(), ["juliaset_column"]);
    logprof::reset_filters();
    logprof::deny("other");
    run();
    assert_eq!(names(), ["juliaset_column", "juliaset_pixel"]);
    logprof::reset_filters();
    logprof::set_enabled(false);
    run();
    assert!(names().is_empty());
    logprof::set_enabled(true);
    run();
    assert_eq!(names().len(), 3);
}

/// A registered thread that records nothing gets an empty lane, and the
/// summary counts it as idle: beside one busy lane it halves the balance.
///
/// The busy call spins for a millisecond rather than being a tiny leaf: the
/// clock moves in steps (here about 10 ns; coarser under some hypervisors,
/// and `Instant` on some), so a call of a few instructions could begin and
/// end on the same step. That span lasted 0 ns, no lane was busy, and the
/// balance was 1 ("nothing busy"): the test failed about one run in 40.
#[test]
fn registered_idle_thread_gets_an_empty_lane() {
    let _g = lock();
    fresh(64);
    std::thread::scope(|s| {
        s.spawn(|| record_fn!(spin_for_a_millisecond()));
        std::thread::Builder::new()
            .name("idle-worker".into())
            .spawn_scoped(s, logprof::register_thread)
            .unwrap();
    });
    let trace = logprof::collect();
    assert_eq!(trace.lanes.len(), 2, "the busy lane and the idle one");
    let idle = trace
        .lanes
        .iter()
        .position(|l| l.thread_name == "idle-worker")
        .expect("idle lane");
    assert!(trace.lanes[idle].spans.is_empty());
    assert_eq!(trace.span_count(), 1);
    let summary = trace.summary();
    let idle = &summary.lanes[idle];
    assert_eq!((idle.spans, idle.busy_ns), (0, 0));
    assert_eq!(idle.idle_ns, summary.wall_ns, "idle for the whole region");
    assert!(summary.max_busy_ns > 0, "the busy call spans a clock step");
    assert_eq!(
        summary.load_balance, 0.5,
        "an idle lane beside a busy one halves the balance"
    );
}

/// Checks every span of a trace collected while `outer` runs on other
/// threads: well-formed, named after a call site of `outer`, and sorted by
/// start within its lane.
fn assert_well_formed(trace: &Trace) {
    for lane in &trace.lanes {
        for span in &lane.spans {
            assert!(span.start_ns <= span.end_ns);
            assert!(span.depth <= 2);
            assert!((span.name as usize) < trace.names.len());
            // Every name is one the recording threads use.
            assert!(["outer_scope", "middle", "leaf"].contains(&trace.name(span.name)));
        }
        assert!(lane
            .spans
            .windows(2)
            .all(|w| w[0].start_ns <= w[1].start_ns));
    }
}

/// Runs `outer(x)` in a loop on `threads` threads while this thread, for at
/// least `rounds` rounds (and on, up to 20 s, until some span has been seen),
/// calls `each_round(round)` and then collects and checks the trace.
///
/// A failed check stops the recording threads as it unwinds, and everything
/// stops after 60 s and fails (see `support/race.rs`): never a hang.
fn collect_while_recording(threads: usize, x: u64, rounds: u32, mut each_round: impl FnMut(u32)) {
    let stop = &race::Stop::new(Duration::from_secs(60));
    stop.race(|s| {
        for t in 0..threads {
            stop.spawn(s, &format!("racer-{t}"), move || {
                while !stop.should_stop() {
                    outer(x);
                }
            });
        }
        let mut seen = 0;
        let started = Instant::now();
        let mut round = 0;
        while !stop.should_stop()
            && (round < rounds || (seen == 0 && started.elapsed().as_secs() < 20))
        {
            round += 1;
            each_round(round);
            let trace = logprof::collect();
            seen += trace.span_count();
            assert_well_formed(&trace);
        }
        assert!(seen > 0, "collect saw the recording threads' spans");
    });
}

/// The proof that a race cannot hang on a failed check: the check fails in
/// the body while the recording threads spin; the race must end with that
/// failure (not with its deadline, and not never).
#[test]
#[should_panic(expected = "deliberate failure in round 3")]
fn a_failed_check_inside_a_race_fails_instead_of_hanging() {
    let _g = lock();
    fresh(64);
    collect_while_recording(2, 1, 10, |round| {
        assert_ne!(round, 3, "deliberate failure in round 3");
    });
}

/// The proof that a race cannot hang on a thread that never stops by
/// itself: the deadline stops it and fails the race.
#[test]
#[should_panic(expected = "race deadline of 200ms passed")]
fn a_race_that_never_ends_fails_at_its_deadline() {
    let stop = &race::Stop::new(Duration::from_millis(200));
    stop.race(|s| {
        stop.spawn(s, "forever", || {
            while !stop.should_stop() {
                std::thread::yield_now();
            }
        });
        while !stop.should_stop() {
            std::thread::yield_now();
        }
    });
}

#[test]
fn collect_while_threads_record_is_consistent() {
    let _g = lock();
    fresh(1 << 10);
    collect_while_recording(2, 1, 200, |_| ());
}

/// Stress for the unsafe hot path: rings swapped, cleared and read while
/// threads record. Nothing may panic, and every span must be well-formed.
#[test]
fn clear_init_and_collect_race_with_recording_threads() {
    let _g = lock();
    fresh(64);
    collect_while_recording(3, 2, 300, |round| match round % 3 {
        0 => logprof::init_buffer(16 << (round % 7)),
        1 => logprof::clear(),
        _ => logprof::adjust_buffer(),
    });
}

#[test]
fn a_forgotten_guard_is_counted_and_does_not_hide_the_lane() {
    let _g = lock();
    fresh(256);
    std::mem::forget(scope!("forgotten"));
    for i in 0..5 {
        record_fn!(middle(i));
    }
    let trace = logprof::collect();
    assert_eq!(trace.losses.unclosed_enters, 1);
    let lane = trace
        .lanes
        .iter()
        .find(|l| !l.spans.is_empty())
        .expect("a lane with spans");
    // The calls after the forgotten enter are top-level again, so the lane is busy.
    assert_eq!(lane.spans.iter().filter(|s| s.depth == 0).count(), 5);
    assert_eq!(lane.spans.iter().filter(|s| s.depth == 1).count(), 10);
    assert!(trace.summary().lanes.iter().any(|l| l.busy_ns > 0));
    logprof::clear();
}
