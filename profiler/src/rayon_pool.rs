//! Whole rayon pools on the timeline (cargo feature `rayon`).
//!
//! A worker that never gets work records nothing, so without help it has no
//! lane and the trace shows less imbalance than there was. One call here
//! gives every worker of a pool a lane in every trace collected from then
//! on ([`keep_lane`]), busy or idle.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::recorder::{keep_lane, release_lane};

/// Gives every worker of `pool` a lane in every trace [`collect`]ed from now
/// on, an idle one when it recorded nothing; call it once, after building
/// the pool. Workers not yet known to logprof are registered in index order,
/// so their lanes read in that order.
///
/// ```
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
/// logprof::register_pool(&pool);
/// logprof::init_buffer(1 << 10);
/// pool.install(|| { let _s = logprof::scope!("only one item"); });
/// let trace = logprof::collect();
/// assert_eq!(trace.lanes.len(), 4); // 3 of them idle
/// assert_eq!(trace.span_count(), 1);
/// ```
///
/// [`collect`]: crate::collect
pub fn register_pool(pool: &rayon::ThreadPool) {
    let turn = AtomicUsize::new(0);
    pool.broadcast(|ctx| in_turn(&turn, ctx.index()));
}

/// Undoes [`register_pool`]: the workers of `pool` get lanes only in
/// recordings they record in. Call it before dropping a pool whose workers
/// should not be counted any more: rayon lets them exit after the pool is
/// dropped, and until then a kept lane would still show, idle.
pub fn release_pool(pool: &rayon::ThreadPool) {
    pool.broadcast(|_| release_lane());
}

/// [`register_pool`] for rayon's global pool.
pub fn register_global_pool() {
    let turn = AtomicUsize::new(0);
    rayon::broadcast(|ctx| in_turn(&turn, ctx.index()));
}

/// Keeps the lane of worker `index` once the workers before it have.
fn in_turn(turn: &AtomicUsize, index: usize) {
    while turn.load(Ordering::Acquire) != index {
        std::thread::yield_now();
    }
    keep_lane();
    turn.store(index + 1, Ordering::Release);
}

/// A start handler for `rayon::ThreadPoolBuilder::start_handler` that gives
/// each worker a lane as it starts (lanes then come in start order, not
/// index order; [`register_pool`] orders them):
///
/// ```
/// let pool = rayon::ThreadPoolBuilder::new()
///     .num_threads(2)
///     .start_handler(logprof::start_handler)
///     .build()
///     .unwrap();
/// # drop(pool);
/// ```
pub fn start_handler(_index: usize) {
    keep_lane();
}
