//! Line charts tell every line apart: a colour, dash and marker of its own,
//! its name at its end, and each point's range as an error bar.

use std::collections::BTreeSet;

use logprof_viz::{LineChart, Series};

use crate::common::{parse, El};

/// Eight lines, as `simulate` draws eight schedules; two of them equal (as
/// static's and dynamic's predictions are).
fn eight_lines() -> LineChart {
    let names = [
        "serial",
        "static",
        "dynamic",
        "chunked(chunk=4)",
        "guided",
        "forkjoin(ntasks=16)",
        "rayon(basesize=2)",
        "depthfirst(basesize=2)",
    ];
    let series = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let slope = if *name == "dynamic" { 1.0 } else { i as f64 };
            let points = [1.0, 2.0, 4.0, 8.0]
                .iter()
                .map(|&p| (p, 1.0 + slope * (p - 1.0) / 8.0))
                .collect();
            Series::new(*name, points)
        })
        .collect();
    LineChart {
        series,
        ideal: Some(Series::new("bound", vec![(1.0, 1.0), (8.0, 8.0)])),
        log_x: true,
        ..LineChart::new("speed-up", "P", "speed-up")
    }
}

/// The stroke colours of the series' lines (polylines 3 px wide: axes and
/// the ideal are thinner).
fn line_colors(els: &[El]) -> BTreeSet<String> {
    els.iter()
        .filter(|e| e.tag == "polyline" && e.attr("stroke-width") == Some("3"))
        .filter_map(|e| e.attr("stroke").map(str::to_owned))
        .collect()
}

/// How many `text` elements say exactly `s`.
fn texts_saying(els: &[El], s: &str) -> usize {
    els.iter()
        .filter(|e| e.tag == "text" && e.text.trim() == s)
        .count()
}

#[test]
fn eight_lines_have_eight_colours_and_their_names_at_their_ends() {
    let chart = eight_lines();
    let els = parse(&chart.to_svg_string().unwrap());
    let colors = line_colors(&els);
    assert_eq!(colors.len(), 8, "{colors:?}");
    for s in &chart.series {
        // Once in the legend, once at the line's end.
        assert_eq!(texts_saying(&els, &s.name), 2, "{}", s.name);
    }
    assert_eq!(texts_saying(&els, "bound"), 2);
}

#[test]
fn lines_are_told_apart_by_their_markers_too() {
    let els = parse(&eight_lines().to_svg_string().unwrap());
    // Markers are polygons of several shapes (corners: 3, 4, 12), so two
    // equal lines (static's and dynamic's) still show both.
    let corners: BTreeSet<usize> = els
        .iter()
        .filter(|e| e.tag == "polygon")
        .filter_map(|e| e.attr("points"))
        .map(|p| p.split_whitespace().count())
        .collect();
    for n in [3, 4, 12] {
        assert!(corners.contains(&n), "{corners:?}");
    }
}

#[test]
fn ranges_are_drawn_as_error_bars_and_fit_the_axis() {
    let plain = LineChart {
        series: vec![Series::new("rayon", vec![(1.0, 10.0), (2.0, 6.0)])],
        ..LineChart::new("time", "basesize", "ms")
    };
    let with_bars = LineChart {
        series: vec![plain.series[0]
            .clone()
            .with_spread(vec![(9.0, 30.0), (5.0, 7.0)])],
        ..plain.clone()
    };
    // Bars are drawn faint (opacity 0.7) in their line's colour.
    let bars = |c: &LineChart| {
        let svg = c.to_svg_string().unwrap();
        (parse(&svg).iter())
            .filter(|e| e.tag == "polyline" && e.attr("opacity") == Some("0.7"))
            .count()
    };
    // A stroke and two caps a point.
    assert_eq!((bars(&plain), bars(&with_bars)), (0, 2 * 3));
    // The axis reaches the top of the highest bar: a tick label of 30.
    let svg = with_bars.to_svg_string().unwrap();
    assert!(parse(&svg)
        .iter()
        .any(|e| e.tag == "text" && e.text.trim() == "30"));
}

#[test]
fn ranges_must_fit_the_points() {
    let chart = |spread| LineChart {
        series: vec![Series::new("s", vec![(1.0, 1.0), (2.0, 2.0)]).with_spread(spread)],
        ..LineChart::new("bad ranges", "x", "y")
    };
    let e = chart(vec![(0.5, 1.5)]).to_svg_string().unwrap_err();
    assert!(e.to_string().contains("2 points and 1 ranges"), "{e}");
    let e = chart(vec![(0.5, 1.5), (3.0, 2.0)])
        .to_svg_string()
        .unwrap_err();
    assert!(e.to_string().contains("low first"), "{e}");
}
