//! From spans to bars: time to pixels, clipping to the window, and merging
//! what is narrower than a pixel.
//!
//! Each row of a lane (one nesting depth of one thread, or one task) is fed
//! its spans in start order. A span at least [`MIN_BAR_PX`] wide becomes a bar
//! of its own; narrower spans that start in the same pixel column are merged
//! into one bar that counts them. A row therefore holds at most about two
//! bars per pixel column, however many spans it has, and the SVG of a
//! million calls stays small.

/// Spans at least this wide (in pixels) are drawn one bar each.
pub(crate) const MIN_BAR_PX: f64 = 1.0;

/// Maps trace nanoseconds to x coordinates over a window.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeScale {
    /// Window start, absolute trace ns.
    pub lo: u64,
    /// Window end, absolute trace ns.
    pub hi: u64,
    /// x of `lo`.
    pub x: f64,
    /// Pixels per nanosecond.
    pub px_per_ns: f64,
}

impl TimeScale {
    /// The x of trace time `t`, clamped to the window.
    pub fn x_of(&self, t: u64) -> f64 {
        let t = t.clamp(self.lo, self.hi);
        self.x + (t - self.lo) as f64 * self.px_per_ns
    }
}

/// One drawn bar: a span, or several merged ones.
#[derive(Clone, Debug)]
pub(crate) struct Bar {
    /// Left edge.
    pub x0: f64,
    /// Right edge (the bar is drawn at least a pixel wide).
    pub x1: f64,
    /// First start of the spans in it (absolute ns, unclipped).
    pub start_ns: u64,
    /// Last end of the spans in it (absolute ns, unclipped).
    pub end_ns: u64,
    /// How many spans the bar stands for.
    pub calls: u64,
    /// Sum of the spans' durations.
    pub busy_ns: u64,
    /// The colour key (a name id, or a thread's ordinal) of the span, or of
    /// the key with the most time in a merged bar.
    pub key: u32,
    /// For the single span of an unmerged bar: which slice of its task it is
    /// (task view), or its index in the lane (thread view).
    pub item: usize,
    /// Merged bars: (key, calls, ns) of every key in it.
    pub keys: Vec<(u32, u64, u64)>,
    /// Share of the bar's width (at least a pixel) that its spans cover,
    /// 0 to 1; 1 for an unmerged bar.
    pub coverage: f64,
    /// Pixel column of a merged bar.
    column: i64,
}

impl Bar {
    /// A bar for one span, not (yet) merged with others.
    fn one_span(x0: f64, x1: f64, start_ns: u64, end_ns: u64, key: u32, item: usize) -> Bar {
        Bar {
            x0,
            x1,
            start_ns,
            end_ns,
            calls: 1,
            busy_ns: end_ns - start_ns,
            key,
            item,
            keys: Vec::new(),
            coverage: 1.0,
            column: i64::MIN,
        }
    }

    /// True when the bar stands for more than one span.
    pub fn is_merged(&self) -> bool {
        self.calls > 1
    }

    fn absorb(&mut self, x1: f64, start: u64, end: u64, key: u32) {
        self.x1 = self.x1.max(x1);
        self.start_ns = self.start_ns.min(start);
        self.end_ns = self.end_ns.max(end);
        self.calls += 1;
        self.busy_ns += end - start;
        match self.keys.iter_mut().find(|k| k.0 == key) {
            Some(k) => {
                k.1 += 1;
                k.2 += end - start;
            }
            None => self.keys.push((key, 1, end - start)),
        }
    }

    fn finish(mut self, px_per_ns: f64) -> Bar {
        if self.calls > 1 {
            let width = (self.x1 - self.x0).max(MIN_BAR_PX);
            self.coverage = (self.busy_ns as f64 * px_per_ns / width).clamp(0.0, 1.0);
            // The colour of a merged bar is that of the key with most time.
            self.keys
                .sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
            self.key = self.keys[0].0;
        } else {
            self.keys.clear();
        }
        self
    }
}

/// Collects the bars of one row.
pub(crate) struct RowBuilder {
    scale: TimeScale,
    pending: Option<Bar>,
    /// The finished bars, in x order.
    pub bars: Vec<Bar>,
    /// Spans that lie entirely outside the window.
    pub outside: u64,
}

impl RowBuilder {
    /// An empty row over `scale`'s window.
    pub fn new(scale: TimeScale) -> RowBuilder {
        RowBuilder {
            scale,
            pending: None,
            bars: Vec::new(),
            outside: 0,
        }
    }

    /// Adds a span; spans must come in start order.
    pub fn push(&mut self, start: u64, end: u64, key: u32, item: usize) {
        let end = end.max(start);
        if end < self.scale.lo || start > self.scale.hi {
            self.outside += 1;
            return;
        }
        let x0 = self.scale.x_of(start);
        let x1 = self.scale.x_of(end);
        if x1 - x0 >= MIN_BAR_PX {
            self.flush();
            self.bars.push(Bar::one_span(x0, x1, start, end, key, item));
            return;
        }
        let column = x0.floor() as i64;
        if let Some(p) = self.pending.as_mut() {
            if p.column == column {
                p.absorb(x1, start, end, key);
                return;
            }
        }
        self.flush();
        self.pending = Some(Bar {
            keys: vec![(key, 1, end - start)],
            column,
            ..Bar::one_span(x0, x1, start, end, key, item)
        });
    }

    fn flush(&mut self) {
        if let Some(p) = self.pending.take() {
            self.bars.push(p.finish(self.scale.px_per_ns));
        }
    }

    /// The bars, in x order.
    pub fn finish(mut self) -> (Vec<Bar>, u64) {
        self.flush();
        (self.bars, self.outside)
    }
}

/// Adds, for every pixel column of `cover`, the share of it that the
/// intervals cover (0 to 1): the basis of the concurrency strip.
pub(crate) fn add_coverage(cover: &mut [f64], scale: &TimeScale, busy: &[(u64, u64)]) {
    let n = cover.len() as f64;
    for &(s, e) in busy {
        if e < scale.lo || s > scale.hi {
            continue;
        }
        let a = (scale.x_of(s) - scale.x).clamp(0.0, n);
        let b = (scale.x_of(e) - scale.x).clamp(0.0, n);
        if b <= a {
            continue;
        }
        let first = a.floor() as usize;
        let last = (b.ceil() as usize).min(cover.len());
        for (c, slot) in cover.iter_mut().enumerate().take(last).skip(first) {
            let lo = a.max(c as f64);
            let hi = b.min(c as f64 + 1.0);
            if hi > lo {
                *slot += hi - lo;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> TimeScale {
        // 1000 ns over 100 px: 10 ns a pixel.
        TimeScale {
            lo: 0,
            hi: 1000,
            x: 0.0,
            px_per_ns: 0.1,
        }
    }

    #[test]
    fn wide_spans_are_single_bars() {
        let mut row = RowBuilder::new(scale());
        row.push(0, 100, 1, 0);
        row.push(100, 300, 2, 1);
        let (bars, outside) = row.finish();
        assert_eq!(bars.len(), 2);
        assert_eq!(outside, 0);
        assert!(!bars[0].is_merged());
        assert_eq!((bars[1].x0, bars[1].x1), (10.0, 30.0));
    }

    #[test]
    fn narrow_spans_merge_per_column() {
        let mut row = RowBuilder::new(scale());
        // 10 spans of 1 ns in column 0, 3 in column 5 (two names).
        for i in 0..10 {
            row.push(i, i + 1, 7, i as usize);
        }
        row.push(50, 52, 7, 10);
        row.push(52, 55, 8, 11);
        row.push(55, 59, 8, 12);
        let (bars, _) = row.finish();
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].calls, 10);
        assert_eq!(bars[1].calls, 3);
        assert_eq!(bars[1].key, 8, "the key with most time colours the bar");
        // 9 ns busy of the 10 ns the (one pixel wide) bar stands for.
        assert!(
            (bars[1].coverage - 0.9).abs() < 1e-9,
            "{}",
            bars[1].coverage
        );
        assert_eq!(bars.iter().map(|b| b.calls).sum::<u64>(), 13);
    }

    #[test]
    fn a_lone_narrow_span_stays_unmerged() {
        let mut row = RowBuilder::new(scale());
        row.push(500, 503, 1, 4);
        let (bars, _) = row.finish();
        assert_eq!(bars.len(), 1);
        assert!(!bars[0].is_merged());
        assert!(bars[0].keys.is_empty());
        assert_eq!(bars[0].item, 4);
    }

    #[test]
    fn spans_outside_the_window_are_counted_not_drawn() {
        let mut row = RowBuilder::new(TimeScale {
            lo: 100,
            hi: 200,
            x: 0.0,
            px_per_ns: 1.0,
        });
        row.push(0, 50, 1, 0);
        row.push(150, 400, 1, 1);
        let (bars, outside) = row.finish();
        assert_eq!(outside, 1);
        assert_eq!((bars[0].x0, bars[0].x1), (50.0, 100.0));
    }

    #[test]
    fn coverage_is_fractional() {
        let mut cover = vec![0.0; 100];
        add_coverage(&mut cover, &scale(), &[(5, 25)]);
        assert!((cover[0] - 0.5).abs() < 1e-9);
        assert!((cover[1] - 1.0).abs() < 1e-9);
        assert!((cover[2] - 0.5).abs() < 1e-9);
        assert_eq!(cover[3], 0.0);
    }
}
