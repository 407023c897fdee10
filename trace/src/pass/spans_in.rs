//! Where a pass's spans come from: a file's spans chunks as they are,
//! and its events chunks paired lane by lane ([`for_each_span`]); for a
//! file of one lane, the same on a thread of its own that hands the spans
//! over in batches ([`for_each_span_beside`]), so that reading and adding
//! up run on two cores.

use std::io::Read;
use std::sync::mpsc;

use crate::compact::{ChunkKind, CompactError, IntoSpans, LptReader, PairedLane};
use crate::trace::Span;

/// What the pairing of a file's events chunks could not pair: counted
/// here, since the writer of such a file paired nothing.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Unpaired {
    pub(super) unmatched_exits: u64,
    pub(super) unclosed_enters: u64,
}

impl Unpaired {
    /// Adds what another reading thread could not pair.
    pub(super) fn add(&mut self, other: Unpaired) {
        self.unmatched_exits += other.unmatched_exits;
        self.unclosed_enters += other.unclosed_enters;
    }

    pub(super) fn add_to(self, losses: &mut crate::Losses) {
        losses.unmatched_exits += self.unmatched_exits;
        losses.unclosed_enters += self.unclosed_enters;
    }
}

/// Reads the spans of `input`, calling `each` with the lane number and
/// each span, in the file's order: those of spans chunks as they are,
/// those of events chunks as their lane's enters and exits pair (in exit
/// order, as a streamed file's spans chunks hold them). `lanes`, `names`:
/// how many lanes and names the file declares. Returns what did not pair.
pub(super) fn for_each_span<R: Read>(
    mut input: LptReader<R>,
    (lanes, names): (usize, usize),
    keep: impl Fn(usize) -> bool,
    mut each: impl FnMut(usize, Span, u64) -> Result<(), CompactError>,
) -> Result<Unpaired, CompactError> {
    let mut paired: Vec<PairedLane> = Vec::new();
    // Per lane, the spans paired and not yet given: the last waits for the
    // next chunk, which may begin with its result.
    let mut pending: Vec<Vec<Span>> = Vec::new();
    // Per lane, the offset of the chunk its pending span came from.
    let mut pending_at: Vec<u64> = Vec::new();
    let (mut instants, mut samples, mut unmatched_exits) = (Vec::new(), Vec::new(), 0);
    let wanted = |k| k == Some(ChunkKind::Spans) || k == Some(ChunkKind::Events);
    while let Some((kind, at, payload)) = input.next_chunk_where(wanted)? {
        let mut b = crate::compact::Bytes::new(payload);
        let lane = crate::compact::lane_of(&mut b).map_err(|e| e.at(at))? as usize;
        if lane >= lanes {
            return Err(CompactError::damaged(format!(
                "a chunk of lane {lane}, but only {lanes} lanes are declared"
            ))
            .at(at));
        }
        if !keep(lane) {
            continue;
        }
        if kind == Some(ChunkKind::Events) {
            if paired.len() <= lane {
                paired.resize_with(lane + 1, PairedLane::default);
                pending.resize_with(lane + 1, Vec::new);
                pending_at.resize(lane + 1, 0);
            }
            let spans = &mut pending[lane];
            let mut sink = IntoSpans {
                spans,
                instants: &mut instants,
                samples: &mut samples,
                unmatched_exits: &mut unmatched_exits,
            };
            paired[lane]
                .feed(&mut b, names, &mut sink)
                .map_err(|e| e.at(at))?;
            instants.clear();
            samples.clear();
            let ready = spans.len().saturating_sub(1);
            for span in spans.drain(..ready) {
                each(lane, span, at)?;
            }
            pending_at[lane] = at;
        } else {
            // A lane's spans chunks after its events chunks (a stream that
            // switched to spans, on an MPI rank): the span held for a
            // result goes first, in the order the file holds them.
            if let Some(spans) = pending.get_mut(lane) {
                for span in spans.drain(..) {
                    each(lane, span, pending_at[lane])?;
                }
            }
            crate::compact::decode_spans_each(&mut b, |span| each(lane, span, at))
                .map_err(|e| e.at(at))?;
        }
        if !b.is_empty() {
            return Err(CompactError::damaged(format!(
                "{kind:?} chunk has {} bytes past its end",
                b.remaining()
            ))
            .at(at));
        }
    }
    for (lane, spans) in pending.iter_mut().enumerate() {
        for span in spans.drain(..) {
            each(lane, span, pending_at[lane])?;
        }
    }
    Ok(Unpaired {
        unmatched_exits,
        unclosed_enters: paired.iter().map(PairedLane::unclosed).sum(),
    })
}

/// Spans handed from the reading thread to the adding one at a time.
const BATCH: usize = 4096;

/// A span as the reading thread hands it over: most spans of a big file
/// are plain calls (no task, value, result or message), and go as their
/// five numbers, a third of a [`Span`]'s bytes to move between cores.
enum Handed {
    Plain {
        lane: u32,
        name: u32,
        depth: u32,
        start_ns: u64,
        end_ns: u64,
        at: u64,
    },
    Other(Box<(usize, Span, u64)>),
}

impl Handed {
    fn new(lane: usize, span: Span, at: u64) -> Handed {
        // (`Span::new` would clamp an end before the start.)
        let plain = span.end_ns >= span.start_ns
            && span.task.is_none()
            && span.value.is_none()
            && span.result.is_none()
            && !span.unfinished
            && span.mpi.is_none();
        match u32::try_from(lane) {
            Ok(lane) if plain => Handed::Plain {
                lane,
                name: span.name,
                depth: span.depth,
                start_ns: span.start_ns,
                end_ns: span.end_ns,
                at,
            },
            _ => Handed::Other(Box::new((lane, span, at))),
        }
    }

    fn span(self) -> (usize, Span, u64) {
        match self {
            Handed::Plain {
                lane,
                name,
                depth,
                start_ns,
                end_ns,
                at,
            } => (lane as usize, Span::new(name, start_ns, end_ns, depth), at),
            Handed::Other(other) => *other,
        }
    }
}

/// [`for_each_span`], its reading, decoding and pairing on a thread of its
/// own, `each` on the caller's: the two run side by side, the spans going
/// over in batches of [`BATCH`] (a few batches in flight at most, so the
/// memory held stays a few MB). An error of either stops both, and is
/// given: the spans of an error of the adding side came before any error
/// of the reading side.
pub(super) fn for_each_span_beside<R: Read + Send>(
    input: LptReader<R>,
    counts: (usize, usize),
    keep: impl Fn(usize) -> bool + Send,
    mut each: impl FnMut(usize, Span, u64) -> Result<(), CompactError>,
) -> Result<Unpaired, CompactError> {
    let (full, full_rx) = mpsc::sync_channel::<Vec<Handed>>(4);
    let (empty, empty_rx) = mpsc::channel::<Vec<Handed>>();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let unpaired = for_each_span(input, counts, keep, |li, span, at| {
                batch.push(Handed::new(li, span, at));
                if batch.len() == BATCH {
                    let next = empty_rx
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                    // The adding side stopped at an error of its own.
                    full.send(std::mem::replace(&mut batch, next))
                        .map_err(|_| CompactError::new("the pass stopped"))?;
                }
                Ok(())
            })?;
            let _ = full.send(batch);
            Ok(unpaired)
        });
        let mut added = Ok(());
        for mut batch in full_rx.iter() {
            added = batch.drain(..).try_for_each(|handed| {
                let (li, span, at) = handed.span();
                each(li, span, at)
            });
            if added.is_err() {
                break;
            }
            let _ = empty.send(batch);
        }
        // A reader blocked on a full channel gets its error now.
        drop(full_rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(CompactError::new("a reading thread failed")));
        // The adding side's error is of spans read before any error of the
        // reading side, whose error is then only that it was stopped.
        added?;
        read
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compact::{EventsBatch, LptWriter};
    use crate::raw_events::kind;

    /// A file of one lane: a spans chunk (a span with a value among plain
    /// ones), then three events chunks of 5000 calls each, some with a
    /// result, one open across each chunk's end.
    fn file() -> Vec<u8> {
        let mut w = LptWriter::new(Vec::new(), crate::compact::FLAG_STREAMED).unwrap();
        w.names(&["a", "b"]).unwrap();
        let lane = w.lane(1, 1, "main", None).unwrap();
        let mut valued = Span::new(1, 5, 8, 0);
        valued.value = Some(3);
        // Built by hand: ends before it starts; and one unfinished.
        let mut backwards = Span::new(0, 9, 9, 0);
        backwards.end_ns = 6;
        let mut unfinished = Span::new(1, 9, 10, 0);
        unfinished.unfinished = true;
        w.spans(
            lane,
            &[Span::new(0, 1, 2, 0), valued, backwards, unfinished],
        )
        .unwrap();
        let mut batch = EventsBatch::new();
        let mut t = 10;
        for chunk in 0..3 {
            for i in 0..5_000u64 {
                batch.push_timed(kind::ENTER, Some(0), 0, t);
                batch.push_timed(kind::EXIT, Some(0), 0, t + 3);
                if i % 7 == 0 {
                    batch.push_value(Some(0), 0, i);
                }
                t += 5;
            }
            if chunk < 2 {
                batch.push_timed(kind::ENTER, Some(1), 0, t);
            } else {
                batch.push_timed(kind::EXIT, Some(1), 0, t);
            }
            w.write_events(lane, &mut batch).unwrap();
            t += 5;
        }
        w.finish(&crate::Trace::new()).unwrap().0
    }

    fn spans_of(
        read: impl FnOnce(
            &mut dyn FnMut(usize, Span, u64) -> Result<(), CompactError>,
        ) -> Result<Unpaired, CompactError>,
    ) -> (Vec<(usize, Span)>, Unpaired) {
        let mut got = Vec::new();
        let unpaired = read(&mut |li, span, _| {
            got.push((li, span));
            Ok(())
        })
        .unwrap();
        (got, unpaired)
    }

    #[test]
    fn beside_gives_what_one_thread_gives_in_the_same_order() {
        let bytes = file();
        let input = || LptReader::new(&bytes[..]).unwrap();
        let (one, one_unpaired) = spans_of(|each| for_each_span(input(), (1, 2), |_| true, each));
        let (two, two_unpaired) =
            spans_of(|each| for_each_span_beside(input(), (1, 2), |_| true, each));
        assert_eq!(one.len(), 4 + 15_000 + 1);
        assert!(one.len() > 3 * BATCH, "several batches handed over");
        assert_eq!(one, two);
        assert!(two.iter().any(|(_, s)| s.result.is_some()));
        assert!(two.iter().any(|(_, s)| s.value.is_some()));
        // Two calls of "b" open across chunk ends, the second inside the
        // first; the exit at the end closes the second: one left open.
        assert_eq!(
            (one_unpaired.unmatched_exits, one_unpaired.unclosed_enters),
            (two_unpaired.unmatched_exits, two_unpaired.unclosed_enters)
        );
        assert_eq!(two_unpaired.unclosed_enters, 1);
    }

    #[test]
    fn an_error_on_either_side_stops_both_and_is_given() {
        let bytes = file();
        // The adding side refuses a span: its error, and no hang with the
        // reader blocked on a full channel.
        let mut seen = 0;
        let e = for_each_span_beside(
            LptReader::new(&bytes[..]).unwrap(),
            (1, 2),
            |_| true,
            |_, _, _| {
                seen += 1;
                if seen == 100 {
                    return Err(CompactError::new("refused"));
                }
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "refused");
        // The reading side meets a damaged chunk (an event of a name the
        // file does not declare: too few names given): its error.
        let e = for_each_span_beside(
            LptReader::new(&bytes[..]).unwrap(),
            (1, 1),
            |_| true,
            |_, _, _| Ok(()),
        )
        .unwrap_err();
        assert!(e.to_string().contains("name 1, but only 1 names"), "{e}");
    }
}
