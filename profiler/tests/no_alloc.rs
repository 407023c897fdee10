//! Recording allocates nothing once a thread is registered: a counting
//! global allocator watches the recording thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialised
// thread-local without destructor, so touching it never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

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
