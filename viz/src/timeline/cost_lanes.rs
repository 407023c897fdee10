//! The thread view coloured by cost instead of by name: each bar's colour
//! says how much its span cost, on one scale shared by every panel
//! ([`CostScale`]), so the heavy calls stand out wherever they ran.

use logprof_trace::{Span, Summary, Trace};

use super::cost_scale::{key_color, CostScale, NO_COST_KEY};
use super::model::{
    LaneKind, LaneSet, LaneStyle, LaneView, Legend, LegendEntry, PanelContext, PanelView,
};
use super::thread_lanes::{thread_lane, ThreadLanes};
use super::tooltips;
use crate::bars::Bar;
use crate::scale::count;

/// The thread view with bars coloured by cost.
#[derive(Debug)]
pub(super) struct CostLanes;

impl CostLanes {
    /// The scale the panels were built with.
    fn scale(panels: &[PanelView]) -> Option<CostScale> {
        panels.iter().find_map(|p| p.cost)
    }
}

impl LaneKind for CostLanes {
    fn label_width(&self, trace: &Trace) -> f64 {
        ThreadLanes.label_width(trace)
    }

    fn cost_scale(&self, traces: &[&Trace]) -> Option<CostScale> {
        Some(CostScale::of(traces.iter().copied()))
    }

    fn build(&self, ctx: &PanelContext) -> LaneSet {
        let scale = ctx
            .cost
            .unwrap_or_else(|| CostScale::of(std::iter::once(ctx.trace)));
        let mut set = LaneSet::default();
        for (ord, &li) in ctx.order.iter().enumerate() {
            let lane = thread_lane(ctx, ord, li, &mut set, &|s: &Span| scale.key(s));
            set.lanes.push(lane);
        }
        set
    }

    fn extra_metrics(&self, trace: &Trace, summary: &Summary) -> Vec<(String, String)> {
        ThreadLanes.extra_metrics(trace, summary)
    }

    fn style(&self) -> &'static LaneStyle {
        ThreadLanes.style()
    }

    fn row_box(&self, top: f64, depth: usize) -> (f64, f64) {
        ThreadLanes.row_box(top, depth)
    }

    fn key_style<'p>(&self, _: &'p PanelView, key: u32) -> (&'static str, &'p str) {
        // No name inside the bars: the colour is the message.
        (key_color(key), "")
    }

    fn tooltip(&self, panel: &PanelView, lane: &LaneView, bar: &Bar) -> String {
        let scale = panel
            .cost
            .unwrap_or_else(|| CostScale::of(std::iter::once(panel.trace)));
        if bar.is_merged() {
            return tooltips::merged(panel, bar, "calls", ("thread", &lane.thread), |k| {
                scale.describe(k)
            });
        }
        let span = lane
            .trace_lane
            .and_then(|li| panel.trace.lanes.get(li)?.spans.get(bar.item));
        let name = span.map_or("", |s| panel.trace.name(s.name));
        let mut text = tooltips::single(panel, bar, name, &lane.thread);
        if let Some(value) = span.and_then(|s| s.value) {
            text.push_str(&format!("\nvalue: {value}"));
        }
        if let Some(result) = span.and_then(|s| s.result) {
            text.push_str(&format!("\nresult: {result}"));
        }
        text.push_str(&format!("\ncolour: {}", scale.describe(bar.key)));
        text
    }

    fn legend(&self, panels: &[PanelView]) -> Legend {
        let Some(scale) = Self::scale(panels) else {
            return ThreadLanes.legend(panels);
        };
        // Spans per class, over every panel.
        let mut calls = [0u64; NO_COST_KEY as usize + 1];
        for s in panels
            .iter()
            .flat_map(|p| p.trace.lanes.iter().flat_map(|l| &l.spans))
        {
            calls[scale.key(s) as usize] += 1;
        }
        let entries = (0..=NO_COST_KEY)
            .filter(|&k| calls[k as usize] > 0)
            .map(|k| LegendEntry {
                color: key_color(k).to_owned(),
                name: scale.range(k),
                stats: format!("{} spans", count(calls[k as usize])),
            })
            .collect();
        Legend {
            heading: if scale.by_result {
                "colour: each span's cost, its result (args.result), linear scale"
            } else {
                "colour: each span's cost, its duration (no span has a result), log scale"
            },
            entries,
        }
    }
}
