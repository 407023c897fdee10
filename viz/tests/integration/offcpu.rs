//! Off-CPU time in the thread view: preempted and blocked stretches inside
//! spans drawn over the bars, with their legend; the header says when there
//! are more threads than cores; a trace without off-CPU time draws as before.

use logprof_trace::{Lane, OffCpu, OffCpuKind, OffCpuStatus, Span, Trace};
use logprof_viz::Timeline;

fn trace(off_cpu: bool) -> Trace {
    let mut trace = Trace::new();
    let f = trace.intern("work");
    for tid in 1..=4 {
        let mut lane = Lane::with_spans(
            1,
            tid,
            format!("worker-{tid}"),
            [Span::new(f, 0, 1_000_000, 0)],
        );
        if off_cpu {
            lane.off_cpu = vec![
                OffCpu {
                    start_ns: 100_000,
                    end_ns: 400_000,
                    kind: OffCpuKind::Preempted,
                    cpu: None,
                },
                OffCpu {
                    start_ns: 600_000,
                    end_ns: 700_000,
                    kind: OffCpuKind::Blocked,
                    cpu: None,
                },
                // Outside the span: idle like the rest, not drawn.
                OffCpu {
                    start_ns: 1_000_000,
                    end_ns: 1_000_000,
                    kind: OffCpuKind::Blocked,
                    cpu: None,
                },
            ];
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
fn preempted_and_blocked_stretches_are_drawn_with_a_legend() {
    let svg = Timeline::new(&trace(true)).to_svg_string().unwrap();
    assert_eq!(svg.matches("class=\"preempted\"").count(), 4);
    assert_eq!(svg.matches("class=\"blocked\"").count(), 4);
    assert!(svg.contains("id=\"preempted-hatch\""));
    assert!(svg.contains("preempted: waited for a core"));
    assert!(svg.contains("4 threads on 2 cores"));
}

#[test]
fn a_trace_without_off_cpu_time_draws_no_off_cpu_state() {
    let svg = Timeline::new(&trace(false)).to_svg_string().unwrap();
    assert!(!svg.contains("class=\"preempted\""));
    assert!(!svg.contains("preempted: waited for a core"));
    // Threads over cores is said even so.
    assert!(svg.contains("4 threads on 2 cores"));
}

#[test]
fn lanes_of_several_processes_are_said_to_be_processes_sharing_the_cores() {
    // A merged MPI trace: four ranks, one lane each, on two cores.
    let mut merged = trace(false);
    for (rank, lane) in merged.lanes.iter_mut().enumerate() {
        lane.pid = rank as u32;
        merged
            .process_names
            .insert(rank as u32, format!("rank {rank}"));
    }
    let svg = Timeline::new(&merged).to_svg_string().unwrap();
    assert!(
        svg.contains("4 threads of 4 processes on 2 cores: the processes time-share the cores"),
        "{svg}"
    );
    // One core: in the singular.
    merged.cores = Some(1);
    let svg = Timeline::new(&merged).to_svg_string().unwrap();
    assert!(svg.contains("on 1 core:"));
    assert!(!svg.contains("1 cores"));
}

#[test]
fn a_worker_that_waited_for_a_core_is_drawn_waiting_not_idle() {
    // worker-2 was runnable from 0 to 600 µs with no core, then ran its
    // span; after its span it was preempted again (looking for work: idle).
    let mut trace = Trace::new();
    let f = trace.intern("work");
    trace.lanes.push(Lane::with_spans(
        1,
        1,
        "worker-1",
        [Span::new(f, 0, 1_000_000, 0)],
    ));
    let mut late = Lane::with_spans(1, 2, "worker-2", [Span::new(f, 600_000, 800_000, 0)]);
    late.off_cpu = vec![
        OffCpu {
            start_ns: 0,
            end_ns: 600_000,
            kind: OffCpuKind::Preempted,
            cpu: None,
        },
        OffCpu {
            start_ns: 850_000,
            end_ns: 950_000,
            kind: OffCpuKind::Preempted,
            cpu: None,
        },
    ];
    trace.lanes.push(late);
    trace.cores = Some(1);
    trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    let summary = trace.summary();
    assert_eq!(summary.lanes[1].waited_for_core_ns, 600_000);
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    // One preempted stretch drawn: the wait before its work, not the one
    // after it.
    assert_eq!(svg.matches("class=\"preempted\"").count(), 1, "{svg}");
    assert!(svg.contains("preempted: waited for a core"));
}
