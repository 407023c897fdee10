//! The simulator's own speed: 1,000,000 units on 64 virtual cores under
//! every schedule (the target: under 1 s each).
//!
//! ```sh
//! cargo bench -p logprof-kernels --bench simulate
//! ```

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use logprof_kernels::simulate::{simulate, Overheads, Units};
use logprof_kernels::Schedule;

fn million_units(c: &mut Criterion) {
    let costs: Vec<u64> = (0..1_000_000u64).map(|i| 1 + (i * 7919) % 1000).collect();
    let units = Units::new(&costs);
    let overheads = Overheads {
        dispatch: 50,
        spawn: 100,
        fifo_spawn: 150,
        steal: 500,
        wake: 5000,
    };
    let mut group = c.benchmark_group("simulate_1M_units_64_cores");
    group.sample_size(10);
    for schedule in Schedule::all() {
        group.bench_function(BenchmarkId::from_parameter(schedule), |b| {
            b.iter(|| simulate(&schedule, &units, 64, overheads).expect("valid"))
        });
    }
    group.finish();
}

criterion_group!(benches, million_units);
criterion_main!(benches);
