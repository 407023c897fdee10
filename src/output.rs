//! Where a run writes: its output directory, built whole in a temporary
//! directory beside the target and swapped in at the end, so an interrupted
//! or failed run leaves the old output as it was; the checks on every path
//! before any work; and the pictures of a run.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use logprof::Trace;
use logprof_kernels::Image;
use logprof_viz::{ColorBy, Figure, Timeline};

/// The file that marks a directory as logprof's output, which a later run
/// may replace whole.
const MARKER: &str = ".logprof-output";

/// An existing path as what it is, for messages.
fn kind(path: &Path) -> &'static str {
    if path.is_dir() {
        "a directory"
    } else {
        "a file"
    }
}

/// Checks that `dir` can be made a directory: the closest existing
/// ancestor is a directory. `what` names the option in the message.
pub(crate) fn check_can_be_dir(dir: &Path, what: &str) -> Result<()> {
    let existing = dir
        .ancestors()
        .find(|a| !a.as_os_str().is_empty() && std::fs::symlink_metadata(a).is_ok());
    if let Some(a) = existing.filter(|a| !a.is_dir()) {
        if a == dir {
            bail!(
                "{what} {}: that is {}, not a directory; choose another {what}",
                dir.display(),
                kind(a)
            );
        }
        bail!(
            "{what} {}: {} is {}, not a directory; choose another {what}",
            dir.display(),
            a.display(),
            kind(a)
        );
    }
    Ok(())
}

/// The format a trace file named `out` (the `what` of a command, such as
/// "OUT") is written in, by its extension; an error naming the file and the
/// extensions there are when it names none.
pub fn trace_format_of(out: &Path, what: &str) -> Result<logprof::TraceFormat> {
    logprof::TraceFormat::of_path(out).ok_or_else(|| {
        anyhow::anyhow!(
            "{what} {}: its extension names no format logprof writes; end it with one of {}",
            out.display(),
            logprof::TraceFormat::known_extensions()
        )
    })
}

/// Checks, before any work, that `file` can be written: its directory
/// exists (or is `out`, made by the run) and is a directory. `what` names
/// the option.
pub fn check_file_target(file: &Path, what: &str, out: Option<&Path>) -> Result<()> {
    if file.is_dir() {
        bail!(
            "{what} {}: that is a directory; give a file name",
            file.display()
        );
    }
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if out.is_some_and(|o| o == parent) {
        return Ok(());
    }
    if parent.is_dir() {
        return Ok(());
    }
    if parent.exists() {
        bail!(
            "{what} {}: {} is {}, not a directory; choose another path",
            file.display(),
            parent.display(),
            kind(parent)
        );
    }
    bail!(
        "{what} {}: directory {} does not exist; create it or choose another path",
        file.display(),
        parent.display()
    )
}

/// Checks the export files before any work.
fn check_exports(export: &crate::export::ExportArgs, out: Option<&Path>) -> Result<()> {
    for (what, file) in export.files() {
        check_file_target(file, what, out)?;
    }
    Ok(())
}

/// Checks, before any work, every path a command reads and writes: the
/// export files can be written, `dir` (`--out`) can be a directory, and
/// nothing is written over what the command reads or over another output
/// ([`Paths::check_apart`]). `inputs` name what it reads.
pub fn check_paths(
    inputs: &[(&str, &Path)],
    export: &crate::export::ExportArgs,
    dir: Option<&Path>,
) -> Result<()> {
    check_paths_and(inputs, export, &[], dir)
}

/// [`check_paths`] with more output `files` beside the exports (`--html`),
/// each with its option.
pub fn check_paths_and(
    inputs: &[(&str, &Path)],
    export: &crate::export::ExportArgs,
    files: &[(&str, &Path)],
    dir: Option<&Path>,
) -> Result<()> {
    check_exports(export, dir)?;
    for &(what, file) in files {
        check_file_target(file, what, dir)?;
    }
    if let Some(dir) = dir {
        check_can_be_dir(dir, "--out")?;
    }
    let mut outputs: Vec<(&str, &Path)> = export.files().collect();
    outputs.extend_from_slice(files);
    Paths {
        inputs: inputs.to_vec(),
        files: outputs,
        dir,
    }
    .check_apart()
}

/// What a command reads and writes, checked together before any work so
/// that it never destroys what it reads nor writes two things to one path.
/// Each path comes with what names it in a message (`--png`, `the trace`).
#[derive(Default)]
pub struct Paths<'a> {
    /// What it reads.
    pub inputs: Vec<(&'a str, &'a Path)>,
    /// The files it writes.
    pub files: Vec<(&'a str, &'a Path)>,
    /// The output directory it replaces whole (`--out`).
    pub dir: Option<&'a Path>,
}

impl Paths<'_> {
    /// Refuses an output that is an input, an input inside the output
    /// directory (which a run replaces whole), and two outputs on one
    /// path: one line naming the paths and what to do.
    pub fn check_apart(&self) -> Result<()> {
        let outputs: Vec<(&str, &Path)> = (self.files.iter().copied())
            .chain(self.dir.map(|d| ("--out", d)))
            .collect();
        for (i, &(what, path)) in outputs.iter().enumerate() {
            if let Some((input, _)) = self.inputs.iter().find(|(_, i)| same_path(path, i)) {
                bail!(
                    "{what} {}: that is {input} this command reads, which writing would \
                     destroy; give {what} another path",
                    path.display()
                );
            }
            if let Some((first, _)) = outputs[..i].iter().find(|(_, o)| same_path(path, o)) {
                bail!(
                    "{first} and {what} are both {}: two outputs on one path, the second \
                     would replace the first; give each its own path",
                    path.display()
                );
            }
        }
        if let Some(dir) = self.dir {
            let inside = identity(dir);
            if let Some((input, path)) =
                (self.inputs.iter()).find(|(_, p)| identity(p).starts_with(&inside))
            {
                bail!(
                    "--out {}: it holds {input} {}, which this command reads, and a run \
                     replaces its output directory whole; give another --out",
                    dir.display(),
                    path.display()
                );
            }
        }
        Ok(())
    }
}

/// The path as the file system resolves it: its closest existing ancestor
/// canonicalised (links and `..` resolved), the rest as written. A path
/// that does not exist yet is named by its parent and file name.
fn identity(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => identity(parent).join(name),
        _ => absolute,
    }
}

/// Whether two paths name one file: the same file (hard links too) when
/// both exist, else the same [`identity`].
fn same_path(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return a.dev() == b.dev() && a.ino() == b.ino();
    }
    identity(a) == identity(b)
}

/// An output directory under construction: files go into [`OutDir::path`],
/// a hidden temporary directory beside the target, which
/// [`OutDir::commit`] swaps in for the target. Dropped uncommitted, it is
/// removed and the target is untouched.
pub struct OutDir {
    target: PathBuf,
    staging: tempfile::TempDir,
    /// Removed on an interrupt, too.
    _registered: crate::interrupt::Staging,
}

impl OutDir {
    /// Checks `target` (given as `--out`) and starts the temporary directory
    /// beside it; before any work, so a path that cannot be written is
    /// named at once. An existing target must be empty or an earlier
    /// logprof output (it will be replaced whole).
    pub fn create(target: &Path) -> Result<OutDir> {
        check_can_be_dir(target, "--out")?;
        let target = std::path::absolute(target)
            .with_context(|| format!("--out {}: not a usable path", target.display()))?;
        if target.is_dir() && !is_replaceable(&target)? {
            bail!(
                "--out {}: the directory holds files logprof did not write, and a run replaces \
                 its output directory whole; give a new or empty directory",
                target.display()
            );
        }
        let (parent, name) = match (target.parent(), target.file_name()) {
            (Some(p), Some(n)) => (p.to_owned(), n.to_string_lossy().into_owned()),
            _ => bail!(
                "--out {}: not a directory logprof can replace; give a subdirectory",
                target.display()
            ),
        };
        let create = || -> std::io::Result<tempfile::TempDir> {
            std::fs::create_dir_all(&parent)?;
            remove_abandoned(&parent, &name);
            tempfile::Builder::new()
                .prefix(&format!("{}{}.", staging_prefix(&name), std::process::id()))
                .tempdir_in(&parent)
        };
        let staging = create().with_context(|| {
            format!(
                "--out {}: cannot write in {}; choose another --out",
                target.display(),
                parent.display()
            )
        })?;
        let _registered = crate::interrupt::Staging::register(staging.path());
        Ok(OutDir {
            target,
            staging,
            _registered,
        })
    }

    /// The directory to write the files into.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// Puts the finished directory in place of the target: the old target
    /// is moved aside, the new one renamed in, the old one removed.
    pub fn commit(self) -> Result<PathBuf> {
        let OutDir {
            target,
            staging,
            _registered,
        } = self;
        crate::interrupt::uninterrupted(|| swap_in(target, staging))
    }
}

/// The renames of [`OutDir::commit`].
fn swap_in(target: PathBuf, staging: tempfile::TempDir) -> Result<PathBuf> {
    let fail = |e: std::io::Error| {
        anyhow::Error::new(e).context(format!("cannot replace {}", target.display()))
    };
    std::fs::write(
        staging.path().join(MARKER),
        "logprof output: a later run with this --out replaces the directory whole\n",
    )
    .map_err(fail)?;
    let new = staging.keep();
    let old = target.exists().then(|| {
        let mut name = new.file_name().unwrap_or_default().to_owned();
        name.push("-old");
        new.with_file_name(name)
    });
    if let Some(old) = &old {
        if let Err(e) = std::fs::rename(&target, old) {
            let _ = std::fs::remove_dir_all(&new);
            return Err(fail(e));
        }
    }
    if let Err(e) = std::fs::rename(&new, &target) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old, &target);
        }
        let _ = std::fs::remove_dir_all(&new);
        return Err(fail(e));
    }
    if let Some(old) = old {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("cannot remove the old output {}", old.display()))?;
    }
    Ok(target)
}

/// `.<name>.logprof-`: the start of the temporary directories beside
/// `<name>`, followed by the process id.
fn staging_prefix(name: &str) -> String {
    format!(".{name}.logprof-")
}

/// Whether an existing directory may be replaced: empty, marked as ours,
/// or holding only files logprof writes (from before the mark, or from the
/// examples): the outputs of compare, run and sweep, and traces with their
/// pictures (`x.trace.json` beside `x.svg`, `x.by_task.png`).
fn is_replaceable(dir: &Path) -> Result<bool> {
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    let names = std::fs::read_dir(dir)
        .and_then(|rd| {
            rd.map(|e| {
                let e = e?;
                let is_file = e.file_type()?.is_file();
                Ok(is_file.then(|| e.file_name().to_string_lossy().into_owned()))
            })
            .collect::<std::io::Result<Vec<Option<String>>>>()
        })
        .with_context(|| format!("--out {}: cannot read the directory", dir.display()))?;
    let Some(names) = names.into_iter().collect::<Option<Vec<String>>>() else {
        return Ok(false);
    };
    let traces: Vec<&str> = names
        .iter()
        .filter_map(|n| n.strip_suffix(".trace.json"))
        .collect();
    Ok(names.iter().all(|n| {
        let (stem, _) = n.split_once('.').unwrap_or((n, ""));
        ["summary", "timelines", "fractal"].contains(&stem)
            || stem.starts_with("sweep-")
            || traces.iter().any(|t| n.starts_with(&format!("{t}.")))
    }))
}

/// Removes the temporary directories that runs killed before their end
/// (Ctrl-C) left beside `<name>`: those whose process is gone. Only where
/// `/proc` tells which processes live.
fn remove_abandoned(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let prefix = staging_prefix(name);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('.').next().unwrap_or("");
        if !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && !proc.join(pid).exists()
            && entry.file_type().is_ok_and(|t| t.is_dir())
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `<stem>.trace.json`, `<stem>.svg` and `<stem>.png` for one trace.
pub fn trace_files(
    trace: &Trace,
    dir: &Path,
    stem: &str,
    title: &str,
    color: ColorBy,
) -> Result<Vec<PathBuf>> {
    let json = dir.join(format!("{stem}.trace.json"));
    trace.write_chrome_json(&json)?;
    let timeline = Timeline::new(trace).title(title).color_by(color);
    let svg = dir.join(format!("{stem}.svg"));
    timeline.write_svg(&svg)?;
    let png = dir.join(format!("{stem}.png"));
    timeline.write_png(&png)?;
    Ok(vec![json, svg, png])
}

/// One figure of several traces on a shared time axis, as SVG and PNG.
pub fn figure(
    traces: &[(String, &Trace)],
    dir: &Path,
    stem: &str,
    color: ColorBy,
) -> Result<Vec<PathBuf>> {
    let mut figure = Figure::new().color_by(color);
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
