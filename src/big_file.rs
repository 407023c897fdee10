//! When a trace file is too big to read whole: an `.lpt` file above
//! [`STREAM_ABOVE`] bytes (or `LOGPROF_STREAM_ABOVE`) is read by `report`
//! and `render` in one pass chunk by chunk (`logprof_trace::pass`), and
//! refused by the commands that need its spans in memory (`simulate
//! --trace`), with what to do instead.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Result};

/// An `.lpt` file above this many bytes is read in one pass: a span takes
/// some 3 bytes in the file and some 90 in memory, so 64 MiB of file is
/// about 20 M spans and 2 GB read whole.
pub const STREAM_ABOVE: u64 = 64 << 20;

/// The variable that sets [`STREAM_ABOVE`] (in bytes) for a run.
pub const STREAM_ABOVE_VAR: &str = "LOGPROF_STREAM_ABOVE";

/// How a command asked to read a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMode {
    /// By its size: in one pass when it is an `.lpt` file above the limit.
    Auto,
    /// In one pass (`--stream`); an error for a file that is not `.lpt`.
    Stream,
    /// Whole (`--whole`), whatever its size.
    Whole,
}

impl ReadMode {
    /// The mode of a command's `--stream` and `--whole` flags.
    pub fn of_flags(stream: bool, whole: bool) -> ReadMode {
        match (stream, whole) {
            (true, _) => ReadMode::Stream,
            (_, true) => ReadMode::Whole,
            _ => ReadMode::Auto,
        }
    }
}

/// The limit in force: [`STREAM_ABOVE_VAR`] when set to a number of bytes.
fn limit() -> Result<u64> {
    match std::env::var(STREAM_ABOVE_VAR) {
        Err(_) => Ok(STREAM_ABOVE),
        Ok(v) => match v.trim().parse() {
            Ok(n) => Ok(n),
            Err(_) => bail!(
                "{STREAM_ABOVE_VAR}={v}: give a number of bytes (the size above which an .lpt \
                 file is read in one pass), or unset it for {STREAM_ABOVE}"
            ),
        },
    }
}

/// Why `path` is read in one pass (a sentence), or `None` to read it
/// whole.
pub fn stream_reason(path: &Path, mode: ReadMode) -> Result<Option<String>> {
    if mode == ReadMode::Whole {
        return Ok(None);
    }
    let is_lpt = {
        let mut head = [0u8; 8];
        let mut f = std::fs::File::open(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let got = f.read(&mut head).unwrap_or(0);
        logprof_trace::compact::is_compact(&head[..got])
    };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    match mode {
        ReadMode::Stream if !is_lpt => bail!(
            "--stream: {} is not a logprof .lpt file; only .lpt files are read in one pass \
             (convert it first: logprof convert {} trace.lpt)",
            path.display(),
            path.display()
        ),
        ReadMode::Stream => Ok(Some("--stream".to_owned())),
        _ => {
            let limit = limit()?;
            Ok((is_lpt && size > limit)
                .then(|| format!("a .lpt file of {}, above {}", mb(size), mb(limit))))
        }
    }
}

/// Refuses a file [`stream_reason`] would read in one pass, for a command
/// (`what`) that needs its spans in memory.
pub fn refuse_big(path: &Path, what: &str) -> Result<()> {
    if let Some(reason) = stream_reason(path, ReadMode::Auto)? {
        bail!(
            "{}: {reason}. {what} needs the trace whole in memory (about 30 times the file's \
             size); record fewer iterations or a shorter run, or set {STREAM_ABOVE_VAR} to a \
             larger number of bytes if memory allows. `logprof report` and `render` read such \
             a file in one pass",
            path.display()
        );
    }
    Ok(())
}

/// Bytes as MiB (or bytes) for a sentence.
fn mb(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    } else {
        format!("{bytes} bytes")
    }
}
