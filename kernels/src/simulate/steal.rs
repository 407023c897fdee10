//! Rayon's adaptive splitting under work stealing, as a discrete-event model.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::ops::Range;

use super::prediction::Placed;
use super::units::Units;
use super::Overheads;

/// A piece waiting on a deque, with the splits its splitter has left.
struct Task {
    range: Range<usize>,
    splits: usize,
}

/// The cores' deques, and how many tasks wait on them in all.
struct Deques {
    deques: Vec<VecDeque<Task>>,
    waiting: usize,
}

impl Deques {
    /// The oldest task of the first non-empty deque after `thief`'s own.
    fn steal(&mut self, thief: usize) -> Option<Task> {
        if self.waiting == 0 {
            return None;
        }
        let cores = self.deques.len();
        let victim = (1..cores)
            .map(|k| (thief + k) % cores)
            .find(|&v| !self.deques[v].is_empty())?;
        self.waiting -= 1;
        self.deques[victim].pop_front()
    }

    /// `core`'s newest task.
    fn pop(&mut self, core: usize) -> Option<Task> {
        let task = self.deques[core].pop_back()?;
        self.waiting -= 1;
        Some(task)
    }
}

/// The model's state: the deques, the running leaves, what has run.
struct Model<'a> {
    units: &'a Units,
    cores: usize,
    basesize: usize,
    overheads: Overheads,
    deques: Deques,
    /// `(end, core)` of every running leaf.
    running: BinaryHeap<Reverse<(u64, usize)>>,
    idle: Vec<bool>,
    /// Whether the core has run anything yet (its first piece pays `wake`).
    woken: Vec<bool>,
    placed: Vec<Placed>,
}

impl Model<'_> {
    /// `core` takes `task` at time `at` (after `overhead`): splits it in half
    /// while rayon's splitter allows, the right half onto its deque, and runs
    /// the leaf that is left.
    fn start(&mut self, core: usize, task: Task, stolen: bool, at: u64, mut overhead: u64) {
        let Task { mut range, splits } = task;
        if !std::mem::replace(&mut self.woken[core], true) {
            overhead += self.overheads.wake;
        }
        // rayon's `LengthSplitter::try_split`.
        let mut splits = if stolen {
            self.cores.max(splits / 2)
        } else {
            splits
        };
        let mut fresh = stolen;
        while range.len() / 2 >= self.basesize && (fresh || splits > 0) {
            if !fresh {
                splits /= 2;
            }
            fresh = false;
            let mid = range.start + range.len() / 2;
            self.deques.deques[core].push_back(Task {
                range: mid..range.end,
                splits,
            });
            self.deques.waiting += 1;
            range.end = mid;
            overhead += self.overheads.spawn;
        }
        let start = at + overhead;
        let end = start + self.units.range_cost(&range);
        self.placed
            .push(Placed::with_overhead(core, overhead, start, end, range));
        self.running.push(Reverse((end, core)));
        self.idle[core] = false;
    }

    /// Every idle core steals while there is anything to steal.
    fn steal_all(&mut self, at: u64) {
        for core in 0..self.cores {
            if self.deques.waiting == 0 {
                return;
            }
            if self.idle[core] {
                if let Some(task) = self.deques.steal(core) {
                    self.start(core, task, true, at, self.overheads.steal);
                }
            }
        }
    }
}

/// `0..n` under rayon's adaptive splitting with `basesize` on `cores` cores.
pub(super) fn rayon(
    units: &Units,
    cores: usize,
    basesize: usize,
    overheads: Overheads,
) -> Vec<Placed> {
    let mut model = Model {
        units,
        cores,
        basesize: basesize.max(1),
        overheads,
        deques: Deques {
            deques: (0..cores).map(|_| VecDeque::new()).collect(),
            waiting: 0,
        },
        running: BinaryHeap::new(),
        idle: vec![true; cores],
        woken: vec![false; cores],
        placed: Vec::new(),
    };
    if units.is_empty() {
        return model.placed;
    }
    // rayon's splitter starts with one split a thread.
    let root = Task {
        range: 0..units.len(),
        splits: cores,
    };
    model.start(0, root, false, 0, 0);
    model.steal_all(0);
    while let Some(Reverse((at, core))) = model.running.pop() {
        model.idle[core] = true;
        if let Some(task) = model.deques.pop(core) {
            model.start(core, task, false, at, 0);
        }
        model.steal_all(at);
    }
    model.placed
}
