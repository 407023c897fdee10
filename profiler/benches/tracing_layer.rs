//! The cost of entering and exiting an existing `tracing` span, in one run:
//! under a bare registry (no layer: the floor), under logprof's
//! `TracingLayer`, and under `tracing-chrome`'s `ChromeLayer` writing to a
//! temporary file. Then the bare registry and ours again with 1 and 2
//! threads at once, each entering its own span (the spans created side by
//! side, then handed to the threads): our
//! added cost over the bare registry should not grow with a second thread.
//!
//! ```sh
//! cargo bench -p logprof --bench tracing_layer
//! ```

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Registry;

/// Times entering and exiting one span that already exists, under
/// `dispatch`; false if the benchmark was filtered out.
fn enter_exit(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, dispatch: &Dispatch) -> bool {
    let mut ran = false;
    tracing::dispatcher::with_default(dispatch, || {
        let span = tracing::info_span!("bench_span");
        group.bench_function(name, |b| {
            ran = true;
            b.iter(|| {
                let _entered = span.enter();
            })
        });
    });
    ran
}

/// `threads` persistent threads, each with its own span under `dispatch`,
/// entering and exiting it on demand: no thread
/// is created, registered or given a ring inside a measurement.
struct Workers {
    orders: Vec<std::sync::mpsc::Sender<u64>>,
    times: std::sync::mpsc::Receiver<Duration>,
}

impl Workers {
    fn new(dispatch: &Dispatch, threads: usize) -> Workers {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(threads));
        let (time_tx, times) = std::sync::mpsc::channel();
        let orders = (0..threads)
            .map(|_| {
                let (tx, rx) = std::sync::mpsc::channel::<u64>();
                let (dispatch, barrier, time_tx) =
                    (dispatch.clone(), barrier.clone(), time_tx.clone());
                // Created here, one after the other: the spans sit side by
                // side in the registry, as spans made by one task and handed
                // to workers do.
                let span = tracing::dispatcher::with_default(&dispatch, || {
                    tracing::info_span!("bench_span")
                });
                std::thread::spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        drop(span.enter()); // registers the thread
                        for iters in rx {
                            barrier.wait();
                            let start = std::time::Instant::now();
                            for _ in 0..iters {
                                let _entered = span.enter();
                            }
                            time_tx.send(start.elapsed()).unwrap();
                        }
                    })
                });
                tx
            })
            .collect();
        Workers { orders, times }
    }

    /// Wall time of `iters` enters and exits on every thread at once (the
    /// slowest thread's).
    fn run(&self, iters: u64) -> Duration {
        for order in &self.orders {
            order.send(iters).unwrap();
        }
        (0..self.orders.len())
            .map(|_| self.times.recv().unwrap())
            .max()
            .unwrap()
    }
}

fn two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("span_enter_exit_threads");
    let bare = Dispatch::new(Registry::default());
    let ours = Dispatch::new(Registry::default().with(logprof::TracingLayer::new()));
    logprof::init_buffer(1 << 16);
    for threads in [1, 2] {
        for (name, dispatch) in [
            ("registry_no_layer", &bare),
            ("logprof_tracing_layer", &ours),
        ] {
            let workers = Workers::new(dispatch, threads);
            group.bench_function(format!("{name}/{threads}_threads"), |b| {
                b.iter_custom(|iters| workers.run(iters))
            });
        }
    }
    group.finish();
    logprof::clear();
}

fn tracing_layers(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory for tracing-chrome's file");
    let mut group = c.benchmark_group("span_enter_exit");

    let bare = Dispatch::new(Registry::default());
    enter_exit(&mut group, "registry_no_layer", &bare);

    logprof::init_buffer(1 << 16);
    let ours = Dispatch::new(Registry::default().with(logprof::TracingLayer::new()));
    let ran = enter_exit(&mut group, "logprof_tracing_layer", &ours);
    let recorded = logprof::recorded();
    logprof::clear();

    let (chrome_layer, flush) = tracing_chrome::ChromeLayerBuilder::new()
        .file(dir.path().join("trace.json"))
        .build();
    let chrome = Dispatch::new(Registry::default().with(chrome_layer));
    enter_exit(&mut group, "tracing_chrome_layer", &chrome);
    group.finish();
    drop(chrome);
    drop(flush); // waits for the writer thread to finish the file

    // Sanity: our layer did record (the ring wrapped many times over).
    assert!(!ran || recorded.events > 0, "TracingLayer recorded nothing");
}

criterion_group! {
    name = benches;
    // Short by default: tracing-chrome writes every enter and exit to its file
    // (tens of bytes each); the command line's options override these.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = tracing_layers, two_threads
}
criterion_main!(benches);
