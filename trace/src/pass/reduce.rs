//! A big file's spans merged per pixel column, for its picture: a pass
//! that keeps, of each nesting depth of each lane, the spans at least a
//! pixel wide as they are and, of the narrower ones that start in the same
//! pixel column, one span as long as their durations added up, named after
//! the name with the most time among them. A timeline merges such spans
//! into one bar per column anyway (`logprof-viz`'s bars): the reduced
//! trace draws the same picture from a few spans per pixel column, and its
//! busy time per column is the same.
//!
//! The reduced trace's figures are not the file's (its calls are merged):
//! a picture takes its numbers from the pass's [`Summary`](crate::Summary).

use std::path::Path;

use super::{for_each_span, open, skeleton};
use crate::chrome::TraceFileError;
use crate::trace::{NameId, Span, Trace};

/// The spans of one depth of one lane being merged in one pixel column.
struct Group {
    column: i64,
    first: Span,
    calls: u64,
    /// Sum of the durations.
    busy_ns: u64,
    /// Time per name, few names a column.
    names: Vec<(NameId, u64)>,
}

impl Group {
    fn new(column: i64, span: &Span) -> Group {
        let mut first = span.clone();
        first.mpi = None;
        Group {
            column,
            first,
            calls: 1,
            busy_ns: span.duration_ns(),
            names: vec![(span.name, span.duration_ns())],
        }
    }

    fn absorb(&mut self, span: &Span) {
        let d = span.duration_ns();
        self.calls += 1;
        self.busy_ns += d;
        match self.names.iter_mut().find(|n| n.0 == span.name) {
            Some(n) => n.1 += d,
            None => self.names.push((span.name, d)),
        }
    }

    /// The span the group stands for: its one span, or the merged one.
    fn span(self) -> Span {
        if self.calls == 1 {
            return self.first;
        }
        let name = self
            .names
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or(self.first.name, |n| n.0);
        let start = self.first.start_ns;
        Span::new(name, start, start + self.busy_ns, self.first.depth)
    }
}

impl Trace {
    /// The `.lpt` file at `path` with its spans merged per pixel column
    /// (see the module), for a picture `columns` pixels wide of
    /// `start_ns..end_ns` (trace time, the region a [`super::LptPass`]
    /// found). Returns the reduced trace and how many spans it merged.
    /// Errors as [`Trace::summarize_lpt`].
    pub fn reduce_lpt(
        path: impl AsRef<Path>,
        columns: u32,
        (start_ns, end_ns): (u64, u64),
    ) -> Result<(Trace, u64), TraceFileError> {
        let path = path.as_ref();
        let (mut trace, streamed) = skeleton(path)?;
        let n = trace.lanes.len();
        let px_per_ns = f64::from(columns.max(1)) / (end_ns.saturating_sub(start_ns).max(1)) as f64;
        let column = |t: u64| (t.saturating_sub(start_ns) as f64 * px_per_ns).floor() as i64;
        // Per lane, per depth and waiting or not: the group being merged.
        let mut open_groups: Vec<Vec<Option<Group>>> = (0..n).map(|_| Vec::new()).collect();
        let mut kept: Vec<Vec<Span>> = (0..n).map(|_| Vec::new()).collect();
        let mut merged = 0u64;
        let waits: Vec<bool> = (0..trace.names.len() as u32)
            .map(|i| trace.name_waits(i))
            .collect();
        let unpaired = for_each_span(
            open(path)?,
            (n, trace.names.len()),
            |_| true,
            |li, span, _| {
                // Waiting spans are merged apart from the others, so that the
                // picture's work (busy less waiting) stays that of the file.
                let waiting =
                    span.mpi.is_some() || waits.get(span.name as usize).copied().unwrap_or(false);
                let depth = span.depth as usize * 2 + usize::from(waiting);
                let groups = &mut open_groups[li];
                if groups.len() <= depth {
                    groups.resize_with(depth + 1, || None);
                }
                let wide = span.duration_ns() as f64 * px_per_ns >= 1.0;
                let col = column(span.start_ns);
                match &mut groups[depth] {
                    Some(g) if !wide && g.column == col => {
                        g.absorb(&span);
                        merged += 1;
                    }
                    slot => {
                        if let Some(g) = slot.take() {
                            kept[li].push(g.span());
                        }
                        if wide {
                            kept[li].push(span);
                        } else {
                            *slot = Some(Group::new(col, &span));
                        }
                    }
                }
                Ok(())
            },
        )
        .map_err(|e| TraceFileError::new(path, e.to_string()))?;
        unpaired.add_to(&mut trace.losses);
        for ((lane, groups), spans) in trace.lanes.iter_mut().zip(open_groups).zip(kept) {
            lane.spans = spans;
            lane.spans
                .extend(groups.into_iter().flatten().map(Group::span));
            lane.sort_spans();
        }
        if streamed {
            trace.lanes.sort_by_key(|l| (l.pid, l.tid));
        }
        Ok((trace, merged))
    }
}
