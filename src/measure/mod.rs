//! The measuring engine: a pool, a workload and its reference image; each
//! schedule timed (warm-up, then timed runs), recorded until a recorded run
//! is typical of the timed ones, and checked.

pub mod recording;
pub mod stats;
pub mod timing;

use anyhow::{Context, Result};
use logprof::{Summary, Trace};
use logprof_kernels::{run_into, Image, JuliaSet, Kernel, Pool, RunOptions, Schedule};

use crate::cli::WorkloadArgs;
pub use recording::Recordings;
pub use timing::Timing;

/// Everything measured about one scheduler.
pub struct Outcome {
    /// The scheduler and its parameter.
    pub schedule: Schedule,
    /// The timed runs.
    pub timing: Timing,
    /// The recorded runs and which one is drawn.
    pub recordings: Recordings,
    /// The drawn recorded run.
    pub trace: Trace,
    /// The drawn recorded run's summary.
    pub summary: Summary,
    /// Whether every recorded run's image equals the serial reference.
    pub same_image: bool,
}

/// The pool, the workload and the reference image every run is checked
/// against.
pub struct Bench {
    /// The worker threads.
    pub pool: Pool,
    /// The fractal computed.
    pub fractal: JuliaSet,
    /// The column kernel.
    pub kernel: Kernel,
    /// The options it was made from (already checked).
    pub workload: WorkloadArgs,
    /// The serial scalar image: the lecture's semantics, computed directly.
    pub reference: Image,
    image: Image,
}

impl Bench {
    /// Starts the pool and computes the reference image, for a workload the
    /// options have already checked.
    pub fn new(workload: &WorkloadArgs) -> Result<Bench> {
        let fractal =
            JuliaSet::new(workload.size, workload.c_re, workload.c_im).with_context(|| {
                format!(
                    "invalid workload (--size {}, --c-re {}, --c-im {})",
                    workload.size, workload.c_re, workload.c_im
                )
            })?;
        let kernel = workload.kernel.kernel();
        let pool = Pool::new(workload.threads)
            .with_context(|| format!("cannot start {} worker threads", workload.threads))?;
        let reference = fractal.compute(Kernel::Scalar)?;
        let image = Image::new(fractal.n)?;
        // An enter, the column index, an exit and the column's iterations
        // per column; enough for one thread doing all.
        logprof::init_buffer(4 * fractal.n + 64);
        Ok(Bench {
            pool,
            fractal,
            kernel,
            workload: workload.clone(),
            reference,
            image,
        })
    }

    /// Times `schedule` (warm-up, then the timed runs, not recorded), then
    /// records runs until one is typical of the timed ones (see
    /// [`recording`]) and checks each one's image.
    pub fn measure(&mut self, schedule: &Schedule, mut tick: impl FnMut()) -> Result<Outcome> {
        let Bench {
            pool,
            fractal,
            kernel,
            image,
            ..
        } = self;
        let timing = timing::time_runs(
            self.workload.warmup,
            self.workload.runs,
            || run_into(pool, schedule, fractal, RunOptions::plain(*kernel), image),
            &mut tick,
        )?;
        let mut chooser = recording::Chooser::new(&timing);
        let mut drawn = None;
        let mut same_image = true;
        loop {
            logprof::clear();
            run_into(
                pool,
                schedule,
                fractal,
                RunOptions::recorded(*kernel),
                image,
            )?;
            let mut trace = logprof::collect();
            same_image &= *image == self.reference;
            // Serial is scored as the one thread it uses.
            schedule.trim_lanes(&mut trace);
            let summary = trace.summary();
            // The trace's wall time: what its pictures draw and their shared
            // axis spans.
            let verdict = chooser.offer(summary.wall_ns as f64 / 1e9);
            if verdict.keep {
                drawn = Some((trace, summary));
            }
            if verdict.done {
                break;
            }
        }
        let recordings = chooser.finish();
        let (mut trace, summary) = drawn.expect("the first recording is always kept");
        tick();
        if !trace.losses.is_empty() {
            eprintln!("warning: the recorded run of {schedule} lost events ({:?}); its balance numbers are partial", trace.losses);
        }
        trace.process_name = Some(schedule.to_string());
        Ok(Outcome {
            schedule: *schedule,
            timing,
            recordings,
            trace,
            summary,
            same_image,
        })
    }

    /// Steps a `measure` call ticks: warm-up, timed runs, the recorded run.
    pub fn steps_per_measure(&self) -> u64 {
        steps_per_measure(&self.workload)
    }
}

/// Steps a [`Bench::measure`] call ticks for `workload`.
pub fn steps_per_measure(workload: &WorkloadArgs) -> u64 {
    (workload.warmup + workload.runs.max(1) + 1) as u64
}

/// The processors available to this process.
pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Says, on stderr, when the timings measure sharing rather than speed-up.
pub fn warn_if_oversubscribed(threads: usize) {
    let cores = cpus();
    if threads > cores {
        eprintln!(
            "note: {threads} threads on {cores} core{}: timings measure time-sharing (speed-ups are marked †); \
             busy time, load balance and efficiency are on-CPU figures only where off-CPU time is recorded",
            if cores == 1 { "" } else { "s" }
        );
    }
}
