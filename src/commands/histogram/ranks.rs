//! One rank of `logprof histogram`: rank 0 times the serial and thread rows
//! while the others sleep, then every rank counts its share of the files
//! for each counter, between barriers, and rank 0 times each run up to the
//! reduced counts, checks them, and prints the table. Then one more run of
//! each counter, recorded on every rank, is gathered: rank 0 writes it as
//! one trace with its timeline.

use std::time::Instant;

use anyhow::{Context, Result};
use logprof::ranks::Ranks;
use logprof_kernels::histogram::{Counter, HistogramOptions};
use logprof_kernels::histogram_ranks::{
    histogram_ranks, idle_until_released, release_ranks_from, slowest_rank,
};
use mpi::traits::*;

use super::folder::Folder;
use super::measure::{local_rows, Row, Way};
use crate::cli::HistogramArgs;
use crate::output::OutDir;

/// Runs this rank; rank 0 prints the table.
pub fn run(ranks: &Ranks, args: &HistogramArgs) -> Result<()> {
    let folder = Folder::open(args.files.as_deref())?;
    let world = ranks.world();
    // Each counter's run: two spans (counting, reduce) of two events each;
    // room for every run, though only the last, recorded, one is kept.
    logprof::init_buffer((4 * 2 * (args.warmup + args.runs + 1) + 64).next_power_of_two());
    let out = match ranks.is_root() {
        true => Some(OutDir::create(&super::out_dir(args))?),
        false => None,
    };
    let threads = args.threads.unwrap_or(ranks.size() as usize);
    let local = match ranks.is_root() {
        true => {
            let rows = local_rows(&folder, threads, args.runs, args.warmup);
            // Released even on an error: rank 0 then aborts every rank.
            release_ranks_from(world, 1);
            Some(rows?)
        }
        false => {
            idle_until_released(world);
            None
        }
    };
    let mut processes = Vec::new();
    for counter in Counter::ALL {
        let mut times_s = Vec::with_capacity(args.runs);
        let mut counting_s = Vec::with_capacity(args.runs);
        let mut same = true;
        for i in 0..args.warmup + args.runs {
            world.barrier();
            let start = Instant::now();
            let count = histogram_ranks(world, &folder.files, HistogramOptions::plain(counter))
                .context("--files")?;
            let seconds = start.elapsed().as_secs_f64();
            // After the clock stopped: the busiest rank's counting time.
            let busiest = slowest_rank(world, count.counting.as_secs_f64());
            if let (Some(total), Some(busiest), Some((_, reference))) =
                (count.total, busiest, &local)
            {
                same &= total == *reference;
                if i >= args.warmup {
                    times_s.push(seconds);
                    counting_s.push(busiest);
                }
            }
        }
        processes.push(Row {
            way: Way::Processes,
            counter,
            workers: ranks.size() as usize,
            times_s,
            same,
            counting_s,
        });
    }
    let trace = recorded_run(ranks, &folder)?;
    let (Some((mut rows, _)), Some(trace), Some(out)) = (local, trace, out) else {
        return Ok(());
    };
    let title = format!("histogram on {} ranks: each counter once", ranks.size());
    let by_name = logprof_viz::ColorBy::Name;
    crate::output::trace_files(&trace, out.path(), "histogram", &title, by_name)?;
    // Each counter's processes row after its serial and threads rows.
    for row in processes {
        let at = rows
            .iter()
            .rposition(|r| r.counter == row.counter)
            .map_or(rows.len(), |i| i + 1);
        rows.insert(at, row);
    }
    let (table, _) = super::table::host_table(&rows);
    crate::html_page::write_folder_page(out.path(), &title, "", &table)?;
    let dir = out.commit()?;
    super::table::print(&rows, &folder, args, Some(ranks.size()))?;
    crate::outln!(
        "Every rank's counting and reduce, one run of each counter: histogram.trace.json, \
         histogram.svg/.png in {}",
        dir.display()
    )
}

/// One more run of each counter on every rank, recorded (its counting
/// and its reduce are spans), gathered on rank 0: `Some` there.
fn recorded_run(ranks: &Ranks, folder: &Folder) -> Result<Option<logprof::Trace>> {
    let world = ranks.world();
    logprof::clear();
    for counter in Counter::ALL {
        world.barrier();
        histogram_ranks(world, &folder.files, HistogramOptions::plain(counter))
            .context("--files")?;
    }
    Ok(ranks.collect()?)
}
