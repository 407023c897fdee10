//! logprof's compact format (`.lpt`) against Chrome JSON: bytes an event
//! and the time to write and read, on a recorded tiny-call loop (1 M
//! calls, each enter + exit two events), on a synthetic trace of 1 M
//! nested spans on 8 lanes, and on any trace files named in
//! `LOGPROF_BENCH_TRACES` (`:`-separated; a recorded fractal, say).
//! Beside them, what compressing each chunk with `lz4_flex` or `zstd`
//! would save, and cost, to decide whether the format should.
//!
//! `cargo bench -p logprof --bench compact`
//! (sizes are printed first, then criterion's times)

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use logprof::{Lane, Span, Trace};

#[inline(never)]
fn tiny(x: u64) -> u64 {
    logprof::record_fn!(black_box(x.wrapping_mul(3)))
}

/// 1 M recorded calls of a tiny function on this thread.
fn recorded_loop() -> Trace {
    logprof::init_buffer(2_100_000);
    let mut x = 1;
    for _ in 0..1_000_000 {
        x = tiny(x);
    }
    black_box(x);
    let trace = logprof::collect();
    assert!(trace.losses.is_empty(), "{:?}", trace.losses);
    trace
}

/// The synthetic trace of the `chrome_json` bench: 8 lanes of 125 000
/// spans, a parent and a child every 2 µs, every 64th parent a task slice.
fn million_spans() -> Trace {
    let mut trace = Trace::new();
    let names: Vec<u32> = (0..10)
        .map(|i| trace.intern(&format!("kernels::column_{i}")))
        .collect();
    for tid in 1..=8u64 {
        let mut spans = Vec::new();
        let mut t = 1_000_000 * tid;
        for k in 0..62_500u64 {
            let parent = Span::new(names[(k % 10) as usize], t, t + 1_500, 0);
            spans.push(if k % 64 == 0 {
                parent.in_task(k)
            } else {
                parent
            });
            spans.push(Span::new(
                names[((k + 3) % 10) as usize],
                t + 100,
                t + 1_234,
                1,
            ));
            t += 2_017;
        }
        trace
            .lanes
            .push(Lane::with_spans(1, tid, format!("worker-{tid}"), spans));
    }
    trace
}

/// Events as a ring counts them: an enter and an exit per span, one more
/// for its value and one for its result, one per instant, two per counter
/// sample; and two per off-CPU interval (a switch out and in).
fn events(t: &Trace) -> u64 {
    let span = |s: &Span| 2 + usize::from(s.value.is_some()) + usize::from(s.result.is_some());
    let lanes: u64 = t
        .lanes
        .iter()
        .map(|l| l.spans.iter().map(span).sum::<usize>() + l.instants.len() + 2 * l.off_cpu.len())
        .sum::<usize>() as u64;
    lanes
        + 2 * t
            .counters
            .iter()
            .map(|c| c.samples.len() as u64)
            .sum::<u64>()
}

fn lpt(t: &Trace) -> Vec<u8> {
    let mut out = Vec::new();
    t.write_lpt_to(&mut out).unwrap();
    out
}

/// The payloads of every chunk of `bytes`.
fn payloads(bytes: &[u8]) -> Vec<&[u8]> {
    logprof::compact::read_index_of(bytes)
        .unwrap()
        .iter()
        .map(|e| {
            let at = e.offset as usize;
            let len = u32::from_le_bytes(bytes[at + 2..at + 6].try_into().unwrap()) as usize;
            &bytes[at + 10..at + 10 + len]
        })
        .collect()
}

fn traces() -> Vec<(String, Trace)> {
    let mut out = vec![
        ("tiny_loop_1M_calls".to_owned(), recorded_loop()),
        ("synthetic_1M_spans".to_owned(), million_spans()),
    ];
    if let Ok(paths) = std::env::var("LOGPROF_BENCH_TRACES") {
        for p in paths.split(':').filter(|p| !p.is_empty()) {
            let name = std::path::Path::new(p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((name, Trace::read_file(p).unwrap()));
        }
    }
    out
}

fn sizes(traces: &[(String, Trace)]) {
    eprintln!(
        "{:<28} {:>10} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "trace", "events", "json B/ev", "lpt B/ev", "lz4", "zstd-1", "zstd-3", "zstd-9"
    );
    for (name, t) in traces {
        let n = events(t) as f64;
        let json = t.to_chrome_json().len() as f64;
        let bytes = lpt(t);
        let chunks = payloads(&bytes);
        let overhead = (bytes.len() - chunks.iter().map(|c| c.len()).sum::<usize>()) as f64;
        let lz4: usize = chunks.iter().map(|c| lz4_flex::compress(c).len()).sum();
        let zstd = |level| -> usize {
            chunks
                .iter()
                .map(|c| zstd::bulk::compress(c, level).unwrap().len())
                .sum()
        };
        let per = |b: f64| format!("{:.2}", b / n);
        eprintln!(
            "{name:<28} {:>10} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9}",
            events(t),
            per(json),
            per(bytes.len() as f64),
            per(lz4 as f64 + overhead),
            per(zstd(1) as f64 + overhead),
            per(zstd(3) as f64 + overhead),
            per(zstd(9) as f64 + overhead),
        );
    }
}

fn compact(c: &mut Criterion) {
    let traces = traces();
    sizes(&traces);
    for (name, t) in &traces {
        let bytes = lpt(t);
        assert_eq!(&Trace::read_lpt_from(&bytes[..]).unwrap(), t);
        let chunks = payloads(&bytes);
        let mut group = c.benchmark_group(format!("compact/{name}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements(events(t)));
        group.bench_function("write_lpt", |b| {
            let mut out = Vec::with_capacity(bytes.len());
            b.iter(|| {
                out.clear();
                t.write_lpt_to(&mut out).unwrap();
                out.len()
            })
        });
        group.bench_function("read_lpt", |b| {
            b.iter(|| Trace::read_lpt_from(&bytes[..]).unwrap().span_count())
        });
        group.bench_function("lz4_compress_chunks", |b| {
            b.iter(|| {
                chunks
                    .iter()
                    .map(|c| lz4_flex::compress(c).len())
                    .sum::<usize>()
            })
        });
        let lz4: Vec<(Vec<u8>, usize)> = chunks
            .iter()
            .map(|c| (lz4_flex::compress(c), c.len()))
            .collect();
        group.bench_function("lz4_decompress_chunks", |b| {
            b.iter(|| {
                lz4.iter()
                    .map(|(c, n)| lz4_flex::decompress(c, *n).unwrap().len())
                    .sum::<usize>()
            })
        });
        group.bench_function("zstd1_compress_chunks", |b| {
            b.iter(|| {
                chunks
                    .iter()
                    .map(|c| zstd::bulk::compress(c, 1).unwrap().len())
                    .sum::<usize>()
            })
        });
        group.bench_function("write_chrome_json", |b| {
            let mut out = Vec::new();
            b.iter(|| {
                out.clear();
                t.write_chrome_json_to(&mut out).unwrap();
                out.len()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, compact);
criterion_main!(benches);
