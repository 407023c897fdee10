//! Pictures of traces other tools wrote: labels that tell lanes apart,
//! processes as group headers, instants as ticks, counters as step lines,
//! and the reader's repairs and what is not drawn said in the header.

use crate::common::{all_text, parse};
use logprof_trace::Trace;
use logprof_viz::{trace_notes, Timeline};

fn texts_of_class(svg: &str, class: &str) -> Vec<String> {
    let els = parse(svg);
    els.iter()
        .enumerate()
        .filter(|(_, e)| e.class() == class)
        .map(|(i, _)| all_text(&els, i))
        .collect()
}

#[test]
fn lanes_are_told_apart_grouped_by_process_with_instants_and_notes() {
    let trace = Trace::from_chrome_json_str(
        r#"[{"ph":"X","name":"a","pid":1,"tid":7,"ts":0,"dur":10},
            {"ph":"X","name":"a","pid":1,"tid":8,"ts":0,"dur":10},
            {"ph":"i","name":"tick","pid":1,"tid":8,"ts":5},
            {"ph":"B","name":"b","pid":2,"tid":1,"ts":1},
            {"ph":"C","name":"heap","pid":2,"ts":1,"args":{"value":3}},
            {"ph":"M","name":"thread_name","pid":1,"tid":7,"args":{"name":"ThreadPoolForegroundWorker"}},
            {"ph":"M","name":"thread_name","pid":1,"tid":8,"args":{"name":"ThreadPoolForegroundWorker"}},
            {"ph":"M","name":"thread_name","pid":2,"tid":1,
             "args":{"name":"AVeryLongThreadNameThatCannotFitInTheLabelColumnAtAll 42"}}]"#,
    )
    .unwrap();
    let svg = Timeline::new(&trace).width(1200).to_svg_string().unwrap();
    let labels = texts_of_class(&svg, "lane-label");
    assert_eq!(labels[0], "ThreadPoolForegroundWorker 7");
    assert_eq!(labels[1], "ThreadPoolForegroundWorker 8");
    assert!(
        labels[2].contains('…') && labels[2].ends_with(" 42"),
        "{labels:?}"
    );
    assert_eq!(texts_of_class(&svg, "process"), ["process 1", "process 2"]);
    assert_eq!(svg.matches("class=\"instant\"").count(), 1);
    let notes = trace_notes(&trace);
    assert_eq!(
        notes,
        ["1 spans still open at the end of the trace, drawn to the end of their lane"]
    );
    // The counter is a small step line under the busy strip.
    assert_eq!(svg.matches("class=\"counter\"").count(), 1);
    assert!(svg.contains("heap (pid 2)"), "the counter's tooltip");
    for note in notes {
        assert!(svg.contains(&note), "{note}");
    }
}
