//! Where things go: the limits and sizes every part of a timeline uses, the
//! horizontal columns (lane labels, plot, right-hand numbers), the heights
//! the parts stack up to, and the time window the plot shows. It knows
//! nothing of the other steps: they all build on it.

use logprof_trace::Trace;

use crate::error::VizError;
use crate::scale::time_ticks;
use crate::text::text_width;

/// Default picture width in pixels.
pub const DEFAULT_WIDTH: u32 = 1200;
/// Narrowest picture we draw: below this the labels do not fit.
pub const MIN_WIDTH: u32 = 480;
/// The widest picture, in pixels: the largest side a PNG may have.
pub const MAX_WIDTH: u32 = crate::raster::MAX_SIDE;
/// Nesting depths drawn per lane; deeper spans are counted in a note.
pub const MAX_DEPTH_ROWS: usize = 12;
/// Task lanes drawn in the task view; further tasks are counted in a note.
pub const MAX_TASK_LANES: usize = 256;
/// Counter tracks drawn per panel; the others are counted in a note.
pub(super) const MAX_COUNTER_TRACKS: usize = 8;

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

/// Height of the title line.
pub(super) const TITLE_H: f64 = 26.0;
/// Height of a panel's line of numbers, above its notes.
pub(super) const HEADER_H: f64 = 20.0;
/// Height of each note under a panel's numbers.
pub(super) const NOTE_H: f64 = 16.0;
/// Height of the column captions above the lanes.
pub(super) const CAPTIONS_H: f64 = 26.0;
/// Height of a process's header above its first lane.
pub(super) const GROUP_H: f64 = 16.0;
/// Height of the message of a panel without lanes.
pub(super) const EMPTY_H: f64 = 36.0;
/// Height of a counter track.
pub(super) const COUNTER_H: f64 = 22.0;
/// Space below each panel.
pub(super) const PANEL_GAP: f64 = 14.0;
/// Height of the shared time axis with its labels.
pub(super) const AXIS_H: f64 = 36.0;
/// Height of the legend's heading.
pub(super) const LEGEND_HEAD_H: f64 = 18.0;
/// Height of one row of legend entries.
pub(super) const LEGEND_ROW: f64 = 18.0;
/// Height of the line under the legend that counts the entries left out.
pub(super) const LEGEND_MORE_H: f64 = 14.0;

/// The height of a panel's body from the top of its lanes: each lane's
/// height with the gap below it and its process header (if it has one), the
/// message of a panel without lanes, and the busy strip of a trace with
/// spans.
pub(super) fn body_height(
    lanes: impl Iterator<Item = (f64, bool)>,
    no_lanes: bool,
    has_spans: bool,
) -> f64 {
    let lanes: f64 = lanes
        .map(|(h, header)| h + LANE_GAP + if header { GROUP_H } else { 0.0 })
        .sum();
    let empty = if no_lanes { EMPTY_H } else { 0.0 };
    let strip = if has_spans { LANE_GAP + STRIP_H } else { 0.0 };
    lanes + empty + strip
}

/// The height of a panel's body drawn as heat rows `block_px` high: the
/// rows, the gap below them and the busy strip of a trace with spans.
pub(super) fn heat_body_height(block_px: usize, has_spans: bool) -> f64 {
    let strip = if has_spans { LANE_GAP + STRIP_H } else { 0.0 };
    block_px as f64 + LANE_GAP + strip
}

/// The height of a whole panel: its numbers and `notes`, the captions, the
/// `body` ([`body_height`]), `counters` tracks and the gap below.
pub(super) fn panel_height(notes: usize, body: f64, counters: usize) -> f64 {
    HEADER_H
        + NOTE_H * notes as f64
        + CAPTIONS_H
        + body
        + (LANE_GAP + COUNTER_H) * counters as f64
        + PANEL_GAP
}

/// The height of a legend of `rows` rows of entries (none: no legend), with
/// a line counting those left out when `more`.
pub(super) fn legend_height(rows: usize, more: bool) -> f64 {
    if rows == 0 {
        return 0.0;
    }
    LEGEND_HEAD_H + LEGEND_ROW * rows as f64 + if more { LEGEND_MORE_H } else { 0.0 }
}

/// The height of the picture, in whole pixels: margins, the title (if
/// any), the `panels` (their summed heights), and below them, when any
/// trace has spans, the axis and a legend `legend` high.
pub(super) fn picture_height(title: bool, panels: f64, has_spans: bool, legend: f64) -> u32 {
    let title = if title { TITLE_H } else { 0.0 };
    let below = if has_spans { AXIS_H + legend } else { 0.0 };
    (MARGIN + title + panels + below + MARGIN).ceil() as u32
}

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

/// The `window` as `(start, end)` ns from the region start, or an error for
/// an empty one; [`Window::Auto`] is `max_wall`, the longest wall time of
/// the traces drawn.
pub(super) fn window_bounds(window: Window, max_wall: u64) -> Result<(u64, u64), VizError> {
    match window {
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
    /// The columns of a picture `width` px wide: the label column as wide
    /// as the longest lane label (`label_w` px) needs, within limits.
    pub fn new(width: u32, label_w: f64) -> Columns {
        let label_w = label_w.max(text_width("busy threads", SMALL, false));
        let width = f64::from(width);
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
