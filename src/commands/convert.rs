//! `logprof convert IN OUT`: a trace file in another format. The input's
//! format is told by its first bytes ([`Trace::read_file`]), the output's by
//! its extension ([`logprof::TraceFormat::of_path`]); the output is written whole
//! or not at all, and never over the input.

use anyhow::Result;
use logprof::Trace;

use crate::cli::ConvertArgs;
use crate::output::{check_file_target, trace_format_of, Paths};

/// Runs `convert`: checks the output's name and place, reads, writes, and
/// says what it converted and what the reader repaired.
pub fn run(args: &ConvertArgs) -> Result<()> {
    let out = &args.output;
    let format = trace_format_of(out, "OUT")?;
    check_file_target(out, "OUT", None)?;
    Paths {
        inputs: vec![("the trace", &args.input)],
        files: vec![("OUT", out)],
        dir: None,
    }
    .check_apart()?;
    let trace = Trace::read_file(&args.input)?;
    trace.write_as(out, format)?;
    crate::outln!(
        "{}: {} lanes, {} spans, {} counters, as {}",
        out.display(),
        trace.lanes.len(),
        trace.span_count(),
        trace.counters.len(),
        format.name()
    )?;
    for note in trace.repairs.sentences() {
        crate::outln!("  read from {}: {note}", args.input.display())?;
    }
    Ok(())
}
