//! The `Trace`: what one recording (or one trace file) contains, independent
//! of how it was recorded.
//!
//! A trace is a set of *lanes*, one per thread, each holding the *spans* that
//! thread ran: a name, a start and end time in nanoseconds, and a nesting
//! depth. Names are interned once in [`Trace::names`] and referred to by a
//! small [`NameId`], so a trace of a million spans holds each name once.
//!
//! Everything downstream (the summary, the Chrome JSON files, the pictures)
//! reads this type and nothing of the recorder's internals.

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub(crate) use crate::intervals::union;
pub use crate::losses::{Losses, Repairs};
use crate::mpi_call::MpiCall;
use crate::offcpu::{self, OffCpu, OffCpuStatus};

/// Index of a name in [`Trace::names`].
pub type NameId = u32;

/// One recorded call on one thread: from its enter to its exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The function or scope name, as an index into [`Trace::names`].
    pub name: NameId,
    /// Enter time in nanoseconds on the trace's clock.
    pub start_ns: u64,
    /// Exit time in nanoseconds; never before `start_ns`.
    pub end_ns: u64,
    /// 0 for a top-level span, 1 for a span entered inside it, and so on.
    pub depth: u32,
    /// The identity of the logical span (task) this slice belongs to, when it
    /// may be entered more than once, possibly on other threads (a `tracing`
    /// span, an async task). `None` for plain calls.
    pub task: Option<u64>,
    /// One integer recorded with the span (a column index, a byte count),
    /// written to Chrome JSON as `"args":{"value":…}`. `None` for most spans.
    pub value: Option<i64>,
    /// One integer recorded at the span's exit, known only once the call is
    /// done (what it computed or cost: a column's iteration count, the bytes
    /// read), written to Chrome JSON as `"args":{"result":…}`. `None` for
    /// most spans.
    pub result: Option<i64>,
    /// True when the trace ended before the span did (a `B` event never
    /// closed); `end_ns` is then where the trace, or its lane, ends.
    pub unfinished: bool,
    /// Set on time inside an MPI call that moved one message (category
    /// `mpi`): which end of which message (see [`crate::message`]).
    /// Boxed: most spans have none.
    pub mpi: Option<Box<MpiCall>>,
}

impl Span {
    /// A span of `name` from `start_ns` to `end_ns` at nesting `depth`, not
    /// part of a task. An `end_ns` before `start_ns` is clamped to it, so a
    /// span never has a negative length.
    pub fn new(name: NameId, start_ns: u64, end_ns: u64, depth: u32) -> Span {
        Span {
            name,
            start_ns,
            end_ns: end_ns.max(start_ns),
            depth,
            task: None,
            value: None,
            result: None,
            unfinished: false,
            mpi: None,
        }
    }

    /// The same span carrying `value` (see [`Span::value`]).
    pub fn with_value(self, value: i64) -> Span {
        Span {
            value: Some(value),
            ..self
        }
    }

    /// The same span carrying `result` (see [`Span::result`]).
    pub fn with_result(self, result: i64) -> Span {
        Span {
            result: Some(result),
            ..self
        }
    }

    /// The same span, marked as cut off by the end of the trace (see
    /// [`Span::unfinished`]).
    pub fn cut_off(self) -> Span {
        Span {
            unfinished: true,
            ..self
        }
    }

    /// The same span as a slice of task `task` (see [`Span::task`]).
    pub fn in_task(self, task: u64) -> Span {
        Span {
            task: Some(task),
            ..self
        }
    }

    /// Time between enter and exit.
    pub fn duration_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// The spans of one thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Process id (the recording process's own id in logprof's recordings).
    pub pid: u32,
    /// Thread id within the process; logprof's own recordings number threads
    /// from 1 in the order they first recorded.
    pub tid: u64,
    /// The thread's name, or `thread-<tid>` if it had none.
    pub thread_name: String,
    /// The spans, ordered by start time, a parent before the children that
    /// start at the same instant.
    pub spans: Vec<Span>,
    /// Moments marked on this thread (`logprof::instant!`, Chrome `i`
    /// events), ordered by time.
    pub instants: Vec<InstantEvent>,
    /// When the thread was switched out (preempted or blocked), ordered by
    /// time, disjoint; empty unless [`Trace::off_cpu`] says they were
    /// recorded.
    pub off_cpu: Vec<OffCpu>,
    /// The core the thread was on where the lane's off-CPU record begins
    /// (then [`OffCpu::cpu`] says where it went on each return), when
    /// recorded.
    pub start_cpu: Option<u32>,
}

/// A moment on a lane: something happened, with no duration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstantEvent {
    /// What happened, as an index into [`Trace::names`].
    pub name: NameId,
    /// When, in nanoseconds on the trace's clock.
    pub ts_ns: u64,
}

/// A value that changes over time in one process (`logprof::counter!`,
/// Chrome `C` events): bytes allocated, tasks queued.
#[derive(Clone, Debug, PartialEq)]
pub struct CounterTrack {
    /// The process the counter belongs to.
    pub pid: u32,
    /// The counter's name.
    pub name: String,
    /// `(time in ns, value)` samples, ordered by time.
    pub samples: Vec<(u64, f64)>,
}

impl CounterTrack {
    /// The tracks of samples gathered by (pid, name), each track's samples
    /// put in time order (stable: samples of one time keep their order), in
    /// (pid, name) order: how every reader ends its counters.
    pub(crate) fn from_samples(
        by_key: std::collections::BTreeMap<(u32, String), Vec<(u64, f64)>>,
    ) -> Vec<CounterTrack> {
        by_key
            .into_iter()
            .map(|((pid, name), mut samples)| {
                samples.sort_by_key(|&(ns, _)| ns);
                CounterTrack { pid, name, samples }
            })
            .collect()
    }
}

impl Lane {
    /// When the thread was busy: the union of its top-level spans, as sorted,
    /// disjoint `(start_ns, end_ns)` intervals.
    pub fn busy_intervals(&self) -> Vec<(u64, u64)> {
        union(
            self.spans
                .iter()
                .filter(|s| s.depth == 0)
                .map(|s| (s.start_ns, s.end_ns.max(s.start_ns)))
                .collect(),
        )
    }

    /// An empty lane.
    pub fn new(pid: u32, tid: u64, thread_name: impl Into<String>) -> Lane {
        Lane {
            pid,
            tid,
            thread_name: thread_name.into(),
            spans: Vec::new(),
            instants: Vec::new(),
            off_cpu: Vec::new(),
            start_cpu: None,
        }
    }

    /// A lane holding `spans` in any order, put into the order a lane
    /// promises (by start time, a parent before the children that start at
    /// the same instant).
    pub fn with_spans(
        pid: u32,
        tid: u64,
        thread_name: impl Into<String>,
        spans: impl IntoIterator<Item = Span>,
    ) -> Lane {
        let mut lane = Lane {
            spans: spans.into_iter().collect(),
            ..Lane::new(pid, tid, thread_name)
        };
        lane.sort_spans();
        lane
    }

    /// Puts the spans in start order, parents first at equal starts (the
    /// shallower span, then the longer one).
    pub fn sort_spans(&mut self) {
        self.spans
            .sort_by_key(|s| (s.start_ns, s.depth, std::cmp::Reverse(s.end_ns)));
    }

    /// The time `span` (one of this lane's) ran on a CPU: its duration less
    /// the time the thread was preempted or blocked inside it; its whole
    /// duration when no off-CPU time was recorded ([`Trace::off_cpu`]).
    pub fn on_cpu_ns(&self, span: &Span) -> u64 {
        let (preempted, blocked) = offcpu::within(&self.off_cpu, span.start_ns, span.end_ns);
        span.duration_ns().saturating_sub(preempted + blocked)
    }

    /// The time the lane spent preempted and blocked inside `intervals`
    /// (sorted, disjoint): `(preempted ns, blocked ns)`.
    pub(crate) fn off_cpu_inside(&self, intervals: &[(u64, u64)]) -> (u64, u64) {
        if self.off_cpu.is_empty() {
            return (0, 0);
        }
        intervals
            .iter()
            .copied()
            .map(|(start, end)| offcpu::within(&self.off_cpu, start, end))
            .fold((0, 0), |(p, b), (dp, db)| (p + dp, b + db))
    }
}

/// A snapshot of recorded spans, one lane per thread.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The process name shown by trace viewers (a scheduler's name, say).
    pub process_name: Option<String>,
    /// Names of single processes, by pid, that override
    /// [`Trace::process_name`] for that pid: "rank 2" in a merged MPI trace,
    /// or what another tool's file names its processes (`process_name`
    /// events, or the text of a text pid such as `"Traces"`).
    pub process_names: BTreeMap<u32, String>,
    /// Facts about the recording that no event carries (the clock offsets
    /// of the ranks of a merged MPI trace), written to Chrome JSON under
    /// `otherData.logprof.metadata`.
    pub metadata: BTreeMap<String, serde_json::Value>,
    /// Interned span names; a [`Span::name`] indexes this.
    pub names: Vec<String>,
    /// The names the program marked as regions (`logprof::region!`, or
    /// `"cat":"region"` in a trace file): every span of such a name is a
    /// region of the run (see [`Trace::regions`]). The flag is on the name,
    /// not on each span, so a region costs nothing more to record than a
    /// scope.
    pub region_names: BTreeSet<NameId>,
    /// The names the program marked as waiting (`logprof::wait!`, or
    /// `"cat":"wait"` in a trace file): a lock, a channel receive, a join.
    /// Time in such a span is waiting, not work, in every figure (as MPI
    /// time is): it counts against load balance instead of for it, and the
    /// pictures draw it in a style of its own.
    pub wait_names: BTreeSet<NameId>,
    /// The lanes, ordered by (pid, tid).
    pub lanes: Vec<Lane>,
    /// What could not be turned into spans.
    pub losses: Losses,
    /// The counters, ordered by (pid, name).
    pub counters: Vec<CounterTrack>,
    /// What the reader of a trace file repaired or left out; empty for a
    /// recording and for a file read as it was.
    pub repairs: Repairs,
    /// Whether the lanes' [`Lane::off_cpu`] intervals were recorded.
    pub off_cpu: OffCpuStatus,
    /// The cores the recording process could run on, when known (logprof's
    /// own recordings): what parallel efficiency is measured against when
    /// there are more threads than cores.
    pub cores: Option<u32>,
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Trace {
        Trace::default()
    }

    /// The name of a span; `"<unknown>"` for an id the trace does not hold
    /// (a hand-built trace can have one).
    pub fn name(&self, id: NameId) -> &str {
        self.names
            .get(id as usize)
            .map_or("<unknown>", String::as_str)
    }

    /// The id of `name`, adding it if it is new. Linear in the number of
    /// names; use [`NameTable`] when interning many.
    pub fn intern(&mut self, name: &str) -> NameId {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i as NameId,
            None => {
                self.names.push(name.to_owned());
                (self.names.len() - 1) as NameId
            }
        }
    }

    /// The id of `name`, if any span uses it.
    pub fn name_id(&self, name: &str) -> Option<NameId> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| i as NameId)
    }

    /// True when `name` was marked as a region ([`Trace::region_names`]).
    pub fn is_region(&self, name: NameId) -> bool {
        self.region_names.contains(&name)
    }

    /// Marks `name` as a region: its spans are regions of the run.
    pub fn mark_region(&mut self, name: NameId) {
        self.region_names.insert(name);
    }

    /// True when `name` was marked as waiting ([`Trace::wait_names`]).
    pub fn is_wait(&self, name: NameId) -> bool {
        self.wait_names.contains(&name)
    }

    /// Marks `name` as waiting: time in its spans is waiting, not work.
    pub fn mark_wait(&mut self, name: NameId) {
        self.wait_names.insert(name);
    }

    /// Total number of spans over all lanes.
    pub fn span_count(&self) -> usize {
        self.lanes.iter().map(|l| l.spans.len()).sum()
    }

    /// True when no lane holds a span.
    pub fn is_empty(&self) -> bool {
        self.span_count() == 0
    }

    /// The earliest start and the latest end of any span, or `None` for an
    /// empty trace.
    pub fn time_range(&self) -> Option<(u64, u64)> {
        let mut spans = self.lanes.iter().flat_map(|l| l.spans.iter());
        let first = spans.next()?;
        Some(spans.fold((first.start_ns, first.end_ns), |(lo, hi), s| {
            (lo.min(s.start_ns), hi.max(s.end_ns))
        }))
    }

    /// Puts lanes in (pid, tid) order and each lane's spans in start order,
    /// parents first; the order every consumer of a trace can rely on.
    pub fn normalize(&mut self) {
        self.lanes.sort_by_key(|l| (l.pid, l.tid));
        for lane in &mut self.lanes {
            lane.sort_spans();
        }
    }

    /// Every slice of each task (spans with a [`Span::task`]), as
    /// `(lane index, span index)` pairs in start order, keyed by task id.
    pub fn tasks(&self) -> std::collections::BTreeMap<u64, Vec<(usize, usize)>> {
        let mut tasks: std::collections::BTreeMap<u64, Vec<(usize, usize)>> = Default::default();
        for (li, lane) in self.lanes.iter().enumerate() {
            for (si, span) in lane.spans.iter().enumerate() {
                if let Some(t) = span.task {
                    tasks.entry(t).or_default().push((li, si));
                }
            }
        }
        for slices in tasks.values_mut() {
            slices.sort_by_key(|&(li, si)| self.lanes[li].spans[si].start_ns);
        }
        tasks
    }
}

/// Sets the depth of the spans for which `recompute` holds to the number of
/// spans that contain them, in one lane. At equal starts the longer span is
/// the parent, then the one with the smaller depth already set.
///
/// Public because the recorder (crate `logprof`) nests the spans it
/// assembles by the same rule as the reader of trace files.
pub fn nest_by_containment(spans: &mut [Span], recompute: impl Fn(&Span) -> bool) {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| {
        let s = &spans[i];
        (s.start_ns, std::cmp::Reverse(s.end_ns), s.depth)
    });
    let mut open_ends: Vec<u64> = Vec::new();
    for i in order {
        let span = &mut spans[i];
        while open_ends.last().is_some_and(|&end| end <= span.start_ns) {
            open_ends.pop();
        }
        if recompute(span) {
            span.depth = open_ends.len() as u32;
        }
        open_ends.push(span.end_ns);
    }
}

/// A name interner for building traces: names to [`NameId`]s in O(1).
#[derive(Debug, Default)]
pub struct NameTable {
    names: Vec<String>,
    ids: HashMap<String, NameId>,
}

impl NameTable {
    /// An empty table.
    pub fn new() -> NameTable {
        NameTable::default()
    }

    /// The id of `name`, adding it if it is new.
    pub fn intern(&mut self, name: &str) -> NameId {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as NameId;
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// The interned names, in id order, for [`Trace::names`].
    pub fn into_names(self) -> Vec<String> {
        self.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offcpu::OffCpuKind;

    #[test]
    fn a_spans_on_cpu_time_is_its_duration_less_the_stretches_inside_it() {
        let mut trace = Trace::new();
        let f = trace.intern("f");
        let spans = [Span::new(f, 0, 10, 0), Span::new(f, 20, 40, 0)];
        let mut lane = Lane::with_spans(1, 1, "a", spans.clone());
        assert_eq!(
            lane.on_cpu_ns(&spans[1]),
            20,
            "nothing recorded: the duration"
        );
        for (start_ns, end_ns, kind) in [
            (8, 12, OffCpuKind::Preempted), // 2 ns inside the first span
            (14, 16, OffCpuKind::Blocked),  // between the spans
            (25, 30, OffCpuKind::Blocked),
            (38, 50, OffCpuKind::Preempted), // 2 ns inside the second
        ] {
            lane.off_cpu.push(OffCpu {
                start_ns,
                end_ns,
                kind,
                cpu: None,
            });
        }
        assert_eq!(lane.on_cpu_ns(&spans[0]), 8);
        assert_eq!(lane.on_cpu_ns(&spans[1]), 13);
        // The lane's own sums agree with the spans'.
        assert_eq!(lane.off_cpu_inside(&lane.busy_intervals()), (4, 5));
    }
}
