//! One rank of `logprof sending`: ranks 0 and 1 build the same strings and
//! matrix from the seed, then run each transfer `warmup + runs` times;
//! rank 0 times and checks them and prints the table. Other ranks sleep
//! until rank 0 is done. Every rank's recording is then gathered: rank 0
//! writes it as one trace (each message a flow arrow) with its timeline.

use anyhow::{bail, Result};
use logprof::ranks::Ranks;
use logprof_kernels::histogram_ranks::{idle_until_released, release_ranks_from};
use logprof_kernels::sending::shapes::{Shape, STRINGS};
use logprof_kernels::sending::transfer::{self, Transfer, Workload};
use serde_json::json;

use crate::cli::SendingArgs;
use crate::measure::stats::Stats;
use crate::output::OutDir;
use logprof_trace::table::{Cell, Column, Table};

/// Runs this rank's part of every transfer; rank 0 prints the table.
pub fn run(ranks: &Ranks, args: &SendingArgs) -> Result<()> {
    if ranks.size() < 2 {
        bail!(
            "1 rank: sending needs at least 2 (rank 1 sends, rank 0 receives); run it as \
             `logprof sending --ranks 2` or `mpirun -n 2 logprof sending`"
        );
    }
    let world = ranks.world();
    // A transfer records on rank 0 its span (2 events) and up to three
    // messages (3 each: enter, its index, exit): 11 events; 16 leaves room.
    let transfers = (args.warmup + args.runs) * Transfer::ALL.len();
    logprof::init_buffer((transfers * 16 + 1024).next_power_of_two());
    let out = match ranks.is_root() {
        true => Some(OutDir::create(&super::out_dir(args))?),
        false => None,
    };
    if ranks.rank() >= 2 {
        // Not part of any transfer: asleep, so ranks 0 and 1 keep the cores;
        // on the timeline as an idle lane.
        logprof::keep_lane();
        idle_until_released(world);
        ranks.collect()?;
        return Ok(());
    }
    let work = {
        let _span = logprof::scope!("make strings and matrix");
        Workload::new(args.seed, STRINGS, args.matrix)
    };
    transfer::ready(world);
    let mut rows = Vec::new();
    for t in Transfer::ALL {
        let mut times = Vec::with_capacity(args.runs);
        let mut last = None;
        for i in 0..args.warmup + args.runs {
            if let Some(outcome) = transfer::run(world, t, &work)? {
                if !outcome.same {
                    bail!("{}: rank 0 did not get what rank 1 sent", name(t).0);
                }
                if i >= args.warmup {
                    times.push(outcome.seconds);
                }
                last = Some(outcome);
            }
        }
        if let Some(outcome) = last {
            let median = Stats::of(&times).map_or(f64::NAN, |s| s.median);
            rows.push((t, median, outcome.bytes, outcome.same));
        }
    }
    if ranks.is_root() {
        release_ranks_from(world, 2);
    }
    let (Some(trace), Some(out)) = (ranks.collect()?, out) else {
        return Ok(());
    };
    let title = format!(
        "sending: rank 1 → rank 0, {} transfers of each row",
        args.warmup + args.runs
    );
    let by_name = logprof_viz::ColorBy::Name;
    crate::output::trace_files(&trace, out.path(), "sending", &title, by_name)?;
    let table = table(&rows, args.matrix);
    crate::html_page::write_folder_page(out.path(), &title, "", &table)?;
    let dir = out.commit()?;
    crate::outln!(
        "{STRINGS} random strings (seed {}) and a {n}×{n} matrix, rank 1 → rank 0 on {} ranks, \
         median of {} transfers:\n",
        args.seed,
        ranks.size(),
        args.runs,
        n = args.matrix,
    )?;
    crate::out!("{}", table.to_text())?;
    crate::outln!(
        "\nEvery row is a request from rank 0 and rank 1's answer, as remotecall_fetch; the \
         handshake row is that floor alone. relative: to the vector of strings (the matrix \
         rows: to the recipe row). The flat rows end with the flat form received, as the \
         lecture's; rebuilding the strings from it is not timed."
    )?;
    let cores = super::super::launch::host_cores();
    if ranks.size() > 2 {
        crate::outln!(
            "Ranks 2 to {} sleep through the transfers.",
            ranks.size() - 1
        )?;
    }
    if ranks.size() as usize > cores {
        crate::outln!(
            "{} ranks on {cores} core(s): oversubscribed (mpirun --oversubscribe).",
            ranks.size()
        )?;
    }
    crate::outln!(
        "Every rank's recording, each message a flow arrow: sending.trace.json, sending.svg/.png \
         in {}",
        dir.display()
    )?;
    let meta = json!({
        "command": "sending",
        "ranks": ranks.size(),
        "strings": STRINGS,
        "matrix_side": args.matrix,
        "seed": args.seed,
        "runs": args.runs,
        "host_cores": cores,
    });
    args.export.write(&table, &meta)
}

/// A transfer's row name and what goes on the wire.
fn name(t: Transfer) -> (&'static str, &'static str) {
    match t {
        Transfer::Handshake => ("handshake only", "1-byte request, empty answer"),
        Transfer::Serialised(Shape::Vector) => ("vector of strings", "postcard"),
        Transfer::Serialised(Shape::Map) => ("map", "postcard"),
        Transfer::Serialised(Shape::Pairs) => ("vector of pairs", "postcard"),
        Transfer::Serialised(Shape::Flat) => ("flat: lengths + joined", "postcard"),
        Transfer::FlatBuffers => ("flat: lengths + joined", "2 MPI buffers, no serde"),
        Transfer::MatrixSent => ("matrix sent, squared there", "matrix out, checksum back"),
        Transfer::RecipeSent => (
            "recipe sent, generated + squared there",
            "seed + size out, checksum back",
        ),
    }
}

/// The table: one row a transfer.
fn table(rows: &[(Transfer, f64, u64, bool)], side: usize) -> Table {
    let mut table = Table::with_columns(vec![
        Column::new("transfer", "transfer"),
        Column::new("form", "form"),
        Column::new("bytes", "bytes"),
        Column::new("median_us", "median µs"),
        Column::new("relative", "relative"),
        Column::new("same", "same data"),
    ]);
    let median_of = |wanted: Transfer| {
        rows.iter()
            .find(|r| r.0 == wanted)
            .map_or(f64::NAN, |r| r.1)
    };
    let vector = median_of(Transfer::Serialised(Shape::Vector));
    let recipe = median_of(Transfer::RecipeSent);
    for &(t, median, bytes, same) in rows {
        let (what, form) = name(t);
        let form = match t {
            Transfer::MatrixSent => format!("{side}×{side} f64 out, checksum back"),
            _ => form.to_owned(),
        };
        let base = match t {
            Transfer::MatrixSent | Transfer::RecipeSent => recipe,
            _ => vector,
        };
        table.push(vec![
            Cell::from(what),
            Cell::from(form),
            Cell::Int(bytes),
            Cell::float(median * 1e6, 1),
            Cell::float(median / base, 2),
            Cell::Bool(same),
        ]);
    }
    table
}
