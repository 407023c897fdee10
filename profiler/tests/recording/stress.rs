//! The recorder under stress: many threads recording nested calls into small
//! rings while others collect, clear and resize the rings, long enough for
//! the rare interleavings to happen, and always ending by itself.
//!
//! The short run is part of the normal suite (a few seconds in a debug
//! build). The long one is ignored; run it with
//! `cargo test -p logprof --release --test recording stress -- --ignored`,
//! or set the rounds of either with `LOGPROF_STRESS_ROUNDS` (rounds per recording
//! thread per phase). See TESTING.md.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use logprof::{record_fn, scope, Lane, Trace};

use crate::support::race;
use crate::support::slate::lock;

/// Threads recording nested calls.
const RECORDERS: usize = 8;

/// Phases per run; each starts with its own ring size and ends quiescent.
const PHASES: usize = 4;

/// Every name the recording threads use, at the nesting level it is used:
/// a span's name tells how deep its call was.
const LEVELS: [&str; 3] = ["stress_level0", "stress_level1", "stress_level2"];

fn stress_level2(i: u64) -> u64 {
    std::hint::black_box(i)
}

fn stress_level1(i: u64, width: u64) -> u64 {
    (0..width).map(|k| record_fn!(stress_level2(i + k))).sum()
}

/// One round: a scope around a call around 1 to 3 calls, so the events per
/// round (6, 8 or 10) vary and do not divide the ring sizes: a slot read at
/// the wrong moment then holds an event of another kind.
fn round(i: u64) -> u64 {
    let _s = scope!("stress_level0");
    record_fn!(stress_level1(i, 1 + i % 3))
}

/// The nesting level of a span name; any other name is garbage (an event
/// from a slot never written, or torn).
fn level(trace: &Trace, name: logprof::NameId) -> u32 {
    let name = trace.name(name);
    LEVELS
        .iter()
        .position(|&l| l == name)
        .unwrap_or_else(|| panic!("span named {name:?}: not a stress call")) as u32
}

/// Checks one collected lane: every span named after a stress call, in
/// start order, not inverted, never deeper than its call was, and every
/// nested span inside a span one level up that is one depth up.
///
/// Depth can be less than the call's level: the enters of the outer calls
/// may have been overwritten, recorded before a clear, or still be open
/// when the lane was read. The ancestors that survive are always the
/// innermost ones, so a span at depth `d > 0` of level `l` sits inside a
/// span at depth `d - 1` of level `l - 1`. That parent is looked for among
/// the depth `d - 1` spans that may still contain it, not taken as the last
/// one: with a clock that moves in steps, spans of one step tie.
fn check_lane(trace: &Trace, lane: &Lane) {
    // Per depth: (level, start, end) of the spans that may contain later ones.
    let mut containers: Vec<Vec<(u32, u64, u64)>> = Vec::new();
    let mut last_start = 0;
    for span in &lane.spans {
        let level = level(trace, span.name);
        let at = || {
            format!(
                "{} in lane {}: {:?}",
                LEVELS[level as usize], lane.tid, span
            )
        };
        assert!(span.start_ns <= span.end_ns, "inverted span {}", at());
        assert!(span.start_ns >= last_start, "spans out of order {}", at());
        last_start = span.start_ns;
        assert_eq!(span.task, None, "{}", at());
        assert!(span.depth <= level, "deeper than its call {}", at());
        let depth = span.depth as usize;
        if depth > 0 {
            let parent = containers.get(depth - 1).and_then(|c| {
                c.iter()
                    .find(|&&(l, s, e)| l + 1 == level && s <= span.start_ns && span.end_ns <= e)
            });
            assert!(parent.is_some(), "no parent one level up {}", at());
        }
        if containers.len() <= depth {
            containers.resize(depth + 1, Vec::new());
        }
        // Spans that end before this one starts contain nothing after it.
        containers[depth].retain(|&(_, _, e)| e >= span.start_ns);
        containers[depth].push((level, span.start_ns, span.end_ns));
    }
}

fn check_trace(trace: &Trace) {
    for lane in &trace.lanes {
        check_lane(trace, lane);
    }
}

/// With every recording thread joined and no clear since they recorded,
/// every recorded event is accounted for: kept as half of a span, or
/// counted as a loss.
fn check_quiescent(trace: &Trace, recorded: logprof::Recorded) {
    check_trace(trace);
    let losses = trace.losses;
    let kept = 2 * trace.span_count() as u64 + losses.unmatched_exits + losses.unclosed_enters;
    assert_eq!(
        kept + losses.overwritten_events,
        recorded.events,
        "events kept + lost != recorded: {losses:?}, {} spans, {recorded:?}",
        trace.span_count()
    );
    // The writers have exited, so nothing was in flight: exactly the events
    // beyond each ring's length were lost.
    assert_eq!(losses.overwritten_events, recorded.lost, "{recorded:?}");
    // Every call finished before the collect.
    assert_eq!(losses.unclosed_enters, 0, "{losses:?}");
    // Only calls open at the cut (the oldest event kept, or the last clear)
    // lose their enter: at most one per level per lane.
    assert!(
        losses.unmatched_exits <= (LEVELS.len() * trace.lanes.len()) as u64,
        "{losses:?} over {} lanes",
        trace.lanes.len()
    );
    assert_eq!(trace.lanes.len(), recorded.threads);
}

/// Counts of one run, to show that the race happened.
#[derive(Debug, Default)]
struct Seen {
    collects: u64,
    spans: u64,
    resets: u64,
}

/// `PHASES` phases; in each, `RECORDERS` threads run `rounds` rounds each
/// into rings of 64 to 512 events, while two threads collect and check every
/// trace and one clears or resizes the rings (back to back in even phases,
/// yielding between resets in odd ones). At the end of each phase the
/// recording threads are joined and a last collect must account for every
/// event (see [`check_quiescent`]). Fails after `deadline` rather than hang.
fn stress(rounds: u64, deadline: Duration) -> Seen {
    let _g = lock();
    logprof::set_enabled(true);
    logprof::reset_filters();
    let mut total = Seen::default();
    for phase in 0..PHASES {
        logprof::init_buffer(64 << phase);
        // Set until the recording threads are joined; outside the race,
        // which its threads borrow it from.
        let recording = &AtomicBool::new(true);
        let stop = &race::Stop::new(deadline);
        let seen = stop.race(|s| {
            let recorders: Vec<_> = (0..RECORDERS)
                .map(|t| {
                    stop.spawn(s, &format!("recorder-{t}"), move || {
                        let mut i = 0;
                        while i < rounds && !stop.should_stop() {
                            round(i);
                            i += 1;
                        }
                    })
                })
                .collect();
            let collectors: Vec<_> = (0..2)
                .map(|c| {
                    stop.spawn(s, &format!("collector-{c}"), move || {
                        let mut seen = Seen::default();
                        while recording.load(Ordering::Relaxed) && !stop.should_stop() {
                            let trace = logprof::collect();
                            check_trace(&trace);
                            seen.collects += 1;
                            seen.spans += trace.span_count() as u64;
                        }
                        seen
                    })
                })
                .collect();
            // Odd phases reset calmly, so lanes fill and wrap; even phases
            // reset back to back, so resets land inside reads.
            let calm = phase % 2 == 1;
            let resetter = stop.spawn(s, "resetter", move || {
                let mut resets = 0;
                while recording.load(Ordering::Relaxed) && !stop.should_stop() {
                    // Mostly clears: a clear resets a ring in place, the
                    // reset a read must notice; a resize switches rings.
                    match resets % 16 {
                        n @ 0..4 => logprof::init_buffer(64 << n),
                        _ => logprof::clear(),
                    }
                    resets += 1;
                    if calm {
                        std::thread::yield_now();
                    }
                }
                resets
            });
            // An explicit join waits for the thread's exit, so its ring is
            // marked as no longer written (scope's own join does not wait).
            for r in recorders {
                r.join().expect("recorder");
            }
            recording.store(false, Ordering::Relaxed);
            let mut seen = Seen {
                resets: resetter.join().expect("resetter"),
                ..Seen::default()
            };
            for c in collectors {
                let c = c.join().expect("collector");
                seen.collects += c.collects;
                seen.spans += c.spans;
            }
            assert!(!stop.should_stop(), "stopped before the phase ended");
            check_quiescent(&logprof::collect(), logprof::recorded());
            seen
        });
        total.collects += seen.collects;
        total.spans += seen.spans;
        total.resets += seen.resets;
    }
    logprof::clear();
    total
}

/// Rounds per recording thread per phase: `LOGPROF_STRESS_ROUNDS`, else
/// `default`.
fn rounds_or(default: u64) -> u64 {
    std::env::var("LOGPROF_STRESS_ROUNDS")
        .ok()
        .map(|v| v.parse().expect("LOGPROF_STRESS_ROUNDS: a number"))
        .unwrap_or(default)
}

/// The short stress run of the normal suite: 8 threads × 4 phases × 60,000
/// rounds, a few seconds in a debug build.
#[test]
fn recording_survives_concurrent_collect_clear_and_resize() {
    let seen = stress(rounds_or(60_000), Duration::from_secs(120));
    assert!(seen.collects > 0 && seen.resets > 0, "{seen:?}");
    eprintln!("{seen:?}");
}

/// The long stress run: 8 threads × 4 phases × 4,000,000 rounds. Ignored;
/// run in a release build:
/// `cargo test -p logprof --release --test recording stress -- --ignored`.
#[test]
#[ignore = "long; run with --release -- --ignored"]
fn recording_survives_concurrent_collect_clear_and_resize_long() {
    let seen = stress(rounds_or(4_000_000), Duration::from_secs(1800));
    assert!(seen.collects > 0 && seen.resets > 0, "{seen:?}");
    eprintln!("{seen:?}");
}
