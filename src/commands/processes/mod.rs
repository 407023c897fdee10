//! `logprof processes`: the lecture's process experiments on MPI ranks.
//!
//! Started by hand, it checks its options and runs `mpirun -n N` on itself
//! (this module); started by `mpirun`, each copy is one rank and runs the
//! experiments (`ranks.rs`, with the `mpi` feature), rank 0 writing the
//! table and the files (`report.rs`).
//!
//! Nothing hangs: a rank that fails or panics prints one line and calls
//! `MPI_Abort`, which ends every rank; the launcher turns what `mpirun`
//! printed then into one line of its own.

#[cfg(feature = "mpi")]
mod ranks;
#[cfg(feature = "mpi")]
mod report;

use anyhow::{bail, Context, Result};

use super::launch::{mpirun, os_args, refuse_ranks_under_mpi, require_mpi_build, under_mpi};
// The report tells oversubscription from the host's cores.
#[cfg(feature = "mpi")]
use super::launch::{cores, CORES_VAR};
use crate::cli::{KernelArg, ProcessesArgs};

/// Ranks when `--ranks` is left out.
const DEFAULT_RANKS: u32 = 4;

/// Runs `processes`: the launcher, or one rank when under `mpirun`.
pub fn run(args: &ProcessesArgs) -> Result<()> {
    check(args)?;
    if under_mpi() {
        refuse_ranks_under_mpi("processes", args.ranks)?;
        return rank(args);
    }
    launch(args.ranks.unwrap_or(DEFAULT_RANKS), args)
}

/// The options, checked before any work or any rank starts.
fn check(args: &ProcessesArgs) -> Result<()> {
    require_mpi_build("processes")?;
    if let Some(n @ (0 | 1)) = args.ranks {
        bail!("--ranks {n}: give at least 2 (rank 0 assembles the image, the others compute)");
    }
    logprof_kernels::JuliaSet::with_size(args.size).context("--size")?;
    if args.runs == 0 {
        bail!("--runs 0: give at least 1 timed run");
    }
    crate::output::check_can_be_dir(&args.out, "--out")
}

#[cfg(feature = "mpi")]
fn rank(args: &ProcessesArgs) -> Result<()> {
    ranks::run(args)
}

#[cfg(not(feature = "mpi"))]
fn rank(_: &ProcessesArgs) -> Result<()> {
    unreachable!("check() refuses a build without MPI")
}

/// `mpirun -n ranks <this program> processes ...`: the ranks' table on
/// stdout; their messages on stderr, or one line when a rank failed.
fn launch(ranks: u32, args: &ProcessesArgs) -> Result<()> {
    let out = std::path::absolute(&args.out).context("--out")?;
    let kernel = match args.kernel {
        KernelArg::Simd => "simd",
        KernelArg::Scalar => "scalar",
    };
    let mut command = os_args(&[
        "processes",
        "--size",
        &args.size.to_string(),
        "--runs",
        &args.runs.to_string(),
        "--warmup",
        &args.warmup.to_string(),
        "--kernel",
        kernel,
        "--out",
    ]);
    command.push(out.into());
    mpirun(ranks, &[], command)
}
