//! The limits a run must fit, each defined once and derived from the
//! constraint that sets it, and checked before any work.

use anyhow::{bail, Result};
use logprof::{Lane, Span, Trace};
use logprof_viz::{Figure, Timeline};

/// The largest PNG side `logprof-viz` agrees to draw, in pixels: the value
/// of its `raster::MAX_SIDE`, which that crate keeps private.
pub const PNG_MAX_SIDE: u32 = 16_384;

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

/// The height of an SVG document, from its root element.
fn svg_height(svg: &str) -> Option<f64> {
    let root = &svg[svg.find("<svg")?..];
    let root = &root[..root.find('>')?];
    let value = &root[root.find(" height=\"")? + 9..];
    value[..value.find('"')?].parse().ok()
}

/// The height in pixels of the tallest picture drawn of a run on `threads`
/// workers: a timeline, or a figure of `panels` of them when `panels > 1`.
pub fn picture_height(threads: usize, panels: usize) -> Result<f64> {
    let trace = stand_in_trace(threads);
    let svg = if panels > 1 {
        (0..panels)
            .fold(Figure::new(), |f, i| f.add(format!("panel {i}"), &trace))
            .to_svg_string()?
    } else {
        Timeline::new(&trace).to_svg_string()?
    };
    Ok(svg_height(&svg).unwrap_or(0.0))
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

/// Rejects an SVG document too large to rasterise, naming `png`.
pub fn check_svg_fits_png(svg: &str, png: &std::path::Path) -> Result<()> {
    if let Some(h) = svg_height(svg).filter(|&h| h > f64::from(PNG_MAX_SIDE)) {
        bail!(
            "cannot draw {}: the picture is {h:.0} px high, more than {PNG_MAX_SIDE} px (the PNG limit); \
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

    #[test]
    fn reads_the_root_height() {
        let svg = r#"<?xml version="1.0"?><svg width="10" height="20.5" viewBox="0 0 10 20.5"><rect height="99"/></svg>"#;
        assert_eq!(svg_height(svg), Some(20.5));
    }
}
