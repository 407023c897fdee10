//! `logprof render`: draw any trace file; a big `.lpt` file is read in
//! passes, its spans merged per pixel column.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use logprof::Trace;
use logprof_viz::{Timeline, MAX_WIDTH, MIN_WIDTH};

use crate::big_file::{self, ReadMode};
use crate::cli::{LaneGrouping, RenderArgs};
use crate::output::{check_file_target, Paths};

/// Runs `render`: checks both targets and the picture's size, then writes.
pub fn run(args: &RenderArgs) -> Result<()> {
    if !(MIN_WIDTH..=MAX_WIDTH).contains(&args.width) {
        bail!(
            "--width {}: give {MIN_WIDTH} to {MAX_WIDTH} px (a PNG is at most {MAX_WIDTH} px a side)",
            args.width
        );
    }
    let svg = match (&args.svg, &args.png, &args.html) {
        (None, None, None) => Some(default_svg_path(&args.trace)),
        (svg, _, _) => svg.clone(),
    };
    let outputs = [
        ("--svg", &svg),
        ("--png", &args.png),
        ("--html", &args.html),
    ];
    let files: Vec<(&str, &Path)> = outputs
        .into_iter()
        .filter_map(|(what, path)| Some((what, path.as_deref()?)))
        .collect();
    for &(what, path) in &files {
        check_file_target(path, what, None)?;
    }
    Paths {
        inputs: vec![("the trace", &args.trace)],
        files,
        dir: None,
    }
    .check_apart()?;
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| super::report::file_title(&args.trace));
    let mode = ReadMode::of_flags(args.stream, args.whole);
    if let Some(reason) = big_file::stream_reason(&args.trace, mode)? {
        return run_streamed(args, svg.as_deref(), &title, &reason);
    }
    let trace = Trace::read_file(&args.trace)?;
    let timeline = Timeline::new(&trace)
        .title(&title)
        .width(args.width)
        .color_by(args.color.into())
        .by_task(args.by == LaneGrouping::Task);
    if let Some(png) = &args.png {
        crate::limits::check_timeline_fits_png(&timeline, png)?;
    }
    if let Some(path) = &svg {
        crate::export::write_text(path, &timeline.to_svg_string()?)?;
        crate::outln!("{}", path.display())?;
    }
    if let Some(path) = &args.png {
        timeline.write_png(path)?;
        crate::outln!("{}", path.display())?;
    }
    if let Some(path) = &args.html {
        crate::html_page::write_trace_page(path, &title, &trace, None)?;
        crate::outln!("{}", path.display())?;
    }
    Ok(())
}

/// `render` of a big `.lpt` file: one pass for its summary and region, a
/// second for its spans merged per pixel column ([`Trace::reduce_lpt`]),
/// drawn with the first pass's figures.
fn run_streamed(args: &RenderArgs, svg: Option<&Path>, title: &str, reason: &str) -> Result<()> {
    if args.html.is_some() {
        bail!(
            "--html: {} is read in one pass ({reason}), and the page draws every span; give              --svg or --png, or --whole if memory allows",
            args.trace.display()
        );
    }
    let pass = Trace::summarize_lpt(&args.trace)?;
    let region = (pass.summary.start_ns, pass.summary.end_ns);
    let (trace, merged) = Trace::reduce_lpt(&args.trace, args.width, region)?;
    let timeline = Timeline::new(&trace)
        .with_summary(&pass.summary)
        .title(title)
        .width(args.width)
        .color_by(args.color.into())
        .by_task(args.by == LaneGrouping::Task);
    if let Some(png) = &args.png {
        crate::limits::check_timeline_fits_png(&timeline, png)?;
    }
    crate::outln!(
        "{}: read in one pass, chunk by chunk ({reason}; --whole reads it whole): {} spans, \
         those narrower than a pixel merged per pixel column into {} bars",
        args.trace.display(),
        pass.span_count,
        pass.span_count - merged
    )?;
    if let Some(path) = svg {
        crate::export::write_text(path, &timeline.to_svg_string()?)?;
        crate::outln!("{}", path.display())?;
    }
    if let Some(path) = &args.png {
        timeline.write_png(path)?;
        crate::outln!("{}", path.display())?;
    }
    Ok(())
}

/// `run.trace.json` -> `run.svg`; `x.json` and `x.lpt` -> `x.svg`.
fn default_svg_path(trace: &Path) -> PathBuf {
    let name = trace
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".trace.json")
        .or_else(|| name.strip_suffix(".json"))
        .or_else(|| name.strip_suffix(".lpt"))
        .unwrap_or(&name);
    trace.with_file_name(format!("{stem}.svg"))
}
