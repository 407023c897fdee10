//! The events read from a Perfetto trace, put together into a [`Trace`]:
//! each track's begins and ends paired into spans on its stack, tracks
//! mapped to lanes and counters, and what was repaired counted. A
//! category `region` or `wait` marks the slice's name (in any file).
//!
//! A track with a thread descriptor is a lane; a track under it (by
//! `parent_uuid`, however deep) adds its spans to that lane: logprof's
//! layers of overlapping spans and off-CPU tracks, another tool's async
//! tracks of the thread. A counter track is a [`CounterTrack`] of the
//! process above it. Any other track with events (a process's own track,
//! a global track) is a lane of its own, named by the track, under a tid
//! with the top bit set, as the Chrome JSON reader does for text ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::import::{Event, Importer, Kind, TrackKey};
use super::Category;
use crate::offcpu::{OffCpu, OffCpuKind, OffCpuStatus};
use crate::trace::{
    nest_by_containment, CounterTrack, InstantEvent, Lane, NameId, NameTable, Repairs, Span, Trace,
};

/// The top bit of a tid made for a track that is not a thread.
const TRACK_TID: u64 = 1 << 63;

/// Where a track's events go.
#[derive(Clone, Debug)]
enum Target {
    Lane(u32, u64),
    /// pid, name, whether values are changes, the values' multiplier.
    Counter(u32, String, bool, f64),
}

/// A lane being built.
#[derive(Default)]
struct LaneBuild {
    name: Option<String>,
    spans: Vec<Span>,
    instants: Vec<InstantEvent>,
    off_cpu: Vec<OffCpu>,
    last_ts: u64,
    /// Slices still open when their track's events ran out.
    open: Vec<Open>,
    /// Tracks that put spans on this lane.
    stacks: usize,
}

/// An open slice: its begin, and its depth on its track.
struct Open {
    name: NameId,
    ts: u64,
    categories: u8,
    args: Option<Box<super::args::SliceArgs>>,
    depth: u32,
}

struct Build<'a> {
    imp: &'a Importer,
    ours: bool,
    wide: HashMap<u64, (u32, u64)>,
    lanes: BTreeMap<(u32, u64), LaneBuild>,
    counters: BTreeMap<(u32, String), Vec<(u64, f64)>>,
    repairs: Repairs,
    region_names: Vec<NameId>,
    wait_names: Vec<NameId>,
    off_names: OffCpuNames,
}

/// The trace the importer's events make.
pub(super) fn assemble(mut imp: Importer, cut_at_end: bool) -> Trace {
    let mut events = std::mem::take(&mut imp.events);
    let read_names = std::mem::take(&mut imp.names).into_names();
    // Stable: events of one track at one time keep the file's order.
    events.sort_by_key(|e| (e.track, e.ts));
    let ours = imp.facts.is_some();
    let wide = imp
        .facts
        .as_ref()
        .map(|f| f.wide_ids.iter().map(|&(u, p, t)| (u, (p, t))).collect())
        .unwrap_or_default();
    let mut b = Build {
        imp: &imp,
        ours,
        wide,
        lanes: BTreeMap::new(),
        counters: BTreeMap::new(),
        repairs: Repairs::default(),
        region_names: Vec::new(),
        wait_names: Vec::new(),
        off_names: imp.off_names,
    };
    // Every described thread is a lane, events or not.
    for (&uuid, info) in &imp.tracks {
        if let Some((pid, tid, name)) = &info.thread {
            let key = b.wide.get(&uuid).copied().unwrap_or((*pid, *tid));
            b.lanes.entry(key).or_default().name = name.clone();
        }
    }
    for (&key, name) in &imp.legacy_threads {
        b.lanes.entry(key).or_default().name.clone_from(name);
    }
    let mut start = 0;
    while start < events.len() {
        let track = events[start].track;
        let end = start + events[start..].partition_point(|e| e.track == track);
        b.track(track, &events[start..end]);
        start = end;
    }
    b.finish(&read_names, cut_at_end)
}

impl Build<'_> {
    /// What a track's events are for, following its parents.
    fn target(&mut self, key: TrackKey) -> Target {
        let uuid = match key {
            TrackKey::Thread(pid, tid) => return Target::Lane(pid, tid),
            TrackKey::Uuid(uuid) => uuid,
        };
        let tracks = &self.imp.tracks;
        let own = tracks.get(&uuid);
        // The nearest thread and process above (or at) the track; the
        // walk is bounded, so a cycle of parents cannot hang it.
        let (mut thread, mut pid, mut at) = (None, None, Some(uuid));
        for _ in 0..64 {
            let Some(info) = at.and_then(|u| tracks.get(&u).map(|i| (u, i))) else {
                break;
            };
            if thread.is_none() {
                if let Some((p, t, _)) = &info.1.thread {
                    thread = Some(self.wide.get(&info.0).copied().unwrap_or((*p, *t)));
                }
            }
            if pid.is_none() {
                pid = info.1.process.as_ref().map(|p| p.0);
                pid = pid.or(info.1.thread.as_ref().map(|t| t.0));
            }
            at = info.1.parent;
        }
        if let Some(info) = own.filter(|i| i.counter.is_some()) {
            let name = info
                .name
                .clone()
                .unwrap_or_else(|| format!("counter {uuid}"));
            let multiplier = info.counter_multiplier.filter(|&m| m > 0).unwrap_or(1) as f64;
            return Target::Counter(
                pid.unwrap_or(0),
                name,
                info.counter == Some(true),
                multiplier,
            );
        }
        if let Some((pid, tid)) = thread {
            return Target::Lane(pid, tid);
        }
        let key = (pid.unwrap_or(0), TRACK_TID | (uuid & !TRACK_TID));
        let lane = self.lanes.entry(key).or_default();
        if lane.name.is_none() {
            lane.name = Some(match own.and_then(|i| i.name.clone()) {
                Some(name) => name,
                None if uuid == 0 => "global track".to_owned(),
                None => match own.and_then(|i| i.process.as_ref()?.1.clone()) {
                    Some(process) => process,
                    None => format!("track {uuid}"),
                },
            });
        }
        Target::Lane(key.0, key.1)
    }

    /// Pairs one track's events (in time order) on its own stack.
    fn track(&mut self, key: TrackKey, events: &[Event]) {
        let (pid, tid) = match self.target(key) {
            Target::Counter(pid, name, incremental, multiplier) => {
                self.counter((pid, name), incremental, multiplier, events);
                return;
            }
            Target::Lane(pid, tid) => (pid, tid),
        };
        let ours = self.ours;
        let lane = self.lanes.entry((pid, tid)).or_default();
        lane.stacks += 1;
        let mut stack: Vec<Open> = Vec::new();
        for e in events {
            lane.last_ts = lane.last_ts.max(e.ts);
            match &e.kind {
                Kind::Begin {
                    name,
                    categories,
                    args,
                    dur,
                } => {
                    let open = Open {
                        name: *name,
                        ts: e.ts,
                        categories: *categories,
                        args: args.clone(),
                        depth: stack.len() as u32,
                    };
                    match dur {
                        Some(dur) => {
                            let end = e.ts.saturating_add(*dur);
                            lane.last_ts = lane.last_ts.max(end);
                            close(
                                lane,
                                open,
                                end,
                                Closing {
                                    ours,
                                    off_names: self.off_names,
                                    regions: &mut self.region_names,
                                    waits: &mut self.wait_names,
                                },
                            );
                        }
                        None => stack.push(open),
                    }
                }
                Kind::End => match stack.pop() {
                    Some(open) => close(
                        lane,
                        open,
                        e.ts,
                        Closing {
                            ours,
                            off_names: self.off_names,
                            regions: &mut self.region_names,
                            waits: &mut self.wait_names,
                        },
                    ),
                    None => self.repairs.stray_ends += 1,
                },
                Kind::Instant(name) => lane.instants.push(InstantEvent {
                    name: *name,
                    ts_ns: e.ts,
                }),
                Kind::Counter(_) => {
                    *self
                        .repairs
                        .not_drawn
                        .entry("counter value off a counter track".to_owned())
                        .or_default() += 1;
                }
            }
        }
        lane.open.extend(stack);
    }

    fn counter(&mut self, key: (u32, String), incremental: bool, mul: f64, events: &[Event]) {
        let samples = self.counters.entry(key).or_default();
        let mut total = 0.0;
        for e in events {
            match e.kind {
                Kind::Counter(v) => {
                    let v = v * mul;
                    total = if incremental { total + v } else { v };
                    samples.push((e.ts, total));
                }
                _ => {
                    *self
                        .repairs
                        .not_drawn
                        .entry("slice or instant on a counter track".to_owned())
                        .or_default() += 1;
                }
            }
        }
    }

    fn finish(mut self, read_names: &[String], cut_at_end: bool) -> Trace {
        let imp = self.imp;
        let facts = imp.facts.as_ref();
        // Names: logprof's table in its order, then any other name used.
        let mut table = NameTable::new();
        for name in facts.map_or(&[][..], |f| &f.names[..]) {
            table.intern(name);
        }
        let mut renumber = |id: NameId| table.intern(&read_names[id as usize]);
        let start_cpus: HashMap<(u32, u64), u32> = facts
            .map(|f| f.start_cpus.iter().map(|&(p, t, c)| ((p, t), c)).collect())
            .unwrap_or_default();
        let mut lanes = Vec::with_capacity(self.lanes.len());
        let mut off_cpu_seen = false;
        for ((pid, tid), mut b) in std::mem::take(&mut self.lanes) {
            for open in std::mem::take(&mut b.open) {
                self.repairs.unclosed_begins += 1;
                let end = b.last_ts;
                let how = Closing {
                    ours: false,
                    off_names: self.off_names,
                    regions: &mut self.region_names,
                    waits: &mut self.wait_names,
                };
                close(&mut b, open, end, how);
                if let Some(span) = b.spans.last_mut() {
                    span.unfinished = true;
                }
            }
            for span in &mut b.spans {
                span.name = renumber(span.name);
            }
            for i in &mut b.instants {
                i.name = renumber(i.name);
            }
            if !self.ours && b.stacks > 1 {
                // Spans of several tracks: depth by containment, as in a
                // Chrome JSON file.
                nest_by_containment(&mut b.spans, |_| true);
            }
            b.instants.sort_by_key(|i| i.ts_ns);
            b.off_cpu.sort_by_key(|o| o.start_ns);
            off_cpu_seen |= !b.off_cpu.is_empty();
            let mut lane = Lane::with_spans(
                pid,
                tid,
                b.name.unwrap_or_else(|| format!("thread-{tid}")),
                b.spans,
            );
            lane.instants = b.instants;
            lane.off_cpu = b.off_cpu;
            lane.start_cpu = start_cpus.get(&(pid, tid)).copied();
            lanes.push(lane);
        }
        let mut region_names: BTreeSet<NameId> =
            self.region_names.iter().map(|&id| renumber(id)).collect();
        let mut wait_names: BTreeSet<NameId> =
            self.wait_names.iter().map(|&id| renumber(id)).collect();
        if let Some(f) = facts {
            // Ids of logprof's own names table, which `table` began with.
            let known = |id: &u32| (*id as usize) < f.names.len();
            region_names.extend(f.region_names.iter().filter(|id| known(id)));
            wait_names.extend(f.wait_names.iter().filter(|id| known(id)));
        }
        let mut process_names: BTreeMap<u32, String> = BTreeMap::new();
        for info in imp.tracks.values() {
            if let Some((pid, Some(name))) = &info.process {
                process_names.entry(*pid).or_insert_with(|| name.clone());
            }
        }
        let process_name = match facts {
            Some(f) => {
                process_names.clone_from(&f.process_names);
                f.process_name.clone()
            }
            None => process_names.values().next().cloned(),
        };
        let mut off_cpu = facts.map(|f| f.off_cpu()).unwrap_or_default();
        if off_cpu == OffCpuStatus::NotRecorded && off_cpu_seen {
            off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
        }
        let mut repairs = self.repairs;
        repairs.bad_times += imp.bad_times;
        repairs.cut_at_end = cut_at_end;
        for (what, n) in &imp.not_drawn {
            *repairs.not_drawn.entry(what.clone()).or_default() += n;
        }
        if !self.ours && imp.flow_events > 0 {
            *repairs
                .not_drawn
                .entry("flow (arrows between slices)".to_owned())
                .or_default() += imp.flow_events;
        }
        repairs.from_other_tool = !self.ours;
        let counters = CounterTrack::from_samples(self.counters);
        let mut trace = Trace {
            process_name,
            process_names,
            metadata: facts.map(|f| f.metadata.clone()).unwrap_or_default(),
            names: table.into_names(),
            region_names,
            wait_names,
            lanes,
            losses: facts.map(|f| f.losses).unwrap_or_default(),
            counters,
            repairs,
            off_cpu,
            cores: facts.and_then(|f| f.cores),
        };
        trace.normalize();
        trace
    }
}

/// The ids of the names of off-CPU slices, `preempted` and `blocked`.
#[derive(Clone, Copy)]
pub(super) struct OffCpuNames {
    pub preempted: NameId,
    pub blocked: NameId,
}

/// Closes `open` at `end`: a span of `lane`, or an off-CPU interval when
/// it is one (category `off-cpu`, named `preempted` or `blocked`). What
/// only logprof's annotations say is taken in logprof's files alone.
fn close(lane: &mut LaneBuild, open: Open, end: u64, how: Closing<'_>) {
    let end = end.max(open.ts);
    if open.categories & Category::OffCpu.flag() != 0 {
        let kind = if open.name == how.off_names.preempted {
            Some(OffCpuKind::Preempted)
        } else if open.name == how.off_names.blocked {
            Some(OffCpuKind::Blocked)
        } else {
            None
        };
        if let Some(kind) = kind {
            lane.off_cpu.push(OffCpu {
                start_ns: open.ts,
                end_ns: end,
                kind,
                cpu: open.args.as_ref().and_then(|a| a.cpu),
            });
            return;
        }
    }
    if open.categories & Category::Region.flag() != 0 {
        how.regions.push(open.name);
    }
    if open.categories & Category::Wait.flag() != 0 {
        how.waits.push(open.name);
    }
    let mut span = Span::new(open.name, open.ts, end, open.depth);
    if let (true, Some(a)) = (how.ours, &open.args) {
        span.depth = a.depth.unwrap_or(open.depth);
        span.task = a.task;
        span.value = a.value;
        span.result = a.result;
        span.unfinished = a.unfinished;
        span.mpi = a.mpi().map(Box::new);
    }
    lane.spans.push(span);
}

/// How [`close`] reads what it closes.
struct Closing<'a> {
    ours: bool,
    off_names: OffCpuNames,
    regions: &'a mut Vec<NameId>,
    waits: &'a mut Vec<NameId>,
}
