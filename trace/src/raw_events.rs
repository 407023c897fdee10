//! A recording's raw events: what the 16 bytes of one say (its `meta`
//! word), and the pairing of one thread's events (`(ticks, meta)` pairs,
//! oldest first) into spans, instants and counter samples, counting what
//! does not match.
//!
//! The recorder (crate `logprof`) writes these words into each thread's
//! ring. They are paired here so that everything that pairs them does so
//! the same way: `logprof::collect`, and the readers of a streamed
//! `.lpt` file, whose events chunks hold a lane's events as the stream's
//! writer drained them ([`crate::compact`]). This is not an API to record
//! with; use `logprof`.
//!
//! A [`kind::VALUE`] event belongs to the event just before it on the same
//! thread when that one is an enter, an exit or a counter of the same id (a
//! span's value, its result, a sample); anything
//! else (its event overwritten, or torn off the front of a copy read while
//! the thread wrote) is skipped: the loss is already counted with the event
//! it belonged to. An enter whose value is not there yet (the copy ended
//! between the two) simply has no value, and a counter sample without its
//! value is left out.

/// What an event is: the low 3 bits of its meta word. Above them the
/// call-site id (29 bits), and above those the task (32 bits).
pub mod kind {
    /// A span's enter; `ticks` is the time.
    pub const ENTER: u64 = 0;
    /// A span's exit; `ticks` is the time.
    pub const EXIT: u64 = 1;
    /// The payload of the event just before it on the same thread, with the
    /// same id (a span's value, a counter's sample); `ticks` holds the bits.
    pub const VALUE: u64 = 2;
    /// An instant; `ticks` is the time.
    pub const INSTANT: u64 = 3;
    /// A counter sample; `ticks` is the time, its value is in the next
    /// event, a [`VALUE`].
    pub const COUNTER: u64 = 4;
}

/// Bits of the meta word that hold the kind.
pub const KIND_BITS: u32 = 3;

/// The meta word of an event of `kind` for call site `id` in task `task`.
#[inline(always)]
pub fn meta(kind: u64, id: u32, task: u32) -> u64 {
    ((task as u64) << 32) | ((id as u64) << KIND_BITS) | kind
}

/// The kind, call-site id and task of a meta word: [`meta`] undone.
#[inline(always)]
pub fn parts(meta: u64) -> (u64, u32, u32) {
    (
        meta & ((1 << KIND_BITS) - 1),
        (meta as u32) >> KIND_BITS,
        (meta >> 32) as u32,
    )
}

/// The meta word of an enter.
#[inline(always)]
pub fn enter_meta(id: u32, task: u32) -> u64 {
    meta(kind::ENTER, id, task)
}

/// The meta word of an exit.
#[inline(always)]
pub fn exit_meta(id: u32, task: u32) -> u64 {
    meta(kind::EXIT, id, task)
}

/// One span of one thread, with raw call-site ids.
pub struct RawSpan {
    /// The call-site id of its enter and exit.
    pub id: u32,
    /// Its task, 0 for none.
    pub task: u32,
    /// The time of its enter.
    pub start_ns: u64,
    /// The time of its exit.
    pub end_ns: u64,
    /// How many calls were open around it.
    pub depth: u32,
    /// The value recorded with the enter.
    pub value: Option<i64>,
    /// The value recorded with the exit.
    pub result: Option<i64>,
}

/// What one thread recorded, decoded.
#[derive(Default)]
pub struct Decoded {
    /// Closed spans, in exit order.
    pub spans: Vec<RawSpan>,
    /// `(call-site id, ns)` of each instant, in time order.
    pub instants: Vec<(u32, u64)>,
    /// `(call-site id, ns, value)` of each counter sample, in time order.
    pub samples: Vec<(u32, u64, f64)>,
    /// Exits whose enter is not in the events.
    pub unmatched_exits: u64,
    /// Enters with no exit in the events.
    pub unclosed_enters: u64,
}

/// Where a [`Decoder`] puts what it decodes: [`Decoded`]'s vectors for
/// `collect`, or the streaming writer's chunks, encoded as they come.
pub trait Sink {
    /// A closed span, in exit order.
    fn span(&mut self, span: RawSpan);
    /// The result recorded with the exit of the span given last (it comes
    /// in the event after the exit, maybe in the next batch).
    fn result(&mut self, result: i64);
    /// An instant: call-site id, ns.
    fn instant(&mut self, id: u32, ns: u64);
    /// A counter sample: call-site id, ns, value.
    fn sample(&mut self, id: u32, ns: u64, value: f64);
    /// An exit whose enter is not in the events: call-site id, task, ns.
    fn unmatched_exit(&mut self, id: u32, task: u32, ns: u64);
}

impl Sink for Decoded {
    #[inline]
    fn span(&mut self, span: RawSpan) {
        self.spans.push(span);
    }
    #[inline]
    fn result(&mut self, result: i64) {
        if let Some(s) = self.spans.last_mut() {
            s.result = Some(result);
        }
    }
    fn instant(&mut self, id: u32, ns: u64) {
        self.instants.push((id, ns));
    }
    fn sample(&mut self, id: u32, ns: u64, value: f64) {
        self.samples.push((id, ns, value));
    }
    fn unmatched_exit(&mut self, _: u32, _: u32, _: u64) {
        self.unmatched_exits += 1;
    }
}

/// An enter not yet matched: id, task, start, depth, value.
struct Open {
    id: u32,
    task: u32,
    start_ns: u64,
    depth: u32,
    value: Option<i64>,
}

/// Decodes `events`; ids of 0 or above `max_id` (slots not yet written) are
/// skipped; `to_ns` turns ticks into nanoseconds.
pub fn decode(events: &[(u64, u64)], max_id: usize, to_ns: impl Fn(u64) -> u64) -> Decoded {
    let mut decoder = Decoder::default();
    let mut out = Decoded::default();
    decoder.feed_plain(events, max_id, to_ns, &mut out);
    out.unclosed_enters = decoder.open_count();
    out
}

/// How deep among the open calls an exit looks for its enter: exits come
/// in the reverse order of their enters but for tasks interleaved on a
/// thread, a few deep. An exit whose enter is deeper is counted as
/// unmatched (and the enter, left open, as unclosed), so that a damaged
/// or made-up file of many open calls cannot make pairing quadratic.
const MAX_SCAN: usize = 1024;

/// Decodes one thread's events batch after batch, as a streaming writer
/// drains them: the calls open at the end of one batch are closed by the
/// exits of the next. [`decode`] is one batch.
#[derive(Default)]
pub struct Decoder {
    open: Vec<Open>,
    last_ns: u64,
    /// The event before the current one: (kind, id, ns).
    previous: Option<(u64, u32, u64)>,
}

impl Decoder {
    /// Enters with no exit so far.
    pub fn open_count(&self) -> u64 {
        self.open.len() as u64
    }

    /// Forgets the calls open and the event before: the events that follow
    /// are not those that came after (some were lost between, or a new
    /// recording began). Returns how many calls were open.
    pub fn break_off(&mut self) -> u64 {
        self.previous = None;
        let n = self.open.len() as u64;
        self.open.clear();
        n
    }

    /// Decodes the next batch of events into `out` (its spans, instants,
    /// samples and unmatched exits; a [`Decoded`]'s `unclosed_enters` is
    /// left alone).
    #[inline]
    pub fn feed(
        &mut self,
        events: &[(u64, u64)],
        max_id: usize,
        to_ns: impl Fn(u64) -> u64,
        out: &mut impl Sink,
    ) {
        let open = &mut self.open;
        for &(ticks, meta) in events {
            let (event_kind, id, task) = parts(meta);
            let before = self.previous.take();
            if id == 0 || id as usize > max_id {
                continue; // a slot not yet written (torn by a concurrent reset)
            }
            if event_kind == kind::VALUE {
                match before {
                    Some((kind::ENTER, i, _)) if i == id => {
                        if let Some(o) = open.last_mut() {
                            o.value = Some(ticks as i64);
                        }
                    }
                    // A matched exit pushed its span last (an unmatched one
                    // leaves no `previous`).
                    Some((kind::EXIT, i, _)) if i == id => out.result(ticks as i64),
                    Some((kind::COUNTER, i, ns)) if i == id => {
                        out.sample(id, ns, f64::from_bits(ticks));
                    }
                    _ => {} // its event was lost, and counted, already
                }
                continue;
            }
            // Times never run backwards within a lane, whatever the TSCs of the
            // cores it ran on say.
            let ns = to_ns(ticks).max(self.last_ns);
            self.last_ns = ns;
            self.previous = Some((event_kind, id, ns));
            match event_kind {
                kind::ENTER => open.push(Open {
                    id,
                    task,
                    start_ns: ns,
                    depth: open.len() as u32,
                    value: None,
                }),
                kind::EXIT => {
                    // The innermost open call with this id and task; usually the top.
                    // Looked for among the innermost `MAX_SCAN` only: a
                    // file's open calls are not bounded by a ring.
                    let o = match open.last() {
                        Some(top) if top.id == id && top.task == task => open.pop(),
                        _ => open
                            .iter()
                            .rev()
                            .take(MAX_SCAN)
                            .position(|o| o.id == id && o.task == task)
                            .map(|back| open.remove(open.len() - 1 - back)),
                    };
                    let Some(o) = o else {
                        out.unmatched_exit(id, task, ns);
                        self.previous = None;
                        continue;
                    };
                    out.span(RawSpan {
                        id,
                        task,
                        start_ns: o.start_ns,
                        end_ns: ns,
                        depth: o.depth,
                        value: o.value,
                        result: None,
                    });
                }
                kind::INSTANT => out.instant(id, ns),
                _ => {} // a counter: its sample comes with its value
            }
        }
    }
}

/// A [`Sink`] that takes the commonest span, an enter and its exit with no
/// task, value or result, field by field (see [`Decoder::feed_plain`]).
pub trait PlainSink: Sink {
    /// A closed span of call site `id` with no task, value or result, in
    /// exit order with those given to [`Sink::span`].
    fn plain(&mut self, id: u32, start_ns: u64, end_ns: u64, depth: u32);
}

impl RawSpan {
    /// A span with no task, value or result.
    #[inline]
    pub fn plain(id: u32, start_ns: u64, end_ns: u64, depth: u32) -> RawSpan {
        RawSpan {
            id,
            task: 0,
            start_ns,
            end_ns,
            depth,
            value: None,
            result: None,
        }
    }
}

impl PlainSink for Decoded {
    #[inline]
    fn plain(&mut self, id: u32, start_ns: u64, end_ns: u64, depth: u32) {
        self.spans.push(RawSpan::plain(id, start_ns, end_ns, depth));
    }
}

impl Decoder {
    /// [`Decoder::feed`], with the commonest events on a short path: an
    /// enter with no task and no value after it, and its exit with no
    /// result after it, go to [`PlainSink::plain`] without a [`RawSpan`]
    /// or a look at the event before. Every other event, and the last of
    /// the batch (whose value may come in the next), goes through `feed`.
    /// The per-event work of `collect` and of every reader of a streamed
    /// file, so it is kept this lean.
    pub fn feed_plain(
        &mut self,
        events: &[(u64, u64)],
        max_id: usize,
        to_ns: impl Fn(u64) -> u64,
        out: &mut impl PlainSink,
    ) {
        let kind_mask = (1 << KIND_BITS) - 1;
        let mut i = 0;
        while i < events.len() {
            let (ticks, meta) = events[i];
            // The event after, not a value of this one: nothing can attach.
            let plain_next = events
                .get(i + 1)
                .is_some_and(|&(_, next)| next & kind_mask != kind::VALUE);
            let event_kind = meta & kind_mask;
            let id = (meta as u32) >> KIND_BITS;
            if plain_next && meta >> 32 == 0 && id != 0 && id as usize <= max_id {
                if event_kind == kind::ENTER {
                    let ns = to_ns(ticks).max(self.last_ns);
                    self.last_ns = ns;
                    self.previous = None;
                    let depth = self.open.len() as u32;
                    self.open.push(Open {
                        id,
                        task: 0,
                        start_ns: ns,
                        depth,
                        value: None,
                    });
                    i += 1;
                    continue;
                }
                if event_kind == kind::EXIT {
                    if let Some(top) = self.open.last() {
                        if top.id == id && top.task == 0 && top.value.is_none() {
                            let ns = to_ns(ticks).max(self.last_ns);
                            self.last_ns = ns;
                            self.previous = None;
                            let (start_ns, depth) = (top.start_ns, top.depth);
                            self.open.pop();
                            out.plain(id, start_ns, ns, depth);
                            i += 1;
                            continue;
                        }
                    }
                }
            }
            self.feed(&events[i..=i], max_id, &to_ns, out);
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: u64, id: u32, payload_or_ticks: u64) -> (u64, u64) {
        (payload_or_ticks, meta(kind, id, 0))
    }

    #[test]
    fn a_value_after_an_exit_is_the_result_of_that_span_only() {
        let events = [
            ev(kind::EXIT, 1, 1),  // unmatched
            ev(kind::VALUE, 1, 5), // its result: dropped with it
            ev(kind::ENTER, 1, 2),
            ev(kind::VALUE, 1, 3),
            ev(kind::ENTER, 2, 3),
            ev(kind::EXIT, 2, 4),
            ev(kind::EXIT, 1, 5),
            ev(kind::VALUE, 1, 42),
            ev(kind::VALUE, 1, 43), // a second one belongs to nothing
        ];
        let d = decode(&events, 2, |t| t);
        let spans: Vec<_> = d.spans.iter().map(|s| (s.id, s.value, s.result)).collect();
        assert_eq!(spans, [(2, None, None), (1, Some(3), Some(42))]);
        assert_eq!(d.unmatched_exits, 1);
    }

    #[test]
    fn a_value_belongs_only_to_the_event_just_before_it() {
        let events = [
            ev(kind::VALUE, 1, 99), // torn off: its enter is gone
            ev(kind::EXIT, 1, 5),   // unmatched
            ev(kind::ENTER, 2, 10),
            ev(kind::VALUE, 2, 7),
            ev(kind::ENTER, 1, 11),
            ev(kind::VALUE, 2, 8), // another id's value: dropped
            ev(kind::EXIT, 1, 12),
            ev(kind::EXIT, 2, 13),
            ev(kind::COUNTER, 3, 14),
            ev(kind::VALUE, 3, 1.5f64.to_bits()),
            ev(kind::INSTANT, 3, 15),
            ev(kind::VALUE, 3, 2.5f64.to_bits()), // after an instant: dropped
            ev(kind::ENTER, 2, 16),               // unclosed, value not written yet
            ev(kind::COUNTER, 3, 17),             // its value not written yet
        ];
        let d = decode(&events, 3, |t| t);
        let spans: Vec<_> = d
            .spans
            .iter()
            .map(|s| (s.id, s.start_ns, s.end_ns, s.value))
            .collect();
        assert_eq!(spans, [(1, 11, 12, None), (2, 10, 13, Some(7))]);
        assert_eq!(d.samples, [(3, 14, 1.5)]);
        assert_eq!(d.instants, [(3, 15)]);
        assert_eq!((d.unmatched_exits, d.unclosed_enters), (1, 1));
    }

    /// An exit looks for its enter among the innermost `MAX_SCAN` open
    /// calls only: deeper, it is unmatched and the enter stays open.
    #[test]
    fn an_exit_looks_no_deeper_than_max_scan() {
        for (deeper, matched) in [(MAX_SCAN - 1, true), (MAX_SCAN, false)] {
            let mut events = vec![ev(kind::ENTER, 1, 1)];
            events.extend((0..deeper).map(|i| ev(kind::ENTER, 2, 2 + i as u64)));
            events.push(ev(kind::EXIT, 1, 1_000_000));
            let d = decode(&events, 2, |t| t);
            assert_eq!(d.spans.len(), usize::from(matched), "{deeper} deeper");
            assert_eq!(d.unmatched_exits, u64::from(!matched));
        }
    }

    #[test]
    fn decoding_in_batches_is_decoding_at_once_wherever_the_cut() {
        let events = [
            ev(kind::ENTER, 1, 1),
            ev(kind::VALUE, 1, 7),
            ev(kind::ENTER, 2, 2),
            ev(kind::EXIT, 2, 3),
            ev(kind::VALUE, 2, 9),
            ev(kind::INSTANT, 3, 4),
            ev(kind::COUNTER, 3, 5),
            ev(kind::VALUE, 3, 0.5f64.to_bits()),
            ev(kind::EXIT, 1, 6),
            ev(kind::ENTER, 2, 7),
        ];
        let whole = decode(&events, 3, |t| t);
        let key = |d: &Decoded| {
            let spans: Vec<_> = d
                .spans
                .iter()
                .map(|s| (s.id, s.start_ns, s.end_ns, s.depth, s.value, s.result))
                .collect();
            (
                spans,
                d.instants.clone(),
                d.samples.clone(),
                d.unmatched_exits,
            )
        };
        for cut in 0..=events.len() {
            let mut decoder = Decoder::default();
            let mut out = Decoded::default();
            decoder.feed(&events[..cut], 3, |t| t, &mut out);
            decoder.feed(&events[cut..], 3, |t| t, &mut out);
            assert_eq!(key(&out), key(&whole), "cut at {cut}");
            assert_eq!(decoder.open_count(), whole.unclosed_enters);
        }
        // Events lost between: the call open before is dropped (its exit
        // may be among the lost), a value after belongs to nothing, and
        // the exit, when it comes, is unmatched.
        let mut decoder = Decoder::default();
        let mut out = Decoded::default();
        decoder.feed(&events[..1], 3, |t| t, &mut out);
        assert_eq!(decoder.break_off(), 1);
        decoder.feed(&events[1..2], 3, |t| t, &mut out);
        decoder.feed(&[ev(kind::EXIT, 1, 8)], 3, |t| t, &mut out);
        assert!(out.spans.is_empty());
        assert_eq!(out.unmatched_exits, 1);
        assert_eq!(decoder.break_off(), 0);
    }
}
