//! Pairing: one lane's events (`X`, `B`, `E`) turned into its spans, with
//! their nesting depths.
//!
//! The rule is the one the [module documentation](crate::chrome) states
//! under "Pairing `B` and `E`": events in time order (file order among
//! equal times), an `E` closes the innermost open span of its name (or the
//! innermost one), and at one instant the `E`s that close earlier spans go
//! before the `B`s. A `B`/`E` span's depth is the number of spans open when
//! it began; an `X` span's depth is logprof's own `args.depth` in a file
//! logprof wrote, and otherwise found by containment.
//!
//! Nothing stops the pairing: a `B` never closed ends at the lane's last
//! event, marked unfinished, and an `E` that closes nothing is skipped; both
//! are counted for the trace's repairs. This module knows nothing of JSON,
//! pids or names beyond their ids (see `builder`).

use super::lane_event::{Event, Kind, NO_NAME};
use crate::trace::{NameId, Span};

/// Depth not known yet, to be found from containment.
const UNKNOWN_DEPTH: u32 = u32::MAX;

/// The spans of one lane, and what pairing had to repair.
#[derive(Debug, Default)]
pub(super) struct Paired {
    pub(super) spans: Vec<Span>,
    /// `B` events never closed: their spans end at the lane's last event.
    pub(super) unclosed: u64,
    /// `E` events that closed nothing, skipped.
    pub(super) stray: u64,
}

/// The spans of one lane: `X` events as they are, `B`/`E` pairs matched,
/// depths filled in. `ours` says logprof wrote the file, so `args.depth` and
/// `args.task` are its own. A `B` never closed ends at the lane's last event
/// (marked unfinished); an `E` that closes nothing is skipped; both are
/// counted.
pub(super) fn lane_spans(mut events: Vec<Event>, ours: bool) -> Paired {
    if !events.is_sorted_by_key(|e| e.ts) {
        events.sort_by_key(|e| e.ts); // stable: file order among equal times
    }
    let mut paired = if events.iter().all(|e| e.kind == Kind::Complete) {
        Paired {
            spans: events.iter().map(|e| complete_span(e, ours)).collect(),
            ..Paired::default()
        }
    } else {
        Pairing::new(ours, events.len()).pair(&events)
    };
    let mixed = !ours && paired.spans.iter().any(|s| s.depth == UNKNOWN_DEPTH);
    if mixed && events.iter().any(|e| e.kind != Kind::Complete) {
        // `B`/`E` depths count only the `B`s open: with `X` spans among
        // them, every depth comes from containment.
        crate::trace::nest_by_containment(&mut paired.spans, |_| true);
    } else if paired.spans.iter().any(|s| s.depth == UNKNOWN_DEPTH) {
        fill_depths(&mut paired.spans);
    }
    paired
}

/// The span of an `X` event.
fn complete_span(e: &Event, ours: bool) -> Span {
    // Depth and task are the traced program's own fields in another
    // tool's file: only ours are trusted.
    let depth = if ours { e.depth } else { None };
    let mut span = Span::new(e.name, e.ts, e.end, depth.unwrap_or(UNKNOWN_DEPTH));
    if ours {
        span.task = e.task;
        span.value = e.value;
        span.result = e.result;
        span.unfinished = e.unfinished;
        span.mpi = e.mpi.map(Box::new);
    }
    span
}

/// Gives each span of unknown depth the number of spans on its lane that
/// contain it. A span that starts when another ends is its sibling.
fn fill_depths(spans: &mut [Span]) {
    crate::trace::nest_by_containment(spans, |s| s.depth == UNKNOWN_DEPTH);
}

/// A span opened by a `B` event, waiting for its `E`.
struct Open {
    name: NameId,
    start: u64,
    depth: u32,
}

/// The walk through one lane's events in time order.
struct Pairing {
    ours: bool,
    /// Spans begun and not yet ended, outermost first.
    open: Vec<Open>,
    spans: Vec<Span>,
    stray: u64,
}

impl Pairing {
    fn new(ours: bool, capacity: usize) -> Pairing {
        Pairing {
            ours,
            open: Vec::new(),
            spans: Vec::with_capacity(capacity),
            stray: 0,
        }
    }

    /// Takes `events`, sorted by time, and returns the spans they make.
    fn pair(mut self, events: &[Event]) -> Paired {
        let mut group_b_names: Vec<NameId> = Vec::new();
        let mut later: Vec<Event> = Vec::new();
        for instant in events.chunk_by(|a, b| a.ts == b.ts) {
            // At one instant: the `E`s that close spans begun earlier first,
            // then the rest in file order. An `E` after a `B` of this instant
            // with its name (or no name) closes that zero-length span.
            group_b_names.clear();
            later.clear();
            for e in instant {
                let early = e.kind == Kind::End
                    && (group_b_names.is_empty()
                        || (e.name != NO_NAME && !group_b_names.contains(&e.name)));
                if early {
                    self.take(e);
                } else {
                    if e.kind == Kind::Begin {
                        group_b_names.push(e.name);
                    }
                    later.push(*e);
                }
            }
            for e in &later {
                self.take(e);
            }
        }
        // What is still open ends with the lane's last event.
        let lane_end = events.iter().map(|e| e.end).max().unwrap_or(0);
        let unclosed = self.open.len() as u64;
        for o in self.open.drain(..) {
            self.spans
                .push(Span::new(o.name, o.start, lane_end, o.depth).cut_off());
        }
        Paired {
            spans: self.spans,
            unclosed,
            stray: self.stray,
        }
    }

    fn take(&mut self, e: &Event) {
        match e.kind {
            Kind::Complete => self.spans.push(complete_span(e, self.ours)),
            Kind::Begin => self.open.push(Open {
                name: e.name,
                start: e.ts,
                depth: self.open.len() as u32,
            }),
            Kind::End => self.close(e),
        }
    }

    /// Closes the innermost open span with the `E`'s name, or the innermost
    /// one when the `E` has no name or no open span has it.
    fn close(&mut self, e: &Event) {
        let by_name = if e.name == NO_NAME {
            None
        } else {
            self.open.iter().rposition(|o| o.name == e.name)
        };
        let Some(index) = by_name.or_else(|| self.open.len().checked_sub(1)) else {
            self.stray += 1;
            return;
        };
        let o = self.open.remove(index);
        self.spans.push(Span::new(o.name, o.start, e.ts, o.depth));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(name: NameId, ts: u64, end: u64) -> Event {
        Event {
            kind: Kind::Complete,
            ts,
            end,
            name,
            depth: None,
            task: None,
            value: None,
            result: None,
            unfinished: false,
            mpi: None,
        }
    }

    fn begin(name: NameId, ts: u64) -> Event {
        Event {
            kind: Kind::Begin,
            ..complete(name, ts, ts)
        }
    }

    fn end(name: NameId, ts: u64) -> Event {
        Event {
            kind: Kind::End,
            ..complete(name, ts, ts)
        }
    }

    /// The spans as `(name, start, end, depth)`, in the order they closed.
    fn spans(events: Vec<Event>) -> Vec<(NameId, u64, u64, u32)> {
        lane_spans(events, false)
            .spans
            .iter()
            .map(|s| (s.name, s.start_ns, s.end_ns, s.depth))
            .collect()
    }

    #[test]
    fn a_span_that_begins_when_another_ends_is_its_sibling() {
        // The file lists the `B` of `b` before the `E` of `a`, at one instant.
        let events = vec![begin(0, 0), begin(1, 10), end(0, 10), end(1, 20)];
        assert_eq!(spans(events), vec![(0, 0, 10, 0), (1, 10, 20, 0)]);
    }

    #[test]
    fn an_end_after_a_begin_of_its_instant_closes_that_zero_length_span() {
        let events = vec![begin(0, 0), begin(1, 5), end(1, 5), end(NO_NAME, 9)];
        assert_eq!(spans(events), vec![(1, 5, 5, 1), (0, 0, 9, 0)]);
    }

    #[test]
    fn complete_events_from_other_tools_nest_by_containment() {
        // Another tool's `args.depth` is its own field, not a depth.
        let inner = Event {
            depth: Some(7),
            ..complete(1, 10, 20)
        };
        let events = vec![inner, complete(0, 0, 100)];
        assert_eq!(spans(events), vec![(0, 0, 100, 0), (1, 10, 20, 1)]);
    }

    #[test]
    fn unpaired_events_are_repaired_and_counted() {
        let paired = lane_spans(vec![end(1, 1_500)], false);
        assert!(paired.spans.is_empty());
        assert_eq!((paired.unclosed, paired.stray), (0, 1));
        let paired = lane_spans(
            vec![begin(0, 0), begin(1, 2_000), complete(0, 2_100, 3_000)],
            false,
        );
        assert_eq!((paired.unclosed, paired.stray), (2, 0));
        let cut: Vec<_> = paired
            .spans
            .iter()
            .filter(|s| s.unfinished)
            .map(|s| (s.name, s.start_ns, s.end_ns, s.depth))
            .collect();
        assert_eq!(cut, vec![(0, 0, 3_000, 0), (1, 2_000, 3_000, 1)]);
    }
}
