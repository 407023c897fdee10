//! The lecture's three `SharedArray` rows on an MPI shared-memory window
//! ([`SharedWindow`]): the ranks write their columns straight into one
//! image that all of them map, so no pixel is sent.
//!
//! - [`Sharing::PerCall`]: the window allocated in every call, each rank
//!   writing its static band (`SharedArray` + `@distributed for`);
//! - [`Sharing::Preallocated`]: the same into a window allocated once and
//!   reused by every call (`juliaset_shared!(img, …)`);
//! - [`Sharing::OnDemand`]: a preallocated window and `np` bands that
//!   rank 0 hands out on demand (`pmap` over a `SharedArray`). The counter
//!   is rank 0 itself: a worker that finished a band tells rank 0 with a
//!   small message and gets the next band's number back, exactly as in
//!   [`Experiment::Pmap`](super::Experiment::Pmap), so the two rows differ
//!   only in where the pixels go (a message against the window). An
//!   atomic fetch-and-add on a window would let rank 0 compute too, but
//!   then this row would measure two changes at once.
//!
//! Rank 0 copies the window into its image at the end: the image it
//! returns is the serial one.

use std::ops::Range;

use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use logprof::ranks::{receive_into, send};

use super::tags::{SHARED_DONE, SHARED_STOP, SHARED_WORK};
use super::window::SharedWindow;
use super::{cut, Job};
use crate::julia::Image;

/// Where the shared image comes from and how its columns are shared out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// A window allocated per call; one static band per rank.
    PerCall,
    /// A window allocated once, reused; one static band per rank.
    Preallocated,
    /// A window allocated once, reused; `np` bands handed out on demand.
    OnDemand {
        /// How many bands the columns are cut into (at least 1).
        np: usize,
    },
}

/// One static band per rank of the window's node, rank 0's included, each
/// written into the window; the image on rank 0. Collective.
pub(super) fn static_bands(window: &mut SharedWindow, job: &Job) -> Option<Image> {
    let (rank, size) = (window.node().rank(), window.node().size());
    let bands = cut(job.fractal.n, size as usize);
    // No rank writes before rank 0 has read the last call's image.
    window.fence();
    write_columns(window, job, bands[rank as usize].clone());
    window.fence();
    assemble(window, job, rank)
}

/// `np` bands handed out by rank 0 to the other ranks of the window's node,
/// each written into the window; the image on rank 0. Collective.
pub(super) fn on_demand(window: &mut SharedWindow, job: &Job, np: usize) -> Option<Image> {
    let bands = cut(job.fractal.n, np.max(1));
    let rank = window.node().rank();
    window.fence();
    if rank != 0 {
        worker(window, job, &bands);
    } else if window.node().size() == 1 {
        for cols in &bands {
            write_columns(window, job, cols.clone());
        }
    } else {
        serve(window.node(), bands.len());
    }
    window.fence();
    assemble(window, job, rank)
}

/// Rank 0 of [`on_demand`]: hands each worker the next band's number when
/// it reports the last one done, and a stop when none is left.
fn serve(node: &SimpleCommunicator, bands: usize) {
    let mut next = 0;
    let mut busy = 0;
    let hand_out = |worker: i32, next: &mut usize| -> bool {
        let to = worker as u32;
        if *next >= bands {
            send(node, to, SHARED_STOP, &[0u64]);
            return false;
        }
        send(node, to, SHARED_WORK, &[*next as u64]);
        *next += 1;
        true
    };
    for worker in 1..node.size() {
        busy += usize::from(hand_out(worker, &mut next));
    }
    while busy > 0 {
        let mut done = 0u64;
        let status = receive_into(node, None, Some(SHARED_DONE), |_| {
            std::slice::from_mut(&mut done)
        });
        busy -= 1;
        busy += usize::from(hand_out(status.source_rank(), &mut next));
    }
}

/// A worker of [`on_demand`]: writes the bands it is handed into the window
/// until told to stop.
fn worker(window: &mut SharedWindow, job: &Job, bands: &[Range<usize>]) {
    loop {
        let mut band = 0u64;
        let status = receive_into(window.node(), Some(0), None, |_| {
            std::slice::from_mut(&mut band)
        });
        if status.tag() != SHARED_WORK {
            return;
        }
        let Some(cols) = bands.get(band as usize) else {
            return;
        };
        write_columns(window, job, cols.clone());
        send(window.node(), 0, SHARED_DONE, &[band]);
    }
}

/// Columns `cols`, each computed (a recorded `juliaset_column`) and written
/// into its place in the window.
fn write_columns(window: &mut SharedWindow, job: &Job, cols: Range<usize>) {
    let n = job.fractal.n;
    let mut column = vec![0; n];
    for j in cols {
        job.band(j..j + 1, &mut column);
        // SAFETY: column `j` is this rank's alone: static bands and the
        // bands rank 0 hands out never share a column, and rank 0 reads
        // the window only after the closing fence.
        unsafe { window.write(j * n, &column) };
    }
}

/// Rank 0's copy of the window as an image, after the closing fence.
fn assemble(window: &SharedWindow, job: &Job, rank: i32) -> Option<Image> {
    if rank != 0 {
        return None;
    }
    let mut image = Image::new(job.fractal.n).ok()?;
    // SAFETY: called after the closing fence; no rank writes the window
    // again before the next run's opening fence.
    unsafe { window.read(image.as_bytes_mut()) };
    Some(image)
}
