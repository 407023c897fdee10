//! Reading `.lpt` chunk by chunk ([`LptReader`]), and a whole file into a
//! [`Trace`] ([`Trace::read_lpt`]). Only one chunk's payload is held at a
//! time besides the trace being built. A file that ends before its footer
//! is read up to its last whole chunk, and says so in its repairs.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

use super::chunk::{self, ChunkKind, CODEC_NONE, FRAME_LEN, TRAILER_LEN};
use super::varint::Bytes;
use super::{info, name_set_mut, spans, CompactError, FLAG_STREAMED, HEADER_LEN};
use super::{IntoSpans, PairedLane};
use crate::chrome::TraceFileError;
use crate::ranks::{RankFacts, RANK_METADATA};
use crate::trace::{CounterTrack, Lane, NameId, Trace};

/// One chunk read: its kind (`None` for a kind this version does not
/// know), the offset of its frame, and its payload.
pub type Chunk<'a> = (Option<ChunkKind>, u64, &'a [u8]);

/// What [`LptReader::advance`] did.
enum Step {
    End,
    Skipped,
    Read(Option<ChunkKind>, u64),
}

/// Reads the chunks of an `.lpt` file one at a time.
pub struct LptReader<R: Read> {
    input: R,
    /// The header's flags.
    pub flags: u16,
    /// The offset of the next chunk.
    offset: u64,
    payload: Vec<u8>,
    /// True once the input ended before the footer (or inside the trailer).
    cut: bool,
    done: bool,
}

/// Reads into `buf` as much as `input` has, up to its length: fewer bytes
/// only at the end of the input.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

impl<R: Read> LptReader<R> {
    /// Reads and checks the header: an error for a file that is not `.lpt`
    /// or was written by a newer version.
    pub fn new(mut input: R) -> Result<LptReader<R>, CompactError> {
        let mut header = [0u8; HEADER_LEN];
        let got = read_full(&mut input, &mut header)?;
        if got < HEADER_LEN {
            let known = got.min(8);
            if got > 0 && header[..known] == super::MAGIC[..known] {
                return Err(CompactError::new(format!(
                    "the .lpt file is cut off inside its {HEADER_LEN}-byte header ({got} bytes): it holds no chunk"
                )));
            }
            return Err(CompactError::new(
                "not a logprof .lpt trace (too short for its header)",
            ));
        }
        let flags = chunk::check_header(&header)?;
        Ok(LptReader {
            input,
            flags,
            offset: HEADER_LEN as u64,
            payload: Vec::new(),
            cut: false,
            done: false,
        })
    }

    /// True when the file ended before its footer: the chunks read are all
    /// the whole chunks it holds.
    pub fn was_cut(&self) -> bool {
        self.cut
    }

    /// The next chunk: its kind (`None` for a kind this version does not
    /// know, passed over), its offset, and its payload; `Ok(None)` at the
    /// footer or at the end of a cut file.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk<'_>>, CompactError> {
        self.next_chunk_where(|_| true)
    }

    /// The next chunk whose kind `want` accepts, passing over the payloads
    /// of the others unread (a pass that needs only some kinds holds no
    /// other); `Ok(None)` as [`LptReader::next_chunk`]. The footer is never
    /// passed over.
    pub fn next_chunk_where(
        &mut self,
        want: impl Fn(Option<ChunkKind>) -> bool,
    ) -> Result<Option<Chunk<'_>>, CompactError> {
        loop {
            match self.advance(&want)? {
                Step::End => return Ok(None),
                Step::Skipped => continue,
                Step::Read(kind, at) => return Ok(Some((kind, at, &self.payload))),
            }
        }
    }

    /// Reads the next frame and its payload (or passes over the payload
    /// when `want` refuses its kind).
    fn advance(&mut self, want: &impl Fn(Option<ChunkKind>) -> bool) -> Result<Step, CompactError> {
        if self.done {
            return Ok(Step::End);
        }
        let at = self.offset;
        let mut frame = [0u8; FRAME_LEN];
        let got = read_full(&mut self.input, &mut frame)?;
        if got < FRAME_LEN {
            // Ended before the footer: cut off (or still being written).
            self.cut = true;
            self.done = true;
            return Ok(Step::End);
        }
        let codec = frame[1];
        let stored = u32::from_le_bytes([frame[2], frame[3], frame[4], frame[5]]) as u64;
        let kind = ChunkKind::from_u8(frame[0]);
        let skip = kind != Some(ChunkKind::Footer) && !want(kind);
        self.payload.clear();
        let got = if skip {
            io::copy(&mut (&mut self.input).take(stored), &mut io::sink())?
        } else {
            (&mut self.input)
                .take(stored)
                .read_to_end(&mut self.payload)? as u64
        };
        if got < stored {
            self.cut = true;
            self.done = true;
            return Ok(Step::End);
        }
        self.offset += FRAME_LEN as u64 + stored;
        if codec != CODEC_NONE {
            return Err(CompactError::new(format!(
                "a chunk is stored with codec {codec}, which this logprof does not read; update logprof"
            ))
            .at(at));
        }
        if skip {
            return Ok(Step::Skipped);
        }
        if kind == Some(ChunkKind::Footer) {
            self.done = true;
            let mut trailer = [0u8; TRAILER_LEN];
            if read_full(&mut self.input, &mut trailer)? < TRAILER_LEN
                || trailer[8..] != super::END_MAGIC
            {
                self.cut = true;
            }
            return Ok(Step::End);
        }
        Ok(Step::Read(kind, at))
    }

    /// Reads every chunk into a [`Trace`].
    pub fn read_trace(self) -> Result<Trace, CompactError> {
        self.read_trace_where(|_| true, true)
    }

    /// Reads the chunks `want` accepts into a [`Trace`], passing over the
    /// others. `in_order`: a streamed file's lanes are put in (pid, tid)
    /// order; else they keep the numbers the file's chunks give them (the
    /// streaming pass reads spans chunks later, by those numbers).
    pub(crate) fn read_trace_where(
        mut self,
        want: impl Fn(Option<ChunkKind>) -> bool,
        in_order: bool,
    ) -> Result<Trace, CompactError> {
        let mut trace = Trace::new();
        let mut lost = 0u64;
        let mut has_info = false;
        let mut unknown = 0u64;
        let mut rank: Option<RankFacts> = None;
        let mut pairing = Pairing::default();
        while let Some((kind, at, payload)) = self.next_chunk_where(&want)? {
            let mut b = Bytes::new(payload);
            let Some(kind) = kind else {
                unknown += 1;
                continue;
            };
            match kind {
                ChunkKind::Rank => super::decode_rank(&mut b, rank.get_or_insert_default()),
                ChunkKind::Clock => super::decode_clock(&mut b, rank.get_or_insert_default()),
                ChunkKind::Events => pairing.read(&mut b, &mut trace),
                _ => read_chunk(kind, &mut b, &mut trace, &mut lost, &mut has_info),
            }
            .map_err(|e| e.at(at))?;
            if !b.is_empty() && kind != ChunkKind::Info {
                return Err(CompactError::damaged(format!(
                    "{kind:?} chunk has {} bytes past its end",
                    b.remaining()
                ))
                .at(at));
            }
        }
        if !has_info {
            trace.losses.dropped_events = lost;
        }
        // The writer paired nothing of its events chunks: what did not pair
        // is counted here.
        trace.losses.unmatched_exits += pairing.unmatched_exits;
        trace.losses.unclosed_enters += pairing.lanes.iter().map(PairedLane::unclosed).sum::<u64>();
        if unknown > 0 {
            *trace
                .repairs
                .not_drawn
                .entry("chunks of a kind this logprof does not know: the events of".to_owned())
                .or_default() += unknown;
        }
        trace.repairs.cut_at_end |= self.cut;
        // After the info chunk, which sets the metadata whole.
        if let Some(value) = rank.and_then(|r| serde_json::to_value(r).ok()) {
            trace.metadata.insert(RANK_METADATA.to_owned(), value);
        }
        // A file of events chunks holds each lane's calls in the order they
        // ended, whatever its header says.
        if self.flags & FLAG_STREAMED != 0 || !pairing.lanes.is_empty() {
            if in_order {
                put_in_order(&mut trace);
            } else {
                for lane in &mut trace.lanes {
                    lane.off_cpu.sort_by_key(|o| (o.start_ns, o.end_ns));
                }
            }
        }
        Ok(trace)
    }
}

fn lane_mut(trace: &mut Trace, lane: u32) -> Result<&mut Lane, CompactError> {
    let n = trace.lanes.len();
    trace.lanes.get_mut(lane as usize).ok_or_else(|| {
        CompactError::damaged(format!(
            "a chunk of lane {lane}, but only {n} lanes are declared before it"
        ))
    })
}

fn read_chunk(
    kind: ChunkKind,
    b: &mut Bytes<'_>,
    trace: &mut Trace,
    lost: &mut u64,
    has_info: &mut bool,
) -> Result<(), CompactError> {
    match kind {
        ChunkKind::Names => {
            let n = b.count("the names' count")?;
            trace.names.reserve(n);
            for _ in 0..n {
                trace.names.push(b.string("a name")?);
            }
        }
        ChunkKind::NameFlags => {
            let n = b.count("the flags' count")?;
            for _ in 0..n {
                let id = b.u32("a flagged name")?;
                let flags = b.varint("a name's flags")?;
                for bit in (0..64).map(|i| 1u64 << i).filter(|bit| flags & bit != 0) {
                    // A flag of a newer version: nothing to fill here.
                    if let Some(set) = name_set_mut(trace, bit) {
                        set.insert(id);
                    }
                }
            }
        }
        ChunkKind::Lane => {
            let pid = b.u32("a lane's pid")?;
            let tid = b.varint("a lane's tid")?;
            let name = b.string("a lane's thread name")?;
            let mut lane = Lane::new(pid, tid, name);
            lane.start_cpu = b.opt_u32("a lane's start CPU")?;
            trace.lanes.push(lane);
        }
        ChunkKind::Spans => {
            let lane = spans::lane_of(b)?;
            spans::decode_spans(b, &mut lane_mut(trace, lane)?.spans)?;
        }
        ChunkKind::Instants => {
            let lane = spans::lane_of(b)?;
            spans::decode_instants(b, &mut lane_mut(trace, lane)?.instants)?;
        }
        ChunkKind::OffCpu => {
            let lane = spans::lane_of(b)?;
            spans::decode_off_cpu(b, &mut lane_mut(trace, lane)?.off_cpu)?;
        }
        ChunkKind::Counter => {
            let pid = b.u32("a counter's pid")?;
            let name = b.string("a counter's name")?;
            trace.counters.push(CounterTrack {
                pid,
                name,
                samples: Vec::new(),
            });
        }
        ChunkKind::Samples => {
            let track = b.u32("a samples chunk's track")?;
            let n = trace.counters.len();
            let t = trace.counters.get_mut(track as usize).ok_or_else(|| {
                CompactError::damaged(format!(
                    "samples of counter {track}, but only {n} are declared before them"
                ))
            })?;
            spans::decode_samples(b, &mut t.samples)?;
        }
        ChunkKind::Lost => {
            let lane = b.u32("a lost chunk's lane")?;
            lane_mut(trace, lane)?;
            *lost = lost.saturating_add(b.varint("the events lost")?);
        }
        ChunkKind::Info => {
            info::decode_info(b, trace)?;
            *has_info = true;
        }
        // Read by `read_trace` itself.
        ChunkKind::Footer | ChunkKind::Rank | ChunkKind::Clock | ChunkKind::Events => {}
    }
    Ok(())
}

/// The events chunks of a whole read, paired lane by lane as they come.
#[derive(Default)]
struct Pairing {
    /// By lane number.
    lanes: Vec<PairedLane>,
    /// A chunk's counter samples, before they go to their tracks.
    samples: Vec<(NameId, u64, f64)>,
    /// (pid, counter name) -> its track in the trace.
    tracks: HashMap<(u32, NameId), usize>,
    unmatched_exits: u64,
}

impl Pairing {
    /// Pairs an events chunk's events into its lane's spans, instants and
    /// (on a track per process and counter name) counter samples.
    fn read(&mut self, b: &mut Bytes<'_>, trace: &mut Trace) -> Result<(), CompactError> {
        let lane = spans::lane_of(b)?;
        let names = trace.names.len();
        let l = lane_mut(trace, lane)?;
        let pid = l.pid;
        let i = lane as usize;
        if self.lanes.len() <= i {
            self.lanes.resize_with(i + 1, PairedLane::default);
        }
        let mut sink = IntoSpans {
            spans: &mut l.spans,
            instants: &mut l.instants,
            samples: &mut self.samples,
            unmatched_exits: &mut self.unmatched_exits,
        };
        self.lanes[i].feed(b, names, &mut sink)?;
        for (name, ns, value) in self.samples.drain(..) {
            let track = *self.tracks.entry((pid, name)).or_insert_with(|| {
                trace.counters.push(CounterTrack {
                    pid,
                    name: trace.names[name as usize].clone(),
                    samples: Vec::new(),
                });
                trace.counters.len() - 1
            });
            trace.counters[track].samples.push((ns, value));
        }
        Ok(())
    }
}

/// A streamed file holds lanes as threads first drained, and each lane's
/// spans as they closed: put them in the order a [`Trace`] promises.
fn put_in_order(trace: &mut Trace) {
    trace.normalize();
    for lane in &mut trace.lanes {
        lane.instants.sort_by_key(|i| i.ts_ns);
        lane.off_cpu.sort_by_key(|o| (o.start_ns, o.end_ns));
    }
    trace
        .counters
        .sort_by(|a, b| (a.pid, &a.name).cmp(&(b.pid, &b.name)));
    for c in &mut trace.counters {
        c.samples.sort_by_key(|&(ns, _)| ns);
    }
}

impl Trace {
    /// Reads an `.lpt` file (see [`crate::compact`]). A file cut off (a
    /// crash while streaming, a copy cut short) is read up to its last
    /// whole chunk, and [`Repairs::cut_at_end`](crate::Repairs::cut_at_end)
    /// says so; anything else wrong is an error naming the file, the byte
    /// and the problem.
    pub fn read_lpt(path: impl AsRef<Path>) -> Result<Trace, TraceFileError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| TraceFileError::cannot_read(path, e))?;
        Trace::read_lpt_from(io::BufReader::with_capacity(1 << 16, file))
            .map_err(|e| TraceFileError::new(path, e.to_string()))
    }

    /// Reads `.lpt` from `input`; [`Trace::read_lpt`] without the file.
    pub fn read_lpt_from(input: impl Read) -> Result<Trace, CompactError> {
        LptReader::new(input)?.read_trace()
    }
}
