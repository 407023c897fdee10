//! The `Instant` fallback clock, chosen with `LOGPROF_CLOCK=instant`.
//!
//! The clock is chosen once per process, when it first starts, so the
//! variable must be set before anything records. Rather than set it in a
//! process whose test harness already runs threads, the test runs this test
//! binary again as a child with the variable set, and the child checks the
//! clock it got.

use std::process::Command;

use logprof::{record_fn, scope};

use crate::support::spin::spin_for_a_millisecond;

/// Set in the child, so it runs the checks instead of spawning again.
const CHILD: &str = "LOGPROF_INSTANT_CLOCK_CHILD";

/// In the child: the clock is `Instant`, and the spans recorded on it nest,
/// follow each other in call order, and last at least the millisecond
/// their call spun for (with this clock a tick is a nanosecond of
/// `Instant`, so that bound is exact, not a timing guess).
fn check_instant_clock() {
    assert_eq!(logprof::clock_name(), "instant");
    logprof::init_buffer(256);
    for _ in 0..3 {
        let _s = scope!("instant_outer");
        record_fn!(spin_for_a_millisecond());
    }
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    let lane = trace
        .lanes
        .iter()
        .find(|l| !l.spans.is_empty())
        .expect("a lane with the spans");
    let shape: Vec<(&str, u32)> = lane
        .spans
        .iter()
        .map(|s| (trace.name(s.name), s.depth))
        .collect();
    assert_eq!(
        shape,
        [("instant_outer", 0), ("spin_for_a_millisecond", 1)].repeat(3)
    );
    for pair in lane.spans.chunks(2) {
        let (outer, inner) = (&pair[0], &pair[1]);
        assert!(outer.start_ns <= inner.start_ns && inner.end_ns <= outer.end_ns);
        assert!(inner.duration_ns() >= 1_000_000, "{inner:?}");
    }
    for rounds in lane.spans.chunks(2).collect::<Vec<_>>().windows(2) {
        assert!(rounds[0][0].end_ns <= rounds[1][0].start_ns, "{rounds:?}");
    }
}

#[test]
fn instant_fallback_clock_records_increasing_times() {
    if std::env::var_os(CHILD).is_some() {
        check_instant_clock();
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let output = Command::new(exe)
        .args([
            "--exact",
            "instant_clock::instant_fallback_clock_records_increasing_times",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("LOGPROF_CLOCK", "instant")
        .output()
        .expect("run the test binary again");
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{out}\n{err}");
    // The child ran the checks, not zero tests (a filter that matched none).
    assert!(out.contains("1 passed"), "child ran no test:\n{out}\n{err}");
}
