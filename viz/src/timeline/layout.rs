//! Where things go: the sizes every part of a timeline uses, the horizontal
//! columns (lane labels, plot, right-hand numbers) and the time window the
//! plot shows.

use logprof::Trace;

use super::{Scene, MAX_WIDTH, MIN_WIDTH};
use crate::error::VizError;
use crate::scale::time_ticks;
use crate::text::text_width;

/// Space around the picture and left of the header.
pub(super) const MARGIN: f64 = 16.0;
/// The default font size (lane labels, legend names).
pub(super) const FONT: f64 = 12.0;
/// The font size of captions, notes and statistics.
pub(super) const SMALL: f64 = 11.0;
/// Height of a thread lane's top-level row.
pub(super) const ROW0_H: f64 = 20.0;
/// Height of each nested row of a thread lane.
pub(super) const ROW_H: f64 = 13.0;
/// Height of a task lane (one row).
pub(super) const TASK_ROW_H: f64 = 14.0;
/// Space between lanes, and above the busy strip.
pub(super) const LANE_GAP: f64 = 5.0;
/// Height of the busy-threads strip.
pub(super) const STRIP_H: f64 = 30.0;
/// Width of the right-hand column (utilisation or threads of a task).
const RIGHT_COL: f64 = 104.0;

/// Which part of the time axis a picture shows, relative to each trace's
/// region start (its first span's start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Window {
    /// From 0 to the (longest) trace's wall time.
    Auto,
    /// From 0 to this many ns.
    Span(u64),
    /// From the first to the second offset, in ns.
    Range(u64, u64),
}

/// The time from a trace's first start to its last end.
pub(super) fn wall_ns(trace: &Trace) -> u64 {
    trace.time_range().map(|(lo, hi)| hi - lo).unwrap_or(0)
}

/// Rejects a width we cannot draw at.
pub(super) fn check_width(width: u32) -> Result<(), VizError> {
    if width < MIN_WIDTH {
        return Err(VizError::option(
            format!("width {width} px"),
            format!("too narrow for the labels; use at least {MIN_WIDTH} px"),
        ));
    }
    if width > MAX_WIDTH {
        return Err(VizError::option(
            format!("width {width} px"),
            format!("wider than a picture can be rasterised; use at most {MAX_WIDTH} px"),
        ));
    }
    Ok(())
}

/// The window as `(start, end)` ns from the region start, or an error for
/// an empty one; [`Window::Auto`] is the longest wall time of the scene.
pub(super) fn window_bounds(scene: &Scene) -> Result<(u64, u64), VizError> {
    let max_wall = scene.panels.iter().map(|p| wall_ns(p.1)).max().unwrap_or(0);
    match scene.window {
        Window::Auto => Ok((0, max_wall.max(1))),
        Window::Span(0) => Err(VizError::option(
            "time span 0 ns",
            "the time span must be at least 1 ns",
        )),
        Window::Span(ns) => Ok((0, ns)),
        Window::Range(a, b) if b <= a => Err(VizError::option(
            format!("time range {a}..{b} ns"),
            "the end must come after the start",
        )),
        Window::Range(a, b) => Ok((a, b)),
    }
}

/// Horizontal layout shared by every panel.
#[derive(Clone, Copy)]
pub(super) struct Columns {
    /// The picture's width.
    pub width: f64,
    /// x of the lane labels.
    pub label_x: f64,
    /// x of the plot's left edge (the window's start).
    pub plot_x: f64,
    /// Width of the plot.
    pub plot_w: f64,
}

impl Columns {
    /// The columns of the scene's picture: the label column as wide as the
    /// longest lane label needs, within limits.
    pub fn new(scene: &Scene) -> Columns {
        let label_w = scene
            .panels
            .iter()
            .map(|(_, trace)| scene.lanes.label_width(trace))
            .fold(text_width("busy threads", SMALL, false), f64::max);
        let width = f64::from(scene.width);
        let label_col = (label_w + 24.0).clamp(100.0, (width * 0.25).max(100.0));
        let plot_x = MARGIN + label_col;
        Columns {
            width,
            label_x: MARGIN,
            plot_x,
            plot_w: width - plot_x - RIGHT_COL - MARGIN,
        }
    }

    /// x of the right edge of the right-hand column.
    pub fn right_x(&self) -> f64 {
        self.width - MARGIN
    }
}

/// The shared time axis: the window and its round ticks.
pub(super) struct TimeAxis {
    /// Window start, ns from each region start.
    pub lo: u64,
    /// Window end, ns from each region start.
    pub hi: u64,
    /// The ticks: (ns from the region start, label).
    pub ticks: Vec<(f64, String)>,
    /// The columns the plot lies in.
    pub cols: Columns,
}

impl TimeAxis {
    /// The axis of the window `lo..hi` over the plot of `cols`, with a tick
    /// every 110 px or so.
    pub fn new((lo, hi): (u64, u64), cols: Columns) -> TimeAxis {
        let ticks = time_ticks(lo as f64, hi as f64, (cols.plot_w / 110.0).max(2.0));
        TimeAxis {
            lo,
            hi,
            ticks,
            cols,
        }
    }

    /// The x of `t` ns from the region start.
    pub fn x_of(&self, t: f64) -> f64 {
        self.cols.plot_x + (t - self.lo as f64) / (self.hi - self.lo) as f64 * self.cols.plot_w
    }
}
