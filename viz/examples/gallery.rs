//! Draws sample timelines and a chart from synthetic traces into a folder:
//! `cargo run -p logprof-viz --release --example gallery -- /tmp/gallery`
//! (without a folder: `logprof-gallery` in the system's temporary folder).
//!
//! The traces imitate the lecture's Julia-set experiments: a static split
//! whose middle blocks carry most of the work, a dynamic schedule of the
//! same columns, nested spans of a recursive fork-join, and async tasks that
//! resume on other threads.

use logprof_trace::{Lane, NameTable, Span, Trace};
use logprof_viz::{Figure, LineChart, Series, Timeline, VizError};

/// Work of column `j` of 1000 in ns: heavy in the middle, light at the edges.
fn column_cost(j: usize) -> u64 {
    let x = (j as f64 - 500.0) / 170.0;
    (12_000.0 + 110_000.0 * (-x * x).exp()) as u64
}

/// The trace of a process named `process`, its lanes and spans in the order
/// every trace promises.
fn trace(process: &str, names: NameTable, lanes: Vec<Lane>) -> Trace {
    let mut trace = Trace {
        process_name: Some(process.into()),
        names: names.into_names(),
        lanes,
        ..Trace::default()
    };
    trace.normalize();
    trace
}

/// Four empty lanes, thread `t` (from 0) named `name(t)`.
fn four_lanes(name: impl Fn(u64) -> String) -> Vec<Lane> {
    (0..4).map(|t| Lane::new(1, t + 1, name(t))).collect()
}

/// The thread that is free first.
fn first_free(free: &[u64; 4]) -> usize {
    (0..4).min_by_key(|&t| free[t]).unwrap()
}

/// Four threads, 250 consecutive columns each.
fn static_trace() -> Trace {
    let mut names = NameTable::new();
    let column = names.intern("juliaset_column!");
    let mut lanes = Vec::new();
    for t in 0..4 {
        let mut lane = Lane::new(1, t as u64 + 1, format!("worker-{}", t + 1));
        let mut now = 1_000_000 + 300 * t as u64;
        for j in t * 250..(t + 1) * 250 {
            let end = now + column_cost(j);
            lane.spans.push(Span::new(column, now, end, 0));
            now = end + 150;
        }
        lanes.push(lane);
    }
    trace("static", names, lanes)
}

/// The same columns handed out one at a time to whichever thread is free.
fn dynamic_trace() -> Trace {
    let mut names = NameTable::new();
    let column = names.intern("juliaset_column!");
    let mut lanes = four_lanes(|t| format!("worker-{}", t + 1));
    let mut free = [5_000_000u64, 5_000_200, 5_000_400, 5_000_600];
    for j in 0..1000 {
        let t = first_free(&free);
        let start = free[t] + 400; // scheduling overhead
        let end = start + column_cost(j);
        lanes[t].spans.push(Span::new(column, start, end, 0));
        free[t] = end;
    }
    trace("dynamic", names, lanes)
}

/// A recursive fork-join: nested `recspawn` spans down to `column` leaves.
fn forkjoin_trace() -> Trace {
    let mut names = NameTable::new();
    let rec = names.intern("juliaset_recspawn!");
    let column = names.intern("juliaset_column!");
    let mut lanes = four_lanes(|t| format!("worker-{}", t + 1));
    // 16 tasks of 62-63 columns, handed to threads in turn; each task nests
    // two levels of recspawn above its columns.
    let mut free = [0u64; 4];
    for task in 0..16 {
        let t = first_free(&free);
        let lo = task * 1000 / 16;
        let hi = (task + 1) * 1000 / 16;
        let start = free[t] + 2_000;
        let mut now = start + 500;
        let mut leaves = Vec::new();
        for j in lo..hi {
            let end = now + column_cost(j);
            leaves.push(Span::new(column, now, end, 2));
            now = end + 100;
        }
        let end = now + 500;
        lanes[t].spans.push(Span::new(rec, start, end, 0));
        lanes[t]
            .spans
            .push(Span::new(rec, start + 200, end - 200, 1));
        lanes[t].spans.extend(leaves);
        free[t] = end;
    }
    trace("fork-join, ntasks = 16", names, lanes)
}

/// Async tasks that yield and resume, sometimes on another thread.
fn tasks_trace() -> Trace {
    let mut names = NameTable::new();
    let fetch = names.intern("fetch");
    let parse = names.intern("parse");
    let mut lanes = four_lanes(|t| format!("tokio-runtime-worker-{t}"));
    let mut free = [0u64; 4];
    for task in 0..12u64 {
        let name = if task % 3 == 0 { parse } else { fetch };
        let mut ready = task * 3_000;
        for slice in 0..3u64 {
            let t = ((task * 7 + slice * (1 + task % 2)) % 4) as usize;
            let start = free[t].max(ready);
            let end = start + 8_000 + 1_500 * ((task + slice) % 4);
            lanes[t]
                .spans
                .push(Span::new(name, start, end, 0).in_task(task + 1));
            free[t] = end;
            ready = end + 6_000;
        }
    }
    trace("tokio tasks", names, lanes)
}

/// A million short calls on 4 threads, one in ten holding a nested call;
/// thread 4 starts late and the others finish at different times.
fn million_calls() -> Trace {
    let mut names = NameTable::new();
    let column = names.intern("juliaset_column!");
    let pixel = names.intern("pixel_row");
    let mut lanes = Vec::new();
    for t in 0..4u64 {
        let mut lane = Lane::new(1, t + 1, format!("worker-{}", t + 1));
        let mut now = if t == 3 { 400_000 } else { t * 100 };
        for i in 0..250_000u64 {
            let len = 500 + (i * 7919 + t * 31) % (2_000 + 500 * t);
            lane.spans.push(Span::new(column, now, now + len, 0));
            if i % 10 == 0 {
                lane.spans
                    .push(Span::new(pixel, now + 100, now + len - 100, 1));
            }
            now += len + 200;
        }
        lanes.push(lane);
    }
    trace("many calls", names, lanes)
}

fn main() -> Result<(), VizError> {
    // Without a folder, a temporary one: an example never writes into the
    // repository unasked.
    let dir = std::env::args_os().nth(1).map_or_else(
        || std::env::temp_dir().join("logprof-gallery"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir).map_err(|e| VizError::Write {
        path: dir.clone(),
        source: e,
    })?;
    let (st, dy, fj, tk) = (
        static_trace(),
        dynamic_trace(),
        forkjoin_trace(),
        tasks_trace(),
    );
    for (name, t) in [
        ("static", &st),
        ("dynamic", &dy),
        ("forkjoin", &fj),
        ("tasks", &tk),
    ] {
        let timeline = Timeline::new(t);
        timeline.write_svg(dir.join(format!("{name}.svg")))?;
        timeline.write_png(dir.join(format!("{name}.png")))?;
    }
    Timeline::new(&tk)
        .by_task(true)
        .title("tokio tasks, by task")
        .write_png(dir.join("tasks-by-task.png"))?;
    Timeline::new(&tk)
        .by_task(true)
        .write_svg(dir.join("tasks-by-task.svg"))?;
    let figure = Figure::new()
        .title("Julia set 1000×1000, 4 threads")
        .add("static", &st)
        .add("dynamic", &dy);
    figure.write_svg(dir.join("figure.svg"))?;
    figure.write_png(dir.join("figure.png"))?;
    Timeline::new(&Trace::new()).write_png(dir.join("empty.png"))?;
    let million = million_calls();
    let timeline = Timeline::new(&million).title("1,000,000 calls, merged per pixel");
    timeline.write_svg(dir.join("million.svg"))?;
    timeline.write_png(dir.join("million.png"))?;

    let ntasks = [4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
    let ms = [16.26, 10.66, 10.33, 10.79, 10.21, 10.22, 10.62, 11.01];
    let chart = LineChart {
        title: "Fork-join: time against ntasks".into(),
        x_label: "ntasks".into(),
        y_label: "time (ms)".into(),
        series: vec![
            Series::new(
                "fork-join",
                ntasks.iter().copied().zip(ms.iter().copied()).collect(),
            ),
            Series::new("static", ntasks.iter().map(|&n| (n, 15.75)).collect()),
        ],
        ideal: Some(Series::new(
            "ideal (serial / 4)",
            ntasks.iter().map(|&n| (n, 38.9 / 4.0)).collect(),
        )),
        log_x: true,
        ..LineChart::default()
    };
    chart.write_svg(dir.join("chart.svg"))?;
    chart.write_png(dir.join("chart.png"))?;
    println!("wrote pictures to {}", dir.display());
    Ok(())
}
