//! One event of a lane as kept from a file: a small owned [`Event`] that
//! `builder` fills from the parsed JSON and `pairing` turns into spans.
//! It holds nothing of the text, so the file's events can be dropped as
//! they are read.

use crate::mpi_call::MpiCall;
use crate::trace::NameId;

/// The kinds of event kept from a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `X`: a span with its duration.
    Complete,
    /// `B`: a span begins.
    Begin,
    /// `E`: the span begun last (or the last one of its name) ends.
    End,
}

/// An event kept from a file, owning nothing of the text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Event {
    pub(super) kind: Kind,
    /// Start time, in nanoseconds.
    pub(super) ts: u64,
    /// End time of a complete event; `ts` for the others.
    pub(super) end: u64,
    /// Index into the builder's names; `NO_NAME` for an `E` without a name.
    pub(super) name: NameId,
    /// `args.depth`, trusted only in files logprof wrote.
    pub(super) depth: Option<u32>,
    /// `args.task`, trusted only in files logprof wrote.
    pub(super) task: Option<u64>,
    /// `args.value`, trusted only in files logprof wrote.
    pub(super) value: Option<i64>,
    /// `args.result`, trusted only in files logprof wrote.
    pub(super) result: Option<i64>,
    /// `args.unfinished`, trusted only in files logprof wrote.
    pub(super) unfinished: bool,
    /// `args.mpi` with its message's key, trusted only in files logprof
    /// wrote.
    pub(super) mpi: Option<MpiCall>,
}

/// The name of an `E` that has none: it closes whatever is innermost.
pub(super) const NO_NAME: NameId = NameId::MAX;
