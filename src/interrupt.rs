//! An interrupt (Ctrl-C, SIGTERM, SIGHUP) ends a command cleanly: the
//! processes it started (`mpirun` and its ranks) are ended by their ids
//! ([`crate::children`]), the output directory it was building is removed
//! (the old output stays whole), and it exits with 130 and one line.
//!
//! An output directory being swapped in ([`uninterrupted`]) is finished
//! first, so an interrupt never leaves the target half replaced.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The exit code of an interrupted command (128 + SIGINT, as shells say).
pub const EXIT_CODE: i32 = 130;

/// The output directories under construction, removed on an interrupt.
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn staging() -> MutexGuard<'static, Vec<PathBuf>> {
    STAGING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the handler. Not in a rank started by `mpirun`: `mpirun` ends
/// its ranks itself, and the next run removes what a rank left.
pub fn install() {
    // Only fails when a handler is already set: nothing to do then.
    let _ = ctrlc::set_handler(on_interrupt);
}

fn on_interrupt() {
    // Held to the exit: no directory is swapped in or registered after.
    let dirs = staging();
    crate::children::end_all();
    for dir in dirs.iter() {
        let _ = std::fs::remove_dir_all(dir);
    }
    let _ = writeln!(
        std::io::stderr(),
        "error: interrupted: the output directory, if any, is as it was"
    );
    std::process::exit(EXIT_CODE);
}

/// A directory under construction, removed on an interrupt while this
/// value lives.
pub struct Staging(PathBuf);

impl Staging {
    /// Registers `dir`.
    pub fn register(dir: &Path) -> Staging {
        staging().push(dir.to_owned());
        Staging(dir.to_owned())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        staging().retain(|d| *d != self.0);
    }
}

/// Runs `work` (the renames that swap a directory in) with interrupts held
/// off until it is done.
pub fn uninterrupted<T>(work: impl FnOnce() -> T) -> T {
    let _held = staging();
    work()
}
