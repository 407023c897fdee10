//! The machine's side of a summary: how evenly the run's work kept the
//! cores busy, and which lanes waited for a core rather than idled.
//!
//! Two balances answer two questions once threads outnumber cores:
//!
//! - `load_balance` (the split's): mean / max of the lanes' on-CPU busy
//!   time, over the lanes: how evenly the schedule divided
//!   the work among its threads. A lane that did no work and hardly ever
//!   had a core ([`waited_all_along`]) is counted and named
//!   (`waited_lanes`), not left out: switch records cannot tell it from an
//!   idle worker that yields as it spins on a busy machine.
//! - `core_load_balance` (the machine's): `min(1, (Σ on-CPU busy / n) /
//!   busiest core's on-CPU busy)`, `n` = `min(threads, cores)`, from each
//!   core's share of the lanes' on-CPU busy time where the trace records the
//!   core of every on-CPU stretch; else `min(1, Σ on-CPU busy / (n × wall))`,
//!   a lower bound (no core is busy longer than the wall time).
//!
//! When the machine's balance falls short, `placement_loss_ns` says
//! whether the machine, not the schedule, is to blame: the core time during
//! which a core ran none of the run's work while a thread of it, holding
//! work, was runnable and waited for one. The schedule cannot cause that;
//! the OS's thread placement (a core left idle, a thread not moved to it)
//! or another program on that core does.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::intervals::{minus, union};
use crate::offcpu::{on_cpu_by_core, within, OffCpuKind};
use crate::trace::Lane;

/// The on-CPU busy time the scored lanes spent on one core.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoreBusy {
    /// The kernel's number of the core.
    pub cpu: u32,
    /// Time inside top-level spans that some lane ran on this core.
    pub on_cpu_busy_ns: u64,
}

/// Each core's on-CPU busy time over `lanes`, each with the intervals it
/// worked ([`Trace::work_intervals`](crate::Trace::work_intervals)), busiest core first (ties by
/// number); `None` when some on-CPU busy time has no recorded core.
pub(crate) fn core_busy<'a>(
    lanes: impl IntoIterator<Item = (&'a Lane, &'a [(u64, u64)])>,
) -> Option<Vec<CoreBusy>> {
    let mut per_core = BTreeMap::new();
    for (lane, busy) in lanes {
        if busy.is_empty() {
            continue;
        }
        let unknown = on_cpu_by_core(&lane.off_cpu, lane.start_cpu, busy, &mut per_core);
        if unknown > 0 {
            return None;
        }
    }
    Some(sorted(per_core))
}

/// [`core_busy`] from each lane's on-CPU busy time per core already added
/// up, with the part whose core is not known (the streaming pass).
pub(crate) fn core_busy_of<'a>(
    lanes: impl IntoIterator<Item = (&'a BTreeMap<u32, u64>, u64)>,
) -> Option<Vec<CoreBusy>> {
    let mut per_core: BTreeMap<u32, u64> = BTreeMap::new();
    for (cores, unknown) in lanes {
        if unknown > 0 {
            return None;
        }
        for (&cpu, &ns) in cores {
            *per_core.entry(cpu).or_default() += ns;
        }
    }
    Some(sorted(per_core))
}

/// The cores, busiest first (ties by number).
fn sorted(per_core: BTreeMap<u32, u64>) -> Vec<CoreBusy> {
    let mut cores: Vec<CoreBusy> = per_core
        .into_iter()
        .map(|(cpu, on_cpu_busy_ns)| CoreBusy {
            cpu,
            on_cpu_busy_ns,
        })
        .collect();
    cores.sort_by_key(|c| (std::cmp::Reverse(c.on_cpu_busy_ns), c.cpu));
    cores
}

/// The machine's balance (see the module): from `per_core` when known, else
/// the lower bound from the sum of on-CPU busy time. 1.0 when nothing ran.
pub(crate) fn core_load_balance(
    per_core: &[CoreBusy],
    sum_on_cpu_ns: f64,
    usable_cores: usize,
    wall_ns: u64,
) -> f64 {
    let n = usable_cores.max(1) as f64;
    let busiest = match per_core.first() {
        Some(core) => core.on_cpu_busy_ns as f64,
        None => wall_ns as f64,
    };
    if busiest == 0.0 || sum_on_cpu_ns == 0.0 {
        return 1.0;
    }
    (sum_on_cpu_ns / n / busiest).min(1.0)
}

/// The core time (core × ns) during which fewer than `usable_cores` cores
/// ran the lanes' work while a lane with work still to come was preempted
/// (runnable, no core): at each moment, `min(free cores, waiting lanes)`,
/// where a core is free when it runs none of the lanes' work. `lanes` pairs
/// each lane with the intervals it worked
/// ([`Trace::work_intervals`](crate::Trace::work_intervals)). A lane that is
/// blocked is waiting for something else than a core, and a lane past its
/// last work is only looking for more, so neither counts.
pub(crate) fn placement_loss_ns<'a>(
    lanes: impl IntoIterator<Item = (&'a Lane, &'a [(u64, u64)])>,
    usable_cores: usize,
) -> u64 {
    // +1/−1 steps of the cores working and the lanes waiting for one.
    let mut steps: Vec<(u64, i64, i64)> = Vec::new();
    for (lane, work) in lanes {
        let Some(&(_, last_end)) = work.last() else {
            continue;
        };
        let off: Vec<(u64, u64)> = lane
            .off_cpu
            .iter()
            .map(|o| (o.start_ns, o.end_ns))
            .collect();
        for (start, end) in minus(work, &union(off)) {
            steps.extend([(start, 1, 0), (end, -1, 0)]);
        }
        for o in lane.off_cpu.iter() {
            let end = o.end_ns.min(last_end);
            if o.kind == OffCpuKind::Preempted && o.start_ns < end {
                steps.extend([(o.start_ns, 0, 1), (end, 0, -1)]);
            }
        }
    }
    steps.sort_unstable_by_key(|&(t, ..)| t);
    let (mut working, mut waiting, mut lost) = (0i64, 0i64, 0u64);
    let mut at = steps.first().map_or(0, |s| s.0);
    for (t, d_working, d_waiting) in steps {
        let free = (usable_cores as i64 - working).max(0);
        lost += (t - at) * free.min(waiting).max(0) as u64;
        (at, working, waiting) = (t, working + d_working, waiting + d_waiting);
    }
    lost
}

/// Time outside the lane's top-level spans that it was preempted (runnable,
/// no core) while it still had work to come: from `region_start` to the end
/// of its last top-level span, or to `region_end` for a lane with none.
/// After its last span a runnable lane is only looking for work (a rayon
/// worker yields while it spins), so that time is idle.
pub(crate) fn waited_for_core_ns(lane: &Lane, region_start: u64, region_end: u64) -> u64 {
    let busy = lane.busy_intervals();
    let until = busy.last().map_or(region_end, |&(_, end)| end);
    let preempted = |start: u64, end: u64| within(&lane.off_cpu, start, end.max(start)).0;
    let inside: u64 = busy
        .iter()
        .map(|&(s, e)| preempted(s.max(region_start), e))
        .sum();
    preempted(region_start, until).saturating_sub(inside)
}

/// True when the lane did no work in the region and hardly ever had a core
/// in it: preempted at least half of it and on a CPU under 1 % of it: it
/// may never have got a core while the others worked. (An idle rayon worker
/// yields as it spins, which also reads as preempted; on a busy machine it
/// too can look like this, so the summary names such lanes and still counts
/// them in the split's balance.)
pub(crate) fn waited_all_along(lane: &Lane, region_start: u64, region_end: u64) -> bool {
    let has_work = lane.spans.iter().any(|s| s.depth == 0);
    waited_all_along_off(&lane.off_cpu, has_work, region_start, region_end)
}

/// [`waited_all_along`] of a lane whose off-CPU intervals are `off` and
/// that has a top-level span when `has_work`.
pub(crate) fn waited_all_along_off(
    off: &[crate::OffCpu],
    has_work: bool,
    region_start: u64,
    region_end: u64,
) -> bool {
    if has_work {
        return false;
    }
    let wall = region_end.saturating_sub(region_start);
    let (preempted, blocked) = within(off, region_start, region_end);
    let on_cpu = wall.saturating_sub(preempted + blocked);
    wall > 0 && preempted * 2 >= wall && on_cpu * 100 < wall
}

impl crate::Summary {
    /// The placement loss as a share of the usable cores' time over the
    /// run, when it is worth saying (at least 1 %).
    pub fn placement_loss_share(&self) -> Option<f64> {
        let core_time = self.usable_cores as f64 * self.wall_ns as f64;
        let share = self.placement_loss_ns? as f64 / core_time;
        (core_time > 0.0 && share >= 0.01).then_some(share)
    }

    /// What a report says of cores beside threads: when threads outnumber
    /// cores, the two balances named apart; then each lane that waited for
    /// a core while it had work to come. Empty when there is nothing to say.
    pub fn core_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let cores = self.cores.filter(|&c| self.threads > c as usize);
        if let (Some(cores), true) = (cores, self.scored_lanes > 0) {
            let how = if self.core_busy.is_empty() {
                "lower bound: no core recorded per switch"
            } else {
                "from each core's on-CPU busy time"
            };
            lines.push(format!(
                "two balances: the split's load balance {:.3} (how evenly the work was divided among the \
                 threads, on-CPU)   the machine's core load balance {:.3} (how evenly the work kept \
                 the {} of {cores} cores it could use busy; {how})",
                self.load_balance, self.core_load_balance, self.usable_cores
            ));
        }
        if let Some(share) = self.placement_loss_share() {
            lines.push(format!(
                "placement loss {:.3} ms of core time ({:.1} % of the {} cores' time): a core ran \
                 none of this run's work while a thread with work waited for one (the OS's \
                 thread placement or another program on that core, not the schedule's doing)",
                self.placement_loss_ns.unwrap_or(0) as f64 / 1e6,
                share * 100.0,
                self.usable_cores
            ));
        }
        for lane in self.lanes.iter().filter(|l| l.waited_for_core_ns > 0) {
            lines.push(format!(
                "{}: waited for a core {:.3} ms while it had work to come (runnable, no core: \
                 neither idle nor imbalance){}",
                lane.label(),
                lane.waited_for_core_ns as f64 / 1e6,
                if lane.busy_ns == 0 {
                    "; it did no work (see waited_lanes)"
                } else {
                    ""
                }
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use crate::offcpu::{OffCpu, OffCpuKind, OffCpuStatus};
    use crate::trace::{Lane, Span, Trace};

    fn back_on(start: u64, end: u64, kind: OffCpuKind, cpu: u32) -> OffCpu {
        OffCpu {
            cpu: Some(cpu),
            ..OffCpu::new(start, end, kind)
        }
    }

    /// Four threads on two cores over 0..100: `a` works throughout on core
    /// 0; `b` works 0..60 and 80..100, preempted 10..30 (back on core 1) and
    /// between its spans 60..80; `c` never gets a core; `d` works 0..10 on
    /// core 1, then spins for work (preempted) to the end.
    fn four_on_two() -> Trace {
        let span = |s, e| Span::new(0, s, e, 0);
        let mut a = Lane::with_spans(1, 1, "a", [span(0, 100)]);
        a.start_cpu = Some(0);
        let mut b = Lane::with_spans(1, 2, "b", [span(0, 60), span(80, 100)]);
        b.start_cpu = Some(0);
        b.off_cpu = vec![
            back_on(10, 30, OffCpuKind::Preempted, 1),
            back_on(60, 80, OffCpuKind::Preempted, 1),
        ];
        let mut c = Lane::new(1, 3, "c");
        c.start_cpu = Some(1);
        c.off_cpu = vec![back_on(0, 100, OffCpuKind::Preempted, 1)];
        let mut d = Lane::with_spans(1, 4, "d", [span(0, 10)]);
        d.start_cpu = Some(1);
        d.off_cpu = vec![back_on(10, 100, OffCpuKind::Preempted, 1)];
        Trace {
            names: vec!["work".into()],
            lanes: vec![a, b, c, d],
            cores: Some(2),
            off_cpu: OffCpuStatus::Recorded { lost_switches: 0 },
            ..Trace::default()
        }
    }

    #[test]
    fn a_core_without_our_work_while_work_waited_is_the_machines_loss() {
        let trace = four_on_two();
        let s = trace.summary();
        // b waits for a core 10..30 and 60..80 while only a works: a core
        // is free of our work (c and d are preempted, d past its work).
        assert_eq!(s.placement_loss_ns, Some(40));
        let lines = s.core_lines().join("\n");
        assert!(
            lines.contains("placement loss 0.000 ms of core time (20.0 %"),
            "{lines}"
        );
        // On one core, b's waits are for a's core, which works: no loss.
        let work: Vec<_> = trace
            .lanes
            .iter()
            .map(|l| trace.work_intervals(l))
            .collect();
        let lanes = || trace.lanes.iter().zip(work.iter().map(Vec::as_slice));
        assert_eq!(super::placement_loss_ns(lanes(), 1), 0);
        assert_eq!(super::placement_loss_ns(lanes(), 2), 40);
        // Three cores: 10..30 two are free but only b waits.
        assert_eq!(super::placement_loss_ns(lanes(), 3), 40);
    }

    #[test]
    fn a_lane_that_never_got_a_core_waited_and_is_named() {
        let s = four_on_two().summary();
        let waited: Vec<u64> = s.lanes.iter().map(|l| l.waited_for_core_ns).collect();
        // b between its spans; c all along; d after its last span is idle.
        assert_eq!(waited, [0, 20, 100, 0]);
        let on_cpu: Vec<u64> = s.lanes.iter().map(|l| l.on_cpu_busy_ns).collect();
        assert_eq!(on_cpu, [100, 60, 0, 10]);
        assert_eq!((s.threads, s.waited_lanes, s.usable_cores), (4, 1, 2));
        // The split counts c, and names it.
        assert_eq!(s.load_balance, (170.0 / 4.0) / 100.0);
        assert_eq!(s.max_on_cpu_busy_ns, 100);
        // Efficiency still counts every thread's share of the cores.
        assert_eq!(s.parallel_efficiency, 170.0 / 200.0);
        let lines = s.core_lines();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(
            lines[0].contains("split's load balance 0.425"),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("core load balance 0.773"), "{}", lines[0]);
        assert!(lines[1].starts_with("placement loss"));
        assert!(lines[2].starts_with("b: waited for a core 0.000 ms"));
        assert!(lines[3].contains("did no work"));
    }

    #[test]
    fn the_machine_balance_comes_from_each_cores_share() {
        let s = four_on_two().summary();
        // core 0: a 0..100, b 0..10; core 1: b 30..60 and 80..100, d 0..10.
        let cores: Vec<(u32, u64)> = s
            .core_busy
            .iter()
            .map(|c| (c.cpu, c.on_cpu_busy_ns))
            .collect();
        assert_eq!(cores, [(0, 110), (1, 60)]);
        assert_eq!(s.core_load_balance, 170.0 / 2.0 / 110.0);
    }

    #[test]
    fn without_cores_the_machine_balance_is_the_lower_bound() {
        let mut trace = four_on_two();
        trace.lanes[0].start_cpu = None;
        let s = trace.summary();
        assert!(s.core_busy.is_empty(), "a's core is not known");
        assert_eq!(s.core_load_balance, 170.0 / (2.0 * 100.0));
        // Without off-CPU records nothing waited, and every figure is wall.
        trace.off_cpu = OffCpuStatus::NotRecorded;
        for lane in &mut trace.lanes {
            lane.off_cpu.clear();
        }
        let s = trace.summary();
        assert_eq!((s.waited_lanes, s.usable_cores), (0, 4));
        assert_eq!(s.core_load_balance, 190.0 / (4.0 * 100.0));
    }

    #[test]
    fn cores_round_trip_through_chrome_json_and_old_files_still_read() {
        let trace = four_on_two();
        let json = trace.to_chrome_json();
        let back = Trace::from_chrome_json_str(&json).unwrap();
        for (lane, read) in trace.lanes.iter().zip(&back.lanes) {
            assert_eq!(read.start_cpu, lane.start_cpu);
            assert_eq!(read.off_cpu, lane.off_cpu);
        }
        assert_eq!(back.summary().core_busy, trace.summary().core_busy);
        // A file written before cores were recorded: no `cpu` anywhere.
        let old = json.replace(",\"cpu\":0", "").replace(",\"cpu\":1", "");
        let old = old.replace(",\"args\":{\"cpu\":1}", "");
        assert!(!old.contains("\"cpu\""));
        let back = Trace::from_chrome_json_str(&old).unwrap();
        assert!(back.lanes.iter().all(|l| l.start_cpu.is_none()));
        assert!(back
            .lanes
            .iter()
            .flat_map(|l| &l.off_cpu)
            .all(|o| o.cpu.is_none()));
        let s = back.summary();
        assert!(s.core_busy.is_empty());
        assert_eq!(s.core_load_balance, 170.0 / (2.0 * 100.0));
    }
}
