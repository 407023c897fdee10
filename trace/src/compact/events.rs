//! The payload of an events chunk: one lane's events as a streaming writer
//! drained them from the thread's ring, not yet paired into spans. The
//! writer's work is then a varint or two an event; the readers pair the
//! enters and exits ([`crate::raw_events`], as `logprof::collect` pairs
//! them), carrying each lane's open calls from one of its chunks to the
//! next ([`PairedLane`]).
//!
//! The payload is the lane number, the count, the base time (the last
//! time of the lane's chunk before, 0 for its first) and `count` events,
//! each `head [task] [time or value]`:
//!
//! - `head`, a varint: `name << 4 | has-task << 3 | kind`. `name` is the
//!   file's name id + 1, or 0 for an event whose call site was not yet
//!   registered (a slot torn by a concurrent reset: readers skip it, as
//!   `collect` does). `kind` is that of [`crate::raw_events::kind`], or 7
//!   for a *break*: events were lost here (or a new recording began), so
//!   no call open before it is closed by an exit after it.
//! - the task, a varint, when `has-task`;
//! - for a value (of the event before: a span's value or result, a
//!   counter's sample), its 64 bits less those of the chunk's last value
//!   that followed an event of the same kind, as a zigzag varint (a column
//!   index going up by one takes a byte); for a break, nothing; for any
//!   other event, its time as a varint delta from the time before. Times
//!   never go backwards within a lane.
//!
//! A call of a tiny function, enter and exit, takes 4 bytes.

use super::varint::{self, Bytes};
use super::CompactError;
use crate::raw_events::{kind, meta, parts, Decoder, PlainSink, RawSpan, Sink, KIND_BITS};
use crate::trace::{InstantEvent, NameId, Span};

/// The kind of a break (in the file only: a ring holds none).
const BREAK: u64 = 7;
/// The head's bit that says a task follows.
const HAS_TASK: u64 = 1 << KIND_BITS;
/// Where the name starts in a head.
const NAME_SHIFT: u32 = KIND_BITS + 1;
/// The meta word of a break, as [`EventsIn::next_block`] gives it.
const BREAK_META: u64 = BREAK;

/// An events chunk built as a streaming writer drains a lane's ring;
/// [`LptWriter::write_events`](super::LptWriter::write_events) writes it
/// as one chunk, and it goes on from there with the next.
#[derive(Clone, Debug)]
pub struct EventsBatch {
    /// The events' bytes, after the chunk's lane, count and base time.
    pub(crate) body: Vec<u8>,
    pub(crate) count: u64,
    /// The time the chunk's first delta is from.
    pub(crate) base_ns: u64,
    /// The latest time pushed, in this chunk or one before.
    last_ns: u64,
    /// The earliest time of this chunk, `u64::MAX` before one.
    first_ns: u64,
    /// The chunk's values so far: see [`ValueDeltas`].
    values: ValueDeltas,
}

/// A value is written as its difference from the last value of the chunk
/// that followed an event of the same kind (an enter's value from the
/// last enter's, a result from the last result): a column index or a
/// count going up by one takes a byte. Both sides start each chunk from
/// zero, so a chunk's values read on their own.
#[derive(Clone, Debug, Default)]
struct ValueDeltas {
    /// By the kind of the event before a value.
    last: [u64; 8],
    /// The kind of the event before (a break's at a chunk's start).
    before: u64,
}

impl ValueDeltas {
    fn new() -> ValueDeltas {
        ValueDeltas {
            last: [0; 8],
            before: BREAK,
        }
    }

    /// The difference to write for a value of `bits`, which becomes the
    /// last of its kind.
    #[inline]
    fn delta(&mut self, bits: u64) -> u64 {
        let slot = &mut self.last[self.before as usize & 7];
        let delta = bits.wrapping_sub(*slot);
        *slot = bits;
        self.before = kind::VALUE;
        delta
    }

    /// The value of a difference read, as [`ValueDeltas::delta`] wrote it.
    #[inline]
    fn value(&mut self, delta: u64) -> u64 {
        let slot = &mut self.last[self.before as usize & 7];
        *slot = slot.wrapping_add(delta);
        self.before = kind::VALUE;
        *slot
    }
}

impl EventsBatch {
    /// An empty batch.
    pub fn new() -> EventsBatch {
        EventsBatch {
            body: Vec::new(),
            count: 0,
            base_ns: 0,
            last_ns: 0,
            first_ns: u64::MAX,
            values: ValueDeltas::new(),
        }
    }

    /// Events pushed since the batch was last written.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True when nothing was pushed since the batch was last written.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// An enter, exit, instant or counter event (`kind` of
    /// [`crate::raw_events::kind`]) of name `name` (`None`: of a call site
    /// not yet registered), in task `task` (0: none), at `ns`; a time
    /// earlier than the last pushed is taken as that one.
    #[inline]
    pub fn push_timed(&mut self, kind: u64, name: Option<NameId>, task: u32, ns: u64) {
        let ns = ns.max(self.last_ns);
        let delta = ns - self.last_ns;
        self.last_ns = ns;
        if self.first_ns == u64::MAX {
            self.first_ns = ns;
        }
        self.count += 1;
        self.values.before = kind;
        let head = head(kind, name);
        if task == 0 && (head | delta) < 0x80 {
            // The commonest event: one byte of head, one of time.
            self.body.extend_from_slice(&[head as u8, delta as u8]);
            return;
        }
        self.put_head(head, task);
        varint::put(&mut self.body, delta);
    }

    /// A call: an enter at `start_ns` and its exit at `end_ns`, of name
    /// `name`, with no task: [`EventsBatch::push_timed`] twice, the
    /// commonest pair stored at once (a loop of tiny calls is all such
    /// pairs).
    #[inline]
    pub fn push_call(&mut self, name: Option<NameId>, start_ns: u64, end_ns: u64) {
        let start = start_ns.max(self.last_ns);
        let end = end_ns.max(start);
        let (to_start, length) = (start - self.last_ns, end - start);
        let enter = head(kind::ENTER, name);
        if (enter | to_start | length) < 0x80 && self.first_ns != u64::MAX {
            self.last_ns = end;
            self.count += 2;
            self.values.before = kind::EXIT;
            let exit = enter | kind::EXIT;
            self.body
                .extend_from_slice(&[enter as u8, to_start as u8, exit as u8, length as u8]);
            return;
        }
        self.push_timed(kind::ENTER, name, 0, start_ns);
        self.push_timed(kind::EXIT, name, 0, end_ns);
    }

    /// A value event: the 64 bits `bits` of the event before, of name
    /// `name` in task `task`.
    #[inline]
    pub fn push_value(&mut self, name: Option<NameId>, task: u32, bits: u64) {
        self.count += 1;
        self.put_head(head(kind::VALUE, name), task);
        let delta = self.values.delta(bits);
        varint::put_signed(&mut self.body, delta as i64);
    }

    /// A break: events were lost before the next one (or a new recording
    /// began), so the calls open now are not closed by exits after it.
    pub fn push_break(&mut self) {
        self.count += 1;
        self.values.before = BREAK;
        varint::put(&mut self.body, BREAK);
    }

    fn put_head(&mut self, head: u64, task: u32) {
        if task == 0 {
            varint::put(&mut self.body, head);
        } else {
            varint::put(&mut self.body, head | HAS_TASK);
            varint::put(&mut self.body, task.into());
        }
    }

    /// True once an event with a time was pushed, written since or not.
    pub fn ever_pushed(&self) -> bool {
        self.count > 0 || self.last_ns > 0
    }

    /// The earliest and latest time of the events pushed since the batch
    /// was last written; `(0, 0)` when they hold none.
    pub fn times(&self) -> (u64, u64) {
        if self.first_ns == u64::MAX {
            (0, 0)
        } else {
            (self.first_ns, self.last_ns)
        }
    }

    /// Empties the batch after it was written; the next chunk's times go
    /// on from this one's.
    pub(crate) fn clear(&mut self) {
        self.body.clear();
        self.count = 0;
        self.base_ns = self.last_ns;
        self.first_ns = u64::MAX;
        self.values = ValueDeltas::new();
    }
}

impl Default for EventsBatch {
    fn default() -> EventsBatch {
        EventsBatch::new()
    }
}

#[inline]
fn head(kind: u64, name: Option<NameId>) -> u64 {
    (name.map_or(0, |n| u64::from(n) + 1) << NAME_SHIFT) | kind
}

/// An events payload being read a block at a time (after its lane): the
/// events left, and the time of the last.
struct EventsIn {
    left: usize,
    ns: u64,
    values: ValueDeltas,
}

impl EventsIn {
    /// Reads the payload's count and base time.
    fn new(b: &mut Bytes<'_>) -> Result<EventsIn, CompactError> {
        Ok(EventsIn {
            left: b.count("an events chunk's count")?,
            ns: b.varint("an events chunk's base time")?,
            values: ValueDeltas::new(),
        })
    }

    /// Appends the next `max` events (or those left) to `out`, as a ring
    /// holds events: `(ns or value bits, meta)`, the meta word's id being
    /// the name id + 1 (0 for none); a break is [`BREAK_META`]. `names`:
    /// how many names the file has; an event of a name past them is an
    /// error.
    fn next_block(
        &mut self,
        b: &mut Bytes<'_>,
        names: usize,
        out: &mut Vec<(u64, u64)>,
        max: usize,
    ) -> Result<(), CompactError> {
        let n = self.left.min(max);
        self.left -= n;
        out.reserve(n);
        for _ in 0..n {
            let head = b.varint("an event")?;
            let event_kind = head & ((1 << KIND_BITS) - 1);
            if event_kind == BREAK {
                self.values.before = BREAK;
                out.push((0, BREAK_META));
                continue;
            }
            let name = head >> NAME_SHIFT;
            if name > names as u64 {
                return Err(CompactError::damaged(format!(
                    "an event of name {}, but only {names} names are declared before it",
                    name - 1
                )));
            }
            if event_kind > kind::COUNTER {
                return Err(CompactError::damaged(format!(
                    "an event of kind {event_kind}"
                )));
            }
            let task = if head & HAS_TASK != 0 {
                b.u32("an event's task")?
            } else {
                0
            };
            let word = if event_kind == kind::VALUE {
                self.values.value(b.signed("an event's value")? as u64)
            } else {
                self.values.before = event_kind;
                self.ns = self
                    .ns
                    .checked_add(b.varint("an event's time")?)
                    .ok_or_else(|| CompactError::damaged("an event's time past 2^64 ns"))?;
                self.ns
            };
            out.push((word, meta(event_kind, name as u32, task)));
        }
        Ok(())
    }
}

/// Events decoded and paired at a time: their block stays in the cache
/// (a whole chunk's, 512 KiB, did not).
const PAIR_BLOCK: usize = 2048;

/// Copies the events of the payload `b` (after its lane) onto `batch`,
/// their names renumbered by `name` and their times moved by `at`, which
/// never turns a later time into an earlier one: a merge copies a rank's
/// events chunks so, unpaired, a block at a time. `names`: how many names
/// the input declares. Returns the events copied.
pub(crate) fn copy_events(
    b: &mut Bytes<'_>,
    names: usize,
    batch: &mut EventsBatch,
    name: impl Fn(NameId) -> NameId,
    at: impl Fn(u64) -> u64,
) -> Result<u64, CompactError> {
    let mut events = EventsIn::new(b)?;
    let mut block = Vec::with_capacity(PAIR_BLOCK);
    let mut copied = 0;
    while events.left > 0 {
        block.clear();
        events.next_block(b, names, &mut block, PAIR_BLOCK)?;
        copied += block.len() as u64;
        for &(word, m) in &block {
            if m == BREAK_META {
                batch.push_break();
                continue;
            }
            let (event_kind, id, task) = parts(m);
            let renamed = id.checked_sub(1).map(&name);
            if event_kind == kind::VALUE {
                batch.push_value(renamed, task, word);
            } else {
                batch.push_timed(event_kind, renamed, task, at(word));
            }
        }
    }
    Ok(copied)
}

/// One lane's events as a reader pairs them, chunk after chunk: the calls
/// open at the end of one chunk are closed by exits in a later one.
#[derive(Default)]
pub(crate) struct PairedLane {
    decoder: Decoder,
    /// The chunk being paired, decoded; reused.
    block: Vec<(u64, u64)>,
    /// Calls dropped open at breaks.
    unclosed: u64,
}

impl PairedLane {
    /// Pairs the events of the payload `b` (after its lane) into `sink`,
    /// whose ids are name ids + 1 ([`IntoSpans`] takes them so).
    pub(crate) fn feed(
        &mut self,
        b: &mut Bytes<'_>,
        names: usize,
        sink: &mut impl PlainSink,
    ) -> Result<(), CompactError> {
        let mut events = EventsIn::new(b)?;
        while events.left > 0 {
            self.block.clear();
            events.next_block(b, names, &mut self.block, PAIR_BLOCK)?;
            let mut rest = &self.block[..];
            while !rest.is_empty() {
                let cut = rest
                    .iter()
                    .position(|&(_, m)| m == BREAK_META)
                    .unwrap_or(rest.len());
                self.decoder.feed_plain(&rest[..cut], names, |t| t, sink);
                if cut < rest.len() {
                    self.unclosed += self.decoder.break_off();
                    rest = &rest[cut + 1..];
                } else {
                    rest = &[];
                }
            }
        }
        Ok(())
    }

    /// Enters never closed: dropped at a break, or open at the end.
    pub(crate) fn unclosed(&self) -> u64 {
        self.unclosed + self.decoder.open_count()
    }
}

/// A [`Sink`] that makes a lane's [`Span`]s, instants and counter samples
/// of what [`PairedLane`] pairs.
pub(crate) struct IntoSpans<'a> {
    /// Spans in exit order; a result attaches to the last.
    pub(crate) spans: &'a mut Vec<Span>,
    pub(crate) instants: &'a mut Vec<InstantEvent>,
    /// `(counter name, ns, value)`.
    pub(crate) samples: &'a mut Vec<(NameId, u64, f64)>,
    pub(crate) unmatched_exits: &'a mut u64,
}

impl Sink for IntoSpans<'_> {
    fn span(&mut self, s: RawSpan) {
        self.spans.push(Span {
            task: (s.task != 0).then_some(u64::from(s.task)),
            value: s.value,
            result: s.result,
            ..Span::new(s.id - 1, s.start_ns, s.end_ns, s.depth)
        });
    }

    fn result(&mut self, result: i64) {
        if let Some(s) = self.spans.last_mut() {
            s.result = Some(result);
        }
    }

    fn instant(&mut self, id: u32, ns: u64) {
        self.instants.push(InstantEvent {
            name: id - 1,
            ts_ns: ns,
        });
    }

    fn sample(&mut self, id: u32, ns: u64, value: f64) {
        self.samples.push((id - 1, ns, value));
    }

    fn unmatched_exit(&mut self, _: u32, _: u32, _: u64) {
        *self.unmatched_exits += 1;
    }
}

impl PlainSink for IntoSpans<'_> {
    #[inline]
    fn plain(&mut self, id: u32, start_ns: u64, end_ns: u64, depth: u32) {
        self.spans.push(Span::new(id - 1, start_ns, end_ns, depth));
    }
}

#[cfg(test)]
mod tests;
