//! A program already instrumented with `#[tracing::instrument]`, profiled
//! without touching its code: add `logprof::TracingLayer` to the subscriber,
//! collect, save the trace as Chrome JSON and draw its timeline.
//!
//! ```sh
//! cargo run --release --example tracing_instrument
//! ```
//!
//! Four threads share the rows of a Mandelbrot image through a counter
//! (dynamic scheduling). Rows through the set cost far more than rows
//! outside it; the timeline shows how the workers split them. Writes
//! `logprof-out/tracing_instrument.{trace.json,svg,png}`.

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing_subscriber::layer::SubscriberExt;

const WIDTH: usize = 400;
const HEIGHT: usize = 200;
const MAX_ITER: u32 = 400;
const THREADS: usize = 4;

/// Escape iterations of every pixel of row `y`, written to `row`; returns
/// their sum.
#[tracing::instrument(skip(row))]
fn render_row(y: usize, row: &mut [u32]) -> u64 {
    let ci = -1.2 + 2.4 * y as f64 / HEIGHT as f64;
    for (x, pixel) in row.iter_mut().enumerate() {
        let cr = -2.2 + 3.2 * x as f64 / WIDTH as f64;
        let (mut zr, mut zi, mut n) = (0.0f64, 0.0f64, 0);
        while n < MAX_ITER && zr * zr + zi * zi <= 4.0 {
            (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
            n += 1;
        }
        *pixel = n;
    }
    row.iter().map(|&n| u64::from(n)).sum()
}

/// One worker: takes the next row until none is left.
#[tracing::instrument(skip(next))]
fn worker(worker: usize, next: &AtomicUsize) -> u64 {
    let mut row = vec![0; WIDTH];
    let mut total = 0;
    loop {
        let y = next.fetch_add(1, Ordering::Relaxed);
        if y >= HEIGHT {
            return total;
        }
        total += render_row(y, &mut row);
    }
}

/// The whole image, rendered by `THREADS` workers; the total of its escape
/// iterations.
fn render() -> Result<u64, Box<dyn Error>> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let workers = (0..THREADS)
            .map(|w| {
                let next = &next;
                std::thread::Builder::new()
                    .name(format!("worker-{w}"))
                    .spawn_scoped(s, move || worker(w, next))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("cannot start a worker thread: {e}"))?;
        let mut total = 0;
        for w in workers {
            total += w.join().map_err(|_| "a worker thread panicked")?;
        }
        Ok(total)
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    // The only change a tracing-instrumented program needs: one more layer.
    let subscriber = tracing_subscriber::Registry::default().with(logprof::TracingLayer::new());
    tracing::subscriber::set_global_default(subscriber)?;

    // Dry run, resize the buffers so nothing is lost, real run.
    logprof::init_buffer(1 << 10);
    render()?;
    logprof::adjust_buffer();
    let iterations = render()?;
    let recorded = logprof::recorded();
    let mut trace = logprof::collect();
    trace.process_name = Some("tracing_instrument".to_owned());

    let summary = trace.summary();
    println!(
        "{iterations} iterations; {} spans on {} lanes, {} events recorded, {} lost",
        trace.span_count(),
        trace.lanes.len(),
        recorded.events,
        recorded.lost
    );
    println!(
        "wall {:.3} ms, load balance {:.2}, parallel efficiency {:.2}",
        summary.wall_ns as f64 / 1e6,
        summary.load_balance,
        summary.parallel_efficiency
    );

    std::fs::create_dir_all("logprof-out")
        .map_err(|e| format!("cannot create the output directory logprof-out: {e}"))?;
    trace.write_chrome_json("logprof-out/tracing_instrument.trace.json")?;
    let timeline = logprof_viz::Timeline::new(&trace).title("#[tracing::instrument], 4 workers");
    timeline.write_svg("logprof-out/tracing_instrument.svg")?;
    timeline.write_png("logprof-out/tracing_instrument.png")?;
    println!("wrote logprof-out/tracing_instrument.{{trace.json,svg,png}}");
    Ok(())
}
