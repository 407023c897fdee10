//! What the measuring commands (compare, run, sweep) make of their
//! outcomes: the table columns they share, the warnings about the timings,
//! and the files of compare and run.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use logprof::Trace;
use logprof_kernels::Schedule;
use logprof_viz::ColorBy;
use serde_json::json;

use crate::export::{write_text, ExportArgs};
use crate::measure::stats::{
    atypical_caution, baseline_caution, cautions_line, placement_caution, speedup_caution,
    timing_cautions,
};
use crate::measure::{Bench, Outcome, Timing};
use crate::output::{self, OutDir};
use crate::predicted::{self, Predicted};
use logprof_trace::table::{Cell, Column, Table};

/// Milliseconds from nanoseconds.
pub fn ms(ns: f64) -> f64 {
    ns / 1e6
}

/// The timing columns: exact statistics as data, mean ± σ and min … max
/// for people.
pub const TIMING_COLUMNS: [Column; 7] = [
    Column::data("median_ms"),
    Column::data("mean_ms"),
    Column::data("stddev_ms"),
    Column::data("min_ms"),
    Column::data("max_ms"),
    Column::view("time ms (mean ± σ)"),
    Column::view("min … max ms"),
];

/// The cells of [`TIMING_COLUMNS`].
pub fn timing_cells(t: &Timing) -> [Cell; 7] {
    [
        Cell::float(t.median_s * 1e3, 3),
        Cell::float(t.mean_s * 1e3, 3),
        Cell::float(t.stddev_s * 1e3, 3),
        Cell::float(t.min_s * 1e3, 3),
        Cell::float(t.max_s * 1e3, 3),
        Cell::Figure(format!("{:.3} ± {:.3}", t.mean_s * 1e3, t.stddev_s * 1e3)),
        Cell::Figure(format!("{:.3} … {:.3}", t.min_s * 1e3, t.max_s * 1e3)),
    ]
}

/// Speed-up, load balance and parallel efficiency: the columns every
/// measuring command shows after the timing.
pub const BALANCE_COLUMNS: [Column; 3] = [
    Column::new("speedup", "speed-up"),
    Column::new("load_balance", "load balance"),
    Column::new("parallel_efficiency", "parallel efficiency"),
];

/// The cells of [`BALANCE_COLUMNS`]; the speed-up is over the serial mean.
pub fn balance_cells(o: &Outcome, serial_mean_s: f64) -> [Cell; 3] {
    [
        Cell::float(serial_mean_s / o.timing.mean_s, 2),
        Cell::Percent(o.summary.load_balance),
        Cell::Percent(o.summary.parallel_efficiency),
    ]
}

/// Prints, on stderr, [`caution_line`]'s line, when there is one.
pub fn warn_about(o: &Outcome, serial_mean_s: f64, threads: usize) {
    if let Some(line) = caution_line(o, serial_mean_s, threads) {
        eprintln!("warning: {line}");
    }
}

/// One line for everything the reader of a schedule's timing should know,
/// naming the schedule: noise, outliers, a speed-up above the hardware, a
/// drawn run unlike the timed ones or one that a core left short, and for
/// the serial baseline a slowed machine.
pub fn caution_line(o: &Outcome, serial_mean_s: f64, threads: usize) -> Option<String> {
    let mut cautions = timing_cautions(&o.timing.times_s);
    cautions.extend(atypical_caution(&o.recordings, &o.timing));
    if o.schedule == Schedule::Serial {
        // The first recording, made before any choice among them.
        cautions.extend(baseline_caution(&o.timing.times_s, o.recordings.first_s()));
    } else {
        let speedup = serial_mean_s / o.timing.mean_s;
        cautions.extend(speedup_caution(speedup, threads, crate::measure::cpus()));
        cautions.extend(placement_caution(&o.summary));
    }
    cautions_line(&cautions).map(|line| format!("{}: {line}", o.schedule))
}

/// [`BALANCE_COLUMNS`] with the figures time-sharing distorts marked `†`:
/// the speed-up always, the balance figures too when off-CPU time was not
/// recorded (their busy time then includes time waiting for a core).
const SHARED_BALANCE_COLUMNS: [[Column; 3]; 2] = [
    [
        Column::new("speedup", "speed-up †"),
        Column::new("load_balance", "load balance"),
        Column::new("parallel_efficiency", "parallel efficiency"),
    ],
    [
        Column::new("speedup", "speed-up †"),
        Column::new("load_balance", "load balance †"),
        Column::new("parallel_efficiency", "parallel efficiency †"),
    ],
];

/// Whether any outcome ran more threads than cores ("5 threads on 2
/// cores", and the cores), and whether every one recorded its off-CPU time.
fn time_sharing(outcomes: &[Outcome]) -> Option<(String, u32, bool)> {
    let shared = outcomes.iter().find_map(|o| {
        let cores = o.summary.cores?;
        (o.summary.threads > cores as usize).then(|| (o.summary.threads_on_cores(), cores))
    })?;
    let on_cpu = outcomes.iter().all(|o| o.summary.off_cpu.is_recorded());
    Some((shared.0?, shared.1, on_cpu))
}

/// The line above the table when threads exceed cores: what the marked
/// figures measure.
pub fn time_sharing_line(outcomes: &[Outcome]) -> Option<String> {
    let (threads_on_cores, cores, on_cpu) = time_sharing(outcomes)?;
    let cores = match cores {
        1 => "1 core".to_owned(),
        n => format!("{n} cores"),
    };
    Some(if on_cpu {
        format!(
            "{threads_on_cores}: † speed-up measures time-sharing; load balance \
             and parallel efficiency are from on-CPU time, efficiency against {cores}"
        )
    } else {
        format!(
            "{threads_on_cores}: † time-sharing distorts these figures (off-CPU \
             time not recorded: busy time includes waiting for a core)"
        )
    })
}

/// The comparison table: one row per scheduler, with each one's simulated
/// speed-up at as many cores as threads when there are `predicted`
/// figures (threads outnumber cores).
pub fn outcome_table(
    outcomes: &[Outcome],
    serial_mean_s: f64,
    predicted: Option<&[Predicted]>,
) -> Table {
    let mut columns = vec![
        Column::new("scheduler", "scheduler"),
        Column::new("params", "params"),
    ];
    columns.extend(TIMING_COLUMNS);
    columns.extend(match time_sharing(outcomes) {
        None => BALANCE_COLUMNS,
        Some((_, _, on_cpu)) => SHARED_BALANCE_COLUMNS[usize::from(!on_cpu)],
    });
    if predicted.is_some() {
        // Its cores are said in the line above the table.
        columns.push(Column::new("predicted_speedup", "predicted speed-up"));
    }
    columns.push(Column::new("max_minus_mean_busy_ms", "max − mean busy ms"));
    columns.push(Column::new("same_image", "same image"));
    // The machine's balance beside the split's (see `Summary`): data only.
    columns.push(Column::data("core_load_balance"));
    let mut table = Table::with_columns(columns);
    for (i, o) in outcomes.iter().enumerate() {
        let mut row = vec![
            Cell::from(o.schedule.name()),
            Cell::from(o.schedule.params()),
        ];
        row.extend(timing_cells(&o.timing));
        row.extend(balance_cells(o, serial_mean_s));
        if let Some(p) = predicted.and_then(|p| p.get(i)) {
            row.push(Cell::float(p.speedup, 2));
        }
        row.push(Cell::float(ms(o.summary.imbalance_ns), 3));
        row.push(Cell::Bool(o.same_image));
        row.push(Cell::Percent(o.summary.core_load_balance));
        table.push(row);
    }
    table
}

/// The JSON fields that describe the run, beside the table's rows.
fn run_meta(
    bench: &Bench,
    outcomes: &[Outcome],
    predicted: Option<&[Predicted]>,
) -> serde_json::Value {
    json!({
        "workload": {
            "fractal": "julia set",
            "size": bench.fractal.n,
            "c_re": bench.fractal.c_re,
            "c_im": bench.fractal.c_im,
            "kernel": bench.kernel.name(),
            "threads": bench.pool.threads(),
            "runs": bench.workload.runs,
            "warmup": bench.workload.warmup,
            "clock": logprof::clock_name(),
        },
        "schedules": outcomes.iter().enumerate().map(|(i, o)| json!({
            "scheduler": o.schedule.name(),
            "params": o.schedule.params(),
            "trace": format!("{}.trace.json", o.schedule.name()),
            "timing": o.timing,
            "recorded": {
                "times_s": o.recordings.times_s,
                "drawn": o.recordings.drawn,
                "typical": o.recordings.typical,
            },
            "summary": o.summary,
            "predicted": predicted.and_then(|p| p.get(i)),
        })).collect::<Vec<_>>(),
    })
}

/// Which recorded run each schedule's pictures draw, for `summary.md`.
fn drawn_note(outcomes: &[Outcome]) -> String {
    let recorded_again: Vec<String> = outcomes
        .iter()
        .filter(|o| o.recordings.times_s.len() > 1)
        .map(|o| {
            let r = &o.recordings;
            format!(
                "{} (recording {} of {}, {:.3} ms{})",
                o.schedule,
                r.drawn + 1,
                r.times_s.len(),
                r.drawn_s() * 1e3,
                if r.typical {
                    ""
                } else {
                    ", still outside min … max"
                }
            )
        })
        .collect();
    let rule = "; each drawn run took as long as a timed run did (within min … max), \
                recorded again until it did";
    if recorded_again.is_empty() {
        rule.to_owned()
    } else {
        format!("{rule}: {}", recorded_again.join(", "))
    }
}

/// How `compare` and `run` draw their pictures.
pub struct Pictures<'a> {
    /// The schedule whose split the work profile draws.
    pub split: &'a Schedule,
    /// What the timelines' colours say.
    pub color: ColorBy,
}

/// What [`finish`] computes once and both prints and writes: the table,
/// the line about threads time-sharing the cores, and the run's metadata.
struct Findings {
    table: Table,
    time_sharing: Option<String>,
    /// Each schedule's [`caution_line`], for the files as for the terminal.
    cautions: Vec<String>,
    meta: serde_json::Value,
}

/// Writes everything of a set of outcomes into the output directory.
fn write_outputs(
    bench: &Bench,
    outcomes: &[Outcome],
    findings: &Findings,
    pictures: &Pictures,
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let (split, color) = (pictures.split, pictures.color);
    let mut written = Vec::new();
    for o in outcomes {
        written.extend(output::trace_files(
            &o.trace,
            dir,
            o.schedule.name(),
            &o.schedule.to_string(),
            color,
        )?);
    }
    if outcomes.len() > 1 {
        let traces: Vec<(String, &Trace)> = outcomes
            .iter()
            .map(|o| (o.schedule.to_string(), &o.trace))
            .collect();
        written.extend(output::figure(&traces, dir, "timelines", color)?);
    }
    // The costs are the same in every recorded run: the split's own trace
    // when there is one.
    if let Some(o) = outcomes
        .iter()
        .find(|o| o.schedule == *split)
        .or(outcomes.first())
    {
        let split = crate::work::Split {
            schedule: split,
            threads: bench.pool.threads(),
            compared: outcomes.len() > 1,
        };
        written.extend(crate::work::write(&o.trace, bench.fractal.n, &split, dir)?);
    }
    written.push(output::fractal_png(
        &bench.reference,
        &dir.join("fractal.png"),
    )?);
    let title = format!(
        "logprof: Julia set {n}×{n}, c = {re} + {im}i, {threads} threads, {kernel} kernel",
        n = bench.fractal.n,
        re = bench.fractal.c_re,
        im = bench.fractal.c_im,
        threads = bench.pool.threads(),
        kernel = bench.kernel.name(),
    );
    let markdown = format!(
        "# {title}\n\n{shared}{table}\n\
         Mean ± σ and min … max of {runs} runs after {warmup} warm-up runs; speed-up over the serial mean; \
         load balance, parallel efficiency and max − mean busy from one recorded run \
         (`<scheduler>.trace.json`, the run the pictures draw){drawn}.\n{cautions}",
        drawn = drawn_note(outcomes),
        cautions = cautions_markdown(&findings.cautions),
        shared = (findings.time_sharing.as_ref()).map_or_else(String::new, |l| format!("{l}\n\n")),
        table = crate::export::to_markdown(&findings.table),
        runs = bench.workload.runs,
        warmup = bench.workload.warmup,
    );
    let md = dir.join("summary.md");
    write_text(&md, &markdown)?;
    let js = dir.join("summary.json");
    write_text(
        &js,
        &crate::export::to_json(&findings.table, &findings.meta),
    )?;
    written.extend([md, js]);
    let cautions = findings.cautions.iter().map(|c| format!("warning: {c}"));
    let notes: Vec<String> = findings
        .time_sharing
        .iter()
        .cloned()
        .chain(cautions)
        .collect();
    let notes = notes.join("\n");
    let page =
        crate::html_page::write_results_page(dir, &title, &notes, &findings.table, &written)?;
    written.push(page);
    Ok(written)
}

/// The cautions as a section of `summary.md`; empty when there are none.
fn cautions_markdown(cautions: &[String]) -> String {
    if cautions.is_empty() {
        return String::new();
    }
    let items: Vec<String> = cautions.iter().map(|c| format!("- {c}\n")).collect();
    format!("\n## Cautions\n\n{}", items.concat())
}

/// Prints the table and the warnings, writes every file into `out` and
/// swaps it in, then writes the exports; fails if a scheduler computed a
/// different image (after writing, so the files show it).
pub fn finish(
    bench: &Bench,
    outcomes: &[Outcome],
    serial_mean_s: f64,
    pictures: &Pictures,
    out: OutDir,
    export: &ExportArgs,
) -> Result<()> {
    let (threads, cores) = (bench.pool.threads(), crate::measure::cpus());
    let predicted = match predicted::at_threads(outcomes, bench.fractal.n, threads, cores) {
        Ok(p) => p,
        Err(why) => {
            eprintln!("note: no predictions on {threads} cores: {why}");
            None
        }
    };
    let time_sharing = time_sharing_line(outcomes).map(|line| match &predicted {
        Some(_) => format!("{line}\n{}", predicted::note(threads, cores)),
        None => line,
    });
    let cautions: Vec<String> = outcomes
        .iter()
        .filter_map(|o| caution_line(o, serial_mean_s, threads))
        .collect();
    let mut meta = run_meta(bench, outcomes, predicted.as_deref());
    meta["cautions"] = json!(cautions);
    let findings = Findings {
        table: outcome_table(outcomes, serial_mean_s, predicted.as_deref()),
        time_sharing,
        cautions,
        meta,
    };
    if let Some(line) = &findings.time_sharing {
        crate::outln!("{line}")?;
    }
    crate::out!("{}", findings.table.to_text())?;
    for line in &findings.cautions {
        eprintln!("warning: {line}");
    }
    let written = write_outputs(bench, outcomes, &findings, pictures, out.path())?;
    let dir = out.commit()?;
    export.write(&findings.table, &findings.meta)?;
    eprintln!("wrote {} files to {}", written.len(), dir.display());
    if let Some(bad) = outcomes.iter().find(|o| !o.same_image) {
        bail!(
            "{} computed a different image than the serial reference",
            bad.schedule
        );
    }
    Ok(())
}
