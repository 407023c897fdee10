//! Off-CPU time: when each recording thread was switched out, and why.
//!
//! A thread's lane shows when it was inside a span, but not whether it had a
//! core all that time. On Linux every thread that records also opens a
//! context-switch event of its own (`perf_event_open`, a software dummy event
//! with `context_switch = 1`; see `perf`), and the kernel writes a record into
//! a small ring each time the thread is switched out or back in. Nothing of
//! this touches the recording hot path: the rings are emptied when a thread
//! starts a new recording, read by a background thread every 20 ms (see
//! [`start_drainer`]) and at `collect()`; what a full ring lost is counted.
//!
//! A switch out is either a *preemption* (the thread was still runnable and
//! waited for a core: the kernel flags it `PERF_RECORD_MISC_SWITCH_OUT_PREEMPT`)
//! or a *block* (it slept, parked, or waited on a lock or a message). Each
//! pair of a switch out and the next switch in is one [`OffCpu`] interval.
//!
//! Where this cannot be done (another OS, `perf_event_paranoid` 3, a seccomp
//! filter), or when `LOGPROF_OFFCPU=0`, the trace says so in its
//! [`OffCpuStatus`] and everything else works as without it.
//!
//! This module records; the intervals and the status as a trace holds them,
//! and what the summary makes of them, are `logprof-trace`'s.

#[cfg(target_os = "linux")]
mod perf;

use logprof_trace::{OffCpu, OffCpuKind, OffCpuStatus};

/// True unless `LOGPROF_OFFCPU=0` (or `off`, `false`) turns recording off.
fn enabled_by_env() -> bool {
    std::env::var("LOGPROF_OFFCPU")
        .map(|v| !matches!(v.trim(), "0" | "off" | "false"))
        .unwrap_or(true)
}

/// One switch record: when (CLOCK_MONOTONIC ns), on which core, and whether
/// it is a switch out (with its kind) or a switch in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Switch {
    /// Switched out at the time, for the reason, from the core.
    Out(u64, OffCpuKind, u32),
    /// Switched back in at the time, on the core.
    In(u64, u32),
    /// Records were lost here: a switch out pending may have had its
    /// switch in lost, so it is dropped rather than stretched.
    Lost,
}

/// Pairs switch records into intervals: a switch out and the next switch in
/// make one. `pending` carries a switch out with no switch in yet from one
/// batch of records to the next. A switch in with nothing pending (its
/// switch out was lost or came before the ring was opened) is skipped, and
/// a second switch out replaces the first.
#[derive(Debug, Default)]
pub(crate) struct Pairing {
    pending: Option<(u64, OffCpuKind)>,
    /// The core the thread was on when the records began, when known.
    start_cpu: Option<u32>,
    /// Finished intervals in CLOCK_MONOTONIC ns.
    intervals: Vec<Interval>,
}

/// `(start, end, kind, the core it came back on)`.
pub(crate) type Interval = (u64, u64, OffCpuKind, Option<u32>);

impl Pairing {
    /// A pairing of a thread now running on `cpu`.
    pub(crate) fn starting_on(cpu: Option<u32>) -> Pairing {
        Pairing {
            start_cpu: cpu,
            ..Pairing::default()
        }
    }

    pub(crate) fn push(&mut self, switch: Switch) {
        match switch {
            Switch::Out(t, kind, cpu) => {
                // The first switch out says where the thread began.
                if self.intervals.is_empty() {
                    self.start_cpu.get_or_insert(cpu);
                }
                self.pending = Some((t, kind));
            }
            Switch::Lost => self.pending = None,
            Switch::In(t, cpu) => {
                if let Some((start, kind)) = self.pending.take() {
                    self.intervals.push((start, t.max(start), kind, Some(cpu)));
                }
            }
        }
    }

    /// Forgets everything: a new recording starts, the thread on `cpu`.
    /// Allocates nothing.
    pub(crate) fn clear(&mut self, cpu: Option<u32>) {
        self.pending = None;
        self.start_cpu = cpu;
        self.intervals.clear();
    }

    /// The core the thread was on when the records began.
    pub(crate) fn start_cpu(&self) -> Option<u32> {
        self.start_cpu
    }

    /// The intervals, the one still open ending at `now`.
    pub(crate) fn intervals(&self, now: u64) -> Vec<Interval> {
        let mut all = self.intervals.clone();
        if let Some((start, kind)) = self.pending {
            all.push((start, now.max(start), kind, None));
        }
        all
    }
}

/// A recording thread's context-switch source.
pub(crate) enum ThreadSwitches {
    /// Recording: the ring and what was read from it.
    #[cfg(target_os = "linux")]
    Open(std::sync::Mutex<perf::SwitchRing>),
    /// `LOGPROF_OFFCPU=0`.
    Disabled,
    /// The system refused; why.
    Unavailable(String),
}

impl ThreadSwitches {
    /// Opens the context-switch records of the calling thread; called once
    /// per thread, when it first records.
    pub(crate) fn open_for_current_thread() -> ThreadSwitches {
        if !enabled_by_env() {
            return ThreadSwitches::Disabled;
        }
        #[cfg(target_os = "linux")]
        {
            match perf::SwitchRing::open_current_thread() {
                Ok(ring) => ThreadSwitches::Open(std::sync::Mutex::new(ring)),
                Err(reason) => ThreadSwitches::Unavailable(reason),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            ThreadSwitches::Unavailable("context-switch records need Linux".to_owned())
        }
    }

    /// True when the thread's switches are being recorded.
    pub(crate) fn is_open(&self) -> bool {
        #[cfg(target_os = "linux")]
        if let ThreadSwitches::Open(_) = self {
            return true;
        }
        false
    }

    /// Reads what the kernel wrote since the last read into the pairing,
    /// freeing the ring for more (see [`start_drainer`]).
    pub(crate) fn drain(&self) {
        #[cfg(target_os = "linux")]
        if let ThreadSwitches::Open(ring) = self {
            ring.lock().unwrap_or_else(|e| e.into_inner()).drain();
        }
    }

    /// Forgets what the ring holds: the thread starts a new recording.
    /// Allocates nothing (recording after a `clear` must not).
    pub(crate) fn restart(&self) {
        #[cfg(target_os = "linux")]
        if let ThreadSwitches::Open(ring) = self {
            ring.lock().unwrap_or_else(|e| e.into_inner()).discard();
        }
    }

    /// Reads the ring and returns the thread's off-CPU intervals in
    /// CLOCK_MONOTONIC ns, the one still open ending at `now`, the core it
    /// began on, and the records lost so far.
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    fn read(&self, now: u64) -> (Vec<Interval>, Option<u32>, u64) {
        match self {
            #[cfg(target_os = "linux")]
            ThreadSwitches::Open(ring) => {
                let mut ring = ring.lock().unwrap_or_else(|e| e.into_inner());
                ring.drain();
                (
                    ring.pairing.intervals(now),
                    ring.pairing.start_cpu(),
                    ring.lost,
                )
            }
            _ => (Vec::new(), None, 0),
        }
    }
}

/// The name of the drainer thread, which the recorder never registers.
pub(crate) const DRAINER_NAME: &str = "logprof-offcpu";

/// How often the drainer empties every ring: a ring of 256 KiB holds about
/// 5400 switches (or 10,900 records), which only a thread switched every
/// 4 µs fills in 20 ms; two threads handing a token back and forth as fast
/// as they can write about 80 KiB in 20 ms on the development VM. (Waking
/// every 20 ms costs a few µs: under 0.05 % of a core.)
const DRAIN_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// Starts, once per process, a thread that calls `drain_all` (which reads
/// every recording thread's ring) every [`DRAIN_EVERY`], so long runs lose
/// no switch records between `collect()`s. It never records: the recorder
/// refuses to register a thread of this name, so even an allocator that
/// records gives it no lane (and it holds the cold-path guard all along).
pub(crate) fn start_drainer(drain_all: fn()) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        // A failure to start it only means drains at `collect()` alone.
        let _ = std::thread::Builder::new()
            .name(DRAINER_NAME.to_owned())
            .spawn(move || {
                let _cold = crate::reentry::ColdGuard::enter();
                loop {
                    std::thread::sleep(DRAIN_EVERY);
                    drain_all();
                }
            });
    });
}

/// Gives each lane of a freshly collected trace its off-CPU intervals, read
/// from the threads' rings (`threads`: lane tid and its source), clipped to
/// the trace's time range, and sets the trace's [`OffCpuStatus`].
pub(crate) fn attach<'a>(
    trace: &mut crate::Trace,
    threads: impl IntoIterator<Item = (u64, &'a ThreadSwitches)>,
) {
    let now = crate::clock::monotonic_now_ns();
    let range = trace.time_range();
    let mut status: Option<OffCpuStatus> = None;
    let mut lost = 0;
    for (tid, source) in threads {
        match source {
            ThreadSwitches::Disabled => {
                status.get_or_insert(OffCpuStatus::Disabled);
            }
            ThreadSwitches::Unavailable(reason) => {
                status = Some(OffCpuStatus::Unavailable(reason.clone()));
            }
            #[cfg(target_os = "linux")]
            ThreadSwitches::Open(_) => {}
        }
        let (intervals, start_cpu, thread_lost) = source.read(now);
        lost += thread_lost;
        let (Some(lane), Some((lo, hi))) = (trace.lanes.iter_mut().find(|l| l.tid == tid), range)
        else {
            continue;
        };
        // The lane begins on the core the last interval before it returned
        // to, or where the records began.
        lane.start_cpu = intervals
            .iter()
            .rev()
            .find(|i| crate::clock::monotonic_to_trace_ns(i.1) <= lo)
            .map_or(start_cpu, |i| i.3);
        lane.off_cpu = intervals
            .into_iter()
            .filter_map(|(s, e, kind, cpu)| {
                let start = crate::clock::monotonic_to_trace_ns(s).max(lo);
                let end = crate::clock::monotonic_to_trace_ns(e).min(hi);
                (start < end).then_some(OffCpu {
                    start_ns: start,
                    end_ns: end,
                    kind,
                    cpu,
                })
            })
            .collect();
    }
    trace.off_cpu = match status {
        Some(status) => {
            for lane in &mut trace.lanes {
                lane.off_cpu.clear();
                lane.start_cpu = None;
            }
            status
        }
        None if !enabled_by_env() => OffCpuStatus::Disabled,
        None => OffCpuStatus::Recorded {
            lost_switches: lost,
        },
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_makes_intervals_and_skips_orphans() {
        let mut p = Pairing::default();
        p.push(Switch::In(5, 3)); // its switch out came before the ring
        p.push(Switch::Out(10, OffCpuKind::Preempted, 0));
        p.push(Switch::In(15, 1));
        p.push(Switch::Out(20, OffCpuKind::Blocked, 1));
        assert_eq!(p.start_cpu(), Some(0), "where the first switch out left");
        assert_eq!(
            p.intervals(30),
            [
                (10, 15, OffCpuKind::Preempted, Some(1)),
                (20, 30, OffCpuKind::Blocked, None)
            ]
        );
        p.push(Switch::In(25, 0));
        assert_eq!(p.intervals(30).len(), 2);
        p.push(Switch::Out(26, OffCpuKind::Blocked, 0));
        p.push(Switch::Lost);
        p.push(Switch::In(40, 1));
        assert_eq!(p.intervals(50).len(), 2, "no interval across lost records");
        p.clear(Some(1));
        assert!(p.intervals(30).is_empty());
        assert_eq!(p.start_cpu(), Some(1), "the core at the restart");
        p.push(Switch::Out(60, OffCpuKind::Blocked, 0));
        assert_eq!(p.start_cpu(), Some(1), "the core asked at the restart wins");
    }

    #[test]
    fn a_thread_the_system_refused_makes_the_trace_say_unavailable() {
        let mut trace = crate::Trace::new();
        let f = trace.intern("f");
        let mut lane = crate::Lane::with_spans(1, 1, "a", [crate::Span::new(f, 0, 10, 0)]);
        lane.off_cpu.push(OffCpu {
            start_ns: 2,
            end_ns: 4,
            kind: OffCpuKind::Blocked,
            cpu: None,
        });
        trace.lanes.push(lane);
        let refused = ThreadSwitches::Unavailable("perf_event_open refused (EACCES)".into());
        attach(&mut trace, [(1, &refused)]);
        assert_eq!(
            trace.off_cpu,
            OffCpuStatus::Unavailable("perf_event_open refused (EACCES)".into())
        );
        assert!(trace.lanes[0].off_cpu.is_empty(), "no partial off-CPU time");
        let s = trace.summary();
        assert!(s.off_cpu.note().unwrap().contains("EACCES"));
        assert_eq!(s.lanes[0].on_cpu_busy_ns, s.lanes[0].busy_ns);
    }
}
