//! Ranks' files merged into one trace, chunk by chunk: each input's chunks
//! are decoded one at a time, their names re-interned in one table, their
//! lanes and counter tracks renumbered (pid = rank), their times moved onto
//! rank 0's clock, and written as chunks of the output. Memory holds one
//! chunk, the names, and the message ends (for pairing, [`pair_ends`]);
//! not the events. An input of another format than `.lpt` is read whole.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::inputs::{resolve, Input, MergeError};
use super::{merged_cores, merged_off_cpu, ClockSync, MpiMetadata, RankMetadata};
use crate::compact::spans;
use crate::compact::varint::Bytes;
use crate::compact::{self, ChunkKind, EventsBatch, LptWriter, FLAG_STREAMED};
use crate::message::{pair_ends, MessageEnd};
use crate::{InstantEvent, Losses, NameId, NameTable, OffCpu, OffCpuStatus, Span, Trace};
use crate::{TraceFileError, TraceFormat};

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MergeReport {
    /// The number of ranks of the run (files merged: `files`).
    pub ranks: u32,
    /// The files merged.
    pub files: usize,
    /// Spans written.
    pub spans: u64,
    /// Events written unpaired: the events chunks of files streamed by
    /// `logprof::stream_to` (two events a call, and values, instants and
    /// counter samples), which their readers pair into spans.
    pub unpaired_events: u64,
    /// Instants, off-CPU intervals and counter samples written.
    pub other_events: u64,
    /// Messages with both ends in the merged trace.
    pub messages: usize,
    /// Message ends whose other end is not in it.
    pub unmatched_message_ends: usize,
    /// The size of the output, in bytes (of the `.lpt` stream, before any
    /// conversion to another format).
    pub bytes: u64,
    /// What was assumed or left out: a file cut off, a rank missing, a
    /// rank without clock samples. Empty when every file was whole.
    pub notes: Vec<String>,
}

/// Merges the ranks' files `inputs` (`.lpt` streamed by each rank, or any
/// format [`Trace::read_file`] reads) into `out`, written atomically in the
/// format its extension names: one process per rank (pid = rank, named
/// "rank r"), times on rank 0's clock. An `.lpt` output is written chunk
/// by chunk as the inputs are read; another format needs the whole trace
/// in memory. `allow_missing`: merge when some ranks' files are missing,
/// with a note, instead of refusing.
///
/// Errors (nothing written): a file that does not read, two files of one
/// rank, files of runs of different sizes, a missing rank (unless
/// allowed), files some of which say their rank and some not.
pub fn merge_files(
    inputs: &[PathBuf],
    out: &Path,
    allow_missing: bool,
) -> Result<MergeReport, MergeError> {
    let (inputs, notes) = resolve(inputs, allow_missing)?;
    let cannot_write = |e: TraceFileError| MergeError::new(e.to_string());
    let mut report = if TraceFormat::for_path(out) == TraceFormat::Compact {
        let mut result = None;
        crate::write_atomically(out, |w| {
            let merged = merge_into(&inputs, w);
            let failed = merged.is_err();
            result = Some(merged);
            if failed {
                // Nothing is renamed into place: the error is in `result`.
                return Err(std::io::Error::other("merge failed"));
            }
            Ok(())
        })
        .or_else(|e| match &result {
            Some(Err(_)) => Ok(()),
            _ => Err(cannot_write(TraceFileError::cannot_write(out, e))),
        })?;
        result.unwrap_or_else(|| Err(MergeError::new("the merge did not run")))?
    } else {
        let mut bytes = Vec::new();
        let report = merge_into(&inputs, &mut bytes)?;
        let trace = Trace::read_lpt_from(&bytes[..]).map_err(|e| MergeError::new(e.to_string()))?;
        drop(bytes);
        trace.write_file(out).map_err(cannot_write)?;
        report
    };
    let mut all = notes;
    all.append(&mut report.notes);
    report.notes = all;
    Ok(report)
}

/// One input's numbers, mapped to the output's.
#[derive(Default)]
struct Renumbering {
    names: Vec<NameId>,
    lanes: Vec<u32>,
    tracks: Vec<u32>,
}

impl Renumbering {
    fn name(&self, id: NameId) -> NameId {
        // An id past the file's names (a hand-built trace) keeps its number,
        // as the in-memory merge does.
        self.names.get(id as usize).copied().unwrap_or(id)
    }

    fn lane(&self, lane: u32) -> Result<u32, compact::CompactError> {
        self.lanes.get(lane as usize).copied().ok_or_else(|| {
            compact::CompactError::new(format!(
                "a chunk of lane {lane}, but only {} lanes are declared before it",
                self.lanes.len()
            ))
        })
    }
}

/// Everything the merge keeps across inputs.
struct Merge<W: Write> {
    w: LptWriter<W>,
    table: NameTable,
    /// Ends of messages, for pairing at the end.
    ends: Vec<MessageEnd>,
    report: MergeReport,
    losses: Losses,
    off_cpu: Vec<OffCpuStatus>,
    process_name: Option<String>,
    /// Reused buffers, one chunk's worth.
    spans: Vec<Span>,
    instants: Vec<InstantEvent>,
    off: Vec<OffCpu>,
    samples: Vec<(u64, f64)>,
    /// By output lane: its events chunk, whose times go on from one chunk
    /// to the next.
    batches: HashMap<u32, EventsBatch>,
}

/// [`merge_files`] into `out`, the inputs resolved: writes the merged
/// `.lpt` stream.
pub(super) fn merge_into<W: Write>(inputs: &[Input], out: W) -> Result<MergeReport, MergeError> {
    let io = |e: std::io::Error| MergeError::new(format!("cannot write the merged trace: {e}"));
    // Times on a rank's clock are at or above 0, so on rank 0's at or above
    // its least offset: moved by the most negative of those, none is below
    // 0, without a first pass over the events.
    let least = inputs
        .iter()
        .map(|i| i.facts.clock().least_offset_ns())
        .min()
        .unwrap_or(0);
    let origin = least.min(0).unsigned_abs();
    let mut m = Merge {
        w: LptWriter::new(out, FLAG_STREAMED).map_err(io)?,
        table: NameTable::new(),
        ends: Vec::new(),
        report: MergeReport {
            ranks: inputs.first().map_or(0, |i| i.facts.ranks),
            files: inputs.len(),
            ..MergeReport::default()
        },
        losses: Losses::default(),
        off_cpu: Vec::new(),
        process_name: None,
        spans: Vec::new(),
        instants: Vec::new(),
        off: Vec::new(),
        samples: Vec::new(),
        batches: HashMap::new(),
    };
    for input in inputs {
        m.input(input, origin)?;
    }
    let (pairs, unmatched) = pair_ends(&m.ends);
    m.report.messages = pairs.len();
    m.report.unmatched_message_ends = unmatched;
    let metadata = MpiMetadata {
        clock: None,
        origin_ns: origin,
        ranks: inputs
            .iter()
            .map(|i| RankMetadata {
                rank: i.facts.rank,
                host: &i.facts.host,
                cpus: i.facts.cpus.as_deref(),
                clock: i.facts.clock(),
            })
            .collect(),
        messages: pairs.len(),
        unmatched_message_ends: unmatched,
    };
    let mut facts = Trace {
        process_name: m.process_name.clone(),
        process_names: inputs
            .iter()
            .map(|i| (i.facts.rank, format!("rank {}", i.facts.rank)))
            .collect(),
        losses: m.losses,
        off_cpu: merged_off_cpu(&m.off_cpu),
        cores: merged_cores(inputs.iter().map(|i| {
            (
                i.facts.host.as_str(),
                i.facts.cpus.as_deref(),
                i.facts.quota,
            )
        })),
        ..Trace::default()
    };
    if let Ok(value) = serde_json::to_value(metadata) {
        facts.metadata.insert("mpi".into(), value);
    }
    let (_, bytes) = m.w.finish(&facts).map_err(io)?;
    m.report.bytes = bytes;
    Ok(m.report)
}

impl<W: Write> Merge<W> {
    /// Copies one input's chunks into the output.
    fn input(&mut self, input: &Input, origin: u64) -> Result<(), MergeError> {
        let rank = input.facts.rank;
        let clock: ClockSync = input.facts.clock();
        let at = |t: u64| (clock.to_rank0(t).saturating_add(origin as i64)).max(0) as u64;
        let mut reader = input.reader()?;
        let mut map = Renumbering::default();
        let mut info: Option<Trace> = None;
        let mut lost = 0u64;
        let mut unknown = 0u64;
        let damaged = |e: compact::CompactError| MergeError::of_file(&input.path, e);
        let io = |e: std::io::Error| MergeError::new(format!("cannot write the merged trace: {e}"));
        while let Some((kind, offset, payload)) = reader.next_chunk().map_err(damaged)? {
            let mut b = Bytes::new(payload);
            let Some(kind) = kind else {
                unknown += 1;
                continue;
            };
            let copied = self.chunk(kind, &mut b, &mut map, rank, &at, &mut info, &mut lost);
            match copied {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(io(e)),
                Err(e) => return Err(damaged(e.at(offset))),
            }
        }
        let info = info.unwrap_or_default();
        if self.process_name.is_none() {
            self.process_name = info.process_name.clone();
        }
        let l = &info.losses;
        self.losses.overwritten_events += l.overwritten_events;
        self.losses.unmatched_exits += l.unmatched_exits;
        self.losses.unclosed_enters += l.unclosed_enters;
        // Without its info chunk (cut off) a file's losses are its lost chunks.
        self.losses.dropped_events += if l.dropped_events > 0 {
            l.dropped_events
        } else {
            lost
        };
        self.off_cpu.push(info.off_cpu.clone());
        if reader.was_cut() {
            self.report.notes.push(format!(
                "{} (rank {rank}) is cut off: merged up to its last whole chunk",
                input.path.display()
            ));
        }
        if unknown > 0 {
            self.report.notes.push(format!(
                "{} (rank {rank}): {unknown} chunks of a kind this logprof does not know were \
                 left out (written by a newer logprof)",
                input.path.display()
            ));
        }
        Ok(())
    }

    /// Copies one chunk: the outer error is the input's (damaged), the
    /// inner the output's (cannot write).
    #[allow(clippy::too_many_arguments)]
    fn chunk(
        &mut self,
        kind: ChunkKind,
        b: &mut Bytes<'_>,
        map: &mut Renumbering,
        rank: u32,
        at: &dyn Fn(u64) -> u64,
        info: &mut Option<Trace>,
        lost: &mut u64,
    ) -> Result<std::io::Result<()>, compact::CompactError> {
        let w = &mut self.w;
        Ok(match kind {
            ChunkKind::Names => {
                let n = b.count("the names' count")?;
                let mut new = Vec::new();
                for _ in 0..n {
                    let name = b.string("a name")?;
                    let id = self.table.intern(&name);
                    if u64::from(id) >= w.name_count() + new.len() as u64 {
                        new.push(name);
                    }
                    map.names.push(id);
                }
                w.names(&new)
            }
            ChunkKind::NameFlags => {
                let n = b.count("the flags' count")?;
                let mut flags = Vec::with_capacity(n);
                for _ in 0..n {
                    let id = b.u32("a flagged name")?;
                    flags.push((map.name(id), b.varint("a name's flags")?));
                }
                w.name_flags(&flags)
            }
            ChunkKind::Lane => {
                let _pid = b.u32("a lane's pid")?;
                let tid = b.varint("a lane's tid")?;
                let name = b.string("a lane's thread name")?;
                let start_cpu = b.opt_u32("a lane's start CPU")?;
                w.lane(rank, tid, &name, start_cpu)
                    .map(|n| map.lanes.push(n))
            }
            ChunkKind::Spans => {
                let lane = map.lane(spans::lane_of(b)?)?;
                self.spans.clear();
                spans::decode_spans(b, &mut self.spans)?;
                for s in &mut self.spans {
                    s.name = map.name(s.name);
                    let start = at(s.start_ns);
                    s.end_ns = at(s.end_ns).max(start);
                    s.start_ns = start;
                    if let Some(call) = s.mpi.as_deref() {
                        self.ends.push(MessageEnd {
                            rank,
                            call: *call,
                            start_ns: start,
                        });
                    }
                }
                self.report.spans += self.spans.len() as u64;
                w.spans(lane, &self.spans)
            }
            ChunkKind::Events => {
                let lane = map.lane(spans::lane_of(b)?)?;
                let batch = self.batches.entry(lane).or_default();
                let names = map.names.len();
                let copied = compact::copy_events(b, names, batch, |n| map.name(n), at)?;
                if !b.is_empty() {
                    return Err(compact::CompactError::damaged(format!(
                        "an events chunk has {} bytes past its end",
                        b.remaining()
                    )));
                }
                self.report.unpaired_events += copied;
                w.write_events(lane, batch)
            }
            ChunkKind::Instants => {
                let lane = map.lane(spans::lane_of(b)?)?;
                self.instants.clear();
                spans::decode_instants(b, &mut self.instants)?;
                for i in &mut self.instants {
                    i.name = map.name(i.name);
                    i.ts_ns = at(i.ts_ns);
                }
                self.report.other_events += self.instants.len() as u64;
                w.instants(lane, &self.instants)
            }
            ChunkKind::OffCpu => {
                let lane = map.lane(spans::lane_of(b)?)?;
                self.off.clear();
                spans::decode_off_cpu(b, &mut self.off)?;
                for o in &mut self.off {
                    let start = at(o.start_ns);
                    o.end_ns = at(o.end_ns).max(start);
                    o.start_ns = start;
                }
                self.report.other_events += self.off.len() as u64;
                w.off_cpu(lane, &self.off)
            }
            ChunkKind::Counter => {
                let _pid = b.u32("a counter's pid")?;
                let name = b.string("a counter's name")?;
                w.counter(rank, &name).map(|t| map.tracks.push(t))
            }
            ChunkKind::Samples => {
                let track = b.u32("a samples chunk's track")?;
                let Some(&out) = map.tracks.get(track as usize) else {
                    return Err(compact::CompactError::new(format!(
                        "samples of counter {track}, but only {} are declared before them",
                        map.tracks.len()
                    )));
                };
                self.samples.clear();
                spans::decode_samples(b, &mut self.samples)?;
                for (t, _) in &mut self.samples {
                    *t = at(*t);
                }
                self.report.other_events += self.samples.len() as u64;
                w.samples(out, &self.samples)
            }
            ChunkKind::Lost => {
                let lane = map.lane(b.u32("a lost chunk's lane")?)?;
                let events = b.varint("the events lost")?;
                *lost = lost.saturating_add(events);
                w.lost(lane, events)
            }
            ChunkKind::Info => {
                let mut facts = Trace::new();
                compact::decode_info(b, &mut facts)?;
                *info = Some(facts);
                Ok(())
            }
            // Read before the merge (`inputs.rs`); the footer ends the reading.
            ChunkKind::Rank | ChunkKind::Clock | ChunkKind::Footer => Ok(()),
        })
    }
}
