//! The one error type of the fractal side of the crate, and [`Cause`], the
//! error of another library kept inside it.

use std::error::Error;
use std::ops::Deref;
use std::sync::Arc;

/// A bad parameter or a failure to start the pool; every fallible function
/// of the fractal side returns it instead of panicking.
///
/// The messages name the parameter, the value given and what is accepted, so
/// a command-line tool can print them as they are.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum KernelError {
    /// A pool of zero threads was asked for.
    #[error("threads must be at least 1, got 0")]
    ZeroThreads,
    /// An image size outside `1..=MAX_N`.
    #[error("image size n must be between 1 and {}, got {n}", crate::MAX_N)]
    InvalidSize {
        /// The size given.
        n: usize,
    },
    /// A non-finite constant `c`.
    #[error("the constant c must be finite, got c = {c_re} + {c_im}i")]
    InvalidConstant {
        /// Real part given.
        c_re: f64,
        /// Imaginary part given.
        c_im: f64,
    },
    /// A schedule parameter that is zero (chunk, ntasks, basesize).
    #[error("schedule {schedule}: {param} must be at least 1, got {param}={value}")]
    InvalidParameter {
        /// The schedule's name, e.g. `"chunked"`.
        schedule: &'static str,
        /// The parameter's name, e.g. `"chunk"`.
        param: &'static str,
        /// The value given.
        value: usize,
    },
    /// A schedule name that is not one of [`Schedule::NAMES`](crate::Schedule::NAMES).
    #[error(
        "unknown schedule {name:?}; valid schedules are: {}",
        crate::Schedule::NAMES.join(", ")
    )]
    UnknownSchedule {
        /// The name given.
        name: String,
    },
    /// A parameter given to a schedule that takes none (`serial`, `static`, ...).
    #[error(
        "schedule {schedule} takes no parameter, got {given:?}; \
         only chunked, forkjoin, rayon and depthfirst take one"
    )]
    UnexpectedParameter {
        /// The schedule's name.
        schedule: &'static str,
        /// The parameter text given.
        given: String,
    },
    /// A schedule parameter that is not a whole number, or a malformed
    /// `name(param=value)` text.
    #[error(
        "schedule {schedule}: cannot read the parameter {given:?}; \
         write a whole number, e.g. `chunked(4)` or `rayon(basesize=2)`"
    )]
    MalformedParameter {
        /// The schedule's name (or the whole text when the name is unclear).
        schedule: String,
        /// The text that did not parse.
        given: String,
    },
    /// A kernel name that is neither `scalar` nor `simd`.
    #[error("unknown kernel {name:?}; valid kernels are: scalar, simd")]
    UnknownKernel {
        /// The name given.
        name: String,
    },
    /// An instruction set asked for explicitly that this CPU does not have.
    #[error("this CPU does not support {isa}; use Isa::detect() for the best available")]
    UnsupportedIsa {
        /// The instruction set's name.
        isa: &'static str,
    },
    /// A column buffer whose length is not the image size.
    #[error("a column buffer must hold n = {expected} pixels, got {got}")]
    ColumnLength {
        /// Expected length (the image size n).
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A column index outside `0..n`.
    #[error("column {col} is outside the image (n = {n})")]
    ColumnOutOfRange {
        /// The column given.
        col: usize,
        /// The image size.
        n: usize,
    },
    /// The worker threads could not be started.
    #[error("cannot start the worker threads: {message}")]
    PoolBuild {
        /// What the thread pool builder said.
        message: String,
        /// The thread pool builder's error (a `rayon::ThreadPoolBuildError`,
        /// whose own source is the `io::Error` of the thread that could not
        /// be started).
        source: Cause,
    },
    /// A shared-memory experiment on ranks that are not all on one node:
    /// memory is shared only within a node.
    #[error(
        "rank 0's node holds {on_node} of the {ranks} ranks, but an MPI \
         shared-memory window needs every rank on one node; run the ranks on one \
         host"
    )]
    NotOnOneNode {
        /// The ranks in all.
        ranks: usize,
        /// The ranks on rank 0's node.
        on_node: usize,
    },
    /// An MPI call that returned an error code.
    #[error("MPI: {message}")]
    Mpi {
        /// The call and what it returned.
        message: String,
    },
}

impl KernelError {
    /// The error for a thread pool that rayon could not build, keeping
    /// rayon's error as the source.
    pub(crate) fn pool_build(error: rayon::ThreadPoolBuildError) -> KernelError {
        KernelError::PoolBuild {
            message: error.to_string(),
            source: Cause::new(error),
        }
    }
}

/// The error of another library that one of this crate's errors was made
/// from, kept whole as that error's [`source`](Error::source) rather than
/// only as text.
///
/// It is shared, so that [`KernelError`] stays `Clone`, and two are equal
/// when their messages are, so that `KernelError` stays `PartialEq` (the
/// errors compared the cause's text when they kept only that). It
/// dereferences to the error itself, and `source()` gives that error, not
/// this wrapper, so it downcasts to its own type.
#[derive(Clone, Debug)]
pub struct Cause(Arc<dyn Error + Send + Sync>);

impl Cause {
    /// `error`, kept as a cause.
    pub fn new(error: impl Error + Send + Sync + 'static) -> Cause {
        Cause(Arc::new(error))
    }
}

impl Deref for Cause {
    type Target = dyn Error + Send + Sync;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Cause) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}

#[cfg(test)]
mod tests {
    use std::error::Error;
    use std::io;

    use super::{Cause, KernelError};

    /// A real `rayon::ThreadPoolBuildError`: a pool asked to take in a
    /// thread that already works for another pool.
    fn pool_build_error() -> rayon::ThreadPoolBuildError {
        let outer = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        outer
            .install(|| rayon::ThreadPoolBuilder::new().use_current_thread().build())
            .unwrap_err()
    }

    #[test]
    fn pool_build_keeps_rayons_error_as_its_source() {
        let rayon_error = pool_build_error();
        let text = rayon_error.to_string();
        let err = KernelError::pool_build(rayon_error);
        assert_eq!(
            err.to_string(),
            format!("cannot start the worker threads: {text}")
        );
        let source = err.source().expect("a source");
        // The rayon error itself, not the `Cause` around it.
        let rayon_error = source
            .downcast_ref::<rayon::ThreadPoolBuildError>()
            .expect("a ThreadPoolBuildError");
        assert_eq!(rayon_error.to_string(), text);
        // Still Clone and PartialEq, the cause shared by the clone.
        assert_eq!(err.clone(), err);
    }

    #[test]
    fn an_io_cause_stays_an_io_error() {
        let err = KernelError::PoolBuild {
            message: "Resource temporarily unavailable".into(),
            source: Cause::new(io::Error::from(io::ErrorKind::WouldBlock)),
        };
        let io = err
            .source()
            .and_then(|s| s.downcast_ref::<io::Error>())
            .expect("an io::Error");
        assert_eq!(io.kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn causes_compare_by_message() {
        let a = Cause::new(io::Error::other("no threads"));
        assert_eq!(a, Cause::new(io::Error::other("no threads")));
        assert_ne!(a, Cause::new(io::Error::other("no memory")));
    }

    #[test]
    fn parameter_errors_have_no_source_and_the_same_messages() {
        assert!(KernelError::ZeroThreads.source().is_none());
        assert_eq!(
            KernelError::ZeroThreads.to_string(),
            "threads must be at least 1, got 0"
        );
        let err = KernelError::InvalidParameter {
            schedule: "chunked",
            param: "chunk",
            value: 0,
        };
        assert!(err.source().is_none());
        assert_eq!(
            err.to_string(),
            "schedule chunked: chunk must be at least 1, got chunk=0"
        );
        let err = KernelError::UnexpectedParameter {
            schedule: "static",
            given: "4".into(),
        };
        assert_eq!(
            err.to_string(),
            "schedule static takes no parameter, got \"4\"; \
             only chunked, forkjoin, rayon and depthfirst take one"
        );
        assert_eq!(
            KernelError::Mpi {
                message: "MPI_Win_free failed with MPI error 5".into()
            }
            .to_string(),
            "MPI: MPI_Win_free failed with MPI error 5"
        );
    }
}
