//! The Julia set at n = 1000 (c = -0.79 + 0.15i): kernels, schedules, and
//! the cost of recording.
//!
//! ```sh
//! cargo bench -p logprof-kernels --bench juliaset
//! cargo bench -p logprof-kernels --bench juliaset -- kernel/          # scalar vs SIMD
//! LOGPROF_BENCH_THREADS=4,8,16 cargo bench -p logprof-kernels --bench juliaset -- schedule/
//! ```
//!
//! Groups: `kernel/<isa>` (one thread, serial: the SIMD target is ≥ 5× the
//! scalar), `schedule/<kernel>/<threads>/<schedule>` (every schedule at 2 and
//! 4 threads, or the thread counts in `LOGPROF_BENCH_THREADS`), and
//! `recording/<schedule>/<plain|recorded>` (the recorded run should stay
//! within 2% of the plain one; each timed run alternates with an untimed run
//! of the other variant; `examples/recording_overhead.rs` gives the median
//! ratio of interleaved pairs).

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use logprof_kernels::{run_into, Image, Isa, JuliaSet, Kernel, Pool, RunOptions, Schedule};

fn thread_counts() -> Vec<usize> {
    std::env::var("LOGPROF_BENCH_THREADS")
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|t| t.trim().parse().ok())
                .filter(|&t| t > 0)
                .collect::<Vec<usize>>()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| vec![2, 4])
}

fn kernels(c: &mut Criterion) {
    let fractal = JuliaSet::default();
    let mut group = c.benchmark_group("kernel");
    for isa in Isa::available() {
        group.bench_function(isa.name(), |b| {
            b.iter(|| fractal.compute_isa(isa).expect("valid fractal"))
        });
    }
    group.finish();
}

fn schedules(c: &mut Criterion) {
    let fractal = JuliaSet::default();
    let mut image = Image::new(fractal.n).expect("valid size");
    let mut group = c.benchmark_group("schedule");
    for threads in thread_counts() {
        let pool = Pool::new(threads).expect("threads > 0");
        for kernel in Kernel::ALL {
            for schedule in Schedule::all() {
                // Scalar only for a few, to keep the run short.
                if kernel == Kernel::Scalar
                    && !matches!(
                        schedule,
                        Schedule::Serial | Schedule::Static | Schedule::ForkJoin { .. }
                    )
                {
                    continue;
                }
                let id = BenchmarkId::new(format!("{kernel}/{threads}"), schedule);
                group.bench_function(id, |b| {
                    b.iter(|| {
                        run_into(
                            &pool,
                            &schedule,
                            &fractal,
                            RunOptions::plain(kernel),
                            &mut image,
                        )
                        .expect("valid run")
                    })
                });
            }
        }
    }
    group.finish();
}

fn recording(c: &mut Criterion) {
    let fractal = JuliaSet::default();
    let mut image = Image::new(fractal.n).expect("valid size");
    let pool = Pool::new(2).expect("threads > 0");
    // Room for a run's events; the rings wrap in later iterations, which
    // costs the same as filling them.
    logprof::init_buffer(1 << 14);
    let mut group = c.benchmark_group("recording");
    for schedule in [
        Schedule::Serial,
        Schedule::Dynamic,
        Schedule::Chunked { chunk: 1 },
        Schedule::ForkJoin { ntasks: 16 },
        Schedule::Rayon { basesize: 2 },
    ] {
        for record in [false, true] {
            let id = BenchmarkId::new(
                schedule.to_string(),
                if record { "recorded" } else { "plain" },
            );
            // Each timed run follows an untimed run of the other variant, so
            // plain and recorded are measured under the same conditions.
            let timed_run = RunOptions {
                kernel: Kernel::Simd,
                record,
            };
            let other_run = RunOptions {
                record: !record,
                ..timed_run
            };
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        run_into(&pool, &schedule, &fractal, other_run, &mut image)
                            .expect("valid run");
                        let start = Instant::now();
                        run_into(&pool, &schedule, &fractal, timed_run, &mut image)
                            .expect("valid run");
                        timed += start.elapsed();
                    }
                    timed
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, kernels, schedules, recording);
criterion_main!(benches);
