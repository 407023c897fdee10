//! The cost of a context switch with and without the off-CPU records: two
//! threads hand a token back and forth through rendezvous channels, so each
//! round trip blocks and wakes each thread once (two switches out and two
//! back in). With off-CPU recording on, both threads first register with
//! logprof, which opens their context-switch events; without, they never
//! touch logprof. The difference per round trip, halved, is the cost per
//! switch (out and back in) the kernel's records add.
//!
//! `cargo bench -p logprof --bench offcpu`

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "support/ping_pong.rs"]
mod ping_pong;
use ping_pong::ping_pong;

fn bench(c: &mut Criterion) {
    logprof::init_buffer(1 << 10);
    let mut group = c.benchmark_group("context_switch_round_trip");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("plain", |b| b.iter_custom(|n| ping_pong(n, false)));
    group.bench_function("off_cpu_recorded", |b| {
        b.iter_custom(|n| {
            // A fresh recording each time, so the rings never fill.
            logprof::clear();
            ping_pong(n, true)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
