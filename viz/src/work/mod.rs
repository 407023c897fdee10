//! The work profile: what each unit of work cost across a run (each
//! column's iterations), with a schedule's split of the units drawn over
//! it and each piece's total, so the picture says where the heavy work is
//! and why a schedule of fixed pieces is unbalanced.
//!
//! With each unit's measured time, it draws that too, on an axis of its
//! own, and says how well the cost explains the time.
//!
//! It takes plain numbers (a cost and a time per unit, the pieces as index
//! ranges), nothing of a trace or of a scheduler.

mod pieces;
mod plot;
mod time;

pub use time::TimeFit;

use std::ops::Range;

use svg::node::element::{Description, Group, Path, Rectangle, Title};
use svg::node::Text as TextNode;
use svg::{Document, Node};

use crate::color::{INK, MUTED};
use crate::error::VizError;
use crate::scale::compact;
use crate::text::{fit, FONT_FAMILY};
use plot::{r2, text, Plot};

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
/// The right margin with a time axis there.
const RIGHT_WITH_TIMES: f64 = 80.0;
/// The first header line below the title and summary.
const HEADER_LINE: f64 = 70.0;
const HEADER_STEP: f64 = 18.0;
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
    /// What a piece of the split is called (`block`, `chunk`). Pieces are
    /// numbered from 0, as threads and units are (static's block 0 runs on
    /// `worker-0`).
    pub piece: String,
    /// The cost of unit `i` at index `i`.
    pub costs: Vec<u64>,
    /// The split: consecutive ranges of unit indices that cover all units
    /// in order; empty for no split.
    pub pieces: Vec<Range<usize>>,
    /// The measured time of unit `i` at index `i`, in ns (one per cost), or
    /// empty for none: drawn as a line on a right-hand axis.
    pub times_ns: Vec<u64>,
    /// Where the times come from, said beside them in the header (`on-CPU
    /// time of a 4-thread run`); empty for nothing to say.
    pub time_note: String,
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
            times_ns: Vec::new(),
            time_note: String::new(),
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
                "heaviest {p} ({heavy}): {:.1}× the {cost} of the lightest ({light})",
                max as f64 / min as f64,
                p = self.piece,
                cost = self.cost,
            )
        })
    }

    fn error(&self, problem: impl Into<String>) -> VizError {
        VizError::chart(&self.title, problem)
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
        if !self.times_ns.is_empty() && self.times_ns.len() != self.costs.len() {
            return Err(self.error(format!(
                "{} measured times for {} {}s; give one time per {} or none",
                self.times_ns.len(),
                self.costs.len(),
                self.unit,
                self.unit
            )));
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
        let right = if self.times_ns.is_empty() {
            RIGHT
        } else {
            RIGHT_WITH_TIMES
        };
        let drawn_pieces = self.pieces.len() <= MAX_DRAWN_PIECES;
        // The header spans the time axis's margin too.
        let (header, header_end) = self.header(drawn_pieces, w - LEFT - RIGHT);
        let top = header_end + 26.0;
        let plot = Plot {
            x: LEFT,
            y: top,
            w: w - LEFT - right,
            h: h - top - BOTTOM,
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
            "logprof-viz work profile: {} per {} of {} {}s, {} {}s drawn over it{}.",
            self.cost,
            self.unit,
            self.costs.len(),
            self.unit,
            self.pieces.len(),
            self.piece,
            if self.times_ns.is_empty() {
                ""
            } else {
                ", and the measured time of each"
            }
        ))));
        root.append(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "white"),
        );
        if drawn_pieces {
            root.append(self.piece_shading(&plot));
        }
        root.append(self.axes(&plot));
        root.append(self.profile(&plot));
        if drawn_pieces {
            root.append(self.piece_marks(&plot));
        }
        if !self.times_ns.is_empty() {
            root.append(self.time_series(&plot));
        }
        root.append(header);
        Ok(root.to_string())
    }

    /// Title, what the split says, how to read the marks, and with times,
    /// how well the cost explains them and where they come from. Returns
    /// the header and where it ends.
    fn header(&self, drawn_pieces: bool, room: f64) -> (Group, f64) {
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
        let mut g = Group::new()
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
                HEADER_LINE,
                &fit(&key, SMALL, false, room),
                SMALL,
                MUTED,
            ));
        let mut y = HEADER_LINE;
        for line in self.time_legend(LEFT, y + HEADER_STEP, room) {
            y += HEADER_STEP;
            g.append(line);
        }
        (g, y)
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
        // Numbered from 0, as the lanes are: static's block t on worker-t.
        assert!(svg.contains(">block 0"), "{svg}");
        assert!(
            svg.contains(">block 3") && !svg.contains("block 4"),
            "{svg}"
        );
    }

    #[test]
    fn the_imbalance_note_names_pieces_from_zero() {
        let p = WorkProfile {
            costs: vec![1, 1, 4, 4, 3, 3, 1, 2],
            pieces: vec![0..2, 2..4, 4..6, 6..8],
            ..WorkProfile::default()
        };
        assert_eq!(
            p.imbalance_note().unwrap(),
            "heaviest block (1): 4.0× the cost of the lightest (0)"
        );
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
    fn measured_times_are_drawn_on_their_own_axis_with_how_well_cost_explains_them() {
        let p = WorkProfile {
            costs: vec![1, 1, 2, 2],
            times_ns: vec![10, 30, 20, 60],
            time_note: "on-CPU time of a 2-thread run".into(),
            pieces: vec![0..2, 2..4],
            ..lecture_like()
        };
        // Per-column time per iteration: 10, 30, 10, 30 ns; Pearson's r of
        // (1, 1, 2, 2) and (10, 30, 20, 60) is 5 / (0.5 × √350) = 0.534.
        let fit = p.time_fit().unwrap();
        assert!((fit.per_cost_ns - 20.0).abs() < 1e-9, "{fit:?}");
        assert!((fit.per_cost_spread_ns - 10.0).abs() < 1e-9, "{fit:?}");
        let r = fit.correlation.unwrap();
        assert!((r - 5.0 / (0.5 * 350f64.sqrt())).abs() < 1e-9, "{r}");
        let svg = p.to_svg_string().unwrap();
        assert!(
            svg.contains("correlation 0.53 with iterations, 20.0 ns ± 10.0 ns per iteration"),
            "{svg}"
        );
        assert!(svg.contains("class=\"time\""), "{svg}");
        assert!(svg.contains("time per column (ns)"), "{svg}");
        assert!(
            svg.contains("line: time per column (ns, right axis)"),
            "{svg}"
        );
        assert!(svg.contains("on-CPU time of a 2-thread run"), "{svg}");
        // The largest time reaches the height of the largest cost.
        let top_cost = svg.split("class=\"cost\" d=\"").nth(1).unwrap();
        let top_time = svg.split("class=\"time\" d=\"").nth(1).unwrap();
        let min_y = |d: &str| {
            d.split('"')
                .next()
                .unwrap()
                .split('V')
                .skip(1)
                .map(|v| {
                    v.split('H')
                        .next()
                        .unwrap()
                        .trim_end_matches('Z')
                        .parse::<f64>()
                        .unwrap()
                })
                .fold(f64::MAX, f64::min)
        };
        assert!((min_y(top_cost) - min_y(top_time)).abs() < 0.01, "{svg}");
        // Time in step with the cost: r = 1 and a flat time per iteration.
        let exact = WorkProfile {
            times_ns: vec![7_000, 7_000, 14_000, 14_000],
            ..p.clone()
        };
        let svg = exact.to_svg_string().unwrap();
        assert!(
            svg.contains("correlation 1.00 with iterations, 7.00 µs ± 0.00 ns per iteration"),
            "{svg}"
        );
        assert!(svg.contains("time per column (µs)"), "{svg}");
        // Without times, none of it.
        let none = WorkProfile {
            times_ns: vec![],
            ..p.clone()
        }
        .to_svg_string()
        .unwrap();
        assert!(!none.contains("class=\"time\"") && !none.contains("time per column"));
        // One time per unit, or none.
        let e = WorkProfile {
            times_ns: vec![1, 2, 3],
            ..p
        }
        .to_svg_string()
        .unwrap_err()
        .to_string();
        assert!(e.contains("3 measured times for 4 columns"), "{e}");
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
