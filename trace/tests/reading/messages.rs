//! Messages between ranks in a trace built by hand (no MPI needed): the
//! Chrome JSON draws each as a flow arrow from the send to the receive, the
//! reader gives the same trace back, and the summary's process metrics and
//! lane names come from it.

use logprof_trace::{Lane, MessageSide, MpiCall, Span, Trace};

fn end(side: MessageSide, peer: u32, tag: i32, seq: u64) -> Option<Box<MpiCall>> {
    Some(Box::new(MpiCall {
        side,
        peer,
        tag,
        seq,
        bytes: 800,
    }))
}

/// Rank 0 runs 0..1000 ns: computes, then waits for rank 1's result
/// (400..1000). Rank 1 receives its work (0..100), computes (100..900),
/// sends the result (900..950).
fn two_ranks() -> Trace {
    use MessageSide::{Receive, Send};
    let mut trace = Trace::new();
    let run = trace.intern("run");
    let send = trace.intern("MPI_Send");
    let receive = trace.intern("MPI_Recv");
    let work = trace.intern("work");
    let mpi = |name, start, end_ns, depth, call| Span {
        mpi: call,
        ..Span::new(name, start, end_ns, depth).with_value(800)
    };
    trace.lanes.push(Lane::with_spans(
        0,
        1,
        "main",
        [
            Span::new(run, 0, 1000, 0),
            mpi(send, 0, 50, 1, end(Send, 1, -3, 0)),
            Span::new(work, 50, 400, 1),
            mpi(receive, 400, 1000, 1, end(Receive, 1, 7, 0)),
        ],
    ));
    trace.lanes.push(Lane::with_spans(
        1,
        1,
        "main",
        [
            mpi(receive, 0, 100, 0, end(Receive, 0, -3, 0)),
            Span::new(work, 100, 900, 0),
            mpi(send, 900, 950, 0, end(Send, 0, 7, 0)),
        ],
    ));
    trace.process_names.insert(0, "rank 0".into());
    trace.process_names.insert(1, "rank 1".into());
    trace
}

#[test]
fn messages_are_flow_arrows_and_read_back() {
    let trace = two_ranks();
    let json = trace.to_chrome_json();
    // Each message: `s` on the send's lane at its start, `f` bound to the
    // enclosing slice on the receive's lane at its start, one id.
    for line in [
        r#"{"ph":"s","cat":"mpi","name":"message","id":0,"pid":0,"tid":1,"ts":0.000}"#,
        r#"{"ph":"f","bp":"e","cat":"mpi","name":"message","id":0,"pid":1,"tid":1,"ts":0.000}"#,
        r#"{"ph":"s","cat":"mpi","name":"message","id":1,"pid":1,"tid":1,"ts":0.900}"#,
        r#"{"ph":"f","bp":"e","cat":"mpi","name":"message","id":1,"pid":0,"tid":1,"ts":0.400}"#,
    ] {
        assert!(json.contains(line), "{line} missing from {json}");
    }
    assert!(json.contains(
        r#""cat":"mpi","name":"MPI_Send","pid":0,"tid":1,"ts":0.000,"dur":0.050,"args":{"depth":1,"value":800,"mpi":"send","peer":1,"tag":-3,"seq":0,"bytes":800}"#
    ));
    let back = Trace::from_chrome_json_str(&json).unwrap();
    assert_eq!(back, trace);
    assert!(back.repairs.is_empty(), "{:?}", back.repairs);
    assert_eq!(back.messages(), trace.messages());
    assert_eq!(back.messages().flows.len(), 2);
}

#[test]
fn the_summary_has_process_metrics_and_names_lanes_by_rank() {
    let summary = two_ranks().summary();
    let labels: Vec<String> = summary.lanes.iter().map(|l| l.label()).collect();
    assert_eq!(labels, ["rank 0 / main", "rank 1 / main"]);
    let p = summary.processes.expect("two processes");
    // Useful: rank 0 1000 − 50 − 600 = 350 ns, rank 1 950 − 100 − 50 = 800 ns.
    let useful: Vec<u64> = p.processes.iter().map(|r| r.useful_ns).collect();
    assert_eq!(useful, [350, 800]);
    assert_eq!(p.wall_ns, 1000);
    assert_eq!(p.communication_efficiency, 0.8);
    assert_eq!(p.load_balance, 575.0 / 800.0);
    assert_eq!(p.messages, 2);
    // One process: no process metrics in the summary, its lane named as
    // the thread.
    let mut one = two_ranks();
    one.lanes.truncate(1);
    let summary = one.summary();
    assert_eq!(summary.processes, None);
    assert_eq!(summary.lanes[0].label(), "main");
    // A thread named after its process already keeps its name.
    let mut named = two_ranks();
    named.lanes[1].thread_name = "rank 1".into();
    let labels: Vec<String> = named.summary().lanes.iter().map(|l| l.label()).collect();
    assert_eq!(labels, ["rank 0 / main", "rank 1"]);
}
