//! What a picture of a trace says about the trace itself: the repairs its
//! reader made, and what the trace holds that the timeline does not draw.
//! `logprof report` prints the same sentences.

use logprof::Trace;

use crate::scale::count;

/// One sentence per kind of repair made in reading `trace` (spans cut off
/// at the end, skipped events, text ids...) and per kind of event it keeps
/// or counts but the timeline does not draw (counters, async spans,
/// flows). Empty for a trace logprof recorded.
pub fn trace_notes(trace: &Trace) -> Vec<String> {
    let mut notes = trace.repairs.sentences();
    if !trace.counters.is_empty() {
        let samples: usize = trace.counters.iter().map(|c| c.samples.len()).sum();
        notes.push(format!(
            "{} counter tracks ({} samples) not drawn",
            count(trace.counters.len() as u64),
            count(samples as u64)
        ));
    }
    notes
}
