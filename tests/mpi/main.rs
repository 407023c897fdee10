//! The end-to-end tests of the commands that start MPI ranks (`processes`,
//! `sending`, `histogram --ranks`), gathered into one test binary as
//! `tests/cli` is. They need the `mpi` feature and Open MPI's `mpirun` on
//! the PATH; the panicking-rank test also the `test-hooks` feature:
//! `cargo test -p logprof-cli --features mpi,test-hooks --test mpi`.

mod support;

mod mpi_commands;
mod processes;
