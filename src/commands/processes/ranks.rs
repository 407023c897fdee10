//! One rank of `logprof processes`: every rank runs this, in step.
//!
//! The serial image first (rank 0 alone, timed), then every experiment is
//! prepared (preallocated windows, persistent workers), then each runs
//! `warmup + runs` times between barriers (rank 0 times each run from the
//! barrier to the assembled image and checks the image), then the
//! recording is cleared and each experiment runs once more, recorded, rank
//! 0 marking it with a span of the experiment's name. The traces of all
//! ranks are gathered to rank 0, which writes everything (`report.rs`).

use std::time::Instant;

use anyhow::{bail, Context, Result};
use logprof::ranks::Ranks;
use logprof_kernels::processes::{self, Experiment, Sharing};
use logprof_kernels::{Image, JuliaSet, Kernel};
use mpi::traits::*;

use super::rank_zero::{Measured, Report};
use crate::cli::ProcessesArgs;
use crate::output::OutDir;

/// Test-only (the `test-hooks` feature, never shipped): makes the rank
/// `LOGPROF_TEST_PANIC_RANK` names panic after MPI started, to test that a
/// panicking rank ends every rank with one line and no hang.
#[cfg(feature = "test-hooks")]
fn panic_if_asked(ranks: &Ranks) {
    const PANIC_VAR: &str = "LOGPROF_TEST_PANIC_RANK";
    let panic_rank = std::env::var(PANIC_VAR).ok().and_then(|r| r.parse().ok());
    if panic_rank == Some(ranks.rank()) {
        panic!("{PANIC_VAR} asked rank {} to panic", ranks.rank());
    }
}

/// The experiments in the lecture's order: bands, pmap with as many bands
/// as workers and with 16, the three shared-memory ones (when `shared`),
/// the queues set up per call and persistent (as many tasks as workers,
/// the lecture's `np = nworkers()`).
fn experiments_for(size: u32, shared: bool) -> Vec<Experiment> {
    let workers = (size as usize - 1).max(1);
    let mut list = vec![
        Experiment::Bands,
        Experiment::Pmap { np: workers },
        Experiment::Pmap { np: 16 },
    ];
    if shared {
        list.extend([
            Experiment::Shared(Sharing::PerCall),
            Experiment::Shared(Sharing::Preallocated),
            Experiment::Shared(Sharing::OnDemand { np: 16 }),
        ]);
    }
    list.extend([
        Experiment::Channels {
            persistent: false,
            np: workers,
        },
        Experiment::Channels {
            persistent: true,
            np: workers,
        },
    ]);
    list
}

/// Runs this rank's part of every experiment; rank 0 writes the files.
pub fn run(ranks: &Ranks, args: &ProcessesArgs) -> Result<()> {
    if ranks.size() < 2 {
        bail!(
            "1 rank: processes needs at least 2 (rank 0 assembles the image, the others \
             compute); run it as `logprof processes --ranks N` or `mpirun -n N logprof processes`"
        );
    }
    let fractal = JuliaSet::with_size(args.size).context("--size")?;
    let kernel = args.kernel.kernel();
    let out = match ranks.is_root() {
        true => Some(OutDir::create(&super::out_dir(args))?),
        false => None,
    };
    #[cfg(feature = "test-hooks")]
    panic_if_asked(ranks);
    let world = ranks.world();
    // Shared memory needs every rank on one node; else those rows are left
    // out, and the table says why.
    let (shared, notes) = match processes::window::node_of(world) {
        Ok(_) => (true, Vec::new()),
        Err(e) => (false, vec![format!("shared-memory rows skipped: {e}")]),
    };
    let list = experiments_for(ranks.size(), shared);
    // Four events a column (enter, its index, exit, its iterations), every
    // column on one rank at worst, per experiment, and room for the messages.
    logprof::init_buffer(((list.len() + 1) * 4 * args.size + 4096).next_power_of_two());
    let serial = serial(ranks, &fractal, kernel, args)?;
    // Preallocated windows and persistent workers (`juliaset_init`) are set
    // up here, outside every timed call, and kept to the end.
    let mut prepared = list
        .iter()
        .map(|e| e.prepare(world, &fractal, kernel))
        .collect::<Result<Vec<_>, _>>()?;
    let mut measured: Vec<Measured> = Vec::new();
    for p in &mut prepared {
        let mut m = Measured::new(p.experiment());
        for i in 0..args.warmup + args.runs {
            world.barrier();
            let start = Instant::now();
            let image = p.run()?;
            let seconds = start.elapsed().as_secs_f64();
            m.check(image.as_ref(), serial.as_ref().map(|s| &s.0));
            if i >= args.warmup {
                m.times_s.push(seconds);
            }
        }
        measured.push(m);
    }
    logprof::clear();
    for (p, m) in prepared.iter_mut().zip(&mut measured) {
        // Rank 0's span opens before the barrier: no rank can leave the
        // barrier, and start its columns, before the span (the window the
        // report counts them in) has begun, however late rank 0 is woken.
        let _span = ranks
            .is_root()
            .then(|| experiment_span(p.experiment(), ranks));
        {
            let _barrier = logprof::scope!("MPI_Barrier");
            world.barrier();
        }
        let image = p.run()?;
        m.check(image.as_ref(), serial.as_ref().map(|s| &s.0));
    }
    // The persistent workers' stop message, the windows freed.
    prepared.into_iter().for_each(|p| p.finish());
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
        notes,
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
        Experiment::Shared(Sharing::PerCall) => logprof::scope!("shared(per call)"),
        Experiment::Shared(Sharing::Preallocated) => logprof::scope!("shared(preallocated)"),
        Experiment::Shared(Sharing::OnDemand { .. }) => logprof::scope!("shared pmap"),
        Experiment::Channels {
            persistent: false, ..
        } => logprof::scope!("channels(per call)"),
        Experiment::Channels {
            persistent: true, ..
        } => logprof::scope!("channels(persistent)"),
    }
}
