//! The events kept from a file, and the trace assembled from them.
//!
//! [`TraceBuilder`] takes the file's events one at a time as the reader
//! parses them, checks what a trace needs of each (a phase, ids, times),
//! keeps the `X`, `B` and `E` events of each lane `(pid, tid)` in a small
//! owned [`Event`], and takes the names from `M` events. Once the file is
//! read, [`TraceBuilder::finish`] has `pairing` turn each lane's events into
//! spans and settles the names table. Parsing JSON is not done here (see
//! `reader`), nor matching `B` with `E` (see `pairing`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::numbers::{micros_text, micros_to_ns};
use super::pairing::lane_spans;
use super::reader::{LogprofData, RawEvent, Scalar};
use super::{json_string, ChromeJsonError, UNNAMED};
use crate::offcpu::{OffCpu, OffCpuKind, OffCpuStatus};
use crate::trace::{Lane, Losses, NameId, NameTable, Trace};

/// The kinds of event kept from a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `X`: a span with its duration.
    Complete,
    /// `B`: a span begins.
    Begin,
    /// `E`: the span begun last (or the last one of its name) ends.
    End,
}

/// An event kept from a file, owning nothing of the text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Event {
    pub(super) kind: Kind,
    /// Start time, in nanoseconds.
    pub(super) ts: u64,
    /// End time of a complete event; `ts` for the others.
    pub(super) end: u64,
    /// Index into the builder's names; `NO_NAME` for an `E` without a name.
    pub(super) name: NameId,
    /// `args.depth`, trusted only in files logprof wrote.
    pub(super) depth: Option<u32>,
    /// `args.task`, trusted only in files logprof wrote.
    pub(super) task: Option<u64>,
}

/// The name of an `E` that has none: it closes whatever is innermost.
pub(super) const NO_NAME: NameId = NameId::MAX;

/// The events of one `(pid, tid)`, in file order.
struct LaneEvents {
    pid: u32,
    tid: u64,
    thread_name: Option<String>,
    events: Vec<Event>,
    /// `X` events of category `off-cpu`: off-CPU intervals, not spans.
    off_cpu: Vec<OffCpu>,
}

impl LaneEvents {
    /// The lane these events make: spans paired and nested, and the thread
    /// named `thread-<tid>` if the file did not name it.
    fn into_lane(self, ours: bool, names: &[String]) -> Result<Lane, ChromeJsonError> {
        let spans = lane_spans(self.events, ours, names).map_err(|e| {
            ChromeJsonError::new(format!(
                "not a valid trace: on pid {} tid {}: {e}",
                self.pid, self.tid
            ))
        })?;
        let thread_name = self
            .thread_name
            .unwrap_or_else(|| format!("thread-{}", self.tid));
        let mut lane = Lane::with_spans(self.pid, self.tid, thread_name, spans);
        lane.off_cpu = self.off_cpu;
        lane.off_cpu.sort_by_key(|o| (o.start_ns, o.end_ns));
        Ok(lane)
    }
}

/// What has been read so far.
#[derive(Default)]
pub(super) struct TraceBuilder {
    /// The names of `X`, `B` and `E` events, in order of first use.
    names: NameTable,
    lane_index: HashMap<(u32, u64), usize>,
    /// The lane of the previous event, looked up without hashing.
    last_lane: Option<((u32, u64), usize)>,
    lanes: Vec<LaneEvents>,
    process_names: BTreeMap<u32, String>,
    /// Entries seen, and how many had a `ph`.
    entries: u64,
    with_phase: u64,
    /// Off-CPU intervals read (`X` events of category `off-cpu`).
    off_cpu_events: u64,
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
                off_cpu: Vec::new(),
            });
            self.lanes.len() - 1
        });
        self.last_lane = Some(((pid, tid), index));
        &mut self.lanes[index]
    }

    /// Takes in one event; the error says what is wrong with it.
    pub(super) fn add(&mut self, event: RawEvent<'_>) -> Result<(), String> {
        self.entries += 1;
        let Some(Scalar::Str(ph)) = &event.ph else {
            return Ok(()); // not an event anyone can use
        };
        self.with_phase += 1;
        let kind = match ph.as_ref() {
            "X" => Kind::Complete,
            "B" => Kind::Begin,
            "E" => Kind::End,
            "M" => return self.add_metadata(&event),
            _ => return Ok(()),
        };
        let name = event_name(&event);
        // Which event, for messages: its number in the file, phase and name.
        let what = || {
            format!(
                "event {} (\"ph\":\"{ph}\"{})",
                self.entries,
                name.as_ref()
                    .map(|n| format!(", \"name\":{}", json_string(n)))
                    .unwrap_or_default()
            )
        };
        let (pid, tid) = self
            .pid_tid(&event)
            .map_err(|e| format!("{}: {e}", what()))?;
        let (ts, end) = times(kind, &event).map_err(|e| format!("{}: {e}", what()))?;
        if let Some(kind) = off_cpu_kind(kind, &event, name.as_deref()) {
            self.off_cpu_events += 1;
            let off = OffCpu {
                start_ns: ts,
                end_ns: end,
                kind,
            };
            self.lane(pid, tid).off_cpu.push(off);
            return Ok(());
        }
        let name = match (kind, &name) {
            // An `E` with an empty name is an `E` without one, as the tools
            // that write `"name":""` on every `E` mean it.
            (Kind::End, Some(n)) if n.is_empty() => NO_NAME,
            (_, Some(n)) => self.names.intern(n),
            (Kind::End, None) => NO_NAME,
            (_, None) => self.names.intern(UNNAMED),
        };
        let args = event.args.unwrap_or_default();
        let depth = args
            .depth
            .and_then(|d| d.as_u64())
            .and_then(|d| u32::try_from(d).ok());
        let task = args.task.and_then(|t| t.as_u64());
        self.lane(pid, tid).events.push(Event {
            kind,
            ts,
            end,
            name,
            depth,
            task,
        });
        Ok(())
    }

    fn pid_tid(&self, event: &RawEvent<'_>) -> Result<(u32, u64), String> {
        let pid = match &event.pid {
            None => 0,
            Some(p) => p
                .as_u64()
                .and_then(|p| u32::try_from(p).ok())
                .ok_or_else(|| {
                    format!(
                        "\"pid\" must be an integer from 0 to 2^32-1, found {}",
                        p.describe()
                    )
                })?,
        };
        let tid = match &event.tid {
            None => 0,
            Some(t) => t.as_u64().ok_or_else(|| {
                format!(
                    "\"tid\" must be a non-negative integer, found {}",
                    t.describe()
                )
            })?,
        };
        Ok((pid, tid))
    }

    /// A `thread_name` or `process_name` event names a lane or the trace;
    /// other metadata is ignored.
    fn add_metadata(&mut self, event: &RawEvent<'_>) -> Result<(), String> {
        let which = match &event.name {
            Some(Scalar::Str(s)) => s.as_ref(),
            _ => return Ok(()),
        };
        if which != "thread_name" && which != "process_name" {
            return Ok(());
        }
        let Some(Scalar::Str(value)) = event.args.as_ref().and_then(|a| a.name.as_ref()) else {
            return Ok(());
        };
        let (pid, tid) = self
            .pid_tid(event)
            .map_err(|e| format!("event {} (\"ph\":\"M\", {which}): {e}", self.entries))?;
        if which == "thread_name" {
            self.lane(pid, tid).thread_name = Some(value.clone().into_owned());
        } else {
            self.process_names.insert(pid, value.clone().into_owned());
        }
        Ok(())
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
        let ours = logprof.is_some();
        let read_names = self.names.into_names();
        let mut lanes = Vec::with_capacity(self.lanes.len());
        for lane in self.lanes {
            lanes.push(lane.into_lane(ours, &read_names)?);
        }
        let mut table = NameTable::new();
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
        let (process_name, losses) = match logprof {
            Some(data) => {
                for name in &data.names {
                    table.intern(name);
                }
                let losses = data.losses();
                (data.process_name, losses)
            }
            None => (self.process_names.into_values().next(), Losses::default()),
        };
        let names = renumber_names(&mut lanes, &read_names, table);
        let mut trace = Trace {
            process_name,
            names,
            lanes,
            losses,
            counters: Vec::new(),
            off_cpu,
            cores,
        };
        // The lanes in (pid, tid) order; `with_spans` ordered their spans.
        trace.normalize();
        Ok(trace)
    }
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

/// The start and end of an event in nanoseconds (a `B` or `E` ends where it
/// starts). The error names the field at fault.
fn times(kind: Kind, event: &RawEvent<'_>) -> Result<(u64, u64), String> {
    let ts = match event.ts {
        Some(raw) => micros_to_ns(raw.get()).map_err(|e| format!("\"ts\" {e}"))?,
        None => return Err("has no \"ts\"".to_owned()),
    };
    if kind != Kind::Complete {
        return Ok((ts, ts));
    }
    let dur = match event.dur {
        Some(raw) => micros_to_ns(raw.get()).map_err(|e| format!("\"dur\" {e}"))?,
        None => return Err("a complete event needs a \"dur\"".to_owned()),
    };
    // Checked: a span past the last nanosecond is an error, not a panic
    // (debug) or a wrap to an end before the start (release).
    let end = ts.checked_add(dur).ok_or_else(|| {
        format!(
            "ts + dur is too large ({} µs + {} µs is 2^64 ns or more)",
            micros_text(ts),
            micros_text(dur)
        )
    })?;
    Ok((ts, end))
}

/// The trace's names: `table` (logprof's own table as it was written, or
/// empty) followed by the names read, in order of first use. Names that
/// only `E` events mention are dropped. The spans of `lanes` are renumbered
/// from `read_names` to the result.
fn renumber_names(lanes: &mut [Lane], read_names: &[String], mut table: NameTable) -> Vec<String> {
    let mut used = vec![false; read_names.len()];
    for span in lanes.iter().flat_map(|l| &l.spans) {
        used[span.name as usize] = true;
    }
    let remap: Vec<NameId> = read_names
        .iter()
        .zip(&used)
        .map(|(name, &used)| if used { table.intern(name) } else { NO_NAME })
        .collect();
    for span in lanes.iter_mut().flat_map(|l| &mut l.spans) {
        span.name = remap[span.name as usize];
    }
    table.into_names()
}
