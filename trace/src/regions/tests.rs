//! The regions of hand-built traces: the issue's example found as marked
//! regions, as fork/join containers and as unmarked phases, and the bad
//! inputs, each with its note.

use super::{Found, Region, Regions};
use crate::trace::{Lane, Span, Trace};
use crate::{OffCpu, OffCpuKind, OffCpuStatus};

const MS: u64 = 1_000_000;
const US: u64 = 1_000;

/// How the example's regions are shown to the analysis.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// `region!` around each of the four stretches.
    Marked,
    /// `scope!` around each loop on the main lane.
    Wrapped,
    /// Nothing but the work.
    Unmarked,
}

/// The issue's example: a 10 ms serial load, a balanced 10 ms loop on 4
/// worker threads (10 items of 0.999 ms each, then the join), a triangular
/// loop split statically over the 4 (5 rows a thread, rows of 0.5, 1, 1.5
/// and 2 ms: busy 2.5 / 5 / 7.5 / 10 ms), a 5 ms serial save.
fn example(shown: Shown) -> Trace {
    let mut t = Trace::new();
    let [load, balanced, triangle, save, item, row] =
        ["load", "balanced", "triangle", "save", "item", "row"].map(|n| t.intern(n));
    let mut main = vec![
        Span::new(load, 0, 10 * MS, 0),
        Span::new(save, 30 * MS, 35 * MS, 0),
    ];
    if shown != Shown::Unmarked {
        main.push(Span::new(balanced, 10 * MS, 20 * MS, 0));
        main.push(Span::new(triangle, 20 * MS, 30 * MS, 0));
    }
    if shown == Shown::Marked {
        for name in [load, balanced, triangle, save] {
            t.mark_region(name);
        }
    }
    t.lanes.push(Lane::with_spans(1, 1, "main", main));
    for w in 0..4u64 {
        let items = (0..10).map(|k| {
            let start = 10 * MS + k * MS;
            Span::new(item, start, start + MS - US, 0)
        });
        let row_ns = (w + 1) * MS / 2;
        let rows =
            (0..5).map(|k| Span::new(row, 20 * MS + k * row_ns, 20 * MS + (k + 1) * row_ns, 0));
        let spans: Vec<Span> = items.chain(rows).collect();
        t.lanes.push(Lane::with_spans(
            1,
            w + 2,
            format!("worker-{}", w + 1),
            spans,
        ));
    }
    t
}

/// `(name, found, start ms, end ms)` of every region.
fn outline(regions: &Regions) -> Vec<(String, Found, f64, f64)> {
    regions
        .regions
        .iter()
        .map(|r| {
            let ms = |ns: u64| ns as f64 / MS as f64;
            (r.name.clone(), r.found, ms(r.start_ns), ms(r.end_ns))
        })
        .collect()
}

fn named<'a>(regions: &'a Regions, name: &str) -> &'a Region {
    let found = regions.regions.iter().find(|r| r.name == name);
    found.unwrap_or_else(|| panic!("no region {name}: {:?}", outline(regions)))
}

/// What every variant of the example must give, whatever the names.
fn check_example(regions: &Regions, names: [&str; 4]) {
    let [load, balanced, triangle, save] = names.map(|n| named(regions, n));
    assert_eq!(regions.wall_ns(), 35 * MS);
    assert_eq!(regions.serial_ns, 15 * MS, "{:?}", outline(regions));
    assert!(load.serial && save.serial && !balanced.serial && !triangle.serial);
    assert_eq!((load.wall_ns, save.wall_ns), (10 * MS, 5 * MS));
    assert_eq!(triangle.threads, 4);
    assert_eq!((triangle.start_ns, triangle.end_ns), (20 * MS, 30 * MS));
    assert_eq!(triangle.mean_busy_ns, 6.25 * MS as f64);
    assert_eq!(triangle.potential_gain_ns, 3.75 * MS as f64);
    assert_eq!(triangle.load_balance, Some(0.625));
    assert_eq!(triangle.parallel_efficiency, Some(0.625));
    assert_eq!(triangle.critical_lane.as_deref(), Some("worker-4"));
    let overloads: Vec<f64> = triangle
        .lanes
        .iter()
        .map(|l| l.overload_ns / MS as f64)
        .collect();
    assert_eq!(overloads, [-3.75, -1.25, 1.25, 3.75]);
    // 20 rows of at most 2 ms, below the ideal 6.25 ms: nothing to warn of.
    assert_eq!(
        (triangle.unit_count, triangle.largest_unit_ns),
        (20, 2 * MS)
    );
    assert!(triangle.notes.is_empty(), "{:?}", triangle.notes);
    assert_eq!(balanced.threads, 4);
    assert_eq!(balanced.unit_count, 40);
    // The 10 µs join a thread: 0.01 ms to gain.
    assert!((balanced.potential_gain_ns - 10.0 * US as f64).abs() < 1.0);
    // Serial regions by their time, parallel ones by their gain.
    let ranked: Vec<&str> = regions.ranked().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(ranked, names_ranked(names));
    let amdahl = load.max_speedup.unwrap();
    assert!((amdahl - 3.5).abs() < 1e-12, "{amdahl}");
    assert!(
        load.notes.iter().any(|n| n.contains("3.5× faster")),
        "{:?}",
        load.notes
    );
    assert!(
        load.notes.iter().any(|n| n.contains("one unit")),
        "{:?}",
        load.notes
    );
    assert!(regions.notes.is_empty(), "{:?}", regions.notes);
}

fn names_ranked([load, balanced, triangle, save]: [&str; 4]) -> [&str; 4] {
    [load, save, triangle, balanced]
}

#[test]
fn the_issues_example_as_marked_regions() {
    let regions = example(Shown::Marked).regions();
    let found: Vec<Found> = regions.regions.iter().map(|r| r.found).collect();
    assert_eq!(found, [Found::Marked; 4]);
    check_example(&regions, ["load", "balanced", "triangle", "save"]);
    // The main lane only waits in the loops: it is not one of their threads.
    let triangle = named(&regions, "triangle");
    assert!(triangle.lanes.iter().all(|l| l.label != "main"));
}

#[test]
fn the_issues_example_as_fork_join_scopes() {
    let regions = example(Shown::Wrapped).regions();
    let found: Vec<(String, Found)> = regions
        .regions
        .iter()
        .map(|r| (r.name.clone(), r.found))
        .collect();
    let expected = [
        ("load", Found::Phase),
        ("balanced", Found::ForkJoin),
        ("triangle", Found::ForkJoin),
        ("save", Found::Phase),
    ];
    assert_eq!(found, expected.map(|(n, f)| (n.to_owned(), f)));
    check_example(&regions, ["load", "balanced", "triangle", "save"]);
}

#[test]
fn the_issues_example_unmarked_is_cut_into_phases() {
    let regions = example(Shown::Unmarked).regions();
    let expected = [
        ("load", 0.0, 10.0),
        ("item", 10.0, 20.0),
        ("row", 20.0, 30.0),
        ("save", 30.0, 35.0),
    ];
    let expected: Vec<(String, Found, f64, f64)> = expected
        .iter()
        .map(|&(n, s, e)| (n.to_owned(), Found::Phase, s, e))
        .collect();
    assert_eq!(outline(&regions), expected);
    check_example(&regions, ["load", "item", "row", "save"]);
}

#[test]
fn the_example_prints_where_the_time_goes() {
    let text = example(Shown::Marked).regions().to_text(10);
    assert!(
        text.contains("serial 15.000 of 35.000 ms (42.9 %)"),
        "{text}"
    );
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(3)
        .take(4)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(names, ["load", "save", "triangle", "balanced"], "{text}");
    assert!(
        rows[2].contains(&"3.750") && rows[2].contains(&"worker-4"),
        "{text}"
    );
    assert!(text.contains("- load: serial: 28.6 % of the run"), "{text}");
    // Two ranked regions only.
    assert_eq!(example(Shown::Marked).regions().table(2).rows.len(), 2);
}

#[test]
fn on_cpu_time_is_the_work_when_it_was_recorded() {
    let mut trace = example(Shown::Marked);
    // worker-4 spends 2 ms of its triangle rows preempted.
    trace.lanes[4].off_cpu.push(OffCpu {
        start_ns: 22 * MS,
        end_ns: 24 * MS,
        kind: OffCpuKind::Preempted,
        cpu: None,
    });
    let wall_clock = trace.regions();
    assert_eq!(named(&wall_clock, "triangle").max_busy_ns, 10 * MS);
    trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    let regions = trace.regions();
    let triangle = named(&regions, "triangle");
    // On-CPU work 2.5 / 5 / 7.5 / 8 ms: mean 5.75, max 8.
    assert_eq!(triangle.max_busy_ns, 8 * MS);
    assert_eq!(triangle.mean_busy_ns, 5.75 * MS as f64);
    assert_eq!(triangle.lanes[3].busy_ns, 10 * MS);
    assert_eq!(triangle.lanes[3].on_cpu_busy_ns, 8 * MS);
    assert_eq!(triangle.load_balance, Some(5.75 / 8.0));
}

#[test]
fn waiting_inside_a_region_is_not_its_work() {
    let mut trace = example(Shown::Marked);
    // worker-4 waits on a lock for 4 ms of its last triangle row, and
    // worker-1 waits 1 ms at the top level after its rows (not a unit).
    let lock = trace.intern("lock");
    trace.mark_wait(lock);
    trace.lanes[4]
        .spans
        .push(Span::new(lock, 26 * MS, 30 * MS, 1));
    trace.lanes[1]
        .spans
        .push(Span::new(lock, 22_500_000, 23_500_000, 0));
    for lane in &mut trace.lanes {
        lane.sort_spans();
    }
    let regions = trace.regions();
    let triangle = named(&regions, "triangle");
    // Work 2.5 / 5 / 7.5 / 6 ms: the busiest is worker-3 now.
    assert_eq!(triangle.max_busy_ns, 7_500_000);
    assert_eq!(triangle.lanes[3].busy_ns, 6 * MS);
    assert_eq!(triangle.lanes[0].busy_ns, 2_500_000);
    assert_eq!(triangle.critical_lane.as_deref(), Some("worker-3"));
    assert_eq!(triangle.unit_count, 20, "a top-level wait is no unit");
}

#[test]
fn threads_sharing_fewer_cores_share_out_their_work_over_the_cores() {
    let mut trace = example(Shown::Marked);
    // 4 workers on 2 cores: each spends the second half of its triangle
    // rows preempted, so on-CPU work is 1.25 / 2.5 / 3.75 / 5 ms.
    for w in 1..=4u64 {
        let busy = w * 5 * MS / 2;
        trace.lanes[w as usize].off_cpu.push(OffCpu {
            start_ns: 20 * MS + busy / 2,
            end_ns: 20 * MS + busy,
            kind: OffCpuKind::Preempted,
            cpu: None,
        });
    }
    trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    trace.cores = Some(2);
    let regions = trace.regions();
    let triangle = named(&regions, "triangle");
    // 12.5 ms of work over 2 cores: 6.25 ms at best, 3.75 ms to gain.
    assert_eq!(triangle.mean_busy_ns, 3.125 * MS as f64);
    assert_eq!(triangle.ideal_ns, 6.25 * MS as f64);
    assert_eq!(triangle.potential_gain_ns, 3.75 * MS as f64);
    assert_eq!(triangle.parallel_efficiency, Some(0.625));
    assert_eq!(triangle.load_balance, Some(0.625));
}

#[test]
fn regions_of_one_kind_are_ranked_together() {
    // Three time steps: a wrapped loop on two workers (busy 4 and 2 ms of
    // 4) and 1 ms of serial glue on the main lane after each.
    let mut t = Trace::new();
    let [step, item, glue] = ["step", "item", "glue"].map(|n| t.intern(n));
    let mut main = Vec::new();
    let mut workers = [Vec::new(), Vec::new()];
    for k in 0..3 {
        let s = k * 5 * MS;
        main.push(Span::new(step, s, s + 4 * MS, 0));
        main.push(Span::new(glue, s + 4 * MS, s + 5 * MS, 0));
        for (w, spans) in workers.iter_mut().enumerate() {
            let per_item = (2 - w as u64) * MS / 2; // 1 ms or 0.5 ms
            spans.extend(
                (0..4).map(|i| Span::new(item, s + i * per_item, s + (i + 1) * per_item, 0)),
            );
        }
    }
    t.lanes.push(Lane::with_spans(1, 1, "main", main));
    for (w, spans) in workers.into_iter().enumerate() {
        t.lanes
            .push(Lane::with_spans(1, w as u64 + 2, format!("w{w}"), spans));
    }
    let regions = t.regions();
    assert_eq!(regions.regions.len(), 6);
    let ranked: Vec<(&str, usize, f64)> = regions
        .ranked()
        .iter()
        .map(|g| {
            (
                g.name.as_str(),
                g.regions.len(),
                g.could_save_ns / MS as f64,
            )
        })
        .collect();
    // Each step could save 4 − 3 = 1 ms, each glue its 1 ms: 3 ms each
    // kind; ties go to the earlier.
    assert_eq!(ranked, [("step", 3, 3.0), ("glue", 3, 3.0)]);
    let steps = &regions.ranked()[0];
    assert_eq!(steps.load_balance, Some(0.75));
    assert_eq!(steps.parallel_efficiency, Some(0.75));
    assert_eq!(steps.critical_lane.as_deref(), Some("w0"));
    let glue = &regions.ranked()[1];
    assert!(glue.serial);
    assert_eq!(regions.serial_ns, 3 * MS);
    // 3 of 15 ms serial: at most 5× faster.
    assert!(
        glue.notes[0].contains("20.0 % of the run") && glue.notes[0].contains("5.0×"),
        "{:?}",
        glue.notes
    );
    assert!(
        glue.notes.iter().any(|n| n.starts_with("one unit")),
        "{:?}",
        glue.notes
    );
    assert!(regions.regions.iter().all(|r| r.rank.is_some()));
    let text = regions.to_text(10);
    assert!(text.contains("6 regions (2 kinds)"), "{text}");
}

#[test]
fn a_span_around_the_whole_program_holds_the_phases() {
    // The unmarked example with `main` around everything on the main lane,
    // its load and save nested in it.
    let mut trace = example(Shown::Unmarked);
    let whole = trace.intern("main");
    let lane = &mut trace.lanes[0];
    for s in &mut lane.spans {
        s.depth = 1;
    }
    lane.spans.push(Span::new(whole, 0, 35 * MS, 0));
    lane.sort_spans();
    let regions = trace.regions();
    let outline: Vec<(&str, Found, Option<usize>)> = regions
        .regions
        .iter()
        .map(|r| (r.name.as_str(), r.found, r.parent))
        .collect();
    assert_eq!(
        outline,
        [
            ("main", Found::ForkJoin, None),
            ("load", Found::Phase, Some(0)),
            ("item", Found::Phase, Some(0)),
            ("row", Found::Phase, Some(0)),
            ("save", Found::Phase, Some(0)),
        ]
    );
    check_example(&regions, ["load", "item", "row", "save"]);
}

/// Three ranks, two steps each closed by a collective: in step 0 rank 2
/// works 4 ms and the others 2 ms, then all wait in `MPI_Allreduce`; step 1
/// is balanced (3 ms each) and ends in `MPI_Barrier`.
fn mpi_steps(barrier_on_rank_1: bool) -> Trace {
    let mut t = Trace::new();
    let [compute, allreduce, barrier] =
        ["compute", "MPI_Allreduce", "MPI_Barrier"].map(|n| t.intern(n));
    for rank in 0..3u32 {
        let first = if rank == 2 { 4 * MS } else { 2 * MS };
        let mut spans = vec![
            Span::new(compute, 0, first, 0),
            Span::new(allreduce, first, 4 * MS + 100 * US, 0),
            Span::new(compute, 4 * MS + 100 * US, 7 * MS + 100 * US, 0),
        ];
        if rank != 1 || barrier_on_rank_1 {
            spans.push(Span::new(barrier, 7 * MS + 100 * US, 7 * MS + 200 * US, 0));
        }
        t.lanes
            .push(Lane::with_spans(rank, 1, format!("rank {rank}"), spans));
        t.process_names.insert(rank, format!("rank {rank}"));
    }
    t
}

#[test]
fn an_mpi_run_is_cut_between_its_collective_calls() {
    let trace = mpi_steps(true);
    let regions = trace.regions();
    let collective: Vec<_> = outline(&regions)
        .into_iter()
        .filter(|r| r.1 == Found::Collective)
        .collect();
    assert_eq!(
        collective,
        [
            ("MPI_Allreduce".to_owned(), Found::Collective, 0.0, 4.1),
            ("MPI_Barrier".to_owned(), Found::Collective, 4.1, 7.2),
        ]
    );
    let step0 = &regions.regions[0];
    // Waiting in the reduction is not work: ranks 0 and 1 worked 2 of the
    // 4 ms rank 2 worked.
    assert_eq!(step0.threads, 3);
    assert_eq!(step0.max_busy_ns, 4 * MS);
    assert_eq!(step0.load_balance, Some((2.0 + 2.0 + 4.0) / 3.0 / 4.0));
    assert_eq!(step0.critical_lane.as_deref(), Some("rank 2"));
    let step1 = &regions.regions[1];
    assert_eq!(step1.load_balance, Some(1.0));
    // Ranked by what fixing them could save: the imbalanced step first.
    assert_eq!(regions.ranked()[0].name, "MPI_Allreduce");
}

#[test]
fn ranks_that_made_different_collective_calls_leave_the_run_uncut() {
    let regions = mpi_steps(false).regions();
    assert!(regions.regions.iter().all(|r| r.found != Found::Collective));
    assert!(
        regions
            .notes
            .iter()
            .any(|n| n.contains("different collective calls")),
        "{:?}",
        regions.notes
    );
}

#[test]
fn a_chunk_as_long_as_its_marked_loop_is_work_not_a_container() {
    // The last worker's static chunk starts and ends with the loop's
    // region on the main lane: the region holds it, not the other way.
    let mut t = Trace::new();
    let (split, row) = (t.intern("split"), t.intern("row"));
    t.mark_region(split);
    t.lanes.push(Lane::with_spans(
        1,
        0,
        "main",
        [Span::new(split, 0, 10 * MS, 0)],
    ));
    for w in 1..=4u64 {
        let end = w * 5 * MS / 2;
        t.lanes.push(Lane::with_spans(
            1,
            w,
            format!("worker-{w}"),
            [Span::new(row, 0, end, 0)],
        ));
    }
    let regions = t.regions();
    assert_eq!(
        outline(&regions),
        [("split".to_owned(), Found::Marked, 0.0, 10.0)]
    );
    let r = &regions.regions[0];
    assert_eq!((r.threads, r.potential_gain_ns), (4, 3.75 * MS as f64));
}
