//! Gantt timelines of traces: [`Timeline`] for one trace, [`Figure`] for
//! several stacked on one time axis, and [`timeline_size`] to know a
//! picture's size without drawing it.
//!
//! This module only wires the steps together. They depend one way, each on
//! those listed before it:
//!
//! - `layout`: the limits, sizes and heights every part uses, the label
//!   column and the time window; `cost_scale`: the cost view's colour scale;
//!   `notes`: what a trace holds that the picture does not draw; `busy`:
//!   which busy time (on-CPU or wall-clock) every figure of a panel counts.
//! - `model`: what a picture is made of before it is drawn (panels, lanes,
//!   bars, counter tracks, the legend) and the `LaneKind` trait, the one
//!   place where the views differ.
//! - `elements`, `tooltips`, `offcpu` and `counters`: SVG building blocks,
//!   the text of a bar's tooltip, off-CPU stretches and counter tracks.
//! - The lane kinds, which build a panel's lanes: `thread_lanes` (one lane
//!   per thread, bars coloured by name), `cost_lanes` (the same, coloured by
//!   cost) and `task_lanes` (one lane per task, coloured by thread).
//! - `heat`: the heat rows a panel is drawn as when its lanes would make
//!   the picture taller than a PNG can be (a thin row per lane, grouped by
//!   process, coloured by busy share per pixel); `heat_draw` draws them.
//! - `panel`, which builds one trace ready to draw with the chosen kind.
//! - The drawing: `lane`, `strip` and `legend`, then `drawing` (one panel)
//!   and `render` (the whole document of a scene).
//! - `builders`: the public [`Timeline`] and [`Figure`], which choose the
//!   lane kind; `size`: [`timeline_size`].

mod builders;
mod busy;
mod cost_lanes;
mod cost_scale;
mod counters;
mod drawing;
mod elements;
mod heat;
mod heat_draw;
mod lane;
mod layout;
mod legend;
mod model;
mod notes;
mod offcpu;
mod panel;
mod region_band;
mod render;
mod size;
mod strip;
mod task_lanes;
mod thread_lanes;
mod tooltips;

pub use builders::{ColorBy, Figure, Timeline};
pub use layout::{DEFAULT_WIDTH, MAX_DEPTH_ROWS, MAX_TASK_LANES, MAX_WIDTH, MIN_WIDTH};
pub use notes::trace_notes;
pub use size::{timeline_size, LayoutOptions};
