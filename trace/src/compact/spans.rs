//! The payloads of the chunks that hold a lane's events: spans, instants,
//! off-CPU intervals, and a counter's samples. Each starts with the lane
//! (or track) number and a count; times are deltas from the previous item
//! of the chunk (zigzag, so items in any order cost little), the first
//! from 0, so each chunk decodes on its own.
//!
//! A span is `head name start length [extras]`, `head` being
//! `depth << 1 | has-extras`, `start` a signed delta from the end of the
//! span before (from its start when this one is deeper: it begins inside
//! it): 4 bytes for a short call at a small depth. Values and results are
//! deltas from the last value and result of the chunk (a column index
//! goes up by one).
//! The extras byte says which of task, value, result, unfinished, message
//! end and end-before-start follow.

use super::varint::{self, Bytes};
use super::CompactError;
use crate::mpi_call::{MessageSide, MpiCall};
use crate::offcpu::{OffCpu, OffCpuKind};
use crate::trace::{InstantEvent, NameId, Span};

const TASK: u8 = 1;
const VALUE: u8 = 2;
const RESULT: u8 = 4;
const UNFINISHED: u8 = 8;
const MPI: u8 = 16;
/// `end_ns` is before `start_ns` (a hand-built span): the length is
/// `start - end`.
const END_BEFORE: u8 = 32;

/// Appends `spans`' payload; returns their earliest start and latest end.
pub(crate) fn encode_spans(out: &mut Vec<u8>, lane: u32, spans: &[Span]) -> (u64, u64) {
    varint::put(out, lane.into());
    varint::put(out, spans.len() as u64);
    let mut previous = Previous::default();
    let (mut first, mut last) = (u64::MAX, 0);
    for s in spans {
        encode_span(out, &mut previous, s.into());
        first = first.min(s.start_ns);
        last = last.max(s.end_ns);
    }
    (first.min(last), last)
}

/// A span's fields as [`encode_span`] writes them: a [`Span`]'s, or one
/// built field by field (see [`SpanBatch::push`]).
pub(crate) struct SpanFields<'a> {
    pub(crate) name: NameId,
    pub(crate) start_ns: u64,
    pub(crate) end_ns: u64,
    pub(crate) depth: u32,
    pub(crate) task: Option<u64>,
    pub(crate) value: Option<i64>,
    pub(crate) result: Option<i64>,
    pub(crate) unfinished: bool,
    pub(crate) mpi: Option<&'a MpiCall>,
}

impl<'a> From<&'a Span> for SpanFields<'a> {
    #[inline]
    fn from(s: &'a Span) -> SpanFields<'a> {
        SpanFields {
            name: s.name,
            start_ns: s.start_ns,
            end_ns: s.end_ns,
            depth: s.depth,
            task: s.task,
            value: s.value,
            result: s.result,
            unfinished: s.unfinished,
            mpi: s.mpi.as_deref(),
        }
    }
}

/// Appends one span, relative to `previous`, which it then becomes.
#[inline]
fn encode_span(out: &mut Vec<u8>, previous: &mut Previous, s: SpanFields<'_>) {
    let mut extras = 0u8;
    if s.task.is_some() {
        extras |= TASK;
    }
    if s.value.is_some() {
        extras |= VALUE;
    }
    if s.result.is_some() {
        extras |= RESULT;
    }
    if s.unfinished {
        extras |= UNFINISHED;
    }
    if s.mpi.is_some() {
        extras |= MPI;
    }
    if s.end_ns < s.start_ns {
        extras |= END_BEFORE;
    }
    varint::put(out, (u64::from(s.depth) << 1) | u64::from(extras != 0));
    varint::put(out, s.name.into());
    varint::put_signed(
        out,
        s.start_ns.wrapping_sub(previous.reference(s.depth)) as i64,
    );
    varint::put(out, s.end_ns.abs_diff(s.start_ns));
    if extras != 0 {
        out.push(extras);
        if let Some(t) = s.task {
            varint::put(out, t);
        }
        if let Some(v) = s.value {
            varint::put_signed(out, v.wrapping_sub(previous.value));
            previous.value = v;
        }
        if let Some(r) = s.result {
            varint::put_signed(out, r.wrapping_sub(previous.result));
            previous.result = r;
        }
        if let Some(m) = s.mpi {
            out.push(match m.side {
                MessageSide::Send => 0,
                MessageSide::Receive => 1,
            });
            varint::put(out, m.peer.into());
            varint::put_signed(out, m.tag.into());
            varint::put(out, m.seq);
            varint::put(out, m.bytes);
        }
    }
    previous.start_ns = s.start_ns;
    previous.end_ns = s.end_ns;
    previous.depth = s.depth;
}

/// A spans chunk built one span at a time, for a writer that encodes
/// spans as it decodes them (the `logprof` crate's streaming writer)
/// instead of collecting [`Span`]s first; [`LptWriter::write_spans`]
/// writes it as one chunk. The bytes are those [`LptWriter::spans`]
/// writes for the same spans.
///
/// [`LptWriter::write_spans`]: super::LptWriter::write_spans
/// [`LptWriter::spans`]: super::LptWriter::spans
#[derive(Default)]
pub struct SpanBatch {
    /// The spans' bytes, after the chunk's lane and count.
    pub(crate) body: Vec<u8>,
    pub(crate) count: u64,
    previous: Previous,
    pub(crate) first: u64,
    pub(crate) last: u64,
}

impl SpanBatch {
    /// An empty batch.
    pub fn new() -> SpanBatch {
        SpanBatch {
            first: u64::MAX,
            ..SpanBatch::default()
        }
    }

    /// Spans pushed since the batch was last written.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True when no span was pushed since the batch was last written.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends a span (of a recording: not unfinished, no message).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        name: NameId,
        start_ns: u64,
        end_ns: u64,
        depth: u32,
        task: Option<u64>,
        value: Option<i64>,
        result: Option<i64>,
    ) {
        let fields = SpanFields {
            name,
            start_ns,
            end_ns,
            depth,
            task,
            value,
            result,
            unfinished: false,
            mpi: None,
        };
        self.push_fields(fields);
    }

    /// Appends a span with no task, value or result: [`SpanBatch::push`]
    /// of `None`s, on a path without them (a streaming writer's commonest
    /// span, so kept short).
    #[inline]
    pub fn push_plain(&mut self, name: NameId, start_ns: u64, end_ns: u64, depth: u32) {
        if end_ns < start_ns {
            // Never from a recording (times never run backwards in a lane).
            return self.push(name, start_ns, end_ns, depth, None, None, None);
        }
        self.first = self.first.min(start_ns);
        self.last = self.last.max(end_ns);
        self.count += 1;
        let previous = &mut self.previous;
        let out = &mut self.body;
        let head = u64::from(depth) << 1;
        let start = varint::zigzag(start_ns.wrapping_sub(previous.reference(depth)) as i64);
        let length = end_ns - start_ns;
        if (head | u64::from(name) | start | length) < 0x80 {
            // Four one-byte varints (a short call right after another, of
            // one of the first 128 names): one store, not four pushes each
            // waiting for the last one's length.
            out.extend_from_slice(&[head as u8, name as u8, start as u8, length as u8]);
        } else {
            varint::put(out, head);
            varint::put(out, name.into());
            varint::put(out, start);
            varint::put(out, length);
        }
        previous.start_ns = start_ns;
        previous.end_ns = end_ns;
        previous.depth = depth;
    }

    /// Appends a span, whatever it holds.
    pub fn push_span(&mut self, span: &Span) {
        self.push_fields(span.into());
    }

    #[inline]
    fn push_fields(&mut self, s: SpanFields<'_>) {
        self.first = self.first.min(s.start_ns);
        self.last = self.last.max(s.end_ns);
        self.count += 1;
        encode_span(&mut self.body, &mut self.previous, s);
    }

    /// The earliest start and latest end of the spans pushed (`(0, 0)`
    /// when none were).
    pub fn times(&self) -> (u64, u64) {
        (self.first.min(self.last), self.last)
    }

    /// Empties the batch for the next chunk, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.body.clear();
        self.count = 0;
        self.previous = Previous::default();
        self.first = u64::MAX;
        self.last = 0;
    }
}

/// What a span's fields are written relative to: the span before it in
/// the chunk, and the last value and result written.
#[derive(Default)]
struct Previous {
    start_ns: u64,
    end_ns: u64,
    depth: u32,
    value: i64,
    result: i64,
}

impl Previous {
    /// A span deeper than the one before starts inside it: near its start.
    /// Any other (a sibling, or a span after a nest closed) starts after
    /// the one before ended: near its end. So calls back to back, the
    /// common case, cost a byte whatever their length.
    fn reference(&self, depth: u32) -> u64 {
        if depth > self.depth {
            self.start_ns
        } else {
            self.end_ns
        }
    }

    fn span(&mut self, s: &Span) {
        self.start_ns = s.start_ns;
        self.end_ns = s.end_ns;
        self.depth = s.depth;
    }
}

/// The lane number at the start of a spans, instants or off-CPU payload.
pub(crate) fn lane_of(b: &mut Bytes<'_>) -> Result<u32, CompactError> {
    b.u32("a chunk's lane")
}

/// Reads the rest of a spans payload (after [`lane_of`]), appending to
/// `spans`.
pub(crate) fn decode_spans(b: &mut Bytes<'_>, spans: &mut Vec<Span>) -> Result<(), CompactError> {
    // The count, read ahead to reserve once.
    spans.reserve(b.clone().count("a spans chunk's count")?);
    decode_spans_each(b, |span| {
        spans.push(span);
        Ok(())
    })
}

/// Reads the rest of a spans payload (after [`lane_of`]), giving each span
/// to `each` as it is decoded, so that a pass over a file keeps none of
/// them (and no chunk's worth of them).
#[inline]
pub(crate) fn decode_spans_each(
    b: &mut Bytes<'_>,
    mut each: impl FnMut(Span) -> Result<(), CompactError>,
) -> Result<(), CompactError> {
    let n = b.count("a spans chunk's count")?;
    let mut previous = Previous::default();
    for _ in 0..n {
        let head = b.varint("a span")?;
        let depth = u32::try_from(head >> 1)
            .map_err(|_| CompactError::damaged("a span's depth is past 2^32"))?;
        let name = b.u32("a span's name")?;
        let start_ns = previous
            .reference(depth)
            .wrapping_add(b.signed("a span's start")? as u64);
        let length = b.varint("a span's length")?;
        let extras = if head & 1 == 1 {
            b.u8("a span's extras")?
        } else {
            0
        };
        let end_ns = if extras & END_BEFORE != 0 {
            start_ns.wrapping_sub(length)
        } else {
            start_ns.wrapping_add(length)
        };
        let mut span = Span {
            name,
            start_ns,
            end_ns,
            depth,
            task: None,
            value: None,
            result: None,
            unfinished: extras & UNFINISHED != 0,
            mpi: None,
        };
        if extras & TASK != 0 {
            span.task = Some(b.varint("a span's task")?);
        }
        if extras & VALUE != 0 {
            previous.value = previous.value.wrapping_add(b.signed("a span's value")?);
            span.value = Some(previous.value);
        }
        if extras & RESULT != 0 {
            previous.result = previous.result.wrapping_add(b.signed("a span's result")?);
            span.result = Some(previous.result);
        }
        if extras & MPI != 0 {
            let side = match b.u8("a message end")? {
                0 => MessageSide::Send,
                1 => MessageSide::Receive,
                s => return Err(CompactError::damaged(format!("a message side of {s}"))),
            };
            let peer = b.u32("a message's peer")?;
            let tag = i32::try_from(b.signed("a message's tag")?)
                .map_err(|_| CompactError::damaged("a message tag past 32 bits"))?;
            span.mpi = Some(Box::new(MpiCall {
                side,
                peer,
                tag,
                seq: b.varint("a message's number")?,
                bytes: b.varint("a message's size")?,
            }));
        }
        previous.span(&span);
        each(span)?;
    }
    Ok(())
}

pub(crate) fn encode_instants(
    out: &mut Vec<u8>,
    lane: u32,
    instants: &[InstantEvent],
) -> (u64, u64) {
    varint::put(out, lane.into());
    varint::put(out, instants.len() as u64);
    let mut previous = 0u64;
    let (mut first, mut last) = (u64::MAX, 0);
    for i in instants {
        varint::put(out, i.name.into());
        varint::put_signed(out, i.ts_ns.wrapping_sub(previous) as i64);
        previous = i.ts_ns;
        first = first.min(i.ts_ns);
        last = last.max(i.ts_ns);
    }
    (first.min(last), last)
}

pub(crate) fn decode_instants(
    b: &mut Bytes<'_>,
    out: &mut Vec<InstantEvent>,
) -> Result<(), CompactError> {
    let n = b.count("an instants chunk's count")?;
    out.reserve(n);
    let mut previous = 0u64;
    for _ in 0..n {
        let name = b.u32("an instant's name")?;
        previous = previous.wrapping_add(b.signed("an instant's time")? as u64);
        out.push(InstantEvent {
            name,
            ts_ns: previous,
        });
    }
    Ok(())
}

const BLOCKED: u8 = 1;
const HAS_CPU: u8 = 2;

pub(crate) fn encode_off_cpu(out: &mut Vec<u8>, lane: u32, off: &[OffCpu]) -> (u64, u64) {
    varint::put(out, lane.into());
    varint::put(out, off.len() as u64);
    let mut previous = 0u64;
    let (mut first, mut last) = (u64::MAX, 0);
    for o in off {
        let mut bits = 0u8;
        if o.kind == OffCpuKind::Blocked {
            bits |= BLOCKED;
        }
        if o.cpu.is_some() {
            bits |= HAS_CPU;
        }
        if o.end_ns < o.start_ns {
            bits |= END_BEFORE;
        }
        out.push(bits);
        // From the end of the interval before: they are disjoint, in order.
        varint::put_signed(out, o.start_ns.wrapping_sub(previous) as i64);
        previous = o.end_ns;
        varint::put(out, o.end_ns.abs_diff(o.start_ns));
        if let Some(cpu) = o.cpu {
            varint::put(out, cpu.into());
        }
        first = first.min(o.start_ns);
        last = last.max(o.end_ns);
    }
    (first.min(last), last)
}

pub(crate) fn decode_off_cpu(b: &mut Bytes<'_>, out: &mut Vec<OffCpu>) -> Result<(), CompactError> {
    let n = b.count("an off-CPU chunk's count")?;
    out.reserve(n);
    let mut previous = 0u64;
    for _ in 0..n {
        let bits = b.u8("an off-CPU interval")?;
        let start_ns = previous.wrapping_add(b.signed("an off-CPU start")? as u64);
        let length = b.varint("an off-CPU length")?;
        let end_ns = if bits & END_BEFORE != 0 {
            start_ns.wrapping_sub(length)
        } else {
            start_ns.wrapping_add(length)
        };
        previous = end_ns;
        let cpu = if bits & HAS_CPU != 0 {
            Some(b.u32("an off-CPU interval's cpu")?)
        } else {
            None
        };
        out.push(OffCpu {
            start_ns,
            end_ns,
            kind: if bits & BLOCKED != 0 {
                OffCpuKind::Blocked
            } else {
                OffCpuKind::Preempted
            },
            cpu,
        });
    }
    Ok(())
}

pub(crate) fn encode_samples(out: &mut Vec<u8>, track: u32, samples: &[(u64, f64)]) -> (u64, u64) {
    varint::put(out, track.into());
    varint::put(out, samples.len() as u64);
    let mut previous = 0u64;
    let (mut first, mut last) = (u64::MAX, 0);
    for &(ts, v) in samples {
        varint::put_signed(out, ts.wrapping_sub(previous) as i64);
        previous = ts;
        out.extend_from_slice(&v.to_le_bytes());
        first = first.min(ts);
        last = last.max(ts);
    }
    (first.min(last), last)
}

pub(crate) fn decode_samples(
    b: &mut Bytes<'_>,
    out: &mut Vec<(u64, f64)>,
) -> Result<(), CompactError> {
    let n = b.count("a samples chunk's count")?;
    out.reserve(n);
    let mut previous = 0u64;
    for _ in 0..n {
        previous = previous.wrapping_add(b.signed("a sample's time")? as u64);
        out.push((previous, b.f64("a sample's value")?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `push_plain` writes the bytes `push` writes for a span with no
    /// task, value or result: short ones (four one-byte fields), long,
    /// deep, of a high name id, starting before the span before, ending
    /// before it starts.
    #[test]
    fn the_short_path_writes_the_bytes_of_the_long_one() {
        let spans: [(NameId, u64, u64, u32); 10] = [
            (0, 10, 20, 0),
            (1, 25, 30, 1),
            (1, 31, 40, 1),
            (0, 41, 41, 0),
            (300, 50, 9_000, 0),
            (2, 9_000, 9_001, 70),
            (2, 5, 6, 0),
            (3, 1 << 40, (1 << 40) + 127, 0),
            (3, (1 << 40) + 127, (1 << 40) + 255, 0),
            (4, 100, 90, 0), // built by hand: ends before it starts
        ];
        let (mut short, mut long) = (SpanBatch::new(), SpanBatch::new());
        for (name, start, end, depth) in spans {
            short.push_plain(name, start, end, depth);
            long.push(name, start, end, depth, None, None, None);
        }
        assert_eq!(short.body, long.body);
        assert_eq!((short.count, short.times()), (long.count, long.times()));
        // The first four took one byte a field.
        assert_eq!(&short.body[..4], &[0, 0, 20, 10]);
    }
}
