//! The errors of reading and writing Chrome JSON: [`TraceFileError`] for a
//! file (which file, and what went wrong) and [`ChromeJsonError`] for text.
//!
//! This module words the problems that come from outside the trace (the file
//! system, the JSON parser). It does not find problems in events: the
//! reader, `builder` and `pairing` say what is wrong with an event, and the
//! message travels here as it is.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::error::Category;

/// A trace file that could not be written or read: which file, and what went
/// wrong.
///
/// Displays as `<path>: <problem>`, for example
/// `run.json: the JSON ends too early (EOF while parsing a list at line 3
/// column 0); the file looks truncated: ...`. When the file system refused,
/// [`source`](std::error::Error::source) is its [`io::Error`], kept as it
/// was, so a caller can ask its kind.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct TraceFileError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong, in words, with the line and column where the JSON
    /// parser can tell them (and the I/O error's text, when there is one).
    pub problem: String,
    /// The error underneath, when there is one (an [`io::Error`]).
    #[source]
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TraceFileError {
    pub(crate) fn new(path: &Path, problem: impl Into<String>) -> TraceFileError {
        TraceFileError {
            path: path.to_path_buf(),
            problem: problem.into(),
            cause: None,
        }
    }

    /// `path` could not be read or written: `what` failed with `err`. The
    /// problem reads `<what>: <err>`, and `err` is kept as the
    /// [`source`](std::error::Error::source).
    pub fn io_error(path: &Path, what: &str, err: io::Error) -> TraceFileError {
        TraceFileError {
            path: path.to_path_buf(),
            problem: format!("{what}: {err}"),
            cause: Some(Box::new(err)),
        }
    }

    /// `path` could not be written, with a hint for the usual causes.
    pub(crate) fn cannot_write(path: &Path, e: io::Error) -> TraceFileError {
        let hint = match e.kind() {
            io::ErrorKind::NotFound => " (does its directory exist?)",
            io::ErrorKind::PermissionDenied => " (is its directory writable?)",
            _ => "",
        };
        TraceFileError::io_error(path, "cannot write the trace file", e).with_hint(hint)
    }

    /// `path` could not be read, with a hint for a missing file.
    pub(crate) fn cannot_read(path: &Path, e: io::Error) -> TraceFileError {
        let hint = match e.kind() {
            io::ErrorKind::NotFound => " (check the path)",
            _ => "",
        };
        TraceFileError::io_error(path, "cannot read the trace file", e).with_hint(hint)
    }

    /// The same error, its problem followed by `hint`.
    fn with_hint(mut self, hint: &str) -> TraceFileError {
        self.problem.push_str(hint);
        self
    }
}

/// Chrome trace JSON text that is not a trace logprof can read, from
/// [`Trace::from_chrome_json_str`](crate::Trace::from_chrome_json_str).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
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

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    #[test]
    fn a_file_that_cannot_be_read_keeps_the_io_error_as_its_source() {
        let path = Path::new("/nonexistent/logprof/run.json");
        let err = TraceFileError::cannot_read(path, io::Error::from(io::ErrorKind::NotFound));
        let source = err.source().expect("an I/O error underneath");
        let io = source
            .downcast_ref::<io::Error>()
            .expect("kept as io::Error");
        assert_eq!(io.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().ends_with("(check the path)"), "{err}");
        assert!(err
            .to_string()
            .starts_with("/nonexistent/logprof/run.json: "));
    }

    #[test]
    fn a_file_that_cannot_be_written_keeps_the_io_error_as_its_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("run.json");
        let err = crate::Trace::new().write_chrome_json(&path).unwrap_err();
        let io = err.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(io.map(io::Error::kind), Some(io::ErrorKind::NotFound));
        assert!(err.problem.contains("does its directory exist?"), "{err}");
        // A problem found in the text has no error underneath.
        let text = ChromeJsonError::new("not a trace").in_file(&path);
        assert!(text.source().is_none());
    }
}
