//! Reading a big `.lpt` file without holding its spans: a *pass* reads the
//! file chunk by chunk and adds each span to running figures, so what it
//! holds is one chunk, the names, the lanes (with their off-CPU intervals)
//! and a few numbers per lane and per name, not the events.
//!
//! [`Trace::summarize_lpt`] reads a file twice: first everything but its
//! spans, instants and counter samples (the names, the lanes, the off-CPU
//! intervals and the trace-wide facts: a [`Trace`] without spans), then its
//! spans, lane by lane in the order the chunks come. From them it gives the
//! same [`Summary`] as [`Trace::summary`] of the whole file read into
//! memory: busy, waiting, idle and off-CPU figures per lane, the load
//! balance, the cores, and the function totals (calls, inclusive and self
//! time, exact across chunk borders because each lane's open calls are
//! kept from one chunk to the next).
//!
//! What it leaves out, each said in [`LptPass::left_out`]: the process
//! metrics of a trace of several processes (they pair messages over the
//! whole trace), and the count of migrated tasks when there are too many
//! tasks to follow. The regions ([`Trace::regions`]) need the spans: a
//! caller reads the file whole for them, or says they were left out.
//!
//! It needs each lane's spans in start order, as every file written from a
//! [`Trace`] has them (`Trace::write_lpt`, `logprof convert`). A file
//! written while recording (`logprof::stream_to`) holds them in the order
//! they ended: the pass stops at the first span out of order with an error
//! that says so, rather than give wrong figures.
//!
//! [`reduce_lpt`](Trace::reduce_lpt) is the pass behind pictures of big
//! files: the spans merged per pixel column.

mod lane;
mod reduce;

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::chrome::TraceFileError;
use crate::compact::{ChunkKind, CompactError, LptReader};
use crate::function_totals::FunctionTotals;
use crate::offcpu::within;
use crate::summary::{ratio, LaneSummary, Summary, SummaryParts};
use crate::summary_cores::{core_busy_of, waited_all_along_off};
use crate::trace::{Span, Trace};

use lane::{LaneSweep, OffCpuIndex};

/// At most this many tasks are followed to count the tasks that ran on
/// more than one thread (a task costs some 30 bytes): past it the count is
/// left out.
const MAX_TASKS: usize = 1 << 20;

/// What a pass over an `.lpt` file found.
#[derive(Clone, Debug)]
pub struct LptPass {
    /// The trace without its spans, instants and counter samples: names,
    /// lanes (with their off-CPU intervals), counter tracks (empty) and
    /// the trace-wide facts. Its lanes are in the order
    /// [`Trace::read_lpt`] gives them.
    pub trace: Trace,
    /// The summary, as [`Trace::summary`] of the whole file gives it less
    /// what [`left_out`](LptPass::left_out) names.
    pub summary: Summary,
    /// Spans in the file.
    pub span_count: u64,
    /// One sentence per figure not computed, and why.
    pub left_out: Vec<String>,
}

/// Opens `path` for a pass.
fn open(path: &Path) -> Result<LptReader<BufReader<std::fs::File>>, TraceFileError> {
    let file = std::fs::File::open(path).map_err(|e| TraceFileError::cannot_read(path, e))?;
    LptReader::new(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| TraceFileError::new(path, e.to_string()))
}

/// The first pass: everything but spans, instants and samples, lanes kept
/// in the file's numbering.
/// Also says whether the file was streamed (its lanes are then put in
/// (pid, tid) order once the pass is done).
fn skeleton(path: &Path) -> Result<(Trace, bool), TraceFileError> {
    let skipped = [ChunkKind::Spans, ChunkKind::Instants, ChunkKind::Samples];
    let reader = open(path)?;
    let streamed = reader.flags & crate::compact::FLAG_STREAMED != 0;
    let trace = reader
        .read_trace_where(|k| !k.is_some_and(|k| skipped.contains(&k)), false)
        .map_err(|e| TraceFileError::new(path, e.to_string()))?;
    Ok((trace, streamed))
}

/// Reads the spans chunks of `input`, calling `each` with the lane number
/// and each span, in the file's order. `lanes`: how many lanes the file
/// declares.
fn for_each_span<R: Read>(
    mut input: LptReader<R>,
    lanes: usize,
    mut each: impl FnMut(usize, &Span, u64) -> Result<(), CompactError>,
) -> Result<(), CompactError> {
    while let Some((_, at, payload)) = input.next_chunk_where(|k| k == Some(ChunkKind::Spans))? {
        let mut b = crate::compact::Bytes::new(payload);
        let lane = crate::compact::lane_of(&mut b).map_err(|e| e.at(at))? as usize;
        if lane >= lanes {
            return Err(CompactError::damaged(format!(
                "a chunk of lane {lane}, but only {lanes} lanes are declared"
            ))
            .at(at));
        }
        crate::compact::decode_spans_each(&mut b, |span| each(lane, &span, at))
            .map_err(|e| e.at(at))?;
        if !b.is_empty() {
            return Err(CompactError::damaged(format!(
                "Spans chunk has {} bytes past its end",
                b.remaining()
            ))
            .at(at));
        }
    }
    Ok(())
}

/// The error for a span that starts before the one before it on its lane.
fn out_of_order(lane: usize, trace: &Trace) -> CompactError {
    let name = trace.lanes.get(lane).map_or("", |l| l.thread_name.as_str());
    CompactError::new(format!(
        "lane {lane} ({name}): a span starts before the one before it. A big file is read in \
         one pass that needs each lane's spans in start order; a file written while recording \
         holds them in the order they ended. Read it whole (logprof report --whole), if memory \
         allows, or record fewer iterations"
    ))
}

impl Trace {
    /// The summary of the `.lpt` file at `path`, read chunk by chunk
    /// without holding its spans (see [`crate::pass`]). An error for a
    /// file that cannot be read, is damaged, or holds a lane's spans out of
    /// start order; a file cut off is read up to its last whole chunk, as
    /// [`Trace::read_lpt`] reads it.
    pub fn summarize_lpt(path: impl AsRef<Path>) -> Result<LptPass, TraceFileError> {
        let path = path.as_ref();
        let (trace, streamed) = skeleton(path)?;
        let n = trace.lanes.len();
        let names = trace.names.len();
        // Per name: does it wait, is it an aggregate.
        let waits: Vec<bool> = (0..names as u32).map(|i| trace.name_waits(i)).collect();
        let totals: Vec<bool> = (0..names as u32)
            .map(|i| trace.name(i).starts_with("Total "))
            .collect();
        let off: Vec<OffCpuIndex> = trace
            .lanes
            .iter()
            .map(|l| OffCpuIndex::new(&l.off_cpu, l.start_cpu))
            .collect();
        let mut sweeps: Vec<LaneSweep> = (0..n).map(|_| LaneSweep::new()).collect();
        let mut functions = FunctionTotals::with_names(names);
        // The first lane of each (pid, tid): a task that ran on two lanes
        // of one thread did not migrate.
        let mut thread_of = vec![0usize; n];
        let mut first_of: HashMap<(u32, u64), usize> = HashMap::new();
        for (i, l) in trace.lanes.iter().enumerate() {
            thread_of[i] = *first_of.entry((l.pid, l.tid)).or_insert(i);
        }
        let mut tasks: HashMap<u64, (usize, bool)> = HashMap::new();
        let mut too_many_tasks = false;
        let mut range: Option<(u64, u64)> = None;
        let mut span_count = 0u64;
        for_each_span(open(path)?, n, |li, span, at| {
            let sweep = &mut sweeps[li];
            if sweep.last_start.is_some_and(|s| span.start_ns < s) {
                return Err(out_of_order(li, &trace).at(at));
            }
            span_count += 1;
            range = Some(match range {
                None => (span.start_ns, span.end_ns),
                Some((lo, hi)) => (lo.min(span.start_ns), hi.max(span.end_ns)),
            });
            let name = span.name as usize;
            let waits = span.mpi.is_some()
                || waits
                    .get(name)
                    .copied()
                    .unwrap_or_else(|| trace.name_waits(span.name));
            let total = totals.get(name).copied().unwrap_or(false);
            sweep.add(span, waits, total, &off[li], &mut functions);
            if let (Some(task), false) = (span.task, too_many_tasks) {
                let thread = thread_of[li];
                if tasks.len() >= MAX_TASKS && !tasks.contains_key(&task) {
                    too_many_tasks = true;
                    tasks = HashMap::new();
                } else {
                    let t = tasks.entry(task).or_insert((thread, false));
                    t.1 |= t.0 != thread;
                }
            }
            Ok(())
        })
        .map_err(|e| TraceFileError::new(path, e.to_string()))?;
        for (sweep, off) in sweeps.iter_mut().zip(&off) {
            sweep.finish(off);
        }

        let (start_ns, end_ns) = range.unwrap_or((0, 0));
        let wall_ns = end_ns - start_ns;
        let any_span = span_count > 0;
        let several_processes = trace.lanes.iter().any(|l| l.pid != trace.lanes[0].pid);
        let mut left_out = Vec::new();
        let lanes: Vec<LaneSummary> = trace
            .lanes
            .iter()
            .zip(&sweeps)
            .map(|(lane, s)| {
                let until = s.last_busy_end.unwrap_or(end_ns);
                let preempted_to_last = within(&lane.off_cpu, start_ns, until.max(start_ns)).0;
                LaneSummary {
                    pid: lane.pid,
                    tid: lane.tid,
                    thread_name: lane.thread_name.clone(),
                    process: several_processes.then(|| trace.process_label(lane.pid)),
                    spans: s.spans as usize,
                    busy_ns: s.busy_ns,
                    waiting_ns: s.waiting_ns,
                    idle_ns: wall_ns.saturating_sub(s.busy_ns + s.waiting_ns),
                    utilisation: ratio(s.busy_ns as f64, wall_ns as f64, 0.0),
                    scored: any_span
                        && (!trace.repairs.from_other_tool || (s.spans > 0 && !s.only_totals)),
                    on_cpu_busy_ns: s.busy_ns.saturating_sub(s.preempted_ns + s.blocked_ns),
                    preempted_ns: s.preempted_ns,
                    blocked_ns: s.blocked_ns,
                    waited_for_core_ns: preempted_to_last.saturating_sub(s.preempted_in_busy_ns),
                }
            })
            .collect();
        let waited_lanes = trace
            .lanes
            .iter()
            .zip(&sweeps)
            .zip(&lanes)
            .filter(|((lane, s), l)| {
                l.scored && waited_all_along_off(&lane.off_cpu, s.has_work, start_ns, end_ns)
            })
            .count();
        let core_busy = core_busy_of(
            sweeps
                .iter()
                .zip(&lanes)
                .filter(|(s, l)| l.scored && s.worked)
                .map(|(s, _)| (&s.per_core, s.unknown_core_ns)),
        )
        .filter(|_| trace.off_cpu.is_recorded())
        .unwrap_or_default();
        if too_many_tasks {
            left_out.push(format!(
                "tasks that ran on more than one thread: not counted, the file holds more than \
                 {MAX_TASKS} tasks (read it whole to count them)"
            ));
        }
        if several_processes {
            left_out.push(
                "process metrics (useful time, communication efficiency per process): left out, \
                 they pair messages over the whole trace (read the file whole for them)"
                    .to_owned(),
            );
        }
        let summary = SummaryParts {
            start_ns,
            end_ns,
            lanes,
            waited_lanes,
            core_busy,
            functions: functions.finish(&trace),
            migrated_tasks: tasks.values().filter(|t| t.1).count(),
            processes: None,
        }
        .assemble(&trace);
        let mut summary = summary;
        let mut trace = trace;
        if streamed {
            // As `Trace::read_lpt` orders a streamed file's lanes.
            trace.lanes.sort_by_key(|l| (l.pid, l.tid));
            summary.lanes.sort_by_key(|l| (l.pid, l.tid));
        }
        Ok(LptPass {
            trace,
            summary,
            span_count,
            left_out,
        })
    }
}
