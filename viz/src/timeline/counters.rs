//! Counter tracks (`Trace::counters`: Chrome `C` events, `logprof::counter!`)
//! as small step lines under the busy-threads strip, one track per counter,
//! scaled from 0 (or the least value, if negative) to the largest value in
//! the window: their points over the window, and their drawing.

use logprof_trace::Trace;
use svg::node::element::{Group, Path, Rectangle};
use svg::Node;

use super::elements::{r2, text, AppendTitle};
use super::layout::{Columns, COUNTER_H, MAX_COUNTER_TRACKS, SMALL};
use super::model::CounterView;
use crate::bars::TimeScale;
use crate::color::{INK, MUTED};
use crate::text::fit_middle;

/// The tracks of `trace` over the window of `scale`, one point per pixel
/// at most (the last value of each pixel).
pub(super) fn build_counters(trace: &Trace, scale: &TimeScale) -> Vec<CounterView> {
    let mut views = Vec::new();
    for track in trace.counters.iter().take(MAX_COUNTER_TRACKS) {
        let mut points: Vec<(f64, f64)> = Vec::new();
        for &(ts, v) in &track.samples {
            if ts > scale.hi || !v.is_finite() {
                continue;
            }
            let x = scale.x_of(ts).round();
            match points.last_mut() {
                Some(last) if last.0 == x => last.1 = v,
                _ => points.push((x, v)),
            }
        }
        let max = points.iter().map(|p| p.1).fold(0.0, f64::max);
        let min = points.iter().map(|p| p.1).fold(0.0, f64::min);
        let range = if max > min { max - min } else { 1.0 };
        for p in &mut points {
            p.1 = (p.1 - min) / range;
        }
        views.push(CounterView {
            label: track.name.clone(),
            full_name: format!("{} (pid {})", track.name, track.pid),
            points,
            max,
        });
    }
    views
}

/// Draws `view` with its top at `top`.
pub(super) fn draw_counter(view: &CounterView, top: f64, cols: Columns) -> Group {
    let mut g = Group::new().set("class", "counter");
    let label = fit_middle(&view.label, SMALL, false, cols.plot_x - cols.label_x - 12.0);
    g.append(text(
        cols.label_x,
        top + COUNTER_H / 2.0 + 4.0,
        &label,
        SMALL,
        MUTED,
    ));
    g.append(
        Rectangle::new()
            .set("x", r2(cols.plot_x))
            .set("y", r2(top))
            .set("width", r2(cols.plot_w))
            .set("height", COUNTER_H)
            .set("fill", "#fafafa"),
    );
    let y_of = |v: f64| r2(top + COUNTER_H - 2.0 - v * (COUNTER_H - 4.0));
    let mut d = String::new();
    let mut last_y = None;
    for &(x, v) in &view.points {
        match last_y {
            None => d.push_str(&format!("M{} {}", r2(x), y_of(v))),
            Some(y) => d.push_str(&format!(" L{} {y} L{} {}", r2(x), r2(x), y_of(v))),
        }
        last_y = Some(y_of(v));
    }
    if let Some(y) = last_y {
        d.push_str(&format!(" L{} {y}", r2(cols.plot_x + cols.plot_w)));
        g.append(
            Path::new()
                .set("d", d)
                .set("fill", "none")
                .set("stroke", INK)
                .set("stroke-width", 1)
                .append_title(view.full_name.clone()),
        );
    }
    g.append(
        text(
            cols.right_x(),
            top + COUNTER_H / 2.0 + 4.0,
            &format!("max {}", short_number(view.max)),
            SMALL,
            MUTED,
        )
        .set("text-anchor", "end"),
    );
    g
}

/// A value in at most about four significant digits.
fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.3}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.3}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if v.fract() == 0.0 {
        format!("{v}")
    } else {
        format!("{v:.3}")
    }
}
