//! The fractal runner: computes the Julia-set image under a [`Schedule`] on
//! the workers of a [`Pool`], one column the unit of work, each column
//! recorded as one `juliaset_column` call when asked ([`RunOptions`]), with
//! the column's index as its value and its iterations as its result.
//!
//! This module deals pieces out to workers; it does not decide how the
//! columns are cut (that is [`Schedule::pieces`], in `schedule.rs`, the one
//! place for it), own the workers (`pool.rs`) or compute a pixel (the
//! kernels in `julia.rs` and `simd.rs`).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::KernelError;
use crate::julia::{column_kernel, DetectedIsa, Image, JuliaSet, Kernel};
use crate::pool::Pool;
use crate::schedule::{forkjoin_split, Schedule};

/// How a fractal run computes and records its columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The column kernel: scalar, or the widest SIMD this CPU has.
    pub kernel: Kernel,
    /// Whether every column is recorded as one `juliaset_column` call (see
    /// [`run_into`]).
    pub record: bool,
}

impl RunOptions {
    /// `kernel`, with nothing recorded.
    pub fn plain(kernel: Kernel) -> RunOptions {
        RunOptions {
            kernel,
            record: false,
        }
    }

    /// `kernel`, with every column recorded.
    pub fn recorded(kernel: Kernel) -> RunOptions {
        RunOptions {
            kernel,
            record: true,
        }
    }
}

/// Computes the fractal under `schedule` on the workers of `pool`, into a
/// new image, with `options.kernel`. With `options.record` on, every column
/// is one recorded `juliaset_column` call (see [`run_into`]).
///
/// The image is the serial scalar image, bit for bit, for every schedule,
/// thread count and kernel.
pub fn run(
    pool: &Pool,
    schedule: &Schedule,
    fractal: &JuliaSet,
    options: RunOptions,
) -> Result<Image, KernelError> {
    fractal.validate()?;
    let mut image = Image::new(fractal.n)?;
    run_into(pool, schedule, fractal, options, &mut image)?;
    Ok(image)
}

/// [`run`] into an existing image (resized to `n × n` if needed), so repeated
/// runs allocate nothing for the pixels.
///
/// With `options.record` on, each column is computed inside
/// `logprof::record_fn!(juliaset_column(..); j)` (every worker of the pool
/// has a lane anyway, see [`Pool::new`]; [`Schedule::trim_lanes`] keeps
/// only the one that ran `serial`): a trace collected afterwards
/// holds exactly `n` spans named `juliaset_column`, on the workers' lanes.
/// With `record` off the plain function is called and logprof is not touched.
/// Either way logprof's own switches ([`logprof::set_enabled`], filters)
/// still apply to the recorded calls.
pub fn run_into(
    pool: &Pool,
    schedule: &Schedule,
    fractal: &JuliaSet,
    options: RunOptions,
    image: &mut Image,
) -> Result<(), KernelError> {
    fractal.validate()?;
    schedule.validate()?;
    image.resize(fractal.n)?;
    let job = ColumnJob {
        fractal: *fractal,
        isa: DetectedIsa::for_kernel(options.kernel),
        record: options.record,
    };
    let n = fractal.n;
    let workers = pool.as_rayon();
    let data = image.as_bytes_mut();
    // Every schedule but rayon cuts the columns in advance, in one place.
    let pieces = || {
        schedule
            .pieces(n, pool.threads())
            .expect("only rayon's pieces are not fixed in advance")
    };
    // What every schedule but `rayon` runs on a piece: its columns in order.
    let leaf = |first: usize, block: &mut [u8]| job.columns(first, block);
    match *schedule {
        Schedule::Serial | Schedule::Static => {
            // Piece `t` on worker `t`: serial's one piece on worker-0, so its
            // lane has one name in every run, trace and picture.
            let blocks = Blocks::split(data, n, &pieces());
            workers.broadcast(|ctx| blocks.run(ctx.index(), &leaf));
        }
        Schedule::Dynamic | Schedule::Chunked { .. } | Schedule::Guided => {
            on_demand(workers, data, n, &pieces(), &leaf)
        }
        Schedule::ForkJoin { ntasks } => {
            workers.install(|| forkjoin(data, n, 0, n, n, ntasks, &leaf))
        }
        Schedule::Rayon { basesize } => workers.install(|| {
            data.par_chunks_mut(n)
                .enumerate()
                .with_min_len(basesize)
                .for_each(|(j, column)| job.column(j, column))
        }),
        Schedule::DepthFirst { .. } => depth_first(workers, data, n, &pieces(), &leaf),
    }
    Ok(())
}

/// What computing one column needs; shared by all workers of a run.
struct ColumnJob {
    fractal: JuliaSet,
    isa: DetectedIsa,
    record: bool,
}

impl ColumnJob {
    /// Column `j` into `column`, recorded as one `juliaset_column` call
    /// carrying the column index `j` as its value and the column's
    /// iterations as its result when recording (`args.value`, `args.result`
    /// in Chrome JSON): every trace says what each unit of work cost.
    #[inline]
    fn column(&self, j: usize, column: &mut [u8]) {
        if self.record {
            // The iterations are summed after the exit's clock read: not
            // part of the column's time.
            logprof::record_fn!(juliaset_column(column, j, &self.fractal, self.isa);
                j => |_| crate::work::column_iterations(column));
        } else {
            juliaset_column(column, j, &self.fractal, self.isa);
        }
    }

    /// Consecutive columns `first, first + 1, ...` held back to back in
    /// `data`.
    fn columns(&self, first: usize, data: &mut [u8]) {
        for (k, column) in data.chunks_exact_mut(self.fractal.n).enumerate() {
            self.column(first + k, column);
        }
    }
}

/// One column of the image: the unit of work, and the recorded call.
#[inline]
fn juliaset_column(column: &mut [u8], j: usize, fractal: &JuliaSet, isa: DetectedIsa) {
    column_kernel(isa, column, j, fractal);
}

/// `data` (whole columns of `n` values) cut along `ranges`, which must
/// partition the columns in order: each block with its first column.
fn split_columns<'a>(
    data: &'a mut [u8],
    n: usize,
    ranges: &[Range<usize>],
) -> Vec<(usize, &'a mut [u8])> {
    let mut rest = data;
    let mut blocks = Vec::with_capacity(ranges.len());
    for r in ranges {
        let (block, tail) = std::mem::take(&mut rest).split_at_mut(r.len() * n);
        blocks.push((r.start, block));
        rest = tail;
    }
    debug_assert!(rest.is_empty());
    blocks
}

/// An image cut into blocks of whole columns, each block taken by exactly
/// one worker. The mutexes are only ever taken once each, uncontended; they
/// make handing a `&mut` block to whichever worker claims it safe.
struct Blocks<'a> {
    blocks: Vec<(usize, Mutex<&'a mut [u8]>)>,
}

impl<'a> Blocks<'a> {
    /// Splits `data` (whole columns of `n` values) along `ranges`, which
    /// must partition the columns in order.
    fn split(data: &'a mut [u8], n: usize, ranges: &[Range<usize>]) -> Blocks<'a> {
        let blocks = split_columns(data, n, ranges)
            .into_iter()
            .map(|(first, block)| (first, Mutex::new(block)))
            .collect();
        Blocks { blocks }
    }

    fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Runs `leaf` on block `k` (nothing if there is no such block, or if it
    /// was already taken).
    fn run(&self, k: usize, leaf: &(impl Fn(usize, &mut [u8]) + Sync)) {
        if let Some((first, slot)) = self.blocks.get(k) {
            let block = std::mem::take(&mut *slot.lock().unwrap_or_else(|e| e.into_inner()));
            leaf(*first, block);
        }
    }
}

/// Hands the blocks `ranges` of `data` (columns of `n` values) out in order
/// from a shared counter: every worker of `workers` takes the next block and
/// runs `leaf` on it (its first column, its values) until none is left.
/// The fractal's `dynamic`, `chunked` and `guided`, and the measured
/// `dispatch` overhead (see [`crate::overheads`]).
pub(crate) fn on_demand(
    workers: &rayon::ThreadPool,
    data: &mut [u8],
    n: usize,
    ranges: &[Range<usize>],
    leaf: &(impl Fn(usize, &mut [u8]) + Sync),
) {
    let blocks = Blocks::split(data, n, ranges);
    let next = AtomicUsize::new(0);
    workers.broadcast(|_| loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= blocks.len() {
            break;
        }
        blocks.run(k, leaf);
    });
}

/// The lecture's `juliaset_recspawn!`: columns `lo..hi` of `total` (held in
/// `data`, `n` values a column) are halved while a piece holds more than
/// `total / ntasks` columns; the left half is offered to other workers, the
/// right half computed here, and `leaf` runs on every piece that is left.
/// The leaves are those of [`Schedule::pieces`]: both split with
/// [`forkjoin_split`]. Call it on a worker (`install`).
pub(crate) fn forkjoin(
    data: &mut [u8],
    n: usize,
    lo: usize,
    hi: usize,
    total: usize,
    ntasks: usize,
    leaf: &(impl Fn(usize, &mut [u8]) + Sync),
) {
    if let Some(mid) = forkjoin_split(lo, hi, total, ntasks) {
        let (left, right) = data.split_at_mut((mid - lo) * n);
        // `join` runs its first closure here and lets the second be stolen.
        rayon::join(
            || forkjoin(right, n, mid, hi, total, ntasks, leaf),
            || forkjoin(left, n, lo, mid, total, ntasks, leaf),
        );
    } else {
        leaf(lo, data);
    }
}

/// One FIFO task a block of `ranges` (columns of `n` values in `data`),
/// spawned in order into a scope on `workers`, each running `leaf`: the
/// fractal's `depthfirst`, and the measured `fifo_spawn` overhead.
pub(crate) fn depth_first(
    workers: &rayon::ThreadPool,
    data: &mut [u8],
    n: usize,
    ranges: &[Range<usize>],
    leaf: &(impl Fn(usize, &mut [u8]) + Sync),
) {
    workers.scope_fifo(|scope| {
        for (first, block) in split_columns(data, n, ranges) {
            scope.spawn_fifo(move |_| leaf(first, block));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_constructors() {
        assert_eq!(
            RunOptions::plain(Kernel::Simd),
            RunOptions {
                kernel: Kernel::Simd,
                record: false
            }
        );
        assert_eq!(
            RunOptions::recorded(Kernel::Scalar),
            RunOptions {
                kernel: Kernel::Scalar,
                record: true
            }
        );
        assert!(!RunOptions::default().record);
    }
}
