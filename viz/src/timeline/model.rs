//! What a picture is made of before it is drawn: a panel ([`PanelView`]) of
//! lanes ([`LaneView`]) of bars, its counter tracks, the legend, and the
//! [`LaneKind`] trait, the one place where the ways of grouping spans into
//! lanes differ.
//!
//! A timeline is drawn either per thread (one lane per thread, nested spans
//! in rows below their parent, bars coloured by name or by cost) or per task
//! (one lane per task, its slices coloured by the thread that ran them).
//! Everything that differs between the views is asked of the chosen
//! [`LaneKind`]: its lanes, the colour and name of a bar, its tooltip, the
//! legend, the captions. The lane kinds build these types and the drawing
//! steps read them; this module depends on neither.

use std::fmt::Debug;

use logprof_trace::{Summary, Trace};

use super::cost_scale::CostScale;
use super::heat::HeatView;
use super::region_band::RegionMark;
use crate::bars::{Bar, TimeScale};

/// One trace ready to draw.
pub(super) struct PanelView<'a> {
    /// The panel's label in a figure.
    pub label: Option<String>,
    /// The trace drawn.
    pub trace: &'a Trace,
    /// Its summary.
    pub summary: Summary,
    /// The lanes, top first.
    pub lanes: Vec<LaneView>,
    /// Average number of busy threads in each pixel column.
    pub concurrency: Vec<f64>,
    /// How many threads the trace has.
    pub thread_count: usize,
    /// Thread names in lane order (the task view's colour keys).
    pub thread_names: Vec<String>,
    /// Warnings under the header.
    pub notes: Vec<String>,
    /// The header's numbers: (name, value).
    pub metrics: Vec<(String, String)>,
    /// x of the region's end when it falls inside the window.
    pub region_end_x: Option<f64>,
    /// The regions band above the lanes (empty: none).
    pub regions: Vec<RegionMark>,
    /// Legend entries of the task view: (thread ordinal, slices, ns).
    pub thread_totals: Vec<(usize, u64, u64)>,
    /// The counter tracks drawn under the busy strip.
    pub counters: Vec<CounterView>,
    /// The cost colour scale shared by every panel (cost view).
    pub cost: Option<CostScale>,
    /// The heat rows drawn instead of `lanes` when the scene's lanes do
    /// not fit a picture.
    pub heat: Option<HeatView>,
}

/// One counter track ready to draw.
pub(super) struct CounterView {
    /// The counter's name.
    pub label: String,
    /// Its name and process, for the tooltip.
    pub full_name: String,
    /// The step line's corners: x, and the value from 0 (low) to 1 (high).
    pub points: Vec<(f64, f64)>,
    /// The largest value, as the right-hand text.
    pub max: f64,
}

/// The legend of a picture, from its lane grouping.
pub(super) struct Legend {
    /// The caption above the entries.
    pub heading: &'static str,
    /// The entries, in drawing order.
    pub entries: Vec<LegendEntry>,
}

/// One colour of the legend.
pub(super) struct LegendEntry {
    /// The swatch's colour, `#rrggbb`.
    pub color: String,
    /// What the colour stands for.
    pub name: String,
    /// Its statistics.
    pub stats: String,
}

/// One lane ready to draw.
pub(super) struct LaneView {
    /// The label left of the lane (a thread's or a task's name).
    pub label: String,
    /// The thread's name (thread view), for tooltips.
    pub thread: String,
    /// The index of the trace's lane this view draws (thread view), so a
    /// tooltip can show what its spans carry.
    pub trace_lane: Option<usize>,
    /// The bars of each row, top row first.
    pub rows: Vec<Vec<Bar>>,
    /// The lane's height in px.
    pub height: f64,
    /// Idle stretches in x (thread view).
    pub idle: Vec<(f64, f64)>,
    /// Off-CPU stretches inside spans in x, with their kind (thread view).
    pub off_cpu: Vec<(f64, f64, logprof_trace::OffCpuKind)>,
    /// The task's lifetime in x (task view).
    pub lifeline: Option<(f64, f64)>,
    /// The text in the right-hand column.
    pub right: String,
    /// Whether that text is a warning (a task that ran on several threads).
    pub right_warn: bool,
    /// busy/wall for the utilisation gauge.
    pub gauge: Option<f64>,
    /// The full name, for the label's tooltip.
    pub full_name: String,
    /// The process header drawn above the lane, when it is the first of
    /// its process in a trace of several.
    pub group_header: Option<String>,
    /// x of each instant on the lane, one per pixel at most.
    pub ticks: Vec<f64>,
}

/// What a [`LaneKind`] needs to know of a panel to build its lanes.
pub(super) struct PanelContext<'a> {
    /// The trace drawn.
    pub trace: &'a Trace,
    /// Its summary.
    pub summary: &'a Summary,
    /// Trace time to x, over the window.
    pub scale: TimeScale,
    /// Indices of the trace's lanes in (pid, tid) order.
    pub order: &'a [usize],
    /// The name of each thread, in that order.
    pub thread_names: &'a [String],
    /// When each thread (in that order) runs a top-level span.
    pub busy: &'a [Vec<(u64, u64)>],
    /// When each thread (in that order) worked: `busy` less its waiting
    /// ([`Trace::work_intervals`]).
    pub work: &'a [Vec<(u64, u64)>],
    /// The cost colour scale shared by every panel, when bars are coloured
    /// by cost.
    pub cost: Option<CostScale>,
}

/// The lanes of one panel and what they leave out.
#[derive(Default)]
pub(super) struct LaneSet {
    /// The lanes, top first.
    pub lanes: Vec<LaneView>,
    /// Spans not drawn because they are too deeply nested.
    pub too_deep: u64,
    /// Spans not drawn because they lie outside the window.
    pub outside: u64,
    /// Notes on what this view leaves out, for the panel's header.
    pub notes: Vec<String>,
    /// Per thread ordinal, the slices it ran and their total ns (task view,
    /// for the legend).
    pub thread_totals: Vec<(usize, u64, u64)>,
}

/// What differs between the views and is the same for every panel.
pub(super) struct LaneStyle {
    /// The caption above the label column.
    pub caption: &'static str,
    /// The caption above the right-hand column.
    pub right_caption: &'static str,
    /// Whether that column is each lane's busy share, whose caption then
    /// names the kind of busy time (on-CPU or wall-clock).
    pub busy_column: bool,
    /// What a panel says when its trace has spans but it has no lane.
    pub no_lanes_message: &'static str,
    /// The height of a lane's first row, on which its label is centred.
    pub first_row_height: f64,
    /// Whether a name cut short to fit in its bar is still written.
    pub writes_clipped_names: bool,
    /// Whether lanes that do not fit a picture become heat rows (a lane
    /// per thread); the task view, which draws a bounded number of lanes,
    /// never needs to.
    pub compacts: bool,
}

/// One way of grouping spans into lanes, with everything about the picture
/// that depends on it.
pub(super) trait LaneKind: Debug + Sync {
    /// The width, at the lane-label font, of the longest lane label that
    /// `trace` gives (0 if it gives none).
    fn label_width(&self, trace: &Trace) -> f64;

    /// The lanes of one panel.
    fn build(&self, ctx: &PanelContext) -> LaneSet;

    /// The colour scale of costs over every panel's trace, for a view that
    /// colours by cost (computed once, so all panels share it).
    fn cost_scale(&self, _traces: &[&Trace]) -> Option<CostScale> {
        None
    }

    /// Numbers the panel header adds to the summary's, for a non-empty
    /// trace.
    fn extra_metrics(&self, trace: &Trace, summary: &Summary) -> Vec<(String, String)>;

    /// The fixed texts and sizes of this view.
    fn style(&self) -> &'static LaneStyle;

    /// The y and height of the bars of row `depth` of a lane at `top`.
    fn row_box(&self, top: f64, depth: usize) -> (f64, f64);

    /// The colour of bars with colour key `key`, and the name written in
    /// them.
    fn key_style<'p>(&self, panel: &'p PanelView, key: u32) -> (&'static str, &'p str);

    /// Whether bars with colour key `key` are waiting, not work (drawn in
    /// the waiting style); none are unless the view says so.
    fn key_waits(&self, _panel: &PanelView, _key: u32) -> bool {
        false
    }

    /// The tooltip of a bar of `lane`.
    fn tooltip(&self, panel: &PanelView, lane: &LaneView, bar: &Bar) -> String;

    /// The legend of the panels: what each colour means.
    fn legend(&self, panels: &[PanelView]) -> Legend;
}
