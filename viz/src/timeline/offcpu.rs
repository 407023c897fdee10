//! Off-CPU time in the thread view: a thread inside a span but switched out
//! is drawn over its bars, washed out, cross-hatched when it was preempted
//! (runnable, no core) and plain when it was blocked (asleep, waiting).
//! Outside its spans, a thread preempted while it still had work to come
//! waited for a core, not for work: cross-hatched too, never drawn as
//! idle. Other off-CPU time outside spans is idle (the idle hatch). The
//! panel header says when there were more threads than cores (of one
//! process or of several, as the ranks of a merged MPI trace), and when
//! off-CPU time was asked for but not recorded.

use logprof_trace::{Lane, OffCpuKind, Summary};
use svg::node::element::{Group, Line, Pattern, Rectangle};
use svg::Node;

use super::elements::r2;
use super::model::LegendEntry;
use crate::bars::TimeScale;
use crate::scale::duration;

/// The fill of preempted stretches (`#preempted-hatch`).
const PREEMPTED_FILL: &str = "url(#preempted-hatch)";
/// The wash over blocked stretches inside a span.
const BLOCKED_FILL: &str = "#ffffff";

/// The lane's off-CPU time inside its top-level spans (`busy`), in x over
/// the window; stretches under half a pixel are left out.
pub(super) fn stretches(
    lane: &Lane,
    busy: &[(u64, u64)],
    scale: &TimeScale,
) -> Vec<(f64, f64, OffCpuKind)> {
    let mut out = Vec::new();
    for off in &lane.off_cpu {
        let first = busy.partition_point(|&(_, end)| end <= off.start_ns);
        for &(s, e) in busy[first..].iter().take_while(|&&(s, _)| s < off.end_ns) {
            let (a, b) = (
                off.start_ns.max(s).max(scale.lo),
                off.end_ns.min(e).min(scale.hi),
            );
            if b <= a {
                continue;
            }
            let (x0, x1) = (scale.x_of(a), scale.x_of(b));
            if x1 - x0 >= 0.5 {
                out.push((x0, x1, off.kind));
            }
        }
    }
    out
}

/// The lane's preempted time outside its top-level spans (`busy`) while it
/// still had work to come (before its last span ends; the whole `region`
/// for a lane with none), as the summary's `waited_for_core_ns` counts it:
/// runnable, waiting for a core, not idle. In x over the window, as
/// preempted stretches.
pub(super) fn waited_for_core(
    lane: &Lane,
    busy: &[(u64, u64)],
    region: (u64, u64),
    scale: &TimeScale,
) -> Vec<(f64, f64, OffCpuKind)> {
    if lane.off_cpu.is_empty() {
        return Vec::new();
    }
    let until = busy.last().map_or(region.1, |&(_, end)| end);
    // The gaps between the busy stretches, from the region's start.
    let mut gaps = Vec::new();
    let mut from = region.0;
    for &(s, e) in busy {
        if s > from {
            gaps.push((from, s.min(until)));
        }
        from = from.max(e);
    }
    if from < until {
        gaps.push((from, until));
    }
    let mut out = stretches(lane, &gaps, scale);
    out.retain(|&(_, _, kind)| kind == OffCpuKind::Preempted);
    out
}

/// Draws the stretches of a lane at `top`, `height` high, over its bars.
pub(super) fn draw(g: &mut Group, stretches: &[(f64, f64, OffCpuKind)], top: f64, height: f64) {
    for &(x0, x1, kind) in stretches {
        let (class, fill, opacity) = match kind {
            OffCpuKind::Preempted => ("preempted", PREEMPTED_FILL, 1.0),
            OffCpuKind::Blocked => ("blocked", BLOCKED_FILL, 0.6),
        };
        g.append(
            Rectangle::new()
                .set("class", class)
                .set("x", r2(x0))
                .set("y", r2(top))
                .set("width", r2(x1 - x0))
                .set("height", r2(height))
                .set("fill", fill)
                .set("fill-opacity", opacity)
                .set("pointer-events", "none"),
        );
    }
}

/// The pattern of preempted stretches: a white wash, cross-hatched.
pub(super) fn preempted_hatch() -> Pattern {
    let line = |x1: i32, x2: i32| {
        Line::new()
            .set("x1", x1)
            .set("y1", 0)
            .set("x2", x2)
            .set("y2", 6)
            .set("stroke", "#374151")
            .set("stroke-width", 0.8)
    };
    Pattern::new()
        .set("id", "preempted-hatch")
        .set("width", 6)
        .set("height", 6)
        .set("patternUnits", "userSpaceOnUse")
        .add(
            Rectangle::new()
                .set("width", 6)
                .set("height", 6)
                .set("fill", "#ffffff")
                .set("fill-opacity", 0.55),
        )
        .add(line(0, 6))
        .add(line(6, 0))
}

/// Legend entries for the off-CPU states, when any panel has off-CPU time.
pub(super) fn legend_entries<'a>(summaries: impl Iterator<Item = &'a Summary>) -> Vec<LegendEntry> {
    let (mut preempted, mut blocked, mut any) = (0u64, 0u64, false);
    for s in summaries {
        any |= s.off_cpu.is_recorded();
        let waited = |l: &logprof_trace::LaneSummary| l.preempted_ns + l.waited_for_core_ns;
        preempted += s.lanes.iter().map(waited).sum::<u64>();
        blocked += s.lanes.iter().map(|l| l.blocked_ns).sum::<u64>();
    }
    if !any {
        return Vec::new();
    }
    vec![
        LegendEntry {
            color: PREEMPTED_FILL.to_owned(),
            name: "preempted: waited for a core".to_owned(),
            stats: duration(preempted as f64),
        },
        LegendEntry {
            color: "#f3f4f6".to_owned(),
            name: "in a span, blocked".to_owned(),
            stats: duration(blocked as f64),
        },
    ]
}

/// Header notes: more threads than cores, and off-CPU time asked for but
/// missing.
pub(super) fn header_notes(summary: &Summary) -> Vec<String> {
    let mut notes = Vec::new();
    if let (Some(cores), Some(who)) = (summary.cores, summary.threads_on_cores()) {
        if summary.threads > cores as usize {
            notes.push(format!(
                "{who}: {} time-share the cores{}",
                summary.who_time_shares(),
                if summary.off_cpu.is_recorded() {
                    "; efficiency is measured against the cores, busy time on-CPU"
                } else {
                    ""
                }
            ));
        }
    }
    notes.extend(summary.off_cpu.note());
    notes
}
