//! Advice and region-by-region prediction on hand-built traces: the
//! issue's triangular loop, a balanced loop, a few big units, one unit
//! longer than the ideal time, and a serial region beside a parallel one.

use logprof::{Lane, Span, Trace};

use super::*;
use crate::simulate::simulate_regions;

const MS: u64 = 1_000_000;

/// Worker lanes `worker-1…`, lane `w` running its units (ns) back to back
/// from `from`, each a span `unit`.
fn workers(trace: &mut Trace, from: u64, lanes: &[Vec<u64>]) {
    let unit = trace.intern("unit");
    for (w, costs) in lanes.iter().enumerate() {
        let mut at = from;
        let spans: Vec<Span> = costs
            .iter()
            .map(|&c| {
                at += c;
                Span::new(unit, at - c, at, 0)
            })
            .collect();
        let tid = w as u64 + 2;
        trace
            .lanes
            .push(Lane::with_spans(1, tid, format!("worker-{}", w + 1), spans));
    }
}

/// The only region of a trace of `lanes`, advised.
fn advised(lanes: &[Vec<u64>]) -> Region {
    let mut trace = Trace::new();
    workers(&mut trace, 0, lanes);
    let mut regions = trace.regions();
    advise(&mut regions);
    assert_eq!(regions.regions.len(), 1, "{:?}", regions.regions);
    regions.regions.remove(0)
}

#[test]
fn a_static_triangle_is_advised_a_dynamic_schedule_with_a_gain() {
    // The loop: 5 rows a thread, rows of 0.5, 1, 1.5 and 2 ms.
    let lanes: Vec<Vec<u64>> = (1..=4).map(|w| vec![w * MS / 2; 5]).collect();
    let region = advised(&lanes);
    let advice = region.advice.expect("an imbalanced region is advised");
    assert!(
        !["static", "dynamic", "serial"].contains(&advice.schedule.as_str()),
        "{advice:?}"
    );
    assert_eq!(advice.current_ns, 10 * MS);
    assert!(advice.predicted_ns < advice.current_ns, "{advice:?}");
    assert!(advice
        .why
        .starts_with("static split, heaviest lane 1.6× the mean"));
    assert!(advice.why.contains("predicted") && advice.why.contains("faster"));
}

#[test]
fn a_balanced_region_gets_no_advice() {
    let region = advised(&vec![vec![MS; 10]; 4]);
    assert_eq!(region.advice, None);
}

#[test]
fn a_few_big_units_get_the_warning_not_a_promise() {
    // 8 units for 4 threads.
    let lanes: Vec<Vec<u64>> = (1..=4).map(|w| vec![w * MS; 2]).collect();
    let advice = advised(&lanes).advice.expect("imbalanced");
    assert!(advice.why.contains("few big pieces"), "{advice:?}");
    assert!(!advice.why.contains("faster"), "{advice:?}");
}

#[test]
fn a_few_units_no_schedule_can_help_name_no_best() {
    // One unit a thread: every schedule takes as long as the split did.
    let lanes: Vec<Vec<u64>> = (1..=4).map(|w| vec![w * MS]).collect();
    let advice = advised(&lanes).advice.expect("imbalanced");
    assert!(advice.why.contains("few big pieces"), "{advice:?}");
    assert!(
        advice.why.contains("no schedule predicted under 4.0 ms"),
        "{advice:?}"
    );
    assert!(!advice.why.contains("best predicted"), "{advice:?}");
}

#[test]
fn a_unit_longer_than_the_ideal_time_gets_the_warning() {
    let mut first = vec![MS / 10; 7];
    first.push(10 * MS);
    let lanes = [first, vec![MS / 2; 8], vec![MS / 2; 8], vec![MS / 2; 8]];
    let advice = advised(&lanes).advice.expect("imbalanced");
    assert!(advice.why.contains("bounds every schedule"), "{advice:?}");
    assert!(!advice.why.contains("faster"), "{advice:?}");
}

#[test]
fn ties_go_to_the_fewest_pieces() {
    let units = Units::new(&[MS; 64]);
    let all = predictions(&units, 4);
    let chosen = best(&all).expect("predictions");
    // Every schedule balances 64 equal units on 4 cores: the fewest pieces.
    assert_eq!(chosen.pieces.len(), 4, "{chosen:?}");
}

#[test]
fn a_run_is_predicted_region_by_region_and_a_serial_region_stays_serial() {
    let mut trace = Trace::new();
    let load = trace.intern("load");
    trace.lanes.push(Lane::with_spans(
        1,
        1,
        "main",
        [Span::new(load, 0, 10 * MS, 0)],
    ));
    workers(&mut trace, 10 * MS, &vec![vec![MS; 10]; 4]);
    let regions = trace.regions();
    assert_eq!(regions.regions.len(), 2, "{:?}", regions.regions);
    let at = |cores| {
        let run = simulate_regions(&regions, &Schedule::Static, cores, Overheads::default());
        run.expect("simulated")
    };
    let four = at(4);
    assert_eq!(four.regions.len(), 2);
    assert!(four.regions[0].serial && !four.regions[1].serial);
    assert_eq!(four.run.wall, 20 * MS);
    assert_eq!(four.units.len(), 41);
    // 8 cores halve the loop, never the load: 10 + 5 ms, not 50 ms / 8.
    let eight = at(8);
    assert_eq!(eight.run.wall, 15 * MS);
    assert_eq!(eight.regions[0].prediction.wall, 10 * MS);
    assert_eq!(eight.run.serial, 50 * MS);
}
