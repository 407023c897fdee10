//! Lanes: the rows of bars a panel is made of, and the two ways to group
//! spans into them.
//!
//! A timeline is drawn either per thread ([`ThreadLanes`]: one lane per
//! thread, nested spans in rows below their parent, bars coloured by name)
//! or per task ([`TaskLanes`]: one lane per task, its slices coloured by the
//! thread that ran them). The choice is made once, by [`grouping`], and
//! everything that differs between the two views is asked of the chosen
//! [`LaneKind`]: its lanes, the colour and name of a bar, its tooltip, the
//! legend, the captions.

use std::fmt::Debug;

use logprof::{Summary, Trace};

use super::cost_lanes::{CostLanes, CostScale};
use super::legend::Legend;
use super::panel::PanelView;
use super::task_lanes::TaskLanes;
use super::thread_lanes::ThreadLanes;
use crate::bars::{Bar, TimeScale};

/// The lane grouping of the task view when `by_task`, else of the thread
/// view, its bars coloured by name or, with `by_cost`, by cost.
pub(super) fn grouping(by_task: bool, by_cost: bool) -> &'static dyn LaneKind {
    match (by_task, by_cost) {
        (true, _) => &TaskLanes,
        (false, false) => &ThreadLanes,
        (false, true) => &CostLanes,
    }
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
    pub off_cpu: Vec<(f64, f64, logprof::OffCpuKind)>,
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
    /// What a panel says when its trace has spans but it has no lane.
    pub no_lanes_message: &'static str,
    /// The height of a lane's first row, on which its label is centred.
    pub first_row_height: f64,
    /// Whether a name cut short to fit in its bar is still written.
    pub writes_clipped_names: bool,
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

    /// The tooltip of a bar of `lane`.
    fn tooltip(&self, panel: &PanelView, lane: &LaneView, bar: &Bar) -> String;

    /// The legend of the panels: what each colour means.
    fn legend(&self, panels: &[PanelView]) -> Legend;
}
