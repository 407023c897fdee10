//! The slow side of the recorder: reading every thread's ring, for the
//! counts of [`recorded`] and [`adjust_buffer`] and for the trace
//! [`collect`] builds. Nothing here runs on the recording hot path; it
//! takes the registry's lock and may allocate.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{clear, init_buffer, registry, ThreadBuffer, CAPACITY, EPOCH, LOCAL};
use crate::assemble::{lane_from_events, CounterSamples, SpanNames};
use crate::clock::Calibration;
use crate::reentry::ColdGuard;
use crate::{CounterTrack, Lane, Losses, Trace};
use logprof_trace::raw_events::decode;

/// How much the current recording produced and lost.
///
/// Three losses are told apart, because they have different causes and only
/// the first is fixed by a bigger buffer:
///
/// - [`lost`](Recorded::lost): events overwritten because a ring was full;
///   [`adjust_buffer`] and a rerun fix it.
/// - [`unmatched_exits`](Recorded::unmatched_exits): exits whose enter is not
///   in the ring: overwritten (then `lost` is not 0 either), or recorded
///   before a [`clear`] while the span was open.
/// - [`unclosed_enters`](Recorded::unclosed_enters): enters with no exit: a
///   call still running while this reads, or a guard that was never dropped
///   on the thread that created it (forgotten, or held across an `.await`
///   that resumed elsewhere: use [`Instrument`](crate::Instrument) for
///   futures).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Events recorded since the last clear, over all threads, including the
    /// overwritten ones (an enter and an exit are two events, a value,
    /// instant or counter sample one or two more, see [`init_buffer`]).
    pub events: u64,
    /// Events overwritten because a ring was full: the loss
    /// [`adjust_buffer`] fixes.
    pub lost: u64,
    /// Exits whose enter is not in the ring (overwritten, or before a clear).
    pub unmatched_exits: u64,
    /// Enters with no exit yet: calls running now, or guards never dropped.
    pub unclosed_enters: u64,
    /// The most events any one thread produced: the ring size that would
    /// have lost nothing.
    pub max_per_thread: u64,
    /// Threads that recorded since the last clear.
    pub threads: usize,
    /// The ring size of threads that record from now on.
    pub capacity: usize,
}

impl Recorded {
    /// True when nothing of any kind was lost.
    pub fn is_complete(&self) -> bool {
        self.losses().is_empty()
    }

    /// The losses as a [`Losses`], whose [`advice`](Losses::advice) says
    /// what fixes each kind.
    pub fn losses(&self) -> Losses {
        Losses {
            overwritten_events: self.lost,
            unmatched_exits: self.unmatched_exits,
            unclosed_enters: self.unclosed_enters,
            dropped_events: 0,
        }
    }
}

/// Counts of the current recording: at least the events recorded since the
/// last clear (a thread still recording may add more as this reads), the
/// events lost by kind, and the largest count one thread produced.
///
/// Telling unmatched exits and unclosed enters apart reads every ring, as
/// [`collect`] does (without building the trace).
pub fn recorded() -> Recorded {
    let _cold = ColdGuard::enter();
    let epoch = EPOCH.load(Ordering::Acquire);
    let mut out = Recorded {
        capacity: CAPACITY.load(Ordering::Relaxed),
        ..Recorded::default()
    };
    let buffers: Vec<Arc<ThreadBuffer>> = registry().iter().cloned().collect();
    for buffer in buffers {
        if buffer.ring.epoch() != epoch {
            continue;
        }
        let head = buffer.ring.head();
        let len = buffer.ring.capacity() as u64;
        out.events += head;
        out.lost += head.saturating_sub(len);
        out.max_per_thread = out.max_per_thread.max(head);
        out.threads += 1;
        if let Some(events) = read_events(&buffer, epoch) {
            let decoded = decode(&events.events, usize::MAX, |t| t);
            out.unmatched_exits += decoded.unmatched_exits;
            out.unclosed_enters += decoded.unclosed_enters;
        }
    }
    out
}

/// Resizes the rings so that the same run again loses nothing, then clears.
///
/// The new size is the largest count one thread produced, plus a quarter for
/// schedules that hand a thread more work the next time, rounded up to a
/// power of two. Rings never shrink here; `init_buffer` sets any size.
pub fn adjust_buffer() {
    let r = recorded();
    let needed = r.max_per_thread + r.max_per_thread / 4;
    if needed as usize > r.capacity {
        init_buffer(needed as usize);
    } else {
        clear();
    }
}

/// A copy of one thread's events, oldest first.
struct ThreadEvents {
    tid: u64,
    thread_name: String,
    events: Vec<(u64, u64)>,
    overwritten: u64,
}

/// True when `buffer` is the calling thread's own, which cannot be writing
/// while this thread reads it.
fn owned_by_current_thread(buffer: &ThreadBuffer) -> bool {
    LOCAL
        .try_with(|cell| {
            // SAFETY: only this thread touches its cell, and this shared
            // borrow ends before anything could record on this thread.
            let local = unsafe { &*cell.get() };
            local
                .as_ref()
                .is_some_and(|l| std::ptr::eq(&*l.buffer, buffer))
        })
        .unwrap_or(false)
}

/// The thread's events of `epoch`, or `None` if its buffer was reset (a
/// `clear` or `init_buffer` on another thread) while it was being read.
fn read_events(buffer: &ThreadBuffer, epoch: u64) -> Option<ThreadEvents> {
    let snapshot = buffer.ring.read(epoch, owned_by_current_thread(buffer))?;
    Some(ThreadEvents {
        tid: buffer.tid,
        thread_name: buffer.thread_name.clone(),
        events: snapshot.events,
        overwritten: snapshot.overwritten,
    })
}

/// A snapshot of every thread's events since the last clear, threads that
/// have exited included, as a [`Trace`] with one lane per thread.
///
/// Collecting does not stop or clear the recording. Called while other
/// threads record, it returns each thread's events up to the moment it read
/// that thread; calls still running then are left out and counted in
/// [`Losses::unclosed_enters`]. Exits whose enter was overwritten are skipped
/// and counted in [`Losses::unmatched_exits`].
pub fn collect() -> Trace {
    let _cold = ColdGuard::enter();
    let calibration = Calibration::measure();
    let epoch = EPOCH.load(Ordering::Acquire);
    let buffers: Vec<Arc<ThreadBuffer>> = registry()
        .iter()
        .filter(|b| b.ring.epoch() == epoch || b.keeps_lane())
        .cloned()
        .collect();
    let threads: Vec<ThreadEvents> = buffers
        .iter()
        .filter_map(|b| {
            let current = (b.ring.epoch() == epoch).then(|| read_events(b, epoch));
            current.flatten().or_else(|| {
                // A kept lane with nothing of this recording: idle.
                b.keeps_lane().then(|| ThreadEvents {
                    tid: b.tid,
                    thread_name: b.thread_name.clone(),
                    events: Vec::new(),
                    overwritten: 0,
                })
            })
        })
        .collect();
    // Read after the events, so every id in them has its name.
    let registered = crate::callsite::registered();
    let names = registered.names;
    let pid = std::process::id();
    let mut span_names = SpanNames::new(&names);
    let mut losses = Losses::default();
    let mut lanes = Vec::with_capacity(threads.len());
    let mut counters = CounterSamples::new();
    for thread in threads {
        losses.overwritten_events += thread.overwritten;
        let mut lane = Lane::new(pid, thread.tid, thread.thread_name);
        let lane_losses = lane_from_events(
            &mut lane,
            &thread.events,
            |ticks| calibration.ns(ticks),
            &mut span_names,
            &mut counters,
        );
        losses.unmatched_exits += lane_losses.unmatched_exits;
        losses.unclosed_enters += lane_losses.unclosed_enters;
        lanes.push(lane);
    }
    let counters = counters
        .into_iter()
        .map(|(name, mut samples)| {
            samples.sort_by_key(|&(ns, _)| ns); // stable: a thread's order kept
            CounterTrack {
                pid,
                name: name.to_owned(),
                samples,
            }
        })
        .collect();
    let region_names = span_names.marked(&registered.regions);
    let wait_names = span_names.marked(&registered.waits);
    let mut trace = Trace {
        process_name: None,
        region_names,
        wait_names,
        names: span_names.into_names(),
        lanes,
        losses,
        counters,
        cores: std::thread::available_parallelism()
            .ok()
            .map(|n| n.get() as u32),
        ..Trace::default()
    };
    trace.normalize();
    crate::offcpu::attach(&mut trace, buffers.iter().map(|b| (b.tid, &b.switches)));
    trace
}
