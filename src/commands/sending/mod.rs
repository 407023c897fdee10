//! `logprof sending`: the lecture's "sending data" section on two MPI
//! ranks. Started by hand, it checks its options and runs `mpirun -n N` on
//! itself; under `mpirun`, each copy is one rank (`ranks.rs`, with the
//! `mpi` feature) and rank 0 prints the table and writes the merged trace
//! and its timeline.

#[cfg(feature = "mpi")]
mod ranks;

use anyhow::{bail, Context, Result};

use super::launch::{
    export_args, mpirun, os_args, refuse_ranks_under_mpi, require_mpi_build, under_mpi,
};
use crate::cli::SendingArgs;

/// Ranks when `--ranks` is left out: rank 1 sends, rank 0 receives.
const DEFAULT_RANKS: u32 = 2;

/// Runs `sending`: the launcher, or one rank when under `mpirun`.
pub fn run(args: &SendingArgs) -> Result<()> {
    check(args)?;
    if under_mpi() {
        refuse_ranks_under_mpi("sending", args.ranks)?;
        return rank(args);
    }
    launch(args.ranks.unwrap_or(DEFAULT_RANKS), args)
}

/// The options, checked before any rank starts.
fn check(args: &SendingArgs) -> Result<()> {
    require_mpi_build("sending")?;
    if let Some(n @ (0 | 1)) = args.ranks {
        bail!("--ranks {n}: give at least 2 (rank 1 sends, rank 0 receives)");
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
    crate::output::check_exports(&args.export, Some(&args.out))?;
    crate::output::check_can_be_dir(&args.out, "--out")
}

#[cfg(feature = "mpi")]
fn rank(args: &SendingArgs) -> Result<()> {
    super::launch::on_every_rank(|r| ranks::run(r, args))
}

#[cfg(not(feature = "mpi"))]
fn rank(_: &SendingArgs) -> Result<()> {
    unreachable!("check() refuses a build without MPI")
}

/// `mpirun -n ranks <this program> sending ...`.
fn launch(ranks: u32, args: &SendingArgs) -> Result<()> {
    let mut command = os_args(&[
        "sending",
        "--runs",
        &args.runs.to_string(),
        "--warmup",
        &args.warmup.to_string(),
        "--matrix",
        &args.matrix.to_string(),
        "--seed",
        &args.seed.to_string(),
    ]);
    let out = std::path::absolute(&args.out).context("--out")?;
    command.push("--out".into());
    command.push(out.into());
    command.extend(export_args(&args.export)?);
    mpirun(ranks, &[], command)
}
