//! Recording allocates nothing once a thread is registered: a counting
//! global allocator watches the recording thread.

use std::future::Future;

use logprof::Instrument;

use crate::counting_alloc::allocations;

#[inline(never)]
fn work(x: u64) -> u64 {
    std::hint::black_box(x)
}

/// 6 events per round: a call, a scope and a region.
fn record_many() {
    for i in 0..10_000 {
        logprof::record_fn!(work(i));
        let _s = logprof::scope!("scope");
        let _r = logprof::region!("region");
    }
}

/// 14 events per round: a span with a value (3), one under a run-time name
/// with a value (3), an instant (1), a counter sample (2), a recorded call
/// with a value (3), a recorded future polled once (2), a recorded call with
/// a value and a result (4), a scope ended with a result (3), a region
/// under a run-time name (2), a future recorded as a region (2).
fn record_the_rest(name: logprof::Name) {
    for i in 0..10_000u64 {
        {
            let _s = logprof::scope!("valued", i);
            let _t = logprof::scope!(name, i);
            let _r = logprof::region!(name);
        }
        let mut region = std::pin::pin!(std::future::ready(i).recorded_region(name));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(region.as_mut().poll(&mut cx).is_ready());
        logprof::instant!("instant");
        logprof::counter!("counter", i as f64);
        logprof::record_fn!(work(i); i);
        let mut future = std::pin::pin!(std::future::ready(i).recorded(name));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(future.as_mut().poll(&mut cx).is_ready());
        logprof::record_fn!(work(i); i => |out: &u64| *out);
        logprof::scope!("resulted").end_with(i);
    }
}

#[test]
fn recording_allocates_nothing_after_registration() {
    let _l = crate::lock();
    logprof::init_buffer(1 << 10);
    // First use registers the thread and the call sites, and a run-time name
    // is interned: that may allocate.
    record_many();
    let name = logprof::Name::new(&format!("runtime {}", 1));
    record_the_rest(name);

    // After a clear, and after init_buffer preallocated a new ring for this
    // thread, recording (ring overflowing included) allocates nothing.
    for reset in [logprof::clear as fn(), || logprof::init_buffer(1 << 12)] {
        reset();
        let before = allocations();
        record_many();
        assert_eq!(allocations() - before, 0, "allocations while recording");
        assert_eq!(logprof::recorded().events, 60_000);
        reset();
        let before = allocations();
        record_the_rest(name);
        assert_eq!(allocations() - before, 0, "allocations while recording");
        assert_eq!(logprof::recorded().events, 250_000);
    }

    // The same for a disabled recorder.
    logprof::set_enabled(false);
    record_many();
    record_the_rest(name);
    let before = allocations();
    record_many();
    record_the_rest(name);
    assert_eq!(allocations() - before, 0);
    logprof::set_enabled(true);

    // The counter does count: collecting allocates.
    let before = allocations();
    let trace = logprof::collect();
    assert!(allocations() > before);
    assert!(!trace.is_empty());
}
