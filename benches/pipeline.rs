//! Everything after recording, on a real run: `collect()`, `summary()`, the
//! Chrome JSON file and the SVG/PNG timeline of one recorded Julia-set run
//! (n = 1000, 4 workers, every column a span). These are the steps allowed
//! to be slow; this says how slow.
//!
//! `cargo bench --bench pipeline`

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use logprof_kernels::{run_into, Image, JuliaSet, Kernel, Pool, RunOptions, Schedule};
use logprof_viz::Timeline;

fn pipeline(c: &mut Criterion) {
    let fractal = JuliaSet::default();
    let pool = Pool::new(4).expect("threads > 0");
    let mut image = Image::new(fractal.n).expect("valid size");
    logprof::init_buffer(1 << 12);
    let schedule = Schedule::ForkJoin { ntasks: 16 };
    run_into(
        &pool,
        &schedule,
        &fractal,
        RunOptions::recorded(Kernel::Simd),
        &mut image,
    )
    .expect("valid run");
    let dir = tempfile::tempdir().expect("temporary directory");

    let mut group = c.benchmark_group("after_recording");
    group.bench_function("collect", |b| b.iter(logprof::collect));
    let trace = logprof::collect();
    assert_eq!(trace.span_count(), fractal.n, "one span a column");
    group.bench_function("summary", |b| b.iter(|| trace.summary()));
    let json = dir.path().join("run.trace.json");
    group.bench_function("write_chrome_json", |b| {
        b.iter(|| trace.write_chrome_json(&json).expect("writable"))
    });
    group.bench_function("read_chrome_json", |b| {
        b.iter(|| logprof::Trace::read_chrome_json(&json).expect("readable"))
    });
    let svg = dir.path().join("run.svg");
    let png = dir.path().join("run.png");
    group.bench_function("timeline_svg", |b| {
        b.iter(|| Timeline::new(&trace).write_svg(&svg).expect("writable"))
    });
    group.bench_function("timeline_png", |b| {
        b.iter(|| Timeline::new(&trace).write_png(&png).expect("writable"))
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
