//! Busy work of a known least length, for tests whose spans must last longer
//! than any step of the recording clock.

use std::time::{Duration, Instant};

/// Spins until `Instant` has moved on by 1 ms; returns the spins (so the
/// loop is not optimised away).
pub fn spin_for_a_millisecond() -> u64 {
    let start = Instant::now();
    let mut spins = 0;
    while start.elapsed() < Duration::from_millis(1) {
        spins += 1;
        std::hint::spin_loop();
    }
    spins
}
