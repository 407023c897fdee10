//! The one way every command reads a trace file, and writes one a user
//! named: the format is chosen by the file's first bytes when reading
//! (`.lpt`'s magic number, else Chrome JSON), whatever its name, and by
//! the extension when writing (`.lpt`: compact, anything else: Chrome JSON).

use std::io::Read;
use std::path::Path;

use crate::chrome::TraceFileError;
use crate::compact;
use crate::trace::Trace;

/// The formats a trace file can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// logprof's compact format ([`crate::compact`]).
    Compact,
    /// Chrome Trace Event JSON ([`crate::chrome`]).
    ChromeJson,
}

impl TraceFormat {
    /// The format a file written at `path` gets: compact for `.lpt`
    /// (any case), Chrome JSON otherwise.
    pub fn for_path(path: &Path) -> TraceFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("lpt") => TraceFormat::Compact,
            _ => TraceFormat::ChromeJson,
        }
    }

    /// The format of the file at `path`, by its first bytes.
    pub fn of_file(path: &Path) -> Result<TraceFormat, TraceFileError> {
        let mut head = [0u8; 8];
        let mut f = std::fs::File::open(path).map_err(|e| TraceFileError::cannot_read(path, e))?;
        let mut got = 0;
        while got < head.len() {
            match f.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(TraceFileError::cannot_read(path, e)),
            }
        }
        // A file cut inside the magic number is still ours: the compact
        // reader says it is cut.
        Ok(if got > 0 && head[..got] == compact::MAGIC[..got] {
            TraceFormat::Compact
        } else {
            TraceFormat::ChromeJson
        })
    }
}

impl Trace {
    /// Reads a trace file in any format logprof reads, chosen by its first
    /// bytes, not its name: `.lpt` ([`Trace::read_lpt`]) or Chrome JSON
    /// ([`Trace::read_chrome_json`]).
    pub fn read_file(path: impl AsRef<Path>) -> Result<Trace, TraceFileError> {
        let path = path.as_ref();
        match TraceFormat::of_file(path)? {
            TraceFormat::Compact => Trace::read_lpt(path),
            TraceFormat::ChromeJson => Trace::read_chrome_json(path),
        }
    }

    /// Writes the trace to `path` atomically, in the format its extension
    /// names ([`TraceFormat::for_path`]).
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<(), TraceFileError> {
        let path = path.as_ref();
        match TraceFormat::for_path(path) {
            TraceFormat::Compact => self.write_lpt(path),
            TraceFormat::ChromeJson => self.write_chrome_json(path),
        }
    }
}
