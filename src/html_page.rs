//! `report.html`: the one page of a command's results (its table, its
//! pictures, links to the other files), and the page of any trace for
//! `render --html` and `report --html`. The page itself is viz's
//! [`HtmlReport`]; this module only chooses what goes on it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use logprof::Trace;
use logprof_trace::table::Table;
use logprof_viz::HtmlReport;

/// The page's name in a command's output folder.
pub const REPORT_HTML: &str = "report.html";

/// Writes the page of one trace to `path`: `text` first (what `report`
/// prints), then its figures, its timeline and its tables.
pub fn write_trace_page(path: &Path, title: &str, trace: &Trace, text: Option<&str>) -> Result<()> {
    let mut page = HtmlReport::new(title);
    if let Some(text) = text {
        page = page.text(text);
    }
    page.trace(title, trace).write(path)?;
    Ok(())
}

/// Writes `report.html` into `dir`: `title`, the `notes` (lines of text),
/// the results `table`, the timeline of every trace among `written` (read
/// back, each a panel on one time axis), every other SVG picture (charts,
/// the work profile) and a link to every file; returns its path.
pub fn write_results_page(
    dir: &Path,
    title: &str,
    notes: &str,
    table: &Table,
    written: &[PathBuf],
) -> Result<PathBuf> {
    let mut page = HtmlReport::new(title);
    if !notes.is_empty() {
        page = page.text(notes);
    }
    page = page.table("results", table);
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
        .collect();
    let stems: Vec<&str> = names
        .iter()
        .filter_map(|n| n.strip_suffix(".trace.json"))
        .collect();
    let mut traces = Vec::with_capacity(stems.len());
    for stem in &stems {
        let path = dir.join(format!("{stem}.trace.json"));
        let trace = Trace::read_file(&path)
            .with_context(|| format!("cannot read {} back for {REPORT_HTML}", path.display()))?;
        traces.push((*stem, trace));
    }
    if !traces.is_empty() {
        let panels: Vec<(&str, &Trace)> = traces.iter().map(|(s, t)| (*s, t)).collect();
        let caption = if panels.len() > 1 {
            "timelines, one panel a trace"
        } else {
            "timeline"
        };
        page = page.timeline(caption, &panels);
    }
    // The canvas draws the traces: their own pictures (and the figure of
    // them all) stay files, linked below.
    let drawn = |n: &str| {
        n == "timelines.svg"
            || stems.iter().any(|s| {
                n.strip_prefix(s)
                    .is_some_and(|rest| rest.ends_with(".svg") && rest.starts_with('.'))
            })
    };
    for name in names.iter().filter(|n| n.ends_with(".svg") && !drawn(n)) {
        let path = dir.join(name);
        let svg = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {} back for {REPORT_HTML}", path.display()))?;
        page = page.picture(name, &svg);
    }
    let links: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), n.as_str())).collect();
    let path = dir.join(REPORT_HTML);
    page.links("files", &links).write(&path)?;
    Ok(path)
}

/// [`write_results_page`] for every file already in `dir` (a command's
/// staging folder, which holds only its outputs), in name order.
pub fn write_folder_page(dir: &Path, title: &str, notes: &str, table: &Table) -> Result<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    write_results_page(dir, title, notes, table, &files)
}
