//! The files a run writes: traces, timelines, the figure, the fractal.
//! Every file is written atomically (temporary file, then rename).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use logprof::Trace;
use logprof_kernels::Image;
use logprof_viz::{Figure, Timeline};

/// Creates the output directory if needed and checks that it can be written,
/// before any work is done.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "cannot create output directory {}: choose another with --out",
            dir.display()
        )
    })?;
    let probe = dir.join(format!(".logprof-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").with_context(|| {
        format!(
            "cannot write in output directory {}: choose another with --out",
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Checks, before any work, that the output directory and the directories
/// of the export files can be written.
pub fn prepare_outputs(dir: &Path, export: &crate::export::ExportArgs) -> Result<()> {
    prepare_dir(dir)?;
    for file in [
        &export.export_markdown,
        &export.export_json,
        &export.export_csv,
    ]
    .into_iter()
    .flatten()
    {
        let parent = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !parent.is_dir() {
            anyhow::bail!(
                "cannot write {}: directory {} does not exist",
                file.display(),
                parent.display()
            );
        }
    }
    Ok(())
}

/// `<stem>.trace.json`, `<stem>.svg` and `<stem>.png` for one trace.
pub fn trace_files(trace: &Trace, dir: &Path, stem: &str, title: &str) -> Result<Vec<PathBuf>> {
    let json = dir.join(format!("{stem}.trace.json"));
    trace.write_chrome_json(&json)?;
    let timeline = Timeline::new(trace).title(title);
    let svg = dir.join(format!("{stem}.svg"));
    timeline.write_svg(&svg)?;
    let png = dir.join(format!("{stem}.png"));
    timeline.write_png(&png)?;
    Ok(vec![json, svg, png])
}

/// One figure of several traces on a shared time axis, as SVG and PNG.
pub fn figure(traces: &[(String, &Trace)], dir: &Path, stem: &str) -> Result<Vec<PathBuf>> {
    let mut figure = Figure::new();
    for (label, trace) in traces {
        figure = figure.add(label, trace);
    }
    let svg = dir.join(format!("{stem}.svg"));
    figure.write_svg(&svg)?;
    let png = dir.join(format!("{stem}.png"));
    figure.write_png(&png)?;
    Ok(vec![svg, png])
}

/// The fractal as a colour PNG.
pub fn fractal_png(image: &Image, path: &Path) -> Result<PathBuf> {
    let n = image.n() as u32;
    let rgb = logprof_kernels::to_rgb(image);
    logprof_viz::write_rgb_png(path, n, n, &rgb)?;
    Ok(path.to_owned())
}
