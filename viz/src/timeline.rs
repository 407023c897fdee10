//! Gantt timelines of traces: [`Timeline`] for one trace, [`Figure`] for
//! several stacked on one time axis.

use std::collections::BTreeMap;
use std::path::Path;

use logprof::{Summary, Trace};
use svg::node::element::{
    Definitions, Description, Group, Line, Path as SvgPath, Pattern, Rectangle, TSpan,
    Text as SvgText, Title,
};
use svg::node::Text as TextNode;
use svg::{Document, Node};

use crate::bars::{add_coverage, Bar, RowBuilder, TimeScale};
use crate::color::{darker, name_color, thread_color, INK, MUTED, RULE, WARN};
use crate::error::VizError;
use crate::raster;
use crate::scale::{count, duration, percent, time_ticks};
use crate::text::{fit, text_width, FONT_FAMILY};

/// Default picture width in pixels.
pub const DEFAULT_WIDTH: u32 = 1200;
/// Narrowest picture we draw: below this the labels do not fit.
pub const MIN_WIDTH: u32 = 480;

/// The widest picture, in pixels: the largest side a PNG may have.
pub const MAX_WIDTH: u32 = crate::raster::MAX_SIDE;
/// Nesting depths drawn per lane; deeper spans are counted in a note.
pub const MAX_DEPTH_ROWS: usize = 12;
/// Task lanes drawn in the task view; further tasks are counted in a note.
pub const MAX_TASK_LANES: usize = 256;

const MARGIN: f64 = 16.0;
const FONT: f64 = 12.0;
const SMALL: f64 = 11.0;
const ROW0_H: f64 = 20.0;
const ROW_H: f64 = 13.0;
const TASK_ROW_H: f64 = 14.0;
const LANE_GAP: f64 = 5.0;
const STRIP_H: f64 = 30.0;
const RIGHT_COL: f64 = 104.0;
const LEGEND_ROW: f64 = 18.0;
const MAX_LEGEND: usize = 40;

/// Which part of the time axis a picture shows, relative to each trace's
/// region start (its first span's start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Window {
    /// From 0 to the (longest) trace's wall time.
    Auto,
    /// From 0 to this many ns.
    Span(u64),
    /// From the first to the second offset, in ns.
    Range(u64, u64),
}

/// A Gantt timeline of one trace: one lane per thread (or per task), one bar
/// per span, with the load-balance numbers of [`Trace::summary`].
///
/// ```
/// use logprof::{Lane, Span, Trace};
///
/// let mut trace = Trace::new();
/// let column = trace.intern("column");
/// let mut lane = Lane::new(1, 1, "worker-1");
/// lane.spans.push(Span { name: column, start_ns: 0, end_ns: 1_000, depth: 0, task: None });
/// trace.lanes.push(lane);
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
        }
    }

    /// The title in the header (a scheduler's name, say); defaults to the
    /// trace's `process_name`, else "timeline".
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The picture's width in pixels (at least [`MIN_WIDTH`]); the height
    /// follows from the number of lanes and legend entries. A PNG has exactly
    /// this width.
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

    /// `true`: one lane per task (spans with a [`logprof::Span::task`]), each
    /// slice coloured by the thread that ran it, so a task that migrates
    /// between threads changes colour. Spans without a task are not drawn in
    /// this view (a note counts them); the threads' busy strip still counts
    /// every thread.
    pub fn by_task(mut self, by_task: bool) -> Self {
        self.by_task = by_task;
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
            by_task: self.by_task,
            panels: vec![(None, self.trace)],
        }
    }

    /// The picture as an SVG document.
    pub fn to_svg_string(&self) -> Result<String, VizError> {
        render(&self.scene())
    }

    /// Writes the SVG to `path` (complete or not at all).
    pub fn write_svg(&self, path: impl AsRef<Path>) -> Result<(), VizError> {
        let svg = self.to_svg_string()?;
        raster::write_file(path.as_ref(), svg.as_bytes())
    }

    /// Writes the picture as a PNG to `path`: the same SVG, rasterised with
    /// the embedded DejaVu Sans font, one pixel per SVG unit.
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<(), VizError> {
        let svg = self.to_svg_string()?;
        raster::write_png(path.as_ref(), &svg)
    }
}

/// Several traces stacked on one shared time axis, each under its label:
/// static above dynamic, say. Each panel has its own lanes, numbers and
/// busy strip; the axis and the legend are shared, and every panel's time
/// runs from its own region start.
///
/// ```
/// use logprof::{Lane, Span, Trace};
///
/// fn one_call(len: u64) -> Trace {
///     let mut trace = Trace::new();
///     let name = trace.intern("column");
///     let mut lane = Lane::new(1, 1, "worker-1");
///     lane.spans.push(Span { name, start_ns: 0, end_ns: len, depth: 0, task: None });
///     trace.lanes.push(lane);
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
#[derive(Clone, Debug, Default)]
pub struct Figure<'a> {
    title: Option<String>,
    width: Option<u32>,
    window: Option<Window>,
    by_task: bool,
    panels: Vec<(String, &'a Trace)>,
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
        self
    }

    fn scene(&self) -> Scene<'a> {
        Scene {
            title: self.title.clone(),
            width: self.width.unwrap_or(DEFAULT_WIDTH),
            window: self.window.unwrap_or(Window::Auto),
            by_task: self.by_task,
            panels: self
                .panels
                .iter()
                .map(|(label, trace)| (Some(label.clone()), *trace))
                .collect(),
        }
    }

    /// The figure as an SVG document; an error if no trace was added.
    pub fn to_svg_string(&self) -> Result<String, VizError> {
        if self.panels.is_empty() {
            return Err(VizError::option(
                "Figure",
                "no trace was added; call .add(label, &trace) at least once",
            ));
        }
        render(&self.scene())
    }

    /// Writes the SVG to `path` (complete or not at all).
    pub fn write_svg(&self, path: impl AsRef<Path>) -> Result<(), VizError> {
        let svg = self.to_svg_string()?;
        raster::write_file(path.as_ref(), svg.as_bytes())
    }

    /// Writes the figure as a PNG to `path`.
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<(), VizError> {
        let svg = self.to_svg_string()?;
        raster::write_png(path.as_ref(), &svg)
    }
}

fn wall_ns(trace: &Trace) -> u64 {
    trace.time_range().map(|(lo, hi)| hi - lo).unwrap_or(0)
}

/// What to draw: one or more labelled traces and the shared options.
struct Scene<'a> {
    title: Option<String>,
    width: u32,
    window: Window,
    by_task: bool,
    panels: Vec<(Option<String>, &'a Trace)>,
}

/// One lane ready to draw.
struct LaneView {
    label: String,
    /// The thread's name (thread view), for tooltips.
    thread: String,
    rows: Vec<Vec<Bar>>,
    height: f64,
    /// Idle stretches in x (thread view).
    idle: Vec<(f64, f64)>,
    /// The task's lifetime in x (task view).
    lifeline: Option<(f64, f64)>,
    right: String,
    right_warn: bool,
    /// busy/wall for the utilisation gauge.
    gauge: Option<f64>,
}

/// One trace ready to draw.
struct PanelView<'a> {
    label: Option<String>,
    trace: &'a Trace,
    summary: Summary,
    lanes: Vec<LaneView>,
    /// Average number of busy threads in each pixel column.
    concurrency: Vec<f64>,
    thread_count: usize,
    /// Thread names in lane order (the task view's colour keys).
    thread_names: Vec<String>,
    notes: Vec<String>,
    metrics: Vec<(String, String)>,
    /// x of the region's end when it falls inside the window.
    region_end_x: Option<f64>,
    /// Legend entries of the task view: (thread ordinal, slices, ns).
    thread_totals: Vec<(usize, u64, u64)>,
}

/// Horizontal layout shared by every panel.
#[derive(Clone, Copy)]
struct Columns {
    width: f64,
    label_x: f64,
    plot_x: f64,
    plot_w: f64,
}

impl Columns {
    fn right_x(&self) -> f64 {
        self.width - MARGIN
    }
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn render(scene: &Scene) -> Result<String, VizError> {
    if scene.width < MIN_WIDTH {
        return Err(VizError::option(
            format!("width {} px", scene.width),
            format!("too narrow for the labels; use at least {MIN_WIDTH} px"),
        ));
    }
    if scene.width > MAX_WIDTH {
        return Err(VizError::option(
            format!("width {} px", scene.width),
            format!("wider than a picture can be rasterised; use at most {MAX_WIDTH} px"),
        ));
    }
    let max_wall = scene.panels.iter().map(|p| wall_ns(p.1)).max().unwrap_or(0);
    let (w_lo, w_hi) = match scene.window {
        Window::Auto => (0, max_wall.max(1)),
        Window::Span(0) => {
            return Err(VizError::option(
                "time span 0 ns",
                "the time span must be at least 1 ns",
            ))
        }
        Window::Span(ns) => (0, ns),
        Window::Range(a, b) if b <= a => {
            return Err(VizError::option(
                format!("time range {a}..{b} ns"),
                "the end must come after the start",
            ))
        }
        Window::Range(a, b) => (a, b),
    };

    // Label column: as wide as the longest lane label needs, within limits.
    let mut label_w: f64 = 0.0;
    for (_, trace) in &scene.panels {
        if scene.by_task {
            for (task, slices) in trace.tasks().iter().take(MAX_TASK_LANES) {
                let &(li, si) = &slices[0];
                let name = trace.name(trace.lanes[li].spans[si].name);
                label_w = label_w.max(text_width(&task_label(name, *task), FONT, false));
            }
        } else {
            for lane in &trace.lanes {
                label_w = label_w.max(text_width(&lane.thread_name, FONT, false));
            }
        }
    }
    label_w = label_w.max(text_width("busy threads", SMALL, false));
    let width = f64::from(scene.width);
    let label_col = (label_w + 24.0).clamp(100.0, (width * 0.25).max(100.0));
    let plot_x = MARGIN + label_col;
    let cols = Columns {
        width,
        label_x: MARGIN,
        plot_x,
        plot_w: width - plot_x - RIGHT_COL - MARGIN,
    };

    let panels: Vec<PanelView> = scene
        .panels
        .iter()
        .map(|(label, trace)| build_panel(label.clone(), trace, scene.by_task, (w_lo, w_hi), cols))
        .collect();

    let mut doc = Drawing::default();
    let mut y = MARGIN;
    if let Some(title) = &scene.title {
        y += 18.0;
        doc.push(
            text(MARGIN, y, title, 18.0, INK)
                .set("font-weight", "bold")
                .set("class", "title"),
        );
        y += 8.0;
    }
    let ticks = time_ticks(w_lo as f64, w_hi as f64, (cols.plot_w / 110.0).max(2.0));
    let x_of_rel = |t: f64| cols.plot_x + (t - w_lo as f64) / (w_hi - w_lo) as f64 * cols.plot_w;

    for panel in &panels {
        y = draw_panel(&mut doc, panel, y, cols, &ticks, &x_of_rel, scene.by_task);
    }

    // The shared time axis (none when there is no time to show).
    if panels.iter().all(|p| p.trace.is_empty()) {
        return finish(scene, &panels, doc, y, cols);
    }
    y += 2.0;
    let mut axis = Group::new().set("class", "axis");
    axis.append(
        Line::new()
            .set("x1", r2(cols.plot_x))
            .set("x2", r2(cols.plot_x + cols.plot_w))
            .set("y1", r2(y))
            .set("y2", r2(y))
            .set("stroke", INK)
            .set("stroke-width", 1),
    );
    for (i, (t, label)) in ticks.iter().enumerate() {
        let x = x_of_rel(*t);
        axis.append(
            Line::new()
                .set("x1", r2(x))
                .set("x2", r2(x))
                .set("y1", r2(y))
                .set("y2", r2(y + 5.0))
                .set("stroke", INK)
                .set("stroke-width", 1),
        );
        let anchor = if i == 0 && (x - cols.plot_x).abs() < 1.0 {
            "start"
        } else {
            "middle"
        };
        axis.append(text(x, y + 18.0, label, SMALL, INK).set("text-anchor", anchor));
    }
    axis.append(
        text(cols.plot_x - 8.0, y + 18.0, "time from start", SMALL, MUTED)
            .set("text-anchor", "end"),
    );
    doc.push(axis);
    y += 34.0;

    y = draw_legend(&mut doc, &panels, scene.by_task, cols, y);
    finish(scene, &panels, doc, y, cols)
}

/// The `<svg>` root around the drawing, `y` being the bottom of the content.
fn finish(
    scene: &Scene,
    panels: &[PanelView],
    doc: Drawing,
    y: f64,
    cols: Columns,
) -> Result<String, VizError> {
    let height = (y + MARGIN).ceil();

    let spans: usize = panels.iter().map(|p| p.trace.span_count()).sum();
    let mut root = Document::new()
        .set("width", scene.width)
        .set("height", height)
        .set("viewBox", (0, 0, scene.width, height))
        .set("font-family", FONT_FAMILY)
        .set("font-size", FONT)
        .set("data-plot-x", r2(cols.plot_x))
        .set("data-plot-width", r2(cols.plot_w));
    root.append(Description::new().add(TextNode::new(format!(
        "logprof-viz timeline of {} spans in {} trace(s). Text is set in {FONT_FAMILY} \
         (embedded in the PNG renderer; DejaVu fonts licence).",
        spans,
        panels.len()
    ))));
    root.append(
        Definitions::new().add(
            Pattern::new()
                .set("id", "idle-hatch")
                .set("width", 6)
                .set("height", 6)
                .set("patternUnits", "userSpaceOnUse")
                .set("patternTransform", "rotate(45)")
                .add(
                    Rectangle::new()
                        .set("width", 6)
                        .set("height", 6)
                        .set("fill", "#f3f4f6"),
                )
                .add(
                    Line::new()
                        .set("x1", 0)
                        .set("y1", 0)
                        .set("x2", 0)
                        .set("y2", 6)
                        .set("stroke", "#d1d5db")
                        .set("stroke-width", 2),
                ),
        ),
    );
    root.append(
        Rectangle::new()
            .set("width", "100%")
            .set("height", "100%")
            .set("fill", "white"),
    );
    for node in doc.nodes {
        root.append(node);
    }
    Ok(root.to_string())
}

/// Nodes in drawing order.
#[derive(Default)]
struct Drawing {
    nodes: Vec<Box<dyn Node>>,
}

impl Drawing {
    fn push(&mut self, node: impl Into<Box<dyn Node>>) {
        self.nodes.push(node.into());
    }
}

fn text(x: f64, y: f64, content: &str, size: f64, fill: &str) -> SvgText {
    let mut t = SvgText::new(content)
        .set("x", r2(x))
        .set("y", r2(y))
        .set("fill", fill);
    if size != FONT {
        t = t.set("font-size", size);
    }
    t
}

fn task_label(name: &str, task: u64) -> String {
    format!("{name} #{task}")
}

/// Lanes, busy strip and numbers of one trace.
fn build_panel<'a>(
    label: Option<String>,
    trace: &'a Trace,
    by_task: bool,
    (w_lo, w_hi): (u64, u64),
    cols: Columns,
) -> PanelView<'a> {
    let summary = trace.summary();
    let region = (summary.start_ns, summary.end_ns);
    let scale = TimeScale {
        lo: region.0.saturating_add(w_lo),
        hi: region.0.saturating_add(w_hi),
        x: cols.plot_x,
        px_per_ns: cols.plot_w / (w_hi - w_lo) as f64,
    };
    // Lanes in a stable order, whatever order the trace keeps them in.
    let mut order: Vec<usize> = (0..trace.lanes.len()).collect();
    order.sort_by_key(|&i| (trace.lanes[i].pid, trace.lanes[i].tid));
    let several_pids = order
        .windows(2)
        .any(|w| trace.lanes[w[0]].pid != trace.lanes[w[1]].pid);
    let thread_names: Vec<String> = order
        .iter()
        .map(|&i| {
            let lane = &trace.lanes[i];
            if several_pids {
                format!("p{} {}", lane.pid, lane.thread_name)
            } else {
                lane.thread_name.clone()
            }
        })
        .collect();

    let mut concurrency = vec![0.0; cols.plot_w.max(1.0).ceil() as usize];
    let mut notes = Vec::new();
    let mut lanes = Vec::new();
    let mut outside = 0u64;
    let mut too_deep = 0u64;

    // Busy intervals per thread: idle hatch and concurrency strip.
    let busy: Vec<Vec<(u64, u64)>> = order
        .iter()
        .map(|&i| trace.lanes[i].busy_intervals())
        .collect();
    for b in &busy {
        add_coverage(&mut concurrency, &scale, b);
    }

    let mut thread_totals = Vec::new();
    if !by_task {
        for (ord, &li) in order.iter().enumerate() {
            let lane = &trace.lanes[li];
            let max_depth = lane
                .spans
                .iter()
                .map(|s| s.depth as usize)
                .max()
                .unwrap_or(0);
            let rows = (max_depth + 1).min(MAX_DEPTH_ROWS);
            let mut builders: Vec<RowBuilder> = (0..rows).map(|_| RowBuilder::new(scale)).collect();
            let sorted = lane
                .spans
                .windows(2)
                .all(|w| w[0].start_ns <= w[1].start_ns);
            let mut index: Vec<usize> = (0..lane.spans.len()).collect();
            if !sorted {
                index.sort_by_key(|&i| lane.spans[i].start_ns);
            }
            for i in index {
                let s = &lane.spans[i];
                match builders.get_mut(s.depth as usize) {
                    Some(row) => row.push(s.start_ns, s.end_ns, s.name, i),
                    None => too_deep += 1,
                }
            }
            let rows: Vec<Vec<Bar>> = builders
                .into_iter()
                .map(|b| {
                    let (bars, out) = b.finish();
                    outside += out;
                    bars
                })
                .collect();
            let idle = idle_stretches(&busy[ord], region, &scale);
            let util = summary.lanes[li].utilisation;
            lanes.push(LaneView {
                label: thread_names[ord].clone(),
                thread: thread_names[ord].clone(),
                height: ROW0_H + ROW_H * (rows.len() - 1) as f64,
                rows,
                idle,
                lifeline: None,
                right: if trace.is_empty() {
                    "–".to_owned()
                } else {
                    percent(util)
                },
                right_warn: false,
                gauge: (!trace.is_empty()).then_some(util),
            });
        }
    } else {
        let tasks = trace.tasks();
        let mut ord_of_lane = vec![0usize; trace.lanes.len()];
        for (ord, &li) in order.iter().enumerate() {
            ord_of_lane[li] = ord;
        }
        let mut totals: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
        let mut in_tasks = 0u64;
        for (&task, slices) in &tasks {
            in_tasks += slices.len() as u64;
            for &(li, si) in slices {
                let entry = totals.entry(ord_of_lane[li]).or_default();
                entry.0 += 1;
                let s = &trace.lanes[li].spans[si];
                entry.1 += s.end_ns.saturating_sub(s.start_ns);
            }
            if lanes.len() == MAX_TASK_LANES {
                continue;
            }
            let first = &trace.lanes[slices[0].0].spans[slices[0].1];
            let mut row = RowBuilder::new(scale);
            let mut threads = std::collections::BTreeSet::new();
            let mut last_end = first.end_ns;
            for (k, &(li, si)) in slices.iter().enumerate() {
                let s = &trace.lanes[li].spans[si];
                threads.insert(li);
                last_end = last_end.max(s.end_ns);
                row.push(s.start_ns, s.end_ns, ord_of_lane[li] as u32, k);
            }
            let (bars, out) = row.finish();
            outside += out;
            let life = (first.start_ns, last_end);
            let lifeline = (life.1 >= scale.lo && life.0 <= scale.hi)
                .then(|| (scale.x_of(life.0), scale.x_of(life.1)));
            lanes.push(LaneView {
                label: task_label(trace.name(first.name), task),
                thread: String::new(),
                height: TASK_ROW_H,
                rows: vec![bars],
                idle: Vec::new(),
                lifeline,
                right: if threads.len() == 1 {
                    "1 thread".to_owned()
                } else {
                    format!("{} threads", threads.len())
                },
                right_warn: threads.len() > 1,
                gauge: None,
            });
        }
        thread_totals = totals
            .into_iter()
            .map(|(ord, (n, ns))| (ord, n, ns))
            .collect();
        if tasks.len() > MAX_TASK_LANES {
            notes.push(format!(
                "{} of {} tasks drawn",
                count(MAX_TASK_LANES as u64),
                count(tasks.len() as u64)
            ));
        }
        let without = trace.span_count() as u64 - in_tasks;
        if without > 0 {
            notes.push(format!(
                "{} spans without a task are not drawn in the task view",
                count(without)
            ));
        }
    }

    if !trace.losses.is_empty() {
        let l = trace.losses;
        notes.push(format!(
            "incomplete recording: {} events overwritten, {} unmatched exits, {} unclosed enters \
             (grow the buffers with adjust_buffer and run again)",
            count(l.overwritten_events),
            count(l.unmatched_exits),
            count(l.unclosed_enters)
        ));
    }
    if too_deep > 0 {
        notes.push(format!(
            "{} spans nested deeper than {MAX_DEPTH_ROWS} levels are not drawn",
            count(too_deep)
        ));
    }
    if outside > 0 {
        notes.push(format!(
            "{} spans outside the time range are not drawn",
            count(outside)
        ));
    }

    let mut metrics = if trace.is_empty() {
        vec![
            ("threads".to_owned(), count(trace.lanes.len() as u64)),
            ("spans".to_owned(), "0".to_owned()),
        ]
    } else {
        vec![
            ("wall".to_owned(), duration(summary.wall_ns as f64)),
            ("load balance".to_owned(), percent(summary.load_balance)),
            (
                "parallel efficiency".to_owned(),
                percent(summary.parallel_efficiency),
            ),
            ("max − mean busy".to_owned(), duration(summary.imbalance_ns)),
            ("threads".to_owned(), count(trace.lanes.len() as u64)),
            ("spans".to_owned(), count(trace.span_count() as u64)),
        ]
    };
    if by_task && !trace.is_empty() {
        metrics.push(("tasks".to_owned(), count(trace.tasks().len() as u64)));
        metrics.push(("migrated".to_owned(), count(summary.migrated_tasks as u64)));
    }
    let region_end_rel = summary.wall_ns;
    let region_end_x = (!trace.is_empty() && region_end_rel > w_lo && region_end_rel < w_hi)
        .then(|| cols.plot_x + (region_end_rel - w_lo) as f64 * scale.px_per_ns);

    PanelView {
        label,
        trace,
        summary,
        lanes,
        concurrency,
        thread_count: trace.lanes.len(),
        thread_names,
        notes,
        metrics,
        region_end_x,
        thread_totals,
    }
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

/// Draws one panel from `y` down; returns the y below it.
fn draw_panel(
    doc: &mut Drawing,
    panel: &PanelView,
    mut y: f64,
    cols: Columns,
    ticks: &[(f64, String)],
    x_of_rel: &dyn Fn(f64) -> f64,
    by_task: bool,
) -> f64 {
    let mut group = Group::new().set("class", "panel");
    if let Some(label) = &panel.label {
        group = group.set("data-label", label.as_str());
    }
    // Header: the panel's label (in a figure) and its numbers.
    y += 20.0;
    let mut header = SvgText::new("")
        .set("x", r2(MARGIN))
        .set("y", r2(y))
        .set("class", "metrics");
    if let Some(label) = &panel.label {
        header.append(
            TSpan::new(label.as_str())
                .set("font-weight", "bold")
                .set("font-size", 14)
                .set("fill", INK),
        );
    }
    // Spaces at the ends of a tspan collapse in SVG: gaps are `dx` shifts.
    for (i, (key, value)) in panel.metrics.iter().enumerate() {
        let gap = if i == 0 && panel.label.is_none() {
            0
        } else {
            16
        };
        header.append(TSpan::new(key.as_str()).set("fill", MUTED).set("dx", gap));
        header.append(
            TSpan::new(value.as_str())
                .set("fill", INK)
                .set("font-weight", "bold")
                .set("dx", 4),
        );
    }
    group.append(header);
    for note in &panel.notes {
        y += 16.0;
        group.append(text(MARGIN, y, &format!("⚠ {note}"), SMALL, WARN).set("class", "note"));
    }

    // Column captions.
    y += 20.0;
    let caption = if by_task { "task" } else { "thread" };
    group.append(text(cols.label_x, y, caption, SMALL, MUTED));
    group.append(
        text(
            cols.right_x(),
            y,
            if by_task { "ran on" } else { "busy" },
            SMALL,
            MUTED,
        )
        .set("text-anchor", "end"),
    );
    if let Some(x) = panel.region_end_x {
        group.append(text(x, y, "end", SMALL, MUTED).set("text-anchor", "middle"));
    }
    y += 6.0;
    let lanes_top = y;
    let lanes_h: f64 = panel.lanes.iter().map(|l| l.height + LANE_GAP).sum::<f64>();
    let empty_h = if panel.lanes.is_empty() { 36.0 } else { 0.0 };
    let strip_h = if panel.trace.is_empty() {
        0.0
    } else {
        LANE_GAP + STRIP_H
    };
    let body_bottom = lanes_top + lanes_h + empty_h + strip_h;

    // Grid lines under everything.
    let mut grid = Group::new().set("class", "grid");
    for (t, _) in ticks {
        let x = r2(x_of_rel(*t));
        grid.append(
            Line::new()
                .set("x1", x)
                .set("x2", x)
                .set("y1", r2(lanes_top))
                .set("y2", r2(body_bottom))
                .set("stroke", RULE)
                .set("stroke-width", 1),
        );
    }
    group.append(grid);

    for lane in &panel.lanes {
        group.append(draw_lane(panel, lane, y, cols, by_task));
        y += lane.height + LANE_GAP;
    }
    if panel.trace.is_empty() || (by_task && panel.lanes.is_empty()) {
        let message = if panel.trace.is_empty() {
            "no spans recorded"
        } else {
            "no spans with a task id: only tracing spans and async tasks carry one"
        };
        let mid = if panel.lanes.is_empty() {
            y + 22.0
        } else {
            (lanes_top + y) / 2.0 + 4.0
        };
        group.append(
            text(cols.plot_x + cols.plot_w / 2.0, mid, message, 14.0, MUTED)
                .set("text-anchor", "middle")
                .set("class", "empty"),
        );
        y += empty_h;
    }

    // Concurrency strip: threads busy over time.
    if !panel.trace.is_empty() {
        y += LANE_GAP;
        group.append(draw_concurrency(panel, y, cols));
        y += STRIP_H;
    }

    if let Some(x) = panel.region_end_x {
        group.append(
            Line::new()
                .set("x1", r2(x))
                .set("x2", r2(x))
                .set("y1", r2(lanes_top - 4.0))
                .set("y2", r2(y))
                .set("stroke", MUTED)
                .set("stroke-width", 1)
                .set("stroke-dasharray", "3 3"),
        );
    }
    doc.push(group);
    y + 14.0
}

fn draw_lane(panel: &PanelView, lane: &LaneView, top: f64, cols: Columns, by_task: bool) -> Group {
    let mut g = Group::new()
        .set("class", "lane")
        .set("data-lane", lane.label.as_str())
        .set("data-y", r2(top))
        .set("data-height", r2(lane.height));
    let mid0 = top + if by_task { TASK_ROW_H } else { ROW0_H } / 2.0;
    g.append(
        text(
            cols.label_x,
            mid0 + 4.0,
            &fit(&lane.label, FONT, false, cols.plot_x - cols.label_x - 12.0),
            FONT,
            INK,
        )
        .set("class", "lane-label"),
    );
    // Lane track and idle time.
    g.append(
        Rectangle::new()
            .set("x", r2(cols.plot_x))
            .set("y", r2(top))
            .set("width", r2(cols.plot_w))
            .set("height", r2(lane.height))
            .set("fill", "#fafafa"),
    );
    for &(x0, x1) in &lane.idle {
        g.append(
            Rectangle::new()
                .set("class", "idle")
                .set("x", r2(x0))
                .set("y", r2(top))
                .set("width", r2(x1 - x0))
                .set("height", r2(lane.height))
                .set("fill", "url(#idle-hatch)"),
        );
    }
    if let Some((x0, x1)) = lane.lifeline {
        g.append(
            Line::new()
                .set("class", "lifeline")
                .set("x1", r2(x0))
                .set("x2", r2(x1))
                .set("y1", r2(mid0))
                .set("y2", r2(mid0))
                .set("stroke", "#9ca3af")
                .set("stroke-width", 1)
                .set("stroke-dasharray", "2 2"),
        );
    }

    let trace = panel.trace;
    for (depth, bars) in lane.rows.iter().enumerate() {
        let (y, h) = if by_task {
            (top + 1.0, TASK_ROW_H - 2.0)
        } else if depth == 0 {
            (top, ROW0_H)
        } else {
            (top + ROW0_H + ROW_H * (depth - 1) as f64 + 1.0, ROW_H - 1.0)
        };
        for bar in bars {
            let (color, name) = if by_task {
                (
                    thread_color(bar.key as usize),
                    panel
                        .thread_names
                        .get(bar.key as usize)
                        .map(String::as_str)
                        .unwrap_or("?"),
                )
            } else {
                (name_color(trace.name(bar.key)), trace.name(bar.key))
            };
            let w = (bar.x1 - bar.x0).max(1.0);
            let mut rect = Rectangle::new()
                .set("class", "bar")
                .set("data-calls", bar.calls)
                .set("x", r2(bar.x0))
                .set("y", r2(y))
                .set("width", r2(w))
                .set("height", r2(h))
                .set("fill", color);
            if bar.is_merged() && bar.coverage < 0.95 {
                // Sparse merged calls are drawn faint: density, not a block.
                rect = rect.set("fill-opacity", r2(0.3 + 0.7 * bar.coverage));
            }
            if w >= 4.0 {
                // A hairline between neighbouring calls.
                rect = rect
                    .set("stroke", "white")
                    .set("stroke-opacity", 0.7)
                    .set("stroke-width", 0.5);
            }
            rect.append(Title::new(tooltip(panel, lane, bar, by_task)));
            g.append(rect);
            // The name inside the bar when it fits.
            let size = if depth == 0 { SMALL } else { 9.0 };
            if !bar.is_merged() && w > 30.0 && h >= 10.0 {
                let label = fit(name, size, false, w - 6.0);
                // A clipped thread name says nothing: the colour does.
                let clipped = label != name;
                if !label.is_empty() && (!by_task || !clipped) {
                    g.append(
                        text(bar.x0 + 3.0, y + h / 2.0 + size * 0.36, &label, size, INK)
                            .set("pointer-events", "none"),
                    );
                }
            }
        }
    }

    // Utilisation (thread view) or threads that ran the task.
    let right_y = mid0 + 4.0;
    let fill = if lane.right_warn { WARN } else { INK };
    g.append(
        text(cols.right_x(), right_y, &lane.right, FONT, fill)
            .set("text-anchor", "end")
            .set("class", "utilisation"),
    );
    if let Some(u) = lane.gauge {
        // A small bar gauge left of the percentage.
        let (gw, gh) = (36.0, 8.0);
        let gx = cols.plot_x + cols.plot_w + 10.0;
        let gy = mid0 - gh / 2.0;
        g.append(
            Rectangle::new()
                .set("x", r2(gx))
                .set("y", r2(gy))
                .set("width", gw)
                .set("height", gh)
                .set("fill", RULE),
        );
        g.append(
            Rectangle::new()
                .set("x", r2(gx))
                .set("y", r2(gy))
                .set("width", r2(gw * u.clamp(0.0, 1.0)))
                .set("height", gh)
                .set("fill", "#6b7280"),
        );
    }
    g
}

/// The tooltip of a bar: what, where, when, how long.
fn tooltip(panel: &PanelView, lane: &LaneView, bar: &Bar, by_task: bool) -> String {
    let trace = panel.trace;
    let t0 = panel.summary.start_ns;
    let rel = |t: u64| duration(t.saturating_sub(t0) as f64);
    let thread = |key: u32| {
        panel
            .thread_names
            .get(key as usize)
            .cloned()
            .unwrap_or_default()
    };
    if !bar.is_merged() {
        let (what, on) = if by_task {
            (
                format!("{} (slice {})", lane.label, bar.item + 1),
                thread(bar.key),
            )
        } else {
            (trace.name(bar.key).to_owned(), lane.thread.clone())
        };
        return format!(
            "{what}\nthread: {on}\nstart: {}\nduration: {}",
            rel(bar.start_ns),
            duration(bar.busy_ns as f64)
        );
    }
    let what = if by_task { "slices" } else { "calls" };
    let mut s = format!("{} {what} merged", count(bar.calls));
    if !by_task {
        s.push_str(&format!("\nthread: {}", lane.thread));
    } else {
        s.push_str(&format!("\ntask: {}", lane.label));
    }
    s.push_str(&format!(
        "\nfrom {} to {}\nbusy: {}",
        rel(bar.start_ns),
        rel(bar.end_ns),
        duration(bar.busy_ns as f64)
    ));
    for &(key, calls, ns) in bar.keys.iter().take(3) {
        let name = if by_task {
            thread(key)
        } else {
            trace.name(key).to_owned()
        };
        s.push_str(&format!(
            "\n{} × {name} ({})",
            count(calls),
            duration(ns as f64)
        ));
    }
    if bar.keys.len() > 3 {
        s.push_str(&format!("\n… {} more", bar.keys.len() - 3));
    }
    s
}

fn draw_concurrency(panel: &PanelView, top: f64, cols: Columns) -> Group {
    let mut g = Group::new().set("class", "concurrency");
    let n = panel.thread_count.max(1) as f64;
    let base = top + STRIP_H;
    g.append(
        Rectangle::new()
            .set("x", r2(cols.plot_x))
            .set("y", r2(top))
            .set("width", r2(cols.plot_w))
            .set("height", STRIP_H)
            .set("fill", "#f8fafc")
            .set("stroke", RULE)
            .set("stroke-width", 0.5),
    );
    let mut d = format!("M{} {}", r2(cols.plot_x), r2(base));
    for (c, busy) in panel.concurrency.iter().enumerate() {
        let x0 = cols.plot_x + c as f64;
        let x1 = (x0 + 1.0).min(cols.plot_x + cols.plot_w);
        let y = base - STRIP_H * (busy / n).clamp(0.0, 1.0);
        d.push_str(&format!(" L{} {} L{} {}", r2(x0), r2(y), r2(x1), r2(y)));
    }
    d.push_str(&format!(
        " L{} {} Z",
        r2(cols.plot_x + cols.plot_w),
        r2(base)
    ));
    g.append(
        SvgPath::new()
            .set("d", d)
            .set("fill", "#64748b")
            .set("fill-opacity", 0.75)
            .append_title(format!(
                "threads busy over time (0 to {})",
                panel.thread_count
            )),
    );
    g.append(text(
        cols.label_x,
        top + STRIP_H / 2.0 + 4.0,
        "busy threads",
        SMALL,
        MUTED,
    ));
    g.append(
        text(
            cols.plot_x - 4.0,
            top + 9.0,
            &panel.thread_count.to_string(),
            9.0,
            MUTED,
        )
        .set("text-anchor", "end"),
    );
    g.append(text(cols.plot_x - 4.0, base, "0", 9.0, MUTED).set("text-anchor", "end"));
    // The time-average over the region: mean busy threads.
    if !panel.trace.is_empty() {
        let mean = panel.summary.mean_busy_ns * n / panel.summary.wall_ns.max(1) as f64;
        g.append(
            text(
                cols.right_x(),
                top + STRIP_H / 2.0 + 4.0,
                &format!("avg {mean:.2}"),
                SMALL,
                MUTED,
            )
            .set("text-anchor", "end"),
        );
    }
    g
}

/// Adds a `<title>` child.
trait AppendTitle: Node + Sized {
    fn append_title(mut self, title: String) -> Self {
        self.append(Title::new(title));
        self
    }
}
impl AppendTitle for SvgPath {}

/// The legend: each name's colour, calls and total time (thread view), or
/// each thread's colour (task view).
fn draw_legend(
    doc: &mut Drawing,
    panels: &[PanelView],
    by_task: bool,
    cols: Columns,
    mut y: f64,
) -> f64 {
    // (colour, name, statistics)
    let mut entries: Vec<(String, String, String)> = Vec::new();
    if by_task {
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut order: Vec<(String, &'static str)> = Vec::new();
        for p in panels {
            for &(ord, n, ns) in &p.thread_totals {
                let name = p.thread_names[ord].clone();
                let stats = format!("{} slices · {}", count(n), duration(ns as f64));
                let stats = match &p.label {
                    Some(l) if panels.len() > 1 => format!("{l}: {stats}"),
                    _ => stats,
                };
                if !seen.contains_key(&name) {
                    order.push((name.clone(), thread_color(ord)));
                }
                seen.entry(name).or_default().push(stats);
            }
        }
        for (name, color) in order {
            let stats = seen[&name].join(" · ");
            entries.push((color.to_owned(), name, stats));
        }
    } else {
        // Calls and total time per name, summed over the panels (each
        // panel's header already gives its own numbers).
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
        for name in order {
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
            entries.push((name_color(&name).to_owned(), name, stats));
        }
    }
    if entries.is_empty() {
        return y;
    }
    let mut g = Group::new().set("class", "legend");
    let hidden = entries.len().saturating_sub(MAX_LEGEND);
    entries.truncate(MAX_LEGEND);
    let avail = cols.width - 2.0 * MARGIN;
    let entry_w = entries
        .iter()
        .map(|(_, n, s)| {
            20.0 + text_width(n, FONT, false) + 8.0 + text_width(s, SMALL, false) + 28.0
        })
        .fold(0.0, f64::max)
        .min(avail);
    let per_row = ((avail / entry_w).floor() as usize).max(1);
    y += 4.0;
    g.append(text(
        MARGIN,
        y + 8.0,
        if by_task {
            "threads"
        } else {
            "functions (inclusive time)"
        },
        SMALL,
        MUTED,
    ));
    y += 14.0;
    for (i, (color, name, stats)) in entries.iter().enumerate() {
        let x = MARGIN + (i % per_row) as f64 * entry_w;
        let ey = y + (i / per_row) as f64 * LEGEND_ROW;
        let mut item = Group::new()
            .set("class", "legend-entry")
            .set("data-name", name.as_str());
        item.append(
            Rectangle::new()
                .set("x", r2(x))
                .set("y", r2(ey + 3.0))
                .set("width", 12)
                .set("height", 12)
                .set("rx", 2)
                .set("fill", color.as_str())
                .set("stroke", darker(color))
                .set("stroke-width", 0.5),
        );
        let name_fit = fit(name, FONT, false, entry_w * 0.5);
        let name_w = text_width(&name_fit, FONT, false);
        item.append(text(x + 18.0, ey + 13.5, &name_fit, FONT, INK));
        let stats_fit = fit(stats, SMALL, false, entry_w - name_w - 50.0);
        item.append(text(
            x + 18.0 + name_w + 8.0,
            ey + 13.5,
            &stats_fit,
            SMALL,
            MUTED,
        ));
        g.append(item);
    }
    let rows = entries.len().div_ceil(per_row);
    y += rows as f64 * LEGEND_ROW;
    if hidden > 0 {
        y += 14.0;
        g.append(text(
            MARGIN,
            y,
            &format!("… and {} more names", count(hidden as u64)),
            SMALL,
            MUTED,
        ));
    }
    doc.push(g);
    y
}
