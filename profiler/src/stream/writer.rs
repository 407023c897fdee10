//! The stream's background writer: round after round, drain what every
//! thread wrote since the last round, a few thousand events at a time,
//! decode them (calls still open wait for their exit in a later round) and
//! encode them straight into chunks of the lane (`encode.rs`). At the end,
//! one last round, the off-CPU intervals, the trace-wide facts and the
//! footer.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use logprof_trace::compact::{ClockMoment, EventsBatch, LptWriter, FLAG_STREAMED};
use logprof_trace::ranks::RankFacts;
use logprof_trace::raw_events::kind;

use super::encode::{encode_events, LaneChunks, Names};
use super::rank::{self, MessageKeys};
use super::{StreamError, StreamStats};
use crate::callsite::{registered, registered_count, Registered};
use crate::clock::Calibration;
use crate::recorder::draining::{new_lanes, LaneCursor};
use crate::{Lane, Losses, Span, Trace};
use logprof_trace::raw_events::Decoder;

/// How long the writer sleeps when a round found the rings nearly empty.
const IDLE_POLL: Duration = Duration::from_micros(500);

/// A round that drained more than this share of a ring goes straight on
/// to the next.
const BUSY_SHARE: usize = 16;

/// Events drained at a time: 32 KiB, so the copy is still in the cache
/// when it is decoded (a whole ring of 16 MiB copied at once was not).
const BLOCK: usize = 2048;

/// Spans in a chunk, at most: about 32 KiB of it.
const SPANS_PER_CHUNK: usize = 16_384;

/// Events in an events chunk, at most: about 64 KiB of it.
const EVENTS_PER_CHUNK: usize = 32_768;

/// The file is written through a buffer of this size, pushed to the file
/// at the end of every round: one `write(2)` a round rather than two a
/// chunk, and still a file that reads up to its last round.
const FILE_BUFFER: usize = 1 << 20;

/// The stream's file, buffered.
type Out = LptWriter<BufWriter<File>>;

pub(super) fn open(path: &Path) -> Result<Out, StreamError> {
    let io = |what| {
        move |source| StreamError::File {
            path: path.to_path_buf(),
            what,
            source,
        }
    };
    let file = File::create(path).map_err(io("cannot create the stream file"))?;
    let mut w = LptWriter::new(BufWriter::with_capacity(FILE_BUFFER, file), FLAG_STREAMED)
        .map_err(io("cannot write the stream file"))?;
    w.flush().map_err(io("cannot write the stream file"))?;
    Ok(w)
}

/// One thread as the writer follows it.
struct LaneState {
    cursor: LaneCursor,
    /// Its number in the file, once declared.
    lane: Option<u32>,
    /// Its events as drained, not yet written (a process that is not an
    /// MPI rank: the readers pair them).
    events: EventsBatch,
    /// On an MPI rank, whose spans may carry message ends: its events
    /// paired here, and what was paired and not yet written.
    decoder: Decoder,
    chunks: LaneChunks,
    lost: u64,
    /// Calls left open by a restart (a `clear` while streaming).
    unclosed: u64,
}

/// Everything the writer keeps between rounds.
struct Writer {
    w: Out,
    path: PathBuf,
    pid: u32,
    lanes: Vec<LaneState>,
    /// The keys of the threads in `lanes`.
    known: HashSet<usize>,
    names: Names,
    /// The call sites, as last copied: again when more are registered.
    registered: Registered,
    /// Counter name -> its track in the file.
    tracks: HashMap<&'static str, u32>,
    /// The block of events being decoded, reused.
    block: Vec<(u64, u64)>,
    events: u64,
    unmatched_exits: u64,
    /// The earliest and latest time written, for the off-CPU intervals.
    time_range: Option<(u64, u64)>,
    busy: Duration,
    /// The rank facts last written (`rank.rs`).
    rank: Option<RankFacts>,
    /// Added to every time: `LOGPROF_RANK_CLOCK_SHIFT` on this rank.
    shift_ns: i64,
    message_keys: Option<MessageKeys>,
}

pub(super) fn run(w: Out, path: PathBuf, stop: &AtomicBool) -> Result<StreamStats, StreamError> {
    let mut writer = Writer {
        w,
        path,
        pid: std::process::id(),
        lanes: Vec::new(),
        known: HashSet::new(),
        names: Names::default(),
        registered: registered(),
        tracks: HashMap::new(),
        block: Vec::with_capacity(BLOCK),
        events: 0,
        unmatched_exits: 0,
        time_range: None,
        busy: Duration::ZERO,
        rank: None,
        shift_ns: 0,
        message_keys: None,
    };
    loop {
        // Read before the round: a stop seen here still gets its round.
        let stopping = stop.load(Ordering::Acquire);
        let began = std::time::Instant::now();
        let busiest = writer.round().map_err(|e| writer.error(e))?;
        writer.busy += began.elapsed();
        if stopping {
            break;
        }
        let capacity = crate::recorder::draining::capacity();
        if busiest < capacity / BUSY_SHARE {
            std::thread::park_timeout(IDLE_POLL);
        }
    }
    writer.finish()
}

impl Writer {
    fn error(&self, source: std::io::Error) -> StreamError {
        StreamError::File {
            path: self.path.clone(),
            what: "cannot write the stream file",
            source,
        }
    }

    /// Drains, decodes and writes every ring, then pushes the round to the
    /// file; returns the most events one ring gave.
    fn round(&mut self) -> std::io::Result<usize> {
        let keys = self.message_keys;
        self.write_rank()?;
        if keys.is_some() != self.message_keys.is_some() {
            self.switch_path(keys)?;
        }
        for cursor in new_lanes(|key| self.known.contains(&key)) {
            self.known.insert(cursor.key());
            self.lanes.push(LaneState {
                cursor,
                lane: None,
                events: EventsBatch::new(),
                decoder: Decoder::default(),
                chunks: LaneChunks::new(),
                lost: 0,
                unclosed: 0,
            });
        }
        let calibration = Calibration::measure();
        // At most a ring's worth from each lane a round, so a thread that
        // records faster than the writer decodes cannot keep it from the
        // others.
        let budget = crate::recorder::draining::capacity();
        let mut busiest = 0;
        for i in 0..self.lanes.len() {
            busiest = busiest.max(self.drain_lane(i, &calibration, budget)?);
            self.write_lane(i)?;
        }
        self.w.flush()?;
        Ok(busiest)
    }

    /// Drains lane `i` block by block, decoding each into its chunks and
    /// writing a spans chunk whenever one is full; returns the events
    /// drained.
    fn drain_lane(
        &mut self,
        i: usize,
        calibration: &Calibration,
        budget: usize,
    ) -> std::io::Result<usize> {
        let (mut taken, mut copied) = (0, 0);
        loop {
            let lane = &mut self.lanes[i];
            self.block.clear();
            let drained = lane.cursor.drain(&mut self.block, BLOCK);
            copied += self.block.len();
            if drained.restarted || drained.lost > 0 {
                // The events that follow are not the sequel of those before:
                // a new recording, or some lost between. A call open before
                // a loss may have lost its exit; kept open, every later call
                // would be put inside it, so it is dropped and counted, as
                // its exit will be if it comes (by the readers, for events
                // chunks).
                if self.message_keys.is_some() {
                    lane.unclosed += lane.decoder.break_off();
                } else {
                    lane.events.push_break();
                }
            }
            lane.lost += drained.lost;
            if drained.lost > 0 {
                let n = declare(&mut self.w, self.pid, lane)?;
                self.w.lost(n, drained.lost)?;
            }
            let events = &self.block[drained.torn..];
            if !events.is_empty() {
                // Every call-site id in the events has its name now: a new
                // copy of the table if sites were registered since the last.
                if registered_count() > self.registered.names.len() {
                    self.registered = registered();
                }
                taken += events.len();
                self.events += events.len() as u64;
                let shift = self.shift_ns;
                let to_ns = |t| calibration.ns(t).saturating_add_signed(shift);
                if self.message_keys.is_none() {
                    let max_id = self.registered.names.len();
                    let (names, registered) = (&mut self.names, &self.registered);
                    encode_events(events, max_id, to_ns, names, registered, &mut lane.events);
                    if lane.events.len() >= EVENTS_PER_CHUNK {
                        self.write_events(i)?;
                    }
                    if !drained.more || copied >= budget {
                        return Ok(taken);
                    }
                    continue;
                }
                let mut sink =
                    lane.chunks
                        .sink(&mut self.names, &self.registered, self.message_keys);
                lane.decoder
                    .feed_plain(events, self.registered.names.len(), to_ns, &mut sink);
                for (site, task, ns) in lane.chunks.forwarded.drain(..) {
                    let name = self.names.id(site, &self.registered);
                    lane.events.push_timed(kind::EXIT, Some(name), task, ns);
                }
                if lane.chunks.spans.len() >= SPANS_PER_CHUNK {
                    self.write_spans(i)?;
                }
            }
            if !drained.more || copied >= budget {
                return Ok(taken);
            }
        }
    }

    /// Writes lane `i`'s events chunk, if it has events.
    fn write_events(&mut self, i: usize) -> std::io::Result<()> {
        let lane = &mut self.lanes[i];
        if lane.events.is_empty() {
            return Ok(());
        }
        let n = declare(&mut self.w, self.pid, lane)?;
        self.names.write(&mut self.w)?;
        let (first, last) = lane.events.times();
        if (first, last) != (0, 0) {
            let (lo, hi) = self.time_range.unwrap_or((u64::MAX, 0));
            self.time_range = Some((lo.min(first), hi.max(last)));
        }
        self.w.write_events(n, &mut lane.events)
    }

    /// The process became an MPI rank (its spans may now carry message
    /// ends, so they are paired here) or stopped being one: what each
    /// lane holds on the path it leaves is written. A call open across the
    /// switch to spans closes in the events chunks: the writer's decoder
    /// has not its enter, so it sends the exit there (without its
    /// result). One open across a switch back is counted as unclosed (its
    /// exit, as unmatched).
    /// `keys`: the message keys before the switch.
    fn switch_path(&mut self, keys: Option<MessageKeys>) -> std::io::Result<()> {
        for i in 0..self.lanes.len() {
            self.write_events(i)?;
            let lane = &mut self.lanes[i];
            lane.chunks.forward_unmatched |= lane.events.ever_pushed();
            lane.chunks
                .release_held(&mut self.names, &self.registered, keys);
            lane.unclosed += lane.decoder.break_off();
            self.write_spans(i)?;
        }
        Ok(())
    }

    /// Writes lane `i`'s spans chunk, if it has spans.
    fn write_spans(&mut self, i: usize) -> std::io::Result<()> {
        let lane = &mut self.lanes[i];
        if lane.chunks.spans.is_empty() {
            return Ok(());
        }
        let n = declare(&mut self.w, self.pid, lane)?;
        self.names.write(&mut self.w)?;
        let (first, last) = lane.chunks.spans.times();
        let (lo, hi) = self.time_range.unwrap_or((u64::MAX, 0));
        self.time_range = Some((lo.min(first), hi.max(last)));
        self.w.write_spans(n, &mut lane.chunks.spans)
    }

    /// Writes what lane `i` decoded and has not written: spans, instants,
    /// counter samples.
    fn write_lane(&mut self, i: usize) -> std::io::Result<()> {
        self.write_events(i)?;
        self.write_spans(i)?;
        let lane = &mut self.lanes[i];
        self.unmatched_exits += std::mem::take(&mut lane.chunks.unmatched_exits);
        if lane.chunks.instants.is_empty() && lane.chunks.samples.is_empty() {
            return Ok(());
        }
        let n = declare(&mut self.w, self.pid, lane)?;
        self.names.write(&mut self.w)?;
        if !lane.chunks.instants.is_empty() {
            self.w.instants(n, &lane.chunks.instants)?;
            lane.chunks.instants.clear();
        }
        // One chunk per counter per round, its samples in time order.
        let mut by_track: Vec<(u32, Vec<(u64, f64)>)> = Vec::new();
        for &(id, ns, value) in &lane.chunks.samples {
            let name = self.registered.names[id as usize - 1];
            let track = match self.tracks.get(name) {
                Some(&t) => t,
                None => {
                    let t = self.w.counter(self.pid, name)?;
                    self.tracks.insert(name, t);
                    t
                }
            };
            match by_track.iter_mut().find(|(t, _)| *t == track) {
                Some((_, samples)) => samples.push((ns, value)),
                None => by_track.push((track, vec![(ns, value)])),
            }
        }
        lane.chunks.samples.clear();
        for (track, samples) in &by_track {
            self.w.samples(*track, samples)?;
        }
        Ok(())
    }

    /// Writes what `logprof::ranks` says of this rank when it is new: the
    /// `rank` chunk (again when it changed: a later one replaces it), and
    /// the shift and message keys to apply from now on.
    fn write_rank(&mut self) -> std::io::Result<()> {
        let (facts, shift, keys) = rank::current();
        self.shift_ns = shift;
        self.message_keys = keys;
        let Some(facts) = facts else {
            return Ok(());
        };
        let bare = RankFacts {
            clock_start: None,
            clock_end: None,
            ..facts
        };
        if self.rank.as_ref() != Some(&bare) {
            self.w.rank(&bare)?;
            self.rank = Some(bare);
        }
        Ok(())
    }

    /// The last of the file: lanes kept without events, the off-CPU
    /// intervals, the trace-wide facts, the footer.
    fn finish(self) -> Result<StreamStats, StreamError> {
        let path = self.path.clone();
        self.finish_io().map_err(|source| StreamError::File {
            path,
            what: "cannot write the stream file",
            source,
        })
    }

    fn finish_io(mut self) -> std::io::Result<StreamStats> {
        // The spans held back for a result that can no longer come.
        for i in 0..self.lanes.len() {
            let lane = &mut self.lanes[i];
            lane.chunks
                .release_held(&mut self.names, &self.registered, self.message_keys);
            self.write_spans(i)?;
            self.write_events(i)?;
        }
        for lane in &mut self.lanes {
            if lane.lane.is_none() && lane.cursor.keeps_lane() {
                declare(&mut self.w, self.pid, lane)?;
            }
        }
        // The rank's clock samples, measured as the ranks end their streams.
        self.write_rank()?;
        let (facts, _, _) = rank::current();
        let clocks = facts.map(|f| {
            [
                (ClockMoment::Start, f.clock_start),
                (ClockMoment::End, f.clock_end),
            ]
        });
        for (moment, sample) in clocks.into_iter().flatten() {
            if let Some(sample) = sample {
                self.w.clock(moment, &sample)?;
            }
        }
        // Off-CPU intervals, as `collect` attaches them: over the time the
        // file's spans cover (on the unshifted clock of the switches).
        let mut off = Trace::new();
        for lane in self.lanes.iter().filter(|l| l.lane.is_some()) {
            off.lanes.push(Lane::new(self.pid, lane.cursor.tid(), ""));
        }
        let unshift = |t: u64| t.saturating_add_signed(-self.shift_ns);
        if let (Some((lo, hi)), Some(first)) = (self.time_range, off.lanes.first_mut()) {
            first.spans.push(Span::new(0, unshift(lo), unshift(hi), 0));
        }
        crate::offcpu::attach(
            &mut off,
            self.lanes
                .iter()
                .filter(|l| l.lane.is_some())
                .map(|l| (l.cursor.tid(), l.cursor.switches())),
        );
        for (lane, intervals) in self.lanes.iter().filter_map(|l| l.lane).zip(&mut off.lanes) {
            for o in &mut intervals.off_cpu {
                o.start_ns = o.start_ns.saturating_add_signed(self.shift_ns);
                o.end_ns = o.end_ns.saturating_add_signed(self.shift_ns);
            }
            self.w.off_cpu(lane, &intervals.off_cpu)?;
        }
        let lost: u64 = self.lanes.iter().map(|l| l.lost).sum();
        let facts = Trace {
            losses: Losses {
                overwritten_events: 0,
                unmatched_exits: self.unmatched_exits,
                unclosed_enters: self
                    .lanes
                    .iter()
                    .map(|l| l.unclosed + l.decoder.open_count())
                    .sum(),
                dropped_events: lost,
            },
            off_cpu: off.off_cpu.clone(),
            cores: std::thread::available_parallelism()
                .ok()
                .map(|n| n.get() as u32),
            ..Trace::default()
        };
        let lanes = self.lanes.iter().filter(|l| l.lane.is_some()).count() as u64;
        let lost_by_lane = self
            .lanes
            .iter()
            .filter(|l| l.lost > 0)
            .map(|l| (l.cursor.tid(), l.lost))
            .collect();
        let (_, bytes) = self.w.finish(&facts)?;
        Ok(StreamStats {
            events: self.events,
            lost,
            bytes,
            lost_by_lane,
            lanes,
            writer_busy: self.busy,
            writer_cpu: thread_cpu_time(),
            path: self.path,
        })
    }
}

/// The CPU time the calling thread has used.
#[cfg(target_os = "linux")]
fn thread_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a valid, writable `rusage` for the call to fill;
    // RUSAGE_THREAD asks for the calling thread only.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    // SAFETY: zero-initialised, and filled by the successful call above.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu_time() -> Duration {
    Duration::ZERO
}

/// Declares `lane` in the file if it is not yet; returns its number.
fn declare(w: &mut Out, pid: u32, lane: &mut LaneState) -> std::io::Result<u32> {
    if let Some(n) = lane.lane {
        return Ok(n);
    }
    let n = w.lane(pid, lane.cursor.tid(), lane.cursor.thread_name(), None)?;
    lane.lane = Some(n);
    Ok(n)
}
