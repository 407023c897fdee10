//! # logprof: a logging profiler for parallel code
//!
//! logprof records the enter and exit of chosen calls on every thread, cheaply
//! enough that the timeline of a parallel kernel shows the kernel and not the
//! profiler, and turns the records into a [`Trace`]: one lane per thread,
//! one span per call. It is the Rust counterpart of the `LoggingProfiler` of
//! the Julia lecture (`@recordfun`, `initbuffer!`, `recorded`,
//! `adjustbuffer!`).
//!
//! ```
//! fn column(j: usize) -> usize { j * 2 }
//!
//! logprof::init_buffer(1 << 12);
//! let total: usize = (0..100).map(|j| logprof::record_fn!(column(j))).sum();
//! assert_eq!(total, 9900);
//! let trace = logprof::collect();
//! assert_eq!(trace.span_count(), 100);
//! let summary = trace.summary();
//! assert!(summary.wall_ns > 0);
//! ```
//!
//! ## The workflow
//!
//! 1. [`init_buffer`] preallocates a ring buffer of a given number of events
//!    for every thread that records.
//! 2. Run the code with calls wrapped in [`record_fn!`] or [`scope!`].
//! 3. [`recorded`] tells how many events were produced and lost; if any were
//!    lost, [`adjust_buffer`] resizes the buffers so the same run again loses
//!    nothing (dry run, adjust, real run).
//! 4. [`collect`] turns the buffers into a [`Trace`]; [`Trace::summary`]
//!    computes the load-balance metrics; [`Trace::write_chrome_json`] saves it
//!    for Perfetto, `chrome://tracing` or speedscope.
//!
//! ## Costs
//!
//! Recording one call costs two clock reads (the CPU's invariant time-stamp
//! counter where it has one) and two 16-byte stores into a thread-local
//! buffer: no lock, no allocation, no atomic read-modify-write. A call site
//! is registered once, on its first use, and afterwards referred to by a
//! small id. A disabled or filtered-out call site costs one load and a
//! branch. `collect` and everything after it are allowed to be slow.
//!
//! ## What this crate is not
//!
//! It does not sample, does not unwind stacks, and records only the calls you
//! mark. Pictures live in `logprof-viz`, workloads in `logprof-kernels`.

mod callsite;
pub mod chrome;
mod clock;
mod filter;
mod function_totals;
mod offcpu;
mod output;
#[cfg(feature = "mpi")]
pub mod ranks;
mod recorder;
mod reentry;
mod ring;
mod summary;
mod summary_text;
mod sync;
mod trace;
#[cfg(feature = "tracing")]
mod tracing_layer;

pub use callsite::{Callsite, SpanGuard};
pub use chrome::{ChromeJsonError, TraceFileError};
pub use clock::clock_name;
pub use filter::{allow, deny, is_enabled, reset_filters, set_enabled};
pub use offcpu::{OffCpu, OffCpuKind, OffCpuStatus};
pub use output::write_atomically;
pub use recorder::{
    adjust_buffer, clear, collect, init_buffer, recorded, recording_id, register_thread, Recorded,
};
pub use summary::{FunctionSummary, LaneSummary, Summary};
pub use trace::{
    CounterTrack, InstantEvent, Lane, Losses, NameId, NameTable, Repairs, Span, Trace,
};
#[cfg(feature = "tracing")]
pub use tracing_layer::TracingLayer;

/// Records a call: evaluates it, returns its value, and records an enter
/// before and an exit after it on the current thread's lane.
///
/// The span is named after the called path as written:
/// `record_fn!(juliaset_column(&mut img, j))` records `juliaset_column`,
/// `record_fn!(kernels::column(j))` records `kernels::column`, and a method
/// call `record_fn!(img.fill(0))` records `fill`; generic arguments are left
/// out of the name (`record_fn!(parse::<u32>(s))` records `parse`). The exit
/// is recorded even if the call panics.
///
/// The arguments (and a method's receiver) are evaluated inside the span, as
/// part of the call; bind them first if they are expensive and should not
/// count.
#[macro_export]
macro_rules! record_fn {
    ($first:ident $(:: $rest:ident)* ( $($args:tt)* )) => {{
        static CALLSITE: $crate::Callsite =
            $crate::Callsite::new(concat!(stringify!($first) $(, "::", stringify!($rest))*));
        let _logprof_guard = CALLSITE.enter();
        $first $(:: $rest)* ( $($args)* )
    }};
    ($($call:tt)+) => {
        $crate::__record_method!([] $($call)+)
    };
}

/// Implementation detail of [`record_fn!`]: finds the last `.method(args)` of
/// a method-call chain, or the arguments of a generic path.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_method {
    ([$($receiver:tt)+] . $method:ident ( $($args:tt)* )) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::new(stringify!($method));
        let _logprof_guard = CALLSITE.enter();
        $($receiver)+ . $method ( $($args)* )
    }};
    ([$($receiver:tt)+] . $method:ident :: < $($generic:ty),+ > ( $($args:tt)* )) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::new(stringify!($method));
        let _logprof_guard = CALLSITE.enter();
        $($receiver)+ . $method :: < $($generic),+ > ( $($args)* )
    }};
    // Any other callee followed by its arguments: a path with generic
    // arguments (`parse::<u32>(s)`, `Vec::<u8>::with_capacity(n)`).
    ([$($callee:tt)+] ( $($args:tt)* )) => {{
        static CALLSITE: $crate::Callsite =
            $crate::Callsite::new_generic_path(stringify!($($callee)+));
        let _logprof_guard = CALLSITE.enter();
        $($callee)+ ( $($args)* )
    }};
    ([$($receiver:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__record_method!([$($receiver)* $next] $($rest)*)
    };
    ([$($receiver:tt)*]) => {
        compile_error!("record_fn! expects a call: `f(args)`, `path::f(args)` or `value.method(args)`")
    };
}

/// Records a scope: `let _span = scope!("name");` records an enter now and
/// the exit when the guard is dropped.
#[macro_export]
macro_rules! scope {
    ($name:expr) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::new($name);
        CALLSITE.enter()
    }};
}
