//! `logprof compare`: every scheduler timed, recorded, drawn and compared.

use anyhow::Result;
use logprof_kernels::Schedule;

use crate::cli::CompareArgs;
use crate::limits::check_threads;
use crate::measure::{warn_if_oversubscribed, Bench};
use crate::options;
use crate::output::{check_paths, OutDir};

/// Runs `compare`: every check first, then the work, then the files.
pub fn run(args: &CompareArgs) -> Result<()> {
    let args = &args.measure;
    let schedules = options::compare_schedules(&args.params)?;
    options::check_workload(&args.workload)?;
    check_threads("--threads", args.workload.threads)?;
    let dir = args.out.dir_or("compare");
    check_paths(&[], &args.export, Some(&dir))?;
    let out = OutDir::create(&dir)?;
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
