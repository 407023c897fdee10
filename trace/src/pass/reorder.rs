//! Putting a streamed lane's spans back in start order for a pass: a
//! file written while recording holds each call after the calls it made
//! (in the order they ended).

use crate::compact::CompactError;
use crate::trace::{Span, Trace};

/// The most spans a reading thread holds back to put a streamed file's
/// spans in start order (about 90 MB of them): the calls inside the
/// top-level calls still open.
pub(super) const MAX_HELD: usize = 1 << 20;

/// Puts a lane's spans, as a streamed file holds them (in the order they
/// ended), back in start order. On one thread calls nest, so a span comes
/// after its callees and before its callers: when a top-level call (depth
/// 0) ends, it and the spans held since are every span that starts before
/// the next one, and go out sorted as `Lane::sort_spans` sorts them.
#[derive(Default)]
pub(super) struct Reorder {
    held: Vec<Vec<Span>>,
    count: usize,
}

impl Reorder {
    /// Holds `span` of lane `li`; when it is a top-level call, gives back
    /// the lane's spans held, in start order, to `out`. False when more
    /// than [`MAX_HELD`] spans are held.
    pub(super) fn push(&mut self, li: usize, span: Span, out: &mut Vec<Span>) -> bool {
        if self.held.len() <= li {
            self.held.resize_with(li + 1, Vec::new);
        }
        let top_level = span.depth == 0;
        self.held[li].push(span);
        self.count += 1;
        if top_level {
            self.release(li, out);
        }
        self.count <= MAX_HELD
    }

    /// True when `span` of lane `li` is in start order as it comes, with
    /// nothing to hold or sort: a top-level call with no callee held (a
    /// loop of calls that make none, the bulk of a big streamed file).
    pub(super) fn passes(&self, li: usize, span: &Span) -> bool {
        span.depth == 0 && self.held.get(li).is_none_or(Vec::is_empty)
    }

    /// Gives back lane `li`'s spans held, in start order.
    pub(super) fn release(&mut self, li: usize, out: &mut Vec<Span>) {
        let Some(held) = self.held.get_mut(li) else {
            return;
        };
        self.count -= held.len();
        held.sort_by_key(|s| (s.start_ns, s.depth, std::cmp::Reverse(s.end_ns)));
        out.append(held);
    }
}

/// The error for a streamed file whose open top-level calls hold more
/// spans than a pass holds back.
pub(super) fn too_deep(lane: usize, trace: &Trace) -> CompactError {
    let name = trace.lanes.get(lane).map_or("", |l| l.thread_name.as_str());
    CompactError::new(format!(
        "lane {lane} ({name}): more than {MAX_HELD} calls inside top-level calls still open. \
         A file written while recording holds each call after those it made, and a big file's \
         pass holds them back until their top-level call ends. Read it whole \
         (logprof report --whole), if memory allows"
    ))
}

#[cfg(test)]
mod tests {
    use super::{Reorder, MAX_HELD};
    use crate::trace::Span;

    #[test]
    fn a_top_level_call_releases_what_it_called_in_start_order() {
        let (mut reorder, mut out) = (Reorder::default(), Vec::new());
        // As a streamed lane holds them: callees first, each as it ended.
        assert!(reorder.passes(3, &Span::new(0, 1, 2, 0)));
        for span in [
            Span::new(0, 20, 30, 2),
            Span::new(0, 10, 40, 1),
            Span::new(0, 50, 60, 1),
        ] {
            assert!(!reorder.passes(3, &span));
            assert!(reorder.push(3, span.clone(), &mut out));
            assert!(out.is_empty(), "released before its top-level call");
        }
        // Callees held: their top-level call cannot pass them.
        assert!(!reorder.passes(3, &Span::new(0, 5, 70, 0)));
        assert!(reorder.push(3, Span::new(0, 5, 70, 0), &mut out));
        let starts: Vec<u64> = out.iter().map(|s| s.start_ns).collect();
        assert_eq!(starts, [5, 10, 20, 50]);
        assert_eq!(reorder.count, 0);
    }

    #[test]
    fn holding_more_than_the_limit_is_refused() {
        let (mut reorder, mut out) = (Reorder::default(), Vec::new());
        let span = Span::new(0, 1, 2, 1);
        for _ in 0..MAX_HELD {
            assert!(reorder.push(0, span.clone(), &mut out));
        }
        assert!(!reorder.push(0, span, &mut out));
        // A lane cut off releases what it holds, in start order, at its end.
        reorder.release(0, &mut out);
        assert_eq!((out.len(), reorder.count), (MAX_HELD + 1, 0));
    }
}
