//! What a picture of a trace says about the trace itself: the repairs its
//! reader made, and what the trace holds that the timeline does not draw.
//! `logprof report` prints the same sentences.

use logprof_trace::Trace;

use super::layout::MAX_COUNTER_TRACKS;
use crate::scale::count;

/// One sentence per kind of repair made in reading `trace` (spans cut off
/// at the end, skipped events, text ids...) and per kind of event it keeps
/// or counts but the timeline does not draw (async spans, flows, counter
/// tracks beyond the first 8). Empty for a trace logprof recorded.
pub fn trace_notes(trace: &Trace) -> Vec<String> {
    let mut notes = trace.repairs.sentences();
    let left_out = trace.counters.iter().skip(MAX_COUNTER_TRACKS);
    let (tracks, samples) = left_out.fold((0, 0), |(t, s), c| (t + 1, s + c.samples.len()));
    if tracks > 0 {
        notes.push(format!(
            "{} counter tracks ({} samples) beyond the first {MAX_COUNTER_TRACKS} not drawn",
            count(tracks as u64),
            count(samples as u64)
        ));
    }
    notes
}
