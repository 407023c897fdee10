//! The lecture's producer/consumer workers (`RemoteChannel`): a task queue
//! and a result queue, both held by rank 0, which every other rank serves.
//!
//! The queues are a communicator of their own (`MPI_Comm_dup`, as a
//! `RemoteChannel` is set up on its owner), and the workers are told the
//! fractal by an init message they answer when ready (`juliaset_init`).
//! A task is a band of columns; a worker takes the next one when it has
//! put the last one's pixels on the result queue, and rank 0 puts them in
//! place. Two ways, as the lecture's two rows:
//!
//! - per call: the queues and the workers are set up in every call and
//!   stopped at its end (`juliaset_channels`);
//! - persistent: set up and initialised once ([`Workers::start`]), used by
//!   every call, and stopped by a stop message at the very end
//!   ([`Workers::stop`], the lecture's `:stop`).
//!
//! Between two calls a persistent worker waits for its next task, as the
//! lecture's `take!` does; here rank 0 tells it the call is over with an
//! idle message, so that every rank joins the same collective calls in
//! between (MPI is called from one thread per rank).

use std::ops::Range;

use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use logprof::ranks::{receive_into, send};

use super::tags::{QUEUE_IDLE, QUEUE_INIT, QUEUE_READY, QUEUE_RESULT, QUEUE_STOP, QUEUE_TASK};
use super::{cut, Job};
use crate::julia::{Image, JuliaSet, Kernel};

/// Every control message: the init (`n`, the bits of `c`, the kernel) or a
/// task (its first and end column).
type Control = [u64; 4];

/// The queues and the workers initialised on them.
pub(super) struct Workers {
    channels: SimpleCommunicator,
    /// What this rank computes with: rank 0's own, a worker's as told.
    job: Job,
    bands: Vec<Range<usize>>,
}

impl Workers {
    /// Sets up the queues and initialises every worker with the fractal;
    /// collective over `world`. `np` bands make the tasks.
    pub(super) fn start(world: &SimpleCommunicator, job: &Job, np: usize) -> Workers {
        let channels = {
            let _span = logprof::scope!("MPI_Comm_dup");
            world.duplicate()
        };
        let job = match channels.rank() {
            0 => {
                let init = init_message(job);
                for worker in 1..channels.size() {
                    send(&channels, worker as u32, QUEUE_INIT, &init[..]);
                }
                let mut ready = 0u64;
                for _ in 1..channels.size() {
                    receive_into(&channels, None, Some(QUEUE_READY), |_| {
                        std::slice::from_mut(&mut ready)
                    });
                }
                Job {
                    fractal: job.fractal,
                    kernel: job.kernel,
                }
            }
            _ => {
                let mut init = Control::default();
                receive_into(&channels, Some(0), Some(QUEUE_INIT), |_| &mut init[..]);
                send(&channels, 0, QUEUE_READY, &[0u64]);
                job_from(&init)
            }
        };
        let bands = cut(job.fractal.n, np.max(1));
        Workers {
            channels,
            job,
            bands,
        }
    }

    /// One image: rank 0 puts the tasks and takes the results, the workers
    /// compute until the call is over; the image on rank 0. Collective.
    pub(super) fn compute(&mut self) -> Option<Image> {
        if self.channels.rank() != 0 {
            self.serve_tasks();
            return None;
        }
        let mut image = Image::new(self.job.fractal.n).ok()?;
        let workers = self.channels.size() as usize - 1;
        if workers == 0 {
            for cols in &self.bands {
                self.job
                    .band(cols.clone(), self.job.slice(&mut image, cols));
            }
            return Some(image);
        }
        let mut assigned = vec![0; workers + 1];
        let mut next = 0;
        let mut busy = 0;
        for worker in 1..=workers {
            busy += usize::from(self.put_task(worker, &mut assigned, &mut next));
        }
        while busy > 0 {
            let (job, bands) = (&self.job, &self.bands);
            let status = receive_into(&self.channels, None, Some(QUEUE_RESULT), |status| {
                job.slice(&mut image, &bands[assigned[status.source_rank() as usize]])
            });
            let worker = status.source_rank() as usize;
            busy -= 1;
            busy += usize::from(self.put_task(worker, &mut assigned, &mut next));
        }
        Some(image)
    }

    /// Stops every worker with a stop message, each answering with its own
    /// on the result queue; collective. The queues are freed after.
    pub(super) fn stop(self) {
        let _span = logprof::scope!("stop workers");
        if self.channels.rank() == 0 {
            for worker in 1..self.channels.size() {
                send(
                    &self.channels,
                    worker as u32,
                    QUEUE_STOP,
                    &Control::default()[..],
                );
            }
            let mut stopped = Control::default();
            for _ in 1..self.channels.size() {
                receive_into(&self.channels, None, Some(QUEUE_STOP), |_| &mut stopped[..]);
            }
        } else {
            let mut stop = Control::default();
            let status = receive_into(&self.channels, Some(0), None, |_| &mut stop[..]);
            // A worker is only stopped between calls, when it waits for this.
            debug_assert_eq!(status.tag(), QUEUE_STOP);
            send(&self.channels, 0, QUEUE_STOP, &stop[..]);
        }
    }

    /// Rank 0: the next task to `worker`, or the end of the call when none
    /// is left; true when it got a task.
    fn put_task(&self, worker: usize, assigned: &mut [usize], next: &mut usize) -> bool {
        let to = worker as u32;
        let Some(cols) = self.bands.get(*next) else {
            send(&self.channels, to, QUEUE_IDLE, &Control::default()[..]);
            return false;
        };
        assigned[worker] = *next;
        *next += 1;
        let task: Control = [cols.start as u64, cols.end as u64, 0, 0];
        send(&self.channels, to, QUEUE_TASK, &task[..]);
        true
    }

    /// A worker: takes tasks and puts their pixels on the result queue
    /// until rank 0 says the call is over.
    fn serve_tasks(&self) {
        loop {
            let mut task = Control::default();
            let status = receive_into(&self.channels, Some(0), None, |_| &mut task[..]);
            if status.tag() != QUEUE_TASK {
                return;
            }
            let n = self.job.fractal.n;
            let (start, end) = (task[0] as usize, (task[1] as usize).min(n));
            let pixels = self.job.new_band(start.min(end)..end);
            send(&self.channels, 0, QUEUE_RESULT, &pixels[..]);
        }
    }
}

/// The fractal and kernel a worker is initialised with.
fn init_message(job: &Job) -> Control {
    let kernel = match job.kernel {
        Kernel::Scalar => 0,
        Kernel::Simd => 1,
    };
    [
        job.fractal.n as u64,
        job.fractal.c_re.to_bits(),
        job.fractal.c_im.to_bits(),
        kernel,
    ]
}

/// What an init message tells a worker.
fn job_from(init: &Control) -> Job {
    Job {
        fractal: JuliaSet {
            n: init[0] as usize,
            c_re: f64::from_bits(init[1]),
            c_im: f64::from_bits(init[2]),
        },
        kernel: match init[3] {
            0 => Kernel::Scalar,
            _ => Kernel::Simd,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_is_told_the_fractal_and_kernel_exactly() {
        for kernel in [Kernel::Scalar, Kernel::Simd] {
            let job = Job {
                fractal: JuliaSet::new(123, -0.79, 0.15).unwrap(),
                kernel,
            };
            let told = job_from(&init_message(&job));
            assert_eq!(told.fractal, job.fractal);
            assert_eq!(told.kernel, job.kernel);
        }
    }
}
