//! Writing and reading trace files for a trace of one million spans: 8
//! lanes, two levels of nesting, some task slices that hop between threads;
//! Chrome Trace Event JSON and Perfetto's protobuf. Then `logprof convert`'s
//! work on the largest real trace (`../shared/realtraces/`, when there):
//! Chrome JSON to `.pftrace` and back.
//!
//! `cargo bench -p logprof --bench chrome_json` (`-- perfetto` or
//! `-- convert` for those groups alone)

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use logprof::{Lane, Span, Trace};

const LANES: u64 = 8;
const SPANS_PER_LANE: u64 = 125_000;

fn million_spans() -> Trace {
    let mut trace = Trace::new();
    let names: Vec<u32> = (0..10)
        .map(|i| trace.intern(&format!("kernels::column_{i}")))
        .collect();
    for tid in 1..=LANES {
        let mut spans = Vec::with_capacity(SPANS_PER_LANE as usize);
        let mut t = 1_000_000 * tid;
        for k in 0..SPANS_PER_LANE / 2 {
            // A parent and one child, every 64th pair a task slice.
            let parent = Span::new(names[(k % 10) as usize], t, t + 1_500, 0);
            spans.push(if k % 64 == 0 {
                parent.in_task(k / 64 * LANES + (k / 64 + tid) % LANES)
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
    // Lanes pushed in tid order and `with_spans` ordered each: normalized.
    trace.process_name = Some("bench".to_owned());
    trace
}

fn chrome_json(c: &mut Criterion) {
    let trace = million_spans();
    let json = trace.to_chrome_json();
    assert_eq!(Trace::from_chrome_json_str(&json).unwrap(), trace);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.json");

    let mut group = c.benchmark_group("chrome_json_1M_spans");
    group.sample_size(10);
    group.throughput(Throughput::Elements(trace.span_count() as u64));
    group.bench_function("write_to_vec", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(json.len());
            trace.write_chrome_json_to(&mut out).unwrap();
            out.len()
        })
    });
    group.bench_function("read_from_str", |b| {
        b.iter(|| Trace::from_chrome_json_str(&json).unwrap().span_count())
    });
    group.bench_function("write_file", |b| {
        b.iter(|| trace.write_chrome_json(&path).unwrap())
    });
    group.bench_function("read_file", |b| {
        b.iter(|| Trace::read_chrome_json(&path).unwrap().span_count())
    });
    group.finish();
}

fn perfetto(c: &mut Criterion) {
    let trace = million_spans();
    let bytes = trace.to_perfetto_bytes();
    assert_eq!(Trace::from_perfetto_bytes(&bytes).unwrap(), trace);
    eprintln!(
        "1M spans: Chrome JSON {} bytes, .pftrace {} bytes",
        trace.to_chrome_json().len(),
        bytes.len()
    );
    let mut group = c.benchmark_group("perfetto_1M_spans");
    group.sample_size(10);
    group.throughput(Throughput::Elements(trace.span_count() as u64));
    group.bench_function("write_to_vec", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(bytes.len());
            trace.write_perfetto_to(&mut out).unwrap();
            out.len()
        })
    });
    group.bench_function("read_from_bytes", |b| {
        b.iter(|| Trace::from_perfetto_bytes(&bytes).unwrap().span_count())
    });
    group.finish();
}

/// The largest real trace, PyTorch/Kineto's ResNet-50 (31 MB of JSON),
/// when the shared folder is beside the repository.
fn convert(c: &mut Criterion) {
    let Some(path) = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/realtraces/16-pytorch-kineto-resnet50.json"))
        .find(|p| p.is_file())
    else {
        eprintln!("no shared/realtraces: the convert group is skipped");
        return;
    };
    let json = std::fs::read_to_string(&path).unwrap();
    let trace = Trace::from_chrome_json_str(&json).unwrap();
    let pftrace = trace.to_perfetto_bytes();
    eprintln!(
        "{}: {} bytes of JSON, {} bytes as .pftrace, {} as logprof's JSON",
        path.display(),
        json.len(),
        pftrace.len(),
        trace.to_chrome_json().len()
    );
    let mut group = c.benchmark_group("convert_kineto_resnet50");
    group.sample_size(10);
    group.bench_function("json_to_pftrace", |b| {
        b.iter(|| {
            Trace::from_chrome_json_str(&json)
                .unwrap()
                .to_perfetto_bytes()
                .len()
        })
    });
    group.bench_function("pftrace_to_json", |b| {
        b.iter(|| {
            Trace::from_perfetto_bytes(&pftrace)
                .unwrap()
                .to_chrome_json()
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, chrome_json, perfetto, convert);
criterion_main!(benches);
