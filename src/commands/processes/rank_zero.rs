//! What rank 0 makes of `logprof processes`: the table (median time,
//! speed-up over serial, load balance, communication efficiency, same
//! image), the merged trace of every rank, a timeline per experiment and
//! all of them stacked on one time axis.
//!
//! Load balance and communication efficiency are POP's, from the recorded
//! run of each experiment, as [`Trace::process_metrics`] defines them for
//! every merged trace: the useful time of a rank is its time in top-level
//! spans outside MPI calls (the `mpi` spans of its sends and receives,
//! and its `MPI_…` spans: barriers, fences);
//! load balance is the mean over the max of the ranks' useful times, every
//! rank counted (in pmap, rank 0 only hands out bands, which POP counts as
//! imbalance), communication efficiency the max useful time over the run's
//! wall time.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use logprof::{Lane, Trace};
use logprof_kernels::processes::{Experiment, Sharing};
use logprof_kernels::Image;
use logprof_trace::table::{Cell, Table};
use serde::Serialize;

use crate::cli::ProcessesArgs;
use crate::output::OutDir;

/// The names of rank 0's spans around the experiments' recorded runs.
const EXPERIMENT_SPANS: [&str; 9] = [
    "bands",
    "pmap(np=16)",
    "pmap(np=workers)",
    "pmap",
    "shared(per call)",
    "shared(preallocated)",
    "shared pmap",
    "channels(per call)",
    "channels(persistent)",
];

/// One experiment's timed runs, and whether every image was the serial one.
pub struct Measured {
    experiment: Experiment,
    /// Seconds of each timed run (on rank 0).
    pub times_s: Vec<f64>,
    same_image: bool,
}

impl Measured {
    /// No runs yet.
    pub fn new(experiment: Experiment) -> Measured {
        Measured {
            experiment,
            times_s: Vec::new(),
            same_image: true,
        }
    }

    /// Compares a run's image with the serial one (both only on rank 0).
    pub fn check(&mut self, image: Option<&Image>, serial: Option<&Image>) {
        if let (Some(image), Some(serial)) = (image, serial) {
            self.same_image &= image == serial;
        }
    }
}

/// Everything rank 0 has at the end.
pub struct Report {
    /// The number of ranks.
    pub ranks: u32,
    /// Seconds of each timed serial run.
    pub serial_times_s: Vec<f64>,
    /// The experiments, in the order they ran.
    pub measured: Vec<Measured>,
    /// Every rank's trace, merged.
    pub trace: Trace,
    /// Lines for under the table (rows left out, and why).
    pub notes: Vec<String>,
}

/// One row of the table.
#[derive(Serialize)]
struct Row {
    experiment: String,
    /// Ranks that computed columns.
    computing_ranks: u32,
    /// Bands the columns were cut into.
    bands: usize,
    median_ms: f64,
    speedup: f64,
    /// Ratios (0..1); `None` for serial.
    load_balance: Option<f64>,
    communication_efficiency: Option<f64>,
    same_image: bool,
}

impl Report {
    /// Writes the files into `out`, commits it, and prints the table.
    pub fn write(self, out: OutDir, image: &Image, args: &ProcessesArgs) -> Result<()> {
        let dir = out.path().to_owned();
        let serial_ms = median(&self.serial_times_s) * 1e3;
        let mut rows = vec![Row {
            experiment: "serial".into(),
            computing_ranks: 1,
            bands: 1,
            median_ms: serial_ms,
            speedup: 1.0,
            load_balance: None,
            communication_efficiency: None,
            same_image: true,
        }];
        let windows = windows(&self.trace);
        let mut slices = Vec::new();
        for (m, &(start, end)) in self.measured.iter().zip(&windows) {
            let part = slice(&self.trace, start, end);
            let metrics = part.process_metrics();
            let median_ms = median(&m.times_s) * 1e3;
            rows.push(Row {
                experiment: m.experiment.name(),
                computing_ranks: computing_ranks(&part),
                bands: match m.experiment {
                    Experiment::Pmap { np }
                    | Experiment::Shared(Sharing::OnDemand { np })
                    | Experiment::Channels { np, .. } => np,
                    Experiment::Bands | Experiment::Shared(_) => self.ranks as usize,
                },
                median_ms,
                speedup: serial_ms / median_ms,
                load_balance: metrics.as_ref().map(|p| p.load_balance),
                communication_efficiency: metrics.as_ref().map(|p| p.communication_efficiency),
                same_image: m.same_image,
            });
            slices.push((m.experiment.name(), part));
        }
        // The whole run: every rank, every experiment's recorded run.
        let all = slice(&self.trace, 0, u64::MAX);
        let title = format!("every experiment on {} ranks", self.ranks);
        let by_name = logprof_viz::ColorBy::Name;
        crate::output::trace_files(&all, &dir, "processes", &title, by_name)?;
        for (name, trace) in &slices {
            let stem = file_stem(name);
            let title = format!("{name} on {} ranks", self.ranks);
            crate::output::trace_files(trace, &dir, &stem, &title, by_name)?;
        }
        let stacked: Vec<(String, &Trace)> = slices.iter().map(|(n, t)| (n.clone(), t)).collect();
        crate::output::figure(&stacked, &dir, "timelines", by_name)?;
        crate::output::fractal_png(image, &dir.join("fractal.png"))?;
        let mut note = oversubscription_note(self.ranks);
        for line in &self.notes {
            let _ = writeln!(note, "\n{line}");
        }
        let table = markdown(&rows, self.ranks, args, &note);
        std::fs::write(dir.join("summary.md"), &table).context("cannot write summary.md")?;
        let json = serde_json::to_string_pretty(&rows)? + "\n";
        std::fs::write(dir.join("summary.json"), json).context("cannot write summary.json")?;
        let title = format!("processes on {} ranks", self.ranks);
        crate::html_page::write_folder_page(&dir, &title, &note, &results_table(&rows))?;
        let target = out.commit()?;
        crate::out!("{table}")?;
        crate::outln!("\nwritten to {}", target.display())?;
        Ok(())
    }
}

/// A file name for an experiment: `pmap(np=16)` → `pmap-np-16`,
/// `shared(per call)` → `shared-per-call`.
fn file_stem(name: &str) -> String {
    let dashed: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    dashed
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The time of each experiment's recorded run, in order: from the end of
/// rank 0's span of the one before (0 for the first) to the end of its own.
/// Not from its span's start: the other ranks leave the barrier before it
/// and may start their part before rank 0 opens that span, but never
/// before rank 0 ended the previous run (they wait for it at the barrier).
fn windows(trace: &Trace) -> Vec<(u64, u64)> {
    let mut windows: Vec<(u64, u64)> = trace
        .lanes
        .iter()
        .filter(|l| l.pid == 0)
        .flat_map(|l| &l.spans)
        .filter(|s| s.depth == 0 && EXPERIMENT_SPANS.contains(&trace.name(s.name)))
        .map(|s| (s.start_ns, s.end_ns))
        .collect();
    windows.sort_unstable();
    let mut from = 0;
    for window in &mut windows {
        window.0 = from;
        from = window.1;
    }
    windows
}

/// How many ranks computed `juliaset_column` spans.
fn computing_ranks(trace: &Trace) -> u32 {
    let Some(column) = trace.name_id("juliaset_column") else {
        return 0;
    };
    let ranks: std::collections::BTreeSet<u32> = trace
        .lanes
        .iter()
        .filter(|l| l.spans.iter().any(|s| s.name == column))
        .map(|l| l.pid)
        .collect();
    ranks.len() as u32
}

/// The spans (and off-CPU intervals) of `trace` that start within
/// `[start, end]`; lanes keep their thread names (each rank's process
/// name says the rank).
fn slice(trace: &Trace, start: u64, end: u64) -> Trace {
    let lanes = trace
        .lanes
        .iter()
        .map(|lane| {
            let name = lane.thread_name.clone();
            let spans = lane
                .spans
                .iter()
                .filter(|s| s.start_ns >= start && s.start_ns <= end)
                .cloned();
            let mut part = Lane::with_spans(lane.pid, lane.tid, name, spans);
            // Its off-CPU time too: the trace still says it was recorded.
            part.off_cpu = lane
                .off_cpu
                .iter()
                .filter(|o| o.start_ns >= start && o.start_ns <= end)
                .cloned()
                .collect();
            part
        })
        .collect();
    Trace {
        lanes,
        ..trace.clone()
    }
}

/// A line saying the ranks outnumber the cores, or nothing.
fn oversubscription_note(ranks: u32) -> String {
    // A rank may be bound to one core: the launcher tells how many the host has.
    let cores = std::env::var(super::CORES_VAR)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(super::cores);
    if ranks as usize > cores {
        let cores = match cores {
            1 => "1 core".to_owned(),
            n => format!("{n} cores"),
        };
        format!("\n{ranks} ranks on {cores}: oversubscribed (mpirun --oversubscribe), so the ranks take turns on the cores.\n")
    } else {
        String::new()
    }
}

/// The table as Markdown.
fn markdown(rows: &[Row], ranks: u32, args: &ProcessesArgs, note: &str) -> String {
    let mut s = format!(
        "{n}×{n} Julia set on {ranks} MPI ranks, median of {runs} runs:\n\n",
        n = args.size,
        runs = args.runs
    );
    s.push_str(&crate::export::to_markdown(&results_table(rows)));
    s.push_str(
        "\nLoad balance and communication efficiency: POP's, over every rank, from its useful \
         time (in top-level spans, outside MPI calls): mean / max useful, and max useful / wall.\n",
    );
    s.push_str(note);
    s
}

/// The experiments' table, for `summary.md` and `report.html`.
fn results_table(rows: &[Row]) -> Table {
    let mut table = Table::new(&[
        ("experiment", "experiment"),
        ("computing_ranks", "computing ranks"),
        ("bands", "bands"),
        ("median_ms", "median ms"),
        ("speedup", "speed-up"),
        ("load_balance", "load balance"),
        ("communication_efficiency", "communication efficiency"),
        ("same_image", "same image"),
    ]);
    let ratio = |v: Option<f64>| v.map_or(Cell::Missing, Cell::Percent);
    for r in rows {
        table.push(vec![
            Cell::from(r.experiment.as_str()),
            Cell::Int(r.computing_ranks.into()),
            Cell::Int(r.bands as u64),
            Cell::float(r.median_ms, 2),
            Cell::float(r.speedup, 2),
            ratio(r.load_balance),
            ratio(r.communication_efficiency),
            Cell::Bool(r.same_image),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use logprof::Span;

    #[test]
    fn experiments_name_their_files() {
        assert_eq!(file_stem("pmap(np=16)"), "pmap-np-16");
        assert_eq!(file_stem("shared(per call)"), "shared-per-call");
        assert_eq!(file_stem("shared pmap(np=16)"), "shared-pmap-np-16");
    }

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn the_metrics_of_a_window_come_from_its_slice() {
        let receive = logprof::MpiCall {
            side: logprof::MessageSide::Receive,
            peer: 1,
            tag: 10,
            seq: 0,
            bytes: 60,
        };
        let trace = Trace {
            names: vec!["bands".into(), "juliaset_column".into(), "MPI_Recv".into()],
            lanes: vec![
                Lane::with_spans(
                    0,
                    1,
                    "main",
                    [
                        Span::new(0, 100, 200, 0),
                        Span::new(1, 100, 130, 1),
                        Span {
                            mpi: Some(Box::new(receive)),
                            ..Span::new(2, 130, 200, 1)
                        },
                    ],
                ),
                Lane::with_spans(
                    1,
                    1,
                    "main",
                    [Span::new(1, 100, 160, 0), Span::new(1, 300, 400, 0)],
                ),
            ],
            ..Trace::default()
        };
        assert_eq!(windows(&trace), [(0, 200)]);
        let part = slice(&trace, 100, 200);
        assert_eq!(computing_ranks(&part), 2);
        // Useful: rank 0 30 ns (its run less its receive), rank 1 60 ns
        // (its second column is outside the window), over 100 ns.
        let metrics = part.process_metrics().unwrap();
        assert_eq!(metrics.communication_efficiency, 0.6);
        assert_eq!(metrics.load_balance, 0.75);
        assert_eq!(part.lanes[1].spans.len(), 1);
        assert_eq!(part.lanes[1].thread_name, "main");
    }
}
