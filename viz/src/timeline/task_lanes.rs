//! The task view: one lane per task (spans with a task id), its slices
//! coloured by the thread that ran them, a dashed lifeline from its first
//! start to its last end, and a legend of the threads.

use std::collections::{BTreeMap, BTreeSet};

use logprof_trace::{Summary, Trace};

use super::layout::{FONT, MAX_TASK_LANES, TASK_ROW_H};
use super::model::{
    LaneKind, LaneSet, LaneStyle, LaneView, Legend, LegendEntry, PanelContext, PanelView,
};
use super::tooltips;
use crate::bars::{Bar, RowBuilder, TimeScale};
use crate::color::thread_color;
use crate::scale::{count, duration};
use crate::text::text_width;

/// One lane per task; a bar's colour key is the ordinal (in lane order) of
/// the thread that ran the slice.
#[derive(Debug)]
pub(super) struct TaskLanes;

/// `(lane index, span index)` of each slice of a task, in start order.
type Slices = [(usize, usize)];

impl LaneKind for TaskLanes {
    fn label_width(&self, trace: &Trace) -> f64 {
        trace
            .tasks()
            .iter()
            .take(MAX_TASK_LANES)
            .map(|(&task, slices)| text_width(&task_label(trace, task, slices), FONT, false))
            .fold(0.0, f64::max)
    }

    fn build(&self, ctx: &PanelContext) -> LaneSet {
        let trace = ctx.trace;
        let tasks = trace.tasks();
        let mut ord_of_lane = vec![0usize; trace.lanes.len()];
        for (ord, &li) in ctx.order.iter().enumerate() {
            ord_of_lane[li] = ord;
        }
        let mut set = LaneSet::default();
        let mut totals: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
        let mut in_tasks = 0u64;
        for (&task, slices) in &tasks {
            in_tasks += slices.len() as u64;
            for &(li, si) in slices {
                let entry = totals.entry(ord_of_lane[li]).or_default();
                entry.0 += 1;
                entry.1 += trace.lanes[li].spans[si].duration_ns();
            }
            if set.lanes.len() < MAX_TASK_LANES {
                let lane = task_lane(trace, task, slices, &ord_of_lane, ctx.scale, &mut set);
                set.lanes.push(lane);
            }
        }
        set.thread_totals = totals
            .into_iter()
            .map(|(ord, (n, ns))| (ord, n, ns))
            .collect();
        set.notes = notes(tasks.len(), trace.span_count() as u64 - in_tasks);
        set
    }

    fn extra_metrics(&self, trace: &Trace, summary: &Summary) -> Vec<(String, String)> {
        vec![
            ("tasks".to_owned(), count(trace.tasks().len() as u64)),
            ("migrated".to_owned(), count(summary.migrated_tasks as u64)),
        ]
    }

    fn style(&self) -> &'static LaneStyle {
        &LaneStyle {
            caption: "task",
            right_caption: "ran on",
            busy_column: false,
            no_lanes_message:
                "no spans with a task id: only tracing spans and async tasks carry one",
            first_row_height: TASK_ROW_H,
            // A clipped thread name says nothing: the colour does.
            writes_clipped_names: false,
            compacts: false,
        }
    }

    fn row_box(&self, top: f64, _depth: usize) -> (f64, f64) {
        (top + 1.0, TASK_ROW_H - 2.0)
    }

    fn key_style<'p>(&self, panel: &'p PanelView, key: u32) -> (&'static str, &'p str) {
        let thread = thread_name(panel, key).unwrap_or("?");
        (thread_color(key as usize), thread)
    }

    fn tooltip(&self, panel: &PanelView, lane: &LaneView, bar: &Bar) -> String {
        let thread = |key: u32| thread_name(panel, key).unwrap_or_default().to_owned();
        if bar.is_merged() {
            tooltips::merged(panel, bar, "slices", ("task", &lane.label), thread)
        } else {
            let what = format!("{} (slice {})", lane.label, bar.item + 1);
            tooltips::single(panel, bar, &what, &thread(bar.key))
        }
    }

    fn legend(&self, panels: &[PanelView]) -> Legend {
        Legend {
            heading: "threads",
            entries: thread_entries(panels),
        }
    }
}

/// The name of the thread with ordinal `key`, if there is one.
fn thread_name<'p>(panel: &'p PanelView, key: u32) -> Option<&'p str> {
    panel.thread_names.get(key as usize).map(String::as_str)
}

/// The label of a task's lane: its first slice's name and its id.
fn task_label(trace: &Trace, task: u64, slices: &Slices) -> String {
    let (li, si) = slices[0];
    format!("{} #{task}", trace.name(trace.lanes[li].spans[si].name))
}

/// The lane of one task: its slices in one row, its lifeline, and how many
/// threads ran it; slices outside the window are counted into `set`.
fn task_lane(
    trace: &Trace,
    task: u64,
    slices: &Slices,
    ord_of_lane: &[usize],
    scale: TimeScale,
    set: &mut LaneSet,
) -> LaneView {
    let first = &trace.lanes[slices[0].0].spans[slices[0].1];
    let mut row = RowBuilder::new(scale);
    let mut threads = BTreeSet::new();
    let mut last_end = first.end_ns;
    for (k, &(li, si)) in slices.iter().enumerate() {
        let s = &trace.lanes[li].spans[si];
        threads.insert(li);
        last_end = last_end.max(s.end_ns);
        row.push(s.start_ns, s.end_ns, ord_of_lane[li] as u32, k);
    }
    let (bars, out) = row.finish();
    set.outside += out;
    let life = (first.start_ns, last_end);
    let lifeline = (life.1 >= scale.lo && life.0 <= scale.hi)
        .then(|| (scale.x_of(life.0), scale.x_of(life.1)));
    LaneView {
        label: task_label(trace, task, slices),
        thread: String::new(),
        trace_lane: None,
        height: TASK_ROW_H,
        rows: vec![bars],
        idle: Vec::new(),
        off_cpu: Vec::new(),
        lifeline,
        right: if threads.len() == 1 {
            "1 thread".to_owned()
        } else {
            format!("{} threads", threads.len())
        },
        right_warn: threads.len() > 1,
        gauge: None,
        full_name: String::new(),
        group_header: None,
        ticks: Vec::new(),
    }
}

/// What the task view leaves out of a trace of `tasks` tasks and `without`
/// spans without a task.
fn notes(tasks: usize, without: u64) -> Vec<String> {
    let mut notes = Vec::new();
    if tasks > MAX_TASK_LANES {
        notes.push(format!(
            "{} of {} tasks drawn",
            count(MAX_TASK_LANES as u64),
            count(tasks as u64)
        ));
    }
    if without > 0 {
        notes.push(format!(
            "{} spans without a task are not drawn in the task view",
            count(without)
        ));
    }
    notes
}

/// Each thread that ran a slice, in order of appearance, with its slices
/// and their total time in each panel.
fn thread_entries(panels: &[PanelView]) -> Vec<LegendEntry> {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<(String, &'static str)> = Vec::new();
    for p in panels {
        for &(ord, n, ns) in &p.thread_totals {
            let name = p.thread_names[ord].clone();
            let stats = format!("{} slices · {}", count(n), duration(ns as f64));
            let stats = match &p.label {
                Some(l) if panels.len() > 1 => format!("{l}: {stats}"),
                _ => stats,
            };
            if !seen.contains_key(&name) {
                order.push((name.clone(), thread_color(ord)));
            }
            seen.entry(name).or_default().push(stats);
        }
    }
    order
        .into_iter()
        .map(|(name, color)| LegendEntry {
            color: color.to_owned(),
            stats: seen[&name].join(" · "),
            name,
        })
        .collect()
}
