//! Structure of the SVG timelines: lanes, bars, colours, tooltips, merging,
//! header numbers, task view, figures, bad options.

use crate::common::{self, all_text, child, parse, El};
use logprof_trace::{Lane, Trace};
use logprof_viz::{name_color, thread_color, Figure, Timeline, VizError};

fn bars(els: &[El]) -> Vec<(usize, &El)> {
    els.iter()
        .enumerate()
        .filter(|(_, e)| e.tag == "rect" && e.class() == "bar")
        .collect()
}

fn lane_labels(els: &[El]) -> Vec<String> {
    els.iter()
        .enumerate()
        .filter(|(_, e)| e.class() == "lane-label")
        .map(|(i, _)| all_text(els, i))
        .collect()
}

/// The attribute `attr` of every element of class `class`, in order.
fn attrs_of_class<'a>(els: &'a [El], class: &str, attr: &str) -> Vec<&'a str> {
    els.iter()
        .filter(|e| e.class() == class)
        .map(|e| e.attr(attr).unwrap())
        .collect()
}

#[test]
fn one_labelled_lane_per_thread_in_order() {
    let mut trace = common::static_like();
    trace.lanes.reverse(); // the picture orders lanes by (pid, tid) itself
    let els = parse(&Timeline::new(&trace).to_svg_string().unwrap());
    assert_eq!(
        lane_labels(&els),
        ["worker-1", "worker-2", "worker-3", "worker-4"]
    );
    let lanes: Vec<&El> = els.iter().filter(|e| e.class() == "lane").collect();
    assert_eq!(lanes.len(), 4);
    assert!(lanes
        .windows(2)
        .all(|w| w[0].num("data-y") < w[1].num("data-y")));
}

#[test]
fn one_bar_per_span_with_a_tooltip() {
    let trace = common::static_like();
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    let els = parse(&svg);
    let bars = bars(&els);
    assert_eq!(bars.len(), trace.span_count(), "no merging at this size");
    for (i, bar) in &bars {
        assert_eq!(bar.attr("data-calls"), Some("1"));
        let title = child(&els, *i, "title").expect("every bar has a <title>");
        assert!(title.text.contains("thread: worker-"), "{}", title.text);
        assert!(title.text.contains("start: "), "{}", title.text);
        assert!(title.text.contains("duration: "), "{}", title.text);
        assert!(title.text.starts_with("column") || title.text.starts_with("pixel"));
    }
    // Nested spans sit below their parent's row.
    let y_of = |name: &str| {
        bars.iter()
            .find(|(i, _)| child(&els, *i, "title").unwrap().text.starts_with(name))
            .unwrap()
            .1
            .num("y")
    };
    assert!(y_of("pixel") > y_of("column"));
}

#[test]
fn a_span_value_and_an_unfinished_span_are_in_the_tooltip() {
    let mut trace = common::static_like();
    let lane = &mut trace.lanes[0];
    lane.spans[0] = lane.spans[0].clone().with_value(417);
    let last = lane.spans.len() - 1;
    lane.spans[last] = lane.spans[last].clone().cut_off();
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    let els = parse(&svg);
    let titles: Vec<String> = bars(&els)
        .iter()
        .map(|(i, _)| child(&els, *i, "title").unwrap().text.clone())
        .collect();
    assert_eq!(
        titles.iter().filter(|t| t.contains("\nvalue: 417")).count(),
        1,
        "{titles:?}"
    );
    assert_eq!(
        titles.iter().filter(|t| t.contains("unfinished")).count(),
        1,
        "{titles:?}"
    );
}

#[test]
fn colours_follow_names_and_are_stable() {
    let trace = common::static_like();
    let first = Timeline::new(&trace).to_svg_string().unwrap();
    let second = Timeline::new(&trace).to_svg_string().unwrap();
    assert_eq!(first, second, "rendering is deterministic");
    // The same names interned in the opposite order keep their colours.
    let mut reversed = trace.clone();
    reversed.names.reverse();
    let last = trace.names.len() as u32 - 1;
    for lane in &mut reversed.lanes {
        for span in &mut lane.spans {
            span.name = last - span.name;
        }
    }
    let colour_by_name = |svg: &str| {
        let els = parse(svg);
        let mut map: Vec<(String, String)> = bars(&els)
            .into_iter()
            .map(|(i, bar)| {
                let title = &child(&els, i, "title").unwrap().text;
                (
                    title.lines().next().unwrap().to_owned(),
                    bar.attr("fill").unwrap().to_owned(),
                )
            })
            .collect();
        map.sort();
        map.dedup();
        map
    };
    assert_eq!(
        colour_by_name(&first),
        colour_by_name(&Timeline::new(&reversed).to_svg_string().unwrap())
    );
    let els = parse(&first);
    for (i, bar) in bars(&els) {
        let title = &child(&els, i, "title").unwrap().text;
        let name = title.lines().next().unwrap();
        assert_eq!(bar.attr("fill"), Some(name_color(name)), "{name}");
    }
    // The legend shows each name with its colour, calls and total.
    let legend: Vec<usize> = (0..els.len())
        .filter(|&i| els[i].class() == "legend-entry")
        .collect();
    assert_eq!(legend.len(), 2);
    let column = legend
        .iter()
        .find(|&&i| els[i].attr("data-name") == Some("column"))
        .unwrap();
    let swatch = child(&els, *column, "rect").unwrap();
    assert_eq!(swatch.attr("fill"), Some(name_color("column")));
    assert!(all_text(&els, *column).contains("40 calls"));
}

#[test]
fn svg_says_its_font_and_header_has_the_summary() {
    let trace = common::static_like();
    let svg = Timeline::new(&trace)
        .title("static schedule")
        .to_svg_string()
        .unwrap();
    let els = parse(&svg);
    assert_eq!(els[0].tag, "svg");
    assert_eq!(els[0].attr("font-family"), Some("DejaVu Sans"));
    let s = trace.summary();
    let header = (0..els.len())
        .find(|&i| els[i].class() == "metrics")
        .unwrap();
    let text = all_text(&els, header);
    assert!(
        text.contains(&format!("{:.1} %", s.load_balance * 100.0)),
        "{text}"
    );
    assert!(
        text.contains(&format!("{:.1} %", s.parallel_efficiency * 100.0)),
        "{text}"
    );
    assert!(text.contains("max − mean wall-clock busy"), "{text}");
    assert!(svg.contains("static schedule"));
    // Utilisation at the end of each lane, from the summary.
    let utils: Vec<String> = (0..els.len())
        .filter(|&i| els[i].class() == "utilisation")
        .map(|i| all_text(&els, i))
        .collect();
    let expected: Vec<String> = s
        .lanes
        .iter()
        .map(|l| format!("{:.1} %", l.utilisation * 100.0))
        .collect();
    assert_eq!(utils, expected);
    // Idle time is drawn: the fast threads have idle stretches.
    assert!(els.iter().any(|e| e.class() == "idle"));
    // Round ticks in ms (the trace lasts about 4 ms).
    let axis = (0..els.len()).find(|&i| els[i].class() == "axis").unwrap();
    let axis_text = all_text(&els, axis);
    assert!(
        axis_text.contains("1 ms") && axis_text.contains("2 ms"),
        "{axis_text}"
    );
    // The concurrency strip is there.
    assert!(els.iter().any(|e| e.class() == "concurrency"));
}

#[test]
fn the_title_defaults_to_the_process_name() {
    let trace = common::static_like();
    let els = parse(&Timeline::new(&trace).to_svg_string().unwrap());
    let title = (0..els.len()).find(|&i| els[i].class() == "title").unwrap();
    assert_eq!(all_text(&els, title), "static");
}

#[test]
fn a_million_calls_merge_into_a_small_svg() {
    let trace = common::many_calls(1_000_000, 4);
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    assert!(svg.len() < 3_000_000, "SVG is {} bytes", svg.len());
    let els = parse(&svg);
    let bars = bars(&els);
    assert!(bars.len() < 20_000, "{} bars", bars.len());
    let calls: u64 = bars.iter().map(|(_, b)| b.num("data-calls") as u64).sum();
    assert_eq!(calls, 1_000_000, "every call is counted in some bar");
    let merged = bars
        .iter()
        .find(|(_, b)| b.num("data-calls") > 1.0)
        .unwrap();
    let title = &child(&els, merged.0, "title").unwrap().text;
    let n = merged.1.attr("data-calls").unwrap();
    assert!(
        title.starts_with(&format!("{n} calls merged")) || title.contains("calls merged"),
        "{title}"
    );
    assert!(title.contains("kernel"), "{title}");
}

#[test]
fn an_empty_trace_says_so() {
    for trace in [Trace::new(), {
        let mut t = Trace::new();
        t.lanes.push(Lane::new(1, 1, "idle-thread"));
        t
    }] {
        let svg = Timeline::new(&trace).to_svg_string().unwrap();
        assert!(svg.contains("no spans recorded"));
        let els = parse(&svg);
        assert!(bars(&els).is_empty());
    }
}

#[test]
fn a_single_thread_draws_one_full_lane() {
    let mut trace = common::static_like();
    trace.lanes.truncate(1);
    trace.lanes[0].spans.retain(|s| s.depth == 0);
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    let els = parse(&svg);
    assert_eq!(lane_labels(&els), ["worker-1"]);
    assert_eq!(bars(&els).len(), 10);
    let s = trace.summary();
    assert_eq!(s.load_balance, 1.0);
    assert!(svg.contains("100.0 %"));
}

#[test]
fn same_scale_puts_two_traces_on_one_axis() {
    let slow = common::static_like();
    let mut fast = common::static_like();
    for lane in &mut fast.lanes {
        for s in &mut lane.spans {
            s.start_ns /= 2;
            s.end_ns /= 2;
        }
    }
    let a = Timeline::new(&slow)
        .same_scale_as(&fast)
        .to_svg_string()
        .unwrap();
    let b = Timeline::new(&fast)
        .same_scale_as(&slow)
        .to_svg_string()
        .unwrap();
    let axis = |svg: &str| {
        let els = parse(svg);
        let i = (0..els.len()).find(|&i| els[i].class() == "axis").unwrap();
        all_text(&els, i)
    };
    assert_eq!(axis(&a), axis(&b));
    // The faster trace's bars end about half way.
    let right = |svg: &str| {
        parse(svg)
            .iter()
            .filter(|e| e.class() == "bar")
            .map(|e| e.num("x") + e.num("width"))
            .fold(0.0, f64::max)
    };
    let (ra, rb) = (right(&a), right(&b));
    assert!(rb < ra * 0.6, "{rb} vs {ra}");
}

#[test]
fn a_time_range_clips_and_counts_what_it_leaves_out() {
    let trace = common::static_like();
    let full = Timeline::new(&trace).to_svg_string().unwrap();
    let part = Timeline::new(&trace)
        .time_range(0, 1_000_000)
        .to_svg_string()
        .unwrap();
    assert!(bars(&parse(&part)).len() < bars(&parse(&full)).len());
    assert!(part.contains("outside the time range are not drawn"));
}

#[test]
fn task_view_has_a_lane_per_task_coloured_by_thread() {
    let trace = common::tasks();
    let svg = Timeline::new(&trace).by_task(true).to_svg_string().unwrap();
    let els = parse(&svg);
    assert_eq!(lane_labels(&els), ["fetch #1", "fetch #2", "fetch #3"]);
    let lane_of = |i: usize| {
        let mut p = els[i].parent;
        while let Some(j) = p {
            if els[j].class() == "lane" {
                return els[j].attr("data-lane").unwrap().to_owned();
            }
            p = els[j].parent;
        }
        panic!("bar outside a lane")
    };
    let fills = |lane: &str| -> Vec<String> {
        bars(&els)
            .into_iter()
            .filter(|(i, _)| lane_of(*i) == lane)
            .map(|(_, b)| b.attr("fill").unwrap().to_owned())
            .collect()
    };
    // Task 1 moved from thread 1 to thread 2: two slices, two colours.
    assert_eq!(fills("fetch #1"), [thread_color(0), thread_color(1)]);
    assert_eq!(fills("fetch #2"), [thread_color(1), thread_color(1)]);
    assert_eq!(fills("fetch #3"), [thread_color(0)]);
    assert!(svg.contains("1 spans without a task"));
    assert!(svg.contains("2 threads"));
    // The legend lists threads.
    let legend = attrs_of_class(&els, "legend-entry", "data-name");
    assert_eq!(legend, ["rt-worker-1", "rt-worker-2"]);
}

#[test]
fn task_view_of_a_trace_without_tasks_explains() {
    let svg = Timeline::new(&common::static_like())
        .by_task(true)
        .to_svg_string()
        .unwrap();
    assert!(svg.contains("no spans with a task id"));
}

#[test]
fn a_figure_stacks_labelled_panels() {
    let a = common::static_like();
    let b = common::many_calls(100, 2);
    let svg = Figure::new()
        .title("two")
        .add("static", &a)
        .add("dynamic", &b)
        .to_svg_string()
        .unwrap();
    let els = parse(&svg);
    let panels = attrs_of_class(&els, "panel", "data-label");
    assert_eq!(panels, ["static", "dynamic"]);
    assert_eq!(lane_labels(&els).len(), 6);
    assert_eq!(els.iter().filter(|e| e.class() == "axis").count(), 1);
    assert!(matches!(
        Figure::new().to_svg_string(),
        Err(VizError::InvalidOption { .. })
    ));
}

#[test]
fn bad_options_are_errors_that_say_what_to_do() {
    let trace = common::static_like();
    let e = Timeline::new(&trace)
        .width(100)
        .to_svg_string()
        .unwrap_err();
    assert!(e.to_string().contains("width 100 px"), "{e}");
    assert!(e.to_string().contains("at least"), "{e}");
    let e = Timeline::new(&trace)
        .time_range(10, 10)
        .to_svg_string()
        .unwrap_err();
    assert!(e.to_string().contains("10..10"), "{e}");
    let e = Timeline::new(&trace)
        .time_span_ns(0)
        .to_svg_string()
        .unwrap_err();
    assert!(e.to_string().contains("time span"), "{e}");
}

#[test]
fn losses_and_deep_nesting_are_reported() {
    let mut trace = common::static_like();
    trace.losses.overwritten_events = 12;
    let deep = trace.intern("deep");
    trace.lanes[0]
        .spans
        .push(common::span(deep, 60_000, 60_010, 40));
    trace.normalize();
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    assert!(svg.contains("12 events overwritten"));
    assert!(
        svg.contains("adjust_buffer"),
        "overwrites are cured by bigger rings"
    );
    assert!(svg.contains("nested deeper than"));
    // Enters never closed are not cured by bigger rings: the advice says why.
    trace.losses = Default::default();
    trace.losses.unclosed_enters = 3;
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    assert!(svg.contains("3 enters never closed"), "{svg}");
    assert!(!svg.contains("adjust_buffer"));
}
