//! Draws a panel's heat rows (see `heat`): one indexed-colour PNG of the
//! rows inside the SVG, the processes' labels, the busiest and idlest lanes
//! named beside their rows with their busy share, and the colour scale under
//! the time axis.
//!
//! The rows are one embedded image rather than a rectangle per run of equal
//! pixels: a row of a busy lane changes colour at nearly every pixel, so
//! 3000 lanes would be millions of rectangles (hundreds of megabytes of
//! SVG), while the image of 16 colours, 4 bits a pixel and deflated, is a
//! few hundred kilobytes at most. The PNG is rasterised from the same SVG,
//! so both show the same pixels.

use base64::Engine;
use svg::node::element::{Group, Image, Line, Rectangle, Title};
use svg::Node;

use super::elements::{r2, text, AppendTitle, Drawing};
use super::heat::{HeatView, Mark, BINS, IDLE, PALETTE};
use super::layout::{legend_height, Columns, FONT, LEGEND_HEAD_H, LEGEND_ROW, MARGIN, SMALL};
use crate::color::{INK, MUTED, RULE};
use crate::error::VizError;
use crate::scale::percent;
use crate::text::fit_middle;

/// Vertical distance between two labels beside the rows.
const LABEL_STEP: f64 = 13.0;

/// Draws `heat` with its top at `top`, the labels in the label column and
/// the shares in the right-hand column; `kind` names the busy time.
pub(super) fn draw_heat(
    group: &mut Group,
    heat: &HeatView,
    top: f64,
    cols: Columns,
    kind: &str,
) -> Result<(), VizError> {
    let height = heat.height();
    if height == 0 || heat.width == 0 {
        return Ok(());
    }
    let png = encode_png(heat)?;
    let href = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    let mut image = Image::new()
        .set("class", "heat-rows")
        .set("x", r2(cols.plot_x))
        .set("y", r2(top))
        .set("width", heat.width)
        .set("height", height)
        .set("preserveAspectRatio", "none")
        .set("image-rendering", "pixelated")
        .set("data-row-px", heat.plan.row_px)
        .set("data-lanes-per-row", heat.plan.lanes_per_row)
        .set("href", href);
    image.append(Title::new(format!(
        "each row a lane, each pixel coloured by the share of its time the lane was busy ({kind})"
    )));
    group.append(image);
    group.append(
        Rectangle::new()
            .set("x", r2(cols.plot_x))
            .set("y", r2(top))
            .set("width", r2(cols.plot_w))
            .set("height", height)
            .set("fill", "none")
            .set("stroke", RULE)
            .set("stroke-width", 0.5),
    );
    let ys = spread(
        heat.marked.iter().map(|m| top + m.row_mid).collect(),
        top,
        top + height as f64,
    );
    let label_w = cols.plot_x - cols.label_x - 16.0;
    for (m, &y) in heat.marked.iter().zip(&ys) {
        let (arrow, what) = match m.mark {
            Mark::Busiest => ("▲", "busiest"),
            Mark::Idlest => ("▼", "idlest"),
        };
        let row_y = top + m.row_mid;
        let mut g = Group::new()
            .set("class", "heat-label")
            .set("data-lane", m.name.as_str())
            .set("data-mark", what)
            .set("data-share", format!("{:.6}", m.share))
            .set("data-row-y", r2(row_y));
        g.append(Title::new(format!(
            "{}: one of the {what} lanes, {} busy ({kind})",
            m.full_name,
            percent(m.share)
        )));
        let name = fit_middle(&format!("{arrow} {}", m.name), FONT, false, label_w);
        g.append(text(cols.label_x, y + 4.0, &name, FONT, INK));
        g.append(
            Line::new()
                .set("x1", r2(cols.plot_x - 10.0))
                .set("y1", r2(y))
                .set("x2", r2(cols.plot_x - 1.0))
                .set("y2", r2(row_y))
                .set("stroke", INK)
                .set("stroke-width", 1),
        );
        g.append(
            text(cols.right_x(), y + 4.0, &percent(m.share), SMALL, INK)
                .set("text-anchor", "end")
                .set("class", "heat-share"),
        );
        group.append(g);
    }
    // A process is named where its name does not cover a lane's or the
    // process's above.
    let mut last: Option<f64> = None;
    for g in &heat.groups {
        let y = top + g.top as f64 + 9.0;
        let clear_of_lanes = ys.iter().all(|&ly| (ly + 4.0 - y).abs() >= LABEL_STEP);
        if clear_of_lanes && last.is_none_or(|l| y - l >= LABEL_STEP) {
            let name = fit_middle(&g.label, SMALL, false, label_w);
            group.append(text(cols.label_x, y, &name, SMALL, MUTED).set("class", "process"));
            last = Some(y);
        }
    }
    Ok(())
}

/// The ys of labels wanted at `wanted` (ascending or not), moved apart by
/// at least [`LABEL_STEP`] and kept inside `lo..hi` where they fit, in the
/// order given.
fn spread(wanted: Vec<f64>, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| wanted[a].total_cmp(&wanted[b]));
    let mut ys: Vec<f64> = order.iter().map(|&i| wanted[i]).collect();
    for i in 1..ys.len() {
        ys[i] = ys[i].max(ys[i - 1] + LABEL_STEP);
    }
    // Pushed past the bottom: back up, no higher than the top.
    let mut bound = hi;
    for y in ys.iter_mut().rev() {
        *y = y.min(bound).max(lo);
        bound = *y - LABEL_STEP;
    }
    let mut out = vec![0.0; wanted.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = ys[k];
    }
    out
}

/// The rows as a PNG of 4-bit palette indices.
fn encode_png(heat: &HeatView) -> Result<Vec<u8>, VizError> {
    let (width, height) = (heat.width, heat.height());
    let fail = |e: png::EncodingError| {
        VizError::rasterize(None, format!("cannot encode the heat rows: {e}")).caused_by(e)
    };
    let pixels = heat.pixels();
    // Two pixels a byte, the first in the high nibble; each row whole bytes.
    let stride = width.div_ceil(2);
    let mut packed = vec![0u8; stride * height];
    for (row, out) in pixels
        .chunks_exact(width)
        .zip(packed.chunks_exact_mut(stride))
    {
        for (pair, byte) in row.chunks(2).zip(out.iter_mut()) {
            *byte = pair[0] << 4 | pair.get(1).copied().unwrap_or(0);
        }
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width as u32, height as u32);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Four);
    encoder.set_palette(PALETTE.concat());
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(&packed).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(bytes)
}

/// The colour `#rrggbb` of palette index `i`.
fn hex(i: u8) -> String {
    let [r, g, b] = PALETTE[usize::from(i)];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Height of the colour scale under the axis.
pub(super) fn legend_px() -> f64 {
    legend_height(2, false)
}

/// Draws the colour scale of the heat rows from `top` down, its heading
/// naming `kind`; returns the y below it.
pub(super) fn draw_heat_legend(doc: &mut Drawing, cols: Columns, top: f64, kind: &str) -> f64 {
    let mut g = Group::new().set("class", "legend heat-legend");
    g.append(text(
        MARGIN,
        top + 12.0,
        &format!("busy share of a lane in a pixel column's time ({kind})"),
        SMALL,
        MUTED,
    ));
    let cell = ((cols.width - 2.0 * MARGIN - 40.0) / (BINS + 1) as f64).min(44.0);
    let y = top + LEGEND_HEAD_H + 3.0;
    let label_y = top + LEGEND_HEAD_H + LEGEND_ROW + 8.0;
    let swatch = |x: f64, i: u8, title: String| {
        Rectangle::new()
            .set("x", r2(x))
            .set("y", r2(y))
            .set("width", r2(cell))
            .set("height", 12)
            .set("fill", hex(i))
            .set("stroke", RULE)
            .set("stroke-width", 0.5)
            .append_title(title)
    };
    g.append(swatch(MARGIN, IDLE, "idle: no busy time".to_owned()));
    g.append(text(MARGIN + cell / 2.0, label_y, "idle", 9.0, MUTED).set("text-anchor", "middle"));
    let x0 = MARGIN + cell + 12.0;
    let step = 100 / BINS;
    for b in 0..BINS {
        let (lo, hi) = (b * step, (b + 1) * step);
        g.append(swatch(
            x0 + b as f64 * cell,
            IDLE + 1 + b as u8,
            format!("busy more than {lo} % and at most {hi} % of the pixel's time"),
        ));
    }
    for b in 0..=BINS {
        let label = if b == BINS {
            "100 %".to_owned()
        } else {
            (b * step).to_string()
        };
        g.append(
            text(x0 + b as f64 * cell, label_y, &label, 9.0, MUTED).set("text-anchor", "middle"),
        );
    }
    doc.push(g);
    top + legend_px()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_spread_apart_inside_the_block() {
        let ys = spread(vec![10.0, 11.0, 12.0], 0.0, 100.0);
        assert_eq!(ys, vec![10.0, 23.0, 36.0]);
        // At the bottom they back up; the order given is kept.
        let ys = spread(vec![100.0, 99.0], 0.0, 100.0);
        assert_eq!(ys, vec![100.0, 87.0]);
    }
}
