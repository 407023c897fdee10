//! The cost of entering and exiting an existing `tracing` span, in one run:
//! under a bare registry (no layer: the floor), under logprof's
//! `TracingLayer`, and under `tracing-chrome`'s `ChromeLayer` writing to a
//! temporary file.
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

/// Times entering and exiting one span that already exists, under `dispatch`.
fn enter_exit(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, dispatch: &Dispatch) {
    tracing::dispatcher::with_default(dispatch, || {
        let span = tracing::info_span!("bench_span");
        group.bench_function(name, |b| {
            b.iter(|| {
                let _entered = span.enter();
            })
        });
    });
}

fn tracing_layers(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory for tracing-chrome's file");
    let mut group = c.benchmark_group("span_enter_exit");

    let bare = Dispatch::new(Registry::default());
    enter_exit(&mut group, "registry_no_layer", &bare);

    logprof::init_buffer(1 << 16);
    let ours = Dispatch::new(Registry::default().with(logprof::TracingLayer::new()));
    enter_exit(&mut group, "logprof_tracing_layer", &ours);
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
    assert!(recorded.events > 0, "TracingLayer recorded nothing");
}

criterion_group! {
    name = benches;
    // Short by default: tracing-chrome writes every enter and exit to its file
    // (tens of bytes each); the command line's options override these.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = tracing_layers
}
criterion_main!(benches);
