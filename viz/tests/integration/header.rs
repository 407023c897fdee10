//! The picture says what the summary says: for every kind of timeline
//! (threads, coloured by cost, tasks, stacked panels, several processes),
//! each header number is the trace's `Summary` figure (as `logprof report`
//! prints it), each busy figure names its kind (on-CPU or wall-clock), and
//! the busy column and the busy-threads strip count the same busy time.

use logprof_trace::table::percent;
use logprof_trace::{Lane, OffCpu, OffCpuKind, OffCpuStatus, Span, Summary, Trace};
use logprof_viz::{ColorBy, Figure, Timeline};

use crate::common::{all_text, parse, tasks, El};

/// Each panel's header: its (name, value) pairs, the panel label left out.
fn headers(els: &[El]) -> Vec<Vec<(String, String)>> {
    (0..els.len())
        .filter(|&i| els[i].class() == "metrics")
        .map(|i| {
            let spans: Vec<String> = els
                .iter()
                .filter(|e| e.parent == Some(i) && e.tag == "tspan")
                // A figure's panel label: bold, larger.
                .filter(|e| e.attr("font-size") != Some("14"))
                .map(|e| e.text.clone())
                .collect();
            spans
                .chunks(2)
                .map(|kv| (kv[0].clone(), kv[1].clone()))
                .collect()
        })
        .collect()
}

/// The value of `key` in a header.
fn value<'h>(header: &'h [(String, String)], key: &str) -> &'h str {
    header
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key:?} in {header:?}"))
}

/// A duration as the header writes it (`2.30 ms`), in ns.
fn ns(text: &str) -> f64 {
    let (number, unit) = text.split_once(' ').expect("a number and a unit");
    let scale = match unit {
        "ns" => 1.0,
        "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => panic!("unit {unit:?}"),
    };
    number.parse::<f64>().unwrap() * scale
}

/// Three significant digits, as the header writes durations.
fn close(shown_ns: f64, exact_ns: f64) -> bool {
    (shown_ns - exact_ns).abs() <= 0.005 * exact_ns.abs().max(1.0)
}

/// The texts of every element of class `class`.
fn texts(els: &[El], class: &str) -> Vec<String> {
    (0..els.len())
        .filter(|&i| els[i].class() == class)
        .map(|i| all_text(els, i))
        .collect()
}

/// Checks one thread panel's header against `s`: every figure the
/// summary's, each named by its kind.
fn check_thread_header(header: &[(String, String)], s: &Summary, kind: &str) {
    assert!(
        close(ns(value(header, "wall")), s.wall_ns as f64),
        "{header:?}"
    );
    assert_eq!(
        value(header, &format!("{kind} load balance")),
        percent(s.load_balance)
    );
    assert_eq!(
        value(header, &format!("{kind} parallel efficiency")),
        percent(s.parallel_efficiency)
    );
    let imbalance = ns(value(header, &format!("max − mean {kind} busy")));
    assert!(close(imbalance, s.imbalance_ns), "{header:?}: {s:?}");
    assert_eq!(value(header, "threads"), s.lanes.len().to_string());
}

/// Checks a thread view's busy column, its caption, the strip and the
/// legend heading against `s`.
fn check_busy_column(els: &[El], s: &Summary, kind: &str) {
    let on_cpu = s.off_cpu.is_recorded();
    let expected: Vec<String> = s
        .lanes
        .iter()
        .map(|l| {
            let busy = if on_cpu { l.on_cpu_busy_ns } else { l.busy_ns };
            percent(busy as f64 / s.wall_ns as f64)
        })
        .collect();
    assert_eq!(texts(els, "utilisation"), expected);
    let text: Vec<&str> = els.iter().map(|e| e.text.as_str()).collect();
    assert!(text.contains(&format!("busy {kind}").as_str()), "{text:?}");
    assert_eq!(texts(els, "busy-kind"), [kind]);
    let mean = if on_cpu {
        s.mean_on_cpu_busy_ns
    } else {
        s.mean_busy_ns
    };
    let avg = format!("avg {:.2}", mean * s.lanes.len() as f64 / s.wall_ns as f64);
    assert!(text.contains(&avg.as_str()), "{avg} in {text:?}");
    assert!(
        text.contains(&"functions (inclusive wall-clock time)"),
        "{text:?}"
    );
}

/// Four workers of uneven work; with `off_cpu`, the two busiest were off
/// their core for part of their spans, so on-CPU figures differ from
/// wall-clock ones.
fn uneven(off_cpu: bool) -> Trace {
    let mut trace = Trace::new();
    let work = trace.intern("work");
    for t in 0..4u64 {
        let end = if t == 1 || t == 2 {
            4_000_000
        } else {
            1_000_000
        };
        let mut lane = Lane::with_spans(1, t, format!("worker-{t}"), [Span::new(work, 0, end, 0)]);
        if off_cpu && end > 1_000_000 {
            lane.off_cpu = vec![OffCpu {
                start_ns: 500_000,
                end_ns: 500_000 + 700_000 * t,
                kind: OffCpuKind::Preempted,
                cpu: None,
            }];
        }
        trace.lanes.push(lane);
    }
    trace.cores = Some(2);
    if off_cpu {
        trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    }
    trace
}

#[test]
fn a_thread_timeline_gives_the_summary_on_cpu_and_wall_clock() {
    for (off_cpu, kind) in [(true, "on-CPU"), (false, "wall-clock")] {
        let trace = uneven(off_cpu);
        let s = trace.summary();
        let els = parse(&Timeline::new(&trace).to_svg_string().unwrap());
        let headers = headers(&els);
        assert_eq!(headers.len(), 1);
        check_thread_header(&headers[0], &s, kind);
        check_busy_column(&els, &s, kind);
    }
    // On-CPU and wall-clock figures differ here, so the check above tells
    // them apart.
    let s = uneven(true).summary();
    assert_ne!(percent(s.load_balance), percent(s.wall_load_balance));
}

#[test]
fn a_timeline_coloured_by_cost_gives_the_same_figures() {
    let trace = uneven(true);
    let s = trace.summary();
    let svg = Timeline::new(&trace)
        .color_by(ColorBy::Cost)
        .to_svg_string()
        .unwrap();
    let els = parse(&svg);
    check_thread_header(&headers(&els)[0], &s, "on-CPU");
    assert_eq!(texts(&els, "utilisation").len(), s.lanes.len());
}

#[test]
fn a_task_timeline_gives_the_summary() {
    let trace = tasks();
    let s = trace.summary();
    let els = parse(&Timeline::new(&trace).by_task(true).to_svg_string().unwrap());
    let header = &headers(&els)[0];
    check_thread_header(header, &s, "wall-clock");
    assert_eq!(value(header, "migrated"), s.migrated_tasks.to_string());
}

#[test]
fn each_panel_of_a_figure_gives_its_own_summary() {
    let (a, b) = (uneven(true), uneven(false));
    let svg = Figure::new()
        .add("on cpu", &a)
        .add("wall", &b)
        .to_svg_string()
        .unwrap();
    let els = parse(&svg);
    let headers = headers(&els);
    assert_eq!(headers.len(), 2);
    check_thread_header(&headers[0], &a.summary(), "on-CPU");
    check_thread_header(&headers[1], &b.summary(), "wall-clock");
    // Each panel's busy column, in panel order.
    let (sa, sb) = (a.summary(), b.summary());
    let busy = texts(&els, "utilisation");
    let share = |s: &Summary, l: usize, on_cpu: bool| {
        let lane = &s.lanes[l];
        let ns = if on_cpu {
            lane.on_cpu_busy_ns
        } else {
            lane.busy_ns
        };
        percent(ns as f64 / s.wall_ns as f64)
    };
    let expected: Vec<String> = (0..4)
        .map(|l| share(&sa, l, true))
        .chain((0..4).map(|l| share(&sb, l, false)))
        .collect();
    assert_eq!(busy, expected);
}

/// Three ranks: rank 0 hands out work and waits in `MPI_Recv` the whole
/// run (busy for the thread view, not useful for POP), ranks 1 and 2
/// compute unevenly.
fn ranks() -> Trace {
    let mut trace = Trace::new();
    let (deal, recv, work) = (
        trace.intern("pmap"),
        trace.intern("MPI_Recv"),
        trace.intern("work"),
    );
    trace.lanes.push(Lane::with_spans(
        0,
        1,
        "rank 0",
        [
            Span::new(deal, 0, 1_000_000, 0),
            Span::new(recv, 50_000, 1_000_000, 1),
        ],
    ));
    trace.lanes.push(Lane::with_spans(
        1,
        1,
        "rank 1",
        [Span::new(work, 0, 1_000_000, 0)],
    ));
    trace.lanes.push(Lane::with_spans(
        2,
        1,
        "rank 2",
        [Span::new(work, 0, 400_000, 0)],
    ));
    for rank in 0..3 {
        trace.process_names.insert(rank, format!("rank {rank}"));
    }
    trace
}

#[test]
fn a_trace_of_several_processes_gives_pops_figures() {
    let trace = ranks();
    let p = trace.process_metrics().unwrap();
    let els = parse(&Timeline::new(&trace).to_svg_string().unwrap());
    let header = &headers(&els)[0];
    assert_eq!(
        value(header, "load balance over processes"),
        percent(p.load_balance)
    );
    assert_eq!(
        value(header, "communication efficiency"),
        percent(p.communication_efficiency)
    );
    // Waiting is not work: the threads' balance leaves rank 0's receive
    // out too, so it agrees with the processes' (shown once, as POP's).
    let s = trace.summary();
    assert_eq!(percent(s.load_balance), percent(p.load_balance));
    assert_eq!(s.lanes[0].waiting_ns, 950_000);
    assert!(
        header.iter().all(|(k, _)| !k.ends_with(" load balance")),
        "{header:?}"
    );
}

#[test]
fn waiting_is_drawn_as_waiting_and_never_counted_as_busy() {
    // Two workers of the same span length; worker-1 spends 3 of its 4 ms in
    // a lock, worker-0 in an MPI receive for 1 ms.
    let mut trace = Trace::new();
    let (work, lock, recv) = (
        trace.intern("work"),
        trace.intern("lock"),
        trace.intern("MPI_Recv"),
    );
    trace.mark_wait(lock);
    let spans0 = [
        Span::new(work, 0, 4_000_000, 0),
        Span::new(recv, 0, 1_000_000, 1),
    ];
    let spans1 = [
        Span::new(work, 0, 4_000_000, 0),
        Span::new(lock, 1_000_000, 4_000_000, 1),
    ];
    trace.lanes.push(Lane::with_spans(1, 0, "worker-0", spans0));
    trace.lanes.push(Lane::with_spans(1, 1, "worker-1", spans1));
    let s = trace.summary();
    let busy: Vec<u64> = s.lanes.iter().map(|l| l.busy_ns).collect();
    assert_eq!(busy, [3_000_000, 1_000_000]);
    assert_eq!(s.lanes[1].waiting_ns, 3_000_000);
    assert_eq!(s.lanes[1].idle_ns, 0);
    let els = parse(&Timeline::new(&trace).to_svg_string().unwrap());
    check_thread_header(&headers(&els)[0], &s, "wall-clock");
    check_busy_column(&els, &s, "wall-clock");
    // The lock and the receive in the waiting style, the work not; the
    // legend says which names wait.
    let waiting = els.iter().filter(|e| e.class() == "bar waiting").count();
    assert_eq!(waiting, 2);
    let text = els
        .iter()
        .map(|e| e.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(text.matches("waiting, not work").count(), 2, "{text}");
}

#[test]
fn the_regions_report_ranks_are_a_band_above_the_lanes() {
    const MS: u64 = 1_000_000;
    let mut trace = Trace::new();
    let (load, split, row) = (
        trace.intern("load"),
        trace.intern("split"),
        trace.intern("row"),
    );
    trace.mark_region(load);
    trace.mark_region(split);
    let main = [
        Span::new(load, 0, 10 * MS, 0),
        Span::new(split, 10 * MS, 20 * MS, 0),
    ];
    trace.lanes.push(Lane::with_spans(1, 0, "main", main));
    for w in 1..=4u64 {
        let end = 10 * MS + w * 5 * MS / 2;
        trace.lanes.push(Lane::with_spans(
            1,
            w,
            format!("worker-{w}"),
            [Span::new(row, 10 * MS, end, 0)],
        ));
    }
    let els = parse(&Timeline::new(&trace).to_svg_string().unwrap());
    let labels = texts(&els, "region-label");
    // The costliest (the serial load: 10 ms against a gain of 3.75 ms)
    // marked first; each block says what fixing it could save.
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels[0].starts_with("▲ load · serial 10"), "{labels:?}");
    assert!(labels[1].starts_with("split · gain 3.75"), "{labels:?}");
    let costliest = els
        .iter()
        .filter(|e| e.class() == "region costliest")
        .count();
    assert_eq!(costliest, 1);
    // A single unmarked loop has no band: it would repeat the lanes.
    let els = parse(&Timeline::new(&uneven(false)).to_svg_string().unwrap());
    assert!(texts(&els, "region-label").is_empty());
}
