//! Recording allocates nothing once a thread is registered: a counting
//! global allocator watches the recording thread.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;

#[inline(never)]
fn work(x: u64) -> u64 {
    std::hint::black_box(x)
}

fn record_many() {
    for i in 0..10_000 {
        logprof::record_fn!(work(i));
        let _s = logprof::scope!("scope");
    }
}

#[test]
fn recording_allocates_nothing_after_registration() {
    logprof::init_buffer(1 << 10);
    // First use registers the thread and the call sites: that may allocate.
    record_many();

    // After a clear, and after init_buffer preallocated a new ring for this
    // thread, recording (ring overflowing included) allocates nothing.
    for reset in [logprof::clear as fn(), || logprof::init_buffer(1 << 12)] {
        reset();
        let before = allocations();
        record_many();
        assert_eq!(allocations() - before, 0, "allocations while recording");
        assert_eq!(logprof::recorded().events, 40_000);
    }

    // The same for a disabled recorder.
    logprof::set_enabled(false);
    record_many();
    let before = allocations();
    record_many();
    assert_eq!(allocations() - before, 0);
    logprof::set_enabled(true);

    // The counter does count: collecting allocates.
    let before = allocations();
    let trace = logprof::collect();
    assert!(allocations() > before);
    assert!(!trace.is_empty());
}
