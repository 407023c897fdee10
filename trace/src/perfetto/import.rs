//! One packet at a time, as Perfetto's trace processor takes them: the
//! state of each packet sequence (interned names, defaults, clocks), the
//! track descriptors, and each track event turned into an [`Event`] with
//! its time in nanoseconds, its track and its name resolved.
//!
//! Interning is sequence-scoped: a packet flagged
//! `SEQ_INCREMENTAL_STATE_CLEARED` (or `incremental_state_cleared`) starts
//! its sequence's tables, defaults and clocks afresh; a packet that needs
//! that state on a sequence that never had it (its start was lost) is
//! skipped and counted, as trace processor does.

use std::collections::{BTreeMap, HashMap};

use super::args::SliceArgs;
use super::assemble::OffCpuNames;
use super::clocks::{Clocks, SequenceClock};
use super::meta::Facts;
use super::protos::{
    event_type, InternedData, TracePacket, TrackDescriptor, TrackEvent,
    SEQ_INCREMENTAL_STATE_CLEARED, SEQ_NEEDS_INCREMENTAL_STATE,
};
use super::{Category, LOGPROF_METADATA};
use crate::offcpu::OffCpuKind;
use crate::trace::{NameId, NameTable};

/// Where an event goes: a described track, or (older Chromium) the thread
/// of its sequence's thread descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum TrackKey {
    Uuid(u64),
    Thread(u32, u64),
}

/// A track event, resolved.
pub(super) struct Event {
    pub track: TrackKey,
    pub ts: u64,
    pub kind: Kind,
}

pub(super) enum Kind {
    /// A slice opens (`dur` set: a legacy complete event, closed at once).
    Begin {
        name: NameId,
        categories: u8,
        /// `None` when the event has no annotations (most): no allocation.
        args: Option<Box<SliceArgs>>,
        dur: Option<u64>,
    },
    End,
    Instant(NameId),
    Counter(f64),
}

/// What a track descriptor says.
#[derive(Default)]
pub(super) struct TrackInfo {
    pub parent: Option<u64>,
    pub name: Option<String>,
    pub process: Option<(u32, Option<String>)>,
    pub thread: Option<(u32, u64, Option<String>)>,
    /// `Some(incremental)` for a counter track.
    pub counter: Option<bool>,
    pub counter_multiplier: Option<i64>,
}

#[derive(Default)]
struct Sequence {
    valid: bool,
    names: HashMap<u64, NameId>,
    categories: HashMap<u64, u8>,
    annotation_names: HashMap<u64, String>,
    default_track: Option<u64>,
    default_clock: Option<u32>,
    clocks: HashMap<u32, SequenceClock>,
    /// The thread of an older Chromium sequence, and its microsecond clock.
    legacy_thread: Option<(u32, u64)>,
    legacy_us: i64,
}

/// Everything read so far.
pub(super) struct Importer {
    sequences: HashMap<u32, Sequence>,
    clocks: Clocks,
    pub names: NameTable,
    pub tracks: HashMap<u64, TrackInfo>,
    pub events: Vec<Event>,
    pub facts: Option<Facts>,
    /// Names of the threads of older Chromium sequences.
    pub legacy_threads: BTreeMap<(u32, u64), Option<String>>,
    pub not_drawn: BTreeMap<String, u64>,
    pub bad_times: u64,
    /// Events carrying flow ids (arrows, not drawn).
    pub flow_events: u64,
    pub off_names: OffCpuNames,
}

impl Importer {
    pub fn new() -> Importer {
        let mut names = NameTable::new();
        // Interned first, so that an off-CPU slice is known by its name id.
        let off_names = OffCpuNames {
            preempted: names.intern(OffCpuKind::Preempted.name()),
            blocked: names.intern(OffCpuKind::Blocked.name()),
        };
        Importer {
            sequences: HashMap::new(),
            clocks: Clocks::default(),
            names,
            tracks: HashMap::new(),
            events: Vec::new(),
            facts: None,
            legacy_threads: BTreeMap::new(),
            not_drawn: BTreeMap::new(),
            bad_times: 0,
            flow_events: 0,
            off_names,
        }
    }

    fn skip(&mut self, what: &str) {
        count(&mut self.not_drawn, what);
    }

    pub fn packet(&mut self, p: TracePacket) {
        let id = p.trusted_packet_sequence_id.unwrap_or(0);
        let flags = p.sequence_flags.unwrap_or(0);
        let seq = self.sequences.entry(id).or_default();
        if flags & SEQ_INCREMENTAL_STATE_CLEARED != 0 || p.incremental_state_cleared == Some(true) {
            *seq = Sequence {
                valid: true,
                legacy_thread: seq.legacy_thread,
                legacy_us: seq.legacy_us,
                ..Sequence::default()
            };
        }
        if flags & SEQ_NEEDS_INCREMENTAL_STATE != 0 && !seq.valid {
            self.skip("packet (its sequence's interned state was lost)");
            return;
        }
        let mut known = false;
        if let Some(defaults) = &p.trace_packet_defaults {
            known = true;
            seq.default_clock = defaults.timestamp_clock_id;
            seq.default_track = defaults
                .track_event_defaults
                .as_ref()
                .and_then(|d| d.track_uuid);
        }
        if let Some(interned) = &p.interned_data {
            known = true;
            intern(seq, &mut self.names, interned);
        }
        if let Some(snap) = &p.clock_snapshot {
            known = true;
            self.clocks.snapshot(snap, &mut seq.clocks);
        }
        if let Some(td) = &p.thread_descriptor {
            known = true;
            let key = (
                td.pid.unwrap_or(0) as u32,
                u64::from(td.tid.unwrap_or(0) as u32),
            );
            seq.legacy_thread = Some(key);
            seq.legacy_us = td.reference_timestamp_us.unwrap_or(0);
            let name = td.thread_name.clone();
            let entry = self.legacy_threads.entry(key).or_default();
            if name.is_some() {
                *entry = name;
            }
        }
        if let Some(bundle) = &p.chrome_events {
            known = true;
            for m in &bundle.metadata {
                if m.name.as_deref() == Some(LOGPROF_METADATA) {
                    self.facts = m
                        .string_value
                        .as_deref()
                        .and_then(|s| serde_json::from_str(s).ok());
                }
            }
        }
        if let Some(d) = p.track_descriptor {
            known = true;
            self.descriptor(*d);
        }
        if let Some(event) = p.track_event {
            known = true;
            self.event(id, p.timestamp, p.timestamp_clock_id, event);
        }
        if !known {
            self.skip("packet of another kind (system data, config, stats)");
        }
    }

    fn descriptor(&mut self, d: TrackDescriptor) {
        let uuid = d.uuid.unwrap_or(0);
        let info = TrackInfo {
            parent: d.parent_uuid,
            name: d.name.or(d.static_name).filter(|n| !n.is_empty()),
            process: d.process.map(|p| {
                let name = p.process_name.or_else(|| p.cmdline.into_iter().next());
                (p.pid.unwrap_or(0) as u32, name.filter(|n| !n.is_empty()))
            }),
            thread: d.thread.map(|t| {
                let tid = u64::from(t.tid.unwrap_or(0) as u32);
                (
                    t.pid.unwrap_or(0) as u32,
                    tid,
                    t.thread_name.filter(|n| !n.is_empty()),
                )
            }),
            counter: d
                .counter
                .as_ref()
                .map(|c| c.is_incremental.unwrap_or(false)),
            counter_multiplier: d.counter.and_then(|c| c.unit_multiplier),
        };
        // Descriptors are re-sent after every clear of incremental state:
        // the first one of a uuid stands, filled in by later ones.
        match self.tracks.get_mut(&uuid) {
            Some(old) => {
                old.parent = old.parent.or(info.parent);
                old.name = old.name.take().or(info.name);
                old.process = old.process.take().or(info.process);
                old.thread = old.thread.take().or(info.thread);
                old.counter = old.counter.or(info.counter);
            }
            None => {
                self.tracks.insert(uuid, info);
            }
        }
    }

    fn event(&mut self, sequence: u32, ts: Option<u64>, clock: Option<u32>, e: TrackEvent) {
        let seq = self.sequences.entry(sequence).or_default();
        let ts = match ts {
            Some(value) => {
                self.clocks
                    .to_trace(clock.or(seq.default_clock), value, &mut seq.clocks)
            }
            // Older Chromium: microseconds since the sequence's previous
            // event, or absolute.
            None => {
                let us = match (e.timestamp_absolute_us, e.timestamp_delta_us) {
                    (Some(abs), _) => Some(abs),
                    (None, Some(delta)) => {
                        seq.legacy_us = seq.legacy_us.saturating_add(delta);
                        Some(seq.legacy_us)
                    }
                    (None, None) => None,
                };
                us.and_then(|us| u64::try_from(us).ok()?.checked_mul(1000))
            }
        };
        let Some(ts) = ts else {
            self.bad_times += 1;
            return;
        };
        let track = match (e.track_uuid, seq.default_track, seq.legacy_thread) {
            (Some(uuid), _, _) | (None, Some(uuid), _) => TrackKey::Uuid(uuid),
            (None, None, Some((pid, tid))) => TrackKey::Thread(pid, tid),
            (None, None, None) => TrackKey::Uuid(0),
        };
        if !e.flow_ids.is_empty()
            || !e.flow_ids_old.is_empty()
            || !e.terminating_flow_ids.is_empty()
            || !e.terminating_flow_ids_old.is_empty()
        {
            self.flow_events += 1;
        }
        let name = |names: &mut NameTable, iid: Option<u64>| match (&e.name, iid) {
            (Some(name), _) => names.intern(name),
            (None, Some(iid)) => match seq.names.get(&iid) {
                Some(&id) => id,
                None => names.intern(super::UNNAMED),
            },
            (None, None) => names.intern(super::UNNAMED),
        };
        let begin = |names: &mut NameTable, iid: Option<u64>, dur: Option<u64>| {
            let mut categories = 0;
            for iid in &e.category_iids {
                categories |= seq.categories.get(iid).copied().unwrap_or(0);
            }
            for c in &e.categories {
                categories |= Category::flags_of(c);
            }
            let mut args = SliceArgs::default();
            let annotated = !e.debug_annotations.is_empty();
            for a in &e.debug_annotations {
                let key = match (&a.name, a.name_iid) {
                    (Some(n), _) => n.as_str(),
                    (None, Some(iid)) => seq.annotation_names.get(&iid).map_or("", String::as_str),
                    (None, None) => "",
                };
                args.take(key, a);
            }
            Kind::Begin {
                name: name(names, iid),
                categories,
                args: annotated.then(|| Box::new(args)),
                dur,
            }
        };
        let kind = match e.r#type {
            Some(event_type::SLICE_BEGIN) => begin(&mut self.names, e.name_iid, None),
            Some(event_type::SLICE_END) => Kind::End,
            Some(event_type::INSTANT) => Kind::Instant(name(&mut self.names, e.name_iid)),
            Some(event_type::COUNTER) => match (e.double_counter_value, e.counter_value) {
                (Some(v), _) => Kind::Counter(v),
                (None, Some(v)) => Kind::Counter(v as f64),
                (None, None) => Kind::Counter(0.0),
            },
            _ => match e.legacy_event.as_ref().and_then(|l| Some((l.phase?, l))) {
                // Chrome JSON phases carried in a legacy event.
                Some((phase, legacy)) => {
                    let iid = e.name_iid.or(legacy.name_iid);
                    match u8::try_from(phase).map(char::from) {
                        Ok('B') => begin(&mut self.names, iid, None),
                        Ok('E') => Kind::End,
                        Ok('X') => {
                            let dur = legacy.duration_us.and_then(|d| u64::try_from(d).ok());
                            begin(
                                &mut self.names,
                                iid,
                                Some(dur.unwrap_or(0).saturating_mul(1000)),
                            )
                        }
                        Ok('I' | 'i' | 'n') => Kind::Instant(name(&mut self.names, iid)),
                        _ => {
                            count(
                                &mut self.not_drawn,
                                "legacy event of another phase (async, flow, ...)",
                            );
                            return;
                        }
                    }
                }
                None => {
                    count(&mut self.not_drawn, "track event of no known type");
                    return;
                }
            },
        };
        self.events.push(Event { track, ts, kind });
    }
}

/// Adds a packet's interned names and categories to its sequence's tables.
fn intern(seq: &mut Sequence, names: &mut NameTable, data: &InternedData) {
    for n in &data.event_names {
        if let Some(iid) = n.iid {
            let id = names.intern(n.name.as_deref().unwrap_or(super::UNNAMED));
            seq.names.insert(iid, id);
        }
    }
    for c in &data.event_categories {
        if let Some(iid) = c.iid {
            let flags = Category::flags_of(c.name.as_deref().unwrap_or(""));
            seq.categories.insert(iid, flags);
        }
    }
    for a in &data.debug_annotation_names {
        if let (Some(iid), Some(name)) = (a.iid, &a.name) {
            seq.annotation_names.insert(iid, name.clone());
        }
    }
}

/// Counts one more of `what` among the events not drawn.
fn count(not_drawn: &mut BTreeMap<String, u64>, what: &str) {
    *not_drawn.entry(what.to_owned()).or_default() += 1;
}
