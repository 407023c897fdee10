//! Entering and exiting a `tracing` span under `TracingLayer` allocates
//! nothing once warmed up: a counting global allocator watches the thread.

use tracing_subscriber::layer::SubscriberExt;

use crate::counting_alloc::allocations;

fn work(x: u64) -> u64 {
    std::hint::black_box(x + 1)
}

/// Enters and exits `outer` and `inner` (nested, with a `record_fn!` call
/// inside) many times: 6 events a round.
fn enter_many(outer: &tracing::Span, inner: &tracing::Span) {
    for i in 0..10_000 {
        let _o = outer.enter();
        let _i = inner.enter();
        logprof::record_fn!(work(i));
    }
}

#[test]
fn entering_and_exiting_spans_allocates_nothing_after_warm_up() {
    let _l = crate::lock();
    let subscriber = tracing_subscriber::Registry::default().with(logprof::TracingLayer::new());
    tracing::subscriber::with_default(subscriber, || {
        logprof::init_buffer(1 << 10);
        let outer = tracing::info_span!("outer");
        let inner = tracing::info_span!("inner");
        // Warm-up: registers the thread, the call sites and the span stacks.
        enter_many(&outer, &inner);

        // After a clear and a new ring (overflowing, too): no allocation.
        for reset in [logprof::clear as fn(), || logprof::init_buffer(1 << 12)] {
            reset();
            let before = allocations();
            enter_many(&outer, &inner);
            assert_eq!(allocations() - before, 0, "allocations while recording");
            assert_eq!(logprof::recorded().events, 60_000);
        }

        // Filtered out: no allocation either, and nothing recorded.
        logprof::clear();
        logprof::deny("*");
        enter_many(&outer, &inner); // each call site re-decides once
        let before = allocations();
        enter_many(&outer, &inner);
        assert_eq!(allocations() - before, 0);
        assert_eq!(logprof::recorded().events, 0);
        logprof::reset_filters();

        // The counter does count: a new span allocates its extension.
        let before = allocations();
        let fresh = tracing::info_span!("fresh");
        fresh.in_scope(|| ());
        drop(fresh);
        assert!(allocations() > before);
    });
}
