//! The regions band: the run's regions ([`Trace::regions`]) drawn as named
//! blocks in the captions row above the lanes, so the picture shows the
//! stretches `logprof report` ranks. Each block is a region without child
//! regions, with what fixing it could save (a serial region's time, a
//! parallel one's potential gain) when it fits; those of the costliest
//! group (rank 1 of "where the time goes") are outlined and marked `▲`.
//! A trace whose only region is one unmarked phase (a single loop) has no
//! band: it would only repeat the lanes.

use logprof_trace::regions::{Found, Region};
use logprof_trace::Trace;
use svg::node::element::{Group, Rectangle};
use svg::Node;

use super::elements::{r2, text, AppendTitle};
use super::layout::SMALL;
use crate::bars::TimeScale;
use crate::color::{INK, WARN};
use crate::scale::{duration, percent};
use crate::text::fit;

/// Traces of more spans than this get no band: finding their regions
/// would cost more than drawing them.
const MAX_SPANS: usize = 2_000_000;

/// The fill of a serial region's block.
const SERIAL_FILL: &str = "#e5e7eb";
/// The fill of a parallel region's block.
const PARALLEL_FILL: &str = "#dbeafe";

/// One region's block, in x over the window.
pub(super) struct RegionMark {
    pub x0: f64,
    pub x1: f64,
    /// Its name, and what fixing it could save.
    pub label: String,
    /// Its figures, for the tooltip.
    pub tooltip: String,
    /// In the costliest group.
    pub costliest: bool,
    pub serial: bool,
}

/// The blocks of `trace`'s leaf regions inside the window; empty when the
/// trace has no regions worth a band.
pub(super) fn marks(trace: &Trace, scale: &TimeScale) -> Vec<RegionMark> {
    if trace.is_empty() || trace.span_count() > MAX_SPANS {
        return Vec::new();
    }
    let regions = trace.regions();
    let leaves: Vec<&Region> = regions
        .regions
        .iter()
        .filter(|r| r.rank.is_some())
        .collect();
    let structured = leaves.len() >= 2 || leaves.iter().any(|r| r.found != Found::Phase);
    if !structured {
        return Vec::new();
    }
    leaves
        .into_iter()
        .filter(|r| r.end_ns > scale.lo && r.start_ns < scale.hi)
        .map(|r| {
            let (a, b) = (r.start_ns.max(scale.lo), r.end_ns.min(scale.hi));
            let saves = if r.serial { "serial" } else { "gain" };
            RegionMark {
                x0: scale.x_of(a),
                x1: scale.x_of(b),
                label: format!("{} · {saves} {}", r.name, duration(r.could_save_ns)),
                tooltip: tooltip(r),
                costliest: r.rank == Some(1),
                serial: r.serial,
            }
        })
        .collect()
}

/// A region's figures, as `report` gives them.
fn tooltip(r: &Region) -> String {
    let mut lines = vec![
        format!(
            "region {} ({}), rank {}",
            r.name,
            r.found.as_str(),
            r.rank.unwrap_or(0)
        ),
        format!(
            "wall {} ({} of the run)",
            duration(r.wall_ns as f64),
            percent(r.share)
        ),
    ];
    if r.serial {
        lines.push("serial: parallelising it could save its time".to_owned());
    } else {
        lines.push(format!("threads {}", r.threads));
        if let Some(lb) = r.load_balance {
            lines.push(format!("load balance {}", percent(lb)));
        }
        lines.push(format!("potential gain {}", duration(r.potential_gain_ns)));
    }
    if let Some(lane) = &r.critical_lane {
        lines.push(format!("critical lane {lane}"));
    }
    if let Some(advice) = &r.advice {
        lines.push(format!("advice: {}", advice.why));
    }
    lines.join("\n")
}

/// Draws `marks` as a band from `y`, `h` high.
pub(super) fn draw(group: &mut Group, marks: &[RegionMark], y: f64, h: f64) {
    let mut band = Group::new().set("class", "regions");
    for m in marks {
        let w = (m.x1 - m.x0).max(1.0);
        let mut rect = Rectangle::new()
            .set(
                "class",
                if m.costliest {
                    "region costliest"
                } else {
                    "region"
                },
            )
            .set("x", r2(m.x0))
            .set("y", r2(y))
            .set("width", r2(w))
            .set("height", r2(h))
            .set("fill", if m.serial { SERIAL_FILL } else { PARALLEL_FILL })
            .set("stroke", if m.costliest { WARN } else { "white" })
            .set("stroke-width", if m.costliest { 1.5 } else { 1.0 });
        rect = rect.append_title(m.tooltip.clone());
        band.append(rect);
        let label = if m.costliest {
            format!("▲ {}", m.label)
        } else {
            m.label.clone()
        };
        let shown = fit(&label, SMALL - 1.0, m.costliest, w - 4.0);
        if !shown.is_empty() {
            let color = if m.costliest { WARN } else { INK };
            band.append(
                text(m.x0 + 2.0, y + h - 4.0, &shown, SMALL - 1.0, color)
                    .set("class", "region-label")
                    .set("pointer-events", "none"),
            );
        }
    }
    group.append(band);
}
