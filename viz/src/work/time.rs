//! The measured time of each unit, drawn over its cost on an axis of its
//! own, and how well the cost explains it.

use svg::node::element::{Group, Path, Title};
use svg::Node;

use super::plot::{r2, rule, text, Plot};
use super::{WorkProfile, FONT, SMALL};
use crate::color::{INK, MUTED};
use crate::scale::{duration, nice_step, unit_for, TimeUnit};
use crate::text::fit;

/// The line of the measured times.
pub(super) const TIME_INK: &str = "#c2185b";

/// How well a unit's cost explains its measured time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeFit {
    /// Pearson's correlation of time and cost across the units (1: time
    /// follows cost exactly); `None` when either is the same for every unit.
    pub correlation: Option<f64>,
    /// The mean over the units that cost something of their time per unit
    /// of cost (ns per iteration).
    pub per_cost_ns: f64,
    /// The standard deviation of that ratio across those units.
    pub per_cost_spread_ns: f64,
}

impl WorkProfile {
    /// How well the costs explain the measured times (`None` without times,
    /// or when no unit cost anything).
    pub fn time_fit(&self) -> Option<TimeFit> {
        if self.times_ns.is_empty() || self.times_ns.len() != self.costs.len() {
            return None;
        }
        let ratios: Vec<f64> = self
            .costs
            .iter()
            .zip(&self.times_ns)
            .filter(|(&c, _)| c > 0)
            .map(|(&c, &t)| t as f64 / c as f64)
            .collect();
        let (per_cost_ns, per_cost_spread_ns) = mean_and_sd(&ratios)?;
        let costs: Vec<f64> = self.costs.iter().map(|&c| c as f64).collect();
        let times: Vec<f64> = self.times_ns.iter().map(|&t| t as f64).collect();
        Some(TimeFit {
            correlation: correlation(&costs, &times),
            per_cost_ns,
            per_cost_spread_ns,
        })
    }

    /// What the header says of the times: how well the costs explain them
    /// (`None` without times).
    pub fn time_summary(&self) -> Option<String> {
        let fit = self.time_fit()?;
        let r = fit
            .correlation
            .map_or("no correlation (one of them is flat)".to_owned(), |r| {
                format!("correlation {r:.2} with {}", self.cost)
            });
        Some(format!(
            "{r}, {} ± {} per {} (mean ± σ)",
            per_cost(fit.per_cost_ns),
            per_cost(fit.per_cost_spread_ns),
            singular(&self.cost),
        ))
    }

    /// The unit of the right-hand axis.
    fn time_unit(&self) -> TimeUnit {
        unit_for(self.times_ns.iter().copied().max().unwrap_or(0) as f64)
    }

    /// The header lines on the times, the first at `(x, y)` and each next
    /// one a line lower, in `room` px: the legend entry of the time line
    /// with what it says, then where the times come from. Empty without
    /// times.
    pub(super) fn time_legend(&self, x: f64, y: f64, room: f64) -> Vec<Group> {
        if self.times_ns.is_empty() {
            return Vec::new();
        }
        let mut words = format!(
            "line: time per {} ({}, right axis)",
            self.unit,
            self.time_unit().name
        );
        if let Some(summary) = self.time_summary() {
            words.push_str(": ");
            words.push_str(&summary);
        }
        let mut lines = vec![Group::new()
            .set("class", "time-legend")
            .add(rule(x, y - 4.0, x + 18.0, y - 4.0, TIME_INK).set("stroke-width", 2))
            .add(
                text(
                    x + 22.0,
                    y,
                    &fit(&words, SMALL, false, room - 22.0),
                    SMALL,
                    MUTED,
                )
                .add(Title::new(words)),
            )];
        if !self.time_note.is_empty() {
            lines.push(
                Group::new().set("class", "time-note").add(
                    text(
                        x,
                        y + super::HEADER_STEP,
                        &fit(&self.time_note, SMALL, false, room),
                        SMALL,
                        MUTED,
                    )
                    .add(Title::new(self.time_note.clone())),
                ),
            );
        }
        lines
    }

    /// The times as a step line over the costs, on a right-hand axis whose
    /// largest time reaches the same height as the largest cost, so a time
    /// that follows the cost traces the filled profile's edge. With more
    /// units than pixels, each pixel column shows the mean of its units.
    pub(super) fn time_series(&self, plot: &Plot) -> Group {
        let max = self.times_ns.iter().copied().max().unwrap_or(0);
        let scale = Plot { max, ..*plot };
        let n = self.times_ns.len();
        let bins = (plot.w.floor() as usize).clamp(1, n);
        let mut d = String::new();
        for b in 0..bins {
            let lo = b * n / bins;
            let hi = ((b + 1) * n / bins).max(lo + 1).min(n);
            let mean = self.times_ns[lo..hi].iter().sum::<u64>() as f64 / (hi - lo) as f64;
            let y = r2(scale.y_of(mean));
            if b == 0 {
                d.push_str(&format!("M{} {y}", r2(plot.x_of(lo))));
            } else {
                d.push_str(&format!("V{y}"));
            }
            d.push_str(&format!("H{}", r2(plot.x_of(hi))));
        }
        let mut g = Group::new().set("class", "time-series");
        g.append(
            Path::new()
                .set("class", "time")
                .set("d", d)
                .set("fill", "none")
                .set("stroke", TIME_INK)
                .set("stroke-width", 1.5)
                .add(Title::new(format!("measured time per {}", self.unit))),
        );
        g.append(self.time_axis(&scale));
        g
    }

    /// The right-hand axis of the times, in the unit of the largest.
    fn time_axis(&self, scale: &Plot) -> Group {
        let unit = self.time_unit();
        let max = scale.max.max(1) as f64 / unit.ns;
        let step = nice_step(max, 5.0, f64::MIN_POSITIVE);
        let decimals = if step >= 1.0 { 0 } else { 1 };
        let right = scale.x + scale.w;
        let mut g = Group::new().set("class", "time-axis");
        let mut v = 0.0;
        while v <= max * 1.0001 {
            let y = scale.y_of(v * unit.ns);
            g.append(rule(right, y, right + 5.0, y, TIME_INK));
            g.append(text(
                right + 8.0,
                y + 4.0,
                &format!("{v:.decimals$}"),
                SMALL,
                TIME_INK,
            ));
            v += step;
        }
        g.append(rule(right, scale.y, right, scale.y + scale.h, TIME_INK));
        let (lx, ly) = (right + 62.0, scale.y + scale.h / 2.0);
        g.append(
            text(
                lx,
                ly,
                &format!("time per {} ({})", self.unit, unit.name),
                FONT,
                INK,
            )
            .set("text-anchor", "middle")
            .set("transform", format!("rotate(90 {lx} {})", r2(ly))),
        );
        g
    }
}

/// The mean and (population) standard deviation of `values`; `None` when
/// there are none.
fn mean_and_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}

/// Pearson's correlation of `a` and `b` (equally long); `None` when either
/// does not vary.
fn correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ma, sa) = mean_and_sd(a)?;
    let (mb, sb) = mean_and_sd(b)?;
    if sa == 0.0 || sb == 0.0 {
        return None;
    }
    let cov = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / a.len() as f64;
    Some((cov / (sa * sb)).clamp(-1.0, 1.0))
}

/// A time per unit of cost, which is often a few ns: three significant
/// digits even below a microsecond.
fn per_cost(ns: f64) -> String {
    if ns >= 1000.0 {
        duration(ns)
    } else if ns >= 100.0 {
        format!("{ns:.0} ns")
    } else if ns >= 10.0 {
        format!("{ns:.1} ns")
    } else {
        format!("{ns:.2} ns")
    }
}

/// `iterations` → `iteration`: what one unit of cost is called.
fn singular(cost: &str) -> &str {
    cost.strip_suffix('s').unwrap_or(cost)
}
