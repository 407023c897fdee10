//! Which schedule to use, region by region: each imbalanced region's units
//! replayed under every schedule at its thread count
//! ([`crate::simulate::simulate`]), and the best named with its predicted
//! time ([`Advice`]), or, when no schedule can fix it, why not.
//!
//! The rules:
//!
//! - A region is *imbalanced* when it ran on more than one thread (at
//!   once or taking turns on the cores) and its load balance is below [`IMBALANCED_BELOW`] (its
//!   heaviest lane more than 1.11× the mean). Only regions holding no other
//!   region are advised (the ones the ranking lists).
//! - Its units are replayed in the order [`region_units`] gives, with no
//!   scheduling overheads (a trace read back may come from another
//!   machine, whose overheads are not known here): the work alone.
//! - The best schedule is the one of least predicted time; of those within
//!   [`TIE`] of it, the one handing out the fewest pieces, since each piece
//!   costs an overhead the model left out.
//! - A region with fewer than 4 units a thread, or a unit longer than its
//!   ideal time, gets the best schedule with the reason it cannot promise a
//!   gain, not a promise. So does a region no schedule beats by 5 %.

use logprof::regions::{Advice, Region, Regions};

use crate::schedule::Schedule;
use crate::simulate::{region_units, simulate, Overheads, Prediction, Units};

/// Load balance below which a parallel region is advised.
pub const IMBALANCED_BELOW: f64 = 0.9;

/// Predicted times within this fraction of the best count as ties.
pub const TIE: f64 = 0.02;

/// How many units a thread a schedule needs to rebalance (as the regions'
/// notes say).
const UNITS_PER_THREAD: usize = 4;

/// A gain smaller than this fraction of the recorded time is not promised.
const WORTH: f64 = 0.05;

/// Fills [`Region::advice`] of every imbalanced region holding no other
/// region; leaves the others `None`.
pub fn advise(regions: &mut Regions) {
    for r in regions.regions.iter_mut() {
        r.advice = if r.rank.is_some() {
            advice_for(r)
        } else {
            None
        };
    }
}

/// Whether `region` is imbalanced (see the module documentation).
pub fn is_imbalanced(region: &Region) -> bool {
    // Threads that never worked at once (taking turns on a loaded machine)
    // still split the work: more than one thread is what counts.
    region.threads > 1
        && region
            .load_balance
            .is_some_and(|balance| balance < IMBALANCED_BELOW)
}

/// The schedule as advice names it: `chunked(4)`, `guided`.
pub fn short_name(schedule: &Schedule) -> String {
    match schedule.param() {
        Some(value) => format!("{}({value})", schedule.name()),
        None => schedule.name().to_owned(),
    }
}

/// Every schedule but `serial` on `cores` cores over `units`, work alone,
/// in [`Schedule::all`]'s order.
pub fn predictions(units: &Units, cores: usize) -> Vec<Prediction> {
    Schedule::all()
        .iter()
        .filter(|s| **s != Schedule::Serial)
        .filter_map(|s| simulate(s, units, cores, Overheads::default()).ok())
        .collect()
}

/// The best of `predictions`: least time, and of those within [`TIE`] of
/// it, the fewest pieces (the first on a tie).
pub fn best(predictions: &[Prediction]) -> Option<&Prediction> {
    let least = predictions.iter().map(|p| p.wall).min()?;
    let near = least as f64 * (1.0 + TIE);
    predictions
        .iter()
        .filter(|p| p.wall as f64 <= near)
        .min_by_key(|p| p.pieces.len())
}

/// The advice for one region, or `None` when it is not imbalanced.
pub fn advice_for(region: &Region) -> Option<Advice> {
    if !is_imbalanced(region) {
        return None;
    }
    let units = region_units(region);
    let all = predictions(&units, region.threads);
    let best = best(&all)?;
    let ms = |ns: f64| format!("{:.1}", ns / 1e6);
    let current = region.wall_ns;
    let predicted = best.wall;
    let name = short_name(&best.schedule);
    let heavy = region.max_busy_ns as f64 / region.mean_busy_ns.max(1.0);
    let split = if equal_counts(region) {
        "static split, "
    } else {
        ""
    };
    let shape = format!("{split}heaviest lane {heavy:.1}× the mean");
    let gains = (predicted as f64) < current as f64 * (1.0 - WORTH);
    let best_of = if predicted < current {
        format!(
            "best predicted: {name}, {} → {} ms",
            ms(current as f64),
            ms(predicted as f64)
        )
    } else {
        // Naming a "best" that gains nothing reads as advice to use it.
        format!("no schedule predicted under {} ms", ms(current as f64))
    };
    let verdict = if region.unit_count < UNITS_PER_THREAD * region.threads {
        format!(
            "only {} units for {} threads: no schedule can rebalance a few big pieces; split \
             the work finer ({best_of})",
            region.unit_count, region.threads
        )
    } else if region.largest_unit_ns as f64 > region.ideal_ns {
        format!(
            "its largest unit ({} ms) is longer than its ideal time ({} ms) and bounds every \
             schedule; split that unit ({best_of})",
            ms(region.largest_unit_ns as f64),
            ms(region.ideal_ns)
        )
    } else if gains {
        format!(
            "{name} predicted {:.1}× faster ({} → {} ms)",
            current as f64 / predicted.max(1) as f64,
            ms(current as f64),
            ms(predicted as f64)
        )
    } else {
        format!(
            "no schedule is predicted to beat it by {:.0} % ({best_of}): the time is lost \
             elsewhere (waiting, overheads)",
            WORTH * 100.0
        )
    };
    Some(Advice {
        schedule: name,
        predicted_ns: predicted,
        current_ns: current,
        why: format!("{shape}; {verdict}"),
    })
}

/// Whether every lane ran as many units as the others, give or take one:
/// the mark of a split by count (static), whatever the units cost.
fn equal_counts(region: &Region) -> bool {
    let counts: Vec<usize> = region
        .lanes
        .iter()
        .map(|l| region.units.iter().filter(|u| u.lane == l.lane).count())
        .collect();
    match (counts.iter().min(), counts.iter().max()) {
        (Some(lo), Some(hi)) => hi - lo <= 1,
        _ => false,
    }
}

#[cfg(test)]
#[path = "advice_tests.rs"]
mod tests;
