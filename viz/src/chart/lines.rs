//! How each line of a chart is told apart from the others: its colour from
//! a palette of distinct hues, a dash pattern and a marker shape, all by its
//! place among the series, so two lines never look alike (eight schedules
//! once drew in five colours, `static` hidden under `dynamic`), not even in
//! grey print or to a reader who does not see some hues.

use plotters::prelude::*;

use crate::color::series_color;

/// The dash patterns, `(dash, gap)` in px; `None` is solid.
const DASHES: [Option<(u32, u32)>; 4] = [None, Some((12, 5)), Some((5, 4)), Some((2, 4))];
/// How many marker shapes [`marker`] draws.
const MARKERS: usize = 5;
/// The legend's sample of a line, in px.
const SAMPLE_W: i32 = 24;

/// The look of the `index`-th line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct LineStyle {
    /// Its colour.
    pub color: RGBColor,
    /// Its dash pattern, `None` for solid.
    pub dash: Option<(u32, u32)>,
    /// Its marker shape, an index into [`marker`]'s shapes.
    pub marker: usize,
}

impl LineStyle {
    /// The look of the `index`-th series. Colours repeat after ten lines,
    /// dashes after four and markers after five: no two of the first twenty
    /// lines share all three.
    pub fn of(index: usize) -> LineStyle {
        LineStyle {
            color: rgb(series_color(index)),
            dash: DASHES[index % DASHES.len()],
            marker: index % MARKERS,
        }
    }

    /// The legend's sample, relative to its left end: three stretches of
    /// the line's dash pattern over [`SAMPLE_W`] px, and its marker's
    /// outline in the middle.
    pub fn sample(self) -> ([Segment; 3], Vec<(i32, i32)>) {
        let mark = marker_points(self.marker)
            .into_iter()
            .map(|(dx, dy)| (dx + SAMPLE_W / 2, dy))
            .collect();
        (dash_segments(self.dash), mark)
    }
}

/// A stretch of a line, from x to x, px.
pub(super) type Segment = (i32, i32);

/// Three segments of `dash` from x = 0 over [`SAMPLE_W`] px (a solid line as
/// three that touch; what falls past the end is empty).
fn dash_segments(dash: Option<(u32, u32)>) -> [Segment; 3] {
    let (on, off) = dash.map_or((SAMPLE_W / 3, 0), |(d, g)| (d as i32, g as i32));
    std::array::from_fn(|k| {
        let start = (k as i32 * (on + off)).min(SAMPLE_W);
        (start, (start + on).min(SAMPLE_W))
    })
}

/// The outline of marker shape `shape` (circle, square, triangle, diamond,
/// plus) around (0, 0), px. Every shape is a polygon, so every marker is one
/// type of element whatever its shape (plotters composes only concrete
/// types).
pub(super) fn marker_points(shape: usize) -> Vec<(i32, i32)> {
    match shape % MARKERS {
        0 => (0..12)
            .map(|k| {
                let a = f64::from(k) * std::f64::consts::PI / 6.0;
                (
                    (5.0 * a.cos()).round() as i32,
                    (5.0 * a.sin()).round() as i32,
                )
            })
            .collect(),
        1 => vec![(-4, -4), (4, -4), (4, 4), (-4, 4)],
        2 => vec![(0, -6), (6, 5), (-6, 5)],
        3 => vec![(0, -6), (6, 0), (0, 6), (-6, 0)],
        _ => vec![
            (-2, -6),
            (2, -6),
            (2, -2),
            (6, -2),
            (6, 2),
            (2, 2),
            (2, 6),
            (-2, 6),
            (-2, 2),
            (-6, 2),
            (-6, -2),
            (-2, -2),
        ],
    }
}

/// A `#rrggbb` colour for plotters.
pub(super) fn rgb(hex: &str) -> RGBColor {
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    RGBColor(channel(1), channel(3), channel(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_lines_all_look_different() {
        let styles: Vec<LineStyle> = (0..20).map(LineStyle::of).collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // Eight schedules: eight colours.
        let mut colors: Vec<(u8, u8, u8)> = styles[..8]
            .iter()
            .map(|s| (s.color.0, s.color.1, s.color.2))
            .collect();
        colors.sort_unstable();
        colors.dedup();
        assert_eq!(colors.len(), 8);
    }

    #[test]
    fn dash_samples_stay_inside_the_sample() {
        assert_eq!(dash_segments(None), [(0, 8), (8, 16), (16, 24)]);
        assert_eq!(dash_segments(Some((12, 5))), [(0, 12), (17, 24), (24, 24)]);
        assert_eq!(dash_segments(Some((2, 4))), [(0, 2), (6, 8), (12, 14)]);
    }
}
