//! Reading a big `.lpt` file without holding its spans: a *pass* reads the
//! file chunk by chunk and adds each span to running figures, so what it
//! holds is one chunk, the names, the lanes (with their off-CPU intervals)
//! and a few numbers per lane and per name, not the events.
//!
//! [`Trace::summarize_lpt`] reads a file twice: first everything but its
//! spans, instants and counter samples (the names, the lanes, the off-CPU
//! intervals and the trace-wide facts: a [`Trace`] without spans), then its
//! spans, in the order the chunks come (on two cores, two threads each read
//! the file and add up every other lane). From them it gives the
//! same [`Summary`] as [`Trace::summary`] of the whole file read into
//! memory: busy, waiting, idle and off-CPU figures per lane, the load
//! balance, the cores, and the function totals (calls, inclusive and self
//! time, exact across chunk borders because each lane's open calls are
//! kept from one chunk to the next).
//!
//! What it leaves out, each said in [`LptPass::left_out`]: the process
//! metrics of a trace of several processes (they pair messages over the
//! whole trace), the placement loss (`Summary::placement_loss_ns`: it
//! sweeps every lane's stretches at once), and the count of migrated tasks when there are too many
//! tasks to follow. The regions ([`Trace::regions`]) need the spans: a
//! caller reads the file whole for them, or says they were left out.
//!
//! It needs each lane's spans in start order, as every file written from a
//! [`Trace`] has them (`Trace::write_lpt`, `logprof convert`). A file
//! written while recording (`logprof::stream_to`, and ranks' files merged)
//! holds them in the order they ended: the pass puts them back in start
//! order one top-level call at a time (`Reorder`), holding at most
//! `MAX_HELD` spans of calls still open, and stops with an error that says
//! so past that, or at a span out of order in a file that should have
//! none, rather than give wrong figures.
//!
//! [`reduce_lpt`](Trace::reduce_lpt) is the pass behind pictures of big
//! files: the spans merged per pixel column.

mod lane;
mod reduce;
mod reorder;
mod spans_in;

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use crate::chrome::TraceFileError;
use crate::compact::{ChunkKind, CompactError, LptReader};
use crate::function_totals::FunctionTotals;
use crate::offcpu::within;
use crate::summary::{LaneSummary, Summary};
use crate::summary_cores::{core_busy_of, waited_all_along_off};
use crate::summary_parts::{ratio, SummaryParts};
use crate::trace::{Span, Trace};

use lane::{LaneSweep, OffCpuIndex};
use reorder::{too_deep, Reorder};
use spans_in::{for_each_span, for_each_span_beside, Unpaired};

/// At most this many tasks are followed to count the tasks that ran on
/// more than one thread (a task costs some 30 bytes): past it the count is
/// left out.
const MAX_TASKS: usize = 1 << 20;

/// What a pass over an `.lpt` file found.
#[derive(Clone, Debug)]
pub struct LptPass {
    /// The trace without its spans, instants and counter samples: names,
    /// lanes (with their off-CPU intervals), counter tracks (empty; those
    /// of a file of events chunks only appear when it is read whole) and
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
    let skipped = [
        ChunkKind::Spans,
        ChunkKind::Events,
        ChunkKind::Instants,
        ChunkKind::Samples,
    ];
    let reader = open(path)?;
    let streamed = reader.flags & crate::compact::FLAG_STREAMED != 0;
    let trace = reader
        .read_trace_where(|k| !k.is_some_and(|k| skipped.contains(&k)), false)
        .map_err(|e| TraceFileError::new(path, e.to_string()))?;
    Ok((trace, streamed))
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

/// What the spans of a pass are added up with: the trace without its
/// spans and what is known of each name and lane beforehand.
struct Lanes<'a> {
    trace: &'a Trace,
    /// Per name: does it wait.
    waits: &'a [bool],
    /// Per name: is it a `Total …` aggregate.
    totals: &'a [bool],
    off: &'a [OffCpuIndex<'a>],
    /// Per lane: the first lane of its (pid, tid).
    thread_of: &'a [usize],
    /// The file was written while recording: each lane's spans come in
    /// the order they ended, and are put back in start order a top-level
    /// call at a time ([`Reorder`]).
    streamed: bool,
}

/// What a pass's spans are given to: a lane number, a span, the offset
/// of its chunk.
type SpanSink<'a> = dyn FnMut(usize, Span, u64) -> Result<(), CompactError> + 'a;

/// The running figures of the lanes one reading thread adds up.
struct Share {
    sweeps: Vec<LaneSweep>,
    functions: FunctionTotals,
    /// Per task: the first thread it ran on, and whether it ran on another.
    tasks: HashMap<u64, (usize, bool)>,
    too_many_tasks: bool,
    range: Option<(u64, u64)>,
    span_count: u64,
    unpaired: Unpaired,
}

impl Share {
    fn new(lanes: usize, names: usize) -> Share {
        Share {
            sweeps: (0..lanes).map(|_| LaneSweep::new()).collect(),
            functions: FunctionTotals::with_names(names),
            tasks: HashMap::new(),
            too_many_tasks: false,
            range: None,
            span_count: 0,
            unpaired: Unpaired::default(),
        }
    }

    /// Adds `other`, which added up the lanes `mine` accepts.
    fn merge(&mut self, other: Share, mine: impl Fn(usize) -> bool) {
        for (li, sweep) in other.sweeps.into_iter().enumerate() {
            if mine(li) {
                self.sweeps[li] = sweep;
            }
        }
        self.functions.merge(&other.functions);
        self.too_many_tasks |= other.too_many_tasks;
        for (task, (thread, migrated)) in other.tasks {
            let t = self.tasks.entry(task).or_insert((thread, false));
            t.1 |= migrated || t.0 != thread;
        }
        if self.too_many_tasks || self.tasks.len() > MAX_TASKS {
            self.too_many_tasks = true;
            self.tasks = HashMap::new();
        }
        self.range = match (self.range, other.range) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
        self.span_count += other.span_count;
        self.unpaired.add(other.unpaired);
    }
}

impl Lanes<'_> {
    /// Adds up the spans `read` gives (with [`for_each_span`] or
    /// [`for_each_span_beside`]) of the lanes `keep` accepts.
    fn sweep(
        &self,
        keep: impl Fn(usize) -> bool,
        read: impl FnOnce(&mut SpanSink<'_>) -> Result<Unpaired, CompactError>,
    ) -> Result<Share, CompactError> {
        let trace = self.trace;
        let mut share = Share::new(trace.lanes.len(), trace.names.len());
        let Share {
            sweeps,
            functions,
            tasks,
            too_many_tasks,
            range,
            span_count,
            unpaired,
        } = &mut share;
        let mut reorder = Reorder::default();
        let mut ready: Vec<Span> = Vec::new();
        let mut add = |li: usize, span: &Span, at: u64| -> Result<(), CompactError> {
            let sweep = &mut sweeps[li];
            if sweep.last_start.is_some_and(|s| span.start_ns < s) {
                return Err(out_of_order(li, trace).at(at));
            }
            *span_count += 1;
            *range = Some(match *range {
                None => (span.start_ns, span.end_ns),
                Some((lo, hi)) => (lo.min(span.start_ns), hi.max(span.end_ns)),
            });
            let name = span.name as usize;
            let waits = span.mpi.is_some()
                || self
                    .waits
                    .get(name)
                    .copied()
                    .unwrap_or_else(|| trace.name_waits(span.name));
            let total = self.totals.get(name).copied().unwrap_or(false);
            sweep.add(span, waits, total, &self.off[li], functions);
            if let (Some(task), false) = (span.task, *too_many_tasks) {
                let thread = self.thread_of[li];
                if tasks.len() >= MAX_TASKS && !tasks.contains_key(&task) {
                    *too_many_tasks = true;
                    *tasks = HashMap::new();
                } else {
                    let t = tasks.entry(task).or_insert((thread, false));
                    t.1 |= t.0 != thread;
                }
            }
            Ok(())
        };
        *unpaired = read(&mut |li, span, at| {
            if !self.streamed || reorder.passes(li, &span) {
                return add(li, &span, at);
            }
            if !reorder.push(li, span, &mut ready) {
                return Err(too_deep(li, trace).at(at));
            }
            for span in ready.drain(..) {
                add(li, &span, at)?;
            }
            Ok(())
        })?;
        // Calls still open when the file ends (cut off): in start order.
        for li in (0..trace.lanes.len()).filter(|&li| keep(li)) {
            reorder.release(li, &mut ready);
            for span in ready.drain(..) {
                add(li, &span, 0)?;
            }
        }
        Ok(share)
    }
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
        // The first lane of each (pid, tid): a task that ran on two lanes
        // of one thread did not migrate.
        let mut thread_of = vec![0usize; n];
        let mut first_of: HashMap<(u32, u64), usize> = HashMap::new();
        for (i, l) in trace.lanes.iter().enumerate() {
            thread_of[i] = *first_of.entry((l.pid, l.tid)).or_insert(i);
        }
        let lanes_of = Lanes {
            trace: &trace,
            waits: &waits,
            totals: &totals,
            off: &off,
            thread_of: &thread_of,
            streamed,
        };
        // The lanes are independent: on two cores, two threads each read
        // the file and add up every other lane. A file of one lane is read
        // on one thread and added up on the other.
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let workers = cores.clamp(1, 2).min(n.max(1));
        let counts = (n, names);
        let input = || -> Result<_, CompactError> {
            let file = std::fs::File::open(path)?;
            LptReader::new(BufReader::with_capacity(1 << 20, file))
        };
        let shares: Vec<Result<Share, CompactError>> = if cores >= 2 && n == 1 {
            vec![input().and_then(|input| {
                lanes_of.sweep(
                    |_| true,
                    |each| for_each_span_beside(input, counts, |_| true, each),
                )
            })]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..workers)
                    .map(|w| {
                        let lanes_of = &lanes_of;
                        let keep = move |li: usize| li % workers == w;
                        scope.spawn(move || {
                            let input = input()?;
                            lanes_of.sweep(keep, |each| for_each_span(input, counts, keep, each))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(CompactError::new("a reading thread failed")))
                    })
                    .collect()
            })
        };
        let mut share = Share::new(n, names);
        for (w, part) in shares.into_iter().enumerate() {
            let part = part.map_err(|e| TraceFileError::new(path, e.to_string()))?;
            share.merge(part, |li| li % workers == w);
        }
        let Share {
            mut sweeps,
            functions,
            tasks,
            too_many_tasks,
            range,
            span_count,
            unpaired,
        } = share;
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
        if trace.off_cpu.is_recorded() {
            left_out.push(
                "placement loss (core time a core ran none of the run's work while a thread with \
                 work waited for one): not computed, it needs every lane's stretches at once \
                 (read the file whole for it)"
                    .to_owned(),
            );
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
        unpaired.add_to(&mut trace.losses);
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
