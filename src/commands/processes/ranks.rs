//! One rank of `logprof processes`: every rank runs this, in step.
//!
//! The serial image first (rank 0 alone, timed), then each experiment
//! `warmup + runs` times between barriers (rank 0 times each run from the
//! barrier to the assembled image and checks the image), then the
//! recording is cleared and each experiment runs once more, recorded, rank
//! 0 marking it with a span of the experiment's name. The traces of all
//! ranks are gathered to rank 0, which writes everything (`report.rs`).

use std::time::Instant;

use anyhow::{bail, Context, Result};
use logprof::ranks::Ranks;
use logprof_kernels::processes::{self, Experiment};
use logprof_kernels::{Image, JuliaSet, Kernel};
use mpi::traits::*;

use super::report::{Measured, Report};
use crate::cli::{KernelArg, ProcessesArgs};
use crate::output::OutDir;

/// Makes the rank named here panic after MPI started, to test that a
/// panicking rank ends every rank with one line and no hang.
const PANIC_VAR: &str = "LOGPROF_TEST_PANIC_RANK";

/// Runs this rank; an error ends every rank (`MPI_Abort`) after one line.
pub fn run(args: &ProcessesArgs) -> Result<()> {
    let ranks = Ranks::init().context("cannot start MPI")?;
    if let Err(error) = experiments(&ranks, args) {
        eprintln!("error: rank {}: {}", ranks.rank(), crate::one_line(&error));
        ranks.world().abort(1);
    }
    Ok(())
}

/// The experiments: [`Experiment::Bands`], then pmap with as many bands as
/// workers and with 16.
fn experiments_for(size: u32) -> [Experiment; 3] {
    [
        Experiment::Bands,
        Experiment::Pmap {
            np: (size as usize - 1).max(1),
        },
        Experiment::Pmap { np: 16 },
    ]
}

fn experiments(ranks: &Ranks, args: &ProcessesArgs) -> Result<()> {
    if ranks.size() < 2 {
        bail!(
            "1 rank: processes needs at least 2 (rank 0 assembles the image, the others \
             compute); run it as `logprof processes --ranks N` or `mpirun -n N logprof processes`"
        );
    }
    let fractal = JuliaSet::with_size(args.size).context("--size")?;
    let kernel = match args.kernel {
        KernelArg::Simd => Kernel::Simd,
        KernelArg::Scalar => Kernel::Scalar,
    };
    let out = match ranks.is_root() {
        true => Some(OutDir::create(&args.out)?),
        false => None,
    };
    let panic_rank = std::env::var(PANIC_VAR).ok().and_then(|r| r.parse().ok());
    if panic_rank == Some(ranks.rank()) {
        panic!("{PANIC_VAR} asked rank {} to panic", ranks.rank());
    }
    // Two events a column, every column on one rank at worst, per experiment.
    logprof::init_buffer((4 * 2 * args.size + 4096).next_power_of_two());
    let world = ranks.world();
    let serial = serial(ranks, &fractal, kernel, args)?;
    let list = experiments_for(ranks.size());
    let mut measured: Vec<Measured> = Vec::new();
    for experiment in list {
        let mut m = Measured::new(experiment);
        for i in 0..args.warmup + args.runs {
            world.barrier();
            let start = Instant::now();
            let image = processes::run(world, experiment, &fractal, kernel)?;
            let seconds = start.elapsed().as_secs_f64();
            m.check(image.as_ref(), serial.as_ref().map(|s| &s.0));
            if i >= args.warmup {
                m.times_s.push(seconds);
            }
        }
        measured.push(m);
    }
    logprof::clear();
    for (experiment, m) in list.into_iter().zip(&mut measured) {
        world.barrier();
        let _span = ranks.is_root().then(|| experiment_span(experiment, ranks));
        let image = processes::run(world, experiment, &fractal, kernel)?;
        m.check(image.as_ref(), serial.as_ref().map(|s| &s.0));
    }
    world.barrier();
    let trace = ranks.collect()?;
    let (Some(trace), Some(out), Some((image, serial_times))) = (trace, out, serial) else {
        return Ok(());
    };
    let report = Report {
        ranks: ranks.size(),
        serial_times_s: serial_times,
        measured,
        trace,
    };
    report.write(out, &image, args)
}

/// The serial image and its timings, on rank 0; the other ranks wait.
fn serial(
    ranks: &Ranks,
    fractal: &JuliaSet,
    kernel: Kernel,
    args: &ProcessesArgs,
) -> Result<Option<(Image, Vec<f64>)>> {
    let mut result = None;
    if ranks.is_root() {
        let mut times = Vec::with_capacity(args.runs);
        for i in 0..args.warmup + args.runs {
            let start = Instant::now();
            let image = fractal.compute(kernel)?;
            if i >= args.warmup {
                times.push(start.elapsed().as_secs_f64());
            }
            result = Some((image, times.clone()));
        }
    }
    ranks.world().barrier();
    Ok(result)
}

/// A span on rank 0 around one experiment's recorded run; its name is how
/// the report finds the run in the merged trace.
fn experiment_span(experiment: Experiment, ranks: &Ranks) -> logprof::SpanGuard {
    match experiment {
        Experiment::Bands => logprof::scope!("bands"),
        Experiment::Pmap { np: 16 } => logprof::scope!("pmap(np=16)"),
        Experiment::Pmap { np } if np + 1 == ranks.size() as usize => {
            logprof::scope!("pmap(np=workers)")
        }
        Experiment::Pmap { .. } => logprof::scope!("pmap"),
    }
}
