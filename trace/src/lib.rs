//! # logprof-trace: the traces of logprof, without the recorder
//!
//! A [`Trace`] is what one recording, or one trace file, contains: one
//! [`Lane`] per thread, each holding the [`Span`]s it ran, its instants and
//! its off-CPU stretches, and the trace's counters. This crate holds that
//! model and everything that only reads or writes it:
//!
//! - Chrome Trace Event JSON, written for Perfetto, `chrome://tracing` and
//!   speedscope, and read back whether logprof or another tool wrote it
//!   ([`chrome`], [`Trace::write_chrome_json`], [`Trace::read_chrome_json`]);
//! - Perfetto's protobuf traces (`.pftrace`), written for Perfetto and
//!   read back whoever wrote them ([`perfetto`], [`Trace::write_perfetto`],
//!   [`Trace::read_perfetto`]);
//! - the load-balance summary ([`Trace::summary`]: busy and idle time per
//!   lane, the POP metrics, per-function totals) and its text form;
//! - the regions of a run ([`Trace::regions`]: marked, fork/join or
//!   phases of serial and parallel work), each with its load balance,
//!   potential gain and serial share, ranked by what fixing them could save;
//! - the messages between the ranks of an MPI program ([`message`],
//!   [`Trace::messages`]) and the process-level metrics
//!   ([`Trace::process_metrics`]);
//! - logprof's compact file format, `.lpt` ([`compact`],
//!   [`Trace::write_lpt`], [`Trace::read_lpt`]), written whole or streamed
//!   while recording, and read back when cut off;
//! - the files the ranks of an MPI run streamed, merged into one trace with
//!   a process per rank on rank 0's clock ([`ranks::merge_files`], `logprof
//!   merge`), chunk by chunk;
//! - [`Trace::read_file`] and [`Trace::write_file`]: any of these files
//!   read by its first bytes, written by its extension ([`TraceFormat`]);
//! - [`write_atomically`], the way every output file is written.
//!
//! ```
//! use logprof_trace::{Lane, Span, Trace};
//!
//! let mut trace = Trace::new();
//! let work = trace.intern("work");
//! let spans = [Span::new(work, 0, 1_000, 0), Span::new(work, 1_000, 3_000, 0)];
//! trace.lanes.push(Lane::with_spans(1, 1, "worker-1", spans));
//! let summary = trace.summary();
//! assert_eq!(summary.wall_ns, 3_000);
//! assert_eq!(summary.lanes[0].busy_ns, 3_000);
//! ```
//!
//! ## What this crate is not
//!
//! It never records: no clocks, no ring buffers, no threads of its own, no
//! global state. Recording, and turning what was recorded into a `Trace`,
//! is the `logprof` crate's, which re-exports everything here; a tool that
//! only reads, reports on or draws traces needs this crate alone.

mod atomic_write;
pub mod chrome;
pub mod compact;
mod format;
mod function_totals;
mod intervals;
mod losses;
pub mod message;
mod mpi_call;
mod offcpu;
pub mod pass;
pub mod perfetto;
pub mod ranks;
pub mod raw_events;
pub mod regions;
mod summary;
mod summary_cores;
mod summary_parts;
mod summary_processes;
mod summary_text;
pub mod table;
mod trace;
mod waiting;

pub use atomic_write::write_atomically;
pub use chrome::{ChromeJsonError, TraceFileError};
pub use compact::CompactError;
pub use format::TraceFormat;
pub use function_totals::FunctionSummary;
pub use message::{MessageEnd, MessageFlow, Messages};
pub use mpi_call::{MessageSide, MpiCall};
pub use offcpu::{OffCpu, OffCpuKind, OffCpuStatus};
pub use pass::LptPass;
pub use perfetto::PerfettoError;
pub use regions::{Advice, Found, Region, RegionGroup, RegionLane, Regions, Unit};
pub use summary::{LaneSummary, Summary};
pub use summary_cores::CoreBusy;
pub use summary_processes::{ProcessMetrics, ProcessSummary};
pub use trace::{
    nest_by_containment, CounterTrack, InstantEvent, Lane, Losses, NameId, NameTable, Repairs,
    Span, Trace,
};
