//! `logprof compare`: every scheduler timed, recorded, drawn and compared.

use anyhow::Result;
use logprof_kernels::Schedule;

use crate::bench::{warn_if_oversubscribed, Bench};
use crate::cli::CompareArgs;
use crate::options;
use crate::output::{check_exports, OutDir};

/// Runs `compare`: every check first, then the work, then the files.
pub fn run(args: &CompareArgs) -> Result<()> {
    let schedules = options::compare_schedules(&args.params)?;
    options::check_workload(&args.workload)?;
    crate::limits::check_threads_fit_pictures(args.workload.threads, schedules.len())?;
    check_exports(&args.export, Some(&args.workload.out))?;
    let out = OutDir::create(&args.workload.out)?;
    let mut bench = Bench::new(&args.workload)?;
    warn_if_oversubscribed(args.workload.threads);
    let bar = crate::progress::bar(
        bench.steps_per_measure() * schedules.len() as u64,
        "compare",
    );
    let mut outcomes = Vec::new();
    for schedule in &schedules {
        bar.set_message(schedule.to_string());
        outcomes.push(bench.measure(schedule, || bar.inc(1))?);
    }
    bar.finish_and_clear();
    let serial_mean_s = outcomes
        .iter()
        .find(|o| o.schedule == Schedule::Serial)
        .map_or(f64::NAN, |o| o.timing.mean_s);
    // The work profile shows static's split: the schedule whose fixed
    // blocks the uneven work hurts most.
    crate::results::finish(
        &bench,
        &outcomes,
        serial_mean_s,
        &crate::results::Pictures {
            split: &Schedule::Static,
            color: args.color.into(),
        },
        out,
        &args.export,
    )
}
