//! Draws one lane: its label, the track with idle time or the task's
//! lifeline, the bars of every row with their tooltips and names, and the
//! right-hand column (utilisation gauge or the threads that ran a task).

use svg::node::element::{Group, Line, Rectangle, Title};
use svg::Node;

use super::elements::{r2, text, AppendTitle};
use super::layout::{Columns, FONT, SMALL};
use super::model::{LaneKind, LaneView, PanelView};
use super::offcpu;
use crate::bars::Bar;
use crate::color::{INK, MUTED, RULE, WARN};
use crate::text::{fit, fit_middle};

/// Draws `lane` of `panel` with its top at `top`.
pub(super) fn draw_lane(
    panel: &PanelView,
    lane: &LaneView,
    top: f64,
    cols: Columns,
    kind: &dyn LaneKind,
) -> Group {
    let mut g = Group::new()
        .set("class", "lane")
        .set("data-lane", lane.label.as_str())
        .set("data-y", r2(top))
        .set("data-height", r2(lane.height));
    // The middle of the first row: the label, the lifeline and the right
    // column are centred on it.
    let mid0 = top + kind.style().first_row_height / 2.0;
    let label = text(
        cols.label_x,
        mid0 + 4.0,
        &fit_middle(&lane.label, FONT, false, cols.plot_x - cols.label_x - 12.0),
        FONT,
        INK,
    )
    .set("class", "lane-label");
    if lane.full_name.is_empty() {
        g.append(label);
    } else {
        // The tooltip of the group shows the full name over the label.
        g.append(
            Group::new()
                .set("class", "lane-name")
                .add(Title::new(lane.full_name.as_str()))
                .add(label),
        );
    }
    draw_track(&mut g, lane, top, mid0, cols);
    for &x in &lane.ticks {
        g.append(
            Line::new()
                .set("class", "instant")
                .set("x1", r2(x))
                .set("x2", r2(x))
                .set("y1", r2(top))
                .set("y2", r2(top + 5.0))
                .set("stroke", INK)
                .set("stroke-width", 1),
        );
    }
    for (depth, bars) in lane.rows.iter().enumerate() {
        let (y, h) = kind.row_box(top, depth);
        let size = if depth == 0 { SMALL } else { 9.0 };
        for bar in bars {
            draw_bar(&mut g, panel, lane, bar, (y, h, size), kind);
        }
    }
    offcpu::draw(&mut g, &lane.off_cpu, top, lane.height);
    draw_right_column(&mut g, lane, mid0, cols);
    g
}

/// The lane's background, its idle stretches and the task's lifeline.
fn draw_track(g: &mut Group, lane: &LaneView, top: f64, mid0: f64, cols: Columns) {
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
}

/// One bar in a row at `y`, `h` high, with its tooltip, and its name in
/// font `size` when it fits.
fn draw_bar(
    g: &mut Group,
    panel: &PanelView,
    lane: &LaneView,
    bar: &Bar,
    (y, h, size): (f64, f64, f64),
    kind: &dyn LaneKind,
) {
    let (color, name) = kind.key_style(panel, bar.key);
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
    if kind.key_waits(panel, bar.key) {
        // Waiting is not work: a grey bar with a dashed outline.
        rect = rect
            .set("class", "bar waiting")
            .set("stroke", MUTED)
            .set("stroke-width", 0.75)
            .set("stroke-dasharray", "3 2");
    } else if w >= 4.0 {
        // A hairline between neighbouring calls.
        rect = rect
            .set("stroke", "white")
            .set("stroke-opacity", 0.7)
            .set("stroke-width", 0.5);
    }
    g.append(rect.append_title(kind.tooltip(panel, lane, bar)));
    if !bar.is_merged() && w > 30.0 && h >= 10.0 {
        let label = fit(name, size, false, w - 6.0);
        let clipped = label != name;
        if !label.is_empty() && (kind.style().writes_clipped_names || !clipped) {
            g.append(
                text(bar.x0 + 3.0, y + h / 2.0 + size * 0.36, &label, size, INK)
                    .set("pointer-events", "none"),
            );
        }
    }
}

/// The text of the right-hand column (utilisation, or threads of a task)
/// and, in the thread view, a small gauge left of it.
fn draw_right_column(g: &mut Group, lane: &LaneView, mid0: f64, cols: Columns) {
    let fill = if lane.right_warn { WARN } else { INK };
    g.append(
        text(cols.right_x(), mid0 + 4.0, &lane.right, FONT, fill)
            .set("text-anchor", "end")
            .set("class", "utilisation"),
    );
    if let Some(u) = lane.gauge {
        let (gw, gh) = (36.0, 8.0);
        let gx = cols.plot_x + cols.plot_w + 10.0;
        let gy = mid0 - gh / 2.0;
        let gauge = |width: f64, fill: &str| {
            Rectangle::new()
                .set("x", r2(gx))
                .set("y", r2(gy))
                .set("width", width)
                .set("height", gh)
                .set("fill", fill)
        };
        g.append(gauge(gw, RULE));
        g.append(gauge(r2(gw * u.clamp(0.0, 1.0)), "#6b7280"));
    }
}
