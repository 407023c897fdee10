//! The stream's background writer: round after round, drain what every
//! thread wrote since the last round, decode it (calls still open wait for
//! their exit in a later round), and write it as chunks of the lane. At
//! the end, one last round, the off-CPU intervals, the trace-wide facts
//! and the footer.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use logprof_trace::compact::{name_flag, ClockMoment, LptWriter, FLAG_STREAMED};
use logprof_trace::ranks::RankFacts;

use super::rank::{self, MessageKeys};
use super::{StreamError, StreamStats};
use crate::callsite::Registered;
use crate::clock::Calibration;
use crate::event_words::{Decoded, Decoder};
use crate::recorder::draining::{new_lanes, LaneCursor};
use crate::{InstantEvent, Lane, Losses, NameId, Span, Trace};

/// How long the writer sleeps when a round found the rings nearly empty.
const IDLE_POLL: Duration = Duration::from_micros(500);

/// A round that drained more than this share of a ring goes straight on
/// to the next.
const BUSY_SHARE: usize = 16;

pub(super) fn open(path: &Path) -> Result<LptWriter<File>, StreamError> {
    let io = |what| {
        move |source| StreamError::File {
            path: path.to_path_buf(),
            what,
            source,
        }
    };
    let file = File::create(path).map_err(io("cannot create the stream file"))?;
    LptWriter::new(file, FLAG_STREAMED).map_err(io("cannot write the stream file"))
}

/// One thread as the writer follows it.
struct LaneState {
    cursor: LaneCursor,
    /// Its number in the file, once declared.
    lane: Option<u32>,
    decoder: Decoder,
    /// Events drained and not yet decoded, from `skip` on.
    events: Vec<(u64, u64)>,
    skip: usize,
    lost: u64,
    /// Calls left open by a restart (a `clear` while streaming).
    unclosed: u64,
}

/// Everything the writer keeps between rounds.
struct Writer {
    w: LptWriter<File>,
    path: PathBuf,
    pid: u32,
    lanes: Vec<LaneState>,
    /// The keys of the threads in `lanes`.
    known: HashSet<usize>,
    /// Call-site id -> file name id, as first met.
    site_names: Vec<Option<NameId>>,
    /// Names written so far, so two call sites of one name share it.
    names: HashMap<&'static str, NameId>,
    /// Counter name -> its track in the file.
    tracks: HashMap<&'static str, u32>,
    decoded: Decoded,
    spans: Vec<Span>,
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

pub(super) fn run(
    w: LptWriter<File>,
    path: PathBuf,
    stop: &AtomicBool,
) -> Result<StreamStats, StreamError> {
    let mut writer = Writer {
        w,
        path,
        pid: std::process::id(),
        lanes: Vec::new(),
        known: HashSet::new(),
        site_names: Vec::new(),
        names: HashMap::new(),
        tracks: HashMap::new(),
        decoded: Decoded::default(),
        spans: Vec::new(),
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

    /// Drains every ring, then writes what was drained; returns the most
    /// events one ring gave.
    fn round(&mut self) -> std::io::Result<usize> {
        self.write_rank()?;
        for cursor in new_lanes(|key| self.known.contains(&key)) {
            self.known.insert(cursor.key());
            self.lanes.push(LaneState {
                cursor,
                lane: None,
                decoder: Decoder::default(),
                events: Vec::new(),
                skip: 0,
                lost: 0,
                unclosed: 0,
            });
        }
        let mut busiest = 0;
        for lane in &mut self.lanes {
            // Each round decodes everything the last one drained.
            lane.events.clear();
            let drained = lane.cursor.drain(&mut lane.events);
            lane.skip = drained.torn;
            if drained.restarted {
                lane.unclosed += lane.decoder.break_off();
            } else if drained.lost > 0 {
                // The events after the gap do not follow the one before it.
                lane.decoder.gap();
            }
            lane.lost += drained.lost;
            busiest = busiest.max(lane.events.len() - lane.skip);
            if drained.lost > 0 {
                let n = declare(&mut self.w, self.pid, lane)?;
                self.w.lost(n, drained.lost)?;
            }
        }
        // After the events: every call-site id in them has its name.
        let registered = crate::callsite::registered();
        let calibration = Calibration::measure();
        for i in 0..self.lanes.len() {
            if self.lanes[i].events.len() == self.lanes[i].skip {
                continue;
            }
            self.write_lane(i, &registered, &calibration)?;
        }
        Ok(busiest)
    }

    /// Decodes and writes what lane `i` drained.
    fn write_lane(
        &mut self,
        i: usize,
        registered: &Registered,
        calibration: &Calibration,
    ) -> std::io::Result<()> {
        let sites = &registered.names[..];
        let lane = &mut self.lanes[i];
        let n = declare(&mut self.w, self.pid, lane)?;
        let events = &lane.events[lane.skip..];
        self.events += events.len() as u64;
        let mut decoded = std::mem::take(&mut self.decoded);
        decoded.spans.clear();
        decoded.instants.clear();
        decoded.samples.clear();
        let shift = self.shift_ns;
        lane.decoder.feed(
            &lane.events,
            sites.len(),
            |t| calibration.ns(t).saturating_add_signed(shift),
            &mut decoded,
        );
        lane.events.clear();
        self.unmatched_exits += decoded.unmatched_exits;
        decoded.unmatched_exits = 0;
        self.spans.clear();
        let (mut lo, mut hi) = self.time_range.unwrap_or((u64::MAX, 0));
        for s in &decoded.spans {
            lo = lo.min(s.start_ns);
            hi = hi.max(s.end_ns);
            let name = self.name(s.id, registered)?;
            let mut span = Span::new(name, s.start_ns, s.end_ns, s.depth);
            span.task = (s.task != 0).then_some(s.task.into());
            span.value = s.value;
            span.result = s.result;
            if let Some(keys) = self.message_keys {
                keys(sites[s.id as usize - 1], &mut span);
            }
            self.spans.push(span);
        }
        if lo <= hi {
            self.time_range = Some((lo, hi));
        }
        self.w.spans(n, &self.spans)?;
        if !decoded.instants.is_empty() {
            let mut instants = Vec::with_capacity(decoded.instants.len());
            for &(id, ts_ns) in &decoded.instants {
                let name = self.name(id, registered)?;
                instants.push(InstantEvent { name, ts_ns });
            }
            self.w.instants(n, &instants)?;
        }
        // One chunk per counter per round, its samples in time order.
        let mut by_track: Vec<(u32, Vec<(u64, f64)>)> = Vec::new();
        for &(id, ns, value) in &decoded.samples {
            let name = sites[id as usize - 1];
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
        for (track, samples) in &by_track {
            self.w.samples(*track, samples)?;
        }
        self.decoded = decoded;
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

    /// The file's name id of call site `id`, writing the name (and its
    /// region or wait flag) the first time it is met.
    #[inline]
    fn name(&mut self, id: u32, registered: &Registered) -> std::io::Result<NameId> {
        let i = id as usize;
        if self.site_names.len() <= i {
            self.site_names.resize(i + 1, None);
        }
        if let Some(n) = self.site_names[i] {
            return Ok(n);
        }
        let text = registered.names[i - 1];
        let n = match self.names.get(text) {
            Some(&n) => n,
            None => {
                let n = self.w.name_count() as NameId;
                self.w.names(&[text])?;
                self.names.insert(text, n);
                n
            }
        };
        let flags = [
            (&registered.regions, name_flag::REGION),
            (&registered.waits, name_flag::WAIT),
        ]
        .iter()
        .filter(|(sites, _)| sites.binary_search(&id).is_ok())
        .fold(0, |f, (_, bit)| f | bit);
        if flags != 0 {
            self.w.name_flags(&[(n, flags)])?;
        }
        self.site_names[i] = Some(n);
        Ok(n)
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
fn declare(w: &mut LptWriter<File>, pid: u32, lane: &mut LaneState) -> std::io::Result<u32> {
    if let Some(n) = lane.lane {
        return Ok(n);
    }
    let n = w.lane(pid, lane.cursor.tid(), lane.cursor.thread_name(), None)?;
    lane.lane = Some(n);
    Ok(n)
}
