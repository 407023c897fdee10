//! Chrome Trace Event JSON: writing and reading trace files (in progress).

use std::path::PathBuf;

/// A trace file that could not be written or read.
#[derive(Debug)]
pub struct TraceFileError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub problem: String,
}
