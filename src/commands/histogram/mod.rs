//! `logprof histogram`: the lecture's threads-against-processes experiment,
//! a byte histogram of a folder's files with a hash-map and an array
//! counter, serially, on threads and (with `--ranks`) on MPI processes.
//!
//! Without `--ranks` it runs here, serially and on threads (`measure.rs`).
//! With it, it runs `mpirun -n N` on itself; under `mpirun` each copy is
//! one rank (`ranks.rs`, the `mpi` feature): rank 0 times the serial and
//! thread rows while the others sleep, then every rank counts its share of
//! the files and rank 0 gets the sum. Every row's counts are checked
//! against the serial count; rank 0 prints the table (`table.rs`) and
//! writes the ranks' merged recording to `--out`.

mod folder;
mod measure;
#[cfg(feature = "mpi")]
mod ranks;
mod table;

use anyhow::{bail, Result};

use super::launch::{
    export_args, mpirun, os_args, refuse_ranks_under_mpi, require_mpi_build, under_mpi,
};
use crate::cli::HistogramArgs;
use folder::Folder;

/// Threads when neither `--threads` nor `--ranks` is given.
const DEFAULT_THREADS: usize = 4;

/// Runs `histogram`: here, through `mpirun`, or as one rank under it.
pub fn run(args: &HistogramArgs) -> Result<()> {
    check(args)?;
    if under_mpi() {
        refuse_ranks_under_mpi("histogram", args.ranks)?;
        return rank(args);
    }
    match args.ranks {
        Some(n) => launch(n, args),
        None => {
            let folder = Folder::open(args.files.as_deref())?;
            let threads = args.threads.unwrap_or(DEFAULT_THREADS);
            let (rows, _) = measure::local_rows(&folder, threads, args.runs, args.warmup)?;
            table::print(&rows, &folder, args, None)
        }
    }
}

/// The options, checked before any work or any rank starts.
fn check(args: &HistogramArgs) -> Result<()> {
    if let Some(n) = args.ranks {
        require_mpi_build(&format!("--ranks {n}"))?;
        if n == 0 {
            bail!("--ranks 0: give at least 1 MPI process (or leave --ranks out for threads only)");
        }
    }
    if args.threads == Some(0) {
        bail!("--threads 0: give at least 1 thread");
    }
    if args.runs == 0 {
        bail!("--runs 0: give at least 1 timed run");
    }
    if let Some(dir) = &args.files {
        // Before any rank starts: a bad folder is one line, not N.
        folder::check(dir)?;
    }
    if args.ranks.is_some() || under_mpi() {
        crate::output::check_exports(&args.export, Some(&args.out))?;
        return crate::output::check_can_be_dir(&args.out, "--out");
    }
    crate::output::check_exports(&args.export, None)
}

#[cfg(feature = "mpi")]
fn rank(args: &HistogramArgs) -> Result<()> {
    super::launch::on_every_rank(|r| ranks::run(r, args))
}

#[cfg(not(feature = "mpi"))]
fn rank(_: &HistogramArgs) -> Result<()> {
    require_mpi_build("histogram under mpirun")
}

/// `mpirun --bind-to none -n ranks <this program> histogram ...`: unbound,
/// so rank 0's threads rows get every core, not the one core Open MPI
/// would bind rank 0 to.
fn launch(ranks: u32, args: &HistogramArgs) -> Result<()> {
    let threads = args.threads.unwrap_or(ranks as usize);
    let mut command = os_args(&[
        "histogram",
        "--threads",
        &threads.to_string(),
        "--runs",
        &args.runs.to_string(),
        "--warmup",
        &args.warmup.to_string(),
    ]);
    if let Some(dir) = &args.files {
        command.push("--files".into());
        command.push(std::path::absolute(dir)?.into());
    }
    command.push("--out".into());
    command.push(std::path::absolute(&args.out)?.into());
    command.extend(export_args(&args.export)?);
    mpirun(ranks, &["--bind-to", "none"], command)
}
