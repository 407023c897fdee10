//! Perfetto's protobuf trace format (`.pftrace`): writing a [`Trace`] for
//! <https://ui.perfetto.dev> and `trace_processor`, and reading such files
//! back, whether logprof, Chromium or a program using the Perfetto SDK
//! wrote them. `docs/perfetto.md` has the full mapping and the reasons.
//!
//! ```
//! use logprof_trace::{Lane, Span, Trace};
//!
//! let mut trace = Trace::new();
//! let work = trace.intern("work");
//! let spans = [Span::new(work, 0, 2_000, 0), Span::new(work, 500, 1_000, 1)];
//! trace.lanes.push(Lane::with_spans(1, 1, "worker-1", spans));
//!
//! let bytes = trace.to_perfetto_bytes();
//! assert_eq!(Trace::from_perfetto_bytes(&bytes).unwrap(), trace);
//! ```
//!
//! # What logprof writes
//!
//! TrackEvent packets, as the Perfetto SDK writes them:
//!
//! - a track per process (`ProcessDescriptor`, its name) and per lane
//!   (`ThreadDescriptor`: pid, tid, thread name), under its process;
//! - each span as a `TYPE_SLICE_BEGIN` / `TYPE_SLICE_END` pair on its
//!   thread's track, its name interned (`InternedData.event_names`, once
//!   per sequence, `name_iid` on the events); spans that overlap without
//!   nesting go on child tracks of the thread ("overlapping spans k"),
//!   where they nest (`layers`);
//! - categories `region` (a name of [`Trace::region_names`]), `wait` (a
//!   name of [`Trace::wait_names`]), `task`, `mpi` and `off-cpu`, interned; the span's `depth` (where the nesting does not
//!   say it), `task`, `value`, `result`, `unfinished` and message end as
//!   debug annotations (`args`);
//! - instants as `TYPE_INSTANT` on the thread's track; off-CPU intervals as
//!   slices `preempted` / `blocked` (category `off-cpu`, `cpu` annotation)
//!   on a track of their own under the thread (`"<thread> off-CPU"`);
//! - task hops and MPI messages as flows (`flow_ids` on the slice an arrow
//!   leaves, `terminating_flow_ids` on the one it reaches, see `flows`);
//! - counters as counter tracks (`CounterDescriptor`) under their process,
//!   with `TYPE_COUNTER` events carrying `double_counter_value`;
//! - one packet sequence per lane (its interning starts with
//!   `SEQ_INCREMENTAL_STATE_CLEARED`), events in time order; sequence 1
//!   holds the descriptors, the counters and a `ChromeEventBundle`
//!   metadata entry `logprof` with what no event carries (`meta`);
//! - timestamps in nanoseconds on the default clock, exact.
//!
//! A trace written and read back compares equal (`==`) to the original,
//! under the same conditions as the Chrome JSON files.
//!
//! Descriptors, counters and the metadata entry are `prost` messages
//! (`protos`); the lanes' events, nearly every packet, are encoded by hand
//! (`wire`), for speed, and checked against `prost`'s decoding.
//!
//! # What logprof reads
//!
//! Packets in file order, as trace processor takes them (`import`): the
//! interning of each sequence (`SEQ_INCREMENTAL_STATE_CLEARED` starts it
//! afresh), `TracePacketDefaults` (default track, default clock), clock
//! snapshots and incremental clocks (`clocks`), track descriptors with
//! their parents, `name` or `name_iid`, `TYPE_SLICE_BEGIN` / `END` /
//! `INSTANT` / `COUNTER`, and older Chromium's thread descriptors with
//! microsecond deltas and legacy `X`/`B`/`E`/`I` events. Then (`assemble`)
//! each track's slices are paired on its stack and its tracks mapped to
//! lanes. Packets of other kinds (ftrace, process stats, configs) and
//! events of other kinds are skipped and counted in
//! [`Repairs::not_drawn`]; a slice never ended is drawn to the end of its
//! lane and counted; a file cut off mid-packet reads the packets before
//! the cut (`cut_at_end`). Annotations are trusted only in logprof's own
//! files (those with the `logprof` metadata entry).
//!
//! [`Trace`]: crate::Trace
//! [`Trace::region_names`]: crate::Trace::region_names
//! [`Trace::wait_names`]: crate::Trace::wait_names
//! [`Repairs::not_drawn`]: crate::Repairs::not_drawn

mod args;
mod assemble;
mod clocks;
mod flows;
mod import;
mod layers;
mod meta;
mod protos;
mod reader;
mod wire;
mod writer;

use std::path::Path;

use crate::chrome::TraceFileError;

/// The name of logprof's metadata entry (see `meta`).
const LOGPROF_METADATA: &str = "logprof";

/// The name given to a slice whose event has none.
const UNNAMED: &str = "<unnamed>";

/// The categories logprof writes and reads, each a bit of a flag set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    Region,
    Task,
    Mpi,
    OffCpu,
    Wait,
}

impl Category {
    const ALL: [Category; 5] = [
        Category::Region,
        Category::Task,
        Category::Mpi,
        Category::OffCpu,
        Category::Wait,
    ];

    /// Its interned id in logprof's files, from 1.
    fn iid(self) -> u8 {
        self as u8 + 1
    }

    fn flag(self) -> u8 {
        1 << self.iid()
    }

    fn name(self) -> &'static str {
        match self {
            Category::Region => "region",
            Category::Task => "task",
            Category::Mpi => "mpi",
            Category::OffCpu => "off-cpu",
            Category::Wait => "wait",
        }
    }

    /// The flags of a category text, a comma-separated list as Chrome
    /// writes them (`"mpi,region"`); 0 for categories logprof does not
    /// know.
    fn flags_of(text: &str) -> u8 {
        text.split(',')
            .map(str::trim)
            .flat_map(|t| Category::ALL.into_iter().filter(move |c| c.name() == t))
            .fold(0, |flags, c| flags | c.flag())
    }
}

/// Bytes that are not a Perfetto trace logprof can read, from
/// [`Trace::from_perfetto_bytes`](crate::Trace::from_perfetto_bytes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct PerfettoError {
    problem: String,
}

impl PerfettoError {
    fn new(problem: impl Into<String>) -> PerfettoError {
        PerfettoError {
            problem: problem.into(),
        }
    }

    /// What is wrong, in words.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// The same problem, found in the file `path`.
    fn in_file(self, path: &Path) -> TraceFileError {
        TraceFileError::new(path, self.problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_lists_are_read_member_by_member() {
        assert_eq!(
            Category::flags_of("mpi, region"),
            Category::Mpi.flag() | Category::Region.flag()
        );
        assert_eq!(Category::flags_of("regional,toplevel"), 0);
        assert_eq!(Category::flags_of("off-cpu"), Category::OffCpu.flag());
    }
}

#[cfg(test)]
mod sdk_tests;
