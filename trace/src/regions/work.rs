//! Which spans are work and which are containers: the fork/join test, and
//! each lane's *pieces* of work (see the [module documentation](super)).

use crate::trace::{Lane, NameId, Span, Trace};

/// The share of a fork/join container that the work of other lanes (and
/// its own children) must cover. The fork and the join take little time; a
/// span whose own lane works alone for more than a fifth of it is doing
/// serial work, not waiting for its workers.
pub(super) const CONTAINER_COVERAGE: f64 = 0.8;

/// One stretch of work on one lane: a span that is not a container, all of
/// whose enclosing spans are containers.
#[derive(Clone, Copy, Debug)]
pub(super) struct Piece {
    /// Index of the span in its lane.
    pub(super) span: usize,
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) name: NameId,
}

/// What the fork/join test found about one span.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Inside {
    /// Spans of other lanes of its process lie inside it, named otherwise.
    pub(super) others: bool,
    /// They and its own children cover this share of it.
    pub(super) coverage: f64,
    /// A leaf span of another lane of its process runs across its start or
    /// its end: the other lanes were busy at the fork or the join.
    pub(super) crossed: bool,
}

impl Inside {
    /// The fork/join rule: other lanes work inside it, covering most of it,
    /// and none was in the middle of a piece of work when it began or ended.
    pub(super) fn is_container(&self) -> bool {
        self.others && self.coverage >= CONTAINER_COVERAGE && !self.crossed
    }
}

/// The work of every lane: containers marked, pieces listed.
pub(super) struct Work {
    /// Per lane, per span: whether the span is a container.
    pub(super) containers: Vec<Vec<bool>>,
    /// Per lane, per span: what the fork/join test found.
    pub(super) inside: Vec<Vec<Inside>>,
    /// Per lane, its pieces in start order.
    pub(super) pieces: Vec<Vec<Piece>>,
    /// Per lane, when it waited ([`Trace::waiting_intervals`]): not work,
    /// even inside a piece.
    pub(super) waiting: Vec<Vec<(u64, u64)>>,
}

/// True when span `j` of `spans` has a child: the next span is deeper
/// (spans are in start order, parents first).
pub(super) fn has_children(spans: &[Span], j: usize) -> bool {
    match (spans.get(j), spans.get(j + 1)) {
        (Some(s), Some(next)) => next.depth > s.depth,
        _ => false,
    }
}

/// The direct children of span `i` of `spans`: the spans after it, deeper,
/// up to the first that is not, one level down.
pub(super) fn children(spans: &[Span], i: usize) -> impl Iterator<Item = usize> + '_ {
    let depth = spans.get(i).map_or(0, |s| s.depth);
    (i + 1..spans.len())
        .take_while(move |&k| spans[k].depth > depth)
        .filter(move |&k| spans[k].depth == depth + 1)
}

/// True when a leaf span of `spans` runs strictly across time `t`. With
/// spans nested and in start order, the deepest span holding `t` is the
/// last one to start before it; only it can be a leaf that holds `t`.
fn leaf_across(spans: &[Span], t: u64) -> bool {
    let before = spans.partition_point(|s| s.start_ns < t);
    let Some(j) = before.checked_sub(1) else {
        return false;
    };
    spans[j].end_ns > t && !has_children(spans, j)
}

/// The fork/join test of span `i` of lane `a` against the other lanes of
/// its process.
fn inside(trace: &Trace, a: usize, i: usize) -> Inside {
    let lane = &trace.lanes[a];
    let span = &lane.spans[i];
    let (start, end) = (span.start_ns, span.end_ns);
    if end <= start {
        return Inside::default();
    }
    // Clipped to the span: a child of a hand-built trace may reach past it.
    let mut covered: Vec<(u64, u64)> = children(&lane.spans, i)
        .map(|k| (lane.spans[k].start_ns, lane.spans[k].end_ns.min(end)))
        .filter(|(s, e)| s < e)
        .collect();
    let mut found = Inside::default();
    for (b, other) in trace.lanes.iter().enumerate() {
        if b == a || other.pid != lane.pid {
            continue;
        }
        let spans = &other.spans;
        if leaf_across(spans, start) || leaf_across(spans, end) {
            found.crossed = true;
        }
        let first = spans.partition_point(|s| s.start_ns < start);
        for s in spans[first..].iter().take_while(|s| s.start_ns < end) {
            // A static chunk that outlasts its sibling chunks holds them in
            // time: they are its peers, not its work.
            // A marked region of the same extent holds this span, not the
            // other way round (a worker's chunk as long as the loop's
            // region on the main lane).
            let holds_it = (s.start_ns, s.end_ns) == (start, end)
                && trace.is_region(s.name)
                && !trace.is_region(span.name);
            if s.end_ns <= end && s.name != span.name && !holds_it {
                found.others = true;
                covered.push((s.start_ns, s.end_ns));
            }
        }
    }
    let covered: u64 = crate::trace::union(covered)
        .iter()
        .map(|(s, e)| e - s)
        .sum();
    found.coverage = covered as f64 / (end - start) as f64;
    found
}

/// The pieces of one lane given which of its spans are containers: a span
/// is a piece when it is not a container and every span enclosing it is.
fn pieces(trace: &Trace, lane: &Lane, containers: &[bool]) -> Vec<Piece> {
    // open[d]: the span open at depth d is a container, and so are all
    // those around it.
    let mut open: Vec<bool> = Vec::new();
    let mut out = Vec::new();
    for (j, s) in lane.spans.iter().enumerate() {
        let d = s.depth as usize;
        // A depth that skips levels (a hand-built trace) has no known
        // parent: nothing in it is counted twice.
        let enclosed = d == 0 || open.get(d - 1).copied().unwrap_or(false);
        let container = containers.get(j).copied().unwrap_or(false);
        // A span that only waits (a top-level `wait!`) is no piece of work.
        if enclosed && !container && !trace.is_waiting(s) {
            // A child that ends after its parent (a hand-built or repaired
            // trace) is still the piece's work.
            let end = lane.spans[j + 1..]
                .iter()
                .take_while(|c| c.depth > s.depth)
                .map(|c| c.end_ns)
                .fold(s.end_ns, u64::max);
            out.push(Piece {
                span: j,
                start: s.start_ns,
                end,
                name: s.name,
            });
        }
        open.truncate(d);
        if open.len() == d {
            open.push(enclosed && container);
        }
    }
    out
}

impl Work {
    /// Tests every span of `trace`: a container when [`Inside::is_container`]
    /// holds, or when it is marked as a region and other lanes of its process
    /// work inside it as the rule asks. Marked spans follow the same rule:
    /// the mark says where a region is, not which time is work.
    pub(super) fn of(trace: &Trace) -> Work {
        let inside: Vec<Vec<Inside>> = trace
            .lanes
            .iter()
            .enumerate()
            .map(|(a, lane)| (0..lane.spans.len()).map(|i| inside(trace, a, i)).collect())
            .collect();
        let containers: Vec<Vec<bool>> = inside
            .iter()
            .map(|lane| lane.iter().map(Inside::is_container).collect())
            .collect();
        let pieces = trace
            .lanes
            .iter()
            .zip(&containers)
            .map(|(lane, c)| pieces(trace, lane, c))
            .collect();
        let waiting = trace
            .lanes
            .iter()
            .map(|lane| trace.waiting_intervals(lane))
            .collect();
        Work {
            containers,
            inside,
            pieces,
            waiting,
        }
    }

    /// The pieces of lane `l` that overlap `start..end`, clipped to it.
    pub(super) fn clipped(&self, l: usize, start: u64, end: u64) -> Vec<Piece> {
        let Some(pieces) = self.pieces.get(l) else {
            return Vec::new();
        };
        // Pieces of a lane are disjoint, so their ends are in order too.
        let first = pieces.partition_point(|p| p.end <= start);
        pieces[first..]
            .iter()
            .take_while(|p| p.start < end)
            .filter(|p| p.end > start)
            .map(|p| Piece {
                start: p.start.max(start),
                end: p.end.min(end),
                ..*p
            })
            .filter(|p| p.end > p.start)
            .collect()
    }
}
