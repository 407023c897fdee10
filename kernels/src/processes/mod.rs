//! The lecture's process-level Julia set, on MPI ranks (the `mpi` feature).
//!
//! Rank 0 is the lecture's main process: it assembles the image. Two ways
//! to share the columns out, as the lecture's section on processes does:
//!
//! - [`Experiment::Bands`]: one band of columns per rank, rank 0's own
//!   included; every other rank sends its band back and rank 0 puts them
//!   side by side (`@spawnat` + `fetch` + `reduce(hcat, …)`);
//! - [`Experiment::Pmap`]: the columns cut into `np` bands that rank 0
//!   hands out on demand to the other ranks, one at a time, as each sends
//!   its last one back (`pmap`); rank 0 only serves (with a single rank it
//!   computes every band itself).
//!
//! - [`Experiment::Shared`]: the ranks write their columns into an MPI
//!   shared-memory window (`SharedArray`; `shared.rs` over [`window`]);
//! - [`Experiment::Channels`]: a task queue and a result queue served by
//!   rank 0 (`RemoteChannel`; `queue.rs`).
//!
//! An experiment that keeps something between calls (a preallocated
//! window, persistent workers) is [`Experiment::prepare`]d once and
//! [`Prepared::run`] many times; [`run`] is one call of a fresh one.
//!
//! Every column is one recorded `juliaset_column` call, and every message
//! goes through [`logprof::ranks::send`] and [`logprof::ranks::receive_into`],
//! which record the time inside MPI as `MPI_Send` and `MPI_Recv` spans
//! (category `mpi`) with the message's key (over the world, the window's
//! node or the queues' communicator; one tag per use, listed in `tags.rs`),
//! so a merged trace
//! ([`logprof::ranks`]) shows who computed and who waited, with an arrow per
//! message. Every experiment gives the serial image exactly.

use std::ops::Range;

use logprof::ranks;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::error::KernelError;
use crate::julia::{Image, JuliaSet, Kernel};
use crate::schedule::Schedule;

mod queue;
mod shared;
mod tags;
pub mod window;

pub use shared::Sharing;

/// One way of sharing the columns out over the ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Experiment {
    /// One band per rank, sent back to rank 0 (`@spawnat`, `fetch`, `hcat`).
    Bands,
    /// `np` bands handed out on demand by rank 0 (`pmap`).
    Pmap {
        /// How many bands the columns are cut into (at least 1).
        np: usize,
    },
    /// The ranks write into a shared-memory window (`SharedArray`); every
    /// rank must be on one node ([`window::node_of`]).
    Shared(Sharing),
    /// Task and result queues served by rank 0 (`RemoteChannel`).
    Channels {
        /// Workers set up once and stopped at the end, or in every call.
        persistent: bool,
        /// How many bands (tasks) the columns are cut into (at least 1).
        np: usize,
    },
}

impl Experiment {
    /// `bands`, `pmap(np=N)`, `shared(per call)`, `channels(persistent)`...
    pub fn name(&self) -> String {
        match self {
            Experiment::Bands => "bands".into(),
            Experiment::Pmap { np } => format!("pmap(np={np})"),
            Experiment::Shared(Sharing::PerCall) => "shared(per call)".into(),
            Experiment::Shared(Sharing::Preallocated) => "shared(preallocated)".into(),
            Experiment::Shared(Sharing::OnDemand { np }) => format!("shared pmap(np={np})"),
            Experiment::Channels { persistent, .. } => match persistent {
                false => "channels(per call)".into(),
                true => "channels(persistent)".into(),
            },
        }
    }

    /// Sets up what the experiment keeps between calls: the preallocated
    /// window, the persistent workers (`juliaset_init`). Collective: every
    /// rank calls it with the same arguments.
    pub fn prepare<'w>(
        self,
        world: &'w SimpleCommunicator,
        fractal: &JuliaSet,
        kernel: Kernel,
    ) -> Result<Prepared<'w>, KernelError> {
        fractal.validate()?;
        let job = Job {
            fractal: *fractal,
            kernel,
        };
        let held = match self {
            Experiment::Shared(Sharing::Preallocated | Sharing::OnDemand { .. }) => {
                let node = window::node_of(world)?;
                Held::Window(window::SharedWindow::allocate(node, fractal.n * fractal.n)?)
            }
            Experiment::Shared(Sharing::PerCall) => {
                // Checked here too, so that no call fails half-way.
                window::node_of(world)?;
                Held::Nothing
            }
            Experiment::Channels {
                persistent: true,
                np,
            } => Held::Workers(queue::Workers::start(world, &job, np)),
            _ => Held::Nothing,
        };
        Ok(Prepared {
            world,
            experiment: self,
            job,
            held,
        })
    }
}

/// An experiment with what it keeps between calls; [`Prepared::finish`]
/// ends it on every rank at the same point.
pub struct Prepared<'w> {
    world: &'w SimpleCommunicator,
    experiment: Experiment,
    job: Job,
    held: Held,
}

/// What a prepared experiment keeps.
enum Held {
    Nothing,
    Window(window::SharedWindow),
    Workers(queue::Workers),
}

impl Prepared<'_> {
    /// The experiment.
    pub fn experiment(&self) -> Experiment {
        self.experiment
    }

    /// One call: the image on rank 0, `None` on the others. Collective.
    pub fn run(&mut self) -> Result<Option<Image>, KernelError> {
        let (world, job) = (self.world, &self.job);
        Ok(match (self.experiment, &mut self.held) {
            (Experiment::Bands, _) => bands(world, job),
            (Experiment::Pmap { np }, _) => pmap(world, job, np.max(1)),
            (Experiment::Shared(sharing), held) => {
                let mut per_call;
                let window = match held {
                    Held::Window(window) => window,
                    // Not preallocated: this call's own, freed at its end.
                    _ => {
                        let n = job.fractal.n;
                        per_call = window::SharedWindow::allocate(window::node_of(world)?, n * n)?;
                        &mut per_call
                    }
                };
                match sharing {
                    Sharing::OnDemand { np } => shared::on_demand(window, job, np),
                    _ => shared::static_bands(window, job),
                }
            }
            (Experiment::Channels { .. }, Held::Workers(workers)) => workers.compute(),
            (Experiment::Channels { np, .. }, _) => {
                let mut workers = queue::Workers::start(world, job, np);
                let image = workers.compute();
                workers.stop();
                image
            }
        })
    }

    /// Stops the persistent workers (the stop message) and frees the
    /// window. Collective.
    pub fn finish(self) {
        if let Held::Workers(workers) = self.held {
            workers.stop();
        }
    }
}

/// Runs `experiment` over the ranks of `world`; collective: every rank
/// calls it with the same arguments. The image on rank 0, `None` on the
/// others.
pub fn run(
    world: &SimpleCommunicator,
    experiment: Experiment,
    fractal: &JuliaSet,
    kernel: Kernel,
) -> Result<Option<Image>, KernelError> {
    let mut prepared = experiment.prepare(world, fractal, kernel)?;
    let image = prepared.run()?;
    prepared.finish();
    Ok(image)
}

/// What every rank computes with.
struct Job {
    fractal: JuliaSet,
    kernel: Kernel,
}

impl Job {
    /// Columns `cols` into `out` (`n` pixels a column), each a recorded
    /// `juliaset_column` call carrying its column and, as its result, its
    /// iterations (as the threaded runs record them).
    fn band(&self, cols: Range<usize>, out: &mut [u8]) {
        let n = self.fractal.n;
        for (j, column) in cols.zip(out.chunks_exact_mut(n)) {
            logprof::record_fn!(juliaset_column(&self.fractal, column, j, self.kernel);
                j => |_| crate::work::column_iterations(column));
        }
    }

    /// Columns `cols` into a new buffer, as a worker returns them.
    fn new_band(&self, cols: Range<usize>) -> Vec<u8> {
        let mut out = vec![0; cols.len() * self.fractal.n];
        self.band(cols, &mut out);
        out
    }

    /// The pixels of columns `cols` in a column-major image.
    fn slice<'i>(&self, image: &'i mut Image, cols: &Range<usize>) -> &'i mut [u8] {
        let n = self.fractal.n;
        &mut image.as_bytes_mut()[cols.start * n..cols.end * n]
    }
}

/// One column; the unit of work every trace shows.
fn juliaset_column(fractal: &JuliaSet, column: &mut [u8], j: usize, kernel: Kernel) {
    // Sizes were checked when the image and the band were made.
    let _ = fractal.compute_column(column, j, kernel);
}

/// `np` equal bands of the `n` columns, as `@threads :static` cuts them.
fn cut(n: usize, np: usize) -> Vec<Range<usize>> {
    let mut bands = Schedule::Static.pieces(n, np).unwrap_or_default();
    bands.resize(np, n..n);
    bands
}

fn bands(world: &SimpleCommunicator, job: &Job) -> Option<Image> {
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let bands = cut(job.fractal.n, size);
    if rank != 0 {
        let band = job.new_band(bands[rank].clone());
        ranks::send(world, 0, tags::BAND, &band[..]);
        return None;
    }
    let mut image = Image::new(job.fractal.n).ok()?;
    job.band(bands[0].clone(), job.slice(&mut image, &bands[0]));
    for (r, cols) in bands.iter().enumerate().skip(1) {
        let into = job.slice(&mut image, cols);
        ranks::receive_into(world, Some(r as u32), Some(tags::BAND), |_| into);
    }
    Some(image)
}

fn pmap(world: &SimpleCommunicator, job: &Job, np: usize) -> Option<Image> {
    let bands = cut(job.fractal.n, np);
    if world.rank() != 0 {
        pmap_worker(world, job, &bands);
        return None;
    }
    let mut image = Image::new(job.fractal.n).ok()?;
    let workers = world.size() as usize - 1;
    if workers == 0 {
        for cols in &bands {
            job.band(cols.clone(), job.slice(&mut image, cols));
        }
        return Some(image);
    }
    let mut server = Server {
        bands: &bands,
        assigned: vec![usize::MAX; workers + 1],
        next: 0,
    };
    let mut busy = 0;
    for worker in 1..=workers {
        busy += usize::from(server.hand_out(world, worker));
    }
    while busy > 0 {
        // Whoever finished first; its band straight into place.
        let status = ranks::receive_into(world, None, Some(tags::BAND), |status| {
            let cols = &bands[server.assigned[status.source_rank() as usize]];
            job.slice(&mut image, cols)
        });
        let worker = status.source_rank() as usize;
        busy -= 1;
        busy += usize::from(server.hand_out(world, worker));
    }
    Some(image)
}

/// Rank 0 of [`pmap`]: which band each worker computes, which comes next.
struct Server<'b> {
    bands: &'b [Range<usize>],
    assigned: Vec<usize>,
    next: usize,
}

impl Server<'_> {
    /// Sends `worker` the next band, or the stop message when none is left;
    /// true when it got a band.
    fn hand_out(&mut self, world: &SimpleCommunicator, worker: usize) -> bool {
        let to = worker as u32;
        if self.next >= self.bands.len() {
            ranks::send(world, to, tags::STOP, &[0u64]);
            return false;
        }
        self.assigned[worker] = self.next;
        ranks::send(world, to, tags::WORK, &[self.next as u64]);
        self.next += 1;
        true
    }
}

/// A worker of [`pmap`]: computes the bands it is handed until told to stop.
fn pmap_worker(world: &SimpleCommunicator, job: &Job, bands: &[Range<usize>]) {
    loop {
        let mut band = 0u64;
        let status = ranks::receive_into(world, Some(0), None, |_| std::slice::from_mut(&mut band));
        if status.tag() == tags::STOP {
            return;
        }
        let Some(cols) = bands.get(band as usize) else {
            return;
        };
        let pixels = job.new_band(cols.clone());
        ranks::send(world, 0, tags::BAND, &pixels[..]);
    }
}
