//! Hand-built traces and an SVG reader shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;

use logprof_trace::{Lane, NameTable, Span, Trace};
use svg::node::element::tag::Type;
use svg::parser::Event;

pub fn span(name: u32, start_ns: u64, end_ns: u64, depth: u32) -> Span {
    Span::new(name, start_ns, end_ns, depth)
}

/// A trace of a process named `process` holding `lanes`.
fn trace(process: &str, names: NameTable, lanes: Vec<Lane>) -> Trace {
    let mut trace = Trace::new();
    trace.process_name = Some(process.into());
    trace.names = names.into_names();
    trace.lanes = lanes;
    trace
}

/// Like a static schedule of uneven work: 4 threads, 10 calls each of
/// `column`, the middle threads 4× slower; each call holds a nested `pixel`.
/// All bars are wide at the default width (nothing merges).
pub fn static_like() -> Trace {
    let mut names = NameTable::new();
    let column = names.intern("column");
    let pixel = names.intern("pixel");
    let mut lanes = Vec::new();
    for t in 0..4u64 {
        let cost = if t == 1 || t == 2 { 400_000 } else { 100_000 };
        let mut lane = Lane::new(1, t + 1, format!("worker-{}", t + 1));
        let mut now = 50_000 + t * 1_000;
        for _ in 0..10 {
            lane.spans.push(span(column, now, now + cost, 0));
            lane.spans
                .push(span(pixel, now + cost / 4, now + cost / 2, 1));
            now += cost + 2_000;
        }
        lanes.push(lane);
    }
    trace("static", names, lanes)
}

/// `n` back-to-back calls of 1 µs with a 1 µs gap, dealt round-robin over
/// `threads` threads (two names alternating).
pub fn many_calls(n: usize, threads: u64) -> Trace {
    let mut names = NameTable::new();
    let a = names.intern("kernel");
    let b = names.intern("reduce");
    let mut lanes: Vec<Lane> = (0..threads)
        .map(|t| Lane::new(1, t + 1, format!("worker-{}", t + 1)))
        .collect();
    let per_lane = n.div_ceil(threads as usize);
    for (t, lane) in lanes.iter_mut().enumerate() {
        let count = per_lane.min(n - (t * per_lane).min(n));
        lane.spans.reserve(count);
        for i in 0..count as u64 {
            let start = 1_000 + i * 2_000;
            let name = if i % 7 == 0 { b } else { a };
            lane.spans.push(span(name, start, start + 1_000, 0));
        }
    }
    trace("many", names, lanes)
}

/// Two threads and three tasks: task 1 runs on thread 1 then thread 2
/// (migrates), task 2 stays on thread 2, task 3 on thread 1; plus one plain
/// call without a task.
pub fn tasks() -> Trace {
    let mut names = NameTable::new();
    let fetch = names.intern("fetch");
    let plain = names.intern("plain");
    let t = |task: u64, s: u64, e: u64| span(fetch, s, e, 0).in_task(task);
    let mut a = Lane::new(1, 1, "rt-worker-1");
    a.spans = vec![
        t(1, 0, 100_000),
        t(3, 150_000, 300_000),
        span(plain, 400_000, 500_000, 0),
    ];
    let mut b = Lane::new(1, 2, "rt-worker-2");
    b.spans = vec![
        t(2, 0, 120_000),
        t(1, 200_000, 350_000),
        t(2, 360_000, 500_000),
    ];
    trace("tokio", names, vec![a, b])
}

/// One element of a parsed SVG: its tag, attributes and text content.
#[derive(Debug, Clone)]
pub struct El {
    pub tag: String,
    pub attrs: HashMap<String, String>,
    pub text: String,
    /// Index of the parent element.
    pub parent: Option<usize>,
}

impl El {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
    pub fn class(&self) -> &str {
        self.attr("class").unwrap_or("")
    }
    pub fn num(&self, name: &str) -> f64 {
        self.attr(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("<{}> lacks numeric {name}", self.tag))
    }
}

/// Parses an SVG with the `svg` crate into a flat list of elements; panics
/// (failing the test) on a parse error or unbalanced tags.
pub fn parse(svg_text: &str) -> Vec<El> {
    let mut out: Vec<El> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for event in svg::read(svg_text).expect("svg parses") {
        match event {
            Event::Tag(tag, kind, attrs) => match kind {
                Type::Start | Type::Empty => {
                    out.push(El {
                        tag: tag.to_owned(),
                        attrs: attrs
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_string()))
                            .collect(),
                        text: String::new(),
                        parent: stack.last().copied(),
                    });
                    if kind == Type::Start {
                        stack.push(out.len() - 1);
                    }
                }
                Type::End => {
                    let open = stack.pop().expect("balanced tags");
                    assert_eq!(out[open].tag, tag, "tags nest properly");
                }
            },
            Event::Text(text) => {
                if let Some(&open) = stack.last() {
                    out[open].text.push_str(text);
                }
            }
            Event::Error(e) => panic!("svg parse error: {e}"),
            _ => {}
        }
    }
    assert!(stack.is_empty(), "every tag is closed");
    out
}

/// The text of an element and all its descendants.
pub fn all_text(els: &[El], i: usize) -> String {
    let mut s = els[i].text.clone();
    for (j, e) in els.iter().enumerate() {
        if e.parent == Some(i) {
            s.push_str(&all_text(els, j));
        }
    }
    s
}

/// The first child of `i` with tag `tag`.
pub fn child<'a>(els: &'a [El], i: usize, tag: &str) -> Option<&'a El> {
    els.iter().find(|e| e.parent == Some(i) && e.tag == tag)
}
