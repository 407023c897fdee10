//! Regions of awkward traces: no spans, one region, one unit, few or big
//! units, a marked region that ends before its children, regions that
//! overlap without nesting, nesting, several processes. Each gets its note
//! and no wrong number.

use super::{Found, Regions};
use crate::trace::{Lane, NameId, Span, Trace};

const MS: u64 = 1_000_000;

/// A trace of `lanes` lanes of one process, each given its spans as
/// `(name, start ms, end ms, depth)`; the names are interned in order.
fn trace(names: &[&str], lanes: &[&[(usize, f64, f64, u32)]]) -> Trace {
    let mut t = Trace::new();
    let ids: Vec<NameId> = names.iter().map(|n| t.intern(n)).collect();
    let ns = |ms: f64| (ms * MS as f64).round() as u64;
    for (i, spans) in lanes.iter().enumerate() {
        let spans = spans
            .iter()
            .map(|&(n, s, e, d)| Span::new(ids[n], ns(s), ns(e), d));
        t.lanes.push(Lane::with_spans(
            1,
            i as u64 + 1,
            format!("t{}", i + 1),
            spans,
        ));
    }
    t
}

fn names(regions: &Regions) -> Vec<&str> {
    regions.regions.iter().map(|r| r.name.as_str()).collect()
}

/// No region covers time another region covers unless it nests in it.
fn assert_nested(regions: &Regions) {
    for a in &regions.regions {
        for b in &regions.regions {
            let overlap = a.start_ns < b.end_ns && b.start_ns < a.end_ns;
            let nested = (a.start_ns <= b.start_ns && b.end_ns <= a.end_ns)
                || (b.start_ns <= a.start_ns && a.end_ns <= b.end_ns);
            assert!(a.id == b.id || !overlap || nested, "{a:?} and {b:?}");
        }
    }
}

#[test]
fn a_trace_without_spans_has_no_regions_and_says_so() {
    let mut empty = Trace::new();
    for t in [empty.clone(), {
        empty.lanes.push(Lane::new(1, 1, "idle"));
        empty
    }] {
        let regions = t.regions();
        assert!(regions.regions.is_empty());
        assert_eq!(regions.notes, ["the trace holds no spans: no regions"]);
        assert!(regions.to_text(10).contains("no spans"));
        assert!(regions.ranked().is_empty());
    }
}

#[test]
fn one_region_for_the_whole_run_says_so() {
    // One balanced loop on two lanes, nothing else.
    let items: Vec<(usize, f64, f64, u32)> =
        (0..8).map(|k| (0, k as f64, k as f64 + 1.0, 0)).collect();
    let regions = trace(&["item"], &[&items, &items]).regions();
    assert_eq!(names(&regions), ["item"]);
    let only = &regions.regions[0];
    assert_eq!(
        (only.share, only.threads, only.load_balance),
        (1.0, 2, Some(1.0))
    );
    assert!(
        regions.notes[0].starts_with("one region covers the whole run"),
        "{:?}",
        regions.notes
    );
    assert!(regions.to_text(10).starts_with("1 region (1 kind);"));
}

#[test]
fn static_chunks_that_start_together_are_peers_not_a_fork() {
    // One chunk a thread, of 2.5, 5, 7.5 and 10 ms: the longest holds the
    // others in time but is their peer (same name), not their container.
    let lanes: Vec<Vec<(usize, f64, f64, u32)>> =
        (1..=4).map(|w| vec![(0, 0.0, 2.5 * w as f64, 0)]).collect();
    let lanes: Vec<&[(usize, f64, f64, u32)]> = lanes.iter().map(Vec::as_slice).collect();
    let regions = trace(&["chunk"], &lanes).regions();
    assert_eq!(names(&regions), ["chunk"]);
    let r = &regions.regions[0];
    assert_eq!(r.found, Found::Phase);
    assert_eq!((r.threads, r.potential_gain_ns), (4, 3.75 * MS as f64));
    assert_eq!(r.unit_count, 4);
    let notes = r.notes.join("\n");
    assert!(
        notes.contains("4 units for 4 threads: a schedule cannot rebalance"),
        "{notes}"
    );
    assert!(
        notes.contains("a unit larger than the ideal time bounds every schedule"),
        "{notes}"
    );
    assert!(notes.contains("'chunk', 10.000 ms"), "{notes}");
}

#[test]
fn a_region_of_one_unit_says_so() {
    // A fork/join region in which one worker ran one piece.
    let regions = trace(
        &["step", "job", "after"],
        &[
            &[(0, 0.0, 10.0, 0), (2, 10.0, 20.0, 0)],
            &[(1, 1.0, 9.5, 0)],
        ],
    )
    .regions();
    assert_eq!(names(&regions), ["step", "after"]);
    let step = &regions.regions[0];
    assert_eq!(
        (step.found, step.threads, step.unit_count),
        (Found::ForkJoin, 1, 1)
    );
    assert!(step.serial, "one worker: no two lanes at once");
    assert!(
        step.notes
            .iter()
            .any(|n| n.starts_with("one unit ('job', 8.500 ms)")),
        "{:?}",
        step.notes
    );
}

#[test]
fn a_marked_region_that_ends_before_its_children_is_extended_and_said() {
    let mut t = trace(
        &["solve", "part", "next"],
        &[&[(0, 0.0, 10.0, 0), (1, 2.0, 14.0, 1), (2, 20.0, 30.0, 0)]],
    );
    t.mark_region(0);
    let regions = t.regions();
    let solve = &regions.regions[0];
    assert_eq!(
        (solve.name.as_str(), solve.start_ns, solve.end_ns),
        ("solve", 0, 14 * MS)
    );
    let note = regions
        .notes
        .iter()
        .find(|n| n.contains("before its children"));
    let note = note.unwrap_or_else(|| panic!("{:?}", regions.notes));
    assert!(
        note.contains("ends at 10.000 ms") && note.contains("to 14.000 ms"),
        "{note}"
    );
    // The child's time is the region's work: its lane was busy 14 ms of 14.
    assert_eq!(solve.lanes[0].busy_ns, 14 * MS);
    assert_nested(&regions);
}

#[test]
fn regions_that_overlap_without_nesting_are_cut_apart_and_said() {
    let mut t = trace(&["a", "b"], &[&[(0, 0.0, 10.0, 0)], &[(1, 5.0, 15.0, 0)]]);
    t.mark_region(0);
    t.mark_region(1);
    let regions = t.regions();
    assert_nested(&regions);
    // Inside `a`, t1 works alone, then with t2: two phases of `a`.
    let outline: Vec<(&str, u64, u64, Option<usize>)> = regions
        .regions
        .iter()
        .map(|r| (r.name.as_str(), r.start_ns / MS, r.end_ns / MS, r.parent))
        .collect();
    assert_eq!(
        outline,
        [
            ("a", 0, 10, None),
            ("a", 0, 5, Some(0)),
            ("a", 5, 10, Some(0)),
            ("b", 10, 15, None)
        ]
    );
    let note = regions
        .notes
        .iter()
        .find(|n| n.contains("overlap without nesting"));
    assert!(
        note.is_some_and(|n| n.contains("'b' is counted from 10.000 ms")),
        "{:?}",
        regions.notes
    );
    // No time counted twice among the regions of one level.
    let roots = regions.regions.iter().filter(|r| r.parent.is_none());
    let shares: f64 = roots.map(|r| r.share).sum();
    assert!(shares <= 1.0 + 1e-12, "{shares}");
}

#[test]
fn regions_nest_and_only_the_innermost_are_ranked() {
    // A marked solver step holding two wrapped loops on two workers.
    let mut t = trace(
        &["solve", "loop1", "loop2", "item"],
        &[
            &[(0, 0.0, 20.0, 0), (1, 0.0, 10.0, 1), (2, 10.0, 20.0, 1)],
            &[(3, 0.5, 9.5, 0), (3, 10.5, 19.5, 0)],
            &[(3, 0.5, 5.0, 0), (3, 10.5, 12.0, 0)],
        ],
    );
    t.mark_region(0);
    let regions = t.regions();
    assert_eq!(names(&regions), ["solve", "loop1", "loop2"]);
    let parents: Vec<Option<usize>> = regions.regions.iter().map(|r| r.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(0)]);
    let ranks: Vec<Option<usize>> = regions.regions.iter().map(|r| r.rank).collect();
    // loop2 could save 10 − (9 + 1.5) / 2 = 4.75 ms, loop1 10 − 6.75 = 3.25.
    assert_eq!(ranks, [None, Some(2), Some(1)]);
    assert_eq!(regions.regions[2].potential_gain_ns, 4.75 * MS as f64);
    assert_eq!(regions.regions[0].found, Found::Marked);
    assert_eq!(regions.regions[1].found, Found::ForkJoin);
}

#[test]
fn a_thread_wrapping_its_items_gives_the_items_as_units() {
    // Each worker's part of the loop sits in one `block` holding 6 items.
    let block = |offset: f64| -> Vec<(usize, f64, f64, u32)> {
        let items = (0..6).map(move |k| (1, offset + k as f64, offset + k as f64 + 1.0, 1));
        std::iter::once((0, offset, offset + 6.0, 0))
            .chain(items)
            .collect()
    };
    let (a, b) = (block(0.0), block(0.0));
    let regions = trace(&["block", "item"], &[&a, &b]).regions();
    let r = &regions.regions[0];
    assert_eq!((r.threads, r.unit_count), (2, 12));
    assert!(r
        .units
        .iter()
        .all(|u| u.name == "item" && u.duration_ns() == MS));
}

#[test]
fn a_short_flicker_does_not_cut_a_phase_but_idle_time_is_said() {
    // A serial 100 ms load on t1 with a 0.1 ms blip on t2 inside it, then
    // 20 ms of nothing, then 20 ms on t2.
    let regions = trace(
        &["load", "tick", "late"],
        &[
            &[(0, 0.0, 100.0, 0)],
            &[(1, 50.0, 50.1, 0), (2, 120.0, 140.0, 0)],
        ],
    )
    .regions();
    assert_eq!(names(&regions), ["load", "late"]);
    let note = regions.notes.iter().find(|n| n.contains("in no region"));
    assert!(
        note.is_some_and(|n| n.starts_with("20.000 ms (14.3 % of the run)")),
        "{:?}",
        regions.notes
    );
}

#[test]
fn several_processes_are_said_to_be_taken_together() {
    let mut t = trace(&["work"], &[&[(0, 0.0, 10.0, 0)], &[(0, 0.0, 10.0, 0)]]);
    t.lanes[1].pid = 2;
    let regions = t.regions();
    assert_eq!(regions.regions[0].threads, 2);
    assert!(
        regions.notes.iter().any(|n| n.starts_with("2 processes")),
        "{:?}",
        regions.notes
    );
    assert_eq!(regions.regions[0].lanes[1].label, "pid 2 / t2");
}

#[test]
fn spans_of_any_shape_never_panic() {
    // Zero lengths, depths that skip levels, names the table lacks, spans
    // of one lane that overlap without nesting.
    let mut t = Trace::new();
    let spans = [
        Span::new(0, 5, 5, 0),
        Span::new(7, 0, 10, 0),
        Span::new(0, 2, 30, 3),
        Span::new(1, 8, 9, 1),
        Span::new(1, 20, 40, 0),
    ];
    t.mark_region(7);
    t.lanes.push(Lane::with_spans(1, 1, "x", spans.clone()));
    t.lanes.push(Lane::with_spans(1, 2, "y", spans));
    let regions = t.regions();
    assert_nested(&regions);
    for r in &regions.regions {
        assert!(r.start_ns <= r.end_ns && r.share <= 1.0);
        assert!(r.load_balance.is_none_or(|lb| (0.0..=1.0).contains(&lb)));
    }
    let _ = regions.to_text(10);
}
