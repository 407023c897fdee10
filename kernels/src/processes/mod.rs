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
//! Every column is one recorded `juliaset_column` call, and the time spent
//! inside MPI's sends and receives is recorded as `MPI_Send` and `MPI_Recv`
//! spans, so a merged trace ([`logprof::ranks`]) shows who computed and who
//! waited. Every experiment gives the serial image exactly.

use std::ops::Range;

use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::error::KernelError;
use crate::julia::{Image, JuliaSet, Kernel};
use crate::schedule::Schedule;

/// Tags of the experiments' messages.
const TAG_BAND: i32 = 10;
const TAG_WORK: i32 = 11;
const TAG_STOP: i32 = 12;

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
}

impl Experiment {
    /// `bands` or `pmap(np=N)`.
    pub fn name(&self) -> String {
        match self {
            Experiment::Bands => "bands".into(),
            Experiment::Pmap { np } => format!("pmap(np={np})"),
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
    fractal.validate()?;
    let job = Job {
        fractal: *fractal,
        kernel,
    };
    Ok(match experiment {
        Experiment::Bands => bands(world, &job),
        Experiment::Pmap { np } => pmap(world, &job, np.max(1)),
    })
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
        let _span = logprof::scope!("MPI_Send");
        world.process_at_rank(0).send_with_tag(&band[..], TAG_BAND);
        return None;
    }
    let mut image = Image::new(job.fractal.n).ok()?;
    job.band(bands[0].clone(), job.slice(&mut image, &bands[0]));
    for (r, cols) in bands.iter().enumerate().skip(1) {
        let _span = logprof::scope!("MPI_Recv");
        let into = job.slice(&mut image, cols);
        world
            .process_at_rank(r as i32)
            .receive_into_with_tag(into, TAG_BAND);
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
        let worker = {
            let _span = logprof::scope!("MPI_Recv");
            // Whoever finished first; then its band, straight into place.
            let worker = world.any_process().probe_with_tag(TAG_BAND).source_rank();
            let cols = &bands[server.assigned[worker as usize]];
            world
                .process_at_rank(worker)
                .receive_into_with_tag(job.slice(&mut image, cols), TAG_BAND);
            worker as usize
        };
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
        let _span = logprof::scope!("MPI_Send");
        let to = world.process_at_rank(worker as i32);
        if self.next >= self.bands.len() {
            to.send_with_tag(&0u64, TAG_STOP);
            return false;
        }
        self.assigned[worker] = self.next;
        to.send_with_tag(&(self.next as u64), TAG_WORK);
        self.next += 1;
        true
    }
}

/// A worker of [`pmap`]: computes the bands it is handed until told to stop.
fn pmap_worker(world: &SimpleCommunicator, job: &Job, bands: &[Range<usize>]) {
    let root = world.process_at_rank(0);
    loop {
        let (band, status) = {
            let _span = logprof::scope!("MPI_Recv");
            root.receive::<u64>()
        };
        if status.tag() == TAG_STOP {
            return;
        }
        let Some(cols) = bands.get(band as usize) else {
            return;
        };
        let pixels = job.new_band(cols.clone());
        let _span = logprof::scope!("MPI_Send");
        root.send_with_tag(&pixels[..], TAG_BAND);
    }
}
