//! Each line's name written at its end, right of the plot, so a line is
//! read where it is rather than looked up in the legend. Lines that end
//! close together have their labels pushed apart, each joined to its line's
//! end by a thin leader.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::text::{text_width, FONT_FAMILY};

/// The labels' font size, px.
pub(super) const LABEL_FONT: f64 = 14.0;
/// Least distance between two labels' middles, px.
const LABEL_GAP: f64 = 16.0;
/// Room between the plot's right edge and a label, px (the leader's).
const LEADER: i32 = 14;

/// One line's label: its name, colour and the pixel of its last point.
pub(super) struct EndLabel {
    /// The line's name.
    pub name: String,
    /// Its colour.
    pub color: RGBColor,
    /// The pixel of its last point (largest x).
    pub end: (i32, i32),
}

/// The width the labels need right of the plot, px.
pub(super) fn room(names: impl Iterator<Item = impl AsRef<str>>) -> u32 {
    let widest = names
        .map(|n| text_width(n.as_ref(), LABEL_FONT, false))
        .fold(0.0, f64::max);
    (widest.ceil() as u32) + LEADER as u32 + 8
}

/// Draws `labels` on `root`, left-aligned at `x` (the plot's right edge),
/// their middles at least [`LABEL_GAP`] apart within `top..=bottom`.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    mut labels: Vec<EndLabel>,
    x: i32,
    (top, bottom): (i32, i32),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    labels.sort_by_key(|l| l.end.1);
    let mut ys: Vec<f64> = labels.iter().map(|l| f64::from(l.end.1)).collect();
    spread(&mut ys, LABEL_GAP, (f64::from(top), f64::from(bottom)));
    for (label, y) in labels.iter().zip(ys) {
        let y = y.round() as i32;
        let text_x = x + LEADER;
        root.draw(&PathElement::new(
            vec![label.end, (x + 2, y), (text_x - 3, y)],
            label.color.mix(0.6).stroke_width(1),
        ))?;
        let style = (FONT_FAMILY, LABEL_FONT)
            .into_font()
            .color(&label.color)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(label.name.clone(), (text_x, y), style))?;
    }
    Ok(())
}

/// Moves the sorted positions `ys` apart so that neighbours are at least
/// `gap` apart, each as near its own place as that allows, within
/// `lo..=hi` when there is room.
fn spread(ys: &mut [f64], gap: f64, (lo, hi): (f64, f64)) {
    // Down from the top: each at least `gap` below the one above.
    for i in 0..ys.len() {
        let floor = if i == 0 { lo } else { ys[i - 1] + gap };
        ys[i] = ys[i].max(floor);
    }
    // Then up from the bottom, where that pushed a label past the end.
    for i in (0..ys.len()).rev() {
        let ceiling = if i + 1 == ys.len() {
            hi
        } else {
            ys[i + 1] - gap
        };
        ys[i] = ys[i].min(ceiling);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_apart_stay_where_they_are() {
        let mut ys = [10.0, 50.0, 90.0];
        spread(&mut ys, 16.0, (0.0, 100.0));
        assert_eq!(ys, [10.0, 50.0, 90.0]);
    }

    #[test]
    fn labels_on_top_of_each_other_are_pushed_apart() {
        // Eight lines ending at one point, as eight schedules at P = 1.
        let mut ys = [50.0; 8];
        spread(&mut ys, 16.0, (0.0, 400.0));
        for pair in ys.windows(2) {
            assert!(pair[1] - pair[0] >= 16.0 - 1e-9, "{ys:?}");
        }
        // Near the bottom edge they move up instead of off the chart.
        let mut ys = [95.0, 98.0, 99.0];
        spread(&mut ys, 10.0, (0.0, 100.0));
        assert_eq!(ys, [80.0, 90.0, 100.0]);
    }
}
