//! A global allocator that itself records: the recorder's cold path
//! allocates (registering a thread, a new ring) and so re-enters itself. It
//! must neither crash nor alias its thread-local state; events that arrive
//! while the recorder is registering the thread are dropped.

use std::alloc::{GlobalAlloc, Layout, System};

struct RecordingAllocator;

// SAFETY: forwards every call to the system allocator unchanged; recording
// touches only logprof's own state.
unsafe impl GlobalAlloc for RecordingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _span = logprof::scope!("alloc");
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: RecordingAllocator = RecordingAllocator;

#[inline(never)]
fn build(n: usize) -> Vec<String> {
    (0..n).map(|i| i.to_string()).collect()
}

#[test]
fn an_allocator_that_records_is_recorded_without_harm() {
    logprof::init_buffer(1 << 12);
    let lens: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| logprof::record_fn!(build(50)).len()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(lens, vec![50, 50, 50]);
    let trace = logprof::collect();
    let alloc = trace.name_id("alloc").expect("allocations were recorded");
    let build_id = trace.name_id("build").expect("build was recorded");
    for lane in trace
        .lanes
        .iter()
        .filter(|l| l.spans.iter().any(|s| s.name == build_id))
    {
        // Each thread's `build` holds at least its 50 string allocations,
        // nested one level down.
        let nested = lane
            .spans
            .iter()
            .filter(|s| s.name == alloc && s.depth == 1)
            .count();
        assert!(
            nested >= 50,
            "{nested} allocations inside build on {}",
            lane.thread_name
        );
    }
    assert_eq!(trace.losses.unmatched_exits, 0);
}
