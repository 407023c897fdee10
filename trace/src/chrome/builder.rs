//! The trace assembled from the events of a file.
//!
//! [`TraceBuilder`] takes the file's events one at a time as the reader
//! parses them, checks what a trace needs of each (a phase, ids, times),
//! keeps the `X`, `B` and `E` events of each lane `(pid, tid)` in a small
//! owned [`Event`] (see `lane_event`), and takes the names from `M` events.
//! Once the file is read, [`TraceBuilder::finish`] has `pairing` turn each
//! lane's events into spans and settles the names table. Parsing JSON is not
//! done here (see `reader` and `raw`), nor matching `B` with `E` (see
//! `pairing`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::value::RawValue;

use super::ids::TextIds;
use super::lane_event::{Event, Kind, NO_NAME};
use super::numbers::micros_to_ns;
use super::pairing::lane_spans;
use super::raw::{Args, LogprofData, RawEvent, Scalar};
use super::{ChromeJsonError, UNNAMED};
use crate::mpi_call::{MessageSide, MpiCall};
use crate::offcpu::{OffCpu, OffCpuKind, OffCpuStatus};
use crate::trace::{CounterTrack, InstantEvent, Lane, Losses, NameId, NameTable, Repairs, Trace};

/// The events of one `(pid, tid)`, in file order.
struct LaneEvents {
    pid: u32,
    tid: u64,
    thread_name: Option<String>,
    events: Vec<Event>,
    /// Instants (`i`, `I`, `n`): name and time.
    instants: Vec<(NameId, u64)>,
    /// `X` events of category `off-cpu`: off-CPU intervals, not spans.
    off_cpu: Vec<OffCpu>,
    /// `args.cpu` of the `thread_name` event: the lane's first core.
    start_cpu: Option<u32>,
}

impl LaneEvents {
    /// The lane these events make: spans paired and nested, and the thread
    /// named by the file, else by its text id, else `thread-<tid>`.
    fn into_lane(self, ours: bool, texts: &TextIds, repairs: &mut Repairs) -> Lane {
        let paired = lane_spans(self.events, ours);
        repairs.unclosed_begins += paired.unclosed;
        repairs.stray_ends += paired.stray;
        // logprof's own files keep an empty name as it was written.
        let thread_name = match self.thread_name {
            Some(n) if ours || !n.is_empty() => n,
            _ => texts
                .tid_texts
                .get(&self.tid)
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("thread-{}", self.tid)),
        };
        let mut lane = Lane::with_spans(self.pid, self.tid, thread_name, paired.spans);
        let mut instants = self.instants;
        instants.sort_by_key(|&(_, ts)| ts);
        lane.instants = instants
            .into_iter()
            .map(|(name, ts_ns)| InstantEvent { name, ts_ns })
            .collect();
        lane.off_cpu = self.off_cpu;
        lane.off_cpu.sort_by_key(|o| (o.start_ns, o.end_ns));
        lane.start_cpu = self.start_cpu;
        lane
    }
}

/// What has been read so far.
#[derive(Default)]
pub(super) struct TraceBuilder {
    /// The names of spans and instants, in order of first use.
    names: NameTable,
    lane_index: HashMap<(u32, u64), usize>,
    /// The lane of the previous event, looked up without hashing.
    last_lane: Option<((u32, u64), usize)>,
    lanes: Vec<LaneEvents>,
    process_names: BTreeMap<u32, String>,
    counters: BTreeMap<(u32, String), Vec<(u64, f64)>>,
    texts: TextIds,
    /// What was repaired or left out so far.
    pub(super) repairs: Repairs,
    /// Entries seen, and how many had a `ph`.
    entries: u64,
    with_phase: u64,
    /// Off-CPU intervals read (`X` events of category `off-cpu`).
    off_cpu_events: u64,
    /// The names (as read) of `X` and `B` events of category `region`.
    region_names: BTreeSet<NameId>,
    /// The names (as read) of `X` and `B` events of category `wait`.
    wait_names: BTreeSet<NameId>,
}

/// What the builder does with an event, by its `ph`.
enum Phase {
    Span(Kind),
    Metadata,
    Instant,
    Counter,
    /// Kept out of the trace, counted under this name.
    NotDrawn(&'static str),
}

/// The message end of a span of MPI time, from `args` as logprof writes it
/// (`"mpi":"send","peer":1,"tag":10,"seq":0,"bytes":800`).
fn mpi_call(args: &Args<'_>) -> Option<MpiCall> {
    let side = MessageSide::from_text(args.mpi.as_deref()?)?;
    let number = |name: &str| {
        let v = args.numbers.iter().find(|(k, _)| k == name)?.1;
        (v.fract() == 0.0).then_some(v)
    };
    Some(MpiCall {
        side,
        peer: u32::try_from(number("peer")? as i64).ok()?,
        tag: i32::try_from(number("tag")? as i64).ok()?,
        seq: u64::try_from(number("seq")? as i64).ok()?,
        bytes: u64::try_from(number("bytes")? as i64).ok()?,
    })
}

/// The kind under which flow events are counted.
const FLOWS: &str = "flow (s/t/f)";

fn phase(ph: &str) -> Phase {
    match ph {
        "X" => Phase::Span(Kind::Complete),
        "B" => Phase::Span(Kind::Begin),
        "E" => Phase::Span(Kind::End),
        "M" => Phase::Metadata,
        "i" | "I" | "n" => Phase::Instant,
        "C" => Phase::Counter,
        "b" | "e" | "S" | "T" | "p" | "F" => Phase::NotDrawn("async (b/e, S/T/p/F)"),
        "s" | "t" | "f" => Phase::NotDrawn(FLOWS),
        "P" => Phase::NotDrawn("sample (P)"),
        "O" | "N" | "D" => Phase::NotDrawn("object (O/N/D)"),
        "R" => Phase::NotDrawn("mark (R)"),
        "c" => Phase::NotDrawn("clock sync (c)"),
        _ => Phase::NotDrawn("unknown-phase"),
    }
}

impl TraceBuilder {
    fn lane(&mut self, pid: u32, tid: u64) -> &mut LaneEvents {
        // Files tend to hold runs of events of one thread.
        if let Some(&(key, index)) = self.last_lane.as_ref() {
            if key == (pid, tid) {
                return &mut self.lanes[index];
            }
        }
        let index = *self.lane_index.entry((pid, tid)).or_insert_with(|| {
            self.lanes.push(LaneEvents {
                pid,
                tid,
                thread_name: None,
                events: Vec::new(),
                instants: Vec::new(),
                off_cpu: Vec::new(),
                start_cpu: None,
            });
            self.lanes.len() - 1
        });
        self.last_lane = Some(((pid, tid), index));
        &mut self.lanes[index]
    }

    /// True once an event with a `ph` has been read.
    pub(super) fn has_events(&self) -> bool {
        self.with_phase > 0
    }

    fn not_drawn(&mut self, kind: &str) {
        *self.repairs.not_drawn.entry(kind.to_owned()).or_default() += 1;
    }

    /// Takes in one event. Nothing in an event stops the reading: what
    /// cannot be used is skipped and counted in the repairs.
    pub(super) fn add(&mut self, event: RawEvent<'_>) {
        self.entries += 1;
        let Some(Scalar::Str(ph)) = &event.ph else {
            return; // not an event anyone can use
        };
        self.with_phase += 1;
        let kind = match phase(ph) {
            Phase::Span(kind) => kind,
            Phase::Metadata => return self.add_metadata(&event),
            Phase::Instant => return self.add_instant(&event),
            Phase::Counter => return self.add_counter(&event),
            Phase::NotDrawn(kind) => return self.not_drawn(kind),
        };
        let Some((ts, end)) = self.times(kind, &event) else {
            return;
        };
        let (pid, tid) = self.ids(&event);
        let name = event_name(&event);
        if let Some(kind) = off_cpu_kind(kind, &event, name.as_deref()) {
            self.off_cpu_events += 1;
            let off = OffCpu {
                start_ns: ts,
                end_ns: end,
                kind,
                cpu: arg_cpu(event.args.as_ref()),
            };
            self.lane(pid, tid).off_cpu.push(off);
            return;
        }
        let name = match (kind, name) {
            // An `E` with an empty name is an `E` without one, as the tools
            // that write `"name":""` on every `E` mean it.
            (Kind::End, Some(n)) if n.is_empty() => NO_NAME,
            (_, Some(n)) => self.names.intern(&n),
            (Kind::End, None) => NO_NAME,
            (_, None) => self.names.intern(UNNAMED),
        };
        if kind != Kind::End && has_category(&event, "region") {
            self.region_names.insert(name);
        }
        if kind != Kind::End && has_category(&event, "wait") {
            self.wait_names.insert(name);
        }
        let args = event.args.unwrap_or_default();
        let mpi = mpi_call(&args);
        let depth = args
            .depth
            .and_then(|d| d.as_u64())
            .and_then(|d| u32::try_from(d).ok());
        let task = args.task.and_then(|t| t.as_u64());
        let value = args.value.and_then(|v| v.as_i64());
        let result = args.result.and_then(|v| v.as_i64());
        let unfinished = args.unfinished.and_then(|u| u.as_u64()) == Some(1);
        self.lane(pid, tid).events.push(Event {
            kind,
            ts,
            end,
            name,
            depth,
            task,
            value,
            result,
            unfinished,
            mpi,
        });
    }

    /// The lane of an event, text ids mapped and counted.
    fn ids(&mut self, event: &RawEvent<'_>) -> (u32, u64) {
        let pid = self.texts.pid(event.pid.as_ref());
        let tid = self.texts.tid(event.tid.as_ref());
        if pid.is_text() || tid.is_text() {
            self.repairs.text_ids += 1;
        }
        (pid.value(), tid.value())
    }

    /// The start and end of an event, or `None` (counted) when it has no
    /// usable time.
    fn times(&mut self, kind: Kind, event: &RawEvent<'_>) -> Option<(u64, u64)> {
        let r = &mut self.repairs;
        let Some(Ok((ts, text))) = event.ts.map(micros) else {
            r.bad_times += 1;
            return None;
        };
        if kind != Kind::Complete {
            r.text_times += u64::from(text);
            return Some((ts, ts));
        }
        let Some(Ok((dur, dur_text))) = event.dur.map(micros) else {
            r.complete_without_dur += 1;
            return None;
        };
        // Checked: a span past the last nanosecond is skipped, not a panic
        // (debug) or a wrap to an end before the start (release).
        let Some(end) = ts.checked_add(dur) else {
            r.bad_times += 1;
            return None;
        };
        r.text_times += u64::from(text || dur_text);
        Some((ts, end))
    }

    /// A `thread_name` or `process_name` event names a lane or a process;
    /// other metadata is ignored.
    fn add_metadata(&mut self, event: &RawEvent<'_>) {
        let which = match &event.name {
            Some(Scalar::Str(s)) => s.as_ref(),
            _ => return,
        };
        if which != "thread_name" && which != "process_name" {
            return;
        }
        let Some(Scalar::Str(value)) = event.args.as_ref().and_then(|a| a.name.as_ref()) else {
            return;
        };
        let value = value.clone().into_owned();
        if which == "thread_name" {
            let (pid, tid) = self.ids(event);
            let lane = self.lane(pid, tid);
            lane.thread_name = Some(value);
            lane.start_cpu = arg_cpu(event.args.as_ref());
        } else {
            // A process has no thread: whatever its tid says (`"-1"`).
            let pid = self.texts.pid(event.pid.as_ref()).value();
            self.process_names.insert(pid, value);
        }
    }

    /// An instant (`i`, `I`, `n`) marks its thread's lane.
    fn add_instant(&mut self, event: &RawEvent<'_>) {
        let Some((ts, _)) = self.times(Kind::Begin, event) else {
            return;
        };
        let (pid, tid) = self.ids(event);
        let name = self
            .names
            .intern(event_name(event).as_deref().unwrap_or(UNNAMED));
        self.lane(pid, tid).instants.push((name, ts));
    }

    /// A counter (`C`): each number of its `args` is a sample of the track
    /// `name` (for the member `value`) or `name.member`.
    fn add_counter(&mut self, event: &RawEvent<'_>) {
        let Some((ts, _)) = self.times(Kind::Begin, event) else {
            return;
        };
        let pid = self.ids(event).0;
        let name = event_name(event).unwrap_or(Cow::Borrowed(UNNAMED));
        let Some(args) = &event.args else { return };
        let value = args.value.as_ref().and_then(Scalar::as_f64);
        let members = value.map(|v| (None, v)).into_iter().chain(
            args.numbers
                .iter()
                .map(|(member, v)| (Some(member.as_ref()), *v)),
        );
        for (member, v) in members {
            let track = match member {
                None => name.clone().into_owned(),
                Some(m) => format!("{name}.{m}"),
            };
            self.counters.entry((pid, track)).or_default().push((ts, v));
        }
    }

    /// Pairs, nests and names everything read into a trace. `logprof` is
    /// `otherData.logprof` of a file logprof wrote.
    pub(super) fn finish(self, logprof: Option<LogprofData>) -> Result<Trace, ChromeJsonError> {
        if self.entries > 0 && self.with_phase == 0 {
            return Err(ChromeJsonError::new(format!(
                "not a trace: none of the {} entries of the event array is a trace event \
                 (an object with a \"ph\" member)",
                self.entries
            )));
        }
        if self.entries == 0 && logprof.is_none() {
            return Err(ChromeJsonError::new(
                "not a trace: the event array is empty, there is nothing to read",
            ));
        }
        let ours = logprof.is_some();
        let mut repairs = self.repairs;
        repairs.from_other_tool = !ours;
        if ours {
            // logprof's flows are the hops of its tasks, drawn from the spans.
            repairs.not_drawn.remove(FLOWS);
        }
        let read_names = self.names.into_names();
        let mut lanes = Vec::with_capacity(self.lanes.len());
        for lane in self.lanes {
            if lane.events.is_empty() && lane.thread_name.is_none() {
                // Only instants, on a thread that holds nothing else: Perfetto
                // shows them on a process or global track.
                let n = lane.instants.len() as u64;
                *repairs
                    .not_drawn
                    .entry("instant off any thread lane".to_owned())
                    .or_default() += n;
                continue;
            }
            lanes.push(lane.into_lane(ours, &self.texts, &mut repairs));
        }
        let mut table = NameTable::new();
        let mut process_names = self.process_names;
        let (mut off_cpu, cores) = match &logprof {
            Some(data) => (
                data.off_cpu
                    .as_deref()
                    .map(|t| OffCpuStatus::from_text(t, data.lost_switches))
                    .unwrap_or_default(),
                data.cores,
            ),
            None => (OffCpuStatus::NotRecorded, None),
        };
        if off_cpu == OffCpuStatus::NotRecorded && self.off_cpu_events > 0 {
            off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
        }
        let (process_name, losses, metadata) = match logprof {
            Some(data) => {
                for name in &data.names {
                    table.intern(name);
                }
                let losses = data.losses;
                // A pid named otherwise than the trace names its own
                // ("rank 2" of a merged MPI trace).
                process_names.retain(|_, name| data.process_name.as_ref() != Some(name));
                (data.process_name, losses, data.metadata)
            }
            None => {
                // The trace's name: the named process of the lowest pid.
                let first = process_names.values().next().cloned();
                for (pid, text) in self.texts.pid_texts {
                    process_names.entry(pid).or_insert(text);
                }
                (first, Losses::default(), BTreeMap::new())
            }
        };
        let (names, remap) = renumber_names(&mut lanes, &read_names, table);
        let region_names = remap_marks(&self.region_names, &remap);
        let wait_names = remap_marks(&self.wait_names, &remap);
        let counters = CounterTrack::from_samples(self.counters);
        let mut trace = Trace {
            process_name,
            names,
            region_names,
            wait_names,
            lanes,
            losses,
            counters,
            repairs,
            process_names,
            off_cpu,
            cores,
            metadata,
        };
        // The lanes in (pid, tid) order; `with_spans` ordered their spans.
        trace.normalize();
        Ok(trace)
    }
}

/// Microseconds as number text, or as a string holding one, to whole
/// nanoseconds; `true` with it when it was a string.
fn micros(raw: &RawValue) -> Result<(u64, bool), String> {
    let text = raw.get();
    if text.starts_with('"') {
        let inner: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
        return micros_to_ns(inner.trim()).map(|ns| (ns, true));
    }
    micros_to_ns(text).map(|ns| (ns, false))
}

/// The off-CPU kind of a complete event of category `off-cpu` named
/// `preempted` or `blocked`; `None` for every other event.
fn off_cpu_kind(kind: Kind, event: &RawEvent<'_>, name: Option<&str>) -> Option<OffCpuKind> {
    match (&event.cat, kind) {
        (Some(Scalar::Str(cat)), Kind::Complete) if cat == "off-cpu" => {
            OffCpuKind::from_name(name?)
        }
        _ => None,
    }
}

/// `args.cpu`, a core number: where an off-CPU interval came back, or
/// where a lane began (files without it, older ones, read as not known).
fn arg_cpu(args: Option<&Args<'_>>) -> Option<u32> {
    let (_, v) = args?.numbers.iter().find(|(k, _)| k == "cpu")?;
    (v.fract() == 0.0 && *v >= 0.0 && *v <= f64::from(u32::MAX)).then_some(*v as u32)
}

/// True when the event's `cat`, a comma-separated list as Perfetto reads
/// it, holds `wanted`: `region` marks a region of the run, `wait` a span
/// that waits (logprof writes the spans of [`Trace::region_names`] and
/// [`Trace::wait_names`] so; another tool can mark its own).
fn has_category(event: &RawEvent<'_>, wanted: &str) -> bool {
    match &event.cat {
        Some(Scalar::Str(cat)) => cat.split(',').any(|c| c.trim() == wanted),
        _ => false,
    }
}

/// The name of an `X`, `B` or `E` event: a string (the empty one too: a
/// span may be called ""), or a number as its text; `None` for no name or
/// any other value.
fn event_name<'e>(event: &'e RawEvent<'_>) -> Option<Cow<'e, str>> {
    match &event.name {
        Some(Scalar::Str(s)) => Some(Cow::Borrowed(s.as_ref())),
        Some(s @ (Scalar::Uint(_) | Scalar::Int(_) | Scalar::Float(_))) => {
            Some(Cow::Owned(s.describe()))
        }
        _ => None,
    }
}

/// The trace's names: `table` (logprof's own table as it was written, or
/// empty) followed by the names read, in order of first use. Names that
/// only `E` events mention are dropped. The spans of `lanes` are renumbered
/// from `read_names` to the result; the map is returned, each read id's new
/// id (`NO_NAME` for a name dropped), for the marks on names.
fn renumber_names(
    lanes: &mut [Lane],
    read_names: &[String],
    mut table: NameTable,
) -> (Vec<String>, Vec<NameId>) {
    let mut used = vec![false; read_names.len()];
    for lane in lanes.iter() {
        for span in &lane.spans {
            used[span.name as usize] = true;
        }
        for instant in &lane.instants {
            used[instant.name as usize] = true;
        }
    }
    let remap: Vec<NameId> = read_names
        .iter()
        .zip(&used)
        .map(|(name, &used)| if used { table.intern(name) } else { NO_NAME })
        .collect();
    for lane in lanes.iter_mut() {
        for span in &mut lane.spans {
            span.name = remap[span.name as usize];
        }
        for instant in &mut lane.instants {
            instant.name = remap[instant.name as usize];
        }
    }
    (table.into_names(), remap)
}

/// The marked names (as read) under their new ids, those no span uses
/// dropped.
fn remap_marks(marks: &BTreeSet<NameId>, remap: &[NameId]) -> BTreeSet<NameId> {
    marks
        .iter()
        .filter_map(|&id| remap.get(id as usize).copied())
        .filter(|&id| id != NO_NAME)
        .collect()
}
