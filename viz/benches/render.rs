//! Rendering a trace of 1,000,000 calls on 4 threads: to SVG, and to PNG
//! (SVG + rasterisation). Targets: SVG < 1 s, PNG < 2 s.
//!
//! And 1,000,000 calls on 3000 threads (1000 processes of 3), more lanes
//! than fit a picture: drawn as heat rows. Targets: SVG < 1 s, PNG < 3 s.
//!
//! `cargo bench -p logprof-viz --bench render`

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use logprof_trace::{Lane, NameTable, Span, Trace};
use logprof_viz::{svg_to_png, Timeline};

/// 1,000,000 calls of uneven length (0.5 to 3.5 µs) on 4 threads, two names,
/// each tenth call holding a nested call: the shape of a fine-grained
/// dynamic schedule.
fn million_calls() -> Trace {
    let mut names = NameTable::new();
    let column = names.intern("juliaset_column");
    let pixel = names.intern("pixel_row");
    let mut lanes = Vec::new();
    let mut calls = 0;
    for t in 0..4u64 {
        let mut lane = Lane::new(1, t + 1, format!("worker-{}", t + 1));
        let mut now = 10_000 + t * 100;
        let mut i = 0u64;
        while calls < 1_000_000 * (t + 1) / 4 {
            let len = 500 + (i * 7919 + t * 31) % 3_000;
            lane.spans.push(Span::new(column, now, now + len, 0));
            calls += 1;
            if i.is_multiple_of(10) && calls < 1_000_000 * (t + 1) / 4 {
                lane.spans
                    .push(Span::new(pixel, now + 100, now + len - 100, 1));
                calls += 1;
            }
            now += len + 200;
            i += 1;
        }
        lanes.push(lane);
    }
    Trace {
        process_name: Some("dynamic".into()),
        names: names.into_names(),
        lanes,
        ..Trace::default()
    }
}

/// 1,000,000 calls over 3000 threads, 1000 processes of 3 (ranks with a
/// main thread and two workers), each thread busy for its own share of the
/// time in calls of 1 to 8 µs.
fn many_lanes() -> Trace {
    let mut names = NameTable::new();
    let step = names.intern("step");
    let exchange = names.intern("exchange");
    let mut lanes = Vec::with_capacity(3000);
    for i in 0..3000u64 {
        let (rank, thread) = (i / 3, i % 3);
        let mut lane = Lane::new(
            rank as u32 + 1,
            thread + 1,
            format!("rank {rank} t{thread}"),
        );
        // 333 or 334 calls; a gap after each that sets the lane's share.
        let calls = (1_000_000 + 2999 - i) / 3000;
        let gap = 500 + (i * 7919) % 6_000;
        let mut now = 1_000 + (i % 50) * 10;
        lane.spans.reserve(calls as usize);
        for c in 0..calls {
            let len = 1_000 + (c * 104_729 + i) % 7_000;
            let name = if c % 5 == 0 { exchange } else { step };
            lane.spans.push(Span::new(name, now, now + len, 0));
            now += len + gap;
        }
        lanes.push(lane);
    }
    Trace {
        process_name: Some("ranks".into()),
        names: names.into_names(),
        lanes,
        ..Trace::default()
    }
}

fn bench_many_lanes(c: &mut Criterion) {
    let trace = many_lanes();
    assert_eq!(trace.span_count(), 1_000_000);
    let mut group = c.benchmark_group("timeline_1M_calls_3000_threads");
    group.sample_size(10);
    group.bench_function("svg", |b| {
        b.iter(|| Timeline::new(&trace).to_svg_string().unwrap())
    });
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    assert!(svg.contains("heat-rows"), "drawn as heat rows");
    group.bench_function("rasterise_only", |b| b.iter(|| svg_to_png(&svg).unwrap()));
    group.finish();
    let png = svg_to_png(&svg).unwrap();
    let (_, height) = Timeline::new(&trace).pixel_size().unwrap();
    println!(
        "3000 threads: SVG {} kB, PNG {} kB, {height} px high",
        svg.len() / 1000,
        png.len() / 1000
    );
}

fn bench(c: &mut Criterion) {
    let trace = million_calls();
    assert_eq!(trace.span_count(), 1_000_000);
    let mut group = c.benchmark_group("timeline_1M_calls_4_threads");
    group.sample_size(10);
    group.bench_function("svg", |b| {
        b.iter(|| Timeline::new(&trace).to_svg_string().unwrap())
    });
    group.bench_function("png", |b| {
        b.iter(|| svg_to_png(&Timeline::new(&trace).to_svg_string().unwrap()).unwrap())
    });
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    group.bench_function("rasterise_only", |b| b.iter(|| svg_to_png(&svg).unwrap()));
    group.finish();
}

criterion_group!(benches, bench, bench_many_lanes);
criterion_main!(benches);
