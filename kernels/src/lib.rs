//! # logprof-kernels: the lecture's workloads, under every scheduler
//!
//! The workloads that logprof's timelines are learned on, from the Julia
//! lecture on parallel programming:
//!
//! - the **Julia-set fractal** ([`JuliaSet`]): an `n × n` image, one column
//!   the unit of parallel work, computed by a plain scalar kernel or a SIMD
//!   kernel ([`Kernel`]) that gives the same image bit for bit, under eight
//!   schedules ([`Schedule`]) on one persistent pool of workers ([`Pool`]),
//!   with every column recorded as one `juliaset_column` span when asked ([`RunOptions`]),
//!   carrying its index and its iterations, so a trace says what each column
//!   cost ([`recorded_column_iterations`]) and took ([`recorded_column_times`]);
//! - the **byte histogram** ([`histogram`]): one task a file, with a hash-map
//!   or an array counter, serially or on the pool, or on MPI ranks
//!   ([`histogram_ranks`]);
//! - the lecture's **sending data** ([`sending`]): the same strings in four
//!   shapes and a matrix against its recipe, sent between MPI ranks.
//!
//! It also predicts what each schedule would do on `P` virtual cores from the
//! per-column costs of one run ([`simulate`]): a discrete-event model that
//! cuts the work with the schedules' own code, charging the scheduling
//! overheads measured on this machine by the runners' own code ([`overheads`]).
//! The same model replays another program's trace region by region
//! ([`simulate::simulate_regions`]) and advises each imbalanced region's
//! schedule ([`advice`]).
//!
//! ```
//! use logprof_kernels::{run, JuliaSet, Kernel, Pool, RunOptions, Schedule};
//!
//! let pool = Pool::new(4)?;
//! let fractal = JuliaSet::with_size(100)?; // c = -0.79 + 0.15i
//! let serial = fractal.compute(Kernel::Scalar)?;
//!
//! logprof::init_buffer(1 << 12);
//! let forkjoin = Schedule::ForkJoin { ntasks: 16 };
//! let image = run(&pool, &forkjoin, &fractal, RunOptions::recorded(Kernel::Simd))?;
//! let trace = logprof::collect();
//!
//! assert_eq!(image, serial);
//! assert_eq!(trace.span_count(), 100); // one span a column
//! // How uneven the work is: iterations in each of 4 static blocks.
//! let blocks = logprof_kernels::iterations_per_block(&serial.iterations_per_column(), 4);
//! assert!(blocks[1] > 3 * blocks[0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The schedules
//!
//! | schedule | how columns are dealt out | lecture's construct |
//! |---|---|---|
//! | `serial` | all, in order, on one worker | `juliaset` |
//! | `static` | one equal block a thread | `@threads :static` |
//! | `dynamic` | `threads` equal blocks on demand | `@threads :dynamic` |
//! | `chunked(chunk)` | next `chunk` columns from a counter | OpenMP `dynamic, k` |
//! | `guided` | shrinking chunks, `ceil(remaining/threads)` | OpenMP `guided` |
//! | `forkjoin(ntasks)` | recursive halving with `join` | `juliaset_recspawn!` |
//! | `rayon(basesize)` | parallel iterator, pieces ≥ basesize | FLoops `ThreadedEx` |
//! | `depthfirst(basesize)` | a FIFO task per basesize chunk | `DepthFirstEx` |
//!
//! All run on the same [`Pool`], built once, so no timed run starts threads.
//! Every schedule gives the serial image exactly, for every `n ≥ 1` and any
//! number of threads, also more threads than columns. Bad parameters (zero
//! threads, a zero chunk, `n = 0`, ...) are [`KernelError`] values, never
//! panics.
//!
//! ## What this crate is not
//!
//! It is not a fractal library or a general scheduler: the kernels are there
//! to be profiled. It draws nothing (it hands out pixels and RGB bytes; the
//! pictures are `logprof-viz`'s), times nothing (that is the CLI's and the
//! benchmarks' job). Its process-based runs, on MPI ranks, are behind the
//! `mpi` feature (the `processes` module).

pub mod advice;
mod color;
mod error;
pub mod histogram;
pub mod histogram_ranks;
mod julia;
pub mod overheads;
mod pool;
#[cfg(feature = "mpi")]
pub mod processes;
mod runner;
mod schedule;
pub mod sending;
#[cfg(target_arch = "x86_64")]
mod simd;
pub mod simulate;
mod work;

pub use color::{spectral, to_rgb};
pub use error::{Cause, KernelError};
pub use julia::{
    coordinate, iterations_per_block, pixel, Image, Isa, JuliaSet, Kernel, MAX_ITERATIONS, MAX_N,
};
pub use pool::Pool;
pub use runner::{run, run_into, RunOptions};
pub use schedule::{Schedule, ScheduleParam, DEFAULT_BASESIZE, DEFAULT_CHUNK, DEFAULT_NTASKS};
pub use work::{recorded_column_iterations, recorded_column_times, COLUMN_SPAN};
