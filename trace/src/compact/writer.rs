//! Writing `.lpt` chunk by chunk ([`LptWriter`]): the whole of a [`Trace`]
//! at once ([`Trace::write_lpt`]), or a recording as it drains (the
//! `logprof` crate's streaming writer calls the same methods).

use std::io::{self, Write};
use std::path::Path;

use super::chunk::{self, ChunkEntry, ChunkKind, CODEC_NONE, FRAME_LEN};
use super::events::EventsBatch;
use super::spans::SpanBatch;
use super::ClockMoment;
use super::{info, spans, varint, CompactError, END_MAGIC, MAGIC, VERSION};
use crate::chrome::TraceFileError;
use crate::offcpu::OffCpu;
use crate::ranks::{ClockSample, RankFacts};
use crate::trace::{InstantEvent, NameId, Span, Trace};

/// Spans (or instants, intervals, samples) per chunk when a whole trace is
/// written: about 64 KiB of payload, small enough that a reader holds one
/// chunk at a time, large enough that frames cost nothing.
const ITEMS_PER_CHUNK: usize = 16_384;

/// Writes an `.lpt` file chunk by chunk into `out`, which it does not
/// buffer: each chunk goes out in two `write_all`s, so a process that dies
/// leaves whole chunks and at most one part of one.
///
/// Names, lanes and counter tracks are numbered in the order they are
/// given; a chunk refers to them by number, so each must be given before
/// the chunks that use it. [`LptWriter::finish`] writes the trace-wide
/// facts and the footer.
pub struct LptWriter<W: Write> {
    out: W,
    /// Bytes written so far: the offset of the next chunk.
    offset: u64,
    index: Vec<ChunkEntry>,
    names: u64,
    lanes: u32,
    tracks: u32,
    /// The payload being built, reused.
    buf: Vec<u8>,
}

impl<W: Write> LptWriter<W> {
    /// Starts a file: writes the header. `flags`: [`super::FLAG_STREAMED`]
    /// for a file written while recording.
    pub fn new(mut out: W, flags: u16) -> io::Result<LptWriter<W>> {
        let mut header = [0u8; super::HEADER_LEN];
        header[..8].copy_from_slice(&MAGIC);
        header[8..10].copy_from_slice(&VERSION.to_le_bytes());
        header[10..12].copy_from_slice(&flags.to_le_bytes());
        out.write_all(&header)?;
        Ok(LptWriter {
            out,
            offset: header.len() as u64,
            index: Vec::new(),
            names: 0,
            lanes: 0,
            tracks: 0,
            buf: Vec::with_capacity(1 << 17),
        })
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.offset
    }

    /// Names given so far: the id the next name gets.
    pub fn name_count(&self) -> u64 {
        self.names
    }

    /// Writes the chunk whose payload is in `self.buf`.
    fn chunk(&mut self, kind: ChunkKind, lane: Option<u32>, times: (u64, u64)) -> io::Result<()> {
        let len =
            u32::try_from(self.buf.len()).map_err(|_| io::Error::other("a chunk past 4 GiB"))?;
        let frame = chunk::frame(kind, CODEC_NONE, len, len);
        self.out.write_all(&frame)?;
        self.out.write_all(&self.buf)?;
        self.index.push(ChunkEntry {
            offset: self.offset,
            kind,
            lane,
            first_ns: times.0,
            last_ns: times.1,
        });
        self.offset += (FRAME_LEN + self.buf.len()) as u64;
        self.buf.clear();
        Ok(())
    }

    /// Appends `names` to the names table: the first gets id
    /// [`LptWriter::name_count`], the next one more, and so on.
    pub fn names<S: AsRef<str>>(&mut self, names: &[S]) -> io::Result<()> {
        for part in names.chunks(ITEMS_PER_CHUNK) {
            varint::put(&mut self.buf, part.len() as u64);
            for n in part {
                varint::put_str(&mut self.buf, n.as_ref());
            }
            self.names += part.len() as u64;
            self.chunk(ChunkKind::Names, None, (0, 0))?;
        }
        Ok(())
    }

    /// Sets flags on names (bits of [`super::name_flag`]); flags add up.
    pub fn name_flags(&mut self, flags: &[(NameId, u64)]) -> io::Result<()> {
        if flags.is_empty() {
            return Ok(());
        }
        varint::put(&mut self.buf, flags.len() as u64);
        for &(id, f) in flags {
            varint::put(&mut self.buf, id.into());
            varint::put(&mut self.buf, f);
        }
        self.chunk(ChunkKind::NameFlags, None, (0, 0))
    }

    /// Declares a lane; returns its number.
    pub fn lane(
        &mut self,
        pid: u32,
        tid: u64,
        thread_name: &str,
        start_cpu: Option<u32>,
    ) -> io::Result<u32> {
        varint::put(&mut self.buf, pid.into());
        varint::put(&mut self.buf, tid);
        varint::put_str(&mut self.buf, thread_name);
        varint::put_opt_u32(&mut self.buf, start_cpu);
        let lane = self.lanes;
        self.lanes += 1;
        self.chunk(ChunkKind::Lane, Some(lane), (0, 0))?;
        Ok(lane)
    }

    /// Writes spans of `lane`, in any order (a streamed file's reader sorts).
    pub fn spans(&mut self, lane: u32, spans: &[Span]) -> io::Result<()> {
        for part in spans.chunks(ITEMS_PER_CHUNK) {
            let times = spans::encode_spans(&mut self.buf, lane, part);
            self.chunk(ChunkKind::Spans, Some(lane), times)?;
        }
        Ok(())
    }

    /// Writes the spans of `batch` as one chunk of `lane`, and empties it
    /// for the next; nothing if it is empty. A batch past [`u32::MAX`]
    /// bytes is an error: write it before then (a streaming writer writes
    /// a batch every few thousand spans).
    pub fn write_spans(&mut self, lane: u32, batch: &mut SpanBatch) -> io::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let head = [batch.count];
        let written = self.body_chunk(ChunkKind::Spans, lane, &head, &batch.body, batch.times());
        batch.clear();
        written
    }

    /// Writes a chunk of `lane` whose payload is the lane, the varints
    /// `fields` and `body`: the frame, lane and fields in one write (built
    /// in `self.buf`), the body in another, not copied.
    fn body_chunk(
        &mut self,
        kind: ChunkKind,
        lane: u32,
        fields: &[u64],
        body: &[u8],
        (first_ns, last_ns): (u64, u64),
    ) -> io::Result<()> {
        let mut head = std::mem::take(&mut self.buf);
        head.resize(FRAME_LEN, 0);
        varint::put(&mut head, lane.into());
        for &field in fields {
            varint::put(&mut head, field);
        }
        let len = u32::try_from(head.len() - FRAME_LEN + body.len())
            .map_err(|_| io::Error::other("a chunk past 4 GiB"));
        let written = len.and_then(|len| {
            head[..FRAME_LEN].copy_from_slice(&chunk::frame(kind, CODEC_NONE, len, len));
            self.out.write_all(&head)?;
            self.out.write_all(body)?;
            Ok(len)
        });
        head.clear();
        self.buf = head;
        let len = written?;
        self.index.push(ChunkEntry {
            offset: self.offset,
            kind,
            lane: Some(lane),
            first_ns,
            last_ns,
        });
        self.offset += FRAME_LEN as u64 + u64::from(len);
        Ok(())
    }

    /// Writes the events of `batch` as one events chunk of `lane`, and
    /// empties it for the next; nothing if it is empty. As
    /// [`LptWriter::write_spans`], a batch past [`u32::MAX`] bytes is an
    /// error.
    pub fn write_events(&mut self, lane: u32, batch: &mut EventsBatch) -> io::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let head = [batch.count, batch.base_ns];
        let written = self.body_chunk(ChunkKind::Events, lane, &head, &batch.body, batch.times());
        batch.clear();
        written
    }

    /// Writes instants of `lane`.
    pub fn instants(&mut self, lane: u32, instants: &[InstantEvent]) -> io::Result<()> {
        for part in instants.chunks(ITEMS_PER_CHUNK) {
            let times = spans::encode_instants(&mut self.buf, lane, part);
            self.chunk(ChunkKind::Instants, Some(lane), times)?;
        }
        Ok(())
    }

    /// Writes off-CPU intervals of `lane`.
    pub fn off_cpu(&mut self, lane: u32, off: &[OffCpu]) -> io::Result<()> {
        for part in off.chunks(ITEMS_PER_CHUNK) {
            let times = spans::encode_off_cpu(&mut self.buf, lane, part);
            self.chunk(ChunkKind::OffCpu, Some(lane), times)?;
        }
        Ok(())
    }

    /// Declares a counter track; returns its number.
    pub fn counter(&mut self, pid: u32, name: &str) -> io::Result<u32> {
        varint::put(&mut self.buf, pid.into());
        varint::put_str(&mut self.buf, name);
        let track = self.tracks;
        self.tracks += 1;
        self.chunk(ChunkKind::Counter, Some(track), (0, 0))?;
        Ok(track)
    }

    /// Writes samples of counter track `track`.
    pub fn samples(&mut self, track: u32, samples: &[(u64, f64)]) -> io::Result<()> {
        for part in samples.chunks(ITEMS_PER_CHUNK) {
            let times = spans::encode_samples(&mut self.buf, track, part);
            self.chunk(ChunkKind::Samples, Some(track), times)?;
        }
        Ok(())
    }

    /// Records that `events` events of `lane` were lost (a streaming writer
    /// fell behind); a reader adds them up into
    /// [`Losses::dropped_events`](crate::Losses::dropped_events) when the
    /// file has no `info` chunk (it was cut off).
    pub fn lost(&mut self, lane: u32, events: u64) -> io::Result<()> {
        varint::put(&mut self.buf, lane.into());
        varint::put(&mut self.buf, events);
        self.chunk(ChunkKind::Lost, Some(lane), (0, 0))
    }

    /// Says which rank of an MPI run wrote the file ([`RankFacts`]: rank,
    /// number of ranks, host, CPUs; its clock samples go in
    /// [`LptWriter::clock`]). Written once, before the events, so that a
    /// file cut off still names its rank.
    pub fn rank(&mut self, facts: &RankFacts) -> io::Result<()> {
        super::rank::encode_rank(&mut self.buf, facts);
        self.chunk(ChunkKind::Rank, None, (0, 0))
    }

    /// Writes one sample of the rank's clock offset to rank 0's.
    pub fn clock(&mut self, moment: ClockMoment, sample: &ClockSample) -> io::Result<()> {
        super::rank::encode_clock(&mut self.buf, moment, sample);
        self.chunk(ChunkKind::Clock, None, (0, 0))
    }

    /// Pushes what was written to the file (`Write::flush`).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Ends the file: the trace-wide facts of `facts` (its process names,
    /// metadata, losses, repairs, off-CPU status and cores; its lanes,
    /// names and counters are not read), the footer and the trailer.
    /// Returns the output and the bytes written.
    pub fn finish(mut self, facts: &Trace) -> io::Result<(W, u64)> {
        info::encode_info(&mut self.buf, facts);
        self.chunk(ChunkKind::Info, None, (0, 0))?;
        let footer_at = self.offset;
        self.buf = chunk::encode_footer(&self.index);
        let len =
            u32::try_from(self.buf.len()).map_err(|_| io::Error::other("a footer past 4 GiB"))?;
        self.out
            .write_all(&chunk::frame(ChunkKind::Footer, CODEC_NONE, len, len))?;
        self.out.write_all(&self.buf)?;
        let mut trailer = [0u8; chunk::TRAILER_LEN];
        trailer[..8].copy_from_slice(&footer_at.to_le_bytes());
        trailer[8..].copy_from_slice(&END_MAGIC);
        self.out.write_all(&trailer)?;
        self.out.flush()?;
        let total = footer_at + (FRAME_LEN + self.buf.len() + trailer.len()) as u64;
        Ok((self.out, total))
    }
}

impl Trace {
    /// Writes the trace to `path` in logprof's compact format (`.lpt`, see
    /// [`crate::compact`]), atomically: a failure leaves any file at `path`
    /// as it was.
    pub fn write_lpt(&self, path: impl AsRef<Path>) -> Result<(), TraceFileError> {
        let path = path.as_ref();
        crate::write_atomically(path, |out| {
            self.write_lpt_to(io::BufWriter::with_capacity(1 << 16, out))
        })
        .map_err(|e| TraceFileError::cannot_write(path, e))
    }

    /// Writes the trace in the compact format to `out`.
    pub fn write_lpt_to(&self, out: impl Write) -> io::Result<()> {
        let mut w = LptWriter::new(out, 0)?;
        w.names(&self.names)?;
        let mut flags: std::collections::BTreeMap<NameId, u64> = Default::default();
        for (bit, set) in super::name_sets(self) {
            for &id in set {
                *flags.entry(id).or_default() |= bit;
            }
        }
        w.name_flags(&flags.into_iter().collect::<Vec<_>>())?;
        for lane in &self.lanes {
            let n = w.lane(lane.pid, lane.tid, &lane.thread_name, lane.start_cpu)?;
            w.spans(n, &lane.spans)?;
            w.instants(n, &lane.instants)?;
            w.off_cpu(n, &lane.off_cpu)?;
        }
        for c in &self.counters {
            let t = w.counter(c.pid, &c.name)?;
            w.samples(t, &c.samples)?;
        }
        let (mut out, _) = w.finish(self)?;
        out.flush()
    }
}

impl From<io::Error> for CompactError {
    fn from(e: io::Error) -> CompactError {
        CompactError::io("cannot read", e)
    }
}
