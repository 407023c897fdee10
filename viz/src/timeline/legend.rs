//! The legend under the time axis: what each colour means (a function's
//! name with its calls and total time, or a thread with its slices), laid
//! out in as many columns as fit.

use svg::node::element::{Group, Rectangle};
use svg::Node;

use super::elements::{r2, text, Drawing};
use super::layout::{Columns, FONT, MARGIN, SMALL};
use crate::color::{darker, INK, MUTED};
use crate::scale::count;
use crate::text::{fit, text_width};

/// Height of one row of legend entries.
const LEGEND_ROW: f64 = 18.0;
/// Entries drawn at most; a note counts the rest.
const MAX_LEGEND: usize = 40;

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

/// Draws the legend from `y` down; returns the y below it (`y` itself when
/// the legend has no entry).
pub(super) fn draw_legend(doc: &mut Drawing, legend: Legend, cols: Columns, mut y: f64) -> f64 {
    let mut entries = legend.entries;
    if entries.is_empty() {
        return y;
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
    y += 4.0;
    g.append(text(MARGIN, y + 8.0, legend.heading, SMALL, MUTED));
    y += 14.0;
    for (i, entry) in entries.iter().enumerate() {
        let x = MARGIN + (i % per_row) as f64 * entry_w;
        let ey = y + (i / per_row) as f64 * LEGEND_ROW;
        g.append(draw_entry(entry, x, ey, entry_w));
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
