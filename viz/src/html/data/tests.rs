//! The encoding read back, as the page's script reads it, and compared with
//! the traces it came from.

use logprof_trace::{Lane, MessageSide, MpiCall, OffCpu, OffCpuKind, Span, Trace};
use serde_json::Value;

use super::column::Reader;
use super::{encode, flags};

/// One span as the page's script sees it: (lane, name, start from the
/// panel's start, duration, depth, flags, value, result).
type Decoded = (usize, String, i64, u64, u64, u8, Option<i64>, Option<i64>);

/// Every span of panel `p` of the page data `data`, in order.
fn decode_spans(data: &Value, p: usize) -> Vec<Decoded> {
    let panel = &data["panels"][p];
    let names: Vec<&str> = data["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let col = |key: &str| Reader::new(panel[key].as_str().unwrap());
    let lanes = panel["lanes"].as_array().unwrap().len();
    let (mut per_lane, mut name, mut start, mut dur, mut depth, mut flag) = (
        col("lane_spans"),
        col("name"),
        col("start"),
        col("dur"),
        col("depth"),
        col("flags"),
    );
    let mut out = Vec::new();
    for lane in 0..lanes {
        let mut at = 0i64;
        for _ in 0..per_lane.next() {
            at += start.next_signed();
            out.push((
                lane,
                names[name.next() as usize].to_owned(),
                at,
                dur.next(),
                depth.next(),
                flag.next_byte(),
                None,
                None,
            ));
        }
    }
    for (key, slot) in [("values", 6), ("results", 7)] {
        let mut r = col(key);
        let mut index = 0;
        while !r.done() {
            index += r.next() as usize;
            let v = Some(r.next_signed());
            if slot == 6 {
                out[index].6 = v;
            } else {
                out[index].7 = v;
            }
        }
    }
    for r in [per_lane, name, start, dur, depth, flag] {
        assert!(r.done(), "bytes left over");
    }
    out
}

/// The same spans read straight from the trace.
fn trace_spans(trace: &Trace) -> Vec<Decoded> {
    let origin = trace.time_range().map_or(0, |r| r.0);
    let mut out = Vec::new();
    for (li, lane) in trace.lanes.iter().enumerate() {
        for s in &lane.spans {
            out.push((
                li,
                trace.name(s.name).to_owned(),
                s.start_ns as i64 - origin as i64,
                s.duration_ns(),
                u64::from(s.depth),
                0,
                s.value,
                s.result,
            ));
        }
    }
    out
}

fn parse(json: &str) -> Value {
    assert!(!json.contains('<'), "a < in the page's data");
    serde_json::from_str(json).unwrap()
}

/// Two lanes, nested spans, values and results (one negative, one huge),
/// a region, an unfinished span, off-CPU time, a name with markup.
fn sample() -> Trace {
    let mut t = Trace::new();
    let main = t.intern("main");
    let col = t.intern("column</script>");
    let phase = t.intern("phase");
    t.mark_region(phase);
    let mut a = Lane::with_spans(
        7,
        1,
        "worker 1",
        [
            Span::new(phase, 1_000, 900_000, 0),
            Span::new(col, 1_000, 5_000, 1)
                .with_value(3)
                .with_result(-12),
            Span::new(col, 5_000, 5_000, 1).with_value(i64::MAX),
            Span::new(main, 800_000, 10_000_000_000, 1).cut_off(),
        ],
    );
    a.off_cpu = vec![
        OffCpu::new(2_000, 3_000, OffCpuKind::Preempted),
        OffCpu::new(950_000, 960_000, OffCpuKind::Blocked), // between spans
    ];
    let b = Lane::with_spans(
        7,
        2,
        "worker 2",
        [Span::new(col, 500, 600, 0).with_result(1)],
    );
    t.lanes = vec![a, b];
    t.process_name = Some("julia".into());
    t
}

#[test]
fn every_span_comes_back_as_it_was() {
    let trace = sample();
    let data = encode(&[("static", &trace)]);
    assert_eq!(data.spans(), 5);
    let value = parse(&data.to_json());
    let page = decode_spans(&value, 0);
    let want = trace_spans(&trace);
    assert_eq!(page.len(), want.len());
    for (got, want) in page.iter().zip(&want) {
        let mut got = got.clone();
        got.5 = 0; // flags checked below
        assert_eq!(&got, want);
    }
    let f: Vec<u8> = page.iter().map(|s| s.5).collect();
    assert_eq!(
        f[0],
        flags::REGION | flags::OFF_CPU,
        "the region holds the preempted stretch"
    );
    assert_eq!(f[1], flags::OFF_CPU, "preempted inside the first column");
    assert_eq!(f[3], flags::UNFINISHED | flags::OFF_CPU);
    assert_eq!(f[4], 0);
    let panel = &value["panels"][0];
    assert_eq!(panel["span_count"], 5);
    assert_eq!(panel["wall_ns"], 10_000_000_000u64 - 500);
    assert_eq!(panel["lanes"][1]["name"], "worker 2");
    assert_eq!(panel["lanes"][0]["process"], "julia");
    // Each name's colour is the pictures'.
    let names = value["names"].as_array().unwrap();
    for (i, n) in names.iter().enumerate() {
        let c = value["name_color"][i].as_u64().unwrap() as usize;
        assert_eq!(
            value["palette"][c].as_str().unwrap(),
            crate::name_color(n.as_str().unwrap())
        );
    }
}

#[test]
fn off_cpu_time_inside_spans_only() {
    let trace = sample();
    let value = parse(&encode(&[("t", &trace)]).to_json());
    let panel = &value["panels"][0];
    let mut per_lane = Reader::new(panel["off_cpu_lanes"].as_str().unwrap());
    assert_eq!((per_lane.next(), per_lane.next()), (1, 0));
    let mut off = Reader::new(panel["off_cpu"].as_str().unwrap());
    // From the panel's start (500 ns): 2 000 ns, 1 000 long, preempted; the
    // blocked stretch fell between the lane's spans and was left out.
    assert_eq!(
        (off.next_signed(), off.next(), off.next_byte()),
        (1_500, 1_000, 0)
    );
    assert!(off.done());
}

#[test]
fn names_are_interned_once_for_every_panel() {
    let a = sample();
    let mut b = Trace::new();
    let other = b.intern("other");
    let col = b.intern("column</script>");
    b.lanes.push(Lane::with_spans(
        1,
        1,
        "main",
        [Span::new(col, 0, 10, 0), Span::new(other, 10, 20, 0)],
    ));
    let data = encode(&[("a", &a), ("b", &b)]);
    assert_eq!(data.spans(), 7);
    let value = parse(&data.to_json());
    let names = value["names"].as_array().unwrap();
    assert_eq!(
        names.iter().filter(|n| *n == "column</script>").count(),
        1,
        "{names:?}"
    );
    assert_eq!(decode_spans(&value, 1), trace_spans(&b));
    assert_eq!(value["panels"][1]["title"], "b");
}

#[test]
fn messages_point_at_their_two_spans() {
    let mut t = Trace::new();
    let send = t.intern("MPI_Send");
    let recv = t.intern("MPI_Recv");
    let call = |side, peer| {
        Some(Box::new(MpiCall {
            side,
            peer,
            tag: -3,
            seq: 0,
            bytes: 4096,
        }))
    };
    let mut s = Span::new(send, 10, 20, 0);
    s.mpi = call(MessageSide::Send, 1);
    let mut r = Span::new(recv, 5, 30, 0);
    r.mpi = call(MessageSide::Receive, 0);
    t.lanes = vec![
        Lane::with_spans(0, 1, "rank 0", [Span::new(send, 0, 1, 0), s]),
        Lane::with_spans(1, 1, "rank 1", [r]),
    ];
    let value = parse(&encode(&[("mpi", &t)]).to_json());
    let panel = &value["panels"][0];
    let mut m = Reader::new(panel["messages"].as_str().unwrap());
    // The send is the second span of lane 0, the receive the first of lane 1.
    assert_eq!(
        (m.next(), m.next(), m.next(), m.next_signed()),
        (1, 2, 4096, -3)
    );
    assert!(m.done());
    // An MPI call is waiting, as the summary and the pictures count it.
    let f: Vec<u8> = decode_spans(&value, 0).iter().map(|s| s.5).collect();
    let mpi = flags::MPI | flags::WAIT;
    assert_eq!(f, [flags::WAIT, mpi, mpi], "MPI_Send by name waits too");
}

#[test]
fn waiting_and_waiting_for_a_core_as_the_pictures_draw_them() {
    let mut t = Trace::new();
    let work = t.intern("work");
    let lock = t.intern("lock");
    t.mark_wait(lock);
    let mut lane = Lane::with_spans(
        1,
        1,
        "w",
        [
            Span::new(work, 0, 100, 0),
            Span::new(lock, 200, 300, 0),
            Span::new(work, 400, 500, 0),
        ],
    );
    lane.off_cpu = vec![
        OffCpu::new(120, 150, OffCpuKind::Preempted), // between spans, work to come
        OffCpu::new(160, 170, OffCpuKind::Blocked),   // between spans: idle
        OffCpu::new(250, 260, OffCpuKind::Blocked),   // inside the wait: not work
        OffCpu::new(450, 460, OffCpuKind::Blocked),   // inside work
        OffCpu::new(600, 700, OffCpuKind::Preempted), // after the last span: idle
    ];
    t.lanes.push(lane);
    let value = parse(&encode(&[("w", &t)]).to_json());
    assert_eq!(value["wait_color"], crate::color::WAIT);
    let f: Vec<u8> = decode_spans(&value, 0).iter().map(|s| s.5).collect();
    assert_eq!(f, [0, flags::WAIT | flags::OFF_CPU, flags::OFF_CPU]);
    let panel = &value["panels"][0];
    let mut off = Reader::new(panel["off_cpu"].as_str().unwrap());
    let mut got = Vec::new();
    let mut at = 0;
    while !off.done() {
        at += off.next_signed();
        got.push((at, off.next(), off.next_byte()));
    }
    assert_eq!(got, [(120, 30, 0), (450, 10, 1)]);
}

#[test]
fn an_empty_trace_is_an_empty_panel() {
    let value = parse(&encode(&[("empty", &Trace::new())]).to_json());
    assert_eq!(value["panels"][0]["span_count"], 0);
    assert!(decode_spans(&value, 0).is_empty());
}

/// A trace shaped like a recording of a million columns: short spans close
/// together on a few threads, most at depth 1 under a region, some with a
/// value and a result. The page's data must take at most 20 bytes a span.
#[test]
fn a_span_takes_at_most_twenty_bytes() {
    let mut t = Trace::new();
    let names: Vec<_> = (0..40).map(|i| t.intern(&format!("kernel_{i}"))).collect();
    let region = t.intern("phase");
    t.mark_region(region);
    let per_lane = 25_000;
    for lane in 0..4u64 {
        let mut spans = vec![Span::new(region, 0, per_lane * 3_000 + 10, 0)];
        for i in 0..per_lane {
            let start = 5 + i * 3_000 + (i * 7919 % 500);
            let s = Span::new(names[(i % 40) as usize], start, start + 1_200 + i % 900, 1);
            spans.push(if i % 4 == 0 {
                s.with_value(i as i64).with_result(4_000)
            } else {
                s
            });
        }
        t.lanes
            .push(Lane::with_spans(1, lane + 1, format!("w{lane}"), spans));
    }
    let data = encode(&[("big", &t)]);
    let per_span = data.to_json().len() as f64 / data.spans() as f64;
    eprintln!("page data: {per_span:.2} bytes a span");
    assert!(per_span <= 20.0, "{per_span:.1} bytes a span");
}

#[test]
fn instants_and_counters_come_back_as_they_were() {
    let mut trace = sample();
    let (origin, _) = trace.time_range().unwrap();
    let stolen = trace.intern("stolen");
    trace.lanes[1].instants = vec![
        logprof_trace::InstantEvent {
            name: stolen,
            ts_ns: 400, // before the first span: a negative gap
        },
        logprof_trace::InstantEvent {
            name: stolen,
            ts_ns: 700_000,
        },
    ];
    trace.counters = vec![logprof_trace::CounterTrack {
        pid: 7,
        name: "queued".into(),
        samples: vec![(600, 2.0), (900, f64::NAN), (1_200, -1.5)],
    }];
    let data = parse(&encode(&[("run", &trace)]).to_json());
    let panel = &data["panels"][0];
    let names = data["names"].as_array().unwrap();
    let mut per_lane = Reader::new(panel["instant_lanes"].as_str().unwrap());
    let mut instants = Reader::new(panel["instants"].as_str().unwrap());
    assert_eq!((per_lane.next(), per_lane.next()), (0, 2));
    let mut at = 0i64;
    let mut got = Vec::new();
    for _ in 0..2 {
        at += instants.next_signed();
        got.push((at, names[instants.next() as usize].as_str().unwrap()));
    }
    assert!(instants.done() && per_lane.done());
    let o = origin as i64;
    assert_eq!(got, [(400 - o, "stolen"), (700_000 - o, "stolen")]);

    let counters = panel["counters"].as_array().unwrap();
    assert_eq!(counters.len(), 1);
    assert_eq!(
        (&counters[0]["name"], &counters[0]["pid"]),
        (&Value::from("queued"), &Value::from(7))
    );
    let mut times = Reader::new(counters[0]["times"].as_str().unwrap());
    let (first, second) = (times.next_signed(), times.next_signed());
    assert!(times.done());
    // The NaN sample is left out, as the pictures leave it out.
    assert_eq!((first, first + second), (600 - o, 1_200 - o));
    assert_eq!(counters[0]["values"], serde_json::json!([2.0, -1.5]));
}
