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

use std::io::Read;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::cli::{KernelArg, ProcessesArgs};

/// Ranks when `--ranks` is left out.
const DEFAULT_RANKS: u32 = 4;

/// The host's cores as the launcher sees them (a rank may be bound to one).
const CORES_VAR: &str = "LOGPROF_HOST_CORES";

/// Runs `processes`: the launcher, or one rank when under `mpirun`.
pub fn run(args: &ProcessesArgs) -> Result<()> {
    check(args)?;
    if under_mpi() {
        if let Some(n) = args.ranks {
            bail!(
                "--ranks {n}: processes already runs under an MPI launcher, which chose the \
                 ranks; leave --ranks out (or run logprof without mpirun)"
            );
        }
        return rank(args);
    }
    launch(args.ranks.unwrap_or(DEFAULT_RANKS), args)
}

/// The options, checked before any work or any rank starts.
fn check(args: &ProcessesArgs) -> Result<()> {
    if !cfg!(feature = "mpi") {
        bail!(
            "this logprof was built without MPI: install Open MPI and build with \
             `cargo install --path . --features mpi` (see the README, \"Processes on MPI\")"
        );
    }
    if let Some(n @ (0 | 1)) = args.ranks {
        bail!("--ranks {n}: give at least 2 (rank 0 assembles the image, the others compute)");
    }
    logprof_kernels::JuliaSet::with_size(args.size).context("--size")?;
    if args.runs == 0 {
        bail!("--runs 0: give at least 1 timed run");
    }
    crate::output::check_can_be_dir(&args.out, "--out")
}

/// The host's cores: those online, fewer if a cgroup quota says so. Not
/// `available_parallelism`, which tells the cores a process is bound to,
/// and `mpirun` binds each rank to one.
fn cores() -> usize {
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online")
        .ok()
        .and_then(|list| count_cpus(list.trim()));
    let quota = std::fs::read_to_string("/sys/fs/cgroup/cpu.max")
        .ok()
        .and_then(|max| {
            let (quota, period) = max.trim().split_once(' ')?;
            let (quota, period): (f64, f64) = (quota.parse().ok()?, period.parse().ok()?);
            Some((quota / period).ceil().max(1.0) as usize)
        });
    match (online, quota) {
        (Some(online), quota) => online.min(quota.unwrap_or(usize::MAX)),
        (None, _) => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// The number of CPUs in a Linux CPU list such as `0-3,6,8-9`.
fn count_cpus(list: &str) -> Option<usize> {
    list.split(',').try_fold(0, |total, part| {
        let (lo, hi) = part.split_once('-').unwrap_or((part, part));
        let (lo, hi): (usize, usize) = (lo.parse().ok()?, hi.parse().ok()?);
        Some(total + hi.checked_sub(lo)? + 1)
    })
}

/// True in a process started by `mpirun` (Open MPI, or a PMI launcher).
fn under_mpi() -> bool {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
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
    let exe = std::env::current_exe().context("cannot find this program to start its ranks")?;
    let out = std::path::absolute(&args.out).context("--out")?;
    let kernel = match args.kernel {
        KernelArg::Simd => "simd",
        KernelArg::Scalar => "scalar",
    };
    let mut mpirun = Command::new("mpirun");
    mpirun
        .arg("-n")
        .arg(ranks.to_string())
        .arg(exe)
        .arg("processes")
        .args(["--size", &args.size.to_string()])
        .args(["--runs", &args.runs.to_string()])
        .args(["--warmup", &args.warmup.to_string()])
        .args(["--kernel", kernel])
        .arg("--out")
        .arg(out)
        // Open MPI refuses root and more ranks than cores unless told.
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env(CORES_VAR, cores().to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = match mpirun.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "cannot start mpirun: it is not on the PATH; install Open MPI \
             (apt-get install openmpi-bin) or start the ranks with your MPI's launcher"
        ),
        Err(e) => return Err(e).context("cannot start mpirun"),
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr)
            .context("cannot read mpirun's messages")?;
    }
    let status = child.wait().context("mpirun")?;
    if status.success() {
        eprint!("{stderr}");
        return Ok(());
    }
    bail!("{}", failure_line(ranks, status.code(), &stderr))
}

/// What went wrong in a failed `mpirun`, in one line: a rank's own message
/// when there is one (a panic, an error), else mpirun's last words.
fn failure_line(ranks: u32, code: Option<i32>, stderr: &str) -> String {
    let lines = || stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    if let Some(panic) = lines().find_map(|l| l.strip_prefix("logprof: ")) {
        return panic.to_owned();
    }
    if let Some(error) = lines().find_map(|l| l.strip_prefix("error: ")) {
        return error.to_owned();
    }
    let code = code.map_or("a signal".to_owned(), |c| format!("exit code {c}"));
    let last = lines()
        .rfind(|l| !l.starts_with("---"))
        .unwrap_or("no message");
    format!("mpirun -n {ranks} failed ({code}): {last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_are_counted() {
        assert_eq!(count_cpus("0-1"), Some(2));
        assert_eq!(count_cpus("0-3,6,8-9"), Some(7));
        assert_eq!(count_cpus("3-1"), None);
        assert_eq!(count_cpus(""), None);
        assert!(cores() >= 1);
    }

    #[test]
    fn a_failure_is_told_by_the_rank_that_failed() {
        let panic = "----\nlogprof: rank 1 panicked at x.rs:3: boom\n----\nMPI_ABORT was invoked\n";
        assert_eq!(
            failure_line(4, Some(101), panic),
            "rank 1 panicked at x.rs:3: boom"
        );
        let error = "error: rank 0: --out x: cannot write\nMPI_ABORT was invoked\n";
        assert_eq!(
            failure_line(2, Some(1), error),
            "rank 0: --out x: cannot write"
        );
        assert_eq!(
            failure_line(2, Some(1), "--------\nnot enough slots\n--------\n"),
            "mpirun -n 2 failed (exit code 1): not enough slots"
        );
    }
}
