//! Instrument your own parallel kernel with `record_fn!`, follow the
//! lecture's workflow (dry run, adjust the buffers, real run), and get the
//! numbers, the Chrome trace and the timeline.
//!
//! `cargo run --release --example record_fn` writes `logprof-out/record_fn.*`.

use std::error::Error;

use logprof::record_fn;

/// Uneven work: item `i` costs about `i` units, so a static split is
/// unbalanced, as the Julia set is.
fn work_item(i: u64) -> u64 {
    (0..i * 200).fold(i, |acc, k| {
        acc.wrapping_mul(6364136223846793005).wrapping_add(k)
    })
}

/// A static split: thread `t` gets the `t`-th contiguous block.
fn run_static(items: u64, threads: u64) -> u64 {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (lo, hi) = (t * items / threads, (t + 1) * items / threads);
                std::thread::Builder::new()
                    .name(format!("static-{t}"))
                    .spawn_scoped(s, move || {
                        (lo..hi)
                            .map(|i| record_fn!(work_item(i)))
                            .fold(0, u64::wrapping_add)
                    })
                    .expect("spawn a thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            // The items are hashes: their sum may wrap, in a debug build too.
            .fold(0, u64::wrapping_add)
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    // Dry run with a deliberately small buffer: see how much is lost.
    logprof::init_buffer(64);
    run_static(2000, 4);
    let dry = logprof::recorded();
    println!(
        "dry run: {} events, {} lost, at most {} on one thread",
        dry.events, dry.lost, dry.max_per_thread
    );
    // Resize so the same run loses nothing, then the real run.
    logprof::adjust_buffer();
    run_static(2000, 4);
    assert_eq!(logprof::recorded().lost, 0);

    let mut trace = logprof::collect();
    trace.process_name = Some("static, 4 threads".into());
    let summary = trace.summary();
    println!(
        "wall {:.2} ms, load balance {:.2}, parallel efficiency {:.2}, a perfect balance would save {:.2} ms",
        summary.wall_ns as f64 / 1e6,
        summary.load_balance,
        summary.parallel_efficiency,
        summary.imbalance_ns / 1e6
    );
    std::fs::create_dir_all("logprof-out")?;
    trace.write_chrome_json("logprof-out/record_fn.trace.json")?;
    let timeline = logprof_viz::Timeline::new(&trace)
        .title("record_fn! example: a static split of uneven work");
    timeline.write_svg("logprof-out/record_fn.svg")?;
    timeline.write_png("logprof-out/record_fn.png")?;
    println!("wrote logprof-out/record_fn.trace.json, .svg and .png");
    Ok(())
}
