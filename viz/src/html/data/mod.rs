//! The traces of a page's timeline as data for its script: columns of
//! varints in base64 (see [`column`]), names interned once for the page,
//! so that a trace of a million spans takes well under 20 bytes a span.
//!
//! The page holds one JSON object (`<script type="application/json">`):
//!
//! - `palette`: the span colours of the pictures; `names`: every span name
//!   once; `name_color`: each name's index into `palette` (the colour the
//!   PNGs and SVGs give it); `wait_color`: the grey of waiting spans.
//! - `panels`: one per trace (`compare` has one per scheduler), each with
//!   its `title`, `wall_ns`, `lanes` (`name`, `pid`, `tid`, `process`),
//!   `span_count`, and its columns:
//!   - `lane_spans`: how many spans each lane has; the spans follow lane by
//!     lane, in the lane's order (by start);
//!   - per span: `name` (id into `names`), `start` (signed gap from the
//!     lane's previous span start, the first from the panel's start),
//!     `dur`, `depth`, `flags` (one raw byte, [`flags`]);
//!   - `values`, `results`: sparse, pairs of (gap in span index from the
//!     previous one, signed number);
//!   - `off_cpu_lanes` (stretches per lane), `off_cpu` (signed gap from the
//!     lane's previous stretch start, the first from the panel's start,
//!     duration, kind 0 preempted / 1 blocked): a lane's off-CPU time as
//!     the pictures draw it (inside its work, and preempted while work was
//!     still to come);
//!   - `messages`: MPI messages whose ends are both in the trace (send span,
//!     receive span, as indexes in the panel's spans; bytes; signed tag);
//!   - `instant_lanes` (instants per lane), `instants` (signed gap from the
//!     lane's previous instant, the first from the panel's start; name id):
//!     the lanes' instant events, drawn as ticks;
//! - and its `counters`: one object per counter track (`name`, `pid`,
//!   `times`, a column of signed gaps as `start`'s, and `values`, plain
//!   numbers), drawn as step lines under the lanes. Samples that are not
//!   finite numbers are left out, as the pictures leave them out.
//!
//! Times are whole nanoseconds from the panel's first span. Numbers past
//! 2^53 (a value, a result) lose precision in the script, which reads them
//! as doubles.

mod column;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use logprof_trace::{CounterTrack, Lane, OffCpuKind, Trace};
use serde_json::{json, Value};

use self::column::Column;
use crate::color::{name_color_index, name_palette, WAIT};

/// The bits of a span's `flags` byte.
pub(crate) mod flags {
    /// Its name is marked as a region ([`logprof_trace::Trace::region_names`]).
    pub const REGION: u8 = 1;
    /// Waiting, not work ([`logprof_trace::Trace::is_waiting`]: marked as
    /// waiting, or an MPI call), drawn grey as in the pictures.
    pub const WAIT: u8 = 2;
    /// Time inside an MPI call that moved a message.
    pub const MPI: u8 = 4;
    /// The trace ended before the span did.
    pub const UNFINISHED: u8 = 8;
    /// Its thread was off its CPU for some of it.
    pub const OFF_CPU: u8 = 16;
}

/// The data of a page's timeline: its panels, added one trace at a time,
/// and the names they share.
#[derive(Clone, Debug, Default)]
pub(crate) struct TimelineData {
    names: Names,
    panels: Vec<Value>,
    spans: usize,
}

impl TimelineData {
    /// Adds a panel showing `trace` under `title`, below those already in.
    pub(crate) fn add(&mut self, title: &str, trace: &Trace) {
        self.spans += trace.span_count();
        self.panels.push(panel(title, trace, &mut self.names));
    }

    /// Spans over all panels.
    pub(crate) fn spans(&self) -> usize {
        self.spans
    }

    /// How many panels (traces) the timeline has.
    pub(crate) fn panels(&self) -> usize {
        self.panels.len()
    }

    /// The JSON text, safe inside a `<script>` element: no `<` in it.
    pub(crate) fn to_json(&self) -> String {
        let colors: Vec<usize> = self
            .names
            .list
            .iter()
            .map(|n| name_color_index(n))
            .collect();
        let value = json!({
            "palette": name_palette(),
            "wait_color": WAIT,
            "name_color": colors,
            "names": self.names.list,
            "panels": self.panels,
        });
        // `<` only appears inside strings, where `\u003c` means the same: no
        // name can close the script element or open a comment.
        value.to_string().replace('<', "\\u003c")
    }
}

/// The data of one timeline showing `panels` (a title and a trace each).
#[cfg(test)]
pub(crate) fn encode(panels: &[(&str, &Trace)]) -> TimelineData {
    let mut data = TimelineData::default();
    for &(title, trace) in panels {
        data.add(title, trace);
    }
    data
}

/// The page's names, each once.
#[derive(Clone, Debug, Default)]
struct Names {
    list: Vec<String>,
    ids: HashMap<String, u64>,
}

impl Names {
    fn id(&mut self, name: &str) -> u64 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.list.len() as u64;
        self.list.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }
}

/// One trace's lanes and columns.
fn panel(title: &str, trace: &Trace, names: &mut Names) -> Value {
    let (origin, end) = trace.time_range().unwrap_or((0, 0));
    let count = trace.span_count();
    let ids: Vec<u64> = trace.names.iter().map(|n| names.id(n)).collect();
    // A hand-built trace may use an id it does not hold.
    let unknown = names.id("<unknown>");

    let mut lane_spans = Column::with_capacity(trace.lanes.len());
    let mut name = Column::with_capacity(count);
    let mut start = Column::with_capacity(2 * count);
    let mut dur = Column::with_capacity(2 * count);
    let mut depth = Column::with_capacity(count);
    let mut flag = Column::with_capacity(count);
    let (mut values, mut results) = (Sparse::default(), Sparse::default());
    let mut index = 0u64;
    for lane in &trace.lanes {
        lane_spans.push(lane.spans.len() as u64);
        let mut previous = origin;
        for span in &lane.spans {
            name.push(ids.get(span.name as usize).copied().unwrap_or(unknown));
            start.push_signed(span.start_ns as i64 - previous as i64);
            previous = span.start_ns;
            dur.push(span.duration_ns());
            depth.push(u64::from(span.depth));
            let mut f = 0;
            if trace.is_region(span.name) {
                f |= flags::REGION;
            }
            if trace.is_waiting(span) {
                f |= flags::WAIT;
            }
            if span.mpi.is_some() {
                f |= flags::MPI;
            }
            if span.unfinished {
                f |= flags::UNFINISHED;
            }
            if off_cpu_within(lane, span.start_ns, span.end_ns) {
                f |= flags::OFF_CPU;
            }
            flag.push_byte(f);
            if let Some(v) = span.value {
                values.push(index, v);
            }
            if let Some(r) = span.result {
                results.push(index, r);
            }
            index += 1;
        }
    }

    let (mut off_lanes, mut off) = (Column::default(), Column::default());
    for lane in &trace.lanes {
        let stretches = off_cpu_drawn(trace, lane, (origin, end));
        off_lanes.push(stretches.len() as u64);
        let mut previous = origin;
        for (s, e, kind) in stretches {
            off.push_signed(s as i64 - previous as i64);
            previous = s;
            off.push(e - s);
            off.push_byte(match kind {
                OffCpuKind::Preempted => 0,
                OffCpuKind::Blocked => 1,
            });
        }
    }

    let first: Vec<u64> = trace
        .lanes
        .iter()
        .scan(0u64, |at, lane| {
            let here = *at;
            *at += lane.spans.len() as u64;
            Some(here)
        })
        .collect();
    let mut messages = Column::default();
    for flow in trace.messages().flows {
        let (sl, ss) = flow.send;
        let (rl, rs) = flow.receive;
        messages.push(first[sl] + ss as u64);
        messages.push(first[rl] + rs as u64);
        let call = trace.lanes[sl].spans[ss].mpi.as_deref();
        messages.push(call.map_or(0, |c| c.bytes));
        messages.push_signed(i64::from(flow.tag));
    }

    let (mut instant_lanes, mut instants) = (Column::default(), Column::default());
    for lane in &trace.lanes {
        instant_lanes.push(lane.instants.len() as u64);
        // In time order, which the script's search needs.
        let mut in_order: Vec<_> = lane.instants.iter().collect();
        in_order.sort_by_key(|i| i.ts_ns);
        let mut previous = origin;
        for instant in in_order {
            instants.push_signed(instant.ts_ns as i64 - previous as i64);
            previous = instant.ts_ns;
            instants.push(ids.get(instant.name as usize).copied().unwrap_or(unknown));
        }
    }
    let counters: Vec<Value> = trace.counters.iter().map(|c| counter(c, origin)).collect();

    let lanes: Vec<Value> = trace
        .lanes
        .iter()
        .map(|lane| {
            json!({
                "name": lane.thread_name,
                "pid": lane.pid,
                "tid": lane.tid,
                "process": trace.process_names.get(&lane.pid).or(trace.process_name.as_ref()),
            })
        })
        .collect();
    json!({
        "title": title,
        "wall_ns": end - origin,
        "span_count": count,
        "lanes": lanes,
        "lane_spans": lane_spans.to_base64(),
        "name": name.to_base64(),
        "start": start.to_base64(),
        "dur": dur.to_base64(),
        "depth": depth.to_base64(),
        "flags": flag.to_base64(),
        "values": values.column.to_base64(),
        "results": results.column.to_base64(),
        "off_cpu_lanes": off_lanes.to_base64(),
        "off_cpu": off.to_base64(),
        "messages": messages.to_base64(),
        "instant_lanes": instant_lanes.to_base64(),
        "instants": instants.to_base64(),
        "counters": counters,
    })
}

/// One counter track: its finite samples, times as gaps from `origin`.
fn counter(track: &CounterTrack, origin: u64) -> Value {
    let mut times = Column::default();
    let mut values = Vec::new();
    let mut previous = origin;
    for &(ts, v) in track.samples.iter().filter(|(_, v)| v.is_finite()) {
        times.push_signed(ts as i64 - previous as i64);
        previous = ts;
        values.push(v);
    }
    json!({
        "name": track.name,
        "pid": track.pid,
        "times": times.to_base64(),
        "values": values,
    })
}

/// Numbers carried by a few spans: (gap in span index, number) pairs.
#[derive(Default)]
struct Sparse {
    column: Column,
    last: u64,
}

impl Sparse {
    fn push(&mut self, index: u64, value: i64) {
        self.column.push(index - self.last);
        self.column.push_signed(value);
        self.last = index;
    }
}

/// True when the lane was off its CPU at some time in `[start, end)`.
fn off_cpu_within(lane: &Lane, start: u64, end: u64) -> bool {
    let first = lane.off_cpu.partition_point(|o| o.end_ns <= start);
    lane.off_cpu.get(first).is_some_and(|o| o.start_ns < end)
}

/// The lane's off-CPU time as the pictures draw it, in time order: inside
/// its work (time outside it is idle, or waiting anyway), and preempted
/// while its work was still to come (waiting for a core, not idle: in the
/// gaps from the trace's start to the end of its last span, the whole
/// `range` for a lane with none).
fn off_cpu_drawn(trace: &Trace, lane: &Lane, range: (u64, u64)) -> Vec<(u64, u64, OffCpuKind)> {
    if lane.off_cpu.is_empty() {
        return Vec::new();
    }
    let mut out = within(lane, &trace.work_intervals(lane));
    let busy = lane.busy_intervals();
    let until = busy.last().map_or(range.1, |&(_, end)| end);
    let mut gaps = Vec::new();
    let mut from = range.0;
    for &(s, e) in &busy {
        if s > from {
            gaps.push((from, s.min(until)));
        }
        from = from.max(e);
    }
    if from < until {
        gaps.push((from, until));
    }
    out.extend(
        within(lane, &gaps)
            .into_iter()
            .filter(|&(_, _, kind)| kind == OffCpuKind::Preempted),
    );
    out.sort_unstable_by_key(|&(s, e, _)| (s, e));
    out
}

/// The lane's off-CPU intervals cut to `spans` (sorted, disjoint).
fn within(lane: &Lane, spans: &[(u64, u64)]) -> Vec<(u64, u64, OffCpuKind)> {
    let mut out = Vec::new();
    for off in &lane.off_cpu {
        let first = spans.partition_point(|&(_, end)| end <= off.start_ns);
        for &(s, e) in spans[first..].iter().take_while(|&&(s, _)| s < off.end_ns) {
            let (a, b) = (off.start_ns.max(s), off.end_ns.min(e));
            if a < b {
                out.push((a, b, off.kind));
            }
        }
    }
    out
}
