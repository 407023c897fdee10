//! Finding the regions: marked spans, fork/join containers, then phases in
//! what they leave, nested into one tree (the rules are in the [module
//! documentation](super)).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::phases::phases;
use super::work::Work;
use super::Found;
use crate::trace::{NameId, Trace};

/// How many times overlapping regions are cut apart before the ones still
/// overlapping are left out (each pass moves starts only later, so a few
/// passes settle every trace but contrived ones).
const OVERLAP_PASSES: usize = 8;

/// A region found, before its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Node {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) name: NameId,
    pub(super) found: Found,
    /// Index of the enclosing node in the list.
    pub(super) parent: Option<usize>,
}

/// Milliseconds with three decimals, for notes.
pub(super) fn ms(ns: u64) -> String {
    format!("{:.3} ms", ns as f64 / 1e6)
}

/// Notes that may hold for every span of a name: the first one said, and
/// how many more there are, so that a region entered a thousand times gives
/// one note.
#[derive(Default)]
struct Tally(BTreeMap<(u8, NameId), (String, usize)>);

impl Tally {
    fn say(&mut self, key: (u8, NameId), note: impl FnOnce() -> String) {
        self.0
            .entry(key)
            .and_modify(|(_, more)| *more += 1)
            .or_insert_with(|| (note(), 0));
    }

    fn notes(self) -> impl Iterator<Item = String> {
        self.0.into_values().map(|(note, more)| match more {
            0 => note,
            n => format!("{note} (and {n} more spans of that name)"),
        })
    }
}

/// Every span of a marked name, its end repaired when a descendant on its
/// lane ends after it; marks of one name that overlap (the region entered
/// on several lanes at once) taken as one.
fn marked(trace: &Trace, work: &Work, notes: &mut Vec<String>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    let mut tally = Tally::default();
    for (l, lane) in trace.lanes.iter().enumerate() {
        for (i, span) in lane.spans.iter().enumerate() {
            if !trace.is_region(span.name) {
                continue;
            }
            let inside = work.inside.get(l).and_then(|v| v.get(i)).copied();
            if inside.is_some_and(|f| f.others && !f.is_container()) {
                tally.say((0, span.name), || format!(
                    "region '{}' on {} at {} holds other lanes' work, but its own lane is not only waiting in it (see the fork/join rule): its own time counts as work; \
                     record that work as spans of their own to have it measured apart",
                    trace.name(span.name),
                    lane.thread_name,
                    ms(span.start_ns)
                ));
            }
            let descendants = lane.spans[i + 1..]
                .iter()
                .take_while(|s| s.depth > span.depth);
            let end = descendants.map(|s| s.end_ns).fold(span.end_ns, u64::max);
            if end > span.end_ns {
                tally.say((1, span.name), || {
                    format!(
                        "region '{}' on {} ends at {}, before its children (to {}): taken to end \
                     with them",
                        trace.name(span.name),
                        lane.thread_name,
                        ms(span.end_ns),
                        ms(end)
                    )
                });
            }
            if end <= span.start_ns {
                continue; // no time: nothing to measure
            }
            out.push(Node {
                start: span.start_ns,
                end,
                name: span.name,
                found: Found::Marked,
                parent: None,
            });
        }
    }
    notes.extend(tally.notes());
    out.sort_by_key(|n| (n.name, n.start, Reverse(n.end)));
    let mut merged: Vec<Node> = Vec::with_capacity(out.len());
    let mut joined = 0usize;
    for node in out {
        match merged.last_mut() {
            Some(last) if last.name == node.name && node.start < last.end => {
                last.end = last.end.max(node.end);
                joined += 1;
            }
            _ => merged.push(node),
        }
    }
    if joined > 0 {
        notes.push(format!(
            "{joined} marked spans overlap others of their name (a region entered on several \
             lanes at once): each such group is one region, from its first start to its last end"
        ));
    }
    merged
}

/// Every container whose name is not marked: a fork/join region.
fn fork_join(trace: &Trace, work: &Work) -> Vec<Node> {
    let mut out = Vec::new();
    for (lane, containers) in trace.lanes.iter().zip(&work.containers) {
        for (span, _) in lane.spans.iter().zip(containers).filter(|(_, &c)| c) {
            if !trace.is_region(span.name) {
                out.push(Node {
                    start: span.start_ns,
                    end: span.end_ns,
                    name: span.name,
                    found: Found::ForkJoin,
                    parent: None,
                });
            }
        }
    }
    out
}

/// Links each node to the smallest one holding it. A node that overlaps
/// another without nesting is cut to start where the other ends (said in
/// `notes`); after [`OVERLAP_PASSES`] passes, any still overlapping is left
/// out.
fn nest(trace: &Trace, mut nodes: Vec<Node>, notes: &mut Vec<String>) -> Vec<Node> {
    for pass in 0..=OVERLAP_PASSES {
        // Parents first: the earlier start, then the longer, then marked.
        nodes.sort_by_key(|n| (n.start, Reverse(n.end), n.found));
        let mut stack: Vec<usize> = Vec::new();
        let mut cut = false;
        let mut keep = vec![true; nodes.len()];
        for i in 0..nodes.len() {
            nodes[i].parent = None;
            while stack
                .last()
                .is_some_and(|&top| nodes[top].end <= nodes[i].start)
            {
                stack.pop();
            }
            if let Some(&top) = stack.last() {
                if nodes[i].end > nodes[top].end {
                    let (a, b) = (&nodes[top], &nodes[i]);
                    let last_pass = pass == OVERLAP_PASSES;
                    notes.push(format!(
                        "regions '{}' ({} to {}) and '{}' ({} to {}) overlap without nesting: {}",
                        trace.name(a.name),
                        ms(a.start),
                        ms(a.end),
                        trace.name(b.name),
                        ms(b.start),
                        ms(b.end),
                        if last_pass {
                            format!("'{}' is left out", trace.name(b.name))
                        } else {
                            format!("'{}' is counted from {}", trace.name(b.name), ms(a.end))
                        }
                    ));
                    if last_pass {
                        keep[i] = false;
                    } else {
                        nodes[i].start = nodes[top].end;
                        cut = true;
                    }
                    continue;
                }
                nodes[i].parent = Some(top);
            }
            stack.push(i);
        }
        if !cut {
            let mut k = keep.iter();
            nodes.retain(|_| k.next().copied().unwrap_or(false));
            return relink(nodes);
        }
    }
    nodes
}

/// Recomputes the parent links of nodes already nested (after some were
/// left out): each node's parent is the nearest earlier one holding it.
fn relink(mut nodes: Vec<Node>) -> Vec<Node> {
    let mut stack: Vec<usize> = Vec::new();
    for i in 0..nodes.len() {
        while stack
            .last()
            .is_some_and(|&top| nodes[top].end <= nodes[i].start || nodes[top].end < nodes[i].end)
        {
            stack.pop();
        }
        nodes[i].parent = stack.last().copied();
        stack.push(i);
    }
    nodes
}

/// The stretches of `start..end` that none of `inner` (sorted, disjoint)
/// covers.
fn gaps(start: u64, end: u64, inner: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut at = start;
    for &(s, e) in inner {
        if s.min(end) > at {
            out.push((at, s.min(end)));
        }
        at = at.max(e);
    }
    if end > at {
        out.push((at, end));
    }
    out
}

/// The phases in the gaps of `start..end` left by `children`, as nodes
/// under `parent`. Inside a region with no other children, a single phase
/// would be the region again: none is added.
fn phase_nodes(
    work: &Work,
    (start, end): (u64, u64),
    children: &[(u64, u64)],
    parent: Option<usize>,
) -> Vec<Node> {
    let mut out = Vec::new();
    for (s, e) in gaps(start, end, children) {
        for phase in phases(work, s, e) {
            out.push(Node {
                start: phase.start,
                end: phase.end,
                name: phase.name,
                found: Found::Phase,
                parent,
            });
        }
    }
    if parent.is_some() && children.is_empty() && out.len() == 1 {
        out.clear();
    }
    out
}

/// Every region of `trace` over `run` (its first start to its last end), in
/// time order, parents before their children, each linked to its parent.
pub(super) fn detect(
    trace: &Trace,
    work: &Work,
    run: (u64, u64),
    notes: &mut Vec<String>,
) -> Vec<Node> {
    let mut nodes = marked(trace, work, notes);
    nodes.extend(fork_join(trace, work));
    nodes.extend(super::collectives::between_collectives(trace, run, notes));
    let nodes = nest(trace, nodes, notes);
    // The phases of the run, then of each region, in what their children
    // leave.
    let mut children: Vec<Vec<(u64, u64)>> = vec![Vec::new(); nodes.len() + 1];
    for n in &nodes {
        // Slot 0 is the run's; node i's is i + 1. Nodes are in start order,
        // so each list is sorted and, nested, disjoint.
        let slot = n.parent.map_or(0, |p| p + 1);
        children[slot].push((n.start, n.end));
    }
    let windows = std::iter::once((None, run)).chain(
        nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (Some(i), (n.start, n.end))),
    );
    let mut found: Vec<Node> = Vec::new();
    for (parent, window) in windows {
        let slot = parent.map_or(0, |p| p + 1);
        found.extend(phase_nodes(work, window, &children[slot], parent));
    }
    order(nodes, found)
}

/// The nodes and the phases found in them as one list in time order,
/// parents first, the links renumbered.
fn order(nodes: Vec<Node>, phases: Vec<Node>) -> Vec<Node> {
    // A phase's parent is an index into `nodes`; give every node its depth
    // so that a parent sorts before a child of the same extent.
    let all: Vec<Node> = nodes.into_iter().chain(phases).collect();
    let depth = |mut i: usize| {
        let mut d = 0;
        while let Some(p) = all.get(i).and_then(|n| n.parent) {
            d += 1;
            i = p;
            if d > all.len() {
                break; // a loop cannot happen; never spin if it did
            }
        }
        d
    };
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&i| (all[i].start, Reverse(all[i].end), depth(i)));
    let mut new_index = vec![0; all.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    order
        .iter()
        .map(|&old| Node {
            parent: all[old].parent.map(|p| new_index[p]),
            ..all[old].clone()
        })
        .collect()
}
