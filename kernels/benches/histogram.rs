//! The byte histogram of a generated folder (32 files, 4 KiB to 256 KiB):
//! hash-map against array counter, serial against threads.
//!
//! ```sh
//! cargo bench -p logprof-kernels --bench histogram
//! ```

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use logprof_kernels::histogram::{
    generate_folder, histogram_serial, histogram_threads, Counter, FolderSpec, HistogramOptions,
};
use logprof_kernels::Pool;

fn histogram(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let files = generate_folder(dir.path(), &FolderSpec::default()).expect("folder written");
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let mut group = c.benchmark_group("histogram");
    group.throughput(Throughput::Bytes(bytes));
    for counter in Counter::ALL {
        group.bench_function(BenchmarkId::new(counter.name(), "serial"), |b| {
            b.iter(|| {
                histogram_serial(&files, HistogramOptions::plain(counter)).expect("readable files")
            })
        });
        for threads in [2, 4] {
            let pool = Pool::new(threads).expect("threads > 0");
            let id = BenchmarkId::new(counter.name(), format!("threads-{threads}"));
            group.bench_function(id, |b| {
                b.iter(|| {
                    histogram_threads(&pool, &files, HistogramOptions::plain(counter))
                        .expect("readable files")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, histogram);
criterion_main!(benches);
