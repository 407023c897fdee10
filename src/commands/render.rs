//! `logprof render`: draw any Chrome trace file.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use logprof::Trace;
use logprof_viz::{Timeline, MAX_WIDTH, MIN_WIDTH};

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
    let trace = Trace::read_file(&args.trace)?;
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| super::report::file_title(&args.trace));
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
