//! The one error type of the fractal side of the crate.

use std::fmt;

/// A bad parameter or a failure to start the pool; every fallible function
/// of the fractal side returns it instead of panicking.
///
/// The messages name the parameter, the value given and what is accepted, so
/// a command-line tool can print them as they are.
#[derive(Clone, Debug, PartialEq)]
pub enum KernelError {
    /// A pool of zero threads was asked for.
    ZeroThreads,
    /// An image size outside `1..=MAX_N`.
    InvalidSize {
        /// The size given.
        n: usize,
    },
    /// A non-finite constant `c`.
    InvalidConstant {
        /// Real part given.
        c_re: f64,
        /// Imaginary part given.
        c_im: f64,
    },
    /// A schedule parameter that is zero (chunk, ntasks, basesize).
    InvalidParameter {
        /// The schedule's name, e.g. `"chunked"`.
        schedule: &'static str,
        /// The parameter's name, e.g. `"chunk"`.
        param: &'static str,
        /// The value given.
        value: usize,
    },
    /// A schedule name that is not one of [`Schedule::NAMES`](crate::Schedule::NAMES).
    UnknownSchedule {
        /// The name given.
        name: String,
    },
    /// A parameter given to a schedule that takes none (`serial`, `static`, ...).
    UnexpectedParameter {
        /// The schedule's name.
        schedule: &'static str,
        /// The parameter text given.
        given: String,
    },
    /// A schedule parameter that is not a whole number, or a malformed
    /// `name(param=value)` text.
    MalformedParameter {
        /// The schedule's name (or the whole text when the name is unclear).
        schedule: String,
        /// The text that did not parse.
        given: String,
    },
    /// A kernel name that is neither `scalar` nor `simd`.
    UnknownKernel {
        /// The name given.
        name: String,
    },
    /// An instruction set asked for explicitly that this CPU does not have.
    UnsupportedIsa {
        /// The instruction set's name.
        isa: &'static str,
    },
    /// A column buffer whose length is not the image size.
    ColumnLength {
        /// Expected length (the image size n).
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A column index outside `0..n`.
    ColumnOutOfRange {
        /// The column given.
        col: usize,
        /// The image size.
        n: usize,
    },
    /// The worker threads could not be started.
    PoolBuild {
        /// What the thread pool builder said.
        message: String,
    },
    /// A shared-memory experiment on ranks that are not all on one node:
    /// memory is shared only within a node.
    NotOnOneNode {
        /// The ranks in all.
        ranks: usize,
        /// The ranks on rank 0's node.
        on_node: usize,
    },
    /// An MPI call that returned an error code.
    Mpi {
        /// The call and what it returned.
        message: String,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::ZeroThreads => {
                write!(f, "threads must be at least 1, got 0")
            }
            KernelError::InvalidSize { n } => write!(
                f,
                "image size n must be between 1 and {}, got {n}",
                crate::MAX_N
            ),
            KernelError::InvalidConstant { c_re, c_im } => {
                write!(f, "the constant c must be finite, got c = {c_re} + {c_im}i")
            }
            KernelError::InvalidParameter {
                schedule,
                param,
                value,
            } => write!(
                f,
                "schedule {schedule}: {param} must be at least 1, got {param}={value}"
            ),
            KernelError::UnknownSchedule { name } => write!(
                f,
                "unknown schedule {name:?}; valid schedules are: {}",
                crate::Schedule::NAMES.join(", ")
            ),
            KernelError::UnexpectedParameter { schedule, given } => write!(
                f,
                "schedule {schedule} takes no parameter, got {given:?}; \
                 only chunked, forkjoin, rayon and depthfirst take one"
            ),
            KernelError::MalformedParameter { schedule, given } => write!(
                f,
                "schedule {schedule}: cannot read the parameter {given:?}; \
                 write a whole number, e.g. `chunked(4)` or `rayon(basesize=2)`"
            ),
            KernelError::UnknownKernel { name } => write!(
                f,
                "unknown kernel {name:?}; valid kernels are: scalar, simd"
            ),
            KernelError::UnsupportedIsa { isa } => write!(
                f,
                "this CPU does not support {isa}; use Isa::detect() for the best available"
            ),
            KernelError::ColumnLength { expected, got } => write!(
                f,
                "a column buffer must hold n = {expected} pixels, got {got}"
            ),
            KernelError::ColumnOutOfRange { col, n } => {
                write!(f, "column {col} is outside the image (n = {n})")
            }
            KernelError::PoolBuild { message } => {
                write!(f, "cannot start the worker threads: {message}")
            }
            KernelError::NotOnOneNode { ranks, on_node } => write!(
                f,
                "rank 0's node holds {on_node} of the {ranks} ranks, but an MPI \
                 shared-memory window needs every rank on one node; run the ranks on one \
                 host"
            ),
            KernelError::Mpi { message } => write!(f, "MPI: {message}"),
        }
    }
}

impl std::error::Error for KernelError {}
