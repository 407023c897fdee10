//! The two public builders, [`Timeline`] for one trace and [`Figure`] for
//! several stacked on one time axis: they gather the options into a
//! [`Scene`] and choose the lane grouping (the one place that names the
//! lane kinds).

use logprof_trace::{Summary, Trace};

use super::cost_lanes::CostLanes;
use super::layout::{wall_ns, Window, DEFAULT_WIDTH};
use super::model::LaneKind;
use super::render::{render, Scene};
use super::task_lanes::TaskLanes;
use super::thread_lanes::ThreadLanes;
use crate::error::VizError;

/// What the colour of a bar in the thread view says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorBy {
    /// The span's name ([`name_color`](crate::name_color)): the same
    /// function has the same colour in every picture.
    #[default]
    Name,
    /// The span's cost, on a scale shared by every panel, light to dark:
    /// its [`Span::result`](logprof_trace::Span::result) (a column's iterations)
    /// on a linear scale from 0 when the traces carry results, else its
    /// duration on a logarithmic scale. The
    /// legend gives each colour's range; with results, spans without one
    /// are grey.
    Cost,
}

/// A Gantt timeline of one trace: one lane per thread (or per task), one bar
/// per span, with the load-balance numbers of [`Trace::summary`].
///
/// ```
/// use logprof_trace::{Lane, Span, Trace};
///
/// let mut trace = Trace::new();
/// let column = trace.intern("column");
/// trace
///     .lanes
///     .push(Lane::with_spans(1, 1, "worker-1", [Span::new(column, 0, 1_000, 0)]));
///
/// let svg = logprof_viz::Timeline::new(&trace).title("static").width(800).to_svg_string()?;
/// assert!(svg.contains("worker-1"));
/// # Ok::<(), logprof_viz::VizError>(())
/// ```
///
/// The time axis starts at the trace's region start (its first span). To
/// draw two traces side by side at the same scale, give both the same
/// [`time_span_ns`](Timeline::time_span_ns), or use
/// [`same_scale_as`](Timeline::same_scale_as) on each with the other.
#[derive(Clone, Debug)]
pub struct Timeline<'a> {
    trace: &'a Trace,
    title: Option<String>,
    width: u32,
    window: Window,
    by_task: bool,
    color: ColorBy,
    lanes: &'static dyn LaneKind,
    summary: Option<&'a Summary>,
}

impl<'a> Timeline<'a> {
    /// A timeline of `trace`, [`DEFAULT_WIDTH`] pixels wide, showing its whole
    /// region, one lane per thread.
    pub fn new(trace: &'a Trace) -> Timeline<'a> {
        Timeline {
            trace,
            title: None,
            width: DEFAULT_WIDTH,
            window: Window::Auto,
            by_task: false,
            color: ColorBy::Name,
            lanes: grouping(false, false),
            summary: None,
        }
    }

    /// Takes the header's figures, the busy column, the legend and the
    /// time axis from `summary` rather than from the trace: for a trace
    /// that stands for a bigger one (a big file's spans merged per pixel
    /// column, `Trace::reduce_lpt`), `summary` being the big one's
    /// (`Trace::summarize_lpt`). The bars are the trace's.
    pub fn with_summary(mut self, summary: &'a Summary) -> Self {
        self.summary = Some(summary);
        self
    }

    /// What a bar's colour says in the thread view (default
    /// [`ColorBy::Name`]); the task view colours by thread whatever this is.
    pub fn color_by(mut self, color: ColorBy) -> Self {
        self.color = color;
        self.lanes = grouping(self.by_task, color == ColorBy::Cost);
        self
    }

    /// The title in the header (a scheduler's name, say); defaults to the
    /// trace's `process_name`, else "timeline".
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The picture's width in pixels (at least
    /// [`MIN_WIDTH`](crate::MIN_WIDTH)); the height follows from the number
    /// of lanes and legend entries. A PNG has exactly this width.
    pub fn width(mut self, px: u32) -> Self {
        self.width = px;
        self
    }

    /// Shows only `start_ns..end_ns`, in nanoseconds from the region start
    /// (the axis' 0). Spans outside are not drawn (a note counts them);
    /// spans that cross the edges are clipped.
    pub fn time_range(mut self, start_ns: u64, end_ns: u64) -> Self {
        self.window = Window::Range(start_ns, end_ns);
        self
    }

    /// Shows `0..span_ns` from the region start, whatever the trace's own
    /// wall time: pictures given the same span share one scale.
    pub fn time_span_ns(mut self, span_ns: u64) -> Self {
        self.window = Window::Span(span_ns);
        self
    }

    /// Uses the longer of this trace's and `other`'s wall time as the time
    /// span, so that `a.same_scale_as(&b)` and `b.same_scale_as(&a)` draw at
    /// the same scale.
    pub fn same_scale_as(self, other: &Trace) -> Self {
        let span = wall_ns(self.trace).max(wall_ns(other)).max(1);
        self.time_span_ns(span)
    }

    /// `true`: one lane per task (spans with a [`logprof_trace::Span::task`]), each
    /// slice coloured by the thread that ran it, so a task that migrates
    /// between threads changes colour. Spans without a task are not drawn in
    /// this view (a note counts them); the threads' busy strip still counts
    /// every thread.
    pub fn by_task(mut self, by_task: bool) -> Self {
        self.by_task = by_task;
        self.lanes = grouping(by_task, self.color == ColorBy::Cost);
        self
    }

    fn scene(&self) -> Scene<'a> {
        let title = self
            .title
            .clone()
            .or_else(|| self.trace.process_name.clone())
            .unwrap_or_else(|| "timeline".to_owned());
        Scene {
            title: Some(title),
            width: self.width,
            window: self.window,
            lanes: self.lanes,
            panels: vec![(None, self.trace)],
            summary: self.summary,
        }
    }

    /// The picture as an SVG document.
    pub fn to_svg_string(&self) -> Result<String, VizError> {
        Ok(render(&self.scene())?.0)
    }

    /// The picture's `(width, height)` in pixels, found by laying out this
    /// trace and drawing it; to know it from counts of threads alone,
    /// before the work that makes the trace, see
    /// [`timeline_size`](crate::timeline_size).
    pub fn pixel_size(&self) -> Result<(u32, u32), VizError> {
        let (_, height) = render(&self.scene())?;
        Ok((self.scene().width, height))
    }
}

crate::raster::picture_writers!(Timeline<'_>, "timeline");

/// Several traces stacked on one shared time axis, each under its label:
/// static above dynamic, say. Each panel has its own lanes, numbers and
/// busy strip; the axis and the legend are shared, and every panel's time
/// runs from its own region start.
///
/// ```
/// use logprof_trace::{Lane, Span, Trace};
///
/// fn one_call(len: u64) -> Trace {
///     let mut trace = Trace::new();
///     let name = trace.intern("column");
///     trace
///         .lanes
///         .push(Lane::with_spans(1, 1, "worker-1", [Span::new(name, 0, len, 0)]));
///     trace
/// }
/// let (slow, fast) = (one_call(2_000), one_call(1_000));
/// let svg = logprof_viz::Figure::new()
///     .title("static vs dynamic")
///     .add("static", &slow)
///     .add("dynamic", &fast)
///     .to_svg_string()?;
/// assert!(svg.contains("dynamic"));
/// # Ok::<(), logprof_viz::VizError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Figure<'a> {
    title: Option<String>,
    width: Option<u32>,
    window: Option<Window>,
    by_task: bool,
    color: ColorBy,
    lanes: &'static dyn LaneKind,
    panels: Vec<(String, &'a Trace)>,
}

impl Default for Figure<'_> {
    fn default() -> Self {
        Figure {
            title: None,
            width: None,
            window: None,
            by_task: false,
            color: ColorBy::Name,
            lanes: grouping(false, false),
            panels: Vec::new(),
        }
    }
}

impl<'a> Figure<'a> {
    /// An empty figure; [`add`](Figure::add) traces to it.
    pub fn new() -> Figure<'a> {
        Figure::default()
    }

    /// Adds a trace under `label`, below those added before.
    pub fn add(mut self, label: impl Into<String>, trace: &'a Trace) -> Self {
        self.panels.push((label.into(), trace));
        self
    }

    /// A title above all panels.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The picture's width in pixels (default [`DEFAULT_WIDTH`]).
    pub fn width(mut self, px: u32) -> Self {
        self.width = Some(px);
        self
    }

    /// Shows `0..span_ns` of every panel (default: the longest wall time).
    pub fn time_span_ns(mut self, span_ns: u64) -> Self {
        self.window = Some(Window::Span(span_ns));
        self
    }

    /// Shows `start_ns..end_ns` from each panel's region start.
    pub fn time_range(mut self, start_ns: u64, end_ns: u64) -> Self {
        self.window = Some(Window::Range(start_ns, end_ns));
        self
    }

    /// Draws every panel as a task view (see [`Timeline::by_task`]).
    pub fn by_task(mut self, by_task: bool) -> Self {
        self.by_task = by_task;
        self.lanes = grouping(by_task, self.color == ColorBy::Cost);
        self
    }

    /// What a bar's colour says (see [`Timeline::color_by`]); with
    /// [`ColorBy::Cost`] every panel shares one cost scale.
    pub fn color_by(mut self, color: ColorBy) -> Self {
        self.color = color;
        self.lanes = grouping(self.by_task, color == ColorBy::Cost);
        self
    }

    fn scene(&self) -> Scene<'a> {
        Scene {
            title: self.title.clone(),
            width: self.width.unwrap_or(DEFAULT_WIDTH),
            window: self.window.unwrap_or(Window::Auto),
            lanes: self.lanes,
            panels: self
                .panels
                .iter()
                .map(|(label, trace)| (Some(label.clone()), *trace))
                .collect(),
            summary: None,
        }
    }

    /// The figure as an SVG document; an error if no trace was added.
    pub fn to_svg_string(&self) -> Result<String, VizError> {
        Ok(self.render()?.0)
    }

    /// The picture's `(width, height)` in pixels (see
    /// [`Timeline::pixel_size`] and [`timeline_size`](crate::timeline_size)).
    pub fn pixel_size(&self) -> Result<(u32, u32), VizError> {
        let (_, height) = self.render()?;
        Ok((self.scene().width, height))
    }

    /// The SVG document and its height.
    fn render(&self) -> Result<(String, u32), VizError> {
        if self.panels.is_empty() {
            return Err(VizError::option(
                "Figure",
                "no trace was added; call .add(label, &trace) at least once",
            ));
        }
        render(&self.scene())
    }
}

crate::raster::picture_writers!(Figure<'_>, "figure");

/// The lane grouping of the task view when `by_task`, else of the thread
/// view, its bars coloured by name or, with `by_cost`, by cost.
fn grouping(by_task: bool, by_cost: bool) -> &'static dyn LaneKind {
    match (by_task, by_cost) {
        (true, _) => &TaskLanes,
        (false, false) => &ThreadLanes,
        (false, true) => &CostLanes,
    }
}
