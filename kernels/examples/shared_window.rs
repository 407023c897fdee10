//! Checks the shared-memory window and every process experiment on real
//! MPI ranks. Run under MPI (CI runs it with 2 and 4 ranks):
//!
//! ```sh
//! cargo build -p logprof-kernels --features mpi --example shared_window
//! mpirun -n 4 target/debug/examples/shared_window
//! ```
//!
//! The checks (a failed one panics, which aborts every rank):
//! - every rank writes its own bytes into one window; after the fence every
//!   rank, not only rank 0, reads all ranks' bytes (the segment is shared);
//! - windows allocated and freed many times in a row stay consistent;
//! - every experiment, run through [`processes::run`] and prepared once and
//!   run three times, gives the serial image, also for images with fewer
//!   columns than bands or ranks.

use logprof::ranks::Ranks;
use logprof_kernels::processes::window::{node_of, SharedWindow};
use logprof_kernels::processes::{self, Experiment, Sharing};
use logprof_kernels::{JuliaSet, Kernel};
use mpi::traits::*;

/// Bytes each rank writes into the shared window.
const PER_RANK: usize = 1000;

fn main() {
    let ranks = Ranks::init().unwrap_or_else(|e| panic!("{e}"));
    logprof::init_buffer(1 << 16);
    let world = ranks.world();
    let size = world.size() as usize;
    let node = node_of(world).unwrap_or_else(|e| panic!("{e}"));
    let mut window = SharedWindow::allocate(node, size * PER_RANK).expect("window");
    let rank = world.rank() as usize;
    window.fence();
    // SAFETY: each rank writes its own `PER_RANK` bytes between the two
    // fences, and every rank reads after the second, when none writes.
    unsafe { window.write(rank * PER_RANK, &pattern(rank)) };
    window.fence();
    let mut all = vec![0; size * PER_RANK];
    // SAFETY: as above: after the fence, no rank writes.
    unsafe { window.read(&mut all) };
    for r in 0..size {
        assert_eq!(
            all[r * PER_RANK..(r + 1) * PER_RANK],
            pattern(r)[..],
            "rank {rank} does not see rank {r}'s bytes"
        );
    }
    drop(window);
    for round in 0..50 {
        let node = node_of(world).expect("node");
        let mut window = SharedWindow::allocate(node, size).expect("window");
        window.fence();
        // SAFETY: each rank writes its own byte between the two fences.
        unsafe { window.write(rank, &[round as u8 ^ rank as u8]) };
        window.fence();
        let mut bytes = vec![0; size];
        // SAFETY: after the fence; the window is dropped before any rank
        // writes again.
        unsafe { window.read(&mut bytes) };
        let expected: Vec<u8> = (0..size).map(|r| round as u8 ^ r as u8).collect();
        assert_eq!(bytes, expected, "round {round}");
    }
    let experiments = [
        Experiment::Bands,
        Experiment::Pmap { np: 16 },
        Experiment::Shared(Sharing::PerCall),
        Experiment::Shared(Sharing::Preallocated),
        Experiment::Shared(Sharing::OnDemand { np: 16 }),
        Experiment::Shared(Sharing::OnDemand { np: 1 }),
        Experiment::Channels {
            persistent: false,
            np: 3,
        },
        Experiment::Channels {
            persistent: true,
            np: 16,
        },
    ];
    for n in [1, 3, 40] {
        let fractal = JuliaSet::with_size(n).expect("size");
        let serial = fractal.compute(Kernel::Scalar).expect("serial");
        for experiment in experiments {
            let once = processes::run(world, experiment, &fractal, Kernel::Scalar).expect("run");
            let mut prepared = experiment
                .prepare(world, &fractal, Kernel::Scalar)
                .expect("prepare");
            let images: Vec<_> = (0..3).map(|_| prepared.run().expect("run")).collect();
            prepared.finish();
            if rank == 0 {
                let name = experiment.name();
                assert!(
                    once == Some(serial.clone()),
                    "{name}, n = {n}: not the serial image"
                );
                for image in images {
                    assert!(
                        image == Some(serial.clone()),
                        "{name}, n = {n}: prepared run"
                    );
                }
            } else {
                assert!(once.is_none() && images.iter().all(Option::is_none));
            }
        }
    }
    world.barrier();
    if rank == 0 {
        println!(
            "shared_window: {size} ranks: the window and every experiment gave the serial image"
        );
    }
}

/// The bytes rank `r` writes.
fn pattern(r: usize) -> Vec<u8> {
    (0..PER_RANK).map(|i| (i * 7 + r * 13) as u8).collect()
}
