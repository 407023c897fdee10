//! The cost colour scale of the cost view: what a span's cost is (its
//! [`Span::result`], else its duration), the range of costs over every panel,
//! and the colour class of each span on it, light to dark.
//!
//! A span's cost is its result (the iterations of a fractal column) when the
//! traces carry results, on a linear scale from 0 (so a colour twice as far
//! along is twice the work), else its duration, on a logarithmic scale (a
//! preempted call would otherwise wash out the rest). The two are never
//! mixed on one scale, since they are not in the same unit: when any span
//! has a result, spans without one are drawn grey ("no result").

use logprof_trace::{Span, Trace};

use crate::scale::duration;

/// Colours of the cost classes, cheapest first: light to dark.
const RAMP: [&str; 8] = [
    "#fef3c7", "#fde68a", "#fcd34d", "#f59e0b", "#ea580c", "#dc2626", "#b91c1c", "#7f1d1d",
];
/// The colour of a span with no result when others have one.
const NO_COST: &str = "#d1d5db";
/// The key of such a span.
pub(super) const NO_COST_KEY: u32 = RAMP.len() as u32;

/// The colour of bars with colour key `key`: its cost class's, or grey for
/// [`NO_COST_KEY`].
pub(super) fn key_color(key: u32) -> &'static str {
    RAMP.get(key as usize).copied().unwrap_or(NO_COST)
}

/// What a cost is measured in, and its range over every panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct CostScale {
    /// Costs are the spans' results (linear scale from 0); else their
    /// durations in ns (logarithmic scale).
    pub by_result: bool,
    /// The ends of the scale: 0 and the largest result, or the natural
    /// logarithms of the smallest and largest duration (each at least 1 ns).
    lo: f64,
    hi: f64,
}

impl CostScale {
    /// The scale of the spans of `traces`.
    pub(super) fn of<'t>(traces: impl Iterator<Item = &'t Trace> + Clone) -> CostScale {
        let spans = traces.flat_map(|t| t.lanes.iter().flat_map(|l| &l.spans));
        let by_result = spans.clone().any(|s| s.result.is_some());
        let (lo, hi) = spans
            .filter_map(|s| cost(s, by_result))
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), c| {
                (lo.min(c), hi.max(c))
            });
        let lo = if lo.is_finite() { lo.max(1.0) } else { 1.0 };
        let (lo, hi) = if by_result {
            (0.0, hi)
        } else {
            (lo.ln(), hi.max(lo).ln())
        };
        CostScale { by_result, lo, hi }
    }

    /// Where cost `c` lies on the scale's axis.
    fn axis(&self, c: f64) -> f64 {
        if self.by_result {
            c
        } else {
            c.max(1.0).ln()
        }
    }

    /// The colour key of `span`: its cost class, or [`NO_COST_KEY`].
    pub(super) fn key(&self, span: &Span) -> u32 {
        let Some(c) = cost(span, self.by_result) else {
            return NO_COST_KEY;
        };
        let width = self.hi - self.lo;
        if width <= 0.0 {
            // Every cost is the same: results all 0 cost nothing (the
            // lightest), equal durations are all the heaviest there is.
            return if self.by_result && self.hi <= 0.0 {
                0
            } else {
                RAMP.len() as u32 - 1
            };
        }
        let at = (self.axis(c) - self.lo) / width;
        ((at * RAMP.len() as f64) as u32).min(RAMP.len() as u32 - 1)
    }

    /// The costs class `key` covers.
    fn bounds(&self, key: u32) -> (f64, f64) {
        let step = (self.hi - self.lo) / RAMP.len() as f64;
        let at = |k: u32| {
            let v = self.lo + step * f64::from(k);
            if self.by_result {
                v
            } else {
                v.exp()
            }
        };
        (at(key), at(key + 1))
    }

    /// A cost as people read it.
    fn show(&self, c: f64) -> String {
        if self.by_result {
            crate::scale::compact(c.round() as u64)
        } else {
            duration(c)
        }
    }

    /// The costs of class `key`, for the legend (whose heading says what
    /// they are).
    pub(super) fn range(&self, key: u32) -> String {
        if key == NO_COST_KEY {
            return "no result".to_owned();
        }
        let (lo, hi) = self.bounds(key);
        format!("{} – {}", self.show(lo), self.show(hi))
    }

    /// What class `key` means, for tooltips.
    pub(super) fn describe(&self, key: u32) -> String {
        if key == NO_COST_KEY {
            return self.range(key);
        }
        let what = if self.by_result { "result" } else { "duration" };
        format!("{what} {}", self.range(key))
    }
}

/// The cost of `span`: its result when costs are results, else its
/// duration.
fn cost(span: &Span, by_result: bool) -> Option<f64> {
    if by_result {
        span.result.map(|r| r.max(0) as f64)
    } else {
        Some(span.duration_ns() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(spans: Vec<Span>) -> Trace {
        let mut t = Trace::new();
        t.intern("f");
        t.lanes
            .push(logprof_trace::Lane::with_spans(1, 1, "w", spans));
        t
    }

    #[test]
    fn results_win_over_durations_and_span_the_ramp() {
        let t = trace(vec![
            Span::new(0, 0, 10, 0).with_result(1),
            Span::new(0, 10, 20, 0).with_result(1000),
            Span::new(0, 20, 900, 0),
        ]);
        let scale = CostScale::of(std::iter::once(&t));
        assert!(scale.by_result);
        let keys: Vec<u32> = t.lanes[0].spans.iter().map(|s| scale.key(s)).collect();
        assert_eq!(keys, [0, RAMP.len() as u32 - 1, NO_COST_KEY]);
        assert_eq!(scale.describe(0), "result 0 – 125");
        assert_eq!(scale.describe(NO_COST_KEY), "no result");
    }

    #[test]
    fn results_of_zero_are_the_lightest() {
        let t = trace(vec![
            Span::new(0, 0, 10, 0).with_result(0),
            Span::new(0, 10, 20, 0).with_result(0),
        ]);
        let scale = CostScale::of(std::iter::once(&t));
        let keys: Vec<u32> = t.lanes[0].spans.iter().map(|s| scale.key(s)).collect();
        assert_eq!(keys, [0, 0]);
    }

    #[test]
    fn without_results_durations_are_the_cost() {
        let t = trace(vec![Span::new(0, 0, 10, 0), Span::new(0, 10, 10_010, 0)]);
        let scale = CostScale::of(std::iter::once(&t));
        assert!(!scale.by_result);
        assert!(
            scale.describe(0).starts_with("duration 10 ns"),
            "{}",
            scale.describe(0)
        );
    }
}
