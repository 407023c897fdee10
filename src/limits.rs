//! The limits a run must fit, each defined once and derived from the
//! constraint that sets it, and checked before any work.

use anyhow::{bail, Result};
use logprof_viz::Timeline;

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

/// The most worker threads a run has (`--threads`, `sweep threads
/// --values`, the cores `simulate` plays). Every recording thread holds a
/// ring of its own, 1 MiB at the recorder's default size: 4096 threads hold
/// 4 GiB of rings. It is not a limit of the pictures: a timeline draws any
/// number of threads, a lane each while they fit a PNG, as heat rows (a
/// thin row each, see `logprof_viz::timeline_size`) past that.
pub const MAX_THREADS: usize = 4096;

/// Rejects `count` threads given by `option` beyond [`MAX_THREADS`].
pub fn check_threads(option: &str, count: usize) -> Result<()> {
    if count > MAX_THREADS {
        bail!(
            "{option} {count}: more than {MAX_THREADS} threads (each records into a ring of \
             its own, 1 MiB by default: {MAX_THREADS} of them hold 4 GiB); give {option} \
             {MAX_THREADS} or fewer"
        );
    }
    Ok(())
}

/// MPI ranks a core may carry. A rank is a process that polls while it
/// waits in MPI, so past a few a core each mostly waits for a core, and
/// the timings measure the time-sharing.
pub const RANKS_PER_CORE: usize = 8;

/// Rejects `--ranks n` beyond what this machine can run
/// ([`RANKS_PER_CORE`] a core). Any number of ranks can be drawn.
pub fn check_ranks(n: u32) -> Result<()> {
    let cores = crate::commands::launch::cores();
    let most = RANKS_PER_CORE * cores;
    if n as usize > most {
        bail!(
            "--ranks {n}: more than {most}, {RANKS_PER_CORE} a core on this machine's {cores} \
             (each rank is a process that polls while it waits in MPI: more would mostly wait \
             for a core); give --ranks {most} or fewer"
        );
    }
    Ok(())
}

/// Rejects a timeline too large to rasterise, naming `png`. Lanes never make
/// it so (past what fits they are drawn as heat rows); only a picture that
/// is too tall for another reason is, and the SVG can still be written.
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
    fn threads_are_limited_by_their_rings_not_by_the_pictures() {
        assert!(check_threads("--threads", 1000).is_ok());
        assert!(check_threads("--threads", MAX_THREADS).is_ok());
        let err = check_threads("--threads", MAX_THREADS + 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--threads 4097") && err.contains("give --threads 4096 or fewer"),
            "{err}"
        );
        // Every count allowed is drawn within the PNG limit.
        let options = logprof_viz::LayoutOptions::default();
        for panels in [1, 8] {
            let (_, height) = logprof_viz::timeline_size(panels, MAX_THREADS, &options).unwrap();
            assert!(height <= PNG_MAX_SIDE, "{panels} panels: {height} px");
        }
    }
}
