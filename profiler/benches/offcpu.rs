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

use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

/// `iters` round trips between this thread and a partner; registers both
/// with logprof (so both record their switches) when `recorded`.
fn ping_pong(iters: u64, recorded: bool) -> Duration {
    let (to_partner, from_main) = sync_channel::<u64>(0);
    let (to_main, from_partner) = sync_channel::<u64>(0);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if recorded {
                logprof::register_thread();
            }
            while let Ok(v) = from_main.recv() {
                if to_main.send(v).is_err() {
                    break;
                }
            }
        });
        if recorded {
            logprof::register_thread();
        }
        // One round trip first, so the partner is up and waiting.
        to_partner.send(0).unwrap();
        from_partner.recv().unwrap();
        let start = Instant::now();
        for i in 0..iters {
            to_partner.send(i).unwrap();
            from_partner.recv().unwrap();
        }
        let elapsed = start.elapsed();
        drop(to_partner);
        elapsed
    })
}

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
