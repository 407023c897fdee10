//! `logprof sweep`: the lecture's tables, time against a parameter, printed
//! and drawn as a chart.

use anyhow::Result;
use logprof_kernels::{Schedule, ScheduleParam};
use logprof_viz::{LineChart, Series};
use serde_json::json;

use crate::cli::{SweepArgs, WorkloadArgs};
use crate::export::{to_csv, to_json, to_markdown, write_text};
use crate::measure::{warn_if_oversubscribed, Bench, Outcome};
use crate::options::{self, Given};
use crate::output::{check_paths, OutDir};
use crate::results::{balance_cells, timing_cells, warn_about, BALANCE_COLUMNS, TIMING_COLUMNS};
use logprof_trace::table::{Cell, Column, Table};

/// One measured point of a sweep.
struct Point {
    value: usize,
    outcome: Outcome,
    serial_mean_s: f64,
}

/// Runs `sweep`: every check first, then the work, then the files.
pub fn run(args: &SweepArgs, given: &Given) -> Result<()> {
    let values = options::sweep_values(args, given)?;
    let name = options::sweep_name(args.param);
    options::check_workload(&args.workload)?;
    let schedules = options::compare_schedules(&args.params)?;
    let dir = args.out.dir_or(&format!("sweep-{name}"));
    check_paths(&[], &args.export, Some(&dir))?;
    let out = OutDir::create(&dir)?;
    let points = match options::sweep_param(args.param) {
        None => sweep_threads(args, &schedules, &values)?,
        Some(param) => sweep_parameter(args, param, &values)?,
    };
    let table = sweep_table(name, &points);
    crate::out!("{}", table.to_text())?;
    let threads = |p: &Point| match args.param {
        crate::cli::SweepParam::Threads => p.value,
        _ => args.workload.threads,
    };
    for p in &points {
        warn_about(&p.outcome, p.serial_mean_s, threads(p));
    }
    let chart = sweep_chart(args, name, &points);
    let dir = out.path();
    let stem = format!("sweep-{name}");
    chart.write_svg(dir.join(format!("{stem}.svg")))?;
    chart.write_png(dir.join(format!("{stem}.png")))?;
    let meta = json!({
        "sweep": name,
        "size": args.workload.size,
        "threads": args.workload.threads,
        "kernel": format!("{:?}", args.workload.kernel).to_lowercase(),
        "runs": args.workload.runs,
    });
    write_text(&dir.join(format!("{stem}.md")), &to_markdown(&table))?;
    write_text(&dir.join(format!("{stem}.json")), &to_json(&table, &meta))?;
    write_text(&dir.join(format!("{stem}.csv")), &to_csv(&table))?;
    crate::html_page::write_folder_page(dir, &format!("logprof sweep {name}"), "", &table)?;
    let dir = out.commit()?;
    args.export.write(&table, &meta)?;
    eprintln!(
        "wrote {stem}.svg, .png, .md, .json and .csv and report.html to {}",
        dir.display()
    );
    Ok(())
}

/// One scheduler, one pool, the parameter varied.
fn sweep_parameter(args: &SweepArgs, param: ScheduleParam, values: &[usize]) -> Result<Vec<Point>> {
    let base = options::swept_schedule(param);
    let mut bench = Bench::new(&args.workload)?;
    warn_if_oversubscribed(args.workload.threads);
    let bar = crate::progress::bar(
        bench.steps_per_measure() * (values.len() as u64 + 1),
        "sweep",
    );
    let serial = bench.measure(&Schedule::Serial, || bar.inc(1))?;
    warn_about(&serial, serial.timing.mean_s, args.workload.threads);
    let mut points = Vec::new();
    for &value in values {
        let schedule = base.with_param(value);
        bar.set_message(schedule.to_string());
        let outcome = bench.measure(&schedule, || bar.inc(1))?;
        points.push(Point {
            value,
            outcome,
            serial_mean_s: serial.timing.mean_s,
        });
    }
    bar.finish_and_clear();
    Ok(points)
}

/// Every scheduler at every thread count, a pool each.
fn sweep_threads(args: &SweepArgs, schedules: &[Schedule], values: &[usize]) -> Result<Vec<Point>> {
    let steps = crate::measure::steps_per_measure(&args.workload);
    let bar = crate::progress::bar(
        steps * values.len() as u64 * schedules.len() as u64,
        "sweep threads",
    );
    warn_if_oversubscribed(*values.iter().max().unwrap_or(&1));
    let mut points = Vec::new();
    let mut serial_mean_s = None;
    for &threads in values {
        let workload = WorkloadArgs {
            threads,
            ..args.workload.clone()
        };
        let mut bench = Bench::new(&workload)?;
        for schedule in schedules {
            bar.set_message(format!("{schedule}, {threads} threads"));
            let outcome = bench.measure(schedule, || bar.inc(1))?;
            // Speed-up over the first thread count's serial run.
            let serial = *serial_mean_s.get_or_insert(if *schedule == Schedule::Serial {
                outcome.timing.mean_s
            } else {
                f64::NAN
            });
            points.push(Point {
                value: threads,
                outcome,
                serial_mean_s: serial,
            });
        }
    }
    bar.finish_and_clear();
    Ok(points)
}

fn sweep_table(name: &'static str, points: &[Point]) -> Table {
    let mut columns = vec![
        Column::new("scheduler", "scheduler"),
        Column::new(name, name),
    ];
    columns.extend(TIMING_COLUMNS);
    columns.extend(BALANCE_COLUMNS);
    columns.push(Column::new("same_image", "same image"));
    let mut table = Table::with_columns(columns);
    for p in points {
        let mut row = vec![
            Cell::from(p.outcome.schedule.name()),
            Cell::Int(p.value as u64),
        ];
        row.extend(timing_cells(&p.outcome.timing));
        row.extend(balance_cells(&p.outcome, p.serial_mean_s));
        row.push(Cell::Bool(p.outcome.same_image));
        table.push(row);
    }
    table
}

/// The chart: each scheduler's mean time (or speed-up, against threads)
/// with the min … max of its timed runs as an error bar, beside the ideal
/// the cores allow: `min(threads, cores)` of them can work at once.
fn sweep_chart(args: &SweepArgs, name: &str, points: &[Point]) -> LineChart {
    let by_threads = options::sweep_param(args.param).is_none();
    let cores = crate::measure::cpus();
    let mut series: Vec<Series> = Vec::new();
    for p in points {
        let label = p.outcome.schedule.name().to_owned();
        let t = &p.outcome.timing;
        // Speed-up falls as time rises: the slowest run gives the low end.
        let (y, range) = if by_threads {
            let s = p.serial_mean_s;
            (s / t.mean_s, (s / t.max_s, s / t.min_s))
        } else {
            (t.mean_s * 1e3, (t.min_s * 1e3, t.max_s * 1e3))
        };
        let point = (p.value as f64, y);
        match series.iter_mut().find(|s| s.name == label) {
            Some(s) => {
                s.points.push(point);
                s.spread.push(range);
            }
            None => series.push(Series::new(label, vec![point]).with_spread(vec![range])),
        }
    }
    let mut xs: Vec<usize> = points.iter().map(|p| p.value).collect();
    xs.sort_unstable();
    xs.dedup();
    if by_threads {
        let ideal = xs
            .iter()
            .map(|&t| (t as f64, t.min(cores) as f64))
            .collect();
        LineChart {
            series,
            ideal: Some(Series::new(
                format!("ideal: min(threads, {cores} cores)"),
                ideal,
            )),
            log_x: true,
            ..LineChart::new(
                format!("Speed-up against threads, n = {}", args.workload.size),
                "threads",
                "speed-up over serial (bars: min … max of the runs)",
            )
        }
    } else {
        // Ideal: the serial time shared perfectly by the threads that can
        // run at once.
        let usable = args.workload.threads.min(cores).max(1);
        let ideal_ms = points
            .first()
            .map_or(0.0, |p| p.serial_mean_s * 1e3 / usable as f64);
        let (lo, hi) = (
            xs.first().copied().unwrap_or(1) as f64,
            xs.last().copied().unwrap_or(1) as f64,
        );
        LineChart {
            series,
            ideal: Some(Series::new(
                format!("ideal: serial / {usable} (min(threads, cores))"),
                vec![(lo, ideal_ms), (hi, ideal_ms)],
            )),
            log_x: true,
            ..LineChart::new(
                format!(
                    "Time against {name}, n = {}, {} threads",
                    args.workload.size, args.workload.threads
                ),
                name,
                "mean time, ms (bars: min … max of the runs)",
            )
        }
    }
}
