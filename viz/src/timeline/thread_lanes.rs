//! The thread view: one lane per thread in (pid, tid) order, nested spans in
//! rows below their parent, bars coloured by name, idle time hatched, and a
//! legend of the functions' calls and total time.

use std::collections::BTreeMap;

use logprof_trace::{Lane, Span, Summary, Trace};

use super::busy;
use super::layout::{FONT, MAX_DEPTH_ROWS, ROW0_H, ROW_H};
use super::model::{
    LaneKind, LaneSet, LaneStyle, LaneView, Legend, LegendEntry, PanelContext, PanelView,
};
use super::offcpu;
use super::tooltips;
use crate::bars::{Bar, RowBuilder, TimeScale};
use crate::color::{name_color, WAIT};
use crate::scale::{count, duration, percent};
use crate::text::text_width;

/// One lane per thread; a bar's colour key is its span's name.
#[derive(Debug)]
pub(super) struct ThreadLanes;

impl LaneKind for ThreadLanes {
    fn label_width(&self, trace: &Trace) -> f64 {
        trace
            .lanes
            .iter()
            .map(|lane| text_width(&lane.thread_name, FONT, false))
            .fold(0.0, f64::max)
    }

    fn build(&self, ctx: &PanelContext) -> LaneSet {
        let mut set = LaneSet::default();
        for (ord, &li) in ctx.order.iter().enumerate() {
            let lane = thread_lane(ctx, ord, li, &mut set, &|s: &Span| s.name);
            set.lanes.push(lane);
        }
        set
    }

    fn extra_metrics(&self, _: &Trace, _: &Summary) -> Vec<(String, String)> {
        Vec::new()
    }

    fn style(&self) -> &'static LaneStyle {
        &LaneStyle {
            caption: "thread",
            right_caption: "busy",
            busy_column: true,
            no_lanes_message: "no threads recorded",
            first_row_height: ROW0_H,
            writes_clipped_names: true,
            compacts: true,
        }
    }

    fn row_box(&self, top: f64, depth: usize) -> (f64, f64) {
        if depth == 0 {
            (top, ROW0_H)
        } else {
            (top + ROW0_H + ROW_H * (depth - 1) as f64 + 1.0, ROW_H - 1.0)
        }
    }

    fn key_style<'p>(&self, panel: &'p PanelView, key: u32) -> (&'static str, &'p str) {
        let name = panel.trace.name(key);
        if self.key_waits(panel, key) {
            return (WAIT, name);
        }
        (name_color(name), name)
    }

    fn key_waits(&self, panel: &PanelView, key: u32) -> bool {
        panel.trace.name_waits(key)
    }

    fn tooltip(&self, panel: &PanelView, lane: &LaneView, bar: &Bar) -> String {
        let name = |key: u32| panel.trace.name(key).to_owned();
        if bar.is_merged() {
            tooltips::merged(panel, bar, "calls", ("thread", &lane.thread), name)
        } else {
            let mut text = tooltips::single(panel, bar, &name(bar.key), &lane.thread);
            let span = lane
                .trace_lane
                .and_then(|li| panel.trace.lanes.get(li)?.spans.get(bar.item));
            if let Some(value) = span.and_then(|s| s.value) {
                text.push_str(&format!("\nvalue: {value}"));
            }
            if let Some(result) = span.and_then(|s| s.result) {
                text.push_str(&format!("\nresult: {result}"));
            }
            if span.is_some_and(|s| s.unfinished) {
                text.push_str("\nunfinished: the trace ends before it does");
            }
            text
        }
    }

    fn legend(&self, panels: &[PanelView]) -> Legend {
        let mut entries = function_entries(panels);
        entries.extend(offcpu::legend_entries(panels.iter().map(|p| &p.summary)));
        Legend {
            // Span durations: wall-clock whether or not off-CPU time was
            // recorded.
            heading: "functions (inclusive wall-clock time)",
            entries,
        }
    }
}

/// The header of process `pid`'s group of lanes.
pub(super) fn process_header(trace: &Trace, pid: u32) -> String {
    match trace.process_names.get(&pid) {
        // A text pid (`"Traces"`) has an id made up by the reader: its text
        // is what names it.
        Some(name) if pid >= 1 << 31 => name.clone(),
        Some(name) => format!("process {pid}: {name}"),
        None => format!("process {pid}"),
    }
}

/// The x of the lane's instants inside the window, at most one per pixel.
fn instant_ticks(lane: &Lane, scale: &TimeScale) -> Vec<f64> {
    let mut ticks: Vec<f64> = Vec::new();
    for i in &lane.instants {
        if i.ts_ns < scale.lo || i.ts_ns > scale.hi {
            continue;
        }
        let x = scale.x_of(i.ts_ns).round();
        if ticks.last() != Some(&x) {
            ticks.push(x);
        }
    }
    ticks.dedup();
    ticks
}

/// The lane of the thread at `li` in the trace (`ord` in lane order), its
/// bars keyed by `key` (a span's name, or its cost class); counts what it
/// cannot draw into `set`.
pub(super) fn thread_lane(
    ctx: &PanelContext,
    ord: usize,
    li: usize,
    set: &mut LaneSet,
    key: &dyn Fn(&Span) -> u32,
) -> LaneView {
    let rows = depth_rows(&ctx.trace.lanes[li], ctx.scale, set, key);
    let region = (ctx.summary.start_ns, ctx.summary.end_ns);
    let idle = idle_stretches(&ctx.busy[ord], region, &ctx.scale);
    let util = busy::lane_share(ctx.summary, li);
    let empty = ctx.trace.is_empty();
    let lane = &ctx.trace.lanes[li];
    let several_pids = ctx
        .order
        .windows(2)
        .any(|w| ctx.trace.lanes[w[0]].pid != ctx.trace.lanes[w[1]].pid);
    let first_of_pid = ord == 0 || ctx.trace.lanes[ctx.order[ord - 1]].pid != lane.pid;
    // A name several threads share gets the tid, so labels tell them apart.
    let shared = ctx
        .order
        .iter()
        .any(|&other| other != li && ctx.trace.lanes[other].thread_name == lane.thread_name);
    LaneView {
        label: if shared {
            format!("{} {}", lane.thread_name, lane.tid)
        } else {
            lane.thread_name.clone()
        },
        full_name: format!("{} (pid {}, tid {})", lane.thread_name, lane.pid, lane.tid),
        group_header: (several_pids && first_of_pid).then(|| process_header(ctx.trace, lane.pid)),
        ticks: instant_ticks(lane, &ctx.scale),
        thread: ctx.thread_names[ord].clone(),
        trace_lane: Some(li),
        height: ROW0_H + ROW_H * (rows.len() - 1) as f64,
        rows,
        idle,
        off_cpu: {
            let mut off = offcpu::stretches(lane, &ctx.work[ord], &ctx.scale);
            off.extend(offcpu::waited_for_core(
                lane,
                &ctx.busy[ord],
                region,
                &ctx.scale,
            ));
            off
        },
        lifeline: None,
        right: if empty {
            "–".to_owned()
        } else {
            percent(util)
        },
        right_warn: false,
        gauge: (!empty).then_some(util),
    }
}

/// The bars of each nesting depth of `lane`, at most [`MAX_DEPTH_ROWS`]
/// rows; spans too deep or outside the window are counted into `set`.
fn depth_rows(
    lane: &Lane,
    scale: TimeScale,
    set: &mut LaneSet,
    key: &dyn Fn(&Span) -> u32,
) -> Vec<Vec<Bar>> {
    let max_depth = lane
        .spans
        .iter()
        .map(|s| s.depth as usize)
        .max()
        .unwrap_or(0);
    let rows = (max_depth + 1).min(MAX_DEPTH_ROWS);
    let mut builders: Vec<RowBuilder> = (0..rows).map(|_| RowBuilder::new(scale)).collect();
    for i in start_order(lane) {
        let s = &lane.spans[i];
        match builders.get_mut(s.depth as usize) {
            Some(row) => row.push(s.start_ns, s.end_ns, key(s), i),
            None => set.too_deep += 1,
        }
    }
    builders
        .into_iter()
        .map(|b| {
            let (bars, out) = b.finish();
            set.outside += out;
            bars
        })
        .collect()
}

/// The indices of the lane's spans in start order, for the row builders.
///
/// Lanes from `Lane::with_spans`, `Trace::normalize`, the recorder and the
/// Chrome reader are in that order already, but a timeline may be given a
/// hand-built trace: the order is checked (one pass) and the spans sorted
/// (stably, by start) only when it does not hold.
fn start_order(lane: &Lane) -> Vec<usize> {
    let mut index: Vec<usize> = (0..lane.spans.len()).collect();
    if !lane.spans.is_sorted_by_key(|s| s.start_ns) {
        index.sort_by_key(|&i| lane.spans[i].start_ns);
    }
    index
}

/// Stretches of the region, inside the window, where a thread runs no
/// top-level span, in x; those under half a pixel are left out.
fn idle_stretches(busy: &[(u64, u64)], region: (u64, u64), scale: &TimeScale) -> Vec<(f64, f64)> {
    if region.1 <= region.0 {
        return Vec::new();
    }
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut push = |a: u64, b: u64| {
        if b <= a || b < scale.lo || a > scale.hi {
            return;
        }
        let (x0, x1) = (scale.x_of(a), scale.x_of(b));
        if x1 - x0 < 0.5 {
            return;
        }
        match out.last_mut() {
            Some(last) if x0 - last.1 < 0.5 => last.1 = x1,
            _ => out.push((x0, x1)),
        }
    };
    let mut t = region.0;
    for &(s, e) in busy {
        push(t, s);
        t = t.max(e);
    }
    push(t, region.1);
    out
}

/// Calls and total time per function name, summed over the panels (each
/// panel's header already gives its own numbers), in order of appearance.
fn function_entries(panels: &[PanelView]) -> Vec<LegendEntry> {
    let mut totals: BTreeMap<String, (u64, u64, usize)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for p in panels {
        for f in &p.summary.functions {
            if !totals.contains_key(&f.name) {
                order.push(f.name.clone());
            }
            let t = totals.entry(f.name.clone()).or_default();
            t.0 += f.calls;
            t.1 = t.1.saturating_add(f.total_ns);
            t.2 += 1;
        }
    }
    order
        .into_iter()
        .map(|name| {
            let (calls, total_ns, in_panels) = totals[&name];
            let mut stats = format!(
                "{} {} · {}",
                count(calls),
                if calls == 1 { "call" } else { "calls" },
                duration(total_ns as f64)
            );
            if panels.len() > 1 {
                stats.push_str(&format!(" in {in_panels} of {} timelines", panels.len()));
            }
            let waits = panels.iter().any(|p| {
                p.trace
                    .name_id(&name)
                    .is_some_and(|id| p.trace.name_waits(id))
            });
            if waits {
                stats.push_str(" · waiting, not work");
            }
            LegendEntry {
                color: if waits { WAIT } else { name_color(&name) }.to_owned(),
                name,
                stats,
            }
        })
        .collect()
}
