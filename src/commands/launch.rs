//! Starting a command on MPI ranks, shared by the commands that run on
//! them (`processes`, `sending`, `histogram --ranks`).
//!
//! Started by hand, such a command checks its options and runs
//! `mpirun -n N` on itself ([`OnRanks`]); started by `mpirun`
//! ([`under_mpi`]), each copy is one rank (`on_every_rank`, with the `mpi`
//! feature). Nothing hangs: a rank that fails or panics prints one line
//! and calls `MPI_Abort`, which ends every rank, and the launcher turns
//! what `mpirun` printed then into one line of its own. Nothing is left
//! running: on an error, a failed rank or an interrupt, `mpirun` and its
//! ranks are ended by their ids.

use std::ffi::OsString;
use std::io::{BufRead, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::export::ExportArgs;

/// The host's cores as the launcher sees them (a rank may be bound to one).
pub const CORES_VAR: &str = "LOGPROF_HOST_CORES";

/// An error unless this logprof was built with the `mpi` feature; `what`
/// names what needs it.
pub fn require_mpi_build(what: &str) -> Result<()> {
    if !cfg!(feature = "mpi") {
        bail!(
            "{what}: this logprof was built without MPI: install Open MPI and build with \
             `cargo install --path . --features mpi` (see docs/processes-mpi.md)"
        );
    }
    Ok(())
}

/// True in a process started by `mpirun` (Open MPI, or a PMI launcher).
pub fn under_mpi() -> bool {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
}

/// The host's cores: those online, fewer if a cgroup quota says so. Not
/// `available_parallelism`, which tells the cores a process is bound to,
/// and `mpirun` binds each rank to one.
pub fn cores() -> usize {
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

/// The host's cores inside a rank: what the launcher told, else [`cores`].
pub fn host_cores() -> usize {
    std::env::var(CORES_VAR)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(cores)
}

/// The number of CPUs in a Linux CPU list such as `0-3,6,8-9`.
fn count_cpus(list: &str) -> Option<usize> {
    list.split(',').try_fold(0, |total, part| {
        let (lo, hi) = part.split_once('-').unwrap_or((part, part));
        let (lo, hi): (usize, usize) = (lo.parse().ok()?, hi.parse().ok()?);
        Some(total + hi.checked_sub(lo)? + 1)
    })
}

/// What starts a command on MPI ranks: the command, its ranks, and the
/// options every rank gets.
pub struct OnRanks<'a> {
    /// The command, as its first argument (`processes`).
    pub command: &'static str,
    /// `--ranks` as given.
    pub ranks: Option<u32>,
    /// Ranks when `--ranks` is left out.
    pub default_ranks: u32,
    /// Options to `mpirun` itself (as `--bind-to none`).
    pub mpirun_options: &'a [&'a str],
    /// The command's options for every rank (besides `--out` and the
    /// exports), their paths absolute: a rank may start elsewhere.
    pub options: Vec<OsString>,
    /// The output directory.
    pub out: &'a Path,
    /// The exports, when the command has them.
    pub export: Option<&'a ExportArgs>,
}

impl OnRanks<'_> {
    /// Under `mpirun` this process is one rank, which `rank` runs (a
    /// `--ranks` given too is refused rather than ignored: the launcher
    /// chose the ranks). Else it runs `mpirun -n N` on itself.
    pub fn run(self, rank: impl FnOnce() -> Result<()>) -> Result<()> {
        if under_mpi() {
            if let Some(n) = self.ranks {
                bail!(
                    "--ranks {n}: {} already runs under an MPI launcher, which chose the \
                     ranks; leave --ranks out (or run logprof without mpirun)",
                    self.command
                );
            }
            return rank();
        }
        let mut args = vec![OsString::from(self.command)];
        args.extend(self.options);
        args.push("--out".into());
        args.push(std::path::absolute(self.out).context("--out")?.into());
        if let Some(export) = self.export {
            for (option, file) in export.files() {
                args.push(option.into());
                args.push(std::path::absolute(file).context(option)?.into());
            }
        }
        let ranks = self.ranks.unwrap_or(self.default_ranks);
        mpirun(ranks, self.mpirun_options, args)
    }
}

/// `mpirun [options] -n ranks <this program> args...`: the ranks' table on
/// stdout (through [`crate::console`], so a closed pipe only silences it);
/// their messages on stderr, or one line when a rank failed. Whatever way
/// it ends (an error, a failed rank, an interrupt), no process it started
/// is left running ([`crate::children`]).
fn mpirun(ranks: u32, options: &[&str], args: Vec<OsString>) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find this program to start its ranks")?;
    let mut mpirun = Command::new("mpirun");
    mpirun
        .args(options)
        .arg("-n")
        .arg(ranks.to_string())
        .arg(exe)
        .args(args)
        // Open MPI refuses root and more ranks than cores unless told.
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env(CORES_VAR, cores().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group: a Ctrl-C reaches this process alone, which
    // ends mpirun and the ranks in order.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut mpirun, 0);
    crate::children::adopt_orphans();
    let mut child = match mpirun.spawn() {
        Ok(child) => Launched(child),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "cannot start mpirun: it is not on the PATH; install Open MPI \
             (apt-get install openmpi-bin) or start the ranks with your MPI's launcher"
        ),
        Err(e) => return Err(e).context("cannot start mpirun"),
    };
    let stderr = child.0.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).map(|_| text)
        })
    });
    if let Some(stdout) = child.0.stdout.take() {
        let mut stdout = std::io::BufReader::new(stdout);
        let mut line = Vec::new();
        while stdout
            .read_until(b'\n', &mut line)
            .context("cannot read mpirun's output")?
            > 0
        {
            crate::out!("{}", String::from_utf8_lossy(&line))?;
            line.clear();
        }
    }
    let stderr = match stderr.map(std::thread::JoinHandle::join) {
        Some(Ok(read)) => read.context("cannot read mpirun's messages")?,
        _ => String::new(),
    };
    let status = child.0.wait().context("mpirun")?;
    if status.success() {
        eprint!("{stderr}");
        return Ok(());
    }
    // A rank that failed: whatever mpirun left behind.
    crate::children::end_all();
    bail!("{}", failure_line(ranks, status.code(), &stderr))
}

/// A started `mpirun`, ended with its ranks when dropped before it exited
/// (an error on the way).
struct Launched(std::process::Child);

impl Drop for Launched {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            crate::children::end_tree(self.0.id() as i32);
            let _ = self.0.wait();
        }
    }
}

/// `items` as the arguments of a command line.
pub fn os_args(items: &[&str]) -> Vec<OsString> {
    items.iter().map(OsString::from).collect()
}

/// Runs `work` on this rank after starting MPI; an error ends every rank
/// (`MPI_Abort`) after one line naming this rank.
#[cfg(feature = "mpi")]
pub fn on_every_rank(work: impl FnOnce(&logprof::ranks::Ranks) -> Result<()>) -> Result<()> {
    use mpi::traits::Communicator;

    let ranks = logprof::ranks::Ranks::init().context("cannot start MPI")?;
    if let Err(error) = work(&ranks) {
        if ranks.size() == 1 {
            // No other rank to end: one line, without MPI_Abort's banner.
            return Err(error);
        }
        eprintln!(
            "error: rank {}: {}",
            ranks.rank(),
            crate::console::one_line(&error)
        );
        ranks.world().abort(1);
    }
    Ok(())
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
