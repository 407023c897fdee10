//! PNG output: it decodes, has the requested size, has its text (the
//! embedded font was really used) and colour in every busy lane.

use crate::common::{self, parse, El};
use logprof_viz::{svg_to_png, Figure, LineChart, Series, Timeline, WorkProfile};
use resvg::tiny_skia::Pixmap;

struct Png {
    pixmap: Pixmap,
}

impl Png {
    fn decode(bytes: &[u8]) -> Png {
        Png {
            pixmap: Pixmap::decode_png(bytes).expect("the PNG decodes"),
        }
    }

    fn rgb(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let p = self.pixmap.pixel(x, y).expect("inside the image");
        (p.red(), p.green(), p.blue())
    }

    /// Pixels in the box that satisfy `pred`.
    fn count(
        &self,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
        pred: impl Fn((u8, u8, u8)) -> bool,
    ) -> usize {
        let w = self.pixmap.width();
        let h = self.pixmap.height();
        let mut n = 0;
        for y in (y0.max(0.0) as u32)..(y1.min(f64::from(h)) as u32) {
            for x in (x0.max(0.0) as u32)..(x1.min(f64::from(w)) as u32) {
                if pred(self.rgb(x, y)) {
                    n += 1;
                }
            }
        }
        n
    }
}

fn dark((r, g, b): (u8, u8, u8)) -> bool {
    u32::from(r) + u32::from(g) + u32::from(b) < 3 * 110
}

fn coloured((r, g, b): (u8, u8, u8)) -> bool {
    r.max(g).max(b) - r.min(g).min(b) > 50
}

/// (label column, plot area) boxes of each lane, from the SVG's geometry.
/// A pixel box: x0, y0, x1, y1.
type Area = (f64, f64, f64, f64);

fn lane_boxes(svg: &str) -> Vec<(String, Area, Area)> {
    let els = parse(svg);
    let plot_x = els[0].num("data-plot-x");
    let plot_w = els[0].num("data-plot-width");
    els.iter()
        .filter(|e: &&El| e.class() == "lane")
        .map(|e| {
            let (y, h) = (e.num("data-y"), e.num("data-height"));
            (
                e.attr("data-lane").unwrap().to_owned(),
                (0.0, y, plot_x, y + h),
                (plot_x, y, plot_x + plot_w, y + h),
            )
        })
        .collect()
}

#[test]
fn timeline_png_has_size_text_and_colour() {
    let trace = common::static_like();
    let timeline = Timeline::new(&trace).width(900);
    let svg = timeline.to_svg_string().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("static.png");
    timeline.write_png(&path).unwrap();
    let png = Png::decode(&std::fs::read(&path).unwrap());
    assert_eq!(png.pixmap.width(), 900, "the requested width");
    let height = parse(&svg)[0].num("height") as u32;
    assert_eq!(png.pixmap.height(), height);

    let lanes = lane_boxes(&svg);
    assert_eq!(lanes.len(), 4);
    for (name, label, plot) in &lanes {
        // The label column holds rendered text: dark glyph pixels. Without
        // the embedded font, resvg would silently draw no text at all.
        let text_pixels = png.count(*label, dark);
        assert!(
            text_pixels > 20,
            "{name}: {text_pixels} dark pixels in the label column"
        );
        // Every lane here is busy: its bars are coloured.
        let colour_pixels = png.count(*plot, coloured);
        assert!(
            colour_pixels > 500,
            "{name}: {colour_pixels} coloured pixels"
        );
    }
    // The top left corner is the white background.
    assert_eq!(png.rgb(1, 1), (255, 255, 255));
}

#[test]
fn busier_lanes_have_more_colour() {
    let trace = common::static_like();
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    let png = Png::decode(&svg_to_png(&svg).unwrap());
    let colour: Vec<usize> = lane_boxes(&svg)
        .iter()
        .map(|l| png.count(l.2, coloured))
        .collect();
    // worker-2 and worker-3 work 4× longer than worker-1 and worker-4.
    assert!(colour[1] > 2 * colour[0], "{colour:?}");
    assert!(colour[2] > 2 * colour[3], "{colour:?}");
}

#[test]
fn empty_and_single_thread_pngs_render_text() {
    let empty = logprof_trace::Trace::new();
    let png = Png::decode(&svg_to_png(&Timeline::new(&empty).to_svg_string().unwrap()).unwrap());
    let (w, h) = (png.pixmap.width(), png.pixmap.height());
    assert_eq!(w, logprof_viz::DEFAULT_WIDTH);
    assert!(png.count((0.0, 0.0, f64::from(w), f64::from(h)), dark) > 100);

    let mut one = common::static_like();
    one.lanes.truncate(1);
    let svg = Timeline::new(&one).to_svg_string().unwrap();
    let png = Png::decode(&svg_to_png(&svg).unwrap());
    let lanes = lane_boxes(&svg);
    assert_eq!(lanes.len(), 1);
    assert!(png.count(lanes[0].1, dark) > 20);
    assert!(png.count(lanes[0].2, coloured) > 500);
}

#[test]
fn figure_and_task_view_pngs_render() {
    let a = common::static_like();
    let t = common::tasks();
    let dir = tempfile::tempdir().unwrap();
    let fig = dir.path().join("figure.png");
    Figure::new()
        .add("static", &a)
        .add("tasks", &t)
        .width(1000)
        .write_png(&fig)
        .unwrap();
    assert_eq!(
        Png::decode(&std::fs::read(&fig).unwrap()).pixmap.width(),
        1000
    );

    let svg = Timeline::new(&t).by_task(true).to_svg_string().unwrap();
    let png = Png::decode(&svg_to_png(&svg).unwrap());
    for (name, label, plot) in lane_boxes(&svg) {
        assert!(png.count(label, dark) > 20, "{name}");
        assert!(png.count(plot, coloured) > 100, "{name}");
    }
}

#[test]
fn chart_png_has_lines_and_text() {
    let chart = LineChart {
        title: "time against ntasks".into(),
        x_label: "ntasks".into(),
        y_label: "time (ms)".into(),
        series: vec![
            Series::new(
                "fork-join",
                vec![(4.0, 16.3), (8.0, 10.7), (16.0, 10.3), (32.0, 10.8)],
            ),
            Series::new(
                "static",
                vec![(4.0, 15.8), (8.0, 15.8), (16.0, 15.8), (32.0, 15.8)],
            ),
        ],
        ideal: Some(Series::new("ideal", vec![(4.0, 9.7), (32.0, 9.7)])),
        log_x: true,
        width: 640,
        height: 400,
    };
    let svg = chart.to_svg_string().unwrap();
    assert!(svg.contains("DejaVu Sans"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chart.png");
    chart.write_png(&path).unwrap();
    let png = Png::decode(&std::fs::read(&path).unwrap());
    assert_eq!((png.pixmap.width(), png.pixmap.height()), (640, 400));
    // The title (top band) is rendered text.
    assert!(png.count((0.0, 0.0, 640.0, 40.0), dark) > 100);
    // The series are coloured lines.
    assert!(png.count((0.0, 0.0, 640.0, 400.0), coloured) > 500);
}

#[test]
fn chart_errors_name_the_chart() {
    let empty = LineChart::new("nothing", "x", "y");
    let e = empty.to_svg_string().unwrap_err();
    assert!(e.to_string().contains("\"nothing\""), "{e}");
    let mut log = LineChart::new("log", "x", "y");
    log.log_x = true;
    log.series
        .push(Series::new("s", vec![(0.0, 1.0), (1.0, 2.0)]));
    let e = log.to_svg_string().unwrap_err();
    assert!(e.to_string().contains("logarithmic"), "{e}");
}

#[test]
fn degenerate_charts_draw_without_panicking() {
    for points in [
        vec![(1.0, 0.0)],
        vec![(2.0, 0.0), (4.0, 0.0)],
        vec![(8.0, -3.0), (16.0, 5.0)],
    ] {
        for log_x in [false, true] {
            let chart = LineChart {
                series: vec![Series::new("s", points.clone())],
                log_x,
                ..LineChart::new("degenerate", "x", "y")
            };
            let png = Png::decode(&svg_to_png(&chart.to_svg_string().unwrap()).unwrap());
            assert_eq!(png.pixmap.width(), 900);
        }
    }
}

/// The work profile's PNG is its SVG rasterised: the same size, its text
/// and its filled profile, the heavy middle taller than the light edges.
#[test]
fn work_profile_png_has_its_text_and_profile() {
    let profile = WorkProfile {
        title: "iterations per column".into(),
        unit: "column".into(),
        cost: "iterations".into(),
        costs: (0..200u64).map(|j| 100 + 20 * j.min(199 - j)).collect(),
        pieces: vec![0..50, 50..100, 100..150, 150..200],
        width: 700,
        height: 420,
        ..WorkProfile::default()
    };
    let svg = profile.to_svg_string().unwrap();
    assert!(svg.contains("DejaVu Sans"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work.png");
    profile.write_png(&path).unwrap();
    let png = Png::decode(&std::fs::read(&path).unwrap());
    assert_eq!((png.pixmap.width(), png.pixmap.height()), (700, 420));
    assert!(png.count((0.0, 0.0, 700.0, 40.0), dark) > 100, "the title");
    // The profile's fill: more of it in the middle blocks than the outer.
    let (left, w) = (84.0, 700.0 - 84.0 - 24.0);
    let fill_in = |block: f64| {
        let x0 = left + w * block / 4.0;
        png.count((x0 + 2.0, 96.0, x0 + w / 4.0 - 2.0, 364.0), coloured)
    };
    assert!(
        fill_in(1.0) > 2 * fill_in(0.0),
        "{} {}",
        fill_in(1.0),
        fill_in(0.0)
    );
}

/// The measured time's line and right-hand axis come out in the PNG as in
/// the SVG: its crimson ink is there with times, and absent without.
#[test]
fn work_profile_png_draws_the_time_line_and_axis() {
    let base = WorkProfile {
        title: "iterations and time per column".into(),
        unit: "column".into(),
        cost: "iterations".into(),
        costs: (0..200u64).map(|j| 100 + 20 * j.min(199 - j)).collect(),
        width: 700,
        height: 420,
        ..WorkProfile::default()
    };
    let timed = WorkProfile {
        times_ns: base.costs.iter().map(|c| 3 * c + 500).collect(),
        time_note: "times: on-CPU time of each column's span, serial run".into(),
        ..base.clone()
    };
    // #c2185b: red well above green and blue.
    let crimson = |(r, g, b): (u8, u8, u8)| r > 150 && g < 80 && b > 50 && b < 140;
    let dir = tempfile::tempdir().unwrap();
    let count = |profile: &WorkProfile, name: &str| {
        let path = dir.path().join(name);
        profile.write_png(&path).unwrap();
        let png = Png::decode(&std::fs::read(&path).unwrap());
        assert_eq!((png.pixmap.width(), png.pixmap.height()), (700, 420));
        // The right-hand margin, where the time axis is.
        let axis = png.count((700.0 - 80.0, 130.0, 700.0, 364.0), crimson);
        (png.count((0.0, 0.0, 700.0, 420.0), crimson), axis)
    };
    let (line, axis) = count(&timed, "timed.png");
    assert!(line > 300, "the time line: {line} px");
    assert!(axis > 40, "the time axis: {axis} px");
    assert_eq!(count(&base, "plain.png").0, 0);
}
