//! The work profile: what each unit of work cost across a run (each
//! column's iterations), with a schedule's split of the units drawn over
//! it and each piece's total, so the picture says where the heavy work is
//! and why a schedule of fixed pieces is unbalanced.
//!
//! It takes plain numbers (a cost per unit, the pieces as index ranges),
//! nothing of a trace or of a scheduler.

use std::ops::Range;

use svg::node::element::{Description, Group, Line, Path, Rectangle, Text as SvgText, Title};
use svg::node::Text as TextNode;
use svg::{Document, Node};

use crate::color::{INK, MUTED, RULE};
use crate::error::VizError;
use crate::scale::{compact, nice_step};
use crate::text::{fit, text_width, FONT_FAMILY};

/// The fill of the cost profile.
const COST_FILL: &str = "#5588dd";
/// The shading of every other piece of the split.
const PIECE_SHADE: &str = "#f3f4f6";
/// Each piece's mean cost per unit, and the piece boundaries.
const PIECE_INK: &str = "#b45309";
const FONT: f64 = 14.0;
const SMALL: f64 = 12.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 96.0;
const BOTTOM: f64 = 56.0;
/// Pieces drawn one by one at most; beyond, the split is only summed up.
const MAX_DRAWN_PIECES: usize = 64;

/// The cost of every unit of work of a run, with a split of the units into
/// pieces (a schedule's blocks) drawn over it.
///
/// ```
/// use logprof_viz::WorkProfile;
///
/// let profile = WorkProfile {
///     title: "work per column".into(),
///     costs: vec![1, 1, 4, 4, 4, 4, 1, 1],
///     pieces: vec![0..2, 2..4, 4..6, 6..8],
///     ..WorkProfile::default()
/// };
/// assert_eq!(profile.piece_totals(), [2, 8, 8, 2]);
/// let svg = profile.to_svg_string()?;
/// assert!(svg.contains("block 2: 8 (4.0× the lightest)"));
/// # Ok::<(), logprof_viz::VizError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WorkProfile {
    /// Caption above the chart (say which schedule's split it shows).
    pub title: String,
    /// What a unit of work is, singular (`column`).
    pub unit: String,
    /// What a cost counts, plural (`iterations`).
    pub cost: String,
    /// What a piece of the split is called (`block`, `chunk`).
    pub piece: String,
    /// The cost of unit `i` at index `i`.
    pub costs: Vec<u64>,
    /// The split: consecutive ranges of unit indices that cover all units
    /// in order; empty for no split.
    pub pieces: Vec<Range<usize>>,
    /// Width in pixels (default 900).
    pub width: u32,
    /// Height in pixels (default 460).
    pub height: u32,
}

impl Default for WorkProfile {
    fn default() -> WorkProfile {
        WorkProfile {
            title: String::new(),
            unit: "unit".into(),
            cost: "cost".into(),
            piece: "block".into(),
            costs: Vec::new(),
            pieces: Vec::new(),
            width: 900,
            height: 460,
        }
    }
}

crate::raster::picture_writers!(WorkProfile, "work profile");

impl WorkProfile {
    /// The total cost of each piece of the split, in order (empty when the
    /// ranges do not fit the units; [`WorkProfile::to_svg_string`] says why).
    pub fn piece_totals(&self) -> Vec<u64> {
        self.pieces
            .iter()
            .map(|r| self.costs.get(r.clone()).map_or(0, |c| c.iter().sum()))
            .collect()
    }

    /// What the split says in one line: how much heavier the heaviest piece
    /// is than the lightest (`None` without a split, or when the lightest
    /// piece cost nothing).
    pub fn imbalance_note(&self) -> Option<String> {
        let totals = self.piece_totals();
        let (heavy, &max) = totals.iter().enumerate().max_by_key(|(_, &t)| t)?;
        let (light, &min) = totals.iter().enumerate().min_by_key(|(_, &t)| t)?;
        (min > 0 && totals.len() > 1).then(|| {
            format!(
                "heaviest {p} ({}): {:.1}× the {cost} of the lightest ({})",
                heavy + 1,
                max as f64 / min as f64,
                light + 1,
                p = self.piece,
                cost = self.cost,
            )
        })
    }

    fn error(&self, problem: impl Into<String>) -> VizError {
        VizError::Chart {
            title: self.title.clone(),
            problem: problem.into(),
        }
    }

    /// Rejects a profile that cannot be drawn.
    fn check(&self) -> Result<(), VizError> {
        if self.width < 300 || self.height < 200 {
            return Err(VizError::option(
                format!("work profile size {}×{} px", self.width, self.height),
                "too small; use at least 300×200 px",
            ));
        }
        if self.costs.is_empty() {
            return Err(self.error(format!("no {} to draw: the cost list is empty", self.unit)));
        }
        let mut next = 0;
        for r in &self.pieces {
            if r.start != next || r.end < r.start {
                return Err(self.error(format!(
                    "the {} {}..{} does not follow the one before (which ended at {next}); \
                     pieces must cover the {}s in order",
                    self.piece, r.start, r.end, self.unit
                )));
            }
            next = r.end;
        }
        if !self.pieces.is_empty() && next != self.costs.len() {
            return Err(self.error(format!(
                "the {}s end at {next} but there are {} {}s; pieces must cover them all",
                self.piece,
                self.costs.len(),
                self.unit
            )));
        }
        Ok(())
    }

    /// The profile as an SVG document, text in DejaVu Sans.
    pub fn to_svg_string(&self) -> Result<String, VizError> {
        self.check()?;
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        let plot = Plot {
            x: LEFT,
            y: TOP,
            w: w - LEFT - RIGHT,
            h: h - TOP - BOTTOM,
            units: self.costs.len(),
            max: *self.costs.iter().max().unwrap_or(&0),
        };
        let mut root = Document::new()
            .set("width", self.width)
            .set("height", self.height)
            .set("viewBox", (0, 0, self.width, self.height))
            .set("font-family", FONT_FAMILY)
            .set("font-size", FONT);
        root.append(Description::new().add(TextNode::new(format!(
            "logprof-viz work profile: {} per {} of {} {}s, {} {}s drawn over it.",
            self.cost,
            self.unit,
            self.costs.len(),
            self.unit,
            self.pieces.len(),
            self.piece
        ))));
        root.append(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "white"),
        );
        let drawn_pieces = self.pieces.len() <= MAX_DRAWN_PIECES;
        if drawn_pieces {
            root.append(self.piece_shading(&plot));
        }
        root.append(self.axes(&plot));
        root.append(self.profile(&plot));
        if drawn_pieces {
            root.append(self.piece_marks(&plot));
        }
        root.append(self.header(drawn_pieces));
        Ok(root.to_string())
    }

    /// Title, what the split says, and how to read the marks.
    fn header(&self, drawn_pieces: bool) -> Group {
        let room = f64::from(self.width) - LEFT - RIGHT;
        let total: u64 = self.costs.iter().sum();
        let mut summary = format!(
            "{} {}s, {} {} in all",
            self.costs.len(),
            self.unit,
            compact(total),
            self.cost
        );
        if let Some(note) = self.imbalance_note() {
            summary.push_str("; ");
            summary.push_str(&note);
        }
        if !self.pieces.is_empty() && !drawn_pieces {
            summary.push_str(&format!(
                " ({} {}s: too many to draw)",
                self.pieces.len(),
                self.piece
            ));
        }
        let key = if self.pieces.is_empty() || !drawn_pieces {
            format!("filled: the {} of each {}", self.cost, self.unit)
        } else {
            format!(
                "filled: the {} of each {u}; solid lines: each {p}'s mean per {u}; dashed: where {p}s meet",
                self.cost,
                u = self.unit,
                p = self.piece
            )
        };
        Group::new()
            .set("class", "header")
            .add(
                text(LEFT, 28.0, &fit(&self.title, 18.0, true, room), 18.0, INK)
                    .set("font-weight", "bold")
                    .set("class", "title"),
            )
            .add(
                text(LEFT, 50.0, &fit(&summary, FONT, false, room), FONT, MUTED)
                    .set("class", "summary"),
            )
            .add(text(
                LEFT,
                70.0,
                &fit(&key, SMALL, false, room),
                SMALL,
                MUTED,
            ))
    }

    /// Every other piece shaded, so the pieces read as bands.
    fn piece_shading(&self, plot: &Plot) -> Group {
        let mut g = Group::new().set("class", "piece-bands");
        for r in self.pieces.iter().skip(1).step_by(2) {
            let (x0, x1) = (plot.x_of(r.start), plot.x_of(r.end));
            g.append(
                Rectangle::new()
                    .set("x", r2(x0))
                    .set("y", r2(plot.y))
                    .set("width", r2(x1 - x0))
                    .set("height", r2(plot.h))
                    .set("fill", PIECE_SHADE),
            );
        }
        g
    }

    /// The cost of each unit as a filled step line; with more units than
    /// pixels, each pixel column shows the mean of its units.
    fn profile(&self, plot: &Plot) -> Path {
        let bins = (plot.w.floor() as usize).clamp(1, self.costs.len());
        let mut d = format!("M{} {}", r2(plot.x), r2(plot.y_of(0.0)));
        for b in 0..bins {
            let lo = b * self.costs.len() / bins;
            let hi = ((b + 1) * self.costs.len() / bins).max(lo + 1);
            let mean = self.costs[lo..hi].iter().sum::<u64>() as f64 / (hi - lo) as f64;
            let y = r2(plot.y_of(mean));
            d.push_str(&format!("V{y}H{}", r2(plot.x_of(hi.min(self.costs.len())))));
        }
        d.push_str(&format!("V{}Z", r2(plot.y_of(0.0))));
        Path::new()
            .set("class", "cost")
            .set("d", d)
            .set("fill", COST_FILL)
            .set("fill-opacity", 0.85)
            .add(Title::new(format!("{} per {}", self.cost, self.unit)))
    }

    /// Boundaries, each piece's mean cost per unit, and its label.
    fn piece_marks(&self, plot: &Plot) -> Group {
        let mut g = Group::new().set("class", "pieces");
        let totals = self.piece_totals();
        let lightest = totals.iter().copied().filter(|&t| t > 0).min();
        for (i, (r, &total)) in self.pieces.iter().zip(&totals).enumerate() {
            let (x0, x1) = (plot.x_of(r.start), plot.x_of(r.end));
            let mut piece = Group::new()
                .set("class", "piece")
                .set("data-first", r.start)
                .set("data-end", r.end)
                .set("data-total", total);
            if i > 0 {
                piece.append(
                    Line::new()
                        .set("x1", r2(x0))
                        .set("x2", r2(x0))
                        .set("y1", r2(plot.y))
                        .set("y2", r2(plot.y + plot.h))
                        .set("stroke", PIECE_INK)
                        .set("stroke-dasharray", "6 4"),
                );
            }
            if !r.is_empty() {
                let mean = total as f64 / r.len() as f64;
                piece.append(
                    Line::new()
                        .set("x1", r2(x0))
                        .set("x2", r2(x1))
                        .set("y1", r2(plot.y_of(mean)))
                        .set("y2", r2(plot.y_of(mean)))
                        .set("stroke", PIECE_INK)
                        .set("stroke-width", 2),
                );
            }
            let ratio = match lightest {
                Some(l) if totals.len() > 1 => {
                    format!(" ({:.1}× the lightest)", total as f64 / l as f64)
                }
                _ => String::new(),
            };
            let label = format!("{} {}: {}{ratio}", self.piece, i + 1, compact(total));
            piece.append(Title::new(format!(
                "{label}\n{}s {}..{}, {} {} in all",
                self.unit, r.start, r.end, total, self.cost
            )));
            // Written where it fits: on one line, else as two (name, then
            // figures), else only in the tooltip.
            let room = x1 - x0 - 6.0;
            let (head, figures) = (
                format!("{} {}", self.piece, i + 1),
                format!("{}{ratio}", compact(total)),
            );
            if text_width(&label, SMALL, false) <= room {
                piece.append(text(x0 + 3.0, plot.y + 14.0, &label, SMALL, INK));
            } else if text_width(&figures, SMALL, false) <= room {
                piece.append(text(x0 + 3.0, plot.y + 14.0, &head, SMALL, INK));
                piece.append(text(x0 + 3.0, plot.y + 28.0, &figures, SMALL, INK));
            }
            g.append(piece);
        }
        g
    }

    /// Axes, grid lines and their labels.
    fn axes(&self, plot: &Plot) -> Group {
        let mut g = Group::new().set("class", "axes");
        let max = plot.max.max(1) as f64;
        let step = nice_step(max, 5.0, 1.0);
        let mut v = 0.0;
        while v <= max * 1.0001 {
            let y = plot.y_of(v);
            g.append(rule(plot.x, y, plot.x + plot.w, y, RULE));
            g.append(
                text(plot.x - 8.0, y + 4.0, &compact(v as u64), SMALL, MUTED)
                    .set("text-anchor", "end"),
            );
            v += step;
        }
        let units = plot.units as f64;
        let step = nice_step(units, 8.0, 1.0);
        let mut u = 0.0;
        while u <= units {
            let x = plot.x_of(u as usize);
            let bottom = plot.y + plot.h;
            g.append(rule(x, bottom, x, bottom + 5.0, INK));
            g.append(
                text(x, bottom + 18.0, &compact(u as u64), SMALL, MUTED)
                    .set("text-anchor", "middle"),
            );
            u += step;
        }
        let bottom = plot.y + plot.h;
        g.append(rule(plot.x, bottom, plot.x + plot.w, bottom, INK));
        g.append(rule(plot.x, plot.y, plot.x, bottom, INK));
        g.append(
            text(plot.x + plot.w / 2.0, bottom + 40.0, &self.unit, FONT, INK)
                .set("text-anchor", "middle"),
        );
        let (lx, ly) = (18.0, plot.y + plot.h / 2.0);
        g.append(
            text(
                lx,
                ly,
                &format!("{} per {}", self.cost, self.unit),
                FONT,
                INK,
            )
            .set("text-anchor", "middle")
            .set("transform", format!("rotate(-90 {lx} {})", r2(ly))),
        );
        g
    }
}

/// Where the profile is drawn, and its scales.
struct Plot {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    units: usize,
    max: u64,
}

impl Plot {
    /// The x of the left edge of unit `i` (`units` is the right edge).
    fn x_of(&self, i: usize) -> f64 {
        self.x + self.w * i as f64 / self.units.max(1) as f64
    }

    /// The y of cost `c`; the largest cost reaches 90 % of the height,
    /// leaving room for the labels of the pieces.
    fn y_of(&self, c: f64) -> f64 {
        let top = self.max.max(1) as f64 / 0.9;
        self.y + self.h * (1.0 - c / top)
    }
}

/// A coordinate rounded to hundredths of a pixel, to keep the SVG short.
fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn text(x: f64, y: f64, content: &str, size: f64, fill: &str) -> SvgText {
    SvgText::new(content)
        .set("x", r2(x))
        .set("y", r2(y))
        .set("font-size", size)
        .set("fill", fill)
}

fn rule(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) -> Line {
    Line::new()
        .set("x1", r2(x1))
        .set("y1", r2(y1))
        .set("x2", r2(x2))
        .set("y2", r2(y2))
        .set("stroke", stroke)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lecture_like() -> WorkProfile {
        WorkProfile {
            title: "static".into(),
            unit: "column".into(),
            cost: "iterations".into(),
            costs: (0..100u64)
                .map(|j| 10 + 40 * (j % 50).min(50 - j % 50))
                .collect(),
            pieces: vec![0..25, 25..50, 50..75, 75..100],
            ..WorkProfile::default()
        }
    }

    #[test]
    fn every_piece_is_drawn_with_its_total() {
        let p = lecture_like();
        let svg = p.to_svg_string().unwrap();
        for total in p.piece_totals() {
            assert!(svg.contains(&format!("data-total=\"{total}\"")), "{total}");
        }
        assert_eq!(svg.matches("class=\"piece\"").count(), 4);
        assert!(svg.contains("heaviest block ("), "{svg}");
    }

    #[test]
    fn pieces_that_do_not_cover_the_units_in_order_are_refused() {
        for pieces in [
            vec![0..50, 60..100],
            vec![0..50, 50..90],
            vec![10..50, 50..100],
        ] {
            let p = WorkProfile {
                pieces,
                ..lecture_like()
            };
            let e = p.to_svg_string().unwrap_err().to_string();
            assert!(e.contains("pieces must cover"), "{e}");
        }
        let empty = WorkProfile {
            costs: vec![],
            pieces: vec![],
            ..lecture_like()
        };
        assert!(empty.to_svg_string().is_err());
    }

    #[test]
    fn more_units_than_pixels_are_averaged_per_pixel() {
        let p = WorkProfile {
            costs: vec![7; 100_000],
            pieces: vec![],
            ..lecture_like()
        };
        let svg = p.to_svg_string().unwrap();
        assert!(svg.len() < 200_000, "{}", svg.len());
        assert!(!svg.contains("class=\"piece\""));
    }
}
