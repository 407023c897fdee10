//! A per-thread flag that keeps logprof's cold paths from re-entering
//! themselves.
//!
//! The cold paths (registering a thread or a call site, `collect`,
//! `init_buffer`, filter changes) take locks and allocate. If the global
//! allocator itself records (a natural way to profile allocations), an
//! allocation made while one of those locks is held would come back into
//! logprof and wait for the same lock on the same thread: a deadlock. So
//! every cold path runs under a [`ColdGuard`]; a record that would need a
//! cold path while the guard is held is dropped instead. The hot path never
//! looks at the flag.

use std::cell::Cell;

thread_local! {
    static IN_COLD_PATH: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as inside a cold path until dropped.
pub(crate) struct ColdGuard {
    /// Whether this guard set the flag (an outer guard may have).
    owner: bool,
}

impl ColdGuard {
    /// Enters a cold path; `None` if this thread is already inside one.
    pub(crate) fn try_enter() -> Option<ColdGuard> {
        let busy = IN_COLD_PATH.with(|f| f.replace(true));
        // `then`, not `then_some`: a guard built and dropped would clear the flag.
        (!busy).then(|| ColdGuard { owner: true })
    }

    /// Enters a cold path whether or not one is already running (for public
    /// functions, which must work when called from inside each other).
    pub(crate) fn enter() -> ColdGuard {
        let busy = IN_COLD_PATH.with(|f| f.replace(true));
        ColdGuard { owner: !busy }
    }
}

impl Drop for ColdGuard {
    fn drop(&mut self) {
        if self.owner {
            IN_COLD_PATH.with(|f| f.set(false));
        }
    }
}
