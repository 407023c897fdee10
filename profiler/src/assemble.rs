//! One thread's events, decoded, made into its lane: spans named through the
//! trace's name table, instants, and counter samples gathered for the whole
//! trace. Pure functions of the events, so tests feed them what a live
//! recording produces only by chance (ticks that go backwards, torn slots).

use std::collections::{BTreeMap, BTreeSet};

use crate::{InstantEvent, Lane, Losses, NameId, NameTable, Span};
use logprof_trace::raw_events::decode;

/// Call-site ids to the trace's name ids, interned as they are first met.
pub(crate) struct SpanNames<'a> {
    /// Registered call-site names; id `i` names `callsites[i - 1]`.
    callsites: &'a [&'static str],
    /// Call-site id -> trace name id, filled as names are met.
    ids: Vec<Option<NameId>>,
    table: NameTable,
}

impl<'a> SpanNames<'a> {
    pub(crate) fn new(callsites: &'a [&'static str]) -> SpanNames<'a> {
        SpanNames {
            callsites,
            ids: vec![None; callsites.len() + 1],
            table: NameTable::new(),
        }
    }

    /// The trace name id of call site `id`, which [`SpanNames::knows`].
    pub(crate) fn name_id(&mut self, id: u32) -> NameId {
        let callsites = self.callsites;
        let table = &mut self.table;
        *self.ids[id as usize].get_or_insert_with(|| table.intern(callsites[id as usize - 1]))
    }

    pub(crate) fn into_names(self) -> Vec<String> {
        self.table.into_names()
    }

    /// The trace name ids of the call sites `sites` (ids, as registered)
    /// that were met: the names whose spans are regions, or waiting. A name
    /// is marked when any of its call sites is.
    pub(crate) fn marked(&self, sites: &[u32]) -> BTreeSet<NameId> {
        sites
            .iter()
            .filter_map(|&id| self.ids.get(id as usize).copied().flatten())
            .collect()
    }
}

/// Samples of each counter, by name, as `collect()` gathers them over the
/// lanes.
pub(crate) type CounterSamples = BTreeMap<&'static str, Vec<(u64, f64)>>;

/// Turns one thread's events, oldest first, into the spans and instants of
/// `lane` and the samples of `counters` (see `logprof_trace::raw_events::decode`), and
/// returns what could not be paired: exits whose enter is missing
/// (`unmatched_exits`) and enters with no exit (`unclosed_enters`);
/// `overwritten_events` is left 0, the ring counts those.
///
/// `to_ns` converts raw clock ticks to nanoseconds; `collect()` passes the
/// clock's calibration, and tests feed their own ticks through it (ticks
/// that go backwards, say) since the real clock cannot be made to. Events
/// whose call-site id is not registered (0: a slot never written) are
/// skipped without being counted.
pub(crate) fn lane_from_events(
    lane: &mut Lane,
    events: &[(u64, u64)],
    to_ns: impl Fn(u64) -> u64,
    names: &mut SpanNames<'_>,
    counters: &mut CounterSamples,
) -> Losses {
    let decoded = decode(events, names.callsites.len(), to_ns);
    for s in decoded.spans {
        let mut span = Span::new(names.name_id(s.id), s.start_ns, s.end_ns, s.depth);
        span.task = (s.task != 0).then_some(s.task.into());
        span.value = s.value;
        span.result = s.result;
        lane.spans.push(span);
    }
    if decoded.unclosed_enters > 0 {
        // Depths counted enters that never closed (a call still running,
        // a forgotten guard): nest the closed spans by containment.
        logprof_trace::nest_by_containment(&mut lane.spans, |_| true);
    }
    lane.instants = decoded
        .instants
        .into_iter()
        .map(|(id, ts_ns)| InstantEvent {
            name: names.name_id(id),
            ts_ns,
        })
        .collect();
    for (id, ns, value) in decoded.samples {
        counters
            .entry(names.callsites[id as usize - 1])
            .or_default()
            .push((ns, value));
    }
    Losses {
        overwritten_events: 0,
        unmatched_exits: decoded.unmatched_exits,
        unclosed_enters: decoded.unclosed_enters,
        dropped_events: 0,
    }
}

#[cfg(test)]
mod tests {
    //! `lane_from_events` on made-up events: what a live recording can
    //! produce only by chance (a clock that steps back between cores, a slot
    //! torn by a reset) or only at its edges.
    use super::*;
    use crate::clock::Calibration;
    use logprof_trace::raw_events::{enter_meta, exit_meta};

    const OUTER: u32 = 1;
    const INNER: u32 = 2;
    const CALLSITES: [&str; 2] = ["outer", "inner"];

    fn enter(ticks: u64, id: u32) -> (u64, u64) {
        (ticks, enter_meta(id, 0))
    }

    fn exit(ticks: u64, id: u32) -> (u64, u64) {
        (ticks, exit_meta(id, 0))
    }

    /// The lane and losses of `events`, with ticks converted by `calibration`,
    /// spans in the order a trace holds them, as `(name, start, end, depth)`.
    fn convert(
        events: &[(u64, u64)],
        calibration: Calibration,
    ) -> (Vec<(String, u64, u64, u32)>, Losses) {
        let mut names = SpanNames::new(&CALLSITES);
        let mut lane = Lane::new(1, 1, "t");
        let losses = lane_from_events(
            &mut lane,
            events,
            |t| calibration.ns(t),
            &mut names,
            &mut CounterSamples::new(),
        );
        lane.sort_spans();
        let table = names.into_names();
        let spans = lane
            .spans
            .iter()
            .map(|s| {
                (
                    table[s.name as usize].clone(),
                    s.start_ns,
                    s.end_ns,
                    s.depth,
                )
            })
            .collect();
        (spans, losses)
    }

    fn span(name: &str, start: u64, end: u64, depth: u32) -> (String, u64, u64, u32) {
        (name.to_owned(), start, end, depth)
    }

    /// Ticks read on another core may be behind the last ones read: the lane
    /// keeps its times monotonic, so a child never starts before its parent
    /// and the spans stay in call order.
    #[test]
    fn ticks_that_go_backwards_are_clamped_to_the_last_time() {
        let events = [
            enter(100, OUTER),
            enter(50, INNER), // behind the enter before it
            exit(60, INNER),
            exit(200, OUTER),
            enter(300, OUTER),
            exit(250, OUTER), // behind its own enter
        ];
        let (spans, losses) = convert(&events, Calibration::with_rate(0, 1.0));
        assert_eq!(
            spans,
            [
                span("outer", 100, 200, 0),
                span("inner", 100, 100, 1),
                span("outer", 300, 300, 0),
            ]
        );
        assert!(losses.is_empty(), "{losses:?}");
    }

    /// Exits whose enters were overwritten are counted and skipped; enters
    /// still open are counted, and the spans inside them nested by
    /// containment instead of by the enters that never closed.
    #[test]
    fn unmatched_exits_and_unclosed_enters_are_counted() {
        let events = [
            exit(10, INNER), // its enter was overwritten
            exit(20, OUTER), // and so was this one's
            enter(30, OUTER),
            enter(40, INNER),
            exit(50, INNER),
            enter(60, INNER), // still running at the read
        ];
        let (spans, losses) = convert(&events, Calibration::with_rate(0, 1.0));
        assert_eq!(spans, [span("inner", 40, 50, 0)]);
        assert_eq!(
            losses,
            Losses {
                overwritten_events: 0,
                unmatched_exits: 2,
                unclosed_enters: 2,
                dropped_events: 0,
            }
        );
    }

    /// A slot never written (id 0) or naming a call site the name table does
    /// not hold yet is skipped: it must not close, open or name anything.
    #[test]
    fn unwritten_and_unknown_slots_are_skipped() {
        let events = [
            (0, 0),
            enter(20, OUTER),
            (0, 0),
            exit(30, INNER + 1), // no such call site
            enter(35, INNER + 1),
            exit(40, OUTER),
        ];
        let (spans, losses) = convert(&events, Calibration::with_rate(0, 1.0));
        assert_eq!(spans, [span("outer", 20, 40, 0)]);
        assert!(losses.is_empty(), "{losses:?}");
    }

    /// Ticks go through the calibration: before the anchor they are time 0,
    /// after it they are scaled; slices of a task pair only within the task.
    #[test]
    fn ticks_are_converted_by_the_calibration_and_tasks_pair_apart() {
        let events = [
            (900, enter_meta(OUTER, 7)), // before the anchor
            (1100, enter_meta(OUTER, 8)),
            (1200, exit_meta(OUTER, 7)),
            (1400, exit_meta(OUTER, 8)),
        ];
        let calibration = Calibration::with_rate(1000, 0.5);
        let mut names = SpanNames::new(&CALLSITES);
        let mut lane = Lane::new(1, 1, "t");
        let losses = lane_from_events(
            &mut lane,
            &events,
            |t| calibration.ns(t),
            &mut names,
            &mut CounterSamples::new(),
        );
        lane.sort_spans();
        assert!(losses.is_empty(), "{losses:?}");
        let got: Vec<_> = lane
            .spans
            .iter()
            .map(|s| (s.task, s.start_ns, s.end_ns, s.depth))
            .collect();
        // Task 7 opened first, task 8 inside it; each exit closes its own.
        assert_eq!(got, [(Some(7), 0, 100, 0), (Some(8), 50, 200, 1)]);
    }
}
