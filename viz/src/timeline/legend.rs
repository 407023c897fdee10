//! Draws the legend under the time axis: what each colour means (a
//! function's name with its calls and total time, or a thread with its
//! slices), laid out in as many columns as fit.

use svg::node::element::{Group, Rectangle};
use svg::Node;

use super::elements::{r2, text, Drawing};
use super::layout::{legend_height, Columns, FONT, LEGEND_HEAD_H, LEGEND_ROW, MARGIN, SMALL};
use super::model::{Legend, LegendEntry};
use crate::color::{darker, INK, MUTED};
use crate::scale::count;
use crate::text::{fit, text_width};

/// Entries drawn at most; a note counts the rest.
const MAX_LEGEND: usize = 40;

/// Draws the legend from `top` down; returns the y below it (`top` itself
/// when the legend has no entry).
pub(super) fn draw_legend(doc: &mut Drawing, legend: Legend, cols: Columns, top: f64) -> f64 {
    let mut entries = legend.entries;
    if entries.is_empty() {
        return top;
    }
    let mut g = Group::new().set("class", "legend");
    let hidden = entries.len().saturating_sub(MAX_LEGEND);
    entries.truncate(MAX_LEGEND);
    let avail = cols.width - 2.0 * MARGIN;
    let entry_w = entries
        .iter()
        .map(|e| {
            20.0 + text_width(&e.name, FONT, false)
                + 8.0
                + text_width(&e.stats, SMALL, false)
                + 28.0
        })
        .fold(0.0, f64::max)
        .min(avail);
    let per_row = ((avail / entry_w).floor() as usize).max(1);
    g.append(text(MARGIN, top + 12.0, legend.heading, SMALL, MUTED));
    for (i, entry) in entries.iter().enumerate() {
        let x = MARGIN + (i % per_row) as f64 * entry_w;
        let ey = top + LEGEND_HEAD_H + (i / per_row) as f64 * LEGEND_ROW;
        g.append(draw_entry(entry, x, ey, entry_w));
    }
    let bottom = top + legend_height(entries.len().div_ceil(per_row), hidden > 0);
    if hidden > 0 {
        g.append(text(
            MARGIN,
            bottom,
            &format!("… and {} more names", count(hidden as u64)),
            SMALL,
            MUTED,
        ));
    }
    doc.push(g);
    bottom
}

/// One entry at `(x, y)` in a cell `entry_w` wide: swatch, name, statistics.
fn draw_entry(entry: &LegendEntry, x: f64, y: f64, entry_w: f64) -> Group {
    let mut item = Group::new()
        .set("class", "legend-entry")
        .set("data-name", entry.name.as_str());
    item.append(
        Rectangle::new()
            .set("x", r2(x))
            .set("y", r2(y + 3.0))
            .set("width", 12)
            .set("height", 12)
            .set("rx", 2)
            .set("fill", entry.color.as_str())
            .set("stroke", darker(&entry.color))
            .set("stroke-width", 0.5),
    );
    let name_fit = fit(&entry.name, FONT, false, entry_w * 0.5);
    let name_w = text_width(&name_fit, FONT, false);
    item.append(text(x + 18.0, y + 13.5, &name_fit, FONT, INK));
    let stats_fit = fit(&entry.stats, SMALL, false, entry_w - name_w - 50.0);
    item.append(text(
        x + 18.0 + name_w + 8.0,
        y + 13.5,
        &stats_fit,
        SMALL,
        MUTED,
    ));
    item
}
