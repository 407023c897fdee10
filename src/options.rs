//! The options as a whole: what each command line means once its options
//! are read together. Every value and combination is checked here, before
//! any work; an option that would be ignored or overridden is rejected,
//! never silently dropped.

use anyhow::{anyhow, bail, Context, Result};
use clap::parser::ValueSource;
use clap::ArgMatches;
use logprof_kernels::{Schedule, ScheduleParam};

use crate::cli::{ScheduleParams, SweepArgs, SweepParam, WorkloadArgs};
use crate::limits::{check_threads, MAX_SIZE};

/// Which of the options that can conflict were typed on the command line
/// (rather than taken from their defaults).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Given {
    /// `--threads`.
    pub threads: bool,
    /// `--chunk`.
    pub chunk: bool,
    /// `--ntasks`.
    pub ntasks: bool,
    /// `--basesize`.
    pub basesize: bool,
}

impl Given {
    /// Reads a subcommand's matches.
    pub fn from_matches(matches: &ArgMatches) -> Given {
        let typed = |id: &str| {
            matches
                .try_get_raw(id)
                .ok()
                .flatten()
                .is_some_and(|_| matches.value_source(id) == Some(ValueSource::CommandLine))
        };
        Given {
            threads: typed("threads"),
            chunk: typed("chunk"),
            ntasks: typed("ntasks"),
            basesize: typed("basesize"),
        }
    }

    fn param(&self, p: ScheduleParam) -> bool {
        match p {
            ScheduleParam::Chunk => self.chunk,
            ScheduleParam::Ntasks => self.ntasks,
            ScheduleParam::Basesize => self.basesize,
        }
    }
}

const PARAMS: [ScheduleParam; 3] = [
    ScheduleParam::Chunk,
    ScheduleParam::Ntasks,
    ScheduleParam::Basesize,
];

/// The value the options give parameter `p`.
fn param_value(params: &ScheduleParams, p: ScheduleParam) -> usize {
    match p {
        ScheduleParam::Chunk => params.chunk,
        ScheduleParam::Ntasks => params.ntasks,
        ScheduleParam::Basesize => params.basesize,
    }
}

/// The schedulers that take parameter `p`, for messages.
fn takers(p: ScheduleParam) -> &'static str {
    match p {
        ScheduleParam::Chunk => "chunked",
        ScheduleParam::Ntasks => "forkjoin",
        ScheduleParam::Basesize => "rayon and depthfirst",
    }
}

/// `schedule` with the parameter the options give it, validated.
fn with_options(schedule: Schedule, params: &ScheduleParams) -> Result<Schedule> {
    let s = match schedule.param_kind() {
        Some(p) => schedule.with_param(param_value(params, p)),
        None => schedule,
    };
    s.validate()
        .with_context(|| format!("invalid parameter for {}", s.name()))?;
    Ok(s)
}

/// Rejects sizes, thread counts and run counts no run can use, naming the
/// option and the limit.
pub fn check_workload(workload: &WorkloadArgs) -> Result<()> {
    if workload.size == 0 {
        bail!("--size 0: the image needs at least one column; give --size 1 or more");
    }
    if workload.size > MAX_SIZE {
        bail!(
            "--size {}: at most {MAX_SIZE} (the kernel's largest image is {} and fractal.png, \
             a pixel per column, at most {} px a side)",
            workload.size,
            logprof_kernels::MAX_N,
            crate::limits::PNG_MAX_SIDE
        );
    }
    if workload.threads == 0 {
        bail!("--threads 0: at least one worker thread is needed");
    }
    if workload.runs == 0 {
        bail!("--runs 0: at least one timed run is needed; give --runs 1 or more");
    }
    Ok(())
}

/// The schedules `compare` runs, each with its parameter from the options.
pub fn compare_schedules(params: &ScheduleParams) -> Result<Vec<Schedule>> {
    Schedule::all()
        .into_iter()
        .map(|s| with_options(s, params))
        .collect()
}

/// The schedule `run --schedule spec` names. A parameter comes inline
/// (`chunked(8)`) or from its option (`--chunk 8`), not both; an option for
/// a parameter the schedule does not take is rejected.
pub fn run_schedule(
    spec: &str,
    params: &ScheduleParams,
    threads: usize,
    given: &Given,
) -> Result<Schedule> {
    let named = |r: Result<Schedule, _>| r.map_err(|e| anyhow!("--schedule {spec:?}: {e}"));
    let inline = spec.contains('(');
    let schedule = if inline {
        named(spec.parse::<Schedule>())?
    } else {
        named(Schedule::from_name(spec.trim(), None))?
    };
    for p in PARAMS.into_iter().filter(|&p| given.param(p)) {
        let value = param_value(params, p);
        if schedule.param_kind() != Some(p) {
            bail!(
                "--{p} {value}: {} does not take it (--{p} is for {}); leave --{p} out",
                schedule.name(),
                takers(p)
            );
        }
        if inline {
            bail!("--{p} {value} and --schedule {spec:?} both set {p}; give it once");
        }
    }
    if schedule == Schedule::Serial && given.threads {
        bail!(
            "--threads {threads}: serial runs on one thread, whatever --threads says; \
             leave --threads out"
        );
    }
    if inline {
        named(schedule.validate().map(|()| schedule))
    } else {
        with_options(schedule, params).map_err(|e| anyhow!("--schedule {spec:?}: {e:#}"))
    }
}

/// The scheduler a parameter sweep varies, at parameter 1.
pub fn swept_schedule(param: ScheduleParam) -> Schedule {
    match param {
        ScheduleParam::Ntasks => Schedule::ForkJoin { ntasks: 1 },
        ScheduleParam::Basesize => Schedule::Rayon { basesize: 1 },
        ScheduleParam::Chunk => Schedule::Chunked { chunk: 1 },
    }
}

/// The schedule parameter a sweep varies, if it varies one.
pub fn sweep_param(param: SweepParam) -> Option<ScheduleParam> {
    match param {
        SweepParam::Ntasks => Some(ScheduleParam::Ntasks),
        SweepParam::Basesize => Some(ScheduleParam::Basesize),
        SweepParam::Chunk => Some(ScheduleParam::Chunk),
        SweepParam::Threads => None,
    }
}

/// The name a sweep's parameter has in options, tables and files.
pub fn sweep_name(param: SweepParam) -> &'static str {
    sweep_param(param).map_or("threads", ScheduleParam::name)
}

/// The lecture's values for each parameter.
fn default_values(param: SweepParam) -> Vec<usize> {
    match param {
        SweepParam::Ntasks => vec![4, 8, 16, 32, 64, 128, 256, 512],
        SweepParam::Basesize | SweepParam::Chunk => vec![1, 2, 4, 8, 16, 32, 64, 128],
        SweepParam::Threads => {
            let cores = crate::measure::cpus();
            let mut t = vec![1];
            while *t.last().unwrap_or(&1) < 2 * cores {
                t.push(t.last().unwrap_or(&1) * 2);
            }
            t
        }
    }
}

/// The values a sweep tries, checked with its other options: the swept
/// option itself and options the swept scheduler does not take are
/// rejected.
pub fn sweep_values(args: &SweepArgs, given: &Given) -> Result<Vec<usize>> {
    let name = sweep_name(args.param);
    match sweep_param(args.param) {
        None if given.threads => bail!(
            "--threads {}: `sweep threads` varies the threads; give them with --values",
            args.workload.threads
        ),
        None => {}
        Some(swept) => {
            if let Some(p) = PARAMS.into_iter().find(|&p| given.param(p)) {
                let value = param_value(&args.params, p);
                if p == swept {
                    bail!("--{p} {value}: `sweep {p}` varies {p}; give its values with --values");
                }
                bail!(
                    "--{p} {value}: `sweep {name}` runs only {}, which does not take it; leave --{p} out",
                    swept_schedule(swept).name()
                );
            }
        }
    }
    let values = args
        .values
        .clone()
        .unwrap_or_else(|| default_values(args.param));
    if values.is_empty() {
        bail!("--values is empty: give at least one {name}");
    }
    if let Some(bad) = values.iter().find(|&&v| v == 0) {
        bail!("--values contains {bad}: every {name} must be at least 1");
    }
    match args.param {
        SweepParam::Threads => {
            let most = values.iter().copied().max().unwrap_or(1);
            check_threads("--values", most)?;
        }
        _ => check_threads("--threads", args.workload.threads)?,
    }
    Ok(values)
}
