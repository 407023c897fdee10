//! logprof's own trace file format, `.lpt`: compact, written chunk by chunk
//! as a recording goes (see `logprof::stream_to`), read chunk by chunk, and
//! read up to its last whole chunk when cut off. The layout is documented
//! in `docs/compact-format.md`; in short:
//!
//! - a 12-byte header: the magic number [`MAGIC`], the format version
//!   (little-endian `u16`, [`VERSION`]) and flags (`u16`: bit 0, the file
//!   was streamed, so its lanes and spans are in the order they were
//!   drained and the reader sorts them);
//! - chunks, each a 10-byte frame (kind, codec, stored length, raw length)
//!   and its payload: names (interned once, in id order), per-name flags
//!   (region, …), lanes, spans, instants, off-CPU intervals, counter
//!   tracks and their samples, events lost per lane, and the trace-wide
//!   facts (`info`). Times are varint deltas within a chunk, so each chunk
//!   reads on its own;
//! - a footer chunk indexing every chunk (offset, kind, lane, time range),
//!   then a 16-byte trailer (the footer's offset and [`END_MAGIC`]), so a
//!   reader can seek ([`read_index`]).
//!
//! A file without its footer (a crash, a copy cut short) is read up to its
//! last whole chunk, and [`Repairs::cut_at_end`](crate::Repairs::cut_at_end)
//! says so.
//!
//! ```
//! use logprof_trace::{Lane, Span, Trace};
//!
//! let mut trace = Trace::new();
//! let work = trace.intern("work");
//! trace.lanes.push(Lane::with_spans(1, 1, "worker-1", [Span::new(work, 10, 50, 0)]));
//! let mut bytes = Vec::new();
//! trace.write_lpt_to(&mut bytes).unwrap();
//! assert!(logprof_trace::compact::is_compact(&bytes));
//! assert_eq!(Trace::read_lpt_from(&bytes[..]).unwrap(), trace);
//! ```

mod chunk;
mod events;
mod info;
mod rank;
mod reader;
pub(crate) mod spans;
pub(crate) mod varint;
mod writer;

pub use chunk::{read_index, read_index_of, ChunkEntry, ChunkKind};
pub use events::EventsBatch;
pub(crate) use events::{copy_events, IntoSpans, PairedLane};
pub(crate) use info::decode_info;
pub use rank::ClockMoment;
pub(crate) use rank::{decode_clock, decode_rank};
pub use reader::LptReader;
pub use spans::SpanBatch;
pub(crate) use spans::{decode_spans_each, lane_of};
pub(crate) use varint::Bytes;
pub use writer::LptWriter;

/// The first 8 bytes of every `.lpt` file: a byte above 127 (so no text
/// file starts so), the letters, and line ends that a text-mode copy would
/// change.
pub const MAGIC: [u8; 8] = *b"\x89LPT\r\n\x1a\n";

/// The last 8 bytes of a complete file, after the footer's offset.
pub const END_MAGIC: [u8; 8] = *b"LPTINDEX";

/// The format version this crate writes, and the newest it reads.
pub const VERSION: u16 = 2;

/// Header flag: the file was streamed while recording.
pub const FLAG_STREAMED: u16 = 1;

/// The length of the header: magic, version, flags.
pub const HEADER_LEN: usize = 12;

/// Names' flags, one bit each. A new flag is one line here, and one in
/// each of `name_sets` and `name_set_mut`.
pub mod name_flag {
    /// The name is a region ([`Trace::region_names`](crate::Trace::region_names)).
    pub const REGION: u64 = 1;
    /// The name is waiting ([`Trace::wait_names`](crate::Trace::wait_names)).
    pub const WAIT: u64 = 2;
}

/// The trace's sets of flagged names, with the bit each is written as.
/// Adding a set of names is one line here and one in [`name_set_mut`].
pub(crate) fn name_sets(
    trace: &crate::Trace,
) -> [(u64, &std::collections::BTreeSet<crate::NameId>); 2] {
    [
        (name_flag::REGION, &trace.region_names),
        (name_flag::WAIT, &trace.wait_names),
    ]
}

/// The set of names a flag bit fills when read.
pub(crate) fn name_set_mut(
    trace: &mut crate::Trace,
    bit: u64,
) -> Option<&mut std::collections::BTreeSet<crate::NameId>> {
    match bit {
        name_flag::REGION => Some(&mut trace.region_names),
        name_flag::WAIT => Some(&mut trace.wait_names),
        _ => None,
    }
}

/// True when `bytes` start with the magic number of an `.lpt` file.
pub fn is_compact(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// A `.lpt` file or text that cannot be read, or a stream that cannot be
/// written: what is wrong, and at which byte of the file when known.
#[derive(Debug, thiserror::Error)]
#[error("{}{problem}", at.map(|a| format!("at byte {a}: ")).unwrap_or_default())]
pub struct CompactError {
    /// The byte of the file where the problem is, when known.
    pub at: Option<u64>,
    /// What is wrong, in words.
    pub problem: String,
    #[source]
    io: Option<std::io::Error>,
}

impl CompactError {
    pub(crate) fn damaged(problem: impl Into<String>) -> CompactError {
        CompactError {
            at: None,
            problem: format!("the file is damaged: {}", problem.into()),
            io: None,
        }
    }

    pub(crate) fn new(problem: impl Into<String>) -> CompactError {
        CompactError {
            at: None,
            problem: problem.into(),
            io: None,
        }
    }

    pub(crate) fn io(what: &str, e: std::io::Error) -> CompactError {
        CompactError {
            at: None,
            problem: format!("{what}: {e}"),
            io: Some(e),
        }
    }

    pub(crate) fn at(mut self, offset: u64) -> CompactError {
        self.at.get_or_insert(offset);
        self
    }
}
