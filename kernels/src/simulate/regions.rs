//! A recorded run simulated region by region ([`logprof::Trace::regions`]):
//! each region's units replayed on their own, never pooled with another
//! region's, and the whole run as the regions one after the other.

use logprof::regions::{Region, Regions, Unit};
use logprof::Trace;

use super::prediction::{Placed, Prediction};
use super::units::Units;
use super::{simulate, Overheads};
use crate::error::KernelError;
use crate::schedule::Schedule;

/// A region's units as the model replays them: each lane's units in start
/// order, lane after lane in the trace's order. A static split dealt the
/// lanes contiguous blocks, so this is the loop's own order for it (start
/// order would interleave the lanes' blocks); for any other split it is one
/// order the loop could have had.
pub fn region_units(region: &Region) -> Units {
    let mut units: Vec<(usize, u64, u64)> = region
        .units
        .iter()
        .map(|u| (u.lane, u.start_ns, u.duration_ns()))
        .collect();
    units.sort_unstable();
    let costs: Vec<u64> = units.iter().map(|&(_, _, cost)| cost).collect();
    Units::new(&costs)
}

/// The regions a whole-run prediction adds up: those holding no other
/// region (a region holding others is counted through them, once), with
/// work in them, in time order.
pub fn leaf_regions(regions: &Regions) -> impl Iterator<Item = &Region> {
    regions
        .regions
        .iter()
        .filter(|r| r.rank.is_some() && r.unit_count > 0)
}

/// Every unit of [`leaf_regions`], region after region, each region's in
/// [`region_units`] order: the units a region-by-region prediction replays.
pub fn run_units(regions: &Regions) -> Units {
    let costs: Vec<u64> = leaf_regions(regions)
        .flat_map(|r| {
            let units = region_units(r);
            (0..units.len())
                .map(move |i| units.cost(i))
                .collect::<Vec<_>>()
        })
        .collect();
    Units::new(&costs)
}

/// Makes the units of every region the spans named `name` that start in
/// it, on any lane and at any depth, clipped to it (`--unit NAME`: the
/// level where the user knows the work splits). Regions holding no such
/// span keep their units. Returns how many regions took new units.
pub fn units_named(trace: &Trace, regions: &mut Regions, name: &str) -> usize {
    let mut changed = 0;
    for r in regions.regions.iter_mut() {
        let mut units: Vec<Unit> = trace
            .lanes
            .iter()
            .enumerate()
            .flat_map(|(l, lane)| lane.spans.iter().map(move |s| (l, s)))
            .filter(|(_, s)| s.start_ns >= r.start_ns && s.start_ns < r.end_ns)
            .filter(|(_, s)| trace.name(s.name) == name)
            .map(|(lane, s)| Unit {
                lane,
                name: name.to_owned(),
                start_ns: s.start_ns,
                end_ns: s.end_ns.min(r.end_ns),
            })
            .collect();
        if units.is_empty() {
            continue;
        }
        units.sort_by_key(|u| (u.start_ns, u.lane));
        r.unit_count = units.len();
        r.largest_unit_ns = units.iter().map(Unit::duration_ns).max().unwrap_or(0);
        r.units = units;
        changed += 1;
    }
    changed
}

/// One region's prediction within a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionPrediction {
    /// The region's [`Region::id`].
    pub region: usize,
    /// Its name.
    pub name: String,
    /// Serial as recorded: replayed on one core, whatever the schedule.
    pub serial: bool,
    /// Its recorded wall time.
    pub recorded_ns: u64,
    /// How many units it has.
    pub units: usize,
    /// Its units, simulated on their own.
    pub prediction: Prediction,
}

/// A schedule over a whole run cut into regions.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPrediction {
    /// The run: the regions' predictions one after the other (times and
    /// unit indices shifted), so its wall is their sum.
    pub run: Prediction,
    /// Every region's units, region after region: the units of
    /// [`RunPrediction::run`] (for [`Prediction::to_trace`]).
    pub units: Units,
    /// Each region's own prediction, in time order.
    pub regions: Vec<RegionPrediction>,
}

/// Predicts `schedule` on `cores` cores region by region over
/// [`leaf_regions`]: a serial region stays serial (its units in order on
/// one core), a parallel one is dealt out by `schedule`. Errors: as
/// [`simulate`].
pub fn simulate_regions(
    regions: &Regions,
    schedule: &Schedule,
    cores: usize,
    overheads: Overheads,
) -> Result<RunPrediction, KernelError> {
    let mut parts = Vec::new();
    let mut costs: Vec<u64> = Vec::new();
    let mut pieces: Vec<Placed> = Vec::new();
    let (mut at, mut serial_total) = (0u64, 0u64);
    for r in leaf_regions(regions) {
        let units = region_units(r);
        let how = if r.serial {
            Schedule::Serial
        } else {
            *schedule
        };
        let prediction = simulate(&how, &units, cores, overheads)?;
        let first = costs.len();
        costs.extend((0..units.len()).map(|i| units.cost(i)));
        pieces.extend(prediction.pieces.iter().map(|p| Placed {
            core: p.core,
            overhead: p.overhead,
            start: p.start + at,
            end: p.end + at,
            range: p.range.start + first..p.range.end + first,
        }));
        at = at.saturating_add(prediction.wall);
        serial_total = serial_total.saturating_add(units.total());
        parts.push(RegionPrediction {
            region: r.id,
            name: r.name.clone(),
            serial: r.serial,
            recorded_ns: r.wall_ns,
            units: units.len(),
            prediction,
        });
    }
    Ok(RunPrediction {
        run: Prediction::new(*schedule, cores, serial_total, pieces),
        units: Units::new(&costs),
        regions: parts,
    })
}
