//! The error type of every fallible call in this crate.

use std::error::Error;
use std::io;
use std::path::{Path, PathBuf};

/// Why a picture could not be drawn or written.
///
/// `Display` names the file or the option at fault and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VizError {
    /// The output file could not be written (missing directory, no
    /// permission, full disk). Nothing was left at `path`: files are written
    /// to a temporary name and renamed only once complete.
    #[error(
        "cannot write {}: {source} (check that the directory exists and is writable)",
        .path.display()
    )]
    Write {
        /// The file that was to be written.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An option makes no picture (a width too small to hold the labels, an
    /// empty or reversed time range, a chart with no points).
    #[error("{option}: {problem}")]
    InvalidOption {
        /// Which option, with its value.
        option: String,
        /// What is wrong and what would work.
        problem: String,
    },
    /// The SVG could not be turned into a PNG (it did not parse, or the
    /// image would be too large to allocate).
    #[error("cannot render {} as PNG: {problem}", png_target(.path.as_deref()))]
    Rasterize {
        /// The PNG file being written, if any.
        path: Option<PathBuf>,
        /// What went wrong (quoting `source`'s message when there is one).
        problem: String,
        /// The renderer's or encoder's own error, when one caused this.
        #[source]
        source: Option<Box<dyn Error + Send + Sync>>,
    },
    /// A chart could not be drawn: its data cannot be shown (no points, a
    /// non-finite value, pieces that do not cover the units) or plotters
    /// failed while drawing it.
    #[error("cannot draw the chart \"{title}\": {problem}")]
    Chart {
        /// The chart's title.
        title: String,
        /// What went wrong (quoting `source`'s message when there is one).
        problem: String,
        /// plotters' own error, when it failed while drawing.
        #[source]
        source: Option<Box<dyn Error + Send + Sync>>,
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

    pub(crate) fn rasterize(path: Option<&Path>, problem: impl Into<String>) -> VizError {
        VizError::Rasterize {
            path: path.map(Path::to_path_buf),
            problem: problem.into(),
            source: None,
        }
    }

    pub(crate) fn chart(title: impl Into<String>, problem: impl Into<String>) -> VizError {
        VizError::Chart {
            title: title.into(),
            problem: problem.into(),
            source: None,
        }
    }

    /// The same error with `cause` as its [`source`](Error::source), on the
    /// variants that hold one; the message, which already quotes the cause,
    /// stays as it is.
    pub(crate) fn caused_by(mut self, cause: impl Error + Send + Sync + 'static) -> VizError {
        match &mut self {
            VizError::Rasterize { source, .. } | VizError::Chart { source, .. } => {
                *source = Some(Box::new(cause));
            }
            VizError::Write { .. } | VizError::InvalidOption { .. } => {}
        }
        self
    }

    /// The same error, now naming the PNG file it was for.
    pub(crate) fn for_png(self, png: &Path) -> VizError {
        match self {
            VizError::Rasterize {
                path: None,
                problem,
                source,
            } => VizError::Rasterize {
                path: Some(png.to_path_buf()),
                problem,
                source,
            },
            other => other,
        }
    }
}

/// What a [`VizError::Rasterize`] message names: the PNG file, or else the
/// SVG it was rendered from.
fn png_target(path: Option<&Path>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => "the SVG".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;
    use std::io;

    use plotters::drawing::DrawingAreaErrorKind;
    use resvg::usvg;

    use super::VizError;
    use crate::{svg_to_png, write_rgb_png, LineChart};

    #[test]
    fn a_write_into_a_missing_folder_is_an_io_error_underneath() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent").join("x.png");
        let err = write_rgb_png(&path, 1, 1, &[0, 0, 0]).unwrap_err();
        assert!(matches!(err, VizError::Write { .. }), "{err:?}");
        let io = err
            .source()
            .and_then(|s| s.downcast_ref::<io::Error>())
            .expect("an io::Error");
        assert_eq!(io.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            err.to_string(),
            format!(
                "cannot write {}: {io} (check that the directory exists and is writable)",
                path.display()
            )
        );
    }

    #[test]
    fn an_svg_that_does_not_parse_keeps_usvgs_error() {
        let err = svg_to_png("<svg").unwrap_err();
        let usvg_error = err
            .source()
            .and_then(|s| s.downcast_ref::<usvg::Error>())
            .expect("a usvg::Error");
        assert_eq!(
            err.to_string(),
            format!("cannot render the SVG as PNG: the SVG does not parse: {usvg_error}")
        );
        // Naming the PNG file keeps the cause.
        let err = err.for_png("out.png".as_ref());
        assert!(err
            .to_string()
            .starts_with("cannot render out.png as PNG: "));
        assert!(err
            .source()
            .is_some_and(|s| s.downcast_ref::<usvg::Error>().is_some()));
    }

    #[test]
    fn a_plotters_failure_is_the_charts_source() {
        type PlotError = DrawingAreaErrorKind<io::Error>;
        let plotters_error = PlotError::LayoutError;
        let err = VizError::chart("speedup", plotters_error.to_string()).caused_by(plotters_error);
        assert!(err
            .source()
            .is_some_and(|s| s.downcast_ref::<PlotError>().is_some()));
        assert_eq!(
            err.to_string(),
            format!(
                "cannot draw the chart \"speedup\": {}",
                PlotError::LayoutError
            )
        );
    }

    #[test]
    fn errors_of_the_callers_making_have_no_source() {
        let err = LineChart::new("empty", "x", "y")
            .to_svg_string()
            .unwrap_err();
        assert!(matches!(err, VizError::Chart { .. }), "{err:?}");
        assert!(err.source().is_none());
        assert_eq!(
            err.to_string(),
            "cannot draw the chart \"empty\": no series has any point; add points to `series`"
        );
        let err = VizError::option("width 10", "too small");
        assert!(err.source().is_none());
        assert_eq!(err.to_string(), "width 10: too small");
        let err = VizError::rasterize(None, "too large");
        assert!(err.source().is_none());
        assert_eq!(err.to_string(), "cannot render the SVG as PNG: too large");
    }
}
