//! The integration tests of logprof-kernels, one module a topic, gathered
//! into one test binary (as ripgrep does) so that the crate and its
//! dependencies are linked once: `cargo test -p logprof-kernels --test
//! integration`.
//!
//! The recorded runs are a binary of their own (`tests/recording.rs`): the
//! logprof recorder is global to a process and every `Pool` gives its
//! workers a lane in every trace, so a recording test sharing a process
//! with tests that make pools would find their workers in its traces.

mod histogram;
mod kernel;
mod schedules;
