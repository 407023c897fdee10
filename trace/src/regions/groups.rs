//! Regions of one kind taken together: a time step's loop runs a thousand
//! times, and fixing its code fixes all of them, so the ranking sums them.

use std::collections::HashMap;

use serde::Serialize;

use super::metrics::amdahl_note;
use super::{Found, Region};

/// The regions without child regions that share a name, a way of being
/// found, a shape (serial or parallel) and the names of the regions around
/// them, with their figures summed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionGroup {
    /// Its place, from 1, by what fixing it could save.
    pub rank: usize,
    /// The regions' name.
    pub name: String,
    /// How they were found.
    pub found: Found,
    /// The names of the regions around them, outermost first.
    pub path: Vec<String>,
    /// The [`Region::id`]s of its regions, in time order.
    pub regions: Vec<usize>,
    /// Their wall time, summed.
    pub wall_ns: u64,
    /// Their share of the run, summed.
    pub share: f64,
    /// No two lanes worked at once in any of them.
    pub serial: bool,
    /// The most threads any of them had.
    pub threads: usize,
    /// Summed mean work over summed max work (POP's load balance of the
    /// group); `None` when no lane worked.
    pub load_balance: Option<f64>,
    /// Summed ideal time over summed wall; `None` when no lane worked.
    pub parallel_efficiency: Option<f64>,
    /// Their potential gains, summed.
    pub potential_gain_ns: f64,
    /// What fixing them could save, summed (see [`Region::could_save_ns`]).
    pub could_save_ns: f64,
    /// For serial regions, 1 / their summed share: the most the run can
    /// speed up while they stay serial.
    pub max_speedup: Option<f64>,
    /// The lane most often critical in them.
    pub critical_lane: Option<String>,
    /// Their notes, each once (with how many of them have it when not all).
    pub notes: Vec<String>,
}

/// The key regions are grouped by.
type Key = (Vec<String>, String, Found, bool);

/// The names of the regions holding `i`, outermost first.
fn path(regions: &[Region], i: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = regions.get(i).and_then(|r| r.parent);
    while let Some(p) = at {
        let Some(r) = regions.get(p) else { break };
        out.push(r.name.clone());
        at = r.parent.filter(|&q| q < p); // parents come first: no loop
    }
    out.reverse();
    out
}

/// The group of the regions `members` (indices into `regions`).
fn summed(regions: &[Region], (path, name, found, serial): Key, members: &[usize]) -> RegionGroup {
    let of = || members.iter().filter_map(|&i| regions.get(i));
    let worked = || of().filter(|r| r.threads > 0);
    let sum = |f: fn(&Region) -> f64| of().map(f).sum::<f64>();
    let share = sum(|r| r.share);
    let max: f64 = worked().map(|r| r.max_busy_ns as f64).sum();
    let wall: f64 = worked().map(|r| r.wall_ns as f64).sum();
    let any_work = worked().next().is_some();
    let mut critical: HashMap<&str, usize> = HashMap::new();
    for lane in of().filter_map(|r| r.critical_lane.as_deref()) {
        *critical.entry(lane).or_default() += 1;
    }
    let critical_lane = critical
        .into_iter()
        .max_by_key(|&(lane, n)| (n, std::cmp::Reverse(lane)))
        .map(|(lane, _)| lane.to_owned());
    let mut notes: Vec<(String, usize)> = Vec::new();
    if serial && share > 0.0 {
        notes.push((amdahl_note(share), members.len()));
    }
    for note in of()
        .flat_map(|r| &r.notes)
        .filter(|n| !n.starts_with("serial: "))
    {
        match notes.iter_mut().find(|(n, _)| n == note) {
            Some((_, count)) => *count += 1,
            None => notes.push((note.clone(), 1)),
        }
    }
    RegionGroup {
        rank: 0,
        name,
        found,
        path,
        regions: members.to_vec(),
        wall_ns: of().map(|r| r.wall_ns).sum(),
        share,
        serial,
        threads: of().map(|r| r.threads).max().unwrap_or(0),
        load_balance: (any_work && max > 0.0).then(|| sum(|r| r.mean_busy_ns) / max),
        parallel_efficiency: (any_work && wall > 0.0).then(|| sum(|r| r.ideal_ns) / wall),
        potential_gain_ns: sum(|r| r.potential_gain_ns),
        could_save_ns: sum(|r| r.could_save_ns),
        max_speedup: (serial && share > 0.0).then(|| 1.0 / share),
        critical_lane,
        notes: notes
            .into_iter()
            .map(|(note, n)| match n == members.len() {
                true => note,
                false => format!("{note} (in {n} of {})", members.len()),
            })
            .collect(),
    }
}

/// The regions without child regions grouped and ranked by what fixing
/// them could save, the most first (ties in time order); each region's
/// [`Region::rank`] is set to its group's.
pub(super) fn rank(regions: &mut [Region]) -> Vec<RegionGroup> {
    let mut has_children = vec![false; regions.len()];
    for p in regions.iter().filter_map(|r| r.parent) {
        if let Some(h) = has_children.get_mut(p) {
            *h = true;
        }
    }
    let mut keys: Vec<Key> = Vec::new();
    let mut members: HashMap<Key, Vec<usize>> = HashMap::new();
    for i in (0..regions.len()).filter(|&i| !has_children[i]) {
        let r = &regions[i];
        let key = (path(regions, i), r.name.clone(), r.found, r.serial);
        let list = members.entry(key.clone()).or_default();
        if list.is_empty() {
            keys.push(key);
        }
        list.push(i);
    }
    let mut groups: Vec<RegionGroup> = keys
        .into_iter()
        .map(|key| {
            let list = members.remove(&key).unwrap_or_default();
            summed(regions, key, &list)
        })
        .collect();
    // `keys` is in time order of first regions: a stable sort keeps it.
    groups.sort_by(|a, b| b.could_save_ns.total_cmp(&a.could_save_ns));
    for (place, g) in groups.iter_mut().enumerate() {
        g.rank = place + 1;
        for &i in &g.regions {
            if let Some(r) = regions.get_mut(i) {
                r.rank = Some(place + 1);
            }
        }
    }
    groups
}
