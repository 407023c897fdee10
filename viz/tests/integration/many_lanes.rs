//! More lanes than fit a picture: thousands of threads drawn as heat rows
//! (a thin row per lane, grouped by process, coloured by busy share per
//! pixel), as SVG and PNG within the PNG limit, with the busiest and idlest
//! lanes named; fewer lanes draw a lane per thread as always.

use base64::Engine;
use logprof_trace::{Lane, NameTable, OffCpu, OffCpuKind, OffCpuStatus, Span, Trace};
use logprof_viz::{svg_to_png, timeline_size, LayoutOptions, Timeline, MAX_PNG_SIDE};
use resvg::tiny_skia::Pixmap;

use crate::common::{parse, El};

/// The wall time of every generated trace: 1 ms.
const WALL: u64 = 1_000_000;

/// `processes × threads` lanes, pids from 1; lane `i` (in pid, tid order)
/// works `share(i)` of each of 10 periods of 100 µs, in one call a period;
/// every lane starts at 0 and one call ends at [`WALL`].
fn threads(processes: u32, threads: u64, share: &dyn Fn(usize) -> f64) -> Trace {
    let mut names = NameTable::new();
    let work = names.intern("work");
    let mut trace = Trace::new();
    trace.process_name = Some("many".into());
    let mut i = 0;
    for p in 1..=processes {
        for t in 1..=threads {
            let mut lane = Lane::new(p, u64::from(p) * 1000 + t, format!("w{p}.{t}"));
            let len = (share(i) * 100_000.0).round() as u64;
            for k in 0..10 {
                let start = k * 100_000;
                if len > 0 {
                    lane.spans.push(Span::new(work, start, start + len, 0));
                }
            }
            trace.lanes.push(lane);
            i += 1;
        }
    }
    // The region: 0 to WALL.
    trace.lanes[0].spans.push(Span::new(work, 0, 1, 0));
    trace.lanes[0]
        .spans
        .push(Span::new(work, WALL - 1, WALL, 0));
    trace.lanes[0].spans.sort_by_key(|s| s.start_ns);
    trace.names = names.into_names();
    trace
}

/// An uneven share for lane `i`, 0 to 0.97, many lanes alike.
fn uneven(i: usize) -> f64 {
    ((i * 7919) % 98) as f64 / 100.0
}

/// Each lane's busy share computed here from its spans: the union of its
/// top-level spans over the region's wall time.
fn shares(trace: &Trace) -> Vec<(String, f64)> {
    let lo = trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .map(|s| s.start_ns)
        .min()
        .unwrap();
    let hi = trace
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .map(|s| s.end_ns)
        .max()
        .unwrap();
    trace
        .lanes
        .iter()
        .map(|lane| {
            let mut spans: Vec<(u64, u64)> = lane
                .spans
                .iter()
                .filter(|s| s.depth == 0)
                .map(|s| (s.start_ns, s.end_ns))
                .collect();
            spans.sort();
            let (mut busy, mut end) = (0, 0);
            for (s, e) in spans {
                let s = s.max(end);
                if e > s {
                    busy += e - s;
                    end = e;
                }
            }
            (lane.thread_name.clone(), busy as f64 / (hi - lo) as f64)
        })
        .collect()
}

fn grouping_line(els: &[El]) -> String {
    els.iter()
        .find(|e| e.class() == "grouping")
        .map(|e| e.text.trim().to_owned())
        .expect("a line says how the lanes are drawn")
}

/// The heat rows' image: its element, and its pixels as RGB, row-major.
fn heat_image(els: &[El]) -> (&El, Vec<[u8; 3]>) {
    let image = els
        .iter()
        .find(|e| e.class() == "heat-rows")
        .expect("the heat rows");
    let data = image
        .attr("href")
        .unwrap()
        .strip_prefix("data:image/png;base64,")
        .expect("an embedded PNG");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    let mut decoder = png::Decoder::new(bytes.as_slice());
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(
        (info.width, info.height),
        (image.num("width") as u32, image.num("height") as u32)
    );
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(3)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (image, pixels)
}

#[test]
fn three_thousand_threads_draw_as_svg_and_png_within_the_limit() {
    let trace = threads(1, 3000, &uneven);
    let timeline = Timeline::new(&trace);
    let svg = timeline.to_svg_string().unwrap();
    let els = parse(&svg);
    let (width, height) = (els[0].num("width") as u32, els[0].num("height") as u32);
    assert!(height <= MAX_PNG_SIDE, "{height} px");
    // The size told from the counts is the size drawn.
    assert_eq!(
        timeline_size(1, 3000, &LayoutOptions::default()).unwrap(),
        (width, height)
    );
    let line = grouping_line(&els);
    assert!(
        line.starts_with("3,000 lanes in 1 process drawn as 2-px rows")
            && line.contains("busy: wall-clock"),
        "{line}"
    );
    // No lane is drawn one by one, and the SVG stays small.
    assert!(!els.iter().any(|e| e.class() == "lane"));
    assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
    let (image, pixels) = heat_image(&els);
    assert_eq!(image.num("height") as usize, 3000 * 2);
    assert_eq!(image.num("data-row-px"), 2.0);
    // The colour scale replaces the names' legend.
    assert!(els.iter().any(|e| e.class() == "legend heat-legend"));

    // The PNG shows the image's pixels where the SVG puts them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.png");
    timeline.write_png(&path).unwrap();
    let png = Pixmap::decode_png(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!((png.width(), png.height()), (width, height));
    let (x0, y0) = (image.num("x"), image.num("y"));
    let w = image.num("width") as usize;
    let (mut same, mut compared) = (0, 0);
    for y in (y0.ceil() as u32 + 1..(y0 + 6000.0) as u32 - 1).step_by(7) {
        for x in (x0.ceil() as u32 + 1..(x0 + w as f64) as u32 - 2).step_by(3) {
            let ix = (f64::from(x) + 0.5 - x0).floor() as usize;
            let iy = (f64::from(y) + 0.5 - y0).floor() as usize;
            let want = pixels[iy * w + ix];
            let p = png.pixel(x, y).unwrap();
            let got = [p.red(), p.green(), p.blue()];
            compared += 1;
            if want.iter().zip(got).all(|(a, b)| a.abs_diff(b) <= 2) {
                same += 1;
            }
        }
    }
    assert!(
        same * 100 >= compared * 99,
        "{same} of {compared} pixels alike"
    );
}

#[test]
fn rows_are_grouped_by_process_and_coloured_per_pixel() {
    // 1000 ranks of 3 threads: the first busy in the first half, the second
    // in the second half, the third idle.
    let mut trace = threads(1000, 3, &|_| 0.0);
    let work = 0;
    for (i, lane) in trace.lanes.iter_mut().enumerate() {
        match i % 3 {
            0 => lane.spans.push(Span::new(work, 0, WALL / 2, 0)),
            1 => lane.spans.push(Span::new(work, WALL / 2, WALL, 0)),
            _ => {}
        }
        lane.spans.sort_by_key(|s| s.start_ns);
    }
    let svg = Timeline::new(&trace).width(1000).to_svg_string().unwrap();
    let els = parse(&svg);
    let line = grouping_line(&els);
    assert!(
        line.starts_with(
            "3,000 lanes in 1,000 processes drawn as 2-px rows, a white line between processes"
        ),
        "{line}"
    );
    let (image, pixels) = heat_image(&els);
    let w = image.num("width") as usize;
    let h = image.num("height") as usize;
    assert_eq!(h, 1000 * 3 * 2 + 999);
    let row = |y: usize| &pixels[y * w..(y + 1) * w];
    let white = [255, 255, 255];
    for p in 0..1000 {
        let top = p * 7;
        if p > 0 {
            assert!(
                row(top - 1).iter().all(|&c| c == white),
                "separator above process {p}"
            );
        }
        let first = row(top);
        let second = row(top + 2);
        let third = row(top + 4);
        assert_eq!(row(top + 1), first, "a row is 2 px");
        // Left quarter, right quarter: busy (darkest) or idle.
        let (l, r) = (w / 4, 3 * w / 4);
        assert_eq!(first[l], second[r]);
        assert_eq!(first[r], second[l]);
        assert_eq!(first[r], third[l]);
        assert_ne!(first[l], first[r]);
        assert!(first[l] != white && first[r] != white);
    }
    // Busy pixels are the darkest of the scale, idle ones the lightest.
    let [r, g, b] = row(0)[w / 4];
    assert!(
        u32::from(r) + u32::from(g) + u32::from(b) < 300,
        "{r} {g} {b}"
    );
    // The processes are named (as many as fit beside their rows).
    let named = els.iter().filter(|e| e.class() == "process").count();
    assert!((100..=1000).contains(&named), "{named} processes named");
}

#[test]
fn the_busiest_and_idlest_lanes_named_are_really_so() {
    let trace = threads(3, 1000, &uneven);
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    let els = parse(&svg);
    let shares = shares(&trace);
    let marked: Vec<&El> = els.iter().filter(|e| e.class() == "heat-label").collect();
    let (busiest, idlest): (Vec<&El>, Vec<&El>) = marked
        .iter()
        .partition(|e| e.attr("data-mark") == Some("busiest"));
    assert_eq!((busiest.len(), idlest.len()), (3, 3));
    let share_of = |name: &str| {
        // The names carry their process: "p2 w2.17".
        let thread = name.split(' ').next_back().unwrap();
        shares.iter().find(|(n, _)| n == thread).expect(name).1
    };
    let named: Vec<&str> = marked
        .iter()
        .map(|e| e.attr("data-lane").unwrap())
        .collect();
    for e in &marked {
        let name = e.attr("data-lane").unwrap();
        let share = share_of(name);
        assert!((e.num("data-share") - share).abs() < 1e-6, "{name}");
        let others = shares
            .iter()
            .filter(|(n, _)| !named.iter().any(|m| m.ends_with(&format!(" {n}"))));
        for (other, s) in others {
            if e.attr("data-mark") == Some("busiest") {
                assert!(
                    share >= *s,
                    "{name} ({share}) is named busiest, {other} has {s}"
                );
            } else {
                assert!(
                    share <= *s,
                    "{name} ({share}) is named idlest, {other} has {s}"
                );
            }
        }
    }
    let line = grouping_line(&els);
    assert!(
        line.contains("3,000 lanes in 3 processes")
            && line.ends_with("the 3 busiest and 3 idlest of 3,000 scored lanes named"),
        "{line}"
    );
}

#[test]
fn with_off_cpu_time_the_rows_count_on_cpu_busy_time() {
    let mut trace = threads(1, 3000, &|_| 0.5);
    // Lane 7 spends its first call off its core.
    trace.lanes[7]
        .off_cpu
        .push(OffCpu::new(0, 50_000, OffCpuKind::Preempted));
    trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    let svg = Timeline::new(&trace).to_svg_string().unwrap();
    let els = parse(&svg);
    assert!(grouping_line(&els).contains("busy: on-CPU"));
    let idlest = els
        .iter()
        .find(|e| e.class() == "heat-label" && e.attr("data-mark") == Some("idlest"))
        .unwrap();
    assert_eq!(idlest.attr("data-lane"), Some("w1.8"));
    assert!((idlest.num("data-share") - 0.45).abs() < 1e-6);
    // Its row is idle where it was off its core: lighter than its
    // neighbour's there.
    let (image, pixels) = heat_image(&els);
    let w = image.num("width") as usize;
    let px_of = |lane: usize| pixels[lane * 2 * w + w / 200];
    assert_ne!(px_of(7), px_of(8));
}

#[test]
fn lanes_that_fit_are_drawn_one_by_one_as_before() {
    // The most lanes a picture holds a lane each, told from the counts.
    let options = LayoutOptions::default();
    let one_lane = timeline_size(1, 1, &options).unwrap().1;
    let per_lane = timeline_size(1, 2, &options).unwrap().1 - one_lane;
    let most = ((MAX_PNG_SIDE - one_lane) / per_lane + 1) as usize;
    let fits = threads(1, most as u64, &uneven);
    let svg = Timeline::new(&fits).to_svg_string().unwrap();
    let els = parse(&svg);
    assert_eq!(els.iter().filter(|e| e.class() == "lane").count(), most);
    assert!(!els
        .iter()
        .any(|e| e.class() == "heat-rows" || e.class() == "grouping"));
    assert!(parse(&svg)[0].num("height") as u32 <= MAX_PNG_SIDE);
    // One more, and the picture would be too tall: heat rows of 4 px.
    let over = threads(1, most as u64 + 1, &uneven);
    let els = parse(&Timeline::new(&over).to_svg_string().unwrap());
    assert!(!els.iter().any(|e| e.class() == "lane"));
    assert_eq!(heat_image(&els).0.num("data-row-px"), 4.0);
    // A few lanes as always: labels, bars, the functions' legend.
    let few = threads(2, 3, &uneven);
    let svg = Timeline::new(&few).to_svg_string().unwrap();
    let els = parse(&svg);
    assert_eq!(els.iter().filter(|e| e.class() == "lane").count(), 6);
    assert!(els.iter().any(|e| e.class() == "legend-entry"));
    assert!(!svg.contains("heat"));
    svg_to_png(&svg).unwrap();
}
