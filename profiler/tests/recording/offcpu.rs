//! Off-CPU intervals recorded from the kernel's context-switch records
//! (Linux): a thread that sleeps inside a span is blocked there, and more
//! busy threads than cores are preempted.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use logprof::{OffCpuKind, OffCpuStatus, Trace};

use crate::support::slate::lock;

/// Off-CPU time of `kind` inside the lane's top-level spans.
fn off_cpu_in_spans(trace: &Trace, lane: usize, kind: OffCpuKind) -> u64 {
    let lane = &trace.lanes[lane];
    let busy = lane.busy_intervals();
    lane.off_cpu
        .iter()
        .filter(|o| o.kind == kind)
        .map(|o| {
            busy.iter()
                .map(|&(s, e)| o.end_ns.min(e).saturating_sub(o.start_ns.max(s)))
                .sum::<u64>()
        })
        .sum()
}

fn spin(d: Duration) {
    let t = Instant::now();
    while t.elapsed() < d {
        std::hint::spin_loop();
    }
}

/// A fresh recording of a thread that sleeps `ms` inside a span.
#[cfg(target_os = "linux")]
fn nap_in_a_span(ms: u64) -> Trace {
    logprof::init_buffer(1 << 10);
    std::thread::spawn(move || {
        let _s = logprof::scope!("nap");
        std::thread::sleep(Duration::from_millis(ms));
    })
    .join()
    .unwrap();
    logprof::collect()
}

#[cfg(target_os = "linux")]
#[test]
fn a_thread_sleeping_inside_a_span_is_blocked_there() {
    let _g = lock();
    let trace = nap_in_a_span(30);
    assert!(
        matches!(trace.off_cpu, OffCpuStatus::Recorded { .. }),
        "{:?}",
        trace.off_cpu
    );
    let lane = trace
        .lanes
        .iter()
        .position(|l| !l.spans.is_empty())
        .unwrap();
    let blocked = off_cpu_in_spans(&trace, lane, OffCpuKind::Blocked);
    // The sleep is about 30 ms of a span of a little more.
    assert!(blocked >= 25_000_000, "blocked {blocked} ns in the span");
    let span = trace.lanes[lane].busy_intervals()[0];
    assert!(blocked <= span.1 - span.0);
    let s = trace.summary();
    assert!(
        s.lanes[lane].on_cpu_busy_ns < 5_000_000,
        "{:?}",
        s.lanes[lane]
    );
    assert_eq!(s.lanes[lane].blocked_ns, blocked);
}

#[cfg(target_os = "linux")]
#[test]
fn more_busy_threads_than_cores_are_preempted() {
    let _g = lock();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores * 2 + 1;
    logprof::init_buffer(1 << 10);
    let start = Barrier::new(threads);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                start.wait();
                let _s = logprof::scope!("spin");
                spin(Duration::from_millis(60));
            });
        }
    });
    let trace = logprof::collect();
    assert!(trace.off_cpu.is_recorded(), "{:?}", trace.off_cpu);
    let preempted: u64 = (0..trace.lanes.len())
        .map(|l| off_cpu_in_spans(&trace, l, OffCpuKind::Preempted))
        .sum();
    // Each spinner spins 60 ms of wall time; with twice as many spinners as
    // cores, about half of each one's span is spent waiting for a core.
    assert!(
        preempted > 20_000_000 * threads as u64 / 2,
        "{preempted} ns preempted over {threads} threads on {cores} cores"
    );
    let s = trace.summary();
    // On-CPU time summed over lanes cannot exceed what the cores give.
    let on_cpu: u64 = s.lanes.iter().map(|l| l.on_cpu_busy_ns).sum();
    assert!(
        on_cpu as f64 <= cores as f64 * s.wall_ns as f64 * 1.02,
        "{on_cpu} on-CPU ns over {} wall ns on {cores} cores",
        s.wall_ns
    );
}

#[test]
fn chrome_json_keeps_off_cpu_intervals_on_their_lane() {
    use logprof::{Lane, OffCpu, Span};
    let mut trace = Trace::new();
    let work = trace.intern("work");
    let mut lane = Lane::with_spans(7, 1, "worker-1", [Span::new(work, 1_000, 9_000, 0)]);
    lane.off_cpu = vec![
        OffCpu {
            start_ns: 2_000,
            end_ns: 3_500,
            kind: OffCpuKind::Preempted,
            cpu: None,
        },
        OffCpu {
            start_ns: 9_500,
            end_ns: 12_000,
            kind: OffCpuKind::Blocked,
            cpu: None,
        },
    ];
    trace.lanes.push(lane);
    trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 2 };
    trace.cores = Some(2);
    let json = trace.to_chrome_json();
    assert!(
        json.contains(
            r#"{"ph":"X","cat":"off-cpu","name":"preempted","pid":7,"tid":1,"ts":2.000,"dur":1.500}"#
        ),
        "{json}"
    );
    assert!(json.contains(r#""cat":"off-cpu","name":"blocked""#));
    let back = Trace::from_chrome_json_str(&json).unwrap();
    assert_eq!(back, trace);
    assert_eq!(back.span_count(), 1, "off-CPU intervals are not spans");
    let s = back.summary();
    assert_eq!(
        (s.lanes[0].busy_ns, s.lanes[0].on_cpu_busy_ns),
        (8_000, 6_500)
    );
    assert_eq!((s.lanes[0].preempted_ns, s.lanes[0].blocked_ns), (1_500, 0));
}

#[test]
fn another_tools_trace_reads_and_summarises_as_before() {
    let json = r#"[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},
                   {"ph":"X","name":"b","pid":1,"tid":2,"ts":0,"dur":5}]"#;
    let trace = Trace::from_chrome_json_str(json).unwrap();
    assert_eq!(trace.off_cpu, OffCpuStatus::NotRecorded);
    assert_eq!(trace.cores, None);
    assert!(trace.lanes.iter().all(|l| l.off_cpu.is_empty()));
    let s = trace.summary();
    assert_eq!(s.off_cpu.note(), None);
    assert_eq!(s.load_balance, s.wall_load_balance);
    assert_eq!(s.load_balance, 0.75);
    assert_eq!(s.parallel_efficiency, 0.75);
    assert_eq!(s.usable_cores, 2);
    assert!(s.lanes.iter().all(|l| l.on_cpu_busy_ns == l.busy_ns));
}

#[cfg(target_os = "linux")]
#[test]
fn a_recorded_trace_round_trips_with_its_off_cpu_time() {
    let _g = lock();
    let trace = nap_in_a_span(5);
    assert!(trace.lanes.iter().any(|l| !l.off_cpu.is_empty()));
    let back = Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(back, trace);
}

/// This thread's on-CPU time so far, in ns, as the scheduler counts it.
/// A short sleep first: the count of a running thread is brought up to date
/// only when it is switched out (else it lags by up to a scheduler tick).
#[cfg(target_os = "linux")]
fn thread_cpu_ns() -> u64 {
    std::thread::sleep(Duration::from_millis(1));
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    text.split_whitespace().next().unwrap().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn on_cpu_busy_time_agrees_with_the_schedulers_count() {
    let _g = lock();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    logprof::init_buffer(1 << 10);
    // More spinners than cores, so each is preempted inside its span.
    let cpu: Vec<u64> = std::thread::scope(|scope| {
        let spinners: Vec<_> = (0..cores + 2)
            .map(|_| {
                scope.spawn(|| {
                    logprof::register_thread();
                    let before = thread_cpu_ns();
                    {
                        let _s = logprof::scope!("spin");
                        spin(Duration::from_millis(40));
                    }
                    thread_cpu_ns() - before
                })
            })
            .collect();
        spinners.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let s = logprof::collect().summary();
    let mut on_cpu: Vec<u64> = s.lanes.iter().map(|l| l.on_cpu_busy_ns).collect();
    let mut counted = cpu.clone();
    on_cpu.sort_unstable();
    counted.sort_unstable();
    let (ours, theirs): (u64, u64) = (on_cpu.iter().sum(), counted.iter().sum());
    // The scheduler's count includes the clock reads around the span; the
    // two agree within 10 % (and 2 ms) over all the threads.
    assert!(
        ours.abs_diff(theirs) <= (theirs / 10).max(2_000_000),
        "on-CPU busy {on_cpu:?} vs the scheduler's {counted:?}"
    );
}

#[test]
fn efficiency_is_against_the_cores_only_with_on_cpu_time() {
    use logprof::{Lane, Span};
    let mut trace = Trace::new();
    let f = trace.intern("f");
    for tid in 1..=4 {
        trace
            .lanes
            .push(Lane::with_spans(1, tid, "w", [Span::new(f, 0, 100, 0)]));
    }
    trace.cores = Some(2);
    // Wall-clock busy time of 4 threads on 2 cores: against the threads.
    let s = trace.summary();
    assert_eq!((s.threads, s.usable_cores), (4, 4));
    assert_eq!(s.parallel_efficiency, 1.0);
    // Each preempted half the time: on-CPU 50 each, against 2 cores.
    for lane in &mut trace.lanes {
        lane.off_cpu = vec![logprof::OffCpu {
            start_ns: 50,
            end_ns: 100,
            kind: OffCpuKind::Preempted,
            cpu: None,
        }];
    }
    trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    let s = trace.summary();
    assert_eq!((s.threads, s.usable_cores), (4, 2));
    assert_eq!(s.parallel_efficiency, 1.0);
    assert_eq!(s.wall_parallel_efficiency, 1.0);
    assert_eq!(s.lanes[0].on_cpu_busy_ns, 50);
}

/// More switches than a ring holds (about 5400) between two collects: the
/// drainer reads the rings while the thread runs, so none is lost. (A thread
/// that sleeps 8000 times for 50 µs, switching out at most every 50 µs: a
/// ring fills in no less than a quarter of a second, the drainer reads it
/// every 20 ms.)
#[cfg(target_os = "linux")]
#[test]
fn a_long_run_loses_no_switch_records() {
    let _g = lock();
    logprof::init_buffer(1 << 10);
    const NAPS: usize = 8000;
    let trace = std::thread::spawn(|| {
        {
            let _s = logprof::scope!("napper");
            for _ in 0..NAPS {
                std::thread::sleep(Duration::from_micros(50));
            }
        }
        logprof::collect()
    })
    .join()
    .unwrap();
    assert_eq!(trace.off_cpu, OffCpuStatus::Recorded { lost_switches: 0 });
    let napper = trace.lanes.iter().find(|l| !l.spans.is_empty()).unwrap();
    let blocked = napper
        .off_cpu
        .iter()
        .filter(|o| o.kind == OffCpuKind::Blocked)
        .count();
    // (A nap may end before the thread is switched out.)
    assert!(
        blocked >= NAPS * 99 / 100,
        "{blocked} blocked stretches for {NAPS} naps"
    );
}
