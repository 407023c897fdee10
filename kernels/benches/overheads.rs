//! The scheduling overheads `simulate` charges, each timed under criterion
//! with the same probes [`logprof_kernels::overheads::measure`] uses (the
//! runners' own code, with empty pieces):
//!
//! - `dispatch_per_piece`, `forkjoin_per_leaf`, `fifo_per_task`: a run of
//!   `iters` empty pieces on one worker; criterion's slope over `iters` is
//!   the cost of one more piece, the run's fixed cost left out;
//! - `steal`: from a job's push to its start on the worker that stole it;
//! - `wake`: from handing a run to a parked worker to its start there.
//!
//! ```sh
//! cargo bench -p logprof-kernels --bench overheads -- --warm-up-time 1 --measurement-time 2
//! ```

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use logprof_kernels::overheads;
use logprof_kernels::Pool;

/// A probe timing a run of `count` empty pieces.
type Probe = fn(&Pool, usize) -> Duration;

fn per_piece(c: &mut Criterion) {
    let pool = Pool::new(1).expect("one worker");
    let mut group = c.benchmark_group("overheads");
    let probes: [(&str, Probe); 3] = [
        ("dispatch_per_piece", overheads::dispatch),
        ("forkjoin_per_leaf", overheads::forkjoin),
        ("fifo_per_task", overheads::fifo_tasks),
    ];
    for (name, probe) in probes {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| probe(&pool, iters as usize))
        });
    }
    group.finish();
}

fn steal(c: &mut Criterion) {
    let pool = Pool::new(2).expect("two workers");
    c.bench_function("overheads/steal", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| overheads::steal(&pool).expect("two workers"))
                .sum()
        })
    });
}

fn wake(c: &mut Criterion) {
    let pool = Pool::new(1).expect("one worker");
    let mut group = c.benchmark_group("overheads");
    // Each wake rests `overheads::PARK_REST` first, untimed: criterion plans the runs
    // by the timed part, so this group asks for little of it (its settings
    // win over the command line's).
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(20))
        .measurement_time(Duration::from_millis(40));
    group.bench_function("wake", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| overheads::wake(&pool)).sum())
    });
    group.finish();
}

criterion_group!(benches, per_piece, steal, wake);
criterion_main!(benches);
