//! The persistent worker pool: a fixed set of named worker threads, started
//! once, registered with logprof in order, and reused by every run.
//!
//! This module only owns the workers. It does not know the fractal or the
//! schedules: how columns are cut into pieces is [`Schedule::pieces`]'s job
//! (in `schedule.rs`), and running the fractal under a schedule on these
//! workers is the runner's ([`run`], in `runner.rs`).
//!
//! [`Schedule::pieces`]: crate::Schedule::pieces
//! [`run`]: crate::run

use crate::error::KernelError;

/// A fixed set of worker threads, started once and reused by every run, so
/// that thread start-up is never part of a timed run.
///
/// The workers are named `worker-0`, `worker-1`, ...; these names become the
/// lanes of a recorded trace. Every schedule runs on these workers only: the
/// calling thread waits.
pub struct Pool {
    pool: rayon::ThreadPool,
    threads: usize,
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
    /// than the machine has cores) and gives each a lane in every logprof
    /// trace from now on (`logprof::register_pool`), in index order
    /// (worker-0, worker-1, ...): a worker that gets no work shows idle.
    pub fn new(threads: usize) -> Result<Pool, KernelError> {
        if threads == 0 {
            return Err(KernelError::ZeroThreads);
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("worker-{i}"))
            .build()
            .map_err(KernelError::pool_build)?;
        // Every worker has a lane in every trace, idle or not, in index
        // order (worker-0, worker-1, ...).
        logprof::register_pool(&pool);
        Ok(Pool { pool, threads })
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
}

impl Drop for Pool {
    /// The workers exit after the pool is gone; from now on they get no lane.
    fn drop(&mut self) {
        logprof::release_pool(&self.pool);
    }
}
