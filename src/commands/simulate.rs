//! `logprof simulate`: what each schedule would do on P virtual cores,
//! predicted from one recorded run (the model is
//! [`logprof_kernels::simulate`]).

use std::path::Path;

use anyhow::{bail, Context, Result};
use logprof_kernels::simulate::{simulate, Prediction, Units};
use logprof_kernels::{Kernel, Schedule};
use logprof_viz::{LineChart, Series, Timeline};
use serde_json::json;

use super::simulate_cost::{Charged, CostUnit};
use super::simulate_regions as by_region;
use crate::cli::{KernelArg, SimulateArgs};
use crate::export::{to_csv, to_json, to_markdown, write_text};
use crate::measure::cpus;
use crate::options::Given;
use crate::output::{check_paths, OutDir};
use logprof_trace::table::{Cell, Column, Table};

/// The units of work and where they came from.
struct Work {
    units: Units,
    /// "a serial run of the fractal, n = 1000" or the trace file.
    source: String,
    /// The span name of a unit in the simulated traces.
    unit_name: &'static str,
}

/// Runs `simulate`: every check first, then the recording, then the files.
pub fn run(args: &SimulateArgs, given: &Given) -> Result<()> {
    let threads = check_threads(&args.threads)?;
    let schedules = parse_schedules(&args.schedule)?;
    if schedules == [Schedule::Serial] && given.threads {
        bail!(
            "--threads {}: serial runs on one core, whatever the cores; leave --threads out",
            args.threads
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
    }
    let size = check_size(args)?;
    let runs = check_runs(args)?;
    let kernel = check_kernel(args)?;
    let dir = args.out.dir_or("simulate");
    let inputs: Vec<(&str, &Path)> = args
        .trace
        .iter()
        .map(|t| ("the trace", t.as_path()))
        .collect();
    check_paths(&inputs, &args.export, Some(&dir))?;
    let machine = cpus();
    // Every schedule at every P, in the table's order.
    let checks: Vec<(Schedule, usize)> = threads
        .iter()
        .flat_map(|&p| schedules.iter().map(move |s| (*s, p)))
        .collect();
    let (work, unit, measured, regions) = match &args.trace {
        Some(path) => {
            let nothing = Measured {
                wall_ns: vec![None; checks.len()],
                co_run_slowdown: Vec::new(),
            };
            let regions = by_region::read(path, args.unit.as_deref())?;
            let work = Work {
                units: regions.units.clone(),
                source: regions.source.clone(),
                unit_name: "unit",
            };
            (work, CostUnit::TraceFile, nothing, Some(regions))
        }
        None => {
            if let Some(name) = &args.unit {
                bail!("--unit {name}: the fractal's units are its columns; give --unit only with a trace");
            }
            let (work, measured) = record_fractal(size, kernel, &checks, machine, runs)?;
            (work, CostUnit::MeasuredHere, measured, None)
        }
    };
    let charged = Charged::new(args.overheads, unit)?;
    charged.warn();
    let out = OutDir::create(&dir)?;
    // A trace is predicted region by region, its run the sum of them.
    let runs = match &regions {
        Some(r) => by_region::predict(&r.regions, &checks, charged.overheads)?,
        None => Vec::new(),
    };
    let mut predictions: Vec<Prediction> = runs.iter().map(|r| r.run.clone()).collect();
    if regions.is_none() {
        for (s, p) in &checks {
            predictions.push(simulate(s, &work.units, *p, charged.overheads)?);
        }
    }
    let rows: Vec<(&Prediction, Option<f64>)> =
        predictions.iter().zip(measured.wall_ns.clone()).collect();
    warn_off_by_more_than(&rows, &measured, 0.15);
    let assumptions = charged.assumptions();
    crate::outln!(
        "simulated from {} ({} units); assumes {assumptions}",
        work.source,
        work.units.len()
    )?;
    for &p in &threads {
        let at_p: Vec<_> = rows.iter().filter(|x| x.0.cores == p).cloned().collect();
        let note = if p > machine {
            format!(" (extrapolated: this machine has {machine})")
        } else {
            String::new()
        };
        crate::outln!("\nP = {p} virtual cores{note}")?;
        crate::out!("{}", table(&at_p, &measured, machine).to_text())?;
        if runs.first().is_some_and(|r| r.regions.len() > 1) {
            crate::outln!("\nby region at P = {p} (the run above is their sum)")?;
            crate::out!("{}", by_region::table(&runs, p).to_text())?;
        }
    }
    let table = table(&rows, &measured, machine);
    let dir = out.path();
    let largest = *threads.last().expect("at least one thread count");
    for p in predictions.iter().filter(|x| x.cores == largest) {
        timeline_files(p, &work, dir)?;
    }
    let chart = speedup_chart(&predictions, &work.units, &threads);
    chart.write_svg(dir.join("simulate-speedup.svg"))?;
    chart.write_png(dir.join("simulate-speedup.png"))?;
    let mut meta = json!({
        "simulated_from": work.source,
        "units": work.units.len(),
        "assumptions": assumptions,
    });
    if let (Some(meta), Some(cost)) = (meta.as_object_mut(), charged.meta().as_object()) {
        meta.extend(cost.clone());
    }
    if let (Some(meta), Some(_)) = (meta.as_object_mut(), &regions) {
        if let Some(by) = by_region::to_json(&runs).as_object() {
            meta.extend(by.clone());
        }
    }
    write_text(&dir.join("simulate.md"), &to_markdown(&table))?;
    write_text(&dir.join("simulate.json"), &to_json(&table, &meta))?;
    write_text(&dir.join("simulate.csv"), &to_csv(&table))?;
    crate::html_page::write_folder_page(dir, "logprof simulate", "", &table)?;
    let dir = out.commit()?;
    args.export.write(&table, &meta)?;
    eprintln!(
        "wrote simulated timelines at P = {largest}, simulate-speedup.svg/.png and \
         simulate.md/.json/.csv to {}",
        dir.display()
    );
    Ok(())
}

/// Says, on stderr, which predictions are off the measured median by more
/// than `tolerance` (a fraction), and what that can mean.
fn warn_off_by_more_than(rows: &[(&Prediction, Option<f64>)], measured: &Measured, tolerance: f64) {
    for &(p, wall) in rows {
        let Some(m) = wall else { continue };
        let ratio = p.wall as f64 / m;
        if (ratio - 1.0).abs() <= tolerance {
            continue;
        }
        let why = match measured.slowdown_for(p) {
            Some(s) if s > 1.0 + tolerance / 2.0 => format!(
                "each core ran {s:.2}× slower with all {} busy (co-run), which the model \
                 leaves out",
                p.cores
            ),
            _ => "overheads the model leaves out, or cores shared with other work".into(),
        };
        eprintln!(
            "warning: {} on {} threads: predicted/measured {ratio:.2}, off by more than {:.0} % \
             ({why})",
            p.schedule,
            p.cores,
            tolerance * 100.0
        );
    }
}

/// The thread counts, sorted and without repeats; none may be 0, and the
/// largest must fit a timeline PNG.
fn check_threads(threads: &[usize]) -> Result<Vec<usize>> {
    if threads.contains(&0) {
        bail!("--threads 0: a simulated machine needs at least one core");
    }
    let mut threads = threads.to_vec();
    threads.sort_unstable();
    threads.dedup();
    let Some(&largest) = threads.last() else {
        bail!("--threads: give at least one core count, e.g. --threads 1,2,4");
    };
    crate::limits::check_threads("--threads", largest)?;
    Ok(threads)
}

/// `all`, or one schedule as `run --schedule` reads it.
fn parse_schedules(name: &str) -> Result<Vec<Schedule>> {
    if name.trim().eq_ignore_ascii_case("all") {
        return Ok(Schedule::all().to_vec());
    }
    let schedule: Schedule = name
        .parse()
        .with_context(|| format!("--schedule {name}: give a schedule or `all`"))?;
    Ok(vec![schedule])
}

/// `--size`: only for the recorded fractal, 1 to the largest image.
fn check_size(args: &SimulateArgs) -> Result<usize> {
    if let (Some(_), Some(size)) = (&args.trace, args.size) {
        bail!(
            "--size {size}: the units come from the trace file; give --size only without a trace"
        );
    }
    let size = args.size.unwrap_or(1000);
    if size == 0 || size > crate::limits::MAX_SIZE {
        bail!("--size {size}: give 1 to {}", crate::limits::MAX_SIZE);
    }
    Ok(size)
}

/// `--runs`: at least 1, only for the recorded fractal (a trace file's
/// predictions are not checked).
fn check_runs(args: &SimulateArgs) -> Result<usize> {
    match (&args.trace, args.runs) {
        (Some(_), Some(runs)) => bail!(
            "--runs {runs}: a trace file's predictions are not checked by timed runs; \
             give --runs only without a trace"
        ),
        (_, Some(0)) => bail!("--runs 0: at least one timed run is needed; give --runs 1 or more"),
        (_, runs) => Ok(runs.unwrap_or(super::simulate_runs::MEASURED_RUNS)),
    }
}

/// `--kernel`: only for the recorded fractal (default simd).
fn check_kernel(args: &SimulateArgs) -> Result<logprof_kernels::Kernel> {
    match (&args.trace, args.kernel) {
        (Some(_), Some(kernel)) => bail!(
            "--kernel {}: the units come from the trace file, no kernel runs; give --kernel \
             only without a trace",
            kernel_name(kernel.kernel())
        ),
        (_, kernel) => Ok(kernel.unwrap_or(KernelArg::Simd).kernel()),
    }
}

/// What was timed on this machine to check the predictions.
struct Measured {
    /// Each prediction's measured median wall time in ns (`None`:
    /// extrapolated, or units from a trace file).
    wall_ns: Vec<Option<f64>>,
    /// `(P, slowdown)` of a co-run of P workers over one alone.
    co_run_slowdown: Vec<(usize, f64)>,
}

impl Measured {
    /// The co-run slowdown that bears on `p`'s check, where measured: none
    /// for the serial schedule, which keeps one core busy whatever P is.
    fn slowdown_for(&self, p: &Prediction) -> Option<f64> {
        if p.schedule == Schedule::Serial {
            return None;
        }
        let found = self.co_run_slowdown.iter().find(|(c, _)| *c == p.cores);
        found.map(|(_, s)| *s)
    }
}

/// The fractal's units (a column each, costing its median time in the
/// recorded serial runs) and each check's measured median, from rounds of
/// recorded and timed runs interleaved ([`super::simulate_runs`]).
fn record_fractal(
    size: usize,
    kernel: Kernel,
    checks: &[(Schedule, usize)],
    machine: usize,
    runs: usize,
) -> Result<(Work, Measured)> {
    let rounds = super::simulate_runs::record_and_time(size, kernel, checks, machine, runs)?;
    let work = Work {
        units: Units::new(&rounds.costs),
        source: format!(
            "{} serial runs of the fractal, n = {size}, {} kernel (median per column), \
             interleaved with the timed runs",
            rounds.recorded_runs,
            kernel_name(kernel)
        ),
        unit_name: "juliaset_column",
    };
    let measured = Measured {
        wall_ns: (rounds.measured.into_iter())
            .map(|t| t.map(|t| t.median_s * 1e9))
            .collect(),
        co_run_slowdown: rounds.co_run_slowdown,
    };
    Ok((work, measured))
}

/// The kernel's name as `--kernel` spells it.
fn kernel_name(kernel: Kernel) -> &'static str {
    match kernel {
        Kernel::Simd => "simd",
        Kernel::Scalar => "scalar",
    }
}

/// The predictions as rows: schedule, cores, predicted time and measures,
/// and the measured median time with the ratio where there is one (missing
/// where none: extrapolated, or units from a trace file).
fn table(rows: &[(&Prediction, Option<f64>)], measured: &Measured, machine: usize) -> Table {
    let mut table = Table::with_columns(vec![
        Column::new("scheduler", "scheduler"),
        Column::new("params", "params"),
        Column::new("cores", "cores"),
        Column::new("predicted_ms", "predicted ms"),
        Column::new("speedup", "speed-up"),
        Column::new("load_balance", "load balance"),
        Column::new("parallel_efficiency", "parallel efficiency"),
        Column::new("basis", "basis"),
        Column::new("measured_ms", "measured ms"),
        Column::new("predicted_over_measured", "predicted/measured"),
        Column::new("co_run_slowdown", "co-run slowdown"),
    ]);
    for &(p, wall) in rows {
        let slowdown = measured.slowdown_for(p);
        let measured = wall;
        let basis = if p.cores > machine {
            "extrapolated"
        } else {
            "within this machine"
        };
        table.push(vec![
            Cell::from(p.schedule.name()),
            Cell::Text(p.schedule.params()),
            Cell::Int(p.cores as u64),
            Cell::float(p.wall as f64 / 1e6, 3),
            Cell::float(p.speedup(), 2),
            Cell::Percent(p.load_balance()),
            Cell::Percent(p.efficiency()),
            Cell::from(basis),
            measured.map_or(Cell::Missing, |m| Cell::float(m / 1e6, 3)),
            measured.map_or(Cell::Missing, |m| Cell::float(p.wall as f64 / m, 2)),
            slowdown.map_or(Cell::Missing, |s| Cell::float(s, 2)),
        ]);
    }
    table
}

/// `<schedule>.trace.json` and its timeline (`.svg`, `.png`), marked
/// simulated.
fn timeline_files(p: &Prediction, work: &Work, dir: &Path) -> Result<()> {
    let trace = p.to_trace(&work.units, work.unit_name);
    let stem = p.schedule.name();
    trace.write_chrome_json(dir.join(format!("{stem}.trace.json")))?;
    let title = format!(
        "simulated: {} on {} virtual cores, predicted {:.3} ms",
        p.schedule,
        p.cores,
        p.wall as f64 / 1e6,
    );
    let timeline = Timeline::new(&trace).title(&title);
    timeline.write_svg(dir.join(format!("{stem}.svg")))?;
    timeline.write_png(dir.join(format!("{stem}.png")))?;
    Ok(())
}

/// Predicted speed-up against P, a line per schedule, with the work/span
/// bound `min(P, work / largest unit)`.
fn speedup_chart(predictions: &[Prediction], units: &Units, threads: &[usize]) -> LineChart {
    let mut series: Vec<Series> = Vec::new();
    for p in predictions {
        let label = p.schedule.to_string();
        let point = (p.cores as f64, p.speedup());
        match series.iter_mut().find(|s| s.name == label) {
            Some(s) => s.points.push(point),
            None => series.push(Series::new(label, vec![point])),
        }
    }
    let parallelism = units.total() as f64 / units.largest().max(1) as f64;
    let bound = threads
        .iter()
        .map(|&p| (p as f64, (p as f64).min(parallelism)))
        .collect();
    LineChart {
        series,
        ideal: Some(Series::new("bound: min(P, work/span)", bound)),
        log_x: true,
        ..LineChart::new(
            "Simulated speed-up against virtual cores",
            "virtual cores P",
            "predicted speed-up over serial",
        )
    }
}
