//! Off-CPU time as a trace holds it: when each thread was switched out, and
//! why ([`OffCpu`], [`OffCpuKind`]), whether the trace knows at all
//! ([`OffCpuStatus`]), and how much of a stretch of time they took
//! ([`Lane::on_cpu_ns`](crate::Lane::on_cpu_ns) is built on it).
//!
//! A switch out is either a *preemption* (the thread was still runnable and
//! waited for a core) or a *block* (it slept, parked, or waited on a lock
//! or a message). Recording the switches (the kernel's context-switch
//! records) is the `logprof` crate's; a trace read from a file carries the
//! intervals that were written into it.

use serde::Serialize;

/// Why a thread was off its CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OffCpuKind {
    /// Runnable but waiting for a core: another thread had it.
    Preempted,
    /// Not runnable: asleep, parked, or waiting on a lock, a message or I/O.
    Blocked,
}

impl OffCpuKind {
    /// The name of the kind in Chrome JSON events: `preempted` or `blocked`.
    pub fn name(self) -> &'static str {
        match self {
            OffCpuKind::Preempted => "preempted",
            OffCpuKind::Blocked => "blocked",
        }
    }

    /// The kind a Chrome JSON event name stands for.
    pub fn from_name(name: &str) -> Option<OffCpuKind> {
        match name {
            "preempted" => Some(OffCpuKind::Preempted),
            "blocked" => Some(OffCpuKind::Blocked),
            _ => None,
        }
    }
}

/// A stretch of time a thread spent switched out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OffCpu {
    /// When it was switched out, in nanoseconds on the trace's clock.
    pub start_ns: u64,
    /// When it was switched back in (or where the trace ends); never before
    /// `start_ns`.
    pub end_ns: u64,
    /// Preempted or blocked.
    pub kind: OffCpuKind,
    /// The core the thread came back on (the kernel's CPU number), when
    /// recorded: the core of the on-CPU stretch that follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
}

impl OffCpu {
    /// An interval whose core on return is not known.
    pub fn new(start_ns: u64, end_ns: u64, kind: OffCpuKind) -> OffCpu {
        OffCpu {
            start_ns,
            end_ns,
            kind,
            cpu: None,
        }
    }

    /// Time off the CPU.
    pub fn duration_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// Whether a trace knows when its threads were off their CPUs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
// Adjacently tagged: `{"status":"unavailable","detail":"<reason>"}`
// (serde cannot tag a newtype variant holding a string internally).
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum OffCpuStatus {
    /// Not recorded by the tool that made the trace (another tool's file, a
    /// hand-built trace): lanes hold no off-CPU intervals, and the figures
    /// are wall-clock ones, as they always were.
    #[default]
    NotRecorded,
    /// Recorded for every lane: a lane without intervals never left its CPU.
    Recorded {
        /// Switch records the kernel could not write because a ring was
        /// full (their intervals are missing); at least 1 whenever a ring
        /// was found full, the kernel's own count once it could say it.
        lost_switches: u64,
    },
    /// Turned off with `LOGPROF_OFFCPU=0`.
    Disabled,
    /// Asked for, but the system refused it; the reason.
    Unavailable(String),
}

impl OffCpuStatus {
    /// True when the lanes' off-CPU intervals are the whole story.
    pub fn is_recorded(&self) -> bool {
        matches!(self, OffCpuStatus::Recorded { .. })
    }

    /// A line for summaries and picture headers when off-CPU time was asked
    /// for but is missing or incomplete; `None` when there is nothing to say.
    pub fn note(&self) -> Option<String> {
        match self {
            OffCpuStatus::NotRecorded => None,
            OffCpuStatus::Recorded { lost_switches: 0 } => None,
            OffCpuStatus::Recorded { lost_switches } => Some(format!(
                "off-CPU time incomplete: {lost_switches} context-switch records lost"
            )),
            OffCpuStatus::Disabled => {
                Some("off-CPU time not recorded (LOGPROF_OFFCPU=0)".to_owned())
            }
            OffCpuStatus::Unavailable(reason) => {
                Some(format!("off-CPU time not recorded: {reason}"))
            }
        }
    }

    /// The status as one word or phrase for files: `recorded`, `disabled`,
    /// `unavailable: <reason>`; `None` for [`OffCpuStatus::NotRecorded`].
    pub(crate) fn to_text(&self) -> Option<String> {
        match self {
            OffCpuStatus::NotRecorded => None,
            OffCpuStatus::Recorded { .. } => Some("recorded".to_owned()),
            OffCpuStatus::Disabled => Some("disabled".to_owned()),
            OffCpuStatus::Unavailable(r) => Some(format!("unavailable: {r}")),
        }
    }

    /// The status [`OffCpuStatus::to_text`] wrote, with its lost count.
    pub(crate) fn from_text(text: &str, lost_switches: u64) -> OffCpuStatus {
        match text {
            "recorded" => OffCpuStatus::Recorded { lost_switches },
            "disabled" => OffCpuStatus::Disabled,
            other => match other.strip_prefix("unavailable: ") {
                Some(reason) => OffCpuStatus::Unavailable(reason.to_owned()),
                None => OffCpuStatus::NotRecorded,
            },
        }
    }

    /// Switch records lost (0 unless recorded).
    pub fn lost_switches(&self) -> u64 {
        match self {
            OffCpuStatus::Recorded { lost_switches } => *lost_switches,
            _ => 0,
        }
    }
}

/// The part of the sorted, disjoint stretches `off` that lies within
/// `start..end`: `(preempted ns, blocked ns)`.
pub(crate) fn within(off: &[OffCpu], start: u64, end: u64) -> (u64, u64) {
    // Skip the stretches that end before `start`, sum the overlap of those
    // that begin before `end`.
    let first = off.partition_point(|o| o.end_ns <= start);
    let (mut preempted, mut blocked) = (0, 0);
    for o in off[first..].iter().take_while(|o| o.start_ns < end) {
        let overlap = o.end_ns.min(end).saturating_sub(o.start_ns.max(start));
        match o.kind {
            OffCpuKind::Preempted => preempted += overlap,
            OffCpuKind::Blocked => blocked += overlap,
        }
    }
    (preempted, blocked)
}

/// Adds to `per_core` the on-CPU time within each of the sorted, disjoint
/// `busy` stretches, by the core it ran on: a thread that starts on
/// `start_cpu` and moves to each interval's [`OffCpu::cpu`] on return.
/// Returns the on-CPU time whose core is not known.
pub(crate) fn on_cpu_by_core(
    off: &[OffCpu],
    start_cpu: Option<u32>,
    busy: &[(u64, u64)],
    per_core: &mut std::collections::BTreeMap<u32, u64>,
) -> u64 {
    let mut unknown = 0;
    let mut add = |cpu: Option<u32>, from: u64, to: u64| {
        let on = busy_within(busy, from, to);
        match cpu {
            Some(c) => *per_core.entry(c).or_default() += on,
            None => unknown += on,
        }
    };
    // Each on-CPU stretch lies between two intervals (or a lane end).
    let (mut cpu, mut from) = (start_cpu, 0);
    for o in off {
        add(cpu, from, o.start_ns);
        (cpu, from) = (o.cpu, o.end_ns.max(from));
    }
    add(cpu, from, u64::MAX);
    unknown
}

/// The part of the sorted, disjoint stretches `busy` within `start..end`.
fn busy_within(busy: &[(u64, u64)], start: u64, end: u64) -> u64 {
    let first = busy.partition_point(|&(_, e)| e <= start);
    busy[first..]
        .iter()
        .take_while(|&&(s, _)| s < end)
        .map(|&(s, e)| e.min(end).saturating_sub(s.max(start)))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_text() {
        for s in [
            OffCpuStatus::Recorded { lost_switches: 3 },
            OffCpuStatus::Disabled,
            OffCpuStatus::Unavailable("EACCES".into()),
        ] {
            let text = s.to_text().unwrap();
            assert_eq!(OffCpuStatus::from_text(&text, s.lost_switches()), s);
        }
        assert_eq!(OffCpuStatus::NotRecorded.to_text(), None);
        // Every status serialises (summary.json, report --export-json).
        let json = serde_json::to_string(&OffCpuStatus::Unavailable("EACCES".into())).unwrap();
        assert_eq!(json, r#"{"status":"unavailable","detail":"EACCES"}"#);
        for s in [OffCpuStatus::NotRecorded, OffCpuStatus::Disabled] {
            assert!(serde_json::to_string(&s).is_ok());
        }
        assert!(OffCpuStatus::Disabled
            .note()
            .unwrap()
            .contains("LOGPROF_OFFCPU=0"));
    }

    #[test]
    fn on_cpu_time_goes_to_the_core_the_thread_ran_on() {
        let off = [
            OffCpu {
                cpu: Some(1),
                ..OffCpu::new(10, 20, OffCpuKind::Preempted)
            },
            OffCpu::new(30, 35, OffCpuKind::Blocked), // back on a core not known
            OffCpu {
                cpu: Some(0),
                ..OffCpu::new(40, 45, OffCpuKind::Preempted)
            },
        ];
        let busy = [(0, 50), (60, 70)];
        let mut per_core = std::collections::BTreeMap::new();
        let unknown = on_cpu_by_core(&off, Some(0), &busy, &mut per_core);
        // core 0: 0..10, 45..50, 60..70; core 1: 20..30; unknown: 35..40.
        assert_eq!(per_core, [(0, 25), (1, 10)].into_iter().collect());
        assert_eq!(unknown, 5);
    }
}
