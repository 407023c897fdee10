//! Recording end to end: the recorder, its API, the clocks, off-CPU time,
//! Chrome JSON of what was recorded, and the integrations behind features.
//! One test binary for all of them (each module was a binary of its own).
//!
//! The recorder is global per process: every test that records takes
//! `support::slate::lock()` first, so they run one at a time.

mod api;
mod chrome;
mod instant_clock;
mod offcpu;
#[cfg(feature = "rayon")]
mod rayon_pool;
mod recorder;
mod regions;
mod stream;
mod stress;
mod support;
#[cfg(feature = "tracing")]
mod tracing_layer;
