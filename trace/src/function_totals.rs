//! Per-name totals of a trace's spans, for [`Summary::functions`]: calls,
//! inclusive time counted once per outermost call, and self time.
//!
//! A recursive function's nested calls lie inside its outer call: adding
//! their durations again would count the same nanoseconds several times
//! (`fib` would take ten times the run). So a span adds to its name's
//! inclusive time only when no span of the same name encloses it on its
//! lane; every span adds to its name's call count, and its duration less
//! that of its direct children to its name's self time.
//!
//! [`Summary::functions`]: crate::Summary::functions

use serde::Serialize;

use crate::trace::{NameId, Span, Trace};

/// Calls and time of one span name over the whole trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionSummary {
    /// The span name.
    pub name: String,
    /// How many spans carry the name.
    pub calls: u64,
    /// Inclusive time: the durations of the calls not nested inside another
    /// call of the same name (so a recursive function's time counts once).
    pub total_ns: u64,
    /// Self time: the durations less those of the spans directly inside.
    pub self_ns: u64,
    /// The smallest and largest [`Span::value`](crate::Span::value) the
    /// name's spans carry; `None` when none carries one.
    pub values: Option<(i64, i64)>,
    /// The smallest and largest [`Span::result`](crate::Span::result) the
    /// name's spans carry (what each call cost, a column's iterations, say);
    /// `None` when none carries one.
    pub results: Option<(i64, i64)>,
}

impl FunctionSummary {
    /// The range of its spans' values as text, `"lo … hi"` (or the one
    /// value); `""` when none carries one.
    pub fn values_text(&self) -> String {
        range_text(self.values)
    }

    /// The range of its spans' results as text, as
    /// [`values_text`](FunctionSummary::values_text).
    pub fn results_text(&self) -> String {
        range_text(self.results)
    }
}

/// `"lo … hi"`, the one value when they are equal, `""` for none.
fn range_text(range: Option<(i64, i64)>) -> String {
    match range {
        Some((lo, hi)) if lo == hi => lo.to_string(),
        Some((lo, hi)) => format!("{lo} … {hi}"),
        None => String::new(),
    }
}

/// Running totals of one name.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    calls: u64,
    inclusive: u64,
    /// Durations less those of the direct children; a child that sticks
    /// out of its parent can make a partial sum negative.
    self_time: i128,
    /// The smallest and largest value carried, if any.
    values: Option<(i64, i64)>,
    /// The smallest and largest result carried, if any.
    results: Option<(i64, i64)>,
}

/// `range` widened to hold `v`, if there is a `v`.
fn widen(range: Option<(i64, i64)>, v: Option<i64>) -> Option<(i64, i64)> {
    match (range, v) {
        (Some((lo, hi)), Some(v)) => Some((lo.min(v), hi.max(v))),
        (None, Some(v)) => Some((v, v)),
        (range, None) => range,
    }
}

/// The calls of one lane that enclose the span being added, outermost
/// first: `(name, end)`. Kept between chunks by a streaming pass, so
/// nesting across a chunk's border counts as within one.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpenCalls(Vec<(NameId, u64)>);

/// Per-name totals being added up, span by span, lane by lane: the one
/// algorithm of [`function_totals`] and of the streaming pass over an
/// `.lpt` file (`crate::pass`).
#[derive(Clone, Debug, Default)]
pub(crate) struct FunctionTotals {
    totals: Vec<Totals>,
}

impl FunctionTotals {
    /// Totals for names `0..names` to begin with (more are added as spans
    /// name them).
    pub(crate) fn with_names(names: usize) -> FunctionTotals {
        FunctionTotals {
            totals: vec![Totals::default(); names],
        }
    }

    /// Adds `span` of the lane whose open calls are `open`. Spans of a lane
    /// must come in start order, parents first.
    #[inline]
    pub(crate) fn add(&mut self, open: &mut OpenCalls, span: &Span) {
        let stack = &mut open.0;
        // What ended before this one starts (or is not shallower) encloses
        // it no more.
        while let Some(&(_, end)) = stack.last() {
            let encloses = stack.len() <= span.depth as usize
                && (end > span.start_ns || (end == span.start_ns && span.duration_ns() == 0));
            if encloses {
                break;
            }
            stack.pop();
        }
        let name = span.name as usize;
        if self.totals.len() <= name {
            self.totals.resize(name + 1, Totals::default());
        }
        let dur = span.duration_ns();
        // A call inside a call of its own name (recursion) adds no
        // inclusive time: the stack is as deep as the nesting, a few calls.
        let nested_in_itself = stack.iter().any(|&(n, _)| n == span.name);
        let t = &mut self.totals[name];
        t.calls += 1;
        t.self_time += i128::from(dur);
        if span.value.is_some() || span.result.is_some() {
            t.values = widen(t.values, span.value);
            t.results = widen(t.results, span.result);
        }
        if !nested_in_itself {
            t.inclusive = t.inclusive.saturating_add(dur);
        }
        if let Some(&(parent, _)) = stack.last() {
            self.totals[parent as usize].self_time -= i128::from(dur);
        }
        stack.push((span.name, span.end_ns));
    }

    /// Adds the totals of `other`, of other lanes.
    pub(crate) fn merge(&mut self, other: &FunctionTotals) {
        if self.totals.len() < other.totals.len() {
            self.totals.resize(other.totals.len(), Totals::default());
        }
        for (t, o) in self.totals.iter_mut().zip(&other.totals) {
            t.calls += o.calls;
            t.inclusive = t.inclusive.saturating_add(o.inclusive);
            t.self_time += o.self_time;
            for (mine, theirs) in [(&mut t.values, o.values), (&mut t.results, o.results)] {
                if let Some((lo, hi)) = theirs {
                    *mine = widen(widen(*mine, Some(lo)), Some(hi));
                }
            }
        }
    }

    /// The totals of every name that has a span, the largest inclusive
    /// time first (then by name).
    pub(crate) fn finish(&self, trace: &Trace) -> Vec<FunctionSummary> {
        let mut functions: Vec<FunctionSummary> = self
            .totals
            .iter()
            .enumerate()
            .filter(|(_, t)| t.calls > 0)
            .map(|(name, t)| FunctionSummary {
                name: trace.name(name as NameId).to_owned(),
                calls: t.calls,
                total_ns: t.inclusive,
                self_ns: u64::try_from(t.self_time.max(0)).unwrap_or(u64::MAX),
                values: t.values,
                results: t.results,
            })
            .collect();
        functions.sort_by(|a, b| b.total_ns.cmp(&a.total_ns).then(a.name.cmp(&b.name)));
        functions
    }
}

/// The totals of every name that has a span, the largest inclusive time
/// first (then by name).
pub(crate) fn function_totals(trace: &Trace) -> Vec<FunctionSummary> {
    let mut totals = FunctionTotals::default();
    for lane in &trace.lanes {
        let mut open = OpenCalls::default();
        for span in &lane.spans {
            totals.add(&mut open, span);
        }
    }
    totals.finish(trace)
}

#[cfg(test)]
mod tests {
    use crate::trace::{Lane, Span, Trace};

    #[test]
    fn values_are_gathered_as_their_range() {
        let mut trace = Trace::new();
        let column = trace.intern("column");
        let other = trace.intern("other");
        let spans = [
            Span::new(column, 0, 10, 0).with_value(7),
            Span::new(column, 10, 20, 0).with_value(-2).with_result(40),
            Span::new(column, 20, 30, 0),
            Span::new(other, 30, 40, 0),
        ];
        trace.lanes.push(Lane::with_spans(1, 1, "main", spans));
        let f = super::function_totals(&trace);
        let values = |n: &str| f.iter().find(|r| r.name == n).unwrap().values;
        assert_eq!(values("column"), Some((-2, 7)));
        assert_eq!(values("other"), None);
        let results = |n: &str| f.iter().find(|r| r.name == n).unwrap().results;
        assert_eq!(results("column"), Some((40, 40)));
        assert_eq!(results("other"), None);
    }

    #[test]
    fn a_recursive_call_counts_once_and_self_time_excludes_children() {
        // fib(0..100) > fib(10..60) > fib(20..30), and leaf(30..50) in the
        // middle fib; then a second top-level fib(200..210).
        let mut trace = Trace::new();
        let fib = trace.intern("fib");
        let leaf = trace.intern("leaf");
        let spans = [
            Span::new(fib, 0, 100, 0),
            Span::new(fib, 10, 60, 1),
            Span::new(fib, 20, 30, 2),
            Span::new(leaf, 30, 50, 2),
            Span::new(fib, 200, 210, 0),
        ];
        trace.lanes.push(Lane::with_spans(1, 1, "main", spans));
        let f = super::function_totals(&trace);
        let row = |n: &str| {
            let r = f.iter().find(|r| r.name == n).unwrap();
            (r.calls, r.total_ns, r.self_ns)
        };
        // Inclusive: 100 + 10, not 100 + 50 + 10 + 10. Self: everything
        // but leaf's 20.
        assert_eq!(row("fib"), (4, 110, 90));
        assert_eq!(row("leaf"), (1, 20, 20));
    }
}
