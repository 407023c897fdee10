//! Where the profile is drawn: its scales, its axes, and the SVG shapes
//! every part of it uses.

use svg::node::element::{Group, Line, Text as SvgText};
use svg::Node;

use super::{WorkProfile, FONT, SMALL};
use crate::color::{INK, MUTED, RULE};
use crate::scale::{compact, nice_step};

impl WorkProfile {
    /// Axes, grid lines and their labels.
    pub(super) fn axes(&self, plot: &Plot) -> Group {
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
pub(super) struct Plot {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub units: usize,
    pub max: u64,
}

impl Plot {
    /// The x of the left edge of unit `i` (`units` is the right edge).
    pub fn x_of(&self, i: usize) -> f64 {
        self.x + self.w * i as f64 / self.units.max(1) as f64
    }

    /// The y of cost `c`; the largest cost reaches 90 % of the height,
    /// leaving room for the labels of the pieces.
    pub fn y_of(&self, c: f64) -> f64 {
        let top = self.max.max(1) as f64 / 0.9;
        self.y + self.h * (1.0 - c / top)
    }
}

pub(super) use crate::svg_coords::r2;

pub(super) fn text(x: f64, y: f64, content: &str, size: f64, fill: &str) -> SvgText {
    SvgText::new(content)
        .set("x", r2(x))
        .set("y", r2(y))
        .set("font-size", size)
        .set("fill", fill)
}

pub(super) fn rule(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) -> Line {
    Line::new()
        .set("x1", r2(x1))
        .set("y1", r2(y1))
        .set("x2", r2(x2))
        .set("y2", r2(y2))
        .set("stroke", stroke)
}
