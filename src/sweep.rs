//! `logprof sweep`: the lecture's tables, time against a parameter, printed
//! and drawn as a chart.

use anyhow::{bail, Result};
use logprof_kernels::Schedule;
use logprof_viz::{LineChart, Series};
use serde_json::json;

use crate::cli::{SweepArgs, SweepParam, WorkloadArgs};
use crate::export::{to_csv, to_json, to_markdown, write_text};
use crate::schedules::{all_schedules, warn_if_oversubscribed, Bench, Outcome};
use crate::table::{Cell, Table};

/// The lecture's values for each parameter.
fn default_values(param: SweepParam) -> Vec<usize> {
    match param {
        SweepParam::Ntasks => vec![4, 8, 16, 32, 64, 128, 256, 512],
        SweepParam::Basesize | SweepParam::Chunk => vec![1, 2, 4, 8, 16, 32, 64, 128],
        SweepParam::Threads => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let mut t = vec![1];
            while *t.last().unwrap_or(&1) < 2 * cores {
                t.push(t.last().unwrap_or(&1) * 2);
            }
            t
        }
    }
}

fn param_name(param: SweepParam) -> &'static str {
    match param {
        SweepParam::Ntasks => "ntasks",
        SweepParam::Basesize => "basesize",
        SweepParam::Chunk => "chunk",
        SweepParam::Threads => "threads",
    }
}

/// One measured point of a sweep.
struct Point {
    value: usize,
    outcome: Outcome,
    serial_median_s: f64,
}

pub fn run(args: &SweepArgs) -> Result<()> {
    let values = args
        .values
        .clone()
        .unwrap_or_else(|| default_values(args.param));
    let name = param_name(args.param);
    if values.is_empty() {
        bail!("--values is empty: give at least one {name}");
    }
    if let Some(bad) = values.iter().find(|&&v| v == 0) {
        bail!("--values contains {bad}: every {name} must be at least 1");
    }
    crate::schedules::check_workload(&args.workload)?;
    crate::output::prepare_outputs(&args.workload.out, &args.export)?;
    let points = match args.param {
        SweepParam::Threads => sweep_threads(args, &values)?,
        param => sweep_parameter(args, param, &values)?,
    };
    let table = sweep_table(name, &points);
    print!("{}", table.to_text());
    let chart = sweep_chart(args, name, &points);
    let dir = &args.workload.out;
    let stem = format!("sweep-{name}");
    chart.write_svg(dir.join(format!("{stem}.svg")))?;
    chart.write_png(dir.join(format!("{stem}.png")))?;
    let meta = json!({
        "sweep": name,
        "size": args.workload.size,
        "threads": args.workload.threads,
        "kernel": format!("{:?}", args.workload.kernel).to_lowercase(),
        "runs": args.workload.runs.max(1),
    });
    write_text(&dir.join(format!("{stem}.md")), &to_markdown(&table))?;
    write_text(&dir.join(format!("{stem}.json")), &to_json(&table, &meta))?;
    write_text(&dir.join(format!("{stem}.csv")), &to_csv(&table))?;
    args.export.write(&table, &meta)?;
    eprintln!(
        "wrote {stem}.svg, .png, .md, .json and .csv to {}",
        dir.display()
    );
    Ok(())
}

/// One scheduler, one pool, the parameter varied.
fn sweep_parameter(args: &SweepArgs, param: SweepParam, values: &[usize]) -> Result<Vec<Point>> {
    let base = match param {
        SweepParam::Ntasks => Schedule::ForkJoin { ntasks: 1 },
        SweepParam::Basesize => Schedule::Rayon { basesize: 1 },
        _ => Schedule::Chunked { chunk: 1 },
    };
    let mut bench = Bench::new(&args.workload)?;
    warn_if_oversubscribed(args.workload.threads);
    let bar = crate::progress::bar(
        bench.steps_per_measure() * (values.len() as u64 + 1),
        "sweep",
    );
    let serial = bench.measure(&Schedule::Serial, || bar.inc(1))?;
    let mut points = Vec::new();
    for &value in values {
        let schedule = base.with_param(value);
        bar.set_message(schedule.to_string());
        let outcome = bench.measure(&schedule, || bar.inc(1))?;
        points.push(Point {
            value,
            outcome,
            serial_median_s: serial.timing.median_s,
        });
    }
    bar.finish_and_clear();
    Ok(points)
}

/// Every scheduler at every thread count, a pool each.
fn sweep_threads(args: &SweepArgs, values: &[usize]) -> Result<Vec<Point>> {
    let schedules = all_schedules(&args.params)?;
    let steps = (args.workload.warmup + args.workload.runs.max(1) + 1) as u64;
    let bar = crate::progress::bar(
        steps * values.len() as u64 * schedules.len() as u64,
        "sweep threads",
    );
    warn_if_oversubscribed(*values.iter().max().unwrap_or(&1));
    let mut points = Vec::new();
    let mut serial_median_s = None;
    for &threads in values {
        let workload = WorkloadArgs {
            threads,
            ..args.workload.clone()
        };
        let mut bench = Bench::new(&workload)?;
        for schedule in &schedules {
            bar.set_message(format!("{schedule}, {threads} threads"));
            let outcome = bench.measure(schedule, || bar.inc(1))?;
            // Speed-up over the one-thread serial run.
            let serial = *serial_median_s.get_or_insert(if *schedule == Schedule::Serial {
                outcome.timing.median_s
            } else {
                f64::NAN
            });
            points.push(Point {
                value: threads,
                outcome,
                serial_median_s: serial,
            });
        }
    }
    bar.finish_and_clear();
    Ok(points)
}

fn sweep_table(name: &'static str, points: &[Point]) -> Table {
    let mut table = Table::new(&[
        ("scheduler", "scheduler"),
        (name, name),
        ("median_ms", "median ms"),
        ("speedup", "speed-up"),
        ("load_balance", "load balance"),
        ("parallel_efficiency", "parallel eff."),
        ("same_image", "same image"),
    ]);
    for p in points {
        table.push(vec![
            Cell::from(p.outcome.schedule.name()),
            Cell::Int(p.value as u64),
            Cell::float(p.outcome.timing.median_s * 1e3, 3),
            Cell::float(p.serial_median_s / p.outcome.timing.median_s, 2),
            Cell::float(p.outcome.summary.load_balance, 3),
            Cell::float(p.outcome.summary.parallel_efficiency, 3),
            Cell::Bool(p.outcome.same_image),
        ]);
    }
    table
}

fn sweep_chart(args: &SweepArgs, name: &str, points: &[Point]) -> LineChart {
    let mut series: Vec<Series> = Vec::new();
    for p in points {
        let label = p.outcome.schedule.name().to_owned();
        let (x, y) = if args.param == SweepParam::Threads {
            (
                p.value as f64,
                p.serial_median_s / p.outcome.timing.median_s,
            )
        } else {
            (p.value as f64, p.outcome.timing.median_s * 1e3)
        };
        match series.iter_mut().find(|s| s.name == label) {
            Some(s) => s.points.push((x, y)),
            None => series.push(Series::new(label, vec![(x, y)])),
        }
    }
    let xs: Vec<f64> = points.iter().map(|p| p.value as f64).collect();
    let (lo, hi) = (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(0.0, f64::max),
    );
    if args.param == SweepParam::Threads {
        LineChart {
            series,
            ideal: Some(Series::new("ideal", vec![(lo, lo), (hi, hi)])),
            log_x: true,
            ..LineChart::new(
                format!("Speed-up against threads, n = {}", args.workload.size),
                "threads",
                "speed-up over serial",
            )
        }
    } else {
        // Ideal: the serial time shared perfectly by the threads.
        let ideal_ms = points.first().map_or(0.0, |p| {
            p.serial_median_s * 1e3 / args.workload.threads as f64
        });
        LineChart {
            series,
            ideal: Some(Series::new(
                "ideal (serial / threads)",
                vec![(lo, ideal_ms), (hi, ideal_ms)],
            )),
            log_x: true,
            ..LineChart::new(
                format!(
                    "Time against {name}, n = {}, {} threads",
                    args.workload.size, args.workload.threads
                ),
                name,
                "median time (ms)",
            )
        }
    }
}
