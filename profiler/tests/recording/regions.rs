//! `region!`, `wait!` and `Instrument::recorded_region`/`recorded_wait`:
//! scopes and futures whose names are marked as regions of the run or as
//! waiting, recorded as cheaply as scopes, and kept marked through Chrome
//! JSON.

use std::future::Future;

use logprof::{region, scope, wait, Instrument, Name, Trace};

use crate::support::slate::{fresh, lock};

/// The names marked as regions, sorted.
fn region_names(trace: &Trace) -> Vec<&str> {
    let mut names: Vec<&str> = trace
        .region_names
        .iter()
        .map(|&id| trace.name(id))
        .collect();
    names.sort_unstable();
    names
}

#[test]
fn regions_are_marked_by_name_and_cost_the_events_of_a_scope() {
    let _l = lock();
    fresh(1 << 10);
    let phase = Name::new("phase");
    {
        let _solve = region!("solve");
        let _step = region!("step", 3);
        let _plain = scope!("plain");
        let _named = region!(phase);
    }
    // The same text through `scope!`: a name is a region when any of its
    // call sites is.
    drop(scope!(phase));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(std::future::ready(1).recorded_region("load"));
    assert!(future.as_mut().poll(&mut cx).is_ready());
    // enter + exit, and one value: what scopes of the same shape record.
    assert_eq!(logprof::recorded().events, 2 + 3 + 2 + 2 + 2 + 2);
    let trace = logprof::collect();
    assert_eq!(region_names(&trace), ["load", "phase", "solve", "step"]);
    assert!(!trace.is_region(trace.name_id("plain").unwrap()));
    let back = Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(back, trace);
    assert_eq!(region_names(&back), ["load", "phase", "solve", "step"]);
}

#[test]
fn waits_are_marked_by_name_and_are_not_work() {
    let _l = lock();
    fresh(1 << 10);
    let channel = Name::new("channel");
    let (tx, rx) = std::sync::mpsc::channel();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        tx.send(1).unwrap();
    });
    {
        let _step = scope!("step");
        {
            let _recv = wait!(channel);
            assert_eq!(rx.recv().unwrap(), 1);
        }
        let _join = wait!("join", 1);
        sender.join().unwrap();
    }
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(std::future::ready(1).recorded_wait("timer"));
    assert!(future.as_mut().poll(&mut cx).is_ready());
    // enter + exit (and one value): what scopes of the same shape record.
    assert_eq!(logprof::recorded().events, 2 + 2 + 3 + 2);
    let trace = logprof::collect();
    let mut waits: Vec<&str> = trace.wait_names.iter().map(|&id| trace.name(id)).collect();
    waits.sort_unstable();
    assert_eq!(waits, ["channel", "join", "timer"]);
    assert!(trace.region_names.is_empty());
    let back = Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(back.wait_names.len(), 3);
    // The 20 ms the step spent waiting for the channel are not busy time.
    let summary = trace.summary();
    let lane = summary
        .lanes
        .iter()
        .find(|l| l.busy_ns + l.waiting_ns > 0)
        .unwrap();
    assert!(lane.waiting_ns >= 19_000_000, "{lane:?}");
    assert!(lane.busy_ns < lane.waiting_ns, "{lane:?}");
}
