//! `logprof report`: a trace's summary in text.

use anyhow::Result;
use logprof::{Summary, Trace};
use serde_json::json;

use crate::cli::ReportArgs;
use crate::results::ms;
use crate::table::{percent, Cell, Table};

/// The per-thread table of a summary.
pub fn lanes_table(summary: &Summary) -> Table {
    let mut table = Table::new(&[
        ("thread", "thread"),
        ("tid", "tid"),
        ("spans", "spans"),
        ("busy_ms", "busy ms"),
        ("idle_ms", "idle ms"),
        ("utilisation", "utilisation"),
    ]);
    for lane in &summary.lanes {
        table.push(vec![
            Cell::from(lane.thread_name.as_str()),
            Cell::Int(lane.tid),
            Cell::Int(lane.spans as u64),
            Cell::float(ms(lane.busy_ns as f64), 3),
            Cell::float(ms(lane.idle_ns as f64), 3),
            Cell::Percent(lane.utilisation),
        ]);
    }
    table
}

/// The functions that take the most time.
pub fn functions_table(summary: &Summary, top: usize) -> Table {
    let mut table = Table::new(&[
        ("function", "function"),
        ("calls", "calls"),
        ("total_ms", "total ms"),
        ("mean_us", "mean µs"),
    ]);
    for f in summary.functions.iter().take(top) {
        table.push(vec![
            Cell::from(f.name.as_str()),
            Cell::Int(f.calls),
            Cell::float(ms(f.total_ns as f64), 3),
            Cell::float(f.total_ns as f64 / f.calls.max(1) as f64 / 1e3, 2),
        ]);
    }
    table
}

/// The headline metrics of a summary, one `name: value` a line.
pub fn headline(trace: &Trace, summary: &Summary) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "lanes: {}   spans: {}   wall: {:.3} ms\n",
        trace.lanes.len(),
        trace.span_count(),
        ms(summary.wall_ns as f64)
    ));
    out.push_str(&format!(
        "load balance: {:.3} ({})   parallel efficiency: {:.3} ({})   max − mean busy: {:.3} ms\n",
        summary.load_balance,
        percent(summary.load_balance),
        summary.parallel_efficiency,
        percent(summary.parallel_efficiency),
        ms(summary.imbalance_ns)
    ));
    if summary.migrated_tasks > 0 {
        out.push_str(&format!(
            "tasks that ran on more than one thread: {}\n",
            summary.migrated_tasks
        ));
    }
    let l = trace.losses;
    if !l.is_empty() {
        out.push_str(&format!("lost: {}\n", l.advice()));
    }
    out
}

/// Runs `report`: checks the export targets, reads the trace, prints.
pub fn run(args: &ReportArgs) -> Result<()> {
    crate::output::check_exports(&args.export, None)?;
    let trace = Trace::read_chrome_json(&args.trace)?;
    let summary = trace.summary();
    let title = trace
        .process_name
        .clone()
        .unwrap_or_else(|| args.trace.display().to_string());
    println!("{title}");
    print!("{}", headline(&trace, &summary));
    println!();
    let lanes = lanes_table(&summary);
    print!("{}", lanes.to_text());
    println!();
    let functions = functions_table(&summary, args.top);
    print!("{}", functions.to_text());
    let meta = json!({
        "trace": args.trace.display().to_string(),
        "wall_ms": ms(summary.wall_ns as f64),
        "load_balance": summary.load_balance,
        "parallel_efficiency": summary.parallel_efficiency,
        "max_minus_mean_busy_ms": ms(summary.imbalance_ns),
        "migrated_tasks": summary.migrated_tasks,
        "functions": functions.to_json_rows(),
    });
    args.export.write(&lanes, &meta)
}
