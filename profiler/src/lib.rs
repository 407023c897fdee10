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
//! ## Beyond plain spans
//!
//! - A span can carry one integer given at its enter: `scope!("read", index)`,
//!   `record_fn!(column(j); j)` ([`Span::value`]), and one known only at its
//!   exit: `record_fn!(column(j); j => |out| cost(out))`,
//!   [`SpanGuard::end_with`] ([`Span::result`]). Chrome JSON shows them as
//!   `"args":{"value":…,"result":…}`.
//! - String literals name spans for free; a name known only at run time is
//!   interned once with [`Name::new`] and then passed like a literal.
//! - [`region!`] records a scope whose name marks a region of the run (a
//!   serial phase, a parallel loop): [`Trace::regions`] then reports each
//!   region's load balance and what balancing it could save, as `logprof
//!   report` prints under "where the time goes".
//! - [`instant!`] marks a moment on the thread's lane ([`Lane::instants`]),
//!   [`counter!`] samples a value ([`Trace::counters`]).
//! - A [`SpanGuard`] is not `Send`; futures are recorded with
//!   [`Instrument::recorded`] (or `record_fn!(f(x).await)`): each poll a
//!   slice of one task.
//! - With the `rayon` feature, `register_pool` gives every worker of a pool a
//!   lane, busy or idle ([`keep_lane`] for other pools).
//! - With the `mpi` feature, `ranks` merges the traces of every rank of an
//!   MPI program into one; its `send` and `receive_into` record each
//!   message as a span of MPI time carrying the message's key
//!   ([`Span::mpi`]). [`Trace::messages`] pairs receives with sends (flow
//!   arrows in the Chrome JSON), [`Trace::process_metrics`] gives POP's
//!   process-level metrics.
//! - [`Recorded`] and [`Losses`] tell overwrites (fixed by
//!   [`adjust_buffer`]) from unmatched exits and unclosed enters.
//!
//! ## Costs
//!
//! Recording one call costs two clock reads (the CPU's invariant time-stamp
//! counter where it has one) and two 16-byte stores into a thread-local
//! buffer (one more store for a value, one more for a result): no lock, no allocation, no atomic read-modify-write. A call site
//! is registered once, on its first use, and afterwards referred to by a
//! small id. A disabled or filtered-out call site costs one load and a
//! branch. `collect` and everything after it are allowed to be slow.
//!
//! ## What this crate is not
//!
//! It does not sample, does not unwind stacks, and records only the calls you
//! mark. The [`Trace`] and what reads it (Chrome JSON files, summaries,
//! message pairing) live in `logprof-trace`, re-exported here; pictures live
//! in `logprof-viz`, workloads in `logprof-kernels`.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod assemble;
mod callsite;
mod clock;
mod filter;
mod future;
mod name;
mod offcpu;
#[cfg(feature = "mpi")]
#[cfg_attr(docsrs, doc(cfg(feature = "mpi")))]
pub mod ranks;
#[cfg(feature = "rayon")]
mod rayon_pool;
mod recorder;
mod reentry;
mod ring;
mod stream;
mod sync_shim;
#[cfg(feature = "tracing")]
mod tracing_layer;

pub use callsite::{Callsite, SpanGuard};
pub use clock::clock_name;
pub use filter::{allow, deny, is_enabled, reset_filters, set_enabled};
pub use future::{Instrument, IntoName, RecordedFuture};
pub use name::{
    __callsite_of, __region_callsite_of, __wait_callsite_of, Name, SpanName, SpanValue,
};
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub use rayon_pool::{register_global_pool, register_pool, release_pool, start_handler};
pub use recorder::{
    adjust_buffer, clear, collect, init_buffer, keep_lane, recorded, recording_id, register_thread,
    release_lane, Recorded,
};
pub use stream::{
    finish_env_stream, stream_to, stream_with_ring, Stream, StreamError, StreamStats,
    STREAM_RING_EVENTS,
};
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use tracing_layer::TracingLayer;

// The trace and everything that reads it live in `logprof-trace`; they are
// re-exported under the paths they always had here, so a recording needs
// this crate alone.
pub use logprof_trace::{chrome, compact, message, perfetto, regions};
pub use logprof_trace::{
    write_atomically, ChromeJsonError, CounterTrack, FunctionSummary, InstantEvent, Lane,
    LaneSummary, Losses, MessageFlow, MessageSide, Messages, MpiCall, NameId, NameTable, OffCpu,
    OffCpuKind, OffCpuStatus, PerfettoError, ProcessMetrics, ProcessSummary, Region, RegionGroup,
    Regions, Repairs, Span, Summary, Trace, TraceFileError, TraceFormat,
};

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
///
/// `record_fn!(f(x); value)` records `value` (any integer, see
/// [`SpanValue`]) with the span, as [`Span::value`]; it is evaluated before
/// the span starts:
///
/// ```
/// fn column(j: usize) -> usize { j * 2 }
/// logprof::init_buffer(1 << 10);
/// let sum: usize = (0..4).map(|j| logprof::record_fn!(column(j); j)).sum();
/// assert_eq!(sum, 12);
/// let trace = logprof::collect();
/// let values: Vec<_> = trace.lanes.iter().flat_map(|l| &l.spans).map(|s| s.value).collect();
/// assert_eq!(values, [Some(0), Some(1), Some(2), Some(3)]);
/// ```
///
/// `record_fn!(f(x); value => result)` also records a [`Span::result`] at
/// the exit: `result` is a closure given a reference to the call's return
/// value, run just after the exit's clock read (so its own time is not part
/// of the span; it must not record). The result costs one more 16-byte
/// event, no clock read. Here each column's span carries the column as its
/// value and the work it did as its result:
///
/// ```
/// fn column(j: usize) -> Vec<u64> { vec![j as u64; 3] }
/// logprof::init_buffer(1 << 10);
/// for j in 0..2 {
///     logprof::record_fn!(column(j); j => |pixels: &Vec<u64>| pixels.iter().sum::<u64>());
/// }
/// let trace = logprof::collect();
/// let args: Vec<_> = trace.lanes[0].spans.iter().map(|s| (s.value, s.result)).collect();
/// assert_eq!(args, [(Some(0), Some(0)), (Some(1), Some(3))]);
/// ```
///
/// Over an `.await`, `record_fn!(fetch(url).await)` records every poll of
/// the future as a slice of one task, as [`Instrument::recorded`] does.
#[macro_export]
macro_rules! record_fn {
    ($($tokens:tt)+) => {
        $crate::__record_split!([] $($tokens)+)
    };
}

/// Implementation detail of [`record_fn!`]: splits off `; value`.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_split {
    ([$($call:tt)+] ; $($value:tt)+) => {
        $crate::__record_await!([$($value)+] [] $($call)+)
    };
    ([$($call:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__record_split!([$($call)* $next] $($rest)*)
    };
    ([$($call:tt)+]) => {
        $crate::__record_await!([] [] $($call)+)
    };
}

/// Implementation detail of [`record_fn!`]: splits off a final `.await`.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_await {
    ([$($value:tt)*] [$($call:tt)+] . await) => {
        $crate::__record_call!([$($value)*] [await] $($call)+)
    };
    ([$($value:tt)*] [$($call:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__record_await!([$($value)*] [$($call)* $next] $($rest)*)
    };
    ([$($value:tt)*] [$($call:tt)+]) => {
        $crate::__record_call!([$($value)*] [] $($call)+)
    };
}

/// Implementation detail of [`record_fn!`]: names the call.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_call {
    ($v:tt $m:tt $first:ident $(:: $rest:ident)* ( $($args:tt)* )) => {
        $crate::__record_emit!($v $m
            ($crate::Callsite::new(concat!(stringify!($first) $(, "::", stringify!($rest))*)))
            ($first $(:: $rest)* ( $($args)* )))
    };
    ($v:tt $m:tt $($call:tt)+) => {
        $crate::__record_method!($v $m [] $($call)+)
    };
}

/// Implementation detail of [`record_fn!`]: finds the last `.method(args)` of
/// a method-call chain, or the arguments of a generic path.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_method {
    ($v:tt $m:tt [$($receiver:tt)+] . $method:ident ( $($args:tt)* )) => {
        $crate::__record_emit!($v $m ($crate::Callsite::new(stringify!($method)))
            ($($receiver)+ . $method ( $($args)* )))
    };
    ($v:tt $m:tt [$($receiver:tt)+] . $method:ident :: < $($generic:ty),+ > ( $($args:tt)* )) => {
        $crate::__record_emit!($v $m ($crate::Callsite::new(stringify!($method)))
            ($($receiver)+ . $method :: < $($generic),+ > ( $($args)* )))
    };
    // Any other callee followed by its arguments: a path with generic
    // arguments (`parse::<u32>(s)`, `Vec::<u8>::with_capacity(n)`).
    ($v:tt $m:tt [$($callee:tt)+] ( $($args:tt)* )) => {
        $crate::__record_emit!($v $m
            ($crate::Callsite::new_generic_path(stringify!($($callee)+)))
            ($($callee)+ ( $($args)* )))
    };
    ($v:tt $m:tt [$($receiver:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__record_method!($v $m [$($receiver)* $next] $($rest)*)
    };
    ($v:tt $m:tt [$($receiver:tt)*]) => {
        compile_error!("record_fn! expects a call: `f(args)`, `path::f(args)`, `value.method(args)`, \
                        optionally `; value` after it, or `.await` on it (for futures see `logprof::Instrument::recorded`)")
    };
}

/// Implementation detail of [`record_fn!`]: the call site, the enter, the call.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_emit {
    ([$value:expr => $result:expr] [] ($site:expr) ($($call:tt)+)) => {{
        let value = $crate::SpanValue::span_value($value);
        static CALLSITE: $crate::Callsite = $site;
        let logprof_guard = CALLSITE.enter_with_value(value);
        let output = $($call)+;
        logprof_guard.end_then(|| ($result)(&output));
        output
    }};
    ([$value:expr => $result:expr] [await] $site:tt $call:tt) => {
        compile_error!("record_fn!(f(x).await; value => result) is not supported: \
                        record the result of a future with `scope!` and `SpanGuard::end_with`")
    };
    ([] [] ($site:expr) ($($call:tt)+)) => {{
        static CALLSITE: $crate::Callsite = $site;
        let _logprof_guard = CALLSITE.enter();
        $($call)+
    }};
    ([$($value:tt)+] [] ($site:expr) ($($call:tt)+)) => {{
        let value = $crate::SpanValue::span_value($($value)+);
        static CALLSITE: $crate::Callsite = $site;
        let _logprof_guard = CALLSITE.enter_with_value(value);
        $($call)+
    }};
    ([] [await] ($site:expr) ($($call:tt)+)) => {{
        static CALLSITE: $crate::Callsite = $site;
        $crate::RecordedFuture::new(&CALLSITE, $($call)+).await
    }};
    ([$($value:tt)+] [await] ($site:expr) ($($call:tt)+)) => {{
        let value = $crate::SpanValue::span_value($($value)+);
        static CALLSITE: $crate::Callsite = $site;
        $crate::RecordedFuture::new(&CALLSITE, $($call)+).with_value(value).await
    }};
}

/// Records a scope: `let _span = scope!("name");` records an enter now and
/// the exit when the guard is dropped.
///
/// The name is a string literal (free: it lives in a `static` call site) or
/// a [`Name`] interned once at run time with [`Name::new`]. A value (any
/// integer, see [`SpanValue`]) can come with it: `scope!("file", index)`,
/// `scope!(name, bytes)`, shown as [`Span::value`].
///
/// A `&str` or `String` made at run time is refused at compile time, with
/// a message pointing to `Name::new` (so is a `const` string: write the
/// literal, or make a `Name` of it once):
///
/// ```compile_fail,E0277
/// let text = String::from("dynamic");
/// let _span = logprof::scope!(&text); // error: use logprof::Name::new
/// ```
#[macro_export]
macro_rules! scope {
    ($($name:tt)+) => {
        $crate::__site!(enter_span; $($name)+)
    };
}

/// Records a region: a scope, recorded and costing exactly as [`scope!`]
/// does, whose name is marked as a region of the run. `let _solve =
/// region!("solve");` (or with a [`Name`], or a value, as `scope!` takes
/// them).
///
/// A region is a stretch of the run with one shape of work: a serial
/// set-up, one parallel loop, a solver step. The mark is on the name (its
/// call site), not on each event: the trace lists the names that are
/// regions ([`Trace::region_names`]), Chrome JSON writes their spans with
/// `"cat":"region"`, and [`Trace::regions`] analyses each region on its own
/// (load balance, potential gain, serial share) instead of the whole run.
/// A name is a region when any of its call sites is one.
///
/// ```
/// logprof::init_buffer(1 << 10);
/// {
///     let _solve = logprof::region!("solve");
///     let _part = logprof::scope!("part");
/// }
/// let trace = logprof::collect();
/// let solve = trace.name_id("solve").unwrap();
/// assert!(trace.is_region(solve));
/// assert!(!trace.is_region(trace.name_id("part").unwrap()));
/// ```
///
/// For a future, [`Instrument::recorded_region`].
#[macro_export]
macro_rules! region {
    ($($name:tt)+) => {
        $crate::__site!(enter_region; $($name)+)
    };
}

/// Records waiting: a scope, recorded and costing exactly as [`scope!`]
/// does, whose name is marked as waiting rather than working. `let _lock =
/// wait!("lock");` around a lock, a channel receive, a join (or with a
/// [`Name`], or a value, as `scope!` takes them).
///
/// Waiting is not work: every figure counts the time inside such a span as
/// waiting, the way it counts MPI calls: a lane's busy time
/// ([`Trace::summary`]), its regions' load balance and the pictures' busy
/// column leave it out, the pictures draw it in a style of its own, and
/// Chrome JSON writes it with `"cat":"wait"`. The mark is on the name
/// ([`Trace::wait_names`]); a name is waiting when any of its call sites is.
///
/// ```
/// logprof::init_buffer(1 << 10);
/// {
///     let _step = logprof::scope!("step");
///     let _lock = logprof::wait!("lock");
/// }
/// let trace = logprof::collect();
/// assert!(trace.is_wait(trace.name_id("lock").unwrap()));
/// let lane = &trace.summary().lanes[0];
/// assert_eq!(lane.busy_ns + lane.waiting_ns, trace.summary().wall_ns);
/// ```
///
/// For a future, [`Instrument::recorded_wait`].
#[macro_export]
macro_rules! wait {
    ($($name:tt)+) => {
        $crate::__site!(enter_wait; $($name)+)
    };
}

/// Records an instant, a moment with no duration, on the current thread's
/// lane: `instant!("checkpoint")`, or with a [`Name`]. It costs one clock
/// read and one 16-byte event; [`collect`] puts it in [`Lane::instants`].
#[macro_export]
macro_rules! instant {
    ($($name:tt)+) => {
        $crate::__site!(instant; $($name)+)
    };
}

/// Records a sample of a counter: `counter!("queue length", len as f64)`,
/// or with a [`Name`]. One clock read and two 16-byte events; [`collect`]
/// gathers the samples of every thread into one [`CounterTrack`] per name.
#[macro_export]
macro_rules! counter {
    ($($name_and_value:tt)+) => {
        $crate::__site!(counter; $($name_and_value)+)
    };
}

/// Implementation detail of the macros: a call site for a literal name (a
/// `static`) or a [`Name`], and what to record with it.
#[doc(hidden)]
#[macro_export]
macro_rules! __site {
    // A region is a span whose call site is marked: the same enter.
    (enter_region; $name:literal $(, $value:expr)?) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::region($name);
        $crate::__site!(@enter_span (&CALLSITE) $(, $value)?)
    }};
    (enter_region; $mac:ident ! $args:tt $(, $value:expr)?) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::region($mac ! $args);
        $crate::__site!(@enter_span (&CALLSITE) $(, $value)?)
    }};
    (enter_region; $name:expr $(, $value:expr)?) => {
        $crate::__site!(@enter_span ($crate::__region_callsite_of($name)) $(, $value)?)
    };
    // Waiting is a span whose call site is marked: the same enter.
    (enter_wait; $name:literal $(, $value:expr)?) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::wait($name);
        $crate::__site!(@enter_span (&CALLSITE) $(, $value)?)
    }};
    (enter_wait; $mac:ident ! $args:tt $(, $value:expr)?) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::wait($mac ! $args);
        $crate::__site!(@enter_span (&CALLSITE) $(, $value)?)
    }};
    (enter_wait; $name:expr $(, $value:expr)?) => {
        $crate::__site!(@enter_span ($crate::__wait_callsite_of($name)) $(, $value)?)
    };
    ($what:ident; $name:literal $(, $value:expr)?) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::new($name);
        $crate::__site!(@$what (&CALLSITE) $(, $value)?)
    }};
    ($what:ident; $mac:ident ! $args:tt $(, $value:expr)?) => {{
        static CALLSITE: $crate::Callsite = $crate::Callsite::new($mac ! $args);
        $crate::__site!(@$what (&CALLSITE) $(, $value)?)
    }};
    ($what:ident; $name:expr $(, $value:expr)?) => {
        $crate::__site!(@$what ($crate::__callsite_of($name)) $(, $value)?)
    };
    (@enter_span ($site:expr)) => {
        $site.enter()
    };
    (@enter_span ($site:expr), $value:expr) => {
        $site.enter_with_value($crate::SpanValue::span_value($value))
    };
    (@instant ($site:expr)) => {
        $site.instant()
    };
    (@counter ($site:expr), $value:expr) => {
        $site.counter(f64::from($value))
    };
}
