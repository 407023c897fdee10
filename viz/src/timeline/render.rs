//! Draws the whole SVG document of a [`Scene`] (what the public builders ask
//! for): the title, each panel, the shared time axis and the legend, inside
//! the `<svg>` root with its description and the hatch patterns.

use svg::node::element::{Definitions, Description, Group, Line, Pattern, Rectangle};
use svg::node::Text as TextNode;
use svg::{Document, Node};

use logprof_trace::{Summary, Trace};

use super::busy;
use super::drawing::draw_panel;
use super::elements::{r2, text, Drawing};
use super::heat::{self, HeatPlan};
use super::heat_draw::draw_heat_legend;
use super::layout::{
    body_height, check_width, panel_height, picture_height, wall_ns, window_bounds, Columns,
    TimeAxis, Window, AXIS_H, FONT, MARGIN, MAX_DEPTH_ROWS, ROW0_H, ROW_H, SMALL, TITLE_H,
};
use super::legend::draw_legend;
use super::model::{LaneKind, PanelView};
use super::offcpu;
use super::panel::{build_panel, lane_order};
use crate::color::{INK, MUTED};
use crate::error::VizError;
use crate::raster::MAX_SIDE;
use crate::text::FONT_FAMILY;

/// What to draw: one or more labelled traces and the shared options.
pub(super) struct Scene<'a> {
    /// The title above everything, if any.
    pub title: Option<String>,
    /// The picture's width in pixels.
    pub width: u32,
    /// The part of the time axis shown.
    pub window: Window,
    /// How spans are grouped into lanes, for every panel.
    pub lanes: &'static dyn LaneKind,
    /// The traces, top first, each with its label in a figure.
    pub panels: Vec<(Option<String>, &'a Trace)>,
    /// The summary of the one panel's trace, when the caller has it and
    /// the trace does not (a big file's spans merged per pixel column,
    /// whose own figures are not the file's): the header, the busy column,
    /// the legend and the time axis take their numbers from it.
    pub summary: Option<&'a Summary>,
}

/// The scene as an SVG document and its height in pixels, or an error for
/// options it cannot draw.
///
/// A lane per thread as long as the picture fits a PNG
/// ([`MAX_SIDE`](crate::MAX_PNG_SIDE) high); past that, every panel is drawn
/// as heat rows (see `heat`). Whether the lanes fit is first told from the
/// lanes' heights alone, a bound below the picture's, so that a trace of
/// thousands of lanes is never laid out lane by lane; a picture that the
/// bound lets through and that still comes out too tall is drawn again as
/// heat rows.
pub(super) fn render(scene: &Scene) -> Result<(String, u32), VizError> {
    check_width(scene.width)?;
    let traces: Vec<&Trace> = scene.panels.iter().map(|(_, t)| *t).collect();
    let compacts = scene.lanes.style().compacts;
    let lanes_fit = !compacts || lanes_height_at_least(scene, &traces) <= f64::from(MAX_SIDE);
    if lanes_fit {
        let (svg, height) = draw(scene, &traces, None)?;
        if !compacts || height <= MAX_SIDE {
            return Ok((svg, height));
        }
    }
    let groups: Vec<Vec<usize>> = traces
        .iter()
        .map(|t| heat::groups(t, &lane_order(t)))
        .collect();
    draw(scene, &traces, Some(heat::plan(&groups)))
}

/// A bound below the height of `traces` drawn a lane per thread: the
/// title, each panel with its lanes (every nesting row drawn) and process
/// headers, no notes, counters or legend.
fn lanes_height_at_least(scene: &Scene, traces: &[&Trace]) -> f64 {
    let panels: f64 = traces
        .iter()
        .map(|trace| {
            let order = lane_order(trace);
            let several_pids = order
                .windows(2)
                .any(|w| trace.lanes[w[0]].pid != trace.lanes[w[1]].pid);
            let lanes = order.iter().enumerate().map(|(ord, &li)| {
                let lane = &trace.lanes[li];
                let depth = lane.spans.iter().map(|s| s.depth as usize).max();
                let rows = depth.unwrap_or(0).min(MAX_DEPTH_ROWS - 1);
                let first = ord == 0 || trace.lanes[order[ord - 1]].pid != lane.pid;
                (ROW0_H + ROW_H * rows as f64, several_pids && first)
            });
            panel_height(
                0,
                body_height(lanes, order.is_empty(), !trace.is_empty()),
                0,
            )
        })
        .sum();
    let has_spans = traces.iter().any(|t| !t.is_empty());
    f64::from(picture_height(
        scene.title.is_some(),
        panels,
        has_spans,
        0.0,
    ))
}

/// The scene drawn a lane per thread, or as heat rows under `heat`.
fn draw(
    scene: &Scene,
    traces: &[&Trace],
    heat: Option<HeatPlan>,
) -> Result<(String, u32), VizError> {
    let max_wall = match scene.summary {
        Some(summary) => summary.wall_ns,
        None => traces.iter().map(|t| wall_ns(t)).max().unwrap_or(0),
    };
    let window = window_bounds(scene.window, max_wall)?;
    let label_w = traces
        .iter()
        .map(|t| scene.lanes.label_width(t))
        .fold(0.0, f64::max);
    let cols = Columns::new(scene.width, label_w);
    let cost = scene.lanes.cost_scale(traces);
    let panels: Vec<PanelView> = scene
        .panels
        .iter()
        .map(|(label, trace)| {
            build_panel(
                label.clone(),
                (trace, scene.summary),
                scene.lanes,
                (window, cols),
                cost,
                heat,
            )
        })
        .collect();

    let mut doc = Drawing::default();
    let mut y = MARGIN;
    if let Some(title) = &scene.title {
        doc.push(
            text(MARGIN, y + 18.0, title, 18.0, INK)
                .set("font-weight", "bold")
                .set("class", "title"),
        );
        y += TITLE_H;
    }
    let axis = TimeAxis::new(window, cols);
    for panel in &panels {
        y = draw_panel(&mut doc, panel, y, &axis, scene.lanes)?;
    }
    // The shared time axis and the legend (none when there is no time to
    // show): heat rows have their colour scale instead of the names.
    if panels.iter().any(|p| !p.trace.is_empty()) {
        y = draw_axis(&mut doc, &axis, y);
        y = if heat.is_some() {
            draw_heat_legend(&mut doc, cols, y, &heat_kind(&panels))
        } else {
            draw_legend(&mut doc, scene.lanes.legend(&panels), cols, y)
        };
    }
    let height = (y + MARGIN).ceil();
    Ok((finish(scene, &panels, doc, height, cols), height as u32))
}

/// The busy time the heat rows of `panels` show, for the scale's heading.
fn heat_kind(panels: &[PanelView]) -> String {
    let kinds: Vec<&str> = panels.iter().map(|p| busy::kind(&p.summary)).collect();
    if kinds.windows(2).all(|w| w[0] == w[1]) {
        kinds.first().copied().unwrap_or("wall-clock").to_owned()
    } else {
        "on-CPU where off-CPU time was recorded, else wall-clock".to_owned()
    }
}

/// The time axis below the panels from `y`, with its ticks and labels;
/// returns the y below it.
fn draw_axis(doc: &mut Drawing, axis: &TimeAxis, top: f64) -> f64 {
    let cols = axis.cols;
    let y = top + 2.0;
    let tick = |x1: f64, x2: f64, y2: f64| {
        Line::new()
            .set("x1", r2(x1))
            .set("x2", r2(x2))
            .set("y1", r2(y))
            .set("y2", r2(y2))
            .set("stroke", INK)
            .set("stroke-width", 1)
    };
    let mut g = Group::new().set("class", "axis");
    g.append(tick(cols.plot_x, cols.plot_x + cols.plot_w, y));
    for (i, (t, label)) in axis.ticks.iter().enumerate() {
        let x = axis.x_of(*t);
        g.append(tick(x, x, y + 5.0));
        let anchor = if i == 0 && (x - cols.plot_x).abs() < 1.0 {
            "start"
        } else {
            "middle"
        };
        g.append(text(x, y + 18.0, label, SMALL, INK).set("text-anchor", anchor));
    }
    g.append(
        text(cols.plot_x - 8.0, y + 18.0, "time from start", SMALL, MUTED)
            .set("text-anchor", "end"),
    );
    doc.push(g);
    top + AXIS_H
}

/// The `<svg>` root of `height` pixels around the drawing.
fn finish(scene: &Scene, panels: &[PanelView], doc: Drawing, height: f64, cols: Columns) -> String {
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
        Definitions::new()
            .add(idle_hatch())
            .add(offcpu::preempted_hatch()),
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
    root.to_string()
}

/// The grey diagonal hatch that idle time is filled with (`#idle-hatch`).
fn idle_hatch() -> Pattern {
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
        )
}
