//! The size of a timeline picture from counts alone, without drawing it: to
//! check a limit (the largest PNG) before the work that makes the trace.

use std::iter;

use super::heat;
use super::heat_draw::legend_px;
use super::layout::{
    body_height, check_width, heat_body_height, legend_height, panel_height, picture_height,
    DEFAULT_WIDTH, MAX_DEPTH_ROWS, MAX_TASK_LANES, ROW0_H, ROW_H, TASK_ROW_H,
};
use crate::error::VizError;
use crate::raster::MAX_SIDE;

/// What, besides the number of traces and lanes, sets the size of a
/// timeline picture: the options of [`timeline_size`].
///
/// The default is a [`Timeline`](crate::Timeline) as
/// [`Timeline::new`](crate::Timeline::new) draws it: [`DEFAULT_WIDTH`]
/// wide, with a title, one lane per thread, top-level spans only and a
/// legend of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutOptions {
    /// The picture's width in pixels (see
    /// [`Timeline::width`](crate::Timeline::width)).
    pub width: u32,
    /// Whether the picture has a title line: a [`Timeline`](crate::Timeline)
    /// always has one, a [`Figure`](crate::Figure) when it is given one.
    pub title: bool,
    /// One lane per task (see [`Timeline::by_task`](crate::Timeline::by_task))
    /// instead of one per thread.
    pub by_task: bool,
    /// Rows of each thread lane: the deepest nesting level of its spans plus
    /// one (1: top-level spans only). At most
    /// [`MAX_DEPTH_ROWS`](crate::MAX_DEPTH_ROWS) are drawn; more add the note
    /// that says so. The task view has one row per lane whatever this is.
    pub rows_per_lane: usize,
    /// Rows of legend entries under the time axis (0: no legend). A legend
    /// puts as many entries on a row as fit the width: a few function
    /// names make one row.
    pub legend_rows: usize,
    /// Warnings under each trace's numbers (lost events, threads that
    /// time-share the cores, ...) besides those the counts imply.
    pub notes: usize,
}

impl Default for LayoutOptions {
    fn default() -> LayoutOptions {
        LayoutOptions {
            width: DEFAULT_WIDTH,
            title: true,
            by_task: false,
            rows_per_lane: 1,
            legend_rows: 1,
            notes: 0,
        }
    }
}

/// The `(width, height)` in pixels of a timeline of `traces` traces stacked
/// on one axis (1: a [`Timeline`](crate::Timeline), more: a
/// [`Figure`](crate::Figure)), each with `lanes` lanes (threads, or tasks
/// in the task view) of one process, laid out with `options`, computed
/// without drawing anything.
///
/// It is the size that [`Timeline::pixel_size`](crate::Timeline::pixel_size)
/// and [`Figure::pixel_size`](crate::Figure::pixel_size) give for such
/// traces, with no counter tracks; `lanes == 0` stands for traces without
/// spans. In the task view at most [`MAX_TASK_LANES`](crate::MAX_TASK_LANES)
/// lanes are drawn, and more add a note. A lane per thread as long as the
/// picture is at most [`MAX_PNG_SIDE`](crate::MAX_PNG_SIDE) high; past that
/// the threads are drawn as heat rows (a row of 1 to 4 px a lane), which
/// always fit: no count of threads is too many to draw.
///
/// ```
/// use logprof_viz::{timeline_size, LayoutOptions, MAX_PNG_SIDE};
///
/// // Four schedules of a run on 64 threads, in one figure without a title.
/// let options = LayoutOptions { title: false, ..LayoutOptions::default() };
/// let (_, height) = timeline_size(4, 64, &options)?;
/// assert!(height <= MAX_PNG_SIDE);
/// # Ok::<(), logprof_viz::VizError>(())
/// ```
///
/// # Errors
///
/// [`VizError::InvalidOption`] for a width a timeline cannot be drawn at
/// (as [`Timeline::width`](crate::Timeline::width) says), or no trace.
pub fn timeline_size(
    traces: usize,
    lanes: usize,
    options: &LayoutOptions,
) -> Result<(u32, u32), VizError> {
    check_width(options.width)?;
    if traces == 0 {
        return Err(VizError::option(
            "0 traces",
            "a timeline shows at least one trace",
        ));
    }
    let (drawn, lane_h, left_out) = if options.by_task {
        (
            lanes.min(MAX_TASK_LANES),
            TASK_ROW_H,
            lanes > MAX_TASK_LANES,
        )
    } else {
        let rows = options.rows_per_lane.clamp(1, MAX_DEPTH_ROWS);
        let lane_h = ROW0_H + ROW_H * (rows - 1) as f64;
        (lanes, lane_h, options.rows_per_lane > MAX_DEPTH_ROWS)
    };
    let has_spans = lanes > 0;
    let body = body_height(
        iter::repeat_n((lane_h, false), drawn),
        drawn == 0,
        has_spans,
    );
    let panel = panel_height(options.notes + usize::from(left_out), body, 0);
    let legend = legend_height(options.legend_rows, false);
    let height = picture_height(options.title, panel * traces as f64, has_spans, legend);
    if options.by_task || height <= MAX_SIDE {
        return Ok((options.width, height));
    }
    // Too tall for a lane per thread: heat rows, one line more under the
    // numbers, the colour scale for a legend.
    let plan = heat::plan(&vec![vec![lanes]; traces]);
    let body = heat_body_height(plan.block_px(&[lanes]), has_spans);
    let panel = panel_height(options.notes + 1, body, 0);
    let height = picture_height(options.title, panel * traces as f64, has_spans, legend_px());
    Ok((options.width, height))
}

#[cfg(test)]
mod tests {
    use logprof_trace::{Lane, Span, Trace};

    use super::*;
    use crate::{Figure, Timeline};

    /// `threads` threads of one process, each with `calls` calls of `work`
    /// nested `rows` deep; the calls are tasks (one each) when `tasks`.
    fn trace(threads: u64, calls: u64, rows: u32, tasks: bool) -> Trace {
        let mut trace = Trace::new();
        let work = trace.intern("work");
        for t in 0..threads {
            let mut lane = Lane::new(1, t + 1, format!("worker-{t}"));
            for c in 0..calls {
                let start = 1_000 + c * 10_000;
                for depth in 0..rows {
                    let d = u64::from(depth);
                    let mut span = Span::new(work, start + d, start + 5_000 - d, depth);
                    span.task = tasks.then_some(t * calls + c);
                    lane.spans.push(span);
                }
            }
            trace.lanes.push(lane);
        }
        trace
    }

    /// Asserts that the size told for `traces` traces of `lanes` lanes is
    /// that of `timelines` as drawn, the timeline alone or every one in a
    /// figure.
    fn assert_told(timelines: &[Trace], lanes: usize, options: LayoutOptions) {
        let drawn = if let [one] = timelines {
            Timeline::new(one)
                .width(options.width)
                .by_task(options.by_task)
                .pixel_size()
        } else {
            let figure = timelines
                .iter()
                .enumerate()
                .fold(Figure::new(), |f, (i, t)| f.add(format!("run {i}"), t));
            let figure = if options.title {
                figure.title("runs")
            } else {
                figure
            };
            figure
                .width(options.width)
                .by_task(options.by_task)
                .pixel_size()
        };
        let told = timeline_size(timelines.len(), lanes, &options);
        assert_eq!(
            told.unwrap(),
            drawn.unwrap(),
            "{} traces of {lanes} lanes, {options:?}",
            timelines.len()
        );
    }

    #[test]
    fn the_size_told_is_the_size_drawn() {
        let default = LayoutOptions::default();
        for threads in [1, 4, 37] {
            assert_told(&[trace(threads, 3, 1, false)], threads as usize, default);
        }
        let nested = LayoutOptions {
            rows_per_lane: 3,
            width: 700,
            ..default
        };
        assert_told(&[trace(8, 2, 3, false)], 8, nested);
        let too_deep = LayoutOptions {
            rows_per_lane: MAX_DEPTH_ROWS + 2,
            ..default
        };
        assert_told(
            &[trace(2, 1, MAX_DEPTH_ROWS as u32 + 2, false)],
            2,
            too_deep,
        );
        let empty = LayoutOptions {
            legend_rows: 0,
            ..default
        };
        assert_told(&[Trace::new()], 0, empty);
    }

    #[test]
    fn the_size_of_a_figure_or_a_task_view_is_the_size_drawn() {
        let runs: Vec<Trace> = (0..3).map(|_| trace(5, 2, 1, false)).collect();
        for title in [false, true] {
            let options = LayoutOptions {
                title,
                ..LayoutOptions::default()
            };
            assert_told(&runs, 5, options);
        }
        let by_task = LayoutOptions {
            by_task: true,
            ..LayoutOptions::default()
        };
        // 2 threads × 3 calls: 6 tasks; 2 × 150: more than are drawn.
        assert_told(&[trace(2, 3, 1, true)], 6, by_task);
        assert_told(&[trace(2, 150, 1, true)], 300, by_task);
    }

    #[test]
    fn more_lanes_than_fit_are_heat_rows_of_the_size_told() {
        let default = LayoutOptions::default();
        // Past what fits a lane each, in a timeline and in a figure.
        assert_told(&[trace(3000, 2, 1, false)], 3000, default);
        let runs: Vec<Trace> = (0..3).map(|_| trace(1000, 1, 1, false)).collect();
        let untitled = LayoutOptions {
            title: false,
            ..default
        };
        assert_told(&runs, 1000, untitled);
        // No count of threads is too many: 50 000 lanes fit a PNG.
        for lanes in [700, 3000, 50_000] {
            let (_, height) = timeline_size(1, lanes, &default).unwrap();
            assert!(height <= crate::MAX_PNG_SIDE, "{lanes} lanes: {height} px");
        }
    }

    #[test]
    fn bad_options_are_errors() {
        let narrow = LayoutOptions {
            width: 100,
            ..LayoutOptions::default()
        };
        assert!(timeline_size(1, 4, &narrow).is_err());
        assert!(timeline_size(0, 4, &LayoutOptions::default()).is_err());
    }
}
