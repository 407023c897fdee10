//! The cost of recording every column, measured as the lecture's workflow
//! uses it: the same run with and without recording, interleaved pair by
//! pair so that drift on a shared machine hits both alike, reported as the
//! median of the per-pair ratios.
//!
//! `cargo run --release -p logprof-kernels --example recording_overhead [pairs] [threads]`

use std::time::Instant;

use logprof_kernels::{run_into, Image, JuliaSet, Kernel, Pool, RunOptions, Schedule};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(2), |a| a.parse())?;
    let fractal = JuliaSet::default();
    let pool = Pool::new(threads)?;
    let mut image = Image::new(fractal.n)?;
    logprof::init_buffer(1 << 14);
    println!(
        "n = {}, {threads} threads, SIMD kernel, {pairs} interleaved pairs",
        fractal.n
    );
    println!(
        "{:<24} {:>10} {:>12} {:>10}",
        "schedule", "plain ms", "recorded ms", "ratio"
    );
    for schedule in Schedule::all() {
        let mut time = |record: bool| -> Result<f64, logprof_kernels::KernelError> {
            let options = RunOptions {
                kernel: Kernel::Simd,
                record,
            };
            let start = Instant::now();
            run_into(&pool, &schedule, &fractal, options, &mut image)?;
            Ok(start.elapsed().as_secs_f64() * 1e3)
        };
        for _ in 0..5 {
            time(false)?;
            time(true)?;
        }
        let (mut plain, mut recorded, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..pairs {
            // Alternate which goes first, so neither always runs warm.
            let (p, r) = if i % 2 == 0 {
                let p = time(false)?;
                (p, time(true)?)
            } else {
                let r = time(true)?;
                (time(false)?, r)
            };
            plain.push(p);
            recorded.push(r);
            ratios.push(r / p);
        }
        println!(
            "{:<24} {:>10.3} {:>12.3} {:>10.3}",
            schedule.to_string(),
            median(plain),
            median(recorded),
            median(ratios)
        );
    }
    Ok(())
}
