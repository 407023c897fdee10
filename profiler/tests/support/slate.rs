//! The recorder is global per process: tests that record take [`lock`]
//! first, and start from [`fresh`].

use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

/// The lock every recording test of this binary holds.
pub fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A clean slate: recording on, no filters, a fresh ring size.
pub fn fresh(events_per_thread: usize) {
    logprof::set_enabled(true);
    logprof::reset_filters();
    logprof::init_buffer(events_per_thread);
}
