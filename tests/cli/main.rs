//! End-to-end tests of the `logprof` binary, one module a topic, gathered
//! into one test binary (as ripgrep does) so that the crate and its
//! dependencies are linked once: `cargo test -p logprof-cli --test cli`.
//! Real runs at small sizes, their files checked against each other, and
//! every error path. (The MPI commands are in `tests/mpi`, behind the `mpi`
//! feature; the off-CPU acceptance is alone in `tests/offcpu_acceptance.rs`,
//! as its timings need a quiet process.)

mod support;

mod bad_input;
mod big_file;
mod compare;
mod convert;
mod endings;
mod help;
mod histogram;
mod html;
mod limits;
mod merge;
mod other_tools;
mod output_dir;
mod phases;
mod report;
mod report_ranks;
mod run;
mod simulate;
mod sweep;
mod work;
