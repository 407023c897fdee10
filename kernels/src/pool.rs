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

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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
    /// The logprof recording the workers were last registered with.
    registered_for: AtomicU64,
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
        let turn = AtomicUsize::new(0);
        pool.broadcast(|ctx| {
            while turn.load(Ordering::Acquire) != ctx.index() {
                std::thread::yield_now();
            }
            logprof::register_thread();
            turn.fetch_add(1, Ordering::Release);
        });
        Ok(Pool {
            pool,
            threads,
            registered_for: AtomicU64::new(logprof::recording_id()),
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
    /// as idle, which is the truth). [`run`](crate::run) does this when recording.
    ///
    /// Waking every worker costs tens of microseconds, so it is done only
    /// when the recording changed (a `logprof::clear` and the like) since
    /// the last registration.
    pub fn register_lanes(&self) {
        let current = logprof::recording_id();
        let last = self.registered_for.swap(current, Ordering::AcqRel);
        if last != current {
            self.pool.broadcast(|_| logprof::register_thread());
        }
    }
}
