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
mod rank_zero;
#[cfg(feature = "mpi")]
mod ranks;

use anyhow::{bail, Context, Result};

use super::launch::{os_args, require_mpi_build, OnRanks};
// The report tells oversubscription from the host's cores.
#[cfg(feature = "mpi")]
use super::launch::{cores, CORES_VAR};
use crate::cli::{KernelArg, ProcessesArgs};
use crate::export::ExportArgs;
use crate::limits::check_ranks;

/// Ranks when `--ranks` is left out.
const DEFAULT_RANKS: u32 = 4;

/// Runs `processes`: the launcher, or one rank when under `mpirun`.
pub fn run(args: &ProcessesArgs) -> Result<()> {
    check(args)?;
    let kernel = match args.kernel {
        KernelArg::Simd => "simd",
        KernelArg::Scalar => "scalar",
    };
    OnRanks {
        command: "processes",
        ranks: args.ranks,
        default_ranks: DEFAULT_RANKS,
        mpirun_options: &[],
        options: os_args(&[
            "--size",
            &args.size.to_string(),
            "--runs",
            &args.runs.to_string(),
            "--warmup",
            &args.warmup.to_string(),
            "--kernel",
            kernel,
        ]),
        out: &out_dir(args),
        export: None,
    }
    .run(|| rank(args))
}

/// `--out`, or `logprof-out/processes`.
fn out_dir(args: &ProcessesArgs) -> std::path::PathBuf {
    args.out.dir_or("processes")
}

/// The options, checked before any work or any rank starts.
fn check(args: &ProcessesArgs) -> Result<()> {
    require_mpi_build("processes")?;
    if let Some(n) = args.ranks {
        if n < 2 {
            bail!("--ranks {n}: give at least 2 (rank 0 assembles the image, the others compute)");
        }
        check_ranks(n)?;
    }
    logprof_kernels::JuliaSet::with_size(args.size).context("--size")?;
    if args.runs == 0 {
        bail!("--runs 0: give at least 1 timed run");
    }
    crate::output::check_paths(&[], &ExportArgs::default(), Some(&out_dir(args)))
}

#[cfg(feature = "mpi")]
fn rank(args: &ProcessesArgs) -> Result<()> {
    super::launch::on_every_rank(|r| ranks::run(r, args))
}

#[cfg(not(feature = "mpi"))]
fn rank(_: &ProcessesArgs) -> Result<()> {
    unreachable!("check() refuses a build without MPI")
}
