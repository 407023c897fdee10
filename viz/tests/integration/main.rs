//! The integration tests of logprof-viz, one module a topic, gathered into
//! one test binary (as ripgrep does) so that the crate and its dependencies
//! are linked once: `cargo test -p logprof-viz --test integration`.

mod chart;
mod common;
mod header;
mod html;
mod many_lanes;
mod offcpu;
mod other_tools;
mod png;
mod svg;
mod write;
