//! Line charts of a measure against a swept parameter (time or speed-up
//! against `ntasks` or `basesize`), one line per scheduler, drawn with
//! plotters into SVG and rasterised like the timelines. Every line has a
//! look of its own (`lines`: colour, dashes, marker) and its name at its end
//! (`labels`); a point may carry its range as an error bar.

mod labels;
mod lines;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;

use crate::error::VizError;
use crate::scale::nice_step;
use crate::text::FONT_FAMILY;
use labels::EndLabel;
use lines::LineStyle;

/// A point `(x, y)` and its range `(low, high)`, if it has one.
type RangedPoint = ((f64, f64), Option<(f64, f64)>);

/// One line of a [`LineChart`]: a name (a scheduler's, say), its points and,
/// optionally, the range each point stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Shown in the legend and at the line's end.
    pub name: String,
    /// `(x, y)` points, drawn in x order.
    pub points: Vec<(f64, f64)>,
    /// The range of each point, `(low, high)` (as the min … max of the
    /// timed runs a mean stands for), drawn as an error bar; one per point,
    /// in the order of `points`, or empty for none.
    pub spread: Vec<(f64, f64)>,
}

impl Series {
    /// A series from a name and points.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
            spread: Vec::new(),
        }
    }

    /// The series with each point's range, one per point.
    pub fn with_spread(mut self, spread: Vec<(f64, f64)>) -> Series {
        self.spread = spread;
        self
    }

    /// The points with their ranges, in x order (on the axis' scale `tx`).
    fn sorted(&self, tx: impl Fn(f64) -> f64) -> Vec<RangedPoint> {
        let mut p: Vec<_> = (self.points.iter().enumerate())
            .map(|(i, &(x, y))| ((tx(x), y), self.spread.get(i).copied()))
            .collect();
        p.sort_by(|a, b| a.0 .0.total_cmp(&b.0 .0));
        p
    }
}

/// A line chart: one line per series, an optional dashed ideal line, axes
/// with labels, a legend.
///
/// ```
/// use logprof_viz::{LineChart, Series};
///
/// let chart = LineChart {
///     title: "fork-join: time against ntasks".into(),
///     x_label: "ntasks".into(),
///     y_label: "time (ms)".into(),
///     series: vec![Series::new("fork-join", vec![(4.0, 16.3), (8.0, 10.7), (16.0, 10.3)])],
///     log_x: true,
///     ..LineChart::default()
/// };
/// let svg = chart.to_svg_string()?;
/// assert!(svg.contains("fork-join"));
/// # Ok::<(), logprof_viz::VizError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    /// Caption above the chart.
    pub title: String,
    /// Caption of the x axis (the swept parameter).
    pub x_label: String,
    /// Caption of the y axis (with its unit).
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
    /// A reference line drawn dashed in grey (perfect speed-up, say).
    pub ideal: Option<Series>,
    /// A logarithmic x axis, ticked at the data's x values (for parameters
    /// swept in powers of two). Every x must then be positive.
    pub log_x: bool,
    /// Width in pixels (default 900).
    pub width: u32,
    /// Height in pixels (default 540).
    pub height: u32,
}

impl Default for LineChart {
    fn default() -> LineChart {
        LineChart {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            ideal: None,
            log_x: false,
            width: 900,
            height: 540,
        }
    }
}

/// A compact label for an axis value: `4`, `0.5`, `1.2e6`.
fn axis_number(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{v:.1e}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

impl LineChart {
    /// A chart with a title and axis captions and no series yet.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        LineChart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..LineChart::default()
        }
    }

    fn error(&self, problem: impl Into<String>) -> VizError {
        VizError::chart(&self.title, problem)
    }

    /// The chart as an SVG document, text in DejaVu Sans.
    pub fn to_svg_string(&self) -> Result<String, VizError> {
        self.check()?;
        let frame = self.frame();
        let mut svg = String::new();
        self.draw(&mut svg, frame)?;
        Ok(svg)
    }

    /// Every point of the series and of the ideal line.
    fn all_points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.series
            .iter()
            .chain(self.ideal.iter())
            .flat_map(|s| s.points.iter().copied())
    }

    /// Every y the axis must show: the points' and their ranges' ends.
    fn all_ys(&self) -> impl Iterator<Item = f64> + '_ {
        let spreads = (self.series.iter().chain(self.ideal.iter()))
            .flat_map(|s| s.spread.iter().flat_map(|&(lo, hi)| [lo, hi]));
        self.all_points().map(|p| p.1).chain(spreads)
    }

    /// `x` on the x axis: its logarithm on a logarithmic axis.
    fn tx(&self, x: f64) -> f64 {
        if self.log_x {
            x.log10()
        } else {
            x
        }
    }

    /// Rejects a chart that cannot be drawn: too small, without points, or
    /// with points its axes cannot show.
    fn check(&self) -> Result<(), VizError> {
        if self.width < 200 || self.height < 150 {
            return Err(VizError::option(
                format!("chart size {}×{} px", self.width, self.height),
                "too small; use at least 200×150 px",
            ));
        }
        if self.series.iter().all(|s| s.points.is_empty()) {
            return Err(self.error("no series has any point; add points to `series`"));
        }
        if let Some((x, y)) = self
            .all_points()
            .find(|(x, y)| !x.is_finite() || !y.is_finite())
        {
            return Err(self.error(format!("the point ({x}, {y}) is not a finite number")));
        }
        for s in self.series.iter().chain(self.ideal.iter()) {
            if !s.spread.is_empty() && s.spread.len() != s.points.len() {
                return Err(self.error(format!(
                    "series {:?} has {} points and {} ranges; give one range a point or none",
                    s.name,
                    s.points.len(),
                    s.spread.len()
                )));
            }
            if let Some(&(lo, hi)) = s
                .spread
                .iter()
                .find(|(lo, hi)| !lo.is_finite() || !hi.is_finite() || lo > hi)
            {
                return Err(self.error(format!(
                    "series {:?} has the range {lo} … {hi}; a range is two finite numbers, low first",
                    s.name
                )));
            }
        }
        if self.log_x {
            if let Some((x, _)) = self.all_points().find(|(x, _)| *x <= 0.0) {
                return Err(self.error(format!(
                    "x = {x} cannot go on a logarithmic axis; use log_x: false or positive x"
                )));
            }
        }
        Ok(())
    }

    /// The ranges of the axes (x on the axis' scale) with some room around
    /// the points, and where the axes are labelled.
    fn frame(&self) -> Frame {
        let (mut x_lo, mut x_hi) = self
            .all_points()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (x, _)| {
                (lo.min(self.tx(x)), hi.max(self.tx(x)))
            });
        let y_max = self.all_ys().fold(0.0, f64::max);
        let y_min = self.all_ys().fold(0.0, f64::min);
        if x_hi - x_lo < 1e-12 {
            x_lo -= 0.5;
            x_hi += 0.5;
        }
        let pad = (x_hi - x_lo) * 0.04;
        let (x_lo, x_hi) = (x_lo - pad, x_hi + pad);
        let y_span = (y_max - y_min).max(1e-12);
        let (y_lo, y_hi) = (y_min, y_max + y_span * 0.08);
        let mut x_keys = self.x_keys(x_lo, x_hi);
        x_keys.retain(|k| *k >= x_lo && *k <= x_hi);
        Frame {
            x: (x_lo, x_hi),
            y: (y_lo, y_hi),
            x_keys,
            y_keys: round_keys(y_lo, y_hi, 6.0),
        }
    }

    /// Key points of the x axis: the data's own x values on a log axis
    /// (powers of two stay readable), round steps otherwise.
    fn x_keys(&self, x_lo: f64, x_hi: f64) -> Vec<f64> {
        if !self.log_x {
            return round_keys(x_lo, x_hi, 8.0);
        }
        let mut xs: Vec<f64> = self.all_points().map(|p| p.0).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        if xs.len() > 16 {
            let step = xs.len().div_ceil(12);
            xs = xs.into_iter().step_by(step).collect();
        }
        xs.into_iter().map(f64::log10).collect()
    }

    /// Draws the chart into `svg` with plotters.
    fn draw(&self, svg: &mut String, frame: Frame) -> Result<(), VizError> {
        let chart_err = |e: PlotError| self.error(e.to_string()).caused_by(e);
        let root = SVGBackend::with_string(svg, (self.width, self.height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let (x_lo, x_hi) = frame.x;
        let (y_lo, y_hi) = frame.y;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                &self.title,
                (FONT_FAMILY, 22).into_font().style(FontStyle::Bold),
            )
            .margin(18)
            // Room for each line's name at its end.
            .margin_right(18 + self.label_room())
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(
                KeyedAxis::new(x_lo, x_hi, frame.x_keys),
                KeyedAxis::new(y_lo, y_hi, frame.y_keys),
            )
            .map_err(chart_err)?;
        self.draw_mesh(&mut chart).map_err(chart_err)?;
        let ends = self.draw_lines(&mut chart, frame.x).map_err(chart_err)?;
        chart
            .configure_series_labels()
            .position(legend_corner(
                &self.series,
                |x| self.tx(x),
                (x_lo, x_hi),
                (y_lo, y_hi),
            ))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(209, 213, 219))
            .label_font((FONT_FAMILY, 15))
            .draw()
            .map_err(chart_err)?;
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        labels::draw(&root, ends, xs.end, (ys.start, ys.end)).map_err(chart_err)?;
        root.present().map_err(chart_err)
    }

    /// The width the names at the lines' ends need, px.
    fn label_room(&self) -> u32 {
        let names = self.series.iter().chain(self.ideal.iter());
        labels::room(names.filter(|s| !s.points.is_empty()).map(|s| &s.name))
    }

    /// The grid, the axes and their labels.
    fn draw_mesh(&self, chart: &mut Chart) -> Result<(), PlotError> {
        let log_x = self.log_x;
        let label_style = (FONT_FAMILY, 15).into_font().color(&RGBColor(55, 65, 81));
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .axis_desc_style((FONT_FAMILY, 16))
            .label_style(label_style)
            .x_label_formatter(&|v| axis_number(if log_x { 10f64.powf(*v) } else { *v }))
            .y_label_formatter(&|v| axis_number(*v))
            .light_line_style(RGBColor(243, 244, 246))
            .bold_line_style(RGBColor(229, 231, 235))
            .axis_style(RGBColor(75, 85, 99))
            .draw()
    }

    /// The ideal line, dashed grey, then each series in its own look (see
    /// [`LineStyle`]) with its markers and error bars, each with its legend
    /// entry; returns where each line ends, for its label.
    fn draw_lines<'a, 'b: 'a>(
        &self,
        chart: &mut Chart<'a, 'b>,
        (x_lo, x_hi): (f64, f64),
    ) -> Result<Vec<EndLabel>, PlotError> {
        let tx = |x: f64| self.tx(x);
        // Error bars of lines that share an x are set a few px apart, each
        // line's on its own side, so that none hides another.
        let plot_px = chart.plotting_area().get_pixel_range().0.len().max(1) as f64;
        let middle = (self.series.len() as f64 - 1.0) / 2.0;
        let dodge = |i: usize| (i as f64 - middle) * BAR_DODGE_PX * (x_hi - x_lo) / plot_px;
        let mut ends = Vec::new();
        let end_of = |chart: &Chart, s: &Series, color: RGBColor, points: &[(f64, f64)]| {
            points.last().map(|last| EndLabel {
                name: s.name.clone(),
                color,
                end: chart.backend_coord(last),
            })
        };
        if let Some(ideal) = &self.ideal {
            let grey = RGBColor(107, 114, 128);
            let points: Vec<(f64, f64)> = ideal.sorted(tx).into_iter().map(|p| p.0).collect();
            ends.extend(end_of(chart, ideal, grey, &points));
            chart
                .draw_series(DashedLineSeries::new(points, 8, 5, grey.stroke_width(2)))?
                .label(ideal.name.as_str())
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (7, 0)], grey.stroke_width(2))
                        + PathElement::new(vec![(11, 0), (18, 0)], grey.stroke_width(2))
                });
        }
        for (i, s) in self.series.iter().enumerate() {
            let look = LineStyle::of(i);
            let sorted = s.sorted(tx);
            let points: Vec<(f64, f64)> = sorted.iter().map(|p| p.0).collect();
            ends.extend(end_of(chart, s, look.color, &points));
            // Error bars first, under the line: a vertical stroke with caps.
            let bars: Vec<((f64, f64), (f64, f64))> = (sorted.iter())
                .filter_map(|&((x, _), range)| {
                    let x = x + dodge(i);
                    range.map(|(lo, hi)| ((x, lo), (x, hi)))
                })
                .collect();
            let bar = look.color.mix(0.7).stroke_width(2);
            chart.draw_series(
                bars.iter()
                    .map(|&(lo, hi)| PathElement::new(vec![lo, hi], bar)),
            )?;
            chart.draw_series(
                bars.iter()
                    .flat_map(|&(lo, hi)| [lo, hi])
                    .map(|at| EmptyElement::at(at) + PathElement::new(vec![(-5, 0), (5, 0)], bar)),
            )?;
            let stroke = look.color.stroke_width(3);
            let anno = match look.dash {
                None => chart.draw_series(LineSeries::new(points.clone(), stroke))?,
                Some((dash, gap)) => {
                    chart.draw_series(DashedLineSeries::new(points.clone(), dash, gap, stroke))?
                }
            };
            anno.label(s.name.as_str()).legend(move |(x, y)| {
                let ([a, b, c], mark) = look.sample();
                let path = |(s, e): (i32, i32)| PathElement::new(vec![(s, 0), (e, 0)], stroke);
                EmptyElement::at((x, y))
                    + path(a)
                    + path(b)
                    + path(c)
                    + Polygon::new(mark, look.color.filled())
            });
            let mark = lines::marker_points(look.marker);
            chart.draw_series(
                points.iter().map(|&p| {
                    EmptyElement::at(p) + Polygon::new(mark.clone(), look.color.filled())
                }),
            )?;
        }
        Ok(ends)
    }
}

/// How far apart the error bars of neighbouring lines at one x are, px.
const BAR_DODGE_PX: f64 = 3.0;

/// The plotters chart a [`LineChart`] is drawn on.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<KeyedAxis, KeyedAxis>>;

/// What plotters reports when drawing into a string fails.
type PlotError = DrawingAreaErrorKind<std::io::Error>;

/// The axes of a chart: their ranges (x on the axis' scale) and key points.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    x_keys: Vec<f64>,
    y_keys: Vec<f64>,
}

crate::raster::picture_writers!(LineChart, "chart");

/// The corner of the plot with the fewest points near it, for the legend.
fn legend_corner(
    series: &[Series],
    tx: impl Fn(f64) -> f64,
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> SeriesLabelPosition {
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let crowding = |right: bool, upper: bool| {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|&&(x, y)| {
                let fx = (tx(x) - x_lo) / (x_hi - x_lo);
                let fy = (y - y_lo) / (y_hi - y_lo);
                let near_x = if right { fx > 0.55 } else { fx < 0.45 };
                let near_y = if upper { fy > 0.6 } else { fy < 0.4 };
                near_x && near_y
            })
            .count()
    };
    corners
        .into_iter()
        .min_by_key(|&(_, right, upper)| crowding(right, upper))
        .map(|c| c.0)
        .unwrap_or(SeriesLabelPosition::UpperRight)
}

/// A linear f64 axis with grid lines and labels at chosen values only.
struct KeyedAxis {
    lo: f64,
    hi: f64,
    keys: Vec<f64>,
}

impl KeyedAxis {
    fn new(lo: f64, hi: f64, keys: Vec<f64>) -> KeyedAxis {
        KeyedAxis { lo, hi, keys }
    }
}

impl Ranged for KeyedAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = (value - self.lo) / (self.hi - self.lo);
        (f64::from(limit.0) + f * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for KeyedAxis {
    fn format(value: &f64) -> String {
        axis_number(*value)
    }
}

/// Multiples of a round step within `[lo, hi]`.
fn round_keys(lo: f64, hi: f64, target: f64) -> Vec<f64> {
    let span = hi - lo;
    let step = nice_step(span, target, span * 1e-9);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_numbers_are_compact() {
        assert_eq!(axis_number(4.0), "4");
        assert_eq!(axis_number(0.5), "0.5");
        assert_eq!(axis_number(10.25), "10.25");
        assert_eq!(axis_number(2e6), "2.0e6");
    }

    #[test]
    fn round_keys_cover_the_range() {
        assert_eq!(round_keys(0.0, 17.0, 6.0), vec![0.0, 5.0, 10.0, 15.0]);
    }
}
