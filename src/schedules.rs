//! `logprof compare` and `logprof run`: time each scheduler, record one run
//! of each, check its image, and write traces, timelines and tables.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use logprof::{Summary, Trace};
use logprof_kernels::{Image, JuliaSet, Kernel, Pool, Schedule};
use serde_json::json;

use crate::cli::{CompareArgs, KernelArg, RunArgs, ScheduleParams, WorkloadArgs};
use crate::export::write_text;
use crate::measure::{time_runs, Timing};
use crate::output;
use crate::report::ms;
use crate::table::{Cell, Table};

/// The largest image the CLI draws: fractal.png has a pixel per column.
pub const MAX_SIZE: usize = 8192;

/// Everything measured about one scheduler.
pub struct Outcome {
    pub schedule: Schedule,
    pub timing: Timing,
    pub trace: Trace,
    pub summary: Summary,
    pub same_image: bool,
}

/// The pool, the workload and the reference image every run is checked
/// against.
pub struct Bench {
    pub pool: Pool,
    pub fractal: JuliaSet,
    pub kernel: Kernel,
    pub workload: WorkloadArgs,
    /// The serial scalar image: the lecture's semantics, computed directly.
    pub reference: Image,
    image: Image,
}

impl Bench {
    /// Starts the pool and computes the reference image; every bad parameter
    /// is reported here, before any work.
    pub fn new(workload: &WorkloadArgs) -> Result<Bench> {
        check_workload(workload)?;
        let fractal =
            JuliaSet::new(workload.size, workload.c_re, workload.c_im).with_context(|| {
                format!(
                    "invalid workload (--size {}, --c-re {}, --c-im {})",
                    workload.size, workload.c_re, workload.c_im
                )
            })?;
        let kernel = match workload.kernel {
            KernelArg::Simd => Kernel::Simd,
            KernelArg::Scalar => Kernel::Scalar,
        };
        let pool = Pool::new(workload.threads)
            .with_context(|| format!("cannot start {} worker threads", workload.threads))?;
        let reference = fractal.compute(Kernel::Scalar)?;
        let image = Image::new(fractal.n)?;
        // An enter and an exit per column; enough for one thread doing all.
        logprof::init_buffer(2 * fractal.n + 64);
        Ok(Bench {
            pool,
            fractal,
            kernel,
            workload: workload.clone(),
            reference,
            image,
        })
    }

    /// Times `schedule` (warm-up, then the median of the timed runs, not
    /// recorded), then records one more run and checks its image.
    pub fn measure(&mut self, schedule: &Schedule, mut tick: impl FnMut()) -> Result<Outcome> {
        let Bench {
            pool,
            fractal,
            kernel,
            image,
            ..
        } = self;
        let timing = time_runs(
            self.workload.warmup,
            self.workload.runs,
            || {
                logprof_kernels::run_into(
                    pool,
                    schedule,
                    fractal,
                    logprof_kernels::RunOptions::plain(*kernel),
                    image,
                )
            },
            &mut tick,
        )?;
        logprof::clear();
        logprof_kernels::run_into(
            pool,
            schedule,
            fractal,
            logprof_kernels::RunOptions::recorded(*kernel),
            image,
        )?;
        let mut trace = logprof::collect();
        tick();
        if !trace.losses.is_empty() {
            eprintln!("warning: the recorded run of {schedule} lost events ({:?}); its balance numbers are partial", trace.losses);
        }
        trace.process_name = Some(schedule.to_string());
        let same_image = *image == self.reference;
        let summary = trace.summary();
        Ok(Outcome {
            schedule: *schedule,
            timing,
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

/// Rejects sizes and thread counts no run can use, naming the option.
pub fn check_workload(workload: &WorkloadArgs) -> Result<()> {
    if workload.size == 0 {
        bail!("--size 0: the image needs at least one column; give --size 1 or more");
    }
    if workload.size > MAX_SIZE {
        bail!(
            "--size {}: at most {MAX_SIZE} (fractal.png has a pixel per column)",
            workload.size
        );
    }
    if workload.threads == 0 {
        bail!("--threads 0: at least one worker thread is needed");
    }
    Ok(())
}

/// Steps a [`Bench::measure`] call ticks for `workload`.
pub fn steps_per_measure(workload: &WorkloadArgs) -> u64 {
    (workload.warmup + workload.runs.max(1) + 1) as u64
}

/// The parameter the options give `schedule` (chunk, ntasks or basesize).
fn param_from_options(schedule: &Schedule, params: &ScheduleParams) -> Option<usize> {
    match schedule.param_name()? {
        "chunk" => Some(params.chunk),
        "ntasks" => Some(params.ntasks),
        _ => Some(params.basesize),
    }
}

/// The schedules `compare` runs, with the parameters given.
pub fn all_schedules(params: &ScheduleParams) -> Result<Vec<Schedule>> {
    Schedule::all()
        .into_iter()
        .map(|s| {
            let s = param_from_options(&s, params).map_or(s, |p| s.with_param(p));
            s.validate()
                .with_context(|| format!("invalid parameter for {}", s.name()))?;
            Ok(s)
        })
        .collect()
}

/// The schedule `spec` names: `chunked(8)` carries its parameter, a bare
/// name takes it from the options.
pub fn named_schedule(spec: &str, params: &ScheduleParams) -> Result<Schedule> {
    let schedule = if spec.contains('(') {
        spec.parse::<Schedule>()
    } else {
        Schedule::from_name(spec, None).and_then(|s| {
            let s = param_from_options(&s, params).map_or(s, |p| s.with_param(p));
            s.validate().map(|()| s)
        })
    };
    schedule.map_err(|e| anyhow::anyhow!("--schedule {spec:?}: {e}"))
}

/// Says, on stderr, when the timings measure sharing rather than speed-up.
pub fn warn_if_oversubscribed(threads: usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads > cores {
        eprintln!(
            "note: {threads} threads on {cores} cores: timings measure time-sharing; the timelines still show each schedule's imbalance"
        );
    }
}

/// The comparison table: one row per scheduler.
pub fn outcome_table(outcomes: &[Outcome], serial_median_s: Option<f64>) -> Table {
    let mut table = Table::new(&[
        ("scheduler", "scheduler"),
        ("params", "params"),
        ("median_ms", "median ms"),
        ("stddev_ms", "± ms"),
        ("speedup", "speed-up"),
        ("load_balance", "load balance"),
        ("parallel_efficiency", "parallel eff."),
        ("max_minus_mean_busy_ms", "max−mean busy ms"),
        ("same_image", "same image"),
    ]);
    for o in outcomes {
        let speedup = serial_median_s.map_or(f64::NAN, |s| s / o.timing.median_s);
        table.push(vec![
            Cell::from(o.schedule.name()),
            Cell::from(o.schedule.params()),
            Cell::float(o.timing.median_s * 1e3, 3),
            Cell::float(o.timing.stddev_s * 1e3, 3),
            Cell::float(speedup, 2),
            Cell::float(o.summary.load_balance, 3),
            Cell::float(o.summary.parallel_efficiency, 3),
            Cell::float(ms(o.summary.imbalance_ns), 3),
            Cell::Bool(o.same_image),
        ]);
    }
    table
}

/// The JSON fields that describe the run, beside the table's rows.
fn run_meta(bench: &Bench, outcomes: &[Outcome]) -> serde_json::Value {
    json!({
        "workload": {
            "fractal": "julia set",
            "size": bench.fractal.n,
            "c_re": bench.fractal.c_re,
            "c_im": bench.fractal.c_im,
            "kernel": bench.kernel.name(),
            "threads": bench.pool.threads(),
            "runs": bench.workload.runs.max(1),
            "warmup": bench.workload.warmup,
            "clock": logprof::clock_name(),
        },
        "schedules": outcomes.iter().map(|o| json!({
            "scheduler": o.schedule.name(),
            "params": o.schedule.params(),
            "trace": format!("{}.trace.json", o.schedule.name()),
            "timing": o.timing,
            "summary": o.summary,
        })).collect::<Vec<_>>(),
    })
}

/// Writes everything of a set of outcomes into the output directory.
fn write_outputs(
    bench: &Bench,
    outcomes: &[Outcome],
    table: &Table,
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for o in outcomes {
        written.extend(output::trace_files(
            &o.trace,
            dir,
            o.schedule.name(),
            &o.schedule.to_string(),
        )?);
    }
    if outcomes.len() > 1 {
        let traces: Vec<(String, &Trace)> = outcomes
            .iter()
            .map(|o| (o.schedule.to_string(), &o.trace))
            .collect();
        written.extend(output::figure(&traces, dir, "timelines")?);
    }
    written.push(output::fractal_png(
        &bench.reference,
        &dir.join("fractal.png"),
    )?);
    let meta = run_meta(bench, outcomes);
    let markdown = format!(
        "# logprof: Julia set {n}×{n}, c = {re} + {im}i, {threads} threads, {kernel} kernel\n\n{table}\n\
         Median of {runs} runs after {warmup} warm-up runs; load balance, parallel efficiency and max−mean busy \
         from one recorded run (`<scheduler>.trace.json`).\n",
        n = bench.fractal.n,
        re = bench.fractal.c_re,
        im = bench.fractal.c_im,
        threads = bench.pool.threads(),
        kernel = bench.kernel.name(),
        table = crate::export::to_markdown(table),
        runs = bench.workload.runs.max(1),
        warmup = bench.workload.warmup,
    );
    let md = dir.join("summary.md");
    write_text(&md, &markdown)?;
    let js = dir.join("summary.json");
    write_text(&js, &crate::export::to_json(table, &meta))?;
    written.extend([md, js]);
    Ok(written)
}

fn finish(
    bench: &Bench,
    outcomes: &[Outcome],
    table: &Table,
    export: &crate::export::ExportArgs,
) -> Result<()> {
    print!("{}", table.to_text());
    let dir = &bench.workload.out;
    let written = write_outputs(bench, outcomes, table, dir)?;
    export.write(table, &run_meta(bench, outcomes))?;
    eprintln!("wrote {} files to {}", written.len(), dir.display());
    if let Some(bad) = outcomes.iter().find(|o| !o.same_image) {
        bail!(
            "{} computed a different image than the serial reference",
            bad.schedule
        );
    }
    Ok(())
}

pub fn compare(args: &CompareArgs) -> Result<()> {
    let schedules = all_schedules(&args.params)?;
    let mut bench = Bench::new(&args.workload)?;
    output::prepare_outputs(&args.workload.out, &args.export)?;
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
    let serial = outcomes
        .iter()
        .find(|o| o.schedule == Schedule::Serial)
        .map(|o| o.timing.median_s);
    let table = outcome_table(&outcomes, serial);
    finish(&bench, &outcomes, &table, &args.export)
}

pub fn run(args: &RunArgs) -> Result<()> {
    let schedule = named_schedule(&args.schedule, &args.params)?;
    let mut bench = Bench::new(&args.workload)?;
    output::prepare_outputs(&args.workload.out, &args.export)?;
    warn_if_oversubscribed(args.workload.threads);
    // Serial is timed too, for the speed-up, but only drawn when asked for.
    let bar = crate::progress::bar(bench.steps_per_measure() * 2, schedule.name());
    let serial = bench.measure(&Schedule::Serial, || bar.inc(1))?;
    let outcome = bench.measure(&schedule, || bar.inc(1))?;
    bar.finish_and_clear();
    let table = outcome_table(std::slice::from_ref(&outcome), Some(serial.timing.median_s));
    finish(&bench, std::slice::from_ref(&outcome), &table, &args.export)
}
