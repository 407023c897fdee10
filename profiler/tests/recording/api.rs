//! The recording API beyond plain spans: values, run-time names, instants,
//! counters, futures, losses by kind, all checked through `collect()`.
//!
//! The recorder is global per process, so every test takes `lock()` first.

use logprof::{counter, instant, record_fn, scope, Instrument, Name, Trace};
use std::future::Future;

use crate::support::slate::{fresh, lock};

fn column(j: usize) -> usize {
    std::hint::black_box(j * 3)
}

/// `(name, value)` of every span, in lane then start order.
fn spans(trace: &Trace) -> Vec<(String, Option<i64>)> {
    trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .map(|s| (trace.name(s.name).to_owned(), s.value))
        .collect()
}

#[test]
fn spans_carry_values_from_scope_and_record_fn() {
    let _l = lock();
    fresh(1 << 10);
    {
        let _a = scope!("literal", 7);
        let _b = scope!("plain");
    }
    let total: usize = (0..3usize).map(|j| record_fn!(column(j); j)).sum();
    assert_eq!(total, 9);
    let v: Vec<u64> = vec![1, 2];
    assert_eq!(record_fn!(v.len(); -5i32), 2);
    assert_eq!(record_fn!(str::parse::<u32>("12"); u64::MAX), Ok(12));
    let trace = logprof::collect();
    assert_eq!(
        spans(&trace),
        [
            ("literal".into(), Some(7)),
            ("plain".into(), None),
            ("column".into(), Some(0)),
            ("column".into(), Some(1)),
            ("column".into(), Some(2)),
            ("len".into(), Some(-5)),
            ("str::parse".into(), Some(i64::MAX)), // saturated
        ]
    );
    assert!(trace.losses.is_empty());
    assert!(logprof::recorded().is_complete());
    // enter + value + exit per valued span, enter + exit for the plain one.
    assert_eq!(logprof::recorded().events, 6 * 3 + 2);
}

#[test]
fn runtime_names_are_interned_once_and_recorded_like_literals() {
    let _l = lock();
    fresh(1 << 10);
    let text = String::from("from a file name");
    let name = Name::new(&text);
    assert_eq!(name, Name::new("from a file name"));
    assert_eq!(name.as_str(), "from a file name");
    for i in 0..3 {
        let _s = scope!(name, i);
    }
    {
        let _s = scope!(&name);
    }
    let trace = logprof::collect();
    let expected: Vec<(String, Option<i64>)> = vec![
        (text.clone(), Some(0)),
        (text.clone(), Some(1)),
        (text.clone(), Some(2)),
        (text.clone(), None),
    ];
    assert_eq!(spans(&trace), expected);
    // Filters apply to run-time names too.
    logprof::deny("from a*");
    {
        let _s = scope!(name);
    }
    logprof::reset_filters();
    assert_eq!(logprof::collect().span_count(), 4);
}

#[test]
fn instants_and_counters_are_collected_in_order() {
    let _l = lock();
    fresh(1 << 10);
    instant!("start");
    for i in 0..5 {
        counter!("queue", f64::from(i) * 1.5);
    }
    let name = Name::new("runtime instant");
    instant!(name);
    counter!(name, 0.25);
    std::thread::spawn(|| {
        counter!("queue", -1.0);
        instant!("on another thread");
    })
    .join()
    .unwrap();
    let trace = logprof::collect();
    let instants: Vec<(&str, u64)> = trace
        .lanes
        .iter()
        .flat_map(|l| l.instants.iter().map(move |i| (l.tid, i)))
        .map(|(tid, i)| (trace.name(i.name), tid))
        .collect();
    assert_eq!(instants.len(), 3);
    assert_eq!(instants[0].0, "start");
    assert_eq!(instants[1].0, "runtime instant");
    assert_eq!(instants[2].0, "on another thread");
    assert_ne!(instants[0].1, instants[2].1, "each on its own lane");
    let lane0 = &trace
        .lanes
        .iter()
        .find(|l| l.instants.len() == 2)
        .unwrap()
        .instants;
    assert!(lane0[0].ts_ns <= lane0[1].ts_ns);
    let queue = trace.counters.iter().find(|c| c.name == "queue").unwrap();
    assert_eq!(queue.pid, std::process::id());
    let values: Vec<f64> = queue.samples.iter().map(|&(_, v)| v).collect();
    assert_eq!(values, [0.0, 1.5, 3.0, 4.5, 6.0, -1.0]);
    assert!(queue.samples.windows(2).all(|w| w[0].0 <= w[1].0));
    let other = trace
        .counters
        .iter()
        .find(|c| c.name == "runtime instant")
        .unwrap();
    assert_eq!(other.samples.len(), 1);
    assert_eq!(other.samples[0].1, 0.25);
    assert_eq!(trace.counters.len(), 2);
    assert!(trace.is_empty(), "no spans");
    assert!(trace.losses.is_empty());
}

/// A ring so small that values are cut off from their spans at every
/// possible position: what survives is never misattributed.
#[test]
fn a_value_cut_off_from_its_span_by_the_ring_is_never_misattributed() {
    let _l = lock();
    let mut kept = 0;
    for events in 1..=12u64 {
        for capacity in [2usize, 4, 8] {
            fresh(capacity);
            // Spans of 3 events each, value = index; an instant and a
            // counter in between to shift the phase.
            let mut written = 0;
            let mut i = 0i64;
            while written < events {
                if i % 2 == 1 {
                    counter!("phase", i as f64);
                    written += 2;
                }
                let _s = scope!("valued", i);
                drop(_s);
                written += 3;
                i += 1;
            }
            let trace = logprof::collect();
            let lane = trace
                .lanes
                .iter()
                .find(|l| !l.spans.is_empty() || !l.instants.is_empty());
            for span in lane.iter().flat_map(|l| &l.spans) {
                // Every span kept has its own value (the ring may only drop
                // spans, never attach another's value).
                assert!(span.value.is_some(), "capacity {capacity}: {span:?}");
            }
            let values: Vec<i64> = lane
                .iter()
                .flat_map(|l| &l.spans)
                .filter_map(|s| s.value)
                .collect();
            let expected: Vec<i64> = (i - values.len() as i64..i).collect();
            assert_eq!(values, expected, "capacity {capacity}, {events} events");
            kept += values.len();
            for c in &trace.counters {
                for &(_, v) in &c.samples {
                    assert_eq!(v.fract(), 0.0);
                    assert_eq!(v as i64 % 2, 1, "a counter's value, never a span's");
                }
            }
        }
    }
    assert!(kept > 10, "some spans survive the small rings: {kept}");
}

/// A writer recording valued spans into a tiny ring while this thread
/// collects again and again: the copies are torn at every position, and a
/// value is never attached to another span (the value of span `i` is `i`,
/// and its name says `i % 3`).
#[test]
fn values_read_while_written_stay_with_their_spans() {
    let _l = lock();
    fresh(16);
    let names = [Name::new("r0"), Name::new("r1"), Name::new("r2")];
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut seen = 0usize;
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0i64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _s = scope!(names[(i % 3) as usize], i);
                i += 1;
            }
        });
        // Until many spans were checked (the writer may start late on a
        // busy machine), at most a few seconds.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while seen < 5000 && std::time::Instant::now() < deadline {
            let trace = logprof::collect();
            for span in trace.lanes.iter().flat_map(|l| &l.spans) {
                let value = span.value.expect("every span here has a value");
                assert_eq!(trace.name(span.name), format!("r{}", value % 3));
                seen += 1;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(seen > 0);
}

#[test]
fn losses_are_counted_by_kind() {
    let _l = lock();
    fresh(1 << 10);
    // An unclosed enter: a guard forgotten.
    std::mem::forget(scope!("forgotten"));
    // An unmatched exit: a span open across a clear.
    let open = scope!("across a clear");
    logprof::clear();
    drop(open);
    let r = logprof::recorded();
    assert_eq!((r.lost, r.unmatched_exits, r.unclosed_enters), (0, 1, 0));
    std::mem::forget(scope!("forgotten"));
    let r = logprof::recorded();
    assert_eq!((r.lost, r.unmatched_exits, r.unclosed_enters), (0, 1, 1));
    assert!(!r.is_complete());
    let trace = logprof::collect();
    assert_eq!(trace.losses.unmatched_exits, 1);
    assert_eq!(trace.losses.unclosed_enters, 1);
    assert_eq!(trace.losses.overwritten_events, 0);
    let advice = trace.losses.advice();
    assert!(!advice.contains("adjust_buffer"), "{advice}");
    assert!(advice.contains("exit"), "{advice}");
    // Overwrites: the only loss adjust_buffer fixes.
    fresh(4);
    for _ in 0..10 {
        let _s = scope!("many");
    }
    let r = logprof::recorded();
    assert_eq!(r.lost, 16);
    assert_eq!((r.unmatched_exits, r.unclosed_enters), (0, 0));
    assert!(logprof::collect().losses.advice().contains("adjust_buffer"));
    logprof::adjust_buffer();
    for _ in 0..10 {
        let _s = scope!("many");
    }
    assert!(logprof::recorded().is_complete());
}

async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}

/// Polls `fut` on this thread until it is ready.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

async fn step(n: u64) -> u64 {
    yield_once().await;
    n + 1
}

#[test]
fn a_future_polled_on_two_threads_is_one_task_with_slices_on_both_lanes() {
    let _l = lock();
    fresh(1 << 10);
    let mut fut = Box::pin(step(1).recorded("step"));
    let task = fut.task();
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    let out = std::thread::spawn(move || {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("should be ready"),
        }
    })
    .join()
    .unwrap();
    assert_eq!(out, 2);
    let trace = logprof::collect();
    let tasks = trace.tasks();
    let slices = &tasks[&task];
    assert_eq!(slices.len(), 2);
    assert_ne!(slices[0].0, slices[1].0, "one slice on each lane");
    assert!(trace.losses.is_empty());
}

#[test]
fn record_fn_over_await_records_each_poll_as_a_task_slice() {
    let _l = lock();
    fresh(1 << 10);
    let fut = async { record_fn!(step(5).await; 9) + record_fn!(step(1).await) };
    let out = block_on(fut);
    assert_eq!(out, 8);
    let trace = logprof::collect();
    let tasks = trace.tasks();
    assert_eq!(tasks.len(), 2);
    for slices in tasks.values() {
        assert_eq!(slices.len(), 2, "two polls each");
    }
    let values: Vec<_> = spans(&trace);
    assert_eq!(
        values,
        [
            ("step".into(), Some(9)),
            ("step".into(), Some(9)),
            ("step".into(), None),
            ("step".into(), None)
        ]
    );
}

#[test]
fn a_send_future_stays_send_when_recorded() {
    fn assert_send<T: Send>(_: &T) {}
    let fut = step(1).recorded("step");
    assert_send(&fut);
    let fut = async { record_fn!(step(1).await) };
    assert_send(&fut);
}

/// The snippets of docs/recording.md ("Spans, values and results"), with
/// what they assume defined around them.
#[test]
fn the_readme_snippets_work() {
    let _l = lock();
    fresh(1 << 10);
    let (index, j, kind, len) = (3usize, 4usize, "select", 17usize);
    {
        let _span = scope!("read file", index);
        let n = record_fn!(column(j); j);
        let name = Name::new(&format!("query {kind}"));
        let _span = scope!(name);
        instant!("checkpoint");
        counter!("queue length", len as f64);
        assert_eq!(n, 12);
    }
    let r = logprof::recorded();
    assert!(r.is_complete(), "{}", r.losses().advice());
    let trace = logprof::collect();
    assert_eq!(trace.span_count(), 3);
    assert_eq!(trace.counters[0].samples[0].1, 17.0);
}

struct Client;

impl Client {
    async fn get(&self, n: u64) -> u64 {
        step(n).await
    }
}

#[test]
fn record_fn_over_await_of_a_method_and_a_generic_path() {
    let _l = lock();
    fresh(1 << 10);
    let client = Client;
    let fut = async {
        let a = record_fn!(client.get(1).await);
        let b = record_fn!(std::future::ready::<u64>(a).await; a);
        a + b
    };
    let out = block_on(fut);
    assert_eq!(out, 4);
    let trace = logprof::collect();
    let names: Vec<(String, Option<i64>)> = spans(&trace);
    assert_eq!(
        names,
        [
            ("get".into(), None),
            ("get".into(), None),
            ("std::future::ready".into(), Some(2)),
        ]
    );
}

/// What `collect()` gives for values, instants and counters survives a
/// round trip through Chrome JSON (`"args":{"value":…}`, `i` and `C`
/// events).
#[test]
fn values_instants_and_counters_round_trip_through_chrome_json() {
    let _l = lock();
    fresh(1 << 10);
    {
        let _s = scope!("valued", -3);
        instant!("mark");
        counter!("level", 2.5);
        counter!("level", 0.5);
    }
    let trace = logprof::collect();
    let back = Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(spans(&back), spans(&trace));
    let instants = |t: &Trace| -> Vec<String> {
        t.lanes
            .iter()
            .flat_map(|l| l.instants.iter().map(|i| t.name(i.name).to_owned()))
            .collect()
    };
    assert_eq!(instants(&back), instants(&trace));
    assert_eq!(back.counters.len(), 1);
    assert_eq!(back.counters[0].name, "level");
    let values: Vec<f64> = back.counters[0].samples.iter().map(|s| s.1).collect();
    assert_eq!(values, [2.5, 0.5]);
}

/// A result given at the exit (`record_fn!(f(x); value => result)`,
/// `SpanGuard::end_with`) lands on its own span, next to the value, and both
/// survive Chrome JSON as `args.value` and `args.result`; a span ended by a
/// plain drop has none.
#[test]
fn results_recorded_at_the_exit_round_trip_through_chrome_json() {
    let _l = lock();
    fresh(1 << 10);
    fn pixels(j: usize) -> Vec<u64> {
        vec![j as u64 + 1; 4]
    }
    for j in 0..3usize {
        let out = record_fn!(pixels(j); j => |p: &Vec<u64>| p.iter().sum::<u64>());
        assert_eq!(out.len(), 4);
    }
    {
        let outer = scope!("outer", -1);
        let _inner = scope!("inner");
        drop(_inner);
        outer.end_then(|| -5i32);
    }
    let trace = logprof::collect();
    let args = |t: &Trace| -> Vec<(String, Option<i64>, Option<i64>)> {
        t.lanes
            .iter()
            .flat_map(|l| &l.spans)
            .map(|s| (t.name(s.name).to_owned(), s.value, s.result))
            .collect()
    };
    let expected = [
        ("pixels".to_owned(), Some(0), Some(4)),
        ("pixels".to_owned(), Some(1), Some(8)),
        ("pixels".to_owned(), Some(2), Some(12)),
        ("outer".to_owned(), Some(-1), Some(-5)),
        ("inner".to_owned(), None, None),
    ];
    assert_eq!(args(&trace), expected);
    let json = trace.to_chrome_json();
    assert!(json.contains("\"value\":2,\"result\":12"), "{json}");
    let back = Trace::from_chrome_json_str(&json).unwrap();
    assert_eq!(args(&back), expected);
}

/// A result closure that panics still ends its span (without a result), as
/// a guard dropped during the unwinding would: the span is not left open.
#[test]
fn a_panicking_result_still_ends_the_span() {
    let _l = lock();
    fresh(1 << 10);
    let caught = std::panic::catch_unwind(|| {
        let span = scope!("outer", 3);
        span.end_then(|| -> u64 { panic!("no result") });
    });
    assert!(caught.is_err());
    let trace = logprof::collect();
    let spans: Vec<_> = trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .map(|s| {
            (
                trace.name(s.name).to_owned(),
                s.value,
                s.result,
                s.unfinished,
            )
        })
        .collect();
    assert_eq!(spans, [("outer".to_owned(), Some(3), None, false)]);
}
