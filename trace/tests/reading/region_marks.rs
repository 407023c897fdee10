//! Regions and waits marked by name ([`Trace::region_names`],
//! [`Trace::wait_names`]) survive a round trip
//! through Chrome JSON as `"cat":"region"`, and another tool's file marks
//! its own regions the same way.

use logprof_trace::{Lane, Span, Trace};

#[test]
fn marked_regions_round_trip_with_their_category() {
    let mut trace = Trace::new();
    let solve = trace.intern("solve");
    let step = trace.intern("step");
    let item = trace.intern("item");
    trace.mark_region(solve);
    trace.mark_region(step);
    let main = [
        Span::new(solve, 0, 100, 0),
        Span::new(step, 10, 90, 1).in_task(3),
    ];
    trace.lanes.push(Lane::with_spans(1, 1, "main", main));
    trace.lanes.push(Lane::with_spans(
        1,
        2,
        "worker",
        [Span::new(item, 20, 80, 0)],
    ));
    let json = trace.to_chrome_json();
    assert!(json.contains(r#""cat":"region","name":"solve""#), "{json}");
    // A region that is also a task's slice keeps both categories.
    assert!(
        json.contains(r#""cat":"region,task","name":"step""#),
        "{json}"
    );
    assert!(!json.contains(r#""cat":"region","name":"item""#), "{json}");
    let back = Trace::from_chrome_json_str(&json).unwrap();
    assert_eq!(back, trace);
    assert!(back.is_region(back.name_id("solve").unwrap()));
    assert!(!back.is_region(back.name_id("item").unwrap()));
}

#[test]
fn another_tools_region_category_marks_the_name() {
    let json = r#"[
        {"name":"solve","cat":"phase, region","ph":"B","ts":0,"pid":1,"tid":1},
        {"name":"solve","ph":"E","ts":50,"pid":1,"tid":1},
        {"name":"io","cat":"regions","ph":"X","ts":60,"dur":5,"pid":1,"tid":1},
        {"name":"work","cat":"region","ph":"E","ts":70,"pid":1,"tid":1},
        {"name":"work","ph":"X","ts":80,"dur":5,"pid":1,"tid":1}
    ]"#;
    let trace = Trace::from_chrome_json_str(json).unwrap();
    let marked: Vec<&str> = trace
        .region_names
        .iter()
        .map(|&id| trace.name(id))
        .collect();
    // `regions` is another category; an `E` marks nothing.
    assert_eq!(marked, ["solve"]);
}

#[test]
fn waiting_marks_round_trip_and_are_read_from_other_tools() {
    let mut trace = Trace::new();
    let (step, lock) = (trace.intern("step"), trace.intern("lock"));
    trace.mark_region(step);
    trace.mark_wait(lock);
    let spans = [
        Span::new(step, 0, 100, 0),
        Span::new(lock, 10, 40, 1).in_task(7),
    ];
    trace.lanes.push(Lane::with_spans(1, 1, "main", spans));
    let json = trace.to_chrome_json();
    assert!(
        json.contains(r#""cat":"task,wait","name":"lock""#),
        "{json}"
    );
    let back = Trace::from_chrome_json_str(&json).unwrap();
    assert_eq!(back, trace);
    assert!(back.is_wait(back.name_id("lock").unwrap()));
    assert!(!back.is_wait(back.name_id("step").unwrap()));

    let other = r#"[
        {"name":"join","cat":"sync,wait","ph":"X","ts":0,"dur":5,"pid":1,"tid":1},
        {"name":"waiting","cat":"waits","ph":"X","ts":6,"dur":5,"pid":1,"tid":1}
    ]"#;
    let other = Trace::from_chrome_json_str(other).unwrap();
    let marked: Vec<&str> = other.wait_names.iter().map(|&id| other.name(id)).collect();
    assert_eq!(marked, ["join"]);
    // Waiting is not work: the lane waited 5 µs and worked 5 µs.
    let lane = &other.summary().lanes[0];
    assert_eq!((lane.busy_ns, lane.waiting_ns), (5_000, 5_000));
}
