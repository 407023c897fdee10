//! The cost of one recorded empty call (enter + exit), beside the floor of
//! reading the TSC twice and the cost of `Instant::now()` twice, on one thread
//! and on two threads at once; and of the rest of the recording API: a span
//! with a value, a span with a value and a result, a span under a run-time
//! `Name`, a region (a marked scope, which must cost what a scope costs),
//! an instant, a counter sample (beside one TSC read, their floor).
//!
//! `cargo bench -p logprof --bench record`

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

#[inline(never)]
fn empty() {
    black_box(());
}

fn recorded_call() {
    logprof::record_fn!(empty());
}

fn valued_scope() {
    let value = black_box(7usize);
    let _s = logprof::scope!("valued", value);
    empty();
}

fn valued_record_fn() {
    let value = black_box(7usize);
    logprof::record_fn!(empty(); value);
}

fn value_and_result_record_fn() {
    let value = black_box(7usize);
    logprof::record_fn!(empty(); value => |_| black_box(11u64));
}

static NAME: std::sync::OnceLock<logprof::Name> = std::sync::OnceLock::new();

fn runtime_name() {
    let name = *NAME.get().unwrap();
    let _s = logprof::scope!(name);
    empty();
}

fn region() {
    let _s = logprof::region!("region");
    empty();
}

fn instant() {
    logprof::instant!("instant");
    empty();
}

fn counter() {
    logprof::counter!("counter", black_box(1.5));
    empty();
}

fn tsc_once() {
    black_box(tsc());
    empty();
}

fn tsc_twice() {
    black_box(tsc());
    empty();
    black_box(tsc());
}

fn instant_twice() {
    black_box(Instant::now());
    empty();
    black_box(Instant::now());
}

#[inline(always)]
fn tsc() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: RDTSC has no preconditions on x86_64.
        #[allow(unused_unsafe)]
        unsafe {
            core::arch::x86_64::_rdtsc()
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        0
    }
}

/// Wall time for `iters` calls of `f` on each of `threads` threads at once.
fn run_on_threads(threads: usize, iters: u64, f: fn()) -> Duration {
    if threads == 1 {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        return start.elapsed();
    }
    let barrier = std::sync::Barrier::new(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    f(); // registers the thread outside the timed loop
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        f();
                    }
                    start.elapsed()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap()
    })
}

fn bench(c: &mut Criterion) {
    logprof::init_buffer(1 << 16);
    let mut group = c.benchmark_group("record_empty_call");
    for threads in [1, 2] {
        for (name, f) in [
            ("tsc_twice", tsc_twice as fn()),
            ("logprof_record_fn", recorded_call as fn()),
            ("instant_twice", instant_twice as fn()),
        ] {
            group.bench_function(format!("{name}/{threads}_threads"), |b| {
                b.iter_custom(|iters| run_on_threads(threads, iters, f))
            });
        }
    }
    group.finish();

    NAME.get_or_init(|| logprof::Name::new("runtime name"));
    let mut group = c.benchmark_group("record_api");
    for (name, f) in [
        ("tsc_twice", tsc_twice as fn()),
        ("logprof_record_fn", recorded_call as fn()),
        ("scope_with_value", valued_scope as fn()),
        ("record_fn_with_value", valued_record_fn as fn()),
        (
            "record_fn_with_value_and_result",
            value_and_result_record_fn as fn(),
        ),
        ("scope_runtime_name", runtime_name as fn()),
        // A region is a scope whose call site is marked: the same cost.
        ("region", region as fn()),
        ("tsc_once", tsc_once as fn()),
        ("instant", instant as fn()),
        ("counter", counter as fn()),
    ] {
        group.bench_function(format!("{name}/1_threads"), |b| {
            b.iter_custom(|iters| run_on_threads(1, iters, f))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("record_empty_call");
    logprof::set_enabled(false);
    group.bench_function("logprof_disabled/1_threads", |b| {
        b.iter_custom(|iters| run_on_threads(1, iters, recorded_call))
    });
    logprof::set_enabled(true);
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
