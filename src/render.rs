//! `logprof render`: draw any Chrome trace file.

use anyhow::Result;
use logprof::Trace;
use logprof_viz::Timeline;

use crate::cli::{LaneGrouping, RenderArgs};

pub fn run(args: &RenderArgs) -> Result<()> {
    let trace = Trace::read_chrome_json(&args.trace)?;
    let title = args
        .title
        .clone()
        .or_else(|| trace.process_name.clone())
        .unwrap_or_else(|| args.trace.display().to_string());
    let timeline = Timeline::new(&trace)
        .title(&title)
        .width(args.width)
        .by_task(args.by == LaneGrouping::Task);
    let svg = match (&args.svg, &args.png) {
        (None, None) => Some(default_svg_path(&args.trace)),
        (svg, _) => svg.clone(),
    };
    if let Some(path) = &svg {
        timeline.write_svg(path)?;
        println!("{}", path.display());
    }
    if let Some(path) = &args.png {
        timeline.write_png(path)?;
        println!("{}", path.display());
    }
    Ok(())
}

/// `run.trace.json` -> `run.svg`; `x.json` -> `x.svg`.
fn default_svg_path(trace: &std::path::Path) -> std::path::PathBuf {
    let name = trace
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".trace.json")
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(&name);
    trace.with_file_name(format!("{stem}.svg"))
}
