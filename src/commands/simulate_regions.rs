//! `simulate TRACE`: the trace's regions predicted one by one
//! ([`logprof_kernels::simulate::simulate_regions`]), never pooled: a serial
//! load is not a loop's unit, and the whole run is the sum of its regions.

use std::path::Path;

use anyhow::{bail, Result};
use logprof::regions::Regions;
use logprof::Trace;
use logprof_kernels::advice::short_name;
use logprof_kernels::simulate::{
    leaf_regions, run_units, simulate_regions, units_named, Overheads, RunPrediction, Units,
};
use logprof_kernels::Schedule;
use logprof_trace::table::{Cell, Column, Table};
use serde_json::{json, Value};

/// A trace's regions, their units chosen.
pub struct TraceRegions {
    /// The regions, with their units.
    pub regions: Regions,
    /// Every unit, region after region.
    pub units: Units,
    /// "the 4 regions of FILE".
    pub source: String,
}

/// Reads `path` and cuts it into regions; with `unit`, each region's units
/// are the spans of that name in it. Errors: no work to simulate, or no
/// span named `unit` in any region.
pub fn read(path: &Path, unit: Option<&str>) -> Result<TraceRegions> {
    // The regions need every span in memory: a big file is refused, not
    // read until memory runs out.
    crate::big_file::refuse_big(
        path,
        "simulate TRACE (it simulates the trace region by region)",
    )?;
    let trace = Trace::read_file(path)?;
    let mut regions = trace.regions();
    if let Some(name) = unit {
        if units_named(&trace, &mut regions, name) == 0 {
            bail!(
                "--unit {name}: {} has no span named '{name}' in any region",
                path.display()
            );
        }
    }
    let count = leaf_regions(&regions).count();
    if count == 0 {
        bail!(
            "{}: the trace has no spans, so there is no work to simulate",
            path.display()
        );
    }
    let source = match count {
        1 => format!("the one region of {}", path.display()),
        n => format!("the {n} regions of {}, one by one", path.display()),
    };
    Ok(TraceRegions {
        units: run_units(&regions),
        regions,
        source,
    })
}

/// Every check `(schedule, P)` over the regions.
pub fn predict(
    regions: &Regions,
    checks: &[(Schedule, usize)],
    overheads: Overheads,
) -> Result<Vec<RunPrediction>> {
    let mut out = Vec::with_capacity(checks.len());
    for (schedule, cores) in checks {
        out.push(simulate_regions(regions, schedule, *cores, overheads)?);
    }
    Ok(out)
}

/// At each P, a row a region: its shape, units, recorded time, and the
/// schedule of least predicted time among those simulated.
pub fn table(runs: &[RunPrediction], cores: usize) -> Table {
    let mut table = Table::with_columns(vec![
        Column::new("region", "region"),
        Column::new("shape", "shape"),
        Column::new("units", "units"),
        Column::new("recorded_ms", "recorded ms"),
        Column::new("best", "best schedule"),
        Column::new("predicted_ms", "predicted ms"),
    ]);
    let at_p: Vec<&RunPrediction> = runs.iter().filter(|r| r.run.cores == cores).collect();
    let Some(first) = at_p.first() else {
        return table;
    };
    for (i, region) in first.regions.iter().enumerate() {
        let best = at_p
            .iter()
            .filter_map(|run| run.regions.get(i))
            .min_by_key(|r| r.prediction.wall);
        let Some(best) = best else { continue };
        let shape = if region.serial { "serial" } else { "parallel" };
        let schedule = match region.serial {
            true => "serial (as recorded)".to_owned(),
            false => short_name(&best.prediction.schedule),
        };
        table.push(vec![
            Cell::from(region.name.as_str()),
            Cell::from(shape),
            Cell::Int(region.units as u64),
            Cell::float(region.recorded_ns as f64 / 1e6, 3),
            Cell::Text(schedule),
            Cell::float(best.prediction.wall as f64 / 1e6, 3),
        ]);
    }
    table
}

/// Each region's predictions at every check, and the whole run's (their
/// sum), for `--export-json` and `simulate.json`.
pub fn to_json(runs: &[RunPrediction]) -> Value {
    let Some(first) = runs.first() else {
        return json!({ "regions": [], "whole_run": [] });
    };
    let regions: Vec<Value> = first
        .regions
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let predictions: Vec<Value> = runs
                .iter()
                .filter_map(|run| run.regions.get(i))
                .map(|r| {
                    prediction_json(
                        &r.prediction.schedule,
                        r.prediction.cores,
                        r.prediction.wall,
                    )
                })
                .collect();
            json!({
                "id": region.region,
                "name": region.name,
                "serial": region.serial,
                "recorded_ns": region.recorded_ns,
                "units": region.units,
                "predictions": predictions,
            })
        })
        .collect();
    let whole: Vec<Value> = runs
        .iter()
        .map(|r| prediction_json(&r.run.schedule, r.run.cores, r.run.wall))
        .collect();
    json!({ "regions": regions, "whole_run": whole })
}

/// One prediction: the schedule, its parameters, P and the time.
fn prediction_json(schedule: &Schedule, cores: usize, wall: u64) -> Value {
    json!({
        "scheduler": schedule.name(),
        "params": schedule.params(),
        "cores": cores,
        "predicted_ns": wall,
    })
}
