//! Regions of arbitrary spans: any times, depths, names, marks and
//! processes. Never a panic, and never a figure out of its range.

use proptest::prelude::*;

use crate::trace::{Lane, Span, Trace};

/// Lanes of spans `(name, start, length, depth)` with small numbers, so
/// that spans meet, nest, overlap and repeat.
fn traces() -> impl Strategy<Value = Trace> {
    let span = (0u32..4, 0u64..60, 0u64..30, 0u32..3);
    let lane = (0u32..2, prop::collection::vec(span, 0..10));
    (
        prop::collection::vec(lane, 0..5),
        prop::collection::btree_set(0u32..5, 0..3),
    )
        .prop_map(|(lanes, marks)| {
            let mut t = Trace::new();
            for n in ["a", "b", "c", "d"] {
                t.intern(n);
            }
            t.region_names = marks;
            for (i, (pid, spans)) in lanes.into_iter().enumerate() {
                let spans = spans
                    .into_iter()
                    .map(|(n, s, len, d)| Span::new(n, s, s + len, d));
                t.lanes.push(Lane::with_spans(pid, i as u64, "t", spans));
            }
            t
        })
}

proptest! {
    #[test]
    fn any_spans_give_regions_that_nest_with_figures_in_range(trace in traces()) {
        let regions = trace.regions();
        let eps = 1e-9;
        for r in &regions.regions {
            prop_assert!(regions.start_ns <= r.start_ns && r.end_ns <= regions.end_ns);
            prop_assert!(r.start_ns < r.end_ns, "{r:?}");
            prop_assert!(r.share <= 1.0 + eps);
            prop_assert!(r.load_balance.is_none_or(|x| (0.0..=1.0 + eps).contains(&x)));
            prop_assert!(r.parallel_efficiency.is_none_or(|x| (0.0..=1.0 + eps).contains(&x)));
            prop_assert!(r.potential_gain_ns >= 0.0 && r.potential_gain_ns <= r.wall_ns as f64);
            prop_assert!(r.lanes.iter().all(|l| l.busy_ns <= r.wall_ns));
            if let Some(p) = r.parent {
                let p = &regions.regions[p];
                prop_assert!(p.id < r.id);
                prop_assert!(p.start_ns <= r.start_ns && r.end_ns <= p.end_ns);
            }
            for o in &regions.regions {
                let overlap = r.start_ns < o.end_ns && o.start_ns < r.end_ns;
                let nested = (r.start_ns <= o.start_ns && o.end_ns <= r.end_ns)
                    || (o.start_ns <= r.start_ns && r.end_ns <= o.end_ns);
                prop_assert!(r.id == o.id || !overlap || nested, "{r:?} {o:?}");
            }
        }
        let grouped: usize = regions.ranking.iter().map(|g| g.regions.len()).sum();
        let ranked = regions.regions.iter().filter(|r| r.rank.is_some()).count();
        prop_assert_eq!(grouped, ranked);
        prop_assert!(regions.serial_ns <= regions.wall_ns());
        let _ = regions.to_text(3);
    }
}
