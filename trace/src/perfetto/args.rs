//! A span's fields that the nesting of its track does not say, as debug
//! annotations (Perfetto shows them as the slice's arguments): its `depth`
//! where it differs from its place on the stack, its `task`, `value`,
//! `result`, an `unfinished` mark and its message end (`mpi`, `peer`,
//! `tag`, `seq`, `bytes`), the names the Chrome JSON files give them in
//! `args`. An off-CPU interval carries the `cpu` it came back on.
//!
//! The reader keeps them all and trusts them only in a file logprof wrote:
//! in another tool's file they are the traced program's own arguments.

use super::protos::DebugAnnotation;
use crate::mpi_call::{MessageSide, MpiCall};
use crate::trace::Span;

/// The annotations of `span`, which sits at `stack_depth` on its track.
pub(super) fn span_annotations(span: &Span, stack_depth: u32) -> Vec<DebugAnnotation> {
    let mut out = Vec::new();
    if span.depth != stack_depth {
        out.push(uint("depth", span.depth.into()));
    }
    if let Some(task) = span.task {
        out.push(uint("task", task));
    }
    if let Some(value) = span.value {
        out.push(int("value", value));
    }
    if let Some(result) = span.result {
        out.push(int("result", result));
    }
    if span.unfinished {
        out.push(DebugAnnotation {
            name: Some("unfinished".to_owned()),
            bool_value: Some(true),
            ..Default::default()
        });
    }
    if let Some(call) = &span.mpi {
        out.push(DebugAnnotation {
            name: Some("mpi".to_owned()),
            string_value: Some(call.side.as_str().to_owned()),
            ..Default::default()
        });
        out.push(uint("peer", call.peer.into()));
        out.push(int("tag", call.tag.into()));
        out.push(uint("seq", call.seq));
        out.push(uint("bytes", call.bytes));
    }
    out
}

fn uint(name: &str, v: u64) -> DebugAnnotation {
    DebugAnnotation {
        name: Some(name.to_owned()),
        uint_value: Some(v),
        ..Default::default()
    }
}

fn int(name: &str, v: i64) -> DebugAnnotation {
    DebugAnnotation {
        name: Some(name.to_owned()),
        int_value: Some(v),
        ..Default::default()
    }
}

/// The annotations of a slice's begin that logprof reads, by name.
#[derive(Clone, Debug, Default)]
pub(super) struct SliceArgs {
    pub depth: Option<u32>,
    pub task: Option<u64>,
    pub value: Option<i64>,
    pub result: Option<i64>,
    pub unfinished: bool,
    pub cpu: Option<u32>,
    side: Option<MessageSide>,
    peer: Option<u32>,
    tag: Option<i32>,
    seq: Option<u64>,
    bytes: Option<u64>,
}

impl SliceArgs {
    /// Reads one annotation whose name (given or interned) is `name`;
    /// others are passed over.
    pub fn take(&mut self, name: &str, a: &DebugAnnotation) {
        let integer = a
            .int_value
            .or_else(|| a.uint_value.and_then(|v| i64::try_from(v).ok()));
        let unsigned = a
            .uint_value
            .or_else(|| a.int_value.and_then(|v| u64::try_from(v).ok()));
        match name {
            "depth" => self.depth = unsigned.and_then(|v| u32::try_from(v).ok()),
            "task" => self.task = unsigned,
            "value" => self.value = integer,
            "result" => self.result = integer,
            "unfinished" => {
                self.unfinished = a.bool_value.unwrap_or(integer.is_some_and(|v| v != 0))
            }
            "cpu" => self.cpu = unsigned.and_then(|v| u32::try_from(v).ok()),
            "mpi" => self.side = a.string_value.as_deref().and_then(MessageSide::from_text),
            "peer" => self.peer = unsigned.and_then(|v| u32::try_from(v).ok()),
            "tag" => self.tag = integer.and_then(|v| i32::try_from(v).ok()),
            "seq" => self.seq = unsigned,
            "bytes" => self.bytes = unsigned,
            _ => {}
        }
    }

    /// The message end, when every part of it is there.
    pub fn mpi(&self) -> Option<MpiCall> {
        Some(MpiCall {
            side: self.side?,
            peer: self.peer?,
            tag: self.tag?,
            seq: self.seq?,
            bytes: self.bytes?,
        })
    }
}
