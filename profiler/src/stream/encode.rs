//! The writer's decoding side: one thread's raw events, as the decoder
//! turns them into spans, encoded straight into the lane's next spans
//! chunk ([`SpanBatch`]), with no [`Span`](crate::Span) built on the way;
//! and the file's names, given to call sites as they are first met.
//!
//! This is the writer's per-event work, so it allocates nothing per event
//! and looks names up by call-site id in a vector.

use std::collections::HashMap;
use std::io::{self, Write};

use logprof_trace::compact::{name_flag, EventsBatch, LptWriter, SpanBatch};

use super::rank::MessageKeys;
use crate::callsite::Registered;
use crate::{InstantEvent, NameId, Span};
use logprof_trace::raw_events::{kind, parts, PlainSink, RawSpan, Sink};

/// A call site not yet given a file name id.
const UNNAMED: NameId = NameId::MAX;

/// Call-site ids to the file's name ids. Two call sites of one name share
/// it; a name is written (with its region or wait flag) before the first
/// chunk that uses it.
#[derive(Default)]
pub(super) struct Names {
    /// Call-site id -> file name id, [`UNNAMED`] until first met.
    sites: Vec<NameId>,
    by_text: HashMap<&'static str, NameId>,
    /// Names given ids and not yet written, in id order.
    unwritten: Vec<&'static str>,
    /// Flags to write, on names old or new.
    flags: Vec<(NameId, u64)>,
}

impl Names {
    /// The file name id of call site `site` (registered in `registered`).
    #[inline]
    pub(super) fn id(&mut self, site: u32, registered: &Registered) -> NameId {
        match self.sites.get(site as usize) {
            Some(&n) if n != UNNAMED => n,
            _ => self.first_met(site, registered),
        }
    }

    #[cold]
    fn first_met(&mut self, site: u32, registered: &Registered) -> NameId {
        let i = site as usize;
        if self.sites.len() <= i {
            self.sites.resize(i + 1, UNNAMED);
        }
        let text = registered.names[i - 1];
        let next = (self.by_text.len()) as NameId;
        let n = *self.by_text.entry(text).or_insert_with(|| {
            self.unwritten.push(text);
            next
        });
        let flags = [
            (&registered.regions, name_flag::REGION),
            (&registered.waits, name_flag::WAIT),
        ]
        .iter()
        .filter(|(sites, _)| sites.binary_search(&site).is_ok())
        .fold(0, |f, (_, bit)| f | bit);
        if flags != 0 {
            self.flags.push((n, flags));
        }
        self.sites[i] = n;
        n
    }

    /// Writes the names and flags given since the last call: before any
    /// chunk that may use them.
    pub(super) fn write<W: Write>(&mut self, w: &mut LptWriter<W>) -> io::Result<()> {
        if !self.unwritten.is_empty() {
            debug_assert_eq!(
                w.name_count() as usize + self.unwritten.len(),
                self.by_text.len()
            );
            w.names(&self.unwritten)?;
            self.unwritten.clear();
        }
        if !self.flags.is_empty() {
            w.name_flags(&self.flags)?;
            self.flags.clear();
        }
        Ok(())
    }
}

/// Encodes one lane's drained `events` into its events chunk as they
/// are, unpaired (the file's readers pair them): the writer's whole work
/// an event is a name lookup, the clock's conversion and a few bytes.
/// Events of call sites not yet registered (ids of 0 or above `max_id`)
/// go in without a name, and readers skip them as `collect` does.
#[inline]
pub(super) fn encode_events(
    events: &[(u64, u64)],
    max_id: usize,
    to_ns: impl Fn(u64) -> u64,
    names: &mut Names,
    registered: &Registered,
    batch: &mut EventsBatch,
) {
    // The call site met last, and its name: a loop meets one or two.
    let mut last: (u32, Option<NameId>) = (0, None);
    let mut i = 0;
    while i < events.len() {
        let (word, meta) = events[i];
        let (event_kind, site, task) = parts(meta);
        if site != last.0 {
            let name = (site != 0 && site as usize <= max_id).then(|| names.id(site, registered));
            last = (site, name);
        }
        // A slot not yet written (torn by a concurrent reset) holds no
        // time to trust: it goes in at the time before, and is skipped.
        let to_ns = |ticks| if last.1.is_some() { to_ns(ticks) } else { 0 };
        // The commonest pair: an enter with no task and its exit just
        // after (a value after the exit comes next, as any event).
        if event_kind == kind::ENTER && task == 0 {
            if let Some(&(end, next)) = events.get(i + 1) {
                if next == meta | kind::EXIT {
                    batch.push_call(last.1, to_ns(word), to_ns(end));
                    i += 2;
                    continue;
                }
            }
        }
        match event_kind {
            kind::VALUE => batch.push_value(last.1, task, word),
            kind::ENTER | kind::EXIT | kind::INSTANT | kind::COUNTER => {
                batch.push_timed(event_kind, last.1, task, to_ns(word));
            }
            _ => {} // no ring holds another kind
        }
        i += 1;
    }
}

/// What one lane decoded and has not yet written.
pub(super) struct LaneChunks {
    /// The span closed last, held back until the event after its exit,
    /// which may be its result (and may come in the next drain).
    held: Option<RawSpan>,
    pub(super) spans: SpanBatch,
    pub(super) instants: Vec<InstantEvent>,
    /// `(call-site id, ns, value)` of counter samples.
    pub(super) samples: Vec<(u32, u64, f64)>,
    pub(super) unmatched_exits: u64,
    /// Set once the lane wrote events chunks: an exit with no enter here
    /// goes to `forwarded`, for the lane's events chunk, rather than
    /// being counted.
    pub(super) forward_unmatched: bool,
    /// `(call-site id, task, ns)` of such exits.
    pub(super) forwarded: Vec<(u32, u32, u64)>,
}

impl LaneChunks {
    pub(super) fn new() -> LaneChunks {
        LaneChunks {
            held: None,
            spans: SpanBatch::new(),
            instants: Vec::new(),
            samples: Vec::new(),
            unmatched_exits: 0,
            forward_unmatched: false,
            forwarded: Vec::new(),
        }
    }

    /// Adds the span held back to the spans: no result can come for it
    /// any more (the stream ends).
    pub(super) fn release_held(
        &mut self,
        names: &mut Names,
        registered: &Registered,
        keys: Option<MessageKeys>,
    ) {
        if let Some(s) = self.held.take() {
            push_span(&mut self.spans, names, registered, keys, s);
        }
    }

    /// The decoder's sink for this lane; `keys` attach an MPI rank's
    /// message ends to the spans of its sends and receives.
    pub(super) fn sink<'a>(
        &'a mut self,
        names: &'a mut Names,
        registered: &'a Registered,
        keys: Option<MessageKeys>,
    ) -> LaneSink<'a> {
        LaneSink {
            chunks: self,
            names,
            registered,
            keys,
        }
    }
}

#[inline]
fn push_span(
    spans: &mut SpanBatch,
    names: &mut Names,
    registered: &Registered,
    keys: Option<MessageKeys>,
    s: RawSpan,
) {
    let name = names.id(s.id, registered);
    let task = (s.task != 0).then_some(u64::from(s.task));
    if let Some(keys) = keys {
        // On an MPI rank only: a `Span` to hold a message end, if any.
        let mut span = Span::new(name, s.start_ns, s.end_ns, s.depth);
        (span.task, span.value, span.result) = (task, s.value, s.result);
        keys(registered.names[s.id as usize - 1], &mut span);
        if span.mpi.is_some() {
            spans.push_span(&span);
            return;
        }
    }
    spans.push(name, s.start_ns, s.end_ns, s.depth, task, s.value, s.result);
}

/// Encodes what the decoder gives into a lane's chunks.
pub(super) struct LaneSink<'a> {
    chunks: &'a mut LaneChunks,
    names: &'a mut Names,
    registered: &'a Registered,
    keys: Option<MessageKeys>,
}

impl PlainSink for LaneSink<'_> {
    #[inline]
    fn plain(&mut self, id: u32, start_ns: u64, end_ns: u64, depth: u32) {
        if self.keys.is_some() {
            // An MPI rank's spans may be message ends: the long way.
            return self.span(RawSpan::plain(id, start_ns, end_ns, depth));
        }
        // The span held back can get no result now: it goes first.
        if let Some(s) = self.chunks.held.take() {
            push_span(&mut self.chunks.spans, self.names, self.registered, None, s);
        }
        let name = self.names.id(id, self.registered);
        self.chunks.spans.push_plain(name, start_ns, end_ns, depth);
    }
}

impl Sink for LaneSink<'_> {
    #[inline]
    fn span(&mut self, span: RawSpan) {
        if let Some(s) = self.chunks.held.replace(span) {
            push_span(
                &mut self.chunks.spans,
                self.names,
                self.registered,
                self.keys,
                s,
            );
        }
    }

    #[inline]
    fn result(&mut self, result: i64) {
        if let Some(s) = &mut self.chunks.held {
            s.result = Some(result);
        }
    }

    fn instant(&mut self, id: u32, ns: u64) {
        let name = self.names.id(id, self.registered);
        self.chunks.instants.push(InstantEvent { name, ts_ns: ns });
    }

    fn sample(&mut self, id: u32, ns: u64, value: f64) {
        self.chunks.samples.push((id, ns, value));
    }

    fn unmatched_exit(&mut self, id: u32, task: u32, ns: u64) {
        if self.chunks.forward_unmatched {
            // Its enter may be in the lane's events chunks, written before
            // the lane took this path: the readers pair it there.
            self.chunks.forwarded.push((id, task, ns));
        } else {
            self.chunks.unmatched_exits += 1;
        }
    }
}

#[cfg(test)]
mod tests;
