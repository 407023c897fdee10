//! Each region's figures: busy time per lane, load balance, parallel
//! efficiency, potential gain, the critical lane, overload and underload,
//! the Amdahl bound of a serial region, and its units (the definitions are
//! in the [module documentation](super)).

use super::detect::{ms, Node};
use super::work::{children, has_children, Piece, Work};
use super::{Region, RegionLane, Unit};
use crate::intervals::{minus, union};
use crate::offcpu;
use crate::trace::Trace;

/// How many units a thread needs for a schedule to have something to
/// rebalance: with fewer, the last unit dealt decides the time.
pub(super) const UNITS_PER_THREAD: usize = 4;

/// How much of a lane's single piece its children must cover to be its
/// units instead.
const CHILDREN_COVER: f64 = 0.9;

/// `num / den`, `None` when `den` is zero.
fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// The most lanes working at one time, given each lane's disjoint busy
/// intervals.
fn concurrency(busy: &[Vec<(u64, u64)>]) -> usize {
    let mut events: Vec<(u64, i32)> = busy
        .iter()
        .flatten()
        .flat_map(|&(s, e)| [(s, 1), (e, -1)])
        .collect();
    // Ends before starts at one instant: a hand-over is not an overlap.
    events.sort_unstable();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, delta) in events {
        now += delta;
        most = most.max(now);
    }
    most.max(0) as usize
}

/// The units of lane `l` in `start..end`: its pieces there, and where a
/// lane holds a single piece whose children cover at least 90 % of it, its
/// children instead (the level where its work splits), down as far as that
/// holds.
fn lane_units(trace: &Trace, work: &Work, l: usize, (start, end): (u64, u64)) -> Vec<Unit> {
    let Some(lane) = trace.lanes.get(l) else {
        return Vec::new();
    };
    let mut pieces: Vec<Piece> = work.clipped(l, start, end);
    while let [only] = pieces[..] {
        if !has_children(&lane.spans, only.span) {
            break;
        }
        let inner: Vec<Piece> = children(&lane.spans, only.span)
            .map(|k| {
                let s = &lane.spans[k];
                Piece {
                    span: k,
                    start: s.start_ns.max(start),
                    end: s.end_ns.min(end),
                    name: s.name,
                }
            })
            .filter(|p| p.end > p.start)
            .collect();
        // Children that leave much of the piece out are not where its work
        // splits (a span timing part of each item): their units would drop
        // the rest of its work.
        let covered: u64 = inner.iter().map(|p| p.end - p.start).sum();
        let whole = only.end.saturating_sub(only.start);
        if inner.is_empty() || (covered as f64) < whole as f64 * CHILDREN_COVER {
            break;
        }
        pieces = inner;
    }
    pieces
        .into_iter()
        .map(|p| Unit {
            lane: l,
            name: trace.name(p.name).to_owned(),
            start_ns: p.start,
            end_ns: p.end,
        })
        .collect()
}

/// What a lane is called in reports, its process named when the trace
/// holds several.
fn label(trace: &Trace, l: usize) -> String {
    let Some(lane) = trace.lanes.get(l) else {
        return format!("lane {l}");
    };
    let several = trace.lanes.iter().any(|o| o.pid != lane.pid);
    let process = several.then(|| trace.process_label(lane.pid));
    crate::summary::lane_label(&lane.thread_name, process.as_deref())
}

/// The figures of one region found as `node`, over a run of `run_wall` ns.
pub(super) fn measure(trace: &Trace, work: &Work, node: &Node, run_wall: u64) -> Region {
    let (start, end) = (node.start, node.end);
    let wall = end.saturating_sub(start);
    let on_cpu = trace.off_cpu.is_recorded();
    let mut busy: Vec<Vec<(u64, u64)>> = Vec::new();
    let mut lanes: Vec<RegionLane> = Vec::new();
    for l in 0..trace.lanes.len() {
        // Its pieces of work in the region, less the time it waited.
        let intervals = minus(
            &union(
                work.clipped(l, start, end)
                    .iter()
                    .map(|p| (p.start, p.end))
                    .collect(),
            ),
            &work.waiting[l],
        );
        let busy_ns: u64 = intervals.iter().map(|(s, e)| e - s).sum();
        if busy_ns == 0 {
            continue;
        }
        let off: u64 = intervals
            .iter()
            .map(|&(s, e)| {
                let (p, b) = offcpu::within(&trace.lanes[l].off_cpu, s, e);
                p + b
            })
            .sum();
        lanes.push(RegionLane {
            lane: l,
            label: label(trace, l),
            busy_ns,
            on_cpu_busy_ns: busy_ns.saturating_sub(off),
            overload_ns: 0.0,
        });
        busy.push(intervals);
    }
    let work_of = |l: &RegionLane| if on_cpu { l.on_cpu_busy_ns } else { l.busy_ns };
    let threads = lanes.len();
    let max_busy = lanes.iter().map(work_of).max().unwrap_or(0);
    let sum: f64 = lanes.iter().map(|l| work_of(l) as f64).sum();
    let mean = ratio(sum, threads as f64).unwrap_or(0.0);
    // As the summary does: threads sharing fewer cores can at best share
    // out the work over the cores (only on-CPU time adds up to that).
    let usable = match trace.cores {
        Some(cores) if on_cpu => threads.min(cores as usize),
        _ => threads,
    };
    let ideal = ratio(sum, usable as f64).unwrap_or(0.0);
    for l in &mut lanes {
        l.overload_ns = work_of(l) as f64 - mean;
    }
    let critical = lanes
        .iter()
        .max_by_key(|l| (work_of(l), std::cmp::Reverse(l.lane)))
        .map(|l| l.label.clone());
    let serial = threads > 0 && concurrency(&busy) <= 1;
    let share = ratio(wall as f64, run_wall as f64).unwrap_or(0.0);
    let potential_gain = if threads == 0 {
        0.0
    } else {
        (wall as f64 - ideal).max(0.0)
    };
    let mut units: Vec<Unit> = lanes
        .iter()
        .flat_map(|l| lane_units(trace, work, l.lane, (start, end)))
        .collect();
    units.sort_by_key(|u| (u.start_ns, u.lane));
    let largest = units.iter().map(Unit::duration_ns).max().unwrap_or(0);
    let mut region = Region {
        id: 0,
        name: trace.name(node.name).to_owned(),
        found: node.found,
        parent: None,
        start_ns: start,
        end_ns: end,
        wall_ns: wall,
        share,
        serial,
        threads,
        lanes,
        mean_busy_ns: mean,
        ideal_ns: ideal,
        max_busy_ns: max_busy,
        load_balance: ratio(mean, max_busy as f64),
        parallel_efficiency: ratio(ideal, wall as f64).filter(|_| threads > 0),
        potential_gain_ns: potential_gain,
        imbalance_ns: max_busy as f64 - mean,
        critical_lane: critical,
        amdahl_share: serial.then_some(share),
        max_speedup: if serial { ratio(1.0, share) } else { None },
        could_save_ns: if serial { wall as f64 } else { potential_gain },
        rank: None,
        unit_count: units.len(),
        largest_unit_ns: largest,
        units,
        notes: Vec::new(),
        advice: None,
    };
    region.notes = notes(&region);
    region
}

/// What a serial stretch of `share` of the run (more than 0) bounds the
/// run's speed-up to, said.
pub(super) fn amdahl_note(share: f64) -> String {
    format!(
        "serial: {:.1} % of the run, so no number of threads makes the run more than {:.1}× \
         faster (Amdahl: 1 / {share:.3})",
        share * 100.0,
        1.0 / share
    )
}

/// What a region's figures warn of.
fn notes(r: &Region) -> Vec<String> {
    let mut out = Vec::new();
    if r.threads == 0 {
        out.push(
            "no lane worked in it (its spans only wait for others): nothing to balance".to_owned(),
        );
        return out;
    }
    if let Some(share) = r.amdahl_share.filter(|&s| s > 0.0) {
        out.push(amdahl_note(share));
    }
    let largest = r.units.iter().max_by_key(|u| u.duration_ns());
    if let ([_], Some(u)) = (&r.units[..], largest) {
        out.push(format!(
            "one unit ('{}', {}): a schedule has nothing to share out",
            u.name,
            ms(u.duration_ns())
        ));
    } else if r.unit_count < UNITS_PER_THREAD * r.threads && !r.serial {
        out.push(format!(
            "{} units for {} threads: a schedule cannot rebalance a few big pieces (it needs \
             {} a thread)",
            r.unit_count, r.threads, UNITS_PER_THREAD
        ));
    }
    if let Some(u) = largest.filter(|u| r.threads > 1 && u.duration_ns() as f64 > r.ideal_ns) {
        out.push(format!(
            "its largest unit ('{}', {}) is longer than its ideal time ({}): a unit larger than \
             the ideal time bounds every schedule",
            u.name,
            ms(u.duration_ns()),
            ms(r.ideal_ns.round() as u64)
        ));
    }
    out
}
