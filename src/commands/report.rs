//! `logprof report`: a trace's summary in text, and where its time goes
//! region by region ([`Trace::regions`]), with the schedule advised for
//! each imbalanced region ([`logprof_kernels::advice`]).

use anyhow::{bail, Result};
use logprof::{ProcessMetrics, Summary, Trace};
use serde_json::json;

use crate::big_file::{self, ReadMode};
use crate::cli::ReportArgs;
use crate::results::ms;
use logprof_trace::table::percent;

/// The headline lines about the CPU: threads on fewer cores, the
/// wall-clock figures beside the on-CPU ones, and off-CPU time missing.
fn cpu_lines(summary: &Summary) -> String {
    let mut out = String::new();
    let over = summary.cores.filter(|&c| summary.threads > c as usize);
    if let (Some(_), Some(threads_on_cores)) = (over, summary.threads_on_cores()) {
        out.push_str(&format!(
            "{threads_on_cores}: parallel efficiency is against {} {}\n",
            summary.usable_cores,
            if summary.usable_cores == summary.threads {
                format!(
                    "threads (wall-clock busy time: {} time-share the cores)",
                    summary.who_time_shares()
                )
            } else if summary.usable_cores == 1 {
                "core".to_owned()
            } else {
                "cores".to_owned()
            }
        ));
    }
    if summary.off_cpu.is_recorded() {
        out.push_str(&format!(
            "from on-CPU busy time; wall-clock busy time gives load balance {:.3}, parallel efficiency {:.3}\n",
            summary.wall_load_balance, summary.wall_parallel_efficiency
        ));
    }
    for line in summary.core_lines() {
        out.push_str(&format!("{line}\n"));
    }
    if let Some(note) = summary.off_cpu.note() {
        out.push_str(&format!("{note}\n"));
    }
    out
}

/// The headline metrics of a summary, one `name: value` a line, then the
/// trace's `notes` (what its pictures warn of).
/// `spans`: how many the trace holds (a trace read in one pass holds none
/// in memory).
pub fn headline(trace: &Trace, spans: u64, summary: &Summary, notes: &[String]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "lanes: {} ({} scored)   spans: {}   wall: {:.3} ms\n",
        trace.lanes.len(),
        summary.scored_lanes,
        spans,
        ms(summary.wall_ns as f64)
    ));
    if summary.scored_lanes == 0 {
        out.push_str("no spans: the trace holds no work to score (load balance not computed)\n");
    } else {
        out.push_str(&format!(
            "load balance: {:.3} ({})   parallel efficiency: {:.3} ({})   max − mean busy: {:.3} ms\n",
            summary.load_balance,
            percent(summary.load_balance),
            summary.parallel_efficiency,
            percent(summary.parallel_efficiency),
            ms(summary.imbalance_ns)
        ));
        let unscored = summary.lanes.len() - summary.scored_lanes;
        if unscored > 0 {
            out.push_str(&format!(
                "scored: the {} lanes that did work; {unscored} without work (names only, or \
                 aggregates) are listed, not scored\n",
                summary.scored_lanes
            ));
        }
        out.push_str(&cpu_lines(summary));
    }
    if let Some(processes) = &summary.processes {
        out.push_str(&process_lines(processes, summary.off_cpu.is_recorded()));
    }
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
    for line in notes {
        out.push_str(&format!("note: {line}\n"));
    }
    out
}

/// POP's process-level metrics of a trace of several processes (the ranks
/// of a merged MPI trace): one line of totals, one line per process.
fn process_lines(p: &ProcessMetrics, off_cpu: bool) -> String {
    let mut out = format!(
        "processes: {}   communication efficiency: {:.3} ({})   load balance over processes: {:.3} ({})   messages: {}\n",
        p.processes.len(),
        p.communication_efficiency,
        percent(p.communication_efficiency),
        p.load_balance,
        percent(p.load_balance),
        p.messages
    );
    for process in &p.processes {
        // Two processes of one name (another tool's trace) are told apart
        // by their pids.
        let shared_name = p
            .processes
            .iter()
            .filter(|q| q.name == process.name)
            .count()
            > 1;
        let name = match shared_name {
            true => format!("{} (pid {})", process.name, process.pid),
            false => process.name.clone(),
        };
        out.push_str(&format!(
            "  {name}: useful {:.3} ms   in MPI {:.3} ms   busy {:.3} ms   threads {}\n",
            ms(process.useful_ns as f64),
            ms(process.mpi_ns as f64),
            ms(process.busy_ns as f64),
            process.lanes
        ));
    }
    out.push_str(
        "  (useful: time in top-level spans outside MPI calls; communication efficiency = \
         max useful / wall; load balance = mean useful / max useful)\n",
    );
    if p.processes.iter().all(|process| process.mpi_ns == 0) {
        out.push_str(
            "  no MPI time recorded (no spans of category mpi or named MPI_…): useful is all \
             busy time, and communication efficiency only says how much of the run the \
             busiest process worked\n",
        );
    }
    if off_cpu {
        out.push_str(
            "  useful time is wall-clock time: it includes time a rank was preempted or \
             blocked (the threads' on-CPU figures are above)\n",
        );
    }
    if p.unmatched_message_ends > 0 {
        out.push_str(&format!(
            "  {} message ends without their other end in the trace (no arrow drawn)\n",
            p.unmatched_message_ends
        ));
    }
    out
}

/// The name of the trace file, as the title of its report and picture.
pub fn file_title(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Runs `report`: checks the export targets, reads the trace (whole, or
/// in one pass when it is a big `.lpt` file), prints.
pub fn run(args: &ReportArgs) -> Result<()> {
    let html: Vec<(&str, &std::path::Path)> =
        args.html.iter().map(|h| ("--html", h.as_path())).collect();
    crate::output::check_paths_and(&[("the trace", &args.trace)], &args.export, &html, None)?;
    let mode = ReadMode::of_flags(args.stream, args.whole);
    if let Some(reason) = big_file::stream_reason(&args.trace, mode)? {
        return run_streamed(args, &reason);
    }
    let trace = Trace::read_file(&args.trace)?;
    let summary = trace.summary();
    let notes = logprof_viz::trace_notes(&trace);
    let mut text = title_line(&trace, &args.trace);
    text += &headline(&trace, trace.span_count() as u64, &summary, &notes);
    text += "\n";
    let mut regions = trace.regions();
    // The schedule each imbalanced region should use, from the simulator.
    logprof_kernels::advice::advise(&mut regions);
    if args.regions > 0 {
        text += &format!("where the time goes\n{}\n", regions.to_text(args.regions));
    }
    // The text tables are the summary's own `Display`, of the same tables
    // the exports write.
    text += &format!("{summary:.top$}", top = args.top);
    crate::out!("{text}")?;
    if let Some(path) = &args.html {
        let title = file_title(&args.trace);
        crate::html_page::write_trace_page(path, &title, &trace, Some(&text))?;
    }
    let mut meta = meta_json(args, trace.span_count() as u64, &summary, &notes);
    meta["regions"] = json!(regions.regions);
    meta["region_ranking"] = json!(regions.ranking);
    meta["region_notes"] = json!(regions.notes);
    args.export.write(&summary.lanes_table(), &meta)
}

/// `report` of a big `.lpt` file, read in one pass
/// ([`Trace::summarize_lpt`]): the same headline and tables; the regions,
/// and whatever else the pass leaves out, said to be left out.
fn run_streamed(args: &ReportArgs, reason: &str) -> Result<()> {
    if args.html.is_some() {
        bail!(
            "--html: {} is read in one pass ({reason}), and the page draws every span; leave              out --html (`logprof render` draws such a file), or give --whole if memory allows",
            args.trace.display()
        );
    }
    let pass = Trace::summarize_lpt(&args.trace)?;
    let (trace, summary) = (&pass.trace, &pass.summary);
    let notes = logprof_viz::trace_notes(trace);
    let mut text = title_line(trace, &args.trace);
    text += &format!(
        "read in one pass, chunk by chunk, its spans not held ({reason}; --whole reads it whole)\n"
    );
    text += &headline(trace, pass.span_count, summary, &notes);
    let mut left_out = pass.left_out.clone();
    if args.regions > 0 {
        left_out.insert(0, REGIONS_LEFT_OUT.to_owned());
    }
    for line in &left_out {
        text += &format!("left out: {line}\n");
    }
    text += "\n";
    text += &format!("{summary:.top$}", top = args.top);
    crate::out!("{text}")?;
    let mut meta = meta_json(args, pass.span_count, summary, &notes);
    meta["read_in_one_pass"] = json!(reason);
    meta["left_out"] = json!(left_out);
    args.export.write(&summary.lanes_table(), &meta)
}

/// What `report` says of the regions of a file read in one pass.
pub const REGIONS_LEFT_OUT: &str = "where the time goes (regions and the schedule advised for \
    each): they need the trace whole, and the file is too big to read whole by default; give \
    --whole if memory allows, or record fewer iterations";

/// The report's first line: the file's name, and its process.
fn title_line(trace: &Trace, path: &std::path::Path) -> String {
    match &trace.process_name {
        Some(process) => format!("{} (process: {process})\n", file_title(path)),
        None => format!("{}\n", file_title(path)),
    }
}

/// The JSON export's figures (without the regions).
fn meta_json(
    args: &ReportArgs,
    spans: u64,
    summary: &Summary,
    notes: &[String],
) -> serde_json::Value {
    let functions = summary.functions_table(args.top);
    json!({
        "trace": args.trace.display().to_string(),
        "wall_ms": ms(summary.wall_ns as f64),
        "scored_lanes": summary.scored_lanes,
        "load_balance": (summary.scored_lanes > 0).then_some(summary.load_balance),
        "parallel_efficiency": (summary.scored_lanes > 0).then_some(summary.parallel_efficiency),
        "notes": notes,
        "max_minus_mean_busy_ms": ms(summary.imbalance_ns),
        "migrated_tasks": summary.migrated_tasks,
        "core_load_balance": (summary.scored_lanes > 0).then_some(summary.core_load_balance),
        "core_busy": summary.core_busy,
        "placement_loss_ms": summary.placement_loss_ns.map(|ns| ms(ns as f64)),
        "waited_lanes": summary.waited_lanes,
        "wall_load_balance": summary.wall_load_balance,
        "wall_parallel_efficiency": summary.wall_parallel_efficiency,
        "threads": summary.threads,
        "spans": spans,
        "cores": summary.cores,
        "off_cpu": summary.off_cpu,
        "functions": functions.to_json_rows(),
        "processes": summary.processes,
        "regions": null,
        "region_ranking": null,
        "region_notes": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use logprof::{Lane, Span};

    #[test]
    fn processes_of_one_name_are_told_apart_by_pid() {
        let mut trace = Trace::new();
        let work = trace.intern("work");
        for pid in [3, 5, 8] {
            trace.lanes.push(Lane::with_spans(
                pid,
                1,
                "main",
                [Span::new(work, 0, 10, 0)],
            ));
        }
        trace.process_names.insert(3, "trainer".into());
        trace.process_names.insert(5, "trainer".into());
        trace.process_names.insert(8, "loader".into());
        let metrics = trace.process_metrics().expect("three processes");
        let text = process_lines(&metrics, false);
        assert!(text.contains("  trainer (pid 3): useful"), "{text}");
        assert!(text.contains("  trainer (pid 5): useful"), "{text}");
        assert!(text.contains("  loader: useful"), "{text}");
    }
}
