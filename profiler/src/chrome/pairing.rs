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
//! This module knows nothing of JSON, pids or names beyond their ids (see
//! `events`); its errors are sentences the caller prefixes with the lane.

use super::events::{Event, Kind, NO_NAME};
use super::numbers::micros_text;
use super::{json_string, UNNAMED};
use crate::trace::{NameId, Span};

/// Depth not known yet, to be found from containment.
const UNKNOWN_DEPTH: u32 = u32::MAX;

/// The spans of one lane: `X` events as they are, `B`/`E` pairs matched,
/// depths filled in. `ours` says logprof wrote the file, so `args.depth` and
/// `args.task` are its own; `names` are the event names, for messages.
pub(super) fn lane_spans(
    mut events: Vec<Event>,
    ours: bool,
    names: &[String],
) -> Result<Vec<Span>, String> {
    if !events.is_sorted_by_key(|e| e.ts) {
        events.sort_by_key(|e| e.ts); // stable: file order among equal times
    }
    let mut spans = if events.iter().all(|e| e.kind == Kind::Complete) {
        events.iter().map(|e| complete_span(e, ours)).collect()
    } else {
        Pairing::new(ours, names, events.len()).pair(&events)?
    };
    if spans.iter().any(|s| s.depth == UNKNOWN_DEPTH) {
        fill_depths(&mut spans);
    }
    Ok(spans)
}

/// The span of an `X` event.
fn complete_span(e: &Event, ours: bool) -> Span {
    // Depth and task are the traced program's own fields in another
    // tool's file: only ours are trusted.
    let depth = if ours { e.depth } else { None };
    let span = Span::new(e.name, e.ts, e.end, depth.unwrap_or(UNKNOWN_DEPTH));
    match e.task {
        Some(task) if ours => span.in_task(task),
        _ => span,
    }
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
struct Pairing<'n> {
    ours: bool,
    names: &'n [String],
    /// Spans begun and not yet ended, outermost first.
    open: Vec<Open>,
    spans: Vec<Span>,
}

impl<'n> Pairing<'n> {
    fn new(ours: bool, names: &'n [String], capacity: usize) -> Pairing<'n> {
        Pairing {
            ours,
            names,
            open: Vec::new(),
            spans: Vec::with_capacity(capacity),
        }
    }

    /// Takes `events`, sorted by time, and returns the spans they make.
    fn pair(mut self, events: &[Event]) -> Result<Vec<Span>, String> {
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
                    self.take(e)?;
                } else {
                    if e.kind == Kind::Begin {
                        group_b_names.push(e.name);
                    }
                    later.push(*e);
                }
            }
            for e in &later {
                self.take(e)?;
            }
        }
        if let Some(o) = self.open.first() {
            return Err(self.never_closed(o));
        }
        Ok(self.spans)
    }

    fn take(&mut self, e: &Event) -> Result<(), String> {
        match e.kind {
            Kind::Complete => self.spans.push(complete_span(e, self.ours)),
            Kind::Begin => self.open.push(Open {
                name: e.name,
                start: e.ts,
                depth: self.open.len() as u32,
            }),
            Kind::End => self.close(e)?,
        }
        Ok(())
    }

    /// Closes the innermost open span with the `E`'s name, or the innermost
    /// one when the `E` has no name or no open span has it.
    fn close(&mut self, e: &Event) -> Result<(), String> {
        let by_name = if e.name == NO_NAME {
            None
        } else {
            self.open.iter().rposition(|o| o.name == e.name)
        };
        let Some(index) = by_name.or_else(|| self.open.len().checked_sub(1)) else {
            return Err(self.closes_nothing(e));
        };
        let o = self.open.remove(index);
        self.spans.push(Span::new(o.name, o.start, e.ts, o.depth));
        Ok(())
    }

    fn name(&self, id: NameId) -> &str {
        self.names.get(id as usize).map_or(UNNAMED, String::as_str)
    }

    fn closes_nothing(&self, e: &Event) -> String {
        let named = match e.name {
            NO_NAME => String::new(),
            name => format!(" named {}", json_string(self.name(name))),
        };
        format!(
            "an E (end) event{named} at ts {} µs closes nothing: no B (begin) event is open on \
             that thread then; every E needs an earlier B on the same pid and tid",
            micros_text(e.ts)
        )
    }

    fn never_closed(&self, o: &Open) -> String {
        let also_open = match self.open.len() {
            1 => String::new(),
            n => format!(" ({n} spans are left open)"),
        };
        format!(
            "the B (begin) event named {} at ts {} µs is never closed by an E (end) \
             event{also_open}; was the file written while the span was still running?",
            json_string(self.name(o.name)),
            micros_text(o.start)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names 0 and 1.
    fn names() -> Vec<String> {
        vec!["a".to_owned(), "b".to_owned()]
    }

    fn complete(name: NameId, ts: u64, end: u64) -> Event {
        Event {
            kind: Kind::Complete,
            ts,
            end,
            name,
            depth: None,
            task: None,
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
        lane_spans(events, false, &names())
            .unwrap()
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
    fn unpaired_events_are_errors() {
        let err = lane_spans(vec![end(1, 1_500)], false, &names()).unwrap_err();
        assert!(
            err.starts_with("an E (end) event named \"b\" at ts 1.500 µs closes nothing"),
            "{err}"
        );
        let err = lane_spans(vec![begin(0, 0), begin(1, 2_000)], false, &names()).unwrap_err();
        assert!(
            err.starts_with("the B (begin) event named \"a\" at ts 0.000 µs is never closed")
                && err.contains("(2 spans are left open)"),
            "{err}"
        );
    }
}
