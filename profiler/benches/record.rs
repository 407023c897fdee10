//! The cost of one recorded empty call (enter + exit), beside the floor of
//! reading the TSC twice and the cost of `Instant::now()` twice, on one thread
//! and on two threads at once.
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
    logprof::set_enabled(false);
    group.bench_function("logprof_disabled/1_threads", |b| {
        b.iter_custom(|iters| run_on_threads(1, iters, recorded_call))
    });
    logprof::set_enabled(true);
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
