//! The errors of reading and writing Chrome JSON: [`TraceFileError`] for a
//! file (which file, and what went wrong) and [`ChromeJsonError`] for text.
//!
//! This module words the problems that come from outside the trace (the file
//! system, the JSON parser). It does not find problems in events: the
//! reader, `events` and `pairing` say what is wrong with an event, and the
//! message travels here as it is.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::error::Category;

/// A trace file that could not be written or read: which file, and what went
/// wrong.
///
/// Displays as `<path>: <problem>`, for example
/// `run.json: the JSON ends too early (EOF while parsing a list at line 3
/// column 0); the file looks truncated: ...`.
#[derive(Debug)]
pub struct TraceFileError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong, in words, with the line and column where the JSON
    /// parser can tell them.
    pub problem: String,
}

impl TraceFileError {
    pub(super) fn new(path: &Path, problem: impl Into<String>) -> TraceFileError {
        TraceFileError {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }

    /// `path` could not be written, with a hint for the usual causes.
    pub(super) fn cannot_write(path: &Path, e: &io::Error) -> TraceFileError {
        let hint = match e.kind() {
            io::ErrorKind::NotFound => " (does its directory exist?)",
            io::ErrorKind::PermissionDenied => " (is its directory writable?)",
            _ => "",
        };
        TraceFileError::new(path, format!("cannot write the trace file: {e}{hint}"))
    }

    /// `path` could not be read, with a hint for a missing file.
    pub(super) fn cannot_read(path: &Path, e: &io::Error) -> TraceFileError {
        let hint = match e.kind() {
            io::ErrorKind::NotFound => " (check the path)",
            _ => "",
        };
        TraceFileError::new(path, format!("cannot read the trace file: {e}{hint}"))
    }
}

impl fmt::Display for TraceFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for TraceFileError {}

/// Chrome trace JSON text that is not a trace logprof can read, from
/// [`Trace::from_chrome_json_str`](crate::Trace::from_chrome_json_str).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChromeJsonError {
    problem: String,
}

impl ChromeJsonError {
    pub(super) fn new(problem: impl Into<String>) -> ChromeJsonError {
        ChromeJsonError {
            problem: problem.into(),
        }
    }

    /// What serde_json reports, in words that say what to check: a file
    /// that ends early was most likely cut off while being written.
    pub(super) fn from_json(e: serde_json::Error) -> ChromeJsonError {
        ChromeJsonError::new(match e.classify() {
            Category::Eof => format!(
                "the JSON ends too early ({e}); the file looks truncated: was the program that \
                 wrote it interrupted?"
            ),
            Category::Syntax => format!("not valid JSON: {e}"),
            Category::Data => format!("not a valid trace: {e}"),
            Category::Io => format!("cannot read: {e}"),
        })
    }

    /// The same problem, found in the file `path`.
    pub(super) fn in_file(self, path: &Path) -> TraceFileError {
        TraceFileError::new(path, self.problem)
    }

    /// What is wrong, in words, with the line and column where the JSON
    /// parser can tell them.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for ChromeJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for ChromeJsonError {}
