//! Regions: the run cut into stretches of one shape of work (a serial
//! load, one parallel loop, a solver step), each with its own figures, so
//! that a report can say where the time goes instead of giving one number
//! for the whole run ([`Trace::regions`]).
//!
//! # Work and containers
//!
//! A span is a *container* when it holds other lanes' work rather than
//! being work itself: a `scope!("step")` around a rayon `par_iter`, an
//! OpenMP-style parallel for. Span `S` on lane `A` is one when
//!
//! 1. spans of other lanes of its process lie inside it (start and end
//!    within `S`) and are named otherwise than `S` (a static chunk that
//!    outlasts its sibling chunks holds them in time: they are its peers);
//! 2. those spans, with `S`'s own children, cover at least 80 % of `S` (a
//!    span whose lane works alone for more than a fifth of it is serial
//!    work, not a wait for workers);
//! 3. no leaf span (one without children) of another lane of its process
//!    runs across `S`'s start or end: the workers were idle at the fork and
//!    at the join.
//!
//! A container's own time (outside its children) is the fork, the wait at
//! the join, and whatever its lane does alone: it is not work. A lane's
//! *pieces* of work are its spans that are not containers and all of
//! whose enclosing spans are: its top-level spans, except that containers
//! are replaced by their children, recursively. A lane is *busy* while in
//! a piece. Record serial work inside a container as a span of its own to
//! have it counted.
//!
//! # How regions are found
//!
//! In this order:
//!
//! 1. **Marked**: every span of a name marked as a region
//!    ([`Trace::region_names`]: `logprof::region!`, or `"cat":"region"` in a
//!    trace file). Its end is repaired when a descendant on its lane ends
//!    after it. Marked spans of one name that overlap in time (the region
//!    entered on several lanes at once) are one region, from the first start
//!    to the last end.
//! 2. **Fork/join**: every container whose name is not marked.
//! 3. **Phases**: each *gap*, a stretch the regions above leave (the whole
//!    run when there are none; inside a region, the stretches between its
//!    child regions), is cut by the number of lanes working, counted in
//!    classes: none, one (serial), several (parallel).
//!    - A serial stretch next to a parallel one joins it when every piece in
//!      it has a name that another lane ran in the parallel stretch, looking
//!      past idle moments shorter than the minimum below (a lane between
//!      two of its pieces): the slowest lane finishing its share of a loop
//!      (or the first starting early) is the loop's tail, its imbalance,
//!      not a serial phase.
//!    - A change of class *stays changed* when the new class holds, without
//!      a break, for at least 1 % of the gap. Shorter stretches belong to
//!      the phase before them (the first phase takes those before it): a
//!      flicker of 1 % can change the figures of the phase it would be cut
//!      from by no more than 1 %. When nothing holds that long, the gap is
//!      one phase (none if no lane works for most of it).
//!    - A moment when no lane works, right after a parallel phase, is a
//!      join: parallel work that lasts after it starts a phase of its own,
//!      however short the moment, unless its name (below) is the previous
//!      phase's (the lanes of one loop pausing at once).
//!    - Stretches where no lane works are in no phase. Inside a region
//!      without child regions, a single phase would be the region again and
//!      is not added.
//!    - A phase is named after the name with the most work in it.
//!
//!    Two parallel loops back to back with no moment between them, or two
//!    loops of one name, are one phase: mark them (`region!`) or wrap them
//!    (`scope!`) to tell them apart. The serial work between two regions (a
//!    time step's glue) is a phase of its own, however short.
//!
//! Regions nest by time: each region's parent is the smallest region that
//! holds it. Two regions that overlap without nesting are cut apart: the
//! later one counts from the end of the earlier (said in the notes).
//!
//! Lanes of several processes (the ranks of an MPI trace) are taken
//! together. Between 2 and 3 above, such a run is cut at its **collective
//! calls** (barriers, reductions, broadcasts, gathers, fences): when every
//! rank made the same ones in the same order, the `k`-th step runs from
//! the moment the first rank left call `k − 1` (the run's start for the
//! first) to the moment the first rank left call `k`, and is named after
//! call `k` (`MPI_Allreduce`). A rank's time inside a call is waiting, not
//! work, so a rank that arrived early is the step's underload. Ranks that
//! made different calls leave the run uncut, with a note.
//!
//! # The figures of a region
//!
//! Over the region's `wall` (end − start), for each lane that worked in it
//! (its *threads*): *busy* is its time in pieces within the region; its
//! *work* is its on-CPU busy time (busy less the time it was preempted or
//! blocked, [`Lane::on_cpu_ns`](crate::Lane::on_cpu_ns)) when the trace
//! recorded off-CPU time, else busy. With the threads' mean and max work:
//!
//! - **load balance** = mean / max (POP's load balance; 1 is perfect);
//! - **ideal time** = the mean work: the region's time were its work shared
//!   out evenly over its threads. When the threads outnumber the cores and
//!   the trace knows both (off-CPU time recorded, cores known), the work
//!   is shared out over the cores instead (sum of work / cores), as the
//!   run's summary does;
//! - **parallel efficiency** = ideal time / wall (POP's parallel
//!   efficiency: the share of the threads' time spent working);
//! - **potential gain** = wall − ideal time: the time a perfect balance of
//!   the same work, with no waiting, would save (POP: (1 − parallel
//!   efficiency) × wall). Of it, max − mean is the imbalance proper
//!   (Scalasca's load imbalance, POP's (1 − load balance) × max), the rest
//!   time even the busiest lane did not work;
//! - each lane's **overload** = work − mean (Scalasca's terms: positive an
//!   overload, negative an underload);
//! - **serial** when no two lanes worked at the same time; its **Amdahl
//!   share** is its share of the run, which bounds the run's speed-up by
//!   1 / share whatever the threads;
//! - **could save**, what ranks regions: a serial region's wall (the time
//!   parallelising it could take back), a parallel region's potential gain.
//!
//! The ranking is of *groups*: the regions without child regions that
//! share a name, a way of being found, a shape (serial or parallel) and the
//! names of the regions around them (a time step's loop, run a thousand
//! times, is one group), their wall, share, potential gain and could-save
//! summed; their load balance is summed mean over summed max work, their
//! efficiency summed ideal time over summed wall (POP's way of adding up
//! regions).
//!
//! A region where no lane worked has no load balance nor efficiency.
//!
//! # Units
//!
//! A region's *units*, the pieces a schedule deals out, are its pieces on
//! the lanes that worked in it, clipped to it; a lane whose part is a single
//! piece whose children cover at least 90 % of it has its children as units
//! instead (the level where its work splits: a `scope!("block")` a thread
//! around its items gives the items), down as far as that holds. Children
//! covering less are not the split (a span timing part of each item):
//! taking them would drop the rest of the work. A region gets a note when it has one
//! unit, when a parallel region has fewer than 4 units a thread (a
//! schedule cannot rebalance a few big pieces), and when a unit is longer
//! than the region's ideal time (that unit bounds every schedule).

mod collectives;
mod detect;
mod groups;
mod metrics;
mod phases;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bad_input;
#[cfg(test)]
mod tests_fuzz;
mod text;
mod work;

use serde::Serialize;

use crate::trace::Trace;
pub use groups::RegionGroup;

/// How a region was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Found {
    /// A span of a name marked as a region.
    Marked,
    /// A span holding other lanes' work (see the module documentation).
    ForkJoin,
    /// A stretch of an MPI run that ends with a collective call on every
    /// rank (a barrier, a reduction), named after that call.
    Collective,
    /// A stretch of one number of working lanes.
    Phase,
}

impl Found {
    /// `marked`, `fork-join` or `phase`.
    pub fn as_str(self) -> &'static str {
        match self {
            Found::Marked => "marked",
            Found::ForkJoin => "fork-join",
            Found::Collective => "collective",
            Found::Phase => "phase",
        }
    }
}

/// One lane's part in a region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionLane {
    /// Index of the lane in [`Trace::lanes`].
    pub lane: usize,
    /// How reports name the lane.
    pub label: String,
    /// Time in pieces of work within the region.
    pub busy_ns: u64,
    /// Busy time less the time off its CPU (busy without off-CPU records).
    pub on_cpu_busy_ns: u64,
    /// Its work less the region's mean: an overload when positive, an
    /// underload when negative.
    pub overload_ns: f64,
}

/// One unit of a region: a piece a schedule deals out, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// Index of the lane it ran on in [`Trace::lanes`].
    pub lane: usize,
    /// Its span's name.
    pub name: String,
    /// Start, clipped to the region.
    pub start_ns: u64,
    /// End, clipped to the region.
    pub end_ns: u64,
}

impl Unit {
    /// Its length.
    pub fn duration_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// Which schedule to use for a region, and what it is predicted to give
/// (filled by the schedule simulator, `logprof_kernels::advice`, which
/// needs more than a trace; [`Trace::regions`] leaves it `None`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Advice {
    /// The schedule advised.
    pub schedule: String,
    /// Its predicted time for the region.
    pub predicted_ns: u64,
    /// The region's time as recorded.
    pub current_ns: u64,
    /// Why, in one sentence.
    pub why: String,
}

/// A region of the run and its figures (defined in the [module
/// documentation](self)).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Region {
    /// Its index in [`Regions::regions`].
    pub id: usize,
    /// The marked or fork/join span's name; for a phase, the name with the
    /// most work in it.
    pub name: String,
    /// How it was found.
    pub found: Found,
    /// The index of the region holding it, if any.
    pub parent: Option<usize>,
    /// Start, in trace nanoseconds.
    pub start_ns: u64,
    /// End.
    pub end_ns: u64,
    /// `end_ns - start_ns`.
    pub wall_ns: u64,
    /// Wall over the run's wall.
    pub share: f64,
    /// No two lanes worked in it at the same time.
    pub serial: bool,
    /// The lanes that worked in it.
    pub threads: usize,
    /// Each of those lanes' part, in lane order.
    pub lanes: Vec<RegionLane>,
    /// Mean work of its threads (on-CPU busy time when recorded).
    pub mean_busy_ns: f64,
    /// Its ideal time: the threads' work shared out evenly over them (over
    /// the cores, when fewer and the trace knows it); the mean work unless
    /// threads share cores.
    pub ideal_ns: f64,
    /// Work of the critical lane.
    pub max_busy_ns: u64,
    /// Mean / max work; `None` when no lane worked.
    pub load_balance: Option<f64>,
    /// Ideal time / wall; `None` when no lane worked.
    pub parallel_efficiency: Option<f64>,
    /// Wall − ideal time: what a perfect balance would save.
    pub potential_gain_ns: f64,
    /// Max − mean work: the part of the potential gain due to imbalance.
    pub imbalance_ns: f64,
    /// The lane of most work.
    pub critical_lane: Option<String>,
    /// For a serial region, its share of the run.
    pub amdahl_share: Option<f64>,
    /// For a serial region, 1 / its share: the most the run can speed up.
    pub max_speedup: Option<f64>,
    /// What fixing it could save: wall for a serial region, potential gain
    /// for a parallel one.
    pub could_save_ns: f64,
    /// The place, from 1, of its group in [`Regions::ranking`]; `None` for
    /// a region holding others.
    pub rank: Option<usize>,
    /// How many units it has.
    pub unit_count: usize,
    /// The longest unit.
    pub largest_unit_ns: u64,
    /// Its units in start order (not exported: a long list).
    #[serde(skip)]
    pub units: Vec<Unit>,
    /// What its figures warn of.
    pub notes: Vec<String>,
    /// The schedule advised for it, once simulated; `None` when not
    /// advised (balanced, serial, or not simulated).
    pub advice: Option<Advice>,
}

/// The regions of a trace.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Regions {
    /// The run's start: the first span's start.
    pub start_ns: u64,
    /// The run's end: the last span's end.
    pub end_ns: u64,
    /// In time order, each region before the regions it holds.
    pub regions: Vec<Region>,
    /// The regions without child regions, grouped by kind (name, how found,
    /// shape, the names around them) and ranked by what fixing them could
    /// save, summed over the group.
    pub ranking: Vec<RegionGroup>,
    /// Wall time of the serial regions among those without child regions.
    pub serial_ns: u64,
    /// What was repaired, left out or cannot be told.
    pub notes: Vec<String>,
}

impl Regions {
    /// The run's wall time.
    pub fn wall_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    /// The groups of regions by what fixing them could save, the most
    /// first (ties in time order).
    pub fn ranked(&self) -> &[RegionGroup] {
        &self.ranking
    }
}

impl Trace {
    /// The regions of the run, each with its figures (see the [`regions`
    /// module](crate::regions) for the rules). Never panics: a trace with no
    /// spans gives none, with a note.
    pub fn regions(&self) -> Regions {
        let Some((start, end)) = self.time_range() else {
            return Regions {
                notes: vec!["the trace holds no spans: no regions".to_owned()],
                ..Regions::default()
            };
        };
        let mut notes = Vec::new();
        let work = work::Work::of(self);
        let nodes = detect::detect(self, &work, (start, end), &mut notes);
        let run_wall = end - start;
        let mut regions: Vec<Region> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| Region {
                id: i,
                parent: node.parent,
                ..metrics::measure(self, &work, node, run_wall)
            })
            .collect();
        let ranking = groups::rank(&mut regions);
        let leaves = || regions.iter().filter(|r| r.rank.is_some());
        let serial_ns = leaves().filter(|r| r.serial).map(|r| r.wall_ns).sum();
        notes.extend(run_notes(self, &regions, (start, end)));
        Regions {
            start_ns: start,
            end_ns: end,
            regions,
            ranking,
            serial_ns,
            notes,
        }
    }
}

/// What the run as a whole tells about its regions: one region only, time
/// in none, several processes.
fn run_notes(trace: &Trace, regions: &[Region], (start, end): (u64, u64)) -> Vec<String> {
    let mut out = Vec::new();
    let roots: Vec<(u64, u64)> = regions
        .iter()
        .filter(|r| r.parent.is_none())
        .map(|r| (r.start_ns, r.end_ns))
        .collect();
    if let [only] = regions {
        if (only.start_ns, only.end_ns) == (start, end) {
            out.push(
                "one region covers the whole run: its figures are the run's (mark regions with \
                 region! to see its parts)"
                    .to_owned(),
            );
        }
    }
    let covered: u64 = crate::trace::union(roots).iter().map(|(s, e)| e - s).sum();
    let outside = (end - start).saturating_sub(covered);
    // Below 1 % (the shortest phase), gaps between regions are noise.
    if outside as f64 >= (end - start) as f64 * phases::MIN_PHASE_SHARE && outside > 0 {
        out.push(format!(
            "{} ({:.1} % of the run) is in no region: no lane worked then, or too briefly to \
             make a phase",
            detect::ms(outside),
            outside as f64 * 100.0 / (end - start).max(1) as f64
        ));
    }
    let mut pids: Vec<u32> = trace.lanes.iter().map(|l| l.pid).collect();
    pids.sort_unstable();
    pids.dedup();
    if pids.len() > 1 {
        out.push(format!(
            "{} processes: their lanes are taken together; the stretches between collective \
             MPI calls are not cut into regions yet",
            pids.len()
        ));
    }
    out
}
