//! Races that cannot hang: threads that run until told to stop, told also
//! when the test body panics and when a deadline passes.
//!
//! A race test spawns threads that loop `while !stop` inside
//! `std::thread::scope`. If the body panics (a failed assertion) before it
//! sets `stop`, the scope waits for those threads forever: the test hangs
//! instead of failing. [`Stop::race`] sets the flag from a drop guard, which
//! runs while a panic unwinds, and a watchdog sets it when the deadline
//! passes, after which the race fails.
//!
//! ```ignore
//! let stop = race::Stop::new(Duration::from_secs(60));
//! stop.race(|s| {
//!     stop.spawn(s, "worker", || while !stop.should_stop() { work() });
//!     assert!(check()); // a failure here stops "worker" as it unwinds
//! });
//! ```

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

/// The stop signal of one race, shared by its threads.
pub struct Stop {
    /// How long the race may run.
    deadline: Duration,
    /// Polled by the racing threads: cheap, no lock.
    flag: AtomicBool,
    /// Set when the watchdog stopped the race because the deadline passed.
    timed_out: AtomicBool,
    /// `flag` again, under a lock, for the watchdog to wait on.
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Stop {
    /// The signal for one race that fails if it runs longer than
    /// `deadline`.
    pub fn new(deadline: Duration) -> Stop {
        Stop {
            deadline,
            flag: AtomicBool::new(false),
            timed_out: AtomicBool::new(false),
            stopped: Mutex::new(false),
            wake: Condvar::new(),
        }
    }

    /// Whether the racing threads should stop: the body is done or
    /// panicked, a racing thread panicked, or the deadline passed.
    pub fn should_stop(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// Tells every racing thread to stop (idempotent).
    pub fn stop(&self) {
        self.flag.store(true, Ordering::Relaxed);
        *self.stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Whether the deadline passed before the race ended.
    pub fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::Relaxed)
    }

    /// Runs `body` inside a thread scope whose threads poll this signal.
    ///
    /// When `body` returns or panics, the race is stopped and the scope joins
    /// its threads; a panic of the body (or of a racing thread) then fails
    /// the caller. A watchdog stops the race when the deadline passes, and
    /// the race then fails with "race deadline", so a thread that never sees
    /// the end of the body still stops. Every loop in `body` must poll
    /// [`Stop::should_stop`] too, for the deadline to end it.
    pub fn race<'env, R>(
        &'env self,
        body: impl for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> R,
    ) -> R {
        let deadline_at = Instant::now() + self.deadline;
        let result = catch_unwind(AssertUnwindSafe(|| {
            std::thread::scope(|s| {
                s.spawn(move || self.wait_until_stopped_or(deadline_at));
                let _guard = StopOnDrop(self);
                body(s)
            })
        }));
        if self.timed_out() {
            panic!(
                "race deadline of {:?} passed{}",
                self.deadline,
                if result.is_err() {
                    " (and it panicked)"
                } else {
                    ""
                }
            );
        }
        result.unwrap_or_else(|panic| resume_unwind(panic))
    }

    /// Spawns a racing thread named `name` that runs `f`; if `f` panics,
    /// the race is stopped so the others do not wait for it forever.
    pub fn spawn<'scope, 'env, T: Send + 'scope>(
        &'env self,
        scope: &'scope Scope<'scope, 'env>,
        name: &str,
        f: impl FnOnce() -> T + Send + 'scope,
    ) -> ScopedJoinHandle<'scope, T> {
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn_scoped(scope, move || {
                let _guard = StopOnPanic(self);
                f()
            })
            .expect("spawn a racing thread")
    }

    /// Waits until the race is stopped; the watchdog's side.
    fn wait_until_stopped_or(&self, deadline: Instant) {
        let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        while !*stopped {
            let now = Instant::now();
            if now >= deadline {
                drop(stopped);
                self.timed_out.store(true, Ordering::Relaxed);
                self.stop();
                return;
            }
            stopped = self
                .wake
                .wait_timeout(stopped, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Stops the race when dropped: at the end of the body, normally or while
/// its panic unwinds.
struct StopOnDrop<'a>(&'a Stop);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Stops the race when dropped during a panic of a racing thread.
struct StopOnPanic<'a>(&'a Stop);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}
