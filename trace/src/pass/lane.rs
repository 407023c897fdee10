//! One lane's figures added up span by span as a pass reads them: busy
//! stretches (the union of top-level spans), waiting stretches (the union
//! of waiting spans), the work between them (busy less waiting), the
//! off-CPU time inside that work and the core it ran on, and the calls
//! still open for the function totals. What it holds is a few stretches
//! and the open calls, whatever the number of spans, because spans come in
//! start order: a stretch is done once a span starts after its end.

use std::collections::{BTreeMap, VecDeque};

use crate::function_totals::{FunctionTotals, OpenCalls};
use crate::intervals::minus;
use crate::offcpu::{within, OffCpu};
use crate::trace::Span;

/// A lane's off-CPU intervals, sorted, and where each on-CPU stretch
/// between them begins, so that the core of any moment is a binary search
/// away.
pub(super) struct OffCpuIndex<'a> {
    off: &'a [OffCpu],
    /// `from[k]`: the start of the on-CPU stretch before `off[k]` (`k <
    /// off.len()`, or the last one after them all): the latest end so far.
    from: Vec<u64>,
    start_cpu: Option<u32>,
}

impl<'a> OffCpuIndex<'a> {
    pub(super) fn new(off: &'a [OffCpu], start_cpu: Option<u32>) -> OffCpuIndex<'a> {
        let mut from = Vec::with_capacity(off.len() + 1);
        let mut at = 0u64;
        from.push(at);
        for o in off {
            at = o.end_ns.max(at);
            from.push(at);
        }
        OffCpuIndex {
            off,
            from,
            start_cpu,
        }
    }

    /// Adds the on-CPU time within `start..end` to `per_core` by the core
    /// it ran on (as `offcpu::on_cpu_by_core` does over a whole lane);
    /// returns the part whose core is not known. `cursor`: where the last
    /// call's search ended; calls come in time order, so it only moves on.
    fn by_core(&self, start: u64, end: u64, per_core: &mut CoreTimes, cursor: &mut usize) -> u64 {
        let mut unknown = 0;
        // Stretch k ends where off[k] starts; those before it end by `start`.
        while *cursor < self.off.len() && self.off[*cursor].start_ns <= start {
            *cursor += 1;
        }
        let mut k = *cursor;
        while k <= self.off.len() && self.from[k] < end {
            let to = self.off.get(k).map_or(u64::MAX, |o| o.start_ns);
            let on = end.min(to).saturating_sub(start.max(self.from[k]));
            let cpu = match k {
                0 => self.start_cpu,
                _ => self.off[k - 1].cpu,
            };
            match cpu {
                Some(c) if on > 0 => per_core.add(c, on),
                Some(_) => {}
                None => unknown += on,
            }
            k += 1;
        }
        unknown
    }
}

/// On-CPU time by core, added up. A lane runs on one core for many spans
/// in a row, so the core met last is added up apart: one look-up in the
/// map a change of core, not a span.
#[derive(Default)]
pub(super) struct CoreTimes {
    /// Every core but the one met last.
    done: BTreeMap<u32, u64>,
    last: Option<(u32, u64)>,
}

impl CoreTimes {
    #[inline]
    fn add(&mut self, cpu: u32, ns: u64) {
        match &mut self.last {
            Some((c, n)) if *c == cpu => *n += ns,
            last => {
                if let Some((c, n)) = last.replace((cpu, ns)) {
                    *self.done.entry(c).or_default() += n;
                }
            }
        }
    }

    /// The time by core, with each core in `cores` listed (with nothing
    /// when no time was added on it).
    fn finish(&mut self, cores: impl Iterator<Item = u32>) -> BTreeMap<u32, u64> {
        let mut all = std::mem::take(&mut self.done);
        if let Some((c, n)) = self.last.take() {
            *all.entry(c).or_default() += n;
        }
        for cpu in cores {
            all.entry(cpu).or_default();
        }
        all
    }
}

/// The running figures of one lane.
#[derive(Default)]
pub(super) struct LaneSweep {
    pub spans: u64,
    /// The start of the last span read: the next may not start before.
    pub last_start: Option<u64>,
    /// Whether the lane has a top-level span.
    pub has_work: bool,
    /// Whether every span is a top-level `Total …` aggregate.
    pub only_totals: bool,
    busy: Option<(u64, u64)>,
    waiting: Option<(u64, u64)>,
    /// Waiting stretches done but not yet cut out of a busy stretch.
    waits_done: VecDeque<(u64, u64)>,
    pub waiting_ns: u64,
    pub busy_ns: u64,
    pub preempted_ns: u64,
    pub blocked_ns: u64,
    /// Time preempted inside busy stretches (for `waited_for_core_ns`).
    pub preempted_in_busy_ns: u64,
    /// The end of the last busy stretch.
    pub last_busy_end: Option<u64>,
    /// On-CPU time by core: filled by [`LaneSweep::finish`].
    pub per_core: BTreeMap<u32, u64>,
    core_times: CoreTimes,
    pub unknown_core_ns: u64,
    /// Whether any stretch of work was added (of any length).
    pub worked: bool,
    open: OpenCalls,
    /// Scratch: the waiting stretches that cut one busy stretch.
    cuts: Vec<(u64, u64)>,
    /// Where the searches of the off-CPU intervals got to: work stretches
    /// and busy stretches each come in time order.
    work_cursor: usize,
    busy_cursor: usize,
    core_cursor: usize,
}

/// [`within`] of `off[*cursor..]`, the cursor moved past the intervals
/// that end by `start` (the next call's `start` is no earlier).
fn within_from(off: &[OffCpu], cursor: &mut usize, start: u64, end: u64) -> (u64, u64) {
    while *cursor < off.len() && off[*cursor].end_ns <= start {
        *cursor += 1;
    }
    match off.get(*cursor) {
        // Nothing off the CPU in `start..end`: the common case.
        Some(o) if o.start_ns < end => within(&off[*cursor..], start, end),
        _ => (0, 0),
    }
}

impl LaneSweep {
    pub(super) fn new() -> LaneSweep {
        LaneSweep {
            only_totals: true,
            ..LaneSweep::default()
        }
    }

    /// Adds `span` (no earlier start than the one before: checked by the
    /// caller), which waits when `waits`, and whose name begins `Total `
    /// when `total`.
    pub(super) fn add(
        &mut self,
        span: &Span,
        waits: bool,
        total: bool,
        off: &OffCpuIndex,
        functions: &mut FunctionTotals,
    ) {
        self.spans += 1;
        self.last_start = Some(span.start_ns);
        self.only_totals &= span.depth == 0 && total;
        if span.depth == 0 {
            self.has_work = true;
            let (start, end) = (span.start_ns, span.end_ns.max(span.start_ns));
            match &mut self.busy {
                Some(b) if start <= b.1 => b.1 = b.1.max(end),
                _ => {
                    // This span starts after the busy stretch ended: no
                    // later span can touch it.
                    self.end_busy(off);
                    self.busy = Some((start, end));
                }
            }
        }
        if waits {
            let (start, end) = (span.start_ns, span.end_ns);
            match &mut self.waiting {
                Some(w) if start <= w.1 => w.1 = w.1.max(end),
                _ => {
                    if let Some(done) = self.waiting.take() {
                        self.waiting_ns += done.1 - done.0;
                        self.waits_done.push_back(done);
                    }
                    self.waiting = Some((start, end));
                }
            }
        }
        functions.add(&mut self.open, span);
    }

    /// Ends the busy stretch being built: its work (less the waiting in
    /// it) is added up, with the off-CPU time inside.
    fn end_busy(&mut self, off: &OffCpuIndex) {
        let Some((start, end)) = self.busy.take() else {
            return;
        };
        self.last_busy_end = Some(end);
        let (preempted, blocked) = within_from(off.off, &mut self.busy_cursor, start, end);
        self.preempted_in_busy_ns += preempted;
        if self.waits_done.is_empty() && self.waiting.is_none() {
            // Nothing waited: the whole stretch is work, its off-CPU time
            // that just found (the commonest case: a loop of calls).
            self.work_cursor = self.busy_cursor;
            self.add_work_off(start, end, (preempted, blocked), off);
            return;
        }
        self.cuts.clear();
        self.cuts.extend(self.waits_done.iter().copied());
        self.cuts.extend(self.waiting);
        if self.cuts.is_empty() {
            self.add_work(start, end, off);
        } else {
            for (s, e) in minus(&[(start, end)], &self.cuts) {
                self.add_work(s, e, off);
            }
        }
        // Later busy stretches start after `end`: waiting that ended by
        // then cuts none of them.
        while self.waits_done.front().is_some_and(|w| w.1 <= end) {
            self.waits_done.pop_front();
        }
    }

    /// Adds a stretch of work and the off-CPU time inside it.
    fn add_work(&mut self, s: u64, e: u64, off: &OffCpuIndex) {
        let inside = within_from(off.off, &mut self.work_cursor, s, e);
        self.add_work_off(s, e, inside, off);
    }

    /// [`LaneSweep::add_work`] with the stretch's preempted and blocked
    /// time known.
    fn add_work_off(
        &mut self,
        s: u64,
        e: u64,
        (preempted, blocked): (u64, u64),
        off: &OffCpuIndex,
    ) {
        self.busy_ns += e - s;
        self.worked = true;
        self.preempted_ns += preempted;
        self.blocked_ns += blocked;
        self.unknown_core_ns += off.by_core(s, e, &mut self.core_times, &mut self.core_cursor);
    }

    /// Ends the lane: the last busy and waiting stretches are done.
    pub(super) fn finish(&mut self, off: &OffCpuIndex) {
        self.end_busy(off);
        if let Some(done) = self.waiting.take() {
            self.waiting_ns += done.1 - done.0;
        }
        self.waits_done.clear();
        // Every core the lane ran on is listed, with nothing when it worked
        // on it not at all, as `offcpu::on_cpu_by_core` lists it.
        let cores = std::iter::once(off.start_cpu).chain(off.off.iter().map(|o| o.cpu));
        let cores = cores.flatten().filter(|_| self.worked);
        self.per_core = self.core_times.finish(cores);
    }
}
