//! A program in phases, as a user writes one with rayon, each phase a
//! `region!`: a serial set-up, a balanced loop, a triangular loop (item `i`
//! costs `i`), a loop with a heavy tail (its last 40 items cost 100× the
//! rest), a reduction, a serial write. `--schedule S` chooses how each loop
//! is split, in the words `logprof report` advises in: `static` (the
//! default: equal chunks, one a thread, with `ThreadPool::broadcast`, as
//! OpenMP's static schedule), `chunked(K)`, `guided`, `dynamic`,
//! `forkjoin(N)` or `depthfirst(B)` (the pieces that schedule cuts, taken
//! on demand from a shared counter), or `rayon(B)` (a `par_iter` with
//! pieces of at least `B` items: work stealing). `--dynamic` is
//! `--schedule rayon`.
//!
//! ```sh
//! cargo run --release --example phases -- --threads 2 [--schedule guided] [--scale 10] [--out FILE]
//! logprof report logprof-out/phases.trace.json
//! ```
//!
//! # Expected diagnosis (static chunks)
//!
//! `report`'s "where the time goes" ranks, on a quiet machine (the costs
//! are in units of about `scale` µs; at 2 threads, what fixing each could
//! save, in units; on a busy one a preempted phase loses more, and the first
//! three, or the last three, can swap among themselves):
//!
//! 1. `setup`: serial, 10 000 (its time);
//! 2. `heavy_tail`: parallel, the last thread holds every heavy item:
//!    about 4 000 lost to imbalance, with advice of a dynamic schedule;
//! 3. `triangle`: parallel, 1 770 against 5 370 units a thread: about
//!    1 800 lost, with advice of a dynamic schedule;
//! 4. to 6. `write` (serial, 600), `balanced` and `reduce` (200 units
//!    each, nearly nothing to gain, no advice), in an order the machine
//!    decides: on a loaded one the workers wake late or take turns on the
//!    cores, and a short loop then loses more than its work.
//!
//! With the schedule advised (`--schedule guided`, say), `heavy_tail` and
//! `triangle` lose little and the serial `setup` and `write` lead: what is
//! left is Amdahl's.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use logprof_kernels::Schedule;
use rayon::prelude::*;

/// What the command line chose.
pub struct Options {
    /// Worker threads.
    pub threads: usize,
    /// How every loop is split.
    pub schedule: Schedule,
    /// Microseconds a unit of work lasts, about.
    pub scale: f64,
    /// Where the trace goes.
    pub out: PathBuf,
}

/// The most threads `--threads` starts, as `logprof`'s own commands allow.
const MAX_THREADS: usize = 4096;

impl Options {
    /// `--threads N`, `--schedule S` (or `--dynamic`), `--scale F`,
    /// `--out FILE`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut o = Options {
            threads: 2,
            schedule: Schedule::Static,
            scale: 1.0,
            out: PathBuf::from("logprof-out/phases.trace.json"),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg}: give a value"));
            match arg.as_str() {
                "--dynamic" => o.schedule = Schedule::Rayon { basesize: 1 },
                "--schedule" => {
                    let text = value()?;
                    o.schedule = text
                        .parse()
                        .map_err(|e| format!("--schedule {text}: {e}"))?;
                }
                "--threads" => {
                    let text = value()?;
                    o.threads = text.parse().map_err(|e| format!("--threads {text}: {e}"))?;
                }
                "--scale" => {
                    let text = value()?;
                    o.scale = text.parse().map_err(|e| format!("--scale {text}: {e}"))?;
                }
                "--out" => o.out = PathBuf::from(value()?),
                other => return Err(format!("{other}: unknown option")),
            }
        }
        if o.threads == 0 || o.threads > MAX_THREADS {
            return Err(format!(
                "--threads {}: give 1 to {MAX_THREADS} (each is an OS thread)",
                o.threads
            ));
        }
        if !(o.scale > 0.0 && o.scale.is_finite()) {
            return Err(format!("--scale {}: give a number above 0", o.scale));
        }
        Ok(o)
    }
}

/// Arithmetic that takes `units` units of work of `per_unit` steps.
fn work(units: u64, per_unit: u64) -> u64 {
    let mut x = units;
    for k in 0..units * per_unit {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(k);
    }
    black_box(x)
}

/// Steps of [`work`] in about `scale` µs on this machine, in this build.
fn calibrate(scale: f64) -> u64 {
    let steps = 1 << 18;
    // The fastest of a few: a repeat the thread was preempted in is slow.
    let fastest = (0..5)
        .map(|_| {
            let start = Instant::now();
            work(1, steps);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let per_us = steps as f64 / fastest.max(1e-9) / 1e6;
    (per_us * scale).max(1.0) as u64
}

/// Runs `cost(i)` units for every `i` in `0..n` on `pool` under
/// `schedule`, each item a span.
fn each(
    pool: &rayon::ThreadPool,
    schedule: &Schedule,
    n: usize,
    per_unit: u64,
    cost: fn(usize) -> u64,
) {
    let item = |i: usize| {
        let _item = logprof::scope!("item");
        work(cost(i), per_unit);
    };
    match (schedule, schedule.pieces(n, pool.current_num_threads())) {
        (Schedule::Static, _) => {
            // One equal block of items a thread, as OpenMP's static schedule.
            pool.broadcast(|ctx| {
                let (t, threads) = (ctx.index(), ctx.num_threads());
                (t * n / threads..(t + 1) * n / threads).for_each(item);
            });
        }
        (_, Some(pieces)) => {
            // The schedule's pieces, each to the thread that asks first.
            let next = AtomicUsize::new(0);
            pool.broadcast(|_| {
                while let Some(piece) = pieces.get(next.fetch_add(1, Ordering::Relaxed)) {
                    piece.clone().for_each(item);
                }
            });
        }
        (_, None) => {
            // rayon(B): work stealing over pieces of at least B items.
            let min_len = match schedule {
                Schedule::Rayon { basesize } => *basesize,
                _ => 1,
            };
            pool.install(|| (0..n).into_par_iter().with_min_len(min_len).for_each(item));
        }
    }
}

/// Runs the program, recording it, and returns its trace.
pub fn record(o: &Options) -> Result<logprof::Trace, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads)
        .build()
        .map_err(|e| e.to_string())?;
    logprof::register_pool(&pool);
    logprof::init_buffer(1 << 14);
    let per_unit = calibrate(o.scale);
    {
        let _setup = logprof::region!("setup");
        work(10_000, per_unit);
    }
    {
        let _loop = logprof::region!("balanced");
        each(&pool, &o.schedule, 200, per_unit, |_| 1);
    }
    {
        let _loop = logprof::region!("triangle");
        each(&pool, &o.schedule, 120, per_unit, |i| i as u64);
    }
    {
        let _loop = logprof::region!("heavy_tail");
        each(&pool, &o.schedule, 400, per_unit, |i| {
            if i >= 360 {
                200
            } else {
                2
            }
        });
    }
    let total = {
        let _reduce = logprof::region!("reduce");
        pool.install(|| {
            (0..200u64)
                .into_par_iter()
                .map(|i| {
                    let _item = logprof::scope!("item");
                    work(1, per_unit) ^ i
                })
                .reduce(|| 0, u64::wrapping_add)
        })
    };
    {
        let _write = logprof::region!("write");
        work(600 + (black_box(total) & 1), per_unit);
    }
    let mut trace = logprof::collect();
    logprof::release_pool(&pool);
    trace.process_name = Some(format!("phases, {}, {} threads", o.schedule, o.threads));
    Ok(trace)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let o = Options::parse(std::env::args().skip(1))?;
    let start = Instant::now();
    let trace = record(&o)?;
    let wall = start.elapsed();
    if let Some(dir) = o.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    trace.write_chrome_json(&o.out).map_err(|e| e.to_string())?;
    println!(
        "ran in {:.1} ms; wrote {} (read it with `logprof report {}`)",
        wall.as_secs_f64() * 1e3,
        o.out.display(),
        o.out.display()
    );
    Ok(())
}
