//! # logprof-viz: pictures of logprof traces
//!
//! Gantt timelines that show load imbalance at a glance, as SVG and as PNG,
//! and line charts of a measure against a swept parameter. It reads a
//! [`logprof_trace::Trace`] and its [`Trace::summary`](logprof_trace::Trace::summary),
//! nothing of how the trace was recorded, so a trace read back from a
//! Chrome JSON file draws the same as a fresh one.
//!
//! ```no_run
//! # fn main() -> Result<(), logprof_viz::VizError> {
//! # let trace = logprof_trace::Trace::new();
//! use logprof_viz::Timeline;
//!
//! // `trace` from logprof::collect() or read from a file.
//! Timeline::new(&trace).title("static").write_png("static.png")?;
//! # Ok(()) }
//! ```
//!
//! ## What a timeline shows
//!
//! - A header with the title (or the trace's `process_name`) and, from
//!   [`Trace::summary`](logprof_trace::Trace::summary), the wall time, load
//!   balance, parallel efficiency, max − mean busy time, thread and span
//!   counts; warnings when the recording lost events. Busy time is on-CPU
//!   when the trace recorded its off-CPU time, else wall-clock, and every
//!   busy figure (header, busy column, busy-threads strip) says which. A
//!   trace of several processes shows POP's figures instead: load balance
//!   over processes and communication efficiency, from useful time.
//! - One lane per thread, labelled with its name, in (pid, tid) order; one
//!   bar per span, nested spans in rows below their parent. A span's colour
//!   depends only on its name ([`name_color`]), so `column` looks the same
//!   in every picture. Names that fit are written inside their bars.
//! - Idle time (no top-level span running) hatched in grey; each lane's
//!   busy share (busy / wall, of the header's kind) with a small gauge at
//!   its right end.
//! - A strip under the lanes with the number of threads busy over time, so
//!   the tail where one thread works alone stands out.
//! - A time axis from the region start (the first span) with round ticks
//!   (1, 2, 5 × 10^k) in ns, µs, ms or s, and a legend with each name's
//!   colour, calls and total (inclusive, wall-clock) time.
//! - In the SVG, a `<title>` tooltip on every bar: name, thread, start and
//!   duration. Bars carry `class="bar"` and `data-calls` (how many spans the
//!   bar stands for); lanes are `<g class="lane" data-lane=...>`.
//!
//! [`Timeline::color_by`] with [`ColorBy::Cost`] colours each bar by what
//! its span cost instead of by its name: its result (a column's
//! iterations, on a linear scale from 0) or else its duration (on a log
//! scale), light to dark, with a legend of the ranges.
//!
//! [`Timeline::by_task`] switches to one lane per task (spans with a task
//! id, e.g. `tracing` spans or async tasks) with each slice coloured by the
//! thread that ran it, so a task that migrates changes colour. [`Figure`]
//! stacks several traces (static above dynamic) on one time axis.
//!
//! ## Why the work is uneven
//!
//! [`WorkProfile`] draws what each unit of work cost (each column's
//! iterations, taken from the spans' [`Span::result`](logprof_trace::Span::result)
//! by the caller) across the run, with a schedule's split drawn over it and
//! each piece's total, so the picture says where the heavy work is and how
//! much heavier the heaviest piece is than the lightest. Given each unit's
//! measured time too, it draws it as a line on a right-hand axis and says how
//! well the cost explains it ([`TimeFit`]).
//!
//! ## Large traces
//!
//! Spans narrower than a pixel are merged, per lane and nesting depth, into
//! one bar per pixel column whose tooltip counts the calls merged, so the
//! size of the SVG depends on the picture's width and the number of lanes,
//! not on the number of spans: a million calls on four threads make an SVG
//! of a few hundred kilobytes. At most [`MAX_DEPTH_ROWS`] nesting levels and
//! [`MAX_TASK_LANES`] task lanes are drawn; a note says what was left out.
//! [`timeline_size`] tells a picture's size from its counts of traces and
//! lanes without drawing it, to check a limit before the work that makes
//! the trace.
//!
//! ## PNG and fonts
//!
//! A PNG is the same SVG rasterised by `resvg`, one pixel per SVG unit, with
//! the DejaVu Sans fonts embedded in this crate (through the `dejavu`
//! crate) and never a system font, so a PNG has its text and looks the same
//! on every machine. The SVG names "DejaVu Sans" as its font family. The
//! fonts' licence is in this crate's `FONT-LICENSE` file.
//!
//! ## Writing files
//!
//! Every `write_*` method writes through [`logprof_trace::write_atomically`]: to a
//! temporary file that is renamed into place once complete, so a failure
//! never leaves half a file. Errors are [`VizError`]s whose message names
//! the file and the problem.
//!
//! ## One page to open
//!
//! [`HtmlReport`] puts tables and pictures on one HTML page, styles, script
//! and drawings inline, no request to any network: the SVGs zoom and pan
//! horizontally (wheel, drag, W/A/S/D), a bar's tooltip shows under the
//! pointer, and tables sort by a click on a heading.
//!
//! ## What this crate is not
//!
//! Not a full viewer: the page zooms into the drawn SVG, whose small spans
//! are merged; for every span of a long trace, write Chrome JSON with
//! `logprof` and open it in Perfetto. It does not record anything
//! (that is `logprof`) and does not run workloads (`logprof-kernels`).

#![forbid(unsafe_code)]

mod bars;
mod chart;
mod color;
mod error;
mod html;
mod raster;
mod scale;
mod svg_coords;
mod text;
mod timeline;
mod work;

pub use chart::{LineChart, Series};
pub use color::{name_color, thread_color};
pub use error::VizError;
pub use html::HtmlReport;
pub use raster::{svg_to_png, write_rgb_png, MAX_SIDE as MAX_PNG_SIDE};
pub use timeline::{
    timeline_size, trace_notes, ColorBy, Figure, LayoutOptions, Timeline, DEFAULT_WIDTH,
    MAX_DEPTH_ROWS, MAX_TASK_LANES, MAX_WIDTH, MIN_WIDTH,
};
pub use work::{TimeFit, WorkProfile};
