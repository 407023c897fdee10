//! The error type of every fallible call in this crate.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a picture could not be drawn or written.
///
/// `Display` names the file or the option at fault and what to do about it.
#[derive(Debug)]
#[non_exhaustive]
pub enum VizError {
    /// The output file could not be written (missing directory, no
    /// permission, full disk). Nothing was left at `path`: files are written
    /// to a temporary name and renamed only once complete.
    Write {
        /// The file that was to be written.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An option makes no picture (a width too small to hold the labels, an
    /// empty or reversed time range, a chart with no points).
    InvalidOption {
        /// Which option, with its value.
        option: String,
        /// What is wrong and what would work.
        problem: String,
    },
    /// The SVG could not be turned into a PNG (it did not parse, or the
    /// image would be too large to allocate).
    Rasterize {
        /// The PNG file being written, if any.
        path: Option<PathBuf>,
        /// What went wrong.
        problem: String,
    },
    /// A chart could not be drawn: its data cannot be shown (no points, a
    /// non-finite value, pieces that do not cover the units) or plotters
    /// failed while drawing it.
    Chart {
        /// The chart's title.
        title: String,
        /// What went wrong.
        problem: String,
    },
}

impl VizError {
    pub(crate) fn write(path: &Path, source: io::Error) -> VizError {
        VizError::Write {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn option(option: impl Into<String>, problem: impl Into<String>) -> VizError {
        VizError::InvalidOption {
            option: option.into(),
            problem: problem.into(),
        }
    }

    /// The same error, now naming the PNG file it was for.
    pub(crate) fn for_png(self, png: &Path) -> VizError {
        match self {
            VizError::Rasterize {
                path: None,
                problem,
            } => VizError::Rasterize {
                path: Some(png.to_path_buf()),
                problem,
            },
            other => other,
        }
    }
}

impl fmt::Display for VizError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VizError::Write { path, source } => write!(
                f,
                "cannot write {}: {source} (check that the directory exists and is writable)",
                path.display()
            ),
            VizError::InvalidOption { option, problem } => write!(f, "{option}: {problem}"),
            VizError::Rasterize {
                path: Some(path),
                problem,
            } => write!(f, "cannot render {} as PNG: {problem}", path.display()),
            VizError::Rasterize {
                path: None,
                problem,
            } => write!(f, "cannot render the SVG as PNG: {problem}"),
            VizError::Chart { title, problem } => {
                write!(f, "cannot draw the chart \"{title}\": {problem}")
            }
        }
    }
}

impl std::error::Error for VizError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VizError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}
