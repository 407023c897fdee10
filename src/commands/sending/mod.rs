//! `logprof sending`: the lecture's "sending data" section on two MPI
//! ranks. Started by hand, it checks its options and runs `mpirun -n N` on
//! itself; under `mpirun`, each copy is one rank (`ranks.rs`, with the
//! `mpi` feature) and rank 0 prints the table and writes the merged trace
//! and its timeline.

#[cfg(feature = "mpi")]
mod ranks;

use anyhow::{bail, Result};

use super::launch::{os_args, require_mpi_build, OnRanks};
use crate::cli::SendingArgs;
use crate::limits::check_ranks;

/// Ranks when `--ranks` is left out: rank 1 sends, rank 0 receives.
const DEFAULT_RANKS: u32 = 2;

/// Runs `sending`: the launcher, or one rank when under `mpirun`.
pub fn run(args: &SendingArgs) -> Result<()> {
    check(args)?;
    OnRanks {
        command: "sending",
        ranks: args.ranks,
        default_ranks: DEFAULT_RANKS,
        mpirun_options: &[],
        options: os_args(&[
            "--runs",
            &args.runs.to_string(),
            "--warmup",
            &args.warmup.to_string(),
            "--matrix",
            &args.matrix.to_string(),
            "--seed",
            &args.seed.to_string(),
        ]),
        out: &out_dir(args),
        export: Some(&args.export),
    }
    .run(|| rank(args))
}

/// `--out`, or `logprof-out/sending`.
fn out_dir(args: &SendingArgs) -> std::path::PathBuf {
    args.out.dir_or("sending")
}

/// The options, checked before any rank starts.
fn check(args: &SendingArgs) -> Result<()> {
    require_mpi_build("sending")?;
    if let Some(n) = args.ranks {
        if n < 2 {
            bail!("--ranks {n}: give at least 2 (rank 1 sends, rank 0 receives)");
        }
        check_ranks(n)?;
    }
    if args.runs == 0 {
        bail!("--runs 0: give at least 1 timed run");
    }
    let max = logprof_kernels::sending::matrix::MAX_SIDE;
    if !(1..=max).contains(&args.matrix) {
        bail!(
            "--matrix {}: give a side from 1 to {max} (the lecture's is 1000)",
            args.matrix
        );
    }
    crate::output::check_paths(&[], &args.export, Some(&out_dir(args)))
}

#[cfg(feature = "mpi")]
fn rank(args: &SendingArgs) -> Result<()> {
    super::launch::on_every_rank(|r| ranks::run(r, args))
}

#[cfg(not(feature = "mpi"))]
fn rank(_: &SendingArgs) -> Result<()> {
    unreachable!("check() refuses a build without MPI")
}
