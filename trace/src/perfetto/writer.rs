//! Writing a [`Trace`] as a Perfetto protobuf trace, in the layout the
//! [module documentation](crate::perfetto) describes.
//!
//! Packets are encoded one at a time into a byte buffer that is handed to
//! the output in large pieces; the whole trace is never held as messages.
//! Descriptors, counters and logprof's metadata are `prost` messages; the
//! lanes' events, nearly every packet, are encoded by `wire`. Reading is
//! not here (see `reader`).

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::Path;

use prost::Message;

use super::layers::{lane_layers, Layer};
use super::protos::{
    event_type, ChromeEventBundle, ChromeMetadata, CounterDescriptor, DebugAnnotation,
    InternedData, InternedName, ProcessDescriptor, ThreadDescriptor, TracePacket, TrackDescriptor,
    TrackEvent, SEQ_INCREMENTAL_STATE_CLEARED, SEQ_NEEDS_INCREMENTAL_STATE,
};
use super::wire::HotEvent;
use super::{meta, Category, LOGPROF_METADATA};
use crate::chrome::TraceFileError;
use crate::trace::{Lane, NameId, Span, Trace};

impl Trace {
    /// Writes the trace to `path` as a Perfetto protobuf trace (`.pftrace`,
    /// see the [module documentation](crate::perfetto)), for
    /// <https://ui.perfetto.dev> and Perfetto's `trace_processor`.
    ///
    /// Written beside its final path and renamed into place once complete:
    /// a failure never leaves half a file.
    pub fn write_perfetto(&self, path: impl AsRef<Path>) -> Result<(), TraceFileError> {
        let path = path.as_ref();
        crate::write_atomically(path, |out| self.write_perfetto_to(out))
            .map_err(|e| TraceFileError::cannot_write(path, e))
    }

    /// Writes the trace as a Perfetto protobuf trace to `out`, in 64 KiB
    /// pieces. The only errors are `out`'s.
    pub fn write_perfetto_to(&self, out: impl Write) -> io::Result<()> {
        let mut w = Packets::new(out);
        write_trace(self, &mut w)?;
        w.finish()
    }

    /// The trace as the bytes of a Perfetto protobuf trace.
    pub fn to_perfetto_bytes(&self) -> Vec<u8> {
        // About 20 bytes a packet, two packets a span.
        let mut bytes = Vec::with_capacity(self.span_count().saturating_mul(40));
        // Writing into a Vec cannot fail.
        let _ = self.write_perfetto_to(&mut bytes);
        bytes
    }
}

/// Packets framed as the `packet` field (1) of `Trace`, buffered.
struct Packets<W: Write> {
    out: W,
    buf: Vec<u8>,
}

const CHUNK: usize = 1 << 16;

impl<W: Write> Packets<W> {
    fn new(out: W) -> Packets<W> {
        Packets {
            out,
            buf: Vec::with_capacity(CHUNK + 4096),
        }
    }

    fn push(&mut self, packet: &TracePacket) -> io::Result<()> {
        // Field 1, wire type 2 (length-delimited).
        self.buf.push(0x0a);
        packet
            .encode_length_delimited(&mut self.buf)
            .map_err(io::Error::other)?;
        self.flush_if_full()
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }
}

/// The sequence of the descriptors, the counters and logprof's facts; each
/// lane has the next ones, in lane order.
const GLOBAL_SEQUENCE: u32 = 1;

/// The track uuids of a trace: every process, lane, layer, off-CPU and
/// counter track, numbered from 1 in the order written.
struct Uuids {
    next: u64,
    processes: HashMap<u32, u64>,
}

impl Uuids {
    fn take(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    fn process(&mut self, pid: u32) -> u64 {
        if let Some(&uuid) = self.processes.get(&pid) {
            return uuid;
        }
        let uuid = self.take();
        self.processes.insert(pid, uuid);
        uuid
    }
}

fn write_trace<W: Write>(trace: &Trace, w: &mut Packets<W>) -> io::Result<()> {
    let mut uuids = Uuids {
        next: 0,
        processes: HashMap::new(),
    };
    let mut pids: BTreeSet<u32> = trace.lanes.iter().map(|l| l.pid).collect();
    pids.extend(trace.counters.iter().map(|c| c.pid));
    let mut descriptors = Vec::new();
    for &pid in &pids {
        let uuid = uuids.process(pid);
        let name = trace
            .process_names
            .get(&pid)
            .or(trace.process_name.as_ref());
        descriptors.push(TrackDescriptor {
            uuid: Some(uuid),
            process: Some(ProcessDescriptor {
                pid: Some(pid as i32),
                process_name: name.cloned(),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    // Each lane's tracks: the thread's own, one per layer of spans that do
    // not nest in the ones before, one for its off-CPU intervals.
    let mut wide_ids = Vec::new();
    let mut lane_tracks = Vec::with_capacity(trace.lanes.len());
    for lane in &trace.lanes {
        let layers = lane_layers(lane);
        let thread = uuids.take();
        let (pid32, tid32) = (i32::try_from(lane.pid), i32::try_from(lane.tid));
        if pid32.is_err() || tid32.is_err() {
            wide_ids.push((thread, lane.pid, lane.tid));
        }
        descriptors.push(TrackDescriptor {
            uuid: Some(thread),
            parent_uuid: Some(uuids.process(lane.pid)),
            thread: Some(ThreadDescriptor {
                pid: Some(pid32.unwrap_or(lane.pid as i32)),
                tid: Some(tid32.unwrap_or(lane.tid as i32)),
                thread_name: Some(lane.thread_name.clone()),
                ..Default::default()
            }),
            ..Default::default()
        });
        let mut tracks = vec![thread];
        for k in 1..layers.count {
            let uuid = uuids.take();
            descriptors.push(child_track(
                uuid,
                thread,
                format!("{} (overlapping spans {k})", lane.thread_name),
            ));
            tracks.push(uuid);
        }
        let off_cpu = (!lane.off_cpu.is_empty()).then(|| {
            let uuid = uuids.take();
            descriptors.push(child_track(
                uuid,
                thread,
                format!("{} off-CPU", lane.thread_name),
            ));
            uuid
        });
        lane_tracks.push((layers, tracks, off_cpu));
    }
    let mut first = true;
    let mut global = |packet: TracePacket, w: &mut Packets<W>| {
        let flags = if std::mem::take(&mut first) {
            SEQ_INCREMENTAL_STATE_CLEARED
        } else {
            SEQ_NEEDS_INCREMENTAL_STATE
        };
        w.push(&TracePacket {
            trusted_packet_sequence_id: Some(GLOBAL_SEQUENCE),
            sequence_flags: Some(flags),
            ..packet
        })
    };
    let facts = meta::to_json(trace, &wide_ids);
    global(
        TracePacket {
            chrome_events: Some(Box::new(ChromeEventBundle {
                metadata: vec![ChromeMetadata {
                    name: Some(LOGPROF_METADATA.to_owned()),
                    string_value: Some(facts),
                }],
            })),
            ..Default::default()
        },
        w,
    )?;
    for d in descriptors {
        global(
            TracePacket {
                track_descriptor: Some(Box::new(d)),
                ..Default::default()
            },
            w,
        )?;
    }
    for counter in &trace.counters {
        let uuid = uuids.take();
        global(
            TracePacket {
                track_descriptor: Some(Box::new(TrackDescriptor {
                    uuid: Some(uuid),
                    parent_uuid: Some(uuids.process(counter.pid)),
                    name: Some(counter.name.clone()),
                    counter: Some(CounterDescriptor::default()),
                    ..Default::default()
                })),
                ..Default::default()
            },
            w,
        )?;
        for &(ts, value) in &counter.samples {
            let event = TrackEvent {
                r#type: Some(event_type::COUNTER),
                track_uuid: Some(uuid),
                double_counter_value: Some(value),
                ..Default::default()
            };
            global(timed(ts, event), w)?;
        }
    }
    let flows = super::flows::flow_ends(trace);
    for (li, (lane, (layers, tracks, off_cpu))) in trace.lanes.iter().zip(&lane_tracks).enumerate()
    {
        let sequence = GLOBAL_SEQUENCE + 1 + li as u32;
        let mut seq = LaneSequence::new(w, sequence, trace);
        for ev in lane_events(lane, layers, *off_cpu) {
            let event = match ev.what {
                What::Begin(si) => {
                    let span = &lane.spans[si];
                    let track = tracks[layers.of_span[si]];
                    let mut e = seq.slice_begin(span, layers.stack_depth[si], track);
                    if let Some(ends) = flows.get(&(li, si)) {
                        e.flows_out = &ends.leaves;
                        e.flows_in = &ends.arrives;
                    }
                    e
                }
                What::End(si) => HotEvent::new(event_type::SLICE_END, tracks[layers.of_span[si]]),
                What::Instant(i) => {
                    let mut e = HotEvent::new(event_type::INSTANT, tracks[0]);
                    e.name_iid = Some(seq.name(lane.instants[i].name));
                    e
                }
                What::OffCpuBegin(i) => seq.off_cpu_begin(lane, i, off_cpu.unwrap_or(0)),
                What::OffCpuEnd => HotEvent::new(event_type::SLICE_END, off_cpu.unwrap_or(0)),
            };
            seq.push(ev.ts, &event);
            seq.w.flush_if_full()?;
        }
    }
    Ok(())
}

/// A track under a lane's thread track.
fn child_track(uuid: u64, parent: u64, name: String) -> TrackDescriptor {
    TrackDescriptor {
        uuid: Some(uuid),
        parent_uuid: Some(parent),
        name: Some(name),
        ..Default::default()
    }
}

/// A packet holding `event` at `ts`.
fn timed(ts: u64, event: TrackEvent) -> TracePacket {
    TracePacket {
        timestamp: Some(ts),
        track_event: Some(event),
        ..Default::default()
    }
}

/// One event of a lane, before it is encoded.
struct LaneEvent {
    ts: u64,
    what: What,
}

enum What {
    Begin(usize),
    End(usize),
    Instant(usize),
    OffCpuBegin(usize),
    OffCpuEnd,
}

/// The lane's events in time order: each layer's begins and ends in the
/// order its stack walk gave them (kept among equal times), its instants
/// and its off-CPU intervals.
fn lane_events(lane: &Lane, layers: &Layer, off_cpu: Option<u64>) -> Vec<LaneEvent> {
    let mut events: Vec<LaneEvent> = layers
        .order
        .iter()
        .map(|&(si, begin)| {
            let span = &lane.spans[si];
            if begin {
                LaneEvent {
                    ts: span.start_ns,
                    what: What::Begin(si),
                }
            } else {
                LaneEvent {
                    ts: span.end_ns,
                    what: What::End(si),
                }
            }
        })
        .collect();
    events.extend(lane.instants.iter().enumerate().map(|(i, e)| LaneEvent {
        ts: e.ts_ns,
        what: What::Instant(i),
    }));
    if off_cpu.is_some() {
        for (i, off) in lane.off_cpu.iter().enumerate() {
            events.push(LaneEvent {
                ts: off.start_ns,
                what: What::OffCpuBegin(i),
            });
            events.push(LaneEvent {
                ts: off.end_ns.max(off.start_ns),
                what: What::OffCpuEnd,
            });
        }
    }
    // Stable: the order among equal times within a track is the stack's.
    events.sort_by_key(|e| e.ts);
    events
}

/// The packets of one lane's sequence, interning names and categories the
/// first time the sequence uses them.
struct LaneSequence<'a, W: Write> {
    w: &'a mut Packets<W>,
    sequence: u32,
    trace: &'a Trace,
    first: bool,
    /// Whether each name id was interned on this sequence yet.
    interned_names: Vec<bool>,
    interned_categories: u8,
    pending: InternedData,
}

impl<'a, W: Write> LaneSequence<'a, W> {
    fn new(w: &'a mut Packets<W>, sequence: u32, trace: &'a Trace) -> Self {
        LaneSequence {
            w,
            sequence,
            trace,
            first: true,
            interned_names: Vec::new(),
            interned_categories: 0,
            pending: InternedData::default(),
        }
    }

    /// The iid of name `id` (its id + 1: iid 0 means none), interned on
    /// this sequence with the next packet if new.
    fn name(&mut self, id: NameId) -> u64 {
        let i = id as usize;
        if self.interned_names.len() <= i {
            self.interned_names.resize(i + 1, false);
        }
        if !self.interned_names[i] {
            self.interned_names[i] = true;
            self.pending.event_names.push(InternedName {
                iid: Some(u64::from(id) + 1),
                name: Some(self.trace.name(id).to_owned()),
            });
        }
        u64::from(id) + 1
    }

    fn category(&mut self, c: Category) -> u64 {
        let bit = 1u8 << c.iid();
        if self.interned_categories & bit == 0 {
            self.interned_categories |= bit;
            self.pending.event_categories.push(InternedName {
                iid: Some(c.iid().into()),
                name: Some(c.name().to_owned()),
            });
        }
        c.iid().into()
    }

    /// The begin of `span` on `track`, with its categories and, for what
    /// the nesting of its track does not say, its debug annotations.
    fn slice_begin(&mut self, span: &Span, stack_depth: u32, track: u64) -> HotEvent<'static> {
        let mut e = HotEvent::new(event_type::SLICE_BEGIN, track);
        e.name_iid = Some(self.name(span.name));
        if self.trace.is_region(span.name) {
            e.add_category(self.category(Category::Region));
        }
        if span.task.is_some() {
            e.add_category(self.category(Category::Task));
        }
        if span.mpi.is_some() {
            e.add_category(self.category(Category::Mpi));
        }
        if self.trace.is_wait(span.name) {
            e.add_category(self.category(Category::Wait));
        }
        e.annotations = super::args::span_annotations(span, stack_depth);
        e
    }

    fn off_cpu_begin(&mut self, lane: &Lane, i: usize, track: u64) -> HotEvent<'static> {
        let off = &lane.off_cpu[i];
        let mut e = HotEvent::new(event_type::SLICE_BEGIN, track);
        e.name = Some(off.kind.name());
        e.add_category(self.category(Category::OffCpu));
        if let Some(cpu) = off.cpu {
            e.annotations.push(DebugAnnotation {
                name: Some("cpu".to_owned()),
                uint_value: Some(cpu.into()),
                ..Default::default()
            });
        }
        e
    }

    /// Writes `event` at `ts` with the names interned since the last one.
    fn push(&mut self, ts: u64, event: &HotEvent<'_>) {
        let flags = if std::mem::take(&mut self.first) {
            SEQ_INCREMENTAL_STATE_CLEARED
        } else {
            SEQ_NEEDS_INCREMENTAL_STATE
        };
        let pending = &self.pending;
        let interned = (!pending.event_names.is_empty() || !pending.event_categories.is_empty())
            .then_some(pending);
        super::wire::put_event_packet(&mut self.w.buf, ts, self.sequence, flags, interned, event);
        if interned.is_some() {
            self.pending = InternedData::default();
        }
    }
}
