//! `logprof run`: one scheduler timed, recorded and drawn, with its
//! speed-up over serial.

use anyhow::Result;
use logprof_kernels::Schedule;

use crate::cli::RunArgs;
use crate::limits::check_threads;
use crate::measure::{warn_if_oversubscribed, Bench};
use crate::options::{self, Given};
use crate::output::{check_paths, OutDir};

/// Runs `run`: every check first, then the work, then the files.
pub fn run(args: &RunArgs, given: &Given) -> Result<()> {
    let (spec, args) = (&args.schedule, &args.measure);
    let schedule = options::run_schedule(spec, &args.params, args.workload.threads, given)?;
    options::check_workload(&args.workload)?;
    let threads = args.workload.threads;
    check_threads("--threads", threads)?;
    let dir = args.out.dir_or(&format!("run-{}", schedule.name()));
    check_paths(&[], &args.export, Some(&dir))?;
    let out = OutDir::create(&dir)?;
    let mut bench = Bench::new(&args.workload)?;
    warn_if_oversubscribed(args.workload.threads);
    // Serial is timed too, for the speed-up, but only drawn when asked for.
    let bar = crate::progress::bar(bench.steps_per_measure() * 2, schedule.name());
    let serial = bench.measure(&Schedule::Serial, || bar.inc(1))?;
    let outcome = bench.measure(&schedule, || bar.inc(1))?;
    bar.finish_and_clear();
    if schedule != Schedule::Serial {
        crate::results::warn_about(&serial, serial.timing.mean_s, args.workload.threads);
    }
    crate::results::finish(
        &bench,
        std::slice::from_ref(&outcome),
        serial.timing.mean_s,
        &crate::results::Pictures {
            split: &schedule,
            color: args.color.into(),
        },
        out,
        &args.export,
    )
}
