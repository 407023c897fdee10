//! Draws one panel: its header (label, numbers, notes), the column
//! captions, the grid, its lanes, the busy-threads strip and the marker of
//! the region's end.

use svg::node::element::{Group, Line, TSpan, Text as SvgText};
use svg::Node;

use super::busy;
use super::counters::draw_counter;
use super::elements::{r2, text, Drawing};
use super::heat_draw::draw_heat;
use super::lane::draw_lane;
use super::layout::{
    body_height, heat_body_height, TimeAxis, CAPTIONS_H, COUNTER_H, EMPTY_H, GROUP_H, HEADER_H,
    LANE_GAP, MARGIN, NOTE_H, PANEL_GAP, SMALL, STRIP_H,
};
use super::model::{LaneKind, PanelView};
use super::region_band;
use super::strip::draw_concurrency;
use crate::color::{INK, MUTED, RULE, WARN};
use crate::error::VizError;

/// Draws one panel from `y` down; returns the y below it.
pub(super) fn draw_panel(
    doc: &mut Drawing,
    panel: &PanelView,
    mut y: f64,
    axis: &TimeAxis,
    kind: &dyn LaneKind,
) -> Result<f64, VizError> {
    let cols = axis.cols;
    let mut group = Group::new().set("class", "panel");
    if let Some(label) = &panel.label {
        group = group.set("data-label", label.as_str());
    }
    y = draw_header(&mut group, panel, y);
    y = draw_captions(&mut group, panel, y, axis, kind);
    let lanes_top = y;
    group.append(draw_grid(panel, lanes_top, axis));

    if let Some(heat) = &panel.heat {
        draw_heat(&mut group, heat, y, cols, busy::kind(&panel.summary))?;
        y += heat.height() as f64 + LANE_GAP;
    }
    for lane in &panel.lanes {
        if let Some(header) = &lane.group_header {
            group.append(
                text(MARGIN, y + GROUP_H - 5.0, header, SMALL, MUTED).set("class", "process"),
            );
            y += GROUP_H;
        }
        group.append(draw_lane(panel, lane, y, cols, kind));
        y += lane.height + LANE_GAP;
    }
    if panel.heat.is_none() && (panel.trace.is_empty() || panel.lanes.is_empty()) {
        y = draw_empty_message(&mut group, panel, lanes_top, y, axis, kind);
    }

    // Concurrency strip: threads busy over time.
    if !panel.trace.is_empty() {
        y += LANE_GAP;
        group.append(draw_concurrency(panel, y, cols));
        y += STRIP_H;
    }
    for counter in &panel.counters {
        y += LANE_GAP;
        group.append(draw_counter(counter, y, cols));
        y += COUNTER_H;
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
    Ok(y + PANEL_GAP)
}

/// The header: the panel's label (in a figure), its numbers and its notes;
/// returns the y of the last line.
fn draw_header(group: &mut Group, panel: &PanelView, mut y: f64) -> f64 {
    y += HEADER_H;
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
    if let Some(heat) = &panel.heat {
        y += NOTE_H;
        group.append(text(MARGIN, y, &heat.line, SMALL, INK).set("class", "grouping"));
    }
    for note in &panel.notes {
        y += NOTE_H;
        group.append(text(MARGIN, y, &format!("⚠ {note}"), SMALL, WARN).set("class", "note"));
    }
    y
}

/// The captions above the label and right-hand columns, and "end" above
/// the region's end; returns the top of the lanes.
fn draw_captions(
    group: &mut Group,
    panel: &PanelView,
    y: f64,
    axis: &TimeAxis,
    kind: &dyn LaneKind,
) -> f64 {
    let style = kind.style();
    let right_caption = if style.busy_column {
        format!("{} {}", style.right_caption, busy::kind(&panel.summary))
    } else {
        style.right_caption.to_owned()
    };
    let baseline = y + 20.0;
    group.append(text(
        axis.cols.label_x,
        baseline,
        style.caption,
        SMALL,
        MUTED,
    ));
    group.append(
        text(axis.cols.right_x(), baseline, &right_caption, SMALL, MUTED).set("text-anchor", "end"),
    );
    if !panel.regions.is_empty() {
        // The band fills the plot column of the captions row.
        region_band::draw(group, &panel.regions, y + 3.0, CAPTIONS_H - 5.0);
    } else if let Some(x) = panel.region_end_x {
        group.append(text(x, baseline, "end", SMALL, MUTED).set("text-anchor", "middle"));
    }
    y + CAPTIONS_H
}

/// Grid lines at the ticks, from the top of the lanes to the bottom of the
/// busy strip, under everything.
fn draw_grid(panel: &PanelView, lanes_top: f64, axis: &TimeAxis) -> Group {
    let lanes = panel
        .lanes
        .iter()
        .map(|l| (l.height, l.group_header.is_some()));
    let body = match &panel.heat {
        Some(heat) => heat_body_height(heat.height(), !panel.trace.is_empty()),
        None => body_height(lanes, panel.lanes.is_empty(), !panel.trace.is_empty()),
    };
    let body_bottom = lanes_top + body;
    let mut grid = Group::new().set("class", "grid");
    for (t, _) in &axis.ticks {
        let x = r2(axis.x_of(*t));
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
    grid
}

/// Says why a panel shows no bars: no spans at all, or none this view
/// draws. `y` is the bottom of the lanes; returns the y below the message.
fn draw_empty_message(
    group: &mut Group,
    panel: &PanelView,
    lanes_top: f64,
    y: f64,
    axis: &TimeAxis,
    kind: &dyn LaneKind,
) -> f64 {
    let message = if panel.trace.is_empty() {
        "no spans recorded"
    } else {
        kind.style().no_lanes_message
    };
    let mid = if panel.lanes.is_empty() {
        y + 22.0
    } else {
        (lanes_top + y) / 2.0 + 4.0
    };
    let cols = axis.cols;
    group.append(
        text(cols.plot_x + cols.plot_w / 2.0, mid, message, 14.0, MUTED)
            .set("text-anchor", "middle")
            .set("class", "empty"),
    );
    let empty_h = if panel.lanes.is_empty() { EMPTY_H } else { 0.0 };
    y + empty_h
}
