//! What reading or recording could not keep as it was: [`Losses`] (events
//! the recorder lost) and [`Repairs`] (what the reader of another tool's
//! file repaired, skipped or kept without drawing), each with the sentences
//! that say so.

/// What the recorder could not turn into spans; all zero for a lossless run.
///
/// Serialised as the trace files carry it (Chrome JSON's
/// `otherData.logprof.losses`, the `.pftrace` metadata entry): a count
/// missing from a file reads as 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Losses {
    /// Events overwritten in a full ring buffer before `collect()` read them.
    pub overwritten_events: u64,
    /// Exits whose enter was lost (overwritten, or recorded before a `clear`),
    /// skipped.
    pub unmatched_exits: u64,
    /// Enters with no exit yet when the trace was collected (calls still
    /// running, or a slice left open), skipped.
    pub unclosed_enters: u64,
    /// Events a streaming writer (`logprof::stream_to`) could not drain
    /// before its ring wrapped over them: the recording thread never waits
    /// for the disk, so they were dropped, and counted here.
    pub dropped_events: u64,
}

impl Losses {
    /// True when nothing was lost.
    pub fn is_empty(&self) -> bool {
        *self == Losses::default()
    }

    /// What was lost and what to do about it, one clause per kind, or an
    /// empty string when nothing was. Only overwrites are fixed by a bigger
    /// buffer (`logprof::adjust_buffer` and a rerun); an unmatched exit or
    /// an unclosed enter without overwrites points to the code recorded.
    pub fn advice(&self) -> String {
        let mut parts = Vec::new();
        if self.overwritten_events > 0 {
            parts.push(format!(
                "{} events overwritten in full ring buffers (grow them with \
                 logprof::adjust_buffer and run again)",
                self.overwritten_events
            ));
        }
        if self.dropped_events > 0 {
            parts.push(format!(
                "{} events dropped while streaming: the writer could not keep up (give it a \
                 core of its own, or grow the rings with logprof::init_buffer)",
                self.dropped_events
            ));
        }
        if self.unmatched_exits > 0 {
            parts.push(format!(
                "{} exits without their enter ({})",
                self.unmatched_exits,
                if self.overwritten_events > 0 || self.dropped_events > 0 {
                    "their enters were overwritten or dropped"
                } else {
                    "spans open across a clear, or guards moved to another thread"
                }
            ));
        }
        if self.unclosed_enters > 0 {
            parts.push(format!(
                "{} enters never closed (calls still running when collected, guards \
                 forgotten, or held across an .await: record futures with \
                 logprof::Instrument::recorded)",
                self.unclosed_enters
            ));
        }
        parts.join("; ")
    }
}

/// What the reader of another tool's trace file repaired, skipped or kept
/// without drawing, counted by kind, so that nothing is changed silently.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repairs {
    /// `B` events never closed: each span ends where its lane's last event
    /// is, marked [`Span::unfinished`](crate::Span::unfinished).
    pub unclosed_begins: u64,
    /// `E` events that closed nothing, skipped.
    pub stray_ends: u64,
    /// `X` events without a numeric `dur`, skipped.
    pub complete_without_dur: u64,
    /// Events without a usable `ts` (missing, negative, not a number),
    /// or whose end is past 2^64 ns, skipped.
    pub bad_times: u64,
    /// Events whose `ts` or `dur` is a number written as a string, read.
    pub text_times: u64,
    /// Events whose `pid` or `tid` is text (`"stream 7"`) or negative,
    /// mapped to lanes named by the text, with a stable numeric id.
    pub text_ids: u64,
    /// Trailing commas (`[{...},]`) passed over.
    pub trailing_commas: u64,
    /// True when the file ended inside the event array: the complete events
    /// before the cut are read.
    pub cut_at_end: bool,
    /// Events kept out of the spans and the picture, by kind (`"async
    /// (b/e, S/T/p/F)"`, `"flow (s/t/f)"`, ...).
    pub not_drawn: std::collections::BTreeMap<String, u64>,
    /// True when the trace was read from another tool's file: its lanes
    /// without spans are threads it named, not workers of a logprof run
    /// that got no work, so the summary does not score them. Not a repair.
    pub from_other_tool: bool,
}

impl Repairs {
    /// True when nothing was repaired, skipped or left undrawn.
    pub fn is_empty(&self) -> bool {
        *self
            == Repairs {
                from_other_tool: self.from_other_tool,
                ..Repairs::default()
            }
    }

    /// One short sentence per kind of repair, for a report or a picture.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut say = |n: u64, what: &str| {
            if n > 0 {
                out.push(format!("{n} {what}"));
            }
        };
        say(
            self.unclosed_begins,
            "spans still open at the end of the trace, drawn to the end of their lane",
        );
        say(self.stray_ends, "E events that close nothing, skipped");
        say(self.complete_without_dur, "X events without dur, skipped");
        say(self.bad_times, "events without a usable ts, skipped");
        say(self.text_times, "events with times written as text, read");
        say(
            self.text_ids,
            "events with text thread or process ids mapped to lanes",
        );
        say(self.trailing_commas, "trailing commas passed over");
        if self.cut_at_end {
            out.push("the file is cut off: the events before the cut are read".to_owned());
        }
        for (kind, n) in &self.not_drawn {
            out.push(format!("{n} {kind} events not drawn"));
        }
        out
    }
}
