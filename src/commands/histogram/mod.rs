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

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::launch::{os_args, require_mpi_build, under_mpi, OnRanks};
use crate::cli::HistogramArgs;
use crate::limits::{check_ranks, check_threads};
use folder::Folder;

/// Threads when neither `--threads` nor `--ranks` is given.
const DEFAULT_THREADS: usize = 4;

/// Runs `histogram`: here, through `mpirun`, or as one rank under it.
pub fn run(args: &HistogramArgs) -> Result<()> {
    check(args)?;
    if args.ranks.is_none() && !under_mpi() {
        let folder = Folder::open(args.files.as_deref())?;
        let threads = args.threads.unwrap_or(DEFAULT_THREADS);
        let (rows, _) = measure::local_rows(&folder, threads, args.runs, args.warmup)?;
        return table::print(&rows, &folder, args, None);
    }
    let ranks = args.ranks.unwrap_or(1);
    let threads = args.threads.unwrap_or(ranks as usize);
    let mut options = os_args(&[
        "--threads",
        &threads.to_string(),
        "--runs",
        &args.runs.to_string(),
        "--warmup",
        &args.warmup.to_string(),
    ]);
    if let Some(dir) = &args.files {
        options.push("--files".into());
        options.push(std::path::absolute(dir).context("--files")?.into());
    }
    OnRanks {
        command: "histogram",
        ranks: args.ranks,
        default_ranks: ranks,
        // Unbound, so rank 0's threads rows get every core, not the one
        // core Open MPI would bind rank 0 to.
        mpirun_options: &["--bind-to", "none"],
        options,
        out: &out_dir(args),
        export: Some(&args.export),
    }
    .run(|| rank(args))
}

/// `--out`, or `logprof-out/histogram`.
fn out_dir(args: &HistogramArgs) -> PathBuf {
    args.out.dir_or("histogram")
}

/// The options, checked before any work or any rank starts.
fn check(args: &HistogramArgs) -> Result<()> {
    if let Some(n) = args.ranks {
        require_mpi_build(&format!("--ranks {n}"))?;
        if n == 0 {
            bail!("--ranks 0: give at least 1 MPI process (or leave --ranks out for threads only)");
        }
        check_ranks(n)?;
    }
    match (args.threads, args.ranks) {
        (Some(0), _) => bail!("--threads 0: give at least 1 thread"),
        (Some(t), _) => check_threads("--threads", t)?,
        // As many threads as ranks: checked with --ranks.
        (None, _) => {}
    }
    if args.runs == 0 {
        bail!("--runs 0: give at least 1 timed run");
    }
    if let Some(dir) = &args.files {
        // Before any rank starts: a bad folder is one line, not N.
        folder::check(dir)?;
    }
    let inputs: Vec<(&str, &Path)> = args
        .files
        .iter()
        .map(|d| ("--files", d.as_path()))
        .collect();
    // Only the processes rows write an output directory.
    let dir = (args.ranks.is_some() || under_mpi()).then(|| out_dir(args));
    crate::output::check_paths(&inputs, &args.export, dir.as_deref())
}

#[cfg(feature = "mpi")]
fn rank(args: &HistogramArgs) -> Result<()> {
    super::launch::on_every_rank(|r| ranks::run(r, args))
}

#[cfg(not(feature = "mpi"))]
fn rank(_: &HistogramArgs) -> Result<()> {
    require_mpi_build("histogram under mpirun")
}
