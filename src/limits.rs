//! The limits a run must fit, each defined once and derived from the
//! constraint that sets it, and checked before any work.

use anyhow::{bail, Result};
use logprof::{Lane, Span, Trace};
use logprof_viz::{Figure, Timeline};

/// The largest PNG side `logprof-viz` agrees to draw, in pixels.
pub const PNG_MAX_SIDE: u32 = logprof_viz::MAX_PNG_SIDE;

/// The largest image size N: the kernel computes at most
/// [`logprof_kernels::MAX_N`] columns, and `fractal.png`, a pixel per
/// column, is at most [`PNG_MAX_SIDE`] a side.
pub const MAX_SIZE: usize = {
    let png = PNG_MAX_SIDE as usize;
    if logprof_kernels::MAX_N < png {
        logprof_kernels::MAX_N
    } else {
        png
    }
};

/// A trace shaped like a recorded run on `threads` workers (a column span
/// on each), for laying out the pictures before any work.
fn stand_in_trace(threads: usize) -> Trace {
    let mut trace = Trace::new();
    let column = trace.intern("juliaset_column");
    trace.lanes = (0..threads)
        .map(|t| {
            let span = Span::new(column, 1_000, 2_000, 0);
            Lane::with_spans(1, t as u64 + 1, format!("worker-{t}"), [span])
        })
        .collect();
    trace
}

/// The height in pixels of the tallest picture drawn of a run on `threads`
/// workers: a timeline, or a figure of `panels` of them when `panels > 1`.
pub fn picture_height(threads: usize, panels: usize) -> Result<f64> {
    let trace = stand_in_trace(threads);
    let (_, height) = if panels > 1 {
        (0..panels)
            .fold(Figure::new(), |f, i| f.add(format!("panel {i}"), &trace))
            .pixel_size()?
    } else {
        Timeline::new(&trace).pixel_size()?
    };
    Ok(f64::from(height))
}

/// Rejects a thread count whose timelines (`panels` stacked in one figure
/// when more than one) would be taller than a PNG can be, naming the most
/// threads that fit.
pub fn check_threads_fit_pictures(threads: usize, panels: usize) -> Result<()> {
    let fits = |t: usize| -> Result<bool> {
        Ok(t <= PNG_MAX_SIDE as usize && picture_height(t, panels)? <= f64::from(PNG_MAX_SIDE))
    };
    // The height grows by the same amount a thread: estimate the most that
    // fit from one and two threads, then settle it on real layouts.
    let (h1, h2) = (picture_height(1, panels)?, picture_height(2, panels)?);
    let per_thread = (h2 - h1).max(1.0);
    let mut most = ((f64::from(PNG_MAX_SIDE) - h1) / per_thread)
        .floor()
        .max(0.0) as usize
        + 1;
    if threads < most {
        if fits(threads)? {
            return Ok(());
        }
        most = threads;
    }
    while most > 1 && !fits(most)? {
        most -= 1;
    }
    while most < threads && fits(most + 1)? {
        most += 1;
    }
    if most >= threads {
        return Ok(());
    }
    let picture = if panels > 1 {
        "timelines.png, a lane per thread for each scheduler,"
    } else {
        "the timeline PNG, a lane per thread,"
    };
    bail!(
        "--threads {threads}: {picture} would be more than {PNG_MAX_SIDE} px high (the PNG limit); \
         give --threads {most} or fewer"
    )
}

/// Rejects a timeline too large to rasterise, naming `png`.
pub fn check_timeline_fits_png(timeline: &Timeline, png: &std::path::Path) -> Result<()> {
    let (_, height) = timeline.pixel_size()?;
    if height > PNG_MAX_SIDE {
        bail!(
            "cannot draw {}: the picture is {height} px high, more than {PNG_MAX_SIDE} px (the PNG limit); \
             write only --svg",
            png.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_limit_is_the_png_side() {
        assert_eq!(MAX_SIZE, 16_384);
    }

    #[test]
    fn heights_grow_with_threads_and_panels() {
        let one = picture_height(4, 1).unwrap();
        assert!(one > 0.0 && one < picture_height(40, 1).unwrap());
        assert!(picture_height(4, 8).unwrap() > one);
        assert!(check_threads_fit_pictures(4, 8).is_ok());
        let err = check_threads_fit_pictures(1000, 8).unwrap_err().to_string();
        assert!(
            err.contains("--threads 1000") && err.contains("16384"),
            "{err}"
        );
    }
}
