//! Draws the busy-threads strip under a panel's lanes: how many threads run a
//! top-level span in each pixel column, so the tail where one thread works
//! alone stands out, with the time-average at its right.

use svg::node::element::{Group, Path as SvgPath, Rectangle};
use svg::Node;

use super::busy;
use super::elements::{r2, text, AppendTitle};
use super::layout::{Columns, SMALL, STRIP_H};
use super::model::PanelView;
use crate::color::{MUTED, RULE};

/// Draws the strip of `panel` with its top at `top`.
pub(super) fn draw_concurrency(panel: &PanelView, top: f64, cols: Columns) -> Group {
    let mut g = Group::new().set("class", "concurrency");
    let kind = busy::kind(&panel.summary);
    let n = panel.thread_count.max(1) as f64;
    let base = top + STRIP_H;
    g.append(
        Rectangle::new()
            .set("x", r2(cols.plot_x))
            .set("y", r2(top))
            .set("width", r2(cols.plot_w))
            .set("height", STRIP_H)
            .set("fill", "#f8fafc")
            .set("stroke", RULE)
            .set("stroke-width", 0.5),
    );
    let mut d = format!("M{} {}", r2(cols.plot_x), r2(base));
    for (c, busy) in panel.concurrency.iter().enumerate() {
        let x0 = cols.plot_x + c as f64;
        let x1 = (x0 + 1.0).min(cols.plot_x + cols.plot_w);
        let y = base - STRIP_H * (busy / n).clamp(0.0, 1.0);
        d.push_str(&format!(" L{} {} L{} {}", r2(x0), r2(y), r2(x1), r2(y)));
    }
    d.push_str(&format!(
        " L{} {} Z",
        r2(cols.plot_x + cols.plot_w),
        r2(base)
    ));
    g.append(
        SvgPath::new()
            .set("d", d)
            .set("fill", "#64748b")
            .set("fill-opacity", 0.75)
            .append_title(format!(
                "threads busy over time, {kind} (0 to {})",
                panel.thread_count
            )),
    );
    // Two lines, so the kind widens no label column: "busy threads" over
    // "on-CPU" or "wall-clock".
    g.append(text(
        cols.label_x,
        top + STRIP_H / 2.0,
        "busy threads",
        SMALL,
        MUTED,
    ));
    g.append(
        text(cols.label_x, top + STRIP_H / 2.0 + 11.0, kind, 9.0, MUTED).set("class", "busy-kind"),
    );
    g.append(
        text(
            cols.plot_x - 4.0,
            top + 9.0,
            &panel.thread_count.to_string(),
            9.0,
            MUTED,
        )
        .set("text-anchor", "end"),
    );
    g.append(text(cols.plot_x - 4.0, base, "0", 9.0, MUTED).set("text-anchor", "end"));
    // The time-average over the region: mean busy threads.
    if !panel.trace.is_empty() {
        let mean = busy::mean_threads(&panel.summary);
        g.append(
            text(
                cols.right_x(),
                top + STRIP_H / 2.0 + 4.0,
                &format!("avg {mean:.2}"),
                SMALL,
                MUTED,
            )
            .set("text-anchor", "end"),
        );
    }
    g
}
