//! Chrome Trace Event JSON: writing a [`Trace`] for Perfetto,
//! `chrome://tracing` and speedscope, and reading such files back, whether
//! logprof or another tool (`tracing-chrome`, Dagger.jl, ...) wrote them.
//!
//! ```
//! use logprof_trace::{Lane, Span, Trace};
//!
//! let mut trace = Trace::new();
//! let work = trace.intern("work");
//! let spans = [Span::new(work, 1_234_567, 2_000_000, 0)];
//! trace.lanes.push(Lane::with_spans(1, 1, "worker-1", spans));
//!
//! let json = trace.to_chrome_json();
//! assert!(json.contains(r#""ts":1234.567,"dur":765.433"#));
//! assert_eq!(Trace::from_chrome_json_str(&json).unwrap(), trace);
//! ```
//!
//! # What logprof writes
//!
//! The JSON object form, `{"displayTimeUnit":"ns","otherData":{...},
//! "traceEvents":[...]}`, one event per line:
//!
//! - per process, a `"ph":"M"` `process_name` event when the trace has a
//!   [`Trace::process_name`];
//! - per lane, a `"ph":"M"` `thread_name` event (so a lane without spans
//!   survives a round trip), with the lane's `pid` and `tid`;
//! - per span, a complete event `"ph":"X"` whose `ts` (start) and `dur` are
//!   microseconds printed from the integer nanoseconds with exactly three
//!   decimals (`1234567` ns is `1234.567`), so nanoseconds survive exactly.
//!   `args` holds the span's nesting `depth` and, for a slice of a task, its
//!   `task` id, its [`Span::value`], its [`Span::result`] and an unfinished
//!   mark: `{"depth":1,"task":7,"value":-3,"result":12,"unfinished":1}`. Task slices also
//!   carry `"cat":"task"`, and the spans of a name marked as a region
//!   ([`Trace::region_names`]) `"cat":"region"` (`"region,task"`,
//!   `"mpi,region"` when both hold);
//! - per instant of a lane, an `"ph":"i"` event with `"s":"t"`, after the
//!   lane's spans; per sample of a counter track, a `"ph":"C"` event with
//!   `"args":{"value":…}`;
//! - for two consecutive slices of one task that ran on different threads, a
//!   flow: `"ph":"s"` at the start of the first slice and `"ph":"f"` with
//!   `"bp":"e"` at the start of the second, both with `"id"` = the task id,
//!   so Perfetto draws an arrow for the hop;
//! - a span of MPI time ([`Span::mpi`]) carries `"cat":"mpi"` and its
//!   message's end in `args`: `"mpi":"send"` (or `"recv"`), `"peer"`,
//!   `"tag"`, `"seq"`, `"bytes"`; for every message whose send and receive
//!   are both in the trace ([`Trace::messages`]), a flow of category `mpi`
//!   named `message`: `"ph":"s"` at the start of the send and `"ph":"f"`
//!   with `"bp":"e"` at the start of the receive, with an `"id"` above every
//!   task id, so Perfetto draws an arrow from the sender's lane to the
//!   receiver's;
//! - per off-CPU interval of a lane ([`Lane::off_cpu`]), a complete event
//!   `{"ph":"X","cat":"off-cpu","name":"preempted"}` (or `"blocked"`) on the
//!   lane's own thread, so Perfetto shows when the thread had no core;
//! - `otherData.logprof` keeps what the events cannot: the names table in
//!   order, the process name and the [`Losses`], and, when known, whether
//!   off-CPU time was recorded (`"off_cpu"`, `"lost_switches"`), the
//!   cores the run had (`"cores"`) and [`Trace::metadata`](crate::Trace::metadata) (`"metadata"`:
//!   a rank's facts, a merged run's ranks).
//!
//! A trace written and read back compares equal (`==`) to the original, as
//! long as its lanes have distinct `(pid, tid)` and its names are distinct
//! (both hold for every trace logprof records).
//!
//! # What logprof reads
//!
//! Any file Perfetto opens, read as Perfetto reads it, and never silently:
//! every repair is counted by kind in [`Trace::repairs`] (see [`Repairs`]),
//! which `logprof report` prints and the pictures note in their header.
//!
//! - The object form (`traceEvents` is required; other top-level keys such
//!   as `displayTimeUnit`, `metadata`, `systemTraceEvents` are passed over)
//!   and the bare array form. A trailing comma (`[{...},]`) is passed over;
//!   a file cut off inside the event array reads the complete events before
//!   the cut (`cut_at_end`).
//! - Complete events `X` (`ts` + `dur`), and `B`/`E` pairs per `(pid, tid)`,
//!   in any order in the file. A `B` never closed ends where its lane's last
//!   event is, marked [`Span::unfinished`]; an `E` that closes nothing, an
//!   `X` without a numeric `dur` and an event without a usable `ts` are
//!   skipped and counted.
//! - `M` events `thread_name` and `process_name` name the lanes and the
//!   trace (an empty thread name counts as none). A complete event of
//!   category `off-cpu` named `preempted` or `blocked` is an off-CPU
//!   interval of its lane ([`Lane::off_cpu`]), not a span. An `X` or `B`
//!   event whose `cat`, a comma-separated list, holds `region` marks its
//!   name as a region ([`Trace::region_names`]), in logprof's files and in
//!   others' alike. Instants `i`/`I`/`n` go to
//!   [`Lane::instants`] of their thread (those of a thread with nothing
//!   else are counted as not drawn); counters `C` to [`Trace::counters`],
//!   one track per numeric member of `args` (`name` for `value`, else
//!   `name.member`). Async (`b`/`e`, `S`/`T`/`p`/`F`), flow (`s`/`t`/`f`),
//!   sample, object and mark events are counted by kind as not drawn.
//! - `ts` and `dur` may be integers, decimals, numbers with an exponent
//!   (`1.2345e3`) or strings holding one (`"11550183666"`, counted), read
//!   exactly from their text; what is left beyond whole nanoseconds is
//!   rounded to the nearest one, halves up (`0.0025` is 3 ns). They are
//!   microseconds whatever `displayTimeUnit` says (it is a display choice).
//!   An event whose end would reach 2^64 ns is skipped and counted.
//! - `pid` and `tid` may be missing (read as 0), integers, or strings
//!   holding integers. Any other id (text such as `"stream 7"`, a negative
//!   number, a pid of 2^32 or more) is a lane of its own, named by the text,
//!   under a stable id with the top bit set (see `ids`), and counted; it is
//!   never wrapped into a smaller id of another thread.
//! - A leading UTF-8 byte-order mark is skipped. What cannot be read at all
//!   is an error naming the place and the problem: bytes that are not UTF-8
//!   (with their offset), text that is not JSON (line and column), JSON that
//!   is not a trace, an empty event array.
//! - A span with no `name` is called `<unnamed>`; an empty `name` stays
//!   empty on an `X` or `B` (so a span called "" round-trips) and counts as
//!   no name on an `E`. A lane with no `thread_name` is called
//!   `thread-<tid>`. The process name is the `process_name` of the lowest
//!   pid that has one. In logprof's own files the process name is the one
//!   in `otherData.logprof`, and a pid whose `process_name` event says
//!   otherwise ("rank 2") is named in [`Trace::process_names`].
//! - `args.depth`, `args.task`, `args.value`, `args.result`,
//!   `args.unfinished` and a message end (`args.mpi` with `peer`, `tag`,
//!   `seq`, `bytes`) are
//!   trusted only in files logprof wrote (those with `otherData.logprof`):
//!   in another tool's file they are the traced program's own fields.
//!   Elsewhere a span's depth is the number of spans on its lane that
//!   contain it (for `B`/`E`-only lanes: the number open when it began).
//!
//! ## Pairing `B` and `E`
//!
//! The events of each `(pid, tid)` are sorted by `ts`, keeping file order
//! among equal times. An `E` closes the innermost open span with the same
//! name, or, when it has no name or no open span has its name, the innermost
//! open span. Among events at one same instant, an `E` is taken before the
//! `B`s of that instant, because it closes a span that began earlier and a
//! span that begins when another ends is its sibling, not its child, unless
//! the file lists it after a `B` of the same instant and it has that `B`'s
//! name or no name at all: then it closes that zero-length span, as the
//! file order says.
//!
//! # Where the code is
//!
//! - `writer`: a [`Trace`] to JSON, straight into a byte buffer.
//!
//! Reading runs one way, each module using only those before it:
//!
//! - `raw`: the serde shapes of a file's events and of
//!   `otherData.logprof`, borrowing from the text.
//! - `ids`: text process and thread ids to stable numeric ids.
//! - `lane_event`: an event kept from a file, owned, as pairing takes it.
//! - `pairing`: one lane's `B`, `E` and `X` events to spans, with depths.
//! - `builder`: the events checked and grouped by lane, and the trace
//!   assembled from them, with its repairs.
//! - `reader`: the serde seeds and visitors that stream `traceEvents` into
//!   the builder without building a JSON tree, and the entry points
//!   [`Trace::read_chrome_json`] and [`Trace::from_chrome_json_str`].
//!
//! Beside them, `numbers` turns `ts` and `dur` text into whole nanoseconds,
//! and `error` holds [`TraceFileError`] and [`ChromeJsonError`].
//!
//! [`Losses`]: crate::Losses
//! [`Lane::off_cpu`]: crate::Lane::off_cpu
//! [`Repairs`]: crate::Repairs
//! [`Trace::repairs`]: crate::Trace::repairs
//! [`Trace::counters`]: crate::Trace::counters
//! [`Lane::instants`]: crate::Lane::instants
//! [`Span::unfinished`]: crate::Span::unfinished
//! [`Span::value`]: crate::Span::value
//! [`Span::result`]: crate::Span::result
//! [`Span::mpi`]: crate::Span::mpi
//! [`Trace::messages`]: crate::Trace::messages
//! [`Trace::process_names`]: crate::Trace::process_names
//! [`Trace::region_names`]: crate::Trace::region_names
//! [`Trace`]: crate::Trace
//! [`Trace::process_name`]: crate::Trace::process_name
//! [`Trace::read_chrome_json`]: crate::Trace::read_chrome_json
//! [`Trace::from_chrome_json_str`]: crate::Trace::from_chrome_json_str

mod builder;
mod error;
mod ids;
mod lane_event;
mod numbers;
mod pairing;
mod raw;
mod reader;
mod writer;

pub use error::{ChromeJsonError, TraceFileError};

/// The name given to spans whose event has none.
const UNNAMED: &str = "<unnamed>";

/// `s` as a JSON string literal, quotes and escapes included: how names and
/// values are shown in messages (and written for a missing name).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}
