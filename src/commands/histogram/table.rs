//! The histogram's table: a row per way and counter, with the median
//! time, the speed-up over serial with the same counter, whether the
//! counts equal the serial count, and a note where a figure cannot mean
//! what its name says.

use anyhow::Result;
use serde_json::json;

use super::folder::Folder;
use super::measure::{Row, Way};
use crate::cli::HistogramArgs;
use crate::measure::stats::Stats;
use logprof_trace::table::{Cell, Column, Table};

/// The median of a row's runs, in seconds.
fn median(row: &Row) -> f64 {
    Stats::of(&row.times_s).map_or(f64::NAN, |s| s.median)
}

/// What stands beside a row whose workers outnumber the cores they had.
fn note(row: &Row, cores: usize, bound: Option<usize>) -> String {
    match row.way {
        Way::Serial => String::new(),
        Way::Threads => match bound {
            Some(k) if k < row.workers => {
                format!("rank 0 bound to {k} core(s): run mpirun with --bind-to none")
            }
            _ if row.workers > cores => format!("more threads than cores ({cores})"),
            _ => String::new(),
        },
        Way::Processes => {
            let busiest = Stats::of(&row.counting_s).map_or(f64::NAN, |s| s.median);
            let counting = format!("busiest rank counted {:.2} ms", busiest * 1e3);
            match row.workers > cores {
                true => format!(
                    "oversubscribed: {} ranks on {cores} core(s); {counting}",
                    row.workers
                ),
                false => counting,
            }
        }
    }
}

/// The table of `rows`; `cores` are the host's, `bound` the cores the
/// threads rows could use when fewer were allowed.
pub fn table(rows: &[Row], cores: usize, bound: Option<usize>) -> Table {
    let mut table = Table::with_columns(vec![
        Column::new("way", "way"),
        Column::new("counter", "counter"),
        Column::new("workers", "workers"),
        Column::new("median_ms", "median ms"),
        Column::new("speedup", "speed-up"),
        Column::new("same_counts", "same counts"),
        Column::new("note", "note"),
    ]);
    for row in rows {
        let serial = rows
            .iter()
            .find(|r| r.way == Way::Serial && r.counter == row.counter)
            .map_or(f64::NAN, median);
        table.push(vec![
            Cell::from(row.way.name()),
            Cell::from(row.counter.name()),
            Cell::Int(row.workers as u64),
            Cell::float(median(row) * 1e3, 2),
            Cell::float(serial / median(row), 2),
            Cell::Bool(row.same),
            Cell::from(note(row, cores, bound)),
        ]);
    }
    table
}

/// The table of `rows` on this host, and the host's cores.
pub fn host_table(rows: &[Row]) -> (Table, usize) {
    let cores = super::super::launch::host_cores();
    // The cores this process may run on: fewer than the host's when mpirun
    // bound it.
    let allowed = std::thread::available_parallelism().map_or(cores, |n| n.get());
    let bound = (allowed < cores).then_some(allowed);
    (table(rows, cores, bound), cores)
}

/// Prints the table with its heading and writes the exports; `ranks` is
/// the number of MPI ranks when there were processes rows.
pub fn print(
    rows: &[Row],
    folder: &Folder,
    args: &HistogramArgs,
    ranks: Option<u32>,
) -> Result<()> {
    let (table, cores) = host_table(rows);
    let source = match folder.generated {
        true => "a generated folder".to_owned(),
        false => folder.dir.display().to_string(),
    };
    let size = match folder.bytes {
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1 << 20) as f64),
    };
    crate::outln!(
        "Byte histogram of {} files ({size}) in {source}, median of {} runs:\n",
        folder.files.len(),
        args.runs
    )?;
    crate::out!("{}", table.to_text())?;
    crate::outln!(
        "\nspeed-up: over serial with the same counter. same counts: every run's counts equal \
         the serial count."
    )?;
    if ranks.is_none() {
        crate::outln!("Processes rows: add --ranks N (a logprof built with the mpi feature).")?;
    }
    let meta = json!({
        "command": "histogram",
        "files": folder.files.len(),
        "bytes": folder.bytes,
        "generated": folder.generated,
        "runs": args.runs,
        "ranks": ranks,
        "host_cores": cores,
    });
    args.export.write(&table, &meta)
}
