//! What recording off-CPU time costs the fractal: the same schedule run
//! plain, recorded without off-CPU time, and recorded with it, interleaved
//! so that drift on a shared machine hits all three alike; reported as the
//! medians and the median per-round ratios to the plain run.
//!
//! The choice is made once per thread, when it first records (see
//! `logprof::register_thread`), so the two recorded variants use two pools:
//! one whose workers registered with `LOGPROF_OFFCPU=0`, one without.
//!
//! `cargo run --release -p logprof-kernels --example offcpu_overhead [rounds] [threads]`

use std::time::Instant;

use logprof_kernels::{run_into, Image, JuliaSet, Kernel, Pool, RunOptions, Schedule};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A pool whose workers registered with off-CPU recording on or off.
fn pool(threads: usize, off_cpu: bool) -> Result<Pool, Box<dyn std::error::Error>> {
    // Read by each worker as it registers, inside `Pool::new`.
    std::env::set_var("LOGPROF_OFFCPU", if off_cpu { "1" } else { "0" });
    let pool = Pool::new(threads)?;
    std::env::remove_var("LOGPROF_OFFCPU");
    Ok(pool)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map_or(Ok(100), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(2), |a| a.parse())?;
    let fractal = JuliaSet::default();
    logprof::init_buffer(1 << 14);
    let without = pool(threads, false)?;
    let with = pool(threads, true)?;
    let mut image = Image::new(fractal.n)?;
    println!(
        "n = {}, {threads} threads, SIMD kernel, {rounds} interleaved rounds",
        fractal.n
    );
    println!(
        "{:<12} {:>9} {:>13} {:>13} {:>12} {:>12}",
        "schedule", "plain ms", "rec. ms", "rec.+off ms", "rec./plain", "rec.+off/plain"
    );
    for schedule in [Schedule::Static, Schedule::Dynamic, Schedule::Guided] {
        let mut time = |pool: &Pool, record: bool| -> Result<f64, logprof_kernels::KernelError> {
            let options = RunOptions {
                kernel: Kernel::Simd,
                record,
            };
            logprof::clear();
            let start = Instant::now();
            run_into(pool, &schedule, &fractal, options, &mut image)?;
            let ms = start.elapsed().as_secs_f64() * 1e3;
            if record {
                // Read the rings as a recording run would, outside the time.
                std::hint::black_box(logprof::collect());
            }
            Ok(ms)
        };
        let (mut plain, mut rec, mut off) = (Vec::new(), Vec::new(), Vec::new());
        let (mut rec_ratio, mut off_ratio) = (Vec::new(), Vec::new());
        for i in 0..rounds + 3 {
            // Rotate the order, so none always runs first.
            let mut t = [0.0; 3];
            for k in 0..3 {
                match (i + k) % 3 {
                    0 => t[0] = time(&without, false)?,
                    1 => t[1] = time(&without, true)?,
                    _ => t[2] = time(&with, true)?,
                }
            }
            if i < 3 {
                continue; // warm-up
            }
            plain.push(t[0]);
            rec.push(t[1]);
            off.push(t[2]);
            rec_ratio.push(t[1] / t[0]);
            off_ratio.push(t[2] / t[0]);
        }
        println!(
            "{:<12} {:>9.3} {:>13.3} {:>13.3} {:>12.3} {:>12.3}",
            schedule.to_string(),
            median(plain),
            median(rec),
            median(off),
            median(rec_ratio),
            median(off_ratio)
        );
    }
    Ok(())
}
