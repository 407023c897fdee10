//! Async tasks on a multi-thread tokio runtime, recorded through
//! `logprof::TracingLayer` and drawn twice: per thread (which worker ran
//! what) and per task (where each task ran, one lane per task, each slice
//! coloured by its thread, so a task resumed on another worker changes
//! colour).
//!
//! ```sh
//! cargo run --release --example tokio_tasks
//! ```
//!
//! Each task is a future instrumented with a `tracing` span; it alternates
//! short bursts of work (`crunch`, recorded with `logprof::record_fn!`, so
//! both kinds of record nest on one timeline) with `yield_now` and short
//! sleeps, and every resumption may land on any worker. Writes `logprof-out/tokio_tasks.{trace.json,svg,png}` and
//! `logprof-out/tokio_tasks.by_task.{svg,png}`.

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

const WORKERS: usize = 4;
const TASKS: u64 = 12;
const BURSTS: u64 = 6;

/// A burst of work whose length depends on the task and the burst.
fn crunch(task: u64, burst: u64) -> u64 {
    let rounds = 400_000 + 300_000 * ((task * 7 + burst * 3) % 5);
    let mut x = task + 1;
    for _ in 0..rounds {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
    }
    std::hint::black_box(x)
}

/// One task: bursts of work, a yield after each, and now and then a sleep.
async fn task(task: u64) -> u64 {
    let mut acc = 0;
    for burst in 0..BURSTS {
        // A plain logprof record, nested inside the task's tracing span.
        acc ^= logprof::record_fn!(crunch(task, burst));
        if burst % 3 == 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        } else {
            tokio::task::yield_now().await;
        }
    }
    acc
}

/// Runs every task to completion on a fresh runtime.
fn run() -> Result<u64, Box<dyn Error>> {
    let next_worker = AtomicUsize::new(0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_time()
        .thread_name_fn(move || {
            format!(
                "tokio-worker-{}",
                next_worker.fetch_add(1, Ordering::Relaxed)
            )
        })
        // Every worker gets a lane, even one that never runs a task.
        .on_thread_start(logprof::keep_lane)
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
    let total = runtime.block_on(async {
        let handles: Vec<_> = (0..TASKS)
            .map(|t| tokio::spawn(task(t).instrument(tracing::info_span!("task", t))))
            .collect();
        let mut total = 0;
        for handle in handles {
            total ^= handle.await?;
        }
        Ok::<u64, tokio::task::JoinError>(total)
    })?;
    // Shutting the runtime down makes sure every worker has finished.
    drop(runtime);
    Ok(total)
}

fn main() -> Result<(), Box<dyn Error>> {
    let subscriber = tracing_subscriber::Registry::default().with(logprof::TracingLayer::new());
    tracing::subscriber::set_global_default(subscriber)?;

    // Dry run, resize the buffers so nothing is lost, real run.
    logprof::init_buffer(1 << 10);
    run()?;
    logprof::adjust_buffer();
    let checksum = run()?;
    let recorded = logprof::recorded();
    let mut trace = logprof::collect();
    trace.process_name = Some("tokio_tasks".to_owned());

    let summary = trace.summary();
    let tasks = trace.tasks();
    let task_name = trace.name_id("task");
    let task_slices: Vec<usize> = tasks
        .values()
        .filter(|slices| {
            let (lane, span) = slices[0];
            Some(trace.lanes[lane].spans[span].name) == task_name
        })
        .map(Vec::len)
        .collect();
    println!(
        "checksum {checksum:#x}; {} spans on {} worker lanes, {} events recorded, {} lost",
        trace.span_count(),
        trace.lanes.len(),
        recorded.events,
        recorded.lost
    );
    println!(
        "{} tasks in {} slices (polls); {} tasks ran on more than one thread",
        task_slices.len(),
        task_slices.iter().sum::<usize>(),
        summary.migrated_tasks
    );
    println!(
        "wall {:.3} ms, load balance {:.2}, parallel efficiency {:.2}",
        summary.wall_ns as f64 / 1e6,
        summary.load_balance,
        summary.parallel_efficiency
    );

    std::fs::create_dir_all("logprof-out")
        .map_err(|e| format!("cannot create the output directory logprof-out: {e}"))?;
    trace.write_chrome_json("logprof-out/tokio_tasks.trace.json")?;
    // The same trace drawn twice: one lane per thread, then one per task.
    for (by_task, file, view) in [
        (false, "tokio_tasks", "per thread"),
        (true, "tokio_tasks.by_task", "per task, coloured by thread"),
    ] {
        let timeline = logprof_viz::Timeline::new(&trace)
            .title(format!("tokio, {WORKERS} workers, {TASKS} tasks: {view}"))
            .by_task(by_task);
        timeline.write_svg(format!("logprof-out/{file}.svg"))?;
        timeline.write_png(format!("logprof-out/{file}.png"))?;
    }
    println!(
        "wrote logprof-out/tokio_tasks.{{trace.json,svg,png}} and tokio_tasks.by_task.{{svg,png}}"
    );
    Ok(())
}
