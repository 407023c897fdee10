//! `logprof merge IN... -o OUT`: the files the ranks of an MPI run
//! streamed, merged into one trace ([`logprof_trace::ranks::merge_files`]).
//! What was assumed or left out (a file cut off, a rank without clock
//! samples) is said after the summary line; a set of files that cannot be
//! merged right (a rank twice, a rank missing, two runs) is an error and
//! writes nothing.

use anyhow::Result;
use logprof_trace::ranks::merge_files;

use crate::cli::MergeArgs;
use crate::output::{check_file_target, trace_format_of, Paths};

/// Runs `merge`: checks OUT's name and place, merges, says what it merged.
pub fn run(args: &MergeArgs) -> Result<()> {
    let out = &args.output;
    trace_format_of(out, "OUT")?;
    check_file_target(out, "OUT", None)?;
    Paths {
        inputs: args
            .inputs
            .iter()
            .map(|p| ("an input", p.as_path()))
            .collect(),
        files: vec![("OUT", out)],
        dir: None,
    }
    .check_apart()?;
    let report = merge_files(&args.inputs, out, args.allow_missing)?;
    // Events chunks (ranks streamed without message keys) are copied as
    // they are, paired by whoever reads the merged file.
    let unpaired = match report.unpaired_events {
        0 => String::new(),
        n => format!(" and {n} events paired when read"),
    };
    crate::outln!(
        "{}: {} files of {} ranks merged, {} spans{unpaired}, {} messages paired ({} ends unpaired), {} bytes",
        out.display(),
        report.files,
        report.ranks,
        report.spans,
        report.messages,
        report.unmatched_message_ends,
        report.bytes
    )?;
    for note in &report.notes {
        crate::outln!("  note: {note}")?;
    }
    Ok(())
}
