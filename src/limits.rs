//! The limits a run must fit, each defined once and derived from the
//! constraint that sets it, and checked before any work.

use anyhow::{bail, Result};
use logprof_viz::{timeline_size, LayoutOptions, Timeline};

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

/// The height in pixels of the tallest picture drawn of a run on `threads`
/// workers, a lane each with one function's calls: a timeline, or a figure
/// of `panels` of them (without a title) when `panels > 1`. Told by viz
/// from the counts, without drawing.
pub fn picture_height(threads: usize, panels: usize) -> Result<f64> {
    let options = LayoutOptions {
        title: panels <= 1,
        ..LayoutOptions::default()
    };
    let (_, height) = timeline_size(panels.max(1), threads, &options)?;
    Ok(f64::from(height))
}

/// The picture a count of workers (threads or ranks) is drawn in, a lane
/// each.
#[derive(Clone, Copy, Debug)]
pub enum Picture<'a> {
    /// One timeline (the most lanes of any of the command's pictures).
    Timeline,
    /// `panels` timelines stacked in one picture, named as `what`
    /// ("timelines.png, a timeline for each scheduler").
    Stacked {
        /// The timelines.
        panels: usize,
        /// The picture, for the message.
        what: &'a str,
    },
}

impl Picture<'_> {
    fn panels(self) -> usize {
        match self {
            Picture::Timeline => 1,
            Picture::Stacked { panels, .. } => panels,
        }
    }
}

/// Rejects `count` workers, given by `option` (`--threads`, `--values`,
/// `--ranks`), whose lanes (a `noun` each) would make `picture` taller
/// than a PNG can be, naming the most that fit. Commands that draw no
/// timeline of their workers keep to the same limit: every run logprof
/// makes can be recorded and drawn.
pub fn check_lanes(option: &str, count: usize, noun: &str, picture: Picture) -> Result<()> {
    let panels = picture.panels();
    let fits = |t: usize| -> Result<bool> {
        Ok(t <= PNG_MAX_SIDE as usize && picture_height(t, panels)? <= f64::from(PNG_MAX_SIDE))
    };
    // The height grows by the same amount a lane: estimate the most that
    // fit from one and two lanes, then settle it on real layouts.
    let (h1, h2) = (picture_height(1, panels)?, picture_height(2, panels)?);
    let per_lane = (h2 - h1).max(1.0);
    let mut most = ((f64::from(PNG_MAX_SIDE) - h1) / per_lane).floor().max(0.0) as usize + 1;
    if count < most {
        if fits(count)? {
            return Ok(());
        }
        most = count;
    }
    while most > 1 && !fits(most)? {
        most -= 1;
    }
    while most < count && fits(most + 1)? {
        most += 1;
    }
    if most >= count {
        return Ok(());
    }
    let shown = match picture {
        Picture::Timeline => "a timeline".to_owned(),
        Picture::Stacked { what, .. } => what.to_owned(),
    };
    bail!(
        "{option} {count}: more than {most}, the most {noun}s {shown} can show, a lane each, \
         within the PNG limit of {PNG_MAX_SIDE} px; give {option} {most} or fewer"
    )
}

/// MPI ranks a core may carry. A rank is a process that polls while it
/// waits in MPI, so past a few a core each mostly waits for a core, and
/// the timings measure the time-sharing.
pub const RANKS_PER_CORE: usize = 8;

/// Rejects `--ranks n` beyond what this machine can run
/// ([`RANKS_PER_CORE`] a core) or `picture` can draw, a lane a rank.
pub fn check_ranks(n: u32, picture: Picture) -> Result<()> {
    let cores = crate::commands::launch::cores();
    let most = RANKS_PER_CORE * cores;
    if n as usize > most {
        bail!(
            "--ranks {n}: more than {most}, {RANKS_PER_CORE} a core on this machine's {cores} \
             (each rank is a process that polls while it waits in MPI: more would mostly wait \
             for a core); give --ranks {most} or fewer"
        );
    }
    check_lanes("--ranks", n as usize, "rank", picture)
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
        let stacked = Picture::Stacked {
            panels: 8,
            what: "timelines.png",
        };
        assert!(check_lanes("--threads", 4, "thread", stacked).is_ok());
        let err = check_lanes("--threads", 1000, "thread", stacked)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--threads 1000") && err.contains("16384"),
            "{err}"
        );
        // The most named is the most that fits.
        let most: usize = err
            .split("give --threads ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("a number");
        assert!(check_lanes("--threads", most, "thread", stacked).is_ok());
        assert!(check_lanes("--threads", most + 1, "thread", stacked).is_err());
    }
}
