//! Builds one trace ready to draw ([`PanelView`]): its lanes (from the
//! chosen [`LaneKind`]), the busy-threads strip, the counter tracks, the
//! header's numbers and the notes on what was left out.

use logprof_trace::{Summary, Trace};

use super::busy;
use super::cost_scale::CostScale;
use super::counters::build_counters;
use super::heat::{self, HeatInput, HeatPlan};
use super::layout::{Columns, MAX_DEPTH_ROWS};
use super::model::{LaneKind, LaneSet, PanelContext, PanelView};
use super::notes::trace_notes;
use super::offcpu;
use super::region_band;
use crate::bars::{add_coverage, TimeScale};
use crate::scale::{count, duration, percent};

/// Lanes (or, under a `heat` plan, heat rows), busy strip and numbers of
/// one trace, shown over `window` (ns from its region start) in the plot of
/// `cols`.
pub(super) fn build_panel<'a>(
    label: Option<String>,
    (trace, summary): (&'a Trace, Option<&Summary>),
    lanes: &dyn LaneKind,
    (window, cols): ((u64, u64), Columns),
    cost: Option<CostScale>,
    heat: Option<HeatPlan>,
) -> PanelView<'a> {
    let summary = summary.cloned().unwrap_or_else(|| trace.summary());
    let scale = window_scale(&summary, window, cols);
    let order = lane_order(trace);
    let thread_names = thread_names(trace, &order);
    // Busy intervals per thread (what is not idle), and the work in them
    // (busy less waiting: the strip, the off-CPU marks).
    let busy: Vec<Vec<(u64, u64)>> = order
        .iter()
        .map(|&i| trace.lanes[i].busy_intervals())
        .collect();
    let work: Vec<Vec<(u64, u64)>> = order
        .iter()
        .map(|&i| trace.work_intervals(&trace.lanes[i]))
        .collect();
    // The strip counts the busy time the header's figures count.
    let mut concurrency = vec![0.0; cols.plot_w.max(1.0).ceil() as usize];
    for (b, &i) in work.iter().zip(&order) {
        if summary.off_cpu.is_recorded() {
            let on_cpu = busy::on_cpu(b, &trace.lanes[i].off_cpu);
            add_coverage(&mut concurrency, &scale, &on_cpu);
        } else {
            add_coverage(&mut concurrency, &scale, b);
        }
    }
    let (set, heat) = match heat {
        Some(plan) => {
            let input = HeatInput {
                trace,
                summary: &summary,
                scale,
                columns: concurrency.len(),
                order: &order,
                thread_names: &thread_names,
                // Busy share is work: waiting is not.
                busy: &work,
                marks: marks(plan.block_px(&heat::groups(trace, &order))),
            };
            (LaneSet::default(), Some(heat::build(&input, plan)))
        }
        None => {
            let set = lanes.build(&PanelContext {
                trace,
                summary: &summary,
                scale,
                order: &order,
                thread_names: &thread_names,
                busy: &busy,
                work: &work,
                cost,
            });
            (set, None)
        }
    };
    let mut notes = notes(trace, &set);
    notes.extend(offcpu::header_notes(&summary));
    let mut metrics = metrics(trace, &summary);
    if !trace.is_empty() {
        metrics.extend(lanes.extra_metrics(trace, &summary));
    }
    let region_end_x = region_end_x(trace, &summary, window, cols, &scale);
    PanelView {
        label,
        trace,
        summary,
        lanes: set.lanes,
        concurrency,
        thread_count: trace.lanes.len(),
        thread_names,
        notes,
        metrics,
        region_end_x,
        regions: region_band::marks(trace, &scale),
        thread_totals: set.thread_totals,
        counters: build_counters(trace, &scale),
        cost,
        heat,
    }
}

/// How many of the busiest (and of the idlest) lanes heat rows `block_px`
/// high name: three, fewer when their labels would not fit beside them.
fn marks(block_px: usize) -> usize {
    (block_px / 26).min(3)
}

/// Trace time to x: the window `w_lo..w_hi` (ns from the region start) over
/// the plot's width.
fn window_scale(summary: &Summary, (w_lo, w_hi): (u64, u64), cols: Columns) -> TimeScale {
    TimeScale {
        lo: summary.start_ns.saturating_add(w_lo),
        hi: summary.start_ns.saturating_add(w_hi),
        x: cols.plot_x,
        px_per_ns: cols.plot_w / (w_hi - w_lo) as f64,
    }
}

/// Indices of the trace's lanes in (pid, tid) order. A normalized trace
/// keeps them so already, but a hand-built one may not, and the order must
/// not depend on it (sorting what is sorted is one pass).
pub(super) fn lane_order(trace: &Trace) -> Vec<usize> {
    let mut order: Vec<usize> = (0..trace.lanes.len()).collect();
    order.sort_by_key(|&i| (trace.lanes[i].pid, trace.lanes[i].tid));
    order
}

/// The threads' names in `order`, prefixed with their process id when the
/// trace has several processes.
fn thread_names(trace: &Trace, order: &[usize]) -> Vec<String> {
    let several_pids = order
        .windows(2)
        .any(|w| trace.lanes[w[0]].pid != trace.lanes[w[1]].pid);
    order
        .iter()
        .map(|&i| {
            let lane = &trace.lanes[i];
            if several_pids {
                format!("p{} {}", lane.pid, lane.thread_name)
            } else {
                lane.thread_name.clone()
            }
        })
        .collect()
}

/// The warnings of a panel: what its lanes leave out, then what the
/// recording lost and which spans could not be drawn.
fn notes(trace: &Trace, set: &LaneSet) -> Vec<String> {
    let mut notes = set.notes.clone();
    if !trace.losses.is_empty() {
        // Each kind of loss with its own cause and cure: only overwrites are
        // fixed by larger buffers.
        notes.push(format!("incomplete recording: {}", trace.losses.advice()));
    }
    if set.too_deep > 0 {
        notes.push(format!(
            "{} spans nested deeper than {MAX_DEPTH_ROWS} levels are not drawn",
            count(set.too_deep)
        ));
    }
    if set.outside > 0 {
        notes.push(format!(
            "{} spans outside the time range are not drawn",
            count(set.outside)
        ));
    }
    notes.extend(trace_notes(trace));
    notes
}

/// The header's numbers from the summary, each busy figure named by its
/// kind (on-CPU or wall-clock), or, for a trace of several processes,
/// POP's process figures (those `logprof report` and `processes` give);
/// only the counts for an empty trace.
fn metrics(trace: &Trace, summary: &Summary) -> Vec<(String, String)> {
    let counts = [
        ("threads".to_owned(), count(trace.lanes.len() as u64)),
        // From the summary: a trace drawn with another's summary
        // (`Timeline::with_summary`) stands for that one's spans.
        (
            "spans".to_owned(),
            count(summary.lanes.iter().map(|l| l.spans as u64).sum()),
        ),
    ];
    if trace.is_empty() {
        return vec![counts[0].clone(), ("spans".to_owned(), "0".to_owned())];
    }
    let mut out = vec![("wall".to_owned(), duration(summary.wall_ns as f64))];
    if let Some(p) = &summary.processes {
        out.extend([
            (
                "load balance over processes".to_owned(),
                percent(p.load_balance),
            ),
            (
                "communication efficiency".to_owned(),
                percent(p.communication_efficiency),
            ),
        ]);
    } else {
        let kind = busy::kind(summary);
        out.extend([
            (
                format!("{kind} load balance"),
                percent(summary.load_balance),
            ),
            (
                format!("{kind} parallel efficiency"),
                percent(summary.parallel_efficiency),
            ),
            (
                format!("max − mean {kind} busy"),
                duration(summary.imbalance_ns),
            ),
        ]);
    }
    out.extend(counts);
    out
}

/// The x of the region's end, when the trace has one and it falls strictly
/// inside the window.
fn region_end_x(
    trace: &Trace,
    summary: &Summary,
    (w_lo, w_hi): (u64, u64),
    cols: Columns,
    scale: &TimeScale,
) -> Option<f64> {
    let end = summary.wall_ns;
    (!trace.is_empty() && end > w_lo && end < w_hi)
        .then(|| cols.plot_x + (end - w_lo) as f64 * scale.px_per_ns)
}
