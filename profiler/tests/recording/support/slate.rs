//! The recorder is global per process: tests that record take [`lock`]
//! first, and start from [`fresh`].

use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

/// The lock every recording test of this binary holds. Taking it also turns
/// recording on and drops the filters: the modules of this binary were
/// binaries of their own, and some of their tests record without calling
/// [`fresh`], so nothing another module's test left set may reach them.
pub fn lock() -> std::sync::MutexGuard<'static, ()> {
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    logprof::set_enabled(true);
    logprof::reset_filters();
    guard
}

/// A clean slate: recording on, no filters, a fresh ring size.
pub fn fresh(events_per_thread: usize) {
    logprof::set_enabled(true);
    logprof::reset_filters();
    logprof::init_buffer(events_per_thread);
}
