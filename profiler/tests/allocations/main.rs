//! Recording allocates nothing on its hot paths: a counting global
//! allocator (`counting_alloc`) watches the recording thread. One test
//! binary for these checks, each of which was a binary of its own.
//!
//! The recorder is global per process, and a test's warm-up must not be
//! another's: every test takes [`lock`] first.

use std::sync::{Mutex, MutexGuard};

mod counting_alloc;
mod no_alloc;
#[cfg(feature = "tracing")]
mod tracing_alloc;

static LOCK: Mutex<()> = Mutex::new(());

/// The lock every test of this binary holds.
fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
