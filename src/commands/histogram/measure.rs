//! Timing the histogram's rows that need no MPI: serial and on threads,
//! with each counter.

use std::time::Instant;

use anyhow::Result;
use logprof_kernels::histogram::{
    histogram_serial, histogram_threads, Counter, Histogram, HistogramOptions,
};
use logprof_kernels::Pool;

use super::folder::Folder;

/// How a row counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// One file after the other on one thread.
    Serial,
    /// One task a file on a pool of threads.
    Threads,
    /// The files shared over MPI ranks, counts reduced on rank 0.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    Processes,
}

impl Way {
    /// `serial`, `threads` or `processes`.
    pub fn name(self) -> &'static str {
        match self {
            Way::Serial => "serial",
            Way::Threads => "threads",
            Way::Processes => "processes",
        }
    }
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Row {
    /// How it counted.
    pub way: Way,
    /// With which counter.
    pub counter: Counter,
    /// Threads or ranks (1 for serial).
    pub workers: usize,
    /// The timed runs, in seconds.
    pub times_s: Vec<f64>,
    /// Whether every run's counts equal the serial count.
    pub same: bool,
    /// Processes rows: in each timed run, the longest any rank spent
    /// counting its own files (the rest of the run is waiting and the
    /// reduce); empty for the other rows.
    pub counting_s: Vec<f64>,
}

/// Runs `count` `warmup + runs` times, timing the last `runs`; the
/// histograms of all runs, each compared to `reference`.
pub fn time_runs(
    runs: usize,
    warmup: usize,
    reference: Option<&Histogram>,
    mut count: impl FnMut() -> Result<Histogram>,
) -> Result<(Vec<f64>, bool, Histogram)> {
    let mut times = Vec::with_capacity(runs);
    let mut same = true;
    let mut last = Histogram::new();
    for i in 0..warmup + runs {
        let start = Instant::now();
        last = count()?;
        let seconds = start.elapsed().as_secs_f64();
        if i >= warmup {
            times.push(seconds);
        }
        same &= reference.is_none_or(|r| *r == last);
    }
    Ok((times, same, last))
}

/// The serial and thread rows for both counters, and the serial count
/// (array counter) every other row is checked against.
pub fn local_rows(
    folder: &Folder,
    threads: usize,
    runs: usize,
    warmup: usize,
) -> Result<(Vec<Row>, Histogram)> {
    let files = &folder.files;
    let reference = histogram_serial(files, HistogramOptions::plain(Counter::Array))?;
    let pool = Pool::new(threads)?;
    let mut rows = Vec::new();
    for counter in Counter::ALL {
        let options = HistogramOptions::plain(counter);
        let (times_s, same, _) = time_runs(runs, warmup, Some(&reference), || {
            Ok(histogram_serial(files, options)?)
        })?;
        rows.push(Row {
            way: Way::Serial,
            counter,
            workers: 1,
            times_s,
            same,
            counting_s: Vec::new(),
        });
        let (times_s, same, _) = time_runs(runs, warmup, Some(&reference), || {
            Ok(histogram_threads(&pool, files, options)?)
        })?;
        rows.push(Row {
            way: Way::Threads,
            counter,
            workers: threads,
            times_s,
            same,
            counting_s: Vec::new(),
        });
    }
    Ok((rows, reference))
}
