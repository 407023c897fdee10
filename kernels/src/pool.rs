//! The persistent worker pool and the schedulers that run on it.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::KernelError;
use crate::julia::{column_kernel, DetectedIsa, Image, JuliaSet, Kernel};
use crate::schedule::{
    chunked_blocks, forkjoin_mid, forkjoin_splits, guided_blocks, static_blocks, Schedule,
};

/// A fixed set of worker threads, started once and reused by every run, so
/// that thread start-up is never part of a timed run.
///
/// The workers are named `worker-0`, `worker-1`, ...; these names become the
/// lanes of a recorded trace. Every schedule runs on these workers only: the
/// calling thread waits.
pub struct Pool {
    pool: rayon::ThreadPool,
    threads: usize,
    /// The logprof recording the workers were last registered with.
    registered_for: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("threads", &self.threads)
            .finish()
    }
}

impl Pool {
    /// Starts `threads` workers (at least 1; any number is fine, also more
    /// than the machine has cores) and registers them with logprof in index
    /// order, so their lanes appear as worker-0, worker-1, ... in traces.
    pub fn new(threads: usize) -> Result<Pool, KernelError> {
        if threads == 0 {
            return Err(KernelError::ZeroThreads);
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("worker-{i}"))
            .build()
            .map_err(|e| KernelError::PoolBuild {
                message: e.to_string(),
            })?;
        // logprof numbers threads in the order they first register; register
        // the workers one after the other, so lanes read worker-0, worker-1, ...
        let turn = std::sync::atomic::AtomicUsize::new(0);
        pool.broadcast(|ctx| {
            while turn.load(std::sync::atomic::Ordering::Acquire) != ctx.index() {
                std::thread::yield_now();
            }
            logprof::register_thread();
            turn.fetch_add(1, std::sync::atomic::Ordering::Release);
        });
        Ok(Pool {
            pool,
            threads,
            registered_for: std::sync::atomic::AtomicU64::new(logprof::recording_id()),
        })
    }

    /// The number of workers.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The underlying rayon pool, for other work that should run on the same
    /// workers (the histogram does).
    pub fn as_rayon(&self) -> &rayon::ThreadPool {
        &self.pool
    }

    /// Makes every worker part of the current logprof recording, so each gets
    /// a lane in the next trace even if it gets no work (an empty lane shows
    /// as idle, which is the truth). [`run`] does this when recording.
    ///
    /// Waking every worker costs tens of microseconds, so it is done only
    /// when the recording changed (a `logprof::clear` and the like) since
    /// the last registration.
    pub fn register_lanes(&self) {
        let current = logprof::recording_id();
        let last = self
            .registered_for
            .swap(current, std::sync::atomic::Ordering::AcqRel);
        if last != current {
            self.pool.broadcast(|_| logprof::register_thread());
        }
    }
}

/// Computes the fractal under `schedule` on the workers of `pool` with
/// `kernel`, into a new image. With `record` on, every column is one
/// recorded `juliaset_column` call (see [`run_into`]).
///
/// The image is the serial scalar image, bit for bit, for every schedule,
/// thread count and kernel.
pub fn run(
    pool: &Pool,
    schedule: &Schedule,
    fractal: &JuliaSet,
    kernel: Kernel,
    record: bool,
) -> Result<Image, KernelError> {
    fractal.validate()?;
    let mut image = Image::new(fractal.n)?;
    run_into(pool, schedule, fractal, kernel, record, &mut image)?;
    Ok(image)
}

/// [`run`] into an existing image (resized to `n × n` if needed), so repeated
/// runs allocate nothing for the pixels.
///
/// With `record` on, every worker is first registered with logprof
/// ([`Pool::register_lanes`]), then each column is computed inside
/// `logprof::record_fn!(juliaset_column(..))`: a trace collected afterwards
/// holds exactly `n` spans named `juliaset_column`, on the workers' lanes.
/// With `record` off the plain function is called and logprof is not touched.
/// Either way logprof's own switches ([`logprof::set_enabled`], filters)
/// still apply to the recorded calls.
pub fn run_into(
    pool: &Pool,
    schedule: &Schedule,
    fractal: &JuliaSet,
    kernel: Kernel,
    record: bool,
    image: &mut Image,
) -> Result<(), KernelError> {
    fractal.validate()?;
    schedule.validate()?;
    image.resize(fractal.n)?;
    let job = ColumnJob {
        fractal: *fractal,
        isa: DetectedIsa::for_kernel(kernel),
        record,
    };
    if record {
        pool.register_lanes();
    }
    let n = fractal.n;
    let threads = pool.threads;
    let data = image.as_bytes_mut();
    match *schedule {
        Schedule::Serial => pool.pool.install(|| job.columns(0, data)),
        Schedule::Static => {
            let blocks = Blocks::split(data, n, &static_blocks(n, threads));
            pool.pool.broadcast(|ctx| blocks.run(ctx.index(), &job));
        }
        Schedule::Dynamic => on_demand(pool, &job, data, &static_blocks(n, threads)),
        Schedule::Chunked { chunk } => on_demand(pool, &job, data, &chunked_blocks(n, chunk)),
        Schedule::Guided => on_demand(pool, &job, data, &guided_blocks(n, threads)),
        Schedule::ForkJoin { ntasks } => {
            pool.pool.install(|| forkjoin(&job, data, 0, n, ntasks));
        }
        Schedule::Rayon { basesize } => pool.pool.install(|| {
            data.par_chunks_mut(n)
                .enumerate()
                .with_min_len(basesize)
                .for_each(|(j, column)| job.column(j, column))
        }),
        Schedule::DepthFirst { basesize } => pool.pool.scope_fifo(|scope| {
            let job = &job;
            for (k, chunk) in data.chunks_mut(basesize.saturating_mul(n)).enumerate() {
                scope.spawn_fifo(move |_| job.columns(k * basesize, chunk));
            }
        }),
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
    /// Column `j` into `column`, recorded as one `juliaset_column` call when
    /// recording.
    #[inline]
    fn column(&self, j: usize, column: &mut [u8]) {
        if self.record {
            logprof::record_fn!(juliaset_column(column, j, &self.fractal, self.isa));
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

/// An image cut into blocks of whole columns, each block taken by exactly
/// one worker. The mutexes are only ever taken once each, uncontended; they
/// make handing a `&mut` block to whichever worker claims it safe.
struct Blocks<'a> {
    blocks: Vec<(usize, Mutex<&'a mut [u8]>)>,
}

impl<'a> Blocks<'a> {
    /// Splits `data` (whole columns of `n` pixels) along `ranges`, which must
    /// partition the columns in order.
    fn split(data: &'a mut [u8], n: usize, ranges: &[Range<usize>]) -> Blocks<'a> {
        let mut rest = data;
        let mut blocks = Vec::with_capacity(ranges.len());
        for r in ranges {
            let (block, tail) = std::mem::take(&mut rest).split_at_mut(r.len() * n);
            blocks.push((r.start, Mutex::new(block)));
            rest = tail;
        }
        debug_assert!(rest.is_empty());
        Blocks { blocks }
    }

    fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Computes block `k` (nothing if there is no such block, or if it was
    /// already taken).
    fn run(&self, k: usize, job: &ColumnJob) {
        if let Some((first, slot)) = self.blocks.get(k) {
            let block = std::mem::take(&mut *slot.lock().unwrap_or_else(|e| e.into_inner()));
            job.columns(*first, block);
        }
    }
}

/// Hands the blocks `ranges` out in order from a shared counter: every
/// worker takes the next block until none is left.
fn on_demand(pool: &Pool, job: &ColumnJob, data: &mut [u8], ranges: &[Range<usize>]) {
    let blocks = Blocks::split(data, job.fractal.n, ranges);
    let next = AtomicUsize::new(0);
    pool.pool.broadcast(|_| loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= blocks.len() {
            break;
        }
        blocks.run(k, job);
    });
}

/// The lecture's `juliaset_recspawn!`: columns `lo..hi` (held in `data`) are
/// halved while a piece holds more than `n / ntasks` columns; the left half
/// is offered to other workers, the right half computed here.
fn forkjoin(job: &ColumnJob, data: &mut [u8], lo: usize, hi: usize, ntasks: usize) {
    let n = job.fractal.n;
    if forkjoin_splits(hi - lo, n, ntasks) {
        let mid = forkjoin_mid(lo, hi);
        let (left, right) = data.split_at_mut((mid - lo) * n);
        // `join` runs its first closure here and lets the second be stolen.
        rayon::join(
            || forkjoin(job, right, mid, hi, ntasks),
            || forkjoin(job, left, lo, mid, ntasks),
        );
    } else {
        job.columns(lo, data);
    }
}
