//! `logprof simulate`'s check of its own predictions: the real schedules
//! timed on this machine at every P it can run without oversubscription.

use anyhow::{Context, Result};
use logprof_kernels::simulate::Prediction;
use logprof_kernels::{run_into, Image, JuliaSet, Kernel, Pool, RunOptions};

use crate::bench::timing::time_runs;

/// Warm-up runs before the timed ones.
const WARMUP: usize = 3;
/// Timed runs; the median is compared.
pub const MEASURED_RUNS: usize = 20;

/// The median measured wall time in nanoseconds of each prediction's
/// schedule on its P real threads, for every P up to `machine` cores;
/// `None` for the extrapolated ones. With `kernel`, as the recorded run. In the predictions' order. `runs` timed
/// runs (at least 1) after [`WARMUP`] warm-up runs.
pub fn measure(
    predictions: &[Prediction],
    size: usize,
    kernel: Kernel,
    machine: usize,
    runs: usize,
) -> Result<Vec<Option<f64>>> {
    let fractal = JuliaSet::with_size(size)?;
    let mut image = Image::new(size)?;
    let mut measured = Vec::with_capacity(predictions.len());
    let mut pool: Option<Pool> = None;
    for p in predictions {
        if p.cores > machine {
            measured.push(None);
            continue;
        }
        if pool.as_ref().is_none_or(|pool| pool.threads() != p.cores) {
            pool = Some(
                Pool::new(p.cores)
                    .with_context(|| format!("cannot start {} worker threads", p.cores))?,
            );
        }
        let pool = pool.as_ref().expect("started above");
        let timing = time_runs(
            WARMUP,
            runs,
            || {
                run_into(
                    pool,
                    &p.schedule,
                    &fractal,
                    RunOptions::plain(kernel),
                    &mut image,
                )
            },
            || {},
        )?;
        measured.push(Some(timing.median_s * 1e9));
    }
    Ok(measured)
}
